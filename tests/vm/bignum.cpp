#include "bignum.hpp"

#include <catch2/catch.hpp>

#include <openssl/core_names.h>
#include <openssl/rsa.h>

#include <new>

namespace ocft {

bn_ptr bn_new()
{
	bn_ptr b(BN_new());
	if (!b)
		throw std::bad_alloc();
	return b;
}

bn_ptr bn_word(unsigned long w)
{
	bn_ptr b = bn_new();
	BN_set_word(b.get(), w);
	return b;
}

bytes bin(const BIGNUM *b, std::size_t len)
{
	bytes out(len);
	REQUIRE(BN_bn2binpad(b, out.data(), static_cast<int>(len)) == static_cast<int>(len));
	return out;
}

bytes bin(const BIGNUM *b)
{
	return bin(b, nbytes(b));
}

std::size_t nbytes(const BIGNUM *b)
{
	return static_cast<std::size_t>(BN_num_bytes(b));
}

bn_ptr random_modulus(int bits)
{
	bn_ptr m = bn_new();
	REQUIRE(BN_rand(m.get(), bits, BN_RAND_TOP_ONE, BN_RAND_BOTTOM_ODD) == 1);
	return m;
}

bn_ptr random_bits(int bits)
{
	bn_ptr m = bn_new();
	REQUIRE(BN_rand(m.get(), bits, BN_RAND_TOP_ONE, BN_RAND_BOTTOM_ANY) == 1);
	return m;
}

bn_ptr random_below(const BIGNUM *m)
{
	bn_ptr r = bn_new();
	REQUIRE(BN_rand_range(r.get(), m) == 1);
	return r;
}

bn_ptr mod_exp(const BIGNUM *b, const BIGNUM *e, const BIGNUM *m)
{
	std::unique_ptr<BN_CTX, decltype(&BN_CTX_free)> ctx(BN_CTX_new(), BN_CTX_free);
	REQUIRE(ctx);
	bn_ptr r = bn_new();
	REQUIRE(BN_mod_exp(r.get(), b, e, m, ctx.get()) == 1);
	return r;
}

ocf_bn obn(const bytes &b)
{
	return {b.data(), b.size()};
}

bn_ptr bn_param(const EVP_PKEY *k, const char *name)
{
	BIGNUM *b = nullptr;
	REQUIRE(EVP_PKEY_get_bn_param(k, name, &b) == 1);
	return bn_ptr(b);
}

ocf_rsa_crt_key rsa_key::crt() const
{
	return {obn(p), obn(q), obn(dp), obn(dq), obn(qinv)};
}

rsa_key make_rsa(unsigned bits)
{
	std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> k(EVP_RSA_gen(bits), EVP_PKEY_free);
	REQUIRE(k);
	rsa_key r;
	r.bn_n = bn_param(k.get(), OSSL_PKEY_PARAM_RSA_N);
	r.bn_d = bn_param(k.get(), OSSL_PKEY_PARAM_RSA_D);
	r.n = bin(r.bn_n.get());
	r.d = bin(r.bn_d.get());
	r.p = bin(bn_param(k.get(), OSSL_PKEY_PARAM_RSA_FACTOR1).get());
	r.q = bin(bn_param(k.get(), OSSL_PKEY_PARAM_RSA_FACTOR2).get());
	r.dp = bin(bn_param(k.get(), OSSL_PKEY_PARAM_RSA_EXPONENT1).get());
	r.dq = bin(bn_param(k.get(), OSSL_PKEY_PARAM_RSA_EXPONENT2).get());
	r.qinv = bin(bn_param(k.get(), OSSL_PKEY_PARAM_RSA_COEFFICIENT1).get());
	return r;
}

} // namespace ocft
