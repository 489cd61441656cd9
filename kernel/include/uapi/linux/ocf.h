/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note OR BSD-3-Clause */
/*
 * OCF for Linux: the user ABI of /dev/ocf.
 *
 * Conventions
 * - Every structure has a size field or reserved fields so that it can grow
 *   without a compat_ioctl.
 * - Size negotiation: the kernel dispatches on the ioctl's type, number and
 *   direction only; the size encoded in the command is not checked, since a
 *   caller built against another version of this header encodes another
 *   one. Where a struct starts with @size, the kernel accepts any size from
 *   the first version's (the OCF_*_SIZE_VER0 values) up to one page: fields
 *   missing from a smaller struct count as zero, a larger caller's tail must
 *   be zero (else -E2BIG), and on output the kernel writes no more than
 *   min(@size, its own size) bytes and stores that in @size. Sizes under the
 *   first version's get -EINVAL, over a page -E2BIG.
 * - Reserved fields and unknown flag bits must be zero (-EINVAL).
 * - User pointers travel as __u64.
 * - Sessions belong to the open file that created them; their ids mean
 *   nothing in another file (-ENOENT). Ids are handed out cyclically, so a
 *   freed id is not reused until the id space wraps.
 * - Outputs and completions are delivered only into the process that
 *   submitted the operation (see struct ocf_reap).
 * - Verification before release: a decryption that checks a MAC, hash or
 *   tag runs on a kernel copy of its input, whatever its size, and its
 *   output reaches the caller's memory only after the check passed. Another
 *   thread changing the input meanwhile cannot change what is verified, and
 *   no thread ever sees unverified plaintext in the caller's buffers.
 *
 * Errors common to all ioctls: -EFAULT (bad pointer), -EINVAL (bad field),
 * -E2BIG (unknown non-zero tail, or a size over a page), -ENOTTY (unknown
 * ioctl).
 */
#ifndef _UAPI_LINUX_OCF_H
#define _UAPI_LINUX_OCF_H

#include <linux/ioctl.h>
#include <linux/types.h>

#define OCF_DEVICE_PATH		"/dev/ocf"
#define OCF_ABI_VERSION		1
#define OCF_IOC_MAGIC		0xcf

/* Algorithms. Values are ABI: append only. */
enum ocf_alg {
	OCF_ALG_NONE		= 0,

	/* Ciphers (struct ocf_session_new.cipher) */
	OCF_CIPHER_NULL		= 1,	/* the paper's null algorithm: copies */
	OCF_CIPHER_AES_CBC	= 2,	/* key 16, 24 or 32; IV 16 */
	OCF_CIPHER_AES_CTR	= 3,	/* key 16, 24 or 32; IV 16 (counter block) */
	OCF_CIPHER_DES_CBC	= 4,	/* key 8; IV 8 */
	OCF_CIPHER_3DES_CBC	= 5,	/* key 24 (EDE); IV 8 */
	OCF_AEAD_AES_GCM	= 6,	/* key 16, 24 or 32; IV 12; tag 4..16 */

	/* MACs and hashes (struct ocf_session_new.mac) */
	OCF_MAC_HMAC_MD5	= 32,
	OCF_MAC_HMAC_SHA1	= 33,
	OCF_MAC_HMAC_SHA256	= 34,
	OCF_MAC_HMAC_SHA384	= 35,
	OCF_MAC_HMAC_SHA512	= 36,
	OCF_HASH_MD5		= 48,
	OCF_HASH_SHA1		= 49,
	OCF_HASH_SHA224		= 50,
	OCF_HASH_SHA256		= 51,
	OCF_HASH_SHA384		= 52,
	OCF_HASH_SHA512		= 53,

	OCF_ALG_MAX		= 64	/* bitmaps in struct ocf_producer_info */
};

#define OCF_MAX_KEY_LEN		32	/* cipher keys */
#define OCF_MAX_MAC_KEY_LEN	128	/* HMAC keys */
#define OCF_MAX_IV_LEN		16
#define OCF_MAX_MAC_LEN		64

