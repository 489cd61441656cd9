// SPDX-License-Identifier: LGPL-2.1-or-later
// The OSSL_PARAM handling the algorithm families share (see params.hpp).
#include "params.hpp"

#include <openssl/core_names.h>

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

bool inner_get_one(const CipherFns &sw, void *inner, OSSL_PARAM param)
{
	OSSL_PARAM p[] = { param, OSSL_PARAM_construct_end() };
	return sw.get_ctx_params(inner, p) == 1;
}

bool inner_set_one(const CipherFns &sw, void *inner, OSSL_PARAM param)
{
	OSSL_PARAM p[] = { param, OSSL_PARAM_construct_end() };
	return sw.set_ctx_params(inner, p) == 1;
}

int inner_tls_record(const CipherFns &sw, void *inner, const unsigned char *aad,
		     std::size_t aadlen, bool cipher_call, unsigned char *out, std::size_t *outl,
		     std::size_t outsize, const unsigned char *in, std::size_t len)
{
	if (!inner_set_one(sw, inner,
			   OSSL_PARAM_construct_octet_string(OSSL_CIPHER_PARAM_AEAD_TLS1_AAD,
							     const_cast<unsigned char *>(aad),
							     aadlen)))
		return 0;
	return cipher_call ? sw.cipher(inner, out, outl, outsize, in, len) :
			     sw.update(inner, out, outl, outsize, in, len);
}

} // namespace ocfprov
