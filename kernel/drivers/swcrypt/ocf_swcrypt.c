// SPDX-License-Identifier: GPL-2.0
/*
 * swcrypt: OCF's software producer, over the Linux crypto API, and for key
 * operations over the kernel's MPI library. Synchronous: it does each
 * request within its process call, on an OCF worker.
 */

#include <crypto/aead.h>
#include <crypto/algapi.h>
#include <crypto/hash.h>
#include <crypto/scatterwalk.h>
#include <crypto/skcipher.h>
#include <linux/module.h>
#include <linux/ocf.h>
#include <linux/ocf_compat.h>
#include <linux/random.h>
#include <linux/slab.h>

struct ocf_swcrypt_scratch;

struct ocf_swcrypt_session {
	struct crypto_skcipher *skcipher;
	struct crypto_aead *aead;
	struct crypto_ahash *ahash;
	u32 mac_len;
	bool mac_then_cipher;
	struct ocf_swcrypt_scratch *spare;	/* the last one used, for the next */
};

/*
 * What one operation works with: what the crypto API reads or writes
 * through a pointer (IV, digest), off the stack, since a driver that
 * DMA-maps it cannot take stack memory; and the session's crypto API
 * requests. Allocating and zeroing all that took more time than a small
 * operation's crypto, so a session keeps its last one for the next
 * operation; concurrent operations on one session allocate their own.
 */
struct ocf_swcrypt_scratch {
	u8 iv[OCF_MAX_IV_LEN];
	u8 digest[OCF_MAX_MAC_LEN];
	u8 expected[OCF_MAX_MAC_LEN];
	struct skcipher_request *skcipher;
	struct aead_request *aead;
	struct ahash_request *ahash;
};

static void ocf_swcrypt_scratch_free(struct ocf_swcrypt_scratch *sc)
{
	if (!sc)
		return;
	/* These free with kfree_sensitive(): contexts may hold cipher state. */
	if (sc->skcipher)
		skcipher_request_free(sc->skcipher);
	if (sc->aead)
		aead_request_free(sc->aead);
	if (sc->ahash)
		ahash_request_free(sc->ahash);
	kfree_sensitive(sc);
}

static struct ocf_swcrypt_scratch *ocf_swcrypt_scratch_get(struct ocf_swcrypt_session *ss)
{
	struct ocf_swcrypt_scratch *sc = xchg(&ss->spare, NULL);

	if (sc)
		return sc;
	sc = kzalloc(sizeof(*sc), GFP_KERNEL);
	if (!sc)
		return NULL;
	if (ss->skcipher) {
		sc->skcipher = skcipher_request_alloc(ss->skcipher, GFP_KERNEL);
		if (!sc->skcipher)
			goto err_free;
	}
	if (ss->aead) {
		sc->aead = aead_request_alloc(ss->aead, GFP_KERNEL);
		if (!sc->aead)
			goto err_free;
	}
	if (ss->ahash) {
		sc->ahash = ahash_request_alloc(ss->ahash, GFP_KERNEL);
		if (!sc->ahash)
			goto err_free;
	}
	return sc;

err_free:
	ocf_swcrypt_scratch_free(sc);
	return NULL;
}

static void ocf_swcrypt_scratch_put(struct ocf_swcrypt_session *ss,
				    struct ocf_swcrypt_scratch *sc)
{
	/* A failed check left the right MAC here: not for the next op to hold. */
	memzero_explicit(sc->digest, sizeof(sc->digest));
	memzero_explicit(sc->expected, sizeof(sc->expected));
	if (cmpxchg(&ss->spare, NULL, sc))
		ocf_swcrypt_scratch_free(sc);
}

static void ocf_swcrypt_freesession(struct ocf_producer *p, void *priv)
{
	struct ocf_swcrypt_session *ss = priv;

	if (!ss)
		return;
	ocf_swcrypt_scratch_free(ss->spare);
	crypto_free_skcipher(ss->skcipher);
	crypto_free_aead(ss->aead);
	crypto_free_ahash(ss->ahash);
	kfree(ss);
}

