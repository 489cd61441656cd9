// SPDX-License-Identifier: GPL-2.0
/*
 * Broadcom ubsec chip model: emulated 5801-5825 chips that the ubsec driver
 * core (ocf_ubsec.ko) drives exactly as a PCI card, through struct
 * ubsec_bus. Written from reference/hardware.md section 3.2, not from the
 * driver. Each instance is a platform device (for the DMA API, 32-bit
 * mask), a register file (CTRL, STAT, ERR, MCR1, MCR2) and one engine
 * thread per MCR queue that reads MCRs, contexts and data from host memory
 * by bus address, does the real transforms (Linux crypto API: DES/3DES,
 * AES on the 5823/5825, HMAC-MD5/SHA1 from the context's precomputed
 * inner and outer states; the MPI library for MODEXP and RSAPRIV; the
 * kernel's RNG for RNGBYPASS, the part's RNG), writes
 * the results, waits out the modelled time, sets DONE or ERROR in the MCR
 * and the STAT bits, and interrupts as CTRL says.
 *
 * Host bignums are little-endian byte strings. Without hardware
 * normalization (580x, or a 582x with CTRL.SWNORM set, its reset value)
 * MODEXP takes operands shifted left so that the modulus' top bit is the
 * width's top bit, with N_len the modulus' true bits: the model shifts them
 * back by width - N_len, and a modulus whose top bit is clear gives a wrong
 * result, as the hardware does.
 *
 * Stricter than silicon: each breach is counted as v_<rule> in state.
 *   align     a data segment's address not word-aligned: DMA error
 *   seg       a segment longer than 0xfffc, or one before the last not
 *             whole words: DMA error
 *   mcr_full  an MCR written while *_FULL: the write is lost
 *   pkts      packets per MCR outside 1..5 (MCR2: exactly 1): ERROR
 *   ctx_len   a context's length not the one its type, key size or
 *             operand width needs (RNGBYPASS: 64): ERROR
 *   length    data not the MCR's packet length, a cipher region not whole
 *             blocks, an output chain or MAC buffer too short; an RNG job
 *             with input, or output other than one buffer of 16 words: ERROR
 *   key_align a key operation's or RNG job's output not word-aligned: the MCR2 unit
 *             hangs until a reset (no completion)
 *   norm      580x: a modulus not normalized: a wrong result
 *   endian    an MCR processed before CTRL says little-endian: ERROR
 *
 * Time: an MCR takes latency + bytes over rate_sym (symmetric), or its
 * exponentiations' cost (RSA-1024 with CRT at rate_rsa per second, scaled
 * by exponent bits x width^2), times time_scale, counted from when the
 * unit would start it: when it finishes the previous MCR, or when this one
 * was written, whichever is later (an engine behind makes up at most one
 * MCR's time). The emulation's own work overlaps the modelled time.
 *
 * debugfs /sys/kernel/debug/ubsec_model/: new (write a part), remove
 * (write an instance), and per instance state, stall_next, dmaerr_next,
 * full_stuck (both MCR FULL bits stay set, nothing is taken, until a reset),
 * surprise_remove, rate_sym, rate_rsa.
 */

#include <crypto/hash.h>
#include <crypto/md5.h>
#include <crypto/sha1.h>
#include <crypto/skcipher.h>
#include <linux/debugfs.h>
#include <linux/dma-direct.h>
#include <linux/dma-mapping.h>
#include <linux/hrtimer.h>
#include <linux/iommu.h>
#include <linux/irq_work.h>
#include <linux/kthread.h>
#include <linux/math64.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/platform_device.h>
#include <linux/random.h>
#include <linux/scatterlist.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/vmalloc.h>
#include <linux/ocf_compat.h>

#include "ubsec_bus.h"
#include "ubsec_reg.h"

#define UM_MAX_INSTANCES	16
#define UM_MAX_SEGS		32
#define UM_FIFO_MAX		16

/* The model's own view of the parts (hardware.md 3.2) */
#define UM_KEY		BIT(0)
#define UM_LONGCTX	BIT(1)
#define UM_BIGKEY	BIT(2)
#define UM_HWNORM	BIT(3)
#define UM_AES		BIT(4)
#define UM_ALLEMPTY	BIT(5)
#define UM_582X		(UM_KEY | UM_LONGCTX | UM_BIGKEY | UM_HWNORM)

struct um_variant {
	const char *name;
	enum ubsec_chip chip;
	u32 flags;
};

static const struct um_variant um_variants[] = {
	{ "5801", UBSEC_CHIP_5801, 0 },
	{ "5802", UBSEC_CHIP_5802, UM_KEY },
	{ "5805", UBSEC_CHIP_5805, UM_KEY },
	{ "5820", UBSEC_CHIP_5820, UM_582X },
	{ "5821", UBSEC_CHIP_5821, UM_582X | UM_ALLEMPTY },
	{ "5822", UBSEC_CHIP_5822, UM_582X | UM_ALLEMPTY },
	{ "5823", UBSEC_CHIP_5823, UM_582X | UM_ALLEMPTY | UM_AES },
	{ "5825", UBSEC_CHIP_5825, UM_582X | UM_ALLEMPTY | UM_AES },
	{ "5501", UBSEC_CHIP_5501, 0 },
	{ "5601", UBSEC_CHIP_5601, UM_KEY },
};

enum um_rule { UM_V_ALIGN, UM_V_SEG, UM_V_MCR_FULL, UM_V_PKTS, UM_V_CTX_LEN, UM_V_LENGTH,
	       UM_V_KEY_ALIGN, UM_V_NORM, UM_V_ENDIAN, UM_RULES };

static const char *const um_rule_names[UM_RULES] = {
	[UM_V_ALIGN] = "align", [UM_V_SEG] = "seg", [UM_V_MCR_FULL] = "mcr_full",
	[UM_V_PKTS] = "pkts", [UM_V_CTX_LEN] = "ctx_len", [UM_V_LENGTH] = "length",
	[UM_V_KEY_ALIGN] = "key_align", [UM_V_NORM] = "norm", [UM_V_ENDIAN] = "endian",
};

static unsigned int instances = 1;
module_param(instances, uint, 0444);
MODULE_PARM_DESC(instances, "chips to create at load (0-16)");

static char *variant = "5820";
module_param(variant, charp, 0444);
MODULE_PARM_DESC(variant, "part of every instance: 5801, 5802, 5805, 5820-5823, 5825, 5501, 5601");

static char *variants = "";
module_param(variants, charp, 0444);
MODULE_PARM_DESC(variants, "parts per instance, '/'-separated (5805/5820); sets instances");

static unsigned int time_scale = 1;
module_param(time_scale, uint, 0644);
MODULE_PARM_DESC(time_scale, "stretch modelled time by this factor (a slow emulated CPU)");

static unsigned int latency_us = 10;
module_param(latency_us, uint, 0644);
MODULE_PARM_DESC(latency_us, "modelled time per packet besides its bytes (us)");

static unsigned int rate_sym = 310;
module_param(rate_sym, uint, 0644);
MODULE_PARM_DESC(rate_sym, "symmetric throughput, Mbit/s (hardware.md: the 5820's 3DES-SHA1, 310)");

static unsigned int rate_rsa = 800;
module_param(rate_rsa, uint, 0644);
MODULE_PARM_DESC(rate_rsa, "RSA-1024 CRT signatures per second (hardware.md: the 5820's, 800)");

