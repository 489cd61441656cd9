// Helpers of the Hifn tests: the chip model's debugfs (instances, state,
// fault injection), the hifn producers, and the algorithms a Hifn offers.
//
// The tests run in tools/vm with ocf.ko, ocf_swcrypt.ko, ocf_hifn.ko and
// ocf_hifn_model.ko (instances=4, rng_test=1): four 7751s, as hifn0..3.
// Tests that need another part create a model instance and remove it again.
#ifndef OCF_TESTS_VM_HIFN_COMMON_HPP
#define OCF_TESTS_VM_HIFN_COMMON_HPP

#include "helpers.hpp"

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

// The largest range the chip takes (the producer's max_len).
inline constexpr std::uint32_t max_len = 0x3fffc;

// /sys/kernel/debug/hifn_model/N/state as key -> value.
std::map<std::string, std::string> model_state(unsigned index);
long model_number(unsigned index, const std::string &key);
std::vector<unsigned> model_indexes();
// Writes VALUE to /sys/kernel/debug/hifn_model/N/FILE; 0 or -errno.
int model_write(unsigned index, const std::string &file, const std::string &value);
std::optional<unsigned> model_of_producer(const std::string &producer);

// A model instance created for one test and removed (cleanly) at the end.
class chip {
public:
	explicit chip(const std::string &variant);
	~chip();
	chip(const chip &) = delete;
	chip &operator=(const chip &) = delete;

	unsigned index() const noexcept { return index_; }
	const std::string &producer() const noexcept { return producer_; }
	// The OCF producer id (0 when it is not registered).
	std::uint32_t id(device &dev) const;
	// Removes it now (detach: sessions migrate); 0 or -errno.
	int remove();

private:
	unsigned index_ = 0;
	std::string producer_;
	bool removed_ = false;
};

// Producers whose name starts with "hifn".
std::vector<ocf_producer_info> hifn_producers(device &dev);
std::optional<ocf_producer_info> producer_of_model(device &dev, unsigned index);

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