/*
 * struct ocf_version.features: what the running module supports.
 * SIZED_IOCTLS: commands matched on their number, sizes in the structs;
 * USER_LIMITS: per-user limits, -EAGAIN at the in-flight limits;
 * VERIFY_FIRST: verification before release at every size;
 * REAP_OWNER: completions delivered only to the submitting process.
 */
#define OCF_FEATURE_SIZED_IOCTLS	0x1ull
#define OCF_FEATURE_USER_LIMITS		0x2ull
#define OCF_FEATURE_VERIFY_FIRST	0x4ull
#define OCF_FEATURE_REAP_OWNER		0x8ull
#define OCF_FEATURE_KEY_OPS		0x10ull	/* OCF_OP_KEY: struct ocf_kop */
#define OCF_FEATURE_URING		0x20ull	/* IORING_OP_URING_CMD (a sysctl may bar it) */
#define OCF_FEATURE_URING_FIXED		0x40ull	/* ... with IORING_URING_CMD_FIXED */

/**
 * struct ocf_version - OCF_IOC_VERSION
 * @size: in: sizeof(struct ocf_version) as the caller was compiled with;
 *	out: the size the kernel filled
 * @abi_version: out: OCF_ABI_VERSION of the running module
 * @module_version: out: the module's release, NUL-terminated
 * @reserved: must be zero on input
 * @features: out: OCF_FEATURE_* bits (added after the first version: a
 *	caller whose @size does not reach it does not get it)
 */
struct ocf_version {
	__u32 size;
	__u32 abi_version;
	char module_version[32];
	__u64 reserved[2];
	__u64 features;
};

/* The first version's struct sizes: the smallest @size the kernel accepts. */
#define OCF_VERSION_SIZE_VER0		56
#define OCF_SESSION_NEW_SIZE_VER0	72
#define OCF_OP_SIZE_VER0		96
#define OCF_BATCH_SIZE_VER0		48
#define OCF_REAP_SIZE_VER0		48
#define OCF_LIST_SIZE_VER0		48
#define OCF_KOP_SIZE_VER0		168

/* struct ocf_session_new.flags */
/*
 * Chain order when both a cipher and a MAC are given. The default is
 * encrypt-then-MAC (decrypt: verify, then decrypt: a bad MAC releases no
 * plaintext). With MAC_THEN_CIPHER the MAC covers the plaintext and is
 * computed before encryption (decrypt: decrypt, then verify; on a bad MAC the
 * decrypted region of the output is zeroed).
 */
#define OCF_SESSION_MAC_THEN_CIPHER	0x1u
#define OCF_SESSION_FLAGS		OCF_SESSION_MAC_THEN_CIPHER

/**
 * struct ocf_session_new - OCF_IOC_SESSION_NEW
 * @size: sizeof(struct ocf_session_new)
 * @flags: OCF_SESSION_*
 * @cipher: an OCF_CIPHER_* or OCF_AEAD_* value, or OCF_ALG_NONE
 * @mac: an OCF_MAC_* or OCF_HASH_* value, or OCF_ALG_NONE (must be NONE with AEAD)
 * @cipher_key: user pointer to the cipher key
 * @mac_key: user pointer to the HMAC key (HMACs only)
 * @cipher_key_len: bytes at @cipher_key
 * @mac_key_len: bytes at @mac_key
 * @mac_len: MAC or tag length to produce and check; 0 = the full length
 * @producer: pin the session to this producer id; 0 = let the policy choose
 * @session: out: the session id, valid in this file only
 * @producer_chosen: out: the producer that serves the session now
 * @reserved: must be zero
 *
 * Errors: -EOPNOTSUPP (unknown algorithm or combination, or no producer
 * offers it; with @producer: that producer does not), -EINVAL (key length),
 * -ENOENT (@producer does not exist), -ENOSPC (the file's session limit),
 * -EFAULT (then no session was created: the id could not be written).
 * Keys are copied and zeroized when the session is freed; they cannot be read
 * back.
 */
struct ocf_session_new {
	__u32 size;
	__u32 flags;
	__u32 cipher;
	__u32 mac;
	__u64 cipher_key;
	__u64 mac_key;
	__u32 cipher_key_len;
	__u32 mac_key_len;
	__u32 mac_len;
	__u32 producer;
	__u32 session;
	__u32 producer_chosen;
	__u64 reserved[2];
};

