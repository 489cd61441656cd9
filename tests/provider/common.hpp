// Shared helpers of the provider tests: library contexts with the ocf
// provider loaded in a given mode, the reference (default provider only),
// and OCF's request counters.
#ifndef OCF_TESTS_PROVIDER_COMMON_HPP
#define OCF_TESTS_PROVIDER_COMMON_HPP

#include <openssl/evp.h>

#include <cstddef>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

namespace ptest {

using bytes = std::vector<unsigned char>;

// A library context with "ocf" (and "default") loaded, the provider reading
// OCF_PROVIDER_MODE=@mode and OCF_PROVIDER_THRESHOLD=@threshold. Cached:
// one per (mode, threshold), alive until exit.
OSSL_LIB_CTX *ocf_ctx(const std::string &mode, const std::string &threshold = "4096");

// A library context with the default provider only.
OSSL_LIB_CTX *ref_ctx();

// Fetches from the ocf provider ("provider=ocf") or the reference. In a
// context of mode auto, as ocf.cnf fetches ("?provider=ocf"): there the
// provider offers only what a hardware producer does, and OpenSSL's default
// implementation comes for the rest.
const char *fetch_properties(OSSL_LIB_CTX *ctx);
EVP_CIPHER *ocf_cipher(OSSL_LIB_CTX *ctx, const char *name);
EVP_CIPHER *ref_cipher(const char *name);
EVP_MD *ocf_md(OSSL_LIB_CTX *ctx, const char *name);
EVP_MD *ref_md(const char *name);
EVP_MAC *ocf_mac(OSSL_LIB_CTX *ctx);
EVP_MAC *ref_mac();

// True when this process can open /dev/ocf and some producer is registered:
// the provider in mode always must then use OCF.
bool ocf_serving();

// The enum ocf_alg bits offered by producers flagged OCF_PRODUCER_HARDWARE
// (0 without a device).
std::uint64_t hardware_algs();

// The key operations (bit 1 << OCF_KOP_x) producers offer: all of them, or
// only those flagged OCF_PRODUCER_HARDWARE, on moduli of at least @min_bits
// (0 without a device).
std::uint32_t producer_kops(bool hardware_only, std::uint32_t min_bits = 0);

// Key operations completed by all OCF producers so far, or -1 (as
// ocf_requests()).
long long ocf_kop_requests();

// True when a producer flagged OCF_PRODUCER_HARDWARE is registered.
bool hardware_present();

// Requests completed by all OCF producers so far, or -1 when OCF cannot
// serve (no device, or no producer).
long long ocf_requests();

// Requests completed by software producers (no OCF_PRODUCER_HARDWARE) so
// far, or -1 (as above).
long long ocf_software_requests();

// Bytes of the OCF requests completed so far, or -1 (as above).
long long ocf_bytes();

// The test's random generator (seed from OCF_TEST_SEED, else random; the
// seed is printed once).
std::mt19937_64 &rng();
std::size_t rand_below(std::size_t n);
bytes rand_bytes(std::size_t n);

std::string hex(const unsigned char *p, std::size_t n);
inline std::string hex(const bytes &b)
{
	return hex(b.data(), b.size());
}

// libssl's stitched TLS 1.x record, MAC-then-encrypt (encrypt-then-MAC off).
// Encrypting, @rec holds explicit IV block (TLS 1.1+) and payload, and grows
// by the provider's pad answer; decrypting, *outl is the payload length.
bool stitched_record(EVP_CIPHER_CTX *ctx, int enc, unsigned version, std::uint64_t seq,
		     std::size_t plen, bytes &rec, std::size_t *outl);

// A stitched cipher's context as libssl sets it up (MAC key, TLS version),
// or nullptr.
EVP_CIPHER_CTX *stitched_ctx_new(EVP_CIPHER *c, int enc, const bytes &key, const bytes &iv,
				 const bytes &mackey, int version);

// The errors on OpenSSL's queue, as text (and clears it).
std::string drain_errors();

} // namespace ptest

#endif
