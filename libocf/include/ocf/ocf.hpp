// SPDX-License-Identifier: LGPL-2.1-or-later
//
// libocf C++ API: RAII handles over the C API in <ocf/ocf.h>.
//
// Overview
//   ocf::device    an open /dev/ocf (move-only)
//   ocf::session   a session in a device; freed when destroyed (move-only)
//   ocf::batch     operations built up, then run (wait for all) or submitted
//                  (return at once, collect with device::reap)
//   ocf::ring      an io_uring ring on a device: prep ops (or a batch's),
//                  submit, reap (move-only)
//
//     ocf::device dev;
//     ocf::session aes(dev, {.cipher = OCF_CIPHER_AES_CBC, .cipher_key = key});
//     ocf::batch b(dev);
//     for (auto &record : records)
//             b.cipher(aes, ocf::direction::encrypt, record.data, record.iv);
//     b.run();
//     for (std::size_t i = 0; i < b.size(); ++i)
//             if (auto ec = b.status(i))
//                     ...;
//
// Errors. Calls that talk to the module come in two forms: one throws
// std::system_error, the other reports through a std::error_code& and does
// not throw (apart from std::bad_alloc where it returns a vector). Error codes
// are errno values in std::generic_category(), so they compare equal to
// std::errc constants. Misuse that is a programming error (a session of
// another device, buffers of the wrong size) throws std::invalid_argument in
// the batch builders.
//
// Lifetime. Sessions and batches keep the device's file open: a session
// stays valid, and is freed properly, even if its ocf::device object is
// destroyed first. The file closes when the last of them goes.
//
// Threads. One object must not be used from two threads at once; separate
// objects may, even on the same device.
#ifndef OCF_OCF_HPP
#define OCF_OCF_HPP

#include <ocf/ocf.h>

#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <span>
#include <string>
#include <system_error>
#include <vector>

namespace ocf {

// Turns a negative errno from the C API into an error_code.
inline std::error_code make_error(int negative_errno) noexcept
{
	return {-negative_errno, std::generic_category()};
}

struct version_info {
	std::uint32_t abi_version = 0;
	std::string module_version;
};

// struct ocf_op.op
enum class direction : std::uint32_t {
	encrypt = OCF_OP_ENCRYPT,	// encrypt and/or compute the MAC, hash or tag
	decrypt = OCF_OP_DECRYPT,	// verify and/or decrypt
};

// Which sessions device::sessions() lists.
enum class session_scope {
	own,	// those of this open file
	user,	// those of every file the caller's user opened, in any process
	all,	// those of every file; needs CAP_SYS_ADMIN (else EPERM)
};

// One reaped operation: the tag it was given and its own result.
struct completion {
	std::uint64_t tag = 0;
	std::error_code status;
};

// What a session does. An aggregate, for designated initializers:
//   {.cipher = OCF_CIPHER_AES_CBC, .cipher_key = key}
//   {.cipher = OCF_CIPHER_AES_CBC, .mac = OCF_MAC_HMAC_SHA256,
//    .cipher_key = k1, .mac_key = k2}
// The keys are copied into the module when the session is created.
struct session_params {
	std::uint32_t cipher = OCF_ALG_NONE;	// enum ocf_alg cipher or AEAD
	std::uint32_t mac = OCF_ALG_NONE;	// enum ocf_alg MAC or hash
	std::uint32_t flags = 0;		// OCF_SESSION_* (chain order)
	std::uint32_t mac_len = 0;		// MAC/tag bytes; 0 = the full length
	std::uint32_t producer = 0;		// pin to this producer id; 0 = any
	std::span<const std::byte> cipher_key = {};
	std::span<const std::byte> mac_key = {};
};

// A big integer of a key operation: unsigned big-endian bytes, leading
// zeros allowed.
using bigint = std::span<const std::byte>;

// An RSA private key in CRT form.
struct rsa_crt_key {
	bigint p, q, dp, dq, qinv;
};

// DSA domain parameters.
struct dsa_params {
	bigint p, q, g;
};

class session;
class batch;
class ring;

// An open /dev/ocf. Move-only.
class device {
public:
	// Opens path (default /dev/ocf). Throws std::system_error: ENOENT when
	// the module is not loaded, EACCES/EPERM when the caller may not open it.
	explicit device(const char *path = nullptr);
	// Opens path; on failure ec is set and the result is empty (!valid()).
	static device open(const char *path, std::error_code &ec) noexcept;

	device(device &&) noexcept = default;
	device &operator=(device &&) noexcept = default;
	device(const device &) = delete;
	device &operator=(const device &) = delete;

	bool valid() const noexcept { return handle_ != nullptr; }
	// The file descriptor, for poll(2): readable when completions are ready.
	int fd() const noexcept { return ocf_device_fd(handle_.get()); }
	ocf_device *native_handle() const noexcept { return handle_.get(); }

