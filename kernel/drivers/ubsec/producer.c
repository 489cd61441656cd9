// SPDX-License-Identifier: GPL-2.0
/*
 * The ubsec chip as an OCF producer: symmetric packets on MCR1, key
 * operations on MCR2.
 *
 * Each job is one allocation mapped once: its context, the packet buffers
 * chained after the MCR's own, the 20-byte MAC buffer and the data. A
 * request's data (the hull of its regions) is staged there and transformed
 * in place, so the request's input is untouched until completion: a job can
 * be posted again after a reset, or done in software.
 *
 * The chip's chain is encrypt-then-MAC (decrypt: MAC-then-decrypt), with
 * the cipher region ending where the MAC region ends and starting a whole
 * number of words into it (the context's offset). Requests laid out
 * otherwise, with an empty region, or with a MAC region but no MAC (or the
 * other way round), are done in software, as are requests of a chip that
 * failed or went away. Key operations the chip cannot take (a modexp
 * exponent longer than the modulus, or zero; CRT operands past the chip's
 * sizes) are given back with -EAGAIN and OCF runs them on another
 * producer, avoiding every one that gave them back. The driver computes no
 * modexp itself: its exponent may be secret (OCF_KOP_F_PRIME_MODULUS), and
 * lib/mpi's exponentiation is neither blinded nor constant-time.
 */

#include <crypto/algapi.h>
#include <crypto/hash.h>
#include <crypto/md5.h>
#include <crypto/scatterwalk.h>
#include <crypto/sha1.h>
#include <crypto/skcipher.h>
#include <linux/slab.h>
#include <linux/ocf_compat.h>

#include "core.h"

#define UBSEC_HMAC_BLOCK	64

/**
 * struct ubsec_session - what a session's packets need
 * @cipher: enum ocf_alg, or 0
 * @mac: enum ocf_alg, or 0
 * @mac_len: bytes of MAC delivered or checked
 * @key_len: cipher key bytes
 * @key: the cipher key
 * @mac_key: the HMAC key, one block (a longer one hashed), for software
 * @hminner: HMAC inner state after the key block, as the context takes it
 * @hmouter: outer state
 */
struct ubsec_session {
	u32 cipher;
	u32 mac;
	u32 mac_len;
	u32 key_len;
	u8 key[32];
	u8 mac_key[UBSEC_HMAC_BLOCK];
	__le32 hminner[5];
	__le32 hmouter[5];
};

/* ---- Software ------------------------------------------------------------------ */

static const char *ubsec_hash_name(u32 mac)
{
	return mac == OCF_MAC_HMAC_MD5 ? "md5" : "sha1";
}

/* HMAC of @len bytes at @data under the session's key. */
static int ubsec_soft_hmac(const struct ubsec_session *ses, const u8 *data, u32 len, u8 *out)
{
	struct crypto_shash *tfm;
	int ret;

	tfm = crypto_alloc_shash(ses->mac == OCF_MAC_HMAC_MD5 ? "hmac(md5)" : "hmac(sha1)", 0, 0);
	if (IS_ERR(tfm))
		return PTR_ERR(tfm);
	ret = crypto_shash_setkey(tfm, ses->mac_key, UBSEC_HMAC_BLOCK) ?:
	      crypto_shash_tfm_digest(tfm, data, len, out);
	crypto_free_shash(tfm);
	return ret;
}

static int ubsec_soft_cipher(const struct ubsec_session *ses, const u8 *iv, u8 *data, u32 len,
			     bool decrypt)
{
	static const char *const names[] = {
		[OCF_CIPHER_DES_CBC] = "cbc(des)", [OCF_CIPHER_3DES_CBC] = "cbc(des3_ede)",
		[OCF_CIPHER_AES_CBC] = "cbc(aes)",
	};
	struct crypto_sync_skcipher *tfm;
	u8 ivbuf[OCF_MAX_IV_LEN];
	struct scatterlist sg;
	int ret;

	tfm = crypto_alloc_sync_skcipher(names[ses->cipher], 0, 0);
	if (IS_ERR(tfm))
		return PTR_ERR(tfm);
	ret = crypto_sync_skcipher_setkey(tfm, ses->key, ses->key_len);
	if (!ret) {
		SYNC_SKCIPHER_REQUEST_ON_STACK(r, tfm);

		memcpy(ivbuf, iv, crypto_sync_skcipher_ivsize(tfm));
		sg_init_one(&sg, data, len);
		skcipher_request_set_sync_tfm(r, tfm);
		skcipher_request_set_callback(r, 0, NULL, NULL);
		skcipher_request_set_crypt(r, &sg, &sg, len, ivbuf);
		ret = decrypt ? crypto_skcipher_decrypt(r) : crypto_skcipher_encrypt(r);
		skcipher_request_zero(r);
	}
	crypto_free_sync_skcipher(tfm);
	return ret;
}

