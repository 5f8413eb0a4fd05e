// SPDX-License-Identifier: GPL-2.0
/*
 * libvmlab: the decoding of a raw x86 page-table entry into VMLAB_PTE_*
 * bits, for the entries a walk reports at each level (see libvmlab.h):
 * x86-64's and PAE's 64-bit entries, and 2-level's 32-bit ones (no NX),
 * whose low bits are the same.
 */
#include "libvmlab.h"

/* x86 page-table entry bits */
#define X86_PRESENT	(1ULL << 0)
#define X86_RW		(1ULL << 1)
#define X86_USER	(1ULL << 2)
#define X86_ACCESSED	(1ULL << 5)
#define X86_DIRTY	(1ULL << 6)
#define X86_PSE		(1ULL << 7)	/* a huge leaf (PAT in a PTE) */
#define X86_GLOBAL	(1ULL << 8)
#define X86_NX		(1ULL << 63)

uint32_t vmlab_entry_flags(uint64_t entry, unsigned int level)
{
	uint32_t f = 0;

	if (!(entry & X86_PRESENT))
		return 0;
	f |= VMLAB_PTE_PRESENT;
	if (entry & X86_RW)
		f |= VMLAB_PTE_WRITE;
	if (entry & X86_USER)
		f |= VMLAB_PTE_USER;
	if (entry & X86_ACCESSED)
		f |= VMLAB_PTE_ACCESSED;
	if (entry & X86_NX)
		f |= VMLAB_PTE_NOEXEC;
	/* PSE above the PTE level: a PMD or PUD leaf, or a PGD leaf of 2-level paging */
	if (level != VMLAB_LEVEL_PTE && (entry & X86_PSE))
		f |= VMLAB_PTE_HUGE;
	if (level == VMLAB_LEVEL_PTE || (f & VMLAB_PTE_HUGE)) {
		if (entry & X86_DIRTY)
			f |= VMLAB_PTE_DIRTY;
		if (entry & X86_GLOBAL)
			f |= VMLAB_PTE_GLOBAL;
	}
	return f;
}
