// Implementation of the VM tests' shared helpers (see helpers.hpp).
#include "helpers.hpp"

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <openssl/provider.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <fstream>
#include <grp.h>
#include <map>
#include <mutex>
#include <poll.h>
#include <sstream>
#include <stdexcept>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

namespace ocft {

// ---- randomness -------------------------------------------------------------

std::uint64_t seed()
{
	static const std::uint64_t s = [] {
		std::uint64_t v;
		const char *env = std::getenv("OCF_TEST_SEED");
		if (env && *env) {
			v = std::strtoull(env, nullptr, 0);
		} else {
			std::random_device rd;
			v = (std::uint64_t(rd()) << 32) ^ rd();
		}
		std::fprintf(stderr, "ocf_vm_tests: seed %llu (set OCF_TEST_SEED=%llu to repeat)\n",
			     static_cast<unsigned long long>(v), static_cast<unsigned long long>(v));
		return v;
	}();
	return s;
}

std::mt19937_64 make_rng(std::string_view salt)
{
	// FNV-1a: stable, unlike std::hash.
	std::uint64_t h = 0xcbf29ce484222325ull;
	for (char c : salt) {
		h ^= static_cast<std::uint8_t>(c);
		h *= 0x100000001b3ull;
	}
	std::uint64_t s = seed();
	std::seed_seq seq{static_cast<std::uint32_t>(s), static_cast<std::uint32_t>(s >> 32),
			  static_cast<std::uint32_t>(h), static_cast<std::uint32_t>(h >> 32)};
	return std::mt19937_64(seq);
}

bytes random_bytes(std::mt19937_64 &rng, std::size_t n)
{
	bytes b(n);
	std::size_t i = 0;
	while (i < n) {
		std::uint64_t v = rng();
		for (int k = 0; k < 8 && i < n; k++, v >>= 8)
			b[i++] = static_cast<std::uint8_t>(v);
	}
	return b;
}

std::uint32_t random_below(std::mt19937_64 &rng, std::uint32_t n)
{
	return n ? static_cast<std::uint32_t>(rng() % n) : 0;
}

// ---- device ---------------------------------------------------------------------

device::device()
{
	int r = ocf_device_open(nullptr, &dev_);
	if (r < 0)
		throw std::runtime_error("ocf_device_open(/dev/ocf): " + errname(r));
}

device::~device() { close(); }

device::device(device &&other) noexcept : dev_(other.dev_) { other.dev_ = nullptr; }

device &device::operator=(device &&other) noexcept
{
	if (this != &other) {
		close();
		dev_ = other.dev_;
		other.dev_ = nullptr;
	}
	return *this;
}

void device::close() noexcept
{
	ocf_device_close(dev_);
	dev_ = nullptr;
}

// ---- sysfs ----------------------------------------------------------------------

std::string read_text(const std::string &path)
{
	std::ifstream f(path);
	if (!f)
		throw std::runtime_error("cannot read " + path);
	std::stringstream ss;
	ss << f.rdbuf();
	std::string s = ss.str();
	while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back())))
		s.pop_back();
	return s;
}

