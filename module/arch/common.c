// SPDX-License-Identifier: GPL-2.0
/*
 * arch/common.c: the part of arch.h that the kernel's generic page-table
 * API answers alike on every architecture: which levels have tables
 * (mm_p?d_folded(), P4D decided at boot with x86's LA57 and arm64's
 * LPA2), each level's shift and index bits, and the mapping of a PTE
 * table, which may live in highmem (32-bit x86 with CONFIG_HIGHPTE). The
 * entry formats are in the architecture's own file.
 */
#include <linux/bits.h>
#include <linux/highmem.h>
#include <linux/mm.h>
#include <linux/pgtable.h>
#include <linux/vmlab.h>

#include "../arch.h"

/* A folded level has no tables of its own (P4D: decided at boot). */
u32 vmlab_arch_levels(struct mm_struct *mm)
{
	u32 levels = BIT(VMLAB_LEVEL_PGD) | BIT(VMLAB_LEVEL_PTE);

	if (!mm_p4d_folded(mm))
		levels |= BIT(VMLAB_LEVEL_P4D);
	if (!mm_pud_folded(mm))
		levels |= BIT(VMLAB_LEVEL_PUD);
	if (!mm_pmd_folded(mm))
		levels |= BIT(VMLAB_LEVEL_PMD);
	return levels;
}

/* PGDIR_SHIFT may be set at boot (x86's LA57, arm64's LPA2). */
unsigned int vmlab_arch_level_shift(u32 level)
{
	switch (level) {
	case VMLAB_LEVEL_PGD:
		return PGDIR_SHIFT;
	case VMLAB_LEVEL_P4D:
		return P4D_SHIFT;
	case VMLAB_LEVEL_PUD:
		return PUD_SHIFT;
	case VMLAB_LEVEL_PMD:
		return PMD_SHIFT;
	default:
		return PAGE_SHIFT;
	}
}

/* p4d_index() exists only where a P4D level may have tables (not arm64 6.1) */
u32 vmlab_arch_level_index(struct mm_struct *mm, u32 level, unsigned long addr)
{
	switch (level) {
	case VMLAB_LEVEL_PGD:
		return pgd_index(addr);
	case VMLAB_LEVEL_P4D:
		return mm_p4d_folded(mm) ? 0 : (addr >> P4D_SHIFT) & (PTRS_PER_P4D - 1);
	case VMLAB_LEVEL_PUD:
		return mm_pud_folded(mm) ? 0 : pud_index(addr);
	case VMLAB_LEVEL_PMD:
		return mm_pmd_folded(mm) ? 0 : pmd_index(addr);
	default:
		return pte_index(addr);
	}
}

/* pte_offset_map()'s way: kmap_local_page() is page_address() without highmem */
pte_t *vmlab_arch_pte_map(pmd_t pmd, unsigned long addr)
{
	return (pte_t *)kmap_local_page(pmd_page(pmd)) + pte_index(addr);
}

void vmlab_arch_pte_unmap(pte_t *ptep)
{
	kunmap_local(ptep);
}
