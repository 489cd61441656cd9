// Catch2 assertions over prepared operations, shared by the VM tests.
#ifndef OCF_TESTS_VM_CHECKS_HPP
#define OCF_TESTS_VM_CHECKS_HPP

#include "helpers.hpp"

#include <catch2/catch.hpp>

#include <algorithm>

namespace ocft {

// Each op's status and output are right; a wrong one is described.
inline void check_ops(const std::vector<prepared_ptr> &ops)
{
	for (const auto &p : ops) {
		INFO(p->describe());
		CHECK(p->check(p->op.status) == "");
	}
}

// Encrypts @vc as @enc and decrypts it as @dec in one batch on @session.
inline void check_round_trip(device &dev, const vector_case &vc, std::uint32_t session,
			     const placement &enc, const placement &dec)
{
	std::vector<prepared_ptr> ops;
	ops.push_back(prepare(vc, session, OCF_OP_ENCRYPT, enc));
	ops.push_back(prepare(vc, session, OCF_OP_DECRYPT, dec));
	REQUIRE(run_prepared(dev, ops) == 2);
	check_ops(ops);
}

// Reaps every op of @ops (tagged by index) from @dev: each must complete
// exactly once, with the right status and output.
inline void check_reaped_once(device &dev, const std::vector<prepared_ptr> &ops,
			      int timeout_ms = 60000)
{
	auto done = reap_n(dev, ops.size(), timeout_ms);
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

} // namespace ocft

#endif // OCF_TESTS_VM_CHECKS_HPP
