// Failures of a ubsec chip: a stalled unit, a DMA error, a chip pulled out
// mid-traffic with symmetric requests and key operations in flight:
// nothing lost, nothing doubled, every result right.
#include "ubsec_common.hpp"
#include "hifn_workload.hpp"

#include <catch2/catch.hpp>

using namespace ocft;
using namespace ubsect;

namespace {

// Key operations in flight: modexps submitted with tags from @tag0.
struct key_batch {
	struct one {
		bytes base, exp, mod, want, out;
		ocf_kop kop{};
	};
	std::deque<one> all;
	std::vector<ocf_op> ops;

	key_batch(std::uint32_t pin, unsigned n, int bits, std::uint64_t tag0)
	{
		for (unsigned i = 0; i < n; i++) {
			bn_ptr m = random_modulus(bits), b = random_below(m.get()), e = random_bits(bits);
			one &c = all.emplace_back();
			c.mod = bin(m.get());
			c.base = bin(b.get());
			c.exp = bin(e.get());
			c.want = bin(mod_exp(b.get(), e.get(), m.get()).get(), c.mod.size());
			c.out.assign(c.mod.size(), 0);
			REQUIRE(ocf_kop_modexp(&c.kop, 0, {c.base.data(), c.base.size()},
					       {c.exp.data(), c.exp.size()}, {c.mod.data(), c.mod.size()},
					       c.out.data(), c.out.size()) == 0);
			c.kop.producer = pin;
		}
		for (unsigned i = 0; i < n; i++) {
			ocf_op op;
			ocf_op_kop(&op, &all[i].kop);
			op.tag = tag0 + i;
			ops.push_back(op);
		}
	}
};

// A 5820 with the model fault @fault set to @value, 40 requests through it:
// the watchdog must reset it and every request come out right.
void watchdog_recovers(const char *fault, const char *value, const char *what)
{
	device dev;
	chip c("5820");
	param_override fast(std::string(driver_params) + "timeout_ms", "300");
	REQUIRE(model_write(c.index(), fault, value) == 0);
	hifnt::workload w(dev, c.id(dev), 2, 40, what);
	REQUIRE(w.submit(dev, 0, w.ops.size()) == 40);
	w.reap_and_check(dev);
	CHECK(driver_stat(c.producer(), "timeouts") > 0);
	CHECK(driver_stat(c.producer(), "resets") > 0);
	CHECK(model_number(c.index(), "violations") == 0);
	CHECK((model_number(c.index(), "stat") & 0x48000000) == 0);	// MCR1/2 FULL
}

} // namespace

TEST_CASE("a stalled chip times out, is reset, and every request completes right",
	  "[ubsec][faults]")
{
	watchdog_recovers("stall_next", "2", "ubsec stall");
}

TEST_CASE("a chip that says FULL with nothing of ours on it is reset; nothing waits for ever",
	  "[ubsec][faults]")
{
	// Whatever the driver posted is done; the chip keeps FULL up until a reset.
	watchdog_recovers("full_stuck", "1", "ubsec full stuck");
}

TEST_CASE("a DMA error resets the chip and every request completes right", "[ubsec][faults]")
{
	device dev;
	chip c("5805");
	REQUIRE(model_write(c.index(), "dmaerr_next", "3") == 0);
	hifnt::workload w(dev, c.id(dev), 2, 40, "ubsec dmaerr");
	REQUIRE(w.submit(dev, 0, w.ops.size()) == 40);
	w.reap_and_check(dev);
	CHECK(driver_stat(c.producer(), "dma_errors") > 0);
	CHECK(driver_stat(c.producer(), "resets") > 0);
}

TEST_CASE("a ubsec pulled out mid-traffic: no request or key operation lost or doubled",
	  "[ubsec][faults][removal]")
{
	device dev;
	chip c("5820");
	const std::uint32_t pin = c.id(dev);
	REQUIRE(pin != 0);
	// Slow the chip so that work is in flight when it goes.
	param_override slow(std::string(model_params) + "latency_us", "3000");
	param_override slow_rsa(std::string(model_params) + "rate_rsa", "20");
	hifnt::workload w(dev, pin, 4, 200, "ubsec removal");
	key_batch k(pin, 24, 1024, 100000);

	REQUIRE(w.submit(dev, 0, 100) == 100);
	REQUIRE(ocf_submit(dev.get(), k.ops.data(), static_cast<unsigned>(k.ops.size())) ==
		static_cast<int>(k.ops.size()));
	REQUIRE(eventually([&] { return model_number(c.index(), "mcr1") >= 3; }, 30000));
	REQUIRE(model_write(c.index(), "surprise_remove", "1") == 0);
	REQUIRE(w.submit(dev, 100, w.ops.size()) == 100);

	auto done = reap_n(dev, w.ops.size() + k.ops.size(), 120000);
	REQUIRE(done.size() == w.ops.size() + k.ops.size());
	std::vector<int> seen(w.ops.size()), kseen(k.ops.size());
	for (const auto &d : done) {
		if (d.tag >= 100000) {
			const std::size_t i = d.tag - 100000;
			REQUIRE(i < k.all.size());
			kseen[i]++;
			INFO("key op " << i);
			CHECK(d.status == 0);
			CHECK(k.all[i].out == k.all[i].want);
		} else {
			REQUIRE(d.tag < w.ops.size());
			seen[d.tag]++;
			INFO(w.ops[d.tag]->describe());
			CHECK(w.ops[d.tag]->check(d.status) == "");
		}
	}
	CHECK(std::count(seen.begin(), seen.end(), 1) == static_cast<long>(seen.size()));
	CHECK(std::count(kseen.begin(), kseen.end(), 1) == static_cast<long>(kseen.size()));
	CHECK(eventually([&] { return !producer_named(dev, c.producer()); }, 10000));
	CHECK(w.moved_off(dev, pin));
	CHECK(c.remove() == 0);
}

TEST_CASE("a ubsec detached under load: nothing lost", "[ubsec][faults][removal]")
{
	device dev;
	chip c("5805");
	const std::uint32_t pin = c.id(dev);
	param_override slow(std::string(model_params) + "latency_us", "2000");
	hifnt::workload w(dev, pin, 4, 200, "ubsec detach");
	key_batch k(pin, 12, 512, 100000);
	REQUIRE(w.submit(dev, 0, w.ops.size()) == 200);
	REQUIRE(ocf_submit(dev.get(), k.ops.data(), static_cast<unsigned>(k.ops.size())) == 12);
	REQUIRE(eventually([&] { return model_number(c.index(), "mcr1") >= 3; }, 30000));
	CHECK(c.remove() == 0);
	auto done = reap_n(dev, w.ops.size() + k.ops.size(), 120000);
	REQUIRE(done.size() == w.ops.size() + k.ops.size());
	for (const auto &d : done) {
		if (d.tag >= 100000) {
			CHECK(d.status == 0);
			CHECK(k.all[d.tag - 100000].out == k.all[d.tag - 100000].want);
		} else {
			INFO(w.ops[d.tag]->describe());
			CHECK(w.ops[d.tag]->check(d.status) == "");
		}
	}
}
