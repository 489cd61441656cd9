// SPDX-License-Identifier: LGPL-2.1-or-later
// SHA-1 and SHA-2 digests, and HMAC over them.
//
// An OCF hash or HMAC is one request over the whole message, so a context
// that may use OCF collects the message and decides at final: OCF when it
// is long enough (and fits in one request), else the default
// implementation, which then gets the collected bytes. A message longer
// than one request goes to the default implementation as it arrives.
#include "device.hpp"
#include "ocf_session.hpp"
#include "params.hpp"
#include "prov.hpp"

#include <openssl/evp.h>

#include <linux/ocf.h>

#include <cerrno>
#include <cstring>
#include <mutex>
#include <new>
#include <strings.h>
#include <vector>

namespace ocfprov {
namespace {

// The most a context collects before it gives up on OCF.
constexpr std::size_t kMaxCollect = kOcfDefaultMaxOpLen - OCF_MAX_MAC_LEN;

// Hash sessions have no key: one per algorithm serves every context.
dev::Session g_hash_sessions[kDigests];	// under dev::Lock::HashSessions
// Each thread's copy of them: a digest takes the lock only when its
// thread's copy is no longer live (none yet, a fork, a new device), not
// per request. A copy of a session OCF lost fails its next request
// (-ENOENT, -ESTALE: data untouched, done in software) and is forgotten.
thread_local dev::Session t_hash_sessions[kDigests];

bool hash_session(std::size_t idx, bool need_hw, dev::Session *out)
{
	dev::Session &mine = t_hash_sessions[idx];
	if (!dev::session_live(mine)) {
		std::lock_guard lock(dev::lock(dev::Lock::HashSessions));
		dev::Session &s = g_hash_sessions[idx];
		if (!dev::session_live(s)) {
			ocf_session_params p{};
			p.mac = g_digest_algs[idx].ocf_hash;
			if (dev::session_new(s, p, false) < 0)
				return false;
		}
		mine = s;
	}
	if (need_hw && !mine.hw)
		return false;
	*out = mine;
	return true;
}

// Runs @op on @used, a copy of algorithm @idx's shared session. A session
// that is gone is freed in the shared slot too (if no other context has
// replaced it meanwhile), so that the next digest makes a new one instead
// of failing over to software every time.
int run_hash(std::size_t idx, const dev::Session &used, ocf_op &op)
{
	int r = dev::run(used, op);
	if (dev::session_gone(r)) {
		t_hash_sessions[idx] = dev::Session{};
		std::lock_guard lock(dev::lock(dev::Lock::HashSessions));
		dev::Session &s = g_hash_sessions[idx];
		if (s.gen == used.gen && s.id == used.id)
			dev::session_free(s);
	}
	return r;
}

std::size_t digest_index(const DigestAlg *alg)
{
	return static_cast<std::size_t>(alg - g_digest_algs);
}

// Runs a hash or HMAC over buf[0, len) with @run (the op to its session);
// the digest lands at buf[len, len + size). 0, or a negative errno.
template <typename Run>
int ocf_digest(SecretBytes &buf, std::size_t size, Run &&run)
{
	std::size_t len = buf.size();
	buf.resize(len + size);
	ocf_op op;
	ocf_op_digest(&op, 0, OCF_OP_ENCRYPT, buf.data(), nullptr, static_cast<std::uint32_t>(len),
		      static_cast<std::uint32_t>(len + size));
	int r = run(op);
	if (r != 0)
		buf.resize(len);
	return r;
}


// ---- Digests ----

struct DigestCtx : Wrapper<DigestAlg, DigestFns> {
	bool may_use_ocf = false; // collecting for a possible OCF request
	SecretBytes buf;

