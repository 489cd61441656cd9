// The in-kernel consumer: writing 1 to ocf.ko's "selftest" parameter runs a
// known-answer self-test through the kernel consumer API, which logs
// "ocf: selftest: N passed, M failed".
#include "helpers.hpp"

#include <catch2/catch.hpp>

#include <regex>
#include <string>

using namespace ocft;

TEST_CASE("the in-kernel self-test passes through the consumer API, every time it is asked", "[selftest]")
{
	const std::regex line(R"(ocf: selftest: (\d+) passed, (\d+) failed)");
	const std::string knob = std::string(ocf_params) + "selftest";
	for (int run = 1; run <= 2; run++) {
		INFO("run " << run);
		kmsg_tail log; // only lines logged from now on count
		REQUIRE(write_text(knob, "1\n") == 0);
		auto m = log.wait_for(line, 120000);
		REQUIRE(m);
		INFO((*m)[0]);
		CHECK(std::stoul((*m)[1]) > 0);
		CHECK(std::stoul((*m)[2]) == 0);
	}
}
