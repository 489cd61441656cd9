// SPDX-License-Identifier: GPL-2.0
/*
 * The Hifn as an OCF producer.
 *
 * A request's regions are staged into a DMA buffer as one range that covers
 * both (the chip's skips are relative to it), the chip transforms the range
 * in place, and on completion the cipher region is copied to the request's
 * output and the MAC from the result buffer written there (encrypt) or
 * compared with the one the request carries (decrypt). A bad MAC releases
 * nothing: the decrypted data never leaves the staging buffer.
 *
 * The chip does encrypt-then-MAC and, decoding, MAC-then-decrypt: OCF's
 * default chain. Sessions with OCF_SESSION_MAC_THEN_CIPHER get -EOPNOTSUPP.
 * Regions of zero bytes never reach the chip: an empty cipher region is a
 * no-op, and the MAC of an empty region is computed once, in newsession.
 */

#include <crypto/algapi.h>
#include <crypto/scatterwalk.h>
#include <linux/slab.h>

#include "cmd.h"
#include "core.h"
#include "producer.h"
#include "ring.h"

static int hifn_session_cipher(struct hifn_dev *hd, struct hifn_session *ses,
			       const struct ocf_session_params *params)
{
	u16 masks = HIFN_CRYPT_CMD_MODE_CBC | HIFN_CRYPT_CMD_NEW_KEY | HIFN_CRYPT_CMD_NEW_IV;

	switch (params->cipher) {
	case OCF_CIPHER_DES_CBC:
		masks |= HIFN_CRYPT_CMD_ALG_DES;
		ses->iv_len = HIFN_IV_LENGTH;
		break;
	case OCF_CIPHER_3DES_CBC:
		masks |= HIFN_CRYPT_CMD_ALG_3DES;
		ses->iv_len = HIFN_IV_LENGTH;
		break;
	case OCF_CIPHER_AES_CBC:
		masks |= HIFN_CRYPT_CMD_ALG_AES;
		ses->iv_len = HIFN_AES_IV_LENGTH;
		if (params->cipher_key_len == 24)
			masks |= HIFN_CRYPT_CMD_KSZ_192;
		else if (params->cipher_key_len == 32)
			masks |= HIFN_CRYPT_CMD_KSZ_256;
		else if (params->cipher_key_len != 16)
			return -EINVAL;
		break;
	default:
		return -EOPNOTSUPP;
	}
	ses->cipher = params->cipher;
	ses->crypt_masks = masks;
	ses->key_len = params->cipher_key_len;
	memcpy(ses->key, params->cipher_key, params->cipher_key_len);
	return 0;
}

static int hifn_session_mac(struct hifn_dev *hd, struct hifn_session *ses,
			    const struct ocf_session_params *params)
{
	u16 masks = HIFN_MAC_CMD_RESULT | HIFN_MAC_CMD_POS_IPSEC;
	u32 hash;
	int ret;

	switch (params->mac) {
	case OCF_HASH_MD5:
		masks |= HIFN_MAC_CMD_ALG_MD5 | HIFN_MAC_CMD_MODE_HASH;
		break;
	case OCF_HASH_SHA1:
		masks |= HIFN_MAC_CMD_ALG_SHA1 | HIFN_MAC_CMD_MODE_HASH;
		break;
	case OCF_MAC_HMAC_MD5:
		masks |= HIFN_MAC_CMD_ALG_MD5 | HIFN_MAC_CMD_MODE_HMAC | HIFN_MAC_CMD_NEW_KEY;
		break;
	case OCF_MAC_HMAC_SHA1:
		masks |= HIFN_MAC_CMD_ALG_SHA1 | HIFN_MAC_CMD_MODE_HMAC | HIFN_MAC_CMD_NEW_KEY;
		break;
	default:
		return -EOPNOTSUPP;
	}
	ses->mac = params->mac;
	ses->mac_masks = masks;
	ses->mac_len = params->mac_len;
	if (masks & HIFN_MAC_CMD_NEW_KEY) {
		/* The chip takes one block of key: a longer key is hashed (RFC 2104). */
		if (params->mac_key_len > HIFN_MAC_KEY_LENGTH) {
			hash = params->mac == OCF_MAC_HMAC_MD5 ? OCF_HASH_MD5 : OCF_HASH_SHA1;
			ret = hifn_soft_digest(&hd->soft, hash, NULL, 0, params->mac_key,
					       params->mac_key_len, ses->mac_key);
			if (ret)
				return ret;
		} else {
			memcpy(ses->mac_key, params->mac_key, params->mac_key_len);
		}
	}
	return hifn_soft_digest(&hd->soft, params->mac, ses->mac_key, HIFN_MAC_KEY_LENGTH, NULL, 0,
				ses->empty_mac);
}

