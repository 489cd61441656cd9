// Asynchronous operation: OCF_IOC_SUBMIT, poll(2) and OCF_IOC_REAP, from
// several threads, with their own files or one shared file; the in-flight
// limit.
//
// "In flight" is read as the REAP documentation implies (min_complete is "at
// most the number in flight"): an op counts from its submission until its
// completion is reaped.
#include "helpers.hpp"

#include <catch2/catch.hpp>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <deque>
#include <mutex>
#include <thread>

using namespace ocft;

namespace {

constexpr int reap_timeout_ms = 120000;

const char *const async_algs[] = {
	"aes-128-ctr", "aes-256-cbc", "hmac-sha256", "sha1", "aes-128-gcm",
	"aes-128-cbc+hmac-sha1 encrypt-then-mac", "3des-cbc", "null",
};

// Prepared ops on a few sessions, tagged base + index; every 37th with a tag
// is tampered and must fail with -EBADMSG.
struct op_set {
	std::vector<std::unique_ptr<session>> sessions;
	std::vector<keys> ks;
	std::deque<vector_case> cases;
	std::vector<prepared_ptr> ops;

	op_set(device &dev, std::mt19937_64 &rng, std::size_t count, std::uint64_t tag_base)
	{
		for (const char *name : async_algs) {
			const alg &a = find_alg(name);
			ks.push_back(random_keys(a, rng));
			sessions.push_back(std::make_unique<session>(dev, a, ks.back()));
		}
		for (std::size_t i = 0; i < count; i++) {
			std::size_t ai = random_below(rng, static_cast<std::uint32_t>(std::size(async_algs)));
			const alg &a = find_alg(async_algs[ai]);
			std::uint32_t text = (1 + random_below(rng, 2048)) / a.block() * a.block();
			cases.push_back(make_case(a, ks[ai], rng, text, random_below(rng, 2) * 8));
			const placement &where = placements()[random_below(rng, 4)];
			if (a.tag_len() && i % 37 == 0)
				ops.push_back(prepare_tampered(cases.back(), sessions[ai]->id(), where,
							       cases.back().lay.mac_offset(), 0));
			else
				ops.push_back(prepare(cases.back(), sessions[ai]->id(),
						      random_below(rng, 2) ? OCF_OP_DECRYPT : OCF_OP_ENCRYPT, where));
			ops.back()->op.tag = tag_base + i;
		}
	}

	std::vector<ocf_op> raw(std::size_t from, std::size_t n) const
	{
		std::vector<ocf_op> v;
		for (std::size_t i = from; i < from + n && i < ops.size(); i++)
			v.push_back(ops[i]->op);
		return v;
	}
};

// Waits until @count reaches @target or @abort is set; false on abort/timeout.
bool gather(std::atomic<int> &count, int target, const std::atomic<bool> &abort)
{
	count++;
	auto end = std::chrono::steady_clock::now() + std::chrono::seconds(120);
	while (count.load() < target) {
		if (abort.load() || std::chrono::steady_clock::now() > end)
			return false;
		std::this_thread::sleep_for(std::chrono::milliseconds(1));
	}
	return true;
}

void report(const std::vector<std::string> &problems)
{
	for (std::size_t i = 0; i < problems.size() && i < 10; i++) {
		INFO(problems[i]);
		CHECK(false);
	}
	CHECK(problems.size() == 0);
}

} // namespace

