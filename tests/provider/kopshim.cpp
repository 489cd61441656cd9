// A shim between the provider and libocf's ocf_modexp_crt (LD_PRELOAD it):
// records what the provider sends the producer, and when armed, damages
// the producer's result the way a CRT fault would (one bit of the output).
// tests/provider/pkey.cpp's [.kopshim] tests drive it: the provider must
// blind what it sends, must never release a result that fails its check,
// and must do an operation OCF refuses in software.
#include <ocf/ocf.h>

#include <cstddef>
#include <cstring>
#include <dlfcn.h>

extern "C" {

// Set by the test (through dlsym): results to damage from now on; calls to
// refuse with ocf_kopshim_errno (without reaching the producer).
__attribute__((visibility("default"))) int ocf_kopshim_faults = 0;
__attribute__((visibility("default"))) int ocf_kopshim_refusals = 0;
__attribute__((visibility("default"))) int ocf_kopshim_errno = 19;	// ENODEV
// What the last call sent (the input), and how many calls there were.
__attribute__((visibility("default"))) unsigned char ocf_kopshim_last_in[1024];
__attribute__((visibility("default"))) std::size_t ocf_kopshim_last_len = 0;
__attribute__((visibility("default"))) unsigned long ocf_kopshim_calls = 0;

__attribute__((visibility("default"))) int ocf_modexp_crt(struct ocf_device *dev, struct ocf_bn in,
							   const struct ocf_rsa_crt_key *key,
							   void *out, std::size_t out_len)
{
	using Fn = int (*)(struct ocf_device *, struct ocf_bn, const struct ocf_rsa_crt_key *,
			   void *, std::size_t);
	static Fn real = reinterpret_cast<Fn>(dlsym(RTLD_NEXT, "ocf_modexp_crt"));
	ocf_kopshim_calls++;
	ocf_kopshim_last_len = in.len < sizeof(ocf_kopshim_last_in) ? in.len : 0;
	if (ocf_kopshim_last_len)
		std::memcpy(ocf_kopshim_last_in, in.data, in.len);
	if (ocf_kopshim_refusals > 0) {
		ocf_kopshim_refusals--;
		return -ocf_kopshim_errno;
	}
	int r = real ? real(dev, in, key, out, out_len) : -95;	// -EOPNOTSUPP
	if (r == 0 && ocf_kopshim_faults > 0 && out_len) {
		ocf_kopshim_faults--;
		static_cast<unsigned char *>(out)[out_len / 2] ^= 0x10;
	}
	return r;
}
}
