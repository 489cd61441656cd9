/* SPDX-License-Identifier: GPL-2.0 */
#ifndef OCF_KOP_H
#define OCF_KOP_H

#include <linux/ocf.h>

/* Give-backs (-EAGAIN) one key operation may take before it fails with -ENODEV. */
#define OCF_KOP_MAX_RERUNS	8
static_assert(ARRAY_SIZE(((struct ocf_krequest *)0)->avoid) == OCF_KOP_MAX_RERUNS);

/* Whether producer @id gave @kreq back before. */
static inline bool ocf_kop_avoids(const struct ocf_krequest *kreq, u32 id)
{
	u32 i, n = min_t(u32, kreq->reruns, OCF_KOP_MAX_RERUNS);

	for (i = 0; i < n; i++)
		if (kreq->avoid[i] == id)
			return true;
	return false;
}

u32 ocf_kop_in_count(u32 kop);
u32 ocf_kop_out_count(u32 kop);
u32 ocf_kops_known(void);
int ocf_kop_init(void);
void ocf_kop_exit(void);
bool ocf_producer_can_kop(const struct ocf_producer *p, u32 kop, u32 bits);

#endif /* OCF_KOP_H */
