// A test double of /dev/ocf for native runs: LD_PRELOAD it and open("/dev/ocf")
// gives a descriptor (of /dev/null, so that fstat(2) sees a character
// device) whose ioctls this library serves with OpenSSL's default provider,
// as swcrypt would. It lets the provider's and libocf's OCF code paths run
// on every build in seconds; the VM runs stay the real thing.
//
// What it models, from the uapi (kernel/include/uapi/linux/ocf.h):
// - VERSION, SESSION_NEW/FREE, RUN, SUBMIT/REAP (synchronously), PRODUCERS,
//   SESSIONS (OCF_LIST_ALL and OCF_LIST_MINE across processes: the session table and the
//   producer's counters live in shared memory, so that a fork child's
//   requests and sessions show in its parent's listing);
// - a session's checks (key, MAC and tag lengths) and an operation's region
//   checks, with the kernel's errors;
// - chaining encrypt-then-MAC and OCF_SESSION_MAC_THEN_CIPHER, AES-GCM with
//   tags 4, 8, 12..16 bytes, releasing no plaintext on -EBADMSG.
//
// Environment: OCF_DEVSHIM_HARDWARE=1 flags the producer OCF_PRODUCER_HARDWARE
// (what mode auto uses). OCF_DEVSHIM_SKIP_CRYPTO=1 makes every operation
// succeed without touching its data (a producer that lies, for tests that
// must notice). OCF_DEVSHIM_STATE=FILE keeps the shared part (the
// session table, the producer's counters) in FILE instead, so that separate
// programs see each other's sessions and requests, as they would on one
// /dev/ocf (e.g. ocfctl sessions listing another process's). Tests steer it at run time through
// ocf_devshim_control() (found with dlsym; see devshim.h), e.g. to unplug the
// producer during a transfer or to make every request fail with an errno.
#include "devshim.h"

#include <linux/ocf.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/provider.h>

#include <atomic>
#include <cerrno>
#include <cstdarg>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <dlfcn.h>
#include <fcntl.h>
#include <map>
#include <mutex>
#include <pthread.h>
#include <signal.h>
#include <string>
#include <sys/ioctl.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <vector>

