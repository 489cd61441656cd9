#include "hifn_common.hpp"

#include <string_view>

namespace hifnt {

std::vector<ocf_producer_info> hifn_producers(device &dev)
{
	std::vector<ocf_producer_info> out;
	for (const auto &p : ocft::producers(dev))
		if (std::string_view(p.name).substr(0, 4) == "hifn")
			out.push_back(p);
	return out;
}

alg make_alg(const std::string &name, std::uint32_t cipher, std::uint32_t mac, std::uint32_t key_len,
	     std::uint32_t mac_len, std::uint32_t flags)
{
	alg a;
	a.name = name;
	a.cipher = cipher;
	a.mac = mac;
	a.key_len = key_len;
	a.mac_len = mac_len;
	a.flags = flags;
	return a;
}

std::vector<alg> hifn_algs(std::uint64_t algs)
{
	auto has = [&](std::uint32_t a) { return (algs >> a) & 1; };
	std::vector<alg> t;
	if (has(OCF_CIPHER_DES_CBC))
		t.push_back(make_alg("des-cbc", OCF_CIPHER_DES_CBC, OCF_ALG_NONE, 8));
	if (has(OCF_CIPHER_3DES_CBC))
		t.push_back(make_alg("3des-cbc", OCF_CIPHER_3DES_CBC, OCF_ALG_NONE, 24));
	if (has(OCF_CIPHER_AES_CBC))
		for (std::uint32_t k : {16u, 24u, 32u})
			t.push_back(make_alg("aes-" + std::to_string(k * 8) + "-cbc", OCF_CIPHER_AES_CBC,
					     OCF_ALG_NONE, k));
	t.push_back(make_alg("md5", OCF_ALG_NONE, OCF_HASH_MD5, 0));
	t.push_back(make_alg("sha1", OCF_ALG_NONE, OCF_HASH_SHA1, 0));
	t.push_back(make_alg("hmac-md5", OCF_ALG_NONE, OCF_MAC_HMAC_MD5, 0));
	t.push_back(make_alg("hmac-sha1", OCF_ALG_NONE, OCF_MAC_HMAC_SHA1, 0));
	t.push_back(make_alg("hmac-sha1 mac 12", OCF_ALG_NONE, OCF_MAC_HMAC_SHA1, 0, 12));
	t.push_back(make_alg("md5 mac 10", OCF_ALG_NONE, OCF_HASH_MD5, 0, 10));
	// Chains (encrypt-then-MAC): every cipher and every MAC at least once.
	if (has(OCF_CIPHER_DES_CBC)) {
		t.push_back(make_alg("des-cbc+hmac-md5", OCF_CIPHER_DES_CBC, OCF_MAC_HMAC_MD5, 8));
		t.push_back(make_alg("des-cbc+sha1", OCF_CIPHER_DES_CBC, OCF_HASH_SHA1, 8));
	}
	if (has(OCF_CIPHER_3DES_CBC)) {
		t.push_back(make_alg("3des-cbc+hmac-sha1", OCF_CIPHER_3DES_CBC, OCF_MAC_HMAC_SHA1, 24));
		t.push_back(make_alg("3des-cbc+md5", OCF_CIPHER_3DES_CBC, OCF_HASH_MD5, 24));
		t.push_back(make_alg("3des-cbc+hmac-md5 mac 12", OCF_CIPHER_3DES_CBC, OCF_MAC_HMAC_MD5,
				     24, 12));
	}
	if (has(OCF_CIPHER_AES_CBC)) {
		t.push_back(make_alg("aes-128-cbc+hmac-sha1", OCF_CIPHER_AES_CBC, OCF_MAC_HMAC_SHA1, 16));
		t.push_back(make_alg("aes-192-cbc+md5", OCF_CIPHER_AES_CBC, OCF_HASH_MD5, 24));
		t.push_back(make_alg("aes-256-cbc+hmac-md5", OCF_CIPHER_AES_CBC, OCF_MAC_HMAC_MD5, 32));
		t.push_back(make_alg("aes-256-cbc+sha1", OCF_CIPHER_AES_CBC, OCF_HASH_SHA1, 32));
	}
	return t;
}

std::uint32_t rng_pattern(unsigned index, std::uint32_t n)
{
	std::uint32_t hi = n & 0xffff;
	return hi << 16 | (((hi * 0x9e37u + 0x4869u) ^ (index * 0x1111u)) & 0xffff);
}

bool rng_word_ok(unsigned index, std::uint32_t w)
{
	return rng_pattern(index, w >> 16) == w;
}

} // namespace hifnt
