// SPDX-License-Identifier: GPL-2.0
/*
 * The key unit's random number generator, fed to the kernel's hwrng
 * framework. One RNGBYPASS job (a 64-byte context, no input, 16 words out)
 * per read, on MCR2 behind the key operations already waiting: one RNG job
 * in flight at most, so a busy /dev/hwrng reader takes one MCR2 slot in
 * turn and never starves the key operations.
 *
 * FreeBSD and OpenBSD run the RNG; NetBSD sets UBSEC_NO_RNG ("hangs on
 * attach"). We run it (module parameter rng, default on) but never at
 * attach: a read that may not sleep (the hwrng core's first read when the
 * RNG is registered) gets nothing rather than an MCR. A job that hangs the
 * chip is reset by the watchdog and replayed like any other; after three
 * resets it fails the read with -EIO.
 *
 * A read waits for its job without a timeout: every job ends, by the chip,
 * by the watchdog's replays, or abandoned when the chip is reset too often,
 * pulled out or detached. The hwrng is withdrawn before the queues go
 * (hwrng_unregister() waits for a read in progress), and a read after a
 * surprise removal fails with -ENODEV.
 */

#include <linux/hw_random.h>
#include <linux/module.h>

#include "core.h"

static bool ubsec_rng_param = true;
module_param_named(rng, ubsec_rng_param, bool, 0644);
MODULE_PARM_DESC(rng, "offer the RNG of chips that have one to hw_random (at attach; NetBSD disables it)");

static int ubsec_rng_read(struct hwrng *rng, void *data, size_t max, bool wait)
{
	struct ubsec_dev *ud = container_of(rng, struct ubsec_dev, rng);
	struct ubsec_job *job = ud->rng_job;
	size_t n;
	int ret;

	/* Not at registration: the chip's first MCR2 job comes from a reader. */
	if (!wait)
		return 0;
	if (READ_ONCE(ud->state) != UBSEC_STATE_RUNNING)
		return -ENODEV;
	mutex_lock(&ud->rng_lock);
	reinit_completion(&ud->rng_done);
	job->tries = 0;
	ubsec_job_stage(ud, job);
	ubsec_queue_job(ud, UBSEC_Q_KEY, job);
	wait_for_completion(&ud->rng_done);
	ret = ud->rng_status;
	if (!ret) {
		n = min_t(size_t, max, UBSEC_RNG_BYTES);
		memcpy(data, job->buf + job->out_off, n);
		memzero_explicit(job->buf + job->out_off, UBSEC_RNG_BYTES);
		ret = n;
	}
	mutex_unlock(&ud->rng_lock);
	return ret;
}

/**
 * ubsec_rng_stage() - build the RNG job's context and buffers
 * @ud: the chip
 * @job: @ud->rng_job, its buffer zeroed
 */
void ubsec_rng_stage(struct ubsec_dev *ud, struct ubsec_job *job)
{
	struct ubsec_keyctx_rng *ctx = (void *)(job->buf + UBSEC_JOB_CTX);
	u32 out = UBSEC_JOB_DATA, len = UBSEC_RNG_BYTES;

	if (ubsec_breaks(ud, UBSEC_BREAK_KEY_ALIGN))
		out += 2;
	if (ubsec_breaks(ud, UBSEC_BREAK_RNG_SHORT))
		len -= 4;
	ctx->hdr.len = cpu_to_le16(sizeof(*ctx) + (ubsec_breaks(ud, UBSEC_BREAK_CTX_LEN) ? 4 : 0));
	ctx->hdr.op = cpu_to_le16(UBSEC_KOP_RNGBYPASS);
	job->pb_in = (struct ubsec_pktbuf){ };
	job->pb_out = (struct ubsec_pktbuf){ cpu_to_le32(job->dma + out), 0, cpu_to_le32(len) };
	job->pktlen = 0;
	job->shift = 0;
	job->out_off = out;
	job->out_len = len;
}

/**
 * ubsec_rng_finish() - the RNG job ended; wake its reader
 * @ud: the chip
 * @job: @ud->rng_job, on no list
 * @status: 0 (its words are in the buffer), or why not
 *
 * Context: process.
 */
void ubsec_rng_finish(struct ubsec_dev *ud, struct ubsec_job *job, int status)
{
	unsigned long flags;

	spin_lock_irqsave(&ud->lock, flags);
	if (status) {
		ud->stats.rng_errors++;
	} else {
		ud->stats.rng++;
		ud->stats.rng_bytes += UBSEC_RNG_BYTES;
	}
	spin_unlock_irqrestore(&ud->lock, flags);
	ud->rng_status = status;
	complete(&ud->rng_done);
}

/**
 * ubsec_rng_attach() - set up the RNG job of a chip that has an RNG
 * @ud: the chip, not yet running
 *
 * Return: 0 or -ENOMEM.
 */
int ubsec_rng_attach(struct ubsec_dev *ud)
{
	mutex_init(&ud->rng_lock);
	init_completion(&ud->rng_done);
	if (!ubsec_has(ud, UBSEC_HAS_RNG) || !READ_ONCE(ubsec_rng_param))
		return 0;
	ud->rng_job = ubsec_job_alloc(ud, UBSEC_RNG_BYTES, GFP_KERNEL);
	if (!ud->rng_job)
		return -ENOMEM;
	ud->rng_job->flags = UBSEC_JOB_RNG;
	return 0;
}

/**
 * ubsec_rng_register() - offer the RNG to hw_random, named after the chip
 * @ud: the chip, running
 *
 * A chip without one, or whose RNG hw_random refuses, runs without it.
 */
void ubsec_rng_register(struct ubsec_dev *ud)
{
	int ret;

	if (!ud->rng_job)
		return;
	mutex_lock(&ud->reg_lock);
	ud->rng.name = ud->name;
	ud->rng.read = ubsec_rng_read;
	ret = hwrng_register(&ud->rng);
	if (ret)
		dev_warn(ud->dev, "%s: no hwrng (%d)\n", ud->name, ret);
	else
		ud->rng_on = true;
	mutex_unlock(&ud->reg_lock);
}

/**
 * ubsec_rng_unregister() - withdraw the hwrng, once
 * @ud: the chip
 *
 * Returns when no read runs or will run.
 * Context: process; sleeps.
 */
void ubsec_rng_unregister(struct ubsec_dev *ud)
{
	mutex_lock(&ud->reg_lock);
	if (ud->rng_on) {
		hwrng_unregister(&ud->rng);
		ud->rng_on = false;
	}
	mutex_unlock(&ud->reg_lock);
}

/* Frees the RNG job: the hwrng is withdrawn, the job on no list. */
void ubsec_rng_detach(struct ubsec_dev *ud)
{
	if (ud->rng_job)
		ubsec_job_free(ud, ud->rng_job);
	ud->rng_job = NULL;
}
