// Statistics: after a known workload on a fresh session, the session's
// counters are exact and its producer's grew by at least as much.
#include "helpers.hpp"

#include <catch2/catch.hpp>

#include <cerrno>
#include <deque>

using namespace ocft;

namespace {

ocf_stats session_stats(device &dev, std::uint32_t id)
{
	auto info = session_info(dev, id);
	REQUIRE(info);
	return info->stats;
}

ocf_stats producer_stats(device &dev, std::uint32_t id)
{
	auto p = producer_by_id(dev, id);
	REQUIRE(p);
	return p->stats;
}

} // namespace

TEST_CASE("a session's statistics count its requests and bytes, and its producer's grow with them", "[stats]")
{
	OCFT_SEED_INFO();
	auto rng = make_rng("stats");
	device dev;
	auto sw = producer_named(dev, "swcrypt");
	REQUIRE(sw);
	const ocf_stats p0 = producer_stats(dev, sw->id);

	const alg &a = find_alg("aes-128-ctr");
	keys k = random_keys(a, rng);
	session s(dev, a, k, sw->id); // pinned, so the producer is known
	REQUIRE(s.producer() == sw->id);
	{
		ocf_stats fresh = session_stats(dev, s.id());
		CHECK(fresh.requests == 0);
		CHECK(fresh.bytes == 0);
		CHECK(fresh.errors == 0);
		CHECK(fresh.in_flight == 0);
		CHECK(fresh.migrations == 0);
		CHECK(fresh.sessions == 1);
		CHECK(producer_stats(dev, sw->id).sessions == p0.sessions + 1);
	}

	// Ten ops of 100..1000 bytes in one batch, five of 4096 asynchronously.
	std::deque<vector_case> cases;
	std::vector<prepared_ptr> ops;
	std::uint64_t bytes_total = 0;
	for (std::uint32_t i = 1; i <= 10; i++) {
		cases.push_back(make_case(a, k, rng, 100 * i, 0));
		ops.push_back(prepare(cases.back(), s.id(), i % 2 ? OCF_OP_ENCRYPT : OCF_OP_DECRYPT, placements()[i % 4]));
		bytes_total += 100 * i;
	}
	REQUIRE(run_prepared(dev, ops) == 10);
	for (const auto &p : ops)
		CHECK(p->check(p->op.status) == "");
	std::vector<prepared_ptr> async_ops;
	std::vector<ocf_op> batch;
	for (std::uint32_t i = 0; i < 5; i++) {
		cases.push_back(make_case(a, k, rng, 4096, 0));
		async_ops.push_back(prepare(cases.back(), s.id(), OCF_OP_ENCRYPT, placements()[i % 4], i));
		batch.push_back(async_ops.back()->op);
		bytes_total += 4096;
	}
	REQUIRE(ocf_submit(dev.get(), batch.data(), 5) == 5);
	auto done = reap_n(dev, 5);
	REQUIRE(done.size() == 5);
	for (const auto &c : done) {
		REQUIRE(c.tag < 5);
		CHECK(async_ops[c.tag]->check(c.status) == "");
	}

	const ocf_stats st = session_stats(dev, s.id());
	CHECK(st.requests == 15);
	CHECK(st.bytes == bytes_total);
	CHECK(st.errors == 0);
	CHECK(st.in_flight == 0);
	CHECK(st.migrations == 0);
	CHECK(st.sessions == 1);
	CHECK(st.latency_ns > 0);

	const ocf_stats p1 = producer_stats(dev, sw->id);
	CHECK(p1.requests >= p0.requests + 15);
	CHECK(p1.bytes >= p0.bytes + bytes_total);
	CHECK(p1.in_flight == 0);
	CHECK(p1.latency_ns > 0);

	// Another session's work is not this one's.
	{
		keys k2 = random_keys(a, rng);
		session other(dev, a, k2, sw->id);
		vector_case vc = make_case(a, k2, rng, 777, 0);
		std::vector<prepared_ptr> one;
		one.push_back(prepare(vc, other.id(), OCF_OP_ENCRYPT, placements()[0]));
		REQUIRE(run_prepared(dev, one) == 1);
		CHECK(session_stats(dev, other.id()).requests == 1);
		CHECK(session_stats(dev, other.id()).bytes == 777);
		CHECK(session_stats(dev, s.id()).requests == 15);
	}
	// Freed sessions are no longer served.
	CHECK(producer_stats(dev, sw->id).sessions == p0.sessions + 1);
}

TEST_CASE("a failed verification counts as an error of the session and of its producer", "[stats]")
{
	OCFT_SEED_INFO();
	auto rng = make_rng("stats errors");
	device dev;
	auto sw = producer_named(dev, "swcrypt");
	REQUIRE(sw);
	const ocf_stats p0 = producer_stats(dev, sw->id);
	const alg &a = find_alg("hmac-sha256");
	keys k = random_keys(a, rng);
	session s(dev, a, k, sw->id);

	std::deque<vector_case> cases;
	std::vector<prepared_ptr> ops;
	for (int i = 0; i < 3; i++) {
		cases.push_back(make_case(a, k, rng, 512, 0));
		ops.push_back(prepare(cases.back(), s.id(), OCF_OP_DECRYPT, placements()[static_cast<std::size_t>(i)]));
	}
	cases.push_back(make_case(a, k, rng, 512, 0));
	ops.push_back(prepare_tampered(cases.back(), s.id(), placements()[3], 512 + 7, 2));
	REQUIRE(run_prepared(dev, ops) == 4);
	for (const auto &p : ops) {
		INFO(p->describe());
		CHECK(p->check(p->op.status) == "");
	}
	const ocf_stats st = session_stats(dev, s.id());
	CHECK(st.requests == 4);
	CHECK(st.errors == 1);
	CHECK(st.in_flight == 0);
	const ocf_stats p1 = producer_stats(dev, sw->id);
	CHECK(p1.errors >= p0.errors + 1);
	CHECK(p1.requests >= p0.requests + 4);
}
