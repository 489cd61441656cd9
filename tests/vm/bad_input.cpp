// Bad input, ioctl by ioctl: every kind of invalid field gets the errno the
// uapi header documents, the rest of a batch is unaffected, and the module
// keeps working afterwards.
//
// Where the header leaves the level open (an op's reserved fields, flags,
// direction or unknown tail are not in the per-operation error list, and the
// batch "could not be read" errors are -EINVAL/-E2BIG too), a row accepts the
// errno either from the ioctl or as that op's status ("either" rows).
#include "helpers.hpp"

#include <catch2/catch.hpp>

#include <cerrno>
#include <csignal>
#include <cstddef>
#include <cstring>
#include <deque>
#include <map>
#include <set>
#include <type_traits>
#include <unistd.h>

using namespace ocft;

namespace {

// A struct followed by room for a "newer program's" tail.
template <class T>
struct padded {
	T v{};
	std::uint64_t tail[4]{};
};
static_assert(offsetof(padded<struct ocf_session_new>, tail) == sizeof(struct ocf_session_new));
static_assert(offsetof(padded<struct ocf_batch>, tail) == sizeof(struct ocf_batch));
static_assert(offsetof(padded<struct ocf_reap>, tail) == sizeof(struct ocf_reap));
static_assert(offsetof(padded<struct ocf_list>, tail) == sizeof(struct ocf_list));
static_assert(offsetof(padded<struct ocf_version>, tail) == sizeof(struct ocf_version));

template <class T>
void set_size(padded<T> &p, std::size_t n)
{
	p.v.size = static_cast<std::uint32_t>(n);
}

// The smallest size the kernel takes: the struct's first version (uapi).
template <class T>
constexpr std::uint32_t first_version_size()
{
	if constexpr (std::is_same_v<T, struct ocf_version>)
		return OCF_VERSION_SIZE_VER0;
	else if constexpr (std::is_same_v<T, struct ocf_session_new>)
		return OCF_SESSION_NEW_SIZE_VER0;
	else if constexpr (std::is_same_v<T, struct ocf_batch>)
		return OCF_BATCH_SIZE_VER0;
	else if constexpr (std::is_same_v<T, struct ocf_reap>)
		return OCF_REAP_SIZE_VER0;
	else
		return OCF_LIST_SIZE_VER0;
}

// Rows shared by every struct that starts with @size.
template <class T>
struct row {
	std::string what;
	std::function<void(padded<T> &)> mutate;
	int err;       // positive errno, 0 = must succeed
	int alt = -1;  // another acceptable errno, where the header allows two
};

template <class T>
std::vector<row<T>> size_rows()
{
	return {
		{"size 0", [](padded<T> &p) { set_size(p, 0); }, EINVAL},
		{"size 8", [](padded<T> &p) { set_size(p, 8); }, EINVAL},
		{"size one u64 short of the first version",
		 [](padded<T> &p) { set_size(p, first_version_size<T>() - 8); }, EINVAL},
		{"the first version's size", [](padded<T> &p) { set_size(p, first_version_size<T>()); }, 0},
		{"a size over a page", [](padded<T> &p) { set_size(p, 4096 + 8); }, E2BIG},
		{"a larger size with a non-zero tail",
		 [](padded<T> &p) {
			 set_size(p, sizeof(p));
			 p.tail[3] = 1;
		 },
		 E2BIG},
		{"a larger size with a zero tail", [](padded<T> &p) { set_size(p, sizeof(p)); }, 0},
	};
}

bool matches(int ret, int err, int alt) { return ret == -err || (alt >= 0 && ret == -alt); }

// A SIGALRM that interrupts a blocking ioctl instead of killing the test.
class alarm_guard {
public:
	explicit alarm_guard(unsigned seconds)
	{
		struct sigaction sa {};
		sa.sa_handler = [](int) {};
		sigemptyset(&sa.sa_mask);
		sigaction(SIGALRM, &sa, &old_);
		alarm(seconds);
	}
	~alarm_guard()
	{
		alarm(0);
		sigaction(SIGALRM, &old_, nullptr);
	}

private:
	struct sigaction old_ {};
};

constexpr std::uint32_t unknown_session = 0xfffffff0u;

// Sessions of each kind, buffers and bad pointers for the op-level rows.
struct fixture {
	device dev, other;
	std::mt19937_64 rng = make_rng("bad input");
	bad_pages bad;
	std::map<std::string, keys> k;
	std::map<std::string, std::unique_ptr<session>> s;
	std::vector<std::unique_ptr<session>> other_sessions;
	std::uint32_t foreign_id = 0; // valid in @other only
	buffer src{256, 1}, dst{256, 3};
	bytes src_init, iv;
	std::uint32_t max_op_len = static_cast<std::uint32_t>(ocf_param("max_op_len"));
	buffer big{std::size_t(max_op_len) + 1, 1};

	fixture()
	{
		for (const char *name : {"aes-128-ctr", "aes-128-cbc", "des-cbc", "3des-cbc", "hmac-sha256",
					 "aes-128-gcm", "aes-128-cbc+hmac-sha1 encrypt-then-mac"}) {
			const alg &a = find_alg(name);
			k[name] = random_keys(a, rng);
			s[name] = std::make_unique<session>(dev, a, k[name]);
		}
		std::set<std::uint32_t> ours;
		for (const auto &[name, ss] : s)
			ours.insert(ss->id());
		const alg &ctr = find_alg("aes-128-ctr");
		for (int i = 0; i < 64 && !foreign_id; i++) {
			other_sessions.push_back(std::make_unique<session>(other, ctr, k["aes-128-ctr"]));
			if (!ours.count(other_sessions.back()->id()))
				foreign_id = other_sessions.back()->id();
		}
		src_init = random_bytes(rng, 256);
		src.assign(src_init);
		iv = random_bytes(rng, 16);
	}

	std::uint32_t id(const std::string &name) const { return s.at(name)->id(); }

