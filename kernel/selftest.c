// SPDX-License-Identifier: GPL-2.0
/*
 * An in-kernel consumer that runs known-answer tests through the consumer
 * API on whatever producers serve them, and logs one pass/fail line.
 * Run it with: echo 1 > /sys/module/ocf/parameters/selftest
 */

#include <linux/err.h>
#include <linux/kernel.h>
#include <linux/module.h>
#include <linux/ocf.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "selftest.h"

struct ocf_kat {
	const char *name;
	u32 cipher;
	u32 mac;
	const char *key;	/* hex */
	const char *mac_key;	/* hex */
	const char *iv;		/* hex */
	const char *input;	/* hex, or a quoted string after a ' */
	const char *output;	/* hex: the cipher region's output, then the digest */
};

/* Vectors from NIST SP 800-38A/-38D, FIPS 180, RFC 1321, RFC 2202 and RFC 4231. */
static const struct ocf_kat ocf_kats[] = {
	{ "aes-128-cbc", OCF_CIPHER_AES_CBC, 0, "2b7e151628aed2a6abf7158809cf4f3c", NULL,
	  "000102030405060708090a0b0c0d0e0f", "6bc1bee22e409f96e93d7e117393172a",
	  "7649abac8119b246cee98e9b12e9197d" },
	{ "aes-128-ctr", OCF_CIPHER_AES_CTR, 0, "2b7e151628aed2a6abf7158809cf4f3c", NULL,
	  "f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff", "6bc1bee22e409f96e93d7e117393172a",
	  "874d6191b620e3261bef6864990db6ce" },
	{ "des-cbc", OCF_CIPHER_DES_CBC, 0, "133457799bbcdff1", NULL, "0000000000000000",
	  "0123456789abcdef", "85e813540f0ab405" },
	{ "aes-128-gcm", OCF_AEAD_AES_GCM, 0, "00000000000000000000000000000000", NULL,
	  "000000000000000000000000", "00000000000000000000000000000000",
	  "0388dace60b6a392f328c2b971b2fe78ab6e47d42cec13bdf53a67b21257bddf" },
	{ "md5", 0, OCF_HASH_MD5, NULL, NULL, NULL, "'abc", "900150983cd24fb0d6963f7d28e17f72" },
	{ "sha1", 0, OCF_HASH_SHA1, NULL, NULL, NULL, "'abc",
	  "a9993e364706816aba3e25717850c26c9cd0d89d" },
	{ "sha256", 0, OCF_HASH_SHA256, NULL, NULL, NULL, "'abc",
	  "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad" },
	{ "sha224", 0, OCF_HASH_SHA224, NULL, NULL, NULL, "'abc",
	  "23097d223405d8228642a477bda255b32aadbce4bda0b3f7e36c9da7" },
	{ "hmac-md5", 0, OCF_MAC_HMAC_MD5, NULL, "4a656665", NULL, "'what do ya want for nothing?",
	  "750c783e6ab0b503eaa86e310a5db738" },
	{ "hmac-sha1", 0, OCF_MAC_HMAC_SHA1, NULL, "4a656665", NULL,
	  "'what do ya want for nothing?", "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79" },
	{ "hmac-sha256", 0, OCF_MAC_HMAC_SHA256, NULL, "4a656665", NULL,
	  "'what do ya want for nothing?",
	  "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843" },
};

/* Decodes hex, or the text after a leading quote, into @out. */
static int ocf_kat_bytes(const char *src, u8 *out, size_t room)
{
	size_t len;

	if (!src)
		return 0;
	if (src[0] == '\'') {
		len = strlen(src + 1);
		if (len > room)
			return -EINVAL;
		memcpy(out, src + 1, len);
		return len;
	}
	len = strlen(src) / 2;
	if (len > room || hex2bin(out, src, len))
		return -EINVAL;
	return len;
}

/*
 * The request is on the heap: the framework queues work items in it, and
 * work on the stack needs annotations a consumer should not have to know.
 */
static int ocf_kat_op(struct ocf_session *s, u32 op, u8 *buf, u32 text_len, u32 mac_len,
		      const u8 *iv, bool cipher, bool aead)
{
	struct ocf_request *req;
	struct scatterlist sg;
	int ret;

	req = kzalloc(sizeof(*req), GFP_KERNEL);
	if (!req)
		return -ENOMEM;
	sg_init_one(&sg, buf, text_len + mac_len);
	req->session = s;
	req->op = op;
	req->src = &sg;
	req->dst = &sg;
	req->len = text_len + mac_len;
	if (cipher) {
		req->cipher_len = text_len;
		memcpy(req->iv, iv, OCF_MAX_IV_LEN);
	}
	if (mac_len) {
		req->auth_len = aead ? 0 : text_len;
		req->mac_offset = text_len;
	}
	ret = ocf_dispatch_sync(req);
	kfree(req);
	return ret;
}

