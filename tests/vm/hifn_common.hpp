// Helpers of the Hifn tests: the chip model's debugfs (instances, state,
// fault injection), the hifn producers, and the algorithms a Hifn offers.
//
// The tests run in tools/vm with ocf.ko, ocf_swcrypt.ko, ocf_hifn.ko and
// ocf_hifn_model.ko (instances=4, rng_test=1): four 7751s, as hifn0..3.
// Tests that need another part create a model instance and remove it again.
#ifndef OCF_TESTS_VM_HIFN_COMMON_HPP
#define OCF_TESTS_VM_HIFN_COMMON_HPP

#include "helpers.hpp"
#include "model_debugfs.hpp"

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace hifnt {

using ocft::alg;
using ocft::device;

inline constexpr const char *model_debugfs = "/sys/kernel/debug/hifn_model/";
inline constexpr const char *model_params = "/sys/module/ocf_hifn_model/parameters/";
inline constexpr const char *driver_params = "/sys/module/ocf_hifn/parameters/";
inline constexpr ocft::model_dir model{model_debugfs};

// The largest range the chip takes (the producer's max_len).
inline constexpr std::uint32_t max_len = 0x3fffc;

// /sys/kernel/debug/hifn_model/N/state as key -> value.
inline std::map<std::string, std::string> model_state(unsigned index) { return model.state(index); }
inline long model_number(unsigned index, const std::string &key) { return model.number(index, key); }
inline std::vector<unsigned> model_indexes() { return model.indexes(); }
// Writes VALUE to /sys/kernel/debug/hifn_model/N/FILE; 0 or -errno.
inline int model_write(unsigned index, const std::string &file, const std::string &value)
{
	return model.write(index, file, value);
}
inline std::optional<unsigned> model_of_producer(const std::string &producer)
{
	return model.of_producer(producer);
}

// A Hifn model instance created for one test and removed (cleanly) at the end.
class chip : public ocft::model_chip {
public:
	explicit chip(const std::string &variant) : model_chip(model, variant) {}
};

// Producers whose name starts with "hifn".
std::vector<ocf_producer_info> hifn_producers(device &dev);
inline std::optional<ocf_producer_info> producer_of_model(device &dev, unsigned index)
{
	return model.producer_of(dev, index);
}

// The algorithms and chains the tests run on a producer offering @algs.
std::vector<alg> hifn_algs(std::uint64_t algs);
alg make_alg(const std::string &name, std::uint32_t cipher, std::uint32_t mac,
	     std::uint32_t key_len, std::uint32_t mac_len = 0, std::uint32_t flags = 0);

// The model's test-mode RNG word number N of instance INDEX (model_regs.c).
std::uint32_t rng_pattern(unsigned index, std::uint32_t n);
// Whether @w is a test-mode word of instance INDEX.
bool rng_word_ok(unsigned index, std::uint32_t w);

} // namespace hifnt

#endif // OCF_TESTS_VM_HIFN_COMMON_HPP
