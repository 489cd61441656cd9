// The chip model is stricter than silicon: it checks the rules the proven
// drivers keep (data alignment and word-multiple segments, descriptor
// totals equal to the command's counts, the overrun rule, result sizes,
// session numbers within the context RAM, PLL programming, reset pulse
// widths, unlock spacing, the ring-base delay, RNG read rates) and counts
// each breach (state v_<rule>). The driver keeps every rule; the driver's
// test-only switch (test_break) breaks one at a time, and the model must
// catch each.
#include "hifn_common.hpp"
#include "hifn_workload.hpp"

#include <catch2/catch.hpp>

#include <cerrno>
#include <fcntl.h>
#include <regex>
#include <unistd.h>

using namespace ocft;
using namespace hifnt;

namespace {

// HIFN_BREAK_* (kernel/drivers/hifn/core.h)
enum : unsigned {
	break_misalign = 1u << 0,
	break_odd_seg = 1u << 1,
	break_dst_total = 1u << 2,
	break_short_dst = 1u << 3,
	break_short_result = 1u << 4,
	break_pll_fast = 1u << 5,
	break_sessions = 1u << 6,
	break_reset_pulse = 1u << 7,
	break_unlock_fast = 1u << 8,
	break_rng_fast = 1u << 9,
	break_ring_bases = 1u << 10,
	break_pll_no_bp = 1u << 11,
	break_pll_is = 1u << 12,
};

const char *const rules[] = {"align", "seg", "totals", "result", "session", "pll",
			     "reset_pulse", "unlock_spacing", "ring_base", "rng_rate"};

std::string break_param() { return std::string(driver_params) + "test_break"; }

long violations(unsigned index, const std::string &rule) { return model_number(index, "v_" + rule); }

// Every rule unbroken on instance @index (@overruns: and no overrun either;
// the fault tests inject one).
void check_clean(unsigned index, bool overruns = true)
{
	auto st = model_state(index);
	for (const char *r : rules) {
		INFO("model " << index << " (" << st["variant"] << "), rule " << r);
		CHECK(st[std::string("v_") + r] == "0");
	}
	CHECK(st["violations"] == "0");
	if (overruns)
		CHECK(st["overruns"] == "0");
}

// Requests that meet every data-path rule there is: odd and even lengths,
// hashes and a cipher chain, on producer @pin; all must come out right.
void traffic(device &dev, std::uint32_t pin, const std::string &salt)
{
	// One at a time: the two number their requests alike.
	workload chained(dev, pin, 2, 16, salt + " chain");
	REQUIRE(chained.submit(dev, 0, chained.ops.size()) == 16);
	chained.reap_and_check(dev);
	workload hashed(dev, pin, 2, 16, salt + " odd", make_alg("md5", OCF_ALG_NONE, OCF_HASH_MD5, 0),
			true);
	REQUIRE(hashed.submit(dev, 0, hashed.ops.size()) == 16);
	hashed.reap_and_check(dev);
}


} // namespace

TEST_CASE("the driver keeps every rule of the strict model, on every part", "[hifn][strict]")
{
	device dev;
	for (const char *variant : {"7751", "7811", "7951", "7955", "7956"}) {
		DYNAMIC_SECTION(variant)
		{
			chip c(variant);
			traffic(dev, c.id(dev), variant);
			// A reset on the way: master reset pulse, unlock check, PLL again.
			REQUIRE(model_write(c.index(), "abort_next", "1") == 0);
			traffic(dev, c.id(dev), std::string(variant) + " after reset");
			check_clean(c.index());
			// Sessions fit the contexts the RAM holds at the size in force.
			auto p = producer_named(dev, c.producer());
			REQUIRE(p);
			CHECK(p->max_sessions <= static_cast<std::uint32_t>(model_number(c.index(), "ctx_capacity")));
			// Rings are enabled only when idle.
			CHECK(model_number(c.index(), "reenables") == 0);
		}
	}
	// And on the four long-lived chips, after everything before this test.
	for (unsigned i : model_indexes())
		check_clean(i, false);
}

