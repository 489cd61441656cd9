// ocf_hifn_bench: the paper's Table I (section 5.4: crypto-request load
// balancing over a quad Hifn 7751 card, 3DES) with Hifn chip models.
//
// Each thread opens /dev/ocf, makes a 3DES-CBC session that OCF places
// (nothing pinned) and runs one request at a time, as the paper's threads
// did. A cell's throughput is measured in wall-clock time and converted to
// modelled time (times the model's time_scale); it is then shown against
// the modelled aggregate peak: the number of chips times their rated 3DES
// throughput. tools/hifn-bench boots the VM and runs this.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wshadow"
#include <ocf/ocf.h>
#pragma GCC diagnostic pop

#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace {

constexpr const char *model_params = "/sys/module/ocf_hifn_model/parameters/";

// The paper's Table I, Mbit/s: threads x {16, 64, 256, 1024, 8192, 16384} bytes.
const std::map<unsigned, std::vector<double>> paper = {
	{1, {3, 11.4, 33, 59, 79, 80}},
	{2, {5.5, 18.4, 56, 111, 154, 160}},
	{3, {6.4, 23.2, 71, 152, 229, 238}},
	{4, {6.8, 25.7, 81, 182, 292, 299}},
	{32, {7.3, 27.5, 94, 249, 313, 320}},
};
const std::vector<unsigned> paper_sizes = {16, 64, 256, 1024, 8192, 16384};

std::vector<unsigned> parse_list(const char *s)
{
	std::vector<unsigned> out;
	std::stringstream in(s);
	std::string item;
	while (std::getline(in, item, ','))
		out.push_back(static_cast<unsigned>(std::stoul(item, nullptr, 0)));
	return out;
}

long read_param(const char *name, long fallback)
{
	std::ifstream f(std::string(model_params) + name);
	long v = fallback;
	if (!(f >> v))
		return fallback;
	return v;
}

struct options {
	std::vector<unsigned> threads = {1, 2, 3, 4, 32};
	std::vector<unsigned> sizes = paper_sizes;
	double seconds = 2.0;
	unsigned chips = 0; // 0: count the hifn producers
	bool json = false;
};

void usage()
{
	std::fprintf(stderr,
		     "usage: ocf_hifn_bench [--threads LIST] [--sizes LIST] [--seconds S] [--chips N] [--json]\n"
		     "  Table I of the paper (quad Hifn 7751, 3DES) against Hifn chip models;\n"
		     "  needs ocf.ko, ocf_hifn.ko and ocf_hifn_model.ko (tools/hifn-bench).\n");
	std::exit(2);
}

options parse(int argc, char **argv)
{
	options o;
	for (int i = 1; i < argc; i++) {
		std::string a = argv[i];
		auto next = [&]() -> const char * {
			if (i + 1 >= argc)
				usage();
			return argv[++i];
		};
		if (a == "--threads")
			o.threads = parse_list(next());
		else if (a == "--sizes")
			o.sizes = parse_list(next());
		else if (a == "--seconds")
			o.seconds = std::stod(next());
		else if (a == "--chips")
			o.chips = static_cast<unsigned>(std::stoul(next()));
		else if (a == "--json")
			o.json = true;
		else
			usage();
	}
	return o;
}

std::map<std::string, std::uint64_t> hifn_bytes(ocf_device *dev)
{
	std::map<std::string, std::uint64_t> out;
	std::vector<ocf_producer_info> p(64);
	int n = ocf_producers(dev, p.data(), static_cast<unsigned>(p.size()));
	for (int i = 0; i < n && i < static_cast<int>(p.size()); i++)
		if (std::strncmp(p[i].name, "hifn", 4) == 0)
			out[p[i].name] = p[i].stats.bytes;
	return out;
}

struct cell {
	double wall_mbps = 0;
	std::uint64_t ops = 0;
	int errors = 0;
};

// One thread: its own file and session, one 3DES request at a time.
void worker(unsigned size, double seconds, std::atomic<bool> &go,
	    const std::chrono::steady_clock::time_point &start, std::atomic<std::uint64_t> &ops,
	    std::atomic<int> &errors)
{
	ocf_device *dev = nullptr;
	if (ocf_device_open(nullptr, &dev) < 0) {
		errors++;
		return;
	}
	std::uint8_t key[24], iv[8] = {};
	for (unsigned i = 0; i < sizeof(key); i++)
		key[i] = static_cast<std::uint8_t>(0x11 * (i + 1));
	ocf_session_params p{};
	p.cipher = OCF_CIPHER_3DES_CBC;
	p.cipher_key = key;
	p.cipher_key_len = sizeof(key);
	std::uint32_t session = 0;
	if (ocf_session_new(dev, &p, &session, nullptr) < 0) {
		errors++;
		ocf_device_close(dev);
		return;
	}
	std::vector<std::uint8_t> buf(size, 0x5a);
	while (!go.load())
		std::this_thread::yield();
	const auto end = start + std::chrono::duration_cast<std::chrono::steady_clock::duration>(
					 std::chrono::duration<double>(seconds));
	std::uint64_t n = 0;
	for (;;) {
		ocf_op op{};
		ocf_op_cipher(&op, session, OCF_OP_ENCRYPT, buf.data(), nullptr, size, iv);
		if (ocf_run(dev, &op, 1) != 1 || op.status) {
			errors++;
			break;
		}
		// Only what completes within the window counts (as openssl speed).
		if (std::chrono::steady_clock::now() > end)
			break;
		n++;
	}
	ops += n;
	ocf_session_free(dev, session);
	ocf_device_close(dev);
}