static int ocf_swcrypt_newsession(struct ocf_producer *p, const struct ocf_session_params *params,
				  void **priv)
{
	const struct ocf_alg_info *c = ocf_alg_info(params->cipher);
	const struct ocf_alg_info *m = ocf_alg_info(params->mac);
	struct ocf_swcrypt_session *ss;
	int ret = 0;

	ss = kzalloc(sizeof(*ss), GFP_KERNEL);
	if (!ss)
		return -ENOMEM;
	ss->mac_len = params->mac_len;
	ss->mac_then_cipher = params->flags & OCF_SESSION_MAC_THEN_CIPHER;
	if (c && c->kind == OCF_KIND_AEAD) {
		ss->aead = crypto_alloc_aead(c->crypto_name, 0, 0);
		if (IS_ERR(ss->aead)) {
			ret = PTR_ERR(ss->aead);
			ss->aead = NULL;
			goto err_free;
		}
		ret = crypto_aead_setkey(ss->aead, params->cipher_key, params->cipher_key_len) ?:
		      crypto_aead_setauthsize(ss->aead, params->mac_len);
	} else if (c) {
		ss->skcipher = crypto_alloc_skcipher(c->crypto_name, 0, 0);
		if (IS_ERR(ss->skcipher)) {
			ret = PTR_ERR(ss->skcipher);
			ss->skcipher = NULL;
			goto err_free;
		}
		ret = crypto_skcipher_setkey(ss->skcipher, params->cipher_key,
					     params->cipher_key_len);
	}
	if (ret)
		goto err_free;
	if (m) {
		ss->ahash = crypto_alloc_ahash(m->crypto_name, 0, 0);
		if (IS_ERR(ss->ahash)) {
			ret = PTR_ERR(ss->ahash);
			ss->ahash = NULL;
			goto err_free;
		}
		/* An HMAC needs its key set even when it is empty. */
		if (m->kind == OCF_KIND_HMAC)
			ret = crypto_ahash_setkey(ss->ahash, params->mac_key, params->mac_key_len);
		if (ret)
			goto err_free;
	}
	*priv = ss;
	return 0;

err_free:
	ocf_swcrypt_freesession(p, ss);
	return ret == -ENOENT ? -EOPNOTSUPP : ret;
}

static int ocf_swcrypt_cipher(struct ocf_swcrypt_session *ss, struct ocf_request *req,
			      struct ocf_swcrypt_scratch *sc, struct scatterlist *src,
			      struct scatterlist *dst)
{
	struct scatterlist sbuf[2], dbuf[2], *s, *d;
	struct skcipher_request *r = sc->skcipher;
	DECLARE_CRYPTO_WAIT(wait);

	if (!req->cipher_len)
		return 0;
	s = scatterwalk_ffwd(sbuf, src, req->cipher_offset);
	d = src == dst ? s : scatterwalk_ffwd(dbuf, dst, req->cipher_offset);
	/* The crypto API advances the IV; the request's stays as given. */
	memcpy(sc->iv, req->iv, sizeof(sc->iv));
	skcipher_request_set_callback(r, CRYPTO_TFM_REQ_MAY_SLEEP | CRYPTO_TFM_REQ_MAY_BACKLOG,
				      crypto_req_done, &wait);
	skcipher_request_set_crypt(r, s, d, req->cipher_len, sc->iv);
	return crypto_wait_req(req->op == OCF_OP_ENCRYPT ? crypto_skcipher_encrypt(r) :
			       crypto_skcipher_decrypt(r), &wait);
}

/* The MAC or hash of the auth region of @sg. */
static int ocf_swcrypt_digest(struct ocf_request *req, struct ahash_request *r,
			      struct scatterlist *sg, u8 *digest)
{
	struct scatterlist buf[2], *s;
	DECLARE_CRYPTO_WAIT(wait);

