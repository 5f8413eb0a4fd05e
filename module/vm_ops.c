// SPDX-License-Identifier: GPL-2.0
/*
 * vm_ops.c: mmap of /dev/vmlab, the file behind each mapping, and the
 * vm_operations_struct of each region kind that mmap installs.
 *
 * mmap: the file offset selects a region and a page in it (see region.c).
 * Every region has an inode, and each mapping gets a file of its own on it
 * (vma_set_file), whose f_op owns the module: a mapping pins vmlab.ko,
 * while a region that is not mapped does not. Its fsync, which msync
 * (MS_SYNC) calls, concerns the mapping's region only.
 *
 * FILE: pages of the region's page cache. fault returns the page (locked);
 * in a MAP_PRIVATE mapping the kernel copies it on a write fault. map_pages
 * is the kernel's fault-around over the same page cache. page_mkwrite marks
 * a clean page dirty on the first write through a MAP_SHARED mapping.
 * ANON: a page of the region's page cache, allocated zeroed on the first
 * touch through a MAP_SHARED mapping (charged as shmem charges: over a
 * memory cgroup's limit its OOM killer runs); a MAP_PRIVATE mapping reads
 * the region's page, or vmlab's zero page where the region has none, until
 * it writes (the kernel copies either; the zero page is mapped by us, the
 * mapping is VM_MIXEDMAP); adding a page zaps the zero page there from
 * private mappings. map_pages is fault-around over the same
 * page cache, for both.
 * DEVICE: PFNs of the region's contiguous memory, inserted at fault time,
 * a PMD at once where the kernel allows it and alignment fits.
 * PCI: the same over a device's BAR, each fault inside
 * vmlab_pci_fault_begin/end: once the device is gone a fault gets SIGBUS,
 * and a fault that began before has inserted its PFN before the device's
 * removal zaps the mappings (see pci.c).
 *
 * Every VMA mapping a region holds a reference to it (open/close), so that
 * splits, mremap and fork keep the region alive and the mapping count right.
 * No printk here: the vmlab_fault and vmlab_page_mkwrite tracepoints are the
 * fault path's only output.
 *
 * Locking: the kernel calls these with the VMA held (mmap lock or, from
 * 6.4, the per-VMA lock) and map_pages under RCU as well; the region is
 * alive because the VMA holds a reference. Page-cache pages are serialised
 * by their folio lock (fault, page_mkwrite, pwrite, writeback); private
 * ANON read faults look up and map the zero page under a rwsem held for
 * read (see region.c); counters
 * are atomic. Nothing here takes vmlab_regions_lock; PCI faults take their
 * device's gone_lock for read.
 */
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/overflow.h>
#include <linux/pagemap.h>
#include <linux/vmlab.h>

#include "compat.h"
#include "internal.h"

#define CREATE_TRACE_POINTS
#include "trace.h"

static void vmlab_vma_open(struct vm_area_struct *vma)
{
	struct vmlab_region *region = vma->vm_private_data;

	kref_get(&region->ref);
	atomic64_inc(&region->cnt.mappings);
}

static void vmlab_vma_close(struct vm_area_struct *vma)
{
	struct vmlab_region *region = vma->vm_private_data;

	atomic64_dec(&region->cnt.mappings);
	vmlab_region_put(region);
}

/* Counts a fault handler call; true if it is a write. */
static bool vmlab_count_fault(struct vmlab_region *region, struct vm_fault *vmf)
{
	bool write = vmf->flags & FAULT_FLAG_WRITE;

	if (!write) {
		atomic64_inc(&region->cnt.read_faults);
		return false;
	}
	atomic64_inc(&region->cnt.write_faults);
	if (!(vmf->vma->vm_flags & VM_SHARED))
		atomic64_inc(&region->cnt.cow_faults);
	return true;
}

/* Returns @folio, which the caller holds, locked as the page of @vmf. */
static vm_fault_t vmlab_fault_folio(struct vm_fault *vmf, struct folio *folio)
{
	folio_lock(folio);
	vmf->page = folio_file_page(folio, vmf->pgoff);
	return VM_FAULT_LOCKED;
}