/* A whole request in software: what the chip would have done. */
static int ubsec_soft_request(const struct ubsec_session *ses, struct ocf_request *req)
{
	bool decrypt = req->op == OCF_OP_DECRYPT;
	u8 mac[UBSEC_MAC_BUF], want[UBSEC_MAC_BUF];
	u8 *buf;
	int ret = 0;

	buf = kvmalloc(max(req->len, 1u), GFP_KERNEL);
	if (!buf)
		return -ENOMEM;
	scatterwalk_map_and_copy(buf, req->src, 0, req->len, 0);
	if (ses->mac && decrypt) {
		ret = ubsec_soft_hmac(ses, buf + req->auth_offset, req->auth_len, mac);
		memcpy(want, buf + req->mac_offset, ses->mac_len);
		if (!ret && crypto_memneq(mac, want, ses->mac_len))
			ret = -EBADMSG;
	}
	if (!ret && ses->cipher && req->cipher_len)
		ret = ubsec_soft_cipher(ses, req->iv, buf + req->cipher_offset, req->cipher_len,
					decrypt);
	if (!ret && ses->mac && !decrypt)
		ret = ubsec_soft_hmac(ses, buf + req->auth_offset, req->auth_len, mac);
	if (!ret && ses->cipher && req->cipher_len)
		scatterwalk_map_and_copy(buf + req->cipher_offset, req->dst, req->cipher_offset,
					 req->cipher_len, 1);
	if (!ret && ses->mac && !decrypt)
		scatterwalk_map_and_copy(mac, req->dst, req->mac_offset, ses->mac_len, 1);
	kvfree_sensitive(buf, max(req->len, 1u));
	memzero_explicit(mac, sizeof(mac));
	return ret;
}

/* ---- Sessions -------------------------------------------------------------------- */

/* The hash state after one block of key ^ @pad, as context words. */
static int ubsec_hmac_state(u32 mac, const u8 *key, u8 pad, __le32 *out)
{
	union {
		struct md5_state md5;
		struct sha1_state sha1;
	} st;
	u8 block[UBSEC_HMAC_BLOCK];
	struct crypto_shash *tfm;
	unsigned int i;
	int ret;

	tfm = crypto_alloc_shash(ubsec_hash_name(mac), 0, 0);
	if (IS_ERR(tfm))
		return PTR_ERR(tfm);
	/* Every md5 and sha1 of the kernel exports struct md5_state / sha1_state. */
	if (crypto_shash_statesize(tfm) != (mac == OCF_MAC_HMAC_MD5 ? sizeof(st.md5) :
					    sizeof(st.sha1))) {
		ret = -EINVAL;
		goto out_free;
	}
	for (i = 0; i < UBSEC_HMAC_BLOCK; i++)
		block[i] = key[i] ^ pad;
	{
		SHASH_DESC_ON_STACK(desc, tfm);

		desc->tfm = tfm;
		ret = crypto_shash_init(desc) ?: crypto_shash_update(desc, block, sizeof(block)) ?:
		      crypto_shash_export(desc, &st);
		shash_desc_zero(desc);
	}
	if (!ret) {
		for (i = 0; i < 5; i++)
			out[i] = mac == OCF_MAC_HMAC_MD5 ?
				 cpu_to_le32(i < 4 ? st.md5.hash[i] : 0) :
				 cpu_to_le32(st.sha1.state[i]);
	}
	memzero_explicit(&st, sizeof(st));
	memzero_explicit(block, sizeof(block));
out_free:
	crypto_free_shash(tfm);
	return ret;
}

static int ubsec_newsession(struct ocf_producer *p, const struct ocf_session_params *params,
			    void **priv)
{
	struct ubsec_session *ses;
	struct crypto_shash *tfm;
	int ret = 0;

	if (params->flags & OCF_SESSION_MAC_THEN_CIPHER)
		return -EOPNOTSUPP;
	if ((params->cipher && !(p->algs & BIT_ULL(params->cipher))) ||
	    (params->mac && !(p->algs & BIT_ULL(params->mac))))
		return -EOPNOTSUPP;
	if (params->cipher_key_len > sizeof(ses->key))
		return -EINVAL;
	ses = kzalloc(sizeof(*ses), GFP_KERNEL);
	if (!ses)
		return -ENOMEM;
	ses->cipher = params->cipher;
	ses->mac = params->mac;
	ses->mac_len = params->mac_len;
	ses->key_len = params->cipher_key_len;
	memcpy(ses->key, params->cipher_key, params->cipher_key_len);
	if (ses->mac) {
		/* One block of key: a longer key is hashed (RFC 2104). */
		if (params->mac_key_len > UBSEC_HMAC_BLOCK) {
			tfm = crypto_alloc_shash(ubsec_hash_name(ses->mac), 0, 0);
			ret = PTR_ERR_OR_ZERO(tfm);
			if (!ret) {
				ret = crypto_shash_tfm_digest(tfm, params->mac_key,
							      params->mac_key_len, ses->mac_key);
				crypto_free_shash(tfm);
			}
		} else {
			memcpy(ses->mac_key, params->mac_key, params->mac_key_len);
		}
		ret = ret ?: ubsec_hmac_state(ses->mac, ses->mac_key, 0x36, ses->hminner) ?:
		      ubsec_hmac_state(ses->mac, ses->mac_key, 0x5c, ses->hmouter);
	}
	if (ret) {
		kfree_sensitive(ses);
		return ret;
	}
	*priv = ses;
	return 0;
}

