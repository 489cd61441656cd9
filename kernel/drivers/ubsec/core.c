// SPDX-License-Identifier: GPL-2.0
/*
 * The ubsec driver core: bring-up, the two MCR queues, interrupts,
 * recovery, statistics.
 *
 * Jobs (symmetric packets, key operations) wait on their queue's list
 * until an MCR is free and the chip's *_FULL bit is clear, then go to the
 * chip several to an MCR (MCR1, at most UBSEC_MAX_AGGR, as FB9): the longer
 * the chip keeps the queue full, the more packets the next MCR carries, the
 * paper's interrupt coalescing. The chip sets DONE (or ERROR) in an MCR's
 * flags when it has done all its packets, in order.
 *
 * Failures: a DMA error, or no completion for timeout_ms while MCRs are
 * posted, resets the chip (CTRL.RESET, 10 us) and posts every unfinished
 * job again from its request's untouched input; after 3 resets a job is
 * done in software (key operations: given back with -EAGAIN to run on
 * another producer). An MCR the chip marks ERROR has its jobs done the same
 * way. Registers that read all ones: surprise removal; everything pending
 * and everything still arriving finishes that way, and the producer is
 * withdrawn.
 */

#include <linux/debugfs.h>
#include <linux/delay.h>
#include <linux/idr.h>
#include <linux/module.h>
#include <linux/seq_file.h>
#include <linux/slab.h>

#include "core.h"

static unsigned int ubsec_timeout_ms = 2000;
module_param_named(timeout_ms, ubsec_timeout_ms, uint, 0644);
MODULE_PARM_DESC(timeout_ms, "reset a chip that completes nothing for this long (ms)");

unsigned int ubsec_test_break;
module_param_named(test_break, ubsec_test_break, uint, 0644);
MODULE_PARM_DESC(test_break, "tests only: drive a chip model wrongly (UBSEC_BREAK_* bits); real cards ignore it");

int ubsec_test_break_dev = -1;
module_param_named(test_break_dev, ubsec_test_break_dev, int, 0644);
MODULE_PARM_DESC(test_break_dev, "tests only: test_break applies to ubsecN only (-1: to every chip)");

/* MCRs per queue */
#define UBSEC_SYM_SLOTS		16
#define UBSEC_KEY_SLOTS		8
#define UBSEC_TICK		msecs_to_jiffies(250)
#define UBSEC_MAX_TRIES		3

static DEFINE_IDA(ubsec_ida);
static struct dentry *ubsec_debugfs_root;

#define UBSEC_SYM	(UBSEC_HAS_LONGCTX | UBSEC_HAS_HWNORM | UBSEC_HAS_BIGKEY)
#define UBSEC_5820	(UBSEC_HAS_KEY | UBSEC_HAS_RNG | UBSEC_SYM)

/* FB9 ubsecvar.h and ubsec_attach; AES as NB (5823/5825) */
const struct ubsec_chip_info ubsec_chips[UBSEC_CHIP_COUNT] = {
	[UBSEC_CHIP_5801] = { "5801", 0 },
	[UBSEC_CHIP_5802] = { "5802", UBSEC_HAS_KEY | UBSEC_HAS_RNG },
	[UBSEC_CHIP_5805] = { "5805", UBSEC_HAS_KEY | UBSEC_HAS_RNG },
	[UBSEC_CHIP_5820] = { "5820", UBSEC_5820 },
	[UBSEC_CHIP_5821] = { "5821", UBSEC_5820 | UBSEC_HAS_ALLEMPTY },
	[UBSEC_CHIP_5822] = { "5822", UBSEC_5820 | UBSEC_HAS_ALLEMPTY },
	[UBSEC_CHIP_5823] = { "5823", UBSEC_5820 | UBSEC_HAS_ALLEMPTY | UBSEC_HAS_AES },
	[UBSEC_CHIP_5825] = { "5825", UBSEC_5820 | UBSEC_HAS_ALLEMPTY | UBSEC_HAS_AES },
	[UBSEC_CHIP_5501] = { "5501", 0 },
	[UBSEC_CHIP_5601] = { "5601", UBSEC_HAS_KEY | UBSEC_HAS_RNG },
	[UBSEC_CHIP_SUN_5821] = { "Sun 5821", UBSEC_5820 | UBSEC_HAS_ALLEMPTY },
	[UBSEC_CHIP_SUN_SCA1K] = { "Sun SCA1K", UBSEC_5820 | UBSEC_HAS_ALLEMPTY },
};
EXPORT_SYMBOL_GPL(ubsec_chips);

