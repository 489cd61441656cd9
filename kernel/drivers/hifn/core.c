// SPDX-License-Identifier: GPL-2.0
/*
 * Hifn 7751/7811/7951/7955/7956 driver core: bring-up (reset, PLL, unlock,
 * context RAM probe), interrupts, completions, and recovery from the chip's
 * failures. The bus glue (pci.c, or the chip model) hands it a struct
 * hifn_bus; the core cannot tell a card from the model.
 *
 * Locking. @hd->lock (a spinlock taken in hard interrupt context) protects
 * the rings, the commands, the wait queue, @hd->state and, while the state
 * is RUNNING, the registers. Outside RUNNING the thread that changed the
 * state owns the chip (attach, the recovery work, detach) and touches the
 * registers without the lock: the interrupt handler, the tick and process()
 * leave a chip alone unless it is RUNNING. The ordered workqueue @hd->wq runs
 * completions, the tick, recovery and removal one at a time; nothing on it
 * takes @hd->reg_lock, which serializes registration and withdrawal: those
 * wait for requests in flight, which @hd->wq finishes.
 *
 * Requests the chip has no room for wait in the driver (producer.c) and
 * start as commands complete; the driver does not answer -EBUSY.
 *
 * Failures. A DMA abort or a command the processing unit rejects, and a chip
 * that completes nothing for timeout_ms while requests wait, reset the chip:
 * requests it finished are completed, the rest are staged again and put
 * back on the fresh rings (after HIFN_MAX_RETRIES resets, a request is
 * finished in software instead). Registers that read all ones mean the card
 * is gone: what it had finished is completed, the rest is finished in
 * software, and the producer is withdrawn, so that OCF moves its sessions to
 * other producers.
 */

#include <linux/bitmap.h>
#include <linux/delay.h>
#include <linux/idr.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/ocf_compat.h>

#include "core.h"
#include "producer.h"
#include "ring.h"
#include "rng.h"

/* Resets one request may live through before software finishes it. */
#define HIFN_MAX_RETRIES	3
#define HIFN_TICK		(HZ / 4)
/* Idle ticks before the rings are disabled (the BSD drivers: about 1 s). */
#define HIFN_IDLE_TICKS		4

unsigned int hifn_timeout_ms = 2000;
module_param_named(timeout_ms, hifn_timeout_ms, uint, 0644);
MODULE_PARM_DESC(timeout_ms,
		 "reset a chip that completes nothing for this long while requests wait (ms)");

static char *pll = "ext66";
module_param(pll, charp, 0644);
MODULE_PARM_DESC(pll, "7955/7956 PLL reference: extNN (external NN MHz) or pciNN, NN 20-100; default ext66");

/*
 * 7955/7956 PUCNFG: FreeBSD writes COMPSING|TCALLPHASES|TCDRVTOTEM|BUS32;
 * Linux's hifn_795x wrote 0x10342 (128-byte contexts and an undocumented
 * bit 16, no COMPSING). README.md says why FreeBSD's is the default.
 */
static bool pucnfg_linux;
module_param(pucnfg_linux, bool, 0644);
MODULE_PARM_DESC(pucnfg_linux, "7955/7956: write Linux hifn_795x's PUCNFG (0x10342) instead of FreeBSD's");

unsigned int hifn_test_break;
module_param_named(test_break, hifn_test_break, uint, 0644);
MODULE_PARM_DESC(test_break, "TESTS ONLY: drive the chip wrongly (HIFN_BREAK_* in core.h); never set on a real card");

static DEFINE_IDA(hifn_ida);

static const struct hifn_chip_info hifn_chips[HIFN_CHIP_COUNT] = {
	[HIFN_CHIP_7751] = { "7751", 0 },
	[HIFN_CHIP_7811] = { "7811", HIFN_IS_7811 | HIFN_HAS_RNG },
	[HIFN_CHIP_7951] = { "7951", HIFN_IS_795X | HIFN_HAS_RNG | HIFN_HAS_PUBLIC },
	[HIFN_CHIP_7955] = { "7955", HIFN_IS_795X | HIFN_IS_7956 | HIFN_HAS_RNG |
				     HIFN_HAS_PUBLIC | HIFN_HAS_AES },
	[HIFN_CHIP_7956] = { "7956", HIFN_IS_795X | HIFN_IS_7956 | HIFN_HAS_RNG |
				     HIFN_HAS_PUBLIC | HIFN_HAS_AES },
};

/* ---- Registers ---------------------------------------------------------------- */

/*
 * The 7811 locks up on burst writes: a write to the register 4 bytes after
 * the one written last must follow a read, of PUCNFG on BAR0 and of REVID on
 * BAR1 (reads of other registers may not work).
 */
static void hifn_write(struct hifn_dev *hd, unsigned int bar, u32 off, u32 val)
{
	if (hifn_has(hd, HIFN_IS_7811) && hd->last_write[bar] + 4 == off)
		hd->bus->ops->read(hd->bus, bar, bar ? HIFN_1_REVID : HIFN_0_PUCNFG);
	hd->bus->ops->write(hd->bus, bar, off, val);
	hd->last_write[bar] = off;
}

void hifn_write_0(struct hifn_dev *hd, u32 off, u32 val)
{
	hifn_write(hd, 0, off, val);
}

void hifn_write_1(struct hifn_dev *hd, u32 off, u32 val)
{
	hifn_write(hd, 1, off, val);
}

/* A card that was pulled out reads all ones; DMA_CSR never does otherwise. */
bool hifn_regs_gone(struct hifn_dev *hd)
{
	return hifn_read_1(hd, HIFN_1_DMA_CSR) == ~0u;
}

/* ---- Bring-up ------------------------------------------------------------------- */

