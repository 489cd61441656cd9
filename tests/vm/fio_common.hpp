// fio with our external engine (tools/fio/libfio_ocf.so) in the VM: the job
// files of tools/fio/, each section run on its own and made short, and
// fio's own count of bytes and I/Os set against OCF's producer statistics.
#ifndef OCF_TESTS_VM_FIO_COMMON_HPP
#define OCF_TESTS_VM_FIO_COMMON_HPP

#include "helpers.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace ocft::fio {

// The sections of a job file of tools/fio/ (NAME.fio), [global] left out.
std::vector<std::string> sections(const std::string &job_file);

// One job section's line of fio's report (group_reporting: its threads summed).
struct job {
	std::string name;
	unsigned threads = 1;	    // numjobs
	std::uint64_t io_bytes = 0; // reads and writes
	std::uint64_t ios = 0;
	long long error = 0;
};

struct result {
	bool ran = false;	   // fio exited 0 and its JSON was read
	std::string log;	   // fio's output and the job file, for INFO
	std::vector<job> jobs;
	// The producers' statistics over the run (after minus before).
	std::uint64_t ocf_bytes = 0, ocf_requests = 0, ocf_errors = 0;
	std::vector<std::uint64_t> producer_bytes; // per producer named
};

// Runs tools/fio/@job_file (only @section unless it is empty: fio loads its
// 64 shared libraries for seconds under TCG, so the tests run whole files)
// with @engine, each job thread doing @ios operations (time_based, runtime
// and ramp_time taken out: fio's count must cover every op), @extra lines
// in [global] in place of the file's own settings of those options. OCF's
// statistics of @producers are read before and after.
result run(const std::string &job_file, const std::string &section, const std::string &engine,
	   unsigned ios, const std::vector<std::string> &producers,
	   const std::vector<std::string> &extra = {});

// What differs between fio's report of a run and OCF's statistics ("" when
// nothing does): every job ran without an error and did @ios I/Os per
// thread, and the producers completed exactly fio's I/Os and bytes, with no
// error.
std::string mismatch(const result &r, unsigned ios);

} // namespace ocft::fio

#endif