int write_text(const std::string &path, const std::string &value)
{
	int fd = ::open(path.c_str(), O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	int ret = 0;
	ssize_t n = ::write(fd, value.data(), value.size());
	if (n < 0)
		ret = -errno;
	else if (static_cast<std::size_t>(n) != value.size())
		ret = -EIO;
	::close(fd);
	return ret;
}

long ocf_param(const char *name)
{
	std::string path = std::string(ocf_params) + name;
	std::string v = read_text(path);
	char *end = nullptr;
	long r = std::strtol(v.c_str(), &end, 0);
	if (end == v.c_str())
		throw std::runtime_error(path + " is not a number: " + v);
	return r;
}

param_override::param_override(std::string path, const std::string &value)
	: path_(std::move(path)), old_(read_text(path_))
{
	int r = write_text(path_, value + "\n");
	if (r < 0)
		throw std::runtime_error("cannot write " + value + " to " + path_ + ": " + errname(r));
}

param_override::~param_override() { write_text(path_, old_ + "\n"); }

// ---- buffers ----------------------------------------------------------------------

buffer::buffer(std::size_t len, std::size_t offset)
	: storage_(std::make_unique<std::uint8_t[]>(len + offset + 64)), len_(len)
{
	auto base = reinterpret_cast<std::uintptr_t>(storage_.get());
	base = (base + 63) & ~std::uintptr_t(63);
	data_ = reinterpret_cast<std::uint8_t *>(base) + offset;
}

void buffer::assign(const bytes &b)
{
	if (b.size() != len_)
		throw std::logic_error("buffer::assign: size mismatch");
	if (len_)
		std::memcpy(data_, b.data(), len_);
}

void buffer::fill(std::uint8_t v)
{
	if (len_)
		std::memset(data_, v, len_);
}

bad_pages::bad_pages() : page_(static_cast<std::size_t>(::sysconf(_SC_PAGESIZE)))
{
	void *p = ::mmap(nullptr, 3 * page_, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		throw std::runtime_error("mmap failed");
	base_ = static_cast<std::uint8_t *>(p);
	std::memset(base_, 0x42, 3 * page_);
	if (::mprotect(base_ + page_, page_, PROT_NONE) || ::mprotect(base_ + 2 * page_, page_, PROT_READ))
		throw std::runtime_error("mprotect failed");
}

bad_pages::~bad_pages() { ::munmap(base_, 3 * page_); }

void *bad_pages::ro_with(const void *data, std::size_t n)
{
	if (n > page_ || ::mprotect(base_ + 2 * page_, page_, PROT_READ | PROT_WRITE))
		throw std::runtime_error("ro_with: mprotect failed");
	std::memcpy(base_ + 2 * page_, data, n);
	if (::mprotect(base_ + 2 * page_, page_, PROT_READ))
		throw std::runtime_error("ro_with: mprotect failed");
	return base_ + 2 * page_;
}

// ---- algorithms -------------------------------------------------------------------

mode alg::kind() const
{
	if (cipher == OCF_AEAD_AES_GCM)
		return mode::aead;
	if (cipher != OCF_ALG_NONE && mac != OCF_ALG_NONE)
		return mode::chain;
	if (cipher != OCF_ALG_NONE)
		return mode::cipher;
	return mode::digest;
}

std::uint32_t alg::block() const
{
	switch (cipher) {
	case OCF_CIPHER_AES_CBC:
		return 16;
	case OCF_CIPHER_DES_CBC:
	case OCF_CIPHER_3DES_CBC:
		return 8;
	default:
		return 1;
	}
}

std::uint32_t alg::iv_len() const
{
	switch (cipher) {
	case OCF_CIPHER_AES_CBC:
	case OCF_CIPHER_AES_CTR:
		return 16;
	case OCF_CIPHER_DES_CBC:
	case OCF_CIPHER_3DES_CBC:
		return 8;
	case OCF_AEAD_AES_GCM:
		return 12;
	default:
		return 0;
	}
}

std::uint32_t full_digest_len(std::uint32_t mac)
{
	switch (mac) {
	case OCF_MAC_HMAC_MD5:
	case OCF_HASH_MD5:
		return 16;
	case OCF_MAC_HMAC_SHA1:
	case OCF_HASH_SHA1:
		return 20;
	case OCF_HASH_SHA224:
		return 28;
	case OCF_MAC_HMAC_SHA256:
	case OCF_HASH_SHA256:
		return 32;
	case OCF_MAC_HMAC_SHA384:
	case OCF_HASH_SHA384:
		return 48;
	case OCF_MAC_HMAC_SHA512:
	case OCF_HASH_SHA512:
		return 64;
	default:
		return 0;
	}
}

std::uint32_t alg::tag_len() const
{
	if (kind() == mode::aead)
		return mac_len ? mac_len : 16;
	if (mac != OCF_ALG_NONE)
		return mac_len ? mac_len : full_digest_len(mac);
	return 0;
}

bool alg::hmac() const { return mac >= OCF_MAC_HMAC_MD5 && mac <= OCF_MAC_HMAC_SHA512; }

const std::vector<alg> &all_algs()
{
	static const std::vector<alg> table = [] {
		std::vector<alg> t;
		auto add = [&](std::string name, std::uint32_t c, std::uint32_t m, std::uint32_t key_len,
			       std::uint32_t flags = 0, std::uint32_t mac_len = 0) {
			alg a;
			a.name = std::move(name);
			a.cipher = c;
			a.mac = m;
			a.key_len = key_len;
			a.flags = flags;
			a.mac_len = mac_len;
			t.push_back(a);
		};
		add("null", OCF_CIPHER_NULL, OCF_ALG_NONE, 0);
		for (std::uint32_t k : {16u, 24u, 32u})
			add("aes-" + std::to_string(k * 8) + "-cbc", OCF_CIPHER_AES_CBC, OCF_ALG_NONE, k);
		for (std::uint32_t k : {16u, 24u, 32u})
			add("aes-" + std::to_string(k * 8) + "-ctr", OCF_CIPHER_AES_CTR, OCF_ALG_NONE, k);
		add("des-cbc", OCF_CIPHER_DES_CBC, OCF_ALG_NONE, 8);
		add("3des-cbc", OCF_CIPHER_3DES_CBC, OCF_ALG_NONE, 24);
		for (std::uint32_t k : {16u, 24u, 32u})
			add("aes-" + std::to_string(k * 8) + "-gcm", OCF_AEAD_AES_GCM, OCF_ALG_NONE, k);
		add("aes-128-gcm tag 12", OCF_AEAD_AES_GCM, OCF_ALG_NONE, 16, 0, 12);
		add("aes-256-gcm tag 8", OCF_AEAD_AES_GCM, OCF_ALG_NONE, 32, 0, 8);
		add("aes-192-gcm tag 4", OCF_AEAD_AES_GCM, OCF_ALG_NONE, 24, 0, 4);
		add("hmac-md5", OCF_ALG_NONE, OCF_MAC_HMAC_MD5, 0);
		add("hmac-sha1", OCF_ALG_NONE, OCF_MAC_HMAC_SHA1, 0);
		add("hmac-sha256", OCF_ALG_NONE, OCF_MAC_HMAC_SHA256, 0);
		add("hmac-sha384", OCF_ALG_NONE, OCF_MAC_HMAC_SHA384, 0);
		add("hmac-sha512", OCF_ALG_NONE, OCF_MAC_HMAC_SHA512, 0);
		add("hmac-sha1 mac 12", OCF_ALG_NONE, OCF_MAC_HMAC_SHA1, 0, 0, 12);
		add("hmac-sha256 mac 16", OCF_ALG_NONE, OCF_MAC_HMAC_SHA256, 0, 0, 16);
		add("md5", OCF_ALG_NONE, OCF_HASH_MD5, 0);
		add("sha1", OCF_ALG_NONE, OCF_HASH_SHA1, 0);
		add("sha224", OCF_ALG_NONE, OCF_HASH_SHA224, 0);
		add("sha256", OCF_ALG_NONE, OCF_HASH_SHA256, 0);
		add("sha384", OCF_ALG_NONE, OCF_HASH_SHA384, 0);
		add("sha512", OCF_ALG_NONE, OCF_HASH_SHA512, 0);
		for (std::uint32_t flags : {0u, OCF_SESSION_MAC_THEN_CIPHER}) {
			std::string order = flags ? " mac-then-cipher" : " encrypt-then-mac";
			add("aes-128-cbc+hmac-sha1" + order, OCF_CIPHER_AES_CBC, OCF_MAC_HMAC_SHA1, 16, flags);
			add("aes-256-cbc+hmac-sha256" + order, OCF_CIPHER_AES_CBC, OCF_MAC_HMAC_SHA256, 32,
			    flags);
			add("3des-cbc+hmac-sha1" + order, OCF_CIPHER_3DES_CBC, OCF_MAC_HMAC_SHA1, 24, flags);
		}
		add("aes-192-cbc+hmac-sha256 mac 16 encrypt-then-mac", OCF_CIPHER_AES_CBC,
		    OCF_MAC_HMAC_SHA256, 24, 0, 16);
		add("aes-128-ctr+hmac-sha256 encrypt-then-mac", OCF_CIPHER_AES_CTR, OCF_MAC_HMAC_SHA256, 16);
		return t;
	}();
	return table;
}

const alg &find_alg(std::string_view name)
{
	for (const auto &a : all_algs())
		if (a.name == name)
			return a;
	throw std::logic_error("no algorithm " + std::string(name));
}

keys random_keys(const alg &a, std::mt19937_64 &rng)
{
	keys k;
	k.cipher = random_bytes(rng, a.key_len);
	if (a.hmac()) {
		// The digest's length, any length, or the longest (past the block
		// size of the SHA-1/SHA-256 family, so the key is hashed first).
		std::size_t len;
		switch (random_below(rng, 3)) {
		case 0:
			len = full_digest_len(a.mac);
			break;
		case 1:
			len = 1 + random_below(rng, OCF_MAX_MAC_KEY_LEN);
			break;
		default:
			len = OCF_MAX_MAC_KEY_LEN;
			break;
		}
		k.mac = random_bytes(rng, len);
	}
	return k;
}

// ---- sessions ---------------------------------------------------------------------

int new_session(device &dev, const alg &a, const keys &k, std::uint32_t *id, std::uint32_t *producer,
		std::uint32_t pin)
{
	ocf_session_params p{};
	p.cipher = a.cipher;
	p.mac = a.mac;
	p.flags = a.flags;
	p.mac_len = a.mac_len;
	p.producer = pin;
	p.cipher_key = k.cipher.empty() ? nullptr : k.cipher.data();
	p.cipher_key_len = k.cipher.size();
	p.mac_key = k.mac.empty() ? nullptr : k.mac.data();
	p.mac_key_len = k.mac.size();
	return ocf_session_new(dev.get(), &p, id, producer);
}

session::session(device &dev, const alg &a, const keys &k, std::uint32_t pin) : dev_(&dev)
{
	int r = new_session(dev, a, k, &id_, &producer_, pin);
	if (r < 0)
		throw std::runtime_error("ocf_session_new(" + a.name + "): " + errname(r));
}

session::~session()
{
	if (dev_)
		ocf_session_free(dev_->get(), id_);
}

// ---- OpenSSL references -----------------------------------------------------------

namespace {

// The reference must be OpenSSL's own code even where openssl.cnf prefers
// another provider (such as this project's "ocf"): every fetch names it.
constexpr const char *ref_props = "provider=default";

void load_default_provider()
{
	static OSSL_PROVIDER *p = OSSL_PROVIDER_load(nullptr, "default");
	if (!p)
		throw std::runtime_error("cannot load OpenSSL's default provider");
}

std::mutex fetch_lock;

const EVP_CIPHER *fetch_cipher(const std::string &name)
{
	std::lock_guard<std::mutex> g(fetch_lock);
	static std::map<std::string, EVP_CIPHER *> cache;
	auto it = cache.find(name);
	if (it != cache.end())
		return it->second;
	load_default_provider();
	EVP_CIPHER *c = EVP_CIPHER_fetch(nullptr, name.c_str(), ref_props);
	if (!c)
		throw std::runtime_error("OpenSSL has no cipher " + name);
	cache[name] = c;
	return c;
}

const EVP_MD *fetch_md(const std::string &name)
{
	std::lock_guard<std::mutex> g(fetch_lock);
	static std::map<std::string, EVP_MD *> cache;
	auto it = cache.find(name);
	if (it != cache.end())
		return it->second;
	load_default_provider();
	EVP_MD *md = EVP_MD_fetch(nullptr, name.c_str(), ref_props);
	if (!md)
		throw std::runtime_error("OpenSSL has no digest " + name);
	cache[name] = md;
	return md;
}

EVP_MAC *fetch_hmac()
{
	std::lock_guard<std::mutex> g(fetch_lock);
	static EVP_MAC *mac = nullptr;
	if (!mac) {
		load_default_provider();
		mac = EVP_MAC_fetch(nullptr, "HMAC", ref_props);
		if (!mac)
			throw std::runtime_error("OpenSSL has no HMAC");
	}
	return mac;
}

const char *md_name(std::uint32_t mac)
{
	switch (mac) {
	case OCF_MAC_HMAC_MD5:
	case OCF_HASH_MD5:
		return "MD5";
	case OCF_MAC_HMAC_SHA1:
	case OCF_HASH_SHA1:
		return "SHA1";
	case OCF_HASH_SHA224:
		return "SHA2-224";
	case OCF_MAC_HMAC_SHA256:
	case OCF_HASH_SHA256:
		return "SHA2-256";
	case OCF_MAC_HMAC_SHA384:
	case OCF_HASH_SHA384:
		return "SHA2-384";
	case OCF_MAC_HMAC_SHA512:
	case OCF_HASH_SHA512:
		return "SHA2-512";
	default:
		throw std::logic_error("md_name: not a digest: " + std::to_string(mac));
	}
}

struct cipher_ctx_free {
	void operator()(EVP_CIPHER_CTX *c) const { EVP_CIPHER_CTX_free(c); }
};
using cipher_ctx = std::unique_ptr<EVP_CIPHER_CTX, cipher_ctx_free>;

const std::uint8_t empty_input[1] = {0};

void ossl_check(int ok, const char *what)
{
	if (ok != 1)
		throw std::runtime_error(std::string("OpenSSL: ") + what + " failed");
}

} // namespace

bytes ref_cipher(std::uint32_t cipher, const bytes &key, const bytes &iv, const std::uint8_t *in,
		 std::size_t n, bool encrypt)
{
	if (!in)
		in = empty_input;
	if (cipher == OCF_CIPHER_NULL)
		return bytes(in, in + n);
	std::string name;
	bytes k = key;
	switch (cipher) {
	case OCF_CIPHER_AES_CBC:
		name = "AES-" + std::to_string(key.size() * 8) + "-CBC";
		break;
	case OCF_CIPHER_AES_CTR:
		name = "AES-" + std::to_string(key.size() * 8) + "-CTR";
		break;
	case OCF_CIPHER_DES_CBC:
		// Single DES lives in OpenSSL 3's legacy provider only; EDE with
		// K1 = K2 = K3 is single DES, and the default provider has that.
		name = "DES-EDE3-CBC";
		k.clear();
		for (int i = 0; i < 3; i++)
			k.insert(k.end(), key.begin(), key.end());
		break;
	case OCF_CIPHER_3DES_CBC:
		name = "DES-EDE3-CBC";
		break;
	default:
		throw std::logic_error("ref_cipher: cipher " + std::to_string(cipher));
	}
	cipher_ctx ctx(EVP_CIPHER_CTX_new());
	ossl_check(ctx ? 1 : 0, "EVP_CIPHER_CTX_new");
	ossl_check(EVP_CipherInit_ex2(ctx.get(), fetch_cipher(name), k.data(), iv.data(), encrypt ? 1 : 0,
				      nullptr),
		   "EVP_CipherInit_ex2");
	ossl_check(EVP_CIPHER_CTX_set_padding(ctx.get(), 0), "set_padding");
	bytes out(n + 32);
	int l1 = 0, l2 = 0;
	if (n)
		ossl_check(EVP_CipherUpdate(ctx.get(), out.data(), &l1, in, static_cast<int>(n)),
			   "EVP_CipherUpdate");
	ossl_check(EVP_CipherFinal_ex(ctx.get(), out.data() + l1, &l2), "EVP_CipherFinal_ex");
	out.resize(static_cast<std::size_t>(l1 + l2));
	if (out.size() != n)
		throw std::runtime_error("ref_cipher: OpenSSL produced a different length");
	return out;
}

bytes ref_digest(std::uint32_t mac, const bytes &key, const std::uint8_t *in, std::size_t n)
{
	if (!in)
		in = empty_input;
	bytes out(EVP_MAX_MD_SIZE);
	bool hmac = mac >= OCF_MAC_HMAC_MD5 && mac <= OCF_MAC_HMAC_SHA512;
	if (hmac) {
		EVP_MAC_CTX *ctx = EVP_MAC_CTX_new(fetch_hmac());
		ossl_check(ctx ? 1 : 0, "EVP_MAC_CTX_new");
		OSSL_PARAM params[] = {
			OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, const_cast<char *>(md_name(mac)), 0),
			OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_PROPERTIES, const_cast<char *>(ref_props), 0),
			OSSL_PARAM_construct_end(),
		};
		std::size_t outl = 0;
		int ok = EVP_MAC_init(ctx, key.empty() ? empty_input : key.data(), key.size(), params);
		if (ok == 1)
			ok = EVP_MAC_update(ctx, in, n);
		if (ok == 1)
			ok = EVP_MAC_final(ctx, out.data(), &outl, out.size());
		EVP_MAC_CTX_free(ctx);
		ossl_check(ok, "HMAC");
		out.resize(outl);
	} else {
		unsigned int outl = 0;
		ossl_check(EVP_Digest(in, n, out.data(), &outl, fetch_md(md_name(mac)), nullptr), "EVP_Digest");
		out.resize(outl);
	}
	if (out.size() != full_digest_len(mac))
		throw std::runtime_error("ref_digest: unexpected digest length");
	return out;
}

