// SPDX-License-Identifier: GPL-2.0
// ocfctl: inspect OCF for Linux.
#include <ocf/ocf.hpp>

#include <linux/ocf.h>

#include <cstdio>
#include <cstring>
#include <string_view>

namespace {

int usage(FILE *to)
{
	std::fputs("usage: ocfctl COMMAND [--json]\n"
		   "commands:\n"
		   "  version   the module's ABI version and release\n",
		   to);
	return to == stdout ? 0 : 2;
}

int cmd_version(bool json)
{
	std::error_code ec;
	auto dev = ocf::device::open(nullptr, ec);
	if (ec) {
		std::fprintf(stderr, "ocfctl: %s: %s\n", OCF_DEVICE_PATH, ocf_strerror(-ec.value()));
		return 1;
	}
	auto v = dev.version(ec);
	if (ec) {
		std::fprintf(stderr, "ocfctl: version: %s\n", ocf_strerror(-ec.value()));
		return 1;
	}
	if (json)
		std::printf("{\"abi_version\": %u, \"module_version\": \"%s\"}\n",
			    v.abi_version, v.module_version.c_str());
	else
		std::printf("module version  %s\nABI version     %u\n",
			    v.module_version.c_str(), v.abi_version);
	return 0;
}

} // namespace

int main(int argc, char **argv)
{
	if (argc < 2)
		return usage(stderr);
	std::string_view cmd = argv[1];
	bool json = argc > 2 && std::strcmp(argv[2], "--json") == 0;
	if (cmd == "-h" || cmd == "--help" || cmd == "help")
		return usage(stdout);
	if (cmd == "version")
		return cmd_version(json);
	std::fprintf(stderr, "ocfctl: unknown command '%s'\n", argv[1]);
	return usage(stderr);
}
