// Key operations (OCF_OP_KEY, struct ocf_kop): differential against
// OpenSSL's BIGNUM arithmetic and keys (modexp on random operands of 8 to
// 4096 bits, RSA-CRT, DH, DSA), every documented error, hostile buffers,
// async batches mixing key ops and symmetric ops, a producer unplugged in
// the middle of a key op (rerun elsewhere, one completion, right result),
// and an unprivileged user's in-flight limit.
//
// The null producer's "kops" parameter makes an instance plugged after it
// take key operations and hold them until it is unplugged (then it gives
// them back for a rerun): how a key op is caught mid-flight.
#include "bignum.hpp"
#include "helpers.hpp"

#include <catch2/catch.hpp>

#include <ocf/ocf.hpp>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/dsa.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <functional>
#include <memory>
#include <set>
#include <span>
#include <thread>

using namespace ocft;

namespace {

// ---- keys from OpenSSL's default provider ----------------------------------------

struct pkey_free {
	void operator()(EVP_PKEY *k) const { EVP_PKEY_free(k); }
};
using pkey_ptr = std::unique_ptr<EVP_PKEY, pkey_free>;
struct pctx_free {
	void operator()(EVP_PKEY_CTX *c) const { EVP_PKEY_CTX_free(c); }
};
using pctx_ptr = std::unique_ptr<EVP_PKEY_CTX, pctx_free>;

pkey_ptr keygen(const char *alg, const std::function<void(EVP_PKEY_CTX *)> &setup,
		EVP_PKEY *params = nullptr)
{
	pctx_ptr ctx(params ? EVP_PKEY_CTX_new_from_pkey(nullptr, params, nullptr)
			    : EVP_PKEY_CTX_new_from_name(nullptr, alg, nullptr));
	REQUIRE(ctx);
	REQUIRE(EVP_PKEY_keygen_init(ctx.get()) == 1);
	if (setup)
		setup(ctx.get());
	EVP_PKEY *k = nullptr;
	REQUIRE(EVP_PKEY_keygen(ctx.get(), &k) == 1);
	return pkey_ptr(k);
}

// ---- raw key ops -------------------------------------------------------------------

// One key op through OCF_IOC_RUN; its status.
int run_kop(device &dev, const ocf_kop &kop)
{
	ocf_op op;
	ocf_op_kop(&op, &kop);
	int r = ocf_run(dev.get(), &op, 1);
	return r < 0 ? r : op.status;
}

std::uint64_t kop_requests(device &dev, std::string_view name)
{
	auto p = producer_named(dev, name);
	REQUIRE(p);
	return p->stats.kop_requests;
}

} // namespace

TEST_CASE("producers advertise key operations; the module says it has them", "[kops]")
{
	device dev;
	auto sw = producer_named(dev, "swcrypt");
	REQUIRE(sw);
	for (std::uint32_t k : { OCF_KOP_MODEXP, OCF_KOP_MODEXP_CRT, OCF_KOP_DSA_SIGN,
				 OCF_KOP_DSA_VERIFY, OCF_KOP_DH_COMPUTE_KEY })
		CHECK((sw->kops & (1u << k)));
	CHECK(sw->kop_max_bits == OCF_KOP_MAX_BITS);
	// null instances plugged without "kops" do none.
	auto n0 = producer_named(dev, "null0");
	REQUIRE(n0);
	CHECK(n0->kops == 0);
	CHECK(n0->kop_max_bits == 0);

	struct ocf_version v {};
	v.size = sizeof(v);
	REQUIRE(xioctl(dev.fd(), OCF_IOC_VERSION, &v) == 0);
	CHECK((v.features & OCF_FEATURE_KEY_OPS));
}

