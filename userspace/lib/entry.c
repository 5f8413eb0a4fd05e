// SPDX-License-Identifier: GPL-2.0
/*
 * libvmlab: the decoding of a raw page-table entry into VMLAB_PTE_* bits,
 * for the entries a walk reports at each level (see libvmlab.h): x86's
 * (x86-64's and PAE's 64-bit entries, and 2-level's 32-bit ones, no NX,
 * whose low bits are the same), or arm64's descriptors in a program built
 * for arm64 (the kernel it asks is of its own architecture).
 */
#include <stdbool.h>

#include "libvmlab.h"

#if defined(__aarch64__)
/* arm64 (VMSAv8-64) descriptor bits */
#define ARM64_VALID	(1ULL << 0)
#define ARM64_TABLE	(1ULL << 1)	/* a table or a page; clear: a block */
#define ARM64_USER	(1ULL << 6)	/* AP[1] */
#define ARM64_RDONLY	(1ULL << 7)	/* AP[2] */
#define ARM64_AF	(1ULL << 10)
#define ARM64_NG	(1ULL << 11)
#define ARM64_DBM	(1ULL << 51)	/* the kernel's writable */
#define ARM64_CONT	(1ULL << 52)
#define ARM64_UXN	(1ULL << 54)
#define ARM64_SW_DIRTY	(1ULL << 55)

/*
 * A table descriptor has its own attribute bits (APTable, UXNTable, ...):
 * only present. A leaf (a page, or a block above the last level): a
 * writable clean page is read-only with DBM set, and the first write
 * clears AP[2] (hardware dirty) or sets the kernel's software dirty bit.
 */
uint32_t vmlab_entry_flags(uint64_t entry, unsigned int level)
{
	bool leaf = level == VMLAB_LEVEL_PTE || !(entry & ARM64_TABLE);
	uint32_t f = 0;

	if (!(entry & ARM64_VALID))
		return 0;
	f |= VMLAB_PTE_PRESENT;
	if (!leaf)
		return f;
	if (level != VMLAB_LEVEL_PTE)
		f |= VMLAB_PTE_HUGE;
	if ((entry & ARM64_DBM) || !(entry & ARM64_RDONLY))
		f |= VMLAB_PTE_WRITE;
	if (entry & ARM64_USER)
		f |= VMLAB_PTE_USER;
	if (entry & ARM64_AF)
		f |= VMLAB_PTE_ACCESSED;
	if ((entry & ARM64_SW_DIRTY) || ((entry & ARM64_DBM) && !(entry & ARM64_RDONLY)))
		f |= VMLAB_PTE_DIRTY;
	if (entry & ARM64_UXN)
		f |= VMLAB_PTE_NOEXEC;
	if (!(entry & ARM64_NG))
		f |= VMLAB_PTE_GLOBAL;
	if (entry & ARM64_CONT)
		f |= VMLAB_PTE_CONT;
	return f;
}
#else

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
#endif