	// A valid op of each kind over src (in place) with explicit IV.
	ocf_op op(const std::string &name)
	{
		src.assign(src_init);
		ocf_op o{};
		o.session = id(name);
		o.op = OCF_OP_ENCRYPT;
		o.src = uptr(src.data());
		o.iv = uptr(iv.data());
		if (name == "hmac-sha256") {
			o.len = 256;
			o.auth_len = 224;
			o.mac_offset = 224;
			o.iv = 0;
		} else if (name == "aes-128-gcm") {
			o.len = 256;
			o.auth_len = 16;
			o.cipher_offset = 16;
			o.cipher_len = 224;
			o.mac_offset = 240;
		} else if (name == "aes-128-cbc+hmac-sha1 encrypt-then-mac") {
			o.len = 244;
			o.auth_len = 224;
			o.cipher_offset = 16;
			o.cipher_len = 208;
			o.mac_offset = 224;
		} else {
			o.len = 256;
			o.cipher_len = 256;
		}
		return o;
	}
};

// The op-level table: a mutation of a valid op and its errno.
struct op_row {
	std::string what;
	std::string session;
	std::function<void(ocf_op &, fixture &)> mutate;
	int err;
	bool either = false; // the ioctl's errno or the op's status
};

std::vector<op_row> op_rows()
{
	const std::string ctr = "aes-128-ctr", cbc = "aes-128-cbc", des = "des-cbc", tdes = "3des-cbc",
			  hmac = "hmac-sha256", gcm = "aes-128-gcm", chain = "aes-128-cbc+hmac-sha1 encrypt-then-mac";
	using F = fixture;
	return {
		{"a session id this file never had", ctr, [](ocf_op &o, F &) { o.session = unknown_session; }, ENOENT},
		{"a session id of another open file", ctr, [](ocf_op &o, F &f) { o.session = f.foreign_id; }, ENOENT},
		{"src on a PROT_NONE page", ctr, [](ocf_op &o, F &f) { o.src = uptr(f.bad.none()); }, EFAULT},
		{"src at a kernel address", ctr, [](ocf_op &o, F &) { o.src = bad_pages::kernel_address(); }, EFAULT},
		{"src NULL", ctr, [](ocf_op &o, F &) { o.src = 0; }, EFAULT},
		{"src running into a PROT_NONE page", ctr, [](ocf_op &o, F &f) { o.src = uptr(f.bad.straddle(100)); },
		 EFAULT},
		{"dst on a PROT_NONE page", ctr, [](ocf_op &o, F &f) { o.dst = uptr(f.bad.none()); }, EFAULT},
		{"dst on a read-only page", ctr, [](ocf_op &o, F &f) { o.dst = uptr(f.bad.ro()); }, EFAULT},
		{"dst running into a PROT_NONE page", ctr, [](ocf_op &o, F &f) { o.dst = uptr(f.bad.straddle(100)); },
		 EFAULT},
		{"the IV on a PROT_NONE page", cbc, [](ocf_op &o, F &f) { o.iv = uptr(f.bad.none()); }, EFAULT},
		{"cipher_offset 0xffffffff", ctr,
		 [](ocf_op &o, F &) {
			 o.cipher_offset = 0xffffffffu;
			 o.cipher_len = 16;
		 },
		 EINVAL},
		{"cipher_offset + cipher_len wrapping to 0", ctr,
		 [](ocf_op &o, F &) {
			 o.cipher_offset = 16;
			 o.cipher_len = 0xfffffff0u;
		 },
		 EINVAL},
		{"a cipher region one byte past len", ctr, [](ocf_op &o, F &) { o.cipher_len = o.len + 1; }, EINVAL},
		{"a cipher region starting inside and ending past len", ctr,
		 [](ocf_op &o, F &) {
			 o.cipher_offset = 250;
			 o.cipher_len = 16;
		 },
		 EINVAL},
		{"an auth region one byte past len", hmac,
		 [](ocf_op &o, F &) {
			 o.auth_len = 257;
		 },
		 EINVAL},
		{"auth_offset 0xffffffff", hmac,
		 [](ocf_op &o, F &) {
			 o.auth_offset = 0xffffffffu;
			 o.auth_len = 1;
		 },
		 EINVAL},
		{"auth_offset + auth_len wrapping", hmac,
		 [](ocf_op &o, F &) {
			 o.auth_offset = 8;
			 o.auth_len = 0xfffffff8u;
		 },
		 EINVAL},
		{"a MAC that does not fit before len", hmac, [](ocf_op &o, F &) { o.mac_offset = 256 - 31; }, EINVAL},
		{"mac_offset 0xffffffff", hmac, [](ocf_op &o, F &) { o.mac_offset = 0xffffffffu; }, EINVAL},
		{"mac_offset + MAC length wrapping", hmac, [](ocf_op &o, F &) { o.mac_offset = 0xffffffe8u; }, EINVAL},
		{"an IV in the buffer that does not fit", cbc,
		 [](ocf_op &o, F &) {
			 o.flags = OCF_OP_IV_IN_BUFFER;
			 o.iv = 0;
			 o.iv_offset = 256 - 15;
		 },
		 EINVAL},
		{"iv_offset 0xfffffff8 (wrapping)", cbc,
		 [](ocf_op &o, F &) {
			 o.flags = OCF_OP_IV_IN_BUFFER;
			 o.iv = 0;
			 o.iv_offset = 0xfffffff8u;
		 },
		 EINVAL},
		{"AES-CBC over 17 bytes", cbc, [](ocf_op &o, F &) { o.cipher_len = 17; }, EINVAL},
		{"AES-CBC over 15 bytes", cbc, [](ocf_op &o, F &) { o.cipher_len = 15; }, EINVAL},
		{"AES-CBC over 8 bytes", cbc, [](ocf_op &o, F &) { o.cipher_len = 8; }, EINVAL},
		{"DES-CBC over 12 bytes", des, [](ocf_op &o, F &) { o.cipher_len = 12; }, EINVAL},
		{"3DES-CBC over 20 bytes", tdes, [](ocf_op &o, F &) { o.cipher_len = 20; }, EINVAL},
		{"a chain's CBC region of 200 bytes", chain, [](ocf_op &o, F &) { o.cipher_len = 200; }, EINVAL},
		{"AEAD: AAD not ending where the text starts", gcm, [](ocf_op &o, F &) { o.auth_len = 8; }, EINVAL},
		{"AEAD: the tag not right after the text", gcm, [](ocf_op &o, F &) { o.cipher_len = 200; }, EINVAL},
		{"len one byte over max_op_len", ctr,
		 [](ocf_op &o, F &f) {
			 o.src = uptr(f.big.data());
			 o.len = f.max_op_len + 1;
			 o.cipher_len = o.len;
		 },
		 E2BIG},
		{"direction 2", ctr, [](ocf_op &o, F &) { o.op = 2; }, EINVAL, true},
		{"direction 0xffffffff", ctr, [](ocf_op &o, F &) { o.op = 0xffffffffu; }, EINVAL, true},
		{"op flag bit 1", ctr, [](ocf_op &o, F &) { o.flags = 1u << 1; }, EINVAL, true},
		{"op flag bit 31", ctr, [](ocf_op &o, F &) { o.flags = 1u << 31; }, EINVAL, true},
		{"op reserved0", ctr, [](ocf_op &o, F &) { o.reserved0 = 1; }, EINVAL, true},
		{"op reserved[0]", ctr, [](ocf_op &o, F &) { o.reserved[0] = 1; }, EINVAL, true},
		{"op reserved[1]", ctr, [](ocf_op &o, F &) { o.reserved[1] = 1ull << 63; }, EINVAL, true},
	};
}

// Two good ops to surround a bad one: they must not be affected.
struct good_pair {
	std::deque<vector_case> cases;
	std::vector<prepared_ptr> ops;
	good_pair(fixture &f)
	{
		const alg &a = find_alg("aes-128-ctr");
		for (int i = 0; i < 2; i++) {
			cases.push_back(make_case(a, f.k["aes-128-ctr"], f.rng, 64, 0));
			ops.push_back(prepare(cases.back(), f.id("aes-128-ctr"), OCF_OP_ENCRYPT, placements()[2 + i],
					      1000 + std::uint64_t(i)));
		}
	}
};

void expect_module_works(fixture &f)
{
	good_pair g(f);
	REQUIRE(run_prepared(f.dev, g.ops) == 2);
	CHECK(g.ops[0]->check(g.ops[0]->op.status) == "");
	CHECK(g.ops[1]->check(g.ops[1]->op.status) == "");
}

} // namespace

