// SPDX-License-Identifier: GPL-2.0
/*
 * Descriptor rings. Each request takes one command descriptor, one result
 * descriptor and as many source and destination descriptors as its staged
 * data needs (HIFN_SEG_MAX bytes each). The chip walks each ring from its
 * base, clears VALID on what it has consumed, and follows the extra last
 * descriptor (VALID|JUMP) back to the base; the driver arms that jump each
 * time it wraps. Results come back in command order, so the oldest command
 * on the active list is the next to complete.
 *
 * A command's slots on each ring are given back by that ring's own VALID
 * bits, as FreeBSD does, not by its result alone: a chip that consumed
 * fewer descriptors than posted (a destination overrun, a command cut
 * short) would otherwise leave the rings out of step, and later output
 * would land in other requests' buffers. A finished command with a
 * descriptor still valid, or an overrun, resets the chip; what was in
 * flight is posted again on the fresh rings.
 *
 * Request data is staged in DMA-coherent buffers: a small one per command,
 * or one of a few big ones. That keeps every DMA segment word-aligned and a
 * request's descriptors few (the BSD drivers require aligned segments and
 * copy what is not), and it leaves the caller's input untouched until the
 * request completes, so that a request can be replayed after a chip reset
 * or finished in software after a surprise removal.
 */

#include <linux/delay.h>
#include <linux/lockdep.h>

#include "core.h"
#include "ring.h"

/* How long a RAM probe operation may take (the BSD drivers: 100 ms) */
#define HIFN_RAM_OP_MS		2000

static struct hifn_desc *hifn_ring_descs(struct hifn_dma *dma, enum hifn_ring_id id)
{
	switch (id) {
	case HIFN_RING_CMD:
		return dma->cmdr;
	case HIFN_RING_SRC:
		return dma->srcr;
	case HIFN_RING_DST:
		return dma->dstr;
	default:
		return dma->resr;
	}
}

static const u32 hifn_ring_sizes[HIFN_RINGS] = {
	[HIFN_RING_CMD] = HIFN_D_CMD_RSIZE,
	[HIFN_RING_SRC] = HIFN_D_SRC_RSIZE,
	[HIFN_RING_DST] = HIFN_D_DST_RSIZE,
	[HIFN_RING_RES] = HIFN_D_RES_RSIZE,
};

static dma_addr_t hifn_dma_addr(struct hifn_dev *hd, const void *p)
{
	return hd->rings.dma_addr + ((const u8 *)p - (const u8 *)hd->rings.dma);
}

u8 *hifn_cmd_buf(struct hifn_dev *hd, const struct hifn_cmd *cmd)
{
	return hd->rings.dma->command_bufs[cmd->idx];
}

u8 *hifn_result_buf(struct hifn_dev *hd, const struct hifn_cmd *cmd)
{
	return hd->rings.dma->result_bufs[cmd->idx];
}

static void hifn_buf_free(struct hifn_dev *hd, struct hifn_buf *b, size_t size)
{
	if (b->cpu)
		dma_free_coherent(hd->dev, size, b->cpu, b->dma);
	b->cpu = NULL;
}

static int hifn_buf_alloc(struct hifn_dev *hd, struct hifn_buf *b, size_t size)
{
	b->cpu = dma_alloc_coherent(hd->dev, size, &b->dma, GFP_KERNEL);
	return b->cpu ? 0 : -ENOMEM;
}

/* Sets every ring empty, with its jump back to the base. The chip must be idle. */
static void hifn_rings_clear(struct hifn_dev *hd)
{
	struct hifn_rings *r = &hd->rings;
	unsigned int id;

	for (id = 0; id < HIFN_RINGS; id++) {
		struct hifn_ring *ring = &r->ring[id];

		memset(ring->d, 0, (ring->size + 1) * sizeof(*ring->d));
		ring->d[ring->size].p = cpu_to_le32(ring->base);
		ring->next = 0;
		ring->used = 0;
	}
	r->epoch++;
	r->enabled = false;
}

