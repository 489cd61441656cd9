// SPDX-License-Identifier: LGPL-2.1-or-later
// The provider's access to /dev/ocf: one open file per process, opened
// lazily, never used in another process (a fork child opens its own), and
// sessions that belong to it.
#ifndef OCF_PROVIDER_DEVICE_HPP
#define OCF_PROVIDER_DEVICE_HPP

#include <ocf/ocf.h>

#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <mutex>

namespace ocfprov::dev {

// The provider's locks, in the order they nest (a lock is only taken while
// holding those before it). Around fork(2) (pthread_atfork) the forking
// thread holds all of them, so that a child never inherits one locked by a
// thread that does not exist in it (a session being created, the producer
// list being read, mode auto deciding its offer).
enum class Lock { Offer, HashSessions, Device, Count };
std::mutex &lock(Lock which);

// Key-operation types we keep limits for (OCF_KOP_MODEXP..DH_COMPUTE_KEY).
inline constexpr std::size_t kKopSlots = 8;

// What OCF offers this process now.
struct Caps {
	bool usable = false;		// the device is open in this process
	std::uint64_t any_algs = 0;	// enum ocf_alg bits offered by some producer
	std::uint64_t hw_algs = 0;	// ... by a producer flagged OCF_PRODUCER_HARDWARE
	std::uint32_t max_len = 0;	// longest request to send
	std::uint32_t hw_max_len = 0;	// ... that some hardware producer takes
	// Key operations (bit 1 << OCF_KOP_x) offered by some producer, and by
	// a hardware one; per operation the largest modulus (bits) any
	// producer, or any hardware one, takes for it.
	std::uint32_t any_kops = 0;
	std::uint32_t hw_kops = 0;
	std::uint32_t any_kop_bits[kKopSlots] = {};
	std::uint32_t hw_kop_bits[kKopSlots] = {};
};

// The current capabilities. Opens the device on first use (and retries a
// failed open only every few seconds); refreshes the producer list every
// second. Cheap when nothing is due.
Caps caps();

// True when @alg (an enum ocf_alg, or OCF_ALG_NONE) is in @bits.
inline bool has_alg(std::uint64_t bits, std::uint32_t alg)
{
	return alg == OCF_ALG_NONE || (alg < 64 && (bits >> alg) & 1);
}

// A session of this process's device. Zero-initialised = none.
struct Session {
	std::uint64_t gen = 0;	// the device it belongs to (0 = none)
	std::uint32_t id = 0;
	std::uint32_t mac_len = 0;
	std::uint32_t max_len = 0;	// longest request its producer takes
	bool hw = false;		// its producer is hardware
};

// Creates @s (freeing what it held, if that is still ours). With @need_hw,
// a session that OCF put on a software producer is freed again and
// -EOPNOTSUPP returned: in mode auto only hardware pays. 0 or -errno.
int session_new(Session &s, const ocf_session_params &params, bool need_hw);

// Frees @s if it belongs to this process's current device; forgets it anyway.
void session_free(Session &s);

// True when @s can be used in this process now.
bool session_live(const Session &s);

// Runs one op on @s's device. Returns the op's status (0, -EBADMSG, ...),
// a batch error, -ESTALE when @s is not of this process's device, or -E2BIG
// (without trying) when the op is longer than @s's producer takes.
int run(const Session &s, ocf_op &op);

// Whether run()'s result says that @s is gone: of a closed device (-ESTALE)
// or freed by OCF (-ENOENT). Its holder forgets it; the next use makes a
// new one.
inline bool session_gone(int run_result)
{
	return run_result == -ESTALE || run_result == -ENOENT;
}

// This process's device for one key operation (they need no session), after
// the same checks as run(): of this process, still our file. nullptr when
// there is none (the caller does the operation in software).
ocf_device *kop_device();

// A key operation failed with @err: a vanished producer (-ENODEV) or one
// that no longer does the operation (-EOPNOTSUPP) makes the producer list
// be read again at the next caps().
void kop_failed(int err);

// A key operation's result failed its check (a producer's fault; the
// operation was redone in software). Counted for the provider parameter
// "ocf-kop-faults".
void kop_fault();
unsigned long kop_faults();

// Errors that leave the buffers untouched: the caller may do the request in
// software instead.
bool data_untouched(int err);

// Closes the device when no session of this process is alive: mode auto
// calls it when it offers nothing (no process pins ocf.ko for nothing).
void release_if_unused();

// Closes the device at the last provider instance's teardown (only in the
// process that opened it).
void shutdown();

} // namespace ocfprov::dev

#endif // OCF_PROVIDER_DEVICE_HPP
