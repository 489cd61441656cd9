// SPDX-License-Identifier: LGPL-2.1-or-later
// RSA signatures (PKCS#1 v1.5 and PSS, sign and verify) through OCF.
//
// A context wraps the default provider's RSA signature context, which is
// initialised with every parameter and keeps them (padding, digest, MGF1
// digest, salt length): an operation reads them back and, when the key may
// use OCF (pkey.hpp, kop_allowed), encodes the message here and has OCF do
// the modular exponentiation (rsa_private: blinded, CRT, checked;
// rsa_public for verification). Whatever we do not do (other paddings,
// verify-recover, a length or digest the default refuses) is the default
// context's, which raises the default's errors.
//
// Digest signing: the default context is initialised for a plain signature
// with the digest set, the message is hashed here (the default provider's
// digest), and the hash signed as above; a key that cannot use OCF goes
// through the default's own digest-sign functions instead.
//
// The encodings: a DigestInfo (DER, from OpenSSL's ASN.1 functions) in
// PKCS#1 v1.5 type 1 padding, and OpenSSL's public PSS helpers
// (RSA_padding_add_PKCS1_PSS_mgf1, RSA_verify_PKCS1_PSS_mgf1: deprecated in
// 3.0 but the same code the default provider runs, so the salt length
// rules are the default's).
#define OPENSSL_SUPPRESS_DEPRECATED

#include "params.hpp"
#include "pkey.hpp"

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include <linux/ocf.h>

#include <cstring>
#include <new>

namespace ocfprov {
namespace {

const PkeyFns &dfns()
{
	return g_default_pkeys.rsa_signature;
}

template <typename F>
F *dfn(int id)
{
	return dfns().get<F>(id);
}

struct SigCtx {
	Provider *prov = nullptr;
	void *dctx = nullptr;
	PKeyRef key;
	bool digest = false;	// a digest sign/verify through us
	bool passthrough = false;	// a digest sign/verify by the default's own functions
	EVP_MD_CTX *mdctx = nullptr;

	SigCtx() = default;
	SigCtx(const SigCtx &) = delete;
	SigCtx &operator=(const SigCtx &) = delete;
	~SigCtx()
	{
		EVP_MD_CTX_free(mdctx);
		if (dctx)
			dfn<OSSL_FUNC_signature_freectx_fn>(OSSL_FUNC_SIGNATURE_FREECTX)(dctx);
	}
};

int get_ctx(void *dctx, OSSL_PARAM params[])
{
	return dfn<OSSL_FUNC_signature_get_ctx_params_fn>(OSSL_FUNC_SIGNATURE_GET_CTX_PARAMS)(
		dctx, params);
}

// What the default context holds for an operation.
struct SigParams {
	int pad = 0;
	EVP_MD *md = nullptr, *mgf1 = nullptr;
	int saltlen = 0;