/* The unlock signature: @steps rounds of a 32-bit LFSR with taps HIFN_UNLOCK_TAPS. */
static u32 hifn_next_signature(u32 a, unsigned int steps)
{
	while (steps--)
		a = (a << 1) ^ (hweight32(a & HIFN_UNLOCK_TAPS) & 1);
	return a;
}

/* The unlock handshake's writes are a millisecond apart (the BSD drivers' DELAY(1000)). */
static void hifn_unlock_pause(void)
{
	if (!hifn_broken(HIFN_BREAK_UNLOCK_FAST))
		usleep_range(1000, 2000);
}

/*
 * Enables the crypto engines: 13 signatures to UNLOCK_SECRET2 (see
 * HIFN_UNLOCK_ROUNDS), skipped when the chip is unlocked already, because a
 * second unlock kills the chip until the next power cycle. A level that is
 * neither locked nor unlocked is refused, as the BSD drivers do: unlocking
 * a chip in an unknown state may be that second unlock. Also run after
 * every master reset, which may lock the chip again.
 */
static int hifn_unlock(struct hifn_dev *hd)
{
	u32 ramcfg, dmacfg, ena, a;
	unsigned int i;

	ramcfg = hifn_read_0(hd, HIFN_0_PUCNFG);
	dmacfg = hifn_read_1(hd, HIFN_1_DMA_CNFG);
	/* PUSTAT reads the enable level only while CHIPID is set. */
	hifn_write_0(hd, HIFN_0_PUCNFG, ramcfg | HIFN_PUCNFG_CHIPID);
	ena = hifn_read_0(hd, HIFN_0_PUSTAT) & HIFN_PUSTAT_CHIPENA;
	if (ena == HIFN_PUSTAT_ENA_1 || ena == HIFN_PUSTAT_ENA_2) {
		hd->unlock_skipped = true;
		goto restore;
	}
	if (ena != HIFN_PUSTAT_ENA_0) {
		dev_err(hd->dev, "%s: unknown unlock level %#x: not unlocking\n", hd->name, ena);
		goto restore;
	}
	hifn_write_1(hd, HIFN_1_DMA_CNFG, HIFN_DMACNFG_UNLOCK | HIFN_DMACNFG_MSTRESET |
		     HIFN_DMACNFG_DMARESET | HIFN_DMACNFG_MODE);
	hifn_unlock_pause();
	a = hifn_read_1(hd, HIFN_1_UNLOCK_SECRET1);
	hifn_unlock_pause();
	hifn_write_1(hd, HIFN_1_UNLOCK_SECRET2, 0);
	hifn_unlock_pause();
	for (i = 0; i < HIFN_UNLOCK_ROUNDS; i++) {
		a = hifn_next_signature(a, HIFN_UNLOCK_STEPS);
		hifn_write_1(hd, HIFN_1_UNLOCK_SECRET2, a);
		hifn_unlock_pause();
	}
	hifn_write_0(hd, HIFN_0_PUCNFG, ramcfg | HIFN_PUCNFG_CHIPID);
	ena = hifn_read_0(hd, HIFN_0_PUSTAT) & HIFN_PUSTAT_CHIPENA;
restore:
	hifn_write_0(hd, HIFN_0_PUCNFG, ramcfg);
	hifn_write_1(hd, HIFN_1_DMA_CNFG, dmacfg);
	if (ena != HIFN_PUSTAT_ENA_1 && ena != HIFN_PUSTAT_ENA_2) {
		dev_err(hd->dev, "%s: crypto engines stay locked (level %#x)\n", hd->name, ena);
		return -ENODEV;
	}
	if (hd->ena && ena != hd->ena) {
		/* OCF has the algorithms of the first level: keep to them. */
		dev_err(hd->dev, "%s: unlock level %#x after a reset, was %#x\n", hd->name, ena,
			hd->ena);
		return -ENODEV;
	}
	hd->ena = ena;
	return 0;
}

static u32 hifn_puc_reg(struct hifn_dev *hd)
{
	return hifn_has(hd, HIFN_IS_7956) ? HIFN_0_PUCTRL2 : HIFN_0_PUCTRL;
}

static void hifn_puc_wait(struct hifn_dev *hd)
{
	unsigned int i;

	for (i = 0; i < 5000; i++) {
		if (!(hifn_read_0(hd, hifn_puc_reg(hd)) & HIFN_PUCTRL_RESET))
			return;
		udelay(1);
	}
	dev_warn(hd->dev, "%s: processing unit did not come out of reset\n", hd->name);
}

static void hifn_reset_puc(struct hifn_dev *hd)
{
	hifn_write_0(hd, hifn_puc_reg(hd), HIFN_PUCTRL_DMAENA);
	hifn_puc_wait(hd);
}

/* Resets the DMA unit, and the processing unit (@full) or the whole chip. */
static void hifn_reset_board(struct hifn_dev *hd, bool full)
{
	const u32 run = HIFN_DMACNFG_MSTRESET | HIFN_DMACNFG_DMARESET | HIFN_DMACNFG_MODE;
	unsigned int i;

	/* Polling off, then wait a millisecond before the reset. */
	hifn_write_1(hd, HIFN_1_DMA_CNFG, run);
	usleep_range(1000, 2000);
	if (full) {
		hifn_write_1(hd, HIFN_1_DMA_CNFG, HIFN_DMACNFG_MODE);
		/* The master reset pulse: at least a millisecond. */
		if (!hifn_broken(HIFN_BREAK_RESET_PULSE))
			usleep_range(1000, 2000);
	} else {
		hifn_write_1(hd, HIFN_1_DMA_CNFG, HIFN_DMACNFG_MODE | HIFN_DMACNFG_MSTRESET);
		hifn_reset_puc(hd);
	}
	hifn_write_1(hd, HIFN_1_DMA_CNFG, run);
	hifn_puc_wait(hd);
	if (hd->bus->ops->post_reset)
		hd->bus->ops->post_reset(hd->bus);

	if (hifn_has(hd, HIFN_IS_7811)) {
		for (i = 0; i < 1000; i++) {
			if (hifn_read_1(hd, HIFN_1_7811_MIPSRST) & HIFN_MIPSRST_CRAMINIT)
				break;
			usleep_range(1000, 2000);
		}
		if (i == 1000)
			dev_warn(hd->dev, "%s: context RAM init timed out\n", hd->name);
	} else {
		/*
		 * Burst sizes; no PK or BAR0 byte swaps. FreeBSD writes this on
		 * every part but the 7811 (whose RNGSTS sits at the offset).
		 */
		hifn_write_1(hd, HIFN_1_DMA_CNFG2, HIFN_DMACNFG2_INIT);
	}
}

