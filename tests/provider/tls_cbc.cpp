// Lucky 13: the stitched ciphers' TLS record decryption checks padding and
// MAC in constant time with respect to the padding length. Here, that it
// checks them right: every padding length 0..255 of a valid record is
// accepted, and a record with a tampered padding, MAC or payload rejected,
// (a) by the provider's checker directly (compiled in: it runs natively
// too) and (b) through EVP with the provider in mode always, which in the
// VM decrypts through OCF and checks with that checker.
#include "common.hpp"

#include "tls_cbc.hpp"

#include <catch2/catch.hpp>

#include <openssl/core_names.h>
#include <openssl/params.h>
#include <openssl/prov_ssl.h>

#include <cstring>
#include <string>

using namespace ptest;
namespace tc = ocfprov::tls_cbc;

namespace {

constexpr std::size_t kBlock = 16;

struct Free {
	void operator()(EVP_CIPHER_CTX *c) const { EVP_CIPHER_CTX_free(c); }
	void operator()(EVP_CIPHER *c) const { EVP_CIPHER_free(c); }
};
template <typename T>
using ptr = std::unique_ptr<T, Free>;

bytes tls_header(std::uint64_t seq, unsigned version, std::size_t len)
{
	bytes h(tc::kHeaderLen);
	for (int i = 0; i < 8; i++)
		h[static_cast<std::size_t>(i)] = static_cast<unsigned char>(seq >> (56 - 8 * i));
	h[8] = 23;	// application data
	h[9] = static_cast<unsigned char>(version >> 8);
	h[10] = static_cast<unsigned char>(version);
	h[11] = static_cast<unsigned char>(len >> 8);
	h[12] = static_cast<unsigned char>(len);
	return h;
}

// [payload][HMAC(header with the payload's length, payload)][pad + 1 bytes of pad].
bytes plain_record(const char *digest, const bytes &mackey, const bytes &header,
		   const bytes &payload, std::size_t pad)
{
	bytes h = header;
	h[11] = static_cast<unsigned char>(payload.size() >> 8);
	h[12] = static_cast<unsigned char>(payload.size());
	bytes msg = h;
	msg.insert(msg.end(), payload.begin(), payload.end());
	unsigned char mac[64];
	std::size_t maclen = 0;
	REQUIRE(EVP_Q_mac(ref_ctx(), "HMAC", nullptr, digest, nullptr, mackey.data(), mackey.size(),
			  msg.data(), msg.size(), mac, sizeof(mac), &maclen));
	bytes rec = payload;
	rec.insert(rec.end(), mac, mac + maclen);
	rec.insert(rec.end(), pad + 1, static_cast<unsigned char>(pad));
	return rec;
}

// A payload length that makes payload, MAC and pad + 1 bytes whole blocks.
std::size_t payload_for(std::size_t pad, std::size_t maclen, std::size_t around)
{
	std::size_t fixed = maclen + pad + 1;
	std::size_t total = ((around + fixed + kBlock - 1) / kBlock) * kBlock;
	return total - fixed;
}

struct Hash {
	tc::Hash hash;
	const char *digest;
	std::size_t maclen;
};
const Hash hashes[] = { { tc::Hash::Sha1, "SHA1", 20 }, { tc::Hash::Sha256, "SHA256", 32 } };

} // namespace

TEST_CASE("TLS CBC records: the constant-time check accepts every padding length, rejects tampering",
	  "[tls][lucky13]")
{
	for (const Hash &h : hashes) {
		bytes mackey = rand_bytes(h.maclen);
		for (std::size_t pad = 0; pad < 256; pad++) {
			std::size_t plen = payload_for(pad, h.maclen, rand_below(300));
			bytes header = tls_header(pad, TLS1_2_VERSION, 0);
			bytes payload = rand_bytes(plen);
			bytes rec = plain_record(h.digest, mackey, header, payload, pad);
			INFO(h.digest << " padding " << pad << " payload " << plen);
			std::size_t got = 0;
			CHECK(tc::check_record(h.hash, mackey.data(), mackey.size(), header.data(),
					       rec.data(), rec.size(), &got));
			CHECK(got == plen);
			// A tampered padding byte (not the length byte), MAC byte, payload
			// byte, or a padding length longer than the record.
			if (pad > 0) {
				bytes bad = rec;
				bad[bad.size() - 2 - rand_below(pad)] ^= 0x01;
				CHECK_FALSE(tc::check_record(h.hash, mackey.data(), mackey.size(),
							     header.data(), bad.data(), bad.size(), &got));
			}
			bytes bad = rec;
			bad[plen + rand_below(h.maclen)] ^= 0x80;
			CHECK_FALSE(tc::check_record(h.hash, mackey.data(), mackey.size(), header.data(),
						     bad.data(), bad.size(), &got));
			if (plen) {
				bad = rec;
				bad[rand_below(plen)] ^= 0x04;
				CHECK_FALSE(tc::check_record(h.hash, mackey.data(), mackey.size(),
							     header.data(), bad.data(), bad.size(), &got));
			}
			bad = rec;
			bytes other_header = tls_header(pad + 1, TLS1_2_VERSION, 0);
			CHECK_FALSE(tc::check_record(h.hash, mackey.data(), mackey.size(),
						     other_header.data(), bad.data(), bad.size(), &got));
		}
		// Padding lengths that do not fit the record.
		for (std::size_t len : { h.maclen + 1, h.maclen + 16, std::size_t{ 64 } }) {
			bytes rec = rand_bytes(len);
			rec.back() = static_cast<unsigned char>(len - h.maclen);	// one too many
			std::size_t got = 0;
			INFO(h.digest << " record " << len);
			CHECK_FALSE(tc::check_record(h.hash, mackey.data(), mackey.size(),
						     tls_header(0, TLS1_2_VERSION, 0).data(), rec.data(),
						     rec.size(), &got));
		}
	}
}

