// Shared helpers of the provider tests (see common.hpp).
#include "common.hpp"

#include <ocf/ocf.h>

#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/params.h>
#include <openssl/provider.h>

#include <cstdio>
#include <cstdlib>
#include <map>
#include <mutex>
#include <set>
#include <stdexcept>

namespace ptest {

namespace {

// The contexts of mode auto, where the provider offers only what a hardware
// producer does (see fetch_properties()).
std::set<OSSL_LIB_CTX *> &auto_ctxs()
{
	static std::set<OSSL_LIB_CTX *> s;
	return s;
}

} // namespace

OSSL_LIB_CTX *ocf_ctx(const std::string &mode, const std::string &threshold)
{
	static std::map<std::string, OSSL_LIB_CTX *> cache;
	static std::mutex mu;
	std::lock_guard lock(mu);
	std::string k = mode + "/" + threshold;
	if (auto it = cache.find(k); it != cache.end())
		return it->second;
	OSSL_LIB_CTX *ctx = OSSL_LIB_CTX_new();
	if (!ctx)
		throw std::runtime_error("OSSL_LIB_CTX_new");
	OSSL_PROVIDER_set_default_search_path(ctx, OCF_PROVIDER_DIR);
	// The provider reads its mode when it is loaded into a context.
	setenv("OCF_PROVIDER_MODE", mode.c_str(), 1);
	setenv("OCF_PROVIDER_THRESHOLD", threshold.c_str(), 1);
	OSSL_PROVIDER *ocf = OSSL_PROVIDER_load(ctx, "ocf");
	unsetenv("OCF_PROVIDER_MODE");
	unsetenv("OCF_PROVIDER_THRESHOLD");
	if (!ocf || !OSSL_PROVIDER_load(ctx, "default"))
		throw std::runtime_error("cannot load the ocf provider from " OCF_PROVIDER_DIR ": " +
					 drain_errors());
	cache[k] = ctx;
	if (mode == "auto")
		auto_ctxs().insert(ctx);
	return ctx;
}

OSSL_LIB_CTX *ref_ctx()
{
	static OSSL_LIB_CTX *ctx = [] {
		OSSL_LIB_CTX *c = OSSL_LIB_CTX_new();
		if (!c || !OSSL_PROVIDER_load(c, "default"))
			throw std::runtime_error("cannot load the default provider");
		return c;
	}();
	return ctx;
}

const char *fetch_properties(OSSL_LIB_CTX *ctx)
{
	return auto_ctxs().count(ctx) ? "?provider=ocf" : "provider=ocf";
}

EVP_CIPHER *ocf_cipher(OSSL_LIB_CTX *ctx, const char *name)
{
	return EVP_CIPHER_fetch(ctx, name, fetch_properties(ctx));
}

EVP_CIPHER *ref_cipher(const char *name)
{
	return EVP_CIPHER_fetch(ref_ctx(), name, nullptr);
}

EVP_MD *ocf_md(OSSL_LIB_CTX *ctx, const char *name)
{
	return EVP_MD_fetch(ctx, name, fetch_properties(ctx));
}

EVP_MD *ref_md(const char *name)
{
	return EVP_MD_fetch(ref_ctx(), name, nullptr);
}

EVP_MAC *ocf_mac(OSSL_LIB_CTX *ctx)
{
	return EVP_MAC_fetch(ctx, "HMAC", fetch_properties(ctx));
}

EVP_MAC *ref_mac()
{
	return EVP_MAC_fetch(ref_ctx(), "HMAC", nullptr);
}

namespace {

ocf_device *test_device()
{
	static ocf_device *dev = [] {
		ocf_device *d = nullptr;
		return ocf_device_open(nullptr, &d) == 0 ? d : nullptr;
	}();
	return dev;
}

bool total_stats(ocf_stats *out, bool *hw = nullptr, bool software_only = false)
{
	ocf_device *d = test_device();
	if (!d)
		return false;
	std::vector<ocf_producer_info> v(32);
	int n = ocf_producers(d, v.data(), static_cast<unsigned>(v.size()));
	if (n <= 0)
		return false;	// no producer: OCF serves nothing
	*out = ocf_stats{};
	for (int i = 0; i < n && i < static_cast<int>(v.size()); i++) {
		if (software_only && (v[static_cast<std::size_t>(i)].flags & OCF_PRODUCER_HARDWARE))
			continue;
		out->requests += v[static_cast<std::size_t>(i)].stats.requests;
		out->bytes += v[static_cast<std::size_t>(i)].stats.bytes;
		out->kop_requests += v[static_cast<std::size_t>(i)].stats.kop_requests;
		if (hw && (v[static_cast<std::size_t>(i)].flags & OCF_PRODUCER_HARDWARE))
			*hw = true;
	}
	return true;
}

} // namespace

bool ocf_serving()
{
	ocf_stats s;
	return total_stats(&s);
}

std::uint64_t hardware_algs()
{
	ocf_device *d = test_device();
	if (!d)
		return 0;
	std::vector<ocf_producer_info> v(32);
	int n = ocf_producers(d, v.data(), static_cast<unsigned>(v.size()));
	std::uint64_t algs = 0;
	for (int i = 0; i < n && i < static_cast<int>(v.size()); i++)
		if (v[static_cast<std::size_t>(i)].flags & OCF_PRODUCER_HARDWARE)
			algs |= v[static_cast<std::size_t>(i)].algs;
	return algs;
}

std::uint32_t producer_kops(bool hardware_only, std::uint32_t min_bits)
{
	ocf_device *d = test_device();
	if (!d)
		return 0;
	std::vector<ocf_producer_info> v(32);
	int n = ocf_producers(d, v.data(), static_cast<unsigned>(v.size()));
	std::uint32_t kops = 0;
	for (int i = 0; i < n && i < static_cast<int>(v.size()); i++)
		if ((!hardware_only || (v[static_cast<std::size_t>(i)].flags & OCF_PRODUCER_HARDWARE)) &&
		    v[static_cast<std::size_t>(i)].kop_max_bits >= min_bits)
			kops |= v[static_cast<std::size_t>(i)].kops;
	return kops;
}

long long ocf_kop_requests()
{
	ocf_stats s;
	return total_stats(&s) ? static_cast<long long>(s.kop_requests) : -1;
}

bool hardware_present()
{
	ocf_stats s;
	bool hw = false;
	return total_stats(&s, &hw) && hw;
}

long long ocf_requests()
{
	ocf_stats s;
	return total_stats(&s) ? static_cast<long long>(s.requests) : -1;
}

long long ocf_software_requests()
{
	ocf_stats s;
	return total_stats(&s, nullptr, true) ? static_cast<long long>(s.requests) : -1;
}

long long ocf_bytes()
{
	ocf_stats s;
	return total_stats(&s) ? static_cast<long long>(s.bytes) : -1;
}

std::mt19937_64 &rng()
{
	static std::mt19937_64 r = [] {
		unsigned long long seed;
		if (const char *s = std::getenv("OCF_TEST_SEED"))
			seed = std::strtoull(s, nullptr, 0);
		else
			seed = std::random_device{}();
		std::fprintf(stderr, "provider tests: OCF_TEST_SEED=%llu\n", seed);
		return std::mt19937_64(seed);
	}();
	return r;
}

std::size_t rand_below(std::size_t n)
{
	return n ? static_cast<std::size_t>(rng()() % n) : 0;
}

bytes rand_bytes(std::size_t n)
{
	bytes b(n);
	for (auto &c : b)
		c = static_cast<unsigned char>(rng()());
	return b;
}

std::string hex(const unsigned char *p, std::size_t n)
{
	static const char digits[] = "0123456789abcdef";
	std::string s;
	for (std::size_t i = 0; i < n; i++) {
		s += digits[p[i] >> 4];
		s += digits[p[i] & 15];
	}
	return s;
}

// libssl's stitched TLS 1.x record, MAC-then-encrypt (encrypt-then-MAC off).
// Encrypting, @rec holds explicit IV block (TLS 1.1+) and payload, and grows
// by the provider's pad answer; decrypting, *outl is the payload length.
bool stitched_record(EVP_CIPHER_CTX *ctx, int enc, unsigned version, std::uint64_t seq,
		     std::size_t plen, bytes &rec, std::size_t *outl)
{
	unsigned char aad[13];
	for (int i = 0; i < 8; i++)
		aad[i] = static_cast<unsigned char>(seq >> (56 - 8 * i));
	aad[8] = 23;
	aad[9] = static_cast<unsigned char>(version >> 8);
	aad[10] = static_cast<unsigned char>(version);
	std::size_t len = enc ? plen : rec.size();
	aad[11] = static_cast<unsigned char>(len >> 8);
	aad[12] = static_cast<unsigned char>(len);
	int pad = EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_TLS1_AAD, 13, aad);
	if (pad <= 0)
		return false;
	if (enc)
		rec.resize(plen + static_cast<std::size_t>(pad));
	int o = 0;
	if (!EVP_CipherUpdate(ctx, rec.data(), &o, rec.data(), static_cast<int>(rec.size())))
		return false;
	*outl = static_cast<std::size_t>(o);
	return true;
}

EVP_CIPHER_CTX *stitched_ctx_new(EVP_CIPHER *c, int enc, const bytes &key, const bytes &iv,
				 const bytes &mackey, int version)
{
	EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
	OSSL_PARAM p[] = { OSSL_PARAM_construct_int(OSSL_CIPHER_PARAM_TLS_VERSION, &version),
			   OSSL_PARAM_construct_end() };
	if (!ctx || !EVP_CipherInit_ex(ctx, c, nullptr, key.data(), iv.data(), enc) ||
	    EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_MAC_KEY, static_cast<int>(mackey.size()),
				const_cast<unsigned char *>(mackey.data())) <= 0 ||
	    !EVP_CIPHER_CTX_set_params(ctx, p)) {
		EVP_CIPHER_CTX_free(ctx);
		return nullptr;
	}
	return ctx;
}

std::string drain_errors()
{
	std::string s;
	unsigned long e;
	char buf[256];
	while ((e = ERR_get_error()) != 0) {
		ERR_error_string_n(e, buf, sizeof(buf));
		if (!s.empty())
			s += "; ";
		s += buf;
	}
	return s;
}

} // namespace ptest
