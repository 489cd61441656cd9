/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note OR BSD-3-Clause */
/*
 * OCF for Linux: the user ABI of /dev/ocf.
 *
 * Every structure starts with or carries a size or reserved fields so that it
 * can grow without a compat_ioctl: the kernel accepts any size from the first
 * version's up to its own, treats missing tail fields as zero and rejects
 * unknown non-zero tails with -E2BIG. Reserved fields must be zero (-EINVAL).
 * User pointers travel as __u64.
 */
#ifndef _UAPI_LINUX_OCF_H
#define _UAPI_LINUX_OCF_H

#include <linux/ioctl.h>
#include <linux/types.h>

#define OCF_DEVICE_PATH		"/dev/ocf"
#define OCF_ABI_VERSION		1
#define OCF_IOC_MAGIC		0xcf

/**
 * struct ocf_version - what OCF_IOC_VERSION reports
 * @size: in: sizeof(struct ocf_version) as the caller was compiled with
 * @abi_version: out: OCF_ABI_VERSION of the running module
 * @module_version: out: the module's release, NUL-terminated
 * @reserved: must be zero on input
 */
struct ocf_version {
	__u32 size;
	__u32 abi_version;
	char module_version[32];
	__u64 reserved[2];
};

#define OCF_IOC_VERSION		_IOWR(OCF_IOC_MAGIC, 0x00, struct ocf_version)

#endif /* _UAPI_LINUX_OCF_H */
