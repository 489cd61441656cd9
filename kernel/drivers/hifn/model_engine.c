// SPDX-License-Identifier: GPL-2.0
/*
 * Hifn chip model: the DMA engine and the processing unit, one kernel thread
 * per chip.
 *
 * While all four rings are enabled and the chip is out of reset, the thread
 * takes the next command descriptor, the source and destination packets (the
 * descriptors up to the one marked LAST, following jumps) and the result
 * descriptor; a descriptor without VALID makes it wait (x_WAIT) until a
 * DMA_CSR write kicks it or its poll interval passes, as the chip polls.
 * It decodes the command, gathers the source data, does the transform with
 * the Linux crypto API, waits out the modelled time (latency plus bytes over
 * the rated throughput, times time_scale, from when the chip would have
 * started it: see hm_start_time()), writes the destination data and
 * the result, clears VALID on what it consumed (the result descriptor last)
 * and sets DONE/LAST status, which interrupts where DMA_IER says so.
 *
 * DMA addresses: the driver hands the chip bus addresses from the DMA API
 * on the model's platform device (32-bit mask, no IOMMU). The model turns
 * them back into kernel addresses as the device would reach RAM:
 * dma_to_phys(), then the direct map; an address that is not RAM is a
 * master abort (x_ABORT). Host memory is touched in chunks under @m->lock,
 * each after checking that no DMA reset came since the command started, so
 * a reset stops DMA at once, as on the chip.
 *
 * Malformed commands (an unknown or locked algorithm, a cipher mode or
 * feature the model does not do: ECB/CFB/OFB, RC4, compression, APPEND,
 * SSL MACs; counts past the data) stop the processing unit with
 * PUISR.CMDINVAL or DATAERR until the driver resets it.
 *
 * Stricter than silicon (hm_check_packets()): every data address is word
 * aligned, and every source segment but the last and every destination
 * segment whole words, else a DMA abort; the descriptors' bytes equal the
 * command's counts, and the session number is within the contexts the RAM
 * holds, else DATAERR; a result longer than its descriptor is R_OVER, not
 * truncated. A destination shorter than the source rounded up to a word
 * overruns: D_OVER, PUISR.DSTOVER and DSTOVERRUN in the result, and, as
 * on the chip, the destination's last descriptor is left unconsumed, so a
 * driver that frees ring slots by the result alone loses step.
 */

#include <crypto/hash.h>
#include <crypto/skcipher.h>
#include <linux/delay.h>
#include <linux/dma-direct.h>
#include <linux/hrtimer.h>
#include <linux/kthread.h>
#include <linux/mm.h>
#include <linux/scatterlist.h>
#include <linux/ocf_compat.h>

#include "model.h"

/* Host memory is copied at most this much per hold of @m->lock. */
#define HM_CHUNK	4096

/* A decoded command */
struct hm_cmd {
	bool ram;
	bool ram_write;
	u32 ram_addr;
	u32 session;
	u32 slen;
	u32 dlen;
	bool mac;
	bool crypt;
	bool decode;
	bool hmac;
	bool trunc;
	u32 mskip;
	u32 mcount;
	u32 cskip;
	u32 ccount;
	int hash;		/* index in m->hash */
	int cipher;		/* index in m->cipher */
	enum hm_engine mengine;
	enum hm_engine cengine;
	u32 mac_len;
	u32 block;
	const u8 *mac_key;	/* NULL: the context's */
	const u8 *key;		/* NULL: the context's */
	u32 key_len;
	const u8 *iv;		/* NULL: the context's */
	u32 iv_len;
};

/* Bus address to kernel address, or NULL where no RAM answers: a master abort. */
static void *hm_dma_ptr(struct hifn_model *m, u32 addr, u32 len)
{
	phys_addr_t phys = dma_to_phys(&m->pdev->dev, addr);

	if (!len)
		len = 1;
	if (!pfn_valid(PHYS_PFN(phys)) || !pfn_valid(PHYS_PFN(phys + len - 1)))
		return NULL;
	return phys_to_virt(phys);
}

/*
 * Looks at the next packet of @r without consuming it: one descriptor
 * (@one: command, result) or up to the one with LAST. Jumps are followed.
 * Return: 0, -EAGAIN (a descriptor is not valid yet), -EFAULT (a descriptor
 * address is not RAM) or -EINVAL (no end in sight).
 */
