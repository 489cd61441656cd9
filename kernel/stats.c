// SPDX-License-Identifier: GPL-2.0
/*
 * Statistics per producer and per session.
 */

#include <linux/ocf.h>

#include "stats.h"

void ocf_counters_init(struct ocf_counters *c)
{
	atomic64_set(&c->requests, 0);
	atomic64_set(&c->bytes, 0);
	atomic64_set(&c->errors, 0);
	atomic64_set(&c->in_flight, 0);
	atomic64_set(&c->migrations, 0);
	atomic64_set(&c->latency_ns, 0);
}

void ocf_counters_start(struct ocf_counters *c)
{
	atomic64_inc(&c->in_flight);
}

void ocf_counters_done(struct ocf_counters *c, u32 bytes, int status, u64 latency_ns)
{
	s64 mean = atomic64_read(&c->latency_ns);

	atomic64_inc(&c->requests);
	atomic64_add(bytes, &c->bytes);
	if (status)
		atomic64_inc(&c->errors);
	atomic64_dec(&c->in_flight);
	/* A racy update only blurs a mean that is an estimate anyway. */
	atomic64_set(&c->latency_ns, mean ? mean + ((s64)latency_ns - mean) / 8 : latency_ns);
}

void ocf_counters_read(const struct ocf_counters *c, struct ocf_stats *out)
{
	out->requests = atomic64_read(&c->requests);
	out->bytes = atomic64_read(&c->bytes);
	out->errors = atomic64_read(&c->errors);
	out->in_flight = atomic64_read(&c->in_flight);
	out->migrations = atomic64_read(&c->migrations);
	out->latency_ns = atomic64_read(&c->latency_ns);
}
