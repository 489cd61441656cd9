// SPDX-License-Identifier: GPL-2.0
/*
 * /dev/ocf: the user ABI. Each open file is a separate context owning its
 * sessions and operations; see include/uapi/linux/ocf.h for the contract.
 */

#include <linux/capability.h>
#include <linux/cred.h>
#include <linux/dma-mapping.h>
#include <linux/err.h>
#include <linux/fs.h>
#include <linux/kref.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/ocf_compat.h>
#include <linux/pid.h>
#include <linux/poll.h>
#include <linux/sched.h>
#include <linux/sched/mm.h>
#include <linux/sched/user.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uaccess.h>
#include <linux/xarray.h>

#include <uapi/linux/ocf.h>

#include "chardev.h"
#include "kop.h"
#include "limits.h"
#include "producer.h"
#include "session.h"
#include "uop.h"
#include "version.h"

/*
 * An open file. It outlives its release while operations it submitted are
 * still in flight: each holds a reference, so close never waits for a
 * producer, and the last completion frees what is left.
 */
struct ocf_file {
	/* The open file's, each RUN's in progress, each SUBMIT op's until reaped or dropped */
	struct kref ref;
	struct xarray sessions;		/* id -> struct ocf_session *, own lock */
	u32 next_session;		/* cyclic id allocation, under the xarray's lock */
	atomic_t nsessions;
	atomic_t reserved;		/* RUN and SUBMIT ops in flight or awaiting reap */
	atomic_t submitted;		/* SUBMIT ops not yet reaped: REAP's wait target */
	atomic_t uring_in_flight;	/* io_uring ops until released */
	struct ocf_run *spare_run;	/* the last RUN's memory, for the next */
	struct ocf_uop *spare_uop;	/* the last small io_uring op's, with its bounce */
	atomic_t spare_made;		/* the op with the bounce exists (@spare_uop or in use) */
	struct ocf_user *user;		/* the opener's per-user limits */
	struct ocf_pages_account acct;	/* the opener's locked pages */
	kuid_t uid;
	struct pid *owner;		/* the opener's thread group */
	struct list_head node;		/* in ocf_files, under ocf_files_lock */

	/*
	 * Protects the fields below, and the pdu->u of the file's io_uring
	 * commands against a cancel (which io_uring runs under its ring's
	 * lock, but before 6.10 not always the completion's task work). A
	 * leaf lock: taken under io_uring's uring_lock.
	 */
	spinlock_t lock;
	struct list_head done;		/* completed async ops, to reap */
	u32 ndone;
	bool closed;			/* released: completions are dropped, not posted */
	wait_queue_head_t wq;		/* done grew */
};

/* Every open file, for OCF_IOC_SESSIONS with OCF_LIST_ALL or OCF_LIST_MINE. */
static LIST_HEAD(ocf_files);
static DEFINE_MUTEX(ocf_files_lock);

static void ocf_run_free(struct ocf_run *run);

static void ocf_file_free(struct kref *ref)
{
	struct ocf_file *f = container_of(ref, struct ocf_file, ref);

	ocf_run_free(f->spare_run);
	if (f->spare_uop) {
		kfree(f->spare_uop->bounce);
		kfree(f->spare_uop);
	}
	xa_destroy(&f->sessions);
	ocf_user_put(f->user);
	put_pid(f->owner);
	if (f->acct.user)
		free_uid(f->acct.user);
	kfree(f);
}

static void ocf_file_put(struct ocf_file *f)
{
	kref_put(&f->ref, ocf_file_free);
}

static int ocf_open(struct inode *inode, struct file *file)
{
	struct ocf_file *f;

	f = kzalloc(sizeof(*f), GFP_KERNEL_ACCOUNT);
	if (!f)
		return -ENOMEM;
	f->uid = file->f_cred->uid;
	f->user = ocf_user_get(f->uid);
	if (!f->user) {
		kfree(f);
		return -ENOMEM;
	}
	/* As for mlock(): CAP_IPC_LOCK lifts the limit on locked pages. */
	if (!capable(CAP_IPC_LOCK))
		f->acct.user = get_uid(current_user());
	kref_init(&f->ref);
	xa_init_flags(&f->sessions, XA_FLAGS_ALLOC1);
	atomic_set(&f->nsessions, 0);
	atomic_set(&f->reserved, 0);
	atomic_set(&f->uring_in_flight, 0);
	atomic_set(&f->spare_made, 0);
	atomic_set(&f->submitted, 0);
	f->owner = get_pid(task_tgid(current));
	spin_lock_init(&f->lock);
	INIT_LIST_HEAD(&f->done);
	init_waitqueue_head(&f->wq);
	mutex_lock(&ocf_files_lock);
	list_add_tail(&f->node, &ocf_files);
	mutex_unlock(&ocf_files_lock);
	file->private_data = f;
	return 0;
}

/* Counts @n ops against the file's and the user's in-flight limits. */
static int ocf_reserve(struct ocf_file *f, u32 n)
{
	if (atomic_add_return(n, &f->reserved) > READ_ONCE(ocf_max_in_flight)) {
		atomic_sub(n, &f->reserved);
		return -EAGAIN;
	}
	if (ocf_user_charge_ops(f->user, n)) {
		atomic_sub(n, &f->reserved);
		return -EAGAIN;
	}
	return 0;
}

static void ocf_unreserve(struct ocf_file *f, u32 n)
{
	ocf_user_uncharge_ops(f->user, n);
	atomic_sub(n, &f->reserved);
}

/* An async op nobody will reap: its file was closed. */
static void ocf_async_drop(struct ocf_file *f, struct ocf_uop *u)
{
	ocf_uop_finish(u, false);
	kfree(u);
	atomic_dec(&f->submitted);
	ocf_unreserve(f, 1);
	ocf_file_put(f);
}

static int ocf_release(struct inode *inode, struct file *file)
{
	struct ocf_file *f = file->private_data;
	struct ocf_uop *u, *tmp;
	struct ocf_session *s;
	LIST_HEAD(dropped);
	unsigned long id;

	mutex_lock(&ocf_files_lock);
	list_del(&f->node);
	mutex_unlock(&ocf_files_lock);

	/* Operations still in flight finish on their own and are dropped then. */
	spin_lock(&f->lock);
	f->closed = true;
	list_splice_init(&f->done, &dropped);
	f->ndone = 0;
	spin_unlock(&f->lock);
	list_for_each_entry_safe(u, tmp, &dropped, node) {
		list_del(&u->node);
		ocf_async_drop(f, u);
	}
	xa_for_each(&f->sessions, id, s) {
		xa_erase(&f->sessions, id);
		atomic_dec(&f->nsessions);
		ocf_user_uncharge_session(f->user);
		ocf_session_free(s);
	}
	ocf_file_put(f);
	return 0;
}

