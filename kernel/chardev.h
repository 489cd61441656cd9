/* SPDX-License-Identifier: GPL-2.0 */
#ifndef OCF_CHARDEV_H
#define OCF_CHARDEV_H

int ocf_chardev_init(void);
void ocf_chardev_exit(void);

#endif /* OCF_CHARDEV_H */