/* struct ocf_op.op */
#define OCF_OP_ENCRYPT		0	/* encrypt and/or compute the MAC or hash */
#define OCF_OP_DECRYPT		1	/* verify the MAC, tag or hash and/or decrypt */
#define OCF_OP_KEY		2	/* a key operation: @src points to a struct ocf_kop */

/* struct ocf_op.flags */
#define OCF_OP_IV_IN_BUFFER	0x1u	/* IV is in src at @iv_offset, not at @iv */
#define OCF_OP_FLAGS		OCF_OP_IV_IN_BUFFER

/**
 * struct ocf_op - one operation, in a batch (OCF_IOC_RUN, OCF_IOC_SUBMIT)
 * @session: session id of this file
 * @op: OCF_OP_ENCRYPT or OCF_OP_DECRYPT
 * @flags: OCF_OP_*
 * @status: out (OCF_IOC_RUN): 0, or a negative errno for this operation
 *	alone; ignored on input
 * @src: user pointer to the input, @len bytes
 * @dst: user pointer to the output, @len bytes; 0 = in place (output into @src)
 * @len: bytes in the buffer
 * @cipher_offset: the cipher region is [cipher_offset, cipher_offset + cipher_len)
 * @cipher_len: for CBC a multiple of the block size
 * @auth_offset: the MAC/hash region, or the AEAD's additional data, is
 *	[auth_offset, auth_offset + auth_len); for AEAD it must end where the
 *	cipher region starts
 * @auth_len: bytes to authenticate
 * @mac_offset: where the MAC, hash or tag is written (encrypt, into the
 *	output) or read (decrypt, from the input); for AEAD it must be
 *	cipher_offset + cipher_len
 * @iv_offset: with OCF_OP_IV_IN_BUFFER, where the IV is in the input
 * @iv: user pointer to the IV (the session cipher's IV length)
 * @tag: the caller's value, handed back with the completion
 * @reserved: must be zero
 *
 * The output holds the whole buffer: bytes outside the cipher region are the
 * input's, unchanged, with the MAC written at @mac_offset on encrypt. Regions
 * must lie within @len. A bad MAC or tag fails the operation with -EBADMSG
 * and releases no plaintext: with encrypt-then-MAC and hashes a separate
 * output is left as it was; with AEAD and MAC_THEN_CIPHER, which decrypt
 * before they can check, the output's cipher region holds zeroes or what it
 * held before.
 * Per-operation errors: -EINVAL (region, length or alignment), -ENOENT
 * (session), -E2BIG (@len over the file's op limit), -EFAULT (buffer),
 * -EBADMSG, -ENODEV (no capable producer left), -ENOMEM (kernel memory, or
 * the pages the operation would pin or copy would pass the submitting
 * user's RLIMIT_MEMLOCK; callers with CAP_IPC_LOCK are not limited), -EINTR
 * (the submitter was killed before the operation started), -EXDEV (reaped
 * by another process than the submitter: nothing was written).
 * -ENOENT, -E2BIG, -EINVAL, -EFAULT and -ENOMEM are given before the
 * operation touches any output; so are -ENODEV and -EINTR.
 *
 * Key operations (@op OCF_OP_KEY) need no session: @src is a user pointer to
 * a struct ocf_kop, which says the rest; @session, @flags, @dst, @len, the
 * offsets and @iv must be zero (-EINVAL). They ride the same batches, count
 * against the same in-flight limits and complete the same way (@status, or
 * a struct ocf_completion with @tag) as the symmetric operations they may
 * be mixed with.
 */
struct ocf_op {
	__u32 session;
	__u32 op;
	__u32 flags;
	__s32 status;
	__u64 src;
	__u64 dst;
	__u32 len;
	__u32 cipher_offset;
	__u32 cipher_len;
	__u32 auth_offset;
	__u32 auth_len;
	__u32 mac_offset;
	__u32 iv_offset;
	__u32 reserved0;
	__u64 iv;
	__u64 tag;
	__u64 reserved[2];
};

