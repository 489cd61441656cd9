// The crypto-API bridge (kernel/bridge*.c): Hifn producers as the kernel's
// skciphers ocf-cbc-aes (7955/7956) and ocf-cbc-des3_ede (7751 and up),
// reached through AF_ALG (libkcapi) by driver name and compared with
// OpenSSL; registered only while a chip offers them, passing the kernel's
// self-tests; a chip removed under AF_ALG traffic; swcrypt never handed
// one of them.
#include "checks.hpp"
#include "hifn_common.hpp"

#include <catch2/catch.hpp>

#include <kcapi.h>

#include <atomic>
#include <bit>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <map>
#include <memory>
#include <sstream>
#include <thread>

using namespace ocft;
using namespace hifnt;

namespace {

// /proc/crypto's entry for one driver, as key -> value; empty when absent.
std::map<std::string, std::string> proc_crypto(const std::string &driver)
{
	std::ifstream in("/proc/crypto");
	std::map<std::string, std::string> entry;
	std::string line;
	bool mine = false;
	while (std::getline(in, line)) {
		if (line.empty()) {
			if (mine)
				return entry;
			entry.clear();
			continue;
		}
		auto colon = line.find(':');
		if (colon == std::string::npos)
			continue;
		auto trim = [](std::string s) {
			s.erase(0, s.find_first_not_of(" \t"));
			s.erase(s.find_last_not_of(" \t") + 1);
			return s;
		};
		std::string key = trim(line.substr(0, colon)), value = trim(line.substr(colon + 1));
		entry[key] = value;
		if (key == "driver")
			mine = value == driver;
	}
	return mine ? entry : std::map<std::string, std::string>{};
}

// Waits up to @seconds for @driver to be listed (@listed) or gone; registration
// runs in a work item and the self-tests take a while under TCG.
bool wait_listed(const std::string &driver, bool listed, int seconds = 120)
{
	for (int i = 0; i < seconds * 10; i++) {
		auto e = proc_crypto(driver);
		// While its self-tests run, a larval of the same driver name stands in.
		if (listed ? (!e.empty() && e["type"] != "larval") : e.empty())
			return true;
		std::this_thread::sleep_for(std::chrono::milliseconds(100));
	}
	return false;
}

struct kcapi_deleter {
	void operator()(kcapi_handle *h) const { kcapi_cipher_destroy(h); }
};
using kcapi_ptr = std::unique_ptr<kcapi_handle, kcapi_deleter>;

kcapi_ptr open_cipher(const std::string &driver, const bytes &key, int *err = nullptr)
{
	kcapi_handle *raw = nullptr;
	int ret = kcapi_cipher_init(&raw, driver.c_str(), 0);
	if (err)
		*err = ret;
	if (ret)
		return nullptr;
	kcapi_ptr h(raw);
	ret = kcapi_cipher_setkey(h.get(), key.data(), static_cast<std::uint32_t>(key.size()));
	if (err)
		*err = ret;
	return ret ? nullptr : std::move(h);
}

struct bridge_alg {
	std::string driver;
	std::uint32_t cipher;
	std::uint32_t key_len;
	std::uint32_t block;
};

const bridge_alg cbc_aes128{"ocf-cbc-aes", OCF_CIPHER_AES_CBC, 16, 16};
const bridge_alg cbc_aes192{"ocf-cbc-aes", OCF_CIPHER_AES_CBC, 24, 16};
const bridge_alg cbc_aes256{"ocf-cbc-aes", OCF_CIPHER_AES_CBC, 32, 16};
const bridge_alg cbc_3des{"ocf-cbc-des3_ede", OCF_CIPHER_3DES_CBC, 24, 8};

// One AF_ALG operation at @off into its buffers, in place or not, by
// @access; "" when it matches OpenSSL, else what went wrong.
std::string afalg_vs_openssl(kcapi_handle *h, const bridge_alg &a, const bytes &key,
			     std::mt19937_64 &rng, std::size_t len, std::size_t off, bool in_place,
			     bool encrypt, int access)
{
	bytes iv = random_bytes(rng, a.block), in = random_bytes(rng, len);
	bytes want = ref_cipher(a.cipher, key, iv, in.data(), len, encrypt);
	bytes src(len + off + 64), dst(len + off + 64);
	std::copy(in.begin(), in.end(), src.begin() + static_cast<long>(off));
	std::uint8_t *out = in_place ? src.data() + off : dst.data() + off;
	ssize_t got = encrypt ? kcapi_cipher_encrypt(h, src.data() + off, len, iv.data(), out, len, access)
			      : kcapi_cipher_decrypt(h, src.data() + off, len, iv.data(), out, len, access);
	std::ostringstream what;
	what << a.driver << " key " << key.size() << (encrypt ? " encrypt " : " decrypt ") << len
	     << " bytes at offset " << off << (in_place ? " in place" : " out of place") << " access "
	     << access << ": ";
	if (got != static_cast<ssize_t>(len)) {
		what << "returned " << got;
		return what.str();
	}
	std::string d = diff(out, want);
	if (!d.empty())
		return what.str() + d;
	return "";
}

std::uint64_t producer_bytes(device &dev, const std::string &name)
{
	for (const auto &p : producers(dev))
		if (name == p.name)
			return p.stats.bytes;
	return 0;
}

// Whether a Hifn other than @except offers AES (the variants run has 7955/7956s).
bool aes_elsewhere(device &dev, const std::string &except)
{
	for (const auto &p : hifn_producers(dev))
		if (except != p.name && (p.algs & (1ull << OCF_CIPHER_AES_CBC)))
			return true;
	return false;
}

struct kcapi_md_deleter {
	void operator()(kcapi_handle *h) const { kcapi_md_destroy(h); }
};
using kcapi_md_ptr = std::unique_ptr<kcapi_handle, kcapi_md_deleter>;

} // namespace

