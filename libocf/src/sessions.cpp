// SPDX-License-Identifier: LGPL-2.1-or-later
// The C API's session calls.
#include "internal.hpp"

#include <ocf/ocf.h>

#include <linux/ocf.h>

#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <sys/ioctl.h>

using ocf::detail::user_pointer;

extern "C" int ocf_session_new(ocf_device *dev, const ocf_session_params *params,
			       uint32_t *session, uint32_t *producer)
{
	if (!params || !session)
		return -EINVAL;
	// A caller built against a later, larger struct: its tail must be zero
	// (nothing we would ignore); an older, smaller one does not exist.
	if (params->size != 0 && params->size < OCF_SESSION_PARAMS_SIZE_V1)
		return -EINVAL;
	if (params->size > sizeof(*params)) {
		const auto *tail = reinterpret_cast<const unsigned char *>(params) + sizeof(*params);
		for (std::size_t i = 0; i < params->size - sizeof(*params); i++)
			if (tail[i])
				return -E2BIG;
	}
	if (!dev)
		return -EINVAL;
	// The ABI's key lengths are 32 bits; a longer key must not wrap into a short one.
	if (params->cipher_key_len > UINT32_MAX || params->mac_key_len > UINT32_MAX)
		return -EINVAL;

	struct ocf_session_new req {};
	req.size = sizeof(req);
	req.flags = params->flags;
	req.cipher = params->cipher;
	req.mac = params->mac;
	req.cipher_key = user_pointer(params->cipher_key);
	req.mac_key = user_pointer(params->mac_key);
	req.cipher_key_len = static_cast<uint32_t>(params->cipher_key_len);
	req.mac_key_len = static_cast<uint32_t>(params->mac_key_len);
	req.mac_len = params->mac_len;
	req.producer = params->producer;
	if (::ioctl(dev->fd, OCF_IOC_SESSION_NEW, &req) < 0)
		return -errno;
	*session = req.session;
	if (producer)
		*producer = req.producer_chosen;
	return 0;
}

extern "C" int ocf_session_free(ocf_device *dev, uint32_t session)
{
	if (!dev)
		return -EINVAL;
	__u32 id = session;
	if (::ioctl(dev->fd, OCF_IOC_SESSION_FREE, &id) < 0)
		return -errno;
	return 0;
}
