/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The Hifn driver core: one struct hifn_dev per chip, whatever bus carries
 * it (hifn_bus.h).
 */
#ifndef _HIFN_CORE_H
#define _HIFN_CORE_H

#include <linux/hw_random.h>
#include <linux/ktime.h>
#include <linux/mutex.h>
#include <linux/ocf.h>
#include <linux/spinlock.h>
#include <linux/workqueue.h>

#include "hifn_bus.h"
#include "hifn_reg.h"
#include "ring.h"
#include "soft.h"

/* struct hifn_chip_info.flags */
#define HIFN_HAS_RNG	BIT(0)
#define HIFN_HAS_PUBLIC	BIT(1)
#define HIFN_HAS_AES	BIT(2)
#define HIFN_IS_7811	BIT(3)	/* write erratum, 7811 RNG, MIPS reset */
#define HIFN_IS_795X	BIT(4)	/* 7951/7955/7956: DMA_CNFG2, 795x RNG */
#define HIFN_IS_7956	BIT(5)	/* 7955/7956: PLL, PUCTRL2, internal context RAM */

struct hifn_chip_info {
	const char *name;
	u32 flags;
};

/*
 * enum hifn_state - what the chip is doing
 * @HIFN_STATE_INIT: attaching; only the attaching thread touches it
 * @HIFN_STATE_RUNNING: taking requests
 * @HIFN_STATE_RESETTING: the recovery work owns the chip; requests wait
 * @HIFN_STATE_GONE: registers read all ones: surprise removal
 * @HIFN_STATE_STOPPED: detaching
 */
enum hifn_state {
	HIFN_STATE_INIT,
	HIFN_STATE_RUNNING,
	HIFN_STATE_RESETTING,
	HIFN_STATE_GONE,
	HIFN_STATE_STOPPED,
};

/* Why the recovery work runs (struct hifn_dev.recover_why) */
#define HIFN_RECOVER_ABORT	BIT(0)	/* a DMA abort */
#define HIFN_RECOVER_TIMEOUT	BIT(2)	/* no completion for timeout_ms */
#define HIFN_RECOVER_OVERRUN	BIT(3)	/* an overrun, or descriptors left unconsumed */

/*
 * hifn_test_break: test-only ways to drive the chip wrongly, one rule of
 * the chip model's each, so that the tests can show the model catches a
 * driver that breaks it. Never set outside the tests.
 */
#define HIFN_BREAK_MISALIGN	BIT(0)	/* data addresses not word-aligned */
#define HIFN_BREAK_ODD_SEG	BIT(1)	/* a first data segment of 2 bytes */
#define HIFN_BREAK_DST_TOTAL	BIT(2)	/* destination descriptors 4 bytes past the count */
#define HIFN_BREAK_SHORT_DST	BIT(3)	/* destination a word short of the source */
#define HIFN_BREAK_SHORT_RESULT	BIT(4)	/* result descriptors of 16 bytes */
#define HIFN_BREAK_PLL_FAST	BIT(5)	/* no 10 ms PLL settling */
#define HIFN_BREAK_SESSIONS	BIT(6)	/* session numbers past the context RAM */
#define HIFN_BREAK_RESET_PULSE	BIT(7)	/* master reset released at once */
#define HIFN_BREAK_UNLOCK_FAST	BIT(8)	/* unlock writes back to back */
#define HIFN_BREAK_RNG_FAST	BIT(9)	/* RNG read spacing from ref x mult; 7811: no RDY check */
#define HIFN_BREAK_RING_BASES	BIT(10)	/* rings enabled right after their bases are set */
#define HIFN_BREAK_PLL_NO_BP	BIT(11)	/* PLL multiplier changed out of bypass */
#define HIFN_BREAK_PLL_IS	BIT(12)	/* PLL IS bit the wrong way round */