TEST_CASE("bridge: ocf-cbc-des3_ede and ocf-cbc-aes registered while Hifns offer them, self-tests passed",
	  "[hifn][bridge]")
{
	device dev;
	// The 7751s (3DES) are loaded; AES needs a 7955/7956.
	REQUIRE(wait_listed("ocf-cbc-des3_ede", true));
	bool other_aes = aes_elsewhere(dev, "");
	CHECK(proc_crypto("ocf-cbc-aes").empty() != other_aes);
	{
		chip c("7956");
		REQUIRE(wait_listed("ocf-cbc-aes", true));
		for (const char *driver : {"ocf-cbc-aes", "ocf-cbc-des3_ede"}) {
			auto e = proc_crypto(driver);
			INFO(driver);
			CHECK(e["selftest"] == "passed");
			CHECK(e["type"] == "skcipher");
			CHECK(e["async"] == "yes");
			CHECK(std::stoi(e["priority"]) > 400);	// above AES-NI's
		}
		// No hardware producer does CTR: not registered.
		CHECK(proc_crypto("ocf-ctr-aes").empty());
		// Allocatable by driver name (a failed self-test would refuse it).
		int err = 0;
		CHECK(open_cipher("ocf-cbc-aes", bytes(16, 1), &err));
		CHECK(err == 0);
		REQUIRE(c.remove() == 0);
	}
	CHECK(wait_listed("ocf-cbc-aes", other_aes));
	CHECK(!proc_crypto("ocf-cbc-des3_ede").empty());
}

