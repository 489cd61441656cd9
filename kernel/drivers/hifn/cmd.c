// SPDX-License-Identifier: GPL-2.0
/*
 * Command buffers: the base command, then the mac and crypt sub-commands
 * (in that order), then the MAC key, the cipher key and the IV. Keys and IV
 * travel with every command, so the chip's context RAM holds nothing a reset
 * could lose and any command can be replayed as it is.
 *
 * The chip's order is fixed: encode is encrypt then MAC, decode is MAC then
 * decrypt: OCF's default chain exactly.
 */

#include <linux/string.h>

#include "cmd.h"
#include "core.h"
#include "producer.h"
#include "ring.h"

static void hifn_sub_cmd(struct hifn_sub_cmd *sub, u16 masks, u32 skip, u32 count)
{
	sub->masks = cpu_to_le16(masks | (((count >> 16) << HIFN_SUB_CMD_SRCLEN_S) &
					  HIFN_SUB_CMD_SRCLEN_M));
	sub->header_skip = cpu_to_le16(skip);
	sub->source_count = cpu_to_le16(count & 0xffff);
	sub->reserved = 0;
}

/**
 * hifn_cmd_build() - write a request's command buffer
 * @hd: the chip
 * @cmd: the command: request, session, staged range and flags set
 *
 * The chip sees the staged range [start, start + len): region offsets are
 * relative to it (the caller checked that they fit the 16-bit skips).
 * Return: the command's length in bytes.
 */
u32 hifn_cmd_build(struct hifn_dev *hd, const struct hifn_cmd *cmd)
{
	const struct ocf_request *req = cmd->req;
	const struct hifn_session *ses = cmd->ses;
	u8 *buf = hifn_cmd_buf(hd, cmd), *pos;
	struct hifn_base_cmd *base = (void *)buf;
	u16 masks = 0;
	u32 slot;

	if (cmd->flags & HIFN_CMD_MAC)
		masks |= HIFN_BASE_CMD_MAC;
	if (cmd->flags & HIFN_CMD_CRYPT) {
		masks |= HIFN_BASE_CMD_CRYPT;
		if (cmd->flags & HIFN_CMD_DECRYPT)
			masks |= HIFN_BASE_CMD_DECODE;
	}
	base->masks = cpu_to_le16(masks);
	slot = ses->slot + (cmd->brk & HIFN_BREAK_SESSIONS ? hd->max_sessions : 0);
	base->session_num = cpu_to_le16((slot & HIFN_BASE_CMD_SESSION) |
					(((cmd->len >> 16) << HIFN_BASE_CMD_SRCLEN_S) &
					 HIFN_BASE_CMD_SRCLEN_M) |
					(((cmd->dlen >> 16) << HIFN_BASE_CMD_DSTLEN_S) &
					 HIFN_BASE_CMD_DSTLEN_M));
	base->total_source_count = cpu_to_le16(cmd->len & HIFN_BASE_CMD_LENMASK_LO);
	base->total_dest_count = cpu_to_le16(cmd->dlen & HIFN_BASE_CMD_LENMASK_LO);
	pos = buf + sizeof(*base);

	if (cmd->flags & HIFN_CMD_MAC) {
		hifn_sub_cmd((void *)pos, ses->mac_masks, req->auth_offset - cmd->start,
			     req->auth_len);
		pos += sizeof(struct hifn_sub_cmd);
	}
	if (cmd->flags & HIFN_CMD_CRYPT) {
		hifn_sub_cmd((void *)pos, ses->crypt_masks, req->cipher_offset - cmd->start,
			     req->cipher_len);
		pos += sizeof(struct hifn_sub_cmd);
	}
	if ((cmd->flags & HIFN_CMD_MAC) && (ses->mac_masks & HIFN_MAC_CMD_NEW_KEY)) {
		memcpy(pos, ses->mac_key, HIFN_MAC_KEY_LENGTH);
		pos += HIFN_MAC_KEY_LENGTH;
	}
	if (cmd->flags & HIFN_CMD_CRYPT) {
		memcpy(pos, ses->key, ses->key_len);
		pos += ses->key_len;
		memcpy(pos, req->iv, ses->iv_len);
		pos += ses->iv_len;
	}
	return pos - buf;
}

/* Status from the result buffer of a finished command: 0 or -EIO. */
int hifn_cmd_status(struct hifn_dev *hd, const struct hifn_cmd *cmd)
{
	const struct hifn_base_result *res = (const void *)hifn_result_buf(hd, cmd);

	if (le16_to_cpu(res->flags) & HIFN_BASE_RES_DSTOVERRUN)
		return -EIO;
	return 0;
}

/* The MAC the chip computed (no compression: 12 bytes into the result). */
const u8 *hifn_cmd_mac(struct hifn_dev *hd, const struct hifn_cmd *cmd)
{
	return hifn_result_buf(hd, cmd) + HIFN_RES_MAC_OFFSET;
}

/* Keys and MACs do not outlive the command in DMA memory. */
void hifn_cmd_scrub(struct hifn_dev *hd, const struct hifn_cmd *cmd)
{
	memzero_explicit(hifn_cmd_buf(hd, cmd), HIFN_MAX_COMMAND);
	memzero_explicit(hifn_result_buf(hd, cmd), HIFN_MAX_RESULT);
}
