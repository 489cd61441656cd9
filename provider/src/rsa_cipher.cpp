// SPDX-License-Identifier: LGPL-2.1-or-later
// RSA encryption (PKCS#1 v1.5 and OAEP) through OCF.
//
// As with signatures (rsa_signature.cpp), a context wraps the default
// provider's, which keeps the parameters; we pad, and OCF exponentiates
// (rsa_public; rsa_private: blinded, CRT, checked). Other paddings (none,
// libssl's TLS premaster padding with its version checks) are the
// default's.
//
// Decryption must not tell a well-formed padding from a malformed one by
// anything but its verdict (Bleichenbacher, Manger): the padding is checked
// by OpenSSL's public constant-time checks, RSA_padding_check_PKCS1_type_2
// and RSA_padding_check_PKCS1_OAEP_mgf1, the very functions the default
// provider of OpenSSL 3.0 runs, and the result becomes a return value and a
// length by masks, as the default does. OpenSSL 3.0 rejects a malformed
// PKCS#1 v1.5 padding with an error. From 3.2 on, the default answers one
// with a synthetic message derived from the private exponent and the
// ciphertext instead ("implicit rejection", on unless the context turns it
// off), which only its own code makes: such decryptions are the default's,
// and OCF does PKCS#1 v1.5 decryption where the caller turned it off.
#define OPENSSL_SUPPRESS_DEPRECATED

#include "params.hpp"
#include "pkey.hpp"

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>

#include <linux/ocf.h>

#include <new>

namespace ocfprov {
namespace {

const PkeyFns &dfns()
{
	return g_default_pkeys.rsa_asym_cipher;
}

template <typename F>
F *dfn(int id)
{
	return dfns().get<F>(id);
}

struct CipherCtx {
	Provider *prov = nullptr;
	void *dctx = nullptr;
	PKeyRef key;

	CipherCtx() = default;
	CipherCtx(const CipherCtx &) = delete;
	CipherCtx &operator=(const CipherCtx &) = delete;
	~CipherCtx()
	{
		if (dctx)
			dfn<OSSL_FUNC_asym_cipher_freectx_fn>(OSSL_FUNC_ASYM_CIPHER_FREECTX)(dctx);
	}
};

int get_ctx(void *dctx, OSSL_PARAM params[])
{
	return dfn<OSSL_FUNC_asym_cipher_get_ctx_params_fn>(OSSL_FUNC_ASYM_CIPHER_GET_CTX_PARAMS)(
		dctx, params);
}

struct OaepParams {
	EVP_MD *md = nullptr, *mgf1 = nullptr;
	const unsigned char *label = nullptr;	// the default context's
	std::size_t labellen = 0;

