/* SPDX-License-Identifier: GPL-2.0 */
/*
 * compat.h - every kernel-version difference vmlab.ko builds across (Debian's
 * 6.1, 6.12 and 7.x), and nothing else. The rest of the module includes this
 * and never tests LINUX_VERSION_CODE itself.
 */
#ifndef _VMLAB_COMPAT_H
#define _VMLAB_COMPAT_H

#include <linux/err.h>
#include <linux/mm.h>
#include <linux/huge_mm.h>
#include <linux/pagemap.h>
#include <linux/pgtable.h>
#include <linux/swap.h>
#include <linux/swapops.h>
#include <linux/version.h>

/*
 * VMLAB_SINCE(6, 12): the kernel built for is 6.12 or later. Every version
 * test below goes through it.
 */
#define VMLAB_KERNEL	KERNEL_VERSION(LINUX_VERSION_MAJOR, LINUX_VERSION_PATCHLEVEL, 0)
#define VMLAB_SINCE(major, minor)	(KERNEL_VERSION(major, minor, 0) <= VMLAB_KERNEL)

/* pfn_t went away in 6.17: the PFN-insert helpers take plain pfns since */
#if !VMLAB_SINCE(6, 17)
#include <linux/pfn_t.h>
#endif

/*
 * Maps frame @pfn at @addr of the VM_MIXEDMAP @vma as vmf_insert_mixed()
 * does: a special entry, no reference nor mapcount taken, where the
 * architecture has a special bit. It takes a pfn_t until 6.17.
 */
static inline vm_fault_t vmlab_insert_mixed(struct vm_area_struct *vma,
					    unsigned long addr, unsigned long pfn)
{
#if VMLAB_SINCE(6, 17)
	return vmf_insert_mixed(vma, addr, pfn);
#else
	return vmf_insert_mixed(vma, addr, __pfn_to_pfn_t(pfn, 0));
#endif
}

/* vm_flags became write-protected behind vm_flags_set/clear in 6.3. */
static inline void vmlab_vm_flags_set(struct vm_area_struct *vma, vm_flags_t flags)
{
#if VMLAB_SINCE(6, 3)
	vm_flags_set(vma, flags);
#else
	vma->vm_flags |= flags;
#endif
}

static inline void vmlab_vm_flags_clear(struct vm_area_struct *vma, vm_flags_t flags)
{
#if VMLAB_SINCE(6, 3)
	vm_flags_clear(vma, flags);
#else
	vma->vm_flags &= ~flags;
#endif
}

/*
 * The page-cache folio at @index with a reference, or NULL: filemap_get_folio
 * returned NULL for "none" until 6.3 and ERR_PTR(-ENOENT) since.
 */
static inline struct folio *vmlab_filemap_get_folio(struct address_space *mapping,
						    pgoff_t index)
{
	struct folio *folio = filemap_get_folio(mapping, index);

	return IS_ERR(folio) ? NULL : folio;
}

/*
 * PMD-sized PFN inserts. 6.1 exports vmf_insert_pfn_pmd_prot, but its fault
 * path never offers a huge fault to a VM_PFNMAP VMA (hugepage_vma_check
 * refuses VM_SPECIAL); from 6.12 it does, vmf_insert_pfn_pmd is exported
 * and ->huge_fault takes an order (an enum page_entry_size until 6.5).
 * vmf_insert_pfn_pmd takes a pfn_t until 6.17 and a plain pfn after.
 */
#if VMLAB_SINCE(6, 12) && defined(CONFIG_TRANSPARENT_HUGEPAGE)
#define VMLAB_HAVE_PFN_PMD	1
#define VMLAB_HUGE_FAULT_ARGS	struct vm_fault *vmf, unsigned int order
#define VMLAB_HUGE_FAULT_IS_PMD	(order == PMD_ORDER)

static inline vm_fault_t vmlab_insert_pfn_pmd(struct vm_fault *vmf,
					      unsigned long pfn, bool write)
{
#if VMLAB_SINCE(6, 17)
	return vmf_insert_pfn_pmd(vmf, pfn, write);
#else
	return vmf_insert_pfn_pmd(vmf, __pfn_to_pfn_t(pfn, PFN_DEV), write);
#endif
}
#else
#define VMLAB_HAVE_PFN_PMD	0
#endif

