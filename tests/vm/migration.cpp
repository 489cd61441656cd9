// Migration: sessions placed by the policy on the two null producers keep
// working when one is unplugged mid-traffic (the framework moves them to the
// other and resubmits what was queued): no completion lost or repeated, every
// output right. With both gone, null sessions fail with -ENODEV.
//
// ocf_null's parameters: writing an instance index to "unplug" unregisters
// that producer at once, writing it to "replug" registers it again.
#include "helpers.hpp"

#include <catch2/catch.hpp>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <deque>
#include <map>
#include <mutex>
#include <set>
#include <thread>
#include <unordered_map>
#include <unordered_set>

using namespace ocft;

namespace {

std::string null_name(int idx) { return "null" + std::to_string(idx); }

int unplug(int idx) { return write_text(std::string(null_params) + "unplug", std::to_string(idx) + "\n"); }

int replug(int idx) { return write_text(std::string(null_params) + "replug", std::to_string(idx) + "\n"); }

// Whatever happens in a test, both null instances are registered after it.
class null_instances_guard {
public:
	null_instances_guard() = default;
	~null_instances_guard()
	{
		try {
			device d;
			for (int idx : {0, 1})
				if (!producer_named(d, null_name(idx))) {
					replug(idx);
					eventually([&] { return producer_named(d, null_name(idx)).has_value(); }, 5000);
				}
		} catch (...) {
		}
	}
	null_instances_guard(const null_instances_guard &) = delete;
	null_instances_guard &operator=(const null_instances_guard &) = delete;
};

// A null op in flight: null copies src to dst, so the output is the input.
struct pending_op {
	buffer src, dst;
	bytes data;
	bool in_place = true;
};

// A file with null sessions that keeps async traffic going until told to
// stop, then drains; it records every problem as text.
struct traffic {
	device dev;
	std::vector<std::unique_ptr<session>> sessions;
	std::vector<std::string> problems;
	std::size_t submitted = 0, completed = 0, failed_enodev = 0;
	bool accept_enodev = false;

	traffic(int n_sessions)
	{
		const alg &null = find_alg("null");
		for (int i = 0; i < n_sessions; i++)
			sessions.push_back(std::make_unique<session>(dev, null, keys{}));
	}

	void run(int t, const std::atomic<bool> &stop, std::atomic<std::size_t> &completed_total,
		 std::size_t max_pending = 256)
	{
		try {
			loop(t, stop, completed_total, max_pending);
		} catch (const std::exception &e) {
			problems.push_back(std::string("exception: ") + e.what());
		}
	}

private:
	void loop(int t, const std::atomic<bool> &stop, std::atomic<std::size_t> &completed_total,
		  std::size_t max_pending)
	{
		auto rng = make_rng("migration traffic " + std::to_string(t));
		const std::uint64_t base = std::uint64_t(t + 1) << 40;
		std::uint64_t next_tag = base;
		std::unordered_map<std::uint64_t, std::unique_ptr<pending_op>> pending;
		std::unordered_set<std::uint64_t> done;
		std::vector<ocf_completion> buf(256);
		auto last = std::chrono::steady_clock::now();
		for (;;) {
			const bool stopping = stop.load();
			if (stopping && pending.empty())
				return;
			if (std::chrono::steady_clock::now() - last > std::chrono::seconds(120)) {
				problems.push_back("no completion for 120 s with " + std::to_string(pending.size()) +
						   " pending");
				return;
			}
			if (!stopping && pending.size() < max_pending) {
				std::vector<ocf_op> batch;
				std::vector<std::uint64_t> tags;
				for (int i = 0; i < 16; i++) {
					auto p = std::make_unique<pending_op>();
					std::uint32_t len = 1 + random_below(rng, 8192);
					p->data = random_bytes(rng, len);
					p->in_place = random_below(rng, 2) == 0;
					p->src = buffer(len, 1 + 2 * random_below(rng, 2));
					p->src.assign(p->data);
					if (!p->in_place) {
						p->dst = buffer(len, 3);
						p->dst.fill(0xee);
					}
					ocf_op op{};
					std::uint32_t sid = sessions[random_below(rng, static_cast<std::uint32_t>(sessions.size()))]->id();
					ocf_op_cipher(&op, sid, random_below(rng, 2) ? OCF_OP_DECRYPT : OCF_OP_ENCRYPT,
						      p->src.data(), p->in_place ? nullptr : p->dst.data(), len, nullptr);
					op.tag = next_tag++;
					batch.push_back(op);
					tags.push_back(op.tag);
					pending[op.tag] = std::move(p);
				}
				int r = ocf_submit(dev.get(), batch.data(), static_cast<unsigned>(batch.size()));
				std::size_t queued = r > 0 ? static_cast<std::size_t>(r) : 0;
				if (queued != batch.size())
					problems.push_back("ocf_submit: " + errname(r));
				for (std::size_t i = queued; i < tags.size(); i++)
					pending.erase(tags[i]);
				submitted += queued;
				if (r < 0)
					return;
			}
			if (!readable(dev.fd(), stopping ? 200 : 5))
				continue;
			int r = ocf_reap(dev.get(), buf.data(), static_cast<unsigned>(buf.size()), 0);
			if (r < 0) {
				problems.push_back("ocf_reap: " + errname(r));
				return;
			}
			if (r > 0)
				last = std::chrono::steady_clock::now();
			for (int i = 0; i < r; i++) {
				const ocf_completion &c = buf[static_cast<std::size_t>(i)];
				auto it = pending.find(c.tag);
				if (it == pending.end()) {
					problems.push_back(std::string(done.count(c.tag) ? "a second completion" : "an unknown tag") +
							   ": " + std::to_string(c.tag));
					continue;
				}
				const pending_op &p = *it->second;
				if (c.status == -ENODEV && accept_enodev) {
					failed_enodev++;
				} else if (c.status != 0) {
					problems.push_back("tag " + std::to_string(c.tag) + ": status " + errname(c.status));
				} else {
					std::string d = diff(p.in_place ? p.src.data() : p.dst.data(), p.data);
					if (!d.empty())
						problems.push_back("tag " + std::to_string(c.tag) + ": output " + d);
				}
				done.insert(c.tag);
				pending.erase(it);
				completed++;
				completed_total++;
			}
		}
	}
};

void report(const std::vector<std::string> &problems)
{
	for (std::size_t i = 0; i < problems.size() && i < 10; i++) {
		INFO(problems[i]);
		CHECK(false);
	}
	CHECK(problems.size() == 0);
}

// One synchronous null op on @sid; its status (the output is checked on 0).
int null_op(device &dev, std::uint32_t sid, std::mt19937_64 &rng, std::string *problem)
{
	bytes data = random_bytes(rng, 333);
	buffer src(333, 1), dst(333, 3);
	src.assign(data);
	dst.fill(0);
	ocf_op op{};
	ocf_op_cipher(&op, sid, OCF_OP_ENCRYPT, src.data(), dst.data(), 333, nullptr);
	int r = ocf_run(dev.get(), &op, 1);
	if (r != 1)
		return r < 0 ? r : -EIO;
	if (op.status == 0 && problem)
		*problem = diff(dst.data(), data);
	return op.status;
}

} // namespace

