// Failures reach OpenSSL's error queue with a reason a person can read,
// whether OCF or the default implementation did the work.
#include "common.hpp"

#include <catch2/catch.hpp>

#include <openssl/err.h>

#include <cstdio>
#include <cstring>
#include <vector>
#include <string>

using namespace ptest;

namespace {

// The reason strings of the errors on the queue (and clears it).
std::string reasons()
{
	std::string s;
	unsigned long e;
	while ((e = ERR_get_error()) != 0) {
		const char *r = ERR_reason_error_string(e);
		s += r ? r : "(no reason string)";
		s += "; ";
	}
	return s;
}

} // namespace

TEST_CASE("errors: a bad CBC padding is \"bad decrypt\"", "[errors]")
{
	for (std::string mode : { "always", "never" }) {
		EVP_CIPHER *c = ocf_cipher(ocf_ctx(mode, "1"), "AES-128-CBC");
		REQUIRE(c);
		bytes key = rand_bytes(16), iv = rand_bytes(16), plain = rand_bytes(64), pt(80);
		// The last byte 0 is never valid padding: encrypt it unpadded.
		plain.back() = 0;
		bytes ct(64);
		int a = 0, b = 0;
		EVP_CIPHER *rc = ref_cipher("AES-128-CBC");
		EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
		REQUIRE(EVP_EncryptInit_ex2(ctx, rc, key.data(), iv.data(), nullptr));
		EVP_CIPHER_CTX_set_padding(ctx, 0);
		REQUIRE(EVP_EncryptUpdate(ctx, ct.data(), &a, plain.data(), 64));
		REQUIRE(a == 64);
		EVP_CIPHER_CTX_free(ctx);
		ctx = EVP_CIPHER_CTX_new();	// with padding, as it starts
		REQUIRE(EVP_DecryptInit_ex2(ctx, c, key.data(), iv.data(), nullptr));
		REQUIRE(EVP_DecryptUpdate(ctx, pt.data(), &a, ct.data(), 64));
		CHECK_FALSE(EVP_DecryptFinal_ex(ctx, pt.data() + a, &b));
		std::string r = reasons();
		INFO("mode " << mode << ": " << r);
		CHECK(r.find("bad decrypt") != std::string::npos);
		EVP_CIPHER_CTX_free(ctx);
		EVP_CIPHER_free(rc);
		EVP_CIPHER_free(c);
	}
}

TEST_CASE("errors: long parameter lists are taken as the default provider takes them",
	  "[errors]")
{
	for (const char *name : { "AES-128-CBC", "AES-128-GCM", "AES-128-CBC-HMAC-SHA1" }) {
		EVP_CIPHER *oc = ocf_cipher(ocf_ctx("always", "1"), name), *rc = ref_cipher(name);
		if (!rc) {	// the stitched ciphers need AES-NI; then neither has them
			CHECK_FALSE(oc);
			ERR_clear_error();
			continue;
		}
		REQUIRE(oc);
		bytes key = rand_bytes(16), iv = rand_bytes(16);
		// 40 entries: the padding (which a managed CBC context answers
		// itself) and names no provider knows (ignored).
		unsigned pad = 1;
		std::vector<OSSL_PARAM> params;
		static char names[40][16];
		for (int i = 0; i < 40; i++) {
			std::snprintf(names[i], sizeof(names[i]), "x-unknown-%d", i);
			params.push_back(i % 8 == 0 ? OSSL_PARAM_construct_uint("padding", &pad) :
						      OSSL_PARAM_construct_uint(names[i], &pad));
		}
		params.push_back(OSSL_PARAM_construct_end());
		int got[2];
		EVP_CIPHER *cs[2] = { oc, rc };
		for (int k = 0; k < 2; k++) {
			EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
			REQUIRE(EVP_EncryptInit_ex2(ctx, cs[k], key.data(), iv.data(), nullptr));
			got[k] = EVP_CIPHER_CTX_set_params(ctx, params.data());
			OSSL_PARAM gp[41];
			unsigned v[40];
			for (int i = 0; i < 40; i++)
				gp[i] = OSSL_PARAM_construct_uint(i % 8 == 0 ? "padding" : names[i], &v[i]);
			gp[40] = OSSL_PARAM_construct_end();
			EVP_CIPHER_CTX_get_params(ctx, gp);
			EVP_CIPHER_CTX_free(ctx);
		}
		std::string r = reasons();
		INFO(name << ": ocf " << got[0] << ", default " << got[1] << "; " << r);
		CHECK(got[0] == got[1]);
		if (!got[0])
			CHECK(!r.empty());
		EVP_CIPHER_free(oc);
		EVP_CIPHER_free(rc);
	}
}