TEST_CASE("OCF_IOC_VERSION: bad fields get their errno", "[bad-input]")
{
	device dev;
	bad_pages bad;
	auto rows = size_rows<struct ocf_version>();
	rows.push_back({"reserved[0]", [](padded<struct ocf_version> &p) { p.v.reserved[0] = 1; }, EINVAL});
	rows.push_back({"reserved[1]", [](padded<struct ocf_version> &p) { p.v.reserved[1] = 1ull << 63; }, EINVAL});
	for (const auto &r : rows) {
		INFO(r.what);
		padded<struct ocf_version> p;
		p.v.size = sizeof(p.v);
		r.mutate(p);
		CHECK(errname(xioctl(dev.fd(), OCF_IOC_VERSION, &p)) == errname(-r.err));
		if (r.err == 0)
			CHECK(p.v.abi_version == OCF_ABI_VERSION);
	}
	struct ocf_version valid {};
	valid.size = sizeof(valid);
	const std::uint64_t ro = uptr(bad.ro_with(&valid, sizeof(valid)));
	for (std::uint64_t ptr : {std::uint64_t(0), uptr(bad.none()), ro, bad_pages::kernel_address()}) {
		INFO("struct at " << std::hex << ptr << (ptr == ro ? " (read-only)" : ""));
		CHECK(errname(xioctl(dev.fd(), OCF_IOC_VERSION, ptr)) == errname(-EFAULT));
	}
	CHECK(errname(xioctl(dev.fd(), _IO(OCF_IOC_MAGIC, 0x7f), std::uint64_t(0))) == errname(-ENOTTY));
	CHECK(errname(xioctl(dev.fd(), _IOWR(OCF_IOC_MAGIC, 0x7e, struct ocf_list), std::uint64_t(0))) ==
	      errname(-ENOTTY));
}