	DigestCtx() = default;
	// dupctx (dup_wrapper): every member as it is.
	DigestCtx(const DigestCtx &) = default;
	DigestCtx &operator=(const DigestCtx &) = delete;
};

DigestCtx *dctx_of(void *v)
{
	return static_cast<DigestCtx *>(v);
}

// Hands what was collected to the default implementation: no OCF for this
// message any more. (Wiped: an HMAC's message may be secret.)
template <typename Ctx>
bool flush_collected(Ctx *c)
{
	c->may_use_ocf = false;
	bool ok = c->buf.empty() ||
		  c->default_impl->update(c->default_ctx, c->buf.data(), c->buf.size());
	if (!c->buf.empty())
		cleanse(c->buf.data(), c->buf.size());
	SecretBytes().swap(c->buf);
	return ok;
}

// Collects the message for one OCF request at final; past kMaxCollect (or
// without memory) the default implementation takes it as it comes.
template <typename Ctx>
int collect_update(Ctx *c, const unsigned char *in, std::size_t inl)
{
	if (!c->may_use_ocf)
		return c->default_impl->update(c->default_ctx, in, inl);
	if (c->buf.size() + inl > kMaxCollect)
		return flush_collected(c) && c->default_impl->update(c->default_ctx, in, inl);
	try {
		c->buf.insert(c->buf.end(), in, in + inl);
	} catch (...) {
		return flush_collected(c) && c->default_impl->update(c->default_ctx, in, inl);
	}
	return 1;
}

// Ends a collecting context's message: one OCF request over it (@which:
// the DigestAlg member naming the OCF algorithm) when it is long enough
// and fits, on the session @have_session provides and @run runs the op on;
// otherwise, or when that fails, the default implementation, given what
// was collected. The one final of digests and HMAC.
template <typename Ctx, typename HaveSession, typename Run>
int finish_collected(Ctx *c, std::uint32_t DigestAlg::*which, unsigned char *out,
		     std::size_t *outl, std::size_t outsize, HaveSession &&have_session,
		     Run &&run)
{
	if (c->may_use_ocf) {
		std::size_t max_len = 0, size = c->alg->size;
		if (outsize >= size &&
		    use_ocf(c->prov, c->alg->*which, OCF_ALG_NONE, c->buf.size(), &max_len) &&
		    c->buf.size() + size <= max_len && have_session()) {
			try {
				if (ocf_digest(c->buf, size, run) == 0) {
					std::memcpy(out, c->buf.data() + c->buf.size() - size, size);
					*outl = size;
					cleanse(c->buf.data(), c->buf.size());
					c->buf.clear();
					return 1;
				}
			} catch (...) {
			}
		}
		if (!flush_collected(c))
			return 0;
	}
	return c->default_impl->final(c->default_ctx, out, outl, outsize);
}

int digest_init(void *v, const OSSL_PARAM params[])
{
	DigestCtx *c = dctx_of(v);
	if (!c->default_impl->init(c->default_ctx, params))
		return 0;
	c->buf.clear();
	c->may_use_ocf = ocf_possible(c->prov, c->alg->ocf_hash, OCF_ALG_NONE);
	return 1;
}

int digest_update(void *v, const unsigned char *in, std::size_t inl)
{
	return collect_update(dctx_of(v), in, inl);
}

int digest_final(void *v, unsigned char *out, std::size_t *outl, std::size_t outsize)
{
	DigestCtx *c = dctx_of(v);
	dev::Session sess;	// a copy of the shared one for this algorithm
	return finish_collected(
		c, &DigestAlg::ocf_hash, out, outl, outsize,
		[c, &sess] {
			return hash_session(digest_index(c->alg), c->prov->cfg.mode == Mode::Auto,
					    &sess);
		},
		[c, &sess](ocf_op &op) { return run_hash(digest_index(c->alg), sess, op); });
}

int digest_get_ctx_params(void *v, OSSL_PARAM params[])
{
	DigestCtx *c = dctx_of(v);
	return c->default_impl->get_ctx_params
		       ? c->default_impl->get_ctx_params(c->default_ctx, params)
		       : 1;
}

int digest_set_ctx_params(void *v, const OSSL_PARAM params[])
{
	DigestCtx *c = dctx_of(v);
	if (!params || !params->key)
		return 1;
	// Anything special (SSLv3's master secret for SHA-1) is the default's.
	if (c->may_use_ocf && !flush_collected(c))
		return 0;
	return c->default_impl->set_ctx_params
		       ? c->default_impl->set_ctx_params(c->default_ctx, params)
		       : 1;
}

// ---- HMAC ----

// alg: from the "digest" parameter; nullptr: not ours.
struct HmacCtx : Wrapper<DigestAlg, MacFns> {
	bool key_set = false;
	bool key_ok = false;		// short enough for OCF
	bool tls_data = false;		// libssl's constant-time record MAC: software
	bool may_use_ocf = false;
	SecretBytes buf;
	OcfSession session;	// holds the key

	HmacCtx() = default;
	// dupctx (dup_wrapper): every member as it is.
	HmacCtx(const HmacCtx &) = default;
	HmacCtx &operator=(const HmacCtx &) = delete;

