// SPDX-License-Identifier: LGPL-2.1-or-later
// Names and sizes of the ABI's algorithms: one table, so the helpers agree.
#include <ocf/ocf.h>

#include <linux/ocf.h>

#include <cerrno>
#include <strings.h>

namespace {

struct algorithm {
	uint32_t id;
	const char *name;
	unsigned iv_len;
	unsigned block_len;	// 0: not a cipher
	unsigned digest_len;	// 0: produces no digest, MAC or tag
};

constexpr algorithm algorithms[] = {
	{OCF_CIPHER_NULL, "null", 0, 1, 0},
	{OCF_CIPHER_AES_CBC, "aes-cbc", 16, 16, 0},
	{OCF_CIPHER_AES_CTR, "aes-ctr", 16, 1, 0},
	{OCF_CIPHER_DES_CBC, "des-cbc", 8, 8, 0},
	{OCF_CIPHER_3DES_CBC, "3des-cbc", 8, 8, 0},
	{OCF_AEAD_AES_GCM, "aes-gcm", 12, 1, 16},
	{OCF_MAC_HMAC_MD5, "hmac-md5", 0, 0, 16},
	{OCF_MAC_HMAC_SHA1, "hmac-sha1", 0, 0, 20},
	{OCF_MAC_HMAC_SHA256, "hmac-sha256", 0, 0, 32},
	{OCF_MAC_HMAC_SHA384, "hmac-sha384", 0, 0, 48},
	{OCF_MAC_HMAC_SHA512, "hmac-sha512", 0, 0, 64},
	{OCF_HASH_MD5, "md5", 0, 0, 16},
	{OCF_HASH_SHA1, "sha1", 0, 0, 20},
	{OCF_HASH_SHA224, "sha224", 0, 0, 28},
	{OCF_HASH_SHA256, "sha256", 0, 0, 32},
	{OCF_HASH_SHA384, "sha384", 0, 0, 48},
	{OCF_HASH_SHA512, "sha512", 0, 0, 64},
};

const algorithm *find(uint32_t id) noexcept
{
	for (const auto &a : algorithms)
		if (a.id == id)
			return &a;
	return nullptr;
}

} // namespace

extern "C" const char *ocf_alg_name(uint32_t alg)
{
	const algorithm *a = find(alg);
	return a ? a->name : nullptr;
}

extern "C" int ocf_alg_from_name(const char *name)
{
	if (!name)
		return -EINVAL;
	for (const auto &a : algorithms)
		if (strcasecmp(a.name, name) == 0)
			return static_cast<int>(a.id);
	return -EINVAL;
}

extern "C" unsigned ocf_alg_iv_len(uint32_t alg)
{
	const algorithm *a = find(alg);
	return a ? a->iv_len : 0;
}

extern "C" unsigned ocf_alg_block_len(uint32_t alg)
{
	const algorithm *a = find(alg);
	return a ? a->block_len : 0;
}

extern "C" unsigned ocf_alg_digest_len(uint32_t alg)
{
	const algorithm *a = find(alg);
	return a ? a->digest_len : 0;
}