static unsigned int mcr_depth = 2;
module_param(mcr_depth, uint, 0644);
MODULE_PARM_DESC(mcr_depth, "MCRs each queue holds before *_FULL (1-16)");

struct ubsec_model;

/* One MCR queue and the engine thread that serves it */
struct um_queue {
	struct ubsec_model *m;
	unsigned int qi;
	u8 *work;		/* data of a packet, or a key context and operands */
	u32 fifo[UM_FIFO_MAX];
	ktime_t arrived[UM_FIFO_MAX];
	unsigned int head;
	unsigned int count;
	bool hung;
	ktime_t busy_until;
	struct task_struct *thread;
};

/**
 * struct ubsec_model - one emulated chip
 * @lock: registers, queues, @epoch, @removed; held around every host
 *	memory access so that a reset stops DMA at once
 */
struct ubsec_model {
	struct list_head node;
	unsigned int index;
	const struct um_variant *v;
	struct platform_device *pdev;
	struct ubsec_bus bus;
	struct ubsec_dev *ud;
	spinlock_t lock;	/* see above */
	u32 ctrl;
	u32 stat;		/* latched DONE, DMAERR, ALLEMPTY bits */
	u32 err;
	u64 epoch;
	bool removed;
	struct um_queue q[2];
	wait_queue_head_t wq;
	irq_handler_t handler;
	void *irq_data;
	struct irq_work irq_work;
	u64 mcrs[2];
	u64 pkts[2];
	u64 bytes;
	u64 rng_words;
	u32 errors;
	u32 dma_errors;
	u32 resets;
	u32 hangs;
	u32 violations[UM_RULES];
	atomic_t stall_next;
	atomic_t full_stuck;
	atomic_t dmaerr_next;
	u32 rate_sym;
	u32 rate_rsa;
	struct crypto_sync_skcipher *des, *des3, *aes;
	struct crypto_shash *md5, *sha1;
	struct dentry *dir;
};

static LIST_HEAD(um_instances);		/* under um_instances_lock */
static unsigned int um_next_index;	/* under um_instances_lock */
static DEFINE_MUTEX(um_instances_lock);
static struct dentry *um_debugfs;

static void um_violation(struct ubsec_model *m, enum um_rule r)
{
	unsigned long flags;

	spin_lock_irqsave(&m->lock, flags);
	m->violations[r]++;
	spin_unlock_irqrestore(&m->lock, flags);
}

/* ---- Registers and interrupt ------------------------------------------------------ */

static bool um_irq_pending(const struct ubsec_model *m)
{
	return ((m->stat & UBSEC_STAT_MCR1_DONE) && (m->ctrl & UBSEC_CTRL_MCR1INT)) ||
	       ((m->stat & UBSEC_STAT_MCR2_DONE) && (m->ctrl & UBSEC_CTRL_MCR2INT)) ||
	       (m->stat & UBSEC_STAT_DMAERR);
}

static void um_irq_work(struct irq_work *work)
{
	struct ubsec_model *m = container_of(work, struct ubsec_model, irq_work);
	irq_handler_t handler = READ_ONCE(m->handler);

	if (handler)
		handler(0, m->irq_data);
}

static void um_raise(struct ubsec_model *m)
{
	lockdep_assert_held(&m->lock);
	if (um_irq_pending(m) && m->handler)
		irq_work_queue(&m->irq_work);
}

static void um_reset(struct ubsec_model *m)
{
	unsigned int i;

	lockdep_assert_held(&m->lock);
	m->epoch++;
	m->resets++;
	atomic_set(&m->full_stuck, 0);
	m->stat = 0;
	m->err = 0;
	/* 582x parts come out of reset expecting normalized operands. */
	m->ctrl = m->v->flags & UM_HWNORM ? UBSEC_CTRL_SWNORM : 0;
	for (i = 0; i < 2; i++) {
		m->q[i].count = 0;
		m->q[i].head = 0;
		m->q[i].hung = false;
	}
}

static u32 um_depth(void)
{
	return clamp_t(u32, READ_ONCE(mcr_depth), 1, UM_FIFO_MAX);
}

static u32 um_stat(const struct ubsec_model *m)
{
	u32 s = m->stat;

	if (atomic_read(&m->full_stuck))
		s |= UBSEC_STAT_MCR1_FULL | UBSEC_STAT_MCR2_FULL;
	if (m->q[0].count >= um_depth())
		s |= UBSEC_STAT_MCR1_FULL;
	if (m->q[1].count >= um_depth())
		s |= UBSEC_STAT_MCR2_FULL;
	if (m->q[0].count)
		s |= UBSEC_STAT_MCR1_BUSY;
	return s;
}

static struct ubsec_model *to_model(struct ubsec_bus *bus)
{
	return container_of(bus, struct ubsec_model, bus);
}

static u32 um_read(struct ubsec_bus *bus, u32 off)
{
	struct ubsec_model *m = to_model(bus);
	unsigned long flags;
	u32 val = 0;

	spin_lock_irqsave(&m->lock, flags);
	if (m->removed)
		val = U32_MAX;
	else if (off == UBSEC_CTRL)
		val = m->ctrl;
	else if (off == UBSEC_STAT)
		val = um_stat(m);
	else if (off == UBSEC_ERR)
		val = m->err;
	spin_unlock_irqrestore(&m->lock, flags);
	return val;
}

static void um_write_mcr(struct ubsec_model *m, unsigned int qi, u32 val)
{
	struct um_queue *q = &m->q[qi];
	unsigned int at;

	lockdep_assert_held(&m->lock);
	if (q->count >= um_depth() || atomic_read(&m->full_stuck)) {
		m->violations[UM_V_MCR_FULL]++;
		return;
	}
	at = (q->head + q->count) % UM_FIFO_MAX;
	q->fifo[at] = val;
	q->arrived[at] = ktime_get();
	q->count++;
	wake_up(&m->wq);
}

static void um_write(struct ubsec_bus *bus, u32 off, u32 val)
{
	struct ubsec_model *m = to_model(bus);
	unsigned long flags;

	spin_lock_irqsave(&m->lock, flags);
	if (m->removed)
		goto out;
	switch (off) {
	case UBSEC_CTRL:
		if (val & UBSEC_CTRL_RESET) {
			um_reset(m);
			wake_up(&m->wq);
		} else {
			m->ctrl = val;
		}
		break;
	case UBSEC_STAT:
		m->stat &= ~(val & (UBSEC_STAT_MCR1_DONE | UBSEC_STAT_MCR2_DONE |
				    UBSEC_STAT_DMAERR | UBSEC_STAT_MCR1_ALLEMPTY |
				    UBSEC_STAT_MCR2_ALLEMPTY));
		break;
	case UBSEC_MCR1:
		um_write_mcr(m, 0, val);
		break;
	case UBSEC_MCR2:
		if (m->v->flags & UM_KEY)
			um_write_mcr(m, 1, val);
		break;
	}
	um_raise(m);
out:
	spin_unlock_irqrestore(&m->lock, flags);
}

static int um_request_irq(struct ubsec_bus *bus, irq_handler_t handler, void *data)
{
	struct ubsec_model *m = to_model(bus);
	unsigned long flags;

	spin_lock_irqsave(&m->lock, flags);
	m->irq_data = data;
	WRITE_ONCE(m->handler, handler);
	um_raise(m);
	spin_unlock_irqrestore(&m->lock, flags);
	return 0;
}

