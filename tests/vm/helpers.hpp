// Shared helpers of the VM tests: an RAII /dev/ocf, sessions, buffers at odd
// addresses, the algorithm table with OpenSSL (default provider) as the
// reference, prepared operations that know their expected output, raw ioctl
// wrappers for crafting bad fields, sysfs module parameters, child processes
// and the kernel log.
//
// Catch2 is not thread-safe: code that runs in worker threads reports
// problems as strings, and the test thread asserts on them.
#ifndef OCF_TESTS_VM_HELPERS_HPP
#define OCF_TESTS_VM_HELPERS_HPP

// The C API declares functions named like the uapi structs they fill
// (ocf_session_new, ocf_reap); in C++ that is -Wshadow noise, not a bug.
// The structs stay reachable as "struct ocf_session_new" / "struct ocf_reap".
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wshadow"
#include <ocf/ocf.h>
#pragma GCC diagnostic pop

#include <linux/ocf.h>

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <random>
#include <regex>
#include <string>
#include <string_view>
#include <sys/types.h>
#include <vector>

namespace ocft {

using bytes = std::vector<std::uint8_t>;

// ---- randomness -------------------------------------------------------------

// The run's seed: $OCF_TEST_SEED, else random; printed once to stderr.
std::uint64_t seed();
// A generator for one case, derived from the seed and a salt (the case name).
std::mt19937_64 make_rng(std::string_view salt);
bytes random_bytes(std::mt19937_64 &rng, std::size_t n);
std::uint32_t random_below(std::mt19937_64 &rng, std::uint32_t n); // [0, n)

#define OCFT_SEED_INFO() INFO("seed " << ocft::seed() << " (set OCF_TEST_SEED to repeat)")

// ---- the device ---------------------------------------------------------------

// An open /dev/ocf through libocf; throws std::runtime_error when it cannot open.
class device {
public:
	device();
	~device();
	device(device &&other) noexcept;
	device &operator=(device &&other) noexcept;
	device(const device &) = delete;
	device &operator=(const device &) = delete;

	ocf_device *get() const noexcept { return dev_; }
	int fd() const noexcept { return ocf_device_fd(dev_); }
	void close() noexcept;

private:
	ocf_device *dev_ = nullptr;
};

// ---- sysfs --------------------------------------------------------------------

inline constexpr const char *ocf_params = "/sys/module/ocf/parameters/";
inline constexpr const char *null_params = "/sys/module/ocf_null/parameters/";

// The file's content without trailing whitespace; throws when unreadable.
std::string read_text(const std::string &path);
// Writes value (one write(2)); 0 or -errno.
int write_text(const std::string &path, const std::string &value);
// /sys/module/ocf/parameters/NAME as a number.
long ocf_param(const char *name);

// Sets a writable parameter for the lifetime of the object, restores it after.
class param_override {
public:
	param_override(std::string path, const std::string &value);
	~param_override();
	param_override(const param_override &) = delete;
	param_override &operator=(const param_override &) = delete;

private:
	std::string path_, old_;
};

// ---- buffers ------------------------------------------------------------------

// len bytes starting @offset bytes past a 64-byte aligned address, so offset
// 1 or 3 gives an odd address.
class buffer {
public:
	buffer() = default;
	buffer(std::size_t len, std::size_t offset);
	std::uint8_t *data() const noexcept { return data_; }
	std::size_t size() const noexcept { return len_; }
	bytes copy() const { return bytes(data_, data_ + len_); }
	void assign(const bytes &b); // b.size() must be size()
	void fill(std::uint8_t v);

private:
	std::unique_ptr<std::uint8_t[]> storage_;
	std::uint8_t *data_ = nullptr;
	std::size_t len_ = 0;
};

// Pages for bad pointers: none() is mapped PROT_NONE, ro() read-only,
// straddle(n) is n readable/writable bytes running into the PROT_NONE page.
class bad_pages {
public:
	bad_pages();
	~bad_pages();
	bad_pages(const bad_pages &) = delete;
	bad_pages &operator=(const bad_pages &) = delete;
	void *none() const noexcept { return base_ + page_; }
	void *ro() const noexcept { return base_ + 2 * page_; }
	void *straddle(std::size_t n) const noexcept { return base_ + page_ - n; }
	// The read-only page, holding a copy of @n bytes at @data.
	void *ro_with(const void *data, std::size_t n);
	static std::uint64_t kernel_address() { return 0xffff888000000000ull; }

private:
	std::uint8_t *base_ = nullptr;
	std::size_t page_ = 0;
};

inline std::uint64_t uptr(const void *p) { return reinterpret_cast<std::uintptr_t>(p); }

// ---- algorithms ---------------------------------------------------------------

enum class mode { cipher, digest, aead, chain };

struct alg {
	std::string name;
	std::uint32_t cipher = OCF_ALG_NONE;
	std::uint32_t mac = OCF_ALG_NONE;
	std::uint32_t flags = 0;       // OCF_SESSION_*
	std::uint32_t key_len = 0;     // cipher key bytes
	std::uint32_t mac_len = 0;     // requested MAC/tag length, 0 = full