	SigParams() = default;
	SigParams(const SigParams &) = delete;
	SigParams &operator=(const SigParams &) = delete;
	~SigParams()
	{
		EVP_MD_free(md);
		EVP_MD_free(mgf1);
	}
};

// Reads the parameters; false for what we leave to the default (paddings
// other than PKCS#1 v1.5 and PSS, a PSS without digest).
bool read_params(const SigCtx *c, SigParams &p)
{
	char name[64];
	if (!default_get_int(get_ctx, c->dctx, OSSL_SIGNATURE_PARAM_PAD_MODE, &p.pad))
		return false;
	if (p.pad != RSA_PKCS1_PADDING && p.pad != RSA_PKCS1_PSS_PADDING)
		return false;
	if (default_get_string(get_ctx, c->dctx, OSSL_SIGNATURE_PARAM_DIGEST, name, sizeof(name)) &&
	    name[0] && !(p.md = fetch_default_md(name)))
		return false;
	if (p.pad == RSA_PKCS1_PSS_PADDING) {
		if (!p.md || !default_get_int(get_ctx, c->dctx, OSSL_SIGNATURE_PARAM_PSS_SALTLEN,
					      &p.saltlen))
			return false;
		if (default_get_string(get_ctx, c->dctx, OSSL_SIGNATURE_PARAM_MGF1_DIGEST, name,
				       sizeof(name)) &&
		    name[0])
			p.mgf1 = fetch_default_md(name);
		else
			p.mgf1 = (EVP_MD_up_ref(p.md), p.md);
		if (!p.mgf1)
			return false;
	}
	return true;
}

// Digests whose DigestInfo is the OID with NULL parameters (RFC 8017's
// list, RIPEMD-160) in every OpenSSL version, and MD5-SHA1's bare 36
// bytes: the ones we encode. Others (MDC2's octet string; SM3, which
// OpenSSL 3.5's default signs with an encoding of its own) are the
// default's.
bool pkcs1_digest_info_known(int nid)
{
	switch (nid) {
	case NID_md5:
	case NID_sha1:
	case NID_sha224:
	case NID_sha256:
	case NID_sha384:
	case NID_sha512:
	case NID_sha512_224:
	case NID_sha512_256:
	case NID_sha3_224:
	case NID_sha3_256:
	case NID_sha3_384:
	case NID_sha3_512:
	case NID_ripemd160:
	case NID_md5_sha1:
		return true;
	default:
		return false;
	}
}

// PKCS#1 v1.5 type 1 encoding of @tbs (a digest of p.md, or without a
// digest the data itself) into @em (the modulus' size). False for what the
// default must refuse (wrong length, too long) or does differently (MDC2's
// octet string).
bool encode_pkcs1(const SigParams &p, const unsigned char *tbs, std::size_t tbslen,
		  SecretBytes &em)
{
	unsigned char *der = nullptr;
	int derlen = 0;
	const unsigned char *t = tbs;
	std::size_t tlen = tbslen;
	if (p.md) {
		int nid = EVP_MD_get_type(p.md);
		if (!pkcs1_digest_info_known(nid) ||
		    tbslen != static_cast<std::size_t>(EVP_MD_get_size(p.md)))
			return false;
		if (nid != NID_md5_sha1) {	// TLS 1.0/1.1: the 36 bytes alone
			X509_SIG *sig = X509_SIG_new();
			X509_ALGOR *alg = nullptr;
			ASN1_OCTET_STRING *dig = nullptr;
			if (!sig)
				return false;
			X509_SIG_getm(sig, &alg, &dig);
			bool ok = X509_ALGOR_set0(alg, OBJ_nid2obj(nid), V_ASN1_NULL, nullptr) &&
				  ASN1_OCTET_STRING_set(dig, tbs, static_cast<int>(tbslen));
			derlen = ok ? i2d_X509_SIG(sig, &der) : -1;
			X509_SIG_free(sig);
			if (derlen <= 0)
				return false;
			t = der;
			tlen = static_cast<std::size_t>(derlen);
		}
	}
	bool ok = em.size() >= 11 && tlen <= em.size() - 11 &&
		  RSA_padding_add_PKCS1_type_1(em.data(), static_cast<int>(em.size()), t,
					       static_cast<int>(tlen)) == 1;
	OPENSSL_free(der);
	return ok;
}

bool encode_pss(const PKey &key, const SigParams &p, const unsigned char *tbs,
		std::size_t tbslen, SecretBytes &em)
{
	if (!key.rsa_pub || tbslen != static_cast<std::size_t>(EVP_MD_get_size(p.md)))
		return false;
	ERR_set_mark();
	bool ok = RSA_padding_add_PKCS1_PSS_mgf1(key.rsa_pub, em.data(), tbs, p.md, p.mgf1,
						 p.saltlen) == 1;
	ERR_pop_to_mark();
	return ok;
}

bool encode(const PKey &key, const SigParams &p, const unsigned char *tbs, std::size_t tbslen,
	    SecretBytes &em)
{
	return p.pad == RSA_PKCS1_PADDING ? encode_pkcs1(p, tbs, tbslen, em) :
					    encode_pss(key, p, tbs, tbslen, em);
}

int default_sign(SigCtx *c, unsigned char *sig, std::size_t *siglen, std::size_t sigsize,
		 const unsigned char *tbs, std::size_t tbslen)
{
	return dfn<OSSL_FUNC_signature_sign_fn>(OSSL_FUNC_SIGNATURE_SIGN)(c->dctx, sig, siglen,
									   sigsize, tbs, tbslen);
}

int default_verify(SigCtx *c, const unsigned char *sig, std::size_t siglen,
		   const unsigned char *tbs, std::size_t tbslen)
{
	return dfn<OSSL_FUNC_signature_verify_fn>(OSSL_FUNC_SIGNATURE_VERIFY)(c->dctx, sig, siglen,
									       tbs, tbslen);
}

int do_sign(SigCtx *c, unsigned char *sig, std::size_t *siglen, std::size_t sigsize,
	    const unsigned char *tbs, std::size_t tbslen)
{
	if (!rsa_may_use_ocf(c->key.get(), OCF_KOP_MODEXP_CRT))
		return default_sign(c, sig, siglen, sigsize, tbs, tbslen);
	const std::size_t num = c->key->bytes();
	if (!sig) {
		*siglen = num;
		return 1;
	}
	SigParams p;
	SecretBytes em(num);
	if (sigsize < num || !read_params(c, p) || !encode(*c->key, p, tbs, tbslen, em))
		return default_sign(c, sig, siglen, sigsize, tbs, tbslen);
	switch (rsa_private(*c->key, em.data(), sig)) {
	case KopOutcome::Done:
		*siglen = num;
		return 1;
	case KopOutcome::Software:
		return default_sign(c, sig, siglen, sigsize, tbs, tbslen);
	case KopOutcome::Failed:
		break;
	}
	return 0;
}

int do_verify(SigCtx *c, const unsigned char *sig, std::size_t siglen, const unsigned char *tbs,
	      std::size_t tbslen)
{
	if (!rsa_may_use_ocf(c->key.get(), OCF_KOP_MODEXP) || siglen != c->key->bytes())
		return default_verify(c, sig, siglen, tbs, tbslen);
	const std::size_t num = siglen;
	SigParams p;
	if (!read_params(c, p))
		return default_verify(c, sig, siglen, tbs, tbslen);
	SecretBytes em(num), want(num);
	if (p.pad == RSA_PKCS1_PADDING && !encode_pkcs1(p, tbs, tbslen, want))
		return default_verify(c, sig, siglen, tbs, tbslen);
	if (p.pad == RSA_PKCS1_PSS_PADDING &&
	    (!c->key->rsa_pub || tbslen != static_cast<std::size_t>(EVP_MD_get_size(p.md))))
		return default_verify(c, sig, siglen, tbs, tbslen);
	if (rsa_public(*c->key, sig, em.data()) != KopOutcome::Done)
		return default_verify(c, sig, siglen, tbs, tbslen);
	if (p.pad == RSA_PKCS1_PSS_PADDING)
		// Raises the default's own errors (the same function).
		return RSA_verify_PKCS1_PSS_mgf1(c->key->rsa_pub, tbs, p.md, p.mgf1, em.data(),
						 p.saltlen) == 1;
	if (CRYPTO_memcmp(em.data(), want.data(), num) != 0) {
		OCF_RAISE(c->prov, R_BAD_SIGNATURE);
		return 0;
	}
	return 1;
}

// ---- Dispatch functions ----

void *sig_newctx(void *provctx, const char *propq)
{
	auto *c = new (std::nothrow) SigCtx;
	if (!c)
		return nullptr;
	c->prov = static_cast<Provider *>(provctx);
	// Not the caller's properties ("provider=ocf", say): the default
	// context fetches its digests in our private library context, where
	// the default provider is all there is.
	(void)propq;
	c->dctx = dfn<OSSL_FUNC_signature_newctx_fn>(OSSL_FUNC_SIGNATURE_NEWCTX)(
		g_default_provider.provctx, nullptr);
	if (!c->dctx) {
		delete c;
		return nullptr;
	}
	return c;
}

void *sig_dupctx(void *vctx)
{
	auto *c = static_cast<SigCtx *>(vctx);
	auto *d = new (std::nothrow) SigCtx;
	if (!d)
		return nullptr;
	d->prov = c->prov;
	d->key = c->key;
	d->digest = c->digest;
	d->passthrough = c->passthrough;
	d->dctx = dfn<OSSL_FUNC_signature_dupctx_fn>(OSSL_FUNC_SIGNATURE_DUPCTX)(c->dctx);
	if (c->mdctx) {
		d->mdctx = EVP_MD_CTX_new();
		if (d->mdctx && !EVP_MD_CTX_copy_ex(d->mdctx, c->mdctx)) {
			EVP_MD_CTX_free(d->mdctx);
			d->mdctx = nullptr;
		}
	}
	if (!d->dctx || (c->mdctx && !d->mdctx)) {
		delete d;
		return nullptr;
	}
	return d;
}

// Sets parameters on the default context, without the caller's properties
// for fetching digests (see sig_newctx).
int set_default(SigCtx *c, const OSSL_PARAM params[])
{
	auto set = dfn<OSSL_FUNC_signature_set_ctx_params_fn>(OSSL_FUNC_SIGNATURE_SET_CTX_PARAMS);
	return forward_set(c->prov, params,
			   { OSSL_SIGNATURE_PARAM_PROPERTIES,
			     OSSL_SIGNATURE_PARAM_MGF1_PROPERTIES },
			   [&](const OSSL_PARAM *p) { return set(c->dctx, p); });
}

void reset(SigCtx *c, void *provkey)
{
	c->key.reset(static_cast<PKey *>(provkey));
	c->digest = c->passthrough = false;
	EVP_MD_CTX_free(c->mdctx);
	c->mdctx = nullptr;
}

int sig_sign_init(void *vctx, void *provkey, const OSSL_PARAM params[])
{
	auto *c = static_cast<SigCtx *>(vctx);
	reset(c, provkey);
	return dfn<OSSL_FUNC_signature_sign_init_fn>(OSSL_FUNC_SIGNATURE_SIGN_INIT)(
		       c->dctx, default_keydata(provkey), nullptr) &&
	       set_default(c, params);
}

int sig_verify_init(void *vctx, void *provkey, const OSSL_PARAM params[])
{
	auto *c = static_cast<SigCtx *>(vctx);
	reset(c, provkey);
	return dfn<OSSL_FUNC_signature_verify_init_fn>(OSSL_FUNC_SIGNATURE_VERIFY_INIT)(
		       c->dctx, default_keydata(provkey), nullptr) &&
	       set_default(c, params);
}

int sig_verify_recover_init(void *vctx, void *provkey, const OSSL_PARAM params[])
{
	auto *c = static_cast<SigCtx *>(vctx);
	reset(c, provkey);
	auto init = dfn<OSSL_FUNC_signature_verify_recover_init_fn>(
		OSSL_FUNC_SIGNATURE_VERIFY_RECOVER_INIT);
	return init(c->dctx, default_keydata(provkey), nullptr) && set_default(c, params);
}

int sig_sign(void *vctx, unsigned char *sig, std::size_t *siglen, std::size_t sigsize,
	     const unsigned char *tbs, std::size_t tbslen)
{
	return do_sign(static_cast<SigCtx *>(vctx), sig, siglen, sigsize, tbs, tbslen);
}

int sig_verify(void *vctx, const unsigned char *sig, std::size_t siglen, const unsigned char *tbs,
	       std::size_t tbslen)
{
	return do_verify(static_cast<SigCtx *>(vctx), sig, siglen, tbs, tbslen);
}

int sig_verify_recover(void *vctx, unsigned char *rout, std::size_t *routlen,
		       std::size_t routsize, const unsigned char *sig, std::size_t siglen)
{
	auto *c = static_cast<SigCtx *>(vctx);
	return dfn<OSSL_FUNC_signature_verify_recover_fn>(OSSL_FUNC_SIGNATURE_VERIFY_RECOVER)(
		c->dctx, rout, routlen, routsize, sig, siglen);
}

// Digest sign/verify init: through us when the key may use OCF for the
// operation, else the default's own digest functions.
int digest_init(SigCtx *c, const char *mdname, void *provkey, const OSSL_PARAM params[],
		bool sign)
{
	reset(c, provkey);
	c->digest = true;
	void *dk = default_keydata(provkey);
	if (!rsa_may_use_ocf(c->key.get(), sign ? OCF_KOP_MODEXP_CRT : OCF_KOP_MODEXP)) {
		c->passthrough = true;
		// The parameters after init: the default applies them there
		// too, and this way without the caller's properties.
		int r = sign ? dfn<OSSL_FUNC_signature_digest_sign_init_fn>(
				       OSSL_FUNC_SIGNATURE_DIGEST_SIGN_INIT)(c->dctx, mdname,
									     dk, nullptr) :
			       dfn<OSSL_FUNC_signature_digest_verify_init_fn>(
				       OSSL_FUNC_SIGNATURE_DIGEST_VERIFY_INIT)(c->dctx, mdname,
									       dk, nullptr);
		return r && set_default(c, params);
	}
	int r = sign ? dfn<OSSL_FUNC_signature_sign_init_fn>(OSSL_FUNC_SIGNATURE_SIGN_INIT)(
			       c->dctx, dk, nullptr) :
		       dfn<OSSL_FUNC_signature_verify_init_fn>(OSSL_FUNC_SIGNATURE_VERIFY_INIT)(
			       c->dctx, dk, nullptr);
	if (!r || !set_default(c, params))
		return 0;
	if (mdname && *mdname) {
		OSSL_PARAM p[] = { OSSL_PARAM_construct_utf8_string(OSSL_SIGNATURE_PARAM_DIGEST,
								    const_cast<char *>(mdname), 0),
				   OSSL_PARAM_construct_end() };
		if (!set_default(c, p))
			return 0;
	}
	char name[64];
	if (!default_get_string(get_ctx, c->dctx, OSSL_SIGNATURE_PARAM_DIGEST, name,
				sizeof(name)) ||
	    !name[0]) {
		OCF_RAISE(c->prov, R_INVALID_PARAM, "no digest for RSA digest %s",
			  sign ? "sign" : "verify");
		return 0;
	}
	EVP_MD *md = fetch_default_md(name);
	c->mdctx = EVP_MD_CTX_new();
	r = md && c->mdctx && EVP_DigestInit_ex2(c->mdctx, md, nullptr);
	EVP_MD_free(md);
	if (!r)
		OCF_RAISE(c->prov, R_INVALID_PARAM, "digest %s", name);
	return r;
}

int sig_digest_sign_init(void *vctx, const char *mdname, void *provkey, const OSSL_PARAM params[])
{
	return digest_init(static_cast<SigCtx *>(vctx), mdname, provkey, params, true);
}

int sig_digest_verify_init(void *vctx, const char *mdname, void *provkey,
			   const OSSL_PARAM params[])
{
	return digest_init(static_cast<SigCtx *>(vctx), mdname, provkey, params, false);
}

int sig_digest_sign_update(void *vctx, const unsigned char *data, std::size_t len)
{
	auto *c = static_cast<SigCtx *>(vctx);
	if (c->passthrough)
		return dfn<OSSL_FUNC_signature_digest_sign_update_fn>(
			OSSL_FUNC_SIGNATURE_DIGEST_SIGN_UPDATE)(c->dctx, data, len);
	return c->mdctx && EVP_DigestUpdate(c->mdctx, data, len);
}

int sig_digest_verify_update(void *vctx, const unsigned char *data, std::size_t len)
{
	auto *c = static_cast<SigCtx *>(vctx);
	if (c->passthrough)
		return dfn<OSSL_FUNC_signature_digest_verify_update_fn>(
			OSSL_FUNC_SIGNATURE_DIGEST_VERIFY_UPDATE)(c->dctx, data, len);
	return c->mdctx && EVP_DigestUpdate(c->mdctx, data, len);
}

int sig_digest_sign_final(void *vctx, unsigned char *sig, std::size_t *siglen, std::size_t sigsize)
{
	auto *c = static_cast<SigCtx *>(vctx);
	if (c->passthrough)
		return dfn<OSSL_FUNC_signature_digest_sign_final_fn>(
			OSSL_FUNC_SIGNATURE_DIGEST_SIGN_FINAL)(c->dctx, sig, siglen, sigsize);
	if (!c->mdctx)
		return 0;
	if (!sig)	// the size only: the digest stays open
		return do_sign(c, nullptr, siglen, 0, nullptr, 0);
	unsigned char h[EVP_MAX_MD_SIZE];
	unsigned int hlen = 0;
	if (!EVP_DigestFinal_ex(c->mdctx, h, &hlen))
		return 0;
	return do_sign(c, sig, siglen, sigsize, h, hlen);
}

int sig_digest_verify_final(void *vctx, const unsigned char *sig, std::size_t siglen)
{
	auto *c = static_cast<SigCtx *>(vctx);
	if (c->passthrough)
		return dfn<OSSL_FUNC_signature_digest_verify_final_fn>(
			OSSL_FUNC_SIGNATURE_DIGEST_VERIFY_FINAL)(c->dctx, sig, siglen);
	unsigned char h[EVP_MAX_MD_SIZE];
	unsigned int hlen = 0;
	if (!c->mdctx || !EVP_DigestFinal_ex(c->mdctx, h, &hlen))
		return 0;
	return do_verify(c, sig, siglen, h, hlen);
}

void sig_freectx(void *vctx)
{
	delete static_cast<SigCtx *>(vctx);
}

int sig_get_ctx_params(void *vctx, OSSL_PARAM params[])
{
	return get_ctx(static_cast<SigCtx *>(vctx)->dctx, params);
}

int sig_set_ctx_params(void *vctx, const OSSL_PARAM params[])
{
	auto *c = static_cast<SigCtx *>(vctx);
	// Our digest context is made at init: the digest cannot change after
	// (nor can it with the default's own digest signing).
	// The same digest again is no change, as the default takes it.
	const OSSL_PARAM *md = c->digest && !c->passthrough ?
				       find_param(params, OSSL_SIGNATURE_PARAM_DIGEST) :
				       nullptr;
	const char *name = nullptr;
	if (md && (!OSSL_PARAM_get_utf8_string_ptr(md, &name) || !c->mdctx ||
		   !EVP_MD_is_a(EVP_MD_CTX_get0_md(c->mdctx), name))) {
		OCF_RAISE(c->prov, R_INVALID_PARAM, "the digest is set at digest sign/verify init");
		return 0;
	}
	return set_default(c, params);
}

const OSSL_PARAM *sig_gettable_ctx_params(void *, void *)
{
	return default_ctx_params_list(dfns(), OSSL_FUNC_SIGNATURE_GETTABLE_CTX_PARAMS);
}

const OSSL_PARAM *sig_settable_ctx_params(void *, void *)
{
	return default_ctx_params_list(dfns(), OSSL_FUNC_SIGNATURE_SETTABLE_CTX_PARAMS);
}

const OSSL_DISPATCH rsa_signature_table[] = {
	{ OSSL_FUNC_SIGNATURE_NEWCTX, dispatch_fn(&sig_newctx) },
	{ OSSL_FUNC_SIGNATURE_SIGN_INIT, dispatch_fn(&sig_sign_init) },
	{ OSSL_FUNC_SIGNATURE_SIGN, dispatch_fn(&sig_sign) },
	{ OSSL_FUNC_SIGNATURE_VERIFY_INIT, dispatch_fn(&sig_verify_init) },
	{ OSSL_FUNC_SIGNATURE_VERIFY, dispatch_fn(&sig_verify) },
	{ OSSL_FUNC_SIGNATURE_VERIFY_RECOVER_INIT, dispatch_fn(&sig_verify_recover_init) },
	{ OSSL_FUNC_SIGNATURE_VERIFY_RECOVER, dispatch_fn(&sig_verify_recover) },
	{ OSSL_FUNC_SIGNATURE_DIGEST_SIGN_INIT, dispatch_fn(&sig_digest_sign_init) },
	{ OSSL_FUNC_SIGNATURE_DIGEST_SIGN_UPDATE, dispatch_fn(&sig_digest_sign_update) },
	{ OSSL_FUNC_SIGNATURE_DIGEST_SIGN_FINAL, dispatch_fn(&sig_digest_sign_final) },
	{ OSSL_FUNC_SIGNATURE_DIGEST_VERIFY_INIT, dispatch_fn(&sig_digest_verify_init) },
	{ OSSL_FUNC_SIGNATURE_DIGEST_VERIFY_UPDATE, dispatch_fn(&sig_digest_verify_update) },
	{ OSSL_FUNC_SIGNATURE_DIGEST_VERIFY_FINAL, dispatch_fn(&sig_digest_verify_final) },
	{ OSSL_FUNC_SIGNATURE_FREECTX, dispatch_fn(&sig_freectx) },
	{ OSSL_FUNC_SIGNATURE_DUPCTX, dispatch_fn(&sig_dupctx) },
	{ OSSL_FUNC_SIGNATURE_GET_CTX_PARAMS, dispatch_fn(&sig_get_ctx_params) },
	{ OSSL_FUNC_SIGNATURE_GETTABLE_CTX_PARAMS, dispatch_fn(&sig_gettable_ctx_params) },
	{ OSSL_FUNC_SIGNATURE_SET_CTX_PARAMS, dispatch_fn(&sig_set_ctx_params) },
	{ OSSL_FUNC_SIGNATURE_SETTABLE_CTX_PARAMS, dispatch_fn(&sig_settable_ctx_params) },
	{ 0, nullptr },
};

} // namespace

const OSSL_DISPATCH *rsa_signature_fns()
{
	return rsa_signature_table;
}

} // namespace ocfprov
