// io_uring on /dev/ocf (IORING_OP_URING_CMD, struct ocf_uring_op): the same
// results as OpenSSL, 10,000 ops in flight from threads, rings, files and
// processes going away with ops in flight, bad SQEs, and an unprivileged
// user held to the ioctls' limits.
#include "helpers.hpp"

#include <catch2/catch.hpp>

#include <liburing.h>
#include <ocf/ocf.hpp>

#include <algorithm>
#include <array>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <deque>
#include <span>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/uio.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

using namespace ocft;
using namespace std::chrono_literals;

namespace {

// A ring of @entries SQEs (128-byte ones unless @flags says otherwise).
class ring {
public:
	explicit ring(unsigned entries, unsigned flags = IORING_SETUP_SQE128)
	{
		int ret = io_uring_queue_init(entries, &r_, flags);
		if (ret < 0)
			throw std::runtime_error("io_uring_queue_init: " + errname(ret));
		open_ = true;
	}
	~ring() { close(); }
	ring(const ring &) = delete;
	ring &operator=(const ring &) = delete;

	void close() noexcept
	{
		if (open_)
			io_uring_queue_exit(&r_);
		open_ = false;
	}

	// An SQE for @uo on @fd; false when the SQ is full.
	bool prep(int fd, const ocf_uring_op &uo, std::uint64_t user_data,
		  std::uint32_t cmd_op = OCF_URING_OP, std::uint32_t cmd_flags = 0,
		  std::uint16_t buf_index = 0)
	{
		io_uring_sqe *sqe = io_uring_get_sqe(&r_);
		if (!sqe)
			return false;
		io_uring_prep_rw(IORING_OP_URING_CMD, sqe, fd, nullptr, 0, 0);
		sqe->cmd_op = cmd_op;
		sqe->uring_cmd_flags = cmd_flags;
		sqe->buf_index = buf_index;
		// A 64-byte SQE has 16 bytes of command area; the rest is the next SQE.
		std::size_t room = (r_.flags & IORING_SETUP_SQE128) ? sizeof(uo) : 16;
		std::memcpy(sqe->cmd, &uo, room);
		io_uring_sqe_set_data64(sqe, user_data);
		return true;
	}

	int submit() { return io_uring_submit(&r_); }

	// Up to @n CQEs, waiting up to @timeout_ms for each; (user_data, res).
	std::vector<std::pair<std::uint64_t, int>> reap(std::size_t n, int timeout_ms = 60000)
	{
		std::vector<std::pair<std::uint64_t, int>> out;
		while (out.size() < n) {
			io_uring_cqe *cqe = nullptr;
			__kernel_timespec ts{timeout_ms / 1000, (timeout_ms % 1000) * 1000000ll};
			if (io_uring_wait_cqe_timeout(&r_, &cqe, &ts) < 0 || !cqe)
				break;
			out.emplace_back(cqe->user_data, cqe->res);
			io_uring_cqe_seen(&r_, cqe);
		}
		return out;
	}

	unsigned ready() { return io_uring_cq_ready(&r_); }

	int register_buffer(void *p, std::size_t len)
	{
		iovec iov{p, len};
		return io_uring_register_buffers(&r_, &iov, 1);
	}

	int unregister_buffers() { return io_uring_unregister_buffers(&r_); }

	// io_uring's own write of @n bytes of registered buffer 0 at @p to @fd:
	// what the registered pages hold, whatever is mapped at @p now.
	int write_fixed(int fd, const void *p, unsigned n, std::uint64_t off)
	{
		io_uring_sqe *sqe = io_uring_get_sqe(&r_);
		if (!sqe)
			return -EBUSY;
		io_uring_prep_write_fixed(sqe, fd, p, n, off, 0);
		io_uring_sqe_set_data64(sqe, 0);
		if (io_uring_submit(&r_) != 1)
			return -EIO;
		io_uring_cqe *cqe = nullptr;
		int ret = io_uring_wait_cqe(&r_, &cqe);
		if (ret < 0)
			return ret;
		ret = cqe->res;
		io_uring_cqe_seen(&r_, cqe);
		return ret;
	}

private:
	io_uring r_{};
	bool open_ = false;
};

ocf_uring_op to_uring(const ocf_op &op)
{
	ocf_uring_op uo{};
	uo.session = op.session;
	uo.op = op.op;
	uo.flags = op.flags;
	uo.len = op.len;
	uo.src = op.src;
	uo.dst = op.dst;
	uo.iv = op.iv;
	uo.cipher_offset = op.cipher_offset;
	uo.cipher_len = op.cipher_len;
	uo.auth_offset = op.auth_offset;
	uo.auth_len = op.auth_len;
	uo.mac_offset = op.mac_offset;
	uo.iv_offset = op.iv_offset;
	return uo;
}

ocf_uring_op null_op(std::uint32_t session, const void *src, void *dst, std::uint32_t len)
{
	ocf_op op{};
	ocf_op_cipher(&op, session, OCF_OP_ENCRYPT, src, dst, len, nullptr);
	return to_uring(op);
}

// Runs @ops through @r, 128 at a time; each op's status goes into op.status.
void run_uring(ring &r, int fd, const std::vector<prepared_ptr> &ops)
{
	for (std::size_t at = 0; at < ops.size();) {
		std::size_t n = 0;
		while (at + n < ops.size() && n < 128 && r.prep(fd, to_uring(ops[at + n]->op), at + n))
			n++;
		REQUIRE(r.submit() == static_cast<int>(n));
		auto done = r.reap(n);
		REQUIRE(done.size() == n);
		for (auto [i, res] : done) {
			REQUIRE(i >= at);
			REQUIRE(i < at + n);
			ops[i]->op.status = res;
		}
		at += n;
	}
}

void check_statuses(const std::vector<prepared_ptr> &ops)
{
	for (const auto &p : ops) {
		INFO(p->describe());
		CHECK(p->check(p->op.status) == "");
	}
}

// Whether the running kernel lets io_uring cancel a command (6.7+).
bool uring_cancels()
{
	struct utsname u {};
	int major = 0, minor = 0;
	if (::uname(&u) || std::sscanf(u.release, "%d.%d", &major, &minor) != 2)
		throw std::runtime_error("uname");
	return major > 6 || (major == 6 && minor >= 7);
}

std::uint32_t null0_id(device &dev)
{
	auto p = producer_named(dev, "null0");
	if (!p)
		throw std::runtime_error("no producer null0");
	return p->id;
}

std::uint64_t null0_in_flight(device &dev)
{
	auto p = producer_named(dev, "null0");
	return p ? p->stats.in_flight : 0;
}

// Sessions of every file that process @pid opened.
std::size_t sessions_of(device &dev, pid_t pid)
{
	std::size_t n = 0;
	for (const auto &s : sessions(dev, OCF_LIST_ALL))
		n += s.owner_pid == static_cast<std::uint32_t>(pid);
	return n;
}

// A null session on null0, which answers -EBUSY while busy_every is 1: its
// ops stay in flight until the test lets them go.
std::uint32_t held_session(device &dev, std::uint32_t null0)
{
	struct ocf_session_new sn {};
	sn.size = sizeof(sn);
	sn.cipher = OCF_CIPHER_NULL;
	sn.producer = null0;
	if (xioctl(dev.fd(), OCF_IOC_SESSION_NEW, &sn))
		throw std::runtime_error("SESSION_NEW on null0 failed");
	return sn.session;
}

// 64 ops: even ones 64 bytes (copied), odd ones 16 KiB out of place (pinned).
struct held_ops {
	std::vector<bytes> src, dst;
	explicit held_ops(std::size_t n = 64)
	{
		for (std::size_t i = 0; i < n; i++) {
			std::size_t len = i % 2 ? 16384 : 64;
			src.emplace_back(len, static_cast<std::uint8_t>(i + 1));
			dst.emplace_back(len, 0);
		}
	}
	std::size_t submit(ring &r, int fd, std::uint32_t session)
	{
		for (std::size_t i = 0; i < src.size(); i++)
			if (!r.prep(fd, null_op(session, src[i].data(), dst[i].data(),
						static_cast<std::uint32_t>(src[i].size())),
				    i))
				return 0;
		return static_cast<std::size_t>(r.submit());
	}
};

} // namespace

