// SPDX-License-Identifier: LGPL-2.1-or-later
// RSA's modular exponentiations through OCF, and what the public-key
// families share (default contexts' parameters, digests).
//
// The private operation: the input is blinded here, in the process, before
// it leaves for the producer: m' = m * r^e mod n for a fresh random r
// invertible mod n, so that the producer (and any timing it shows) works
// on a value unrelated to m; the producer returns m'^d = m^d * r, which we
// multiply by r^-1 (OpenSSL's BN_BLINDING, constant-time with n's
// Montgomery context from OpenSSL 3.0.9 and 3.1.1 on). The result is checked with the public key before
// that, on the blinded values: a CRT computation with a fault in one half
// gives a signature that factors n (Boneh-DeMillo-Lipton), so a wrong
// result is never released; the default provider then does the operation.
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

struct BlindingDeleter {
	void operator()(BN_BLINDING *b) const { BN_BLINDING_free(b); }
};
using Blinding = std::unique_ptr<BN_BLINDING, BlindingDeleter>;

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
	if (!rsa_may_use_ocf(&key, OCF_KOP_MODEXP_CRT) || !key.rsa_mont)
		return KopOutcome::Software;
	ocf_device *d = dev::kop_device();
	if (!d)
		return KopOutcome::Software;
	const std::size_t num = key.bytes();
	const int inum = static_cast<int>(num);
	BnCtx ctx = secure_bn_ctx();
	if (!ctx)
		return KopOutcome::Software;
	BIGNUM *m = BN_CTX_get(ctx.get()), *blinded = BN_CTX_get(ctx.get());
	BIGNUM *s = BN_CTX_get(ctx.get()), *check = BN_CTX_get(ctx.get());
	if (!check || !BN_bin2bn(in, inum, m) || BN_cmp(m, key.n) >= 0)
		return KopOutcome::Software;	// the default raises "data too large ..."
	BN_set_flags(m, BN_FLG_CONSTTIME);
	// A fresh blinding (r random, A = r^e, Ai = r^-1 in Montgomery form),
	// so that its inversion is constant-time: m * A leaves the process.
	// A copy of n flagged constant-time, as OpenSSL's own RSA passes it:
	// BN_BLINDING takes the flag from the modulus, and the inversion of
	// the secret r then takes the constant-time path. (key.n stays as it
	// is: the public check below needs no constant-time exponentiation.)
	BIGNUM *n_ct = BN_CTX_get(ctx.get());
	if (!n_ct || !BN_copy(n_ct, key.n))
		return KopOutcome::Software;
	BN_set_flags(n_ct, BN_FLG_CONSTTIME);
	ERR_set_mark();
	Blinding b(BN_BLINDING_create_param(nullptr, key.e, n_ct, ctx.get(), BN_mod_exp_mont,
					    key.rsa_mont));
	ERR_pop_to_mark();
	SecretBytes sent(num), res(num);
	if (!b || !BN_copy(blinded, m) || !BN_BLINDING_convert_ex(blinded, nullptr, b.get(), ctx.get()) ||
	    BN_bn2binpad(blinded, sent.data(), inum) < 0)
		return KopOutcome::Software;
	const ocf_rsa_crt_key crt = { as_bn(key.rsa_p), as_bn(key.rsa_q), as_bn(key.rsa_dp),
				      as_bn(key.rsa_dq), as_bn(key.rsa_qinv) };
	int err = ocf_modexp_crt(d, { sent.data(), num }, &crt, res.data(), num);
	if (err) {
		dev::kop_failed(err);
		debug("RSA-%zu private operation through OCF failed (%s): done in software",
		      key.bits, ocf_strerror(err));
		return KopOutcome::Software;
	}
	// The check while still blinded: (m * r^e)^d = m^d * r, whose e-th power
	// is m * r^e again. Checking after unblinding would run variable-time
	// arithmetic on the plaintext (CVE-2022-4304's leak); this computes only
	// on values r randomizes. A CRT fault (one wrong half factors n, Boneh,
	// DeMillo and Lipton) is never released: the default redoes it, as its
	// own check does with d.
	if (!BN_set_bit(s, inum * 8) || !BN_bin2bn(res.data(), inum, s) ||
	    !BN_mod_exp(check, s, key.e, key.n, ctx.get())) {
		OCF_RAISE(key.prov, R_OPERATION_FAILED, "RSA result check");
		return KopOutcome::Failed;
	}
	if (BN_cmp(check, blinded) != 0) {
		dev::kop_fault();
		debug("RSA-%zu private operation through OCF gave a wrong result: refused, done in software",
		      key.bits);
		return KopOutcome::Software;
	}
	// s was widened to n's size first: the Montgomery inversion then takes
	// its fixed-length path, whatever the value.
	BN_set_flags(s, BN_FLG_CONSTTIME);
	if (!BN_BLINDING_invert_ex(s, nullptr, b.get(), ctx.get()) ||
	    BN_bn2binpad(s, out, inum) < 0) {
		OCF_RAISE(key.prov, R_OPERATION_FAILED, "RSA unblinding");
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