bytes ref_gcm(const bytes &key, const bytes &iv, const std::uint8_t *aad, std::size_t aad_len,
	      const std::uint8_t *in, std::size_t n)
{
	if (!in)
		in = empty_input;
	std::string name = "AES-" + std::to_string(key.size() * 8) + "-GCM";
	cipher_ctx ctx(EVP_CIPHER_CTX_new());
	ossl_check(ctx ? 1 : 0, "EVP_CIPHER_CTX_new");
	ossl_check(EVP_EncryptInit_ex2(ctx.get(), fetch_cipher(name), nullptr, nullptr, nullptr),
		   "EVP_EncryptInit_ex2");
	ossl_check(EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_IVLEN, static_cast<int>(iv.size()), nullptr),
		   "GCM_SET_IVLEN");
	ossl_check(EVP_EncryptInit_ex2(ctx.get(), nullptr, key.data(), iv.data(), nullptr), "GCM key/iv");
	int l = 0;
	if (aad_len)
		ossl_check(EVP_EncryptUpdate(ctx.get(), nullptr, &l, aad, static_cast<int>(aad_len)), "GCM aad");
	bytes out(n + 16 + 16);
	int l1 = 0, l2 = 0;
	if (n)
		ossl_check(EVP_EncryptUpdate(ctx.get(), out.data(), &l1, in, static_cast<int>(n)), "GCM update");
	ossl_check(EVP_EncryptFinal_ex(ctx.get(), out.data() + l1, &l2), "GCM final");
	if (static_cast<std::size_t>(l1 + l2) != n)
		throw std::runtime_error("ref_gcm: OpenSSL produced a different length");
	ossl_check(EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, 16, out.data() + n), "GCM_GET_TAG");
	out.resize(n + 16);
	return out;
}