namespace {

struct broken_case {
	const char *name;
	unsigned brk;
	const char *variant;
	const char *rule; // the v_<rule> counter, or "overruns"
};

} // namespace

// Each switch breaks one rule during traffic; the model catches it, and the
// driver's recovery (reset, requeue, finally software) keeps every request
// right even so.
TEST_CASE("a driver that breaks a data-path rule is caught by the model", "[hifn][strict]")
{
	const broken_case cases[] = {
		{"data addresses off by 2", break_misalign, "7751", "v_align"},
		{"a 2-byte first segment", break_odd_seg, "7751", "v_seg"},
		{"destination descriptors past the count", break_dst_total, "7811", "v_totals"},
		{"a destination a word short: overrun", break_short_dst, "7951", "overruns"},
		{"16-byte result descriptors", break_short_result, "7955", "v_result"},
		{"session numbers past the context RAM", break_sessions, "7956", "v_session"},
	};
	device dev;
	param_override timeout(std::string(driver_params) + "timeout_ms", "300");
	for (const auto &bc : cases) {
		DYNAMIC_SECTION(bc.name)
		{
			chip c(bc.variant);
			const std::uint32_t pin = c.id(dev);
			{
				param_override brk(break_param(), std::to_string(bc.brk));
				traffic(dev, pin, bc.name);
			}
			CHECK(model_number(c.index(), bc.rule) > 0);
		}
	}
}

TEST_CASE("a driver that rushes the PLL, the reset, the unlock or the ring bases is caught",
	  "[hifn][strict]")
{
	device dev;
	struct pll_case {
		const char *name;
		unsigned brk;
	};
	for (const pll_case &pc : {pll_case{"no 10 ms to settle", break_pll_fast},
				   pll_case{"the multiplier changed out of bypass", break_pll_no_bp},
				   pll_case{"IS the wrong way round", break_pll_is}}) {
		DYNAMIC_SECTION("PLL: " << pc.name << ": it does not lock, the engines crawl")
		{
			param_override brk(break_param(), std::to_string(pc.brk));
			chip c("7956");
			CHECK(violations(c.index(), "pll") > 0);
			CHECK(model_state(c.index())["pe_clock"] == "slow");
		}
	}
	SECTION("rings enabled within 2 ms of their bases")
	{
		param_override brk(break_param(), std::to_string(break_ring_bases));
		chip c("7751");
		CHECK(violations(c.index(), "ring_base") > 0);
	}
	SECTION("a master reset pulse shorter than 1 ms")
	{
		chip c("7811");
		workload w(dev, c.id(dev), 1, 8, "pulse");
		param_override brk(break_param(), std::to_string(break_reset_pulse));
		REQUIRE(model_write(c.index(), "abort_next", "1") == 0);
		REQUIRE(w.submit(dev, 0, 8) == 8);
		w.reap_and_check(dev);
		CHECK(violations(c.index(), "reset_pulse") > 0);
	}
	SECTION("unlock writes back to back: the chip stays locked")
	{
		param_override relock(std::string(model_params) + "reset_relocks", "1");
		chip c("7751");
		workload w(dev, c.id(dev), 1, 8, "unlock spacing");
		param_override brk(break_param(), std::to_string(break_unlock_fast));
		REQUIRE(model_write(c.index(), "abort_next", "1") == 0);
		REQUIRE(w.submit(dev, 0, 8) == 8);
		w.reap_and_check(dev);
		CHECK(violations(c.index(), "unlock_spacing") > 0);
		CHECK(model_state(c.index())["unlocked"] == "0");
	}
}

