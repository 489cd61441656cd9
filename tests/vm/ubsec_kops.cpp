// Key operations on the ubsec chips through the chip model, pinned to the
// ubsec producer, against OpenSSL: modexp at every modulus size each chip
// takes (580x: up to 1024 bits, shifted by the driver; 582x: up to 2048,
// normalized by the chip) and RSA with CRT; what a chip cannot take runs
// elsewhere, right.
#include "ubsec_common.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <string_view>

using namespace ocft;
using namespace ubsect;

namespace {

std::uint64_t kop_requests(device &dev, const std::string &name)
{
	auto p = producer_named(dev, name);
	REQUIRE(p);
	return p->stats.kop_requests;
}

// Modexp on @bits-bit moduli pinned to @p: @cases random cases, exponents
// of 1 to @bits bits; all right, all done by the chip.
void modexp_sizes(device &dev, const ocf_producer_info &p, const std::vector<int> &sizes)
{
	auto rng = make_rng("ubsec modexp " + std::string(p.name));
	const std::uint64_t before = kop_requests(dev, p.name);
	std::uint64_t done = 0;
	for (int bits : sizes) {
		for (int i = 0; i < 4; i++) {
			bn_ptr m = random_modulus(bits);
			bn_ptr b = random_below(m.get());
			const int ebits = i == 0 ? bits : i == 1 ? std::min(17, bits) :
					  1 + static_cast<int>(random_below(rng, static_cast<std::uint32_t>(bits)));
			bn_ptr e = random_bits(ebits);
			bytes mod = bin(m.get()), out(mod.size(), 0xa5);
			INFO(p.name << ": " << bits << "-bit modulus, " << ebits << "-bit exponent");
			REQUIRE(run_modexp(dev, p.id, bin(b.get()), bin(e.get()), mod, out) == 0);
			CHECK(out == bin(mod_exp(b.get(), e.get(), m.get()).get(), mod.size()));
			done++;
		}
	}
	CHECK(kop_requests(dev, p.name) - before == done);
	CHECK(driver_stat(p.name, "gave_back") == 0);
}

void crt_sizes(device &dev, const ocf_producer_info &p, const std::vector<unsigned> &sizes)
{
	const std::uint64_t before = kop_requests(dev, p.name);
	std::uint64_t done = 0;
	for (unsigned bits : sizes) {
		rsa_key k = make_rsa(bits);
		for (int i = 0; i < 4; i++) {
			bn_ptr x = random_below(k.bn_n.get());
			bytes out(k.n.size(), 0xee);
			INFO(p.name << ": RSA-" << bits << ", case " << i);
			REQUIRE(run_crt(dev, p.id, bin(x.get()), k, out) == 0);
			CHECK(out == bin(mod_exp(x.get(), k.bn_d.get(), k.bn_n.get()).get(), k.n.size()));
			done++;
		}
	}
	CHECK(kop_requests(dev, p.name) - before == done);
}

} // namespace

TEST_CASE("ubsec producers offer modexp and RSA-CRT up to their modulus sizes", "[ubsec][kops]")
{
	device dev;
	auto p580 = producer_of_model(dev, 0), p582 = producer_of_model(dev, 1);
	REQUIRE(p580);
	REQUIRE(p582);
	for (const auto &p : {*p580, *p582}) {
		CHECK((p.kops & (1u << OCF_KOP_MODEXP)));
		CHECK((p.kops & (1u << OCF_KOP_MODEXP_CRT)));
		CHECK(!(p.kops & (1u << OCF_KOP_DSA_SIGN)));
		CHECK((p.flags & OCF_PRODUCER_HARDWARE));
	}
	CHECK(p580->kop_max_bits == 1024);
	CHECK(p582->kop_max_bits == 2048);
	chip c("5801");
	auto p = producer_named(dev, c.producer());
	REQUIRE(p);
	CHECK(p->kops == 0);
}

TEST_CASE("5805: modexp at every size up to 1024 bits equals BN_mod_exp (driver-normalized)",
	  "[ubsec][kops]")
{
	OCFT_SEED_INFO();
	device dev;
	auto p = producer_of_model(dev, 0);
	REQUIRE(p);
	modexp_sizes(dev, *p, {2, 17, 100, 255, 511, 512, 513, 700, 767, 768, 769, 1000, 1023, 1024});
	CHECK(model_number(0, "violations") == 0);
}

TEST_CASE("5820: modexp at every size up to 2048 bits equals BN_mod_exp (hardware-normalized)",
	  "[ubsec][kops]")
{
	OCFT_SEED_INFO();
	device dev;
	auto p = producer_of_model(dev, 1);
	REQUIRE(p);
	modexp_sizes(dev, *p, {2, 17, 300, 512, 513, 768, 1000, 1024, 1025, 1536, 1537, 2000, 2048});
	CHECK(model_number(1, "violations") == 0);
}

TEST_CASE("RSA with CRT equals x^d mod n: 5805 up to RSA-1024, 5820 up to RSA-2048",
	  "[ubsec][kops]")
{
	device dev;
	auto p580 = producer_of_model(dev, 0), p582 = producer_of_model(dev, 1);
	REQUIRE(p580);
	REQUIRE(p582);
	crt_sizes(dev, *p580, {512, 768, 1024});
	crt_sizes(dev, *p582, {512, 1024, 1536, 2048});
	CHECK(model_number(0, "violations") == 0);
	CHECK(model_number(1, "violations") == 0);
}

TEST_CASE("what the chip cannot take runs elsewhere: long exponents and large moduli",
	  "[ubsec][kops]")
{
	device dev;
	auto p = producer_of_model(dev, 0);
	REQUIRE(p);
	auto check = [&](std::uint32_t pin, int mbits, int ebits) {
		bn_ptr m = random_modulus(mbits), b = random_below(m.get()), e = random_bits(ebits);
		bytes mod = bin(m.get()), out(mod.size());
		INFO(mbits << "-bit modulus, " << ebits << "-bit exponent, producer " << pin);
		REQUIRE(run_modexp(dev, pin, bin(b.get()), bin(e.get()), mod, out) == 0);
		CHECK(out == bin(mod_exp(b.get(), e.get(), m.get()).get(), mod.size()));
	};
	auto ubsec_gave_back = [&] {
		long n = 0;
		for (const auto &q : producers(dev))
			if (std::string_view(q.name).substr(0, 5) == "ubsec")
				n += driver_stat(q.name, "gave_back");
		return n;
	};
	const std::uint64_t before = kop_requests(dev, p->name);
	const long gave_back = driver_stat(p->name, "gave_back"), soft = driver_stat(p->name, "soft");
	// An exponent longer than the modulus: FB9's E2BIG; given back, done
	// elsewhere (the driver computes no exponentiation itself).
	check(p->id, 512, 600);
	CHECK(kop_requests(dev, p->name) == before);
	CHECK(driver_stat(p->name, "gave_back") == gave_back + 1);
	CHECK(driver_stat(p->name, "soft") == soft);
	// Unpinned, with two ubsec chips that both cannot take it: each gives it
	// back once, and a third producer does it.
	const long all = ubsec_gave_back();
	check(0, 1000, 1100);
	CHECK(ubsec_gave_back() == all + 2);
	// A modulus past the 5805's 1024 bits goes to another producer.
	const std::uint64_t mid = kop_requests(dev, p->name);
	check(p->id, 1536, 17);
	CHECK(kop_requests(dev, p->name) == mid);
}
