// When OCF fails a request with an error it returns before touching the
// data, the provider finishes the request in software, in place too (a
// hot-removed producer answers -ENODEV); an error after the data may have
// been touched (-EIO from a chip) fails the call with an error on the queue,
// never with wrong output. Needs the /dev/ocf test double (devshim), which
// injects the errors: tagged [devshim], run by tests/run under it.
#include "common.hpp"

#include "../native/devshim/devshim.h"

#include <catch2/catch.hpp>

#include <openssl/err.h>
#include <openssl/prov_ssl.h>

#include <cerrno>
#include <cstring>
#include <dlfcn.h>
#include <chrono>
#include <string>
#include <thread>
#include <utility>
#include <vector>

using namespace ptest;

namespace {

ocf_devshim_control_fn shim()
{
	return reinterpret_cast<ocf_devshim_control_fn>(dlsym(RTLD_DEFAULT, OCF_DEVSHIM_CONTROL));
}

struct ShimReset {
	~ShimReset()
	{
		if (auto ctl = shim())
			ctl("reset", 0);
	}
};

// Errors the kernel (kernel/include/uapi/linux/ocf.h, chardev.c,
// dispatch.c) returns before a producer touched the data, and the kernel
// core's coming -EAGAIN for the in-flight limit.
const int kUntouched[] = { ENODEV, EAGAIN, ENOSPC, E2BIG, EINVAL, ENOENT, EOPNOTSUPP, ENOMEM,
			   EFAULT, EBUSY };

// One in-place update of @n bytes on two contexts (ocf, reference) that
// were primed with a first update; returns whether both agree.
bool in_place_agrees(EVP_CIPHER_CTX *o, EVP_CIPHER_CTX *r, std::size_t n)
{
	bytes a = rand_bytes(n), b = a;
	int la = 0, lb = 0;
	int ra = EVP_CipherUpdate(o, a.data(), &la, a.data(), static_cast<int>(n));
	int rb = EVP_CipherUpdate(r, b.data(), &lb, b.data(), static_cast<int>(n));
	bool same = ra == 1 && rb == 1 && la == lb && a == b;
	if (!same)
		UNSCOPED_INFO("ocf " << ra << " (" << drain_errors() << ") " << la << " bytes, default "
				     << rb << " " << lb << " bytes, same bytes " << (a == b));
	return same;
}

} // namespace

TEST_CASE("fallback: an in-place CBC/CTR request OCF refused untouched is done in software",
	  "[devshim][fallback]")
{
	auto ctl = shim();
	REQUIRE(ctl);	// runs only under the devshim (tests/run)
	ShimReset reset;
	for (const char *name : { "AES-128-CBC", "AES-256-CTR", "DES-EDE3-CBC" }) {
		for (int err : kUntouched) {
			for (const char *where : { "fail_run", "fail_run_ioctl" }) {
				INFO(name << ": " << where << " " << std::strerror(err));
				ctl("reset", 0);
				EVP_CIPHER *oc = ocf_cipher(ocf_ctx("always", "1"), name);
				EVP_CIPHER *rc = ref_cipher(name);
				REQUIRE(oc);
				bytes key = rand_bytes(static_cast<std::size_t>(EVP_CIPHER_get_key_length(rc)));
				bytes iv = rand_bytes(16);
				for (int enc : { 1, 0 }) {
					EVP_CIPHER_CTX *o = EVP_CIPHER_CTX_new(), *r = EVP_CIPHER_CTX_new();
					REQUIRE(EVP_CipherInit_ex2(o, oc, key.data(), iv.data(), enc, nullptr));
					REQUIRE(EVP_CipherInit_ex2(r, rc, key.data(), iv.data(), enc, nullptr));
					// In place as libssl and OpenSSH do it: without padding (a
					// held-back block would make the output overlap the input
					// shifted, which EVP does not define).
					EVP_CIPHER_CTX_set_padding(o, 0);
					EVP_CIPHER_CTX_set_padding(r, 0);
					long long before = ocf_requests();
					CHECK(in_place_agrees(o, r, 4096));
					CHECK(ocf_requests() > before);	// the first went through OCF
					ctl(where, err);
					CHECK(in_place_agrees(o, r, 8192));
					ctl("reset", 0);
					CHECK(in_place_agrees(o, r, 4096));
					EVP_CIPHER_CTX_free(o);
					EVP_CIPHER_CTX_free(r);
				}
				EVP_CIPHER_free(oc);
				EVP_CIPHER_free(rc);
			}
		}
	}
}

