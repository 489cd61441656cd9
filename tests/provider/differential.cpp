// Differential tests: the ocf provider against OpenSSL's default provider at
// random lengths and random split points of the update calls, in modes
// always (OCF when present), auto and never, with the parameters libssl,
// OpenSSH and the openssl tool use: padding on and off, chained EVP_Cipher()
// calls and the updated IV, GCM tags set early and late, OpenSSH's
// incrementing GCM IV, TLS 1.2 GCM records with fixed and explicit IVs,
// TLS 1.3-style records, and the stitched ciphers' TLS records.
#include "common.hpp"

#include <catch2/catch.hpp>

#include <ocf/ocf.h>

#include <openssl/core_names.h>
#include <openssl/params.h>
#include <openssl/prov_ssl.h>
#include <openssl/provider.h>

#include <algorithm>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

using namespace ptest;

namespace {

struct CtxFree {
	void operator()(EVP_CIPHER_CTX *c) const { EVP_CIPHER_CTX_free(c); }
	void operator()(EVP_CIPHER *c) const { EVP_CIPHER_free(c); }
	void operator()(EVP_MD_CTX *c) const { EVP_MD_CTX_free(c); }
	void operator()(EVP_MD *c) const { EVP_MD_free(c); }
	void operator()(EVP_MAC_CTX *c) const { EVP_MAC_CTX_free(c); }
	void operator()(EVP_MAC *c) const { EVP_MAC_free(c); }
};
template <typename T>
using ptr = std::unique_ptr<T, CtxFree>;

// A length: mostly small and medium, sometimes past one OCF request (1 MiB).
std::size_t rand_len(std::size_t big)
{
	switch (rand_below(8)) {
	case 0: return rand_below(33);
	case 1: case 2: return rand_below(600);
	case 3: case 4: return rand_below(20000);
	case 5: return 4096 * (1 + rand_below(8)) + rand_below(3);
	case 6: return rand_below(70000);
	default: return big ? big / 2 + rand_below(big) : rand_below(70000);
	}
}

// Up to @max random split points in [0, n].
std::vector<std::size_t> splits(std::size_t n, std::size_t max = 6)
{
	std::vector<std::size_t> s;
	std::size_t k = rand_below(max + 1);
	for (std::size_t i = 0; i < k; i++)
		s.push_back(rand_below(n + 1));
	std::sort(s.begin(), s.end());
	s.push_back(n);
	return s;
}

struct Result {
	bool ok = false;
	bytes out;
	bytes iv;	// updated IV after the last update
};

// EVP_CipherUpdate over @in cut at @cuts, then final.
Result run_stream(EVP_CIPHER *c, int enc, const bytes &key, const bytes &iv, const bytes &in,
		  const std::vector<std::size_t> &cuts, bool pad)
{
	Result r;
	ptr<EVP_CIPHER_CTX> ctx(EVP_CIPHER_CTX_new());
	r.out.resize(in.size() + 32);
	int len = 0, total = 0;
	if (!EVP_CipherInit_ex2(ctx.get(), c, key.data(), iv.empty() ? nullptr : iv.data(), enc,
				nullptr))
		return r;
	EVP_CIPHER_CTX_set_padding(ctx.get(), pad);
	std::size_t prev = 0;
	for (std::size_t cut : cuts) {
		if (!EVP_CipherUpdate(ctx.get(), r.out.data() + total, &len, in.data() + prev,
				      static_cast<int>(cut - prev)))
			return r;
		total += len;
		prev = cut;
	}
	if (!iv.empty()) {
		r.iv.resize(iv.size());
		EVP_CIPHER_CTX_get_updated_iv(ctx.get(), r.iv.data(), r.iv.size());
	}
	if (!EVP_CipherFinal_ex(ctx.get(), r.out.data() + total, &len))
		return r;
	total += len;
	r.out.resize(static_cast<std::size_t>(total));
	r.ok = true;
	return r;
}

struct Counter {
	long long before = ocf_requests();
	long long sw_before = ocf_software_requests();
	long long delta() const
	{
		long long now = ocf_requests();
		return before < 0 || now < 0 ? -1 : now - before;
	}
	long long sw_delta() const
	{
		long long now = ocf_software_requests();
		return sw_before < 0 || now < 0 ? -1 : now - sw_before;
	}
};

// In mode always with a device, requests must have reached OCF; in mode never
// none may; in mode auto none may reach a software producer (only hardware
// pays).
void check_ocf_use(const Counter &c, const std::string &mode)
{
	long long d = c.delta();
	if (d < 0)
		return;
	INFO("OCF requests during the test: " << d << ", on software producers "
					      << c.sw_delta() << " (mode " << mode << ")");
	if (mode == "always")
		CHECK(d > 0);
	else if (mode == "never")
		CHECK(d == 0);
	else
		CHECK(c.sw_delta() == 0);
}

const char *block_ciphers[] = { "AES-128-CBC", "AES-192-CBC", "AES-256-CBC", "AES-128-CTR",
				"AES-192-CTR", "AES-256-CTR", "DES-EDE3-CBC" };

void block_cipher_round(const std::string &mode, const char *name, int iterations)
{
	ptr<EVP_CIPHER> oc(ocf_cipher(ocf_ctx(mode), name));
	ptr<EVP_CIPHER> rc(ref_cipher(name));
	REQUIRE(oc);
	REQUIRE(rc);
	const std::size_t bs = static_cast<std::size_t>(EVP_CIPHER_get_block_size(rc.get()));
	for (int i = 0; i < iterations; i++) {
		bytes key = rand_bytes(static_cast<std::size_t>(EVP_CIPHER_get_key_length(rc.get())));
		bytes iv = rand_bytes(static_cast<std::size_t>(EVP_CIPHER_get_iv_length(rc.get())));
		bool pad = bs == 1 || rand_below(3) != 0;
		std::size_t len = rand_len(i % 10 == 9 ? 1536 * 1024 : 0);
		if (!pad && bs > 1 && rand_below(4))
			len -= len % bs;
		bytes pt = rand_bytes(len);
		auto cuts = splits(len);
		INFO(name << " mode " << mode << " length " << len << " padding " << pad << " cuts "
			  << cuts.size());
		Result want = run_stream(rc.get(), 1, key, iv, pt, { len }, pad);
		Result got = run_stream(oc.get(), 1, key, iv, pt, cuts, pad);
		REQUIRE(got.ok == want.ok);	// both fail without padding on a partial block
		if (!want.ok)
			continue;
		CHECK(got.out == want.out);
		Result back = run_stream(oc.get(), 0, key, iv, want.out, splits(want.out.size()), pad);
		CHECK(back.ok);
		CHECK(back.out == pt);
		// A corrupted last block fails the padding check like the default's.
		if (pad && bs > 1 && !want.out.empty()) {
			bytes bad = want.out;
			bad.back() ^= 0x5a;
			Result r1 = run_stream(rc.get(), 0, key, iv, bad, { bad.size() }, pad);
			Result r2 = run_stream(oc.get(), 0, key, iv, bad, splits(bad.size()), pad);
			CHECK(r1.ok == r2.ok);
			if (r1.ok)
				CHECK(r1.out == r2.out);
			drain_errors();
		}
	}
}

// EVP_Cipher() in chained calls (no padding, whole blocks), with the updated
// IV read after each call, as OpenSSH's CBC and CTR modes use it.
void chained_cipher_round(const std::string &mode, const char *name)
{
	ptr<EVP_CIPHER> oc(ocf_cipher(ocf_ctx(mode), name));
	ptr<EVP_CIPHER> rc(ref_cipher(name));
	REQUIRE(oc);
	const std::size_t bs = static_cast<std::size_t>(EVP_CIPHER_get_block_size(rc.get()));
	bytes key = rand_bytes(static_cast<std::size_t>(EVP_CIPHER_get_key_length(rc.get())));
	bytes iv = rand_bytes(static_cast<std::size_t>(EVP_CIPHER_get_iv_length(rc.get())));
	for (int enc = 0; enc <= 1; enc++) {
		ptr<EVP_CIPHER_CTX> a(EVP_CIPHER_CTX_new()), b(EVP_CIPHER_CTX_new());
		REQUIRE(EVP_CipherInit_ex2(a.get(), oc.get(), key.data(), iv.data(), enc, nullptr));
		REQUIRE(EVP_CipherInit_ex2(b.get(), rc.get(), key.data(), iv.data(), enc, nullptr));
		for (int call = 0; call < 12; call++) {
			std::size_t len = rand_len(0);
			if (bs > 1)
				len -= len % bs;
			bytes in = rand_bytes(len), o1(len + 16), o2(len + 16);
			INFO(name << " EVP_Cipher call " << call << " length " << len << " enc " << enc);
			int r1 = EVP_Cipher(a.get(), o1.data(), in.data(), static_cast<unsigned>(len));
			int r2 = EVP_Cipher(b.get(), o2.data(), in.data(), static_cast<unsigned>(len));
			CHECK(r1 == r2);
			CHECK(std::memcmp(o1.data(), o2.data(), len) == 0);
			unsigned char i1[16], i2[16];
			REQUIRE(EVP_CIPHER_CTX_get_updated_iv(a.get(), i1, iv.size()));
			REQUIRE(EVP_CIPHER_CTX_get_updated_iv(b.get(), i2, iv.size()));
			CHECK(std::memcmp(i1, i2, iv.size()) == 0);
			// In place, as OpenSSH does it.
			bytes x = in, y = in;
			EVP_Cipher(a.get(), x.data(), x.data(), static_cast<unsigned>(len));
			EVP_Cipher(b.get(), y.data(), y.data(), static_cast<unsigned>(len));
			CHECK(x == y);
		}
		// The original IV stays readable, and a re-init without an IV
		// restarts a CBC stream from it (OpenSSL 1.1.1 compatibility).
		unsigned char o1[16], o2[16];
		REQUIRE(EVP_CIPHER_CTX_get_original_iv(a.get(), o1, iv.size()));
		CHECK(std::memcmp(o1, iv.data(), iv.size()) == 0);
		REQUIRE(EVP_CipherInit_ex(a.get(), nullptr, nullptr, nullptr, nullptr, -1));
		REQUIRE(EVP_CipherInit_ex(b.get(), nullptr, nullptr, nullptr, nullptr, -1));
		REQUIRE(EVP_CIPHER_CTX_get_updated_iv(a.get(), o1, iv.size()));
		REQUIRE(EVP_CIPHER_CTX_get_updated_iv(b.get(), o2, iv.size()));
		CHECK(std::memcmp(o1, o2, iv.size()) == 0);
	}
}

} // namespace

