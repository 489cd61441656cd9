// SPDX-License-Identifier: GPL-2.0
/*
 * The crypto-API bridge: registration lifecycle and the queue contract.
 *
 * Each algorithm of the bridge is registered with the crypto API while some
 * hardware producer offers what it needs, and unregistered when the last one
 * goes. Producers come and go under ocf_lock, and crypto_register_*() sleeps
 * and runs the kernel's self-tests, which call back into OCF (sessions,
 * requests): so registration never happens under an OCF lock, but in a work
 * item that producer registration and unregistration only queue.
 *
 * crypto_unregister_*() insists that nothing holds the algorithm (6.1 has a
 * BUG_ON on its reference count, later kernels a WARN), and a transform
 * holds it. So an algorithm whose producers are gone stays registered while
 * transforms of it live: their requests fail with -ENODEV (their sessions
 * are hardware-only and have no producer left), or are served again when a
 * capable producer comes back. The last transform to go queues the work
 * that unregisters it.
 *
 * Sessions are made with OCF_SESSION_HW_ONLY: the bridge never routes to a
 * software producer, which would use the crypto API and could be handed the
 * bridge's own algorithms (a loop).
 */

#include <crypto/algapi.h>
#include <linux/lockdep.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/spinlock.h>
#include <linux/workqueue.h>

#include "bridge.h"
#include "producer.h"

static bool ocf_bridge_enabled = true;
static int ocf_bridge_enable_set(const char *val, const struct kernel_param *kp);
static const struct kernel_param_ops ocf_bridge_enable_ops = {
	.set = ocf_bridge_enable_set,
	.get = param_get_bool,
};
module_param_cb(bridge, &ocf_bridge_enable_ops, &ocf_bridge_enabled, 0644);
MODULE_PARM_DESC(bridge,
		 "offer hardware producers to the kernel's crypto API (IPsec, kTLS, dm-crypt) as ocf-* drivers (default 1); writing 0 unregisters them once no transform uses them");

unsigned int ocf_bridge_cipher_priority = 500;
module_param_named(bridge_cipher_priority, ocf_bridge_cipher_priority, uint, 0644);
MODULE_PARM_DESC(bridge_cipher_priority,
		 "crypto API priority of the bridge's skciphers (default 500; AES-NI's is 400: set it lower to prefer the CPU); read when an algorithm is registered");

static unsigned int ocf_bridge_queue_len = 512;
module_param_named(bridge_queue_len, ocf_bridge_queue_len, uint, 0644);
MODULE_PARM_DESC(bridge_queue_len,
		 "requests the bridge keeps in flight before it answers -EBUSY (backlog) or -ENOSPC (default 512)");

/*
 * Protects each algorithm's registered flag and ocf_bridge_stopping, and
 * serializes registration. Taken before ocf_lock, never under it.
 */
static DEFINE_MUTEX(ocf_bridge_mutex);
static bool ocf_bridge_stopping;	/* under ocf_bridge_mutex */
static bool ocf_bridge_started;		/* under ocf_bridge_mutex */

static void ocf_bridge_update(struct work_struct *work);
static DECLARE_DELAYED_WORK(ocf_bridge_work, ocf_bridge_update);

/*
 * The queue contract: at most bridge_queue_len requests in flight; past it
 * a request that may be backlogged waits here (the caller got -EBUSY, and
 * gets -EINPROGRESS through its callback when it leaves the backlog),
 * others get -ENOSPC. ocf_bridge_queue.lock protects the count and the list;
 * submitters may be in softirq context.
 */
static struct {
	spinlock_t lock;	/* protects in_flight and backlog */
	u32 in_flight;
	struct list_head backlog;
} ocf_bridge_queue = {
	.lock = __SPIN_LOCK_UNLOCKED(ocf_bridge_queue.lock),
	.backlog = LIST_HEAD_INIT(ocf_bridge_queue.backlog),
};

/*
 * A request leaves its slot: the first backlogged request takes it over
 * (returned, to be started), else the slot is freed.
 */
static struct ocf_bridge_req *ocf_bridge_slot_pass(void)
{
	struct ocf_bridge_req *next;

	spin_lock_bh(&ocf_bridge_queue.lock);
	next = list_first_entry_or_null(&ocf_bridge_queue.backlog, struct ocf_bridge_req, node);
	if (next)
		list_del(&next->node);
	else
		ocf_bridge_queue.in_flight--;
	spin_unlock_bh(&ocf_bridge_queue.lock);
	return next;
}

