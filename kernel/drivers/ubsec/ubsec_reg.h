/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Broadcom/BlueSteel ubsec (5801-5825, 5501, 5601): registers, MCRs,
 * packet and key contexts, from reference/hardware.md section 3.2 (facts
 * read from FreeBSD 9's and NetBSD's ubsec drivers). The driver and the
 * chip model both follow this file. Everything the chip reads or writes in
 * host memory is little-endian (the driver sets CTRL.BE32|BE64, which the
 * BSD headers call UBS_CTRL_LITTLE_ENDIAN).
 */
#ifndef _UBSEC_REG_H
#define _UBSEC_REG_H

#include <linux/bits.h>
#include <linux/types.h>

/* PCI ids */
#define UBSEC_VENDOR_BROADCOM	0x14e4
#define UBSEC_VENDOR_BLUESTEEL	0x15ab
#define UBSEC_VENDOR_SUN	0x108e
#define UBSEC_DEVICE_5501	0x0000	/* Bluesteel */
#define UBSEC_DEVICE_5601	0x5601	/* Bluesteel */
#define UBSEC_DEVICE_SUN_5821	0x5454	/* Sun */
#define UBSEC_DEVICE_SUN_SCA1K	0x5455	/* Sun */

/* One BAR (config 0x10) */
#define UBSEC_MCR1		0x00	/* symmetric packets */
#define UBSEC_CTRL		0x04
#define UBSEC_STAT		0x08
#define UBSEC_ERR		0x0c
#define UBSEC_MCR2		0x10	/* key operations, RNG */
#define UBSEC_BAR_USED		0x14

#define UBSEC_CTRL_RESET	0x80000000	/* 5805/5820 */
#define UBSEC_CTRL_MCR2INT	0x40000000
#define UBSEC_CTRL_MCR1INT	0x20000000
#define UBSEC_CTRL_OFM		0x10000000
#define UBSEC_CTRL_BE32		0x08000000
#define UBSEC_CTRL_BE64		0x04000000
#define UBSEC_CTRL_LITTLE_ENDIAN (UBSEC_CTRL_BE32 | UBSEC_CTRL_BE64)
#define UBSEC_CTRL_DMAERR	0x02000000
#define UBSEC_CTRL_RNG		0x01800000
#define UBSEC_CTRL_SWNORM	0x00400000	/* 582x: operands arrive normalized */
#define UBSEC_CTRL_BSIZE240	0x000f0000
#define UBSEC_CTRL_FRAG		0x0000ffff

#define UBSEC_STAT_MCR1_BUSY	0x80000000
#define UBSEC_STAT_MCR1_FULL	0x40000000
#define UBSEC_STAT_MCR1_DONE	0x20000000
#define UBSEC_STAT_DMAERR	0x10000000
#define UBSEC_STAT_MCR2_FULL	0x08000000
#define UBSEC_STAT_MCR2_DONE	0x04000000
#define UBSEC_STAT_MCR1_ALLEMPTY 0x02000000	/* 5821+ */
#define UBSEC_STAT_MCR2_ALLEMPTY 0x01000000	/* 5821+ */

#define UBSEC_ERR_ADDR		0xfffffffc
#define UBSEC_ERR_READ		0x00000002

/* Reset pulse: CTRL.RESET, then 10 us */
#define UBSEC_RESET_US		10

/* Packets the BSD drivers put in one MCR1 at most (FB9 UBS_MAX_AGGR) */
#define UBSEC_MAX_AGGR		5
/* The longest data segment (FB9: longer is EIO) */
#define UBSEC_MAX_SEG		0xfffc

/* A data buffer descriptor: @next chains another one (0 ends) */
struct ubsec_pktbuf {
	__le32 addr;
	__le32 next;
	__le32 len;		/* UBSEC_PKTBUF_LEN */
} __packed;
#define UBSEC_PKTBUF_LEN	0xffff

/* One packet of an MCR after the first (FB9 struct ubsec_mcr_add) */
struct ubsec_mcr_add {
	__le32 cmdctxp;
	struct ubsec_pktbuf in;
	__le16 rsvd;
	__le16 pktlen;
	struct ubsec_pktbuf out;
} __packed;

/* Master command record, 36 bytes, then @pkts - 1 struct ubsec_mcr_add */
struct ubsec_mcr {
	__le16 pkts;
	__le16 flags;
	struct ubsec_mcr_add p[];
} __packed;

#define UBSEC_MCR_DONE		0x0001
#define UBSEC_MCR_ERROR		0x0002
#define UBSEC_MCR_ERRCODE	0xff00

/* Packet context flags */
#define UBSEC_PKTCTX_ENC	0x8000
#define UBSEC_PKTCTX_INBOUND	0x4000
#define UBSEC_PKTCTX_AUTH_SHA1	0x2000
#define UBSEC_PKTCTX_AUTH_MD5	0x1000
#define UBSEC_PKTCTX_AUTH	(UBSEC_PKTCTX_AUTH_SHA1 | UBSEC_PKTCTX_AUTH_MD5)
#define UBSEC_PKTCTX_CTR	0x0400
#define UBSEC_PKTCTX_KEY192	0x0100
#define UBSEC_PKTCTX_KEY256	0x0200

