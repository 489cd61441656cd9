// SPDX-License-Identifier: GPL-2.0
/*
 * The crypto-API bridge's ahashes: sha1, sha256, hmac(sha1), hmac(sha256)
 * on hardware producers (registered for those some producer offers: the
 * Hifn does SHA-1 and HMAC-SHA1).
 *
 * A device such as the Hifn hashes a whole message in one command and can
 * neither give back nor take a partial state, while ahash promises
 * init/update/final with export/import of the state in between. So:
 *  - digest(), and finup() on a fresh state, go to the device in one
 *    request, as do final()s of messages that fit the bridge's buffer
 *    (OCF_BRIDGE_HASH_BUF bytes, kept in the request and in the exported
 *    state);
 *  - a longer message fed through update() moves to the CPU's own
 *    implementation (an shash, which cannot be the bridge: an ahash is no
 *    shash) once it outgrows the buffer, and is finished there: the state
 *    the crypto API exports is then that shash's.
 * The bridge allocates nothing per request here either.
 */

#include <crypto/internal/hash.h>
#include <crypto/scatterwalk.h>
#include <crypto/sha1.h>
#include <crypto/sha2.h>
#include <linux/module.h>
#include <linux/scatterlist.h>

#include "bridge.h"

/* Bytes a message may have and still be hashed by the device at final(). */
#define OCF_BRIDGE_HASH_BUF	256
/* Room for the CPU implementation's exported state (sha1: 96, sha256: 104). */
#define OCF_BRIDGE_HASH_SW_STATE	160

unsigned int ocf_bridge_hash_priority = 500;
module_param_named(bridge_hash_priority, ocf_bridge_hash_priority, uint, 0644);
MODULE_PARM_DESC(bridge_hash_priority,
		 "crypto API priority of the bridge's hashes and HMACs (default 500; the CPU's SHA-1 and SHA-256 are at most 250); read when an algorithm is registered");

/* A transform's state: the session (made at init, or by setkey for HMACs). */
struct ocf_bridge_hash_ctx {
	struct ocf_session *session;
	struct crypto_shash *sw;	/* the CPU's, for long incremental messages */
};

/* The state export() writes and import() reads. */
struct ocf_bridge_hash_state {
	u32 sw;			/* the message moved to the CPU's shash */
	u32 buffered;		/* else: bytes in @buf */
	union {
		u8 buf[OCF_BRIDGE_HASH_BUF];
		u8 sw_state[OCF_BRIDGE_HASH_SW_STATE];
	};
};

/* A request's state; the CPU's shash_desc follows it, aligned. */
struct ocf_bridge_hash_req {
	struct ocf_bridge_req br;
	struct ocf_bridge_hash_state st;
	struct scatterlist sg[2];	/* the digest, then the message */
	struct scatterlist bufsg;	/* @st.buf, for final() */
	bool from_src;			/* the device hashes req->src */
	u8 digest[OCF_MAX_MAC_LEN];
};

#define OCF_BRIDGE_HASH_DESC_OFF	ALIGN(sizeof(struct ocf_bridge_hash_req), CRYPTO_MINALIGN)

static struct ocf_bridge_alg *ocf_bridge_of_ahash(struct crypto_ahash *tfm)
{
	struct hash_alg_common *halg = __crypto_hash_alg_common(crypto_ahash_tfm(tfm)->__crt_alg);

	return container_of(halg, struct ocf_bridge_alg, u.ahash.halg);
}

static struct shash_desc *ocf_bridge_hash_desc(struct ahash_request *req)
{
	struct ocf_bridge_hash_ctx *ctx = crypto_ahash_ctx(crypto_ahash_reqtfm(req));
	struct shash_desc *desc = ahash_request_ctx(req) + OCF_BRIDGE_HASH_DESC_OFF;

	desc->tfm = ctx->sw;
	return desc;
}