/*
 * Reads a struct that starts with a __u32 size, from the first version's
 * @min_size up to a page; the kernel's @ksize copy gets zeroes for what an
 * older caller lacks. Its size field is set to what both sides know.
 */
static int ocf_copy_sized(void *dst, size_t ksize, size_t min_size, const void __user *src)
{
	u32 size;
	int ret;

	if (get_user(size, (const u32 __user *)src))
		return -EFAULT;
	if (size < min_size)
		return -EINVAL;
	if (size > PAGE_SIZE)
		return -E2BIG;
	ret = copy_struct_from_user(dst, ksize, src, size);
	if (ret)
		return ret;
	*(u32 *)dst = min_t(u32, size, ksize);
	return 0;
}

static bool ocf_zeroed(const void *p, size_t len)
{
	return !memchr_inv(p, 0, len);
}

/* Without CONFIG_IO_URING the stubs compile, but no ring can reach us. */
#define OCF_FEATURES (OCF_FEATURE_SIZED_IOCTLS | OCF_FEATURE_USER_LIMITS | \
		      OCF_FEATURE_VERIFY_FIRST | OCF_FEATURE_REAP_OWNER | OCF_FEATURE_KEY_OPS | \
		      (IS_ENABLED(CONFIG_IO_URING) ? OCF_FEATURE_URING : 0) | \
		      (IS_ENABLED(CONFIG_IO_URING) && OCF_URING_FIXED ? \
		       OCF_FEATURE_URING_FIXED : 0))

static long ocf_ioctl_version(void __user *argp)
{
	struct ocf_version v;
	int ret;

	ret = ocf_copy_sized(&v, sizeof(v), OCF_VERSION_SIZE_VER0, argp);
	if (ret)
		return ret;
	/* features is output only, like an op's status: a reused struct may carry it. */
	if (!ocf_zeroed(v.reserved, sizeof(v.reserved)))
		return -EINVAL;
	v.abi_version = OCF_ABI_VERSION;
	strscpy(v.module_version, OCF_VERSION, sizeof(v.module_version));
	v.features = OCF_FEATURES;
	return copy_to_user(argp, &v, v.size) ? -EFAULT : 0;
}

static struct ocf_session *ocf_file_session(struct ocf_file *f, u32 id)
{
	struct ocf_session *s;

	xa_lock(&f->sessions);
	s = xa_load(&f->sessions, id);
	if (s)
		ocf_session_get(s);
	xa_unlock(&f->sessions);
	return s;
}

static long ocf_ioctl_session_new(struct ocf_file *f, void __user *argp)
{
	struct ocf_session_new __user *usn = argp;
	struct ocf_session_params params = {};
	struct ocf_session_new sn;
	struct ocf_session *s;
	u32 id;
	int ret;

	ret = ocf_copy_sized(&sn, sizeof(sn), OCF_SESSION_NEW_SIZE_VER0, argp);
	if (ret)
		return ret;
	if (!ocf_zeroed(sn.reserved, sizeof(sn.reserved)) || sn.session || sn.producer_chosen)
		return -EINVAL;
	if (sn.cipher_key_len > OCF_MAX_KEY_LEN || sn.mac_key_len > OCF_MAX_MAC_KEY_LEN)
		return -EINVAL;
	params.cipher = sn.cipher;
	params.mac = sn.mac;
	params.flags = sn.flags;
	params.mac_len = sn.mac_len;
	params.producer = sn.producer;
	params.cipher_key_len = sn.cipher_key_len;
	params.mac_key_len = sn.mac_key_len;
	if (copy_from_user(params.cipher_key, u64_to_user_ptr(sn.cipher_key), sn.cipher_key_len) ||
	    copy_from_user(params.mac_key, u64_to_user_ptr(sn.mac_key), sn.mac_key_len)) {
		ret = -EFAULT;
		goto out_zeroize;
	}
	if (atomic_inc_return(&f->nsessions) > READ_ONCE(ocf_max_sessions)) {
		ret = -ENOSPC;
		goto err_unreserve;
	}
	ret = ocf_user_charge_session(f->user);
	if (ret)
		goto err_unreserve;
	s = ocf_session_new(&params);
	if (IS_ERR(s)) {
		ret = PTR_ERR(s);
		goto err_uncharge;
	}
	sn.producer_chosen = ocf_session_producer_id(s);

	/*
	 * The id is reserved, not published, until the caller has it: no
	 * other thread can look the session up or free it meanwhile, and
	 * SESSION_FREE leaves a reserved id alone.
	 */
	ret = xa_alloc_cyclic(&f->sessions, &id, NULL, xa_limit_31b, &f->next_session,
			      GFP_KERNEL_ACCOUNT);
	if (ret < 0)
		goto err_free_session;
	if (put_user(id, &usn->session) || put_user(sn.producer_chosen, &usn->producer_chosen)) {
		xa_release(&f->sessions, id);
		ret = -EFAULT;
		goto err_free_session;
	}
	/* Into the reserved slot: needs no allocation, cannot fail. */
	xa_store(&f->sessions, id, s, GFP_KERNEL);
	ret = 0;
	goto out_zeroize;

err_free_session:
	ocf_session_free(s);
err_uncharge:
	ocf_user_uncharge_session(f->user);
err_unreserve:
	atomic_dec(&f->nsessions);
out_zeroize:
	memzero_explicit(&params, sizeof(params));
	return ret;
}

static long ocf_ioctl_session_free(struct ocf_file *f, void __user *argp)
{
	struct ocf_session *s;
	u32 id;

	if (get_user(id, (u32 __user *)argp))
		return -EFAULT;
	/* xa_load() sees no session in an id SESSION_NEW has only reserved. */
	xa_lock(&f->sessions);
	s = xa_load(&f->sessions, id);
	if (s)
		__xa_erase(&f->sessions, id);
	xa_unlock(&f->sessions);
	if (!s)
		return -ENOENT;
	atomic_dec(&f->nsessions);
	ocf_user_uncharge_session(f->user);
	ocf_session_free(s);
	return 0;
}

/* Reads and checks a batch header; the ops array is read by the caller. */
static int ocf_batch_read(struct ocf_batch *b, void __user *argp)
{
	int ret;

	ret = ocf_copy_sized(b, sizeof(*b), OCF_BATCH_SIZE_VER0, argp);
	if (ret)
		return ret;
	if (b->flags || b->reserved0 || b->done || !ocf_zeroed(b->reserved, sizeof(b->reserved)))
		return -EINVAL;
	if (!b->count || b->count > OCF_MAX_BATCH)
		return -EINVAL;
	if (b->op_size < OCF_OP_SIZE_VER0 || b->op_size > PAGE_SIZE)
		return -EINVAL;
	return 0;
}

