// SPDX-License-Identifier: LGPL-2.1-or-later
// The provider's errors: its reason strings, and errors raised onto
// OpenSSL's error queue through the core's functions.
#include "prov.hpp"

#include <cstdarg>
#include <cstdint>

namespace ocfprov {
namespace {

// The core's error functions, the same for every instance.
OSSL_FUNC_core_new_error_fn *c_new_error = nullptr;
OSSL_FUNC_core_set_error_debug_fn *c_set_error_debug = nullptr;
OSSL_FUNC_core_vset_error_fn *c_vset_error = nullptr;

const OSSL_ITEM reason_strings[] = {
	{ R_DEVICE, const_cast<char *>("OCF request failed") },
	{ R_KEY_LENGTH, const_cast<char *>("invalid key length") },
	{ R_IV_LENGTH, const_cast<char *>("invalid IV length") },
	{ R_NO_KEY, const_cast<char *>("no key set") },
	{ R_WRONG_FINAL_BLOCK_LENGTH, const_cast<char *>("wrong final block length") },
	{ R_BAD_DECRYPT, const_cast<char *>("bad decrypt") },
	{ R_OUTPUT_TOO_SMALL, const_cast<char *>("output buffer too small") },
	{ R_NO_SOFTWARE, const_cast<char *>("OpenSSL default implementation unavailable") },
	{ R_BAD_TAG, const_cast<char *>("invalid or mismatching tag") },
	{ R_BAD_RECORD_MAC, const_cast<char *>("bad record MAC or padding") },
	{ R_INVALID_PARAM, const_cast<char *>("invalid parameter") },
	{ R_MALLOC, const_cast<char *>("out of memory") },
	{ R_OPERATION_FAILED, const_cast<char *>("cipher operation failed") },
	{ R_BAD_LENGTH, const_cast<char *>("invalid input length") },
	{ R_BAD_SIGNATURE, const_cast<char *>("bad signature") },
	{ 0, nullptr },
};

} // namespace

void bind_core_errors(const OSSL_DISPATCH *in)
{
	for (; in && in->function_id; in++) {
		switch (in->function_id) {
		case OSSL_FUNC_CORE_NEW_ERROR: c_new_error = OSSL_FUNC_core_new_error(in); break;
		case OSSL_FUNC_CORE_SET_ERROR_DEBUG:
			c_set_error_debug = OSSL_FUNC_core_set_error_debug(in);
			break;
		case OSSL_FUNC_CORE_VSET_ERROR: c_vset_error = OSSL_FUNC_core_vset_error(in); break;
		default: break;
		}
	}
}

const OSSL_ITEM *provider_reason_strings()
{
	return reason_strings;
}

void raise_error(const Provider *prov, int reason, const char *file, int line, const char *func,
		 const char *fmt, ...)
{
	if (!c_new_error || !c_vset_error || !prov)
		return;
	c_new_error(prov->handle);
	if (c_set_error_debug)
		c_set_error_debug(prov->handle, file, line, func);
	va_list ap;
	va_start(ap, fmt);
	c_vset_error(prov->handle, static_cast<uint32_t>(reason), fmt, ap);
	va_end(ap);
}

} // namespace ocfprov
