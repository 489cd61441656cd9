// Differential tests of the ubsec driver through the chip model: every
// cipher, HMAC and chain the chip offers, through sessions pinned to a
// ubsec producer, against OpenSSL's default provider, on a 580x (5805:
// short contexts), a 582x (5820: long contexts) and a 5823 (AES), at sizes
// from 0 to the chip's largest, in place and out of place, both ways; bad
// MACs fail with -EBADMSG; layouts the chip cannot take are done right in
// software; under load MCRs carry several packets.
#include "ubsec_common.hpp"
#include "checks.hpp"
#include "hifn_workload.hpp"

#include <catch2/catch.hpp>

#include <deque>

using namespace ocft;
using namespace ubsect;

namespace {

// AAD lengths for chains, by size index: whole words, as the chip takes
// them (an odd one is the software test's); the largest case takes the last.
constexpr std::uint32_t aad[] = {8, 0, 12, 20};

void differential(device &dev, const alg &a, std::uint32_t pin)
{
	hifnt::pinned_differential(dev, a, pin, max_len, aad, "ubsec");
}

void differential_on(device &dev, unsigned index)
{
	auto p = producer_of_model(dev, index);
	REQUIRE(p);
	const long before = model_number(index, "mcr1_packets");
	for (const alg &a : ubsec_algs(p->algs))
		differential(dev, a, p->id);
	// The chip did the work, by the rules.
	CHECK(model_number(index, "mcr1_packets") - before > 100);
	CHECK(model_number(index, "violations") == 0);
	CHECK(model_number(index, "errors") == 0);
}

} // namespace

TEST_CASE("a 5805 (short contexts) matches OpenSSL in every cipher, HMAC and chain, at every size",
	  "[ubsec][differential]")
{
	OCFT_SEED_INFO();
	device dev;
	REQUIRE(model_state(0)["variant"] == "5805");
	differential_on(dev, 0);
}

TEST_CASE("a 5820 (long contexts) matches OpenSSL in every cipher, HMAC and chain, at every size",
	  "[ubsec][differential]")
{
	OCFT_SEED_INFO();
	device dev;
	REQUIRE(model_state(1)["variant"] == "5820");
	differential_on(dev, 1);
}

TEST_CASE("a 5823 matches OpenSSL in AES-CBC, alone and chained", "[ubsec][differential]")
{
	OCFT_SEED_INFO();
	device dev;
	chip c("5823");
	auto p = producer_named(dev, c.producer());
	REQUIRE(p);
	REQUIRE((p->algs >> OCF_CIPHER_AES_CBC) & 1);
	for (const alg &a : ubsec_algs(p->algs))
		if (a.cipher == OCF_CIPHER_AES_CBC)
			differential(dev, a, p->id);
	CHECK(model_number(c.index(), "violations") == 0);
	CHECK(model_number(c.index(), "errors") == 0);
}

TEST_CASE("layouts the chip cannot take are done right in software", "[ubsec][differential]")
{
	device dev;
	auto p = producer_of_model(dev, 1);
	REQUIRE(p);
	const long soft = driver_stat(p->name, "soft");
	auto rng = make_rng("ubsec soft layouts");
	alg a;
	a.name = "3des-cbc+hmac-sha1";
	a.cipher = OCF_CIPHER_3DES_CBC;
	a.mac = OCF_MAC_HMAC_SHA1;
	a.key_len = 24;
	keys k = random_keys(a, rng);
	session s(dev, a, k, p->id);
	std::deque<vector_case> cases;
	std::vector<prepared_ptr> ops;
	// A header of 13 bytes: the cipher region starts mid-word in the MAC's.
	for (std::uint32_t text : {8u, 64u, 1024u}) {
		cases.push_back(make_case(a, k, rng, text, 13));
		for (std::uint32_t dir : {OCF_OP_ENCRYPT, OCF_OP_DECRYPT})
			ops.push_back(prepare(cases.back(), s.id(), dir, placements()[0]));
	}
	REQUIRE(run_prepared(dev, ops) == static_cast<int>(ops.size()));
	check_ops(ops);
	CHECK(driver_stat(p->name, "soft") - soft == static_cast<long>(ops.size()));
}

TEST_CASE("under load MCRs carry several packets, never more than five", "[ubsec][differential][batch]")
{
	device dev;
	auto p = producer_of_model(dev, 1);
	REQUIRE(p);
	const long batched = driver_stat(p->name, "mcr1_batched");
	alg a;
	a.name = "3des-cbc+hmac-sha1";
	a.cipher = OCF_CIPHER_3DES_CBC;
	a.mac = OCF_MAC_HMAC_SHA1;
	a.key_len = 24;
	auto rng = make_rng("ubsec batching");
	keys k = random_keys(a, rng);
	session s(dev, a, k, p->id);
	std::deque<vector_case> cases;
	std::vector<prepared_ptr> ops;
	for (unsigned j = 0; j < 200; j++) {
		cases.push_back(make_case(a, k, rng, 8 * (1 + random_below(rng, 256)), 8));
		ops.push_back(prepare(cases.back(), s.id(), j % 2 ? OCF_OP_DECRYPT : OCF_OP_ENCRYPT,
				      placements()[j % 4], ops.size()));
	}
	std::vector<ocf_op> batch;
	for (const auto &op : ops)
		batch.push_back(op->op);
	REQUIRE(ocf_submit(dev.get(), batch.data(), static_cast<unsigned>(batch.size())) ==
		static_cast<int>(batch.size()));
	check_reaped_once(dev, ops);
	CHECK(driver_stat(p->name, "mcr1_batched") > batched);
	CHECK(driver_stat(p->name, "max_batch") >= 2);
	CHECK(driver_stat(p->name, "max_batch") <= 5);
	CHECK(model_number(1, "v_pkts") == 0);
}
