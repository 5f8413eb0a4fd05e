// SPDX-License-Identifier: GPL-2.0
/*
 * leaf.c: what a leaf of the page tables means, on any architecture: its
 * flags and caching mode (read through arch.h), the swap entry of one that
 * is not present, the page behind one that is and that page's state, and
 * the copy-on-write verdict, what a write to it would do.
 *
 * The walker (walk.c) calls in with the leaf's page-table lock held, so a
 * present entry cannot be zapped: its page is neither freed nor split while
 * we look. Nothing here sleeps.
 */
#include <linux/hugetlb_inline.h>
#include <linux/mm.h>
#include <linux/pgtable.h>
#include <linux/swap.h>
#include <linux/swapops.h>
#include <linux/vmlab.h>

#include "arch.h"
#include "compat.h"
#include "internal.h"
#include "leaf.h"

/*
 * Whether the present leaf @pte of @level at @addr in the PFN map @vma is
 * the map's own entry, with no page, as vm_normal_page() and
 * vm_normal_page_pmd() decide: every entry of a shared PFN map is; in a
 * private one (is_cow_mapping()), a write fault may have put an anonymous
 * copy in place of the entry remap_pfn_range() made, and that is a normal
 * page. The map's own entries have the special bit where the architecture
 * has one for PTEs; without it (and for a PMD, of which a private PFN map
 * has none) the map's own entry is the one whose PFN is where
 * remap_pfn_range() put it: vm_pgoff plus the page's offset in the VMA.
 */
static bool vmlab_leaf_pfnmap_own(struct vm_area_struct *vma, pte_t pte,
				  u32 level, unsigned long addr, unsigned long pfn)
{
	if (!is_cow_mapping(vma->vm_flags) || pte_special(pte))
		return true;
	if (level == VMLAB_LEVEL_PTE && IS_ENABLED(CONFIG_ARCH_HAS_PTE_SPECIAL))
		return false;
	return pfn == vma->vm_pgoff + ((addr - vma->vm_start) >> PAGE_SHIFT);
}

/*
 * The page behind a present leaf at @addr, as vm_normal_page() (not
 * exported) would find it: none for a PFN map's own entry, for a special
 * entry other than a zero page, or where the PFN has no struct page. The
 * huge zero page's PMD is special on 7.x, and an anonymous VMA has no other
 * special PMD; vmlab's own zero page counts as one too, however a region
 * maps it.
 */
static struct page *vmlab_leaf_page(struct vm_area_struct *vma, pte_t pte,
				    u32 level, unsigned long addr, unsigned long pfn)
{
	if (!pfn_valid(pfn))
		return NULL;
	if ((vma->vm_flags & VM_PFNMAP) &&
	    vmlab_leaf_pfnmap_own(vma, pte, level, addr, pfn))
		return NULL;
	if (pte_special(pte) && !is_zero_pfn(pfn) &&
	    !(level == VMLAB_LEVEL_PMD && vma_is_anonymous(vma)) &&
	    !vmlab_is_zero_page(pfn_to_page(pfn)))
		return NULL;
	return pfn_to_page(pfn);
}

/*
 * Whether a write fault reuses the anonymous page of @lf, mapped once and
 * not known exclusive (a fork's child is gone), by the rule for a small
 * folio (wp_can_reuse_anon_folio(), do_wp_page() on 6.1): only when no one
 * else holds a reference (a pin, a pipe), besides the swap cache and, for a
 * folio not on the LRU yet, the per-CPU batch the fault drains first. (If
 * that batch is another CPU's, the fault copies: a guess we cannot make
 * better from here.)
 */
static bool vmlab_wp_small_reuses(const struct vmlab_leaf *lf)
{
	return lf->mapcount <= 1 &&
	       lf->refcount <= 1 + !!(lf->page_flags & VMLAB_PAGE_SWAPCACHE) +
			       !(lf->page_flags & VMLAB_PAGE_LRU);
}

/*
 * The state of @page, mapped by a present leaf of @level. Caller holds that
 * leaf's page-table lock: the page stays mapped, so it is neither freed nor
 * split while we look.
 */
static void vmlab_page_state(struct vm_area_struct *vma, struct page *page,
			     u32 level, struct vmlab_leaf *lf)
{
	struct folio *folio = page_folio(page);
	bool anon = folio_test_anon(folio);
	u32 flags = VMLAB_PAGE_PRESENT;

	if (is_zero_pfn(page_to_pfn(page)))
		flags |= VMLAB_PAGE_ZERO;
	/*
	 * huge_zero_folio is not exported: an anonymous VMA maps only anon
	 * folios and the zero pages, so a huge non-anon leaf there is the huge
	 * zero page.
	 */
	else if (level == VMLAB_LEVEL_PMD && vma_is_anonymous(vma) && !anon)
		flags |= VMLAB_PAGE_HUGE_ZERO;
	if (vmlab_is_zero_page(page))
		flags |= VMLAB_PAGE_VMLAB_ZERO;
	if (anon)
		flags |= VMLAB_PAGE_ANON;
	if (folio_test_ksm(folio))
		flags |= VMLAB_PAGE_KSM;
	else if (anon && PageAnonExclusive(page))
		flags |= VMLAB_PAGE_ANON_EXCLUSIVE;
	if (folio_test_large(folio)) {
		flags |= VMLAB_PAGE_COMPOUND;
		if (!is_vm_hugetlb_page(vma) && !(flags & VMLAB_PAGE_HUGE_ZERO))
			flags |= VMLAB_PAGE_THP;
	}
	if (folio_test_lru(folio))
		flags |= VMLAB_PAGE_LRU;
	if (folio_test_dirty(folio))
		flags |= VMLAB_PAGE_DIRTY;
	if (folio_test_swapcache(folio))
		flags |= VMLAB_PAGE_SWAPCACHE;
	if (!anon && lf->vma_region)
		flags |= VMLAB_PAGE_VMLAB;

	lf->page_flags = flags;
	lf->refcount = folio_ref_count(folio);
	lf->mapcount = max(vmlab_mapcount(page), 0);
	lf->order = folio_order(folio);
	/* the write fault's rule for this one needs the folio: decide now */
	if (anon && (flags & VMLAB_PAGE_THP) && level == VMLAB_LEVEL_PTE &&
	    !(flags & (VMLAB_PAGE_KSM | VMLAB_PAGE_ANON_EXCLUSIVE))) {
		bool as_small = vmlab_wp_small_reuses(lf);

		lf->large_reuse = vmlab_wp_can_reuse_large_anon(folio, as_small);
	}
}

