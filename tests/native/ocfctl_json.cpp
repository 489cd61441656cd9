// ocfctl --json: every command prints one document of schema version 1 with
// the keys docs/ocfctl.md lists, and a failure prints the error document.
// The commands run against the /dev/ocf test double (tests/native/devshim),
// with its state in a file so that one ocfctl's sessions and requests show
// in another's listing, as on a real device.
#include "../json.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <array>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fcntl.h>
#include <string>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>
#include <vector>

namespace {

namespace json = ocft::json;
using kind = json::value::kind;

// A devshim state file, removed afterwards.
class shim_state {
public:
	shim_state()
	{
		char tmpl[] = "/tmp/ocft-devshim.XXXXXX";
		int fd = ::mkstemp(tmpl);
		REQUIRE(fd >= 0);
		::close(fd);
		path_ = tmpl;
		// Empty: the first process under the shim sets it up.
		std::filesystem::resize_file(path_, 0);
	}
	~shim_state() { std::filesystem::remove(path_); }
	shim_state(const shim_state &) = delete;
	shim_state &operator=(const shim_state &) = delete;
	const std::string &path() const { return path_; }

	// "LD_PRELOAD=... OCF_DEVSHIM_STATE=..." for a shell command line.
	std::string env() const
	{
		return std::string("LD_PRELOAD=") + OCF_DEVSHIM_PATH + " OCF_DEVSHIM_STATE=" + path_ + " ";
	}

private:
	std::string path_;
};

struct run_result {
	int status;
	std::string out; // stdout alone: under --json, the document and nothing else
};

// Runs "ENV ocfctl ARGS", its stderr thrown away.
run_result ocfctl(const std::string &env, const std::string &args)
{
	std::string cmd = env + OCF_OCFCTL_PATH + " " + args + " 2>/dev/null";
	FILE *p = ::popen(cmd.c_str(), "r");
	REQUIRE(p != nullptr);
	std::string out;
	std::array<char, 4096> chunk{};
	std::size_t n;
	while ((n = std::fread(chunk.data(), 1, chunk.size(), p)) > 0)
		out.append(chunk.data(), n);
	int status = ::pclose(p);
	return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, out};
}

// Parses @out as one document: an object whose first key is "version", 1.
json::value document(const std::string &out)
{
	INFO("stdout:\n" << out);
	json::value doc;
	REQUIRE_NOTHROW(doc = json::parse(out));
	REQUIRE(doc.is(kind::object));
	REQUIRE(!doc.members.empty());
	CHECK(doc.members.front().first == "version");
	const json::value &version = doc.at("version");
	CHECK(version.is_integer());
	CHECK(version.text == "1");
	CHECK(out.back() == '\n');
	return doc;
}

// @v is an object with exactly these keys (in any order).
void check_keys(const json::value &v, std::vector<std::string> want)
{
	REQUIRE(v.is(kind::object));
	auto got = v.keys();
	std::sort(got.begin(), got.end());
	std::sort(want.begin(), want.end());
	CHECK(got == want);
}

// Every member is a whole non-negative number.
void check_counts(const json::value &v, const std::vector<std::string> &keys)
{
	for (const auto &k : keys) {
		INFO("key " << k);
		CHECK(v.at(k).is_integer());
		CHECK(v.at(k).number >= 0);
	}
}

const std::vector<std::string> stats_keys = {"requests",   "bytes",    "errors",    "in_flight",
					     "migrations", "sessions", "latency_ns", "kop_requests"};

void check_stats(const json::value &s)
{
	check_keys(s, stats_keys);
	check_counts(s, stats_keys);
}

void check_string_list(const json::value &v)
{
	REQUIRE(v.is(kind::array));
	for (const auto &item : v.items)
		CHECK(item.is(kind::string));
}

// {"code": -errno or null, "name": "E..." or null, "message": "..."} (and,
// at the top of an error document, "status").
void check_error(const json::value &e, bool top, int code, const std::string &name)
{
	std::vector<std::string> keys = {"code", "name", "message"};
	if (top)
		keys.emplace_back("status");
	check_keys(e, keys);
	CHECK(e.at("code").is_integer());
	CHECK(e.at("code").number == code);
	CHECK(e.at("name").is(kind::string));
	CHECK(e.at("name").text == name);
	CHECK(e.at("message").is(kind::string));
	CHECK(!e.at("message").text.empty());
}

