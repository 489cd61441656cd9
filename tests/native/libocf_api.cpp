// libocf's pieces that need no kernel: algorithm tables, op fillers, argument
// checks, and ocfctl's behaviour without a device.
#include <ocf/ocf.hpp>

#include <catch2/catch.hpp>

#include <array>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstdint>
#include <vector>
#include <string>
#include <sys/wait.h>

TEST_CASE("algorithm names and sizes round-trip and match the ABI")
{
	struct expect {
		std::uint32_t alg;
		const char *name;
		unsigned iv, block, digest;
	};
	const std::array<expect, 8> table{{
		{OCF_CIPHER_AES_CBC, "aes-cbc", 16, 16, 0},
		{OCF_CIPHER_AES_CTR, "aes-ctr", 16, 1, 0},
		{OCF_AEAD_AES_GCM, "aes-gcm", 12, 1, 16},
		{OCF_CIPHER_3DES_CBC, "3des-cbc", 8, 8, 0},
		{OCF_CIPHER_NULL, "null", 0, 1, 0},
		{OCF_MAC_HMAC_SHA256, "hmac-sha256", 0, 0, 32},
		{OCF_HASH_SHA1, "sha1", 0, 0, 20},
		{OCF_HASH_SHA512, "sha512", 0, 0, 64},
	}};
	for (const auto &e : table) {
		INFO(e.name);
		REQUIRE(ocf_alg_name(e.alg) != nullptr);
		CHECK(std::string(ocf_alg_name(e.alg)) == e.name);
		CHECK(ocf_alg_from_name(e.name) == static_cast<int>(e.alg));
		CHECK(ocf_alg_iv_len(e.alg) == e.iv);
		CHECK(ocf_alg_block_len(e.alg) == e.block);
		CHECK(ocf_alg_digest_len(e.alg) == e.digest);
	}
	CHECK(ocf_alg_from_name("AES-CBC") == OCF_CIPHER_AES_CBC);
	CHECK(ocf_alg_from_name("rot13") == -EINVAL);
	CHECK(ocf_alg_name(63) == nullptr);
	CHECK(ocf_alg_digest_len(999) == 0);
}

TEST_CASE("op fillers lay out the ABI's regions")
{
	std::array<unsigned char, 128> buf{};
	std::array<unsigned char, 16> iv{};
	struct ocf_op op;

	ocf_op_cipher(&op, 7, OCF_OP_DECRYPT, buf.data(), nullptr, 64, iv.data());
	CHECK(op.session == 7);
	CHECK(op.op == OCF_OP_DECRYPT);
	CHECK(op.len == 64);
	CHECK(op.cipher_offset == 0);
	CHECK(op.cipher_len == 64);
	CHECK(op.auth_len == 0);
	CHECK(op.dst == 0);
	CHECK(op.iv == reinterpret_cast<std::uintptr_t>(iv.data()));

	ocf_op_digest(&op, 3, OCF_OP_ENCRYPT, buf.data(), buf.data(), 100, 120);
	CHECK(op.len == 120);
	CHECK(op.auth_offset == 0);
	CHECK(op.auth_len == 100);
	CHECK(op.mac_offset == 100);
	CHECK(op.cipher_len == 0);

	ocf_op_aead(&op, 1, OCF_OP_ENCRYPT, buf.data(), nullptr, 13, 50, 16, iv.data());
	CHECK(op.len == 13 + 50 + 16);
	CHECK(op.auth_offset == 0);
	CHECK(op.auth_len == 13);
	CHECK(op.cipher_offset == 13);
	CHECK(op.cipher_len == 50);
	CHECK(op.mac_offset == 63);

	// A chain's MAC covers the AAD and the text, unlike an AEAD's AAD.
	ocf_op_chain(&op, 1, OCF_OP_ENCRYPT, buf.data(), nullptr, 13, 48, 20, iv.data());
	CHECK(op.auth_len == 13 + 48);
	CHECK(op.cipher_offset == 13);
	CHECK(op.mac_offset == 61);
}