TEST_CASE("thousands of async ops from threads with their own files complete once each, right", "[async]")
{
	OCFT_SEED_INFO();
	constexpr int threads = 4;
	constexpr std::size_t per_thread = 512;
	std::atomic<int> prepared{0}, submitted{0};
	std::atomic<bool> abort{false};
	std::mutex lock;
	std::vector<std::string> problems;
	std::atomic<std::size_t> completed{0};

	auto worker = [&](int t) {
		auto problem = [&](const std::string &s) {
			std::lock_guard<std::mutex> g(lock);
			problems.push_back("thread " + std::to_string(t) + ": " + s);
		};
		try {
			device dev;
			auto rng = make_rng("async own fd " + std::to_string(t));
			const std::uint64_t base = std::uint64_t(t) << 32;
			op_set set(dev, rng, per_thread, base);
			if (!gather(prepared, threads, abort))
				return problem("others failed to prepare");
			if (readable(dev.fd(), 0))
				problem("POLLIN before anything was submitted");
			for (std::size_t i = 0; i < per_thread; i += 64) {
				auto batch = set.raw(i, 64);
				int r = ocf_submit(dev.get(), batch.data(), static_cast<unsigned>(batch.size()));
				if (r != static_cast<int>(batch.size())) {
					abort = true;
					return problem("ocf_submit: " + errname(r));
				}
			}
			// Every thread's ops are in flight together before anyone reaps.
			if (!gather(submitted, threads, abort))
				return problem("others failed to submit");

			std::vector<int> seen(per_thread);
			std::vector<ocf_completion> buf(128);
			std::size_t got = 0;
			auto last = std::chrono::steady_clock::now();
			while (got < per_thread) {
				if (!readable(dev.fd(), 1000)) {
					if (std::chrono::steady_clock::now() - last > std::chrono::milliseconds(reap_timeout_ms))
						return problem("no completion for 120 s; " + std::to_string(got) +
							       " of " + std::to_string(per_thread) + " reaped");
					continue;
				}
				int r = ocf_reap(dev.get(), buf.data(), static_cast<unsigned>(buf.size()), 0);
				if (r < 0)
					return problem("ocf_reap: " + errname(r));
				if (r > 0)
					last = std::chrono::steady_clock::now();
				for (int i = 0; i < r; i++) {
					const ocf_completion &c = buf[static_cast<std::size_t>(i)];
					std::uint64_t idx = c.tag - base;
					if (c.tag < base || idx >= per_thread) {
						problem("a foreign tag " + std::to_string(c.tag));
						continue;
					}
					if (seen[idx]++) {
						problem("tag " + std::to_string(c.tag) + " completed twice");
						continue;
					}
					got++;
					std::string p = set.ops[idx]->check(c.status);
					if (!p.empty())
						problem(set.ops[idx]->describe() + ": " + p);
				}
			}
			completed += got;
			if (readable(dev.fd(), 0))
				problem("POLLIN with nothing left to reap");
			int r = ocf_reap(dev.get(), buf.data(), 16, 0);
			if (r != 0)
				problem("a reap after the last completion gave " + errname(r));
		} catch (const std::exception &e) {
			abort = true;
			problem(std::string("exception: ") + e.what());
		}
	};
	std::vector<std::thread> ts;
	for (int t = 0; t < threads; t++)
		ts.emplace_back(worker, t);
	for (auto &t : ts)
		t.join();
	report(problems);
	CHECK(completed.load() == threads * per_thread);
}

TEST_CASE("thousands of async ops from threads sharing one file complete once each, right", "[async]")
{
	OCFT_SEED_INFO();
	constexpr int threads = 4;
	constexpr std::size_t per_thread = 300, total = threads * per_thread;
	device dev;
	auto rng = make_rng("async shared fd");
	op_set set(dev, rng, total, 0);
	std::vector<std::atomic<int>> seen(total);
	for (auto &v : seen)
		v.store(0);
	std::atomic<std::size_t> reaped{0};
	std::atomic<int> submitted{0};
	std::atomic<bool> abort{false}, go_reap{false};
	std::mutex lock;
	std::vector<std::string> problems;
	auto problem = [&](const std::string &s) {
		std::lock_guard<std::mutex> g(lock);
		problems.push_back(s);
	};
	auto consume = [&](const ocf_completion *c, int n) {
		for (int i = 0; i < n; i++) {
			if (c[i].tag >= total) {
				problem("a foreign tag " + std::to_string(c[i].tag));
				continue;
			}
			if (seen[c[i].tag].fetch_add(1)) {
				problem("tag " + std::to_string(c[i].tag) + " completed twice");
				continue;
			}
			reaped++;
			std::string p = set.ops[c[i].tag]->check(c[i].status);
			if (!p.empty())
				problem(set.ops[c[i].tag]->describe() + ": " + p);
		}
	};

	auto worker = [&](int t) {
		try {
			// Submit this thread's share through the shared file.
			for (std::size_t i = std::size_t(t) * per_thread; i < std::size_t(t + 1) * per_thread; i += 50) {
				auto batch = set.raw(i, 50);
				int r = raw_submit(dev.fd(), batch.data(), static_cast<std::uint32_t>(batch.size()));
				if (r != static_cast<int>(batch.size())) {
					abort = true;
					return problem("OCF_IOC_SUBMIT: " + errname(r));
				}
			}
			submitted++;
			while (!go_reap && !abort)
				std::this_thread::sleep_for(std::chrono::milliseconds(1));
			// Reap whatever is ready, racing the other threads.
			std::vector<ocf_completion> buf(64);
			auto end = std::chrono::steady_clock::now() + std::chrono::milliseconds(reap_timeout_ms);
			while (reaped.load() < total && !abort) {
				if (std::chrono::steady_clock::now() > end)
					return problem("completions stopped coming");
				if (!readable(dev.fd(), 100))
					continue;
				int r = raw_reap(dev.fd(), buf.data(), static_cast<std::uint32_t>(buf.size()));
				if (r < 0)
					return problem("OCF_IOC_REAP: " + errname(r));
				consume(buf.data(), r);
			}
		} catch (const std::exception &e) {
			abort = true;
			problem(std::string("exception: ") + e.what());
		}
	};
	std::vector<std::thread> ts;
	for (int t = 0; t < threads; t++)
		ts.emplace_back(worker, t);
	// All submitted, nothing reaped: the whole set is in flight at once.
	// (No assertion may throw before the threads are joined.)
	bool all = eventually([&] { return submitted.load() == threads || abort.load(); }, reap_timeout_ms);
	int first = -1;
	std::uint32_t in_flight = 0;
	if (all && !abort && readable(dev.fd(), reap_timeout_ms)) {
		std::vector<ocf_completion> buf(8);
		first = raw_reap(dev.fd(), buf.data(), 8, 0, 0, &in_flight);
		if (first > 0)
			consume(buf.data(), first);
	}
	go_reap = true;
	for (auto &t : ts)
		t.join();
	CHECK(all);
	INFO("the first reap, with every op submitted: " << errname(first) << ", in_flight " << in_flight);
	CHECK(first > 0);
	CHECK(static_cast<std::size_t>(first) + in_flight == total);
	report(problems);
	CHECK(reaped.load() == total);
	std::size_t not_once = 0;
	for (std::size_t i = 0; i < total; i++)
		if (seen[i].load() != 1 && not_once++ < 5) {
			INFO("tag " << i << " completed " << seen[i].load() << " times");
			CHECK(seen[i].load() == 1);
		}
	CHECK(not_once == 0);
}

