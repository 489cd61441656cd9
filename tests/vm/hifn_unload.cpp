// Unloading the chip model while its chips carry traffic: the chips detach,
// their sessions move (to software), no request is lost. The model is
// loaded again afterwards, as tools/vm loaded it. Keep this file last in the
// executable: tests after it would see chips created anew.
#include "checks.hpp"
#include "hifn_common.hpp"

#include <catch2/catch.hpp>

#include <atomic>
#include <cstdlib>
#include <deque>
#include <thread>

using namespace ocft;
using namespace hifnt;

TEST_CASE("rmmod of the chip model under traffic loses no request; the model comes back",
	  "[hifn][unload]")
{
	// The model as tools/vm loaded it ($OCF_HIFN_MODEL_KO when it came from elsewhere).
	const char *env = std::getenv("OCF_HIFN_MODEL_KO");
	const std::string ko = env ? env : std::string(OCF_SOURCE_DIR) + "/kernel/drivers/hifn/ocf_hifn_model.ko";
	device dev;
	REQUIRE(hifn_producers(dev).size() >= 4);
	param_override slow(std::string(model_params) + "latency_us", "1000");

	alg a = make_alg("3des-cbc+hmac-md5", OCF_CIPHER_3DES_CBC, OCF_MAC_HMAC_MD5, 24);
	auto rng = make_rng("hifn unload");
	std::vector<std::unique_ptr<session>> sessions;
	std::vector<keys> k;
	for (unsigned i = 0; i < 8; i++) {
		k.push_back(random_keys(a, rng));
		sessions.push_back(std::make_unique<session>(dev, a, k.back()));
		REQUIRE(std::string(producer_by_id(dev, sessions.back()->producer())->name).substr(0, 4) == "hifn");
	}
	std::deque<vector_case> cases;
	std::vector<prepared_ptr> ops;
	for (unsigned j = 0; j < 320; j++) {
		unsigned i = j % 8;
		cases.push_back(make_case(a, k[i], rng, 8 * (32 + random_below(rng, 256)), 8));
		ops.push_back(prepare(cases.back(), sessions[i]->id(), j % 2 ? OCF_OP_DECRYPT : OCF_OP_ENCRYPT,
				      placements()[j % 4], j));
	}
	auto submit = [&](std::size_t from, std::size_t to) {
		std::vector<ocf_op> batch;
		for (std::size_t j = from; j < to; j++)
			batch.push_back(ops[j]->op);
		return ocf_submit(dev.get(), batch.data(), static_cast<unsigned>(batch.size()));
	};

	REQUIRE(submit(0, 120) == 120);
	child_result rm;
	std::thread unloader([&] { rm = run_command({"/sbin/rmmod", "ocf_hifn_model"}); });
	for (std::size_t from = 120; from < ops.size(); from += 40)
		REQUIRE(submit(from, std::min(from + 40, ops.size())) > 0);
	unloader.join();
	INFO(rm.output);
	CHECK(rm.ok());

	check_reaped_once(dev, ops, 120000);
	CHECK(hifn_producers(dev).empty());
	for (const auto &s : sessions) {
		auto info = session_info(dev, s->id());
		REQUIRE(info);
		CHECK(info->producer != 0);
	}
	sessions.clear();

	child_result ins = run_command({"/sbin/insmod", ko, "instances=4", "rng_test=1"});
	INFO(ins.output);
	REQUIRE(ins.ok());
	CHECK(hifn_producers(dev).size() == 4);
}
