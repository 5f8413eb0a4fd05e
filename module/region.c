// SPDX-License-Identifier: GPL-2.0
/*
 * region.c: vmlab regions: kinds, backing store, lifetime, caps, counters,
 * the REGION_* ioctls, and pread/pwrite/lseek/fsync of /dev/vmlab. Their
 * mmap is in vm_ops.c, next to the vm_operations it installs.
 *
 * From user space (libvmlab wraps the ioctl):
 *
 *	struct vmlab_region_create rc = { .size = sizeof(rc),
 *		.kind = VMLAB_REGION_FILE, .length = 1 << 20,
 *		.fill = VMLAB_FILL_PATTERN };
 *
 *	ioctl(fd, VMLAB_IOC_REGION_CREATE, &rc);
 *	p = mmap(NULL, rc.length, PROT_READ | PROT_WRITE, MAP_SHARED, fd,
 *		 rc.offset);
 *
 * Each region is found by id in vmlab_regions. FILE and ANON regions keep
 * their pages in the page cache of an anonymous inode of their own, sized to
 * the region, on the mount vmlab_region_mnt() names; every mmap gets a file
 * of its own on that inode (see vm_ops.c).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/anon_inodes.h>
#include <linux/compat.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/gfp.h>
#include <linux/highmem.h>
#include <linux/io.h>
#include <linux/kref.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/overflow.h>
#include <linux/pagemap.h>
#include <linux/rmap.h>
#include <linux/rwsem.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/vmalloc.h>
#include <linux/vmlab.h>
#include <linux/xarray.h>

#include "arch.h"
#include "compat.h"
#include "internal.h"

static unsigned int max_region_mb = 64;
module_param(max_region_mb, uint, 0644);
MODULE_PARM_DESC(max_region_mb, "largest region in MiB (default 64); E2BIG above");

static unsigned int max_total_mb = 256;
module_param(max_total_mb, uint, 0644);
MODULE_PARM_DESC(max_total_mb,
		 "all regions together, MiB, until their memory is freed (default 256); ENOSPC above");

#define VMLAB_REGION_ID_MAX	65535
#define VMLAB_REGION_LIST_MAX	65536

/*
 * vmlab_regions_lock protects the id space (vmlab_regions: id -> region,
 * holding the id's reference) and serialises the cap check with the
 * addition to vmlab_total_bytes. Lookups take a reference under it.
 */
static DEFINE_MUTEX(vmlab_regions_lock);
static DEFINE_XARRAY_ALLOC1(vmlab_regions);
/* bytes of all regions whose memory is not freed yet */
static atomic64_t vmlab_total_bytes = ATOMIC64_INIT(0);
/* backing pages of all regions: added as allocated, taken at release */
static atomic64_t vmlab_pages_in_use = ATOMIC64_INIT(0);

/* what untouched pages of private ANON mappings read: zeroes, read-only */
static struct page *vmlab_zero_page;
/*
 * Orders a private ANON read fault, which maps vmlab_zero_page where the
 * region has no page, against that page's addition (vmlab_zero_page_stale()):
 * faults look up and map with it held for read, so they never wait for
 * each other; adding a page passes through it for write.
 */
static DECLARE_RWSEM(vmlab_zero_rwsem);
/*
 * What a private ANON write fault copies where the region has no page:
 * zeroes, never mapped. The kernel locks the page it copies from, so there
 * is one per CPU (up to VMLAB_ZERO_COPIES), not one for all.
 */
#define VMLAB_ZERO_COPIES	16
static struct page *vmlab_zero_copies[VMLAB_ZERO_COPIES];
static unsigned int vmlab_nr_zero_copies;
/*
 * An anonymous file, kept for its super block and mount (the kernel's
 * anon_inode fs) on which region inodes and files are made. Its f_op is
 * the kernel's generic_ro_fops, never called: the final fput of this file
 * runs from task_work, possibly after vmlab.ko is gone, so it must not
 * point into the module.
 */
static struct file *vmlab_anon_file;

bool vmlab_is_zero_page(const struct page *page)
{
	return page && page == vmlab_zero_page;
}

/* The mount of the anon_inode fs that region inodes and files live on. */
struct vfsmount *vmlab_region_mnt(void)
{
	return vmlab_anon_file->f_path.mnt;
}

