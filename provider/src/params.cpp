// SPDX-License-Identifier: LGPL-2.1-or-later
// The OSSL_PARAM handling the algorithm families share (see params.hpp).
#include "params.hpp"

#include <openssl/core_names.h>
#include <openssl/err.h>

namespace ocfprov {

const OSSL_PARAM *find_param(const OSSL_PARAM params[], const char *key)
{
	return params ? OSSL_PARAM_locate_const(params, key) : nullptr;
}

OSSL_PARAM *find_param(OSSL_PARAM params[], const char *key)
{
	return params ? OSSL_PARAM_locate(params, key) : nullptr;
}

bool set_octets(OSSL_PARAM *p, const void *data, std::size_t len)
{
	return OSSL_PARAM_set_octet_string(p, data, len) || OSSL_PARAM_set_octet_ptr(p, data, len);
}

// Our own questions to the default context leave nothing on the error
// queue when answered: its getters try an octet pointer before an octet
// string, and OpenSSL 3.2 and later raise an error for the first miss, which
// libssl then finds and fails SSL_write with (nginx, TLS 1.2 CBC records).
bool default_get(const CipherFns &default_impl, void *default_ctx, OSSL_PARAM params[])
{
	ERR_set_mark();
	const bool ok = default_impl.get_ctx_params(default_ctx, params) == 1;
	if (ok)
		ERR_pop_to_mark();
	else
		ERR_clear_last_mark();
	return ok;
}

bool default_get_one(const CipherFns &default_impl, void *default_ctx, OSSL_PARAM param)
{
	OSSL_PARAM p[] = { param, OSSL_PARAM_construct_end() };
	return default_get(default_impl, default_ctx, p);
}

bool default_set_one(const CipherFns &default_impl, void *default_ctx, OSSL_PARAM param)
{
	OSSL_PARAM p[] = { param, OSSL_PARAM_construct_end() };
	return default_impl.set_ctx_params(default_ctx, p) == 1;
}

int default_tls_record(const CipherFns &default_impl, void *default_ctx, const unsigned char *aad,
		       std::size_t aadlen, bool cipher_call, unsigned char *out, std::size_t *outl,
		       std::size_t outsize, const unsigned char *in, std::size_t len)
{
	if (!default_set_one(default_impl, default_ctx,
			     OSSL_PARAM_construct_octet_string(OSSL_CIPHER_PARAM_AEAD_TLS1_AAD,
							       const_cast<unsigned char *>(aad),
							       aadlen)))
		return 0;
	return cipher_call ? default_impl.cipher(default_ctx, out, outl, outsize, in, len)
			   : default_impl.update(default_ctx, out, outl, outsize, in, len);
}

} // namespace ocfprov
