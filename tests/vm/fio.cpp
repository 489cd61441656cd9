// fio through our external engine (issue 19): every job of tools/fio's
// swcrypt job files runs, and the bytes and I/Os fio reports are the bytes
// and requests swcrypt's statistics gained; an engine that skips ops while
// telling fio they were done is caught by the same comparison.
#include "fio_common.hpp"
#include <catch2/catch.hpp>

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

void run_file(const std::string &file, std::size_t sections)
{
	require_engine();
	const auto names = fio::sections(file);
	CHECK(names.size() == sections);
	const auto r = fio::run(file, "", OCF_FIO_ENGINE_PATH, ios, swcrypt);
	INFO(r.log);
	CHECK(fio::mismatch(r, ios) == "");
	// Every section ran, in the file's order.
	REQUIRE(r.jobs.size() == names.size());
	for (std::size_t i = 0; i < names.size(); i++)
		CHECK(r.jobs[i].name == names[i]);
}

} // namespace

TEST_CASE("fio: every AES-128-CBC job runs, and fio's byte count is swcrypt's", "[fio]")
{
	// Three sizes at three depths, and one through an SQPOLL ring.
	run_file("aes-128-cbc.fio", 10);
}

TEST_CASE("fio: every 3DES-CBC job runs, and fio's byte count is swcrypt's", "[fio]")
{
	run_file("3des-cbc.fio", 9);
}

TEST_CASE("fio: the SUBMIT/REAP backend, decryption, and threads with their own sessions",
	  "[fio]")
{
	require_engine();
	// randrw: reads decrypt, writes encrypt.
	const auto r = fio::run("aes-128-cbc.fio", "aes-128-1k-qd16", OCF_FIO_ENGINE_PATH, ios,
				swcrypt, {"backend=submit", "rw=randrw", "numjobs=3"});
	INFO(r.log);
	CHECK(fio::mismatch(r, ios) == "");
	REQUIRE(r.jobs.size() == 1);
	CHECK(r.jobs[0].threads == 3);
}

TEST_CASE("fio: an engine that skips ops is caught by the byte count", "[fio]")
{
	require_engine();
	// Every 10th op is reported done without going to OCF.
	const auto r = fio::run("aes-128-cbc.fio", "aes-128-1k-qd16", OCF_FIO_SKIPPING_ENGINE_PATH,
				ios, swcrypt);
	INFO(r.log);
	REQUIRE(r.ran);
	REQUIRE(r.jobs.size() == 1);
	CHECK(r.jobs[0].ios == ios);
	CHECK(r.ocf_requests == ios - ios / 10);
	CHECK(r.ocf_bytes == r.jobs[0].io_bytes / ios * r.ocf_requests);
	CHECK(fio::mismatch(r, ios) != "");
}
