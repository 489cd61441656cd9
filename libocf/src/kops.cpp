// SPDX-License-Identifier: LGPL-2.1-or-later
// The C API's key operations: fillers for struct ocf_kop, and the one-shot
// calls, each one OCF_IOC_RUN of a single OCF_OP_KEY op.
#include "internal.hpp"

#include <ocf/ocf.h>

#include <linux/ocf.h>

#include <cerrno>
#include <cstring>
#include <initializer_list>
#include <limits>

using ocf::detail::user_pointer;

namespace {

// Without its leading zeros: the module's size limit is on the bytes sent.
ocf_bn trimmed(ocf_bn bn) noexcept
{
	const auto *p = static_cast<const unsigned char *>(bn.data);
	if (!p)
		return { nullptr, 0 };
	while (bn.len && !*p) {
		++p;
		--bn.len;
	}
	return { p, bn.len };
}

// A length the ABI cannot carry becomes one the module refuses (-E2BIG).
uint32_t length32(size_t len) noexcept
{
	return len > std::numeric_limits<uint32_t>::max() ? std::numeric_limits<uint32_t>::max()
							  : static_cast<uint32_t>(len);
}

void put_in(ocf_kop *kop, ocf_bn bn) noexcept
{
	bn = trimmed(bn);
	ocf_kparam &p = kop->param[kop->in_count++];
	p.data = user_pointer(bn.data);
	p.len = length32(bn.len);
}

// Outputs longer than the ABI takes: their head can only be zeros.
void put_out(ocf_kop *kop, void *out, size_t len) noexcept
{
	auto *p = static_cast<unsigned char *>(out);
	if (p && len > OCF_KOP_MAX_BYTES) {
		std::memset(p, 0, len - OCF_KOP_MAX_BYTES);
		p += len - OCF_KOP_MAX_BYTES;
		len = OCF_KOP_MAX_BYTES;
	}
	ocf_kparam &param = kop->param[kop->in_count + kop->out_count++];
	param.data = user_pointer(p);
	param.len = static_cast<uint32_t>(len);
}

// The module refuses a key op with no operands (-EINVAL).
int start_kop(ocf_kop *kop, uint32_t type, uint32_t flags) noexcept
{
	std::memset(kop, 0, sizeof(*kop));
	kop->size = sizeof(*kop);
	kop->kop = type;
	kop->flags = flags;
	return 0;
}

int run_kop(ocf_device *dev, const ocf_kop &kop) noexcept
{
	ocf_op op;
	ocf_op_kop(&op, &kop);
	int r = ocf_run(dev, &op, 1);
	return r < 0 ? r : op.status;
}

// The contract's errors for a one-shot call: a modulus too large for any
// producer is -EOPNOTSUPP, any other operand too long for the ABI -EINVAL.
int one_shot(ocf_device *dev, const ocf_kop &kop, std::initializer_list<ocf_bn> moduli) noexcept
{
	if (!dev)
		return -EINVAL;
	for (ocf_bn m : moduli)
		if (trimmed(m).len > OCF_KOP_MAX_BYTES)
			return -EOPNOTSUPP;
	int r = run_kop(dev, kop);
	return r == -E2BIG ? -EINVAL : r;
}

} // namespace

extern "C" void ocf_op_kop(ocf_op *op, const ocf_kop *kop)
{
	std::memset(op, 0, sizeof(*op));
	op->op = OCF_OP_KEY;
	op->src = user_pointer(kop);
}

extern "C" int ocf_kop_modexp(ocf_kop *kop, uint32_t flags, ocf_bn base, ocf_bn exp, ocf_bn mod,
			      void *out, size_t out_len)
{
	if (!kop)
		return -EINVAL;
	start_kop(kop, OCF_KOP_MODEXP, flags);
	put_in(kop, base);
	put_in(kop, exp);
	put_in(kop, mod);
	put_out(kop, out, out_len);
	return 0;
}

extern "C" int ocf_kop_modexp_crt(ocf_kop *kop, ocf_bn in, const ocf_rsa_crt_key *key, void *out,
				  size_t out_len)
{
	if (!kop)
		return -EINVAL;
	start_kop(kop, OCF_KOP_MODEXP_CRT, 0);
	if (!key)
		return -EINVAL;
	put_in(kop, in);
	for (ocf_bn bn : { key->p, key->q, key->dp, key->dq, key->qinv })
		put_in(kop, bn);
	put_out(kop, out, out_len);
	return 0;
}

