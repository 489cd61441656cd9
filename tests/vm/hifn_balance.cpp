// Load balancing across four Hifn chips (the paper's quad-7751 card):
// sessions that do not pin a producer spread over all four, and so do the
// bytes of their requests.
#include "hifn_common.hpp"

#include <catch2/catch.hpp>

#include <deque>
#include <map>

using namespace ocft;
using namespace hifnt;

TEST_CASE("sessions and bytes spread across all four chips", "[hifn][balance]")
{
	device dev;
	std::map<std::uint32_t, std::uint64_t> bytes_before;
	for (unsigned i = 0; i < 4; i++) {
		auto p = producer_of_model(dev, i);
		REQUIRE(p);
		bytes_before[p->id] = p->stats.bytes;
	}
	// Other hifn producers would take sessions too: the four must be alone.
	REQUIRE(hifn_producers(dev).size() == 4);

	alg a = make_alg("3des-cbc+hmac-sha1", OCF_CIPHER_3DES_CBC, OCF_MAC_HMAC_SHA1, 24);
	auto rng = make_rng("hifn balance");
	std::vector<std::unique_ptr<session>> sessions;
	std::vector<keys> session_keys;
	std::map<std::uint32_t, unsigned> per_producer;
	for (unsigned i = 0; i < 16; i++) {
		session_keys.push_back(random_keys(a, rng));
		sessions.push_back(std::make_unique<session>(dev, a, session_keys.back()));
		per_producer[sessions.back()->producer()]++;
	}
	for (const auto &[id, n] : per_producer) {
		INFO("producer " << id << ": " << n << " sessions");
		CHECK(bytes_before.count(id) == 1);
	}
	CHECK(per_producer.size() == 4);
	// What ocf_sessions() says agrees.
	for (const auto &s : sessions) {
		auto info = session_info(dev, s->id());
		REQUIRE(info);
		CHECK(info->producer == s->producer());
	}

	// Requests of 4 KiB: large enough that no policy sends them to software.
	std::deque<vector_case> cases;
	std::vector<prepared_ptr> ops;
	for (unsigned round = 0; round < 6; round++)
		for (std::size_t i = 0; i < sessions.size(); i++) {
			cases.push_back(make_case(a, session_keys[i], rng, 4096, 16));
			ops.push_back(prepare(cases.back(), sessions[i]->id(), OCF_OP_ENCRYPT,
					      placements()[round % 4], ops.size()));
		}
	std::vector<ocf_op> batch;
	for (const auto &op : ops)
		batch.push_back(op->op);
	REQUIRE(ocf_submit(dev.get(), batch.data(), static_cast<unsigned>(batch.size())) ==
		static_cast<int>(batch.size()));
	auto done = reap_n(dev, ops.size());
	REQUIRE(done.size() == ops.size());
	for (const auto &c : done) {
		INFO(ops[c.tag]->describe());
		CHECK(ops[c.tag]->check(c.status) == "");
	}
	for (const auto &[id, before] : bytes_before) {
		auto p = producer_by_id(dev, id);
		REQUIRE(p);
		INFO(p->name << ": " << before << " -> " << p->stats.bytes << " bytes");
		CHECK(p->stats.bytes > before);
	}
}
