// RSA and finite-field DH through the provider, against OpenSSL's default
// provider: signatures (PKCS#1 v1.5 with every digest the default offers,
// PSS with salt lengths and MGF1 digests), encryption (PKCS#1 v1.5, OAEP),
// malformed ciphertexts (Bleichenbacher/Manger style) rejected exactly as
// the default rejects them, DH shared secrets; in mode always each one
// checked by the other side, and OCF's key-operation counter showing that
// OCF did the work whenever a producer offers the operation.
#include "common.hpp"

#include <ocf/ocf.h>

#include <linux/ocf.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/pem.h>
#include <openssl/provider.h>
#include <openssl/rsa.h>

#include <catch2/catch.hpp>

#include <cstring>
#include <dlfcn.h>
#include <memory>
#include <set>
#include <string>
#include <vector>

using namespace ptest;

namespace {

struct PkeyDeleter {
	void operator()(EVP_PKEY *k) const { EVP_PKEY_free(k); }
};
using Pkey = std::unique_ptr<EVP_PKEY, PkeyDeleter>;

struct PctxDeleter {
	void operator()(EVP_PKEY_CTX *c) const { EVP_PKEY_CTX_free(c); }
};
using Pctx = std::unique_ptr<EVP_PKEY_CTX, PctxDeleter>;

struct MdctxDeleter {
	void operator()(EVP_MD_CTX *c) const { EVP_MD_CTX_free(c); }
};
using Mdctx = std::unique_ptr<EVP_MD_CTX, MdctxDeleter>;

const char *props(OSSL_LIB_CTX *ctx)
{
	return ctx == ref_ctx() ? nullptr : fetch_properties(ctx);
}

// A test key (tests/provider/data/rsaBITS.pem) as the default provider
// loads it (its decoder, its key management: as nginx's key is, even with
// ocf.cnf, since OpenSSL keeps a decoded key in the decoder's provider's
// key management; signing with ours then exports it to ours). In a context
// of the provider: that key imported into our key management.
Pkey load_rsa(OSSL_LIB_CTX *ctx, int bits)
{
	std::string path = std::string(OCF_PROVIDER_TEST_DATA) + "/rsa" + std::to_string(bits) + ".pem";
	BIO *bio = BIO_new_file(path.c_str(), "r");
	REQUIRE(bio);
	EVP_PKEY *k = PEM_read_bio_PrivateKey_ex(bio, nullptr, nullptr, nullptr, ref_ctx(), nullptr);
	BIO_free(bio);
	INFO(drain_errors());
	REQUIRE(k);
	Pkey ref(k);
	if (ctx == ref_ctx())
		return ref;
	OSSL_PARAM *params = nullptr;
	REQUIRE(EVP_PKEY_todata(ref.get(), EVP_PKEY_KEYPAIR, &params) == 1);
	Pctx p(EVP_PKEY_CTX_new_from_name(ctx, "RSA", "provider=ocf"));
	REQUIRE(p);
	REQUIRE(EVP_PKEY_fromdata_init(p.get()) == 1);
	EVP_PKEY *ours = nullptr;
	REQUIRE(EVP_PKEY_fromdata(p.get(), &ours, EVP_PKEY_KEYPAIR, params) == 1);
	OSSL_PARAM_free(params);
	return Pkey(ours);
}

bool is_ocf(EVP_PKEY_CTX *pctx)
{
	const OSSL_PROVIDER *p = EVP_PKEY_CTX_get0_provider(pctx);
	return p && std::string(OSSL_PROVIDER_get0_name(p)) == "ocf";
}

struct SigOpts {
	const char *md = "SHA256";
	int pad = RSA_PKCS1_PADDING;
	int saltlen = RSA_PSS_SALTLEN_DIGEST;
	const char *mgf1 = nullptr;
};

bool setup_sig(EVP_PKEY_CTX *pctx, const SigOpts &o)
{
	if (EVP_PKEY_CTX_set_rsa_padding(pctx, o.pad) <= 0)
		return false;
	if (o.pad == RSA_PKCS1_PSS_PADDING) {
		if (EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, o.saltlen) <= 0)
			return false;
		if (o.mgf1 && EVP_PKEY_CTX_set_rsa_mgf1_md_name(pctx, o.mgf1, nullptr) <= 0)
			return false;
	}
	return true;
}

// Digest-signs @msg in @ctx; *by_ocf tells whether the provider "ocf" did.
bool sign(OSSL_LIB_CTX *ctx, EVP_PKEY *key, const SigOpts &o, const bytes &msg, bytes &sig,
	  bool *by_ocf = nullptr)
{
	Mdctx m(EVP_MD_CTX_new());
	EVP_PKEY_CTX *pctx = nullptr;
	if (EVP_DigestSignInit_ex(m.get(), &pctx, o.md, ctx, props(ctx), key, nullptr) <= 0 ||
	    !setup_sig(pctx, o))
		return false;
	if (by_ocf)
		*by_ocf = is_ocf(pctx);
	std::size_t len = 0;
	if (EVP_DigestSign(m.get(), nullptr, &len, msg.data(), msg.size()) <= 0)
		return false;
	sig.assign(len, 0);
	if (EVP_DigestSign(m.get(), sig.data(), &len, msg.data(), msg.size()) <= 0)
		return false;
	sig.resize(len);
	return true;
}

bool verify(OSSL_LIB_CTX *ctx, EVP_PKEY *key, const SigOpts &o, const bytes &msg,
	    const bytes &sig, bool *by_ocf = nullptr)
{
	Mdctx m(EVP_MD_CTX_new());
	EVP_PKEY_CTX *pctx = nullptr;
	if (EVP_DigestVerifyInit_ex(m.get(), &pctx, o.md, ctx, props(ctx), key, nullptr) <= 0 ||
	    !setup_sig(pctx, o))
		return false;
	if (by_ocf)
		*by_ocf = is_ocf(pctx);
	return EVP_DigestVerify(m.get(), sig.data(), sig.size(), msg.data(), msg.size()) == 1;
}