TEST_CASE("OCF_IOC_SESSION_NEW: bad fields get their errno", "[bad-input]")
{
	OCFT_SEED_INFO();
	device dev;
	bad_pages bad;
	auto rng = make_rng("bad session_new");
	const bytes ckey = random_bytes(rng, 128), mkey = random_bytes(rng, 128);
	auto null0 = producer_named(dev, "null0");
	auto swcrypt = producer_named(dev, "swcrypt");
	REQUIRE(null0);
	REQUIRE(swcrypt);
	using P = padded<struct ocf_session_new>;
	const std::uint64_t ck = uptr(ckey.data()), mk = uptr(mkey.data());
	auto cipher = [ck](std::uint32_t c, std::uint32_t len) {
		return [=](P &p) {
			p.v.cipher = c;
			p.v.cipher_key = ck;
			p.v.cipher_key_len = len;
		};
	};
	auto mac = [mk](std::uint32_t m, std::uint32_t len, std::uint32_t mac_len = 0) {
		return [=](P &p) {
			p.v.cipher = OCF_ALG_NONE;
			p.v.cipher_key = 0;
			p.v.cipher_key_len = 0;
			p.v.mac = m;
			p.v.mac_key = len ? mk : 0;
			p.v.mac_key_len = len;
			p.v.mac_len = mac_len;
		};
	};
	auto both = [](std::function<void(P &)> a, std::function<void(P &)> b) {
		return [=](P &p) {
			b(p);
			std::uint32_t m = p.v.mac, ml = p.v.mac_key_len, tl = p.v.mac_len;
			std::uint64_t mkp = p.v.mac_key;
			a(p);
			p.v.mac = m;
			p.v.mac_key = mkp;
			p.v.mac_key_len = ml;
			p.v.mac_len = tl;
		};
	};

	auto rows = size_rows<struct ocf_session_new>();
	std::vector<row<struct ocf_session_new>> more = {
		{"the base row itself (AES-128-CBC)", [](P &) {}, 0},
		{"flag bit 1", [](P &p) { p.v.flags = 1u << 1; }, EINVAL},
		{"flag bit 31", [](P &p) { p.v.flags = 1u << 31; }, EINVAL},
		{"reserved[0]", [](P &p) { p.v.reserved[0] = 1; }, EINVAL},
		{"reserved[1]", [](P &p) { p.v.reserved[1] = 1ull << 63; }, EINVAL},
		{"cipher 7 (unassigned)", cipher(7, 16), EOPNOTSUPP},
		{"cipher 31 (unassigned)", cipher(31, 16), EOPNOTSUPP},
		{"cipher 0xffffffff", cipher(0xffffffffu, 16), EOPNOTSUPP},
		{"a MAC in the cipher field", cipher(OCF_MAC_HMAC_SHA1, 16), EOPNOTSUPP},
		{"mac 37 (unassigned)", mac(37, 0), EOPNOTSUPP},
		{"mac 47 (unassigned)", mac(47, 0), EOPNOTSUPP},
		{"mac 54 (unassigned)", mac(54, 0), EOPNOTSUPP},
		{"mac 64 (OCF_ALG_MAX)", mac(64, 0), EOPNOTSUPP},
		{"mac 0xffffffff", mac(0xffffffffu, 0), EOPNOTSUPP},
		{"a cipher in the mac field", mac(OCF_CIPHER_AES_CBC, 0), EOPNOTSUPP},
		{"no algorithm at all", mac(OCF_ALG_NONE, 0), EOPNOTSUPP, EINVAL},
		{"AES-GCM with HMAC-SHA256", both(cipher(OCF_AEAD_AES_GCM, 16), mac(OCF_MAC_HMAC_SHA256, 32)),
		 EOPNOTSUPP},
		{"AES-GCM with SHA-256", both(cipher(OCF_AEAD_AES_GCM, 16), mac(OCF_HASH_SHA256, 0)), EOPNOTSUPP},
		{"AES-CBC key 0", cipher(OCF_CIPHER_AES_CBC, 0), EINVAL},
		{"AES-CBC key 8", cipher(OCF_CIPHER_AES_CBC, 8), EINVAL},
		{"AES-CBC key 15", cipher(OCF_CIPHER_AES_CBC, 15), EINVAL},
		{"AES-CBC key 17", cipher(OCF_CIPHER_AES_CBC, 17), EINVAL},
		{"AES-CBC key 31", cipher(OCF_CIPHER_AES_CBC, 31), EINVAL},
		{"AES-CBC key 33", cipher(OCF_CIPHER_AES_CBC, 33), EINVAL},
		{"AES-CBC key 0xffffffff", cipher(OCF_CIPHER_AES_CBC, 0xffffffffu), EINVAL},
		{"AES-CTR key 20", cipher(OCF_CIPHER_AES_CTR, 20), EINVAL},
		{"AES-GCM key 20", cipher(OCF_AEAD_AES_GCM, 20), EINVAL},
		{"DES key 7", cipher(OCF_CIPHER_DES_CBC, 7), EINVAL},
		{"DES key 16", cipher(OCF_CIPHER_DES_CBC, 16), EINVAL},
		{"3DES key 8", cipher(OCF_CIPHER_3DES_CBC, 8), EINVAL},
		{"3DES key 16", cipher(OCF_CIPHER_3DES_CBC, 16), EINVAL},
		{"3DES key 32", cipher(OCF_CIPHER_3DES_CBC, 32), EINVAL},
		{"HMAC key 129", mac(OCF_MAC_HMAC_SHA1, 129), EINVAL},
		{"HMAC key 0xffffffff", mac(OCF_MAC_HMAC_SHA1, 0xffffffffu), EINVAL},
		{"HMAC-SHA1 mac_len 21", mac(OCF_MAC_HMAC_SHA1, 20, 21), EINVAL},
		{"HMAC-SHA512 mac_len 65", mac(OCF_MAC_HMAC_SHA512, 64, 65), EINVAL},
		{"SHA-256 mac_len 33", mac(OCF_HASH_SHA256, 0, 33), EINVAL},
		{"AES-GCM tag 3",
		 [c = cipher(OCF_AEAD_AES_GCM, 16)](P &p) {
			 c(p);
			 p.v.mac_len = 3;
		 },
		 EINVAL},
		{"AES-GCM tag 17",
		 [c = cipher(OCF_AEAD_AES_GCM, 16)](P &p) {
			 c(p);
			 p.v.mac_len = 17;
		 },
		 EINVAL},
		{"the cipher key on a PROT_NONE page", [&](P &p) { p.v.cipher_key = uptr(bad.none()); }, EFAULT},
		{"the cipher key at a kernel address", [](P &p) { p.v.cipher_key = bad_pages::kernel_address(); },
		 EFAULT},
		{"the cipher key NULL", [](P &p) { p.v.cipher_key = 0; }, EFAULT},
		{"the cipher key running into a PROT_NONE page", [&](P &p) { p.v.cipher_key = uptr(bad.straddle(8)); },
		 EFAULT},
		{"the HMAC key on a PROT_NONE page",
		 [&, m = mac(OCF_MAC_HMAC_SHA256, 32)](P &p) {
			 m(p);
			 p.v.mac_key = uptr(bad.none());
		 },
		 EFAULT},
		{"a producer id that does not exist", [](P &p) { p.v.producer = 0xfffffff0u; }, ENOENT},
		{"AES pinned to null0", [id = null0->id](P &p) { p.v.producer = id; }, EOPNOTSUPP},
		{"the null cipher pinned to swcrypt",
		 [id = swcrypt->id, c = cipher(OCF_CIPHER_NULL, 0)](P &p) {
			 c(p);
			 p.v.cipher_key = 0;
			 p.v.producer = id;
		 },
		 EOPNOTSUPP},
	};
	rows.insert(rows.end(), more.begin(), more.end());

	for (const auto &r : rows) {
		INFO(r.what);
		P p;
		p.v.size = sizeof(p.v);
		p.v.cipher = OCF_CIPHER_AES_CBC;
		p.v.cipher_key = ck;
		p.v.cipher_key_len = 16;
		r.mutate(p);
		int ret = xioctl(dev.fd(), OCF_IOC_SESSION_NEW, &p);
		if (r.alt >= 0 && matches(ret, r.err, r.alt))
			CHECK(matches(ret, r.err, r.alt));
		else
			CHECK(errname(ret) == errname(-r.err));
		if (ret == 0) {
			std::uint32_t id = p.v.session;
			CHECK(xioctl(dev.fd(), OCF_IOC_SESSION_FREE, &id) == 0);
		}
	}
	for (std::uint64_t ptr : {std::uint64_t(0), uptr(bad.none()), bad_pages::kernel_address()}) {
		INFO("struct at " << std::hex << ptr);
		CHECK(errname(xioctl(dev.fd(), OCF_IOC_SESSION_NEW, ptr)) == errname(-EFAULT));
	}
	// Nothing above left a session behind.
	CHECK(sessions(dev).empty());
}