	OaepParams() = default;
	OaepParams(const OaepParams &) = delete;
	OaepParams &operator=(const OaepParams &) = delete;
	~OaepParams()
	{
		EVP_MD_free(md);
		EVP_MD_free(mgf1);
	}
};

// The padding mode, and for OAEP its digests (SHA-1 unless set: the
// default's rule) and label. False for what we leave to the default.
bool read_params(const CipherCtx *c, int *pad, OaepParams &o)
{
	if (!default_get_int(get_ctx, c->dctx, OSSL_ASYM_CIPHER_PARAM_PAD_MODE, pad))
		return false;
	if (*pad == RSA_PKCS1_PADDING)
		return true;
	if (*pad != RSA_PKCS1_OAEP_PADDING)
		return false;
	char name[64];
	if (!default_get_string(get_ctx, c->dctx, OSSL_ASYM_CIPHER_PARAM_OAEP_DIGEST, name,
				sizeof(name)))
		return false;
	o.md = fetch_default_md(name[0] ? name : "SHA1");
	if (default_get_string(get_ctx, c->dctx, OSSL_ASYM_CIPHER_PARAM_MGF1_DIGEST, name,
			       sizeof(name)) &&
	    name[0])
		o.mgf1 = fetch_default_md(name);
	else if (o.md)
		o.mgf1 = (EVP_MD_up_ref(o.md), o.md);
	void *label = nullptr;
	OSSL_PARAM p[] = { OSSL_PARAM_construct_octet_ptr(OSSL_ASYM_CIPHER_PARAM_OAEP_LABEL,
							  &label, 0),
			   OSSL_PARAM_construct_end() };
	if (!get_ctx(c->dctx, p))
		return false;
	o.label = static_cast<const unsigned char *>(label);
	o.labellen = label ? p[0].return_size : 0;
	return o.md && o.mgf1;
}

// OSSL_ASYM_CIPHER_PARAM_IMPLICIT_REJECTION, which 3.0's headers lack; a
// default without it (3.0, 3.1) answers nothing and rejects with an error.
bool implicit_rejection(const CipherCtx *c)
{
	int on = 0;
	ERR_set_mark();
	const bool known = default_get_int(get_ctx, c->dctx, "implicit-rejection", &on);
	ERR_pop_to_mark();
	return known && on;
}

// BN_BLINDING_invert_ex() unblinds in constant time from OpenSSL 3.0.9 and
// 3.1.1 on (before, its Montgomery product trims the plaintext's leading
// zero words: CVE-2022-4304's leak). A decryption's plaintext is secret,
// so on older versions decryption stays the default's, whose internal
// unblinding was fixed in 3.0.8.
bool constant_time_unblinding()
{
	const unsigned long v = OpenSSL_version_num();
	return v >= 0x30100010UL || (v >= 0x30000090UL && v < 0x30100000UL);
}

int default_encrypt(CipherCtx *c, unsigned char *out, std::size_t *outlen, std::size_t outsize,
		    const unsigned char *in, std::size_t inlen)
{
	return dfn<OSSL_FUNC_asym_cipher_encrypt_fn>(OSSL_FUNC_ASYM_CIPHER_ENCRYPT)(
		c->dctx, out, outlen, outsize, in, inlen);
}

int default_decrypt(CipherCtx *c, unsigned char *out, std::size_t *outlen, std::size_t outsize,
		    const unsigned char *in, std::size_t inlen)
{
	return dfn<OSSL_FUNC_asym_cipher_decrypt_fn>(OSSL_FUNC_ASYM_CIPHER_DECRYPT)(
		c->dctx, out, outlen, outsize, in, inlen);
}

int do_encrypt(CipherCtx *c, unsigned char *out, std::size_t *outlen, std::size_t outsize,
	       const unsigned char *in, std::size_t inlen)
{
	if (!rsa_may_use_ocf(c->key.get(), OCF_KOP_MODEXP) || !out)
		return default_encrypt(c, out, outlen, outsize, in, inlen);
	const std::size_t num = c->key->bytes();
	int pad = 0;
	OaepParams o;
	if (outsize < num || inlen > num || !read_params(c, &pad, o))
		return default_encrypt(c, out, outlen, outsize, in, inlen);
	SecretBytes em(num);
	const int n = static_cast<int>(num), len = static_cast<int>(inlen);
	ERR_set_mark();
	bool padded = pad == RSA_PKCS1_PADDING ?
			      RSA_padding_add_PKCS1_type_2(em.data(), n, in, len) == 1 :
			      RSA_padding_add_PKCS1_OAEP_mgf1(em.data(), n, in, len, o.label,
							      static_cast<int>(o.labellen), o.md,
							      o.mgf1) == 1;
	ERR_pop_to_mark();	// too long: the default raises its own error
	if (!padded || rsa_public(*c->key, em.data(), out) != KopOutcome::Done)
		return default_encrypt(c, out, outlen, outsize, in, inlen);
	*outlen = num;
	return 1;
}

int do_decrypt(CipherCtx *c, unsigned char *out, std::size_t *outlen, std::size_t outsize,
	       const unsigned char *in, std::size_t inlen)
{
	if (!rsa_may_use_ocf(c->key.get(), OCF_KOP_MODEXP_CRT) || !out ||
	    !constant_time_unblinding())
		return default_decrypt(c, out, outlen, outsize, in, inlen);
	const std::size_t num = c->key->bytes();
	int pad = 0;
	OaepParams o;
	if (outsize < num || inlen != num || !read_params(c, &pad, o) ||
	    (pad == RSA_PKCS1_PADDING && implicit_rejection(c)))
		return default_decrypt(c, out, outlen, outsize, in, inlen);
	SecretBytes em(num);
	switch (rsa_private(*c->key, in, em.data())) {
	case KopOutcome::Done:
		break;
	case KopOutcome::Software:
		return default_decrypt(c, out, outlen, outsize, in, inlen);
	case KopOutcome::Failed:
		return 0;
	}
	const int n = static_cast<int>(num);
	// No branch on the padding's validity before the verdict: the checks
	// are constant-time, and their result is applied by masks.
	int r = pad == RSA_PKCS1_PADDING ?
			RSA_padding_check_PKCS1_type_2(out, n, em.data(), n, n) :
			RSA_padding_check_PKCS1_OAEP_mgf1(
				out, static_cast<int>(outsize), em.data(), n, n, o.label,
				static_cast<int>(o.labellen), o.md, o.mgf1);
	// All ones when r < 0 (a bad padding), else zero.
	const std::size_t bad = 0 - (static_cast<std::size_t>(static_cast<unsigned>(r)) >>
				     (sizeof(unsigned) * 8 - 1));
	*outlen = (bad & *outlen) | (~bad & static_cast<std::size_t>(static_cast<unsigned>(r)));
	return static_cast<int>(~bad & 1);
}

// ---- Dispatch functions ----

void *ac_newctx(void *provctx)
{
	auto *c = new (std::nothrow) CipherCtx;
	if (!c)
		return nullptr;
	c->prov = static_cast<Provider *>(provctx);
	c->dctx = dfn<OSSL_FUNC_asym_cipher_newctx_fn>(OSSL_FUNC_ASYM_CIPHER_NEWCTX)(
		g_default_provider.provctx);
	if (!c->dctx) {
		delete c;
		return nullptr;
	}
	return c;
}

void *ac_dupctx(void *vctx)
{
	auto *c = static_cast<CipherCtx *>(vctx);
	auto *d = new (std::nothrow) CipherCtx;
	if (!d)
		return nullptr;
	d->prov = c->prov;
	d->key = c->key;
	d->dctx = dfn<OSSL_FUNC_asym_cipher_dupctx_fn>(OSSL_FUNC_ASYM_CIPHER_DUPCTX)(c->dctx);
	if (!d->dctx) {
		delete d;
		return nullptr;
	}
	return d;
}

void ac_freectx(void *vctx)
{
	delete static_cast<CipherCtx *>(vctx);
}

// Sets parameters on the default context, without the caller's properties
// for fetching digests: the default context fetches them in our private
// library context, where the default provider is all there is.
int set_default(CipherCtx *c, const OSSL_PARAM params[])
{
	auto set = dfn<OSSL_FUNC_asym_cipher_set_ctx_params_fn>(
		OSSL_FUNC_ASYM_CIPHER_SET_CTX_PARAMS);
	return forward_set(c->prov, params,
			   { OSSL_ASYM_CIPHER_PARAM_OAEP_DIGEST_PROPS,
			     OSSL_ASYM_CIPHER_PARAM_MGF1_DIGEST_PROPS },
			   [&](const OSSL_PARAM *p) { return set(c->dctx, p); });
}

int ac_encrypt_init(void *vctx, void *provkey, const OSSL_PARAM params[])
{
	auto *c = static_cast<CipherCtx *>(vctx);
	c->key.reset(static_cast<PKey *>(provkey));
	return dfn<OSSL_FUNC_asym_cipher_encrypt_init_fn>(OSSL_FUNC_ASYM_CIPHER_ENCRYPT_INIT)(
		       c->dctx, default_keydata(provkey), nullptr) &&
	       set_default(c, params);
}

int ac_decrypt_init(void *vctx, void *provkey, const OSSL_PARAM params[])
{
	auto *c = static_cast<CipherCtx *>(vctx);
	c->key.reset(static_cast<PKey *>(provkey));
	return dfn<OSSL_FUNC_asym_cipher_decrypt_init_fn>(OSSL_FUNC_ASYM_CIPHER_DECRYPT_INIT)(
		       c->dctx, default_keydata(provkey), nullptr) &&
	       set_default(c, params);
}

int ac_encrypt(void *vctx, unsigned char *out, std::size_t *outlen, std::size_t outsize,
	       const unsigned char *in, std::size_t inlen)
{
	return do_encrypt(static_cast<CipherCtx *>(vctx), out, outlen, outsize, in, inlen);
}

int ac_decrypt(void *vctx, unsigned char *out, std::size_t *outlen, std::size_t outsize,
	       const unsigned char *in, std::size_t inlen)
{
	return do_decrypt(static_cast<CipherCtx *>(vctx), out, outlen, outsize, in, inlen);
}

int ac_get_ctx_params(void *vctx, OSSL_PARAM params[])
{
	return get_ctx(static_cast<CipherCtx *>(vctx)->dctx, params);
}

int ac_set_ctx_params(void *vctx, const OSSL_PARAM params[])
{
	return set_default(static_cast<CipherCtx *>(vctx), params);
}

const OSSL_PARAM *ac_gettable_ctx_params(void *, void *)
{
	return default_ctx_params_list(dfns(), OSSL_FUNC_ASYM_CIPHER_GETTABLE_CTX_PARAMS);
}

const OSSL_PARAM *ac_settable_ctx_params(void *, void *)
{
	return default_ctx_params_list(dfns(), OSSL_FUNC_ASYM_CIPHER_SETTABLE_CTX_PARAMS);
}

const OSSL_DISPATCH rsa_asym_cipher_table[] = {
	{ OSSL_FUNC_ASYM_CIPHER_NEWCTX, dispatch_fn(&ac_newctx) },
	{ OSSL_FUNC_ASYM_CIPHER_ENCRYPT_INIT, dispatch_fn(&ac_encrypt_init) },
	{ OSSL_FUNC_ASYM_CIPHER_ENCRYPT, dispatch_fn(&ac_encrypt) },
	{ OSSL_FUNC_ASYM_CIPHER_DECRYPT_INIT, dispatch_fn(&ac_decrypt_init) },
	{ OSSL_FUNC_ASYM_CIPHER_DECRYPT, dispatch_fn(&ac_decrypt) },
	{ OSSL_FUNC_ASYM_CIPHER_FREECTX, dispatch_fn(&ac_freectx) },
	{ OSSL_FUNC_ASYM_CIPHER_DUPCTX, dispatch_fn(&ac_dupctx) },
	{ OSSL_FUNC_ASYM_CIPHER_GET_CTX_PARAMS, dispatch_fn(&ac_get_ctx_params) },
	{ OSSL_FUNC_ASYM_CIPHER_GETTABLE_CTX_PARAMS, dispatch_fn(&ac_gettable_ctx_params) },
	{ OSSL_FUNC_ASYM_CIPHER_SET_CTX_PARAMS, dispatch_fn(&ac_set_ctx_params) },
	{ OSSL_FUNC_ASYM_CIPHER_SETTABLE_CTX_PARAMS, dispatch_fn(&ac_settable_ctx_params) },
	{ 0, nullptr },
};

} // namespace

const OSSL_DISPATCH *rsa_asym_cipher_fns()
{
	return rsa_asym_cipher_table;
}

} // namespace ocfprov
