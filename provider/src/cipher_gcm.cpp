// SPDX-License-Identifier: LGPL-2.1-or-later
// AES-GCM.
//
// The default provider's context (the "default context") sees every call
// and stays the authority on the IV (including TLS 1.2's fixed and
// generated IVs and OpenSSH's incrementing one), the tag and the stream
// state, except for the two cases OCF takes over:
// - a message whose data comes in one update after its IV, AAD (collected
//   as it arrives) and, when decrypting, its tag are known: one OCF AEAD
//   request. Should more data follow, the default context is given the data
//   OCF did ("replay") and carries on; a tag that does not verify sends the
//   data to the default context too, which then fails at final as it should;
// - a TLS 1.2 record (libssl's TLS1_AAD mode): one OCF request per record,
//   with the IV taken from (and advanced in) the default context.
#include "device.hpp"
#include "ocf_session.hpp"
#include "params.hpp"
#include "prov.hpp"

#include <openssl/err.h>
#include <openssl/evp.h>

#include <linux/ocf.h>

#include <cerrno>
#include <algorithm>
#include <cstring>
#include <new>
#include <vector>

namespace ocfprov {
namespace {

constexpr std::size_t kTlsAadLen = 13;		// EVP_AEAD_TLS1_AAD_LEN
constexpr std::size_t kTlsExplicitIv = 8;	// EVP_GCM_TLS_EXPLICIT_IV_LEN
constexpr std::size_t kTagLen = 16;
constexpr std::size_t kMaxAad = 64 * 1024;	// collected for OCF; beyond: software

enum class Ocf { None, Done, Final };

struct GcmCtx : Wrapper<CipherAlg, CipherFns> {
	bool enc = true;
	bool key_set = false;
	bool may_use_ocf = false;

	// The IV of the current message, when we know it.
	unsigned char iv[128] = {};
	std::size_t ivlen = 12;
	bool iv_known = false;

	// The current message.
	bool data_seen = false;
	SecretBytes aad;
	bool aad_overflow = false;
	unsigned char tag[kTagLen] = {};	// decrypt: the expected tag
	std::size_t taglen = 0;
	Ocf ocf = Ocf::None;
	std::size_t ocf_aadlen = 0, ocf_len = 0;
	unsigned char ocf_tag[kTagLen] = {};

	// TLS 1.2 record mode: the AAD of the next record.
	unsigned char tls_aad[kTlsAadLen] = {};
	bool tls_aad_set = false;

	SecretBytes src, dst;	// request buffers (src kept for replay)
	OcfSession session;	// one per tag length in use

	GcmCtx() = default;
	// dupctx (dup_wrapper): every member as it is.
	GcmCtx(const GcmCtx &) = default;
	GcmCtx &operator=(const GcmCtx &) = delete;

