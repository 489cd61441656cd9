// SPDX-License-Identifier: GPL-2.0
/*
 * Software transforms (see soft.h). Everything here sleeps: it runs in
 * newsession and in the driver's own workers, never in process().
 */

#include <crypto/algapi.h>
#include <crypto/hash.h>
#include <crypto/scatterwalk.h>
#include <crypto/skcipher.h>
#include <linux/err.h>
#include <linux/scatterlist.h>

#include "producer.h"
#include "soft.h"

static const char *const hifn_soft_cipher_names[HIFN_SOFT_CIPHERS] = {
	[HIFN_SOFT_DES] = "cbc(des)",
	[HIFN_SOFT_3DES] = "cbc(des3_ede)",
	[HIFN_SOFT_AES] = "cbc(aes)",
};

static const char *const hifn_soft_mac_names[HIFN_SOFT_MACS] = {
	[HIFN_SOFT_MD5] = "md5",
	[HIFN_SOFT_SHA1] = "sha1",
	[HIFN_SOFT_HMAC_MD5] = "hmac(md5)",
	[HIFN_SOFT_HMAC_SHA1] = "hmac(sha1)",
};

static int hifn_soft_cipher_index(u32 alg)
{
	switch (alg) {
	case OCF_CIPHER_DES_CBC:
		return HIFN_SOFT_DES;
	case OCF_CIPHER_3DES_CBC:
		return HIFN_SOFT_3DES;
	case OCF_CIPHER_AES_CBC:
		return HIFN_SOFT_AES;
	default:
		return -1;
	}
}

static int hifn_soft_mac_index(u32 alg)
{
	switch (alg) {
	case OCF_HASH_MD5:
		return HIFN_SOFT_MD5;
	case OCF_HASH_SHA1:
		return HIFN_SOFT_SHA1;
	case OCF_MAC_HMAC_MD5:
		return HIFN_SOFT_HMAC_MD5;
	case OCF_MAC_HMAC_SHA1:
		return HIFN_SOFT_HMAC_SHA1;
	default:
		return -1;
	}
}

/* Allocates what this kernel has; a missing transform fails only its users. */
int hifn_soft_init(struct hifn_soft *s)
{
	unsigned int i;

	mutex_init(&s->lock);
	for (i = 0; i < HIFN_SOFT_CIPHERS; i++) {
		s->cipher[i] = crypto_alloc_skcipher(hifn_soft_cipher_names[i], 0, 0);
		if (IS_ERR(s->cipher[i]))
			s->cipher[i] = NULL;
	}
	for (i = 0; i < HIFN_SOFT_MACS; i++) {
		s->mac[i] = crypto_alloc_ahash(hifn_soft_mac_names[i], 0, 0);
		if (IS_ERR(s->mac[i])) {
			s->mac[i] = NULL;
			hifn_soft_exit(s);
			return -ENOENT;
		}
	}
	return 0;
}

void hifn_soft_exit(struct hifn_soft *s)
{
	unsigned int i;

	for (i = 0; i < HIFN_SOFT_CIPHERS; i++) {
		crypto_free_skcipher(s->cipher[i]);
		s->cipher[i] = NULL;
	}
	for (i = 0; i < HIFN_SOFT_MACS; i++) {
		crypto_free_ahash(s->mac[i]);
		s->mac[i] = NULL;
	}
}

/* The MAC of [offset, offset + len) of @sg with @tfm, keyed already. */
static int hifn_soft_mac_sg(struct crypto_ahash *tfm, struct scatterlist *sg, u32 offset, u32 len,
			    u8 *out)
{
	struct scatterlist buf[2], *from = sg;
	struct ahash_request *r;
	DECLARE_CRYPTO_WAIT(wait);
	int ret;

	r = ahash_request_alloc(tfm, GFP_KERNEL);
	if (!r)
		return -ENOMEM;
	if (len)
		from = scatterwalk_ffwd(buf, sg, offset);
	ahash_request_set_callback(r, CRYPTO_TFM_REQ_MAY_SLEEP | CRYPTO_TFM_REQ_MAY_BACKLOG,
				   crypto_req_done, &wait);
	ahash_request_set_crypt(r, from, out, len);
	ret = crypto_wait_req(crypto_ahash_digest(r), &wait);
	ahash_request_free(r);
	return ret;
}

static struct crypto_ahash *hifn_soft_mac_keyed(struct hifn_soft *s, u32 alg, const u8 *key,
						u32 key_len)
{
	int i = hifn_soft_mac_index(alg);
	struct crypto_ahash *tfm;

	lockdep_assert_held(&s->lock);
	if (i < 0 || !s->mac[i])
		return ERR_PTR(-EOPNOTSUPP);
	tfm = s->mac[i];
	if (i == HIFN_SOFT_HMAC_MD5 || i == HIFN_SOFT_HMAC_SHA1) {
		int ret = crypto_ahash_setkey(tfm, key, key_len);

		if (ret)
			return ERR_PTR(ret);
	}
	return tfm;
}

