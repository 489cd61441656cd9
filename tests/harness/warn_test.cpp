// For the harness self-test only: a test that passes while making the guest
// kernel log a WARNING (through tests/kmod/warn), to prove that the kernel's
// report alone turns `tests/run` red. Never part of the real suites.
#include <catch2/catch.hpp>

#include <fstream>

TEST_CASE("harness self-test: passes, but the kernel WARNs")
{
	std::ofstream trigger("/sys/module/ocf_warn_test/parameters/trigger");
	trigger << "1\n";
	trigger.flush();
	CHECK(trigger.good());
}