TEST_CASE("OCF_IOC_SESSION_NEW: the file's session limit gives -ENOSPC", "[bad-input]")
{
	OCFT_SEED_INFO();
	auto rng = make_rng("session limit");
	const alg &a = find_alg("aes-128-ctr");
	keys k = random_keys(a, rng);
	param_override lower(std::string(ocf_params) + "max_sessions", "3");
	device dev, second;
	std::uint32_t ids[4] = {};
	for (int i = 0; i < 3; i++)
		REQUIRE(new_session(dev, a, k, &ids[i]) == 0);
	CHECK(errname(new_session(dev, a, k, &ids[3])) == errname(-ENOSPC));
	// The limit is per file.
	std::uint32_t other = 0;
	CHECK(new_session(second, a, k, &other) == 0);
	// Freeing one makes room again.
	REQUIRE(ocf_session_free(dev.get(), ids[1]) == 0);
	CHECK(new_session(dev, a, k, &ids[1]) == 0);
	CHECK(errname(new_session(dev, a, k, &ids[3])) == errname(-ENOSPC));
	CHECK(sessions(dev).size() == 3);
}

TEST_CASE("OCF_IOC_SESSION_FREE: unknown and foreign ids get -ENOENT, bad pointers -EFAULT", "[bad-input]")
{
	OCFT_SEED_INFO();
	fixture f;
	device fresh;
	bad_pages &bad = f.bad;
	for (std::uint32_t id : {0u, 1u, 2u, 0x7fffffffu, 0xffffffffu}) {
		INFO("id " << id << " on a file with no sessions");
		CHECK(errname(xioctl(fresh.fd(), OCF_IOC_SESSION_FREE, &id)) == errname(-ENOENT));
		CHECK(errname(ocf_session_free(fresh.get(), id)) == errname(-ENOENT));
	}
	// Another file's session: not freed, and still usable by its owner.
	std::uint32_t foreign = f.foreign_id;
	REQUIRE(foreign != 0);
	CHECK(errname(xioctl(f.dev.fd(), OCF_IOC_SESSION_FREE, &foreign)) == errname(-ENOENT));
	{
		const alg &a = find_alg("aes-128-ctr");
		vector_case vc = make_case(a, f.k["aes-128-ctr"], f.rng, 100, 0);
		std::vector<prepared_ptr> ops;
		ops.push_back(prepare(vc, foreign, OCF_OP_ENCRYPT, placements()[2]));
		REQUIRE(run_prepared(f.other, ops) == 1);
		CHECK(ops[0]->check(ops[0]->op.status) == "");
	}
	for (std::uint64_t ptr : {std::uint64_t(0), uptr(bad.none()), bad_pages::kernel_address()}) {
		INFO("id at " << std::hex << ptr);
		CHECK(errname(xioctl(f.dev.fd(), OCF_IOC_SESSION_FREE, ptr)) == errname(-EFAULT));
	}
	// A double free.
	const alg &a = find_alg("sha1");
	std::uint32_t id = 0;
	REQUIRE(new_session(f.dev, a, keys{}, &id) == 0);
	CHECK(xioctl(f.dev.fd(), OCF_IOC_SESSION_FREE, &id) == 0);
	CHECK(errname(xioctl(f.dev.fd(), OCF_IOC_SESSION_FREE, &id)) == errname(-ENOENT));
	expect_module_works(f);
}

