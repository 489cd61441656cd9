// ocf_fuzz: the hostile tests of /dev/ocf (run inside tools/vm, as root).
//
//   ocf_fuzz fuzz [--seed N] [--calls N] [--threads N] [--null-module PATH]
//                 [--no-nobody] [--no-producers] [--no-reload] [--no-busy] [--no-fork] [--no-kat]
//                 [--no-racer]
//   ocf_fuzz kill9 [--seed N] [--rounds N] [--max-death SECONDS]
//
// --null-module PATH: ocf_null.ko, to unload and reload it under the fuzz
// (--no-reload: don't). The --no-* options switch parts off, so that one
// crash on unfixed code does not hide the rest.
//
// Without --seed the seed comes from the clock; it is printed either way, and
// the same seed repeats the same choices (the interleaving of threads and the
// kernel's timing still differ from run to run). Exit status 1 on an
// invariant failure, 2 on a usage or setup error.
#include "common.hpp"
#include "fuzz.hpp"

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <time.h>

namespace {

[[noreturn]] void usage()
{
	std::fputs("usage: ocf_fuzz fuzz [--seed N] [--calls N] [--threads N] [--null-module PATH]\n"
		   "                     [--no-nobody] [--no-producers] [--no-reload] [--no-busy]\n                     [--no-fork] [--no-kat] [--no-racer]\n"
		   "       ocf_fuzz kill9 [--seed N] [--rounds N] [--max-death SECONDS]\n",
		   stderr);
	std::exit(2);
}

std::uint64_t number(const char *s)
{
	char *end = nullptr;
	const unsigned long long v = std::strtoull(s, &end, 0);
	if (!*s || *end)
		usage();
	return v;
}

} // namespace

int main(int argc, char **argv)
{
	if (argc < 2)
		usage();
	const std::string verb = argv[1];
	ocffuzz::fuzz_options fo;
	ocffuzz::kill9_options ko;
	timespec ts{};
	::clock_gettime(CLOCK_REALTIME, &ts);
	bool no_reload = false;
	std::uint64_t seed = static_cast<std::uint64_t>(ts.tv_nsec) ^ (static_cast<std::uint64_t>(ts.tv_sec) << 20);
	for (int i = 2; i < argc; i++) {
		const std::string a = argv[i];
		const char *next = i + 1 < argc ? argv[i + 1] : nullptr;
		if (a == "--seed" && next)
			seed = number(argv[++i]);
		else if (a == "--calls" && next)
			fo.calls = number(argv[++i]);
		else if (a == "--threads" && next)
			fo.threads = static_cast<int>(number(argv[++i]));
		else if (a == "--rounds" && next)
			ko.rounds = static_cast<int>(number(argv[++i]));
		else if (a == "--max-death" && next)
			ko.max_death_s = static_cast<double>(number(argv[++i]));
		else if (a == "--null-module" && next)
			fo.null_module = argv[++i];
		else if (a == "--no-nobody")
			fo.nobody = false;
		else if (a == "--no-producers")
			fo.producers = false;
		else if (a == "--no-reload")
			fo.null_module.clear(), no_reload = true;
		else if (a == "--no-busy")
			fo.busy = false;
		else if (a == "--no-fork")
			fo.fork = false;
		else if (a == "--no-kat")
			fo.kat = false;
		else if (a == "--no-racer")
			fo.racer = false;
		else
			usage();
	}
	if (no_reload)
		fo.null_module.clear();
	fo.seed = ko.seed = seed;
	ocffuzz::init_shared();
	if (verb == "fuzz")
		return ocffuzz::run_fuzz(fo);
	if (verb == "kill9")
		return ocffuzz::run_kill9(ko);
	usage();
}