/*
 * A read fault of a private ANON mapping: the region's page at the fault's
 * offset, with a reference, or NULL after mapping vmlab's zero page at the
 * fault's address (VM_MIXEDMAP, see vm_ops.c), *@ret saying how that went
 * (VM_FAULT_NOPAGE too where another thread's fault mapped it first).
 * The look-up and the PTE are done under vmlab_zero_rwsem (read): see
 * vmlab_zero_page_stale().
 *
 * The zero page is mapped as the kernel maps its own: a special entry
 * (where the architecture has the bit), which takes no reference and adds
 * no mapcount, so that faults on all CPUs do not write the one struct page
 * in turn. The page outlives its mappings: each holds a file of vmlab.ko
 * (vm_ops.c), which frees it only when unloaded. A write fault on the
 * entry copies what it maps (wp_page_copy()).
 */
struct folio *vmlab_zero_page_map(struct vm_fault *vmf, vm_fault_t *ret)
{
	struct folio *folio;

	down_read(&vmlab_zero_rwsem);
	folio = vmlab_filemap_get_folio(vmf->vma->vm_file->f_mapping, vmf->pgoff);
	if (!folio)
		*ret = vmlab_insert_mixed(vmf->vma, vmf->address,
					  page_to_pfn(vmlab_zero_page));
	up_read(&vmlab_zero_rwsem);
	return folio;
}

/* A zeroed page for a private ANON write fault to copy, with a reference. */
struct page *vmlab_zero_copy_source(void)
{
	struct page *page;

	page = vmlab_zero_copies[raw_smp_processor_id() % vmlab_nr_zero_copies];
	get_page(page);
	return page;
}

/*
 * A page was added at @index of an ANON region: private mappings that map
 * vmlab's zero page there lose it, and read the region's page from their
 * next fault on, as a private mapping of shmem reads the shared page until
 * it writes. Their copies (anonymous pages) stay: even_cows is false.
 *
 * Passing through vmlab_zero_rwsem for write orders this against a private
 * read fault (vmlab_zero_page_map()): one that held it for read before
 * looked up @index before the page was there, and its PTE is in place by
 * the time the lock is free, so the zap below finds it; one that takes it
 * after finds the page. (A write fault needs no order: what it maps is its
 * own copy, which stays either way.) The caller holds the new page's lock,
 * taken before vmlab_zero_rwsem (a private fault never holds a page lock
 * with it) and before the mapping's i_mmap_rwsem, as truncation takes them.
 */
static void vmlab_zero_page_stale(struct address_space *mapping, pgoff_t index)
{
	down_write(&vmlab_zero_rwsem);
	up_write(&vmlab_zero_rwsem);
	unmap_mapping_pages(mapping, index, 1, false);
}

static void vmlab_device_free(struct vmlab_region *region)
{
	unsigned long addr = (unsigned long)region->dev_mem;

	if (region->cache != VMLAB_CACHE_WB &&
	    vmlab_arch_set_memory_cache(addr, region->nr_pages, VMLAB_CACHE_WB)) {
		/* the pages keep a foreign memory type: never reuse them */
		pr_err_ratelimited("region %u: cannot restore write-back, leaking %llu bytes\n",
				   region->id, region->length);
		return;
	}
	free_pages_exact(region->dev_mem, region->length);
}

static void vmlab_region_release(struct kref *ref)
{
	struct vmlab_region *region = container_of(ref, struct vmlab_region, ref);

	if (region->dev_mem)
		vmlab_device_free(region);
	if (region->pci)
		vmlab_pci_region_release(region);
	/* page-cache pages go with the inode's last reference */
	if (region->inode)
		iput(region->inode);
	atomic64_sub(atomic64_read(&region->cnt.pages_resident), &vmlab_pages_in_use);
	atomic64_sub(region->charged, &vmlab_total_bytes);
	mutex_destroy(&region->huge_lock);
	kfree(region);
}

u64 vmlab_regions_pages_in_use(void)
{
	return atomic64_read(&vmlab_pages_in_use);
}

void vmlab_region_put(struct vmlab_region *region)
{
	kref_put(&region->ref, vmlab_region_release);
}

/* The region @id with a reference, or NULL. Takes vmlab_regions_lock. */
static struct vmlab_region *vmlab_region_get(u32 id)
{
	struct vmlab_region *region;

