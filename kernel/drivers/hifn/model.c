// SPDX-License-Identifier: GPL-2.0
/*
 * Hifn chip model: emulated 7751, 7811, 7951, 7955 and 7956 chips that the
 * Hifn driver core (ocf_hifn.ko) drives exactly as it drives a PCI card,
 * through struct hifn_bus. Each instance is a platform device (for the DMA
 * API, with a 32-bit mask), a register file (model_regs.c) and an engine
 * thread (model_engine.c) that does the real transforms with the Linux
 * crypto API and then waits out the modelled time.
 *
 * Parameters pick the parts, their number, speed and RNG; debugfs
 * (/sys/kernel/debug/hifn_model/) adds and removes instances at run time,
 * shows each one's state and injects faults:
 *   new                 write a part name ("7811"): a new instance
 *   remove              write an instance number: detach it cleanly
 *   N/state             registers, unlock, counters (key=value lines)
 *   N/abort_next        DMA abort on the next N commands
 *   N/stall_next        hang on the next N commands (no completion)
 *   N/corrupt_next      reject the next N commands as invalid (CMDINVAL)
 *   N/overrun_next      overrun the next N destinations (descriptors left)
 *   N/unlock_rounds     signatures the next unlock needs
 *   N/surprise_remove   write 1: the card is pulled out; reads are all ones
 *   N/rate_<alg>        this instance's rated throughput, Mbit/s (0: the
 *                       module parameter's, else the part's)
 *
 * Rated speeds: hardware.md gives the 7751's: 3DES 83 Mbit/s, and 62 Mbit/s
 * for 3DES and SHA1 together (hence SHA1 at 245 Mbit/s when the engines run
 * one after the other). It says DES is faster on the 7751 and 7811 without a
 * figure: the model takes three times 3DES. MD5 is taken as fast as SHA1,
 * AES as 3DES, and the other parts as the 7751. All can be overridden.
 */

#include <crypto/hash.h>
#include <crypto/skcipher.h>
#include <linux/debugfs.h>
#include <linux/dma-mapping.h>
#include <linux/err.h>
#include <linux/iommu.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/vmalloc.h>

#include "model.h"

#define HM_MAX_INSTANCES	16
#define HM_RATES_7751		{ [HM_DES] = 249, [HM_3DES] = 83, [HM_AES] = 83, \
				  [HM_MD5] = 245, [HM_SHA1] = 245 }

#define HM_F_795X		(HM_F_RNG_795X | HM_F_PUB | HM_F_CNFG2)

static const struct hm_variant hm_variants[] = {
	{ "7751", HIFN_CHIP_7751, 0, 1, false, 128, false, HM_RATES_7751 },
	{ "7811", HIFN_CHIP_7811, HM_F_ERRATA | HM_F_RNG_7811, 1, true, 1024, false,
	  HM_RATES_7751 },
	{ "7951", HIFN_CHIP_7951, HM_F_795X, 1, false, 128, false, HM_RATES_7751 },
	{ "7955", HIFN_CHIP_7955, HM_F_795X | HM_F_AES | HM_F_PLL, 1, true, 32, true,
	  HM_RATES_7751 },
	{ "7956", HIFN_CHIP_7956, HM_F_795X | HM_F_AES | HM_F_PLL, 1, true, 32, true,
	  HM_RATES_7751 },
};

static unsigned int instances = 1;
module_param(instances, uint, 0444);
MODULE_PARM_DESC(instances, "chips to create at load (0-16)");

static char *variant = "7751";
module_param(variant, charp, 0444);
MODULE_PARM_DESC(variant, "part of every instance: 7751, 7811, 7951, 7955 or 7956");

static char *variants = "";
module_param(variants, charp, 0444);
MODULE_PARM_DESC(variants, "parts per instance, '/'-separated (7751/7811/7955); sets instances");

unsigned int hm_time_scale = 1;
module_param_named(time_scale, hm_time_scale, uint, 0644);
MODULE_PARM_DESC(time_scale, "stretch modelled time by this factor (a slow emulated CPU)");

unsigned int hm_latency_us = 10;
module_param_named(latency_us, hm_latency_us, uint, 0644);
MODULE_PARM_DESC(latency_us, "modelled time per command besides its bytes (us)");