/**
 * struct ocf_batch - OCF_IOC_RUN, OCF_IOC_SUBMIT
 * @size: sizeof(struct ocf_batch)
 * @op_size: sizeof(struct ocf_op) as the caller knows it
 * @ops: user pointer to @count struct ocf_op, @op_size bytes apart
 * @count: operations in the batch, 1..OCF_MAX_BATCH
 * @done: out: OCF_IOC_RUN: operations run (all of them on success);
 *	OCF_IOC_SUBMIT: operations accepted
 * @flags: must be zero
 * @reserved: must be zero
 *
 * OCF_IOC_RUN runs all operations, concurrently where producers allow, and
 * returns when all are done, each with its own @status written back. The
 * ioctl itself fails only when the batch could not be read (-EFAULT,
 * -EINVAL, -E2BIG), an in-flight limit is reached (-EAGAIN: the file's or
 * the user's, see docs/limits.md), or a fatal signal ended the wait (the
 * operations then finish without writing their outputs).
 *
 * OCF_IOC_SUBMIT queues the operations and returns without waiting for
 * them, except that a software producer does operations of up to 4 KiB
 * before it returns (cheaper than handing each to a worker). Each produces one
 * struct ocf_completion, to be collected with OCF_IOC_REAP; the buffers must
 * stay valid until then (outputs up to 4 KiB, and outputs of decryptions
 * that verify, are copied out at reap time; other large ones are written in
 * place). An operation rejected at submit time still completes, with its
 * error as status. -EAGAIN: an in-flight limit would be passed; nothing was
 * queued. -EFAULT while writing @done back: the operations were queued
 * and will complete.
 */
struct ocf_batch {
	__u32 size;
	__u32 op_size;
	__u64 ops;
	__u32 count;
	__u32 done;
	__u32 flags;
	__u32 reserved0;
	__u64 reserved[2];
};

#define OCF_MAX_BATCH		1024

/**
 * struct ocf_completion - one reaped operation
 * @tag: struct ocf_op.tag of the operation
 * @status: 0, or a negative errno
 * @reserved: zero
 */
struct ocf_completion {
	__u64 tag;
	__s32 status;
	__u32 reserved;
};

/* struct ocf_reap.flags */
#define OCF_REAP_WAIT		0x1u	/* block until @min_complete are ready */
#define OCF_REAP_FLAGS		OCF_REAP_WAIT

/**
 * struct ocf_reap - OCF_IOC_REAP
 * @size: sizeof(struct ocf_reap)
 * @flags: OCF_REAP_*
 * @completions: user pointer to @max struct ocf_completion
 * @max: room at @completions, 1..OCF_MAX_BATCH
 * @min_complete: with OCF_REAP_WAIT, wait for this many (at most the number
 *	this file submitted and has not reaped); a signal ends the wait early,
 *	and what is ready is still reaped (-EINTR only if nothing was)
 * @count: out: completions written
 * @in_flight: out: operations of this file submitted and not yet reaped,
 *	after the call
 * @reserved: must be zero
 *
 * Without OCF_REAP_WAIT and with nothing ready, @count is 0: poll(2) reports
 * EPOLLIN when completions are ready.
 *
 * Completions are delivered only into the process that submitted them. An
 * operation reaped by another process sharing the file (after fork(), or a
 * descriptor passed over a socket) completes with status -EXDEV, whatever
 * its own result was, and nothing is written into the reaper's memory:
 * outputs that are copied at reap time are dropped (those pinned and
 * written in place, over 4 KiB, went to the submitter's memory only).
 */
struct ocf_reap {
	__u32 size;
	__u32 flags;
	__u64 completions;
	__u32 max;
	__u32 min_complete;
	__u32 count;
	__u32 in_flight;
	__u64 reserved[2];
};

