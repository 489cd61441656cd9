/* SPDX-License-Identifier: GPL-2.0 */
#ifndef OCF_LIMITS_H
#define OCF_LIMITS_H

#include <linux/refcount.h>
#include <linux/types.h>
#include <linux/uidgid.h>

struct user_struct;

/*
 * What one user holds through /dev/ocf, across all of that user's open
 * files: operations in flight or awaiting reap, and pages pinned or copied
 * for operations (against RLIMIT_MEMLOCK, in the user_struct's locked_vm
 * that io_uring and RDMA charge too). Kernel memory is charged to the
 * caller's memory cgroup where it is allocated (GFP_KERNEL_ACCOUNT).
 */
struct ocf_user {
	struct hlist_node node;		/* in ocf_users, under ocf_users_lock */
	refcount_t ref;
	kuid_t uid;
	atomic_t in_flight;
	atomic_t sessions;
};

/* The per-file limits, module parameters of ocf.ko. */
extern unsigned int ocf_max_sessions;
extern unsigned int ocf_max_in_flight;
extern unsigned int ocf_max_op_len;
extern unsigned int ocf_max_uring_in_flight;

struct ocf_user *ocf_user_get(kuid_t uid);
void ocf_user_put(struct ocf_user *u);
int ocf_user_charge_ops(struct ocf_user *u, u32 n);
void ocf_user_uncharge_ops(struct ocf_user *u, u32 n);
int ocf_user_charge_session(struct ocf_user *u);
void ocf_user_uncharge_session(struct ocf_user *u);

/*
 * An account of locked pages: @user is NULL for a caller with CAP_IPC_LOCK
 * (not limited, as for mlock()).
 */
struct ocf_pages_account {
	struct user_struct *user;
};

int ocf_pages_charge(const struct ocf_pages_account *acct, unsigned long npages);
void ocf_pages_uncharge(const struct ocf_pages_account *acct, unsigned long npages);

#endif /* OCF_LIMITS_H */
