// SPDX-License-Identifier: GPL-2.0
// ocfctl's two output forms: aligned text tables and JSON.
#ifndef OCFCTL_OUTPUT_HPP
#define OCFCTL_OUTPUT_HPP

#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

namespace ocfctl {

// A text table: a header, rows, and optional rules (e.g. above a total).
// Numbers read best right-aligned, words left-aligned.
class table {
public:
	enum class align { left, right };
	struct column {
		std::string title;
		align alignment = align::left;
	};

	explicit table(std::vector<column> columns);
	void add_row(std::vector<std::string> cells);
	void add_rule();
	void print(std::FILE *to) const;

private:
	std::vector<column> columns_;
	// An empty row stands for a rule (a row always has every column).
	std::vector<std::vector<std::string>> rows_;
};

namespace json {

// A JSON string literal, quotes included.
std::string quote(std::string_view text);

// Builds one JSON object; values are appended in order.
class object {
public:
	object &add(std::string_view key, std::string_view text);
	object &add(std::string_view key, const char *text);
	object &add(std::string_view key, std::uint64_t number);
	object &add(std::string_view key, double number, int decimals);
	object &add(std::string_view key, const std::vector<std::string> &texts);
	object &add(std::string_view key, const object &nested);
	object &add_null(std::string_view key);
	// Adds already-formatted JSON (a nested object or array).
	object &add_raw(std::string_view key, std::string_view json);
	std::string str() const { return "{" + body_ + "}"; }

private:
	void key(std::string_view name);
	std::string body_;
};

// A JSON array of already-formatted elements, one per line.
std::string array(const std::vector<std::string> &elements);

// The version of ocfctl's JSON schema (docs/ocfctl.md). Every document
// ocfctl prints under --json is one object whose first key is "version".
constexpr std::uint64_t schema_version = 1;

// A document's object, "version" already in it; commands add their payload.
object document();
// Prints @doc on stdout, then a newline: under --json, all that stdout gets.
void print(const object &doc);

// An error object: {"code": -errno, "name": "ENOENT", "message": ...}, code
// and name null when @cause is none (e.g. an OpenSSL failure in bench).
object error(std::string_view message, std::error_code cause);

} // namespace json

// "-" for an empty text: a table's way of saying "none".
std::string or_dash(std::string text);
// 1536 -> "1.5 KiB"; exact multiples print without decimals ("64 KiB").
std::string human_bytes(std::uint64_t bytes);
// A size limit: "64 KiB" for exact multiples of a unit, else bytes ("65535 B"),
// rounded as human_bytes() from 1 MiB on.
std::string exact_bytes(std::uint64_t bytes);
// A latency in nanoseconds: "850 ns", "12.3 us", "4.56 ms"; 0 prints "-".
std::string human_ns(std::uint64_t ns);

} // namespace ocfctl

#endif // OCFCTL_OUTPUT_HPP
