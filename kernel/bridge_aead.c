// SPDX-License-Identifier: GPL-2.0
/*
 * The crypto-API bridge's AEADs: authenc(hmac(sha1),cbc(aes)),
 * authenc(hmac(sha256),cbc(aes)) and authenc(hmac(sha1),cbc(des3_ede)) as
 * one OCF chain each (encrypt, then MAC over the associated data and the
 * ciphertext), on a hardware producer that chains (OCF_PRODUCER_CAN_CHAIN).
 * One OCF request per crypto API request, over the caller's scatterlists:
 * nothing is allocated per request, so CRYPTO_ALG_ALLOCATES_MEMORY stays
 * clear. gcm(aes) and rfc4106(gcm(aes)) wait for a hardware producer that
 * offers GCM (none does yet).
 */

#include <crypto/aes.h>
#include <crypto/authenc.h>
#include <crypto/des.h>
#include <crypto/internal/aead.h>
#include <crypto/internal/hash.h>
#include <crypto/sha1.h>
#include <crypto/sha2.h>
#include <linux/fips.h>
#include <linux/module.h>
#include <linux/rtnetlink.h>

#include "bridge.h"

unsigned int ocf_bridge_aead_priority = 4300;
module_param_named(bridge_aead_priority, ocf_bridge_aead_priority, uint, 0644);
MODULE_PARM_DESC(bridge_aead_priority,
		 "crypto API priority of the bridge's AEADs (default 4300; authenc instances over the CPU's ciphers land at about 4100-4250: set it lower to prefer the CPU); read when an algorithm is registered");

/*
 * A transform's state: the keys (a session needs both and the tag length,
 * which setkey and setauthsize give in either order) and the session.
 */
struct ocf_bridge_aead_ctx {
	struct ocf_session *session;
	u32 key_len;
	u32 mac_key_len;
	u8 key[OCF_MAX_KEY_LEN];
	u8 mac_key[OCF_MAX_MAC_KEY_LEN];
};

struct ocf_bridge_aead_req {
	struct ocf_bridge_req br;
};

static struct ocf_bridge_alg *ocf_bridge_of_aead(struct crypto_aead *tfm)
{
	return container_of(crypto_aead_alg(tfm), struct ocf_bridge_alg, u.aead);
}

static int ocf_bridge_aead_init(struct crypto_aead *tfm)
{
	ocf_bridge_tfm_get(ocf_bridge_of_aead(tfm));
	crypto_aead_set_reqsize(tfm, sizeof(struct ocf_bridge_aead_req));
	return 0;
}

static void ocf_bridge_aead_exit(struct crypto_aead *tfm)
{
	struct ocf_bridge_aead_ctx *ctx = crypto_aead_ctx(tfm);

	if (ctx->session)
		ocf_session_free(ctx->session);
	memzero_explicit(ctx, sizeof(*ctx));
	ocf_bridge_tfm_put(ocf_bridge_of_aead(tfm));
}

/* A session for the keys held and @authsize; replaces the old one. */
static int ocf_bridge_aead_rekey(struct crypto_aead *tfm, unsigned int authsize)
{
	struct ocf_bridge_aead_ctx *ctx = crypto_aead_ctx(tfm);
	struct ocf_bridge_alg *a = ocf_bridge_of_aead(tfm);
	struct ocf_session *s, *old;

	if (!ctx->key_len)
		return 0;	/* setauthsize before setkey */
	s = ocf_bridge_session_new(a->cipher, ctx->key, ctx->key_len, a->mac, ctx->mac_key,
				   ctx->mac_key_len, authsize);
	if (IS_ERR(s))
		return PTR_ERR(s);
	old = ctx->session;
	ctx->session = s;
	if (old)
		ocf_session_free(old);
	return 0;
}

/*
 * The authenc key blob: an rtattr of type CRYPTO_AUTHENC_KEYA_PARAM holding
 * the cipher key's length, then the MAC key, then the cipher key.
 */
