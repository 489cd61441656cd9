/* SPDX-License-Identifier: GPL-2.0 */
#ifndef OCF_SESSION_H
#define OCF_SESSION_H

#include <linux/kref.h>
#include <linux/ocf.h>
#include <linux/rwsem.h>

#include "stats.h"

struct ocf_session {
	struct kref ref;
	struct ocf_session_params params;
	const struct ocf_alg_info *cipher;	/* NULL when none */
	const struct ocf_alg_info *mac;		/* NULL when none */
	/*
	 * Taken for reading while a request picks its producer, for writing
	 * while the session moves (migration). Nests inside ocf_lock.
	 */
	struct rw_semaphore rwsem;
	struct ocf_producer *producer;	/* under rwsem and ocf_lock; NULL: none left */
	void *priv;			/* the producer's, same rule */
	struct list_head pnode;		/* in producer->sessions, under ocf_lock */
	struct ocf_counters counters;
};

static inline void ocf_session_get(struct ocf_session *s)
{
	kref_get(&s->ref);
}

void ocf_session_put(struct ocf_session *s);
void ocf_session_migrate(struct ocf_session *s, struct ocf_producer *from);
u32 ocf_session_producer_id(struct ocf_session *s);
void ocf_session_fill_info(struct ocf_session *s, struct ocf_session_info *info);

#endif /* OCF_SESSION_H */