static int hm_peek(struct hifn_model *m, enum hm_ring r, struct hm_packet *pk, bool one)
{
	u32 pos = m->ring_pos[r], l, p;
	struct hifn_desc *d;

	lockdep_assert_held(&m->lock);
	pk->n = 0;
	pk->bytes = 0;
	for (;;) {
		d = hm_dma_ptr(m, pos, sizeof(*d));
		if (!d)
			return -EFAULT;
		l = le32_to_cpu(READ_ONCE(d->l));
		if (!(l & HIFN_D_VALID))
			return -EAGAIN;
		/* The host writes p before it sets VALID. */
		smp_rmb();
		p = le32_to_cpu(READ_ONCE(d->p));
		if (pk->n == HM_MAX_SEGS)
			return -EINVAL;
		pk->seg[pk->n].at = pos;
		pk->seg[pk->n].l = l;
		pk->seg[pk->n].p = p;
		pk->n++;
		if (l & HIFN_D_JUMP) {
			pos = p;
			continue;
		}
		pos += sizeof(*d);
		pk->bytes += l & HIFN_D_LENGTH;
		if (one || (l & HIFN_D_LAST))
			break;
	}
	pk->next = pos;
	return 0;
}

/*
 * Clears VALID on a packet's descriptors and moves the ring past them;
 * @keep: leave that many of its last descriptors valid (the ring stops
 * at the first of them), as the chip does on an overrun.
 */
static void hm_consume(struct hifn_model *m, enum hm_ring r, const struct hm_packet *pk,
		       unsigned int keep)
{
	const struct hm_ring_bits *bits = &hm_ring_bits[r];
	unsigned int i, n = pk->n - min(keep, pk->n);
	struct hifn_desc *d;
	u32 l;

	lockdep_assert_held(&m->lock);
	for (i = 0; i < n; i++) {
		l = pk->seg[i].l;
		d = hm_dma_ptr(m, pk->seg[i].at, sizeof(*d));
		if (d)
			WRITE_ONCE(d->l, cpu_to_le32(l & ~HIFN_D_VALID));
		if (l & HIFN_D_JUMP)
			continue;
		if (!(l & HIFN_D_MASKDONEIRQ))
			m->csr |= bits->done;
		if (l & HIFN_D_LAST)
			m->csr |= bits->last;
	}
	m->ring_pos[r] = n < pk->n ? pk->seg[n].at : pk->next;
}

/*
 * Word alignment: every data address, every source segment but the last,
 * every destination segment (the BSD drivers' hifn_dmamap_aligned(), and
 * destinations rounded to words). Return: the ring that breaks it, or -1.
 */
static int hm_check_alignment(struct hifn_model *m)
{
	enum hm_ring rings[] = { HM_SRC, HM_DST };
	const struct hm_packet *pk;
	unsigned int i, k;

	lockdep_assert_held(&m->lock);
	for (k = 0; k < ARRAY_SIZE(rings); k++) {
		pk = &m->pk[rings[k]];
		for (i = 0; i < pk->n; i++) {
			u32 l = pk->seg[i].l;

			if (l & HIFN_D_JUMP)
				continue;
			if (pk->seg[i].p & 3) {
				hm_violation(m, HM_V_ALIGN);
				return rings[k];
			}
			if ((l & HIFN_D_LENGTH) & 3 && (rings[k] == HM_DST || !(l & HIFN_D_LAST))) {
				hm_violation(m, HM_V_SEG);
				return rings[k];
			}
		}
	}
	return -1;
}

/* Data bytes of the descriptors of @pk but its last @keep */
static u32 hm_packet_bytes(const struct hm_packet *pk, unsigned int keep)
{
	u32 bytes = 0;
	unsigned int i;

	for (i = 0; i + keep < pk->n; i++)
		if (!(pk->seg[i].l & HIFN_D_JUMP))
			bytes += pk->seg[i].l & HIFN_D_LENGTH;
	return bytes;
}

/* A DMA master abort on @r: the engine stops until a DMA reset. */
static void hm_abort(struct hifn_model *m, enum hm_ring r)
{
	lockdep_assert_held(&m->lock);
	m->csr |= hm_ring_bits[r].abort;
	m->halted = true;
	m->aborts++;
	hm_raise(m);
}

/* The processing unit rejects a command: it stops until a reset. */
static void hm_reject(struct hifn_model *m, u32 gen, u32 why)
{
	unsigned long flags;

	spin_lock_irqsave(&m->lock, flags);
	if (m->gen == gen) {
		m->puisr |= why;
		m->halted = true;
		m->rejects++;
		hm_raise(m);
	}
	spin_unlock_irqrestore(&m->lock, flags);
}

/*
 * Copies @len bytes between @buf and the data of packet @pk (@to_host: into
 * host memory). Return: 0, -ESTALE (a reset or removal came first) or
 * -EFAULT (an address that is not RAM).
 */
