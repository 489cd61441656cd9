// SPDX-License-Identifier: GPL-2.0
/*
 * Buffers of user operations: copied when small (cheaper than pinning) or
 * when the operation verifies before it releases its output (so the bytes
 * verified are the bytes decrypted, and no unverified plaintext reaches
 * user memory); otherwise pinned (or, in an io_uring registered buffer,
 * borrowed pinned already) and handed to the producer as
 * scatterlists, without a copy.
 */

#include <linux/bvec.h>
#include <linux/mm.h>
#include <linux/sched/mm.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "limits.h"
#include "session.h"
#include "uop.h"

static int ocf_ubuf_pin(struct ocf_ubuf *b, const struct ocf_pages_account *acct,
			void __user *addr, u32 len, bool write)
{
	unsigned long start = (unsigned long)addr;
	size_t off = offset_in_page(start);
	int pinned, ret;

	b->write = write;
	b->npages = DIV_ROUND_UP(off + (size_t)len, PAGE_SIZE);
	ret = ocf_pages_charge(acct, b->npages);
	if (ret)
		return ret;
	b->pages = kvmalloc_array(b->npages, sizeof(*b->pages), GFP_KERNEL_ACCOUNT);
	if (!b->pages) {
		ret = -ENOMEM;
		goto err_uncharge;
	}
	pinned = pin_user_pages_fast(start - off, b->npages, write ? FOLL_WRITE : 0, b->pages);
	if (pinned != b->npages) {
		ret = pinned < 0 ? pinned : -EFAULT;
		if (pinned > 0)
			unpin_user_pages(b->pages, pinned);
		goto err_free_pages;
	}
	ret = sg_alloc_table_from_pages(&b->sgt, b->pages, b->npages, off, len,
					GFP_KERNEL_ACCOUNT);
	if (ret)
		goto err_unpin;
	return 0;

err_unpin:
	unpin_user_pages(b->pages, b->npages);
err_free_pages:
	kvfree(b->pages);
	b->pages = NULL;
err_uncharge:
	ocf_pages_uncharge(acct, b->npages);
	return ret == -ENOMEM ? ret : -EFAULT;
}

/*
 * Maps the bvecs of a registered buffer's @iter: io_uring pinned and
 * accounted them at registration, and the op's request holds the buffer
 * until its CQE, which is posted only after the op is released.
 */
static int ocf_ubuf_borrow(struct ocf_ubuf *b, const struct iov_iter *iter)
{
	const struct bio_vec *bv = iter->bvec;
	size_t skip = iter->iov_offset, left = iov_iter_count(iter);
	struct scatterlist *sg;
	unsigned int n, i;
	int ret;

	if (WARN_ON_ONCE(!iov_iter_is_bvec(iter)) || !left)
		return -EFAULT;
	for (n = 0; left; n++, skip = 0)
		left -= min_t(size_t, bv[n].bv_len - skip, left);
	ret = sg_alloc_table(&b->sgt, n, GFP_KERNEL_ACCOUNT);
	if (ret)
		return ret;
	skip = iter->iov_offset;
	left = iov_iter_count(iter);
	for_each_sg(b->sgt.sgl, sg, n, i) {
		size_t off = bv[i].bv_offset + skip;
		size_t seg = min_t(size_t, bv[i].bv_len - skip, left);

		/* A huge page's bvec may span pages: the offset starts in one. */
		sg_set_page(sg, nth_page(bv[i].bv_page, off / PAGE_SIZE), seg, offset_in_page(off));
		left -= seg;
		skip = 0;
	}
	b->borrowed = true;
	return 0;
}

static void ocf_ubuf_unpin(struct ocf_ubuf *b, const struct ocf_pages_account *acct)
{
	if (b->borrowed) {
		sg_free_table(&b->sgt);
		b->borrowed = false;
		return;
	}
	if (!b->pages)
		return;
	sg_free_table(&b->sgt);
	unpin_user_pages_dirty_lock(b->pages, b->npages, b->write);
	kvfree(b->pages);
	b->pages = NULL;
	ocf_pages_uncharge(acct, b->npages);
}