/*
 * PLL configuration from the pll parameter: extNN or pciNN (MHz, 20-100;
 * FreeBSD clamps other values, Linux refuses them: so do we), and the
 * public key unit's clock that follows from it.
 */
static int hifn_pll_config(struct hifn_dev *hd)
{
	unsigned int mhz, mult;
	bool ext = !strncmp(pll, "ext", 3);

	hd->pk_hz = HIFN_PCI_CLOCK_HZ;
	if (!hifn_has(hd, HIFN_IS_7956))
		return 0;
	if (!ext && strncmp(pll, "pci", 3)) {
		dev_err(hd->dev, "%s: pll=%s: want extNN or pciNN\n", hd->name, pll);
		return -EINVAL;
	}
	if (!pll[3]) {
		mhz = ext ? 66 : 33;
	} else if (kstrtouint(pll + 3, 10, &mhz) || mhz < HIFN_PLL_REF_MIN ||
		   mhz > HIFN_PLL_REF_MAX) {
		dev_err(hd->dev, "%s: pll=%s: the reference must be %u-%u MHz\n", hd->name, pll,
			HIFN_PLL_REF_MIN, HIFN_PLL_REF_MAX);
		return -EINVAL;
	}
	/* The largest even multiplier (2..12) that keeps the clock at 266 MHz or less. */
	for (mult = 12; mult > 2 && mhz * mult > HIFN_PLL_FCK_MAX; mult -= 2)
		;
	hd->pll_mhz = mhz;
	hd->pllconfig = (ext ? HIFN_PLL_REF_SEL : 0) | (((mult / 2) - 1) << HIFN_PLL_ND_SHIFT) |
			(mult > 8 ? HIFN_PLL_IS : 0);
	/* Linux's hifn_init_pll: (NN + 1) MHz x mult / 2, not NN x mult. */
	hd->pk_hz = hifn_broken(HIFN_BREAK_RNG_FAST) ? mhz * mult * 1000000 :
		    (mhz + 1) * 1000000 / 2 * mult;
	return 0;
}

static void hifn_pll_settle(void)
{
	if (!hifn_broken(HIFN_BREAK_PLL_FAST))
		usleep_range(10000, 11000);
}

static void hifn_pll_setup(struct hifn_dev *hd)
{
	u32 v = hifn_read_1(hd, HIFN_1_PLL);
	u32 config = hd->pllconfig ^ (hifn_broken(HIFN_BREAK_PLL_IS) ? HIFN_PLL_IS : 0);

	/* Engines off the PLL, PLL in bypass. */
	v = (v & ~(HIFN_PLL_PK_CLK_SEL | HIFN_PLL_PE_CLK_SEL)) | HIFN_PLL_BP | HIFN_PLL_MBSET;
	if (hifn_broken(HIFN_BREAK_PLL_NO_BP))
		v &= ~HIFN_PLL_BP;
	hifn_write_1(hd, HIFN_1_PLL, v);
	hifn_pll_settle();
	v = (v & ~HIFN_PLL_CONFIG) | config;
	hifn_write_1(hd, HIFN_1_PLL, v);
	hifn_pll_settle();
	v &= ~HIFN_PLL_BP;
	hifn_write_1(hd, HIFN_1_PLL, v);
	/* Engines back on the PLL, at the new clock. */
	hifn_write_1(hd, HIFN_1_PLL, v | HIFN_PLL_PK_CLK_SEL | HIFN_PLL_PE_CLK_SEL);
}

static u32 hifn_pucnfg(struct hifn_dev *hd)
{
	u32 v = HIFN_PUCNFG_COMPSING | HIFN_PUCNFG_TCALLPHASES | HIFN_PUCNFG_TCDRVTOTEM |
		HIFN_PUCNFG_BUS32;

	if (hifn_has(hd, HIFN_IS_7956) && READ_ONCE(pucnfg_linux))
		return HIFN_PUCNFG_795X_LINUX;

	/* The 7955/7956 have internal context RAM: no refresh, no RAM type. */
	if (!hifn_has(hd, HIFN_IS_7956))
		v |= HIFN_PUCNFG_DRFR_128 | (hd->dram ? HIFN_PUCNFG_DRAM : 0);
	return v;
}

#define HIFN_PUIER	(HIFN_PUI_DSTOVER | HIFN_PUI_CMDINVAL | HIFN_PUI_DATAERR)
#define HIFN_DMACSR_CLEAR (HIFN_DMACSR_D_ABORT | HIFN_DMACSR_D_DONE | HIFN_DMACSR_D_LAST | \
			   HIFN_DMACSR_D_WAIT | HIFN_DMACSR_D_OVER | HIFN_DMACSR_R_ABORT | \
			   HIFN_DMACSR_R_DONE | HIFN_DMACSR_R_LAST | HIFN_DMACSR_R_WAIT | \
			   HIFN_DMACSR_R_OVER | HIFN_DMACSR_S_ABORT | HIFN_DMACSR_S_DONE | \
			   HIFN_DMACSR_S_LAST | HIFN_DMACSR_S_WAIT | HIFN_DMACSR_C_ABORT | \
			   HIFN_DMACSR_C_DONE | HIFN_DMACSR_C_LAST | HIFN_DMACSR_C_WAIT | \
			   HIFN_DMACSR_ENGINE)

