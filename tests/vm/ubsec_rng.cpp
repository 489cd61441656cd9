// The key unit's RNG feeds hw_random: /dev/hwrng returns the chip's words
// (RNGBYPASS jobs on MCR2, counted by the driver and the model), a reader
// shares MCR2 with key operations without starving them, and a reader
// blocked in read() while the chip is pulled out or detached gets data or
// an error, never a hang.
#include "ubsec_common.hpp"
#include "hifn_workload.hpp"

#include <catch2/catch.hpp>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <future>
#include <set>

#include <fcntl.h>
#include <unistd.h>

using namespace ocft;
using namespace ubsect;

namespace {

constexpr const char *rng_current = "/sys/class/misc/hw_random/rng_current";
constexpr const char *rng_available = "/sys/class/misc/hw_random/rng_available";

// Reads /dev/hwrng 64 bytes at a time until @stop or an error; the reads
// that gave data, and the errno of the one that failed (0: none did).
struct reader {
	std::atomic<bool> stop{false};
	std::atomic<long> reads{0};
	std::future<int> result;

	reader()
	{
		result = std::async(std::launch::async, [this] {
			int fd = ::open("/dev/hwrng", O_RDONLY | O_CLOEXEC);
			if (fd < 0)
				return errno;
			unsigned char buf[64];
			int err = 0;
			while (!stop) {
				ssize_t n = ::read(fd, buf, sizeof(buf));
				if (n < 0) {
					err = errno;
					break;
				}
				reads++;
			}
			::close(fd);
			return err;
		});
	}
	~reader()
	{
		stop = true;
		if (result.valid())
			result.wait();
	}
	reader(const reader &) = delete;
	reader &operator=(const reader &) = delete;

	// Stops it; whether it ended within @ms, and its errno in @err.
	bool finish(int ms, int &err)
	{
		stop = true;
		if (result.wait_for(std::chrono::milliseconds(ms)) != std::future_status::ready)
			return false;
		err = result.get();
		return true;
	}
};

void select_rng(const chip &c)
{
	REQUIRE(write_text(rng_current, c.producer()) == 0);
	REQUIRE(read_text(rng_current) == c.producer());
}

} // namespace

TEST_CASE("/dev/hwrng gives the Broadcom RNG's words, counted by the driver: 5805, 5820",
	  "[ubsec][rng]")
{
	for (const char *variant : {"5805", "5820"}) {
		DYNAMIC_SECTION(variant)
		{
			chip c(variant);
			select_rng(c);
			const long before = driver_stat(c.producer(), "rng_bytes");
			auto words = hifnt::read_hwrng(256);
			std::set<std::uint32_t> distinct(words.begin(), words.end());
			// 256 random words: a repeat is a 2^-17 event, a constant a broken chip.
			CHECK(distinct.size() >= 250);
			CHECK(driver_stat(c.producer(), "rng_bytes") - before >= 256 * 4);
			CHECK(driver_stat(c.producer(), "rng") >= 16);
			CHECK(driver_stat(c.producer(), "rng_errors") == 0);
			auto st = model_state(c.index());
			CHECK(std::stol(st["rng_words"]) >= 256);
			CHECK(st["violations"] == "0");
			CHECK(st["errors"] == "0");
			REQUIRE(c.remove() == 0);
			CHECK(read_text(rng_current) != c.producer());
		}
	}
}

TEST_CASE("a /dev/hwrng reader shares MCR2 with key operations without starving them",
	  "[ubsec][rng]")
{
	device dev;
	chip c("5820");
	const std::uint32_t pin = c.id(dev);
	REQUIRE(pin != 0);
	select_rng(c);
	reader r;
	REQUIRE(eventually([&] { return r.reads > 4; }, 30000));
	const long rng_before = driver_stat(c.producer(), "rng");
	for (int i = 0; i < 8; i++) {
		bn_ptr m = random_modulus(1024), b = random_below(m.get()), e = random_bits(1024);
		bytes mod = bin(m.get()), out(mod.size());
		REQUIRE(run_modexp(dev, pin, bin(b.get()), bin(e.get()), mod, out) == 0);
		CHECK(out == bin(mod_exp(b.get(), e.get(), m.get()).get(), mod.size()));
	}
	// The reader kept going between the key operations.
	CHECK(driver_stat(c.producer(), "rng") > rng_before);
	int err = -1;
	REQUIRE(r.finish(30000, err));
	CHECK(err == 0);
	CHECK(driver_stat(c.producer(), "gave_back") == 0);
	CHECK(model_number(c.index(), "violations") == 0);
}

TEST_CASE("a /dev/hwrng reader while the chip goes: data or an error, never a hang",
	  "[ubsec][rng][removal]")
{
	for (const bool surprise : {true, false}) {
		DYNAMIC_SECTION((surprise ? "pulled out" : "detached"))
		{
			chip c("5820");
			select_rng(c);
			// Each RNG job takes 50 ms: the reader is mostly waiting on one.
			param_override slow(std::string(model_params) + "latency_us", "50000");
			reader r;
			REQUIRE(eventually([&] { return r.reads > 2; }, 30000));
			if (surprise)
				REQUIRE(model_write(c.index(), "surprise_remove", "1") == 0);
			else
				REQUIRE(c.remove() == 0);
			// The hwrng goes (from a workqueue after a surprise removal);
			// the reader moves to another RNG or sees the error.
			CHECK(eventually([&] { return read_text(rng_current) != c.producer(); }, 20000));
			CHECK(read_text(rng_available).find(c.producer() + " ") == std::string::npos);
			int err = -1;
			REQUIRE(r.finish(30000, err));
			INFO("reader's errno " << err);
			CHECK((err == 0 || err == ENODEV || err == EIO));
			if (surprise) {
				CHECK(driver_stat(c.producer(), "rng_errors") + driver_stat(c.producer(), "rng") >
				      0);
				CHECK(c.remove() == 0);
			}
		}
	}
}

TEST_CASE("rng=0: a chip with an RNG attaches without offering it", "[ubsec][rng]")
{
	param_override off(std::string(driver_params) + "rng", "0");
	chip c("5820");
	CHECK((read_text(rng_available) + " ").find(c.producer() + " ") == std::string::npos);
	// hw_random takes an unknown name without an error, and selects nothing.
	write_text(rng_current, c.producer());
	CHECK(read_text(rng_current) != c.producer());
}
