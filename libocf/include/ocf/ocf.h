/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libocf C API: the stable interface to /dev/ocf for C programs, the OpenSSL
 * provider and the fio engine. The C++ API in <ocf/ocf.hpp> is built on it.
 *
 * Conventions: functions return 0 or a positive count on success and a
 * negative errno on failure; they never set errno and never abort. Handles are
 * opaque and owned by the caller, who releases them with the matching _close
 * or _free call. A handle is not tied to a thread, but a handle must not be
 * used from two threads at once unless the function says it may.
 */
#ifndef OCF_OCF_H
#define OCF_OCF_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* An open /dev/ocf. Sessions belong to it and die with it. */
struct ocf_device;

/**
 * ocf_device_open() - open the OCF device
 * @path: device node, or NULL for /dev/ocf
 * @out: receives the handle on success
 *
 * Return: 0, or -ENOENT when the module is not loaded (no device node),
 * -EACCES/-EPERM when the caller may not open it, -ENOMEM, or another
 * negative errno from open(2). The file is opened close-on-exec.
 */
int ocf_device_open(const char *path, struct ocf_device **out);

/** ocf_device_close() - close the device; NULL is allowed. */
void ocf_device_close(struct ocf_device *dev);

/** ocf_device_fd() - the file descriptor, for poll(2)/epoll(7). */
int ocf_device_fd(const struct ocf_device *dev);

/**
 * ocf_device_version() - read the module's ABI and release
 * @dev: an open device
 * @abi_version: receives OCF_ABI_VERSION of the running module
 * @module_version: buffer for the module's release string (may be NULL)
 * @len: size of @module_version; the string is truncated to fit, NUL-terminated
 *
 * Return: 0 or a negative errno.
 */
int ocf_device_version(struct ocf_device *dev, uint32_t *abi_version,
		       char *module_version, size_t len);

/** ocf_strerror() - a message for a negative errno returned by libocf. */
const char *ocf_strerror(int err);

#ifdef __cplusplus
}
#endif

#endif /* OCF_OCF_H */
