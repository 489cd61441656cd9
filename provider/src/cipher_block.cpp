// SPDX-License-Identifier: LGPL-2.1-or-later
// CBC (AES, DES-EDE3) and CTR (AES) ciphers.
//
// The default provider's context (the "default context") holds the
// chaining state (the CBC IV, the CTR counter and keystream position),
// except after an OCF request: the request's new state stays in our
// context (chain, chain_ours) until the default context must run (any call
// into it goes through sync_default() first), so that a run of requests
// costs no state copies through OSSL_PARAMs and no re-init of the default
// context (a tenth of a 16-byte request's user-space time). A CBC context that may use OCF does its own partial-block
// buffering and padding, feeding the default context whole blocks with its
// padding off, so that any run of whole blocks can go either way.
#include "device.hpp"
#include "ocf_session.hpp"
#include "params.hpp"
#include "prov.hpp"

#include <openssl/evp.h>
#include <openssl/prov_ssl.h>

#include <linux/ocf.h>

#include <algorithm>
#include <cstring>
#include <new>

namespace ocfprov {
namespace {

struct BlockCtx : Wrapper<CipherAlg, CipherFns> {
	bool enc = true;
	bool key_set = false;
	bool may_use_ocf = false;	// else every call goes to the default context
	bool tls = false;	// TLS record mode (libssl): the default context does all...
	bool tls_ocf = false;	// ...but encrypting records, which may go to OCF
	unsigned tls_version = 0;
	unsigned pad = 1;	// CBC using OCF: ours (the default context's is off)
	bool oiv_set = false;
	unsigned char oiv[16] = {};
	unsigned char buf[16] = {};
	std::size_t bufsz = 0;
	// The chaining state after the last OCF request, newer than the
	// default context's while chain_ours (CTR: at keystream position 0).
	bool chain_ours = false;
	unsigned char chain[16] = {};
	OcfSession session;

	BlockCtx() = default;
	// dupctx (dup_wrapper): every member as it is.
	BlockCtx(const BlockCtx &) = default;
	BlockCtx &operator=(const BlockCtx &) = delete;

