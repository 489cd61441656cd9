// SPDX-License-Identifier: LGPL-2.1-or-later
// Per-process /dev/ocf for the provider.
//
// Rules (OpenSSH's pre-auth sandbox kills a process on an unlisted ioctl,
// and nginx forks its workers after loading its configuration):
// - the device is opened on first need, never at provider load;
// - a failed open (absent, denied) means software, retried every few seconds;
// - a fork child never touches the parent's file or sessions: the
//   pthread_atfork child handler closes the parent's descriptor (its number
//   cannot have been reused yet) and bumps the device generation, which
//   every session carries and every request compares with one atomic load;
//   the child opens its own. A child made without the handlers (a raw
//   clone(2), glibc's _Fork) is caught at its next session or producer list
//   by update()'s getpid() check, which forgets the file without closing it;
// - the descriptor is fstat(2)ed before every ioctl but a request's: at the
//   open, each session made or freed, each refresh of the producer list
//   (every second while in use) and each key operation. It must still be
//   the file we opened (a program may close our descriptor and reuse the
//   number), and a process that entered a sandbox after opening it
//   (OpenSSH's pre-auth sandbox refuses fstat with EACCES and kills on
//   ioctl) notices it there and stops using OCF for good, its sessions
//   with it. A request (OCF_IOC_RUN) pays no system call but its ioctl:
//   its session was made under an fstat, the ioctl numbers (magic 0xcf,
//   with their sizes) are OCF's, and a request that OCF did not run (the
//   ioctl failed, or did not write the op's status) makes the file be
//   checked before anything else is done. What is given up: a sandbox
//   entered between two requests on one session (a context's; a hash
//   algorithm's, which every digest of the process shares) with no session
//   made and no refresh between them: that request's ioctl is killed.
//   OpenSSH's pre-auth child (up to 9.x) is a fork child, whose sessions
//   are all new; it opens the device before its sandbox (RAND_bytes, for
//   the DRBG's AES-CTR), but the DRBG re-keys that context after every
//   output, so each of its requests comes with a session made (or freed)
//   under an fstat (tests/provider/sshd.sh).
#include "device.hpp"

#include "prov.hpp"

#include <algorithm>
#include <linux/ocf.h>

#include <atomic>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <ctime>
#include <mutex>
#include <pthread.h>
#include <sys/stat.h>
#include <unistd.h>
#include <utility>
#include <vector>