	s = req->auth_len ? scatterwalk_ffwd(buf, sg, req->auth_offset) : sg;
	ahash_request_set_callback(r, CRYPTO_TFM_REQ_MAY_SLEEP | CRYPTO_TFM_REQ_MAY_BACKLOG,
				   crypto_req_done, &wait);
	ahash_request_set_crypt(r, s, digest, req->auth_len);
	return crypto_wait_req(crypto_ahash_digest(r), &wait);
}

/* Computes the MAC over @over and writes it into @to at mac_offset. */
static int ocf_swcrypt_mac_write(struct ocf_swcrypt_session *ss, struct ocf_request *req,
				 struct ocf_swcrypt_scratch *sc, struct scatterlist *over,
				 struct scatterlist *to)
{
	int ret;

	ret = ocf_swcrypt_digest(req, sc->ahash, over, sc->digest);
	if (!ret)
		scatterwalk_map_and_copy(sc->digest, to, req->mac_offset, ss->mac_len, 1);
	return ret;
}

/* Computes the MAC over @over and compares it with @from's at mac_offset. */
static int ocf_swcrypt_mac_check(struct ocf_swcrypt_session *ss, struct ocf_request *req,
				 struct ocf_swcrypt_scratch *sc, struct scatterlist *over,
				 struct scatterlist *from)
{
	int ret;

	ret = ocf_swcrypt_digest(req, sc->ahash, over, sc->digest);
	if (!ret) {
		scatterwalk_map_and_copy(sc->expected, from, req->mac_offset, ss->mac_len, 0);
		if (crypto_memneq(sc->digest, sc->expected, ss->mac_len))
			ret = -EBADMSG;
	}
	return ret;
}

static int ocf_swcrypt_aead(struct ocf_swcrypt_session *ss, struct ocf_request *req,
			    struct ocf_swcrypt_scratch *sc)
{
	struct scatterlist sbuf[2], dbuf[2], *s, *d;
	bool encrypt = req->op == OCF_OP_ENCRYPT;
	struct aead_request *r = sc->aead;
	DECLARE_CRYPTO_WAIT(wait);
	int ret;

	/* AAD, text and tag are contiguous from auth_offset (checked by OCF). */
	s = scatterwalk_ffwd(sbuf, req->src, req->auth_offset);
	d = req->src == req->dst ? s : scatterwalk_ffwd(dbuf, req->dst, req->auth_offset);
	memcpy(sc->iv, req->iv, sizeof(sc->iv));
	aead_request_set_callback(r, CRYPTO_TFM_REQ_MAY_SLEEP | CRYPTO_TFM_REQ_MAY_BACKLOG,
				  crypto_req_done, &wait);
	aead_request_set_ad(r, req->auth_len);
	aead_request_set_crypt(r, s, d, req->cipher_len + (encrypt ? 0 : ss->mac_len), sc->iv);
	ret = crypto_wait_req(encrypt ? crypto_aead_encrypt(r) : crypto_aead_decrypt(r), &wait);
	/* The crypto API may have decrypted before it checked: release nothing. */
	if (ret == -EBADMSG)
		ocf_sg_zero(req->dst, req->cipher_offset, req->cipher_len);
	return ret;
}

static int ocf_swcrypt_chain(struct ocf_swcrypt_session *ss, struct ocf_request *req,
			     struct ocf_swcrypt_scratch *sc)
{
	struct scatterlist *src = req->src, *dst = req->dst;
	int ret;

	if (!ss->mac_then_cipher) {
		if (req->op == OCF_OP_ENCRYPT)
			return ocf_swcrypt_cipher(ss, req, sc, src, dst) ?:
			       ocf_swcrypt_mac_write(ss, req, sc, dst, dst);
		/* Verify first: a forged message is never decrypted. */
		return ocf_swcrypt_mac_check(ss, req, sc, src, src) ?:
		       ocf_swcrypt_cipher(ss, req, sc, src, dst);
	}
	if (req->op == OCF_OP_ENCRYPT) {
		/* The MAC may lie inside the cipher region: build it all in dst. */
		if (src != dst)
			ocf_sg_copy(dst, src, req->cipher_offset, req->cipher_len);
		return ocf_swcrypt_mac_write(ss, req, sc, dst, dst) ?:
		       ocf_swcrypt_cipher(ss, req, sc, dst, dst);
	}
	/* The MAC covers plaintext: assemble all of it in dst first. */
	ocf_request_copy_rest(req);
	ret = ocf_swcrypt_cipher(ss, req, sc, src, dst);
	if (ret)
		return ret;
	ret = ocf_swcrypt_mac_check(ss, req, sc, dst, dst);
	if (ret == -EBADMSG)
		ocf_sg_zero(dst, req->cipher_offset, req->cipher_len);
	return ret;
}