static void ocf_kbuf_free(struct ocf_kbuf *k, const struct ocf_pages_account *acct)
{
	unsigned int i;

	if (k->block) {
		if (k->borrowed)
			memzero_explicit(k->block, k->len);
		else
			kfree_sensitive(k->block);
		k->block = NULL;
		return;
	}
	if (!k->pages)
		return;
	sg_free_table(&k->sgt);
	for (i = 0; i < k->npages && k->pages[i]; i++) {
		memzero_explicit(page_address(k->pages[i]), PAGE_SIZE);
		__free_page(k->pages[i]);
	}
	kvfree(k->pages);
	k->pages = NULL;
	ocf_pages_uncharge(acct, k->npages);
}

/* @n bytes of the input at @at: from the user's @src, or the next of @from. */
static bool ocf_copy_in(void *to, const void __user *src, size_t at, size_t n,
			struct iov_iter *from)
{
	if (from)
		return copy_from_iter(to, n, from) == n;
	return !copy_from_user(to, src + at, n);
}

/* @n bytes of the output at @at: to the user's @dst, or the next of @to. */
static bool ocf_copy_out(void __user *dst, size_t at, const void *from, size_t n,
			 struct iov_iter *to)
{
	if (to)
		return copy_to_iter(from, n, to) == n;
	return !copy_to_user(dst + at, from, n);
}

/*
 * A copy of @len bytes at @src (or of registered buffer @from), in @bounce
 * if given and the copy fits; on error ocf_kbuf_free() cleans up.
 */
static int ocf_kbuf_copy_in(struct ocf_kbuf *k, const struct ocf_pages_account *acct,
			    const void __user *src, struct iov_iter *from, u32 len, void *bounce)
{
	unsigned int i;
	size_t at;
	int ret;

	if (len <= OCF_BOUNCE_MAX) {
		k->len = len;
		k->borrowed = !!bounce;
		k->block = bounce ?: kmalloc(max_t(u32, len, 1), GFP_KERNEL_ACCOUNT);
		if (!k->block)
			return -ENOMEM;
		if (!ocf_copy_in(k->block, src, 0, len, from))
			return -EFAULT;
		sg_init_one(&k->sg, k->block, len);
		return 0;
	}
	k->npages = DIV_ROUND_UP((size_t)len, PAGE_SIZE);
	ret = ocf_pages_charge(acct, k->npages);
	if (ret) {
		k->npages = 0;
		return ret;
	}
	k->pages = kvcalloc(k->npages, sizeof(*k->pages), GFP_KERNEL_ACCOUNT);
	if (!k->pages) {
		ocf_pages_uncharge(acct, k->npages);
		return -ENOMEM;
	}
	for (i = 0, at = 0; i < k->npages; i++, at += PAGE_SIZE) {
		k->pages[i] = alloc_page(GFP_KERNEL_ACCOUNT);
		if (!k->pages[i])
			return -ENOMEM;
		if (!ocf_copy_in(page_address(k->pages[i]), src, at,
				 min_t(size_t, PAGE_SIZE, len - at), from))
			return -EFAULT;
	}
	return sg_alloc_table_from_pages(&k->sgt, k->pages, k->npages, 0, len,
					 GFP_KERNEL_ACCOUNT);
}

static int ocf_kbuf_copy_out(const struct ocf_kbuf *k, void __user *dst, struct iov_iter *to,
			     u32 len)
{
	unsigned int i;
	size_t at;

	if (k->block)
		return ocf_copy_out(dst, 0, k->block, len, to) ? 0 : -EFAULT;
	for (i = 0, at = 0; i < k->npages; i++, at += PAGE_SIZE)
		if (!ocf_copy_out(dst, at, page_address(k->pages[i]),
				  min_t(size_t, PAGE_SIZE, len - at), to))
			return -EFAULT;
	return 0;
}

