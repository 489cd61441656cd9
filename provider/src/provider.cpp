// SPDX-License-Identifier: LGPL-2.1-or-later
// The OpenSSL 3 provider "ocf": entry point, configuration, errors, and the
// algorithm tables.
#include "device.hpp"
#include "prov.hpp"

#include <openssl/crypto.h>
#include <openssl/provider.h>

#include <linux/ocf.h>

#include <array>
#include <atomic>
#include <cctype>
#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <string>
#include <unistd.h>
#include <utility>
#include <vector>

namespace ocfprov {

const CipherAlg g_cipher_algs[kCiphers] = {
	{ "AES-128-CBC", CipherKind::Cbc, OCF_CIPHER_AES_CBC, OCF_ALG_NONE, 16, 16, 16, 0 },
	{ "AES-192-CBC", CipherKind::Cbc, OCF_CIPHER_AES_CBC, OCF_ALG_NONE, 24, 16, 16, 0 },
	{ "AES-256-CBC", CipherKind::Cbc, OCF_CIPHER_AES_CBC, OCF_ALG_NONE, 32, 16, 16, 0 },
	{ "AES-128-CTR", CipherKind::Ctr, OCF_CIPHER_AES_CTR, OCF_ALG_NONE, 16, 16, 1, 0 },
	{ "AES-192-CTR", CipherKind::Ctr, OCF_CIPHER_AES_CTR, OCF_ALG_NONE, 24, 16, 1, 0 },
	{ "AES-256-CTR", CipherKind::Ctr, OCF_CIPHER_AES_CTR, OCF_ALG_NONE, 32, 16, 1, 0 },
	{ "AES-128-GCM", CipherKind::Gcm, OCF_AEAD_AES_GCM, OCF_ALG_NONE, 16, 12, 1, 16 },
	{ "AES-192-GCM", CipherKind::Gcm, OCF_AEAD_AES_GCM, OCF_ALG_NONE, 24, 12, 1, 16 },
	{ "AES-256-GCM", CipherKind::Gcm, OCF_AEAD_AES_GCM, OCF_ALG_NONE, 32, 12, 1, 16 },
	{ "DES-EDE3-CBC", CipherKind::Cbc, OCF_CIPHER_3DES_CBC, OCF_ALG_NONE, 24, 8, 8, 0 },
	{ "AES-128-CBC-HMAC-SHA1", CipherKind::Stitched, OCF_CIPHER_AES_CBC, OCF_MAC_HMAC_SHA1,
	  16, 16, 16, 20 },
	{ "AES-256-CBC-HMAC-SHA1", CipherKind::Stitched, OCF_CIPHER_AES_CBC, OCF_MAC_HMAC_SHA1,
	  32, 16, 16, 20 },
	{ "AES-128-CBC-HMAC-SHA256", CipherKind::Stitched, OCF_CIPHER_AES_CBC,
	  OCF_MAC_HMAC_SHA256, 16, 16, 16, 32 },
	{ "AES-256-CBC-HMAC-SHA256", CipherKind::Stitched, OCF_CIPHER_AES_CBC,
	  OCF_MAC_HMAC_SHA256, 32, 16, 16, 32 },
};

const DigestAlg g_digest_algs[kDigests] = {
	{ "SHA1", OCF_HASH_SHA1, OCF_MAC_HMAC_SHA1, 20, 64 },
	{ "SHA2-224", OCF_HASH_SHA224, OCF_ALG_NONE, 28, 64 },
	{ "SHA2-256", OCF_HASH_SHA256, OCF_MAC_HMAC_SHA256, 32, 64 },
	{ "SHA2-384", OCF_HASH_SHA384, OCF_MAC_HMAC_SHA384, 48, 128 },
	{ "SHA2-512", OCF_HASH_SHA512, OCF_MAC_HMAC_SHA512, 64, 128 },
};

Soft g_soft;

namespace {

// The core's functions, the same for every instance.
OSSL_FUNC_core_get_params_fn *c_get_params = nullptr;
OSSL_FUNC_core_new_error_fn *c_new_error = nullptr;
OSSL_FUNC_core_set_error_debug_fn *c_set_error_debug = nullptr;
OSSL_FUNC_core_vset_error_fn *c_vset_error = nullptr;

bool g_debug = false;
std::once_flag g_soft_once;
bool g_soft_ok = false;

const OSSL_ITEM reason_strings[] = {
	{ R_DEVICE, const_cast<char *>("OCF request failed") },
	{ R_KEY_LENGTH, const_cast<char *>("invalid key length") },
	{ R_IV_LENGTH, const_cast<char *>("invalid IV length") },
	{ R_NO_KEY, const_cast<char *>("no key set") },
	{ R_WRONG_FINAL_BLOCK_LENGTH, const_cast<char *>("wrong final block length") },
	{ R_BAD_DECRYPT, const_cast<char *>("bad decrypt") },
	{ R_OUTPUT_TOO_SMALL, const_cast<char *>("output buffer too small") },
	{ R_NO_SOFTWARE, const_cast<char *>("OpenSSL default implementation unavailable") },
	{ R_BAD_TAG, const_cast<char *>("invalid or mismatching tag") },
	{ R_BAD_RECORD_MAC, const_cast<char *>("bad record MAC or padding") },
	{ R_INVALID_PARAM, const_cast<char *>("invalid parameter") },
	{ R_MALLOC, const_cast<char *>("out of memory") },
	{ R_OPERATION_FAILED, const_cast<char *>("cipher operation failed") },
	{ R_BAD_LENGTH, const_cast<char *>("invalid input length") },
	{ 0, nullptr },
};

bool same_name(const char *names, const char *name)
{
	// The first of the colon-separated names.
	std::size_t n = std::strcspn(names, ":");
	return std::strlen(name) == n && strncasecmp(names, name, n) == 0;
}

void bind_cipher(BoundCipher &b, const OSSL_DISPATCH *d)
{
	CipherFns &f = b.sw;
	for (; d->function_id; d++) {
		switch (d->function_id) {
		case OSSL_FUNC_CIPHER_NEWCTX: f.newctx = OSSL_FUNC_cipher_newctx(d); break;
		case OSSL_FUNC_CIPHER_FREECTX: f.freectx = OSSL_FUNC_cipher_freectx(d); break;
		case OSSL_FUNC_CIPHER_DUPCTX: f.dupctx = OSSL_FUNC_cipher_dupctx(d); break;
		case OSSL_FUNC_CIPHER_ENCRYPT_INIT: f.einit = OSSL_FUNC_cipher_encrypt_init(d); break;
		case OSSL_FUNC_CIPHER_DECRYPT_INIT: f.dinit = OSSL_FUNC_cipher_decrypt_init(d); break;
		case OSSL_FUNC_CIPHER_UPDATE: f.update = OSSL_FUNC_cipher_update(d); break;
		case OSSL_FUNC_CIPHER_FINAL: f.final = OSSL_FUNC_cipher_final(d); break;
		case OSSL_FUNC_CIPHER_CIPHER: f.cipher = OSSL_FUNC_cipher_cipher(d); break;
		case OSSL_FUNC_CIPHER_GET_PARAMS: f.get_params = OSSL_FUNC_cipher_get_params(d); break;
		case OSSL_FUNC_CIPHER_GETTABLE_PARAMS:
			f.gettable_params = OSSL_FUNC_cipher_gettable_params(d);
			break;
		case OSSL_FUNC_CIPHER_GET_CTX_PARAMS:
			f.get_ctx_params = OSSL_FUNC_cipher_get_ctx_params(d);
			break;
		case OSSL_FUNC_CIPHER_SET_CTX_PARAMS:
			f.set_ctx_params = OSSL_FUNC_cipher_set_ctx_params(d);
			break;
		case OSSL_FUNC_CIPHER_GETTABLE_CTX_PARAMS:
			f.gettable_ctx_params = OSSL_FUNC_cipher_gettable_ctx_params(d);
			break;
		case OSSL_FUNC_CIPHER_SETTABLE_CTX_PARAMS:
			f.settable_ctx_params = OSSL_FUNC_cipher_settable_ctx_params(d);
			break;
		default: break;
		}
	}
	b.available = f.newctx && f.freectx && f.dupctx && f.einit && f.dinit && f.update &&
		      f.final && f.cipher && f.get_params && f.get_ctx_params && f.set_ctx_params;
}

void bind_digest(BoundDigest &b, const OSSL_DISPATCH *d)
{
	DigestFns &f = b.sw;
	for (; d->function_id; d++) {
		switch (d->function_id) {
		case OSSL_FUNC_DIGEST_NEWCTX: f.newctx = OSSL_FUNC_digest_newctx(d); break;
		case OSSL_FUNC_DIGEST_FREECTX: f.freectx = OSSL_FUNC_digest_freectx(d); break;
		case OSSL_FUNC_DIGEST_DUPCTX: f.dupctx = OSSL_FUNC_digest_dupctx(d); break;
		case OSSL_FUNC_DIGEST_INIT: f.init = OSSL_FUNC_digest_init(d); break;
		case OSSL_FUNC_DIGEST_UPDATE: f.update = OSSL_FUNC_digest_update(d); break;
		case OSSL_FUNC_DIGEST_FINAL: f.final = OSSL_FUNC_digest_final(d); break;
		case OSSL_FUNC_DIGEST_GET_PARAMS: f.get_params = OSSL_FUNC_digest_get_params(d); break;
		case OSSL_FUNC_DIGEST_GETTABLE_PARAMS:
			f.gettable_params = OSSL_FUNC_digest_gettable_params(d);
			break;
		case OSSL_FUNC_DIGEST_GET_CTX_PARAMS:
			f.get_ctx_params = OSSL_FUNC_digest_get_ctx_params(d);
			break;
		case OSSL_FUNC_DIGEST_SET_CTX_PARAMS:
			f.set_ctx_params = OSSL_FUNC_digest_set_ctx_params(d);
			break;
		case OSSL_FUNC_DIGEST_GETTABLE_CTX_PARAMS:
			f.gettable_ctx_params = OSSL_FUNC_digest_gettable_ctx_params(d);
			break;
		case OSSL_FUNC_DIGEST_SETTABLE_CTX_PARAMS:
			f.settable_ctx_params = OSSL_FUNC_digest_settable_ctx_params(d);
			break;
		default: break;
		}
	}
	b.available = f.newctx && f.freectx && f.dupctx && f.init && f.update && f.final &&
		      f.get_params;
}

bool bind_mac(MacFns &f, const OSSL_DISPATCH *d)
{
	for (; d->function_id; d++) {
		switch (d->function_id) {
		case OSSL_FUNC_MAC_NEWCTX: f.newctx = OSSL_FUNC_mac_newctx(d); break;
		case OSSL_FUNC_MAC_FREECTX: f.freectx = OSSL_FUNC_mac_freectx(d); break;
		case OSSL_FUNC_MAC_DUPCTX: f.dupctx = OSSL_FUNC_mac_dupctx(d); break;
		case OSSL_FUNC_MAC_INIT: f.init = OSSL_FUNC_mac_init(d); break;
		case OSSL_FUNC_MAC_UPDATE: f.update = OSSL_FUNC_mac_update(d); break;
		case OSSL_FUNC_MAC_FINAL: f.final = OSSL_FUNC_mac_final(d); break;
		case OSSL_FUNC_MAC_GET_PARAMS: f.get_params = OSSL_FUNC_mac_get_params(d); break;
		case OSSL_FUNC_MAC_GETTABLE_PARAMS:
			f.gettable_params = OSSL_FUNC_mac_gettable_params(d);
			break;
		case OSSL_FUNC_MAC_GET_CTX_PARAMS:
			f.get_ctx_params = OSSL_FUNC_mac_get_ctx_params(d);
			break;
		case OSSL_FUNC_MAC_SET_CTX_PARAMS:
			f.set_ctx_params = OSSL_FUNC_mac_set_ctx_params(d);
			break;
		case OSSL_FUNC_MAC_GETTABLE_CTX_PARAMS:
			f.gettable_ctx_params = OSSL_FUNC_mac_gettable_ctx_params(d);
			break;
		case OSSL_FUNC_MAC_SETTABLE_CTX_PARAMS:
			f.settable_ctx_params = OSSL_FUNC_mac_settable_ctx_params(d);
			break;
		default: break;
		}
	}
	return f.newctx && f.freectx && f.dupctx && f.init && f.update && f.final &&
	       f.get_ctx_params && f.set_ctx_params;
}

// Loads the default provider into a private library context and binds its
// implementations of what we offer. Once per process; never unloaded (the
// contexts of any provider instance may use it until exit).
void init_soft()
{
	Soft &s = g_soft;
	s.libctx = OSSL_LIB_CTX_new();
	if (!s.libctx)
		return;
	s.deflt = OSSL_PROVIDER_load(s.libctx, "default");
	if (!s.deflt) {
		debug("cannot load OpenSSL's default provider: offering nothing");
		return;
	}
	s.provctx = OSSL_PROVIDER_get0_provider_ctx(s.deflt);
	int no_cache = 0;
	if (const OSSL_ALGORITHM *a =
		    OSSL_PROVIDER_query_operation(s.deflt, OSSL_OP_CIPHER, &no_cache)) {
		for (; a->algorithm_names; a++)
			for (std::size_t i = 0; i < kCiphers; i++)
				if (!s.ciphers[i].names &&
				    same_name(a->algorithm_names, g_cipher_algs[i].name)) {
					s.ciphers[i].alg = &g_cipher_algs[i];
					s.ciphers[i].names = a->algorithm_names;
					bind_cipher(s.ciphers[i], a->implementation);
				}
	}
	if (const OSSL_ALGORITHM *a =
		    OSSL_PROVIDER_query_operation(s.deflt, OSSL_OP_DIGEST, &no_cache)) {
		for (; a->algorithm_names; a++)
			for (std::size_t i = 0; i < kDigests; i++)
				if (!s.digests[i].names &&
				    same_name(a->algorithm_names, g_digest_algs[i].name)) {
					s.digests[i].alg = &g_digest_algs[i];
					s.digests[i].names = a->algorithm_names;
					bind_digest(s.digests[i], a->implementation);
				}
	}
	if (const OSSL_ALGORITHM *a =
		    OSSL_PROVIDER_query_operation(s.deflt, OSSL_OP_MAC, &no_cache)) {
		for (; a->algorithm_names; a++)
			if (!s.hmac_names && same_name(a->algorithm_names, "HMAC")) {
				s.hmac_names = a->algorithm_names;
				s.hmac_available = bind_mac(s.hmac, a->implementation);
			}
	}
	g_soft_ok = true;
}

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
	const BoundCipher &b = g_soft.ciphers[I];
	return b.sw.get_params(params);
}

template <std::size_t I>
const OSSL_PARAM *cipher_gettable_params(void *)
{
	const BoundCipher &b = g_soft.ciphers[I];
	return b.sw.gettable_params ? b.sw.gettable_params(g_soft.provctx) : nullptr;
}

template <std::size_t I>
const OSSL_PARAM *cipher_gettable_ctx_params(void *, void *)
{
	const BoundCipher &b = g_soft.ciphers[I];
	return b.sw.gettable_ctx_params ? b.sw.gettable_ctx_params(nullptr, g_soft.provctx) : nullptr;
}

template <std::size_t I>
const OSSL_PARAM *cipher_settable_ctx_params(void *, void *)
{
	const BoundCipher &b = g_soft.ciphers[I];
	return b.sw.settable_ctx_params ? b.sw.settable_ctx_params(nullptr, g_soft.provctx) : nullptr;
}

template <std::size_t I>
const OSSL_PARAM *digest_gettable_ctx_params(void *, void *)
{
	const BoundDigest &b = g_soft.digests[I];
	return b.sw.gettable_ctx_params ? b.sw.gettable_ctx_params(nullptr, g_soft.provctx) : nullptr;
}

template <std::size_t I>
const OSSL_PARAM *digest_settable_ctx_params(void *, void *)
{
	const BoundDigest &b = g_soft.digests[I];
	return b.sw.settable_ctx_params ? b.sw.settable_ctx_params(nullptr, g_soft.provctx) : nullptr;
}

template <std::size_t I>
void *digest_newctx_i(void *provctx)
{
	return digest_newctx(static_cast<Provider *>(provctx), I);
}

template <std::size_t I>
int digest_get_params(OSSL_PARAM params[])
{
	return g_soft.digests[I].sw.get_params(params);
}

template <std::size_t I>
const OSSL_PARAM *digest_gettable_params(void *)
{
	const BoundDigest &b = g_soft.digests[I];
	return b.sw.gettable_params ? b.sw.gettable_params(g_soft.provctx) : nullptr;
}

int hmac_get_params(OSSL_PARAM params[])
{
	return g_soft.hmac.get_params ? g_soft.hmac.get_params(params) : 1;
}

const OSSL_PARAM *hmac_gettable_params(void *)
{
	return g_soft.hmac.gettable_params ? g_soft.hmac.gettable_params(g_soft.provctx) : nullptr;
}

const OSSL_PARAM *hmac_gettable_ctx_params(void *, void *)
{
	const MacFns &f = g_soft.hmac;
	return f.gettable_ctx_params ? f.gettable_ctx_params(nullptr, g_soft.provctx) : nullptr;
}

const OSSL_PARAM *hmac_settable_ctx_params(void *, void *)
{
	const MacFns &f = g_soft.hmac;
	return f.settable_ctx_params ? f.settable_ctx_params(nullptr, g_soft.provctx) : nullptr;
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
};

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
		if (g_soft.ciphers[i].available &&
		    has(g_cipher_algs[i].ocf_cipher, g_cipher_algs[i].ocf_mac))
			r.ciphers.push_back({ g_soft.ciphers[i].names, props,
					      all_cipher_tables()[i].data(), desc });
	for (std::size_t i = 0; i < kDigests; i++)
		if (g_soft.digests[i].available && has(g_digest_algs[i].ocf_hash, OCF_ALG_NONE))
			r.digests.push_back({ g_soft.digests[i].names, props,
					      all_digest_tables()[i].data(), desc });
	bool any_hmac = false;
	for (const DigestAlg &d : g_digest_algs)
		any_hmac |= d.ocf_hmac != OCF_ALG_NONE && has(d.ocf_hmac, OCF_ALG_NONE);
	if (g_soft.hmac_available && any_hmac)
		r.macs.push_back({ g_soft.hmac_names, props, hmac_table().data(), desc });
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
			if (!g_soft.ciphers[i].available && g_soft_ok)
				debug("%s: not in the default provider here, not offered",
				      g_cipher_algs[i].name);
		return build_algorithms(false, 0);
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
	offer = new Algorithms(build_algorithms(true, hw));
	decided_in = pid;
	// Offering nothing, this process has no use for the device: with the
	// system-wide configuration every OpenSSL program would otherwise pin
	// ocf.ko (rmmod fails) for nothing.
	if (!hw)
		dev::release_if_unused();
	debug("mode auto: %s; offering %zu ciphers, %zu digests, %zu MACs through OCF, "
	      "the rest is OpenSSL's default provider's own",
	      !c.usable ? "no usable /dev/ocf" :
	      hw	? "a hardware producer is present" :
			  "no hardware producer",
	      offer->ciphers.size() - 1, offer->digests.size() - 1, offer->macs.size() - 1);
	return *offer;
}

