/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The Hifn chip model: one struct hifn_model per emulated chip. model.c
 * creates instances and holds the parameters, model_regs.c is the register
 * file (resets, unlock, RNG, interrupt line), model_engine.c the DMA engine
 * and the processing unit.
 */
#ifndef _HIFN_MODEL_H
#define _HIFN_MODEL_H

#include <linux/atomic.h>
#include <linux/interrupt.h>
#include <linux/irq_work.h>
#include <linux/ktime.h>
#include <linux/platform_device.h>
#include <linux/spinlock.h>
#include <linux/wait.h>

#include "hifn_bus.h"
#include "hifn_reg.h"

struct crypto_sync_skcipher;
struct crypto_shash;
struct dentry;
struct hifn_dev;

/* The rings in the order of struct hifn_model.ring_base */
enum hm_ring { HM_CMD, HM_SRC, HM_DST, HM_RES, HM_RINGS };

/* A ring's DMA_CSR bits */
struct hm_ring_bits {
	u32 ctrl_shift;
	u32 abort;
	u32 done;
	u32 last;
	u32 wait;
	u32 over;
};

extern const struct hm_ring_bits hm_ring_bits[HM_RINGS];

/* Engines with a rated throughput */
enum hm_engine { HM_DES, HM_3DES, HM_AES, HM_MD5, HM_SHA1, HM_ENGINES };

/* struct hm_variant.flags */
#define HM_F_ERRATA	BIT(0)	/* 7811: drops burst writes */
#define HM_F_RNG_7811	BIT(1)
#define HM_F_RNG_795X	BIT(2)
#define HM_F_AES	BIT(3)
#define HM_F_PLL		BIT(4)	/* 7955/7956: PLL, PUCTRL2, internal context RAM */
#define HM_F_PUB		BIT(5)	/* public key unit (resets the 795x RNG) */
#define HM_F_CNFG2	BIT(6)	/* DMA_CNFG2 at 0x6c */

/**
 * struct hm_variant - one part as the model emulates it
 * @name: "7751"...
 * @chip: what the bus reports
 * @flags: HM_*
 * @rev: chip revision (PUSTAT, REVID)
 * @dram: the board has DRAM (else SRAM)
 * @ram_kb: SRAM or DRAM size
 * @enccnfg: the ENCCNFG strap: 128-byte contexts
 * @rate: rated throughput per engine, Mbit/s
 */
struct hm_variant {
	const char *name;
	enum hifn_chip chip;
	u32 flags;
	u8 rev;
	bool dram;
	u32 ram_kb;
	bool enccnfg;
	u32 rate[HM_ENGINES];
};

/* A descriptor the engine has looked at: where it is and what it said. */
struct hm_seg {
	u32 at;		/* bus address of the descriptor */
	u32 l;
	u32 p;
};

#define HM_MAX_SEGS	(HIFN_D_SRC_RSIZE + 2)

/* One ring's descriptors of the packet being processed, jumps included. */
struct hm_packet {
	struct hm_seg seg[HM_MAX_SEGS];
	unsigned int n;
	u32 bytes;	/* data bytes of the non-jump descriptors */
	u32 next;	/* the ring position after the packet */
};

/* Per context slot: keys and IV kept between commands */
struct hm_ctx {
	u8 mac_key[HIFN_MAC_KEY_LENGTH];
	u8 key[32];
	u8 iv[HIFN_AES_IV_LENGTH];
	u8 key_len;
	bool has_mac_key;
	bool has_key;
};

#define HM_CTX_SLOTS	HIFN_MAX_SESSIONS

/*
 * Rules a driver must keep, as the model checks them (hm_violation()): the
 * chip's reaction is modelled (an abort, a rejected command, a slow or
 * stale clock, a failed unlock) and each breach is counted.
 */
enum hm_rule {
	HM_V_ALIGN,		/* a data address not word-aligned */
	HM_V_SEG,		/* a non-last source or any destination segment not whole words */
	HM_V_TOTALS,		/* descriptor bytes differ from the command's counts */
	HM_V_RESULT,		/* result longer than its descriptor (R_OVER) */
	HM_V_SESSION,		/* session number past the contexts the RAM holds */
	HM_V_PLL,		/* PLL: bypass, settling, MBSET, IS, 266 MHz */
	HM_V_RESET,		/* master reset shorter than 1 ms */
	HM_V_UNLOCK,		/* unlock writes less than 1 ms apart */
	HM_V_RING_BASE,		/* a ring enabled within 2 ms of its base */
	HM_V_RNG,		/* RNG read before it had a new word */
	HM_RULES
};