int hifn_rings_alloc(struct hifn_dev *hd)
{
	struct hifn_rings *r = &hd->rings;
	unsigned int i, id, big = 0;
	int ret;

	r->dma = dma_alloc_coherent(hd->dev, sizeof(*r->dma), &r->dma_addr, GFP_KERNEL);
	if (!r->dma)
		return -ENOMEM;
	for (id = 0; id < HIFN_RINGS; id++) {
		r->ring[id].d = hifn_ring_descs(r->dma, id);
		r->ring[id].base = hifn_dma_addr(hd, r->ring[id].d);
		r->ring[id].size = hifn_ring_sizes[id];
	}
	INIT_LIST_HEAD(&r->free);
	INIT_LIST_HEAD(&r->active);
	INIT_LIST_HEAD(&r->big_free);
	for (i = 0; i < HIFN_D_CMD_RSIZE; i++) {
		ret = hifn_buf_alloc(hd, &r->small[i], HIFN_SMALL_BUF);
		if (ret)
			goto err_free_bufs;
		r->cmds[i].idx = i;
		list_add_tail(&r->cmds[i].node, &r->free);
	}
	/* Big buffers are order-6 allocations: settle for fewer, not none. */
	for (i = 0; i < HIFN_BIG_BUFS; i++) {
		if (hifn_buf_alloc(hd, &r->big[i], HIFN_BIG_BUF))
			continue;
		list_add_tail(&r->big[i].node, &r->big_free);
		big++;
	}
	if (!big) {
		ret = -ENOMEM;
		goto err_free_bufs;
	}
	hifn_rings_clear(hd);
	return 0;

err_free_bufs:
	hifn_rings_free(hd);
	return ret;
}

void hifn_rings_free(struct hifn_dev *hd)
{
	struct hifn_rings *r = &hd->rings;
	unsigned int i;

	for (i = 0; i < HIFN_BIG_BUFS; i++)
		hifn_buf_free(hd, &r->big[i], HIFN_BIG_BUF);
	for (i = 0; i < HIFN_D_CMD_RSIZE; i++)
		hifn_buf_free(hd, &r->small[i], HIFN_SMALL_BUF);
	if (r->dma) {
		/* Keys travel in the command buffers. */
		memzero_explicit(r->dma, sizeof(*r->dma));
		dma_free_coherent(hd->dev, sizeof(*r->dma), r->dma, r->dma_addr);
	}
	r->dma = NULL;
}

/**
 * hifn_rings_reset() - empty the rings after a chip reset
 * @hd: the chip, held in reset or stopped; the caller owns it
 * @active: receives the commands that were posted, oldest first; they keep
 *	their buffers and are either posted again or put back
 */
void hifn_rings_reset(struct hifn_dev *hd, struct list_head *active)
{
	list_splice_tail_init(&hd->rings.active, active);
	hifn_rings_clear(hd);
}

/* Points the chip at the ring bases (hifn_init_registers). */
void hifn_rings_set_bases(struct hifn_dev *hd)
{
	struct hifn_rings *r = &hd->rings;

	hifn_write_1(hd, HIFN_1_DMA_CRAR, r->ring[HIFN_RING_CMD].base);
	hifn_write_1(hd, HIFN_1_DMA_SRAR, r->ring[HIFN_RING_SRC].base);
	hifn_write_1(hd, HIFN_1_DMA_DRAR, r->ring[HIFN_RING_DST].base);
	hifn_write_1(hd, HIFN_1_DMA_RRAR, r->ring[HIFN_RING_RES].base);
}

/* Descriptors for @len bytes of data; @brk: HIFN_BREAK_ODD_SEG splits off 2 bytes. */
static u32 hifn_segs(u32 len, u32 brk)
{
	if ((brk & HIFN_BREAK_ODD_SEG) && len > 2)
		return 1 + hifn_segs(len - 2, 0);
	return max_t(u32, 1, DIV_ROUND_UP(len, HIFN_SEG_MAX));
}

