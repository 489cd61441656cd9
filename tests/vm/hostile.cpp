// Hostile callers of /dev/ocf: threads racing on one file, fork, an
// unprivileged user, read-only pages, kill -9, a producer unplugged at the
// worst moment. Each case reproduces a defect the kernel core once had
// (issue 12); the comment above it says which.
#include "helpers.hpp"

#include <catch2/catch.hpp>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <pthread.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

using namespace ocft;
using namespace std::chrono_literals;

namespace {

std::uint32_t null_producer_id(device &dev, const char *name)
{
	auto p = producer_named(dev, name);
	if (!p)
		throw std::runtime_error(std::string("no producer ") + name);
	return p->id;
}

// A raw SESSION_NEW for the null cipher, its struct at @where.
int raw_null_session(int fd, struct ocf_session_new *where, std::uint32_t pin = 0)
{
	struct ocf_session_new sn {};
	sn.size = sizeof(sn);
	sn.cipher = OCF_CIPHER_NULL;
	sn.producer = pin;
	if (where != &sn && where)
		std::memcpy(where, &sn, sizeof(sn));
	return xioctl(fd, OCF_IOC_SESSION_NEW, where ? where : &sn);
}

// Waits up to @limit for @pid; SIGKILLs and reaps it after that. True when
// it ended within the limit.
bool ended_within(pid_t pid, std::chrono::milliseconds limit, int *status = nullptr)
{
	auto until = std::chrono::steady_clock::now() + limit;
	int st = 0;
	while (std::chrono::steady_clock::now() < until) {
		if (::waitpid(pid, &st, WNOHANG) == pid) {
			if (status)
				*status = st;
			return true;
		}
		std::this_thread::sleep_for(20ms);
	}
	::kill(pid, SIGKILL);
	return false;
}

std::uint64_t producer_in_flight(device &dev, const char *name)
{
	auto p = producer_named(dev, name);
	return p ? p->stats.in_flight : 0;
}

void quiet_handler(int) {}

} // namespace

// Defect 1: once xa_alloc published a new session, another thread could
// free it by guessing its id while SESSION_NEW still used it, and a failed
// put_user then freed it again (refcount underflow, nsessions decremented
// twice). The file must keep exactly its limit afterwards.
TEST_CASE("SESSION_NEW racing SESSION_FREE of guessed ids frees each session once", "[hostile]")
{
	param_override limit(std::string(ocf_params) + "max_sessions", "16");
	kmsg_tail kmsg;
	auto r = run_child([]() -> std::string {
		std::string e = drop_to_nobody();
		if (!e.empty())
			return e;
		device dev;
		bad_pages bad;
		std::atomic<std::uint32_t> last{0};
		std::atomic<bool> stop{false};
		std::thread freer([&] {
			while (!stop.load()) {
				std::uint32_t base = last.load();
				for (std::uint32_t id = base; id < base + 4; id++)
					xioctl(dev.fd(), OCF_IOC_SESSION_FREE, &id);
				for (std::uint32_t id = 1; id < 4; id++)
					xioctl(dev.fd(), OCF_IOC_SESSION_FREE, &id);
			}
		});
		struct ocf_session_new tmpl {};
		tmpl.size = sizeof(tmpl);
		tmpl.cipher = OCF_CIPHER_NULL;
		auto *ro = static_cast<struct ocf_session_new *>(bad.ro_with(&tmpl, sizeof(tmpl)));
		auto until = std::chrono::steady_clock::now() + 3s;
		int unexpected = 0;
		for (int i = 0; std::chrono::steady_clock::now() < until; i++) {
			struct ocf_session_new sn = tmpl;
			int ret = (i % 2) ? xioctl(dev.fd(), OCF_IOC_SESSION_NEW, ro)
					  : xioctl(dev.fd(), OCF_IOC_SESSION_NEW, &sn);
			if (ret == 0)
				last.store(sn.session);
			else if (ret != -EFAULT && ret != -ENOSPC)
				unexpected = ret;
		}
		stop.store(true);
		freer.join();
		CHILD_EXPECT(unexpected == 0);
		// Free what is left, then the file must take exactly its limit.
		for (const auto &s : sessions(dev)) {
			std::uint32_t id = s.session;
			xioctl(dev.fd(), OCF_IOC_SESSION_FREE, &id);
		}
		CHILD_EXPECT(sessions(dev).empty());
		int made = 0, ret = 0;
		while ((ret = raw_null_session(dev.fd(), nullptr)) == 0)
			made++;
		CHILD_EXPECT(ret == -ENOSPC);
		CHILD_EXPECT(made == 16);
		return "";
	});
	CHECK(r.output == "");
	CHECK(r.ok());
	CHECK_FALSE(kmsg.wait_for(std::regex("refcount_t|use-after-free|BUG|WARNING"), 200));
}