/* Encrypt and compare, decrypt and compare, tamper and expect -EBADMSG. */
static bool ocf_kat_run(const struct ocf_kat *k)
{
	struct ocf_session_params params = {};
	u8 iv[OCF_MAX_IV_LEN] = {}, *in, *want, *buf;
	const struct ocf_alg_info *c = ocf_alg_info(k->cipher);
	struct ocf_session *s;
	int in_len, want_len, mac_len, out_at, ret;
	bool ok = false;

	in = kzalloc(3 * 256, GFP_KERNEL);
	if (!in)
		return false;
	want = in + 256;
	buf = in + 512;
	params.cipher = k->cipher;
	params.mac = k->mac;
	in_len = ocf_kat_bytes(k->input, in, 256);
	want_len = ocf_kat_bytes(k->output, want, 256);
	params.cipher_key_len = ocf_kat_bytes(k->key, params.cipher_key, OCF_MAX_KEY_LEN);
	params.mac_key_len = ocf_kat_bytes(k->mac_key, params.mac_key, OCF_MAX_MAC_KEY_LEN);
	if (in_len < 0 || want_len < 0 || ocf_kat_bytes(k->iv, iv, sizeof(iv)) < 0)
		goto out_free;

	s = ocf_session_new(&params);
	if (IS_ERR(s)) {
		pr_err("selftest: %s: no session (%ld)\n", k->name, PTR_ERR(s));
		goto out_free;
	}
	mac_len = ocf_session_params(s)->mac_len;
	/* The expected output: the cipher region's, then the MAC or tag. */
	out_at = c ? 0 : in_len;
	if (want_len != (c ? in_len : 0) + (c && c->kind == OCF_KIND_CIPHER ? 0 : mac_len))
		goto out_session;

	memcpy(buf, in, in_len);
	ret = ocf_kat_op(s, OCF_OP_ENCRYPT, buf, in_len, mac_len, iv, c, c && !k->mac);
	if (ret || memcmp(buf + out_at, want, want_len)) {
		pr_err("selftest: %s: wrong answer (%d)\n", k->name, ret);
		goto out_session;
	}
	ret = ocf_kat_op(s, OCF_OP_DECRYPT, buf, in_len, mac_len, iv, c, c && !k->mac);
	if (ret || memcmp(buf, in, in_len)) {
		pr_err("selftest: %s: decryption or verification failed (%d)\n", k->name, ret);
		goto out_session;
	}
	if (mac_len) {
		memcpy(buf + out_at, want, want_len);
		buf[in_len + mac_len - 1] ^= 1;
		ret = ocf_kat_op(s, OCF_OP_DECRYPT, buf, in_len, mac_len, iv, c, c && !k->mac);
		if (ret != -EBADMSG) {
			pr_err("selftest: %s: a bad MAC passed (%d)\n", k->name, ret);
			goto out_session;
		}
	}
	ok = true;
out_session:
	ocf_session_free(s);
out_free:
	kfree_sensitive(in);
	memzero_explicit(&params, sizeof(params));
	return ok;
}

/*
 * Key operations through ocf_kdispatch_sync(): the textbook RSA example
 * (p = 61, q = 53, e = 17, d = 2753: 65 encrypts to 2790), as a plain
 * modexp with the private exponent and through CRT.
 */
struct ocf_kkat {
	const char *name;
	u32 kop;
	u32 in_count;
	u16 in[6];
	u16 out;
};

static const struct ocf_kkat ocf_kkats[] = {
	{ "modexp", OCF_KOP_MODEXP, 3, { 2790, 2753, 3233 }, 65 },
	{ "modexp-crt", OCF_KOP_MODEXP_CRT, 6, { 2790, 61, 53, 53, 49, 38 }, 65 },
};

/* 1 passed, 0 failed, -EOPNOTSUPP when no producer does key operations. */
static int ocf_kkat_run(const struct ocf_kkat *k)
{
	struct ocf_krequest *kreq;
	__be16 *buf;
	u32 i;
	int ret;

	/* On the heap, as a request must be; operands too, as they are DMA-able. */
	kreq = kzalloc(sizeof(*kreq), GFP_KERNEL);
	buf = kcalloc(k->in_count + 1, sizeof(*buf), GFP_KERNEL);
	ret = -ENOMEM;
	if (!kreq || !buf)
		goto out_free;
	kreq->kop = k->kop;
	kreq->in_count = k->in_count;
	kreq->out_count = 1;
	for (i = 0; i <= k->in_count; i++) {
		buf[i] = cpu_to_be16(i < k->in_count ? k->in[i] : 0);
		kreq->param[i].data = (u8 *)&buf[i];
		kreq->param[i].len = sizeof(buf[i]);
	}
	ret = ocf_kdispatch_sync(kreq);
	if (ret == -EOPNOTSUPP)
		goto out_free;
	if (ret || be16_to_cpu(buf[k->in_count]) != k->out) {
		pr_err("selftest: %s: wrong answer (%d)\n", k->name, ret);
		ret = 0;
		goto out_free;
	}
	ret = 1;
out_free:
	kfree(buf);
	kfree(kreq);
	return ret;
}

int ocf_selftest_run(void)
{
	unsigned int i, passed = 0, failed = 0;
	int ret;

	for (i = 0; i < ARRAY_SIZE(ocf_kats); i++) {
		if (ocf_kat_run(&ocf_kats[i]))
			passed++;
		else
			failed++;
	}
	/* Key operations are tested only where a producer offers them. */
	for (i = 0; i < ARRAY_SIZE(ocf_kkats); i++) {
		ret = ocf_kkat_run(&ocf_kkats[i]);
		if (ret == 1)
			passed++;
		else if (ret != -EOPNOTSUPP)
			failed++;
	}
	pr_info("selftest: %u passed, %u failed\n", passed, failed);
	return failed ? -EIO : 0;
}

static int ocf_selftest_set(const char *val, const struct kernel_param *kp)
{
	bool run;
	int ret;

	ret = kstrtobool(val, &run);
	if (ret || !run)
		return ret;
	ocf_selftest_run();
	return 0;
}

static const struct kernel_param_ops ocf_selftest_ops = {
	.set = ocf_selftest_set,
};
module_param_cb(selftest, &ocf_selftest_ops, NULL, 0200);
MODULE_PARM_DESC(selftest, "write 1 to run the known-answer self-test through the consumer API now");
