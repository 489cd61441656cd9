// SPDX-License-Identifier: LGPL-2.1-or-later
// The public-key families (RSA key management, signatures and encryption;
// finite-field DH key management and key exchange): what they share.
//
// As with the ciphers, OpenSSL's default provider does everything that does
// not go to OCF. A key of ours (PKey) wraps a key of the default provider's
// key management (its keydata), so that importing, exporting, comparing,
// validating and generating keys are the default's own code; next to it the
// key keeps the numbers an OCF key operation needs, read out through the
// default's export once per change. An operation context wraps a context of
// the default's implementation, which keeps every parameter (padding,
// digests, salt length, label, ...): we read them back from it and do the
// encoding and the modular exponentiation ourselves when OCF may do the
// latter, and call the default context otherwise.
#ifndef OCF_PROVIDER_PKEY_HPP
#define OCF_PROVIDER_PKEY_HPP

#include "prov.hpp"

#include <openssl/bn.h>
#include <openssl/core_dispatch.h>

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <span>

typedef struct rsa_st RSA;

namespace ocfprov {

// The default provider's functions for one public-key algorithm of one
// operation (key management, signature, asymmetric cipher, key exchange),
// by function id.
struct PkeyFns {
	static constexpr std::size_t kMaxId = 64;
	void (*fn[kMaxId])(void) = {};
	const char *names = nullptr;	// the default provider's names string
	bool available = false;

	template <typename F>
	F *get(int id) const
	{
		return id > 0 && static_cast<std::size_t>(id) < kMaxId ?
			       reinterpret_cast<F *>(fn[id]) :
			       nullptr;
	}
};

enum class KeyType { Rsa, Dh };

// The default provider's public-key implementations we wrap.
struct DefaultPkeys {
	PkeyFns rsa_keymgmt, dh_keymgmt, rsa_signature, rsa_asym_cipher, dh_keyexch;
};
extern DefaultPkeys g_default_pkeys;

// Binds g_default_pkeys from the default provider @deflt (algorithms.cpp).
void bind_default_pkeys(OSSL_PROVIDER *deflt);

// A big number as OCF takes it: unsigned big-endian bytes.
struct BnBytes {
	SecretBytes b;
	bool empty() const { return b.empty(); }
	std::size_t size() const { return b.size(); }
	const unsigned char *data() const { return b.data(); }
};

// A key of ours: the default's keydata and the numbers OCF needs.
struct PKey {
	Provider *prov = nullptr;
	KeyType type = KeyType::Rsa;
	void *dkey = nullptr;	// the default key management's keydata (owned)

	// Read out of dkey by refresh(); what is absent stays empty/null.
	std::size_t bits = 0;	// RSA: of n; DH: of p
	BIGNUM *n = nullptr, *e = nullptr;	// RSA public
	RSA *rsa_pub = nullptr;	// n and e only: the size OpenSSL's PSS helpers take
	BnBytes rsa_p, rsa_q, rsa_dp, rsa_dq, rsa_qinv;	// RSA private, CRT
	bool rsa_crt = false;	// a two-prime private key with all CRT numbers
	BIGNUM *dh_p = nullptr, *dh_q = nullptr, *dh_pub = nullptr;	// DH domain, public
	BnBytes dh_p_bytes, dh_priv;	// DH prime, private value
	bool dh_named = false;	// the domain is a named group's (RFC 7919, 3526, 5114)
	BN_MONT_CTX *rsa_mont = nullptr;	// of n: constant-time unblinding

	// OpenSSL frees a key (keymgmt free) when an EVP_PKEY's export cache
	// is refreshed, while operation contexts made before may still use
	// it: they hold references too (PKeyRef), as the default's hold theirs.
	std::atomic<int> refs{ 1 };

	PKey() = default;
	PKey(const PKey &) = delete;
	PKey &operator=(const PKey &) = delete;
	~PKey();

	// Reads the numbers out of dkey again (after every change to it).
	void refresh();
	void clear_numbers();
	std::size_t bytes() const { return (bits + 7) / 8; }
};

// Drops a reference to @k (keymgmt free, PKeyRef): the last one frees it.
void pkey_release(PKey *k);

// A context's reference to its key (or peer key).
class PKeyRef {
public:
	PKeyRef() = default;
	PKeyRef(const PKeyRef &o) : k_(o.k_) { hold(k_); }
	PKeyRef &operator=(const PKeyRef &o)
	{
		reset(o.k_);
		return *this;
	}
	~PKeyRef() { pkey_release(k_); }
	// Takes a reference to @k (null for none) and drops the old one.
	void reset(PKey *k)
	{
		hold(k);
		pkey_release(k_);
		k_ = k;
	}
	PKey *get() const { return k_; }
	PKey *operator->() const { return k_; }
	PKey &operator*() const { return *k_; }
	explicit operator bool() const { return k_ != nullptr; }

private:
	static void hold(PKey *k)
	{
		if (k)
			k->refs.fetch_add(1, std::memory_order_relaxed);
	}
	PKey *k_ = nullptr;
};

// The default's keydata inside a key of ours (nullptr for none): what every
// call on to the default implementation takes.
inline void *default_keydata(const void *provkey)
{
	return provkey ? static_cast<const PKey *>(provkey)->dkey : nullptr;
}

// What became of a key operation given to OCF.
enum class KopOutcome {
	Done,		// OCF did it, the result checked
	Software,	// not for OCF (mode, size, no producer, refused, a result
			// that failed its check): do it in software
	Failed,		// an error of ours (memory): raised, no output
};

// May a key operation of type @kop (OCF_KOP_*) on a modulus of @bits go to
// OCF? Mode never: no; always: when some producer does it at that size;
// auto: when a hardware producer does (software producers do not pay).
bool kop_allowed(const Provider *prov, unsigned kop, std::size_t bits);

// RSA through OCF, on @key.bytes()-byte big-endian strings. Private: blinded
// here (the producer sees m * r^e, never m), CRT through ocf_modexp_crt,
// the result checked against the public key while still blinded, then
// unblinded in constant time; a result that fails the check is never
// released (Software: the default redoes it). Public: ocf_modexp with e.
// Software when @in >= n, the key lacks what it needs, or OCF refuses.
KopOutcome rsa_private(const PKey &key, const unsigned char *in, unsigned char *out);
KopOutcome rsa_public(const PKey &key, const unsigned char *in, unsigned char *out);

// Whether this context's key may go to OCF for @kop at all (mode, size).
bool rsa_may_use_ocf(const PKey *key, unsigned kop);

// The families' dispatch tables (complete: one algorithm each).
const OSSL_DISPATCH *rsa_keymgmt_fns();
const OSSL_DISPATCH *dh_keymgmt_fns();
const OSSL_DISPATCH *rsa_signature_fns();
const OSSL_DISPATCH *rsa_asym_cipher_fns();
const OSSL_DISPATCH *dh_keyexch_fns();

// A default implementation's context-less parameter list call through
// @fns[@id] (gettable/settable lists that take (ctx, provctx)).
const OSSL_PARAM *default_ctx_params_list(const PkeyFns &fns, int id);

// Reads one parameter of a default operation context through its
// get_ctx_params @get; false when it is not answered.
bool default_get_int(int (*get)(void *, OSSL_PARAM[]), void *dctx, const char *key, int *out);
bool default_get_string(int (*get)(void *, OSSL_PARAM[]), void *dctx, const char *key, char *buf,
			std::size_t len);

// An EVP_MD of the default provider (our private library context) by name.
EVP_MD *fetch_default_md(const char *name);

} // namespace ocfprov

#endif // OCF_PROVIDER_PKEY_HPP