static int ocf_swcrypt_process(struct ocf_producer *p, struct ocf_request *req, void *priv)
{
	struct ocf_swcrypt_session *ss = priv;
	struct ocf_swcrypt_scratch *sc;
	int ret;

	sc = ocf_swcrypt_scratch_get(ss);
	if (!sc) {
		ocf_request_done(req, -ENOMEM);
		return 0;
	}
	if (ss->aead)
		ret = ocf_swcrypt_aead(ss, req, sc);
	else if (ss->skcipher && ss->ahash)
		ret = ocf_swcrypt_chain(ss, req, sc);
	else if (ss->skcipher)
		ret = ocf_swcrypt_cipher(ss, req, sc, req->src, req->dst);
	else if (req->op == OCF_OP_ENCRYPT)
		ret = ocf_swcrypt_mac_write(ss, req, sc, req->src, req->dst);
	else
		ret = ocf_swcrypt_mac_check(ss, req, sc, req->src, req->src);
	ocf_swcrypt_scratch_put(ss, sc);
	ocf_request_done(req, ret);
	return 0;
}

/*
 * Key operations, with the kernel's MPI library.
 *
 * Timing. mpi_powm() is a sliding-window exponentiation: which squarings
 * and multiplications it does, and so its time and its memory accesses,
 * follow the exponent's bits. Private exponents are therefore blinded:
 * each operation exponentiates with d + k*n, where n is a multiple of the
 * base's order (p-1 and q-1 for the CRT halves of RSA, p-1 for DH over a
 * prime p, q for DSA's nonce, whose base g has order q) and k a fresh
 * random 64-bit value. The result is the same, but the bit pattern that
 * goes through the window code changes completely from one operation to
 * the next: timing or cache measurements over many operations average
 * over unrelated exponents instead of accumulating knowledge of d, which
 * is what the classic attacks (Kocher; Brumley and Boneh) need. 64 bits of
 * k make a guess of the blinded exponent as hard as before blinding. The
 * DSA nonce's inverse is taken as (k*b)^(q-2) * b mod q with a random b,
 * so the base of that exponentiation (whose exponent q-2 is public) tells
 * nothing about k. What blinding cannot hide is a single operation's trace
 * to an observer fine-grained enough to read it whole (a co-resident
 * attacker on the cache lines of one exponentiation); against that, only
 * a constant-time ladder would do, which the kernel's library lacks.
 * RSA's base is blinded by the caller (the provider does, before the
 * request leaves the process), which needs the public exponent this
 * operation does not get. MODEXP's exponent is public unless the caller
 * says the modulus is prime (OCF_KOP_F_PRIME_MODULUS): over a composite
 * modulus of unknown factors there is no known multiple of the order.
 *
 * Every MPI is freed with mpi_free(), whose limbs go through
 * kfree_sensitive() (as do those mpi_resize() replaces), and the random
 * bytes are zeroized: nothing private outlives the operation here. The
 * framework checked every operand before the request got here.
 */

/* Bytes of the random multiplier k in d + k*n. */
#define OCF_SW_BLIND_BYTES	8
/* Extra random bytes when drawing a value below q: the bias is 2^-64. */
#define OCF_SW_RANDOM_EXTRA	8
/* DSA retries on r or s of zero (each has a chance of about 1/q). */
#define OCF_SW_DSA_TRIES	8

