// SPDX-License-Identifier: LGPL-2.1-or-later
// The OpenSSL 3 provider "ocf": its entry point, the provider functions, and
// the decisions every algorithm family asks for (may a context use OCF,
// does a request go there). The rest is by concern: config.cpp,
// errors.cpp, algorithms.cpp (tables and the default provider),
// dispatch.cpp (dispatch tables and what is offered).
#include "device.hpp"
#include "pkey.hpp"
#include "prov.hpp"

#include <openssl/crypto.h>

#include <atomic>
#include <cstdint>
#include <new>

namespace ocfprov {
namespace {

// The core's get_params, the same for every instance.
OSSL_FUNC_core_get_params_fn *c_get_params = nullptr;

// ---- Provider functions ----

// Private key operations whose result from OCF failed its check (and were
// redone in software), in this process.
constexpr const char kKopFaultsParam[] = "ocf-kop-faults";

const OSSL_PARAM provider_param_types[] = {
	OSSL_PARAM_DEFN(OSSL_PROV_PARAM_NAME, OSSL_PARAM_UTF8_PTR, nullptr, 0),
	OSSL_PARAM_DEFN(OSSL_PROV_PARAM_VERSION, OSSL_PARAM_UTF8_PTR, nullptr, 0),
	OSSL_PARAM_DEFN(OSSL_PROV_PARAM_BUILDINFO, OSSL_PARAM_UTF8_PTR, nullptr, 0),
	OSSL_PARAM_DEFN(OSSL_PROV_PARAM_STATUS, OSSL_PARAM_INTEGER, nullptr, 0),
	OSSL_PARAM_DEFN(kKopFaultsParam, OSSL_PARAM_UNSIGNED_INTEGER, nullptr, 0),
	OSSL_PARAM_END,
};

const OSSL_PARAM *prov_gettable_params(void *)
{
	return provider_param_types;
}

int prov_get_params(void *, OSSL_PARAM params[])
{
	OSSL_PARAM *p;
	if ((p = OSSL_PARAM_locate(params, OSSL_PROV_PARAM_NAME)) &&
	    !OSSL_PARAM_set_utf8_ptr(p, "OCF for Linux provider"))
		return 0;
	if ((p = OSSL_PARAM_locate(params, OSSL_PROV_PARAM_VERSION)) &&
	    !OSSL_PARAM_set_utf8_ptr(p, OCF_PROVIDER_VERSION))
		return 0;
	if ((p = OSSL_PARAM_locate(params, OSSL_PROV_PARAM_BUILDINFO)) &&
	    !OSSL_PARAM_set_utf8_ptr(p, OCF_PROVIDER_VERSION))
		return 0;
	if ((p = OSSL_PARAM_locate(params, OSSL_PROV_PARAM_STATUS)) && !OSSL_PARAM_set_int(p, 1))
		return 0;
	if ((p = OSSL_PARAM_locate(params, kKopFaultsParam)) &&
	    !OSSL_PARAM_set_ulong(p, dev::kop_faults()))
		return 0;
	return 1;
}

const OSSL_ALGORITHM *prov_query(void *provctx, int operation_id, int *no_cache)
{
	*no_cache = 0;
	switch (operation_id) {
	case OSSL_OP_CIPHER:
	case OSSL_OP_DIGEST:
	case OSSL_OP_MAC:
	case OSSL_OP_KEYMGMT:
	case OSSL_OP_SIGNATURE:
	case OSSL_OP_ASYM_CIPHER:
	case OSSL_OP_KEYEXCH:
		break;
	default:
		return nullptr;	// and do not open the device for what we never offer
	}
	return offered_algorithms(static_cast<const Provider *>(provctx), operation_id);
}

const OSSL_ITEM *prov_reason_strings(void *)
{
	return provider_reason_strings();
}

std::atomic<unsigned> g_instances{ 0 };	// loaded provider instances

void prov_teardown(void *provctx)
{
	delete static_cast<Provider *>(provctx);
	if (g_instances.fetch_sub(1) == 1)
		dev::shutdown();
}

const OSSL_DISPATCH provider_functions[] = {
	{ OSSL_FUNC_PROVIDER_TEARDOWN, dispatch_fn(&prov_teardown) },
	{ OSSL_FUNC_PROVIDER_GETTABLE_PARAMS, dispatch_fn(&prov_gettable_params) },
	{ OSSL_FUNC_PROVIDER_GET_PARAMS, dispatch_fn(&prov_get_params) },
	{ OSSL_FUNC_PROVIDER_QUERY_OPERATION, dispatch_fn(&prov_query) },
	{ OSSL_FUNC_PROVIDER_GET_REASON_STRINGS, dispatch_fn(&prov_reason_strings) },
	{ 0, nullptr },
};

} // namespace

// ---- Shared helpers ----

void cleanse(void *p, std::size_t n)
{
	OPENSSL_cleanse(p, n);
}

namespace {

// Whether @prov's mode may use OCF now for @alg1 and @alg2, with @c the
// device's capabilities: the one check under ocf_possible and use_ocf.
bool mode_allows(const Provider *prov, const dev::Caps &c, std::uint32_t alg1, std::uint32_t alg2)
{
	if (!c.usable)
		return false;
	std::uint64_t bits = prov->cfg.mode == Mode::Always ? c.any_algs : c.hw_algs;
	return dev::has_alg(bits, alg1) && dev::has_alg(bits, alg2);
}

} // namespace

bool ocf_possible(const Provider *prov, std::uint32_t alg1, std::uint32_t alg2)
{
	// Mode never: not even a look at the device (caps() would open it).
	return prov->cfg.mode != Mode::Never && mode_allows(prov, dev::caps(), alg1, alg2);
}

bool use_ocf(const Provider *prov, std::uint32_t alg1, std::uint32_t alg2, std::size_t len,
	     std::size_t *max_len)
{
	if (prov->cfg.mode == Mode::Never)
		return false;
	if (prov->cfg.mode == Mode::Auto && len < prov->cfg.threshold)
		return false;
	dev::Caps c = dev::caps();
	if (!mode_allows(prov, c, alg1, alg2))
		return false;
	// In auto, a request longer than every hardware producer takes would go
	// to software in the kernel: the caller splits at the hardware's limit.
	*max_len = prov->cfg.mode == Mode::Auto ? c.hw_max_len : c.max_len;
	return *max_len > 0;
}

bool kop_allowed(const Provider *prov, unsigned kop, std::size_t bits)
{
	if (!prov || prov->cfg.mode == Mode::Never || kop >= dev::kKopSlots || !bits)
		return false;
	dev::Caps c = dev::caps();
	if (!c.usable)
		return false;
	bool always = prov->cfg.mode == Mode::Always;
	std::uint32_t kops = always ? c.any_kops : c.hw_kops;
	std::uint32_t max_bits = always ? c.any_kop_bits[kop] : c.hw_kop_bits[kop];
	return ((kops >> kop) & 1) && bits <= max_bits;
}

} // namespace ocfprov

using namespace ocfprov;

extern "C" __attribute__((visibility("default"))) int
OSSL_provider_init(const OSSL_CORE_HANDLE *handle, const OSSL_DISPATCH *in,
		   const OSSL_DISPATCH **out, void **provctx)
{
	for (const OSSL_DISPATCH *d = in; d && d->function_id; d++)
		if (d->function_id == OSSL_FUNC_CORE_GET_PARAMS)
			c_get_params = OSSL_FUNC_core_get_params(d);
	bind_core_errors(in);
	auto *prov = new (std::nothrow) Provider;
	if (!prov)
		return 0;
	prov->handle = handle;
	prov->cfg = read_config(handle, c_get_params);
	g_instances.fetch_add(1);
	bool bound = bind_default_provider();
	debug("loaded: mode %s, threshold %zu bytes%s", mode_name(prov->cfg.mode),
	      prov->cfg.threshold, bound ? "" : " (no default provider: offering nothing)");
	*out = provider_functions;
	*provctx = prov;
	return 1;
}
