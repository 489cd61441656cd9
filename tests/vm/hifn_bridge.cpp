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
#include <chrono>
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

} // namespace

TEST_CASE("bridge: ocf-cbc-des3_ede and ocf-cbc-aes registered while Hifns offer them, self-tests passed",
	  "[hifn][bridge]")
{
	// The 7751s (3DES) are loaded; AES needs a 7955/7956.
	REQUIRE(wait_listed("ocf-cbc-des3_ede", true));
	CHECK(proc_crypto("ocf-cbc-aes").empty());
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
	CHECK(wait_listed("ocf-cbc-aes", false));
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
	param_override slow(std::string(model_params) + "latency_us", "500");
	std::atomic<bool> stop{false}, removed{false};
	std::atomic<unsigned> ok{0}, failed{0}, wrong{0}, after_ok{0};
	kcapi_ptr held;
	bytes held_key(32, 7);
	{
		chip c("7956");
		REQUIRE(wait_listed("ocf-cbc-aes", true));
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
