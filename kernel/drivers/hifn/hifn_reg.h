/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Hifn 7751/7811/7951/7955/7956: registers, descriptors and command formats,
 * as docs/reference hardware.md gives them (read from the BSD drivers, which
 * serve as the data sheet). The driver and the chip model both use this
 * header: it holds facts about the chip, no code.
 */
#ifndef _HIFN_REG_H
#define _HIFN_REG_H

#include <linux/bits.h>
#include <linux/types.h>

/* ---- PCI ------------------------------------------------------------------ */

#define HIFN_VENDOR_HIFN	0x13a3
#define HIFN_DEVICE_7751	0x0005
#define HIFN_DEVICE_7811	0x0007
#define HIFN_DEVICE_7951	0x0012
#define HIFN_DEVICE_7955	0x0020	/* also sold as the 7954 */
#define HIFN_DEVICE_7956	0x001d
#define HIFN_VENDOR_INVERTEX	0x14e1
#define HIFN_DEVICE_AEON	0x0005	/* a 7751 */
#define HIFN_VENDOR_NETSEC	0x1660
#define HIFN_DEVICE_NETSEC_7751	0x7751

#define HIFN_PCI_TRDY_TIMEOUT	0x40	/* config space, byte */
#define HIFN_PCI_RETRY_TIMEOUT	0x41	/* config space, byte */

/* ---- BAR0: the processing unit ---------------------------------------------- */

#define HIFN_0_PUDATA		0x00
#define HIFN_0_PUCTRL		0x04
#define HIFN_0_PUISR		0x08
#define HIFN_0_PUCNFG		0x0c
#define HIFN_0_PUIER		0x10
#define HIFN_0_PUSTAT		0x14
#define HIFN_0_FIFOSTAT		0x18
#define HIFN_0_FIFOCNFG		0x1c
#define HIFN_0_PUCTRL2		0x28	/* 7955/7956: resets go here */
/* The end of the highest BAR0 register the driver touches (PUCTRL2) */
#define HIFN_BAR0_USED		(HIFN_0_PUCTRL2 + 4)

/* PUCTRL, PUCTRL2 */
#define HIFN_PUCTRL_RESET	BIT(0)
#define HIFN_PUCTRL_DMAENA	BIT(1)
#define HIFN_PUCTRL_LOCKRAM	BIT(2)
#define HIFN_PUCTRL_STOP	BIT(3)
#define HIFN_PUCTRL_CLRSRCFIFO	BIT(4)

/* PUISR, PUIER and the low bits of PUSTAT */
#define HIFN_PUI_CMDINVAL	0x8000
#define HIFN_PUI_DATAERR	0x4000
#define HIFN_PUI_SRCFIFO	0x2000
#define HIFN_PUI_DSTFIFO	0x1000
#define HIFN_PUI_DSTOVER	0x0200
#define HIFN_PUI_SRCCMD		0x0080
#define HIFN_PUI_SRCCTX		0x0040
#define HIFN_PUI_SRCDATA	0x0020
#define HIFN_PUI_DSTDATA	0x0010
#define HIFN_PUI_DSTRESULT	0x0004

/* PUSTAT, readable only while PUCNFG.CHIPID is set */
#define HIFN_PUSTAT_CHIPREV	0x00ff
#define HIFN_PUSTAT_CHIPENA	0xff00
#define HIFN_PUSTAT_ENA_1	0x1000	/* MD5, SHA1, their HMACs, DES */
#define HIFN_PUSTAT_ENA_2	0x1100	/* and 3DES, ARC4, AES (795x) */
/* What a locked chip reports (the BSD drivers' ENA_0); not in hardware.md. */
#define HIFN_PUSTAT_ENA_0	0x3000

/* PUCNFG */
#define HIFN_PUCNFG_DRAMMASK	0xe000	/* DRAM size: 1 << (field + 18) bytes */
#define HIFN_PUCNFG_DSZ_SHIFT	13
#define HIFN_PUCNFG_DRFR_128	0x1000	/* refresh; field 0x1800 */
#define HIFN_PUCNFG_DRFR_MASK	0x1800
#define HIFN_PUCNFG_TCALLPHASES	0x0200
#define HIFN_PUCNFG_TCDRVTOTEM	0x0100
#define HIFN_PUCNFG_BIGENDIAN	0x0080
#define HIFN_PUCNFG_BUS32	0x0040
#define HIFN_PUCNFG_CHIPID	0x0020
#define HIFN_PUCNFG_DRAM	0x0010	/* clear: SRAM */
#define HIFN_PUCNFG_COMPSING	0x0004
#define HIFN_PUCNFG_ENCCNFG	0x0002	/* context size 128 (set) or 512 */

