// SPDX-License-Identifier: GPL-2.0
#include "cli.hpp"

#include <cerrno>
#include <cstring>

namespace ocfctl {

bool arguments::flag(std::string_view name)
{
	if (done() || std::string_view(args_[next_]) != "--" + std::string(name))
		return false;
	++next_;
	return true;
}

std::optional<std::string_view> arguments::value(std::string_view name)
{
	if (done())
		return std::nullopt;
	std::string_view arg = args_[next_];
	std::string option = "--" + std::string(name);
	if (arg == option) {
		if (next_ + 1 >= args_.size())
			throw usage_error(option + " needs a value");
		next_ += 2;
		return std::string_view(args_[next_ - 1]);
	}
	if (arg.starts_with(option + "=")) {
		++next_;
		return arg.substr(option.size() + 1);
	}
	return std::nullopt;
}

void arguments::reject() const
{
	throw usage_error("unexpected argument '" + std::string(args_[next_]) + "'");
}

bool common_options::read(arguments &args)
{
	if (args.flag("json")) {
		json = true;
		return true;
	}
	if (auto path = args.value("device")) {
		device_path = *path;
		return true;
	}
	return false;
}

std::string device_open_message(std::string_view path, std::error_code ec)
{
	std::string where(path);
	switch (ec.value()) {
	case ENOENT:
		return where + " not found: is the ocf module loaded? (modprobe ocf)";
	case EACCES:
	case EPERM:
		return where + ": permission denied: run as root, or get read-write access to it";
	default:
		return where + ": " + ec.message();
	}
}

ocf::device open_device(const std::string &path)
{
	std::error_code ec;
	auto dev = ocf::device::open(path.c_str(), ec);
	if (ec)
		throw failure(device_open_message(path, ec), ec);
	return dev;
}

failure call_failure(std::string_view what, std::error_code ec)
{
	std::string text(what);
	if (ec.value() == ENOTTY)
		text += ": not an OCF device, or the ocf module is too old for this request";
	else
		text += ": " + ec.message();
	return failure(text, ec);
}

} // namespace ocfctl
