/* SPDX-License-Identifier: GPL-2.0 */
#ifndef OCF_SESSION_H
#define OCF_SESSION_H

#include <linux/kref.h>
#include <linux/ocf.h>
#include <linux/rwsem.h>

#include "stats.h"

/* A session set up on one producer. */
struct ocf_binding {
	struct ocf_producer *producer;
	void *priv;			/* the producer's state for the session */
	struct ocf_session *session;
	struct list_head pnode;		/* in producer->sessions, under ocf_lock */
};

#define OCF_MAX_BINDINGS 8

/*
 * A session may be set up on several producers at once (the policy decides
 * which); each request then goes to one of them.
 */
struct ocf_session {
	struct kref ref;
	struct ocf_session_params params;
	const struct ocf_alg_info *cipher;	/* NULL when none */
	const struct ocf_alg_info *mac;		/* NULL when none */
	/*
	 * Taken for reading while a request picks its binding, for writing
	 * while the bindings change (migration). Nests inside ocf_lock.
	 */
	struct rw_semaphore rwsem;
	struct ocf_binding *bindings[OCF_MAX_BINDINGS];	/* under rwsem and ocf_lock */
	u32 nbindings;					/* 0: no producer left */
	struct ocf_counters counters;
};

static inline void ocf_session_get(struct ocf_session *s)
{
	kref_get(&s->ref);
}

void ocf_session_put(struct ocf_session *s);
void ocf_session_unbind(struct ocf_session *s, struct ocf_binding *b);
u32 ocf_session_producer_id(struct ocf_session *s);
void ocf_session_fill_info(struct ocf_session *s, struct ocf_session_info *info);

#endif /* OCF_SESSION_H */
