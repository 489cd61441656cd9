// SPDX-License-Identifier: GPL-2.0
// ocfctl's inspection commands: version, producers, sessions, stats.
#include "cli.hpp"
#include "output.hpp"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <map>

namespace ocfctl {

namespace {

common_options read_common_only(arguments &args)
{
	common_options common;
	while (!args.done())
		if (!common.read(args))
			args.reject();
	return common;
}

template <std::size_t N>
std::string fixed_string(const char (&field)[N])
{
	return std::string(field, strnlen(field, N));
}

std::string alg_name(std::uint32_t alg)
{
	if (alg == OCF_ALG_NONE)
		return "";
	const char *name = ocf_alg_name(alg);
	return name ? name : "alg" + std::to_string(alg);
}

std::vector<std::string> alg_names(std::uint64_t bitmap)
{
	std::vector<std::string> names;
	for (std::uint32_t bit = 0; bit < OCF_ALG_MAX; ++bit)
		if (bitmap & (std::uint64_t{1} << bit))
			names.push_back(alg_name(bit));
	return names;
}

std::string joined(const std::vector<std::string> &words, const char *separator = ",")
{
	std::string out;
	for (const auto &w : words)
		out += (out.empty() ? "" : separator) + w;
	return out;
}

std::string kind_of(const ocf_producer_info &p)
{
	if (p.flags & OCF_PRODUCER_HARDWARE)
		return "hw";
	if (p.flags & OCF_PRODUCER_SOFTWARE)
		return "sw";
	return "";
}

std::vector<std::string> flag_names(const ocf_producer_info &p)
{
	std::vector<std::string> names;
	if (p.flags & OCF_PRODUCER_CAN_CHAIN)
		names.emplace_back("chain");
	if (p.flags & OCF_PRODUCER_CAN_MAC_THEN_CIPHER)
		names.emplace_back("mac-then-cipher");
	if (p.flags & OCF_PRODUCER_SYNC)
		names.emplace_back("sync");
	return names;
}

// A session's flags, named as the producers' flag of the same meaning.
std::vector<std::string> flag_names(const ocf_session_info &s)
{
	std::vector<std::string> names;
	if (s.flags & OCF_SESSION_MAC_THEN_CIPHER)
		names.emplace_back("mac-then-cipher");
	return names;
}

// A chained session's order: "enc-then-mac" or "mac-then-enc"; "" otherwise.
std::string order_of(const ocf_session_info &s)
{
	if (s.cipher == OCF_ALG_NONE || s.mac == OCF_ALG_NONE)
		return "";
	return s.flags & OCF_SESSION_MAC_THEN_CIPHER ? "mac-then-enc" : "enc-then-mac";
}

// The key operations of a bitmap, by name.
std::vector<std::string> kop_names(std::uint32_t kops)
{
	static const std::pair<std::uint32_t, const char *> names[] = {
		{OCF_KOP_MODEXP, "modexp"},
		{OCF_KOP_MODEXP_CRT, "modexp-crt"},
		{OCF_KOP_DSA_SIGN, "dsa-sign"},
		{OCF_KOP_DSA_VERIFY, "dsa-verify"},
		{OCF_KOP_DH_COMPUTE_KEY, "dh-compute-key"},
	};
	std::vector<std::string> out;
	for (const auto &[kop, name] : names)
		if (kops & (1u << kop))
			out.emplace_back(name);
	return out;
}

// "modexp,modexp-crt <= 8192 bits", or "" for none.
std::string kops_cell(const ocf_producer_info &p)
{
	if (!p.kops)
		return "";
	return joined(kop_names(p.kops)) + " <= " + std::to_string(p.kop_max_bits) + " bits";
}

// The one shape of counters in every document: producers', sessions', the total.
json::object stats_json(const ocf_stats &s)
{
	return json::object()
		.add("requests", std::uint64_t{s.requests})
		.add("bytes", std::uint64_t{s.bytes})
		.add("errors", std::uint64_t{s.errors})
		.add("in_flight", std::uint64_t{s.in_flight})
		.add("migrations", std::uint64_t{s.migrations})
		.add("sessions", std::uint64_t{s.sessions})
		.add("latency_ns", std::uint64_t{s.latency_ns})
		.add("kop_requests", std::uint64_t{s.kop_requests});
}

// A text, or null when it is empty (JSON's "none", where a table prints "-").
json::object &add_or_null(json::object &o, std::string_view key, const std::string &text)
{
	return text.empty() ? o.add_null(key) : o.add(key, text);
}

std::vector<std::string> stats_cells(const ocf_stats &s)
{
	return {std::to_string(s.requests), human_bytes(s.bytes), std::to_string(s.errors),
		std::to_string(s.in_flight), std::to_string(s.migrations),
		std::to_string(s.sessions), human_ns(s.latency_ns), std::to_string(s.kop_requests)};
}

std::vector<table::column> stats_columns()
{
	using a = table::align;
	return {{"requests", a::right},	 {"bytes", a::right},	   {"errors", a::right},
		{"in flight", a::right}, {"migrations", a::right}, {"sessions", a::right},
		{"latency", a::right},	 {"key ops", a::right}};
}

template <typename T>
std::vector<T> listed(std::vector<T> list, std::error_code ec, const char *what)
{
	if (ec)
		throw call_failure(what, ec);
	return list;
}

} // namespace

int cmd_version(arguments &args)
{
	common_options common = read_common_only(args);
	auto dev = open_device(common.device_path);
	std::error_code ec;
	auto v = dev.version(ec);
	if (ec)
		throw call_failure("version", ec);
	if (common.json)
		json::print(json::document()
				    .add("ocfctl_version", OCFCTL_VERSION)
				    .add("module", json::object()
							   .add("abi_version", std::uint64_t{v.abi_version})
							   .add("module_version", v.module_version)));
	else
		std::printf("module version  %s\nABI version     %u\n", v.module_version.c_str(),
			    v.abi_version);
	return 0;
}

int cmd_producers(arguments &args)
{
	common_options common = read_common_only(args);
	auto dev = open_device(common.device_path);
	std::error_code ec;
	auto producers = listed(dev.producers(ec), ec, "listing producers");

	if (common.json) {
		std::vector<std::string> items;
		for (const auto &p : producers) {
			json::object item;
			item.add("id", std::uint64_t{p.id}).add("name", fixed_string(p.name));
			add_or_null(item, "kind", kind_of(p))
				.add("flags", flag_names(p))
				.add("algorithms", alg_names(p.algs))
				.add("max_len", std::uint64_t{p.max_len})
				.add("max_sessions", std::uint64_t{p.max_sessions})
				.add("kops", kop_names(p.kops))
				.add("kop_max_bits", std::uint64_t{p.kop_max_bits})
				.add("stats", stats_json(p.stats));
			items.push_back(item.str());
		}
		json::print(json::document().add_raw("producers", json::array(items)));
		return 0;
	}

	using a = table::align;
	table out({{"id", a::right},
		   {"name"},
		   {"kind"},
		   {"flags"},
		   {"algorithms"},
		   {"max len", a::right},
		   {"sessions", a::right},
		   {"key ops"}});
	for (const auto &p : producers) {
		std::string sessions = std::to_string(p.stats.sessions);
		if (p.max_sessions)
			sessions += "/" + std::to_string(p.max_sessions);
		out.add_row({std::to_string(p.id), fixed_string(p.name), or_dash(kind_of(p)),
			     or_dash(joined(flag_names(p))), or_dash(joined(alg_names(p.algs))),
			     exact_bytes(p.max_len), sessions, or_dash(kops_cell(p))});
	}
	out.print(stdout);
	return 0;
}

int cmd_sessions(arguments &args)
{
	common_options common;
	bool all = false;
	while (!args.done()) {
		if (args.flag("all"))
			all = true;
		else if (!common.read(args))
			args.reject();
	}
	auto dev = open_device(common.device_path);
	std::error_code ec;
	// Without --all: the caller's own sessions, in every process of theirs
	// (ocfctl's own file has none).
	auto sessions = dev.sessions(all ? ocf::session_scope::all : ocf::session_scope::user, ec);
	if (ec == std::errc::operation_not_permitted || ec == std::errc::permission_denied)
		throw failure("listing all sessions needs CAP_SYS_ADMIN (run as root)", ec);
	sessions = listed(std::move(sessions), ec, "listing sessions");

	// Producer names make the table readable; the ids alone still do.
	std::map<std::uint32_t, std::string> producer_names;
	for (const auto &p : dev.producers(ec))
		producer_names[p.id] = fixed_string(p.name);

	// (Under --json the empty list says it.)
	if (!all && sessions.empty() && !common.json)
		std::fprintf(stderr, "ocfctl: you have no sessions open; "
				     "--all lists every user's (needs root)\n");

	if (common.json) {
		std::vector<std::string> items;
		for (const auto &s : sessions) {
			json::object item;
			item.add("id", std::uint64_t{s.session}).add("owner_pid", std::uint64_t{s.owner_pid});
			add_or_null(item, "cipher", alg_name(s.cipher));
			add_or_null(item, "mac", alg_name(s.mac));
			item.add("flags", flag_names(s));
			add_or_null(item, "order", order_of(s));
			// The producer serving it, as in the producers document; null
			// while it has none.
			if (s.producer) {
				json::object producer;
				producer.add("id", std::uint64_t{s.producer});
				auto name = producer_names.find(s.producer);
				add_or_null(producer, "name",
					    name != producer_names.end() ? name->second : std::string());
				item.add("producer", producer);
			} else {
				item.add_null("producer");
			}
			item.add("stats", stats_json(s.stats));
			items.push_back(item.str());
		}
		json::print(json::document()
				    .add("scope", all ? "all" : "user")
				    .add_raw("sessions", json::array(items)));
		return 0;
	}

	using a = table::align;
	std::vector<table::column> columns = {{"session", a::right}, {"pid", a::right}, {"cipher"},
					      {"mac"}, {"order"}, {"producer"}};
	for (auto &c : stats_columns())
		if (c.title != "sessions")
			columns.push_back(c);
	table out(columns);
	for (const auto &s : sessions) {
		std::string producer = s.producer ? std::to_string(s.producer) : "none";
		auto name = producer_names.find(s.producer);
		if (name != producer_names.end())
			producer += " (" + name->second + ")";
		std::vector<std::string> row = {std::to_string(s.session), std::to_string(s.owner_pid),
						or_dash(alg_name(s.cipher)), or_dash(alg_name(s.mac)),
						or_dash(order_of(s)),
						producer};
		auto cells = stats_cells(s.stats);
		cells.erase(cells.begin() + 5); // the per-session "sessions" count is always 1
		row.insert(row.end(), cells.begin(), cells.end());
		out.add_row(row);
	}
	out.print(stdout);
	return 0;
}

int cmd_stats(arguments &args)
{
	common_options common = read_common_only(args);
	auto dev = open_device(common.device_path);
	std::error_code ec;
	auto producers = listed(dev.producers(ec), ec, "listing producers");

	ocf_stats total{};
	// The mean latency over all producers, each weighted by its requests.
	long double weighted_latency = 0;
	for (const auto &p : producers) {
		total.requests += p.stats.requests;
		total.bytes += p.stats.bytes;
		total.errors += p.stats.errors;
		total.in_flight += p.stats.in_flight;
		total.migrations += p.stats.migrations;
		total.sessions += p.stats.sessions;
		total.kop_requests += p.stats.kop_requests;
		weighted_latency += static_cast<long double>(p.stats.latency_ns) *
				    static_cast<long double>(p.stats.requests);
	}
	if (total.requests)
		total.latency_ns = static_cast<std::uint64_t>(
			weighted_latency / static_cast<long double>(total.requests));

	if (common.json) {
		std::vector<std::string> items;
		for (const auto &p : producers)
			items.push_back(json::object()
						.add("id", std::uint64_t{p.id})
						.add("name", fixed_string(p.name))
						.add("stats", stats_json(p.stats))
						.str());
		json::print(json::document().add("stats", json::object()
								  .add("total", stats_json(total))
								  .add_raw("producers", json::array(items))));
		return 0;
	}

	std::vector<table::column> columns = {{"id", table::align::right}, {"name"}};
	for (auto &c : stats_columns())
		columns.push_back(c);
	table out(columns);
	for (const auto &p : producers) {
		std::vector<std::string> row = {std::to_string(p.id), fixed_string(p.name)};
		auto cells = stats_cells(p.stats);
		row.insert(row.end(), cells.begin(), cells.end());
		out.add_row(row);
	}
	out.add_rule();
	std::vector<std::string> row = {"", "total"};
	auto cells = stats_cells(total);
	row.insert(row.end(), cells.begin(), cells.end());
	out.add_row(row);
	out.print(stdout);
	return 0;
}

} // namespace ocfctl
