// Lifecycle: the producers the VM loads, files closed (or processes gone)
// with operations in flight, and the module reference an open file holds.
// Unloading and reloading the modules is tests/vm/module-lifecycle.sh's job:
// it runs after this binary, so that no test here loses its modules.
#include "helpers.hpp"

#include <catch2/catch.hpp>

#include <cerrno>
#include <cstdlib>
#include <deque>
#include <filesystem>
#include <set>
#include <unistd.h>

using namespace ocft;

namespace {

std::uint64_t bit(std::uint32_t alg) { return 1ull << alg; }

bool producers_idle(device &dev)
{
	for (const auto &p : producers(dev))
		if (p.stats.in_flight != 0)
			return false;
	return true;
}

std::size_t all_sessions(device &dev) { return sessions(dev, OCF_LIST_ALL).size(); }

std::uint64_t producer_sessions(device &dev)
{
	std::uint64_t n = 0;
	for (const auto &p : producers(dev))
		n += p.stats.sessions;
	return n;
}

long module_refcnt() { return std::stol(read_text("/sys/module/ocf/refcnt")); }

// Many ops, some large and slow (3DES, 64 KiB), on several sessions.
struct heavy_load {
	std::vector<std::unique_ptr<session>> sessions;
	std::vector<keys> ks;
	std::deque<vector_case> cases;
	std::vector<ocf_op> ops;
	std::vector<prepared_ptr> prepared;

	heavy_load(device &dev, std::mt19937_64 &rng, std::size_t count)
	{
		const char *names[] = {"aes-256-cbc", "aes-128-cbc+hmac-sha1 encrypt-then-mac", "null", "3des-cbc"};
		for (const char *n : names) {
			const alg &a = find_alg(n);
			ks.push_back(random_keys(a, rng));
			sessions.push_back(std::make_unique<session>(dev, a, ks.back()));
		}
		for (std::size_t i = 0; i < count; i++) {
			std::size_t ai = i % std::size(names);
			const alg &a = find_alg(names[ai]);
			std::uint32_t text = i % 25 == 3 ? 65536 : 1024;
			cases.push_back(make_case(a, ks[ai], rng, text, 8));
			prepared.push_back(prepare(cases.back(), sessions[ai]->id(), OCF_OP_ENCRYPT,
						   placements()[i % 4], i));
			ops.push_back(prepared.back()->op);
		}
	}

	// Submits everything; returns the number queued.
	std::size_t submit(device &dev)
	{
		std::size_t queued = 0;
		while (queued < ops.size()) {
			auto n = static_cast<unsigned>(std::min<std::size_t>(250, ops.size() - queued));
			int r = ocf_submit(dev.get(), ops.data() + queued, n);
			if (r <= 0)
				break;
			queued += static_cast<std::size_t>(r);
		}
		return queued;
	}
};

void expect_works(device &dev, std::mt19937_64 &rng)
{
	const alg &a = find_alg("aes-128-gcm");
	keys k = random_keys(a, rng);
	session s(dev, a, k);
	vector_case vc = make_case(a, k, rng, 4096, 13);
	std::vector<prepared_ptr> ops;
	ops.push_back(prepare(vc, s.id(), OCF_OP_ENCRYPT, placements()[2]));
	ops.push_back(prepare(vc, s.id(), OCF_OP_DECRYPT, placements()[1]));
	REQUIRE(run_prepared(dev, ops) == 2);
	for (const auto &p : ops) {
		INFO(p->describe());
		CHECK(p->check(p->op.status) == "");
	}
}

} // namespace

TEST_CASE("the expected producers are registered: swcrypt, null0 and null1", "[lifecycle][producers]")
{
	device dev;
	auto sw = producer_named(dev, "swcrypt");
	auto n0 = producer_named(dev, "null0");
	auto n1 = producer_named(dev, "null1");
	REQUIRE(sw);
	REQUIRE(n0);
	REQUIRE(n1);
	std::set<std::uint32_t> ids{sw->id, n0->id, n1->id};
	CHECK(ids.size() == 3);
	CHECK(ids.count(0) == 0);

	std::uint64_t everything = 0;
	for (std::uint32_t a : {OCF_CIPHER_AES_CBC, OCF_CIPHER_AES_CTR, OCF_CIPHER_DES_CBC, OCF_CIPHER_3DES_CBC,
				OCF_AEAD_AES_GCM, OCF_MAC_HMAC_MD5, OCF_MAC_HMAC_SHA1, OCF_MAC_HMAC_SHA256,
				OCF_MAC_HMAC_SHA384, OCF_MAC_HMAC_SHA512, OCF_HASH_MD5, OCF_HASH_SHA1, OCF_HASH_SHA224,
				OCF_HASH_SHA256, OCF_HASH_SHA384, OCF_HASH_SHA512})
		everything |= bit(a);
	CHECK((sw->algs & everything) == everything);
	CHECK((sw->algs & bit(OCF_CIPHER_NULL)) == 0);
	CHECK((sw->flags & OCF_PRODUCER_SOFTWARE) != 0);
	CHECK(n0->algs == bit(OCF_CIPHER_NULL));
	CHECK(n1->algs == bit(OCF_CIPHER_NULL));
	for (const auto &p : {*sw, *n0, *n1}) {
		INFO(p.name);
		CHECK(p.max_len > 0);
	}
}

