/* SPDX-License-Identifier: GPL-2.0 */
/*
 * arch.h - what vmlab.ko asks of the architecture's page-table entry format:
 * the levels and their index bits, a leaf's flag bits and caching mode, the
 * layout of huge entries, where an entry holds a physical address, and the
 * caching attributes of the kernel's own mapping of RAM.
 *
 * One file per architecture implements the entry format:
 * module/arch/$(SRCARCH).c, which Kbuild picks (and refuses an architecture
 * that has none); module/arch/common.c holds what the kernel's generic
 * page-table API answers alike everywhere (levels, index bits, PTE tables). The walker
 * (walk.c) and the meaning of a leaf (leaf.c) use only this, the kernel's
 * generic page-table API and compat.h, never an architecture's own bits.
 *
 * Levels are enum vmlab_level of <linux/vmlab.h>, VMLAB_LEVEL_PGD (the top)
 * to VMLAB_LEVEL_PTE; an entry is passed as the raw u64 the WALK ioctls
 * report. All but vmlab_arch_init() and vmlab_arch_set_memory_cache() are
 * called with page-table spinlocks held: they must not sleep.
 */
#ifndef _VMLAB_ARCH_H
#define _VMLAB_ARCH_H

#include <linux/pgtable.h>
#include <linux/types.h>

struct mm_struct;

/**
 * vmlab_arch_init() - read what the running kernel set up at boot
 *
 * Called once at module init, before any other function here, e.g. to
 * learn how the kernel programmed the memory types (x86's PAT).
 */
void vmlab_arch_init(void);

/**
 * vmlab_arch_levels() - the levels @mm's page tables have
 * @mm: the address space being walked
 *
 * Return: a mask of BIT(VMLAB_LEVEL_*), one bit per level that has tables
 * of its own (a folded level, such as P4D without 5-level paging, has none;
 * the kernel's p?d_offset() of a folded level returns the entry of the
 * level above, which the walker reports there). PGD and PTE always have.
 */
u32 vmlab_arch_levels(struct mm_struct *mm);

/**
 * vmlab_arch_level_shift() - the size one entry of @level maps, as a shift
 * @level: VMLAB_LEVEL_*
 *
 * Return: log2 of the bytes an entry of @level maps (PAGE_SHIFT for a PTE).
 */
unsigned int vmlab_arch_level_shift(u32 level);

/**
 * vmlab_arch_level_index() - where @addr's entry sits in its table of @level
 * @mm: the address space being walked
 * @level: VMLAB_LEVEL_*
 * @addr: a user address
 *
 * Return: the index of the entry that maps @addr in the table of @level (0
 * for a folded level).
 */
u32 vmlab_arch_level_index(struct mm_struct *mm, u32 level, unsigned long addr);

/**
 * vmlab_arch_leaf_pte() - a leaf entry seen as a PTE
 * @raw: a non-empty leaf entry of @level (present or not)
 * @level: VMLAB_LEVEL_*; above VMLAB_LEVEL_PTE, a huge entry
 *
 * The layout of huge entries: the generic pte_*() helpers (pte_present(),
 * pte_special(), the swap-entry helpers) read the result as they read a
 * PTE, as hugetlb's huge_ptep_get() does. Its PFN is not: take that from
 * pmd_pfn() or pud_pfn().
 *
 * Return: the PTE with @raw's meaning.
 */
pte_t vmlab_arch_leaf_pte(u64 raw, u32 level);

/**
 * vmlab_arch_entry_flags() - a leaf entry's flag bits
 * @raw: a non-empty leaf entry of @level (present or not)
 * @level: VMLAB_LEVEL_*
 *
 * Return: the VMLAB_PTE_* flags the entry's bits say: for a present entry
 * VMLAB_PTE_PRESENT and the access, state and software bits (with
 * VMLAB_PTE_HUGE above VMLAB_LEVEL_PTE); for a swap or migration entry the
 * bits it keeps (soft-dirty, uffd-wp). VMLAB_PTE_SWAP and
 * VMLAB_PTE_MIGRATION are the caller's to add.
 */