	// The running module's ABI version and release.
	version_info version() const;
	version_info version(std::error_code &ec) const;

	// Queues the batch's ops and returns at once; see batch::submit().
	void submit(batch &ops) const;
	void submit(batch &ops, std::error_code &ec) const noexcept;

	// Collects completions of submitted ops: waits until at least
	// min_complete are ready (0: do not wait; the wait ends early when fewer
	// are in flight), then returns up to max of them, at most OCF_MAX_BATCH
	// per call. A signal does not end the wait (see ocf_reap()); to wait
	// interruptibly, poll(2) fd() and reap with min_complete 0.
	std::vector<completion> reap(unsigned min_complete = 1, unsigned max = 64) const;
	std::vector<completion> reap(unsigned min_complete, unsigned max,
				     std::error_code &ec) const;

	// Every producer with its capabilities and counters (a snapshot).
	std::vector<ocf_producer_info> producers() const;
	std::vector<ocf_producer_info> producers(std::error_code &ec) const;

	// Sessions of this file, of the caller's user's files, or of every file
	// (session_scope::all, root only).
	std::vector<ocf_session_info> sessions(session_scope scope = session_scope::own) const;
	std::vector<ocf_session_info> sessions(session_scope scope, std::error_code &ec) const;

private:
	friend class session;
	friend class batch;
	friend class ring;
	explicit device(std::shared_ptr<ocf_device> handle) noexcept : handle_(std::move(handle)) {}
	std::shared_ptr<ocf_device> handle_;
};

// A session in a device: an algorithm (or a cipher+MAC chain, or an AEAD)
// with its keys, served by some producer. Freed when destroyed. Move-only;
// a moved-from or default-constructed session is empty (!valid()).
class session {
public:
	session() noexcept = default;
	// Creates a session. Throws std::system_error: EOPNOTSUPP (no producer
	// offers it), EINVAL (key length), ENOENT (pinned producer absent),
	// ENOSPC (the file's session limit).
	session(const device &dev, const session_params &params);
	// Creates a session; on failure ec is set and the result is empty.
	static session create(const device &dev, const session_params &params,
			      std::error_code &ec) noexcept;

	session(session &&other) noexcept;
	session &operator=(session &&other) noexcept;
	session(const session &) = delete;
	session &operator=(const session &) = delete;
	~session();

	bool valid() const noexcept { return handle_ != nullptr; }
	// The id, meaningful only in its own device.
	std::uint32_t id() const noexcept { return id_; }
	// The producer chosen when the session was created (it may migrate).
	std::uint32_t producer() const noexcept { return producer_; }
	std::uint32_t cipher() const noexcept { return cipher_; }
	std::uint32_t mac() const noexcept { return mac_; }
	// Bytes of MAC, hash or tag each op produces or checks: the requested
	// mac_len, or the algorithm's full length.
	std::uint32_t mac_len() const noexcept { return mac_len_; }
	ocf_device *native_device() const noexcept { return handle_.get(); }

	// Frees the session now, as destruction would, and leaves this object
	// empty.
	void reset() noexcept;

private:
	std::shared_ptr<ocf_device> handle_;
	std::uint32_t id_ = 0;
	std::uint32_t producer_ = 0;
	std::uint32_t cipher_ = OCF_ALG_NONE;
	std::uint32_t mac_ = OCF_ALG_NONE;
	std::uint32_t mac_len_ = 0;
};

// A batch of operations for one device, in the spirit of an io_uring
// submission queue: add ops, then run() them all and wait, or submit() them
// and collect each completion later with device::reap().
//
// The batch keeps pointers, not copies: every buffer and IV must stay valid
// until run() returns, or, after submit(), until its op is reaped.
//
// Each add function returns the op's index. An op's tag defaults to its
// index; set_tag() changes it (tags matter for submit(), where completions
// come back in any order). Lengths must fit in 32 bits.
class batch {
public:
	explicit batch(const device &dev);
	// Move-only: a key op's entry points into this batch's own copy of its
	// struct ocf_kop, which a copy would still point at.
	batch(batch &&) noexcept = default;
	batch &operator=(batch &&) noexcept = default;
	batch(const batch &) = delete;
	batch &operator=(const batch &) = delete;

	// A cipher over the whole buffer, in place, with an explicit IV of the
	// session cipher's IV length (empty for the null cipher).
	std::size_t cipher(const session &s, direction dir, std::span<std::byte> buffer,
			   std::span<const std::byte> iv);
	// The same out of place: output.size() must equal input.size().
	std::size_t cipher(const session &s, direction dir, std::span<const std::byte> input,
			   std::span<std::byte> output, std::span<const std::byte> iv);