static int hifn_newsession(struct ocf_producer *p, const struct ocf_session_params *params,
			   void **priv)
{
	struct hifn_dev *hd = p->drvdata;
	struct hifn_session *ses;
	unsigned long flags;
	int ret = 0;

	if (params->flags & OCF_SESSION_MAC_THEN_CIPHER)
		return -EOPNOTSUPP;
	if ((params->cipher && !(p->algs & BIT_ULL(params->cipher))) ||
	    (params->mac && !(p->algs & BIT_ULL(params->mac))))
		return -EOPNOTSUPP;
	ses = kzalloc(sizeof(*ses), GFP_KERNEL);
	if (!ses)
		return -ENOMEM;
	if (params->cipher)
		ret = hifn_session_cipher(hd, ses, params);
	if (!ret && params->mac)
		ret = hifn_session_mac(hd, ses, params);
	if (ret)
		goto err_free;

	spin_lock_irqsave(&hd->lock, flags);
	ses->slot = find_first_zero_bit(hd->slots, hd->max_sessions);
	if (ses->slot < hd->max_sessions)
		set_bit(ses->slot, hd->slots);
	spin_unlock_irqrestore(&hd->lock, flags);
	if (ses->slot >= hd->max_sessions) {
		ret = -ENOSPC;
		goto err_free;
	}
	*priv = ses;
	return 0;

err_free:
	kfree_sensitive(ses);
	return ret;
}

static void hifn_freesession(struct ocf_producer *p, void *priv)
{
	struct hifn_dev *hd = p->drvdata;
	struct hifn_session *ses = priv;
	unsigned long flags;

	spin_lock_irqsave(&hd->lock, flags);
	clear_bit(ses->slot, hd->slots);
	spin_unlock_irqrestore(&hd->lock, flags);
	kfree_sensitive(ses);
}

/* Checks the MAC the request carries against @mac; 0 or -EBADMSG. */
static int hifn_mac_check(const struct hifn_session *ses, struct ocf_request *req, const u8 *mac)
{
	u8 want[HIFN_MAC_LENGTH_MAX];
	int ret = 0;

	scatterwalk_map_and_copy(want, req->src, req->mac_offset, ses->mac_len, 0);
	if (crypto_memneq(want, mac, ses->mac_len))
		ret = -EBADMSG;
	return ret;
}

/* A request with nothing for the chip: only the MAC of an empty region. */
static int hifn_process_empty(struct hifn_session *ses, struct ocf_request *req)
{
	int ret = 0;

	if (ses->mac && req->op == OCF_OP_ENCRYPT)
		scatterwalk_map_and_copy(ses->empty_mac, req->dst, req->mac_offset, ses->mac_len,
					 1);
	else if (ses->mac)
		ret = hifn_mac_check(ses, req, ses->empty_mac);
	ocf_request_done(req, ret);
	return 1;
}

/**
 * hifn_cmd_stage() - copy a request's range into its command's buffer
 * @hd: the chip
 * @cmd: the command, range set
 *
 * Also used to replay a command after a reset: the request's input is
 * untouched until it completes.
 */