/*
 * Key operations: modular arithmetic on big integers, without sessions
 * (the paper's crypto_kdispatch). Values are ABI: append only. Each takes
 * struct ocf_kop.param[] as listed: first the inputs, then the outputs.
 *
 * MODEXP	in: base, exp, mod; out: base^exp modulo mod. For public
 *		exponents: the exponent is not blinded unless the caller sets
 *		OCF_KOP_F_PRIME_MODULUS (a prime modulus m, which allows
 *		exp + k*(m-1)). A secret exponent over a composite modulus
 *		whose factors are unknown cannot be blinded here: RSA private
 *		keys go through MODEXP_CRT, DH through DH_COMPUTE_KEY.
 * MODEXP_CRT	in: x, p, q, dp, dq, qinv (an RSA private key); out:
 *		x^d mod p*q. dp and dq are blinded with p-1 and q-1.
 *
 * The exponent blinding here is the software producer's. A card's key unit
 * takes exponents as they are (its operands are sized to the modulus); its
 * timing is the card's. docs/key-operations.md says what that means.
 * DSA_SIGN	in: digest, p, q, g, x (private key); out: r, s. The kernel
 *		picks the nonce; the digest is cut to the byte length of q
 *		(as OpenSSL does). k is blinded with q, its inverse with a
 *		random factor.
 * DSA_VERIFY	in: digest, p, q, g, y (public key), r, s; out: none. Status
 *		0 for a good signature, -EBADMSG for a bad one.
 * DH_COMPUTE_KEY in: priv, peer's public value, prime p; out: the shared
 *		secret. priv is blinded with p-1, so p must be prime.
 *
 * Big integers are unsigned big-endian byte strings, leading zeros allowed,
 * each at most OCF_KOP_MAX_BYTES long. Outputs are written right-aligned,
 * zero-padded to their param's @len.
 */
enum ocf_kop_type {
	OCF_KOP_MODEXP		= 1,
	OCF_KOP_MODEXP_CRT	= 2,
	OCF_KOP_DSA_SIGN	= 3,
	OCF_KOP_DSA_VERIFY	= 4,
	OCF_KOP_DH_COMPUTE_KEY	= 5,

	OCF_KOP_MAX		= 32	/* bitmap in struct ocf_producer_info.kops */
};

#define OCF_KOP_MAX_BITS	8192	/* the largest modulus any producer may take */
#define OCF_KOP_MAX_BYTES	(OCF_KOP_MAX_BITS / 8)
#define OCF_KOP_MAX_PARAMS	8

/* struct ocf_kop.flags */
#define OCF_KOP_F_PRIME_MODULUS	0x1u	/* MODEXP: the modulus is prime: blind the exponent */
#define OCF_KOP_FLAGS		OCF_KOP_F_PRIME_MODULUS

/**
 * struct ocf_kparam - one big integer of a key operation
 * @data: user pointer to @len bytes, big-endian
 * @len: bytes at @data, at most OCF_KOP_MAX_BYTES; for an output, the room
 * @reserved: must be zero
 */
struct ocf_kparam {
	__u64 data;
	__u32 len;
	__u32 reserved;
};

/**
 * struct ocf_kop - a key operation, pointed to by struct ocf_op.src
 * @size: sizeof(struct ocf_kop) (negotiated as described at the top)
 * @kop: an OCF_KOP_* value
 * @flags: OCF_KOP_F_*
 * @producer: run it on this producer id if it can; 0 = let the policy
 *	choose. A request whose producer goes away runs elsewhere anyway.
 * @in_count: inputs in @param, exactly as many as @kop takes
 * @out_count: outputs in @param after the inputs, exactly as many
 * @reserved: must be zero
 * @param: the inputs, then the outputs
 *
 * The operation's status (struct ocf_op.status, struct ocf_completion):
 * 0; -EINVAL: wrong counts, a reserved field or unknown flag set, a zero,
 * even or too small modulus (DSA and DH: p, q; CRT: p, q), an operand not
 * below its modulus (MODEXP base; CRT x >= p*q, dp >= p, dq >= q,
 * qinv >= p; DSA g, y not in [2, p-1], x not in [1, q-1], q >= p; DH the
 * peer's value not in [2, p-2], priv >= p); -E2BIG: a param over
 * OCF_KOP_MAX_BYTES; -EOPNOTSUPP: no producer does @kop at this modulus
 * size (modulus bits over every live producer's kop_max_bits, or over
 * OCF_KOP_MAX_BITS), or @kop unknown; -ENOENT: @producer does not exist
 * (or no longer does when the request starts: it then runs elsewhere);
 * -ENOSPC: an output shorter than the modulus' significant bytes (CRT:
 * p*q; DSA_SIGN: q); -EFAULT; -ENOMEM; -EBADMSG: DSA_VERIFY, a bad
 * signature; -ENODEV: every capable producer went away. Outputs are
 * written only on success.
 */