#if VMLAB_SINCE(6, 19)
#include <linux/leafops.h>
#endif

/*
 * Page-table entry getters: one READ_ONCE()-style read of an entry that may
 * change under us. 6.12 has pgdp_get() .. pmdp_get() and pmdp_get_lockless()
 * (a PMD that may be changing into or out of a huge leaf); before, a
 * READ_ONCE() of the entry is what those helpers do on x86-64.
 */
#if VMLAB_SINCE(6, 12)
static inline pgd_t vmlab_pgdp_get(pgd_t *pgdp)
{
	return pgdp_get(pgdp);
}

static inline p4d_t vmlab_p4dp_get(p4d_t *p4dp)
{
	return p4dp_get(p4dp);
}

static inline pud_t vmlab_pudp_get(pud_t *pudp)
{
	return pudp_get(pudp);
}

static inline pmd_t vmlab_pmdp_get(pmd_t *pmdp)
{
	return pmdp_get(pmdp);
}

static inline pmd_t vmlab_pmdp_get_lockless(pmd_t *pmdp)
{
	return pmdp_get_lockless(pmdp);
}
#else
static inline pgd_t vmlab_pgdp_get(pgd_t *pgdp)
{
	return READ_ONCE(*pgdp);
}

static inline p4d_t vmlab_p4dp_get(p4d_t *p4dp)
{
	return READ_ONCE(*p4dp);
}

static inline pud_t vmlab_pudp_get(pud_t *pudp)
{
	return READ_ONCE(*pudp);
}

static inline pmd_t vmlab_pmdp_get(pmd_t *pmdp)
{
	return READ_ONCE(*pmdp);
}

static inline pmd_t vmlab_pmdp_get_lockless(pmd_t *pmdp)
{
	return READ_ONCE(*pmdp);
}
#endif

/*
 * How many page-table entries map @page: page_mapcount() (inline, with the
 * exported __page_mapcount() for compound pages) until the per-page
 * mapcount went away; then the folio's, folio_mapcount(), inline since 6.12.
 * Caller holds the lock of a page-table entry that maps @page.
 */
#if VMLAB_SINCE(6, 12)
static inline int vmlab_mapcount(struct page *page)
{
	return folio_mapcount(page_folio(page));
}
#else
static inline int vmlab_mapcount(struct page *page)
{
	return page_mapcount(page);
}
#endif

/*
 * Whether a write fault reuses @folio, a large anonymous folio mapped by the
 * PTE whose lock the caller holds, neither KSM nor marked exclusive there:
 * the kernel's wp_can_reuse_anon_folio() (open-coded in do_wp_page() on
 * 6.1). @as_small is what the rule for a small folio says of it. Read in
 * 6.1, 6.12 and 7.2; where it changed in between is upstream's history
 * (the "never" rule was posted in the 6.9 merge window, so 6.10):
 * - before 6.10 (6.1): the small folio's rule, applied to the refcount of
 *   the whole folio, which every mapped page of it holds one of;
 * - 6.10 to 6.14 (6.12): never ("give back a large folio a bit sooner");
 * - since 6.15 (7.2, __wp_can_reuse_large_anon_folio()): when more than
 *   one page of it is mapped, by this mm alone (folio_maybe_mapped_shared(),
 *   the MM-id tracking), and every reference is one of those mappings, once
 *   the swap cache's are freed.
 */
#if VMLAB_SINCE(6, 15)
static inline bool vmlab_wp_can_reuse_large_anon(struct folio *folio, bool as_small)
{
	int mapcount = folio_large_mapcount(folio);
	int refs = folio_ref_count(folio);

	if (mapcount <= 1 || folio_maybe_mapped_shared(folio))
		return false;
	if (folio_test_swapcache(folio))
		refs -= folio_nr_pages(folio);
	return refs == mapcount;
}
#elif VMLAB_SINCE(6, 10)
static inline bool vmlab_wp_can_reuse_large_anon(struct folio *folio, bool as_small)
{
	return false;
}
#else
static inline bool vmlab_wp_can_reuse_large_anon(struct folio *folio, bool as_small)
{
	return as_small;
}
#endif

