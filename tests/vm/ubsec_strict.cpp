// The ubsec chip model is stricter than silicon: it checks the rules the
// BSD drivers keep (segments word-aligned and at most 0xfffc bytes, MCRs
// written only when not full, one to five packets per MCR and one per key
// MCR, context lengths, key operation output word-aligned, 580x operands
// normalized) and counts each breach (state v_<rule>). The driver keeps
// them all; its test-only switch (test_break) breaks one at a time and the
// model must catch each; where the chip's reaction lets the driver
// recover, every request still comes out right.
#include "ubsec_common.hpp"
#include "hifn_workload.hpp"

#include <catch2/catch.hpp>

#include <cerrno>

#include <fcntl.h>
#include <unistd.h>

using namespace ocft;
using namespace ubsect;

namespace {

// UBSEC_BREAK_* (kernel/drivers/ubsec/core.h)
enum : unsigned {
	break_long_seg = 1u << 0,
	break_misalign = 1u << 1,
	break_mcr_full = 1u << 2,
	break_aggr = 1u << 3,
	break_ctx_len = 1u << 4,
	break_key_align = 1u << 5,
	break_no_shift = 1u << 6,
	break_rng_short = 1u << 8,
};

std::string break_param() { return std::string(driver_params) + "test_break"; }

// 3DES-HMAC-SHA1 requests on @pin, submitted at once; all must come out right.
void sym_traffic(device &dev, std::uint32_t pin, unsigned n, const std::string &salt)
{
	hifnt::workload w(dev, pin, 2, n, "ubsec " + salt);
	REQUIRE(w.submit(dev, 0, w.ops.size()) == static_cast<int>(n));
	w.reap_and_check(dev);
}

// Modexp and RSA-CRT on @pin; all must come out right.
void key_traffic(device &dev, std::uint32_t pin, int bits)
{
	bn_ptr m = random_modulus(bits), b = random_below(m.get()), e = random_bits(bits / 2);
	bytes mod = bin(m.get()), out(mod.size());
	REQUIRE(run_modexp(dev, pin, bin(b.get()), bin(e.get()), mod, out) == 0);
	CHECK(out == bin(mod_exp(b.get(), e.get(), m.get()).get(), mod.size()));
	rsa_key k = make_rsa(static_cast<unsigned>(bits));
	bn_ptr x = random_below(k.bn_n.get());
	bytes o2(k.n.size());
	REQUIRE(run_crt(dev, pin, bin(x.get()), k, o2) == 0);
	CHECK(o2 == bin(mod_exp(x.get(), k.bn_d.get(), k.bn_n.get()).get(), k.n.size()));
}

// A fresh chip of @variant, the switch @bit on while @body runs.
void broken(const std::string &variant, unsigned bit, const std::string &rule,
	    const std::function<void(device &, chip &, std::uint32_t)> &body)
{
	device dev;
	chip c(variant);
	const std::uint32_t pin = c.id(dev);
	REQUIRE(pin != 0);
	{
		// Only this chip is driven wrongly: the work it gives back runs elsewhere.
		param_override only(std::string(driver_params) + "test_break_dev",
				    c.producer().substr(std::string("ubsec").size()));
		param_override brk(break_param(), std::to_string(bit));
		body(dev, c, pin);
	}
	INFO(variant << ", rule " << rule);
	CHECK(model_number(c.index(), "v_" + rule) > 0);
}

} // namespace

TEST_CASE("the driver keeps every rule of the strict model, 580x and 582x", "[ubsec][strict]")
{
	device dev;
	for (const char *v : {"5805", "5820", "5823"}) {
		chip c(v);
		const std::uint32_t pin = c.id(dev);
		REQUIRE(pin != 0);
		sym_traffic(dev, pin, 64, std::string("clean ") + v);
		key_traffic(dev, pin, 1024);
		INFO(v);
		auto st = model_state(c.index());
		CHECK(st["violations"] == "0");
		CHECK(st["errors"] == "0");
		CHECK(st["hangs"] == "0");
		CHECK(driver_stat(c.producer(), "resets") == 0);
		CHECK(driver_stat(c.producer(), "soft") == 0);
	}
}

