// ocf_hifn_bench: the paper's Table I (section 5.4: crypto-request load
// balancing over a quad Hifn 7751 card, 3DES) with Hifn chip models, and a
// heterogeneous run (two chips at the 7751's rate, two at four times it)
// comparing the load-balancing policies. tools/hifn-bench boots the VM with
// ocf.ko, ocf_swcrypt.ko, ocf_hifn.ko and ocf_hifn_model.ko and runs this;
// it prints progress on stderr and a Markdown section on stdout.
//
// In order, in one VM run:
//  1. swcrypt: 3DES-CBC 16 KiB with sessions pinned to the software producer,
//     enough threads for every CPU: what the CPUs do without the chips.
//  2. The time scale (--scale, or auto: the smallest that keeps the four
//     chips' aggregate peak in wall-clock time at most a third of swcrypt's,
//     so that the modelled chips, not the CPUs, are the bottleneck, and
//     the peak stays above a quarter of swcrypt's as issue 5 requires).
//  3. Table I: threads 1, 2, 3, 4, 32, one request at a time each, session
//     i pinned to chip i mod 4 (the paper's fewest-sessions spread; swcrypt
//     gets nothing); plus one thread with a session on every chip keeping
//     --depth requests in flight through OCF_IOC_SUBMIT/REAP.
//  4. swcrypt again (the host is shared: both figures are stated).
//  5. Heterogeneous: chips 2 and 3 at four times the 7751's rate (debugfs
//     rate_3des), unpinned sessions, policy completion then sessions.
//
// A cell counts the bytes of requests that complete within a window that
// opens --warmup seconds after the threads start (the pipeline is full by
// then) and lasts --seconds, over the window's wall-clock length; times the
// time scale, that is the modelled throughput, shown against the modelled
// aggregate peak (the sum of the chips' rated 3DES throughput).
#include "hifn_common.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <map>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace {

using clk = std::chrono::steady_clock;

using hifnt::model_params;
using hifnt::model_state;
using hifnt::model_write;
const std::string ocf_policy_param = std::string(ocft::ocf_params) + "policy";

// The paper's Table I, Mbit/s: threads x {16, 64, 256, 1024, 8192, 16384} bytes.
const std::map<unsigned, std::vector<double>> paper = {
	{1, {3, 11.4, 33, 59, 79, 80}},
	{2, {5.5, 18.4, 56, 111, 154, 160}},
	{3, {6.4, 23.2, 71, 152, 229, 238}},
	{4, {6.8, 25.7, 81, 182, 292, 299}},
	{32, {7.3, 27.5, 94, 249, 313, 320}},
};
const std::vector<unsigned> paper_sizes = {16, 64, 256, 1024, 8192, 16384};

std::vector<unsigned> parse_list(const std::string &s)
{
	std::vector<unsigned> out;
	std::stringstream in(s);
	std::string item;
	while (std::getline(in, item, ','))
		out.push_back(static_cast<unsigned>(std::stoul(item, nullptr, 0)));
	return out;
}

struct workload {
	unsigned threads;
	unsigned size;
};

struct options {
	std::vector<unsigned> threads = {1, 2, 3, 4, 32};
	std::vector<unsigned> sizes = paper_sizes;
	double seconds = 3.0;
	double warmup = 0.5;
	unsigned depth = 64;	// the async row: requests in flight
	unsigned scale = 0;	// 0: auto
	double scale_share = 1.0 / 3;	// auto: peak at most this share of swcrypt
	unsigned sw_threads = 0;	// 0: twice the CPUs
	bool hetero = true;
	unsigned fast = 4;	// the heterogeneous run's fast chips: this times the 7751
	std::vector<workload> hetero_loads = {{32, 16384}, {32, 8192}, {4, 16384}, {2, 16384}};
	std::string cmdline;
	std::string host_load;
};

