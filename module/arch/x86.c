// SPDX-License-Identifier: GPL-2.0
/*
 * arch/x86.c: the x86 page-table entry format behind arch.h, both widths.
 *
 * x86-64: PGD, P4D (its own tables only with 5-level paging, LA57, chosen
 * at boot), PUD, PMD, PTE; 9 index bits each, PGDIR_SHIFT set at boot;
 * 64-bit entries.
 * 32-bit x86 (i386), one of two shapes chosen at build time:
 *  - 2-level (CONFIG_PGTABLE_LEVELS 2): PGD and PTE, 10 index bits each,
 *    32-bit entries (the u64 of the uapi carries them unchanged, its upper
 *    half 0), no NX bit; P4D, PUD and PMD are folded into the PGD, and a
 *    huge leaf (4 MiB, PSE) is a PGD entry;
 *  - PAE (3 levels): PGD (4 entries, the PDPT), PMD and PTE, 9 index bits
 *    below the PGD, 64-bit entries with NX; P4D and PUD are folded, a huge
 *    leaf (2 MiB) is a PMD entry.
 * The kernel's generic code sees a folded level as the entry of the level
 * above seen again (pud_offset() of a folded PUD returns the PGD entry); the
 * walker reads it there and reports it at the level that has tables
 * (vmlab_arch_levels()).
 * A huge leaf has a PTE's flag bits, except PAT, which moves to bit 12
 * (_PAGE_PAT_LARGE); the caching mode is the memory type that the PWT, PCD
 * and PAT bits index in the PAT MSR, as the kernel programmed it.
 * A PTE table of 32-bit x86 may live in highmem (CONFIG_HIGHPTE, which
 * Debian's 686 and 686-pae kernels set): common.c maps it as the kernel's
 * pte_offset_map() does, with kmap_local_page().
 */
#include <linux/bits.h>
#include <linux/mm.h>
#include <linux/pgtable.h>
#include <linux/set_memory.h>
#include <linux/vmlab.h>
#include <asm/memtype.h>

#include "../arch.h"
#include "../compat.h"

/*
 * The bits of a swap entry that hold its offset (a PFN for a migration
 * entry): 2-level keeps the offset in the bits above the PROT_NONE bit;
 * PAE and x86-64 keep it inverted in bits SWP_OFFSET_FIRST_BIT up to the
 * type in the top SWP_TYPE_BITS.
 */
#if CONFIG_PGTABLE_LEVELS == 2
#define VMLAB_SWP_OFFSET_MASK	GENMASK_ULL(31, SWP_OFFSET_SHIFT)
#else
#define VMLAB_SWP_OFFSET_MASK	GENMASK_ULL(63 - SWP_TYPE_BITS, SWP_OFFSET_FIRST_BIT)
#endif

/*
 * Decoded as a PTE: a huge entry has the same flag bits (as hugetlb's
 * huge_ptep_get() assumes), and pte_present() also counts a PROT_NONE
 * entry, which pmd_present() and pud_present() may not. Only the PAT bit
 * differs, which vmlab_arch_cache_mode() handles.
 */
pte_t vmlab_arch_leaf_pte(u64 raw, u32 level)
{
	return __pte((pteval_t)raw);
}

/*
 * A present PROT_NONE leaf. pte_protnone() answers only where NUMA
 * balancing is built in; x86 marks every PROT_NONE entry the same way
 * (_PAGE_PROTNONE without _PAGE_PRESENT), so read the bits.
 */
static bool vmlab_pte_protnone(pte_t pte)
{
	return (pte_flags(pte) & (_PAGE_PROTNONE | _PAGE_PRESENT)) == _PAGE_PROTNONE;
}