TEST_CASE("io_uring: every algorithm matches OpenSSL at every size, both ways, at odd addresses",
	  "[uring][differential]")
{
	OCFT_SEED_INFO();
	for (const alg &a : all_algs()) {
		DYNAMIC_SECTION(a.name)
		{
			device dev;
			ring r(256);
			auto rng = make_rng("uring differential " + a.name);
			session probe(dev, a, random_keys(a, rng));
			const std::uint32_t max_len = max_len_for(dev, probe.producer());
			const bool has_aad = a.kind() == mode::aead || a.kind() == mode::chain;
			const std::uint32_t aad = has_aad ? 13 : 0;
			auto sizes = text_sizes(a, aad, max_len);
			REQUIRE(sizes.size() >= 5);
			std::vector<std::unique_ptr<session>> sessions;
			std::deque<vector_case> cases;
			for (std::uint32_t size : sizes) {
				keys k = random_keys(a, rng);
				sessions.push_back(std::make_unique<session>(dev, a, k));
				cases.push_back(make_case(a, k, rng, size, aad));
			}
			// In place at an odd address, and out of place between odd ones.
			for (const placement &where : {placements()[0], placements()[3]})
				for (std::uint32_t dir : {OCF_OP_ENCRYPT, OCF_OP_DECRYPT}) {
					std::vector<prepared_ptr> ops;
					for (std::size_t i = 0; i < cases.size(); i++)
						ops.push_back(prepare(cases[i], sessions[i]->id(), dir, where, i));
					run_uring(r, dev.fd(), ops);
					check_statuses(ops);
				}
			if (a.tag_len()) {
				// A flipped MAC/tag bit: -EBADMSG in the CQE, no plaintext out.
				std::vector<prepared_ptr> ops;
				for (std::size_t i = 0; i < cases.size(); i++) {
					const vector_case &vc = cases[i];
					std::uint32_t at = vc.lay.mac_offset() + random_below(rng, vc.lay.tag);
					ops.push_back(prepare_tampered(vc, sessions[i]->id(), placements()[3], at,
								       static_cast<std::uint8_t>(random_below(rng, 8))));
				}
				run_uring(r, dev.fd(), ops);
				check_statuses(ops);
				for (const auto &p : ops) {
					INFO(p->describe());
					CHECK(check_no_plaintext(*p) == "");
				}
			}
		}
	}
}

TEST_CASE("io_uring: 10,000 ops in flight from four threads complete once each, right", "[uring]")
{
	constexpr std::size_t threads = 4, per_thread = 2500;
	device dev;
	std::uint32_t null0 = null0_id(dev);
	param_override file_cap(std::string(ocf_params) + "max_in_flight", "16384");
	param_override uring_cap(std::string(ocf_params) + "max_uring_in_flight", "16384");
	auto busy = std::make_unique<param_override>(std::string(null_params) + "busy_every", "1");
	std::uint32_t sid = held_session(dev, null0);

	std::atomic<std::size_t> submitted{0}, checked{0};
	std::atomic<bool> check{false}, release{false};
	std::vector<std::string> errors(threads);
	std::vector<unsigned> early(threads);
	std::vector<std::thread> pool;
	for (std::size_t t = 0; t < threads; t++)
		pool.emplace_back([&, t] {
			auto wait_for = [](const std::atomic<bool> &flag) {
				while (!flag)
					std::this_thread::sleep_for(10ms);
			};
			try {
				ring r(4096);
				// Every tenth op is 8 KiB (pinned), the others 64 bytes (copied).
				std::vector<bytes> src, dst;
				int n = 0;
				for (std::size_t i = 0; i < per_thread; i++) {
					std::size_t len = i % 10 ? 64 : 8192;
					src.emplace_back(len, static_cast<std::uint8_t>(t * 31 + i));
					dst.emplace_back(len, 0);
					if (!r.prep(dev.fd(),
						    null_op(sid, src[i].data(), dst[i].data(),
							    static_cast<std::uint32_t>(len)),
						    i))
						errors[t] = "SQ full";
				}
				if (errors[t].empty())
					n = r.submit();
				submitted += per_thread;
				if (n != static_cast<int>(per_thread) && errors[t].empty())
					errors[t] = "submitted " + std::to_string(n);
				wait_for(check);
				early[t] = r.ready();
				checked++;
				wait_for(release);
				if (!errors[t].empty())
					return;
				auto done = r.reap(per_thread);
				std::vector<int> seen(per_thread);
				for (auto [i, res] : done) {
					if (i >= per_thread || seen[i]++ || res != 0 || dst[i] != src[i]) {
						errors[t] = "op " + std::to_string(i) + ": res " + errname(res) +
							    (i < per_thread && dst[i] != src[i] ? ", wrong output" : "");
						return;
					}
				}
				if (done.size() != per_thread)
					errors[t] = "reaped " + std::to_string(done.size());
				else if (r.ready())
					errors[t] = "more CQEs than ops";
			} catch (const std::exception &e) {
				errors[t] = e.what();
				submitted += per_thread;
				checked++;
			}
		});
	while (submitted < threads * per_thread)
		std::this_thread::sleep_for(10ms);
	// Nothing can complete while null0 refuses everything: all 10,000 are in flight.
	std::this_thread::sleep_for(500ms);
	check = true;
	while (checked < threads)
		std::this_thread::sleep_for(10ms);
	busy.reset();
	release = true;
	for (auto &th : pool)
		th.join();
	for (std::size_t t = 0; t < threads; t++) {
		INFO("thread " << t);
		CHECK(errors[t] == "");
		CHECK(early[t] == 0); // no CQE before the producer was let go
	}
	CHECK(eventually([&] { return null0_in_flight(dev) == 0; }, 20000));
}

