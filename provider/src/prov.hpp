// SPDX-License-Identifier: LGPL-2.1-or-later
// The OpenSSL 3 provider "ocf": what its translation units share.
//
// Every algorithm context wraps a context of OpenSSL's own default provider,
// its *default context* (default_ctx), driven through that provider's
// implementation (default_impl: loaded into a private library context, its
// functions called directly). A context is either *passthrough* (every call
// goes straight to the default implementation: mode never, or auto with no
// producer faster than the CPU, or no usable /dev/ocf) or it *may use OCF*
// (may_use_ocf: the provider keeps what it needs to send large requests to
// OCF and the rest to the default code).
#ifndef OCF_PROVIDER_PROV_HPP
#define OCF_PROVIDER_PROV_HPP

#include <openssl/core.h>
#include <openssl/core_dispatch.h>
#include <openssl/core_names.h>
#include <openssl/params.h>

#include <cstddef>
#include <cstdint>
#include <new>
#include <vector>

namespace ocfprov {

// ocf.ko's default max_op_len, a module parameter (no longer in the uapi
// header): past the real one the kernel answers -E2BIG and we fall back.
inline constexpr std::uint32_t kOcfDefaultMaxOpLen = 0x100000u;

enum class Mode { Auto, Always, Never };

struct Config {
	Mode mode = Mode::Auto;
	std::size_t threshold = 2048;	// bytes; smaller requests stay in software (auto)
	bool debug = false;
};

// Reason codes of the provider's errors (OSSL_FUNC_provider_get_reason_strings).
enum Reason : int {
	R_DEVICE = 1,		// an OCF request failed
	R_KEY_LENGTH,
	R_IV_LENGTH,
	R_NO_KEY,
	R_WRONG_FINAL_BLOCK_LENGTH,
	R_BAD_DECRYPT,
	R_OUTPUT_TOO_SMALL,
	R_NO_SOFTWARE,		// the default provider's implementation is missing
	R_BAD_TAG,
	R_BAD_RECORD_MAC,
	R_INVALID_PARAM,
	R_MALLOC,
	R_OPERATION_FAILED,
	R_BAD_LENGTH,
	R_BAD_SIGNATURE,
};

// The default provider's functions for one algorithm.
struct CipherFns {
	OSSL_FUNC_cipher_newctx_fn *newctx = nullptr;
	OSSL_FUNC_cipher_freectx_fn *freectx = nullptr;
	OSSL_FUNC_cipher_dupctx_fn *dupctx = nullptr;
	OSSL_FUNC_cipher_encrypt_init_fn *einit = nullptr;
	OSSL_FUNC_cipher_decrypt_init_fn *dinit = nullptr;
	OSSL_FUNC_cipher_update_fn *update = nullptr;
	OSSL_FUNC_cipher_final_fn *final = nullptr;
	OSSL_FUNC_cipher_cipher_fn *cipher = nullptr;
	OSSL_FUNC_cipher_get_params_fn *get_params = nullptr;
	OSSL_FUNC_cipher_gettable_params_fn *gettable_params = nullptr;
	OSSL_FUNC_cipher_get_ctx_params_fn *get_ctx_params = nullptr;
	OSSL_FUNC_cipher_set_ctx_params_fn *set_ctx_params = nullptr;
	OSSL_FUNC_cipher_gettable_ctx_params_fn *gettable_ctx_params = nullptr;
	OSSL_FUNC_cipher_settable_ctx_params_fn *settable_ctx_params = nullptr;
};

struct DigestFns {
	OSSL_FUNC_digest_newctx_fn *newctx = nullptr;
	OSSL_FUNC_digest_freectx_fn *freectx = nullptr;
	OSSL_FUNC_digest_dupctx_fn *dupctx = nullptr;
	OSSL_FUNC_digest_init_fn *init = nullptr;
	OSSL_FUNC_digest_update_fn *update = nullptr;
	OSSL_FUNC_digest_final_fn *final = nullptr;
	OSSL_FUNC_digest_get_params_fn *get_params = nullptr;
	OSSL_FUNC_digest_gettable_params_fn *gettable_params = nullptr;
	OSSL_FUNC_digest_get_ctx_params_fn *get_ctx_params = nullptr;
	OSSL_FUNC_digest_set_ctx_params_fn *set_ctx_params = nullptr;
	OSSL_FUNC_digest_gettable_ctx_params_fn *gettable_ctx_params = nullptr;
	OSSL_FUNC_digest_settable_ctx_params_fn *settable_ctx_params = nullptr;
};

struct MacFns {
	OSSL_FUNC_mac_newctx_fn *newctx = nullptr;
	OSSL_FUNC_mac_freectx_fn *freectx = nullptr;
	OSSL_FUNC_mac_dupctx_fn *dupctx = nullptr;
	OSSL_FUNC_mac_init_fn *init = nullptr;
	OSSL_FUNC_mac_update_fn *update = nullptr;
	OSSL_FUNC_mac_final_fn *final = nullptr;
	OSSL_FUNC_mac_get_params_fn *get_params = nullptr;
	OSSL_FUNC_mac_gettable_params_fn *gettable_params = nullptr;
	OSSL_FUNC_mac_get_ctx_params_fn *get_ctx_params = nullptr;
	OSSL_FUNC_mac_set_ctx_params_fn *set_ctx_params = nullptr;
	OSSL_FUNC_mac_gettable_ctx_params_fn *gettable_ctx_params = nullptr;
	OSSL_FUNC_mac_settable_ctx_params_fn *settable_ctx_params = nullptr;
};

struct Provider;

// What the provider offers, and how OCF does it.
enum class CipherKind { Cbc, Ctr, Gcm, Stitched };

struct CipherAlg {
	const char *name;	// the default provider's first name, e.g. "AES-128-CBC"
	CipherKind kind;
	std::uint32_t ocf_cipher;
	std::uint32_t ocf_mac;	// stitched ciphers
	std::size_t keylen;
	std::size_t ivlen;
	std::size_t blocksize;
	std::size_t maclen;	// stitched ciphers
};

struct DigestAlg {
	const char *name;	// e.g. "SHA2-256"
	std::uint32_t ocf_hash;
	std::uint32_t ocf_hmac;	// the HMAC over it, or OCF_ALG_NONE
	std::size_t size;
	std::size_t block;
};

// One bound algorithm of one provider instance: our table entry and the
// default provider's implementation of it.
struct BoundCipher {
	const CipherAlg *alg = nullptr;
	CipherFns default_impl;
	bool available = false;
	const char *names = nullptr;	// the default provider's names string
};

struct BoundDigest {
	const DigestAlg *alg = nullptr;
	DigestFns default_impl;
	bool available = false;
	const char *names = nullptr;
};

inline constexpr std::size_t kCiphers = 14;
inline constexpr std::size_t kDigests = 5;

extern const CipherAlg g_cipher_algs[kCiphers];
extern const DigestAlg g_digest_algs[kDigests];

// The default provider, loaded into a private library context shared by all
// instances of this provider in the process, and its functions for what we
// offer.
struct DefaultProvider {
	OSSL_LIB_CTX *libctx = nullptr;
	OSSL_PROVIDER *deflt = nullptr;
	void *provctx = nullptr;	// the default provider's
	BoundCipher ciphers[kCiphers];
	BoundDigest digests[kDigests];
	MacFns hmac;
	bool hmac_available = false;
	const char *hmac_names = nullptr;
};
extern DefaultProvider g_default_provider;

// One instance of the provider (one per library context it is loaded in).
struct Provider {
	const OSSL_CORE_HANDLE *handle = nullptr;
	Config cfg;
};

// ---- The provider's own parts, by concern ----

// config.cpp: one instance's configuration, from its openssl.cnf section
// (through the core's @get_params, if any) and then the environment (which
// wins); sets debug on when asked for.
Config read_config(const OSSL_CORE_HANDLE *handle, OSSL_FUNC_core_get_params_fn *get_params);
const char *mode_name(Mode m);

// errors.cpp: takes the core's error functions from @in (the same for every
// instance); the reason strings for OSSL_FUNC_provider_get_reason_strings.
void bind_core_errors(const OSSL_DISPATCH *in);
const OSSL_ITEM *provider_reason_strings();

// algorithms.cpp: loads and binds the default provider
// (g_default_provider), once per process. False when it could not be
// loaded: the provider offers nothing.
bool bind_default_provider();

// dispatch.cpp: the algorithms offered for @operation_id in @prov's mode.
const OSSL_ALGORITHM *offered_algorithms(const Provider *prov, int operation_id);

// Should a context for these algorithms (enum ocf_alg, or OCF_ALG_NONE) be
// allowed to use OCF (may_use_ocf)? Opens the device on first need.
bool ocf_possible(const Provider *prov, std::uint32_t alg1, std::uint32_t alg2);

// Should a request of @len bytes go to OCF now? Sets *max_len to the longest
// request OCF takes.
bool use_ocf(const Provider *prov, std::uint32_t alg1, std::uint32_t alg2, std::size_t len,
	     std::size_t *max_len);

// Errors onto OpenSSL's error queue, with the provider's reason codes.
void raise_error(const Provider *prov, int reason, const char *file, int line, const char *func,
		 const char *fmt = nullptr, ...) __attribute__((format(printf, 6, 7)));
#define OCF_RAISE(prov, reason, ...) \
	::ocfprov::raise_error((prov), (reason), __FILE__, __LINE__, __func__ __VA_OPT__(, ) __VA_ARGS__)

// Debug messages to stderr, when OCF_PROVIDER_DEBUG is set or debug = 1.
bool debug_enabled();
void debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

// Wipes memory the compiler may not optimise away.
void cleanse(void *p, std::size_t n);

// An allocator that wipes every block it gives back (on free, and on the
// growth of a vector, which frees the old block), so that keys, key-derived
// bytes (an HMAC's key XOR ipad goes through a digest context) and
// plaintext never stay behind in freed memory.
template <typename T>
struct WipingAllocator {
	using value_type = T;
	WipingAllocator() = default;
	template <typename U>
	WipingAllocator(const WipingAllocator<U> &) noexcept
	{
	}
	T *allocate(std::size_t n) { return static_cast<T *>(::operator new(n * sizeof(T))); }
	void deallocate(T *p, std::size_t n) noexcept
	{
		cleanse(p, n * sizeof(T));
		::operator delete(p);
	}
	template <typename U>
	bool operator==(const WipingAllocator<U> &) const noexcept
	{
		return true;
	}
};

// Bytes that may be secret: every buffer of a context.
using SecretBytes = std::vector<unsigned char, WipingAllocator<unsigned char>>;

// A context's work space (a record being put together, say): secret, wiped
// when freed, and never copied with the context, since a copy (dupctx) needs
// none of what is in it and should not hold another copy of a record.
struct ScratchBytes : SecretBytes {
	ScratchBytes() = default;
	ScratchBytes(const ScratchBytes &) : SecretBytes() {}
	ScratchBytes &operator=(const ScratchBytes &) = delete;
};

// The generic function pointer that OSSL_DISPATCH tables hold.
template <typename F>
void (*dispatch_fn(F *f))(void)
{
	return reinterpret_cast<void (*)(void)>(f);
}

// What every context of ours is: of a provider instance, for one of our
// algorithms, wrapping a default context (freed with it). Copied by
// dup_wrapper without the default context, which it duplicates: two
// contexts never share one.
template <typename Alg, typename Fns>
struct Wrapper {
	Provider *prov = nullptr;
	const Alg *alg = nullptr;
	const Fns *default_impl = nullptr;
	void *default_ctx = nullptr;

