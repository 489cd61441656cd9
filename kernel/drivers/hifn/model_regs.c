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
 * Stricter than silicon, it checks the timing rules the references keep
 * (hm_violation()): a master reset held at least 1 ms, unlock writes 1 ms
 * apart, 2 ms between a ring base and enabling it, the PLL programmed in
 * bypass with 10 ms to settle, and RNG reads no faster than the RNG.
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
#define HM_PCI_HZ	HIFN_PCI_CLOCK_HZ
/* The rules' times; usleep_range() gives the driver's at least these. */
#define HM_RESET_NS	(1 * NSEC_PER_MSEC)
#define HM_UNLOCK_NS	(1 * NSEC_PER_MSEC)
#define HM_BASE_NS	(2 * NSEC_PER_MSEC)
#define HM_PLL_NS	(10 * NSEC_PER_MSEC)
/* The 7811's RNG in its default configuration: about two words per 10 ms. */
#define HM_7811_PAIR_NS	(10 * NSEC_PER_MSEC)

static bool hm_within(ktime_t since, u64 ns)
{
	return ktime_to_ns(ktime_sub(ktime_get(), since)) < ns;
}

/* Counts a breach of a rule; the caller models what the chip does. */
void hm_violation(struct hifn_model *m, enum hm_rule rule)
{
	lockdep_assert_held(&m->lock);
	m->violations[rule]++;
	dev_warn_ratelimited(&m->pdev->dev, "model %u: %s rule broken\n", m->index,
			     hm_rule_names[rule]);
}

/* Signatures that unlock: the 7955/7956 take Linux's 12, unless told otherwise. */
#define HM_795X_UNLOCK_ROUNDS	12

static u32 hm_unlock_needs(const struct hifn_model *m)
{
	u32 rounds = READ_ONCE(m->unlock_rounds);

	if ((m->v->flags & HM_F_PLL) && rounds == HIFN_UNLOCK_ROUNDS)
		return HM_795X_UNLOCK_ROUNDS;
	return rounds;
}

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
	if (m->pll_bad)
		return 8;
	if ((m->pll & (HIFN_PLL_PE_CLK_SEL | HIFN_PLL_BP | HIFN_PLL_MBSET)) ==
	    (HIFN_PLL_PE_CLK_SEL | HIFN_PLL_MBSET))
		return 1;
	return 8;
}

static u32 hm_pll_ref_mhz(const struct hifn_model *m)
{
	return m->pll & HIFN_PLL_REF_SEL ? READ_ONCE(hm_ext_mhz) : HM_PCI_HZ / 1000000;
}

static u32 hm_pll_mult(u32 pll)
{
	return 2 * (((pll & HIFN_PLL_ND) >> HIFN_PLL_ND_SHIFT) + 1);
}

/*
 * The public key unit's clock: the PCI clock, or on the PLL (NN + 1) MHz x
 * mult / 2 as Linux's hifn_init_pll worked it out (hardware.md).
 */
static u32 hm_pk_clock_hz(const struct hifn_model *m)
{
	if (!(m->v->flags & HM_F_PLL) || !(m->pll & HIFN_PLL_PK_CLK_SEL) || (m->pll & HIFN_PLL_BP))
		return HM_PCI_HZ;
	return (hm_pll_ref_mhz(m) + 1) * 1000000 / 2 * hm_pll_mult(m->pll);
}

/*
 * The PLL's rules (FreeBSD's and Linux's sequence): MBSET always set; the
 * multiplier and reference change only in bypass, at least 10 ms after
 * entering it; bypass ends at least 10 ms after the change; IS set exactly
 * for multipliers above 8; at most 266 MHz out. A PLL programmed otherwise
 * does not lock: the engines crawl until it is programmed right.
 */
static void hm_write_pll(struct hifn_model *m, u32 val)
{
	u32 old = m->pll, mult = hm_pll_mult(val);
	bool bad = !(val & HIFN_PLL_MBSET), is_wanted = mult > 8;

	if ((old ^ val) & HIFN_PLL_CONFIG) {
		if (!(old & HIFN_PLL_BP) || !(val & HIFN_PLL_BP) ||
		    hm_within(m->pll_bp_at, HM_PLL_NS))
			bad = true;
		m->pll_cfg_at = ktime_get();
	}
	if ((old & HIFN_PLL_BP) && !(val & HIFN_PLL_BP)) {
		if (hm_within(m->pll_cfg_at, HM_PLL_NS) || !!(val & HIFN_PLL_IS) != is_wanted ||
		    hm_pll_ref_mhz(m) * mult > HIFN_PLL_FCK_MAX)
			bad = true;
		else
			m->pll_bad = false;
	}
	if (!(old & HIFN_PLL_BP) && (val & HIFN_PLL_BP))
		m->pll_bp_at = ktime_get();
	if (bad) {
		m->pll_bad = true;
		hm_violation(m, HM_V_PLL);
	}
	m->pll = val;
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
	m->desync = false;
	m->busy_until = ktime_get();
	m->resets++;
	hm_wake(m);
}

/*
 * Master reset: the processing unit too. The unlock survives (until
 * power-off), unless reset_relocks says a reset locks the chip again.
 */
