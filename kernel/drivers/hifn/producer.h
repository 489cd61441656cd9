/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The Hifn as an OCF producer: sessions, requests in, completions out.
 */
#ifndef _HIFN_PRODUCER_H
#define _HIFN_PRODUCER_H

#include <linux/list.h>
#include <linux/ocf.h>

#include "hifn_reg.h"

struct hifn_dev;
struct hifn_cmd;

/**
 * struct hifn_session - what a command needs from its session
 * @slot: the chip's context slot (the base command's session number)
 * @cipher: enum ocf_alg cipher, or 0
 * @mac: enum ocf_alg hash or HMAC, or 0
 * @crypt_masks: the crypt sub-command's masks, counts aside
 * @mac_masks: the mac sub-command's masks, counts aside
 * @key_len: cipher key bytes
 * @iv_len: IV bytes
 * @mac_len: MAC bytes the session produces and checks
 * @key: the cipher key
 * @mac_key: the HMAC key, hashed when longer than a block, zero-padded
 * @empty_mac: the MAC of zero bytes (the chip is not asked for it)
 */
struct hifn_session {
	u32 slot;
	u32 cipher;
	u32 mac;
	u16 crypt_masks;
	u16 mac_masks;
	u8 key_len;
	u8 iv_len;
	u8 mac_len;
	u8 key[OCF_MAX_KEY_LEN];
	u8 mac_key[HIFN_MAC_KEY_LENGTH];
	u8 empty_mac[HIFN_MAC_LENGTH_MAX];
};

/**
 * struct hifn_wait - a request waiting for room on the chip
 * @node: on struct hifn_dev.waitq
 * @req: the request
 * @ses: its session
 * @start: the range the chip will read
 * @len: its length
 * @flags: HIFN_CMD_*
 */
struct hifn_wait {
	struct list_head node;
	struct ocf_request *req;
	struct hifn_session *ses;
	u32 start;
	u32 len;
	u8 flags;
};

int hifn_producer_register(struct hifn_dev *hd);
void hifn_start_waiting(struct hifn_dev *hd);
void hifn_finish_waiting_soft(struct hifn_dev *hd);
void hifn_cmd_finish(struct hifn_dev *hd, struct hifn_cmd *cmd);
void hifn_cmd_finish_soft(struct hifn_dev *hd, struct hifn_cmd *cmd);
void hifn_cmd_stage(struct hifn_dev *hd, struct hifn_cmd *cmd);
void hifn_finish_list(struct hifn_dev *hd, struct list_head *cmds, bool soft);

#endif /* _HIFN_PRODUCER_H */
