#include "common.hpp"

#include <cerrno>
#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <grp.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>
#include <vector>

namespace ocffuzz {

namespace {
shared_state *state;
}

shared_state &shared() { return *state; }

void init_shared()
{
	void *p = ::mmap(nullptr, sizeof(shared_state), PROT_READ | PROT_WRITE,
			 MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED) {
		std::perror("ocf_fuzz: mmap shared state");
		std::exit(2);
	}
	state = new (p) shared_state{};
}

void fail(const char *fmt, ...)
{
	char msg[sizeof(state->first_failure)];
	va_list ap;
	va_start(ap, fmt);
	int n = std::vsnprintf(msg, sizeof(msg) - 1, fmt, ap);
	va_end(ap);
	if (n < 0)
		n = 0;
	if (static_cast<std::size_t>(n) > sizeof(msg) - 2)
		n = static_cast<int>(sizeof(msg) - 2);
	if (state->failures.fetch_add(1) == 0)
		std::memcpy(state->first_failure, msg, static_cast<std::size_t>(n) + 1);
	msg[n] = '\n';
	(void)!::write(2, "ocf_fuzz: FAILED: ", 18);
	(void)!::write(2, msg, static_cast<std::size_t>(n) + 1);
}

int xioctl(int fd, unsigned long request, std::uint64_t arg)
{
	int r = ::ioctl(fd, request, static_cast<unsigned long>(arg));
	return r < 0 ? -errno : r;
}

double now_s()
{
	timespec ts{};
	::clock_gettime(CLOCK_MONOTONIC, &ts);
	return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

namespace {

// OCF_IOC_PRODUCERS / OCF_IOC_SESSIONS into @entries; count or -errno.
template <typename Entry>
int list(int fd, unsigned long cmd, std::uint32_t flags, std::vector<Entry> &entries,
	 std::uint32_t *total)
{
	entries.assign(256, Entry{});
	struct ocf_list l {};
	l.size = sizeof(l);
	l.flags = flags;
	l.entries = reinterpret_cast<std::uintptr_t>(entries.data());
	l.entry_size = sizeof(Entry);
	l.max = static_cast<std::uint32_t>(entries.size());
	int r = xioctl(fd, cmd, reinterpret_cast<std::uintptr_t>(&l));
	if (r < 0)
		return r;
	*total = l.total;
	return static_cast<int>(l.count);
}

} // namespace

long long producers_in_flight(int fd)
{
	std::vector<ocf_producer_info> infos;
	std::uint32_t total = 0;
	int n = list(fd, OCF_IOC_PRODUCERS, 0, infos, &total);
	if (n < 0)
		return -1;
	long long sum = 0;
	for (int i = 0; i < n; i++)
		sum += static_cast<long long>(infos[static_cast<std::size_t>(i)].stats.in_flight);
	return sum;
}

long long all_sessions(int fd)
{
	std::vector<ocf_session_info> infos;
	std::uint32_t total = 0;
	int n = list(fd, OCF_IOC_SESSIONS, OCF_LIST_ALL, infos, &total);
	return n < 0 ? -1 : total;
}

long long pins_outstanding()
{
	// The counters are per CPU and folded into /proc/vmstat about once a
	// second; without this a balanced run reads a few pages off either way.
	write_file("/proc/sys/vm/stat_refresh", "1");
	FILE *f = std::fopen("/proc/vmstat", "r");
	if (!f)
		return -1;
	char name[128];
	unsigned long long v, acquired = 0, released = 0;
	while (std::fscanf(f, "%127s %llu", name, &v) == 2) {
		if (!std::strcmp(name, "nr_foll_pin_acquired"))
			acquired = v;
		else if (!std::strcmp(name, "nr_foll_pin_released"))
			released = v;
	}
	std::fclose(f);
	return static_cast<long long>(acquired - released);
}

int write_file(const char *path, const char *value)
{
	int fd = ::open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	ssize_t n = ::write(fd, value, std::strlen(value));
	int err = n < 0 ? -errno : 0;
	::close(fd);
	return err;
}

int drop_privileges()
{
	if (::setgroups(0, nullptr) || ::setresgid(65534, 65534, 65534) ||
	    ::setresuid(65534, 65534, 65534))
		return -errno;
	return ::geteuid() == 65534 ? 0 : -EPERM;
}

} // namespace ocffuzz