	~GcmCtx()
	{
		if (!src.empty())
			cleanse(src.data(), src.size());
		if (!dst.empty())
			cleanse(dst.data(), dst.size());
	}
};

GcmCtx *ctx_of(void *v)
{
	return static_cast<GcmCtx *>(v);
}

void new_message(GcmCtx *c)
{
	c->data_seen = false;
	c->aad.clear();
	c->aad_overflow = false;
	c->ocf = Ocf::None;
}

// At init the copy of the tag that OCF would check is dropped: OCF checks
// only a tag given for this message. A message without one goes to the
// default context, which answers as the default provider does (OpenSSL 3.0
// keeps the last tag across init).
void forget_tag(GcmCtx *c)
{
	cleanse(c->tag, sizeof(c->tag));
	c->taglen = 0;
}

// The default context's current IV (the one the next message uses).
bool pull_iv(GcmCtx *c)
{
	std::size_t len = 0;
	if (!default_get_one(*c->default_impl, c->default_ctx,
			     OSSL_PARAM_construct_size_t(OSSL_CIPHER_PARAM_IVLEN, &len)) ||
	    len == 0 || len > sizeof(c->iv))
		return false;
	ERR_set_mark();
	bool ok = default_get_one(
		*c->default_impl, c->default_ctx,
		OSSL_PARAM_construct_octet_string(OSSL_CIPHER_PARAM_IV, c->iv, len));
	ERR_pop_to_mark();
	c->ivlen = len;
	c->iv_known = ok;
	return ok;
}

// One OCF AEAD request: aad || text || tag. Returns the status (0,
// -EBADMSG, ...); the result is in c->dst.
int ocf_aead(GcmCtx *c, bool enc, const unsigned char *aad, std::size_t aadlen,
	     const unsigned char *text, std::size_t len, const unsigned char *tag,
	     std::size_t taglen, const unsigned char *iv)
{
	ocf_session_params params{};
	params.cipher = OCF_AEAD_AES_GCM;
	params.mac_len = static_cast<std::uint32_t>(taglen);
	if (!c->session.ensure(params, c->prov))
		return -ENODEV;
	std::size_t total = aadlen + len + taglen;
	try {
		c->src.resize(total);
		c->dst.resize(total);
	} catch (...) {
		return -ENOMEM;
	}
	if (aadlen)
		std::memcpy(c->src.data(), aad, aadlen);
	if (len)
		std::memcpy(c->src.data() + aadlen, text, len);
	if (!enc)
		std::memcpy(c->src.data() + aadlen + len, tag, taglen);
	ocf_op op;
	ocf_op_aead(&op, 0, enc ? OCF_OP_ENCRYPT : OCF_OP_DECRYPT, c->src.data(), c->dst.data(),
		    static_cast<std::uint32_t>(aadlen), static_cast<std::uint32_t>(len),
		    static_cast<std::uint32_t>(taglen), iv);
	// Never in place (c->src, c->dst): whatever failed, the caller's data
	// is intact for the default context.
	int r = 0;
	submit(c->session, op, false, c->prov, "AEAD request", &r);
	return r;
}

// After OCF finished a message the default context only saw the start of, it
// must refuse to go on with that IV as OpenSSL's own does (no keystream
// reuse by mistake): changing the IV length there and back marks its IV
// finished.
void finish_default_ctx(GcmCtx *c)
{
	std::size_t len = 0;
	if (!default_get_one(*c->default_impl, c->default_ctx,
			     OSSL_PARAM_construct_size_t(OSSL_CIPHER_PARAM_IVLEN, &len)))
		return;
	std::size_t other = len == 12 ? 13 : 12;
	default_set_one(*c->default_impl, c->default_ctx,
			OSSL_PARAM_construct_size_t(OSSL_CIPHER_PARAM_AEAD_IVLEN, &other));
	default_set_one(*c->default_impl, c->default_ctx,
			OSSL_PARAM_construct_size_t(OSSL_CIPHER_PARAM_AEAD_IVLEN, &len));
}

// Gives the default context the data an OCF request did, so that it can go on
// with the message.
bool replay(GcmCtx *c)
{
	c->ocf = Ocf::None;
	std::size_t o = 0;
	return c->default_impl->update(c->default_ctx, c->dst.data(), &o, c->ocf_len,
				       c->src.data() + c->ocf_aadlen, c->ocf_len);
}

// The whole message's data in one update: OCF, if it is worth it. 1 done,
// 0 declined (the caller goes to software).
int try_ocf_message(GcmCtx *c, unsigned char *out, const unsigned char *in, std::size_t inl)
{
	if (c->data_seen || !c->iv_known || c->ivlen != 12 || c->aad_overflow || !c->key_set ||
	    (!c->enc && c->taglen == 0))
		return 0;
	std::size_t max_len = 0, taglen = c->enc ? kTagLen : c->taglen;
	if (!use_ocf(c->prov, OCF_AEAD_AES_GCM, OCF_ALG_NONE, inl, &max_len) ||
	    c->aad.size() + inl + taglen > max_len)
		return 0;
	int r = ocf_aead(c, c->enc, c->aad.data(), c->aad.size(), in, inl, c->tag, taglen, c->iv);
	if (r != 0)
		return 0;	// a bad tag too: the default context decrypts and fails at final
	std::memcpy(out, c->dst.data() + c->aad.size(), inl);
	if (c->enc)
		std::memcpy(c->ocf_tag, c->dst.data() + c->aad.size() + inl, kTagLen);
	c->ocf = Ocf::Done;
	c->ocf_aadlen = c->aad.size();
	c->ocf_len = inl;
	c->data_seen = true;
	return 1;
}

// libssl's TLS 1.2 record: explicit IV (8) || text || tag (16), in place.
int tls_record(GcmCtx *c, unsigned char *out, std::size_t *outl, std::size_t outsize,
	       const unsigned char *in, std::size_t len, bool cipher_call)
{
	c->tls_aad_set = false;
	std::size_t max_len = 0;
	bool ocf = out == in && len >= kTlsExplicitIv + kTagLen && outsize >= len &&
		   use_ocf(c->prov, OCF_AEAD_AES_GCM, OCF_ALG_NONE, len, &max_len) &&
		   len + kTlsAadLen <= max_len && c->key_set;
	if (ocf) {
		std::size_t textlen = len - kTlsExplicitIv - kTagLen;
		unsigned char aad[kTlsAadLen];
		std::memcpy(aad, c->tls_aad, kTlsAadLen);
		aad[11] = static_cast<unsigned char>(textlen >> 8);
		aad[12] = static_cast<unsigned char>(textlen);
		if (c->enc) {
			// The IV the default context generates next; it writes the explicit part.
			if (!pull_iv(c) || c->ivlen != 12 ||
			    !default_get_one(*c->default_impl, c->default_ctx,
					     OSSL_PARAM_construct_octet_string(
						     OSSL_CIPHER_PARAM_AEAD_TLS1_GET_IV_GEN, out,
						     kTlsExplicitIv))) {
				OCF_RAISE(c->prov, R_OPERATION_FAILED, "no TLS IV");
				return 0;
			}
		} else {
			if (!default_set_one(*c->default_impl, c->default_ctx,
					     OSSL_PARAM_construct_octet_string(
						     OSSL_CIPHER_PARAM_AEAD_TLS1_SET_IV_INV,
						     const_cast<unsigned char *>(in),
						     kTlsExplicitIv)) ||
			    !pull_iv(c) || c->ivlen != 12) {
				OCF_RAISE(c->prov, R_OPERATION_FAILED, "no TLS IV");
				return 0;
			}
		}
		c->iv_known = false;
		const unsigned char *text = in + kTlsExplicitIv;
		int r = ocf_aead(c, c->enc, aad, kTlsAadLen, text, textlen, text + textlen, kTagLen,
				 c->iv);
		if (r == 0 || r == -EBADMSG)
			finish_default_ctx(c);
		if (r == 0) {
			std::memcpy(out + kTlsExplicitIv, c->dst.data() + kTlsAadLen,
				    textlen + (c->enc ? kTagLen : 0));
			*outl = cipher_call ? len : c->enc ? len : textlen;
			return 1;
		}
		if (r == -EBADMSG) {
			cleanse(out + kTlsExplicitIv, textlen);
			OCF_RAISE(c->prov, R_BAD_TAG);
			return 0;
		}
		// Declined: the default context does the record (with the next IV
		// when encrypting, which is as good).
	}
	return default_tls_record(*c->default_impl, c->default_ctx, c->tls_aad, kTlsAadLen,
				  cipher_call, out, outl, outsize, in, len);
}

// ---- Dispatch functions ----

int gcm_set_ctx_params(void *v, const OSSL_PARAM params[]);

int gcm_init(GcmCtx *c, bool enc, const unsigned char *key, std::size_t keylen,
	     const unsigned char *iv, std::size_t ivlen, const OSSL_PARAM params[])
{
	auto init = enc ? c->default_impl->einit : c->default_impl->dinit;
	if (!init(c->default_ctx, key, keylen, iv, ivlen, nullptr))
		return 0;
	c->enc = enc;
	if (iv) {
		std::memcpy(c->iv, iv, ivlen);
		c->ivlen = ivlen;
		c->iv_known = true;
	}
	if (key) {
		bool key_fits = c->session.set_cipher_key({ key, c->alg->keylen });
		c->key_set = true;
		c->may_use_ocf = key_fits && ocf_possible(c->prov, OCF_AEAD_AES_GCM, OCF_ALG_NONE);
	}
	new_message(c);
	forget_tag(c);
	c->tls_aad_set = false;
	return gcm_set_ctx_params(c, params);
}

int gcm_update(void *v, unsigned char *out, std::size_t *outl, std::size_t outsize,
	       const unsigned char *in, std::size_t inl)
{
	GcmCtx *c = ctx_of(v);
	if (!c->may_use_ocf)
		return c->default_impl->update(c->default_ctx, out, outl, outsize, in, inl);
	if (c->tls_aad_set)
		return tls_record(c, out, outl, outsize, in, inl, false);
	if (inl == 0 || !in)
		return c->default_impl->update(c->default_ctx, out, outl, outsize, in, inl);
	if (c->ocf == Ocf::Final) {
		OCF_RAISE(c->prov, R_OPERATION_FAILED, "message already finished");
		return 0;
	}
	if (c->ocf == Ocf::Done && !replay(c))
		return 0;
	if (!out) {	// additional data
		if (!c->default_impl->update(c->default_ctx, out, outl, outsize, in, inl))
			return 0;
		if (!c->data_seen && !c->aad_overflow) {
			if (c->aad.size() + inl > kMaxAad) {
				c->aad_overflow = true;
			} else {
				try {
					c->aad.insert(c->aad.end(), in, in + inl);
				} catch (...) {
					c->aad_overflow = true;
				}
			}
		}
		return 1;
	}
	if (outsize < inl) {
		OCF_RAISE(c->prov, R_OUTPUT_TOO_SMALL);
		return 0;
	}
	if (try_ocf_message(c, out, in, inl)) {
		*outl = inl;
		return 1;
	}
	c->data_seen = true;
	return c->default_impl->update(c->default_ctx, out, outl, outsize, in, inl);
}

int gcm_final(void *v, unsigned char *out, std::size_t *outl, std::size_t outsize)
{
	GcmCtx *c = ctx_of(v);
	if (!c->may_use_ocf)
		return c->default_impl->final(c->default_ctx, out, outl, outsize);
	if (c->tls_aad_set) {
		c->tls_aad_set = false;
		OCF_RAISE(c->prov, R_OPERATION_FAILED, "TLS record mode has no final");
		return 0;
	}
	c->iv_known = false;
	if (c->ocf == Ocf::Done) {
		c->ocf = Ocf::Final;
		finish_default_ctx(c);
		*outl = 0;
		return 1;
	}
	if (c->ocf == Ocf::Final) {
		OCF_RAISE(c->prov, R_OPERATION_FAILED, "message already finished");
		return 0;
	}
	c->aad.clear();
	return c->default_impl->final(c->default_ctx, out, outl, outsize);
}

// EVP_Cipher(): AAD when out is NULL, final when in is NULL.
int gcm_cipher(void *v, unsigned char *out, std::size_t *outl, std::size_t outsize,
	       const unsigned char *in, std::size_t inl)
{
	GcmCtx *c = ctx_of(v);
	if (!c->may_use_ocf)
		return c->default_impl->cipher(c->default_ctx, out, outl, outsize, in, inl);
	if (c->tls_aad_set)
		return tls_record(c, out, outl, outsize, in, inl, true);
	std::size_t o = 0;
	int r = in ? gcm_update(c, out, &o, outsize, in, inl) : gcm_final(c, out, &o, outsize);
	if (r)
		*outl = inl;
	return r;
}

int gcm_get_ctx_params(void *v, OSSL_PARAM params[])
{
	GcmCtx *c = ctx_of(v);
	if (!c->may_use_ocf)
		return c->default_impl->get_ctx_params(c->default_ctx, params);
	if (find_param(params, OSSL_CIPHER_PARAM_AEAD_TLS1_GET_IV_GEN)) {
		// The IV the default context is about to hand out and use.
		pull_iv(c);
		new_message(c);
	}
	bool own_tag = c->enc && c->ocf == Ocf::Final;
	bool own_pad = c->tls_aad_set;
	if (!forward_get(c->prov, params,
			 { own_tag ? OSSL_CIPHER_PARAM_AEAD_TAG : "",
			   own_pad ? OSSL_CIPHER_PARAM_AEAD_TLS1_AAD_PAD : "" },
			 [c](OSSL_PARAM *p) {
				 return c->default_impl->get_ctx_params(c->default_ctx, p);
			 }))
		return 0;
	if (OSSL_PARAM *p = own_tag ? find_param(params, OSSL_CIPHER_PARAM_AEAD_TAG) : nullptr) {
		if (p->data_size == 0 || p->data_size > kTagLen ||
		    !OSSL_PARAM_set_octet_string(p, c->ocf_tag, p->data_size)) {
			OCF_RAISE(c->prov, R_BAD_TAG);
			return 0;
		}
	}
	if (OSSL_PARAM *p = own_pad ? find_param(params, OSSL_CIPHER_PARAM_AEAD_TLS1_AAD_PAD) : nullptr)
		if (!OSSL_PARAM_set_size_t(p, kTagLen))
			return 0;
	return 1;
}

int gcm_set_ctx_params(void *v, const OSSL_PARAM params[])
{
	GcmCtx *c = ctx_of(v);
	if (!params || !params->key)
		return 1;
	// A context that cannot use OCF has nothing to note (a tag or IV given
	// before the key that lets it use OCF only costs that message OCF).
	if (!c->may_use_ocf)
		return c->default_impl->set_ctx_params(c->default_ctx, params);
	const OSSL_PARAM *aad = find_param(params, OSSL_CIPHER_PARAM_AEAD_TLS1_AAD);
	if (aad) {
		// Kept for the record; the default context only gets it if the
		// record goes to software.
		if (aad->data_type != OSSL_PARAM_OCTET_STRING || aad->data_size != kTlsAadLen) {
			OCF_RAISE(c->prov, R_INVALID_PARAM, "TLS AAD");
			return 0;
		}
		const auto *a = static_cast<const unsigned char *>(aad->data);
		std::size_t len = static_cast<std::size_t>(a[11] << 8 | a[12]);
		if (len < kTlsExplicitIv + (c->enc ? 0 : kTagLen)) {
			OCF_RAISE(c->prov, R_INVALID_PARAM, "TLS AAD length");
			return 0;
		}
		std::memcpy(c->tls_aad, a, kTlsAadLen);
		c->tls_aad_set = true;
	}
	if (!forward_set(c->prov, params, { aad ? OSSL_CIPHER_PARAM_AEAD_TLS1_AAD : "" },
			 [c](const OSSL_PARAM *p) {
				 return c->default_impl->set_ctx_params(c->default_ctx, p);
			 }))
		return 0;
	// What the default context took that we need to know.
	if (const OSSL_PARAM *p = find_param(params, OSSL_CIPHER_PARAM_AEAD_TAG)) {
		if (!c->enc && p->data && p->data_size <= kTagLen) {
			std::memcpy(c->tag, p->data, p->data_size);
			c->taglen = p->data_size;
			// A tag given after OCF decrypted the data (OpenSSL's documented
			// order) is checked by the default context: it gets the data and
			// the tag, and its final decides.
			if (c->ocf == Ocf::Done && !replay(c))
				return 0;
		}
	}
	if (const OSSL_PARAM *p = find_param(params, OSSL_CIPHER_PARAM_AEAD_IVLEN)) {
		std::size_t len = 0;
		if (OSSL_PARAM_get_size_t(p, &len) && len != c->ivlen) {
			c->ivlen = len;
			c->iv_known = false;
		}
	}
	if (find_param(params, OSSL_CIPHER_PARAM_AEAD_TLS1_IV_FIXED) ||
	    find_param(params, OSSL_CIPHER_PARAM_AEAD_TLS1_SET_IV_INV)) {
		pull_iv(c);
		new_message(c);
	}
	return 1;
}


} // namespace

void *gcm_cipher_newctx(Provider *prov, std::size_t idx)
{
	return new_wrapper<GcmCtx>(prov, g_default_provider.ciphers[idx]);
}

const OSSL_DISPATCH gcm_cipher_fns[] = {
	{ OSSL_FUNC_CIPHER_FREECTX, dispatch_fn(&free_context<GcmCtx>) },
	{ OSSL_FUNC_CIPHER_DUPCTX, dispatch_fn(&dup_context<GcmCtx>) },
	{ OSSL_FUNC_CIPHER_ENCRYPT_INIT,
	  dispatch_fn(&cipher_init_entry<GcmCtx, gcm_init, true>) },
	{ OSSL_FUNC_CIPHER_DECRYPT_INIT,
	  dispatch_fn(&cipher_init_entry<GcmCtx, gcm_init, false>) },
	{ OSSL_FUNC_CIPHER_UPDATE, dispatch_fn(&gcm_update) },
	{ OSSL_FUNC_CIPHER_FINAL, dispatch_fn(&gcm_final) },
	{ OSSL_FUNC_CIPHER_CIPHER, dispatch_fn(&gcm_cipher) },
	{ OSSL_FUNC_CIPHER_GET_CTX_PARAMS, dispatch_fn(&gcm_get_ctx_params) },
	{ OSSL_FUNC_CIPHER_SET_CTX_PARAMS, dispatch_fn(&gcm_set_ctx_params) },
	{ 0, nullptr },
};

} // namespace ocfprov
