// SPDX-License-Identifier: GPL-2.0
/*
 * arch/arm64.c: the arm64 (VMSAv8-64) translation-table descriptor format
 * behind arch.h.
 *
 * Levels: the kernel's PGD, P4D, PUD, PMD and PTE are the architecture's
 * lookup levels -1 (5 levels, 52-bit VA with LPA2) or 0 down to 3; which of
 * them have tables depends on the granule (4, 16 or 64 KiB pages) and the
 * VA size chosen at build time, and on LPA2 at boot (mm_p?d_folded()).
 * A descriptor (64 bits):
 *  - bit 0 valid; bit 1 is 1 for a table above the last level and for a
 *    page at the last level, 0 for a block (a huge leaf: 2 MiB PMD and
 *    1 GiB PUD blocks with 4 KiB pages, 32 MiB PMD blocks with 16 KiB);
 *  - the output address (the next table's, or the page's or block's) in
 *    bits 47:12 (6.1), 49:12 (6.12); with LPA2 (FEAT_LPA2 and 52-bit VAs with
 *    4 or 16 KiB pages, TCR_EL1.DS set at boot) its bits 51:50 are
 *    descriptor bits 9:8, where the shareability field SH is without it;
 *  - AttrIndx (bits 4:2) selects one of the eight memory attributes of
 *    MAIR_EL1, which the kernel programs (Normal write-back, Normal
 *    non-cacheable, Device-nGnRnE, Device-nGnRE, ...);
 *  - AP[2:1] (bits 7:6): AP[1] user access, AP[2] read-only; AF (bit 10),
 *    the access flag: a clear AF faults on access (or the CPU sets it
 *    with FEAT_HAFDBS); nG (bit 11) not global: user pages carry an ASID;
 *  - DBM (bit 51): dirty bit modifier, the kernel's PTE_WRITE: a writable
 *    clean page is read-only with DBM set, and the CPU (FEAT_HAFDBS) or
 *    the fault handler clears AP[2] on the first write, which is the
 *    hardware dirty state; contiguous (bit 52): one of a naturally
 *    aligned run of entries (16 PTEs with 4 KiB pages) mapping contiguous
 *    memory with the same attributes, one TLB entry for all (contpte,
 *    mTHP); PXN (bit 53) and UXN (bit 54): execute-never for the kernel
 *    and for user space;
 *  - bits 55 to 58 are the kernel's own (software): PTE_DIRTY, PTE_SPECIAL,
 *    PTE_DEVMAP, and on a present but invalid entry PROT_NONE.
 * Entries are read through the kernel's pte_*() helpers, which know each
 * version's software bits; the raw bits stay in the entries the WALK
 * ioctls report.
 */
#include <linux/bits.h>
#include <linux/mm.h>
#include <linux/pgtable.h>
#include <linux/vmlab.h>
#include <asm/sysreg.h>

#include "../arch.h"
#include "../compat.h"

/* The descriptor's memory-attribute index into MAIR_EL1 (AttrIndx). */
#define VMLAB_ATTRINDX(raw)	(((raw) >> 2) & 7)

/* The bits of a swap entry that hold its offset (a PFN for migration). */
#define VMLAB_SWP_OFFSET_MASK	GENMASK_ULL(__SWP_OFFSET_SHIFT + __SWP_OFFSET_BITS - 1, \
					    __SWP_OFFSET_SHIFT)

/*
 * A block has a page's attribute and software bits (the kernel's
 * pmd_pte()/pud_pte() are the same value); only bit 1, table or page
 * versus block, differs, which no pte_*() flag helper reads.
 */
pte_t vmlab_arch_leaf_pte(u64 raw, u32 level)
{
	return __pte((pteval_t)raw);
}

/*
 * PROT_NONE (and NUMA hinting): the kernel keeps such an entry present to
 * itself but invalid to the CPU. pte_protnone() answers only with NUMA
 * balancing built in, and its bit moved between versions: ask what every
 * version defines.
 */