static int ocf_ops_read(const struct ocf_batch *b, struct ocf_op *ops)
{
	const u8 __user *uops = u64_to_user_ptr(b->ops);
	u32 i;
	int ret;

	if (b->op_size == sizeof(*ops))
		return copy_from_user(ops, uops, b->count * sizeof(*ops)) ? -EFAULT : 0;
	for (i = 0; i < b->count; i++) {
		ret = copy_struct_from_user(&ops[i], sizeof(ops[i]),
					    uops + (size_t)i * b->op_size, b->op_size);
		if (ret)
			return ret;
	}
	return 0;
}

/* A key operation: struct ocf_op only points to its struct ocf_kop. */
static int ocf_uop_setup_kop(struct ocf_uop *u, const struct ocf_op *op,
			     void (*kcomplete)(struct ocf_krequest *kreq))
{
	struct ocf_producer *p = NULL;
	struct ocf_kop kop;
	int ret;

	if (op->session || op->flags || op->dst || op->len || op->cipher_offset ||
	    op->cipher_len || op->auth_offset || op->auth_len || op->mac_offset ||
	    op->iv_offset || op->iv)
		return -EINVAL;
	ret = ocf_copy_sized(&kop, sizeof(kop), OCF_KOP_SIZE_VER0, u64_to_user_ptr(op->src));
	if (ret)
		return ret;
	/* For the kernel API a preference; here a producer that is not there is an error. */
	if (kop.producer) {
		mutex_lock(&ocf_lock);
		p = ocf_producer_find(kop.producer);
		mutex_unlock(&ocf_lock);
		if (!p)
			return -ENOENT;
	}
	return ocf_uop_prepare_kop(u, &kop, kcomplete);
}

/*
 * Checks what only the file can check and prepares @u's request.
 * Return: 0 when it is ready to dispatch, else the operation's error.
 */
static int ocf_uop_setup(struct ocf_file *f, struct ocf_uop *u, const struct ocf_op *op,
			 void (*complete)(struct ocf_request *req),
			 void (*kcomplete)(struct ocf_krequest *kreq), void *owner)
{
	struct ocf_session *s;

	u->owner = owner;
	u->tag = op->tag;
	u->req.complete = complete;
	u->req.opaque = u;
	/* status is output only: a reused array may carry the last one's. */
	if (op->reserved0 || !ocf_zeroed(op->reserved, sizeof(op->reserved)))
		return -EINVAL;
	if (op->op == OCF_OP_KEY)
		return ocf_uop_setup_kop(u, op, kcomplete);
	if (op->len > READ_ONCE(ocf_max_op_len))
		return -E2BIG;
	s = ocf_file_session(f, op->session);
	if (!s)
		return -ENOENT;
	return ocf_uop_prepare(u, op, s);
}

/*
 * One OCF_IOC_RUN. On the heap, refcounted: a caller killed while waiting
 * leaves, and the last completion releases the operations' buffers.
 *
 * Its memory is kept for the file's next RUN: allocating and zeroing the
 * arrays (the kernel zeroes every allocation when init_on_alloc is on, as
 * Debian's is) and the small operations' copies cost more than the crypto
 * of a batch of small operations.
 */
struct ocf_run {
	refcount_t ref;			/* the waiter's, and the operations' */
	atomic_t pending;		/* operations not done, +1 while dispatching */
	struct completion done;		/* pending reached 0 */
	struct ocf_file *f;		/* a reference, with @count ops reserved */
	u32 count;
	u32 capacity;			/* of the arrays */
	struct ocf_op *ops;
	struct ocf_uop *uops;
	struct ocf_request **reqs;
	u8 *bounce;			/* copies of small operations, zeroed after use */
	size_t bounce_size;
};

/* What a file keeps of its last RUN: the arrays of up to this many ops... */
#define OCF_RUN_SPARE_OPS	128
/* ...and this much room for copies; an op that does not fit allocates its own. */
#define OCF_RUN_BOUNCE_MAX	(64 * 1024)
/* A copy's slot: DMA cache lines of its own, for a producer that DMA-maps it. */
#define OCF_RUN_SLOT(len)						\
	ALIGN(max_t(u32, (len), 1),					\
	      max_t(unsigned int, L1_CACHE_BYTES, dma_get_cache_alignment()))

static void ocf_run_free(struct ocf_run *run)
{
	if (!run)
		return;
	kfree(run->bounce);
	kvfree(run->reqs);
	kvfree(run->uops);
	kvfree(run->ops);
	kfree(run);
}

/* A run with arrays for @count ops: the file's spare if it is large enough. */
static struct ocf_run *ocf_run_alloc(struct ocf_file *f, u32 count)
{
	struct ocf_run *run = xchg(&f->spare_run, NULL);

	if (run && run->capacity >= count)
		return run;
	ocf_run_free(run);
	run = kzalloc(sizeof(*run), GFP_KERNEL_ACCOUNT);
	if (!run)
		return NULL;
	run->capacity = count;
	run->ops = kvmalloc_array(count, sizeof(*run->ops), GFP_KERNEL_ACCOUNT);
	run->uops = kvmalloc_array(count, sizeof(*run->uops), GFP_KERNEL_ACCOUNT);
	run->reqs = kvmalloc_array(count, sizeof(*run->reqs), GFP_KERNEL_ACCOUNT);
	if (!run->ops || !run->uops || !run->reqs) {
		ocf_run_free(run);
		return NULL;
	}
	return run;
}

/* Keeps @run for the file's next RUN, unless it is too large or one is kept already. */
static void ocf_run_recycle(struct ocf_file *f, struct ocf_run *run)
{
	if (run->capacity > OCF_RUN_SPARE_OPS || cmpxchg(&f->spare_run, NULL, run))
		ocf_run_free(run);
}

/*
 * Gives the small ops that will be copied a slot in the run's copy block,
 * as far as it goes. Without the block they allocate their own.
 */
static void ocf_run_bounce(struct ocf_run *run)
{
	size_t need = 0, at = 0;
	u32 i;

	for (i = 0; i < run->count; i++)
		if (run->ops[i].len <= OCF_BOUNCE_MAX && run->ops[i].op != OCF_OP_KEY)
			need += OCF_RUN_SLOT(run->ops[i].len);
	need = min_t(size_t, need, OCF_RUN_BOUNCE_MAX);
	if (need > run->bounce_size) {
		kfree(run->bounce);
		/* Without it each op allocates its own: no need to try hard. */
		run->bounce = kmalloc(need, GFP_KERNEL_ACCOUNT | __GFP_NOWARN | __GFP_NORETRY);
		run->bounce_size = run->bounce ? need : 0;
	}
	for (i = 0; i < run->count; i++) {
		u32 len = run->ops[i].len;

		if (len > OCF_BOUNCE_MAX || run->ops[i].op == OCF_OP_KEY ||
		    at + OCF_RUN_SLOT(len) > run->bounce_size)
			continue;
		run->uops[i].bounce = run->bounce + at;
		at += OCF_RUN_SLOT(len);
	}
}

