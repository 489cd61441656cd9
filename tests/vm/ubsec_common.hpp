// Helpers of the ubsec tests: the Broadcom chip model's debugfs (instances,
// state, fault injection), the driver's statistics, the ubsec producers and
// the algorithms they offer, and key operations pinned to a producer.
//
// The tests run in tools/vm with ocf.ko, ocf_swcrypt.ko, ocf_ubsec.ko and
// ocf_ubsec_model.ko (variants=5805/5820): a 580x as ubsec0 and a 582x as
// ubsec1. Tests that need another part create an instance and remove it.
#ifndef OCF_TESTS_VM_UBSEC_COMMON_HPP
#define OCF_TESTS_VM_UBSEC_COMMON_HPP

#include "bignum.hpp"
#include "helpers.hpp"

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace ubsect {

using ocft::alg;
using ocft::bytes;
using ocft::device;

inline constexpr const char *model_debugfs = "/sys/kernel/debug/ubsec_model/";
inline constexpr const char *model_params = "/sys/module/ocf_ubsec_model/parameters/";
inline constexpr const char *driver_params = "/sys/module/ocf_ubsec/parameters/";
inline constexpr const char *driver_debugfs = "/sys/kernel/debug/ocf_ubsec/";

// The longest request the producer takes: a 16-bit packet and its MAC.
inline constexpr std::uint32_t max_len = 0xffff + 20;

// A key=value file (debugfs state and stats) as a map.
std::map<std::string, std::string> read_keyvals(const std::string &path);
// /sys/kernel/debug/ubsec_model/N/state
std::map<std::string, std::string> model_state(unsigned index);
long model_number(unsigned index, const std::string &key);
std::vector<unsigned> model_indexes();
int model_write(unsigned index, const std::string &file, const std::string &value);
// /sys/kernel/debug/ocf_ubsec/PRODUCER/stats
long driver_stat(const std::string &producer, const std::string &key);

// A model instance created for one test and removed (cleanly) at the end.
class chip {
public:
	explicit chip(const std::string &variant);
	~chip();
	chip(const chip &) = delete;
	chip &operator=(const chip &) = delete;

	unsigned index() const noexcept { return index_; }
	const std::string &producer() const noexcept { return producer_; }
	std::uint32_t id(device &dev) const;
	int remove();

private:
	unsigned index_ = 0;
	std::string producer_;
	bool removed_ = false;
};

std::optional<ocf_producer_info> producer_of_model(device &dev, unsigned index);

// The ciphers and HMACs (and their chains) a ubsec producer offering @algs runs.
std::vector<alg> ubsec_algs(std::uint64_t algs);

// One key operation through OCF_IOC_RUN pinned to @producer; its status.
int run_modexp(device &dev, std::uint32_t producer, const bytes &base, const bytes &exp,
	       const bytes &mod, bytes &out);
int run_crt(device &dev, std::uint32_t producer, const bytes &x, const ocft::rsa_key &k,
	    bytes &out);

} // namespace ubsect

#endif // OCF_TESTS_VM_UBSEC_COMMON_HPP
