// SPDX-License-Identifier: LGPL-2.1-or-later
// Constant-time padding and HMAC check of a MAC-then-encrypt TLS CBC record.
//
// The HMAC covers a payload whose length follows from the padding length,
// a secret. Hashing it with an ordinary SHA update would run one compression
// more or less depending on that length: the Lucky 13 timing leak. Instead:
// - the part of the inner hash's input that is message for every possible
//   padding length is hashed normally;
// - every 64-byte block that may be the message's last, or hold its end
//   marker or length field, is built byte by byte with masks and compressed,
//   and the state after the block that really is the last is kept (masked
//   copy): the same blocks are compressed whatever the padding length;
// - the MAC is copied out of the record by scanning every position it may
//   start at, and compared without an early exit.
// Masks are all-ones or zero std::size_t values computed without branches.
//
// SHA1_Transform and SHA256_Transform (deprecated in OpenSSL 3.0, still
// exported) are the only public way to run the compression function alone.
#define OPENSSL_SUPPRESS_DEPRECATED

#include "tls_cbc.hpp"

#include <openssl/crypto.h>
#include <openssl/sha.h>

#include <cstring>

namespace ocfprov::tls_cbc {
namespace {

constexpr std::size_t kHashBlock = 64;		// SHA-1 and SHA-256
constexpr std::size_t kLengthField = 8;		// big-endian bit count at a block's end
constexpr std::size_t kMaxPadding = 256;	// padding bytes plus the length byte
constexpr std::size_t kMaxDigest = 32;
constexpr unsigned kBits = sizeof(std::size_t) * 8;

// Hides @x from the optimiser, so that it cannot turn a mask back into a
// branch, or a secret into a loop's index: gcc 12 -O2 rewrote the MAC
// rotation's loop below around the secret rotation (tests/provider/
// ct_tls_cbc.cpp under memcheck caught it; the clang build did not).
std::size_t value_barrier(std::size_t x)
{
	__asm__("" : "+r"(x));
	return x;
}

// All ones when the top bit of @x is set.
std::size_t top_bit_mask(std::size_t x)
{
	return value_barrier(static_cast<std::size_t>(0) - (x >> (kBits - 1)));
}

// All ones when @a < @b (both below 2^(kBits-1)).
std::size_t mask_lt(std::size_t a, std::size_t b)
{
	return top_bit_mask(a - b);
}

std::size_t mask_ge(std::size_t a, std::size_t b)
{
	return ~mask_lt(a, b);
}

std::size_t mask_zero(std::size_t x)
{
	return top_bit_mask(~x & (x - 1));
}

std::size_t mask_eq(std::size_t a, std::size_t b)
{
	return mask_zero(a ^ b);
}

// The compression function and state of one hash, behind one interface.
struct Hasher {
	Hash hash;
	SHA_CTX sha1;
	SHA256_CTX sha256;