TEST_CASE("OCF_IOC_RUN and OCF_IOC_SUBMIT: bad batches are refused whole", "[bad-input]")
{
	OCFT_SEED_INFO();
	fixture f;
	using P = padded<struct ocf_batch>;
	std::vector<ocf_op> many(OCF_MAX_BATCH + 1);
	auto rows = size_rows<struct ocf_batch>();
	std::vector<row<struct ocf_batch>> more = {
		{"op_size 0", [](P &p) { p.v.op_size = 0; }, EINVAL},
		{"op_size 8", [](P &p) { p.v.op_size = 8; }, EINVAL},
		{"op_size one u64 short", [](P &p) { p.v.op_size = sizeof(ocf_op) - 8; }, EINVAL},
		{"flags 1", [](P &p) { p.v.flags = 1; }, EINVAL},
		{"flags bit 31", [](P &p) { p.v.flags = 1u << 31; }, EINVAL},
		{"reserved0", [](P &p) { p.v.reserved0 = 1; }, EINVAL},
		{"reserved[0]", [](P &p) { p.v.reserved[0] = 1; }, EINVAL},
		{"reserved[1]", [](P &p) { p.v.reserved[1] = 1ull << 63; }, EINVAL},
		{"count 0", [](P &p) { p.v.count = 0; }, EINVAL},
		{"count OCF_MAX_BATCH + 1",
		 [&](P &p) {
			 p.v.ops = uptr(many.data());
			 p.v.count = OCF_MAX_BATCH + 1;
		 },
		 EINVAL},
		{"ops NULL", [](P &p) { p.v.ops = 0; }, EFAULT},
		{"ops on a PROT_NONE page", [&](P &p) { p.v.ops = uptr(f.bad.none()); }, EFAULT},
		{"ops at a kernel address", [](P &p) { p.v.ops = bad_pages::kernel_address(); }, EFAULT},
	};
	rows.insert(rows.end(), more.begin(), more.end());

	for (unsigned long req : {OCF_IOC_RUN, OCF_IOC_SUBMIT}) {
		const bool run = req == OCF_IOC_RUN;
		for (const auto &r : rows) {
			INFO((run ? "RUN: " : "SUBMIT: ") << r.what);
			ocf_op op = f.op("aes-128-ctr");
			op.tag = 5;
			for (auto &m : many)
				m = op;
			P p;
			p.v = make_batch(&op, 1);
			r.mutate(p);
			int ret = xioctl(f.dev.fd(), req, &p);
			CHECK(errname(ret) == errname(-r.err));
			if (ret == 0) {
				CHECK(p.v.done == 1);
				if (run) {
					CHECK(op.status == 0);
				} else {
					auto c = reap_n(f.dev, 1);
					REQUIRE(c.size() == 1);
					CHECK(c[0].tag == 5);
					CHECK(c[0].status == 0);
				}
			} else {
				// Refused: nothing ran, nothing was queued.
				CHECK(diff(f.src.data(), f.src_init) == "");
				CHECK_FALSE(readable(f.dev.fd(), run ? 0 : 50));
				ocf_completion c[2];
				std::uint32_t in_flight = 99;
				CHECK(raw_reap(f.dev.fd(), c, 2, 0, 0, &in_flight) == 0);
				CHECK(in_flight == 0);
			}
		}
		// The batch struct itself unreadable.
		for (std::uint64_t ptr : {std::uint64_t(0), uptr(f.bad.none()), bad_pages::kernel_address()}) {
			INFO((run ? "RUN" : "SUBMIT") << " with the batch at " << std::hex << ptr);
			CHECK(errname(xioctl(f.dev.fd(), req, ptr)) == errname(-EFAULT));
		}
		// The second op of two on a PROT_NONE page.
		{
			INFO((run ? "RUN" : "SUBMIT") << " with the ops array running into a PROT_NONE page");
			auto *ops = static_cast<ocf_op *>(f.bad.straddle(sizeof(ocf_op)));
			ops[0] = f.op("aes-128-ctr");
			struct ocf_batch b = make_batch(ops, 2);
			CHECK(errname(xioctl(f.dev.fd(), req, &b)) == errname(-EFAULT));
			reap_n(f.dev, 2, 500); // whatever was queued before the fault
		}
	}
	expect_module_works(f);
}

TEST_CASE("OCF_IOC_RUN and OCF_IOC_SUBMIT: a larger op_size strides the array", "[bad-input]")
{
	OCFT_SEED_INFO();
	fixture f;
	struct big_op {
		ocf_op op;
		std::uint64_t ext[2];
	};
	const alg &a = find_alg("aes-128-ctr");
	std::deque<vector_case> cases;
	std::vector<prepared_ptr> ops;
	for (int i = 0; i < 3; i++) {
		cases.push_back(make_case(a, f.k["aes-128-ctr"], f.rng, 100, 0));
		ops.push_back(prepare(cases.back(), f.id("aes-128-ctr"), OCF_OP_ENCRYPT, placements()[2], 40 + std::uint64_t(i)));
	}
	big_op arr[3] = {};
	for (int i = 0; i < 3; i++)
		arr[i].op = ops[static_cast<std::size_t>(i)]->op;

	SECTION("a zero tail: every op runs and gets its own status")
	{
		struct ocf_batch b = make_batch(arr, 3, sizeof(big_op));
		for (auto &x : arr)
			x.op.status = 12345;
		REQUIRE(xioctl(f.dev.fd(), OCF_IOC_RUN, &b) == 0);
		CHECK(b.done == 3);
		for (int i = 0; i < 3; i++)
			CHECK(ops[static_cast<std::size_t>(i)]->check(arr[i].op.status) == "");
	}
	SECTION("a non-zero tail in one op: -E2BIG for the batch or for that op")
	{
		arr[1].ext[1] = 1;
		struct ocf_batch b = make_batch(arr, 3, sizeof(big_op));
		int ret = xioctl(f.dev.fd(), OCF_IOC_RUN, &b);
		if (ret != -E2BIG) {
			REQUIRE(ret == 0);
			CHECK(errname(arr[1].op.status) == errname(-E2BIG));
			CHECK(ops[0]->check(arr[0].op.status) == "");
			CHECK(ops[2]->check(arr[2].op.status) == "");
		}
	}
	SECTION("SUBMIT with a zero tail: three completions with the right tags")
	{
		struct ocf_batch b = make_batch(arr, 3, sizeof(big_op));
		REQUIRE(xioctl(f.dev.fd(), OCF_IOC_SUBMIT, &b) == 0);
		CHECK(b.done == 3);
		auto c = reap_n(f.dev, 3);
		REQUIRE(c.size() == 3);
		std::set<std::uint64_t> tags;
		for (const auto &x : c) {
			REQUIRE(x.tag >= 40);
			REQUIRE(x.tag <= 42);
			tags.insert(x.tag);
			CHECK(ops[x.tag - 40]->check(x.status) == "");
		}
		CHECK(tags.size() == 3);
	}
}

TEST_CASE("OCF_IOC_RUN: a bad op fails alone with its errno, its neighbours run", "[bad-input]")
{
	OCFT_SEED_INFO();
	fixture f;
	REQUIRE(f.foreign_id != 0);
	// First, every base op is valid as it stands.
	for (const char *name : {"aes-128-ctr", "aes-128-cbc", "des-cbc", "3des-cbc", "hmac-sha256", "aes-128-gcm",
				 "aes-128-cbc+hmac-sha1 encrypt-then-mac"}) {
		INFO("the valid base op of " << name);
		ocf_op op = f.op(name);
		REQUIRE(ocf_run(f.dev.get(), &op, 1) == 1);
		CHECK(op.status == 0);
	}
	for (const auto &r : op_rows()) {
		INFO(r.what);
		good_pair g(f);
		ocf_op bad = f.op(r.session);
		r.mutate(bad, f);
		ocf_op ops[3] = {g.ops[0]->op, bad, g.ops[1]->op};
		struct ocf_batch b = make_batch(ops, 3);
		int ret = xioctl(f.dev.fd(), OCF_IOC_RUN, &b);
		if (r.either && ret == -r.err)
			continue;
		CHECK(errname(ret) == "0");
		if (ret != 0)
			continue;
		CHECK(b.done == 3);
		CHECK(errname(ops[1].status) == errname(-r.err));
		CHECK(g.ops[0]->check(ops[0].status) == "");
		CHECK(g.ops[1]->check(ops[2].status) == "");
	}
	expect_module_works(f);
}

