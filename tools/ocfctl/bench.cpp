// SPDX-License-Identifier: GPL-2.0
// ocfctl bench: throughput of /dev/ocf against AF_ALG and OpenSSL, cell by
// cell (backend x size x threads x depth), and the ratios the project tracks.
#include "bench.hpp"
#include "cli.hpp"
#include "output.hpp"

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

struct options {
	common_options common;
	std::vector<const backend *> backends;
	std::vector<std::size_t> sizes = {16, 64, 256, 1024, 8192, 16384};
	std::vector<unsigned> threads = {1, 2, 4, 32};
	std::vector<unsigned> depths = {1, 16, 64};
	double seconds = 0.3;
};

struct cell {
	std::string_view backend;
	std::size_t size;
	unsigned threads;
	unsigned depth;
	double ops_per_second;

	double megabytes_per_second() const
	{
		return ops_per_second * static_cast<double>(size) / 1e6;
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
		const backend *found = nullptr;
		for (const auto &b : bench::backends())
			if (b.name == name)
				found = &b;
		if (!found)
			throw usage_error("--backend: unknown backend '" + std::string(name) +
					  "' (ocf-null, ocf-aes, afalg, openssl, ocf-3des, all)");
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
	while (!args.done()) {
		if (opts.common.read(args))
			continue;
		if (auto v = args.value("backend"))
			opts.backends = parse_backends(*v);
		else if (auto s = args.value("sizes"))
			opts.sizes = parse_list<std::size_t>(*s, "sizes", 64u << 20);
		else if (auto t = args.value("threads"))
			opts.threads = parse_list<unsigned>(*t, "threads", 1024);
		else if (auto d = args.value("depth"))
			opts.depths = parse_list<unsigned>(*d, "depth", OCF_MAX_BATCH);
		else if (auto sec = args.value("seconds"))
			opts.seconds = parse_seconds(*sec);
		else
			args.reject();
	}
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

// What a worker threw, as a failure (keeping its errno where it has one).
failure as_failure(const std::exception &e)
{
	if (const auto *f = dynamic_cast<const failure *>(&e))
		return *f;
	if (const auto *s = dynamic_cast<const std::system_error *>(&e))
		return failure(s->what(), s->code());
	return failure(e.what());
}

// Runs one cell: every thread sets up its own worker, they start together,
// run until the time is up, and the ops count over the wall time from start
// to the last thread's end (so a long final round is not free).
double run_cell(const backend &b, const bench::shape &shape, unsigned threads, double seconds)
{
	struct slot {
		std::uint64_t ops = 0;
		std::optional<failure> error;
	};
	std::vector<slot> slots(threads);
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
				worker = b.make(shape);
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
	return static_cast<double>(ops) / elapsed.count();
}

const cell *find(const std::vector<cell> &cells, std::string_view backend, std::size_t size,
		 unsigned depth)
{
	for (const auto &c : cells)
		if (c.backend == backend && c.size == size && c.threads == 1 && c.depth == depth)
			return &c;
	return nullptr;
}

const cell *best_depth(const std::vector<cell> &cells, std::string_view backend, std::size_t size)
{
	const cell *best = nullptr;
	for (const auto &c : cells)
		if (c.backend == backend && c.size == size && c.threads == 1 &&
		    (!best || c.ops_per_second > best->ops_per_second))
			best = &c;
	return best;
}

// The comparisons the project reports, each from this run's own cells and
// only when those cells ran: (label, ours / theirs in ops/s).
std::vector<std::pair<std::string, double>> ratios(const std::vector<cell> &cells)
{
	std::vector<std::pair<std::string, double>> lines;
	auto ratio = [&](std::string label, const cell *ours, const cell *theirs) {
		if (ours && theirs && theirs->ops_per_second > 0)
			lines.emplace_back(std::move(label), ours->ops_per_second / theirs->ops_per_second);
	};
	ratio("ocf-null 64 B: batch 64 vs batch 1", find(cells, "ocf-null", 64, 64),
	      find(cells, "ocf-null", 64, 1));
	ratio("ocf-aes 64 B batch 64 vs afalg 64 B", find(cells, "ocf-aes", 64, 64),
	      find(cells, "afalg", 64, 1));
	if (const cell *ours = best_depth(cells, "ocf-aes", 16384)) {
		std::string label = "ocf-aes 16 KiB (best depth, " + std::to_string(ours->depth) + ")";
		ratio(label + " vs afalg 16 KiB", ours, find(cells, "afalg", 16384, 1));
		ratio(label + " vs openssl 16 KiB", ours, find(cells, "openssl", 16384, 1));
	}
	return lines;
}

struct backend_failure {
	std::string_view backend;
	failure error;
};

// Under --json: one document, {"version": 1, "bench": {...}} (docs/ocfctl.md).
void print_json(const options &opts, const std::vector<cell> &cells,
		const std::vector<backend_failure> &failures)
{
	std::vector<std::string> results, compared, failed;
	for (const auto &c : cells)
		results.push_back(json::object()
					  .add("backend", c.backend)
					  .add("size", std::uint64_t{c.size})
					  .add("threads", std::uint64_t{c.threads})
					  .add("depth", std::uint64_t{c.depth})
					  .add("ops_per_second", c.ops_per_second, 1)
					  .add("megabytes_per_second", c.megabytes_per_second(), 2)
					  .str());
	for (const auto &[label, value] : ratios(cells))
		compared.push_back(json::object().add("label", label).add("ratio", value, 3).str());
	for (const auto &f : failures)
		failed.push_back(json::object()
					 .add("backend", f.backend)
					 .add("error", json::error(f.error.what(), f.error.cause))
					 .str());
	json::print(json::document().add("bench", json::object()
							  .add("seconds", opts.seconds, 3)
							  .add_raw("results", json::array(results))
							  .add_raw("ratios", json::array(compared))
							  .add_raw("failures", json::array(failed))));
}

void print_table(const std::vector<cell> &cells)
{
	using a = table::align;
	table out({{"backend"},
		   {"size", a::right},
		   {"threads", a::right},
		   {"depth", a::right},
		   {"ops/s", a::right},
		   {"MB/s", a::right}});
	char ops[32], mbs[32];
	for (const auto &c : cells) {
		std::snprintf(ops, sizeof(ops), "%.0f", c.ops_per_second);
		std::snprintf(mbs, sizeof(mbs), "%.2f", c.megabytes_per_second());
		out.add_row({std::string(c.backend), std::to_string(c.size), std::to_string(c.threads),
			     std::to_string(c.depth), ops, mbs});
	}
	out.print(stdout);

	auto lines = ratios(cells);
	if (lines.empty()) {
		std::printf("\nratios: none, this run lacks the cells they compare\n");
		return;
	}
	std::size_t width = 0;
	for (const auto &[label, value] : lines)
		width = std::max(width, label.size());
	std::printf("\nratios (ops/s, threads 1; above 1 means /dev/ocf is faster):\n");
	for (const auto &[label, value] : lines)
		std::printf("  %-*s  %8.2fx\n", static_cast<int>(width), label.c_str(), value);
}

} // namespace

int cmd_bench(arguments &args)
{
	options opts = parse(args);
	std::vector<cell> cells;
	std::vector<backend_failure> failures;

	for (const backend *b : opts.backends) {
		// Only /dev/ocf batches; the others measure one op per call.
		std::vector<unsigned> depths = b->has_depth ? opts.depths : std::vector<unsigned>{1};
		try {
			for (std::size_t size : opts.sizes)
				for (unsigned threads : opts.threads)
					for (unsigned depth : depths) {
						bench::shape shape{size, depth, opts.common.device_path};
						double rate = run_cell(*b, shape, threads, opts.seconds);
						cells.push_back({b->name, size, threads, depth, rate});
						std::fprintf(stderr,
							     "bench: %-8.*s size %6zu threads %3u depth %4u: "
							     "%12.0f ops/s %10.2f MB/s\n",
							     static_cast<int>(b->name.size()), b->name.data(), size,
							     threads, depth, rate, cells.back().megabytes_per_second());
					}
		} catch (const failure &e) {
			std::fprintf(stderr, "ocfctl: bench: %.*s: %s; skipping %.*s\n",
				     static_cast<int>(b->name.size()), b->name.data(), e.what(),
				     static_cast<int>(b->name.size()), b->name.data());
			failures.push_back({b->name, e});
		}
	}

	// With --json, stdout carries the document alone: results, ratios and
	// the backends that failed.
	if (opts.common.json)
		print_json(opts, cells, failures);
	else if (!cells.empty())
		print_table(cells);
	return failures.empty() ? 0 : 1;
}

} // namespace ocfctl
