// SPDX-License-Identifier: GPL-2.0
/*
 * Load balancing: which producer serves a session.
 */

#include <linux/lockdep.h>
#include <linux/module.h>
#include <linux/string.h>

#include "policy.h"
#include "producer.h"

/* The paper's policy (section 3): hardware first, then fewest sessions. */
static struct ocf_producer *ocf_policy_fewest_sessions(const struct ocf_session_params *params)
{
	struct ocf_producer *p, *best = NULL;
	bool hw, best_hw;

	lockdep_assert_held(&ocf_lock);
	list_for_each_entry(p, &ocf_producers, node) {
		if (!ocf_producer_can_serve(p, params))
			continue;
		if (!best) {
			best = p;
			continue;
		}
		hw = p->flags & OCF_PRODUCER_HARDWARE;
		best_hw = best->flags & OCF_PRODUCER_HARDWARE;
		if (hw != best_hw ? hw : p->nsessions < best->nsessions)
			best = p;
	}
	return best;
}

static const struct ocf_policy ocf_policies[] = {
	{ .name = "sessions", .choose = ocf_policy_fewest_sessions },
};

static const struct ocf_policy *ocf_policy = &ocf_policies[0];

struct ocf_producer *ocf_policy_choose(const struct ocf_session_params *params)
{
	lockdep_assert_held(&ocf_lock);
	return READ_ONCE(ocf_policy)->choose(params);
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
MODULE_PARM_DESC(policy, "load-balancing policy for new and migrating sessions: sessions (the paper's: hardware first, then fewest sessions)");
