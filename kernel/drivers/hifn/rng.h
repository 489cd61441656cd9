/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The random number generator of the 7811 and the 795x, fed to the kernel's
 * hwrng framework.
 */
#ifndef _HIFN_RNG_H
#define _HIFN_RNG_H

struct hifn_dev;

void hifn_rng_enable(struct hifn_dev *hd);
int hifn_rng_register(struct hifn_dev *hd);
void hifn_rng_unregister(struct hifn_dev *hd);

#endif /* _HIFN_RNG_H */