TEST_CASE("sessions on an unplugged null producer move to the other mid-traffic; nothing is lost or repeated",
	  "[migration]")
{
	OCFT_SEED_INFO();
	null_instances_guard guard;
	device probe;
	auto n0 = producer_named(probe, "null0");
	auto n1 = producer_named(probe, "null1");
	REQUIRE(n0);
	REQUIRE(n1);

	constexpr int threads = 4, per_file = 4;
	std::vector<std::unique_ptr<traffic>> files;
	for (int t = 0; t < threads; t++)
		files.push_back(std::make_unique<traffic>(per_file));

	// The policy placed them (no pinning): on both null producers.
	std::map<std::uint32_t, int> placed;
	std::vector<std::set<std::uint32_t>> on_victim(threads);
	for (auto &f : files)
		for (const auto &s : sessions(f->dev))
			placed[s.producer]++;
	CHECK(placed[n0->id] > 0);
	CHECK(placed[n1->id] > 0);
	CHECK(placed[n0->id] + placed[n1->id] == threads * per_file);
	const int victim = placed[n1->id] > placed[n0->id] ? 1 : 0;
	const std::uint32_t victim_id = victim ? n1->id : n0->id;
	const std::uint32_t survivor_id = victim ? n0->id : n1->id;
	std::size_t moving = 0;
	for (int t = 0; t < threads; t++)
		for (const auto &s : sessions(files[static_cast<std::size_t>(t)]->dev))
			if (s.producer == victim_id) {
				on_victim[static_cast<std::size_t>(t)].insert(s.session);
				moving++;
			}
	REQUIRE(moving > 0);
	const std::uint64_t survivor_migrations = producer_by_id(probe, survivor_id)->stats.migrations;

	std::atomic<bool> stop{false};
	std::atomic<std::size_t> completed{0};
	std::vector<std::thread> ts;
	for (int t = 0; t < threads; t++)
		ts.emplace_back([&, t] { files[static_cast<std::size_t>(t)]->run(t, stop, completed); });
	// Nothing may throw until the threads are joined.
	const bool warmed = eventually([&] { return completed.load() >= 2000; }, 120000);
	const std::size_t at_unplug = completed.load();
	const int unplugged = unplug(victim);
	const bool went_on = eventually([&] { return completed.load() >= at_unplug + 3000; }, 120000);
	stop = true;
	for (auto &t : ts)
		t.join();

	INFO("unplugged " << null_name(victim) << " (id " << victim_id << ") after " << at_unplug
			  << " completions; " << moving << " sessions were on it");
	CHECK(warmed);
	CHECK(unplugged == 0);
	CHECK(went_on);
	for (auto &f : files) {
		report(f->problems);
		CHECK(f->submitted == f->completed);
		CHECK(f->submitted > 0);
	}
	CHECK_FALSE(producer_by_id(probe, victim_id));

	// Every session now on the survivor; the moved ones say so.
	for (int t = 0; t < threads; t++) {
		auto list = sessions(files[static_cast<std::size_t>(t)]->dev);
		CHECK(list.size() == per_file);
		for (const auto &s : list) {
			INFO("session " << s.session << " of file " << t);
			CHECK(s.producer == survivor_id);
			if (on_victim[static_cast<std::size_t>(t)].count(s.session))
				CHECK(s.stats.migrations >= 1);
		}
	}
	auto survivor = producer_by_id(probe, survivor_id);
	REQUIRE(survivor);
	CHECK(survivor->stats.migrations >= survivor_migrations + moving);

	// Back again, under a new id; the sessions still work.
	REQUIRE(replug(victim) == 0);
	REQUIRE(eventually([&] { return producer_named(probe, null_name(victim)).has_value(); }, 5000));
	CHECK(producer_named(probe, null_name(victim))->id != victim_id);
	auto rng = make_rng("after migration");
	for (auto &f : files)
		for (auto &s : f->sessions) {
			std::string problem;
			CHECK(errname(null_op(f->dev, s->id(), rng, &problem)) == "0");
			CHECK(problem == "");
		}
}

