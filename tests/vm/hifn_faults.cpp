// Failures of a Hifn chip, injected into the chip model: a DMA abort, a
// stalled engine, a rejected command, a chip that keeps failing, a card
// pulled out mid-traffic and a clean detach under load. Every request
// completes exactly once and correctly; sessions of a chip that went away
// move to other producers.
#include "hifn_common.hpp"

#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <deque>
#include <regex>
#include <thread>

using namespace ocft;
using namespace hifnt;

namespace {

// A workload: sessions pinned to one producer and requests on them.
struct workload {
	alg a = make_alg("3des-cbc+hmac-sha1", OCF_CIPHER_3DES_CBC, OCF_MAC_HMAC_SHA1, 24);
	std::vector<std::unique_ptr<session>> sessions;
	std::deque<vector_case> cases;
	std::vector<prepared_ptr> ops;

	workload(device &dev, std::uint32_t pin, unsigned nsessions, unsigned nops, const std::string &salt)
	{
		auto rng = make_rng("hifn faults " + salt);
		std::vector<keys> k;
		for (unsigned i = 0; i < nsessions; i++) {
			k.push_back(random_keys(a, rng));
			sessions.push_back(std::make_unique<session>(dev, a, k.back(), pin));
		}
		for (unsigned j = 0; j < nops; j++) {
			unsigned i = j % nsessions;
			cases.push_back(make_case(a, k[i], rng, 8 * (1 + random_below(rng, 1024)), 8));
			ops.push_back(prepare(cases.back(), sessions[i]->id(),
					      j % 3 ? OCF_OP_ENCRYPT : OCF_OP_DECRYPT, placements()[j % 4], j));
		}
	}

	// Submits ops [from, to).
	int submit(device &dev, std::size_t from, std::size_t to)
	{
		std::vector<ocf_op> batch;
		for (std::size_t j = from; j < to; j++)
			batch.push_back(ops[j]->op);
		return ocf_submit(dev.get(), batch.data(), static_cast<unsigned>(batch.size()));
	}

	// Reaps everything submitted; each op must complete once, correct.
	void reap_and_check(device &dev)
	{
		auto done = reap_n(dev, ops.size(), 120000);
		REQUIRE(done.size() == ops.size());
		std::vector<int> seen(ops.size());
		for (const auto &c : done) {
			REQUIRE(c.tag < ops.size());
			seen[c.tag]++;
			INFO(ops[c.tag]->describe());
			CHECK(ops[c.tag]->check(c.status) == "");
		}
		CHECK(std::count(seen.begin(), seen.end(), 1) == static_cast<long>(ops.size()));
	}
};

// Model 3, one of the four 7751s: it recovers in place.
constexpr unsigned victim = 3;

void run_fault(const char *file, const char *log_re, const char *counter)
{
	device dev;
	auto p = producer_of_model(dev, victim);
	REQUIRE(p);
	workload w(dev, p->id, 4, 96, file);
	const long before = model_number(victim, counter);
	const long resets = model_number(victim, "resets");
	kmsg_tail log;
	REQUIRE(model_write(victim, file, "1") == 0);
	REQUIRE(w.submit(dev, 0, w.ops.size()) == static_cast<int>(w.ops.size()));
	w.reap_and_check(dev);
	CHECK(model_number(victim, counter) == before + 1);
	CHECK(model_number(victim, "resets") > resets);
	CHECK(log.wait_for(std::regex(std::string(p->name) + ": " + log_re + ", chip reset; [0-9]+ requests requeued"),
			   10000));
	CHECK(model_state(victim)["halted"] == "0");
}

} // namespace

TEST_CASE("a DMA abort resets the chip and every request completes", "[hifn][faults]")
{
	run_fault("abort_next", "DMA abort", "aborts");
}

TEST_CASE("a stalled chip times out, is reset, and every request completes", "[hifn][faults]")
{
	param_override timeout(std::string(driver_params) + "timeout_ms", "500");
	run_fault("stall_next", "timeout", "stalls");
}