/*
 * Clears what the processing unit and the DMA unit flagged: at init, and
 * again after the RAM probe, whose reads past the fitted SRAM may leave a
 * bit set that would interrupt as soon as interrupts are on.
 */
static void hifn_clear_status(struct hifn_dev *hd)
{
	hifn_write_0(hd, HIFN_0_PUISR, hifn_read_0(hd, HIFN_0_PUISR) | HIFN_PUIER);
	hifn_write_1(hd, HIFN_1_DMA_CSR, HIFN_DMACSR_CLEAR | HIFN_DMACSR_ALL_DIS);
}

/*
 * The registers' working values (hifn_init_pci_registers in the BSD
 * drivers), with the chip's interrupts still masked. Besides DSTOVER, the
 * processing unit interrupts on a command it rejects (CMDINVAL, DATAERR):
 * no reference driver acts on those, so they are only counted and logged.
 */
static void hifn_init_registers(struct hifn_dev *hd)
{
	u32 csr = HIFN_DMACSR_ALL_DIS | HIFN_DMACSR_CLEAR;

	hifn_write_0(hd, HIFN_0_PUCTRL, HIFN_PUCTRL_DMAENA);
	hifn_write_0(hd, HIFN_0_FIFOCNFG, HIFN_FIFOCNFG_THRESHOLD);
	hifn_write_0(hd, HIFN_0_PUIER, HIFN_PUIER);
	hifn_rings_set_bases(hd);
	/* Both BSD and Linux give the chip 2 ms to take the ring bases. */
	if (!hifn_broken(HIFN_BREAK_RING_BASES))
		usleep_range(2000, 3000);
	if (hifn_has(hd, HIFN_HAS_PUBLIC))
		csr |= HIFN_DMACSR_PUBDONE;
	if (hifn_has(hd, HIFN_IS_7811))
		csr |= HIFN_DMACSR_ILLW | HIFN_DMACSR_ILLR;
	hifn_write_1(hd, HIFN_1_DMA_CSR, csr);
	hifn_write_1(hd, HIFN_1_DMA_IER, 0);
	hd->dmaier = 0;
	hifn_write_0(hd, HIFN_0_PUCNFG, hifn_pucnfg(hd));
	if (hifn_has(hd, HIFN_IS_7956))
		hifn_pll_setup(hd);
	hifn_clear_status(hd);
	/* Running: out of reset, poll frequency 1, poll scalar 0. */
	hifn_write_1(hd, HIFN_1_DMA_CNFG, HIFN_DMACNFG_MSTRESET | HIFN_DMACNFG_DMARESET |
		     HIFN_DMACNFG_MODE | HIFN_DMACNFG_LAST |
		     ((1 << 16) & HIFN_DMACNFG_POLLFREQ));
}

/* Unmasks the interrupts the driver handles. */
static void hifn_enable_irqs(struct hifn_dev *hd)
{
	hd->dmaier = HIFN_DMACSR_R_DONE | HIFN_DMACSR_C_ABORT | HIFN_DMACSR_D_OVER |
		     HIFN_DMACSR_R_OVER | HIFN_DMACSR_S_ABORT | HIFN_DMACSR_D_ABORT |
		     HIFN_DMACSR_R_ABORT | HIFN_DMACSR_ENGINE;
	if (hifn_has(hd, HIFN_IS_7811))
		hd->dmaier |= HIFN_DMACSR_ILLW | HIFN_DMACSR_ILLR;
	hifn_write_1(hd, HIFN_1_DMA_IER, hd->dmaier);
}

/* Resets the public key unit of the 795x; the RNG lives there. */
static void hifn_pub_reset(struct hifn_dev *hd)
{
	unsigned int i;

	if (!hifn_has(hd, HIFN_HAS_PUBLIC))
		return;
	hifn_write_1(hd, HIFN_1_PUB_RESET, hifn_read_1(hd, HIFN_1_PUB_RESET) | HIFN_PUBRST_RESET);
	for (i = 0; i < 100; i++) {
		if (!(hifn_read_1(hd, HIFN_1_PUB_RESET) & HIFN_PUBRST_RESET))
			return;
		usleep_range(1000, 2000);
	}
	dev_warn(hd->dev, "%s: public key unit did not reset\n", hd->name);
}

/* SRAM or DRAM: SRAM reads back what was written while PUCNFG says SRAM. */
static int hifn_ramtype(struct hifn_dev *hd)
{
	static const u8 patterns[] = { 0x55, 0xaa };
	u8 data[8], back[8];
	unsigned int i;
	int ret;

	hd->dram = false;
	for (i = 0; i < ARRAY_SIZE(patterns); i++) {
		memset(data, patterns[i], sizeof(data));
		ret = hifn_ring_ram_op(hd, HIFN_BASE_CMD_RAM_WRITE, 0, data, NULL) ?:
		      hifn_ring_ram_op(hd, HIFN_BASE_CMD_RAM_READ, 0, NULL, back);
		if (ret)
			return ret;
		if (memcmp(data, back, sizeof(data))) {
			hd->dram = true;
			return 0;
		}
	}
	return 0;
}

static void hifn_sram_pattern(u8 *data, u32 i)
{
	unsigned int j;

	for (j = 0; j < 8; j++)
		data[j] = j ^ 0x5a;
	put_unaligned_le32(i, data);
}