static int hm_copy(struct hifn_model *m, u32 gen, const struct hm_packet *pk, u8 *buf, u32 len,
		   bool to_host)
{
	unsigned long flags;
	unsigned int i;
	u32 seg, off, n;
	void *host;

	for (i = 0; i < pk->n && len; i++) {
		if (pk->seg[i].l & HIFN_D_JUMP)
			continue;
		seg = min(pk->seg[i].l & HIFN_D_LENGTH, len);
		for (off = 0; off < seg; off += n) {
			n = min_t(u32, seg - off, HM_CHUNK);
			spin_lock_irqsave(&m->lock, flags);
			if (m->gen != gen || m->removed) {
				spin_unlock_irqrestore(&m->lock, flags);
				return -ESTALE;
			}
			host = hm_dma_ptr(m, pk->seg[i].p + off, n);
			if (!host) {
				hm_abort(m, to_host ? HM_DST : HM_SRC);
				spin_unlock_irqrestore(&m->lock, flags);
				return -EFAULT;
			}
			if (to_host)
				memcpy(host, buf, n);
			else
				memcpy(buf, host, n);
			spin_unlock_irqrestore(&m->lock, flags);
			buf += n;
		}
		len -= seg;
	}
	return 0;
}

static u16 hm_le16(const u8 *p)
{
	return get_unaligned_le16(p);
}

/* Decodes the mac and crypt sub-commands and what follows them. */
static u32 hm_parse_crypto(struct hifn_model *m, const u8 *buf, u32 clen, u16 masks,
			   struct hm_cmd *c)
{
	const struct hm_ctx *ctx = &m->ctx[c->session];
	u16 mm = 0, cm = 0;
	u32 pos = sizeof(struct hifn_base_cmd);

	c->mac = masks & HIFN_BASE_CMD_MAC;
	c->crypt = masks & HIFN_BASE_CMD_CRYPT;
	c->decode = masks & HIFN_BASE_CMD_DECODE;
	if (masks & (HIFN_BASE_CMD_COMP | HIFN_BASE_CMD_PAD))
		return HIFN_PUI_CMDINVAL;
	if ((c->mac || c->crypt) && (!m->unlocked || m->dead))
		return HIFN_PUI_CMDINVAL;
	if (c->mac) {
		if (pos + sizeof(struct hifn_sub_cmd) > clen)
			return HIFN_PUI_CMDINVAL;
		mm = hm_le16(buf + pos);
		c->mskip = hm_le16(buf + pos + 2);
		c->mcount = hm_le16(buf + pos + 4) |
			    ((mm & HIFN_SUB_CMD_SRCLEN_M) >> HIFN_SUB_CMD_SRCLEN_S) << 16;
		pos += sizeof(struct hifn_sub_cmd);
	}
	if (c->crypt) {
		if (pos + sizeof(struct hifn_sub_cmd) > clen)
			return HIFN_PUI_CMDINVAL;
		cm = hm_le16(buf + pos);
		c->cskip = hm_le16(buf + pos + 2);
		c->ccount = hm_le16(buf + pos + 4) |
			    ((cm & HIFN_SUB_CMD_SRCLEN_M) >> HIFN_SUB_CMD_SRCLEN_S) << 16;
		pos += sizeof(struct hifn_sub_cmd);
	}
	if (c->mac) {
		u32 mode = mm & HIFN_MAC_CMD_MODE_MASK;
		bool md5 = (mm & HIFN_MAC_CMD_ALG_MASK) == HIFN_MAC_CMD_ALG_MD5;

		if ((mode != HIFN_MAC_CMD_MODE_HMAC && mode != HIFN_MAC_CMD_MODE_HASH) ||
		    (mm & HIFN_MAC_CMD_APPEND))
			return HIFN_PUI_CMDINVAL;
		c->hmac = mode == HIFN_MAC_CMD_MODE_HMAC;
		c->trunc = mm & HIFN_MAC_CMD_TRUNC;
		c->hash = (c->hmac ? 2 : 0) + (md5 ? 0 : 1);
		c->mengine = md5 ? HM_MD5 : HM_SHA1;
		c->mac_len = md5 ? 16 : 20;
		if (mm & HIFN_MAC_CMD_NEW_KEY) {
			if (pos + HIFN_MAC_KEY_LENGTH > clen)
				return HIFN_PUI_CMDINVAL;
			c->mac_key = buf + pos;
			pos += HIFN_MAC_KEY_LENGTH;
		} else if (c->hmac && !ctx->has_mac_key) {
			return HIFN_PUI_CMDINVAL;
		}
	}
	if (c->crypt) {
		switch (cm & HIFN_CRYPT_CMD_ALG_MASK) {
		case HIFN_CRYPT_CMD_ALG_DES:
			c->cipher = 0;
			c->cengine = HM_DES;
			c->key_len = HIFN_DES_KEY_LENGTH;
			break;
		case HIFN_CRYPT_CMD_ALG_3DES:
			c->cipher = 1;
			c->cengine = HM_3DES;
			c->key_len = HIFN_3DES_KEY_LENGTH;
			break;
		case HIFN_CRYPT_CMD_ALG_AES:
			if (!(m->v->flags & HM_F_AES))
				return HIFN_PUI_CMDINVAL;
			c->cipher = 2;
			c->cengine = HM_AES;
			switch (cm & HIFN_CRYPT_CMD_KSZ_MASK) {
			case HIFN_CRYPT_CMD_KSZ_128:
				c->key_len = 16;
				break;
			case HIFN_CRYPT_CMD_KSZ_192:
				c->key_len = 24;
				break;
			case HIFN_CRYPT_CMD_KSZ_256:
				c->key_len = 32;
				break;
			default:
				return HIFN_PUI_CMDINVAL;
			}
			break;
		default:	/* RC4: not modelled */
			return HIFN_PUI_CMDINVAL;
		}
		if (c->cengine != HM_DES && m->level != HIFN_PUSTAT_ENA_2)
			return HIFN_PUI_CMDINVAL;
		if ((cm & HIFN_CRYPT_CMD_MODE_MASK) != HIFN_CRYPT_CMD_MODE_CBC)
			return HIFN_PUI_CMDINVAL;
		c->block = c->cengine == HM_AES ? 16 : 8;
		c->iv_len = c->cengine == HM_AES ? HIFN_AES_IV_LENGTH : HIFN_IV_LENGTH;
		if (cm & HIFN_CRYPT_CMD_NEW_KEY) {
			c->key = buf + pos;
			pos += c->key_len;
		} else if (!ctx->has_key || ctx->key_len != c->key_len) {
			return HIFN_PUI_CMDINVAL;
		}
		if (cm & HIFN_CRYPT_CMD_NEW_IV) {
			c->iv = buf + pos;
			pos += c->iv_len;
		}
	}
	if (!c->mac && !c->crypt)
		pos += 8;
	if (pos > clen)
		return HIFN_PUI_CMDINVAL;
	if ((c->mac && c->mskip + c->mcount > c->slen) ||
	    (c->crypt && (c->cskip + c->ccount > c->slen || c->ccount % c->block)))
		return HIFN_PUI_DATAERR;
	return 0;
}

