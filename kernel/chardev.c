// SPDX-License-Identifier: GPL-2.0
/*
 * /dev/ocf: the user ABI. Each open file is a separate context.
 */

#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/string.h>
#include <linux/uaccess.h>

#include <uapi/linux/ocf.h>

#include "chardev.h"
#include "version.h"

static long ocf_ioctl_version(void __user *argp)
{
	struct ocf_version v;
	u32 size;
	int ret;

	if (get_user(size, (u32 __user *)argp))
		return -EFAULT;
	if (size < offsetofend(struct ocf_version, module_version))
		return -EINVAL;
	/* A newer caller's larger struct is fine if its unknown tail is zero. */
	ret = copy_struct_from_user(&v, sizeof(v), argp, size);
	if (ret)
		return ret;
	if (v.reserved[0] || v.reserved[1])
		return -EINVAL;

	v.size = min_t(u32, size, sizeof(v));
	v.abi_version = OCF_ABI_VERSION;
	strscpy(v.module_version, OCF_VERSION, sizeof(v.module_version));
	if (copy_to_user(argp, &v, v.size))
		return -EFAULT;
	return 0;
}

static long ocf_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	void __user *argp = (void __user *)arg;

	switch (cmd) {
	case OCF_IOC_VERSION:
		return ocf_ioctl_version(argp);
	default:
		return -ENOTTY;
	}
}

static const struct file_operations ocf_fops = {
	.owner = THIS_MODULE,
	.unlocked_ioctl = ocf_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	.llseek = noop_llseek,
};

static struct miscdevice ocf_miscdev = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = "ocf",
	.fops = &ocf_fops,
	.mode = 0666,
};

int ocf_chardev_init(void)
{
	return misc_register(&ocf_miscdev);
}

void ocf_chardev_exit(void)
{
	misc_deregister(&ocf_miscdev);
}