static u32 ubsec_read(struct ubsec_dev *ud, u32 off)
{
	return ud->bus->ops->read(ud->bus, off);
}

static void ubsec_write(struct ubsec_dev *ud, u32 off, u32 val)
{
	ud->bus->ops->write(ud->bus, off, val);
}

/* Reset pulse, then FB9's ubsec_init_board(); acknowledges old status. */
static void ubsec_chip_reset(struct ubsec_dev *ud)
{
	u32 ctrl;

	ctrl = ubsec_read(ud, UBSEC_CTRL);
	ubsec_write(ud, UBSEC_CTRL, ctrl | UBSEC_CTRL_RESET);
	udelay(UBSEC_RESET_US);
	ctrl = ubsec_read(ud, UBSEC_CTRL) & ~UBSEC_CTRL_RESET;
	ctrl |= UBSEC_CTRL_LITTLE_ENDIAN | UBSEC_CTRL_MCR1INT;
	if (ubsec_has(ud, UBSEC_HAS_KEY))
		ctrl |= UBSEC_CTRL_MCR2INT;
	else
		ctrl &= ~UBSEC_CTRL_MCR2INT;
	/* 582x: the chip normalizes operands itself. */
	if (ubsec_has(ud, UBSEC_HAS_HWNORM))
		ctrl &= ~UBSEC_CTRL_SWNORM;
	ubsec_write(ud, UBSEC_CTRL, ctrl);
	ud->ctrl = ctrl;
	ubsec_write(ud, UBSEC_STAT, ud->statmask);
}

/* Posts waiting jobs while the chip takes MCRs. */
static void ubsec_feed(struct ubsec_dev *ud, enum ubsec_qid qid)
{
	struct ubsec_queue *q = &ud->q[qid];
	unsigned int max = q->max_pkts, i;
	struct ubsec_slot *slot;
	struct ubsec_job *job;

	lockdep_assert_held(&ud->lock);
	if (qid == UBSEC_Q_SYM && ubsec_breaks(ud, UBSEC_BREAK_AGGR))
		max = UBSEC_SLOT_PKTS;
	while (ud->state == UBSEC_STATE_RUNNING && !list_empty(&q->waiting) &&
	       !list_empty(&q->free)) {
		if (!ubsec_breaks(ud, UBSEC_BREAK_MCR_FULL) &&
		    (ubsec_read(ud, UBSEC_STAT) & q->full))
			break;
		slot = list_first_entry(&q->free, struct ubsec_slot, node);
		slot->n = 0;
		while (slot->n < max && !list_empty(&q->waiting)) {
			job = list_first_entry(&q->waiting, struct ubsec_job, node);
			list_del_init(&job->node);
			i = slot->n++;
			slot->jobs[i] = job;
			slot->mcr->p[i].cmdctxp = cpu_to_le32(job->cmdctx);
			slot->mcr->p[i].in = job->pb_in;
			slot->mcr->p[i].rsvd = 0;
			slot->mcr->p[i].pktlen = cpu_to_le16(job->pktlen);
			slot->mcr->p[i].out = job->pb_out;
		}
		slot->mcr->pkts = cpu_to_le16(slot->n);
		slot->mcr->flags = 0;
		/* The MCR before the chip learns of it */
		dma_wmb();
		ubsec_write(ud, q->reg, slot->dma);
		if (list_empty(&q->posted))
			q->last_progress = jiffies;
		list_move_tail(&slot->node, &q->posted);
		ud->stats.mcrs[qid]++;
		ud->stats.pkts[qid] += slot->n;
		if (qid == UBSEC_Q_SYM && slot->n > 1)
			ud->stats.batched++;
		if (qid == UBSEC_Q_SYM)
			ud->stats.max_batch = max(ud->stats.max_batch, slot->n);
	}
}

/**
 * ubsec_queue_job() - give the chip a staged job
 * @ud: the chip
 * @qid: its queue
 * @job: staged (ubsec_job_stage())
 *
 * Context: any; takes @ud->lock.
 */