static unsigned int rate_des, rate_3des, rate_aes, rate_md5, rate_sha1;
module_param(rate_des, uint, 0644);
MODULE_PARM_DESC(rate_des, "DES throughput, Mbit/s (0: the part's)");
module_param(rate_3des, uint, 0644);
MODULE_PARM_DESC(rate_3des, "3DES throughput, Mbit/s (0: the part's: 83 for the 7751)");
module_param(rate_aes, uint, 0644);
MODULE_PARM_DESC(rate_aes, "AES throughput, Mbit/s (0: the part's)");
module_param(rate_md5, uint, 0644);
MODULE_PARM_DESC(rate_md5, "MD5 throughput, Mbit/s (0: the part's)");
module_param(rate_sha1, uint, 0644);
MODULE_PARM_DESC(rate_sha1, "SHA1 throughput, Mbit/s (0: the part's)");

unsigned int hm_poll_ms = 10;
module_param_named(poll_ms, hm_poll_ms, uint, 0644);
MODULE_PARM_DESC(poll_ms, "how often enabled rings are polled for new descriptors (ms; 0: never)");

bool hm_preunlocked;
module_param_named(preunlocked, hm_preunlocked, bool, 0644);
MODULE_PARM_DESC(preunlocked, "chips created from now on come up unlocked already (a second unlock kills them)");

unsigned int hm_unlock_rounds = HIFN_UNLOCK_ROUNDS;
module_param_named(unlock_rounds, hm_unlock_rounds, uint, 0644);
MODULE_PARM_DESC(unlock_rounds,
		 "signatures that unlock chips created from now on (13, as the BSD drivers; Linux's hifn_795x wrote 12)");

unsigned int hm_unlock_level = 2;
module_param_named(unlock_level, hm_unlock_level, uint, 0644);
MODULE_PARM_DESC(unlock_level, "what unlocking enables in chips created from now on: 1 (DES, MD5, SHA1) or 2 (and 3DES, AES)");

bool hm_rng_test;
module_param_named(rng_test, hm_rng_test, bool, 0644);
MODULE_PARM_DESC(rng_test, "RNG gives a checkable pattern instead of random words");

unsigned int hm_ext_mhz = 66;
module_param_named(ext_mhz, hm_ext_mhz, uint, 0644);
MODULE_PARM_DESC(ext_mhz, "7955/7956: the board's external PLL reference clock, MHz");

unsigned int hm_poll_us = 50;
module_param_named(poll_us, hm_poll_us, uint, 0644);
MODULE_PARM_DESC(poll_us, "first poll of enabled rings after the engine goes idle (us); doubles up to poll_ms");

unsigned int hm_pustat_locked = HIFN_PUSTAT_ENA_0;
module_param_named(pustat_locked, hm_pustat_locked, uint, 0644);
MODULE_PARM_DESC(pustat_locked, "what PUSTAT's enable level reads on a locked chip created from now on (0x3000)");

bool hm_pucnfg_readback;
module_param_named(pucnfg_readback, hm_pucnfg_readback, bool, 0644);
MODULE_PARM_DESC(pucnfg_readback, "PUCNFG reads back what was written (ENCCNFG too) besides the straps; the context size follows");

bool hm_reset_relocks;
module_param_named(reset_relocks, hm_reset_relocks, bool, 0644);
MODULE_PARM_DESC(reset_relocks, "a master reset locks the crypto engines again");

const char *const hm_rule_names[HM_RULES] = {
	[HM_V_ALIGN] = "align", [HM_V_SEG] = "seg", [HM_V_TOTALS] = "totals",
	[HM_V_RESULT] = "result", [HM_V_SESSION] = "session", [HM_V_PLL] = "pll",
	[HM_V_RESET] = "reset_pulse", [HM_V_UNLOCK] = "unlock_spacing",
	[HM_V_RING_BASE] = "ring_base", [HM_V_RNG] = "rng_rate",
};

static LIST_HEAD(hm_instances);		/* under hm_instances_lock */
static unsigned int hm_next_index;	/* under hm_instances_lock */
static DEFINE_MUTEX(hm_instances_lock);
static struct dentry *hm_debugfs;

u32 hm_rate(const struct hifn_model *m, enum hm_engine e)
{
	static const unsigned int *const params[HM_ENGINES] = {
		[HM_DES] = &rate_des, [HM_3DES] = &rate_3des, [HM_AES] = &rate_aes,
		[HM_MD5] = &rate_md5, [HM_SHA1] = &rate_sha1,
	};
	u32 v = READ_ONCE(m->rate[e]) ?: READ_ONCE(*params[e]);

	return v ?: m->v->rate[e];
}

static const struct hm_variant *hm_variant_find(const char *name)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(hm_variants); i++)
		if (sysfs_streq(name, hm_variants[i].name))
			return &hm_variants[i];
	return NULL;
}