TEST_CASE("modexp equals BN_mod_exp on random operands of 8 to 4096 bits", "[kops]")
{
	OCFT_SEED_INFO();
	auto rng = make_rng("kops-modexp");
	device dev;
	std::uint64_t before = kop_requests(dev, "swcrypt");
	std::size_t done = 0;

	for (int bits : { 8, 9, 16, 17, 31, 63, 64, 65, 127, 128, 255, 512, 520, 1024, 1536, 2048,
			  3072, 4096 }) {
		// Small sizes get many cases in one batch; the large ones are slow in TCG.
		int cases = bits <= 1024 ? 24 : 3;
		struct one {
			bytes base, exp, mod, want, out;
		};
		std::vector<one> all(static_cast<std::size_t>(cases));
		std::vector<ocf_kop> kops(all.size());
		std::vector<ocf_op> ops(all.size());
		for (std::size_t i = 0; i < all.size(); i++) {
			bn_ptr m = random_modulus(bits);
			bn_ptr b = random_below(m.get());
			// Exponents of every length up to the modulus', and a bit over.
			int ebits = 1 + static_cast<int>(random_below(rng, static_cast<std::uint32_t>(bits) + 9));
			bn_ptr e = bn_new();
			REQUIRE(BN_rand(e.get(), ebits, BN_RAND_TOP_ANY, BN_RAND_BOTTOM_ANY) == 1);
			one &c = all[i];
			c.mod = bin(m.get());
			// Leading zeros on some inputs: allowed, and stripped by libocf.
			c.base = bin(b.get(), nbytes(m.get()) + (i % 3));
			c.exp = bin(e.get());
			c.want = bin(mod_exp(b.get(), e.get(), m.get()).get(), nbytes(m.get()) + (i % 2));
			c.out.assign(c.want.size(), 0xa5);
			REQUIRE(ocf_kop_modexp(&kops[i], 0, obn(c.base), obn(c.exp), obn(c.mod),
					       c.out.data(), c.out.size()) == 0);
			ocf_op_kop(&ops[i], &kops[i]);
		}
		REQUIRE(ocf_run(dev.get(), ops.data(), static_cast<unsigned>(ops.size())) == cases);
		for (std::size_t i = 0; i < all.size(); i++) {
			INFO(bits << " bits, case " << i);
			CHECK(ops[i].status == 0);
			CHECK(diff(all[i].out.data(), all[i].want) == "");
		}
		done += all.size();

		// And once through the one-shot call.
		bytes out(all[0].want.size());
		REQUIRE(ocf_modexp(dev.get(), obn(all[0].base), obn(all[0].exp), obn(all[0].mod),
				   out.data(), out.size()) == 0);
		CHECK(out == all[0].want);
		done++;
	}
	CHECK(kop_requests(dev, "swcrypt") - before >= done);
}

TEST_CASE("modexp with a prime modulus blinds and still agrees", "[kops]")
{
	device dev;
	for (int bits : { 64, 512, 1024 }) {
		bn_ptr p = bn_new();
		REQUIRE(BN_generate_prime_ex(p.get(), bits, 0, nullptr, nullptr, nullptr) == 1);
		for (int i = 0; i < 8; i++) {
			bn_ptr b = random_below(p.get());
			bn_ptr e = random_below(p.get());
			bytes bb = bin(b.get()), eb = bin(e.get()), pb = bin(p.get());
			bytes want = bin(mod_exp(b.get(), e.get(), p.get()).get(), pb.size());
			bytes out(pb.size());
			INFO(bits << " bits, case " << i);
			REQUIRE(ocf_modexp_prime(dev.get(), obn(bb), obn(eb), obn(pb), out.data(),
						 out.size()) == 0);
			CHECK(out == want);
		}
		// 0^0 is 1, blinded or not; 0^e is 0.
		bytes pb = bin(p.get()), zero, one{ 1 }, out(pb.size());
		REQUIRE(ocf_modexp_prime(dev.get(), obn(zero), obn(zero), obn(pb), out.data(), out.size()) == 0);
		CHECK(out == bin(bn_word(1).get(), pb.size()));
		REQUIRE(ocf_modexp_prime(dev.get(), obn(zero), obn(one), obn(pb), out.data(), out.size()) == 0);
		CHECK(out == bytes(pb.size(), 0));
	}
}