// ---- layouts, vectors, prepared operations ------------------------------------------

bytes reference_encrypt(const alg &a, const keys &k, const bytes &iv, const bytes &plain, const layout &lay)
{
	if (plain.size() != lay.len())
		throw std::logic_error("reference_encrypt: buffer size");
	bytes out = plain;
	std::uint8_t *text = out.data() + lay.aad;
	std::uint8_t *mac = out.data() + lay.mac_offset();
	auto put = [](std::uint8_t *to, const bytes &from, std::size_t n) {
		if (n)
			std::memcpy(to, from.data(), n);
	};
	switch (a.kind()) {
	case mode::cipher:
		put(text, ref_cipher(a.cipher, k.cipher, iv, text, lay.text, true), lay.text);
		break;
	case mode::digest:
		put(mac, ref_digest(a.mac, k.mac, out.data(), lay.text), lay.tag);
		break;
	case mode::aead: {
		bytes r = ref_gcm(k.cipher, iv, out.data(), lay.aad, text, lay.text);
		put(text, r, lay.text);
		if (lay.tag)
			std::memcpy(mac, r.data() + lay.text, lay.tag);
		break;
	}
	case mode::chain:
		if (a.mac_then_cipher()) {
			bytes d = ref_digest(a.mac, k.mac, out.data(), lay.aad + lay.text);
			put(text, ref_cipher(a.cipher, k.cipher, iv, text, lay.text, true), lay.text);
			put(mac, d, lay.tag);
		} else {
			put(text, ref_cipher(a.cipher, k.cipher, iv, text, lay.text, true), lay.text);
			put(mac, ref_digest(a.mac, k.mac, out.data(), lay.aad + lay.text), lay.tag);
		}
		break;
	}
	return out;
}

