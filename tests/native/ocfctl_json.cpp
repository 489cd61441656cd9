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

TEST_CASE("ocfctl --json: bench results, ratios and the backends that failed")
{
	shim_state state;
	auto r = ocfctl(state.env(), "bench --json --backend ocf-null,openssl --sizes 64 --threads 1 "
				     "--depth 1,64 --seconds 0.02");
	CHECK(r.status == 0);
	json::value doc = document(r.out);
	check_keys(doc, {"version", "bench"});
	const json::value &b = doc.at("bench");
	check_keys(b, {"seconds", "results", "ratios", "failures"});
	CHECK(b.at("seconds").is(kind::number));
	CHECK(b.at("seconds").number == Approx(0.02));
	// ocf-null at depths 1 and 64, openssl at depth 1 only.
	REQUIRE(b.at("results").items.size() == 3);
	for (const auto &c : b.at("results").items) {
		check_keys(c, {"backend", "size", "threads", "depth", "ops_per_second",
			       "megabytes_per_second"});
		CHECK(c.at("backend").is(kind::string));
		check_counts(c, {"size", "threads", "depth"});
		CHECK(c.at("size").text == "64");
		CHECK(c.at("ops_per_second").number > 0);
		CHECK(c.at("megabytes_per_second").number > 0);
	}
	// The one ratio this run has cells for: ocf-null 64 B, batch 64 vs batch 1.
	REQUIRE(b.at("ratios").items.size() == 1);
	check_keys(b.at("ratios").items[0], {"label", "ratio"});
	CHECK(b.at("ratios").items[0].at("ratio").number > 0);
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
	check_error_document(ocfctl("", "sessions --json --device"), 2, -EINVAL, "EINVAL");
}