TEST_CASE("modexp edge cases", "[kops]")
{
	device dev;
	bn_ptr m = random_modulus(256);
	bytes mod = bin(m.get()), zero, one{ 1 };
	bytes mm1 = bin(bn_ptr(BN_dup(m.get())).get());
	mm1.back() ^= 1; // m - 1 (m is odd)
	bn_ptr e = random_modulus(200);
	bytes exp = bin(e.get());
	bytes out(32);

	auto modexp = [&](const bytes &b, const bytes &x, const bytes &md, bytes &o) {
		return ocf_modexp(dev.get(), obn(b), obn(x), obn(md), o.data(), o.size());
	};
	SECTION("zero base")
	{
		REQUIRE(modexp(zero, exp, mod, out) == 0);
		CHECK(out == bytes(32, 0));
	}
	SECTION("base one")
	{
		REQUIRE(modexp(one, exp, mod, out) == 0);
		CHECK(out == bin(bn_word(1).get(), 32));
	}
	SECTION("exponent zero gives one, also for a zero base")
	{
		REQUIRE(modexp(mm1, zero, mod, out) == 0);
		CHECK(out == bin(bn_word(1).get(), 32));
		REQUIRE(modexp(zero, zero, mod, out) == 0);
		CHECK(out == bin(bn_word(1).get(), 32));
	}
	SECTION("modulus one gives zero")
	{
		bytes o(1, 0xff);
		REQUIRE(modexp(zero, exp, one, o) == 0);
		CHECK(o == bytes{ 0 });
	}
	SECTION("base m-1, exponent 2: one")
	{
		bytes two{ 2 };
		REQUIRE(modexp(mm1, two, mod, out) == 0);
		CHECK(out == bin(bn_word(1).get(), 32));
	}
	SECTION("a long output is zero-padded, even past the ABI's limit")
	{
		bytes big(OCF_KOP_MAX_BYTES + 100, 0xcc);
		REQUIRE(modexp(one, exp, mod, big) == 0);
		CHECK(big == bin(bn_word(1).get(), big.size()));
	}
	SECTION("operand equal to or over the modulus, zero or even modulus: EINVAL")
	{
		bytes over = mod;
		over.insert(over.begin(), 1);
		bytes even = mod;
		even.back() ^= 1;
		out.assign(32, 0x5a);
		CHECK(modexp(mod, exp, mod, out) == -EINVAL);
		CHECK(modexp(over, exp, mod, out) == -EINVAL);
		CHECK(modexp(one, exp, zero, out) == -EINVAL);
		CHECK(modexp(one, exp, bytes{ 0, 0, 0 }, out) == -EINVAL);
		CHECK(modexp(one, exp, even, out) == -EINVAL);
		CHECK(modexp(one, exp, bytes{ 2 }, out) == -EINVAL);
		// Nothing written on failure.
		CHECK(out == bytes(32, 0x5a));
	}
	SECTION("an output shorter than the modulus: ENOSPC, nothing written")
	{
		bytes shorter(31, 0x5a);
		CHECK(modexp(one, exp, mod, shorter) == -ENOSPC);
		CHECK(shorter == bytes(31, 0x5a));
		// Leading zero bytes of the modulus do not count.
		bytes padded = mod;
		padded.insert(padded.begin(), 4, 0);
		bytes exact(32);
		CHECK(modexp(one, exp, padded, exact) == 0);
	}
	SECTION("a modulus over OCF_KOP_MAX_BITS: no producer does it")
	{
		bn_ptr huge = random_modulus(OCF_KOP_MAX_BITS + 8);
		bytes hb = bin(huge.get()), o(hb.size());
		CHECK(modexp(one, exp, hb, o) == -EOPNOTSUPP);
		// Through the ABI directly: the string itself is too long.
		ocf_kop kop;
		ocf_kop_modexp(&kop, 0, obn(one), obn(exp), obn(hb), o.data(), o.size());
		CHECK(run_kop(dev, kop) == -E2BIG);
		// 8192 bits exactly is taken (exponent small: TCG is slow).
		bn_ptr max = random_modulus(OCF_KOP_MAX_BITS);
		bytes mb = bin(max.get()), mo(mb.size()), three{ 3 };
		bn_ptr b = random_below(max.get());
		bytes bb = bin(b.get());
		REQUIRE(modexp(bb, three, mb, mo) == 0);
		CHECK(mo == bin(mod_exp(b.get(), bn_word(3).get(), max.get()).get(), mb.size()));
	}
}

TEST_CASE("malformed key ops get their documented errno", "[kops]")
{
	device dev;
	bad_pages bad;
	bn_ptr m = random_modulus(128);
	bytes mod = bin(m.get()), base{ 7 }, exp{ 3 }, out(16);
	ocf_kop good;
	REQUIRE(ocf_kop_modexp(&good, 0, obn(base), obn(exp), obn(mod), out.data(), out.size()) == 0);
	REQUIRE(run_kop(dev, good) == 0);
	CHECK(out == bin(bn_word(343).get(), 16));

	ocf_kop k = good;
	SECTION("wrong operand counts")
	{
		k.in_count = 2;
		k.out_count = 2;
		CHECK(run_kop(dev, k) == -EINVAL);
		k = good;
		k.out_count = 0;
		CHECK(run_kop(dev, k) == -EINVAL);
		k = good;
		k.in_count = 9;
		CHECK(run_kop(dev, k) == -EINVAL);
		k = good;
		k.kop = OCF_KOP_MODEXP_CRT; // six inputs wanted
		CHECK(run_kop(dev, k) == -EINVAL);
	}
	SECTION("unknown operation, flags, reserved fields, unused params")
	{
		k.kop = 0;
		CHECK(run_kop(dev, k) == -EOPNOTSUPP);
		k.kop = 99;
		CHECK(run_kop(dev, k) == -EOPNOTSUPP);
		k = good;
		k.flags = 0x80;
		CHECK(run_kop(dev, k) == -EINVAL);
		k = good;
		k.reserved[1] = 1;
		CHECK(run_kop(dev, k) == -EINVAL);
		k = good;
		k.param[0].reserved = 1;
		CHECK(run_kop(dev, k) == -EINVAL);
		k = good;
		k.param[5].len = 1;
		CHECK(run_kop(dev, k) == -EINVAL);
		k = good;
		k.param[2].len = OCF_KOP_MAX_BYTES + 1;
		CHECK(run_kop(dev, k) == -E2BIG);
	}
	SECTION("struct sizes: too small, too large with a tail, a page")
	{
		k.size = OCF_KOP_SIZE_VER0 - 8;
		CHECK(run_kop(dev, k) == -EINVAL);
		struct {
			ocf_kop kop;
			std::uint64_t tail;
		} bigger{ good, 0 };
		bigger.kop.size = sizeof(bigger);
		CHECK(run_kop(dev, bigger.kop) == 0);
		bigger.tail = 1;
		CHECK(run_kop(dev, bigger.kop) == -E2BIG);
		k.size = 8192;
		CHECK(run_kop(dev, k) == -E2BIG);
	}
	SECTION("the carrying ocf_op must have nothing else set")
	{
		ocf_op op;
		ocf_op_kop(&op, &good);
		op.len = 16;
		CHECK(ocf_run(dev.get(), &op, 1) == 1);
		CHECK(op.status == -EINVAL);
		ocf_op_kop(&op, &good);
		op.session = 1;
		CHECK(ocf_run(dev.get(), &op, 1) == 1);
		CHECK(op.status == -EINVAL);
	}
	SECTION("bad pointers: the kop, an input, an output")
	{
		ocf_op op;
		ocf_op_kop(&op, static_cast<const ocf_kop *>(bad.none()));
		CHECK(ocf_run(dev.get(), &op, 1) == 1);
		CHECK(op.status == -EFAULT);
		k.param[2].data = uptr(bad.none());
		CHECK(run_kop(dev, k) == -EFAULT);
		k = good;
		k.param[0].data = bad_pages::kernel_address();
		CHECK(run_kop(dev, k) == -EFAULT);
		k = good;
		k.param[3].data = uptr(bad.ro());
		CHECK(run_kop(dev, k) == -EFAULT);
		k = good;
		k.param[3].data = uptr(bad.straddle(8));
		CHECK(run_kop(dev, k) == -EFAULT);
		// Inputs may be read-only.
		k = good;
		k.param[2].data = uptr(bad.ro_with(mod.data(), mod.size()));
		CHECK(run_kop(dev, k) == 0);
	}
	SECTION("a pinned producer that does not exist")
	{
		k.producer = 0x7fffffff;
		CHECK(run_kop(dev, k) == -ENOENT);
	}
}

