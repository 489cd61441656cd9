// Catch2 assertions over prepared operations, shared by the VM tests.
#ifndef OCF_TESTS_VM_CHECKS_HPP
#define OCF_TESTS_VM_CHECKS_HPP

#include "helpers.hpp"

#include <catch2/catch.hpp>

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

} // namespace ocft

#endif // OCF_TESTS_VM_CHECKS_HPP
