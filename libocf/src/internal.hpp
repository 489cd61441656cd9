// SPDX-License-Identifier: LGPL-2.1-or-later
// What the C API's translation units share: the device handle's layout.
#ifndef OCF_SRC_INTERNAL_HPP
#define OCF_SRC_INTERNAL_HPP

#include <cstdint>

struct ocf_device {
	int fd;
};

namespace ocf::detail {

// The ABI carries user pointers as __u64.
inline std::uint64_t user_pointer(const void *p) noexcept
{
	return reinterpret_cast<std::uintptr_t>(p);
}

} // namespace ocf::detail

#endif // OCF_SRC_INTERNAL_HPP
