// SPDX-License-Identifier: GPL-2.0
// ocfctl bench: throughput of /dev/ocf against AF_ALG and OpenSSL, cell by
// cell (backend x size x threads x depth), and the ratios the project tracks
// against their targets (--targets runs just the cells those need).
#include "bench.hpp"
#include "cli.hpp"
#include "output.hpp"

#include <algorithm>
#include <atomic>
#include <barrier>
#include <charconv>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <optional>
#include <string>
#include <system_error>
#include <thread>
#include <vector>

namespace ocfctl {

namespace {

using bench::backend;

// What --targets compares: the ratios issues 18 and 19 set targets for.
// A cell a comparison reads; threads 0 stands for as many as there are CPUs.
struct cell_key {
	std::string_view backend;
	std::size_t size;
	unsigned threads;
	unsigned depth;
	std::string_view producer;	// what --targets pins the sessions to
};

constexpr unsigned all_cpus = 0;
constexpr cell_key aes_run64{"ocf-aes", 64, 1, 64, "swcrypt"};
constexpr cell_key aes_run1{"ocf-aes", 64, 1, 1, "swcrypt"};
constexpr cell_key aes_async64{"ocf-aes-async", 64, 1, 64, "swcrypt"};
constexpr cell_key aes_uring64{"ocf-aes-uring", 64, 1, 64, "swcrypt"};
constexpr cell_key aes_sqpoll64{"ocf-aes-sqpoll", 64, 1, 64, "swcrypt"};
constexpr cell_key afalg64{"afalg", 64, 1, 1, ""};
constexpr cell_key null_run64{"ocf-null", 64, 1, 64, "null0"};
constexpr cell_key null_run1{"ocf-null", 64, 1, 1, "null0"};
constexpr cell_key aes16k_cpus{"ocf-aes", 16384, all_cpus, 1, "swcrypt"};
constexpr cell_key openssl16k_cpus{"openssl", 16384, all_cpus, 1, ""};

struct comparison {
	std::string_view label;
	cell_key ours, theirs;
	double target;	// ours / theirs in ops/s must reach it
	unsigned issue;
};

constexpr comparison targets[] = {
	{"64 B AES-128-CBC, 1 thread: RUN batch 64 vs AF_ALG", aes_run64, afalg64, 18, 18},
	{"64 B AES-128-CBC, 1 thread: RUN batch 1 vs AF_ALG", aes_run1, afalg64, 9, 18},
	{"64 B AES-128-CBC, 1 thread: SUBMIT/REAP depth 64 vs RUN batch 64", aes_async64, aes_run64,
	 0.9, 18},
	{"64 B null cipher, 1 thread: RUN batch 64 vs batch 1", null_run64, null_run1, 5, 18},
	{"16 KiB AES-128-CBC, threads = CPUs: RUN batch 1 vs OpenSSL", aes16k_cpus, openssl16k_cpus,
	 1.0, 18},
	{"64 B AES-128-CBC, 1 thread: io_uring depth 64 vs RUN batch 64", aes_uring64, aes_run64, 1.0,
	 19},
	{"64 B AES-128-CBC, 1 thread: io_uring SQPOLL depth 64 vs RUN batch 64", aes_sqpoll64, aes_run64,
	 1.0, 19},
};

unsigned cpu_count()
{
	unsigned n = std::thread::hardware_concurrency();
	return n ? n : 1;
}

unsigned threads_of(const cell_key &key)
{
	return key.threads == all_cpus ? cpu_count() : key.threads;
}

struct options {
	common_options common;
	std::vector<const backend *> backends;
	std::vector<std::size_t> sizes = {16, 64, 256, 1024, 8192, 16384};
	std::vector<unsigned> threads = {1, 2, 4, 32};
	std::vector<unsigned> depths = {1, 16, 64};
	std::string producer;
	double seconds = 0.3;
	unsigned runs = 1;
	bool targets = false;
};

// What one cell runs.
struct cell_spec {
	const backend *b;
	std::size_t size;
	unsigned threads;
	unsigned depth;
	std::string producer;	// /dev/ocf sessions pinned to it; "" any
};

struct cell {
	cell_spec spec;
	std::string producer;		// the producer that served it; "" none
	std::vector<double> runs;	// ops/s of each run