TEST_CASE("io_uring: the ring and the file closed with ops in flight: they finish, then all is "
	  "released",
	  "[uring][teardown]")
{
	device probe;
	std::uint32_t null0 = null0_id(probe);
	long long pins0 = pins_outstanding();
	held_ops held;
	{
		param_override busy(std::string(null_params) + "busy_every", "1");
		auto dev = std::make_unique<device>();
		std::uint32_t sid = held_session(*dev, null0);
		ring r(64);
		REQUIRE(held.submit(r, dev->fd(), sid) == 64);
		r.close();
		dev->close();
		// Cancelled (6.7+) or not, the ops hold their pins. Before 6.7 their
		// requests keep the file open (its session still listed) until they
		// complete; from 6.7 the cancel lets the file be released at once,
		// and the orphaned ops hold only its state.
		std::this_thread::sleep_for(300ms);
		CHECK(sessions_of(probe, ::getpid()) == (uring_cancels() ? 0u : 1u));
		CHECK(pins_outstanding() - pins0 >= 32 * 2 * 4);
	}
	CHECK(eventually([&] { return sessions_of(probe, ::getpid()) == 0; }, 20000));
	CHECK(eventually([&] { return null0_in_flight(probe) == 0; }, 20000));
	CHECK(eventually([&] { return pins_outstanding() == pins0; }, 20000));
}

// Forks a child that puts 64 ops on null0 (which holds them while busy_every
// is set) through a ring of its own and then, with them in flight, does @then,
// which does not return. Returns the child's pid once its ops are in.
static pid_t fork_holding_ops(std::uint32_t null0, void (*then)())
{
	int up[2];
	REQUIRE(::pipe(up) == 0);
	std::fflush(nullptr);
	pid_t pid = ::fork();
	REQUIRE(pid >= 0);
	if (pid == 0) {
		::close(up[0]);
		char c = 'n';
		try {
			device dev;
			ring r(64);
			held_ops held;
			if (held.submit(r, dev.fd(), held_session(dev, null0)) == 64)
				c = 'y';
			(void)!::write(up[1], &c, 1);
			then();
		} catch (...) {
			(void)!::write(up[1], &c, 1);
		}
		::_exit(1);
	}
	::close(up[1]);
	char c = 0;
	REQUIRE(::read(up[0], &c, 1) == 1);
	::close(up[0]);
	CHECK(c == 'y');
	return pid;
}

TEST_CASE("io_uring: a process killed with ops in flight exits at once; they finish and release "
	  "everything",
	  "[uring][teardown]")
{
	device probe;
	std::uint32_t null0 = null0_id(probe);
	long long pins0 = pins_outstanding();
	auto busy = std::make_unique<param_override>(std::string(null_params) + "busy_every", "1");
	pid_t pid = fork_holding_ops(null0, [] {
		for (;;)
			::pause();
	});
	CHECK(sessions_of(probe, pid) == 1);
	REQUIRE(::kill(pid, SIGKILL) == 0);
	int st = 0;
	bool ended = eventually([&] { return ::waitpid(pid, &st, WNOHANG) == pid; }, 5000);
	CHECK(ended);
	CHECK((WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL));
	// Its ring and file are gone with it; the ops are not, until null0 lets go
	// (before 6.7 they keep the file open, so its session is still listed).
	CHECK(sessions_of(probe, pid) == (uring_cancels() ? 0u : 1u));
	CHECK(pins_outstanding() > pins0);
	busy.reset();
	if (!ended) {
		::kill(pid, SIGKILL);
		::waitpid(pid, &st, 0);
	}
	CHECK(eventually([&] { return sessions_of(probe, pid) == 0; }, 20000));
	CHECK(eventually([&] { return null0_in_flight(probe) == 0; }, 20000));
	CHECK(eventually([&] { return pins_outstanding() == pins0; }, 20000));
}

TEST_CASE("io_uring: from 6.7, exec cancels the task's ops at once; they finish and release "
	  "everything",
	  "[uring][teardown]")
{
	if (!uring_cancels()) {
		WARN("no io_uring cancel on this kernel: exec waits for the ops (docs/limits.md)");
		return;
	}
	device probe;
	std::uint32_t null0 = null0_id(probe);
	long long pins0 = pins_outstanding();
	auto busy = std::make_unique<param_override>(std::string(null_params) + "busy_every", "1");
	// Still held by null0: without a cancel this exec would wait for them.
	pid_t pid = fork_holding_ops(null0, [] {
		::execl("/bin/true", "true", static_cast<char *>(nullptr));
	});
	int st = 0;
	bool ended = eventually([&] { return ::waitpid(pid, &st, WNOHANG) == pid; }, 5000);
	CHECK(ended);
	CHECK((WIFEXITED(st) && WEXITSTATUS(st) == 0));
	// Orphaned, not stopped: they still hold their pins until null0 lets go.
	CHECK(pins_outstanding() > pins0);
	busy.reset();
	if (!ended)
		::waitpid(pid, &st, 0);
	CHECK(eventually([&] { return null0_in_flight(probe) == 0; }, 20000));
	CHECK(eventually([&] { return pins_outstanding() == pins0; }, 20000));
}

