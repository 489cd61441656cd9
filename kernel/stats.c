// SPDX-License-Identifier: GPL-2.0
/*
 * Statistics per producer and per session.
 */

#include <linux/cpumask.h>
#include <linux/ocf.h>

#include "stats.h"

int ocf_counters_init(struct ocf_counters *c)
{
	/* Charged to the caller's memory cgroup: user space makes sessions. */
	c->cpu = alloc_percpu_gfp(struct ocf_counters_cpu, GFP_KERNEL_ACCOUNT);
	atomic64_set(&c->migrations, 0);
	return c->cpu ? 0 : -ENOMEM;
}

void ocf_counters_free(struct ocf_counters *c)
{
	free_percpu(c->cpu);
	c->cpu = NULL;
}

void ocf_counters_start(struct ocf_counters *c, u32 bytes)
{
	this_cpu_inc(c->cpu->started);
	this_cpu_add(c->cpu->bytes_started, bytes);
}

/* For a request taken back before it ran (moved while its producer left). */
void ocf_counters_unstart(struct ocf_counters *c, u32 bytes)
{
	this_cpu_dec(c->cpu->started);
	this_cpu_sub(c->cpu->bytes_started, bytes);
}

/* Bytes of the requests started and not yet done. */
u64 ocf_counters_outstanding(const struct ocf_counters *c)
{
	u64 started = 0, done = 0;
	int cpu;

	for_each_possible_cpu(cpu) {
		started += READ_ONCE(per_cpu_ptr(c->cpu, cpu)->bytes_started);
		done += READ_ONCE(per_cpu_ptr(c->cpu, cpu)->bytes);
	}
	/* Sums taken while requests move on: clamp a transient negative. */
	return (s64)(started - done) > 0 ? started - done : 0;
}

void ocf_counters_done(struct ocf_counters *c, u32 bytes, int status, u64 latency_ns)
{
	struct ocf_counters_cpu *cc = get_cpu_ptr(c->cpu);

	cc->requests++;
	cc->bytes += bytes;
	if (status)
		cc->errors++;
	cc->latency_ns = cc->latency_ns ?
			 cc->latency_ns - cc->latency_ns / 8 + latency_ns / 8 : latency_ns;
	put_cpu_ptr(c->cpu);
}

/* Key operations: counted apart, as their bytes and latencies are another kind. */
void ocf_counters_kop_done(struct ocf_counters *c, int status)
{
	struct ocf_counters_cpu *cc = get_cpu_ptr(c->cpu);

	cc->kop_requests++;
	if (status)
		cc->errors++;
	put_cpu_ptr(c->cpu);
}

void ocf_counters_read(const struct ocf_counters *c, struct ocf_stats *out)
{
	u64 started = 0, latency = 0, cpus = 0;
	int cpu;

	out->requests = 0;
	out->bytes = 0;
	out->errors = 0;
	out->kop_requests = 0;
	for_each_possible_cpu(cpu) {
		const struct ocf_counters_cpu *cc = per_cpu_ptr(c->cpu, cpu);

		started += READ_ONCE(cc->started);
		out->requests += READ_ONCE(cc->requests);
		out->bytes += READ_ONCE(cc->bytes);
		out->errors += READ_ONCE(cc->errors);
		out->kop_requests += READ_ONCE(cc->kop_requests);
		if (READ_ONCE(cc->latency_ns)) {
			latency += READ_ONCE(cc->latency_ns);
			cpus++;
		}
	}
	/* A request may start on one CPU and finish on another. */
	out->in_flight = started > out->requests ? started - out->requests : 0;
	out->latency_ns = cpus ? div64_u64(latency, cpus) : 0;
	out->migrations = atomic64_read(&c->migrations);
}
