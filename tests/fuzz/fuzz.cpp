// The ioctl fuzzer of /dev/ocf (ocf_fuzz fuzz).
//
// Worker threads share a few open files and call random ioctls with random
// struct contents whose pointers aim at the arena (arena.hpp); now and then
// a worker closes, reopens or dups a shared file, or forks a child that
// fuzzes briefly (with a file passed over SCM_RIGHTS) and _exits. A child
// process does the same as nobody. A root thread unplugs and replugs the
// null producers, changes their busy_every, and unloads and reloads
// ocf_null under it all, and a pair of threads races SESSION_NEW (struct on
// a read-only page) against SESSION_FREE of the ids it hands out next.
// Each worker also runs known-answer operations on a file of its own and
// rare probes with a certain answer (a forked child reaping another
// process's op must not receive its output; REAP WAIT with nothing
// submitted must not wait on a RUN): those, and calls whose success is
// certain, are the only assertions; for anything else only "no crash, no
// kernel report" counts.
#include "arena.hpp"
#include "common.hpp"
#include "fuzz.hpp"

#include "../vm/helpers.hpp"

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>
#include <vector>

namespace ocffuzz {

namespace {

constexpr int nslots = 4;
constexpr std::uint32_t max_ids = 32;

arena the_arena;
fuzz_options opts;
std::atomic<int> slots[nslots];
bool privileged = true;
// ocf.ko's max_op_len, read at start (the uapi header need not carry it).
std::uint32_t max_op_len = 1u << 20;

void read_max_op_len()
{
	if (FILE *f = std::fopen("/sys/module/ocf/parameters/max_op_len", "r")) {
		unsigned int v;
		if (std::fscanf(f, "%u", &v) == 1)
			max_op_len = v;
		std::fclose(f);
	}
}

// Valid session parameters: the fuzzer mutates from these.
struct alg_desc {
	std::uint32_t cipher, mac, key_len, mac_key_len, flags;
};
constexpr alg_desc algs[] = {
	{OCF_CIPHER_NULL, OCF_ALG_NONE, 0, 0, 0},
	{OCF_CIPHER_NULL, OCF_ALG_NONE, 16, 0, 0},
	{OCF_CIPHER_AES_CBC, OCF_ALG_NONE, 16, 0, 0},
	{OCF_CIPHER_AES_CBC, OCF_ALG_NONE, 32, 0, 0},
	{OCF_CIPHER_AES_CTR, OCF_ALG_NONE, 24, 0, 0},
	{OCF_CIPHER_DES_CBC, OCF_ALG_NONE, 8, 0, 0},
	{OCF_CIPHER_3DES_CBC, OCF_ALG_NONE, 24, 0, 0},
	{OCF_AEAD_AES_GCM, OCF_ALG_NONE, 16, 0, 0},
	{OCF_ALG_NONE, OCF_HASH_SHA256, 0, 0, 0},
	{OCF_ALG_NONE, OCF_HASH_MD5, 0, 0, 0},
	{OCF_ALG_NONE, OCF_MAC_HMAC_SHA1, 0, 20, 0},
	{OCF_ALG_NONE, OCF_MAC_HMAC_SHA512, 0, 128, 0},
	{OCF_CIPHER_AES_CBC, OCF_MAC_HMAC_SHA256, 16, 32, 0},
	{OCF_CIPHER_AES_CBC, OCF_MAC_HMAC_SHA1, 32, 20, OCF_SESSION_MAC_THEN_CIPHER},
	{OCF_CIPHER_NULL, OCF_MAC_HMAC_MD5, 0, 16, 0},
};
constexpr std::uint32_t nalgs = sizeof(algs) / sizeof(algs[0]);

struct known_session {
	std::uint32_t id;
	std::uint32_t alg; // index in algs
};

// One worker's state; a forked child carries a copy of its parent thread's.
struct worker {
	rng r{};
	int index = 0;
	known_session ids[max_ids]{};
	std::uint32_t nids = 0, last_id = 0;
	pthread_t tid{};
	std::atomic<double> busy_since{0};
	double signalled_for = 0; // the watchdog's, for counting calls once
	bool in_child = false;
	// Known-answer state: a file nobody else uses.
	int kat_fd = -1;
	std::uint32_t kat_aes = 0, kat_sha = 0, kat_null = 0;
	ocft::bytes aes_key;
	std::uint8_t *kat_mem = nullptr;
	std::size_t kat_size = 0;
};

// Of this process, for the watchdog and for a forked child, which closes
// their known-answer files first thing.
std::vector<worker *> workers;

void no_op_handler(int) {}

void install_handlers()
{
	struct sigaction sa {};
	sa.sa_handler = no_op_handler;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = 0; // no SA_RESTART: a blocked ioctl returns -EINTR
	::sigaction(SIGUSR1, &sa, nullptr);
	::sigaction(SIGALRM, &sa, nullptr);
	::signal(SIGPIPE, SIG_IGN);
}

int pick_fd(worker &w)
{
	return slots[w.r.below(nslots)].load(std::memory_order_relaxed);
}

// Now and then, a field the kernel should only write (or never read) holds
// anything at all.
template <typename T> void sometimes_garbage(rng &r, T &field)
{
	if (r.one_in(20))
		field = static_cast<T>(r.next());
}

// Sizes, counts, offsets: the edges first.
std::uint32_t interesting(rng &r, std::uint32_t len)
{
	switch (r.below(20)) {
	case 0: return 0;
	case 1: return 1;
	case 2: return 15;
	case 3: return 16;
	case 4: return 4095;
	case 5: return 4096;
	case 6: return 4097;
	case 7: return len;
	case 8: return len - 1;
	case 9: return len + 1;
	case 10: return len / 2;
	case 11: return 0x7fffffffu;
	case 12: return 0x80000000u;
	case 13: return 0xfffffff0u;
	case 14: return 0xffffffffu;
	case 15: return 0xffffffffu - len + 1;
	case 16: return OCF_MAX_BATCH + r.below(3) - 1;
	case 17: return max_op_len + r.below(3) - 1;
	default: return r.below(len + 64);
	}
}

// Ids: known ones, freed ones, guesses of the next one another thread gets
// (lowest free or the last plus one), and nonsense.
std::uint32_t session_id(worker &w)
{
	switch (w.r.below(12)) {
	case 0: return 0;
	case 1: case 2: return 1 + w.r.below(8);
	case 3: return w.r.u32();
	case 4: case 5: return w.last_id + 1 + w.r.below(3);
	default:
		return w.nids ? w.ids[w.r.below(w.nids)].id : 1 + w.r.below(8);
	}
}

void remember(worker &w, std::uint32_t id, std::uint32_t alg)
{
	w.last_id = id;
	if (w.nids < max_ids)
		w.ids[w.nids++] = {id, alg};
	else
		w.ids[w.r.below(max_ids)] = {id, alg};
}

void forget_id(worker &w, std::uint32_t id)
{
	for (std::uint32_t i = 0; i < w.nids; i++)
		if (w.ids[i].id == id) {
			w.ids[i] = w.ids[--w.nids];
			return;
		}
}

// ---- the calls -----------------------------------------------------------------

// _IOC with the same number and a wrong size or direction, or our type
// with a number we do not have. Never another type: the VFS answers some
// (FIOASYNC, FIFREEZE...) itself, for every file.
unsigned long wrong_cmd(rng &r, unsigned long right)
{
	unsigned long nr = _IOC_NR(right), dir = _IOC_DIR(right), size = _IOC_SIZE(right);
	switch (r.below(4)) {
	case 0: size = r.below(_IOC_SIZEMASK + 1); break;
	case 1: dir = r.below(4); break;
	case 2: nr = r.below(256); break;
	default: size = size + 8 * (1 + r.below(4)); break;
	}
	return _IOC(dir, OCF_IOC_MAGIC, nr, size);
}

unsigned long cmd_or_wrong(rng &r, unsigned long cmd)
{
	return r.one_in(12) ? wrong_cmd(r, cmd) : cmd;
}

std::uint32_t struct_size(rng &r, std::uint32_t right)
{
	if (!r.one_in(8))
		return right;
	switch (r.below(5)) {
	case 0: return right - 8;
	case 1: return right + 8;
	case 2: return 0;
	case 3: return 4096 + r.below(8192);
	default: return r.u32();
	}
}

// Fills the tail of a struct that the kernel may treat as "larger caller":
// the arena place gets the struct plus extra bytes, zero or not.
template <typename T>
std::uint64_t place_struct(worker &w, T &s)
{
	alignas(8) std::uint8_t buf[sizeof(T) + 64];
	std::memcpy(buf, &s, sizeof(T));
	std::memset(buf + sizeof(T), w.r.one_in(4) ? 0x77 : 0, 64);
	return the_arena.place(w.r, buf, sizeof(buf));
}

void call_version(worker &w, int fd)
{
	struct ocf_version v {};
	v.size = struct_size(w.r, sizeof(v));
	if (w.r.one_in(10))
		v.reserved[w.r.below(2)] = w.r.next();
	xioctl(fd, cmd_or_wrong(w.r, OCF_IOC_VERSION), place_struct(w, v));
}

void call_session_new(worker &w, int fd)
{
	struct ocf_session_new sn {};
	const std::uint32_t a = w.r.below(nalgs);
	sn.size = struct_size(w.r, sizeof(sn));
	sn.flags = w.r.one_in(10) ? w.r.u32() : algs[a].flags;
	sn.cipher = w.r.one_in(10) ? w.r.below(80) : algs[a].cipher;
	sn.mac = w.r.one_in(10) ? w.r.below(80) : algs[a].mac;
	sn.cipher_key_len = w.r.one_in(8) ? interesting(w.r, algs[a].key_len) : algs[a].key_len;
	sn.mac_key_len = w.r.one_in(8) ? interesting(w.r, algs[a].mac_key_len) : algs[a].mac_key_len;
	sn.cipher_key = w.r.one_in(4) ? the_arena.pointer(w.r, sn.cipher_key_len)
				      : reinterpret_cast<std::uintptr_t>(the_arena.valid(w.r, 64));
	sn.mac_key = w.r.one_in(4) ? the_arena.pointer(w.r, sn.mac_key_len)
				   : reinterpret_cast<std::uintptr_t>(the_arena.valid(w.r, 256));
	if (w.r.one_in(6))
		sn.mac_len = interesting(w.r, 16);
	if (w.r.one_in(6))
		sn.producer = w.r.one_in(2) ? 1 + w.r.below(6) : w.r.u32();
	if (w.r.one_in(16))
		sn.session = w.r.u32();
	if (w.r.one_in(16))
		sn.reserved[w.r.below(2)] = w.r.next();
	const std::uint64_t at = place_struct(w, sn);
	const int r = xioctl(fd, cmd_or_wrong(w.r, OCF_IOC_SESSION_NEW), at);
	const auto *rw = the_arena.rw();
	if (r == 0 && at >= reinterpret_cast<std::uintptr_t>(rw) &&
	    at + sizeof(sn) <= reinterpret_cast<std::uintptr_t>(rw + the_arena.rw_size())) {
		std::uint32_t id;
		std::memcpy(&id, reinterpret_cast<const std::uint8_t *>(at) +
				     offsetof(struct ocf_session_new, session), sizeof(id));
		remember(w, id, a);
	}
}

void call_session_free(worker &w, int fd)
{
	std::uint32_t id = session_id(w);
	const int r = xioctl(fd, cmd_or_wrong(w.r, OCF_IOC_SESSION_FREE), the_arena.place(w.r, &id, sizeof(id)));
	if (r == 0 || r == -ENOENT)
		forget_id(w, id);
}

// A key operation (OCF_OP_KEY): its struct ocf_kop in the arena, mostly
// with the right operand counts and small operands (an 8192-bit
// exponentiation takes TCG seconds), any field random otherwise.
void fill_kop(worker &w, struct ocf_op &op)
{
	static const std::uint8_t counts[][2] = {
		{ 0, 0 }, { 3, 1 }, { 6, 1 }, { 5, 2 }, { 7, 0 }, { 3, 1 },
	};
	rng &r = w.r;
	struct ocf_kop k {};
	k.size = struct_size(r, sizeof(k));
	k.kop = r.one_in(10) ? r.u32() : 1 + r.below(5);
	if (k.kop < std::size(counts) && !r.one_in(10)) {
		k.in_count = counts[k.kop][0];
		k.out_count = counts[k.kop][1];
	} else {
		k.in_count = r.below(10);
		k.out_count = r.below(10);
	}
	k.flags = r.one_in(8) ? (r.one_in(2) ? OCF_KOP_F_PRIME_MODULUS : r.u32()) : 0;
	k.producer = r.one_in(20) ? r.below(8) : 0;
	for (struct ocf_kparam &p : k.param) {
		const std::uint32_t len = r.one_in(30) ? interesting(r, OCF_KOP_MAX_BYTES)
					  : r.one_in(8) ? r.below(257) : r.below(33);
		p.len = len;
		if (r.one_in(8)) {
			p.data = the_arena.pointer(r, len);
			continue;
		}
		std::uint8_t *at = the_arena.valid(r, len);
		p.data = reinterpret_cast<std::uintptr_t>(at);
		// Odd moduli now and then, so that more ops get past the checks.
		if (len && len <= 256 && r.one_in(2))
			at[len - 1] |= 1;
	}
	sometimes_garbage(r, k.reserved[r.below(2)]);
	sometimes_garbage(r, k.param[r.below(OCF_KOP_MAX_PARAMS)].reserved);
	op = {};
	op.op = OCF_OP_KEY;
	op.tag = r.next();
	op.src = r.one_in(10) ? the_arena.pointer(r, sizeof(k)) : place_struct(w, k);
	if (r.one_in(20))
		op.len = r.u32();
	if (r.one_in(20))
		op.session = session_id(w);
}

// An operation: structured for its session's algorithm most of the time
// (so that it reaches a producer), any field random otherwise; now and then
// a key operation.
void fill_op(worker &w, struct ocf_op &op, bool many)
{
	rng &r = w.r;
	std::uint32_t alg = 0;
	if (r.one_in(8)) {
		fill_kop(w, op);
		return;
	}
	op = {};
	if (w.nids && !r.one_in(8)) {
		const known_session &k = w.ids[r.below(w.nids)];
		op.session = k.id;
		alg = k.alg;
	} else {
		op.session = session_id(w);
		alg = r.below(nalgs);
	}
	// Mostly copied sizes, some pinned, a few at the edges: crypto on large
	// buffers is what costs most time under TCG.
	std::uint32_t len;
	const std::uint32_t size_kind = r.below(100);
	if (size_kind < 75 || many)
		len = r.below(4097); // copied
	else if (size_kind < 95)
		len = 4097 + r.below(32 * 1024); // pinned
	else if (size_kind < 97)
		len = 4097 + r.below(1024 * 1024);
	else
		len = interesting(r, max_op_len);
	if (r.below(3))
		len &= ~15u;
	op.len = len;
	op.op = r.one_in(20) ? r.u32() : r.below(2);
	op.flags = r.one_in(10) ? (r.one_in(2) ? OCF_OP_IV_IN_BUFFER : r.u32()) : 0;
	const std::uint64_t src = r.one_in(6) ? the_arena.pointer(r, len)
					      : reinterpret_cast<std::uintptr_t>(the_arena.valid(r, len));
	op.src = src;
	switch (r.below(6)) {
	case 0: case 1: op.dst = 0; break;
	case 2: op.dst = src; break;
	case 3: op.dst = the_arena.pointer(r, len); break;
	default: op.dst = reinterpret_cast<std::uintptr_t>(the_arena.valid(r, len)); break;
	}
	op.iv = the_arena.pointer(r, 16);
	op.tag = r.next();
	const alg_desc &a = algs[alg];
	const std::uint32_t mac = a.mac ? 16 : (a.cipher == OCF_AEAD_AES_GCM ? 16 : 0);
	if (!r.one_in(5)) {
		const std::uint32_t body = len > mac ? len - mac : 0;
		const std::uint32_t aad = a.cipher == OCF_AEAD_AES_GCM ? std::min<std::uint32_t>(16, body) : 0;
		op.auth_offset = 0;
		op.auth_len = a.cipher == OCF_AEAD_AES_GCM ? aad : (a.mac ? body : 0);
		op.cipher_offset = aad;
		op.cipher_len = a.cipher ? ((body - aad) & ~15u) : 0;
		op.mac_offset = mac ? op.cipher_offset + op.cipher_len : 0;
		if (a.mac && a.cipher != OCF_AEAD_AES_GCM)
			op.mac_offset = body;
	} else {
		op.cipher_offset = interesting(r, len);
		op.cipher_len = interesting(r, len);
		op.auth_offset = interesting(r, len);
		op.auth_len = interesting(r, len);
		op.mac_offset = interesting(r, len);
		op.iv_offset = interesting(r, len);
	}
	if (r.one_in(30))
		op.reserved0 = r.u32();
	if (r.one_in(30))
		op.reserved[r.below(2)] = r.next();
	if (r.one_in(30))
		op.status = static_cast<std::int32_t>(r.u32());
}

void call_batch(worker &w, int fd, bool submit)
{
	rng &r = w.r;
	std::uint32_t count;
	switch (r.below(10)) {
	case 0: count = 32 + r.below(OCF_MAX_BATCH - 31); break;
	case 1: count = interesting(r, OCF_MAX_BATCH); break;
	default: count = 1 + r.below(8); break;
	}
	std::uint32_t op_size = sizeof(struct ocf_op);
	bool tail_nonzero = false;
	if (r.one_in(10)) {
		switch (r.below(4)) {
		case 0: op_size = sizeof(struct ocf_op) + 8 * (1 + r.below(8)); break;
		case 1: op_size = sizeof(struct ocf_op) - 8; break;
		case 2: op_size = 4096 + r.below(2); break;
		default: op_size = r.u32(); break;
		}
		tail_nonzero = r.one_in(3);
	}
	// Build the array straight in the arena (it is big enough for 1024 ops
	// of up to 512 bytes), then hand the kernel it or a bad pointer.
	const std::uint32_t real = std::min<std::uint32_t>(count, OCF_MAX_BATCH);
	const std::uint32_t stride = std::clamp<std::uint32_t>(op_size, sizeof(struct ocf_op), 512);
	const std::size_t bytes = static_cast<std::size_t>(real) * stride;
	std::uint8_t *at = the_arena.valid(r, bytes);
	const bool many = real > 16;
	for (std::uint32_t i = 0; i < real; i++) {
		struct ocf_op op;
		fill_op(w, op, many);
		std::uint8_t *p = at + static_cast<std::size_t>(i) * stride;
		std::memcpy(p, &op, sizeof(op));
		if (stride > sizeof(op))
			std::memset(p + sizeof(op), tail_nonzero ? 0x11 : 0, stride - sizeof(op));
	}
	struct ocf_batch b {};
	b.size = struct_size(r, sizeof(b));
	b.op_size = op_size;
	b.count = count;
	b.ops = r.one_in(10) ? the_arena.pointer(r, bytes) : reinterpret_cast<std::uintptr_t>(at);
	sometimes_garbage(r, b.flags);
	sometimes_garbage(r, b.done);
	sometimes_garbage(r, b.reserved[r.below(2)]);
	xioctl(fd, cmd_or_wrong(r, submit ? OCF_IOC_SUBMIT : OCF_IOC_RUN), place_struct(w, b));
}

void call_reap(worker &w, int fd)
{
	rng &r = w.r;
	struct ocf_reap rp {};
	rp.size = struct_size(r, sizeof(rp));
	rp.max = r.one_in(4) ? interesting(r, OCF_MAX_BATCH) : 1 + r.below(64);
	rp.flags = r.one_in(5) ? OCF_REAP_WAIT : 0;
	sometimes_garbage(r, rp.flags);
	rp.min_complete = r.one_in(2) ? 1 + r.below(8) : interesting(r, rp.max);
	rp.completions = the_arena.pointer(r, static_cast<std::size_t>(std::min<std::uint32_t>(rp.max, 4096)) *
						      sizeof(struct ocf_completion));
	sometimes_garbage(r, rp.count);
	sometimes_garbage(r, rp.reserved[r.below(2)]);
	xioctl(fd, cmd_or_wrong(r, OCF_IOC_REAP), place_struct(w, rp));
}

void call_list(worker &w, int fd, bool sessions)
{
	rng &r = w.r;
	struct ocf_list l {};
	const std::uint32_t esize = sessions ? sizeof(struct ocf_session_info) : sizeof(struct ocf_producer_info);
	l.size = struct_size(r, sizeof(l));
	l.flags = sessions && r.one_in(2) ? OCF_LIST_ALL : (r.one_in(20) ? r.u32() : 0);
	l.entry_size = r.one_in(6) ? interesting(r, esize) : esize;
	l.max = r.one_in(6) ? interesting(r, 16) : r.below(16);
	l.entries = the_arena.pointer(r, static_cast<std::size_t>(std::min<std::uint32_t>(l.max, 64)) *
						 std::min<std::uint32_t>(l.entry_size, 4096));
	sometimes_garbage(r, l.total);
	sometimes_garbage(r, l.reserved[r.below(2)]);
	xioctl(fd, cmd_or_wrong(r, sessions ? OCF_IOC_SESSIONS : OCF_IOC_PRODUCERS), place_struct(w, l));
}

void call_random(worker &w, int fd)
{
	rng &r = w.r;
	const unsigned long cmd = _IOC(r.below(4), OCF_IOC_MAGIC, r.below(32), r.below(_IOC_SIZEMASK + 1));
	xioctl(fd, cmd, r.one_in(2) ? the_arena.pointer(r, _IOC_SIZE(cmd)) : r.next());
}

void call_poll(worker &w, int fd)
{
	struct pollfd p {fd, static_cast<short>(POLLIN | (w.r.one_in(4) ? POLLOUT : 0)), 0};
	::poll(&p, 1, static_cast<int>(w.r.below(3)));
}

// One random call on one of the shared files (malloc-free: forked children
// of a threaded process run it too).
void fuzz_one(worker &w, int fd)
{
	w.busy_since.store(now_s(), std::memory_order_relaxed);
	const std::uint32_t k = w.r.below(100);
	if (k < 4)
		call_version(w, fd);
	else if (k < 18)
		call_session_new(w, fd);
	else if (k < 26)
		call_session_free(w, fd);
	else if (k < 44)
		call_batch(w, fd, false);
	else if (k < 64)
		call_batch(w, fd, true);
	else if (k < 82)
		call_reap(w, fd);
	else if (k < 86)
		call_list(w, fd, false);
	else if (k < 90)
		call_list(w, fd, true);
	else if (k < 95)
		call_random(w, fd);
	else
		call_poll(w, fd);
	w.busy_since.store(0, std::memory_order_relaxed);
	shared().calls.fetch_add(1, std::memory_order_relaxed);
	if (!privileged)
		shared().calls_nobody.fetch_add(1, std::memory_order_relaxed);
}

// ---- files: close, reopen, dup, fork, SCM_RIGHTS -------------------------------

void replace_slot(int i, int fd)
{
	const int old = slots[i].exchange(fd);
	if (old >= 0)
		::close(old);
}

void chaos_reopen(worker &w)
{
	const int i = static_cast<int>(w.r.below(nslots));
	int fd;
	if (w.r.one_in(2))
		fd = ::open(OCF_DEVICE_PATH, O_RDWR | O_CLOEXEC);
	else
		fd = ::fcntl(slots[w.r.below(nslots)].load(), F_DUPFD_CLOEXEC, 3);
	if (fd >= 0) {
		replace_slot(i, fd);
		shared().reopens.fetch_add(1, std::memory_order_relaxed);
	}
}

int send_fd(int sock, int fd)
{
	char byte = 0;
	struct iovec iov {&byte, 1};
	alignas(struct cmsghdr) char ctrl[CMSG_SPACE(sizeof(int))] = {};
	struct msghdr m {};
	m.msg_iov = &iov;
	m.msg_iovlen = 1;
	m.msg_control = ctrl;
	m.msg_controllen = sizeof(ctrl);
	struct cmsghdr *c = CMSG_FIRSTHDR(&m);
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	std::memcpy(CMSG_DATA(c), &fd, sizeof(int));
	return ::sendmsg(sock, &m, MSG_NOSIGNAL) == 1 ? 0 : -1;
}

int recv_fd(int sock)
{
	char byte;
	struct iovec iov {&byte, 1};
	alignas(struct cmsghdr) char ctrl[CMSG_SPACE(sizeof(int))] = {};
	struct msghdr m {};
	m.msg_iov = &iov;
	m.msg_iovlen = 1;
	m.msg_control = ctrl;
	m.msg_controllen = sizeof(ctrl);
	if (::recvmsg(sock, &m, MSG_CMSG_CLOEXEC) != 1)
		return -1;
	struct cmsghdr *c = CMSG_FIRSTHDR(&m);
	if (!c || c->cmsg_type != SCM_RIGHTS)
		return -1;
	int fd;
	std::memcpy(&fd, CMSG_DATA(c), sizeof(int));
	return fd;
}

// The child of chaos_fork: its copy of the arena and of the worker; a file
// from the parent arrives over @sock after the fork (fd passing, not
// inheritance). A timer interrupts waits that would outlast it.
[[noreturn]] void fork_child(worker &w, int sock)
{
	for (const worker *o : workers)
		if (o->kat_fd >= 0)
			::close(o->kat_fd);
	w.in_child = true;
	w.kat_fd = -1;
	struct itimerval t {};
	t.it_value.tv_usec = 200000;
	t.it_interval.tv_usec = 200000;
	::setitimer(ITIMER_REAL, &t, nullptr);
	struct pollfd p {sock, POLLIN, 0};
	if (::poll(&p, 1, 1000) == 1) {
		const int fd = recv_fd(sock);
		if (fd >= 0) {
			replace_slot(static_cast<int>(w.r.below(nslots)), fd);
			shared().fd_passes.fetch_add(1, std::memory_order_relaxed);
		}
	}
	const std::uint32_t calls = 20 + w.r.below(200);
	for (std::uint32_t i = 0; i < calls && !shared().stop.load(std::memory_order_relaxed); i++)
		fuzz_one(w, pick_fd(w));
	::_exit(0);
}

void chaos_fork(worker &w)
{
	int sv[2];
	if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv))
		return;
	// The child's stream of choices differs from the parent's.
	const std::uint64_t child_seed = w.r.next();
	const pid_t pid = ::fork();
	if (pid == 0) {
		::close(sv[0]);
		w.r.s = child_seed;
		fork_child(w, sv[1]);
	}
	::close(sv[1]);
	if (pid > 0) {
		shared().forks.fetch_add(1, std::memory_order_relaxed);
		const int fd = pick_fd(w);
		if (fd >= 0)
			send_fd(sv[0], fd);
	}
	::close(sv[0]);
}

