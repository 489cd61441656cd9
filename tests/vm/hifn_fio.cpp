// fio's Table I jobs (tools/fio/hifn-table1.fio) on the four Hifn 7751
// models: each runs, fio's byte count is what the chips completed, and the
// sessions sit where the job file puts them (job thread t on chip t mod 4;
// the async job on all four).
#include "fio_common.hpp"
#include <catch2/catch.hpp>

#include <string>
#include <vector>

using namespace ocft;

namespace {

const std::vector<std::string> chips = {"hifn0", "hifn1", "hifn2", "hifn3"};

} // namespace

TEST_CASE("fio: every Table I job runs on the Hifn models, and fio's byte count is theirs",
	  "[fio]")
{
	INFO("libfio_ocf.so was not built: fio's source is missing (run tools/deps)");
	REQUIRE(std::string(OCF_FIO_ENGINE_PATH) != "");
	const auto names = fio::sections("hifn-table1.fio");
	CHECK(names.size() == 36);

	SECTION("the whole file")
	{
		const auto r = fio::run("hifn-table1.fio", "", OCF_FIO_ENGINE_PATH, 4, chips);
		INFO(r.log);
		CHECK(fio::mismatch(r, 4) == "");
		REQUIRE(r.jobs.size() == names.size());
		for (std::size_t i = 0; i < names.size(); i++)
			CHECK(r.jobs[i].name == names[i]);
	}
	// Two threads: chips 0 and 1; the async job: every chip.
	for (const auto &[section, busy] : {std::pair{"table1-16k-t2", 2u}, {"table1-1k-async", 4u}}) {
		DYNAMIC_SECTION(section)
		{
			const auto r = fio::run("hifn-table1.fio", section, OCF_FIO_ENGINE_PATH, 8, chips);
			INFO(r.log);
			CHECK(fio::mismatch(r, 8) == "");
			for (unsigned c = 0; c < 4; c++) {
				INFO("chip " << c);
				CHECK((r.producer_bytes.at(c) > 0) == (c < busy));
			}
		}
	}
}
