// SPDX-License-Identifier: LGPL-2.1-or-later
// The C API's device calls: raw ioctls on /dev/ocf.
#include "internal.hpp"

#include <ocf/ocf.h>

#include <linux/ocf.h>

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <new>
#include <sys/ioctl.h>
#include <unistd.h>

extern "C" int ocf_device_open(const char *path, ocf_device **out)
{
	if (!out)
		return -EINVAL;
	*out = nullptr;
	int fd = ::open(path ? path : OCF_DEVICE_PATH, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	auto *dev = new (std::nothrow) ocf_device{fd};
	if (!dev) {
		::close(fd);
		return -ENOMEM;
	}
	*out = dev;
	return 0;
}

extern "C" void ocf_device_close(ocf_device *dev)
{
	if (!dev)
		return;
	::close(dev->fd);
	delete dev;
}

extern "C" int ocf_device_fd(const ocf_device *dev)
{
	return dev ? dev->fd : -1;
}

extern "C" int ocf_device_version(ocf_device *dev, uint32_t *abi_version,
				  char *module_version, size_t len)
{
	if (!dev)
		return -EINVAL;
	struct ocf_version v {};
	v.size = sizeof(v);
	if (::ioctl(dev->fd, OCF_IOC_VERSION, &v) < 0)
		return -errno;
	if (abi_version)
		*abi_version = v.abi_version;
	if (module_version && len) {
		size_t n = strnlen(v.module_version, sizeof(v.module_version));
		if (n >= len)
			n = len - 1;
		std::memcpy(module_version, v.module_version, n);
		module_version[n] = '\0';
	}
	return 0;
}

extern "C" const char *ocf_strerror(int err)
{
	switch (-err) {
	case ENOENT:
		// Opening the device, or a session id this file does not have.
		return "not found (the OCF device: is the ocf module loaded? a session: not of "
		       "this open file)";
	case EACCES:
	case EPERM:
		return "permission denied on the OCF device";
	case ENOTTY:
		return "not an OCF device, or the module is too old for this request";
	default:
		return std::strerror(-err);
	}
}