extern "C" int ocf_kop_dh_compute_key(ocf_kop *kop, ocf_bn peer_pub, ocf_bn priv, ocf_bn prime,
				      void *out, size_t out_len)
{
	if (!kop)
		return -EINVAL;
	start_kop(kop, OCF_KOP_DH_COMPUTE_KEY, 0);
	put_in(kop, priv);
	put_in(kop, peer_pub);
	put_in(kop, prime);
	put_out(kop, out, out_len);
	return 0;
}

extern "C" int ocf_kop_dsa_sign(ocf_kop *kop, ocf_bn digest, const ocf_dsa_params *params,
				ocf_bn priv, void *r, size_t r_len, void *s, size_t s_len)
{
	if (!kop)
		return -EINVAL;
	start_kop(kop, OCF_KOP_DSA_SIGN, 0);
	if (!params)
		return -EINVAL;
	// Not trimmed: the digest's leading zeros are part of its value's position.
	kop->param[kop->in_count].data = user_pointer(digest.data);
	kop->param[kop->in_count++].len = length32(digest.len);
	for (ocf_bn bn : { params->p, params->q, params->g, priv })
		put_in(kop, bn);
	put_out(kop, r, r_len);
	put_out(kop, s, s_len);
	return 0;
}

extern "C" int ocf_kop_dsa_verify(ocf_kop *kop, ocf_bn digest, const ocf_dsa_params *params,
				  ocf_bn pub, ocf_bn r, ocf_bn s)
{
	if (!kop)
		return -EINVAL;
	start_kop(kop, OCF_KOP_DSA_VERIFY, 0);
	if (!params)
		return -EINVAL;
	kop->param[kop->in_count].data = user_pointer(digest.data);
	kop->param[kop->in_count++].len = length32(digest.len);
	for (ocf_bn bn : { params->p, params->q, params->g, pub, r, s })
		put_in(kop, bn);
	return 0;
}

extern "C" int ocf_modexp(ocf_device *dev, ocf_bn base, ocf_bn exp, ocf_bn mod, void *out,
			  size_t out_len)
{
	ocf_kop kop;
	ocf_kop_modexp(&kop, 0, base, exp, mod, out, out_len);
	return one_shot(dev, kop, { mod });
}

extern "C" int ocf_modexp_prime(ocf_device *dev, ocf_bn base, ocf_bn exp, ocf_bn mod, void *out,
				size_t out_len)
{
	ocf_kop kop;
	ocf_kop_modexp(&kop, OCF_KOP_F_PRIME_MODULUS, base, exp, mod, out, out_len);
	return one_shot(dev, kop, { mod });
}

extern "C" int ocf_modexp_crt(ocf_device *dev, ocf_bn in, const ocf_rsa_crt_key *key, void *out,
			      size_t out_len)
{
	ocf_kop kop;
	if (ocf_kop_modexp_crt(&kop, in, key, out, out_len))
		return -EINVAL;
	return one_shot(dev, kop, { key->p, key->q });
}

extern "C" int ocf_dh_compute_key(ocf_device *dev, ocf_bn peer_pub, ocf_bn priv, ocf_bn prime,
				  void *out, size_t out_len)
{
	ocf_kop kop;
	ocf_kop_dh_compute_key(&kop, peer_pub, priv, prime, out, out_len);
	return one_shot(dev, kop, { prime });
}

extern "C" int ocf_dsa_sign(ocf_device *dev, ocf_bn digest, const ocf_dsa_params *params,
			    ocf_bn priv, void *r, size_t r_len, void *s, size_t s_len)
{
	ocf_kop kop;
	if (ocf_kop_dsa_sign(&kop, digest, params, priv, r, r_len, s, s_len))
		return -EINVAL;
	return one_shot(dev, kop, { params->p });
}

extern "C" int ocf_dsa_verify(ocf_device *dev, ocf_bn digest, const ocf_dsa_params *params,
			      ocf_bn pub, ocf_bn r, ocf_bn s)
{
	ocf_kop kop;
	if (ocf_kop_dsa_verify(&kop, digest, params, pub, r, s))
		return -EINVAL;
	return one_shot(dev, kop, { params->p });
}