cell run_cell(unsigned threads, unsigned size, double seconds)
{
	std::atomic<bool> go{false};
	std::atomic<std::uint64_t> ops{0};
	std::atomic<int> errors{0};
	std::chrono::steady_clock::time_point start;
	std::vector<std::thread> t;
	for (unsigned i = 0; i < threads; i++)
		t.emplace_back(worker, size, seconds, std::ref(go), std::cref(start), std::ref(ops),
			       std::ref(errors));
	// Let every thread open its file and session first.
	std::this_thread::sleep_for(std::chrono::milliseconds(200 + 20 * threads));
	start = std::chrono::steady_clock::now();
	go = true;
	for (auto &th : t)
		th.join();
	cell c;
	c.ops = ops.load();
	c.errors = errors.load();
	c.wall_mbps = static_cast<double>(c.ops) * size * 8 / seconds / 1e6;
	return c;
}

} // namespace

int main(int argc, char **argv)
{
	options o = parse(argc, argv);
	ocf_device *dev = nullptr;
	int r = ocf_device_open(nullptr, &dev);
	if (r < 0) {
		std::fprintf(stderr, "ocf_hifn_bench: /dev/ocf: %s\n", ocf_strerror(r));
		return 1;
	}
	const auto before = hifn_bytes(dev);
	const unsigned chips = o.chips ? o.chips : static_cast<unsigned>(before.size());
	const long scale = read_param("time_scale", 1);
	const long rate = read_param("rate_3des", 0) ? read_param("rate_3des", 0) : 83;
	const long latency = read_param("latency_us", 0);
	const double peak = static_cast<double>(chips) * static_cast<double>(rate);
	if (!chips) {
		std::fprintf(stderr, "ocf_hifn_bench: no hifn producer (load ocf_hifn_model.ko)\n");
		return 1;
	}

	std::map<unsigned, std::vector<cell>> table;
	int errors = 0;
	for (unsigned th : o.threads)
		for (unsigned size : o.sizes) {
			cell c = run_cell(th, size, o.seconds);
			errors += c.errors;
			table[th].push_back(c);
			std::fprintf(stderr, "  %u threads, %u bytes: %.2f Mbit/s wall, %llu ops\n", th, size,
				     c.wall_mbps, static_cast<unsigned long long>(c.ops));
		}
	const auto after = hifn_bytes(dev);

	if (o.json) {
		std::printf("{\"chips\": %u, \"rate_3des_mbps\": %ld, \"time_scale\": %ld, \"latency_us\": %ld, "
			    "\"peak_mbps\": %.1f, \"cells\": [",
			    chips, rate, scale, latency, peak);
		const char *sep = "";
		for (const auto &[th, cells] : table)
			for (std::size_t i = 0; i < cells.size(); i++) {
				double m = cells[i].wall_mbps * static_cast<double>(scale);
				std::printf("%s{\"threads\": %u, \"bytes\": %u, \"mbps\": %.2f, \"fraction\": %.4f}", sep,
					    th, o.sizes[i], m, m / peak);
				sep = ", ";
			}
		std::printf("]}\n");
		return errors ? 1 : 0;
	}

	std::printf("Table I with Hifn chip models: %u x 7751 model, 3DES-CBC, one request at a time per thread\n",
		    chips);
	std::printf("modelled peak %u x %ld = %.0f Mbit/s; time_scale %ld (Mbit/s below are modelled: wall x %ld); "
		    "latency %ld us per request\n\n",
		    chips, rate, peak, scale, scale, latency);
	std::printf("%-9s", "threads");
	for (unsigned s : o.sizes)
		std::printf(" | %16s", (std::to_string(s) + " bytes").c_str());
	std::printf("\n");
	for (const auto &[th, cells] : table) {
		std::printf("%-9u", th);
		for (const auto &c : cells) {
			double m = c.wall_mbps * static_cast<double>(scale);
			char cellbuf[32];
			std::snprintf(cellbuf, sizeof(cellbuf), "%.1f (%.0f%%)", m, 100 * m / peak);
			std::printf(" | %16s", cellbuf);
		}
		std::printf("\n");
	}
	if (o.sizes == paper_sizes) {
		std::printf("\nThe paper (quad 7751 card, OpenBSD 3.3), Mbit/s (fraction of 4 x 83):\n");
		for (unsigned th : o.threads) {
			auto it = paper.find(th);
			if (it == paper.end())
				continue;
			std::printf("%-9u", th);
			for (double m : it->second) {
				char cellbuf[32];
				std::snprintf(cellbuf, sizeof(cellbuf), "%.1f (%.0f%%)", m, 100 * m / 332);
				std::printf(" | %16s", cellbuf);
			}
			std::printf("\n");
		}
	}
	std::printf("\nbytes per chip:");
	for (const auto &[name, b] : after) {
		auto it = before.find(name);
		std::printf(" %s %.1f MiB", name.c_str(),
			    static_cast<double>(b - (it == before.end() ? 0 : it->second)) / (1 << 20));
	}
	std::printf("\n%s\n", errors ? "errors: some requests failed" : "no errors");
	ocf_device_close(dev);
	return errors ? 1 : 0;
}