// The digests the default provider offers.
std::vector<std::string> default_digests()
{
	std::vector<std::string> names;
	EVP_MD_do_all_provided(
		ref_ctx(),
		[](EVP_MD *md, void *arg) {
			static_cast<std::vector<std::string> *>(arg)->push_back(EVP_MD_get0_name(md));
		},
		&names);
	return names;
}

// Whether OCF must have done the work of mode always here: a producer
// offers @kop (OCF_KOP_x).
bool ocf_must_serve(unsigned kop)
{
	return ocf_serving() && ((producer_kops(false) >> kop) & 1);
}

struct KopCounter {
	long long start = ocf_kop_requests();
	long long grown() const { return start < 0 ? -1 : ocf_kop_requests() - start; }
};

} // namespace

TEST_CASE("RSA signatures: every digest, PKCS#1 v1.5 and PSS, against the default provider",
	  "[pkey][rsa][sign]")
{
	OSSL_LIB_CTX *always = ocf_ctx("always");
	const bool must = ocf_must_serve(OCF_KOP_MODEXP_CRT);
	for (int bits : { 1024, 2048, 3072, 4096 }) {
		Pkey ref_key = load_rsa(ref_ctx(), bits);
		Pkey ocf_key = load_rsa(always, bits);
		std::vector<std::string> mds = bits == 2048 ? default_digests() :
				std::vector<std::string>{ "SHA256", "SHA512" };
		for (const std::string &md : mds) {
			for (int pad : { RSA_PKCS1_PADDING, RSA_PKCS1_PSS_PADDING }) {
				SigOpts o;
				o.md = md.c_str();
				o.pad = pad;
				INFO("RSA-" << bits << " " << md << (pad == RSA_PKCS1_PADDING ? " PKCS#1" : " PSS"));
				bytes msg = rand_bytes(rand_below(300));
				bytes s_ref, s_ocf;
				bool ref_ok = sign(ref_ctx(), ref_key.get(), o, msg, s_ref);
				drain_errors();
				bool by_ocf = false;
				KopCounter kc;
				// The default provider's key, moved to ours by OpenSSL
				// (as nginx's certificate key is).
				bool ocf_ok = sign(always, ref_key.get(), o, msg, s_ocf, &by_ocf);
				INFO(drain_errors());
				REQUIRE(ocf_ok == ref_ok);
				if (!ref_ok)
					continue;	// a digest RSA does not take (SHAKE, ...)
				CHECK(by_ocf);
				// PKCS#1 v1.5 with a digest outside RFC 8017's list
				// (SM3 on OpenSSL 3.5) is the default's.
				const bool rfc8017 = md.rfind("SHA", 0) == 0 || md == "MD5" ||
						     md.rfind("RIPEMD", 0) == 0 || md == "MD5-SHA1";
				if (must && (pad == RSA_PKCS1_PSS_PADDING || rfc8017))
					CHECK(kc.grown() >= 1);
				if (pad == RSA_PKCS1_PADDING)
					CHECK(hex(s_ocf) == hex(s_ref));	// deterministic
				CHECK(verify(ref_ctx(), ref_key.get(), o, msg, s_ocf));
				CHECK(verify(always, ocf_key.get(), o, msg, s_ref));
				CHECK(verify(always, ref_key.get(), o, msg, s_ocf));
				// Our own key (loaded through our key management).
				bytes s2;
				REQUIRE(sign(always, ocf_key.get(), o, msg, s2));
				CHECK(verify(ref_ctx(), ref_key.get(), o, msg, s2));
				// A flipped bit anywhere: refused by both.
				bytes bad = s_ref;
				bad[rand_below(bad.size())] ^= static_cast<unsigned char>(1u << rand_below(8));
				CHECK_FALSE(verify(always, ocf_key.get(), o, msg, bad));
				CHECK_FALSE(verify(ref_ctx(), ref_key.get(), o, msg, bad));
				bytes msg2 = msg;
				msg2.push_back(1);
				CHECK_FALSE(verify(always, ocf_key.get(), o, msg2, s_ref));
				drain_errors();
			}
		}
	}
}

TEST_CASE("RSA-PSS salt lengths and MGF1 digests, both ways", "[pkey][rsa][pss]")
{
	OSSL_LIB_CTX *always = ocf_ctx("always");
	Pkey ref_key = load_rsa(ref_ctx(), 2048);
	Pkey ocf_key = load_rsa(always, 2048);
	struct Case {
		const char *md, *mgf1;
		int sign_salt, verify_salt;
	};
	const Case cases[] = {
		{ "SHA256", nullptr, RSA_PSS_SALTLEN_DIGEST, RSA_PSS_SALTLEN_DIGEST },
		{ "SHA256", nullptr, RSA_PSS_SALTLEN_MAX, RSA_PSS_SALTLEN_AUTO },
		{ "SHA256", nullptr, RSA_PSS_SALTLEN_MAX_SIGN, RSA_PSS_SALTLEN_AUTO },
		{ "SHA384", "SHA1", 0, 0 },
		{ "SHA512", "SHA256", 20, 20 },
		{ "SHA1", "SHA512", 7, RSA_PSS_SALTLEN_AUTO },
		// Mismatches: refused by both.
		{ "SHA256", nullptr, 20, 32 },
		{ "SHA256", nullptr, 0, RSA_PSS_SALTLEN_DIGEST },
	};
	for (const Case &c : cases) {
		INFO(c.md << " mgf1 " << (c.mgf1 ? c.mgf1 : "=") << " salt " << c.sign_salt << "/"
			  << c.verify_salt);
		SigOpts s{ c.md, RSA_PKCS1_PSS_PADDING, c.sign_salt, c.mgf1 };
		SigOpts v{ c.md, RSA_PKCS1_PSS_PADDING, c.verify_salt, c.mgf1 };
		bytes msg = rand_bytes(100), s_ref, s_ocf;
		REQUIRE(sign(ref_ctx(), ref_key.get(), s, msg, s_ref));
		REQUIRE(sign(always, ocf_key.get(), s, msg, s_ocf));
		bool want = verify(ref_ctx(), ref_key.get(), v, msg, s_ref);
		CHECK(verify(ref_ctx(), ref_key.get(), v, msg, s_ocf) == want);
		CHECK(verify(always, ocf_key.get(), v, msg, s_ref) == want);
		CHECK(verify(always, ocf_key.get(), v, msg, s_ocf) == want);
		drain_errors();
	}
}

