// A chip model's debugfs folder, as the Hifn and Broadcom models lay it out
// (/sys/kernel/debug/NAME_model/): a numbered folder per instance with a
// key=value state file, and the files new (write a part) and remove
// (write an instance). The tests' helpers for either model sit on this.
#ifndef OCF_TESTS_VM_MODEL_DEBUGFS_HPP
#define OCF_TESTS_VM_MODEL_DEBUGFS_HPP

#include "helpers.hpp"

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace ocft {

// A key=value file (debugfs state and stats) as a map; throws when it cannot be read.
std::map<std::string, std::string> read_keyvals(const std::string &path);
// One number of such a file (decimal or 0x hex); throws when the key is missing.
long keyval_number(const std::string &path, const std::string &key);

class model_dir {
public:
	// @root: the folder, with its trailing slash
	explicit constexpr model_dir(const char *root) : root_(root) {}

	const char *root() const noexcept { return root_; }
	std::map<std::string, std::string> state(unsigned index) const;
	long number(unsigned index, const std::string &key) const;
	std::vector<unsigned> indexes() const;
	// Writes @value to instance @index's @file; 0 or -errno.
	int write(unsigned index, const std::string &file, const std::string &value) const;
	std::optional<unsigned> of_producer(const std::string &producer) const;
	// The OCF producer instance @index registered.
	std::optional<ocf_producer_info> producer_of(device &dev, unsigned index) const;

private:
	const char *root_;
};

// A model instance created for one test and removed (cleanly) at the end.
class model_chip {
public:
	model_chip(const model_dir &fs, const std::string &variant);
	~model_chip();
	model_chip(const model_chip &) = delete;
	model_chip &operator=(const model_chip &) = delete;

	unsigned index() const noexcept { return index_; }
	const std::string &producer() const noexcept { return producer_; }
	// The OCF producer id (0 when it is not registered).
	std::uint32_t id(device &dev) const;
	// Removes it now (detach: sessions migrate); 0 or -errno.
	int remove();

private:
	const model_dir &fs_;
	unsigned index_ = 0;
	std::string producer_;
	bool removed_ = false;
};

} // namespace ocft

#endif // OCF_TESTS_VM_MODEL_DEBUGFS_HPP