TEST_CASE("OCF_IOC_SUBMIT: a bad op completes once with its errno, its neighbours run", "[bad-input]")
{
	OCFT_SEED_INFO();
	fixture f;
	REQUIRE(f.foreign_id != 0);
	for (const auto &r : op_rows()) {
		INFO(r.what);
		good_pair g(f);
		ocf_op bad = f.op(r.session);
		r.mutate(bad, f);
		bad.tag = 2000;
		ocf_op ops[3] = {g.ops[0]->op, bad, g.ops[1]->op};
		struct ocf_batch b = make_batch(ops, 3);
		int ret = xioctl(f.dev.fd(), OCF_IOC_SUBMIT, &b);
		if (r.either && ret == -r.err) {
			CHECK_FALSE(readable(f.dev.fd(), 50));
			continue;
		}
		CHECK(errname(ret) == "0");
		if (ret != 0)
			continue;
		auto c = reap_n(f.dev, 3, 30000);
		REQUIRE(c.size() == 3);
		std::set<std::uint64_t> tags;
		for (const auto &x : c) {
			tags.insert(x.tag);
			if (x.tag == 2000)
				CHECK(errname(x.status) == errname(-r.err));
			else if (x.tag == 1000 || x.tag == 1001)
				CHECK(g.ops[x.tag - 1000]->check(x.status) == "");
			else
				FAIL_CHECK("unexpected tag " << x.tag);
		}
		CHECK(tags.size() == 3);
		CHECK_FALSE(readable(f.dev.fd(), 0));
	}
	expect_module_works(f);
}

TEST_CASE("OCF_IOC_REAP: bad fields get their errno, and a wait never hangs", "[bad-input]")
{
	OCFT_SEED_INFO();
	fixture f;
	using P = padded<struct ocf_reap>;
	ocf_completion buf[8];
	auto rows = size_rows<struct ocf_reap>();
	std::vector<row<struct ocf_reap>> more = {
		{"flag bit 1", [](P &p) { p.v.flags = 1u << 1; }, EINVAL},
		{"flag bit 31", [](P &p) { p.v.flags = 1u << 31; }, EINVAL},
		{"reserved[0]", [](P &p) { p.v.reserved[0] = 1; }, EINVAL},
		{"reserved[1]", [](P &p) { p.v.reserved[1] = 1ull << 63; }, EINVAL},
		{"max 0", [](P &p) { p.v.max = 0; }, EINVAL},
		{"max OCF_MAX_BATCH + 1", [](P &p) { p.v.max = OCF_MAX_BATCH + 1; }, EINVAL},
		{"completions on a PROT_NONE page", [&](P &p) { p.v.completions = uptr(f.bad.none()); }, EFAULT},
		{"completions on a read-only page", [&](P &p) { p.v.completions = uptr(f.bad.ro()); }, EFAULT},
		{"completions NULL", [](P &p) { p.v.completions = 0; }, EFAULT},
	};
	rows.insert(rows.end(), more.begin(), more.end());
	for (const auto &r : rows) {
		INFO(r.what);
		// One completion is ready, so that a bad destination matters.
		device dev;
		session s(dev, find_alg("aes-128-ctr"), f.k["aes-128-ctr"]);
		ocf_op op = f.op("aes-128-ctr");
		op.session = s.id();
		op.tag = 9;
		REQUIRE(ocf_submit(dev.get(), &op, 1) == 1);
		REQUIRE(readable(dev.fd(), 30000));
		P p;
		p.v.size = sizeof(p.v);
		p.v.completions = uptr(buf);
		p.v.max = 8;
		r.mutate(p);
		int ret = xioctl(dev.fd(), OCF_IOC_REAP, &p);
		CHECK(errname(ret) == errname(-r.err));
		if (ret == 0) {
			CHECK(p.v.count == 1);
			CHECK(buf[0].tag == 9);
			CHECK(buf[0].status == 0);
			CHECK(p.v.in_flight == 0);
		}
	}
	for (std::uint64_t ptr : {std::uint64_t(0), uptr(f.bad.none()), bad_pages::kernel_address()}) {
		INFO("struct at " << std::hex << ptr);
		CHECK(errname(xioctl(f.dev.fd(), OCF_IOC_REAP, ptr)) == errname(-EFAULT));
	}

	SECTION("waiting for more than is in flight returns (or is refused) instead of hanging")
	{
		device dev;
		{
			INFO("nothing in flight, min_complete 1");
			alarm_guard guard(10);
			std::uint32_t in_flight = 99;
			int ret = raw_reap(dev.fd(), buf, 8, OCF_REAP_WAIT, 1, &in_flight);
			CHECK(ret != -EINTR);
			CHECK((ret == 0 || ret == -EINVAL));
		}
		session s(dev, find_alg("aes-128-ctr"), f.k["aes-128-ctr"]);
		ocf_op op = f.op("aes-128-ctr");
		op.session = s.id();
		REQUIRE(ocf_submit(dev.get(), &op, 1) == 1);
		{
			INFO("one in flight, min_complete 2");
			alarm_guard guard(10);
			int ret = raw_reap(dev.fd(), buf, 8, OCF_REAP_WAIT, 2);
			CHECK(ret != -EINTR);
			CHECK((ret == 1 || ret == -EINVAL));
		}
	}
	expect_module_works(f);
}