/*
 * SRAM size: write a marker every 16 KiB, from the top down, so that on a
 * smaller part (whose address lines wrap) the low markers are written last;
 * then read them back from the bottom until one is wrong.
 */
static int hifn_sramsize(struct hifn_dev *hd)
{
	const u32 steps = HIFN_SRAM_MAX / HIFN_SRAM_STEP_SIZE;
	u8 data[8], back[8];
	int i, ret;

	for (i = steps - 1; i >= 0; i--) {
		hifn_sram_pattern(data, i);
		ret = hifn_ring_ram_op(hd, HIFN_BASE_CMD_RAM_WRITE, i * HIFN_SRAM_STEP_SIZE, data,
				       NULL);
		if (ret)
			return ret;
	}
	hd->ramsize = 0;
	for (i = 0; i < steps; i++) {
		hifn_sram_pattern(data, i);
		ret = hifn_ring_ram_op(hd, HIFN_BASE_CMD_RAM_READ, i * HIFN_SRAM_STEP_SIZE, NULL,
				       back);
		if (ret)
			return ret;
		if (memcmp(data, back, sizeof(data)))
			break;
		hd->ramsize = (i + 1) * HIFN_SRAM_STEP_SIZE;
	}
	return 0;
}

static void hifn_dramsize(struct hifn_dev *hd)
{
	u32 cnfg;

	if (hifn_has(hd, HIFN_IS_7956)) {
		hd->ramsize = HIFN_7956_CTX_RAM;
		return;
	}
	cnfg = hifn_read_0(hd, HIFN_0_PUCNFG) & HIFN_PUCNFG_DRAMMASK;
	hd->ramsize = 1 << ((cnfg >> HIFN_PUCNFG_DSZ_SHIFT) + 18);
}

/* Context slots: what the RAM holds, 128 or 512 bytes each (PUCNFG.ENCCNFG). */
static int hifn_sessions(struct hifn_dev *hd)
{
	u32 pucnfg = hifn_read_0(hd, HIFN_0_PUCNFG);
	u32 ctxsize = pucnfg & HIFN_PUCNFG_ENCCNFG ? 128 : 512;

	if (hifn_has(hd, HIFN_IS_7956))
		hd->max_sessions = HIFN_7956_CTX_RAM / ctxsize;
	else if (hd->ramsize >= HIFN_7956_CTX_RAM)
		hd->max_sessions = 1 + (hd->ramsize - HIFN_7956_CTX_RAM) / ctxsize;
	else
		hd->max_sessions = 0;
	hd->max_sessions = min_t(u32, hd->max_sessions, HIFN_MAX_SESSIONS);
	if (!hd->max_sessions) {
		dev_err(hd->dev, "%s: %u bytes of context RAM: too little\n", hd->name,
			hd->ramsize);
		return -ENODEV;
	}
	return 0;
}

/* Everything from reset to a chip ready for commands, interrupts masked. */
static int hifn_bringup(struct hifn_dev *hd)
{
	int ret;

	hifn_reset_board(hd, false);
	ret = hifn_unlock(hd);
	if (ret)
		return ret;
	hifn_reset_puc(hd);
	hifn_init_registers(hd);
	if (hifn_has(hd, HIFN_IS_7956)) {
		/* The RAM type of the 795x cannot be probed: internal RAM. */
		hd->dram = true;
	} else {
		ret = hifn_ramtype(hd);
		if (ret)
			goto err_ram;
		if (hd->dram)
			hifn_write_0(hd, HIFN_0_PUCNFG, hifn_pucnfg(hd));
	}
	if (hd->dram) {
		hifn_dramsize(hd);
	} else {
		ret = hifn_sramsize(hd);
		if (ret)
			goto err_ram;
	}
	if (hd->bus->quirks & HIFN_QUIRK_HALF_RAM)
		hd->ramsize >>= 1;
	hifn_clear_status(hd);
	ret = hifn_sessions(hd);
	if (ret)
		return ret;
	hifn_pub_reset(hd);
	hifn_rng_enable(hd);
	return 0;

err_ram:
	dev_err(hd->dev, "%s: context RAM probe failed: %d\n", hd->name, ret);
	return ret;
}

/* ---- Interrupts and completions --------------------------------------------------- */

/**
 * hifn_kick_recovery() - stop taking requests and have the chip reset
 * @hd: the chip, RUNNING
 * @why: HIFN_RECOVER_*
 *
 * Context: under @hd->lock.
 */
void hifn_kick_recovery(struct hifn_dev *hd, u32 why)
{
	lockdep_assert_held(&hd->lock);
	if (hd->state != HIFN_STATE_RUNNING)
		return;
	hd->state = HIFN_STATE_RESETTING;
	hd->recover_why |= why;
	hifn_write_1(hd, HIFN_1_DMA_IER, 0);
	queue_work(hd->wq, &hd->recover_work);
}

/**
 * hifn_mark_gone() - the card was pulled out: withdraw it
 * @hd: the chip
 *
 * Context: under @hd->lock.
 */
void hifn_mark_gone(struct hifn_dev *hd)
{
	lockdep_assert_held(&hd->lock);
	if (hd->state != HIFN_STATE_RUNNING && hd->state != HIFN_STATE_RESETTING)
		return;
	hd->state = HIFN_STATE_GONE;
	queue_work(hd->wq, &hd->gone_work);
}