vector_case make_case(const alg &a, const keys &k, std::mt19937_64 &rng, std::uint32_t text, std::uint32_t aad)
{
	vector_case vc;
	vc.a = &a;
	vc.k = k;
	vc.iv = random_bytes(rng, a.iv_len());
	bool has_aad = a.kind() == mode::aead || a.kind() == mode::chain;
	vc.lay.aad = has_aad ? aad : 0;
	vc.lay.text = text;
	vc.lay.tag = a.tag_len();
	vc.plain = random_bytes(rng, vc.lay.aad + text);
	vc.plain.resize(vc.lay.len(), 0);
	vc.encrypted = reference_encrypt(a, k, vc.iv, vc.plain, vc.lay);
	return vc;
}

void fill_op(ocf_op &op, const alg &a, std::uint32_t session, std::uint32_t direction, const void *src,
	     void *dst, const layout &lay, const void *iv)
{
	switch (a.kind()) {
	case mode::cipher:
		ocf_op_cipher(&op, session, direction, src, dst, lay.text, iv);
		break;
	case mode::digest:
		ocf_op_digest(&op, session, direction, src, dst, lay.text, lay.len());
		break;
	case mode::aead:
		ocf_op_aead(&op, session, direction, src, dst, lay.aad, lay.text, lay.tag, iv);
		break;
	case mode::chain:
		ocf_op_chain(&op, session, direction, src, dst, lay.aad, lay.text, lay.tag, iv);
		break;
	}
}

std::string placement::name() const
{
	if (in_place)
		return "in place at +" + std::to_string(src_off);
	return "out of place +" + std::to_string(src_off) + " -> +" + std::to_string(dst_off);
}

const std::vector<placement> &placements()
{
	static const std::vector<placement> p = {
		{true, 1, 0},
		{true, 3, 0},
		{false, 1, 3},
		{false, 3, 1},
	};
	return p;
}

namespace {

prepared_ptr prepare_with_input(const vector_case &vc, std::uint32_t session, std::uint32_t direction,
				const placement &where, std::uint64_t tag, const bytes &input)
{
	auto p = std::make_unique<prepared_op>();
	p->vc = &vc;
	p->direction = direction;
	p->where = where;
	p->iv = vc.iv;
	const std::size_t len = vc.lay.len();
	p->src = buffer(len, where.src_off);
	p->src.assign(input);
	p->src_before = input;
	if (!where.in_place) {
		p->dst = buffer(len, where.dst_off);
		for (std::size_t i = 0; i < len; i++)
			p->dst.data()[i] = static_cast<std::uint8_t>(0x5a ^ (i * 7));
		p->dst_before = p->dst.copy();
	}
	fill_op(p->op, *vc.a, session, direction, p->src.data(), where.in_place ? nullptr : p->dst.data(),
		vc.lay, p->iv.empty() ? nullptr : p->iv.data());
	p->op.tag = tag;
	return p;
}

} // namespace

prepared_ptr prepare(const vector_case &vc, std::uint32_t session, std::uint32_t direction,
		     const placement &where, std::uint64_t tag)
{
	const layout &lay = vc.lay;
	bytes input, expected;
	if (direction == OCF_OP_ENCRYPT) {
		// Junk where the MAC goes: encryption must overwrite it.
		input = vc.plain;
		std::fill(input.begin() + lay.mac_offset(), input.end(), 0xa5);
		expected = vc.encrypted;
	} else {
		input = vc.encrypted;
		expected = vc.plain;
		std::copy(vc.encrypted.begin() + lay.mac_offset(), vc.encrypted.end(),
			  expected.begin() + lay.mac_offset());
	}
	auto p = prepare_with_input(vc, session, direction, where, tag, input);
	p->expected = std::move(expected);
	return p;
}

prepared_ptr prepare_tampered(const vector_case &vc, std::uint32_t session, const placement &where,
			      std::uint32_t byte, std::uint8_t bit, std::uint64_t tag)
{
	bytes input = vc.encrypted;
	input.at(byte) ^= static_cast<std::uint8_t>(1u << (bit & 7));
	auto p = prepare_with_input(vc, session, OCF_OP_DECRYPT, where, tag, input);
	p->expected_status = -EBADMSG;
	return p;
}

