// SPDX-License-Identifier: GPL-2.0
/*
 * The crypto-API bridge's skciphers: cbc(aes), ctr(aes), cbc(des3_ede) on
 * hardware producers. Each request runs as one OCF request over the
 * caller's scatterlists (in place or not, any layout), so the bridge
 * allocates nothing per request; CRYPTO_ALG_ALLOCATES_MEMORY stays clear
 * (dm-crypt needs that). The output IV the crypto API expects (the last
 * ciphertext block for CBC, the next counter for CTR) is made here.
 */

#include <crypto/internal/skcipher.h>
#include <crypto/scatterwalk.h>
#include <linux/fips.h>
#include <linux/module.h>
#include <crypto/aes.h>
#include <crypto/des.h>
#include <linux/ocf_compat.h>

#include "bridge.h"

/* A transform's state: its session, made by setkey. */
struct ocf_bridge_sk_ctx {
	struct ocf_session *session;
};

/* A request's state, in the crypto API's request context. */
struct ocf_bridge_sk_req {
	struct ocf_bridge_req br;
	u8 iv_next[OCF_MAX_IV_LEN];	/* CBC decryption: the last input block */
};

static struct ocf_bridge_alg *ocf_bridge_of_skcipher(struct crypto_skcipher *tfm)
{
	return container_of(crypto_skcipher_alg(tfm), struct ocf_bridge_alg, u.skcipher);
}

static int ocf_bridge_sk_init(struct crypto_skcipher *tfm)
{
	ocf_bridge_tfm_get(ocf_bridge_of_skcipher(tfm));
	crypto_skcipher_set_reqsize(tfm, sizeof(struct ocf_bridge_sk_req));
	return 0;
}

static void ocf_bridge_sk_exit(struct crypto_skcipher *tfm)
{
	struct ocf_bridge_sk_ctx *ctx = crypto_skcipher_ctx(tfm);

	if (ctx->session)
		ocf_session_free(ctx->session);
	ctx->session = NULL;
	ocf_bridge_tfm_put(ocf_bridge_of_skcipher(tfm));
}

/*
 * 3DES keys whose thirds repeat are DES in disguise: refused in FIPS mode
 * and when the caller forbids weak keys, as the kernel's own 3DES does.
 */
static int ocf_bridge_des3_check(struct crypto_skcipher *tfm, const u8 *key, unsigned int len)
{
	bool weak;

	if (len != 24)
		return -EINVAL;
	weak = !memcmp(key, key + 8, 8) || !memcmp(key + 8, key + 16, 8);
	if (weak && (fips_enabled ||
		     (crypto_skcipher_get_flags(tfm) & CRYPTO_TFM_REQ_FORBID_WEAK_KEYS)))
		return -EINVAL;
	return 0;
}

static int ocf_bridge_sk_setkey(struct crypto_skcipher *tfm, const u8 *key, unsigned int len)
{
	struct ocf_bridge_sk_ctx *ctx = crypto_skcipher_ctx(tfm);
	struct ocf_bridge_alg *a = ocf_bridge_of_skcipher(tfm);
	struct ocf_session *s, *old;
	int ret;

	if (a->cipher == OCF_CIPHER_3DES_CBC) {
		ret = ocf_bridge_des3_check(tfm, key, len);
		if (ret)
			return ret;
	}
	s = ocf_bridge_session_new(a->cipher, key, len, OCF_ALG_NONE, NULL, 0, 0);
	if (IS_ERR(s))
		return PTR_ERR(s);
	old = ctx->session;
	ctx->session = s;
	if (old)
		ocf_session_free(old);
	return 0;
}

/* Adds @blocks to the big-endian 128-bit counter @ctr. */
static void ocf_bridge_ctr_add(u8 *ctr, u64 blocks)
{
	u64 lo = get_unaligned_be64(ctr + 8), hi = get_unaligned_be64(ctr);

	if (lo + blocks < lo)
		hi++;
	lo += blocks;
	put_unaligned_be64(hi, ctr);
	put_unaligned_be64(lo, ctr + 8);
}

static void ocf_bridge_sk_done(struct ocf_bridge_req *br, int status)
{
	struct ocf_bridge_sk_req *rctx = container_of(br, struct ocf_bridge_sk_req, br);
	struct skcipher_request *req = container_of(br->base, struct skcipher_request, base);
	struct crypto_skcipher *tfm = crypto_skcipher_reqtfm(req);
	u32 ivlen = crypto_skcipher_ivsize(tfm), last = req->cryptlen - ivlen;

	if (!status) {
		if (ocf_bridge_of_skcipher(tfm)->cipher == OCF_CIPHER_AES_CTR)
			ocf_bridge_ctr_add(req->iv, DIV_ROUND_UP(req->cryptlen, AES_BLOCK_SIZE));
		else if (br->oreq.op == OCF_OP_ENCRYPT)
			scatterwalk_map_and_copy(req->iv, req->dst, last, ivlen, 0);
		else
			memcpy(req->iv, rctx->iv_next, ivlen);
	}
	crypto_request_complete(br->base, status);
}

