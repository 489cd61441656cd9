// SPDX-License-Identifier: LGPL-2.1-or-later
// Finite-field DH key exchange in the named groups (RFC 7919's ffdhe, RFC
// 3526's modp, RFC 5114's) through OCF: ocf_dh_compute_key gives
// peer_pub^priv mod p; the rest is the default provider's rules, which we
// read off its code path (OpenSSL 3.0, ossl_dh_compute_key and
// DH_compute_key): the modulus size limits, the shared secret z refused when
// z <= 1 or z == p - 1 (SP 800-56A 5.7.1.1), and without "pad" the leading
// zero bytes stripped. A context wraps the default's DH exchange context
// (which checks that the peer's domain matches at set_peer); with a KDF
// (X9.42) the derivation is the default's. So is a domain of no named
// group: OCF's result is right only for a prime p (swcrypt blinds the
// exponent with p - 1), and a peer-chosen p (a TLS 1.2 client's) need not be
// one; a named group's is, and the check is free.
#include "device.hpp"
#include "params.hpp"
#include "pkey.hpp"

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/dh.h>
#include <openssl/params.h>

#include <ocf/ocf.h>

#include <linux/ocf.h>

#include <cstring>
#include <new>

namespace ocfprov {
namespace {

const PkeyFns &dfns()
{
	return g_default_pkeys.dh_keyexch;
}

template <typename F>
F *dfn(int id)
{
	return dfns().get<F>(id);
}

struct ExchCtx {
	Provider *prov = nullptr;
	void *dctx = nullptr;
	PKeyRef key, peer;
	bool pad = false;