TEST_CASE("io_uring: bad SQEs get the documented errors", "[uring][bad_input]")
{
	device dev;
	const alg &a = find_alg("aes-128-cbc");
	auto rng = make_rng("uring bad sqe");
	session s(dev, a, random_keys(a, rng));
	buffer buf(64, 1);
	bytes iv(16, 7);
	ocf_op op{};
	ocf_op_cipher(&op, s.id(), OCF_OP_ENCRYPT, buf.data(), nullptr, 64, iv.data());
	const ocf_uring_op good = to_uring(op);

	auto one = [&](ring &r, const ocf_uring_op &uo, std::uint32_t cmd_op = OCF_URING_OP,
		       std::uint32_t cmd_flags = 0, std::uint16_t buf_index = 0) {
		REQUIRE(r.prep(dev.fd(), uo, 77, cmd_op, cmd_flags, buf_index));
		REQUIRE(r.submit() == 1);
		auto done = r.reap(1, 10000);
		REQUIRE(done.size() == 1);
		CHECK(done[0].first == 77);
		return done[0].second;
	};

	ring r(8);
	CHECK(one(r, good) == 0);
	CHECK(one(r, good, OCF_IOC_RUN) == -ENOTTY);
	CHECK(one(r, good, OCF_URING_OP + 1) == -ENOTTY);
	for (std::size_t i = 0; i < 2; i++) {
		ocf_uring_op uo = good;
		uo.reserved[i] = 1;
		CHECK(one(r, uo) == -EINVAL);
	}
	ocf_uring_op uo = good;
	uo.cipher_len = 63; // not a block multiple
	CHECK(one(r, uo) == -EINVAL);
	uo = good;
	uo.cipher_offset = 16; // past len
	CHECK(one(r, uo) == -EINVAL);
	uo = good;
	uo.flags = 0x80;
	CHECK(one(r, uo) == -EINVAL);
	uo = good;
	uo.op = 9;
	CHECK(one(r, uo) == -EINVAL);
	uo = good;
	uo.session = s.id() + 1000;
	CHECK(one(r, uo) == -ENOENT);
	uo = good;
	uo.len = static_cast<std::uint32_t>(ocf_param("max_op_len")) + 16;
	uo.cipher_len = uo.len;
	CHECK(one(r, uo) == -E2BIG);
	bad_pages bad;
	uo = good;
	uo.src = uptr(bad.none());
	CHECK(one(r, uo) == -EFAULT);
	uo = good;
	uo.iv = bad_pages::kernel_address();
	CHECK(one(r, uo) == -EFAULT);
	uo = good;
	uo.dst = uptr(bad.ro());
	CHECK(one(r, uo) == -EFAULT);
	// A registered buffer: the op must lie in the one the SQE names.
	REQUIRE(r.register_buffer(buf.data(), 64) == 0);
	CHECK(one(r, good, OCF_URING_OP, IORING_URING_CMD_FIXED) == 0);
	CHECK(one(r, good, OCF_URING_OP, IORING_URING_CMD_FIXED, 1) == -EFAULT);
	buffer outside(64, 1);
	uo = good;
	uo.src = uptr(outside.data());
	CHECK(one(r, uo, OCF_URING_OP, IORING_URING_CMD_FIXED) == -EFAULT);
	uo = good;
	uo.dst = uptr(outside.data());
	CHECK(one(r, uo, OCF_URING_OP, IORING_URING_CMD_FIXED) == -EFAULT);
	uo = good;
	uo.len = 65; // one byte past the registered buffer's end
	uo.cipher_len = 64;
	CHECK(one(r, uo, OCF_URING_OP, IORING_URING_CMD_FIXED) == -EFAULT);
	CHECK(one(r, uo) == 0); // the same op without the flag is fine
	uo = ocf_uring_op{};
	uo.op = OCF_OP_KEY;
	CHECK(one(r, uo, OCF_URING_OP, IORING_URING_CMD_FIXED) ==
	      (uring_cancels() ? -EINVAL : -EOPNOTSUPP));
	// Without a cancel (before 6.7) a key op could hold a ring's teardown for long.
	ocf_kop kop{};
	uo = ocf_uring_op{};
	uo.op = OCF_OP_KEY;
	uo.src = uptr(&kop);
	if (!uring_cancels())
		CHECK(one(r, uo) == -EOPNOTSUPP);
	// A 64-byte SQE has no room for the op.
	ring small(8, 0);
	REQUIRE(small.prep(dev.fd(), good, 77));
	REQUIRE(small.submit() == 1);
	auto done = small.reap(1, 10000);
	REQUIRE(done.size() == 1);
	CHECK(done[0].second == -EINVAL);
	// After all that, the file still works.
	CHECK(one(r, good) == 0);
}

TEST_CASE("io_uring: before 6.7, a file has at most max_uring_in_flight ops in flight",
	  "[uring][limits]")
{
	if (uring_cancels()) {
		WARN("io_uring can cancel on this kernel: the cap is not applied");
		return;
	}
	device dev;
	std::uint32_t null0 = null0_id(dev);
	param_override cap(std::string(ocf_params) + "max_uring_in_flight", "32");
	auto busy = std::make_unique<param_override>(std::string(null_params) + "busy_every", "1");
	std::uint32_t sid = held_session(dev, null0);
	ring r(64);
	static std::uint8_t src[40][64], dst[40][64];
	for (std::size_t i = 0; i < 40; i++)
		REQUIRE(r.prep(dev.fd(), null_op(sid, src[i], dst[i], 64), i));
	REQUIRE(r.submit() == 40);
	auto refused = r.reap(8, 10000);
	REQUIRE(refused.size() == 8);
	for (auto [i, res] : refused) {
		CHECK(i >= 32);
		CHECK(res == -EAGAIN);
	}
	std::this_thread::sleep_for(300ms);
	CHECK(r.ready() == 0);
	CHECK(null0_in_flight(dev) == 32);
	busy.reset();
	auto rest = r.reap(32);
	CHECK(rest.size() == 32);
	for (auto [i, res] : rest)
		CHECK(res == 0);
	CHECK(eventually([&] { return null0_in_flight(dev) == 0; }, 20000));
}

TEST_CASE("io_uring: an unprivileged user is held to the ioctls' limits", "[uring][limits]")
{
	device probe;
	std::uint32_t null0 = null0_id(probe);

	SECTION("operations in flight per user, across files")
	{
		param_override cap(std::string(ocf_params) + "max_user_in_flight", "64");
		auto busy = std::make_unique<param_override>(std::string(null_params) + "busy_every",
							     "1");
		auto child = run_child_paused(
			[null0](const child_sync &sync) -> std::string {
				std::string e = drop_to_nobody();
				if (!e.empty())
					return e;
				device d1, d2;
				std::uint32_t s1 = held_session(d1, null0), s2 = held_session(d2, null0);
				ring r(128);
				static std::uint8_t src[80][64], dst[80][64];
				for (std::size_t i = 0; i < 80; i++) {
					bool first = i < 40;
					CHILD_EXPECT(r.prep(first ? d1.fd() : d2.fd(),
							    null_op(first ? s1 : s2, src[i], dst[i], 64), i));
				}
				CHILD_EXPECT(r.submit() == 80);
				// The 16 past the limit complete at once with -EAGAIN.
				auto refused = r.reap(16, 10000);
				CHILD_EXPECT(refused.size() == 16);
				for (auto [i, res] : refused)
					CHILD_EXPECT(res == -EAGAIN);
				std::this_thread::sleep_for(300ms);
				CHILD_EXPECT(r.ready() == 0);
				sync.notify();
				sync.wait();
				auto rest = r.reap(64);
				CHILD_EXPECT(rest.size() == 64);
				for (auto [i, res] : rest)
					CHILD_EXPECT(res == 0);
				return "";
			},
			[&](pid_t) { busy.reset(); });
		CHECK(child.paused);
		CHECK(child.output == "");
		CHECK(child.ok());
	}

	SECTION("pinned pages stop at RLIMIT_MEMLOCK")
	{
		auto busy = std::make_unique<param_override>(std::string(null_params) + "busy_every",
							     "1");
		auto child = run_child_paused(
			[null0](const child_sync &sync) -> std::string {
				std::string e = drop_to_nobody(256 * 1024);
				if (!e.empty())
					return e;
				device dev;
				std::uint32_t sid = held_session(dev, null0);
				ring r(16);
				alignas(4096) static std::uint8_t bufs[16][65536];
				for (std::size_t i = 0; i < 16; i++)
					CHILD_EXPECT(r.prep(dev.fd(), null_op(sid, bufs[i], nullptr, 65536), i));
				CHILD_EXPECT(r.submit() == 16);
				// Those past the limit (16 pages each: 4 fit) fail at once; the
				// others wait for null0.
				auto refused = r.reap(16, 2000);
				CHILD_EXPECT(refused.size() == 12);
				for (auto [i, res] : refused)
					CHILD_EXPECT(res == -ENOMEM);
				sync.notify();
				sync.wait();
				auto rest = r.reap(4);
				CHILD_EXPECT(rest.size() == 4);
				for (auto [i, res] : rest)
					CHILD_EXPECT(res == 0);
				return "";
			},
			[&](pid_t) { busy.reset(); });
		CHECK(child.paused);
		CHECK(child.output == "");
		CHECK(child.ok());
	}
	CHECK(eventually([&] { return null0_in_flight(probe) == 0; }, 20000));
}