static vm_fault_t vmlab_file_fault(struct vm_fault *vmf)
{
	struct vmlab_region *region = vmf->vma->vm_private_data;
	bool write = vmlab_count_fault(region, vmf);
	struct folio *folio = NULL;
	vm_fault_t ret = VM_FAULT_SIGBUS;

	if (vmf->pgoff < region->nr_pages)
		folio = vmlab_filemap_get_folio(vmf->vma->vm_file->f_mapping,
						vmf->pgoff);
	if (folio)
		ret = vmlab_fault_folio(vmf, folio);
	trace_vmlab_fault(region->id, vmf->pgoff, write, ret);
	return ret;
}

/*
 * Fault-around over the region's page cache (FILE and ANON), the kernel's
 * own filemap_map_pages(). Having a map_pages also lets the kernel call
 * ->fault under the per-VMA lock (6.4+): without one, do_read_fault(),
 * do_cow_fault() and do_shared_fault() give up that lock and the whole
 * fault is retried under the mmap lock (vmf_can_call_fault()).
 */
static vm_fault_t vmlab_map_pages(struct vm_fault *vmf, pgoff_t start_pgoff,
				  pgoff_t end_pgoff)
{
	struct vmlab_region *region = vmf->vma->vm_private_data;

	atomic64_inc(&region->cnt.map_pages);
	return filemap_map_pages(vmf, start_pgoff, end_pgoff);
}

/*
 * The first write to a clean page of a MAP_SHARED mapping: the page becomes
 * dirty, and stays writable until a writeback write-protects it again.
 */
static vm_fault_t vmlab_file_page_mkwrite(struct vm_fault *vmf)
{
	struct vmlab_region *region = vmf->vma->vm_private_data;
	struct folio *folio = page_folio(vmf->page);
	vm_fault_t ret = VM_FAULT_LOCKED;

	atomic64_inc(&region->cnt.page_mkwrite);
	folio_lock(folio);
	if (folio->mapping != vmf->vma->vm_file->f_mapping) {
		folio_unlock(folio);
		ret = VM_FAULT_NOPAGE;	/* gone from the cache: retry */
	} else if (!folio_test_set_dirty(folio)) {
		atomic64_inc(&region->cnt.pages_dirty);
	}
	trace_vmlab_page_mkwrite(region->id, vmf->pgoff, true, ret);
	return ret;
}

/*
 * A fault of a MAP_PRIVATE ANON mapping: the region's page where it has one
 * (the kernel copies it on a write), else zeroes. A read maps vmlab's zero
 * page itself (vmlab_zero_page_map(): the mapping is VM_MIXEDMAP for it),
 * ordered against a shared fault adding the page, and takes no page lock:
 * read faults do not wait for each other. A write, which the kernel serves
 * by copying the page returned and locks it meanwhile, copies one of the
 * per-CPU zero pages that are never mapped.
 */
static vm_fault_t vmlab_anon_private_fault(struct vm_fault *vmf)
{
	struct folio *folio;
	vm_fault_t ret;

	if (vmf->flags & FAULT_FLAG_WRITE) {
		folio = vmlab_filemap_get_folio(vmf->vma->vm_file->f_mapping,
						vmf->pgoff);
		if (folio)
			return vmlab_fault_folio(vmf, folio);
		vmf->page = vmlab_zero_copy_source();
		return 0;
	}
	folio = vmlab_zero_page_map(vmf, &ret);
	return folio ? vmlab_fault_folio(vmf, folio) : ret;
}

/*
 * A fault of a MAP_SHARED ANON mapping: the region's page, added zeroed on
 * the first touch. A failed charge is VM_FAULT_OOM after the memory
 * cgroup's OOM killer ran (vmlab_region_add_page()), as in shmem's fault.
 */
