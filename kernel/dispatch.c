// SPDX-License-Identifier: GPL-2.0
/*
 * Requests: checked, queued to workers, handed to the session's producer,
 * retried when it is busy, moved when it goes away, completed in process
 * context.
 */

#include <crypto/scatterwalk.h>
#include <linux/delay.h>
#include <linux/export.h>
#include <linux/ktime.h>
#include <linux/lockdep.h>
#include <linux/preempt.h>
#include <linux/sched.h>
#include <linux/workqueue.h>

#include "dispatch.h"
#include "session.h"
#include "stats.h"

/*
 * Unbound: requests spread over all CPUs, and a producer that sleeps in
 * process() holds up only its own worker.
 */
static struct workqueue_struct *ocf_wq;

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

static void ocf_request_start(struct work_struct *work);

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
	struct ocf_session *s = req->session;
	int ret;

	if (!s)
		return -EINVAL;
	ret = ocf_request_check(req, s);
	if (ret)
		return ret;
	if (req->flags & OCF_OP_IV_IN_BUFFER)
		scatterwalk_map_and_copy(req->iv, req->src, req->iv_offset, s->cipher->iv_len, 0);
	if (req->src != req->dst) {
		u32 end = req->cipher_offset + req->cipher_len;

		ocf_sg_copy(req->dst, req->src, 0, req->cipher_offset);
		ocf_sg_copy(req->dst, req->src, end, req->len - end);
	}
	ocf_session_get(s);
	req->status = 0;
	req->producer = NULL;
	req->start_ns = ktime_get_ns();
	ocf_counters_start(&s->counters);
	INIT_WORK(&req->work, ocf_request_start);
	queue_work(ocf_wq, &req->work);
	return 0;
}
EXPORT_SYMBOL_GPL(ocf_dispatch);

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

static void ocf_request_finish(struct ocf_request *req)
{
	struct ocf_session *s = req->session;

	ocf_counters_done(&s->counters, req->len, req->status, ktime_get_ns() - req->start_ns);
	req->complete(req);
	ocf_session_put(s);
}

/* Hands @req to @p, which holds an in-flight count for it. */
static void ocf_request_process(struct ocf_request *req, struct ocf_producer *p)
{
	bool alone;
	int ret;

	for (;;) {
		/* Stable: the session cannot move while @p counts the request. */
		ret = p->ops->process(p, req, READ_ONCE(req->session->priv));
		if (ret != -EBUSY)
			break;
		spin_lock(&p->lock);
		alone = !p->dying && p->in_flight == 1;
		if (p->dying)
			ocf_request_unclaim(req, &p->deferred);
		else if (!alone)
			list_add_tail(&req->node, &p->backlog);
		spin_unlock(&p->lock);
		if (!alone)
			return;
		/* Nothing else in flight would kick the backlog: retry soon. */
		usleep_range(100, 200);
	}
	if (ret)
		ocf_request_done(req, ret);
}

static void ocf_request_retry(struct work_struct *work)
{
	struct ocf_request *req = container_of(work, struct ocf_request, work);

	ocf_request_process(req, req->producer);
}

static void ocf_request_start(struct work_struct *work)
{
	struct ocf_request *req = container_of(work, struct ocf_request, work);
	struct ocf_session *s = req->session;
	struct ocf_producer *p;

	down_read(&s->rwsem);
	p = s->producer;
	if (!p) {
		up_read(&s->rwsem);
		req->status = -ENODEV;
		ocf_request_finish(req);
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
	up_read(&s->rwsem);

	req->producer = p;
	ocf_counters_start(p->counters);
	ocf_request_process(req, p);
}

/*
 * Takes a request that @p accepted but has not started off @p's count and
 * onto @to. Called with @p's lock held.
 */
void ocf_request_unclaim(struct ocf_request *req, struct list_head *to)
{
	struct ocf_producer *p = req->producer;

	lockdep_assert_held(&p->lock);
	list_move_tail(&req->node, to);
	p->in_flight--;
	atomic64_dec(&p->counters->in_flight);
	req->producer = NULL;
	if (!p->in_flight)
		wake_up(&p->drained);
}

/* Starts a request again from the top, on whatever producer serves it now. */
void ocf_request_requeue(struct ocf_request *req)
{
	INIT_WORK(&req->work, ocf_request_start);
	queue_work(ocf_wq, &req->work);
}

static void ocf_request_complete(struct ocf_request *req)
{
	struct ocf_producer *p = req->producer;
	struct ocf_request *next = NULL;

	ocf_counters_done(p->counters, req->len, req->status, ktime_get_ns() - req->start_ns);
	spin_lock(&p->lock);
	if (!p->dying && !list_empty(&p->backlog)) {
		/* The next one inherits this one's in-flight count. */
		next = list_first_entry(&p->backlog, struct ocf_request, node);
		list_del(&next->node);
	} else if (!--p->in_flight) {
		/* The unregistering thread rechecks under the lock: @p stays valid here. */
		wake_up(&p->drained);
	}
	spin_unlock(&p->lock);
	if (next) {
		INIT_WORK(&next->work, ocf_request_retry);
		queue_work(ocf_wq, &next->work);
	}
	ocf_request_finish(req);
}

static void ocf_request_complete_work(struct work_struct *work)
{
	ocf_request_complete(container_of(work, struct ocf_request, work));
}

/**
 * ocf_request_done() - a producer reports a request finished
 * @req: a request the producer accepted in its process callback
 * @status: 0, -EBADMSG for a failed MAC or tag check, or another -errno
 *
 * Context: any. From atomic context the completion is deferred to a worker,
 * since consumers' callbacks run in process context.
 */
void ocf_request_done(struct ocf_request *req, int status)
{
	req->status = status;
	if (!preemptible()) {
		INIT_WORK(&req->work, ocf_request_complete_work);
		queue_work(ocf_wq, &req->work);
		return;
	}
	ocf_request_complete(req);
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