static MPI ocf_sw_read(const struct ocf_kbn *bn)
{
	return mpi_read_raw_data(bn->data, bn->len);
}

static MPI ocf_sw_small(u8 v)
{
	return mpi_read_raw_data(&v, 1);
}

/* @v into @out, right-aligned and zero-padded; the framework checked the room. */
static int ocf_sw_write(const struct ocf_kbn *out, MPI v)
{
	unsigned int n = DIV_ROUND_UP(mpi_get_nbits(v), 8), written;

	if (n > out->len)
		return -ENOSPC;
	memset(out->data, 0, out->len - n);
	return n ? mpi_read_buffer(v, out->data + out->len - n, n, &written, NULL) : 0;
}

/* A random value of @bytes bytes. */
static MPI ocf_sw_random(unsigned int bytes)
{
	u8 *buf = kmalloc(bytes, GFP_KERNEL);
	MPI v;

	if (!buf)
		return NULL;
	get_random_bytes(buf, bytes);
	v = mpi_read_raw_data(buf, bytes);
	kfree_sensitive(buf);
	return v;
}

/* A random value in [1, @m - 1], for @m > 1, into @out. */
static int ocf_sw_random_below(MPI out, MPI m)
{
	MPI r, mm1 = mpi_alloc(0), zero = mpi_alloc(0), one = ocf_sw_small(1), t = mpi_alloc(0);
	int ret = -ENOMEM;

	r = ocf_sw_random(DIV_ROUND_UP(mpi_get_nbits(m), 8) + OCF_SW_RANDOM_EXTRA);
	if (!r || !mm1 || !zero || !one || !t)
		goto out_free;
	ret = mpi_sub_ui(mm1, m, 1) ?: ocf_mpi_addm(t, r, zero, mm1) ?: ocf_mpi_add(out, t, one);
out_free:
	mpi_free(t);
	mpi_free(one);
	mpi_free(zero);
	mpi_free(mm1);
	mpi_free(r);
	return ret;
}

/* @d + k*@n for a fresh random k: the exponent mpi_powm() then sees. */
static int ocf_sw_blind(MPI out, MPI d, MPI n)
{
	MPI k = ocf_sw_random(OCF_SW_BLIND_BYTES), t = mpi_alloc(0);
	int ret = -ENOMEM;

	if (k && t)
		ret = ocf_mpi_mul(t, k, n) ?: ocf_mpi_add(out, t, d);
	mpi_free(t);
	mpi_free(k);
	return ret;
}

/* @base^@d mod @m with @d blinded by @n, a multiple of @base's order. */
static int ocf_sw_powm_blinded(MPI out, MPI base, MPI d, MPI n, MPI m)
{
	MPI db = mpi_alloc(0);
	int ret = -ENOMEM;

	if (db)
		ret = ocf_sw_blind(db, d, n) ?: mpi_powm(out, base, db, m);
	mpi_free(db);
	return ret;
}

/* Allocates @n empty MPIs; on failure frees them and returns -ENOMEM. */
static int ocf_sw_alloc(MPI *v, unsigned int n)
{
	unsigned int i;
	int ret = 0;

	for (i = 0; i < n; i++) {
		v[i] = mpi_alloc(0);
		if (!v[i])
			ret = -ENOMEM;
	}
	return ret;
}

/* Reads @n params of @kreq from @first into @v; -ENOMEM if one failed. */
static int ocf_sw_read_params(const struct ocf_krequest *kreq, u32 first, MPI *v, unsigned int n)
{
	unsigned int i;
	int ret = 0;

	for (i = 0; i < n; i++) {
		v[i] = ocf_sw_read(&kreq->param[first + i]);
		if (!v[i])
			ret = -ENOMEM;
	}
	return ret;
}

static void ocf_sw_free(MPI *v, unsigned int n)
{
	while (n--)
		mpi_free(v[n]);
}

/*
 * param[@base]^param[@exp] mod param[2] into param[3]. Over a prime
 * modulus the exponent is blinded with p - 1 (a zero base is not coprime
 * to it, and 0^0 must stay 1).
 */