bool vmlab_leaf_decode(struct vm_area_struct *vma, u32 level, u64 raw,
		       unsigned long pfn, struct vmlab_leaf *lf)
{
	pte_t pte = vmlab_arch_leaf_pte(raw, level);
	struct page *page;

	lf->found = true;
	lf->entry = raw;
	lf->leaf_flags = vmlab_arch_entry_flags(raw, level);

	if (!pte_present(pte)) {
		swp_entry_t entry = vmlab_pte_to_swp(pte);

		if (vmlab_swp_is_migration(entry))
			lf->leaf_flags |= VMLAB_PTE_MIGRATION;
		else if (swp_type(entry) < MAX_SWAPFILES)
			lf->leaf_flags |= VMLAB_PTE_SWAP;
		lf->swap_type = swp_type(entry);
		lf->swap_offset = swp_offset(entry);
		return false;
	}

	lf->pfn = pfn;
	lf->cache_mode = vmlab_arch_cache_mode(raw, level);
	page = vmlab_leaf_page(vma, pte, level, lf->start, pfn);
	if (page)
		vmlab_page_state(vma, page, level, lf);
	return true;
}

/*
 * Whether a write fault reuses the anonymous page of @lf, mapped
 * write-protected in a private @vma, neither KSM nor known exclusive. Each
 * kind of page has its own rule in the kernel:
 * - hugetlb (hugetlb_wp()): when this is its only mapping;
 * - a THP mapped by a PMD (do_huge_pmd_wp_page()): when the mapping holds
 *   its only reference, besides the swap cache's; otherwise the fault
 *   splits the PMD and copies the one page written;
 * - a large folio mapped by PTEs: the kernel's own rule, decided in
 *   vmlab_page_state() (see vmlab_wp_can_reuse_large_anon());
 * - a small folio: vmlab_wp_small_reuses().
 */
static bool vmlab_wp_reuses(struct vm_area_struct *vma, const struct vmlab_leaf *lf)
{
	u32 swapcache = !!(lf->page_flags & VMLAB_PAGE_SWAPCACHE);

	if (is_vm_hugetlb_page(vma))
		return lf->mapcount <= 1;
	if (lf->level != VMLAB_LEVEL_PTE)
		return lf->refcount == 1 + (swapcache << lf->order);
	if (lf->page_flags & VMLAB_PAGE_THP)
		return lf->large_reuse;
	return vmlab_wp_small_reuses(lf);
}

/* What a write to the leaf would do, from the leaf, its page and the VMA. */
u32 vmlab_leaf_verdict(struct vm_area_struct *vma, const struct vmlab_leaf *lf)
{
	bool write = lf->leaf_flags & VMLAB_PTE_WRITE;

	if (!lf->found)
		return VMLAB_COW_NONE;
	if (lf->leaf_flags & (VMLAB_PTE_SWAP | VMLAB_PTE_MIGRATION))
		return VMLAB_COW_SWAPPED;
	if (!(lf->leaf_flags & VMLAB_PTE_PRESENT))
		return VMLAB_COW_NONE;	/* a marker: uffd-wp, guard, poison */
	if (!(vma->vm_flags & VM_WRITE))
		return VMLAB_COW_READONLY;
	if (lf->page_flags & (VMLAB_PAGE_ZERO | VMLAB_PAGE_HUGE_ZERO |
			      VMLAB_PAGE_VMLAB_ZERO))
		return VMLAB_COW_ZERO_PAGE;
	/* a private PFN map's own entry is write-protected: a write copies it */
	if (!(lf->page_flags & VMLAB_PAGE_PRESENT))
		return is_cow_mapping(vma->vm_flags) && !write ?
		       VMLAB_COW_PRIVATE_FILE : VMLAB_COW_PFNMAP;
	if (vma->vm_flags & VM_SHARED)
		return write ? VMLAB_COW_SHARED_WRITABLE : VMLAB_COW_SHARED_CLEAN;
	if (write)
		return VMLAB_COW_WRITABLE;
	if (!(lf->page_flags & VMLAB_PAGE_ANON))
		return VMLAB_COW_PRIVATE_FILE;
	/* the write fault's choice: KSM copies, an exclusive page is reused */
	if (lf->page_flags & VMLAB_PAGE_KSM)
		return VMLAB_COW_SHARED;
	if (lf->page_flags & VMLAB_PAGE_ANON_EXCLUSIVE)
		return VMLAB_COW_EXCLUSIVE_WP;
	return vmlab_wp_reuses(vma, lf) ? VMLAB_COW_EXCLUSIVE_WP : VMLAB_COW_SHARED;
}
