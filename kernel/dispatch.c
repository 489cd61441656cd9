// SPDX-License-Identifier: GPL-2.0
/*
 * Requests: checked, queued to workers, handed to the session's producer,
 * retried when it is busy, moved when it goes away, completed in process
 * context.
 */

#include <crypto/scatterwalk.h>
#include <linux/export.h>
#include <linux/kref.h>
#include <linux/ktime.h>
#include <linux/lockdep.h>
#include <linux/moduleparam.h>
#include <linux/overflow.h>
#include <linux/preempt.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/srcu.h>
#include <linux/workqueue.h>

#include "dispatch.h"
#include "policy.h"
#include "producer.h"
#include "session.h"
#include "stats.h"

/*
 * Unbound: requests spread over all CPUs, and a producer that sleeps in
 * process() holds up only its own worker.
 */
struct workqueue_struct *ocf_wq;

/*
 * Held across every call into a producer's process() and kprocess(): a
 * synchronous producer completes the request (and so lets unregister see
 * it drained) before it returns, and its module must stay loaded until it
 * has.
 */
DEFINE_SRCU(ocf_producer_srcu);

/*
 * Runs @fn on @req in a worker, after @delay jiffies. The work item is set
 * up again each time: a request is only ever in one place (a producer, a
 * backlog, a list, or one queued work), and nobody touches it after handing
 * it on, so it is never queued twice at once.
 */
static void ocf_request_queue(struct ocf_request *req, work_func_t fn, unsigned long delay)
{
	INIT_DELAYED_WORK(&req->work, fn);
	queue_delayed_work(ocf_wq, &req->work, delay);
}

static struct ocf_request *ocf_request_of(struct work_struct *work)
{
	return container_of(to_delayed_work(work), struct ocf_request, work);
}

static bool ocf_region_ok(u32 offset, u32 len, u32 total)
{
	return (u64)offset + len <= total;
}

static int ocf_request_check(const struct ocf_request *req, const struct ocf_session *s)
{
	const struct ocf_alg_info *c = s->cipher, *m = s->mac;
	bool aead = c && c->kind == OCF_KIND_AEAD;
	u32 mac_len = s->params.mac_len;

	if (req->op != OCF_OP_ENCRYPT && req->op != OCF_OP_DECRYPT)
		return -EINVAL;
	if (req->flags & ~OCF_OP_FLAGS || !req->src || !req->dst || !req->complete)
		return -EINVAL;
	if (c) {
		if (!ocf_region_ok(req->cipher_offset, req->cipher_len, req->len))
			return -EINVAL;
		if (req->cipher_len % c->block_len)
			return -EINVAL;
		if ((req->flags & OCF_OP_IV_IN_BUFFER) &&
		    !ocf_region_ok(req->iv_offset, c->iv_len, req->len))
			return -EINVAL;
	} else if (req->cipher_offset || req->cipher_len || (req->flags & OCF_OP_IV_IN_BUFFER)) {
		return -EINVAL;
	}
	if (m || aead) {
		if (!ocf_region_ok(req->auth_offset, req->auth_len, req->len) ||
		    !ocf_region_ok(req->mac_offset, mac_len, req->len))
			return -EINVAL;
	} else if (req->auth_offset || req->auth_len || req->mac_offset) {
		return -EINVAL;
	}
	/* The crypto API's AEAD layout: AAD, text, tag, one after another. */
	if (aead && ((u64)req->auth_offset + req->auth_len != req->cipher_offset ||
		     (u64)req->cipher_offset + req->cipher_len != req->mac_offset))
		return -EINVAL;
	return 0;
}

/* A decryption that checks a MAC or tag: its output waits for the verdict. */
static bool ocf_request_verifies(const struct ocf_request *req)
{
	const struct ocf_session *s = req->session;

	return req->op == OCF_OP_DECRYPT && (s->mac || s->cipher->kind == OCF_KIND_AEAD);
}

/**
 * ocf_request_copy_rest() - copy the bytes outside the cipher region to the
 * output of an out-of-place request
 * @req: the request
 */
void ocf_request_copy_rest(struct ocf_request *req)
{
	u32 end = req->cipher_offset + req->cipher_len;

	if (req->src == req->dst)
		return;
	ocf_sg_copy(req->dst, req->src, 0, req->cipher_offset);
	ocf_sg_copy(req->dst, req->src, end, req->len - end);
}
EXPORT_SYMBOL_GPL(ocf_request_copy_rest);

