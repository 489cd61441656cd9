// SPDX-License-Identifier: GPL-2.0
/*
 * Hifn chip model: the register file. BAR0 (processing unit) and BAR1 (DMA
 * unit) as hardware.md describes them, with the behaviour a driver relies on:
 * active-low resets in DMA_CNFG, write-1-to-clear status in DMA_CSR and
 * PUISR, PUSTAT readable only under PUCNFG.CHIPID, the 13-round unlock that
 * kills a chip unlocked twice, the 7811's lock-up on burst writes (here:
 * the write is dropped and counted), both RNGs, and a level-triggered
 * interrupt line. A surprise-removed chip reads all ones and ignores writes.
 *
 * Everything here runs under @m->lock, from any context.
 */

#include <linux/bitops.h>
#include <linux/random.h>

#include "model.h"

const struct hm_ring_bits hm_ring_bits[HM_RINGS] = {
	[HM_CMD] = { 6, HIFN_DMACSR_C_ABORT, HIFN_DMACSR_C_DONE, HIFN_DMACSR_C_LAST,
		     HIFN_DMACSR_C_WAIT, 0 },
	[HM_SRC] = { 14, HIFN_DMACSR_S_ABORT, HIFN_DMACSR_S_DONE, HIFN_DMACSR_S_LAST,
		     HIFN_DMACSR_S_WAIT, 0 },
	[HM_DST] = { 30, HIFN_DMACSR_D_ABORT, HIFN_DMACSR_D_DONE, HIFN_DMACSR_D_LAST,
		     HIFN_DMACSR_D_WAIT, HIFN_DMACSR_D_OVER },
	[HM_RES] = { 22, HIFN_DMACSR_R_ABORT, HIFN_DMACSR_R_DONE, HIFN_DMACSR_R_LAST,
		     HIFN_DMACSR_R_WAIT, HIFN_DMACSR_R_OVER },
};

#define HM_CTRL_DIS	1
#define HM_CTRL_ENA	2
#define HM_PCI_HZ	33000000u

/* The unlock signature, computed bit by bit: parity of the tapped bits shifted in. */
static u32 hm_signature(u32 a, unsigned int steps)
{
	unsigned int i, bit;
	u32 parity;

	while (steps--) {
		parity = 0;
		for (i = 0; i < 32; i++) {
			bit = (HIFN_UNLOCK_TAPS >> i) & 1;
			parity ^= bit & (a >> i);
		}
		a = (a << 1) | (parity & 1);
	}
	return a;
}

/*
 * Test-mode RNG words: a 16-bit counter and a check value that depends on it
 * and on the instance, so a reader can tell the model's words from any
 * other source and from another instance's.
 */
u32 hm_rng_pattern(const struct hifn_model *m, u32 n)
{
	u32 hi = n & 0xffff;

	return hi << 16 | (((hi * 0x9e37u + 0x4869u) ^ (m->index * 0x1111u)) & 0xffff);
}

static u32 hm_rng_next(struct hifn_model *m)
{
	if (hm_rng_test)
		return hm_rng_pattern(m, m->rng_count++);
	m->rng_count++;
	return get_random_u32();
}

/* The packet engine's clock: 1 on the PLL, 8 times slower on the PCI clock. */
u32 hm_pe_clock_divisor(const struct hifn_model *m)
{
	if (!(m->v->flags & HM_F_PLL))
		return 1;
	if ((m->pll & (HIFN_PLL_PE_CLK_SEL | HIFN_PLL_BP | HIFN_PLL_MBSET)) ==
	    (HIFN_PLL_PE_CLK_SEL | HIFN_PLL_MBSET))
		return 1;
	return 8;
}

static u32 hm_pk_clock_hz(const struct hifn_model *m)
{
	u32 ref, mult;

	if (!(m->v->flags & HM_F_PLL) || !(m->pll & HIFN_PLL_PK_CLK_SEL) || (m->pll & HIFN_PLL_BP))
		return HM_PCI_HZ;
	ref = m->pll & HIFN_PLL_REF_SEL ? 66000000u : HM_PCI_HZ;
	mult = 2 * (((m->pll & HIFN_PLL_ND) >> HIFN_PLL_ND_SHIFT) + 1);
	return ref * mult;
}