static void ocf_run_put(struct ocf_run *run)
{
	struct ocf_file *f = run->f;
	u32 i;

	if (!refcount_dec_and_test(&run->ref))
		return;
	for (i = 0; i < run->count; i++)
		ocf_uop_finish(&run->uops[i], false);
	ocf_unreserve(f, run->count);
	ocf_run_recycle(f, run);
	ocf_file_put(f);
}

static void ocf_run_one_done(struct ocf_run *run)
{
	if (atomic_dec_and_test(&run->pending)) {
		complete(&run->done);
		ocf_run_put(run);
	}
}

static void ocf_run_complete(struct ocf_request *req)
{
	struct ocf_uop *u = req->opaque;

	u->status = req->status;
	ocf_run_one_done(u->owner);
}

static void ocf_run_kcomplete(struct ocf_krequest *kreq)
{
	struct ocf_uop *u = kreq->opaque;

	u->status = kreq->status;
	ocf_run_one_done(u->owner);
}

static long ocf_ioctl_run(struct ocf_file *f, void __user *argp)
{
	struct ocf_batch b;
	struct ocf_run *run;
	u32 i, n, k;
	long ret;
	int err;

	ret = ocf_batch_read(&b, argp);
	if (ret)
		return ret;
	run = ocf_run_alloc(f, b.count);
	if (!run)
		return -ENOMEM;
	ret = ocf_ops_read(&b, run->ops);
	if (ret)
		goto err_recycle;
	ret = ocf_reserve(f, b.count);
	if (ret)
		goto err_recycle;

	kref_get(&f->ref);
	run->f = f;
	run->count = b.count;
	refcount_set(&run->ref, 2);
	init_completion(&run->done);
	for (i = 0; i < b.count; i++)
		ocf_uop_init(&run->uops[i], &f->acct);
	ocf_run_bounce(run);
	for (i = 0, n = 0, k = 0; i < b.count; i++) {
		struct ocf_uop *u = &run->uops[i];

		u->status = ocf_uop_setup(f, u, &run->ops[i], ocf_run_complete, ocf_run_kcomplete,
					  run);
		if (u->status)
			continue;
		if (u->kop)
			k++;
		else
			run->reqs[n++] = &u->req;
	}
	atomic_set(&run->pending, n + k + 1);
	/* Key operations first: they only queue, while the batch may run here. */
	for (i = 0; i < b.count && k; i++) {
		struct ocf_uop *u = &run->uops[i];

		if (!u->kop || u->status)
			continue;
		k--;
		err = ocf_kdispatch(&u->kop->kreq);
		if (err) {
			u->status = err;
			ocf_run_one_done(run);
		}
	}
	ocf_dispatch_batch(run->reqs, n);
	ocf_run_one_done(run);
	if (wait_for_completion_killable(&run->done)) {
		ocf_run_put(run);
		return -EINTR;
	}

	for (i = 0; i < b.count; i++) {
		s32 status = ocf_uop_finish(&run->uops[i], true);
		struct ocf_op __user *uop = u64_to_user_ptr(b.ops + (u64)i * b.op_size);

		if (put_user(status, &uop->status))
			ret = -EFAULT;
	}
	ocf_run_put(run);
	if (!ret && put_user(b.count, &((struct ocf_batch __user *)argp)->done))
		ret = -EFAULT;
	return ret;

err_recycle:
	ocf_run_recycle(f, run);
	return ret;
}

/* Hands a finished async op to the reaper, or drops it if the file is closed. */
static void ocf_async_post(struct ocf_file *f, struct ocf_uop *u)
{
	spin_lock(&f->lock);
	if (!f->closed) {
		list_add_tail(&u->node, &f->done);
		f->ndone++;
		wake_up(&f->wq);
		spin_unlock(&f->lock);
		return;
	}
	spin_unlock(&f->lock);
	ocf_async_drop(f, u);
}

static void ocf_async_complete(struct ocf_request *req)
{
	struct ocf_uop *u = req->opaque;

	u->status = req->status;
	ocf_uop_release_pins(u);
	ocf_async_post(u->owner, u);
}

static void ocf_async_kcomplete(struct ocf_krequest *kreq)
{
	struct ocf_uop *u = kreq->opaque;

	u->status = kreq->status;
	ocf_async_post(u->owner, u);
}

static long ocf_ioctl_submit(struct ocf_file *f, void __user *argp)
{
	struct ocf_batch b;
	struct ocf_run *run;
	struct ocf_uop *u;
	u32 i, n = 0;
	long ret;
	int err;

	ret = ocf_batch_read(&b, argp);
	if (ret)
		return ret;
	/* Only its arrays: the ops outlive this call. */
	run = ocf_run_alloc(f, b.count);
	if (!run)
		return -ENOMEM;
	ret = ocf_ops_read(&b, run->ops);
	if (ret)
		goto out_recycle;
	ret = ocf_reserve(f, b.count);
	if (ret)
		goto out_recycle;

	for (i = 0; i < b.count; i++) {
		u = kmalloc(sizeof(*u), GFP_KERNEL_ACCOUNT);
		if (!u) {
			/* The rest were never accepted. */
			ocf_unreserve(f, b.count - i);
			ret = i ? 0 : -ENOMEM;
			break;
		}
		ocf_uop_init(u, &f->acct);
		/* Completions go to this address space only: REAP checks it. */
		u->mm = current->mm;
		mmgrab(u->mm);
		kref_get(&f->ref);
		atomic_inc(&f->submitted);
		err = ocf_uop_setup(f, u, &run->ops[i], ocf_async_complete, ocf_async_kcomplete,
				    f);
		/*
		 * Small ops go as one batch, as RUN's do: a synchronous producer
		 * does them here, which costs less than a worker's handoff per
		 * op. Large ones go to the workers, so that SUBMIT returns soon.
		 * Once dispatched, @u is the completion's: it may be reaped
		 * already.
		 */
		if (!err && u->kop)
			err = ocf_kdispatch(&u->kop->kreq);
		else if (!err && u->req.len <= OCF_BOUNCE_MAX)
			run->reqs[n++] = &u->req;
		else if (!err)
			err = ocf_dispatch(&u->req);
		if (err) {
			u->status = err;
			ocf_async_post(f, u);
		}
	}
	ocf_dispatch_batch(run->reqs, n);
	if (!ret && put_user(i, &((struct ocf_batch __user *)argp)->done))
		ret = -EFAULT;

out_recycle:
	ocf_run_recycle(f, run);
	return ret;
}