static void hm_violation_locked(struct hifn_model *m, enum hm_rule rule)
{
	unsigned long flags;

	spin_lock_irqsave(&m->lock, flags);
	hm_violation(m, rule);
	spin_unlock_irqrestore(&m->lock, flags);
}

/* Decodes a command buffer; 0 or the PUISR bit to raise. */
static u32 hm_parse(struct hifn_model *m, const u8 *buf, u32 clen, struct hm_cmd *c)
{
	u16 masks, session_num, scount, dcount;

	if (clen < sizeof(struct hifn_base_cmd))
		return HIFN_PUI_CMDINVAL;
	masks = hm_le16(buf);
	session_num = hm_le16(buf + 2);
	scount = hm_le16(buf + 4);
	dcount = hm_le16(buf + 6);
	if (masks & HIFN_BASE_CMD_RAM_WRITE & ~HIFN_BASE_CMD_DECODE) {
		c->ram = true;
		c->ram_write = (masks & HIFN_BASE_CMD_RAM_MASK) == HIFN_BASE_CMD_RAM_WRITE;
		c->ram_addr = (u32)session_num << 14 |
			      ((c->ram_write ? dcount : scount) & 0x3fff);
		if (c->ram_write && (scount != 8 || m->pk[HM_SRC].bytes < 8))
			return HIFN_PUI_DATAERR;
		if (!c->ram_write && (dcount != 8 || m->pk[HM_DST].bytes < 8))
			return HIFN_PUI_DATAERR;
		return 0;
	}
	c->session = session_num & HIFN_BASE_CMD_SESSION;
	c->slen = scount | ((session_num & HIFN_BASE_CMD_SRCLEN_M) >> HIFN_BASE_CMD_SRCLEN_S) << 16;
	c->dlen = dcount | ((session_num & HIFN_BASE_CMD_DSTLEN_M) >> HIFN_BASE_CMD_DSTLEN_S) << 16;
	if (c->session >= hm_ctx_capacity(m)) {
		hm_violation_locked(m, HM_V_SESSION);
		return HIFN_PUI_DATAERR;
	}
	if (m->pk[HM_SRC].bytes < c->slen || c->slen > HIFN_MAX_DMALEN)
		return HIFN_PUI_DATAERR;
	return hm_parse_crypto(m, buf, clen, masks, c);
}

