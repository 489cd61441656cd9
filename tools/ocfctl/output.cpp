// SPDX-License-Identifier: GPL-2.0
#include "output.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>

namespace ocfctl {

table::table(std::vector<column> columns) : columns_(std::move(columns)) {}

void table::add_row(std::vector<std::string> cells)
{
	cells.resize(columns_.size());
	rows_.push_back(std::move(cells));
}

void table::add_rule()
{
	rows_.emplace_back();
}

void table::print(std::FILE *to) const
{
	std::vector<std::size_t> widths;
	for (const auto &c : columns_)
		widths.push_back(c.title.size());
	for (const auto &row : rows_)
		for (std::size_t i = 0; i < row.size(); ++i)
			widths[i] = std::max(widths[i], row[i].size());

	auto print_row = [&](auto cell_text) {
		std::string line;
		for (std::size_t i = 0; i < columns_.size(); ++i) {
			std::string_view text = cell_text(i);
			std::size_t pad = widths[i] - text.size();
			bool last = i + 1 == columns_.size();
			if (columns_[i].alignment == align::right)
				line.append(pad, ' ').append(text);
			else
				line.append(text).append(last ? 0 : pad, ' ');
			if (!last)
				line += "  ";
		}
		std::fprintf(to, "%s\n", line.c_str());
	};

	print_row([&](std::size_t i) -> std::string_view { return columns_[i].title; });
	std::size_t total_width = 0;
	for (auto w : widths)
		total_width += w;
	total_width += 2 * (widths.size() - 1);
	for (const auto &row : rows_) {
		if (row.empty())
			std::fprintf(to, "%s\n", std::string(total_width, '-').c_str());
		else
			print_row([&](std::size_t i) -> std::string_view { return row[i]; });
	}
}

namespace json {

std::string quote(std::string_view text)
{
	std::string out = "\"";
	for (char ch : text) {
		auto c = static_cast<unsigned char>(ch);
		switch (c) {
		case '"': out += "\\\""; break;
		case '\\': out += "\\\\"; break;
		case '\n': out += "\\n"; break;
		case '\t': out += "\\t"; break;
		case '\r': out += "\\r"; break;
		default:
			if (c < 0x20) {
				char escaped[8];
				std::snprintf(escaped, sizeof(escaped), "\\u%04x", c);
				out += escaped;
			} else {
				out += ch;
			}
		}
	}
	return out + "\"";
}

void object::key(std::string_view name)
{
	if (!body_.empty())
		body_ += ", ";
	body_ += quote(name);
	body_ += ": ";
}

object &object::add(std::string_view name, std::string_view text)
{
	key(name);
	body_ += quote(text);
	return *this;
}

object &object::add(std::string_view name, const char *text)
{
	return add(name, std::string_view(text));
}

object &object::add(std::string_view name, std::uint64_t number)
{
	key(name);
	body_ += std::to_string(number);
	return *this;
}

object &object::add(std::string_view name, double number, int decimals)
{
	key(name);
	// JSON has no NaN or infinity.
	if (!std::isfinite(number)) {
		body_ += "null";
		return *this;
	}
	char buf[64];
	std::snprintf(buf, sizeof(buf), "%.*f", decimals, number);
	body_ += buf;
	return *this;
}

object &object::add(std::string_view name, const std::vector<std::string> &texts)
{
	key(name);
	body_ += "[";
	for (std::size_t i = 0; i < texts.size(); ++i)
		body_ += (i ? ", " : "") + quote(texts[i]);
	body_ += "]";
	return *this;
}

object &object::add(std::string_view name, const object &nested)
{
	return add_raw(name, nested.str());
}

object &object::add_null(std::string_view name)
{
	return add_raw(name, "null");
}

object &object::add_raw(std::string_view name, std::string_view json)
{
	key(name);
	body_ += json;
	return *this;
}

std::string array(const std::vector<std::string> &elements)
{
	if (elements.empty())
		return "[]";
	std::string out = "[\n";
	for (std::size_t i = 0; i < elements.size(); ++i)
		out += "  " + elements[i] + (i + 1 < elements.size() ? ",\n" : "\n");
	return out + "]";
}

object document()
{
	return object().add("version", schema_version);
}

void print(const object &doc)
{
	std::printf("%s\n", doc.str().c_str());
}

object error(std::string_view message, std::error_code cause)
{
	object out;
	if (!cause)
		return out.add_null("code").add_null("name").add("message", message);
	out.add_raw("code", std::to_string(-cause.value()));
	// glibc names every errno it knows; a value it does not know gets none.
	if (const char *name = strerrorname_np(cause.value()))
		out.add("name", name);
	else
		out.add_null("name");
	return out.add("message", message);
}

} // namespace json

std::string or_dash(std::string text)
{
	return text.empty() ? "-" : text;
}

std::string human_bytes(std::uint64_t bytes)
{
	static constexpr const char *units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
	std::size_t unit = 0;
	auto value = static_cast<double>(bytes);
	while (value >= 1024 && unit + 1 < std::size(units)) {
		value /= 1024;
		++unit;
	}
	char buf[32];
	if (unit == 0 || value == std::floor(value))
		std::snprintf(buf, sizeof(buf), "%.0f %s", value, units[unit]);
	else
		std::snprintf(buf, sizeof(buf), "%.1f %s", value, units[unit]);
	return buf;
}

std::string exact_bytes(std::uint64_t bytes)
{
	// Past a MiB, the last bytes of a limit such as 0xffffffff tell nobody anything.
	if (bytes >= (1u << 20) && bytes % 1024)
		return human_bytes(bytes);
	static constexpr const char *units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
	std::size_t unit = 0;
	while (bytes && bytes % 1024 == 0 && unit + 1 < std::size(units)) {
		bytes /= 1024;
		++unit;
	}
	return std::to_string(bytes) + " " + units[unit];
}

std::string human_ns(std::uint64_t ns)
{
	if (ns == 0)
		return "-";
	char buf[32];
	auto value = static_cast<double>(ns);
	if (ns < 1000)
		std::snprintf(buf, sizeof(buf), "%llu ns", static_cast<unsigned long long>(ns));
	else if (ns < 1000000)
		std::snprintf(buf, sizeof(buf), "%.1f us", value / 1e3);
	else if (ns < 1000000000)
		std::snprintf(buf, sizeof(buf), "%.2f ms", value / 1e6);
	else
		std::snprintf(buf, sizeof(buf), "%.2f s", value / 1e9);
	return buf;
}

} // namespace ocfctl
