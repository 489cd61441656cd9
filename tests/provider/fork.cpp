// Fork safety: a provider initialised (and /dev/ocf opened, sessions made)
// in a parent keeps working in the parent and in a fork child, and the
// child never uses the parent's file: its OCF sessions belong to a file the
// child opened itself (the kernel lists each session's owner).
#include "common.hpp"

#include "../native/devshim/devshim.h"

#include <catch2/catch.hpp>

#include <ocf/ocf.h>

#include <atomic>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <dlfcn.h>
#include <random>
#include <thread>
#include <string>
#include <sys/wait.h>
#include <unistd.h>
#include <vector>

using namespace ptest;

namespace {

constexpr std::size_t kChunk = 8192;

bytes ref_cbc(const bytes &key, const bytes &iv, const bytes &pt)
{
	EVP_CIPHER *c = ref_cipher("AES-128-CBC");
	EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
	bytes out(pt.size() + 16);
	int a = 0, b = 0;
	EVP_EncryptInit_ex2(ctx, c, key.data(), iv.data(), nullptr);
	EVP_EncryptUpdate(ctx, out.data(), &a, pt.data(), static_cast<int>(pt.size()));
	EVP_EncryptFinal_ex(ctx, out.data() + a, &b);
	out.resize(static_cast<std::size_t>(a + b));
	EVP_CIPHER_CTX_free(ctx);
	EVP_CIPHER_free(c);
	return out;
}

// Encrypts chunks 2 and 3 on @ctx (chunk 1 was done before) and compares.
bool finish_stream(EVP_CIPHER_CTX *ctx, const bytes &pt, const bytes &want)
{
	bytes out(want.size() + 16);
	int a = 0, b = 0;
	if (!EVP_EncryptUpdate(ctx, out.data(), &a, pt.data() + kChunk,
			       static_cast<int>(pt.size() - kChunk)) ||
	    !EVP_EncryptFinal_ex(ctx, out.data() + a, &b))
		return false;
	out.resize(static_cast<std::size_t>(a + b));
	return out == bytes(want.begin() + kChunk, want.end());
}

bool fresh_work(OSSL_LIB_CTX *lib)
{
	bytes key = rand_bytes(16), iv = rand_bytes(16), pt = rand_bytes(3 * kChunk + 5);
	EVP_CIPHER *c = ocf_cipher(lib, "AES-128-CBC");
	EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
	bool ok = c && EVP_EncryptInit_ex2(ctx, c, key.data(), iv.data(), nullptr);
	bytes out(pt.size() + 16);
	int a = 0, b = 0;
	ok = ok && EVP_EncryptUpdate(ctx, out.data(), &a, pt.data(), static_cast<int>(pt.size())) &&
	     EVP_EncryptFinal_ex(ctx, out.data() + a, &b);
	out.resize(static_cast<std::size_t>(a + b));
	ok = ok && out == ref_cbc(key, iv, pt);
	EVP_CIPHER_CTX_free(ctx);
	EVP_CIPHER_free(c);
	// A digest too (its session is shared by every context of the process).
	EVP_MD *md = ocf_md(lib, "SHA256"), *rmd = ref_md("SHA256");
	unsigned char d1[32], d2[32];
	unsigned l1 = 0, l2 = 0;
	ok = ok && md && EVP_Digest(pt.data(), pt.size(), d1, &l1, md, nullptr) &&
	     EVP_Digest(pt.data(), pt.size(), d2, &l2, rmd, nullptr) && l1 == l2 &&
	     std::memcmp(d1, d2, l1) == 0;
	EVP_MD_free(md);
	EVP_MD_free(rmd);
	return ok;
}

// Sessions of all files whose owner is @pid (-1: cannot tell).
int sessions_owned_by(pid_t pid)
{
	ocf_device *d = nullptr;
	if (ocf_device_open(nullptr, &d) != 0)
		return -1;
	std::vector<ocf_session_info> v(4096);
	int n = ocf_sessions(d, OCF_LIST_ALL, v.data(), static_cast<unsigned>(v.size()));
	int count = -1;
	if (n >= 0) {
		count = 0;
		for (int i = 0; i < n && i < static_cast<int>(v.size()); i++)
			if (v[static_cast<std::size_t>(i)].owner_pid == static_cast<std::uint32_t>(pid))
				count++;
	}
	ocf_device_close(d);
	return count;
}

// What a child checks; its exit status: 0 ok, else the failed step.
int child_checks(OSSL_LIB_CTX *lib, EVP_CIPHER_CTX *inherited, const bytes &pt, const bytes &want,
		 bool device)
{
	if (!finish_stream(inherited, pt, want))
		return 2;
	if (!fresh_work(lib))
		return 3;
	if (device && sessions_owned_by(getpid()) == 0)
		return 4;	// it used OCF, so through a file of its own
	// And a grandchild, from this child.
	pid_t pid = fork();
	if (pid == 0)
		_exit(fresh_work(lib) && (!device || sessions_owned_by(getpid()) != 0) ? 0 : 5);
	int st = 0;
	if (pid < 0 || waitpid(pid, &st, 0) != pid || !WIFEXITED(st))
		return 6;
	return WEXITSTATUS(st);
}

} // namespace