static void ubsec_freesession(struct ocf_producer *p, void *priv)
{
	kfree_sensitive(priv);
}

/* ---- Jobs -------------------------------------------------------------------------- */

void ubsec_job_free(struct ubsec_dev *ud, struct ubsec_job *job)
{
	if (job->buf) {
		/*
		 * Where the buffer was bounced (swiotlb), the bounce slot holds
		 * keys and data too: zero ours and push the zeros to it before
		 * it goes back to the pool.
		 */
		memzero_explicit(job->buf, job->size);
		dma_sync_single_for_device(ud->dev, job->dma, job->size, DMA_BIDIRECTIONAL);
		dma_unmap_single(ud->dev, job->dma, job->size, DMA_BIDIRECTIONAL);
		kfree(job->buf);
	}
	kfree(job);
}

/**
 * ubsec_job_alloc() - a job with room for @data bytes, mapped
 * @ud: the chip
 * @data: data bytes
 * @gfp: allocation flags
 *
 * Return: the job or NULL.
 */
struct ubsec_job *ubsec_job_alloc(struct ubsec_dev *ud, u32 data, gfp_t gfp)
{
	struct ubsec_job *job;

	job = kzalloc(sizeof(*job), gfp);
	if (!job)
		return NULL;
	/* Room for the test-only misalignments */
	job->size = UBSEC_JOB_DATA + data + 8;
	job->buf = kzalloc(job->size, gfp);
	if (!job->buf)
		goto err_free;
	job->dma = dma_map_single(ud->dev, job->buf, job->size, DMA_BIDIRECTIONAL);
	if (dma_mapping_error(ud->dev, job->dma))
		goto err_free;
	return job;

err_free:
	kfree(job->buf);
	kfree(job);
	return NULL;
}

static u32 ubsec_bus_addr(const struct ubsec_job *job, u32 off)
{
	return job->dma + off;
}

static struct ubsec_pktbuf ubsec_pb(u32 addr, u32 next, u32 len)
{
	return (struct ubsec_pktbuf){ cpu_to_le32(addr), cpu_to_le32(next), cpu_to_le32(len) };
}

/* The key or IV words as the context takes them: FB9's SWAP32, htole32(ntohl(x)). */
static void ubsec_swap_words(__le32 *dst, const u8 *src, unsigned int words)
{
	unsigned int i;

	for (i = 0; i < words; i++)
		dst[i] = cpu_to_le32(get_unaligned_be32(src + 4 * i));
}

