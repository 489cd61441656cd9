// SPDX-License-Identifier: GPL-2.0
// ocfctl: inspect OCF for Linux and benchmark it.
#include "cli.hpp"
#include "output.hpp"

#include <cstdio>
#include <exception>
#include <new>
#include <span>
#include <string>
#include <string_view>
#include <system_error>

namespace {

constexpr const char *usage_text =
	"usage: ocfctl COMMAND [OPTIONS]\n"
	"\n"
	"commands:\n"
	"  version            the module's ABI version and release\n"
	"  producers          producers: kind, flags, algorithms, limits, sessions\n"
	"  sessions [--all]   this file's sessions, or with --all every process's\n"
	"                     (needs CAP_SYS_ADMIN)\n"
	"  stats              per-producer counters and their total\n"
	"  bench [OPTIONS]    throughput of /dev/ocf, AF_ALG and OpenSSL\n"
	"      --backend LIST   ocf-null,ocf-aes,afalg,openssl or all: those four\n"
	"                       (default all); also ocf-3des, and for each /dev/ocf\n"
	"                       cipher X (null, aes, 3des) ocf-X-async (SUBMIT/REAP),\n"
	"                       ocf-X-uring (io_uring), ocf-X-sqpoll (io_uring, SQPOLL)\n"
	"      --sizes LIST     bytes per op (default 16,64,256,1024,8192,16384; 16k ok)\n"
	"      --threads LIST   threads, each with its own file and session\n"
	"                       (default 1,2,4,32)\n"
	"      --depth LIST     /dev/ocf backends only: ops per RUN, per SUBMIT or per\n"
	"                       io_uring submit, all reaped before the next (default\n"
	"                       1,16,64)\n"
	"      --producer NAME  pin /dev/ocf sessions to this producer (name or id)\n"
	"      --seconds S      time per cell and run (default 0.3)\n"
	"      --runs N         run every cell N times, interleaved, and report the\n"
	"                       median (default 1; 5 with --targets)\n"
	"      --targets        run just the cells of the ratios issues 18 and 19 set\n"
	"                       targets for, and say which are met (not with\n"
	"                       --backend, --sizes, --threads, --depth, --producer)\n"
	"\n"
	"options of every command:\n"
	"  --json             print one JSON document instead of a table, schema\n"
	"                     version 1 (docs/ocfctl.md): {\"version\": 1, ...}; a\n"
	"                     failure is then JSON too, on stdout: {\"version\": 1,\n"
	"                     \"error\": {\"code\": -N, \"name\": \"ENOENT\", ...}}\n"
	"  --device PATH      the device node (default /dev/ocf)\n"
	"\n"
	"\n"
	"ocfctl --version [--json] prints ocfctl's own version.\n"
	"Exit status: 0 success, 1 failure, 2 bad command line.\n";

int usage(std::FILE *to)
{
	std::fputs(usage_text, to);
	return to == stdout ? 0 : 2;
}

// A failure: as text on stderr, or under --json as an error document on
// stdout (so that a script reading the JSON sees why instead of nothing).
// @cause: the errno behind it, if any. Returns @status, the exit status.
int fail(bool json, int status, std::error_code cause, const std::string &message,
	 const char *hint = "")
{
	if (!json) {
		std::fprintf(stderr, "ocfctl: %s%s\n", message.c_str(), hint);
		return status;
	}
	ocfctl::json::print(ocfctl::json::document().add(
		"error", ocfctl::json::error(message, cause).add("status", std::uint64_t(status))));
	return status;
}

} // namespace

int main(int argc, char **argv)
{
	if (argc < 2)
		return usage(stderr);
	std::string_view command = argv[1];
	bool json = false;
	for (int i = 2; i < argc; ++i)
		json = json || std::string_view(argv[i]) == "--json";
	if (command == "--version") {
		if (json)
			ocfctl::json::print(ocfctl::json::document().add("ocfctl_version", OCFCTL_VERSION));
		else
			std::printf("ocfctl %s\n", OCFCTL_VERSION);
		return 0;
	}
	if (command == "help")
		return usage(stdout);
	for (int i = 1; i < argc; ++i)
		if (std::string_view(argv[i]) == "-h" || std::string_view(argv[i]) == "--help")
			return usage(stdout);

	using handler = int (*)(ocfctl::arguments &);
	struct {
		std::string_view name;
		handler run;
	} const commands[] = {
		{"version", ocfctl::cmd_version},   {"producers", ocfctl::cmd_producers},
		{"sessions", ocfctl::cmd_sessions}, {"stats", ocfctl::cmd_stats},
		{"bench", ocfctl::cmd_bench},
	};

	// A bad command line is EINVAL under --json.
	const auto invalid = std::make_error_code(std::errc::invalid_argument);
	ocfctl::arguments args(std::span<char *const>(argv + 2, static_cast<std::size_t>(argc - 2)));
	try {
		for (const auto &c : commands)
			if (c.name == command)
				return c.run(args);
		if (json)
			return fail(json, 2, invalid, "unknown command '" + std::string(command) + "'");
		std::fprintf(stderr, "ocfctl: unknown command '%s'\n", argv[1]);
		return usage(stderr);
	} catch (const ocfctl::usage_error &e) {
		return fail(json, 2, invalid, e.what(), "\n(ocfctl --help lists the commands and options)");
	} catch (const ocfctl::failure &e) {
		return fail(json, 1, e.cause, e.what());
	} catch (const std::system_error &e) {
		return fail(json, 1, e.code(), e.what());
	} catch (const std::bad_alloc &e) {
		return fail(json, 1, std::make_error_code(std::errc::not_enough_memory), e.what());
	} catch (const std::exception &e) {
		return fail(json, 1, {}, e.what());
	}
}
