// The kill -9 test (ocf_fuzz kill9): rounds of a child that keeps thousands
// of asynchronous operations going (copied ones of up to 4 KiB and pinned
// larger ones, in place and out of place, on two files) and is killed with
// SIGKILL at a random moment, or while it is inside RUN, or inside REAP with
// WAIT. After each round the framework must be back to rest: no request in
// flight at any producer, no session left, every pinned page unpinned; and
// the child must have died promptly.
#include "common.hpp"
#include "fuzz.hpp"

#include "arena.hpp"

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <dirent.h>
#include <fcntl.h>
#include <poll.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

namespace ocffuzz {

namespace {

enum class moment { random, random_reaping, in_run, in_reap_wait, count };

const char *moment_name(moment m)
{
	switch (m) {
	case moment::random: return "at a random moment";
	case moment::random_reaping: return "at a random moment, another thread in REAP WAIT";
	case moment::in_run: return "inside RUN";
	case moment::in_reap_wait: return "inside REAP WAIT";
	default: return "?";
	}
}

constexpr std::uint32_t buf_size = 1u << 20;

struct child_ctx {
	rng r;
	int fd[2] = {-1, -1};
	std::uint32_t aes[2] = {}, null[2] = {};
	std::uint8_t *buf = nullptr;
	std::atomic<int> ready{-1};
	std::atomic<std::uint64_t> submitted{0};
};

// Async operations submitted before the kill may come.
constexpr std::uint64_t min_ops = 2048;

int session(int fd, std::uint32_t cipher, std::uint32_t *id)
{
	static const std::uint8_t key[16] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};
	struct ocf_session_new sn {};
	sn.size = sizeof(sn);
	sn.cipher = cipher;
	if (cipher == OCF_CIPHER_AES_CBC) {
		sn.cipher_key = reinterpret_cast<std::uintptr_t>(key);
		sn.cipher_key_len = sizeof(key);
	}
	const int r = xioctl(fd, OCF_IOC_SESSION_NEW, reinterpret_cast<std::uintptr_t>(&sn));
	*id = r ? 0 : sn.session;
	return r;
}

// A batch of @n valid operations on file @f: small (copied) and large
// (pinned), in place and out of place, AES or null.
void fill_batch(child_ctx &c, int f, struct ocf_op *ops, std::uint32_t n, std::uint32_t large_len)
{
	static const std::uint8_t iv[16] = {};
	for (std::uint32_t i = 0; i < n; i++) {
		struct ocf_op &op = ops[i];
		op = {};
		const bool large = large_len ? true : c.r.one_in(3);
		// AES in an eighth of them: crypto is what costs time under TCG.
		const std::uint32_t len = large_len ? large_len
					  : large ? 4112 + 16 * c.r.below(768) // up to 16 KiB
						  : 16 * (1 + c.r.below(256));
		const bool aes = !c.null[f] || large_len || c.r.one_in(8);
		op.session = aes ? c.aes[f] : c.null[f];
		op.op = c.r.below(2);
		op.len = len;
		op.cipher_len = len;
		op.iv = reinterpret_cast<std::uintptr_t>(iv);
		op.src = reinterpret_cast<std::uintptr_t>(c.buf + 16 * c.r.below((buf_size - len) / 16));
		if (c.r.one_in(2))
			op.dst = reinterpret_cast<std::uintptr_t>(c.buf + 16 * c.r.below((buf_size - len) / 16));
		op.tag = i;
	}
}

int batch_ioctl(int fd, unsigned long cmd, struct ocf_op *ops, std::uint32_t n)
{
	struct ocf_batch b {};
	b.size = sizeof(b);
	b.op_size = sizeof(struct ocf_op);
	b.ops = reinterpret_cast<std::uintptr_t>(ops);
	b.count = n;
	return xioctl(fd, cmd, reinterpret_cast<std::uintptr_t>(&b));
}

int reap(int fd, std::uint32_t flags, std::uint32_t min_complete)
{
	static thread_local struct ocf_completion comps[OCF_MAX_BATCH];
	struct ocf_reap rp {};
	rp.size = sizeof(rp);
	rp.flags = flags;
	rp.completions = reinterpret_cast<std::uintptr_t>(comps);
	rp.max = OCF_MAX_BATCH;
	rp.min_complete = min_complete;
	return xioctl(fd, OCF_IOC_REAP, reinterpret_cast<std::uintptr_t>(&rp));
}

void signal_ready(child_ctx &c)
{
	const int fd = c.ready.exchange(-1);
	if (fd >= 0) {
		shared().calls.fetch_add(c.submitted.load(), std::memory_order_relaxed);
		(void)!::write(fd, "r", 1);
		::close(fd);
	}
}

// Submits until the in-flight limit, reaping now and then (or, @wait_at_limit,
// then sitting in REAP WAIT), forever.
void submitter(child_ctx &c, moment m)
{
	static struct ocf_op ops[OCF_MAX_BATCH];
	for (;;) {
		const int f = static_cast<int>(c.r.below(2));
		const std::uint32_t n = 64 + c.r.below(OCF_MAX_BATCH - 63);
		fill_batch(c, f, ops, n, 0);
		const int r = batch_ioctl(c.fd[f], OCF_IOC_SUBMIT, ops, n);
		if (r == 0)
			c.submitted.fetch_add(n, std::memory_order_relaxed);
		// Killed only once thousands are under way.
		if (m != moment::in_run && m != moment::in_reap_wait && c.submitted.load() >= min_ops)
			signal_ready(c);
		if (r == 0 && !c.r.one_in(4))
			continue;
		// At the limit (or now and then): collect, and leave the rest
		// unreaped. No waiting before the parent was told to kill: other
		// threads' RUN and REAP may keep a REAP WAIT waiting long.
		const bool told = c.ready.load() < 0;
		if (m == moment::in_reap_wait && c.submitted.load() >= min_ops) {
			signal_ready(c);
			reap(c.fd[f], OCF_REAP_WAIT, OCF_MAX_BATCH);
		} else {
			reap(c.fd[f], told && c.r.one_in(2) ? OCF_REAP_WAIT : 0, 1 + c.r.below(OCF_MAX_BATCH));
		}
	}
}

// 1024 large pinned operations per RUN, forever.
void runner(child_ctx &c, bool signal)
{
	static struct ocf_op ops[OCF_MAX_BATCH];
	for (;;) {
		const int f = static_cast<int>(c.r.below(2));
		fill_batch(c, f, ops, OCF_MAX_BATCH, 8192);
		if (signal && c.submitted.load() >= min_ops)
			signal_ready(c);
		batch_ioctl(c.fd[f], OCF_IOC_RUN, ops, OCF_MAX_BATCH);
	}
}

[[noreturn]] void child(std::uint64_t seed, moment m, int ready)
{
	child_ctx c;
	c.r.s = seed;
	c.ready = ready;
	void *p = ::mmap(nullptr, buf_size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	if (p == MAP_FAILED)
		::_exit(2);
	c.buf = static_cast<std::uint8_t *>(p);
	for (int f = 0; f < 2; f++) {
		c.fd[f] = ::open(OCF_DEVICE_PATH, O_RDWR | O_CLOEXEC);
		if (c.fd[f] < 0 || session(c.fd[f], OCF_CIPHER_AES_CBC, &c.aes[f]))
			::_exit(3);
		session(c.fd[f], OCF_CIPHER_NULL, &c.null[f]);
	}
	std::thread other;
	switch (m) {
	case moment::random_reaping:
		other = std::thread([&c] {
			for (;;)
				reap(c.fd[1], OCF_REAP_WAIT, 1);
		});
		break;
	case moment::in_run:
		other = std::thread([&c] { submitter(c, moment::in_run); });
		runner(c, true);
		break;
	case moment::in_reap_wait:
		other = std::thread([&c] { runner(c, false); });
		break;
	default:
		break;
	}
	submitter(c, m);
	::_exit(0);
}

// Where a child that does not get going, or does not die, is stuck.
void dump_stacks(pid_t pid)
{
	char dir[64];
	std::snprintf(dir, sizeof(dir), "/proc/%d/task", pid);
	DIR *d = ::opendir(dir);
	if (!d)
		return;
	while (struct dirent *e = ::readdir(d)) {
		if (e->d_name[0] == '.')
			continue;
		char path[384], line[256];
		std::snprintf(path, sizeof(path), "%s/%s/stack", dir, e->d_name);
		std::printf("# task %s of %d:\n", e->d_name, pid);
		if (FILE *f = std::fopen(path, "r")) {
			while (std::fgets(line, sizeof(line), f))
				std::printf("#   %s", line);
			std::fclose(f);
		}
	}
	::closedir(d);
	std::fflush(stdout);
}

// Polls the framework's state until it is at rest, up to @timeout s.
bool at_rest(int mon, long long pins_base, double timeout, long long *in_flight, long long *sessions,
	     long long *pins)
{
	const double end = now_s() + timeout;
	for (;;) {
		*in_flight = producers_in_flight(mon);
		*sessions = all_sessions(mon);
		*pins = pins_outstanding() - pins_base;
		if (*in_flight == 0 && *sessions == 0 && *pins == 0)
			return true;
		if (now_s() > end)
			return false;
		::usleep(20000);
	}
}

} // namespace

int run_kill9(const kill9_options &o)
{
	::signal(SIGPIPE, SIG_IGN);
	const int mon = ::open(OCF_DEVICE_PATH, O_RDWR | O_CLOEXEC);
	if (mon < 0) {
		std::perror("kill9: open " OCF_DEVICE_PATH);
		return 2;
	}
	long long in_flight, sessions, pins;
	// Whatever ran before must have left the framework at rest.
	if (!at_rest(mon, 0, 30.0, &in_flight, &sessions, &pins)) {
		fail("kill9: not at rest before the first round: %lld in flight, %lld sessions, "
		     "%lld pins outstanding", in_flight, sessions, pins);
		return 1;
	}
	const long long pins_base = 0;
	rng r{o.seed};
	double worst = 0;
	int worst_round = -1;
	const double start = now_s();
	std::printf("kill9: seed %llu, %d rounds\n", static_cast<unsigned long long>(o.seed), o.rounds);
	int round = 0;
	for (; round < o.rounds && shared().failures.load() < 5; round++) {
		const auto m = static_cast<moment>(round % static_cast<int>(moment::count));
		int pfd[2];
		if (::pipe2(pfd, O_CLOEXEC)) {
			std::perror("kill9: pipe");
			return 2;
		}
		const std::uint64_t child_seed = r.next();
		const pid_t pid = ::fork();
		if (pid == 0) {
			::close(pfd[0]);
			child(child_seed, m, pfd[1]);
		}
		::close(pfd[1]);
		struct pollfd pr {pfd[0], POLLIN, 0};
		char byte;
		const bool ready = ::poll(&pr, 1, 60000) == 1 && ::read(pfd[0], &byte, 1) == 1;
		::close(pfd[0]);
		if (!ready) {
			fail("kill9 round %d (%s): the child never got going (60 s)", round, moment_name(m));
			dump_stacks(pid);
		}
		// Inside RUN or REAP WAIT: the child signalled just before the call.
		const std::uint32_t delay_us = m == moment::in_run || m == moment::in_reap_wait
						       ? 1000 + r.below(50000)
						       : r.below(100000);
		::usleep(delay_us);
		const double t0 = now_s();
		::kill(pid, SIGKILL);
		int st = 0;
		while (::waitpid(pid, &st, WNOHANG) == 0 && now_s() - t0 < 30.0)
			::usleep(5000);
		const double took = now_s() - t0;
		if (took >= 30.0) {
			fail("kill9 round %d (killed %s after %u us): the child still lives 30 s after SIGKILL",
			     round, moment_name(m), delay_us);
			dump_stacks(pid);
			break;
		}
		if (took > worst) {
			worst = took;
			worst_round = round;
		}
		if (took > o.max_death_s)
			fail("kill9 round %d (%s): the child took %.1f s to die", round, moment_name(m), took);
		if (!at_rest(mon, pins_base, 10.0, &in_flight, &sessions, &pins))
			fail("kill9 round %d (killed %s after %u us): not at rest 10 s later: "
			     "%lld in flight, %lld sessions, %lld pins outstanding",
			     round, moment_name(m), delay_us, in_flight, sessions, pins);
		if ((round + 1) % 10 == 0) {
			std::printf("kill9: %d rounds, %llu async ops submitted before the kills, %.1f s\n", round + 1,
				    static_cast<unsigned long long>(shared().calls.load()), now_s() - start);
			std::fflush(stdout);
		}
	}
	::close(mon);
	std::printf("kill9: done: %d rounds, %llu async ops submitted before the kills, %.1f s, slowest death %.2f s (round %d), "
		    "seed %llu, %d failures%s%s\n",
		    round, static_cast<unsigned long long>(shared().calls.load()), now_s() - start, worst,
		    worst_round, static_cast<unsigned long long>(o.seed), shared().failures.load(),
		    shared().failures.load() ? "; first: " : "",
		    shared().failures.load() ? shared().first_failure : "");
	return shared().failures.load() ? 1 : 0;
}

} // namespace ocffuzz
