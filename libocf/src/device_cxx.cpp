// SPDX-License-Identifier: LGPL-2.1-or-later
// ocf::device: the C++ face of the C API's device, async and listing calls.
#include <ocf/ocf.hpp>

#include "internal.hpp"

#include <algorithm>
#include <array>
#include <new>

namespace ocf {

namespace {

[[noreturn]] void fail(std::error_code ec, const char *what)
{
	throw std::system_error(ec, what);
}

// The module's lists change between calls, so ask for the count, make room
// with some slack, and ask again until everything fitted.
template <typename Info, typename Lister>
std::vector<Info> list_everything(Lister list, std::error_code &ec)
{
	std::vector<Info> entries;
	for (;;) {
		int total = list(entries.data(), static_cast<unsigned>(entries.size()));
		if (total < 0) {
			ec = make_error(total);
			return {};
		}
		auto exist = static_cast<std::size_t>(total);
		if (exist <= entries.size()) {
			entries.resize(exist);
			ec.clear();
			return entries;
		}
		entries.resize(exist + exist / 4 + 4);
	}
}

} // namespace

device::device(const char *path)
{
	std::error_code ec;
	*this = open(path, ec);
	if (ec)
		fail(ec, ocf_strerror(-ec.value()));
}

device device::open(const char *path, std::error_code &ec) noexcept
{
	ocf_device *raw = nullptr;
	int ret = ocf_device_open(path, &raw);
	if (ret) {
		ec = make_error(ret);
		return device(std::shared_ptr<ocf_device>{});
	}
	try {
		// On failure the shared_ptr closes raw itself.
		std::shared_ptr<ocf_device> handle(raw, ocf_device_close);
		ec.clear();
		return device(std::move(handle));
	} catch (const std::bad_alloc &) {
		ec = std::make_error_code(std::errc::not_enough_memory);
		return device(std::shared_ptr<ocf_device>{});
	}
}

version_info device::version(std::error_code &ec) const
{
	version_info info;
	std::array<char, 64> buf{};
	int ret = ocf_device_version(handle_.get(), &info.abi_version, buf.data(), buf.size());
	ec = ret ? make_error(ret) : std::error_code{};
	if (!ret)
		info.module_version = buf.data();
	return info;
}

version_info device::version() const
{
	std::error_code ec;
	version_info info = version(ec);
	if (ec)
		fail(ec, "OCF_IOC_VERSION");
	return info;
}

void device::submit(batch &ops, std::error_code &ec) const noexcept
{
	// A session id means nothing in another file, or worse, another session.
	if (ops.handle_ != handle_) {
		ec = std::make_error_code(std::errc::invalid_argument);
		return;
	}
	ops.submit(ec);
}

void device::submit(batch &ops) const
{
	std::error_code ec;
	submit(ops, ec);
	if (ec)
		fail(ec, "OCF_IOC_SUBMIT");
}

std::vector<completion> device::reap(unsigned min_complete, unsigned max,
				     std::error_code &ec) const
{
	std::vector<ocf_completion> raw(std::min<unsigned>(max, OCF_MAX_BATCH));
	int got = ocf_reap(handle_.get(), raw.data(), static_cast<unsigned>(raw.size()),
			   min_complete);
	return detail::to_completions(raw, got, ec);
}

std::vector<completion> device::reap(unsigned min_complete, unsigned max) const
{
	std::error_code ec;
	auto done = reap(min_complete, max, ec);
	if (ec)
		fail(ec, "OCF_IOC_REAP");
	return done;
}

std::vector<ocf_producer_info> device::producers(std::error_code &ec) const
{
	return list_everything<ocf_producer_info>(
		[this](ocf_producer_info *out, unsigned max) {
			return ocf_producers(handle_.get(), out, max);
		},
		ec);
}

std::vector<ocf_producer_info> device::producers() const
{
	std::error_code ec;
	auto list = producers(ec);
	if (ec)
		fail(ec, "OCF_IOC_PRODUCERS");
	return list;
}

std::vector<ocf_session_info> device::sessions(session_scope scope, std::error_code &ec) const
{
	uint32_t flags = scope == session_scope::all    ? OCF_LIST_ALL
			 : scope == session_scope::user ? OCF_LIST_MINE
							 : 0;
	return list_everything<ocf_session_info>(
		[this, flags](ocf_session_info *out, unsigned max) {
			return ocf_sessions(handle_.get(), flags, out, max);
		},
		ec);
}

std::vector<ocf_session_info> device::sessions(session_scope scope) const
{
	std::error_code ec;
	auto list = sessions(scope, ec);
	if (ec)
		fail(ec, "OCF_IOC_SESSIONS");
	return list;
}

} // namespace ocf
