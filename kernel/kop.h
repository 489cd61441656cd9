/* SPDX-License-Identifier: GPL-2.0 */
#ifndef OCF_KOP_H
#define OCF_KOP_H

#include <linux/ocf.h>

/* When producer @id last gave @kreq back (a rerun's index), or -1 if it never did. */
static inline int ocf_kop_gave_back_at(const struct ocf_krequest *kreq, u32 id)
{
	int i = min_t(u32, kreq->reruns, OCF_KOP_MAX_RERUNS);

	while (i--)
		if (kreq->avoid[i] == id)
			return i;
	return -1;
}

u32 ocf_kop_in_count(u32 kop);
u32 ocf_kop_out_count(u32 kop);
u32 ocf_kops_known(void);
int ocf_kop_init(void);
void ocf_kop_exit(void);
bool ocf_producer_can_kop(const struct ocf_producer *p, u32 kop, u32 bits);

#endif /* OCF_KOP_H */
