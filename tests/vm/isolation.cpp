// Isolation: sessions belong to the open file. Another process's file can
// neither use nor see them; OCF_LIST_ALL shows every file's sessions to root
// and is refused (-EPERM) without CAP_SYS_ADMIN, also through ocfctl.
#include "helpers.hpp"
#include "../json.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <filesystem>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

using namespace ocft;

namespace {

// /dev/ocf must be usable by nobody for the unprivileged cases: mode 0666,
// restored afterwards if it was not.
class world_usable_device {
public:
	world_usable_device()
	{
		struct stat st {};
		if (::stat(OCF_DEVICE_PATH, &st))
			throw std::runtime_error("stat " OCF_DEVICE_PATH " failed");
		old_ = st.st_mode & 07777;
		if ((old_ & 0777) != 0666) {
			if (::chmod(OCF_DEVICE_PATH, 0666))
				throw std::runtime_error("chmod " OCF_DEVICE_PATH " failed");
			changed_ = true;
		}
	}
	~world_usable_device()
	{
		if (changed_)
			::chmod(OCF_DEVICE_PATH, old_);
	}
	world_usable_device(const world_usable_device &) = delete;
	world_usable_device &operator=(const world_usable_device &) = delete;

private:
	mode_t old_ = 0;
	bool changed_ = false;
};

std::string lower(std::string s)
{
	std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
	return s;
}

// A copy of ocfctl and libocf that nobody can run even when the build tree
// lies under a private directory (CI may clone into a mode-0700 folder).
class ocfctl_copy {
public:
	ocfctl_copy()
	{
		char tmpl[] = "/tmp/ocft-ocfctl.XXXXXX";
		if (!::mkdtemp(tmpl))
			throw std::runtime_error("mkdtemp failed");
		dir_ = tmpl;
		namespace fs = std::filesystem;
		fs::permissions(dir_, fs::perms(0755));
		fs::copy_file(OCF_OCFCTL_PATH, dir_ / "ocfctl");
		fs::copy_file(OCF_LIBOCF_PATH, dir_ / OCF_LIBOCF_SONAME);
		fs::permissions(dir_ / "ocfctl", fs::perms(0755));
		fs::permissions(dir_ / OCF_LIBOCF_SONAME, fs::perms(0755));
	}
	~ocfctl_copy()
	{
		std::error_code ec;
		std::filesystem::remove_all(dir_, ec);
	}
	ocfctl_copy(const ocfctl_copy &) = delete;
	ocfctl_copy &operator=(const ocfctl_copy &) = delete;
	std::string binary() const { return (dir_ / "ocfctl").string(); }
	std::string ld_path() const { return "LD_LIBRARY_PATH=" + dir_.string(); }

private:
	std::filesystem::path dir_;
};

// How many sessions of process @pid `ocfctl sessions --json` printed in
// @output (its document, schema version 1: docs/ocfctl.md); -1 when that is
// not such a document.
long sessions_of(const std::string &output, pid_t pid)
{
	try {
		json::value doc = json::parse(output);
		if (doc.at("version").text != "1")
			return -1;
		long n = 0;
		for (const auto &s : doc.at("sessions").items)
			n += s.at("owner_pid").text == std::to_string(pid);
		return n;
	} catch (const std::exception &) {
		return -1;
	}
}

} // namespace

