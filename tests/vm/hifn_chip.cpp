// The Hifn driver brings up each part as hardware.md says, against the chip
// model: unlock (13 rounds; never twice), the context RAM probe and the
// session count it gives, the 7811's burst-write erratum, the 795x PLL, the
// algorithms per unlock level, and the chain orders it offers.
#include "hifn_common.hpp"
#include "checks.hpp"

#include <catch2/catch.hpp>

#include <cerrno>
#include <regex>

using namespace ocft;
using namespace hifnt;

namespace {

constexpr std::uint64_t bit(std::uint32_t a) { return std::uint64_t{1} << a; }

constexpr std::uint64_t level1_algs = bit(OCF_CIPHER_DES_CBC) | bit(OCF_HASH_MD5) | bit(OCF_HASH_SHA1) |
				      bit(OCF_MAC_HMAC_MD5) | bit(OCF_MAC_HMAC_SHA1);
constexpr std::uint64_t level2_algs = level1_algs | bit(OCF_CIPHER_3DES_CBC);

// One request of @a through a session pinned to @pin, checked against OpenSSL.
void one_op(device &dev, const alg &a, std::uint32_t pin, std::uint32_t text)
{
	auto rng = make_rng("hifn one op " + a.name);
	keys k = random_keys(a, rng);
	session s(dev, a, k, pin);
	REQUIRE(s.producer() == pin);
	vector_case vc = make_case(a, k, rng, text, a.kind() == mode::chain ? 8 : 0);
	check_round_trip(dev, vc, s.id(), placements()[0], placements()[2]);
}

} // namespace

TEST_CASE("four model 7751s attach as hardware producers that chain, with the 7751's algorithms",
	  "[hifn][chip]")
{
	device dev;
	std::vector<unsigned> sevens;
	for (unsigned i : model_indexes())
		if (model_state(i)["variant"] == "7751" && i < 4)
			sevens.push_back(i);
	REQUIRE(sevens.size() == 4);
	for (unsigned i : sevens) {
		INFO("model " << i);
		auto st = model_state(i);
		auto p = producer_of_model(dev, i);
		REQUIRE(p);
		CHECK(p->flags == (OCF_PRODUCER_HARDWARE | OCF_PRODUCER_CAN_CHAIN));
		CHECK(p->algs == level2_algs);
		CHECK(p->max_len == max_len);
		// 128 KiB of SRAM found by the probe: 1 + (128 KiB - 32 KiB) / 512-byte contexts.
		CHECK(p->max_sessions == 193);
		CHECK(st["ram"] == "sram");
		// 2048 markers written top down, then read back until the first wrong one.
		CHECK(model_number(i, "ram_ops") >= 2048 + 9);
		// Unlocked by the handshake: a zero, then 13 signatures (12 would leave it locked).
		CHECK(st["unlocked"] == "1");
		CHECK(st["dead"] == "0");
		CHECK(st["level"] == "0x1100");
		CHECK(model_number(i, "unlock_writes") == 14);
		CHECK(st["errata_violations"] == "0");
	}
}

TEST_CASE("the driver unlocks with exactly 13 signatures: a chip wanting 12 or 14 stays locked",
	  "[hifn][chip][unlock]")
{
	device dev;
	const auto before = hifn_producers(dev).size();
	for (const char *rounds : {"12", "14"}) {
		INFO("a chip that unlocks after " << rounds << " signatures");
		param_override want(std::string(model_params) + "unlock_rounds", rounds);
		kmsg_tail log;
		// 12: the 13th signature hits an unlocked chip and kills it; 14: one short.
		CHECK(write_text(std::string(model_debugfs) + "new", "7811") == -ENODEV);
		CHECK(log.wait_for(std::regex("crypto engines stay locked"), 10000));
	}
	// The failed attaches left nothing behind.
	CHECK(hifn_producers(dev).size() == before);
	chip good("7811");
	CHECK(model_state(good.index())["unlocked"] == "1");
	CHECK(model_number(good.index(), "unlock_writes") == 14);
}

TEST_CASE("a chip that is unlocked already is not unlocked twice", "[hifn][chip][unlock]")
{
	device dev;
	param_override pre(std::string(model_params) + "preunlocked", "1");
	chip c("7751");
	auto st = model_state(c.index());
	CHECK(st["unlocked"] == "1");
	CHECK(st["dead"] == "0");
	CHECK(model_number(c.index(), "unlock_writes") == 0);
	auto p = producer_named(dev, c.producer());
	REQUIRE(p);
	CHECK(p->algs == level2_algs);
	one_op(dev, make_alg("3des-cbc", OCF_CIPHER_3DES_CBC, OCF_ALG_NONE, 24), p->id, 64);
}

