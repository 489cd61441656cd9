// SPDX-License-Identifier: GPL-2.0
/*
 * Key operations (the paper's crypto_kdispatch/kprocess/kdone): modular
 * exponentiation and what is built on it, one request at a time, without
 * sessions. Checked here, so that every producer sees only well-formed
 * operands and every caller gets the same errors; routed by the policy to
 * a producer that does the operation at its size; given back by a producer
 * (-EAGAIN) or refused (-EBUSY), rerun, never lost and never completed
 * twice.
 */

#include <linux/bitops.h>
#include <linux/completion.h>
#include <linux/cpumask.h>
#include <linux/export.h>
#include <linux/ocf_compat.h>
#include <linux/slab.h>
#include <linux/srcu.h>
#include <linux/workqueue.h>

#include "dispatch.h"
#include "kop.h"
#include "policy.h"
#include "producer.h"
#include "stats.h"

/* Operands of each key operation: inputs, outputs (see the uapi header). */
static const u8 ocf_kop_counts[][2] = {
	[OCF_KOP_MODEXP]	 = { 3, 1 },
	[OCF_KOP_MODEXP_CRT]	 = { 6, 1 },
	[OCF_KOP_DSA_SIGN]	 = { 5, 2 },
	[OCF_KOP_DSA_VERIFY]	 = { 7, 0 },
	[OCF_KOP_DH_COMPUTE_KEY] = { 3, 1 },
};

/* Inputs @kop takes; 0 for an unknown @kop. */
u32 ocf_kop_in_count(u32 kop)
{
	return kop < ARRAY_SIZE(ocf_kop_counts) ? ocf_kop_counts[kop][0] : 0;
}

u32 ocf_kop_out_count(u32 kop)
{
	return kop < ARRAY_SIZE(ocf_kop_counts) ? ocf_kop_counts[kop][1] : 0;
}

/* The key operations OCF knows, as a bitmap. */
u32 ocf_kops_known(void)
{
	u32 kop, known = 0;

	for (kop = 0; kop < ARRAY_SIZE(ocf_kop_counts); kop++)
		if (ocf_kop_counts[kop][0])
			known |= BIT(kop);
	return known;
}

bool ocf_producer_can_kop(const struct ocf_producer *p, u32 kop, u32 bits)
{
	return kop < OCF_KOP_MAX && (p->kops & BIT(kop)) && bits <= p->kop_max_bits &&
	       !READ_ONCE(p->dying);
}

/* ---- Checks on the big-endian byte strings ------------------------------ */

/* Without its leading zeros. */
static struct ocf_kbn ocf_kbn_trim(const struct ocf_kbn *bn)
{
	struct ocf_kbn t = *bn;

	while (t.len && !t.data[0]) {
		t.data++;
		t.len--;
	}
	return t;
}

/* The rest take trimmed strings. */
static u32 ocf_kbn_bits(struct ocf_kbn t)
{
	return t.len ? (t.len - 1) * 8 + fls(t.data[0]) : 0;
}

static int ocf_kbn_cmp(struct ocf_kbn a, struct ocf_kbn b)
{
	if (a.len != b.len)
		return a.len < b.len ? -1 : 1;
	return a.len ? memcmp(a.data, b.data, a.len) : 0;
}

static bool ocf_kbn_odd(struct ocf_kbn t)
{
	return t.len && (t.data[t.len - 1] & 1);
}

/* @t < @v, for a small @v. */
static bool ocf_kbn_below(struct ocf_kbn t, u8 v)
{
	return !t.len || (t.len == 1 && t.data[0] < v);
}

/* @t in [@lo, @m - 1]. */
static bool ocf_kbn_in(struct ocf_kbn t, u8 lo, struct ocf_kbn m)
{
	return !ocf_kbn_below(t, lo) && ocf_kbn_cmp(t, m) < 0;
}

/* @a == @m - 1, for an odd @m > 1 (whose last byte then takes no borrow). */
static bool ocf_kbn_is_pred(struct ocf_kbn a, struct ocf_kbn m)
{
	return a.len == m.len && a.len && !memcmp(a.data, m.data, a.len - 1) &&
	       a.data[a.len - 1] == m.data[m.len - 1] - 1;
}

/* An odd modulus of at least @min (zero and even ones are not). */
static bool ocf_kbn_modulus_ok(struct ocf_kbn m, u8 min)
{
	return ocf_kbn_odd(m) && !ocf_kbn_below(m, min);
}

/*
 * The RSA modulus p*q: the limit for x, and the size the output and the
 * producer must take. Needs the product, so it is computed.
 */