TEST_CASE("differential: CBC, CTR and 3DES against the default provider", "[diff]")
{
	for (std::string mode : { "always", "auto", "never" }) {
		Counter cnt;
		for (const char *name : block_ciphers) {
			block_cipher_round(mode, name, mode == "always" ? 30 : 8);
			chained_cipher_round(mode, name);
		}
		check_ocf_use(cnt, mode);
	}
}

// ---- GCM ----

namespace {

struct Gcm {
	bytes ct, tag;
	bool ok = false;
};

// A GCM message: AAD in pieces, data at @cuts (one piece: the OCF path).
Gcm gcm_encrypt(EVP_CIPHER *c, const bytes &key, const bytes &iv, const bytes &aad,
		const bytes &pt, const std::vector<std::size_t> &aad_cuts,
		const std::vector<std::size_t> &cuts, std::size_t taglen)
{
	Gcm g;
	ptr<EVP_CIPHER_CTX> ctx(EVP_CIPHER_CTX_new());
	int len = 0;
	std::size_t ivlen = iv.size();
	OSSL_PARAM p[] = { OSSL_PARAM_construct_size_t(OSSL_CIPHER_PARAM_AEAD_IVLEN, &ivlen),
			   OSSL_PARAM_construct_end() };
	if (!EVP_EncryptInit_ex2(ctx.get(), c, nullptr, nullptr, nullptr) ||
	    !EVP_CIPHER_CTX_set_params(ctx.get(), p) ||
	    !EVP_EncryptInit_ex2(ctx.get(), nullptr, key.data(), iv.data(), nullptr))
		return g;
	std::size_t prev = 0;
	for (std::size_t cut : aad_cuts) {
		if (!EVP_EncryptUpdate(ctx.get(), nullptr, &len, aad.data() + prev,
				       static_cast<int>(cut - prev)))
			return g;
		prev = cut;
	}
	g.ct.resize(pt.size());
	prev = 0;
	int total = 0;
	for (std::size_t cut : cuts) {
		if (!EVP_EncryptUpdate(ctx.get(), g.ct.data() + total, &len, pt.data() + prev,
				       static_cast<int>(cut - prev)))
			return g;
		total += len;
		prev = cut;
	}
	if (!EVP_EncryptFinal_ex(ctx.get(), g.ct.data() + total, &len))
		return g;
	g.tag.resize(taglen);
	if (EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_AEAD_GET_TAG, static_cast<int>(taglen),
				g.tag.data()) <= 0)
		return g;
	g.ok = true;
	return g;
}