static bool ocf_reap_ready(struct ocf_file *f, const struct ocf_reap *r)
{
	u32 want = min3(r->min_complete, r->max, (u32)atomic_read(&f->submitted));

	return READ_ONCE(f->ndone) >= want;
}

static long ocf_ioctl_reap(struct ocf_file *f, void __user *argp)
{
	struct ocf_reap __user *ur = argp;
	struct ocf_completion *comps;
	struct ocf_uop *u, *tmp;
	bool interrupted = false;
	struct ocf_reap r;
	LIST_HEAD(reaped);
	u32 n = 0;
	long ret;

	ret = ocf_copy_sized(&r, sizeof(r), OCF_REAP_SIZE_VER0, argp);
	if (ret)
		return ret;
	if (r.flags & ~OCF_REAP_FLAGS || r.count || r.in_flight ||
	    !ocf_zeroed(r.reserved, sizeof(r.reserved)))
		return -EINVAL;
	if (!r.max || r.max > OCF_MAX_BATCH)
		return -EINVAL;
	/*
	 * Only submitted ops reach the done list; RUN's never do. The target
	 * is taken again at each wakeup: another thread or process sharing
	 * the file may reap what this one waits for.
	 */
	if (r.flags & OCF_REAP_WAIT)
		interrupted = wait_event_interruptible(f->wq, ocf_reap_ready(f, &r));
	comps = kvcalloc(r.max, sizeof(*comps), GFP_KERNEL_ACCOUNT);
	if (!comps)
		return -ENOMEM;

	spin_lock(&f->lock);
	list_for_each_entry_safe(u, tmp, &f->done, node) {
		if (n == r.max)
			break;
		list_move_tail(&u->node, &reaped);
		f->ndone--;
		n++;
	}
	spin_unlock(&f->lock);
	if (!n && interrupted) {
		ret = -EINTR;
		goto out_free;
	}

	n = 0;
	list_for_each_entry(u, &reaped, node) {
		comps[n].tag = u->tag;
		/* Another process (fork, a passed descriptor) gets no output. */
		if (u->mm != current->mm && !u->finished)
			u->status = -EXDEV;
		comps[n].status = ocf_uop_finish(u, u->mm == current->mm);
		n++;
	}
	if (copy_to_user(u64_to_user_ptr(r.completions), comps, n * sizeof(*comps))) {
		/* Keep them, with their final status, for a reap that can write. */
		spin_lock(&f->lock);
		list_splice(&reaped, &f->done);
		f->ndone += n;
		wake_up(&f->wq);
		spin_unlock(&f->lock);
		ret = -EFAULT;
		goto out_free;
	}
	list_for_each_entry_safe(u, tmp, &reaped, node) {
		kfree(u);
		/* Not the last reference: the caller's file holds one. */
		ocf_file_put(f);
	}
	atomic_sub(n, &f->submitted);
	ocf_unreserve(f, n);
	/* Others waiting may now want fewer than they did. */
	if (n)
		wake_up(&f->wq);
	r.count = n;
	r.in_flight = atomic_read(&f->submitted);
	if (put_user(r.count, &ur->count) || put_user(r.in_flight, &ur->in_flight))
		ret = -EFAULT;

out_free:
	kvfree(comps);
	return ret;
}

/* Reads and checks a list header; returns the entry size to write. */
static int ocf_list_read(struct ocf_list *l, void __user *argp, u32 flags_allowed,
			 size_t entry_min)
{
	int ret;

	ret = ocf_copy_sized(l, sizeof(*l), OCF_LIST_SIZE_VER0, argp);
	if (ret)
		return ret;
	if (l->flags & ~flags_allowed || l->count || l->total ||
	    !ocf_zeroed(l->reserved, sizeof(l->reserved)))
		return -EINVAL;
	if (l->entry_size < entry_min || l->entry_size > PAGE_SIZE || l->max > 65536)
		return -EINVAL;
	return 0;
}

/* Writes @n entries of @ksize bytes as the caller's @l->entry_size each. */
static int ocf_list_write(const struct ocf_list *l, void __user *argp, const void *entries,
			  size_t ksize, u32 n, u32 total)
{
	u8 __user *out = u64_to_user_ptr(l->entries);
	size_t esize = l->entry_size;
	const u8 *entry = entries;
	u32 i;

	for (i = 0; i < n; i++, out += esize, entry += ksize) {
		if (copy_to_user(out, entry, min(esize, ksize)))
			return -EFAULT;
		if (esize > ksize && clear_user(out + ksize, esize - ksize))
			return -EFAULT;
	}
	if (put_user(n, &((struct ocf_list __user *)argp)->count) ||
	    put_user(total, &((struct ocf_list __user *)argp)->total))
		return -EFAULT;
	return 0;
}

static long ocf_ioctl_producers(void __user *argp)
{
	struct ocf_producer_info *infos;
	struct ocf_list l;
	u32 total, n;
	long ret;

	ret = ocf_list_read(&l, argp, 0, sizeof(struct ocf_producer_info));
	if (ret)
		return ret;
	infos = kvcalloc(max_t(u32, l.max, 1), sizeof(*infos), GFP_KERNEL_ACCOUNT);
	if (!infos)
		return -ENOMEM;
	n = ocf_producers_fill(infos, l.max, &total);
	ret = ocf_list_write(&l, argp, infos, sizeof(*infos), n, total);
	kvfree(infos);
	return ret;
}

/*
 * Takes references to up to @max of @f's sessions after the *@total already
 * taken, counting all of them in *@total.
 */
static void ocf_file_sessions(struct ocf_file *f, struct ocf_session_info *infos,
			      struct ocf_session **refs, u32 max, u32 *total)
{
	struct ocf_session *s;
	unsigned long id;

	xa_lock(&f->sessions);
	xa_for_each(&f->sessions, id, s) {
		if (*total < max) {
			ocf_session_get(s);
			refs[*total] = s;
			infos[*total].session = id;
			/* In the lister's pid namespace; 0 when not visible there. */
			infos[*total].owner_pid = pid_vnr(f->owner);
		}
		(*total)++;
	}
	xa_unlock(&f->sessions);
}

