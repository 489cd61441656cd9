// Differential tests: every algorithm and chain of /dev/ocf against OpenSSL's
// default provider, at many sizes up to the largest op, in place and out of
// place, at odd addresses, in both directions; tampered MACs and tags; the
// bytes around the regions; the IV in the buffer; the op length limit.
#include "helpers.hpp"
#include "checks.hpp"

#include <catch2/catch.hpp>

#include <cerrno>
#include <cstring>
#include <deque>

using namespace ocft;

namespace {

// AAD lengths for AEADs and chains, by size index: none, an ESP header, odd.
std::uint32_t aad_for(std::size_t i)
{
	static const std::uint32_t a[] = {13, 0, 8, 20};
	return a[i % 4];
}
constexpr std::uint32_t max_aad = 20;

// A raw op for the custom layouts below.
ocf_op raw_op(std::uint32_t session, std::uint32_t dir, const void *src, void *dst, std::uint32_t len)
{
	ocf_op op{};
	op.session = session;
	op.op = dir;
	op.src = uptr(src);
	op.dst = uptr(dst);
	op.len = len;
	return op;
}

void put(bytes &to, std::size_t at, const bytes &from, std::size_t n = SIZE_MAX)
{
	n = std::min(n, from.size());
	std::memcpy(to.data() + at, from.data(), n);
}

} // namespace

TEST_CASE("every algorithm and chain matches OpenSSL at every size, both ways, in and out of place, at odd "
	  "addresses",
	  "[differential]")
{
	OCFT_SEED_INFO();
	for (const alg &a : all_algs()) {
		DYNAMIC_SECTION(a.name)
		{
			device dev;
			auto rng = make_rng("differential " + a.name);
			keys k0 = random_keys(a, rng);
			session probe(dev, a, k0);
			const std::uint32_t max_len = max_len_for(dev, probe.producer());
			const bool has_aad = a.kind() == mode::aead || a.kind() == mode::chain;
			auto sizes = text_sizes(a, has_aad ? max_aad : 0, max_len);
			INFO(a.name << ": largest op " << max_len << " bytes on producer " << probe.producer());
			REQUIRE(sizes.size() >= 5);

			// One case per size, each with its own session, key, IV and data.
			std::vector<std::unique_ptr<session>> sessions;
			std::deque<vector_case> cases;
			for (std::size_t i = 0; i < sizes.size(); i++) {
				bool last = i + 1 == sizes.size(); // the largest: fills max_len
				keys k = random_keys(a, rng);
				sessions.push_back(std::make_unique<session>(dev, a, k));
				cases.push_back(make_case(a, k, rng, sizes[i], last ? max_aad : aad_for(i)));
			}
			CHECK(cases.back().lay.len() + a.block() > max_len);

			for (const placement &where : placements())
				for (std::uint32_t dir : {OCF_OP_ENCRYPT, OCF_OP_DECRYPT}) {
					std::vector<prepared_ptr> ops;
					for (std::size_t i = 0; i < cases.size(); i++)
						ops.push_back(prepare(cases[i], sessions[i]->id(), dir, where, i));
					REQUIRE(run_prepared(dev, ops) == static_cast<int>(ops.size()));
					check_ops(ops);
				}

			if (a.tag_len()) {
				// One bit of the MAC/tag, and one of the ciphertext (of the
				// data for digests, of the AAD when there is no text):
				// -EBADMSG, and no plaintext comes out.
				for (const placement &where : {placements()[0], placements()[3]}) {
					std::vector<prepared_ptr> ops;
					for (std::size_t i = 0; i < cases.size(); i++) {
						const vector_case &vc = cases[i];
						auto bit = static_cast<std::uint8_t>(random_below(rng, 8));
						std::uint32_t at = vc.lay.mac_offset() + random_below(rng, vc.lay.tag);
						ops.push_back(prepare_tampered(vc, sessions[i]->id(), where, at, bit));
						if (vc.lay.text)
							at = vc.lay.aad + random_below(rng, vc.lay.text);
						else if (vc.lay.aad)
							at = random_below(rng, vc.lay.aad);
						else
							continue;
						ops.push_back(prepare_tampered(vc, sessions[i]->id(), where, at, bit));
					}
					REQUIRE(run_prepared(dev, ops) == static_cast<int>(ops.size()));
					check_ops(ops);
				}
			}
		}
	}
}

