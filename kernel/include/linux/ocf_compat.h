/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The differences between the kernels OCF builds against (Debian 12's 6.1,
 * Debian 13's 6.12), in one place. Each entry names the kernel release that
 * changed the API; drop it when the oldest supported kernel has the change.
 */
#ifndef _LINUX_OCF_COMPAT_H
#define _LINUX_OCF_COMPAT_H

/*
 * 6.12 moved the unaligned access helpers to <linux/unaligned.h>. Kbuild
 * looks for the header rather than at the version, which also serves
 * kernels that backport the move.
 */
#ifdef OCF_HAVE_LINUX_UNALIGNED_H
#include <linux/unaligned.h>
#else
#include <asm/unaligned.h>
#endif

/*
 * 6.12 made the MPI library's arithmetic report allocation failures: these
 * return int there and void on 6.1, where a failed allocation goes
 * unreported. Kbuild sets OCF_HAVE_MPI_INT_OPS when <linux/mpi.h> declares
 * an int mpi_add(). The wrappers return 0 or -ENOMEM either way.
 */
#include <linux/mpi.h>

#ifdef OCF_HAVE_MPI_INT_OPS
#define ocf_mpi_add	mpi_add
#define ocf_mpi_sub	mpi_sub
#define ocf_mpi_mul	mpi_mul
#define ocf_mpi_addm	mpi_addm
#define ocf_mpi_subm	mpi_subm
#define ocf_mpi_mulm	mpi_mulm
#else
static inline int ocf_mpi_add(MPI w, MPI u, MPI v)
{
	mpi_add(w, u, v);
	return 0;
}

static inline int ocf_mpi_sub(MPI w, MPI u, MPI v)
{
	mpi_sub(w, u, v);
	return 0;
}

static inline int ocf_mpi_mul(MPI w, MPI u, MPI v)
{
	mpi_mul(w, u, v);
	return 0;
}

static inline int ocf_mpi_addm(MPI w, MPI u, MPI v, MPI m)
{
	mpi_addm(w, u, v, m);
	return 0;
}

static inline int ocf_mpi_subm(MPI w, MPI u, MPI v, MPI m)
{
	mpi_subm(w, u, v, m);
	return 0;
}

static inline int ocf_mpi_mulm(MPI w, MPI u, MPI v, MPI m)
{
	mpi_mulm(w, u, v, m);
	return 0;
}
#endif

/*
 * Between 6.1 and 6.12 struct io_uring_cmd moved to <linux/io_uring/cmd.h>
 * and its cmd pointer gave way to the SQE (6.5), whose command area
 * io_uring_sqe_cmd() returns. Kbuild sets OCF_HAVE_IO_URING_CMD_H when the
 * header exists, OCF_HAVE_IO_URING_SQE_CMD when the accessor does. Debian's
 * 6.1 (6.1.0-57) already has the issue_flags arguments of
 * io_uring_cmd_done() and of the task work callback, as 6.12 does: no
 * wrapper for those.
 */
#ifdef OCF_HAVE_IO_URING_CMD_H
#include <linux/io_uring/cmd.h>
#else
#include <linux/io_uring.h>
#endif

#ifdef OCF_HAVE_IO_URING_SQE_CMD
static inline const void *ocf_uring_cmd_payload(const struct io_uring_cmd *ioucmd)
{
	return io_uring_sqe_cmd(ioucmd->sqe);
}
#else
static inline const void *ocf_uring_cmd_payload(const struct io_uring_cmd *ioucmd)
{
	return ioucmd->cmd;
}
#endif

/*
 * 6.7 let io_uring cancel a command it was told may be cancelled
 * (io_uring_cmd_mark_cancelable(), then ->uring_cmd with IO_URING_F_CANCEL
 * at ring teardown, exit and exec). Before it, nothing can: an op keeps
 * its request until the producer finishes it. OCF_URING_F_CANCEL is 0
 * there, so the cancel branch compiles and is never taken.
 */
#ifdef OCF_HAVE_IO_URING_CMD_CANCEL
#define OCF_URING_CANCELABLE	true
#define OCF_URING_F_CANCEL	IO_URING_F_CANCEL

static inline void ocf_uring_mark_cancelable(struct io_uring_cmd *ioucmd,
					     unsigned int issue_flags)
{
	io_uring_cmd_mark_cancelable(ioucmd, issue_flags);
}
#else
#define OCF_URING_CANCELABLE	false
#define OCF_URING_F_CANCEL	0

static inline void ocf_uring_mark_cancelable(struct io_uring_cmd *ioucmd,
					     unsigned int issue_flags)
{
}
#endif

/*
 * A command's buffer in the ring's registered buffers (IORING_URING_CMD_FIXED),
 * as a bvec iterator: from 6.2 (and Debian's 6.1), with the issue's flags
 * from 6.15. @rw is WRITE for a buffer the op reads, READ for one it writes.
 */
#if defined(OCF_HAVE_IO_URING_IMPORT_FIXED_ISSUE_FLAGS)
#define OCF_URING_FIXED		true
static inline int ocf_uring_import_fixed(struct io_uring_cmd *ioucmd, u64 addr, u32 len, int rw,
					 struct iov_iter *iter, unsigned int issue_flags)
{
	return io_uring_cmd_import_fixed(addr, len, rw, iter, ioucmd, issue_flags);
}
#elif defined(OCF_HAVE_IO_URING_IMPORT_FIXED)
#define OCF_URING_FIXED		true
static inline int ocf_uring_import_fixed(struct io_uring_cmd *ioucmd, u64 addr, u32 len, int rw,
					 struct iov_iter *iter, unsigned int issue_flags)
{
	return io_uring_cmd_import_fixed(addr, len, rw, iter, ioucmd);
}
#else
#define OCF_URING_FIXED		false
static inline int ocf_uring_import_fixed(struct io_uring_cmd *ioucmd, u64 addr, u32 len, int rw,
					 struct iov_iter *iter, unsigned int issue_flags)
{
	return -EOPNOTSUPP;
}
#endif

#endif /* _LINUX_OCF_COMPAT_H */