	mutex_lock(&vmlab_regions_lock);
	region = xa_load(&vmlab_regions, id);
	if (region)
		kref_get(&region->ref);
	mutex_unlock(&vmlab_regions_lock);
	return region;
}

/*
 * The shift of the calling task's region offsets (see <linux/vmlab.h>):
 * VMLAB_REGION_SHIFT_32 for a 32-bit task (on a 32-bit kernel, or a compat
 * task), whose mmap2() page offset has 32 bits, else VMLAB_REGION_SHIFT.
 * Called in the task's system calls only (ioctl, mmap, read, write, llseek).
 */
static unsigned int vmlab_region_shift(void)
{
	if (!IS_ENABLED(CONFIG_64BIT) || in_compat_syscall())
		return VMLAB_REGION_SHIFT_32;
	return VMLAB_REGION_SHIFT;
}

/* The region a /dev/vmlab file offset selects, with a reference, or NULL. */
struct vmlab_region *vmlab_region_at(loff_t pos, u64 *in_region)
{
	unsigned int shift = vmlab_region_shift();

	if (pos < 0)
		return NULL;
	*in_region = (u64)pos & (BIT_ULL(shift) - 1);
	return vmlab_region_get((u64)pos >> shift);
}

static u64 vmlab_region_offset(const struct vmlab_region *region)
{
	return (u64)region->id << vmlab_region_shift();
}

/* Writes the initial contents of a FILE region page. */
static void vmlab_fill_page(const struct vmlab_region *region, struct page *page,
			    pgoff_t index)
{
	u64 *words;
	int i;

	if (region->fill == VMLAB_FILL_ZERO)
		return;		/* allocated zeroed */
	words = kmap_local_page(page);
	if (region->fill == VMLAB_FILL_BYTE) {
		memset(words, region->fill_byte, PAGE_SIZE);
	} else {
		for (i = 0; i < PAGE_SIZE / sizeof(u64); i++)
			words[i] = ((u64)index << PAGE_SHIFT) + i * sizeof(u64);
	}
	kunmap_local(words);
}

/*
 * Adds a zeroed page at @index of @region's page cache. Returns it locked
 * with a reference for the caller (the cache holds its own), or an ERR_PTR:
 * -EEXIST when another task added one first, -ENOMEM. The page is charged
 * to the calling task's memory cgroup with @gfp, which also allocates the
 * cache's nodes: REGION_CREATE passes __GFP_NORETRY (over the limit the
 * ioctl fails with ENOMEM), a fault GFP_KERNEL, as shmem's fault charges:
 * over the limit the memory cgroup's OOM killer runs, and -ENOMEM
 * (VM_FAULT_OOM) is left only when it found no victim. In an ANON region
 * private mappings' zero pages at @index go (vmlab_zero_page_stale()).
 */
struct folio *vmlab_region_add_page(struct vmlab_region *region, pgoff_t index,
				    gfp_t gfp)
{
	struct address_space *mapping = region->inode->i_mapping;
	struct folio *folio;
	int ret;

	folio = folio_alloc(GFP_HIGHUSER | __GFP_ZERO | __GFP_NOWARN, 0);
	if (!folio)
		return ERR_PTR(-ENOMEM);
	ret = filemap_add_folio(mapping, folio, index, gfp);
	if (ret) {
		folio_put(folio);
		return ERR_PTR(ret);
	}
	folio_mark_uptodate(folio);
	atomic64_inc(&region->cnt.pages_allocated);
	atomic64_inc(&region->cnt.pages_resident);
	atomic64_inc(&vmlab_pages_in_use);
	if (region->kind == VMLAB_REGION_ANON)
		vmlab_zero_page_stale(mapping, index);
	return folio;
}

/*
 * Makes the region's inode, sized to it: the page cache of a FILE or ANON
 * region, and for every kind the address_space its mappings are found in
 * and the inode of each mapping's file (see vm_ops.c).
 */
static int vmlab_region_init_inode(struct vmlab_region *region)
{
	struct inode *inode;

	inode = alloc_anon_inode(file_inode(vmlab_anon_file)->i_sb);
	if (IS_ERR(inode))
		return PTR_ERR(inode);
	inode->i_size = region->length;
	/* the only copy of the data: reclaim must never drop a page */
	mapping_set_unevictable(inode->i_mapping);
	region->inode = inode;
	return 0;
}

