// SPDX-License-Identifier: LGPL-2.1-or-later
// What libocf's translation units share: the device handle's layout, and
// helpers of the C++ API over the C one.
#ifndef OCF_SRC_INTERNAL_HPP
#define OCF_SRC_INTERNAL_HPP

#include <ocf/ocf.hpp>

#include <cstdint>
#include <span>
#include <system_error>
#include <vector>

struct ocf_device {
	int fd;
};

namespace ocf::detail {

// The ABI carries user pointers as __u64.
inline std::uint64_t user_pointer(const void *p) noexcept
{
	return reinterpret_cast<std::uintptr_t>(p);
}

// What a C reap answered (@got: how many of @raw it filled, or -errno), as
// the C++ API's completions, each with its own status.
inline std::vector<completion> to_completions(std::span<const ocf_completion> raw, int got,
					      std::error_code &ec)
{
	if (got < 0) {
		ec = make_error(got);
		return {};
	}
	ec.clear();
	std::vector<completion> done;
	done.reserve(static_cast<std::size_t>(got));
	for (const ocf_completion &c : raw.first(static_cast<std::size_t>(got)))
		done.push_back({c.tag, c.status ? make_error(c.status) : std::error_code{}});
	return done;
}

} // namespace ocf::detail

#endif // OCF_SRC_INTERNAL_HPP