extern const char *const hm_rule_names[HM_RULES];

/**
 * struct hifn_model - one emulated chip
 * @bus: what the driver core sees
 * @pdev: a platform device with a 32-bit DMA mask, for the DMA API
 * @v: the part
 * @index: instance number
 * @hd: the driver core's device, NULL until attached
 * @node: on the instance list, under hm_instances_lock
 * @dir: debugfs directory
 * @lock: the register file, ring positions, status, faults; any context
 * @puctrl: PUCTRL (and PUCTRL2)
 * @puisr: PUISR status
 * @pucnfg: PUCNFG as written (straps are added on read)
 * @puier: PUIER
 * @fifocnfg: FIFOCNFG
 * @ring_base: CRAR, SRAR, DRAR, RRAR, in enum hm_ring order
 * @ring_pos: the descriptor each ring looks at next (bus address)
 * @ring_on: the ring is enabled
 * @csr: DMA_CSR status bits
 * @ier: DMA_IER
 * @dma_cnfg: DMA_CNFG
 * @dma_cnfg2: DMA_CNFG2 (795x)
 * @pll: PLL (7955/7956)
 * @rng_ena: RNG enabled (7811 RNGENA or 795x RNG_CONFIG)
 * @rng_cfg: 7811 RNGCFG
 * @rng_junk: words to hand out as junk after enabling
 * @rng_ready: 7811 words in the FIFO after an RNGSTS read said RDY
 * @rng_ufl: 7811 underflow
 * @rng_count: words produced
 * @rng_last: the last RNG_DATA read (795x)
 * @rng_word: its value
 * @rng_stale: 795x reads too soon after the previous one
 * @rng_pair_at: 7811: when the FIFO last got a pair of words
 * @pll_bp_at: when the PLL went into bypass
 * @pll_cfg_at: when the PLL's multiplier or reference last changed
 * @pll_bad: the PLL was programmed against its rules: the engines crawl
 * @mst_low_at: when the master reset was last asserted
 * @base_at: when a ring base was last written
 * @unlock_at: the last UNLOCK_SECRET2 write
 * @violations: breaches of the rules, per enum hm_rule
 * @overruns: destination overruns (too short, or injected)
 * @reenables: ENA written to a ring already enabled
 * @last_write: 7811 erratum: last register written per BAR
 * @read_since: a read on that BAR since
 * @errata_violations: burst writes the 7811 would have locked up on
 * @unlock_seed: what UNLOCK_SECRET1 reads
 * @unlock_expect: the signature the next SECRET2 write must carry
 * @unlock_good: correct signatures so far; -1 when the sequence broke
 * @unlock_rounds: correct signatures that unlock it
 * @unlock_writes: SECRET2 writes seen in unlock mode
 * @unlocked: the engines are enabled
 * @dead: unlocked twice: the chip stays dead until power-off
 * @level: PUSTAT_ENA_1 or _2 once unlocked
 * @locked_level: what PUSTAT's level reads while locked
 * @gen: counts DMA resets; work started before one is dropped
 * @halted: stopped by an abort, a bad command or a stall: until a DMA reset
 * @removed: surprise removal: all ones on reads, no DMA, no interrupts
 * @kick: something changed that the engine should look at
 * @wq: the engine thread sleeps here
 * @thread: the engine thread
 * @busy_until: when the engine finishes what it has taken (modelled time)
 * @stamp_pos: the first command descriptor not yet seen valid (bus address)
 * @arrival: per command ring slot, when the descriptor was first seen valid
 * @rate: per-instance rated throughput per engine, Mbit/s (0: the parameter's)
 * @handler: the interrupt handler, NULL when not wired
 * @irq_data: its argument
 * @irq_work: raises the "interrupt" in hard interrupt context
 * @abort_next: fault: DMA abort on this many next commands
 * @stall_next: fault: hang on this many next commands (no completion)
 * @corrupt_next: fault: reject this many next commands as invalid
 * @overrun_next: fault: overrun this many next destinations
 * @commands: commands completed
 * @bytes: source bytes of completed commands
 * @ram_ops: context RAM reads and writes
 * @irqs: interrupts raised
 * @irqs_unhandled: interrupts the handler did not claim
 * @aborts: aborts raised
 * @stalls: stalls started
 * @rejects: commands rejected (CMDINVAL/DATAERR)
 * @resets: DMA resets
 * @work: the packet being processed, linear
 * @ram: context RAM contents (probing)
 * @ram_size: bytes
 * @ctx: context slots
 * @pk: the descriptors of the command being processed, per ring
 * @cbuf: its command buffer
 * @cipher: cbc(des), cbc(des3_ede), cbc(aes)
 * @hash: md5, sha1, hmac(md5), hmac(sha1)
 */
