/* SPDX-License-Identifier: GPL-2.0 */
#ifndef OCF_PRODUCER_H
#define OCF_PRODUCER_H

#include <linux/mutex.h>
#include <linux/ocf.h>

/*
 * ocf_lock protects the producer list, each producer's session list and
 * session count, and which producer serves each session. It may be held while
 * calling newsession/freesession, which may sleep. Order: ocf_lock, then a
 * session's rwsem, then a producer's spinlock.
 */
extern struct mutex ocf_lock;
extern struct list_head ocf_producers;

bool ocf_producer_can_serve(const struct ocf_producer *p,
			    const struct ocf_session_params *params);
struct ocf_producer *ocf_producer_find(u32 id);
int ocf_producers_fill(struct ocf_producer_info *out, u32 max, u32 *total);
void ocf_producer_note_done(struct ocf_producer *p, u32 bytes, u64 now);

#endif /* OCF_PRODUCER_H */
