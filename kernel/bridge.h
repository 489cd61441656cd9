/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The crypto-API bridge: OCF's hardware producers as Linux crypto API
 * algorithms (skcipher, ahash, aead), for in-kernel consumers (IPsec, kTLS,
 * dm-crypt). See bridge.c for the lifecycle and the queue contract.
 */
#ifndef OCF_BRIDGE_H
#define OCF_BRIDGE_H

#include <crypto/internal/aead.h>
#include <crypto/internal/hash.h>
#include <crypto/internal/skcipher.h>
#include <linux/atomic.h>
#include <linux/list.h>
#include <linux/ocf.h>

enum ocf_bridge_type {
	OCF_BRIDGE_SKCIPHER,
	OCF_BRIDGE_AHASH,
	OCF_BRIDGE_AEAD,
};

/**
 * struct ocf_bridge_alg - one algorithm the bridge may register
 * @type: which member of @u is in use
 * @cipher: the OCF cipher it needs from a hardware producer, or OCF_ALG_NONE
 * @mac: the OCF MAC or hash it needs, or OCF_ALG_NONE (both: a chain)
 * @registered: registered with the crypto API; under ocf_bridge_mutex
 * @tfms: live transforms of it (the crypto API must not see it unregistered
 *	while it has any: crypto_unregister_alg() insists on one reference)
 * @u: the crypto API's description of it
 */
struct ocf_bridge_alg {
	enum ocf_bridge_type type;
	u32 cipher;
	u32 mac;
	bool registered;
	atomic_t tfms;
	union {
		struct skcipher_alg skcipher;
		struct ahash_alg ahash;
		struct aead_alg aead;
	} u;
};

/**
 * struct ocf_bridge_req - the bridge's part of every crypto API request,
 * at the start of its request context
 * @oreq: the OCF request it runs as; in the request context, so never on
 *	the stack and never allocated per request
 * @base: the crypto API request
 * @node: on the backlog, under the queue's lock
 * @done: the algorithm's completion step (output IV, result), then the
 *	crypto API's completion follows
 */
struct ocf_bridge_req {
	struct ocf_request oreq;
	struct crypto_async_request *base;
	struct list_head node;
	void (*done)(struct ocf_bridge_req *br, int status);
};

int ocf_bridge_submit(struct ocf_bridge_req *br);
struct ocf_session *ocf_bridge_session_new(u32 cipher, const u8 *key, u32 key_len,
					   u32 mac, const u8 *mac_key, u32 mac_key_len,
					   u32 mac_len);
void ocf_bridge_tfm_get(struct ocf_bridge_alg *a);
void ocf_bridge_tfm_put(struct ocf_bridge_alg *a);

extern unsigned int ocf_bridge_cipher_priority;
extern struct ocf_bridge_alg ocf_bridge_skciphers[];
extern const unsigned int ocf_bridge_nskciphers;
extern unsigned int ocf_bridge_hash_priority;
extern struct ocf_bridge_alg ocf_bridge_ahashes[];
extern const unsigned int ocf_bridge_nahashes;
extern unsigned int ocf_bridge_aead_priority;
extern struct ocf_bridge_alg ocf_bridge_aeads[];
extern const unsigned int ocf_bridge_naeads;

void ocf_bridge_producers_changed(void);
void ocf_bridge_producer_leaving(void);
int ocf_bridge_init(void);
void ocf_bridge_exit(void);

#endif /* OCF_BRIDGE_H */
