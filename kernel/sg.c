// SPDX-License-Identifier: GPL-2.0
/*
 * Scatterlist helpers shared by the framework and its producers.
 */

#include <crypto/scatterwalk.h>
#include <linux/export.h>
#include <linux/minmax.h>
#include <linux/ocf.h>

/* A chunk small enough for the stack of a worker. */
#define OCF_SG_CHUNK 256

/**
 * ocf_sg_copy() - copy [offset, offset + len) of @src to the same place in @dst
 * @dst: destination scatterlist
 * @src: source scatterlist
 * @offset: where the range starts in both
 * @len: bytes to copy
 *
 * Each list is walked once (not from its head for every chunk, which made
 * a megabyte cost quadratic time).
 */
void ocf_sg_copy(struct scatterlist *dst, struct scatterlist *src, u32 offset, u32 len)
{
	struct scatterlist src_ffwd[2], dst_ffwd[2];
	struct scatter_walk in, out;
	u8 buf[OCF_SG_CHUNK];
	u32 n;

	if (!len)
		return;
	scatterwalk_start(&in, scatterwalk_ffwd(src_ffwd, src, offset));
	scatterwalk_start(&out, scatterwalk_ffwd(dst_ffwd, dst, offset));
	while (len) {
		n = min_t(u32, len, sizeof(buf));
		scatterwalk_copychunks(buf, &in, n, 0);
		scatterwalk_copychunks(buf, &out, n, 1);
		len -= n;
	}
	scatterwalk_done(&in, 0, 0);
	scatterwalk_done(&out, 1, 0);
	memzero_explicit(buf, sizeof(buf));
}
EXPORT_SYMBOL_GPL(ocf_sg_copy);

/**
 * ocf_sg_zero() - zero [offset, offset + len) of @sg
 * @sg: scatterlist
 * @offset: where the range starts
 * @len: bytes to zero
 */
void ocf_sg_zero(struct scatterlist *sg, u32 offset, u32 len)
{
	static const u8 zeroes[OCF_SG_CHUNK];
	u32 n;

	while (len) {
		n = min_t(u32, len, sizeof(zeroes));
		scatterwalk_map_and_copy((void *)zeroes, sg, offset, n, 1);
		offset += n;
		len -= n;
	}
}
EXPORT_SYMBOL_GPL(ocf_sg_zero);