static void um_free_irq(struct ubsec_bus *bus, void *data)
{
	struct ubsec_model *m = to_model(bus);
	unsigned long flags;

	spin_lock_irqsave(&m->lock, flags);
	WRITE_ONCE(m->handler, NULL);
	spin_unlock_irqrestore(&m->lock, flags);
	irq_work_sync(&m->irq_work);
}

static const struct ubsec_bus_ops um_bus_ops = {
	.read = um_read,
	.write = um_write,
	.request_irq = um_request_irq,
	.free_irq = um_free_irq,
};

/* ---- Host memory ------------------------------------------------------------------- */

/* Bus address to kernel address, or NULL where no RAM answers. */
static void *um_dma_ptr(struct ubsec_model *m, u32 addr, u32 len)
{
	phys_addr_t phys = dma_to_phys(&m->pdev->dev, addr);

	if (!len)
		len = 1;
	if (!pfn_valid(PHYS_PFN(phys)) || !pfn_valid(PHYS_PFN(phys + len - 1)))
		return NULL;
	return phys_to_virt(phys);
}

/* One DMA transfer unless a reset or removal came since @epoch: 0, -ECANCELED, -EFAULT. */
static int um_dma(struct ubsec_model *m, u64 epoch, u32 addr, void *buf, u32 len, bool write)
{
	unsigned long flags;
	void *p;
	int ret = 0;

	if (!len)
		return 0;
	spin_lock_irqsave(&m->lock, flags);
	if (m->epoch != epoch || m->removed) {
		ret = -ECANCELED;
		goto out;
	}
	p = um_dma_ptr(m, addr, len);
	if (!p) {
		ret = -EFAULT;
		goto out;
	}
	if (write)
		memcpy(p, buf, len);
	else
		memcpy(buf, p, len);
out:
	spin_unlock_irqrestore(&m->lock, flags);
	return ret;
}

/* A chain of packet buffers, as read */
struct um_chain {
	unsigned int n;
	u32 bytes;
	struct ubsec_pktbuf pb[UM_MAX_SEGS];
	u32 after;		/* the next pointer past the data (MAC buffer) */
};

/* What a packet's processing ends in */
enum um_result { UM_DONE, UM_ERROR, UM_DMAERR, UM_HANG, UM_CANCELED };

/*
 * Reads the chain from @first until @want bytes (U32_MAX: to its end),
 * checking the segment rules. Sets m->err on a DMA error.
 */
static enum um_result um_read_chain(struct ubsec_model *m, u64 epoch,
				    const struct ubsec_pktbuf *first, u32 want,
				    struct um_chain *c)
{
	struct ubsec_pktbuf pb = *first;
	u32 addr, len, next;
	int ret;

	c->n = 0;
	c->bytes = 0;
	for (;;) {
		addr = le32_to_cpu(pb.addr);
		len = le32_to_cpu(pb.len) & UBSEC_PKTBUF_LEN;
		next = le32_to_cpu(pb.next);
		if (len && (addr & 3)) {
			um_violation(m, UM_V_ALIGN);
			m->err = addr | UBSEC_ERR_READ;
			return UM_DMAERR;
		}
		if (len > UBSEC_MAX_SEG) {
			um_violation(m, UM_V_SEG);
			m->err = addr | UBSEC_ERR_READ;
			return UM_DMAERR;
		}
		if (c->n == UM_MAX_SEGS)
			return UM_ERROR;
		c->pb[c->n++] = pb;
		c->bytes += len;
		if (c->bytes >= want || !next) {
			c->after = next;
			break;
		}
		if (len & 3) {
			/* Only the last segment may end mid-word. */
			um_violation(m, UM_V_SEG);
			m->err = addr | UBSEC_ERR_READ;
			return UM_DMAERR;
		}
		ret = um_dma(m, epoch, next, &pb, sizeof(pb), false);
		if (ret)
			return ret == -ECANCELED ? UM_CANCELED : UM_DMAERR;
	}
	if (want != U32_MAX && c->bytes < want) {
		um_violation(m, UM_V_LENGTH);
		return UM_ERROR;
	}
	return UM_DONE;
}

/* Copies @len bytes between @buf and the chain's buffers. */
static enum um_result um_chain_io(struct ubsec_model *m, u64 epoch, const struct um_chain *c,
				  u8 *buf, u32 len, bool write)
{
	u32 i, n, addr;
	int ret;

	for (i = 0; i < c->n && len; i++) {
		addr = le32_to_cpu(c->pb[i].addr);
		n = min(le32_to_cpu(c->pb[i].len) & UBSEC_PKTBUF_LEN, len);
		ret = um_dma(m, epoch, addr, buf, n, write);
		if (ret)
			return ret == -ECANCELED ? UM_CANCELED : UM_DMAERR;
		buf += n;
		len -= n;
	}
	return UM_DONE;
}

/* ---- Symmetric packets ----------------------------------------------------------- */

static void um_unswap(u8 *dst, const __le32 *src, unsigned int words)
{
	unsigned int i;

	for (i = 0; i < words; i++)
		put_unaligned_be32(le32_to_cpu(src[i]), dst + 4 * i);
}

/* A decoded packet context */
struct um_pktctx {
	u16 flags;
	u16 offset;
	bool aes;
	u8 key[32];
	u32 key_len;
	u8 iv[16];
	__le32 hminner[5];
	__le32 hmouter[5];
};

static enum um_result um_read_pktctx(struct ubsec_model *m, u64 epoch, u32 addr,
				     struct um_pktctx *pc)
{
	union {
		struct ubsec_pktctx_short s;
		struct ubsec_pktctx_3des d;
		struct ubsec_pktctx_aes a;
	} c;
	u32 want, kw = 0, len;

	memset(pc, 0, sizeof(*pc));
	if (!(m->v->flags & UM_LONGCTX)) {
		if (um_dma(m, epoch, addr, &c.s, sizeof(c.s), false))
			return UM_DMAERR;
		pc->flags = le16_to_cpu(c.s.flags);
		pc->offset = le16_to_cpu(c.s.offset);
		um_unswap(pc->key, c.s.deskey, 6);
		um_unswap(pc->iv, c.s.iv, 2);
		memcpy(pc->hminner, c.s.hminner, sizeof(pc->hminner));
		memcpy(pc->hmouter, c.s.hmouter, sizeof(pc->hmouter));
		pc->key_len = 24;
		return UM_DONE;
	}
	if (um_dma(m, epoch, addr, &c.d.hdr, sizeof(c.d.hdr), false))
		return UM_DMAERR;
	len = le16_to_cpu(c.d.hdr.len);
	pc->flags = le16_to_cpu(c.d.hdr.flags);
	pc->offset = le16_to_cpu(c.d.hdr.offset);
	switch (le16_to_cpu(c.d.hdr.type)) {
	case UBSEC_PKTCTX_TYPE_3DES:
		want = sizeof(c.d);
		break;
	case UBSEC_PKTCTX_TYPE_AES:
		if (!(m->v->flags & UM_AES))
			return UM_ERROR;
		kw = pc->flags & UBSEC_PKTCTX_KEY256 ? 8 : pc->flags & UBSEC_PKTCTX_KEY192 ? 6 : 4;
		want = UBSEC_PKTCTX_AES_LEN(kw);
		break;
	default:
		return UM_ERROR;
	}
	if (len != want) {
		um_violation(m, UM_V_CTX_LEN);
		return UM_ERROR;
	}
	if (um_dma(m, epoch, addr, &c, want, false))
		return UM_DMAERR;
	if (!kw) {
		um_unswap(pc->key, c.d.deskey, 6);
		um_unswap(pc->iv, c.d.iv, 2);
		memcpy(pc->hminner, c.d.hminner, sizeof(pc->hminner));
		memcpy(pc->hmouter, c.d.hmouter, sizeof(pc->hmouter));
		pc->key_len = 24;
	} else {
		pc->aes = true;
		um_unswap(pc->key, c.a.words, kw);
		um_unswap(pc->iv, c.a.words + kw, 4);
		memcpy(pc->hminner, c.a.words + kw + 4, sizeof(pc->hminner));
		memcpy(pc->hmouter, c.a.words + kw + 9, sizeof(pc->hmouter));
		pc->key_len = kw * 4;
	}
	return UM_DONE;
}