TEST_CASE("bridge: AF_ALG by driver name equals OpenSSL over sizes, offsets, in place and out, "
	  "and the bytes went to the chips", "[hifn][bridge]")
{
	device dev;
	chip c("7956");
	REQUIRE(wait_listed("ocf-cbc-aes", true));
	REQUIRE(wait_listed("ocf-cbc-des3_ede", true));
	auto rng = make_rng("bridge afalg");
	std::uint64_t aes_before = producer_bytes(dev, c.producer()), sent_aes = 0;
	std::uint64_t hifn_before = 0, sent_3des = 0;
	for (const auto &p : hifn_producers(dev))
		hifn_before += p.stats.bytes;

	for (const bridge_alg *a : {&cbc_aes128, &cbc_aes192, &cbc_aes256, &cbc_3des}) {
		bytes key = random_bytes(rng, a->key_len);
		int err = 0;
		kcapi_ptr h = open_cipher(a->driver, key, &err);
		INFO(a->driver << " " << err);
		REQUIRE(h);
		std::vector<std::size_t> sizes = {a->block, 2u * a->block, 3u * a->block, 240, 256,
						  4096 - a->block, 4096, 4096 + a->block, 12288 + a->block,
						  65536};
		for (int i = 0; i < 6; i++)
			sizes.push_back(a->block * (1 + random_below(rng, 2048)));
		unsigned k = 0;
		for (std::size_t len : sizes) {
			for (std::size_t off : {std::size_t{0}, std::size_t{1}, std::size_t{3},
						std::size_t{4095}}) {
				for (bool in_place : {false, true}) {
					int access = static_cast<int>(k++ % 3);
					for (bool encrypt : {true, false}) {
						std::string what = afalg_vs_openssl(h.get(), *a, key, rng, len, off,
										    in_place, encrypt, access);
						CHECK(what == "");
						(a->cipher == OCF_CIPHER_AES_CBC ? sent_aes : sent_3des) += len;
					}
				}
			}
		}
	}
	// Every byte went through a Hifn: AES through the 7956 alone.
	CHECK(producer_bytes(dev, c.producer()) - aes_before >= sent_aes);
	std::uint64_t hifn_after = 0;
	for (const auto &p : hifn_producers(dev))
		hifn_after += p.stats.bytes;
	CHECK(hifn_after - hifn_before >= sent_aes + sent_3des);
	REQUIRE(c.remove() == 0);
}

TEST_CASE("bridge: the chip removed under AF_ALG traffic on two threads: every op right or failed "
	  "cleanly, a tfm held across fails, the algorithm goes with the last tfm", "[hifn][bridge]")
{
	device dev;
	param_override slow(std::string(model_params) + "latency_us", "500");
	std::atomic<bool> stop{false}, removed{false};
	bool other_aes = false;
	std::atomic<unsigned> ok{0}, failed{0}, wrong{0}, after_ok{0};
	kcapi_ptr held;
	bytes held_key(32, 7);
	{
		chip c("7956");
		REQUIRE(wait_listed("ocf-cbc-aes", true));
		other_aes = aes_elsewhere(dev, c.producer());
		held = open_cipher("ocf-cbc-aes", held_key);
		REQUIRE(held);
		auto worker = [&](unsigned seed) {
			auto rng = make_rng("bridge unload " + std::to_string(seed));
			bytes key = random_bytes(rng, 16);
			kcapi_ptr h = open_cipher("ocf-cbc-aes", key);
			if (!h) {
				failed++;
				return;
			}
			while (!stop) {
				std::size_t len = 16 * (1 + random_below(rng, 1024));
				bool was_removed = removed;
				std::string what = afalg_vs_openssl(h.get(), cbc_aes128, key, rng, len,
								    random_below(rng, 8), seed % 2, true,
								    KCAPI_ACCESS_HEURISTIC);
				if (what.empty()) {
					ok++;
					after_ok += was_removed;
				} else if (what.find("returned -") != std::string::npos) {
					failed++;
				} else {
					wrong++;
					UNSCOPED_INFO(what);
				}
			}
		};
		std::thread t1(worker, 1), t2(worker, 2);
		std::this_thread::sleep_for(std::chrono::seconds(3));
		REQUIRE(c.remove() == 0);
		removed = true;
		std::this_thread::sleep_for(std::chrono::seconds(2));
		stop = true;
		t1.join();
		t2.join();
	}
	INFO("ok " << ok << " failed " << failed << " wrong " << wrong << " ok after removal " << after_ok);
	CHECK(ok > 0);
	CHECK(wrong == 0);
	if (other_aes) {
		// Other AES chips (the variants run): the sessions moved there.
		CHECK(after_ok > 0);
		return;
	}
	CHECK(failed > 0);	// after the removal nothing serves AES
	// A tfm opened before the removal fails cleanly now, and keeps the
	// algorithm registered until it goes.
	bytes buf(64, 0), iv(16, 0), out(64);
	CHECK(kcapi_cipher_encrypt(held.get(), buf.data(), buf.size(), iv.data(), out.data(), out.size(),
				   KCAPI_ACCESS_HEURISTIC) < 0);
	CHECK(!proc_crypto("ocf-cbc-aes").empty());
	held.reset();
	CHECK(wait_listed("ocf-cbc-aes", false, 30));
	// It comes back with a chip.
	chip again("7956");
	CHECK(wait_listed("ocf-cbc-aes", true));
	REQUIRE(again.remove() == 0);
	CHECK(wait_listed("ocf-cbc-aes", false, 30));
}

