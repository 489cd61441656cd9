// SPDX-License-Identifier: GPL-2.0
/*
 * Producers: registration, and unregistration at any moment without losing
 * a request (the sessions move to other producers and their requests follow).
 */

#include <linux/export.h>
#include <linux/lockdep.h>
#include <linux/math64.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "dispatch.h"
#include "kop.h"
#include "producer.h"
#include "session.h"
#include "stats.h"

/* See producer.h for what these protect. */
DEFINE_MUTEX(ocf_lock);
LIST_HEAD(ocf_producers);
static u32 ocf_next_producer_id = 1;	/* under ocf_lock; ids are never reused */

bool ocf_producer_can_serve(const struct ocf_producer *p, const struct ocf_session_params *params)
{
	lockdep_assert_held(&ocf_lock);
	if (params->cipher && !(p->algs & BIT_ULL(params->cipher)))
		return false;
	if (params->mac && !(p->algs & BIT_ULL(params->mac)))
		return false;
	if (params->cipher && params->mac && !(p->flags & OCF_PRODUCER_CAN_CHAIN))
		return false;
	if ((params->flags & OCF_SESSION_MAC_THEN_CIPHER) &&
	    !(p->flags & OCF_PRODUCER_CAN_MAC_THEN_CIPHER))
		return false;
	return !p->max_sessions || p->nsessions < p->max_sessions;
}

struct ocf_producer *ocf_producer_find(u32 id)
{
	struct ocf_producer *p;

	lockdep_assert_held(&ocf_lock);
	list_for_each_entry(p, &ocf_producers, node)
		if (p->id == id)
			return p;
	return NULL;
}

/**
 * ocf_producer_register() - offer a producer's services
 * @p: filled in by the driver (name, flags, algs, max_len, max_sessions, ops)
 *
 * From now on the policy may give it sessions. May sleep.
 *
 * Return: 0, -EINVAL for an incomplete registration, -EEXIST for a name in
 * use, -ENOMEM.
 */
int ocf_producer_register(struct ocf_producer *p)
{
	struct ocf_producer *other;
	int ret = 0;

	if (!p->name[0] || !p->ops || (!p->algs && !p->kops))
		return -EINVAL;
	if (p->algs && (!p->max_len || !p->ops->newsession || !p->ops->freesession ||
			!p->ops->process))
		return -EINVAL;
	if (p->kops && (!p->ops->kprocess || !p->kop_max_bits ||
			p->kop_max_bits > OCF_KOP_MAX_BITS || (p->kops & ~ocf_kops_known())))
		return -EINVAL;
	p->counters = kzalloc(sizeof(*p->counters), GFP_KERNEL);
	if (!p->counters)
		return -ENOMEM;
	ret = ocf_counters_init(p->counters);
	if (ret)
		goto err_free_counters;
	INIT_LIST_HEAD(&p->sessions);
	INIT_LIST_HEAD(&p->backlog);
	INIT_LIST_HEAD(&p->deferred);
	spin_lock_init(&p->lock);
	init_waitqueue_head(&p->drained);
	p->nsessions = 0;
	p->in_flight = 0;
	p->kop_in_flight = 0;
	p->nbacklog = 0;
	p->dying = false;
	p->rate_bps = 0;
	p->last_done_ns = 0;
	p->busy = false;

	mutex_lock(&ocf_lock);
	list_for_each_entry(other, &ocf_producers, node) {
		if (!strcmp(other->name, p->name)) {
			ret = -EEXIST;
			goto err_unlock;
		}
	}
	p->id = ocf_next_producer_id++;
	list_add_tail(&p->node, &ocf_producers);
	mutex_unlock(&ocf_lock);
	pr_info("producer %s registered as %u\n", p->name, p->id);
	return 0;

err_unlock:
	mutex_unlock(&ocf_lock);
	ocf_counters_free(p->counters);
err_free_counters:
	kfree(p->counters);
	p->counters = NULL;
	return ret;
}
EXPORT_SYMBOL_GPL(ocf_producer_register);

static bool ocf_producer_drained(struct ocf_producer *p)
{
	bool drained;

	spin_lock(&p->lock);
	drained = !p->in_flight && !p->kop_in_flight;
	spin_unlock(&p->lock);
	return drained;
}

