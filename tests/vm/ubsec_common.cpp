#include "ubsec_common.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <stdexcept>

namespace fs = std::filesystem;

namespace ubsect {

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

std::map<std::string, std::string> model_state(unsigned index)
{
	return read_keyvals(std::string(model_debugfs) + std::to_string(index) + "/state");
}

long model_number(unsigned index, const std::string &key)
{
	auto s = model_state(index);
	auto it = s.find(key);
	if (it == s.end())
		throw std::runtime_error("model state has no " + key);
	return std::stol(it->second, nullptr, 0);
}

std::vector<unsigned> model_indexes()
{
	std::vector<unsigned> out;
	for (const auto &e : fs::directory_iterator(model_debugfs)) {
		const std::string name = e.path().filename();
		if (e.is_directory() && !name.empty() &&
		    std::all_of(name.begin(), name.end(), [](char c) { return c >= '0' && c <= '9'; }))
			out.push_back(static_cast<unsigned>(std::stoul(name)));
	}
	std::sort(out.begin(), out.end());
	return out;
}

int model_write(unsigned index, const std::string &file, const std::string &value)
{
	return ocft::write_text(std::string(model_debugfs) + std::to_string(index) + "/" + file, value);
}

long driver_stat(const std::string &producer, const std::string &key)
{
	auto s = read_keyvals(std::string(driver_debugfs) + producer + "/stats");
	auto it = s.find(key);
	if (it == s.end())
		throw std::runtime_error("driver stats have no " + key);
	return std::stol(it->second, nullptr, 0);
}

chip::chip(const std::string &variant)
{
	auto before = model_indexes();
	int r = ocft::write_text(std::string(model_debugfs) + "new", variant);
	if (r < 0)
		throw std::runtime_error("ubsec_model/new " + variant + ": " + ocft::errname(r));
	for (unsigned i : model_indexes())
		if (std::find(before.begin(), before.end(), i) == before.end())
			index_ = i;
	producer_ = model_state(index_)["producer"];
}

chip::~chip() { remove(); }

int chip::remove()
{
	if (removed_)
		return 0;
	removed_ = true;
	return ocft::write_text(std::string(model_debugfs) + "remove", std::to_string(index_));
}

std::uint32_t chip::id(device &dev) const
{
	auto p = ocft::producer_named(dev, producer_);
	return p ? p->id : 0;
}

std::optional<ocf_producer_info> producer_of_model(device &dev, unsigned index)
{
	return ocft::producer_named(dev, model_state(index)["producer"]);
}

namespace {

alg make(const std::string &name, std::uint32_t cipher, std::uint32_t mac, std::uint32_t key_len,
	 std::uint32_t mac_len = 0)
{
	alg a;
	a.name = name;
	a.cipher = cipher;
	a.mac = mac;
	a.key_len = key_len;
	a.mac_len = mac_len;
	return a;
}

} // namespace

std::vector<alg> ubsec_algs(std::uint64_t algs)
{
	std::vector<alg> t;
	t.push_back(make("des-cbc", OCF_CIPHER_DES_CBC, OCF_ALG_NONE, 8));
	t.push_back(make("3des-cbc", OCF_CIPHER_3DES_CBC, OCF_ALG_NONE, 24));
	t.push_back(make("hmac-md5", OCF_ALG_NONE, OCF_MAC_HMAC_MD5, 0));
	t.push_back(make("hmac-sha1", OCF_ALG_NONE, OCF_MAC_HMAC_SHA1, 0));
	t.push_back(make("hmac-sha1 mac 12", OCF_ALG_NONE, OCF_MAC_HMAC_SHA1, 0, 12));
	t.push_back(make("3des-cbc+hmac-sha1", OCF_CIPHER_3DES_CBC, OCF_MAC_HMAC_SHA1, 24));
	t.push_back(make("3des-cbc+hmac-md5", OCF_CIPHER_3DES_CBC, OCF_MAC_HMAC_MD5, 24));
	t.push_back(make("des-cbc+hmac-sha1 mac 12", OCF_CIPHER_DES_CBC, OCF_MAC_HMAC_SHA1, 8, 12));
	t.push_back(make("des-cbc+hmac-md5", OCF_CIPHER_DES_CBC, OCF_MAC_HMAC_MD5, 8));
	if ((algs >> OCF_CIPHER_AES_CBC) & 1) {
		for (std::uint32_t k : {16u, 24u, 32u})
			t.push_back(make("aes-" + std::to_string(k * 8) + "-cbc", OCF_CIPHER_AES_CBC,
					 OCF_ALG_NONE, k));
		t.push_back(make("aes-128-cbc+hmac-sha1", OCF_CIPHER_AES_CBC, OCF_MAC_HMAC_SHA1, 16));
		t.push_back(make("aes-256-cbc+hmac-md5", OCF_CIPHER_AES_CBC, OCF_MAC_HMAC_MD5, 32));
	}
	return t;
}

// ---- key operations ------------------------------------------------------------

namespace {

int run_kop(device &dev, ocf_kop &kop, std::uint32_t producer)
{
	kop.producer = producer;
	ocf_op op;
	ocf_op_kop(&op, &kop);
	int r = ocf_run(dev.get(), &op, 1);
	return r < 0 ? r : op.status;
}

} // namespace

int run_modexp(device &dev, std::uint32_t producer, const bytes &base, const bytes &exp,
	       const bytes &mod, bytes &out)
{
	ocf_kop kop;
	using ocft::obn;
	REQUIRE(ocf_kop_modexp(&kop, 0, obn(base), obn(exp), obn(mod), out.data(), out.size()) == 0);
	return run_kop(dev, kop, producer);
}

int run_crt(device &dev, std::uint32_t producer, const bytes &x, const ocft::rsa_key &k,
	    bytes &out)
{
	ocf_kop kop;
	ocf_rsa_crt_key key = k.crt();
	REQUIRE(ocf_kop_modexp_crt(&kop, ocft::obn(x), &key, out.data(), out.size()) == 0);
	return run_kop(dev, kop, producer);
}

} // namespace ubsect