// ---- Provider functions ----

const OSSL_PARAM provider_param_types[] = {
	OSSL_PARAM_DEFN(OSSL_PROV_PARAM_NAME, OSSL_PARAM_UTF8_PTR, nullptr, 0),
	OSSL_PARAM_DEFN(OSSL_PROV_PARAM_VERSION, OSSL_PARAM_UTF8_PTR, nullptr, 0),
	OSSL_PARAM_DEFN(OSSL_PROV_PARAM_BUILDINFO, OSSL_PARAM_UTF8_PTR, nullptr, 0),
	OSSL_PARAM_DEFN(OSSL_PROV_PARAM_STATUS, OSSL_PARAM_INTEGER, nullptr, 0),
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
	return 1;
}

const OSSL_ALGORITHM *prov_query(void *provctx, int operation_id, int *no_cache)
{
	*no_cache = 0;
	if (operation_id != OSSL_OP_CIPHER && operation_id != OSSL_OP_DIGEST &&
	    operation_id != OSSL_OP_MAC)
		return nullptr;	// and do not open the device for what we never offer
	const auto *prov = static_cast<const Provider *>(provctx);
	const Algorithms &a = prov->cfg.mode == Mode::Auto ? auto_algorithms() : all_algorithms();
	switch (operation_id) {
	case OSSL_OP_CIPHER:
		return a.ciphers.data();
	case OSSL_OP_DIGEST:
		return a.digests.data();
	case OSSL_OP_MAC:
		return a.macs.data();
	default:
		return nullptr;
	}
}