u32 vmlab_arch_entry_flags(u64 raw, u32 level)
{
	pte_t pte = vmlab_arch_leaf_pte(raw, level);
	u32 flags = 0;

	if (!pte_present(pte)) {
		if (pte_swp_soft_dirty(pte))
			flags |= VMLAB_PTE_SOFT_DIRTY;
		if (vmlab_pte_swp_uffd_wp(pte))
			flags |= VMLAB_PTE_UFFD_WP;
		return flags;
	}
	flags |= VMLAB_PTE_PRESENT;
	if (pte_write(pte))
		flags |= VMLAB_PTE_WRITE;
	if (pte_flags(pte) & _PAGE_USER)
		flags |= VMLAB_PTE_USER;
	if (pte_young(pte))
		flags |= VMLAB_PTE_ACCESSED;
	if (pte_dirty(pte))
		flags |= VMLAB_PTE_DIRTY;
	if (pte_soft_dirty(pte))
		flags |= VMLAB_PTE_SOFT_DIRTY;
	if (!pte_exec(pte))
		flags |= VMLAB_PTE_NOEXEC;
	/* without _PAGE_PRESENT the global bit means PROT_NONE */
	if ((pte_flags(pte) & (_PAGE_GLOBAL | _PAGE_PRESENT)) ==
	    (_PAGE_GLOBAL | _PAGE_PRESENT))
		flags |= VMLAB_PTE_GLOBAL;
	if (level != VMLAB_LEVEL_PTE)
		flags |= VMLAB_PTE_HUGE;
	if (pte_special(pte))
		flags |= VMLAB_PTE_SPECIAL;
	if (vmlab_pte_uffd_wp(pte))
		flags |= VMLAB_PTE_UFFD_WP;
	if (vmlab_pte_protnone(pte))
		flags |= VMLAB_PTE_PROTNONE;
	if (vmlab_pte_devmap(pte))
		flags |= VMLAB_PTE_DEVMAP;
	return flags;
}

/* A leaf's memory-type index: its PWT, PCD and PAT bits. */
static unsigned int vmlab_pat_index(u64 raw, u64 pat_bit)
{
	return (raw & _PAGE_PWT ? 1 : 0) + (raw & _PAGE_PCD ? 2 : 0) +
	       (raw & pat_bit ? 4 : 0);
}

/*
 * The caching mode behind each memory-type index, as the running kernel
 * programmed them: x86 has no exported decoder, but cachemode2protval()
 * gives the bits of each mode. Where two modes share an index (without
 * PAT, write-combining falls back to UC-), the first listed below keeps it.
 * Written once at module init, read-only after.
 */
static u8 vmlab_pat_modes[8];

void vmlab_arch_init(void)
{
	static const struct {
		enum page_cache_mode pcm;
		u8 mode;
	} modes[] = {
		{ _PAGE_CACHE_MODE_WB,		VMLAB_CACHE_WB },
		{ _PAGE_CACHE_MODE_UC_MINUS,	VMLAB_CACHE_UC_MINUS },
		{ _PAGE_CACHE_MODE_UC,		VMLAB_CACHE_UC },
		{ _PAGE_CACHE_MODE_WT,		VMLAB_CACHE_WT },
		{ _PAGE_CACHE_MODE_WP,		VMLAB_CACHE_WP },
		{ _PAGE_CACHE_MODE_WC,		VMLAB_CACHE_WC },
	};
	bool taken[8] = { };
	unsigned int i, idx;

	for (i = 0; i < ARRAY_SIZE(vmlab_pat_modes); i++)
		vmlab_pat_modes[i] = VMLAB_CACHE_UC;	/* a slot no mode uses */
	for (i = 0; i < ARRAY_SIZE(modes); i++) {
		idx = vmlab_pat_index(cachemode2protval(modes[i].pcm), _PAGE_PAT);
		if (!taken[idx]) {
			vmlab_pat_modes[idx] = modes[i].mode;
			taken[idx] = true;
		}
	}
}

u32 vmlab_arch_cache_mode(u64 raw, u32 level)
{
	u64 pat_bit = level == VMLAB_LEVEL_PTE ? _PAGE_PAT : _PAGE_PAT_LARGE;

	return vmlab_pat_modes[vmlab_pat_index(raw, pat_bit)];
}

u64 vmlab_arch_entry_hide_pa(u64 raw)
{
	pte_t pte = __pte((pteval_t)raw);

	if (!pte_none(pte) && !pte_present(pte))
		return raw & ~VMLAB_SWP_OFFSET_MASK;
	return raw & ~(u64)PTE_PFN_MASK;
}

/* PAT: the direct-map alias of RAM handed out as WC or UC changes with it. */
int vmlab_arch_set_memory_cache(unsigned long addr, int numpages, u32 cache)
{
	switch (cache) {
	case VMLAB_CACHE_WC:
		return set_memory_wc(addr, numpages);
	case VMLAB_CACHE_UC:
		return set_memory_uc(addr, numpages);
	default:
		return set_memory_wb(addr, numpages);
	}
}