	~BlockCtx()
	{
		cleanse(buf, sizeof(buf));
	}
};

BlockCtx *ctx_of(void *vctx)
{
	return static_cast<BlockCtx *>(vctx);
}

bool is_cbc(const BlockCtx *c)
{
	return c->alg->kind == CipherKind::Cbc;
}

bool set_default_padding(BlockCtx *c, unsigned pad)
{
	return default_set_one(*c->default_impl, c->default_ctx,
			       OSSL_PARAM_construct_uint(OSSL_CIPHER_PARAM_PADDING, &pad));
}

// The default context's chaining state: IV (or counter) and, for CTR, the
// position in the current keystream block.
bool pull_state(BlockCtx *c, unsigned char *iv, unsigned *num)
{
	unsigned n = 0;
	OSSL_PARAM p[] = {
		OSSL_PARAM_construct_octet_string(OSSL_CIPHER_PARAM_UPDATED_IV, iv, c->alg->ivlen),
		OSSL_PARAM_construct_uint(OSSL_CIPHER_PARAM_NUM, &n),
		OSSL_PARAM_construct_end(),
	};
	if (!default_get(*c->default_impl, c->default_ctx, p))
		return false;
	if (num)
		*num = n;
	return true;
}

// Sets the default context's chaining state (and, for CTR, position 0).
bool push_state(BlockCtx *c, const unsigned char *iv)
{
	c->chain_ours = false;
	auto init = c->enc ? c->default_impl->einit : c->default_impl->dinit;
	return init(c->default_ctx, nullptr, 0, iv, c->alg->ivlen, nullptr) == 1;
}

// The chaining state, wherever it is now.
bool get_state(BlockCtx *c, unsigned char *iv, unsigned *num)
{
	if (!c->chain_ours)
		return pull_state(c, iv, num);
	std::memcpy(iv, c->chain, c->alg->ivlen);
	if (num)
		*num = 0;
	return true;
}

// Before any call into the default context: gives it the chaining state
// if an OCF request left a newer one with us.
bool sync_default(BlockCtx *c)
{
	return !c->chain_ours || push_state(c, c->chain);
}

// The default context's update, after sync_default().
int default_update(BlockCtx *c, unsigned char *out, std::size_t *outl, std::size_t outsize,
		   const unsigned char *in, std::size_t inl)
{
	return sync_default(c) && c->default_impl->update(c->default_ctx, out, outl, outsize, in, inl);
}

void add_blocks(unsigned char ctr[16], std::size_t blocks)
{
	// 128-bit big-endian counter, as OpenSSL's and the kernel's CTR count.
	unsigned long long carry = blocks;
	for (int i = 15; i >= 0 && carry; i--) {
		carry += ctr[i];
		ctr[i] = static_cast<unsigned char>(carry);
		carry >>= 8;
	}
}

// Runs whole blocks (CBC) or whole counter blocks (CTR) of @n bytes through
// OCF, starting from the default context's state and leaving the new state
// there. Returns 1 (done), 0 (declined, nothing touched: use software) or
// -1 (failed, error raised).
int ocf_blocks(BlockCtx *c, unsigned char *out, const unsigned char *in, std::size_t n,
	       std::size_t max_len)
{
	const std::size_t bs = c->alg->kind == CipherKind::Ctr ? 16 : c->alg->blocksize;
	ocf_session_params params{};
	params.cipher = c->alg->ocf_cipher;
	if (!c->session.ensure(params, c->prov))
		return 0;
	if (std::size_t limit = c->session.session().max_len; limit && limit < max_len)
		max_len = limit;	// its producer's limit
	std::size_t chunk = std::min<std::size_t>(max_len, 1u << 30) / bs * bs;
	if (chunk == 0)
		return 0;
	// Pieces of about equal size: a short last one would be below the
	// kernel's small-request size and go to a software producer.
	if (n > chunk) {
		std::size_t pieces = (n + chunk - 1) / chunk;
		chunk = std::min(chunk, ((n + pieces - 1) / pieces + bs - 1) / bs * bs);
	}
	unsigned char iv[16], next[16];
	if (!get_state(c, iv, nullptr))
		return 0;
	std::size_t off = 0;
	while (off < n) {
		std::size_t len = std::min(chunk, n - off);
		if (c->alg->kind == CipherKind::Cbc && !c->enc)
			std::memcpy(next, in + off + len - bs, bs);
		ocf_op op;
		ocf_op_cipher(&op, 0, c->enc ? OCF_OP_ENCRYPT : OCF_OP_DECRYPT, in + off,
			      out == in ? nullptr : out + off, static_cast<std::uint32_t>(len), iv);
		OcfOutcome done =
			submit(c->session, op, out == in, c->prov, "in-place request failed");
		if (done == OcfOutcome::Failed)
			return -1;
		if (done == OcfOutcome::Software) {
			// Nothing of this chunk was written: the rest in software.
			if (!push_state(c, iv))
				return -1;
			if (off == 0)
				return 0;
			std::size_t o = 0;
			if (!default_update(c, out + off, &o, n - off, in + off, n - off) ||
			    o != n - off)
				return -1;
			return 1;
		}
		if (c->alg->kind == CipherKind::Cbc) {
			if (c->enc)
				std::memcpy(next, out + off + len - bs, bs);
			std::memcpy(iv, next, bs);
		} else {
			add_blocks(iv, len / 16);
		}
		off += len;
	}
	std::memcpy(c->chain, iv, c->alg->ivlen);
	c->chain_ours = true;
	return 1;
}

// Whole blocks, through OCF or the default implementation.
bool process(BlockCtx *c, unsigned char *out, const unsigned char *in, std::size_t n)
{
	if (n == 0)
		return true;
	std::size_t max_len = 0;
	if (use_ocf(c->prov, c->alg->ocf_cipher, OCF_ALG_NONE, n, &max_len)) {
		int r = ocf_blocks(c, out, in, n, max_len);
		if (r)
			return r > 0;
	}
	std::size_t o = 0;
	return default_update(c, out, &o, n, in, n) && o == n;
}

// CTR: any length. A partial keystream block is finished in software, the
// whole blocks may go to OCF, the tail is done in software.
int ctr_update(BlockCtx *c, unsigned char *out, std::size_t *outl, std::size_t outsize,
	       const unsigned char *in, std::size_t inl)
{
	if (outsize < inl) {
		OCF_RAISE(c->prov, R_OUTPUT_TOO_SMALL);
		return 0;
	}
	std::size_t max_len = 0;
	if (inl < 16 || !use_ocf(c->prov, c->alg->ocf_cipher, OCF_ALG_NONE, inl, &max_len))
		return default_update(c, out, outl, outsize, in, inl);
	unsigned char iv[16];
	unsigned num = 0;
	std::size_t done = 0, o = 0;
	if (!get_state(c, iv, &num))
		return 0;
	if (num) {
		done = std::min<std::size_t>(16 - num, inl);
		if (!default_update(c, out, &o, done, in, done))
			return 0;
	}
	std::size_t bulk = (inl - done) & ~std::size_t{ 15 };
	if (bulk) {
		int r = ocf_blocks(c, out + done, in + done, bulk, max_len);
		if (r < 0)
			return 0;
		if (r == 0 && (!default_update(c, out + done, &o, bulk, in + done, bulk) || o != bulk))
			return 0;
		done += bulk;
	}
	if (done < inl && !default_update(c, out + done, &o, inl - done, in + done, inl - done))
		return 0;
	*outl = inl;
	return 1;
}

// CBC with buffering and padding, as OpenSSL's generic block update does it
// (decrypting with padding holds the last whole block back for final).
int cbc_update(BlockCtx *c, unsigned char *out, std::size_t *outl, std::size_t outsize,
	       const unsigned char *in, std::size_t inl)
{
	const std::size_t bs = c->alg->blocksize;
	std::size_t outlint = 0;
	if (c->bufsz) {
		std::size_t take = std::min(bs - c->bufsz, inl);
		std::memcpy(c->buf + c->bufsz, in, take);
		c->bufsz += take;
		in += take;
		inl -= take;
	}
	std::size_t nextblocks = inl & ~(bs - 1);
	if (c->bufsz == bs && (c->enc || inl > 0 || !c->pad)) {
		if (outsize < bs) {
			OCF_RAISE(c->prov, R_OUTPUT_TOO_SMALL);
			return 0;
		}
		if (!process(c, out, c->buf, bs)) {
			OCF_RAISE(c->prov, R_OPERATION_FAILED);
			return 0;
		}
		c->bufsz = 0;
		outlint = bs;
		out += bs;
	}
	if (nextblocks > 0 && !c->enc && c->pad && nextblocks == inl)
		nextblocks -= bs;
	if (nextblocks > 0) {
		if (outsize < outlint + nextblocks) {
			OCF_RAISE(c->prov, R_OUTPUT_TOO_SMALL);
			return 0;
		}
		if (!process(c, out, in, nextblocks)) {
			OCF_RAISE(c->prov, R_OPERATION_FAILED);
			return 0;
		}
		outlint += nextblocks;
		in += nextblocks;
		inl -= nextblocks;
	}
	if (inl) {
		if (c->bufsz + inl > bs) {
			OCF_RAISE(c->prov, R_OPERATION_FAILED);
			return 0;
		}
		std::memcpy(c->buf + c->bufsz, in, inl);
		c->bufsz += inl;
	}
	*outl = outlint;
	return 1;
}

int cbc_final(BlockCtx *c, unsigned char *out, std::size_t *outl, std::size_t outsize)
{
	const std::size_t bs = c->alg->blocksize;
	if (c->enc) {
		if (c->pad) {
			unsigned char v = static_cast<unsigned char>(bs - c->bufsz);
			std::memset(c->buf + c->bufsz, v, bs - c->bufsz);
		} else if (c->bufsz == 0) {
			*outl = 0;
			return 1;
		} else if (c->bufsz != bs) {
			OCF_RAISE(c->prov, R_WRONG_FINAL_BLOCK_LENGTH);
			return 0;
		}
		if (outsize < bs) {
			OCF_RAISE(c->prov, R_OUTPUT_TOO_SMALL);
			return 0;
		}
		if (!process(c, out, c->buf, bs)) {
			OCF_RAISE(c->prov, R_OPERATION_FAILED);
			return 0;
		}
		c->bufsz = 0;
		*outl = bs;
		return 1;
	}
	if (c->bufsz != bs) {
		if (c->bufsz == 0 && !c->pad) {
			*outl = 0;
			return 1;
		}
		OCF_RAISE(c->prov, R_WRONG_FINAL_BLOCK_LENGTH);
		return 0;
	}
	if (!process(c, c->buf, c->buf, bs)) {
		OCF_RAISE(c->prov, R_OPERATION_FAILED);
		return 0;
	}
	std::size_t len = bs;
	if (c->pad) {
		unsigned p = c->buf[bs - 1];
		bool bad = p == 0 || p > bs;
		for (std::size_t i = 0; !bad && i < p; i++)
			bad = c->buf[bs - 1 - i] != p;
		if (bad) {
			c->bufsz = 0;
			OCF_RAISE(c->prov, R_BAD_DECRYPT);
			return 0;
		}
		len = bs - p;
	}
	if (outsize < len) {
		OCF_RAISE(c->prov, R_OUTPUT_TOO_SMALL);
		return 0;
	}
	std::memcpy(out, c->buf, len);
	*outl = len;
	c->bufsz = 0;
	return 1;
}

// libssl's TLS record (encrypt-then-MAC, or no stitched cipher), encrypting:
// the provider pads it (as OpenSSL's generic code does) and encrypts it in
// place. 1 done, -1 declined (the default context does the record), 0 failed.
int tls_encrypt_record(BlockCtx *c, unsigned char *out, std::size_t *outl, std::size_t outsize,
		       const unsigned char *in, std::size_t inl)
{
	const std::size_t bs = c->alg->blocksize;
	std::size_t padnum = bs - inl % bs, total = inl + padnum, max_len = 0;
	if (!in || in != out || outsize < total || padnum > 256 ||
	    !use_ocf(c->prov, c->alg->ocf_cipher, OCF_ALG_NONE, total, &max_len))
		return -1;
	unsigned char padval = static_cast<unsigned char>(padnum - 1);
	if (c->tls_version == SSL3_VERSION) {
		std::memset(out + inl, 0, padnum - 1);
		out[total - 1] = padval;
	} else {
		std::memset(out + inl, padval, padnum);
	}
	int r = ocf_blocks(c, out, out, total, max_len);
	if (r <= 0)
		return r < 0 ? 0 : -1;
	*outl = total;
	return 1;
}

// ---- Dispatch functions ----

int block_set_ctx_params(void *vctx, const OSSL_PARAM params[]);

int block_init(BlockCtx *c, bool enc, const unsigned char *key, std::size_t keylen,
	       const unsigned char *iv, std::size_t ivlen, const OSSL_PARAM params[])
{
	// A CBC context re-initialised without an IV restarts from the original
	// one (as OpenSSL 1.1.1 did); the default context's copy of it may have
	// been overwritten by our state pushes, so give it ours.
	const unsigned char *use_iv = iv;
	std::size_t use_ivlen = ivlen;
	if (!iv && is_cbc(c) && c->oiv_set) {
		use_iv = c->oiv;
		use_ivlen = c->alg->ivlen;
	}
	// A CTR context re-initialised without an IV goes on from its counter.
	if (!sync_default(c))
		return 0;
	auto init = enc ? c->default_impl->einit : c->default_impl->dinit;
	if (!init(c->default_ctx, key, keylen, use_iv, use_ivlen, nullptr))
		return 0;
	c->enc = enc;
	c->bufsz = 0;
	if (iv) {
		std::memcpy(c->oiv, iv, c->alg->ivlen);
		c->oiv_set = true;
	}
	if (key) {
		bool key_fits = c->session.set_cipher_key({ key, c->alg->keylen });
		c->key_set = true;
		bool possible = key_fits && ocf_possible(c->prov, c->alg->ocf_cipher, OCF_ALG_NONE);
		bool may_use_ocf = !c->tls && possible;
		c->tls_ocf = c->tls && possible;
		if (may_use_ocf != c->may_use_ocf && is_cbc(c)) {
			// The padding moves between us and the default context.
			if (may_use_ocf) {
				unsigned pad = 1;
				default_get_one(
					*c->default_impl, c->default_ctx,
					OSSL_PARAM_construct_uint(OSSL_CIPHER_PARAM_PADDING, &pad));
				c->pad = pad;
				if (!set_default_padding(c, 0))
					return 0;
			} else if (!set_default_padding(c, c->pad)) {
				return 0;
			}
		}
		c->may_use_ocf = may_use_ocf;
	}
	return block_set_ctx_params(c, params);
}

int block_update(void *vctx, unsigned char *out, std::size_t *outl, std::size_t outsize,
		 const unsigned char *in, std::size_t inl)
{
	BlockCtx *c = ctx_of(vctx);
	if (c->tls_ocf && c->enc && c->key_set && is_cbc(c))
		if (int r = tls_encrypt_record(c, out, outl, outsize, in, inl); r >= 0)
			return r;
	if (!c->may_use_ocf)
		return default_update(c, out, outl, outsize, in, inl);
	if (!c->key_set) {
		OCF_RAISE(c->prov, R_NO_KEY);
		return 0;
	}
	if (inl == 0) {
		*outl = 0;
		return 1;
	}
	return is_cbc(c) ? cbc_update(c, out, outl, outsize, in, inl) :
			   ctr_update(c, out, outl, outsize, in, inl);
}

int block_final(void *vctx, unsigned char *out, std::size_t *outl, std::size_t outsize)
{
	BlockCtx *c = ctx_of(vctx);
	if (!c->may_use_ocf || !is_cbc(c))
		return sync_default(c) && c->default_impl->final(c->default_ctx, out, outl, outsize);
	if (!c->key_set) {
		OCF_RAISE(c->prov, R_NO_KEY);
		return 0;
	}
	return cbc_final(c, out, outl, outsize);
}

// EVP_Cipher(): no buffering, no padding.
int block_cipher(void *vctx, unsigned char *out, std::size_t *outl, std::size_t outsize,
		 const unsigned char *in, std::size_t inl)
{
	BlockCtx *c = ctx_of(vctx);
	if (!c->may_use_ocf || inl % c->alg->blocksize)
		return sync_default(c) &&
		       c->default_impl->cipher(c->default_ctx, out, outl, outsize, in, inl);
	if (!c->key_set) {
		OCF_RAISE(c->prov, R_NO_KEY);
		return 0;
	}
	if (outsize < inl) {
		OCF_RAISE(c->prov, R_OUTPUT_TOO_SMALL);
		return 0;
	}
	if (inl == 0) {
		*outl = 0;
		return 1;
	}
	if (!is_cbc(c))
		return ctr_update(c, out, outl, outsize, in, inl);
	if (!process(c, out, in, inl)) {
		OCF_RAISE(c->prov, R_OPERATION_FAILED);
		return 0;
	}
	*outl = inl;
	return 1;
}

int block_get_ctx_params(void *vctx, OSSL_PARAM params[])
{
	BlockCtx *c = ctx_of(vctx);
	bool own_pad = c->may_use_ocf && is_cbc(c);
	if (!sync_default(c))
		return 0;
	if (!forward_get(c->prov, params,
			 { OSSL_CIPHER_PARAM_IV, own_pad ? OSSL_CIPHER_PARAM_PADDING : "" },
			 [c](OSSL_PARAM *p) {
				 return c->default_impl->get_ctx_params(c->default_ctx, p);
			 }))
		return 0;
	if (OSSL_PARAM *p = find_param(params, OSSL_CIPHER_PARAM_IV)) {
		if (!set_octets(p, c->oiv, c->alg->ivlen)) {
			OCF_RAISE(c->prov, R_INVALID_PARAM, "IV");
			return 0;
		}
	}
	if (OSSL_PARAM *p = own_pad ? find_param(params, OSSL_CIPHER_PARAM_PADDING) : nullptr)
		if (!OSSL_PARAM_set_uint(p, c->pad)) {
			OCF_RAISE(c->prov, R_INVALID_PARAM, "padding");
			return 0;
		}
	return 1;
}

int block_set_ctx_params(void *vctx, const OSSL_PARAM params[])
{
	BlockCtx *c = ctx_of(vctx);
	if (!params || !params->key)
		return 1;
	if (!sync_default(c))
		return 0;
	if (const OSSL_PARAM *p = find_param(params, OSSL_CIPHER_PARAM_TLS_VERSION)) {
		unsigned v = 0;
		if (OSSL_PARAM_get_uint(p, &v) && v > 0 && !c->tls) {
			// libssl's record mode: the default implementation's padding
			// and constant-time MAC removal take over.
			if (c->may_use_ocf && is_cbc(c)) {
				if (c->bufsz) {
					OCF_RAISE(c->prov, R_OPERATION_FAILED,
						  "TLS mode with buffered data");
					return 0;
				}
				if (!set_default_padding(c, c->pad))
					return 0;
			}
			c->tls = true;
			c->tls_ocf = c->may_use_ocf;
			c->tls_version = v;
			c->may_use_ocf = false;
		}
	}
	if (c->may_use_ocf && is_cbc(c)) {
		if (const OSSL_PARAM *p = find_param(params, OSSL_CIPHER_PARAM_PADDING)) {
			unsigned pad = 0;
			if (!OSSL_PARAM_get_uint(p, &pad)) {
				OCF_RAISE(c->prov, R_INVALID_PARAM, "padding");
				return 0;
			}
			c->pad = pad ? 1 : 0;
		}
		return forward_set(
			c->prov, params, { OSSL_CIPHER_PARAM_PADDING }, [c](const OSSL_PARAM *p) {
				return c->default_impl->set_ctx_params(c->default_ctx, p);
			});
	}
	return c->default_impl->set_ctx_params(c->default_ctx, params);
}


} // namespace

void *block_cipher_newctx(Provider *prov, std::size_t idx)
{
	return new_wrapper<BlockCtx>(prov, g_default_provider.ciphers[idx]);
}

const OSSL_DISPATCH block_cipher_fns[] = {
	{ OSSL_FUNC_CIPHER_FREECTX, dispatch_fn(&free_context<BlockCtx>) },
	{ OSSL_FUNC_CIPHER_DUPCTX, dispatch_fn(&dup_context<BlockCtx>) },
	{ OSSL_FUNC_CIPHER_ENCRYPT_INIT,
	  dispatch_fn(&cipher_init_entry<BlockCtx, block_init, true>) },
	{ OSSL_FUNC_CIPHER_DECRYPT_INIT,
	  dispatch_fn(&cipher_init_entry<BlockCtx, block_init, false>) },
	{ OSSL_FUNC_CIPHER_UPDATE, dispatch_fn(&block_update) },
	{ OSSL_FUNC_CIPHER_FINAL, dispatch_fn(&block_final) },
	{ OSSL_FUNC_CIPHER_CIPHER, dispatch_fn(&block_cipher) },
	{ OSSL_FUNC_CIPHER_GET_CTX_PARAMS, dispatch_fn(&block_get_ctx_params) },
	{ OSSL_FUNC_CIPHER_SET_CTX_PARAMS, dispatch_fn(&block_set_ctx_params) },
	{ 0, nullptr },
};

} // namespace ocfprov