	explicit Hasher(Hash h) : hash(h)
	{
		if (hash == Hash::Sha1)
			SHA1_Init(&sha1);
		else
			SHA256_Init(&sha256);
	}
	~Hasher()
	{
		OPENSSL_cleanse(&sha1, sizeof(sha1));
		OPENSSL_cleanse(&sha256, sizeof(sha256));
	}
	void update(const unsigned char *p, std::size_t n)
	{
		if (hash == Hash::Sha1)
			SHA1_Update(&sha1, p, n);
		else
			SHA256_Update(&sha256, p, n);
	}
	void final(unsigned char *out)
	{
		if (hash == Hash::Sha1)
			SHA1_Final(out, &sha1);
		else
			SHA256_Final(out, &sha256);
	}
	// One block into the state; only after updates of whole blocks.
	void compress(const unsigned char block[kHashBlock])
	{
		if (hash == Hash::Sha1)
			SHA1_Transform(&sha1, block);
		else
			SHA256_Transform(&sha256, block);
	}
	// The state as the digest it would be, were this the end.
	void state(unsigned char *out) const
	{
		const SHA_LONG sha1_words[5] = { sha1.h0, sha1.h1, sha1.h2, sha1.h3, sha1.h4 };
		const SHA_LONG *w = hash == Hash::Sha1 ? sha1_words : sha256.h;
		std::size_t words = hash == Hash::Sha1 ? 5 : 8;
		for (std::size_t i = 0; i < words; i++)
			for (std::size_t b = 0; b < 4; b++)
				out[4 * i + b] = static_cast<unsigned char>(w[i] >> (24 - 8 * b));
	}
};

} // namespace

std::size_t mac_size(Hash hash)
{
	return hash == Hash::Sha1 ? 20 : 32;
}

bool check_record(Hash hash, const unsigned char *mac_key, std::size_t mac_key_len,
		  const unsigned char header[kHeaderLen], const unsigned char *record,
		  std::size_t len, std::size_t *payload_len)
{
	const std::size_t maclen = mac_size(hash);
	if (len < maclen + 1)
		return false;	// public: too short for any padding

	// ---- The padding ----
	const std::size_t pad = record[len - 1];
	std::size_t good = mask_ge(len, maclen + 1 + pad);
	// Every byte that may be padding is read; those that are must hold pad.
	const std::size_t to_check = len - maclen < kMaxPadding ? len - maclen : kMaxPadding;
	for (std::size_t i = 0; i < to_check; i++) {
		std::size_t is_padding = mask_lt(i, pad + 1);
		good &= ~(is_padding & ~mask_eq(record[len - 1 - i], pad));
	}
	// A bad padding removes nothing (and still computes the MAC).
	const std::size_t payload = len - maclen - (good & (pad + 1));

	// ---- The received MAC, at the secret offset @payload ----
	// Scanned over every offset it may start at, into a rotated copy.
	const std::size_t max_payload = len - maclen;
	const std::size_t min_payload = max_payload > kMaxPadding ? max_payload - kMaxPadding : 0;
	unsigned char rotated[kMaxDigest] = {}, received[kMaxDigest] = {};
	std::size_t rotation = 0;
	for (std::size_t i = min_payload, j = 0; i < len; i++) {
		std::size_t starts = mask_eq(i, payload);
		std::size_t inside = mask_ge(i, payload) & mask_lt(i, payload + maclen);
		rotation |= starts & j;
		rotated[j] |= static_cast<unsigned char>(record[i] & inside);
		j = j + 1 == maclen ? 0 : j + 1;	// public: follows i
	}
	for (std::size_t k = 0; k < maclen; k++) {
		// (Through the barrier: else gcc derives the loop's index and exit
		// test from the secret rotation.)
		std::size_t from = value_barrier(rotation + k);
		from -= maclen & mask_ge(from, maclen);
		for (std::size_t j = 0; j < maclen; j++)
			received[k] |= static_cast<unsigned char>(rotated[j] & mask_eq(j, from));
	}

	// ---- HMAC key blocks ----
	unsigned char key[kHashBlock] = {}, ipad[kHashBlock], opad[kHashBlock];
	if (mac_key_len > kHashBlock) {
		Hasher h(hash);
		h.update(mac_key, mac_key_len);
		h.final(key);
	} else if (mac_key_len) {
		std::memcpy(key, mac_key, mac_key_len);
	}
	for (std::size_t i = 0; i < kHashBlock; i++) {
		ipad[i] = static_cast<unsigned char>(key[i] ^ 0x36);
		opad[i] = static_cast<unsigned char>(key[i] ^ 0x5c);
	}

	// ---- Inner hash over ipad, header and payload: secret length ----
	unsigned char hdr[kHeaderLen];
	std::memcpy(hdr, header, kHeaderLen);
	hdr[kHeaderLen - 2] = static_cast<unsigned char>(payload >> 8);
	hdr[kHeaderLen - 1] = static_cast<unsigned char>(payload);
	const std::size_t prefix = kHashBlock + kHeaderLen;	// ipad block, header
	const std::size_t msg_len = prefix + payload;		// secret
	const std::size_t min_msg = prefix + min_payload, max_msg = prefix + max_payload;
	// The byte at @pos of ipad || header || record (any position below
	// max_msg + the length field is inside the record or before it).
	auto byte_at = [&](std::size_t pos) -> unsigned char {
		if (pos < kHashBlock)
			return ipad[pos];
		if (pos < prefix)
			return hdr[pos - kHashBlock];
		return pos - prefix < len ? record[pos - prefix] : 0;
	};
	// Whole blocks that are message whatever the padding: hashed normally.
	const std::size_t fixed_blocks = min_msg / kHashBlock;
	Hasher inner(hash);
	inner.update(ipad, kHashBlock);
	if (fixed_blocks > 1) {
		inner.update(hdr, kHeaderLen);
		inner.update(record, fixed_blocks * kHashBlock - prefix);
	}
	// The last block is the one holding the length field's last byte.
	const std::size_t last_block = (msg_len + kLengthField) / kHashBlock;	// secret
	const std::size_t max_last_block = (max_msg + kLengthField) / kHashBlock;
	const std::uint64_t bit_len = static_cast<std::uint64_t>(msg_len) * 8;
	unsigned char block[kHashBlock], state[kMaxDigest], inner_digest[kMaxDigest] = {};
	for (std::size_t b = fixed_blocks < 1 ? 1 : fixed_blocks; b <= max_last_block; b++) {
		const std::size_t is_last = mask_eq(b, last_block);
		for (std::size_t j = 0; j < kHashBlock; j++) {
			const std::size_t pos = b * kHashBlock + j;
			std::size_t v = byte_at(pos) & mask_lt(pos, msg_len);
			v |= 0x80 & mask_eq(pos, msg_len);
			if (j >= kHashBlock - kLengthField) {
				unsigned shift = static_cast<unsigned>(8 * (kHashBlock - 1 - j));
				v = (v & ~is_last) | ((bit_len >> shift) & 0xff & is_last);
			}
			block[j] = static_cast<unsigned char>(v);
		}
		inner.compress(block);
		inner.state(state);
		for (std::size_t i = 0; i < maclen; i++)
			inner_digest[i] |= static_cast<unsigned char>(state[i] & is_last);
	}

	// ---- Outer hash: public length ----
	unsigned char computed[kMaxDigest];
	Hasher outer(hash);
	outer.update(opad, kHashBlock);
	outer.update(inner_digest, maclen);
	outer.final(computed);

	std::size_t diff = 0;
	for (std::size_t i = 0; i < maclen; i++)
		diff |= static_cast<std::size_t>(computed[i] ^ received[i]);
	good &= mask_zero(diff);

	OPENSSL_cleanse(key, sizeof(key));
	OPENSSL_cleanse(ipad, sizeof(ipad));
	OPENSSL_cleanse(opad, sizeof(opad));
	OPENSSL_cleanse(block, sizeof(block));
	OPENSSL_cleanse(state, sizeof(state));
	OPENSSL_cleanse(inner_digest, sizeof(inner_digest));
	OPENSSL_cleanse(rotated, sizeof(rotated));
	*payload_len = payload;
	return good != 0;
}

} // namespace ocfprov::tls_cbc
