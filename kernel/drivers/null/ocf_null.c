// SPDX-License-Identifier: GPL-2.0
/*
 * null: the paper's null algorithm, which copies (or, in place, leaves) the
 * data, to measure what the framework itself costs. Several instances may be
 * registered; the unplug/replug parameters take one away and bring it back,
 * which is how the tests make a producer vanish mid-traffic, and busy_every
 * makes them refuse work now and then, as a full device would.
 *
 * With kops set when an instance is plugged, it also takes key operations
 * and holds them, undone, until it is unplugged, when it gives them back
 * (-EAGAIN) for the framework to rerun elsewhere: how the tests unplug a
 * producer in the middle of a key operation. Such an instance completes
 * asynchronously (not OCF_PRODUCER_SYNC), as a device would.
 */

#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/ocf.h>

#define OCF_NULL_MAX_INSTANCES 16

static unsigned int instances = 1;
module_param(instances, uint, 0444);
MODULE_PARM_DESC(instances, "null producers to register (1-16), named null0, null1, ...");

static unsigned int busy_every;
module_param(busy_every, uint, 0644);
MODULE_PARM_DESC(busy_every, "answer -EBUSY to every Nth request (0: never), to test queueing");

static bool kops;
module_param(kops, bool, 0644);
MODULE_PARM_DESC(kops, "instances plugged from now on take key operations and hold them until unplugged");

static atomic_t ocf_null_calls = ATOMIC_INIT(0);

/* Key operations an instance holds; more than this are refused as busy. */
#define OCF_NULL_MAX_HELD 64

struct ocf_null_held {
	spinlock_t lock;		/* protects the fields below */
	bool leaving;
	unsigned int n;
	struct ocf_krequest *kreqs[OCF_NULL_MAX_HELD];
};

static struct ocf_null_held ocf_null_held[OCF_NULL_MAX_INSTANCES];

static struct ocf_producer ocf_null_producers[OCF_NULL_MAX_INSTANCES];
static bool ocf_null_registered[OCF_NULL_MAX_INSTANCES];	/* under ocf_null_lock */
static DEFINE_MUTEX(ocf_null_lock);

static int ocf_null_newsession(struct ocf_producer *p, const struct ocf_session_params *params,
			       void **priv)
{
	*priv = NULL;
	return 0;
}

static void ocf_null_freesession(struct ocf_producer *p, void *priv)
{
}

static int ocf_null_process(struct ocf_producer *p, struct ocf_request *req, void *priv)
{
	unsigned int every = READ_ONCE(busy_every);

	if (every && atomic_inc_return(&ocf_null_calls) % every == 0)
		return -EBUSY;
	if (req->src != req->dst)
		ocf_sg_copy(req->dst, req->src, req->cipher_offset, req->cipher_len);
	ocf_request_done(req, 0);
	return 0;
}

static int ocf_null_kprocess(struct ocf_producer *p, struct ocf_krequest *kreq)
{
	struct ocf_null_held *h = p->drvdata;
	int ret = 0;

	spin_lock(&h->lock);
	if (h->leaving)
		ret = -EAGAIN;
	else if (h->n == OCF_NULL_MAX_HELD)
		ret = -EBUSY;
	else
		h->kreqs[h->n++] = kreq;
	spin_unlock(&h->lock);
	return ret;
}

/* Gives back what @p holds; it takes no more from now on. */
static void ocf_null_give_back(struct ocf_producer *p)
{
	struct ocf_null_held *h = p->drvdata;
	struct ocf_krequest *kreqs[OCF_NULL_MAX_HELD];
	unsigned int i, n;

	spin_lock(&h->lock);
	h->leaving = true;
	n = h->n;
	memcpy(kreqs, h->kreqs, n * sizeof(kreqs[0]));
	h->n = 0;
	spin_unlock(&h->lock);
	for (i = 0; i < n; i++)
		ocf_kdone(kreqs[i], -EAGAIN);
}