namespace {

// Anonymous memory for registered buffers, unmapped when destroyed (unless
// a test unmaps it first).
struct mapping {
	std::uint8_t *p = nullptr;
	std::size_t len = 0;
	explicit mapping(std::size_t n) : len(n)
	{
		void *m = ::mmap(nullptr, n, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
				 -1, 0);
		if (m == MAP_FAILED)
			throw std::runtime_error("mmap");
		p = static_cast<std::uint8_t *>(m);
	}
	~mapping() { unmap(); }
	mapping(const mapping &) = delete;
	mapping &operator=(const mapping &) = delete;
	void unmap() noexcept
	{
		if (p)
			::munmap(p, len);
		p = nullptr;
	}
	std::span<std::byte> bytes_at(std::size_t off, std::size_t n) const
	{
		return {reinterpret_cast<std::byte *>(p + off), n};
	}
};

} // namespace

TEST_CASE("io_uring: ops in a registered buffer match OpenSSL and pin no pages of their own",
	  "[uring][fixed][libocf]")
{
	OCFT_SEED_INFO();
	auto rng = make_rng("uring fixed");
	ocf::device d;
	ocf_version v{};
	v.size = sizeof(v);
	REQUIRE(xioctl(d.fd(), OCF_IOC_VERSION, &v) == 0);
	// Every kernel the project supports has registered buffers for commands.
	REQUIRE((v.features & OCF_FEATURE_URING_FIXED));
	const std::size_t max_len = static_cast<std::size_t>(ocf_param("max_op_len"));
	// Two registered buffers; each op's input and output lie in one.
	mapping first(2 * max_len + 8192), second(256 * 1024);
	const std::array<std::span<std::byte>, 2> regs{first.bytes_at(0, first.len),
							second.bytes_at(0, second.len)};
	ocf::ring r(d, 16);
	r.register_buffers(regs);

	struct one_op {
		std::uint32_t cipher;
		bytes key, iv, plain;
		bool in_place;
		unsigned index;
		std::size_t src_off, dst_off;
	};
	std::vector<one_op> ops;
	const std::array<std::pair<std::uint32_t, std::size_t>, 3> ciphers{
		{{OCF_CIPHER_AES_CBC, 16}, {OCF_CIPHER_AES_CTR, 32}, {OCF_CIPHER_3DES_CBC, 24}}};
	for (auto [cipher, key_len] : ciphers)
		for (std::size_t len : {16ul, 4096ul, 4112ul, 65536ul, 200016ul, max_len})
			for (bool in_place : {true, false}) {
				one_op o{cipher, random_bytes(rng, key_len),
					 random_bytes(rng, 16), random_bytes(rng, len), in_place,
					 len <= 100000 ? static_cast<unsigned>(ops.size() % 2) : 0u, 0, 0};
				if (cipher == OCF_CIPHER_3DES_CBC)
					o.iv.resize(8);
				// Odd addresses, and outputs that start mid-page.
				o.src_off = 1 + random_below(rng, 4000);
				o.dst_off = o.in_place ? o.src_off
						       : (o.index ? 131072 : max_len + 4096) + 3 +
								 random_below(rng, 1000);
				ops.push_back(std::move(o));
			}

	const long long pins_before = pins_outstanding();
	unsigned long long acquired_before = vmstat("nr_foll_pin_acquired");
	std::size_t pinning = 0; // ops over 4 KiB: those that would pin without the buffer
	for (std::size_t i = 0; i < ops.size(); i++) {
		const one_op &o = ops[i];
		INFO("op " << i << ": cipher " << o.cipher << ", " << o.plain.size() << " bytes, "
			   << (o.in_place ? "in place" : "out of place") << ", buffer " << o.index);
		const mapping &m = o.index ? second : first;
		std::memcpy(m.p + o.src_off, o.plain.data(), o.plain.size());
		ocf::session s(d, {.cipher = o.cipher, .cipher_key = std::as_bytes(std::span(o.key))});
		ocf_op op{};
		ocf_op_cipher(&op, s.id(), OCF_OP_ENCRYPT, m.p + o.src_off,
			      o.in_place ? nullptr : m.p + o.dst_off,
			      static_cast<std::uint32_t>(o.plain.size()), o.iv.data());
		op.tag = i;
		REQUIRE(r.prep_fixed(op, o.index));
		REQUIRE(r.submit() == 1);
		auto done = r.reap(1, 1);
		REQUIRE(done.size() == 1);
		CHECK(done[0].tag == i);
		CHECK(!done[0].status);
		const bytes want = ref_cipher(o.cipher, o.key, o.iv, o.plain.data(), o.plain.size(), true);
		CHECK(diff(m.p + o.dst_off, want) == "");
		pinning += o.plain.size() > 4096;
	}
	REQUIRE(pinning > 20);
	// Registration pinned the pages once; the ops took none of their own.
	CHECK(vmstat("nr_foll_pin_acquired") == acquired_before);
	CHECK(pins_outstanding() == pins_before);

	// The counter would have seen them: the same large op without the flag pins.
	{
		ocf::session s(d, {.cipher = OCF_CIPHER_AES_CBC,
				   .cipher_key = std::as_bytes(std::span(ops[0].key))});
		ocf_op op{};
		ocf_op_cipher(&op, s.id(), OCF_OP_ENCRYPT, first.p + 1, nullptr, 65536,
			      ops[0].iv.data());
		REQUIRE(r.prep(op));
		REQUIRE(r.submit() == 1);
		auto done = r.reap(1, 1);
		REQUIRE(done.size() == 1);
		CHECK(!done[0].status);
		CHECK(vmstat("nr_foll_pin_acquired") > acquired_before);
	}
	r.unregister_buffers();
	ocf_op op{};
	CHECK_THROWS_AS(r.prep_fixed(op, 1u << 16), std::invalid_argument);
}