static long ocf_ioctl_sessions(struct ocf_file *f, void __user *argp)
{
	struct ocf_session_info *infos;
	struct ocf_session **refs;
	struct ocf_file *other;
	u32 total = 0, n, i;
	struct ocf_list l;
	long ret;

	ret = ocf_list_read(&l, argp, OCF_LIST_ALL | OCF_LIST_MINE,
			    sizeof(struct ocf_session_info));
	if (ret)
		return ret;
	if ((l.flags & OCF_LIST_ALL) && (l.flags & OCF_LIST_MINE))
		return -EINVAL;
	if ((l.flags & OCF_LIST_ALL) && !capable(CAP_SYS_ADMIN))
		return -EPERM;
	infos = kvcalloc(max_t(u32, l.max, 1), sizeof(*infos), GFP_KERNEL_ACCOUNT);
	refs = kvcalloc(max_t(u32, l.max, 1), sizeof(*refs), GFP_KERNEL_ACCOUNT);
	if (!infos || !refs) {
		ret = -ENOMEM;
		goto out_free;
	}
	if (l.flags & (OCF_LIST_ALL | OCF_LIST_MINE)) {
		mutex_lock(&ocf_files_lock);
		list_for_each_entry(other, &ocf_files, node)
			if ((l.flags & OCF_LIST_ALL) || uid_eq(other->uid, current_uid()))
				ocf_file_sessions(other, infos, refs, l.max, &total);
		mutex_unlock(&ocf_files_lock);
	} else {
		ocf_file_sessions(f, infos, refs, l.max, &total);
	}
	/* Filling may sleep: done outside the xarray locks, on references. */
	n = min(total, l.max);
	for (i = 0; i < n; i++) {
		ocf_session_fill_info(refs[i], &infos[i]);
		ocf_session_put(refs[i]);
	}
	ret = ocf_list_write(&l, argp, infos, sizeof(*infos), n, total);
out_free:
	kvfree(refs);
	kvfree(infos);
	return ret;
}

static __poll_t ocf_poll(struct file *file, poll_table *wait)
{
	struct ocf_file *f = file->private_data;

	poll_wait(file, &f->wq, wait);
	return READ_ONCE(f->ndone) ? EPOLLIN | EPOLLRDNORM : 0;
}

/*
 * io_uring: one struct ocf_uring_op per SQE, checked, accounted and
 * prepared as an OCF_IOC_SUBMIT op is. An accepted op holds a reference to
 * the file and its reservation until the producer has finished it; its CQE
 * is posted from task work of the submitting task, which copies copied
 * outputs into its own memory first.
 *
 * An op's u->owner is its command until its CQE is claimed: the completion
 * and, where io_uring can cancel (6.7+), the cancel each take it with
 * xchg(), and only the one that gets it posts the CQE. A cancelled op is
 * orphaned: -ECANCELED is posted at once, so the ring, exit and exec need
 * not wait for it, and the op keeps its file reference, reservation and
 * pins until the producer finishes it; then it is released without copying
 * out, as a SUBMIT op of a closed file is.
 */
struct ocf_uring_pdu {
	struct ocf_uop *u;	/* NULL: not built, or its CQE's task work runs */
	int status;		/* then the CQE's res */
};

static struct ocf_uring_pdu *ocf_uring_pdu(struct io_uring_cmd *ioucmd)
{
	BUILD_BUG_ON(sizeof(struct ocf_uring_pdu) > sizeof_field(struct io_uring_cmd, pdu));
	return (struct ocf_uring_pdu *)ioucmd->pdu;
}

/* An op's file: what it charges its pages to is the file's. */
static struct ocf_file *ocf_uop_file(struct ocf_uop *u)
{
	return container_of(u->acct, struct ocf_file, acct);
}

/*
 * The file's limits, and for ops io_uring cannot cancel (any before 6.7; on
 * a registered buffer, any), a lower one of its own that bounds how long a
 * ring's teardown waits.
 */
static int ocf_uring_reserve(struct ocf_file *f, bool cancelable)
{
	int ret;

	if (atomic_inc_return(&f->uring_in_flight) > READ_ONCE(ocf_max_uring_in_flight) &&
	    !cancelable) {
		atomic_dec(&f->uring_in_flight);
		return -EAGAIN;
	}
	ret = ocf_reserve(f, 1);
	if (ret)
		atomic_dec(&f->uring_in_flight);
	return ret;
}

static void ocf_uring_unreserve(struct ocf_file *f)
{
	ocf_unreserve(f, 1);
	atomic_dec(&f->uring_in_flight);
}

/*
 * An io_uring op's memory. A small op takes the file's spare, whose bounce
 * block holds its copy: ops that complete at issue, one after the other,
 * then allocate (and, with init_on_alloc, clear) nothing. A file has at
 * most one op with a bounce block, made for the first small op: others
 * in flight meanwhile copy into blocks of their size.
 */
static struct ocf_uop *ocf_uring_uop_get(struct ocf_file *f, const struct ocf_uring_op *uo)
{
	bool small = uo->op != OCF_OP_KEY && uo->len <= OCF_BOUNCE_MAX;
	struct ocf_uop *u = small ? xchg(&f->spare_uop, NULL) : NULL;
	void *bounce = NULL;

	if (u) {
		bounce = u->bounce;
	} else {
		u = kmalloc(sizeof(*u), GFP_KERNEL_ACCOUNT);
		if (!u)
			return NULL;
		if (small && !atomic_cmpxchg(&f->spare_made, 0, 1)) {
			bounce = kmalloc(OCF_BOUNCE_MAX, GFP_KERNEL_ACCOUNT | __GFP_NOWARN);
			if (!bounce)
				atomic_set(&f->spare_made, 0);
		}
	}
	ocf_uop_init(u, &f->acct);
	u->bounce = bounce;
	return u;
}

/* The one op with a bounce block (cleared at finish) goes back to be the spare. */
static void ocf_uring_uop_put(struct ocf_file *f, struct ocf_uop *u)
{
	if (u->bounce && !cmpxchg(&f->spare_uop, NULL, u))
		return;
	/* Only if a race ever broke the invariant: then a new spare may be made. */
	if (u->bounce)
		atomic_set(&f->spare_made, 0);
	kfree(u->bounce);
	kfree(u);
}

/* Releases an op that was accepted: its buffers, reservation and file reference. */
static int ocf_uring_release(struct ocf_uop *u, bool copy_out)
{
	struct ocf_file *f = ocf_uop_file(u);
	int status = ocf_uop_finish(u, copy_out);

	ocf_uring_uop_put(f, u);
	ocf_uring_unreserve(f);
	ocf_file_put(f);
	return status;
}

/* Releases a finished op, copying out into the submitter's memory only. */
static int ocf_uring_finish(struct io_uring_cmd *ioucmd, struct ocf_uop *u)
{
	struct ocf_file *f = ocf_uop_file(u);
	/* Not a worker's, nor an exiting task's without one; a registered buffer is anyone's. */
	bool own = u->mm == current->mm || u->out_fixed;

	/* What is lost is what only a copy-out delivers; pinned output is in place. */
	if (!own && !u->status && (u->copied || u->kop))
		u->status = -EINTR;
	spin_lock(&f->lock);
	ocf_uring_pdu(ioucmd)->u = NULL;
	spin_unlock(&f->lock);
	return ocf_uring_release(u, own);
}

