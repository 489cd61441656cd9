// SPDX-License-Identifier: LGPL-2.1-or-later
// The OSSL_PARAM handling the algorithm families share: passing parameter
// lists on to the default context (the default provider's) minus those a
// context answers itself, and the few single parameters the provider reads
// or sets on default contexts.
#ifndef OCF_PROVIDER_PARAMS_HPP
#define OCF_PROVIDER_PARAMS_HPP

#include "prov.hpp"

#include <openssl/params.h>

#include <cstddef>
#include <initializer_list>
#include <string_view>
#include <vector>

namespace ocfprov {

// Parameter names a context answers itself; empty names stand for none (so
// that a list can name a parameter only under some condition).
using ParamNames = std::initializer_list<std::string_view>;

const OSSL_PARAM *find_param(const OSSL_PARAM params[], const char *key);
OSSL_PARAM *find_param(OSSL_PARAM params[], const char *key);

// Calls @get with @params minus @skip, then copies the return sizes back.
// Lists of any length (0, with an error on @prov's queue, without memory).
template <typename Fn>
int forward_get(Provider *prov, OSSL_PARAM params[], ParamNames skip, Fn &&get);

// Calls @set with @params minus @skip; 1 without calling it when nothing
// remains.
template <typename Fn>
int forward_set(Provider *prov, const OSSL_PARAM params[], ParamNames skip, Fn &&set);

// Answers an octet-string parameter (such as the original IV), whether the
// caller asked for a copy or a pointer.
bool set_octets(OSSL_PARAM *p, const void *data, std::size_t len);

// One parameter of a default cipher context, read or set (e.g.
// OSSL_PARAM_construct_uint(OSSL_CIPHER_PARAM_PADDING, &pad)).
bool default_get(const CipherFns &default_impl, void *default_ctx, OSSL_PARAM params[]);
bool default_get_one(const CipherFns &default_impl, void *default_ctx, OSSL_PARAM param);
bool default_set_one(const CipherFns &default_impl, void *default_ctx, OSSL_PARAM param);

// A TLS record done by the default context: the record's AAD handed over
// (OSSL_CIPHER_PARAM_AEAD_TLS1_AAD), then one update or cipher call.
int default_tls_record(const CipherFns &default_impl, void *default_ctx, const unsigned char *aad,
		       std::size_t aadlen, bool cipher_call, unsigned char *out, std::size_t *outl,
		       std::size_t outsize, const unsigned char *in, std::size_t len);

// ---- Templates ----

namespace params_detail {

constexpr std::size_t kMaxParams = 16;	// filtered on the stack (libssl sends a few)

inline bool skipped(ParamNames skip, const char *key)
{
	for (auto s : skip)
		if (!s.empty() && s == key)
			return true;
	return false;
}

} // namespace params_detail

template <typename Fn>
int forward_get(Provider *prov, OSSL_PARAM params[], ParamNames skip, Fn &&get)
{
	bool any = false;
	for (OSSL_PARAM *p = params; p && p->key && !any; p++)
		any = params_detail::skipped(skip, p->key);
	if (!any)
		return get(params);
	std::size_t n = 0;
	for (OSSL_PARAM *p = params; p->key; p++)
		n++;
	// On the stack for the short lists libssl sends; longer ones allocated.
	OSSL_PARAM tmp_small[params_detail::kMaxParams];
	OSSL_PARAM *map_small[params_detail::kMaxParams];
	std::vector<OSSL_PARAM> tmp_big;
	std::vector<OSSL_PARAM *> map_big;
	OSSL_PARAM *tmp = tmp_small;
	OSSL_PARAM **map = map_small;
	if (n + 1 > params_detail::kMaxParams) {
		try {
			tmp_big.resize(n + 1);
			map_big.resize(n + 1);
		} catch (...) {
			OCF_RAISE(prov, R_OPERATION_FAILED, "%zu parameters: out of memory", n);
			return 0;
		}
		tmp = tmp_big.data();
		map = map_big.data();
	}
	std::size_t k = 0;
	for (OSSL_PARAM *p = params; p->key; p++) {
		if (params_detail::skipped(skip, p->key))
			continue;
		map[k] = p;
		tmp[k++] = *p;
	}
	tmp[k] = OSSL_PARAM_construct_end();
	int r = get(tmp);
	for (std::size_t i = 0; i < k; i++)
		map[i]->return_size = tmp[i].return_size;
	return r;
}

template <typename Fn>
int forward_set(Provider *prov, const OSSL_PARAM params[], ParamNames skip, Fn &&set)
{
	std::size_t n = 0;
	for (const OSSL_PARAM *p = params; p && p->key; p++)
		n++;
	OSSL_PARAM rest_small[params_detail::kMaxParams];
	std::vector<OSSL_PARAM> rest_big;
	OSSL_PARAM *rest = rest_small;
	if (n + 1 > params_detail::kMaxParams) {
		try {
			rest_big.resize(n + 1);
		} catch (...) {
			OCF_RAISE(prov, R_OPERATION_FAILED, "%zu parameters: out of memory", n);
			return 0;
		}
		rest = rest_big.data();
	}
	std::size_t k = 0;
	for (const OSSL_PARAM *p = params; p && p->key; p++)
		if (!params_detail::skipped(skip, p->key))
			rest[k++] = *p;
	if (k == 0)
		return 1;
	rest[k] = OSSL_PARAM_construct_end();
	return set(rest);
}

} // namespace ocfprov

#endif // OCF_PROVIDER_PARAMS_HPP