/* Fills the context of a symmetric job; returns its length. */
static u32 ubsec_sym_ctx(struct ubsec_dev *ud, struct ubsec_job *job)
{
	const struct ubsec_session *ses = job->ses;
	struct ocf_request *req = job->req;
	u8 *ctx = job->buf + UBSEC_JOB_CTX;
	u16 flags = 0, offset = 0;
	__le32 deskey[6], iv[4];
	u32 len;

	if (job->flags & UBSEC_JOB_CRYPT)
		flags |= UBSEC_PKTCTX_ENC;
	if (job->flags & UBSEC_JOB_DECRYPT)
		flags |= UBSEC_PKTCTX_INBOUND;
	if (job->flags & UBSEC_JOB_MAC)
		flags |= ses->mac == OCF_MAC_HMAC_MD5 ? UBSEC_PKTCTX_AUTH_MD5 :
			 UBSEC_PKTCTX_AUTH_SHA1;
	if ((job->flags & UBSEC_JOB_CRYPT) && (job->flags & UBSEC_JOB_MAC))
		offset = (req->cipher_offset - req->auth_offset) >> 2;

	if (ses->cipher == OCF_CIPHER_AES_CBC) {
		struct ubsec_pktctx_aes *c = (void *)ctx;
		unsigned int kw = ses->key_len / 4;

		if (ses->key_len == 24)
			flags |= UBSEC_PKTCTX_KEY192;
		else if (ses->key_len == 32)
			flags |= UBSEC_PKTCTX_KEY256;
		ubsec_swap_words(c->words, ses->key, kw);
		ubsec_swap_words(c->words + kw, req->iv, 4);
		memcpy(c->words + kw + 4, ses->hminner, sizeof(ses->hminner));
		memcpy(c->words + kw + 9, ses->hmouter, sizeof(ses->hmouter));
		len = UBSEC_PKTCTX_AES_LEN(kw);
		c->hdr.len = cpu_to_le16(len);
		c->hdr.type = cpu_to_le16(UBSEC_PKTCTX_TYPE_AES);
		c->hdr.flags = cpu_to_le16(flags);
		c->hdr.offset = cpu_to_le16(offset);
		return len;
	}

	memset(deskey, 0, sizeof(deskey));
	memset(iv, 0, sizeof(iv));
	if (ses->cipher == OCF_CIPHER_DES_CBC) {
		/* DES as 3DES EDE with the key three times */
		ubsec_swap_words(deskey, ses->key, 2);
		memcpy(deskey + 2, deskey, 8);
		memcpy(deskey + 4, deskey, 8);
	} else if (ses->cipher == OCF_CIPHER_3DES_CBC) {
		ubsec_swap_words(deskey, ses->key, 6);
	}
	if (ses->cipher)
		ubsec_swap_words(iv, req->iv, 2);
	if (ubsec_has(ud, UBSEC_HAS_LONGCTX)) {
		struct ubsec_pktctx_3des *c = (void *)ctx;

		len = sizeof(*c);
		c->hdr.len = cpu_to_le16(len);
		c->hdr.type = cpu_to_le16(UBSEC_PKTCTX_TYPE_3DES);
		c->hdr.flags = cpu_to_le16(flags);
		c->hdr.offset = cpu_to_le16(offset);
		memcpy(c->deskey, deskey, sizeof(c->deskey));
		memcpy(c->iv, iv, sizeof(c->iv));
		memcpy(c->hminner, ses->hminner, sizeof(c->hminner));
		memcpy(c->hmouter, ses->hmouter, sizeof(c->hmouter));
	} else {
		struct ubsec_pktctx_short *c = (void *)ctx;

		len = sizeof(*c);
		memcpy(c->deskey, deskey, sizeof(c->deskey));
		memcpy(c->hminner, ses->hminner, sizeof(c->hminner));
		memcpy(c->hmouter, ses->hmouter, sizeof(c->hmouter));
		memcpy(c->iv, iv, sizeof(c->iv));
		c->flags = cpu_to_le16(flags);
		c->offset = cpu_to_le16(offset);
	}
	memzero_explicit(deskey, sizeof(deskey));
	return len;
}

/*
 * Chains @len bytes at @off of the job's buffer as packet buffers of at
 * most UBSEC_MAX_SEG bytes: the first one returned, the rest in the
 * buffer's packet buffer area from *@pbi on, the last one's next = @tail.
 */
static struct ubsec_pktbuf ubsec_chain(struct ubsec_dev *ud, struct ubsec_job *job, u32 off,
				       u32 len, unsigned int *pbi, u32 tail)
{
	struct ubsec_pktbuf *pbs = (void *)(job->buf + UBSEC_JOB_PB);
	u32 seg = ubsec_breaks(ud, UBSEC_BREAK_LONG_SEG) ? len : UBSEC_MAX_SEG;
	u32 first = min(len, seg);
	u32 next = tail;
	unsigned int i;

	if (len > first) {
		i = (*pbi)++;
		next = ubsec_bus_addr(job, UBSEC_JOB_PB + i * sizeof(*pbs));
		pbs[i] = ubsec_pb(ubsec_bus_addr(job, off + first), tail, len - first);
	}
	return ubsec_pb(ubsec_bus_addr(job, off), next, first);
}

