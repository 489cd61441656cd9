// The checks the provider makes on its /dev/ocf descriptor, which requests
// no longer pay a system call for (provider/src/device.cpp, its rules): a
// process that enters a seccomp sandbox after using OCF (refusing fstat,
// killing on OCF's ioctls, as OpenSSH's pre-auth sandbox does) goes on in
// software and is not killed; a descriptor closed and its number reused
// under the provider is noticed at the next request, which is done in
// software, and the file is never written to; the provider then opens a
// file of its own again.
#include "common.hpp"

#include "../native/devshim/devshim.h"

#include <catch2/catch.hpp>

#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/ocf.h>
#include <linux/seccomp.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstddef>
#include <cstdio>
#include <cstring>
#include <dirent.h>
#include <dlfcn.h>
#include <poll.h>
#include <string>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

using namespace ptest;

namespace {

// An AES-128-CBC stream encrypted piece by piece on one context.
struct Stream {
	bytes key = rand_bytes(16), iv = rand_bytes(16), pt = rand_bytes(4 * 32), want;
	EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
	std::size_t done = 0;

	explicit Stream(EVP_CIPHER *c)
	{
		EVP_CIPHER *ref = ref_cipher("AES-128-CBC");
		EVP_CIPHER_CTX *r = EVP_CIPHER_CTX_new();
		want.resize(pt.size() + 16);
		int n = 0;
		EVP_EncryptInit_ex2(r, ref, key.data(), iv.data(), nullptr);
		EVP_EncryptUpdate(r, want.data(), &n, pt.data(), static_cast<int>(pt.size()));
		want.resize(static_cast<std::size_t>(n));
		EVP_CIPHER_CTX_free(r);
		EVP_CIPHER_free(ref);
		if (!c || !EVP_EncryptInit_ex2(ctx, c, key.data(), iv.data(), nullptr))
			done = SIZE_MAX;
	}
	~Stream() { EVP_CIPHER_CTX_free(ctx); }
	Stream(const Stream &) = delete;
	Stream &operator=(const Stream &) = delete;

	// The next 32 bytes, checked against the reference.
	bool next()
	{
		if (done + 32 > pt.size())
			return false;
		unsigned char out[48];
		int n = 0;
		if (!EVP_EncryptUpdate(ctx, out, &n, pt.data() + done, 32) || n != 32 ||
		    std::memcmp(out, want.data() + done, 32) != 0)
			return false;
		done += 32;
		return true;
	}
};

// seccomp: fstat and open refused with EACCES, any ioctl of OCF's (magic
// 0xcf) kills the process; everything else allowed. What OpenSSH's pre-auth
// sandbox does to these calls.
bool enter_sandbox()
{
	constexpr unsigned kNr = offsetof(seccomp_data, nr);
	constexpr unsigned kArch = offsetof(seccomp_data, arch);
	constexpr unsigned kCmd = offsetof(seccomp_data, args[1]);	// low half (little-endian)
	constexpr unsigned kRefuse = SECCOMP_RET_ERRNO | EACCES;
	sock_filter prog[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, kArch),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 1, 0),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, kNr),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_fstat, 5, 0),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_newfstatat, 4, 0),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_statx, 3, 0),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_openat, 2, 0),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_open, 1, 0),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_ioctl, 1, 2),
		BPF_STMT(BPF_RET | BPF_K, kRefuse),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, kCmd),
		BPF_STMT(BPF_ALU | BPF_AND | BPF_K, 0xff00),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, OCF_IOC_MAGIC << 8, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	sock_fprog fprog{ static_cast<unsigned short>(std::size(prog)), prog };
	return prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == 0 &&
	       prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &fprog) == 0;
}

// The descriptors of this process open on /dev/ocf.
std::vector<int> ocf_descriptors()
{
	std::vector<int> fds;
	DIR *d = opendir("/proc/self/fd");
	if (!d)
		return fds;
	while (dirent *e = readdir(d)) {
		char link[64] = {};
		std::string p = std::string("/proc/self/fd/") + e->d_name;
		if (readlink(p.c_str(), link, sizeof(link) - 1) > 0 && std::strcmp(link, "/dev/ocf") == 0)
			fds.push_back(std::atoi(e->d_name));
	}
	closedir(d);
	return fds;
}

bool under_devshim()
{
	return dlsym(RTLD_DEFAULT, OCF_DEVSHIM_CONTROL) != nullptr;
}

