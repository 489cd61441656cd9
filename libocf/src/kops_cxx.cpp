// SPDX-License-Identifier: LGPL-2.1-or-later
// Key operations in C++: batch members that queue them beside symmetric ops,
// and one-shot calls over the C API's.
#include <ocf/ocf.hpp>

#include <cerrno>
#include <system_error>

namespace ocf {

namespace {

ocf_bn bn(bigint b) noexcept
{
	return { b.data(), b.size() };
}

ocf_rsa_crt_key crt(const rsa_crt_key &k) noexcept
{
	return { bn(k.p), bn(k.q), bn(k.dp), bn(k.dq), bn(k.qinv) };
}

ocf_dsa_params dsa(const dsa_params &d) noexcept
{
	return { bn(d.p), bn(d.q), bn(d.g) };
}

void set(std::error_code &ec, int ret) noexcept
{
	ec = ret < 0 ? make_error(ret) : std::error_code{};
}

void check(int ret, const char *what)
{
	if (ret < 0)
		throw std::system_error(make_error(ret), what);
}

} // namespace

std::size_t batch::push_kop(const ocf_kop &kop)
{
	kops_.push_back(kop);
	ocf_op op;
	ocf_op_kop(&op, &kops_.back());
	std::size_t index = add(op);
	ops_.back().tag = index;
	return index;
}

std::size_t batch::modexp(bigint base, bigint exp, bigint mod, std::span<std::byte> out,
			  std::uint32_t flags)
{
	ocf_kop kop;
	ocf_kop_modexp(&kop, flags, bn(base), bn(exp), bn(mod), out.data(), out.size());
	return push_kop(kop);
}

std::size_t batch::modexp_crt(bigint in, const rsa_crt_key &key, std::span<std::byte> out)
{
	ocf_kop kop;
	ocf_rsa_crt_key k = crt(key);
	ocf_kop_modexp_crt(&kop, bn(in), &k, out.data(), out.size());
	return push_kop(kop);
}

std::size_t batch::dh_compute_key(bigint peer_pub, bigint priv, bigint prime,
				  std::span<std::byte> out)
{
	ocf_kop kop;
	ocf_kop_dh_compute_key(&kop, bn(peer_pub), bn(priv), bn(prime), out.data(), out.size());
	return push_kop(kop);
}

std::size_t batch::dsa_sign(bigint digest, const dsa_params &params, bigint priv,
			    std::span<std::byte> r, std::span<std::byte> s)
{
	ocf_kop kop;
	ocf_dsa_params d = dsa(params);
	ocf_kop_dsa_sign(&kop, bn(digest), &d, bn(priv), r.data(), r.size(), s.data(), s.size());
	return push_kop(kop);
}

std::size_t batch::dsa_verify(bigint digest, const dsa_params &params, bigint pub, bigint r,
			      bigint s)
{
	ocf_kop kop;
	ocf_dsa_params d = dsa(params);
	ocf_kop_dsa_verify(&kop, bn(digest), &d, bn(pub), bn(r), bn(s));
	return push_kop(kop);
}

void modexp(const device &dev, bigint base, bigint exp, bigint mod, std::span<std::byte> out,
	    std::error_code &ec) noexcept
{
	set(ec, ocf_modexp(dev.native_handle(), bn(base), bn(exp), bn(mod), out.data(),
			   out.size()));
}

void modexp(const device &dev, bigint base, bigint exp, bigint mod, std::span<std::byte> out)
{
	check(ocf_modexp(dev.native_handle(), bn(base), bn(exp), bn(mod), out.data(), out.size()),
	      "ocf_modexp");
}

void modexp_prime(const device &dev, bigint base, bigint exp, bigint prime,
		  std::span<std::byte> out, std::error_code &ec) noexcept
{
	set(ec, ocf_modexp_prime(dev.native_handle(), bn(base), bn(exp), bn(prime), out.data(),
				 out.size()));
}

void modexp_prime(const device &dev, bigint base, bigint exp, bigint prime,
		  std::span<std::byte> out)
{
	check(ocf_modexp_prime(dev.native_handle(), bn(base), bn(exp), bn(prime), out.data(),
			       out.size()),
	      "ocf_modexp_prime");
}

void modexp_crt(const device &dev, bigint in, const rsa_crt_key &key, std::span<std::byte> out,
		std::error_code &ec) noexcept
{
	ocf_rsa_crt_key k = crt(key);
	set(ec, ocf_modexp_crt(dev.native_handle(), bn(in), &k, out.data(), out.size()));
}

void modexp_crt(const device &dev, bigint in, const rsa_crt_key &key, std::span<std::byte> out)
{
	ocf_rsa_crt_key k = crt(key);
	check(ocf_modexp_crt(dev.native_handle(), bn(in), &k, out.data(), out.size()),
	      "ocf_modexp_crt");
}

void dh_compute_key(const device &dev, bigint peer_pub, bigint priv, bigint prime,
		    std::span<std::byte> out, std::error_code &ec) noexcept
{
	set(ec, ocf_dh_compute_key(dev.native_handle(), bn(peer_pub), bn(priv), bn(prime),
				   out.data(), out.size()));
}

void dh_compute_key(const device &dev, bigint peer_pub, bigint priv, bigint prime,
		    std::span<std::byte> out)
{
	check(ocf_dh_compute_key(dev.native_handle(), bn(peer_pub), bn(priv), bn(prime),
				 out.data(), out.size()),
	      "ocf_dh_compute_key");
}

void dsa_sign(const device &dev, bigint digest, const dsa_params &params, bigint priv,
	      std::span<std::byte> r, std::span<std::byte> s, std::error_code &ec) noexcept
{
	ocf_dsa_params d = dsa(params);
	set(ec, ocf_dsa_sign(dev.native_handle(), bn(digest), &d, bn(priv), r.data(), r.size(),
			     s.data(), s.size()));
}

void dsa_sign(const device &dev, bigint digest, const dsa_params &params, bigint priv,
	      std::span<std::byte> r, std::span<std::byte> s)
{
	std::error_code ec;
	dsa_sign(dev, digest, params, priv, r, s, ec);
	if (ec)
		throw std::system_error(ec, "ocf_dsa_sign");
}

bool dsa_verify(const device &dev, bigint digest, const dsa_params &params, bigint pub,
		bigint r, bigint s, std::error_code &ec) noexcept
{
	ocf_dsa_params d = dsa(params);
	int ret = ocf_dsa_verify(dev.native_handle(), bn(digest), &d, bn(pub), bn(r), bn(s));
	set(ec, ret == -EBADMSG ? 0 : ret);
	return ret == 0;
}

bool dsa_verify(const device &dev, bigint digest, const dsa_params &params, bigint pub,
		bigint r, bigint s)
{
	std::error_code ec;
	bool good = dsa_verify(dev, digest, params, pub, r, s, ec);
	if (ec)
		throw std::system_error(ec, "ocf_dsa_verify");
	return good;
}

} // namespace ocf
