/* SPDX-License-Identifier: GPL-2.0 */
#ifndef OCF_DISPATCH_H
#define OCF_DISPATCH_H

#include <linux/ocf.h>

#include <linux/srcu.h>
#include <linux/workqueue.h>

extern struct workqueue_struct *ocf_wq;
extern struct srcu_struct ocf_producer_srcu;

int ocf_dispatch_init(void);
void ocf_dispatch_exit(void);
void ocf_request_unclaim(struct ocf_request *req, struct list_head *to);
void ocf_request_requeue(struct ocf_request *req);
void ocf_dispatch_quiesce(void);

#endif /* OCF_DISPATCH_H */