bool gcm_decrypt(EVP_CIPHER *c, const bytes &key, const bytes &iv, const bytes &aad,
		 const bytes &ct, const bytes &tag, const std::vector<std::size_t> &cuts,
		 bool tag_late, bytes *pt)
{
	ptr<EVP_CIPHER_CTX> ctx(EVP_CIPHER_CTX_new());
	int len = 0;
	std::size_t ivlen = iv.size();
	OSSL_PARAM p[] = { OSSL_PARAM_construct_size_t(OSSL_CIPHER_PARAM_AEAD_IVLEN, &ivlen),
			   OSSL_PARAM_construct_end() };
	if (!EVP_DecryptInit_ex2(ctx.get(), c, nullptr, nullptr, nullptr) ||
	    !EVP_CIPHER_CTX_set_params(ctx.get(), p) ||
	    !EVP_DecryptInit_ex2(ctx.get(), nullptr, key.data(), iv.data(), nullptr))
		return false;
	auto set_tag = [&] {
		return EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_AEAD_SET_TAG,
					   static_cast<int>(tag.size()),
					   const_cast<unsigned char *>(tag.data())) > 0;
	};
	if (!tag_late && !set_tag())
		return false;
	if (!aad.empty() &&
	    !EVP_DecryptUpdate(ctx.get(), nullptr, &len, aad.data(), static_cast<int>(aad.size())))
		return false;
	if (tag_late && !set_tag())
		return false;
	pt->assign(ct.size(), 0);
	std::size_t prev = 0;
	int total = 0;
	for (std::size_t cut : cuts) {
		if (!EVP_DecryptUpdate(ctx.get(), pt->data() + total, &len, ct.data() + prev,
				       static_cast<int>(cut - prev)))
			return false;
		total += len;
		prev = cut;
	}
	return EVP_DecryptFinal_ex(ctx.get(), pt->data() + total, &len) == 1;
}

const char *gcm_ciphers[] = { "AES-128-GCM", "AES-192-GCM", "AES-256-GCM" };

} // namespace

TEST_CASE("differential: GCM messages, tags early and late, any IV length", "[diff][gcm]")
{
	for (std::string mode : { "always", "never" }) {
		Counter cnt;
		for (const char *name : gcm_ciphers) {
			ptr<EVP_CIPHER> oc(ocf_cipher(ocf_ctx(mode), name));
			ptr<EVP_CIPHER> rc(ref_cipher(name));
			REQUIRE(oc);
			for (int i = 0; i < (mode == "always" ? 40 : 10); i++) {
				bytes key = rand_bytes(static_cast<std::size_t>(
					EVP_CIPHER_get_key_length(rc.get())));
				std::size_t ivlen = rand_below(5) ? 12 : 1 + rand_below(32);
				bytes iv = rand_bytes(ivlen);
				bytes aad = rand_bytes(rand_below(4) ? rand_below(64) : rand_below(3000));
				std::size_t len = rand_len(i % 10 == 9 ? 900 * 1024 : 0);
				bytes pt = rand_bytes(len);
				bool one = rand_below(3) != 0;	// the data in one update
				auto cuts = one ? std::vector<std::size_t>{ len } : splits(len);
				std::size_t taglen = rand_below(4) ? 16 : 4 + rand_below(13);
				INFO(name << " mode " << mode << " iv " << ivlen << " aad " << aad.size()
					  << " length " << len << " pieces " << cuts.size() << " tag "
					  << taglen);
				Gcm want = gcm_encrypt(rc.get(), key, iv, aad, pt, { aad.size() }, { len },
						       taglen);
				Gcm got = gcm_encrypt(oc.get(), key, iv, aad, pt, splits(aad.size()), cuts,
						      taglen);
				REQUIRE(want.ok);
				CHECK(got.ok);
				CHECK(got.ct == want.ct);
				CHECK(got.tag == want.tag);
				bytes back;
				bool late = rand_below(2);
				CHECK(gcm_decrypt(oc.get(), key, iv, aad, want.ct, want.tag,
						  one ? std::vector<std::size_t>{ len } : splits(len), late,
						  &back));
				CHECK(back == pt);
				// A wrong tag, or wrong data, fails at final.
				bytes badtag = want.tag;
				badtag[rand_below(badtag.size())] ^= 1;
				CHECK_FALSE(gcm_decrypt(oc.get(), key, iv, aad, want.ct, badtag, { len },
							late, &back));
				if (len) {
					bytes badct = want.ct;
					badct[rand_below(len)] ^= 0x80;
					CHECK_FALSE(gcm_decrypt(oc.get(), key, iv, aad, badct, want.tag,
								{ len }, false, &back));
				}
				drain_errors();
			}
		}
		check_ocf_use(cnt, mode);
	}
}