/**
 * hifn_soft_digest() - a hash or HMAC of a linear buffer
 * @s: the transforms
 * @alg: OCF_HASH_MD5/SHA1 or OCF_MAC_HMAC_MD5/SHA1
 * @key: the HMAC key (ignored for hashes)
 * @key_len: its length
 * @data: the data (may be NULL when @len is 0)
 * @len: its length
 * @out: the full digest
 *
 * Context: process; sleeps.
 * Return: 0 or a negative errno.
 */
int hifn_soft_digest(struct hifn_soft *s, u32 alg, const u8 *key, u32 key_len, const u8 *data,
		     u32 len, u8 *out)
{
	struct crypto_ahash *tfm;
	struct scatterlist sg;
	int ret;

	sg_init_one(&sg, data ?: out, len);
	mutex_lock(&s->lock);
	tfm = hifn_soft_mac_keyed(s, alg, key, key_len);
	ret = IS_ERR(tfm) ? PTR_ERR(tfm) : hifn_soft_mac_sg(tfm, &sg, 0, len, out);
	mutex_unlock(&s->lock);
	return ret;
}

static int hifn_soft_cipher(struct hifn_soft *s, const struct hifn_session *ses,
			    struct ocf_request *req)
{
	struct scatterlist sbuf[2], dbuf[2], *from, *to;
	int i = hifn_soft_cipher_index(ses->cipher);
	u8 iv[OCF_MAX_IV_LEN];
	struct skcipher_request *r;
	DECLARE_CRYPTO_WAIT(wait);
	int ret;

	lockdep_assert_held(&s->lock);
	if (!req->cipher_len)
		return 0;
	if (i < 0 || !s->cipher[i])
		return -EOPNOTSUPP;
	ret = crypto_skcipher_setkey(s->cipher[i], ses->key, ses->key_len);
	if (ret)
		return ret;
	r = skcipher_request_alloc(s->cipher[i], GFP_KERNEL);
	if (!r)
		return -ENOMEM;
	from = scatterwalk_ffwd(sbuf, req->src, req->cipher_offset);
	to = req->src == req->dst ? from : scatterwalk_ffwd(dbuf, req->dst, req->cipher_offset);
	memcpy(iv, req->iv, sizeof(iv));
	skcipher_request_set_callback(r, CRYPTO_TFM_REQ_MAY_SLEEP | CRYPTO_TFM_REQ_MAY_BACKLOG,
				      crypto_req_done, &wait);
	skcipher_request_set_crypt(r, from, to, req->cipher_len, iv);
	ret = crypto_wait_req(req->op == OCF_OP_ENCRYPT ? crypto_skcipher_encrypt(r) :
			      crypto_skcipher_decrypt(r), &wait);
	skcipher_request_free(r);
	return ret;
}

/* Encrypt: MAC over dst after the cipher. Decrypt: check src's before it. */
static int hifn_soft_mac(struct hifn_soft *s, const struct hifn_session *ses,
			 struct ocf_request *req)
{
	u8 mac[HIFN_MAC_LENGTH_MAX], want[HIFN_MAC_LENGTH_MAX];
	struct crypto_ahash *tfm;
	int ret;

	lockdep_assert_held(&s->lock);
	tfm = hifn_soft_mac_keyed(s, ses->mac, ses->mac_key, HIFN_MAC_KEY_LENGTH);
	if (IS_ERR(tfm))
		return PTR_ERR(tfm);
	if (req->op == OCF_OP_ENCRYPT) {
		ret = hifn_soft_mac_sg(tfm, req->dst, req->auth_offset, req->auth_len, mac);
		if (!ret)
			scatterwalk_map_and_copy(mac, req->dst, req->mac_offset, ses->mac_len, 1);
	} else {
		ret = hifn_soft_mac_sg(tfm, req->src, req->auth_offset, req->auth_len, mac);
		if (!ret) {
			scatterwalk_map_and_copy(want, req->src, req->mac_offset, ses->mac_len, 0);
			if (crypto_memneq(mac, want, ses->mac_len))
				ret = -EBADMSG;
		}
	}
	memzero_explicit(mac, sizeof(mac));
	return ret;
}

/**
 * hifn_soft_request() - do a request in software, as the chip would have
 * @s: the transforms
 * @ses: the request's session
 * @req: the request; its input untouched
 *
 * Encrypt then MAC; decrypt: verify, then decrypt (nothing written on a bad
 * MAC).
 * Context: process; sleeps.
 * Return: the request's status.
 */
int hifn_soft_request(struct hifn_soft *s, const struct hifn_session *ses,
		      struct ocf_request *req)
{
	int ret = 0;

	mutex_lock(&s->lock);
	if (req->op == OCF_OP_ENCRYPT) {
		if (ses->cipher)
			ret = hifn_soft_cipher(s, ses, req);
		if (!ret && ses->mac)
			ret = hifn_soft_mac(s, ses, req);
	} else {
		if (ses->mac)
			ret = hifn_soft_mac(s, ses, req);
		if (!ret && ses->cipher)
			ret = hifn_soft_cipher(s, ses, req);
	}
	mutex_unlock(&s->lock);
	return ret;
}