/* Bytes of destination descriptors: @dlen, unless a test breaks the rule. */
static u32 hifn_dst_bytes(const struct hifn_cmd *cmd)
{
	return cmd->dlen + (cmd->brk & HIFN_BREAK_DST_TOTAL ? 4 : 0);
}

static bool hifn_ring_room(struct hifn_ring *ring, u32 n)
{
	return ring->used + n <= ring->size;
}

static void hifn_cmd_reserve(struct hifn_dev *hd, struct hifn_cmd *cmd)
{
	struct hifn_rings *r = &hd->rings;

	r->ring[HIFN_RING_CMD].used++;
	r->ring[HIFN_RING_RES].used++;
	r->ring[HIFN_RING_SRC].used += cmd->nsrc;
	r->ring[HIFN_RING_DST].used += cmd->ndst;
	cmd->epoch = r->epoch;
}

static void hifn_cmd_unreserve(struct hifn_dev *hd, struct hifn_cmd *cmd)
{
	struct hifn_rings *r = &hd->rings;

	/* A reset since emptied the rings: nothing to give back. */
	if (cmd->epoch != r->epoch)
		return;
	r->ring[HIFN_RING_CMD].used--;
	r->ring[HIFN_RING_RES].used--;
	r->ring[HIFN_RING_SRC].used -= cmd->nsrc;
	r->ring[HIFN_RING_DST].used -= cmd->ndst;
}

/**
 * hifn_cmd_get() - take a command, a data buffer and ring room for a request
 * @hd: the chip
 * @len: bytes the chip will read; at most HIFN_MAX_LEN
 *
 * Context: under @hd->lock.
 * Return: the command, with its buffer and descriptor counts set, or NULL
 * when the chip is full (the caller answers -EBUSY).
 */
struct hifn_cmd *hifn_cmd_get(struct hifn_dev *hd, u32 len)
{
	struct hifn_rings *r = &hd->rings;
	u32 brk = READ_ONCE(hifn_test_break);
	u32 dlen = round_up(len, 4);
	struct hifn_buf *big = NULL;
	struct hifn_cmd *cmd;
	u32 room;

	lockdep_assert_held(&hd->lock);
	if ((brk & HIFN_BREAK_SHORT_DST) && dlen >= 8)
		dlen -= 4;
	if (list_empty(&r->free) ||
	    !hifn_ring_room(&r->ring[HIFN_RING_SRC], hifn_segs(len, brk)) ||
	    !hifn_ring_room(&r->ring[HIFN_RING_DST], hifn_segs(dlen + 4, brk)))
		return NULL;
	if (dlen > HIFN_SMALL_BUF) {
		big = list_first_entry_or_null(&r->big_free, struct hifn_buf, node);
		if (!big)
			return NULL;
		list_del(&big->node);
	}
	cmd = list_first_entry(&r->free, struct hifn_cmd, node);
	list_del_init(&cmd->node);
	cmd->big = big;
	if (big) {
		cmd->buf = big->cpu;
		cmd->buf_dma = big->dma;
		room = HIFN_BIG_BUF - dlen;
	} else {
		cmd->buf = r->small[cmd->idx].cpu;
		cmd->buf_dma = r->small[cmd->idx].dma;
		room = HIFN_SMALL_BUF - dlen;
	}
	/* The breaks that need room past the data have it, or stay off. */
	if (room < 8)
		brk &= ~(HIFN_BREAK_MISALIGN | HIFN_BREAK_DST_TOTAL);
	if (brk & HIFN_BREAK_MISALIGN) {
		cmd->buf += 2;
		cmd->buf_dma += 2;
	}
	cmd->brk = brk;
	cmd->len = len;
	cmd->dlen = dlen;
	cmd->nsrc = hifn_segs(len, brk);
	cmd->ndst = hifn_segs(hifn_dst_bytes(cmd), brk);
	cmd->retries = 0;
	hifn_cmd_reserve(hd, cmd);
	return cmd;
}

/**
 * hifn_cmd_release() - give a command back, unposted or reaped
 * @hd: the chip
 * @cmd: the command
 * @reaped: the chip is done with it (hifn_ring_reap() gave its room back)
 *
 * Context: under @hd->lock.
 */