TEST_CASE("out-of-place ops copy the bytes outside their regions and put the MAC at mac_offset",
	  "[differential]")
{
	OCFT_SEED_INFO();
	device dev;
	auto rng = make_rng("outside regions");
	const std::uint32_t len = 100;

	SECTION("a cipher region in the middle of the buffer")
	{
		for (const char *name : {"aes-128-cbc", "aes-256-ctr", "3des-cbc"}) {
			const alg &a = find_alg(name);
			INFO(name);
			keys k = random_keys(a, rng);
			session s(dev, a, k);
			const std::uint32_t off = 5, clen = a.block() == 1 ? 51 : 48;
			bytes iv = random_bytes(rng, a.iv_len());
			buffer src(len, 1), dst(len, 3);
			src.assign(random_bytes(rng, len));
			dst.fill(0xee);
			bytes plain = src.copy();
			bytes want = plain;
			put(want, off, ref_cipher(a.cipher, k.cipher, iv, plain.data() + off, clen, true));

			ocf_op op = raw_op(s.id(), OCF_OP_ENCRYPT, src.data(), dst.data(), len);
			op.cipher_offset = off;
			op.cipher_len = clen;
			op.iv = uptr(iv.data());
			REQUIRE(ocf_run(dev.get(), &op, 1) == 1);
			CHECK(op.status == 0);
			CHECK(diff(dst.data(), want) == "");
			CHECK(diff(src.data(), plain) == "");

			// And back: decryption restores the whole original buffer.
			buffer back(len, 1);
			back.fill(0x11);
			op = raw_op(s.id(), OCF_OP_DECRYPT, dst.data(), back.data(), len);
			op.cipher_offset = off;
			op.cipher_len = clen;
			op.iv = uptr(iv.data());
			REQUIRE(ocf_run(dev.get(), &op, 1) == 1);
			CHECK(op.status == 0);
			CHECK(diff(back.data(), plain) == "");
		}
	}

	SECTION("a MAC over a middle region, written past a gap")
	{
		const alg &a = find_alg("hmac-sha256");
		keys k = random_keys(a, rng);
		session s(dev, a, k);
		const std::uint32_t aoff = 3, alen = 47, moff = 60;
		buffer src(len, 3), dst(len, 1);
		src.assign(random_bytes(rng, len));
		dst.fill(0xee);
		bytes plain = src.copy();
		bytes want = plain;
		put(want, moff, ref_digest(a.mac, k.mac, plain.data() + aoff, alen));

		ocf_op op = raw_op(s.id(), OCF_OP_ENCRYPT, src.data(), dst.data(), len);
		op.auth_offset = aoff;
		op.auth_len = alen;
		op.mac_offset = moff;
		REQUIRE(ocf_run(dev.get(), &op, 1) == 1);
		CHECK(op.status == 0);
		CHECK(diff(dst.data(), want) == "");
		CHECK(diff(src.data(), plain) == "");

		// Verification out of place copies the input whole.
		buffer out(len, 1);
		out.fill(0x11);
		op = raw_op(s.id(), OCF_OP_DECRYPT, dst.data(), out.data(), len);
		op.auth_offset = aoff;
		op.auth_len = alen;
		op.mac_offset = moff;
		REQUIRE(ocf_run(dev.get(), &op, 1) == 1);
		CHECK(op.status == 0);
		CHECK(diff(out.data(), want) == "");
	}

	SECTION("a chain with bytes before, between and after its regions")
	{
		for (const char *name :
		     {"aes-128-cbc+hmac-sha1 encrypt-then-mac", "aes-128-cbc+hmac-sha1 mac-then-cipher"}) {
			const alg &a = find_alg(name);
			INFO(name);
			keys k = random_keys(a, rng);
			session s(dev, a, k);
			// auth [2, 40), cipher [8, 40), gap [40, 44), MAC [44, 64), tail [64, 100)
			const std::uint32_t aoff = 2, coff = 8, clen = 32, moff = 44;
			bytes iv = random_bytes(rng, a.iv_len());
			buffer src(len, 1), dst(len, 3);
			src.assign(random_bytes(rng, len));
			dst.fill(0xee);
			bytes plain = src.copy();
			bytes want = plain;
			bytes mac;
			if (a.mac_then_cipher())
				mac = ref_digest(a.mac, k.mac, plain.data() + aoff, coff + clen - aoff);
			put(want, coff, ref_cipher(a.cipher, k.cipher, iv, plain.data() + coff, clen, true));
			if (!a.mac_then_cipher())
				mac = ref_digest(a.mac, k.mac, want.data() + aoff, coff + clen - aoff);
			put(want, moff, mac);

			ocf_op op = raw_op(s.id(), OCF_OP_ENCRYPT, src.data(), dst.data(), len);
			op.cipher_offset = coff;
			op.cipher_len = clen;
			op.auth_offset = aoff;
			op.auth_len = coff + clen - aoff;
			op.mac_offset = moff;
			op.iv = uptr(iv.data());
			REQUIRE(ocf_run(dev.get(), &op, 1) == 1);
			CHECK(op.status == 0);
			CHECK(diff(dst.data(), want) == "");
			CHECK(diff(src.data(), plain) == "");

			buffer back(len, 3);
			back.fill(0x11);
			bytes want_back = plain;
			put(want_back, moff, mac);
			op.op = OCF_OP_DECRYPT;
			op.src = uptr(dst.data());
			op.dst = uptr(back.data());
			REQUIRE(ocf_run(dev.get(), &op, 1) == 1);
			CHECK(op.status == 0);
			CHECK(diff(back.data(), want_back) == "");
		}
	}

	SECTION("AES-GCM with bytes before its AAD and after its tag")
	{
		const alg &a = find_alg("aes-128-gcm");
		keys k = random_keys(a, rng);
		session s(dev, a, k);
		// [0, 3) outside, AAD [3, 10), text [10, 43), tag [43, 59), tail [59, 100)
		const std::uint32_t aoff = 3, coff = 10, clen = 33, moff = 43;
		bytes iv = random_bytes(rng, 12);
		buffer src(len, 3), dst(len, 1);
		src.assign(random_bytes(rng, len));
		dst.fill(0xee);
		bytes plain = src.copy();
		bytes want = plain;
		bytes r = ref_gcm(k.cipher, iv, plain.data() + aoff, coff - aoff, plain.data() + coff, clen);
		put(want, coff, r, clen);
		std::memcpy(want.data() + moff, r.data() + clen, 16);

		ocf_op op = raw_op(s.id(), OCF_OP_ENCRYPT, src.data(), dst.data(), len);
		op.auth_offset = aoff;
		op.auth_len = coff - aoff;
		op.cipher_offset = coff;
		op.cipher_len = clen;
		op.mac_offset = moff;
		op.iv = uptr(iv.data());
		REQUIRE(ocf_run(dev.get(), &op, 1) == 1);
		CHECK(op.status == 0);
		CHECK(diff(dst.data(), want) == "");
		CHECK(diff(src.data(), plain) == "");
	}
}

