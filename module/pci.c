// SPDX-License-Identifier: GPL-2.0
/*
 * pci.c: vmlab's PCI driver and PCI regions: real device memory, a BAR of
 * a device QEMU emulates (ivshmem: shared memory in BAR2, registers in
 * BAR0), offered as VMLAB_REGION_PCI regions.
 *
 * From user space (libvmlab wraps the ioctl):
 *
 *	struct vmlab_region_create rc = { .size = sizeof(rc),
 *		.kind = VMLAB_REGION_PCI, .pci_addr = VMLAB_PCI_ADDR(0, 0, 3, 0),
 *		.bar = 2 };
 *
 *	ioctl(fd, VMLAB_IOC_REGION_CREATE, &rc);	(rc.length: the BAR's)
 *	p = mmap(NULL, rc.length, PROT_READ | PROT_WRITE, MAP_SHARED, fd,
 *		 rc.offset);
 *
 * probe enables the device and claims each BAR it offers (pci_request_region);
 * it never maps a BAR into the kernel: user mappings are PFN maps made at
 * fault time (vm_ops.c), as io_remap_pfn_range() would make them. remove
 * (unbind through sysfs, hot-unplug, module unload) marks the device gone,
 * zaps every mapping of its regions through each region's inode, and only
 * then gives the BARs back; a fault after that gets SIGBUS. The regions
 * stay until destroyed, holding a reference to the device's struct.
 *
 * Caching: a BAR is not RAM, so there is no direct-map alias to change
 * (as DEVICE regions do). On x86 the PTE's memory type comes from the PAT
 * memtype tree at insert time (track_pfn_insert, pfnmap_setup_cachemode):
 * without a reservation a BAR page is UC-, so the first write-combining
 * region of a BAR reserves the whole BAR as WC (arch_io_reserve_memtype_wc,
 * and an MTRR where there is no PAT), freed with the BAR's last WC region
 * or at remove. One memory type per BAR at a time: a region asking another
 * mode while the BAR has regions gets EBUSY.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/io.h>
#include <linux/ioport.h>
#include <linux/kref.h>
#include <linux/list.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/pci.h>
#include <linux/rwsem.h>
#include <linux/slab.h>
#include <linux/vmlab.h>

#include "internal.h"

#define VMLAB_IVSHMEM_VENDOR	0x1af4
#define VMLAB_IVSHMEM_DEVICE	0x1110

/* one BAR of a bound device */
struct vmlab_pci_bar {
	resource_size_t start;
	resource_size_t len;		/* as the device decodes it */
	unsigned long res_flags;	/* IORESOURCE_* */
	bool offered;			/* requested: regions may use it */
	struct resource *page_rest;	/* claimed rest of a sub-page BAR's page */
	/* the fields below are protected by the device's @lock */
	unsigned int nr_regions;	/* regions on it, gone or not */
	u32 cache;			/* VMLAB_CACHE_* of those regions */
	bool wc_reserved;		/* memtype WC reserved for the BAR */
	int wc_handle;			/* arch_phys_wc_add()'s, with it */
};

/*
 * struct vmlab_pci_dev - a device vmlab is (or was) bound to. @ref: one
 * while bound (probe to remove), one per region on it.
 */
struct vmlab_pci_dev {
	struct kref ref;
	struct pci_dev *pdev;		/* with a reference (pci_dev_get) */
	u64 addr;			/* VMLAB_PCI_ADDR64() */
	struct list_head node;		/* in vmlab_pci_devs while bound */
	/*
	 * gone_lock protects @gone: faults hold it for read from the check
	 * to the end of their PFN insert; remove takes it for write to set
	 * @gone, so every insert is done before remove zaps the mappings.
	 */
	struct rw_semaphore gone_lock;
	bool gone;
	/*
	 * lock protects @regions and the bars' region state; remove holds it
	 * while it sets @gone and zaps, so a region is either on the list
	 * before (and zapped) or sees @gone at creation.
	 */
	struct mutex lock;
	struct list_head regions;	/* struct vmlab_region::pci_node */
	struct vmlab_pci_bar bars[PCI_STD_NUM_BARS];
};

/* vmlab_pci_lock protects vmlab_pci_devs, the bound devices */
static DEFINE_MUTEX(vmlab_pci_lock);
static LIST_HEAD(vmlab_pci_devs);

