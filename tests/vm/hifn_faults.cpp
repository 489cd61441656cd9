// Failures of a Hifn chip, injected into the chip model: a DMA abort, a
// stalled engine, a rejected command, a chip that keeps failing, a card
// pulled out mid-traffic and a clean detach under load. Every request
// completes exactly once and correctly; sessions of a chip that went away
// move to other producers.
#include "hifn_common.hpp"
#include "hifn_workload.hpp"

#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <deque>
#include <regex>
#include <thread>

using namespace ocft;
using namespace hifnt;

namespace {

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

// No reference driver acts on CMDINVAL/DATAERR: the driver counts and logs
// them and leaves the reset to the watchdog (the model's processing unit
// stops on a rejected command).
TEST_CASE("a command the chip rejects is logged, not reset on; the watchdog resets it", "[hifn][faults]")
{
	param_override timeout(std::string(driver_params) + "timeout_ms", "500");
	kmsg_tail log;
	run_fault("corrupt_next", "timeout", "rejects");
	CHECK(log.wait_for(std::regex("processing unit error, PUISR 0x8000"), 10000));
}

// The chip consumes fewer destination descriptors than posted on an
// overrun. A driver that frees ring slots by the result alone (the
// driver before this test) lost step: the next request's output landed
// in the overrun one's buffer. The driver frees each ring by its own
// VALID bits, resets on the overrun, and posts everything again.
TEST_CASE("an overrun that leaves descriptors unconsumed: reset, requeued, every request right",
	  "[hifn][faults][overrun]")
{
	device dev;
	auto p = producer_of_model(dev, victim);
	REQUIRE(p);
	workload w(dev, p->id, 4, 96, "overrun");
	const long overruns = model_number(victim, "overruns");
	kmsg_tail log;
	REQUIRE(model_write(victim, "overrun_next", "1") == 0);
	REQUIRE(w.submit(dev, 0, w.ops.size()) == static_cast<int>(w.ops.size()));
	w.reap_and_check(dev);
	// (The chip went on with the rings out of step until the reset: more may follow.)
	CHECK(model_number(victim, "overruns") > overruns);
	CHECK(log.wait_for(std::regex(std::string(p->name) + ": overrun, chip reset; [0-9]+ requests requeued"),
			   10000));
	// And the rings are in step afterwards.
	workload again(dev, p->id, 2, 24, "after overrun");
	REQUIRE(again.submit(dev, 0, again.ops.size()) == 24);
	again.reap_and_check(dev);
}

// The 7751's SRAM probe reads past the fitted RAM, which may leave a
// processing-unit bit set; cleared before the probe (as the driver did)
// it interrupted, and reset the chip, right after attach.
TEST_CASE("the RAM probe leaves no status behind: no reset after attach", "[hifn][faults]")
{
	device dev;
	kmsg_tail log;
	chip c("7751");
	const long resets = model_number(c.index(), "resets");
	std::this_thread::sleep_for(std::chrono::milliseconds(1500));
	CHECK(model_number(c.index(), "resets") == resets);
	CHECK(model_number(c.index(), "puisr") == 0);
	CHECK(!log.wait_for(std::regex(c.producer() + ": .*(chip reset|processing unit error)"), 100));
	workload w(dev, c.id(dev), 1, 8, "after probe");
	REQUIRE(w.submit(dev, 0, 8) == 8);
	w.reap_and_check(dev);
}

// A master reset may lock the engines again (reset_relocks): recovery
// unlocks again, as Linux did; a chip that stays locked is withdrawn and its
// requests finished in software.
TEST_CASE("a reset that locks the chip again: unlocked again, or withdrawn if it stays locked",
	  "[hifn][faults][unlock]")
{
	device dev;
	param_override relock(std::string(model_params) + "reset_relocks", "1");
	SECTION("unlocked again")
	{
		chip c("7811");
		REQUIRE(model_number(c.index(), "unlock_writes") == 14);
		workload w(dev, c.id(dev), 2, 48, "relock");
		kmsg_tail log;
		REQUIRE(model_write(c.index(), "abort_next", "1") == 0);
		REQUIRE(w.submit(dev, 0, w.ops.size()) == static_cast<int>(w.ops.size()));
		w.reap_and_check(dev);
		CHECK(log.wait_for(std::regex(c.producer() + ": DMA abort, chip reset"), 10000));
		CHECK(model_number(c.index(), "unlock_writes") == 28);
		CHECK(model_state(c.index())["unlocked"] == "1");
		CHECK(model_state(c.index())["dead"] == "0");
		CHECK(producer_named(dev, c.producer()));
	}
	SECTION("stays locked: withdrawn")
	{
		chip c("7751");
		const std::uint32_t pin = c.id(dev);
		workload w(dev, pin, 2, 48, "stays locked");
		kmsg_tail log;
		// The next unlock needs more signatures than any driver writes.
		REQUIRE(model_write(c.index(), "unlock_rounds", "99") == 0);
		REQUIRE(model_write(c.index(), "abort_next", "1") == 0);
		REQUIRE(w.submit(dev, 0, w.ops.size()) == static_cast<int>(w.ops.size()));
		w.reap_and_check(dev);
		CHECK(log.wait_for(std::regex(c.producer() + ": locked after a reset: withdrawing"), 10000));
		CHECK(eventually([&] { return !producer_named(dev, c.producer()); }, 10000));
		CHECK(w.moved_off(dev, pin));
	}
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
	CHECK(w.moved_off(dev, pin));
	for (const auto &s : w.sessions) {
		auto info = session_info(dev, s->id());
		REQUIRE(info);
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
	CHECK(w.moved_off(dev, pin));
}