/* Makes the page cache of a FILE or ANON region; FILE pages all exist. */
static int vmlab_region_init_pages(struct vmlab_region *region)
{
	struct folio *folio;
	pgoff_t i;
	int ret;

	ret = vmlab_region_init_inode(region);
	if (ret || region->kind != VMLAB_REGION_FILE)
		return ret;
	for (i = 0; i < region->nr_pages; i++) {
		folio = vmlab_region_add_page(region, i, GFP_KERNEL | __GFP_NORETRY |
					      __GFP_NOWARN);
		if (IS_ERR(folio))
			return PTR_ERR(folio);	/* the inode frees what exists */
		vmlab_fill_page(region, &folio->page, i);
		folio_unlock(folio);
		folio_put(folio);
		cond_resched();
	}
	return 0;
}

/*
 * Allocates a DEVICE region's contiguous memory in its caching mode. On
 * failure the memory stays in @region for its release to free.
 */
static int vmlab_region_init_device(struct vmlab_region *region)
{
	unsigned long addr;
	int ret = 0;

	region->dev_mem = alloc_pages_exact(region->length, GFP_KERNEL | __GFP_ZERO |
					    __GFP_NOWARN | __GFP_RETRY_MAYFAIL);
	if (!region->dev_mem)
		return -ENOMEM;
	addr = (unsigned long)region->dev_mem;
	region->pfn = PHYS_PFN(virt_to_phys(region->dev_mem));
	atomic64_set(&region->cnt.pages_allocated, region->nr_pages);
	atomic64_set(&region->cnt.pages_resident, region->nr_pages);
	atomic64_add(region->nr_pages, &vmlab_pages_in_use);

	if (region->cache != VMLAB_CACHE_WB)
		ret = vmlab_arch_set_memory_cache(addr, region->nr_pages, region->cache);
	/*
	 * On failure part of the memory may have changed its type: the
	 * release (vmlab_device_free) restores write-back and frees it, or
	 * leaks it when that fails too, never freeing foreign-typed pages.
	 */
	return ret;
}

static int vmlab_region_check(const struct vmlab_region_create *rc)
{
	bool pci = rc->kind == VMLAB_REGION_PCI;

	if (rc->__pad || rc->__pad2 ||
	    memchr_inv(rc->__reserved, 0, sizeof(rc->__reserved)))
		return -EINVAL;
	if (rc->kind < VMLAB_REGION_FILE || rc->kind > VMLAB_REGION_PCI)
		return -EINVAL;
	if (rc->flags & ~VMLAB_REGION_FLAGS)
		return -EINVAL;
	/* a PCI region's length 0 means "to the BAR's end" */
	if ((!rc->length && !pci) || !PAGE_ALIGNED(rc->length) ||
	    rc->length > BIT_ULL(vmlab_region_shift()))
		return -EINVAL;
	if (!pci && (rc->pci_addr || rc->pci_addr_hi || rc->bar || rc->bar_offset))
		return -EINVAL;

	if (rc->kind == VMLAB_REGION_FILE) {
		if (rc->fill > VMLAB_FILL_PATTERN)
			return -EINVAL;
	} else if (rc->fill != VMLAB_FILL_ZERO) {
		return -EINVAL;
	}
	if (rc->fill_byte > 255 ||
	    (rc->fill_byte && rc->fill != VMLAB_FILL_BYTE))
		return -EINVAL;

	if (rc->kind == VMLAB_REGION_DEVICE || pci) {
		if (rc->cache > VMLAB_CACHE_UC)
			return -EINVAL;
	} else if (rc->cache != VMLAB_CACHE_WB) {
		return -EINVAL;
	}

	/* a BAR is the device's memory, not ours: no cap but the BAR's size */
	if (pci)
		return 0;
	if (rc->length > (u64)READ_ONCE(max_region_mb) << 20)
		return -E2BIG;
	if (rc->kind == VMLAB_REGION_DEVICE && rc->length > VMLAB_DEVICE_MAX)
		return -E2BIG;
	return 0;
}