static int hm_cipher(struct hifn_model *m, const struct hm_cmd *c, struct hm_ctx *ctx)
{
	struct crypto_sync_skcipher *tfm = m->cipher[c->cipher];
	struct scatterlist sg;
	u8 iv[HIFN_AES_IV_LENGTH];
	int ret;

	ret = crypto_sync_skcipher_setkey(tfm, ctx->key, ctx->key_len);
	if (ret)
		return ret;
	memcpy(iv, c->iv ?: ctx->iv, c->iv_len);
	{
		SYNC_SKCIPHER_REQUEST_ON_STACK(req, tfm);

		sg_init_one(&sg, m->work + c->cskip, c->ccount);
		skcipher_request_set_sync_tfm(req, tfm);
		skcipher_request_set_callback(req, 0, NULL, NULL);
		skcipher_request_set_crypt(req, &sg, &sg, c->ccount, iv);
		ret = c->decode ? crypto_skcipher_decrypt(req) : crypto_skcipher_encrypt(req);
		skcipher_request_zero(req);
	}
	/* CBC state for a next command without NEW_IV */
	memcpy(ctx->iv, iv, c->iv_len);
	return ret;
}

static int hm_digest(struct hifn_model *m, const struct hm_cmd *c, struct hm_ctx *ctx, u8 *out)
{
	struct crypto_shash *tfm = m->hash[c->hash];
	int ret;

	if (c->hmac) {
		ret = crypto_shash_setkey(tfm, ctx->mac_key, HIFN_MAC_KEY_LENGTH);
		if (ret)
			return ret;
	}
	{
		SHASH_DESC_ON_STACK(desc, tfm);

		desc->tfm = tfm;
		ret = crypto_shash_digest(desc, m->work + c->mskip, c->mcount, out);
		shash_desc_zero(desc);
	}
	return ret;
}

/* The transform, in m->work: encode = encrypt, then MAC; decode = MAC, then decrypt. */
static int hm_transform(struct hifn_model *m, const struct hm_cmd *c, u8 *mac)
{
	struct hm_ctx *ctx = &m->ctx[c->session];
	int ret = 0;

	if (c->mac_key) {
		memcpy(ctx->mac_key, c->mac_key, HIFN_MAC_KEY_LENGTH);
		ctx->has_mac_key = true;
	}
	if (c->key) {
		memcpy(ctx->key, c->key, c->key_len);
		ctx->key_len = c->key_len;
		ctx->has_key = true;
	}
	if (c->mac && c->decode)
		ret = hm_digest(m, c, ctx, mac);
	if (!ret && c->crypt)
		ret = hm_cipher(m, c, ctx);
	if (!ret && c->mac && !c->decode)
		ret = hm_digest(m, c, ctx, mac);
	return ret;
}

/* Modelled processing time of @c: latency plus each engine's bytes at its rate. */
static u64 hm_service_ns(struct hifn_model *m, const struct hm_cmd *c)
{
	u64 ns = (u64)hm_latency_us * NSEC_PER_USEC;
	u32 rate;

	if (c->crypt) {
		rate = hm_rate(m, c->cengine);
		if (rate)
			ns += div_u64((u64)c->ccount * 8 * NSEC_PER_USEC, rate);
	}
	if (c->mac) {
		rate = hm_rate(m, c->mengine);
		if (rate)
			ns += div_u64((u64)c->mcount * 8 * NSEC_PER_USEC, rate);
	}
	return ns * hm_time_scale * hm_pe_clock_divisor(m);
}

/* The command ring slot of descriptor @at, or -1 */
static int hm_cmd_slot(const struct hifn_model *m, u32 at)
{
	u32 off = at - m->ring_base[HM_CMD], slot = off / sizeof(struct hifn_desc);

	if (off % sizeof(struct hifn_desc) || slot >= ARRAY_SIZE(m->arrival))
		return -1;
	return slot;
}

/*
 * Notes when command descriptors became valid: the chip starts a command
 * when the previous one is done or when the command arrives, whichever is
 * later, not when the model's thread gets to it. Called on every ENA write
 * (the driver's doorbell after a submission) and before the engine takes a
 * command (one found by polling arrived no earlier than that).
 */
void hm_stamp(struct hifn_model *m)
{
	ktime_t now = ktime_get();
	unsigned int n;
	struct hifn_desc *d;
	u32 l;
	int slot;

	lockdep_assert_held(&m->lock);
	for (n = 0; n < ARRAY_SIZE(m->arrival); n++) {
		slot = hm_cmd_slot(m, m->stamp_pos);
		d = hm_dma_ptr(m, m->stamp_pos, sizeof(*d));
		if (slot < 0 || !d)
			return;
		l = le32_to_cpu(READ_ONCE(d->l));
		if (!(l & HIFN_D_VALID))
			return;
		if (l & HIFN_D_JUMP) {
			m->stamp_pos = m->ring_base[HM_CMD];
			continue;
		}
		m->arrival[slot] = now;
		m->stamp_pos += sizeof(*d);
	}
}

