// SPDX-License-Identifier: LGPL-2.1-or-later
// The provider's dispatch tables: per algorithm, the entries that OpenSSL
// calls without a context (NEWCTX, GET_PARAMS and the parameter lists) plus
// its family's functions; and the algorithm lists offered in each mode.
#include "device.hpp"
#include "pkey.hpp"
#include "prov.hpp"

#include <linux/ocf.h>

#include <array>
#include <cstdint>
#include <mutex>
#include <unistd.h>
#include <utility>
#include <vector>

namespace ocfprov {
namespace {

// ---- Per-algorithm dispatch entries ----

template <std::size_t I>
void *cipher_newctx(void *provctx)
{
	auto *prov = static_cast<Provider *>(provctx);
	switch (g_cipher_algs[I].kind) {
	case CipherKind::Cbc:
	case CipherKind::Ctr:
		return block_cipher_newctx(prov, I);
	case CipherKind::Gcm:
		return gcm_cipher_newctx(prov, I);
	case CipherKind::Stitched:
		return stitched_cipher_newctx(prov, I);
	}
	return nullptr;
}

template <std::size_t I>
int cipher_get_params(OSSL_PARAM params[])
{
	const BoundCipher &b = g_default_provider.ciphers[I];
	return b.default_impl.get_params(params);
}

template <std::size_t I>
const OSSL_PARAM *cipher_gettable_params(void *)
{
	const BoundCipher &b = g_default_provider.ciphers[I];
	return b.default_impl.gettable_params
		       ? b.default_impl.gettable_params(g_default_provider.provctx)
		       : nullptr;
}

template <std::size_t I>
const OSSL_PARAM *cipher_gettable_ctx_params(void *, void *)
{
	const BoundCipher &b = g_default_provider.ciphers[I];
	return b.default_impl.gettable_ctx_params
		       ? b.default_impl.gettable_ctx_params(nullptr, g_default_provider.provctx)
		       : nullptr;
}

template <std::size_t I>
const OSSL_PARAM *cipher_settable_ctx_params(void *, void *)
{
	const BoundCipher &b = g_default_provider.ciphers[I];
	return b.default_impl.settable_ctx_params
		       ? b.default_impl.settable_ctx_params(nullptr, g_default_provider.provctx)
		       : nullptr;
}

template <std::size_t I>
const OSSL_PARAM *digest_gettable_ctx_params(void *, void *)
{
	const BoundDigest &b = g_default_provider.digests[I];
	return b.default_impl.gettable_ctx_params
		       ? b.default_impl.gettable_ctx_params(nullptr, g_default_provider.provctx)
		       : nullptr;
}

template <std::size_t I>
const OSSL_PARAM *digest_settable_ctx_params(void *, void *)
{
	const BoundDigest &b = g_default_provider.digests[I];
	return b.default_impl.settable_ctx_params
		       ? b.default_impl.settable_ctx_params(nullptr, g_default_provider.provctx)
		       : nullptr;
}

template <std::size_t I>
void *digest_newctx_i(void *provctx)
{
	return digest_newctx(static_cast<Provider *>(provctx), I);
}

template <std::size_t I>
int digest_get_params(OSSL_PARAM params[])
{
	return g_default_provider.digests[I].default_impl.get_params(params);
}

template <std::size_t I>
const OSSL_PARAM *digest_gettable_params(void *)
{
	const BoundDigest &b = g_default_provider.digests[I];
	return b.default_impl.gettable_params
		       ? b.default_impl.gettable_params(g_default_provider.provctx)
		       : nullptr;
}

int hmac_get_params(OSSL_PARAM params[])
{
	return g_default_provider.hmac.get_params ? g_default_provider.hmac.get_params(params) : 1;
}

const OSSL_PARAM *hmac_gettable_params(void *)
{
	return g_default_provider.hmac.gettable_params
		       ? g_default_provider.hmac.gettable_params(g_default_provider.provctx)
		       : nullptr;
}

const OSSL_PARAM *hmac_gettable_ctx_params(void *, void *)
{
	const MacFns &f = g_default_provider.hmac;
	return f.gettable_ctx_params ? f.gettable_ctx_params(nullptr, g_default_provider.provctx)
				     : nullptr;
}

const OSSL_PARAM *hmac_settable_ctx_params(void *, void *)
{
	const MacFns &f = g_default_provider.hmac;
	return f.settable_ctx_params ? f.settable_ctx_params(nullptr, g_default_provider.provctx)
				     : nullptr;
}

constexpr std::size_t kMaxFns = 24;
using Table = std::array<OSSL_DISPATCH, kMaxFns>;

// A family's table plus the per-algorithm entries.
Table make_table(const OSSL_DISPATCH *family, std::initializer_list<OSSL_DISPATCH> own)
{
	Table t{};
	std::size_t n = 0;
	for (const OSSL_DISPATCH &d : own)
		t[n++] = d;
	for (const OSSL_DISPATCH *d = family; d->function_id && n + 1 < kMaxFns; d++)
		t[n++] = *d;
	t[n] = OSSL_DISPATCH{ 0, nullptr };
	return t;
}


template <std::size_t I>
Table cipher_table()
{
	const OSSL_DISPATCH *family = g_cipher_algs[I].kind == CipherKind::Gcm ? gcm_cipher_fns :
				      g_cipher_algs[I].kind == CipherKind::Stitched ?
									     stitched_cipher_fns :
									     block_cipher_fns;
	return make_table(family,
			  { { OSSL_FUNC_CIPHER_NEWCTX, dispatch_fn(&cipher_newctx<I>) },
			    { OSSL_FUNC_CIPHER_GET_PARAMS, dispatch_fn(&cipher_get_params<I>) },
			    { OSSL_FUNC_CIPHER_GETTABLE_PARAMS, dispatch_fn(&cipher_gettable_params<I>) },
			    { OSSL_FUNC_CIPHER_GETTABLE_CTX_PARAMS,
			      dispatch_fn(&cipher_gettable_ctx_params<I>) },
			    { OSSL_FUNC_CIPHER_SETTABLE_CTX_PARAMS,
			      dispatch_fn(&cipher_settable_ctx_params<I>) } });
}

template <std::size_t I>
Table digest_table()
{
	return make_table(digest_fns,
			  { { OSSL_FUNC_DIGEST_NEWCTX, dispatch_fn(&digest_newctx_i<I>) },
			    { OSSL_FUNC_DIGEST_GET_PARAMS, dispatch_fn(&digest_get_params<I>) },
			    { OSSL_FUNC_DIGEST_GETTABLE_PARAMS, dispatch_fn(&digest_gettable_params<I>) },
			    { OSSL_FUNC_DIGEST_GETTABLE_CTX_PARAMS,
			      dispatch_fn(&digest_gettable_ctx_params<I>) },
			    { OSSL_FUNC_DIGEST_SETTABLE_CTX_PARAMS,
			      dispatch_fn(&digest_settable_ctx_params<I>) } });
}

template <std::size_t... I>
std::array<Table, sizeof...(I)> cipher_tables(std::index_sequence<I...>)
{
	return { cipher_table<I>()... };
}

template <std::size_t... I>
std::array<Table, sizeof...(I)> digest_tables(std::index_sequence<I...>)
{
	return { digest_table<I>()... };
}

const std::array<Table, kCiphers> &all_cipher_tables()
{
	static const auto t = cipher_tables(std::make_index_sequence<kCiphers>());
	return t;
}

const std::array<Table, kDigests> &all_digest_tables()
{
	static const auto t = digest_tables(std::make_index_sequence<kDigests>());
	return t;
}

const Table &hmac_table()
{
	static const Table t = make_table(
		hmac_fns, { { OSSL_FUNC_MAC_GET_PARAMS, dispatch_fn(&hmac_get_params) },
			    { OSSL_FUNC_MAC_GETTABLE_PARAMS, dispatch_fn(&hmac_gettable_params) },
			    { OSSL_FUNC_MAC_GETTABLE_CTX_PARAMS, dispatch_fn(&hmac_gettable_ctx_params) },
			    { OSSL_FUNC_MAC_SETTABLE_CTX_PARAMS, dispatch_fn(&hmac_settable_ctx_params) } });
	return t;
}

// The algorithm lists.
struct Algorithms {
	std::vector<OSSL_ALGORITHM> ciphers, digests, macs;
	std::vector<OSSL_ALGORITHM> keymgmt, signatures, asym_ciphers, keyexch;
};

// Mode auto offers a key operation when a hardware producer does it on
// moduli of at least this size (a smaller limit is of no use for today's
// keys; each key is checked against the real limit when used).
constexpr std::uint32_t kAutoMinKopBits = 2048;

bool kop_offered(const dev::Caps &hw, unsigned kop)
{
	return kop < dev::kKopSlots && ((hw.hw_kops >> kop) & 1) &&
	       hw.hw_kop_bits[kop] >= kAutoMinKopBits;
}

// The public-key algorithms: all of them (@hw null), or those a hardware
// producer in @hw does (RSA: its private operation, CRT; DH: compute key).
void add_pkey_algorithms(Algorithms &r, const dev::Caps *hw)
{
	const char *props = "provider=ocf";
	const char *desc = "OCF (falls back to OpenSSL's default)";
	const DefaultPkeys &d = g_default_pkeys;
	bool rsa = !hw || kop_offered(*hw, OCF_KOP_MODEXP_CRT);
	bool dh = !hw || kop_offered(*hw, OCF_KOP_DH_COMPUTE_KEY);
	if (rsa && d.rsa_keymgmt.available) {
		r.keymgmt.push_back({ d.rsa_keymgmt.names, props, rsa_keymgmt_fns(), desc });
		if (d.rsa_signature.available)
			r.signatures.push_back(
				{ d.rsa_signature.names, props, rsa_signature_fns(), desc });
		if (d.rsa_asym_cipher.available)
			r.asym_ciphers.push_back(
				{ d.rsa_asym_cipher.names, props, rsa_asym_cipher_fns(), desc });
	}
	if (dh && d.dh_keymgmt.available) {
		r.keymgmt.push_back({ d.dh_keymgmt.names, props, dh_keymgmt_fns(), desc });
		if (d.dh_keyexch.available)
			r.keyexch.push_back({ d.dh_keyexch.names, props, dh_keyexch_fns(), desc });
	}
	for (auto *v : { &r.keymgmt, &r.signatures, &r.asym_ciphers, &r.keyexch })
		v->push_back({ nullptr, nullptr, nullptr, nullptr });
}

// What the default provider has, restricted to what @offered (enum ocf_alg
// bits) does when @only_offered.
Algorithms build_algorithms(bool only_offered, std::uint64_t offered)
{
	auto has = [&](std::uint32_t alg1, std::uint32_t alg2) {
		return !only_offered || (dev::has_alg(offered, alg1) && dev::has_alg(offered, alg2));
	};
	Algorithms r;
	const char *props = "provider=ocf";
	const char *desc = "OCF (falls back to OpenSSL's default)";
	for (std::size_t i = 0; i < kCiphers; i++)
		if (g_default_provider.ciphers[i].available &&
		    has(g_cipher_algs[i].ocf_cipher, g_cipher_algs[i].ocf_mac))
			r.ciphers.push_back({ g_default_provider.ciphers[i].names, props,
					      all_cipher_tables()[i].data(), desc });
	for (std::size_t i = 0; i < kDigests; i++)
		if (g_default_provider.digests[i].available &&
		    has(g_digest_algs[i].ocf_hash, OCF_ALG_NONE))
			r.digests.push_back({ g_default_provider.digests[i].names, props,
					      all_digest_tables()[i].data(), desc });
	bool any_hmac = false;
	for (const DigestAlg &d : g_digest_algs)
		any_hmac |= d.ocf_hmac != OCF_ALG_NONE && has(d.ocf_hmac, OCF_ALG_NONE);
	if (g_default_provider.hmac_available && any_hmac)
		r.macs.push_back(
			{ g_default_provider.hmac_names, props, hmac_table().data(), desc });
	r.ciphers.push_back({ nullptr, nullptr, nullptr, nullptr });
	r.digests.push_back({ nullptr, nullptr, nullptr, nullptr });
	r.macs.push_back({ nullptr, nullptr, nullptr, nullptr });
	return r;
}

// Modes always and never: everything the default provider has.
const Algorithms &all_algorithms()
{
	static const Algorithms a = [] {
		for (std::size_t i = 0; i < kCiphers; i++)
			if (!g_default_provider.ciphers[i].available && bind_default_provider())
				debug("%s: not in the default provider here, not offered",
				      g_cipher_algs[i].name);
		Algorithms r = build_algorithms(false, 0);
		add_pkey_algorithms(r, nullptr);
		return r;
	}();
	return a;
}

// Mode auto: only what a hardware producer offers this process, so that
// with software producers only (or no usable /dev/ocf) OpenSSL fetches the
// default provider's implementations themselves and a program runs exactly
// as fast as without us: even a passthrough wrapper costs 0-30% on 16-64
// byte requests. Decided once per process, at its first fetch (which opens
// the device, under all of device.cpp's rules); OpenSSL caches what a
// provider offers, so a producer that appears later is not picked up by a
// process already running, and a fork child keeps what its parent fetched.
const Algorithms &auto_algorithms()
{
	static pid_t decided_in = 0;
	static const Algorithms *offer = nullptr;
	std::lock_guard lock(dev::lock(dev::Lock::Offer));
	pid_t pid = getpid();
	if (offer && decided_in == pid)
		return *offer;
	dev::Caps c = dev::caps();
	std::uint64_t hw = c.usable ? c.hw_algs : 0;
	// Never freed: OpenSSL may hold on to a list it was given (a child's
	// new list does not replace the parent's in the parent anyway).
	auto *a = new Algorithms(build_algorithms(true, hw));
	dev::Caps hwk = c.usable ? c : dev::Caps{};
	add_pkey_algorithms(*a, &hwk);
	offer = a;
	decided_in = pid;
	// Offering nothing, this process has no use for the device: with the
	// system-wide configuration every OpenSSL program would otherwise pin
	// ocf.ko (rmmod fails) for nothing.
	if (!hw && offer->keymgmt.size() == 1)
		dev::release_if_unused();
	debug("mode auto: %s; offering %zu ciphers, %zu digests, %zu MACs, %zu key types "
	      "through OCF, the rest is OpenSSL's default provider's own",
	      !c.usable	      ? "no usable /dev/ocf" :
	      hw || hwk.hw_kops ? "a hardware producer is present" :
				  "no hardware producer",
	      offer->ciphers.size() - 1, offer->digests.size() - 1, offer->macs.size() - 1,
	      offer->keymgmt.size() - 1);
	return *offer;
}

} // namespace

const OSSL_ALGORITHM *offered_algorithms(const Provider *prov, int operation_id)
{
	const Algorithms &a = prov->cfg.mode == Mode::Auto ? auto_algorithms() : all_algorithms();
	switch (operation_id) {
	case OSSL_OP_CIPHER:
		return a.ciphers.data();
	case OSSL_OP_DIGEST:
		return a.digests.data();
	case OSSL_OP_MAC:
		return a.macs.data();
	case OSSL_OP_KEYMGMT:
		return a.keymgmt.data();
	case OSSL_OP_SIGNATURE:
		return a.signatures.data();
	case OSSL_OP_ASYM_CIPHER:
		return a.asym_ciphers.data();
	case OSSL_OP_KEYEXCH:
		return a.keyexch.data();
	default:
		return nullptr;
	}
}

} // namespace ocfprov