static struct scatterlist *ocf_kbuf_sg(struct ocf_kbuf *k)
{
	return k->block ? &k->sg : k->sgt.sgl;
}

/*
 * Readies @u for ocf_uop_prepare() and ocf_uop_finish(), charging pages to
 * @acct. Cheaper than zeroing it: batches allocate many, and the request's
 * fields are all set by prepare and dispatch anyway.
 */
void ocf_uop_init(struct ocf_uop *u, const struct ocf_pages_account *acct)
{
	u->session = NULL;
	u->mm = NULL;
	u->acct = acct;
	u->status = 0;
	u->finished = false;
	u->copied = false;
	u->copy.block = NULL;
	u->copy.borrowed = false;
	u->copy.pages = NULL;
	u->copy.sgt.sgl = NULL;
	u->bounce = NULL;
	u->src.pages = NULL;
	u->src.borrowed = false;
	u->dst.pages = NULL;
	u->dst.borrowed = false;
	u->fixed = NULL;
	u->out_fixed = false;
	u->kop = NULL;
}

/* A decryption that checks a MAC or tag: it must not run on live user pages. */
static bool ocf_uop_verifies(const struct ocf_op *op, const struct ocf_session *s)
{
	return op->op == OCF_OP_DECRYPT &&
	       (s->mac || (s->cipher && s->cipher->kind == OCF_KIND_AEAD));
}

/**
 * ocf_uop_prepare() - build the request of a user operation
 * @u: initialized by ocf_uop_init()
 * @op: the operation, copied from user space
 * @s: its session; @u takes over the caller's reference
 *
 * Return: 0, or the operation's error (then ocf_uop_finish() still cleans up).
 */
int ocf_uop_prepare(struct ocf_uop *u, const struct ocf_op *op, struct ocf_session *s)
{
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
	if (s->cipher && s->cipher->iv_len && !(op->flags & OCF_OP_IV_IN_BUFFER) &&
	    copy_from_user(req->iv, u64_to_user_ptr(op->iv), s->cipher->iv_len))
		return -EFAULT;

	if (op->len <= OCF_BOUNCE_MAX || ocf_uop_verifies(op, s)) {
		u->copied = true;
		ret = ocf_kbuf_copy_in(&u->copy, u->acct, src, u->fixed ? &u->fixed->src : NULL,
				       op->len, u->bounce);
		if (ret)
			return ret;
		/* A registered buffer's pages, whatever is mapped at its addresses now. */
		if (u->fixed) {
			u->out_iter = u->fixed->out;
			u->out_fixed = true;
		}
		req->src = ocf_kbuf_sg(&u->copy);
		req->dst = req->src;
		return 0;
	}
	if (u->fixed)
		ret = ocf_ubuf_borrow(&u->src, &u->fixed->src);
	else
		ret = ocf_ubuf_pin(&u->src, u->acct, src, op->len, in_place);
	if (ret)
		return ret;
	req->src = u->src.sgt.sgl;
	req->dst = req->src;
	if (!in_place) {
		if (u->fixed)
			ret = ocf_ubuf_borrow(&u->dst, &u->fixed->out);
		else
			ret = ocf_ubuf_pin(&u->dst, u->acct, u->user_out, op->len, true);
		if (ret)
			return ret;
		req->dst = u->dst.sgt.sgl;
	}
	return 0;
}

/**
 * ocf_uop_prepare_kop() - build the request of a user key operation
 * @u: initialized by ocf_uop_init()
 * @kop: the key operation, copied from user space
 * @complete: the request's completion
 *
 * Checks what the uapi struct adds to the kernel's struct ocf_krequest
 * (reserved fields, unused params); ocf_kdispatch() checks the rest.
 * Return: 0, or the operation's error (then ocf_uop_finish() still cleans up).
 */