static int ocf_bridge_sk_crypt(struct skcipher_request *req, u32 op)
{
	struct crypto_skcipher *tfm = crypto_skcipher_reqtfm(req);
	struct ocf_bridge_sk_ctx *ctx = crypto_skcipher_ctx(tfm);
	struct ocf_bridge_sk_req *rctx = skcipher_request_ctx(req);
	struct ocf_bridge_alg *a = ocf_bridge_of_skcipher(tfm);
	struct ocf_request *oreq = &rctx->br.oreq;
	u32 ivlen = crypto_skcipher_ivsize(tfm);

	if (!req->cryptlen)
		return 0;
	if (req->cryptlen % crypto_skcipher_blocksize(tfm))
		return -EINVAL;
	if (!ctx->session)
		return -ENOKEY;
	memset(oreq, 0, sizeof(*oreq));
	oreq->session = ctx->session;
	oreq->op = op;
	oreq->src = req->src;
	oreq->dst = req->dst;
	oreq->len = req->cryptlen;
	oreq->cipher_len = req->cryptlen;
	memcpy(oreq->iv, req->iv, ivlen);
	/* In place, the input's last block is gone once the chip has run. */
	if (op == OCF_OP_DECRYPT && a->cipher != OCF_CIPHER_AES_CTR)
		scatterwalk_map_and_copy(rctx->iv_next, req->src, req->cryptlen - ivlen, ivlen, 0);
	rctx->br.base = &req->base;
	rctx->br.done = ocf_bridge_sk_done;
	return ocf_bridge_submit(&rctx->br);
}

static int ocf_bridge_sk_encrypt(struct skcipher_request *req)
{
	return ocf_bridge_sk_crypt(req, OCF_OP_ENCRYPT);
}

static int ocf_bridge_sk_decrypt(struct skcipher_request *req)
{
	return ocf_bridge_sk_crypt(req, OCF_OP_DECRYPT);
}

#define OCF_BRIDGE_SKCIPHER(_cipher, _name, _driver, _bs, _minkey, _maxkey, _iv, _chunk) { \
	.type = OCF_BRIDGE_SKCIPHER,						\
	.cipher = _cipher,							\
	.u.skcipher = {								\
		.base = {							\
			.cra_name = _name,					\
			.cra_driver_name = OCF_BRIDGE_DRIVER_PREFIX _driver,	\
			.cra_blocksize = _bs,					\
			.cra_ctxsize = sizeof(struct ocf_bridge_sk_ctx),	\
			.cra_flags = CRYPTO_ALG_ASYNC | CRYPTO_ALG_KERN_DRIVER_ONLY, \
			.cra_module = THIS_MODULE,				\
		},								\
		.min_keysize = _minkey,						\
		.max_keysize = _maxkey,						\
		.ivsize = _iv,							\
		.chunksize = _chunk,						\
		.setkey = ocf_bridge_sk_setkey,					\
		.encrypt = ocf_bridge_sk_encrypt,				\
		.decrypt = ocf_bridge_sk_decrypt,				\
		.init = ocf_bridge_sk_init,					\
		.exit = ocf_bridge_sk_exit,					\
	},									\
}

struct ocf_bridge_alg ocf_bridge_skciphers[] = {
	OCF_BRIDGE_SKCIPHER(OCF_CIPHER_AES_CBC, "cbc(aes)", "cbc-aes", AES_BLOCK_SIZE,
			    AES_MIN_KEY_SIZE, AES_MAX_KEY_SIZE, AES_BLOCK_SIZE, AES_BLOCK_SIZE),
	OCF_BRIDGE_SKCIPHER(OCF_CIPHER_AES_CTR, "ctr(aes)", "ctr-aes", 1,
			    AES_MIN_KEY_SIZE, AES_MAX_KEY_SIZE, AES_BLOCK_SIZE, AES_BLOCK_SIZE),
	OCF_BRIDGE_SKCIPHER(OCF_CIPHER_3DES_CBC, "cbc(des3_ede)", "cbc-des3_ede",
			    DES3_EDE_BLOCK_SIZE, DES3_EDE_KEY_SIZE, DES3_EDE_KEY_SIZE,
			    DES3_EDE_BLOCK_SIZE, DES3_EDE_BLOCK_SIZE),
};

const unsigned int ocf_bridge_nskciphers = ARRAY_SIZE(ocf_bridge_skciphers);