// The 795x RNG gives a new word every 256 PK clocks, the PK clock being
// (NN + 1) MHz x mult / 2 on the PLL (Linux); the 7811's about two words
// per 10 ms. Read faster, the words repeat or underflow.
TEST_CASE("RNG read faster than the part gives words is caught: 7956 and 7811", "[hifn][strict][rng]")
{
	param_override test_mode(std::string(model_params) + "rng_test", "1");
	for (const char *variant : {"7956", "7811"}) {
		DYNAMIC_SECTION(variant)
		{
			param_override brk(break_param(), std::to_string(break_rng_fast));
			chip c(variant);
			REQUIRE(write_text("/sys/class/misc/hw_random/rng_current", c.producer()) == 0);
			read_hwrng(64);
			// Under KASAN even a driver that skips the wait reads
			// slower than the part's rate; the production kernel's
			// run is the one that can tell.
			if (debug_kernel())
				WARN("debug kernel: too slow to read the RNG too fast");
			else
				CHECK(violations(c.index(), "rng_rate") > 0);
		}
	}
}

TEST_CASE("pll=extNN: 20 to 100 MHz, else the 7955/7956 is refused", "[hifn][strict][pll]")
{
	device dev;
	const std::string param = std::string(driver_params) + "pll";
	for (const char *bad : {"ext19", "ext101", "pci0", "xyz66"}) {
		INFO("pll=" << bad);
		param_override pll(param, bad);
		CHECK(write_text(std::string(model_debugfs) + "new", "7956") == -EINVAL);
	}
	struct good {
		const char *pll;
		const char *ext;
		long nd;
		bool is;
	};
	for (const good &g : {good{"ext20", "20", 5, true}, good{"ext100", "100", 0, false}}) {
		INFO("pll=" << g.pll);
		param_override pll(param, g.pll);
		param_override ext(std::string(model_params) + "ext_mhz", g.ext);
		chip c("7955");
		long v = model_number(c.index(), "pll");
		CHECK(((v >> 11) & 7) == g.nd);
		CHECK(((v & 0x10000) != 0) == g.is);
		CHECK(model_state(c.index())["pe_clock"] == "full");
		CHECK(violations(c.index(), "pll") == 0);
	}
}

TEST_CASE("an unlock level that is neither locked nor unlocked: refused, no unlock attempted",
	  "[hifn][strict][unlock]")
{
	param_override level(std::string(model_params) + "pustat_locked", "0x2000");
	kmsg_tail log;
	CHECK(write_text(std::string(model_debugfs) + "new", "7751") == -ENODEV);
	CHECK(log.wait_for(std::regex("unknown unlock level 0x2000"), 10000));
}

// The 7955/7956 unlocked with Linux's 12 unconditional writes on real
// parts; the driver writes the BSD drivers' 13, which the part takes too.
TEST_CASE("the 795x unlocks after 12 signatures and takes the BSD drivers' 13th", "[hifn][strict][unlock]")
{
	chip c("7956");
	auto st = model_state(c.index());
	CHECK(st["unlocked"] == "1");
	CHECK(st["dead"] == "0");
	CHECK(st["unlock_writes"] == "14");
}

// FreeBSD and Linux write different PUCNFG values on the 7955/7956; with
// either, and with PUCNFG reading back what was written, the sessions
// follow the context size in force.
TEST_CASE("7955/7956 PUCNFG: FreeBSD's and Linux's values both work", "[hifn][strict][pucnfg]")
{
	device dev;
	for (const char *readback : {"0", "1"}) {
		for (const char *linux_value : {"0", "1"}) {
			DYNAMIC_SECTION("readback " << readback << ", Linux's PUCNFG " << linux_value)
			{
				param_override rb(std::string(model_params) + "pucnfg_readback", readback);
				param_override lv(std::string(driver_params) + "pucnfg_linux", linux_value);
				chip c("7955");
				auto p = producer_named(dev, c.producer());
				REQUIRE(p);
				CHECK(p->max_sessions == static_cast<std::uint32_t>(model_number(c.index(), "ctx_capacity")));
				traffic(dev, p->id, "pucnfg");
				check_clean(c.index());
			}
		}
	}
}