[[noreturn]] void usage()
{
	std::fprintf(stderr,
		     "usage: ocf_hifn_bench [--threads LIST] [--sizes LIST] [--seconds S] [--warmup S]\n"
		     "         [--depth N] [--scale N|auto] [--share F] [--sw-threads N]\n"
		     "         [--hetero-loads TxB,...] [--fast N] [--no-hetero]\n"
		     "         [--cmdline TEXT] [--host-load TEXT]\n"
		     "  Table I of the paper (quad Hifn 7751, 3DES) against Hifn chip models and a\n"
		     "  heterogeneous run; needs ocf.ko, ocf_swcrypt.ko, ocf_hifn.ko and\n"
		     "  ocf_hifn_model.ko (tools/hifn-bench).\n");
	std::exit(2);
}

options parse(int argc, char **argv)
{
	options o;
	for (int i = 1; i < argc; i++) {
		std::string a = argv[i];
		auto next = [&]() -> std::string {
			if (i + 1 >= argc)
				usage();
			return argv[++i];
		};
		if (a == "--threads") {
			o.threads = parse_list(next());
		} else if (a == "--sizes") {
			o.sizes = parse_list(next());
		} else if (a == "--seconds") {
			o.seconds = std::stod(next());
		} else if (a == "--warmup") {
			o.warmup = std::stod(next());
		} else if (a == "--depth") {
			o.depth = static_cast<unsigned>(std::stoul(next()));
		} else if (a == "--scale") {
			std::string v = next();
			o.scale = v == "auto" ? 0 : static_cast<unsigned>(std::stoul(v));
		} else if (a == "--share") {
			o.scale_share = std::stod(next());
		} else if (a == "--sw-threads") {
			o.sw_threads = static_cast<unsigned>(std::stoul(next()));
		} else if (a == "--no-hetero") {
			o.hetero = false;
		} else if (a == "--fast") {
			o.fast = static_cast<unsigned>(std::stoul(next()));
		} else if (a == "--hetero-loads") {
			o.hetero_loads.clear();
			std::stringstream in(next());
			std::string item;
			while (std::getline(in, item, ',')) {
				auto x = item.find('x');
				if (x == std::string::npos)
					usage();
				o.hetero_loads.push_back({static_cast<unsigned>(std::stoul(item.substr(0, x))),
							  static_cast<unsigned>(std::stoul(item.substr(x + 1)))});
			}
		} else if (a == "--cmdline") {
			o.cmdline = next();
		} else if (a == "--host-load") {
			o.host_load = next();
		} else {
			usage();
		}
	}
	if (o.sizes.empty() || o.threads.empty() || o.seconds <= 0 || !o.depth || o.scale_share <= 0)
		usage();
	return o;
}

// A sysfs or debugfs file's content, or "" when it cannot be read.
std::string read_file(const std::string &path)
{
	try {
		return ocft::read_text(path);
	} catch (const std::exception &) {
		return "";
	}
}

struct chip {
	std::string name;	// producer name
	std::uint32_t id = 0;	// producer id
	unsigned instance = 0;	// model instance
	double rate = 0;	// rated 3DES, Mbit/s
};

struct producers {
	std::vector<chip> chips;
	std::uint32_t swcrypt = 0;
};

producers find_producers(ocf_device *dev)
{
	producers out;
	std::vector<ocf_producer_info> p(64);
	int n = ocf_producers(dev, p.data(), static_cast<unsigned>(p.size()));
	std::map<std::string, std::uint32_t> hifn;
	for (int i = 0; i < n && i < static_cast<int>(p.size()); i++) {
		if (std::strncmp(p[i].name, "hifn", 4) == 0)
			hifn[p[i].name] = p[i].id;
		else if (std::strcmp(p[i].name, "swcrypt") == 0)
			out.swcrypt = p[i].id;
	}
	for (unsigned inst : hifnt::model_indexes()) {
		auto st = model_state(inst);
		auto it = hifn.find(st["producer"]);
		if (it == hifn.end())
			continue;
		out.chips.push_back({it->first, it->second, inst, std::stod(st["rate_3des"])});
	}
	return out;
}

std::map<std::uint32_t, std::uint64_t> producer_bytes(ocf_device *dev)
{
	std::map<std::uint32_t, std::uint64_t> out;
	std::vector<ocf_producer_info> p(64);
	int n = ocf_producers(dev, p.data(), static_cast<unsigned>(p.size()));
	for (int i = 0; i < n && i < static_cast<int>(p.size()); i++)
		out[p[i].id] = p[i].stats.bytes;
	return out;
}