static void ubsec_sym_stage(struct ubsec_dev *ud, struct ubsec_job *job)
{
	struct ubsec_pktbuf *pbs = (void *)(job->buf + UBSEC_JOB_PB);
	u32 data = UBSEC_JOB_DATA, mac_pb = 0, ctx_len;
	u32 skip = job->flags & UBSEC_JOB_CRYPT ? job->req->cipher_offset - job->start : 0;
	unsigned int pbi = 0;

	if (ubsec_breaks(ud, UBSEC_BREAK_MISALIGN))
		data += 2;
	scatterwalk_map_and_copy(job->buf + data, job->req->src, job->start, job->len, 0);
	ctx_len = ubsec_sym_ctx(ud, job);
	if (ubsec_breaks(ud, UBSEC_BREAK_CTX_LEN) && ubsec_has(ud, UBSEC_HAS_LONGCTX)) {
		struct ubsec_pktctx_hdr *h = (void *)(job->buf + UBSEC_JOB_CTX);

		h->len = cpu_to_le16(ctx_len + 4);
	}
	if (job->flags & UBSEC_JOB_MAC) {
		mac_pb = ubsec_bus_addr(job, UBSEC_JOB_PB + pbi * sizeof(*pbs));
		pbs[pbi++] = ubsec_pb(ubsec_bus_addr(job, UBSEC_JOB_MACBUF), 0, UBSEC_MAC_BUF);
	}
	job->pb_in = ubsec_chain(ud, job, data, job->len, &pbi, 0);
	/*
	 * The chip writes back the enciphered region alone, from its first
	 * byte: an authenticated header before it is not output (the BSD
	 * drivers' output chain starts at the cipher's skip).
	 */
	job->out_off = data + skip;
	if (job->flags & UBSEC_JOB_CRYPT)
		job->pb_out = ubsec_chain(ud, job, job->out_off, job->len - skip, &pbi, mac_pb);
	else
		job->pb_out = ubsec_pb(0, mac_pb, 0);	/* hash only: the MAC alone */
	job->pktlen = job->len;
}

/* ---- Key operations: bignums ---------------------------------------------------- */

static u32 ubsec_kbn_bits(const struct ocf_kbn *bn)
{
	u32 i;

	for (i = 0; i < bn->len; i++)
		if (bn->data[i])
			return (bn->len - i - 1) * 8 + fls(bn->data[i]);
	return 0;
}

/* A big-endian bignum into @width little-endian bytes, shifted left by @shift. */
static void ubsec_kbn_le(u8 *dst, u32 width, const struct ocf_kbn *bn, u32 shift)
{
	u32 i;

	memset(dst, 0, width);
	for (i = 0; i < bn->len && i < width; i++)
		dst[i] = bn->data[bn->len - 1 - i];
	if (shift)
		ubsec_le_shl(dst, width, shift);
}

/* @width little-endian bytes into the output, right-aligned, zero-padded. */
static void ubsec_le_kbn(const struct ocf_kbn *out, const u8 *src, u32 width)
{
	u32 i;

	memset(out->data, 0, out->len);
	for (i = 0; i < width && i < out->len; i++)
		out->data[out->len - 1 - i] = src[i];
}

/* The chip's width for a modulus of @bits: 512, 768, 1024 (BIGKEY: 1536, 2048), or 0. */
static u32 ubsec_normbits(const struct ubsec_dev *ud, u32 bits)
{
	static const u32 sizes[] = { 512, 768, 1024, 1536, 2048 };
	unsigned int i, n = ubsec_has(ud, UBSEC_HAS_BIGKEY) ? 5 : 3;

	for (i = 0; i < n; i++)
		if (bits <= sizes[i])
			return sizes[i];
	return 0;
}

/* The CRT primes' width: 256, 384, 512 (BIGKEY: 768, 1024), or 0. */
static u32 ubsec_padlen(const struct ubsec_dev *ud, u32 bits)
{
	u32 n = ubsec_normbits(ud, 2 * bits);

	return n / 2;
}

enum { UBSEC_ME_BASE, UBSEC_ME_EXP, UBSEC_ME_MOD, UBSEC_ME_OUT };
enum {
	UBSEC_CRT_X, UBSEC_CRT_P, UBSEC_CRT_Q, UBSEC_CRT_DP, UBSEC_CRT_DQ, UBSEC_CRT_QINV,
	UBSEC_CRT_OUT
};

/* The data bytes a key operation needs, or 0 when the chip cannot do it. */
static u32 ubsec_kop_size(const struct ubsec_dev *ud, const struct ocf_krequest *kreq)
{
	const struct ocf_kbn *v = kreq->param;
	u32 nbits, ebits, w, pad, i;

	if (kreq->kop == OCF_KOP_MODEXP) {
		nbits = ubsec_kbn_bits(&v[UBSEC_ME_MOD]);
		ebits = ubsec_kbn_bits(&v[UBSEC_ME_EXP]);
		w = ubsec_normbits(ud, nbits) / 8;
		/* FB9: an exponent longer than the modulus is E2BIG. */
		if (!w || !ebits || ebits > nbits)
			return 0;
		return 3 * w + 4;
	}
	if (kreq->kop != OCF_KOP_MODEXP_CRT)
		return 0;
	pad = ubsec_padlen(ud, max(ubsec_kbn_bits(&v[UBSEC_CRT_P]),
				   ubsec_kbn_bits(&v[UBSEC_CRT_Q])));
	if (!pad)
		return 0;
	for (i = UBSEC_CRT_DP; i <= UBSEC_CRT_QINV; i++)
		if (ubsec_kbn_bits(&v[i]) > pad)
			return 0;
	if (ubsec_kbn_bits(&v[UBSEC_CRT_X]) > 2 * pad)
		return 0;
	return 4 * pad / 8 + 4;
}

