// ocfctl bench on the real module: every way of handing ops to /dev/ocf
// (RUN, SUBMIT/REAP, io_uring with and without SQPOLL) does ops, and their
// output is checked against OpenSSL by ocfctl itself before any cell is
// timed (the native tests show that check failing a producer that does no
// crypto); --targets gives every ratio of issues 18 and 19 with its target.
#include "../json.hpp"
#include "helpers.hpp"

#include <catch2/catch.hpp>

#include <string>
#include <vector>

using namespace ocft;

namespace {

namespace json = ocft::json;
using kind = json::value::kind;

// Runs ocfctl bench ARGS --json; returns its document (stdout alone).
json::value bench_json(const std::string &args, int want_exit = 0)
{
	child_result r = run_command(
		{"/bin/sh", "-c", std::string(OCF_OCFCTL_PATH) + " bench --json " + args + " 2>/dev/null"});
	INFO("ocfctl bench --json " << args << ":\n" << r.output);
	CHECK(r.exit_code() == want_exit);
	json::value doc;
	REQUIRE_NOTHROW(doc = json::parse(r.output));
	REQUIRE(doc.at("version").text == "1");
	return doc.at("bench");
}

} // namespace

TEST_CASE("ocfctl bench: RUN, SUBMIT/REAP and io_uring (with and without SQPOLL) each encrypt, "
	  "checked against OpenSSL, and count their ops", "[ocfctl-bench]")
{
	// swcrypt for the ciphers; null1 (not the first null producer, which
	// the policy might pick anyway) for the null cipher, which swcrypt
	// does not offer.
	struct {
		const char *producer;
		std::vector<std::string> backends;
	} const runs[] = {
		{"swcrypt",
		 {"ocf-aes", "ocf-aes-async", "ocf-aes-uring", "ocf-aes-sqpoll", "ocf-3des-async",
		  "ocf-3des-uring"}},
		{"null1", {"ocf-null", "ocf-null-async", "ocf-null-uring", "ocf-null-sqpoll"}},
	};
	for (const auto &run : runs) {
		std::string list;
		for (const auto &b : run.backends)
			list += (list.empty() ? "" : ",") + b;
		json::value b = bench_json("--backend " + list + " --producer " + run.producer +
					   " --sizes 64,16k --threads 1,2 --depth 1,64 --seconds 0.05");
		CHECK(b.at("failures").items.empty());
		// Every backend at 2 sizes x 2 thread counts x 2 depths.
		REQUIRE(b.at("results").items.size() == run.backends.size() * 8);
		for (const auto &c : b.at("results").items) {
			INFO(c.at("backend").text << " size " << c.at("size").text << " threads "
						  << c.at("threads").text << " depth " << c.at("depth").text);
			CHECK(c.at("ops_per_second").number > 0);
			CHECK(c.at("producer").text == run.producer);
			REQUIRE(c.at("runs").items.size() == 1);
		}
	}
}

TEST_CASE("ocfctl bench --targets --json: each comparison of issues 18 and 19 with its target, "
	  "from medians of interleaved runs", "[ocfctl-bench]")
{
	json::value b = bench_json("--targets --seconds 0.05 --runs 3");
	CHECK(b.at("targets").is(kind::boolean));
	CHECK(b.at("targets").boolean);
	CHECK(b.at("runs").text == "3");
	{
		INFO("failures: " << b.at("failures").items.size());
		CHECK(b.at("failures").items.empty());
	}
	// The cells the comparisons read, each run 3 times, on the producers
	// the issues name.
	REQUIRE(b.at("results").items.size() == 10);
	for (const auto &c : b.at("results").items) {
		std::string backend = c.at("backend").text;
		INFO(backend << " size " << c.at("size").text << " depth " << c.at("depth").text);
		CHECK(c.at("ops_per_second").number > 0);
		REQUIRE(c.at("runs").items.size() == 3);
		if (backend == "ocf-null")
			CHECK(c.at("producer").text == "null0");
		else if (backend.starts_with("ocf-aes"))
			CHECK(c.at("producer").text == "swcrypt");
		else
			CHECK(c.at("producer").is(kind::null));
	}
	// Seven with a target (five of issue 18, two of 19), then the 16 KiB
	// best-depth ones the matrix reports have no cells here.
	const auto &ratios = b.at("ratios").items;
	REQUIRE(ratios.size() == 7);
	unsigned of_18 = 0, of_19 = 0;
	for (const auto &r : ratios) {
		INFO(r.at("label").text);
		CHECK(r.at("ratio").number > 0);
		CHECK(r.at("target").number > 0);
		REQUIRE(r.at("met").is(kind::boolean));
		// As printed: the ratio to 3 decimals.
		CHECK(r.at("met").boolean == (r.at("ratio").number >= r.at("target").number));
		of_18 += r.at("issue").text == "18";
		of_19 += r.at("issue").text == "19";
	}
	CHECK(of_18 == 5);
	CHECK(of_19 == 2);
}
