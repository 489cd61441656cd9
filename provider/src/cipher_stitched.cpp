// SPDX-License-Identifier: LGPL-2.1-or-later
// The TLS 1.2 "stitched" ciphers AES-{128,256}-CBC-HMAC-SHA{1,256}:
// MAC-then-encrypt records, as libssl uses them when encrypt-then-MAC is off.
//
// Offered only where the default provider has them (AES-NI), whose
// implementation serves everything but large TLS records: those go to OCF as
// one cipher+MAC chain request (OCF_SESSION_MAC_THEN_CIPHER) each.
//
// The parameter contract is OpenSSL's: the MAC key (AEAD_MAC_KEY), the TLS
// version, and per record the 13-byte TLS AAD (sequence number, type,
// version, length), whose answer (AEAD_TLS1_AAD_PAD) is, when encrypting,
// the room for MAC and padding to add to the record. Encrypting, the record
// is [explicit IV block, TLS 1.1+][payload][room]; decrypting, the update's
// output length is the payload's (explicit IV, MAC and padding removed).
//
// The OCF layout in place (TLS 1.1+), with C0 the encrypted explicit IV
// block (one AES block done in software, as the chain needs it first):
//   [3, 16)  the AAD, written over the explicit IV block (restored after)
//   [16, 16 + payload) payload, MAC, padding: the cipher region, IV = C0
// The MAC covers [3, 16 + payload). TLS 1.0 (no explicit IV) goes through a
// buffer with the AAD in front.
//
// Decrypting, a MAC-then-cipher chain request cannot be used: the MAC
// covers the payload, whose length follows from the padding length, so the
// request (and its duration) would depend on the padding (Lucky 13). The
// record is decrypted through OCF with a cipher-only session (its duration
// depends on the record's length only), and the padding and HMAC are
// checked here in constant time (tls_cbc.cpp), as OpenSSL's own code does.
#include "device.hpp"
#include "ocf_session.hpp"
#include "params.hpp"
#include "prov.hpp"
#include "tls_cbc.hpp"

#include <openssl/evp.h>
#include <openssl/prov_ssl.h>

#include <linux/ocf.h>

#include <cerrno>
#include <cstring>
#include <new>
#include <vector>

namespace ocfprov {
namespace {

constexpr std::size_t kAadLen = 13;	// EVP_AEAD_TLS1_AAD_LEN
constexpr std::size_t kBlock = 16;

// The default provider's AES-CBC for single blocks (the chain request
// needs the encrypted explicit IV block first), made on first use. A copy
// of the context starts without one (it is not shared: each frees its own).
struct SingleBlockCbc {
	const CipherFns *fns = nullptr;
	void *ctx = nullptr;
	bool keyed = false;

	SingleBlockCbc() = default;
	SingleBlockCbc(const SingleBlockCbc &) : SingleBlockCbc() {}
	SingleBlockCbc &operator=(const SingleBlockCbc &) = delete;
	~SingleBlockCbc()
	{
		if (ctx)
			fns->freectx(ctx);
	}
};

struct StitchedCtx : Wrapper<CipherAlg, CipherFns> {
	SingleBlockCbc cbc;
	bool enc = true;
	bool key_set = false;
	bool may_use_ocf = false;
	bool mac_key_ok = false;	// given, and short enough for OCF
	unsigned char tls_aad[kAadLen] = {};
	bool tls_aad_set = false;
	std::size_t tls_pad = 0;
	std::size_t remove_fixed = 0;	// what decryption strips besides the padding
	bool oiv_set = false;
	unsigned char oiv[kBlock] = {};
	ScratchBytes bounce;
	OcfSession session;	// holds the cipher and MAC keys