namespace {

// OpenSSH's aes-gcm@openssh.com: the whole IV set once (IV_FIXED, -1),
// IV_GEN per packet, EVP_Cipher() for AAD, data and final, the tag set
// before the data when decrypting.
bool ssh_packets(EVP_CIPHER *c, int enc, const bytes &key, const bytes &iv,
		 std::vector<bytes> &packets /* in: aad(4)||text(||tag) ; out: results */)
{
	ptr<EVP_CIPHER_CTX> ctx(EVP_CIPHER_CTX_new());
	if (!EVP_CipherInit(ctx.get(), c, nullptr, nullptr, enc) ||
	    !EVP_CipherInit(ctx.get(), nullptr, key.data(), nullptr, -1) ||
	    !EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_IV_FIXED, -1,
				 const_cast<unsigned char *>(iv.data())))
		return false;
	for (bytes &pkt : packets) {
		unsigned char lastiv[1];
		const std::size_t aadlen = 4, authlen = 16;
		std::size_t len = pkt.size() - aadlen - (enc ? 0 : authlen);
		bytes out(aadlen + len + authlen);
		std::memcpy(out.data(), pkt.data(), aadlen);
		if (!EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_IV_GEN, 1, lastiv))
			return false;
		if (!enc && !EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG,
						 static_cast<int>(authlen), pkt.data() + aadlen + len))
			return false;
		if (EVP_Cipher(ctx.get(), nullptr, pkt.data(), aadlen) < 0 ||
		    EVP_Cipher(ctx.get(), out.data() + aadlen, pkt.data() + aadlen,
			       static_cast<unsigned>(len)) < 0 ||
		    EVP_Cipher(ctx.get(), nullptr, nullptr, 0) < 0)
			return false;
		if (enc && !EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG,
						static_cast<int>(authlen), out.data() + aadlen + len))
			return false;
		if (!enc)
			out.resize(aadlen + len);
		pkt = out;
	}
	return true;
}

} // namespace

TEST_CASE("differential: GCM as OpenSSH uses it (IV_FIXED -1, IV_GEN, EVP_Cipher)", "[diff][gcm]")
{
	for (std::string mode : { "always", "never" }) {
		Counter cnt;
		for (const char *name : { "AES-128-GCM", "AES-256-GCM" }) {
			ptr<EVP_CIPHER> oc(ocf_cipher(ocf_ctx(mode), name));
			ptr<EVP_CIPHER> rc(ref_cipher(name));
			bytes key = rand_bytes(static_cast<std::size_t>(EVP_CIPHER_get_key_length(rc.get())));
			bytes iv = rand_bytes(12);
			iv[11] = 0xfe;	// the counter carries over a byte during the run
			std::vector<bytes> pkts;
			for (int i = 0; i < 20; i++)
				pkts.push_back(rand_bytes(4 + 16 * (1 + rand_below(i % 5 ? 40 : 2200))));
			std::vector<bytes> a = pkts, b = pkts;
			REQUIRE(ssh_packets(oc.get(), 1, key, iv, a));
			REQUIRE(ssh_packets(rc.get(), 1, key, iv, b));
			CHECK(a == b);
			std::vector<bytes> back = b;
			CHECK(ssh_packets(oc.get(), 0, key, iv, back));
			CHECK(back == pkts);
			b[7][10] ^= 1;	// a corrupted packet fails
			CHECK_FALSE(ssh_packets(oc.get(), 0, key, iv, b));
			drain_errors();
		}
		check_ocf_use(cnt, mode);
	}
}

namespace {

// libssl's TLS 1.2 GCM record (provided-cipher path): TLS1_AAD, then one
// EVP_CipherUpdate in place over explicit IV (8) || text || tag (16).
bool tls12_gcm_record(EVP_CIPHER_CTX *ctx, int enc, std::uint64_t seq, bytes &rec,
		      std::size_t *outl)
{
	unsigned char aad[13];
	for (int i = 0; i < 8; i++)
		aad[i] = static_cast<unsigned char>(seq >> (56 - 8 * i));
	aad[8] = 23;
	aad[9] = 3;
	aad[10] = 3;
	std::size_t len = enc ? rec.size() - 24 + 8 : rec.size();	// what libssl puts there
	aad[11] = static_cast<unsigned char>(len >> 8);
	aad[12] = static_cast<unsigned char>(len);
	int pad = EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_TLS1_AAD, 13, aad);
	if (pad != 16)
		return false;
	int o = 0;
	if (!EVP_CipherUpdate(ctx, rec.data(), &o, rec.data(), static_cast<int>(rec.size())))
		return false;
	*outl = static_cast<std::size_t>(o);
	return true;
}

ptr<EVP_CIPHER_CTX> tls12_gcm_ctx(EVP_CIPHER *c, int enc, const bytes &key, const bytes &fixed)
{
	ptr<EVP_CIPHER_CTX> ctx(EVP_CIPHER_CTX_new());
	REQUIRE(EVP_CipherInit_ex(ctx.get(), c, nullptr, key.data(), nullptr, enc));
	REQUIRE(EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_IV_FIXED, 4,
				    const_cast<unsigned char *>(fixed.data())));
	return ctx;
}

} // namespace

