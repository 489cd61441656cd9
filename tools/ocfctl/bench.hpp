// SPDX-License-Identifier: GPL-2.0
// ocfctl bench: the backends it compares. Each benchmark thread makes its
// own worker, so nothing is shared between threads while they measure.
#ifndef OCFCTL_BENCH_HPP
#define OCFCTL_BENCH_HPP

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>

namespace ocfctl::bench {

// One thread's benchmark state: everything is set up by the time the
// backend's make() returns, so set-up cost stays out of the measurement.
class worker {
public:
	virtual ~worker() = default;
	// Does one round (depth ops for /dev/ocf, one op otherwise) and returns
	// the ops done. Throws failure when an op fails.
	virtual std::uint64_t round() = 0;
	// The producer serving the worker's session; "" for backends without one.
	virtual std::string producer() const { return {}; }
};

struct shape {
	std::size_t size = 0;	// bytes per op
	unsigned depth = 1;	// ops per round: per RUN, per SUBMIT, per io_uring submit
	std::string device_path;
	std::string producer;	// /dev/ocf sessions pinned to this producer (name or id); "" any
};

struct backend {
	std::string_view name;
	std::string_view description;
	bool has_depth;		// /dev/ocf: depth ops per round; the others always run depth 1
	std::size_t block;	// sizes must be a multiple of this
	bool in_all;		// run by --backend all (the project's tracked ratios)
	// Sets up one thread's worker and checks its output once against
	// OpenSSL (a backend that does not encrypt fails here); throws failure
	// with a message a person can act on (module not loaded, AF_ALG
	// missing, wrong output...).
	std::unique_ptr<worker> (*make)(const shape &cell);
};

// ocf-null, ocf-aes, afalg, openssl, in that order (--backend all); then
// ocf-3des, and each /dev/ocf cipher through SUBMIT/REAP (ocf-X-async),
// io_uring (ocf-X-uring) and io_uring with SQPOLL (ocf-X-sqpoll).
std::span<const backend> backends();

} // namespace ocfctl::bench

#endif // OCFCTL_BENCH_HPP
