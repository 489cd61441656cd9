// SPDX-License-Identifier: GPL-2.0
/*
 * A test consumer of the crypto-API bridge's queue contract, as an
 * in-kernel user (IPsec, dm-crypt) sees it. Loading it runs the test on
 * the skcipher named by @driver; it loads only if the test passed.
 *
 * With the bridge's bridge_queue_len set low and a slow chip, a burst of
 * requests must get -EINPROGRESS or, past the queue, -ENOSPC (those never
 * complete), and with CRYPTO_TFM_REQ_MAY_BACKLOG -EINPROGRESS or -EBUSY,
 * each -EBUSY one later told -EINPROGRESS once and then completed. Every
 * completed request's output equals the kernel's own implementation's.
 *
 * Then ocf-sha1's digest() of a message longer than a Hifn takes (the CPU
 * finishes it) and of a short one must equal the kernel's own SHA-1.
 */

#include <crypto/hash.h>
#include <crypto/skcipher.h>
#include <crypto/sha1.h>
#include <linux/module.h>
#include <linux/random.h>
#include <linux/scatterlist.h>
#include <linux/slab.h>
#include <linux/wait.h>

static char *driver = "ocf-cbc-des3_ede";
module_param(driver, charp, 0444);
MODULE_PARM_DESC(driver, "the skcipher to test, by driver name");

static unsigned int requests = 64;
module_param(requests, uint, 0444);
MODULE_PARM_DESC(requests, "requests in each burst");

#define OBT_LEN 4096
#define OBT_KEY 24
#define OBT_IV 8

struct obt_req {
	struct skcipher_request *req;
	struct scatterlist sg;
	u8 *buf;
	u8 iv[OBT_IV];
	u8 iv0[OBT_IV];		/* the IV it started with */
	int first;		/* what encrypt() returned */
	int status;		/* the final completion's */
	int inprogress;		/* -EINPROGRESS notifications */
	bool done;
};

static DECLARE_WAIT_QUEUE_HEAD(obt_wq);
static atomic_t obt_pending;

static void obt_complete_one(struct obt_req *r, int err)
{
	if (err == -EINPROGRESS) {
		r->inprogress++;
		return;
	}
	r->status = err;
	WRITE_ONCE(r->done, true);
	if (atomic_dec_and_test(&obt_pending))
		wake_up(&obt_wq);
}

#ifdef OCF_TEST_COMPLETION_DATA
static void obt_complete(void *data, int err)
{
	obt_complete_one(data, err);
}
#else
static void obt_complete(struct crypto_async_request *areq, int err)
{
	obt_complete_one(areq->data, err);
}
#endif

/* Encrypts @buf in place with the kernel's own implementation. */
static int obt_reference(struct crypto_sync_skcipher *ref, u8 *buf, const u8 *iv0)
{
	SYNC_SKCIPHER_REQUEST_ON_STACK(sreq, ref);
	struct scatterlist sg;
	u8 iv[OBT_IV];
	int ret;

	memcpy(iv, iv0, OBT_IV);
	sg_init_one(&sg, buf, OBT_LEN);
	skcipher_request_set_sync_tfm(sreq, ref);
	skcipher_request_set_callback(sreq, 0, NULL, NULL);
	skcipher_request_set_crypt(sreq, &sg, &sg, OBT_LEN, iv);
	ret = crypto_skcipher_encrypt(sreq);
	skcipher_request_zero(sreq);
	return ret;
}

/* One burst; 0 when it kept the contract. */
static int obt_burst(struct crypto_skcipher *tfm, struct crypto_sync_skcipher *ref,
		     const u8 *plain, bool backlog)
{
	struct obt_req *rs;
	unsigned int i, inprogress = 0, busy = 0, nospc = 0, bad = 0;
	int ret = 0;

	rs = kcalloc(requests, sizeof(*rs), GFP_KERNEL);
	if (!rs)
		return -ENOMEM;
	for (i = 0; i < requests; i++) {
		rs[i].buf = kmemdup(plain, OBT_LEN, GFP_KERNEL);
		rs[i].req = skcipher_request_alloc(tfm, GFP_KERNEL);
		if (!rs[i].buf || !rs[i].req) {
			ret = -ENOMEM;
			goto out_free;
		}
		get_random_bytes(rs[i].iv, OBT_IV);
		memcpy(rs[i].iv0, rs[i].iv, OBT_IV);
		sg_init_one(&rs[i].sg, rs[i].buf, OBT_LEN);
		skcipher_request_set_callback(rs[i].req,
					      backlog ? CRYPTO_TFM_REQ_MAY_BACKLOG : 0,
					      obt_complete, &rs[i]);
		skcipher_request_set_crypt(rs[i].req, &rs[i].sg, &rs[i].sg, OBT_LEN, rs[i].iv);
	}
	atomic_set(&obt_pending, 1);
	for (i = 0; i < requests; i++) {
		atomic_inc(&obt_pending);
		rs[i].first = crypto_skcipher_encrypt(rs[i].req);
		if (rs[i].first == -EINPROGRESS) {
			inprogress++;
		} else if (rs[i].first == -EBUSY && backlog) {
			busy++;
		} else if (rs[i].first == -ENOSPC && !backlog) {
			nospc++;
			atomic_dec(&obt_pending);
		} else {
			pr_err("%s: request %u returned %d\n", driver, i, rs[i].first);
			bad++;
			if (rs[i].first)
				atomic_dec(&obt_pending);
		}
	}
	if (!atomic_dec_and_test(&obt_pending) &&
	    !wait_event_timeout(obt_wq, !atomic_read(&obt_pending), 120 * HZ)) {
		/* Requests still out: leave their memory to them. */
		pr_err("%s: %d requests never completed\n", driver, atomic_read(&obt_pending));
		return -ETIMEDOUT;
	}
	for (i = 0; i < requests; i++) {
		struct obt_req *r = &rs[i];
		u8 *want;

		if (r->first == -ENOSPC) {
			if (r->done || r->inprogress) {
				pr_err("%s: request %u: -ENOSPC, yet called back\n", driver, i);
				bad++;
			}
			continue;
		}
		if (!r->done || r->status || r->inprogress != (r->first == -EBUSY ? 1 : 0)) {
			pr_err("%s: request %u: first %d done %d status %d -EINPROGRESS %d times\n",
			       driver, i, r->first, r->done, r->status, r->inprogress);
			bad++;
			continue;
		}
		want = kmemdup(plain, OBT_LEN, GFP_KERNEL);
		if (!want) {
			ret = -ENOMEM;
			goto out_free;
		}
		if (obt_reference(ref, want, r->iv0) || memcmp(want, r->buf, OBT_LEN)) {
			pr_err("%s: request %u: output differs from the kernel's own\n", driver, i);
			bad++;
		} else if (memcmp(r->iv, r->buf + OBT_LEN - OBT_IV, OBT_IV)) {
			pr_err("%s: request %u: output IV is not the last block\n", driver, i);
			bad++;
		}
		kfree(want);
	}
	pr_info("%s, %s: %u -EINPROGRESS, %u -EBUSY, %u -ENOSPC, %u wrong\n", driver,
		backlog ? "may backlog" : "no backlog", inprogress, busy, nospc, bad);
	if (bad || (backlog ? !busy : !nospc))
		ret = -EIO;
out_free:
	for (i = 0; i < requests; i++) {
		skcipher_request_free(rs[i].req);
		kfree(rs[i].buf);
	}
	kfree(rs);
	return ret;
}

