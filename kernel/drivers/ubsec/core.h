/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The ubsec driver core: one struct ubsec_dev per chip, whatever bus
 * carries it (ubsec_bus.h). core.c brings the chip up, feeds MCR1 and MCR2
 * and recovers; producer.c builds the packets and key operations.
 */
#ifndef _UBSEC_CORE_H
#define _UBSEC_CORE_H

#include <linux/completion.h>
#include <linux/dma-mapping.h>
#include <linux/hw_random.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/ocf.h>
#include <linux/spinlock.h>
#include <linux/workqueue.h>

#include "ubsec_bus.h"
#include "ubsec_reg.h"

/* struct ubsec_chip_info.flags (FB9 ubsecvar.h's, plus NB's AES) */
#define UBSEC_HAS_KEY		BIT(0)	/* key unit on MCR2 */
#define UBSEC_HAS_LONGCTX	BIT(1)	/* long packet contexts */
#define UBSEC_HAS_BIGKEY	BIT(2)	/* 1536- and 2048-bit moduli */
#define UBSEC_HAS_HWNORM	BIT(3)	/* normalizes bignums itself */
#define UBSEC_HAS_RNG		BIT(4)
#define UBSEC_HAS_AES		BIT(5)	/* 5823/5825 */
#define UBSEC_HAS_ALLEMPTY	BIT(6)	/* 5821+: MCR1/2_ALLEMPTY in the status mask */

struct ubsec_chip_info {
	const char *name;
	u32 flags;
};

extern const struct ubsec_chip_info ubsec_chips[UBSEC_CHIP_COUNT];

/*
 * ubsec_test_break: test-only ways to drive the chip wrongly, one rule of
 * the chip model's each, so that the tests can show the model catches a
 * driver that breaks it. Never set outside the tests.
 */
#define UBSEC_BREAK_LONG_SEG	BIT(0)	/* data in one segment past 0xfffc bytes */
#define UBSEC_BREAK_MISALIGN	BIT(1)	/* data addresses 2 bytes off a word */
#define UBSEC_BREAK_MCR_FULL	BIT(2)	/* MCRs written without looking at *_FULL */
#define UBSEC_BREAK_AGGR	BIT(3)	/* up to 8 packets in one MCR */
#define UBSEC_BREAK_CTX_LEN	BIT(4)	/* context lengths 4 bytes long */
#define UBSEC_BREAK_KEY_ALIGN	BIT(5)	/* key operation output 2 bytes off a word */
#define UBSEC_BREAK_NO_SHIFT	BIT(6)	/* 580x: modexp operands not normalized */
#define UBSEC_BREAK_MCR_DIRTY	BIT(7)	/* MCR flags left from the last use */
#define UBSEC_BREAK_RNG_SHORT	BIT(8)	/* RNG output buffer a word short */

extern unsigned int ubsec_test_break;
extern int ubsec_test_break_dev;

/* MCR1 packets, MCR2 key operations */
enum ubsec_qid { UBSEC_Q_SYM, UBSEC_Q_KEY, UBSEC_QUEUES };

/* Room per MCR for the test-only oversized batches */
#define UBSEC_SLOT_PKTS		8
#define UBSEC_MCR_SIZE		(4 + UBSEC_SLOT_PKTS * sizeof(struct ubsec_mcr_add))

/* The longest request: two full segments */
#define UBSEC_MAX_LEN		(2 * UBSEC_MAX_SEG)
/* Chained packet buffers a job may need besides the MCR's own two */
#define UBSEC_JOB_PKTBUFS	6

struct ubsec_session;

/**
 * struct ubsec_job - one packet (MCR1) or key operation (MCR2)
 * @node: on a queue's waiting list
 * @req: symmetric request, or NULL
 * @ses: its session
 * @kreq: key operation, or NULL
 * @buf: context, chained packet buffers, MAC buffer and data, one mapping
 * @dma: @buf's bus address
 * @size: @buf's size
 * @pb_in: the first input packet buffer, for the MCR
 * @pb_out: the first output packet buffer, for the MCR
 * @cmdctx: the context's bus address
 * @pktlen: the MCR's packet length
 * @start: the request's offset of the data's first byte (symmetric)
 * @len: data bytes
 * @flags: UBSEC_JOB_*
 * @mac_in: the MAC to check (decryption)
 * @out_off: where the chip's output (enciphered region or key result) is in @buf
 * @out_len: its bytes
 * @shift: 580x normalization shift, bits
 * @tries: resets it went through
 */
