/* SPDX-License-Identifier: GPL-2.0 */
/*
 * OCF for Linux: the kernel API for consumers (code that wants crypto done)
 * and producers (drivers that do it). After the OpenBSD Cryptographic
 * Framework's crypto_newsession/crypto_dispatch/crypto_register (see the
 * paper's Appendix A), with refcounted sessions and scatterlists.
 */
#ifndef _LINUX_OCF_H
#define _LINUX_OCF_H

#include <linux/completion.h>
#include <linux/list.h>
#include <linux/scatterlist.h>
#include <linux/spinlock.h>
#include <linux/types.h>
#include <linux/wait.h>
#include <linux/workqueue.h>

#include <uapi/linux/ocf.h>

struct ocf_session;
struct ocf_producer;
struct ocf_request;
struct ocf_krequest;

/* ---- Algorithms --------------------------------------------------------- */

enum ocf_alg_kind {
	OCF_KIND_CIPHER = 1,
	OCF_KIND_AEAD,
	OCF_KIND_HMAC,
	OCF_KIND_HASH,
};

/**
 * struct ocf_alg_info - what OCF knows of an algorithm
 * @alg: enum ocf_alg
 * @kind: enum ocf_alg_kind
 * @name: OCF's name, as libocf spells it
 * @crypto_name: the Linux crypto API's name, for software producers
 * @key_lens: bitmap of valid key lengths in bytes (bit n = n bytes); for
 *	HMACs any length up to OCF_MAX_MAC_KEY_LEN is valid and this is 0
 * @iv_len: IV length (ciphers)
 * @block_len: cipher regions must be a multiple of this
 * @digest_len: full MAC, hash or tag length
 */
struct ocf_alg_info {
	u32 alg;
	enum ocf_alg_kind kind;
	const char *name;
	const char *crypto_name;
	u64 key_lens;
	u8 iv_len;
	u8 block_len;
	u8 digest_len;
};

const struct ocf_alg_info *ocf_alg_info(u32 alg);

/* ---- Sessions (consumer API) --------------------------------------------- */

/**
 * struct ocf_session_params - what a session does, kept to rebuild it on
 * another producer (migration); zeroized when the session is freed
 * @cipher: enum ocf_alg cipher or AEAD, or OCF_ALG_NONE
 * @mac: enum ocf_alg HMAC or hash, or OCF_ALG_NONE
 * @flags: OCF_SESSION_* (uapi)
 * @mac_len: MAC/tag length; 0 asks for the full length, and the session
 *	stores the resolved length here
 * @producer: pin to this producer id; 0 lets the policy choose
 * @cipher_key_len: bytes of @cipher_key in use
 * @mac_key_len: bytes of @mac_key in use
 * @cipher_key: the cipher key
 * @mac_key: the HMAC key
 */
struct ocf_session_params {
	u32 cipher;
	u32 mac;
	u32 flags;
	u32 mac_len;
	u32 producer;
	u32 cipher_key_len;
	u32 mac_key_len;
	u8 cipher_key[OCF_MAX_KEY_LEN];
	u8 mac_key[OCF_MAX_MAC_KEY_LEN];
};

struct ocf_session *ocf_session_new(const struct ocf_session_params *params);
void ocf_session_free(struct ocf_session *s);
const struct ocf_session_params *ocf_session_params(const struct ocf_session *s);

/* ---- Requests (consumer API) --------------------------------------------- */