/*
 * When the chip starts command @at: as soon as it is done with the previous
 * one (@m->busy_until) if the command was waiting by then, else when it
 * arrived. The model's own work between commands (copies, the transform,
 * the interrupt) is the emulation's, not the chip's, and overlaps modelled
 * time; but the engine takes back at most one command's worth of time it
 * fell behind (@service_ns), so lag from a slow emulation cannot be made up
 * later in a burst faster than the rated throughput.
 */
static ktime_t hm_start_time(struct hifn_model *m, u32 at, ktime_t now, u64 service_ns)
{
	ktime_t start = m->busy_until, floor = ktime_sub_ns(now, service_ns);
	int slot = hm_cmd_slot(m, at);

	lockdep_assert_held(&m->lock);
	if (slot >= 0 && ktime_after(m->arrival[slot], start))
		start = m->arrival[slot];
	if (slot < 0 && ktime_after(now, start))
		start = now;
	return ktime_after(floor, start) ? floor : start;
}

/* Sleeps until @deadline; false when a reset, removal or stop came first. */
static bool hm_wait_until(struct hifn_model *m, u32 gen, ktime_t deadline)
{
	ktime_t now, until;

	for (;;) {
		if (kthread_should_stop() || READ_ONCE(m->gen) != gen || READ_ONCE(m->removed))
			return false;
		now = ktime_get();
		if (!ktime_before(now, deadline))
			return true;
		until = ktime_before(ktime_add_ms(now, 10), deadline) ? ktime_add_ms(now, 10) :
									deadline;
		set_current_state(TASK_IDLE);
		schedule_hrtimeout_range(&until, 0, HRTIMER_MODE_ABS);
	}
}

static bool hm_ram_ok(const struct hifn_model *m)
{
	/* SRAM and DRAM answer only when PUCNFG says which one is fitted. */
	return (m->v->flags & HM_F_PLL) || !!(m->pucnfg & HIFN_PUCNFG_DRAM) == m->v->dram;
}

/* A context RAM write or read (the driver's RAM probe). */
static int hm_ram_op(struct hifn_model *m, u32 gen, struct hm_cmd *c, u8 *res, u32 *res_len)
{
	unsigned long flags;
	u8 data[8];
	unsigned int i;
	int ret;

	/* Past the fitted SRAM the address lines wrap, and the PU flags it. */
	if (!(m->v->flags & HM_F_PLL) && !m->v->dram && c->ram_addr >= m->ram_size) {
		spin_lock_irqsave(&m->lock, flags);
		m->puisr |= HIFN_PUI_DATAERR;
		spin_unlock_irqrestore(&m->lock, flags);
	}
	if (c->ram_write) {
		ret = hm_copy(m, gen, &m->pk[HM_SRC], data, 8, false);
		if (ret)
			return ret;
		if (hm_ram_ok(m))
			for (i = 0; i < 8; i++)
				m->ram[(c->ram_addr + i) % m->ram_size] = data[i];
	} else {
		for (i = 0; i < 8; i++)
			data[i] = hm_ram_ok(m) ? m->ram[(c->ram_addr + i) % m->ram_size] : 0xff;
		ret = hm_copy(m, gen, &m->pk[HM_DST], data, 8, true);
		if (ret)
			return ret;
	}
	m->ram_ops++;
	/* The BSD drivers give a RAM write's result 4 bytes. */
	*res_len = 4;
	return 0;
}

/* The result buffer: base result, MAC result and MAC, crypt result. */
static u32 hm_result(const struct hm_cmd *c, const u8 *mac, u32 out_len, bool overrun, u8 *res)
{
	struct hifn_base_result *base = (void *)res;
	u32 mac_len = c->trunc ? HIFN_MAC_TRUNC_LENGTH : c->mac_len;

	memset(res, 0, HIFN_MAX_RESULT);
	base->flags = cpu_to_le16(overrun ? HIFN_BASE_RES_DSTOVERRUN : 0);
	base->session = cpu_to_le16(c->session |
				    (((c->slen >> 16) << HIFN_BASE_CMD_SRCLEN_S) &
				     HIFN_BASE_CMD_SRCLEN_M) |
				    (((out_len >> 16) << HIFN_BASE_CMD_DSTLEN_S) &
				     HIFN_BASE_CMD_DSTLEN_M));
	base->src_cnt = cpu_to_le16(c->slen & 0xffff);
	base->dst_cnt = cpu_to_le16(out_len & 0xffff);
	if (c->mac)
		memcpy(res + HIFN_RES_MAC_OFFSET, mac, mac_len);
	return c->crypt ? HIFN_RES_CRYPT_OFFSET + sizeof(struct hifn_mac_result) :
	       c->mac ? HIFN_RES_CRYPT_OFFSET : sizeof(struct hifn_base_result);
}