void ubsec_queue_job(struct ubsec_dev *ud, enum ubsec_qid qid, struct ubsec_job *job)
{
	unsigned long flags;

	spin_lock_irqsave(&ud->lock, flags);
	if (ud->state == UBSEC_STATE_RUNNING) {
		list_add_tail(&job->node, &ud->q[qid].waiting);
		ubsec_feed(ud, qid);
	} else {
		list_add_tail(&job->node, &ud->soft);
		queue_work(ud->wq, &ud->done_work);
	}
	spin_unlock_irqrestore(&ud->lock, flags);
}

/**
 * ubsec_queue_soft() - have a job done without the chip, from the workqueue
 * @ud: the chip
 * @job: the job
 *
 * Context: any; takes @ud->lock.
 */
void ubsec_queue_soft(struct ubsec_dev *ud, struct ubsec_job *job)
{
	unsigned long flags;

	spin_lock_irqsave(&ud->lock, flags);
	list_add_tail(&job->node, &ud->soft);
	queue_work(ud->wq, &ud->done_work);
	spin_unlock_irqrestore(&ud->lock, flags);
}

/* Moves the MCRs the chip has finished, in order, to @done. */
static void ubsec_reap(struct ubsec_dev *ud, struct list_head *done)
{
	struct ubsec_slot *slot;
	unsigned int qid;
	u16 flags;

	lockdep_assert_held(&ud->lock);
	for (qid = 0; qid < UBSEC_QUEUES; qid++) {
		struct ubsec_queue *q = &ud->q[qid];

		while ((slot = list_first_entry_or_null(&q->posted, struct ubsec_slot, node))) {
			flags = le16_to_cpu(READ_ONCE(slot->mcr->flags));
			if (!(flags & (UBSEC_MCR_DONE | UBSEC_MCR_ERROR)))
				break;
			if (flags & UBSEC_MCR_ERROR)
				ud->stats.pkt_errors++;
			list_move_tail(&slot->node, done);
			q->last_progress = jiffies;
		}
	}
	/* The results after the flags that say they are there */
	dma_rmb();
}

/* Completes the jobs of finished MCRs and frees the MCRs. */
static void ubsec_finish_slots(struct ubsec_dev *ud, struct list_head *done)
{
	struct ubsec_job *jobs[UBSEC_SLOT_PKTS];
	struct ubsec_slot *slot, *tmp;
	unsigned long flags;
	unsigned int i, n;
	bool error;

	list_for_each_entry_safe(slot, tmp, done, node) {
		error = le16_to_cpu(slot->mcr->flags) & UBSEC_MCR_ERROR;
		n = slot->n;
		memcpy(jobs, slot->jobs, n * sizeof(jobs[0]));
		spin_lock_irqsave(&ud->lock, flags);
		list_move(&slot->node, &ud->q[slot->qid].free);
		spin_unlock_irqrestore(&ud->lock, flags);
		for (i = 0; i < n; i++)
			ubsec_job_finish(ud, jobs[i], error);
	}
}

/* Finishes jobs in software or gives them back (@ud->soft). */
static void ubsec_finish_soft(struct ubsec_dev *ud)
{
	struct ubsec_job *job, *tmp;
	unsigned long flags;
	LIST_HEAD(soft);

	spin_lock_irqsave(&ud->lock, flags);
	list_splice_init(&ud->soft, &soft);
	spin_unlock_irqrestore(&ud->lock, flags);
	list_for_each_entry_safe(job, tmp, &soft, node) {
		list_del_init(&job->node);
		ubsec_job_abandon(ud, job);
	}
}

static void ubsec_done_work(struct work_struct *work)
{
	struct ubsec_dev *ud = container_of(work, struct ubsec_dev, done_work);
	unsigned long flags;
	LIST_HEAD(done);

	spin_lock_irqsave(&ud->lock, flags);
	ubsec_reap(ud, &done);
	spin_unlock_irqrestore(&ud->lock, flags);
	ubsec_finish_slots(ud, &done);
	spin_lock_irqsave(&ud->lock, flags);
	ubsec_feed(ud, UBSEC_Q_SYM);
	ubsec_feed(ud, UBSEC_Q_KEY);
	spin_unlock_irqrestore(&ud->lock, flags);
	ubsec_finish_soft(ud);
}

/*
 * Takes every job off the chip and the queues into @jobs (posted ones
 * first, in order). The chip must be reset or gone. With @suspects, the
 * jobs of each queue's oldest posted MCR go there instead: MCRs finish in
 * order, so a stalled queue stalled on that one.
 */
