// SPDX-License-Identifier: GPL-2.0
/*
 * Broadcom/BlueSteel ubsec on PCI: the bus glue. It maps the one BAR, sets
 * a 32-bit DMA mask and a cache line size of 1 (FB9: forces bursts), and
 * wires the interrupt; the core does the rest and cannot tell this glue
 * from the chip model's.
 */

#include <linux/dma-mapping.h>
#include <linux/module.h>
#include <linux/pci.h>

#include "core.h"

struct ubsec_pci {
	struct ubsec_bus bus;
	struct pci_dev *pdev;
	void __iomem *regs;
	struct ubsec_dev *ud;
};

static struct ubsec_pci *to_ubsec_pci(struct ubsec_bus *bus)
{
	return container_of(bus, struct ubsec_pci, bus);
}

static u32 ubsec_pci_read(struct ubsec_bus *bus, u32 off)
{
	return readl(to_ubsec_pci(bus)->regs + off);
}

static void ubsec_pci_write(struct ubsec_bus *bus, u32 off, u32 val)
{
	writel(val, to_ubsec_pci(bus)->regs + off);
}

static int ubsec_pci_request_irq(struct ubsec_bus *bus, irq_handler_t handler, void *data)
{
	return request_irq(to_ubsec_pci(bus)->pdev->irq, handler, IRQF_SHARED, KBUILD_MODNAME,
			   data);
}

static void ubsec_pci_free_irq(struct ubsec_bus *bus, void *data)
{
	free_irq(to_ubsec_pci(bus)->pdev->irq, data);
}

static void ubsec_pci_quiesce(struct ubsec_bus *bus)
{
	pci_clear_master(to_ubsec_pci(bus)->pdev);
}

static const struct ubsec_bus_ops ubsec_pci_ops = {
	.read = ubsec_pci_read,
	.write = ubsec_pci_write,
	.request_irq = ubsec_pci_request_irq,
	.free_irq = ubsec_pci_free_irq,
	.quiesce = ubsec_pci_quiesce,
};

static int ubsec_pci_probe(struct pci_dev *pdev, const struct pci_device_id *id)
{
	struct ubsec_pci *up;
	struct ubsec_dev *ud;
	int ret;

	up = devm_kzalloc(&pdev->dev, sizeof(*up), GFP_KERNEL);
	if (!up)
		return -ENOMEM;
	ret = pcim_enable_device(pdev);
	if (ret)
		return ret;
	ret = pcim_iomap_regions(pdev, BIT(0), KBUILD_MODNAME);
	if (ret)
		return ret;
	if (pci_resource_len(pdev, 0) < UBSEC_BAR_USED)
		return -ENODEV;
	up->regs = pcim_iomap_table(pdev)[0];
	ret = dma_set_mask_and_coherent(&pdev->dev, DMA_BIT_MASK(32));
	if (ret)
		return ret;
	pci_set_master(pdev);
	/* FB9: a cache line size of 1 word makes the chip burst. */
	pci_write_config_byte(pdev, PCI_CACHE_LINE_SIZE, 1);

	up->pdev = pdev;
	up->bus.ops = &ubsec_pci_ops;
	up->bus.dev = &pdev->dev;
	up->bus.chip = id->driver_data;
	ud = ubsec_attach(&up->bus);
	if (IS_ERR(ud))
		return PTR_ERR(ud);
	up->ud = ud;
	pci_set_drvdata(pdev, up);
	return 0;
}

static void ubsec_pci_remove(struct pci_dev *pdev)
{
	struct ubsec_pci *up = pci_get_drvdata(pdev);

	ubsec_detach(up->ud);
}

#define UBSEC_BCM(part) \
	{ PCI_DEVICE(UBSEC_VENDOR_BROADCOM, 0x##part), .driver_data = UBSEC_CHIP_##part }

/* Every Broadcom, BlueSteel and Sun ubsec part of hardware.md */
static const struct pci_device_id ubsec_pci_ids[] = {
	UBSEC_BCM(5801), UBSEC_BCM(5802), UBSEC_BCM(5805), UBSEC_BCM(5820),
	UBSEC_BCM(5821), UBSEC_BCM(5822), UBSEC_BCM(5823), UBSEC_BCM(5825),
	{ PCI_DEVICE(UBSEC_VENDOR_BLUESTEEL, UBSEC_DEVICE_5501), .driver_data = UBSEC_CHIP_5501 },
	{ PCI_DEVICE(UBSEC_VENDOR_BLUESTEEL, UBSEC_DEVICE_5601), .driver_data = UBSEC_CHIP_5601 },
	{ PCI_DEVICE(UBSEC_VENDOR_SUN, UBSEC_DEVICE_SUN_5821), .driver_data = UBSEC_CHIP_SUN_5821 },
	{ PCI_DEVICE(UBSEC_VENDOR_SUN, UBSEC_DEVICE_SUN_SCA1K),
	  .driver_data = UBSEC_CHIP_SUN_SCA1K },
	{ }
};
MODULE_DEVICE_TABLE(pci, ubsec_pci_ids);

static struct pci_driver ubsec_pci_driver = {
	.name = KBUILD_MODNAME,
	.id_table = ubsec_pci_ids,
	.probe = ubsec_pci_probe,
	.remove = ubsec_pci_remove,
};

static int __init ubsec_pci_init(void)
{
	int ret;

	ubsec_core_init();
	ret = pci_register_driver(&ubsec_pci_driver);
	if (ret)
		ubsec_core_exit();
	return ret;
}

static void __exit ubsec_pci_exit(void)
{
	pci_unregister_driver(&ubsec_pci_driver);
	ubsec_core_exit();
}

module_init(ubsec_pci_init);
module_exit(ubsec_pci_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("OCF producer for Broadcom/BlueSteel 5801-5825 (ubsec) crypto processors");
MODULE_AUTHOR("OCF for Linux developers");