static vm_fault_t vmlab_anon_shared_fault(struct vm_fault *vmf)
{
	struct vmlab_region *region = vmf->vma->vm_private_data;
	struct address_space *mapping = vmf->vma->vm_file->f_mapping;
	struct folio *folio;

	for (;;) {
		folio = vmlab_filemap_get_folio(mapping, vmf->pgoff);
		if (folio)
			return vmlab_fault_folio(vmf, folio);
		folio = vmlab_region_add_page(region, vmf->pgoff, GFP_KERNEL);
		if (!IS_ERR(folio)) {
			vmf->page = folio_file_page(folio, vmf->pgoff);
			return VM_FAULT_LOCKED;
		}
		if (PTR_ERR(folio) != -EEXIST)
			return vmf_error(PTR_ERR(folio));
		/* another fault added the page first: take that one */
	}
}

static vm_fault_t vmlab_anon_fault(struct vm_fault *vmf)
{
	struct vmlab_region *region = vmf->vma->vm_private_data;
	bool write = vmlab_count_fault(region, vmf);
	vm_fault_t ret;

	if (vmf->pgoff >= region->nr_pages)
		ret = VM_FAULT_SIGBUS;
	else if (vmf->vma->vm_flags & VM_MAYSHARE)
		ret = vmlab_anon_shared_fault(vmf);
	else
		ret = vmlab_anon_private_fault(vmf);
	trace_vmlab_fault(region->id, vmf->pgoff, write, ret);
	return ret;
}

static vm_fault_t vmlab_device_fault(struct vm_fault *vmf)
{
	struct vmlab_region *region = vmf->vma->vm_private_data;
	bool write = vmlab_count_fault(region, vmf);
	vm_fault_t ret = VM_FAULT_SIGBUS;

	if (vmf->pgoff < region->nr_pages)
		ret = vmf_insert_pfn(vmf->vma, vmf->address, region->pfn + vmf->pgoff);
	trace_vmlab_fault(region->id, vmf->pgoff, write, ret);
	return ret;
}

#if VMLAB_HAVE_PFN_PMD
/*
 * A PMD-sized fault: one PMD maps 2 MiB of the region when the PMD's range
 * lies inside the VMA and the region, and the memory is 2 MiB aligned.
 * huge_faults counts PMDs inserted: two threads faulting the same empty
 * PMD at once both get here, and the second insert finds the first's PMD
 * and does nothing. Checking the PMD and inserting under the region's
 * huge_lock tells the two apart (a zap racing with the fault aside).
 */
static vm_fault_t vmlab_device_huge_insert(struct vm_fault *vmf, bool is_pmd)
{
	struct vm_area_struct *vma = vmf->vma;
	struct vmlab_region *region = vma->vm_private_data;
	unsigned long addr = vmf->address & PMD_MASK;
	bool write = vmf->flags & FAULT_FLAG_WRITE;
	unsigned long pfn;
	spinlock_t *ptl;	/* the PMD's */
	pgoff_t pgoff;
	vm_fault_t ret;
	bool empty;

	if (!is_pmd || addr < vma->vm_start ||
	    vma->vm_end - addr < PMD_SIZE)
		return VM_FAULT_FALLBACK;
	pgoff = vma->vm_pgoff + ((addr - vma->vm_start) >> PAGE_SHIFT);
	pfn = region->pfn + pgoff;
	if (pgoff + PTRS_PER_PMD > region->nr_pages ||
	    !IS_ALIGNED(pfn, PTRS_PER_PMD))
		return VM_FAULT_FALLBACK;

	vmlab_count_fault(region, vmf);
	mutex_lock(&region->huge_lock);
	ptl = pmd_lock(vma->vm_mm, vmf->pmd);
	empty = pmd_none(*vmf->pmd);
	spin_unlock(ptl);
	ret = vmlab_insert_pfn_pmd(vmf, pfn, write);
	mutex_unlock(&region->huge_lock);
	if (ret == VM_FAULT_NOPAGE && empty)
		atomic64_inc(&region->cnt.huge_faults);
	trace_vmlab_fault(region->id, pgoff, write, ret);
	return ret;
}

static vm_fault_t vmlab_device_huge_fault(VMLAB_HUGE_FAULT_ARGS)
{
	return vmlab_device_huge_insert(vmf, VMLAB_HUGE_FAULT_IS_PMD);
}
#endif