u32 vmlab_arch_entry_flags(u64 raw, u32 level);

/**
 * vmlab_arch_cache_mode() - the caching mode of a present leaf
 * @raw: a present leaf entry of @level
 * @level: VMLAB_LEVEL_*
 *
 * Return: VMLAB_CACHE_*, as the running kernel programmed the entry's
 * memory-type bits (see vmlab_arch_init()).
 */
u32 vmlab_arch_cache_mode(u64 raw, u32 level);

/**
 * vmlab_arch_entry_hide_pa() - an entry without its physical address
 * @raw: any entry, table or leaf, of any level, or 0
 *
 * For an opener who may not see PFNs (as /proc/pid/pagemap decides).
 *
 * Return: @raw with the bits that hold a physical address cleared: the PFN
 * of a table or a present leaf, the offset of a swap entry (a PFN for a
 * migration entry).
 */
u64 vmlab_arch_entry_hide_pa(u64 raw);

/**
 * vmlab_arch_pte_map() - map the PTE table a PMD entry points to
 * @pmd: a present PMD entry that is a table, not a leaf
 * @addr: a user address inside what @pmd maps
 *
 * A PTE table may live in highmem (32-bit x86 with CONFIG_HIGHPTE), where
 * pte_offset_kernel() cannot reach it; pte_offset_map() is not exported.
 * Safe in atomic context; undo with vmlab_arch_pte_unmap() (mappings nest:
 * undo them in reverse order).
 *
 * Return: a pointer to @addr's entry in the table, valid until unmapped.
 */
pte_t *vmlab_arch_pte_map(pmd_t pmd, unsigned long addr);

/**
 * vmlab_arch_pte_raw() - a PTE's own descriptor, as the table holds it
 * @ptep: the entry, in a table mapped by vmlab_arch_pte_map(), under the
 *	table's lock
 * @val: pte_val() of ptep_get(@ptep), the entry as the kernel means it
 *
 * Where the kernel folds state over several entries, ptep_get() is not the
 * entry's own value: arm64's contpte (CONFIG_ARM64_CONTPTE) ors the access
 * and dirty bits of all 16 entries of a contiguous run into what it
 * returns for any of them. The walk reports this raw entry and decodes its
 * flags from ptep_get().
 *
 * Return: the entry's raw bits (@val where nothing is folded).
 */
#ifdef CONFIG_ARM64_CONTPTE
u64 vmlab_arch_pte_raw(pte_t *ptep, u64 val);
#else
/*
 * nothing folded: no call per PTE in the walk's loop, nor pte_val() again
 * (a paravirt call on x86 where the compiler keeps it out of line)
 */
static inline u64 vmlab_arch_pte_raw(pte_t *ptep, u64 val)
{
	return val;
}
#endif

/**
 * vmlab_arch_pte_unmap() - undo vmlab_arch_pte_map()
 * @ptep: what it returned (or a pointer into the same table)
 */
void vmlab_arch_pte_unmap(pte_t *ptep);

/**
 * vmlab_arch_set_memory_cache() - caching mode of the kernel's own mapping
 * @addr: kernel virtual address of RAM that user space will map, page aligned
 * @numpages: pages from @addr
 * @cache: VMLAB_CACHE_WB, _WC or _UC: the mode of the user mapping
 *
 * Some architectures (x86's PAT) insist that every mapping of a page agree
 * on its memory type: there the direct map's alias changes with the user
 * mapping. Called with VMLAB_CACHE_WB before the memory is freed. May sleep.
 *
 * Return: 0, or a negative errno if the mode could not be set.
 */
int vmlab_arch_set_memory_cache(unsigned long addr, int numpages, u32 cache);

#endif /* _VMLAB_ARCH_H */