/* HMAC of @len bytes from the context's inner and outer states. */
static int um_hmac(struct ubsec_model *m, const struct um_pktctx *pc, const u8 *data, u32 len,
		   u8 *mac)
{
	bool md5 = pc->flags & UBSEC_PKTCTX_AUTH_MD5;
	struct crypto_shash *tfm = md5 ? m->md5 : m->sha1;
	u32 dlen = md5 ? MD5_DIGEST_SIZE : SHA1_DIGEST_SIZE;
	union {
		struct md5_state md5;
		struct sha1_state sha1;
	} st;
	const __le32 *states[2] = { pc->hminner, pc->hmouter };
	u8 inner[SHA1_DIGEST_SIZE];
	unsigned int k, i;
	int ret = 0;
	SHASH_DESC_ON_STACK(desc, tfm);

	desc->tfm = tfm;
	for (k = 0; k < 2 && !ret; k++) {
		memset(&st, 0, sizeof(st));
		if (md5) {
			for (i = 0; i < 4; i++)
				st.md5.hash[i] = le32_to_cpu(states[k][i]);
			st.md5.byte_count = MD5_HMAC_BLOCK_SIZE;
		} else {
			for (i = 0; i < 5; i++)
				st.sha1.state[i] = le32_to_cpu(states[k][i]);
			st.sha1.count = SHA1_BLOCK_SIZE;
		}
		ret = crypto_shash_import(desc, &st) ?:
		      crypto_shash_finup(desc, k ? inner : data, k ? dlen : len, k ? mac : inner);
	}
	shash_desc_zero(desc);
	return ret;
}

static int um_cipher(struct ubsec_model *m, const struct um_pktctx *pc, u8 *data, u32 len)
{
	struct crypto_sync_skcipher *tfm;
	u32 key_len = pc->key_len;
	struct scatterlist sg;
	u8 iv[16];
	int ret;

	if (pc->aes) {
		tfm = m->aes;
	} else if (!memcmp(pc->key, pc->key + 8, 8) && !memcmp(pc->key, pc->key + 16, 8)) {
		/* 3DES EDE with one key three times is DES. */
		tfm = m->des;
		key_len = 8;
	} else {
		tfm = m->des3;
	}
	ret = crypto_sync_skcipher_setkey(tfm, pc->key, key_len);
	if (ret)
		return ret;
	{
		SYNC_SKCIPHER_REQUEST_ON_STACK(r, tfm);

		memcpy(iv, pc->iv, sizeof(iv));
		sg_init_one(&sg, data, len);
		skcipher_request_set_sync_tfm(r, tfm);
		skcipher_request_set_callback(r, 0, NULL, NULL);
		skcipher_request_set_crypt(r, &sg, &sg, len, iv);
		ret = pc->flags & UBSEC_PKTCTX_INBOUND ? crypto_skcipher_decrypt(r) :
			crypto_skcipher_encrypt(r);
		skcipher_request_zero(r);
	}
	return ret;
}

static enum um_result um_sym_packet(struct ubsec_model *m, u64 epoch,
				    const struct ubsec_mcr_add *p, u8 *work, u64 *cost_ns)
{
	u32 pktlen = le16_to_cpu(p->pktlen), skip, block, dlen;
	u8 mac[SHA1_DIGEST_SIZE];
	struct um_chain in, out;
	struct um_pktctx pc;
	enum um_result r;
	bool enc, auth;

	r = um_read_pktctx(m, epoch, le32_to_cpu(p->cmdctxp), &pc);
	if (r != UM_DONE)
		return r;
	enc = pc.flags & UBSEC_PKTCTX_ENC;
	auth = pc.flags & UBSEC_PKTCTX_AUTH;
	if (!enc && !auth)
		return UM_ERROR;
	r = um_read_chain(m, epoch, &p->in, U32_MAX, &in);
	if (r != UM_DONE)
		return r;
	skip = pc.offset * 4;
	block = pc.aes ? 16 : 8;
	if (in.bytes != pktlen || skip > pktlen || (enc && (pktlen - skip) % block)) {
		um_violation(m, UM_V_LENGTH);
		return UM_ERROR;
	}
	r = um_chain_io(m, epoch, &in, work, pktlen, false);
	if (r != UM_DONE)
		return r;
	/* Outbound: encrypt, then MAC the result; inbound the other way round. */
	if (auth && (pc.flags & UBSEC_PKTCTX_INBOUND) && um_hmac(m, &pc, work, pktlen, mac))
		return UM_ERROR;
	if (enc && um_cipher(m, &pc, work + skip, pktlen - skip))
		return UM_ERROR;
	if (auth && !(pc.flags & UBSEC_PKTCTX_INBOUND) && um_hmac(m, &pc, work, pktlen, mac))
		return UM_ERROR;

	/*
	 * The output: the enciphered region only, from its first byte (the
	 * BSD drivers chain the output at the cipher's skip, as long as the
	 * cipher's length: a header that is only authenticated is not
	 * written back), then the MAC buffer.
	 */
	out.n = 0;
	out.after = le32_to_cpu(p->out.next);
	if (enc) {
		r = um_read_chain(m, epoch, &p->out, pktlen - skip, &out);
		if (r != UM_DONE)
			return r;
		r = um_chain_io(m, epoch, &out, work + skip, pktlen - skip, true);
		if (r != UM_DONE)
			return r;
	}
	if (auth) {
		struct ubsec_pktbuf pb;

		dlen = pc.flags & UBSEC_PKTCTX_AUTH_MD5 ? MD5_DIGEST_SIZE : SHA1_DIGEST_SIZE;
		if (!out.after || um_dma(m, epoch, out.after, &pb, sizeof(pb), false))
			return UM_DMAERR;
		if ((le32_to_cpu(pb.len) & UBSEC_PKTBUF_LEN) < dlen) {
			um_violation(m, UM_V_LENGTH);
			return UM_ERROR;
		}
		if (le32_to_cpu(pb.addr) & 3) {
			um_violation(m, UM_V_ALIGN);
			m->err = le32_to_cpu(pb.addr);
			return UM_DMAERR;
		}
		if (um_dma(m, epoch, le32_to_cpu(pb.addr), mac, dlen, true))
			return UM_DMAERR;
	}
	m->bytes += pktlen;
	*cost_ns += (u64)READ_ONCE(latency_us) * NSEC_PER_USEC +
		    div_u64((u64)pktlen * 8000, max(1u, READ_ONCE(m->rate_sym) ?: rate_sym));
	return UM_DONE;
}

/* ---- Key operations ------------------------------------------------------------ */

/* @len little-endian bytes to an MPI */
static MPI um_mpi_le(const u8 *le, u32 len)
{
	u8 *be = kmalloc(max(len, 1u), GFP_KERNEL);
	MPI v;
	u32 i;

	if (!be)
		return NULL;
	for (i = 0; i < len; i++)
		be[i] = le[len - 1 - i];
	v = mpi_read_raw_data(be, len);
	kfree_sensitive(be);
	return v;
}