/* ocf-sha1's digest of @len random bytes against the kernel's own; 0 if equal. */
static int obt_hash_one(struct crypto_ahash *tfm, struct crypto_shash *ref, u32 len)
{
	u8 got[SHA1_DIGEST_SIZE], want[SHA1_DIGEST_SIZE];
	struct ahash_request *req;
	struct scatterlist sg;
	DECLARE_CRYPTO_WAIT(wait);
	u8 *buf;
	int ret = -ENOMEM;

	buf = kmalloc(len, GFP_KERNEL);
	req = ahash_request_alloc(tfm, GFP_KERNEL);
	if (!buf || !req)
		goto out_free;
	get_random_bytes(buf, len);
	sg_init_one(&sg, buf, len);
	ahash_request_set_callback(req, CRYPTO_TFM_REQ_MAY_BACKLOG, crypto_req_done, &wait);
	ahash_request_set_crypt(req, &sg, got, len);
	ret = crypto_wait_req(crypto_ahash_digest(req), &wait) ?:
	      crypto_shash_tfm_digest(ref, buf, len, want);
	if (!ret && memcmp(got, want, sizeof(got)))
		ret = -EIO;
	pr_info("ocf-sha1 digest of %u bytes: %d\n", len, ret);
out_free:
	ahash_request_free(req);
	kfree(buf);
	return ret;
}

static int obt_hash(void)
{
	struct crypto_shash *ref;
	struct crypto_ahash *tfm;
	int ret;

	tfm = crypto_alloc_ahash("ocf-sha1", 0, 0);
	if (IS_ERR(tfm)) {
		pr_info("no ocf-sha1 (%ld): hash not tested\n", PTR_ERR(tfm));
		return 0;
	}
	/* An shash: never the bridge. */
	ref = crypto_alloc_shash("sha1", 0, 0);
	ret = PTR_ERR_OR_ZERO(ref);
	if (!ret) {
		ret = obt_hash_one(tfm, ref, 1000) ?: obt_hash_one(tfm, ref, 300 * 1024);
		crypto_free_shash(ref);
	}
	crypto_free_ahash(tfm);
	return ret;
}

static int __init obt_init(void)
{
	struct crypto_sync_skcipher *ref;
	struct crypto_skcipher *tfm;
	u8 key[OBT_KEY], *plain;
	int ret;

	tfm = crypto_alloc_skcipher(driver, 0, 0);
	if (IS_ERR(tfm)) {
		pr_err("%s: %ld\n", driver, PTR_ERR(tfm));
		return PTR_ERR(tfm);
	}
	/* Synchronous: never the bridge. */
	ref = crypto_alloc_sync_skcipher(crypto_tfm_alg_name(crypto_skcipher_tfm(tfm)), 0, 0);
	ret = PTR_ERR_OR_ZERO(ref);
	if (ret)
		goto err_free_tfm;
	plain = kmalloc(OBT_LEN, GFP_KERNEL);
	ret = -ENOMEM;
	if (!plain)
		goto err_free_ref;
	get_random_bytes(plain, OBT_LEN);
	get_random_bytes(key, sizeof(key));
	ret = crypto_skcipher_setkey(tfm, key, sizeof(key)) ?:
	      crypto_sync_skcipher_setkey(ref, key, sizeof(key)) ?:
	      obt_burst(tfm, ref, plain, false) ?:
	      obt_burst(tfm, ref, plain, true) ?:
	      obt_hash();
	kfree(plain);
err_free_ref:
	crypto_free_sync_skcipher(ref);
err_free_tfm:
	/* After a timeout requests are still out: keep their transform. */
	if (ret != -ETIMEDOUT)
		crypto_free_skcipher(tfm);
	return ret;
}

static void __exit obt_exit(void)
{
}

module_init(obt_init);
module_exit(obt_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("OCF test: the crypto-API bridge's queue contract");