/* Reserves @length bytes of the total cap. Caller holds vmlab_regions_lock. */
static int __vmlab_total_reserve(u64 length)
{
	u64 total = atomic64_read(&vmlab_total_bytes);

	if (check_add_overflow(total, length, &total) ||
	    total > (u64)READ_ONCE(max_total_mb) << 20)
		return -ENOSPC;
	atomic64_add(length, &vmlab_total_bytes);
	return 0;
}

long vmlab_ioc_region_create(struct file *file, void *arg)
{
	struct vmlab_region_create *rc = arg;
	struct vmlab_region *region;
	u32 id;
	int ret;

	ret = vmlab_region_check(rc);
	if (ret)
		return ret;
	/* real device memory is root's, as a BAR's sysfs resource files are */
	if (rc->kind == VMLAB_REGION_PCI && !vmlab_may_use_device(file))
		return -EPERM;

	region = kzalloc(sizeof(*region), GFP_KERNEL);
	if (!region)
		return -ENOMEM;
	kref_init(&region->ref);
	mutex_init(&region->huge_lock);
	region->kind = rc->kind;
	region->flags = rc->flags;
	region->fill = rc->fill;
	region->fill_byte = rc->fill_byte;
	region->cache = rc->cache;
	region->length = rc->length;
	region->nr_pages = rc->length >> PAGE_SHIFT;

	if (region->kind == VMLAB_REGION_PCI) {
		ret = vmlab_pci_region_init(region, rc);
		if (ret)
			goto free_region;
		/* the inode first: the device's removal zaps through it */
		ret = vmlab_region_init_inode(region);
		if (!ret)
			ret = vmlab_pci_region_attach(region);
		if (ret)
			goto put_region;
	} else {
		mutex_lock(&vmlab_regions_lock);
		ret = __vmlab_total_reserve(region->length);
		mutex_unlock(&vmlab_regions_lock);
		if (ret)
			goto free_region;
		region->charged = region->length;

		if (region->kind == VMLAB_REGION_DEVICE) {
			ret = vmlab_region_init_device(region);
			if (!ret)	/* no pages: for the mappings' files */
				ret = vmlab_region_init_inode(region);
		} else {
			ret = vmlab_region_init_pages(region);
		}
		if (ret)
			goto put_region;
	}

	mutex_lock(&vmlab_regions_lock);
	ret = xa_alloc(&vmlab_regions, &id, region,
		       XA_LIMIT(1, VMLAB_REGION_ID_MAX), GFP_KERNEL);
	if (!ret)
		region->id = id;
	mutex_unlock(&vmlab_regions_lock);
	if (ret) {
		ret = ret == -EBUSY ? -ENOSPC : ret;	/* no free id */
		goto put_region;
	}

	rc->id = region->id;
	rc->offset = vmlab_region_offset(region);
	return 0;

put_region:
	/* frees what exists and gives the reserved bytes back */
	vmlab_region_put(region);
	return ret;
free_region:
	mutex_destroy(&region->huge_lock);
	kfree(region);
	return ret;
}

/* Removes region @id (see "Regions" in the uapi header): 0 or -ENOENT. */
static int vmlab_region_destroy(u32 id)
{
	struct vmlab_region *region;

	mutex_lock(&vmlab_regions_lock);
	region = id ? xa_erase(&vmlab_regions, id) : NULL;
	mutex_unlock(&vmlab_regions_lock);
	if (!region)
		return -ENOENT;
	vmlab_region_put(region);
	return 0;
}

/*
 * REGION_CREATE's answer could not be copied back: the caller never learns
 * the id, so the region goes again (its memory with its last mapping, if
 * another opener that listed the id mapped it meanwhile). Ids are
 * module-wide: one destroyed meanwhile leaves nothing to undo.
 */
void vmlab_ioc_region_create_undo(struct file *file, void *arg)
{
	struct vmlab_region_create *rc = arg;

	vmlab_region_destroy(rc->id);
}

long vmlab_ioc_region_destroy(struct file *file, void *arg)
{
	struct vmlab_region_destroy *rd = arg;

	if (memchr_inv(rd->__reserved, 0, sizeof(rd->__reserved)))
		return -EINVAL;
	return vmlab_region_destroy(rd->id);
}