TEST_CASE("RSA signatures of a digest (EVP_PKEY_sign), with and without a digest set",
	  "[pkey][rsa][sign]")
{
	OSSL_LIB_CTX *always = ocf_ctx("always");
	Pkey key = load_rsa(ref_ctx(), 2048);
	for (const char *md : { "SHA256", "SHA1", static_cast<const char *>(nullptr) }) {
		for (std::size_t len : { 20u, 32u, 36u, 200u, 245u, 246u }) {
			INFO((md ? md : "no digest") << ", " << len << " bytes");
			bytes tbs = rand_bytes(len);
			bytes out[2];
			int ret[2];
			OSSL_LIB_CTX *ctxs[2] = { ref_ctx(), always };
			for (int i = 0; i < 2; i++) {
				Pctx p(EVP_PKEY_CTX_new_from_pkey(ctxs[i], key.get(), props(ctxs[i])));
				REQUIRE(p);
				REQUIRE(EVP_PKEY_sign_init(p.get()) == 1);
				REQUIRE(EVP_PKEY_CTX_set_rsa_padding(p.get(), RSA_PKCS1_PADDING) == 1);
				if (md)
					REQUIRE(EVP_PKEY_CTX_set_signature_md(
							p.get(), EVP_get_digestbyname(md)) == 1);
				std::size_t n = 512;
				out[i].assign(n, 0);
				ret[i] = EVP_PKEY_sign(p.get(), out[i].data(), &n, tbs.data(), tbs.size()) == 1;
				out[i].resize(ret[i] ? n : 0);
				drain_errors();
			}
			CHECK(ret[1] == ret[0]);
			CHECK(hex(out[1]) == hex(out[0]));
		}
	}
}

namespace {

struct EncOpts {
	int pad = RSA_PKCS1_PADDING;
	const char *md = nullptr;	// OAEP
	const char *mgf1 = nullptr;
	bytes label;
	int implicit_rejection = -1;	// PKCS#1 v1.5 decryption, OpenSSL 3.2+; -1: as is
};

// OpenSSL 3.2 on answers a malformed PKCS#1 v1.5 padding with a synthetic
// message unless the context turns that off; the default provider alone
// makes those, so through ours such decryptions are the default's.
bool implicit_rejection_on(const EncOpts &o)
{
	return o.pad == RSA_PKCS1_PADDING && o.implicit_rejection != 0 &&
	       OpenSSL_version_num() >= 0x30200000L;
}

Pctx cipher_ctx(OSSL_LIB_CTX *ctx, EVP_PKEY *key, const EncOpts &o, bool enc)
{
	Pctx p(EVP_PKEY_CTX_new_from_pkey(ctx, key, props(ctx)));
	REQUIRE(p);
	REQUIRE((enc ? EVP_PKEY_encrypt_init(p.get()) : EVP_PKEY_decrypt_init(p.get())) == 1);
	REQUIRE(EVP_PKEY_CTX_set_rsa_padding(p.get(), o.pad) == 1);
	if (o.pad == RSA_PKCS1_OAEP_PADDING) {
		if (o.md)
			REQUIRE(EVP_PKEY_CTX_set_rsa_oaep_md_name(p.get(), o.md, nullptr) == 1);
		if (o.mgf1)
			REQUIRE(EVP_PKEY_CTX_set_rsa_mgf1_md_name(p.get(), o.mgf1, nullptr) == 1);
		if (!o.label.empty()) {
			auto *l = static_cast<unsigned char *>(OPENSSL_memdup(o.label.data(), o.label.size()));
			REQUIRE(EVP_PKEY_CTX_set0_rsa_oaep_label(p.get(), l, static_cast<int>(o.label.size())) == 1);
		}
	}
	if (o.implicit_rejection >= 0) {
		// Its name in 3.2+; OpenSSL 3.0 ignores it.
		unsigned int on = static_cast<unsigned int>(o.implicit_rejection);
		OSSL_PARAM params[] = { OSSL_PARAM_construct_uint("implicit-rejection", &on),
					OSSL_PARAM_construct_end() };
		REQUIRE(EVP_PKEY_CTX_set_params(p.get(), params) == 1);
	}
	return p;
}

int encrypt(OSSL_LIB_CTX *ctx, EVP_PKEY *key, const EncOpts &o, const bytes &in, bytes &out,
	    bool *by_ocf = nullptr)
{
	Pctx p = cipher_ctx(ctx, key, o, true);
	if (by_ocf)
		*by_ocf = is_ocf(p.get());
	std::size_t n = 0;
	if (EVP_PKEY_encrypt(p.get(), nullptr, &n, in.data(), in.size()) != 1)
		return 0;
	out.assign(n, 0);
	int r = EVP_PKEY_encrypt(p.get(), out.data(), &n, in.data(), in.size()) == 1;
	out.resize(r ? n : 0);
	return r;
}

int decrypt(OSSL_LIB_CTX *ctx, EVP_PKEY *key, const EncOpts &o, const bytes &in, bytes &out,
	    bool *by_ocf = nullptr)
{
	Pctx p = cipher_ctx(ctx, key, o, false);
	if (by_ocf)
		*by_ocf = is_ocf(p.get());
	std::size_t n = 0;
	if (EVP_PKEY_decrypt(p.get(), nullptr, &n, in.data(), in.size()) != 1)
		return 0;
	out.assign(n, 0xa5);
	int r = EVP_PKEY_decrypt(p.get(), out.data(), &n, in.data(), in.size()) == 1;
	out.resize(r ? n : 0);
	return r;
}

// c = em^e mod n, by the default provider (no padding): a ciphertext whose
// padding is whatever @em holds.
bytes raw_encrypt(EVP_PKEY *key, const bytes &em)
{
	EncOpts o;
	o.pad = RSA_NO_PADDING;
	bytes c;
	REQUIRE(encrypt(ref_ctx(), key, o, em, c) == 1);
	return c;
}

} // namespace

