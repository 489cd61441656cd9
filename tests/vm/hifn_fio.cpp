// fio's Table I jobs (tools/fio/hifn-table1.fio) on the four Hifn 7751
// models: each runs, fio's byte count is what the chips completed, and the
// sessions sit where the job file puts them (job thread t on chip t mod 4;
// the async job on all four).
#include "catch.hpp"
#include "fio_common.hpp"

#include <algorithm>
#include <string>
#include <vector>

using namespace ocft;

TEST_CASE("fio: every Table I job runs on the Hifn models, and fio's byte count is theirs",
	  "[fio]")
{
	INFO("libfio_ocf.so was not built: fio's source is missing (run tools/deps)");
	REQUIRE(std::string(OCF_FIO_ENGINE_PATH) != "");
	const std::vector<std::string> chips = {"hifn0", "hifn1", "hifn2", "hifn3"};
	constexpr unsigned ios = 8;
	const auto names = fio::sections("hifn-table1.fio");
	REQUIRE(names.size() == 36);
	for (const auto &s : names) {
		DYNAMIC_SECTION(s)
		{
			// "table1-SIZE-tN": N threads; "table1-SIZE-async": one.
			const auto t = s.rfind("-t");
			const unsigned threads = t == std::string::npos ? 1 : std::stoul(s.substr(t + 2));
			const auto r = fio::run("hifn-table1.fio", s, OCF_FIO_ENGINE_PATH, ios, chips);
			INFO(r.log);
			CHECK(fio::mismatch(r, std::uint64_t(ios) * threads) == "");
			const unsigned busy = t == std::string::npos ? 4 : std::min(threads, 4u);
			for (unsigned c = 0; c < 4; c++) {
				INFO("chip " << c);
				CHECK((r.producer_bytes.at(c) > 0) == (c < busy));
			}
		}
	}
}
