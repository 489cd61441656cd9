/* SPDX-License-Identifier: GPL-2.0 */
#ifndef OCF_POLICY_H
#define OCF_POLICY_H

#include <linux/ocf.h>

/**
 * struct ocf_policy - a load-balancing policy: picks the producer for a new
 * or migrating session among the live producers able to serve it
 * @name: as set through the "policy" module parameter
 * @choose: called with ocf_lock held; returns NULL when none can serve
 */
struct ocf_policy {
	const char *name;
	struct ocf_producer *(*choose)(const struct ocf_session_params *params);
};

struct ocf_producer *ocf_policy_choose(const struct ocf_session_params *params);

#endif /* OCF_POLICY_H */