	// The median run: one slow run on a loaded host does not move it.
	double ops_per_second() const
	{
		std::vector<double> sorted = runs;
		std::sort(sorted.begin(), sorted.end());
		std::size_t n = sorted.size();
		return n % 2 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
	}
	double megabytes_per_second() const
	{
		return ops_per_second() * static_cast<double>(spec.size) / 1e6;
	}
	bool is(const cell_key &key) const
	{
		return spec.b->name == key.backend && spec.size == key.size &&
		       spec.threads == threads_of(key) && spec.depth == key.depth;
	}
};

// "16", "16k" (KiB), "1m" (MiB), from 1 to max.
std::size_t parse_count(std::string_view text, std::string_view option, std::size_t max)
{
	std::size_t value = 0;
	auto [rest, err] = std::from_chars(text.data(), text.data() + text.size(), value);
	std::string_view suffix(rest, static_cast<std::size_t>(text.data() + text.size() - rest));
	std::size_t scale = 1;
	if (suffix == "k" || suffix == "K")
		scale = 1024;
	else if (suffix == "m" || suffix == "M")
		scale = 1024 * 1024;
	else if (!suffix.empty())
		err = std::errc::invalid_argument;
	if (err != std::errc{} || value == 0)
		throw usage_error("--" + std::string(option) + ": '" + std::string(text) +
				  "' is not a positive number");
	if (value > max / scale)
		throw usage_error("--" + std::string(option) + ": " + std::string(text) +
				  " is over the limit of " + std::to_string(max));
	return value * scale;
}

template <typename T>
std::vector<T> parse_list(std::string_view text, std::string_view option, std::size_t max)
{
	std::vector<T> values;
	while (!text.empty()) {
		std::size_t comma = text.find(',');
		std::size_t value = parse_count(text.substr(0, comma), option, max);
		values.push_back(static_cast<T>(value));
		text = comma == std::string_view::npos ? "" : text.substr(comma + 1);
	}
	if (values.empty())
		throw usage_error("--" + std::string(option) + " needs at least one value");
	return values;
}

const backend *find_backend(std::string_view name)
{
	for (const auto &b : bench::backends())
		if (b.name == name)
			return &b;
	return nullptr;
}

std::vector<const backend *> parse_backends(std::string_view text)
{
	std::vector<const backend *> chosen;
	if (text == "all") {
		for (const auto &b : bench::backends())
			if (b.in_all)
				chosen.push_back(&b);
		return chosen;
	}
	while (!text.empty()) {
		std::size_t comma = text.find(',');
		std::string_view name = text.substr(0, comma);
		const backend *found = find_backend(name);
		if (!found) {
			std::string known;
			for (const auto &b : bench::backends())
				known += std::string(b.name) + ", ";
			throw usage_error("--backend: unknown backend '" + std::string(name) + "' (" + known +
					  "all)");
		}
		chosen.push_back(found);
		text = comma == std::string_view::npos ? "" : text.substr(comma + 1);
	}
	return chosen;
}

double parse_seconds(std::string_view text)
{
	std::string copy(text);
	char *end = nullptr;
	double value = std::strtod(copy.c_str(), &end);
	if (copy.empty() || *end != '\0' || !std::isfinite(value) || value <= 0 || value > 3600)
		throw usage_error("--seconds: '" + copy + "' is not a duration in (0, 3600]");
	return value;
}

options parse(arguments &args)
{
	options opts;
	std::optional<unsigned> runs;
	std::string_view cell_option; // the last option that picks cells, for --targets' error
	while (!args.done()) {
		if (opts.common.read(args))
			continue;
		if (args.flag("targets")) {
			opts.targets = true;
			continue;
		}
		if (auto v = args.value("backend")) {
			opts.backends = parse_backends(*v);
			cell_option = "--backend";
		} else if (auto s = args.value("sizes")) {
			opts.sizes = parse_list<std::size_t>(*s, "sizes", 64u << 20);
			cell_option = "--sizes";
		} else if (auto t = args.value("threads")) {
			opts.threads = parse_list<unsigned>(*t, "threads", 1024);
			cell_option = "--threads";
		} else if (auto d = args.value("depth")) {
			opts.depths = parse_list<unsigned>(*d, "depth", OCF_MAX_BATCH);
			cell_option = "--depth";
		} else if (auto p = args.value("producer")) {
			if (p->empty())
				throw usage_error("--producer needs a producer's name or id");
			opts.producer = *p;
			cell_option = "--producer";
		} else if (auto sec = args.value("seconds")) {
			opts.seconds = parse_seconds(*sec);
		} else if (auto r = args.value("runs")) {
			runs = static_cast<unsigned>(parse_count(*r, "runs", 1000));
		} else {
			args.reject();
		}
	}
	if (opts.targets && !cell_option.empty())
		throw usage_error("--targets runs the cells its comparisons need: drop " +
				  std::string(cell_option));
	// One run per cell for the matrix, as before; the targets' ratios are
	// medians of several.
	opts.runs = runs.value_or(opts.targets ? 5 : 1);
	if (opts.backends.empty())
		opts.backends = parse_backends("all");
	for (const backend *b : opts.backends)
		for (std::size_t size : opts.sizes)
			if (size % b->block)
				throw usage_error("--sizes: " + std::to_string(size) + " is not a multiple of " +
						  std::to_string(b->block) + ", the block size of " +
						  std::string(b->name));
	return opts;
}

// The cells to run: under --targets, each cell the comparisons read (once,
// in the order they first appear); else backend x size x threads x depth.
std::vector<cell_spec> plan(const options &opts)
{
	std::vector<cell_spec> specs;
	if (opts.targets) {
		for (const auto &t : targets)
			for (const cell_key *key : {&t.ours, &t.theirs}) {
				const backend *b = find_backend(key->backend);
				bool planned = std::any_of(specs.begin(), specs.end(), [&](const cell_spec &s) {
					return s.b == b && s.size == key->size &&
					       s.threads == threads_of(*key) && s.depth == key->depth;
				});
				if (!planned)
					specs.push_back({b, key->size, threads_of(*key), key->depth,
							 std::string(key->producer)});
			}
		return specs;
	}
	for (const backend *b : opts.backends) {
		// Only /dev/ocf has a depth; the others do one op per call.
		std::vector<unsigned> depths = b->has_depth ? opts.depths : std::vector<unsigned>{1};
		for (std::size_t size : opts.sizes)
			for (unsigned threads : opts.threads)
				for (unsigned depth : depths)
					specs.push_back({b, size, threads, depth, opts.producer});
	}
	return specs;
}

// What a worker threw, as a failure (keeping its errno where it has one).
failure as_failure(const std::exception &e)
{
	if (const auto *f = dynamic_cast<const failure *>(&e))
		return *f;
	if (const auto *s = dynamic_cast<const std::system_error *>(&e))
		return failure(s->what(), s->code());
	return failure(e.what());
}

struct cell_run {
	double ops_per_second;
	std::string producer;	// the first thread's
};

// Runs one cell once: every thread sets up its own worker, they start
// together, run until the time is up, and the ops count over the wall time
// from start to the last thread's end (so a long final round is not free).
cell_run run_cell(const cell_spec &spec, const std::string &device_path, double seconds)
{
	struct slot {
		std::uint64_t ops = 0;
		std::optional<failure> error;
	};
	unsigned threads = spec.threads;
	bench::shape shape{spec.size, spec.depth, device_path, spec.producer};
	std::vector<slot> slots(threads);
	std::string producer;
	std::atomic<bool> stop{false};
	std::atomic<bool> failed{false};
	std::barrier ready(static_cast<std::ptrdiff_t>(threads) + 1);

	std::vector<std::jthread> pool;
	pool.reserve(threads);
	std::optional<failure> start_error;
	for (unsigned t = 0; t < threads && !start_error; ++t) {
		auto body = [&, t] {
			slot &mine = slots[t];
			std::unique_ptr<bench::worker> worker;
			try {
				worker = spec.b->make(shape);
				if (t == 0)
					producer = worker->producer();
			} catch (const std::exception &e) {
				mine.error = as_failure(e);
				failed = true;
			}
			ready.arrive_and_wait();
			if (!worker)
				return;
			try {
				while (!stop.load(std::memory_order_relaxed))
					mine.ops += worker->round();
			} catch (const std::exception &e) {
				mine.error = as_failure(e);
				failed = true;
				stop = true;
			}
		};
		try {
			pool.emplace_back(body);
		} catch (const std::system_error &e) {
			start_error.emplace("cannot start thread " + std::to_string(t + 1) + ": " + e.what(),
					    e.code());
			failed = true;
			// The threads that did start wait for the ones that never will.
			for (unsigned missing = t; missing < threads; ++missing)
				ready.arrive_and_drop();
		}
	}

	ready.arrive_and_wait();
	auto start = std::chrono::steady_clock::now();
	if (!failed)
		std::this_thread::sleep_for(std::chrono::duration<double>(seconds));
	stop = true;
	pool.clear(); // joins
	std::chrono::duration<double> elapsed = std::chrono::steady_clock::now() - start;

	if (start_error)
		throw *start_error;
	std::uint64_t ops = 0;
	for (const auto &s : slots) {
		if (s.error)
			throw *s.error;
		ops += s.ops;
	}
	return {static_cast<double>(ops) / elapsed.count(), producer};
}

const cell *find(const std::vector<cell> &cells, const cell_key &key)
{
	for (const auto &c : cells)
		if (c.is(key))
			return &c;
	return nullptr;
}

const cell *best_depth(const std::vector<cell> &cells, std::string_view backend, std::size_t size)
{
	const cell *best = nullptr;
	for (const auto &c : cells)
		if (c.spec.b->name == backend && c.spec.size == size && c.spec.threads == 1 &&
		    (!best || c.ops_per_second() > best->ops_per_second()))
			best = &c;
	return best;
}

struct ratio_line {
	std::string label;
	const cell *ours, *theirs;
	double ratio;
	double target;	// 0: none
	unsigned issue; // 0: none