TEST_CASE("fork: the parent and its children all use the provider, each with its own /dev/ocf",
	  "[fork]")
{
	OSSL_LIB_CTX *lib = ocf_ctx("always");
	const bool device = ocf_serving();
	bytes key = rand_bytes(16), iv = rand_bytes(16), pt = rand_bytes(3 * kChunk + 11);
	bytes want = ref_cbc(key, iv, pt);
	EVP_CIPHER *c = ocf_cipher(lib, "AES-128-CBC");
	REQUIRE(c);
	EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
	REQUIRE(EVP_EncryptInit_ex2(ctx, c, key.data(), iv.data(), nullptr));
	// The first chunk in the parent: the device opens, a session is made.
	bytes first(kChunk + 16);
	int n = 0;
	REQUIRE(EVP_EncryptUpdate(ctx, first.data(), &n, pt.data(), static_cast<int>(kChunk)));
	REQUIRE(std::memcmp(first.data(), want.data(), static_cast<std::size_t>(n)) == 0);
	if (device)
		CHECK(sessions_owned_by(getpid()) > 0);

	// Each side goes on with its own copy of the context.
	EVP_CIPHER_CTX *mine = EVP_CIPHER_CTX_new();
	REQUIRE(EVP_CIPHER_CTX_copy(mine, ctx));
	std::fflush(nullptr);
	pid_t pid = fork();
	REQUIRE(pid >= 0);
	if (pid == 0)
		_exit(child_checks(lib, ctx, pt, want, device));
	long long before = ocf_requests();
	CHECK(finish_stream(mine, pt, want));
	CHECK(fresh_work(lib));
	int st = 0;
	REQUIRE(waitpid(pid, &st, 0) == pid);
	REQUIRE(WIFEXITED(st));
	INFO("child exit status (0 ok; 2 inherited stream, 3 new work, 4 no own sessions, "
	     "5 grandchild, 6 wait)");
	CHECK(WEXITSTATUS(st) == 0);
	// The parent's file and sessions still serve it after the children left.
	CHECK(fresh_work(lib));
	if (device)
		CHECK(ocf_requests() > before);
	EVP_CIPHER_CTX_free(mine);
	EVP_CIPHER_CTX_free(ctx);
	EVP_CIPHER_free(c);
}

TEST_CASE("fork: a child of a parent that never used OCF opens the device itself", "[fork]")
{
	// Loaded, a context keyed, nothing run yet.
	OSSL_LIB_CTX *lib = ocf_ctx("always", "1");
	bytes key = rand_bytes(16), iv = rand_bytes(16), pt = rand_bytes(3 * kChunk);
	EVP_CIPHER *c = ocf_cipher(lib, "AES-128-CBC");
	REQUIRE(c);
	EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
	REQUIRE(EVP_EncryptInit_ex2(ctx, c, key.data(), iv.data(), nullptr));
	std::fflush(nullptr);
	pid_t pid = fork();
	REQUIRE(pid >= 0);
	if (pid == 0) {
		bytes out(pt.size() + 16);
		int a = 0, b = 0;
		bool ok = EVP_EncryptUpdate(ctx, out.data(), &a, pt.data(), static_cast<int>(pt.size())) &&
			  EVP_EncryptFinal_ex(ctx, out.data() + a, &b);
		out.resize(static_cast<std::size_t>(a + b));
		_exit(ok && out == ref_cbc(key, iv, pt) ? 0 : 1);
	}
	int st = 0;
	REQUIRE(waitpid(pid, &st, 0) == pid);
	CHECK((WIFEXITED(st) && WEXITSTATUS(st) == 0));
	EVP_CIPHER_CTX_free(ctx);
	EVP_CIPHER_free(c);
}