TEST_CASE("OCF_OP_IV_IN_BUFFER takes the IV from the input at iv_offset", "[differential]")
{
	OCFT_SEED_INFO();
	device dev;
	auto rng = make_rng("iv in buffer");

	SECTION("AES-CBC with the IV in front of the cipher region, and 3DES-CBC with it at the end")
	{
		for (const char *name : {"aes-128-cbc", "3des-cbc"}) {
			const alg &a = find_alg(name);
			INFO(name);
			keys k = random_keys(a, rng);
			session s(dev, a, k);
			const std::uint32_t ivl = a.iv_len(), text = 64, len = ivl + text;
			const bool front = a.cipher == OCF_CIPHER_AES_CBC;
			const std::uint32_t ivoff = front ? 0 : text, coff = front ? ivl : 0;
			bytes plain = random_bytes(rng, len);
			bytes iv(plain.begin() + ivoff, plain.begin() + ivoff + ivl);
			bytes want = plain;
			put(want, coff, ref_cipher(a.cipher, k.cipher, iv, plain.data() + coff, text, true));

			buffer src(len, 1), dst(len, 3);
			src.assign(plain);
			dst.fill(0xee);
			ocf_op op = raw_op(s.id(), OCF_OP_ENCRYPT, src.data(), dst.data(), len);
			op.flags = OCF_OP_IV_IN_BUFFER;
			op.iv_offset = ivoff;
			op.cipher_offset = coff;
			op.cipher_len = text;
			REQUIRE(ocf_run(dev.get(), &op, 1) == 1);
			CHECK(op.status == 0);
			CHECK(diff(dst.data(), want) == "");

			// Decrypt in place, IV read from the (unencrypted) IV field.
			op = raw_op(s.id(), OCF_OP_DECRYPT, dst.data(), nullptr, len);
			op.flags = OCF_OP_IV_IN_BUFFER;
			op.iv_offset = ivoff;
			op.cipher_offset = coff;
			op.cipher_len = text;
			REQUIRE(ocf_run(dev.get(), &op, 1) == 1);
			CHECK(op.status == 0);
			CHECK(diff(dst.data(), plain) == "");
		}
	}

	SECTION("an ESP-like chain: header, IV, ciphertext, MAC")
	{
		const alg &a = find_alg("aes-256-cbc+hmac-sha256 encrypt-then-mac");
		keys k = random_keys(a, rng);
		session s(dev, a, k);
		const std::uint32_t hdr = 8, ivl = 16, text = 96, tag = 32, len = hdr + ivl + text + tag;
		bytes plain = random_bytes(rng, len);
		bytes iv(plain.begin() + hdr, plain.begin() + hdr + ivl);
		bytes want = plain;
		put(want, hdr + ivl, ref_cipher(a.cipher, k.cipher, iv, plain.data() + hdr + ivl, text, true));
		bytes mac = ref_digest(a.mac, k.mac, want.data(), hdr + ivl + text);
		put(want, hdr + ivl + text, mac);

		buffer src(len, 3), dst(len, 1);
		src.assign(plain);
		dst.fill(0xee);
		ocf_op op = raw_op(s.id(), OCF_OP_ENCRYPT, src.data(), dst.data(), len);
		op.flags = OCF_OP_IV_IN_BUFFER;
		op.iv_offset = hdr;
		op.cipher_offset = hdr + ivl;
		op.cipher_len = text;
		op.auth_offset = 0;
		op.auth_len = hdr + ivl + text;
		op.mac_offset = hdr + ivl + text;
		REQUIRE(ocf_run(dev.get(), &op, 1) == 1);
		CHECK(op.status == 0);
		CHECK(diff(dst.data(), want) == "");

		bytes want_back = plain;
		put(want_back, hdr + ivl + text, mac);
		op.op = OCF_OP_DECRYPT;
		op.src = uptr(dst.data());
		op.dst = 0;
		REQUIRE(ocf_run(dev.get(), &op, 1) == 1);
		CHECK(op.status == 0);
		CHECK(diff(dst.data(), want_back) == "");
	}

	SECTION("AES-GCM with its nonce after the tag")
	{
		const alg &a = find_alg("aes-256-gcm");
		keys k = random_keys(a, rng);
		session s(dev, a, k);
		const std::uint32_t aad = 8, text = 45, tag = 16, ivl = 12, len = aad + text + tag + ivl;
		const std::uint32_t ivoff = aad + text + tag;
		bytes plain = random_bytes(rng, len);
		bytes iv(plain.begin() + ivoff, plain.end());
		bytes r = ref_gcm(k.cipher, iv, plain.data(), aad, plain.data() + aad, text);
		bytes want = plain;
		put(want, aad, r); // ciphertext then tag

		buffer buf(len, 1);
		buf.assign(plain);
		ocf_op op = raw_op(s.id(), OCF_OP_ENCRYPT, buf.data(), nullptr, len);
		op.flags = OCF_OP_IV_IN_BUFFER;
		op.iv_offset = ivoff;
		op.auth_offset = 0;
		op.auth_len = aad;
		op.cipher_offset = aad;
		op.cipher_len = text;
		op.mac_offset = aad + text;
		REQUIRE(ocf_run(dev.get(), &op, 1) == 1);
		CHECK(op.status == 0);
		CHECK(diff(buf.data(), want) == "");

		op.op = OCF_OP_DECRYPT;
		REQUIRE(ocf_run(dev.get(), &op, 1) == 1);
		CHECK(op.status == 0);
		bytes want_back = plain;
		std::memcpy(want_back.data() + aad + text, r.data() + text, tag);
		CHECK(diff(buf.data(), want_back) == "");
	}
}

