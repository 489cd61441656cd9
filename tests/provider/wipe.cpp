// No key, key-derived bytes or plaintext stay behind in memory the provider
// frees: every block given back to free(3) while a test watches is searched
// for them. This executable defines free() (it takes precedence over the C
// library's for every library in the process, libcrypto and libstdc++'s
// operator delete included) and passes each block on to glibc's __libc_free.
// Runs where OCF serves (the provider collects messages for OCF only then):
// under the devshim.
// The legacy HMAC_CTX API is the point of one test (before any OpenSSL header).
#define OPENSSL_SUPPRESS_DEPRECATED
#include "common.hpp"

#include <catch2/catch.hpp>

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/kdf.h>

#include <algorithm>
#include <atomic>
#include <cstring>
#include <malloc.h>
#include <string>
#include <vector>

extern "C" void __libc_free(void *p);

namespace {

constexpr std::size_t kNeedle = 16;
constexpr std::size_t kMaxNeedles = 4;
unsigned char g_needles[kMaxNeedles][kNeedle];
std::atomic<std::size_t> g_count{ 0 };	// needles set; 0: not watching
std::atomic<int> g_found{ 0 };

// Watches free() for @needles while alive.
struct Watch {
	explicit Watch(const std::vector<ptest::bytes> &needles)
	{
		REQUIRE(needles.size() <= kMaxNeedles);
		for (std::size_t i = 0; i < needles.size(); i++) {
			REQUIRE(needles[i].size() >= kNeedle);
			std::memcpy(g_needles[i], needles[i].data(), kNeedle);
		}
		g_found = 0;
		g_count = needles.size();
	}
	~Watch() { g_count = 0; }
	Watch(const Watch &) = delete;
	Watch &operator=(const Watch &) = delete;
};

ptest::bytes xored(const ptest::bytes &key, unsigned char pad)
{
	ptest::bytes b(64, pad);
	for (std::size_t i = 0; i < key.size() && i < b.size(); i++)
		b[i] = static_cast<unsigned char>(key[i] ^ pad);
	return b;
}

} // namespace

extern "C" void free(void *p)
{
	std::size_t n = g_count.load(std::memory_order_relaxed);
	if (p && n) {
		std::size_t size = malloc_usable_size(p);
		for (std::size_t i = 0; i < n; i++)
			if (memmem(p, size, g_needles[i], kNeedle))
				g_found.fetch_add(1);
	}
	__libc_free(p);
}

using namespace ptest;