TEST_CASE("RSA encryption: PKCS#1 v1.5 and OAEP, both ways", "[pkey][rsa][enc]")
{
	OSSL_LIB_CTX *always = ocf_ctx("always");
	const bool must_pub = ocf_must_serve(OCF_KOP_MODEXP);
	const bool must_priv = ocf_must_serve(OCF_KOP_MODEXP_CRT);
	std::vector<EncOpts> opts(6);
	opts[1].pad = opts[2].pad = opts[3].pad = opts[4].pad = RSA_PKCS1_OAEP_PADDING;
	opts[5].implicit_rejection = 0;
	opts[2].md = "SHA256";
	opts[2].label = { 'l', 'a', 'b', 'e', 'l' };
	opts[3].md = "SHA512";
	opts[3].mgf1 = "SHA1";
	opts[4].md = "SHA384";
	opts[4].mgf1 = "SHA256";
	opts[4].label = rand_bytes(40);
	for (int bits : { 1024, 2048, 3072, 4096 }) {
		Pkey ref_key = load_rsa(ref_ctx(), bits);
		Pkey ocf_key = load_rsa(always, bits);
		for (const EncOpts &o : opts) {
			std::size_t hlen = o.pad == RSA_PKCS1_PADDING ? 0 :
					   static_cast<std::size_t>(EVP_MD_get_size(
						   EVP_get_digestbyname(o.md ? o.md : "SHA1")));
			std::size_t over = o.pad == RSA_PKCS1_PADDING ? 11 : 2 * hlen + 2;
			if (over > static_cast<std::size_t>(bits / 8))
				continue;	// OAEP-SHA512 on RSA-1024
			std::size_t max = static_cast<std::size_t>(bits / 8) - over;
			for (std::size_t len : { std::size_t{ 0 }, rand_below(max), max, max + 1 }) {
				INFO("RSA-" << bits << " pad " << o.pad << " " << (o.md ? o.md : "")
					    << " len " << len);
				bytes msg = rand_bytes(len), c_ocf, c_ref, p1, p2;
				int want = encrypt(ref_ctx(), ref_key.get(), o, msg, c_ref);
				drain_errors();
				bool by_ocf = false;
				KopCounter kc;
				REQUIRE(encrypt(always, ref_key.get(), o, msg, c_ocf, &by_ocf) == want);
				drain_errors();
				if (!want)
					continue;	// too long: refused by both
				CHECK(by_ocf);
				if (must_pub)
					CHECK(kc.grown() >= 1);
				CHECK(c_ocf.size() == c_ref.size());
				CHECK(decrypt(ref_ctx(), ref_key.get(), o, c_ocf, p1) == 1);
				CHECK(hex(p1) == hex(msg));
				KopCounter kd;
				CHECK(decrypt(always, ocf_key.get(), o, c_ref, p2, &by_ocf) == 1);
				CHECK(by_ocf);
				if (must_priv && !implicit_rejection_on(o))
					CHECK(kd.grown() >= 1);
				CHECK(hex(p2) == hex(msg));
				drain_errors();
			}
		}
	}
}

