/* SPDX-License-Identifier: GPL-2.0 */
#ifndef OCF_UOP_H
#define OCF_UOP_H

#include <linux/list.h>
#include <linux/ocf.h>
#include <linux/scatterlist.h>

struct ocf_session;

/* User pages pinned for the crypto to run on them directly. */
struct ocf_ubuf {
	struct page **pages;
	unsigned int npages;
	bool write;
	struct sg_table sgt;
};

/*
 * One operation from user space. Small buffers are copied into @bounce and
 * copied out by ocf_uop_finish(), which must then run in the caller's
 * address space; large ones are pinned and written in place.
 */
struct ocf_uop {
	struct ocf_request req;
	struct ocf_session *session;	/* a reference, dropped at finish */
	void *owner;			/* the file's context */
	struct list_head node;		/* the file's done list */
	void __user *user_out;
	u64 tag;
	int status;			/* final, once finished */
	bool finished;
	void *bounce;
	bool bounce_owned;		/* else a slice of the caller's arena */
	struct scatterlist bounce_sg;
	struct ocf_ubuf src;
	struct ocf_ubuf dst;
};

/* Up to this many bytes an operation is copied rather than pinned. */
#define OCF_BOUNCE_MAX 4096

void ocf_uop_init(struct ocf_uop *u);
int ocf_uop_prepare(struct ocf_uop *u, const struct ocf_op *op, struct ocf_session *s,
		    void *arena);
int ocf_uop_finish(struct ocf_uop *u, bool copy_out);

#endif /* OCF_UOP_H */