TEST_CASE("the op fillers refuse layouts that do not fit: no wrapped 32-bit length")
{
	struct ocf_op op {};
	std::vector<unsigned char> buf(256);
	CHECK(ocf_op_digest(&op, 3, OCF_OP_ENCRYPT, buf.data(), nullptr, 100, 120) == 0);
	// The digest's input longer than the buffer.
	CHECK(ocf_op_digest(&op, 3, OCF_OP_ENCRYPT, buf.data(), nullptr, 121, 120) == -EINVAL);
	// A filled op the module would refuse: a region in an empty buffer.
	CHECK(op.len == 0);
	CHECK(op.cipher_len != 0);
	CHECK(op.session == 3);
	// aad + text + tag past 32 bits (it wrapped to 15 before).
	CHECK(ocf_op_aead(&op, 1, OCF_OP_ENCRYPT, buf.data(), nullptr, 0xffffffffu, 0, 16, buf.data()) ==
	      -EINVAL);
	CHECK(op.len == 0);
	CHECK(ocf_op_chain(&op, 1, OCF_OP_ENCRYPT, buf.data(), nullptr, 13, 0xfffffff0u, 20,
			   buf.data()) == -EINVAL);
	CHECK(op.len == 0);
	CHECK(ocf_op_aead(&op, 1, OCF_OP_ENCRYPT, buf.data(), nullptr, 13, 50, 16, buf.data()) == 0);
	CHECK(op.len == 79);
}

TEST_CASE("key-op fillers: operand order and counts, leading zeros stripped, long outputs")
{
	const std::uint8_t base[] = {0, 0, 5}, exp[] = {3}, mod[] = {0, 0xfb};
	std::vector<std::uint8_t> out(OCF_KOP_MAX_BYTES + 10, 0xee);
	ocf_kop kop;
	REQUIRE(ocf_kop_modexp(&kop, OCF_KOP_F_PRIME_MODULUS, {base, sizeof(base)}, {exp, sizeof(exp)},
			       {mod, sizeof(mod)}, out.data(), out.size()) == 0);
	CHECK(kop.size == sizeof(kop));
	CHECK(kop.kop == OCF_KOP_MODEXP);
	CHECK(kop.flags == OCF_KOP_F_PRIME_MODULUS);
	CHECK(kop.in_count == 3);
	CHECK(kop.out_count == 1);
	CHECK(kop.param[0].data == reinterpret_cast<std::uintptr_t>(base + 2));
	CHECK(kop.param[0].len == 1);
	CHECK(kop.param[1].len == 1);
	CHECK(kop.param[2].data == reinterpret_cast<std::uintptr_t>(mod + 1));
	CHECK(kop.param[2].len == 1);
	// The output's head past the ABI's limit can only be zeros: zeroed here.
	CHECK(kop.param[3].len == OCF_KOP_MAX_BYTES);
	CHECK(kop.param[3].data == reinterpret_cast<std::uintptr_t>(out.data() + 10));
	CHECK(out[0] == 0);
	CHECK(out[9] == 0);
	CHECK(out[10] == 0xee);
	for (unsigned i = 4; i < OCF_KOP_MAX_PARAMS; i++)
		CHECK((kop.param[i].data == 0 && kop.param[i].len == 0));

	ocf_op op;
	ocf_op_kop(&op, &kop);
	CHECK(op.op == OCF_OP_KEY);
	CHECK(op.src == reinterpret_cast<std::uintptr_t>(&kop));
	CHECK((op.session == 0 && op.len == 0 && op.dst == 0 && op.iv == 0));

	// DH: priv, peer, prime in the ABI, whatever the call's order.
	const std::uint8_t priv[] = {9}, peer[] = {4}, prime[] = {0x17};
	std::uint8_t dh[1];
	REQUIRE(ocf_kop_dh_compute_key(&kop, {peer, 1}, {priv, 1}, {prime, 1}, dh, 1) == 0);
	CHECK(kop.param[0].data == reinterpret_cast<std::uintptr_t>(priv));
	CHECK(kop.param[1].data == reinterpret_cast<std::uintptr_t>(peer));
	CHECK((kop.in_count == 3 && kop.out_count == 1));

	// DSA: the digest keeps its leading zeros (they place it before the cut).
	const std::uint8_t digest[] = {0, 1, 2};
	ocf_dsa_params dsa{{prime, 1}, {exp, 1}, {peer, 1}};
	std::uint8_t r[1], s_[1];
	REQUIRE(ocf_kop_dsa_sign(&kop, {digest, 3}, &dsa, {priv, 1}, r, 1, s_, 1) == 0);
	CHECK(kop.param[0].len == 3);
	CHECK((kop.in_count == 5 && kop.out_count == 2));
	REQUIRE(ocf_kop_dsa_verify(&kop, {digest, 3}, &dsa, {peer, 1}, {r, 1}, {s_, 1}) == 0);
	CHECK((kop.in_count == 7 && kop.out_count == 0));
	ocf_rsa_crt_key crt{};
	REQUIRE(ocf_kop_modexp_crt(&kop, {base, 3}, &crt, out.data(), 8) == 0);
	CHECK((kop.in_count == 6 && kop.out_count == 1));

	// NULL arguments.
	CHECK(ocf_kop_modexp(nullptr, 0, {}, {}, {}, nullptr, 0) == -EINVAL);
	CHECK(ocf_kop_modexp_crt(&kop, {}, nullptr, nullptr, 0) == -EINVAL);
	CHECK(ocf_kop_dsa_sign(&kop, {}, nullptr, {}, nullptr, 0, nullptr, 0) == -EINVAL);
	CHECK(ocf_modexp(nullptr, {base, 3}, {exp, 1}, {mod, 2}, out.data(), 1) == -EINVAL);
	CHECK(ocf_modexp_crt(nullptr, {base, 3}, nullptr, out.data(), 1) == -EINVAL);
	CHECK(ocf_dsa_verify(nullptr, {}, nullptr, {}, {}, {}) == -EINVAL);
	// A modulus no producer can take, before any device is asked.
	std::vector<std::uint8_t> huge(OCF_KOP_MAX_BYTES + 1, 0xff);
	CHECK(ocf_modexp(reinterpret_cast<ocf_device *>(8), {base, 3}, {exp, 1},
			 {huge.data(), huge.size()}, out.data(), out.size()) == -EOPNOTSUPP);
}

