// SPDX-License-Identifier: GPL-2.0
// What ocfctl's commands share: argument reading, errors, opening the device.
#ifndef OCFCTL_CLI_HPP
#define OCFCTL_CLI_HPP

#include <ocf/ocf.hpp>

#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <system_error>

namespace ocfctl {

// Bad command line: main() prints it with a hint and exits 2.
struct usage_error : std::runtime_error {
	using std::runtime_error::runtime_error;
};

// A command could not do its job: main() prints "ocfctl: <what>", exits 1.
// @cause is the errno behind it when there is one (under --json it becomes
// the error's "code" and "name"); a default one means none.
struct failure : std::runtime_error {
	explicit failure(const std::string &what, std::error_code errno_cause = {})
		: std::runtime_error(what), cause(errno_cause)
	{
	}
	std::error_code cause;
};

// Reads a command's options: flags (--json), and valued options given as
// "--name VALUE" or "--name=VALUE".
class arguments {
public:
	explicit arguments(std::span<char *const> args) : args_(args) {}

	bool done() const noexcept { return next_ >= args_.size(); }
	// Consumes the next argument if it is the flag --name.
	bool flag(std::string_view name);
	// Consumes the next argument if it is the option --name, with its value.
	std::optional<std::string_view> value(std::string_view name);
	// The next argument matched nothing: throws usage_error naming it.
	[[noreturn]] void reject() const;

private:
	std::span<char *const> args_;
	std::size_t next_ = 0;
};

// Options every command accepts.
struct common_options {
	bool json = false;
	std::string device_path = OCF_DEVICE_PATH;

	// Consumes --json or --device PATH if next; true if it did.
	bool read(arguments &args);
};

// What to tell a person when the device cannot be opened, e.g.
// "/dev/ocf not found: is the ocf module loaded? (modprobe ocf)".
std::string device_open_message(std::string_view path, std::error_code ec);
// Opens the device or throws failure with device_open_message().
ocf::device open_device(const std::string &path);
// The failure of an ioctl on the device (@what: the request), with @ec as its cause.
failure call_failure(std::string_view what, std::error_code ec);

int cmd_version(arguments &args);
int cmd_producers(arguments &args);
int cmd_sessions(arguments &args);
int cmd_stats(arguments &args);
int cmd_bench(arguments &args);

} // namespace ocfctl

#endif // OCFCTL_CLI_HPP
