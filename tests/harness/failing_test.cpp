// For the harness self-test only: a test that must fail, to prove that a
// failing VM test turns `tests/run` red. Never part of the real suites.
#include <catch2/catch.hpp>

TEST_CASE("harness self-test: this test fails on purpose")
{
	CHECK(1 + 1 == 3);
}
