/* SPDX-License-Identifier: GPL-2.0 */
#ifndef OCF_DISPATCH_H
#define OCF_DISPATCH_H

#include <linux/ocf.h>

int ocf_dispatch_init(void);
void ocf_dispatch_exit(void);
void ocf_request_unclaim(struct ocf_request *req, struct list_head *to);
void ocf_request_requeue(struct ocf_request *req);
void ocf_dispatch_quiesce(void);

#endif /* OCF_DISPATCH_H */
