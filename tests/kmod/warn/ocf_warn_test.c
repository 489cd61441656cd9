// SPDX-License-Identifier: GPL-2.0
/*
 * Test-only module for the harness self-test: writing 1 to its "trigger"
 * parameter makes the kernel log a WARNING, which tools/vm must turn into a
 * failed run. Never installed, never loaded outside that self-test.
 */

#include <linux/bug.h>
#include <linux/kernel.h>
#include <linux/module.h>
#include <linux/moduleparam.h>

static int ocf_warn_test_set(const char *val, const struct kernel_param *kp)
{
	bool fire;
	int ret;

	ret = kstrtobool(val, &fire);
	if (ret)
		return ret;
	WARN(fire, "ocf_warn_test: WARNING requested by the harness self-test\n");
	return 0;
}

static const struct kernel_param_ops ocf_warn_test_ops = {
	.set = ocf_warn_test_set,
};
module_param_cb(trigger, &ocf_warn_test_ops, NULL, 0200);
MODULE_PARM_DESC(trigger, "write 1 to log a kernel WARNING");

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("OCF test harness self-test: WARN on request");