static int ocf_sw_powm(struct ocf_krequest *kreq, u32 base, u32 exp, bool prime)
{
	enum { BASE, EXP, MOD, PM1, R, N };
	MPI v[N] = {};
	int ret = -ENOMEM;

	v[BASE] = ocf_sw_read(&kreq->param[base]);
	v[EXP] = ocf_sw_read(&kreq->param[exp]);
	v[MOD] = ocf_sw_read(&kreq->param[2]);
	if (!v[BASE] || !v[EXP] || !v[MOD])
		goto out_free;
	ret = ocf_sw_alloc(v + PM1, 2);
	if (ret)
		goto out_free;
	if (prime && mpi_cmp_ui(v[BASE], 0))
		ret = mpi_sub_ui(v[PM1], v[MOD], 1) ?:
		      ocf_sw_powm_blinded(v[R], v[BASE], v[EXP], v[PM1], v[MOD]);
	else
		ret = mpi_powm(v[R], v[BASE], v[EXP], v[MOD]);
	if (!ret)
		ret = ocf_sw_write(&kreq->param[3], v[R]);
out_free:
	ocf_sw_free(v, N);
	return ret;
}

/* base, exp, mod -> base^exp modulo mod */
static int ocf_sw_modexp(struct ocf_krequest *kreq)
{
	return ocf_sw_powm(kreq, 0, 1, kreq->flags & OCF_KOP_F_PRIME_MODULUS);
}

/* x, p, q, dp, dq, qinv -> x^d mod p*q (Garner's recombination) */
static int ocf_sw_modexp_crt(struct ocf_krequest *kreq)
{
	enum { X, P, Q, DP, DQ, QINV, PM1, QM1, M1, M2, H, HQ, HQP, R, N };
	MPI v[N] = {};
	int ret;

	ret = ocf_sw_read_params(kreq, 0, v, 6) ?: ocf_sw_alloc(v + PM1, N - PM1);
	if (ret)
		goto out_free;
	ret = mpi_sub_ui(v[PM1], v[P], 1) ?: mpi_sub_ui(v[QM1], v[Q], 1) ?:
	      ocf_sw_powm_blinded(v[M1], v[X], v[DP], v[PM1], v[P]) ?:
	      ocf_sw_powm_blinded(v[M2], v[X], v[DQ], v[QM1], v[Q]) ?:
	      /* m = m2 + q * (qinv * (m1 - m2) mod p) */
	      ocf_mpi_subm(v[H], v[M1], v[M2], v[P]) ?:
	      ocf_mpi_mulm(v[HQ], v[H], v[QINV], v[P]) ?:
	      ocf_mpi_mul(v[HQP], v[HQ], v[Q]) ?:
	      ocf_mpi_add(v[R], v[M2], v[HQP]) ?:
	      ocf_sw_write(&kreq->param[6], v[R]);
out_free:
	ocf_sw_free(v, N);
	return ret;
}

/* priv, peer, p -> peer^priv mod p */
static int ocf_sw_dh(struct ocf_krequest *kreq)
{
	return ocf_sw_powm(kreq, 1, 0, true);
}

/* The digest as DSA uses it: cut to q's length in bytes, as OpenSSL does. */
static MPI ocf_sw_dsa_digest(const struct ocf_krequest *kreq, MPI q)
{
	const struct ocf_kbn *d = &kreq->param[0];

	return mpi_read_raw_data(d->data, min_t(u32, d->len, DIV_ROUND_UP(mpi_get_nbits(q), 8)));
}

/* @out = @a^-1 mod the prime @q, as @a^(q-2): the exponent is public. */
static int ocf_sw_inverse(MPI out, MPI a, MPI q)
{
	MPI qm2 = mpi_alloc(0);
	int ret = -ENOMEM;

	if (qm2)
		ret = mpi_sub_ui(qm2, q, 2) ?: mpi_powm(out, a, qm2, q);
	mpi_free(qm2);
	return ret;
}