/**
 * struct hifn_dev - one chip
 * @bus: its bus
 * @dev: @bus->dev
 * @info: what the part has
 * @id: the number in @name
 * @name: "hifnN", also the OCF producer and hwrng name
 * @lock: see core.c: the registers while RUNNING, the rings and commands,
 *	the state, the context slots; taken in hard interrupt context
 * @state: enum hifn_state, under @lock
 * @last_write: 7811 erratum: the last register written per BAR, under @lock
 *	(or by the thread that owns the chip outside RUNNING)
 * @dmaier: the DMA_IER value in force
 * @ena: PUSTAT_ENA_1 or _2: what the unlock gave
 * @unlock_skipped: the chip was unlocked already (we did not unlock twice)
 * @ramsize: context RAM, bytes
 * @dram: DRAM (else SRAM)
 * @max_sessions: context slots
 * @slots: the context slots in use, a bitmap under @lock
 * @pllconfig: PLL configuration (7955/7956)
 * @pll_mhz: the PLL reference clock, MHz (the NN of pll=extNN)
 * @pk_hz: the public key unit's clock (795x RNG spacing)
 * @rings: descriptor rings, command and data buffers
 * @waitq: requests taken that wait for room on the chip, under @lock
 * @last_progress: jiffies of the last completion or first submission
 * @idle_ticks: ticks the rings have been idle
 * @recover_why: HIFN_RECOVER_*, under @lock
 * @wq: ordered: completions, the tick, recovery and removal never overlap
 * @done_work: reaps completed commands
 * @recover_work: resets the chip and requeues what was in flight
 * @gone_work: surprise removal: finishes what was in flight in software
 * @withdraw_work: surprise removal: unregisters (off @wq, which must keep
 *	finishing requests meanwhile)
 * @tick: watchdog and idle-ring shutdown
 * @reg_lock: serializes registration and withdrawal (@registered, @rng_on)
 * @registered: the OCF producer is registered
 * @rng_on: the hwrng is registered
 * @producer: the OCF producer
 * @rng: the hwrng
 * @rng_first: the next RNG word is the first after enabling: discard it
 * @rng_last: when RNG_DATA was last read (795x)
 * @rng_wait_ns: least time between two RNG_DATA reads (795x)
 * @soft: software transforms for what the chip cannot do any more
 * @resets: chip resets done by recovery
 * @timeouts: recoveries because of a timeout
 * @aborts: recoveries because of a DMA abort
 * @overruns: recoveries because of an overrun or unconsumed descriptors
 * @pu_errors: invalid-command and data-error interrupts (counted, logged)
 * @fallbacks: requests finished in software
 */
struct hifn_dev {
	struct hifn_bus *bus;
	struct device *dev;
	const struct hifn_chip_info *info;
	int id;
	char name[16];

	spinlock_t lock;		/* see core.c */
	enum hifn_state state;
	u32 last_write[2];
	u32 dmaier;
	u32 ena;
	bool unlock_skipped;
	u32 ramsize;
	bool dram;
	u32 max_sessions;
	unsigned long *slots;
	u32 pllconfig;
	u32 pll_mhz;
	u32 pk_hz;
	struct hifn_rings rings;
	struct list_head waitq;
	unsigned long last_progress;
	unsigned int idle_ticks;
	u32 recover_why;

	struct workqueue_struct *wq;
	struct work_struct done_work;
	struct work_struct recover_work;
	struct work_struct gone_work;
	struct work_struct withdraw_work;
	struct delayed_work tick;

	struct mutex reg_lock;		/* @registered, @rng_on */
	bool registered;
	bool rng_on;
	struct ocf_producer producer;
	struct hwrng rng;
	bool rng_first;
	ktime_t rng_last;
	u32 rng_wait_ns;

	struct hifn_soft soft;

	atomic_t resets;
	atomic_t timeouts;
	atomic_t aborts;
	atomic_t overruns;
	atomic_t pu_errors;
	atomic_t fallbacks;
};

static inline bool hifn_has(const struct hifn_dev *hd, u32 flag)
{
	return hd->info->flags & flag;
}

/* ---- Registers --------------------------------------------------------------- */

static inline u32 hifn_read_0(struct hifn_dev *hd, u32 off)
{
	return hd->bus->ops->read(hd->bus, 0, off);
}

static inline u32 hifn_read_1(struct hifn_dev *hd, u32 off)
{
	return hd->bus->ops->read(hd->bus, 1, off);
}

void hifn_write_0(struct hifn_dev *hd, u32 off, u32 val);
void hifn_write_1(struct hifn_dev *hd, u32 off, u32 val);

/* ---- Core services for the other files ---------------------------------------- */

extern unsigned int hifn_timeout_ms;
extern unsigned int hifn_test_break;

static inline bool hifn_broken(u32 rule)
{
	return READ_ONCE(hifn_test_break) & rule;
}

void hifn_kick_recovery(struct hifn_dev *hd, u32 why);
void hifn_mark_gone(struct hifn_dev *hd);
bool hifn_regs_gone(struct hifn_dev *hd);

#endif /* _HIFN_CORE_H */