static vm_fault_t vmlab_pci_fault(struct vm_fault *vmf)
{
	struct vmlab_region *region = vmf->vma->vm_private_data;
	vm_fault_t ret;

	if (!vmlab_pci_fault_begin(region)) {
		trace_vmlab_fault(region->id, vmf->pgoff,
				  vmlab_count_fault(region, vmf), VM_FAULT_SIGBUS);
		return VM_FAULT_SIGBUS;
	}
	ret = vmlab_device_fault(vmf);
	vmlab_pci_fault_end(region);
	return ret;
}

#if VMLAB_HAVE_PFN_PMD
static vm_fault_t vmlab_pci_huge_fault(VMLAB_HUGE_FAULT_ARGS)
{
	struct vmlab_region *region = vmf->vma->vm_private_data;
	vm_fault_t ret;

	/* gone: the PTE-sized fault that follows raises SIGBUS */
	if (!vmlab_pci_fault_begin(region))
		return VM_FAULT_FALLBACK;
	ret = vmlab_device_huge_insert(vmf, VMLAB_HUGE_FAULT_IS_PMD);
	vmlab_pci_fault_end(region);
	return ret;
}
#endif

static const struct vm_operations_struct vmlab_file_vm_ops = {
	.open		= vmlab_vma_open,
	.close		= vmlab_vma_close,
	.fault		= vmlab_file_fault,
	.map_pages	= vmlab_map_pages,
	.page_mkwrite	= vmlab_file_page_mkwrite,
};

static const struct vm_operations_struct vmlab_anon_vm_ops = {
	.open		= vmlab_vma_open,
	.close		= vmlab_vma_close,
	.fault		= vmlab_anon_fault,
	.map_pages	= vmlab_map_pages,
};

static const struct vm_operations_struct vmlab_device_vm_ops = {
	.open		= vmlab_vma_open,
	.close		= vmlab_vma_close,
	.fault		= vmlab_device_fault,
#if VMLAB_HAVE_PFN_PMD
	.huge_fault	= vmlab_device_huge_fault,
#endif
};

static const struct vm_operations_struct vmlab_pci_vm_ops = {
	.open		= vmlab_vma_open,
	.close		= vmlab_vma_close,
	.fault		= vmlab_pci_fault,
#if VMLAB_HAVE_PFN_PMD
	.huge_fault	= vmlab_pci_huge_fault,
#endif
};

static const struct vm_operations_struct *vmlab_vm_ops(u32 kind)
{
	switch (kind) {
	case VMLAB_REGION_FILE:
		return &vmlab_file_vm_ops;
	case VMLAB_REGION_ANON:
		return &vmlab_anon_vm_ops;
	case VMLAB_REGION_PCI:
		return &vmlab_pci_vm_ops;
	default:
		return &vmlab_device_vm_ops;
	}
}

static bool vmlab_is_vm_ops(const struct vm_operations_struct *ops)
{
	return ops == &vmlab_file_vm_ops || ops == &vmlab_anon_vm_ops ||
	       ops == &vmlab_device_vm_ops || ops == &vmlab_pci_vm_ops;
}

bool vmlab_vma_region(const struct vm_area_struct *vma, u32 *id, u32 *kind)
{
	const struct vmlab_region *region;

	if (!vmlab_is_vm_ops(vma->vm_ops))
		return false;
	region = vma->vm_private_data;
	*id = region->id;
	*kind = region->kind;
	return true;
}

/* fsync, or msync(MS_SYNC), of a mapping: offsets are region offsets */
static int vmlab_region_file_fsync(struct file *file, loff_t start, loff_t end,
				   int datasync)
{
	struct vmlab_region *region = file->private_data;

	if (start < 0 || end < start)
		return -EINVAL;
	return vmlab_region_writeback(region, start, end);
}

static int vmlab_region_file_release(struct inode *inode, struct file *file)
{
	vmlab_region_put(file->private_data);
	return 0;
}

/* the file behind every mapping of a region (see the top of this file) */
static const struct file_operations vmlab_region_fops = {
	.owner		= THIS_MODULE,
	.release	= vmlab_region_file_release,
	.fsync		= vmlab_region_file_fsync,
	.llseek		= noop_llseek,
};

