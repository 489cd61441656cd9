// Batches: one OCF_IOC_RUN carries many operations of mixed sessions and
// algorithms; each comes back with its own status and output.
#include "helpers.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <cerrno>
#include <deque>
#include <set>

using namespace ocft;

namespace {

struct session_pool {
	std::vector<const alg *> algs;
	std::vector<keys> ks;
	std::vector<std::unique_ptr<session>> sessions;
	std::set<std::uint32_t> ids;

	session_pool(device &dev, std::mt19937_64 &rng)
	{
		for (const alg &a : all_algs()) {
			algs.push_back(&a);
			ks.push_back(random_keys(a, rng));
			sessions.push_back(std::make_unique<session>(dev, a, ks.back()));
			ids.insert(sessions.back()->id());
		}
	}
	std::size_t index_of(std::string_view name) const
	{
		for (std::size_t i = 0; i < algs.size(); i++)
			if (algs[i]->name == name)
				return i;
		throw std::logic_error("no such algorithm in the pool");
	}
};

std::uint32_t random_text(std::mt19937_64 &rng, const alg &a)
{
	static const std::uint32_t sizes[] = {0, 1, 16, 17, 64, 100, 512, 1500, 4096};
	std::uint32_t t = sizes[random_below(rng, std::size(sizes))];
	return t / a.block() * a.block();
}

} // namespace

TEST_CASE("batches of 1 to 256 mixed operations each report their own status and output", "[batch]")
{
	OCFT_SEED_INFO();
	device dev;
	auto rng = make_rng("batches");
	session_pool pool(dev, rng);
	const std::uint32_t unknown_session = 0xfffffff0u;
	REQUIRE(pool.ids.count(unknown_session) == 0);

	for (std::uint32_t n : {1u, 2u, 3u, 4u, 7u, 16u, 31u, 64u, 100u, 128u, 200u, 255u, 256u}) {
		INFO("batch of " << n);
		std::deque<vector_case> cases;
		std::vector<prepared_ptr> ops;
		// From 4 ops on, three of them fail, each in its own way.
		const std::uint32_t bad = n >= 4 ? 3 : 0;
		for (std::uint32_t i = 0; i < n - bad; i++) {
			std::size_t ai = random_below(rng, static_cast<std::uint32_t>(pool.algs.size()));
			const alg &a = *pool.algs[ai];
			cases.push_back(make_case(a, pool.ks[ai], rng, random_text(rng, a), random_below(rng, 3) * 8));
			std::uint32_t dir = random_below(rng, 2) ? OCF_OP_DECRYPT : OCF_OP_ENCRYPT;
			ops.push_back(prepare(cases.back(), pool.sessions[ai]->id(), dir,
					      placements()[random_below(rng, 4)]));
		}
		if (bad) {
			// A session this file does not have.
			std::size_t ai = pool.index_of("aes-128-ctr");
			cases.push_back(make_case(*pool.algs[ai], pool.ks[ai], rng, 100, 0));
			ops.push_back(prepare(cases.back(), unknown_session, OCF_OP_ENCRYPT, placements()[2]));
			ops.back()->expected_status = -ENOENT;
			// A tampered MAC.
			ai = pool.index_of("aes-128-cbc+hmac-sha1 encrypt-then-mac");
			cases.push_back(make_case(*pool.algs[ai], pool.ks[ai], rng, 64, 8));
			ops.push_back(prepare_tampered(cases.back(), pool.sessions[ai]->id(), placements()[3],
						       8 + 64 + 3, 5));
			// A CBC length that is not a multiple of the block.
			ai = pool.index_of("aes-256-cbc");
			cases.push_back(make_case(*pool.algs[ai], pool.ks[ai], rng, 48, 0));
			ops.push_back(prepare(cases.back(), pool.sessions[ai]->id(), OCF_OP_ENCRYPT, placements()[1]));
			ops.back()->op.cipher_len = 40;
			ops.back()->expected_status = -EINVAL;
			std::shuffle(ops.begin(), ops.end(), rng);
		}
		for (std::size_t i = 0; i < ops.size(); i++) {
			ops[i]->op.tag = i;
			ops[i]->op.status = -12345; // ignored on input
		}

		REQUIRE(run_prepared(dev, ops) == static_cast<int>(n));
		std::uint32_t failed = 0;
		for (const auto &p : ops) {
			INFO(p->describe());
			CHECK(p->check(p->op.status) == "");
			failed += p->op.status != 0;
		}
		CHECK(failed == bad);
	}
}

TEST_CASE("a batch of OCF_MAX_BATCH operations runs whole", "[batch]")
{
	OCFT_SEED_INFO();
	device dev;
	auto rng = make_rng("max batch");
	const alg &ctr = find_alg("aes-256-ctr");
	const alg &sha = find_alg("sha256");
	keys kc = random_keys(ctr, rng), ks = random_keys(sha, rng);
	session sc(dev, ctr, kc), ss(dev, sha, ks);
	std::deque<vector_case> cases;
	std::vector<prepared_ptr> ops;
	for (std::uint32_t i = 0; i < OCF_MAX_BATCH; i++) {
		bool hash = i % 3 == 0;
		cases.push_back(make_case(hash ? sha : ctr, hash ? ks : kc, rng, 1 + random_below(rng, 200), 0));
		ops.push_back(prepare(cases.back(), hash ? ss.id() : sc.id(), OCF_OP_ENCRYPT, placements()[i % 4], i));
	}
	REQUIRE(run_prepared(dev, ops) == OCF_MAX_BATCH);
	std::size_t wrong = 0;
	for (const auto &p : ops) {
		std::string problem = p->check(p->op.status);
		if (!problem.empty() && wrong++ < 5) {
			INFO(p->describe());
			CHECK(problem == "");
		}
	}
	CHECK(wrong == 0);
}