struct hifn_model {
	struct hifn_bus bus;
	struct platform_device *pdev;
	const struct hm_variant *v;
	unsigned int index;
	struct hifn_dev *hd;
	struct list_head node;
	struct dentry *dir;

	spinlock_t lock;		/* registers, rings, faults: any context */
	u32 puctrl;
	u32 puisr;
	u32 pucnfg;
	u32 puier;
	u32 fifocnfg;
	u32 ring_base[HM_RINGS];
	u32 ring_pos[HM_RINGS];
	bool ring_on[HM_RINGS];
	u32 csr;
	u32 ier;
	u32 dma_cnfg;
	u32 dma_cnfg2;
	u32 pll;
	bool rng_ena;
	u32 rng_cfg;
	u32 rng_junk;
	u32 rng_ready;
	bool rng_ufl;
	u32 rng_count;
	ktime_t rng_last;
	u32 rng_word;
	u32 rng_stale;
	ktime_t rng_pair_at;
	ktime_t pll_bp_at;
	ktime_t pll_cfg_at;
	bool pll_bad;
	ktime_t mst_low_at;
	ktime_t base_at;
	ktime_t unlock_at;
	u32 violations[HM_RULES];
	u32 overruns;
	bool desync;		/* descriptors left after an overrun, until a DMA reset */
	u32 reenables;
	u32 last_write[2];
	bool read_since[2];
	u32 errata_violations;
	u32 unlock_seed;
	u32 unlock_expect;
	int unlock_good;
	u32 unlock_rounds;
	u32 unlock_writes;
	bool unlocked;
	bool dead;
	u32 level;
	u32 locked_level;
	u32 gen;
	bool halted;
	bool removed;
	bool kick;
	wait_queue_head_t wq;
	struct task_struct *thread;
	ktime_t busy_until;
	u32 stamp_pos;
	ktime_t arrival[HIFN_D_CMD_RSIZE + 1];
	u32 rate[HM_ENGINES];
	irq_handler_t handler;
	void *irq_data;
	struct irq_work irq_work;

	atomic_t abort_next;
	atomic_t stall_next;
	atomic_t corrupt_next;
	atomic_t overrun_next;
	u64 commands;
	u64 bytes;
	u64 ram_ops;
	u64 irqs;
	u64 irqs_unhandled;
	u32 aborts;
	u32 stalls;
	u32 rejects;
	u32 resets;

	u8 *work;
	u8 *ram;
	u32 ram_size;
	struct hm_ctx *ctx;
	struct hm_packet pk[HM_RINGS];
	u8 cbuf[HIFN_MAX_COMMAND];
	struct crypto_sync_skcipher *cipher[3];
	struct crypto_shash *hash[4];
};

/* Parameters (model.c) */
extern unsigned int hm_time_scale;
extern unsigned int hm_latency_us;
extern unsigned int hm_poll_ms;
extern unsigned int hm_unlock_level;
extern unsigned int hm_unlock_rounds;
extern bool hm_preunlocked;
extern bool hm_rng_test;
extern unsigned int hm_ext_mhz;
extern unsigned int hm_poll_us;
extern unsigned int hm_pustat_locked;
extern bool hm_pucnfg_readback;
extern bool hm_reset_relocks;
u32 hm_rate(const struct hifn_model *m, enum hm_engine e);

/* model_regs.c */
extern const struct hifn_bus_ops hm_bus_ops;
void hm_power_on(struct hifn_model *m);
bool hm_running(const struct hifn_model *m);
void hm_raise(struct hifn_model *m);
u32 hm_rng_pattern(const struct hifn_model *m, u32 n);
u32 hm_pe_clock_divisor(const struct hifn_model *m);
void hm_violation(struct hifn_model *m, enum hm_rule rule);
u32 hm_ctx_capacity(const struct hifn_model *m);
void hm_irq_work(struct irq_work *work);

/* model_engine.c */
int hm_engine_start(struct hifn_model *m);
void hm_engine_stop(struct hifn_model *m);
void hm_kick(struct hifn_model *m);
void hm_stamp(struct hifn_model *m);

#endif /* _HIFN_MODEL_H */