/* Completion callbacks run with bottom halves off, as from a driver's tasklet. */
static void ocf_bridge_req_done(struct ocf_bridge_req *br, int status)
{
	local_bh_disable();
	br->done(br, status);
	local_bh_enable();
}

/* Starts backlogged requests that were handed a slot, until one is under way. */
static void ocf_bridge_start_backlogged(struct ocf_bridge_req *next)
{
	int ret;

	while (next) {
		local_bh_disable();
		crypto_request_complete(next->base, -EINPROGRESS);
		local_bh_enable();
		ret = ocf_dispatch(&next->oreq);
		if (!ret)
			return;
		/* Its own callback reports the failure; the slot goes on. */
		ocf_bridge_req_done(next, ret);
		next = ocf_bridge_slot_pass();
	}
}

/* OCF's completion, in process context (a worker). */
static void ocf_bridge_ocf_complete(struct ocf_request *oreq)
{
	struct ocf_bridge_req *br = container_of(oreq, struct ocf_bridge_req, oreq);
	struct ocf_bridge_req *next = ocf_bridge_slot_pass();

	/* @br may be freed by its owner once done() has run. */
	ocf_bridge_req_done(br, oreq->status);
	ocf_bridge_start_backlogged(next);
}

/**
 * ocf_bridge_submit() - run a crypto API request through OCF
 * @br: the request's bridge part, @oreq filled in but for complete/opaque
 *
 * Context: any but hard interrupt.
 * Return: -EINPROGRESS (@br->done will run), -EBUSY (backlogged: it will
 * run too), -ENOSPC (full, not taken), or OCF's error for a malformed
 * request (not taken).
 */
int ocf_bridge_submit(struct ocf_bridge_req *br)
{
	struct ocf_bridge_req *next;
	int ret;

	br->oreq.complete = ocf_bridge_ocf_complete;
	br->oreq.opaque = br;
	spin_lock_bh(&ocf_bridge_queue.lock);
	if (ocf_bridge_queue.in_flight >= READ_ONCE(ocf_bridge_queue_len) ||
	    !list_empty(&ocf_bridge_queue.backlog)) {
		if (!(br->base->flags & CRYPTO_TFM_REQ_MAY_BACKLOG)) {
			spin_unlock_bh(&ocf_bridge_queue.lock);
			return -ENOSPC;
		}
		list_add_tail(&br->node, &ocf_bridge_queue.backlog);
		spin_unlock_bh(&ocf_bridge_queue.lock);
		return -EBUSY;
	}
	ocf_bridge_queue.in_flight++;
	spin_unlock_bh(&ocf_bridge_queue.lock);

	ret = ocf_dispatch(&br->oreq);
	if (!ret)
		return -EINPROGRESS;
	next = ocf_bridge_slot_pass();
	ocf_bridge_start_backlogged(next);
	return ret;
}

/**
 * ocf_bridge_session_new() - a hardware-only session for a transform
 * @cipher: OCF cipher or OCF_ALG_NONE
 * @key: its key
 * @key_len: bytes at @key
 * @mac: OCF MAC or hash, or OCF_ALG_NONE
 * @mac_key: its key (HMACs)
 * @mac_key_len: bytes at @mac_key
 * @mac_len: MAC length; 0 = the full length
 *
 * Context: process; sleeps.
 * Return: the session, or an ERR_PTR: -EINVAL for a bad key length,
 * -EOPNOTSUPP (mapped to -ENODEV) when no hardware producer offers it now.
 */
struct ocf_session *ocf_bridge_session_new(u32 cipher, const u8 *key, u32 key_len,
					   u32 mac, const u8 *mac_key, u32 mac_key_len,
					   u32 mac_len)
{
	struct ocf_session_params *params;
	struct ocf_session *s;

	if (key_len > OCF_MAX_KEY_LEN || mac_key_len > OCF_MAX_MAC_KEY_LEN)
		return ERR_PTR(-EINVAL);
	params = kzalloc(sizeof(*params), GFP_KERNEL);
	if (!params)
		return ERR_PTR(-ENOMEM);
	params->cipher = cipher;
	params->mac = mac;
	params->flags = OCF_SESSION_HW_ONLY;
	params->mac_len = mac_len;
	params->cipher_key_len = key_len;
	params->mac_key_len = mac_key_len;
	if (key_len)
		memcpy(params->cipher_key, key, key_len);
	if (mac_key_len)
		memcpy(params->mac_key, mac_key, mac_key_len);
	s = ocf_session_new(params);
	kfree_sensitive(params);
	if (IS_ERR(s) && PTR_ERR(s) == -EOPNOTSUPP)
		return ERR_PTR(-ENODEV);
	return s;
}