// An error document from a run that exited with @status.
void check_error_document(const run_result &r, int status, int code, const std::string &name)
{
	INFO("stdout:\n" << r.out);
	CHECK(r.status == status);
	json::value doc = document(r.out);
	check_keys(doc, {"version", "error"});
	check_error(doc.at("error"), true, code, name);
	CHECK(doc.at("error").at("status").is_integer());
	CHECK(doc.at("error").at("status").number == status);
}

// A program of ours in the background under the shim, killed at the end.
class background {
public:
	background(const shim_state &state, std::vector<std::string> args)
	{
		pid_ = ::fork();
		REQUIRE(pid_ >= 0);
		if (pid_ == 0) {
			::setenv("LD_PRELOAD", OCF_DEVSHIM_PATH, 1);
			::setenv("OCF_DEVSHIM_STATE", state.path().c_str(), 1);
			int null = ::open("/dev/null", O_WRONLY);
			::dup2(null, 1);
			::dup2(null, 2);
			std::vector<char *> argv;
			for (auto &a : args)
				argv.push_back(a.data());
			argv.push_back(nullptr);
			::execv(argv[0], argv.data());
			::_exit(127);
		}
	}
	~background()
	{
		::kill(pid_, SIGKILL);
		::waitpid(pid_, nullptr, 0);
	}
	background(const background &) = delete;
	background &operator=(const background &) = delete;

private:
	pid_t pid_ = -1;
};

} // namespace

TEST_CASE("ocfctl --json: version and --version")
{
	shim_state state;
	auto r = ocfctl(state.env(), "version --json");
	CHECK(r.status == 0);
	json::value doc = document(r.out);
	check_keys(doc, {"version", "ocfctl_version", "module"});
	CHECK(doc.at("ocfctl_version").is(kind::string));
	check_keys(doc.at("module"), {"abi_version", "module_version"});
	CHECK(doc.at("module").at("abi_version").is_integer());
	CHECK(doc.at("module").at("module_version").text == "devshim");

	r = ocfctl("", "--version --json");
	CHECK(r.status == 0);
	doc = document(r.out);
	check_keys(doc, {"version", "ocfctl_version"});
	CHECK(!doc.at("ocfctl_version").text.empty());
}

TEST_CASE("ocfctl --json: producers, sessions and stats of another process's traffic")
{
	shim_state state;
	// Another program with sessions open and requests flowing: a benchmark
	// cell long enough for the listings below.
	background bench(state, {OCF_OCFCTL_PATH, "bench", "--backend", "ocf-aes", "--sizes", "64",
				 "--threads", "2", "--depth", "4", "--seconds", "30"});

	// Its sessions show up within seconds (the shim needs no module).
	json::value doc;
	auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
	for (;;) {
		auto r = ocfctl(state.env(), "sessions --json");
		REQUIRE(r.status == 0);
		doc = document(r.out);
		if (doc.at("sessions").items.size() >= 2 || std::chrono::steady_clock::now() > deadline)
			break;
		std::this_thread::sleep_for(std::chrono::milliseconds(50));
	}
	check_keys(doc, {"version", "scope", "sessions"});
	CHECK(doc.at("scope").text == "user");
	REQUIRE(doc.at("sessions").items.size() == 2);
	for (const auto &s : doc.at("sessions").items) {
		check_keys(s, {"id", "owner_pid", "cipher", "mac", "flags", "order", "producer", "stats"});
		check_counts(s, {"id", "owner_pid"});
		CHECK(s.at("cipher").text == "aes-cbc");
		CHECK(s.at("mac").is(kind::null));
		check_string_list(s.at("flags"));
		CHECK(s.at("order").is(kind::null));
		// The producer as the producers document names it.
		check_keys(s.at("producer"), {"id", "name"});
		CHECK(s.at("producer").at("id").text == "1");
		CHECK(s.at("producer").at("name").text == "devshim");
		check_stats(s.at("stats"));
	}

	auto r = ocfctl(state.env(), "sessions --all --json");
	CHECK(r.status == 0);
	doc = document(r.out);
	check_keys(doc, {"version", "scope", "sessions"});
	CHECK(doc.at("scope").text == "all");
	CHECK(doc.at("sessions").items.size() == 2);

	r = ocfctl(state.env(), "producers --json");
	CHECK(r.status == 0);
	doc = document(r.out);
	check_keys(doc, {"version", "producers"});
	REQUIRE(doc.at("producers").items.size() == 1);
	const json::value &p = doc.at("producers").items[0];
	check_keys(p, {"id", "name", "kind", "flags", "algorithms", "max_len", "max_sessions", "kops",
		       "kop_max_bits", "stats"});
	check_counts(p, {"id", "max_len", "max_sessions", "kop_max_bits"});
	check_string_list(p.at("kops"));
	CHECK(p.at("name").text == "devshim");
	CHECK(p.at("kind").text == "sw");
	check_string_list(p.at("flags"));
	check_string_list(p.at("algorithms"));
	CHECK(std::any_of(p.at("algorithms").items.begin(), p.at("algorithms").items.end(),
			  [](const json::value &a) { return a.text == "aes-cbc"; }));
	check_stats(p.at("stats"));

	r = ocfctl(state.env(), "stats --json");
	CHECK(r.status == 0);
	json::value stats_doc = document(r.out);
	check_keys(stats_doc, {"version", "stats"});
	const json::value &stats = stats_doc.at("stats");
	check_keys(stats, {"total", "producers"});
	check_stats(stats.at("total"));
	// The benchmark's requests were counted.
	CHECK(stats.at("total").at("requests").number > 0);
	CHECK(stats.at("total").at("bytes").number > 0);
	REQUIRE(stats.at("producers").items.size() == 1);
	const json::value &ps = stats.at("producers").items[0];
	check_keys(ps, {"id", "name", "stats"});
	CHECK(ps.at("id").text == p.at("id").text);
	CHECK(ps.at("name").text == "devshim");
	check_stats(ps.at("stats"));
}

