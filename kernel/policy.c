// SPDX-License-Identifier: GPL-2.0
/*
 * Load balancing: which producers a session is set up on, and which of them
 * serves each request.
 */

#include <linux/lockdep.h>
#include <linux/ktime.h>
#include <linux/math64.h>
#include <linux/module.h>
#include <linux/string.h>

#include "kop.h"
#include "policy.h"
#include "producer.h"
#include "session.h"
#include "stats.h"

static unsigned int small_request = 256;
module_param(small_request, uint, 0644);
MODULE_PARM_DESC(small_request,
		 "completion policy: requests shorter than this go to a software producer when the session has one (the paper, section 6.3)");

static bool ocf_is_hw(const struct ocf_producer *p)
{
	return p->flags & OCF_PRODUCER_HARDWARE;
}

/* The paper's policy (section 3): one producer, hardware first, then fewest sessions. */
static u32 ocf_policy_sessions_bind(const struct ocf_session_params *params,
				    struct ocf_producer **out, u32 max)
{
	struct ocf_producer *p, *best = NULL;

	lockdep_assert_held(&ocf_lock);
	list_for_each_entry(p, &ocf_producers, node) {
		if (!ocf_producer_can_serve(p, params))
			continue;
		if (!best || (ocf_is_hw(p) != ocf_is_hw(best) ? ocf_is_hw(p) :
			      p->nsessions < best->nsessions))
			best = p;
	}
	if (!best || !max)
		return 0;
	out[0] = best;
	return 1;
}

static u32 ocf_policy_first(struct ocf_session *s, const struct ocf_request *req)
{
	return 0;
}

/* Hardware first, then fewer sessions. */
static bool ocf_producer_preferred(const struct ocf_producer *a, const struct ocf_producer *b)
{
	if (ocf_is_hw(a) != ocf_is_hw(b))
		return ocf_is_hw(a);
	return a->nsessions < b->nsessions;
}

/*
 * Producers bound to every session tie on session counts: take turns at the
 * head of the list, so that sessions' first choices spread out.
 */
static void ocf_rotate_ties(struct ocf_producer **out, u32 n)
{
	static u32 turn;	/* under ocf_lock */
	struct ocf_producer *head;
	u32 ties = 1, k;

	lockdep_assert_held(&ocf_lock);
	while (ties < n && !ocf_producer_preferred(out[0], out[ties]) &&
	       !ocf_producer_preferred(out[ties], out[0]))
		ties++;
	for (k = turn++ % ties; k; k--) {
		head = out[0];
		memmove(&out[0], &out[1], (ties - 1) * sizeof(out[0]));
		out[ties - 1] = head;
	}
}

/*
 * Every capable producer, so that each request can go where it will be done
 * soonest; in order of preference, so that among idle producers sessions
 * spread out.
 */
static u32 ocf_policy_completion_bind(const struct ocf_session_params *params,
				      struct ocf_producer **out, u32 max)
{
	struct ocf_producer *p;
	u32 n = 0, i;

	lockdep_assert_held(&ocf_lock);
	list_for_each_entry(p, &ocf_producers, node) {
		if (!ocf_producer_can_serve(p, params))
			continue;
		if (n == max && !ocf_producer_preferred(p, out[n - 1]))
			continue;
		i = n < max ? n++ : n - 1;
		for (; i > 0 && ocf_producer_preferred(p, out[i - 1]); i--)
			out[i] = out[i - 1];
		out[i] = p;
	}
	ocf_rotate_ties(out, n);
	return n;
}

/* How long an idle producer's measured rate still counts. */
#define OCF_RATE_STALE_NS (100 * NSEC_PER_MSEC)

/*
 * Its rate as measured while busy; until then, or once it has been idle for
 * a while, its rating, else a common guess. A stale measurement says more
 * about the load the producer last saw (a slowed chip, a burst of tiny
 * requests) than about the producer, and a producer rated too low would
 * never again get the requests that measure it. @now is the request's
 * start: its batch's, which may precede the producer's last completion.
 */
static u64 ocf_producer_rate(const struct ocf_producer *p, u64 outstanding, u64 now)
{
	u64 rate = READ_ONCE(p->rate_bps);

	if (rate && !outstanding &&
	    (s64)(now - READ_ONCE(p->last_done_ns)) > OCF_RATE_STALE_NS)
		rate = 0;
	if (!rate)
		rate = p->rated_bps;
	return rate ?: 100 * 1000 * 1000;
}

/*
 * Hardware first, at the smallest expected completion time: the bytes it
 * already has to do plus this request's, over its throughput. Requests too
 * small to repay a device's per-request cost go to software (likewise the
 * least loaded one).
 */
