// SPDX-License-Identifier: GPL-2.0
/*
 * swcrypt: OCF's software producer, over the Linux crypto API. Synchronous:
 * it does each request within its process call, on an OCF worker.
 */

#include <crypto/aead.h>
#include <crypto/algapi.h>
#include <crypto/hash.h>
#include <crypto/scatterwalk.h>
#include <crypto/skcipher.h>
#include <linux/module.h>
#include <linux/ocf.h>
#include <linux/slab.h>

struct ocf_swcrypt_session {
	struct crypto_skcipher *skcipher;
	struct crypto_aead *aead;
	struct crypto_ahash *ahash;
	u32 mac_len;
	bool mac_then_cipher;
};

static void ocf_swcrypt_freesession(struct ocf_producer *p, void *priv)
{
	struct ocf_swcrypt_session *ss = priv;

	if (!ss)
		return;
	crypto_free_skcipher(ss->skcipher);
	crypto_free_aead(ss->aead);
	crypto_free_ahash(ss->ahash);
	kfree(ss);
}

static int ocf_swcrypt_newsession(struct ocf_producer *p, const struct ocf_session_params *params,
				  void **priv)
{
	const struct ocf_alg_info *c = ocf_alg_info(params->cipher);
	const struct ocf_alg_info *m = ocf_alg_info(params->mac);
	struct ocf_swcrypt_session *ss;
	int ret = 0;

	ss = kzalloc(sizeof(*ss), GFP_KERNEL);
	if (!ss)
		return -ENOMEM;
	ss->mac_len = params->mac_len;
	ss->mac_then_cipher = params->flags & OCF_SESSION_MAC_THEN_CIPHER;
	if (c && c->kind == OCF_KIND_AEAD) {
		ss->aead = crypto_alloc_aead(c->crypto_name, 0, 0);
		if (IS_ERR(ss->aead)) {
			ret = PTR_ERR(ss->aead);
			ss->aead = NULL;
			goto err_free;
		}
		ret = crypto_aead_setkey(ss->aead, params->cipher_key, params->cipher_key_len) ?:
		      crypto_aead_setauthsize(ss->aead, params->mac_len);
	} else if (c) {
		ss->skcipher = crypto_alloc_skcipher(c->crypto_name, 0, 0);
		if (IS_ERR(ss->skcipher)) {
			ret = PTR_ERR(ss->skcipher);
			ss->skcipher = NULL;
			goto err_free;
		}
		ret = crypto_skcipher_setkey(ss->skcipher, params->cipher_key,
					     params->cipher_key_len);
	}
	if (ret)
		goto err_free;
	if (m) {
		ss->ahash = crypto_alloc_ahash(m->crypto_name, 0, 0);
		if (IS_ERR(ss->ahash)) {
			ret = PTR_ERR(ss->ahash);
			ss->ahash = NULL;
			goto err_free;
		}
		/* An HMAC needs its key set even when it is empty. */
		if (m->kind == OCF_KIND_HMAC)
			ret = crypto_ahash_setkey(ss->ahash, params->mac_key, params->mac_key_len);
		if (ret)
			goto err_free;
	}
	*priv = ss;
	return 0;

err_free:
	ocf_swcrypt_freesession(p, ss);
	return ret == -ENOENT ? -EOPNOTSUPP : ret;
}

/*
 * What the crypto API reads or writes through a pointer (IV, digest): off
 * the stack, since a driver that DMA-maps it cannot take stack memory.
 */
struct ocf_swcrypt_scratch {
	u8 iv[OCF_MAX_IV_LEN];
	u8 digest[OCF_MAX_MAC_LEN];
	u8 expected[OCF_MAX_MAC_LEN];
};

static int ocf_swcrypt_cipher(struct ocf_swcrypt_session *ss, struct ocf_request *req,
			      struct ocf_swcrypt_scratch *sc, struct scatterlist *src,
			      struct scatterlist *dst)
{
	struct scatterlist sbuf[2], dbuf[2], *s, *d;
	struct skcipher_request *r;
	DECLARE_CRYPTO_WAIT(wait);
	int ret;

	if (!req->cipher_len)
		return 0;
	r = skcipher_request_alloc(ss->skcipher, GFP_KERNEL);
	if (!r)
		return -ENOMEM;
	s = scatterwalk_ffwd(sbuf, src, req->cipher_offset);
	d = src == dst ? s : scatterwalk_ffwd(dbuf, dst, req->cipher_offset);
	/* The crypto API advances the IV; the request's stays as given. */
	memcpy(sc->iv, req->iv, sizeof(sc->iv));
	skcipher_request_set_callback(r, CRYPTO_TFM_REQ_MAY_SLEEP | CRYPTO_TFM_REQ_MAY_BACKLOG,
				      crypto_req_done, &wait);
	skcipher_request_set_crypt(r, s, d, req->cipher_len, sc->iv);
	ret = crypto_wait_req(req->op == OCF_OP_ENCRYPT ? crypto_skcipher_encrypt(r) :
				crypto_skcipher_decrypt(r), &wait);
	skcipher_request_free(r);
	return ret;
}