static bool hm_irq_pending(const struct hifn_model *m)
{
	u32 status = m->csr;

	if (m->puisr & m->puier)
		status |= HIFN_DMACSR_ENGINE;
	return !m->removed && (status & m->ier);
}

/* Asserts the interrupt line if a status bit the driver enabled is set. */
void hm_raise(struct hifn_model *m)
{
	lockdep_assert_held(&m->lock);
	if (m->handler && hm_irq_pending(m))
		irq_work_queue(&m->irq_work);
}

/*
 * The interrupt: the driver's handler runs from the irq_work, in hard
 * interrupt context. The line is level-triggered: while a handled
 * interrupt's cause stays, it fires again.
 */
void hm_irq_work(struct irq_work *work)
{
	struct hifn_model *m = container_of(work, struct hifn_model, irq_work);
	irq_handler_t handler;
	irqreturn_t ret;
	void *data;

	spin_lock(&m->lock);
	handler = m->handler;
	data = m->irq_data;
	if (!handler || !hm_irq_pending(m)) {
		spin_unlock(&m->lock);
		return;
	}
	spin_unlock(&m->lock);

	ret = handler(0, data);

	spin_lock(&m->lock);
	m->irqs++;
	if (ret != IRQ_HANDLED)
		m->irqs_unhandled++;
	else
		hm_raise(m);
	spin_unlock(&m->lock);
}

bool hm_running(const struct hifn_model *m)
{
	const u32 out_of_reset = HIFN_DMACNFG_MSTRESET | HIFN_DMACNFG_DMARESET;
	unsigned int r;

	if (m->removed || m->dead || m->halted || (m->dma_cnfg & out_of_reset) != out_of_reset ||
	    !(m->puctrl & HIFN_PUCTRL_DMAENA))
		return false;
	for (r = 0; r < HM_RINGS; r++)
		if (!m->ring_on[r])
			return false;
	return true;
}

static void hm_wake(struct hifn_model *m)
{
	m->kick = true;
	wake_up(&m->wq);
}

/* DMA reset: rings back to their bases and off, status clear, work dropped. */
static void hm_dma_reset(struct hifn_model *m)
{
	unsigned int r;

	m->gen++;
	for (r = 0; r < HM_RINGS; r++) {
		m->ring_pos[r] = m->ring_base[r];
		m->ring_on[r] = false;
	}
	m->stamp_pos = m->ring_pos[HM_CMD];
	m->csr = 0;
	m->halted = false;
	m->busy_until = ktime_get();
	m->resets++;
	hm_wake(m);
}

/* Master reset: the processing unit too. The unlock survives (until power-off). */
static void hm_master_reset(struct hifn_model *m)
{
	m->puctrl = 0;
	m->puisr = 0;
	m->puier = 0;
	m->pucnfg = 0;
	m->fifocnfg = 0;
	m->ier = 0;
	m->rng_ena = false;
	hm_dma_reset(m);
}

/* Power-on state: locked (unless preunlocked), in reset, PLL bypassed. */
void hm_power_on(struct hifn_model *m)
{
	unsigned int r;

	m->dma_cnfg = 0;
	hm_master_reset(m);
	for (r = 0; r < HM_RINGS; r++)
		m->ring_base[r] = 0;
	m->pll = HIFN_PLL_BP | HIFN_PLL_MBSET;
	m->unlock_seed = 0x4869666e ^ (m->index * 0x9e3779b9u);
	m->unlock_good = -1;
	m->unlock_rounds = hm_unlock_rounds;
	m->unlocked = hm_preunlocked;
	m->level = hm_unlock_level == 1 ? HIFN_PUSTAT_ENA_1 : HIFN_PUSTAT_ENA_2;
	m->last_write[0] = ~0u;
	m->last_write[1] = ~0u;
}

/* PUCNFG straps: DRAM size and context size, read-only. */
static u32 hm_pucnfg_straps(const struct hifn_model *m)
{
	u32 straps = m->v->enccnfg ? HIFN_PUCNFG_ENCCNFG : 0;

	if (m->v->dram && !(m->v->flags & HM_F_PLL))
		straps |= ((ilog2(m->v->ram_kb * 1024) - 18) << HIFN_PUCNFG_DSZ_SHIFT) &
			  HIFN_PUCNFG_DRAMMASK;
	return straps;
}