static void vmlab_counters_read(const struct vmlab_counters *c,
				struct vmlab_region_counters *out)
{
	out->read_faults = atomic64_read(&c->read_faults);
	out->write_faults = atomic64_read(&c->write_faults);
	out->cow_faults = atomic64_read(&c->cow_faults);
	out->page_mkwrite = atomic64_read(&c->page_mkwrite);
	out->map_pages = atomic64_read(&c->map_pages);
	out->huge_faults = atomic64_read(&c->huge_faults);
	out->pages_allocated = atomic64_read(&c->pages_allocated);
	out->pages_resident = atomic64_read(&c->pages_resident);
	out->pages_dirty = atomic64_read(&c->pages_dirty);
	out->writebacks = atomic64_read(&c->writebacks);
	out->mappings = atomic64_read(&c->mappings);
}

long vmlab_ioc_region_info(struct file *file, void *arg)
{
	struct vmlab_region_info *ri = arg;
	struct vmlab_region *region;
	u32 id = ri->id;

	if (ri->__pad || ri->__pad2 || ri->__pad3)
		return -EINVAL;
	region = id ? vmlab_region_get(id) : NULL;
	if (!region)
		return -ENOENT;

	memset(ri, 0, sizeof(*ri));
	ri->size = sizeof(*ri);
	ri->id = region->id;
	ri->kind = region->kind;
	ri->flags = region->flags;
	ri->fill = region->fill;
	ri->fill_byte = region->fill_byte;
	ri->cache = region->cache;
	ri->length = region->length;
	ri->offset = vmlab_region_offset(region);
	/* the opener's right, as for the PFNs of a walk */
	if ((region->dev_mem || region->pci) && vmlab_show_pfn(file))
		ri->phys_addr = PFN_PHYS(region->pfn);
	if (region->pci)
		vmlab_pci_region_info(region, ri);
	vmlab_counters_read(&region->cnt, &ri->counters);
	vmlab_region_put(region);
	return 0;
}

long vmlab_ioc_region_list(struct file *file, void *arg)
{
	struct vmlab_region_list *rl = arg;
	struct vmlab_region *region;
	u32 nr_ids = 0, nr_regions = 0;
	unsigned long id;
	u32 *ids = NULL;
	int ret = 0;

	if (memchr_inv(rl->__reserved, 0, sizeof(rl->__reserved)))
		return -EINVAL;
	if (rl->max_ids > VMLAB_REGION_LIST_MAX)
		return -EINVAL;
	if (rl->max_ids) {
		ids = kvmalloc_array(rl->max_ids, sizeof(*ids), GFP_KERNEL);
		if (!ids)
			return -ENOMEM;
	}

	mutex_lock(&vmlab_regions_lock);
	xa_for_each(&vmlab_regions, id, region) {
		if (nr_ids < rl->max_ids)
			ids[nr_ids++] = id;
		nr_regions++;
	}
	mutex_unlock(&vmlab_regions_lock);

	if (nr_ids && copy_to_user(u64_to_user_ptr(rl->ids), ids,
				   size_mul(nr_ids, sizeof(*ids))))
		ret = -EFAULT;
	kvfree(ids);
	rl->nr_ids = nr_ids;
	rl->nr_regions = nr_regions;
	return ret;
}

/* The FILE region at @pos for pread/pwrite, with a reference, or an ERR_PTR. */
static struct vmlab_region *vmlab_rw_region(loff_t pos, u64 *start)
{
	struct vmlab_region *region = vmlab_region_at(pos, start);

	if (!region)
		return ERR_PTR(-ENXIO);
	if (region->kind != VMLAB_REGION_FILE) {
		vmlab_region_put(region);
		return ERR_PTR(-EINVAL);
	}
	return region;
}

/*
 * The page of a FILE region at byte @start for pread/pwrite, with a
 * reference, or NULL when a memory error took its data: memory_failure()
 * (a machine check, MADV_HWPOISON) drops a clean page from the cache and
 * leaves a dirty one there, poisoned. The caller returns EIO then, as a
 * file system's read does; faults get SIGBUS (vm_ops.c, and the kernel's
 * own check of a poisoned page). A page can be poisoned right after this
 * check, as in filemap_read().
 */
static struct folio *vmlab_rw_folio(struct vmlab_region *region, u64 start)
{
	struct folio *folio;

