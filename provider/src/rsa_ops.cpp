// SPDX-License-Identifier: LGPL-2.1-or-later
// RSA's modular exponentiations through OCF, and what the public-key
// families share (default contexts' parameters, digests).
//
// The private operation: the input is blinded here, in the process, before
// it leaves for the producer: m' = m * r^e mod n for a fresh random r
// invertible mod n, so that the producer (and any timing it shows) works
// on a value unrelated to m; the producer returns m'^d = m^d * r, which we
// multiply by r^-1. The result is then checked with the public key
// (s^e == m) before anything leaves: a CRT computation with a fault in one
// half gives a signature that factors n (Boneh-DeMillo-Lipton), so a wrong
// result is never released, and the operation fails (closed) instead.
#include "device.hpp"
#include "pkey.hpp"

#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include <ocf/ocf.h>

#include <linux/ocf.h>

#include <cstring>
#include <memory>

namespace ocfprov {

namespace {

struct BnCtxDeleter {
	void operator()(BN_CTX *c) const
	{
		BN_CTX_end(c);
		BN_CTX_free(c);
	}
};
using BnCtx = std::unique_ptr<BN_CTX, BnCtxDeleter>;

// A BN_CTX whose numbers are wiped when freed (secure: BN_clear_free).
BnCtx secure_bn_ctx()
{
	BN_CTX *c = BN_CTX_secure_new();
	if (c)
		BN_CTX_start(c);
	return BnCtx(c);
}

ocf_bn as_bn(const BnBytes &b)
{
	return { b.data(), b.size() };
}

// A random r in [1, n) and r^-1 mod n. False when none was found (gcd(r, n)
// != 1 has negligible probability for an RSA modulus; a few tries).
bool blinding_pair(const BIGNUM *n, BIGNUM *r, BIGNUM *ri, BN_CTX *ctx)
{
	for (int tries = 0; tries < 8; tries++) {
		if (!BN_priv_rand_range(r, n))
			return false;
		if (BN_is_zero(r))
			continue;
		BN_set_flags(r, BN_FLG_CONSTTIME);
		ERR_set_mark();
		bool ok = BN_mod_inverse(ri, r, n, ctx) != nullptr;
		ERR_pop_to_mark();
		if (ok)
			return true;
	}
	return false;
}

} // namespace

bool rsa_may_use_ocf(const PKey *key, unsigned kop)
{
	if (!key || key->type != KeyType::Rsa || !key->n || !key->e)
		return false;
	if (kop == OCF_KOP_MODEXP_CRT && !key->rsa_crt)
		return false;
	return kop_allowed(key->prov, kop, key->bits);
}

KopOutcome rsa_private(const PKey &key, const unsigned char *in, unsigned char *out)
{
	if (!rsa_may_use_ocf(&key, OCF_KOP_MODEXP_CRT))
		return KopOutcome::Software;
	ocf_device *d = dev::kop_device();
	if (!d)
		return KopOutcome::Software;
	const std::size_t num = key.bytes();
	BnCtx ctx = secure_bn_ctx();
	if (!ctx)
		return KopOutcome::Software;
	BIGNUM *m = BN_CTX_get(ctx.get()), *r = BN_CTX_get(ctx.get());
	BIGNUM *ri = BN_CTX_get(ctx.get()), *t = BN_CTX_get(ctx.get());
	if (!t || !BN_bin2bn(in, static_cast<int>(num), m) || BN_cmp(m, key.n) >= 0)
		return KopOutcome::Software;	// the default raises "data too large ..."
	BN_set_flags(m, BN_FLG_CONSTTIME);
	SecretBytes blinded(num), res(num);
	if (!blinding_pair(key.n, r, ri, ctx.get()) || !BN_mod_exp(t, r, key.e, key.n, ctx.get()) ||
	    !BN_mod_mul(t, t, m, key.n, ctx.get()) ||
	    BN_bn2binpad(t, blinded.data(), static_cast<int>(num)) < 0)
		return KopOutcome::Software;
	const ocf_rsa_crt_key crt = { as_bn(key.rsa_p), as_bn(key.rsa_q), as_bn(key.rsa_dp),
				      as_bn(key.rsa_dq), as_bn(key.rsa_qinv) };
	int err = ocf_modexp_crt(d, { blinded.data(), num }, &crt, res.data(), num);
	if (err) {
		dev::kop_failed(err);
		debug("RSA-%zu private operation through OCF failed (%s): done in software",
		      key.bits, ocf_strerror(err));
		return KopOutcome::Software;
	}
	// Unblind, then check s^e == m (a public operation) before release.
	BIGNUM *s = BN_CTX_get(ctx.get());
	if (!s || !BN_bin2bn(res.data(), static_cast<int>(num), s) ||
	    !BN_mod_mul(s, s, ri, key.n, ctx.get()) || !BN_mod_exp(t, s, key.e, key.n, ctx.get())) {
		OCF_RAISE(key.prov, R_OPERATION_FAILED, "RSA unblinding");
		return KopOutcome::Failed;
	}
	if (BN_cmp(t, m) != 0) {
		OCF_RAISE(key.prov, R_KOP_FAULT,
			  "RSA-%zu private operation through OCF: result does not verify",
			  key.bits);
		debug("RSA-%zu private operation through OCF gave a wrong result: refused",
		      key.bits);
		return KopOutcome::Failed;
	}
	if (BN_bn2binpad(s, out, static_cast<int>(num)) < 0) {
		OCF_RAISE(key.prov, R_OPERATION_FAILED, "RSA result");
		return KopOutcome::Failed;
	}
	return KopOutcome::Done;
}

KopOutcome rsa_public(const PKey &key, const unsigned char *in, unsigned char *out)
{
	if (!rsa_may_use_ocf(&key, OCF_KOP_MODEXP))
		return KopOutcome::Software;
	ocf_device *d = dev::kop_device();
	if (!d)
		return KopOutcome::Software;
	const std::size_t num = key.bytes();
	SecretBytes n(num), e(static_cast<std::size_t>(BN_num_bytes(key.e)));
	if (BN_bn2binpad(key.n, n.data(), static_cast<int>(num)) < 0)
		return KopOutcome::Software;
	BN_bn2bin(key.e, e.data());
	// in >= n: the default's error ("data too large for modulus").
	if (std::memcmp(in, n.data(), num) >= 0)
		return KopOutcome::Software;
	int err = ocf_modexp(d, { in, num }, { e.data(), e.size() }, { n.data(), num }, out, num);
	if (err) {
		dev::kop_failed(err);
		debug("RSA-%zu public operation through OCF failed (%s): done in software",
		      key.bits, ocf_strerror(err));
		return KopOutcome::Software;
	}
	return KopOutcome::Done;
}

const OSSL_PARAM *default_ctx_params_list(const PkeyFns &fns, int id)
{
	using ListFn = const OSSL_PARAM *(void *, void *);
	auto f = fns.get<ListFn>(id);
	return f ? f(nullptr, g_default_provider.provctx) : nullptr;
}

bool default_get_int(int (*get)(void *, OSSL_PARAM[]), void *dctx, const char *key, int *out)
{
	OSSL_PARAM p[] = { OSSL_PARAM_construct_int(key, out), OSSL_PARAM_construct_end() };
	return get && get(dctx, p) && OSSL_PARAM_modified(&p[0]);
}

bool default_get_string(int (*get)(void *, OSSL_PARAM[]), void *dctx, const char *key, char *buf,
			std::size_t len)
{
	buf[0] = '\0';
	OSSL_PARAM p[] = { OSSL_PARAM_construct_utf8_string(key, buf, len),
			   OSSL_PARAM_construct_end() };
	return get && get(dctx, p) && OSSL_PARAM_modified(&p[0]);
}

EVP_MD *fetch_default_md(const char *name)
{
	if (!name || !*name)
		return nullptr;
	ERR_set_mark();
	EVP_MD *md = EVP_MD_fetch(g_default_provider.libctx, name, nullptr);
	ERR_pop_to_mark();
	return md;
}

} // namespace ocfprov