namespace {

using u8 = unsigned char;

// ---- What is shared between processes (fork keeps MAP_SHARED memory) ----

constexpr unsigned kMaxShared = 8192;

// ocf.ko's default per-file limits (module parameters, not in the uapi header).
constexpr std::size_t kMaxSessions = 1024;
constexpr std::size_t kMaxInFlight = 4096;
constexpr std::uint32_t kMaxOpLen = 0x100000;

struct SharedSession {
	std::uint32_t used, id, owner_pid, cipher, mac, flags;
	std::uint64_t file;	// which open file (unique per open, across processes)
	std::uint32_t uid;	// its user (the kernel's: the file's opener; here the session's maker)
};

struct Shared {
	std::atomic<int> lock;
	std::atomic<std::uint64_t> next_file;
	std::atomic<std::uint64_t> requests, bytes, errors, opens_now;
	SharedSession sessions[kMaxShared];
};

Shared *g_shared;

struct SpinLock {
	SpinLock() { while (g_shared->lock.exchange(1, std::memory_order_acquire)) sched_yield(); }
	~SpinLock() { g_shared->lock.store(0, std::memory_order_release); }
	SpinLock(const SpinLock &) = delete;
	SpinLock &operator=(const SpinLock &) = delete;
};

// ---- Algorithms ----

struct CipherInfo {
	std::uint32_t alg;
	unsigned iv_len, block_len;
	bool aead;
	const char *names[3];	// by key length 16/24/32 (or the one key length)
};

const CipherInfo kCiphers[] = {
	{ OCF_CIPHER_NULL, 0, 1, false, { nullptr, nullptr, nullptr } },
	{ OCF_CIPHER_AES_CBC, 16, 16, false, { "AES-128-CBC", "AES-192-CBC", "AES-256-CBC" } },
	{ OCF_CIPHER_AES_CTR, 16, 1, false, { "AES-128-CTR", "AES-192-CTR", "AES-256-CTR" } },
	{ OCF_CIPHER_DES_CBC, 8, 8, false, { "DES-CBC", nullptr, nullptr } },
	{ OCF_CIPHER_3DES_CBC, 8, 8, false, { "DES-EDE3-CBC", nullptr, nullptr } },
	{ OCF_AEAD_AES_GCM, 12, 1, true, { "AES-128-GCM", "AES-192-GCM", "AES-256-GCM" } },
};

struct MacInfo {
	std::uint32_t alg;
	const char *digest;
	unsigned len;
	bool hmac;
};

const MacInfo kMacs[] = {
	{ OCF_MAC_HMAC_MD5, "MD5", 16, true },	   { OCF_MAC_HMAC_SHA1, "SHA1", 20, true },
	{ OCF_MAC_HMAC_SHA256, "SHA256", 32, true }, { OCF_MAC_HMAC_SHA384, "SHA384", 48, true },
	{ OCF_MAC_HMAC_SHA512, "SHA512", 64, true }, { OCF_HASH_MD5, "MD5", 16, false },
	{ OCF_HASH_SHA1, "SHA1", 20, false },	   { OCF_HASH_SHA224, "SHA224", 28, false },
	{ OCF_HASH_SHA256, "SHA256", 32, false },   { OCF_HASH_SHA384, "SHA384", 48, false },
	{ OCF_HASH_SHA512, "SHA512", 64, false },
};

const CipherInfo *cipher_info(std::uint32_t alg)
{
	for (const auto &c : kCiphers)
		if (c.alg == alg)
			return &c;
	return nullptr;
}

const MacInfo *mac_info(std::uint32_t alg)
{
	for (const auto &m : kMacs)
		if (m.alg == alg)
			return &m;
	return nullptr;
}

bool key_len_ok(const CipherInfo &c, std::uint32_t len)
{
	switch (c.alg) {
	case OCF_CIPHER_NULL:
		return true;
	case OCF_CIPHER_DES_CBC:
		return len == 8;
	case OCF_CIPHER_3DES_CBC:
		return len == 24;
	default:
		return len == 16 || len == 24 || len == 32;
	}
}

std::uint64_t all_algs()
{
	std::uint64_t a = 0;
	for (const auto &c : kCiphers)
		a |= 1ull << c.alg;
	for (const auto &m : kMacs)
		a |= 1ull << m.alg;
	return a;
}

OSSL_LIB_CTX *libctx()
{
	// Its own library context with the default provider only: the process
	// under test may have the ocf provider in its default one.
	static OSSL_LIB_CTX *ctx = [] {
		OSSL_LIB_CTX *c = OSSL_LIB_CTX_new();
		OSSL_PROVIDER_load(c, "default");
		return c;
	}();
	return ctx;
}

// ---- Per-process state: files and their sessions ----

struct Session {
	std::uint32_t flags = 0, cipher = 0, mac = 0, mac_len = 0;
	std::vector<u8> cipher_key, mac_key;
	~Session()
	{
		OPENSSL_cleanse(cipher_key.data(), cipher_key.size());
		OPENSSL_cleanse(mac_key.data(), mac_key.size());
	}
};

struct File {
	std::uint64_t id = 0;		// SharedSession.file
	std::uint32_t next_session = 1;
	std::map<std::uint32_t, Session> sessions;
	std::deque<ocf_completion> done;
};

struct Control {
	int fail_run = 0;		// every operation's status (an errno), 0 = none
	int fail_run_ioctl = 0;		// RUN/SUBMIT themselves fail with it
	int fail_session_new = 0;
	long fail_after = 0;		// operations that still succeed before fail_run applies
	bool unplugged = false;		// no producer: listing empty, ops -ENODEV
	bool absent = false;		// open() fails with ENOENT
	bool hardware = false;
	bool skip_crypto = false;	// ops succeed without touching the data: a lying producer
	std::uint32_t max_len = 16u << 20;
	long session_new_delay_us = 0;	// widens a race window for fork tests
};

std::mutex g_mu;
std::map<int, File> g_files;
Control g_ctl;

using open_fn = int (*)(const char *, int, ...);
using ioctl_fn = int (*)(int, unsigned long, ...);
using close_fn = int (*)(int);

template <typename F> F next_fn(const char *name)
{
	return reinterpret_cast<F>(dlsym(RTLD_NEXT, name));
}

// The shared part in the file OCF_DEVSHIM_STATE names: the first process
// makes and constructs it, under a lock; later ones map it as it is.
Shared *map_state_file(const char *path)
{
	int fd = next_fn<open_fn>("open")(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	struct stat st {};
	if (fd < 0 || flock(fd, LOCK_EX) || fstat(fd, &st) ||
	    (st.st_size == 0 && ftruncate(fd, sizeof(Shared))))
		abort();
	void *m = mmap(nullptr, sizeof(Shared), PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (m == MAP_FAILED)
		abort();
	auto *shared = st.st_size == 0 ? new (m) Shared{} : static_cast<Shared *>(m);
	// The mapping holds the open file, so closing would not drop the lock.
	flock(fd, LOCK_UN);
	next_fn<close_fn>("close")(fd);
	return shared;
}

__attribute__((constructor)) void shim_init()
{
	const char *state = std::getenv("OCF_DEVSHIM_STATE");
	if (state && *state) {
		g_shared = map_state_file(state);
	} else {
		void *m = mmap(nullptr, sizeof(Shared), PROT_READ | PROT_WRITE,
			       MAP_SHARED | MAP_ANONYMOUS, -1, 0);
		if (m == MAP_FAILED)
			abort();
		g_shared = new (m) Shared{};
	}
	// A fork child must not inherit the shim's lock held by another thread.
	pthread_atfork([] { g_mu.lock(); }, [] { g_mu.unlock(); }, [] { g_mu.unlock(); });
	const char *hw = std::getenv("OCF_DEVSHIM_HARDWARE");
	g_ctl.hardware = hw && *hw == '1';
	const char *skip = std::getenv("OCF_DEVSHIM_SKIP_CRYPTO");
	g_ctl.skip_crypto = skip && *skip == '1';
}

void shared_add(const File &f, std::uint32_t id, const Session &s)
{
	SpinLock l;
	for (auto &e : g_shared->sessions)
		if (!e.used) {
			e = SharedSession{ 1, id, static_cast<std::uint32_t>(getpid()), s.cipher, s.mac,
					   s.flags, f.id, static_cast<std::uint32_t>(getuid()) };
			return;
		}
}

void shared_remove(std::uint64_t file, std::uint32_t id, bool all)
{
	SpinLock l;
	for (auto &e : g_shared->sessions)
		if (e.used && e.file == file && (all || e.id == id))
			e.used = 0;
}

// ---- The ioctls ----

int do_version(void *arg)
{
	auto *v = static_cast<ocf_version *>(arg);
	if (v->size < offsetof(ocf_version, reserved))
		return -EINVAL;
	std::uint32_t size = v->size < sizeof(*v) ? v->size : sizeof(*v);
	ocf_version out{};
	out.size = size;
	out.abi_version = OCF_ABI_VERSION;
	std::strcpy(out.module_version, "devshim");
	std::memcpy(v, &out, size);
	return 0;
}

int do_session_new(File &f, void *arg)
{
	auto *sn = static_cast<ocf_session_new *>(arg);
	if (sn->size != sizeof(*sn) || sn->reserved[0] || sn->reserved[1] || sn->session ||
	    sn->producer_chosen)
		return -EINVAL;
	if (sn->cipher_key_len > OCF_MAX_KEY_LEN || sn->mac_key_len > OCF_MAX_MAC_KEY_LEN)
		return -EINVAL;
	if (sn->flags & ~OCF_SESSION_FLAGS)
		return -EINVAL;
	if (sn->cipher == OCF_ALG_NONE && sn->mac == OCF_ALG_NONE)
		return -EINVAL;
	const CipherInfo *c = nullptr;
	const MacInfo *m = nullptr;
	if (sn->cipher) {
		c = cipher_info(sn->cipher);
		if (!c)
			return -EOPNOTSUPP;
		if (!key_len_ok(*c, sn->cipher_key_len))
			return -EINVAL;
	} else if (sn->cipher_key_len) {
		return -EINVAL;
	}
	if (sn->mac) {
		m = mac_info(sn->mac);
		if (!m || (c && c->aead))
			return -EOPNOTSUPP;
		if (!m->hmac && sn->mac_key_len)
			return -EINVAL;
	} else if (sn->mac_key_len) {
		return -EINVAL;
	}
	if ((sn->flags & OCF_SESSION_MAC_THEN_CIPHER) && !(c && m))
		return -EINVAL;
	std::uint32_t full = m ? m->len : c->aead ? 16 : 0, mac_len = sn->mac_len;
	if (!full) {
		if (mac_len)
			return -EINVAL;
	} else if (!mac_len) {
		mac_len = full;
	} else if (mac_len > full) {
		return -EINVAL;
	} else if (c && c->aead && mac_len < 12 && mac_len != 4 && mac_len != 8) {
		return -EINVAL;
	}
	if (sn->producer && sn->producer != 1)
		return -ENOENT;
	if (g_ctl.unplugged)
		return -EOPNOTSUPP;
	if (g_ctl.fail_session_new)
		return -g_ctl.fail_session_new;
	if (f.sessions.size() >= kMaxSessions)
		return -ENOSPC;
	if (g_ctl.session_new_delay_us)
		usleep(static_cast<useconds_t>(g_ctl.session_new_delay_us));
	std::uint32_t id = f.next_session++;
	Session &s = f.sessions[id];
	s.flags = sn->flags;
	s.cipher = sn->cipher;
	s.mac = sn->mac;
	s.mac_len = mac_len;
	const u8 *ck = reinterpret_cast<const u8 *>(static_cast<std::uintptr_t>(sn->cipher_key));
	const u8 *mk = reinterpret_cast<const u8 *>(static_cast<std::uintptr_t>(sn->mac_key));
	s.cipher_key.assign(ck, ck + sn->cipher_key_len);
	s.mac_key.assign(mk, mk + sn->mac_key_len);
	shared_add(f, id, s);
	sn->session = id;
	sn->producer_chosen = 1;
	return 0;
}

int do_session_free(File &f, void *arg)
{
	std::uint32_t id = *static_cast<std::uint32_t *>(arg);
	if (!f.sessions.erase(id))
		return -ENOENT;
	shared_remove(f.id, id, false);
	return 0;
}

bool region_ok(std::uint32_t off, std::uint32_t len, std::uint32_t total)
{
	return static_cast<std::uint64_t>(off) + len <= total;
}

int check_op(const Session &s, const ocf_op &op)
{
	const CipherInfo *c = s.cipher ? cipher_info(s.cipher) : nullptr;
	bool aead = c && c->aead;
	if (op.op != OCF_OP_ENCRYPT && op.op != OCF_OP_DECRYPT)
		return -EINVAL;
	if ((op.flags & ~OCF_OP_FLAGS) || !op.src)
		return -EINVAL;
	if (c) {
		if (!region_ok(op.cipher_offset, op.cipher_len, op.len) ||
		    op.cipher_len % c->block_len)
			return -EINVAL;
		if ((op.flags & OCF_OP_IV_IN_BUFFER) && !region_ok(op.iv_offset, c->iv_len, op.len))
			return -EINVAL;
	} else if (op.cipher_offset || op.cipher_len || (op.flags & OCF_OP_IV_IN_BUFFER)) {
		return -EINVAL;
	}
	if (s.mac || aead) {
		if (!region_ok(op.auth_offset, op.auth_len, op.len) ||
		    !region_ok(op.mac_offset, s.mac_len, op.len))
			return -EINVAL;
	} else if (op.auth_offset || op.auth_len || op.mac_offset) {
		return -EINVAL;
	}
	if (aead && (static_cast<std::uint64_t>(op.auth_offset) + op.auth_len != op.cipher_offset ||
		     static_cast<std::uint64_t>(op.cipher_offset) + op.cipher_len != op.mac_offset))
		return -EINVAL;
	return 0;
}

const char *cipher_name(const Session &s)
{
	const CipherInfo *c = cipher_info(s.cipher);
	std::size_t k = s.cipher_key.size();
	return c->names[k == 32 ? 2 : k == 24 && c->names[1] ? 1 : 0];
}

// Ciphers @len bytes at @p in place. false: an OpenSSL failure.
bool run_cipher(const Session &s, bool enc, const u8 *iv, u8 *p, std::size_t len)
{
	if (s.cipher == OCF_CIPHER_NULL || len == 0)
		return true;
	EVP_CIPHER *ci = EVP_CIPHER_fetch(libctx(), cipher_name(s), nullptr);
	EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
	int a = 0;
	bool ok = ci && ctx && EVP_CipherInit_ex2(ctx, ci, s.cipher_key.data(), iv, enc, nullptr) &&
		  EVP_CIPHER_CTX_set_padding(ctx, 0) &&
		  EVP_CipherUpdate(ctx, p, &a, p, static_cast<int>(len));
	EVP_CIPHER_CTX_free(ctx);
	EVP_CIPHER_free(ci);
	return ok;
}

bool run_digest(const Session &s, const u8 *p, std::size_t len, u8 *out)
{
	const MacInfo *m = mac_info(s.mac);
	if (!m->hmac) {
		EVP_MD *md = EVP_MD_fetch(libctx(), m->digest, nullptr);
		unsigned n = 0;
		bool ok = md && EVP_Digest(p, len, out, &n, md, nullptr);
		EVP_MD_free(md);
		return ok;
	}
	EVP_MAC *mac = EVP_MAC_fetch(libctx(), "HMAC", nullptr);
	EVP_MAC_CTX *ctx = mac ? EVP_MAC_CTX_new(mac) : nullptr;
	OSSL_PARAM params[] = {
		OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, const_cast<char *>(m->digest), 0),
		OSSL_PARAM_construct_end(),
	};
	static const u8 empty[1] = { 0 };
	std::size_t n = 0;
	bool ok = ctx &&
		  EVP_MAC_init(ctx, s.mac_key.empty() ? empty : s.mac_key.data(), s.mac_key.size(),
			       params) &&
		  EVP_MAC_update(ctx, p, len) && EVP_MAC_final(ctx, out, &n, OCF_MAX_MAC_LEN);
	EVP_MAC_CTX_free(ctx);
	EVP_MAC_free(mac);
	return ok;
}

// The MAC of @buf's auth region, compared with @buf's at mac_offset.
int check_mac(const Session &s, const ocf_op &op, const u8 *buf)
{
	u8 d[OCF_MAX_MAC_LEN];
	if (!run_digest(s, buf + op.auth_offset, op.auth_len, d))
		return -ENOMEM;
	int r = CRYPTO_memcmp(d, buf + op.mac_offset, s.mac_len) ? -EBADMSG : 0;
	OPENSSL_cleanse(d, sizeof(d));
	return r;
}

int write_mac(const Session &s, const ocf_op &op, u8 *buf)
{
	u8 d[OCF_MAX_MAC_LEN];
	if (!run_digest(s, buf + op.auth_offset, op.auth_len, d))
		return -ENOMEM;
	std::memcpy(buf + op.mac_offset, d, s.mac_len);
	OPENSSL_cleanse(d, sizeof(d));
	return 0;
}

int run_gcm(const Session &s, const ocf_op &op, const u8 *iv, u8 *buf)
{
	bool enc = op.op == OCF_OP_ENCRYPT;
	EVP_CIPHER *ci = EVP_CIPHER_fetch(libctx(), cipher_name(s), nullptr);
	EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
	int a = 0;
	u8 *text = buf + op.cipher_offset, *tag = buf + op.mac_offset;
	bool ok = ci && ctx && EVP_CipherInit_ex2(ctx, ci, s.cipher_key.data(), iv, enc, nullptr);
	if (ok && !enc)
		ok = EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_TAG, static_cast<int>(s.mac_len), tag);
	ok = ok && (op.auth_len == 0 ||
		    EVP_CipherUpdate(ctx, nullptr, &a, buf + op.auth_offset, static_cast<int>(op.auth_len)));
	ok = ok && (op.cipher_len == 0 ||
		    EVP_CipherUpdate(ctx, text, &a, text, static_cast<int>(op.cipher_len)));
	int r = ok ? 0 : -ENOMEM;
	if (ok && !EVP_CipherFinal_ex(ctx, text + op.cipher_len, &a))
		r = enc ? -ENOMEM : -EBADMSG;
	if (!r && enc)
		r = EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_GET_TAG, static_cast<int>(s.mac_len), tag) ?
			    0 :
			    -ENOMEM;
	EVP_CIPHER_CTX_free(ctx);
	EVP_CIPHER_free(ci);
	return r;
}