struct ocf_kop {
	__u32 size;
	__u32 kop;
	__u32 flags;
	__u32 producer;
	__u32 in_count;
	__u32 out_count;
	__u64 reserved[2];
	struct ocf_kparam param[OCF_KOP_MAX_PARAMS];
};

/* struct ocf_producer_info.flags */
#define OCF_PRODUCER_HARDWARE	0x1u
#define OCF_PRODUCER_SOFTWARE	0x2u
#define OCF_PRODUCER_CAN_CHAIN	0x4u	/* cipher + MAC in one request, MAC over the ciphertext */
#define OCF_PRODUCER_SYNC	0x8u	/* completes within its process call */
/* chains with OCF_SESSION_MAC_THEN_CIPHER too (MAC over the plaintext, TLS 1.2 records) */
#define OCF_PRODUCER_CAN_MAC_THEN_CIPHER	0x10u

/**
 * struct ocf_stats - counters kept per producer and per session
 * @requests: requests completed
 * @bytes: bytes of the completed requests
 * @errors: requests completed with an error
 * @in_flight: requests handed over and not yet completed
 * @migrations: sessions moved onto this producer (per session: times moved)
 * @sessions: sessions served now (per session: 1)
 * @latency_ns: mean completion latency of recent requests
 * @kop_requests: key operations completed (per producer; 0 per session)
 *
 * @requests, @bytes, @in_flight and @latency_ns count symmetric requests
 * only; @errors counts both kinds.
 */
struct ocf_stats {
	__u64 requests;
	__u64 bytes;
	__u64 errors;
	__u64 in_flight;
	__u64 migrations;
	__u64 sessions;
	__u64 latency_ns;
	__u64 kop_requests;
};

/**
 * struct ocf_producer_info - one producer
 * @id: the producer's id (never reused while the module is loaded)
 * @flags: OCF_PRODUCER_*
 * @name: e.g. "swcrypt", "null0", "hifn0"
 * @algs: bitmap of enum ocf_alg values it offers (bit n = value n)
 * @max_len: longest request it takes, in bytes
 * @max_sessions: session slots; 0 = no limit
 * @stats: its counters
 * @kops: bitmap of the key operations it does (bit n = OCF_KOP_* value n)
 * @kop_max_bits: the largest modulus it takes for them, in bits; 0 = none
 * @reserved: zero
 */
struct ocf_producer_info {
	__u32 id;
	__u32 flags;
	char name[32];
	__u64 algs;
	__u32 max_len;
	__u32 max_sessions;
	struct ocf_stats stats;
	__u32 kops;
	__u32 kop_max_bits;
	__u64 reserved[1];
};

/**
 * struct ocf_list - OCF_IOC_PRODUCERS, OCF_IOC_SESSIONS
 * @size: sizeof(struct ocf_list)
 * @flags: OCF_IOC_SESSIONS: OCF_LIST_ALL lists the sessions of every file
 *	(needs CAP_SYS_ADMIN, else -EPERM); OCF_LIST_MINE those of every file
 *	opened by the caller's user; neither: this file's; otherwise zero
 * @entries: user pointer to @max entries (struct ocf_producer_info or
 *	struct ocf_session_info)
 * @entry_size: sizeof one entry as the caller knows it
 * @max: room at @entries (0 to learn @total)
 * @count: out: entries written
 * @total: out: entries that exist
 * @reserved: must be zero
 */
struct ocf_list {
	__u32 size;
	__u32 flags;
	__u64 entries;
	__u32 entry_size;
	__u32 max;
	__u32 count;
	__u32 total;
	__u64 reserved[2];
};