const OSSL_ITEM *prov_reason_strings(void *)
{
	return reason_strings;
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

bool parse_mode(const char *s, Mode *out)
{
	if (!s)
		return false;
	if (!strcasecmp(s, "auto"))
		*out = Mode::Auto;
	else if (!strcasecmp(s, "always"))
		*out = Mode::Always;
	else if (!strcasecmp(s, "never"))
		*out = Mode::Never;
	else
		return false;
	return true;
}

// Bytes, with an optional k/K or m/M suffix (powers of 1024).
bool parse_size(const char *s, std::size_t *out)
{
	if (!s || !*s)
		return false;
	char *end = nullptr;
	unsigned long long v = std::strtoull(s, &end, 10);
	if (end == s)
		return false;
	if (*end == 'k' || *end == 'K')
		v *= 1024, end++;
	else if (*end == 'm' || *end == 'M')
		v *= 1024 * 1024, end++;
	if (*end)
		return false;
	*out = static_cast<std::size_t>(v);
	return true;
}

bool parse_bool(const char *s)
{
	return s && (!strcmp(s, "1") || !strcasecmp(s, "yes") || !strcasecmp(s, "true") ||
		     !strcasecmp(s, "on"));
}

const char *mode_name(Mode m)
{
	return m == Mode::Always ? "always" : m == Mode::Never ? "never" : "auto";
}

// The configuration: the provider's openssl.cnf section, then the
// environment (which wins).
Config read_config(const OSSL_CORE_HANDLE *handle)
{
	Config c;
	const char *mode = nullptr, *threshold = nullptr, *dbg = nullptr;
	if (c_get_params) {
		OSSL_PARAM params[] = {
			OSSL_PARAM_utf8_ptr("mode", const_cast<char **>(&mode), 0),
			OSSL_PARAM_utf8_ptr("threshold", const_cast<char **>(&threshold), 0),
			OSSL_PARAM_utf8_ptr("debug", const_cast<char **>(&dbg), 0),
			OSSL_PARAM_END,
		};
		c_get_params(handle, params);
	}
	if (parse_bool(dbg) || parse_bool(std::getenv("OCF_PROVIDER_DEBUG")))
		g_debug = c.debug = true;
	if (mode && !parse_mode(mode, &c.mode))
		debug("config: unknown mode \"%s\" (auto, always, never): using auto", mode);
	if (threshold && !parse_size(threshold, &c.threshold))
		debug("config: bad threshold \"%s\"", threshold);
	if (const char *e = std::getenv("OCF_PROVIDER_MODE"))
		if (!parse_mode(e, &c.mode))
			debug("OCF_PROVIDER_MODE: unknown mode \"%s\"", e);
	if (const char *e = std::getenv("OCF_PROVIDER_THRESHOLD"))
		if (!parse_size(e, &c.threshold))
			debug("OCF_PROVIDER_THRESHOLD: bad size \"%s\"", e);
	return c;
}

} // namespace