/*
 * A non-present, non-empty PTE: the swap entry it holds and whether that is
 * a migration entry. 6.19 replaced the swp_entry_t helpers for page-table
 * entries with "software leaf" ones (<linux/leafops.h>).
 */
#if VMLAB_SINCE(6, 19)
static inline swp_entry_t vmlab_pte_to_swp(pte_t pte)
{
	return softleaf_from_pte(pte);
}

static inline bool vmlab_swp_is_migration(swp_entry_t entry)
{
	return softleaf_is_migration(entry);
}
#else
static inline swp_entry_t vmlab_pte_to_swp(pte_t pte)
{
	return pte_to_swp_entry(pte);
}

static inline bool vmlab_swp_is_migration(swp_entry_t entry)
{
	return is_migration_entry(entry);
}
#endif

/* The devmap PTE bit, removed with ZONE_DEVICE's devmap in 6.17. */
#ifdef CONFIG_ARCH_HAS_PTE_DEVMAP
static inline bool vmlab_pte_devmap(pte_t pte)
{
	return pte_devmap(pte);
}
#else
static inline bool vmlab_pte_devmap(pte_t pte)
{
	return false;
}
#endif

/*
 * The bits of a present huge PMD leaf but its frame, which are all that its
 * flags and caching mode read: pmd_pgprot(), where the architecture has one
 * (x86; arm64 in 6.12 and 7.x); arm64's 6.1 has none, and there the whole entry
 * serves, which never matches another leaf's (7.x's generic fallback, a
 * pmd_pgprot() of 0 for architectures without their own, is not used by x86
 * or arm64).
 */
#ifdef pmd_pgprot
static inline u64 vmlab_pmd_prot_bits(pmd_t pmd)
{
	return pgprot_val(pmd_pgprot(pmd));
}
#else
static inline u64 vmlab_pmd_prot_bits(pmd_t pmd)
{
	return pmd_val(pmd);
}
#endif

/*
 * Unsigned file offsets, which a 32-bit kernel asks of a character device
 * that maps at 4 GiB and beyond (file_mmap_ok()): the open file's
 * FMODE_UNSIGNED_OFFSET until 6.11; from 6.12 the file_operations'
 * FOP_UNSIGNED_OFFSET (no 32-bit Debian kernel has it: not set there).
 */
#ifdef FMODE_UNSIGNED_OFFSET
static inline void vmlab_file_unsigned_offset(struct file *file)
{
	file->f_mode |= FMODE_UNSIGNED_OFFSET;
}
#else
static inline void vmlab_file_unsigned_offset(struct file *file)
{
}
#endif

/*
 * 7.3 renamed what vmlab asks of a mapping and an entry: is_cow_mapping()
 * of the flags became vma_is_cow_mapping() of the VMA, and the uffd-wp
 * bit's tests pte_uffd_wp()/pte_swp_uffd_wp() became pte_uffd() and
 * pte_swp_uffd() (the bit now serves userfaultfd's other modes too).
 */
static inline bool vmlab_is_cow_mapping(const struct vm_area_struct *vma)
{
#if VMLAB_SINCE(7, 3)
	return vma_is_cow_mapping(vma);
#else
	return is_cow_mapping(vma->vm_flags);
#endif
}

static inline bool vmlab_pte_uffd_wp(pte_t pte)
{
#if VMLAB_SINCE(7, 3)
	return pte_uffd(pte);
#else
	return pte_uffd_wp(pte);
#endif
}

static inline bool vmlab_pte_swp_uffd_wp(pte_t pte)
{
#if VMLAB_SINCE(7, 3)
	return pte_swp_uffd(pte);
#else
	return pte_swp_uffd_wp(pte);
#endif
}

#endif /* _VMLAB_COMPAT_H */