TEST_CASE("fallback: a producer unplugged between TLS records: in-place stitched records go on "
	  "in software", "[devshim][fallback][stitched]")
{
	auto ctl = shim();
	REQUIRE(ctl);
	ShimReset reset;
	for (const char *name : { "AES-128-CBC-HMAC-SHA1", "AES-256-CBC-HMAC-SHA256" }) {
		EVP_CIPHER *oc = ocf_cipher(ocf_ctx("always", "1"), name), *rc = ref_cipher(name);
		if (!rc) {
			// The default provider has the stitched ciphers only with AES-NI;
			// the provider then offers none either.
			CHECK_FALSE(oc);
			continue;
		}
		REQUIRE(oc);
		const std::size_t maclen = std::strstr(name, "SHA256") ? 32 : 20;
		// Each error as an operation's status, then the producer unplugged
		// (no producer left: the provider sees -ENODEV and an empty list).
		std::vector<std::pair<const char *, int>> faults;
		for (int err : kUntouched)
			faults.emplace_back("fail_run", err);
		faults.emplace_back("unplugged", ENODEV);
		for (auto [what, err] : faults) {
			INFO(name << ": " << what << " " << std::strerror(err));
			ctl("reset", 0);
			bytes key = rand_bytes(static_cast<std::size_t>(EVP_CIPHER_get_key_length(rc)));
			bytes iv = rand_bytes(16), mackey = rand_bytes(maclen);
			EVP_CIPHER_CTX *oe = stitched_ctx_new(oc, 1, key, iv, mackey, TLS1_2_VERSION);
			EVP_CIPHER_CTX *re = stitched_ctx_new(rc, 1, key, iv, mackey, TLS1_2_VERSION);
			EVP_CIPHER_CTX *od = stitched_ctx_new(oc, 0, key, iv, mackey, TLS1_2_VERSION);
			EVP_CIPHER_CTX *rd = stitched_ctx_new(rc, 0, key, iv, mackey, TLS1_2_VERSION);
			REQUIRE((oe && re && od && rd));
			long long before = ocf_requests();
			for (std::uint64_t seq = 0; seq < 6; seq++) {
				if (seq == 3) {
					CHECK(ocf_requests() > before);	// records 0..2 went through OCF
					ctl(what, err);
				}
				std::size_t plen = 16 + 1000 + rand_below(3000);
				bytes rec = rand_bytes(plen), r1 = rec, r2 = rec;
				std::size_t o1 = 0, o2 = 0;
				INFO("record " << seq);
				CHECK(stitched_record(oe, 1, TLS1_2_VERSION, seq, plen, r1, &o1));
				CHECK(stitched_record(re, 1, TLS1_2_VERSION, seq, plen, r2, &o2));
				CHECK(r1 == r2);
				bytes d1 = r2;
				CHECK(stitched_record(od, 0, TLS1_2_VERSION, seq, 0, d1, &o1));
				CHECK(o1 == plen - 16);
				CHECK(std::memcmp(d1.data() + 16, rec.data() + 16, plen - 16) == 0);
				drain_errors();
			}
			for (EVP_CIPHER_CTX *c : { oe, re, od, rd })
				EVP_CIPHER_CTX_free(c);
		}
		// After the unplug the provider lists the producers again within a
		// second (device.cpp's refresh): let it see the producer back.
		ctl("reset", 0);
		std::this_thread::sleep_for(std::chrono::milliseconds(1100));
		EVP_CIPHER_free(oc);
		EVP_CIPHER_free(rc);
	}
}

TEST_CASE("fallback: an in-place request failed after the data may have been touched is an error",
	  "[devshim][fallback]")
{
	auto ctl = shim();
	REQUIRE(ctl);
	ShimReset reset;
	EVP_CIPHER *oc = ocf_cipher(ocf_ctx("always", "1"), "AES-128-CBC");
	REQUIRE(oc);
	bytes key = rand_bytes(16), iv = rand_bytes(16), buf = rand_bytes(8192);
	EVP_CIPHER_CTX *o = EVP_CIPHER_CTX_new();
	REQUIRE(EVP_EncryptInit_ex2(o, oc, key.data(), iv.data(), nullptr));
	ctl("fail_run", EIO);
	int n = 0;
	CHECK_FALSE(EVP_EncryptUpdate(o, buf.data(), &n, buf.data(), static_cast<int>(buf.size())));
	CHECK(ERR_peek_error() != 0);
	drain_errors();
	EVP_CIPHER_CTX_free(o);
	EVP_CIPHER_free(oc);
}