static void vmlab_pci_dev_release(struct kref *ref)
{
	struct vmlab_pci_dev *dev = container_of(ref, struct vmlab_pci_dev, ref);

	pci_dev_put(dev->pdev);
	kfree(dev);
}

static void vmlab_pci_dev_put(struct vmlab_pci_dev *dev)
{
	kref_put(&dev->ref, vmlab_pci_dev_release);
}

/* the device's address with its whole domain (up to 0x7fffffff on Linux) */
static u64 vmlab_pci_addr(struct pci_dev *pdev)
{
	return VMLAB_PCI_ADDR64((u32)pci_domain_nr(pdev->bus), pdev->bus->number,
				PCI_SLOT(pdev->devfn), PCI_FUNC(pdev->devfn));
}

/* The bound device at @addr with a reference, or NULL. */
static struct vmlab_pci_dev *vmlab_pci_dev_get(u64 addr)
{
	struct vmlab_pci_dev *dev;

	mutex_lock(&vmlab_pci_lock);
	list_for_each_entry(dev, &vmlab_pci_devs, node) {
		if (dev->addr == addr) {
			kref_get(&dev->ref);
			mutex_unlock(&vmlab_pci_lock);
			return dev;
		}
	}
	mutex_unlock(&vmlab_pci_lock);
	return NULL;
}

/* Drops the BAR's write-combining reservation. Caller holds dev->lock. */
static void __vmlab_pci_bar_unreserve(struct vmlab_pci_bar *bar)
{
	if (!bar->wc_reserved)
		return;
	arch_phys_wc_del(bar->wc_handle);
	arch_io_free_memtype_wc(bar->start, bar->len);
	bar->wc_reserved = false;
}

/*
 * Counts a region of caching mode @cache on @bar, reserving the memory type
 * for the BAR's first WC region: -EBUSY if the BAR's regions use another
 * mode. Caller holds dev->lock and has checked that the device is not gone.
 */
static int __vmlab_pci_bar_use(struct vmlab_pci_bar *bar, u32 cache)
{
	int ret;

	if (bar->nr_regions && bar->cache != cache)
		return -EBUSY;
	if (!bar->nr_regions && cache == VMLAB_CACHE_WC) {
		ret = arch_io_reserve_memtype_wc(bar->start, bar->len);
		if (ret)
			return ret;
		bar->wc_handle = arch_phys_wc_add(bar->start, bar->len);
		bar->wc_reserved = true;
	}
	bar->cache = cache;
	bar->nr_regions++;
	return 0;
}

/* The caching mode @rc asks of @bar, or a negative errno. */
static int vmlab_pci_cache(const struct vmlab_pci_bar *bar,
			   const struct vmlab_region_create *rc)
{
	bool prefetch = bar->res_flags & IORESOURCE_PREFETCH;

	switch (rc->cache) {
	case VMLAB_CACHE_WB:	/* the zero default: the BAR's own */
		return prefetch ? VMLAB_CACHE_WC : VMLAB_CACHE_UC;
	case VMLAB_CACHE_WC:
		return prefetch ? VMLAB_CACHE_WC : -EINVAL;
	default:
		return VMLAB_CACHE_UC;
	}
}

int vmlab_pci_region_init(struct vmlab_region *region,
			  struct vmlab_region_create *rc)
{
	struct vmlab_pci_dev *dev;
	struct vmlab_pci_bar *bar;
	u64 bar_pages_len, end;
	int cache, ret;

	if (rc->bar >= PCI_STD_NUM_BARS)
		return -EINVAL;
	dev = vmlab_pci_dev_get((u64)rc->pci_addr_hi << 32 | rc->pci_addr);
	if (!dev)
		return -ENODEV;
	bar = &dev->bars[rc->bar];
	ret = -ENXIO;
	if (!bar->offered)
		goto put_dev;
	/* a sub-page BAR is offered with the rest of its page */
	bar_pages_len = PAGE_ALIGN((u64)bar->len);
	ret = -EINVAL;
	if (!PAGE_ALIGNED(rc->bar_offset) || rc->bar_offset >= bar_pages_len)
		goto put_dev;
	if (!rc->length)
		rc->length = bar_pages_len - rc->bar_offset;
	if (check_add_overflow(rc->bar_offset, rc->length, &end) ||
	    end > bar_pages_len)
		goto put_dev;
	cache = vmlab_pci_cache(bar, rc);
	if (cache < 0) {
		ret = cache;
		goto put_dev;
	}
	ret = -EACCES;
	if (!(bar->res_flags & IORESOURCE_PREFETCH) &&
	    !(rc->flags & VMLAB_REGION_READONLY))
		goto put_dev;