// One operation, as swcrypt does it (see ocf_swcrypt.c).
int run_op(const Session &s, ocf_op &op)
{
	int r = check_op(s, op);
	if (r)
		return r;
	if (g_ctl.unplugged)
		return -ENODEV;
	if (g_ctl.fail_run) {
		if (g_ctl.fail_after > 0)
			g_ctl.fail_after--;
		else
			return -g_ctl.fail_run;
	}
	if (op.len > g_ctl.max_len)
		return -E2BIG;
	if (g_ctl.skip_crypto) {
		g_shared->requests++;
		g_shared->bytes += op.len;
		return 0;
	}
	u8 *src = reinterpret_cast<u8 *>(static_cast<std::uintptr_t>(op.src));
	u8 *dst = op.dst ? reinterpret_cast<u8 *>(static_cast<std::uintptr_t>(op.dst)) : src;
	const CipherInfo *c = s.cipher ? cipher_info(s.cipher) : nullptr;
	u8 iv[OCF_MAX_IV_LEN] = {};
	if (c && c->iv_len)
		std::memcpy(iv, op.flags & OCF_OP_IV_IN_BUFFER ? src + op.iv_offset :
			    reinterpret_cast<const u8 *>(static_cast<std::uintptr_t>(op.iv)), c->iv_len);
	std::vector<u8> buf(src, src + op.len);
	bool enc = op.op == OCF_OP_ENCRYPT;
	u8 *region = buf.data() + op.cipher_offset;
	bool zero_on_bad = false;
	if (c && c->aead) {
		r = run_gcm(s, op, iv, buf.data());
		zero_on_bad = true;
	} else if (c && s.mac) {
		if (!(s.flags & OCF_SESSION_MAC_THEN_CIPHER)) {
			if (enc) {
				r = run_cipher(s, true, iv, region, op.cipher_len) ?
					    write_mac(s, op, buf.data()) : -ENOMEM;
			} else {
				// Verify first: a forged message is never decrypted.
				r = check_mac(s, op, buf.data());
				if (!r && !run_cipher(s, false, iv, region, op.cipher_len))
					r = -ENOMEM;
			}
		} else if (enc) {
			r = write_mac(s, op, buf.data());
			if (!r && !run_cipher(s, true, iv, region, op.cipher_len))
				r = -ENOMEM;
		} else {
			r = run_cipher(s, false, iv, region, op.cipher_len) ? check_mac(s, op, buf.data()) :
									      -ENOMEM;
			zero_on_bad = true;
		}
	} else if (c) {
		r = run_cipher(s, enc, iv, region, op.cipher_len) ? 0 : -ENOMEM;
	} else if (enc) {
		r = write_mac(s, op, buf.data());
	} else {
		r = check_mac(s, op, buf.data());
	}
	if (r == -EBADMSG && zero_on_bad) {
		std::memset(dst + op.cipher_offset, 0, op.cipher_len);
	} else if (r == 0 && !(s.mac && !c && !enc)) {
		std::memcpy(dst, buf.data(), op.len);
	}
	OPENSSL_cleanse(buf.data(), buf.size());
	g_shared->requests++;
	if (r)
		g_shared->errors++;
	else
		g_shared->bytes += op.len;
	return r;
}