static int ocf_bridge_hash_init_tfm(struct crypto_ahash *tfm)
{
	struct ocf_bridge_hash_ctx *ctx = crypto_ahash_ctx(tfm);
	struct ocf_bridge_alg *a = ocf_bridge_of_ahash(tfm);
	const char *name = crypto_tfm_alg_name(crypto_ahash_tfm(tfm));
	struct ocf_session *s;
	int ret;

	/* An shash lookup never finds an ahash, so never the bridge. */
	ctx->sw = crypto_alloc_shash(name, 0, CRYPTO_ALG_KERN_DRIVER_ONLY);
	if (IS_ERR(ctx->sw))
		return PTR_ERR(ctx->sw);
	ret = -EINVAL;
	if (crypto_shash_statesize(ctx->sw) > OCF_BRIDGE_HASH_SW_STATE)
		goto err_free_sw;
	if (ocf_alg_info(a->mac)->kind == OCF_KIND_HASH) {
		s = ocf_bridge_session_new(OCF_ALG_NONE, NULL, 0, a->mac, NULL, 0, 0);
		ret = PTR_ERR_OR_ZERO(s);
		if (ret)
			goto err_free_sw;
		ctx->session = s;
	}
	crypto_ahash_set_reqsize(tfm, OCF_BRIDGE_HASH_DESC_OFF + sizeof(struct shash_desc) +
			      crypto_shash_descsize(ctx->sw));
	ocf_bridge_tfm_get(a);
	return 0;

err_free_sw:
	crypto_free_shash(ctx->sw);
	return ret;
}

static void ocf_bridge_hash_exit_tfm(struct crypto_ahash *tfm)
{
	struct ocf_bridge_hash_ctx *ctx = crypto_ahash_ctx(tfm);

	if (ctx->session)
		ocf_session_free(ctx->session);
	crypto_free_shash(ctx->sw);
	ocf_bridge_tfm_put(ocf_bridge_of_ahash(tfm));
}

static int ocf_bridge_hash_setkey(struct crypto_ahash *tfm, const u8 *key, unsigned int len)
{
	struct ocf_bridge_hash_ctx *ctx = crypto_ahash_ctx(tfm);
	struct ocf_bridge_alg *a = ocf_bridge_of_ahash(tfm);
	u8 hashed[OCF_MAX_MAC_LEN];
	struct ocf_session *s, *old;
	int ret;

	ret = crypto_shash_setkey(ctx->sw, key, len);
	if (ret)
		return ret;
	/* Longer than a session takes: its digest is the key (RFC 2104). */
	if (len > OCF_MAX_MAC_KEY_LEN) {
		const char *inner = a->mac == OCF_MAC_HMAC_SHA1 ? "sha1" : "sha256";
		struct crypto_shash *h = crypto_alloc_shash(inner, 0, CRYPTO_ALG_KERN_DRIVER_ONLY);

		if (IS_ERR(h))
			return PTR_ERR(h);
		ret = crypto_shash_tfm_digest(h, key, len, hashed);
		len = crypto_shash_digestsize(h);
		crypto_free_shash(h);
		if (ret)
			return ret;
		key = hashed;
	}
	s = ocf_bridge_session_new(OCF_ALG_NONE, NULL, 0, a->mac, key, len, 0);
	memzero_explicit(hashed, sizeof(hashed));
	if (IS_ERR(s))
		return PTR_ERR(s);
	old = ctx->session;
	ctx->session = s;
	if (old)
		ocf_session_free(old);
	return 0;
}

/* Feeds @len bytes of @sg to the CPU's shash. */
static int ocf_bridge_hash_sw_feed(struct shash_desc *desc, struct scatterlist *sg, u32 len)
{
	struct sg_mapping_iter miter;
	int ret = 0;

	if (!len)
		return 0;
	sg_miter_start(&miter, sg, sg_nents(sg), SG_MITER_FROM_SG | SG_MITER_ATOMIC);
	while (len && !ret && sg_miter_next(&miter)) {
		u32 n = min_t(size_t, miter.length, len);

		ret = crypto_shash_update(desc, miter.addr, n);
		len -= n;
	}
	sg_miter_stop(&miter);
	return ret;
}

static void ocf_bridge_hash_done(struct ocf_bridge_req *br, int status)
{
	struct ocf_bridge_hash_req *rctx = container_of(br, struct ocf_bridge_hash_req, br);
	struct ahash_request *req = container_of(br->base, struct ahash_request, base);
	u32 ds = crypto_ahash_digestsize(crypto_ahash_reqtfm(req));
	struct shash_desc *desc;

	/* Longer than the device takes: the CPU hashes the caller's message. */
	if (status == -E2BIG && br->oreq.auth_len == req->nbytes && rctx->from_src) {
		desc = ocf_bridge_hash_desc(req);
		status = crypto_shash_init(desc) ?:
			 ocf_bridge_hash_sw_feed(desc, req->src, req->nbytes) ?:
			 crypto_shash_final(desc, rctx->digest);
	}
	if (!status)
		memcpy(req->result, rctx->digest, ds);
	crypto_request_complete(br->base, status);
}