static void ubsec_take_all(struct ubsec_dev *ud, struct list_head *suspects,
			   struct list_head *jobs)
{
	struct ubsec_slot *slot, *tmp;
	struct list_head *to;
	unsigned int qid, i;

	lockdep_assert_held(&ud->lock);
	for (qid = 0; qid < UBSEC_QUEUES; qid++) {
		struct ubsec_queue *q = &ud->q[qid];

		to = suspects ?: jobs;
		list_for_each_entry_safe(slot, tmp, &q->posted, node) {
			for (i = 0; i < slot->n; i++)
				list_add_tail(&slot->jobs[i]->node, to);
			list_move_tail(&slot->node, &q->free);
			to = jobs;
		}
		list_splice_tail_init(&q->waiting, jobs);
		q->full_since = 0;
	}
}

/* Stages @job again for the reset chip, or gives up on it after too many tries. */
static void ubsec_replay(struct ubsec_dev *ud, struct ubsec_job *job, bool charge)
{
	list_del_init(&job->node);
	if ((charge && ++job->tries > UBSEC_MAX_TRIES) || ubsec_job_stage(ud, job))
		ubsec_job_abandon(ud, job);
	else
		ubsec_queue_job(ud, ubsec_job_qid(job), job);
}

static void ubsec_reset_work(struct work_struct *work)
{
	struct ubsec_dev *ud = container_of(work, struct ubsec_dev, reset_work);
	struct ubsec_job *job, *tmp;
	unsigned long flags;
	LIST_HEAD(suspects);
	LIST_HEAD(done);
	LIST_HEAD(jobs);
	bool none_posted;

	spin_lock_irqsave(&ud->lock, flags);
	if (ud->state != UBSEC_STATE_RUNNING) {
		spin_unlock_irqrestore(&ud->lock, flags);
		return;
	}
	/* What the chip finished before the reset is kept. */
	ubsec_reap(ud, &done);
	ubsec_chip_reset(ud);
	ud->stats.resets++;
	ubsec_take_all(ud, &suspects, &jobs);
	spin_unlock_irqrestore(&ud->lock, flags);
	dev_warn(ud->dev, "%s: chip reset\n", ud->name);
	ubsec_finish_slots(ud, &done);

	/*
	 * Only the MCRs the chip stalled on are charged a try, so that one
	 * poison packet does not send the work queued behind it to software.
	 * A chip that stalls with nothing of ours posted (FULL stuck) charges
	 * everyone, or it would be reset for ever.
	 */
	none_posted = list_empty(&suspects);
	list_for_each_entry_safe(job, tmp, &suspects, node)
		ubsec_replay(ud, job, true);
	list_for_each_entry_safe(job, tmp, &jobs, node)
		ubsec_replay(ud, job, none_posted);
}

static void ubsec_gone_work(struct work_struct *work)
{
	struct ubsec_dev *ud = container_of(work, struct ubsec_dev, gone_work);
	unsigned long flags;
	LIST_HEAD(jobs);

	dev_err(ud->dev, "%s: the chip is gone\n", ud->name);
	/*
	 * All-ones reads do not prove the card stopped mastering the bus:
	 * stop it before its jobs' buffers are freed.
	 */
	if (ud->bus->ops->quiesce)
		ud->bus->ops->quiesce(ud->bus);
	spin_lock_irqsave(&ud->lock, flags);
	ubsec_take_all(ud, NULL, &jobs);
	list_splice_tail_init(&jobs, &ud->soft);
	spin_unlock_irqrestore(&ud->lock, flags);
	ubsec_finish_soft(ud);
	schedule_work(&ud->unregister_work);
}

/* Withdraws the hwrng and the producer once; returns when no callback of them runs. */
static void ubsec_withdraw(struct ubsec_dev *ud)
{
	ubsec_rng_unregister(ud);
	mutex_lock(&ud->reg_lock);
	if (ud->registered) {
		ocf_producer_unregister(&ud->producer);
		ud->registered = false;
	}
	mutex_unlock(&ud->reg_lock);
}

static void ubsec_unregister_work(struct work_struct *work)
{
	ubsec_withdraw(container_of(work, struct ubsec_dev, unregister_work));
}