// Defect 1, alone: a read-only struct gets -EFAULT and leaves no session
// and no hole in the limit behind.
TEST_CASE("SESSION_NEW with its struct on a read-only page leaves nothing behind", "[hostile]")
{
	param_override limit(std::string(ocf_params) + "max_sessions", "4");
	device dev;
	bad_pages bad;
	struct ocf_session_new sn {};
	sn.size = sizeof(sn);
	sn.cipher = OCF_CIPHER_NULL;
	auto *ro = static_cast<struct ocf_session_new *>(bad.ro_with(&sn, sizeof(sn)));
	for (int i = 0; i < 8; i++)
		CHECK(errname(xioctl(dev.fd(), OCF_IOC_SESSION_NEW, ro)) == errname(-EFAULT));
	CHECK(sessions(dev).empty());
	for (int i = 0; i < 4; i++)
		CHECK(raw_null_session(dev.fd(), nullptr) == 0);
	CHECK(errname(raw_null_session(dev.fd(), nullptr)) == errname(-ENOSPC));
}

// Defect 2: a producer that is going away and answers -EBUSY sent its
// request through list_move_tail() on a list node that was on no list
// (a BUG with DEBUG_LIST, and unregister never finished).
TEST_CASE("a busy producer unplugged with a request it refused loses nothing", "[hostile]")
{
	device dev;
	const alg &a = find_alg("null");
	auto rng = make_rng("busy unplug");
	std::uint32_t null0 = null_producer_id(dev, "null0");
	session s(dev, a, random_keys(a, rng), null0);
	bytes data = random_bytes(rng, 512);
	buffer src(512, 1), dst(512, 3);
	src.assign(data);
	dst.fill(0);
	ocf_op op{};
	ocf_op_cipher(&op, s.id(), OCF_OP_ENCRYPT, src.data(), dst.data(), 512, nullptr);
	op.tag = 42;
	{
		param_override busy(std::string(null_params) + "busy_every", "1");
		REQUIRE(ocf_submit(dev.get(), &op, 1) == 1);
		std::this_thread::sleep_for(300ms);
		std::thread unplug([] { write_text(std::string(null_params) + "unplug", "0"); });
		std::this_thread::sleep_for(300ms);
		// busy_every goes back to 0 here: the migrated request can finish.
		unplug.join();
	}
	auto done = reap_n(dev, 1, 20000);
	write_text(std::string(null_params) + "replug", "0");
	REQUIRE(done.size() == 1);
	CHECK(done[0].tag == 42);
	CHECK(done[0].status == 0);
	CHECK(diff(dst.data(), data).empty());
}