	StitchedCtx() = default;
	// dupctx (dup_wrapper): every member as it is (the scratch buffer and
	// the single-block helper start empty).
	StitchedCtx(const StitchedCtx &) = default;
	StitchedCtx &operator=(const StitchedCtx &) = delete;
};

StitchedCtx *ctx_of(void *v)
{
	return static_cast<StitchedCtx *>(v);
}

bool pull_iv(StitchedCtx *c, unsigned char iv[kBlock])
{
	return default_get_one(
		*c->default_impl, c->default_ctx,
		OSSL_PARAM_construct_octet_string(OSSL_CIPHER_PARAM_UPDATED_IV, iv, kBlock));
}

bool push_iv(StitchedCtx *c, const unsigned char iv[kBlock])
{
	auto init = c->enc ? c->default_impl->einit : c->default_impl->dinit;
	return init(c->default_ctx, nullptr, 0, iv, kBlock, nullptr) == 1;
}

// One AES-CBC block with @iv, in the context's direction.
bool one_block(StitchedCtx *c, const unsigned char iv[kBlock], const unsigned char *in,
	       unsigned char *out)
{
	SingleBlockCbc &cbc = c->cbc;
	if (!cbc.ctx) {
		for (const BoundCipher &b : g_default_provider.ciphers)
			if (b.available && b.alg->kind == CipherKind::Cbc &&
			    b.alg->ocf_cipher == OCF_CIPHER_AES_CBC &&
			    b.alg->keylen == c->alg->keylen)
				cbc.fns = &b.default_impl;
		if (!cbc.fns || !(cbc.ctx = cbc.fns->newctx(g_default_provider.provctx)))
			return false;
	}
	auto init = c->enc ? cbc.fns->einit : cbc.fns->dinit;
	unsigned pad = 0;
	OSSL_PARAM p[] = { OSSL_PARAM_construct_uint(OSSL_CIPHER_PARAM_PADDING, &pad),
			   OSSL_PARAM_construct_end() };
	if (!init(cbc.ctx, cbc.keyed ? nullptr : c->session.cipher_key().data(), c->alg->keylen,
		  iv, kBlock, p))
		return false;
	cbc.keyed = true;
	std::size_t o = 0;
	return cbc.fns->update(cbc.ctx, out, &o, kBlock, in, kBlock) && o == kBlock;
}

// The session a record needs. Encrypting: one MAC-then-cipher chain per
// record. Decrypting: AES-CBC alone (the MAC is checked in constant time
// here, see the top).
ocf_session_params record_session(const StitchedCtx *c)
{
	ocf_session_params p{};
	p.cipher = OCF_CIPHER_AES_CBC;
	if (c->enc) {
		p.mac = c->alg->ocf_mac;
		p.flags = OCF_SESSION_MAC_THEN_CIPHER;
	}
	return p;
}

// The chain request: MAC over [auth, auth + authlen) written at @mac, then
// the cipher region [cipher, len) encrypted (or the reverse, decrypting).
// @in_place: @buf is the caller's record.
OcfOutcome run_chain(StitchedCtx *c, unsigned char *buf, std::size_t len, std::size_t auth,
		     std::size_t authlen, std::size_t mac, std::size_t cipher,
		     const unsigned char *iv, bool in_place)
{
	ocf_op op{};
	op.op = c->enc ? OCF_OP_ENCRYPT : OCF_OP_DECRYPT;
	op.src = reinterpret_cast<std::uintptr_t>(buf);
	op.dst = 0;	// in place
	op.len = static_cast<std::uint32_t>(len);
	op.cipher_offset = static_cast<std::uint32_t>(cipher);
	op.cipher_len = static_cast<std::uint32_t>(len - cipher);
	op.auth_offset = static_cast<std::uint32_t>(auth);
	op.auth_len = static_cast<std::uint32_t>(authlen);
	op.mac_offset = static_cast<std::uint32_t>(mac);
	op.iv = reinterpret_cast<std::uintptr_t>(iv);
	return submit(c->session, op, in_place, c->prov, "TLS record");
}

unsigned tls_version(const unsigned char aad[kAadLen])
{
	return static_cast<unsigned>(aad[9] << 8 | aad[10]);
}

// Encrypts one record through OCF. 1 done, 0 declined (nothing changed that
// the default implementation needs), -1 failed.
int ocf_encrypt(StitchedCtx *c, unsigned char *out, const unsigned char *in, std::size_t len,
		std::size_t max_len)
{
	const std::size_t maclen = c->alg->maclen;
	std::size_t plen = static_cast<std::size_t>(c->tls_aad[11] << 8 | c->tls_aad[12]);
	std::size_t explicit_iv = tls_version(c->tls_aad) >= TLS1_1_VERSION ? kBlock : 0;
	if (len % kBlock || len != ((plen + maclen + kBlock) & ~(kBlock - 1)) || plen < explicit_iv) {
		OCF_RAISE(c->prov, R_BAD_LENGTH, "TLS record length %zu for payload %zu", len, plen);
		return -1;
	}
	if (len + kAadLen > max_len || !c->mac_key_ok ||
	    !c->session.ensure(record_session(c), c->prov))
		return 0;
	std::size_t payload = plen - explicit_iv;
	unsigned char civ[kBlock], c0[kBlock], p0[kBlock], aad[kAadLen];
	if (!pull_iv(c, civ))
		return 0;
	std::memcpy(aad, c->tls_aad, kAadLen);
	aad[11] = static_cast<unsigned char>(payload >> 8);
	aad[12] = static_cast<unsigned char>(payload);
	const unsigned char last_pad = static_cast<unsigned char>(len - plen - maclen - 1);
	OcfOutcome r;
	if (explicit_iv) {
		if (out != in)
			std::memcpy(out, in, plen);
		std::memcpy(p0, out, kBlock);
		if (!one_block(c, civ, p0, c0))
			return 0;
		std::memset(out + plen + maclen, last_pad, len - plen - maclen);
		std::memcpy(out + kBlock - kAadLen, aad, kAadLen);
		r = run_chain(c, out, len, kBlock - kAadLen, kAadLen + payload, kBlock + payload,
			      kBlock, c0, out == in);
		std::memcpy(out, r == OcfOutcome::Done ? c0 : p0, kBlock);
	} else {
		try {
			c->bounce.resize(kAadLen + len);
		} catch (...) {
			return 0;
		}
		unsigned char *b = c->bounce.data();
		std::memcpy(b, aad, kAadLen);
		std::memcpy(b + kAadLen, in, plen);
		std::memset(b + kAadLen + plen + maclen, last_pad, len - plen - maclen);
		r = run_chain(c, b, kAadLen + len, 0, kAadLen + payload, kAadLen + payload, kAadLen,
			      civ, false);
		if (r == OcfOutcome::Done)
			std::memcpy(out, b + kAadLen, len);
	}
	if (r != OcfOutcome::Done)
		return r == OcfOutcome::Software ? 0 : -1;
	if (!push_iv(c, out + len - kBlock)) {
		OCF_RAISE(c->prov, R_OPERATION_FAILED, "TLS record: chaining IV");
		return -1;
	}
	return 1;
}

// Decrypts one record: AES-CBC through OCF, then the padding and HMAC
// checked in constant time. *outl: the payload length. 1 done, 0 declined,
// -1 failed (bad MAC or padding: error raised).
int ocf_decrypt(StitchedCtx *c, unsigned char *out, const unsigned char *in, std::size_t len,
		std::size_t max_len, std::size_t *outl)
{
	const std::size_t maclen = c->alg->maclen;
	std::size_t explicit_iv = tls_version(c->tls_aad) >= TLS1_1_VERSION ? kBlock : 0;
	if (len % kBlock || len < explicit_iv + maclen + 1) {
		OCF_RAISE(c->prov, R_BAD_RECORD_MAC);
		return -1;
	}
	if (len > max_len || !c->mac_key_ok || !c->session.ensure(record_session(c), c->prov))
		return 0;
	unsigned char civ[kBlock], clast[kBlock], first[kBlock];
	if (explicit_iv)
		std::memcpy(civ, in, kBlock);
	else if (!pull_iv(c, civ))
		return 0;
	std::memcpy(clast, in + len - kBlock, kBlock);
	if (explicit_iv) {
		// OpenSSL's SHA-256 flavour decrypts the explicit IV block too (with
		// the chained IV) and leaves it in the output; the SHA-1 one leaves
		// that block alone.
		unsigned char chained[kBlock];
		std::memcpy(first, civ, kBlock);
		if (c->alg->ocf_mac == OCF_MAC_HMAC_SHA256 &&
		    (!pull_iv(c, chained) || !one_block(c, chained, civ, first)))
			return 0;
	}
	if (out != in)
		std::memcpy(out, in, len);
	ocf_op op{};
	op.op = OCF_OP_DECRYPT;
	op.src = reinterpret_cast<std::uintptr_t>(out);
	op.dst = 0;	// in place
	op.len = static_cast<std::uint32_t>(len);
	op.cipher_offset = static_cast<std::uint32_t>(explicit_iv);
	op.cipher_len = static_cast<std::uint32_t>(len - explicit_iv);
	op.iv = reinterpret_cast<std::uintptr_t>(civ);
	if (OcfOutcome r = submit(c->session, op, out == in, c->prov, "TLS record");
	    r != OcfOutcome::Done)
		return r == OcfOutcome::Software ? 0 : -1;
	if (explicit_iv)
		std::memcpy(out, first, kBlock);
	if (!push_iv(c, clast)) {
		OCF_RAISE(c->prov, R_OPERATION_FAILED, "TLS record: chaining IV");
		return -1;
	}
	std::size_t payload = 0;
	const auto hash = c->alg->ocf_mac == OCF_MAC_HMAC_SHA256 ? tls_cbc::Hash::Sha256 :
								   tls_cbc::Hash::Sha1;
	const auto mac_key = c->session.mac_key();
	if (!tls_cbc::check_record(hash, mac_key.data(), mac_key.size(), c->tls_aad,
				   out + explicit_iv, len - explicit_iv, &payload)) {
		cleanse(out + explicit_iv, len - explicit_iv);
		OCF_RAISE(c->prov, R_BAD_RECORD_MAC);
		return -1;
	}
	// As the default implementation: the output length is the record's minus
	// padding and what decryption strips (MAC, explicit IV from TLS 1.1).
	if (payload + explicit_iv + maclen < c->remove_fixed) {
		OCF_RAISE(c->prov, R_BAD_LENGTH, "TLS record shorter than what decryption strips");
		return -1;
	}
	*outl = payload + explicit_iv + maclen - c->remove_fixed;
	return 1;
}

int record(StitchedCtx *c, unsigned char *out, std::size_t *outl, std::size_t outsize,
	   const unsigned char *in, std::size_t inl, bool cipher_call)
{
	c->tls_aad_set = false;
	std::size_t max_len = 0;
	if (c->key_set && in && outsize >= inl &&
	    use_ocf(c->prov, OCF_CIPHER_AES_CBC, c->alg->ocf_mac, inl, &max_len)) {
		std::size_t o = inl;
		int r = c->enc ? ocf_encrypt(c, out, in, inl, max_len) :
				 ocf_decrypt(c, out, in, inl, max_len, &o);
		if (r < 0)
			return 0;
		if (r > 0) {
			*outl = cipher_call ? inl : o;
			return 1;
		}
	}
	return default_tls_record(*c->default_impl, c->default_ctx, c->tls_aad, kAadLen,
				  cipher_call, out, outl, outsize, in, inl);
}

// ---- Dispatch functions ----

int st_set_ctx_params(void *v, const OSSL_PARAM params[]);

int st_init(StitchedCtx *c, bool enc, const unsigned char *key, std::size_t keylen,
	    const unsigned char *iv, std::size_t ivlen, const OSSL_PARAM params[])
{
	const unsigned char *use_iv = iv;
	std::size_t use_ivlen = ivlen;
	if (!iv && c->oiv_set) {	// restart from the original IV, as CBC does
		use_iv = c->oiv;
		use_ivlen = kBlock;
	}
	auto init = enc ? c->default_impl->einit : c->default_impl->dinit;
	if (!init(c->default_ctx, key, keylen, use_iv, use_ivlen, nullptr))
		return 0;
	if (enc != c->enc) {
		// Encrypting uses a MAC-then-cipher chain session, decrypting a
		// cipher-only one: the other direction needs the other kind.
		c->session.reset();
	}
	c->enc = enc;
	c->tls_aad_set = false;
	if (iv) {
		std::memcpy(c->oiv, iv, kBlock);
		c->oiv_set = true;
	}
	if (key) {
		bool key_fits = c->session.set_cipher_key({ key, c->alg->keylen });
		c->key_set = true;
		c->cbc.keyed = false;
		c->remove_fixed = c->alg->maclen + kBlock;
		c->may_use_ocf = key_fits && ocf_possible(c->prov, OCF_CIPHER_AES_CBC, c->alg->ocf_mac);
	}
	return st_set_ctx_params(c, params);
}

int st_update(void *v, unsigned char *out, std::size_t *outl, std::size_t outsize,
	      const unsigned char *in, std::size_t inl)
{
	StitchedCtx *c = ctx_of(v);
	if (c->may_use_ocf && c->tls_aad_set)
		return record(c, out, outl, outsize, in, inl, false);
	return c->default_impl->update(c->default_ctx, out, outl, outsize, in, inl);
}

int st_cipher(void *v, unsigned char *out, std::size_t *outl, std::size_t outsize,
	      const unsigned char *in, std::size_t inl)
{
	StitchedCtx *c = ctx_of(v);
	if (c->may_use_ocf && c->tls_aad_set)
		return record(c, out, outl, outsize, in, inl, true);
	return c->default_impl->cipher(c->default_ctx, out, outl, outsize, in, inl);
}

int st_final(void *v, unsigned char *out, std::size_t *outl, std::size_t outsize)
{
	StitchedCtx *c = ctx_of(v);
	return c->default_impl->final(c->default_ctx, out, outl, outsize);
}

int st_get_ctx_params(void *v, OSSL_PARAM params[])
{
	StitchedCtx *c = ctx_of(v);
	bool own_pad = c->may_use_ocf && c->tls_aad_set;
	if (!forward_get(
		    c->prov, params,
		    { OSSL_CIPHER_PARAM_IV, own_pad ? OSSL_CIPHER_PARAM_AEAD_TLS1_AAD_PAD : "" },
		    [c](OSSL_PARAM *p) {
			    return c->default_impl->get_ctx_params(c->default_ctx, p);
		    }))
		return 0;
	if (OSSL_PARAM *p = find_param(params, OSSL_CIPHER_PARAM_IV))
		if (!set_octets(p, c->oiv, kBlock))
			return 0;
	if (OSSL_PARAM *p = own_pad ? find_param(params, OSSL_CIPHER_PARAM_AEAD_TLS1_AAD_PAD) : nullptr)
		if (!OSSL_PARAM_set_size_t(p, c->tls_pad))
			return 0;
	return 1;
}

int st_set_ctx_params(void *v, const OSSL_PARAM params[])
{
	StitchedCtx *c = ctx_of(v);
	if (!params || !params->key)
		return 1;
	// libssl's multi-block write (several records in one call, software
	// only) would take a bulk TLS 1.2 transfer past OCF: a context that may
	// use OCF declines it, and libssl then writes its records one by one.
	// (Declining is libssl's ordinary path: no error.)
	if (c->may_use_ocf && find_param(params, OSSL_CIPHER_PARAM_TLS1_MULTIBLOCK_AAD))
		return 0;
	const OSSL_PARAM *aad =
		c->may_use_ocf ? find_param(params, OSSL_CIPHER_PARAM_AEAD_TLS1_AAD) : nullptr;
	if (aad) {
		if (aad->data_type != OSSL_PARAM_OCTET_STRING || aad->data_size != kAadLen) {
			OCF_RAISE(c->prov, R_INVALID_PARAM, "TLS AAD");
			return 0;
		}
		const auto *a = static_cast<const unsigned char *>(aad->data);
		std::size_t len = static_cast<std::size_t>(a[11] << 8 | a[12]);
		if (c->enc) {
			if (tls_version(a) >= TLS1_1_VERSION) {
				if (len < kBlock) {
					OCF_RAISE(c->prov, R_INVALID_PARAM, "TLS AAD length");
					return 0;
				}
				len -= kBlock;
			}
			c->tls_pad = ((len + c->alg->maclen + kBlock) & ~(kBlock - 1)) - len;
		} else {
			c->tls_pad = c->alg->maclen;
		}
		std::memcpy(c->tls_aad, a, kAadLen);
		c->tls_aad_set = true;
	}
	if (!forward_set(c->prov, params, { aad ? OSSL_CIPHER_PARAM_AEAD_TLS1_AAD : "" },
			 [c](const OSSL_PARAM *p) {
				 return c->default_impl->set_ctx_params(c->default_ctx, p);
			 }))
		return 0;
	if (const OSSL_PARAM *p = find_param(params, OSSL_CIPHER_PARAM_AEAD_MAC_KEY)) {
		c->mac_key_ok = c->session.set_mac_key(
			{ static_cast<const unsigned char *>(p->data), p->data_size });
	}
	if (const OSSL_PARAM *p = find_param(params, OSSL_CIPHER_PARAM_TLS_VERSION)) {
		unsigned ver = 0;
		// As the default implementation: no explicit IV to strip before 1.1.
		if (OSSL_PARAM_get_uint(p, &ver) && (ver == SSL3_VERSION || ver == TLS1_VERSION) &&
		    c->remove_fixed >= kBlock)
			c->remove_fixed -= kBlock;
	}
	return 1;
}


} // namespace

void *stitched_cipher_newctx(Provider *prov, std::size_t idx)
{
	return new_wrapper<StitchedCtx>(prov, g_default_provider.ciphers[idx]);
}

const OSSL_DISPATCH stitched_cipher_fns[] = {
	{ OSSL_FUNC_CIPHER_FREECTX, dispatch_fn(&free_context<StitchedCtx>) },
	{ OSSL_FUNC_CIPHER_DUPCTX, dispatch_fn(&dup_context<StitchedCtx>) },
	{ OSSL_FUNC_CIPHER_ENCRYPT_INIT,
	  dispatch_fn(&cipher_init_entry<StitchedCtx, st_init, true>) },
	{ OSSL_FUNC_CIPHER_DECRYPT_INIT,
	  dispatch_fn(&cipher_init_entry<StitchedCtx, st_init, false>) },
	{ OSSL_FUNC_CIPHER_UPDATE, dispatch_fn(&st_update) },
	{ OSSL_FUNC_CIPHER_FINAL, dispatch_fn(&st_final) },
	{ OSSL_FUNC_CIPHER_CIPHER, dispatch_fn(&st_cipher) },
	{ OSSL_FUNC_CIPHER_GET_CTX_PARAMS, dispatch_fn(&st_get_ctx_params) },
	{ OSSL_FUNC_CIPHER_SET_CTX_PARAMS, dispatch_fn(&st_set_ctx_params) },
	{ 0, nullptr },
};

} // namespace ocfprov
