// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * ocf_request_cost: the fixed cost of one provider request against one
 * OCF_IOC_RUN of one op from C, in one process (issue 18: the provider's
 * request within 1.3x of the bare RUN).
 *
 *   ocf_request_cost [SIZE [ROUNDS [MS]]]
 *
 * Both encrypt SIZE bytes (default 16) of AES-128-CBC through OCF: "run" is
 * ocf_run() of one op on a session of its own, the same call the provider
 * makes; "evp" is EVP_EncryptUpdate() on an AES-128-CBC context of the ocf
 * provider in mode always (OCF_PROVIDER_MODE=always is set here). They take
 * turns, ROUNDS (default 10) rounds of MS (default 300) milliseconds each,
 * and the best round of each counts: the emulated CPU's speed drifts with
 * the host's load, and the best of several tries is what the code costs.
 * "base" is the same EVP call with OpenSSL's default provider: what the
 * EVP layer and the AES itself cost in software. Prints one line per
 * measure and a final "ratio evp/run" line. Needs /dev/ocf with a producer
 * of AES-CBC; OPENSSL_MODULES must name the directory of ocf.so.
 */
#include <ocf/ocf.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/provider.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static unsigned char key[16] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16 };
static unsigned char iv[16];
static unsigned char buf[1 << 16];

struct bare {
	struct ocf_device *dev;
	uint32_t session;
	size_t size;
};

static int bare_one(struct bare *b)
{
	struct ocf_op op;
	ocf_op_cipher(&op, b->session, OCF_OP_ENCRYPT, buf, NULL, (uint32_t)b->size, iv);
	int r = ocf_run(b->dev, &op, 1);
	return r == 1 && op.status == 0 ? 0 : -1;
}

static int evp_one(EVP_CIPHER_CTX *ctx, size_t size)
{
	int outl = 0;
	return EVP_EncryptUpdate(ctx, buf, &outl, buf, (int)size) == 1 && outl == (int)size ? 0 : -1;
}

enum { RUN, EVP, BASE, KINDS };
static const char *names[KINDS] = { "run", "evp", "base" };

int main(int argc, char **argv)
{
	size_t size = argc > 1 ? strtoul(argv[1], NULL, 0) : 16;
	int rounds = argc > 2 ? atoi(argv[2]) : 10;
	double round_s = (argc > 3 ? atof(argv[3]) : 300) / 1000;
	if (size == 0 || size % 16 || size > sizeof(buf) || rounds < 1) {
		fprintf(stderr, "usage: ocf_request_cost [SIZE (a multiple of 16)] [ROUNDS] [MS]\n");
		return 2;
	}

	struct bare b = { .size = size };
	struct ocf_session_params params = { .cipher = OCF_CIPHER_AES_CBC,
					     .cipher_key = key,
					     .cipher_key_len = sizeof(key) };
	int r = ocf_device_open(NULL, &b.dev);
	if (r == 0)
		r = ocf_session_new(b.dev, &params, &b.session, NULL);
	if (r < 0) {
		fprintf(stderr, "ocf_request_cost: /dev/ocf: %s\n", ocf_strerror(r));
		return 1;
	}

	setenv("OCF_PROVIDER_MODE", "always", 1);
	OSSL_LIB_CTX *lib[2] = { OSSL_LIB_CTX_new(), OSSL_LIB_CTX_new() };
	EVP_CIPHER_CTX *ctx[2] = { EVP_CIPHER_CTX_new(), EVP_CIPHER_CTX_new() };
	const char *props[2] = { "provider=ocf", "provider=default" };
	for (int i = 0; i < 2; i++) {
		EVP_CIPHER *c = NULL;
		if (!lib[i] || !ctx[i] || (i == 0 && !OSSL_PROVIDER_load(lib[i], "ocf")) ||
		    !OSSL_PROVIDER_load(lib[i], "default") ||
		    !(c = EVP_CIPHER_fetch(lib[i], "AES-128-CBC", props[i])) ||
		    !EVP_EncryptInit_ex2(ctx[i], c, key, iv, NULL)) {
			fprintf(stderr, "ocf_request_cost: the %s provider's AES-128-CBC: ", props[i]);
			ERR_print_errors_fp(stderr);
			return 1;
		}
		EVP_CIPHER_free(c);
	}

	double best[KINDS];
	for (int k = 0; k < KINDS; k++)
		best[k] = 1e9;
	for (int round = 0; round < rounds; round++) {
		for (int k = 0; k < KINDS; k++) {
			unsigned long n = 0;
			double t0 = now_s(), t;
			do {
				for (int i = 0; i < 64; i++, n++) {
					int e = k == RUN ? bare_one(&b) :
						evp_one(ctx[k == EVP ? 0 : 1], size);
					if (e) {
						fprintf(stderr, "ocf_request_cost: %s failed\n", names[k]);
						return 1;
					}
				}
				t = now_s() - t0;
			} while (t < round_s);
			if (t / (double)n < best[k])
				best[k] = t / (double)n;
		}
	}
	for (int k = 0; k < KINDS; k++)
		printf("%s %zu bytes: %.3f us per request (best of %d rounds)\n", names[k], size,
		       best[k] * 1e6, rounds);
	printf("ratio evp/run: %.3f\n", best[EVP] / best[RUN]);
	for (int i = 0; i < 2; i++) {
		EVP_CIPHER_CTX_free(ctx[i]);
		OSSL_LIB_CTX_free(lib[i]);
	}
	ocf_session_free(b.dev, b.session);
	ocf_device_close(b.dev);
	return 0;
}