	// A MAC or hash, in place, on the layout data | digest: the last
	// s.mac_len() bytes of the buffer receive (encrypt) or hold (decrypt)
	// the digest of the rest.
	std::size_t digest(const session &s, direction dir, std::span<std::byte> buffer);

	// An AEAD (AES-GCM) on the layout aad | text | tag: [0, aad_len) is
	// authenticated only, the text is encrypted and authenticated, and the
	// last s.mac_len() bytes receive (encrypt) or hold (decrypt) the tag.
	// In place, or out of place with output.size() == input.size().
	std::size_t aead(const session &s, direction dir, std::span<std::byte> buffer,
			 std::size_t aad_len, std::span<const std::byte> iv);
	std::size_t aead(const session &s, direction dir, std::span<const std::byte> input,
			 std::span<std::byte> output, std::size_t aad_len,
			 std::span<const std::byte> iv);

	// A cipher+MAC chain on the same layout, aad | text | MAC; the MAC
	// covers the aad and the text (see ocf_op_chain()).
	std::size_t chain(const session &s, direction dir, std::span<std::byte> buffer,
			  std::size_t aad_len, std::span<const std::byte> iv);
	std::size_t chain(const session &s, direction dir, std::span<const std::byte> input,
			  std::span<std::byte> output, std::size_t aad_len,
			  std::span<const std::byte> iv);

	// Key operations (see the C API's ocf_kop_*() and struct ocf_kop): out,
	// r and s receive the result right-aligned and zero-padded; their
	// status() is e.g. EINVAL for a bad operand, ENOSPC for an output too
	// short, EBADMSG for a bad DSA signature. The batch copies the
	// operation's description; the inputs must stay valid until run() or
	// submit() returns, the outputs until run() returns or the op is reaped.
	// flags: OCF_KOP_F_PRIME_MODULUS blinds a secret exponent mod a prime.
	std::size_t modexp(bigint base, bigint exp, bigint mod, std::span<std::byte> out,
			   std::uint32_t flags = 0);
	std::size_t modexp_crt(bigint in, const rsa_crt_key &key, std::span<std::byte> out);
	std::size_t dh_compute_key(bigint peer_pub, bigint priv, bigint prime,
				   std::span<std::byte> out);
	std::size_t dsa_sign(bigint digest, const dsa_params &params, bigint priv,
			     std::span<std::byte> r, std::span<std::byte> s);
	std::size_t dsa_verify(bigint digest, const dsa_params &params, bigint pub, bigint r,
			       bigint s);

	// Any other layout, as the ABI's struct ocf_op, filled by the caller
	// (e.g. with OCF_OP_IV_IN_BUFFER). Its tag is kept as given, its status
	// ignored; its session is not checked against the batch's device.
	std::size_t add(const ocf_op &op);

	void set_tag(std::size_t index, std::uint64_t tag);

	std::size_t size() const noexcept { return ops_.size(); }
	bool empty() const noexcept { return ops_.empty(); }
	// Forgets the ops, keeping the memory for the next round.
	void clear() noexcept
	{
		ops_.clear();
		kops_.clear();
	}
	std::span<ocf_op> ops() noexcept { return ops_; }
	std::span<const ocf_op> ops() const noexcept { return ops_; }

	// Runs every op and waits for all of them, concurrently where the
	// producers allow. Each op's own result is then status(index). The call
	// fails as a whole only when nothing ran: EINVAL (more than
	// OCF_MAX_BATCH ops), EAGAIN (the file's or the user's in-flight limit), EFAULT.
	void run();
	void run(std::error_code &ec) noexcept;
	// The result of op index after run(): empty, or e.g. EBADMSG for a bad
	// MAC or tag, EINVAL for a bad region, ENODEV when no producer is left.
	std::error_code status(std::size_t index) const;

	// Queues every op and returns at once; each completes once, through
	// device::reap(), with its tag. The batch may be cleared and reused
	// right away (the module has copied the ops), the buffers may not.
	// EAGAIN: an in-flight limit would be passed; nothing was queued.
	void submit();
	void submit(std::error_code &ec) noexcept;

private:
	friend class device;
	std::size_t push(const session &s, const ocf_op &op);
	std::size_t layered(const session &s, direction dir, const std::byte *input,
			    std::byte *output, std::size_t len, std::size_t aad_len,
			    std::span<const std::byte> iv, bool chain);
	std::size_t push_kop(const ocf_kop &kop);
	std::shared_ptr<ocf_device> handle_;
	std::vector<ocf_op> ops_;
	std::deque<ocf_kop> kops_;	// what key ops point to; stable addresses
};

// An io_uring ring on a device (see ocf_ring_open()), in liburing's style:
// prep() queues ops, submit() hands them all over with one system call
// (none with OCF_RING_SQPOLL, usually), reap() collects completions, each
// with its op's tag. The buffers must stay valid until the op is reaped or
// the ring destroyed: the destructor (as ocf_ring_close()) blocks until the
// module has finished every submitted op, so that unwinding past a ring
// never leaves the kernel writing into freed buffers.
// Move-only; keeps the device's file open; one thread at a time.
//
//     ocf::ring r(dev, 64);
//     r.prep(b);            // a batch's ops, as many as fit
//     r.submit();
//     for (auto &c : r.reap(b.size(), b.size())) ...
class ring {
public:
	ring() noexcept = default;
	ring(ring &&) noexcept = default;
	// The old ring is closed before the device it holds can go.
	ring &operator=(ring &&other) noexcept
	{
		if (this != &other) {
			handle_.reset();
			handle_ = std::move(other.handle_);
			device_ = std::move(other.device_);
		}
		return *this;
	}
	// Throws std::system_error (EPERM: io_uring disabled or SQPOLL not allowed).
	explicit ring(const device &dev, unsigned entries = 256, std::uint32_t flags = 0);
	static ring open(const device &dev, unsigned entries, std::uint32_t flags,
			 std::error_code &ec) noexcept;

