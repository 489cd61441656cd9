// SPDX-License-Identifier: GPL-2.0
// ocfctl: inspect OCF for Linux and benchmark it.
#include "cli.hpp"

#include <cstdio>
#include <exception>
#include <span>
#include <string>
#include <string_view>

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
	"      --backend LIST   ocf-null,ocf-aes,afalg,openssl,ocf-3des or all: the\n"
	"                       first four (default all)\n"
	"      --sizes LIST     bytes per op (default 16,64,256,1024,8192,16384; 16k ok)\n"
	"      --threads LIST   threads, each with its own file and session\n"
	"                       (default 1,2,4,32)\n"
	"      --depth LIST     ops per batch, /dev/ocf backends only (default 1,16,64)\n"
	"      --seconds S      time per cell (default 0.3)\n"
	"\n"
	"options of every command:\n"
	"  --json             print JSON instead of a table; a failure is then JSON\n"
	"                     too, on stdout: {\"version\":1,\"error\":{\"message\":...,\n"
	"                     \"status\":N}}\n"
	"  --device PATH      the device node (default /dev/ocf)\n"
	"\n"
	"\n"
	"ocfctl --version prints ocfctl's own version.\n"
	"Exit status: 0 success, 1 failure, 2 bad command line.\n";

int usage(std::FILE *to)
{
	std::fputs(usage_text, to);
	return to == stdout ? 0 : 2;
}

// A failure: as text on stderr, or under --json as JSON on stdout (so that
// a script reading the JSON sees why instead of nothing). Returns @status.
int fail(bool json, int status, const char *prefix, const char *message, const char *suffix = "")
{
	if (!json) {
		std::fprintf(stderr, "ocfctl: %s%s%s\n", prefix, message, suffix);
		return status;
	}
	std::string m = std::string(prefix) + message;
	std::string quoted;
	for (char ch : m) {
		if (ch == '"' || ch == '\\')
			quoted += '\\';
		if (static_cast<unsigned char>(ch) < 0x20)
			continue;
		quoted += ch;
	}
	std::printf("{\"version\":1,\"error\":{\"message\":\"%s\",\"status\":%d}}\n", quoted.c_str(),
		    status);
	return status;
}

} // namespace

int main(int argc, char **argv)
{
	if (argc < 2)
		return usage(stderr);
	std::string_view command = argv[1];
	if (command == "--version") {
		std::printf("ocfctl %s\n", OCFCTL_VERSION);
		return 0;
	}
	bool json = false;
	for (int i = 2; i < argc; ++i)
		json = json || std::string_view(argv[i]) == "--json";
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

	ocfctl::arguments args(std::span<char *const>(argv + 2, static_cast<std::size_t>(argc - 2)));
	try {
		for (const auto &c : commands)
			if (c.name == command)
				return c.run(args);
		if (json)
			return fail(json, 2, "unknown command ", argv[1]);
		std::fprintf(stderr, "ocfctl: unknown command '%s'\n", argv[1]);
		return usage(stderr);
	} catch (const ocfctl::usage_error &e) {
		return fail(json, 2, "", e.what(), "\n(ocfctl --help lists the commands and options)");
	} catch (const ocfctl::failure &e) {
		return fail(json, 1, "", e.what());
	} catch (const std::exception &e) {
		return fail(json, 1, "", e.what());
	}
}