TEST_CASE("RSA decryption: malformed PKCS#1 v1.5 and OAEP paddings rejected as the default does",
	  "[pkey][rsa][enc][bleichenbacher]")
{
	// A malformed PKCS#1 v1.5 padding is an error in OpenSSL 3.0, and from
	// 3.2 on where implicit rejection is off (p1_off; ours is then OCF's);
	// with it on (p1 on 3.2+), both answer the default's synthetic message.
	OSSL_LIB_CTX *always = ocf_ctx("always");
	for (int bits : { 1024, 2048 }) {
		Pkey key = load_rsa(ref_ctx(), bits);
		Pkey ocf_key = load_rsa(always, bits);
		const std::size_t num = static_cast<std::size_t>(bits / 8);
		// PKCS#1 v1.5: 00 02 PS(>= 8 nonzero) 00 M.
		auto pkcs1 = [&](std::size_t mlen) {
			bytes em = rand_bytes(num);
			for (auto &b : em)
				b = b ? b : 1;
			em[0] = 0;
			em[1] = 2;
			em[num - mlen - 1] = 0;
			return em;
		};
		std::vector<std::pair<std::string, bytes>> cases;
		cases.push_back({ "valid", pkcs1(16) });
		cases.push_back({ "valid, empty message", pkcs1(0) });
		cases.push_back({ "valid, longest message", pkcs1(num - 11) });
		{
			bytes e = pkcs1(16);
			e[0] = 1;
			cases.push_back({ "first byte 01", e });
		}
		for (int t : { 0, 1, 3, 0xff }) {
			bytes e = pkcs1(16);
			e[1] = static_cast<unsigned char>(t);
			cases.push_back({ "block type " + std::to_string(t), e });
		}
		{
			bytes e = pkcs1(16);
			e[num - 17] = 0x5a;
			cases.push_back({ "no zero separator", e });
		}
		for (std::size_t at : { 2u, 5u, 9u }) {
			bytes e = pkcs1(16);
			e[at] = 0;
			cases.push_back({ "zero in the first 8 padding bytes at " + std::to_string(at), e });
		}
		{
			bytes e = pkcs1(16);
			e[10] = 0;	// exactly 8 padding bytes: valid
			cases.push_back({ "separator after exactly 8 bytes", e });
		}
		{
			bytes e(num, 0);
			cases.push_back({ "all zero", e });
		}
		for (int i = 0; i < 8; i++) {
			bytes e = rand_bytes(num);
			e[0] = 0;
			if (i < 4)
				e[1] = 2;
			cases.push_back({ "random " + std::to_string(i), e });
		}
		EncOpts p1, p1_off;
		p1_off.implicit_rejection = 0;
		EncOpts oaep;
		oaep.pad = RSA_PKCS1_OAEP_PADDING;
		oaep.md = "SHA256";
		for (const auto &[name, em] : cases) {
			INFO("RSA-" << bits << " PKCS#1 v1.5: " << name);
			bytes c = raw_encrypt(key.get(), em), want, got;
			int rw, rg;
			for (const EncOpts *o : { &p1, &p1_off }) {
				INFO("implicit rejection " << o->implicit_rejection);
				rw = decrypt(ref_ctx(), key.get(), *o, c, want);
				drain_errors();
				rg = decrypt(always, ocf_key.get(), *o, c, got);
				drain_errors();
				CHECK(rg == rw);
				CHECK(hex(got) == hex(want));
			}
			// The same encodings as OAEP: none is a valid OAEP padding.
			rw = decrypt(ref_ctx(), key.get(), oaep, c, want);
			drain_errors();
			rg = decrypt(always, ocf_key.get(), oaep, c, got);
			drain_errors();
			CHECK(rg == rw);
			CHECK(rg == 0);
		}
		// OAEP: a valid one, then each part of it damaged; a wrong label.
		EncOpts lab = oaep;
		lab.label = { 1, 2, 3 };
		bytes msg = rand_bytes(32), c;
		REQUIRE(encrypt(ref_ctx(), key.get(), lab, msg, c) == 1);
		bytes em;
		{
			// Recover EM (the default provider, no padding) to damage it.
			EncOpts none;
			none.pad = RSA_NO_PADDING;
			REQUIRE(decrypt(ref_ctx(), key.get(), none, c, em) == 1);
			REQUIRE(em.size() == num);
		}
		std::vector<std::pair<std::string, bytes>> oaep_cases;
		oaep_cases.push_back({ "valid", em });
		for (std::size_t at : { std::size_t{ 0 }, std::size_t{ 1 }, std::size_t{ 20 }, std::size_t{ 33 },
					std::size_t{ 40 }, num / 2, num - 33, num - 1 }) {
			bytes e = em;
			e[at] ^= 0x01;
			oaep_cases.push_back({ "byte " + std::to_string(at) + " flipped", e });
		}
		for (const auto &[name, e] : oaep_cases) {
			INFO("RSA-" << bits << " OAEP: " << name);
			bytes cc = raw_encrypt(key.get(), e), want, got;
			for (const EncOpts *o : { &lab, &oaep }) {
				int rw = decrypt(ref_ctx(), key.get(), *o, cc, want);
				drain_errors();
				int rg = decrypt(always, ocf_key.get(), *o, cc, got);
				drain_errors();
				CHECK(rg == rw);
				CHECK(hex(got) == hex(want));
			}
		}
		// Ciphertexts that are no number below n, or of the wrong length.
		for (const bytes &bad : { bytes(num, 0xff), bytes(num - 1, 0x11), bytes(num + 1, 0x01) }) {
			INFO("RSA-" << bits << " ciphertext of " << bad.size() << " bytes " << hex(bad).substr(0, 4));
			bytes want, got;
			for (const EncOpts *o : { &p1, &p1_off, &oaep }) {
				int rw = decrypt(ref_ctx(), key.get(), *o, bad, want);
				drain_errors();
				int rg = decrypt(always, ocf_key.get(), *o, bad, got);
				drain_errors();
				CHECK(rg == rw);
				CHECK(hex(got) == hex(want));
			}
		}
	}
}

namespace {

Pkey dh_key(const char *group)
{
	Pctx p(EVP_PKEY_CTX_new_from_name(ref_ctx(), "DH", nullptr));
	REQUIRE(p);
	REQUIRE(EVP_PKEY_keygen_init(p.get()) == 1);
	OSSL_PARAM params[] = { OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME,
								 const_cast<char *>(group), 0),
				OSSL_PARAM_construct_end() };
	REQUIRE(EVP_PKEY_CTX_set_params(p.get(), params) == 1);
	EVP_PKEY *k = nullptr;
	REQUIRE(EVP_PKEY_generate(p.get(), &k) == 1);
	return Pkey(k);
}

// A public key of @group with the value @pub (no check).
Pkey dh_pub(const char *group, const BIGNUM *pub)
{
	OSSL_PARAM_BLD *b = OSSL_PARAM_BLD_new();
	OSSL_PARAM_BLD_push_utf8_string(b, OSSL_PKEY_PARAM_GROUP_NAME, group, 0);
	OSSL_PARAM_BLD_push_BN(b, OSSL_PKEY_PARAM_PUB_KEY, pub);
	OSSL_PARAM *params = OSSL_PARAM_BLD_to_param(b);
	Pctx p(EVP_PKEY_CTX_new_from_name(ref_ctx(), "DH", nullptr));
	EVP_PKEY *k = nullptr;
	REQUIRE(EVP_PKEY_fromdata_init(p.get()) == 1);
	REQUIRE(EVP_PKEY_fromdata(p.get(), &k, EVP_PKEY_PUBLIC_KEY, params) == 1);
	OSSL_PARAM_free(params);
	OSSL_PARAM_BLD_free(b);
	return Pkey(k);
}