/* A transform of @a is made: @a stays registered until it is freed. */
void ocf_bridge_tfm_get(struct ocf_bridge_alg *a)
{
	atomic_inc(&a->tfms);
}

/* A transform of @a is freed: the last one lets @a be unregistered. */
void ocf_bridge_tfm_put(struct ocf_bridge_alg *a)
{
	if (atomic_dec_and_test(&a->tfms))
		ocf_bridge_producers_changed();
}

/* Whether a live hardware producer offers what @a needs, in one session. */
static bool ocf_bridge_offered(const struct ocf_bridge_alg *a)
{
	u64 need = (a->cipher ? BIT_ULL(a->cipher) : 0) | (a->mac ? BIT_ULL(a->mac) : 0);
	struct ocf_producer *p;

	lockdep_assert_held(&ocf_lock);
	list_for_each_entry(p, &ocf_producers, node) {
		if (!(p->flags & OCF_PRODUCER_HARDWARE) || (p->algs & need) != need || p->leaving)
			continue;
		if (a->cipher && a->mac && !(p->flags & OCF_PRODUCER_CAN_CHAIN))
			continue;
		return true;
	}
	return false;
}

static struct crypto_alg *ocf_bridge_crypto_alg(struct ocf_bridge_alg *a)
{
	switch (a->type) {
	case OCF_BRIDGE_SKCIPHER:
		return &a->u.skcipher.base;
	case OCF_BRIDGE_AHASH:
		return &a->u.ahash.halg.base;
	case OCF_BRIDGE_AEAD:
		return &a->u.aead.base;
	}
	return NULL;
}

/*
 * Waits until the kernel's self-tests of @a are over: 6.1 runs them within
 * crypto_register_*(), later kernels may run them after it returns. A
 * lookup by driver name waits for them (and fails if they failed); the
 * producer they run on cannot leave meanwhile (ocf_bridge_producer_leaving()).
 */
static void ocf_bridge_wait_tested(struct ocf_bridge_alg *a)
{
	const char *driver = ocf_bridge_crypto_alg(a)->cra_driver_name;
	void *tfm = NULL;

	switch (a->type) {
	case OCF_BRIDGE_SKCIPHER:
		tfm = crypto_alloc_skcipher(driver, 0, 0);
		if (!IS_ERR(tfm))
			crypto_free_skcipher(tfm);
		break;
	case OCF_BRIDGE_AHASH:
		tfm = crypto_alloc_ahash(driver, 0, 0);
		if (!IS_ERR(tfm))
			crypto_free_ahash(tfm);
		break;
	case OCF_BRIDGE_AEAD:
		tfm = crypto_alloc_aead(driver, 0, 0);
		if (!IS_ERR(tfm))
			crypto_free_aead(tfm);
		break;
	}
	if (IS_ERR(tfm))
		pr_warn("bridge: %s is not usable: %ld\n", driver, PTR_ERR(tfm));
}

static int ocf_bridge_register(struct ocf_bridge_alg *a)
{
	lockdep_assert_held(&ocf_bridge_mutex);
	switch (a->type) {
	case OCF_BRIDGE_SKCIPHER:
		a->u.skcipher.base.cra_priority = READ_ONCE(ocf_bridge_cipher_priority);
		return crypto_register_skcipher(&a->u.skcipher);
	case OCF_BRIDGE_AHASH:
		a->u.ahash.halg.base.cra_priority = READ_ONCE(ocf_bridge_hash_priority);
		return crypto_register_ahash(&a->u.ahash);
	case OCF_BRIDGE_AEAD:
		a->u.aead.base.cra_priority = READ_ONCE(ocf_bridge_aead_priority);
		return crypto_register_aead(&a->u.aead);
	}
	return -EINVAL;
}

/* Return: false when @a is still in use (it stays registered). */
static bool ocf_bridge_unregister(struct ocf_bridge_alg *a)
{
	lockdep_assert_held(&ocf_bridge_mutex);
	/*
	 * A lookup holds a reference for a moment before it makes a
	 * transform; ours is the one left when nothing holds it.
	 */
	if (atomic_read(&a->tfms) || refcount_read(&ocf_bridge_crypto_alg(a)->cra_refcnt) != 1)
		return false;
	switch (a->type) {
	case OCF_BRIDGE_SKCIPHER:
		crypto_unregister_skcipher(&a->u.skcipher);
		break;
	case OCF_BRIDGE_AHASH:
		crypto_unregister_ahash(&a->u.ahash);
		break;
	case OCF_BRIDGE_AEAD:
		crypto_unregister_aead(&a->u.aead);
		break;
	}
	return true;
}

