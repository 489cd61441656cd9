// SPDX-License-Identifier: GPL-2.0
// The benchmark's backends: /dev/ocf through libocf, AF_ALG through
// libkcapi, and OpenSSL's default provider in userspace. All encrypt
// AES-128-CBC in place (except ocf-null, the framework's own overhead).
#include "bench.hpp"
#include "cli.hpp"

#include <ocf/ocf.hpp>

#include <kcapi.h>
#include <openssl/err.h>
#include <openssl/evp.h>

#include <array>
#include <cerrno>
#include <cstdlib>
#include <cstring>
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

// ---- /dev/ocf ---------------------------------------------------------------

class ocf_worker final : public worker {
public:
	ocf_worker(const shape &cell, std::uint32_t cipher)
		: device_(open_device(cell.device_path)), session_(make_session(cipher)),
		  batch_(device_), depth_(cell.depth)
	{
		std::size_t iv_len = ocf_alg_iv_len(cipher);
		for (unsigned i = 0; i < depth_; ++i) {
			buffers_.emplace_back(cell.size);
			ivs_.emplace_back(iv_len, std::byte{0});
			if (iv_len)
				ivs_.back()[0] = static_cast<std::byte>(i);
		}
	}

	std::uint64_t round() override
	{
		// The batch is refilled every round, as a real caller's would be.
		batch_.clear();
		for (unsigned i = 0; i < depth_; ++i)
			batch_.cipher(session_, ocf::direction::encrypt, buffers_[i].bytes(), ivs_[i]);
		std::error_code ec;
		batch_.run(ec);
		if (ec)
			throw call_failure("OCF_IOC_RUN", ec);
		for (unsigned i = 0; i < depth_; ++i)
			if (auto status = batch_.status(i))
				throw failure("an operation failed: " + status.message(), status);
		return depth_;
	}

private:
	ocf::session make_session(std::uint32_t cipher)
	{
		ocf::session_params params{.cipher = cipher};
		if (cipher == OCF_CIPHER_AES_CBC)
			params.cipher_key = aes_key;
		else if (cipher == OCF_CIPHER_3DES_CBC)
			params.cipher_key = des3_key;
		std::error_code ec;
		auto s = ocf::session::create(device_, params, ec);
		if (ec == std::errc::operation_not_supported)
			throw failure(std::string("no producer offers ") + ocf_alg_name(cipher) +
				      " (ocfctl producers lists those loaded)", ec);
		if (ec)
			throw call_failure("creating a session", ec);
		return s;
	}

	ocf::device device_;
	ocf::session session_;
	ocf::batch batch_;
	unsigned depth_;
	std::vector<page_buffer> buffers_;
	std::vector<std::vector<std::byte>> ivs_;
};

std::unique_ptr<worker> make_ocf_null(const shape &cell)
{
	return std::make_unique<ocf_worker>(cell, OCF_CIPHER_NULL);
}

std::unique_ptr<worker> make_ocf_aes(const shape &cell)
{
	return std::make_unique<ocf_worker>(cell, OCF_CIPHER_AES_CBC);
}

std::unique_ptr<worker> make_ocf_3des(const shape &cell)
{
	return std::make_unique<ocf_worker>(cell, OCF_CIPHER_3DES_CBC);
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

constexpr backend all_backends[] = {
	{"ocf-null", "/dev/ocf, null cipher (the framework's overhead)", true, 1, true, make_ocf_null},
	{"ocf-aes", "/dev/ocf, AES-128-CBC", true, 16, true, make_ocf_aes},
	{"afalg", "AF_ALG through libkcapi, cbc(aes) 128-bit", false, 16, true, make_afalg},
	{"openssl", "OpenSSL default provider, EVP AES-128-CBC", false, 16, true, make_openssl},
	{"ocf-3des", "/dev/ocf, 3DES-CBC (the paper's Table I cipher)", true, 8, false, make_ocf_3des},
};

} // namespace

std::span<const backend> backends()
{
	return all_backends;
}

} // namespace ocfctl::bench