TEST_CASE("io_uring: registered buffers unregistered, unmapped and their ring closed with ops in "
	  "flight: the ops finish, then all is released",
	  "[uring][fixed][hostile]")
{
	device dev;
	const std::uint32_t null0 = null0_id(dev);
	const long long pins_before = pins_outstanding();
	const std::size_t n = 8, len = 65536;

	SECTION("unregistered: the ops finish on the buffer and their output is right")
	{
		mapping m(2 * n * len);
		auto busy = std::make_unique<param_override>(std::string(null_params) + "busy_every", "1");
		std::uint32_t sid = held_session(dev, null0);
		ring r(16);
		REQUIRE(r.register_buffer(m.p, m.len) == 0);
		for (std::size_t i = 0; i < n; i++) {
			std::memset(m.p + i * len, static_cast<int>(i + 1), len);
			REQUIRE(r.prep(dev.fd(), null_op(sid, m.p + i * len, m.p + (n + i) * len, len), i,
				       OCF_URING_OP, IORING_URING_CMD_FIXED));
		}
		REQUIRE(r.submit() == static_cast<int>(n));
		CHECK(eventually([&] { return null0_in_flight(dev) == n; }, 10000));
		// On some kernels this waits for the ops; on others it returns at once.
		std::atomic<int> unregistered{1};
		std::thread t([&] { unregistered = r.unregister_buffers(); });
		std::this_thread::sleep_for(200ms);
		busy.reset();
		t.join();
		CHECK(unregistered == 0);
		auto done = r.reap(n);
		REQUIRE(done.size() == n);
		for (auto [i, res] : done) {
			INFO("op " << i);
			CHECK(res == 0);
			CHECK(std::count(m.p + (n + i) * len, m.p + (n + i + 1) * len,
					 static_cast<std::uint8_t>(i + 1)) == static_cast<long>(len));
		}
	}
	SECTION("unmapped and the ring closed: closing returns while the ops are held; they finish")
	{
		auto m = std::make_unique<mapping>(2 * n * len);
		auto busy = std::make_unique<param_override>(std::string(null_params) + "busy_every", "1");
		std::uint32_t sid = held_session(dev, null0);
		auto r = std::make_unique<ring>(16);
		REQUIRE(r->register_buffer(m->p, m->len) == 0);
		for (std::size_t i = 0; i < n; i++)
			REQUIRE(r->prep(dev.fd(), null_op(sid, m->p + i * len, m->p + (n + i) * len, len),
					i, OCF_URING_OP, IORING_URING_CMD_FIXED));
		REQUIRE(r->submit() == static_cast<int>(n));
		CHECK(eventually([&] { return null0_in_flight(dev) == n; }, 10000));
		m.reset(); // the pages stay pinned by the registration
		// io_uring's teardown waits for the ops in a worker, not here.
		auto start = std::chrono::steady_clock::now();
		r.reset();
		CHECK(std::chrono::steady_clock::now() - start < 5s);
		CHECK(null0_in_flight(dev) == n);
		busy.reset();
	}
	CHECK(eventually([&] { return null0_in_flight(dev) == 0; }, 20000));
	CHECK(eventually([&] { return pins_outstanding() == pins_before; }, 20000));
}

TEST_CASE("io_uring: ops on a registered buffer use its pages, whatever is mapped at its "
	  "addresses later",
	  "[uring][fixed]")
{
	device dev;
	std::uint32_t sid = held_session(dev, null0_id(dev)); // null: output = input
	const std::size_t big = 65536, small = 64;
	// Big input, big output, small input, small output.
	const std::array<std::size_t, 4> at{0, big, 2 * big, 2 * big + 4096};
	mapping m(2 * big + 8192);
	std::memset(m.p + at[0], 0x11, big);
	std::memset(m.p + at[1], 0, big);
	std::memset(m.p + at[2], 0x22, small);
	std::memset(m.p + at[3], 0, small);
	ring r(8);
	REQUIRE(r.register_buffer(m.p, m.len) == 0);
	// New pages at the same addresses: inputs 0xee, outputs zero.
	REQUIRE(::mmap(m.p, m.len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED,
		       -1, 0) == m.p);
	std::memset(m.p + at[0], 0xee, big);
	std::memset(m.p + at[2], 0xee, small);
	REQUIRE(r.prep(dev.fd(), null_op(sid, m.p + at[0], m.p + at[1], big), 1, OCF_URING_OP,
		       IORING_URING_CMD_FIXED));
	REQUIRE(r.prep(dev.fd(), null_op(sid, m.p + at[2], m.p + at[3], small), 2, OCF_URING_OP,
		       IORING_URING_CMD_FIXED));
	REQUIRE(r.submit() == 2);
	auto done = r.reap(2);
	REQUIRE(done.size() == 2);
	for (auto [tag, res] : done)
		CHECK(res == 0);
	// Nothing went through the new mapping...
	CHECK(std::count(m.p + at[1], m.p + at[1] + big, 0) == static_cast<long>(big));
	CHECK(std::count(m.p + at[3], m.p + at[3] + small, 0) == static_cast<long>(small));
	// ...and the registered pages hold the outputs, as io_uring's own write shows.
	int fd = ::memfd_create("ocf-fixed-out", 0);
	REQUIRE(fd >= 0);
	CHECK(r.write_fixed(fd, m.p + at[1], big, 0) == static_cast<int>(big));
	CHECK(r.write_fixed(fd, m.p + at[3], small, big) == static_cast<int>(small));
	bytes back(big + small);
	CHECK(::pread(fd, back.data(), back.size(), 0) == static_cast<ssize_t>(back.size()));
	::close(fd);
	CHECK(std::count(back.begin(), back.begin() + big, 0x11) == static_cast<long>(big));
	CHECK(std::count(back.begin() + big, back.end(), 0x22) == static_cast<long>(small));
}

