/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libocf C API: the stable interface to /dev/ocf for C programs, the OpenSSL
 * provider and the fio engine. The C++ API in <ocf/ocf.hpp> is built on it.
 *
 * Conventions: functions return 0 or a positive count on success and a
 * negative errno on failure; they never set errno and never abort. Handles are
 * opaque and owned by the caller, who releases them with the matching _close
 * or _free call.
 *
 * Threads: a device handle is not tied to a thread. These may be called on
 * one handle from any number of threads at once (each is one ioctl, and the
 * module serialises what it must): ocf_device_fd(), ocf_device_version(),
 * ocf_session_new(), ocf_session_free() (of different sessions; freeing a
 * session while another thread runs an op on it makes that op fail with
 * -ENOENT), ocf_run(), ocf_submit(), ocf_reap() (each completion goes to
 * one caller: whichever reaps it), ocf_producers(), ocf_sessions(). The
 * ocf_op_*() fillers touch only the op they are given. ocf_device_close()
 * must not run while any other call on the handle does. The OpenSSL
 * provider relies on this: its threads share one handle per process.
 */
#ifndef OCF_OCF_H
#define OCF_OCF_H

#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>

#include <linux/ocf.h>

#ifdef __cplusplus
extern "C" {
/*
 * Like stat(2) and struct stat, ocf_session_new() and ocf_reap() share their
 * names with the ABI structs they wrap. C++ allows it (the struct is then
 * named with its struct keyword) but -Wshadow warns in every includer.
 */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wshadow"
#endif

/* An open /dev/ocf. Sessions belong to it and die with it. */
struct ocf_device;

/**
 * ocf_device_open() - open the OCF device
 * @path: device node, or NULL for /dev/ocf
 * @out: receives the handle on success
 *
 * Return: 0, or -ENOENT when the module is not loaded (no device node),
 * -EACCES/-EPERM when the caller may not open it, -ENOMEM, or another
 * negative errno from open(2). The file is opened close-on-exec.
 */
int ocf_device_open(const char *path, struct ocf_device **out);

/** ocf_device_close() - close the device; NULL is allowed. */
void ocf_device_close(struct ocf_device *dev);

/** ocf_device_fd() - the file descriptor, for poll(2)/epoll(7). */
int ocf_device_fd(const struct ocf_device *dev);

/**
 * ocf_device_version() - read the module's ABI and release
 * @dev: an open device
 * @abi_version: receives OCF_ABI_VERSION of the running module
 * @module_version: buffer for the module's release string (may be NULL)
 * @len: size of @module_version; the string is truncated to fit, NUL-terminated
 *
 * Return: 0 or a negative errno.
 */
int ocf_device_version(struct ocf_device *dev, uint32_t *abi_version,
		       char *module_version, size_t len);

/** ocf_strerror() - a message for a negative errno returned by libocf. */
const char *ocf_strerror(int err);

/* ---- Algorithms -------------------------------------------------------- */

/**
 * ocf_alg_name() - canonical name of an enum ocf_alg value
 *
 * Names are lower case, e.g. "aes-128-cbc" is not a name: the key size is not
 * part of the algorithm; "aes-cbc", "aes-ctr", "aes-gcm", "des-cbc",
 * "3des-cbc", "null", "hmac-sha256", "sha256", "md5".
 * Return: the name, or NULL for an unknown value.
 */
const char *ocf_alg_name(uint32_t alg);

/**
 * ocf_alg_from_name() - the enum ocf_alg for a name (matched ignoring case),
 * or -EINVAL for an unknown name or NULL.
 */
int ocf_alg_from_name(const char *name);

/**
 * ocf_alg_iv_len(), ocf_alg_block_len(), ocf_alg_digest_len() - sizes
 *
 * IV length of a cipher (0 for null), cipher block length (1 for stream
 * modes: CTR, GCM, null), full digest/MAC/tag length (16 for GCM).
 * Return 0 for an algorithm of the other kind or an unknown one.
 */
unsigned ocf_alg_iv_len(uint32_t alg);
unsigned ocf_alg_block_len(uint32_t alg);
unsigned ocf_alg_digest_len(uint32_t alg);

/* ---- Sessions ---------------------------------------------------------- */

/**
 * struct ocf_session_params - what ocf_session_new() needs
 * @size: sizeof(struct ocf_session_params) as the caller was compiled with,
 *	so that the struct can grow: 0 stands for this first version's size
 *	(OCF_SESSION_PARAMS_SIZE_V1, what a zero-initialised struct gives); a
 *	larger size than the library knows is accepted when the unknown tail
 *	is zero (else -E2BIG), as the module treats its structs
 * @cipher: enum ocf_alg cipher or AEAD, or OCF_ALG_NONE
 * @mac: enum ocf_alg MAC or hash, or OCF_ALG_NONE
 * @flags: OCF_SESSION_* (chain order)
 * @mac_len: MAC/tag length, 0 = full
 * @producer: pin to this producer id, 0 = any
 * @cipher_key, @cipher_key_len: the cipher key
 * @mac_key, @mac_key_len: the HMAC key
 */
struct ocf_session_params {
	uint32_t size;
	uint32_t cipher;
	uint32_t mac;
	uint32_t flags;
	uint32_t mac_len;
	uint32_t producer;
	const void *cipher_key;
	size_t cipher_key_len;
	const void *mac_key;
	size_t mac_key_len;
};

#define OCF_SESSION_PARAMS_SIZE_V1 \
	(offsetof(struct ocf_session_params, mac_key_len) + sizeof(size_t))

/**
 * ocf_session_new() - create a session in @dev
 * @session: receives the id
 * @producer: receives the producer chosen (may be NULL)
 *
 * Return: 0, or -EOPNOTSUPP, -EINVAL, -ENOENT, -ENOSPC... (see the uapi header);
 * -EINVAL also for a NULL @dev, @params or @session, or a key length that does
 * not fit the ABI's 32 bits.
 */
int ocf_session_new(struct ocf_device *dev, const struct ocf_session_params *params,
		    uint32_t *session, uint32_t *producer);

/** ocf_session_free() - free a session; -ENOENT if @dev has no such session. */
int ocf_session_free(struct ocf_device *dev, uint32_t session);

/* ---- Operations -------------------------------------------------------- */

/*
 * Operations are the ABI's struct ocf_op (see <linux/ocf.h>). These fill one
 * for the common layouts, zeroing the rest; src/dst are user buffers of @len
 * bytes, dst NULL for in place. Those that add lengths return -EINVAL when
 * the layout does not fit the ABI's 32 bits (or @len exceeds @buf_len); the
 * op is then left zeroed but for its session, which the module refuses
 * (-EINVAL) should it be run anyway. They return 0 otherwise.
 */

/** ocf_op_cipher() - a cipher over the whole buffer, explicit IV. */
void ocf_op_cipher(struct ocf_op *op, uint32_t session, uint32_t direction,
		   const void *src, void *dst, uint32_t len, const void *iv);

/**
 * ocf_op_digest() - a MAC or hash over [0, len); the digest goes to, or is
 * checked at, [len, len + mac_len) of a buffer that must hold len + mac_len
 * bytes (@buf_len). -EINVAL when @len > @buf_len.
 */
int ocf_op_digest(struct ocf_op *op, uint32_t session, uint32_t direction,
		   const void *src, void *dst, uint32_t len, uint32_t buf_len);

/**
 * ocf_op_aead() - an AEAD (AES-GCM) on the ABI's layout:
 * [0, aad_len) authenticated only, [aad_len, aad_len + text_len) encrypted
 * and authenticated, then the tag (@tag_len bytes). The buffer holds
 * aad_len + text_len + tag_len bytes. The op's auth region is the additional
 * data alone ([0, aad_len)), as the ABI requires for AEAD.
 */
int ocf_op_aead(struct ocf_op *op, uint32_t session, uint32_t direction,
		 const void *src, void *dst, uint32_t aad_len, uint32_t text_len,
		 uint32_t tag_len, const void *iv);

/**
 * ocf_op_chain() - a cipher+MAC chain on the same layout as ocf_op_aead():
 * [0, aad_len) authenticated only, [aad_len, aad_len + text_len) encrypted
 * and authenticated, then the MAC (@mac_len bytes). It differs from
 * ocf_op_aead() only in the auth region, which for a chain is what the MAC
 * covers: [0, aad_len + text_len). The session's chain order (encrypt-then-MAC
 * or OCF_SESSION_MAC_THEN_CIPHER) decides whether that is the cipher text or
 * the plain text.
 */
int ocf_op_chain(struct ocf_op *op, uint32_t session, uint32_t direction,
		  const void *src, void *dst, uint32_t aad_len, uint32_t text_len,
		  uint32_t mac_len, const void *iv);

/**
 * ocf_run() - run a batch and wait for all of it
 * @count: 0..OCF_MAX_BATCH ops at @ops; 0 does nothing and returns 0
 *
 * Each op's status field receives its own result: a failed op does not fail
 * the batch.
 * Return: the number of ops run (all of them), or a negative errno when the
 * batch as a whole was refused (nothing ran): -EINVAL (more than
 * OCF_MAX_BATCH ops, or a bad field), -EAGAIN (the file's or the user's in-flight limit),
 * -EFAULT.
 */
int ocf_run(struct ocf_device *dev, struct ocf_op *ops, unsigned count);

/**
 * ocf_submit() - queue a batch and return at once
 * @count: 0..OCF_MAX_BATCH ops at @ops; 0 does nothing and returns 0
 *
 * Each op completes once, with its tag, through ocf_reap(); an op the module
 * rejects at submit time still completes, with its error. The ops array may
 * be reused at once, but the buffers and IVs it points to must stay valid
 * until the op is reaped.
 * Return: the number of ops queued, or a negative errno (nothing queued):
 * -EAGAIN when the file's or the user's in-flight limit would be passed, -EINVAL...
 */
int ocf_submit(struct ocf_device *dev, const struct ocf_op *ops, unsigned count);

/**
 * ocf_reap() - collect completions
 * @out: room for @max completions
 * @max: at most this many are returned (values over OCF_MAX_BATCH act as
 *	OCF_MAX_BATCH; 0 returns 0 at once)
 * @min_complete: wait until at least this many are ready (0 = do not wait;
 *	more than @max acts as @max; the module stops waiting early when fewer
 *	ops than that are in flight)
 *
 * A signal that interrupts the wait before anything was reaped does not end
 * it: ocf_reap() waits again, so no completion is lost and callers need no
 * EINTR loop. A program that must react to signals while it waits should
 * poll(2) ocf_device_fd() and reap with @min_complete 0.
 * Return: completions written to @out (0..max), or a negative errno.
 */
int ocf_reap(struct ocf_device *dev, struct ocf_completion *out, unsigned max,
	     unsigned min_complete);

/* ---- io_uring ----------------------------------------------------------- */

/*
 * A ring: operations go to the module through io_uring
 * (IORING_OP_URING_CMD, one struct ocf_uring_op per 128-byte SQE) in
 * liburing's style: ocf_ring_prep() puts an op in the submission queue,
 * ocf_ring_submit() hands every queued op to the module with one system
 * call (with OCF_RING_SQPOLL a kernel thread polls the queue and usually
 * none is needed), ocf_ring_reap() collects completions. The ops are
 * checked, limited and completed as ocf_submit()'s are, with the same
 * errors as their status; copied outputs (up to 4 KiB, and decryptions
 * that verify) are in place when the completion is reaped. The buffers and
 * IVs must stay valid until then; the op itself may be reused at once.
 *
 * Threads: a ring belongs to one thread at a time (as a liburing ring
 * does); threads that submit in parallel each open their own ring on the
 * same device. The device handle must outlive its rings.
 * Needs the module's OCF_FEATURE_URING; an older module fails each op with
 * -EOPNOTSUPP (io_uring's answer for a file without the command).
 */
struct ocf_ring;

/* ocf_ring_open() flags */
#define OCF_RING_SQPOLL		0x1u	/* a kernel thread polls the submission queue */
#define OCF_RING_FLAGS		OCF_RING_SQPOLL

/**
 * ocf_ring_open() - set up a ring for @dev
 * @entries: submission queue slots (1..32768, rounded up to a power of two);
 *	the completion queue has twice as many
 * @flags: OCF_RING_*
 * @out: receives the handle
 *
 * Return: 0, -EINVAL (bad @entries or @flags), -ENOMEM, -EPERM (io_uring
 * disabled, or SQPOLL not allowed), or another errno of io_uring_setup(2).
 */
int ocf_ring_open(struct ocf_device *dev, unsigned entries, uint32_t flags,
		  struct ocf_ring **out);

/**
 * ocf_ring_close() - tear the ring down; NULL is allowed
 *
 * Blocks until the module has finished every submitted op (its completion
 * arrived, reaped or not): until then it may still write into the op's
 * buffers, which the caller may free once this returns. Queued ops not yet
 * submitted are dropped. A signal does not end the wait.
 */
void ocf_ring_close(struct ocf_ring *ring);

/**
 * ocf_ring_prep() - queue one op (not yet submitted)
 * @op: the op as for ocf_submit(); its tag comes back with its completion,
 *	its status is ignored
 *
 * On an OCF_RING_SQPOLL ring whose queue is full of submitted ops the
 * kernel's thread has not taken yet, waits for it to take one.
 * Return: 0; -EBUSY when the submission queue is full (submit first);
 * -EINVAL for an op whose reserved fields are set (the ring's op has no
 * room for them).
 */
int ocf_ring_prep(struct ocf_ring *ring, const struct ocf_op *op);

/**
 * ocf_ring_register_buffers() - register buffers for ocf_ring_prep_fixed()
 * @iovs: @n buffers; io_uring pins their pages and charges them to
 *	RLIMIT_MEMLOCK once, here
 *
 * Ops over 4 KiB whose input and output lie in one of them then run on its
 * pages without pinning them per op; smaller ones are copied from and to
 * its pages. Those ops are never cancelled by io_uring: closing the ring
 * waits for them (as ocf_ring_close() does for every op anyway).
 * One set at a time: unregister before registering others.
 * Return: 0, -EINVAL, -EBUSY (registered already), -ENOMEM (over
 * RLIMIT_MEMLOCK), -EFAULT (not mapped), or another errno of
 * io_uring_register(2).
 */
int ocf_ring_register_buffers(struct ocf_ring *ring, const struct iovec *iovs, unsigned n);

/**
 * ocf_ring_unregister_buffers() - drop the registered buffers
 *
 * Ops in flight on them keep their buffer until their completion; up to
 * Linux 6.12 this call waits for them, and a signal ends the wait with
 * -EINTR, the buffers still registered.
 * Return: 0, -ENXIO (none registered), -EINTR, or another errno of
 * io_uring_register(2).
 */
int ocf_ring_unregister_buffers(struct ocf_ring *ring);

/**
 * ocf_ring_prep_fixed() - queue an op whose buffers lie in a registered one
 * @buf_index: the registered buffer (ocf_ring_register_buffers()'s @iovs
 *	index) that holds all @op->len bytes at @op->src and at @op->dst
 *
 * As ocf_ring_prep(). The op completes with -EFAULT when a buffer is not
 * within that registered buffer, -EINVAL for OCF_OP_KEY or from a module
 * without OCF_FEATURE_URING_FIXED.
 */
int ocf_ring_prep_fixed(struct ocf_ring *ring, const struct ocf_op *op, unsigned buf_index);

/**
 * ocf_ring_submit() - hand the queued ops to the module
 *
 * Every queued op is handed over, even past one that fails at issue (that
 * one completes with its error).
 * Return: the number of ops handed over by this call (each completes
 * once, through ocf_ring_reap()), or a negative errno of io_uring_enter(2).
 */
int ocf_ring_submit(struct ocf_ring *ring);

/**
 * ocf_ring_reap() - collect completions
 * @out: room for @max completions (tag, status)
 * @min_complete: wait until this many are ready (0 = do not wait; more than
 *	@max acts as @max). Only submitted ops complete: a wait for more than
 *	are in flight waits for ever.
 *
 * A signal does not end the wait, as for ocf_reap().
 * Return: completions written (0..max), or a negative errno.
 */
int ocf_ring_reap(struct ocf_ring *ring, struct ocf_completion *out, unsigned max,
		  unsigned min_complete);

/** ocf_ring_fd() - the ring's file descriptor, for poll(2) (readable: completions). */
int ocf_ring_fd(const struct ocf_ring *ring);

/* ---- Key operations ---------------------------------------------------- */

/*
 * Modular exponentiation and the public-key operations built on it, without
 * sessions (OCF_OP_KEY; see struct ocf_kop in <linux/ocf.h> for each
 * operation's checks and errors). Big integers are unsigned big-endian byte
 * strings; leading zero bytes are allowed (libocf strips them). Outputs are
 * @out_len bytes, the result right-aligned and left-padded with zeros,
 * written only on success.
 *
 * Errors: -EINVAL bad operand (zero or even modulus, an operand not below
 * its modulus, an out-of-range key or public value, NULL pointers),
 * -EOPNOTSUPP no producer does that operation at that modulus size (over
 * OCF_KOP_MAX_BITS none does), -ENOSPC an output shorter than the modulus'
 * significant bytes (for CRT the modulus is p*q, for DSA the outputs r and
 * s need q's), -EBADMSG (DSA verify only) a bad signature, -ENODEV every
 * capable producer went away, -EAGAIN the in-flight limits, -EFAULT,
 * -ENOMEM.
 *
 * Secrets: MODEXP_CRT, DSA_SIGN and DH_COMPUTE_KEY blind their private
 * exponents in the kernel; plain ocf_modexp() treats its exponent as public
 * (there is nothing to blind it with when the modulus' factors are
 * unknown). ocf_modexp_prime() blinds it, for a prime modulus.
 */
struct ocf_bn {
	const void *data;
	size_t len;
};

/* An RSA private key in CRT form: x^d mod p*q from dp, dq and qinv. */
struct ocf_rsa_crt_key {
	struct ocf_bn p, q, dp, dq, qinv;
};

/* DSA domain parameters. */
struct ocf_dsa_params {
	struct ocf_bn p, q, g;
};

/** ocf_modexp() - @base^@exp mod @mod, @exp public, @mod odd. */
int ocf_modexp(struct ocf_device *dev, struct ocf_bn base, struct ocf_bn exp,
	       struct ocf_bn mod, void *out, size_t out_len);

/**
 * ocf_modexp_prime() - as ocf_modexp() for a prime @mod, with @exp blinded
 * (exp + k*(mod-1)): for secret exponents. A composite @mod gives a wrong
 * result, not an error.
 */
int ocf_modexp_prime(struct ocf_device *dev, struct ocf_bn base, struct ocf_bn exp,
		     struct ocf_bn mod, void *out, size_t out_len);

/** ocf_modexp_crt() - @in^d mod p*q (an RSA private-key operation). */
int ocf_modexp_crt(struct ocf_device *dev, struct ocf_bn in,
		   const struct ocf_rsa_crt_key *key, void *out, size_t out_len);

/**
 * ocf_dh_compute_key() - the shared secret @peer_pub^@priv mod @prime
 *
 * -EINVAL also for @peer_pub outside [2, prime-2] (as OpenSSL's check).
 */
int ocf_dh_compute_key(struct ocf_device *dev, struct ocf_bn peer_pub,
		       struct ocf_bn priv, struct ocf_bn prime,
		       void *out, size_t out_len);

/**
 * ocf_dsa_sign() - a DSA signature (r, s) of @digest with private key @priv
 *
 * The module picks the nonce. The digest is cut to q's length in bytes,
 * as OpenSSL does. @r_len and @s_len: at least q's significant bytes.
 */
int ocf_dsa_sign(struct ocf_device *dev, struct ocf_bn digest,
		 const struct ocf_dsa_params *params, struct ocf_bn priv,
		 void *r, size_t r_len, void *s, size_t s_len);

/** ocf_dsa_verify() - 0 for a good signature, -EBADMSG for a bad one. */
int ocf_dsa_verify(struct ocf_device *dev, struct ocf_bn digest,
		   const struct ocf_dsa_params *params, struct ocf_bn pub,
		   struct ocf_bn r, struct ocf_bn s);

/*
 * Batched and asynchronous key operations: a filler writes a struct
 * ocf_kop, ocf_op_kop() makes the struct ocf_op that carries it, and the op
 * goes into ocf_run() or ocf_submit() like any other, mixed with symmetric
 * ops. The module copies the struct ocf_kop and the inputs when the batch
 * is run or submitted: only the outputs must stay valid until the op is
 * reaped. Outputs longer than OCF_KOP_MAX_BYTES get their excess head
 * zeroed by the filler. Fillers return 0, or -EINVAL for a NULL @kop,
 * @key or @params (the struct ocf_kop is then one the module refuses).
 */
void ocf_op_kop(struct ocf_op *op, const struct ocf_kop *kop);
int ocf_kop_modexp(struct ocf_kop *kop, uint32_t flags, struct ocf_bn base,
		   struct ocf_bn exp, struct ocf_bn mod, void *out, size_t out_len);
int ocf_kop_modexp_crt(struct ocf_kop *kop, struct ocf_bn in,
		       const struct ocf_rsa_crt_key *key, void *out, size_t out_len);
int ocf_kop_dh_compute_key(struct ocf_kop *kop, struct ocf_bn peer_pub,
			   struct ocf_bn priv, struct ocf_bn prime,
			   void *out, size_t out_len);
int ocf_kop_dsa_sign(struct ocf_kop *kop, struct ocf_bn digest,
		     const struct ocf_dsa_params *params, struct ocf_bn priv,
		     void *r, size_t r_len, void *s, size_t s_len);
int ocf_kop_dsa_verify(struct ocf_kop *kop, struct ocf_bn digest,
		       const struct ocf_dsa_params *params, struct ocf_bn pub,
		       struct ocf_bn r, struct ocf_bn s);

/* ---- Inspection -------------------------------------------------------- */

/**
 * ocf_producers() - list producers with their capabilities and statistics
 * @out: room for @max entries; may be NULL when @max is 0
 *
 * Call with @max 0 to learn how many there are. Producers come and go, so the
 * number may differ on the next call.
 * Return: the number of producers that exist (entries written: at most @max).
 */
int ocf_producers(struct ocf_device *dev, struct ocf_producer_info *out, unsigned max);

/**
 * ocf_sessions() - list sessions: this file's, or with OCF_LIST_ALL every
 * file's (-EPERM without CAP_SYS_ADMIN)
 * @out: room for @max entries; may be NULL when @max is 0
 *
 * Return: the number of sessions that exist (entries written: at most @max).
 */
int ocf_sessions(struct ocf_device *dev, uint32_t flags, struct ocf_session_info *out,
		 unsigned max);

#ifdef __cplusplus
#pragma GCC diagnostic pop
}
#endif

#endif /* OCF_OCF_H */