// Runs @body in a fork child; its exit status (0 ok), or 100 + the signal
// that killed it.
template <typename Body>
int in_child(Body body)
{
	std::fflush(nullptr);
	pid_t pid = fork();
	if (pid == 0)
		_exit(body());
	int st = 0;
	if (pid < 0 || waitpid(pid, &st, 0) != pid)
		return 99;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 100 + (WIFSIGNALED(st) ? WTERMSIG(st) : 0);
}

} // namespace

TEST_CASE("device: a process that enters a sandbox after using OCF goes on in software, unkilled",
	  "[device]")
{
	OSSL_LIB_CTX *lib = ocf_ctx("always");
	EVP_CIPHER *c = ocf_cipher(lib, "AES-128-CBC");
	EVP_MD *md = ocf_md(lib, "SHA256"), *rmd = ref_md("SHA256");
	REQUIRE(c);
	REQUIRE(md);
	int st = in_child([&] {
		// Before: the device opens, a session is made (and probed).
		Stream before(c);
		if (!before.next())
			return 2;
		bytes msg = rand_bytes(1000);
		unsigned char want[32], got[32];
		unsigned wl = 0, gl = 0;
		if (!EVP_Digest(msg.data(), msg.size(), want, &wl, rmd, nullptr))
			return 3;
		if (!enter_sandbox())
			return 4;
		// After: a new context and a new key on the old one, each a new
		// session, whose making probes the descriptor first; a digest.
		Stream after(c);
		if (!after.next() || !after.next())
			return 5;
		Stream rekeyed(c);
		if (!rekeyed.next())
			return 6;
		if (!EVP_Digest(msg.data(), msg.size(), got, &gl, md, nullptr) || gl != wl ||
		    std::memcmp(got, want, wl) != 0)
			return 7;
		return 0;
	});
	INFO("child: 0 ok, 2 before, 3 reference digest, 4 seccomp, 5 new context, 6 new key, "
	     "7 digest, 100 + signal (31: SIGSYS, killed by the sandbox)");
	CHECK(st == 0);
	EVP_MD_free(md);
	EVP_MD_free(rmd);
	EVP_CIPHER_free(c);
}

TEST_CASE("device: a descriptor closed and its number reused under the provider is noticed at "
	  "the next request, never written to",
	  "[device]")
{
	// The real device only: the test double serves its descriptor number
	// whatever file is there now.
	if (!ocf_serving() || under_devshim())
		return;
	OSSL_LIB_CTX *lib = ocf_ctx("always");
	EVP_CIPHER *c = ocf_cipher(lib, "AES-128-CBC");
	REQUIRE(c);
	int st = in_child([&] {
		// The test's own handles (its helpers' cached one, opened by its
		// first use) are there before the provider opens its file, in
		// this child, at the context's init.
		ocf_requests();
		std::vector<int> theirs = ocf_descriptors();
		auto providers = [&theirs] {
			std::vector<int> v;
			for (int fd : ocf_descriptors())
				if (std::find(theirs.begin(), theirs.end(), fd) == theirs.end())
					v.push_back(fd);
			return v;
		};
		Stream s(c);
		long long r0 = ocf_requests();
		if (!s.next())
			return 2;
		std::vector<int> fds = providers();
		if (fds.size() != 1 || ocf_requests() <= r0)
			return 3;	// the provider's own file, and it was used
		// The program "closes" our descriptor and a pipe takes the number.
		int p[2];
		if (pipe(p) != 0 || dup2(p[1], fds[0]) != fds[0])
			return 4;
		if (!s.next())
			return 5;	// the request on the same session: software
		struct stat sb {};
		pollfd pf{ p[0], POLLIN, 0 };
		if (fstat(fds[0], &sb) != 0 || !S_ISFIFO(sb.st_mode) || poll(&pf, 1, 0) != 0)
			return 6;	// the pipe is still there, nothing written to it
		// The next request opens a file of the provider's own again.
		long long r1 = ocf_requests();
		if (!s.next())
			return 7;
		std::vector<int> now = providers();
		if (now.size() != 1 || now[0] == fds[0] || ocf_requests() <= r1)
			return 8;
		return 0;
	});
	INFO("child: 0 ok, 2 first request, 3 no file of its own, 4 pipe, 5 request after the "
	     "swap, 6 the pipe touched, 7 request after, 8 not back on OCF");
	CHECK(st == 0);
	EVP_CIPHER_free(c);
}