/*
 * A file of its own on @region's inode, for one mapping: its f_op pins the
 * module, and it holds a reference to the region (for fsync, which msync
 * calls without the mmap lock) until its release.
 */
static struct file *vmlab_region_file(struct vmlab_region *region)
{
	struct file *file;

	__module_get(THIS_MODULE);	/* put by __fput through f_op->owner */
	ihold(region->inode);
	file = alloc_file_pseudo(region->inode, vmlab_region_mnt(),
				 "vmlab-region", O_RDWR, &vmlab_region_fops);
	if (IS_ERR(file)) {
		iput(region->inode);
		module_put(THIS_MODULE);
		return file;
	}
	kref_get(&region->ref);
	file->private_data = region;
	return file;
}

/* DEVICE and PCI regions: PFN maps of memory without struct page */
static bool vmlab_region_pfnmap(const struct vmlab_region *region)
{
	return region->kind == VMLAB_REGION_DEVICE || region->kind == VMLAB_REGION_PCI;
}

/*
 * mmap of /dev/vmlab: the offset selects a region and a page in it. Checks
 * the range and the kind's rules, then hands the VMA to the kind's vm_ops
 * with a reference to the region (dropped by vm_ops->close).
 */
int vmlab_region_mmap(struct file *file, struct vm_area_struct *vma)
{
	unsigned long len = vma->vm_end - vma->vm_start;
	struct vmlab_region *region;
	struct file *rfile;
	u64 off, start, end;
	int ret;

	if (check_shl_overflow((u64)vma->vm_pgoff, PAGE_SHIFT, &off))
		return -EINVAL;
	region = vmlab_region_at(off, &start);
	if (!region)
		return -ENXIO;

	ret = -EINVAL;
	if (check_add_overflow(start, (u64)len, &end) || end > region->length)
		goto put_region;
	if (vmlab_region_pfnmap(region) && !(vma->vm_flags & VM_MAYSHARE))
		goto put_region;
	/* device memory is root's: the rule of creation holds for every mapping */
	ret = -EPERM;
	if (region->pci && !vmlab_may_use_device(file))
		goto put_region;
	ret = -ENODEV;
	if (region->pci && vmlab_pci_gone(region))
		goto put_region;
	ret = -EACCES;
	if ((region->flags & VMLAB_REGION_READONLY) &&
	    (vma->vm_flags & VM_SHARED) && (vma->vm_flags & VM_WRITE))
		goto put_region;

	rfile = vmlab_region_file(region);
	if (IS_ERR(rfile)) {
		ret = PTR_ERR(rfile);
		goto put_region;
	}

	/* nothing fails from here on */
	if ((region->flags & VMLAB_REGION_READONLY) && (vma->vm_flags & VM_MAYSHARE))
		vmlab_vm_flags_clear(vma, VM_MAYWRITE);
	/* a private ANON mapping maps vmlab's zero page (vmf_insert_mixed()) */
	if (region->kind == VMLAB_REGION_ANON && !(vma->vm_flags & VM_MAYSHARE))
		vmlab_vm_flags_set(vma, VM_MIXEDMAP);
	if (region->pci)	/* what io_remap_pfn_range() adds */
		vma->vm_page_prot = pgprot_decrypted(vma->vm_page_prot);
	if (vmlab_region_pfnmap(region)) {
		vmlab_vm_flags_set(vma, VM_PFNMAP | VM_IO | VM_DONTEXPAND | VM_DONTDUMP);
		if (region->cache == VMLAB_CACHE_WC)
			vma->vm_page_prot = pgprot_writecombine(vma->vm_page_prot);
		else if (region->cache == VMLAB_CACHE_UC)
			vma->vm_page_prot = pgprot_noncached(vma->vm_page_prot);
	}
	vma_set_file(vma, rfile);	/* takes its own reference */
	fput(rfile);
	/* from now on the VMA's page offsets are page indexes in the region */
	vma->vm_pgoff = start >> PAGE_SHIFT;
	vma->vm_private_data = region;
	vma->vm_ops = vmlab_vm_ops(region->kind);
	atomic64_inc(&region->cnt.mappings);
	return 0;

put_region:
	vmlab_region_put(region);
	return ret;
}
