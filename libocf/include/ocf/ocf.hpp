// SPDX-License-Identifier: LGPL-2.1-or-later
//
// libocf C++ API: RAII handles over the C API in <ocf/ocf.h>.
//
// Every operation comes in two forms: one that throws std::system_error and
// one that reports through a std::error_code& and never throws.
#ifndef OCF_OCF_HPP
#define OCF_OCF_HPP

#include <ocf/ocf.h>

#include <cstdint>
#include <memory>
#include <string>
#include <system_error>

namespace ocf {

// Turns a negative errno from the C API into an error_code.
inline std::error_code make_error(int negative_errno) noexcept
{
	return {-negative_errno, std::generic_category()};
}

struct version_info {
	std::uint32_t abi_version = 0;
	std::string module_version;
};

// An open /dev/ocf. Move-only; closing it frees its sessions.
class device {
public:
	// Opens path (default /dev/ocf); throws std::system_error.
	explicit device(const char *path = nullptr);
	// Opens path; on failure ec is set and the result is empty (!valid()).
	static device open(const char *path, std::error_code &ec) noexcept;

	bool valid() const noexcept { return handle_ != nullptr; }
	int fd() const noexcept { return ocf_device_fd(handle_.get()); }
	ocf_device *native_handle() const noexcept { return handle_.get(); }

	version_info version() const;
	version_info version(std::error_code &ec) const;

private:
	struct closer {
		void operator()(ocf_device *d) const noexcept { ocf_device_close(d); }
	};
	explicit device(ocf_device *adopted) noexcept : handle_(adopted) {}
	std::unique_ptr<ocf_device, closer> handle_;
};

} // namespace ocf

#endif // OCF_OCF_HPP
