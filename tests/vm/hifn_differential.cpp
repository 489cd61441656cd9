// Differential tests of the Hifn driver through the chip model: every
// algorithm and chain the chip offers, through sessions pinned to a hifn
// producer, against OpenSSL's default provider, at sizes from 0 to the
// chip's largest, in place and out of place, at odd addresses, both ways; a
// bad MAC fails with -EBADMSG and releases no plain text; requests past the
// chip's limits; many requests in flight at once.
#include "hifn_common.hpp"
#include "checks.hpp"
#include "hifn_workload.hpp"

#include <catch2/catch.hpp>

#include <cerrno>
#include <cstring>
#include <deque>

using namespace ocft;
using namespace hifnt;

namespace {

// AAD (authenticated-only header) lengths for chains, by size index; the
// largest case takes the last.
constexpr std::uint32_t aad[] = {8, 0, 13, 20};

// Every size of @a on producer @pin: both ways, in and out of place (the
// largest size in one placement), then tampered MACs.
void differential(device &dev, const alg &a, std::uint32_t pin)
{
	const std::uint32_t largest = pinned_differential(dev, a, pin, max_len, aad, "hifn");
	// The largest case fills the chip's limit.
	CHECK(largest + a.block() > max_len);
}

} // namespace

TEST_CASE("a 7751 matches OpenSSL in every algorithm and chain, at every size, both ways, in and out "
	  "of place", "[hifn][differential]")
{
	OCFT_SEED_INFO();
	device dev;
	auto p = producer_of_model(dev, 0);
	REQUIRE(p);
	for (const alg &a : hifn_algs(p->algs))
		DYNAMIC_SECTION(a.name) { differential(dev, a, p->id); }
	// The model did the work.
	CHECK(model_number(0, "commands") > 0);
}

TEST_CASE("a 7956 matches OpenSSL in every algorithm and chain, AES included", "[hifn][differential]")
{
	OCFT_SEED_INFO();
	device dev;
	chip c("7956");
	auto p = producer_named(dev, c.producer());
	REQUIRE(p);
	REQUIRE((p->algs >> OCF_CIPHER_AES_CBC) & 1);
	// One chip for all of them (a section would re-run the test case and make a new one).
	for (const alg &a : hifn_algs(p->algs))
		differential(dev, a, p->id);
}

TEST_CASE("HMAC keys of every length, longer than a block too, match OpenSSL", "[hifn][differential]")
{
	device dev;
	auto p = producer_of_model(dev, 1);
	REQUIRE(p);
	auto rng = make_rng("hifn hmac keys");
	for (std::uint32_t mac : {std::uint32_t{OCF_MAC_HMAC_MD5}, std::uint32_t{OCF_MAC_HMAC_SHA1}}) {
		alg a = make_alg(mac == OCF_MAC_HMAC_MD5 ? "hmac-md5" : "hmac-sha1", OCF_ALG_NONE, mac, 0);
		std::vector<std::unique_ptr<session>> sessions;
		std::deque<vector_case> cases;
		std::vector<prepared_ptr> ops;
		for (std::uint32_t klen : {0u, 1u, 16u, 20u, 63u, 64u, 65u, 100u, 128u}) {
			keys k;
			k.mac = random_bytes(rng, klen);
			sessions.push_back(std::make_unique<session>(dev, a, k, p->id));
			cases.push_back(make_case(a, k, rng, 300, 0));
			ops.push_back(prepare(cases.back(), sessions.back()->id(), OCF_OP_ENCRYPT, placements()[0]));
		}
		REQUIRE(run_prepared(dev, ops) == static_cast<int>(ops.size()));
		check_ops(ops);
	}
}

TEST_CASE("requests past the chip's limits fail cleanly", "[hifn][differential]")
{
	device dev;
	auto p = producer_of_model(dev, 0);
	REQUIRE(p);
	alg a = make_alg("3des-cbc", OCF_CIPHER_3DES_CBC, OCF_ALG_NONE, 24);
	auto rng = make_rng("hifn limits");
	keys k = random_keys(a, rng);
	session s(dev, a, k, p->id);
	bytes iv = random_bytes(rng, 8);

	SECTION("a range longer than the chip's 18-bit counts: -E2BIG")
	{
		buffer b(max_len + 8, 0);
		ocf_op op{};
		ocf_op_cipher(&op, s.id(), OCF_OP_ENCRYPT, b.data(), nullptr, max_len + 4, iv.data());
		REQUIRE(ocf_run(dev.get(), &op, 1) == 1);
		CHECK(op.status == -E2BIG);
	}
	SECTION("the longest range (in whole blocks) is fine")
	{
		const std::uint32_t len = max_len & ~7u;
		buffer b(len, 0);
		b.fill(0x42);
		bytes in = b.copy();
		ocf_op op{};
		ocf_op_cipher(&op, s.id(), OCF_OP_ENCRYPT, b.data(), nullptr, len, iv.data());
		REQUIRE(ocf_run(dev.get(), &op, 1) == 1);
		CHECK(op.status == 0);
		CHECK(diff(b.data(), ref_cipher(a.cipher, k.cipher, iv, in.data(), len, true)) == "");
	}
}

TEST_CASE("hundreds of requests in flight on one chip all complete, correct", "[hifn][differential]")
{
	device dev;
	auto p = producer_of_model(dev, 2);
	REQUIRE(p);
	alg a = make_alg("3des-cbc+hmac-sha1", OCF_CIPHER_3DES_CBC, OCF_MAC_HMAC_SHA1, 24);
	auto rng = make_rng("hifn in flight");
	std::vector<std::unique_ptr<session>> sessions;
	std::deque<vector_case> cases;
	std::vector<prepared_ptr> ops;
	for (unsigned i = 0; i < 8; i++) {
		keys k = random_keys(a, rng);
		sessions.push_back(std::make_unique<session>(dev, a, k, p->id));
		for (unsigned j = 0; j < 40; j++) {
			cases.push_back(make_case(a, k, rng, 8 * (1 + random_below(rng, 700)), 8));
			ops.push_back(prepare(cases.back(), sessions.back()->id(), j % 2 ? OCF_OP_DECRYPT :
				      OCF_OP_ENCRYPT, placements()[j % 4], ops.size()));
		}
	}
	std::vector<ocf_op> batch;
	for (const auto &op : ops)
		batch.push_back(op->op);
	REQUIRE(ocf_submit(dev.get(), batch.data(), static_cast<unsigned>(batch.size())) ==
		static_cast<int>(batch.size()));
	check_reaped_once(dev, ops);
}