/* Brings one algorithm's registration in line; true when it has to be retried. */
static bool ocf_bridge_update_one(struct ocf_bridge_alg *a)
{
	const char *driver = ocf_bridge_crypto_alg(a)->cra_driver_name;
	bool want;
	int ret;

	lockdep_assert_held(&ocf_bridge_mutex);
	want = false;
	if (READ_ONCE(ocf_bridge_enabled) && !ocf_bridge_stopping) {
		mutex_lock(&ocf_lock);
		want = ocf_bridge_offered(a);
		mutex_unlock(&ocf_lock);
	}
	if (want && !a->registered) {
		ret = ocf_bridge_register(a);
		if (ret) {
			pr_warn("bridge: registering %s failed: %d\n", driver, ret);
			return false;
		}
		a->registered = true;
		ocf_bridge_wait_tested(a);
		pr_info("bridge: %s registered\n", driver);
	} else if (!want && a->registered) {
		if (!ocf_bridge_unregister(a))
			return true;
		a->registered = false;
		pr_info("bridge: %s unregistered\n", driver);
	}
	return false;
}

static bool ocf_bridge_update_all(void)
{
	bool retry = false;
	unsigned int i;

	lockdep_assert_held(&ocf_bridge_mutex);
	for (i = 0; i < ocf_bridge_nskciphers; i++)
		retry |= ocf_bridge_update_one(&ocf_bridge_skciphers[i]);
	for (i = 0; i < ocf_bridge_nahashes; i++)
		retry |= ocf_bridge_update_one(&ocf_bridge_ahashes[i]);
	for (i = 0; i < ocf_bridge_naeads; i++)
		retry |= ocf_bridge_update_one(&ocf_bridge_aeads[i]);
	return retry;
}

static void ocf_bridge_update(struct work_struct *work)
{
	bool retry;

	mutex_lock(&ocf_bridge_mutex);
	retry = ocf_bridge_update_all();
	/* Held for a moment by a lookup: look again later. */
	if (retry && !ocf_bridge_stopping)
		queue_delayed_work(system_long_wq, &ocf_bridge_work, HZ);
	mutex_unlock(&ocf_bridge_mutex);
}

/**
 * ocf_bridge_producers_changed() - a producer came or went
 *
 * Queues the work that registers or unregisters the bridge's algorithms.
 * Context: any; takes no lock of OCF's.
 */
void ocf_bridge_producers_changed(void)
{
	mod_delayed_work(system_long_wq, &ocf_bridge_work, 0);
}

/**
 * ocf_bridge_producer_leaving() - a producer is about to unregister
 *
 * Waits for a registration under way: the kernel's self-tests of a new
 * algorithm may be running on this producer, and one that lost its
 * producer midway would fail them (testmgr warns, and the algorithm stays
 * unusable until it is registered again). The producer is still fully
 * there, so they finish.
 * Context: process; sleeps; no OCF lock held.
 */
void ocf_bridge_producer_leaving(void)
{
	lockdep_assert_not_held(&ocf_lock);
	flush_delayed_work(&ocf_bridge_work);
}

static int ocf_bridge_enable_set(const char *val, const struct kernel_param *kp)
{
	int ret = param_set_bool(val, kp);

	if (ret)
		return ret;
	mutex_lock(&ocf_bridge_mutex);
	if (ocf_bridge_started && !ocf_bridge_stopping)
		ocf_bridge_producers_changed();
	mutex_unlock(&ocf_bridge_mutex);
	return 0;
}

int ocf_bridge_init(void)
{
	mutex_lock(&ocf_bridge_mutex);
	ocf_bridge_started = true;
	mutex_unlock(&ocf_bridge_mutex);
	return 0;
}

/*
 * At module exit no producer is left (each driver holds a reference to
 * ocf.ko), and no transform (each holds one too): everything unregisters.
 */
void ocf_bridge_exit(void)
{
	mutex_lock(&ocf_bridge_mutex);
	ocf_bridge_stopping = true;
	mutex_unlock(&ocf_bridge_mutex);
	cancel_delayed_work_sync(&ocf_bridge_work);
	mutex_lock(&ocf_bridge_mutex);
	WARN_ON(ocf_bridge_update_all());
	mutex_unlock(&ocf_bridge_mutex);
}
