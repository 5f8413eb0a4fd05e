/* SPDX-License-Identifier: GPL-2.0 */
/*
 * leaf.h - what the walker (walk.c) found at one address, and what leaf.c,
 * which says what a leaf means, offers it.
 */
#ifndef _VMLAB_LEAF_H
#define _VMLAB_LEAF_H

#include <linux/mm.h>
#include <linux/page-flags.h>
#include <linux/pgtable.h>
#include <linux/types.h>
#include <linux/vmlab.h>

/*
 * struct vmlab_leaf - what the walk found at one address; filled under the
 * page-table locks. @entries, @present_levels, @level, @start, @size,
 * @vma_region and @full are the walker's; vmlab_leaf_decode() fills @found
 * and every field from @entry to @large_reuse (no need to clear them first), and
 * vmlab_leaf_verdict() gives @verdict.
 */
struct vmlab_leaf {
	u64 entries[VMLAB_NR_LEVELS];
	u32 present_levels;
	u32 level;		/* of the leaf, or of the empty entry */
	bool found;		/* a non-empty leaf entry: see @entry */
	bool vma_region;	/* the VMA maps a vmlab region */
	/*
	 * every field (a single walk); else (a range walk's record) the page's
	 * LRU, dirty and swap-cache bits, references, mapcount and order only
	 * where the verdict needs them: elsewhere 0, or for a present PTE
	 * (vmlab_leaf_decode_pte()) left as they were, and no swap entry
	 */
	bool full;
	unsigned long start;	/* first address the leaf or the hole covers */
	unsigned long size;	/* bytes it covers */
	u64 entry;
	u64 pfn;
	u32 leaf_flags;
	u32 cache_mode;
	u32 swap_type;
	u64 swap_offset;
	u32 page_flags;
	u32 refcount;
	u32 mapcount;
	u32 order;
	bool large_reuse;	/* a write reuses this large folio (leaf.c) */
	u32 verdict;
};

/*
 * What a range walk keeps from one PTE (or huge PMD leaf) of a table to the
 * next: the flags and caching mode of the last present one (@valid), which
 * depend on the entry's bits but its PFN (@bits: pte_pgprot(), or
 * vmlab_pmd_prot_bits()) alone.
 */
struct vmlab_leaf_memo {
	u64 bits;
	u32 leaf_flags;
	u32 cache_mode;
	bool valid;
	/*
	 * @quick: the last PTE decoded, with those @bits, mapped an anonymous
	 * page of @page_flags whose verdict does not read its references;
	 * @rec holds its record's flags, level, verdict, caching mode and
	 * page flags, which every PTE of the table like it shares
	 * (vmlab_leaf_pte_quick())
	 */
	bool quick;
	u32 page_flags;
	struct vmlab_walk_record rec;
};

/*
 * vmlab_leaf_decode() - fills @lf from the non-empty leaf entry @raw of
 * @level in @vma: its flags, its swap entry if not present, else its PFN
 * (@pfn, which the caller read with pte_pfn(), pmd_pfn() or pud_pfn() and
 * which is used only for a present entry), caching mode and page state
 * (all of it, or with @lf->full false what a range walk's record needs).
 * Caller holds the leaf's page-table lock. Returns whether @raw is present.
 *
 * vmlab_leaf_decode_pte() - the same for the non-empty PTE @pte of a
 * range walk (@lf->full false), and @lf->verdict too: in a row of PTEs,
 * @memo (zeroed before the first) spares asking the architecture again for
 * the flags and caching mode of an entry like the one before.
 *
 * vmlab_leaf_decode_pmd() - the same for the present huge PMD leaf @pmd
 * of a range walk (@lf->full false, @lf->level VMLAB_LEVEL_PMD, @lf->start
 * its first address), in a row of such leaves with their own @memo.
 *
 * vmlab_leaf_verdict() - what a write to the leaf @lf found in @vma would
 * do: VMLAB_COW_*.
 */
bool vmlab_leaf_decode(struct vm_area_struct *vma, u32 level, u64 raw,
		       unsigned long pfn, struct vmlab_leaf *lf);
bool vmlab_leaf_decode_pte(struct vm_area_struct *vma, pte_t pte,
			   struct vmlab_leaf_memo *memo, struct vmlab_leaf *lf);
bool vmlab_leaf_decode_pmd(struct vm_area_struct *vma, pmd_t pmd,
			   struct vmlab_leaf_memo *memo, struct vmlab_leaf *lf);
u32 vmlab_leaf_verdict(struct vm_area_struct *vma, const struct vmlab_leaf *lf);
void vmlab_leaf_memo_record(struct vm_area_struct *vma, const struct vmlab_leaf *lf,
			    const struct vmlab_walk_record *rec,
			    struct vmlab_leaf_memo *memo);

/*
 * vmlab_leaf_pte_quick() - whether the present PTE @pte of a range walk is
 * like the last one vmlab_leaf_memo_record() kept in @memo: the same flag
 * bits and an anonymous page of the same kind, so that its record is
 * @memo->rec but for the address, entry and frame (@pfn, set when true).
 * The range walk's common case (a process's written anonymous memory), in
 * its loop, once per page: no more of the page is read than its kind, and
 * nothing is decoded again. Where it returns false the caller decodes the
 * entry with vmlab_leaf_decode_pte(). Caller holds the PTE table's lock.
 *
 * The kind is what vmlab_leaf_decode_pte() would find for an anonymous
 * folio: @memo->quick is set only in a VMA where a PTE that is not special
 * has a page without asking pfn_valid() (no PFN map, no hugetlb), for a
 * leaf that is not special, so the same bits mean the same here.
 */
static __always_inline bool vmlab_leaf_pte_quick(pte_t pte, const struct vmlab_leaf_memo *memo,
						 unsigned long *pfn)
{
	struct folio *folio;
	struct page *page;
	u32 flags = VMLAB_PAGE_PRESENT | VMLAB_PAGE_ANON;

	if (!memo->quick || pgprot_val(pte_pgprot(pte)) != memo->bits)
		return false;
	*pfn = pte_pfn(pte);
	page = pfn_to_page(*pfn);
	folio = page_folio(page);
	if (!folio_test_anon(folio))
		return false;
	if (folio_test_ksm(folio))
		flags |= VMLAB_PAGE_KSM;
	else if (PageAnonExclusive(page))
		flags |= VMLAB_PAGE_ANON_EXCLUSIVE;
	if (folio_test_large(folio))
		flags |= VMLAB_PAGE_COMPOUND | VMLAB_PAGE_THP;
	return flags == memo->page_flags;
}

#endif /* _VMLAB_LEAF_H */