TEST_CASE("bridge: swcrypt never gets an ocf-* driver (no loop)", "[hifn][bridge]")
{
	device dev;
	chip c("7956");
	REQUIRE(wait_listed("ocf-cbc-aes", true));
	REQUIRE(wait_listed("ocf-cbc-des3_ede", true));
	std::uint32_t sw = 0;
	for (const auto &p : producers(dev))
		if (std::string_view(p.name) == "swcrypt")
			sw = p.id;
	REQUIRE(sw != 0);
	auto refcnt = [](const char *driver) { return proc_crypto(driver)["refcnt"]; };
	std::string aes_ref = refcnt("ocf-cbc-aes"), des3_ref = refcnt("ocf-cbc-des3_ede");
	auto rng = make_rng("bridge swcrypt");
	for (const alg &a : {make_alg("aes-cbc", OCF_CIPHER_AES_CBC, OCF_ALG_NONE, 16),
			     make_alg("3des-cbc", OCF_CIPHER_3DES_CBC, OCF_ALG_NONE, 24)}) {
		INFO(a.name);
		keys k = random_keys(a, rng);
		// Pinned to swcrypt: it allocates its crypto API transform now.
		session s(dev, a, k, sw);
		REQUIRE(s.producer() == sw);
		vector_case vc = make_case(a, k, rng, 4096, 0);
		std::vector<prepared_ptr> ops;
		ops.push_back(prepare(vc, s.id(), OCF_OP_ENCRYPT, placements()[0]));
		REQUIRE(run_prepared(dev, ops) >= 0);
		CHECK(ops[0]->check(ops[0]->op.status) == "");
		// Our algorithms' reference counts did not move: swcrypt holds none.
		CHECK(refcnt("ocf-cbc-aes") == aes_ref);
		CHECK(refcnt("ocf-cbc-des3_ede") == des3_ref);
	}
	REQUIRE(c.remove() == 0);
}