#define HIFN_FIFOCNFG_THRESHOLD	0x400

/* ---- BAR1: the DMA unit ------------------------------------------------------ */

#define HIFN_1_DMA_CRAR		0x0c	/* command ring base */
#define HIFN_1_DMA_SRAR		0x1c	/* source ring base */
#define HIFN_1_DMA_RRAR		0x2c	/* result ring base */
#define HIFN_1_DMA_DRAR		0x3c	/* destination ring base */
#define HIFN_1_DMA_CSR		0x40
#define HIFN_1_DMA_IER		0x44
#define HIFN_1_DMA_CNFG		0x48
#define HIFN_1_PLL		0x4c	/* 7955/7956 */
#define HIFN_1_7811_RNGENA	0x60
#define HIFN_1_7811_RNGCFG	0x64
#define HIFN_1_7811_RNGDAT	0x68
#define HIFN_1_7811_RNGSTS	0x6c
#define HIFN_1_DMA_CNFG2	0x6c	/* 795x: same offset as the 7811's RNGSTS */
#define HIFN_1_7811_MIPSRST	0x94
#define HIFN_1_REVID		0x98
#define HIFN_1_UNLOCK_SECRET1	0xf4
#define HIFN_1_UNLOCK_SECRET2	0xfc
#define HIFN_1_PUB_RESET	0x204
#define HIFN_1_PUB_BASE		0x300
#define HIFN_1_PUB_OPLEN	0x304
#define HIFN_1_PUB_OP		0x308
#define HIFN_1_PUB_STATUS	0x30c
#define HIFN_1_PUB_IEN		0x310
#define HIFN_1_RNG_CONFIG	0x314
#define HIFN_1_RNG_DATA		0x318
#define HIFN_1_PUB_MODE		0x320
#define HIFN_1_PUB_FIFO_OPLEN	0x380
#define HIFN_1_PUB_FIFO_OP	0x384
#define HIFN_1_PUB_MEM		0x400	/* to 0xbff */
/* The end of the highest BAR1 register the driver touches, without and with PK */
#define HIFN_BAR1_USED		(HIFN_1_UNLOCK_SECRET2 + 4)
#define HIFN_BAR1_USED_PUB	(HIFN_1_RNG_DATA + 4)

/*
 * DMA_CSR: a 2-bit control field per ring (written: NOP 0, DIS 1, ENA 2)
 * and write-1-to-clear status bits. DMA_IER uses the status bit positions.
 */
#define HIFN_DMACSR_D_CTRL_MASK	0xc0000000
#define HIFN_DMACSR_D_CTRL_DIS	0x40000000
#define HIFN_DMACSR_D_CTRL_ENA	0x80000000
#define HIFN_DMACSR_D_ABORT	0x20000000
#define HIFN_DMACSR_D_DONE	0x10000000
#define HIFN_DMACSR_D_LAST	0x08000000
#define HIFN_DMACSR_D_WAIT	0x04000000
#define HIFN_DMACSR_D_OVER	0x02000000
#define HIFN_DMACSR_R_CTRL_MASK	0x00c00000
#define HIFN_DMACSR_R_CTRL_DIS	0x00400000
#define HIFN_DMACSR_R_CTRL_ENA	0x00800000
#define HIFN_DMACSR_R_ABORT	0x00200000
#define HIFN_DMACSR_R_DONE	0x00100000
#define HIFN_DMACSR_R_LAST	0x00080000
#define HIFN_DMACSR_R_WAIT	0x00040000
#define HIFN_DMACSR_R_OVER	0x00020000
#define HIFN_DMACSR_S_CTRL_MASK	0x0000c000
#define HIFN_DMACSR_S_CTRL_DIS	0x00004000
#define HIFN_DMACSR_S_CTRL_ENA	0x00008000
#define HIFN_DMACSR_S_ABORT	0x00002000
#define HIFN_DMACSR_S_DONE	0x00001000
#define HIFN_DMACSR_S_LAST	0x00000800
#define HIFN_DMACSR_S_WAIT	0x00000400
#define HIFN_DMACSR_ILLW	0x00000200	/* 7811 */
#define HIFN_DMACSR_ILLR	0x00000100	/* 7811 */
#define HIFN_DMACSR_C_CTRL_MASK	0x000000c0
#define HIFN_DMACSR_C_CTRL_DIS	0x00000040
#define HIFN_DMACSR_C_CTRL_ENA	0x00000080
#define HIFN_DMACSR_C_ABORT	0x00000020
#define HIFN_DMACSR_C_DONE	0x00000010
#define HIFN_DMACSR_C_LAST	0x00000008
#define HIFN_DMACSR_C_WAIT	0x00000004
#define HIFN_DMACSR_PUBDONE	0x00000002
#define HIFN_DMACSR_ENGINE	0x00000001	/* PUISR & PUIER */