static unsigned int parallel_bytes = 32768;
module_param(parallel_bytes, uint, 0644);
MODULE_PARM_DESC(parallel_bytes,
		 "batches of at least this many bytes are shared with helper workers; smaller ones run in the submitter's context when their producer is synchronous");

static void ocf_request_start_work(struct work_struct *work);

/*
 * Checks @req and takes it over; after this, complete will be called once.
 * @now: its start (a batch's requests share one: clock reads cost, under
 * virtualization most of all).
 */
static int ocf_request_prepare(struct ocf_request *req, u64 now)
{
	struct ocf_session *s = req->session;
	int ret;

	if (!s)
		return -EINVAL;
	ret = ocf_request_check(req, s);
	if (ret)
		return ret;
	if (req->flags & OCF_OP_IV_IN_BUFFER)
		scatterwalk_map_and_copy(req->iv, req->src, req->iv_offset, s->cipher->iv_len, 0);
	if (!ocf_request_verifies(req))
		ocf_request_copy_rest(req);
	ocf_session_get(s);
	req->status = 0;
	req->producer = NULL;
	req->start_ns = now;
	ocf_counters_start(&s->counters, req->len);
	return 0;
}

/**
 * ocf_dispatch() - submit a request
 * @req: the request, filled in; it belongs to the framework until its
 *	complete callback runs
 *
 * The producer runs the request in a worker, never in the caller's context.
 * May be called from any context but hard interrupt.
 *
 * Return: 0 when the request was queued (complete will be called exactly
 * once), or -EINVAL for a malformed request (complete is not called).
 */
int ocf_dispatch(struct ocf_request *req)
{
	int ret;

	ret = ocf_request_prepare(req, ktime_get_ns());
	if (ret)
		return ret;
	ocf_request_requeue(req);
	return 0;
}
EXPORT_SYMBOL_GPL(ocf_dispatch);

static void ocf_request_start(struct ocf_request *req, bool submitter);

/*
 * A large batch is shared out: the submitter and up to one helper worker per
 * other CPU take its requests one at a time. Freed by whoever leaves last.
 * It has its own copy of the request pointers: a helper reads its entry
 * after it has taken it, when the submitter may have returned already.
 */
struct ocf_batch_share {
	struct kref ref;
	struct ocf_request **reqs;
	u32 n;
	atomic_t next;
	struct ocf_batch_helper {
		struct work_struct work;
		struct ocf_batch_share *share;
	} helpers[];
};

static void ocf_batch_share_release(struct kref *ref)
{
	kfree(container_of(ref, struct ocf_batch_share, ref));
}

static void ocf_batch_pull(struct ocf_batch_share *b, bool submitter)
{
	u32 i;

	while ((i = atomic_inc_return(&b->next) - 1) < b->n)
		ocf_request_start(b->reqs[i], submitter);
	kref_put(&b->ref, ocf_batch_share_release);
}

static void ocf_batch_help(struct work_struct *work)
{
	struct ocf_batch_helper *h = container_of(work, struct ocf_batch_helper, work);

	ocf_batch_pull(h->share, false);
}

/**
 * ocf_dispatch_batch() - submit several requests at once
 * @reqs: the requests; the array is reordered
 * @n: how many
 *
 * As ocf_dispatch() for each, except that requests for synchronous
 * producers run in the caller's context when the batch is small (a handoff
 * to a worker would cost more than the work), and are shared between the
 * caller and helper workers on the other CPUs when it is large. A request
 * that fails the checks completes with its error through its callback.
 * Callbacks may run before this returns; @reqs is the caller's again when
 * it has.
 *
 * Context: process context; may sleep.
 */