void hifn_cmd_release(struct hifn_dev *hd, struct hifn_cmd *cmd, bool reaped)
{
	lockdep_assert_held(&hd->lock);
	if (!reaped)
		hifn_cmd_unreserve(hd, cmd);
	if (cmd->big)
		list_add(&cmd->big->node, &hd->rings.big_free);
	cmd->big = NULL;
	cmd->req = NULL;
	cmd->ses = NULL;
	list_add(&cmd->node, &hd->rings.free);
}

/* Puts one descriptor on @id, wrapping first when at the end; returns its slot. */
static u32 hifn_ring_put(struct hifn_dev *hd, enum hifn_ring_id id, dma_addr_t p, u32 l)
{
	struct hifn_ring *ring = &hd->rings.ring[id];
	u32 slot;

	if (ring->next == ring->size) {
		/* The chip clears VALID when it follows the jump: arm it again. */
		ring->d[ring->size].p = cpu_to_le32(ring->base);
		dma_wmb();
		ring->d[ring->size].l = cpu_to_le32(HIFN_D_VALID | HIFN_D_JUMP |
						    HIFN_D_MASKDONEIRQ);
		ring->next = 0;
	}
	slot = ring->next++;
	ring->d[slot].p = cpu_to_le32(p);
	/* The chip may read the descriptor as soon as VALID shows. */
	dma_wmb();
	ring->d[slot].l = cpu_to_le32(l | HIFN_D_VALID);
	return slot;
}

/*
 * Data descriptors for [addr, addr + len), source or destination: as many
 * as hifn_segs() said. Return: the first one's slot.
 */
static u8 hifn_ring_put_data(struct hifn_dev *hd, enum hifn_ring_id id, dma_addr_t addr, u32 len,
			     u32 brk)
{
	u32 n, slot = U32_MAX, s;

	do {
		n = min_t(u32, len, HIFN_SEG_MAX);
		if ((brk & HIFN_BREAK_ODD_SEG) && slot == U32_MAX && len > 2)
			n = 2;
		len -= n;
		s = hifn_ring_put(hd, id, addr, n | HIFN_D_MASKDONEIRQ | (len ? 0 : HIFN_D_LAST));
		if (slot == U32_MAX)
			slot = s;
		addr += n;
	} while (len);
	return slot;
}

/**
 * hifn_ring_repost() - put a command back after a reset emptied the rings
 * @hd: the chip
 * @cmd: a command from hifn_rings_reset()
 *
 * Context: under @hd->lock. The rings have room: everything requeued was in
 * flight together before the reset.
 */
void hifn_ring_repost(struct hifn_dev *hd, struct hifn_cmd *cmd)
{
	lockdep_assert_held(&hd->lock);
	hifn_cmd_reserve(hd, cmd);
	hifn_ring_post(hd, cmd);
}

/**
 * hifn_ring_post() - hand a built command to the chip
 * @hd: the chip
 * @cmd: from hifn_cmd_get(), its command buffer and data filled in
 *
 * Data and result descriptors go first and the command last, so the chip
 * never meets a command whose data is not there yet. The caller rings the
 * doorbell.
 *
 * Context: under @hd->lock, state RUNNING (or the owner during a reset).
 */
