// OpenSSL big numbers and RSA keys for the key-operation tests (kops.cpp,
// ubsec_*.cpp): operands, expected results from BN_mod_exp, and OpenSSL's
// RSA keys in the form OCF's CRT operation takes.
#ifndef OCF_TESTS_VM_BIGNUM_HPP
#define OCF_TESTS_VM_BIGNUM_HPP

#include "helpers.hpp"

#include <openssl/bn.h>
#include <openssl/evp.h>

#include <memory>

namespace ocft {

struct bn_free {
	void operator()(BIGNUM *b) const { BN_clear_free(b); }
};
using bn_ptr = std::unique_ptr<BIGNUM, bn_free>;

bn_ptr bn_new();
bn_ptr bn_word(unsigned long w);
// Big-endian, left-padded to @len bytes.
bytes bin(const BIGNUM *b, std::size_t len);
// Minimal big-endian bytes (empty for zero).
bytes bin(const BIGNUM *b);
std::size_t nbytes(const BIGNUM *b);
// A random odd modulus of exactly @bits bits.
bn_ptr random_modulus(int bits);
// A random number of exactly @bits bits.
bn_ptr random_bits(int bits);
bn_ptr random_below(const BIGNUM *m);
bn_ptr mod_exp(const BIGNUM *b, const BIGNUM *e, const BIGNUM *m);
ocf_bn obn(const bytes &b);
// A BIGNUM parameter of an OpenSSL key.
bn_ptr bn_param(const EVP_PKEY *k, const char *name);

struct rsa_key {
	bytes n, d, p, q, dp, dq, qinv;
	bn_ptr bn_n, bn_d;
	// The CRT key as libocf takes it (pointing into this object).
	ocf_rsa_crt_key crt() const;
};
// A fresh key from OpenSSL's default provider.
rsa_key make_rsa(unsigned bits);

} // namespace ocft

#endif // OCF_TESTS_VM_BIGNUM_HPP
