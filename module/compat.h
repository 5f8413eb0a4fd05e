/* SPDX-License-Identifier: GPL-2.0 */
/*
 * compat.h - every kernel-version difference vmlab.ko builds across (Debian's
 * 6.1, 6.12 and 7.x), and nothing else. The rest of the module includes this
 * and never tests LINUX_VERSION_CODE itself.
 */
#ifndef _VMLAB_COMPAT_H
#define _VMLAB_COMPAT_H

#include <linux/version.h>

/* the one place vmlab reads the kernel version */
#define VMLAB_KERNEL_AT_LEAST(major, minor) \
	(KERNEL_VERSION(major, minor, 0) <= LINUX_VERSION_CODE)

#include <linux/err.h>
#include <linux/mm.h>
#include <linux/huge_mm.h>
#include <linux/pagemap.h>
#include <linux/set_memory.h>
#include <linux/vmlab.h>

/* pfn_t went away in 6.17: the PFN-insert helpers take plain pfns since */
#if !VMLAB_KERNEL_AT_LEAST(6, 17)
#include <linux/pfn_t.h>
#endif

/* vm_flags became write-protected behind vm_flags_set/clear in 6.3. */
static inline void vmlab_vm_flags_set(struct vm_area_struct *vma, vm_flags_t flags)
{
#if VMLAB_KERNEL_AT_LEAST(6, 3)
	vm_flags_set(vma, flags);
#else
	vma->vm_flags |= flags;
#endif
}

static inline void vmlab_vm_flags_clear(struct vm_area_struct *vma, vm_flags_t flags)
{
#if VMLAB_KERNEL_AT_LEAST(6, 3)
	vm_flags_clear(vma, flags);
#else
	vma->vm_flags &= ~flags;
#endif
}

/*
 * The page-cache folio at @index with a reference, or NULL: filemap_get_folio
 * returned NULL for "none" until 6.3 and ERR_PTR(-ENOENT) since.
 */
static inline struct folio *vmlab_filemap_get_folio(struct address_space *mapping,
						    pgoff_t index)
{
	struct folio *folio = filemap_get_folio(mapping, index);

	return IS_ERR(folio) ? NULL : folio;
}

/*
 * PMD-sized PFN inserts. 6.1 exports vmf_insert_pfn_pmd_prot, but its fault
 * path never offers a huge fault to a VM_PFNMAP VMA (hugepage_vma_check
 * refuses VM_SPECIAL); from 6.12 it does, vmf_insert_pfn_pmd is exported
 * and ->huge_fault takes an order (an enum page_entry_size until 6.5).
 * vmf_insert_pfn_pmd takes a pfn_t until 6.17 and a plain pfn after.
 */
#if VMLAB_KERNEL_AT_LEAST(6, 12) && defined(CONFIG_TRANSPARENT_HUGEPAGE)
#define VMLAB_HAVE_PFN_PMD	1
#define VMLAB_HUGE_FAULT_ARGS	struct vm_fault *vmf, unsigned int order
#define VMLAB_HUGE_FAULT_IS_PMD	(order == PMD_ORDER)

static inline vm_fault_t vmlab_insert_pfn_pmd(struct vm_fault *vmf,
					      unsigned long pfn, bool write)
{
#if VMLAB_KERNEL_AT_LEAST(6, 17)
	return vmf_insert_pfn_pmd(vmf, pfn, write);
#else
	return vmf_insert_pfn_pmd(vmf, __pfn_to_pfn_t(pfn, PFN_DEV), write);
#endif
}
#else
#define VMLAB_HAVE_PFN_PMD	0
#endif

/*
 * Caching attributes of the kernel's direct map over RAM handed out as WC
 * or UC: x86's PAT insists every mapping of a page agrees on its memory
 * type, so the direct-map alias changes with the user mapping.
 */
static inline int vmlab_set_memory_cache(unsigned long addr, int numpages,
					 u32 cache)
{
#ifdef CONFIG_X86
	switch (cache) {
	case VMLAB_CACHE_WC:
		return set_memory_wc(addr, numpages);
	case VMLAB_CACHE_UC:
		return set_memory_uc(addr, numpages);
	default:
		return set_memory_wb(addr, numpages);
	}
#else
	return 0;
#endif
}

#endif /* _VMLAB_COMPAT_H */