TEST_CASE("modexp-CRT equals x^d mod n for OpenSSL's RSA keys", "[kops]")
{
	device dev;
	std::uint64_t before = kop_requests(dev, "swcrypt");
	for (unsigned bits : { 512u, 1024u, 2048u }) {
		rsa_key k = make_rsa(bits);
		ocf_rsa_crt_key key = k.crt();
		for (int i = 0; i < 6; i++) {
			INFO(bits << "-bit key, case " << i);
			bn_ptr x = i ? random_below(k.bn_n.get()) : bn_word(0);
			bytes xb = bin(x.get()), out(k.n.size(), 0xee);
			REQUIRE(ocf_modexp_crt(dev.get(), obn(xb), &key, out.data(), out.size()) == 0);
			CHECK(out == bin(mod_exp(x.get(), k.bn_d.get(), k.bn_n.get()).get(), k.n.size()));
		}
		// x = n - 1 is the largest input.
		bn_ptr nm1(BN_dup(k.bn_n.get()));
		BN_sub_word(nm1.get(), 1);
		bytes xb = bin(nm1.get()), out(k.n.size());
		REQUIRE(ocf_modexp_crt(dev.get(), obn(xb), &key, out.data(), out.size()) == 0);
		CHECK(out == bin(mod_exp(nm1.get(), k.bn_d.get(), k.bn_n.get()).get(), k.n.size()));

		// Bad operands.
		CHECK(ocf_modexp_crt(dev.get(), obn(k.n), &key, out.data(), out.size()) == -EINVAL);
		bytes shorter(k.n.size() - 1);
		CHECK(ocf_modexp_crt(dev.get(), obn(xb), &key, shorter.data(), shorter.size()) == -ENOSPC);
		ocf_rsa_crt_key bad = key;
		bad.dp = obn(k.p);
		CHECK(ocf_modexp_crt(dev.get(), obn(xb), &bad, out.data(), out.size()) == -EINVAL);
		bad = key;
		bad.qinv = obn(k.p);
		CHECK(ocf_modexp_crt(dev.get(), obn(xb), &bad, out.data(), out.size()) == -EINVAL);
		bytes even = k.q;
		even.back() ^= 1;
		bad = key;
		bad.q = obn(even);
		CHECK(ocf_modexp_crt(dev.get(), obn(xb), &bad, out.data(), out.size()) == -EINVAL);
		CHECK(ocf_modexp_crt(dev.get(), obn(xb), nullptr, out.data(), out.size()) == -EINVAL);
	}
	CHECK(kop_requests(dev, "swcrypt") - before >= 3 * 7);
}