/* An MPI to @len little-endian bytes; 0 or -EOVERFLOW */
static int um_mpi_to_le(MPI v, u8 *le, u32 len)
{
	unsigned int n = DIV_ROUND_UP(mpi_get_nbits(v), 8), written;
	u8 *be;
	u32 i;
	int ret;

	memset(le, 0, len);
	if (!n)
		return 0;
	if (n > len)
		return -EOVERFLOW;
	be = kmalloc(n, GFP_KERNEL);
	if (!be)
		return -ENOMEM;
	ret = mpi_read_buffer(v, be, n, &written, NULL);
	for (i = 0; !ret && i < written; i++)
		le[i] = be[written - 1 - i];
	kfree_sensitive(be);
	return ret;
}

/* Time for exponentiations of @ebits bits at @width bits, from rate_rsa */
static u64 um_exp_cost(struct ubsec_model *m, u32 ebits, u32 width)
{
	u32 rate = max(1u, READ_ONCE(m->rate_rsa) ?: READ_ONCE(rate_rsa));

	/* RSA-1024 with CRT: two 512-bit exponents at 512 bits */
	return mul_u64_u64_div_u64((u64)ebits * width * width, NSEC_PER_SEC,
				   (u64)rate * 2 * 512 * 512 * 512);
}

static bool um_width_ok(struct ubsec_model *m, u32 bits)
{
	return bits == 512 || bits == 768 || bits == 1024 ||
	       ((m->v->flags & UM_BIGKEY) && (bits == 1536 || bits == 2048));
}

/* Checks a key operation's output buffer; a misaligned one hangs the unit. */
static enum um_result um_key_out(struct ubsec_model *m, const struct ubsec_pktbuf *out, u32 len)
{
	if (le32_to_cpu(out->addr) & 3) {
		um_violation(m, UM_V_KEY_ALIGN);
		return UM_HANG;
	}
	if ((le32_to_cpu(out->len) & UBSEC_PKTBUF_LEN) < len) {
		um_violation(m, UM_V_LENGTH);
		return UM_ERROR;
	}
	return UM_DONE;
}

static enum um_result um_modexp(struct ubsec_model *m, u64 epoch, const struct ubsec_mcr_add *p,
				u32 ctx_len, u8 *buf, u64 *cost_ns)
{
	struct ubsec_keyctx_modexp *ctx = (void *)buf;
	u32 w = ctx_len - 8, width = w * 8, nbits, ebits, elen, shift = 0;
	bool hwnorm = (m->v->flags & UM_HWNORM) && !(m->ctrl & UBSEC_CTRL_SWNORM);
	u8 *mb = buf + UBSEC_KEYCTX_MAX, *eb = mb + w, *cb = eb + w;
	struct um_chain in;
	MPI v[4] = {};
	enum um_result r;
	unsigned int i;

	if (ctx_len < 8 || !um_width_ok(m, width)) {
		um_violation(m, UM_V_CTX_LEN);
		return UM_ERROR;
	}
	if (um_dma(m, epoch, le32_to_cpu(p->cmdctxp), ctx, ctx_len, false))
		return UM_DMAERR;
	nbits = le16_to_cpu(ctx->n_len);
	ebits = le16_to_cpu(ctx->e_len);
	if (!nbits || nbits > width || !ebits || ebits > width)
		return UM_ERROR;
	/*
	 * FB9 gives the 580x E_len = N_len (both operands shifted alike) and
	 * refuses an exponent longer than the modulus on any part.
	 */
	if ((!hwnorm && ebits != nbits) || ebits > nbits) {
		um_violation(m, UM_V_LENGTH);
		return UM_ERROR;
	}
	elen = hwnorm ? DIV_ROUND_UP(ebits, 8) : w;
	r = um_read_chain(m, epoch, &p->in, w + elen, &in);
	if (r != UM_DONE)
		return r;
	if (in.n != 2 || (le32_to_cpu(in.pb[0].len) & UBSEC_PKTBUF_LEN) != w) {
		um_violation(m, UM_V_LENGTH);
		return UM_ERROR;
	}
	r = um_key_out(m, &p->out, w);
	if (r != UM_DONE)
		return r;
	memset(eb, 0, w);
	if (um_dma(m, epoch, le32_to_cpu(in.pb[0].addr), mb, w, false) ||
	    um_dma(m, epoch, le32_to_cpu(in.pb[1].addr), eb, elen, false))
		return UM_DMAERR;

	if (!hwnorm) {
		if (!(ctx->n[w - 1] & 0x80)) {
			/* The unit needs the modulus' top bit where the width's is. */
			um_violation(m, UM_V_NORM);
			ctx->n[w - 1] |= 0x80;
		} else {
			shift = width - nbits;
			ubsec_le_shr(ctx->n, w, shift);
			ubsec_le_shr(mb, w, shift);
			ubsec_le_shr(eb, w, shift);
		}
	}
	v[0] = um_mpi_le(mb, w);
	v[1] = um_mpi_le(eb, elen);
	v[2] = um_mpi_le(ctx->n, w);
	v[3] = mpi_alloc(0);
	r = UM_ERROR;
	if (v[0] && v[1] && v[2] && v[3] && mpi_cmp_ui(v[2], 0) &&
	    !mpi_powm(v[3], v[0], v[1], v[2]) && !um_mpi_to_le(v[3], cb, w)) {
		if (shift)
			ubsec_le_shl(cb, w, shift);
		r = um_dma(m, epoch, le32_to_cpu(p->out.addr), cb, w, true) ? UM_DMAERR : UM_DONE;
	}
	*cost_ns += um_exp_cost(m, v[1] ? mpi_get_nbits(v[1]) : 0, width);
	for (i = 0; i < ARRAY_SIZE(v); i++)
		mpi_free(v[i]);
	return r;
}

/* x^dp mod p, x^dq mod q, recombined with pinv = q^-1 mod p */
static int um_crt(MPI *v, MPI r)
{
	enum { X, P, Q, DP, DQ, PINV, M1, M2, H, T, N };
	int ret;

	ret = mpi_powm(v[M1], v[X], v[DP], v[P]) ?: mpi_powm(v[M2], v[X], v[DQ], v[Q]) ?:
	      ocf_mpi_subm(v[H], v[M1], v[M2], v[P]) ?: ocf_mpi_mulm(v[T], v[H], v[PINV], v[P]) ?:
	      ocf_mpi_mul(v[H], v[T], v[Q]) ?: ocf_mpi_add(r, v[H], v[M2]);
	return ret;
}