TEST_CASE("differential: TLS 1.2 GCM records (TLS1_AAD, fixed and explicit IVs)", "[diff][gcm][tls]")
{
	for (std::string mode : { "always", "never" }) {
		Counter cnt;
		for (const char *name : { "AES-128-GCM", "AES-256-GCM" }) {
			ptr<EVP_CIPHER> oc(ocf_cipher(ocf_ctx(mode), name));
			ptr<EVP_CIPHER> rc(ref_cipher(name));
			bytes key = rand_bytes(static_cast<std::size_t>(EVP_CIPHER_get_key_length(rc.get())));
			bytes fixed = rand_bytes(4);
			// Ours encrypts, the default decrypts; then the other way round.
			for (int dir = 0; dir < 2; dir++) {
				EVP_CIPHER *ec = dir ? rc.get() : oc.get();
				EVP_CIPHER *dc = dir ? oc.get() : rc.get();
				auto e = tls12_gcm_ctx(ec, 1, key, fixed);
				auto d = tls12_gcm_ctx(dc, 0, key, fixed);
				bytes prev_explicit;
				for (std::uint64_t seq = 0; seq < 24; seq++) {
					std::size_t plen = rand_below(seq % 4 ? 2000 : 16385);
					bytes payload = rand_bytes(plen);
					bytes rec(8 + plen + 16);
					std::memcpy(rec.data() + 8, payload.data(), plen);
					std::size_t outl = 0;
					INFO(name << " mode " << mode << " dir " << dir << " record " << seq
						  << " payload " << plen);
					REQUIRE(tls12_gcm_record(e.get(), 1, seq, rec, &outl));
					CHECK(outl == rec.size());
					bytes expl(rec.begin(), rec.begin() + 8);
					CHECK(expl != prev_explicit);	// a new IV every record
					prev_explicit = expl;
					bytes bad = rec;
					if (seq % 6 == 5) {
						bad[8 + rand_below(plen + 16)] ^= 4;
						auto d2 = tls12_gcm_ctx(dc, 0, key, fixed);
						CHECK_FALSE(tls12_gcm_record(d2.get(), 0, seq, bad, &outl));
						drain_errors();
					}
					REQUIRE(tls12_gcm_record(d.get(), 0, seq, rec, &outl));
					CHECK(outl == plen);
					CHECK(std::memcmp(rec.data() + 8, payload.data(), plen) == 0);
				}
			}
		}
		check_ocf_use(cnt, mode);
	}
}

TEST_CASE("differential: TLS 1.3-style GCM records (nonce per record, tag set before)", "[diff][gcm][tls]")
{
	for (std::string mode : { "always", "never" }) {
		Counter cnt;
		ptr<EVP_CIPHER> oc(ocf_cipher(ocf_ctx(mode), "AES-128-GCM"));
		ptr<EVP_CIPHER> rc(ref_cipher("AES-128-GCM"));
		bytes key = rand_bytes(16), static_iv = rand_bytes(12);
		ptr<EVP_CIPHER_CTX> oe(EVP_CIPHER_CTX_new()), re(EVP_CIPHER_CTX_new()),
			od(EVP_CIPHER_CTX_new());
		REQUIRE(EVP_CipherInit_ex(oe.get(), oc.get(), nullptr, key.data(), nullptr, 1));
		REQUIRE(EVP_CipherInit_ex(re.get(), rc.get(), nullptr, key.data(), nullptr, 1));
		REQUIRE(EVP_CipherInit_ex(od.get(), oc.get(), nullptr, key.data(), nullptr, 0));
		for (std::uint64_t seq = 0; seq < 30; seq++) {
			bytes nonce = static_iv;
			for (int i = 0; i < 8; i++)
				nonce[4 + i] ^= static_cast<unsigned char>(seq >> (56 - 8 * i));
			std::size_t len = rand_below(seq % 3 ? 3000 : 16401);
			bytes pt = rand_bytes(len), hdr = { 23, 3, 3, static_cast<unsigned char>((len + 16) >> 8),
							     static_cast<unsigned char>(len + 16) };
			bytes c1(len), c2(len), t1(16), t2(16), back(len);
			int o = 0;
			for (auto [ctx, ct, tag] : { std::tuple{ oe.get(), &c1, &t1 },
						     std::tuple{ re.get(), &c2, &t2 } }) {
				REQUIRE(EVP_CipherInit_ex(ctx, nullptr, nullptr, nullptr, nonce.data(), 1));
				REQUIRE(EVP_CipherUpdate(ctx, nullptr, &o, hdr.data(), 5));
				REQUIRE(EVP_CipherUpdate(ctx, ct->data(), &o, pt.data(), static_cast<int>(len)));
				REQUIRE(EVP_CipherFinal_ex(ctx, ct->data() + o, &o));
				REQUIRE(EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_GET_TAG, 16, tag->data()));
			}
			CHECK(c1 == c2);
			CHECK(t1 == t2);
			REQUIRE(EVP_CipherInit_ex(od.get(), nullptr, nullptr, nullptr, nonce.data(), 0));
			REQUIRE(EVP_CIPHER_CTX_ctrl(od.get(), EVP_CTRL_AEAD_SET_TAG, 16, t2.data()));
			REQUIRE(EVP_CipherUpdate(od.get(), nullptr, &o, hdr.data(), 5));
			REQUIRE(EVP_CipherUpdate(od.get(), back.data(), &o, c2.data(), static_cast<int>(len)));
			CHECK(EVP_CipherFinal_ex(od.get(), back.data() + o, &o) == 1);
			CHECK(back == pt);
		}
		check_ocf_use(cnt, mode);
	}
}

// ---- Stitched ciphers ----