// ---- Shared helpers ----

void raise_error(const Provider *prov, int reason, const char *file, int line, const char *func,
		 const char *fmt, ...)
{
	if (!c_new_error || !c_vset_error || !prov)
		return;
	c_new_error(prov->handle);
	if (c_set_error_debug)
		c_set_error_debug(prov->handle, file, line, func);
	va_list ap;
	va_start(ap, fmt);
	c_vset_error(prov->handle, static_cast<uint32_t>(reason), fmt, ap);
	va_end(ap);
}

bool debug_enabled()
{
	return g_debug;
}

void debug(const char *fmt, ...)
{
	if (!g_debug)
		return;
	char msg[512];
	va_list ap;
	va_start(ap, fmt);
	std::vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	std::fprintf(stderr, "ocf-provider[%d]: %s\n", static_cast<int>(getpid()), msg);
}

void cleanse(void *p, std::size_t n)
{
	OPENSSL_cleanse(p, n);
}

bool ocf_possible(const Provider *prov, std::uint32_t alg1, std::uint32_t alg2)
{
	if (prov->cfg.mode == Mode::Never)
		return false;
	dev::Caps c = dev::caps();
	if (!c.usable)
		return false;
	std::uint64_t bits = prov->cfg.mode == Mode::Always ? c.any_algs : c.hw_algs;
	return dev::has_alg(bits, alg1) && dev::has_alg(bits, alg2);
}