	mode kind() const;
	std::uint32_t block() const;    // 1 for stream modes and digests
	std::uint32_t iv_len() const;
	std::uint32_t tag_len() const;  // effective MAC/tag length (0: none)
	bool hmac() const;
	bool mac_then_cipher() const { return flags & OCF_SESSION_MAC_THEN_CIPHER; }
};

// Every algorithm and chain, as the differential test covers them.
const std::vector<alg> &all_algs();
const alg &find_alg(std::string_view name);
std::uint32_t full_digest_len(std::uint32_t mac); // 0 if not a MAC/hash

struct keys {
	bytes cipher, mac;
};
keys random_keys(const alg &a, std::mt19937_64 &rng);

// ---- sessions -----------------------------------------------------------------

// ocf_session_new() for @a with @k; returns its result.
int new_session(device &dev, const alg &a, const keys &k, std::uint32_t *id,
		std::uint32_t *producer = nullptr, std::uint32_t pin = 0);

// A session that frees itself; throws std::runtime_error when it cannot be made.
class session {
public:
	session(device &dev, const alg &a, const keys &k, std::uint32_t pin = 0);
	~session();
	session(const session &) = delete;
	session &operator=(const session &) = delete;
	std::uint32_t id() const noexcept { return id_; }
	std::uint32_t producer() const noexcept { return producer_; }
	// Leave the session to its file (closing the file frees it).
	void forget() noexcept { dev_ = nullptr; }

private:
	device *dev_;
	std::uint32_t id_ = 0, producer_ = 0;
};

// ---- OpenSSL references (default provider) --------------------------------------

// CBC/CTR/DES/3DES/null over n bytes, padding off.
bytes ref_cipher(std::uint32_t cipher, const bytes &key, const bytes &iv, const std::uint8_t *in,
		 std::size_t n, bool encrypt);
// Hash or HMAC, full length.
bytes ref_digest(std::uint32_t mac, const bytes &key, const std::uint8_t *in, std::size_t n);
// AES-GCM encryption: ciphertext followed by the full 16-byte tag.
bytes ref_gcm(const bytes &key, const bytes &iv, const std::uint8_t *aad, std::size_t aad_len,
	      const std::uint8_t *in, std::size_t n);

// ---- layouts, vectors, prepared operations --------------------------------------

// The ABI layout the tests use (libocf's ocf_op_aead layout):
// [0, aad) authenticated only, [aad, aad + text) the cipher region, then the
// MAC/tag. Plain ciphers have aad = tag = 0; digests have aad = 0 and
// authenticate [0, text).
struct layout {
	std::uint32_t aad = 0, text = 0, tag = 0;
	std::uint32_t len() const { return aad + text + tag; }
	std::uint32_t mac_offset() const { return aad + text; }
};

// One test vector: the plaintext buffer [aad | plaintext | zeros] and the
// buffer that encryption must produce [aad | ciphertext | MAC].
struct vector_case {
	const alg *a = nullptr;
	keys k;
	bytes iv;
	layout lay;
	bytes plain;
	bytes encrypted;
};

// Random data, IV (and AAD); the expected output from OpenSSL.
vector_case make_case(const alg &a, const keys &k, std::mt19937_64 &rng, std::uint32_t text,
		      std::uint32_t aad);
// Encryption of @plain by the reference (the whole output buffer).
bytes reference_encrypt(const alg &a, const keys &k, const bytes &iv, const bytes &plain,
			const layout &lay);

// Fills @op for the layout with libocf's fillers (ocf_op_cipher, _digest,
// _aead: auth region = the AAD alone, _chain: auth region = AAD + text).
void fill_op(ocf_op &op, const alg &a, std::uint32_t session, std::uint32_t direction,
	     const void *src, void *dst, const layout &lay, const void *iv);

struct placement {
	bool in_place;
	std::size_t src_off, dst_off;
	std::string name() const;
};
// In place at offsets 1 and 3; out of place 1 -> 3 and 3 -> 1.
const std::vector<placement> &placements();

// A ready operation: its buffers, the op, and what must come out.
struct prepared_op {
	const vector_case *vc = nullptr;
	std::uint32_t direction = OCF_OP_ENCRYPT;
	placement where{};
	buffer src, dst;
	bytes iv;
	ocf_op op{};
	int expected_status = 0;
	bytes expected;     // the output buffer when expected_status == 0
	bytes dst_before;   // out of place: dst as it was before the op
	bytes src_before;   // the input as it was before the op