struct ubsec_job {
	struct list_head node;
	struct ocf_request *req;
	struct ubsec_session *ses;
	struct ocf_krequest *kreq;
	u8 *buf;
	dma_addr_t dma;
	u32 size;
	struct ubsec_pktbuf pb_in;
	struct ubsec_pktbuf pb_out;
	u32 cmdctx;
	u16 pktlen;
	u32 start;
	u32 len;
	u32 flags;
	u8 mac_in[UBSEC_MAC_BUF];
	u32 out_off;
	u32 out_len;
	u32 shift;
	unsigned int tries;
};

#define UBSEC_JOB_CRYPT		BIT(0)
#define UBSEC_JOB_MAC		BIT(1)
#define UBSEC_JOB_DECRYPT	BIT(2)
#define UBSEC_JOB_RNG		BIT(4)	/* the chip's RNG job (MCR2), @ud->rng_job */

/* Offsets in struct ubsec_job.buf */
#define UBSEC_JOB_CTX		0
#define UBSEC_JOB_PB		ALIGN(UBSEC_KEYCTX_MAX, 8)
#define UBSEC_JOB_MACBUF	(UBSEC_JOB_PB + UBSEC_JOB_PKTBUFS * sizeof(struct ubsec_pktbuf))
#define UBSEC_JOB_DATA		ALIGN(UBSEC_JOB_MACBUF + UBSEC_MAC_BUF, 16)

/**
 * struct ubsec_slot - one MCR
 * @node: on the queue's free or posted list
 * @mcr: the MCR (coherent)
 * @dma: its bus address
 * @n: jobs in it
 * @jobs: them
 * @qid: its queue
 */
struct ubsec_slot {
	struct list_head node;
	enum ubsec_qid qid;
	struct ubsec_mcr *mcr;
	dma_addr_t dma;
	unsigned int n;
	struct ubsec_job *jobs[UBSEC_SLOT_PKTS];
};

/**
 * struct ubsec_queue - MCR1 or MCR2
 * @reg: the MCR register
 * @full: its STAT.*_FULL bit
 * @max_pkts: packets per MCR
 * @slots: the MCRs
 * @free: MCRs not in use
 * @posted: MCRs given to the chip, in order
 * @waiting: jobs not yet in an MCR, in order
 * @last_progress: jiffies of the last completion or first post
 * @full_since: jiffies since when jobs wait, none is posted and the chip
 *	says FULL; 0 when that is not so (the tick's watchdog)
 */
struct ubsec_queue {
	u32 reg;
	u32 full;
	unsigned int max_pkts;
	struct ubsec_slot *slots;
	struct list_head free;
	struct list_head posted;
	struct list_head waiting;
	unsigned long last_progress;
	unsigned long full_since;
};

/* Statistics (debugfs stats) */
struct ubsec_stats {
	u64 mcrs[UBSEC_QUEUES];
	u64 pkts[UBSEC_QUEUES];
	u64 batched;		/* MCR1s with more than one packet */
	u32 max_batch;
	u32 resets;
	u32 timeouts;
	u32 dma_errors;
	u32 pkt_errors;		/* MCRs the chip marked ERROR */
	u64 soft;		/* requests done in software */
	u64 gave_back;		/* key operations given back */
	u64 rng;		/* RNG jobs done */
	u64 rng_bytes;		/* random bytes handed to hwrng */
	u32 rng_errors;		/* RNG jobs that failed */
};

enum ubsec_state { UBSEC_STATE_INIT, UBSEC_STATE_RUNNING, UBSEC_STATE_GONE,
		   UBSEC_STATE_STOPPED };