static void ubsec_tick(struct work_struct *work)
{
	struct ubsec_dev *ud = container_of(to_delayed_work(work), struct ubsec_dev, tick);
	/* Shorter than a few ticks would reset a chip that is merely busy. */
	unsigned long timeout = msecs_to_jiffies(max(READ_ONCE(ubsec_timeout_ms), 100u));
	bool stuck = false;
	unsigned long flags;
	unsigned int qid;
	u32 stat;

	spin_lock_irqsave(&ud->lock, flags);
	stat = ubsec_read(ud, UBSEC_STAT);
	if (ud->state == UBSEC_STATE_RUNNING && stat == U32_MAX) {
		ud->state = UBSEC_STATE_GONE;
		queue_work(ud->wq, &ud->gone_work);
	} else if (ud->state == UBSEC_STATE_RUNNING && (stat & UBSEC_STAT_DMAERR)) {
		/* Whether silicon interrupts on DMAERR without CTRL.DMAERR is not known. */
		ubsec_write(ud, UBSEC_STAT, UBSEC_STAT_DMAERR);
		ud->stats.dma_errors++;
		queue_work(ud->wq, &ud->reset_work);
	}
	for (qid = 0; qid < UBSEC_QUEUES; qid++) {
		struct ubsec_queue *q = &ud->q[qid];

		if (!list_empty(&q->posted) && time_after(jiffies, q->last_progress + timeout))
			stuck = true;
		/* Jobs held back by a FULL that nothing of ours explains */
		if (!list_empty(&q->posted) || list_empty(&q->waiting) || !(stat & q->full))
			q->full_since = 0;
		else if (!q->full_since)
			q->full_since = jiffies ?: 1;
		else if (time_after(jiffies, q->full_since + timeout))
			stuck = true;
	}
	if (stuck && ud->state == UBSEC_STATE_RUNNING) {
		ud->stats.timeouts++;
		queue_work(ud->wq, &ud->reset_work);
	}
	spin_unlock_irqrestore(&ud->lock, flags);
	/* A lost interrupt costs a tick. */
	queue_work(ud->wq, &ud->done_work);
	queue_delayed_work(ud->wq, &ud->tick, UBSEC_TICK);
}

static irqreturn_t ubsec_irq(int irq, void *data)
{
	struct ubsec_dev *ud = data;
	u32 stat;

	spin_lock(&ud->lock);
	stat = ubsec_read(ud, UBSEC_STAT);
	if (stat == U32_MAX) {
		bool ours = ud->state == UBSEC_STATE_RUNNING;

		/* Once it is gone, the shared line's other devices' interrupts are theirs. */
		if (ours) {
			ud->state = UBSEC_STATE_GONE;
			queue_work(ud->wq, &ud->gone_work);
		}
		spin_unlock(&ud->lock);
		return ours ? IRQ_HANDLED : IRQ_NONE;
	}
	if (!(stat & ud->statmask)) {
		spin_unlock(&ud->lock);
		return IRQ_NONE;
	}
	ubsec_write(ud, UBSEC_STAT, stat & ud->statmask);
	if (stat & UBSEC_STAT_DMAERR) {
		ud->stats.dma_errors++;
		dev_warn_ratelimited(ud->dev, "%s: DMA error at %#x\n", ud->name,
				     ubsec_read(ud, UBSEC_ERR));
		queue_work(ud->wq, &ud->reset_work);
	}
	queue_work(ud->wq, &ud->done_work);
	spin_unlock(&ud->lock);
	return IRQ_HANDLED;
}