static u32 ocf_policy_completion_route(struct ocf_session *s, const struct ocf_request *req)
{
	u64 cost, outstanding, best_cost[2] = { U64_MAX, U64_MAX };
	int best[2] = { -1, -1 };	/* [0] software, [1] hardware */
	u32 i;

	for (i = 0; i < s->nbindings; i++) {
		struct ocf_producer *p = s->bindings[i]->producer;
		int hw = ocf_is_hw(p);

		/* Leaving: its requests would only wait for the migration. */
		if (READ_ONCE(p->dying) || req->len > p->max_len)
			continue;
		outstanding = ocf_counters_outstanding(p->counters);
		cost = mul_u64_u64_div_u64(outstanding + req->len, NSEC_PER_SEC,
					   ocf_producer_rate(p, outstanding, req->start_ns));
		if (cost < best_cost[hw]) {
			best_cost[hw] = cost;
			best[hw] = i;
		}
	}
	if (best[0] >= 0 && (best[1] < 0 || req->len < READ_ONCE(small_request)))
		return best[0];
	return best[1] >= 0 ? best[1] : 0;
}

static bool ocf_kop_preferred(const struct ocf_producer *a, const struct ocf_producer *b)
{
	if (ocf_is_hw(a) != ocf_is_hw(b))
		return ocf_is_hw(a);
	return READ_ONCE(a->kop_in_flight) < READ_ONCE(b->kop_in_flight);
}

/*
 * Key operations have no session to bind: each one goes to a live producer
 * that does it at its size, under either policy. Hardware first, then the
 * fewest key operations in hand (at one modulus size they cost alike, so
 * the count is the expected wait), taking turns among equals so that idle
 * producers share the work. A preferred producer (@kreq->producer) that
 * can do it gets it; those that gave it back (@kreq->avoid) only when no
 * other can, and then the one whose last give-back is oldest (it may have
 * been a passing state, such as a reset).
 */
struct ocf_producer *ocf_policy_kroute(const struct ocf_krequest *kreq)
{
	static u32 turn;	/* under ocf_lock */
	struct ocf_producer *p, *best = NULL, *avoided = NULL;
	int at, avoided_at = OCF_KOP_MAX_RERUNS;
	u32 ties = 0, pick;

	lockdep_assert_held(&ocf_lock);
	list_for_each_entry(p, &ocf_producers, node) {
		if (!ocf_producer_can_kop(p, kreq->kop, kreq->bits))
			continue;
		at = ocf_kop_gave_back_at(kreq, p->id);
		if (at >= 0) {
			if (at < avoided_at) {
				avoided = p;
				avoided_at = at;
			}
			continue;
		}
		if (p->id == kreq->producer)
			return p;
		if (!best || ocf_kop_preferred(p, best)) {
			best = p;
			ties = 1;
		} else if (!ocf_kop_preferred(best, p)) {
			ties++;
		}
	}
	if (!best)
		return avoided ?: ERR_PTR(kreq->routed ? -ENODEV : -EOPNOTSUPP);
	pick = turn++ % ties;
	list_for_each_entry(p, &ocf_producers, node) {
		if (!ocf_producer_can_kop(p, kreq->kop, kreq->bits) ||
		    ocf_kop_gave_back_at(kreq, p->id) >= 0 || ocf_kop_preferred(best, p))
			continue;
		if (!pick--)
			return p;
	}
	return best;
}

static const struct ocf_policy ocf_policies[] = {
	{ .name = "completion", .bind = ocf_policy_completion_bind,
	  .route = ocf_policy_completion_route },
	{ .name = "sessions", .bind = ocf_policy_sessions_bind, .route = ocf_policy_first },
};

static const struct ocf_policy *ocf_policy = &ocf_policies[0];

u32 ocf_policy_bind(const struct ocf_session_params *params, struct ocf_producer **out, u32 max)
{
	lockdep_assert_held(&ocf_lock);
	return READ_ONCE(ocf_policy)->bind(params, out, max);
}

/*
 * A producer never sees a request longer than its max_len: when the policy's
 * pick cannot take @req, the first binding that can does.
 */
int ocf_policy_route(struct ocf_session *s, const struct ocf_request *req)
{
	u32 i = READ_ONCE(ocf_policy)->route(s, req);

	if (i < s->nbindings && req->len <= s->bindings[i]->producer->max_len)
		return i;
	for (i = 0; i < s->nbindings; i++)
		if (req->len <= s->bindings[i]->producer->max_len)
			return i;
	return -E2BIG;
}

static int ocf_policy_set(const char *val, const struct kernel_param *kp)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(ocf_policies); i++) {
		if (sysfs_streq(val, ocf_policies[i].name)) {
			WRITE_ONCE(ocf_policy, &ocf_policies[i]);
			return 0;
		}
	}
	return -EINVAL;
}

static int ocf_policy_get(char *buf, const struct kernel_param *kp)
{
	return sysfs_emit(buf, "%s\n", READ_ONCE(ocf_policy)->name);
}

static const struct kernel_param_ops ocf_policy_ops = {
	.set = ocf_policy_set,
	.get = ocf_policy_get,
};
module_param_cb(policy, &ocf_policy_ops, NULL, 0644);
MODULE_PARM_DESC(policy,
		 "load balancing for new sessions and their requests: completion (default: every capable producer, each request to the hardware that will finish it soonest, small ones to software) or sessions (the paper's: one producer per session, hardware first, then fewest sessions)");