	ExchCtx() = default;
	ExchCtx(const ExchCtx &) = delete;
	ExchCtx &operator=(const ExchCtx &) = delete;
	~ExchCtx()
	{
		if (dctx)
			dfn<OSSL_FUNC_keyexch_freectx_fn>(OSSL_FUNC_KEYEXCH_FREECTX)(dctx);
	}
};

constexpr int kMinModulusBits = 512;	// OpenSSL's DH_MIN_MODULUS_BITS

int default_derive(ExchCtx *c, unsigned char *secret, std::size_t *secretlen, std::size_t outlen)
{
	return dfn<OSSL_FUNC_keyexch_derive_fn>(OSSL_FUNC_KEYEXCH_DERIVE)(c->dctx, secret,
									   secretlen, outlen);
}

bool plain_derivation(ExchCtx *c)
{
	char kdf[64];
	auto get = dfn<OSSL_FUNC_keyexch_get_ctx_params_fn>(OSSL_FUNC_KEYEXCH_GET_CTX_PARAMS);
	// No KDF type answered, or an empty one: the plain shared secret.
	return !get || !default_get_string(get, c->dctx, OSSL_EXCHANGE_PARAM_KDF_TYPE, kdf,
					   sizeof(kdf)) ||
	       !kdf[0];
}

// z through OCF into @out (the prime's size, left-padded). Software when
// OCF may not or does not do it, or z is one the default refuses (it then
// raises its own error).
KopOutcome compute(const ExchCtx *c, unsigned char *out)
{
	const PKey &k = *c->key;
	if (!c->peer || !c->peer->dh_pub || k.dh_priv.empty() || !k.dh_p || !k.dh_named ||
	    k.bits < kMinModulusBits || k.bits > OPENSSL_DH_MAX_MODULUS_BITS ||
	    (k.dh_q && BN_num_bits(k.dh_q) > OPENSSL_DH_MAX_MODULUS_BITS) ||
	    !kop_allowed(k.prov, OCF_KOP_DH_COMPUTE_KEY, k.bits))
		return KopOutcome::Software;
	ocf_device *d = dev::kop_device();
	if (!d)
		return KopOutcome::Software;
	const std::size_t size = k.bytes();
	SecretBytes pub(static_cast<std::size_t>(BN_num_bytes(c->peer->dh_pub)));
	BN_bn2bin(c->peer->dh_pub, pub.data());
	int err = ocf_dh_compute_key(d, { pub.data(), pub.size() },
				     { k.dh_priv.data(), k.dh_priv.size() },
				     { k.dh_p_bytes.data(), k.dh_p_bytes.size() }, out, size);
	if (err) {
		dev::kop_failed(err);
		debug("DH-%zu through OCF failed (%s): done in software", k.bits,
		      ocf_strerror(err));
		return KopOutcome::Software;
	}
	// z <= 1 or z == p - 1: only for a bad peer key, whose refusal is the
	// default's to raise.
	unsigned char acc = 0;
	for (std::size_t i = 0; i + 1 < size; i++)
		acc |= out[i];
	bool small = acc == 0 && out[size - 1] <= 1;
	SecretBytes pm1(k.dh_p_bytes.b);
	pm1.back() ^= 1;	// p is odd: p - 1 only clears the last bit
	bool p_minus_1 = CRYPTO_memcmp(out, pm1.data(), size) == 0;
	if (small || p_minus_1) {
		cleanse(out, size);
		return KopOutcome::Software;
	}
	return KopOutcome::Done;
}

int do_derive(ExchCtx *c, unsigned char *secret, std::size_t *secretlen, std::size_t outlen)
{
	if (!secret || !c->key || c->key->type != KeyType::Dh || !c->key->dh_p ||
	    outlen < c->key->bytes() || c->key->dh_p_bytes.size() != c->key->bytes() ||
	    !plain_derivation(c))
		return default_derive(c, secret, secretlen, outlen);
	const std::size_t size = c->key->bytes();
	SecretBytes z(size);
	if (compute(c, z.data()) != KopOutcome::Done)
		return default_derive(c, secret, secretlen, outlen);
	std::size_t npad = 0;
	if (!c->pad) {
		// Leading zero bytes counted touching every byte (the default's
		// way; the length itself is public in TLS 1.2 anyway).
		std::size_t mask = 1;
		for (std::size_t i = 0; i < size; i++) {
			mask &= static_cast<std::size_t>(z[i] == 0);
			npad += mask;
		}
	}
	std::memcpy(secret, z.data() + npad, size - npad);
	*secretlen = size - npad;
	return 1;
}

// ---- Dispatch functions ----

void *kx_newctx(void *provctx)
{
	auto *c = new (std::nothrow) ExchCtx;
	if (!c)
		return nullptr;
	c->prov = static_cast<Provider *>(provctx);
	c->dctx = dfn<OSSL_FUNC_keyexch_newctx_fn>(OSSL_FUNC_KEYEXCH_NEWCTX)(
		g_default_provider.provctx);
	if (!c->dctx) {
		delete c;
		return nullptr;
	}
	return c;
}

void *kx_dupctx(void *vctx)
{
	auto *c = static_cast<ExchCtx *>(vctx);
	auto *d = new (std::nothrow) ExchCtx;
	if (!d)
		return nullptr;
	d->prov = c->prov;
	d->key = c->key;
	d->peer = c->peer;
	d->pad = c->pad;
	d->dctx = dfn<OSSL_FUNC_keyexch_dupctx_fn>(OSSL_FUNC_KEYEXCH_DUPCTX)(c->dctx);
	if (!d->dctx) {
		delete d;
		return nullptr;
	}
	return d;
}

void kx_freectx(void *vctx)
{
	delete static_cast<ExchCtx *>(vctx);
}

// Keeps "pad" (the default's context does not answer it).
void note_pad(ExchCtx *c, const OSSL_PARAM params[])
{
	unsigned int pad = 0;
	if (const OSSL_PARAM *p = find_param(params, OSSL_EXCHANGE_PARAM_PAD))
		if (OSSL_PARAM_get_uint(p, &pad))
			c->pad = pad != 0;
}

// Sets parameters on the default context, without the caller's properties
// for fetching the KDF's digest: the default context fetches in our private
// library context, where the default provider is all there is.
int set_default(ExchCtx *c, const OSSL_PARAM params[])
{
	auto set = dfn<OSSL_FUNC_keyexch_set_ctx_params_fn>(OSSL_FUNC_KEYEXCH_SET_CTX_PARAMS);
	int r = forward_set(c->prov, params, { OSSL_EXCHANGE_PARAM_KDF_DIGEST_PROPS },
			    [&](const OSSL_PARAM *p) { return set(c->dctx, p); });
	if (r)
		note_pad(c, params);
	return r;
}

int kx_init(void *vctx, void *provkey, const OSSL_PARAM params[])
{
	auto *c = static_cast<ExchCtx *>(vctx);
	c->key.reset(static_cast<PKey *>(provkey));
	c->peer.reset(nullptr);
	c->pad = false;
	auto init = dfn<OSSL_FUNC_keyexch_init_fn>(OSSL_FUNC_KEYEXCH_INIT);
	return init(c->dctx, default_keydata(provkey), nullptr) && set_default(c, params);
}

int kx_set_peer(void *vctx, void *provkey)
{
	auto *c = static_cast<ExchCtx *>(vctx);
	auto set_peer = dfn<OSSL_FUNC_keyexch_set_peer_fn>(OSSL_FUNC_KEYEXCH_SET_PEER);
	int r = set_peer(c->dctx, default_keydata(provkey));
	if (r)
		c->peer.reset(static_cast<PKey *>(provkey));
	return r;
}

int kx_derive(void *vctx, unsigned char *secret, std::size_t *secretlen, std::size_t outlen)
{
	return do_derive(static_cast<ExchCtx *>(vctx), secret, secretlen, outlen);
}

int kx_set_ctx_params(void *vctx, const OSSL_PARAM params[])
{
	return set_default(static_cast<ExchCtx *>(vctx), params);
}

int kx_get_ctx_params(void *vctx, OSSL_PARAM params[])
{
	auto get = dfn<OSSL_FUNC_keyexch_get_ctx_params_fn>(OSSL_FUNC_KEYEXCH_GET_CTX_PARAMS);
	return get ? get(static_cast<ExchCtx *>(vctx)->dctx, params) : 1;
}

const OSSL_PARAM *kx_settable_ctx_params(void *, void *)
{
	return default_ctx_params_list(dfns(), OSSL_FUNC_KEYEXCH_SETTABLE_CTX_PARAMS);
}

const OSSL_PARAM *kx_gettable_ctx_params(void *, void *)
{
	return default_ctx_params_list(dfns(), OSSL_FUNC_KEYEXCH_GETTABLE_CTX_PARAMS);
}

const OSSL_DISPATCH dh_keyexch_table[] = {
	{ OSSL_FUNC_KEYEXCH_NEWCTX, dispatch_fn(&kx_newctx) },
	{ OSSL_FUNC_KEYEXCH_INIT, dispatch_fn(&kx_init) },
	{ OSSL_FUNC_KEYEXCH_SET_PEER, dispatch_fn(&kx_set_peer) },
	{ OSSL_FUNC_KEYEXCH_DERIVE, dispatch_fn(&kx_derive) },
	{ OSSL_FUNC_KEYEXCH_FREECTX, dispatch_fn(&kx_freectx) },
	{ OSSL_FUNC_KEYEXCH_DUPCTX, dispatch_fn(&kx_dupctx) },
	{ OSSL_FUNC_KEYEXCH_SET_CTX_PARAMS, dispatch_fn(&kx_set_ctx_params) },
	{ OSSL_FUNC_KEYEXCH_SETTABLE_CTX_PARAMS, dispatch_fn(&kx_settable_ctx_params) },
	{ OSSL_FUNC_KEYEXCH_GET_CTX_PARAMS, dispatch_fn(&kx_get_ctx_params) },
	{ OSSL_FUNC_KEYEXCH_GETTABLE_CTX_PARAMS, dispatch_fn(&kx_gettable_ctx_params) },
	{ 0, nullptr },
};

} // namespace

const OSSL_DISPATCH *dh_keyexch_fns()
{
	return dh_keyexch_table;
}

} // namespace ocfprov
