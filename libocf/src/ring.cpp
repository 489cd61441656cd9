// SPDX-License-Identifier: LGPL-2.1-or-later
// The C API's io_uring ring: liburing underneath, one struct ocf_uring_op
// per 128-byte SQE.
#include "internal.hpp"

#include <ocf/ocf.h>

#include <linux/ocf.h>

#include <liburing.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <new>

#include <sched.h>

struct ocf_ring {
	io_uring uring;
	int dev_fd;
	// The device's file is registered with the ring (index 0): io_uring
	// then takes no reference to it per SQE.
	bool fixed_file;
	// Submitted ops whose CQE has not been reaped: the module may still
	// write into their buffers, so close waits for them.
	unsigned in_flight;
};

namespace {

// Copies up to @max CQEs out (none when @out is NULL) and retires them.
unsigned take_cqes(ocf_ring *ring, ocf_completion *out, unsigned max)
{
	// Completions the kernel kept aside when the CQ was full come back first.
	if (io_uring_cq_has_overflow(&ring->uring))
		io_uring_get_events(&ring->uring);
	unsigned head, n = 0;
	io_uring_cqe *cqe;
	io_uring_for_each_cqe(&ring->uring, head, cqe) {
		if (n == max)
			break;
		if (out) {
			out[n].tag = cqe->user_data;
			out[n].status = cqe->res;
			out[n].reserved = 0;
		}
		n++;
	}
	io_uring_cq_advance(&ring->uring, n);
	ring->in_flight -= n;
	return n;
}

} // namespace

extern "C" int ocf_ring_open(ocf_device *dev, unsigned entries, uint32_t flags, ocf_ring **out)
{
	if (!out)
		return -EINVAL;
	*out = nullptr;
	if (!dev || !entries || entries > 32768 || (flags & ~OCF_RING_FLAGS))
		return -EINVAL;
	auto *ring = new (std::nothrow) ocf_ring{};
	if (!ring)
		return -ENOMEM;
	io_uring_params p{};
	// SUBMIT_ALL: an SQE that fails at issue does not leave the rest queued.
	p.flags = IORING_SETUP_SQE128 | IORING_SETUP_SUBMIT_ALL;
	if (flags & OCF_RING_SQPOLL) {
		p.flags |= IORING_SETUP_SQPOLL;
		p.sq_thread_idle = 100; // ms of idle polling before the thread sleeps
	}
	int ret = io_uring_queue_init_params(entries, &ring->uring, &p);
	if (ret < 0) {
		delete ring;
		return ret;
	}
	ring->dev_fd = dev->fd;
	// Where it cannot be registered (a file table limit), SQEs name the fd.
	ring->fixed_file = io_uring_register_files(&ring->uring, &ring->dev_fd, 1) == 0;
	*out = ring;
	return 0;
}

extern "C" void ocf_ring_close(ocf_ring *ring)
{
	if (!ring)
		return;
	// Until each submitted op's CQE is in, the module may still write into
	// (or read) its buffers, which the caller frees once this returns.
	while (ring->in_flight) {
		take_cqes(ring, nullptr, ring->in_flight);
		if (!ring->in_flight)
			break;
		io_uring_cqe *cqe;
		int ret = io_uring_wait_cqe(&ring->uring, &cqe);
		if (ret < 0 && ret != -EINTR && ret != -EAGAIN)
			break; // the ring itself failed: nothing more will come
	}
	io_uring_queue_exit(&ring->uring);
	delete ring;
}