int read_batch(void *arg, ocf_batch &b)
{
	b = *static_cast<ocf_batch *>(arg);
	if (b.size != sizeof(b) || b.flags || b.reserved0 || b.done || b.reserved[0] ||
	    b.reserved[1])
		return -EINVAL;
	if (!b.count || b.count > OCF_MAX_BATCH || b.op_size < sizeof(ocf_op) || b.op_size > 4096)
		return -EINVAL;
	return 0;
}

ocf_op *op_at(const ocf_batch &b, std::uint32_t i)
{
	return reinterpret_cast<ocf_op *>(static_cast<std::uintptr_t>(b.ops) +
					  static_cast<std::size_t>(i) * b.op_size);
}

int op_status(File &f, ocf_op &op)
{
	if (op.reserved0 || op.reserved[0] || op.reserved[1])
		return -EINVAL;
	if (op.len > kMaxOpLen)
		return -E2BIG;
	auto it = f.sessions.find(op.session);
	if (it == f.sessions.end())
		return -ENOENT;
	return run_op(it->second, op);
}

int do_run(File &f, void *arg, bool submit)
{
	ocf_batch b;
	int r = read_batch(arg, b);
	if (r)
		return r;
	if (g_ctl.fail_run_ioctl)
		return -g_ctl.fail_run_ioctl;
	if (submit && f.done.size() + b.count > kMaxInFlight)
		return -EAGAIN;
	for (std::uint32_t i = 0; i < b.count; i++) {
		ocf_op *op = op_at(b, i);
		int st = op_status(f, *op);
		if (submit)
			f.done.push_back(ocf_completion{ op->tag, st, 0 });
		else
			op->status = st;
	}
	static_cast<ocf_batch *>(arg)->done = b.count;
	return 0;
}