static int ocf_bridge_aead_split_key(const u8 *key, unsigned int len, const u8 **mac_key,
				     u32 *mac_key_len, const u8 **enc_key, u32 *enc_key_len)
{
	const struct rtattr *rta = (const struct rtattr *)key;
	const struct crypto_authenc_key_param *param;
	u32 enc;

	if (!RTA_OK(rta, len) || rta->rta_type != CRYPTO_AUTHENC_KEYA_PARAM ||
	    RTA_PAYLOAD(rta) < sizeof(*param))
		return -EINVAL;
	param = RTA_DATA(rta);
	enc = be32_to_cpu(param->enckeylen);
	key += rta->rta_len;
	len -= rta->rta_len;
	if (len < enc)
		return -EINVAL;
	*mac_key = key;
	*mac_key_len = len - enc;
	*enc_key = key + len - enc;
	*enc_key_len = enc;
	return 0;
}

static int ocf_bridge_aead_setkey(struct crypto_aead *tfm, const u8 *key, unsigned int len)
{
	struct ocf_bridge_aead_ctx *ctx = crypto_aead_ctx(tfm);
	struct ocf_bridge_alg *a = ocf_bridge_of_aead(tfm);
	const u8 *mac_key, *enc_key;
	u32 mac_key_len, enc_key_len;
	int ret;

	ret = ocf_bridge_aead_split_key(key, len, &mac_key, &mac_key_len, &enc_key, &enc_key_len);
	if (ret)
		return ret;
	if (enc_key_len > OCF_MAX_KEY_LEN ||
	    !(ocf_alg_info(a->cipher)->key_lens & BIT_ULL(enc_key_len)))
		return -EINVAL;
	if (a->cipher == OCF_CIPHER_3DES_CBC &&
	    (!memcmp(enc_key, enc_key + 8, 8) || !memcmp(enc_key + 8, enc_key + 16, 8)) &&
	    (fips_enabled || (crypto_aead_get_flags(tfm) & CRYPTO_TFM_REQ_FORBID_WEAK_KEYS)))
		return -EINVAL;
	/* Longer than a session takes: its digest is the key (RFC 2104). */
	if (mac_key_len > OCF_MAX_MAC_KEY_LEN) {
		const char *inner = a->mac == OCF_MAC_HMAC_SHA1 ? "sha1" : "sha256";
		struct crypto_shash *h = crypto_alloc_shash(inner, 0, CRYPTO_ALG_KERN_DRIVER_ONLY);

		if (IS_ERR(h))
			return PTR_ERR(h);
		ret = crypto_shash_tfm_digest(h, mac_key, mac_key_len, ctx->mac_key);
		ctx->mac_key_len = crypto_shash_digestsize(h);
		crypto_free_shash(h);
		if (ret)
			return ret;
	} else {
		memcpy(ctx->mac_key, mac_key, mac_key_len);
		ctx->mac_key_len = mac_key_len;
	}
	memcpy(ctx->key, enc_key, enc_key_len);
	ctx->key_len = enc_key_len;
	return ocf_bridge_aead_rekey(tfm, crypto_aead_authsize(tfm));
}

static int ocf_bridge_aead_setauthsize(struct crypto_aead *tfm, unsigned int authsize)
{
	/* A session's MAC length 0 means the full one: no empty tags here. */
	if (!authsize)
		return -EINVAL;
	return ocf_bridge_aead_rekey(tfm, authsize);
}

static void ocf_bridge_aead_done(struct ocf_bridge_req *br, int status)
{
	crypto_request_complete(br->base, status);
}

