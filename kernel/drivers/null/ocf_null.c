// SPDX-License-Identifier: GPL-2.0
/*
 * null: the paper's null algorithm, which copies (or, in place, leaves) the
 * data, to measure what the framework itself costs. Several instances may be
 * registered; the unplug/replug parameters take one away and bring it back,
 * which is how the tests make a producer vanish mid-traffic, and busy_every
 * makes them refuse work now and then, as a full device would.
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

static atomic_t ocf_null_calls = ATOMIC_INIT(0);

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

static const struct ocf_producer_ops ocf_null_ops = {
	.newsession = ocf_null_newsession,
	.freesession = ocf_null_freesession,
	.process = ocf_null_process,
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