// ---- known answers ---------------------------------------------------------------

int new_session(int fd, std::uint32_t cipher, std::uint32_t mac, const ocft::bytes &key, std::uint32_t *id)
{
	struct ocf_session_new sn {};
	sn.size = sizeof(sn);
	sn.cipher = cipher;
	sn.mac = mac;
	sn.cipher_key = reinterpret_cast<std::uintptr_t>(key.data());
	sn.cipher_key_len = static_cast<std::uint32_t>(key.size());
	const int r = xioctl(fd, OCF_IOC_SESSION_NEW, reinterpret_cast<std::uintptr_t>(&sn));
	if (r == 0)
		*id = sn.session;
	return r;
}

// Errors that a valid call may meet under load (limits shared with other
// files and users, memory, a waiter interrupted by the watchdog).
bool transient(int err)
{
	return err == -EAGAIN || err == -ENOSPC || err == -ENOMEM || err == -EINTR;
}

void kat_setup(worker &w)
{
	w.kat_fd = ::open(OCF_DEVICE_PATH, O_RDWR | O_CLOEXEC);
	if (w.kat_fd < 0) {
		fail("worker %d: open %s: %s", w.index, OCF_DEVICE_PATH, std::strerror(errno));
		return;
	}
	std::mt19937_64 g(w.r.next());
	w.aes_key = ocft::random_bytes(g, 16);
	int r = new_session(w.kat_fd, OCF_CIPHER_AES_CBC, OCF_ALG_NONE, w.aes_key, &w.kat_aes);
	if (r)
		fail("worker %d: SESSION_NEW AES-128-CBC on a fresh file: %s", w.index, ocft::errname(r).c_str());
	r = new_session(w.kat_fd, OCF_ALG_NONE, OCF_HASH_SHA256, {}, &w.kat_sha);
	if (r)
		fail("worker %d: SESSION_NEW SHA-256 on a fresh file: %s", w.index, ocft::errname(r).c_str());
	// The null producers come and go: its session may not be made now.
	new_session(w.kat_fd, OCF_CIPHER_NULL, OCF_ALG_NONE, {}, &w.kat_null);
	w.kat_size = 2 * (160 * 1024);
	void *p = ::mmap(nullptr, w.kat_size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	w.kat_mem = p == MAP_FAILED ? nullptr : static_cast<std::uint8_t *>(p);
}

// One operation with a known answer, run or submitted-and-reaped on the
// worker's own file; output, input and the bytes around both are checked.
void kat_one(worker &w)
{
	if (w.kat_fd < 0 || !w.kat_mem)
		return;
	rng &r = w.r;
	const std::uint32_t which = r.below(3); // aes, sha, null
	if (which == 2 && !w.kat_null &&
	    new_session(w.kat_fd, OCF_CIPHER_NULL, OCF_ALG_NONE, {}, &w.kat_null))
		return;
	// SHA-256 writes its digest into the last 32 bytes.
	const std::uint32_t len = r.one_in(2) ? 48 + 16 * r.below(254) : 4112 + 16 * r.below(8000);
	const bool in_place = r.one_in(2);
	constexpr std::size_t guard = 64;
	const std::size_t half = w.kat_size / 2;
	std::uint8_t *src = w.kat_mem + guard + r.below(16);
	std::uint8_t *dst = in_place ? src : w.kat_mem + half + guard + r.below(16);
	std::memset(w.kat_mem, 0xa5, w.kat_size);
	std::mt19937_64 g(r.next());
	const ocft::bytes input = ocft::random_bytes(g, len);
	const ocft::bytes iv = ocft::random_bytes(g, 16);
	std::memcpy(src, input.data(), len);
	struct ocf_op op {};
	op.src = reinterpret_cast<std::uintptr_t>(src);
	op.dst = in_place ? 0 : reinterpret_cast<std::uintptr_t>(dst);
	op.len = len;
	op.op = OCF_OP_ENCRYPT;
	op.tag = 0x6b6174ull << 32 | r.u32();
	ocft::bytes want = input;
	const char *name;
	std::uint32_t sha_len = 0;
	if (which == 0) {
		name = "AES-128-CBC";
		op.session = w.kat_aes;
		op.cipher_len = len;
		op.iv = reinterpret_cast<std::uintptr_t>(iv.data());
		want = ocft::ref_cipher(OCF_CIPHER_AES_CBC, w.aes_key, iv, input.data(), len, true);
	} else if (which == 1) {
		name = "SHA-256";
		op.session = w.kat_sha;
		sha_len = 32;
		op.auth_len = len - sha_len;
		op.mac_offset = len - sha_len;
		const ocft::bytes d = ocft::ref_digest(OCF_HASH_SHA256, {}, input.data(), len - sha_len);
		std::copy(d.begin(), d.end(), want.begin() + (len - sha_len));
	} else {
		name = "null";
		op.session = w.kat_null;
		op.cipher_len = len;
	}
	int status;
	const bool async = r.one_in(4);
	if (!async) {
		struct ocf_batch b {};
		b.size = sizeof(b);
		b.op_size = sizeof(op);
		b.ops = reinterpret_cast<std::uintptr_t>(&op);
		b.count = 1;
		const int ret = xioctl(w.kat_fd, OCF_IOC_RUN, reinterpret_cast<std::uintptr_t>(&b));
		if (ret) {
			if (!transient(ret))
				fail("worker %d: RUN of a valid %s op (%u bytes): %s", w.index, name, len,
				     ocft::errname(ret).c_str());
			return;
		}
		status = op.status;
	} else {
		struct ocf_batch b {};
		b.size = sizeof(b);
		b.op_size = sizeof(op);
		b.ops = reinterpret_cast<std::uintptr_t>(&op);
		b.count = 1;
		const int ret = xioctl(w.kat_fd, OCF_IOC_SUBMIT, reinterpret_cast<std::uintptr_t>(&b));
		if (ret) {
			if (!transient(ret))
				fail("worker %d: SUBMIT of a valid %s op: %s", w.index, name, ocft::errname(ret).c_str());
			return;
		}
		struct ocf_completion c {};
		int got = 0;
		for (int tries = 0; tries < 100 && !got; tries++) {
			struct ocf_reap rp {};
			rp.size = sizeof(rp);
			rp.flags = OCF_REAP_WAIT;
			rp.completions = reinterpret_cast<std::uintptr_t>(&c);
			rp.max = 1;
			rp.min_complete = 1;
			const int rr = xioctl(w.kat_fd, OCF_IOC_REAP, reinterpret_cast<std::uintptr_t>(&rp));
			if (rr && rr != -EINTR) {
				fail("worker %d: REAP WAIT of its own op: %s", w.index, ocft::errname(rr).c_str());
				return;
			}
			got = rr == 0 ? static_cast<int>(rp.count) : 0;
		}
		if (!got) {
			fail("worker %d: its submitted %s op never completed", w.index, name);
			return;
		}
		if (c.tag != op.tag) {
			fail("worker %d: reaped tag %llx, submitted %llx", w.index,
			     static_cast<unsigned long long>(c.tag), static_cast<unsigned long long>(op.tag));
			return;
		}
		status = c.status;
	}
	if (status) {
		if (!(which == 2 && status == -ENODEV) && !transient(status))
			fail("worker %d: valid %s op (%u bytes, %s, %s) failed: %s", w.index, name, len,
			     in_place ? "in place" : "out of place", async ? "async" : "run",
			     ocft::errname(status).c_str());
		return;
	}
	const std::string d = ocft::diff(dst, want);
	if (!d.empty())
		fail("worker %d: %s op (%u bytes, %s, %s): wrong output: %s", w.index, name, len,
		     in_place ? "in place" : "out of place", async ? "async" : "run", d.c_str());
	if (!in_place && !ocft::diff(src, input).empty())
		fail("worker %d: %s op out of place changed its input", w.index, name);
	for (std::uint8_t *p : {src, dst}) {
		const std::uint8_t *lo = w.kat_mem + (p >= w.kat_mem + half ? half : 0);
		for (const std::uint8_t *q = lo; q < p; q++)
			if (*q != 0xa5) {
				fail("worker %d: %s op wrote %td bytes before its buffer", w.index, name, p - q);
				break;
			}
		for (std::size_t i = 0; i < guard; i++)
			if (p[len + i] != 0xa5) {
				fail("worker %d: %s op wrote past its buffer (+%zu)", w.index, name, i);
				break;
			}
	}
	shared().kat_checked.fetch_add(1, std::memory_order_relaxed);
}

// Defect class "completions delivered into the wrong process": a small
// async op's output must never land in a process that merely reaps it (a
// forked child here), whose own copy of the output buffer it zeroed.
void cross_mm_probe(worker &w)
{
	if (!w.kat_mem)
		return;
	const int fd = ::open(OCF_DEVICE_PATH, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return;
	std::uint32_t id;
	if (new_session(fd, OCF_CIPHER_AES_CBC, OCF_ALG_NONE, w.aes_key, &id)) {
		::close(fd);
		return;
	}
	std::uint8_t *in = w.kat_mem, *out = w.kat_mem + 4096;
	std::memset(in, 0x3c, 64);
	std::memset(out, 0, 64);
	static const std::uint8_t iv[16] = {};
	struct ocf_op op {};
	op.session = id;
	op.op = OCF_OP_ENCRYPT;
	op.src = reinterpret_cast<std::uintptr_t>(in);
	op.dst = reinterpret_cast<std::uintptr_t>(out);
	op.len = 64;
	op.cipher_len = 64;
	op.iv = reinterpret_cast<std::uintptr_t>(iv);
	struct ocf_batch b {};
	b.size = sizeof(b);
	b.op_size = sizeof(op);
	b.ops = reinterpret_cast<std::uintptr_t>(&op);
	b.count = 1;
	if (xioctl(fd, OCF_IOC_SUBMIT, reinterpret_cast<std::uintptr_t>(&b))) {
		::close(fd);
		return;
	}
	const pid_t pid = ::fork();
	if (pid == 0) {
		struct itimerval t {};
		t.it_value.tv_sec = 2;
		::setitimer(ITIMER_REAL, &t, nullptr);
		std::memset(out, 0, 64);
		struct ocf_completion c {};
		struct ocf_reap rp {};
		rp.size = sizeof(rp);
		rp.flags = OCF_REAP_WAIT;
		rp.completions = reinterpret_cast<std::uintptr_t>(&c);
		rp.max = 1;
		rp.min_complete = 1;
		const int r = xioctl(fd, OCF_IOC_REAP, reinterpret_cast<std::uintptr_t>(&rp));
		for (int i = 0; i < 64; i++)
			if (out[i]) {
				fail("REAP in a forked child (returned %d, %u reaped, status %d) wrote the "
				     "parent's op output into the child's memory",
				     r, rp.count, c.status);
				break;
			}
		::_exit(0);
	}
	if (pid > 0)
		while (::waitpid(pid, nullptr, 0) < 0 && errno == EINTR) {
		}
	::close(fd);
}

// A RUN of many small AES ops with known answers: their copies share one
// bounce arena of up to 4 MiB in the kernel.
void kat_batch(worker &w)
{
	if (w.kat_fd < 0)
		return;
	const std::uint32_t n = 64 + w.r.below(OCF_MAX_BATCH - 63), len = 4096;
	const std::size_t total = static_cast<std::size_t>(n) * len;
	void *p = ::mmap(nullptr, total, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return;
	auto *buf = static_cast<std::uint8_t *>(p);
	std::mt19937_64 g(w.r.next());
	const ocft::bytes input = ocft::random_bytes(g, total);
	static const ocft::bytes iv(16, 0);
	std::memcpy(buf, input.data(), total);
	std::vector<struct ocf_op> ops(n);
	for (std::uint32_t i = 0; i < n; i++) {
		ops[i] = {};
		ops[i].session = w.kat_aes;
		ops[i].src = reinterpret_cast<std::uintptr_t>(buf + static_cast<std::size_t>(i) * len);
		ops[i].len = len;
		ops[i].cipher_len = len;
		ops[i].iv = reinterpret_cast<std::uintptr_t>(iv.data());
	}
	struct ocf_batch b {};
	b.size = sizeof(b);
	b.op_size = sizeof(struct ocf_op);
	b.ops = reinterpret_cast<std::uintptr_t>(ops.data());
	b.count = n;
	const int ret = xioctl(w.kat_fd, OCF_IOC_RUN, reinterpret_cast<std::uintptr_t>(&b));
	if (ret && !transient(ret))
		fail("worker %d: RUN of %u valid AES ops: %s", w.index, n, ocft::errname(ret).c_str());
	for (std::uint32_t i = 0; !ret && i < n; i++) {
		if (transient(ops[i].status))
			continue;
		const std::size_t at = static_cast<std::size_t>(i) * len;
		if (ops[i].status) {
			fail("worker %d: op %u of a RUN of %u valid AES ops: %s", w.index, i, n,
			     ocft::errname(ops[i].status).c_str());
			break;
		}
		const ocft::bytes want = ocft::ref_cipher(OCF_CIPHER_AES_CBC, w.aes_key, iv, input.data() + at, len, true);
		const std::string d = ocft::diff(buf + at, want);
		if (!d.empty()) {
			fail("worker %d: op %u of a RUN of %u AES ops of 4 KiB: wrong output: %s", w.index, i, n, d.c_str());
			break;
		}
	}
	if (!ret)
		shared().kat_checked.fetch_add(n, std::memory_order_relaxed);
	::munmap(p, total);
}

// REAP with WAIT on a file with nothing submitted must not wait, even while
// another thread's RUN on that file is under way (its operations are not
// the reaper's to wait for). The watchdog interrupts a REAP that waits.
void reap_wait_probe(worker &w)
{
	const int fd = ::open(OCF_DEVICE_PATH, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return;
	std::uint32_t id;
	if (new_session(fd, OCF_CIPHER_AES_CBC, OCF_ALG_NONE, w.aes_key, &id)) {
		::close(fd);
		return;
	}
	constexpr std::uint32_t n = 256, len = 16384;
	void *p = ::mmap(nullptr, static_cast<std::size_t>(n) * len, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED) {
		::close(fd);
		return;
	}
	static const std::uint8_t iv[16] = {};
	std::vector<struct ocf_op> ops(n);
	for (std::uint32_t i = 0; i < n; i++) {
		ops[i] = {};
		ops[i].session = id;
		ops[i].src = reinterpret_cast<std::uintptr_t>(static_cast<std::uint8_t *>(p) + static_cast<std::size_t>(i) * len);
		ops[i].len = len;
		ops[i].cipher_len = len;
		ops[i].iv = reinterpret_cast<std::uintptr_t>(iv);
	}
	std::atomic<bool> run_done{false};
	std::thread runner([&] {
		struct ocf_batch b {};
		b.size = sizeof(b);
		b.op_size = sizeof(struct ocf_op);
		b.ops = reinterpret_cast<std::uintptr_t>(ops.data());
		b.count = n;
		xioctl(fd, OCF_IOC_RUN, reinterpret_cast<std::uintptr_t>(&b));
		run_done.store(true);
	});
	::usleep(20000);
	const bool during_run = !run_done.load();
	struct ocf_completion c {};
	struct ocf_reap rp {};
	rp.size = sizeof(rp);
	rp.flags = OCF_REAP_WAIT;
	rp.completions = reinterpret_cast<std::uintptr_t>(&c);
	rp.max = 1;
	rp.min_complete = 1;
	w.busy_since.store(now_s());
	const int r = xioctl(fd, OCF_IOC_REAP, reinterpret_cast<std::uintptr_t>(&rp));
	w.busy_since.store(0);
	runner.join();
	if (during_run && r == -EINTR)
		fail("worker %d: REAP WAIT with nothing submitted waited (until interrupted) while "
		     "another thread's RUN ran on the file",
		     w.index);
	::munmap(p, static_cast<std::size_t>(n) * len);
	::close(fd);
}

// ---- threads and sides -----------------------------------------------------------

void worker_loop(worker &w)
{
	kat_setup(w);
	std::uint64_t n = 0;
	while (!shared().stop.load(std::memory_order_relaxed)) {
		const std::uint32_t k = w.r.below(1000);
		if (k < 4)
			chaos_reopen(w);
		else if (k < 5 && opts.fork)
			chaos_fork(w);
		else if (k < 20 && opts.kat)
			kat_one(w);
		else if (k < 21 && opts.kat && opts.fork)
			cross_mm_probe(w);
		else if (k == 21 && opts.kat && w.r.one_in(4))
			kat_batch(w);
		else if (k == 22 && opts.kat && w.r.one_in(4))
			reap_wait_probe(w);
		else
			fuzz_one(w, pick_fd(w));
		if ((++n & 63) == 0 && shared().calls.load(std::memory_order_relaxed) >= opts.calls)
			shared().stop.store(true);
	}
	if (w.kat_fd >= 0)
		::close(w.kat_fd);
}

int null_loaded() { return ::access("/sys/module/ocf_null", F_OK) == 0; }

// Two threads on a file of their own: one makes sessions, its struct now
// and then on a read-only page (the id cannot be written back), the other
// frees the lowest ids, which are the ones SESSION_NEW hands out next.
void session_racer(rng r, int fd, bool maker)
{
	while (!shared().stop.load(std::memory_order_relaxed)) {
		if (maker) {
			struct ocf_session_new sn {};
			sn.size = sizeof(sn);
			sn.cipher = OCF_CIPHER_AES_CBC;
			sn.cipher_key_len = 16;
			sn.cipher_key = reinterpret_cast<std::uintptr_t>(the_arena.valid(r, 16));
			std::uint64_t at;
			if (r.one_in(2)) {
				const std::size_t off = r.below(static_cast<std::uint32_t>(the_arena.ro_size() - sizeof(sn)));
				std::memcpy(the_arena.ro_writer() + off, &sn, sizeof(sn));
				at = reinterpret_cast<std::uintptr_t>(the_arena.ro() + off);
			} else {
				at = reinterpret_cast<std::uintptr_t>(&sn);
			}
			xioctl(fd, OCF_IOC_SESSION_NEW, at);
		} else {
			std::uint32_t id = 1 + r.below(4);
			xioctl(fd, OCF_IOC_SESSION_FREE, reinterpret_cast<std::uintptr_t>(&id));
		}
		// Counted apart: cheap calls that must not crowd out the fuzz's.
		shared().racer_calls.fetch_add(1, std::memory_order_relaxed);
		if (r.one_in(256))
			::usleep(20000);
	}
}

// Root only: producers unplugged and replugged, busy, unloaded and reloaded.
void producer_chaos(rng r)
{
	char v[16];
	while (!shared().stop.load()) {
		::usleep(20000 + r.below(150000));
		const std::uint32_t k = r.below(100);
		const int inst = static_cast<int>(r.below(2));
		std::snprintf(v, sizeof(v), "%d\n", inst);
		if (k < 40) {
			if (write_file("/sys/module/ocf_null/parameters/unplug", v) == 0)
				shared().unplugs.fetch_add(1);
		} else if (k < 80) {
			write_file("/sys/module/ocf_null/parameters/replug", v);
		} else if (k < 92 && opts.busy) {
			static constexpr const char *every[] = {"0\n", "0\n", "1\n", "2\n", "7\n"};
			write_file("/sys/module/ocf_null/parameters/busy_every", every[r.below(5)]);
		} else if (!opts.null_module.empty()) {
			if (null_loaded()) {
				if (::syscall(SYS_delete_module, "ocf_null", O_NONBLOCK) == 0)
					shared().reloads.fetch_add(1);
			} else {
				const int fd = ::open(opts.null_module.c_str(), O_RDONLY | O_CLOEXEC);
				if (fd >= 0) {
					::syscall(SYS_finit_module, fd, "instances=2", 0);
					::close(fd);
				}
			}
		}
	}
	// Leave it as the run found it: loaded, both plugged, never busy.
	if (!null_loaded() && !opts.null_module.empty()) {
		const int fd = ::open(opts.null_module.c_str(), O_RDONLY | O_CLOEXEC);
		if (fd >= 0) {
			::syscall(SYS_finit_module, fd, "instances=2", 0);
			::close(fd);
		}
	}
	write_file("/sys/module/ocf_null/parameters/busy_every", "0\n");
	write_file("/sys/module/ocf_null/parameters/replug", "0\n");
	write_file("/sys/module/ocf_null/parameters/replug", "1\n");
}

// Threads of one process (root or nobody) until the shared call count is
// reached; reaps its forked children; returns when they are all done.
void run_side(std::uint64_t seed, bool root)
{
	privileged = root;
	for (auto &s : slots) {
		const int fd = ::open(OCF_DEVICE_PATH, O_RDWR | O_CLOEXEC);
		if (fd < 0) {
			fail("open %s: %s", OCF_DEVICE_PATH, std::strerror(errno));
			shared().stop.store(true);
			return;
		}
		s.store(fd);
	}
	std::vector<std::unique_ptr<worker>> ws;
	for (int i = 0; i < opts.threads; i++) {
		auto w = std::make_unique<worker>();
		w->index = i + (root ? 0 : 100);
		w->r.s = seed * 1000003u + static_cast<std::uint64_t>(w->index);
		workers.push_back(w.get());
		ws.push_back(std::move(w));
	}
	std::vector<std::thread> threads;
	std::atomic<int> running{static_cast<int>(ws.size())};
	for (auto &w : ws) {
		worker *wp = w.get();
		threads.emplace_back([wp, &running] {
			wp->tid = pthread_self();
			worker_loop(*wp);
			running.fetch_sub(1);
		});
	}
	std::thread racers[2];
	const int race_fd = opts.racer ? ::open(OCF_DEVICE_PATH, O_RDWR | O_CLOEXEC) : -1;
	if (race_fd >= 0)
		for (int i = 0; i < 2; i++)
			racers[i] = std::thread(session_racer, rng{seed * 31 + static_cast<std::uint64_t>(i)},
						race_fd, i == 0);
	std::thread chaos;
	if (root && opts.producers)
		chaos = std::thread(producer_chaos, rng{seed ^ 0xc4a05ull});
	// The watchdog: a REAP WAIT for completions that other threads took or
	// that will never come is interrupted after 0.5 s (RUN today cannot be),
	// until the last worker is out.
	while (!shared().stop.load() || running.load() > 0) {
		::usleep(50000);
		const double t = now_s();
		for (worker *w : workers) {
			const double since = w->busy_since.load(std::memory_order_relaxed);
			if (since != 0 && t - since > 0.5 && w->tid) {
				if (w->signalled_for != since)
					shared().long_waits.fetch_add(1);
				w->signalled_for = since;
				pthread_kill(w->tid, SIGUSR1);
			}
		}
		while (::waitpid(-1, nullptr, WNOHANG) > 0) {
		}
	}
	for (auto &th : threads)
		th.join();
	for (auto &th : racers)
		if (th.joinable())
			th.join();
	if (race_fd >= 0)
		::close(race_fd);
	if (chaos.joinable())
		chaos.join();
	for (auto &s : slots)
		replace_slot(static_cast<int>(&s - slots), -1);
	while (::waitpid(-1, nullptr, 0) > 0 || errno == EINTR) {
	}
}

} // namespace

int run_fuzz(const fuzz_options &o)
{
	opts = o;
	read_max_op_len();
	install_handlers();
	if (!the_arena.map())
		return 2;
	for (auto &s : slots)
		s.store(-1);
	const double start = now_s();
	std::printf("fuzz: seed %llu, %llu calls, %d threads per side%s%s\n",
		    static_cast<unsigned long long>(o.seed), static_cast<unsigned long long>(o.calls),
		    o.threads, o.nobody ? ", a second side as nobody" : "",
		    o.producers ? ", producers unplugged/busy/reloaded under it" : "");
	std::fflush(stdout);

	pid_t nobody = -1;
	if (o.nobody) {
		nobody = ::fork();
		if (nobody == 0) {
			::prctl(PR_SET_PDEATHSIG, SIGKILL);
			const int err = drop_privileges();
			if (err)
				fail("cannot become nobody: %s", std::strerror(-err));
			else
				run_side(o.seed ^ 0x6e6f626f6479ull, false);
			::_exit(0);
		}
	}
	std::thread progress([&] {
		double last_t = start;
		std::uint64_t last = 0;
		while (!shared().stop.load()) {
			for (int i = 0; i < 50 && !shared().stop.load(); i++)
				::usleep(100000);
			const double t = now_s();
			const std::uint64_t c = shared().calls.load();
			std::printf("fuzz: %llu calls, %.0f calls/s (nobody %llu), %d failures\n",
				    static_cast<unsigned long long>(c), static_cast<double>(c - last) / (t - last_t),
				    static_cast<unsigned long long>(shared().calls_nobody.load()),
				    shared().failures.load());
			std::fflush(stdout);
			last = c;
			last_t = t;
		}
	});
	run_side(o.seed, true);
	if (nobody > 0) {
		int st = 0;
		while (::waitpid(nobody, &st, 0) < 0 && errno == EINTR) {
		}
		if (!WIFEXITED(st) || WEXITSTATUS(st))
			fail("the nobody side ended with status %#x", st);
	}
	progress.join();
	const double secs = now_s() - start;
	const shared_state &s = shared();
	std::printf("fuzz: %llu session racer calls\n", static_cast<unsigned long long>(s.racer_calls.load()));
	std::printf("fuzz: %llu known answers checked, %llu forks, %llu fds passed, %llu reopens, "
		    "%llu unplugs, %llu ocf_null unloads, %llu calls still waiting after 0.5 s\n",
		    static_cast<unsigned long long>(s.kat_checked.load()),
		    static_cast<unsigned long long>(s.forks.load()),
		    static_cast<unsigned long long>(s.fd_passes.load()),
		    static_cast<unsigned long long>(s.reopens.load()),
		    static_cast<unsigned long long>(s.unplugs.load()),
		    static_cast<unsigned long long>(s.reloads.load()),
		    static_cast<unsigned long long>(s.long_waits.load()));
	std::printf("fuzz: done: %llu calls (%llu as nobody) in %.1f s, seed %llu, %d failures%s%s\n",
		    static_cast<unsigned long long>(s.calls.load()),
		    static_cast<unsigned long long>(s.calls_nobody.load()), secs,
		    static_cast<unsigned long long>(o.seed), s.failures.load(),
		    s.failures.load() ? "; first: " : "", s.failures.load() ? s.first_failure : "");
	std::fflush(stdout);
	return s.failures.load() ? 1 : 0;
}

} // namespace ocffuzz
