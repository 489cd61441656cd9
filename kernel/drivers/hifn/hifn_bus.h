/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the Hifn driver core needs from the bus that carries the chip. The
 * PCI glue (pci.c) is one implementation and the chip model (model*.c)
 * another: the core cannot tell them apart.
 *
 * - Registers: 32-bit reads and writes at offsets in BAR0 or BAR1. The core
 *   applies the 7811's write erratum itself.
 * - DMA: the core uses the DMA API on @dev (which must have a 32-bit mask)
 *   and hands the chip the bus addresses the DMA API returns.
 * - Interrupts: the core's handler is wired to the chip's interrupt line and
 *   called in hard interrupt context.
 */
#ifndef _HIFN_BUS_H
#define _HIFN_BUS_H

#include <linux/device.h>
#include <linux/interrupt.h>
#include <linux/types.h>

/* The parts the core knows; the bus says which one it carries. */
enum hifn_chip {
	HIFN_CHIP_7751,
	HIFN_CHIP_7811,
	HIFN_CHIP_7951,
	HIFN_CHIP_7955,
	HIFN_CHIP_7956,
	HIFN_CHIP_COUNT
};

struct hifn_bus;

/**
 * struct hifn_bus_ops - register, interrupt and identity callbacks
 * @read: read the register at @off of BAR @bar (0 or 1); any context
 * @write: write it; any context
 * @request_irq: wire @handler(irq, @data) to the chip's interrupt; may sleep
 * @free_irq: unwire it; on return the handler no longer runs; may sleep
 * @post_reset: optional: redo bus settings a chip reset may have undone
 *	(PCI: the TRDY and retry timeouts); may sleep
 */
struct hifn_bus_ops {
	u32 (*read)(struct hifn_bus *bus, unsigned int bar, u32 off);
	void (*write)(struct hifn_bus *bus, unsigned int bar, u32 off, u32 val);
	int (*request_irq)(struct hifn_bus *bus, irq_handler_t handler, void *data);
	void (*free_irq)(struct hifn_bus *bus, void *data);
	void (*post_reset)(struct hifn_bus *bus);
};

/* struct hifn_bus.quirks */
#define HIFN_QUIRK_HALF_RAM	BIT(0)	/* NetSec 7751 rev A: two address lines float */

/**
 * struct hifn_bus - one chip as its bus presents it
 * @ops: the callbacks
 * @dev: the device for the DMA API and for messages
 * @chip: which part
 * @quirks: HIFN_QUIRK_*
 * @rng_quality: the hwrng quality to claim (entropy bits per 1024 bits);
 *	0 leaves the hwrng core's default
 */
struct hifn_bus {
	const struct hifn_bus_ops *ops;
	struct device *dev;
	enum hifn_chip chip;
	u32 quirks;
	u16 rng_quality;
};

struct hifn_dev;

struct hifn_dev *hifn_attach(struct hifn_bus *bus);
void hifn_detach(struct hifn_dev *hd);
const char *hifn_name(const struct hifn_dev *hd);

#endif /* _HIFN_BUS_H */