// Defect 8: RUN waited uninterruptibly, and a busy producer was retried in
// an endless sleep loop in the submitter's own context: kill -9 could not
// end the process.
TEST_CASE("kill -9 ends a process blocked in a 1024-op RUN at once", "[hostile]")
{
	device probe;
	std::uint32_t null0 = null_producer_id(probe, "null0");
	param_override busy(std::string(null_params) + "busy_every", "1");
	int ready[2];
	REQUIRE(::pipe(ready) == 0);
	pid_t pid = ::fork();
	REQUIRE(pid >= 0);
	if (pid == 0) {
		try {
			device dev;
			std::uint32_t id = 0;
			struct ocf_session_new sn {};
			if (raw_null_session(dev.fd(), &sn, null0))
				::_exit(2);
			id = sn.session;
			static std::uint8_t bufs[1024][64];
			std::vector<ocf_op> ops(1024);
			for (std::size_t i = 0; i < ops.size(); i++)
				ocf_op_cipher(&ops[i], id, OCF_OP_ENCRYPT, bufs[i], nullptr, 64, nullptr);
			(void)!::write(ready[1], "x", 1);
			ocf_run(dev.get(), ops.data(), 1024);
		} catch (...) {
		}
		::_exit(3);
	}
	char c;
	REQUIRE(::read(ready[0], &c, 1) == 1);
	::close(ready[0]);
	::close(ready[1]);
	std::this_thread::sleep_for(500ms);
	REQUIRE(::kill(pid, SIGKILL) == 0);
	int st = 0;
	bool ended = ended_within(pid, 10s, &st);
	CHECK(ended);
	if (ended)
		CHECK((WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL));
	// Once the producer takes work again, nothing stays in flight.
	write_text(std::string(null_params) + "busy_every", "0");
	CHECK(eventually([&] { return producer_in_flight(probe, "null0") == 0; }, 20000));
}

// Defect 8: close waited uninterruptibly for every operation of the file.
TEST_CASE("closing a file whose operations cannot finish returns at once", "[hostile]")
{
	device probe;
	std::uint32_t null0 = null_producer_id(probe, "null0");
	param_override busy(std::string(null_params) + "busy_every", "1");
	auto r = run_child([null0]() -> std::string {
		auto dev = std::make_unique<device>();
		struct ocf_session_new sn {};
		CHILD_EXPECT(raw_null_session(dev->fd(), &sn, null0) == 0);
		static std::uint8_t bufs[64][8192]; // pinned, not copied
		std::vector<ocf_op> ops(64);
		for (std::size_t i = 0; i < ops.size(); i++)
			ocf_op_cipher(&ops[i], sn.session, OCF_OP_ENCRYPT, bufs[i], nullptr, 8192,
				      nullptr);
		CHILD_EXPECT(ocf_submit(dev->get(), ops.data(), 64) == 64);
		auto start = std::chrono::steady_clock::now();
		dev->close();
		CHILD_EXPECT(std::chrono::steady_clock::now() - start < 2s);
		return "";
	});
	// An old kernel blocks the child in close; let it go before checking.
	write_text(std::string(null_params) + "busy_every", "0");
	CHECK(r.output == "");
	CHECK(r.ok());
	CHECK(eventually([&] { return producer_in_flight(probe, "null0") == 0; }, 20000));
}

// Defect 6: REAP copied small outputs into the reaper's address space, at
// the submitter's addresses: after fork() the child's memory was written.
TEST_CASE("a forked child reaping the parent's operation gets no output in its memory", "[hostile]")
{
	device dev;
	const alg &a = find_alg("null");
	auto rng = make_rng("reap after fork");
	session s(dev, a, random_keys(a, rng));
	buffer src(64, 0), dst(64, 0);
	src.fill(0xaa);
	dst.fill(0);
	ocf_op op{};
	ocf_op_cipher(&op, s.id(), OCF_OP_ENCRYPT, src.data(), dst.data(), 64, nullptr);
	op.tag = 9;
	REQUIRE(ocf_submit(dev.get(), &op, 1) == 1);
	REQUIRE(readable(dev.fd(), 10000));
	auto r = run_child([&]() -> std::string {
		ocf_completion c{};
		int n = raw_reap(dev.fd(), &c, 1, OCF_REAP_WAIT, 1);
		CHILD_EXPECT(n == 1);
		CHILD_EXPECT(c.tag == 9);
		CHILD_EXPECT(c.status == -EXDEV);
		for (std::size_t i = 0; i < 64; i++)
			CHILD_EXPECT(dst.data()[i] == 0);
		return "";
	});
	CHECK(r.output == "");
	CHECK(r.ok());
	// The parent's own buffer was not written either: the child took it.
	for (std::size_t i = 0; i < 64; i++)
		CHECK(dst.data()[i] == 0);
}