/*
 * One try at a DSA signature: @r and @s; both zero when the nonce gave a
 * zero, to try again.
 */
static int ocf_sw_dsa_sign_once(MPI *v, MPI h, MPI r, MPI s)
{
	enum { P, Q, G, X };
	enum { K, B, GK, KB, KBI, KI, XR, SUM, ZERO, N };
	MPI t[N] = {};
	int ret;

	ret = ocf_sw_alloc(t, N);
	if (ret)
		goto out_free;
	/* r = (g^k mod p) mod q, with k + j*q in the exponent (g has order q) */
	ret = ocf_sw_random_below(t[K], v[Q]) ?:
	      ocf_sw_powm_blinded(t[GK], v[G], t[K], v[Q], v[P]) ?:
	      ocf_mpi_addm(r, t[GK], t[ZERO], v[Q]);
	if (ret || !mpi_cmp_ui(r, 0))
		goto out_free;
	/* s = k^-1 (h + x*r) mod q, k^-1 = (k*b)^-1 * b */
	ret = ocf_sw_random_below(t[B], v[Q]) ?:
	      ocf_mpi_mulm(t[KB], t[K], t[B], v[Q]) ?:
	      ocf_sw_inverse(t[KBI], t[KB], v[Q]) ?:
	      ocf_mpi_mulm(t[KI], t[KBI], t[B], v[Q]) ?:
	      ocf_mpi_mulm(t[XR], v[X], r, v[Q]) ?:
	      ocf_mpi_addm(t[SUM], h, t[XR], v[Q]) ?:
	      ocf_mpi_mulm(s, t[KI], t[SUM], v[Q]);
out_free:
	ocf_sw_free(t, N);
	return ret;
}

/* digest, p, q, g, x -> r, s */
static int ocf_sw_dsa_sign(struct ocf_krequest *kreq)
{
	enum { P, Q, G, X, H, R, S, N };
	MPI v[N] = {};
	unsigned int i;
	int ret;

	ret = ocf_sw_read_params(kreq, 1, v, 4) ?: ocf_sw_alloc(v + R, 2);
	if (ret)
		goto out_free;
	v[H] = ocf_sw_dsa_digest(kreq, v[Q]);
	if (!v[H]) {
		ret = -ENOMEM;
		goto out_free;
	}
	for (i = 0; i < OCF_SW_DSA_TRIES; i++) {
		ret = ocf_sw_dsa_sign_once(v, v[H], v[R], v[S]);
		if (ret || (mpi_cmp_ui(v[R], 0) && mpi_cmp_ui(v[S], 0)))
			break;
	}
	/* Not -EAGAIN: that reads "this device is going away, rerun elsewhere". */
	if (!ret && i == OCF_SW_DSA_TRIES)
		ret = -EIO;
	if (!ret)
		ret = ocf_sw_write(&kreq->param[5], v[R]) ?: ocf_sw_write(&kreq->param[6], v[S]);
out_free:
	ocf_sw_free(v, N);
	return ret;
}

/* digest, p, q, g, y, r, s -> 0 or -EBADMSG */
static int ocf_sw_dsa_verify(struct ocf_krequest *kreq)
{
	enum { P, Q, G, Y, R, S, H, W, U1, U2, V1, V2, VP, VQ, ZERO, N };
	MPI v[N] = {};
	int ret;

	ret = ocf_sw_read_params(kreq, 1, v, 6) ?: ocf_sw_alloc(v + W, N - W);
	if (ret)
		goto out_free;
	v[H] = ocf_sw_dsa_digest(kreq, v[Q]);
	if (!v[H]) {
		ret = -ENOMEM;
		goto out_free;
	}
	/* v = (g^(h*w) * y^(r*w) mod p) mod q, w = s^-1 mod q */
	ret = ocf_sw_inverse(v[W], v[S], v[Q]) ?:
	      ocf_mpi_mulm(v[U1], v[H], v[W], v[Q]) ?:
	      ocf_mpi_mulm(v[U2], v[R], v[W], v[Q]) ?:
	      mpi_powm(v[V1], v[G], v[U1], v[P]) ?:
	      mpi_powm(v[V2], v[Y], v[U2], v[P]) ?:
	      ocf_mpi_mulm(v[VP], v[V1], v[V2], v[P]) ?:
	      ocf_mpi_addm(v[VQ], v[VP], v[ZERO], v[Q]);
	if (!ret && mpi_cmp(v[VQ], v[R]))
		ret = -EBADMSG;
out_free:
	ocf_sw_free(v, N);
	return ret;
}