TEST_CASE("bridge: ocf-sha1 and ocf-hmac-sha1 pass their self-tests and equal OpenSSL through AF_ALG; "
	  "short messages go to the chips", "[hifn][bridge]")
{
	device dev;
	REQUIRE(wait_listed("ocf-sha1", true));
	REQUIRE(wait_listed("ocf-hmac-sha1", true));
	for (const char *driver : {"ocf-sha1", "ocf-hmac-sha1"}) {
		auto e = proc_crypto(driver);
		INFO(driver);
		CHECK(e["selftest"] == "passed");
		CHECK(e["type"] == "ahash");
		CHECK(e["async"] == "yes");
	}
	// The Hifn does no SHA-256: not registered.
	CHECK(proc_crypto("ocf-sha256").empty());
	CHECK(proc_crypto("ocf-hmac-sha256").empty());

	auto rng = make_rng("bridge hash");
	std::uint64_t before = 0, after = 0, short_bytes = 0;
	for (const auto &p : hifn_producers(dev))
		before += p.stats.bytes;
	for (bool hmac : {false, true}) {
		for (std::size_t key_len : hmac ? std::vector<std::size_t>{0, 20, 64, 100, 200}
					       : std::vector<std::size_t>{0}) {
			bytes key = random_bytes(rng, key_len);
			kcapi_handle *raw = nullptr;
			REQUIRE(kcapi_md_init(&raw, hmac ? "ocf-hmac-sha1" : "ocf-sha1", 0) == 0);
			kcapi_md_ptr h(raw);
			if (hmac)
				REQUIRE(kcapi_md_setkey(h.get(), key.data(),
							static_cast<std::uint32_t>(key.size())) == 0);
			for (std::size_t len : {0, 1, 55, 56, 64, 255, 256, 257, 1000, 4096, 65536}) {
				bytes in = random_bytes(rng, len), out(20);
				bytes want = ref_digest(hmac ? OCF_MAC_HMAC_SHA1 : OCF_HASH_SHA1, key,
							in.data(), len);
				ssize_t got = kcapi_md_digest(h.get(), in.data(), len, out.data(), out.size());
				INFO((hmac ? "hmac-sha1 key " : "sha1 ") << key_len << " len " << len);
				CHECK(got == 20);
				CHECK(diff(out.data(), want) == "");
				if (len <= 256)
					short_bytes += len;
			}
		}
	}
	for (const auto &p : hifn_producers(dev))
		after += p.stats.bytes;
	CHECK(after - before >= short_bytes);
}

namespace {

struct kcapi_aead_deleter {
	void operator()(kcapi_handle *h) const { kcapi_aead_destroy(h); }
};
using kcapi_aead_ptr = std::unique_ptr<kcapi_handle, kcapi_aead_deleter>;

// The authenc key blob: rtattr {8, CRYPTO_AUTHENC_KEYA_PARAM}, the cipher
// key's length big-endian, the MAC key, the cipher key.
bytes authenc_key(const bytes &mac_key, const bytes &enc_key)
{
	bytes k = {8, 0, 1, 0};
	if constexpr (std::endian::native == std::endian::big)
		k = {0, 8, 0, 1};
	std::uint32_t n = static_cast<std::uint32_t>(enc_key.size());
	k.insert(k.end(), {static_cast<std::uint8_t>(n >> 24), static_cast<std::uint8_t>(n >> 16),
			   static_cast<std::uint8_t>(n >> 8), static_cast<std::uint8_t>(n)});
	k.insert(k.end(), mac_key.begin(), mac_key.end());
	k.insert(k.end(), enc_key.begin(), enc_key.end());
	return k;
}

} // namespace