void hifn_cmd_stage(struct hifn_dev *hd, struct hifn_cmd *cmd)
{
	struct ocf_request *req = cmd->req;

	scatterwalk_map_and_copy(cmd->buf, req->src, cmd->start, cmd->len, 0);
	if (cmd->dlen > cmd->len)
		memset(cmd->buf + cmd->len, 0, cmd->dlen - cmd->len);
	cmd->cmdlen = hifn_cmd_build(hd, cmd);
}

/*
 * The range of a request the chip reads: both regions' hull. Return: 0, 1
 * when the request needs no chip (done already), or a negative errno.
 */
static int hifn_request_range(struct hifn_session *ses, struct ocf_request *req,
			      struct hifn_wait *w)
{
	bool crypt = ses->cipher && req->cipher_len;
	bool mac = ses->mac && req->auth_len;
	u32 start = U32_MAX, end = 0;

	if (!crypt && !mac)
		return hifn_process_empty(ses, req);
	if (ses->mac && !mac && req->op == OCF_OP_DECRYPT &&
	    hifn_mac_check(ses, req, ses->empty_mac)) {
		ocf_request_done(req, -EBADMSG);
		return 1;
	}
	if (crypt) {
		start = req->cipher_offset;
		end = req->cipher_offset + req->cipher_len;
	}
	if (mac) {
		start = min(start, req->auth_offset);
		end = max(end, req->auth_offset + req->auth_len);
	}
	if (end - start > HIFN_MAX_LEN)
		return -E2BIG;
	/* The chip's skips have 16 bits: regions far apart cannot be expressed. */
	if ((crypt && req->cipher_offset - start > U16_MAX) ||
	    (mac && req->auth_offset - start > U16_MAX))
		return -EINVAL;
	w->req = req;
	w->ses = ses;
	w->start = start;
	w->len = end - start;
	w->flags = (crypt ? HIFN_CMD_CRYPT : 0) | (mac ? HIFN_CMD_MAC : 0) |
		   (req->op == OCF_OP_DECRYPT ? HIFN_CMD_DECRYPT : 0);
	return 0;
}

/*
 * Takes a command and ring room for @w, stages its data and posts it.
 * Return: false when the chip has no room or is not running (@w is then
 * untouched and the caller keeps it waiting).
 */
static bool hifn_start(struct hifn_dev *hd, const struct hifn_wait *w)
{
	struct hifn_cmd *cmd;
	unsigned long flags;

	spin_lock_irqsave(&hd->lock, flags);
	cmd = hd->state == HIFN_STATE_RUNNING ? hifn_cmd_get(hd, w->len) : NULL;
	spin_unlock_irqrestore(&hd->lock, flags);
	if (!cmd)
		return false;

	cmd->req = w->req;
	cmd->ses = w->ses;
	cmd->start = w->start;
	cmd->flags = w->flags;
	/* In place, decryption may overwrite the MAC: keep it. */
	if ((cmd->flags & HIFN_CMD_MAC) && (cmd->flags & HIFN_CMD_DECRYPT))
		scatterwalk_map_and_copy(cmd->mac_in, cmd->req->src, cmd->req->mac_offset,
					 cmd->ses->mac_len, 0);
	hifn_cmd_stage(hd, cmd);

	spin_lock_irqsave(&hd->lock, flags);
	/* A reset since emptied the rings, or the chip went: not now. */
	if (hd->state != HIFN_STATE_RUNNING || cmd->epoch != hd->rings.epoch) {
		hifn_cmd_release(hd, cmd, false);
		spin_unlock_irqrestore(&hd->lock, flags);
		return false;
	}
	if (list_empty(&hd->rings.active))
		hd->last_progress = jiffies;
	hifn_ring_post(hd, cmd);
	hifn_ring_doorbell(hd);
	spin_unlock_irqrestore(&hd->lock, flags);
	return true;
}

/*
 * Requests the chip has no room for wait on @hd->waitq, in order, and start
 * as commands complete: the driver never answers -EBUSY while it can
 * allocate a wait entry, so that it does not depend on OCF's backlog.
 */