// Defect 7: AEAD decryption of a pinned (> 4 KiB) buffer wrote plaintext
// into the caller's pages before the tag was checked; another thread could
// read it. Verification and decryption now work on a kernel copy.
TEST_CASE("a forged GCM message never shows its plaintext, at any size", "[hostile]")
{
	device dev;
	const alg &a = find_alg("aes-128-gcm");
	auto rng = make_rng("no unverified plaintext");
	keys k = random_keys(a, rng);
	session s(dev, a, k);
	for (std::uint32_t text : {64u, 4096u, 65536u, 512u * 1024u}) {
		INFO("text " << text);
		vector_case vc = make_case(a, k, rng, text, 16);
		vc.encrypted[vc.lay.mac_offset()] ^= 1; // forged tag
		buffer buf(vc.lay.len(), 0);
		buf.assign(vc.encrypted);
		ocf_op op{};
		fill_op(op, a, s.id(), OCF_OP_DECRYPT, buf.data(), nullptr, vc.lay, vc.iv.data());
		std::atomic<bool> stop{false}, seen{false};
		// The first block is decrypted first and so would show longest;
		// the middle and the end too.
		const std::uint32_t at[] = {vc.lay.aad, vc.lay.aad + text / 2 / 16 * 16,
					    vc.lay.aad + text - 32};
		std::thread watcher([&] {
			while (!stop.load(std::memory_order_relaxed))
				for (std::uint32_t o : at)
					if (!std::memcmp(buf.data() + o, vc.plain.data() + o, 32))
						seen.store(true);
		});
		int ret = ocf_run(dev.get(), &op, 1);
		stop.store(true);
		watcher.join();
		CHECK(ret == 1);
		CHECK(errname(op.status) == errname(-EBADMSG));
		CHECK_FALSE(seen.load());
		CHECK(diff(buf.data(), vc.encrypted, 0, vc.lay.aad).empty());
	}
}

// Defect 10: REAP's wait target counted another thread's RUN operations,
// which never reach the reap list: REAP with WAIT blocked until a signal.
TEST_CASE("REAP with WAIT and nothing submitted ignores other threads' RUN", "[hostile]")
{
	device dev;
	std::uint32_t null0 = null_producer_id(dev, "null0");
	struct ocf_session_new sn {};
	REQUIRE(raw_null_session(dev.fd(), &sn, null0) == 0);
	struct sigaction sa {};
	sa.sa_handler = quiet_handler;
	REQUIRE(::sigaction(SIGUSR1, &sa, nullptr) == 0);
	static std::uint8_t buf[64];
	ocf_op op{};
	ocf_op_cipher(&op, sn.session, OCF_OP_ENCRYPT, buf, nullptr, 64, nullptr);
	std::atomic<int> reaped{-1000};
	{
		param_override busy(std::string(null_params) + "busy_every", "1");
		std::thread runner([&] { ocf_run(dev.get(), &op, 1); });
		std::this_thread::sleep_for(300ms);
		std::thread reaper([&] {
			ocf_completion c{};
			reaped.store(raw_reap(dev.fd(), &c, 1, OCF_REAP_WAIT, 1));
		});
		std::this_thread::sleep_for(1s);
		write_text(std::string(null_params) + "busy_every", "0");
		runner.join();
		bool returned = eventually([&] { return reaped.load() != -1000; }, 3000);
		CHECK(returned);
		if (!returned) {
			::pthread_kill(reaper.native_handle(), SIGUSR1);
		}
		reaper.join();
	}
	CHECK(reaped.load() == 0);
	::signal(SIGUSR1, SIG_DFL);
}