TEST_CASE("wipe: HMAC keys and key XOR pads never stay in freed memory", "[devshim][wipe]")
{
	OSSL_LIB_CTX *lib = ocf_ctx("always", "1");
	REQUIRE(ocf_serving());	// the provider collects for OCF only when it may use it
	const long long before = ocf_requests();
	for (const char *name : { "SHA1", "SHA256", "SHA512" }) {
		INFO(name);
		EVP_MD *md = ocf_md(lib, name);
		REQUIRE(md);
		bytes key = rand_bytes(32), msg = rand_bytes(3000);
		unsigned char out[64];
		unsigned len = 0;
		{
			const std::vector<bytes> needles{ key, xored(key, 0x36), xored(key, 0x5c) };
			Watch w(needles);
			// The legacy HMAC API: key XOR ipad goes through the digest
			// context as data. Growing messages make its buffer grow.
			for (std::size_t n : { 10, 100, 1000, 3000 }) {
				HMAC_CTX *h = HMAC_CTX_new();
				REQUIRE(HMAC_Init_ex(h, key.data(), static_cast<int>(key.size()), md, nullptr));
				for (std::size_t at = 0; at < n; at += 97)
					REQUIRE(HMAC_Update(h, msg.data() + at, std::min<std::size_t>(97, n - at)));
				REQUIRE(HMAC_Final(h, out, &len));
				HMAC_CTX_free(h);
			}
			// PBKDF2 (OpenSSL's, over our digest: it runs HMAC_CTX on it).
			EVP_KDF *kdf = EVP_KDF_fetch(lib, "PBKDF2", nullptr);
			REQUIRE(kdf);
			EVP_KDF_CTX *kctx = EVP_KDF_CTX_new(kdf);
			unsigned char salt[16] = { 1, 2, 3 }, dk[48];
			unsigned iter = 3;
			int no_check = 1;	// "pkcs5": no SP 800-132 lower bounds (3 iterations)
			OSSL_PARAM kp[] = {
				OSSL_PARAM_construct_octet_string("pass", key.data(), key.size()),
				OSSL_PARAM_construct_octet_string("salt", salt, sizeof(salt)),
				OSSL_PARAM_construct_uint("iter", &iter),
				OSSL_PARAM_construct_utf8_string("digest", const_cast<char *>(name), 0),
				OSSL_PARAM_construct_utf8_string("properties", const_cast<char *>("provider=ocf"), 0),
				OSSL_PARAM_construct_int("pkcs5", &no_check),
				OSSL_PARAM_construct_end(),
			};
			REQUIRE(EVP_KDF_derive(kctx, dk, sizeof(dk), kp));
			EVP_KDF_CTX_free(kctx);
			EVP_KDF_free(kdf);
			CHECK(g_found.load() == 0);
		}
		{
			// EVP_MAC HMAC from the provider: the key and a secret message.
			const std::vector<bytes> needles{ key, xored(key, 0x36), msg };
			Watch w(needles);
			EVP_MAC *mac = ocf_mac(lib);
			REQUIRE(mac);
			for (std::size_t n : { 100, 1000, 3000 }) {
				EVP_MAC_CTX *ctx = EVP_MAC_CTX_new(mac);
				OSSL_PARAM p[] = { OSSL_PARAM_construct_utf8_string("digest",
										    const_cast<char *>(name), 0),
						   OSSL_PARAM_construct_end() };
				std::size_t outl = 0;
				REQUIRE(EVP_MAC_init(ctx, key.data(), key.size(), p));
				// In pieces: the buffer grows.
				for (std::size_t at = 0; at < n; at += 97)
					REQUIRE(EVP_MAC_update(ctx, msg.data() + at, std::min<std::size_t>(97, n - at)));
				REQUIRE(EVP_MAC_final(ctx, out, &outl, sizeof(out)));
				EVP_MAC_CTX *dup = EVP_MAC_CTX_dup(ctx);
				EVP_MAC_CTX_free(dup);
				EVP_MAC_CTX_free(ctx);
			}
			EVP_MAC_free(mac);
			CHECK(g_found.load() == 0);
		}
		EVP_MD_free(md);
	}
	CHECK(ocf_requests() > before);
}

TEST_CASE("wipe: GCM and stitched buffers leave no plaintext or key in freed memory",
	  "[devshim][wipe]")
{
	OSSL_LIB_CTX *lib = ocf_ctx("always", "1");
	REQUIRE(ocf_serving());
	EVP_CIPHER *c = ocf_cipher(lib, "AES-256-GCM");
	REQUIRE(c);
	bytes key = rand_bytes(32), iv = rand_bytes(12), pt = rand_bytes(20000), aad = rand_bytes(64);
	const long long before = ocf_requests();
	{
		const std::vector<bytes> needles{ key, pt, aad };
		Watch w(needles);
		for (std::size_t n : { 100, 1000, 5000, 20000 }) {
			for (int enc : { 1, 0 }) {
				EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
				bytes out(n + 16);
				int o = 0;
				REQUIRE(EVP_CipherInit_ex2(ctx, c, key.data(), iv.data(), enc, nullptr));
				if (!enc)
					EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_TAG, 16, out.data());
				REQUIRE(EVP_CipherUpdate(ctx, nullptr, &o, aad.data(), static_cast<int>(aad.size())));
				// Decrypting "pt" as if it were ciphertext leaves it in the
				// request buffer as input: it must be wiped too.
				REQUIRE(EVP_CipherUpdate(ctx, out.data(), &o, pt.data(), static_cast<int>(n)));
				EVP_CIPHER_CTX *dup = EVP_CIPHER_CTX_new();
				EVP_CIPHER_CTX_copy(dup, ctx);
				EVP_CIPHER_CTX_free(dup);
				EVP_CIPHER_CTX_free(ctx);
			}
		}
		CHECK(g_found.load() == 0);
	}
	CHECK(ocf_requests() > before);
	EVP_CIPHER_free(c);
}