/* Task work of the submitting task, or io_uring's fallback worker when it is gone. */
static void ocf_uring_done(struct io_uring_cmd *ioucmd, unsigned int issue_flags)
{
	struct ocf_uring_pdu *pdu = ocf_uring_pdu(ioucmd);
	int status = pdu->u ? ocf_uring_finish(ioucmd, pdu->u) : pdu->status;

	io_uring_cmd_done(ioucmd, status, 0, issue_flags);
}

/* Fails a command with @status from its issue, through its CQE. */
static int ocf_uring_fail(struct io_uring_cmd *ioucmd, int status)
{
	struct ocf_uring_pdu *pdu = ocf_uring_pdu(ioucmd);

	pdu->u = NULL;
	pdu->status = status;
	io_uring_cmd_complete_in_task(ioucmd, ocf_uring_done);
	return -EIOCBQUEUED;
}

/*
 * The owner of an op issued inline while its issue still runs: a
 * completion that finds it leaves the CQE to the issue, which returns the
 * status and so spares the task work.
 */
#define OCF_URING_ISSUING	((void *)1)

/*
 * The producer is done with @u: its CQE is posted, or left to its issue,
 * or, if cancelled, @u is released.
 */
static void ocf_uring_post(struct ocf_uop *u)
{
	struct io_uring_cmd *ioucmd = xchg(&u->owner, NULL);

	if (ioucmd == OCF_URING_ISSUING)
		return;
	if (ioucmd)
		io_uring_cmd_complete_in_task(ioucmd, ocf_uring_done);
	else
		ocf_uring_release(u, false);
}

/*
 * Dispatches a small op in the issuing task and, when a synchronous
 * producer finished it there, returns its status for io_uring to post at
 * once; else -EIOCBQUEUED, and the op is cancelable from then on. Marked
 * after its dispatch, still before its completion can post: that runs as
 * task work of this task, after the issue returns.
 */
static int ocf_uring_issue_inline(struct io_uring_cmd *ioucmd, struct ocf_uop *u,
				  unsigned int issue_flags)
{
	struct ocf_request *req = &u->req;
	int status;

	WRITE_ONCE(u->owner, OCF_URING_ISSUING);
	ocf_dispatch_batch(&req, 1);
	if (cmpxchg(&u->owner, OCF_URING_ISSUING, ioucmd) == OCF_URING_ISSUING) {
		ocf_uring_mark_cancelable(ioucmd, issue_flags);
		return -EIOCBQUEUED;
	}
	/* A failed cmpxchg() orders nothing: see the completion's writes before its xchg(). */
	smp_rmb();
	status = ocf_uring_finish(ioucmd, u);
	/* Returned, -EAGAIN would have io_uring issue it again. */
	return status == -EAGAIN ? ocf_uring_fail(ioucmd, status) : status;
}

static void ocf_uring_complete(struct ocf_request *req)
{
	struct ocf_uop *u = req->opaque;

	u->status = req->status;
	ocf_uop_release_pins(u);
	ocf_uring_post(u);
}

static void ocf_uring_kcomplete(struct ocf_krequest *kreq)
{
	struct ocf_uop *u = kreq->opaque;

	u->status = kreq->status;
	ocf_uring_post(u);
}

/*
 * IO_URING_F_CANCEL. The file's lock keeps a non-NULL pdu->u from being
 * freed meanwhile: io_uring holds its ring's lock here, but from 6.7 to
 * 6.9 the completion's task work may run without it. io_uring asks again
 * while the command is on its cancelable list, so a cancel that wins must
 * post the CQE; one that loses finds the completion's task work queued.
 */
static void ocf_uring_cancel(struct io_uring_cmd *ioucmd, unsigned int issue_flags)
{
	struct ocf_file *f = ioucmd->file->private_data;
	struct io_uring_cmd *mine = NULL;
	struct ocf_uop *u;

	spin_lock(&f->lock);
	u = ocf_uring_pdu(ioucmd)->u;
	if (u)
		mine = xchg(&u->owner, NULL);
	spin_unlock(&f->lock);
	if (mine)
		io_uring_cmd_done(ioucmd, -ECANCELED, 0, issue_flags);
}

/*
 * The op's buffers in the ring's registered buffer sqe->buf_index: each
 * must lie within it (-EFAULT), the input readable and the output (the
 * input itself, in place) writable. Large ops run on its pages, small
 * ones are copied from and to them through the iterators.
 */
static int ocf_uring_import(struct io_uring_cmd *ioucmd, const struct ocf_uring_op *uo,
			    struct ocf_ufixed *fixed, unsigned int issue_flags)
{
	u64 out = uo->dst ?: uo->src;
	int ret;

	if (!OCF_URING_FIXED || uo->op == OCF_OP_KEY)
		return -EINVAL;
	ret = ocf_uring_import_fixed(ioucmd, uo->src, uo->len, WRITE, &fixed->src, issue_flags);
	if (ret)
		return ret;
	return ocf_uring_import_fixed(ioucmd, out, uo->len, READ, &fixed->out, issue_flags);
}