#define HIFN_DMACSR_CTRL_MASK	(HIFN_DMACSR_D_CTRL_MASK | HIFN_DMACSR_R_CTRL_MASK | \
				 HIFN_DMACSR_S_CTRL_MASK | HIFN_DMACSR_C_CTRL_MASK)
#define HIFN_DMACSR_ALL_ENA	(HIFN_DMACSR_D_CTRL_ENA | HIFN_DMACSR_R_CTRL_ENA | \
				 HIFN_DMACSR_S_CTRL_ENA | HIFN_DMACSR_C_CTRL_ENA)
#define HIFN_DMACSR_ALL_DIS	(HIFN_DMACSR_D_CTRL_DIS | HIFN_DMACSR_R_CTRL_DIS | \
				 HIFN_DMACSR_S_CTRL_DIS | HIFN_DMACSR_C_CTRL_DIS)
#define HIFN_DMACSR_ABORTS	(HIFN_DMACSR_D_ABORT | HIFN_DMACSR_R_ABORT | \
				 HIFN_DMACSR_S_ABORT | HIFN_DMACSR_C_ABORT)
#define HIFN_DMACSR_STATUS	(~HIFN_DMACSR_CTRL_MASK)

/* DMA_CNFG; both reset bits are active low */
#define HIFN_DMACNFG_BIGENDIAN	0x10000000
#define HIFN_DMACNFG_POLLFREQ	0x00ff0000
#define HIFN_DMACNFG_UNLOCK	0x00000800
#define HIFN_DMACNFG_POLLINVAL	0x00000700
#define HIFN_DMACNFG_LAST	0x00000010
#define HIFN_DMACNFG_MODE	0x00000004
#define HIFN_DMACNFG_DMARESET	0x00000002	/* 0: DMA unit held in reset */
#define HIFN_DMACNFG_MSTRESET	0x00000001	/* 0: whole chip held in reset */

/* DMA_CNFG2 (795x): burst sizes; no PK/BAR0 byte swaps (bits 19-16) */
#define HIFN_DMACNFG2_INIT_WRITE_BURST_SHIFT	12
#define HIFN_DMACNFG2_INIT_READ_BURST_SHIFT	8
#define HIFN_DMACNFG2_TGT_WRITE_BURST_SHIFT	4
#define HIFN_DMACNFG2_TGT_READ_BURST_SHIFT	0
#define HIFN_DMACNFG2_INIT	((3 << HIFN_DMACNFG2_INIT_WRITE_BURST_SHIFT) | \
				 (3 << HIFN_DMACNFG2_INIT_READ_BURST_SHIFT) | \
				 (2 << HIFN_DMACNFG2_TGT_WRITE_BURST_SHIFT) | \
				 (2 << HIFN_DMACNFG2_TGT_READ_BURST_SHIFT))

/* PLL (7955/7956) */
#define HIFN_PLL_REF_SEL	0x00001		/* 1: external reference clock */
#define HIFN_PLL_BP		0x00002		/* bypass */
#define HIFN_PLL_PK_CLK_SEL	0x00008		/* 1: PK engine on the PLL */
#define HIFN_PLL_PE_CLK_SEL	0x00010		/* 1: packet engine on the PLL */
#define HIFN_PLL_MBSET		0x00400		/* must be 1 */
#define HIFN_PLL_ND		0x03800		/* multiplier: ND = mult / 2 - 1 */
#define HIFN_PLL_ND_SHIFT	11
#define HIFN_PLL_IS		0x10000		/* set for mult > 8 */
#define HIFN_PLL_CONFIG		(HIFN_PLL_IS | HIFN_PLL_ND | HIFN_PLL_REF_SEL)
#define HIFN_PLL_FCK_MAX	266		/* MHz: the PLL's highest output */
#define HIFN_PLL_REF_MIN	20		/* MHz: the reference clock's range */
#define HIFN_PLL_REF_MAX	100
#define HIFN_PCI_CLOCK_HZ	33000000	/* PK clock without the PLL */
/* Linux hifn_795x's 7955/7956 PUCNFG: ENCCNFG, TCALLPHASES, TCDRVTOTEM, BUS32, bit 16 */
#define HIFN_PUCNFG_795X_LINUX	0x10342