struct cell {
	double wall_mbps = 0;
	std::uint64_t bytes = 0;
	int errors = 0;
};

// What every thread of a cell shares
struct run {
	unsigned size;
	clk::time_point open;	// the window
	clk::time_point close;
	std::atomic<bool> go{false};
	std::atomic<std::uint64_t> bytes{0};
	std::atomic<int> errors{0};
};

const std::uint8_t key[24] = {0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb, 0xcc,
			      0xdd, 0xee, 0xff, 0x10, 0x21, 0x32, 0x43, 0x54, 0x65, 0x76, 0x87, 0x98};
const std::uint8_t iv[8] = {};

int open_session(ocf_device *dev, std::uint32_t producer, std::uint32_t *session)
{
	ocf_session_params p{};
	p.cipher = OCF_CIPHER_3DES_CBC;
	p.cipher_key = key;
	p.cipher_key_len = sizeof(key);
	p.producer = producer;
	return ocf_session_new(dev, &p, session, nullptr);
}

// One thread, one request at a time, as the paper's threads did.
void sync_worker(run &r, std::uint32_t producer)
{
	ocf_device *dev = nullptr;
	std::uint32_t session = 0;
	if (ocf_device_open(nullptr, &dev) < 0) {
		r.errors++;
		return;
	}
	if (open_session(dev, producer, &session) < 0) {
		r.errors++;
		ocf_device_close(dev);
		return;
	}
	std::vector<std::uint8_t> buf(r.size, 0x5a);
	r.go.wait(false);
	std::uint64_t counted = 0;
	for (;;) {
		ocf_op op{};
		ocf_op_cipher(&op, session, OCF_OP_ENCRYPT, buf.data(), nullptr, r.size, iv);
		if (ocf_run(dev, &op, 1) != 1 || op.status) {
			r.errors++;
			break;
		}
		const auto now = clk::now();
		if (now > r.close)
			break;
		if (now >= r.open)
			counted += r.size;
	}
	r.bytes += counted;
	ocf_session_free(dev, session);
	ocf_device_close(dev);
}

// One thread, a session on each of @producers, @depth requests in flight:
// submits in batches, reaps what is done, resubmits it.
void async_worker(run &r, const std::vector<std::uint32_t> &producers, unsigned depth)
{
	ocf_device *dev = nullptr;
	if (ocf_device_open(nullptr, &dev) < 0) {
		r.errors++;
		return;
	}
	std::vector<std::uint32_t> sessions(producers.size());
	for (std::size_t i = 0; i < producers.size(); i++)
		if (open_session(dev, producers[i], &sessions[i]) < 0) {
			r.errors++;
			ocf_device_close(dev);
			return;
		}
	std::vector<std::vector<std::uint8_t>> bufs(depth, std::vector<std::uint8_t>(r.size, 0x5a));
	std::vector<ocf_op> ops(depth);
	std::vector<ocf_completion> done(depth);
	auto prepare = [&](unsigned i) {
		ocf_op_cipher(&ops[i], sessions[i % sessions.size()], OCF_OP_ENCRYPT, bufs[i].data(), nullptr,
			      r.size, iv);
		ops[i].tag = i;
	};
	r.go.wait(false);
	std::uint64_t counted = 0;
	unsigned in_flight = 0;
	for (unsigned i = 0; i < depth; i++)
		prepare(i);
	if (ocf_submit(dev, ops.data(), depth) != static_cast<int>(depth)) {
		r.errors++;
		ocf_device_close(dev);
		return;
	}
	in_flight = depth;
	bool stop = false;
	while (in_flight) {
		int n = ocf_reap(dev, done.data(), depth, 1);
		if (n < 0) {
			r.errors++;
			break;
		}
		const auto now = clk::now();
		if (now > r.close)
			stop = true;
		std::vector<ocf_op> again;
		for (int k = 0; k < n; k++) {
			in_flight--;
			if (done[k].status) {
				r.errors++;
				stop = true;
				continue;
			}
			if (now >= r.open && now <= r.close)
				counted += r.size;
			if (!stop) {
				prepare(static_cast<unsigned>(done[k].tag));
				again.push_back(ops[done[k].tag]);
			}
		}
		if (!again.empty()) {
			int s = ocf_submit(dev, again.data(), static_cast<unsigned>(again.size()));
			if (s != static_cast<int>(again.size())) {
				r.errors++;
				stop = true;
				if (s > 0)
					in_flight += static_cast<unsigned>(s);
				continue;
			}
			in_flight += static_cast<unsigned>(again.size());
		}
	}
	r.bytes += counted;
	for (auto s : sessions)
		ocf_session_free(dev, s);
	ocf_device_close(dev);
}

