#include "fio_common.hpp"

#include "../json.hpp"

#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <unistd.h>

namespace ocft::fio {

namespace {

std::string job_path(const std::string &job_file)
{
	return std::string(OCF_SOURCE_DIR) + "/tools/fio/" + job_file;
}

std::string read_file(const std::string &path)
{
	std::ifstream in(path);
	if (!in)
		throw std::runtime_error("cannot read " + path);
	std::ostringstream s;
	s << in.rdbuf();
	return s.str();
}

// The job file without what makes a run last a time rather than a number
// of ops, with @ios per job thread and @extra in [global] in place of
// the file's own settings of those options.
std::string shortened(const std::string &text, unsigned ios, const std::vector<std::string> &extra)
{
	std::istringstream in(text);
	std::string out, line;
	auto overridden = [&extra](const std::string &l) {
		for (const auto &e : extra)
			if (l.starts_with(e.substr(0, e.find('=') + 1)))
				return true;
		return false;
	};
	while (std::getline(in, line)) {
		// fio would list an option set twice twice in its JSON.
		if (line == "time_based" || line.starts_with("runtime=") ||
		    line.starts_with("ramp_time=") || overridden(line))
			continue;
		out += line + "\n";
		if (line == "[global]") {
			out += "number_ios=" + std::to_string(ios) + "\n";
			for (const auto &e : extra)
				out += e + "\n";
		}
	}
	return out;
}

struct counters {
	std::uint64_t bytes = 0, requests = 0, errors = 0;
	std::vector<std::uint64_t> per_producer;
};

counters producer_counters(const std::vector<std::string> &names)
{
	device dev;
	counters c;
	for (const auto &n : names) {
		auto p = producer_named(dev, n);
		if (!p)
			throw std::runtime_error("no producer " + n);
		c.bytes += p->stats.bytes;
		c.requests += p->stats.requests;
		c.errors += p->stats.errors;
		c.per_producer.push_back(p->stats.bytes);
	}
	return c;
}

std::uint64_t whole(const json::value &v)
{
	if (!v.is_integer())
		throw std::runtime_error("not a whole number: " + v.text);
	return std::stoull(v.text);
}

} // namespace

std::vector<std::string> sections(const std::string &job_file)
{
	std::istringstream in(read_file(job_path(job_file)));
	std::vector<std::string> out;
	std::string line;
	while (std::getline(in, line))
		if (line.size() > 2 && line.front() == '[' && line.back() == ']' && line != "[global]")
			out.push_back(line.substr(1, line.size() - 2));
	return out;
}

result run(const std::string &job_file, const std::string &section, const std::string &engine,
	   unsigned ios, const std::vector<std::string> &producers,
	   const std::vector<std::string> &extra)
{
	result r;
	const auto dir = std::filesystem::temp_directory_path();
	const std::string tag = std::to_string(::getpid());
	const auto job_file_tmp = dir / ("ocf-fio-" + tag + ".fio");
	const auto out = dir / ("ocf-fio-" + tag + ".json");
	const std::string text = shortened(read_file(job_path(job_file)), ios, extra);
	std::ofstream(job_file_tmp) << text;
	std::filesystem::remove(out);

	const counters before = producer_counters(producers);
	std::vector<std::string> argv = {"/usr/bin/fio", "--output-format=json",
					 "--output=" + out.string()};
	if (!section.empty())
		argv.push_back("--section=" + section);
	argv.push_back(job_file_tmp.string());
	const child_result fio = run_command(argv, false, {"OCF_FIO_ENGINE=" + engine});
	const counters after = producer_counters(producers);

	r.log = "fio " + (section.empty() ? "" : section + " of ") + job_file + " (status " +
		std::to_string(fio.exit_code()) + "):\n" + fio.output + "\njob file:\n" + text;
	r.ocf_bytes = after.bytes - before.bytes;
	r.ocf_requests = after.requests - before.requests;
	r.ocf_errors = after.errors - before.errors;
	for (std::size_t i = 0; i < after.per_producer.size(); i++)
		r.producer_bytes.push_back(after.per_producer[i] - before.per_producer[i]);
	std::filesystem::remove(job_file_tmp);
	if (!fio.ok())
		return r;
	try {
		const std::string doc_text = read_file(out.string());
		r.log += "\nJSON:\n" + doc_text;
		const json::value doc = json::parse(doc_text);
		const json::value *global = doc.find("global options");
		for (const auto &j : doc.at("jobs").items) {
			job one;
			one.name = j.at("jobname").text;
			const json::value *n = j.at("job options").find("numjobs");
			if (!n && global)
				n = global->find("numjobs");
			if (n)
				one.threads = static_cast<unsigned>(std::stoul(n->text));
			for (const char *dir_name : {"read", "write"}) {
				one.io_bytes += whole(j.at(dir_name).at("io_bytes"));
				one.ios += whole(j.at(dir_name).at("total_ios"));
			}
			one.error = static_cast<long long>(whole(j.at("error")));
			r.jobs.push_back(one);
		}
		r.ran = !r.jobs.empty();
	} catch (const std::exception &e) {
		r.log += std::string("\nfio's JSON: ") + e.what();
	}
	std::filesystem::remove(out);
	return r;
}

std::string mismatch(const result &r, unsigned ios)
{
	if (!r.ran)
		return "fio did not run the jobs";
	std::string m;
	auto want = [&m](bool ok, const std::string &what) {
		if (!ok)
			m += what + "; ";
	};
	std::uint64_t bytes = 0, total = 0;
	for (const auto &j : r.jobs) {
		want(j.error == 0, j.name + " ended with error " + std::to_string(j.error));
		want(j.ios == std::uint64_t(ios) * j.threads,
		     j.name + " did " + std::to_string(j.ios) + " I/Os in " +
			     std::to_string(j.threads) + " threads");
		want(j.io_bytes > 0, j.name + " moved no bytes");
		bytes += j.io_bytes;
		total += j.ios;
	}
	want(r.ocf_bytes == bytes,
	     "OCF " + std::to_string(r.ocf_bytes) + " bytes, fio " + std::to_string(bytes));
	want(r.ocf_requests == total,
	     "OCF " + std::to_string(r.ocf_requests) + " requests, fio " + std::to_string(total) + " I/Os");
	want(r.ocf_errors == 0, "OCF counted errors");
	return m;
}

} // namespace ocft::fio