static bool vmlab_pte_protnone(pte_t pte)
{
	return pte_present(pte) && !pte_valid(pte);
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
	/* the kernel's writable (DBM), whether or not AP[2] is still set */
	if (pte_write(pte))
		flags |= VMLAB_PTE_WRITE;
	if (raw & PTE_USER)
		flags |= VMLAB_PTE_USER;
	if (pte_young(pte))
		flags |= VMLAB_PTE_ACCESSED;
	/* software dirty, or hardware dirty: DBM with AP[2] cleared */
	if (pte_dirty(pte))
		flags |= VMLAB_PTE_DIRTY;
	if (pte_soft_dirty(pte))
		flags |= VMLAB_PTE_SOFT_DIRTY;
	if (raw & PTE_UXN)
		flags |= VMLAB_PTE_NOEXEC;
	if (!(raw & PTE_NG) && pte_valid(pte))
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
	if (raw & PTE_CONT)
		flags |= VMLAB_PTE_CONT;
	return flags;
}

/*
 * The caching mode behind each AttrIndx, decoded from the attribute bytes
 * the kernel programmed into MAIR_EL1 (arch/arm64/mm/proc.S: MAIR_EL1_SET)
 * rather than from the kernel's MT_* numbering, which changes between
 * versions. Written once at module init, read-only after.
 */
static u8 vmlab_mair_modes[8];

/*
 * One MAIR attribute byte (Arm ARM, MAIR_ELx): the high nibble 0 is Device
 * memory (nGnRnE, nGnRE, ...: uncached); else the low (inner) nibble says
 * the caching: 0b0100 non-cacheable (the kernel's write-combining),
 * 0b00xx / 0b10xx write-through, 0b01xx / 0b11xx write-back.
 */
static u8 vmlab_mair_mode(u8 attr)
{
	u8 inner = attr & 0xf;

	if (!(attr & 0xf0))
		return VMLAB_CACHE_UC;
	if (inner == 0x4)
		return VMLAB_CACHE_WC;
	if (!(inner & 0x4))
		return VMLAB_CACHE_WT;
	return VMLAB_CACHE_WB;
}

void vmlab_arch_init(void)
{
	u64 mair = read_sysreg(mair_el1);
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(vmlab_mair_modes); i++)
		vmlab_mair_modes[i] = vmlab_mair_mode((mair >> (8 * i)) & 0xff);
}

u32 vmlab_arch_cache_mode(u64 raw, u32 level)
{
	return vmlab_mair_modes[VMLAB_ATTRINDX(raw)];
}

/*
 * contpte: ptep_get() of a member of a contiguous run returns its entry with
 * the access flag and the dirty state of all 16 members ored in (what the
 * kernel means: the folio is young or dirty if any of them is), where the
 * CPU's access and dirty management set them on one descriptor only.
 * __ptep_get() reads the descriptor itself; without contpte (before 6.9,
 * or CONFIG_ARM64_CONTPTE off) ptep_get() is that already.
 */
#ifdef CONFIG_ARM64_CONTPTE
u64 vmlab_arch_pte_raw(pte_t *ptep, u64 val)
{
	return pte_val(__ptep_get(ptep));
}
#endif

/*
 * A table's or a present leaf's output address is where the kernel's own
 * conversion finds it: bits 47:12 (6.1) or 49:12 (6.12), and with LPA2 (52-bit
 * addresses, 4 or 16 KiB pages) bits 51:50 in bits 9:8, which are the
 * shareability field otherwise (__pte_to_phys() drops it then). Encoding
 * the address back names exactly the bits that hold it, on every version.
 */
u64 vmlab_arch_entry_hide_pa(u64 raw)
{
	pte_t pte = __pte((pteval_t)raw);

	if (!pte_none(pte) && !pte_present(pte))
		return raw & ~VMLAB_SWP_OFFSET_MASK;
	return raw & ~(u64)__phys_to_pte_val(__pte_to_phys(pte));
}

/*
 * arm64 leaves the linear map's alias of RAM handed out as WC or UC
 * cacheable, as the kernel's own users of pgprot_writecombine() on RAM do
 * (the alias is never written through while the user mapping exists).
 */
int vmlab_arch_set_memory_cache(unsigned long addr, int numpages, u32 cache)
{
	return 0;
}
