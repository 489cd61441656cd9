#include "ubsec_common.hpp"

#include "hifn_common.hpp"

#include <catch2/catch.hpp>

namespace ubsect {

std::vector<alg> ubsec_algs(std::uint64_t algs)
{
	using hifnt::make_alg;
	std::vector<alg> t;
	t.push_back(make_alg("des-cbc", OCF_CIPHER_DES_CBC, OCF_ALG_NONE, 8));
	t.push_back(make_alg("3des-cbc", OCF_CIPHER_3DES_CBC, OCF_ALG_NONE, 24));
	t.push_back(make_alg("hmac-md5", OCF_ALG_NONE, OCF_MAC_HMAC_MD5, 0));
	t.push_back(make_alg("hmac-sha1", OCF_ALG_NONE, OCF_MAC_HMAC_SHA1, 0));
	t.push_back(make_alg("hmac-sha1 mac 12", OCF_ALG_NONE, OCF_MAC_HMAC_SHA1, 0, 12));
	t.push_back(make_alg("3des-cbc+hmac-sha1", OCF_CIPHER_3DES_CBC, OCF_MAC_HMAC_SHA1, 24));
	t.push_back(make_alg("3des-cbc+hmac-md5", OCF_CIPHER_3DES_CBC, OCF_MAC_HMAC_MD5, 24));
	t.push_back(make_alg("des-cbc+hmac-sha1 mac 12", OCF_CIPHER_DES_CBC, OCF_MAC_HMAC_SHA1, 8, 12));
	t.push_back(make_alg("des-cbc+hmac-md5", OCF_CIPHER_DES_CBC, OCF_MAC_HMAC_MD5, 8));
	if ((algs >> OCF_CIPHER_AES_CBC) & 1) {
		for (std::uint32_t k : {16u, 24u, 32u})
			t.push_back(make_alg("aes-" + std::to_string(k * 8) + "-cbc", OCF_CIPHER_AES_CBC,
					 OCF_ALG_NONE, k));
		t.push_back(make_alg("aes-128-cbc+hmac-sha1", OCF_CIPHER_AES_CBC, OCF_MAC_HMAC_SHA1, 16));
		t.push_back(make_alg("aes-256-cbc+hmac-md5", OCF_CIPHER_AES_CBC, OCF_MAC_HMAC_MD5, 32));
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
