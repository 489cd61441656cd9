/* SPDX-License-Identifier: GPL-2.0 */
#ifndef OCF_STATS_H
#define OCF_STATS_H

#include <linux/atomic.h>
#include <linux/types.h>

struct ocf_stats;

/* Counters kept per producer and per session; updated without locks. */
struct ocf_counters {
	atomic64_t requests;
	atomic64_t bytes;
	atomic64_t errors;
	atomic64_t in_flight;
	atomic64_t migrations;
	atomic64_t latency_ns;	/* moving mean, 1/8 weight per request */
};

void ocf_counters_init(struct ocf_counters *c);
void ocf_counters_start(struct ocf_counters *c);
void ocf_counters_done(struct ocf_counters *c, u32 bytes, int status, u64 latency_ns);
void ocf_counters_read(const struct ocf_counters *c, struct ocf_stats *out);

#endif /* OCF_STATS_H */