static void ubsec_modexp_stage(struct ubsec_dev *ud, struct ubsec_job *job)
{
	struct ubsec_keyctx_modexp *ctx = (void *)(job->buf + UBSEC_JOB_CTX);
	struct ubsec_pktbuf *pbs = (void *)(job->buf + UBSEC_JOB_PB);
	const struct ocf_kbn *v = job->kreq->param;
	u32 nbits = ubsec_kbn_bits(&v[UBSEC_ME_MOD]);
	u32 ebits = ubsec_kbn_bits(&v[UBSEC_ME_EXP]);
	u32 normbits = ubsec_normbits(ud, nbits), w = normbits / 8;
	bool hwnorm = ubsec_has(ud, UBSEC_HAS_HWNORM);
	u32 m = UBSEC_JOB_DATA, e = m + w, elen, c;

	/*
	 * 580x: the modulus' top bit must be the width's top bit; M, E and N
	 * are shifted left and the result back (FB9 ubsec_kshift_r/l).
	 */
	job->shift = hwnorm || ubsec_breaks(ud, UBSEC_BREAK_NO_SHIFT) ? 0 : normbits - nbits;
	elen = hwnorm ? DIV_ROUND_UP(ebits, 8) : w;
	c = e + ALIGN(elen, 4);
	if (ubsec_breaks(ud, UBSEC_BREAK_KEY_ALIGN))
		c += 2;
	ctx->hdr.len = cpu_to_le16(w + 8 + (ubsec_breaks(ud, UBSEC_BREAK_CTX_LEN) ? 4 : 0));
	ctx->hdr.op = cpu_to_le16(UBSEC_KOP_MODEXP);
	ctx->e_len = cpu_to_le16(hwnorm ? ebits : nbits);
	ctx->n_len = cpu_to_le16(nbits);
	ubsec_kbn_le(ctx->n, w, &v[UBSEC_ME_MOD], job->shift);
	ubsec_kbn_le(job->buf + m, w, &v[UBSEC_ME_BASE], job->shift);
	ubsec_kbn_le(job->buf + e, elen, &v[UBSEC_ME_EXP], job->shift);
	pbs[0] = ubsec_pb(ubsec_bus_addr(job, e), 0, elen);
	job->pb_in = ubsec_pb(ubsec_bus_addr(job, m), ubsec_bus_addr(job, UBSEC_JOB_PB), w);
	job->pb_out = ubsec_pb(ubsec_bus_addr(job, c), 0, w);
	job->pktlen = 0;
	job->out_off = c;
	job->out_len = w;
}

static void ubsec_crt_stage(struct ubsec_dev *ud, struct ubsec_job *job)
{
	struct ubsec_keyctx_rsapriv *ctx = (void *)(job->buf + UBSEC_JOB_CTX);
	const struct ocf_kbn *v = job->kreq->param;
	u32 pad = ubsec_padlen(ud, max(ubsec_kbn_bits(&v[UBSEC_CRT_P]),
				       ubsec_kbn_bits(&v[UBSEC_CRT_Q])));
	u32 pb = pad / 8, x = UBSEC_JOB_DATA, out = x + 2 * pb, i;

	if (ubsec_breaks(ud, UBSEC_BREAK_KEY_ALIGN))
		out += 2;
	ctx->hdr.len = cpu_to_le16(8 + 5 * pb + (ubsec_breaks(ud, UBSEC_BREAK_CTX_LEN) ? 4 : 0));
	ctx->hdr.op = cpu_to_le16(UBSEC_KOP_RSAPRIV);
	ctx->q_len = cpu_to_le16(pad);
	ctx->p_len = cpu_to_le16(pad);
	/* p, q, dp, dq, pinv (q^-1 mod p) */
	for (i = 0; i < 5; i++)
		ubsec_kbn_le(ctx->buf + i * pb, pb, &v[UBSEC_CRT_P + i], 0);
	ubsec_kbn_le(job->buf + x, 2 * pb, &v[UBSEC_CRT_X], 0);
	job->shift = 0;
	job->pb_in = ubsec_pb(ubsec_bus_addr(job, x), 0, 2 * pb);
	job->pb_out = ubsec_pb(ubsec_bus_addr(job, out), 0, 2 * pb);
	job->pktlen = 2 * pad;
	job->out_off = out;
	job->out_len = 2 * pb;
}

/**
 * ubsec_job_stage() - (re)build a job's buffer from its request
 * @ud: the chip
 * @job: the job
 *
 * Context: any.
 * Return: 0.
 */