TEST_CASE("with both null producers gone, null sessions fail with -ENODEV, and work again after a replug",
	  "[migration]")
{
	OCFT_SEED_INFO();
	null_instances_guard guard;
	auto rng = make_rng("no producer left");
	device probe;
	REQUIRE(producer_named(probe, "null0"));
	REQUIRE(producer_named(probe, "null1"));

	// Traffic on null sessions while both go away: every op completes once,
	// done (0) or refused (-ENODEV).
	traffic f(4);
	f.accept_enodev = true;
	std::atomic<bool> stop{false};
	std::atomic<std::size_t> completed{0};
	std::thread th([&] { f.run(0, stop, completed); });
	const bool warmed = eventually([&] { return completed.load() >= 500; }, 120000);
	const int r0 = unplug(0);
	const int r1 = unplug(1);
	const std::size_t at_unplug = completed.load();
	const bool went_on = eventually([&] { return completed.load() >= at_unplug + 200; }, 60000);
	stop = true;
	th.join();
	CHECK(warmed);
	CHECK(r0 == 0);
	CHECK(r1 == 0);
	CHECK(went_on);
	report(f.problems);
	CHECK(f.submitted == f.completed);
	CHECK(f.failed_enodev > 0);

	// Now every null op fails with -ENODEV, synchronous or not.
	const alg &null = find_alg("null");
	for (auto &s : f.sessions) {
		CHECK(errname(null_op(f.dev, s->id(), rng, nullptr)) == errname(-ENODEV));
		auto info = session_info(f.dev, s->id());
		REQUIRE(info);
		CHECK(info->producer == 0);
	}
	{
		bytes data = random_bytes(rng, 64);
		buffer src(64, 1);
		src.assign(data);
		ocf_op op{};
		ocf_op_cipher(&op, f.sessions[0]->id(), OCF_OP_ENCRYPT, src.data(), nullptr, 64, nullptr);
		op.tag = 4242;
		REQUIRE(ocf_submit(f.dev.get(), &op, 1) == 1);
		auto c = reap_n(f.dev, 1, 30000);
		REQUIRE(c.size() == 1);
		CHECK(c[0].tag == 4242);
		CHECK(errname(c[0].status) == errname(-ENODEV));
	}
	// No producer offers the null cipher: no new session either.
	std::uint32_t id = 0;
	CHECK(errname(new_session(f.dev, null, keys{}, &id)) == errname(-EOPNOTSUPP));
	// Other algorithms are not affected.
	{
		const alg &a = find_alg("aes-128-ctr");
		keys k = random_keys(a, rng);
		session s(f.dev, a, k);
		vector_case vc = make_case(a, k, rng, 500, 0);
		std::vector<prepared_ptr> ops;
		ops.push_back(prepare(vc, s.id(), OCF_OP_ENCRYPT, placements()[2]));
		REQUIRE(run_prepared(f.dev, ops) == 1);
		CHECK(ops[0]->check(ops[0]->op.status) == "");
	}

	REQUIRE(replug(0) == 0);
	REQUIRE(replug(1) == 0);
	CHECK(eventually([&] { return producer_named(probe, "null0") && producer_named(probe, "null1"); }, 5000));
	device fresh;
	session s(fresh, null, keys{});
	std::string problem;
	CHECK(errname(null_op(fresh, s.id(), rng, &problem)) == "0");
	CHECK(problem == "");
}