TEST_CASE("DH on RFC 7919's ffdhe2048: shared secrets equal", "[kops]")
{
	device dev;
	auto group = [](EVP_PKEY_CTX *c) {
		REQUIRE(EVP_PKEY_CTX_set_group_name(c, "ffdhe2048") == 1);
	};
	pkey_ptr a = keygen("DH", group), b = keygen("DH", group);
	bn_ptr p = bn_param(a.get(), OSSL_PKEY_PARAM_FFC_P);
	bytes pb = bin(p.get());
	bytes a_priv = bin(bn_param(a.get(), OSSL_PKEY_PARAM_PRIV_KEY).get());
	bytes b_priv = bin(bn_param(b.get(), OSSL_PKEY_PARAM_PRIV_KEY).get());
	bytes a_pub = bin(bn_param(a.get(), OSSL_PKEY_PARAM_PUB_KEY).get());
	bytes b_pub = bin(bn_param(b.get(), OSSL_PKEY_PARAM_PUB_KEY).get());

	bytes ab(pb.size()), ba(pb.size());
	REQUIRE(ocf_dh_compute_key(dev.get(), obn(b_pub), obn(a_priv), obn(pb), ab.data(), ab.size()) == 0);
	REQUIRE(ocf_dh_compute_key(dev.get(), obn(a_pub), obn(b_priv), obn(pb), ba.data(), ba.size()) == 0);
	CHECK(ab == ba);

	// The default provider's derivation, padded to the prime's length.
	pctx_ptr d(EVP_PKEY_CTX_new_from_pkey(nullptr, a.get(), nullptr));
	REQUIRE(EVP_PKEY_derive_init(d.get()) == 1);
	REQUIRE(EVP_PKEY_derive_set_peer(d.get(), b.get()) == 1);
	std::size_t len = 0;
	REQUIRE(EVP_PKEY_derive(d.get(), nullptr, &len) == 1);
	bytes ref(len);
	REQUIRE(EVP_PKEY_derive(d.get(), ref.data(), &len) == 1);
	ref.resize(len);
	ref.insert(ref.begin(), pb.size() - len, 0);
	CHECK(ab == ref);

	// Peer values OpenSSL refuses too: 0, 1, p-1, p; and priv >= p.
	bytes pm1 = pb;
	pm1.back() ^= 1;
	for (const bytes &peer : { bytes{}, bytes{ 1 }, pm1, pb }) {
		bytes out(pb.size(), 0x11);
		CHECK(ocf_dh_compute_key(dev.get(), obn(peer), obn(a_priv), obn(pb), out.data(), out.size()) == -EINVAL);
		CHECK(out == bytes(pb.size(), 0x11));
	}
	CHECK(ocf_dh_compute_key(dev.get(), obn(b_pub), obn(pb), obn(pb), ab.data(), ab.size()) == -EINVAL);
	// 2 and p-2 are accepted.
	bytes pm2 = pb;
	pm2.back() = static_cast<std::uint8_t>(pm2.back() - 2);
	CHECK(ocf_dh_compute_key(dev.get(), obn(bytes{ 2 }), obn(a_priv), obn(pb), ab.data(), ab.size()) == 0);
	CHECK(ocf_dh_compute_key(dev.get(), obn(pm2), obn(a_priv), obn(pb), ab.data(), ab.size()) == 0);
}

