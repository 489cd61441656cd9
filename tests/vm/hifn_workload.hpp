// A workload for the Hifn tests: sessions pinned to one producer and
// requests on them, each of which must complete once, correctly.
#ifndef OCF_TESTS_VM_HIFN_WORKLOAD_HPP
#define OCF_TESTS_VM_HIFN_WORKLOAD_HPP

#include "hifn_common.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <deque>
#include <memory>

namespace hifnt {

using namespace ocft;

inline alg default_workload_alg()
{
	return make_alg("3des-cbc+hmac-sha1", OCF_CIPHER_3DES_CBC, OCF_MAC_HMAC_SHA1, 24);
}

struct workload {
	alg a;
	std::vector<std::unique_ptr<session>> sessions;
	std::deque<vector_case> cases;
	std::vector<prepared_ptr> ops;

	// @nops requests of 8 to 8192 bytes (@odd: any length) on @nsessions
	// sessions of @a pinned to producer @pin (0: OCF's choice).
	workload(device &dev, std::uint32_t pin, unsigned nsessions, unsigned nops, const std::string &salt,
		 const alg &with = default_workload_alg(), bool odd = false)
		: a(with)
	{
		auto rng = make_rng("hifn faults " + salt);
		std::vector<keys> k;
		for (unsigned i = 0; i < nsessions; i++) {
			k.push_back(random_keys(a, rng));
			sessions.push_back(std::make_unique<session>(dev, a, k.back(), pin));
		}
		for (unsigned j = 0; j < nops; j++) {
			unsigned i = j % nsessions;
			const std::uint32_t len = odd ? 1 + random_below(rng, 2048) : 8 * (1 + random_below(rng, 1024));
			cases.push_back(make_case(a, k[i], rng, len, a.kind() == mode::chain ? 8 : 0));
			ops.push_back(prepare(cases.back(), sessions[i]->id(),
					      j % 3 ? OCF_OP_ENCRYPT : OCF_OP_DECRYPT, placements()[j % 4], j));
		}
	}

	// Submits ops [from, to).
	int submit(device &dev, std::size_t from, std::size_t to)
	{
		std::vector<ocf_op> batch;
		for (std::size_t j = from; j < to; j++)
			batch.push_back(ops[j]->op);
		return ocf_submit(dev.get(), batch.data(), static_cast<unsigned>(batch.size()));
	}

	// Reaps everything submitted; each op must complete once, correct.
	void reap_and_check(device &dev)
	{
		auto done = reap_n(dev, ops.size(), 120000);
		REQUIRE(done.size() == ops.size());
		std::vector<int> seen(ops.size());
		for (const auto &c : done) {
			REQUIRE(c.tag < ops.size());
			seen[c.tag]++;
			INFO(ops[c.tag]->describe());
			CHECK(ops[c.tag]->check(c.status) == "");
		}
		CHECK(std::count(seen.begin(), seen.end(), 1) == static_cast<long>(ops.size()));
	}
};

} // namespace hifnt

#endif // OCF_TESTS_VM_HIFN_WORKLOAD_HPP
