// SPDX-License-Identifier: GPL-2.0
// The benchmark's backends: /dev/ocf through libocf (OCF_IOC_RUN,
// SUBMIT/REAP, io_uring), AF_ALG through libkcapi, and OpenSSL's default
// provider in userspace. All encrypt in place, AES-128-CBC but for ocf-null
// (the framework's own overhead) and ocf-3des.
#include "bench.hpp"
#include "cli.hpp"

#include <ocf/ocf.hpp>

#include <kcapi.h>
#include <openssl/err.h>
#include <openssl/evp.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

namespace ocfctl::bench {

namespace {

constexpr std::array<std::byte, 16> aes_key = {
	std::byte{0x00}, std::byte{0x01}, std::byte{0x02}, std::byte{0x03},
	std::byte{0x04}, std::byte{0x05}, std::byte{0x06}, std::byte{0x07},
	std::byte{0x08}, std::byte{0x09}, std::byte{0x0a}, std::byte{0x0b},
	std::byte{0x0c}, std::byte{0x0d}, std::byte{0x0e}, std::byte{0x0f},
};
constexpr std::size_t aes_iv_len = 16;
// Three distinct DES keys, as the kernel's 3DES key check wants.
constexpr auto des3_key = [] {
	std::array<std::byte, 24> key{};
	for (std::size_t i = 0; i < key.size(); ++i)
		key[i] = static_cast<std::byte>(0x11 * (i % 8) + 0x20 * (i / 8) + 1);
	return key;
}();

// Page-aligned, as AF_ALG's zero-copy path (vmsplice) wants; the other
// backends get the same memory so that alignment does not tilt the results.
class page_buffer {
public:
	explicit page_buffer(std::size_t size) : size_(size)
	{
		constexpr std::size_t page = 4096;
		std::size_t rounded = (size + page - 1) / page * page;
		data_.reset(static_cast<std::byte *>(std::aligned_alloc(page, rounded ? rounded : page)));
		if (!data_)
			throw failure("out of memory for a " + std::to_string(size) + "-byte buffer",
				      std::make_error_code(std::errc::not_enough_memory));
		std::memset(data_.get(), 0x5a, size);
	}
	std::span<std::byte> bytes() noexcept { return {data_.get(), size_}; }
	auto *u8() noexcept { return reinterpret_cast<std::uint8_t *>(data_.get()); }

private:
	struct freer {
		void operator()(std::byte *p) const noexcept { std::free(p); }
	};
	std::unique_ptr<std::byte, freer> data_;
	std::size_t size_;
};

// What a correct producer makes of @data: OpenSSL's default provider
// encrypting it (@openssl_cipher, e.g. "AES-128-CBC", no padding), or the
// data unchanged for the null cipher (nullptr).
std::vector<std::byte> reference_encrypt(const char *openssl_cipher, std::span<const std::byte> key,
					 std::span<const std::byte> iv, std::span<const std::byte> data);

// Every backend that hands the work to someone else checks, before it is
// timed, that what came back is what OpenSSL computes: a producer or path
// that completes ops without doing them must fail the benchmark, not win it.
void check_output(std::string_view what, std::size_t op, std::span<const std::byte> got,
		  const std::vector<std::byte> &want)
{
	if (!std::equal(got.begin(), got.end(), want.begin(), want.end()))
		throw failure(std::string(what) + ": op " + std::to_string(op) +
			      " came back with wrong data (not what OpenSSL computes for it): "
			      "the operation was not done");
}

// The data op @index starts from in the check round: distinct per op, so
// that ops swapped or dropped on the way show too.
void fill_pattern(std::span<std::byte> buffer, std::size_t index)
{
	for (std::size_t j = 0; j < buffer.size(); ++j)
		buffer[j] = static_cast<std::byte>(index * 7 + j);
}

// ---- /dev/ocf ---------------------------------------------------------------

// How a /dev/ocf worker hands its ops to the module, depth ops per round:
// one OCF_IOC_RUN; one OCF_IOC_SUBMIT then OCF_IOC_REAP until all depth
// are back; depth SQEs on an io_uring ring, one submit, reap until all are
// back (with SQPOLL a kernel thread takes the SQEs, usually without a
// system call).
enum class submission { run, async, uring, sqpoll };

class ocf_worker final : public worker {
public:
	ocf_worker(const shape &cell, std::uint32_t cipher, submission how)
		: device_(open_device(cell.device_path)), producers_(list_producers()),
		  session_(make_session(cipher, cell.producer)), batch_(device_), depth_(cell.depth),
		  how_(how), seen_(cell.depth)
	{
		if (how == submission::uring || how == submission::sqpoll)
			ring_ = open_ring(how == submission::sqpoll ? OCF_RING_SQPOLL : 0);
		std::size_t iv_len = ocf_alg_iv_len(cipher);
		for (unsigned i = 0; i < depth_; ++i) {
			buffers_.emplace_back(cell.size);
			ivs_.emplace_back(iv_len, std::byte{0});
			if (iv_len)
				ivs_.back()[0] = static_cast<std::byte>(i);
		}
		check_round(cipher);
	}

