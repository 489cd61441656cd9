// A mixed fleet: a Hifn 7751 model, Broadcom 5805 and 5820 models and the
// software producer (the ubsec suite loads them all). Sessions that pin no
// producer spread over every chip of both families; one Broadcom chip
// pulled out mid-traffic loses nothing and its sessions move.
#include "ubsec_common.hpp"
#include "hifn_workload.hpp"

#include <catch2/catch.hpp>

#include <map>
#include <set>

using namespace ocft;
using namespace ubsect;

TEST_CASE("a mixed fleet of Hifn and Broadcom chips: the default policy uses every chip, a pulled "
	  "Broadcom loses nothing", "[ubsec][fleet]")
{
	device dev;
	chip extra("5820");
	const std::uint32_t gone = extra.id(dev);
	REQUIRE(gone != 0);
	std::map<std::uint32_t, std::uint64_t> before;
	std::set<std::uint32_t> hw;
	for (const auto &p : producers(dev))
		if (p.flags & OCF_PRODUCER_HARDWARE) {
			hw.insert(p.id);
			before[p.id] = p.stats.requests;
		}
	const auto hifn = hifnt::hifn_producers(dev);
	REQUIRE(hifn.size() >= 1);
	REQUIRE(hw.size() >= 4);

	// Slow enough that work is in flight when the chip goes.
	param_override slow(std::string(model_params) + "latency_us", "1000");
	hifnt::workload w(dev, 0, 4 * static_cast<unsigned>(hw.size()), 400, "ubsec fleet");
	std::set<std::uint32_t> bound;
	for (const auto &s : w.sessions)
		bound.insert(s->producer());
	for (std::uint32_t id : hw) {
		INFO("hardware producer " << id);
		CHECK(bound.count(id) == 1);
	}

	REQUIRE(w.submit(dev, 0, 200) == 200);
	REQUIRE(eventually([&] { return model_number(extra.index(), "mcr1") >= 2; }, 30000));
	REQUIRE(model_write(extra.index(), "surprise_remove", "1") == 0);
	REQUIRE(w.submit(dev, 200, w.ops.size()) == 200);
	w.reap_and_check(dev);
	CHECK(w.moved_off(dev, gone));
	for (const auto &p : producers(dev)) {
		if (!hw.count(p.id))
			continue;
		INFO(p.name << ": " << before[p.id] << " -> " << p.stats.requests << " requests");
		CHECK(p.stats.requests > before[p.id]);
	}
	CHECK(extra.remove() == 0);
}
