/* SPDX-License-Identifier: GPL-2.0 */
#ifndef OCF_VERSION_H
#define OCF_VERSION_H

/* Keep in step with PACKAGE_VERSION in dkms.conf; a test checks they agree. */
#define OCF_VERSION "0.1.0"

#endif /* OCF_VERSION_H */