TEST_CASE("errors: a partial final block without padding is reported", "[errors]")
{
	for (std::string mode : { "always", "never" }) {
		EVP_CIPHER *c = ocf_cipher(ocf_ctx(mode), "AES-256-CBC");
		bytes key = rand_bytes(32), iv = rand_bytes(16), pt = rand_bytes(40), ct(64);
		EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
		int a = 0, b = 0;
		REQUIRE(EVP_EncryptInit_ex2(ctx, c, key.data(), iv.data(), nullptr));
		EVP_CIPHER_CTX_set_padding(ctx, 0);
		REQUIRE(EVP_EncryptUpdate(ctx, ct.data(), &a, pt.data(), 40));
		CHECK_FALSE(EVP_EncryptFinal_ex(ctx, ct.data() + a, &b));
		std::string r = reasons();
		INFO("mode " << mode << ": " << r);
		CHECK(r.find("wrong final block length") != std::string::npos);
		EVP_CIPHER_CTX_free(ctx);
		EVP_CIPHER_free(c);
	}
}

TEST_CASE("errors: a forged GCM tag fails at final with an error", "[errors]")
{
	for (std::string mode : { "always", "never" }) {
		EVP_CIPHER *c = ocf_cipher(ocf_ctx(mode), "AES-128-GCM");
		bytes key = rand_bytes(16), iv = rand_bytes(12), ct = rand_bytes(5000), tag = rand_bytes(16);
		bytes pt(ct.size());
		EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
		int a = 0, b = 0;
		REQUIRE(EVP_DecryptInit_ex2(ctx, c, key.data(), iv.data(), nullptr));
		REQUIRE(EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_TAG, 16, tag.data()));
		REQUIRE(EVP_DecryptUpdate(ctx, pt.data(), &a, ct.data(), static_cast<int>(ct.size())));
		// (No reason on the queue: the default provider raises none for a
		// bad tag either.)
		CHECK_FALSE(EVP_DecryptFinal_ex(ctx, pt.data() + a, &b));
		EVP_CIPHER_CTX_free(ctx);
		EVP_CIPHER_free(c);
		ERR_clear_error();
	}
}

TEST_CASE("errors: a key of the wrong length is refused with a reason", "[errors]")
{
	EVP_CIPHER *c = ocf_cipher(ocf_ctx("always"), "AES-128-CBC");
	bytes key = rand_bytes(16), iv = rand_bytes(16);
	EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
	REQUIRE(EVP_EncryptInit_ex2(ctx, c, nullptr, nullptr, nullptr));
	CHECK_FALSE(EVP_CIPHER_CTX_set_key_length(ctx, 17));
	std::string r = reasons();
	INFO(r);
	CHECK(!r.empty());
	EVP_CIPHER_CTX_free(ctx);
	EVP_CIPHER_free(c);
}

TEST_CASE("errors: the provider's reason strings are registered", "[errors]")
{
	// The stitched cipher's record MAC check, through OCF where there is
	// one, says what went wrong.
	EVP_CIPHER *c = ocf_cipher(ocf_ctx("always"), "AES-128-CBC-HMAC-SHA1");
	if (!c) {
		// Only where the default provider has none either (no AES-NI).
		EVP_CIPHER *rc = ref_cipher("AES-128-CBC-HMAC-SHA1");
		CHECK_FALSE(rc);
		EVP_CIPHER_free(rc);
		ERR_clear_error();
		return;
	}
	bytes key = rand_bytes(16), iv = rand_bytes(16), mackey = rand_bytes(20);
	EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
	REQUIRE(EVP_DecryptInit_ex2(ctx, c, key.data(), iv.data(), nullptr));
	REQUIRE(EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_MAC_KEY, 20, mackey.data()) > 0);
	unsigned char aad[13] = { 0, 0, 0, 0, 0, 0, 0, 1, 23, 3, 3, 0x10, 0 };
	REQUIRE(EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_TLS1_AAD, 13, aad) > 0);
	bytes rec = rand_bytes(4096);
	int o = 0;
	CHECK_FALSE(EVP_CipherUpdate(ctx, rec.data(), &o, rec.data(), static_cast<int>(rec.size())));
	std::string r = reasons();
	INFO(r);
	if (ocf_serving())
		CHECK(r.find("bad record MAC or padding") != std::string::npos);
	else
		CHECK(!r.empty());
	EVP_CIPHER_CTX_free(ctx);
	EVP_CIPHER_free(c);
}