	region->pci = dev;	/* takes over the lookup's reference */
	region->bar = rc->bar;
	region->bar_offset = rc->bar_offset;
	region->cache = cache;
	region->length = rc->length;
	region->nr_pages = rc->length >> PAGE_SHIFT;
	region->pfn = PHYS_PFN(bar->start + rc->bar_offset);
	INIT_LIST_HEAD(&region->pci_node);
	rc->cache = cache;
	return 0;

put_dev:
	vmlab_pci_dev_put(dev);
	return ret;
}

int vmlab_pci_region_attach(struct vmlab_region *region)
{
	struct vmlab_pci_dev *dev = region->pci;
	int ret = -ENODEV;

	mutex_lock(&dev->lock);
	if (!dev->gone)
		ret = __vmlab_pci_bar_use(&dev->bars[region->bar], region->cache);
	if (!ret)
		list_add(&region->pci_node, &dev->regions);
	mutex_unlock(&dev->lock);
	return ret;
}

void vmlab_pci_region_release(struct vmlab_region *region)
{
	struct vmlab_pci_dev *dev = region->pci;
	struct vmlab_pci_bar *bar = &dev->bars[region->bar];

	mutex_lock(&dev->lock);
	if (!list_empty(&region->pci_node)) {
		list_del(&region->pci_node);
		if (!--bar->nr_regions)
			__vmlab_pci_bar_unreserve(bar);
	}
	mutex_unlock(&dev->lock);
	vmlab_pci_dev_put(dev);
}

bool vmlab_pci_fault_begin(struct vmlab_region *region)
{
	struct vmlab_pci_dev *dev = region->pci;

	down_read(&dev->gone_lock);
	if (!dev->gone)
		return true;
	up_read(&dev->gone_lock);
	return false;
}

void vmlab_pci_fault_end(struct vmlab_region *region)
{
	up_read(&region->pci->gone_lock);
}

bool vmlab_pci_gone(struct vmlab_region *region)
{
	struct vmlab_pci_dev *dev = region->pci;
	bool gone;

	down_read(&dev->gone_lock);
	gone = dev->gone;
	up_read(&dev->gone_lock);
	return gone;
}

void vmlab_pci_region_info(struct vmlab_region *region,
			   struct vmlab_region_info *ri)
{
	struct vmlab_pci_dev *dev = region->pci;
	struct vmlab_pci_bar *bar = &dev->bars[region->bar];

	ri->pci_addr = VMLAB_PCI_ADDR_LO(dev->addr);
	ri->pci_addr_hi = VMLAB_PCI_ADDR_HI(dev->addr);
	ri->bar = region->bar;
	ri->bar_offset = region->bar_offset;
	ri->bar_size = bar->len;
	if (bar->res_flags & IORESOURCE_PREFETCH)
		ri->pci_flags |= VMLAB_PCI_PREFETCH;
	if (bar->res_flags & IORESOURCE_MEM_64)
		ri->pci_flags |= VMLAB_PCI_MEM64;
	if (vmlab_pci_gone(region))
		ri->pci_flags |= VMLAB_PCI_GONE;
}

/*
 * Offers BAR @i of @dev when it is memory and, if smaller than a page,
 * starts a page whose rest vmlab can claim (no other device's registers
 * then share the page a mapping exposes).
 */