/**
 * struct ocf_request - one operation on a session
 * @session: the session
 * @op: OCF_OP_ENCRYPT or OCF_OP_DECRYPT (uapi)
 * @flags: OCF_OP_* (uapi)
 * @src: input, @len bytes
 * @dst: output, @len bytes; may be @src (in place)
 * @len: bytes in the buffer
 * @cipher_offset: the cipher region is [cipher_offset, cipher_offset + cipher_len)
 * @cipher_len: bytes to encrypt or decrypt
 * @auth_offset: the MAC/hash region or AEAD additional data
 * @auth_len: bytes to authenticate
 * @mac_offset: where the MAC is written (encrypt, into @dst) or read
 *	(decrypt, from @src; after decryption, from @dst with
 *	OCF_SESSION_MAC_THEN_CIPHER)
 * @iv_offset: with OCF_OP_IV_IN_BUFFER, where the IV is in @src
 * @iv: the IV; with OCF_OP_IV_IN_BUFFER the framework fills it from @src
 * @complete: called once, in process context, when the request is done
 * @opaque: the consumer's
 * @status: the result when @complete runs: 0, -EBADMSG, -ENODEV (no capable
 *	producer left), or another negative errno
 *
 * A request must not live on the stack: the framework queues work items
 * in it (debug-objects would rightly complain), even for ocf_dispatch_sync().
 *
 * The layout rules are those of struct ocf_op in the uapi header. Bytes of
 * @dst outside the cipher region are the input's; for out-of-place requests
 * the framework copies them before the producer runs, except for decryptions
 * that verify a MAC or tag, where it copies them after a successful
 * verification (so a forgery leaves @dst untouched). A producer that needs
 * them in @dst earlier calls ocf_request_copy_rest().
 */
struct ocf_request {
	struct ocf_session *session;
	u32 op;
	u32 flags;
	struct scatterlist *src;
	struct scatterlist *dst;
	u32 len;
	u32 cipher_offset;
	u32 cipher_len;
	u32 auth_offset;
	u32 auth_len;
	u32 mac_offset;
	u32 iv_offset;
	u8 iv[OCF_MAX_IV_LEN];
	void (*complete)(struct ocf_request *req);
	void *opaque;
	int status;

	/* Private to the framework. */
	struct list_head node;
	struct delayed_work work;
	struct ocf_producer *producer;
	void *priv;			/* the producer's state for the session */
	u64 start_ns;
};

int ocf_dispatch(struct ocf_request *req);
int ocf_dispatch_sync(struct ocf_request *req);
void ocf_dispatch_batch(struct ocf_request **reqs, u32 n);

/* ---- Key operations (consumer API) --------------------------------------- */

/**
 * struct ocf_kbn - a big integer of a key operation
 * @data: unsigned big-endian bytes, leading zeros allowed (kernel memory)
 * @len: bytes at @data; for an output, the room, filled right-aligned and
 *	zero-padded
 */
struct ocf_kbn {
	u8 *data;
	u32 len;
};

/* Give-backs (-EAGAIN) one key operation may take before it fails with -ENODEV. */
#define OCF_KOP_MAX_RERUNS	8

/**
 * struct ocf_krequest - one key operation (the paper's crypto_kdispatch)
 * @kop: an OCF_KOP_* value (uapi, where each one's parameters are listed)
 * @flags: OCF_KOP_F_* (uapi)
 * @producer: a producer id to prefer; 0 lets the policy choose. Only a
 *	preference: a request is never failed for it, and it is dropped when
 *	the request has to run elsewhere.
 * @in_count: inputs at the start of @param
 * @out_count: outputs after them
 * @param: the operands, as the uapi header lists them for @kop
 * @complete: called once, in process context, when the request is done; it must
 *	not wait for another key operation (ocf_kdispatch_sync()): it runs on
 *	a worker those need
 * @opaque: the consumer's
 * @status: the result when @complete runs (see struct ocf_kop in the uapi
 *	header for the values)
 *
 * Key operations have no session: each one is routed on its own, to a
 * producer whose kops and kop_max_bits cover it. The buffers belong to the
 * framework until @complete runs; outputs hold the result only if @status
 * is 0 (and may have been scribbled on otherwise: a consumer that cares
 * clears them). As for struct ocf_request, not on the stack.
 */
struct ocf_krequest {
	u32 kop;
	u32 flags;
	u32 producer;
	u32 in_count;
	u32 out_count;
	struct ocf_kbn param[OCF_KOP_MAX_PARAMS];
	void (*complete)(struct ocf_krequest *kreq);
	void *opaque;
	int status;

	/* Private to the framework. */
	struct delayed_work work;
	struct ocf_producer *kproducer;	/* running it; NULL while routed */
	u32 bits;			/* modulus size, for routing */
	u32 avoid[OCF_KOP_MAX_RERUNS];	/* ids of those that gave it back, one per rerun */
	u32 reruns;
	bool routed;			/* some producer was picked for it */
};