static irqreturn_t hifn_irq(int irq, void *data)
{
	struct hifn_dev *hd = data;
	irqreturn_t ret = IRQ_NONE;
	u32 csr, pending, puisr = 0;

	spin_lock(&hd->lock);
	if (hd->state != HIFN_STATE_RUNNING)
		goto out_unlock;
	csr = hifn_read_1(hd, HIFN_1_DMA_CSR);
	if (csr == ~0u) {
		hifn_mark_gone(hd);
		goto out_unlock;
	}
	pending = csr & hd->dmaier;
	if (!pending)
		goto out_unlock;
	ret = IRQ_HANDLED;
	/* Status bits are write-1-to-clear; the control fields read as NOP here. */
	hifn_write_1(hd, HIFN_1_DMA_CSR, pending);
	if (pending & HIFN_DMACSR_ENGINE) {
		puisr = hifn_read_0(hd, HIFN_0_PUISR);
		hifn_write_0(hd, HIFN_0_PUISR, puisr);
	}
	/*
	 * No reference driver acts on these, and what the chip does after
	 * one is not known: count them and log them, reset nothing (the
	 * watchdog still resets a chip that stops completing).
	 */
	if (puisr & (HIFN_PUI_CMDINVAL | HIFN_PUI_DATAERR)) {
		atomic_inc(&hd->pu_errors);
		dev_warn_ratelimited(hd->dev, "%s: processing unit error, PUISR %#x\n", hd->name,
				     puisr);
	}
	if (pending & (HIFN_DMACSR_ILLW | HIFN_DMACSR_ILLR))
		dev_warn_ratelimited(hd->dev, "%s: illegal %s\n", hd->name,
				     pending & HIFN_DMACSR_ILLW ? "write" : "read");
	if (pending & HIFN_DMACSR_ABORTS) {
		hifn_kick_recovery(hd, HIFN_RECOVER_ABORT);
		goto out_unlock;
	}
	/* The chip consumed fewer descriptors than posted: the rings drifted. */
	if ((pending & (HIFN_DMACSR_D_OVER | HIFN_DMACSR_R_OVER)) || (puisr & HIFN_PUI_DSTOVER)) {
		dev_warn_ratelimited(hd->dev, "%s: overrun, DMA_CSR %#x PUISR %#x\n", hd->name, csr,
				     puisr);
		hifn_kick_recovery(hd, HIFN_RECOVER_OVERRUN);
		goto out_unlock;
	}
	queue_work(hd->wq, &hd->done_work);
out_unlock:
	spin_unlock(&hd->lock);
	return ret;
}

static void hifn_done_work(struct work_struct *work)
{
	struct hifn_dev *hd = container_of(work, struct hifn_dev, done_work);
	unsigned long flags;
	LIST_HEAD(done);

	bool gone;

	spin_lock_irqsave(&hd->lock, flags);
	if (hd->state == HIFN_STATE_RUNNING) {
		hifn_ring_reap(hd, &done);
		if (!list_empty(&done))
			hd->last_progress = jiffies;
	}
	gone = hd->state == HIFN_STATE_GONE;
	spin_unlock_irqrestore(&hd->lock, flags);
	hifn_finish_list(hd, &done, false);
	/* Requests that came in after the card went: software does them. */
	if (gone)
		hifn_finish_waiting_soft(hd);
	else
		hifn_start_waiting(hd);
}

/*
 * Every HIFN_TICK: reap (a lost interrupt costs a tick, not a reset), notice
 * a card that is gone, reset a chip that completes nothing, and disable the
 * rings once idle.
 */
static void hifn_tick(struct work_struct *work)
{
	struct hifn_dev *hd = container_of(to_delayed_work(work), struct hifn_dev, tick);
	unsigned long flags;
	bool again;

	spin_lock_irqsave(&hd->lock, flags);
	if (hd->state == HIFN_STATE_RUNNING) {
		if (hifn_regs_gone(hd)) {
			hifn_mark_gone(hd);
		} else if (list_empty(&hd->rings.active) && list_empty(&hd->waitq)) {
			if (++hd->idle_ticks >= HIFN_IDLE_TICKS)
				hifn_ring_idle_off(hd);
		} else {
			hd->idle_ticks = 0;
			queue_work(hd->wq, &hd->done_work);
			if (time_after(jiffies, hd->last_progress +
				       msecs_to_jiffies(READ_ONCE(hifn_timeout_ms)))) {
				atomic_inc(&hd->timeouts);
				hifn_kick_recovery(hd, HIFN_RECOVER_TIMEOUT);
			}
		}
	}
	again = hd->state == HIFN_STATE_RUNNING || hd->state == HIFN_STATE_RESETTING;
	spin_unlock_irqrestore(&hd->lock, flags);
	if (again)
		queue_delayed_work(hd->wq, &hd->tick, HIFN_TICK);
}

/* ---- Recovery and removal --------------------------------------------------------- */

static const char *hifn_why(u32 why)
{
	if (why & HIFN_RECOVER_ABORT)
		return "DMA abort";
	if (why & HIFN_RECOVER_OVERRUN)
		return "overrun";
	return "timeout";
}

/*
 * The chip will not do: everything it holds and everything waiting is
 * finished in software, and the producer withdrawn (as for a removal).
 */
static void hifn_give_up(struct hifn_dev *hd, struct list_head *pending)
{
	unsigned long flags;

	spin_lock_irqsave(&hd->lock, flags);
	hifn_mark_gone(hd);
	spin_unlock_irqrestore(&hd->lock, flags);
	hifn_finish_list(hd, pending, true);
	hifn_finish_waiting_soft(hd);
}