	std::uint64_t round() override
	{
		// The batch is refilled every round, as a real caller's would be.
		batch_.clear();
		for (unsigned i = 0; i < depth_; ++i)
			batch_.cipher(session_, ocf::direction::encrypt, buffers_[i].bytes(), ivs_[i]);
		std::error_code ec;
		switch (how_) {
		case submission::run:
			batch_.run(ec);
			if (ec)
				throw call_failure("OCF_IOC_RUN", ec);
			for (unsigned i = 0; i < depth_; ++i)
				if (auto status = batch_.status(i))
					throw failure("an operation failed: " + status.message(), status);
			break;
		case submission::async:
			batch_.submit(ec);
			if (ec)
				throw call_failure("OCF_IOC_SUBMIT", ec);
			reap_all("OCF_IOC_REAP", [&](unsigned n, std::error_code &err) {
				return device_.reap(n, n, err);
			});
			break;
		case submission::uring:
		case submission::sqpoll:
			if (ring_.prep(batch_) != depth_)
				throw failure("io_uring: the submission queue took fewer than " +
					      std::to_string(depth_) + " ops");
			if (unsigned handed = ring_.submit(ec); ec)
				throw call_failure("io_uring submit", ec);
			else if (handed != depth_)
				throw failure("io_uring submit handed over " + std::to_string(handed) +
					      " of " + std::to_string(depth_) + " ops");
			reap_all("io_uring reap", [&](unsigned n, std::error_code &err) {
				return ring_.reap(n, n, err);
			});
			break;
		}
		return depth_;
	}

	std::string producer() const override
	{
		for (const auto &p : producers_)
			if (p.id == session_.producer())
				return p.name;
		return "#" + std::to_string(session_.producer());
	}

private:
	std::vector<ocf_producer_info> list_producers()
	{
		std::error_code ec;
		auto list = device_.producers(ec);
		if (ec)
			throw call_failure("listing the producers", ec);
		return list;
	}

	// @name: a producer's name or id, "" for any.
	std::uint32_t producer_id(const std::string &name) const
	{
		if (name.empty())
			return 0;
		for (const auto &p : producers_)
			if (name == p.name || name == std::to_string(p.id))
				return p.id;
		throw failure("no producer named " + name + " (ocfctl producers lists those loaded)",
			      std::make_error_code(std::errc::no_such_file_or_directory));
	}

	ocf::session make_session(std::uint32_t cipher, const std::string &producer)
	{
		ocf::session_params params{.cipher = cipher, .producer = producer_id(producer)};
		if (cipher == OCF_CIPHER_AES_CBC)
			params.cipher_key = aes_key;
		else if (cipher == OCF_CIPHER_3DES_CBC)
			params.cipher_key = des3_key;
		std::error_code ec;
		auto s = ocf::session::create(device_, params, ec);
		if (ec == std::errc::operation_not_supported)
			throw failure((producer.empty() ? "no producer offers " : producer + " does not offer ") +
					      ocf_alg_name(cipher) + " (ocfctl producers lists those loaded)",
				      ec);
		if (ec)
			throw call_failure("creating a session", ec);
		return s;
	}