/* The MAC or hash of the auth region of @sg. */
static int ocf_swcrypt_digest(struct ocf_swcrypt_session *ss, struct ocf_request *req,
			      struct scatterlist *sg, u8 *digest)
{
	struct scatterlist buf[2], *s;
	struct ahash_request *r;
	DECLARE_CRYPTO_WAIT(wait);
	int ret;

	r = ahash_request_alloc(ss->ahash, GFP_KERNEL);
	if (!r)
		return -ENOMEM;
	s = req->auth_len ? scatterwalk_ffwd(buf, sg, req->auth_offset) : sg;
	ahash_request_set_callback(r, CRYPTO_TFM_REQ_MAY_SLEEP | CRYPTO_TFM_REQ_MAY_BACKLOG,
				   crypto_req_done, &wait);
	ahash_request_set_crypt(r, s, digest, req->auth_len);
	ret = crypto_wait_req(crypto_ahash_digest(r), &wait);
	ahash_request_free(r);
	return ret;
}

/* Computes the MAC over @over and writes it into @to at mac_offset. */
static int ocf_swcrypt_mac_write(struct ocf_swcrypt_session *ss, struct ocf_request *req,
				 struct ocf_swcrypt_scratch *sc, struct scatterlist *over,
				 struct scatterlist *to)
{
	int ret;

	ret = ocf_swcrypt_digest(ss, req, over, sc->digest);
	if (!ret)
		scatterwalk_map_and_copy(sc->digest, to, req->mac_offset, ss->mac_len, 1);
	return ret;
}

/* Computes the MAC over @over and compares it with @from's at mac_offset. */
static int ocf_swcrypt_mac_check(struct ocf_swcrypt_session *ss, struct ocf_request *req,
				 struct ocf_swcrypt_scratch *sc, struct scatterlist *over,
				 struct scatterlist *from)
{
	int ret;

	ret = ocf_swcrypt_digest(ss, req, over, sc->digest);
	if (!ret) {
		scatterwalk_map_and_copy(sc->expected, from, req->mac_offset, ss->mac_len, 0);
		if (crypto_memneq(sc->digest, sc->expected, ss->mac_len))
			ret = -EBADMSG;
	}
	return ret;
}

static int ocf_swcrypt_aead(struct ocf_swcrypt_session *ss, struct ocf_request *req,
			    struct ocf_swcrypt_scratch *sc)
{
	struct scatterlist sbuf[2], dbuf[2], *s, *d;
	bool encrypt = req->op == OCF_OP_ENCRYPT;
	struct aead_request *r;
	DECLARE_CRYPTO_WAIT(wait);
	int ret;

	r = aead_request_alloc(ss->aead, GFP_KERNEL);
	if (!r)
		return -ENOMEM;
	/* AAD, text and tag are contiguous from auth_offset (checked by OCF). */
	s = scatterwalk_ffwd(sbuf, req->src, req->auth_offset);
	d = req->src == req->dst ? s : scatterwalk_ffwd(dbuf, req->dst, req->auth_offset);
	memcpy(sc->iv, req->iv, sizeof(sc->iv));
	aead_request_set_callback(r, CRYPTO_TFM_REQ_MAY_SLEEP | CRYPTO_TFM_REQ_MAY_BACKLOG,
				  crypto_req_done, &wait);
	aead_request_set_ad(r, req->auth_len);
	aead_request_set_crypt(r, s, d, req->cipher_len + (encrypt ? 0 : ss->mac_len), sc->iv);
	ret = crypto_wait_req(encrypt ? crypto_aead_encrypt(r) : crypto_aead_decrypt(r), &wait);
	aead_request_free(r);
	/* The crypto API may have decrypted before it checked: release nothing. */
	if (ret == -EBADMSG)
		ocf_sg_zero(req->dst, req->cipher_offset, req->cipher_len);
	return ret;
}

static int ocf_swcrypt_chain(struct ocf_swcrypt_session *ss, struct ocf_request *req,
			     struct ocf_swcrypt_scratch *sc)
{
	struct scatterlist *src = req->src, *dst = req->dst;
	int ret;