	~HmacCtx()
	{
		if (!buf.empty())
			cleanse(buf.data(), buf.size());
	}
};

HmacCtx *hctx_of(void *v)
{
	return static_cast<HmacCtx *>(v);
}

void hmac_set_key(HmacCtx *c, const unsigned char *key, std::size_t keylen)
{
	c->key_set = true;
	c->key_ok = c->session.set_mac_key({ key, keylen });
}

// Notes what the parameters (already given to the default context) change.
bool hmac_observe(HmacCtx *c, const OSSL_PARAM params[])
{
	if (!params)
		return true;
	if (const OSSL_PARAM *p = find_param(params, OSSL_MAC_PARAM_DIGEST)) {
		const char *name = nullptr;
		if (OSSL_PARAM_get_utf8_string_ptr(p, &name)) {
			const DigestAlg *a = digest_by_name(name);
			if (a != c->alg)
				c->session.reset();
			c->alg = a;
		}
	}
	if (const OSSL_PARAM *p = find_param(params, OSSL_MAC_PARAM_KEY)) {
		const void *k = nullptr;
		std::size_t kl = 0;
		if (OSSL_PARAM_get_octet_string_ptr(p, &k, &kl))
			hmac_set_key(c, static_cast<const unsigned char *>(k), kl);
	}
	if (find_param(params, OSSL_MAC_PARAM_TLS_DATA_SIZE))
		c->tls_data = true;
	return true;
}

void hmac_decide(HmacCtx *c)
{
	c->may_use_ocf = c->alg && c->alg->ocf_hmac != OCF_ALG_NONE && c->key_set && c->key_ok &&
			 !c->tls_data && ocf_possible(c->prov, c->alg->ocf_hmac, OCF_ALG_NONE);
}

void *hmac_newctx(void *provctx)
{
	auto *c = new (std::nothrow) HmacCtx;
	if (!c)
		return nullptr;
	c->prov = static_cast<Provider *>(provctx);
	c->default_impl = &g_default_provider.hmac;
	c->default_ctx = c->default_impl->newctx(g_default_provider.provctx);
	if (!c->default_ctx) {
		delete c;
		return nullptr;
	}
	return c;
}

int hmac_init(void *v, const unsigned char *key, std::size_t keylen, const OSSL_PARAM params[])
{
	HmacCtx *c = hctx_of(v);
	if (!c->default_impl->init(c->default_ctx, key, keylen, params))
		return 0;
	hmac_observe(c, params);
	if (key)
		hmac_set_key(c, key, keylen);
	if (!c->buf.empty())
		cleanse(c->buf.data(), c->buf.size());
	c->buf.clear();
	hmac_decide(c);
	return 1;
}

int hmac_update(void *v, const unsigned char *in, std::size_t inl)
{
	return collect_update(hctx_of(v), in, inl);
}

int hmac_final(void *v, unsigned char *out, std::size_t *outl, std::size_t outsize)
{
	HmacCtx *c = hctx_of(v);
	return finish_collected(
		c, &DigestAlg::ocf_hmac, out, outl, outsize,
		[c] {
			ocf_session_params p{};
			p.mac = c->alg->ocf_hmac;
			return c->session.ensure(p, c->prov);
		},
		[c](ocf_op &op) { return c->session.run(op); });
}

int hmac_get_ctx_params(void *v, OSSL_PARAM params[])
{
	HmacCtx *c = hctx_of(v);
	return c->default_impl->get_ctx_params(c->default_ctx, params);
}

int hmac_set_ctx_params(void *v, const OSSL_PARAM params[])
{
	HmacCtx *c = hctx_of(v);
	if (!params || !params->key)
		return 1;
	if (c->may_use_ocf && !c->buf.empty() && !flush_collected(c))
		return 0;
	if (!c->default_impl->set_ctx_params(c->default_ctx, params))
		return 0;
	hmac_observe(c, params);
	if (c->buf.empty())
		hmac_decide(c);
	return 1;
}

} // namespace

void *digest_newctx(Provider *prov, std::size_t idx)
{
	return new_wrapper<DigestCtx>(prov, g_default_provider.digests[idx]);
}

const DigestAlg *digest_by_name(const char *name)
{
	if (!name)
		return nullptr;
	std::size_t n = std::strlen(name);
	for (std::size_t i = 0; i < kDigests; i++) {
		const char *names = g_default_provider.digests[i].names;
		while (names && *names) {
			std::size_t len = std::strcspn(names, ":");
			if (len == n && strncasecmp(names, name, n) == 0)
				return &g_digest_algs[i];
			names += len;
			if (*names == ':')
				names++;
		}
	}
	return nullptr;
}

const OSSL_DISPATCH digest_fns[] = {
	{ OSSL_FUNC_DIGEST_FREECTX, dispatch_fn(&free_context<DigestCtx>) },
	{ OSSL_FUNC_DIGEST_DUPCTX, dispatch_fn(&dup_context<DigestCtx>) },
	{ OSSL_FUNC_DIGEST_INIT, dispatch_fn(&digest_init) },
	{ OSSL_FUNC_DIGEST_UPDATE, dispatch_fn(&digest_update) },
	{ OSSL_FUNC_DIGEST_FINAL, dispatch_fn(&digest_final) },
	{ OSSL_FUNC_DIGEST_GET_CTX_PARAMS, dispatch_fn(&digest_get_ctx_params) },
	{ OSSL_FUNC_DIGEST_SET_CTX_PARAMS, dispatch_fn(&digest_set_ctx_params) },
	{ 0, nullptr },
};

const OSSL_DISPATCH hmac_fns[] = {
	{ OSSL_FUNC_MAC_NEWCTX, dispatch_fn(&hmac_newctx) },
	{ OSSL_FUNC_MAC_FREECTX, dispatch_fn(&free_context<HmacCtx>) },
	{ OSSL_FUNC_MAC_DUPCTX, dispatch_fn(&dup_context<HmacCtx>) },
	{ OSSL_FUNC_MAC_INIT, dispatch_fn(&hmac_init) },
	{ OSSL_FUNC_MAC_UPDATE, dispatch_fn(&hmac_update) },
	{ OSSL_FUNC_MAC_FINAL, dispatch_fn(&hmac_final) },
	{ OSSL_FUNC_MAC_GET_CTX_PARAMS, dispatch_fn(&hmac_get_ctx_params) },
	{ OSSL_FUNC_MAC_SET_CTX_PARAMS, dispatch_fn(&hmac_set_ctx_params) },
	{ 0, nullptr },
};

} // namespace ocfprov