/* ---- debugfs -------------------------------------------------------------------- */

static int hm_state_show(struct seq_file *s, void *unused)
{
	struct hifn_model *m = s->private;
	unsigned long flags;
	unsigned int i;
	u32 total;

	seq_printf(s, "variant=%s\n", m->v->name);
	seq_printf(s, "producer=%s\n", m->hd ? hifn_name(m->hd) : "");
	spin_lock_irqsave(&m->lock, flags);
	seq_printf(s, "unlocked=%d\nlevel=%#x\ndead=%d\nunlock_writes=%u\n", m->unlocked,
		   m->unlocked ? m->level : 0, m->dead, m->unlock_writes);
	seq_printf(s, "errata_violations=%u\n", m->errata_violations);
	seq_printf(s, "pll=%#x\npe_clock=%s\n", m->pll,
		   hm_pe_clock_divisor(m) == 1 ? "full" : "slow");
	seq_printf(s, "ram=%s\nram_kb=%u\nram_ops=%llu\n", m->v->dram ? "dram" : "sram",
		   m->v->ram_kb, m->ram_ops);
	seq_printf(s, "rate_des=%u\nrate_3des=%u\nrate_aes=%u\nrate_md5=%u\nrate_sha1=%u\n",
		   hm_rate(m, HM_DES), hm_rate(m, HM_3DES), hm_rate(m, HM_AES),
		   hm_rate(m, HM_MD5), hm_rate(m, HM_SHA1));
	seq_printf(s, "commands=%llu\nbytes=%llu\n", m->commands, m->bytes);
	seq_printf(s, "irqs=%llu\nirqs_unhandled=%llu\n", m->irqs, m->irqs_unhandled);
	seq_printf(s, "aborts=%u\nstalls=%u\nrejects=%u\nresets=%u\n", m->aborts, m->stalls,
		   m->rejects, m->resets);
	seq_printf(s, "rng_enabled=%d\nrng_words=%u\nrng_stale=%u\n", m->rng_ena, m->rng_count,
		   m->rng_stale);
	seq_printf(s, "halted=%d\nremoved=%d\n", m->halted, m->removed);
	seq_printf(s, "overruns=%u\nctx_capacity=%u\nreenables=%u\n", m->overruns,
		   hm_ctx_capacity(m), m->reenables);
	for (i = 0, total = 0; i < HM_RULES; i++) {
		seq_printf(s, "v_%s=%u\n", hm_rule_names[i], m->violations[i]);
		total += m->violations[i];
	}
	seq_printf(s, "violations=%u\n", total);
	seq_printf(s, "dma_cnfg=%#x\ndma_csr_status=%#x\ndma_ier=%#x\npuisr=%#x\n", m->dma_cnfg,
		   m->csr, m->ier, m->puisr);
	spin_unlock_irqrestore(&m->lock, flags);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(hm_state);

static ssize_t hm_remove_card(struct file *file, const char __user *buf, size_t len,
			      loff_t *ppos)
{
	struct hifn_model *m = file->private_data;
	unsigned long flags;
	bool yes;
	int ret;

	ret = kstrtobool_from_user(buf, len, &yes);
	if (ret)
		return ret;
	if (yes) {
		spin_lock_irqsave(&m->lock, flags);
		m->removed = true;
		spin_unlock_irqrestore(&m->lock, flags);
		hm_kick(m);
	}
	return len;
}

static const struct file_operations hm_remove_card_fops = {
	.owner = THIS_MODULE,
	.open = simple_open,
	.write = hm_remove_card,
	.llseek = noop_llseek,
};

static void hm_debugfs_add(struct hifn_model *m)
{
	char name[16];

	snprintf(name, sizeof(name), "%u", m->index);
	m->dir = debugfs_create_dir(name, hm_debugfs);
	debugfs_create_file("state", 0444, m->dir, m, &hm_state_fops);
	debugfs_create_atomic_t("abort_next", 0644, m->dir, &m->abort_next);
	debugfs_create_atomic_t("stall_next", 0644, m->dir, &m->stall_next);
	debugfs_create_atomic_t("corrupt_next", 0644, m->dir, &m->corrupt_next);
	debugfs_create_atomic_t("overrun_next", 0644, m->dir, &m->overrun_next);
	/* Signatures the next unlock needs (a chip that will not unlock again) */
	debugfs_create_u32("unlock_rounds", 0644, m->dir, &m->unlock_rounds);
	debugfs_create_file("surprise_remove", 0200, m->dir, m, &hm_remove_card_fops);
	/* This instance's rated throughput, Mbit/s; 0: the module parameter's */
	debugfs_create_u32("rate_des", 0644, m->dir, &m->rate[HM_DES]);
	debugfs_create_u32("rate_3des", 0644, m->dir, &m->rate[HM_3DES]);
	debugfs_create_u32("rate_aes", 0644, m->dir, &m->rate[HM_AES]);
	debugfs_create_u32("rate_md5", 0644, m->dir, &m->rate[HM_MD5]);
	debugfs_create_u32("rate_sha1", 0644, m->dir, &m->rate[HM_SHA1]);
}

/* ---- Instances ------------------------------------------------------------------- */

static const char *const hm_cipher_names[] = { "cbc(des)", "cbc(des3_ede)", "cbc(aes)" };
static const char *const hm_hash_names[] = { "md5", "sha1", "hmac(md5)", "hmac(sha1)" };

static void hm_free(struct hifn_model *m)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(m->cipher); i++)
		if (!IS_ERR_OR_NULL(m->cipher[i]))
			crypto_free_sync_skcipher(m->cipher[i]);
	for (i = 0; i < ARRAY_SIZE(m->hash); i++)
		if (!IS_ERR_OR_NULL(m->hash[i]))
			crypto_free_shash(m->hash[i]);
	vfree(m->ctx);
	vfree(m->ram);
	kfree(m->work);
	if (m->pdev)
		platform_device_unregister(m->pdev);
	kfree(m);
}

