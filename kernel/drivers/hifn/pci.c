// SPDX-License-Identifier: GPL-2.0
/*
 * Hifn 7751/7811/7951/7955/7956 on PCI: the bus glue. It maps the two BARs,
 * sets a 32-bit DMA mask, zeroes the TRDY and retry timeouts ("the 7811
 * locks up when forced to retry") and wires the interrupt; the core
 * (core.c) does the rest, and cannot tell this glue from the chip model's.
 */

#include <linux/dma-mapping.h>
#include <linux/module.h>
#include <linux/pci.h>

#include "hifn_bus.h"
#include "hifn_reg.h"

static ushort rng_quality;
module_param(rng_quality, ushort, 0444);
MODULE_PARM_DESC(rng_quality,
		 "entropy per 1024 bits the RNG claims for the hwrng framework (0: its default)");

/**
 * struct hifn_pci - one card
 * @bus: what the core sees
 * @pdev: the PCI device
 * @bar: BAR0 (processing unit) and BAR1 (DMA unit)
 * @hd: the core's device
 */
struct hifn_pci {
	struct hifn_bus bus;
	struct pci_dev *pdev;
	void __iomem *bar[2];
	struct hifn_dev *hd;
};

static struct hifn_pci *to_hifn_pci(struct hifn_bus *bus)
{
	return container_of(bus, struct hifn_pci, bus);
}

static u32 hifn_pci_read(struct hifn_bus *bus, unsigned int bar, u32 off)
{
	return readl(to_hifn_pci(bus)->bar[bar] + off);
}

static void hifn_pci_write(struct hifn_bus *bus, unsigned int bar, u32 off, u32 val)
{
	writel(val, to_hifn_pci(bus)->bar[bar] + off);
}

static int hifn_pci_request_irq(struct hifn_bus *bus, irq_handler_t handler, void *data)
{
	struct pci_dev *pdev = to_hifn_pci(bus)->pdev;

	return request_irq(pdev->irq, handler, IRQF_SHARED, KBUILD_MODNAME, data);
}

static void hifn_pci_free_irq(struct hifn_bus *bus, void *data)
{
	free_irq(to_hifn_pci(bus)->pdev->irq, data);
}

/* Zero TRDY and retry timeouts; the retry register answers byte accesses only. */
static void hifn_pci_post_reset(struct hifn_bus *bus)
{
	struct pci_dev *pdev = to_hifn_pci(bus)->pdev;

	pci_write_config_byte(pdev, HIFN_PCI_RETRY_TIMEOUT, 0);
	pci_write_config_byte(pdev, HIFN_PCI_TRDY_TIMEOUT, 0);
}

static const struct hifn_bus_ops hifn_pci_ops = {
	.read = hifn_pci_read,
	.write = hifn_pci_write,
	.request_irq = hifn_pci_request_irq,
	.free_irq = hifn_pci_free_irq,
	.post_reset = hifn_pci_post_reset,
};

static int hifn_pci_probe(struct pci_dev *pdev, const struct pci_device_id *id)
{
	struct hifn_pci *hp;
	struct hifn_dev *hd;
	u32 bar1;
	int ret;

	hp = devm_kzalloc(&pdev->dev, sizeof(*hp), GFP_KERNEL);
	if (!hp)
		return -ENOMEM;
	ret = pcim_enable_device(pdev);
	if (ret)
		return ret;
	ret = pcim_iomap_regions(pdev, BIT(0) | BIT(1), KBUILD_MODNAME);
	if (ret)
		return ret;
	/* Big enough for the registers used: the BARs' sizes differ between parts. */
	bar1 = id->driver_data == HIFN_CHIP_7951 || id->driver_data == HIFN_CHIP_7955 ||
	       id->driver_data == HIFN_CHIP_7956 ? HIFN_BAR1_USED_PUB : HIFN_BAR1_USED;
	if (pci_resource_len(pdev, 0) < HIFN_BAR0_USED || pci_resource_len(pdev, 1) < bar1) {
		dev_err(&pdev->dev, "BARs too small: %llu and %llu bytes\n",
			(unsigned long long)pci_resource_len(pdev, 0),
			(unsigned long long)pci_resource_len(pdev, 1));
		return -ENODEV;
	}
	hp->bar[0] = pcim_iomap_table(pdev)[0];
	hp->bar[1] = pcim_iomap_table(pdev)[1];
	ret = dma_set_mask_and_coherent(&pdev->dev, DMA_BIT_MASK(32));
	if (ret)
		return ret;
	pci_set_master(pdev);

	hp->pdev = pdev;
	hp->bus.ops = &hifn_pci_ops;
	hp->bus.dev = &pdev->dev;
	hp->bus.chip = id->driver_data;
	hp->bus.rng_quality = rng_quality;
	if (pdev->vendor == HIFN_VENDOR_NETSEC && pdev->revision == 0x61)
		hp->bus.quirks |= HIFN_QUIRK_HALF_RAM;
	hifn_pci_post_reset(&hp->bus);

	hd = hifn_attach(&hp->bus);
	if (IS_ERR(hd))
		return PTR_ERR(hd);
	hp->hd = hd;
	pci_set_drvdata(pdev, hp);
	return 0;
}

static void hifn_pci_remove(struct pci_dev *pdev)
{
	struct hifn_pci *hp = pci_get_drvdata(pdev);

	hifn_detach(hp->hd);
}

/* Every Hifn crypto part of hardware.md; the 6500 is a public-key-only part. */
static const struct pci_device_id hifn_pci_ids[] = {
	{ PCI_DEVICE(HIFN_VENDOR_HIFN, HIFN_DEVICE_7751), .driver_data = HIFN_CHIP_7751 },
	{ PCI_DEVICE(HIFN_VENDOR_HIFN, HIFN_DEVICE_7811), .driver_data = HIFN_CHIP_7811 },
	{ PCI_DEVICE(HIFN_VENDOR_HIFN, HIFN_DEVICE_7951), .driver_data = HIFN_CHIP_7951 },
	{ PCI_DEVICE(HIFN_VENDOR_HIFN, HIFN_DEVICE_7955), .driver_data = HIFN_CHIP_7955 },
	{ PCI_DEVICE(HIFN_VENDOR_HIFN, HIFN_DEVICE_7956), .driver_data = HIFN_CHIP_7956 },
	{ PCI_DEVICE(HIFN_VENDOR_INVERTEX, HIFN_DEVICE_AEON), .driver_data = HIFN_CHIP_7751 },
	{ PCI_DEVICE(HIFN_VENDOR_NETSEC, HIFN_DEVICE_NETSEC_7751), .driver_data = HIFN_CHIP_7751 },
	{ }
};
MODULE_DEVICE_TABLE(pci, hifn_pci_ids);

static struct pci_driver hifn_pci_driver = {
	.name = KBUILD_MODNAME,
	.id_table = hifn_pci_ids,
	.probe = hifn_pci_probe,
	.remove = hifn_pci_remove,
};
module_pci_driver(hifn_pci_driver);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("OCF producer for Hifn 7751/7811/7951/7955/7956 crypto processors");
MODULE_AUTHOR("OCF for Linux developers");
