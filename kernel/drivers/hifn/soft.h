/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Software transforms over the Linux crypto API, for what the chip cannot
 * do: the MAC of an empty region, long HMAC keys, and requests left behind
 * by a chip that was pulled out or keeps failing.
 */
#ifndef _HIFN_SOFT_H
#define _HIFN_SOFT_H

#include <linux/mutex.h>
#include <linux/ocf.h>

struct crypto_skcipher;
struct crypto_ahash;
struct hifn_session;

enum hifn_soft_cipher { HIFN_SOFT_DES, HIFN_SOFT_3DES, HIFN_SOFT_AES, HIFN_SOFT_CIPHERS };
enum hifn_soft_mac { HIFN_SOFT_MD5, HIFN_SOFT_SHA1, HIFN_SOFT_HMAC_MD5, HIFN_SOFT_HMAC_SHA1,
		     HIFN_SOFT_MACS };

/**
 * struct hifn_soft - one chip's software transforms
 * @lock: taken around setting a key and using it (the transforms are shared)
 * @cipher: CBC ciphers, or NULL when the kernel lacks one
 * @mac: hashes and HMACs
 */
struct hifn_soft {
	struct mutex lock;		/* keys of the shared transforms */
	struct crypto_skcipher *cipher[HIFN_SOFT_CIPHERS];
	struct crypto_ahash *mac[HIFN_SOFT_MACS];
};

int hifn_soft_init(struct hifn_soft *s);
void hifn_soft_exit(struct hifn_soft *s);
int hifn_soft_digest(struct hifn_soft *s, u32 alg, const u8 *key, u32 key_len, const u8 *data,
		     u32 len, u8 *out);
int hifn_soft_request(struct hifn_soft *s, const struct hifn_session *ses,
		      struct ocf_request *req);

#endif /* _HIFN_SOFT_H */
