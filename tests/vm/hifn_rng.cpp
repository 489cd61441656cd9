// The RNG of the 7811 and the 795x feeds the kernel's hw_random framework:
// /dev/hwrng returns the model's words (its test pattern: each word carries
// a check value for its counter and the instance), the first word after
// enabling is discarded, and the 795x is never read faster than its RNG
// allows.
#include "hifn_common.hpp"
#include "hifn_workload.hpp"

#include <catch2/catch.hpp>

#include <cstring>
#include <fcntl.h>
#include <unistd.h>

using namespace ocft;
using namespace hifnt;

namespace {

constexpr const char *rng_current = "/sys/class/misc/hw_random/rng_current";


} // namespace

TEST_CASE("/dev/hwrng gives the words of the chip's RNG: 7811, 7951, 7956", "[hifn][rng]")
{
	param_override test_mode(std::string(model_params) + "rng_test", "1");
	for (const char *variant : {"7811", "7951", "7956"}) {
		DYNAMIC_SECTION(variant)
		{
			chip c(variant);
			REQUIRE(model_state(c.index())["rng_enabled"] == "1");
			// Select it (another RNG, or another hifn, may be the current one).
			REQUIRE(write_text(rng_current, c.producer()) == 0);
			CHECK(read_text(rng_current) == c.producer());

			auto words = read_hwrng(256);
			std::size_t good = 0, rising = 0;
			for (std::size_t i = 0; i < words.size(); i++) {
				good += rng_word_ok(c.index(), words[i]);
				if (i && (words[i] >> 16) > (words[i - 1] >> 16))
					rising++;
			}
			// Every word is the model's; the first (junk) word was discarded.
			CHECK(good == words.size());
			// In order, but for words the kernel's own reader took in between
			// (and hw_random hands out each buffer from its end).
			CHECK(rising > 0);
			auto st = model_state(c.index());
			CHECK(std::stol(st["rng_words"]) >= 256);
			// The 795x got its 256 PK clocks between reads every time.
			CHECK(st["rng_stale"] == "0");
			CHECK(st["v_rng_rate"] == "0");
			CHECK(st["errata_violations"] == "0");
			REQUIRE(c.remove() == 0);
			CHECK(read_text(rng_current) != c.producer());
		}
	}
}