// A cell of bench's "results": the keys docs/ocfctl.md lists, ops done.
void check_result(const json::value &c, std::size_t runs)
{
	INFO("backend " << c.at("backend").text);
	check_keys(c, {"backend", "producer", "size", "threads", "depth", "ops_per_second",
		       "megabytes_per_second", "runs"});
	CHECK(c.at("backend").is(kind::string));
	CHECK((c.at("producer").is(kind::string) || c.at("producer").is(kind::null)));
	check_counts(c, {"size", "threads", "depth"});
	CHECK(c.at("ops_per_second").number > 0);
	CHECK(c.at("megabytes_per_second").number > 0);
	REQUIRE(c.at("runs").is(kind::array));
	CHECK(c.at("runs").items.size() == runs);
	for (const auto &r : c.at("runs").items)
		CHECK(r.number > 0);
}

// A cell a ratio names: which result it is.
void check_cell_ref(const json::value &ref)
{
	check_keys(ref, {"backend", "size", "threads", "depth"});
	CHECK(ref.at("backend").is(kind::string));
	check_counts(ref, {"size", "threads", "depth"});
}

void check_ratio(const json::value &r)
{
	check_keys(r, {"label", "issue", "ours", "theirs", "ratio", "target", "met"});
	CHECK(r.at("label").is(kind::string));
	check_cell_ref(r.at("ours"));
	check_cell_ref(r.at("theirs"));
	CHECK(r.at("ratio").number > 0);
	if (r.at("target").is(kind::null)) {
		CHECK(r.at("met").is(kind::null));
		CHECK(r.at("issue").is(kind::null));
	} else {
		CHECK(r.at("target").number > 0);
		REQUIRE(r.at("met").is(kind::boolean));
		CHECK(r.at("met").boolean == (r.at("ratio").number >= r.at("target").number));
		CHECK(r.at("issue").is_integer());
	}
}

// The "bench" object's own keys.
void check_bench(const json::value &b, double seconds, int runs, bool targets)
{
	check_keys(b, {"seconds", "runs", "targets", "results", "ratios", "failures"});
	CHECK(b.at("seconds").is(kind::number));
	CHECK(b.at("seconds").number == Approx(seconds));
	CHECK(b.at("runs").is_integer());
	CHECK(b.at("runs").number == runs);
	REQUIRE(b.at("targets").is(kind::boolean));
	CHECK(b.at("targets").boolean == targets);
}