int do_reap(File &f, void *arg)
{
	auto *rp = static_cast<ocf_reap *>(arg);
	if (rp->size != sizeof(*rp) || (rp->flags & ~OCF_REAP_FLAGS) || !rp->max ||
	    rp->max > OCF_MAX_BATCH || rp->reserved[0] || rp->reserved[1])
		return -EINVAL;
	auto *out = reinterpret_cast<ocf_completion *>(static_cast<std::uintptr_t>(rp->completions));
	std::uint32_t n = 0;
	while (n < rp->max && !f.done.empty()) {
		out[n++] = f.done.front();
		f.done.pop_front();
	}
	rp->count = n;
	rp->in_flight = static_cast<std::uint32_t>(f.done.size());
	return 0;
}

bool alive(std::uint32_t pid)
{
	return kill(static_cast<pid_t>(pid), 0) == 0 || errno == EPERM;
}

int do_list(File &f, void *arg, bool sessions)
{
	auto *l = static_cast<ocf_list *>(arg);
	if (l->size != sizeof(*l) || l->reserved[0] || l->reserved[1])
		return -EINVAL;
	if (!sessions && l->flags)
		return -EINVAL;
	if (sessions && ((l->flags & ~(OCF_LIST_ALL | OCF_LIST_MINE)) ||
			 ((l->flags & OCF_LIST_ALL) && (l->flags & OCF_LIST_MINE))))
		return -EINVAL;
	std::uint32_t written = 0, total = 0;
	auto *out = reinterpret_cast<u8 *>(static_cast<std::uintptr_t>(l->entries));
	if (!sessions) {
		if (l->entry_size < sizeof(ocf_producer_info) && l->max)
			return -EINVAL;
		if (!g_ctl.unplugged) {
			total = 1;
			if (l->max) {
				ocf_producer_info p{};
				p.id = 1;
				p.flags = (g_ctl.hardware ? OCF_PRODUCER_HARDWARE :
							    OCF_PRODUCER_SOFTWARE | OCF_PRODUCER_SYNC) |
					  OCF_PRODUCER_CAN_CHAIN | OCF_PRODUCER_CAN_MAC_THEN_CIPHER;
				std::strcpy(p.name, g_ctl.hardware ? "devshim-hw" : "devshim");
				p.algs = all_algs();
				p.max_len = g_ctl.max_len;
				p.stats.requests = g_shared->requests;
				p.stats.bytes = g_shared->bytes;
				p.stats.errors = g_shared->errors;
				std::memcpy(out, &p, sizeof(p));
				written = 1;
			}
		}
	} else {
		if (l->entry_size < sizeof(ocf_session_info) && l->max)
			return -EINVAL;
		SpinLock lk;
		for (const auto &e : g_shared->sessions) {
			if (!e.used || !alive(e.owner_pid))
				continue;
			if (l->flags & OCF_LIST_MINE ? e.uid != getuid() :
			    !(l->flags & OCF_LIST_ALL) && e.file != f.id)
				continue;
			total++;
			if (written < l->max) {
				ocf_session_info si{};
				si.session = e.id;
				si.owner_pid = e.owner_pid;
				si.cipher = e.cipher;
				si.mac = e.mac;
				si.producer = g_ctl.unplugged ? 0 : 1;
				si.flags = e.flags;
				std::memcpy(out + static_cast<std::size_t>(written) * l->entry_size, &si,
					    sizeof(si));
				written++;
			}
		}
	}
	l->count = written;
	l->total = total;
	return 0;
}