TEST_CASE("a chip unlocked at level 1 offers DES, MD5, SHA1 and their HMACs, not 3DES",
	  "[hifn][chip][unlock]")
{
	device dev;
	param_override level(std::string(model_params) + "unlock_level", "1");
	chip c("7811");
	auto p = producer_named(dev, c.producer());
	REQUIRE(p);
	CHECK(p->algs == level1_algs);
	CHECK(model_state(c.index())["level"] == "0x1000");

	alg des3 = make_alg("3des-cbc", OCF_CIPHER_3DES_CBC, OCF_ALG_NONE, 24);
	auto rng = make_rng("level 1");
	std::uint32_t id = 0;
	CHECK(new_session(dev, des3, random_keys(des3, rng), &id, nullptr, p->id) == -EOPNOTSUPP);
	one_op(dev, make_alg("des-cbc+hmac-sha1", OCF_CIPHER_DES_CBC, OCF_MAC_HMAC_SHA1, 8), p->id, 256);
}

TEST_CASE("the 7811: DRAM size from the straps, no burst writes, its RNG running", "[hifn][chip]")
{
	device dev;
	chip c("7811");
	auto p = producer_named(dev, c.producer());
	REQUIRE(p);
	CHECK(p->algs == level2_algs);
	// 1 MiB of DRAM: 1 + (1 MiB - 32 KiB) / 512.
	CHECK(p->max_sessions == 1985);
	CHECK(model_state(c.index())["ram"] == "dram");
	for (const alg &a : hifn_algs(p->algs))
		one_op(dev, a, p->id, 1024);
	auto st = model_state(c.index());
	// Every write 4 bytes past the last one came after a read (else the chip locks up).
	CHECK(st["errata_violations"] == "0");
	CHECK(st["rng_enabled"] == "1");
	CHECK(model_number(c.index(), "commands") >= 2);
}

TEST_CASE("the 7951: SRAM probed, the 795x RNG on the PCI clock, no AES", "[hifn][chip]")
{
	device dev;
	chip c("7951");
	auto p = producer_named(dev, c.producer());
	REQUIRE(p);
	CHECK(p->algs == level2_algs);
	CHECK(p->max_sessions == 193);
	auto st = model_state(c.index());
	CHECK(st["ram"] == "sram");
	CHECK(st["rng_enabled"] == "1");
	one_op(dev, make_alg("3des-cbc+hmac-md5", OCF_CIPHER_3DES_CBC, OCF_MAC_HMAC_MD5, 24), p->id, 2048);
}

TEST_CASE("the 7955 and 7956: engines on the PLL, AES, 32 KiB of context RAM", "[hifn][chip]")
{
	device dev;
	for (const char *variant : {"7955", "7956"}) {
		DYNAMIC_SECTION(variant)
		{
			chip c(variant);
			auto p = producer_named(dev, c.producer());
			REQUIRE(p);
			CHECK(p->algs == (level2_algs | bit(OCF_CIPHER_AES_CBC)));
			// ENCCNFG strap: 128-byte contexts in 32 KiB.
			CHECK(p->max_sessions == 256);
			auto st = model_state(c.index());
			CHECK(st["pe_clock"] == "full");
			long pll = model_number(c.index(), "pll");
			CHECK((pll & 0x18) == 0x18);	// PK and PE clocks on the PLL
			CHECK((pll & 0x2) == 0);	// out of bypass
			CHECK((pll & 0x400) != 0);	// MBSET
			CHECK(((pll >> 11) & 7) == 1);	// ext66: x4
			one_op(dev, make_alg("aes-256-cbc+hmac-sha1", OCF_CIPHER_AES_CBC, OCF_MAC_HMAC_SHA1, 32),
			       p->id, 4096);
		}
	}
}

TEST_CASE("MAC-then-cipher sessions are not offered: the chip's order is encrypt-then-MAC",
	  "[hifn][chip]")
{
	device dev;
	auto p = producer_of_model(dev, 0);
	REQUIRE(p);
	alg a = make_alg("3des-cbc+hmac-sha1 mac-then-cipher", OCF_CIPHER_3DES_CBC, OCF_MAC_HMAC_SHA1, 24, 0,
			 OCF_SESSION_MAC_THEN_CIPHER);
	auto rng = make_rng("mtc");
	std::uint32_t id = 0, producer = 0;
	CHECK(new_session(dev, a, random_keys(a, rng), &id, nullptr, p->id) == -EOPNOTSUPP);
	// Not pinned, such a session goes to a producer that does it.
	REQUIRE(new_session(dev, a, random_keys(a, rng), &id, &producer) == 0);
	auto chosen = producer_by_id(dev, producer);
	REQUIRE(chosen);
	CHECK(std::string(chosen->name).substr(0, 4) != "hifn");
	CHECK(ocf_session_free(dev.get(), id) == 0);
}