/*
 * Processes the next command, if there is one and the chip may.
 * Return: whether it did something (the caller looks for more).
 */
static bool hm_step(struct hifn_model *m)
{
	struct hm_packet *cmdp = &m->pk[HM_CMD], *resp = &m->pk[HM_RES];
	u8 res[HIFN_MAX_RESULT], mac[HIFN_MAC_LENGTH_MAX], *cbuf = m->cbuf;
	struct hm_cmd c = {};
	u32 gen, clen, why, res_len = 0, out_len = 0;
	bool overrun = false;
	unsigned long flags;
	ktime_t start;
	int ret, bad_ring;
	void *host;

	spin_lock_irqsave(&m->lock, flags);
	if (!hm_running(m))
		goto out_idle;
	gen = m->gen;
	start = ktime_get();
	hm_stamp(m);
	ret = hm_peek(m, HM_CMD, cmdp, true);
	if (ret == -EAGAIN) {
		m->csr |= HIFN_DMACSR_C_WAIT;
		goto out_idle;
	}
	if (ret)
		goto out_abort_cmd;
	clen = min_t(u32, cmdp->seg[cmdp->n - 1].l & HIFN_D_LENGTH, HIFN_MAX_COMMAND);
	host = hm_dma_ptr(m, cmdp->seg[cmdp->n - 1].p, clen);
	if (!host)
		goto out_abort_cmd;
	memcpy(cbuf, host, clen);
	ret = hm_peek(m, HM_SRC, &m->pk[HM_SRC], false);
	if (ret == -EAGAIN) {
		m->csr |= HIFN_DMACSR_S_WAIT;
		goto out_idle;
	}
	if (ret) {
		hm_abort(m, HM_SRC);
		goto out_done;
	}
	ret = hm_peek(m, HM_DST, &m->pk[HM_DST], false);
	if (ret == -EAGAIN) {
		m->csr |= HIFN_DMACSR_D_WAIT;
		goto out_idle;
	}
	if (ret) {
		hm_abort(m, HM_DST);
		goto out_done;
	}
	ret = hm_peek(m, HM_RES, resp, true);
	if (ret == -EAGAIN) {
		m->csr |= HIFN_DMACSR_R_WAIT;
		goto out_idle;
	}
	if (ret) {
		hm_abort(m, HM_RES);
		goto out_done;
	}
	bad_ring = hm_check_alignment(m);
	if (bad_ring >= 0) {
		hm_abort(m, bad_ring);
		goto out_done;
	}
	spin_unlock_irqrestore(&m->lock, flags);

	/* Injected faults take the next command. */
	if (atomic_add_unless(&m->abort_next, -1, 0)) {
		spin_lock_irqsave(&m->lock, flags);
		if (m->gen == gen)
			hm_abort(m, HM_DST);
		spin_unlock_irqrestore(&m->lock, flags);
		return true;
	}
	if (atomic_add_unless(&m->stall_next, -1, 0)) {
		spin_lock_irqsave(&m->lock, flags);
		if (m->gen == gen) {
			m->halted = true;
			m->stalls++;
		}
		spin_unlock_irqrestore(&m->lock, flags);
		return true;
	}
	why = hm_parse(m, cbuf, clen, &c);
	if (!why && atomic_add_unless(&m->corrupt_next, -1, 0))
		why = HIFN_PUI_CMDINVAL;
	if (!why && !c.ram) {
		/* The chip writes the source rounded up to a word. */
		u32 need = round_up(c.slen, 4), dbytes = m->pk[HM_DST].bytes;

		overrun = dbytes < need || c.dlen < need ||
			  atomic_add_unless(&m->overrun_next, -1, 0);
		if (!overrun && (m->pk[HM_SRC].bytes != c.slen || dbytes != c.dlen)) {
			/*
			 * After an overrun left a descriptor, the rings are out
			 * of step until the driver resets the chip: what follows
			 * mismatches by the chip's doing, not the driver's.
			 */
			if (!READ_ONCE(m->desync))
				hm_violation_locked(m, HM_V_TOTALS);
			why = HIFN_PUI_DATAERR;
		}
	}
	if (why) {
		hm_reject(m, gen, why);
		return true;
	}

	if (c.ram) {
		ret = hm_ram_op(m, gen, &c, res, &res_len);
		memset(res, 0, sizeof(res));
	} else {
		ret = hm_copy(m, gen, &m->pk[HM_SRC], m->work, c.slen, false);
		if (!ret && hm_transform(m, &c, mac)) {
			hm_reject(m, gen, HIFN_PUI_DATAERR);
			return true;
		}
		if (!ret) {
			u64 service = hm_service_ns(m, &c);
			ktime_t deadline;

			spin_lock_irqsave(&m->lock, flags);
			deadline = ktime_add_ns(hm_start_time(m, cmdp->seg[cmdp->n - 1].at, start,
							      service), service);
			m->busy_until = deadline;
			spin_unlock_irqrestore(&m->lock, flags);
			if (!hm_wait_until(m, gen, deadline))
				return true;
			/*
			 * The output is the input rounded up to a word. On an
			 * overrun the chip fills what it can short of the last
			 * descriptor, which it leaves.
			 */
			out_len = round_up(c.slen, 4);
			memset(m->work + c.slen, 0, out_len - c.slen);
			if (overrun)
				out_len = min(out_len, hm_packet_bytes(&m->pk[HM_DST], 1));
			ret = hm_copy(m, gen, &m->pk[HM_DST], m->work, out_len, true);
		}
		res_len = hm_result(&c, mac, out_len, overrun, res);
	}
	if (ret)
		return true;	/* reset or removed meanwhile, or aborted */

	spin_lock_irqsave(&m->lock, flags);
	if (m->gen != gen || m->removed)
		goto out_done;
	/* A result longer than its descriptor is an overflow, not truncated. */
	if (res_len > (resp->seg[resp->n - 1].l & HIFN_D_LENGTH)) {
		hm_violation(m, HM_V_RESULT);
		m->csr |= HIFN_DMACSR_R_OVER;
		m->halted = true;
		hm_raise(m);
		goto out_done;
	}
	host = hm_dma_ptr(m, resp->seg[resp->n - 1].p, res_len);
	if (!host) {
		hm_abort(m, HM_RES);
		goto out_done;
	}
	memcpy(host, res, res_len);
	/* Data and result are in memory before any VALID clears. */
	smp_wmb();
	hm_consume(m, HM_SRC, &m->pk[HM_SRC], 0);
	hm_consume(m, HM_DST, &m->pk[HM_DST], overrun ? 1 : 0);
	hm_consume(m, HM_CMD, cmdp, 0);
	hm_consume(m, HM_RES, resp, 0);
	if (overrun) {
		m->csr |= HIFN_DMACSR_D_OVER;
		m->puisr |= HIFN_PUI_DSTOVER;
		m->overruns++;
		m->desync = true;
	}
	if (!c.ram) {
		m->commands++;
		m->bytes += c.slen;
	}
	hm_raise(m);
	goto out_done;

out_abort_cmd:
	hm_abort(m, HM_CMD);
out_done:
	spin_unlock_irqrestore(&m->lock, flags);
	return true;
out_idle:
	spin_unlock_irqrestore(&m->lock, flags);
	return false;
}