/* 7811 RNG and MIPS reset */
#define HIFN_7811_RNGENA_ENA	BIT(0)
#define HIFN_7811_RNGCFG_DEFL	0xf80
#define HIFN_7811_RNGSTS_RDY	0x4000		/* two words in the FIFO */
#define HIFN_7811_RNGSTS_UFL	0x1000		/* underflow */
#define HIFN_MIPSRST_CRAMINIT	0x4000		/* context RAM initialised */

/* Public key unit and the 795x RNG */
#define HIFN_PUBRST_RESET	BIT(0)
#define HIFN_RNGCFG_ENA		BIT(0)
#define HIFN_PUBSTS_DONE	BIT(0)
#define HIFN_PUBIEN_DONE	BIT(0)
/* The 795x RNG needs this many PK clocks between reads (LNX). */
#define HIFN_RNG_CLOCKS		256

/* ---- Unlock ------------------------------------------------------------------ */

/*
 * The unlock handshake writes this many signatures to UNLOCK_SECRET2. The BSD
 * drivers do 13 (i = 0..12), Linux's hifn_795x did 12; this driver and its
 * chip model follow the BSD drivers, the majority and the older code of
 * record, and a test pins it (tests/vm/hifn_chip.cpp).
 */
#define HIFN_UNLOCK_ROUNDS	13
/* Each round advances the signature this many steps (card_id[i], all 0, + 0x101). */
#define HIFN_UNLOCK_STEPS	0x101
#define HIFN_UNLOCK_TAPS	0x80080125

/* ---- Descriptors and rings ------------------------------------------------------ */

struct hifn_desc {
	__le32 l;
	__le32 p;
};

#define HIFN_D_LENGTH		0x0000ffff
#define HIFN_D_NOINVALID	0x01000000	/* LNX only; unused */
#define HIFN_D_MASKDONEIRQ	0x02000000
#define HIFN_D_DESTOVER		0x04000000
#define HIFN_D_OVER		0x08000000
#define HIFN_D_LAST		0x20000000
#define HIFN_D_JUMP		0x40000000
#define HIFN_D_VALID		0x80000000

/* Ring sizes (FB9); each ring has one more slot, the jump back to its base. */
#define HIFN_D_CMD_RSIZE	24
#define HIFN_D_SRC_RSIZE	84
#define HIFN_D_DST_RSIZE	84
#define HIFN_D_RES_RSIZE	24

/* Largest command: base + mac + crypt + MAC key + RC4 key and pad. */
#define HIFN_MAX_COMMAND	(8 + 8 + 8 + 64 + 260)
#define HIFN_MAX_RESULT		40
/* Bytes one request may carry: the 18-bit counts of the base command. */
#define HIFN_MAX_DMALEN		0x3ffff

/* ---- Commands ------------------------------------------------------------------- */

struct hifn_base_cmd {
	__le16 masks;
	__le16 session_num;
	__le16 total_source_count;
	__le16 total_dest_count;
};

/* The mac, crypt and comp sub-commands share this layout. */
struct hifn_sub_cmd {
	__le16 masks;
	__le16 header_skip;
	__le16 source_count;
	__le16 reserved;
};

/* Base command masks */
#define HIFN_BASE_CMD_COMP	0x0100
#define HIFN_BASE_CMD_PAD	0x0200
#define HIFN_BASE_CMD_MAC	0x0400
#define HIFN_BASE_CMD_CRYPT	0x0800
#define HIFN_BASE_CMD_DECODE	0x2000
/* RAM access at attach: 3 << 13 writes, 2 << 13 reads context RAM */
#define HIFN_BASE_CMD_RAM_MASK	0x6000
#define HIFN_BASE_CMD_RAM_WRITE	(3 << 13)
#define HIFN_BASE_CMD_RAM_READ	(2 << 13)
/* session_num: bits 17:16 of the source and destination counts */
#define HIFN_BASE_CMD_SRCLEN_M	0xc000
#define HIFN_BASE_CMD_SRCLEN_S	14
#define HIFN_BASE_CMD_DSTLEN_M	0x3000
#define HIFN_BASE_CMD_DSTLEN_S	12
#define HIFN_BASE_CMD_SESSION	0x0fff
#define HIFN_BASE_CMD_LENMASK_LO 0xffff