void ocf_dispatch_batch(struct ocf_request **reqs, u32 n)
{
	struct ocf_batch_share *b;
	u32 i, k = 0, helpers = 0;
	u64 bytes = 0, now = ktime_get_ns();
	int ret;

	might_sleep();
	for (i = 0; i < n; i++) {
		ret = ocf_request_prepare(reqs[i], now);
		if (ret) {
			reqs[i]->status = ret;
			reqs[i]->complete(reqs[i]);
			continue;
		}
		bytes += reqs[i]->len;
		reqs[k++] = reqs[i];
	}
	if (!k)
		return;
	if (bytes >= READ_ONCE(parallel_bytes))
		helpers = min(k, num_online_cpus()) - 1;
	/* Most batches are small: they need no share to hand out. */
	b = helpers ? kmalloc(size_add(struct_size(b, helpers, helpers),
				       array_size(k, sizeof(*reqs))), GFP_KERNEL) : NULL;
	if (!b) {
		for (i = 0; i < k; i++)
			ocf_request_start(reqs[i], true);
		return;
	}
	kref_init(&b->ref);
	b->reqs = (struct ocf_request **)&b->helpers[helpers];
	memcpy(b->reqs, reqs, array_size(k, sizeof(*reqs)));
	b->n = k;
	atomic_set(&b->next, 0);
	for (i = 0; i < helpers; i++) {
		kref_get(&b->ref);
		b->helpers[i].share = b;
		INIT_WORK(&b->helpers[i].work, ocf_batch_help);
		queue_work(ocf_wq, &b->helpers[i].work);
	}
	ocf_batch_pull(b, true);
}
EXPORT_SYMBOL_GPL(ocf_dispatch_batch);

static void ocf_sync_complete(struct ocf_request *req)
{
	complete(req->opaque);
}

/**
 * ocf_dispatch_sync() - submit a request and wait for it
 * @req: the request; its complete and opaque fields are overwritten
 *
 * Context: process context; sleeps.
 * Return: the request's status, or ocf_dispatch()'s error.
 */
int ocf_dispatch_sync(struct ocf_request *req)
{
	DECLARE_COMPLETION_ONSTACK(done);
	int ret;

	might_sleep();
	req->complete = ocf_sync_complete;
	req->opaque = &done;
	ret = ocf_dispatch(req);
	if (ret)
		return ret;
	wait_for_completion(&done);
	return req->status;
}
EXPORT_SYMBOL_GPL(ocf_dispatch_sync);

/* @now: when it was done */
static void ocf_request_finish(struct ocf_request *req, u64 now)
{
	struct ocf_session *s = req->session;

	if (!req->status && ocf_request_verifies(req))
		ocf_request_copy_rest(req);
	ocf_counters_done(&s->counters, req->len, req->status, now - req->start_ns);
	req->complete(req);
	ocf_session_put(s);
}

static void ocf_request_complete(struct ocf_request *req);
static void ocf_request_retry(struct work_struct *work);

/* Hands @req to @p, which holds an in-flight count for it. */
static void ocf_request_process(struct ocf_request *req, struct ocf_producer *p)
{
	/*
	 * Read first: once an asynchronous producer has completed the request,
	 * it may unregister and its module go before process() returns here.
	 */
	bool sync = p->flags & OCF_PRODUCER_SYNC, later = false;
	int ret, idx;

	idx = srcu_read_lock(&ocf_producer_srcu);
	/* Stable: the session cannot move while @p counts the request. */
	ret = p->ops->process(p, req, req->priv);
	srcu_read_unlock(&ocf_producer_srcu, idx);
	if (ret != -EBUSY) {
		/*
		 * A synchronous producer has recorded its result: complete it
		 * here, out of the SRCU section, so unregister never waits on
		 * what a completion does (unpinning, freeing a session).
		 */
		if (ret)
			req->status = ret;
		if (ret || sync)
			ocf_request_complete(req);
		return;
	}
	spin_lock(&p->lock);
	if (p->dying) {
		ocf_request_unclaim(req, &p->deferred);
	} else if (p->in_flight - p->nbacklog == 1) {
		/*
		 * Backlogged requests count as in flight but are not in the
		 * producer: with nothing in it, no completion would kick the
		 * backlog. Retry from a worker a tick later; never spin here,
		 * which may be the submitter's own context.
		 */
		later = true;
	} else {
		list_add_tail(&req->node, &p->backlog);
		p->nbacklog++;
	}
	spin_unlock(&p->lock);
	if (later)
		ocf_request_queue(req, ocf_request_retry, 1);
}

static void ocf_request_retry(struct work_struct *work)
{
	struct ocf_request *req = ocf_request_of(work);

	ocf_request_process(req, req->producer);
}

/*
 * Hands @req to its session's producer. From the submitter's own context
 * only a synchronous producer runs it there; others get it from a worker.
 */