static int hm_alloc_crypto(struct hifn_model *m)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(m->cipher); i++) {
		if (i == 2 && !(m->v->flags & HM_F_AES))
			continue;
		m->cipher[i] = crypto_alloc_sync_skcipher(hm_cipher_names[i], 0, 0);
		if (IS_ERR(m->cipher[i]))
			return PTR_ERR(m->cipher[i]);
	}
	for (i = 0; i < ARRAY_SIZE(m->hash); i++) {
		m->hash[i] = crypto_alloc_shash(hm_hash_names[i], 0, 0);
		if (IS_ERR(m->hash[i]))
			return PTR_ERR(m->hash[i]);
	}
	return 0;
}

static struct hifn_model *hm_alloc(const struct hm_variant *v, unsigned int index)
{
	struct platform_device_info info = {
		.name = "hifn_model",
		.id = index,
		.dma_mask = DMA_BIT_MASK(32),
	};
	struct hifn_model *m;
	int ret;

	m = kzalloc(sizeof(*m), GFP_KERNEL);
	if (!m)
		return ERR_PTR(-ENOMEM);
	m->v = v;
	m->index = index;
	spin_lock_init(&m->lock);
	init_waitqueue_head(&m->wq);
	init_irq_work(&m->irq_work, hm_irq_work);
	INIT_LIST_HEAD(&m->node);

	m->pdev = platform_device_register_full(&info);
	if (IS_ERR(m->pdev)) {
		ret = PTR_ERR(m->pdev);
		m->pdev = NULL;
		goto err_free;
	}
	/* The model reads host memory by bus address: that needs dma-direct. */
	if (device_iommu_mapped(&m->pdev->dev)) {
		ret = -ENODEV;
		goto err_free;
	}
	ret = -ENOMEM;
	m->work = kmalloc(HIFN_MAX_DMALEN + 1, GFP_KERNEL);
	m->ram_size = min_t(u32, v->ram_kb, 1024) * 1024;
	m->ram = vzalloc(m->ram_size);
	m->ctx = vzalloc(array_size(HM_CTX_SLOTS, sizeof(*m->ctx)));
	if (!m->work || !m->ram || !m->ctx)
		goto err_free;
	ret = hm_alloc_crypto(m);
	if (ret)
		goto err_free;
	hm_power_on(m);

	m->bus.ops = &hm_bus_ops;
	m->bus.dev = &m->pdev->dev;
	m->bus.chip = v->chip;
	/* A test pattern is no entropy: claim next to none. */
	m->bus.rng_quality = hm_rng_test ? 1 : 0;
	return m;

err_free:
	hm_free(m);
	return ERR_PTR(ret);
}