namespace {

ptr<EVP_CIPHER_CTX> stitched_ctx(EVP_CIPHER *c, int enc, const bytes &key, const bytes &iv,
				 const bytes &mackey, int version)
{
	ptr<EVP_CIPHER_CTX> ctx(stitched_ctx_new(c, enc, key, iv, mackey, version));
	REQUIRE(ctx);
	return ctx;
}

const char *stitched_ciphers[] = { "AES-128-CBC-HMAC-SHA1", "AES-256-CBC-HMAC-SHA1",
				   "AES-128-CBC-HMAC-SHA256", "AES-256-CBC-HMAC-SHA256" };

} // namespace

TEST_CASE("differential: stitched AES-CBC-HMAC-SHA TLS records", "[diff][tls][stitched]")
{
	for (std::string mode : { "always", "never" }) {
		Counter cnt;
		for (const char *name : stitched_ciphers) {
			ptr<EVP_CIPHER> oc(ocf_cipher(ocf_ctx(mode), name));
			ptr<EVP_CIPHER> rc(ref_cipher(name));
			// Without AES-NI the default provider has no stitched ciphers,
			// and then the ocf provider must not offer them either.
			if (!rc) {
				CHECK_FALSE(oc);
				drain_errors();
				continue;
			}
			REQUIRE(oc);
			const std::size_t maclen = std::strstr(name, "SHA256") ? 32 : 20;
			for (int version : { TLS1_2_VERSION, TLS1_1_VERSION, TLS1_VERSION }) {
				bytes key = rand_bytes(static_cast<std::size_t>(EVP_CIPHER_get_key_length(rc.get())));
				bytes iv = rand_bytes(16), mackey = rand_bytes(maclen);
				const std::size_t explicit_iv = version >= TLS1_1_VERSION ? 16 : 0;
				auto oe = stitched_ctx(oc.get(), 1, key, iv, mackey, version);
				auto re = stitched_ctx(rc.get(), 1, key, iv, mackey, version);
				auto od = stitched_ctx(oc.get(), 0, key, iv, mackey, version);
				auto rd = stitched_ctx(rc.get(), 0, key, iv, mackey, version);
				for (std::uint64_t seq = 0; seq < 16; seq++) {
					std::size_t payload = rand_below(seq % 4 ? 3000 : 16385);
					std::size_t plen = explicit_iv + payload;
					bytes rec = rand_bytes(plen), r1 = rec, r2 = rec;
					std::size_t o1 = 0, o2 = 0;
					INFO(name << " mode " << mode << " version " << std::hex << version
						  << std::dec << " record " << seq << " payload " << payload);
					REQUIRE(stitched_record(oe.get(), 1, static_cast<unsigned>(version), seq,
								plen, r1, &o1));
					REQUIRE(stitched_record(re.get(), 1, static_cast<unsigned>(version), seq,
								plen, r2, &o2));
					CHECK(o1 == o2);
					CHECK(r1 == r2);
					unsigned char i1[16], i2[16];
					REQUIRE(EVP_CIPHER_CTX_get_updated_iv(oe.get(), i1, 16));
					REQUIRE(EVP_CIPHER_CTX_get_updated_iv(re.get(), i2, 16));
					CHECK(std::memcmp(i1, i2, 16) == 0);
					// Both decrypt it the same way.
					bytes d1 = r2, d2 = r2;
					REQUIRE(stitched_record(od.get(), 0, static_cast<unsigned>(version), seq,
								0, d1, &o1));
					REQUIRE(stitched_record(rd.get(), 0, static_cast<unsigned>(version), seq,
								0, d2, &o2));
					CHECK(o1 == o2);
					CHECK(o1 == payload);
					CHECK(std::memcmp(d1.data() + explicit_iv, rec.data() + explicit_iv,
							  payload) == 0);
					// A flipped bit in the MAC, padding or payload fails both.
					if (seq % 5 == 4) {
						for (int k = 0; k < 2; k++) {
							bytes bad = r2;
							bad[explicit_iv + rand_below(bad.size() - explicit_iv)] ^= 0x10;
							auto od2 = stitched_ctx(oc.get(), 0, key, iv, mackey, version);
							auto rd2 = stitched_ctx(rc.get(), 0, key, iv, mackey, version);
							bytes b1 = bad, b2 = bad;
							// Same chain state as the good record had.
							if (!explicit_iv)
								continue;
							bool g1 = stitched_record(od2.get(), 0, static_cast<unsigned>(version),
										  seq, 0, b1, &o1);
							bool g2 = stitched_record(rd2.get(), 0, static_cast<unsigned>(version),
										  seq, 0, b2, &o2);
							CHECK_FALSE(g1);
							CHECK(g1 == g2);
							drain_errors();
						}
					}
				}
			}
		}
		check_ocf_use(cnt, mode);
	}
}

// ---- Digests and HMAC ----

namespace {

const char *digests[] = { "SHA1", "SHA224", "SHA256", "SHA384", "SHA512" };

bytes digest(EVP_MD *md, const bytes &in, const std::vector<std::size_t> &cuts, bool dup)
{
	ptr<EVP_MD_CTX> ctx(EVP_MD_CTX_new());
	REQUIRE(EVP_DigestInit_ex2(ctx.get(), md, nullptr));
	std::size_t prev = 0;
	for (std::size_t cut : cuts) {
		REQUIRE(EVP_DigestUpdate(ctx.get(), in.data() + prev, cut - prev));
		prev = cut;
		if (dup) {
			ptr<EVP_MD_CTX> d(EVP_MD_CTX_new());
			REQUIRE(EVP_MD_CTX_copy_ex(d.get(), ctx.get()));
			ctx = std::move(d);
		}
	}
	unsigned char out[EVP_MAX_MD_SIZE];
	unsigned len = 0;
	REQUIRE(EVP_DigestFinal_ex(ctx.get(), out, &len));
	return bytes(out, out + len);
}

bytes hmac(EVP_MAC *mac, const char *md, const bytes &key, const bytes &in,
	   const std::vector<std::size_t> &cuts, bool reinit)
{
	ptr<EVP_MAC_CTX> ctx(EVP_MAC_CTX_new(mac));
	OSSL_PARAM p[] = { OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST,
							    const_cast<char *>(md), 0),
			   OSSL_PARAM_construct_end() };
	static const unsigned char empty = 0;	// a zero-length key, not "no key"
	REQUIRE(EVP_MAC_init(ctx.get(), key.empty() ? &empty : key.data(), key.size(), p));
	if (reinit) {
		bytes junk = rand_bytes(100);
		REQUIRE(EVP_MAC_update(ctx.get(), junk.data(), junk.size()));
		REQUIRE(EVP_MAC_init(ctx.get(), nullptr, 0, nullptr));	// same key, restart
	}
	std::size_t prev = 0;
	for (std::size_t cut : cuts) {
		REQUIRE(EVP_MAC_update(ctx.get(), in.data() + prev, cut - prev));
		prev = cut;
	}
	unsigned char out[EVP_MAX_MD_SIZE];
	std::size_t len = 0;
	REQUIRE(EVP_MAC_final(ctx.get(), out, &len, sizeof(out)));
	return bytes(out, out + len);
}

} // namespace