TEST_CASE("poll(2) reports completions ready, and REAP collects them", "[async]")
{
	OCFT_SEED_INFO();
	device dev;
	auto rng = make_rng("poll");
	const alg &a = find_alg("aes-128-cbc");
	keys k = random_keys(a, rng);
	session s(dev, a, k);
	std::deque<vector_case> cases;
	std::vector<prepared_ptr> ops;
	for (std::uint64_t i = 0; i < 16; i++) {
		cases.push_back(make_case(a, k, rng, 4096, 0));
		ops.push_back(prepare(cases.back(), s.id(), OCF_OP_ENCRYPT, placements()[i % 4], 100 + i));
	}
	std::vector<ocf_completion> buf(32);

	// Nothing submitted: not readable, and a reap without waiting finds nothing.
	CHECK_FALSE(readable(dev.fd(), 0));
	CHECK(ocf_reap(dev.get(), buf.data(), 32, 0) == 0);

	// One op: POLLIN when it is done, and no more once it is reaped.
	REQUIRE(ocf_submit(dev.get(), &ops[0]->op, 1) == 1);
	REQUIRE(readable(dev.fd(), 30000));
	REQUIRE(ocf_reap(dev.get(), buf.data(), 32, 0) == 1);
	CHECK(buf[0].tag == 100);
	CHECK(ops[0]->check(buf[0].status) == "");
	CHECK_FALSE(readable(dev.fd(), 0));

	// Ten ops, reaped with a wait for all ten.
	std::vector<ocf_op> batch;
	for (std::size_t i = 1; i <= 10; i++)
		batch.push_back(ops[i]->op);
	REQUIRE(ocf_submit(dev.get(), batch.data(), 10) == 10);
	REQUIRE(ocf_reap(dev.get(), buf.data(), 32, 10) == 10);
	std::vector<int> seen(16);
	for (std::size_t i = 0; i < 10; i++) {
		REQUIRE(buf[i].tag >= 101);
		REQUIRE(buf[i].tag <= 110);
		std::size_t idx = buf[i].tag - 100;
		CHECK(seen[idx]++ == 0);
		CHECK(ops[idx]->check(buf[i].status) == "");
	}
	CHECK_FALSE(readable(dev.fd(), 0));

	// Five ops through the raw ioctl: in_flight counts what is left to reap.
	batch.clear();
	for (std::size_t i = 11; i < 16; i++)
		batch.push_back(ops[i]->op);
	REQUIRE(raw_submit(dev.fd(), batch.data(), 5) == 5);
	std::uint32_t in_flight = 99;
	REQUIRE(raw_reap(dev.fd(), buf.data(), 2, OCF_REAP_WAIT, 2, &in_flight) == 2);
	CHECK(in_flight == 3);
	REQUIRE(raw_reap(dev.fd(), buf.data() + 2, 8, OCF_REAP_WAIT, 3, &in_flight) == 3);
	CHECK(in_flight == 0);
	for (std::size_t i = 0; i < 5; i++) {
		REQUIRE(buf[i].tag >= 111);
		REQUIRE(buf[i].tag <= 115);
		std::size_t idx = buf[i].tag - 100;
		CHECK(seen[idx]++ == 0);
		CHECK(ops[idx]->check(buf[i].status) == "");
	}
	CHECK_FALSE(readable(dev.fd(), 0));
}