static u32 hm_read_0(struct hifn_model *m, u32 off)
{
	switch (off) {
	case HIFN_0_PUCTRL:
		return m->puctrl;
	case HIFN_0_PUCTRL2:
		return m->v->flags & HM_F_PLL ? m->puctrl : 0;
	case HIFN_0_PUISR:
		return m->puisr;
	case HIFN_0_PUCNFG:
		return (m->pucnfg & ~(HIFN_PUCNFG_DRAMMASK | HIFN_PUCNFG_ENCCNFG)) |
		       hm_pucnfg_straps(m);
	case HIFN_0_PUIER:
		return m->puier;
	case HIFN_0_PUSTAT:
		if (!(m->pucnfg & HIFN_PUCNFG_CHIPID))
			return m->puisr;
		if (m->dead)
			return m->v->rev;
		return (m->unlocked ? m->level : HIFN_PUSTAT_ENA_0) | m->v->rev;
	case HIFN_0_FIFOCNFG:
		return m->fifocnfg;
	default:
		return 0;
	}
}

static u32 hm_read_csr(struct hifn_model *m)
{
	u32 v = m->csr;
	unsigned int r;

	for (r = 0; r < HM_RINGS; r++)
		v |= (m->ring_on[r] ? HM_CTRL_ENA : HM_CTRL_DIS) << hm_ring_bits[r].ctrl_shift;
	if (m->puisr & m->puier)
		v |= HIFN_DMACSR_ENGINE;
	return v;
}

/* 795x RNG_DATA: a new word only every 256 PK clocks, else the old one again. */
static u32 hm_read_rng_795x(struct hifn_model *m)
{
	ktime_t now = ktime_get();
	u64 min_ns;

	if (!m->rng_ena)
		return 0;
	if (m->rng_junk) {
		m->rng_junk--;
		m->rng_last = now;
		return 0;
	}
	min_ns = div_u64((u64)NSEC_PER_SEC * HIFN_RNG_CLOCKS, hm_pk_clock_hz(m));
	if (ktime_to_ns(ktime_sub(now, m->rng_last)) < min_ns) {
		m->rng_stale++;
		return m->rng_word;
	}
	m->rng_last = now;
	m->rng_word = hm_rng_next(m);
	return m->rng_word;
}

static u32 hm_read_1(struct hifn_model *m, u32 off)
{
	u32 flags = m->v->flags;

	switch (off) {
	case HIFN_1_DMA_CRAR:
		return m->ring_base[HM_CMD];
	case HIFN_1_DMA_SRAR:
		return m->ring_base[HM_SRC];
	case HIFN_1_DMA_DRAR:
		return m->ring_base[HM_DST];
	case HIFN_1_DMA_RRAR:
		return m->ring_base[HM_RES];
	case HIFN_1_DMA_CSR:
		return hm_read_csr(m);
	case HIFN_1_DMA_IER:
		return m->ier;
	case HIFN_1_DMA_CNFG:
		return m->dma_cnfg;
	case HIFN_1_PLL:
		return flags & HM_F_PLL ? m->pll : 0;
	case HIFN_1_7811_RNGENA:
		return flags & HM_F_RNG_7811 ? m->rng_ena : 0;
	case HIFN_1_7811_RNGCFG:
		return flags & HM_F_RNG_7811 ? m->rng_cfg : 0;
	case HIFN_1_7811_RNGDAT:
		if (!(flags & HM_F_RNG_7811))
			return 0;
		if (!m->rng_ready) {
			m->rng_ufl = true;
			return 0;
		}
		m->rng_ready--;
		if (m->rng_junk) {
			m->rng_junk--;
			return 0;
		}
		return hm_rng_next(m);
	case HIFN_1_7811_RNGSTS:	/* also HIFN_1_DMA_CNFG2 */
		if (flags & HM_F_CNFG2)
			return m->dma_cnfg2;
		if (!(flags & HM_F_RNG_7811))
			return 0;
		if (m->rng_ena && m->rng_cfg == HIFN_7811_RNGCFG_DEFL)
			m->rng_ready = 2;
		return (m->rng_ufl ? HIFN_7811_RNGSTS_UFL : 0) |
		       (m->rng_ready ? HIFN_7811_RNGSTS_RDY : 0);
	case HIFN_1_7811_MIPSRST:
		return flags & HM_F_ERRATA ? HIFN_MIPSRST_CRAMINIT : 0;
	case HIFN_1_REVID:
		return m->v->rev;
	case HIFN_1_UNLOCK_SECRET1:
		return m->unlock_seed;
	case HIFN_1_RNG_CONFIG:
		return flags & HM_F_RNG_795X && m->rng_ena ? HIFN_RNGCFG_ENA : 0;
	case HIFN_1_RNG_DATA:
		return flags & HM_F_RNG_795X ? hm_read_rng_795x(m) : 0;
	default:
		return 0;
	}
}