TEST_CASE("differential: SHA-1, SHA-2 and HMAC at random lengths and splits", "[diff][digest]")
{
	for (std::string mode : { "always", "auto", "never" }) {
		Counter cnt;
		ptr<EVP_MAC> om(ocf_mac(ocf_ctx(mode))), rm(ref_mac());
		REQUIRE(om);
		for (const char *name : digests) {
			ptr<EVP_MD> od(ocf_md(ocf_ctx(mode), name)), rd(ref_md(name));
			REQUIRE(od);
			for (int i = 0; i < (mode == "always" ? 20 : 6); i++) {
				std::size_t len = rand_len(i % 10 == 9 ? 1536 * 1024 : 0);
				bytes in = rand_bytes(len);
				auto cuts = splits(len);
				bool dup = rand_below(4) == 0;
				INFO(name << " mode " << mode << " length " << len << " pieces "
					  << cuts.size() << " dup " << dup);
				CHECK(digest(od.get(), in, cuts, dup) == digest(rd.get(), in, { len }, false));
				bytes key = rand_bytes(rand_below(4) ? rand_below(65) : rand_below(300));
				bool reinit = rand_below(3) == 0;
				INFO("HMAC key " << key.size() << " reinit " << reinit);
				CHECK(hmac(om.get(), name, key, in, cuts, reinit) ==
				      hmac(rm.get(), name, key, in, { len }, false));
			}
		}
		check_ocf_use(cnt, mode);
	}
}

// Digests share one session per algorithm; each thread keeps its own copy
// of it (no lock per digest): several threads at once, all right.
TEST_CASE("differential: SHA-256 digests from four threads at once", "[diff][digest][threads]")
{
	constexpr int kThreads = 4, kEach = 50;
	ptr<EVP_MD> od(ocf_md(ocf_ctx("always"), "SHA256")), rd(ref_md("SHA256"));
	REQUIRE(od);
	std::vector<bytes> in, want;
	for (int i = 0; i < kThreads * kEach; i++) {
		in.push_back(rand_bytes(rand_below(3000)));
		want.push_back(bytes(32));
		unsigned n = 0;
		REQUIRE(EVP_Digest(in.back().data(), in.back().size(), want.back().data(), &n, rd.get(),
				   nullptr));
	}
	long long before = ocf_requests();
	std::vector<bytes> got(in.size(), bytes(32));
	std::vector<std::thread> threads;
	for (int t = 0; t < kThreads; t++)
		threads.emplace_back([&, t] {
			for (int i = t * kEach; i < (t + 1) * kEach; i++) {
				unsigned n = 0;
				auto k = static_cast<std::size_t>(i);
				if (!EVP_Digest(in[k].data(), in[k].size(), got[k].data(), &n, od.get(),
						nullptr))
					got[k].clear();
			}
		});
	for (auto &t : threads)
		t.join();
	for (std::size_t i = 0; i < in.size(); i++) {
		INFO("message " << i << ", " << in[i].size() << " bytes");
		CHECK(got[i] == want[i]);
	}
	if (before >= 0)
		CHECK(ocf_requests() >= before + kThreads * kEach);
}

// ---- Plain CBC in libssl's TLS record mode (encrypt-then-MAC) ----

namespace {

ptr<EVP_CIPHER_CTX> tls_cbc_ctx(EVP_CIPHER *c, int enc, const bytes &key, const bytes &iv,
				int version, std::size_t macsize)
{
	ptr<EVP_CIPHER_CTX> ctx(EVP_CIPHER_CTX_new());
	REQUIRE(EVP_CipherInit_ex(ctx.get(), c, nullptr, key.data(), iv.data(), enc));
	OSSL_PARAM p[] = { OSSL_PARAM_construct_int(OSSL_CIPHER_PARAM_TLS_VERSION, &version),
			   OSSL_PARAM_construct_size_t(OSSL_CIPHER_PARAM_TLS_MAC_SIZE, &macsize),
			   OSSL_PARAM_construct_end() };
	REQUIRE(EVP_CIPHER_CTX_set_params(ctx.get(), p));
	return ctx;
}

} // namespace

