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

struct result {
	bool ran = false;	   // fio exited 0 and its JSON was read
	std::string log;	   // fio's output and the job, for INFO
	std::uint64_t io_bytes = 0; // every job's reads and writes, as fio counted them
	std::uint64_t ios = 0;
	std::uint64_t errors = 0; // jobs that ended with an error
	// The producers' statistics over the run (after minus before).
	std::uint64_t ocf_bytes = 0, ocf_requests = 0, ocf_errors = 0;
	std::vector<std::uint64_t> producer_bytes; // per producer named
};

// Runs @section of tools/fio/@job_file with @engine, each job thread doing
// @ios operations (time_based, runtime and ramp_time taken out: fio's count
// must cover every op), @extra lines added to [global]; OCF's statistics of
// @producers are read before and after.
result run(const std::string &job_file, const std::string &section, const std::string &engine,
	   unsigned ios, const std::vector<std::string> &producers,
	   const std::vector<std::string> &extra = {});

// What differs between fio's report of a run and OCF's statistics ("" when
// nothing does): fio ran it without an error and did @ios I/Os, and the
// producers completed exactly those, with their bytes, and no error.
std::string mismatch(const result &r, std::uint64_t ios);

} // namespace ocft::fio

#endif
