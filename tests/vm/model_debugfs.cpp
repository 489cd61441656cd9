#include "model_debugfs.hpp"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <stdexcept>

namespace fs = std::filesystem;

namespace ocft {

std::map<std::string, std::string> read_keyvals(const std::string &path)
{
	std::ifstream f(path);
	if (!f)
		throw std::runtime_error("cannot read " + path);
	std::map<std::string, std::string> out;
	std::string line;
	while (std::getline(f, line)) {
		auto eq = line.find('=');
		if (eq != std::string::npos)
			out[line.substr(0, eq)] = line.substr(eq + 1);
	}
	return out;
}

long keyval_number(const std::string &path, const std::string &key)
{
	auto s = read_keyvals(path);
	auto it = s.find(key);
	if (it == s.end())
		throw std::runtime_error(path + " has no " + key);
	return std::stol(it->second, nullptr, 0);
}

std::map<std::string, std::string> model_dir::state(unsigned index) const
{
	return read_keyvals(root_ + std::to_string(index) + "/state");
}

long model_dir::number(unsigned index, const std::string &key) const
{
	return keyval_number(root_ + std::to_string(index) + "/state", key);
}

std::vector<unsigned> model_dir::indexes() const
{
	std::vector<unsigned> out;
	for (const auto &e : fs::directory_iterator(root_)) {
		const std::string name = e.path().filename();
		if (e.is_directory() && !name.empty() &&
		    std::all_of(name.begin(), name.end(), [](char c) { return c >= '0' && c <= '9'; }))
			out.push_back(static_cast<unsigned>(std::stoul(name)));
	}
	std::sort(out.begin(), out.end());
	return out;
}

int model_dir::write(unsigned index, const std::string &file, const std::string &value) const
{
	return write_text(root_ + std::to_string(index) + "/" + file, value);
}

std::optional<unsigned> model_dir::of_producer(const std::string &producer) const
{
	for (unsigned i : indexes())
		if (state(i)["producer"] == producer)
			return i;
	return std::nullopt;
}

std::optional<ocf_producer_info> model_dir::producer_of(device &dev, unsigned index) const
{
	return producer_named(dev, state(index)["producer"]);
}

model_chip::model_chip(const model_dir &fs, const std::string &variant) : fs_(fs)
{
	auto before = fs.indexes();
	int r = write_text(std::string(fs.root()) + "new", variant);
	if (r < 0)
		throw std::runtime_error(std::string(fs.root()) + "new " + variant + ": " + errname(r));
	for (unsigned i : fs.indexes())
		if (std::find(before.begin(), before.end(), i) == before.end())
			index_ = i;
	producer_ = fs.state(index_)["producer"];
}

model_chip::~model_chip() { remove(); }

int model_chip::remove()
{
	if (removed_)
		return 0;
	removed_ = true;
	return write_text(std::string(fs_.root()) + "remove", std::to_string(index_));
}

std::uint32_t model_chip::id(device &dev) const
{
	auto p = producer_named(dev, producer_);
	return p ? p->id : 0;
}

} // namespace ocft