int ocf_kdispatch(struct ocf_krequest *kreq);
int ocf_kdispatch_sync(struct ocf_krequest *kreq);

/* ---- Producers ----------------------------------------------------------- */

/**
 * struct ocf_producer_ops - a producer's callbacks
 * @newsession: set up state for a session; *@priv is handed back to the
 *	other calls. May sleep.
 * @freesession: release that state. May sleep.
 * @process: start a request. Return 0 when the producer took it and will
 *	call ocf_request_done() (see there for the context), -EBUSY to have the
 *	framework queue it and retry after the producer's next completion, or
 *	another negative errno to fail it. Called in process context; may sleep
 *	only if the producer is OCF_PRODUCER_SYNC. A SYNC producer calls
 *	ocf_request_done() for every request it takes before it returns 0.
 * @kprocess: start a key operation (when the producer sets @kops). As
 *	@process, with ocf_kdone() for the completion: 0 when taken, -EBUSY
 *	to have it retried a tick later (on whichever producer the policy
 *	then picks), -EAGAIN to have it rerun on another producer (a device
 *	on its way out), another errno to fail it. The framework has checked
 *	the operands (counts, lengths, ranges, output room) and the modulus
 *	size against @kop_max_bits.
 */
struct ocf_producer_ops {
	int (*newsession)(struct ocf_producer *p, const struct ocf_session_params *params,
			  void **priv);
	void (*freesession)(struct ocf_producer *p, void *priv);
	int (*process)(struct ocf_producer *p, struct ocf_request *req, void *priv);
	int (*kprocess)(struct ocf_producer *p, struct ocf_krequest *kreq);
};

/**
 * struct ocf_producer - a driver's registration
 * @name: shown by ocfctl, unique among live producers
 * @flags: OCF_PRODUCER_* (uapi)
 * @algs: bitmap of enum ocf_alg it offers
 * @max_len: longest request, bytes
 * @max_sessions: session slots, 0 = unlimited
 * @rated_bps: the producer's nominal throughput in bytes per second, if it
 *	knows one (a chip's rating); 0 = unknown. Load balancing uses it until
 *	it has measured the real one.
 * @kops: bitmap of the OCF_KOP_* it does (bit n = value n); 0 = none
 * @kop_max_bits: the largest modulus it takes for them, 1..OCF_KOP_MAX_BITS
 * @ops: callbacks
 * @drvdata: the driver's
 *
 * The rest is the framework's, valid between ocf_producer_register() and
 * the return of ocf_producer_unregister().
 */
struct ocf_producer {
	char name[32];
	u32 flags;
	u64 algs;
	u32 max_len;
	u32 max_sessions;
	u64 rated_bps;
	u32 kops;
	u32 kop_max_bits;
	const struct ocf_producer_ops *ops;
	void *drvdata;

	/* Private to the framework. */
	u32 id;
	struct list_head node;		/* ocf_producers, under ocf_lock */
	struct list_head sessions;	/* its session bindings, under ocf_lock */
	u32 nsessions;			/* under ocf_lock */
	spinlock_t lock;		/* protects the fields below */
	bool dying;
	u32 in_flight;			/* taken by process(), not yet done */
	u32 kop_in_flight;		/* taken by kprocess(), not yet done */
	u64 rate_bps;			/* measured while busy; 0 = not yet */
	u64 last_done_ns;
	bool busy;			/* had work queued at the last completion */
	struct list_head backlog;	/* refused with -EBUSY, to retry */
	u32 nbacklog;			/* on the backlog, within in_flight */
	struct list_head deferred;	/* arrived while dying: to migrate */
	wait_queue_head_t drained;
	struct ocf_counters *counters;
};

int ocf_producer_register(struct ocf_producer *p);
void ocf_producer_unregister(struct ocf_producer *p);
void ocf_request_done(struct ocf_request *req, int status);
void ocf_kdone(struct ocf_krequest *kreq, int status);

/* ---- Scatterlist helpers for producers ------------------------------------ */

void ocf_sg_copy(struct scatterlist *dst, struct scatterlist *src, u32 offset, u32 len);
void ocf_sg_zero(struct scatterlist *sg, u32 offset, u32 len);
void ocf_request_copy_rest(struct ocf_request *req);

#endif /* _LINUX_OCF_H */