static int hifn_process(struct ocf_producer *p, struct ocf_request *req, void *priv)
{
	struct hifn_dev *hd = p->drvdata;
	struct hifn_wait one, *w;
	unsigned long flags;
	bool queued;
	int ret;

	ret = hifn_request_range(priv, req, &one);
	if (ret)
		return ret < 0 ? ret : 0;
	spin_lock_irqsave(&hd->lock, flags);
	queued = !list_empty(&hd->waitq);
	spin_unlock_irqrestore(&hd->lock, flags);
	if (!queued && hifn_start(hd, &one))
		return 0;

	w = kmalloc(sizeof(*w), GFP_NOWAIT | __GFP_NOWARN);
	if (!w)
		return -EBUSY;
	*w = one;
	spin_lock_irqsave(&hd->lock, flags);
	list_add_tail(&w->node, &hd->waitq);
	spin_unlock_irqrestore(&hd->lock, flags);
	/* Room may have come free meanwhile, with nobody left to notice. */
	queue_work(hd->wq, &hd->done_work);
	return 0;
}

/**
 * hifn_start_waiting() - start waiting requests while the chip has room
 * @hd: the chip
 *
 * Context: process; the driver's workqueue.
 */
void hifn_start_waiting(struct hifn_dev *hd)
{
	struct hifn_wait *w;
	unsigned long flags;

	for (;;) {
		spin_lock_irqsave(&hd->lock, flags);
		w = list_first_entry_or_null(&hd->waitq, struct hifn_wait, node);
		if (w)
			list_del(&w->node);
		spin_unlock_irqrestore(&hd->lock, flags);
		if (!w)
			return;
		if (!hifn_start(hd, w)) {
			spin_lock_irqsave(&hd->lock, flags);
			list_add(&w->node, &hd->waitq);
			spin_unlock_irqrestore(&hd->lock, flags);
			return;
		}
		kfree(w);
	}
}

/**
 * hifn_finish_waiting_soft() - finish waiting requests in software
 * @hd: the chip, gone
 *
 * Context: process; sleeps.
 */
void hifn_finish_waiting_soft(struct hifn_dev *hd)
{
	struct hifn_wait *w, *tmp;
	unsigned long flags;
	LIST_HEAD(waiting);

	spin_lock_irqsave(&hd->lock, flags);
	list_splice_init(&hd->waitq, &waiting);
	spin_unlock_irqrestore(&hd->lock, flags);
	list_for_each_entry_safe(w, tmp, &waiting, node) {
		atomic_inc(&hd->fallbacks);
		ocf_request_done(w->req, hifn_soft_request(&hd->soft, w->ses, w->req));
		kfree(w);
	}
}

/* Copies the results of a finished command out to its request. */
static int hifn_cmd_copy_out(struct hifn_dev *hd, struct hifn_cmd *cmd)
{
	const struct hifn_session *ses = cmd->ses;
	struct ocf_request *req = cmd->req;
	const u8 *mac = ses->empty_mac;
	int ret;

	ret = hifn_cmd_status(hd, cmd);
	if (ret)
		return ret;
	if (cmd->flags & HIFN_CMD_MAC)
		mac = hifn_cmd_mac(hd, cmd);
	/* (An empty MAC region was checked before the chip started.) */
	if ((cmd->flags & HIFN_CMD_MAC) && (cmd->flags & HIFN_CMD_DECRYPT) &&
	    crypto_memneq(mac, cmd->mac_in, ses->mac_len)) {
		/* Not a byte of the forged message's plain text leaves. */
		memzero_explicit(cmd->buf, cmd->dlen);
		return -EBADMSG;
	}
	if (cmd->flags & HIFN_CMD_CRYPT)
		scatterwalk_map_and_copy(cmd->buf + req->cipher_offset - cmd->start, req->dst,
					 req->cipher_offset, req->cipher_len, 1);
	if (ses->mac && req->op == OCF_OP_ENCRYPT)
		scatterwalk_map_and_copy((void *)mac, req->dst, req->mac_offset, ses->mac_len, 1);
	return 0;
}