TEST_CASE("io_uring: an unprivileged user's registered buffer counts against RLIMIT_MEMLOCK "
	  "once, not per op",
	  "[uring][fixed][limits]")
{
	device probe;
	const std::uint32_t null0 = null0_id(probe);
	auto child = run_child([null0]() -> std::string {
		// The registration takes 60 of the 64 pages allowed: a 64 KiB op
		// out of place (32 pages to pin, or 16 to copy) does not fit, but
		// runs on the buffer.
		std::string e = drop_to_nobody(256 * 1024);
		if (!e.empty())
			return e;
		device dev;
		std::uint32_t sid = held_session(dev, null0);
		const std::size_t len = 65536;
		mapping m(240 * 1024);
		ring r(4);
		CHILD_EXPECT(r.register_buffer(m.p, m.len) == 0);
		std::memset(m.p, 0x5a, len);
		std::memset(m.p + len, 0, len);
		CHILD_EXPECT(r.prep(dev.fd(), null_op(sid, m.p, m.p + len, len), 1));
		CHILD_EXPECT(r.prep(dev.fd(), null_op(sid, m.p, m.p + len, len), 2, OCF_URING_OP,
				    IORING_URING_CMD_FIXED));
		CHILD_EXPECT(r.submit() == 2);
		auto done = r.reap(2);
		CHILD_EXPECT(done.size() == 2);
		for (auto [tag, res] : done)
			CHILD_EXPECT(res == (tag == 1 ? -ENOMEM : 0));
		CHILD_EXPECT(std::count(m.p + len, m.p + 2 * len, std::uint8_t{0x5a}) ==
			     static_cast<long>(len));
		return "";
	});
	CHECK(child.output == "");
	CHECK(child.ok());
}

TEST_CASE("libocf's ring: prep, submit and reap through the C API and ocf::ring", "[uring][libocf]")
{
	OCFT_SEED_INFO();
	device dev;
	const alg &a = find_alg("aes-256-cbc+hmac-sha256 encrypt-then-mac");
	auto rng = make_rng("libocf ring");
	keys k = random_keys(a, rng);
	session s(dev, a, k);
	std::deque<vector_case> cases;
	for (std::uint32_t text : {0u, 16u, 64u, 4096u, 65536u})
		cases.push_back(make_case(a, k, rng, text, 13));

	for (std::uint32_t flags : {0u, OCF_RING_SQPOLL}) {
		INFO("flags " << flags);
		ocf_ring *r = nullptr;
		REQUIRE(ocf_ring_open(dev.get(), 4, flags, &r) == 0);
		std::vector<prepared_ptr> ops;
		for (std::size_t i = 0; i < cases.size(); i++)
			for (std::uint32_t dir : {OCF_OP_ENCRYPT, OCF_OP_DECRYPT})
				ops.push_back(prepare(cases[i], s.id(), dir, placements()[3], ops.size()));
		// Four slots: the fifth prep finds the queue full until a submit.
		std::size_t next = 0;
		while (next < ops.size()) {
			std::size_t queued = 0;
			int ret;
			while (next + queued < ops.size() &&
			       (ret = ocf_ring_prep(r, &ops[next + queued]->op)) == 0)
				queued++;
			if (next + queued < ops.size())
				CHECK(ret == -EBUSY);
			REQUIRE(ocf_ring_submit(r) == static_cast<int>(queued));
			std::vector<ocf_completion> done(queued);
			REQUIRE(ocf_ring_reap(r, done.data(), static_cast<unsigned>(queued),
					      static_cast<unsigned>(queued)) == static_cast<int>(queued));
			for (const auto &c : done) {
				REQUIRE(c.tag >= next);
				REQUIRE(c.tag < next + queued);
				ops[c.tag]->op.status = c.status;
			}
			next += queued;
		}
		check_statuses(ops);
		ocf_completion none{};
		CHECK(ocf_ring_reap(r, &none, 1, 0) == 0);
		ocf_op bad = ops[0]->op;
		bad.reserved[1] = 1;
		CHECK(ocf_ring_prep(r, &bad) == -EINVAL);
		ocf_ring_close(r);
	}
	ocf_ring *r = nullptr;
	CHECK(ocf_ring_open(dev.get(), 0, 0, &r) == -EINVAL);
	CHECK(ocf_ring_open(dev.get(), 8, 0x80, &r) == -EINVAL);
	CHECK(ocf_ring_open(nullptr, 8, 0, &r) == -EINVAL);
	CHECK(r == nullptr);
	ocf_ring_close(nullptr);
}

TEST_CASE("libocf's ring: close waits until the module has finished every submitted op",
	  "[uring][libocf]")
{
	device dev;
	std::uint32_t null0 = null0_id(dev);
	std::uint32_t sid = held_session(dev, null0);
	// One op per submit: under SQPOLL, liburing's submit answers with every
	// SQE its thread has not taken yet, and a ring that counted those would
	// wait in close for completions that never come.
	for (std::uint32_t flags : {0u, OCF_RING_SQPOLL}) {
		INFO("flags " << flags);
		auto busy = std::make_unique<param_override>(std::string(null_params) + "busy_every",
							      "1");
		held_ops held(16);
		ocf_ring *r = nullptr;
		REQUIRE(ocf_ring_open(dev.get(), 16, flags, &r) == 0);
		int handed = 0;
		for (std::size_t i = 0; i < held.src.size(); i++) {
			ocf_op op{};
			ocf_op_cipher(&op, sid, OCF_OP_ENCRYPT, held.src[i].data(), held.dst[i].data(),
				      static_cast<std::uint32_t>(held.src[i].size()), nullptr);
			op.tag = i;
			REQUIRE(ocf_ring_prep(r, &op) == 0);
			int ret = ocf_ring_submit(r);
			REQUIRE(ret >= 0);
			handed += ret;
		}
		CHECK(handed == 16);
		// Reap a few of none: the count of ops in flight must not be thrown off by reaps.
		ocf_completion c{};
		CHECK(ocf_ring_reap(r, &c, 1, 0) == 0);
		std::atomic<bool> closed{false};
		std::thread closer([&closed, r] {
			ocf_ring_close(r);
			closed = true;
		});
		std::this_thread::sleep_for(500ms);
		// The outputs still belong to the module: close must not have returned.
		CHECK(!closed);
		busy.reset();
		if (!eventually([&] { return closed.load(); }, 10000)) {
			closer.detach();
			FAIL("ocf_ring_close() still waits 10 s after every op finished");
		}
		closer.join();
		// Every output was written before close returned, so the caller may free them now.
		for (std::size_t i = 0; i < held.src.size(); i++) {
			INFO("op " << i);
			CHECK(held.dst[i] == held.src[i]);
		}
		CHECK(eventually([&] { return null0_in_flight(dev) == 0; }, 5000));
	}
}