static int ubsec_stats_show(struct seq_file *s, void *unused)
{
	struct ubsec_dev *ud = s->private;
	struct ubsec_stats st;
	unsigned long flags;

	spin_lock_irqsave(&ud->lock, flags);
	st = ud->stats;
	spin_unlock_irqrestore(&ud->lock, flags);
	seq_printf(s, "chip=%s\nmcr1=%llu\nmcr1_packets=%llu\nmcr1_batched=%llu\nmax_batch=%u\n",
		   ud->info->name, st.mcrs[UBSEC_Q_SYM], st.pkts[UBSEC_Q_SYM], st.batched,
		   st.max_batch);
	seq_printf(s, "mcr2=%llu\nresets=%u\ntimeouts=%u\ndma_errors=%u\nmcr_errors=%u\n",
		   st.mcrs[UBSEC_Q_KEY], st.resets, st.timeouts, st.dma_errors, st.pkt_errors);
	seq_printf(s, "soft=%llu\ngave_back=%llu\n", st.soft, st.gave_back);
	seq_printf(s, "rng=%llu\nrng_bytes=%llu\nrng_errors=%u\n", st.rng, st.rng_bytes,
		   st.rng_errors);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(ubsec_stats);

static void ubsec_free_queues(struct ubsec_dev *ud)
{
	unsigned int qid, i, n;

	for (qid = 0; qid < UBSEC_QUEUES; qid++) {
		struct ubsec_queue *q = &ud->q[qid];

		if (!q->slots)
			continue;
		n = qid == UBSEC_Q_SYM ? UBSEC_SYM_SLOTS : UBSEC_KEY_SLOTS;
		for (i = 0; i < n; i++)
			if (q->slots[i].mcr)
				dma_free_coherent(ud->dev, UBSEC_MCR_SIZE, q->slots[i].mcr,
						  q->slots[i].dma);
		kfree(q->slots);
		q->slots = NULL;
	}
}

static int ubsec_alloc_queues(struct ubsec_dev *ud)
{
	static const u32 regs[] = { UBSEC_MCR1, UBSEC_MCR2 };
	static const u32 full[] = { UBSEC_STAT_MCR1_FULL, UBSEC_STAT_MCR2_FULL };
	unsigned int qid, i, n;

	for (qid = 0; qid < UBSEC_QUEUES; qid++) {
		struct ubsec_queue *q = &ud->q[qid];

		q->reg = regs[qid];
		q->full = full[qid];
		/* FB9 aggregates symmetric packets; key operations go one by one. */
		q->max_pkts = qid == UBSEC_Q_SYM ? UBSEC_MAX_AGGR : 1;
		INIT_LIST_HEAD(&q->free);
		INIT_LIST_HEAD(&q->posted);
		INIT_LIST_HEAD(&q->waiting);
		n = qid == UBSEC_Q_SYM ? UBSEC_SYM_SLOTS : UBSEC_KEY_SLOTS;
		q->slots = kcalloc(n, sizeof(*q->slots), GFP_KERNEL);
		if (!q->slots)
			return -ENOMEM;
		for (i = 0; i < n; i++) {
			q->slots[i].mcr = dma_alloc_coherent(ud->dev, UBSEC_MCR_SIZE,
							     &q->slots[i].dma, GFP_KERNEL);
			if (!q->slots[i].mcr)
				return -ENOMEM;
			q->slots[i].qid = qid;
			list_add_tail(&q->slots[i].node, &q->free);
		}
	}
	return 0;
}

/**
 * ubsec_attach() - bring a chip up and offer it to OCF
 * @bus: the chip's bus
 *
 * Context: process; sleeps.
 * Return: the device or an ERR_PTR.
 */
struct ubsec_dev *ubsec_attach(struct ubsec_bus *bus)
{
	struct ubsec_dev *ud;
	int ret;

	if (bus->chip >= UBSEC_CHIP_COUNT)
		return ERR_PTR(-EINVAL);
	ud = kzalloc(sizeof(*ud), GFP_KERNEL);
	if (!ud)
		return ERR_PTR(-ENOMEM);
	ud->bus = bus;
	ud->dev = bus->dev;
	ud->info = &ubsec_chips[bus->chip];
	spin_lock_init(&ud->lock);
	INIT_LIST_HEAD(&ud->soft);
	INIT_WORK(&ud->done_work, ubsec_done_work);
	INIT_WORK(&ud->reset_work, ubsec_reset_work);
	INIT_WORK(&ud->gone_work, ubsec_gone_work);
	INIT_WORK(&ud->unregister_work, ubsec_unregister_work);
	mutex_init(&ud->reg_lock);
	INIT_DELAYED_WORK(&ud->tick, ubsec_tick);
	ud->id = ida_alloc(&ubsec_ida, GFP_KERNEL);
	if (ud->id < 0) {
		ret = ud->id;
		goto err_free;
	}
	snprintf(ud->name, sizeof(ud->name), "ubsec%d", ud->id);
	ud->wq = alloc_ordered_workqueue("%s", WQ_MEM_RECLAIM | WQ_HIGHPRI, ud->name);
	if (!ud->wq) {
		ret = -ENOMEM;
		goto err_ida;
	}
	ret = ubsec_alloc_queues(ud);
	if (ret)
		goto err_queues;
	ret = ubsec_rng_attach(ud);
	if (ret)
		goto err_queues;

	/* FB9's sc_statmask */
	ud->statmask = UBSEC_STAT_MCR1_DONE | UBSEC_STAT_DMAERR;
	if (ubsec_has(ud, UBSEC_HAS_KEY))
		ud->statmask |= UBSEC_STAT_MCR2_DONE;
	if (ubsec_has(ud, UBSEC_HAS_ALLEMPTY))
		ud->statmask |= UBSEC_STAT_MCR1_ALLEMPTY | UBSEC_STAT_MCR2_ALLEMPTY;
	if (ubsec_read(ud, UBSEC_STAT) == U32_MAX) {
		ret = -ENODEV;
		goto err_queues;
	}
	ubsec_chip_reset(ud);
	ret = bus->ops->request_irq(bus, ubsec_irq, ud);
	if (ret)
		goto err_queues;
	ud->state = UBSEC_STATE_RUNNING;
	/* Under reg_lock: a chip gone in the meantime withdraws it at once. */
	mutex_lock(&ud->reg_lock);
	ret = ubsec_producer_register(ud);
	ud->registered = !ret;
	mutex_unlock(&ud->reg_lock);
	if (ret)
		goto err_irq;
	ud->debugfs = debugfs_create_dir(ud->name, ubsec_debugfs_root);
	debugfs_create_file("stats", 0444, ud->debugfs, ud, &ubsec_stats_fops);
	queue_delayed_work(ud->wq, &ud->tick, UBSEC_TICK);
	ubsec_rng_register(ud);
	dev_info(ud->dev, "%s: Broadcom %s%s\n", ud->name, ud->info->name,
		 ud->rng_on ? ", RNG" : "");
	return ud;

err_irq:
	ud->state = UBSEC_STATE_STOPPED;
	bus->ops->free_irq(bus, ud);
err_queues:
	ubsec_rng_detach(ud);
	ubsec_free_queues(ud);
	destroy_workqueue(ud->wq);
err_ida:
	ida_free(&ubsec_ida, ud->id);
err_free:
	kfree(ud);
	return ERR_PTR(ret);
}
EXPORT_SYMBOL_GPL(ubsec_attach);

/**
 * ubsec_detach() - withdraw a chip; safe under traffic
 * @ud: from ubsec_attach()
 *
 * Finished work completes; the rest is done in software or given back.
 * Context: process; sleeps.
 */
void ubsec_detach(struct ubsec_dev *ud)
{
	unsigned long flags;
	LIST_HEAD(done);
	LIST_HEAD(jobs);

	/* Before anything goes: returns when no RNG read runs or will. */
	ubsec_rng_unregister(ud);
	spin_lock_irqsave(&ud->lock, flags);
	if (ud->state == UBSEC_STATE_RUNNING) {
		ubsec_reap(ud, &done);
		/* Stops the chip's DMA before the buffers go, and leaves it quiet. */
		ubsec_chip_reset(ud);
		ubsec_write(ud, UBSEC_CTRL, ud->ctrl & ~(UBSEC_CTRL_MCR1INT | UBSEC_CTRL_MCR2INT));
	}
	ud->state = UBSEC_STATE_STOPPED;
	ubsec_take_all(ud, NULL, &jobs);
	list_splice_tail_init(&jobs, &ud->soft);
	spin_unlock_irqrestore(&ud->lock, flags);
	cancel_delayed_work_sync(&ud->tick);
	/* No new one after STOPPED; one queued before has run after this. */
	flush_work(&ud->gone_work);
	ubsec_finish_slots(ud, &done);
	ubsec_finish_soft(ud);
	/* Requests arriving meanwhile are finished from the workqueue. */
	ubsec_withdraw(ud);
	flush_work(&ud->unregister_work);
	ud->bus->ops->free_irq(ud->bus, ud);
	flush_workqueue(ud->wq);
	cancel_work_sync(&ud->reset_work);
	ubsec_finish_soft(ud);
	debugfs_remove_recursive(ud->debugfs);
	destroy_workqueue(ud->wq);
	ubsec_rng_detach(ud);
	ubsec_free_queues(ud);
	ida_free(&ubsec_ida, ud->id);
	kfree(ud);
}
EXPORT_SYMBOL_GPL(ubsec_detach);

const char *ubsec_name(const struct ubsec_dev *ud)
{
	return ud->name;
}
EXPORT_SYMBOL_GPL(ubsec_name);

void ubsec_core_init(void)
{
	ubsec_debugfs_root = debugfs_create_dir("ocf_ubsec", NULL);
}

void ubsec_core_exit(void)
{
	debugfs_remove_recursive(ubsec_debugfs_root);
}
