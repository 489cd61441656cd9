// SPDX-License-Identifier: GPL-2.0
/*
 * /dev/ocf: the user ABI. Each open file is a separate context owning its
 * sessions and operations; see include/uapi/linux/ocf.h for the contract.
 */

#include <linux/capability.h>
#include <linux/err.h>
#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/poll.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uaccess.h>
#include <linux/xarray.h>

#include <uapi/linux/ocf.h>

#include "chardev.h"
#include "producer.h"
#include "session.h"
#include "uop.h"
#include "version.h"

static unsigned int max_sessions = OCF_DEFAULT_MAX_SESSIONS;
module_param(max_sessions, uint, 0644);
MODULE_PARM_DESC(max_sessions, "sessions per open /dev/ocf");

static unsigned int max_in_flight = OCF_DEFAULT_MAX_IN_FLIGHT;
module_param(max_in_flight, uint, 0644);
MODULE_PARM_DESC(max_in_flight, "operations in flight or awaiting reap per open /dev/ocf");

static unsigned int max_op_len = OCF_DEFAULT_MAX_OP_LEN;
module_param(max_op_len, uint, 0644);
MODULE_PARM_DESC(max_op_len, "bytes per operation through /dev/ocf");

struct ocf_file {
	struct xarray sessions;		/* id -> struct ocf_session *, own lock */
	atomic_t nsessions;
	atomic_t reserved;		/* ops submitted and not yet reaped */
	pid_t owner;
	struct list_head node;		/* in ocf_files, under ocf_files_lock */

	spinlock_t lock;		/* protects the fields below */
	struct list_head done;		/* completed async ops, to reap */
	u32 ndone;
	u32 active;			/* async ops dispatched, not completed */
	wait_queue_head_t wq;		/* done grew, or active fell */
};

/* Every open file, for OCF_IOC_SESSIONS with OCF_LIST_ALL. */
static LIST_HEAD(ocf_files);
static DEFINE_MUTEX(ocf_files_lock);

static int ocf_open(struct inode *inode, struct file *file)
{
	struct ocf_file *f;

	f = kzalloc(sizeof(*f), GFP_KERNEL);
	if (!f)
		return -ENOMEM;
	xa_init_flags(&f->sessions, XA_FLAGS_ALLOC1);
	atomic_set(&f->nsessions, 0);
	atomic_set(&f->reserved, 0);
	f->owner = task_tgid_nr(current);
	spin_lock_init(&f->lock);
	INIT_LIST_HEAD(&f->done);
	init_waitqueue_head(&f->wq);
	mutex_lock(&ocf_files_lock);
	list_add_tail(&f->node, &ocf_files);
	mutex_unlock(&ocf_files_lock);
	file->private_data = f;
	return 0;
}

static bool ocf_file_idle(struct ocf_file *f)
{
	bool idle;

	spin_lock(&f->lock);
	idle = !f->active;
	spin_unlock(&f->lock);
	return idle;
}

static int ocf_release(struct inode *inode, struct file *file)
{
	struct ocf_file *f = file->private_data;
	struct ocf_uop *u, *tmp;
	struct ocf_session *s;
	unsigned long id;

	mutex_lock(&ocf_files_lock);
	list_del(&f->node);
	mutex_unlock(&ocf_files_lock);

	/* Operations in flight finish; nobody will reap them. */
	wait_event(f->wq, ocf_file_idle(f));
	list_for_each_entry_safe(u, tmp, &f->done, node) {
		ocf_uop_finish(u, false);
		kfree(u);
	}
	xa_for_each(&f->sessions, id, s) {
		xa_erase(&f->sessions, id);
		ocf_session_free(s);
	}
	xa_destroy(&f->sessions);
	kfree(f);
	return 0;
}