TEST_CASE("DSA: OCF's signatures verify in OpenSSL and the other way round", "[kops]")
{
	device dev;
	pctx_ptr pc(EVP_PKEY_CTX_new_from_name(nullptr, "DSA", nullptr));
	REQUIRE(EVP_PKEY_paramgen_init(pc.get()) == 1);
	REQUIRE(EVP_PKEY_CTX_set_dsa_paramgen_bits(pc.get(), 1024) == 1);
	REQUIRE(EVP_PKEY_CTX_set_dsa_paramgen_q_bits(pc.get(), 160) == 1);
	EVP_PKEY *params_raw = nullptr;
	REQUIRE(EVP_PKEY_paramgen(pc.get(), &params_raw) == 1);
	pkey_ptr params(params_raw);
	pkey_ptr key = keygen("DSA", nullptr, params.get());

	bytes p = bin(bn_param(key.get(), OSSL_PKEY_PARAM_FFC_P).get());
	bn_ptr qbn = bn_param(key.get(), OSSL_PKEY_PARAM_FFC_Q);
	bytes q = bin(qbn.get());
	bytes g = bin(bn_param(key.get(), OSSL_PKEY_PARAM_FFC_G).get());
	bytes x = bin(bn_param(key.get(), OSSL_PKEY_PARAM_PRIV_KEY).get());
	bytes y = bin(bn_param(key.get(), OSSL_PKEY_PARAM_PUB_KEY).get());
	ocf_dsa_params dp{ obn(p), obn(q), obn(g) };
	auto rng = make_rng("kops-dsa");

	for (int i = 0; i < 6; i++) {
		// Digests shorter than, as long as and longer than q (cut to q's bytes).
		bytes digest = random_bytes(rng, i < 2 ? 16 : i < 4 ? q.size() : 32);
		if (i == 1)
			digest[0] = 0;
		INFO("case " << i << ", digest " << digest.size() << " bytes");

		// OCF signs, OpenSSL verifies.
		bytes r(q.size()), s(q.size());
		REQUIRE(ocf_dsa_sign(dev.get(), obn(digest), &dp, obn(x), r.data(), r.size(), s.data(), s.size()) == 0);
		DSA_SIG *sig = DSA_SIG_new();
		DSA_SIG_set0(sig, BN_bin2bn(r.data(), static_cast<int>(r.size()), nullptr),
			     BN_bin2bn(s.data(), static_cast<int>(s.size()), nullptr));
		unsigned char *der = nullptr;
		int der_len = i2d_DSA_SIG(sig, &der);
		DSA_SIG_free(sig);
		REQUIRE(der_len > 0);
		pctx_ptr vc(EVP_PKEY_CTX_new_from_pkey(nullptr, key.get(), nullptr));
		REQUIRE(EVP_PKEY_verify_init(vc.get()) == 1);
		CHECK(EVP_PKEY_verify(vc.get(), der, static_cast<std::size_t>(der_len), digest.data(),
				      digest.size()) == 1);
		OPENSSL_free(der);
		CHECK(ocf_dsa_verify(dev.get(), obn(digest), &dp, obn(y), obn(r), obn(s)) == 0);

		// OpenSSL signs, OCF verifies.
		pctx_ptr sc(EVP_PKEY_CTX_new_from_pkey(nullptr, key.get(), nullptr));
		REQUIRE(EVP_PKEY_sign_init(sc.get()) == 1);
		std::size_t sig_len = 0;
		REQUIRE(EVP_PKEY_sign(sc.get(), nullptr, &sig_len, digest.data(), digest.size()) == 1);
		bytes sder(sig_len);
		REQUIRE(EVP_PKEY_sign(sc.get(), sder.data(), &sig_len, digest.data(), digest.size()) == 1);
		const unsigned char *pp = sder.data();
		DSA_SIG *os = d2i_DSA_SIG(nullptr, &pp, static_cast<long>(sig_len));
		REQUIRE(os);
		const BIGNUM *orr = nullptr, *oss = nullptr;
		DSA_SIG_get0(os, &orr, &oss);
		bytes rb = bin(orr), sb = bin(oss);
		DSA_SIG_free(os);
		CHECK(ocf_dsa_verify(dev.get(), obn(digest), &dp, obn(y), obn(rb), obn(sb)) == 0);

		// Tampered: another digest, r or s changed, r or s out of range.
		bytes other = digest;
		other.front() ^= 1; // the front: a long digest is cut to q's length
		CHECK(ocf_dsa_verify(dev.get(), obn(other), &dp, obn(y), obn(rb), obn(sb)) == -EBADMSG);
		// Past q's length, the digest does not count (as in OpenSSL).
		if (digest.size() > q.size()) {
			bytes longer = digest;
			longer.back() ^= 1;
			CHECK(ocf_dsa_verify(dev.get(), obn(longer), &dp, obn(y), obn(rb), obn(sb)) == 0);
		}
		bytes r2 = rb;
		r2.back() ^= 2;
		CHECK(ocf_dsa_verify(dev.get(), obn(digest), &dp, obn(y), obn(r2), obn(sb)) == -EBADMSG);
		CHECK(ocf_dsa_verify(dev.get(), obn(digest), &dp, obn(y), obn(bytes{}), obn(sb)) == -EBADMSG);
		CHECK(ocf_dsa_verify(dev.get(), obn(digest), &dp, obn(y), obn(rb), obn(q)) == -EBADMSG);
	}
	// Bad keys and room.
	bytes r(q.size()), s(q.size()), digest(20, 1);
	CHECK(ocf_dsa_sign(dev.get(), obn(digest), &dp, obn(q), r.data(), r.size(), s.data(), s.size()) == -EINVAL);
	CHECK(ocf_dsa_sign(dev.get(), obn(digest), &dp, obn(bytes{}), r.data(), r.size(), s.data(), s.size()) == -EINVAL);
	CHECK(ocf_dsa_sign(dev.get(), obn(digest), &dp, obn(x), r.data(), r.size() - 1, s.data(), s.size()) == -ENOSPC);
	ocf_dsa_params swapped{ obn(q), obn(p), obn(g) };
	CHECK(ocf_dsa_sign(dev.get(), obn(digest), &swapped, obn(x), r.data(), r.size(), s.data(), s.size()) == -EINVAL);
	CHECK(ocf_dsa_verify(dev.get(), obn(digest), &dp, obn(bytes{ 1 }), obn(r), obn(s)) == -EINVAL);
}