int shim_ioctl(File &f, unsigned long req, void *arg)
{
	switch (req) {
	case OCF_IOC_VERSION:
		return do_version(arg);
	case OCF_IOC_SESSION_NEW:
		return do_session_new(f, arg);
	case OCF_IOC_SESSION_FREE:
		return do_session_free(f, arg);
	case OCF_IOC_RUN:
		return do_run(f, arg, false);
	case OCF_IOC_SUBMIT:
		return do_run(f, arg, true);
	case OCF_IOC_REAP:
		return do_reap(f, arg);
	case OCF_IOC_PRODUCERS:
		return do_list(f, arg, false);
	case OCF_IOC_SESSIONS:
		return do_list(f, arg, true);
	default:
		return -ENOTTY;
	}
}

bool is_device(const char *path)
{
	return path && std::strcmp(path, OCF_DEVICE_PATH) == 0;
}

int shim_open(int flags)
{
	if (g_ctl.absent) {
		errno = ENOENT;
		return -1;
	}
	static open_fn real = next_fn<open_fn>("open");
	int fd = real("/dev/null", (flags & O_CLOEXEC) | O_RDWR);
	if (fd < 0)
		return fd;
	std::lock_guard lock(g_mu);
	File &f = g_files[fd];
	f = File{};
	f.id = ++g_shared->next_file;
	g_shared->opens_now++;
	return fd;
}

} // namespace