static int ocf_kop_check_crt(const struct ocf_kbn *v, u32 *bits)
{
	MPI x, p, q, n;
	int ret = -ENOMEM;

	x = mpi_read_raw_data(v[0].data, v[0].len);
	p = mpi_read_raw_data(v[1].data, v[1].len);
	q = mpi_read_raw_data(v[2].data, v[2].len);
	n = mpi_alloc(0);
	if (!x || !p || !q || !n)
		goto out_free;
	ret = ocf_mpi_mul(n, p, q);
	if (ret)
		goto out_free;
	*bits = mpi_get_nbits(n);
	ret = mpi_cmp(x, n) < 0 ? 0 : -EINVAL;
out_free:
	/* Their limbs are freed with kfree_sensitive(). */
	mpi_free(n);
	mpi_free(q);
	mpi_free(p);
	mpi_free(x);
	return ret;
}

/*
 * Checks the operands of @kreq against what its uapi documentation
 * promises, and sets the modulus size (@kreq->bits) it is routed on.
 */
static int ocf_kop_check(struct ocf_krequest *kreq)
{
	struct ocf_kbn v[OCF_KOP_MAX_PARAMS] = {};
	u32 i, n, need, bits;
	int ret = 0;

	if (!kreq->complete || (kreq->flags & ~OCF_KOP_FLAGS))
		return -EINVAL;
	if (!ocf_kop_in_count(kreq->kop))
		return -EOPNOTSUPP;
	if (kreq->in_count != ocf_kop_in_count(kreq->kop) ||
	    kreq->out_count != ocf_kop_out_count(kreq->kop))
		return -EINVAL;
	if (kreq->flags && kreq->kop != OCF_KOP_MODEXP)
		return -EINVAL;
	n = kreq->in_count + kreq->out_count;
	for (i = 0; i < n; i++) {
		if (kreq->param[i].len > OCF_KOP_MAX_BYTES)
			return -E2BIG;
		if (kreq->param[i].len && !kreq->param[i].data)
			return -EINVAL;
		/* Outputs hold nothing yet: only their room is checked. */
		if (i < kreq->in_count)
			v[i] = ocf_kbn_trim(&kreq->param[i]);
	}

	switch (kreq->kop) {
	case OCF_KOP_MODEXP:		/* base, exp, mod */
		if (!ocf_kbn_modulus_ok(v[2], 1) || ocf_kbn_cmp(v[0], v[2]) >= 0)
			return -EINVAL;
		bits = ocf_kbn_bits(v[2]);
		break;
	case OCF_KOP_MODEXP_CRT:	/* x, p, q, dp, dq, qinv */
		if (!ocf_kbn_modulus_ok(v[1], 3) || !ocf_kbn_modulus_ok(v[2], 3) ||
		    ocf_kbn_cmp(v[3], v[1]) >= 0 || ocf_kbn_cmp(v[4], v[2]) >= 0 ||
		    ocf_kbn_cmp(v[5], v[1]) >= 0)
			return -EINVAL;
		/* Its checks need p and q within the MPI library's limits. */
		if (ocf_kbn_bits(v[1]) + ocf_kbn_bits(v[2]) > OCF_KOP_MAX_BITS + 1)
			return -EOPNOTSUPP;
		ret = ocf_kop_check_crt(v, &bits);
		if (ret)
			return ret;
		break;
	case OCF_KOP_DSA_SIGN:		/* digest, p, q, g, x */
	case OCF_KOP_DSA_VERIFY:	/* digest, p, q, g, y, r, s */
		if (!ocf_kbn_modulus_ok(v[1], 5) || !ocf_kbn_modulus_ok(v[2], 3) ||
		    ocf_kbn_cmp(v[2], v[1]) >= 0 || !ocf_kbn_in(v[3], 2, v[1]))
			return -EINVAL;
		if (kreq->kop == OCF_KOP_DSA_SIGN && !ocf_kbn_in(v[4], 1, v[2]))
			return -EINVAL;
		if (kreq->kop == OCF_KOP_DSA_VERIFY) {
			if (!ocf_kbn_in(v[4], 2, v[1]))
				return -EINVAL;
			/* As OpenSSL: r or s out of range is a bad signature. */
			if (!ocf_kbn_in(v[5], 1, v[2]) || !ocf_kbn_in(v[6], 1, v[2]))
				ret = -EBADMSG;
		}
		bits = ocf_kbn_bits(v[1]);
		break;
	case OCF_KOP_DH_COMPUTE_KEY:	/* priv, peer's public value, p */
		if (!ocf_kbn_modulus_ok(v[2], 5) || !ocf_kbn_in(v[0], 1, v[2]) ||
		    !ocf_kbn_in(v[1], 2, v[2]) || ocf_kbn_is_pred(v[1], v[2]))
			return -EINVAL;
		bits = ocf_kbn_bits(v[2]);
		break;
	default:
		return -EOPNOTSUPP;
	}
	if (bits > OCF_KOP_MAX_BITS)
		return -EOPNOTSUPP;
	if (ret)
		return ret;

	/* Outputs: DSA's r and s are below q, the others below the modulus. */
	need = DIV_ROUND_UP(kreq->kop == OCF_KOP_DSA_SIGN ? ocf_kbn_bits(v[2]) : bits, 8);
	for (i = kreq->in_count; i < n; i++)
		if (kreq->param[i].len < need)
			return -ENOSPC;
	kreq->bits = bits;
	return 0;
}