namespace {

// Decrypts a TLS 1.2 record with a stitched cipher as libssl does. False:
// rejected. *outl: the payload length.
bool decrypt_record(EVP_CIPHER *c, const bytes &key, const bytes &mackey, const bytes &header,
		    bytes &rec, std::size_t *outl)
{
	ptr<EVP_CIPHER_CTX> ctx(EVP_CIPHER_CTX_new());
	bytes iv(kBlock);
	REQUIRE(EVP_CipherInit_ex(ctx.get(), c, nullptr, key.data(), iv.data(), 0));
	REQUIRE(EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_AEAD_SET_MAC_KEY,
				    static_cast<int>(mackey.size()),
				    const_cast<unsigned char *>(mackey.data())) > 0);
	int version = TLS1_2_VERSION;
	OSSL_PARAM p[] = { OSSL_PARAM_construct_int(OSSL_CIPHER_PARAM_TLS_VERSION, &version),
			   OSSL_PARAM_construct_end() };
	REQUIRE(EVP_CIPHER_CTX_set_params(ctx.get(), p));
	bytes aad = header;
	aad[11] = static_cast<unsigned char>(rec.size() >> 8);
	aad[12] = static_cast<unsigned char>(rec.size());
	if (EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_AEAD_TLS1_AAD, 13, aad.data()) <= 0)
		return false;
	int o = 0;
	if (!EVP_CipherUpdate(ctx.get(), rec.data(), &o, rec.data(), static_cast<int>(rec.size())))
		return false;
	*outl = static_cast<std::size_t>(o);
	return true;
}

// [explicit IV block][plain record], AES-CBC encrypted (the first cipher
// block is the IV of the rest, as TLS 1.1+ sends it).
bytes encrypt_record(const char *cbc, const bytes &key, const bytes &plain)
{
	ptr<EVP_CIPHER> c(ref_cipher(cbc));
	ptr<EVP_CIPHER_CTX> ctx(EVP_CIPHER_CTX_new());
	bytes in = rand_bytes(kBlock), out(kBlock + plain.size());
	in.insert(in.end(), plain.begin(), plain.end());
	REQUIRE(EVP_EncryptInit_ex2(ctx.get(), c.get(), key.data(), rand_bytes(kBlock).data(), nullptr));
	EVP_CIPHER_CTX_set_padding(ctx.get(), 0);
	int o = 0;
	REQUIRE(EVP_EncryptUpdate(ctx.get(), out.data(), &o, in.data(), static_cast<int>(in.size())));
	REQUIRE(static_cast<std::size_t>(o) == out.size());
	return out;
}

} // namespace

TEST_CASE("TLS CBC records through the stitched ciphers: every padding length, tampering rejected",
	  "[tls][lucky13][stitched]")
{
	struct Stitched {
		const char *name, *cbc;
		Hash h;
	};
	const Stitched ciphers[] = {
		{ "AES-128-CBC-HMAC-SHA1", "AES-128-CBC", hashes[0] },
		{ "AES-256-CBC-HMAC-SHA256", "AES-256-CBC", hashes[1] },
	};
	for (const Stitched &s : ciphers) {
		ptr<EVP_CIPHER> oc(ocf_cipher(ocf_ctx("always"), s.name)), rc(ref_cipher(s.name));
		if (!rc) {	// no AES-NI: neither provider may offer it
			CHECK_FALSE(oc);
			drain_errors();
			continue;
		}
		REQUIRE(oc);
		bytes key = rand_bytes(static_cast<std::size_t>(EVP_CIPHER_get_key_length(rc.get())));
		bytes mackey = rand_bytes(s.h.maclen);
		long long before = ocf_requests();
		for (std::size_t pad = 0; pad < 256; pad++) {
			// Some records large enough for any threshold.
			std::size_t around = pad % 16 == 0 ? 5000 : rand_below(400);
			std::size_t plen = payload_for(pad, s.h.maclen, around);
			bytes header = tls_header(pad, TLS1_2_VERSION, 0);
			bytes payload = rand_bytes(plen);
			bytes rec = encrypt_record(s.cbc, key,
						   plain_record(s.h.digest, mackey, header, payload, pad));
			INFO(s.name << " padding " << pad << " payload " << plen);
			bytes r1 = rec, r2 = rec;
			std::size_t o1 = 0, o2 = 0;
			CHECK(decrypt_record(oc.get(), key, mackey, header, r1, &o1));
			CHECK(decrypt_record(rc.get(), key, mackey, header, r2, &o2));
			CHECK(o1 == plen);
			CHECK(o2 == plen);
			CHECK(std::memcmp(r1.data() + kBlock, payload.data(), plen) == 0);
			// Tampered: the last block (padding), a MAC or a payload byte.
			for (std::size_t at : { rec.size() - 1 - rand_below(kBlock),
						kBlock + plen + rand_below(s.h.maclen),
						kBlock + rand_below(plen ? plen : 1) }) {
				bytes bad = rec;
				// A flipped bit in the block before @at's flips it in @at.
				bad[at - kBlock] ^= 0x01;
				bytes b1 = bad, b2 = bad;
				INFO("tampered byte " << at);
				CHECK_FALSE(decrypt_record(oc.get(), key, mackey, header, b1, &o1));
				CHECK_FALSE(decrypt_record(rc.get(), key, mackey, header, b2, &o2));
				drain_errors();
			}
		}
		long long after = ocf_requests();
		INFO("OCF requests " << before << " -> " << after);
		if (before >= 0 && after >= 0)
			CHECK(after > before);	// mode always with a producer: through OCF
	}
}