static void hm_master_reset(struct hifn_model *m)
{
	if (READ_ONCE(hm_reset_relocks))
		m->unlocked = false;
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
	/* Held in reset, in bypass and idle since long before the driver came. */
	ktime_t long_ago = ktime_sub_ms(ktime_get(), 1000);
	unsigned int r;

	m->dma_cnfg = 0;
	m->mst_low_at = long_ago;
	m->pll_bp_at = long_ago;
	m->pll_cfg_at = long_ago;
	m->base_at = long_ago;
	m->unlock_at = long_ago;
	m->rng_pair_at = ktime_get();
	hm_master_reset(m);
	for (r = 0; r < HM_RINGS; r++)
		m->ring_base[r] = 0;
	m->pll = HIFN_PLL_BP | HIFN_PLL_MBSET;
	m->unlock_seed = 0x4869666e ^ (m->index * 0x9e3779b9u);
	m->unlock_good = -1;
	m->unlock_rounds = hm_unlock_rounds;
	m->unlocked = hm_preunlocked;
	m->level = hm_unlock_level == 1 ? HIFN_PUSTAT_ENA_1 : HIFN_PUSTAT_ENA_2;
	m->locked_level = hm_pustat_locked & HIFN_PUSTAT_CHIPENA;
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

/*
 * PUCNFG as read: what was written, with the straps in the DRAM size and
 * ENCCNFG; with pucnfg_readback, ENCCNFG as written too (or strapped).
 */
static u32 hm_pucnfg(const struct hifn_model *m)
{
	u32 keep = ~(HIFN_PUCNFG_DRAMMASK | HIFN_PUCNFG_ENCCNFG);

	if (READ_ONCE(hm_pucnfg_readback))
		keep |= HIFN_PUCNFG_ENCCNFG;
	return (m->pucnfg & keep) | hm_pucnfg_straps(m);
}

/* Contexts the RAM holds, at the context size PUCNFG gives (128 or 512 bytes). */
u32 hm_ctx_capacity(const struct hifn_model *m)
{
	u32 ram = m->v->flags & HM_F_PLL ? HIFN_7956_CTX_RAM : m->v->ram_kb * 1024;
	u32 ctx = hm_pucnfg(m) & HIFN_PUCNFG_ENCCNFG ? 128 : 512;

	return min_t(u32, ram / ctx, HM_CTX_SLOTS);
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
		return hm_pucnfg(m);
	case HIFN_0_PUIER:
		return m->puier;
	case HIFN_0_PUSTAT:
		if (!(m->pucnfg & HIFN_PUCNFG_CHIPID))
			return m->puisr;
		if (m->dead)
			return m->v->rev;
		return (m->unlocked ? m->level : m->locked_level) | m->v->rev;
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
		hm_violation(m, HM_V_RNG);
		return m->rng_word;
	}
	m->rng_last = now;
	m->rng_word = hm_rng_next(m);
	return m->rng_word;
}

static u32 hm_read_1(struct hifn_model *m, u32 off)
{
	u32 flags = m->v->flags, v;

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
			hm_violation(m, HM_V_RNG);
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
		if (m->rng_ena && m->rng_cfg == HIFN_7811_RNGCFG_DEFL && !m->rng_ready &&
		    !hm_within(m->rng_pair_at, HM_7811_PAIR_NS)) {
			m->rng_ready = 2;
			m->rng_pair_at = ktime_get();
		}
		/* UFL clears when read. */
		v = (m->rng_ufl ? HIFN_7811_RNGSTS_UFL : 0) |
		    (m->rng_ready ? HIFN_7811_RNGSTS_RDY : 0);
		m->rng_ufl = false;
		return v;
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
			/* The references enable only idle rings: count any other. */
			if (m->ring_on[r])
				m->reenables++;
			else if (hm_within(m->base_at, HM_BASE_NS))
				hm_violation(m, HM_V_RING_BASE);
			m->ring_on[r] = true;
			enabled = true;
		}
	}
	m->csr &= ~(val & ~HIFN_DMACSR_CTRL_MASK);
	if (enabled) {
		/* An idle ring enabled: the commands on it arrived now. */
		hm_stamp(m);
		hm_wake(m);
	}
	hm_raise(m);
}

static void hm_write_dma_cnfg(struct hifn_model *m, u32 val)
{
	bool was_reset = !(m->dma_cnfg & HIFN_DMACNFG_MSTRESET);

	if (!(val & HIFN_DMACNFG_MSTRESET)) {
		if (!was_reset)
			m->mst_low_at = ktime_get();
		hm_master_reset(m);
	} else if (!(val & HIFN_DMACNFG_DMARESET)) {
		hm_dma_reset(m);
	}
	/* A master reset pulse shorter than a millisecond may not reset it all. */
	if (was_reset && (val & HIFN_DMACNFG_MSTRESET) && hm_within(m->mst_low_at, HM_RESET_NS))
		hm_violation(m, HM_V_RESET);
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
	bool soon;

	if (!(m->dma_cnfg & HIFN_DMACNFG_UNLOCK))
		return;
	m->unlock_writes++;
	soon = hm_within(m->unlock_at, HM_UNLOCK_NS);
	m->unlock_at = ktime_get();
	if (m->unlocked) {
		/*
		 * The 7955/7956 unlock after 12 signatures, as Linux wrote them
		 * on real parts; the 13th of the BSD drivers' sequence, right
		 * after, is taken as part of the same unlock.
		 */
		if ((m->v->flags & HM_F_PLL) && m->unlock_good == HM_795X_UNLOCK_ROUNDS && val &&
		    val == hm_signature(m->unlock_expect, HIFN_UNLOCK_STEPS)) {
			m->unlock_good++;
			return;
		}
		m->dead = true;
		return;
	}
	if (soon) {
		hm_violation(m, HM_V_UNLOCK);
		m->unlock_good = -1;
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
	if (++m->unlock_good == hm_unlock_needs(m))
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
		m->base_at = ktime_get();
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
			hm_write_pll(m, val);
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