static void vmlab_pci_bar_offer(struct vmlab_pci_dev *dev, int i)
{
	struct pci_dev *pdev = dev->pdev;
	struct vmlab_pci_bar *bar = &dev->bars[i];

	bar->start = pci_resource_start(pdev, i);
	bar->len = pci_resource_len(pdev, i);
	bar->res_flags = pci_resource_flags(pdev, i);
	if (!bar->len || !(bar->res_flags & IORESOURCE_MEM) ||
	    !PAGE_ALIGNED(bar->start))
		return;
	if (bar->len < PAGE_SIZE) {
		bar->page_rest = request_mem_region(bar->start + bar->len,
						    PAGE_SIZE - bar->len,
						    "vmlab (rest of a BAR's page)");
		if (!bar->page_rest)
			return;
	}
	if (pci_request_region(pdev, i, "vmlab")) {
		if (bar->page_rest)
			release_mem_region(bar->start + bar->len, PAGE_SIZE - bar->len);
		bar->page_rest = NULL;
		return;
	}
	bar->offered = true;
}

static void vmlab_pci_bars_release(struct vmlab_pci_dev *dev)
{
	struct vmlab_pci_bar *bar;
	int i;

	for (i = 0; i < PCI_STD_NUM_BARS; i++) {
		bar = &dev->bars[i];
		if (!bar->offered)
			continue;
		pci_release_region(dev->pdev, i);
		if (bar->page_rest)
			release_mem_region(bar->start + bar->len, PAGE_SIZE - bar->len);
		bar->page_rest = NULL;
		bar->offered = false;
	}
}

static int vmlab_pci_probe(struct pci_dev *pdev, const struct pci_device_id *id)
{
	struct vmlab_pci_dev *dev;
	int i, ret;

	dev = kzalloc(sizeof(*dev), GFP_KERNEL);
	if (!dev)
		return -ENOMEM;
	kref_init(&dev->ref);
	dev->pdev = pci_dev_get(pdev);
	dev->addr = vmlab_pci_addr(pdev);
	init_rwsem(&dev->gone_lock);
	mutex_init(&dev->lock);
	INIT_LIST_HEAD(&dev->regions);

	ret = pci_enable_device_mem(pdev);
	if (ret)
		goto put_dev;
	for (i = 0; i < PCI_STD_NUM_BARS; i++)
		vmlab_pci_bar_offer(dev, i);
	pci_set_drvdata(pdev, dev);

	mutex_lock(&vmlab_pci_lock);
	list_add_tail(&dev->node, &vmlab_pci_devs);
	mutex_unlock(&vmlab_pci_lock);
	for (i = 0; i < PCI_STD_NUM_BARS; i++)
		if (dev->bars[i].offered)
			pci_info(pdev, "BAR%d %pR offered as a region\n", i,
				 &pdev->resource[i]);
	return 0;

put_dev:
	vmlab_pci_dev_put(dev);
	return ret;
}

static void vmlab_pci_remove(struct pci_dev *pdev)
{
	struct vmlab_pci_dev *dev = pci_get_drvdata(pdev);
	struct vmlab_region *region;
	int i;

	mutex_lock(&vmlab_pci_lock);
	list_del(&dev->node);		/* no new region finds it */
	mutex_unlock(&vmlab_pci_lock);

	mutex_lock(&dev->lock);
	down_write(&dev->gone_lock);	/* waits for faults inserting now */
	dev->gone = true;
	up_write(&dev->gone_lock);
	list_for_each_entry(region, &dev->regions, pci_node)
		unmap_mapping_range(region->inode->i_mapping, 0, 0, 1);
	for (i = 0; i < PCI_STD_NUM_BARS; i++)
		__vmlab_pci_bar_unreserve(&dev->bars[i]);
	mutex_unlock(&dev->lock);

	/* nothing maps the BARs now, and nothing will */
	vmlab_pci_bars_release(dev);
	pci_disable_device(pdev);
	pci_set_drvdata(pdev, NULL);
	vmlab_pci_dev_put(dev);
}

static const struct pci_device_id vmlab_pci_ids[] = {
	{ PCI_DEVICE(VMLAB_IVSHMEM_VENDOR, VMLAB_IVSHMEM_DEVICE) },
	{ }
};
MODULE_DEVICE_TABLE(pci, vmlab_pci_ids);

static struct pci_driver vmlab_pci_driver = {
	.name		= "vmlab",
	.id_table	= vmlab_pci_ids,
	.probe		= vmlab_pci_probe,
	.remove		= vmlab_pci_remove,
};

int vmlab_pci_init(void)
{
	return pci_register_driver(&vmlab_pci_driver);
}

void vmlab_pci_exit(void)
{
	pci_unregister_driver(&vmlab_pci_driver);
}