TEST_CASE("a command the chip rejects resets it, and every request completes", "[hifn][faults]")
{
	run_fault("corrupt_next", "command rejected", "rejects");
}

TEST_CASE("a chip that keeps failing: requests end in software, none is lost", "[hifn][faults]")
{
	device dev;
	auto p = producer_of_model(dev, victim);
	REQUIRE(p);
	workload w(dev, p->id, 2, 40, "keeps failing");
	kmsg_tail log;
	REQUIRE(model_write(victim, "abort_next", "6") == 0);
	REQUIRE(w.submit(dev, 0, w.ops.size()) == static_cast<int>(w.ops.size()));
	w.reap_and_check(dev);
	CHECK(log.wait_for(std::regex("[1-9][0-9]* left to software"), 10000));
	REQUIRE(model_write(victim, "abort_next", "0") == 0);
	// Healthy again afterwards.
	workload again(dev, p->id, 1, 8, "healthy again");
	REQUIRE(again.submit(dev, 0, again.ops.size()) == 8);
	again.reap_and_check(dev);
}

TEST_CASE("a chip pulled out mid-traffic: no request lost or doubled, its sessions move",
	  "[hifn][faults][removal]")
{
	device dev;
	chip c("7811");
	const std::uint32_t pin = c.id(dev);
	REQUIRE(pin != 0);
	// Slow the chip so that requests are in flight when it goes.
	param_override slow(std::string(model_params) + "latency_us", "2000");
	workload w(dev, pin, 8, 400, "removal");
	kmsg_tail log;

	REQUIRE(w.submit(dev, 0, 150) == 150);
	REQUIRE(eventually([&] { return model_number(c.index(), "commands") >= 5; }, 30000));
	REQUIRE(model_write(c.index(), "surprise_remove", "1") == 0);
	for (std::size_t from = 150; from < w.ops.size(); from += 50)
		REQUIRE(w.submit(dev, from, std::min(from + 50, w.ops.size())) > 0);
	w.reap_and_check(dev);

	CHECK(log.wait_for(std::regex(c.producer() + ": gone \\(registers read all ones\\)"), 10000));
	// The producer is gone; every session now lives on another one.
	CHECK(eventually([&] { return !producer_named(dev, c.producer()); }, 10000));
	for (const auto &s : w.sessions) {
		auto info = session_info(dev, s->id());
		REQUIRE(info);
		CHECK(info->producer != pin);
		CHECK(info->producer != 0);
		CHECK(info->stats.migrations >= 1);
	}
	// And they work there.
	workload after(dev, 0, 2, 8, "after removal");
	REQUIRE(after.submit(dev, 0, after.ops.size()) == 8);
	after.reap_and_check(dev);
	CHECK(c.remove() == 0);
}

TEST_CASE("a chip detached under load (as on rmmod): no request lost, its sessions move",
	  "[hifn][faults][removal]")
{
	device dev;
	chip c("7811");
	const std::uint32_t pin = c.id(dev);
	REQUIRE(pin != 0);
	param_override slow(std::string(model_params) + "latency_us", "1000");
	workload w(dev, pin, 6, 300, "detach");

	REQUIRE(w.submit(dev, 0, 100) == 100);
	REQUIRE(eventually([&] { return model_number(c.index(), "commands") >= 5; }, 30000));
	std::atomic<int> removed{1};
	std::thread remover([&] { removed = c.remove(); });
	for (std::size_t from = 100; from < w.ops.size(); from += 50)
		REQUIRE(w.submit(dev, from, std::min(from + 50, w.ops.size())) > 0);
	remover.join();
	CHECK(removed == 0);
	w.reap_and_check(dev);
	CHECK(!producer_named(dev, c.producer()));
	for (const auto &s : w.sessions) {
		auto info = session_info(dev, s->id());
		REQUIRE(info);
		CHECK(info->producer != pin);
		CHECK(info->producer != 0);
	}
}