std::string check_no_plaintext(const prepared_op &p)
{
	// The header: "releases no plaintext: with encrypt-then-MAC and hashes a
	// separate output is left as it was; with AEAD and MAC_THEN_CIPHER, which
	// decrypt before they can check, the output's cipher region holds zeroes
	// or what it held before."
	const alg &a = *p.vc->a;
	const layout &lay = p.vc->lay;
	const std::uint8_t *out = p.out();
	const std::size_t c0 = lay.aad, c1 = lay.aad + lay.text;
	const bytes &before = p.where.in_place ? p.src_before : p.dst_before;
	const bool zeroed = std::all_of(out + c0, out + c1, [](std::uint8_t b) { return b == 0; });
	const bool untouched = diff(out, before, c0, c1).empty();
	const bool etm = a.kind() == mode::digest || (a.kind() == mode::chain && !a.mac_then_cipher());
	if (a.kind() == mode::cipher)
		return "";
	if (etm && !p.where.in_place) {
		std::string d = diff(out, before);
		return d.empty() ? "" : "a separate output was written: " + d;
	}
	if (zeroed || untouched)
		return "";
	return "the cipher region of the output holds neither zeroes nor what it held before";
}

std::string prepared_op::check(int status) const
{
	if (status != expected_status)
		return "status " + errname(status) + ", want " + errname(expected_status);
	if (expected_status == 0) {
		std::string d = diff(out(), expected);
		if (!d.empty())
			return "output: " + d;
		if (!where.in_place) {
			d = diff(src.data(), src_before);
			if (!d.empty())
				return "the input of an out-of-place op changed: " + d;
		}
		return "";
	}
	if (expected_status == -EBADMSG)
		return check_no_plaintext(*this);
	return "";
}

std::string prepared_op::describe() const
{
	std::ostringstream s;
	s << (vc ? vc->a->name : std::string("?")) << ' '
	  << (direction == OCF_OP_ENCRYPT ? "encrypt" : "decrypt");
	if (vc)
		s << " aad " << vc->lay.aad << " text " << vc->lay.text << " tag " << vc->lay.tag;
	s << ' ' << where.name();
	return s.str();
}

std::vector<std::uint32_t> text_sizes(const alg &a, std::uint32_t aad, std::uint32_t max_len)
{
	static const std::uint32_t base[] = {0, 1, 15, 16, 17, 63, 64, 65, 255, 256, 1024, 4096, 16384, 65536};
	std::vector<std::uint32_t> out;
	const std::uint32_t tag = a.tag_len(), blk = a.block();
	const std::uint64_t overhead = std::uint64_t(aad) + tag;
	for (std::uint32_t s : base)
		if (s % blk == 0 && overhead + s <= max_len)
			out.push_back(s);
	if (max_len >= overhead) {
		auto m = static_cast<std::uint32_t>((max_len - overhead) / blk * blk);
		if (std::find(out.begin(), out.end(), m) == out.end())
			out.push_back(m);
	}
	return out;
}

int run_prepared(device &dev, const std::vector<prepared_ptr> &ops)
{
	std::vector<ocf_op> batch;
	batch.reserve(ops.size());
	for (const auto &p : ops)
		batch.push_back(p->op);
	int r = ocf_run(dev.get(), batch.data(), static_cast<unsigned>(batch.size()));
	for (std::size_t i = 0; i < ops.size(); i++)
		ops[i]->op.status = batch[i].status;
	return r;
}

std::string diff(const std::uint8_t *got, const bytes &want, std::size_t from, std::size_t to)
{
	to = std::min(to, want.size());
	std::size_t first = SIZE_MAX, count = 0;
	for (std::size_t i = from; i < to; i++)
		if (got[i] != want[i]) {
			if (first == SIZE_MAX)
				first = i;
			count++;
		}
	if (first == SIZE_MAX)
		return "";
	char buf[160];
	std::snprintf(buf, sizeof(buf), "%zu of %zu bytes differ, first at %zu: got %02x want %02x", count,
		      to - from, first, got[first], want[first]);
	return buf;
}

std::string errname(int e)
{
	if (e >= 0)
		return std::to_string(e);
	const char *n = strerrorname_np(-e);
	return n ? std::string("-") + n : std::to_string(e);
}

// ---- raw ioctls -------------------------------------------------------------------

int xioctl(int fd, unsigned long request, void *arg)
{
	int r = ::ioctl(fd, request, arg);
	return r < 0 ? -errno : r;
}

int xioctl(int fd, unsigned long request, std::uint64_t arg)
{
	return xioctl(fd, request, reinterpret_cast<void *>(static_cast<std::uintptr_t>(arg)));
}

struct ocf_batch make_batch(const void *ops, std::uint32_t count, std::uint32_t op_size)
{
	struct ocf_batch b {};
	b.size = sizeof(b);
	b.op_size = op_size;
	b.ops = uptr(ops);
	b.count = count;
	return b;
}

int raw_run(int fd, ocf_op *ops, std::uint32_t count)
{
	struct ocf_batch b = make_batch(ops, count);
	int r = xioctl(fd, OCF_IOC_RUN, &b);
	return r < 0 ? r : static_cast<int>(b.done);
}

int raw_submit(int fd, const ocf_op *ops, std::uint32_t count)
{
	struct ocf_batch b = make_batch(ops, count);
	int r = xioctl(fd, OCF_IOC_SUBMIT, &b);
	return r < 0 ? r : static_cast<int>(b.done);
}

int raw_reap(int fd, ocf_completion *out, std::uint32_t max, std::uint32_t flags, std::uint32_t min_complete,
	     std::uint32_t *in_flight)
{
	struct ocf_reap r {};
	r.size = sizeof(r);
	r.flags = flags;
	r.completions = uptr(out);
	r.max = max;
	r.min_complete = min_complete;
	int ret = xioctl(fd, OCF_IOC_REAP, &r);
	if (ret < 0)
		return ret;
	if (in_flight)
		*in_flight = r.in_flight;
	return static_cast<int>(r.count);
}

// ---- async --------------------------------------------------------------------------