	Wrapper() = default;
	Wrapper(const Wrapper &o) : prov(o.prov), alg(o.alg), default_impl(o.default_impl) {}
	Wrapper &operator=(const Wrapper &) = delete;
	~Wrapper()
	{
		if (default_ctx)
			default_impl->freectx(default_ctx);
	}
};

// A new context of type Ctx (a Wrapper) for @bound's algorithm, wrapping a
// new default context; nullptr when either fails.
template <typename Ctx, typename Bound>
Ctx *new_wrapper(Provider *prov, const Bound &bound)
{
	auto *c = new (std::nothrow) Ctx;
	if (!c)
		return nullptr;
	c->prov = prov;
	c->alg = bound.alg;
	c->default_impl = &bound.default_impl;
	c->default_ctx = bound.default_impl.newctx(g_default_provider.provctx);
	if (!c->default_ctx) {
		delete c;
		return nullptr;
	}
	return c;
}

// A copy of @c (dupctx): a copy of every member (a member that must not be
// copied as it is, such as an OcfSession, says so in its own copy
// constructor) wrapping a duplicate of its default context; nullptr when
// either fails. One copy for every family, so that none forgets a field.
template <typename Ctx>
Ctx *dup_wrapper(const Ctx *c)
{
	void *default_ctx = c->default_impl->dupctx(c->default_ctx);
	if (!default_ctx)
		return nullptr;
	Ctx *d = nullptr;
	try {
		d = new Ctx(*c);
	} catch (...) {
		c->default_impl->freectx(default_ctx);
		return nullptr;
	}
	d->default_ctx = default_ctx;
	return d;
}

// The dispatch entries every family has alike: FREECTX, DUPCTX, and for
// ciphers ENCRYPT_INIT/DECRYPT_INIT onto the family's init, which takes
// the direction.
template <typename Ctx>
void free_context(void *vctx)
{
	delete static_cast<Ctx *>(vctx);
}

template <typename Ctx>
void *dup_context(void *vctx)
{
	return dup_wrapper(static_cast<const Ctx *>(vctx));
}

template <typename Ctx,
	  int (*Init)(Ctx *, bool enc, const unsigned char *key, std::size_t keylen,
		      const unsigned char *iv, std::size_t ivlen, const OSSL_PARAM params[]),
	  bool Enc>
int cipher_init_entry(void *vctx, const unsigned char *key, std::size_t keylen,
		      const unsigned char *iv, std::size_t ivlen, const OSSL_PARAM params[])
{
	return Init(static_cast<Ctx *>(vctx), Enc, key, keylen, iv, ivlen, params);
}

// ---- The algorithm families (one file each) ----

// Each family's dispatch functions, without NEWCTX, GET_PARAMS and the
// GETTABLE/SETTABLE lists (per algorithm, added by dispatch.cpp: OpenSSL asks
// for the lists without a context).
extern const OSSL_DISPATCH block_cipher_fns[];
extern const OSSL_DISPATCH gcm_cipher_fns[];
extern const OSSL_DISPATCH stitched_cipher_fns[];
extern const OSSL_DISPATCH digest_fns[];
extern const OSSL_DISPATCH hmac_fns[];

void *block_cipher_newctx(Provider *prov, std::size_t idx);
void *gcm_cipher_newctx(Provider *prov, std::size_t idx);
void *stitched_cipher_newctx(Provider *prov, std::size_t idx);
void *digest_newctx(Provider *prov, std::size_t idx);

// The DigestAlg an HMAC "digest" parameter names, or nullptr.
const DigestAlg *digest_by_name(const char *name);

} // namespace ocfprov

#endif // OCF_PROVIDER_PROV_HPP
