// SPDX-License-Identifier: LGPL-2.1-or-later
// The provider's algorithm tables (what it offers, and how OCF does it) and
// their binding to OpenSSL's default provider, whose implementation of each
// serves everything that does not go to OCF.
#include "pkey.hpp"
#include "prov.hpp"

#include <openssl/crypto.h>
#include <openssl/provider.h>

#include <linux/ocf.h>

#include <cstring>
#include <mutex>
#include <strings.h>

namespace ocfprov {

const CipherAlg g_cipher_algs[kCiphers] = {
	{ "AES-128-CBC", CipherKind::Cbc, OCF_CIPHER_AES_CBC, OCF_ALG_NONE, 16, 16, 16, 0 },
	{ "AES-192-CBC", CipherKind::Cbc, OCF_CIPHER_AES_CBC, OCF_ALG_NONE, 24, 16, 16, 0 },
	{ "AES-256-CBC", CipherKind::Cbc, OCF_CIPHER_AES_CBC, OCF_ALG_NONE, 32, 16, 16, 0 },
	{ "AES-128-CTR", CipherKind::Ctr, OCF_CIPHER_AES_CTR, OCF_ALG_NONE, 16, 16, 1, 0 },
	{ "AES-192-CTR", CipherKind::Ctr, OCF_CIPHER_AES_CTR, OCF_ALG_NONE, 24, 16, 1, 0 },
	{ "AES-256-CTR", CipherKind::Ctr, OCF_CIPHER_AES_CTR, OCF_ALG_NONE, 32, 16, 1, 0 },
	{ "AES-128-GCM", CipherKind::Gcm, OCF_AEAD_AES_GCM, OCF_ALG_NONE, 16, 12, 1, 16 },
	{ "AES-192-GCM", CipherKind::Gcm, OCF_AEAD_AES_GCM, OCF_ALG_NONE, 24, 12, 1, 16 },
	{ "AES-256-GCM", CipherKind::Gcm, OCF_AEAD_AES_GCM, OCF_ALG_NONE, 32, 12, 1, 16 },
	{ "DES-EDE3-CBC", CipherKind::Cbc, OCF_CIPHER_3DES_CBC, OCF_ALG_NONE, 24, 8, 8, 0 },
	{ "AES-128-CBC-HMAC-SHA1", CipherKind::Stitched, OCF_CIPHER_AES_CBC, OCF_MAC_HMAC_SHA1,
	  16, 16, 16, 20 },
	{ "AES-256-CBC-HMAC-SHA1", CipherKind::Stitched, OCF_CIPHER_AES_CBC, OCF_MAC_HMAC_SHA1,
	  32, 16, 16, 20 },
	{ "AES-128-CBC-HMAC-SHA256", CipherKind::Stitched, OCF_CIPHER_AES_CBC,
	  OCF_MAC_HMAC_SHA256, 16, 16, 16, 32 },
	{ "AES-256-CBC-HMAC-SHA256", CipherKind::Stitched, OCF_CIPHER_AES_CBC,
	  OCF_MAC_HMAC_SHA256, 32, 16, 16, 32 },
};

const DigestAlg g_digest_algs[kDigests] = {
	{ "SHA1", OCF_HASH_SHA1, OCF_MAC_HMAC_SHA1, 20, 64 },
	{ "SHA2-224", OCF_HASH_SHA224, OCF_ALG_NONE, 28, 64 },
	{ "SHA2-256", OCF_HASH_SHA256, OCF_MAC_HMAC_SHA256, 32, 64 },
	{ "SHA2-384", OCF_HASH_SHA384, OCF_MAC_HMAC_SHA384, 48, 128 },
	{ "SHA2-512", OCF_HASH_SHA512, OCF_MAC_HMAC_SHA512, 64, 128 },
};

DefaultProvider g_default_provider;

namespace {

bool g_default_provider_bound = false;	// loaded and bound

bool same_name(const char *names, const char *name)
{
	// The first of the colon-separated names.
	std::size_t n = std::strcspn(names, ":");
	return std::strlen(name) == n && strncasecmp(names, name, n) == 0;
}

void bind_cipher(BoundCipher &b, const OSSL_DISPATCH *d)
{
	CipherFns &f = b.default_impl;
	for (; d->function_id; d++) {
		switch (d->function_id) {
		case OSSL_FUNC_CIPHER_NEWCTX: f.newctx = OSSL_FUNC_cipher_newctx(d); break;
		case OSSL_FUNC_CIPHER_FREECTX: f.freectx = OSSL_FUNC_cipher_freectx(d); break;
		case OSSL_FUNC_CIPHER_DUPCTX: f.dupctx = OSSL_FUNC_cipher_dupctx(d); break;
		case OSSL_FUNC_CIPHER_ENCRYPT_INIT: f.einit = OSSL_FUNC_cipher_encrypt_init(d); break;
		case OSSL_FUNC_CIPHER_DECRYPT_INIT: f.dinit = OSSL_FUNC_cipher_decrypt_init(d); break;
		case OSSL_FUNC_CIPHER_UPDATE: f.update = OSSL_FUNC_cipher_update(d); break;
		case OSSL_FUNC_CIPHER_FINAL: f.final = OSSL_FUNC_cipher_final(d); break;
		case OSSL_FUNC_CIPHER_CIPHER: f.cipher = OSSL_FUNC_cipher_cipher(d); break;
		case OSSL_FUNC_CIPHER_GET_PARAMS: f.get_params = OSSL_FUNC_cipher_get_params(d); break;
		case OSSL_FUNC_CIPHER_GETTABLE_PARAMS:
			f.gettable_params = OSSL_FUNC_cipher_gettable_params(d);
			break;
		case OSSL_FUNC_CIPHER_GET_CTX_PARAMS:
			f.get_ctx_params = OSSL_FUNC_cipher_get_ctx_params(d);
			break;
		case OSSL_FUNC_CIPHER_SET_CTX_PARAMS:
			f.set_ctx_params = OSSL_FUNC_cipher_set_ctx_params(d);
			break;
		case OSSL_FUNC_CIPHER_GETTABLE_CTX_PARAMS:
			f.gettable_ctx_params = OSSL_FUNC_cipher_gettable_ctx_params(d);
			break;
		case OSSL_FUNC_CIPHER_SETTABLE_CTX_PARAMS:
			f.settable_ctx_params = OSSL_FUNC_cipher_settable_ctx_params(d);
			break;
		default: break;
		}
	}
	b.available = f.newctx && f.freectx && f.dupctx && f.einit && f.dinit && f.update &&
		      f.final && f.cipher && f.get_params && f.get_ctx_params && f.set_ctx_params;
}

void bind_digest(BoundDigest &b, const OSSL_DISPATCH *d)
{
	DigestFns &f = b.default_impl;
	for (; d->function_id; d++) {
		switch (d->function_id) {
		case OSSL_FUNC_DIGEST_NEWCTX: f.newctx = OSSL_FUNC_digest_newctx(d); break;
		case OSSL_FUNC_DIGEST_FREECTX: f.freectx = OSSL_FUNC_digest_freectx(d); break;
		case OSSL_FUNC_DIGEST_DUPCTX: f.dupctx = OSSL_FUNC_digest_dupctx(d); break;
		case OSSL_FUNC_DIGEST_INIT: f.init = OSSL_FUNC_digest_init(d); break;
		case OSSL_FUNC_DIGEST_UPDATE: f.update = OSSL_FUNC_digest_update(d); break;
		case OSSL_FUNC_DIGEST_FINAL: f.final = OSSL_FUNC_digest_final(d); break;
		case OSSL_FUNC_DIGEST_GET_PARAMS: f.get_params = OSSL_FUNC_digest_get_params(d); break;
		case OSSL_FUNC_DIGEST_GETTABLE_PARAMS:
			f.gettable_params = OSSL_FUNC_digest_gettable_params(d);
			break;
		case OSSL_FUNC_DIGEST_GET_CTX_PARAMS:
			f.get_ctx_params = OSSL_FUNC_digest_get_ctx_params(d);
			break;
		case OSSL_FUNC_DIGEST_SET_CTX_PARAMS:
			f.set_ctx_params = OSSL_FUNC_digest_set_ctx_params(d);
			break;
		case OSSL_FUNC_DIGEST_GETTABLE_CTX_PARAMS:
			f.gettable_ctx_params = OSSL_FUNC_digest_gettable_ctx_params(d);
			break;
		case OSSL_FUNC_DIGEST_SETTABLE_CTX_PARAMS:
			f.settable_ctx_params = OSSL_FUNC_digest_settable_ctx_params(d);
			break;
		default: break;
		}
	}
	b.available = f.newctx && f.freectx && f.dupctx && f.init && f.update && f.final &&
		      f.get_params;
}

bool bind_mac(MacFns &f, const OSSL_DISPATCH *d)
{
	for (; d->function_id; d++) {
		switch (d->function_id) {
		case OSSL_FUNC_MAC_NEWCTX: f.newctx = OSSL_FUNC_mac_newctx(d); break;
		case OSSL_FUNC_MAC_FREECTX: f.freectx = OSSL_FUNC_mac_freectx(d); break;
		case OSSL_FUNC_MAC_DUPCTX: f.dupctx = OSSL_FUNC_mac_dupctx(d); break;
		case OSSL_FUNC_MAC_INIT: f.init = OSSL_FUNC_mac_init(d); break;
		case OSSL_FUNC_MAC_UPDATE: f.update = OSSL_FUNC_mac_update(d); break;
		case OSSL_FUNC_MAC_FINAL: f.final = OSSL_FUNC_mac_final(d); break;
		case OSSL_FUNC_MAC_GET_PARAMS: f.get_params = OSSL_FUNC_mac_get_params(d); break;
		case OSSL_FUNC_MAC_GETTABLE_PARAMS:
			f.gettable_params = OSSL_FUNC_mac_gettable_params(d);
			break;
		case OSSL_FUNC_MAC_GET_CTX_PARAMS:
			f.get_ctx_params = OSSL_FUNC_mac_get_ctx_params(d);
			break;
		case OSSL_FUNC_MAC_SET_CTX_PARAMS:
			f.set_ctx_params = OSSL_FUNC_mac_set_ctx_params(d);
			break;
		case OSSL_FUNC_MAC_GETTABLE_CTX_PARAMS:
			f.gettable_ctx_params = OSSL_FUNC_mac_gettable_ctx_params(d);
			break;
		case OSSL_FUNC_MAC_SETTABLE_CTX_PARAMS:
			f.settable_ctx_params = OSSL_FUNC_mac_settable_ctx_params(d);
			break;
		default: break;
		}
	}
	return f.newctx && f.freectx && f.dupctx && f.init && f.update && f.final &&
	       f.get_ctx_params && f.set_ctx_params;
}

// Loads the default provider into a private library context and binds its
// implementations of what we offer. Once per process; never unloaded (the
// contexts of any provider instance may use it until exit).
void load_default_provider()
{
	DefaultProvider &s = g_default_provider;
	s.libctx = OSSL_LIB_CTX_new();
	if (!s.libctx)
		return;
	s.deflt = OSSL_PROVIDER_load(s.libctx, "default");
	if (!s.deflt) {
		debug("cannot load OpenSSL's default provider: offering nothing");
		return;
	}
	s.provctx = OSSL_PROVIDER_get0_provider_ctx(s.deflt);
	int no_cache = 0;
	if (const OSSL_ALGORITHM *a =
		    OSSL_PROVIDER_query_operation(s.deflt, OSSL_OP_CIPHER, &no_cache)) {
		for (; a->algorithm_names; a++)
			for (std::size_t i = 0; i < kCiphers; i++)
				if (!s.ciphers[i].names &&
				    same_name(a->algorithm_names, g_cipher_algs[i].name)) {
					s.ciphers[i].alg = &g_cipher_algs[i];
					s.ciphers[i].names = a->algorithm_names;
					bind_cipher(s.ciphers[i], a->implementation);
				}
	}
	if (const OSSL_ALGORITHM *a =
		    OSSL_PROVIDER_query_operation(s.deflt, OSSL_OP_DIGEST, &no_cache)) {
		for (; a->algorithm_names; a++)
			for (std::size_t i = 0; i < kDigests; i++)
				if (!s.digests[i].names &&
				    same_name(a->algorithm_names, g_digest_algs[i].name)) {
					s.digests[i].alg = &g_digest_algs[i];
					s.digests[i].names = a->algorithm_names;
					bind_digest(s.digests[i], a->implementation);
				}
	}
	if (const OSSL_ALGORITHM *a =
		    OSSL_PROVIDER_query_operation(s.deflt, OSSL_OP_MAC, &no_cache)) {
		for (; a->algorithm_names; a++)
			if (!s.hmac_names && same_name(a->algorithm_names, "HMAC")) {
				s.hmac_names = a->algorithm_names;
				s.hmac_available = bind_mac(s.hmac, a->implementation);
			}
	}
	bind_default_pkeys(s.deflt);
	g_default_provider_bound = true;
}

// The default's implementation of @name for @operation_id, by function id.
void bind_pkey(OSSL_PROVIDER *deflt, int operation_id, const char *name, PkeyFns &f,
	       std::initializer_list<int> required)
{
	int no_cache = 0;
	const OSSL_ALGORITHM *a = OSSL_PROVIDER_query_operation(deflt, operation_id, &no_cache);
	for (; a && a->algorithm_names; a++) {
		if (!same_name(a->algorithm_names, name))
			continue;
		f.names = a->algorithm_names;
		for (const OSSL_DISPATCH *d = a->implementation; d->function_id; d++)
			if (d->function_id > 0 &&
			    static_cast<std::size_t>(d->function_id) < PkeyFns::kMaxId)
				f.fn[d->function_id] = d->function;
		f.available = true;
		for (int id : required)
			f.available = f.available && f.fn[id];
		return;
	}
}

} // namespace

DefaultPkeys g_default_pkeys;

void bind_default_pkeys(OSSL_PROVIDER *deflt)
{
	DefaultPkeys &p = g_default_pkeys;
	const std::initializer_list<int> keymgmt = {
		OSSL_FUNC_KEYMGMT_NEW,	  OSSL_FUNC_KEYMGMT_FREE,   OSSL_FUNC_KEYMGMT_IMPORT,
		OSSL_FUNC_KEYMGMT_EXPORT, OSSL_FUNC_KEYMGMT_HAS,    OSSL_FUNC_KEYMGMT_GET_PARAMS,
		OSSL_FUNC_KEYMGMT_MATCH,  OSSL_FUNC_KEYMGMT_GEN_INIT, OSSL_FUNC_KEYMGMT_GEN,
	};
	bind_pkey(deflt, OSSL_OP_KEYMGMT, "RSA", p.rsa_keymgmt, keymgmt);
	bind_pkey(deflt, OSSL_OP_KEYMGMT, "DH", p.dh_keymgmt, keymgmt);
	bind_pkey(deflt, OSSL_OP_SIGNATURE, "RSA", p.rsa_signature,
		  { OSSL_FUNC_SIGNATURE_NEWCTX, OSSL_FUNC_SIGNATURE_FREECTX,
		    OSSL_FUNC_SIGNATURE_DUPCTX, OSSL_FUNC_SIGNATURE_SIGN_INIT,
		    OSSL_FUNC_SIGNATURE_SIGN, OSSL_FUNC_SIGNATURE_VERIFY_INIT,
		    OSSL_FUNC_SIGNATURE_VERIFY, OSSL_FUNC_SIGNATURE_VERIFY_RECOVER_INIT,
		    OSSL_FUNC_SIGNATURE_VERIFY_RECOVER, OSSL_FUNC_SIGNATURE_DIGEST_SIGN_INIT,
		    OSSL_FUNC_SIGNATURE_DIGEST_SIGN_UPDATE, OSSL_FUNC_SIGNATURE_DIGEST_SIGN_FINAL,
		    OSSL_FUNC_SIGNATURE_DIGEST_VERIFY_INIT,
		    OSSL_FUNC_SIGNATURE_DIGEST_VERIFY_UPDATE,
		    OSSL_FUNC_SIGNATURE_DIGEST_VERIFY_FINAL, OSSL_FUNC_SIGNATURE_GET_CTX_PARAMS,
		    OSSL_FUNC_SIGNATURE_SET_CTX_PARAMS });
	bind_pkey(deflt, OSSL_OP_ASYM_CIPHER, "RSA", p.rsa_asym_cipher,
		  { OSSL_FUNC_ASYM_CIPHER_NEWCTX, OSSL_FUNC_ASYM_CIPHER_FREECTX,
		    OSSL_FUNC_ASYM_CIPHER_DUPCTX, OSSL_FUNC_ASYM_CIPHER_ENCRYPT_INIT,
		    OSSL_FUNC_ASYM_CIPHER_ENCRYPT, OSSL_FUNC_ASYM_CIPHER_DECRYPT_INIT,
		    OSSL_FUNC_ASYM_CIPHER_DECRYPT, OSSL_FUNC_ASYM_CIPHER_GET_CTX_PARAMS,
		    OSSL_FUNC_ASYM_CIPHER_SET_CTX_PARAMS });
	bind_pkey(deflt, OSSL_OP_KEYEXCH, "DH", p.dh_keyexch,
		  { OSSL_FUNC_KEYEXCH_NEWCTX, OSSL_FUNC_KEYEXCH_FREECTX, OSSL_FUNC_KEYEXCH_DUPCTX,
		    OSSL_FUNC_KEYEXCH_INIT, OSSL_FUNC_KEYEXCH_SET_PEER, OSSL_FUNC_KEYEXCH_DERIVE,
		    OSSL_FUNC_KEYEXCH_SET_CTX_PARAMS });
	// The operations need their key management.
	p.rsa_signature.available = p.rsa_signature.available && p.rsa_keymgmt.available;
	p.rsa_asym_cipher.available = p.rsa_asym_cipher.available && p.rsa_keymgmt.available;
	p.dh_keyexch.available = p.dh_keyexch.available && p.dh_keymgmt.available;
}

bool bind_default_provider()
{
	static std::once_flag once;
	std::call_once(once, load_default_provider);
	return g_default_provider_bound;
}

} // namespace ocfprov