int derive(OSSL_LIB_CTX *ctx, EVP_PKEY *key, EVP_PKEY *peer, bool pad, bytes &out,
	   bool *by_ocf = nullptr)
{
	Pctx p(EVP_PKEY_CTX_new_from_pkey(ctx, key, props(ctx)));
	REQUIRE(p);
	if (EVP_PKEY_derive_init(p.get()) != 1)
		return 0;
	if (by_ocf)
		*by_ocf = is_ocf(p.get());
	if (pad && EVP_PKEY_CTX_set_dh_pad(p.get(), 1) != 1)
		return 0;
	if (EVP_PKEY_derive_set_peer_ex(p.get(), peer, 0) != 1)
		return 0;
	std::size_t n = 0;
	if (EVP_PKEY_derive(p.get(), nullptr, &n) != 1)
		return 0;
	out.assign(n, 0);
	int r = EVP_PKEY_derive(p.get(), out.data(), &n) == 1;
	out.resize(r ? n : 0);
	return r;
}

} // namespace

TEST_CASE("DH (RFC 7919 groups): shared secrets equal the default provider's", "[pkey][dh]")
{
	OSSL_LIB_CTX *always = ocf_ctx("always");
	const bool must = ocf_must_serve(OCF_KOP_DH_COMPUTE_KEY);
	for (const char *group : { "ffdhe2048", "ffdhe3072", "ffdhe4096" }) {
		// Enough pairs that a secret with a leading zero byte (1 in 256)
		// turns up now and then; each is compared padded and not.
		int pairs = std::string(group) == "ffdhe2048" ? 6 : 2;
		for (int i = 0; i < pairs; i++) {
			INFO(group << " pair " << i);
			Pkey a = dh_key(group), b = dh_key(group);
			for (bool pad : { false, true }) {
				bytes want, got, other;
				REQUIRE(derive(ref_ctx(), a.get(), b.get(), pad, want) == 1);
				bool by_ocf = false;
				KopCounter kc;
				CHECK(derive(always, a.get(), b.get(), pad, got, &by_ocf) == 1);
				INFO(drain_errors());
				CHECK(by_ocf);
				if (must)
					CHECK(kc.grown() >= 1);
				CHECK(hex(got) == hex(want));
				CHECK(derive(always, b.get(), a.get(), pad, other) == 1);
				CHECK(hex(other) == hex(want));
			}
		}
	}
	// Peer values the default refuses (shared secret 1 or p - 1), refused
	// alike; and ones it accepts.
	Pkey a = dh_key("ffdhe2048");
	BIGNUM *p = nullptr;
	REQUIRE(EVP_PKEY_get_bn_param(a.get(), OSSL_PKEY_PARAM_FFC_P, &p) == 1);
	BIGNUM *v = BN_new();
	for (int which = 0; which < 5; which++) {
		switch (which) {
		case 0: BN_one(v); break;
		case 1: BN_copy(v, p), BN_sub_word(v, 1); break;
		case 2: BN_set_word(v, 2); break;
		case 3: BN_copy(v, p), BN_sub_word(v, 2); break;
		default: BN_zero(v); break;
		}
		INFO("peer value case " << which);
		Pkey peer = dh_pub("ffdhe2048", v);
		for (bool pad : { false, true }) {
			bytes want, got;
			int rw = derive(ref_ctx(), a.get(), peer.get(), pad, want);
			drain_errors();
			int rg = derive(always, a.get(), peer.get(), pad, got);
			drain_errors();
			CHECK(rg == rw);
			CHECK(hex(got) == hex(want));
		}
	}
	BN_free(v);
	BN_free(p);
}

TEST_CASE("an operation context outlives its key's re-export", "[pkey][dh]")
{
	// OpenSSL frees a provider's copy of a key when the key changes and is
	// exported again; a context made before still holds (and uses) it.
	OSSL_LIB_CTX *always = ocf_ctx("always");
	Pkey a = dh_key("ffdhe2048"), b = dh_key("ffdhe2048");
	bytes want, got;
	REQUIRE(derive(ref_ctx(), a.get(), b.get(), false, want) == 1);
	Pctx p(EVP_PKEY_CTX_new_from_pkey(always, a.get(), props(always)));
	REQUIRE(p);
	REQUIRE(EVP_PKEY_derive_init(p.get()) == 1);
	REQUIRE(EVP_PKEY_derive_set_peer_ex(p.get(), b.get(), 0) == 1);
	// The same public value set again: the key is changed (dirty), and the
	// next context exports it anew, freeing the export p's context uses.
	unsigned char pub[512];
	std::size_t publen = 0;
	REQUIRE(EVP_PKEY_get_octet_string_param(a.get(), OSSL_PKEY_PARAM_ENCODED_PUBLIC_KEY, pub,
						sizeof(pub), &publen) == 1);
	REQUIRE(EVP_PKEY_set_octet_string_param(a.get(), OSSL_PKEY_PARAM_ENCODED_PUBLIC_KEY, pub,
						publen) == 1);
	for (int i = 0; i < 4; i++) {
		Pctx q(EVP_PKEY_CTX_new_from_pkey(always, a.get(), props(always)));
		REQUIRE(q);
		REQUIRE(EVP_PKEY_derive_init(q.get()) == 1);
		Pkey churn = dh_key("ffdhe2048");	// reuses what was freed, if it was
	}
	std::size_t n = 0;
	REQUIRE(EVP_PKEY_derive(p.get(), nullptr, &n) == 1);
	got.assign(n, 0);
	REQUIRE(EVP_PKEY_derive(p.get(), got.data(), &n) == 1);
	got.resize(n);
	CHECK(hex(got) == hex(want));
}