static void hifn_recover_work(struct work_struct *work)
{
	struct hifn_dev *hd = container_of(work, struct hifn_dev, recover_work);
	struct hifn_cmd *cmd, *tmp;
	unsigned int requeued = 0;
	LIST_HEAD(pending);
	LIST_HEAD(soft);
	LIST_HEAD(done);
	unsigned long flags;
	u32 why;

	spin_lock_irqsave(&hd->lock, flags);
	if (hd->state != HIFN_STATE_RESETTING) {
		spin_unlock_irqrestore(&hd->lock, flags);
		return;
	}
	why = hd->recover_why;
	hd->recover_why = 0;
	hifn_ring_reap(hd, &done);
	hifn_rings_reset(hd, &pending);
	spin_unlock_irqrestore(&hd->lock, flags);

	atomic_inc(&hd->resets);
	if (why & HIFN_RECOVER_ABORT)
		atomic_inc(&hd->aborts);
	if (why & HIFN_RECOVER_OVERRUN)
		atomic_inc(&hd->overruns);
	hifn_finish_list(hd, &done, false);

	/* The chip is ours now: nothing else touches it outside RUNNING. */
	hifn_reset_board(hd, true);
	if (hifn_regs_gone(hd)) {
		hifn_give_up(hd, &pending);
		return;
	}
	/* Linux re-runs the unlock after a master reset; it checks the level first. */
	if (hifn_unlock(hd)) {
		dev_err(hd->dev, "%s: locked after a reset: withdrawing, %zu requests to software\n",
			hd->name, list_count_nodes(&pending));
		hifn_give_up(hd, &pending);
		return;
	}
	hifn_reset_puc(hd);
	hifn_init_registers(hd);
	hifn_pub_reset(hd);
	hifn_rng_enable(hd);

	list_for_each_entry_safe(cmd, tmp, &pending, node) {
		if (++cmd->retries > HIFN_MAX_RETRIES) {
			list_move_tail(&cmd->node, &soft);
			continue;
		}
		hifn_cmd_stage(hd, cmd);
		requeued++;
	}
	dev_warn(hd->dev, "%s: %s, chip reset; %u requests requeued, %zu left to software\n",
		 hd->name, hifn_why(why), requeued, list_count_nodes(&soft));

	spin_lock_irqsave(&hd->lock, flags);
	if (hd->state == HIFN_STATE_RESETTING) {
		list_for_each_entry_safe(cmd, tmp, &pending, node) {
			list_del_init(&cmd->node);
			hifn_ring_repost(hd, cmd);
		}
		hd->state = HIFN_STATE_RUNNING;
		hd->last_progress = jiffies;
		hifn_enable_irqs(hd);
		if (requeued)
			hifn_ring_doorbell(hd);
	}
	spin_unlock_irqrestore(&hd->lock, flags);
	/* Detached meanwhile: nothing was left in flight to requeue. */
	WARN_ON_ONCE(!list_empty(&pending));
	hifn_finish_list(hd, &soft, true);
	hifn_start_waiting(hd);
}

static void hifn_gone_work(struct work_struct *work)
{
	struct hifn_dev *hd = container_of(work, struct hifn_dev, gone_work);
	unsigned long flags;
	LIST_HEAD(orphans);
	LIST_HEAD(done);

	spin_lock_irqsave(&hd->lock, flags);
	if (hd->state != HIFN_STATE_GONE) {
		spin_unlock_irqrestore(&hd->lock, flags);
		return;
	}
	/* What the chip wrote before it went is good: its results say so. */
	hifn_ring_reap(hd, &done);
	hifn_rings_reset(hd, &orphans);
	spin_unlock_irqrestore(&hd->lock, flags);

	dev_warn(hd->dev, "%s: gone (registers read all ones): %zu requests finished in software, withdrawing\n",
		 hd->name, list_count_nodes(&orphans));
	hifn_finish_list(hd, &done, false);
	hifn_finish_list(hd, &orphans, true);
	hifn_finish_waiting_soft(hd);
	schedule_work(&hd->withdraw_work);
}

/*
 * Withdraws a card that is gone, so that OCF moves its sessions. Not on
 * @hd->wq: unregistering waits for the requests still arriving, which
 * hifn_done_work() finishes in software.
 */
static void hifn_withdraw_work(struct work_struct *work)
{
	struct hifn_dev *hd = container_of(work, struct hifn_dev, withdraw_work);

	mutex_lock(&hd->reg_lock);
	hifn_rng_unregister(hd);
	if (hd->registered)
		ocf_producer_unregister(&hd->producer);
	hd->registered = false;
	mutex_unlock(&hd->reg_lock);
}

/* ---- Attach and detach ------------------------------------------------------------- */

/**
 * hifn_attach() - bring up a chip and offer it to OCF
 * @bus: the chip's bus, which outlives the returned device
 *
 * Context: process; sleeps.
 * Return: the device, or an ERR_PTR.
 */
struct hifn_dev *hifn_attach(struct hifn_bus *bus)
{
	struct hifn_dev *hd;
	int ret;

	if (bus->chip >= HIFN_CHIP_COUNT)
		return ERR_PTR(-EINVAL);
	hd = kzalloc(sizeof(*hd), GFP_KERNEL);
	if (!hd)
		return ERR_PTR(-ENOMEM);
	hd->bus = bus;
	hd->dev = bus->dev;
	hd->info = &hifn_chips[bus->chip];
	spin_lock_init(&hd->lock);
	INIT_LIST_HEAD(&hd->waitq);
	mutex_init(&hd->reg_lock);
	hd->state = HIFN_STATE_INIT;
	hd->last_write[0] = ~0u;
	hd->last_write[1] = ~0u;
	INIT_WORK(&hd->done_work, hifn_done_work);
	INIT_WORK(&hd->recover_work, hifn_recover_work);
	INIT_WORK(&hd->gone_work, hifn_gone_work);
	INIT_WORK(&hd->withdraw_work, hifn_withdraw_work);
	INIT_DELAYED_WORK(&hd->tick, hifn_tick);