TEST_CASE("closing a file with operations in flight leaves the module healthy", "[lifecycle]")
{
	OCFT_SEED_INFO();
	auto rng = make_rng("close in flight");
	device probe;
	REQUIRE(eventually([&] { return producers_idle(probe); }, 30000));
	const std::size_t sessions_before = all_sessions(probe);
	const std::uint64_t producer_sessions_before = producer_sessions(probe);

	// The buffers outlive the file: the kernel may still be at them.
	std::unique_ptr<heavy_load> load;
	{
		device dev;
		load = std::make_unique<heavy_load>(dev, rng, 1500);
		CHECK(load->submit(dev) == load->ops.size());
		CHECK(all_sessions(probe) == sessions_before + load->sessions.size());
		// Freeing the sessions' handles is the file's job now.
		for (auto &s : load->sessions)
			s->forget();
		dev.close();
	}
	CHECK(eventually([&] { return producers_idle(probe); }, 120000));
	CHECK(eventually([&] { return all_sessions(probe) == sessions_before; }, 30000));
	CHECK(eventually([&] { return producer_sessions(probe) == producer_sessions_before; }, 30000));
	load.reset();

	device fresh;
	expect_works(fresh, rng);
}

TEST_CASE("a process exiting with operations in flight leaves the module healthy", "[lifecycle]")
{
	OCFT_SEED_INFO();
	auto rng = make_rng("exit in flight");
	device probe;
	REQUIRE(eventually([&] { return producers_idle(probe); }, 30000));
	const std::size_t sessions_before = all_sessions(probe);
	pid_t child = 0;

	child_result r = run_child_paused(
		[&](const child_sync &sync) -> std::string {
			device dev;
			heavy_load load(dev, rng, 800);
			CHILD_EXPECT(load.submit(dev) == load.ops.size());
			sync.notify();
			sync.wait();
			// Exit without closing, freeing or reaping: the file and the
			// memory go away together.
			::_exit(0);
		},
		[&](pid_t pid) {
			child = pid;
			CHECK(all_sessions(probe) == sessions_before + 4);
		});
	CHECK(r.paused);
	INFO("child: " << r.output);
	CHECK(r.ok());
	CHECK(eventually([&] { return producers_idle(probe); }, 120000));
	CHECK(eventually([&] { return all_sessions(probe) == sessions_before; }, 30000));
	for (const auto &s : sessions(probe, OCF_LIST_ALL))
		CHECK(s.owner_pid != static_cast<std::uint32_t>(child));
	device fresh;
	expect_works(fresh, rng);
}

TEST_CASE("rmmod ocf is refused while a file is open or producers are loaded", "[lifecycle]")
{
	OCFT_SEED_INFO();
	auto rng = make_rng("rmmod refused");
	// No file of ours is open here: the producer modules alone keep ocf in.
	const long base = module_refcnt();
	CHECK(std::system("rmmod ocf >/dev/null 2>&1") != 0);
	REQUIRE(std::filesystem::exists("/sys/module/ocf"));
	CHECK(std::filesystem::exists("/sys/module/ocf/holders/ocf_swcrypt"));
	CHECK(std::filesystem::exists("/sys/module/ocf/holders/ocf_null"));
	{
		// An open file holds a reference of its own.
		device dev;
		CHECK(module_refcnt() == base + 1);
		CHECK(std::system("rmmod ocf >/dev/null 2>&1") != 0);
		REQUIRE(std::filesystem::exists("/sys/module/ocf"));
		expect_works(dev, rng);
	}
	CHECK(eventually([&] { return module_refcnt() == base; }, 5000));
}