TEST_CASE("RSA and DH keys move between the providers: export, import, generation, match",
	  "[pkey][keymgmt]")
{
	OSSL_LIB_CTX *always = ocf_ctx("always");
	// Generated through our key management (the default's code), written
	// by the default's encoder, read back by the reference.
	Pctx g(EVP_PKEY_CTX_new_from_name(always, "RSA", "provider=ocf"));
	REQUIRE(g);
	REQUIRE(EVP_PKEY_keygen_init(g.get()) == 1);
	REQUIRE(EVP_PKEY_CTX_set_rsa_keygen_bits(g.get(), 1024) == 1);
	EVP_PKEY *k = nullptr;
	REQUIRE(EVP_PKEY_generate(g.get(), &k) == 1);
	Pkey gen(k);
	CHECK(std::string(OSSL_PROVIDER_get0_name(EVP_PKEY_get0_provider(gen.get()))) == "ocf");
	CHECK(EVP_PKEY_get_bits(gen.get()) == 1024);
	CHECK(EVP_PKEY_is_a(gen.get(), "RSA"));
	BIO *mem = BIO_new(BIO_s_mem());
	REQUIRE(PEM_write_bio_PrivateKey(mem, gen.get(), nullptr, nullptr, 0, nullptr, nullptr) == 1);
	EVP_PKEY *back = PEM_read_bio_PrivateKey_ex(mem, nullptr, nullptr, nullptr, ref_ctx(), nullptr);
	BIO_free(mem);
	REQUIRE(back);
	Pkey backk(back);
	CHECK(EVP_PKEY_eq(backk.get(), gen.get()) == 1);
	SigOpts o;
	bytes msg = rand_bytes(50), sig;
	REQUIRE(sign(always, gen.get(), o, msg, sig));
	CHECK(verify(ref_ctx(), backk.get(), o, msg, sig));
	// A key loaded through our import matches the default's.
	Pkey ours = load_rsa(always, 2048), theirs = load_rsa(ref_ctx(), 2048);
	CHECK(std::string(OSSL_PROVIDER_get0_name(EVP_PKEY_get0_provider(ours.get()))) == "ocf");
	CHECK(EVP_PKEY_eq(ours.get(), theirs.get()) == 1);
	CHECK(EVP_PKEY_eq(ours.get(), backk.get()) == 0);
	CHECK(EVP_PKEY_get_size(ours.get()) == 256);
	drain_errors();
}

TEST_CASE("mode auto offers RSA and DH only where a hardware producer does them", "[pkey][auto]")
{
	OSSL_LIB_CTX *autoctx = ocf_ctx("auto");
	std::uint32_t hw = producer_kops(true, 2048);	// the provider's rule
	EVP_SIGNATURE *s = EVP_SIGNATURE_fetch(autoctx, "RSA", "provider=ocf");
	EVP_KEYEXCH *x = EVP_KEYEXCH_fetch(autoctx, "DH", "provider=ocf");
	CHECK((s != nullptr) == (((hw >> OCF_KOP_MODEXP_CRT) & 1) != 0));
	CHECK((x != nullptr) == (((hw >> OCF_KOP_DH_COMPUTE_KEY) & 1) != 0));
	EVP_SIGNATURE_free(s);
	EVP_KEYEXCH_free(x);
	drain_errors();
	// Whoever offers it, a signature in mode auto is right.
	Pkey key = load_rsa(ref_ctx(), 2048);
	SigOpts o;
	bytes msg = rand_bytes(10), sig;
	REQUIRE(sign(autoctx, key.get(), o, msg, sig));
	CHECK(verify(ref_ctx(), key.get(), o, msg, sig));
	// Mode never: ours, and OpenSSL's code only.
	OSSL_LIB_CTX *never = ocf_ctx("never");
	KopCounter kc;
	bool by_ocf = false;
	REQUIRE(sign(never, key.get(), o, msg, sig, &by_ocf));
	CHECK(by_ocf);
	CHECK(verify(never, key.get(), o, msg, sig));
	if (kc.start >= 0)
		CHECK(kc.grown() == 0);
}

namespace {

// The kopshim's controls (tests/provider/kopshim.cpp), when it is preloaded.
struct KopShim {
	int *faults = static_cast<int *>(dlsym(RTLD_DEFAULT, "ocf_kopshim_faults"));
	unsigned char *last_in = static_cast<unsigned char *>(dlsym(RTLD_DEFAULT, "ocf_kopshim_last_in"));
	std::size_t *last_len = static_cast<std::size_t *>(dlsym(RTLD_DEFAULT, "ocf_kopshim_last_len"));
	unsigned long *calls = static_cast<unsigned long *>(dlsym(RTLD_DEFAULT, "ocf_kopshim_calls"));
	int *refusals = static_cast<int *>(dlsym(RTLD_DEFAULT, "ocf_kopshim_refusals"));
	int *err = static_cast<int *>(dlsym(RTLD_DEFAULT, "ocf_kopshim_errno"));
	bool loaded() const { return faults && last_in && last_len && calls && refusals && err; }
};

} // namespace

