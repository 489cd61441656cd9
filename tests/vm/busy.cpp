// A producer that answers -EBUSY gets its requests queued and retried, not
// dropped: through RUN and SUBMIT, each completes once, with the right data.
#include "helpers.hpp"

#include <catch2/catch.hpp>

#include <map>

using namespace ocft;

TEST_CASE("requests a busy producer refuses are retried until done", "[busy]")
{
	OCFT_SEED_INFO();
	param_override busy(std::string(null_params) + "busy_every", "3");
	device dev;
	const alg &a = find_alg("null");
	std::mt19937_64 rng = make_rng("busy");
	session s(dev, a, random_keys(a, rng));

	constexpr std::size_t n = 200;
	std::vector<bytes> data;
	std::vector<buffer> src, dst;
	std::vector<ocf_op> ops(n);
	for (std::size_t i = 0; i < n; i++) {
		std::size_t len = 1 + (i * 97) % 9000; // both copied and pinned buffers
		data.push_back(random_bytes(rng, len));
		src.emplace_back(len, i % 4);
		dst.emplace_back(len, 3);
		src.back().assign(data.back());
		dst.back().fill(0);
		ocf_op_cipher(&ops[i], s.id(), OCF_OP_ENCRYPT, src.back().data(), dst.back().data(),
			      static_cast<std::uint32_t>(len), nullptr);
		ops[i].tag = 1000 + i;
	}

	SECTION("through RUN")
	{
		REQUIRE(ocf_run(dev.get(), ops.data(), n) == static_cast<int>(n));
		for (std::size_t i = 0; i < n; i++) {
			INFO("op " << i);
			CHECK(ops[i].status == 0);
			CHECK(diff(dst[i].data(), data[i]).empty());
		}
	}
	SECTION("through SUBMIT and REAP")
	{
		REQUIRE(ocf_submit(dev.get(), ops.data(), n) == static_cast<int>(n));
		std::map<std::uint64_t, int> seen;
		std::vector<ocf_completion> done(64);
		for (std::size_t got = 0; got < n;) {
			int r = ocf_reap(dev.get(), done.data(), 64, 1);
			REQUIRE(r > 0);
			for (int k = 0; k < r; k++) {
				CHECK(done[static_cast<std::size_t>(k)].status == 0);
				seen[done[static_cast<std::size_t>(k)].tag]++;
			}
			got += static_cast<std::size_t>(r);
		}
		REQUIRE(seen.size() == n);
		for (std::size_t i = 0; i < n; i++) {
			INFO("op " << i);
			CHECK(seen[1000 + i] == 1);
			CHECK(diff(dst[i].data(), data[i]).empty());
		}
	}
}