bool readable(int fd, int timeout_ms)
{
	struct pollfd p {};
	p.fd = fd;
	p.events = POLLIN;
	int r;
	do
		r = ::poll(&p, 1, timeout_ms);
	while (r < 0 && errno == EINTR);
	return r > 0 && (p.revents & POLLIN);
}

std::vector<ocf_completion> reap_n(device &dev, std::size_t n, int timeout_ms)
{
	using clock = std::chrono::steady_clock;
	std::vector<ocf_completion> all, buf(256);
	auto last = clock::now();
	while (all.size() < n) {
		if (!readable(dev.fd(), 200)) {
			if (clock::now() - last > std::chrono::milliseconds(timeout_ms))
				break;
			continue;
		}
		auto want = static_cast<unsigned>(std::min<std::size_t>(buf.size(), n - all.size()));
		int r = ocf_reap(dev.get(), buf.data(), want, 0);
		if (r < 0)
			break;
		if (r > 0)
			last = clock::now();
		all.insert(all.end(), buf.begin(), buf.begin() + r);
	}
	return all;
}

// ---- inspection ---------------------------------------------------------------------

std::vector<ocf_producer_info> producers(device &dev)
{
	std::vector<ocf_producer_info> v(16);
	for (;;) {
		int r = ocf_producers(dev.get(), v.data(), static_cast<unsigned>(v.size()));
		if (r < 0)
			throw std::runtime_error("ocf_producers: " + errname(r));
		if (static_cast<std::size_t>(r) <= v.size()) {
			v.resize(static_cast<std::size_t>(r));
			return v;
		}
		v.resize(static_cast<std::size_t>(r) + 8);
	}
}

std::optional<ocf_producer_info> producer_named(device &dev, std::string_view name)
{
	for (const auto &p : producers(dev))
		if (std::string_view(p.name, strnlen(p.name, sizeof(p.name))) == name)
			return p;
	return std::nullopt;
}

std::optional<ocf_producer_info> producer_by_id(device &dev, std::uint32_t id)
{
	for (const auto &p : producers(dev))
		if (p.id == id)
			return p;
	return std::nullopt;
}

std::vector<ocf_session_info> sessions(device &dev, std::uint32_t flags)
{
	std::vector<ocf_session_info> v(64);
	for (;;) {
		int r = ocf_sessions(dev.get(), flags, v.data(), static_cast<unsigned>(v.size()));
		if (r < 0)
			throw std::runtime_error("ocf_sessions: " + errname(r));
		if (static_cast<std::size_t>(r) <= v.size()) {
			v.resize(static_cast<std::size_t>(r));
			return v;
		}
		v.resize(static_cast<std::size_t>(r) + 64);
	}
}

std::optional<ocf_session_info> session_info(device &dev, std::uint32_t id)
{
	for (const auto &s : sessions(dev))
		if (s.session == id)
			return s;
	return std::nullopt;
}

std::uint32_t max_len_for(device &dev, std::uint32_t producer)
{
	auto m = static_cast<std::uint32_t>(ocf_param("max_op_len"));
	auto p = producer_by_id(dev, producer);
	if (p && p->max_len && p->max_len < m)
		m = p->max_len;
	return m;
}

bool eventually(const std::function<bool()> &pred, int timeout_ms)
{
	auto end = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
	for (;;) {
		if (pred())
			return true;
		if (std::chrono::steady_clock::now() > end)
			return false;
		std::this_thread::sleep_for(std::chrono::milliseconds(20));
	}
}

unsigned long long vmstat(std::string_view counter)
{
	// The counters are per CPU and folded into /proc/vmstat about once a
	// second; without the refresh a balanced count reads a few pages off.
	write_text("/proc/sys/vm/stat_refresh", "1");
	std::ifstream in("/proc/vmstat");
	if (!in)
		throw std::runtime_error("cannot read /proc/vmstat");
	std::string name;
	unsigned long long v;
	while (in >> name >> v)
		if (name == counter)
			return v;
	throw std::runtime_error("no " + std::string(counter) + " in /proc/vmstat");
}

long long pins_outstanding()
{
	return static_cast<long long>(vmstat("nr_foll_pin_acquired") -
				      vmstat("nr_foll_pin_released"));
}

bool debug_kernel()
{
	struct utsname u {};
	return ::uname(&u) == 0 && std::string_view(u.release).ends_with("-ocf-debug");
}

// ---- processes ----------------------------------------------------------------------

bool child_result::ok() const { return WIFEXITED(status) && WEXITSTATUS(status) == 0; }

int child_result::exit_code() const { return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status); }