	ocf::ring open_ring(std::uint32_t flags)
	{
		std::error_code ec;
		// Room for one round; a ring rounds it up to a power of two.
		auto r = ocf::ring::open(device_, depth_, flags, ec);
		if (ec == std::errc::operation_not_permitted)
			throw failure(std::string("io_uring") + (flags & OCF_RING_SQPOLL ? " with SQPOLL" : "") +
					      ": not allowed here (io_uring disabled, or a sandbox)",
				      ec);
		if (ec == std::errc::function_not_supported)
			throw failure("io_uring: this kernel has none", ec);
		if (ec)
			throw call_failure("io_uring setup", ec);
		return r;
	}

	// Collects the depth completions of a round, each op's exactly once.
	template <typename Reap> void reap_all(const char *call, Reap reap)
	{
		std::fill(seen_.begin(), seen_.end(), false);
		unsigned got = 0;
		while (got < depth_) {
			std::error_code ec;
			auto done = reap(depth_ - got, ec);
			if (ec)
				throw call_failure(call, ec);
			if (done.empty())
				throw failure(std::string(call) + ": nothing came back with " +
					      std::to_string(depth_ - got) + " ops in flight");
			for (const auto &c : done) {
				if (c.tag >= depth_ || seen_[c.tag])
					throw failure(std::string(call) + ": a completion with tag " +
						      std::to_string(c.tag) + ", not one of the round's");
				seen_[c.tag] = true;
				if (c.status)
					throw failure("an operation failed: " + c.status.message(), c.status);
			}
			got += static_cast<unsigned>(done.size());
		}
	}

	// One round on known data, checked against OpenSSL (see check_output()).
	void check_round(std::uint32_t cipher)
	{
		const char *reference = cipher == OCF_CIPHER_AES_CBC	 ? "AES-128-CBC" :
					cipher == OCF_CIPHER_3DES_CBC ? "DES-EDE3-CBC" :
									nullptr;
		std::span<const std::byte> key = cipher == OCF_CIPHER_AES_CBC	? std::span<const std::byte>(aes_key) :
						 cipher == OCF_CIPHER_3DES_CBC ? std::span<const std::byte>(des3_key) :
										 std::span<const std::byte>();
		std::vector<std::vector<std::byte>> want;
		for (unsigned i = 0; i < depth_; ++i) {
			fill_pattern(buffers_[i].bytes(), i);
			want.push_back(reference_encrypt(reference, key, ivs_[i], buffers_[i].bytes()));
		}
		round();
		for (unsigned i = 0; i < depth_; ++i)
			check_output(ocf_alg_name(cipher), i, buffers_[i].bytes(), want[i]);
	}

	// Declared first, destroyed last: ops a failed round left in flight
	// may still write into them until the ring and the file are closed.
	std::vector<page_buffer> buffers_;
	std::vector<std::vector<std::byte>> ivs_;
	ocf::device device_;
	std::vector<ocf_producer_info> producers_;
	ocf::session session_;
	ocf::batch batch_;
	unsigned depth_;
	submission how_;
	std::vector<bool> seen_;
	// Last: closed first (waiting for its ops), while the session lives.
	ocf::ring ring_;
};

template <std::uint32_t cipher, submission how> std::unique_ptr<worker> make_ocf(const shape &cell)
{
	return std::make_unique<ocf_worker>(cell, cipher, how);
}

// ---- AF_ALG (libkcapi) ------------------------------------------------------

failure afalg_failure(const char *call, long err)
{
	int code = static_cast<int>(-err);
	std::string text = std::string("AF_ALG: ") + call + ": " + std::strerror(code);
	if (code == EOPNOTSUPP || code == EAFNOSUPPORT)
		text += " (no AF_ALG sockets here: a kernel without "
			"CONFIG_CRYPTO_USER_API_SKCIPHER, or a sandbox that denies them)";
	else if (code == ENOENT)
		text += " (cbc(aes) is not available: modprobe algif_skcipher)";
	return failure(text, std::error_code(code, std::generic_category()));
}

class afalg_worker final : public worker {
public:
	explicit afalg_worker(const shape &cell) : buffer_(cell.size), size_(cell.size)
	{
		kcapi_handle *raw = nullptr;
		int ret = kcapi_cipher_init(&raw, "cbc(aes)", 0);
		if (ret < 0)
			throw afalg_failure("kcapi_cipher_init(cbc(aes))", ret);
		handle_.reset(raw);
		ret = kcapi_cipher_setkey(handle_.get(),
					  reinterpret_cast<const std::uint8_t *>(aes_key.data()),
					  aes_key.size());
		if (ret < 0)
			throw afalg_failure("kcapi_cipher_setkey", ret);
		fill_pattern(buffer_.bytes(), 0);
		auto want = reference_encrypt("AES-128-CBC", aes_key, std::as_bytes(std::span(iv_)),
					      buffer_.bytes());
		round();
		check_output("AF_ALG cbc(aes)", 0, buffer_.bytes(), want);
	}