// Defect 10: ids were lowest-free, so a stale id hit the next session.
TEST_CASE("a freed session id is not handed out again at once", "[hostile]")
{
	device dev;
	struct ocf_session_new a {}, b {};
	REQUIRE(raw_null_session(dev.fd(), &a) == 0);
	std::uint32_t id = a.session;
	REQUIRE(xioctl(dev.fd(), OCF_IOC_SESSION_FREE, &id) == 0);
	REQUIRE(raw_null_session(dev.fd(), &b) == 0);
	CHECK(b.session != a.session);
}

// Defect 10: struct sizes from user space were not capped.
TEST_CASE("a struct size over a page is refused with E2BIG", "[hostile]")
{
	device dev;
	std::vector<std::uint8_t> big(8192);
	auto *v = reinterpret_cast<struct ocf_version *>(big.data());
	v->size = 8192;
	CHECK(errname(xioctl(dev.fd(), OCF_IOC_VERSION, v)) == errname(-E2BIG));
}

// The ABI grows: the ioctl number carries the caller's struct size, and
// the kernel dispatches on the command number, negotiating the size in the
// struct. A first-version caller and a newer one both work.
TEST_CASE("callers built with older and newer struct sizes both work", "[hostile]")
{
	device dev;
	SECTION("OCF_IOC_VERSION from a first-version caller")
	{
		struct {
			__u32 size;
			__u32 abi_version;
			char module_version[32];
			__u64 reserved[2];
			__u64 guard;
		} old{};
		old.size = OCF_VERSION_SIZE_VER0;
		old.guard = 0x5a5a5a5a5a5a5a5aull;
		unsigned long cmd = _IOWR(OCF_IOC_MAGIC, 0x00, char[OCF_VERSION_SIZE_VER0]);
		REQUIRE(xioctl(dev.fd(), cmd, &old) == 0);
		CHECK(old.abi_version == OCF_ABI_VERSION);
		CHECK(old.size == OCF_VERSION_SIZE_VER0);
		CHECK(old.guard == 0x5a5a5a5a5a5a5a5aull); // nothing written past its size
	}
	SECTION("OCF_IOC_VERSION from a newer caller, zero tail")
	{
		struct {
			struct ocf_version v;
			__u64 future[4];
		} big{};
		big.v.size = sizeof(big);
		unsigned long cmd = _IOWR(OCF_IOC_MAGIC, 0x00, char[sizeof(big)]);
		REQUIRE(xioctl(dev.fd(), cmd, &big) == 0);
		CHECK(big.v.size == sizeof(struct ocf_version));
		CHECK((big.v.features & OCF_FEATURE_SIZED_IOCTLS));
		big.v.size = sizeof(big);
		big.future[3] = 1;
		CHECK(errname(xioctl(dev.fd(), cmd, &big)) == errname(-E2BIG));
	}
	SECTION("a batch ioctl whose number encodes another size")
	{
		const alg &a = find_alg("null");
		auto rng = make_rng("sized batch");
		session s(dev, a, random_keys(a, rng));
		std::uint8_t buf[16] = {};
		ocf_op op{};
		ocf_op_cipher(&op, s.id(), OCF_OP_ENCRYPT, buf, nullptr, 16, nullptr);
		struct {
			struct ocf_batch b;
			__u64 future[2];
		} big{};
		big.b = make_batch(&op, 1);
		big.b.size = sizeof(big);
		unsigned long cmd = _IOWR(OCF_IOC_MAGIC, 0x03, char[sizeof(big)]);
		REQUIRE(xioctl(dev.fd(), cmd, &big) == 0);
		CHECK(big.b.done == 1);
		CHECK(op.status == 0);
	}
	SECTION("a known number with the wrong direction is ENOTTY")
	{
		CHECK(errname(xioctl(dev.fd(), _IO(OCF_IOC_MAGIC, 0x03), std::uint64_t{0})) ==
		      errname(-ENOTTY));
	}
}