static enum um_result um_rsapriv(struct ubsec_model *m, u64 epoch, const struct ubsec_mcr_add *p,
				 u32 ctx_len, u8 *buf, u64 *cost_ns)
{
	struct ubsec_keyctx_rsapriv *ctx = (void *)buf;
	u32 pb = (ctx_len - 8) / 5, pad = pb * 8, i;
	u8 *xb = buf + UBSEC_KEYCTX_MAX, *ob = xb + 2 * pb;
	struct um_chain in;
	MPI v[10] = {}, r = NULL;
	enum um_result res;

	if (ctx_len < 8 || (ctx_len - 8) % 5 || !um_width_ok(m, 2 * pad)) {
		um_violation(m, UM_V_CTX_LEN);
		return UM_ERROR;
	}
	if (um_dma(m, epoch, le32_to_cpu(p->cmdctxp), ctx, ctx_len, false))
		return UM_DMAERR;
	if (le16_to_cpu(ctx->p_len) != pad || le16_to_cpu(ctx->q_len) != pad) {
		um_violation(m, UM_V_CTX_LEN);
		return UM_ERROR;
	}
	/* FB9 ubsec_kprocess_rsapriv: the packet length is the message's, 2 * padlen. */
	if (le16_to_cpu(p->pktlen) != 2 * pad) {
		um_violation(m, UM_V_LENGTH);
		return UM_ERROR;
	}
	res = um_read_chain(m, epoch, &p->in, 2 * pb, &in);
	if (res != UM_DONE)
		return res;
	res = um_key_out(m, &p->out, 2 * pb);
	if (res != UM_DONE)
		return res;
	if (um_chain_io(m, epoch, &in, xb, 2 * pb, false) != UM_DONE)
		return UM_DMAERR;
	v[0] = um_mpi_le(xb, 2 * pb);
	for (i = 0; i < 5; i++)
		v[1 + i] = um_mpi_le(ctx->buf + i * pb, pb);
	for (i = 6; i < ARRAY_SIZE(v); i++)
		v[i] = mpi_alloc(0);
	r = mpi_alloc(0);
	res = UM_ERROR;
	for (i = 0; i < ARRAY_SIZE(v) && v[i]; i++)
		;
	if (i == ARRAY_SIZE(v) && r && mpi_cmp_ui(v[1], 0) && mpi_cmp_ui(v[2], 0) &&
	    !um_crt(v, r) && !um_mpi_to_le(r, ob, 2 * pb))
		res = um_dma(m, epoch, le32_to_cpu(p->out.addr), ob, 2 * pb, true) ?
		      UM_DMAERR : UM_DONE;
	for (i = 0; i < ARRAY_SIZE(v); i++)
		mpi_free(v[i]);
	mpi_free(r);
	*cost_ns += 2 * um_exp_cost(m, pad, pad);
	return res;
}

/*
 * RNGBYPASS: the context exactly 64 bytes, no input, the output one
 * word-aligned buffer of exactly 16 words; the words from the kernel's
 * RNG. Costs one packet's latency.
 */
static enum um_result um_rng(struct ubsec_model *m, u64 epoch, const struct ubsec_mcr_add *p,
			     u32 ctx_len, u8 *buf, u64 *cost_ns)
{
	enum um_result r;

	if (ctx_len != sizeof(struct ubsec_keyctx_rng)) {
		um_violation(m, UM_V_CTX_LEN);
		return UM_ERROR;
	}
	r = um_key_out(m, &p->out, UBSEC_RNG_BYTES);
	if (r != UM_DONE)
		return r;
	if (p->in.addr || p->in.next || (le32_to_cpu(p->in.len) & UBSEC_PKTBUF_LEN) || p->pktlen ||
	    p->out.next || (le32_to_cpu(p->out.len) & UBSEC_PKTBUF_LEN) != UBSEC_RNG_BYTES) {
		um_violation(m, UM_V_LENGTH);
		return UM_ERROR;
	}
	get_random_bytes(buf, UBSEC_RNG_BYTES);
	r = um_dma(m, epoch, le32_to_cpu(p->out.addr), buf, UBSEC_RNG_BYTES, true) ?
	    UM_DMAERR : UM_DONE;
	memzero_explicit(buf, UBSEC_RNG_BYTES);
	if (r == UM_DONE)
		m->rng_words += UBSEC_RNG_BYTES / 4;
	*cost_ns += (u64)READ_ONCE(latency_us) * NSEC_PER_USEC;
	return r;
}

static enum um_result um_key_packet(struct ubsec_model *m, u64 epoch,
				    const struct ubsec_mcr_add *p, u8 *work, u64 *cost_ns)
{
	struct ubsec_keyctx_hdr hdr;
	u32 len;

	if (um_dma(m, epoch, le32_to_cpu(p->cmdctxp), &hdr, sizeof(hdr), false))
		return UM_DMAERR;
	len = le16_to_cpu(hdr.len);
	if (len > UBSEC_KEYCTX_MAX) {
		um_violation(m, UM_V_CTX_LEN);
		return UM_ERROR;
	}
	switch (le16_to_cpu(hdr.op)) {
	case UBSEC_KOP_MODEXP:
		return um_modexp(m, epoch, p, len, work, cost_ns);
	case UBSEC_KOP_RSAPRIV:
		return um_rsapriv(m, epoch, p, len, work, cost_ns);
	case UBSEC_KOP_RNGBYPASS:
		return um_rng(m, epoch, p, len, work, cost_ns);
	default:
		return UM_ERROR;
	}
}

/* ---- The engines ----------------------------------------------------------------- */

static enum um_result um_mcr(struct ubsec_model *m, unsigned int qi, u64 epoch, u32 addr,
			     u64 *cost_ns)
{
	struct ubsec_mcr_add p;
	enum um_result r = UM_DONE;
	unsigned int i, n;
	__le16 hdr[2];

	if (um_dma(m, epoch, addr, hdr, sizeof(hdr), false))
		return UM_DMAERR;
	n = le16_to_cpu(hdr[0]);
	if (!n || n > (qi ? 1 : UBSEC_MAX_AGGR)) {
		um_violation(m, UM_V_PKTS);
		return UM_ERROR;
	}
	if ((m->ctrl & UBSEC_CTRL_LITTLE_ENDIAN) != UBSEC_CTRL_LITTLE_ENDIAN) {
		um_violation(m, UM_V_ENDIAN);
		return UM_ERROR;
	}
	for (i = 0; i < n && r == UM_DONE; i++) {
		if (um_dma(m, epoch, addr + 4 + i * sizeof(p), &p, sizeof(p), false))
			return UM_DMAERR;
		r = qi ? um_key_packet(m, epoch, &p, m->q[qi].work, cost_ns) :
			 um_sym_packet(m, epoch, &p, m->q[qi].work, cost_ns);
	}
	m->pkts[qi] += i;
	return r;
}

/* Sleeps until @t or until the thread is asked to stop. */
static void um_sleep_until(ktime_t t)
{
	while (!kthread_should_stop() && ktime_before(ktime_get(), t)) {
		set_current_state(TASK_INTERRUPTIBLE);
		schedule_hrtimeout_range(&t, 20 * NSEC_PER_USEC, HRTIMER_MODE_ABS);
	}
	__set_current_state(TASK_RUNNING);
}

static bool um_has_work(struct ubsec_model *m, unsigned int qi)
{
	unsigned long flags;
	bool yes;

	spin_lock_irqsave(&m->lock, flags);
	yes = m->q[qi].count && !m->q[qi].hung && !m->removed;
	spin_unlock_irqrestore(&m->lock, flags);
	return yes;
}

