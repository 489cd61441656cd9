// The TLS CBC record check (provider/src/tls_cbc.cpp) runs in constant time
// with respect to the secret parts of a record: under valgrind's memcheck,
// with the decrypted record marked undefined (the ctgrind technique), any
// branch or memory index that depends on it is reported as a use of an
// uninitialised value. Only the verdict may be branched on: it is marked
// defined before the caller looks at it.
//
//   valgrind --error-exitcode=1 ocf_ct_tls_cbc           must pass
//   valgrind --error-exitcode=1 ocf_ct_tls_cbc --leaky   must fail: a check
//       that branches on the padding, so a run proves memcheck would see it
//
// Without valgrind the client requests do nothing and it checks the
// verdicts only.
#include "tls_cbc.hpp"

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include <valgrind/memcheck.h>

#include <cstdio>
#include <cstring>
#include <vector>

using namespace ocfprov;

namespace {

using bytes = std::vector<unsigned char>;

// [payload][HMAC over header || payload][padding bytes][padding length].
bytes make_record(tls_cbc::Hash hash, const bytes &key, unsigned char header[13],
		  std::size_t payload, std::size_t pad)
{
	const std::size_t maclen = tls_cbc::mac_size(hash);
	bytes rec(payload + maclen + pad + 1);
	RAND_bytes(rec.data(), static_cast<int>(payload));
	header[11] = static_cast<unsigned char>(payload >> 8);
	header[12] = static_cast<unsigned char>(payload);
	bytes msg(13 + payload);
	std::memcpy(msg.data(), header, 13);
	std::memcpy(msg.data() + 13, rec.data(), payload);
	unsigned len = 0;
	HMAC(hash == tls_cbc::Hash::Sha1 ? EVP_sha1() : EVP_sha256(), key.data(),
	     static_cast<int>(key.size()), msg.data(), msg.size(), rec.data() + payload, &len);
	std::memset(rec.data() + payload + maclen, static_cast<int>(pad), pad + 1);
	return rec;
}

// What a careless check does: reads the padding length and loops on it.
bool leaky_check(const unsigned char *rec, std::size_t len)
{
	std::size_t pad = rec[len - 1];
	if (pad + 1 > len)
		return false;
	for (std::size_t i = 0; i <= pad; i++)
		if (rec[len - 1 - i] != pad)
			return false;
	return true;
}

} // namespace

int main(int argc, char **argv)
{
	const bool leaky = argc > 1 && std::strcmp(argv[1], "--leaky") == 0;
	int wrong = 0, runs = 0;
	for (tls_cbc::Hash hash : { tls_cbc::Hash::Sha1, tls_cbc::Hash::Sha256 }) {
		bytes key(tls_cbc::mac_size(hash));
		RAND_bytes(key.data(), static_cast<int>(key.size()));
		for (std::size_t pad : { 0, 1, 15, 16, 200, 255 }) {
			for (int tamper = 0; tamper < 3; tamper++) {
				unsigned char header[13] = { 0, 0, 0, 0, 0, 0, 0, 7, 23, 3, 3, 0, 0 };
				const std::size_t payload = 100 + pad % 7;
				bytes rec = make_record(hash, key, header, payload, pad);
				if (tamper == 1)
					rec[payload] ^= 1;		// the MAC
				if (tamper == 2 && pad > 0)
					rec[rec.size() - 2] ^= 4;	// a padding byte
				const bool expect = tamper == 0 || (tamper == 2 && pad == 0);
				// The decrypted record is the secret.
				VALGRIND_MAKE_MEM_UNDEFINED(rec.data(), rec.size());
				std::size_t plen = 0;
				bool ok = leaky ? leaky_check(rec.data(), rec.size()) :
						  tls_cbc::check_record(hash, key.data(), key.size(), header,
									rec.data(), rec.size(), &plen);
				// The verdict (and, when good, the length) is public.
				VALGRIND_MAKE_MEM_DEFINED(&ok, sizeof(ok));
				VALGRIND_MAKE_MEM_DEFINED(&plen, sizeof(plen));
				runs++;
				if (!leaky && (ok != expect || (ok && plen != payload))) {
					std::fprintf(stderr, "pad %zu tamper %d: verdict %d, expected %d\n", pad,
						     tamper, ok, expect);
					wrong++;
				}
			}
		}
	}
	std::printf("%d records checked%s, %d wrong verdicts\n", runs, leaky ? " (leaky check)" : "",
		    wrong);
	return wrong ? 1 : 0;
}