	std::uint8_t *out() const { return where.in_place ? src.data() : dst.data(); }
	// "" when status and output are right, else what is wrong.
	std::string check(int status) const;
	std::string describe() const;
};

using prepared_ptr = std::unique_ptr<prepared_op>;

// The op decrypting or encrypting @vc as @where. Decryption's input is
// vc.encrypted; its output must be [aad | plaintext | MAC].
prepared_ptr prepare(const vector_case &vc, std::uint32_t session, std::uint32_t direction,
		     const placement &where, std::uint64_t tag = 0);

// A decryption whose input has one bit flipped at @byte (in vc.encrypted's
// coordinates): it must fail with -EBADMSG and release no plaintext.
prepared_ptr prepare_tampered(const vector_case &vc, std::uint32_t session, const placement &where,
			      std::uint32_t byte, std::uint8_t bit, std::uint64_t tag = 0);

// What is wrong with @out after a failed authenticated decryption, "" if nothing.
std::string check_no_plaintext(const prepared_op &p);

// Sizes 0, 1, 15, 16, 17, 63, 64, 65, 255, 256, 1024, 4096, 16384, 65536 and the
// largest text that fits @max_len, for @a (block multiples only, whole buffer
// with @aad and the tag within @max_len).
std::vector<std::uint32_t> text_sizes(const alg &a, std::uint32_t aad, std::uint32_t max_len);

// Runs @ops through ocf_run in one batch; returns ocf_run's result and stores
// each op's status back into the prepared op.
int run_prepared(device &dev, const std::vector<prepared_ptr> &ops);

// "" or the first difference of got against want.
std::string diff(const std::uint8_t *got, const bytes &want, std::size_t from = 0,
		 std::size_t to = SIZE_MAX);
std::string errname(int negative_errno);

// ---- raw ioctls ---------------------------------------------------------------

// ioctl(2) returning 0 or -errno.
int xioctl(int fd, unsigned long request, void *arg);
int xioctl(int fd, unsigned long request, std::uint64_t arg);

struct ocf_batch make_batch(const void *ops, std::uint32_t count,
			    std::uint32_t op_size = sizeof(ocf_op));
int raw_run(int fd, ocf_op *ops, std::uint32_t count);
int raw_submit(int fd, const ocf_op *ops, std::uint32_t count);
// REAP without waiting (flags = 0) or with OCF_REAP_WAIT; returns count or -errno.
int raw_reap(int fd, ocf_completion *out, std::uint32_t max, std::uint32_t flags = 0,
	     std::uint32_t min_complete = 0, std::uint32_t *in_flight = nullptr);

// ---- async --------------------------------------------------------------------

// poll(2) for POLLIN: true when readable within timeout_ms.
bool readable(int fd, int timeout_ms);
// Collects @n completions with poll() + ocf_reap(); stops early after
// @timeout_ms without progress. The caller checks the count.
std::vector<ocf_completion> reap_n(device &dev, std::size_t n, int timeout_ms = 60000);

// ---- inspection ---------------------------------------------------------------

std::vector<ocf_producer_info> producers(device &dev);
std::optional<ocf_producer_info> producer_named(device &dev, std::string_view name);
std::optional<ocf_producer_info> producer_by_id(device &dev, std::uint32_t id);
std::vector<ocf_session_info> sessions(device &dev, std::uint32_t flags = 0);
std::optional<ocf_session_info> session_info(device &dev, std::uint32_t id);
// min(max_op_len, the producer's max_len when it has one).
std::uint32_t max_len_for(device &dev, std::uint32_t producer);
// Polls @pred every 20 ms for up to @timeout_ms.
bool eventually(const std::function<bool()> &pred, int timeout_ms);
// Pages pinned with FOLL_PIN and not yet released, system-wide
// (/proc/vmstat nr_foll_pin_acquired - nr_foll_pin_released).
long long pins_outstanding();
// A counter of /proc/vmstat, refreshed first; throws when absent.
unsigned long long vmstat(std::string_view counter);
// Whether this is the KASAN/lockdep kernel of tools/debug-kernel (its
// CONFIG_LOCALVERSION), under which everything runs several times slower.
bool debug_kernel();

// ---- processes ----------------------------------------------------------------

struct child_result {
	int status = -1;    // waitpid status
	std::string output; // what the child wrote (its message, or a command's output)
	bool paused = false; // run_child_paused: the child reached notify()
	bool ok() const;    // exited with status 0
	int exit_code() const;
};

// Runs @fn in a forked child; fn returns "" for success or a message of
// what failed, which the parent gets in output. Exceptions count as failures.
child_result run_child(const std::function<std::string()> &fn);
// A child that pauses: fn does its setup, calls notify() and then wait();
// meanwhile the parent runs while_paused(child pid), then lets it finish.
struct child_sync {
	int to_parent = -1, from_parent = -1;
	void notify() const;
	void wait() const;
};
child_result run_child_paused(const std::function<std::string(const child_sync &)> &fn,
			      const std::function<void(pid_t)> &while_paused);
// Runs argv with stdout and stderr captured, as uid/gid 65534 when
// @as_nobody, with @env ("NAME=value") added to the environment.
child_result run_command(const std::vector<std::string> &argv, bool as_nobody = false,
			 const std::vector<std::string> &env = {});
// In a child: setgroups(0), setgid and setuid to nobody (65534); "" or the error.
std::string drop_to_nobody();
// The same, after setting RLIMIT_MEMLOCK (soft and hard) to @memlock bytes.
std::string drop_to_nobody(std::size_t memlock);

#define CHILD_EXPECT(cond)                                                                   \
	do {                                                                                 \
		if (!(cond))                                                                 \
			return std::string(__FILE__) + ":" + std::to_string(__LINE__) +       \
			       ": expected " #cond;                                          \
	} while (0)

// ---- kernel log ---------------------------------------------------------------

// Reads /dev/kmsg records written after construction.
class kmsg_tail {
public:
	kmsg_tail();
	~kmsg_tail();
	kmsg_tail(const kmsg_tail &) = delete;
	kmsg_tail &operator=(const kmsg_tail &) = delete;
	// The groups (0: the whole message) of the first new message that
	// matches @re (std::regex_search), waiting up to @timeout_ms.
	std::optional<std::vector<std::string>> wait_for(const std::regex &re, int timeout_ms);

private:
	int fd_ = -1;
	std::vector<std::string> lines_;
};

} // namespace ocft

#endif // OCF_TESTS_VM_HELPERS_HPP
