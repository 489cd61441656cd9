/* SPDX-License-Identifier: GPL-2.0 */
#ifndef OCF_POLICY_H
#define OCF_POLICY_H

#include <linux/ocf.h>

struct ocf_session;

/**
 * struct ocf_policy - a load-balancing policy
 * @name: as set through the "policy" module parameter
 * @bind: picks the live producers able to serve @params that a new (or
 *	migrating) session is set up on, best first, at most @max; returns
 *	how many. Called with ocf_lock held.
 * @route: picks the index of the binding of @s that serves @req. Called
 *	with @s's rwsem held for reading; @s has at least one binding.
 *	ocf_policy_route() overrides a pick whose producer's max_len is
 *	shorter than the request.
 */
struct ocf_policy {
	const char *name;
	u32 (*bind)(const struct ocf_session_params *params, struct ocf_producer **out, u32 max);
	u32 (*route)(struct ocf_session *s, const struct ocf_request *req);
};

u32 ocf_policy_bind(const struct ocf_session_params *params, struct ocf_producer **out, u32 max);
int ocf_policy_route(struct ocf_session *s, const struct ocf_request *req);
struct ocf_producer *ocf_policy_kroute(const struct ocf_krequest *kreq);

#endif /* OCF_POLICY_H */