namespace {

io_uring_sqe *prep_sqe(ocf_ring *ring, const ocf_op *op)
{
	io_uring_sqe *sqe = io_uring_get_sqe(&ring->uring);
	// Under SQPOLL a CQE can be out before the kernel's thread has moved the
	// SQ head past its SQE (it does so after a whole pass): what fills the
	// ring then is published and being consumed, so wait for the thread.
	// Entries not submitted yet it cannot see: those are the caller's to submit.
	// The kernel's SQ_WAIT may return before the head moves (it counts what
	// the thread has taken, not what it has committed): wait again, until
	// the ring or its thread fails.
	io_uring_sq &sq = ring->uring.sq;
	while (!sqe && (ring->uring.flags & IORING_SETUP_SQPOLL)) {
		// Every submitted SQE taken (perhaps just now, after the first
		// try): what fills the queue is the caller's to submit.
		if (sq.sqe_head == io_uring_smp_load_acquire(sq.khead)) {
			sqe = io_uring_get_sqe(&ring->uring);
			break;
		}
		// Only a failed thread or ring ends the wait; anything else
		// yields to the thread and looks again.
		int ret = io_uring_sqring_wait(&ring->uring);
		if (ret == -EOWNERDEAD || ret == -EBADF || ret == -ENXIO || ret == -EFAULT)
			break;
		if (ret < 0)
			sched_yield();
		sqe = io_uring_get_sqe(&ring->uring);
	}
	if (!sqe)
		return nullptr;
	// The SQE is 128 bytes; fields of the first half not set here must be zero.
	std::memset(sqe, 0, 2 * sizeof(*sqe));
	sqe->opcode = IORING_OP_URING_CMD;
	if (ring->fixed_file) {
		sqe->fd = 0;
		sqe->flags = IOSQE_FIXED_FILE;
	} else {
		sqe->fd = ring->dev_fd;
	}
	sqe->cmd_op = OCF_URING_OP;
	sqe->user_data = op->tag;
	ocf_uring_op uo{};
	uo.session = op->session;
	uo.op = op->op;
	uo.flags = op->flags;
	uo.len = op->len;
	uo.src = op->src;
	uo.dst = op->dst;
	uo.iv = op->iv;
	uo.cipher_offset = op->cipher_offset;
	uo.cipher_len = op->cipher_len;
	uo.auth_offset = op->auth_offset;
	uo.auth_len = op->auth_len;
	uo.mac_offset = op->mac_offset;
	uo.iv_offset = op->iv_offset;
	static_assert(sizeof(uo) == OCF_URING_OP_SIZE);
	std::memcpy(sqe->cmd, &uo, sizeof(uo));
	return sqe;
}

bool bad_op(const ocf_op *op)
{
	return !op || op->reserved0 || op->reserved[0] || op->reserved[1];
}

} // namespace

extern "C" int ocf_ring_prep(ocf_ring *ring, const ocf_op *op)
{
	if (!ring || bad_op(op))
		return -EINVAL;
	return prep_sqe(ring, op) ? 0 : -EBUSY;
}

extern "C" int ocf_ring_prep_fixed(ocf_ring *ring, const ocf_op *op, unsigned buf_index)
{
	if (!ring || bad_op(op) || buf_index > UINT16_MAX)
		return -EINVAL;
	io_uring_sqe *sqe = prep_sqe(ring, op);
	if (!sqe)
		return -EBUSY;
	sqe->uring_cmd_flags = IORING_URING_CMD_FIXED;
	sqe->buf_index = static_cast<std::uint16_t>(buf_index);
	return 0;
}

extern "C" int ocf_ring_register_buffers(ocf_ring *ring, const iovec *iovs, unsigned n)
{
	if (!ring || !iovs || !n)
		return -EINVAL;
	return io_uring_register_buffers(&ring->uring, iovs, n);
}

extern "C" int ocf_ring_unregister_buffers(ocf_ring *ring)
{
	if (!ring)
		return -EINVAL;
	return io_uring_unregister_buffers(&ring->uring);
}

extern "C" int ocf_ring_submit(ocf_ring *ring)
{
	if (!ring)
		return -EINVAL;
	// Under SQPOLL, io_uring_submit() answers with every SQE the kernel's
	// thread has not consumed yet, earlier calls' included: counted from it,
	// in_flight would grow past the CQEs to come and close would wait for ever.
	// Every SQE published gives exactly one CQE, so count those.
	const unsigned published = ring->uring.sq.sqe_tail - ring->uring.sq.sqe_head;
	const bool sqpoll = ring->uring.flags & IORING_SETUP_SQPOLL;
	int ret;
	while ((ret = io_uring_submit(&ring->uring)) == -EINTR) {
	}
	// Under SQPOLL they are the thread's even when its wakeup failed.
	if (sqpoll) {
		ring->in_flight += published;
		return ret < 0 ? ret : static_cast<int>(published);
	}
	if (ret > 0)
		ring->in_flight += static_cast<unsigned>(ret);
	return ret;
}

extern "C" int ocf_ring_reap(ocf_ring *ring, ocf_completion *out, unsigned max,
			     unsigned min_complete)
{
	if (!ring || (!out && max))
		return -EINVAL;
	min_complete = std::min(min_complete, max);
	unsigned n = 0;
	for (;;) {
		n += take_cqes(ring, out + n, max - n);
		if (n >= min_complete)
			return static_cast<int>(n);
		io_uring_cqe *cqe;
		int ret = io_uring_wait_cqe_nr(&ring->uring, &cqe, min_complete - n);
		if (ret < 0 && ret != -EINTR)
			return n ? static_cast<int>(n) : ret;
	}
}

extern "C" int ocf_ring_fd(const ocf_ring *ring)
{
	return ring ? ring->uring.ring_fd : -1;
}
