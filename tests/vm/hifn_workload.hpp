// A workload for the Hifn tests: sessions pinned to one producer and
// requests on them, each of which must complete once, correctly.
#ifndef OCF_TESTS_VM_HIFN_WORKLOAD_HPP
#define OCF_TESTS_VM_HIFN_WORKLOAD_HPP

#include "checks.hpp"
#include "hifn_common.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <deque>
#include <memory>
#include <span>
#include <string>

#include <fcntl.h>
#include <unistd.h>

namespace hifnt {

using namespace ocft;

// @words words from /dev/hwrng, read whole words at a time.
inline std::vector<std::uint32_t> read_hwrng(std::size_t words)
{
	std::vector<std::uint32_t> out(words);
	int fd = ::open("/dev/hwrng", O_RDONLY | O_CLOEXEC);
	REQUIRE(fd >= 0);
	std::size_t got = 0;
	auto *p = reinterpret_cast<std::uint8_t *>(out.data());
	while (got < words * 4) {
		// Whole words per read keep the words aligned.
		ssize_t n = ::read(fd, p + got, std::min<std::size_t>(words * 4 - got, 64));
		REQUIRE(n > 0);
		got += static_cast<std::size_t>(n);
	}
	::close(fd);
	return out;
}

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
	void reap_and_check(device &dev) { check_reaped_once(dev, ops, 120000); }

	// Whether every session has come to rest on a producer other than
	// @gone. A withdrawn producer leaves the list before its sessions are
	// rebuilt elsewhere, so for a moment they still name it.
	bool moved_off(device &dev, std::uint32_t gone)
	{
		return eventually([&] {
			for (const auto &s : sessions) {
				auto info = session_info(dev, s->id());
				if (!info || info->producer == gone || info->producer == 0)
					return false;
			}
			return true;
		}, 10000);
	}
};

// The differential test of one algorithm on a chip: every size of @a up to
// @limit on sessions pinned to @pin, both ways, in and out of place (the
// largest size in one placement), then one bit flipped in each of up to
// eight cases where the MAC covers it. @aad: chains' authenticated-only
// lengths, by size index (the largest case takes the last). Returns the
// largest case's length.
inline std::uint32_t pinned_differential(device &dev, const alg &a, std::uint32_t pin,
					 std::uint32_t limit, std::span<const std::uint32_t> aad,
					 const std::string &salt)
{
	auto rng = make_rng(salt + " differential " + a.name);
	const bool chain = a.kind() == mode::chain;
	const std::uint32_t max_aad = aad.back();
	auto sizes = text_sizes(a, chain ? max_aad : 0, limit);
	INFO(a.name << " on producer " << pin);
	REQUIRE(sizes.size() >= 5);

	std::vector<std::unique_ptr<session>> sessions;
	std::deque<vector_case> cases;
	for (std::size_t i = 0; i < sizes.size(); i++) {
		const bool last = i + 1 == sizes.size();
		keys k = random_keys(a, rng);
		sessions.push_back(std::make_unique<session>(dev, a, k, pin));
		REQUIRE(sessions.back()->producer() == pin);
		cases.push_back(make_case(a, k, rng, sizes[i], last ? max_aad : aad[i % aad.size()]));
	}
	std::vector<prepared_ptr> ops;
	for (std::size_t i = 0; i < cases.size(); i++) {
		const bool last = i + 1 == cases.size();
		for (std::size_t w = 0; w < placements().size(); w++) {
			if (last && w != i % placements().size())
				continue;
			for (std::uint32_t dir : {OCF_OP_ENCRYPT, OCF_OP_DECRYPT})
				ops.push_back(prepare(cases[i], sessions[i]->id(), dir, placements()[w]));
		}
		// Batches of a few MiB at most.
		if (last || ops.size() >= 64) {
			REQUIRE(run_prepared(dev, ops) == static_cast<int>(ops.size()));
			check_ops(ops);
			ops.clear();
		}
	}
	if (a.mac != OCF_ALG_NONE) {
		for (std::size_t i = 0; i < cases.size() && i < 8; i++) {
			const vector_case &vc = cases[i];
			const std::uint32_t byte = random_below(rng, vc.lay.len());
			const auto bit = static_cast<std::uint8_t>(random_below(rng, 8));
			ops.push_back(prepare_tampered(vc, sessions[i]->id(),
						       placements()[i % placements().size()], byte, bit));
		}
		REQUIRE(run_prepared(dev, ops) == static_cast<int>(ops.size()));
		check_ops(ops);
	}
	return cases.back().lay.len();
}

} // namespace hifnt

#endif // OCF_TESTS_VM_HIFN_WORKLOAD_HPP