TEST_CASE("OCF_IOC_PRODUCERS and OCF_IOC_SESSIONS: bad fields get their errno", "[bad-input]")
{
	OCFT_SEED_INFO();
	fixture f; // has sessions, so a session list has entries to write
	using P = padded<struct ocf_list>;
	static_assert(sizeof(ocf_producer_info) % 8 == 0 && sizeof(ocf_session_info) % 8 == 0);

	for (unsigned long req : {OCF_IOC_PRODUCERS, OCF_IOC_SESSIONS}) {
		const bool prod = req == OCF_IOC_PRODUCERS;
		const std::uint32_t esize = prod ? sizeof(ocf_producer_info) : sizeof(ocf_session_info);
		const std::uint32_t expect_total = prod ? 3 : static_cast<std::uint32_t>(f.s.size());
		std::vector<std::uint64_t> store(64 * (sizeof(ocf_producer_info) + 64) / 8);
		auto rows = size_rows<struct ocf_list>();
		std::vector<row<struct ocf_list>> more = {
			{"flag bit 2", [](P &p) { p.v.flags = 1u << 2; }, EINVAL},
			{"flag bit 31", [](P &p) { p.v.flags = 1u << 31; }, EINVAL},
			{"reserved[0]", [](P &p) { p.v.reserved[0] = 1; }, EINVAL},
			{"reserved[1]", [](P &p) { p.v.reserved[1] = 1ull << 63; }, EINVAL},
			{"entry_size 0", [](P &p) { p.v.entry_size = 0; }, EINVAL},
			{"entry_size 8", [](P &p) { p.v.entry_size = 8; }, EINVAL},
			{"entry_size one u64 short", [esize](P &p) { p.v.entry_size = esize - 8; }, EINVAL},
			{"entries on a PROT_NONE page", [&](P &p) { p.v.entries = uptr(f.bad.none()); }, EFAULT},
			{"entries on a read-only page", [&](P &p) { p.v.entries = uptr(f.bad.ro()); }, EFAULT},
			{"entries at a kernel address", [](P &p) { p.v.entries = bad_pages::kernel_address(); }, EFAULT},
			{"entries NULL", [](P &p) { p.v.entries = 0; }, EFAULT},
			{"max 0 learns the total", [](P &p) { p.v.max = 0; }, 0},
			{"max 0 and entries NULL", [](P &p) {
				 p.v.max = 0;
				 p.v.entries = 0;
			 },
			 0},
		};
		if (prod) {
			more.push_back({"OCF_LIST_ALL (sessions only)", [](P &p) { p.v.flags = OCF_LIST_ALL; }, EINVAL});
			more.push_back({"OCF_LIST_MINE (sessions only)", [](P &p) { p.v.flags = OCF_LIST_MINE; }, EINVAL});
		} else {
			more.push_back({"OCF_LIST_ALL as root", [](P &p) { p.v.flags = OCF_LIST_ALL; }, 0});
			more.push_back({"OCF_LIST_MINE", [](P &p) { p.v.flags = OCF_LIST_MINE; }, 0});
			more.push_back({"OCF_LIST_ALL with OCF_LIST_MINE",
					[](P &p) { p.v.flags = OCF_LIST_ALL | OCF_LIST_MINE; }, EINVAL});
		}
		rows.insert(rows.end(), more.begin(), more.end());

		for (const auto &r : rows) {
			INFO((prod ? "PRODUCERS: " : "SESSIONS: ") << r.what);
			P p;
			p.v.size = sizeof(p.v);
			p.v.entries = uptr(store.data());
			p.v.entry_size = esize;
			p.v.max = 64;
			r.mutate(p);
			int ret = xioctl(f.dev.fd(), req, &p);
			CHECK(errname(ret) == errname(-r.err));
			if (ret == 0) {
				CHECK(p.v.total >= expect_total);
				CHECK(p.v.count == std::min(p.v.total, p.v.max));
			}
		}
		for (std::uint64_t ptr : {std::uint64_t(0), uptr(f.bad.none()), bad_pages::kernel_address()}) {
			INFO((prod ? "PRODUCERS" : "SESSIONS") << " with the struct at " << std::hex << ptr);
			CHECK(errname(xioctl(f.dev.fd(), req, ptr)) == errname(-EFAULT));
		}
		// A larger entry_size from a newer program: entries at its stride.
		{
			INFO((prod ? "PRODUCERS" : "SESSIONS") << " with entry_size + 64");
			P p;
			p.v.size = sizeof(p.v);
			p.v.entries = uptr(store.data());
			p.v.entry_size = esize + 64;
			p.v.max = 64;
			REQUIRE(xioctl(f.dev.fd(), req, &p) == 0);
			REQUIRE(p.v.count >= expect_total);
			auto *base = reinterpret_cast<const std::uint8_t *>(store.data());
			if (prod) {
				std::set<std::string> names;
				for (std::uint32_t i = 0; i < p.v.count; i++) {
					ocf_producer_info info;
					std::memcpy(&info, base + std::size_t(i) * (esize + 64), sizeof(info));
					names.insert(std::string(info.name, strnlen(info.name, sizeof(info.name))));
				}
				CHECK(names.count("swcrypt") == 1);
				CHECK(names.count("null0") == 1);
				CHECK(names.count("null1") == 1);
			} else {
				std::set<std::uint32_t> ids, want;
				for (std::uint32_t i = 0; i < p.v.count; i++) {
					ocf_session_info info;
					std::memcpy(&info, base + std::size_t(i) * (esize + 64), sizeof(info));
					ids.insert(info.session);
				}
				for (const auto &[name, s] : f.s)
					want.insert(s->id());
				CHECK(ids == want);
			}
		}
	}
	expect_module_works(f);
}

TEST_CASE("after the bad-input table the module still works", "[bad-input]")
{
	OCFT_SEED_INFO();
	fixture f;
	auto rng = make_rng("after bad input");
	for (const char *name : {"aes-256-cbc", "aes-128-gcm", "aes-256-cbc+hmac-sha256 encrypt-then-mac"}) {
		const alg &a = find_alg(name);
		keys k = random_keys(a, rng);
		session s(f.dev, a, k);
		vector_case vc = make_case(a, k, rng, 1024, 8);
		std::vector<prepared_ptr> ops;
		ops.push_back(prepare(vc, s.id(), OCF_OP_ENCRYPT, placements()[2]));
		ops.push_back(prepare(vc, s.id(), OCF_OP_DECRYPT, placements()[1]));
		REQUIRE(run_prepared(f.dev, ops) == 2);
		for (const auto &p : ops) {
			INFO(p->describe());
			CHECK(p->check(p->op.status) == "");
		}
	}
}
