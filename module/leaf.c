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
	if (!vmlab_is_cow_mapping(vma) || pte_special(pte))
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
 * maps it. Like vm_normal_page(), a PTE that is not special outside a PFN
 * map has a page, without asking pfn_valid(), where the architecture has
 * a special bit: the common case, once per page of a range walk.
 */
static __always_inline struct page *
vmlab_leaf_page(struct vm_area_struct *vma, pte_t pte, u32 level,
		unsigned long addr, unsigned long pfn)
{
	if (IS_ENABLED(CONFIG_ARCH_HAS_PTE_SPECIAL) && level == VMLAB_LEVEL_PTE &&
	    !pte_special(pte) && !(vma->vm_flags & VM_PFNMAP))
		return pfn_to_page(pfn);
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
 * What of @folio's state the verdict and a single walk need beyond the
 * page's kind: its LRU, dirty and swap-cache bits, references, mapcount
 * and order, and for a large anonymous folio mapped by PTEs, neither KSM
 * nor known exclusive, whether a write reuses it.
 */
static void vmlab_page_refs(struct folio *folio, struct page *page, u32 level,
			    struct vmlab_leaf *lf)
{
	u32 flags = lf->page_flags;

	if (folio_test_lru(folio))
		flags |= VMLAB_PAGE_LRU;
	if (folio_test_dirty(folio))
		flags |= VMLAB_PAGE_DIRTY;
	if (folio_test_swapcache(folio))
		flags |= VMLAB_PAGE_SWAPCACHE;
	lf->page_flags = flags;
	lf->refcount = folio_ref_count(folio);
	lf->mapcount = max(vmlab_mapcount(page), 0);
	lf->order = folio_order(folio);
	lf->large_reuse = false;
	/* the write fault's rule for this one needs the folio: decide now */
	if ((flags & (VMLAB_PAGE_ANON | VMLAB_PAGE_THP)) ==
	    (VMLAB_PAGE_ANON | VMLAB_PAGE_THP) && level == VMLAB_LEVEL_PTE &&
	    !(flags & (VMLAB_PAGE_KSM | VMLAB_PAGE_ANON_EXCLUSIVE))) {
		bool as_small = vmlab_wp_small_reuses(lf);

		lf->large_reuse = vmlab_wp_can_reuse_large_anon(folio, as_small);
	}
}

/*
 * Whether the verdict on a leaf with the page @flags, in @vma, is the write
 * fault's choice between reusing and copying, which reads the page's
 * references (vmlab_wp_reuses()): an anonymous page, neither KSM nor known
 * exclusive, write-protected in a writable private mapping.
 */
static bool vmlab_verdict_reads_refs(struct vm_area_struct *vma,
				     const struct vmlab_leaf *lf, u32 flags)
{
	return (vma->vm_flags & (VM_WRITE | VM_SHARED)) == VM_WRITE &&
	       !(lf->leaf_flags & VMLAB_PTE_WRITE) &&
	       (flags & (VMLAB_PAGE_ANON | VMLAB_PAGE_KSM | VMLAB_PAGE_ANON_EXCLUSIVE)) ==
	       VMLAB_PAGE_ANON;
}

/*
 * The state of @page (frame @pfn), mapped by a present leaf of @level.
 * Caller holds that leaf's page-table lock: the page stays mapped, so it
 * is neither freed nor split while we look. The page's kind is read for
 * every leaf; the rest (vmlab_page_refs()) for a single walk, or when the
 * verdict needs it.
 */
static __always_inline void
vmlab_page_state(struct vm_area_struct *vma, struct page *page,
		 unsigned long pfn, u32 level, struct vmlab_leaf *lf)
{
	struct folio *folio = page_folio(page);
	bool anon = folio_test_anon(folio);
	u32 flags = VMLAB_PAGE_PRESENT;

	/* an anonymous folio is none of the zero pages, nor a region's page */
	if (!anon) {
		if (is_zero_pfn(pfn))
			flags |= VMLAB_PAGE_ZERO;
		/*
		 * huge_zero_folio is not exported: an anonymous VMA maps only
		 * anon folios and the zero pages, so a huge non-anon leaf there
		 * is the huge zero page.
		 */
		else if (level == VMLAB_LEVEL_PMD && vma_is_anonymous(vma))
			flags |= VMLAB_PAGE_HUGE_ZERO;
		if (vmlab_is_zero_page(page))
			flags |= VMLAB_PAGE_VMLAB_ZERO;
		if (lf->vma_region)
			flags |= VMLAB_PAGE_VMLAB;
	} else {
		flags |= VMLAB_PAGE_ANON;
	}
	if (folio_test_ksm(folio))
		flags |= VMLAB_PAGE_KSM;
	else if (anon && PageAnonExclusive(page))
		flags |= VMLAB_PAGE_ANON_EXCLUSIVE;
	if (folio_test_large(folio)) {
		flags |= VMLAB_PAGE_COMPOUND;
		if (!is_vm_hugetlb_page(vma) && !(flags & VMLAB_PAGE_HUGE_ZERO))
			flags |= VMLAB_PAGE_THP;
	}

	lf->page_flags = flags;
	if (lf->full || vmlab_verdict_reads_refs(vma, lf, flags))
		vmlab_page_refs(folio, page, level, lf);
}

/* Starts @lf's decoded fields afresh for the entry @raw with @leaf_flags. */
static __always_inline void vmlab_leaf_reset(struct vmlab_leaf *lf, u64 raw,
					     u32 leaf_flags)
{
	lf->found = true;
	lf->entry = raw;
	lf->leaf_flags = leaf_flags;
	lf->pfn = 0;
	lf->cache_mode = 0;
	lf->swap_type = 0;
	lf->swap_offset = 0;
	lf->page_flags = 0;
	lf->refcount = 0;
	lf->mapcount = 0;
	lf->order = 0;
	lf->large_reuse = false;
}

/* A non-present leaf @pte: a swap or migration entry, or another marker. */
static void vmlab_leaf_swap(pte_t pte, struct vmlab_leaf *lf)
{
	swp_entry_t entry = vmlab_pte_to_swp(pte);

	if (vmlab_swp_is_migration(entry))
		lf->leaf_flags |= VMLAB_PTE_MIGRATION;
	else if (swp_type(entry) < MAX_SWAPFILES)
		lf->leaf_flags |= VMLAB_PTE_SWAP;
	lf->swap_type = swp_type(entry);
	lf->swap_offset = swp_offset(entry);
}

/* A present leaf @pte of @level: its frame @pfn, @cache_mode and page. */
static __always_inline void
vmlab_leaf_present(struct vm_area_struct *vma, pte_t pte, u32 level,
		   unsigned long pfn, u32 cache_mode, struct vmlab_leaf *lf)
{
	struct page *page;

	lf->pfn = pfn;
	lf->cache_mode = cache_mode;
	page = vmlab_leaf_page(vma, pte, level, lf->start, pfn);
	if (page)
		vmlab_page_state(vma, page, pfn, level, lf);
}

bool vmlab_leaf_decode(struct vm_area_struct *vma, u32 level, u64 raw,
		       unsigned long pfn, struct vmlab_leaf *lf)
{
	pte_t pte = vmlab_arch_leaf_pte(raw, level);

	vmlab_leaf_reset(lf, raw, vmlab_arch_entry_flags(raw, level));
	if (!pte_present(pte)) {
		vmlab_leaf_swap(pte, lf);
		return false;
	}
	vmlab_leaf_present(vma, pte, level, pfn, vmlab_arch_cache_mode(raw, level), lf);
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

/*
 * What a write to the leaf would do, from the leaf, its page and the VMA:
 * inline in a range walk's loop (vmlab_leaf_decode_pte()).
 */
static __always_inline u32 vmlab_verdict(struct vm_area_struct *vma,
					 const struct vmlab_leaf *lf)
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
		return vmlab_is_cow_mapping(vma) && !write ?
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

u32 vmlab_leaf_verdict(struct vm_area_struct *vma, const struct vmlab_leaf *lf)
{
	return vmlab_verdict(vma, lf);
}

bool vmlab_leaf_decode_pte(struct vm_area_struct *vma, pte_t pte,
			   struct vmlab_leaf_memo *memo, struct vmlab_leaf *lf)
{
	u64 raw = pte_val(pte);
	unsigned long pfn;
	u64 bits;

	if (!pte_present(pte)) {
		vmlab_leaf_reset(lf, raw, vmlab_arch_entry_flags(raw, VMLAB_LEVEL_PTE));
		vmlab_leaf_swap(pte, lf);
		lf->verdict = vmlab_leaf_verdict(vma, lf);
		return false;
	}
	/* the entry but its PFN: all that its flags and caching mode read */
	pfn = pte_pfn(pte);
	bits = pgprot_val(pte_pgprot(pte));
	if (!memo->valid || memo->bits != bits) {
		memo->bits = bits;
		memo->leaf_flags = vmlab_arch_entry_flags(raw, VMLAB_LEVEL_PTE);
		memo->cache_mode = vmlab_arch_cache_mode(raw, VMLAB_LEVEL_PTE);
		memo->valid = true;
	}
	/*
	 * Not vmlab_leaf_reset(): a record needs no swap entry, and the
	 * references, mapcount and order only where the verdict reads them,
	 * which vmlab_page_refs() then fills.
	 */
	lf->found = true;
	lf->entry = raw;
	lf->leaf_flags = memo->leaf_flags;
	lf->page_flags = 0;
	vmlab_leaf_present(vma, pte, VMLAB_LEVEL_PTE, pfn, memo->cache_mode, lf);
	lf->verdict = vmlab_verdict(vma, lf);
	return true;
}

/*
 * Keeps the record @rec of the PTE @lf (just decoded by
 * vmlab_leaf_decode_pte(), with @memo) for vmlab_leaf_pte_quick(), where
 * that is right: an anonymous page, not special, whose verdict does not
 * read its references, in a VMA where the page of a PTE that is not
 * special is pfn_to_page() of its frame (vmlab_leaf_page()); else no PTE
 * is quick until one is.
 */
void vmlab_leaf_memo_record(struct vm_area_struct *vma, const struct vmlab_leaf *lf,
			    const struct vmlab_walk_record *rec,
			    struct vmlab_leaf_memo *memo)
{
	memo->quick = IS_ENABLED(CONFIG_ARCH_HAS_PTE_SPECIAL) &&
		      (lf->present_levels & BIT(VMLAB_LEVEL_PTE)) &&
		      (lf->page_flags & VMLAB_PAGE_ANON) &&
		      !(lf->leaf_flags & VMLAB_PTE_SPECIAL) &&
		      !(vma->vm_flags & VM_PFNMAP) && !is_vm_hugetlb_page(vma) &&
		      !vmlab_verdict_reads_refs(vma, lf, lf->page_flags);
	if (!memo->quick)
		return;
	memo->page_flags = lf->page_flags;
	memo->rec = *rec;
}

/*
 * The page behind the present huge PMD leaf @raw (frame @pfn, flags @flags)
 * in @vma: vmlab_leaf_page()'s answer, without pfn_valid() where the leaf
 * has a page whatever its frame (the PTE rule's counterpart): outside a PFN
 * or mixed map every present huge leaf maps memory with struct pages (a
 * THP, hugetlb, the huge zero page, whose leaf may be special only in an
 * anonymous VMA, a DAX device's pages).
 */
static __always_inline struct page *
vmlab_leaf_huge_page(struct vm_area_struct *vma, u64 raw, u32 flags,
		     unsigned long addr, unsigned long pfn)
{
	if (!(vma->vm_flags & (VM_PFNMAP | VM_MIXEDMAP)) &&
	    (!(flags & VMLAB_PTE_SPECIAL) || vma_is_anonymous(vma)))
		return pfn_to_page(pfn);
	return vmlab_leaf_page(vma, vmlab_arch_leaf_pte(raw, VMLAB_LEVEL_PMD),
			       VMLAB_LEVEL_PMD, addr, pfn);
}

bool vmlab_leaf_decode_pmd(struct vm_area_struct *vma, pmd_t pmd,
			   struct vmlab_leaf_memo *memo, struct vmlab_leaf *lf)
{
	u64 raw = pmd_val(pmd), bits = vmlab_pmd_prot_bits(pmd);
	unsigned long pfn = pmd_pfn(pmd);
	struct page *page;
	bool present;

	if (!memo->valid || memo->bits != bits) {
		memo->bits = bits;
		memo->leaf_flags = vmlab_arch_entry_flags(raw, VMLAB_LEVEL_PMD);
		memo->cache_mode = vmlab_arch_cache_mode(raw, VMLAB_LEVEL_PMD);
		memo->valid = true;
	}
	/* not present as a PTE (a leaf being split): as any other leaf */
	if (unlikely(!(memo->leaf_flags & VMLAB_PTE_PRESENT))) {
		present = vmlab_leaf_decode(vma, VMLAB_LEVEL_PMD, raw, pfn, lf);
		lf->verdict = vmlab_verdict(vma, lf);
		return present;
	}
	/* as vmlab_leaf_decode_pte(): vmlab_page_refs() fills what is read */
	lf->found = true;
	lf->entry = raw;
	lf->leaf_flags = memo->leaf_flags;
	lf->page_flags = 0;
	lf->pfn = pfn;
	lf->cache_mode = memo->cache_mode;
	page = vmlab_leaf_huge_page(vma, raw, memo->leaf_flags, lf->start, pfn);
	if (page)
		vmlab_page_state(vma, page, pfn, VMLAB_LEVEL_PMD, lf);
	lf->verdict = vmlab_verdict(vma, lf);
	return true;
}