TEST_CASE("async batches mix key ops and symmetric ops; each completes once", "[kops]")
{
	OCFT_SEED_INFO();
	auto rng = make_rng("kops-async");
	device dev;
	const alg &null = find_alg("null");
	session s(dev, null, keys{});

	constexpr std::size_t n = 96;
	std::vector<ocf_op> ops(n);
	std::vector<ocf_kop> kops(n);
	std::vector<bytes> base(n), exp(n), mod(n), want(n), out(n), data(n), dst(n);
	for (std::size_t i = 0; i < n; i++) {
		if (i % 2) {
			bn_ptr m = random_modulus(64 + 64 * static_cast<int>(i % 8));
			bn_ptr b = random_below(m.get()), e = random_below(m.get());
			mod[i] = bin(m.get());
			base[i] = bin(b.get());
			exp[i] = bin(e.get());
			want[i] = bin(mod_exp(b.get(), e.get(), m.get()).get(), mod[i].size());
			out[i].assign(mod[i].size(), 0);
			ocf_kop_modexp(&kops[i], 0, obn(base[i]), obn(exp[i]), obn(mod[i]),
				       out[i].data(), out[i].size());
			ocf_op_kop(&ops[i], &kops[i]);
		} else {
			data[i] = random_bytes(rng, 1 + random_below(rng, 5000));
			dst[i].assign(data[i].size(), 0);
			ocf_op_cipher(&ops[i], s.id(), OCF_OP_ENCRYPT, data[i].data(), dst[i].data(),
				      static_cast<std::uint32_t>(data[i].size()), nullptr);
		}
		ops[i].tag = 1000 + i;
	}
	// A malformed key op among them completes with its error.
	kops[1].param[2].len = 0;
	REQUIRE(ocf_submit(dev.get(), ops.data(), n) == static_cast<int>(n));
	// The kop structs and inputs were copied at submit: scribbling on them is harmless.
	for (std::size_t i = 3; i < n; i += 2) {
		std::memset(&kops[i], 0xff, sizeof(kops[i]));
		std::fill(base[i].begin(), base[i].end(), 0xff);
	}
	auto comps = reap_n(dev, n);
	REQUIRE(comps.size() == n);
	std::set<std::uint64_t> seen;
	for (const auto &c : comps) {
		REQUIRE(c.tag >= 1000);
		std::size_t i = c.tag - 1000;
		REQUIRE(i < n);
		CHECK(seen.insert(c.tag).second);
		INFO("op " << i);
		if (i == 1) {
			CHECK(c.status == -EINVAL);
		} else if (i % 2) {
			CHECK(c.status == 0);
			CHECK(out[i] == want[i]);
		} else {
			CHECK(c.status == 0);
			CHECK(dst[i] == data[i]);
		}
	}
	ocf_completion extra;
	CHECK(ocf_reap(dev.get(), &extra, 1, 0) == 0);
}

namespace {

int null_unplug(int idx)
{
	return write_text(std::string(null_params) + "unplug", std::to_string(idx) + "\n");
}

int null_replug(int idx)
{
	return write_text(std::string(null_params) + "replug", std::to_string(idx) + "\n");
}

// null0 plugged again with key operations, for the test; as before after it.
class null_kops_guard {
public:
	null_kops_guard()
	{
		REQUIRE(write_text(std::string(null_params) + "kops", "1\n") == 0);
		REQUIRE(null_unplug(0) == 0);
		REQUIRE(null_replug(0) == 0);
		REQUIRE(write_text(std::string(null_params) + "kops", "0\n") == 0);
	}
	~null_kops_guard()
	{
		write_text(std::string(null_params) + "kops", "0\n");
		null_unplug(0);
		null_replug(0);
	}
	null_kops_guard(const null_kops_guard &) = delete;
	null_kops_guard &operator=(const null_kops_guard &) = delete;
};

} // namespace

TEST_CASE("a producer unplugged mid key op: rerun elsewhere, one completion, right result",
	  "[kops][migration]")
{
	device dev;
	null_kops_guard guard;
	auto n0 = producer_named(dev, "null0");
	REQUIRE(n0);
	REQUIRE(n0->kops != 0);
	std::uint64_t sw_before = kop_requests(dev, "swcrypt");

	// null holds 64 at most and refuses more as busy: those are retried
	// (each tick, to the producer they prefer) until it is gone.
	constexpr std::size_t n = 70;
	std::vector<ocf_kop> kops(n);
	std::vector<ocf_op> ops(n);
	std::vector<bytes> base(n), exp(n), mod(n), want(n), out(n);
	for (std::size_t i = 0; i < n; i++) {
		bn_ptr m = random_modulus(512);
		bn_ptr b = random_below(m.get()), e = random_below(m.get());
		mod[i] = bin(m.get());
		base[i] = bin(b.get());
		exp[i] = bin(e.get());
		want[i] = bin(mod_exp(b.get(), e.get(), m.get()).get(), 64);
		out[i].assign(64, 0);
		ocf_kop_modexp(&kops[i], 0, obn(base[i]), obn(exp[i]), obn(mod[i]), out[i].data(), 64);
		kops[i].producer = n0->id; // it holds them
		ocf_op_kop(&ops[i], &kops[i]);
		ops[i].tag = 77 + i;
	}
	REQUIRE(ocf_submit(dev.get(), ops.data(), n) == static_cast<int>(n));
	// Held: nothing completes.
	std::this_thread::sleep_for(std::chrono::milliseconds(300));
	std::vector<ocf_completion> comps(n + 1);
	CHECK(ocf_reap(dev.get(), comps.data(), n + 1, 0) == 0);
	CHECK(kop_requests(dev, "swcrypt") == sw_before);

	// Unplugging gives them back; swcrypt reruns them.
	REQUIRE(null_unplug(0) == 0);
	auto got = reap_n(dev, n);
	REQUIRE(got.size() == n);
	std::set<std::uint64_t> tags;
	for (const auto &c : got) {
		REQUIRE(c.tag >= 77);
		REQUIRE(c.tag < 77 + n);
		CHECK(tags.insert(c.tag).second);
		CHECK(c.status == 0);
		CHECK(out[c.tag - 77] == want[c.tag - 77]);
	}
	// Exactly once each: no further completion, and swcrypt did each once.
	std::this_thread::sleep_for(std::chrono::milliseconds(200));
	CHECK(ocf_reap(dev.get(), comps.data(), n + 1, 0) == 0);
	CHECK(kop_requests(dev, "swcrypt") - sw_before == n);
}