/* Creates an instance and attaches the driver core to it. */
static int hm_create(const struct hm_variant *v)
{
	struct hifn_model *m;
	struct hifn_dev *hd;
	int ret;

	lockdep_assert_held(&hm_instances_lock);
	if (list_count_nodes(&hm_instances) >= HM_MAX_INSTANCES)
		return -ENOSPC;
	m = hm_alloc(v, hm_next_index);
	if (IS_ERR(m))
		return PTR_ERR(m);
	ret = hm_engine_start(m);
	if (ret)
		goto err_free;
	hm_debugfs_add(m);
	hd = hifn_attach(&m->bus);
	if (IS_ERR(hd)) {
		ret = PTR_ERR(hd);
		goto err_remove_debugfs;
	}
	m->hd = hd;
	hm_next_index++;
	list_add_tail(&m->node, &hm_instances);
	dev_info(&m->pdev->dev, "model %u: Hifn %s as %s\n", m->index, v->name, hifn_name(hd));
	return 0;

err_remove_debugfs:
	debugfs_remove_recursive(m->dir);
	hm_engine_stop(m);
err_free:
	hm_free(m);
	return ret;
}

static void hm_destroy(struct hifn_model *m)
{
	lockdep_assert_held(&hm_instances_lock);
	list_del(&m->node);
	hifn_detach(m->hd);
	debugfs_remove_recursive(m->dir);
	hm_engine_stop(m);
	hm_free(m);
}

static ssize_t hm_new_write(struct file *file, const char __user *ubuf, size_t len, loff_t *ppos)
{
	const struct hm_variant *v;
	char buf[16];
	int ret;

	if (len >= sizeof(buf))
		return -EINVAL;
	if (copy_from_user(buf, ubuf, len))
		return -EFAULT;
	buf[len] = 0;
	v = hm_variant_find(buf);
	if (!v)
		return -EINVAL;
	mutex_lock(&hm_instances_lock);
	ret = hm_create(v);
	mutex_unlock(&hm_instances_lock);
	return ret ?: len;
}

static const struct file_operations hm_new_fops = {
	.owner = THIS_MODULE,
	.write = hm_new_write,
	.llseek = noop_llseek,
};

static ssize_t hm_remove_write(struct file *file, const char __user *ubuf, size_t len,
			       loff_t *ppos)
{
	struct hifn_model *m, *found = NULL;
	unsigned int index;
	int ret;

	ret = kstrtouint_from_user(ubuf, len, 0, &index);
	if (ret)
		return ret;
	mutex_lock(&hm_instances_lock);
	list_for_each_entry(m, &hm_instances, node)
		if (m->index == index)
			found = m;
	if (found)
		hm_destroy(found);
	mutex_unlock(&hm_instances_lock);
	return found ? len : -ENOENT;
}

static const struct file_operations hm_remove_fops = {
	.owner = THIS_MODULE,
	.write = hm_remove_write,
	.llseek = noop_llseek,
};

static void hm_destroy_all(void)
{
	struct hifn_model *m, *tmp;

	mutex_lock(&hm_instances_lock);
	list_for_each_entry_safe_reverse(m, tmp, &hm_instances, node)
		hm_destroy(m);
	mutex_unlock(&hm_instances_lock);
}

/* The parts to create at load: variants=A/B/C, else instances x variant. */
static int hm_create_initial(void)
{
	const struct hm_variant *v;
	char *list, *cur, *name;
	unsigned int i;
	int ret = 0;

	if (!variants[0]) {
		v = hm_variant_find(variant);
		if (!v || instances > HM_MAX_INSTANCES)
			return -EINVAL;
		for (i = 0; i < instances && !ret; i++)
			ret = hm_create(v);
		return ret;
	}
	list = kstrdup(variants, GFP_KERNEL);
	if (!list)
		return -ENOMEM;
	cur = list;
	while (!ret && (name = strsep(&cur, "/+"))) {
		v = hm_variant_find(name);
		ret = v ? hm_create(v) : -EINVAL;
	}
	kfree(list);
	return ret;
}

static int __init hm_init(void)
{
	int ret;

	hm_debugfs = debugfs_create_dir("hifn_model", NULL);
	debugfs_create_file("new", 0200, hm_debugfs, NULL, &hm_new_fops);
	debugfs_create_file("remove", 0200, hm_debugfs, NULL, &hm_remove_fops);
	mutex_lock(&hm_instances_lock);
	ret = hm_create_initial();
	mutex_unlock(&hm_instances_lock);
	if (ret) {
		hm_destroy_all();
		debugfs_remove_recursive(hm_debugfs);
	}
	return ret;
}

static void __exit hm_exit(void)
{
	hm_destroy_all();
	debugfs_remove_recursive(hm_debugfs);
}

module_init(hm_init);
module_exit(hm_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Hifn 7751/7811/795x chip model for the OCF Hifn driver");
MODULE_AUTHOR("OCF for Linux developers");