/**
 * ocf_producer_unregister() - withdraw a producer
 * @p: a registered producer
 *
 * Requests it has taken finish normally (the driver must still complete
 * them, or give key operations back with -EAGAIN to have them rerun
 * elsewhere); requests it refused as busy, and requests that arrive
 * meanwhile, wait. Key operations are no longer routed to it.
 * Then every session it served is rebuilt on another capable producer and the
 * waiting requests are resubmitted there; with no capable producer left they
 * fail with -ENODEV. When this returns, no callback of @p runs any more.
 * May sleep.
 */
void ocf_producer_unregister(struct ocf_producer *p)
{
	struct ocf_binding *b, *btmp;
	struct ocf_request *req, *rtmp;
	LIST_HEAD(waiting);
	u32 migrated = 0;

	mutex_lock(&ocf_lock);
	list_del(&p->node);
	mutex_unlock(&ocf_lock);

	spin_lock(&p->lock);
	p->dying = true;
	list_for_each_entry_safe(req, rtmp, &p->backlog, node) {
		list_del(&req->node);
		ocf_request_unclaim(req, &p->deferred);
	}
	p->nbacklog = 0;
	spin_unlock(&p->lock);
	wait_event(p->drained, ocf_producer_drained(p));
	/* A process() call that completed its request may still be returning. */
	ocf_dispatch_quiesce();

	mutex_lock(&ocf_lock);
	list_for_each_entry_safe(b, btmp, &p->sessions, pnode) {
		ocf_session_unbind(b->session, b);
		migrated++;
	}
	mutex_unlock(&ocf_lock);

	/* No session is bound to @p now, so nothing joins this list any more. */
	spin_lock(&p->lock);
	list_splice_init(&p->deferred, &waiting);
	spin_unlock(&p->lock);
	list_for_each_entry_safe(req, rtmp, &waiting, node) {
		list_del(&req->node);
		ocf_request_requeue(req);
	}
	pr_info("producer %s (%u) unregistered, %u sessions migrated\n", p->name, p->id, migrated);
	ocf_counters_free(p->counters);
	kfree(p->counters);
	p->counters = NULL;
}
EXPORT_SYMBOL_GPL(ocf_producer_unregister);

/*
 * Learns @p's throughput from its completions: while it has work queued,
 * the time between two completions is what the second one took.
 *
 * The average is of time per byte, not of bytes per second: drivers finish
 * several requests in one pass, a microsecond apart, and one such gap would
 * make a rate average jump by orders of magnitude (the policy would then
 * pile work on that producer). Averaged as time, those gaps and the long
 * one before them add up to what the requests really took.
 */
void ocf_producer_note_done(struct ocf_producer *p, u32 bytes, u64 now)
{
	u64 old = p->rate_bps, gap = now - p->last_done_ns, rate, weight;

	lockdep_assert_held(&p->lock);
	if (p->busy && now > p->last_done_ns && bytes) {
		if (old) {
			/* 1/rate = 15/16 * 1/old + 1/16 * gap/bytes */
			weight = 15ULL * bytes + mul_u64_u64_div_u64(old, gap, NSEC_PER_SEC);
			rate = mul_u64_u64_div_u64(16 * old, bytes, weight);
		} else {
			rate = div64_u64((u64)bytes * NSEC_PER_SEC, gap);
		}
		WRITE_ONCE(p->rate_bps, rate ?: 1);
	}
	/* Read without p->lock by the policy, to tell a stale rate. */
	WRITE_ONCE(p->last_done_ns, now);
	/* The completing request is still counted in in_flight. */
	p->busy = p->in_flight > 1;
}

/* Fills up to @max entries; *@total is the number of producers. */
int ocf_producers_fill(struct ocf_producer_info *out, u32 max, u32 *total)
{
	struct ocf_producer *p;
	u32 n = 0;

	mutex_lock(&ocf_lock);
	list_for_each_entry(p, &ocf_producers, node) {
		if (n < max) {
			struct ocf_producer_info *info = &out[n];

			memset(info, 0, sizeof(*info));
			info->id = p->id;
			info->flags = p->flags;
			strscpy(info->name, p->name, sizeof(info->name));
			info->algs = p->algs;
			info->max_len = p->max_len;
			info->max_sessions = p->max_sessions;
			info->kops = p->kops;
			info->kop_max_bits = p->kop_max_bits;
			ocf_counters_read(p->counters, &info->stats);
			info->stats.sessions = p->nsessions;
		}
		n++;
	}
	mutex_unlock(&ocf_lock);
	*total = n;
	return min(n, max);
}