/* ---- Dispatch ------------------------------------------------------------ */

static struct ocf_krequest *ocf_krequest_of(struct work_struct *work)
{
	return container_of(to_delayed_work(work), struct ocf_krequest, work);
}

/*
 * Key requests the framework holds, from ocf_kdispatch() until their
 * complete callback has returned. One waiting out a busy producer's delay
 * holds no producer, so nothing else keeps the module from unloading under
 * its timer: ocf_kop_exit() waits for these before the workqueue goes.
 */
static atomic_t ocf_kops_held = ATOMIC_INIT(0);

/* Context: a worker of ocf_kop_wq or ocf_wq; ocf_kop_exit() waits for the last one. */
static void ocf_kop_finish(struct ocf_krequest *kreq)
{
	kreq->complete(kreq);
	if (atomic_dec_and_test(&ocf_kops_held))
		wake_up_var(&ocf_kops_held);
}

/*
 * Key requests start on a queue of their own: a software producer's
 * exponentiation holds its worker for milliseconds to seconds (8192 bits),
 * and symmetric requests' hand-offs on ocf_wq must not wait behind them.
 * Workers beyond the CPUs would only time-slice the same arithmetic. Their
 * completions are short and go to ocf_wq, so that a hardware producer's
 * finished requests do not wait behind software exponentiations.
 */
static struct workqueue_struct *ocf_kop_wq;

int ocf_kop_init(void)
{
	ocf_kop_wq = alloc_workqueue("ocf_kop", WQ_UNBOUND | WQ_MEM_RECLAIM,
				     min_t(int, num_online_cpus(), WQ_MAX_ACTIVE));
	return ocf_kop_wq ? 0 : -ENOMEM;
}

/* At module exit, once no file and no producer is left to add any. */
void ocf_kop_exit(void)
{
	wait_var_event(&ocf_kops_held, !atomic_read(&ocf_kops_held));
	destroy_workqueue(ocf_kop_wq);
}

/* As ocf_request_queue(): a key request is in one place at a time. */
static void ocf_kop_queue(struct ocf_krequest *kreq, struct workqueue_struct *wq,
			  work_func_t fn, unsigned long delay)
{
	INIT_DELAYED_WORK(&kreq->work, fn);
	queue_delayed_work(wq, &kreq->work, delay);
}

static void ocf_kop_start_work(struct work_struct *work);

/* Routes @kreq and counts it on its producer; an ERR_PTR when none can take it. */
static struct ocf_producer *ocf_kop_claim(struct ocf_krequest *kreq)
{
	struct ocf_producer *p;

	mutex_lock(&ocf_lock);
	p = ocf_policy_kroute(kreq);
	if (!IS_ERR(p)) {
		/* Listed, so not yet unregistering: it will wait for this count. */
		spin_lock(&p->lock);
		p->kop_in_flight++;
		spin_unlock(&p->lock);
		kreq->kproducer = p;
		kreq->routed = true;
	}
	mutex_unlock(&ocf_lock);
	return p;
}

/* Takes @kreq off its producer's count; @p may go away after this. */
static void ocf_kop_unclaim(struct ocf_krequest *kreq)
{
	struct ocf_producer *p = kreq->kproducer;

	spin_lock(&p->lock);
	if (!--p->kop_in_flight)
		wake_up(&p->drained);
	spin_unlock(&p->lock);
	kreq->kproducer = NULL;
}