void hifn_ring_post(struct hifn_dev *hd, struct hifn_cmd *cmd)
{
	struct hifn_dma *dma = hd->rings.dma;

	lockdep_assert_held(&hd->lock);
	cmd->slot[HIFN_RING_SRC] = hifn_ring_put_data(hd, HIFN_RING_SRC, cmd->buf_dma, cmd->len,
						      cmd->brk);
	cmd->slot[HIFN_RING_DST] = hifn_ring_put_data(hd, HIFN_RING_DST, cmd->buf_dma,
						      hifn_dst_bytes(cmd), cmd->brk);
	memset(dma->result_bufs[cmd->idx], 0, HIFN_MAX_RESULT);
	cmd->res = hifn_ring_put(hd, HIFN_RING_RES, hifn_dma_addr(hd, dma->result_bufs[cmd->idx]),
				 (cmd->brk & HIFN_BREAK_SHORT_RESULT ? 16 : HIFN_MAX_RESULT) |
				 HIFN_D_LAST);
	cmd->slot[HIFN_RING_RES] = cmd->res;
	cmd->slot[HIFN_RING_CMD] = hifn_ring_put(hd, HIFN_RING_CMD,
						 hifn_dma_addr(hd, dma->command_bufs[cmd->idx]),
						 cmd->cmdlen | HIFN_D_LAST | HIFN_D_MASKDONEIRQ);
	list_add_tail(&cmd->node, &hd->rings.active);
}

/*
 * Enables the four rings if they are idle (disabled). An enabled ring is
 * polled by the chip for new descriptors: the references write a ring's
 * enable bits only when it is idle, and so does this.
 */
void hifn_ring_doorbell(struct hifn_dev *hd)
{
	lockdep_assert_held(&hd->lock);
	if (hd->rings.enabled)
		return;
	hifn_write_1(hd, HIFN_1_DMA_CSR, HIFN_DMACSR_ALL_ENA);
	hd->rings.enabled = true;
}

/* Whether the chip consumed all @n descriptors of ring @id from @slot on. */
static bool hifn_ring_consumed(struct hifn_dev *hd, enum hifn_ring_id id, u32 slot, u32 n)
{
	const struct hifn_ring *ring = &hd->rings.ring[id];

	while (n--) {
		if (le32_to_cpu(READ_ONCE(ring->d[slot].l)) & HIFN_D_VALID)
			return false;
		if (++slot == ring->size)
			slot = 0;
	}
	return true;
}

/* Whether a command whose result came back left its rings as posted. */
static bool hifn_cmd_in_step(struct hifn_dev *hd, const struct hifn_cmd *cmd)
{
	const struct hifn_base_result *res = (const void *)hd->rings.dma->result_bufs[cmd->idx];

	return hifn_ring_consumed(hd, HIFN_RING_CMD, cmd->slot[HIFN_RING_CMD], 1) &&
	       hifn_ring_consumed(hd, HIFN_RING_SRC, cmd->slot[HIFN_RING_SRC], cmd->nsrc) &&
	       hifn_ring_consumed(hd, HIFN_RING_DST, cmd->slot[HIFN_RING_DST], cmd->ndst) &&
	       !(le16_to_cpu(res->flags) & HIFN_BASE_RES_DSTOVERRUN);
}

/**
 * hifn_ring_reap() - collect the commands the chip has finished
 * @hd: the chip
 * @done: receives them, oldest first; their ring room is given back
 *
 * A finished command whose descriptors the chip did not all consume, or
 * whose destination overran, stays: the chip is reset (when RUNNING) and
 * it and everything after it are posted again.
 * Context: under @hd->lock.
 */
void hifn_ring_reap(struct hifn_dev *hd, struct list_head *done)
{
	struct hifn_rings *r = &hd->rings;
	struct hifn_cmd *cmd, *tmp;

	lockdep_assert_held(&hd->lock);
	list_for_each_entry_safe(cmd, tmp, &r->active, node) {
		if (le32_to_cpu(READ_ONCE(r->dma->resr[cmd->res].l)) & HIFN_D_VALID)
			break;
		/* Read the result and the other rings only after seeing VALID clear. */
		dma_rmb();
		if (!hifn_cmd_in_step(hd, cmd)) {
			dev_warn_ratelimited(hd->dev, "%s: a command left descriptors unconsumed or overran\n",
					     hd->name);
			hifn_kick_recovery(hd, HIFN_RECOVER_OVERRUN);
			break;
		}
		hifn_cmd_unreserve(hd, cmd);
		list_move_tail(&cmd->node, done);
	}
}

/**
 * hifn_ring_idle_off() - disable the rings when nothing is in flight
 * @hd: the chip
 *
 * Context: under @hd->lock, state RUNNING.
 * Return: whether there was nothing in flight.
 */