	std::uint64_t round() override
	{
		ssize_t done = kcapi_cipher_encrypt(handle_.get(), buffer_.u8(), size_, iv_.data(),
						    buffer_.u8(), size_, KCAPI_ACCESS_HEURISTIC);
		if (done < 0)
			throw afalg_failure("kcapi_cipher_encrypt", done);
		return 1;
	}

private:
	struct destroyer {
		void operator()(kcapi_handle *h) const noexcept { kcapi_cipher_destroy(h); }
	};
	std::unique_ptr<kcapi_handle, destroyer> handle_;
	page_buffer buffer_;
	std::size_t size_;
	std::array<std::uint8_t, aes_iv_len> iv_{};
};

std::unique_ptr<worker> make_afalg(const shape &cell)
{
	// libkcapi logs its errors to stderr itself; ours say more.
	[[maybe_unused]] static const bool quiet = [] {
		kcapi_set_verbosity(KCAPI_LOG_NONE);
		return true;
	}();
	return std::make_unique<afalg_worker>(cell);
}

// ---- OpenSSL ----------------------------------------------------------------

std::string openssl_message(const char *call)
{
	char reason[256] = "unknown error";
	if (unsigned long err = ERR_get_error())
		ERR_error_string_n(err, reason, sizeof(reason));
	return std::string("OpenSSL: ") + call + ": " + reason;
}

std::vector<std::byte> reference_encrypt(const char *openssl_cipher, std::span<const std::byte> key,
					 std::span<const std::byte> iv, std::span<const std::byte> data)
{
	std::vector<std::byte> out(data.begin(), data.end());
	if (!openssl_cipher)
		return out;
	struct cipher_freer {
		void operator()(EVP_CIPHER *c) const noexcept { EVP_CIPHER_free(c); }
	};
	struct context_freer {
		void operator()(EVP_CIPHER_CTX *c) const noexcept { EVP_CIPHER_CTX_free(c); }
	};
	std::unique_ptr<EVP_CIPHER, cipher_freer> cipher(
		EVP_CIPHER_fetch(nullptr, openssl_cipher, "provider=default"));
	std::unique_ptr<EVP_CIPHER_CTX, context_freer> context(EVP_CIPHER_CTX_new());
	auto *u8 = reinterpret_cast<unsigned char *>(out.data());
	int written = 0;
	if (!cipher || !context ||
	    EVP_EncryptInit_ex2(context.get(), cipher.get(),
				reinterpret_cast<const unsigned char *>(key.data()),
				reinterpret_cast<const unsigned char *>(iv.data()), nullptr) != 1 ||
	    EVP_CIPHER_CTX_set_padding(context.get(), 0) != 1 ||
	    EVP_EncryptUpdate(context.get(), u8, &written, u8, static_cast<int>(out.size())) != 1)
		throw failure(openssl_message("the reference encryption"));
	return out;
}

// Like `openssl speed -evp`: one context, EVP_EncryptUpdate per op, so CBC
// chains from one op to the next instead of taking a fresh IV.
class openssl_worker final : public worker {
public:
	explicit openssl_worker(const shape &cell) : buffer_(cell.size), size_(static_cast<int>(cell.size))
	{
		cipher_.reset(EVP_CIPHER_fetch(nullptr, "AES-128-CBC", "provider=default"));
		if (!cipher_)
			throw failure(openssl_message("EVP_CIPHER_fetch(AES-128-CBC, provider=default)"));
		context_.reset(EVP_CIPHER_CTX_new());
		if (!context_)
			throw failure(openssl_message("EVP_CIPHER_CTX_new"));
		std::array<unsigned char, aes_iv_len> iv{};
		if (EVP_EncryptInit_ex2(context_.get(), cipher_.get(),
					reinterpret_cast<const unsigned char *>(aes_key.data()),
					iv.data(), nullptr) != 1 ||
		    EVP_CIPHER_CTX_set_padding(context_.get(), 0) != 1)
			throw failure(openssl_message("EVP_EncryptInit_ex2"));
	}