namespace {

void write_all(int fd, const std::string &s)
{
	std::size_t off = 0;
	while (off < s.size()) {
		ssize_t n = ::write(fd, s.data() + off, s.size() - off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return;
		off += static_cast<std::size_t>(n);
	}
}

std::string read_all(int fd)
{
	std::string s;
	char buf[4096];
	for (;;) {
		ssize_t n = ::read(fd, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return s;
		s.append(buf, static_cast<std::size_t>(n));
	}
}

} // namespace

child_result run_child(const std::function<std::string()> &fn)
{
	int p[2];
	if (::pipe2(p, O_CLOEXEC))
		throw std::runtime_error("pipe2 failed");
	std::fflush(nullptr);
	pid_t pid = ::fork();
	if (pid < 0)
		throw std::runtime_error("fork failed");
	if (pid == 0) {
		::close(p[0]);
		std::string msg;
		try {
			msg = fn();
		} catch (const std::exception &e) {
			msg = std::string("exception: ") + e.what();
		} catch (...) {
			msg = "unknown exception";
		}
		write_all(p[1], msg);
		::_exit(msg.empty() ? 0 : 1);
	}
	::close(p[1]);
	child_result r;
	r.output = read_all(p[0]);
	::close(p[0]);
	while (::waitpid(pid, &r.status, 0) < 0 && errno == EINTR) {
	}
	return r;
}

void child_sync::notify() const
{
	char c = 1;
	while (::write(to_parent, &c, 1) < 0 && errno == EINTR) {
	}
}

void child_sync::wait() const
{
	char c;
	while (::read(from_parent, &c, 1) < 0 && errno == EINTR) {
	}
}

child_result run_child_paused(const std::function<std::string(const child_sync &)> &fn,
			      const std::function<void(pid_t)> &while_paused)
{
	int msg[2], up[2], down[2];
	if (::pipe2(msg, O_CLOEXEC) || ::pipe2(up, O_CLOEXEC) || ::pipe2(down, O_CLOEXEC))
		throw std::runtime_error("pipe2 failed");
	std::fflush(nullptr);
	pid_t pid = ::fork();
	if (pid < 0)
		throw std::runtime_error("fork failed");
	if (pid == 0) {
		::close(msg[0]);
		::close(up[0]);
		::close(down[1]);
		child_sync sync{up[1], down[0]};
		std::string m;
		try {
			m = fn(sync);
		} catch (const std::exception &e) {
			m = std::string("exception: ") + e.what();
		} catch (...) {
			m = "unknown exception";
		}
		write_all(msg[1], m);
		::_exit(m.empty() ? 0 : 1);
	}
	::close(msg[1]);
	::close(up[1]);
	::close(down[0]);
	char c;
	ssize_t n;
	while ((n = ::read(up[0], &c, 1)) < 0 && errno == EINTR) {
	}
	child_result r;
	r.paused = n == 1;
	if (r.paused) {
		try {
			while_paused(pid);
		} catch (...) {
			::close(down[1]);
			::close(up[0]);
			r.output = read_all(msg[0]);
			::close(msg[0]);
			::waitpid(pid, &r.status, 0);
			throw;
		}
	}
	::close(down[1]);
	::close(up[0]);
	r.output = read_all(msg[0]);
	::close(msg[0]);
	while (::waitpid(pid, &r.status, 0) < 0 && errno == EINTR) {
	}
	return r;
}

std::string drop_to_nobody(std::size_t memlock)
{
	struct rlimit rl {memlock, memlock};
	if (::setrlimit(RLIMIT_MEMLOCK, &rl))
		return std::string("setrlimit(RLIMIT_MEMLOCK): ") + std::strerror(errno);
	return drop_to_nobody();
}

std::string drop_to_nobody()
{
	if (::setgroups(0, nullptr))
		return std::string("setgroups: ") + std::strerror(errno);
	if (::setgid(65534))
		return std::string("setgid: ") + std::strerror(errno);
	if (::setuid(65534))
		return std::string("setuid: ") + std::strerror(errno);
	if (::getuid() != 65534 || ::geteuid() != 65534)
		return "still privileged after setuid";
	return "";
}

child_result run_command(const std::vector<std::string> &argv, bool as_nobody,
			 const std::vector<std::string> &env)
{
	std::vector<std::string> envs = env; // putenv keeps pointers into these
	int p[2];
	if (::pipe2(p, O_CLOEXEC))
		throw std::runtime_error("pipe2 failed");
	std::vector<char *> args;
	for (const auto &a : argv)
		args.push_back(const_cast<char *>(a.c_str()));
	args.push_back(nullptr);
	std::fflush(nullptr);
	pid_t pid = ::fork();
	if (pid < 0)
		throw std::runtime_error("fork failed");
	if (pid == 0) {
		::dup2(p[1], 1);
		::dup2(p[1], 2);
		for (auto &e : envs)
			::putenv(e.data());
		if (as_nobody) {
			std::string e = drop_to_nobody();
			if (!e.empty()) {
				write_all(2, "run_command: " + e + "\n");
				::_exit(126);
			}
		}
		::execv(args[0], args.data());
		write_all(2, std::string("run_command: exec ") + args[0] + ": " + std::strerror(errno) + "\n");
		::_exit(127);
	}
	::close(p[1]);
	child_result r;
	r.output = read_all(p[0]);
	::close(p[0]);
	while (::waitpid(pid, &r.status, 0) < 0 && errno == EINTR) {
	}
	return r;
}

// ---- kernel log ---------------------------------------------------------------------

kmsg_tail::kmsg_tail()
{
	fd_ = ::open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd_ < 0)
		throw std::runtime_error(std::string("open /dev/kmsg: ") + std::strerror(errno));
	::lseek(fd_, 0, SEEK_END);
}

kmsg_tail::~kmsg_tail()
{
	if (fd_ >= 0)
		::close(fd_);
}

std::optional<std::vector<std::string>> kmsg_tail::wait_for(const std::regex &re, int timeout_ms)
{
	auto end = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
	char buf[8192];
	for (;;) {
		ssize_t n = ::read(fd_, buf, sizeof(buf) - 1);
		if (n > 0) {
			// "prio,seq,usec,flags;message\n[ continuation lines]"
			std::string rec(buf, static_cast<std::size_t>(n));
			auto semi = rec.find(';');
			std::string msg = semi == std::string::npos ? rec : rec.substr(semi + 1);
			msg = msg.substr(0, msg.find('\n'));
			lines_.push_back(msg);
			std::smatch m;
			if (std::regex_search(msg, m, re)) {
				std::vector<std::string> groups;
				for (const auto &g : m)
					groups.push_back(g.str());
				return groups;
			}
			continue;
		}
		if (n < 0 && errno == EPIPE) // records overwritten: go on with the next
			continue;
		if (n < 0 && errno == EINTR)
			continue;
		auto left = std::chrono::duration_cast<std::chrono::milliseconds>(end - std::chrono::steady_clock::now());
		if (left.count() <= 0)
			return std::nullopt;
		struct pollfd p {};
		p.fd = fd_;
		p.events = POLLIN;
		::poll(&p, 1, static_cast<int>(std::min<long long>(left.count(), 500)));
	}
}

} // namespace ocft