#define OCF_LIST_ALL		0x1u	/* every file's sessions (CAP_SYS_ADMIN) */
#define OCF_LIST_MINE		0x2u	/* the sessions of every file the caller's user opened */

/**
 * struct ocf_session_info - one session
 * @session: its id in the owning file
 * @owner_pid: the process that opened the file (thread group id)
 * @cipher: enum ocf_alg
 * @mac: enum ocf_alg
 * @producer: id of the producer serving it; 0 = none left
 * @flags: OCF_SESSION_*
 * @stats: its counters
 */
struct ocf_session_info {
	__u32 session;
	__u32 owner_pid;
	__u32 cipher;
	__u32 mac;
	__u32 producer;
	__u32 flags;
	struct ocf_stats stats;
	__u64 reserved[2];
};

/*
 * The numbers encode each struct's first-version size, for good: a module
 * from before size negotiation matched them exactly, and the struct's own
 * size field says how much the caller knows.
 */
#define OCF_IOC_VERSION		_IOWR(OCF_IOC_MAGIC, 0x00, __u8[OCF_VERSION_SIZE_VER0])
#define OCF_IOC_SESSION_NEW	_IOWR(OCF_IOC_MAGIC, 0x01, struct ocf_session_new)
#define OCF_IOC_SESSION_FREE	_IOW(OCF_IOC_MAGIC, 0x02, __u32)
#define OCF_IOC_RUN		_IOWR(OCF_IOC_MAGIC, 0x03, struct ocf_batch)
#define OCF_IOC_SUBMIT		_IOWR(OCF_IOC_MAGIC, 0x04, struct ocf_batch)
#define OCF_IOC_REAP		_IOWR(OCF_IOC_MAGIC, 0x05, struct ocf_reap)
#define OCF_IOC_PRODUCERS	_IOWR(OCF_IOC_MAGIC, 0x06, struct ocf_list)
#define OCF_IOC_SESSIONS	_IOWR(OCF_IOC_MAGIC, 0x07, struct ocf_list)