TEST_CASE("bridge: authenc(hmac(sha1),cbc(aes)) and authenc(hmac(sha1),cbc(des3_ede)) pass their "
	  "self-tests, equal OpenSSL through AF_ALG and refuse a forged tag", "[hifn][bridge]")
{
	device dev;
	chip c("7956");
	struct case_alg {
		const char *driver;
		std::uint32_t cipher;
		std::uint32_t key_len, block;
	};
	const case_alg algs[] = {
		{"ocf-authenc-hmac-sha1-cbc-aes", OCF_CIPHER_AES_CBC, 16, 16},
		{"ocf-authenc-hmac-sha1-cbc-aes", OCF_CIPHER_AES_CBC, 32, 16},
		{"ocf-authenc-hmac-sha1-cbc-des3_ede", OCF_CIPHER_3DES_CBC, 24, 8},
	};
	for (const char *driver : {"ocf-authenc-hmac-sha1-cbc-aes", "ocf-authenc-hmac-sha1-cbc-des3_ede"}) {
		INFO(driver);
		REQUIRE(wait_listed(driver, true));
		auto e = proc_crypto(driver);
		CHECK(e["selftest"] == "passed");
		CHECK(e["type"] == "aead");
		CHECK(std::stoi(e["priority"]) > 4250);	// above authenc over the CPU
	}
	// No SHA-256 on a Hifn.
	CHECK(proc_crypto("ocf-authenc-hmac-sha256-cbc-aes").empty());

	auto rng = make_rng("bridge aead");
	for (const auto &a : algs) {
		for (std::uint32_t tag : {20u, 12u}) {
			bytes mac_key = random_bytes(rng, 20), enc_key = random_bytes(rng, a.key_len);
			bytes blob = authenc_key(mac_key, enc_key);
			for (std::size_t aad : {std::size_t{0}, std::size_t{8}, std::size_t{20}}) {
				for (std::size_t text : {std::size_t{0}, std::size_t{a.block}, std::size_t{64},
							 std::size_t{1024}, std::size_t{4096 + a.block}}) {
					// An empty operation leaves an AF_ALG socket failing the next
					// ones with -EINVAL, the kernel's own authenc too: a fresh
					// handle for each case, none for the empty one.
					if (!aad && !text)
						continue;
					INFO(a.driver << " key " << a.key_len << " tag " << tag << " aad " << aad
						       << " text " << text);
					kcapi_handle *raw = nullptr;
					REQUIRE(kcapi_aead_init(&raw, a.driver, 0) == 0);
					kcapi_aead_ptr h(raw);
					REQUIRE(kcapi_aead_setkey(h.get(), blob.data(),
								  static_cast<std::uint32_t>(blob.size())) == 0);
					REQUIRE(kcapi_aead_settaglen(h.get(), tag) == 0);
					kcapi_aead_setassoclen(h.get(), aad);
					bytes iv = random_bytes(rng, a.block), in = random_bytes(rng, aad + text);
					bytes ct = ref_cipher(a.cipher, enc_key, iv, in.data() + aad, text, true);
					bytes authed(in.begin(), in.begin() + static_cast<long>(aad));
					authed.insert(authed.end(), ct.begin(), ct.end());
					bytes mac = ref_digest(OCF_MAC_HMAC_SHA1, mac_key, authed.data(), authed.size());
					bytes want = authed;
					want.insert(want.end(), mac.begin(), mac.begin() + tag);

					bytes out(aad + text + tag);
					ssize_t got = kcapi_aead_encrypt(h.get(), in.data(), in.size(), iv.data(),
									 out.data(), out.size(),
									 KCAPI_ACCESS_HEURISTIC);
					CHECK(got == static_cast<ssize_t>(out.size()));
					CHECK(diff(out.data(), want) == "");

					bytes back(aad + text);
					got = kcapi_aead_decrypt(h.get(), want.data(), want.size(), iv.data(),
								 back.data(), back.size(), KCAPI_ACCESS_HEURISTIC);
					CHECK(got == static_cast<ssize_t>(back.size()));
					CHECK(diff(back.data(), in) == "");

					bytes forged = want;
					forged[forged.size() - 1 - random_below(rng, tag)] ^= 1;
					got = kcapi_aead_decrypt(h.get(), forged.data(), forged.size(), iv.data(),
								 back.data(), back.size(), KCAPI_ACCESS_HEURISTIC);
					CHECK(got == -EBADMSG);
				}
			}
		}
	}
	REQUIRE(c.remove() == 0);
}

