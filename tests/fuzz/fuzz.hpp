// The two tests of ocf_fuzz: the ioctl fuzzer and the kill -9 test.
#ifndef OCF_TESTS_FUZZ_FUZZ_HPP
#define OCF_TESTS_FUZZ_FUZZ_HPP

#include <cstdint>
#include <string>

namespace ocffuzz {

struct fuzz_options {
	std::uint64_t seed = 0;
	std::uint64_t calls = 100000;
	int threads = 3;          // per side
	bool nobody = true;       // a second side as nobody
	bool producers = true;    // unplug/replug/reload the null producers
	bool busy = true;         // with busy_every among the chaos
	bool fork = true;         // forked children and fd passing
	bool kat = true;          // known-answer operations
	bool racer = true;        // SESSION_NEW against SESSION_FREE of low ids
	std::string null_module;  // ocf_null.ko to reload ("" = no unload)
};

struct kill9_options {
	std::uint64_t seed = 0;
	int rounds = 100;
	// SIGKILL must end a child within this, even inside a RUN of 1024 ops
	// of 8 KiB (8 MiB of AES, about a second under TCG): the RUN must not
	// wait for them.
	double max_death_s = 2.0;
};

int run_fuzz(const fuzz_options &o);
int run_kill9(const kill9_options &o);

} // namespace ocffuzz

#endif