int ubsec_job_stage(struct ubsec_dev *ud, struct ubsec_job *job)
{
	dma_sync_single_for_cpu(ud->dev, job->dma, job->size, DMA_BIDIRECTIONAL);
	memset(job->buf, 0, job->size);
	if (job->flags & UBSEC_JOB_RNG)
		ubsec_rng_stage(ud, job);
	else if (!job->kreq)
		ubsec_sym_stage(ud, job);
	else if (job->kreq->kop == OCF_KOP_MODEXP)
		ubsec_modexp_stage(ud, job);
	else
		ubsec_crt_stage(ud, job);
	job->cmdctx = ubsec_bus_addr(job, UBSEC_JOB_CTX);
	dma_sync_single_for_device(ud->dev, job->dma, job->size, DMA_BIDIRECTIONAL);
	return 0;
}

/**
 * ubsec_job_abandon() - finish a job without the chip
 * @ud: the chip
 * @job: the job, on no list
 *
 * Symmetric requests are done in software; key operations given back to
 * OCF with -EAGAIN to run on another producer; the RNG's reader gets an
 * error.
 * Context: process; sleeps.
 */
void ubsec_job_abandon(struct ubsec_dev *ud, struct ubsec_job *job)
{
	unsigned long flags;

	if (job->flags & UBSEC_JOB_RNG) {
		ubsec_rng_finish(ud, job, READ_ONCE(ud->state) == UBSEC_STATE_RUNNING ?
				 -EIO : -ENODEV);
		return;
	}
	spin_lock_irqsave(&ud->lock, flags);
	if (job->kreq)
		ud->stats.gave_back++;
	else
		ud->stats.soft++;
	spin_unlock_irqrestore(&ud->lock, flags);
	if (job->kreq)
		ocf_kdone(job->kreq, -EAGAIN);
	else
		ocf_request_done(job->req, ubsec_soft_request(job->ses, job->req));
	ubsec_job_free(ud, job);
}

static int ubsec_sym_copy_out(struct ubsec_dev *ud, struct ubsec_job *job)
{
	const struct ubsec_session *ses = job->ses;
	struct ocf_request *req = job->req;
	const u8 *mac = job->buf + UBSEC_JOB_MACBUF;
	const u8 *data = job->buf + job->out_off;

	if ((job->flags & UBSEC_JOB_MAC) && (job->flags & UBSEC_JOB_DECRYPT) &&
	    crypto_memneq(mac, job->mac_in, ses->mac_len))
		return -EBADMSG;
	if (job->flags & UBSEC_JOB_CRYPT)
		scatterwalk_map_and_copy((void *)data, req->dst, req->cipher_offset,
					 req->cipher_len, 1);
	if ((job->flags & UBSEC_JOB_MAC) && !(job->flags & UBSEC_JOB_DECRYPT))
		scatterwalk_map_and_copy((void *)mac, req->dst, req->mac_offset, ses->mac_len, 1);
	return 0;
}

/**
 * ubsec_job_finish() - complete a job the chip has finished
 * @ud: the chip
 * @job: the job, on no list
 * @error: the chip marked its MCR ERROR
 *
 * Context: process; sleeps.
 */
void ubsec_job_finish(struct ubsec_dev *ud, struct ubsec_job *job, bool error)
{
	u8 *out;

	if (error) {
		ubsec_job_abandon(ud, job);
		return;
	}
	dma_sync_single_for_cpu(ud->dev, job->dma, job->size, DMA_BIDIRECTIONAL);
	if (job->flags & UBSEC_JOB_RNG) {
		/* The reader takes the words; the job is the chip's, kept. */
		ubsec_rng_finish(ud, job, 0);
		return;
	}
	if (!job->kreq) {
		ocf_request_done(job->req, ubsec_sym_copy_out(ud, job));
	} else {
		out = job->buf + job->out_off;
		if (job->shift)
			ubsec_le_shr(out, job->out_len, job->shift);
		ubsec_le_kbn(&job->kreq->param[job->kreq->in_count], out, job->out_len);
		ocf_kdone(job->kreq, 0);
	}
	ubsec_job_free(ud, job);
}

/* ---- OCF --------------------------------------------------------------------------- */

/*
 * Whether the chip can take @req as one packet: both regions the session
 * has are there, the cipher region ends with the MAC region and starts a
 * whole number of words into it, within the chip's 16-bit packet length.
 */
static bool ubsec_sym_fits(const struct ubsec_session *ses, const struct ocf_request *req)
{
	if ((ses->cipher && !req->cipher_len) || (ses->mac && !req->auth_len))
		return false;
	if (!ses->cipher || !ses->mac)
		return (ses->cipher ? req->cipher_len : req->auth_len) <= U16_MAX;
	return req->auth_offset <= req->cipher_offset &&
	       !((req->cipher_offset - req->auth_offset) & 3) &&
	       req->auth_offset + req->auth_len == req->cipher_offset + req->cipher_len &&
	       req->auth_len <= U16_MAX;
}