/* Short packet context (5801/5802/5805, 5501/5601), 76 bytes */
struct ubsec_pktctx_short {
	__le32 deskey[6];
	__le32 hminner[5];
	__le32 hmouter[5];
	__le32 iv[2];
	__le16 flags;
	__le16 offset;		/* (enc skip - MAC skip) / 4 */
} __packed;

/* Long packet context (LONGCTX): header, then 3DES or AES */
struct ubsec_pktctx_hdr {
	__le16 len;
	__le16 type;
	__le16 flags;
	__le16 offset;
} __packed;

#define UBSEC_PKTCTX_TYPE_3DES	0x0000
#define UBSEC_PKTCTX_TYPE_AES	0x0040

struct ubsec_pktctx_3des {
	struct ubsec_pktctx_hdr hdr;
	__le32 deskey[6];
	__le32 iv[2];
	__le32 hminner[5];
	__le32 hmouter[5];
} __packed;				/* 80 bytes */

/* AES: the key's words, then the IV and the HMAC states */
struct ubsec_pktctx_aes {
	struct ubsec_pktctx_hdr hdr;
	__le32 words[8 + 4 + 5 + 5];	/* key (4/6/8), iv[4], hminner[5], hmouter[5] */
} __packed;
#define UBSEC_PKTCTX_AES_LEN(keywords)	(8 + 4 * ((keywords) + 4 + 5 + 5))

#define UBSEC_PKTCTX_MAX	sizeof(struct ubsec_pktctx_aes)

/* HMAC results land here, chained after the last output buffer */
#define UBSEC_MAC_BUF		20

/* Key contexts (MCR2): header, then the operation's */
struct ubsec_keyctx_hdr {
	__le16 len;
	__le16 op;
} __packed;

#define UBSEC_KOP_DHPKGEN	0x01
#define UBSEC_KOP_DHSSGEN	0x02
#define UBSEC_KOP_RSAPUB	0x03
#define UBSEC_KOP_RSAPRIV	0x04
#define UBSEC_KOP_DSASIGN	0x05
#define UBSEC_KOP_DSAVRFY	0x06
#define UBSEC_KOP_RNGBYPASS	0x41
#define UBSEC_KOP_RNGSHA1	0x42
#define UBSEC_KOP_MODADD	0x43
#define UBSEC_KOP_MODSUB	0x44
#define UBSEC_KOP_MODMUL	0x45
#define UBSEC_KOP_MODRED	0x46
#define UBSEC_KOP_MODEXP	0x47
#define UBSEC_KOP_MODINV	0x48

/* Modulus sizes: the normalized widths, BIGKEY parts add the last two */
#define UBSEC_NORMBITS_MAX	1024
#define UBSEC_NORMBITS_BIG	2048

/*
 * MODEXP: len = normbits / 8 + 8. Input chain: M (normbits / 8 bytes),
 * then E; output: C (normbits / 8 bytes, 4-byte aligned: a misaligned
 * output "hangs the chip"). Bignums are little-endian byte strings.
 */
struct ubsec_keyctx_modexp {
	struct ubsec_keyctx_hdr hdr;
	__le16 e_len;		/* bits */
	__le16 n_len;		/* bits */
	u8 n[UBSEC_NORMBITS_BIG / 8];
} __packed;

/*
 * RSAPRIV (CRT): len = 8 + 5 * padlen / 8; p, q, dp, dq, pinv (q^-1 mod p,
 * OCF's qinv) at padlen / 8 bytes each. Input: the message, 2 * padlen bits;
 * output the same size.
 */
struct ubsec_keyctx_rsapriv {
	struct ubsec_keyctx_hdr hdr;
	__le16 q_len;		/* bits, = padlen */
	__le16 p_len;		/* bits, = padlen */
	u8 buf[5 * UBSEC_NORMBITS_BIG / 2 / 8];
} __packed;

/*
 * RNGBYPASS: a context of 64 bytes (the header and padding: FB9's struct
 * ubsec_ctx_rngbypass), no input, 16 words of random output.
 */
struct ubsec_keyctx_rng {
	struct ubsec_keyctx_hdr hdr;
	u8 pad[60];
} __packed;
#define UBSEC_RNG_BYTES		64

#define UBSEC_KEYCTX_MAX	sizeof(struct ubsec_keyctx_rsapriv)

/*
 * 580x bignum normalization: operands are little-endian byte strings
 * shifted left so that the modulus' top bit is the width's, and results
 * shifted back. @a is @width bytes, shifted in place by @shift bits.
 */
static inline void ubsec_le_shl(u8 *a, u32 width, u32 shift)
{
	u32 q = shift / 8, r = shift % 8;
	int i;

	for (i = width - 1; i >= 0; i--) {
		u32 lo = i >= q ? a[i - q] : 0;
		u32 lo2 = i >= q + 1 ? a[i - q - 1] : 0;

		a[i] = r ? (lo << r) | (lo2 >> (8 - r)) : lo;
	}
}

static inline void ubsec_le_shr(u8 *a, u32 width, u32 shift)
{
	u32 q = shift / 8, r = shift % 8, i;

	for (i = 0; i < width; i++) {
		u32 hi = i + q < width ? a[i + q] : 0;
		u32 hi2 = i + q + 1 < width ? a[i + q + 1] : 0;

		a[i] = r ? (hi >> r) | (hi2 << (8 - r)) : hi;
	}
}

#endif /* _UBSEC_REG_H */