TEST_CASE("ocfctl --json: bench results, ratios and the backends that failed")
{
	shim_state state;
	auto r = ocfctl(state.env(), "bench --json --backend ocf-null,openssl --sizes 64 --threads 1 "
				     "--depth 1,64 --seconds 0.02");
	CHECK(r.status == 0);
	json::value doc = document(r.out);
	check_keys(doc, {"version", "bench"});
	const json::value &b = doc.at("bench");
	check_bench(b, 0.02, 1, false);
	// ocf-null at depths 1 and 64, openssl at depth 1 only.
	REQUIRE(b.at("results").items.size() == 3);
	for (const auto &c : b.at("results").items) {
		check_result(c, 1);
		CHECK(c.at("size").text == "64");
		if (c.at("backend").text == "ocf-null")
			CHECK(c.at("producer").text == "devshim");
		else
			CHECK(c.at("producer").is(kind::null));
	}
	// The one ratio this run has cells for: ocf-null 64 B, batch 64 vs batch 1,
	// with issue 18's target.
	REQUIRE(b.at("ratios").items.size() == 1);
	const json::value &ratio = b.at("ratios").items[0];
	check_ratio(ratio);
	CHECK(ratio.at("issue").text == "18");
	CHECK(ratio.at("target").number == 5);
	CHECK(ratio.at("ours").at("depth").text == "64");
	CHECK(ratio.at("theirs").at("depth").text == "1");
	CHECK(b.at("failures").items.empty());

	// A backend that cannot run is listed with its error, the others still
	// run, and the exit status says something failed.
	r = ocfctl("", "bench --json --backend ocf-aes,openssl --device /nonexistent/ocf --sizes 64 "
		       "--threads 1 --depth 1 --seconds 0.02");
	CHECK(r.status == 1);
	doc = document(r.out);
	const json::value &failed = doc.at("bench");
	REQUIRE(failed.at("results").items.size() == 1);
	CHECK(failed.at("results").items[0].at("backend").text == "openssl");
	CHECK(failed.at("ratios").items.empty());
	REQUIRE(failed.at("failures").items.size() == 1);
	const json::value &f = failed.at("failures").items[0];
	check_keys(f, {"backend", "error"});
	CHECK(f.at("backend").text == "ocf-aes");
	check_error(f.at("error"), false, -ENOENT, "ENOENT");
}

TEST_CASE("ocfctl bench: SUBMIT/REAP backends do ops, pinned to the producer asked for, "
	  "each cell the median of interleaved runs")
{
	shim_state state;
	auto r = ocfctl(state.env(), "bench --json --backend ocf-aes-async,ocf-3des-async,ocf-null-async,"
				     "ocf-aes --producer devshim --sizes 64 --threads 1,2 --depth 1,16 "
				     "--seconds 0.02 --runs 3");
	CHECK(r.status == 0);
	json::value doc = document(r.out);
	const json::value &b = doc.at("bench");
	check_bench(b, 0.02, 3, false);
	REQUIRE(b.at("results").items.size() == 4 * 2 * 2);
	for (const auto &c : b.at("results").items) {
		check_result(c, 3);
		CHECK(c.at("producer").text == "devshim");
		// The median of the three runs.
		std::vector<double> runs;
		for (const auto &run : c.at("runs").items)
			runs.push_back(run.number);
		std::sort(runs.begin(), runs.end());
		CHECK(c.at("ops_per_second").number == Approx(runs[1]).epsilon(0.001));
	}
	CHECK(b.at("failures").items.empty());
	// The async 64 B ratio needs its RUN batch 64, which this run lacks.
	for (const auto &ratio : b.at("ratios").items)
		check_ratio(ratio);

	// A producer that is not there: every /dev/ocf backend fails, saying so.
	r = ocfctl(state.env(), "bench --json --backend ocf-aes-async,openssl --producer swcrypt "
				"--sizes 64 --threads 1 --depth 4 --seconds 0.02");
	CHECK(r.status == 1);
	doc = document(r.out);
	REQUIRE(doc.at("bench").at("failures").items.size() == 1);
	const json::value &f = doc.at("bench").at("failures").items[0];
	CHECK(f.at("backend").text == "ocf-aes-async");
	check_error(f.at("error"), false, -ENOENT, "ENOENT");
	CHECK(f.at("error").at("message").text.find("swcrypt") != std::string::npos);
}

TEST_CASE("ocfctl bench: a producer that completes ops without doing them fails every backend "
	  "that encrypts, whatever the path")
{
	shim_state state;
	std::string lying = state.env() + "OCF_DEVSHIM_SKIP_CRYPTO=1 ";
	const std::vector<std::string> encrypting = {"ocf-aes", "ocf-aes-async", "ocf-3des",
						     "ocf-3des-async"};
	for (const auto &backend : encrypting) {
		INFO("backend " << backend);
		// The same run on an honest shim passes: the failure below is the lie's.
		auto honest = ocfctl(state.env(), "bench --json --backend " + backend +
							  " --sizes 64 --threads 1 --depth 1,8 --seconds 0.02");
		CHECK(honest.status == 0);
		auto r = ocfctl(lying, "bench --json --backend " + backend +
					       " --sizes 64 --threads 1 --depth 1,8 --seconds 0.02");
		CHECK(r.status == 1);
		json::value doc = document(r.out);
		const json::value &b = doc.at("bench");
		CHECK(b.at("results").items.empty());
		REQUIRE(b.at("failures").items.size() == 1);
		const json::value &f = b.at("failures").items[0];
		CHECK(f.at("backend").text == backend);
		CHECK(f.at("error").at("message").text.find("wrong data") != std::string::npos);
	}
}