	bool valid() const noexcept { return handle_ != nullptr; }
	int fd() const noexcept { return ocf_ring_fd(handle_.get()); }
	ocf_ring *native_handle() const noexcept { return handle_.get(); }

	// Queues one op; false when the submission queue is full (submit first).
	// Throws std::invalid_argument for an op with reserved fields set.
	bool prep(const ocf_op &op);
	// Queues ops[first..] of a batch, as many as fit; returns how many.
	std::size_t prep(const batch &ops, std::size_t first = 0);

	// Registered buffers (see ocf_ring_register_buffers()): ops over 4 KiB
	// inside one skip pinning pages per op. Throw std::system_error.
	void register_buffers(std::span<const std::span<std::byte>> buffers);
	void unregister_buffers();
	// Queues an op whose input and output lie in registered buffer
	// @buffer_index; as prep(const ocf_op &).
	bool prep_fixed(const ocf_op &op, unsigned buffer_index);

	// Hands the queued ops over; returns how many.
	unsigned submit();
	unsigned submit(std::error_code &ec) noexcept;

	// Waits until at least min_complete are ready (0: do not wait), then
	// returns up to max of them. Only submitted ops complete.
	std::vector<completion> reap(unsigned min_complete = 1, unsigned max = 64);
	std::vector<completion> reap(unsigned min_complete, unsigned max, std::error_code &ec);

private:
	// Declared first, destroyed last: the ring goes before the file.
	std::shared_ptr<ocf_device> device_;
	std::unique_ptr<ocf_ring, void (*)(ocf_ring *)> handle_{nullptr, ocf_ring_close};
};

// One-shot key operations, as the C API's ocf_modexp() and friends: out
// (r, s) receive the result right-aligned and zero-padded. The first form
// throws std::system_error, the second sets ec: EINVAL (bad operand),
// EOPNOTSUPP (no producer does it at that size), ENOSPC (output too short)...
void modexp(const device &dev, bigint base, bigint exp, bigint mod, std::span<std::byte> out);
void modexp(const device &dev, bigint base, bigint exp, bigint mod, std::span<std::byte> out,
	    std::error_code &ec) noexcept;
// A prime modulus: the exponent is blinded, for secrets.
void modexp_prime(const device &dev, bigint base, bigint exp, bigint prime,
		  std::span<std::byte> out);
void modexp_prime(const device &dev, bigint base, bigint exp, bigint prime,
		  std::span<std::byte> out, std::error_code &ec) noexcept;
void modexp_crt(const device &dev, bigint in, const rsa_crt_key &key, std::span<std::byte> out);
void modexp_crt(const device &dev, bigint in, const rsa_crt_key &key, std::span<std::byte> out,
		std::error_code &ec) noexcept;
void dh_compute_key(const device &dev, bigint peer_pub, bigint priv, bigint prime,
		    std::span<std::byte> out);
void dh_compute_key(const device &dev, bigint peer_pub, bigint priv, bigint prime,
		    std::span<std::byte> out, std::error_code &ec) noexcept;
void dsa_sign(const device &dev, bigint digest, const dsa_params &params, bigint priv,
	      std::span<std::byte> r, std::span<std::byte> s);
void dsa_sign(const device &dev, bigint digest, const dsa_params &params, bigint priv,
	      std::span<std::byte> r, std::span<std::byte> s, std::error_code &ec) noexcept;
// true for a good signature, false for a bad one (EBADMSG is not an error here).
bool dsa_verify(const device &dev, bigint digest, const dsa_params &params, bigint pub,
		bigint r, bigint s);
bool dsa_verify(const device &dev, bigint digest, const dsa_params &params, bigint pub,
		bigint r, bigint s, std::error_code &ec) noexcept;

} // namespace ocf

#endif // OCF_OCF_HPP