TEST_CASE("another process's file can neither use, free nor see this file's sessions", "[isolation]")
{
	OCFT_SEED_INFO();
	device dev;
	auto rng = make_rng("isolation");
	const alg &ctr = find_alg("aes-128-ctr");
	const alg &mac = find_alg("hmac-sha256");
	keys kc = random_keys(ctr, rng), km = random_keys(mac, rng);
	session sc(dev, ctr, kc), sm(dev, mac, km);
	vector_case vc = make_case(ctr, kc, rng, 200, 0);
	vector_case vm = make_case(mac, km, rng, 200, 0);

	child_result r = run_child([&]() -> std::string {
		device mine; // its own open of /dev/ocf
		CHILD_EXPECT(sessions(mine).empty());
		for (std::uint32_t id : {sc.id(), sm.id()}) {
			std::vector<prepared_ptr> ops;
			ops.push_back(prepare(id == sc.id() ? vc : vm, id, OCF_OP_ENCRYPT, placements()[2]));
			CHILD_EXPECT(run_prepared(mine, ops) == 1);
			CHILD_EXPECT(ops[0]->op.status == -ENOENT);
			CHILD_EXPECT(ops[0]->dst.copy() == ops[0]->dst_before);
			CHILD_EXPECT(ocf_session_free(mine.get(), id) == -ENOENT);
		}
		// Its own session is the only one it sees, and it owns it.
		session own(mine, ctr, kc);
		auto list = sessions(mine);
		CHILD_EXPECT(list.size() == 1);
		CHILD_EXPECT(list[0].session == own.id());
		CHILD_EXPECT(list[0].owner_pid == static_cast<std::uint32_t>(::getpid()));
		return "";
	});
	INFO("child: " << r.output);
	CHECK(r.ok());

	// The parent's sessions are intact.
	std::vector<prepared_ptr> ops;
	ops.push_back(prepare(vc, sc.id(), OCF_OP_ENCRYPT, placements()[2]));
	ops.push_back(prepare(vm, sm.id(), OCF_OP_ENCRYPT, placements()[0]));
	REQUIRE(run_prepared(dev, ops) == 2);
	for (const auto &p : ops) {
		INFO(p->describe());
		CHECK(p->check(p->op.status) == "");
	}
	auto list = sessions(dev);
	CHECK(list.size() == 2);
	for (const auto &s : list)
		CHECK(s.owner_pid == static_cast<std::uint32_t>(::getpid()));
}

TEST_CASE("as root, OCF_LIST_ALL lists every file's sessions with their owners", "[isolation]")
{
	OCFT_SEED_INFO();
	device dev;
	auto rng = make_rng("list all");
	const alg &ctr = find_alg("aes-128-ctr");
	const alg &sha = find_alg("sha256");
	keys kc = random_keys(ctr, rng);
	session mine(dev, ctr, kc);
	pid_t child_pid = 0;

	child_result r = run_child_paused(
		[&](const child_sync &sync) -> std::string {
			device theirs;
			session a(theirs, ctr, kc), b(theirs, sha, keys{});
			sync.notify();
			sync.wait();
			return "";
		},
		[&](pid_t child) {
			child_pid = child;
			auto all = sessions(dev, OCF_LIST_ALL);
			std::size_t of_child = 0, of_ours = 0;
			bool saw_sha = false;
			for (const auto &s : all) {
				if (s.owner_pid == static_cast<std::uint32_t>(child)) {
					of_child++;
					saw_sha |= s.mac == OCF_HASH_SHA256 && s.cipher == OCF_ALG_NONE;
				}
				if (s.owner_pid == static_cast<std::uint32_t>(::getpid()) && s.session == mine.id() &&
				    s.cipher == OCF_CIPHER_AES_CTR)
					of_ours++;
			}
			CHECK(of_child == 2);
			CHECK(saw_sha);
			CHECK(of_ours == 1);
			// Without the flag: this file's only.
			auto own = sessions(dev);
			REQUIRE(own.size() == 1);
			CHECK(own[0].session == mine.id());
		});
	CHECK(r.paused);
	INFO("child: " << r.output);
	CHECK(r.ok());
	// The child's file is gone, and its sessions with it.
	CHECK(eventually(
		[&] {
			for (const auto &s : sessions(dev, OCF_LIST_ALL))
				if (s.owner_pid == static_cast<std::uint32_t>(child_pid))
					return false;
			return true;
		},
		10000));
}

