/* SPDX-License-Identifier: GPL-2.0 */
#ifndef OCF_STATS_H
#define OCF_STATS_H

#include <linux/atomic.h>
#include <linux/percpu.h>
#include <linux/types.h>

struct ocf_stats;

struct ocf_counters_cpu {
	u64 started;
	u64 bytes_started;
	u64 requests;
	u64 bytes;
	u64 errors;
	u64 latency_ns;	/* moving mean, 1/8 weight per request */
	u64 kop_requests;
};

/*
 * Counters kept per producer and per session. Per CPU, so that the request
 * path updates them without atomics or shared cache lines; reads add up.
 */
struct ocf_counters {
	struct ocf_counters_cpu __percpu *cpu;
	atomic64_t migrations;
};

int ocf_counters_init(struct ocf_counters *c);
void ocf_counters_free(struct ocf_counters *c);
void ocf_counters_start(struct ocf_counters *c, u32 bytes);
void ocf_counters_unstart(struct ocf_counters *c, u32 bytes);
u64 ocf_counters_outstanding(const struct ocf_counters *c);
void ocf_counters_done(struct ocf_counters *c, u32 bytes, int status, u64 latency_ns);
void ocf_counters_kop_done(struct ocf_counters *c, int status);
void ocf_counters_read(const struct ocf_counters *c, struct ocf_stats *out);

#endif /* OCF_STATS_H */