/**
 * struct ubsec_dev - one chip
 * @bus: its bus
 * @dev: @bus->dev
 * @info: what the part has
 * @id: the number in @name
 * @name: "ubsecN", the OCF producer's name
 * @lock: protects the queues, @state, @stats, the chip's MCR registers
 * @state: enum ubsec_state
 * @q: MCR1 and MCR2
 * @soft: jobs to finish in software or give back, under @lock
 * @statmask: the STAT bits the interrupt handler acknowledges
 * @ctrl: what CTRL is set to
 * @wq: ordered workqueue: completions, recovery
 * @done_work: reaps finished MCRs, feeds the queues, finishes @soft
 * @reset_work: resets the chip after a DMA error or a timeout
 * @gone_work: takes everything off a chip that was pulled out
 * @unregister_work: then withdraws the producer, from the system
 *	workqueue: ocf_producer_unregister() waits for requests that @wq
 *	finishes
 * @tick: the watchdog
 * @producer: the OCF registration
 * @reg_lock: serializes withdrawing @producer
 * @registered: @producer is registered, under @reg_lock
 * @stats: counters
 * @debugfs: this chip's directory
 * @rng: the hwrng registration (chips with the RNG, module parameter rng)
 * @rng_on: @rng is registered, under @reg_lock
 * @rng_job: the one RNG job, reused by every read; NULL without an RNG
 * @rng_lock: one RNG job in flight at a time
 * @rng_done: @rng_job finished or was abandoned
 * @rng_status: its outcome: 0, or -EIO / -ENODEV
 */
struct ubsec_dev {
	struct ubsec_bus *bus;
	struct device *dev;
	const struct ubsec_chip_info *info;
	int id;
	char name[16];
	spinlock_t lock;	/* the queues, state, stats, MCR registers */
	enum ubsec_state state;
	struct ubsec_queue q[UBSEC_QUEUES];
	struct list_head soft;
	u32 statmask;
	u32 ctrl;
	struct workqueue_struct *wq;
	struct work_struct done_work;
	struct work_struct reset_work;
	struct work_struct gone_work;
	struct work_struct unregister_work;
	struct delayed_work tick;
	struct ocf_producer producer;
	struct mutex reg_lock;	/* withdrawing the producer */
	bool registered;
	struct ubsec_stats stats;
	struct dentry *debugfs;
	struct hwrng rng;
	bool rng_on;
	struct ubsec_job *rng_job;
	struct mutex rng_lock;	/* one RNG job in flight */
	struct completion rng_done;
	int rng_status;
};

static inline bool ubsec_has(const struct ubsec_dev *ud, u32 flag)
{
	return ud->info->flags & flag;
}

/* Whether the tests have @ud break @rule (UBSEC_BREAK_*) */
static inline bool ubsec_breaks(const struct ubsec_dev *ud, unsigned int rule)
{
	int dev = READ_ONCE(ubsec_test_break_dev);

	return ud->bus->modelled && (READ_ONCE(ubsec_test_break) & rule) &&
	       (dev < 0 || dev == ud->id);
}

void ubsec_queue_job(struct ubsec_dev *ud, enum ubsec_qid qid, struct ubsec_job *job);
void ubsec_queue_soft(struct ubsec_dev *ud, struct ubsec_job *job);

void ubsec_core_init(void);
void ubsec_core_exit(void);

/* Key operations and the RNG go to MCR2, packets to MCR1. */
static inline enum ubsec_qid ubsec_job_qid(const struct ubsec_job *job)
{
	return job->kreq || (job->flags & UBSEC_JOB_RNG) ? UBSEC_Q_KEY : UBSEC_Q_SYM;
}

/* producer.c */
int ubsec_producer_register(struct ubsec_dev *ud);
struct ubsec_job *ubsec_job_alloc(struct ubsec_dev *ud, u32 data, gfp_t gfp);
void ubsec_job_free(struct ubsec_dev *ud, struct ubsec_job *job);
int ubsec_job_stage(struct ubsec_dev *ud, struct ubsec_job *job);
void ubsec_job_finish(struct ubsec_dev *ud, struct ubsec_job *job, bool error);
void ubsec_job_abandon(struct ubsec_dev *ud, struct ubsec_job *job);

/* rng.c */
int ubsec_rng_attach(struct ubsec_dev *ud);
void ubsec_rng_register(struct ubsec_dev *ud);
void ubsec_rng_unregister(struct ubsec_dev *ud);
void ubsec_rng_detach(struct ubsec_dev *ud);
void ubsec_rng_stage(struct ubsec_dev *ud, struct ubsec_job *job);
void ubsec_rng_finish(struct ubsec_dev *ud, struct ubsec_job *job, int status);

#endif /* _UBSEC_CORE_H */