// Run with the kopshim preloaded, in the VM with a producer that does
// MODEXP_CRT (tests/run provider does). Hidden, and tagged [devshim] like
// the other fault-injecting tests, so that runs without the shim (no
// filter, or "~[devshim]", which Catch2 lets hidden tests through) skip
// them:
//   LD_PRELOAD=build/tests/provider/libocf_kopshim.so
//	build/tests/provider/ocf_provider_tests "[kopshim]"
namespace {

// The provider's count of key-operation results that failed their check.
unsigned long kop_faults(OSSL_LIB_CTX *ctx)
{
	OSSL_PROVIDER *prov = OSSL_PROVIDER_load(ctx, "ocf");
	REQUIRE(prov);
	unsigned long n = 0;
	OSSL_PARAM params[] = { OSSL_PARAM_construct_ulong("ocf-kop-faults", &n),
				OSSL_PARAM_construct_end() };
	CHECK(OSSL_PROVIDER_get_params(prov, params) == 1);
	CHECK(OSSL_PARAM_modified(&params[0]));
	OSSL_PROVIDER_unload(prov);
	return n;
}

} // namespace

TEST_CASE("RSA private operations: blinded before they leave, a faulty result never released",
	  "[.kopshim][devshim]")
{
	KopShim shim;
	REQUIRE(shim.loaded());
	REQUIRE(ocf_must_serve(OCF_KOP_MODEXP_CRT));
	OSSL_LIB_CTX *always = ocf_ctx("always");
	Pkey key = load_rsa(ref_ctx(), 2048);
	SigOpts o;	// PKCS#1 v1.5, SHA-256: EM = 00 01 FF .. FF 00 DigestInfo
	bytes msg = rand_bytes(64), sig, sig2;
	unsigned long c0 = *shim.calls;
	REQUIRE(sign(always, key.get(), o, msg, sig));
	REQUIRE(*shim.calls == c0 + 1);
	// What the producer got is not the encoded message (s^e mod n), nor
	// anything shaped like it: it was blinded (m * r^e mod n).
	EncOpts none;
	none.pad = RSA_NO_PADDING;
	bytes em;
	REQUIRE(encrypt(ref_ctx(), key.get(), none, sig, em) == 1);	// s^e mod n
	REQUIRE(em.size() == 256);
	REQUIRE(em[0] == 0x00);
	REQUIRE(em[1] == 0x01);
	REQUIRE(*shim.last_len == 256);
	bytes sent(shim.last_in, shim.last_in + 256);
	CHECK(hex(sent) != hex(em));
	CHECK_FALSE((sent[0] == 0 && sent[1] == 1 && sent[2] == 0xff && sent[3] == 0xff));
	// The same message twice: the producer sees two unrelated inputs.
	REQUIRE(sign(always, key.get(), o, msg, sig2));
	CHECK(hex(sig2) == hex(sig));
	CHECK(hex(bytes(shim.last_in, shim.last_in + 256)) != hex(sent));

	// A damaged result (a CRT fault): never released. The check catches
	// it, the provider counts it, and the default provider does the
	// operation instead (as its own check does, with d).
	for (int pad : { RSA_PKCS1_PADDING, RSA_PKCS1_PSS_PADDING }) {
		o.pad = pad;
		const unsigned long f0 = kop_faults(always);
		*shim.faults = 1;
		bytes redone;
		REQUIRE(sign(always, key.get(), o, msg, redone));
		CHECK(*shim.faults == 0);
		CHECK(kop_faults(always) == f0 + 1);
		CHECK(verify(ref_ctx(), key.get(), o, msg, redone));
		if (pad == RSA_PKCS1_PADDING)
			CHECK(hex(redone) == hex(sig));	// deterministic: the right one
		CHECK(drain_errors().empty());
	}
	// Decryption too: the right plaintext, never a wrong one.
	EncOpts oaep;
	oaep.pad = RSA_PKCS1_OAEP_PADDING;
	bytes c, p;
	REQUIRE(encrypt(ref_ctx(), key.get(), oaep, msg, c) == 1);
	const unsigned long f0 = kop_faults(always);
	*shim.faults = 1;
	REQUIRE(decrypt(always, key.get(), oaep, c, p) == 1);
	CHECK(*shim.faults == 0);
	CHECK(kop_faults(always) == f0 + 1);
	CHECK(hex(p) == hex(msg));
	REQUIRE(decrypt(always, key.get(), oaep, c, p) == 1);
	CHECK(hex(p) == hex(msg));
	CHECK(kop_faults(always) == f0 + 1);
	*shim.faults = 0;
}

TEST_CASE("RSA private operations OCF refuses are done in software", "[.kopshim][devshim]")
{
	KopShim shim;
	REQUIRE(shim.loaded());
	REQUIRE(ocf_must_serve(OCF_KOP_MODEXP_CRT));
	OSSL_LIB_CTX *always = ocf_ctx("always");
	Pkey key = load_rsa(ref_ctx(), 2048);
	bytes msg = rand_bytes(40);
	// What libocf and the module answer before a producer runs: no
	// producer left, busy, the in-flight limit, too large, a bad operand.
	for (int e : { 19 /* ENODEV */, 16 /* EBUSY */, 11 /* EAGAIN */, 95 /* EOPNOTSUPP */,
		       22 /* EINVAL */, 12 /* ENOMEM */ }) {
		INFO("errno " << e);
		*shim.err = e;
		for (int pad : { RSA_PKCS1_PADDING, RSA_PKCS1_PSS_PADDING }) {
			SigOpts o;
			o.pad = pad;
			*shim.refusals = 1;
			KopCounter kc;
			bytes sig;
			CHECK(sign(always, key.get(), o, msg, sig));
			CHECK(*shim.refusals == 0);
			CHECK(kc.grown() == 0);	// the software did it
			CHECK(verify(ref_ctx(), key.get(), o, msg, sig));
		}
		EncOpts p1;
		bytes c, p;
		REQUIRE(encrypt(ref_ctx(), key.get(), p1, msg, c) == 1);
		*shim.refusals = 1;
		CHECK(decrypt(always, key.get(), p1, c, p) == 1);
		CHECK(hex(p) == hex(msg));
		drain_errors();
	}
	*shim.refusals = 0;
}
