// The device file's lifetime and the contexts' choices that keep bulk TLS
// on OCF. Needs the devshim (it counts the device files a process holds).
#include "common.hpp"

#include "../native/devshim/devshim.h"

#include <catch2/catch.hpp>

#include <openssl/prov_ssl.h>

#include <cstring>
#include <dlfcn.h>
#include <sys/wait.h>
#include <unistd.h>

using namespace ptest;

namespace {

ocf_devshim_control_fn shim()
{
	return reinterpret_cast<ocf_devshim_control_fn>(dlsym(RTLD_DEFAULT, OCF_DEVSHIM_CONTROL));
}

// Runs @fn in a fork child; its exit status (0 = passed), or -1.
template <typename Fn>
int in_child(Fn &&fn)
{
	std::fflush(nullptr);
	pid_t pid = fork();
	if (pid == 0)
		_exit(fn());
	int st = 0;
	if (pid < 0 || waitpid(pid, &st, 0) != pid || !WIFEXITED(st))
		return -1;
	return WEXITSTATUS(st);
}

bool cbc_works(OSSL_LIB_CTX *lib)
{
	EVP_CIPHER *c = ocf_cipher(lib, "AES-128-CBC");
	bytes key = rand_bytes(16), iv = rand_bytes(16), buf = rand_bytes(4096);
	EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
	int n = 0;
	bool ok = c && EVP_EncryptInit_ex2(ctx, c, key.data(), iv.data(), nullptr) &&
		  EVP_EncryptUpdate(ctx, buf.data(), &n, buf.data(), 4096) && n == 4096;
	EVP_CIPHER_CTX_free(ctx);
	EVP_CIPHER_free(c);
	return ok;
}

} // namespace

TEST_CASE("lifetime: a fork child does not keep its parent's device file (and sessions) open",
	  "[devshim][lifetime]")
{
	auto ctl = shim();
	REQUIRE(ctl);
	OSSL_LIB_CTX *lib = ocf_ctx("always", "1");
	REQUIRE(cbc_works(lib));
	// The provider's file, with its sessions (and maybe the tests' own,
	// common.cpp's, which is not the provider's business).
	const long parent = ctl("files_here", 0);
	REQUIRE(parent >= 1);
	int st = in_child([&] {
		if (ctl("files_here", 0) != parent - 1)
			return 2;	// the parent's file inherited and kept
		if (!cbc_works(lib))
			return 3;
		return ctl("files_here", 0) == parent ? 0 : 4;	// its own, opened for its work
	});
	INFO("child: 0 ok, 2 kept the parent's file, 3 no work, 4 no file of its own");
	CHECK(st == 0);
	CHECK(ctl("files_here", 0) == parent);
	CHECK(cbc_works(lib));
}

TEST_CASE("lifetime: mode auto that offers nothing does not keep the device open",
	  "[devshim][lifetime]")
{
	auto ctl = shim();
	REQUIRE(ctl);
	// In a child: mode auto decides once per process.
	int st = in_child([&] {
		ctl("hardware", 0);	// software producer only: auto offers nothing
		long before = ctl("files_here", 0);
		OSSL_LIB_CTX *lib = ocf_ctx("auto", "4097");
		EVP_CIPHER *c = EVP_CIPHER_fetch(lib, "AES-128-CBC", nullptr);	// the decision
		EVP_CIPHER_free(c);
		return ctl("files_here", 0) == before ? 0 : 2;
	});
	INFO("child: 0 ok, 2 the device stayed open");
	CHECK(st == 0);
}

TEST_CASE("lifetime: a stitched context that may use OCF declines libssl's multi-block writes",
	  "[devshim][lifetime][stitched]")
{
	for (std::string mode : { "always", "never" }) {
		EVP_CIPHER *oc = ocf_cipher(ocf_ctx(mode, "1"), "AES-128-CBC-HMAC-SHA1");
		EVP_CIPHER *rc = ref_cipher("AES-128-CBC-HMAC-SHA1");
		if (!rc) {	// no AES-NI: no stitched ciphers anywhere
			CHECK_FALSE(oc);
			continue;
		}
		REQUIRE(oc);
		bytes key = rand_bytes(16), iv = rand_bytes(16), mackey = rand_bytes(20);
		EVP_CIPHER_CTX *ctx = stitched_ctx_new(oc, 1, key, iv, mackey, TLS1_2_VERSION);
		REQUIRE(ctx);
		// What libssl does before a multi-block write of 4 records.
		unsigned char aad[13] = { 0, 0, 0, 0, 0, 0, 0, 0, 23, 3, 3, 0, 0 };
		const std::size_t len = 4 * 16384;
		aad[11] = static_cast<unsigned char>(len >> 8);
		aad[12] = static_cast<unsigned char>(len);
		EVP_CTRL_TLS1_1_MULTIBLOCK_PARAM mb{};
		mb.inp = aad;
		mb.len = len;
		mb.interleave = 4;
		int packlen = EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_TLS1_1_MULTIBLOCK_AAD, sizeof(mb), &mb);
		INFO("mode " << mode << ": packlen " << packlen);
		if (mode == "never")
			CHECK(packlen > 0);	// the default's multi-block, as without us
		else
			CHECK(packlen <= 0);	// declined: records one by one, through OCF
		drain_errors();
		EVP_CIPHER_CTX_free(ctx);
		EVP_CIPHER_free(oc);
		EVP_CIPHER_free(rc);
	}
}
