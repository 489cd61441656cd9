/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The four descriptor rings (command, source, destination, result), the
 * command and result buffers, and the buffers requests are staged in.
 */
#ifndef _HIFN_RING_H
#define _HIFN_RING_H

#include <linux/dma-mapping.h>
#include <linux/list.h>
#include <linux/ocf.h>
#include <linux/sizes.h>

#include "hifn_reg.h"

struct hifn_dev;
struct hifn_session;

enum hifn_ring_id {
	HIFN_RING_CMD,
	HIFN_RING_SRC,
	HIFN_RING_DST,
	HIFN_RING_RES,
	HIFN_RINGS
};

/*
 * Requests up to this many bytes are staged in their command's own buffer;
 * larger ones take one of HIFN_BIG_BUFS buffers of HIFN_BIG_BUF bytes.
 */
#define HIFN_SMALL_BUF		SZ_16K
#define HIFN_BIG_BUF		SZ_256K
#define HIFN_BIG_BUFS		4
/*
 * The longest range a request may hand the chip: the destination count is
 * rounded up to whole words and must fit the chip's 18-bit counts.
 */
#define HIFN_MAX_LEN		(HIFN_MAX_DMALEN & ~3u)
/* Bytes per data descriptor (the length field has 16 bits) */
#define HIFN_SEG_MAX		0xf000
#define HIFN_MAX_SEGS		DIV_ROUND_UP(HIFN_BIG_BUF, HIFN_SEG_MAX)

/**
 * struct hifn_dma - what the chip reads and writes besides request data;
 *	one coherent allocation
 * @cmdr: command ring, + the jump back
 * @srcr: source ring, + the jump back
 * @dstr: destination ring, + the jump back
 * @resr: result ring, + the jump back
 * @command_bufs: one per command in flight
 * @result_bufs: one per command in flight
 * @test_src: RAM probe data out
 * @test_dst: RAM probe data in
 */
struct hifn_dma {
	struct hifn_desc cmdr[HIFN_D_CMD_RSIZE + 1];
	struct hifn_desc srcr[HIFN_D_SRC_RSIZE + 1];
	struct hifn_desc dstr[HIFN_D_DST_RSIZE + 1];
	struct hifn_desc resr[HIFN_D_RES_RSIZE + 1];
	u8 command_bufs[HIFN_D_CMD_RSIZE][HIFN_MAX_COMMAND] __aligned(8);
	u8 result_bufs[HIFN_D_CMD_RSIZE][HIFN_MAX_RESULT] __aligned(8);
	u8 test_src[8] __aligned(8);
	u8 test_dst[8] __aligned(8);
};

/**
 * struct hifn_ring - one descriptor ring
 * @d: its descriptors; d[size] jumps back to d[0]
 * @base: bus address of d[0]
 * @size: usable descriptors
 * @next: the slot the next descriptor goes to (== @size: wrap first)
 * @used: descriptors handed to the chip or reserved, not yet reclaimed
 */
struct hifn_ring {
	struct hifn_desc *d;
	dma_addr_t base;
	u32 size;
	u32 next;
	u32 used;
};

struct hifn_buf {
	struct list_head node;
	void *cpu;
	dma_addr_t dma;
};

/* struct hifn_cmd.flags */
#define HIFN_CMD_CRYPT		BIT(0)
#define HIFN_CMD_MAC		BIT(1)
#define HIFN_CMD_DECRYPT	BIT(2)

/**
 * struct hifn_cmd - one request on its way through the chip
 * @node: on the free list or the active list (in submission order)
 * @idx: its command and result buffer; its small data buffer
 * @req: the OCF request
 * @ses: the request's session state
 * @buf: where the request's data is staged for the chip
 * @big: the big buffer taken, or NULL for the small one
 * @start: the staged range [start, start + len) of the request
 * @len: bytes the chip reads
 * @dlen: bytes the chip may write (@len rounded up to whole words)
 * @cmdlen: bytes of the command buffer in use
 * @nsrc: source descriptors
 * @ndst: destination descriptors
 * @slot: the first slot it took on each ring (enum hifn_ring_id)
 * @res: the result ring slot it was posted to
 * @brk: hifn_test_break when it was taken
 * @flags: HIFN_CMD_*
 * @retries: times it was requeued after a chip reset
 * @epoch: struct hifn_rings.epoch when its ring room was reserved
 * @mac_in: decryption: the MAC to check, copied from the request
 */
struct hifn_cmd {
	struct list_head node;
	unsigned int idx;
	struct ocf_request *req;
	struct hifn_session *ses;
	void *buf;
	dma_addr_t buf_dma;
	struct hifn_buf *big;
	u32 start;
	u32 len;
	u32 dlen;
	u32 cmdlen;
	u8 nsrc;
	u8 ndst;
	u8 slot[HIFN_RINGS];
	u8 res;
	u32 brk;
	u8 flags;
	u8 retries;
	u32 epoch;
	u8 mac_in[HIFN_MAC_LENGTH_MAX];
};

/**
 * struct hifn_rings - all of the DMA state
 * @dma: the coherent area
 * @dma_addr: its bus address
 * @ring: the four rings
 * @epoch: counts ring resets
 * @cmds: the commands
 * @free: commands not in use
 * @active: commands posted, oldest first
 * @small: each command's small data buffer
 * @big: the big data buffers
 * @big_free: big buffers not in use
 * @enabled: the rings were enabled and not disabled since
 */
struct hifn_rings {
	struct hifn_dma *dma;
	dma_addr_t dma_addr;
	struct hifn_ring ring[HIFN_RINGS];
	u32 epoch;
	struct hifn_cmd cmds[HIFN_D_CMD_RSIZE];
	struct list_head free;
	struct list_head active;
	struct hifn_buf small[HIFN_D_CMD_RSIZE];
	struct hifn_buf big[HIFN_BIG_BUFS];
	struct list_head big_free;
	bool enabled;
};

int hifn_rings_alloc(struct hifn_dev *hd);
void hifn_rings_free(struct hifn_dev *hd);
void hifn_rings_reset(struct hifn_dev *hd, struct list_head *active);
void hifn_rings_set_bases(struct hifn_dev *hd);

struct hifn_cmd *hifn_cmd_get(struct hifn_dev *hd, u32 len);
void hifn_cmd_release(struct hifn_dev *hd, struct hifn_cmd *cmd, bool reaped);
u8 *hifn_cmd_buf(struct hifn_dev *hd, const struct hifn_cmd *cmd);
u8 *hifn_result_buf(struct hifn_dev *hd, const struct hifn_cmd *cmd);
void hifn_ring_post(struct hifn_dev *hd, struct hifn_cmd *cmd);
void hifn_ring_repost(struct hifn_dev *hd, struct hifn_cmd *cmd);
void hifn_ring_doorbell(struct hifn_dev *hd);
void hifn_ring_reap(struct hifn_dev *hd, struct list_head *done);
bool hifn_ring_idle_off(struct hifn_dev *hd);
int hifn_ring_ram_op(struct hifn_dev *hd, u16 masks, u32 addr, const u8 *wdata, u8 *rdata);

#endif /* _HIFN_RING_H */