extern "C" {

__attribute__((visibility("default"))) int open(const char *path, int flags, ...)
{
	mode_t mode = 0;
	if (flags & (O_CREAT | O_TMPFILE)) {
		va_list ap;
		va_start(ap, flags);
		mode = static_cast<mode_t>(va_arg(ap, int));
		va_end(ap);
	}
	if (is_device(path))
		return shim_open(flags);
	static open_fn real = next_fn<open_fn>("open");
	return real(path, flags, mode);
}

// Same call on a 64-bit libc (O_LARGEFILE is implied), so the same code.
__attribute__((visibility("default"), alias("open"))) int open64(const char *path, int flags, ...);

__attribute__((visibility("default"))) int close(int fd)
{
	{
		std::lock_guard lock(g_mu);
		auto it = g_files.find(fd);
		if (it != g_files.end()) {
			shared_remove(it->second.id, 0, true);
			g_files.erase(it);
			g_shared->opens_now--;
		}
	}
	static close_fn real = next_fn<close_fn>("close");
	return real(fd);
}

__attribute__((visibility("default"))) int ioctl(int fd, unsigned long req, ...)
{
	va_list ap;
	va_start(ap, req);
	void *arg = va_arg(ap, void *);
	va_end(ap);
	{
		std::lock_guard lock(g_mu);
		auto it = g_files.find(fd);
		if (it != g_files.end()) {
			int r = shim_ioctl(it->second, req, arg);
			if (r < 0) {
				errno = -r;
				return -1;
			}
			return r;
		}
	}
	static ioctl_fn real = next_fn<ioctl_fn>("ioctl");
	return real(fd, req, arg);
}

__attribute__((visibility("default"))) long ocf_devshim_control(const char *what, long value)
{
	std::lock_guard lock(g_mu);
	std::string w = what;
	if (w == "fail_run")
		g_ctl.fail_run = static_cast<int>(value);
	else if (w == "fail_after")
		g_ctl.fail_after = value;
	else if (w == "fail_run_ioctl")
		g_ctl.fail_run_ioctl = static_cast<int>(value);
	else if (w == "fail_session_new")
		g_ctl.fail_session_new = static_cast<int>(value);
	else if (w == "unplugged")
		g_ctl.unplugged = value != 0;
	else if (w == "absent")
		g_ctl.absent = value != 0;
	else if (w == "hardware")
		g_ctl.hardware = value != 0;
	else if (w == "skip_crypto")
		g_ctl.skip_crypto = value != 0;
	else if (w == "session_new_delay_us")
		g_ctl.session_new_delay_us = value;
	else if (w == "max_len")
		g_ctl.max_len = static_cast<std::uint32_t>(value);
	else if (w == "open_files")	// files open now, in all processes
		return static_cast<long>(g_shared->opens_now.load());
	else if (w == "files_here")	// files open in this process
		return static_cast<long>(g_files.size());
	else if (w == "reset")
		g_ctl = Control{ .hardware = g_ctl.hardware, .skip_crypto = g_ctl.skip_crypto };
	else
		return -EINVAL;
	return 0;
}

} // extern "C"
