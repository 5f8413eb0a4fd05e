/* SPDX-License-Identifier: GPL-2.0 */
/*
 * compat.h - every kernel-version difference vmlab.ko builds across (Debian's
 * 6.1, 6.12 and 7.x), and nothing else. The rest of the module includes this
 * and never tests LINUX_VERSION_CODE itself.
 */
#ifndef _VMLAB_COMPAT_H
#define _VMLAB_COMPAT_H

#include <linux/mm.h>
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

#endif /* _VMLAB_COMPAT_H */