	if (!ss->mac_then_cipher) {
		if (req->op == OCF_OP_ENCRYPT)
			return ocf_swcrypt_cipher(ss, req, sc, src, dst) ?:
			       ocf_swcrypt_mac_write(ss, req, sc, dst, dst);
		/* Verify first: a forged message is never decrypted. */
		return ocf_swcrypt_mac_check(ss, req, sc, src, src) ?:
		       ocf_swcrypt_cipher(ss, req, sc, src, dst);
	}
	if (req->op == OCF_OP_ENCRYPT) {
		/* The MAC may lie inside the cipher region: build it all in dst. */
		if (src != dst)
			ocf_sg_copy(dst, src, req->cipher_offset, req->cipher_len);
		return ocf_swcrypt_mac_write(ss, req, sc, dst, dst) ?:
		       ocf_swcrypt_cipher(ss, req, sc, dst, dst);
	}
	/* The MAC covers plaintext: assemble all of it in dst first. */
	ocf_request_copy_rest(req);
	ret = ocf_swcrypt_cipher(ss, req, sc, src, dst);
	if (ret)
		return ret;
	ret = ocf_swcrypt_mac_check(ss, req, sc, dst, dst);
	if (ret == -EBADMSG)
		ocf_sg_zero(dst, req->cipher_offset, req->cipher_len);
	return ret;
}

static int ocf_swcrypt_process(struct ocf_producer *p, struct ocf_request *req, void *priv)
{
	struct ocf_swcrypt_session *ss = priv;
	struct ocf_swcrypt_scratch *sc;
	int ret;

	sc = kmalloc(sizeof(*sc), GFP_KERNEL);
	if (!sc) {
		ocf_request_done(req, -ENOMEM);
		return 0;
	}
	if (ss->aead)
		ret = ocf_swcrypt_aead(ss, req, sc);
	else if (ss->skcipher && ss->ahash)
		ret = ocf_swcrypt_chain(ss, req, sc);
	else if (ss->skcipher)
		ret = ocf_swcrypt_cipher(ss, req, sc, req->src, req->dst);
	else if (req->op == OCF_OP_ENCRYPT)
		ret = ocf_swcrypt_mac_write(ss, req, sc, req->src, req->dst);
	else
		ret = ocf_swcrypt_mac_check(ss, req, sc, req->src, req->src);
	kfree_sensitive(sc);
	ocf_request_done(req, ret);
	return 0;
}

static const struct ocf_producer_ops ocf_swcrypt_ops = {
	.newsession = ocf_swcrypt_newsession,
	.freesession = ocf_swcrypt_freesession,
	.process = ocf_swcrypt_process,
};

static struct ocf_producer ocf_swcrypt = {
	.name = "swcrypt",
	.flags = OCF_PRODUCER_SOFTWARE | OCF_PRODUCER_CAN_CHAIN | OCF_PRODUCER_CAN_MAC_THEN_CIPHER |
		 OCF_PRODUCER_SYNC,
	.max_len = SZ_16M,
	.ops = &ocf_swcrypt_ops,
};

/* Offers only what this kernel's crypto API has (loading modules as needed). */
static u64 ocf_swcrypt_available(void)
{
	const struct ocf_alg_info *a;
	u64 algs = 0;
	bool has;
	u32 alg;

	for (alg = OCF_ALG_NONE + 1; alg < OCF_ALG_MAX; alg++) {
		a = ocf_alg_info(alg);
		if (!a || !a->crypto_name)
			continue;
		switch (a->kind) {
		case OCF_KIND_CIPHER:
			has = crypto_has_skcipher(a->crypto_name, 0, 0);
			break;
		case OCF_KIND_AEAD:
			has = crypto_has_alg(a->crypto_name, CRYPTO_ALG_TYPE_AEAD,
					     CRYPTO_ALG_TYPE_MASK);
			break;
		default:
			has = crypto_has_ahash(a->crypto_name, 0, 0);
			break;
		}
		if (has)
			algs |= BIT_ULL(alg);
		else
			pr_warn("%s (%s) not available in this kernel\n", a->name, a->crypto_name);
	}
	return algs;
}

static int __init ocf_swcrypt_init(void)
{
	ocf_swcrypt.algs = ocf_swcrypt_available();
	return ocf_producer_register(&ocf_swcrypt);
}

static void __exit ocf_swcrypt_exit(void)
{
	ocf_producer_unregister(&ocf_swcrypt);
}

module_init(ocf_swcrypt_init);
module_exit(ocf_swcrypt_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("OCF software producer over the Linux crypto API");
MODULE_AUTHOR("OCF for Linux developers");