// @pins[i % size]: thread i's producer (0: the policy's choice); @depth 0:
// one request at a time per thread, else one thread with a session per pin.
cell run_cell(const options &o, unsigned threads, unsigned size, const std::vector<std::uint32_t> &pins,
	      unsigned depth)
{
	run r;
	r.size = size;
	std::vector<std::thread> t;
	if (depth)
		t.emplace_back(async_worker, std::ref(r), std::cref(pins), depth);
	else
		for (unsigned i = 0; i < threads; i++)
			t.emplace_back(sync_worker, std::ref(r), pins[i % pins.size()]);
	// Let every thread open its file and session first.
	std::this_thread::sleep_for(std::chrono::milliseconds(100 + 10 * threads));
	const auto start = clk::now();
	r.open = start + std::chrono::duration_cast<clk::duration>(std::chrono::duration<double>(o.warmup));
	r.close = r.open + std::chrono::duration_cast<clk::duration>(std::chrono::duration<double>(o.seconds));
	r.go = true;
	r.go.notify_all();
	for (auto &th : t)
		th.join();
	cell c;
	c.bytes = r.bytes.load();
	c.errors = r.errors.load();
	c.wall_mbps = static_cast<double>(c.bytes) * 8 / o.seconds / 1e6;
	return c;
}

std::string fmt(const char *f, double v)
{
	char b[64];
	std::snprintf(b, sizeof(b), f, v);
	return b;
}

std::string pass(bool ok)
{
	return ok ? "**pass**" : "**FAIL**";
}

std::string size_name(unsigned s)
{
	return s >= 1024 && s % 1024 == 0 ? std::to_string(s / 1024) + " KiB" : std::to_string(s) + " B";
}

// The head of a Markdown table with a column per request size.
void print_size_header(const std::vector<unsigned> &sizes)
{
	std::printf("| threads |");
	for (unsigned s : sizes)
		std::printf(" %s |", size_name(s).c_str());
	std::printf("\n|---|");
	for (std::size_t i = 0; i < sizes.size(); i++)
		std::printf("---|");
	std::printf("\n");
}

void set_scale(unsigned scale)
{
	if (ocft::write_text(std::string(model_params) + "time_scale", std::to_string(scale)) != 0)
		std::fprintf(stderr, "ocf_hifn_bench: cannot set time_scale\n");
}

unsigned read_uint(const std::string &path, unsigned fallback)
{
	std::string s = read_file(path);
	try {
		return static_cast<unsigned>(std::stoul(s));
	} catch (...) {
		return fallback;
	}
}

std::string now_utc()
{
	std::time_t t = std::time(nullptr);
	char b[64];
	std::strftime(b, sizeof(b), "%Y-%m-%d %H:%M UTC", std::gmtime(&t));
	return b;
}

} // namespace