static u32 hm_read(struct hifn_bus *bus, unsigned int bar, u32 off)
{
	struct hifn_model *m = container_of(bus, struct hifn_model, bus);
	unsigned long flags;
	u32 v;

	spin_lock_irqsave(&m->lock, flags);
	if (m->removed) {
		v = ~0u;
	} else {
		m->read_since[bar] = true;
		v = bar ? hm_read_1(m, off) : hm_read_0(m, off);
	}
	spin_unlock_irqrestore(&m->lock, flags);
	return v;
}

static void hm_write_puctrl(struct hifn_model *m, u32 val)
{
	/* The processing unit resets at once: RESET reads back clear. */
	if (val & HIFN_PUCTRL_RESET)
		m->puisr = 0;
	m->puctrl = val & ~HIFN_PUCTRL_RESET;
}

static void hm_write_0(struct hifn_model *m, u32 off, u32 val)
{
	switch (off) {
	case HIFN_0_PUCTRL:
		hm_write_puctrl(m, val);
		break;
	case HIFN_0_PUCTRL2:
		if (m->v->flags & HM_F_PLL)
			hm_write_puctrl(m, val);
		break;
	case HIFN_0_PUISR:
		m->puisr &= ~val;
		break;
	case HIFN_0_PUCNFG:
		m->pucnfg = val;
		break;
	case HIFN_0_PUIER:
		m->puier = val;
		hm_raise(m);
		break;
	case HIFN_0_FIFOCNFG:
		m->fifocnfg = val;
		break;
	}
}

static void hm_write_csr(struct hifn_model *m, u32 val)
{
	bool enabled = false;
	unsigned int r;
	u32 ctrl;

	for (r = 0; r < HM_RINGS; r++) {
		ctrl = (val >> hm_ring_bits[r].ctrl_shift) & 3;
		if (ctrl == HM_CTRL_DIS) {
			m->ring_on[r] = false;
		} else if (ctrl == HM_CTRL_ENA) {
			m->ring_on[r] = true;
			enabled = true;
		}
	}
	m->csr &= ~(val & ~HIFN_DMACSR_CTRL_MASK);
	if (enabled) {
		/* The driver writes ENA after each submission: the command arrived now. */
		hm_stamp(m);
		hm_wake(m);
	}
	hm_raise(m);
}

static void hm_write_dma_cnfg(struct hifn_model *m, u32 val)
{
	if (!(val & HIFN_DMACNFG_MSTRESET))
		hm_master_reset(m);
	else if (!(val & HIFN_DMACNFG_DMARESET))
		hm_dma_reset(m);
	/* Entering unlock mode starts no sequence: SECRET2 = 0 does. */
	m->dma_cnfg = val;
	hm_wake(m);
}

/*
 * UNLOCK_SECRET2 in unlock mode: 0 starts a sequence from the seed that
 * SECRET1 gave; then HIFN_UNLOCK_ROUNDS (13) signatures, each the previous
 * one advanced HIFN_UNLOCK_STEPS steps. The last one unlocks; a wrong one
 * breaks the sequence. Any unlock write to an unlocked chip kills it, so a
 * driver that writes one signature too many kills it too.
 */
static void hm_write_unlock(struct hifn_model *m, u32 val)
{
	if (!(m->dma_cnfg & HIFN_DMACNFG_UNLOCK))
		return;
	m->unlock_writes++;
	if (m->unlocked) {
		m->dead = true;
		return;
	}
	if (!val) {
		m->unlock_good = 0;
		m->unlock_expect = m->unlock_seed;
		return;
	}
	if (m->unlock_good < 0)
		return;
	m->unlock_expect = hm_signature(m->unlock_expect, HIFN_UNLOCK_STEPS);
	if (val != m->unlock_expect) {
		m->unlock_good = -1;
		return;
	}
	if (++m->unlock_good == m->unlock_rounds)
		m->unlocked = true;
}