TEST_CASE("an op longer than max_op_len fails alone with -E2BIG", "[differential]")
{
	OCFT_SEED_INFO();
	auto rng = make_rng("e2big");
	const alg &a = find_alg("aes-128-ctr");

	auto check_limit = [&](device &dev, std::uint32_t limit) {
		INFO("max_op_len " << limit);
		keys k = random_keys(a, rng);
		session s(dev, a, k);
		bytes iv = random_bytes(rng, 16);
		// [fits exactly, one byte too long, small]
		std::deque<vector_case> cases;
		cases.push_back(make_case(a, k, rng, limit, 0));
		cases.push_back(make_case(a, k, rng, limit + 1, 0));
		cases.push_back(make_case(a, k, rng, 64, 0));
		std::vector<prepared_ptr> ops;
		for (auto &vc : cases)
			ops.push_back(prepare(vc, s.id(), OCF_OP_ENCRYPT, placements()[2]));
		ops[1]->expected_status = -E2BIG;
		REQUIRE(run_prepared(dev, ops) == 3);
		check_ops(ops);

		// Through SUBMIT, it completes with -E2BIG.
		ops[1]->op.tag = 77;
		REQUIRE(ocf_submit(dev.get(), &ops[1]->op, 1) == 1);
		auto done = reap_n(dev, 1);
		REQUIRE(done.size() == 1);
		CHECK(done[0].tag == 77);
		CHECK(done[0].status == -E2BIG);
	};

	SECTION("at the module's limit")
	{
		device dev;
		check_limit(dev, static_cast<std::uint32_t>(ocf_param("max_op_len")));
	}
	SECTION("with max_op_len lowered to 4096")
	{
		param_override lower(std::string(ocf_params) + "max_op_len", "4096");
		device dev;
		check_limit(dev, 4096);

		// An AEAD whose whole buffer (AAD + text + tag) is one byte over.
		const alg &g = find_alg("aes-128-gcm");
		keys k = random_keys(g, rng);
		session s(dev, g, k);
		vector_case fits = make_case(g, k, rng, 4096 - 16 - 13, 13);
		vector_case over = make_case(g, k, rng, 4096 - 16 - 13 + 1, 13);
		std::vector<prepared_ptr> ops;
		ops.push_back(prepare(fits, s.id(), OCF_OP_ENCRYPT, placements()[0]));
		ops.push_back(prepare(over, s.id(), OCF_OP_ENCRYPT, placements()[0]));
		ops[1]->expected_status = -E2BIG;
		REQUIRE(run_prepared(dev, ops) == 2);
		check_ops(ops);
	}
}