/*
 * The engine thread. The chip polls enabled rings for descriptors that
 * became valid (the driver enables a ring only when it was idle): the
 * model polls poll_us after it last found work, then twice as long each
 * time it finds none, up to poll_ms, so that a busy chip answers at once
 * and an idle one costs little.
 */
static int hm_thread(void *data)
{
	struct hifn_model *m = data;
	u64 poll_ns = 0, max_ns;
	unsigned long flags;
	bool polling, found;

	while (!kthread_should_stop()) {
		spin_lock_irqsave(&m->lock, flags);
		polling = hm_running(m) && hm_poll_ms;
		spin_unlock_irqrestore(&m->lock, flags);
		max_ns = (u64)READ_ONCE(hm_poll_ms) * NSEC_PER_MSEC;
		poll_ns = clamp_t(u64, poll_ns, (u64)READ_ONCE(hm_poll_us) * NSEC_PER_USEC, max_ns);
		if (polling)
			wait_event_interruptible_hrtimeout(m->wq, READ_ONCE(m->kick) ||
							   kthread_should_stop(),
							   ns_to_ktime(poll_ns));
		else
			wait_event_interruptible(m->wq,
						 READ_ONCE(m->kick) || kthread_should_stop());
		WRITE_ONCE(m->kick, false);
		found = false;
		while (!kthread_should_stop() && hm_step(m)) {
			found = true;
			cond_resched();
		}
		poll_ns = found ? 0 : poll_ns * 2;
	}
	return 0;
}

/* Wakes the engine: something it may be waiting for changed. */
void hm_kick(struct hifn_model *m)
{
	WRITE_ONCE(m->kick, true);
	wake_up(&m->wq);
}

int hm_engine_start(struct hifn_model *m)
{
	m->thread = kthread_run(hm_thread, m, "hifn_model%u", m->index);
	if (IS_ERR(m->thread)) {
		int ret = PTR_ERR(m->thread);

		m->thread = NULL;
		return ret;
	}
	return 0;
}

void hm_engine_stop(struct hifn_model *m)
{
	if (m->thread)
		kthread_stop(m->thread);
	m->thread = NULL;
}