TEST_CASE("ocf::ring runs an ocf::batch and matches OpenSSL", "[uring][libocf]")
{
	auto rng = make_rng("ocf::ring batch");
	ocf::device d;
	bytes key = random_bytes(rng, 16);
	ocf::session aes(d, {.cipher = OCF_CIPHER_AES_CBC,
			     .cipher_key = std::as_bytes(std::span(key))});
	std::vector<bytes> plain, data, ivs;
	ocf::batch b(d);
	for (std::size_t i = 0; i < 40; i++) {
		plain.push_back(random_bytes(rng, 16 * (1 + i % 8) * (i % 5 ? 1 : 512)));
		data.push_back(plain.back());
		ivs.push_back(random_bytes(rng, 16));
	}
	for (std::size_t i = 0; i < plain.size(); i++)
		b.cipher(aes, ocf::direction::encrypt, std::as_writable_bytes(std::span(data[i])),
			 std::as_bytes(std::span(ivs[i])));
	ocf::ring r(d, 16);
	std::vector<int> seen(b.size());
	for (std::size_t next = 0; next < b.size();) {
		std::size_t queued = r.prep(b, next);
		REQUIRE(queued == std::min<std::size_t>(16, b.size() - next));
		REQUIRE(r.submit() == queued);
		auto done = r.reap(static_cast<unsigned>(queued), static_cast<unsigned>(queued));
		REQUIRE(done.size() == queued);
		for (const auto &c : done) {
			REQUIRE(c.tag < b.size());
			seen[c.tag]++;
			CHECK(!c.status);
		}
		next += queued;
	}
	for (std::size_t i = 0; i < plain.size(); i++) {
		INFO("op " << i);
		CHECK(seen[i] == 1);
		CHECK(data[i] == ref_cipher(OCF_CIPHER_AES_CBC, key, ivs[i], plain[i].data(),
					    plain[i].size(), true));
	}
	ocf_op bad{};
	bad.reserved0 = 1;
	CHECK_THROWS_AS(r.prep(bad), std::invalid_argument);
}

// Not a test: the figures of docs/benchmarks.md's io_uring table. 64-byte
// AES-128-CBC in place on swcrypt, one thread, batches of 64: OCF_IOC_RUN
// against a ring (one io_uring_enter to submit, one to wait if need be) and
// a ring with SQPOLL (submission without a system call); then 64 KiB ops,
// 16 per submit, on pages pinned per op against a registered buffer.
// Statuses are checked once per round, outside the timed ops' path. Run alone:
//   tools/vm run --modules "..." -- build/tests/ocf_vm_tests "[uring-bench]"
TEST_CASE("io_uring against OCF_IOC_RUN: 64-byte AES-128-CBC, 64 in flight; registered buffers",
	  "[.][uring-bench]")
{
	constexpr auto cell = 1s;
	auto rng = make_rng("uring bench");
	device dev;
	const alg &a = find_alg("aes-128-cbc");
	session s(dev, a, random_keys(a, rng));
	bytes iv(16, 1);
	auto make_ops = [&](std::uint8_t *base, std::size_t len, unsigned n) {
		std::vector<ocf_op> ops(n);
		for (unsigned i = 0; i < n; i++) {
			ocf_op_cipher(&ops[i], s.id(), OCF_OP_ENCRYPT, base + i * len, nullptr,
				      static_cast<std::uint32_t>(len), iv.data());
			ops[i].tag = i;
		}
		return ops;
	};
	mapping small(64 * 64), large(16 * 65536);
	std::memset(small.p, 0x5a, small.len);
	std::memset(large.p, 0x5a, large.len);
	auto ops64 = make_ops(small.p, 64, 64), ops64k = make_ops(large.p, 65536, 16);

	auto measure = [&](const std::function<unsigned()> &round) {
		std::uint64_t n = 0;
		auto start = std::chrono::steady_clock::now(), end = start + cell;
		while (std::chrono::steady_clock::now() < end)
			n += round();
		std::chrono::duration<double> took = std::chrono::steady_clock::now() - start;
		return static_cast<double>(n) / took.count();
	};
	bool failed = false;
	auto ring_round = [&](ocf_ring *r, const std::vector<ocf_op> &ops, bool fixed) {
		for (const ocf_op &op : ops)
			failed |= (fixed ? ocf_ring_prep_fixed(r, &op, 0) : ocf_ring_prep(r, &op)) != 0;
		const int n = static_cast<int>(ops.size());
		failed |= ocf_ring_submit(r) != n;
		std::array<ocf_completion, 64> done;
		failed |= ocf_ring_reap(r, done.data(), static_cast<unsigned>(n),
					static_cast<unsigned>(n)) != n;
		for (int i = 0; i < n; i++)
			failed |= done[static_cast<std::size_t>(i)].status != 0;
		return static_cast<unsigned>(n);
	};
	ocf_ring *plain = nullptr, *sqpoll = nullptr, *fixed = nullptr;
	REQUIRE(ocf_ring_open(dev.get(), 64, 0, &plain) == 0);
	REQUIRE(ocf_ring_open(dev.get(), 64, OCF_RING_SQPOLL, &sqpoll) == 0);
	REQUIRE(ocf_ring_open(dev.get(), 16, 0, &fixed) == 0);
	iovec reg{large.p, large.len};
	REQUIRE(ocf_ring_register_buffers(fixed, &reg, 1) == 0);
	const char *names[] = {"OCF_IOC_RUN batch 64, 64 B",
			       "io_uring, 64 per submit, 64 B",
			       "io_uring SQPOLL, 64 per submit, 64 B",
			       "io_uring, 16 per submit, 64 KiB, pinned per op",
			       "io_uring, 16 per submit, 64 KiB, registered"};
	std::array<std::vector<double>, 5> rates;
	for (int rep = 0; rep < 5; rep++) {
		rates[0].push_back(measure([&] {
			failed |= ocf_run(dev.get(), ops64.data(), 64) != 64;
			return 64u;
		}));
		rates[1].push_back(measure([&] { return ring_round(plain, ops64, false); }));
		rates[2].push_back(measure([&] { return ring_round(sqpoll, ops64, false); }));
		rates[3].push_back(measure([&] { return ring_round(fixed, ops64k, false); }));
		rates[4].push_back(measure([&] { return ring_round(fixed, ops64k, true); }));
		REQUIRE(!failed);
	}
	ocf_ring_close(plain);
	ocf_ring_close(sqpoll);
	ocf_ring_close(fixed);
	for (std::size_t i = 0; i < rates.size(); i++) {
		std::sort(rates[i].begin(), rates[i].end());
		std::printf("%-48s median %8.0f ops/s  (min %8.0f, max %8.0f; 5 cells of 1 s)\n",
			    names[i], rates[i][2], rates[i][0], rates[i][4]);
	}
	std::printf("ratios: io_uring / RUN %.2fx, SQPOLL / RUN %.2fx, registered / pinned %.2fx\n",
		    rates[1][2] / rates[0][2], rates[2][2] / rates[0][2], rates[4][2] / rates[3][2]);
}