static void hm_write_1(struct hifn_model *m, u32 off, u32 val)
{
	u32 flags = m->v->flags;
	unsigned int r;

	switch (off) {
	case HIFN_1_DMA_CRAR:
	case HIFN_1_DMA_SRAR:
	case HIFN_1_DMA_DRAR:
	case HIFN_1_DMA_RRAR:
		r = off == HIFN_1_DMA_CRAR ? HM_CMD : off == HIFN_1_DMA_SRAR ? HM_SRC :
		    off == HIFN_1_DMA_DRAR ? HM_DST : HM_RES;
		m->ring_base[r] = val;
		m->ring_pos[r] = val;
		if (r == HM_CMD)
			m->stamp_pos = val;
		break;
	case HIFN_1_DMA_CSR:
		hm_write_csr(m, val);
		break;
	case HIFN_1_DMA_IER:
		m->ier = val;
		hm_raise(m);
		break;
	case HIFN_1_DMA_CNFG:
		hm_write_dma_cnfg(m, val);
		break;
	case HIFN_1_PLL:
		if (flags & HM_F_PLL)
			m->pll = val;
		break;
	case HIFN_1_7811_RNGENA:
		if (!(flags & HM_F_RNG_7811))
			break;
		if ((val & HIFN_7811_RNGENA_ENA) && !m->rng_ena) {
			m->rng_junk = 2;
			m->rng_ufl = false;
		}
		m->rng_ena = val & HIFN_7811_RNGENA_ENA;
		break;
	case HIFN_1_7811_RNGCFG:
		if (flags & HM_F_RNG_7811)
			m->rng_cfg = val;
		break;
	case HIFN_1_DMA_CNFG2:
		if (flags & HM_F_CNFG2)
			m->dma_cnfg2 = val;
		break;
	case HIFN_1_UNLOCK_SECRET2:
		hm_write_unlock(m, val);
		break;
	case HIFN_1_PUB_RESET:
		if ((flags & HM_F_PUB) && (val & HIFN_PUBRST_RESET))
			m->rng_ena = false;
		break;
	case HIFN_1_RNG_CONFIG:
		if (!(flags & HM_F_RNG_795X))
			break;
		if ((val & HIFN_RNGCFG_ENA) && !m->rng_ena) {
			m->rng_junk = 1;
			m->rng_last = ktime_get();
		}
		m->rng_ena = val & HIFN_RNGCFG_ENA;
		break;
	}
}

static void hm_write(struct hifn_bus *bus, unsigned int bar, u32 off, u32 val)
{
	struct hifn_model *m = container_of(bus, struct hifn_model, bus);
	unsigned long flags;
	bool burst;

	spin_lock_irqsave(&m->lock, flags);
	if (m->removed)
		goto out_unlock;
	/* The 7811 locks up on a write 4 bytes past the last one without a read between. */
	burst = m->last_write[bar] + 4 == off && !m->read_since[bar];
	m->last_write[bar] = off;
	m->read_since[bar] = false;
	if ((m->v->flags & HM_F_ERRATA) && burst) {
		m->errata_violations++;
		goto out_unlock;
	}
	if (bar)
		hm_write_1(m, off, val);
	else
		hm_write_0(m, off, val);
out_unlock:
	spin_unlock_irqrestore(&m->lock, flags);
}

static int hm_request_irq(struct hifn_bus *bus, irq_handler_t handler, void *data)
{
	struct hifn_model *m = container_of(bus, struct hifn_model, bus);
	unsigned long flags;

	spin_lock_irqsave(&m->lock, flags);
	m->handler = handler;
	m->irq_data = data;
	hm_raise(m);
	spin_unlock_irqrestore(&m->lock, flags);
	return 0;
}

static void hm_free_irq(struct hifn_bus *bus, void *data)
{
	struct hifn_model *m = container_of(bus, struct hifn_model, bus);
	unsigned long flags;

	spin_lock_irqsave(&m->lock, flags);
	m->handler = NULL;
	m->irq_data = NULL;
	spin_unlock_irqrestore(&m->lock, flags);
	irq_work_sync(&m->irq_work);
}

const struct hifn_bus_ops hm_bus_ops = {
	.read = hm_read,
	.write = hm_write,
	.request_irq = hm_request_irq,
	.free_irq = hm_free_irq,
};
