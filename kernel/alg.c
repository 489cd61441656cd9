// SPDX-License-Identifier: GPL-2.0
/*
 * The algorithms OCF knows: their kinds, sizes and Linux crypto API names.
 */

#include <linux/export.h>
#include <linux/kernel.h>
#include <linux/ocf.h>

#define OCF_AES_KEYS (BIT_ULL(16) | BIT_ULL(24) | BIT_ULL(32))
#define OCF_ANY_KEY GENMASK_ULL(OCF_MAX_KEY_LEN, 0)

static const struct ocf_alg_info ocf_algs[] = {
	{ OCF_CIPHER_NULL, OCF_KIND_CIPHER, "null", NULL, OCF_ANY_KEY, 0, 1, 0 },
	{ OCF_CIPHER_AES_CBC, OCF_KIND_CIPHER, "aes-cbc", "cbc(aes)", OCF_AES_KEYS, 16, 16, 0 },
	{ OCF_CIPHER_AES_CTR, OCF_KIND_CIPHER, "aes-ctr", "ctr(aes)", OCF_AES_KEYS, 16, 1, 0 },
	{ OCF_CIPHER_DES_CBC, OCF_KIND_CIPHER, "des-cbc", "cbc(des)", BIT_ULL(8), 8, 8, 0 },
	{ OCF_CIPHER_3DES_CBC, OCF_KIND_CIPHER, "3des-cbc", "cbc(des3_ede)", BIT_ULL(24), 8, 8, 0 },
	{ OCF_AEAD_AES_GCM, OCF_KIND_AEAD, "aes-gcm", "gcm(aes)", OCF_AES_KEYS, 12, 1, 16 },
	{ OCF_MAC_HMAC_MD5, OCF_KIND_HMAC, "hmac-md5", "hmac(md5)", 0, 0, 0, 16 },
	{ OCF_MAC_HMAC_SHA1, OCF_KIND_HMAC, "hmac-sha1", "hmac(sha1)", 0, 0, 0, 20 },
	{ OCF_MAC_HMAC_SHA256, OCF_KIND_HMAC, "hmac-sha256", "hmac(sha256)", 0, 0, 0, 32 },
	{ OCF_MAC_HMAC_SHA384, OCF_KIND_HMAC, "hmac-sha384", "hmac(sha384)", 0, 0, 0, 48 },
	{ OCF_MAC_HMAC_SHA512, OCF_KIND_HMAC, "hmac-sha512", "hmac(sha512)", 0, 0, 0, 64 },
	{ OCF_HASH_MD5, OCF_KIND_HASH, "md5", "md5", 0, 0, 0, 16 },
	{ OCF_HASH_SHA1, OCF_KIND_HASH, "sha1", "sha1", 0, 0, 0, 20 },
	{ OCF_HASH_SHA224, OCF_KIND_HASH, "sha224", "sha224", 0, 0, 0, 28 },
	{ OCF_HASH_SHA256, OCF_KIND_HASH, "sha256", "sha256", 0, 0, 0, 32 },
	{ OCF_HASH_SHA384, OCF_KIND_HASH, "sha384", "sha384", 0, 0, 0, 48 },
	{ OCF_HASH_SHA512, OCF_KIND_HASH, "sha512", "sha512", 0, 0, 0, 64 },
};

/**
 * ocf_alg_info() - look up an algorithm
 * @alg: enum ocf_alg
 *
 * Return: its description, or NULL when OCF does not know it.
 */
const struct ocf_alg_info *ocf_alg_info(u32 alg)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(ocf_algs); i++)
		if (ocf_algs[i].alg == alg)
			return &ocf_algs[i];
	return NULL;
}
EXPORT_SYMBOL_GPL(ocf_alg_info);