TEST_CASE("differential: CBC in libssl's TLS record mode (encrypt-then-MAC)", "[diff][tls]")
{
	for (std::string mode : { "always", "never" }) {
		Counter cnt;
		for (const char *name : { "AES-128-CBC", "AES-256-CBC", "DES-EDE3-CBC" }) {
			ptr<EVP_CIPHER> oc(ocf_cipher(ocf_ctx(mode), name));
			ptr<EVP_CIPHER> rc(ref_cipher(name));
			REQUIRE(oc);
			const std::size_t bs = static_cast<std::size_t>(EVP_CIPHER_get_block_size(rc.get()));
			for (int version : { TLS1_2_VERSION, TLS1_VERSION }) {
				const std::size_t explicit_iv = version >= TLS1_1_VERSION ? bs : 0;
				bytes key = rand_bytes(static_cast<std::size_t>(EVP_CIPHER_get_key_length(rc.get())));
				bytes iv = rand_bytes(bs);
				auto oe = tls_cbc_ctx(oc.get(), 1, key, iv, version, 0);
				auto re = tls_cbc_ctx(rc.get(), 1, key, iv, version, 0);
				auto od = tls_cbc_ctx(oc.get(), 0, key, iv, version, 0);
				for (int rec = 0; rec < 12; rec++) {
					std::size_t payload = rand_below(rec % 3 ? 3000 : 16385);
					bytes r1 = rand_bytes(explicit_iv + payload);
					r1.resize(r1.size() + 2 * bs + 256);
					bytes r2 = r1;
					int o1 = 0, o2 = 0;
					INFO(name << " mode " << mode << " version " << version << " record "
						  << rec << " payload " << payload);
					REQUIRE(EVP_CipherUpdate(oe.get(), r1.data(), &o1, r1.data(),
								 static_cast<int>(explicit_iv + payload)));
					REQUIRE(EVP_CipherUpdate(re.get(), r2.data(), &o2, r2.data(),
								 static_cast<int>(explicit_iv + payload)));
					REQUIRE(o1 == o2);
					CHECK(std::memcmp(r1.data(), r2.data(), static_cast<std::size_t>(o1)) == 0);
					bytes d(r2.begin(), r2.begin() + o2);
					int o3 = 0;
					REQUIRE(EVP_CipherUpdate(od.get(), d.data(), &o3, d.data(),
								 static_cast<int>(d.size())));
					CHECK(static_cast<std::size_t>(o3) == payload);
				}
			}
		}
		check_ocf_use(cnt, mode);
	}
}

TEST_CASE("differential: a finished GCM message refuses more data until a new IV", "[diff][gcm]")
{
	for (std::string mode : { "always", "never" }) {
		for (EVP_CIPHER *c : { ocf_cipher(ocf_ctx(mode), "AES-128-GCM"), ref_cipher("AES-128-GCM") }) {
			bytes key = rand_bytes(16), iv = rand_bytes(12), pt = rand_bytes(6000), ct(6000);
			ptr<EVP_CIPHER_CTX> ctx(EVP_CIPHER_CTX_new());
			int o = 0;
			REQUIRE(EVP_EncryptInit_ex2(ctx.get(), c, key.data(), iv.data(), nullptr));
			REQUIRE(EVP_EncryptUpdate(ctx.get(), ct.data(), &o, pt.data(), 6000));
			REQUIRE(EVP_EncryptFinal_ex(ctx.get(), ct.data(), &o));
			INFO("mode " << mode << " provider " << EVP_CIPHER_get0_provider(c));
			CHECK_FALSE(EVP_EncryptUpdate(ctx.get(), ct.data(), &o, pt.data(), 6000));
			REQUIRE(EVP_EncryptInit_ex2(ctx.get(), nullptr, nullptr, rand_bytes(12).data(), nullptr));
			CHECK(EVP_EncryptUpdate(ctx.get(), ct.data(), &o, pt.data(), 6000));
			drain_errors();
			EVP_CIPHER_free(c);
		}
	}
}

// ---- Which implementation a fetch gets ----

// Mode auto offers through the provider only what a hardware producer does:
// with software producers only (or no device) OpenSSL fetches the default
// provider's own implementation, so there is no wrapper to slow a program
// down. Modes always and never offer everything.
TEST_CASE("mode auto fetches the default provider's own code unless hardware offers the algorithm",
	  "[diff][auto]")
{
	const std::uint64_t hw = hardware_algs();
	INFO("hardware producers' algorithms " << std::hex << hw);
	struct Want {
		const char *name;
		std::uint32_t ocf_alg1, ocf_alg2;
	};
	for (Want w : { Want{ "AES-128-CBC", OCF_CIPHER_AES_CBC, OCF_ALG_NONE },
			Want{ "AES-128-GCM", OCF_AEAD_AES_GCM, OCF_ALG_NONE },
			Want{ "AES-128-CTR", OCF_CIPHER_AES_CTR, OCF_ALG_NONE } }) {
		auto offered = [hw](std::uint32_t a) {
			return a == OCF_ALG_NONE || ((hw >> a) & 1) != 0;
		};
		const char *want_auto = offered(w.ocf_alg1) && offered(w.ocf_alg2) ? "ocf" : "default";
		for (std::string mode : { "always", "auto", "never" }) {
			ptr<EVP_CIPHER> c(ocf_cipher(ocf_ctx(mode), w.name));
			REQUIRE(c);
			INFO(w.name << " mode " << mode);
			CHECK(std::string(OSSL_PROVIDER_get0_name(EVP_CIPHER_get0_provider(c.get()))) ==
			      (mode == "auto" ? want_auto : "ocf"));
		}
	}
	const char *want_sha256 = ((hw >> OCF_HASH_SHA256) & 1) ? "ocf" : "default";
	ptr<EVP_MD> md(ocf_md(ocf_ctx("auto"), "SHA256"));
	REQUIRE(md);
	CHECK(std::string(OSSL_PROVIDER_get0_name(EVP_MD_get0_provider(md.get()))) == want_sha256);
	// The Hifn 7956 model (a hardware producer) offers AES-CBC: auto must
	// then route AES-128-CBC through the provider.
	if ((hw >> OCF_CIPHER_AES_CBC) & 1) {
		ptr<EVP_CIPHER> c(EVP_CIPHER_fetch(ocf_ctx("auto"), "AES-128-CBC", "provider=ocf"));
		CHECK(c);
	}
}