/* The digest of @len bytes at @msg (NULL when empty), by the device. */
static int ocf_bridge_hash_device(struct ahash_request *req, struct scatterlist *msg, u32 len)
{
	struct crypto_ahash *tfm = crypto_ahash_reqtfm(req);
	struct ocf_bridge_hash_ctx *ctx = crypto_ahash_ctx(tfm);
	struct ocf_bridge_hash_req *rctx = ahash_request_ctx(req);
	struct ocf_request *oreq = &rctx->br.oreq;
	u32 ds = crypto_ahash_digestsize(tfm);

	if (!ctx->session)
		return -ENOKEY;
	/* The digest first, so that the caller's list needs no end of ours. */
	if (msg && len) {
		sg_init_table(rctx->sg, 2);
		sg_set_buf(&rctx->sg[0], rctx->digest, ds);
		sg_chain(rctx->sg, 2, msg);
	} else {
		sg_init_one(rctx->sg, rctx->digest, ds);
		len = 0;
	}
	rctx->from_src = msg == req->src;
	memset(oreq, 0, sizeof(*oreq));
	oreq->session = ctx->session;
	oreq->op = OCF_OP_ENCRYPT;
	oreq->src = rctx->sg;
	oreq->dst = rctx->sg;
	oreq->len = ds + len;
	oreq->auth_offset = ds;
	oreq->auth_len = len;
	oreq->mac_offset = 0;
	rctx->br.base = &req->base;
	rctx->br.done = ocf_bridge_hash_done;
	return ocf_bridge_submit(&rctx->br);
}

static int ocf_bridge_hash_init(struct ahash_request *req)
{
	struct ocf_bridge_hash_req *rctx = ahash_request_ctx(req);

	rctx->st.sw = 0;
	rctx->st.buffered = 0;
	return 0;
}

/* Moves a buffered message to the CPU's shash. */
static int ocf_bridge_hash_to_sw(struct ahash_request *req)
{
	struct ocf_bridge_hash_req *rctx = ahash_request_ctx(req);
	struct shash_desc *desc = ocf_bridge_hash_desc(req);
	int ret;

	ret = crypto_shash_init(desc) ?: crypto_shash_update(desc, rctx->st.buf, rctx->st.buffered);
	if (ret)
		return ret;
	rctx->st.sw = 1;
	rctx->st.buffered = 0;
	return 0;
}

static int ocf_bridge_hash_update(struct ahash_request *req)
{
	struct ocf_bridge_hash_req *rctx = ahash_request_ctx(req);
	int ret;

	if (!rctx->st.sw && rctx->st.buffered + req->nbytes <= OCF_BRIDGE_HASH_BUF) {
		scatterwalk_map_and_copy(rctx->st.buf + rctx->st.buffered, req->src, 0,
					 req->nbytes, 0);
		rctx->st.buffered += req->nbytes;
		return 0;
	}
	if (!rctx->st.sw) {
		ret = ocf_bridge_hash_to_sw(req);
		if (ret)
			return ret;
	}
	return ocf_bridge_hash_sw_feed(ocf_bridge_hash_desc(req), req->src, req->nbytes);
}

static int ocf_bridge_hash_final(struct ahash_request *req)
{
	struct ocf_bridge_hash_req *rctx = ahash_request_ctx(req);

	if (rctx->st.sw)
		return crypto_shash_final(ocf_bridge_hash_desc(req), req->result);
	if (!rctx->st.buffered)
		return ocf_bridge_hash_device(req, NULL, 0);
	/* In the request context: stable until the request completes. */
	sg_init_one(&rctx->bufsg, rctx->st.buf, rctx->st.buffered);
	return ocf_bridge_hash_device(req, &rctx->bufsg, rctx->st.buffered);
}

