// SPDX-License-Identifier: LGPL-2.1-or-later
// The C API's operation calls: fillers for struct ocf_op, and the batch
// ioctls (run, submit, reap).
#include "internal.hpp"

#include <ocf/ocf.h>

#include <linux/ocf.h>

#include <cerrno>
#include <cstring>
#include <sys/ioctl.h>

using ocf::detail::user_pointer;

namespace {

void start_op(ocf_op *op, uint32_t session, uint32_t direction, const void *src, void *dst,
	      uint32_t len)
{
	std::memset(op, 0, sizeof(*op));
	op->session = session;
	op->op = direction;
	op->src = user_pointer(src);
	op->dst = user_pointer(dst);
	op->len = len;
}

// One ioctl for both batch requests: they share struct ocf_batch and its limits.
int batch_ioctl(ocf_device *dev, unsigned long request, const ocf_op *ops, unsigned count)
{
	if (!dev || (count && !ops))
		return -EINVAL;
	if (count == 0)
		return 0;
	if (count > OCF_MAX_BATCH)
		return -EINVAL;
	struct ocf_batch batch {};
	batch.size = sizeof(batch);
	batch.op_size = sizeof(struct ocf_op);
	batch.ops = user_pointer(ops);
	batch.count = count;
	if (::ioctl(dev->fd, request, &batch) < 0)
		return -errno;
	return static_cast<int>(batch.done);
}

} // namespace

extern "C" void ocf_op_cipher(ocf_op *op, uint32_t session, uint32_t direction,
			      const void *src, void *dst, uint32_t len, const void *iv)
{
	start_op(op, session, direction, src, dst, len);
	op->cipher_len = len;
	op->iv = user_pointer(iv);
}

// A layout that does not fit: an op the module refuses (a non-empty region
// in an empty buffer is -EINVAL), so that running it anyway fails cleanly.
static int refuse(ocf_op *op, uint32_t session, uint32_t direction)
{
	start_op(op, session, direction, nullptr, nullptr, 0);
	op->cipher_len = 1;
	return -EINVAL;
}

extern "C" int ocf_op_digest(ocf_op *op, uint32_t session, uint32_t direction,
			     const void *src, void *dst, uint32_t len, uint32_t buf_len)
{
	if (len > buf_len)
		return refuse(op, session, direction);
	start_op(op, session, direction, src, dst, buf_len);
	op->auth_len = len;
	op->mac_offset = len;
	return 0;
}

extern "C" int ocf_op_aead(ocf_op *op, uint32_t session, uint32_t direction,
			   const void *src, void *dst, uint32_t aad_len, uint32_t text_len,
			   uint32_t tag_len, const void *iv)
{
	const uint64_t total = uint64_t{ aad_len } + text_len + tag_len;
	if (total > UINT32_MAX)
		return refuse(op, session, direction);
	start_op(op, session, direction, src, dst, static_cast<uint32_t>(total));
	op->auth_offset = 0;
	op->auth_len = aad_len;
	op->cipher_offset = aad_len;
	op->cipher_len = text_len;
	op->mac_offset = aad_len + text_len;
	op->iv = user_pointer(iv);
	return 0;
}

extern "C" int ocf_op_chain(ocf_op *op, uint32_t session, uint32_t direction,
			    const void *src, void *dst, uint32_t aad_len, uint32_t text_len,
			    uint32_t mac_len, const void *iv)
{
	int r = ocf_op_aead(op, session, direction, src, dst, aad_len, text_len, mac_len, iv);
	// Unlike an AEAD's additional data, a chain's MAC covers the text as well.
	if (r == 0)
		op->auth_len = aad_len + text_len;
	return r;
}

extern "C" int ocf_run(ocf_device *dev, ocf_op *ops, unsigned count)
{
	return batch_ioctl(dev, OCF_IOC_RUN, ops, count);
}

extern "C" int ocf_submit(ocf_device *dev, const ocf_op *ops, unsigned count)
{
	return batch_ioctl(dev, OCF_IOC_SUBMIT, ops, count);
}

extern "C" int ocf_reap(ocf_device *dev, ocf_completion *out, unsigned max,
			unsigned min_complete)
{
	if (!dev || (max && !out))
		return -EINVAL;
	if (max == 0)
		return 0;
	if (max > OCF_MAX_BATCH)
		max = OCF_MAX_BATCH;
	if (min_complete > max)
		min_complete = max;

	struct ocf_reap req {};
	req.size = sizeof(req);
	req.flags = min_complete ? OCF_REAP_WAIT : 0;
	req.completions = user_pointer(out);
	req.max = max;
	req.min_complete = min_complete;
	// The module fails with EINTR only when it reaped nothing, so waiting
	// again loses no completion (see the header on signals).
	while (::ioctl(dev->fd, OCF_IOC_REAP, &req) < 0) {
		if (errno != EINTR)
			return -errno;
	}
	return static_cast<int>(req.count);
}
