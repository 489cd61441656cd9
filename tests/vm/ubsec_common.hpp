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
#include "model_debugfs.hpp"

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

inline constexpr ocft::model_dir model{model_debugfs};

// /sys/kernel/debug/ubsec_model/N/state
inline std::map<std::string, std::string> model_state(unsigned index) { return model.state(index); }
inline long model_number(unsigned index, const std::string &key) { return model.number(index, key); }
inline std::vector<unsigned> model_indexes() { return model.indexes(); }
inline int model_write(unsigned index, const std::string &file, const std::string &value)
{
	return model.write(index, file, value);
}
// /sys/kernel/debug/ocf_ubsec/PRODUCER/stats
inline long driver_stat(const std::string &producer, const std::string &key)
{
	return ocft::keyval_number(std::string(driver_debugfs) + producer + "/stats", key);
}

// A Broadcom model instance created for one test and removed (cleanly) at the end.
class chip : public ocft::model_chip {
public:
	explicit chip(const std::string &variant) : model_chip(model, variant) {}
};

inline std::optional<ocf_producer_info> producer_of_model(device &dev, unsigned index)
{
	return model.producer_of(dev, index);
}

// The ciphers and HMACs (and their chains) a ubsec producer offering @algs runs.
std::vector<alg> ubsec_algs(std::uint64_t algs);

// One key operation through OCF_IOC_RUN pinned to @producer; its status.
int run_modexp(device &dev, std::uint32_t producer, const bytes &base, const bytes &exp,
	       const bytes &mod, bytes &out);
int run_crt(device &dev, std::uint32_t producer, const bytes &x, const ocft::rsa_key &k,
	    bytes &out);

} // namespace ubsect

#endif // OCF_TESTS_VM_UBSEC_COMMON_HPP
