/* SPDX-License-Identifier: GPL-2.0 */
/*
 * leaf.h - what the walker (walk.c) found at one address, and what leaf.c,
 * which says what a leaf means, offers it.
 */
#ifndef _VMLAB_LEAF_H
#define _VMLAB_LEAF_H

#include <linux/types.h>
#include <linux/vmlab.h>

struct vm_area_struct;

/*
 * struct vmlab_leaf - what the walk found at one address; filled under the
 * page-table locks. @entries, @present_levels, @level, @start and @size are
 * the walker's; leaf.c fills the rest from the leaf entry.
 */
struct vmlab_leaf {
	u64 entries[VMLAB_NR_LEVELS];
	u32 present_levels;
	u32 level;		/* of the leaf, or of the empty entry */
	bool found;		/* a non-empty leaf entry: see @entry */
	bool vma_region;	/* the VMA maps a vmlab region */
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
 * vmlab_leaf_decode() - fills @lf from the non-empty leaf entry @raw of
 * @level in @vma: its flags, its swap entry if not present, else its PFN
 * (@pfn, which the caller read with pte_pfn(), pmd_pfn() or pud_pfn() and
 * which is used only for a present entry), caching mode and page state.
 * Caller holds the leaf's page-table lock. Returns whether @raw is present.
 *
 * vmlab_leaf_verdict() - what a write to the leaf @lf found in @vma would
 * do: VMLAB_COW_*.
 */
bool vmlab_leaf_decode(struct vm_area_struct *vma, u32 level, u64 raw,
		       unsigned long pfn, struct vmlab_leaf *lf);
u32 vmlab_leaf_verdict(struct vm_area_struct *vma, const struct vmlab_leaf *lf);

#endif /* _VMLAB_LEAF_H */