	std::uint64_t round() override
	{
		int written = 0;
		if (EVP_EncryptUpdate(context_.get(), buffer_.u8(), &written, buffer_.u8(), size_) != 1)
			throw failure(openssl_message("EVP_EncryptUpdate"));
		return 1;
	}

private:
	struct cipher_freer {
		void operator()(EVP_CIPHER *c) const noexcept { EVP_CIPHER_free(c); }
	};
	struct context_freer {
		void operator()(EVP_CIPHER_CTX *c) const noexcept { EVP_CIPHER_CTX_free(c); }
	};
	std::unique_ptr<EVP_CIPHER, cipher_freer> cipher_;
	std::unique_ptr<EVP_CIPHER_CTX, context_freer> context_;
	page_buffer buffer_;
	int size_;
};

std::unique_ptr<worker> make_openssl(const shape &cell)
{
	return std::make_unique<openssl_worker>(cell);
}

constexpr std::uint32_t null = OCF_CIPHER_NULL, aes = OCF_CIPHER_AES_CBC, des3 = OCF_CIPHER_3DES_CBC;
using enum submission;

constexpr backend all_backends[] = {
	{"ocf-null", "/dev/ocf, null cipher (the framework's overhead)", true, 1, true, make_ocf<null, run>},
	{"ocf-aes", "/dev/ocf, AES-128-CBC", true, 16, true, make_ocf<aes, run>},
	{"afalg", "AF_ALG through libkcapi, cbc(aes) 128-bit", false, 16, true, make_afalg},
	{"openssl", "OpenSSL default provider, EVP AES-128-CBC", false, 16, true, make_openssl},
	{"ocf-3des", "/dev/ocf, 3DES-CBC (the paper's Table I cipher)", true, 8, false, make_ocf<des3, run>},
	{"ocf-null-async", "/dev/ocf SUBMIT/REAP, null cipher", true, 1, false, make_ocf<null, async>},
	{"ocf-aes-async", "/dev/ocf SUBMIT/REAP, AES-128-CBC", true, 16, false, make_ocf<aes, async>},
	{"ocf-3des-async", "/dev/ocf SUBMIT/REAP, 3DES-CBC", true, 8, false, make_ocf<des3, async>},
	{"ocf-null-uring", "/dev/ocf io_uring, null cipher", true, 1, false, make_ocf<null, uring>},
	{"ocf-aes-uring", "/dev/ocf io_uring, AES-128-CBC", true, 16, false, make_ocf<aes, uring>},
	{"ocf-3des-uring", "/dev/ocf io_uring, 3DES-CBC", true, 8, false, make_ocf<des3, uring>},
	{"ocf-null-sqpoll", "/dev/ocf io_uring with SQPOLL, null cipher", true, 1, false,
	 make_ocf<null, sqpoll>},
	{"ocf-aes-sqpoll", "/dev/ocf io_uring with SQPOLL, AES-128-CBC", true, 16, false,
	 make_ocf<aes, sqpoll>},
	{"ocf-3des-sqpoll", "/dev/ocf io_uring with SQPOLL, 3DES-CBC", true, 8, false,
	 make_ocf<des3, sqpoll>},
};

} // namespace

std::span<const backend> backends()
{
	return all_backends;
}

} // namespace ocfctl::bench