static void um_run_one(struct ubsec_model *m, unsigned int qi)
{
	static const u32 done_bit[] = { UBSEC_STAT_MCR1_DONE, UBSEC_STAT_MCR2_DONE };
	static const u32 empty_bit[] = { UBSEC_STAT_MCR1_ALLEMPTY, UBSEC_STAT_MCR2_ALLEMPTY };
	struct um_queue *q = &m->q[qi];
	ktime_t arrived, start, now;
	enum um_result r;
	unsigned long flags;
	u64 epoch, cost = 0;
	u32 addr;
	__le16 mflags;

	spin_lock_irqsave(&m->lock, flags);
	addr = q->fifo[q->head];
	arrived = q->arrived[q->head];
	epoch = m->epoch;
	spin_unlock_irqrestore(&m->lock, flags);

	if (atomic_add_unless(&m->stall_next, -1, 0))
		r = UM_HANG;
	else if (atomic_add_unless(&m->dmaerr_next, -1, 0))
		r = UM_DMAERR;
	else
		r = um_mcr(m, qi, epoch, addr, &cost);
	if (r == UM_CANCELED)
		return;

	now = ktime_get();
	start = ktime_after(arrived, q->busy_until) ? arrived : q->busy_until;
	cost *= max(1u, READ_ONCE(time_scale));
	/* An engine that fell behind makes up at most one MCR's time. */
	if (ktime_before(start, ktime_sub_ns(now, cost)))
		start = ktime_sub_ns(now, cost);
	q->busy_until = ktime_add_ns(start, cost);
	if (r != UM_HANG)
		um_sleep_until(q->busy_until);

	spin_lock_irqsave(&m->lock, flags);
	if (m->epoch != epoch || m->removed)
		goto out;
	if (r == UM_HANG) {
		q->hung = true;
		m->hangs++;
		goto out;
	}
	if (r == UM_DMAERR) {
		m->stat |= UBSEC_STAT_DMAERR;
		m->dma_errors++;
	}
	if (r != UM_DONE)
		m->errors++;
	mflags = cpu_to_le16(r == UM_DONE ? UBSEC_MCR_DONE : UBSEC_MCR_ERROR);
	/* The results before the flags that say they are there */
	smp_wmb();
	if (um_dma_ptr(m, addr + 2, 2))
		WRITE_ONCE(*(__le16 *)um_dma_ptr(m, addr + 2, 2), mflags);
	m->mcrs[qi]++;
	q->head = (q->head + 1) % UM_FIFO_MAX;
	q->count--;
	m->stat |= done_bit[qi];
	if (!q->count && (m->v->flags & UM_ALLEMPTY))
		m->stat |= empty_bit[qi];
	um_raise(m);
out:
	spin_unlock_irqrestore(&m->lock, flags);
}

static int um_thread(void *data)
{
	struct um_queue *q = data;
	struct ubsec_model *m = q->m;
	unsigned int qi = q->qi;

	while (!kthread_should_stop()) {
		wait_event_interruptible(m->wq, kthread_should_stop() || um_has_work(m, qi));
		if (kthread_should_stop())
			break;
		if (um_has_work(m, qi))
			um_run_one(m, qi);
	}
	return 0;
}

/* ---- debugfs ------------------------------------------------------------------------ */

static int um_state_show(struct seq_file *s, void *unused)
{
	struct ubsec_model *m = s->private;
	unsigned long flags;
	unsigned int i;
	u32 total = 0;

	seq_printf(s, "variant=%s\nproducer=%s\n", m->v->name, m->ud ? ubsec_name(m->ud) : "");
	spin_lock_irqsave(&m->lock, flags);
	seq_printf(s, "ctrl=%#x\nstat=%#x\nerr=%#x\n", m->ctrl, um_stat(m), m->err);
	seq_printf(s, "mcr1=%llu\nmcr1_packets=%llu\nmcr2=%llu\nbytes=%llu\nrng_words=%llu\n",
		   m->mcrs[0], m->pkts[0], m->mcrs[1], m->bytes, m->rng_words);
	seq_printf(s, "errors=%u\ndma_errors=%u\nresets=%u\nhangs=%u\nremoved=%d\n", m->errors,
		   m->dma_errors, m->resets, m->hangs, m->removed);
	seq_printf(s, "rate_sym=%u\nrate_rsa=%u\n", m->rate_sym ?: rate_sym,
		   m->rate_rsa ?: rate_rsa);
	for (i = 0; i < UM_RULES; i++) {
		seq_printf(s, "v_%s=%u\n", um_rule_names[i], m->violations[i]);
		total += m->violations[i];
	}
	seq_printf(s, "violations=%u\n", total);
	spin_unlock_irqrestore(&m->lock, flags);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(um_state);

static ssize_t um_remove_card(struct file *file, const char __user *buf, size_t len,
			      loff_t *ppos)
{
	struct ubsec_model *m = file->private_data;
	unsigned long flags;
	bool yes;
	int ret;

	ret = kstrtobool_from_user(buf, len, &yes);
	if (ret)
		return ret;
	if (yes) {
		spin_lock_irqsave(&m->lock, flags);
		m->removed = true;
		/* A pulled card's interrupt line floats: the driver looks. */
		if (m->handler)
			irq_work_queue(&m->irq_work);
		spin_unlock_irqrestore(&m->lock, flags);
		wake_up(&m->wq);
	}
	return len;
}

static const struct file_operations um_remove_card_fops = {
	.owner = THIS_MODULE,
	.open = simple_open,
	.write = um_remove_card,
	.llseek = noop_llseek,
};

static void um_debugfs_add(struct ubsec_model *m)
{
	char name[16];

	snprintf(name, sizeof(name), "%u", m->index);
	m->dir = debugfs_create_dir(name, um_debugfs);
	debugfs_create_file("state", 0444, m->dir, m, &um_state_fops);
	debugfs_create_atomic_t("stall_next", 0644, m->dir, &m->stall_next);
	debugfs_create_atomic_t("dmaerr_next", 0644, m->dir, &m->dmaerr_next);
	debugfs_create_atomic_t("full_stuck", 0644, m->dir, &m->full_stuck);
	debugfs_create_file("surprise_remove", 0200, m->dir, m, &um_remove_card_fops);
	debugfs_create_u32("rate_sym", 0644, m->dir, &m->rate_sym);
	debugfs_create_u32("rate_rsa", 0644, m->dir, &m->rate_rsa);
}

/* ---- Instances ---------------------------------------------------------------------- */

static void um_stop_threads(struct ubsec_model *m)
{
	unsigned int i;

	for (i = 0; i < 2; i++) {
		if (m->q[i].thread)
			kthread_stop(m->q[i].thread);
		m->q[i].thread = NULL;
	}
}

static void um_free(struct ubsec_model *m)
{
	um_stop_threads(m);
	if (!IS_ERR_OR_NULL(m->des))
		crypto_free_sync_skcipher(m->des);
	if (!IS_ERR_OR_NULL(m->des3))
		crypto_free_sync_skcipher(m->des3);
	if (!IS_ERR_OR_NULL(m->aes))
		crypto_free_sync_skcipher(m->aes);
	if (!IS_ERR_OR_NULL(m->md5))
		crypto_free_shash(m->md5);
	if (!IS_ERR_OR_NULL(m->sha1))
		crypto_free_shash(m->sha1);
	/* The work buffers held the last packets' keys and data. */
	kvfree_sensitive(m->q[0].work, 2 * U16_MAX);
	kvfree_sensitive(m->q[1].work, 2 * U16_MAX);
	if (m->pdev)
		platform_device_unregister(m->pdev);
	kfree(m);
}

static int um_alloc_crypto(struct ubsec_model *m)
{
	m->des = crypto_alloc_sync_skcipher("cbc(des)", 0, 0);
	m->des3 = crypto_alloc_sync_skcipher("cbc(des3_ede)", 0, 0);
	m->aes = crypto_alloc_sync_skcipher("cbc(aes)", 0, 0);
	m->md5 = crypto_alloc_shash("md5", 0, 0);
	m->sha1 = crypto_alloc_shash("sha1", 0, 0);
	/* States are resumed by import: struct md5_state / sha1_state. */
	if (!IS_ERR(m->md5) && crypto_shash_statesize(m->md5) != sizeof(struct md5_state))
		return -EINVAL;
	if (!IS_ERR(m->sha1) && crypto_shash_statesize(m->sha1) != sizeof(struct sha1_state))
		return -EINVAL;
	if (IS_ERR(m->des))
		return PTR_ERR(m->des);
	if (IS_ERR(m->des3))
		return PTR_ERR(m->des3);
	if (IS_ERR(m->aes))
		return PTR_ERR(m->aes);
	if (IS_ERR(m->md5))
		return PTR_ERR(m->md5);
	return PTR_ERR_OR_ZERO(m->sha1);
}

static struct ubsec_model *um_alloc(const struct um_variant *v, unsigned int index)
{
	struct platform_device_info info = {
		.name = "ubsec_model",
		.id = index,
		.dma_mask = DMA_BIT_MASK(32),
	};
	struct ubsec_model *m;
	unsigned int i;
	int ret;

	m = kzalloc(sizeof(*m), GFP_KERNEL);
	if (!m)
		return ERR_PTR(-ENOMEM);
	m->v = v;
	m->index = index;
	spin_lock_init(&m->lock);
	init_waitqueue_head(&m->wq);
	init_irq_work(&m->irq_work, um_irq_work);
	INIT_LIST_HEAD(&m->node);
	m->pdev = platform_device_register_full(&info);
	if (IS_ERR(m->pdev)) {
		ret = PTR_ERR(m->pdev);
		m->pdev = NULL;
		goto err_free;
	}
	/* The model reads host memory by bus address: that needs dma-direct. */
	if (device_iommu_mapped(&m->pdev->dev)) {
		ret = -ENODEV;
		goto err_free;
	}
	ret = -ENOMEM;
	for (i = 0; i < 2; i++) {
		m->q[i].m = m;
		m->q[i].qi = i;
		m->q[i].work = kvmalloc(2 * U16_MAX, GFP_KERNEL);
		if (!m->q[i].work)
			goto err_free;
	}
	ret = um_alloc_crypto(m);
	if (ret)
		goto err_free;
	spin_lock_irq(&m->lock);
	um_reset(m);
	m->resets = 0;
	spin_unlock_irq(&m->lock);
	for (i = 0; i < 2; i++) {
		m->q[i].thread = kthread_create(um_thread, &m->q[i], "ubsec_model%u/%u", index,
						i + 1);
		if (IS_ERR(m->q[i].thread)) {
			ret = PTR_ERR(m->q[i].thread);
			m->q[i].thread = NULL;
			goto err_free;
		}
	}
	for (i = 0; i < 2; i++)
		wake_up_process(m->q[i].thread);
	m->bus.ops = &um_bus_ops;
	m->bus.dev = &m->pdev->dev;
	m->bus.chip = v->chip;
	m->bus.modelled = true;
	return m;

err_free:
	um_free(m);
	return ERR_PTR(ret);
}

static const struct um_variant *um_variant_find(const char *name)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(um_variants); i++)
		if (sysfs_streq(name, um_variants[i].name))
			return &um_variants[i];
	return NULL;
}

