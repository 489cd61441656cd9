/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The differences between the kernels OCF builds against (Debian 12's 6.1,
 * Debian 13's 6.12), in one place. Each entry names the kernel release that
 * changed the API; drop it when the oldest supported kernel has the change.
 */
#ifndef _LINUX_OCF_COMPAT_H
#define _LINUX_OCF_COMPAT_H

/*
 * 6.12 moved the unaligned access helpers to <linux/unaligned.h>. Kbuild
 * looks for the header rather than at the version, which also serves
 * kernels that backport the move.
 */
#ifdef OCF_HAVE_LINUX_UNALIGNED_H
#include <linux/unaligned.h>
#else
#include <asm/unaligned.h>
#endif

#endif /* _LINUX_OCF_COMPAT_H */