	// Judged on the ratio as printed (3 decimals in JSON): 0.9996 shows as
	// 1.000 and meets a target of 1.
	bool met() const { return std::round(ratio * 1000) / 1000 >= target; }
};

// The comparisons this run has the cells for: the targets, then (without
// a target) 16 KiB at /dev/ocf's best depth against AF_ALG and OpenSSL.
std::vector<ratio_line> ratios(const std::vector<cell> &cells)
{
	std::vector<ratio_line> lines;
	auto add = [&](std::string label, const cell *ours, const cell *theirs, double target,
		       unsigned issue) {
		if (ours && theirs && theirs->ops_per_second() > 0)
			lines.push_back({std::move(label), ours, theirs,
					 ours->ops_per_second() / theirs->ops_per_second(), target, issue});
	};
	for (const auto &t : targets)
		add(std::string(t.label), find(cells, t.ours), find(cells, t.theirs), t.target, t.issue);
	if (const cell *ours = best_depth(cells, "ocf-aes", 16384)) {
		std::string label = "16 KiB AES-128-CBC, 1 thread: RUN at its best depth (" +
				    std::to_string(ours->spec.depth) + ") vs ";
		add(label + "AF_ALG", ours, find(cells, {"afalg", 16384, 1, 1, ""}), 0, 0);
		add(label + "OpenSSL", ours, find(cells, {"openssl", 16384, 1, 1, ""}), 0, 0);
	}
	return lines;
}

struct backend_failure {
	std::string_view backend;
	failure error;
};

std::string number_list(const std::vector<double> &values, int decimals)
{
	std::string out = "[";
	char buf[64];
	for (std::size_t i = 0; i < values.size(); ++i) {
		std::snprintf(buf, sizeof(buf), "%.*f", decimals, values[i]);
		out += (i ? ", " : "") + std::string(buf);
	}
	return out + "]";
}

json::object cell_ref(const cell &c)
{
	return json::object()
		.add("backend", c.spec.b->name)
		.add("size", std::uint64_t{c.spec.size})
		.add("threads", std::uint64_t{c.spec.threads})
		.add("depth", std::uint64_t{c.spec.depth});
}

// Under --json: one document, {"version": 1, "bench": {...}} (docs/ocfctl.md).
void print_json(const options &opts, const std::vector<cell> &cells,
		const std::vector<backend_failure> &failures)
{
	std::vector<std::string> results, compared, failed;
	for (const auto &c : cells) {
		json::object result = cell_ref(c);
		if (c.producer.empty())
			result.add_null("producer");
		else
			result.add("producer", c.producer);
		results.push_back(result.add("ops_per_second", c.ops_per_second(), 1)
					  .add("megabytes_per_second", c.megabytes_per_second(), 2)
					  .add_raw("runs", number_list(c.runs, 1))
					  .str());
	}
	for (const auto &r : ratios(cells)) {
		json::object line;
		line.add("label", r.label);
		if (r.issue)
			line.add("issue", std::uint64_t{r.issue});
		else
			line.add_null("issue");
		line.add("ours", cell_ref(*r.ours)).add("theirs", cell_ref(*r.theirs)).add("ratio", r.ratio, 3);
		if (r.target > 0)
			line.add("target", r.target, 2).add_raw("met", r.met() ? "true" : "false");
		else
			line.add_null("target").add_null("met");
		compared.push_back(line.str());
	}
	for (const auto &f : failures)
		failed.push_back(json::object()
					 .add("backend", f.backend)
					 .add("error", json::error(f.error.what(), f.error.cause))
					 .str());
	json::print(json::document().add("bench", json::object()
							  .add("seconds", opts.seconds, 3)
							  .add("runs", std::uint64_t{opts.runs})
							  .add_raw("targets", opts.targets ? "true" : "false")
							  .add_raw("results", json::array(results))
							  .add_raw("ratios", json::array(compared))
							  .add_raw("failures", json::array(failed))));
}

std::string format(const char *fmt, double value)
{
	char buf[64];
	std::snprintf(buf, sizeof(buf), fmt, value);
	return buf;
}

void print_table(const options &opts, const std::vector<cell> &cells)
{
	using a = table::align;
	bool spread = opts.runs > 1;
	std::vector<table::column> columns = {{"backend"},
					      {"producer"},
					      {"size", a::right},
					      {"threads", a::right},
					      {"depth", a::right},
					      {"ops/s", a::right},
					      {"MB/s", a::right}};
	if (spread) {
		columns.push_back({"min ops/s", a::right});
		columns.push_back({"max ops/s", a::right});
	}
	table out(columns);
	for (const auto &c : cells) {
		std::vector<std::string> row = {std::string(c.spec.b->name),
						or_dash(c.producer),
						std::to_string(c.spec.size),
						std::to_string(c.spec.threads),
						std::to_string(c.spec.depth),
						format("%.0f", c.ops_per_second()),
						format("%.2f", c.megabytes_per_second())};
		if (spread) {
			auto [lo, hi] = std::minmax_element(c.runs.begin(), c.runs.end());
			row.push_back(format("%.0f", *lo));
			row.push_back(format("%.0f", *hi));
		}
		out.add_row(std::move(row));
	}
	if (spread)
		std::printf("ops/s: the median of %u runs of %.3g s per cell, interleaved\n", opts.runs,
			    opts.seconds);
	out.print(stdout);

	auto lines = ratios(cells);
	if (lines.empty()) {
		std::printf("\nratios: none, this run lacks the cells they compare\n");
		return;
	}
	std::printf("\nratios (ops/s, ours / theirs; above 1 means the first is faster):\n");
	table compared({{"comparison"},
			{"ratio", a::right},
			{"target", a::right},
			{"met"},
			{"issue", a::right}});
	for (const auto &r : lines) {
		bool has_target = r.target > 0;
		compared.add_row({r.label, format("%.2fx", r.ratio),
				  has_target ? format(">= %gx", r.target) : "-",
				  has_target ? (r.met() ? "yes" : "no") : "-",
				  r.issue ? std::to_string(r.issue) : "-"});
	}
	compared.print(stdout);
}

} // namespace

int cmd_bench(arguments &args)
{
	options opts = parse(args);
	std::vector<cell> cells;
	for (auto &spec : plan(opts))
		cells.push_back({std::move(spec), {}, {}});
	std::vector<backend_failure> failures;
	auto has_failed = [&](const backend *b) {
		return std::any_of(failures.begin(), failures.end(),
				   [&](const backend_failure &f) { return f.backend == b->name; });
	};

	// Every run goes through all the cells, forwards then backwards, so
	// that a drift in the host's load falls on every cell alike.
	for (unsigned run = 0; run < opts.runs; ++run)
		for (std::size_t k = 0; k < cells.size(); ++k) {
			cell &c = cells[run % 2 ? cells.size() - 1 - k : k];
			const backend &b = *c.spec.b;
			if (has_failed(&b))
				continue;
			try {
				cell_run result = run_cell(c.spec, opts.common.device_path, opts.seconds);
				c.runs.push_back(result.ops_per_second);
				c.producer = result.producer;
			} catch (const failure &e) {
				std::fprintf(stderr, "ocfctl: bench: %.*s: %s; skipping %.*s\n",
					     static_cast<int>(b.name.size()), b.name.data(), e.what(),
					     static_cast<int>(b.name.size()), b.name.data());
				failures.push_back({b.name, e});
				continue;
			}
			std::fprintf(stderr,
				     "bench: run %u/%u %-15.*s size %6zu threads %3u depth %4u: "
				     "%12.0f ops/s\n",
				     run + 1, opts.runs, static_cast<int>(b.name.size()), b.name.data(),
				     c.spec.size, c.spec.threads, c.spec.depth, c.runs.back());
		}
	std::erase_if(cells, [](const cell &c) { return c.runs.empty(); });

	// With --json, stdout carries the document alone: results, ratios and
	// the backends that failed.
	if (opts.common.json)
		print_json(opts, cells, failures);
	else if (!cells.empty())
		print_table(opts, cells);
	return failures.empty() ? 0 : 1;
}

} // namespace ocfctl