static int ocf_swcrypt_kprocess(struct ocf_producer *p, struct ocf_krequest *kreq)
{
	int ret;

	switch (kreq->kop) {
	case OCF_KOP_MODEXP:
		ret = ocf_sw_modexp(kreq);
		break;
	case OCF_KOP_MODEXP_CRT:
		ret = ocf_sw_modexp_crt(kreq);
		break;
	case OCF_KOP_DSA_SIGN:
		ret = ocf_sw_dsa_sign(kreq);
		break;
	case OCF_KOP_DSA_VERIFY:
		ret = ocf_sw_dsa_verify(kreq);
		break;
	case OCF_KOP_DH_COMPUTE_KEY:
		ret = ocf_sw_dh(kreq);
		break;
	default:
		ret = -EOPNOTSUPP;
		break;
	}
	ocf_kdone(kreq, ret);
	return 0;
}

static const struct ocf_producer_ops ocf_swcrypt_ops = {
	.newsession = ocf_swcrypt_newsession,
	.freesession = ocf_swcrypt_freesession,
	.process = ocf_swcrypt_process,
	.kprocess = ocf_swcrypt_kprocess,
};

static struct ocf_producer ocf_swcrypt = {
	.name = "swcrypt",
	.flags = OCF_PRODUCER_SOFTWARE | OCF_PRODUCER_CAN_CHAIN | OCF_PRODUCER_CAN_MAC_THEN_CIPHER |
		 OCF_PRODUCER_SYNC,
	.max_len = SZ_16M,
	.kops = BIT(OCF_KOP_MODEXP) | BIT(OCF_KOP_MODEXP_CRT) | BIT(OCF_KOP_DSA_SIGN) |
		BIT(OCF_KOP_DSA_VERIFY) | BIT(OCF_KOP_DH_COMPUTE_KEY),
	.kop_max_bits = OCF_KOP_MAX_BITS,
	.ops = &ocf_swcrypt_ops,
};

/* Offers only what this kernel's crypto API has (loading modules as needed). */
static u64 ocf_swcrypt_available(void)
{
	const struct ocf_alg_info *a;
	u64 algs = 0;
	bool has;
	u32 alg;

	for (alg = OCF_ALG_NONE + 1; alg < OCF_ALG_MAX; alg++) {
		a = ocf_alg_info(alg);
		if (!a || !a->crypto_name)
			continue;
		switch (a->kind) {
		case OCF_KIND_CIPHER:
			has = crypto_has_skcipher(a->crypto_name, 0, 0);
			break;
		case OCF_KIND_AEAD:
			has = crypto_has_alg(a->crypto_name, CRYPTO_ALG_TYPE_AEAD,
					     CRYPTO_ALG_TYPE_MASK);
			break;
		default:
			has = crypto_has_ahash(a->crypto_name, 0, 0);
			break;
		}
		if (has)
			algs |= BIT_ULL(alg);
		else
			pr_warn("%s (%s) not available in this kernel\n", a->name, a->crypto_name);
	}
	return algs;
}

static int __init ocf_swcrypt_init(void)
{
	ocf_swcrypt.algs = ocf_swcrypt_available();
	return ocf_producer_register(&ocf_swcrypt);
}

static void __exit ocf_swcrypt_exit(void)
{
	ocf_producer_unregister(&ocf_swcrypt);
}

module_init(ocf_swcrypt_init);
module_exit(ocf_swcrypt_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("OCF software producer over the Linux crypto API");
MODULE_AUTHOR("OCF for Linux developers");