namespace ocfprov::dev {
namespace {

constexpr std::int64_t kRetryOpenNs = 5'000'000'000;	// a failed open is retried after this
constexpr std::int64_t kRefreshNs = 1'000'000'000;	// producer list refresh

std::int64_t now_ns()
{
	timespec ts{};
	clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
	return static_cast<std::int64_t>(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}

std::mutex g_locks[static_cast<std::size_t>(Lock::Count)];

struct State {
	std::mutex &mu = g_locks[static_cast<std::size_t>(Lock::Device)];
	pid_t pid = 0;			// the process the state belongs to
	ocf_device *dev = nullptr;	// opened by pid
	std::uint64_t gen = 0;		// bumped whenever dev changes
	dev_t rdev = 0;
	ino_t ino = 0;
	Caps caps;
	unsigned forks_seen = 0;
	std::int64_t next_open = 0;
	std::int64_t next_refresh = 0;
	std::uint32_t op_limit = kOcfDefaultMaxOpLen;
	unsigned live_sessions = 0;	// created on dev and not freed
	bool told = false;		// the once-per-process debug message
	bool sandboxed = false;		// fstat refused: no more OCF here nor in children
	struct ProducerLimit {
		std::uint32_t id, max_len;
		bool hw;
	};
	std::vector<ProducerLimit> producers;
};

State &state()
{
	static State s;
	return s;
}

std::atomic<std::uint64_t> g_gen{0};
std::atomic<ocf_device *> g_dev{nullptr};
std::atomic<dev_t> g_rdev{0};
std::atomic<ino_t> g_ino{0};

// Bumped in a fork child, so that caps() needs no getpid() system call on
// its fast path (run() needs none either: forget() in the child bumps the
// generation that its sessions carry).
std::atomic<unsigned> g_forks{0};

void fork_prepare()
{
	for (std::mutex &m : g_locks)
		m.lock();
}

void fork_parent()
{
	for (std::size_t i = std::size(g_locks); i-- > 0;)
		g_locks[i].unlock();
}

void fork_child();


// Registered when the module is loaded, before any thread can hold a lock
// (the module is linked -z nodelete, so the handlers stay valid).
[[maybe_unused]] const int g_atfork = pthread_atfork(fork_prepare, fork_parent, fork_child);

// What caps() returns until next_due, readable without the lock (a refresh
// racing with a reader may mix old and new fields: harmless).
struct Snapshot {
	std::atomic<unsigned> forks_seen{ ~0u };
	std::atomic<std::int64_t> next_due{ 0 };
	std::atomic<bool> usable{ false };
	std::atomic<std::uint64_t> any_algs{ 0 }, hw_algs{ 0 };
	std::atomic<std::uint32_t> max_len{ 0 };
	std::atomic<std::uint32_t> hw_max_len{ 0 };
	std::atomic<std::uint32_t> any_kops{ 0 }, hw_kops{ 0 };
	std::atomic<std::uint32_t> any_kop_bits[kKopSlots] = {}, hw_kop_bits[kKopSlots] = {};
} g_snap;

// Forgets the device of another process (or one we no longer trust) without
// touching it. Called with the lock held.
void forget(State &s, pid_t pid)
{
	s.pid = pid;
	s.dev = nullptr;	// never closed: it is not ours (or not any more)
	s.live_sessions = 0;
	s.gen++;
	s.caps = Caps{};
	// A sandbox (a seccomp filter) is inherited by fork children: they must
	// not open the device either.
	s.next_open = s.sandboxed ? INT64_MAX : 0;
	s.next_refresh = 0;
	s.op_limit = kOcfDefaultMaxOpLen;
	g_dev.store(nullptr);
	g_gen.store(s.gen);
}

enum class FileState { Ours, Changed, Refused };

// Whether @d's descriptor is still the file we opened, before an ioctl.
FileState check_file(const ocf_device *d)
{
	struct stat st {};
	int fd = ocf_device_fd(d);
	if (fd < 0)
		return FileState::Changed;
	if (fstat(fd, &st) != 0)
		return errno == EBADF ? FileState::Changed : FileState::Refused;
	return S_ISCHR(st.st_mode) && st.st_rdev == g_rdev.load() && st.st_ino == g_ino.load() ?
		       FileState::Ours :
		       FileState::Changed;
}

// Drops the device after a failed check. Called with the lock held.
void drop(State &s, FileState why)
{
	if (why == FileState::Refused) {
		debug("fstat on /dev/ocf refused (a sandbox?): serving everything in software "
		      "from now on");
		s.sandboxed = true;
		forget(s, s.pid);
	} else {
		debug("the OCF file descriptor changed under us: reopening");
		forget(s, s.pid);
	}
}

// True when an ioctl on s.dev is safe now; drops the device if not. Called
// with the lock held.
bool ioctl_ok(State &s)
{
	if (!s.dev)
		return false;
	FileState f = check_file(s.dev);
	if (f == FileState::Ours)
		return true;
	drop(s, f);
	return false;
}

// Adds @p's key operations to @c.
void add_kops(Caps &c, const ocf_producer_info &p)
{
	bool hw = p.flags & OCF_PRODUCER_HARDWARE;
	c.any_kops |= p.kops;
	if (hw)
		c.hw_kops |= p.kops;
	for (std::size_t op = 0; op < kKopSlots; op++) {
		if (!((p.kops >> op) & 1))
			continue;
		if (p.kop_max_bits > c.any_kop_bits[op])
			c.any_kop_bits[op] = p.kop_max_bits;
		if (hw && p.kop_max_bits > c.hw_kop_bits[op])
			c.hw_kop_bits[op] = p.kop_max_bits;
	}
}

// Reads the producer list into s.caps. Called with the lock held.
bool refresh(State &s)
{
	if (!ioctl_ok(s))
		return false;
	std::vector<ocf_producer_info> v(16);
	int n = ocf_producers(s.dev, v.data(), static_cast<unsigned>(v.size()));
	if (n > static_cast<int>(v.size())) {
		v.resize(static_cast<std::size_t>(n) + 8);
		n = ocf_producers(s.dev, v.data(), static_cast<unsigned>(v.size()));
	}
	if (n < 0) {
		debug("listing OCF producers failed: %s", ocf_strerror(n));
		s.caps = Caps{};
		return false;
	}
	Caps c;
	c.usable = true;
	std::uint32_t max = 0, hw_max = 0;
	s.producers.clear();
	for (int i = 0; i < n && i < static_cast<int>(v.size()); i++) {
		const ocf_producer_info &p = v[static_cast<std::size_t>(i)];
		s.producers.push_back({ p.id, p.max_len, (p.flags & OCF_PRODUCER_HARDWARE) != 0 });
		c.any_algs |= p.algs;
		if (p.flags & OCF_PRODUCER_HARDWARE) {
			c.hw_algs |= p.algs;
			hw_max = std::max(hw_max, p.max_len);
		}
		if (p.max_len > max)
			max = p.max_len;
		add_kops(c, p);
	}
	c.max_len = max < s.op_limit ? max : s.op_limit;
	c.hw_max_len = std::min(hw_max, c.max_len);
	if (debug_enabled() && (c.any_algs != s.caps.any_algs || c.hw_algs != s.caps.hw_algs ||
				c.any_kops != s.caps.any_kops || c.hw_kops != s.caps.hw_kops))
		debug("OCF producers: %d, algorithms %#llx, on hardware %#llx, longest request %u, "
		      "key operations %#x, on hardware %#x",
		      n, static_cast<unsigned long long>(c.any_algs),
		      static_cast<unsigned long long>(c.hw_algs), c.max_len, c.any_kops, c.hw_kops);
	s.caps = c;
	return true;
}

// Opens the device for this process. Called with the lock held.
void open_device(State &s, std::int64_t now)
{
	ocf_device *d = nullptr;
	int r = ocf_device_open(nullptr, &d);
	if (r == 0) {
		std::uint32_t abi = 0;
		int v = ocf_device_version(d, &abi, nullptr, 0);
		if (v < 0 || abi != OCF_ABI_VERSION) {
			ocf_device_close(d);
			d = nullptr;
			r = v < 0 ? v : -EPROTO;
		}
	}
	if (r < 0) {
		s.next_open = now + kRetryOpenNs;
		if (!s.told)
			debug("/dev/ocf unavailable (%s): serving everything in software",
			      r == -EPROTO ? "ABI version mismatch" : ocf_strerror(r));
		s.told = true;
		return;
	}
	struct stat st {};
	fstat(ocf_device_fd(d), &st);
	s.dev = d;
	s.rdev = st.st_rdev;
	s.ino = st.st_ino;
	g_rdev.store(st.st_rdev);
	g_ino.store(st.st_ino);
	s.gen++;
	s.op_limit = kOcfDefaultMaxOpLen;
	g_gen.store(s.gen);
	g_dev.store(d);
	if (!s.told)
		debug("/dev/ocf opened by pid %d", static_cast<int>(s.pid));
	s.told = true;
	s.next_refresh = 0;
}

// Brings the state up to date for this process. Called with the lock held.
void update(State &s)
{
	pid_t pid = getpid();
	if (pid != s.pid) {
		bool inherited = s.pid != 0;
		forget(s, pid);
		if (inherited)
			s.told = false;
	}
	std::int64_t now = now_ns();
	if (!s.dev) {
		if (now < s.next_open)
			return;
		open_device(s, now);
		if (!s.dev)
			return;
	}
	if (now >= s.next_refresh) {
		s.next_refresh = now + kRefreshNs;
		if (!refresh(s) && !s.dev && now >= s.next_open)
			open_device(s, now);
	}
}

// In the child, before it runs anything else: the parent's descriptor is
// closed at once (its number cannot have been reused yet), so that a child
// never keeps the parent's file, and with it the parent's sessions and
// keys, alive after the parent is done with them. The child opens its own.
void fork_child()
{
	g_forks.fetch_add(1);
	State &s = state();
	if (s.dev)
		::close(ocf_device_fd(s.dev));	// the handle's memory: not worth a free here
	forget(s, 0);
	s.told = false;
	fork_parent();
}

} // namespace

std::mutex &lock(Lock which)
{
	return g_locks[static_cast<std::size_t>(which)];
}

Caps caps()
{
	// Fast path, without a lock: nothing is due (every context init asks).
	unsigned forks = g_forks.load(std::memory_order_relaxed);
	if (forks == g_snap.forks_seen.load(std::memory_order_acquire) &&
	    now_ns() < g_snap.next_due.load(std::memory_order_relaxed)) {
		Caps c;
		c.usable = g_snap.usable.load(std::memory_order_relaxed);
		c.any_algs = g_snap.any_algs.load(std::memory_order_relaxed);
		c.hw_algs = g_snap.hw_algs.load(std::memory_order_relaxed);
		c.max_len = g_snap.max_len.load(std::memory_order_relaxed);
		c.hw_max_len = g_snap.hw_max_len.load(std::memory_order_relaxed);
		c.any_kops = g_snap.any_kops.load(std::memory_order_relaxed);
		c.hw_kops = g_snap.hw_kops.load(std::memory_order_relaxed);
		for (std::size_t i = 0; i < kKopSlots; i++) {
			c.any_kop_bits[i] = g_snap.any_kop_bits[i].load(std::memory_order_relaxed);
			c.hw_kop_bits[i] = g_snap.hw_kop_bits[i].load(std::memory_order_relaxed);
		}
		return c;
	}
	State &s = state();
	std::lock_guard lock(s.mu);
	s.forks_seen = forks;
	update(s);
	Caps c = s.dev ? s.caps : Caps{};
	g_snap.usable.store(c.usable, std::memory_order_relaxed);
	g_snap.any_algs.store(c.any_algs, std::memory_order_relaxed);
	g_snap.hw_algs.store(c.hw_algs, std::memory_order_relaxed);
	g_snap.max_len.store(c.max_len, std::memory_order_relaxed);
	g_snap.hw_max_len.store(c.hw_max_len, std::memory_order_relaxed);
	g_snap.any_kops.store(c.any_kops, std::memory_order_relaxed);
	g_snap.hw_kops.store(c.hw_kops, std::memory_order_relaxed);
	for (std::size_t i = 0; i < kKopSlots; i++) {
		g_snap.any_kop_bits[i].store(c.any_kop_bits[i], std::memory_order_relaxed);
		g_snap.hw_kop_bits[i].store(c.hw_kop_bits[i], std::memory_order_relaxed);
	}
	g_snap.next_due.store(s.dev ? s.next_refresh : s.next_open, std::memory_order_relaxed);
	g_snap.forks_seen.store(forks, std::memory_order_release);
	return c;
}

bool session_live(const Session &s)
{
	return s.gen != 0 && s.gen == g_gen.load(std::memory_order_acquire) &&
	       g_dev.load(std::memory_order_acquire);
}

void session_free(Session &s)
{
	if (session_live(s)) {
		State &st = state();
		std::lock_guard lock(st.mu);
		if (st.dev && st.gen == s.gen && st.pid == getpid()) {
			st.live_sessions--;
			if (ioctl_ok(st))
				ocf_session_free(st.dev, s.id);
		}
	}
	s = Session{};
}

int session_new(Session &s, const ocf_session_params &params, bool need_hw)
{
	session_free(s);
	State &st = state();
	std::lock_guard lock(st.mu);
	update(st);
	if (!ioctl_ok(st))
		return -ENODEV;
	std::uint32_t id = 0, producer = 0;
	int r = ocf_session_new(st.dev, &params, &id, &producer);
	if (r < 0) {
		debug("OCF session (cipher %u, mac %u) not created: %s", params.cipher, params.mac,
		      ocf_strerror(r));
		return r;
	}
	st.live_sessions++;
	s.gen = st.gen;
	s.id = id;
	s.mac_len = params.mac_len;
	s.max_len = st.caps.max_len;
	s.hw = false;
	for (const auto &p : st.producers)
		if (p.id == producer) {
			if (p.max_len < s.max_len)
				s.max_len = p.max_len;
			s.hw = p.hw;
		}
	const char *c = ocf_alg_name(params.cipher), *m = ocf_alg_name(params.mac);
	if (need_hw && !s.hw) {
		debug("OCF session %u: %s%s%s on a software producer: not used", id, c ? c : "",
		      c && m ? " + " : "", m ? m : "");
		ocf_session_free(st.dev, id);
		st.live_sessions--;
		s = Session{};
		return -EOPNOTSUPP;
	}
	debug("OCF session %u: %s%s%s%s", id, c ? c : "", c && m ? " + " : "", m ? m : "",
	      params.flags & OCF_SESSION_MAC_THEN_CIPHER ? " (MAC then cipher)" : "");
	return 0;
}

// What a request's status holds until OCF writes it: no errno, and not 0.
constexpr std::int32_t kNotRun = 1;

// After a request that OCF did not run: whether the descriptor is still
// ours. If not, the device is dropped (reopened at the next use) and the
// request's sessions with it.
bool still_ours(ocf_device *d)
{
	FileState f = check_file(d);
	if (f == FileState::Ours)
		return true;
	State &st = state();
	std::lock_guard lock(st.mu);
	if (st.dev == d)
		drop(st, f);
	g_snap.next_due.store(0, std::memory_order_relaxed);
	return false;
}

int run(const Session &s, ocf_op &op)
{
	// No system call but the ioctl (see the rules at the top): the
	// generation says the session is of this process's current file.
	ocf_device *d = g_dev.load(std::memory_order_acquire);
	if (!d || s.gen == 0 || s.gen != g_gen.load(std::memory_order_acquire))
		return -ESTALE;
	if (s.max_len && op.len > s.max_len)
		return -E2BIG;
	op.session = s.id;
	op.status = kNotRun;
	int r = ocf_run(d, &op, 1);
	if (r != 1 || op.status == kNotRun) {
		if (!still_ours(d))
			return -ESTALE;
		return r < 0 ? r : -EPROTO;
	}
	if (op.status == -E2BIG || op.status == -ENODEV || op.status == -ENOENT) {
		State &st = state();
		std::lock_guard lock(st.mu);
		if (st.gen == s.gen) {
			if (op.status == -E2BIG && st.op_limit > 4096) {
				st.op_limit /= 2;
				if (st.caps.max_len > st.op_limit)
					st.caps.max_len = st.op_limit;
			}
			st.next_refresh = 0;
			g_snap.next_due.store(0, std::memory_order_relaxed);
		}
		debug("OCF request failed: %s", ocf_strerror(op.status));
	}
	return op.status;
}

ocf_device *kop_device()
{
	// A key operation costs a thousand requests: it keeps its fstat.
	ocf_device *d = g_dev.load(std::memory_order_acquire);
	return d && still_ours(d) ? d : nullptr;
}

namespace {
std::atomic<unsigned long> g_kop_faults{ 0 };
} // namespace

void kop_fault()
{
	g_kop_faults.fetch_add(1, std::memory_order_relaxed);
}

unsigned long kop_faults()
{
	return g_kop_faults.load(std::memory_order_relaxed);
}

void kop_failed(int err)
{
	if (err != -ENODEV && err != -EOPNOTSUPP)
		return;
	State &st = state();
	std::lock_guard lock(st.mu);
	st.next_refresh = 0;
	g_snap.next_due.store(0, std::memory_order_relaxed);
}

// What /dev/ocf answers before a producer touched the data
// (kernel/include/uapi/linux/ocf.h, chardev.c, dispatch.c):
// - the batch (ioctl) itself: -EFAULT, -EINVAL, -E2BIG, -ENOMEM, -ENOTTY,
//   -EBADF (the descriptor), the in-flight limit (-ENOSPC, -EAGAIN);
// - an operation: -EINVAL (region, length), -ENOENT (session), -E2BIG (op
//   limit), -EFAULT (pinning the buffers), -ENOMEM, -ENODEV (no capable
//   producer left: a hot-removed one whose sessions could not move);
// - a producer refusing before it starts: -EBUSY, -EOPNOTSUPP;
// - ours: -ESTALE (the session is not of this process's file).
// Not among them: -EBADMSG (a verdict), -EIO and -ETIMEDOUT (a chip failed
// during the request: an in-place buffer may hold anything).
bool data_untouched(int err)
{
	switch (-err) {
	case ESTALE:
	case EINVAL:
	case ENOENT:
	case E2BIG:
	case ENOSPC:
	case EAGAIN:
	case EBUSY:
	case ENODEV:
	case ENOTTY:
	case EBADF:
	case EOPNOTSUPP:
	case EFAULT:
	case ENOMEM:
		return true;
	default:
		return false;
	}
}

void release_if_unused()
{
	State &s = state();
	std::lock_guard lock(s.mu);
	if (!s.dev || s.pid != getpid() || s.live_sessions)
		return;
	ocf_device_close(s.dev);
	forget(s, s.pid);	// reopened when a context asks again
	g_snap.next_due.store(0, std::memory_order_relaxed);
	debug("/dev/ocf closed: nothing here uses it");
}

void shutdown()
{
	State &s = state();
	std::lock_guard lock(s.mu);
	if (s.dev && s.pid == getpid())
		ocf_device_close(s.dev);
	s.dev = nullptr;
	s.gen++;
	g_dev.store(nullptr);
	g_gen.store(s.gen);
}

} // namespace ocfprov::dev