TEST_CASE("the in-flight limit refuses a submit with -EAGAIN and queues none of it", "[async]")
{
	OCFT_SEED_INFO();
	auto rng = make_rng("in-flight limit");
	const alg &a = find_alg("aes-128-ctr");
	keys k = random_keys(a, rng);
	constexpr std::uint64_t refused_tag = 1ull << 40;

	// Fills the file up to @limit, checks the refusals, then reaps all.
	auto exercise = [&](device &dev, std::uint32_t limit) {
		INFO("max_in_flight " << limit);
		session s(dev, a, k);
		const std::uint32_t extra = std::min<std::uint32_t>(100, limit / 2);
		std::deque<vector_case> cases;
		std::vector<prepared_ptr> ops;
		for (std::uint32_t i = 0; i < limit + extra + 1; i++) {
			cases.push_back(make_case(a, k, rng, 16, 0));
			ops.push_back(prepare(cases.back(), s.id(), OCF_OP_ENCRYPT, placements()[i % 4], i));
		}
		auto slice = [&](std::uint32_t from, std::uint32_t n, std::uint64_t tag_add = 0) {
			std::vector<ocf_op> v;
			for (std::uint32_t i = from; i < from + n; i++) {
				v.push_back(ops[i]->op);
				v.back().tag += tag_add;
			}
			return v;
		};

		// A batch bigger than the limit is refused whole.
		auto too_big = slice(0, std::min<std::uint32_t>(limit + 1, OCF_MAX_BATCH), refused_tag);
		if (too_big.size() > limit) {
			CHECK(ocf_submit(dev.get(), too_big.data(), static_cast<unsigned>(too_big.size())) == -EAGAIN);
			CHECK_FALSE(readable(dev.fd(), 100));
		}

		std::uint32_t queued = 0;
		while (queued < limit) {
			std::uint32_t n = std::min<std::uint32_t>(OCF_MAX_BATCH, limit - queued);
			auto b = slice(queued, n);
			REQUIRE(ocf_submit(dev.get(), b.data(), n) == static_cast<int>(n));
			queued += n;
		}
		// Full: one more is refused, by SUBMIT and by RUN.
		auto one = slice(limit, 1, refused_tag);
		CHECK(ocf_submit(dev.get(), one.data(), 1) == -EAGAIN);
		CHECK(ocf_run(dev.get(), one.data(), 1) == -EAGAIN);

		// Reaping makes room for exactly what was reaped.
		auto first = reap_n(dev, extra);
		REQUIRE(first.size() == extra);
		auto over = slice(limit, extra + 1, refused_tag);
		CHECK(ocf_submit(dev.get(), over.data(), extra + 1) == -EAGAIN);
		auto fits = slice(limit, extra);
		REQUIRE(ocf_submit(dev.get(), fits.data(), extra) == static_cast<int>(extra));
		CHECK(ocf_submit(dev.get(), one.data(), 1) == -EAGAIN);

		auto rest = reap_n(dev, limit, reap_timeout_ms);
		REQUIRE(rest.size() == limit);
		rest.insert(rest.end(), first.begin(), first.end());
		std::vector<int> seen(limit + extra);
		std::size_t bad = 0;
		for (const auto &c : rest) {
			REQUIRE(c.tag < limit + extra); // never a refused op
			CHECK(seen[c.tag]++ == 0);
			std::string p = ops[c.tag]->check(c.status);
			if (!p.empty() && bad++ < 5) {
				INFO(ops[c.tag]->describe());
				CHECK(p == "");
			}
		}
		CHECK(bad == 0);
		CHECK_FALSE(readable(dev.fd(), 100));
		std::vector<ocf_completion> buf(4);
		CHECK(ocf_reap(dev.get(), buf.data(), 4, 0) == 0);
	};

	SECTION("at the module's limit")
	{
		long limit = ocf_param("max_in_flight");
		REQUIRE(limit > 0);
		REQUIRE(limit <= 1 << 16);
		device dev;
		exercise(dev, static_cast<std::uint32_t>(limit));
	}
	SECTION("with max_in_flight lowered to 64")
	{
		param_override lower(std::string(ocf_params) + "max_in_flight", "64");
		device dev;
		exercise(dev, 64);
	}
}