static const struct ocf_producer_ops ocf_null_ops = {
	.newsession = ocf_null_newsession,
	.freesession = ocf_null_freesession,
	.process = ocf_null_process,
	.kprocess = ocf_null_kprocess,
};

static int ocf_null_plug(unsigned int i)
{
	struct ocf_producer *p = &ocf_null_producers[i];
	int ret;

	lockdep_assert_held(&ocf_null_lock);
	if (ocf_null_registered[i])
		return 0;
	memset(p, 0, sizeof(*p));
	snprintf(p->name, sizeof(p->name), "null%u", i);
	p->flags = OCF_PRODUCER_SOFTWARE | OCF_PRODUCER_SYNC;
	p->algs = BIT_ULL(OCF_CIPHER_NULL);
	p->max_len = U32_MAX;
	p->ops = &ocf_null_ops;
	if (READ_ONCE(kops)) {
		struct ocf_null_held *h = &ocf_null_held[i];

		spin_lock_init(&h->lock);
		h->leaving = false;
		h->n = 0;
		p->drvdata = h;
		p->flags &= ~OCF_PRODUCER_SYNC;
		p->kops = BIT(OCF_KOP_MODEXP) | BIT(OCF_KOP_MODEXP_CRT) | BIT(OCF_KOP_DSA_SIGN) |
			  BIT(OCF_KOP_DSA_VERIFY) | BIT(OCF_KOP_DH_COMPUTE_KEY);
		p->kop_max_bits = OCF_KOP_MAX_BITS;
	}
	ret = ocf_producer_register(p);
	if (!ret)
		ocf_null_registered[i] = true;
	return ret;
}

static void ocf_null_unplug(unsigned int i)
{
	lockdep_assert_held(&ocf_null_lock);
	if (!ocf_null_registered[i])
		return;
	if (ocf_null_producers[i].kops)
		ocf_null_give_back(&ocf_null_producers[i]);
	ocf_producer_unregister(&ocf_null_producers[i]);
	ocf_null_registered[i] = false;
}

static int ocf_null_param_set(const char *val, const struct kernel_param *kp)
{
	unsigned int i;
	int ret;

	ret = kstrtouint(val, 0, &i);
	if (ret)
		return ret;
	if (i >= instances)
		return -EINVAL;
	mutex_lock(&ocf_null_lock);
	if (kp->arg)
		ret = ocf_null_plug(i);
	else
		ocf_null_unplug(i);
	mutex_unlock(&ocf_null_lock);
	return ret;
}

static const struct kernel_param_ops ocf_null_plug_ops = {
	.set = ocf_null_param_set,
};
module_param_cb(unplug, &ocf_null_plug_ops, NULL, 0200);
MODULE_PARM_DESC(unplug, "write an instance number to unregister that producer now");
module_param_cb(replug, &ocf_null_plug_ops, (void *)1, 0200);
MODULE_PARM_DESC(replug, "write an instance number to register that producer again");

static void ocf_null_unplug_all(void)
{
	unsigned int i;

	mutex_lock(&ocf_null_lock);
	for (i = 0; i < instances; i++)
		ocf_null_unplug(i);
	mutex_unlock(&ocf_null_lock);
}

static int __init ocf_null_init(void)
{
	unsigned int i;
	int ret = 0;

	if (!instances || instances > OCF_NULL_MAX_INSTANCES)
		return -EINVAL;
	mutex_lock(&ocf_null_lock);
	for (i = 0; i < instances && !ret; i++)
		ret = ocf_null_plug(i);
	mutex_unlock(&ocf_null_lock);
	if (ret)
		ocf_null_unplug_all();
	return ret;
}

static void __exit ocf_null_exit(void)
{
	ocf_null_unplug_all();
}

module_init(ocf_null_init);
module_exit(ocf_null_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("OCF null producer: the framework's own cost");
MODULE_AUTHOR("OCF for Linux developers");