bool hifn_ring_idle_off(struct hifn_dev *hd)
{
	lockdep_assert_held(&hd->lock);
	if (!list_empty(&hd->rings.active) || hd->rings.ring[HIFN_RING_CMD].used)
		return false;
	if (hd->rings.enabled)
		hifn_write_1(hd, HIFN_1_DMA_CSR, HIFN_DMACSR_ALL_DIS);
	hd->rings.enabled = false;
	return true;
}

/**
 * hifn_ring_ram_op() - write or read 8 bytes of context RAM (attach only)
 * @hd: the chip, state INIT (no interrupts, nothing else in flight)
 * @masks: HIFN_BASE_CMD_RAM_WRITE or HIFN_BASE_CMD_RAM_READ
 * @addr: the RAM address
 * @wdata: 8 bytes to write
 * @rdata: 8 bytes read
 *
 * A base-only command: session_num carries addr >> 14 and one count the low
 * 14 bits (the source count for a read, the destination count for a write).
 * Return: 0, or -ETIMEDOUT when the chip did not answer within HIFN_RAM_OP_MS.
 */
int hifn_ring_ram_op(struct hifn_dev *hd, u16 masks, u32 addr, const u8 *wdata, u8 *rdata)
{
	const u32 flags = HIFN_D_LAST | HIFN_D_MASKDONEIRQ;
	struct hifn_dma *dma = hd->rings.dma;
	struct hifn_base_cmd *bc = (void *)dma->command_bufs[0];
	bool write = masks == HIFN_BASE_CMD_RAM_WRITE;
	unsigned long deadline;
	u32 res, busy;

	memset(bc, 0, HIFN_MAX_COMMAND);
	bc->masks = cpu_to_le16(masks);
	bc->session_num = cpu_to_le16(addr >> 14);
	if (write) {
		bc->total_source_count = cpu_to_le16(8);
		bc->total_dest_count = cpu_to_le16(addr & 0x3fff);
		memcpy(dma->test_src, wdata, 8);
	} else {
		bc->total_source_count = cpu_to_le16(addr & 0x3fff);
		bc->total_dest_count = cpu_to_le16(8);
		memset(dma->test_src, 0, 8);
	}
	memset(dma->test_dst, 0, 8);
	hifn_ring_put(hd, HIFN_RING_SRC, hifn_dma_addr(hd, dma->test_src), 8 | flags);
	hifn_ring_put(hd, HIFN_RING_DST, hifn_dma_addr(hd, dma->test_dst), (write ? 4 : 8) | flags);
	res = hifn_ring_put(hd, HIFN_RING_RES, hifn_dma_addr(hd, dma->result_bufs[0]),
			    (write ? 4 : HIFN_MAX_RESULT) | flags);
	/* A write carries 8 zero bytes after the base command, a read none. */
	hifn_ring_put(hd, HIFN_RING_CMD, hifn_dma_addr(hd, bc), (write ? 16 : 8) | flags);
	hifn_write_1(hd, HIFN_1_DMA_CSR, HIFN_DMACSR_ALL_ENA);

	/*
	 * The BSD drivers poll 10000 times 10 us; by the clock, and longer,
	 * so that a busy emulated host does not fail the probe.
	 */
	deadline = jiffies + msecs_to_jiffies(HIFN_RAM_OP_MS);
	while ((busy = le32_to_cpu(READ_ONCE(dma->resr[res].l)) & HIFN_D_VALID) &&
	       time_before(jiffies, deadline))
		usleep_range(10, 20);
	if (busy)
		busy = le32_to_cpu(READ_ONCE(dma->resr[res].l)) & HIFN_D_VALID;
	hifn_write_1(hd, HIFN_1_DMA_CSR, HIFN_DMACSR_ALL_DIS);
	if (busy)
		return -ETIMEDOUT;
	dma_rmb();
	if (rdata)
		memcpy(rdata, dma->test_dst, 8);
	return 0;
}