TEST_CASE("ocf_session_params grows: its size field, a zero tail accepted, a non-zero one refused")
{
	// A struct "from a later version": ours plus a tail. The checks come
	// before the device is used (none here).
	struct {
		ocf_session_params p;
		unsigned char tail[16];
	} later{};
	later.p.size = sizeof(later);
	later.p.cipher = OCF_CIPHER_AES_CBC;
	uint32_t id = 0;
	CHECK(ocf_session_new(nullptr, &later.p, &id, nullptr) == -EINVAL);	// zero tail: on to the device
	later.tail[5] = 1;
	CHECK(ocf_session_new(nullptr, &later.p, &id, nullptr) == -E2BIG);
	later.p.size = 4;	// smaller than the first version
	CHECK(ocf_session_new(nullptr, &later.p, &id, nullptr) == -EINVAL);
	CHECK(OCF_SESSION_PARAMS_SIZE_V1 == sizeof(ocf_session_params));
}

TEST_CASE("the C API rejects bad arguments without a device")
{
	struct ocf_op op {};
	struct ocf_completion c {};

	CHECK(ocf_run(nullptr, &op, 1) == -EINVAL);
	CHECK(ocf_submit(nullptr, &op, 1) == -EINVAL);
	CHECK(ocf_reap(nullptr, &c, 1, 0) == -EINVAL);
	CHECK(ocf_producers(nullptr, nullptr, 0) == -EINVAL);
	CHECK(ocf_session_free(nullptr, 1) == -EINVAL);
}

TEST_CASE("a file that is not an OCF device gives -ENOTTY")
{
	ocf_device *dev = nullptr;
	REQUIRE(ocf_device_open("/dev/null", &dev) == 0);
	std::uint32_t abi = 0;
	CHECK(ocf_device_version(dev, &abi, nullptr, 0) == -ENOTTY);
	std::array<ocf_producer_info, 2> infos{};
	CHECK(ocf_producers(dev, infos.data(), 2) == -ENOTTY);
	ocf_device_close(dev);
}

namespace {

// Runs ocfctl with @args; returns its exit status and what it printed.
std::pair<int, std::string> ocfctl(const std::string &args)
{
	std::string cmd = std::string(OCF_OCFCTL_PATH) + " " + args + " 2>&1";
	FILE *p = ::popen(cmd.c_str(), "r");
	REQUIRE(p != nullptr);
	std::string out;
	std::array<char, 256> chunk{};
	while (std::fgets(chunk.data(), chunk.size(), p))
		out += chunk.data();
	int status = ::pclose(p);
	return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, out};
}

} // namespace

TEST_CASE("ocfctl says clearly when the device is missing, and refuses bad usage")
{
	auto [status, out] = ocfctl("producers --device /nonexistent/ocf");
	CHECK(status == 1);
	CHECK(out.find("is the ocf module loaded") != std::string::npos);

	std::tie(status, out) = ocfctl("stats --device /dev/null");
	CHECK(status == 1);
	CHECK(out.find("not an OCF device") != std::string::npos);

	std::tie(status, out) = ocfctl("frobnicate");
	CHECK(status == 2);
	std::tie(status, out) = ocfctl("bench --sizes banana");
	CHECK(status == 2);
}

// Under --json, failures are JSON documents too: tests/native/ocfctl_json.cpp.
TEST_CASE("ocfctl --version")
{
	auto [status, out] = ocfctl("--version");
	CHECK(status == 0);
	CHECK(out.rfind("ocfctl ", 0) == 0);
}