static int ocf_bridge_hash_finup(struct ahash_request *req)
{
	struct ocf_bridge_hash_req *rctx = ahash_request_ctx(req);
	int ret;

	if (!rctx->st.sw && !rctx->st.buffered)
		return ocf_bridge_hash_device(req, req->src, req->nbytes);
	ret = ocf_bridge_hash_update(req);
	return ret ?: ocf_bridge_hash_final(req);
}

static int ocf_bridge_hash_digest(struct ahash_request *req)
{
	ocf_bridge_hash_init(req);
	return ocf_bridge_hash_device(req, req->src, req->nbytes);
}

static int ocf_bridge_hash_export(struct ahash_request *req, void *out)
{
	struct ocf_bridge_hash_req *rctx = ahash_request_ctx(req);
	struct ocf_bridge_hash_state *st = out;

	st->sw = rctx->st.sw;
	st->buffered = rctx->st.buffered;
	if (rctx->st.sw)
		return crypto_shash_export(ocf_bridge_hash_desc(req), st->sw_state);
	memcpy(st->buf, rctx->st.buf, rctx->st.buffered);
	return 0;
}

static int ocf_bridge_hash_import(struct ahash_request *req, const void *in)
{
	struct ocf_bridge_hash_req *rctx = ahash_request_ctx(req);
	const struct ocf_bridge_hash_state *st = in;

	if (st->sw > 1 || st->buffered > OCF_BRIDGE_HASH_BUF)
		return -EINVAL;
	rctx->st.sw = st->sw;
	rctx->st.buffered = st->sw ? 0 : st->buffered;
	if (st->sw)
		return crypto_shash_import(ocf_bridge_hash_desc(req), st->sw_state);
	memcpy(rctx->st.buf, st->buf, st->buffered);
	return 0;
}

#define OCF_BRIDGE_AHASH(_mac, _name, _driver, _ds, _bs, _setkey) {		\
	.type = OCF_BRIDGE_AHASH,						\
	.mac = _mac,								\
	.u.ahash = {								\
		.init = ocf_bridge_hash_init,					\
		.update = ocf_bridge_hash_update,				\
		.final = ocf_bridge_hash_final,					\
		.finup = ocf_bridge_hash_finup,					\
		.digest = ocf_bridge_hash_digest,				\
		.export = ocf_bridge_hash_export,				\
		.import = ocf_bridge_hash_import,				\
		.setkey = _setkey,						\
		.init_tfm = ocf_bridge_hash_init_tfm,				\
		.exit_tfm = ocf_bridge_hash_exit_tfm,				\
		.halg = {							\
			.digestsize = _ds,					\
			.statesize = sizeof(struct ocf_bridge_hash_state),	\
			.base = {						\
				.cra_name = _name,				\
				.cra_driver_name = OCF_BRIDGE_DRIVER_PREFIX _driver, \
				.cra_blocksize = _bs,				\
				.cra_ctxsize = sizeof(struct ocf_bridge_hash_ctx), \
				.cra_flags = CRYPTO_ALG_ASYNC |			\
					     CRYPTO_ALG_KERN_DRIVER_ONLY,	\
				.cra_module = THIS_MODULE,			\
			},							\
		},								\
	},									\
}

struct ocf_bridge_alg ocf_bridge_ahashes[] = {
	OCF_BRIDGE_AHASH(OCF_HASH_SHA1, "sha1", "sha1", SHA1_DIGEST_SIZE, SHA1_BLOCK_SIZE, NULL),
	OCF_BRIDGE_AHASH(OCF_HASH_SHA256, "sha256", "sha256", SHA256_DIGEST_SIZE,
			 SHA256_BLOCK_SIZE, NULL),
	OCF_BRIDGE_AHASH(OCF_MAC_HMAC_SHA1, "hmac(sha1)", "hmac-sha1", SHA1_DIGEST_SIZE,
			 SHA1_BLOCK_SIZE, ocf_bridge_hash_setkey),
	OCF_BRIDGE_AHASH(OCF_MAC_HMAC_SHA256, "hmac(sha256)", "hmac-sha256", SHA256_DIGEST_SIZE,
			 SHA256_BLOCK_SIZE, ocf_bridge_hash_setkey),
};

const unsigned int ocf_bridge_nahashes = ARRAY_SIZE(ocf_bridge_ahashes);