	hd->id = ida_alloc(&hifn_ida, GFP_KERNEL);
	if (hd->id < 0) {
		ret = hd->id;
		goto err_free_hd;
	}
	snprintf(hd->name, sizeof(hd->name), "hifn%d", hd->id);
	hd->wq = alloc_ordered_workqueue("%s", WQ_MEM_RECLAIM | WQ_HIGHPRI, hd->name);
	if (!hd->wq) {
		ret = -ENOMEM;
		goto err_free_id;
	}
	ret = hifn_soft_init(&hd->soft);
	if (ret)
		goto err_destroy_wq;
	ret = hifn_pll_config(hd);
	if (ret)
		goto err_soft_exit;
	ret = hifn_rings_alloc(hd);
	if (ret)
		goto err_soft_exit;

	ret = hifn_bringup(hd);
	if (ret)
		goto err_stop_chip;
	hd->slots = bitmap_zalloc(hd->max_sessions, GFP_KERNEL);
	if (!hd->slots) {
		ret = -ENOMEM;
		goto err_stop_chip;
	}
	ret = bus->ops->request_irq(bus, hifn_irq, hd);
	if (ret)
		goto err_free_slots;

	spin_lock_irq(&hd->lock);
	hd->state = HIFN_STATE_RUNNING;
	hifn_enable_irqs(hd);
	spin_unlock_irq(&hd->lock);
	queue_delayed_work(hd->wq, &hd->tick, HIFN_TICK);

	mutex_lock(&hd->reg_lock);
	ret = hifn_producer_register(hd);
	if (!ret) {
		hd->registered = true;
		if (hifn_rng_register(hd))
			dev_warn(hd->dev, "%s: no hwrng\n", hd->name);
	}
	mutex_unlock(&hd->reg_lock);
	if (ret)
		goto err_stop_running;

	dev_info(hd->dev, "%s: Hifn %s rev %u, %u KiB %s, %u sessions, %s%s%s%s\n", hd->name,
		 hd->info->name, hifn_read_1(hd, HIFN_1_REVID) & 0xffff, hd->ramsize / 1024,
		 hd->dram ? "DRAM" : "SRAM", hd->max_sessions,
		 hd->ena == HIFN_PUSTAT_ENA_2 ? "DES 3DES" : "DES",
		 hd->ena == HIFN_PUSTAT_ENA_2 && hifn_has(hd, HIFN_HAS_AES) ? " AES" : "",
		 hd->rng_on ? ", RNG" : "", hd->unlock_skipped ? " (found unlocked)" : "");
	return hd;

err_stop_running:
	spin_lock_irq(&hd->lock);
	hd->state = HIFN_STATE_STOPPED;
	hifn_write_1(hd, HIFN_1_DMA_IER, 0);
	spin_unlock_irq(&hd->lock);
	cancel_delayed_work_sync(&hd->tick);
	bus->ops->free_irq(bus, hd);
err_free_slots:
	bitmap_free(hd->slots);
err_stop_chip:
	hifn_reset_board(hd, true);
	hifn_rings_free(hd);
err_soft_exit:
	hifn_soft_exit(&hd->soft);
err_destroy_wq:
	destroy_workqueue(hd->wq);
err_free_id:
	ida_free(&hifn_ida, hd->id);
err_free_hd:
	kfree(hd);
	return ERR_PTR(ret);
}
EXPORT_SYMBOL_GPL(hifn_attach);

/**
 * hifn_detach() - withdraw a chip and stop it
 * @hd: from hifn_attach()
 *
 * OCF moves the chip's sessions elsewhere; requests in flight finish first
 * (on the chip, or in software if it is gone). Safe at any moment after
 * hifn_attach(), under load, and after a surprise removal.
 * Context: process; sleeps.
 */
void hifn_detach(struct hifn_dev *hd)
{
	bool gone;

	mutex_lock(&hd->reg_lock);
	hifn_rng_unregister(hd);
	if (hd->registered)
		ocf_producer_unregister(&hd->producer);
	hd->registered = false;
	mutex_unlock(&hd->reg_lock);

	spin_lock_irq(&hd->lock);
	gone = hd->state == HIFN_STATE_GONE;
	hd->state = HIFN_STATE_STOPPED;
	if (!gone)
		hifn_write_1(hd, HIFN_1_DMA_IER, 0);
	spin_unlock_irq(&hd->lock);

	cancel_delayed_work_sync(&hd->tick);
	cancel_work_sync(&hd->recover_work);
	cancel_work_sync(&hd->gone_work);
	cancel_work_sync(&hd->done_work);
	cancel_work_sync(&hd->withdraw_work);
	destroy_workqueue(hd->wq);
	if (!gone && !hifn_regs_gone(hd)) {
		hifn_write_1(hd, HIFN_1_DMA_CSR, HIFN_DMACSR_ALL_DIS);
		/* DMA polling off. */
		hifn_write_1(hd, HIFN_1_DMA_CNFG, HIFN_DMACNFG_MSTRESET | HIFN_DMACNFG_DMARESET |
			     HIFN_DMACNFG_MODE);
	}
	hd->bus->ops->free_irq(hd->bus, hd);
	bitmap_free(hd->slots);
	hifn_rings_free(hd);
	hifn_soft_exit(&hd->soft);
	ida_free(&hifn_ida, hd->id);
	dev_info(hd->dev, "%s: detached (%d resets, %d timeouts, %d aborts, %d overruns, %d PU errors, %d requests in software)\n",
		 hd->name, atomic_read(&hd->resets), atomic_read(&hd->timeouts),
		 atomic_read(&hd->aborts), atomic_read(&hd->overruns), atomic_read(&hd->pu_errors),
		 atomic_read(&hd->fallbacks));
	kfree(hd);
}
EXPORT_SYMBOL_GPL(hifn_detach);

const char *hifn_name(const struct hifn_dev *hd)
{
	return hd->name;
}
EXPORT_SYMBOL_GPL(hifn_name);
