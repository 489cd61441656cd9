// SPDX-License-Identifier: LGPL-2.1-or-later
// RSA and DH key management: a PKey wraps the default key management's
// keydata, and every key management function is the default's own, so that
// keys move between this provider and the default one exactly as the
// default's own keys do (OpenSSL exports a decoder's or nginx's key from
// the default provider and imports it here; encoders get it back through
// export). Generation is the default's too. What we add: the numbers an
// OCF key operation needs, read out through export after every change.
//
// RSA_new()/RSA_set0_key() are deprecated in OpenSSL 3.0; the public-only
// RSA object they make is what OpenSSL's public PSS helpers take for the
// modulus size (rsa_signature.cpp).
#define OPENSSL_SUPPRESS_DEPRECATED

#include "pkey.hpp"

#include <openssl/core_names.h>
#include <openssl/params.h>
#include <openssl/rsa.h>

#include <cstring>
#include <new>

namespace ocfprov {

namespace {

// Copies an integer parameter into @out as big-endian bytes (wiped when
// replaced or freed).
bool param_bytes(const OSSL_PARAM *p, BnBytes &out)
{
	BIGNUM *bn = nullptr;
	if (!OSSL_PARAM_get_BN(p, &bn))
		return false;
	out.b.assign(static_cast<std::size_t>(BN_num_bytes(bn)), 0);
	BN_bn2bin(bn, out.b.data());
	BN_clear_free(bn);
	return true;
}

BIGNUM *param_bn(const OSSL_PARAM *p)
{
	BIGNUM *bn = nullptr;
	return OSSL_PARAM_get_BN(p, &bn) ? bn : nullptr;
}

// The export callback of PKey::refresh().
int collect_numbers(const OSSL_PARAM params[], void *arg)
{
	auto *k = static_cast<PKey *>(arg);
	int primes = 0, exps = 0, coeffs = 0;
	for (const OSSL_PARAM *p = params; p && p->key; p++) {
		const char *name = p->key;
		if (k->type == KeyType::Rsa) {
			if (!std::strcmp(name, OSSL_PKEY_PARAM_RSA_N)) {
				BN_free(k->n);
				k->n = param_bn(p);
			} else if (!std::strcmp(name, OSSL_PKEY_PARAM_RSA_E)) {
				BN_free(k->e);
				k->e = param_bn(p);
			} else if (!std::strcmp(name, OSSL_PKEY_PARAM_RSA_FACTOR1)) {
				primes++;
				param_bytes(p, k->rsa_p);
			} else if (!std::strcmp(name, OSSL_PKEY_PARAM_RSA_FACTOR2)) {
				primes++;
				param_bytes(p, k->rsa_q);
			} else if (!std::strncmp(name, "rsa-factor", 10)) {
				primes++;
			} else if (!std::strcmp(name, OSSL_PKEY_PARAM_RSA_EXPONENT1)) {
				exps++;
				param_bytes(p, k->rsa_dp);
			} else if (!std::strcmp(name, OSSL_PKEY_PARAM_RSA_EXPONENT2)) {
				exps++;
				param_bytes(p, k->rsa_dq);
			} else if (!std::strncmp(name, "rsa-exponent", 12)) {
				exps++;
			} else if (!std::strcmp(name, OSSL_PKEY_PARAM_RSA_COEFFICIENT1)) {
				coeffs++;
				param_bytes(p, k->rsa_qinv);
			} else if (!std::strncmp(name, "rsa-coefficient", 15)) {
				coeffs++;
			}
		} else {
			if (!std::strcmp(name, OSSL_PKEY_PARAM_FFC_P)) {
				BN_free(k->dh_p);
				k->dh_p = param_bn(p);
				param_bytes(p, k->dh_p_bytes);
			} else if (!std::strcmp(name, OSSL_PKEY_PARAM_FFC_Q)) {
				BN_free(k->dh_q);
				k->dh_q = param_bn(p);
			} else if (!std::strcmp(name, OSSL_PKEY_PARAM_PUB_KEY)) {
				BN_free(k->dh_pub);
				k->dh_pub = param_bn(p);
			} else if (!std::strcmp(name, OSSL_PKEY_PARAM_PRIV_KEY)) {
				param_bytes(p, k->dh_priv);
			} else if (!std::strcmp(name, OSSL_PKEY_PARAM_GROUP_NAME)) {
				// The default names a domain whose p and g are a
				// known group's, however the key was made.
				const char *group = nullptr;
				k->dh_named = OSSL_PARAM_get_utf8_string_ptr(p, &group) &&
					      group && *group;
			}
		}
	}
	if (k->type == KeyType::Rsa)
		// Multi-prime keys (more than two factors) are not CRT with p, q:
		// software.
		k->rsa_crt = primes == 2 && exps == 2 && coeffs == 1 && !k->rsa_p.empty() &&
			     !k->rsa_q.empty() && !k->rsa_dp.empty() && !k->rsa_dq.empty() &&
			     !k->rsa_qinv.empty();
	return 1;
}

const PkeyFns &fns_of(KeyType t)
{
	return t == KeyType::Rsa ? g_default_pkeys.rsa_keymgmt : g_default_pkeys.dh_keymgmt;
}

} // namespace

void PKey::clear_numbers()
{
	BN_free(n);
	BN_free(e);
	RSA_free(rsa_pub);
	BN_MONT_CTX_free(rsa_mont);
	rsa_mont = nullptr;
	BN_free(dh_p);
	BN_free(dh_q);
	BN_free(dh_pub);
	n = e = dh_p = dh_q = dh_pub = nullptr;
	rsa_pub = nullptr;
	for (BnBytes *b : { &rsa_p, &rsa_q, &rsa_dp, &rsa_dq, &rsa_qinv, &dh_p_bytes, &dh_priv })
		SecretBytes().swap(b->b);	// the allocator wipes the old block
	rsa_crt = false;
	dh_named = false;
	bits = 0;
}

PKey::~PKey()
{
	clear_numbers();
	if (dkey)
		fns_of(type).get<OSSL_FUNC_keymgmt_free_fn>(OSSL_FUNC_KEYMGMT_FREE)(dkey);
}

void pkey_release(PKey *k)
{
	if (k && k->refs.fetch_sub(1, std::memory_order_acq_rel) == 1)
		delete k;
}

void PKey::refresh()
{
	clear_numbers();
	auto exp = fns_of(type).get<OSSL_FUNC_keymgmt_export_fn>(OSSL_FUNC_KEYMGMT_EXPORT);
	if (!dkey || !exp || !exp(dkey, OSSL_KEYMGMT_SELECT_ALL, collect_numbers, this)) {
		clear_numbers();
		return;
	}
	if (type == KeyType::Rsa && n && e) {
		bits = static_cast<std::size_t>(BN_num_bits(n));
		rsa_pub = RSA_new();
		BIGNUM *n2 = BN_dup(n), *e2 = BN_dup(e);
		if (!rsa_pub || !n2 || !e2 || !RSA_set0_key(rsa_pub, n2, e2, nullptr)) {
			BN_free(n2);
			BN_free(e2);
			RSA_free(rsa_pub);
			rsa_pub = nullptr;
		}
		rsa_mont = BN_MONT_CTX_new();
		BN_CTX *bctx = BN_CTX_new();
		if (!rsa_mont || !bctx || !BN_MONT_CTX_set(rsa_mont, n, bctx)) {
			BN_MONT_CTX_free(rsa_mont);
			rsa_mont = nullptr;	// then no private operation goes to OCF
		}
		BN_CTX_free(bctx);
	} else if (type == KeyType::Dh && dh_p) {
		bits = static_cast<std::size_t>(BN_num_bits(dh_p));
	}
}

namespace {

void *dprovctx()
{
	return g_default_provider.provctx;
}

template <KeyType T>
const PkeyFns &fns()
{
	return fns_of(T);
}

template <typename F, KeyType T>
F *fn(int id)
{
	return fns<T>().template get<F>(id);
}

PKey *wrap(Provider *prov, KeyType t, void *dkey)
{
	if (!dkey)
		return nullptr;
	auto *k = new (std::nothrow) PKey;
	if (!k) {
		fns_of(t).get<OSSL_FUNC_keymgmt_free_fn>(OSSL_FUNC_KEYMGMT_FREE)(dkey);
		return nullptr;
	}
	k->prov = prov;
	k->type = t;
	k->dkey = dkey;
	k->refresh();
	return k;
}

template <KeyType T>
void *km_new(void *provctx)
{
	auto f = fn<OSSL_FUNC_keymgmt_new_fn, T>(OSSL_FUNC_KEYMGMT_NEW);
	return wrap(static_cast<Provider *>(provctx), T, f(dprovctx()));
}

template <KeyType T>
void km_free(void *keydata)
{
	pkey_release(static_cast<PKey *>(keydata));
}

struct GenCtx {
	Provider *prov = nullptr;
	void *dgen = nullptr;
};

template <KeyType T>
void *km_gen_init(void *provctx, int selection, const OSSL_PARAM params[])
{
	auto f = fn<OSSL_FUNC_keymgmt_gen_init_fn, T>(OSSL_FUNC_KEYMGMT_GEN_INIT);
	if (!f)
		return nullptr;
	auto *g = new (std::nothrow) GenCtx;
	if (!g)
		return nullptr;
	g->prov = static_cast<Provider *>(provctx);
	g->dgen = f(dprovctx(), selection, params);
	if (!g->dgen) {
		delete g;
		return nullptr;
	}
	return g;
}

template <KeyType T>
int km_gen_set_template(void *genctx, void *templ)
{
	auto f = fn<OSSL_FUNC_keymgmt_gen_set_template_fn, T>(OSSL_FUNC_KEYMGMT_GEN_SET_TEMPLATE);
	// Without one (RSA) there is nothing to take: OpenSSL calls that success.
	return f ? f(static_cast<GenCtx *>(genctx)->dgen, default_keydata(templ)) : 1;
}

template <KeyType T>
int km_gen_set_params(void *genctx, const OSSL_PARAM params[])
{
	auto f = fn<OSSL_FUNC_keymgmt_gen_set_params_fn, T>(OSSL_FUNC_KEYMGMT_GEN_SET_PARAMS);
	return f ? f(static_cast<GenCtx *>(genctx)->dgen, params) : 0;
}

template <KeyType T>
const OSSL_PARAM *km_gen_settable_params(void *genctx, void *)
{
	auto f = fn<OSSL_FUNC_keymgmt_gen_settable_params_fn, T>(
		OSSL_FUNC_KEYMGMT_GEN_SETTABLE_PARAMS);
	return f ? f(genctx ? static_cast<GenCtx *>(genctx)->dgen : nullptr, dprovctx()) : nullptr;
}

template <KeyType T>
void *km_gen(void *genctx, OSSL_CALLBACK *cb, void *cbarg)
{
	auto *g = static_cast<GenCtx *>(genctx);
	auto f = fn<OSSL_FUNC_keymgmt_gen_fn, T>(OSSL_FUNC_KEYMGMT_GEN);
	return f ? wrap(g->prov, T, f(g->dgen, cb, cbarg)) : nullptr;
}

template <KeyType T>
void km_gen_cleanup(void *genctx)
{
	auto *g = static_cast<GenCtx *>(genctx);
	if (!g)
		return;
	if (auto f = fn<OSSL_FUNC_keymgmt_gen_cleanup_fn, T>(OSSL_FUNC_KEYMGMT_GEN_CLEANUP))
		f(g->dgen);
	delete g;
}

template <KeyType T>
int km_get_params(void *keydata, OSSL_PARAM params[])
{
	auto f = fn<OSSL_FUNC_keymgmt_get_params_fn, T>(OSSL_FUNC_KEYMGMT_GET_PARAMS);
	return f ? f(default_keydata(keydata), params) : 0;
}

template <KeyType T>
const OSSL_PARAM *km_gettable_params(void *)
{
	auto f = fn<OSSL_FUNC_keymgmt_gettable_params_fn, T>(OSSL_FUNC_KEYMGMT_GETTABLE_PARAMS);
	return f ? f(dprovctx()) : nullptr;
}

template <KeyType T>
int km_set_params(void *keydata, const OSSL_PARAM params[])
{
	auto f = fn<OSSL_FUNC_keymgmt_set_params_fn, T>(OSSL_FUNC_KEYMGMT_SET_PARAMS);
	if (!f)
		return 1;	// as OpenSSL answers for a key management without one
	auto *k = static_cast<PKey *>(keydata);
	int r = f(k->dkey, params);
	// Contexts share the key: changing one another thread uses is the
	// caller's error, as with the default's own keys (whose set_params
	// also changes them in place).
	k->refresh();
	return r;
}

template <KeyType T>
const OSSL_PARAM *km_settable_params(void *)
{
	auto f = fn<OSSL_FUNC_keymgmt_settable_params_fn, T>(OSSL_FUNC_KEYMGMT_SETTABLE_PARAMS);
	return f ? f(dprovctx()) : nullptr;
}

template <KeyType T>
const char *km_query_operation_name(int operation_id)
{
	auto f = fn<OSSL_FUNC_keymgmt_query_operation_name_fn, T>(
		OSSL_FUNC_KEYMGMT_QUERY_OPERATION_NAME);
	if (f)
		return f(operation_id);
	return T == KeyType::Rsa ? "RSA" : "DH";
}

template <KeyType T>
int km_has(const void *keydata, int selection)
{
	auto f = fn<OSSL_FUNC_keymgmt_has_fn, T>(OSSL_FUNC_KEYMGMT_HAS);
	return f ? f(default_keydata(keydata), selection) : 0;
}

template <KeyType T>
int km_validate(const void *keydata, int selection, int checktype)
{
	auto f = fn<OSSL_FUNC_keymgmt_validate_fn, T>(OSSL_FUNC_KEYMGMT_VALIDATE);
	return f ? f(default_keydata(keydata), selection, checktype) : 0;
}

template <KeyType T>
int km_match(const void *k1, const void *k2, int selection)
{
	auto f = fn<OSSL_FUNC_keymgmt_match_fn, T>(OSSL_FUNC_KEYMGMT_MATCH);
	return f ? f(default_keydata(k1), default_keydata(k2), selection) : 0;
}

template <KeyType T>
int km_import(void *keydata, int selection, const OSSL_PARAM params[])
{
	auto f = fn<OSSL_FUNC_keymgmt_import_fn, T>(OSSL_FUNC_KEYMGMT_IMPORT);
	if (!f || !keydata)
		return 0;
	auto *k = static_cast<PKey *>(keydata);
	int r = f(k->dkey, selection, params);
	k->refresh();
	return r;
}

template <KeyType T>
const OSSL_PARAM *km_import_types(int selection)
{
	auto f = fn<OSSL_FUNC_keymgmt_import_types_fn, T>(OSSL_FUNC_KEYMGMT_IMPORT_TYPES);
	return f ? f(selection) : nullptr;
}

template <KeyType T>
int km_export(void *keydata, int selection, OSSL_CALLBACK *cb, void *cbarg)
{
	auto f = fn<OSSL_FUNC_keymgmt_export_fn, T>(OSSL_FUNC_KEYMGMT_EXPORT);
	return f && keydata ? f(default_keydata(keydata), selection, cb, cbarg) : 0;
}

template <KeyType T>
const OSSL_PARAM *km_export_types(int selection)
{
	auto f = fn<OSSL_FUNC_keymgmt_export_types_fn, T>(OSSL_FUNC_KEYMGMT_EXPORT_TYPES);
	return f ? f(selection) : nullptr;
}

template <KeyType T>
void *km_dup(const void *keydata, int selection)
{
	auto f = fn<OSSL_FUNC_keymgmt_dup_fn, T>(OSSL_FUNC_KEYMGMT_DUP);
	if (!f || !keydata)
		return nullptr;
	const auto *k = static_cast<const PKey *>(keydata);
	return wrap(k->prov, T, f(k->dkey, selection));
}

template <KeyType T>
const OSSL_DISPATCH keymgmt_table[] = {
	{ OSSL_FUNC_KEYMGMT_NEW, dispatch_fn(&km_new<T>) },
	{ OSSL_FUNC_KEYMGMT_FREE, dispatch_fn(&km_free<T>) },
	{ OSSL_FUNC_KEYMGMT_GEN_INIT, dispatch_fn(&km_gen_init<T>) },
	{ OSSL_FUNC_KEYMGMT_GEN_SET_TEMPLATE, dispatch_fn(&km_gen_set_template<T>) },
	{ OSSL_FUNC_KEYMGMT_GEN_SET_PARAMS, dispatch_fn(&km_gen_set_params<T>) },
	{ OSSL_FUNC_KEYMGMT_GEN_SETTABLE_PARAMS, dispatch_fn(&km_gen_settable_params<T>) },
	{ OSSL_FUNC_KEYMGMT_GEN, dispatch_fn(&km_gen<T>) },
	{ OSSL_FUNC_KEYMGMT_GEN_CLEANUP, dispatch_fn(&km_gen_cleanup<T>) },
	{ OSSL_FUNC_KEYMGMT_GET_PARAMS, dispatch_fn(&km_get_params<T>) },
	{ OSSL_FUNC_KEYMGMT_GETTABLE_PARAMS, dispatch_fn(&km_gettable_params<T>) },
	{ OSSL_FUNC_KEYMGMT_SET_PARAMS, dispatch_fn(&km_set_params<T>) },
	{ OSSL_FUNC_KEYMGMT_SETTABLE_PARAMS, dispatch_fn(&km_settable_params<T>) },
	{ OSSL_FUNC_KEYMGMT_QUERY_OPERATION_NAME, dispatch_fn(&km_query_operation_name<T>) },
	{ OSSL_FUNC_KEYMGMT_HAS, dispatch_fn(&km_has<T>) },
	{ OSSL_FUNC_KEYMGMT_VALIDATE, dispatch_fn(&km_validate<T>) },
	{ OSSL_FUNC_KEYMGMT_MATCH, dispatch_fn(&km_match<T>) },
	{ OSSL_FUNC_KEYMGMT_IMPORT, dispatch_fn(&km_import<T>) },
	{ OSSL_FUNC_KEYMGMT_IMPORT_TYPES, dispatch_fn(&km_import_types<T>) },
	{ OSSL_FUNC_KEYMGMT_EXPORT, dispatch_fn(&km_export<T>) },
	{ OSSL_FUNC_KEYMGMT_EXPORT_TYPES, dispatch_fn(&km_export_types<T>) },
	{ OSSL_FUNC_KEYMGMT_DUP, dispatch_fn(&km_dup<T>) },
	{ 0, nullptr },
};

} // namespace

const OSSL_DISPATCH *rsa_keymgmt_fns()
{
	return keymgmt_table<KeyType::Rsa>;
}

const OSSL_DISPATCH *dh_keymgmt_fns()
{
	return keymgmt_table<KeyType::Dh>;
}

} // namespace ocfprov