// Per-user limits: one user's operations in flight across all its files
// stop at max_user_in_flight, with -EAGAIN, and others keep working.
TEST_CASE("an unprivileged user's operations in flight are capped across files", "[hostile]")
{
	param_override cap(std::string(ocf_params) + "max_user_in_flight", "256");
	auto r = run_child([]() -> std::string {
		std::string e = drop_to_nobody();
		if (!e.empty())
			return e;
		std::vector<std::unique_ptr<device>> files;
		static std::uint8_t buf[64];
		int accepted = 0, refused = 0, other = 0;
		for (int f = 0; f < 8; f++) {
			files.push_back(std::make_unique<device>());
			struct ocf_session_new sn {};
			CHILD_EXPECT(raw_null_session(files.back()->fd(), &sn) == 0);
			std::vector<ocf_op> ops(64);
			for (auto &op : ops)
				ocf_op_cipher(&op, sn.session, OCF_OP_ENCRYPT, buf, nullptr, 64, nullptr);
			int ret = ocf_submit(files.back()->get(), ops.data(), 64);
			if (ret == 64)
				accepted += 64;
			else if (ret == -EAGAIN)
				refused++;
			else
				other++;
		}
		CHILD_EXPECT(other == 0);
		CHILD_EXPECT(accepted == 256);
		CHILD_EXPECT(refused == 4);
		return "";
	});
	CHECK(r.output == "");
	CHECK(r.ok());
	// Root, meanwhile, is not affected, and the child's files are gone.
	device dev;
	std::uint8_t buf[64] = {};
	struct ocf_session_new sn {};
	REQUIRE(raw_null_session(dev.fd(), &sn) == 0);
	ocf_op op{};
	ocf_op_cipher(&op, sn.session, OCF_OP_ENCRYPT, buf, nullptr, 64, nullptr);
	CHECK(ocf_run(dev.get(), &op, 1) == 1);
	CHECK(op.status == 0);
}

// Per-user limits: pinned pages held by operations count against
// RLIMIT_MEMLOCK; past it an operation fails with -ENOMEM alone.
TEST_CASE("pinned pages of an unprivileged user stop at RLIMIT_MEMLOCK", "[hostile]")
{
	device probe;
	std::uint32_t null0 = null_producer_id(probe, "null0");
	{
		param_override busy(std::string(null_params) + "busy_every", "1");
		auto r = run_child([null0]() -> std::string {
			std::string e = drop_to_nobody(256 * 1024);
			if (!e.empty())
				return e;
			device dev;
			struct ocf_session_new sn {};
			CHILD_EXPECT(raw_null_session(dev.fd(), &sn, null0) == 0);
			static std::uint8_t bufs[16][65536];
			std::vector<ocf_op> ops(16);
			for (std::size_t i = 0; i < ops.size(); i++) {
				ocf_op_cipher(&ops[i], sn.session, OCF_OP_ENCRYPT, bufs[i], nullptr,
					      65536, nullptr);
				ops[i].tag = i;
			}
			CHILD_EXPECT(ocf_submit(dev.get(), ops.data(), 16) == 16);
			// Those past the limit complete at once with -ENOMEM; the
			// others wait for the busy producer.
			std::vector<ocf_completion> done(16);
			std::this_thread::sleep_for(500ms);
			int n = ocf_reap(dev.get(), done.data(), 16, 0);
			CHILD_EXPECT(n >= 12);
			for (int i = 0; i < n; i++)
				CHILD_EXPECT(done[static_cast<std::size_t>(i)].status == -ENOMEM);
			return "";
		});
		CHECK(r.output == "");
		CHECK(r.ok());
	}
	CHECK(eventually([&] { return producer_in_flight(probe, "null0") == 0; }, 20000));
}

namespace {

// Where the modules under test are: tests/run may point at another build.
std::string module_dir()
{
	const char *env = std::getenv("OCF_MODULE_DIR");
	return env && *env ? env : OCF_SOURCE_DIR "/kernel";
}

} // namespace