static void hifn_cmd_done(struct hifn_dev *hd, struct hifn_cmd *cmd, int status)
{
	struct ocf_request *req = cmd->req;
	unsigned long flags;

	hifn_cmd_scrub(hd, cmd);
	spin_lock_irqsave(&hd->lock, flags);
	hifn_cmd_release(hd, cmd, true);
	spin_unlock_irqrestore(&hd->lock, flags);
	ocf_request_done(req, status);
}

/**
 * hifn_cmd_finish() - complete a command the chip has finished
 * @hd: the chip
 * @cmd: reaped from the rings
 *
 * Context: process (the driver's workqueue).
 */
void hifn_cmd_finish(struct hifn_dev *hd, struct hifn_cmd *cmd)
{
	hifn_cmd_done(hd, cmd, hifn_cmd_copy_out(hd, cmd));
}

/**
 * hifn_cmd_finish_soft() - complete a command the chip will not finish
 * @hd: the chip, gone or failing
 * @cmd: taken off the rings after a reset or removal
 *
 * The request's input is untouched (the chip only ever wrote the staging
 * buffer), so software can do it from the start.
 * Context: process; sleeps.
 */
void hifn_cmd_finish_soft(struct hifn_dev *hd, struct hifn_cmd *cmd)
{
	atomic_inc(&hd->fallbacks);
	hifn_cmd_done(hd, cmd, hifn_soft_request(&hd->soft, cmd->ses, cmd->req));
}

/* Completes every command on @cmds: from the chip's results, or in software. */
void hifn_finish_list(struct hifn_dev *hd, struct list_head *cmds, bool soft)
{
	struct hifn_cmd *cmd, *tmp;

	list_for_each_entry_safe(cmd, tmp, cmds, node) {
		list_del_init(&cmd->node);
		if (soft)
			hifn_cmd_finish_soft(hd, cmd);
		else
			hifn_cmd_finish(hd, cmd);
	}
}

static const struct ocf_producer_ops hifn_producer_ops = {
	.newsession = hifn_newsession,
	.freesession = hifn_freesession,
	.process = hifn_process,
};

/**
 * hifn_producer_register() - offer the chip to OCF
 * @hd: the chip, unlocked and running
 *
 * What it offers follows the unlock level: ENA_1 gives DES, MD5, SHA1 and
 * their HMACs; ENA_2 adds 3DES, and AES on the 7955/7956.
 * Return: 0 or ocf_producer_register()'s error.
 */
int hifn_producer_register(struct hifn_dev *hd)
{
	struct ocf_producer *p = &hd->producer;
	u64 algs;

	algs = BIT_ULL(OCF_CIPHER_DES_CBC) | BIT_ULL(OCF_HASH_MD5) | BIT_ULL(OCF_HASH_SHA1) |
	       BIT_ULL(OCF_MAC_HMAC_MD5) | BIT_ULL(OCF_MAC_HMAC_SHA1);
	if (hd->ena == HIFN_PUSTAT_ENA_2) {
		algs |= BIT_ULL(OCF_CIPHER_3DES_CBC);
		if (hifn_has(hd, HIFN_HAS_AES))
			algs |= BIT_ULL(OCF_CIPHER_AES_CBC);
	}
	memset(p, 0, sizeof(*p));
	strscpy(p->name, hd->name, sizeof(p->name));
	p->flags = OCF_PRODUCER_HARDWARE | OCF_PRODUCER_CAN_CHAIN;
	p->algs = algs;
	p->max_len = HIFN_MAX_LEN;
	p->max_sessions = hd->max_sessions;
	/* The paper's rating of the 7751: 3DES at 83 Mbit/s (hardware.md). */
	p->rated_bps = 83000000 / 8;
	p->ops = &hifn_producer_ops;
	p->drvdata = hd;
	return ocf_producer_register(p);
}