/* Sub-command masks: bits 17:16 of the sub-command's source count */
#define HIFN_SUB_CMD_SRCLEN_M	0xc000
#define HIFN_SUB_CMD_SRCLEN_S	14

/* Crypt sub-command */
#define HIFN_CRYPT_CMD_ALG_MASK	0x0003
#define HIFN_CRYPT_CMD_ALG_DES	0x0000
#define HIFN_CRYPT_CMD_ALG_3DES	0x0001
#define HIFN_CRYPT_CMD_ALG_RC4	0x0002
#define HIFN_CRYPT_CMD_ALG_AES	0x0003
#define HIFN_CRYPT_CMD_MODE_MASK 0x0018
#define HIFN_CRYPT_CMD_MODE_ECB	0x0000
#define HIFN_CRYPT_CMD_MODE_CBC	0x0008
#define HIFN_CRYPT_CMD_MODE_CFB	0x0010
#define HIFN_CRYPT_CMD_MODE_OFB	0x0018
#define HIFN_CRYPT_CMD_CLR_CTX	0x0040
#define HIFN_CRYPT_CMD_KSZ_MASK	0x0600
#define HIFN_CRYPT_CMD_KSZ_128	0x0000
#define HIFN_CRYPT_CMD_KSZ_192	0x0200
#define HIFN_CRYPT_CMD_KSZ_256	0x0400
#define HIFN_CRYPT_CMD_NEW_KEY	0x0800
#define HIFN_CRYPT_CMD_NEW_IV	0x1000

/* MAC sub-command */
#define HIFN_MAC_CMD_ALG_MASK	0x0001
#define HIFN_MAC_CMD_ALG_SHA1	0x0000
#define HIFN_MAC_CMD_ALG_MD5	0x0001
#define HIFN_MAC_CMD_MODE_MASK	0x000c
#define HIFN_MAC_CMD_MODE_HMAC	0x0000
#define HIFN_MAC_CMD_MODE_SSL	0x0004
#define HIFN_MAC_CMD_MODE_HASH	0x0008
#define HIFN_MAC_CMD_TRUNC	0x0010
#define HIFN_MAC_CMD_RESULT	0x0020
#define HIFN_MAC_CMD_APPEND	0x0040
#define HIFN_MAC_CMD_POS_IPSEC	0x0200
#define HIFN_MAC_CMD_NEW_KEY	0x0800

/* Key and IV sizes in the command buffer */
#define HIFN_MAC_KEY_LENGTH	64
#define HIFN_DES_KEY_LENGTH	8
#define HIFN_3DES_KEY_LENGTH	24
#define HIFN_IV_LENGTH		8
#define HIFN_AES_IV_LENGTH	16
#define HIFN_MAC_LENGTH_MAX	20	/* SHA1 */
#define HIFN_MAC_TRUNC_LENGTH	12

/* ---- Results ---------------------------------------------------------------------- */

struct hifn_base_result {
	__le16 flags;
	__le16 session;
	__le16 src_cnt;
	__le16 dst_cnt;
};

struct hifn_mac_result {
	__le16 flags;
	__le16 reserved;
	/* the MAC follows */
};

#define HIFN_BASE_RES_DSTOVERRUN	0x0200
#define HIFN_MAC_RES_MISCOMPARE		0x0002
#define HIFN_MAC_RES_SRC_NOTZERO	0x0001
#define HIFN_CRYPT_RES_SRC_NOTZERO	0x0001

/*
 * Without compression the MAC lands 12 bytes into the result buffer: after
 * the base result and the MAC result header. The crypt result follows a
 * 20-byte MAC area (the layout the chip model writes).
 */
#define HIFN_RES_MAC_OFFSET	(sizeof(struct hifn_base_result) + sizeof(struct hifn_mac_result))
#define HIFN_RES_CRYPT_OFFSET	(HIFN_RES_MAC_OFFSET + HIFN_MAC_LENGTH_MAX)

/* ---- Context RAM ------------------------------------------------------------------- */

#define HIFN_SRAM_STEP_SIZE	16384
#define HIFN_SRAM_MAX		(32 << 20)
#define HIFN_7956_CTX_RAM	32768	/* 7955/7956: internal context RAM */
#define HIFN_MAX_SESSIONS	2048

#endif /* _HIFN_REG_H */
