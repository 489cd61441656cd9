// What the fuzzer and the kill -9 test share: the run's counters (in shared
// memory, so forked children add to them), failure reporting that forked
// children can use without malloc, and kernel-side checks.
#ifndef OCF_TESTS_FUZZ_COMMON_HPP
#define OCF_TESTS_FUZZ_COMMON_HPP

#include <linux/ocf.h>

#include <atomic>
#include <cstdint>
#include <string>

namespace ocffuzz {

struct shared_state {
	std::atomic<std::uint64_t> calls, calls_nobody, racer_calls, target;
	std::atomic<std::uint64_t> kat_checked, long_waits, forks, fd_passes, unplugs, reloads, reopens;
	std::atomic<bool> stop;
	std::atomic<int> failures;
	char first_failure[1024];
};

// Mapped MAP_SHARED before anything forks.
shared_state &shared();
void init_shared();

// Records an invariant failure (printf format), prints it; async-signal-safe
// enough for a forked child of a threaded process (no malloc).
void fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

// ioctl(2) returning 0 or -errno.
int xioctl(int fd, unsigned long request, std::uint64_t arg);

double now_s();

// Sum of the producers' in-flight counters, through OCF_IOC_PRODUCERS on @fd;
// -1 when the ioctl fails.
long long producers_in_flight(int fd);
// Sessions of every file (OCF_LIST_ALL); -1 when the ioctl fails.
long long all_sessions(int fd);
// /proc/vmstat nr_foll_pin_acquired - nr_foll_pin_released (0: balanced).
long long pins_outstanding();

// Writes @value to a sysfs file; 0 or -errno.
int write_file(const char *path, const char *value);

int drop_privileges(); // to nobody (65534); 0 or -errno

} // namespace ocffuzz

#endif