/* Reads a struct that starts with a __u32 size, old or new. */
static int ocf_copy_sized(void *dst, size_t ksize, size_t min_size, const void __user *src)
{
	u32 size;
	int ret;

	if (get_user(size, (const u32 __user *)src))
		return -EFAULT;
	if (size < min_size)
		return -EINVAL;
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

static long ocf_ioctl_version(void __user *argp)
{
	struct ocf_version v;
	int ret;

	ret = ocf_copy_sized(&v, sizeof(v), sizeof(v), argp);
	if (ret)
		return ret;
	if (!ocf_zeroed(v.reserved, sizeof(v.reserved)))
		return -EINVAL;
	v.abi_version = OCF_ABI_VERSION;
	strscpy(v.module_version, OCF_VERSION, sizeof(v.module_version));
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

	ret = ocf_copy_sized(&sn, sizeof(sn), sizeof(sn), argp);
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
	if (atomic_inc_return(&f->nsessions) > READ_ONCE(max_sessions)) {
		ret = -ENOSPC;
		goto err_unreserve;
	}
	s = ocf_session_new(&params);
	if (IS_ERR(s)) {
		ret = PTR_ERR(s);
		goto err_unreserve;
	}
	ret = xa_alloc(&f->sessions, &id, s, xa_limit_31b, GFP_KERNEL);
	if (ret)
		goto err_free_session;

	sn.session = id;
	sn.producer_chosen = ocf_session_producer_id(s);
	if (put_user(sn.session, &usn->session) ||
	    put_user(sn.producer_chosen, &usn->producer_chosen)) {
		/* The caller cannot learn the id: do not leave an orphan behind. */
		xa_erase(&f->sessions, id);
		ret = -EFAULT;
		goto err_free_session;
	}
	goto out_zeroize;

err_free_session:
	ocf_session_free(s);
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
	s = xa_erase(&f->sessions, id);
	if (!s)
		return -ENOENT;
	atomic_dec(&f->nsessions);
	ocf_session_free(s);
	return 0;
}

/* Reads and checks a batch header; the ops array is read by the caller. */
static int ocf_batch_read(struct ocf_batch *b, void __user *argp)
{
	int ret;

	ret = ocf_copy_sized(b, sizeof(*b), sizeof(*b), argp);
	if (ret)
		return ret;
	if (b->flags || b->reserved0 || b->done || !ocf_zeroed(b->reserved, sizeof(b->reserved)))
		return -EINVAL;
	if (!b->count || b->count > OCF_MAX_BATCH)
		return -EINVAL;
	if (b->op_size < sizeof(struct ocf_op) || b->op_size > 4096)
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

static int ocf_reserve(struct ocf_file *f, u32 n)
{
	if (atomic_add_return(n, &f->reserved) > READ_ONCE(max_in_flight)) {
		atomic_sub(n, &f->reserved);
		return -ENOSPC;
	}
	return 0;
}

/*
 * Checks what only the file can check and prepares @u's request.
 * Return: 0 when it is ready to dispatch, else the operation's error.
 */
static int ocf_uop_setup(struct ocf_file *f, struct ocf_uop *u, const struct ocf_op *op,
			 void (*complete)(struct ocf_request *req), void *owner, void *arena)
{
	struct ocf_session *s;

	u->owner = owner;
	u->tag = op->tag;
	u->req.complete = complete;
	u->req.opaque = u;
	/* status is output only: a reused array may carry the last one's. */
	if (op->reserved0 || !ocf_zeroed(op->reserved, sizeof(op->reserved)))
		return -EINVAL;
	if (op->len > READ_ONCE(max_op_len))
		return -E2BIG;
	s = ocf_file_session(f, op->session);
	if (!s)
		return -ENOENT;
	return ocf_uop_prepare(u, op, s, arena);
}

struct ocf_run {
	atomic_t pending;
	wait_queue_head_t wq;
};

static void ocf_run_complete(struct ocf_request *req)
{
	struct ocf_uop *u = req->opaque;
	struct ocf_run *run = u->owner;

	u->status = req->status;
	if (atomic_dec_and_test(&run->pending))
		wake_up(&run->wq);
}

static long ocf_ioctl_run(struct ocf_file *f, void __user *argp)
{
	struct ocf_request **reqs = NULL;
	struct ocf_op *ops = NULL;
	struct ocf_uop *uops = NULL;
	size_t arena_len = 0, at = 0;
	u8 *arena = NULL;
	struct ocf_batch b;
	struct ocf_run run;
	u32 i, n;
	long ret;

	ret = ocf_batch_read(&b, argp);
	if (ret)
		return ret;
	ops = kvmalloc_array(b.count, sizeof(*ops), GFP_KERNEL);
	uops = kvmalloc_array(b.count, sizeof(*uops), GFP_KERNEL);
	reqs = kvmalloc_array(b.count, sizeof(*reqs), GFP_KERNEL);
	if (!ops || !uops || !reqs) {
		ret = -ENOMEM;
		goto out_free;
	}
	ret = ocf_ops_read(&b, ops);
	if (ret)
		goto out_free;
	ret = ocf_reserve(f, b.count);
	if (ret)
		goto out_free;

	/* The copies of all small buffers share one allocation. */
	for (i = 0; i < b.count; i++)
		if (ops[i].len <= OCF_BOUNCE_MAX)
			arena_len += ops[i].len;
	if (arena_len) {
		arena = kvmalloc(arena_len, GFP_KERNEL);
		if (!arena) {
			ret = -ENOMEM;
			goto out_unreserve;
		}
	}
	init_waitqueue_head(&run.wq);
	for (i = 0, n = 0; i < b.count; i++) {
		ocf_uop_init(&uops[i]);
		uops[i].status = ocf_uop_setup(f, &uops[i], &ops[i], ocf_run_complete, &run,
					       ops[i].len <= OCF_BOUNCE_MAX ? arena + at : NULL);
		if (ops[i].len <= OCF_BOUNCE_MAX)
			at += ops[i].len;
		if (!uops[i].status)
			reqs[n++] = &uops[i].req;
	}
	atomic_set(&run.pending, n + 1);
	ocf_dispatch_batch(reqs, n);
	/* Uninterruptible: the operations use this stack frame until done. */
	if (!atomic_dec_and_test(&run.pending))
		wait_event(run.wq, !atomic_read(&run.pending));

	for (i = 0; i < b.count; i++) {
		s32 status = ocf_uop_finish(&uops[i], true);
		struct ocf_op __user *uop = u64_to_user_ptr(b.ops + (u64)i * b.op_size);

		if (put_user(status, &uop->status))
			ret = -EFAULT;
	}
	if (arena) {
		memzero_explicit(arena, arena_len);
		kvfree(arena);
	}
out_unreserve:
	atomic_sub(b.count, &f->reserved);
	if (!ret && put_user(b.count, &((struct ocf_batch __user *)argp)->done))
		ret = -EFAULT;

out_free:
	kvfree(reqs);
	kvfree(uops);
	kvfree(ops);
	return ret;
}

static void ocf_async_post(struct ocf_file *f, struct ocf_uop *u, bool was_active)
{
	spin_lock(&f->lock);
	list_add_tail(&u->node, &f->done);
	f->ndone++;
	if (was_active)
		f->active--;
	/* Under the lock: release() rechecks it before freeing @f. */
	wake_up(&f->wq);
	spin_unlock(&f->lock);
}

static void ocf_async_complete(struct ocf_request *req)
{
	struct ocf_uop *u = req->opaque;

	u->status = req->status;
	ocf_async_post(u->owner, u, true);
}

static long ocf_ioctl_submit(struct ocf_file *f, void __user *argp)
{
	struct ocf_op *ops;
	struct ocf_batch b;
	struct ocf_uop *u;
	long ret;
	int err;
	u32 i;

	ret = ocf_batch_read(&b, argp);
	if (ret)
		return ret;
	ops = kvmalloc_array(b.count, sizeof(*ops), GFP_KERNEL);
	if (!ops)
		return -ENOMEM;
	ret = ocf_ops_read(&b, ops);
	if (ret)
		goto out_free;
	ret = ocf_reserve(f, b.count);
	if (ret)
		goto out_free;

	for (i = 0; i < b.count; i++) {
		u = kmalloc(sizeof(*u), GFP_KERNEL);
		if (!u) {
			/* The rest were never accepted. */
			atomic_sub(b.count - i, &f->reserved);
			ret = i ? 0 : -ENOMEM;
			break;
		}
		ocf_uop_init(u);
		spin_lock(&f->lock);
		f->active++;
		spin_unlock(&f->lock);
		err = ocf_uop_setup(f, u, &ops[i], ocf_async_complete, f, NULL);
		/* Once dispatched, @u is the completion's: it may be reaped already. */
		if (!err)
			err = ocf_dispatch(&u->req);
		if (err) {
			u->status = err;
			ocf_async_post(f, u, true);
		}
	}
	if (!ret && put_user(i, &((struct ocf_batch __user *)argp)->done))
		ret = -EFAULT;

out_free:
	kvfree(ops);
	return ret;
}

static long ocf_ioctl_reap(struct ocf_file *f, void __user *argp)
{
	struct ocf_reap __user *ur = argp;
	struct ocf_completion *comps;
	struct ocf_uop *u, *tmp;
	struct ocf_reap r;
	LIST_HEAD(reaped);
	u32 n = 0, want;
	long ret;

	ret = ocf_copy_sized(&r, sizeof(r), sizeof(r), argp);
	if (ret)
		return ret;
	if (r.flags & ~OCF_REAP_FLAGS || r.count || r.in_flight ||
	    !ocf_zeroed(r.reserved, sizeof(r.reserved)))
		return -EINVAL;
	if (!r.max || r.max > OCF_MAX_BATCH)
		return -EINVAL;
	if (r.flags & OCF_REAP_WAIT) {
		want = min3(r.min_complete, r.max, (u32)atomic_read(&f->reserved));
		if (wait_event_interruptible(f->wq, READ_ONCE(f->ndone) >= want))
			return -EINTR;
	}
	comps = kvcalloc(r.max, sizeof(*comps), GFP_KERNEL);
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

	n = 0;
	list_for_each_entry(u, &reaped, node) {
		comps[n].tag = u->tag;
		comps[n].status = ocf_uop_finish(u, true);
		n++;
	}
	if (copy_to_user(u64_to_user_ptr(r.completions), comps, n * sizeof(*comps))) {
		/* Keep them, with their final status, for a reap that can write. */
		spin_lock(&f->lock);
		list_splice(&reaped, &f->done);
		f->ndone += n;
		spin_unlock(&f->lock);
		ret = -EFAULT;
		goto out_free;
	}
	list_for_each_entry_safe(u, tmp, &reaped, node)
		kfree(u);
	atomic_sub(n, &f->reserved);
	r.count = n;
	r.in_flight = atomic_read(&f->reserved);
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

	ret = ocf_copy_sized(l, sizeof(*l), sizeof(*l), argp);
	if (ret)
		return ret;
	if (l->flags & ~flags_allowed || l->count || l->total ||
	    !ocf_zeroed(l->reserved, sizeof(l->reserved)))
		return -EINVAL;
	if (l->entry_size < entry_min || l->entry_size > 4096 || l->max > 65536)
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
	infos = kvcalloc(max_t(u32, l.max, 1), sizeof(*infos), GFP_KERNEL);
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
			infos[*total].owner_pid = f->owner;
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

	ret = ocf_list_read(&l, argp, OCF_LIST_ALL, sizeof(struct ocf_session_info));
	if (ret)
		return ret;
	if ((l.flags & OCF_LIST_ALL) && !capable(CAP_SYS_ADMIN))
		return -EPERM;
	infos = kvcalloc(max_t(u32, l.max, 1), sizeof(*infos), GFP_KERNEL);
	refs = kvcalloc(max_t(u32, l.max, 1), sizeof(*refs), GFP_KERNEL);
	if (!infos || !refs) {
		ret = -ENOMEM;
		goto out_free;
	}
	if (l.flags & OCF_LIST_ALL) {
		mutex_lock(&ocf_files_lock);
		list_for_each_entry(other, &ocf_files, node)
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

static long ocf_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	struct ocf_file *f = file->private_data;
	void __user *argp = (void __user *)arg;

	switch (cmd) {
	case OCF_IOC_VERSION:
		return ocf_ioctl_version(argp);
	case OCF_IOC_SESSION_NEW:
		return ocf_ioctl_session_new(f, argp);
	case OCF_IOC_SESSION_FREE:
		return ocf_ioctl_session_free(f, argp);
	case OCF_IOC_RUN:
		return ocf_ioctl_run(f, argp);
	case OCF_IOC_SUBMIT:
		return ocf_ioctl_submit(f, argp);
	case OCF_IOC_REAP:
		return ocf_ioctl_reap(f, argp);
	case OCF_IOC_PRODUCERS:
		return ocf_ioctl_producers(argp);
	case OCF_IOC_SESSIONS:
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
	return misc_register(&ocf_miscdev);
}

void ocf_chardev_exit(void)
{
	misc_deregister(&ocf_miscdev);
}