TEST_CASE("ocfctl bench: an io_uring backend whose ops are not done is a failure, not a cell")
{
	// The shim serves ioctls only: io_uring's commands reach the /dev/null
	// behind the descriptor. Kernels whose /dev/null takes io_uring
	// commands (for testing io_uring itself) complete each op untouched,
	// and the output check must catch it; elsewhere each op fails, or
	// io_uring is not allowed here. Either way: a failure.
	shim_state state;
	for (const char *backend : {"ocf-aes-uring", "ocf-aes-sqpoll", "ocf-3des-uring"}) {
		INFO("backend " << backend);
		auto r = ocfctl(state.env(), std::string("bench --json --backend ") + backend +
						     " --sizes 64 --threads 1 --depth 4 --seconds 0.02");
		CHECK(r.status == 1);
		json::value doc = document(r.out);
		CHECK(doc.at("bench").at("results").items.empty());
		REQUIRE(doc.at("bench").at("failures").items.size() == 1);
		CHECK(doc.at("bench").at("failures").items[0].at("backend").text == backend);
	}
}

TEST_CASE("ocfctl bench --targets --json: the comparisons' cells, each failure listed; "
	  "--targets picks its own cells")
{
	// The shim's one producer is neither swcrypt nor null0, which the
	// targets' /dev/ocf cells are pinned to: those fail, OpenSSL's run.
	shim_state state;
	auto r = ocfctl(state.env(), "bench --targets --json --seconds 0.02 --runs 2");
	CHECK(r.status == 1);
	json::value doc = document(r.out);
	const json::value &b = doc.at("bench");
	check_bench(b, 0.02, 2, true);
	bool saw_openssl = false;
	for (const auto &c : b.at("results").items) {
		check_result(c, 2);
		std::string backend = c.at("backend").text;
		CHECK(!backend.starts_with("ocf-"));
		if (backend == "openssl") {
			saw_openssl = true;
			CHECK(c.at("size").text == "16384");
			CHECK(c.at("threads").number == std::max(1u, std::thread::hardware_concurrency()));
		}
	}
	CHECK(saw_openssl);
	std::vector<std::string> failed;
	for (const auto &f : b.at("failures").items) {
		if (f.at("backend").text.starts_with("ocf-"))
			check_error(f.at("error"), false, -ENOENT, "ENOENT");
		failed.push_back(f.at("backend").text);
	}
	std::sort(failed.begin(), failed.end());
	failed.erase(std::remove(failed.begin(), failed.end(), "afalg"), failed.end()); // host-dependent
	CHECK(failed == std::vector<std::string>{"ocf-aes", "ocf-aes-async", "ocf-aes-sqpoll",
						 "ocf-aes-uring", "ocf-null"});

	for (const char *option : {"--backend ocf-aes", "--sizes 64", "--threads 1", "--depth 4",
				   "--producer swcrypt"})
		check_error_document(ocfctl("", std::string("bench --json --targets ") + option), 2,
				     -EINVAL, "EINVAL");
}

TEST_CASE("ocfctl --json: failures are error documents with the errno and exit status")
{
	for (const char *command : {"version", "producers", "sessions", "stats"}) {
		INFO("command " << command);
		check_error_document(ocfctl("", std::string(command) + " --json --device /nonexistent/ocf"), 1,
				     -ENOENT, "ENOENT");
		check_error_document(ocfctl("", std::string(command) + " --json --device /dev/null"), 1,
				     -ENOTTY, "ENOTTY");
		check_error_document(ocfctl("", std::string(command) + " --json --bogus"), 2, -EINVAL,
				     "EINVAL");
	}
	check_error_document(ocfctl("", "frobnicate --json"), 2, -EINVAL, "EINVAL");
	check_error_document(ocfctl("", "bench --json --sizes banana"), 2, -EINVAL, "EINVAL");
	check_error_document(ocfctl("", "bench --json --backend nosuch"), 2, -EINVAL, "EINVAL");
	check_error_document(ocfctl("", "bench --json --runs 0"), 2, -EINVAL, "EINVAL");
	check_error_document(ocfctl("", "sessions --json --device"), 2, -EINVAL, "EINVAL");
}