static void ocf_kop_complete(struct ocf_krequest *kreq)
{
	struct ocf_producer *p = kreq->kproducer;

	if (kreq->status == -EAGAIN) {
		/* Given back (a device on its way out): run it elsewhere. */
		if (kreq->reruns < ARRAY_SIZE(kreq->avoid))
			kreq->avoid[kreq->reruns] = p->id;
		ocf_kop_unclaim(kreq);
		if (++kreq->reruns <= OCF_KOP_MAX_RERUNS) {
			kreq->status = 0;
			ocf_kop_queue(kreq, ocf_kop_wq, ocf_kop_start_work, 0);
			return;
		}
		kreq->status = -ENODEV;
	} else {
		ocf_counters_kop_done(p->counters, kreq->status);
		ocf_kop_unclaim(kreq);
	}
	ocf_kop_finish(kreq);
}

static void ocf_kop_complete_work(struct work_struct *work)
{
	ocf_kop_complete(ocf_krequest_of(work));
}

static void ocf_kop_start_work(struct work_struct *work)
{
	struct ocf_krequest *kreq = ocf_krequest_of(work);
	struct ocf_producer *p;
	int ret, idx;
	bool sync;

	p = ocf_kop_claim(kreq);
	if (IS_ERR(p)) {
		kreq->status = PTR_ERR(p);
		ocf_kop_finish(kreq);
		return;
	}
	/* @p may be gone once an asynchronous producer has completed the request. */
	sync = p->flags & OCF_PRODUCER_SYNC;
	idx = srcu_read_lock(&ocf_producer_srcu);
	ret = p->ops->kprocess(p, kreq);
	srcu_read_unlock(&ocf_producer_srcu, idx);
	if (ret == -EBUSY) {
		ocf_kop_unclaim(kreq);
		ocf_kop_queue(kreq, ocf_kop_wq, ocf_kop_start_work, 1);
		return;
	}
	if (ret)
		kreq->status = ret;
	if (ret || sync)
		ocf_kop_complete(kreq);
}

/**
 * ocf_kdispatch() - submit a key operation
 * @kreq: the request, filled in (see struct ocf_krequest); it belongs to
 *	the framework until its complete callback runs
 *
 * The operands are checked here (the errors are those listed for struct
 * ocf_kop in the uapi header), then a worker routes the request to a
 * producer that does @kreq->kop at its modulus size: hardware first, then
 * the one with the fewest key operations in hand. A producer that refuses
 * it as busy gets it again a tick later (or another one does); one that
 * gives it back with -EAGAIN, or goes away, has it rerun on another. With
 * no capable producer left it completes with -ENODEV.
 *
 * Context: process context; may sleep.
 * Return: 0 when queued (complete will be called exactly once), else the
 * operands' error (complete is not called).
 */
int ocf_kdispatch(struct ocf_krequest *kreq)
{
	int ret;

	might_sleep();
	ret = ocf_kop_check(kreq);
	if (ret)
		return ret;
	kreq->status = 0;
	kreq->kproducer = NULL;
	kreq->reruns = 0;
	kreq->routed = false;
	atomic_inc(&ocf_kops_held);
	ocf_kop_queue(kreq, ocf_kop_wq, ocf_kop_start_work, 0);
	return 0;
}
EXPORT_SYMBOL_GPL(ocf_kdispatch);

static void ocf_kop_sync_complete(struct ocf_krequest *kreq)
{
	complete(kreq->opaque);
}

/**
 * ocf_kdispatch_sync() - submit a key operation and wait for it
 * @kreq: the request; its complete and opaque fields are overwritten
 *
 * Context: process context; sleeps.
 * Return: the request's status, or ocf_kdispatch()'s error.
 */
int ocf_kdispatch_sync(struct ocf_krequest *kreq)
{
	DECLARE_COMPLETION_ONSTACK(done);
	int ret;

	kreq->complete = ocf_kop_sync_complete;
	kreq->opaque = &done;
	ret = ocf_kdispatch(kreq);
	if (ret)
		return ret;
	wait_for_completion(&done);
	return kreq->status;
}
EXPORT_SYMBOL_GPL(ocf_kdispatch_sync);

/**
 * ocf_kdone() - a producer reports a key operation finished
 * @kreq: a request the producer accepted in its kprocess callback
 * @status: 0, -EBADMSG (DSA_VERIFY: bad signature), -EAGAIN to have it
 *	rerun on another producer, or another -errno
 *
 * Context: as ocf_request_done().
 */
void ocf_kdone(struct ocf_krequest *kreq, int status)
{
	kreq->status = status;
	if (!(kreq->kproducer->flags & OCF_PRODUCER_SYNC))
		ocf_kop_queue(kreq, ocf_wq, ocf_kop_complete_work, 0);
}
EXPORT_SYMBOL_GPL(ocf_kdone);
