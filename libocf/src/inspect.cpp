// SPDX-License-Identifier: LGPL-2.1-or-later
// The C API's listing calls: producers and sessions through struct ocf_list.
#include "internal.hpp"

#include <ocf/ocf.h>

#include <linux/ocf.h>

#include <cerrno>
#include <climits>
#include <sys/ioctl.h>

namespace {

int list(ocf_device *dev, unsigned long request, uint32_t flags, void *entries,
	 uint32_t entry_size, unsigned max)
{
	if (!dev || (max && !entries))
		return -EINVAL;
	struct ocf_list req {};
	req.size = sizeof(req);
	req.flags = flags;
	req.entries = ocf::detail::user_pointer(entries);
	req.entry_size = entry_size;
	req.max = max;
	if (::ioctl(dev->fd, request, &req) < 0)
		return -errno;
	// The return value is an int; no module holds two billion entries, but say so.
	if (req.total > INT_MAX)
		return -EOVERFLOW;
	return static_cast<int>(req.total);
}

} // namespace

extern "C" int ocf_producers(ocf_device *dev, ocf_producer_info *out, unsigned max)
{
	return list(dev, OCF_IOC_PRODUCERS, 0, out, sizeof(*out), max);
}

extern "C" int ocf_sessions(ocf_device *dev, uint32_t flags, ocf_session_info *out,
			    unsigned max)
{
	return list(dev, OCF_IOC_SESSIONS, flags, out, sizeof(*out), max);
}
