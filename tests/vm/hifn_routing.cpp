// What OCF itself keeps from a Hifn producer: requests longer than its
// max_len (they go to a producer that takes them, or fail with -E2BIG
// before the driver sees them), and sessions with a chain order the chip
// does not do (OCF_SESSION_MAC_THEN_CIPHER: the paper's policy picks a
// producer that can).
#include "hifn_common.hpp"
#include "checks.hpp"

#include <catch2/catch.hpp>

#include <cerrno>

using namespace ocft;
using namespace hifnt;

namespace {

std::uint64_t requests_of(device &dev, std::uint32_t producer)
{
	auto p = producer_by_id(dev, producer);
	REQUIRE(p);
	return p->stats.requests + p->stats.errors;
}

std::uint32_t swcrypt_id(device &dev)
{
	auto p = producer_named(dev, "swcrypt");
	REQUIRE(p);
	return p->id;
}

} // namespace

TEST_CASE("a request longer than a chip takes is not given to the chip", "[hifn][routing]")
{
	device dev;
	alg a = make_alg("3des-cbc", OCF_CIPHER_3DES_CBC, OCF_ALG_NONE, 24);
	auto rng = make_rng("hifn routing max_len");
	keys k = random_keys(a, rng);
	// One block past the chip's longest range, within /dev/ocf's limit.
	const std::uint32_t text = (max_len + 8) & ~7u;
	REQUIRE(text <= static_cast<std::uint32_t>(ocf_param("max_op_len")));

	SECTION("the default policy serves it in software")
	{
		param_override policy(std::string(ocf_params) + "policy", "completion");
		session s(dev, a, k);
		const auto sw = swcrypt_id(dev);
		const auto sw_before = requests_of(dev, sw);
		check_round_trip(dev, make_case(a, k, rng, text, 0), s.id(), placements()[0],
				 placements()[2]);
		CHECK(requests_of(dev, sw) == sw_before + 2);
	}
	SECTION("pinned to a chip, it fails with -E2BIG and the chip never sees it")
	{
		auto chip = producer_of_model(dev, 0);
		REQUIRE(chip);
		session s(dev, a, k, chip->id);
		const auto before = requests_of(dev, chip->id);
		buffer b(text, 0);
		bytes iv = random_bytes(rng, 8);
		ocf_op op{};
		ocf_op_cipher(&op, s.id(), OCF_OP_ENCRYPT, b.data(), nullptr, text, iv.data());
		REQUIRE(ocf_run(dev.get(), &op, 1) == 1);
		CHECK(op.status == -E2BIG);
		CHECK(requests_of(dev, chip->id) == before);
	}
}

TEST_CASE("MAC-then-cipher sessions go to a producer that chains in that order",
	  "[hifn][routing]")
{
	device dev;
	alg a = make_alg("3des-cbc+hmac-sha1 mac-then-cipher", OCF_CIPHER_3DES_CBC,
			 OCF_MAC_HMAC_SHA1, 24, 0, OCF_SESSION_MAC_THEN_CIPHER);
	auto rng = make_rng("hifn routing mac-then-cipher");
	const auto sw = swcrypt_id(dev);

	for (const char *policy : {"sessions", "completion"}) {
		INFO("policy " << policy);
		param_override set(std::string(ocf_params) + "policy", policy);
		keys k = random_keys(a, rng);
		session s(dev, a, k);
		CHECK(s.producer() == sw);
		auto info = session_info(dev, s.id());
		REQUIRE(info);
		CHECK(info->producer == sw);

		check_round_trip(dev, make_case(a, k, rng, 4096, 13), s.id(), placements()[1],
				 placements()[3]);
	}
	// The chips say what they do not do.
	for (const auto &p : hifn_producers(dev))
		CHECK_FALSE(p.flags & OCF_PRODUCER_CAN_MAC_THEN_CIPHER);
	auto swp = producer_by_id(dev, sw);
	REQUIRE(swp);
	CHECK(swp->flags & OCF_PRODUCER_CAN_MAC_THEN_CIPHER);
}