static int ubsec_process(struct ocf_producer *p, struct ocf_request *req, void *priv)
{
	struct ubsec_dev *ud = p->drvdata;
	struct ubsec_session *ses = priv;
	struct ubsec_job *job;
	bool fits = ubsec_sym_fits(ses, req);
	u32 len = 0;

	if (fits) {
		len = ses->mac ? req->auth_len : req->cipher_len;
		job = ubsec_job_alloc(ud, len, GFP_NOWAIT | __GFP_NOWARN);
	} else {
		job = kzalloc(sizeof(*job), GFP_NOWAIT | __GFP_NOWARN);
	}
	if (!job)
		return -EBUSY;
	job->req = req;
	job->ses = ses;
	if (!fits) {
		ubsec_queue_soft(ud, job);
		return 0;
	}
	job->start = ses->mac ? req->auth_offset : req->cipher_offset;
	job->len = len;
	job->flags = (ses->cipher ? UBSEC_JOB_CRYPT : 0) | (ses->mac ? UBSEC_JOB_MAC : 0) |
		     (req->op == OCF_OP_DECRYPT ? UBSEC_JOB_DECRYPT : 0);
	/* In place, decryption overwrites the MAC the request carries: keep it. */
	if ((job->flags & UBSEC_JOB_MAC) && (job->flags & UBSEC_JOB_DECRYPT))
		scatterwalk_map_and_copy(job->mac_in, req->src, req->mac_offset, ses->mac_len, 0);
	ubsec_job_stage(ud, job);
	ubsec_queue_job(ud, UBSEC_Q_SYM, job);
	return 0;
}

static int ubsec_kprocess(struct ocf_producer *p, struct ocf_krequest *kreq)
{
	struct ubsec_dev *ud = p->drvdata;
	struct ubsec_job *job;
	unsigned long flags;
	u32 size;

	if (READ_ONCE(ud->state) != UBSEC_STATE_RUNNING)
		return -EAGAIN;
	size = ubsec_kop_size(ud, kreq);
	if (!size) {
		/* OCF's routing knows modulus sizes only: the rest is refused here. */
		spin_lock_irqsave(&ud->lock, flags);
		ud->stats.gave_back++;
		spin_unlock_irqrestore(&ud->lock, flags);
		return -EAGAIN;
	}
	job = ubsec_job_alloc(ud, size, GFP_NOWAIT | __GFP_NOWARN);
	if (!job)
		return -EBUSY;
	job->kreq = kreq;
	ubsec_job_stage(ud, job);
	ubsec_queue_job(ud, UBSEC_Q_KEY, job);
	return 0;
}

static const struct ocf_producer_ops ubsec_producer_ops = {
	.newsession = ubsec_newsession,
	.freesession = ubsec_freesession,
	.process = ubsec_process,
	.kprocess = ubsec_kprocess,
};

/**
 * ubsec_producer_register() - offer the chip to OCF
 * @ud: the chip, running
 *
 * DES, 3DES (AES on the 5823/5825) with HMAC-MD5/SHA1; modexp and RSA-CRT
 * on parts with the key unit, up to 1024-bit moduli (BIGKEY: 2048).
 * Return: 0 or ocf_producer_register()'s error.
 */
int ubsec_producer_register(struct ubsec_dev *ud)
{
	struct ocf_producer *p = &ud->producer;

	memset(p, 0, sizeof(*p));
	strscpy(p->name, ud->name, sizeof(p->name));
	p->flags = OCF_PRODUCER_HARDWARE | OCF_PRODUCER_CAN_CHAIN;
	p->algs = BIT_ULL(OCF_CIPHER_DES_CBC) | BIT_ULL(OCF_CIPHER_3DES_CBC) |
		  BIT_ULL(OCF_MAC_HMAC_MD5) | BIT_ULL(OCF_MAC_HMAC_SHA1);
	if (ubsec_has(ud, UBSEC_HAS_AES))
		p->algs |= BIT_ULL(OCF_CIPHER_AES_CBC);
	/* A packet of 16-bit length, and the MAC the request carries after it */
	p->max_len = U16_MAX + UBSEC_MAC_BUF;
	/* hardware.md: the 5820's 310 Mbit/s 3DES-SHA1 */
	p->rated_bps = 310000000 / 8;
	if (ubsec_has(ud, UBSEC_HAS_KEY)) {
		p->kops = BIT(OCF_KOP_MODEXP) | BIT(OCF_KOP_MODEXP_CRT);
		p->kop_max_bits = ubsec_has(ud, UBSEC_HAS_BIGKEY) ? UBSEC_NORMBITS_BIG :
				  UBSEC_NORMBITS_MAX;
	}
	p->ops = &ubsec_producer_ops;
	p->drvdata = ud;
	return ocf_producer_register(p);
}
