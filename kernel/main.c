// SPDX-License-Identifier: GPL-2.0
/*
 * OCF for Linux: a crypto service layer after the OpenBSD Cryptographic
 * Framework.
 */

#include <linux/module.h>

#include "chardev.h"
#include "dispatch.h"
#include "kop.h"
#include "version.h"

static int __init ocf_init(void)
{
	int ret;

	ret = ocf_dispatch_init();
	if (ret)
		return ret;
	ret = ocf_kop_init();
	if (ret)
		goto err_dispatch;
	ret = ocf_chardev_init();
	if (ret)
		goto err_kop;
	pr_info("OCF for Linux %s loaded\n", OCF_VERSION);
	return 0;

err_kop:
	ocf_kop_exit();
err_dispatch:
	ocf_dispatch_exit();
	return ret;
}

static void __exit ocf_exit(void)
{
	ocf_chardev_exit();
	ocf_kop_exit();
	ocf_dispatch_exit();
}

module_init(ocf_init);
module_exit(ocf_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("OCF for Linux: cryptography as an operating system service");
MODULE_VERSION(OCF_VERSION);
MODULE_AUTHOR("OCF for Linux developers");
