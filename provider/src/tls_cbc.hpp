// SPDX-License-Identifier: LGPL-2.1-or-later
// Checking a decrypted MAC-then-encrypt TLS CBC record (padding and HMAC) in
// constant time with respect to the padding length, against Lucky 13.
#ifndef OCF_PROVIDER_TLS_CBC_HPP
#define OCF_PROVIDER_TLS_CBC_HPP

#include <cstddef>
#include <cstdint>

namespace ocfprov::tls_cbc {

// The HMACs of the stitched ciphers (64-byte blocks, 8-byte length field).
enum class Hash { Sha1, Sha256 };

constexpr std::size_t kHeaderLen = 13;	// sequence number, type, version, length

std::size_t mac_size(Hash hash);

// Checks @record, a decrypted record without its explicit IV:
// [payload][HMAC][padding][padding length byte], @len bytes.
// @header: the TLS AAD of the record (its length bytes are replaced: the
// HMAC covers the payload's length, which is secret here).
//
// Sets *payload_len and returns true when the padding (every padding byte
// holds the padding length) and the HMAC over header and payload are good.
// Which bytes are read, which blocks are hashed, and what is compared do not
// depend on the padding length or on whether it is good: only the verdict
// (which the peer learns anyway, the record being rejected) is branched on.
bool check_record(Hash hash, const unsigned char *mac_key, std::size_t mac_key_len,
		  const unsigned char header[kHeaderLen], const unsigned char *record,
		  std::size_t len, std::size_t *payload_len);

} // namespace ocfprov::tls_cbc

#endif // OCF_PROVIDER_TLS_CBC_HPP