namespace {

// Creates and frees sessions (a new key each time) until @stop, with a
// cipher and a digest fetched before the thread started: fetching takes
// OpenSSL's own locks (the library context's method store, name map,
// property cache), and a child forked while another thread holds one of
// those inherits it locked (POSIX: only async-signal-safe calls after a
// fork of a threaded process) and hangs at its first fetch. Not ours to fix;
// what this test is about is the provider's locks, which a thread holds
// here while it creates a session (the ioctl) and which pthread_atfork
// hands over. (The /dev/ocf test double fetches inside its ioctl, under a
// lock of its own that its atfork handler takes as well.)
void session_churn(const EVP_CIPHER *c, const EVP_MD *md, const std::atomic<bool> &stop)
{
	std::mt19937_64 r(std::random_device{}());
	while (!stop.load()) {
		unsigned char key[16], iv[16] = {}, buf[64] = {}, d[32];
		for (auto &k : key)
			k = static_cast<unsigned char>(r());
		EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
		int n = 0;
		if (EVP_EncryptInit_ex2(ctx, c, key, iv, nullptr))
			EVP_EncryptUpdate(ctx, buf, &n, buf, sizeof(buf));
		EVP_CIPHER_CTX_free(ctx);
		unsigned l = 0;
		EVP_Digest(buf, sizeof(buf), d, &l, md, nullptr);
	}
}

// The stacks of every thread of @pid, from gdb (or eu-stack), or why not.
std::string stacks_of(pid_t pid)
{
	const std::string p = std::to_string(pid);
	// Without LD_PRELOAD: the debugger must not load the /dev/ocf test double.
	const std::string cmd =
		"if command -v gdb >/dev/null; then timeout 120 env -u LD_PRELOAD gdb -p " + p +
		" -batch -nx -ex 'set pagination off' -ex 'thread apply all bt' 2>&1 | "
		"grep -v '^\\[New LWP\\|^\\[Thread debugging\\|^Using host libthread_db'; "
		"elif command -v eu-stack >/dev/null; then timeout 120 env -u LD_PRELOAD eu-stack -p " + p +
		" 2>&1; else echo 'neither gdb nor eu-stack installed (tools/deps)'; fi";
	std::string out;
	if (FILE *f = popen(cmd.c_str(), "r")) {
		char buf[4096];
		std::size_t n;
		while ((n = std::fread(buf, 1, sizeof(buf), f)) > 0)
			out.append(buf, n);
		pclose(f);
	}
	return out;
}

// Waits up to @seconds for @pid; false (and the child killed) when it hangs,
// its threads' stacks then in *@stacks.
bool wait_child(pid_t pid, int seconds, int *status, std::string *stacks)
{
	for (int i = 0; i < seconds * 1000; i++) {
		pid_t w = waitpid(pid, status, WNOHANG);
		if (w == pid)
			return true;
		if (w < 0)
			return false;
		usleep(1000);
	}
	*stacks = stacks_of(pid);
	kill(pid, SIGKILL);
	waitpid(pid, status, 0);
	return false;
}

} // namespace

TEST_CASE("fork: children forked while other threads create sessions all finish their work",
	  "[fork][threads]")
{
	OSSL_LIB_CTX *lib = ocf_ctx("always", "1");
	// Under the /dev/ocf test double each session creation takes a while,
	// so that forks land inside one (in the VM the ioctl is slow anyway).
	auto ctl = reinterpret_cast<ocf_devshim_control_fn>(dlsym(RTLD_DEFAULT, OCF_DEVSHIM_CONTROL));
	if (ctl)
		ctl("session_new_delay_us", 2000);
	// Fetched before the threads start (see session_churn), and once by
	// the parent so that a child's fetches are cache hits too.
	EVP_CIPHER *c = ocf_cipher(lib, "AES-128-CBC");
	EVP_MD *md = ocf_md(lib, "SHA256");
	REQUIRE(c);
	REQUIRE(md);
	REQUIRE(fresh_work(lib));
	std::atomic<bool> stop{ false };
	std::vector<std::thread> threads;
	for (int i = 0; i < 3; i++)
		threads.emplace_back(session_churn, c, md, std::cref(stop));
	int hung = 0, failed = 0;
	int forks = 0;
	for (; forks < 60; forks++) {
		std::fflush(nullptr);
		pid_t pid = fork();
		REQUIRE(pid >= 0);
		if (pid == 0)
			_exit(fresh_work(lib) ? 0 : 1);
		// Generous: the VM's emulated CPUs on a busy host are slow.
		int st = 0;
		std::string stacks;
		if (!wait_child(pid, 30, &st, &stacks)) {
			WARN("fork child " << forks << " (pid " << pid << ") hung; its stacks:\n" << stacks);
			if (++hung == 3)
				break;	// enough to tell
		} else if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
			failed++;
		}
		usleep(static_cast<useconds_t>(rand_below(3000)));
	}
	stop = true;
	for (auto &t : threads)
		t.join();
	EVP_MD_free(md);
	EVP_CIPHER_free(c);
	if (ctl)
		ctl("session_new_delay_us", 0);
	INFO(forks << " children: " << hung << " hung, " << failed << " failed their work");
	CHECK(hung == 0);
	CHECK(failed == 0);
}
