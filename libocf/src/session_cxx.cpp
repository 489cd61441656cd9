// SPDX-License-Identifier: LGPL-2.1-or-later
// ocf::session: a session id tied to the file that owns it.
#include <ocf/ocf.hpp>

#include <utility>

namespace ocf {

namespace {

std::uint32_t effective_mac_len(const session_params &params) noexcept
{
	if (params.mac_len)
		return params.mac_len;
	// An AEAD's tag is its MAC; it comes with the cipher, not in .mac.
	return ocf_alg_digest_len(params.mac != OCF_ALG_NONE ? params.mac : params.cipher);
}

} // namespace

session session::create(const device &dev, const session_params &params,
			std::error_code &ec) noexcept
{
	const ocf_session_params raw{
		.size = sizeof(ocf_session_params),
		.cipher = params.cipher,
		.mac = params.mac,
		.flags = params.flags,
		.mac_len = params.mac_len,
		.producer = params.producer,
		.cipher_key = params.cipher_key.data(),
		.cipher_key_len = params.cipher_key.size(),
		.mac_key = params.mac_key.data(),
		.mac_key_len = params.mac_key.size(),
	};
	session s;
	int ret = ocf_session_new(dev.native_handle(), &raw, &s.id_, &s.producer_);
	if (ret) {
		ec = make_error(ret);
		return {};
	}
	ec.clear();
	s.handle_ = dev.handle_;
	s.cipher_ = params.cipher;
	s.mac_ = params.mac;
	s.mac_len_ = effective_mac_len(params);
	return s;
}

session::session(const device &dev, const session_params &params)
{
	std::error_code ec;
	*this = create(dev, params, ec);
	if (ec)
		throw std::system_error(ec, "OCF_IOC_SESSION_NEW");
}

session::session(session &&other) noexcept
	: handle_(std::move(other.handle_)), id_(other.id_), producer_(other.producer_),
	  cipher_(other.cipher_), mac_(other.mac_), mac_len_(other.mac_len_)
{
}

session &session::operator=(session &&other) noexcept
{
	if (this != &other) {
		reset();
		handle_ = std::move(other.handle_);
		id_ = other.id_;
		producer_ = other.producer_;
		cipher_ = other.cipher_;
		mac_ = other.mac_;
		mac_len_ = other.mac_len_;
	}
	return *this;
}

session::~session()
{
	reset();
}

void session::reset() noexcept
{
	if (!handle_)
		return;
	// Nothing useful can be done if the module refuses: the session dies
	// with the file at the latest.
	(void)ocf_session_free(handle_.get(), id_);
	handle_.reset();
}

} // namespace ocf
