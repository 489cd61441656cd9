/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the ubsec driver core needs from the bus that carries the chip: the
 * PCI glue (pci.c) is one, the chip model (model.c) the other, and the
 * core cannot tell them apart (as struct hifn_bus for the Hifn).
 *
 * - Registers: 32-bit reads and writes at offsets in the one BAR.
 * - DMA: the core uses the DMA API on @dev (32-bit mask) and gives the chip
 *   the bus addresses it returns.
 * - Interrupts: the core's handler is called in hard interrupt context.
 */
#ifndef _UBSEC_BUS_H
#define _UBSEC_BUS_H

#include <linux/device.h>
#include <linux/interrupt.h>
#include <linux/types.h>

/* The parts, in the order of the core's feature table */
enum ubsec_chip {
	UBSEC_CHIP_5801,
	UBSEC_CHIP_5802,
	UBSEC_CHIP_5805,
	UBSEC_CHIP_5820,
	UBSEC_CHIP_5821,
	UBSEC_CHIP_5822,
	UBSEC_CHIP_5823,
	UBSEC_CHIP_5825,
	UBSEC_CHIP_5501,
	UBSEC_CHIP_5601,
	UBSEC_CHIP_SUN_5821,
	UBSEC_CHIP_SUN_SCA1K,
	UBSEC_CHIP_COUNT
};

struct ubsec_bus;

/**
 * struct ubsec_bus_ops - register and interrupt callbacks
 * @read: read the register at @off; any context
 * @write: write it; any context
 * @request_irq: wire @handler(irq, @data) to the chip's interrupt; may sleep
 * @free_irq: unwire it; on return the handler no longer runs; may sleep
 * @quiesce: optional; stop the chip's bus mastering when it seems gone, before
 *	the buffers it was given are freed; may sleep
 */
struct ubsec_bus_ops {
	u32 (*read)(struct ubsec_bus *bus, u32 off);
	void (*write)(struct ubsec_bus *bus, u32 off, u32 val);
	int (*request_irq)(struct ubsec_bus *bus, irq_handler_t handler, void *data);
	void (*free_irq)(struct ubsec_bus *bus, void *data);
	void (*quiesce)(struct ubsec_bus *bus);
};

/**
 * struct ubsec_bus - one chip as its bus presents it
 * @ops: the callbacks
 * @dev: the device for the DMA API and for messages
 * @chip: which part
 * @modelled: the chip model; the tests' wrong-driver switches (test_break)
 *	act only on it, since some of them hang real silicon
 */
struct ubsec_bus {
	const struct ubsec_bus_ops *ops;
	struct device *dev;
	enum ubsec_chip chip;
	bool modelled;
};

struct ubsec_dev;

struct ubsec_dev *ubsec_attach(struct ubsec_bus *bus);
void ubsec_detach(struct ubsec_dev *ud);
const char *ubsec_name(const struct ubsec_dev *ud);

#endif /* _UBSEC_BUS_H */