static int um_create(const struct um_variant *v)
{
	struct ubsec_model *m;
	struct ubsec_dev *ud;

	lockdep_assert_held(&um_instances_lock);
	if (list_count_nodes(&um_instances) >= UM_MAX_INSTANCES)
		return -ENOSPC;
	m = um_alloc(v, um_next_index);
	if (IS_ERR(m))
		return PTR_ERR(m);
	um_debugfs_add(m);
	ud = ubsec_attach(&m->bus);
	if (IS_ERR(ud)) {
		debugfs_remove_recursive(m->dir);
		um_free(m);
		return PTR_ERR(ud);
	}
	m->ud = ud;
	um_next_index++;
	list_add_tail(&m->node, &um_instances);
	dev_info(&m->pdev->dev, "model %u: Broadcom %s as %s\n", m->index, v->name,
		 ubsec_name(ud));
	return 0;
}

static void um_destroy(struct ubsec_model *m)
{
	lockdep_assert_held(&um_instances_lock);
	list_del(&m->node);
	ubsec_detach(m->ud);
	debugfs_remove_recursive(m->dir);
	um_free(m);
}

static ssize_t um_new_write(struct file *file, const char __user *ubuf, size_t len, loff_t *ppos)
{
	const struct um_variant *v;
	char buf[16];
	int ret;

	if (len >= sizeof(buf))
		return -EINVAL;
	if (copy_from_user(buf, ubuf, len))
		return -EFAULT;
	buf[len] = 0;
	v = um_variant_find(buf);
	if (!v)
		return -EINVAL;
	mutex_lock(&um_instances_lock);
	ret = um_create(v);
	mutex_unlock(&um_instances_lock);
	return ret ?: len;
}

static const struct file_operations um_new_fops = {
	.owner = THIS_MODULE,
	.write = um_new_write,
	.llseek = noop_llseek,
};

static ssize_t um_remove_write(struct file *file, const char __user *ubuf, size_t len,
			       loff_t *ppos)
{
	struct ubsec_model *m, *found = NULL;
	unsigned int index;
	int ret;

	ret = kstrtouint_from_user(ubuf, len, 0, &index);
	if (ret)
		return ret;
	mutex_lock(&um_instances_lock);
	list_for_each_entry(m, &um_instances, node)
		if (m->index == index)
			found = m;
	if (found)
		um_destroy(found);
	mutex_unlock(&um_instances_lock);
	return found ? len : -ENOENT;
}

static const struct file_operations um_remove_fops = {
	.owner = THIS_MODULE,
	.write = um_remove_write,
	.llseek = noop_llseek,
};

static void um_destroy_all(void)
{
	struct ubsec_model *m, *tmp;

	mutex_lock(&um_instances_lock);
	list_for_each_entry_safe_reverse(m, tmp, &um_instances, node)
		um_destroy(m);
	mutex_unlock(&um_instances_lock);
}

static int um_create_initial(void)
{
	const struct um_variant *v;
	char *list, *cur, *name;
	unsigned int i;
	int ret = 0;

	if (!variants[0]) {
		v = um_variant_find(variant);
		if (!v || instances > UM_MAX_INSTANCES)
			return -EINVAL;
		for (i = 0; i < instances && !ret; i++)
			ret = um_create(v);
		return ret;
	}
	list = kstrdup(variants, GFP_KERNEL);
	if (!list)
		return -ENOMEM;
	cur = list;
	while (!ret && (name = strsep(&cur, "/+"))) {
		v = um_variant_find(name);
		ret = v ? um_create(v) : -EINVAL;
	}
	kfree(list);
	return ret;
}

static int __init um_init(void)
{
	int ret;

	um_debugfs = debugfs_create_dir("ubsec_model", NULL);
	debugfs_create_file("new", 0200, um_debugfs, NULL, &um_new_fops);
	debugfs_create_file("remove", 0200, um_debugfs, NULL, &um_remove_fops);
	mutex_lock(&um_instances_lock);
	ret = um_create_initial();
	mutex_unlock(&um_instances_lock);
	if (ret) {
		um_destroy_all();
		debugfs_remove_recursive(um_debugfs);
	}
	return ret;
}

static void __exit um_exit(void)
{
	um_destroy_all();
	debugfs_remove_recursive(um_debugfs);
}

module_init(um_init);
module_exit(um_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Broadcom 5801-5825 (ubsec) chip model for the OCF ubsec driver");
MODULE_AUTHOR("OCF for Linux developers");