static int ocf_uring_cmd(struct io_uring_cmd *ioucmd, unsigned int issue_flags)
{
	struct ocf_uring_pdu *pdu = ocf_uring_pdu(ioucmd);
	struct ocf_file *f = ioucmd->file->private_data;
	struct ocf_uring_op uo;
	struct ocf_ufixed fixed;
	struct ocf_op op = {};
	bool fixed_buf;
	struct ocf_uop *u;
	int ret;

	BUILD_BUG_ON(sizeof(uo) != OCF_URING_OP_SIZE);
	/* Before anything else: a cancel's ioucmd->sqe may be gone. */
	if (issue_flags & OCF_URING_F_CANCEL) {
		ocf_uring_cancel(ioucmd, issue_flags);
		return 0;
	}
	if (ioucmd->cmd_op != OCF_URING_OP)
		return -ENOTTY;
	if (!(issue_flags & IO_URING_F_SQE128))
		return -EINVAL;
	/* A user task's, or its io_uring threads': copies go to its memory. */
	if (unlikely(!current->mm))
		return -EOPNOTSUPP;
	/* Read once: the SQE is in memory the submitter can still write. */
	memcpy(&uo, ocf_uring_cmd_payload(ioucmd), sizeof(uo));
	if (!ocf_zeroed(uo.reserved, sizeof(uo.reserved)))
		return -EINVAL;
	/*
	 * A key op can take seconds, and without a cancel its ring's teardown
	 * waits for it (and warns after 5 minutes): key ops go through the
	 * ioctls there.
	 */
	if (uo.op == OCF_OP_KEY && !OCF_URING_CANCELABLE)
		return -EOPNOTSUPP;
	if (ioucmd->flags & IORING_URING_CMD_FIXED) {
		ret = ocf_uring_import(ioucmd, &uo, &fixed, issue_flags);
		if (ret)
			return ret;
	}
	op.session = uo.session;
	op.op = uo.op;
	op.flags = uo.flags;
	op.len = uo.len;
	op.src = uo.src;
	op.dst = uo.dst;
	op.iv = uo.iv;
	op.cipher_offset = uo.cipher_offset;
	op.cipher_len = uo.cipher_len;
	op.auth_offset = uo.auth_offset;
	op.auth_len = uo.auth_len;
	op.mac_offset = uo.mac_offset;
	op.iv_offset = uo.iv_offset;

	/*
	 * A limit's -EAGAIN is not returned: io_uring would take it for "retry
	 * where it may block" and reissue from a worker, which waits for
	 * nothing here. The limit is the op's status, as for SUBMIT.
	 */
	fixed_buf = ioucmd->flags & IORING_URING_CMD_FIXED;
	ret = ocf_uring_reserve(f, OCF_URING_CANCELABLE && !fixed_buf);
	if (ret)
		return ocf_uring_fail(ioucmd, ret);
	u = ocf_uring_uop_get(f, &uo);
	if (!u) {
		ocf_uring_unreserve(f);
		return -ENOMEM;
	}
	/* The submitter's address space: ocf_uring_done() copies out only in it. */
	u->mm = current->mm;
	mmgrab(u->mm);
	kref_get(&f->ref);
	pdu->u = u;
	if (ioucmd->flags & IORING_URING_CMD_FIXED)
		u->fixed = &fixed;
	ret = ocf_uop_setup(f, u, &op, ocf_uring_complete, ocf_uring_kcomplete, ioucmd);
	u->fixed = NULL;
	if (ret) {
		pdu->u = NULL;
		ocf_uring_release(u, false);
		return ret;
	}
	if (!u->kop && u->req.len <= OCF_BOUNCE_MAX && (issue_flags & IO_URING_F_NONBLOCK))
		return ocf_uring_issue_inline(ioucmd, u, issue_flags);
	/*
	 * From here a cancel may take the command: @ioucmd is only
	 * ocf_uring_post()'s. Not an op on a registered buffer's pages: its
	 * CQE lets the buffer go, while the producer may still write them.
	 */
	if (!u->src.borrowed)
		ocf_uring_mark_cancelable(ioucmd, issue_flags);
	if (u->kop) {
		ret = ocf_kdispatch(&u->kop->kreq);
	} else if (u->req.len <= OCF_BOUNCE_MAX || !(issue_flags & IO_URING_F_NONBLOCK)) {
		struct ocf_request *req = &u->req;

		/*
		 * As RUN does, a synchronous producer does a small op in the
		 * issuing task (or the SQPOLL thread), which costs less than
		 * a worker's handoff and wakeup; a large one would hold the
		 * submitter and the ring's lock, so it goes to the workers
		 * unless io_uring already issues from one of its own. A
		 * failure completes through the callback.
		 */
		ocf_dispatch_batch(&req, 1);
	} else {
		ret = ocf_dispatch(&u->req);
	}
	/* Neither dispatch completes on failure; once dispatched, @u is the completion's. */
	if (ret) {
		u->status = ret;
		ocf_uring_post(u);
	}
	return -EIOCBQUEUED;
}

/*
 * The command's size bits are the caller's struct size, which differs
 * between versions of the header: commands are matched on type, number and
 * direction, and the size is negotiated through the struct's size field.
 */
#define OCF_IOC_KEY(cmd)	((cmd) & ~((unsigned int)_IOC_SIZEMASK << _IOC_SIZESHIFT))

static long ocf_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	struct ocf_file *f = file->private_data;
	void __user *argp = (void __user *)arg;

	switch (OCF_IOC_KEY(cmd)) {
	case OCF_IOC_KEY(OCF_IOC_VERSION):
		return ocf_ioctl_version(argp);
	case OCF_IOC_KEY(OCF_IOC_SESSION_NEW):
		return ocf_ioctl_session_new(f, argp);
	case OCF_IOC_KEY(OCF_IOC_SESSION_FREE):
		return ocf_ioctl_session_free(f, argp);
	case OCF_IOC_KEY(OCF_IOC_RUN):
		return ocf_ioctl_run(f, argp);
	case OCF_IOC_KEY(OCF_IOC_SUBMIT):
		return ocf_ioctl_submit(f, argp);
	case OCF_IOC_KEY(OCF_IOC_REAP):
		return ocf_ioctl_reap(f, argp);
	case OCF_IOC_KEY(OCF_IOC_PRODUCERS):
		return ocf_ioctl_producers(argp);
	case OCF_IOC_KEY(OCF_IOC_SESSIONS):
		return ocf_ioctl_sessions(f, argp);
	default:
		return -ENOTTY;
	}
}

static const struct file_operations ocf_fops = {
	.owner = THIS_MODULE,
	.open = ocf_open,
	.release = ocf_release,
	.unlocked_ioctl = ocf_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	.poll = ocf_poll,
	.uring_cmd = ocf_uring_cmd,
	.llseek = noop_llseek,
};

static struct miscdevice ocf_miscdev = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = "ocf",
	.fops = &ocf_fops,
	.mode = 0666,
};

int ocf_chardev_init(void)
{
	/* The first version's sizes are ABI: they never change. */
	BUILD_BUG_ON(offsetof(struct ocf_version, features) != OCF_VERSION_SIZE_VER0);
	BUILD_BUG_ON(sizeof(struct ocf_session_new) != OCF_SESSION_NEW_SIZE_VER0);
	BUILD_BUG_ON(sizeof(struct ocf_op) != OCF_OP_SIZE_VER0);
	BUILD_BUG_ON(sizeof(struct ocf_batch) != OCF_BATCH_SIZE_VER0);
	BUILD_BUG_ON(sizeof(struct ocf_reap) != OCF_REAP_SIZE_VER0);
	BUILD_BUG_ON(sizeof(struct ocf_list) != OCF_LIST_SIZE_VER0);
	BUILD_BUG_ON(sizeof(struct ocf_kop) != OCF_KOP_SIZE_VER0);
	return misc_register(&ocf_miscdev);
}

void ocf_chardev_exit(void)
{
	misc_deregister(&ocf_miscdev);
}
