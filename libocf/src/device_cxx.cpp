// SPDX-License-Identifier: LGPL-2.1-or-later
#include <ocf/ocf.hpp>

#include <array>

namespace ocf {

device::device(const char *path)
{
	std::error_code ec;
	*this = open(path, ec);
	if (ec)
		throw std::system_error(ec, ocf_strerror(-ec.value()));
}

device device::open(const char *path, std::error_code &ec) noexcept
{
	ocf_device *raw = nullptr;
	int ret = ocf_device_open(path, &raw);
	ec = ret ? make_error(ret) : std::error_code{};
	return device(raw);
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
		throw std::system_error(ec, "OCF_IOC_VERSION");
	return info;
}

} // namespace ocf
