// fio through our external engine (issue 19): every job of tools/fio's
// swcrypt job files runs, and the bytes and I/Os fio reports are the bytes
// and requests swcrypt's statistics gained; an engine that skips ops while
// telling fio they were done is caught by the same comparison.
#include "catch.hpp"
#include "fio_common.hpp"

#include <string>
#include <vector>

using namespace ocft;

namespace {

const std::vector<std::string> swcrypt = {"swcrypt"};

// Each job thread's ops: a 16 KiB job at depth 64 fills its ring twice.
constexpr unsigned ios = 128;

void require_engine()
{
	INFO("libfio_ocf.so was not built: fio's source is missing (run tools/deps)");
	REQUIRE(std::string(OCF_FIO_ENGINE_PATH) != "");
}

void check_counts(const fio::result &r, unsigned threads)
{
	INFO(r.log);
	CHECK(fio::mismatch(r, std::uint64_t(ios) * threads) == "");
}

void run_file(const std::string &file, const std::vector<std::string> &extra = {})
{
	require_engine();
	const auto names = fio::sections(file);
	REQUIRE(names.size() == 9);
	for (const auto &s : names) {
		DYNAMIC_SECTION(s)
		{
			check_counts(fio::run(file, s, OCF_FIO_ENGINE_PATH, ios, swcrypt, extra), 1);
		}
	}
}

} // namespace

TEST_CASE("fio: every AES-128-CBC job runs, and fio's byte count is swcrypt's", "[fio]")
{
	run_file("aes-128-cbc.fio");
}

TEST_CASE("fio: every 3DES-CBC job runs, and fio's byte count is swcrypt's", "[fio]")
{
	run_file("3des-cbc.fio");
}

TEST_CASE("fio: the SUBMIT/REAP backend, decryption, and threads with their own sessions",
	  "[fio]")
{
	require_engine();
	for (const char *rw : {"write", "read", "randrw"}) {
		DYNAMIC_SECTION(rw)
		{
			const auto r = fio::run("aes-128-cbc.fio", "aes-128-1k-qd16", OCF_FIO_ENGINE_PATH,
						ios, swcrypt,
						{"backend=submit", std::string("rw=") + rw, "numjobs=3"});
			check_counts(r, 3);
		}
	}
}

TEST_CASE("fio: an engine that skips ops is caught by the byte count", "[fio]")
{
	require_engine();
	// Every 10th op is reported done without going to OCF.
	const auto r = fio::run("aes-128-cbc.fio", "aes-128-1k-qd16", OCF_FIO_SKIPPING_ENGINE_PATH,
				ios, swcrypt);
	INFO(r.log);
	REQUIRE(r.ran);
	CHECK(r.ios == ios);
	CHECK(r.ocf_requests == ios - ios / 10);
	CHECK(r.ocf_bytes == r.io_bytes / ios * r.ocf_requests);
	CHECK(fio::mismatch(r, ios) != "");
}