TEST_CASE("without CAP_SYS_ADMIN, OCF_LIST_ALL fails with -EPERM", "[isolation]")
{
	OCFT_SEED_INFO();
	world_usable_device mode;
	device dev;
	auto rng = make_rng("list all as nobody");
	const alg &ctr = find_alg("aes-128-ctr");
	keys kc = random_keys(ctr, rng);
	session rootsession(dev, ctr, kc); // something the flag would show
	vector_case vc = make_case(ctr, kc, rng, 300, 0);

	child_result r = run_child([&]() -> std::string {
		std::string e = drop_to_nobody();
		if (!e.empty())
			return e;
		device mine;
		ocf_session_info buf[8];
		CHILD_EXPECT(ocf_sessions(mine.get(), OCF_LIST_ALL, buf, 8) == -EPERM);
		struct ocf_list l {};
		l.size = sizeof(l);
		l.flags = OCF_LIST_ALL;
		l.entries = uptr(buf);
		l.entry_size = sizeof(buf[0]);
		l.max = 8;
		CHILD_EXPECT(xioctl(mine.fd(), OCF_IOC_SESSIONS, &l) == -EPERM);
		// Its own sessions are its business, and it can use the device.
		CHILD_EXPECT(ocf_sessions(mine.get(), 0, buf, 8) == 0);
		session s(mine, ctr, kc);
		CHILD_EXPECT(ocf_sessions(mine.get(), 0, buf, 8) == 1);
		std::vector<prepared_ptr> ops;
		ops.push_back(prepare(vc, s.id(), OCF_OP_ENCRYPT, placements()[3]));
		CHILD_EXPECT(run_prepared(mine, ops) == 1);
		CHILD_EXPECT(ops[0]->check(ops[0]->op.status) == "");
		return "";
	});
	INFO("child: " << r.output);
	CHECK(r.ok());
}

TEST_CASE("ocfctl sessions --all works as root and is refused, with the reason, as nobody", "[isolation]")
{
	OCFT_SEED_INFO();
	device dev;
	auto rng = make_rng("ocfctl sessions");
	const alg &ctr = find_alg("aes-128-ctr");
	session s(dev, ctr, random_keys(ctr, rng));

	child_result root = run_command({OCF_OCFCTL_PATH, "sessions", "--all"});
	{
		INFO("ocfctl sessions --all as root:\n" << root.output);
		CHECK(root.exit_code() == 0);
	}

	world_usable_device mode;
	ocfctl_copy copy;
	child_result nobody = run_command({copy.binary(), "sessions", "--all"}, true, {copy.ld_path()});
	INFO("ocfctl sessions --all as nobody:\n" << nobody.output);
	CHECK(nobody.exit_code() != 0);
	CHECK(nobody.exit_code() < 126); // it ran, and refused
	std::string out = lower(nobody.output);
	CHECK((out.find("root") != std::string::npos || out.find("cap_sys_admin") != std::string::npos));
}

TEST_CASE("ocfctl sessions lists the caller's own sessions from all its processes, no one else's", "[isolation]")
{
	OCFT_SEED_INFO();
	device dev;
	auto rng = make_rng("ocfctl sessions mine");
	const alg &ctr = find_alg("aes-128-ctr");
	session s(dev, ctr, random_keys(ctr, rng));

	// Root's ocfctl, another process, sees this process's session.
	child_result root = run_command({OCF_OCFCTL_PATH, "sessions", "--json"});
	INFO("ocfctl sessions --json as root:\n" << root.output);
	CHECK(root.exit_code() == 0);
	CHECK(sessions_of(root.output, ::getpid()) == 1);

	// Nobody's does not: it is root's.
	world_usable_device mode;
	ocfctl_copy copy;
	child_result nobody = run_command({copy.binary(), "sessions", "--json"}, true, {copy.ld_path()});
	INFO("ocfctl sessions --json as nobody:\n" << nobody.output);
	CHECK(nobody.exit_code() == 0);
	CHECK(sessions_of(nobody.output, ::getpid()) == 0);
}
