// SPDX-License-Identifier: GPL-2.0
/*
 * Limits of /dev/ocf: per open file (module parameters), and per user
 * across all of that user's files, since the device is open to every
 * local user and one user may open any number of files.
 */

#include <linux/atomic.h>
#include <linux/hashtable.h>
#include <linux/moduleparam.h>
#include <linux/mutex.h>
#include <linux/sched/signal.h>
#include <linux/sched/user.h>
#include <linux/slab.h>

#include "limits.h"

unsigned int ocf_max_sessions = 1024;
module_param_named(max_sessions, ocf_max_sessions, uint, 0644);
MODULE_PARM_DESC(max_sessions, "sessions per open /dev/ocf (then -ENOSPC)");

unsigned int ocf_max_in_flight = 4096;
module_param_named(max_in_flight, ocf_max_in_flight, uint, 0644);
MODULE_PARM_DESC(max_in_flight,
		 "operations in flight or awaiting reap per open /dev/ocf (then -EAGAIN)");

unsigned int ocf_max_op_len = 0x100000;
module_param_named(max_op_len, ocf_max_op_len, uint, 0644);
MODULE_PARM_DESC(max_op_len, "bytes per operation through /dev/ocf (then -E2BIG)");

/*
 * Before 6.7 io_uring cannot cancel a command: a ring's teardown, and the
 * submitter's exec, wait for every op it holds, and warn after 5 minutes.
 * This bound on io_uring ops per file keeps that wait to seconds; kernels
 * that cancel do not apply it.
 */
unsigned int ocf_max_uring_in_flight = 256;
module_param_named(max_uring_in_flight, ocf_max_uring_in_flight, uint, 0644);
MODULE_PARM_DESC(max_uring_in_flight,
		 "io_uring operations in flight per open /dev/ocf, on kernels before 6.7 (then -EAGAIN)");

static unsigned int ocf_max_user_in_flight = 16384;
module_param_named(max_user_in_flight, ocf_max_user_in_flight, uint, 0644);
MODULE_PARM_DESC(max_user_in_flight,
		 "operations in flight or awaiting reap per user, across all files (then -EAGAIN)");

static unsigned int ocf_max_user_sessions = 16384;
module_param_named(max_user_sessions, ocf_max_user_sessions, uint, 0644);
MODULE_PARM_DESC(max_user_sessions, "sessions per user, across all files (then -ENOSPC)");

/* Users with a file open; ocf_users_lock guards the table, not the counts. */
static DEFINE_HASHTABLE(ocf_users, 6);
static DEFINE_MUTEX(ocf_users_lock);

struct ocf_user *ocf_user_get(kuid_t uid)
{
	struct ocf_user *u;

	mutex_lock(&ocf_users_lock);
	hash_for_each_possible(ocf_users, u, node, __kuid_val(uid)) {
		if (uid_eq(u->uid, uid)) {
			refcount_inc(&u->ref);
			goto out_unlock;
		}
	}
	u = kzalloc(sizeof(*u), GFP_KERNEL_ACCOUNT);
	if (u) {
		refcount_set(&u->ref, 1);
		u->uid = uid;
		atomic_set(&u->in_flight, 0);
		atomic_set(&u->sessions, 0);
		hash_add(ocf_users, &u->node, __kuid_val(uid));
	}
out_unlock:
	mutex_unlock(&ocf_users_lock);
	return u;
}

void ocf_user_put(struct ocf_user *u)
{
	if (!refcount_dec_and_mutex_lock(&u->ref, &ocf_users_lock))
		return;
	hash_del(&u->node);
	mutex_unlock(&ocf_users_lock);
	WARN_ON_ONCE(atomic_read(&u->in_flight) || atomic_read(&u->sessions));
	kfree(u);
}

/* Return: 0, or -EAGAIN when @n more would pass the user's limit. */
int ocf_user_charge_ops(struct ocf_user *u, u32 n)
{
	if (atomic_add_return(n, &u->in_flight) > READ_ONCE(ocf_max_user_in_flight)) {
		atomic_sub(n, &u->in_flight);
		return -EAGAIN;
	}
	return 0;
}

void ocf_user_uncharge_ops(struct ocf_user *u, u32 n)
{
	atomic_sub(n, &u->in_flight);
}

/*
 * A session holds more than its own struct: producer state (crypto API
 * transforms) that no memory cgroup sees. So sessions are counted per user.
 * Return: 0, or -ENOSPC past the user's limit.
 */
int ocf_user_charge_session(struct ocf_user *u)
{
	if (atomic_inc_return(&u->sessions) > READ_ONCE(ocf_max_user_sessions)) {
		atomic_dec(&u->sessions);
		return -ENOSPC;
	}
	return 0;
}

void ocf_user_uncharge_session(struct ocf_user *u)
{
	atomic_dec(&u->sessions);
}

/*
 * Pages an operation pins or copies stay resident until it is done, like
 * mlock()ed memory: they count against RLIMIT_MEMLOCK of the caller, in the
 * same per-user counter as io_uring's registered buffers.
 * Return: 0, or -ENOMEM past the limit.
 */
int ocf_pages_charge(const struct ocf_pages_account *acct, unsigned long npages)
{
	unsigned long limit, cur, next;

	if (!acct->user)
		return 0;
	limit = rlimit(RLIMIT_MEMLOCK) >> PAGE_SHIFT;
	cur = atomic_long_read(&acct->user->locked_vm);
	do {
		if (check_add_overflow(cur, npages, &next) || next > limit)
			return -ENOMEM;
	} while (!atomic_long_try_cmpxchg(&acct->user->locked_vm, &cur, next));
	return 0;
}

void ocf_pages_uncharge(const struct ocf_pages_account *acct, unsigned long npages)
{
	if (acct->user)
		atomic_long_sub(npages, &acct->user->locked_vm);
}