static int ocf_bridge_aead_crypt(struct aead_request *req, u32 op)
{
	struct crypto_aead *tfm = crypto_aead_reqtfm(req);
	struct ocf_bridge_aead_ctx *ctx = crypto_aead_ctx(tfm);
	struct ocf_bridge_aead_req *rctx = aead_request_ctx(req);
	struct ocf_request *oreq = &rctx->br.oreq;
	u32 authsize = crypto_aead_authsize(tfm), text = req->cryptlen;

	if (op == OCF_OP_DECRYPT) {
		if (text < authsize)
			return -EINVAL;
		text -= authsize;
	}
	if (text % crypto_aead_blocksize(tfm))
		return -EINVAL;
	if (!ctx->session)
		return -ENOKEY;
	memset(oreq, 0, sizeof(*oreq));
	oreq->session = ctx->session;
	oreq->op = op;
	oreq->flags = OCF_OP_NO_COPY_MAC;
	oreq->src = req->src;
	oreq->dst = req->dst;
	oreq->len = req->assoclen + text + authsize;
	oreq->cipher_offset = req->assoclen;
	oreq->cipher_len = text;
	oreq->auth_offset = 0;
	oreq->auth_len = req->assoclen + text;
	oreq->mac_offset = req->assoclen + text;
	memcpy(oreq->iv, req->iv, crypto_aead_ivsize(tfm));
	rctx->br.base = &req->base;
	rctx->br.done = ocf_bridge_aead_done;
	return ocf_bridge_submit(&rctx->br);
}

static int ocf_bridge_aead_encrypt(struct aead_request *req)
{
	return ocf_bridge_aead_crypt(req, OCF_OP_ENCRYPT);
}

static int ocf_bridge_aead_decrypt(struct aead_request *req)
{
	return ocf_bridge_aead_crypt(req, OCF_OP_DECRYPT);
}

#define OCF_BRIDGE_AEAD(_cipher, _mac, _name, _driver, _bs, _iv, _tag) {	\
	.type = OCF_BRIDGE_AEAD,						\
	.cipher = _cipher,							\
	.mac = _mac,								\
	.u.aead = {								\
		.base = {							\
			.cra_name = _name,					\
			.cra_driver_name = OCF_BRIDGE_DRIVER_PREFIX _driver,	\
			.cra_blocksize = _bs,					\
			.cra_ctxsize = sizeof(struct ocf_bridge_aead_ctx),	\
			.cra_flags = CRYPTO_ALG_ASYNC | CRYPTO_ALG_KERN_DRIVER_ONLY, \
			.cra_module = THIS_MODULE,				\
		},								\
		.setkey = ocf_bridge_aead_setkey,				\
		.setauthsize = ocf_bridge_aead_setauthsize,			\
		.encrypt = ocf_bridge_aead_encrypt,				\
		.decrypt = ocf_bridge_aead_decrypt,				\
		.init = ocf_bridge_aead_init,					\
		.exit = ocf_bridge_aead_exit,					\
		.ivsize = _iv,							\
		.maxauthsize = _tag,						\
	},									\
}

struct ocf_bridge_alg ocf_bridge_aeads[] = {
	OCF_BRIDGE_AEAD(OCF_CIPHER_AES_CBC, OCF_MAC_HMAC_SHA1, "authenc(hmac(sha1),cbc(aes))",
			"authenc-hmac-sha1-cbc-aes", AES_BLOCK_SIZE, AES_BLOCK_SIZE,
			SHA1_DIGEST_SIZE),
	OCF_BRIDGE_AEAD(OCF_CIPHER_AES_CBC, OCF_MAC_HMAC_SHA256, "authenc(hmac(sha256),cbc(aes))",
			"authenc-hmac-sha256-cbc-aes", AES_BLOCK_SIZE, AES_BLOCK_SIZE,
			SHA256_DIGEST_SIZE),
	OCF_BRIDGE_AEAD(OCF_CIPHER_3DES_CBC, OCF_MAC_HMAC_SHA1,
			"authenc(hmac(sha1),cbc(des3_ede))", "authenc-hmac-sha1-cbc-des3_ede",
			DES3_EDE_BLOCK_SIZE, DES3_EDE_BLOCK_SIZE, SHA1_DIGEST_SIZE),
};

const unsigned int ocf_bridge_naeads = ARRAY_SIZE(ocf_bridge_aeads);