	folio = vmlab_filemap_get_folio(region->inode->i_mapping, start >> PAGE_SHIFT);
	if (folio && folio_test_hwpoison(folio)) {
		folio_put(folio);
		return NULL;
	}
	return folio;
}

ssize_t vmlab_region_read(struct file *file, char __user *buf, size_t count,
			  loff_t *ppos)
{
	struct vmlab_region *region;
	struct folio *folio;
	size_t done = 0, n;
	u64 start, left;
	void *kaddr;
	int ret = 0;

	region = vmlab_rw_region(*ppos, &start);
	if (IS_ERR(region))
		return PTR_ERR(region);
	left = start < region->length ? region->length - start : 0;
	count = min_t(u64, count, left);

	while (done < count) {
		n = min_t(size_t, count - done, PAGE_SIZE - offset_in_page(start));
		folio = vmlab_rw_folio(region, start);
		if (!folio) {
			ret = -EIO;
			break;
		}
		kaddr = kmap_local_folio(folio, offset_in_folio(folio, start));
		n -= copy_to_user(buf + done, kaddr, n);
		kunmap_local(kaddr);
		folio_put(folio);
		if (!n) {
			ret = -EFAULT;
			break;
		}
		done += n;
		start += n;
	}
	vmlab_region_put(region);
	*ppos += done;
	return done ? done : ret;
}

/*
 * pwrite of a FILE region: each page's bytes go through a bounce buffer so
 * that no user fault (possibly on a mapping of this very page) happens
 * while the page is locked.
 */
ssize_t vmlab_region_write(struct file *file, const char __user *buf,
			   size_t count, loff_t *ppos)
{
	struct vmlab_region *region;
	struct folio *folio;
	size_t done = 0, n;
	void *bounce, *kaddr;
	u64 start;
	int ret = 0;

	region = vmlab_rw_region(*ppos, &start);
	if (IS_ERR(region))
		return PTR_ERR(region);
	if (region->flags & VMLAB_REGION_READONLY) {
		ret = -EACCES;
		goto put_region;
	}
	if (start >= region->length) {
		ret = count ? -ENOSPC : 0;
		goto put_region;
	}
	count = min_t(u64, count, region->length - start);
	bounce = kmalloc(PAGE_SIZE, GFP_KERNEL);
	if (!bounce) {
		ret = -ENOMEM;
		goto put_region;
	}

	while (done < count) {
		n = min_t(size_t, count - done, PAGE_SIZE - offset_in_page(start));
		if (copy_from_user(bounce, buf + done, n)) {
			ret = -EFAULT;
			break;
		}
		folio = vmlab_rw_folio(region, start);
		if (!folio) {
			ret = -EIO;
			break;
		}
		folio_lock(folio);
		/* again under the lock, with which memory_failure() drops one */
		if (folio_test_hwpoison(folio) ||
		    folio->mapping != region->inode->i_mapping) {
			folio_unlock(folio);
			folio_put(folio);
			ret = -EIO;
			break;
		}
		kaddr = kmap_local_folio(folio, offset_in_folio(folio, start));
		memcpy(kaddr, bounce, n);
		kunmap_local(kaddr);
		if (!folio_test_set_dirty(folio))
			atomic64_inc(&region->cnt.pages_dirty);
		folio_unlock(folio);
		folio_put(folio);
		done += n;
		start += n;
	}
	kfree(bounce);
	*ppos += done;
put_region:
	vmlab_region_put(region);
	return done ? done : ret;
}

/*
 * lseek of /dev/vmlab: SEEK_SET and SEEK_CUR anywhere; SEEK_END is relative
 * to the end of the region the current position selects (ENXIO if none).
 */
loff_t vmlab_region_llseek(struct file *file, loff_t offset, int whence)
{
	struct vmlab_region *region;
	loff_t eof = 0;
	u64 start;

	if (whence == SEEK_END || whence == SEEK_DATA || whence == SEEK_HOLE) {
		region = vmlab_region_at(file->f_pos, &start);
		if (!region)
			return -ENXIO;
		eof = vmlab_region_offset(region) + region->length;
		vmlab_region_put(region);
	}
	return generic_file_llseek_size(file, offset, whence, OFFSET_MAX, eof);
}