// Defect 5: a synchronous producer completes its request inside process();
// unregister saw it drained and rmmod could free code still returning from
// process(). Now calls into a producer run under SRCU that unregister
// waits for. Traffic keeps running while ocf_null is removed and loaded again.
TEST_CASE("rmmod of a producer module under traffic loses nothing and leaves no report",
	  "[hostile][unload]")
{
	const std::string ko = module_dir() + "/drivers/null/ocf_null.ko";
	const std::string insmod = "insmod " + ko + " instances=2";
	kmsg_tail kmsg;
	std::atomic<bool> stop{false};
	std::vector<std::string> problems(2);
	std::atomic<long> ok_ops{0};
	auto traffic = [&](std::size_t t) {
		auto rng = make_rng("rmmod under traffic " + std::to_string(t));
		device dev;
		while (!stop.load()) {
			struct ocf_session_new sn {};
			if (raw_null_session(dev.fd(), &sn) != 0)
				continue; // no producer offers it right now
			std::vector<bytes> data;
			std::vector<buffer> src, dst;
			std::vector<ocf_op> ops(16);
			for (std::size_t i = 0; i < ops.size(); i++) {
				std::size_t len = 256 + 4096 * (i % 3); // copied and pinned
				data.push_back(random_bytes(rng, len));
				src.emplace_back(len, 1);
				dst.emplace_back(len, 3);
				src.back().assign(data.back());
				ocf_op_cipher(&ops[i], sn.session, OCF_OP_ENCRYPT, src.back().data(),
					      dst.back().data(), static_cast<std::uint32_t>(len), nullptr);
			}
			int ret = ocf_run(dev.get(), ops.data(), 16);
			if (ret != 16) {
				problems[t] = "RUN returned " + errname(ret);
				return;
			}
			for (std::size_t i = 0; i < ops.size(); i++) {
				if (ops[i].status == 0 && !diff(dst[i].data(), data[i]).empty()) {
					problems[t] = "wrong output";
					return;
				}
				if (ops[i].status != 0 && ops[i].status != -ENODEV) {
					problems[t] = "status " + errname(ops[i].status);
					return;
				}
				ok_ops += ops[i].status == 0;
			}
			std::uint32_t id = sn.session;
			xioctl(dev.fd(), OCF_IOC_SESSION_FREE, &id);
		}
	};
	std::thread a(traffic, 0), b(traffic, 1);
	int unload_failures = 0;
	for (int round = 0; round < 12; round++) {
		std::this_thread::sleep_for(150ms);
		unload_failures += std::system("rmmod ocf_null") != 0;
		std::this_thread::sleep_for(50ms);
		unload_failures += std::system(insmod.c_str()) != 0;
	}
	stop.store(true);
	a.join();
	b.join();
	CHECK(unload_failures == 0);
	CHECK(problems[0] == "");
	CHECK(problems[1] == "");
	CHECK(ok_ops.load() > 0);
	CHECK_FALSE(kmsg.wait_for(std::regex("BUG|WARNING|Oops|general protection"), 200));
}

// Per-user limits: sessions hold producer state no memory cgroup sees, so
// they are counted per user across files.
TEST_CASE("an unprivileged user's sessions are capped across files", "[hostile]")
{
	param_override cap(std::string(ocf_params) + "max_user_sessions", "20");
	auto r = run_child([]() -> std::string {
		std::string e = drop_to_nobody();
		if (!e.empty())
			return e;
		std::vector<std::unique_ptr<device>> files;
		int made = 0, refused = 0, other = 0;
		for (int f = 0; f < 3; f++) {
			files.push_back(std::make_unique<device>());
			for (int i = 0; i < 8; i++) {
				int ret = raw_null_session(files.back()->fd(), nullptr);
				made += ret == 0;
				refused += ret == -ENOSPC;
				other += ret != 0 && ret != -ENOSPC;
			}
		}
		CHILD_EXPECT(other == 0);
		CHILD_EXPECT(made == 20);
		CHILD_EXPECT(refused == 4);
		// Closing a file gives its sessions back to the user.
		files.erase(files.begin());
		CHILD_EXPECT(raw_null_session(files.back()->fd(), nullptr) == 0);
		return "";
	});
	CHECK(r.output == "");
	CHECK(r.ok());
}