TEST_CASE("bridge: the crypto API's queue contract for an in-kernel user: -EINPROGRESS, -ENOSPC past "
	  "the queue, -EBUSY then -EINPROGRESS with MAY_BACKLOG (tests/kmod/bridge)", "[hifn][bridge]")
{
	// Built by `make test-modules` next to our modules, for this kernel only.
	const char *env = std::getenv("OCF_MODULE_DIR");
	std::string dir = env ? env : std::string(OCF_SOURCE_DIR) + "/kernel";
	std::string ko = dir + "/../tests/kmod/bridge/ocf_bridge_test.ko";
	if (!std::ifstream(ko)) {
		WARN("no " << ko << " for this kernel: not run");
		return;
	}
	REQUIRE(wait_listed("ocf-cbc-des3_ede", true));
	param_override queue("/sys/module/ocf/parameters/bridge_queue_len", "4");
	param_override slow(std::string(model_params) + "latency_us", "1000");
	child_result ins = run_command({"/sbin/insmod", ko, "driver=ocf-cbc-des3_ede", "requests=64"});
	INFO(ins.output);
	CHECK(ins.ok());
	if (ins.ok())
		CHECK(run_command({"/sbin/rmmod", "ocf_bridge_test"}).ok());
}

TEST_CASE("bridge: dm-crypt takes ocf-cbc-des3_ede (CRYPTO_ALG_ALLOCATES_MEMORY clear) and writes "
	  "what the kernel's own 3DES writes", "[hifn][bridge]")
{
	REQUIRE(wait_listed("ocf-cbc-des3_ede", true));
	// Two 1 MiB devices with one key: ours (the highest priority cbc(des3_ede))
	// and the generic one by driver name; same plaintext in, same
	// ciphertext on disk, plaintext back. dm-crypt refuses algorithms
	// that allocate memory per request, so taking ours proves the flag clear.
	const char *script = R"(
set -e
modprobe dm-crypt
modprobe loop 2>/dev/null || true
d=$(mktemp -d)
trap 'dmsetup remove ocfbr_a 2>/dev/null; dmsetup remove ocfbr_b 2>/dev/null;
      [ -z "$la" ] || losetup -d "$la"; [ -z "$lb" ] || losetup -d "$lb"; rm -rf "$d"' EXIT
la= lb=
dd if=/dev/zero of="$d/a" bs=1M count=1 status=none
cp "$d/a" "$d/b"
la=$(losetup -f --show "$d/a")
lb=$(losetup -f --show "$d/b")
key=00112233445566778899aabbccddeeff0123456789abcdeffedcba9876543210
key=${key%????????????????}
dmsetup create ocfbr_a --table "0 2048 crypt capi:cbc(des3_ede)-plain $key 0 $la 0"
dmsetup create ocfbr_b --table "0 2048 crypt capi:cbc(des3_ede-generic)-plain $key 0 $lb 0"
# No udev in the guest: the device nodes are made here.
dmsetup mknodes
[ -b /dev/mapper/ocfbr_a ] && [ -b /dev/mapper/ocfbr_b ]
refs=$(awk '/^driver/ {d=$3} /^refcnt/ && d=="ocf-cbc-des3_ede" {print $3}' /proc/crypto)
echo "ocf-cbc-des3_ede refcnt with the mapping: $refs"
[ "$refs" -gt 1 ]
head -c 1048576 /dev/urandom >"$d/plain"
dd if="$d/plain" of=/dev/mapper/ocfbr_a bs=64k oflag=direct status=none
dd if="$d/plain" of=/dev/mapper/ocfbr_b bs=64k oflag=direct status=none
sync
cmp "$la" "$lb"
! cmp -s "$la" "$d/plain"
dd if=/dev/mapper/ocfbr_a bs=64k iflag=direct status=none | cmp - "$d/plain"
echo dm-crypt ok
)";
	device dev;
	std::uint64_t before = 0, after = 0;
	for (const auto &p : hifn_producers(dev))
		before += p.stats.bytes;
	child_result r = run_command({"/bin/sh", "-c", script});
	INFO(r.output);
	CHECK(r.ok());
	for (const auto &p : hifn_producers(dev))
		after += p.stats.bytes;
	// Written and read back through the chips.
	CHECK(after - before >= 2 * 1048576);
}