TEST_CASE("a segment over 0xfffc bytes is a DMA error; the request still comes out right",
	  "[ubsec][strict]")
{
	broken("5820", break_long_seg, "seg", [](device &dev, chip &c, std::uint32_t pin) {
		auto rng = make_rng("ubsec long seg");
		alg a;
		a.name = "hmac-sha1";
		a.mac = OCF_MAC_HMAC_SHA1;
		keys k = random_keys(a, rng);
		session s(dev, a, k, pin);
		std::deque<vector_case> cases;
		std::vector<prepared_ptr> ops;
		// Past one segment: 0xfffc and 2 bytes in two, one of 0xfffe broken.
		cases.push_back(make_case(a, k, rng, 0xfffe, 0));
		ops.push_back(prepare(cases.back(), s.id(), OCF_OP_ENCRYPT, placements()[0]));
		REQUIRE(run_prepared(dev, ops) == 1);
		check_ops(ops);
		CHECK(model_number(c.index(), "dma_errors") > 0);
		CHECK(driver_stat(c.producer(), "dma_errors") > 0);
	});
}

TEST_CASE("misaligned data is a DMA error; requests still come out right", "[ubsec][strict]")
{
	broken("5820", break_misalign, "align", [](device &dev, chip &, std::uint32_t pin) {
		sym_traffic(dev, pin, 8, "misalign");
	});
}

TEST_CASE("an MCR written while the queue is full is lost; the watchdog recovers", "[ubsec][strict]")
{
	param_override fast(std::string(driver_params) + "timeout_ms", "300");
	broken("5820", break_mcr_full, "mcr_full", [](device &dev, chip &c, std::uint32_t pin) {
		sym_traffic(dev, pin, 120, "mcr full");
		CHECK(driver_stat(c.producer(), "timeouts") > 0);
	});
}

TEST_CASE("more than five packets in an MCR is an error; requests come out right", "[ubsec][strict]")
{
	broken("5820", break_aggr, "pkts", [](device &dev, chip &, std::uint32_t pin) {
		sym_traffic(dev, pin, 200, "aggregate");
	});
}

TEST_CASE("a context length that does not match its operation is an error", "[ubsec][strict]")
{
	broken("5820", break_ctx_len, "ctx_len", [](device &dev, chip &c, std::uint32_t pin) {
		sym_traffic(dev, pin, 8, "ctx len");
		key_traffic(dev, pin, 512);
		CHECK(driver_stat(c.producer(), "gave_back") > 0);
	});
}

TEST_CASE("a misaligned key operation output hangs the chip; the watchdog recovers, the work moves",
	  "[ubsec][strict]")
{
	param_override fast(std::string(driver_params) + "timeout_ms", "300");
	broken("5820", break_key_align, "key_align", [](device &dev, chip &c, std::uint32_t pin) {
		key_traffic(dev, pin, 512);
		CHECK(model_number(c.index(), "hangs") > 0);
		CHECK(driver_stat(c.producer(), "timeouts") > 0);
		CHECK(driver_stat(c.producer(), "gave_back") > 0);
	});
}

TEST_CASE("580x: unnormalized modexp operands give a wrong result", "[ubsec][strict]")
{
	broken("5805", break_no_shift, "norm", [](device &dev, chip &, std::uint32_t pin) {
		int wrong = 0;
		for (int i = 0; i < 4; i++) {
			bn_ptr m = random_modulus(1000), b = random_below(m.get()), e = random_bits(500);
			bytes mod = bin(m.get()), out(mod.size());
			REQUIRE(run_modexp(dev, pin, bin(b.get()), bin(e.get()), mod, out) == 0);
			wrong += out != bin(mod_exp(b.get(), e.get(), m.get()).get(), mod.size());
		}
		CHECK(wrong == 4);
	});
	// The same driver on a 582x is right: the chip normalizes.
	device dev;
	chip c("5820");
	param_override brk(break_param(), std::to_string(break_no_shift));
	bn_ptr m = random_modulus(1000), b = random_below(m.get()), e = random_bits(500);
	bytes mod = bin(m.get()), out(mod.size());
	REQUIRE(run_modexp(dev, c.id(dev), bin(b.get()), bin(e.get()), mod, out) == 0);
	CHECK(out == bin(mod_exp(b.get(), e.get(), m.get()).get(), mod.size()));
	CHECK(model_number(c.index(), "v_norm") == 0);
}

TEST_CASE("an RNG job with a short output buffer is an error; the reader gets EIO", "[ubsec][strict][rng]")
{
	broken("5820", break_rng_short, "length", [](device &, chip &c, std::uint32_t) {
		REQUIRE(write_text("/sys/class/misc/hw_random/rng_current", c.producer()) == 0);
		int fd = ::open("/dev/hwrng", O_RDONLY | O_CLOEXEC);
		REQUIRE(fd >= 0);
		unsigned char buf[64];
		errno = 0;
		CHECK(::read(fd, buf, sizeof(buf)) < 0);
		CHECK(errno == EIO);
		::close(fd);
		CHECK(driver_stat(c.producer(), "rng_errors") > 0);
		CHECK(driver_stat(c.producer(), "rng") == 0);
	});
}
