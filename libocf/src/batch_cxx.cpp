// SPDX-License-Identifier: LGPL-2.1-or-later
// ocf::batch: builds struct ocf_op arrays with the C API's fillers and checks
// the shapes the fillers cannot (they have no way to report an error).
#include <ocf/ocf.hpp>

#include <limits>
#include <stdexcept>

namespace ocf {

namespace {

std::uint32_t length32(std::size_t len)
{
	if (len > std::numeric_limits<std::uint32_t>::max())
		throw std::invalid_argument("ocf::batch: a length does not fit in 32 bits");
	return static_cast<std::uint32_t>(len);
}

const void *iv_of(const session &s, std::span<const std::byte> iv)
{
	if (iv.size() != ocf_alg_iv_len(s.cipher()))
		throw std::invalid_argument("ocf::batch: the IV's length is not the cipher's");
	return iv.empty() ? nullptr : iv.data();
}

auto raw(direction dir) noexcept
{
	return static_cast<std::uint32_t>(dir);
}

} // namespace

batch::batch(const device &dev) : handle_(dev.handle_)
{
	if (!handle_)
		throw std::invalid_argument("ocf::batch: the device is not open");
}

std::size_t batch::push(const session &s, const ocf_op &op)
{
	// A session id means nothing in another file, or worse, another session.
	if (s.native_device() != handle_.get())
		throw std::invalid_argument("ocf::batch: the session is not of this batch's device");
	std::size_t index = add(op);
	ops_.back().tag = index;
	return index;
}

std::size_t batch::add(const ocf_op &op)
{
	ops_.push_back(op);
	ops_.back().status = 0;
	return ops_.size() - 1;
}

void batch::set_tag(std::size_t index, std::uint64_t tag)
{
	ops_.at(index).tag = tag;
}

std::size_t batch::cipher(const session &s, direction dir, std::span<std::byte> buffer,
			  std::span<const std::byte> iv)
{
	ocf_op op;
	ocf_op_cipher(&op, s.id(), raw(dir), buffer.data(), nullptr, length32(buffer.size()),
		      iv_of(s, iv));
	return push(s, op);
}

std::size_t batch::cipher(const session &s, direction dir, std::span<const std::byte> input,
			  std::span<std::byte> output, std::span<const std::byte> iv)
{
	if (output.size() != input.size())
		throw std::invalid_argument("ocf::batch: output and input differ in size");
	ocf_op op;
	ocf_op_cipher(&op, s.id(), raw(dir), input.data(), output.data(),
		      length32(input.size()), iv_of(s, iv));
	return push(s, op);
}

std::size_t batch::digest(const session &s, direction dir, std::span<std::byte> buffer)
{
	if (buffer.size() < s.mac_len())
		throw std::invalid_argument("ocf::batch: the buffer cannot hold the digest");
	ocf_op op;
	std::uint32_t len = length32(buffer.size());
	ocf_op_digest(&op, s.id(), raw(dir), buffer.data(), nullptr, len - s.mac_len(), len);
	return push(s, op);
}

std::size_t batch::layered(const session &s, direction dir, const std::byte *input,
			   std::byte *output, std::size_t len, std::size_t aad_len,
			   std::span<const std::byte> iv, bool chain)
{
	if (aad_len > len || len - aad_len < s.mac_len())
		throw std::invalid_argument("ocf::batch: the buffer cannot hold aad and tag");
	std::uint32_t text_len = length32(len - aad_len - s.mac_len());
	ocf_op op;
	auto fill = chain ? ocf_op_chain : ocf_op_aead;
	fill(&op, s.id(), raw(dir), input, output, length32(aad_len), text_len, s.mac_len(),
	     iv_of(s, iv));
	return push(s, op);
}

std::size_t batch::aead(const session &s, direction dir, std::span<std::byte> buffer,
			std::size_t aad_len, std::span<const std::byte> iv)
{
	return layered(s, dir, buffer.data(), nullptr, buffer.size(), aad_len, iv, false);
}

std::size_t batch::aead(const session &s, direction dir, std::span<const std::byte> input,
			std::span<std::byte> output, std::size_t aad_len,
			std::span<const std::byte> iv)
{
	if (output.size() != input.size())
		throw std::invalid_argument("ocf::batch: output and input differ in size");
	return layered(s, dir, input.data(), output.data(), input.size(), aad_len, iv, false);
}

std::size_t batch::chain(const session &s, direction dir, std::span<std::byte> buffer,
			 std::size_t aad_len, std::span<const std::byte> iv)
{
	return layered(s, dir, buffer.data(), nullptr, buffer.size(), aad_len, iv, true);
}

std::size_t batch::chain(const session &s, direction dir, std::span<const std::byte> input,
			 std::span<std::byte> output, std::size_t aad_len,
			 std::span<const std::byte> iv)
{
	if (output.size() != input.size())
		throw std::invalid_argument("ocf::batch: output and input differ in size");
	return layered(s, dir, input.data(), output.data(), input.size(), aad_len, iv, true);
}

void batch::run(std::error_code &ec) noexcept
{
	int ret = ocf_run(handle_.get(), ops_.data(), static_cast<unsigned>(ops_.size()));
	ec = ret < 0 ? make_error(ret) : std::error_code{};
}

void batch::run()
{
	std::error_code ec;
	run(ec);
	if (ec)
		throw std::system_error(ec, "OCF_IOC_RUN");
}

std::error_code batch::status(std::size_t index) const
{
	int status = ops_.at(index).status;
	return status ? make_error(status) : std::error_code{};
}

void batch::submit(std::error_code &ec) noexcept
{
	int ret = ocf_submit(handle_.get(), ops_.data(), static_cast<unsigned>(ops_.size()));
	ec = ret < 0 ? make_error(ret) : std::error_code{};
}

void batch::submit()
{
	std::error_code ec;
	submit(ec);
	if (ec)
		throw std::system_error(ec, "OCF_IOC_SUBMIT");
}

} // namespace ocf
