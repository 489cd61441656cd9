/* SPDX-License-Identifier: GPL-2.0 */
#ifndef OCF_UOP_H
#define OCF_UOP_H

#include <linux/list.h>
#include <linux/uio.h>
#include <linux/ocf.h>
#include <linux/scatterlist.h>

struct mm_struct;
struct ocf_session;
struct ocf_pages_account;

/*
 * User pages for the crypto to run on them directly: pinned here, or
 * borrowed from an io_uring registered buffer, which its request keeps
 * pinned until the CQE.
 */
struct ocf_ubuf {
	struct page **pages;		/* pinned here, else NULL */
	unsigned int npages;
	bool write;
	bool borrowed;			/* @sgt maps a registered buffer's pages */
	struct sg_table sgt;
};

/*
 * An io_uring operation's buffers in a registered buffer
 * (IORING_URING_CMD_FIXED): bvec iterators, the input's as a source and
 * the output's (the input's own pages, in place) as a destination.
 */
struct ocf_ufixed {
	struct iov_iter src;
	struct iov_iter out;
};

/*
 * A kernel copy of an operation's buffer: one kmalloc block when small,
 * else separate pages (never vmalloc memory: the scatterlist may be
 * DMA-mapped by a crypto driver).
 */
struct ocf_kbuf {
	void *block;
	u32 len;
	bool borrowed;			/* @block is the caller's: zeroed, not freed */
	struct scatterlist sg;
	struct page **pages;
	unsigned int npages;
	struct sg_table sgt;
};

/*
 * A key operation from user space: its operands are copied in at submit
 * time and its outputs copied out by ocf_uop_finish(), all in @buf, which
 * is zeroized when freed (it holds private keys).
 */
struct ocf_ukop {
	struct ocf_krequest kreq;
	void __user *out[OCF_KOP_MAX_PARAMS];
	u8 buf[];
};

/*
 * One operation from user space. Small buffers, and those of decryptions
 * that verify a MAC or tag (whatever their size), are copied into @copy and
 * copied out by ocf_uop_finish(), which must then run in the submitter's
 * address space; other large ones are pinned and written in place.
 */
struct ocf_uop {
	struct ocf_request req;
	struct ocf_session *session;	/* a reference, dropped at finish */
	void *owner;			/* the file or the RUN it belongs to */
	struct list_head node;		/* the file's done list */
	void __user *user_out;
	struct mm_struct *mm;		/* SUBMIT: the submitter's (grabbed), else NULL */
	const struct ocf_pages_account *acct;
	u64 tag;
	int status;			/* final, once finished */
	bool finished;
	bool copied;			/* @copy holds the buffer */
	struct ocf_kbuf copy;
	void *bounce;			/* if set, OCF_BOUNCE_MAX bytes @copy may use */
	struct ocf_ubuf src;
	struct ocf_ubuf dst;
	struct ocf_ufixed *fixed;	/* while prepared: the op's registered buffer */
	bool out_fixed;			/* a copied output goes to @out_iter, not @user_out */
	struct iov_iter out_iter;
	struct ocf_ukop *kop;		/* OCF_OP_KEY, else NULL */
};

/* Up to this many bytes an operation is copied rather than pinned. */
#define OCF_BOUNCE_MAX 4096

void ocf_uop_init(struct ocf_uop *u, const struct ocf_pages_account *acct);
int ocf_uop_prepare(struct ocf_uop *u, const struct ocf_op *op, struct ocf_session *s);
int ocf_uop_prepare_kop(struct ocf_uop *u, const struct ocf_kop *kop,
			void (*complete)(struct ocf_krequest *kreq));
void ocf_uop_release_pins(struct ocf_uop *u);
int ocf_uop_finish(struct ocf_uop *u, bool copy_out);

#endif /* OCF_UOP_H */