/**
 * struct ocf_uring_op - one operation through io_uring
 * @session: session id of the /dev/ocf file the SQE targets
 * @op: OCF_OP_ENCRYPT, OCF_OP_DECRYPT or OCF_OP_KEY
 * @flags: OCF_OP_*
 * @len: bytes in the buffer
 * @src: user pointer to the input (OCF_OP_KEY: to a struct ocf_kop)
 * @dst: user pointer to the output; 0 = in place
 * @iv: user pointer to the IV
 * @cipher_offset: as in struct ocf_op, as are the next five
 * @cipher_len: the cipher region's length
 * @auth_offset: the MAC/hash region or AEAD additional data
 * @auth_len: its length
 * @mac_offset: where the MAC, hash or tag is written or read
 * @iv_offset: with OCF_OP_IV_IN_BUFFER, where the IV is in the input
 * @reserved: must be zero
 *
 * The fields mean what struct ocf_op's do; the SQE's user_data stands in
 * for @tag. It fills the command area of a 128-byte SQE (80 bytes), so its
 * size is fixed: a later version takes a new command number.
 *
 * Submission: IORING_OP_URING_CMD on an open /dev/ocf, on a ring set up
 * with IORING_SETUP_SQE128; sqe->cmd_op = OCF_URING_OP; the struct in
 * sqe->cmd. The command area is read once, at issue: the SQE may be reused
 * as soon as io_uring_enter() (or the SQPOLL thread) has consumed it; the
 * buffers must stay valid until the CQE.
 * Registered buffers (OCF_FEATURE_URING_FIXED): with sqe->uring_cmd_flags =
 * IORING_URING_CMD_FIXED, @src and @dst (@len bytes each) must both lie in
 * the ring's registered buffer sqe->buf_index (io_uring_register_buffers()),
 * else -EFAULT. An op that would pin its pages (over 4 KiB, not a
 * decryption that verifies) then uses the buffer's pages, pinned and
 * charged to RLIMIT_MEMLOCK once, at registration: no pinning per op. Such
 * an op is never cancelled (see Teardown): its CQE is what lets io_uring
 * release the buffer, so it comes only once the producer is done with it;
 * ops with the flag therefore count against max_uring_in_flight on every
 * kernel. Ops that are copied (up to 4 KiB, and decryptions that verify)
 * are copied from and to the registered buffer's pages too, whatever is
 * mapped at those addresses now; their output is written even if the
 * submitting task has exited.
 * Completion: one CQE, its res the operation's status: 0 or a negative
 * errno, the per-operation errors of struct ocf_op, which counts against
 * the same file and user limits as OCF_IOC_SUBMIT (-EAGAIN at an in-flight
 * limit). Outputs that are copied (up to 4 KiB, and decryptions that
 * verify) are written by the submitting task, before its CQE is posted;
 * if that task has exited by then, nothing is written and res is -EINTR
 * (unless the op had already failed); pinned outputs are written in place.
 * Errors for a bad SQE: -ENOTTY (cmd_op not OCF_URING_OP), -EINVAL (the
 * ring lacks IORING_SETUP_SQE128, @reserved is not zero, or
 * IORING_URING_CMD_FIXED with OCF_OP_KEY or on a kernel without registered
 * buffers for commands), -EFAULT (IORING_URING_CMD_FIXED and a buffer not
 * within the registered one, or no such registered buffer: io_uring's),
 * -EOPNOTSUPP (OCF_OP_KEY on a kernel before 6.7: see Teardown; use the
 * ioctls there), and for the operation: -E2BIG (@len over the op limit),
 * -EINVAL (regions, lengths), as for OCF_IOC_SUBMIT. A ring set up with
 * IORING_SETUP_IOPOLL gets -EOPNOTSUPP from io_uring itself.
 * Teardown, on kernels from 6.7 (io_uring can cancel a command): closing
 * the ring, the submitter's exit and its exec cancel its operations in
 * flight: each CQE is posted at once with -ECANCELED, and nothing waits
 * (but for ops on a registered buffer's pages, which run to their CQE).
 * io_uring cancels by ring and task: an exec cancels the operations the
 * execing task issued on a ring it shares with other processes, whatever
 * they wait for. The cancelled operation itself runs on until its producer
 * finishes it, holding its file's state, its place in the limits and its
 * pinned pages; its pinned output may still be written in place after the
 * -ECANCELED, its copied output is dropped. Buffers of a cancelled
 * operation must therefore not be reused for anything secret while it may
 * still run. An operation of up to 4 KiB issued from the submitter's task
 * (not an io_uring worker) that a software producer finishes before the
 * submission returns has its CQE posted then, without task work: there is
 * nothing left to cancel.
 * Teardown, before 6.7 (no cancel): an accepted operation always runs to
 * its CQE. Closing the ring returns at once, and a kernel worker waits for
 * the ring's operations (io_uring warns after 5 minutes); exec waits for
 * the task's operations; exit does not wait. To keep those waits short,
 * a file has at most max_uring_in_flight (256) operations in flight
 * through io_uring (-EAGAIN past it) and OCF_OP_KEY is refused; with the
 * default locked-memory limit that bounds a ring's drain to seconds, but
 * a user allowed gigabytes of locked memory can make it minutes.
 * On every kernel, closing /dev/ocf waits for nothing: the operations keep
 * the file's state alive until they complete.
 */
struct ocf_uring_op {
	__u32 session;
	__u32 op;
	__u32 flags;
	__u32 len;
	__u64 src;
	__u64 dst;
	__u64 iv;
	__u32 cipher_offset;
	__u32 cipher_len;
	__u32 auth_offset;
	__u32 auth_len;
	__u32 mac_offset;
	__u32 iv_offset;
	__u64 reserved[2];
};

#define OCF_URING_OP_SIZE	80	/* the command area of a 128-byte SQE */
#define OCF_URING_OP		_IOWR(OCF_IOC_MAGIC, 0x20, struct ocf_uring_op)

/*
 * Limits (per open file and per user) are module parameters of ocf.ko, in
 * /sys/module/ocf/parameters/; docs/limits.md lists them and their errors.
 */

#endif /* _UAPI_LINUX_OCF_H */