bool use_ocf(const Provider *prov, std::uint32_t alg1, std::uint32_t alg2, std::size_t len,
	     std::size_t *max_len)
{
	if (prov->cfg.mode == Mode::Never)
		return false;
	if (prov->cfg.mode == Mode::Auto && len < prov->cfg.threshold)
		return false;
	dev::Caps c = dev::caps();
	if (!c.usable)
		return false;
	std::uint64_t bits = prov->cfg.mode == Mode::Always ? c.any_algs : c.hw_algs;
	if (!dev::has_alg(bits, alg1) || !dev::has_alg(bits, alg2))
		return false;
	*max_len = c.max_len;
	return c.max_len > 0;
}

} // namespace ocfprov

using namespace ocfprov;

extern "C" __attribute__((visibility("default"))) int
OSSL_provider_init(const OSSL_CORE_HANDLE *handle, const OSSL_DISPATCH *in,
		   const OSSL_DISPATCH **out, void **provctx)
{
	for (; in && in->function_id; in++) {
		switch (in->function_id) {
		case OSSL_FUNC_CORE_GET_PARAMS: c_get_params = OSSL_FUNC_core_get_params(in); break;
		case OSSL_FUNC_CORE_NEW_ERROR: c_new_error = OSSL_FUNC_core_new_error(in); break;
		case OSSL_FUNC_CORE_SET_ERROR_DEBUG:
			c_set_error_debug = OSSL_FUNC_core_set_error_debug(in);
			break;
		case OSSL_FUNC_CORE_VSET_ERROR: c_vset_error = OSSL_FUNC_core_vset_error(in); break;
		default: break;
		}
	}
	auto *prov = new (std::nothrow) Provider;
	if (!prov)
		return 0;
	prov->handle = handle;
	prov->cfg = read_config(handle);
	g_instances.fetch_add(1);
	std::call_once(g_soft_once, init_soft);
	debug("loaded: mode %s, threshold %zu bytes%s", mode_name(prov->cfg.mode),
	      prov->cfg.threshold, g_soft_ok ? "" : " (no default provider: offering nothing)");
	*out = provider_functions;
	*provctx = prov;
	return 1;
}