int main(int argc, char **argv)
{
	options o = parse(argc, argv);
	ocf_device *dev = nullptr;
	int ret = ocf_device_open(nullptr, &dev);
	if (ret < 0) {
		std::fprintf(stderr, "ocf_hifn_bench: /dev/ocf: %s\n", ocf_strerror(ret));
		return 1;
	}
	producers prod = find_producers(dev);
	if (prod.chips.empty() || !prod.swcrypt) {
		std::fprintf(stderr, "ocf_hifn_bench: needs hifn model producers and swcrypt (tools/hifn-bench)\n");
		return 1;
	}
	const unsigned cpus = std::max(1u, std::thread::hardware_concurrency());
	const unsigned sw_threads = o.sw_threads ? o.sw_threads : 2 * cpus;
	const unsigned latency = read_uint(std::string(model_params) + "latency_us", 0);
	int errors = 0;
	for (const auto &c : prod.chips)
		model_write(c.instance, "rate_3des", "0");
	prod = find_producers(dev);
	double peak = 0;
	std::vector<std::uint32_t> chip_ids;
	for (const auto &c : prod.chips) {
		peak += c.rate;
		chip_ids.push_back(c.id);
	}

	// 1. swcrypt
	const std::vector<std::uint32_t> sw_pin = {prod.swcrypt};
	std::fprintf(stderr, "swcrypt: 3DES 16 KiB, %u threads\n", sw_threads);
	cell sw1 = run_cell(o, sw_threads, 16384, sw_pin, 0);
	errors += sw1.errors;
	std::fprintf(stderr, "  %.2f Mbit/s\n", sw1.wall_mbps);

	// 2. time scale
	unsigned scale = o.scale;
	if (!scale)
		scale = std::max(1u, static_cast<unsigned>(std::ceil(peak / (sw1.wall_mbps * o.scale_share))));
	set_scale(scale);
	std::fprintf(stderr, "time scale %u: peak %.0f Mbit/s modelled, %.2f Mbit/s wall\n", scale, peak,
		     peak / scale);

	// 3. Table I
	const auto before = producer_bytes(dev);
	std::map<unsigned, std::vector<cell>> table;
	for (unsigned th : o.threads)
		for (unsigned size : o.sizes) {
			cell c = run_cell(o, th, size, chip_ids, 0);
			errors += c.errors;
			table[th].push_back(c);
			std::fprintf(stderr, "  %u threads, %u bytes: %.2f Mbit/s wall, %.0f%%\n", th, size,
				     c.wall_mbps, 100 * c.wall_mbps * scale / peak);
		}
	std::vector<cell> async_row;
	for (unsigned size : o.sizes) {
		cell c = run_cell(o, 1, size, chip_ids, o.depth);
		errors += c.errors;
		async_row.push_back(c);
		std::fprintf(stderr, "  1 thread async depth %u, %u bytes: %.2f Mbit/s wall, %.0f%%\n", o.depth, size,
			     c.wall_mbps, 100 * c.wall_mbps * scale / peak);
	}
	const auto after = producer_bytes(dev);

	// 4. swcrypt again
	cell sw2 = run_cell(o, sw_threads, 16384, sw_pin, 0);
	errors += sw2.errors;
	std::fprintf(stderr, "swcrypt again: %.2f Mbit/s\n", sw2.wall_mbps);
	const double sw = std::max(sw1.wall_mbps, sw2.wall_mbps);

	// 5. heterogeneous
	struct hcell {
		std::string policy;
		workload w;
		cell c;
		std::map<std::uint32_t, std::uint64_t> bytes;
	};
	std::vector<hcell> hetero;
	double hpeak = 0;
	unsigned hscale = scale;
	std::vector<chip> hchips;
	if (o.hetero && prod.chips.size() >= 2) {
		for (std::size_t i = prod.chips.size() / 2; i < prod.chips.size(); i++)
			model_write(prod.chips[i].instance, "rate_3des",
				    std::to_string(static_cast<unsigned>(prod.chips[i].rate * o.fast)));
		hchips = find_producers(dev).chips;
		for (const auto &c : hchips)
			hpeak += c.rate;
		hscale = o.scale ? o.scale * static_cast<unsigned>(std::ceil(hpeak / peak)) :
				   std::max(1u, static_cast<unsigned>(std::ceil(hpeak / (sw * o.scale_share))));
		set_scale(hscale);
		std::fprintf(stderr, "heterogeneous: peak %.0f Mbit/s modelled, time scale %u\n", hpeak, hscale);
		const std::string old_policy = read_file(ocf_policy_param);
		const std::vector<std::uint32_t> any = {0};
		for (const char *policy : {"completion", "sessions"}) {
			if (ocft::write_text(ocf_policy_param, policy) != 0) {
				std::fprintf(stderr, "ocf_hifn_bench: cannot set policy %s\n", policy);
				errors++;
				continue;
			}
			for (const auto &w : o.hetero_loads) {
				const auto b0 = producer_bytes(dev);
				cell c = run_cell(o, w.threads, w.size, any, 0);
				const auto b1 = producer_bytes(dev);
				errors += c.errors;
				std::map<std::uint32_t, std::uint64_t> d;
				for (const auto &[id, b] : b1)
					d[id] = b - (b0.count(id) ? b0.at(id) : 0);
				hetero.push_back({policy, w, c, d});
				std::fprintf(stderr, "  %s, %u threads, %u bytes: %.2f Mbit/s wall, %.0f%%\n", policy,
					     w.threads, w.size, c.wall_mbps, 100 * c.wall_mbps * hscale / hpeak);
			}
		}
		ocft::write_text(ocf_policy_param, old_policy.empty() ? "completion" : old_policy);
		for (const auto &c : prod.chips)
			model_write(c.instance, "rate_3des", "0");
		set_scale(scale);
	}

	// The Markdown section
	const double peak_wall = peak / scale;
	auto frac = [&](const cell &c, double s, double pk) { return c.wall_mbps * s / pk; };
	std::printf("### Table I with four Hifn 7751 chip models (%s)\n\n", now_utc().c_str());
	if (!o.cmdline.empty())
		std::printf("Command: `%s`", o.cmdline.c_str());
	if (!o.host_load.empty())
		std::printf("; host load average (1, 5, 15 min) at the start: %s", o.host_load.c_str());
	std::printf("\n\n");
	std::printf("%zu x 7751 model (3DES %.0f Mbit/s each): modelled aggregate peak **%.0f Mbit/s**. "
		    "One time scale for the whole table: **%u** (wall-clock Mbit/s x %u = modelled Mbit/s), "
		    "so the peak is %.2f Mbit/s of wall-clock work; latency %u us per request. "
		    "VM: %u vCPUs (QEMU TCG). Each cell: bytes of requests completed within a %.1f s window "
		    "opened %.1f s after its threads started, over the window; session i pinned to chip i mod %zu "
		    "(the fewest-sessions spread; swcrypt loaded but given nothing). The async row is one thread "
		    "with a session on each chip keeping %u requests in flight (OCF_IOC_SUBMIT/REAP).\n\n",
		    prod.chips.size(), prod.chips.empty() ? 0.0 : prod.chips[0].rate, peak, scale, scale, peak_wall,
		    latency, cpus, o.seconds, o.warmup, prod.chips.size(), o.depth);
	print_size_header(o.sizes);
	for (const auto &[th, cells] : table) {
		std::printf("| %u |", th);
		for (const auto &c : cells)
			std::printf(" %.0f%% (%.0f) |", 100 * frac(c, scale, peak), c.wall_mbps * scale);
		std::printf("\n");
	}
	std::printf("| 1, async (%u in flight) |", o.depth);
	for (const auto &c : async_row)
		std::printf(" %.0f%% (%.0f) |", 100 * frac(c, scale, peak), c.wall_mbps * scale);
	std::printf("\n\nFraction of the modelled peak (modelled Mbit/s).");
	if (o.sizes == paper_sizes) {
		std::printf(" The paper (quad 7751 card, OpenBSD 3.3), as a fraction of 4 x 83 Mbit/s:\n\n");
		print_size_header(o.sizes);
		for (unsigned th : o.threads) {
			auto it = paper.find(th);
			if (it == paper.end())
				continue;
			std::printf("| %u |", th);
			for (double m : it->second)
				std::printf(" %.0f%% (%.1f) |", 100 * m / 332, m);
			std::printf("\n");
		}
	}
	std::printf("\nBytes per producer during Table I:");
	for (const auto &[id, b] : after) {
		std::string name = id == prod.swcrypt ? "swcrypt" : "";
		for (const auto &c : prod.chips)
			if (c.id == id)
				name = c.name;
		if (name.empty())
			continue;
		std::printf(" %s %.1f MiB;", name.c_str(),
			    static_cast<double>(b - (before.count(id) ? before.at(id) : 0)) / (1 << 20));
	}
	std::printf("\n\n");

	const auto find = [&](const std::vector<cell> &row) -> double {
		for (std::size_t i = 0; i < o.sizes.size(); i++)
			if (o.sizes[i] == 16384)
				return frac(row[i], scale, peak);
		return -1;
	};
	const double t32 = table.count(32) ? find(table[32]) : -1;
	const double tasync = find(async_row);
	std::printf("swcrypt (3DES-CBC, 16 KiB, %u threads on %u vCPUs, pinned to swcrypt, same run): "
		    "%.2f Mbit/s before Table I, %.2f Mbit/s after. Modelled peak in wall-clock time / swcrypt "
		    "(the larger) = %.2f / %.2f = **%.2f**.\n\n",
		    sw_threads, cpus, sw1.wall_mbps, sw2.wall_mbps, peak_wall, sw, peak_wall / sw);
	std::printf("| rule | figure | result |\n|---|---|---|\n");
	if (t32 >= 0)
		std::printf("| 16 KiB, 32 threads >= 95%% of peak | %.1f%% | %s |\n", 100 * t32, pass(t32 >= 0.95).c_str());
	if (tasync >= 0)
		std::printf("| 16 KiB, 1 thread async >= 95%% of peak | %.1f%% | %s |\n", 100 * tasync,
			    pass(tasync >= 0.95).c_str());
	std::printf("| peak >= 1/4 of swcrypt (Table I, scale %u) | %.2f | %s |\n", scale, peak_wall / sw,
		    pass(peak_wall / sw >= 0.25).c_str());

	if (!hetero.empty()) {
		const double hpeak_wall = hpeak / hscale;
		std::printf("\n### Heterogeneous: two 7751 models and two at %u times its rate\n\n", o.fast);
		std::printf("3DES rated:");
		for (const auto &c : hchips)
			std::printf(" %s %.0f Mbit/s;", c.name.c_str(), c.rate);
		std::printf(" modelled aggregate peak **%.0f Mbit/s**, time scale **%u** (%.2f Mbit/s wall-clock, "
			    "%.2f of swcrypt). Sessions not pinned: the policy places them (swcrypt loaded). "
			    "Same VM run and accounting as Table I. Each thread has its own session, so with "
			    "32 threads the paper's policy puts 8 on each chip and every chip stays busy; with "
			    "few sessions it leaves chips idle (the first sessions land on the first chips, "
			    "here the slow ones), while the completion policy sends each request to the chip "
			    "that will finish it soonest (so with as few requests in flight as chips, it "
			    "keeps them on the fast ones). The rule applies to the first workload; the "
			    "others are for comparison.\n\n",
			    hpeak, hscale, hpeak_wall, hpeak_wall / sw);
		std::printf("| policy | threads | size | modelled Mbit/s | of peak | bytes per producer (MiB) |\n"
			    "|---|---|---|---|---|---|\n");
		for (const auto &h : hetero) {
			std::string per;
			for (const auto &c : hchips)
				per += c.name + " " + fmt("%.1f", static_cast<double>(h.bytes.count(c.id) ? h.bytes.at(c.id) : 0) /
									  (1 << 20)) + ", ";
			per += "swcrypt " + fmt("%.1f", static_cast<double>(h.bytes.count(prod.swcrypt) ?
								    h.bytes.at(prod.swcrypt) : 0) / (1 << 20));
			std::printf("| %s | %u | %s | %.0f | %.1f%% | %s |\n", h.policy.c_str(), h.w.threads,
				    size_name(h.w.size).c_str(), h.c.wall_mbps * hscale,
				    100 * frac(h.c, hscale, hpeak), per.c_str());
		}
		std::printf("\n| rule | figure | result |\n|---|---|---|\n");
		const workload &ruled = o.hetero_loads.front();
		for (const auto &h : hetero)
			if (h.policy == "completion" && h.w.threads == ruled.threads && h.w.size == ruled.size)
				std::printf("| completion policy, %u threads x %s >= 90%% of peak | %.1f%% | %s |\n",
					    h.w.threads, size_name(h.w.size).c_str(), 100 * frac(h.c, hscale, hpeak),
					    pass(frac(h.c, hscale, hpeak) >= 0.9).c_str());
		std::printf("| peak >= 1/4 of swcrypt (heterogeneous, scale %u) | %.2f | %s |\n", hscale,
			    hpeak_wall / sw, pass(hpeak_wall / sw >= 0.25).c_str());
	}
	std::printf("\n%s\n", errors ? "Errors: some requests failed." : "No request failed.");
	ocf_device_close(dev);
	return errors ? 1 : 0;
}
