// SPDX-License-Identifier: LGPL-2.1-or-later
// What every keyed context (block, GCM and stitched ciphers, HMAC) keeps to
// reach OCF: its session, the key copies the session is made from, and the
// memory of a session OCF refused. One type, so that a fix to the stale
// session handling, the key wiping or the copying at dupctx lands once.
#ifndef OCF_PROVIDER_OCF_SESSION_HPP
#define OCF_PROVIDER_OCF_SESSION_HPP

#include "device.hpp"
#include "prov.hpp"

#include <ocf/ocf.h>

#include <cstddef>
#include <cstdint>
#include <span>

namespace ocfprov {

class OcfSession {
public:
	OcfSession() = default;
	// A copy (dupctx) has the keys and the memory of a refusal, never the
	// session: a session is freed by its one owner, and the copy makes its
	// own on first use.
	OcfSession(const OcfSession &other);
	OcfSession &operator=(const OcfSession &other) = delete;
	~OcfSession();

	// A new cipher key; the old session and refusal no longer apply.
	// False when it is longer than OCF takes (kept empty: such a context
	// stays in software rather than run under a cut key).
	bool set_cipher_key(std::span<const unsigned char> key);
	// A new MAC key. False when it is longer than OCF takes (kept empty:
	// such a context stays in software).
	bool set_mac_key(std::span<const unsigned char> key);

	std::span<const unsigned char> cipher_key() const
	{
		return { cipher_key_, cipher_key_len_ };
	}
	std::span<const unsigned char> mac_key() const
	{
		return { mac_key_, mac_key_len_ };
	}

	// Frees the session and forgets a refusal: what the session is made
	// for changed (direction, digest), the keys did not.
	void reset();

	// A live session for @params (its key fields are filled in here from the
	// keys held): the one held if it is live and of the same MAC length,
	// else a new one, unless OCF refused one for this MAC length already
	// (asking again for every request would cost an ioctl each). In mode
	// auto only a hardware producer's session is taken: only hardware pays.
	bool ensure(ocf_session_params params, const Provider *prov);

	// Runs @op on the session: 0 or the request's -errno. A session of a
	// closed device or one OCF no longer knows (-ESTALE, -ENOENT) is
	// forgotten, so that the next ensure() makes a new one.
	int run(ocf_op &op);

	const dev::Session &session() const { return sess_; }

private:
	void copy_keys(const OcfSession &other);
	void wipe_keys();

	dev::Session sess_;
	// A refused session, and its MAC length: GCM's sessions differ by tag
	// length (a refused one does not rule out another), the other families'
	// MAC length is always the same.
	bool refused_ = false;
	std::uint32_t refused_mac_len_ = 0;
	unsigned char cipher_key_[OCF_MAX_KEY_LEN] = {};
	std::size_t cipher_key_len_ = 0;
	unsigned char mac_key_[OCF_MAX_MAC_KEY_LEN] = {};
	std::size_t mac_key_len_ = 0;
};

// What became of a request given to OCF.
enum class OcfOutcome {
	Done,		// OCF did it
	Software,	// the caller's input is intact: do it (again) in software
	Failed,		// an in-place buffer may hold anything: error raised
};

// The one request path of the cipher families: runs @op on @session and
// decides what a failure means. A request out of place can always be
// redone in software (its input is intact); one in place only after an
// error that leaves the data untouched (dev::data_untouched): else the
// buffer may hold anything, and the caller fails. *status, if given, gets the request's
// status (GCM tells a bad tag, -EBADMSG, from a refusal). @what names the
// request in the error raised.
OcfOutcome submit(OcfSession &session, ocf_op &op, bool in_place, const Provider *prov,
		  const char *what, int *status = nullptr);

} // namespace ocfprov

#endif // OCF_PROVIDER_OCF_SESSION_HPP
