// SPDX-License-Identifier: GPL-2.0
/*
 * Buffers of user operations: copied when small (cheaper than pinning),
 * pinned and handed to the producer as scatterlists when large (no copy).
 */

#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "session.h"
#include "uop.h"

static int ocf_ubuf_pin(struct ocf_ubuf *b, void __user *addr, u32 len, bool write)
{
	unsigned long start = (unsigned long)addr;
	unsigned int off = offset_in_page(start);
	int pinned, ret;

	b->write = write;
	b->npages = DIV_ROUND_UP(off + len, PAGE_SIZE);
	b->pages = kvmalloc_array(b->npages, sizeof(*b->pages), GFP_KERNEL);
	if (!b->pages)
		return -ENOMEM;
	pinned = pin_user_pages_fast(start - off, b->npages, write ? FOLL_WRITE : 0, b->pages);
	if (pinned != b->npages) {
		ret = pinned < 0 ? pinned : -EFAULT;
		if (pinned > 0)
			unpin_user_pages(b->pages, pinned);
		goto err_free_pages;
	}
	ret = sg_alloc_table_from_pages(&b->sgt, b->pages, b->npages, off, len, GFP_KERNEL);
	if (ret)
		goto err_unpin;
	return 0;

err_unpin:
	unpin_user_pages(b->pages, b->npages);
err_free_pages:
	kvfree(b->pages);
	b->pages = NULL;
	return ret == -ENOMEM ? ret : -EFAULT;
}

static void ocf_ubuf_unpin(struct ocf_ubuf *b)
{
	if (!b->pages)
		return;
	sg_free_table(&b->sgt);
	unpin_user_pages_dirty_lock(b->pages, b->npages, b->write);
	kvfree(b->pages);
	b->pages = NULL;
}

/*
 * Readies @u for ocf_uop_prepare() and ocf_uop_finish(). Cheaper than
 * zeroing it: batches allocate many, and the request's fields are all set
 * by prepare and dispatch anyway.
 */
void ocf_uop_init(struct ocf_uop *u)
{
	u->session = NULL;
	u->status = 0;
	u->finished = false;
	u->bounce = NULL;
	u->bounce_owned = false;
	u->src.pages = NULL;
	u->dst.pages = NULL;
}

/**
 * ocf_uop_prepare() - build the request of a user operation
 * @u: initialized by ocf_uop_init()
 * @op: the operation, copied from user space
 * @s: its session; @u takes over the caller's reference
 * @arena: room for the copy of a small buffer, or NULL to allocate it
 *
 * Return: 0, or the operation's error (then ocf_uop_finish() still cleans up).
 */
int ocf_uop_prepare(struct ocf_uop *u, const struct ocf_op *op, struct ocf_session *s,
		    void *arena)
{
	const struct ocf_alg_info *cipher = ocf_alg_info(ocf_session_params(s)->cipher);
	void __user *src = u64_to_user_ptr(op->src);
	bool in_place = !op->dst || op->dst == op->src;
	struct ocf_request *req = &u->req;
	int ret;

	u->session = s;
	u->user_out = in_place ? src : u64_to_user_ptr(op->dst);
	req->session = s;
	req->op = op->op;
	req->flags = op->flags;
	req->len = op->len;
	req->cipher_offset = op->cipher_offset;
	req->cipher_len = op->cipher_len;
	req->auth_offset = op->auth_offset;
	req->auth_len = op->auth_len;
	req->mac_offset = op->mac_offset;
	req->iv_offset = op->iv_offset;
	if (cipher && cipher->iv_len && !(op->flags & OCF_OP_IV_IN_BUFFER) &&
	    copy_from_user(req->iv, u64_to_user_ptr(op->iv), cipher->iv_len))
		return -EFAULT;

	if (op->len <= OCF_BOUNCE_MAX) {
		u->bounce = arena;
		if (!arena) {
			u->bounce = kmalloc(max_t(u32, op->len, 1), GFP_KERNEL);
			if (!u->bounce)
				return -ENOMEM;
			u->bounce_owned = true;
		}
		if (copy_from_user(u->bounce, src, op->len))
			return -EFAULT;
		sg_init_one(&u->bounce_sg, u->bounce, op->len);
		req->src = &u->bounce_sg;
		req->dst = &u->bounce_sg;
		return 0;
	}
	ret = ocf_ubuf_pin(&u->src, src, op->len, in_place);
	if (ret)
		return ret;
	req->src = u->src.sgt.sgl;
	req->dst = req->src;
	if (!in_place) {
		ret = ocf_ubuf_pin(&u->dst, u->user_out, op->len, true);
		if (ret)
			return ret;
		req->dst = u->dst.sgt.sgl;
	}
	return 0;
}

/**
 * ocf_uop_finish() - release a user operation's buffers and session
 * @u: prepared; its status is final
 * @copy_out: copy a bounced result to the user (needs the user's mm)
 *
 * A failed operation releases nothing to the user's output.
 * Return: the operation's final status.
 */
int ocf_uop_finish(struct ocf_uop *u, bool copy_out)
{
	if (u->finished)
		return u->status;
	if (u->bounce) {
		if (copy_out && !u->status &&
		    copy_to_user(u->user_out, u->bounce, u->req.len))
			u->status = -EFAULT;
		if (u->bounce_owned)
			kfree_sensitive(u->bounce);
		u->bounce = NULL;
	}
	ocf_ubuf_unpin(&u->src);
	ocf_ubuf_unpin(&u->dst);
	if (u->session)
		ocf_session_put(u->session);
	u->session = NULL;
	u->finished = true;
	return u->status;
}
