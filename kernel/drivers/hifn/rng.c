// SPDX-License-Identifier: GPL-2.0
/*
 * The RNG: on the 7811 a FIFO (RNGSTS says when two words are ready, about
 * every 5 ms), on the 795x one data register that must not be read more
 * often than once per 256 clocks of the public key unit. The first data after enabling is
 * discarded, as the BSD drivers do.
 */

#include <linux/delay.h>
#include <linux/hw_random.h>

#include "core.h"
#include "rng.h"

/**
 * hifn_rng_enable() - start the RNG (after every reset)
 * @hd: the chip, owned by the caller (attaching or resetting)
 */
void hifn_rng_enable(struct hifn_dev *hd)
{
	u32 r;

	if (!hifn_has(hd, HIFN_HAS_RNG))
		return;
	if (hifn_has(hd, HIFN_IS_7811)) {
		r = hifn_read_1(hd, HIFN_1_7811_RNGENA);
		if (r & HIFN_7811_RNGENA_ENA) {
			r &= ~HIFN_7811_RNGENA_ENA;
			hifn_write_1(hd, HIFN_1_7811_RNGENA, r);
		}
		hifn_write_1(hd, HIFN_1_7811_RNGCFG, HIFN_7811_RNGCFG_DEFL);
		hifn_write_1(hd, HIFN_1_7811_RNGENA, r | HIFN_7811_RNGENA_ENA);
	} else {
		r = hifn_read_1(hd, HIFN_1_RNG_CONFIG);
		hifn_write_1(hd, HIFN_1_RNG_CONFIG, r | HIFN_RNGCFG_ENA);
	}
	/* 256 clocks of the PK unit: hifn_pll_config() worked out its clock. */
	hd->rng_wait_ns = DIV_ROUND_UP_ULL((u64)NSEC_PER_SEC * HIFN_RNG_CLOCKS, hd->pk_hz);
	hd->rng_first = true;
	hd->rng_last = ktime_get();
}

/* 7811: pairs of words while RNGSTS says they are ready. Under @hd->lock. */
static size_t hifn_rng_read_7811(struct hifn_dev *hd, u32 *out, size_t words)
{
	size_t n = 0;
	u32 sts, w[2];

	lockdep_assert_held(&hd->lock);
	while (n + 2 <= words) {
		sts = hifn_read_1(hd, HIFN_1_7811_RNGSTS);
		if (sts & HIFN_7811_RNGSTS_UFL) {
			dev_warn_ratelimited(hd->dev, "%s: RNG underflow\n", hd->name);
			break;
		}
		if (!(sts & HIFN_7811_RNGSTS_RDY) && !hifn_broken(HIFN_BREAK_RNG_FAST))
			break;
		w[0] = hifn_read_1(hd, HIFN_1_7811_RNGDAT);
		w[1] = hifn_read_1(hd, HIFN_1_7811_RNGDAT);
		if (hd->rng_first) {
			hd->rng_first = false;
			continue;
		}
		out[n++] = w[0];
		out[n++] = w[1];
	}
	return n;
}

/* 795x: less than 256 PK clocks since the last RNG_DATA read? */
static bool hifn_rng_too_soon(struct hifn_dev *hd)
{
	return ktime_to_ns(ktime_sub(ktime_get(), READ_ONCE(hd->rng_last))) < hd->rng_wait_ns;
}

static int hifn_rng_read(struct hwrng *rng, void *data, size_t max, bool wait)
{
	struct hifn_dev *hd = container_of(rng, struct hifn_dev, rng);
	size_t words = max / 4, n = 0;
	unsigned int slept = 0;
	unsigned long flags;
	u32 *out = data;
	int ret = 0;

	while (n < words) {
		/*
		 * Wait out the PK clocks outside the lock, by the clock: a
		 * calibrated ndelay() may fall short (and does under emulation).
		 */
		while (!hifn_has(hd, HIFN_IS_7811) && hifn_rng_too_soon(hd))
			cpu_relax();
		spin_lock_irqsave(&hd->lock, flags);
		if (!hifn_has(hd, HIFN_IS_7811) && hifn_rng_too_soon(hd)) {
			spin_unlock_irqrestore(&hd->lock, flags);
			continue;
		}
		if (hd->state != HIFN_STATE_RUNNING) {
			if (hd->state == HIFN_STATE_GONE)
				ret = -ENODEV;
			spin_unlock_irqrestore(&hd->lock, flags);
			break;
		}
		if (hifn_has(hd, HIFN_IS_7811)) {
			n += hifn_rng_read_7811(hd, out + n, words - n);
			spin_unlock_irqrestore(&hd->lock, flags);
			/* About two words per 10 ms: sleep for the next pair, once. */
			if (n || !wait || slept++)
				break;
			usleep_range(5000, 10000);
			continue;
		}
		out[n] = hifn_read_1(hd, HIFN_1_RNG_DATA);
		hd->rng_last = ktime_get();
		if (hd->rng_first)
			hd->rng_first = false;
		else
			n++;
		spin_unlock_irqrestore(&hd->lock, flags);
	}
	return n ? n * 4 : ret;
}

/* Offers the RNG to the hwrng framework, named after the chip. */
int hifn_rng_register(struct hifn_dev *hd)
{
	int ret;

	lockdep_assert_held(&hd->reg_lock);
	if (!hifn_has(hd, HIFN_HAS_RNG))
		return 0;
	hd->rng.name = hd->name;
	hd->rng.read = hifn_rng_read;
	hd->rng.quality = hd->bus->rng_quality;
	ret = hwrng_register(&hd->rng);
	if (!ret)
		hd->rng_on = true;
	return ret;
}

void hifn_rng_unregister(struct hifn_dev *hd)
{
	lockdep_assert_held(&hd->reg_lock);
	if (!hd->rng_on)
		return;
	hwrng_unregister(&hd->rng);
	hd->rng_on = false;
}
