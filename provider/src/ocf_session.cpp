// SPDX-License-Identifier: LGPL-2.1-or-later
// A context's OCF session and the request path of the cipher families (see
// ocf_session.hpp).
#include "ocf_session.hpp"

#include <cerrno>
#include <cstring>

namespace ocfprov {

OcfSession::OcfSession(const OcfSession &other)
{
	copy_keys(other);
}

OcfSession::~OcfSession()
{
	dev::session_free(sess_);
	wipe_keys();
}

void OcfSession::copy_keys(const OcfSession &other)
{
	std::memcpy(cipher_key_, other.cipher_key_, sizeof(cipher_key_));
	cipher_key_len_ = other.cipher_key_len_;
	std::memcpy(mac_key_, other.mac_key_, sizeof(mac_key_));
	mac_key_len_ = other.mac_key_len_;
	refused_ = other.refused_;
	refused_mac_len_ = other.refused_mac_len_;
}

void OcfSession::wipe_keys()
{
	cleanse(cipher_key_, sizeof(cipher_key_));
	cleanse(mac_key_, sizeof(mac_key_));
	cipher_key_len_ = mac_key_len_ = 0;
}

void OcfSession::reset()
{
	dev::session_free(sess_);
	refused_ = false;
	refused_mac_len_ = 0;
}

namespace {

// Replaces the key in @slot (wiped first). A key longer than the slot is
// not kept, and false returned: OCF cannot take it.
bool store_key(std::span<unsigned char> slot, std::size_t &len, std::span<const unsigned char> key)
{
	cleanse(slot.data(), slot.size());
	bool fits = key.size() <= slot.size();
	len = fits ? key.size() : 0;
	if (len)
		std::memcpy(slot.data(), key.data(), len);
	return fits;
}

} // namespace

bool OcfSession::set_cipher_key(std::span<const unsigned char> key)
{
	reset();
	return store_key(cipher_key_, cipher_key_len_, key);
}

bool OcfSession::set_mac_key(std::span<const unsigned char> key)
{
	reset();
	return store_key(mac_key_, mac_key_len_, key);
}

bool OcfSession::ensure(ocf_session_params params, const Provider *prov)
{
	if (dev::session_live(sess_) && sess_.mac_len == params.mac_len)
		return true;
	if (refused_ && refused_mac_len_ == params.mac_len)
		return false;
	if (params.cipher != OCF_ALG_NONE) {
		params.cipher_key = cipher_key_;
		params.cipher_key_len = cipher_key_len_;
	}
	if (params.mac != OCF_ALG_NONE) {
		params.mac_key = mac_key_;
		params.mac_key_len = mac_key_len_;
	}
	if (dev::session_new(sess_, params, prov->cfg.mode == Mode::Auto) < 0) {
		refused_ = true;
		refused_mac_len_ = params.mac_len;
		return false;
	}
	return true;
}

int OcfSession::run(ocf_op &op)
{
	int r = dev::run(sess_, op);
	if (dev::session_gone(r))
		dev::session_free(sess_);
	return r;
}

OcfOutcome submit(OcfSession &session, ocf_op &op, bool in_place, const Provider *prov,
		  const char *what, int *status)
{
	int r = session.run(op);
	if (status)
		*status = r;
	if (r == 0)
		return OcfOutcome::Done;
	if (!in_place || dev::data_untouched(r))
		return OcfOutcome::Software;
	OCF_RAISE(prov, R_DEVICE, "%s: %s", what, ocf_strerror(r));
	return OcfOutcome::Failed;
}

} // namespace ocfprov