/*
 * "Writes back" the dirty pages of a FILE region in [@start, @end] (byte
 * offsets in the region): each is write-protected in every mapping through
 * rmap and made clean, so that the next write through a mapping calls
 * page_mkwrite again. Caller holds a reference to @region; each page is
 * handled under its folio lock, as page_mkwrite and pwrite dirty it.
 */
int vmlab_region_writeback(struct vmlab_region *region, u64 start, u64 end)
{
	struct address_space *mapping;
	struct folio *folio;
	pgoff_t index, last;

	if (region->kind != VMLAB_REGION_FILE || start >= region->length)
		return 0;
	mapping = region->inode->i_mapping;
	last = min_t(u64, end, region->length - 1) >> PAGE_SHIFT;
	for (index = start >> PAGE_SHIFT; index <= last; index++) {
		folio = vmlab_filemap_get_folio(mapping, index);
		if (!folio)
			continue;
		folio_lock(folio);
		if (folio_test_dirty(folio)) {
			folio_mkclean(folio);
			folio_clear_dirty(folio);
			atomic64_dec(&region->cnt.pages_dirty);
			atomic64_inc(&region->cnt.writebacks);
		}
		folio_unlock(folio);
		folio_put(folio);
		cond_resched();
	}
	return 0;
}

/*
 * fsync of /dev/vmlab: writes back every FILE region. Each region is found
 * and referenced under vmlab_regions_lock, and written back (rmap walks
 * that may take long) after it is dropped, so that region lookups (every
 * mmap of /dev/vmlab, with its mmap_lock held for write) need not wait.
 * A mapping's fsync (msync) is vm_ops.c's, for its own region only.
 */
int vmlab_region_fsync_all(struct file *file, loff_t start, loff_t end,
			   int datasync)
{
	struct vmlab_region *region;
	unsigned long id = 0;

	for (;;) {
		mutex_lock(&vmlab_regions_lock);
		region = xa_find(&vmlab_regions, &id, ULONG_MAX, XA_PRESENT);
		if (region)
			kref_get(&region->ref);
		mutex_unlock(&vmlab_regions_lock);
		if (!region)
			return 0;
		vmlab_region_writeback(region, 0, region->length - 1);
		vmlab_region_put(region);
		id++;
	}
}

u64 vmlab_regions_features(void)
{
	u64 features = VMLAB_FEAT_REGIONS | VMLAB_FEAT_PCI;

	if (VMLAB_HAVE_PFN_PMD)
		features |= VMLAB_FEAT_DEVICE_PMD;
	return features;
}

static void vmlab_zero_pages_free(void)
{
	while (vmlab_nr_zero_copies)
		__free_page(vmlab_zero_copies[--vmlab_nr_zero_copies]);
	__free_page(vmlab_zero_page);
}

int vmlab_regions_init(void)
{
	unsigned int nr = min(num_possible_cpus(), VMLAB_ZERO_COPIES);
	int ret = -ENOMEM;

	vmlab_zero_page = alloc_page(GFP_KERNEL | __GFP_ZERO);
	if (!vmlab_zero_page)
		return -ENOMEM;
	while (vmlab_nr_zero_copies < nr) {
		struct page *page = alloc_page(GFP_KERNEL | __GFP_ZERO);

		if (!page)
			goto free_pages;
		vmlab_zero_copies[vmlab_nr_zero_copies++] = page;
	}
	vmlab_anon_file = anon_inode_getfile("[vmlab]", &generic_ro_fops, NULL,
					     O_RDONLY);
	if (IS_ERR(vmlab_anon_file)) {
		ret = PTR_ERR(vmlab_anon_file);
		goto free_pages;
	}
	return 0;

free_pages:
	vmlab_zero_pages_free();
	return ret;
}

/* Frees every region: none is mapped, or the module could not go. */
void vmlab_regions_exit(void)
{
	struct vmlab_region *region;
	unsigned long id;

	xa_for_each(&vmlab_regions, id, region) {
		xa_erase(&vmlab_regions, id);
		vmlab_region_put(region);
	}
	xa_destroy(&vmlab_regions);
	WARN_ON(atomic64_read(&vmlab_total_bytes));
	WARN_ON(atomic64_read(&vmlab_pages_in_use));
	fput(vmlab_anon_file);
	vmlab_zero_pages_free();
}