TEST_CASE("key ops count against an unprivileged user's in-flight limit", "[kops]")
{
	param_override user_limit(std::string(ocf_params) + "max_user_in_flight", "3");
	const auto want = static_cast<std::uint8_t>(
		BN_get_word(mod_exp(bn_word(5).get(), bn_word(77).get(), bn_word(0xfb).get()).get()));
	child_result r = run_child([want]() -> std::string {
		std::string err = drop_to_nobody();
		if (!err.empty())
			return err;
		device dev;
		bytes mod{ 0xfb }, base{ 5 }, exp{ 77 };
		std::vector<bytes> out(4, bytes(1));
		std::vector<ocf_kop> kops(4);
		std::vector<ocf_op> ops(4);
		for (std::size_t i = 0; i < 4; i++) {
			ocf_kop_modexp(&kops[i], 0, obn(base), obn(exp), obn(mod), out[i].data(), 1);
			ocf_op_kop(&ops[i], &kops[i]);
			ops[i].tag = i;
		}
		CHILD_EXPECT(ocf_submit(dev.get(), ops.data(), 4) == -EAGAIN);
		CHILD_EXPECT(ocf_run(dev.get(), ops.data(), 4) == -EAGAIN);
		CHILD_EXPECT(ocf_submit(dev.get(), ops.data(), 3) == 3);
		// Three in flight or unreaped: a fourth is refused.
		CHILD_EXPECT(ocf_submit(dev.get(), ops.data(), 1) == -EAGAIN);
		auto comps = reap_n(dev, 3);
		CHILD_EXPECT(comps.size() == 3);
		for (const auto &c : comps)
			CHILD_EXPECT(c.status == 0);
		for (std::size_t i = 0; i < 3; i++)
			CHILD_EXPECT(out[i][0] == want);
		CHILD_EXPECT(ocf_run(dev.get(), ops.data(), 3) == 3);
		return "";
	});
	INFO(r.output);
	CHECK(r.ok());
}

TEST_CASE("C++ key operations", "[kops]")
{
	ocf::device dev;
	bn_ptr m = random_modulus(512);
	bn_ptr b = random_below(m.get()), e = random_below(m.get());
	bytes mb = bin(m.get()), bb = bin(b.get()), eb = bin(e.get());
	bytes want = bin(mod_exp(b.get(), e.get(), m.get()).get(), mb.size());
	auto span = [](const bytes &v) { return std::as_bytes(std::span(v)); };
	auto wspan = [](bytes &v) { return std::as_writable_bytes(std::span(v)); };

	bytes out(mb.size());
	ocf::modexp(dev, span(bb), span(eb), span(mb), wspan(out));
	CHECK(out == want);

	bytes even = mb;
	even.back() ^= 1;
	std::error_code ec;
	ocf::modexp(dev, span(bb), span(eb), span(even), wspan(out), ec);
	CHECK(ec == std::errc::invalid_argument);
	CHECK_THROWS_AS(ocf::modexp(dev, span(bb), span(eb), span(even), wspan(out)), std::system_error);

	ocf::batch batch(dev);
	bytes o1(mb.size()), o2(mb.size());
	batch.modexp(span(bb), span(eb), span(mb), wspan(o1));
	batch.modexp(span(bb), span(eb), span(even), wspan(o2));
	batch.run();
	CHECK(!batch.status(0));
	CHECK(o1 == want);
	CHECK(batch.status(1) == std::errc::invalid_argument);
}

// Not run by the suite: tests/vm/module-lifecycle.sh starts it to have a
// process hold more key ops on null0 than it takes (the rest are retried as
// busy, each tick), kills it with SIGKILL and unloads every module under them.
TEST_CASE("hold key ops on null0, more than it takes, until killed", "[.kop-holder]")
{
	device dev;
	auto n0 = producer_named(dev, "null0");
	REQUIRE(n0);
	REQUIRE(n0->kops != 0);
	constexpr std::size_t n = 200;
	std::vector<ocf_kop> kops(n);
	std::vector<ocf_op> ops(n);
	std::vector<bytes> base(n), mod(n), out(n, bytes(64));
	for (std::size_t i = 0; i < n; i++) {
		bn_ptr m = random_modulus(512);
		mod[i] = bin(m.get());
		base[i] = bin(random_below(m.get()).get());
		ocf_kop_modexp(&kops[i], 0, obn(base[i]), obn(base[i]), obn(mod[i]), out[i].data(), 64);
		kops[i].producer = n0->id;
		ocf_op_kop(&ops[i], &kops[i]);
		ops[i].tag = i;
	}
	REQUIRE(ocf_submit(dev.get(), ops.data(), n) == static_cast<int>(n));
	std::printf("holding %zu key ops\n", n);
	std::fflush(stdout);
	std::this_thread::sleep_for(std::chrono::minutes(10));
}