static void ocf_request_start(struct ocf_request *req, bool submitter)
{
	struct ocf_session *s = req->session;
	struct ocf_binding *b;
	struct ocf_producer *p;
	int i;

	/* A killed submitter leaves: what it has not started yet fails. */
	if (submitter && fatal_signal_pending(current)) {
		req->status = -EINTR;
		ocf_request_finish(req, ktime_get_ns());
		return;
	}
	down_read(&s->rwsem);
	i = s->nbindings ? ocf_policy_route(s, req) : -ENODEV;
	if (i < 0) {
		up_read(&s->rwsem);
		req->status = i;
		ocf_request_finish(req, ktime_get_ns());
		return;
	}
	b = s->bindings[i];
	p = b->producer;
	if (submitter && !(p->flags & OCF_PRODUCER_SYNC)) {
		up_read(&s->rwsem);
		ocf_request_requeue(req);
		return;
	}
	spin_lock(&p->lock);
	if (p->dying) {
		/* Waits for the migration, which then requeues it. */
		list_add_tail(&req->node, &p->deferred);
		spin_unlock(&p->lock);
		up_read(&s->rwsem);
		return;
	}
	p->in_flight++;
	spin_unlock(&p->lock);
	/* Both stay valid while @p counts the request: unbinding waits for it. */
	req->producer = p;
	req->priv = b->priv;
	up_read(&s->rwsem);

	ocf_counters_start(p->counters, req->len);
	ocf_request_process(req, p);
}

/*
 * Takes a request that @p accepted but has not started, and that is on no
 * list, off @p's count and onto @to. Called with @p's lock held.
 */
void ocf_request_unclaim(struct ocf_request *req, struct list_head *to)
{
	struct ocf_producer *p = req->producer;

	lockdep_assert_held(&p->lock);
	list_add_tail(&req->node, to);
	p->in_flight--;
	ocf_counters_unstart(p->counters, req->len);
	req->producer = NULL;
	if (!p->in_flight)
		wake_up(&p->drained);
}

static void ocf_request_start_work(struct work_struct *work)
{
	ocf_request_start(ocf_request_of(work), false);
}

/* Starts a request from the top in a worker, on whatever producer serves it now. */
void ocf_request_requeue(struct ocf_request *req)
{
	ocf_request_queue(req, ocf_request_start_work, 0);
}

/* Waits until no call into a producer's process() is still running. */
void ocf_dispatch_quiesce(void)
{
	/* Completions of in-flight requests may need it. */
	lockdep_assert_not_held(&ocf_lock);
	synchronize_srcu(&ocf_producer_srcu);
}

static void ocf_request_complete(struct ocf_request *req)
{
	struct ocf_producer *p = req->producer;
	struct ocf_request *next = NULL;
	u64 now = ktime_get_ns();

	ocf_counters_done(p->counters, req->len, req->status, now - req->start_ns);
	spin_lock(&p->lock);
	ocf_producer_note_done(p, req->len, now);
	/* A backlogged request keeps its own in-flight count while it waits. */
	if (!p->dying && !list_empty(&p->backlog)) {
		next = list_first_entry(&p->backlog, struct ocf_request, node);
		list_del(&next->node);
		p->nbacklog--;
	}
	/* The unregistering thread rechecks under the lock: @p stays valid here. */
	if (!--p->in_flight)
		wake_up(&p->drained);
	spin_unlock(&p->lock);
	if (next)
		ocf_request_queue(next, ocf_request_retry, 0);
	ocf_request_finish(req, now);
}

static void ocf_request_complete_work(struct work_struct *work)
{
	ocf_request_complete(ocf_request_of(work));
}

/**
 * ocf_request_done() - a producer reports a request finished
 * @req: a request the producer accepted in its process callback
 * @status: 0, -EBADMSG for a failed MAC or tag check, or another -errno
 *
 * Context: a synchronous producer (OCF_PRODUCER_SYNC) calls it from within
 * its process callback: the framework completes the request when process()
 * returns, in process context. Any other producer may call it from any
 * context; the completion is then handed to a worker, since consumers'
 * callbacks may sleep. The producer's flag decides, not a guess from the
 * preempt count, which cannot see a held spinlock on kernels without
 * preempt counting.
 */
void ocf_request_done(struct ocf_request *req, int status)
{
	req->status = status;
	if (!(req->producer->flags & OCF_PRODUCER_SYNC))
		ocf_request_queue(req, ocf_request_complete_work, 0);
}
EXPORT_SYMBOL_GPL(ocf_request_done);

int ocf_dispatch_init(void)
{
	ocf_wq = alloc_workqueue("ocf", WQ_UNBOUND | WQ_MEM_RECLAIM, 0);
	return ocf_wq ? 0 : -ENOMEM;
}

void ocf_dispatch_exit(void)
{
	destroy_workqueue(ocf_wq);
}
