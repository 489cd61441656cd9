// SPDX-License-Identifier: LGPL-2.1-or-later
// ocf::ring: the C++ face of the C API's io_uring ring.
#include <ocf/ocf.hpp>

#include "internal.hpp"

#include <algorithm>
#include <stdexcept>
#include <vector>

namespace ocf {

ring::ring(const device &dev, unsigned entries, std::uint32_t flags)
{
	std::error_code ec;
	*this = open(dev, entries, flags, ec);
	if (ec)
		throw std::system_error(ec, "io_uring setup for /dev/ocf");
}

ring ring::open(const device &dev, unsigned entries, std::uint32_t flags,
		std::error_code &ec) noexcept
{
	ring r;
	ocf_ring *raw = nullptr;
	int ret = ocf_ring_open(dev.handle_.get(), entries, flags, &raw);
	if (ret) {
		ec = make_error(ret);
		return r;
	}
	ec.clear();
	r.device_ = dev.handle_;
	r.handle_.reset(raw);
	return r;
}

bool ring::prep(const ocf_op &op)
{
	int ret = ocf_ring_prep(handle_.get(), &op);
	if (ret == -EINVAL)
		throw std::invalid_argument("ocf::ring::prep: an op with reserved fields set");
	return ret == 0;
}

bool ring::prep_fixed(const ocf_op &op, unsigned buffer_index)
{
	int ret = ocf_ring_prep_fixed(handle_.get(), &op, buffer_index);
	if (ret == -EINVAL)
		throw std::invalid_argument(
			"ocf::ring::prep_fixed: an op with reserved fields set, or a bad index");
	return ret == 0;
}

void ring::register_buffers(std::span<const std::span<std::byte>> buffers)
{
	std::vector<iovec> iovs;
	iovs.reserve(buffers.size());
	for (auto b : buffers)
		iovs.push_back(iovec{b.data(), b.size()});
	int ret = ocf_ring_register_buffers(handle_.get(), iovs.data(),
					    static_cast<unsigned>(iovs.size()));
	if (ret)
		throw std::system_error(make_error(ret), "io_uring buffer registration");
}

void ring::unregister_buffers()
{
	int ret = ocf_ring_unregister_buffers(handle_.get());
	if (ret)
		throw std::system_error(make_error(ret), "io_uring buffer unregistration");
}

std::size_t ring::prep(const batch &ops, std::size_t first)
{
	std::size_t n = 0;
	for (const ocf_op &op : ops.ops().subspan(std::min(first, ops.size())))
		if (prep(op))
			n++;
		else
			break;
	return n;
}

unsigned ring::submit(std::error_code &ec) noexcept
{
	int ret = ocf_ring_submit(handle_.get());
	if (ret < 0) {
		ec = make_error(ret);
		return 0;
	}
	ec.clear();
	return static_cast<unsigned>(ret);
}

unsigned ring::submit()
{
	std::error_code ec;
	unsigned n = submit(ec);
	if (ec)
		throw std::system_error(ec, "io_uring submit");
	return n;
}

std::vector<completion> ring::reap(unsigned min_complete, unsigned max, std::error_code &ec)
{
	std::vector<ocf_completion> raw(max);
	int got = ocf_ring_reap(handle_.get(), raw.data(), max, min_complete);
	return detail::to_completions(raw, got, ec);
}

std::vector<completion> ring::reap(unsigned min_complete, unsigned max)
{
	std::error_code ec;
	auto done = reap(min_complete, max, ec);
	if (ec)
		throw std::system_error(ec, "io_uring reap");
	return done;
}

} // namespace ocf