int ocf_uop_prepare_kop(struct ocf_uop *u, const struct ocf_kop *kop,
			void (*complete)(struct ocf_krequest *kreq))
{
	struct ocf_krequest *kreq;
	struct ocf_ukop *uk;
	size_t total = 0;
	u32 i, n;
	u8 *at;

	if (kop->reserved[0] || kop->reserved[1] || kop->in_count > OCF_KOP_MAX_PARAMS ||
	    kop->out_count > OCF_KOP_MAX_PARAMS - kop->in_count)
		return -EINVAL;
	n = kop->in_count + kop->out_count;
	for (i = 0; i < OCF_KOP_MAX_PARAMS; i++) {
		const struct ocf_kparam *kp = &kop->param[i];

		if (kp->reserved || (i >= n && (kp->data || kp->len)))
			return -EINVAL;
		if (kp->len > OCF_KOP_MAX_BYTES)
			return -E2BIG;
		total += kp->len;
	}
	uk = kzalloc(struct_size(uk, buf, total), GFP_KERNEL_ACCOUNT);
	if (!uk)
		return -ENOMEM;
	u->kop = uk;
	kreq = &uk->kreq;
	kreq->kop = kop->kop;
	kreq->flags = kop->flags;
	kreq->producer = kop->producer;
	kreq->in_count = kop->in_count;
	kreq->out_count = kop->out_count;
	kreq->complete = complete;
	kreq->opaque = u;
	for (i = 0, at = uk->buf; i < n; at += kop->param[i].len, i++) {
		void __user *data = u64_to_user_ptr(kop->param[i].data);

		kreq->param[i].data = at;
		kreq->param[i].len = kop->param[i].len;
		if (i >= kop->in_count)
			uk->out[i] = data;
		else if (copy_from_user(at, data, kop->param[i].len))
			return -EFAULT;
	}
	return 0;
}

/* Copies a successful key operation's outputs out; then frees it all. */
static void ocf_uop_finish_kop(struct ocf_uop *u, bool copy_out)
{
	struct ocf_krequest *kreq = &u->kop->kreq;
	u32 i;

	for (i = kreq->in_count; copy_out && !u->status && i < kreq->in_count + kreq->out_count;
	     i++)
		if (copy_to_user(u->kop->out[i], kreq->param[i].data, kreq->param[i].len))
			u->status = -EFAULT;
	kfree_sensitive(u->kop);
	u->kop = NULL;
}

/*
 * Releases the pinned user pages of a completed operation: its output is
 * in them already, and pins must not outlast the work (a caller that never
 * reaps would hold them for ever). A copy stays until ocf_uop_finish().
 */
void ocf_uop_release_pins(struct ocf_uop *u)
{
	ocf_ubuf_unpin(&u->src, u->acct);
	ocf_ubuf_unpin(&u->dst, u->acct);
}

/**
 * ocf_uop_finish() - release a user operation's buffers and session
 * @u: prepared; its status is final
 * @copy_out: copy a copied result out (to the user: needs the submitter's mm)
 *
 * A failed operation releases nothing to the user's output.
 * Return: the operation's final status.
 */
int ocf_uop_finish(struct ocf_uop *u, bool copy_out)
{
	if (u->finished)
		return u->status;
	if (u->kop)
		ocf_uop_finish_kop(u, copy_out);
	if (u->copied) {
		if (copy_out && !u->status &&
		    ocf_kbuf_copy_out(&u->copy, u->user_out, u->out_fixed ? &u->out_iter : NULL,
				      u->req.len))
			u->status = -EFAULT;
		ocf_kbuf_free(&u->copy, u->acct);
	}
	ocf_uop_release_pins(u);
	if (u->session)
		ocf_session_put(u->session);
	u->session = NULL;
	if (u->mm)
		mmdrop(u->mm);
	u->mm = NULL;
	u->finished = true;
	return u->status;
}
