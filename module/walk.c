// SPDX-License-Identifier: GPL-2.0
/*
 * walk.c: the page-table walker and its locking, and the two ioctls it
 * serves, VMLAB_IOC_WALK and VMLAB_IOC_WALK_RANGE: who may see PFNs, and
 * where they are hidden the frame tokens instead, the VMA's description,
 * records and where a range walk resumes. Whose mm is target.c's.
 * What a leaf means (page state, the COW verdict) is leaf.c's; the entry
 * format (levels, flag bits, caching), the architecture's (arch.h).
 *
 * walk_page_range() and pte_offset_map() are not exported to modules, so
 * the walk is done here, as Documentation/mm/process_addrs.rst describes a
 * lockless-then-locked walk:
 *
 *  - the target mm's mmap lock is held for read: VMAs, and the PGD, P4D, PUD
 *    and PMD tables under a VMA, cannot be freed;
 *  - each upper entry is read once (pgdp_get() and friends) into a local
 *    snapshot, and the next table is located from the snapshot;
 *  - a PMD is read with pmdp_get_lockless(); a huge PMD or PUD leaf is read
 *    again under its lock (pmd_lock(), pud_lock()) before it is decoded;
 *  - a PTE table may be freed by RCU once the PMD no longer points to it
 *    (khugepaged retracting a file THP's table under the mmap read lock),
 *    so the walk runs under rcu_read_lock(), the PTE lock is taken, and the
 *    PMD is re-checked with pmd_same() before ptep_get() reads the PTE
 *    (the kernel's view, which decodes: arm64's contpte ors a contiguous
 *    run's access and dirty bits into it; the raw entry reported is the
 *    entry's own, vmlab_arch_pte_raw());
 *  - a hugetlb VMA that may share its PMD tables with other processes
 *    (VM_MAYSHARE) is walked with its file's i_mmap lock held for read, as
 *    hugetlb_walk() requires of the kernel's own walkers: unsharing (our
 *    MADV_DONTNEED, munmap) takes it for write, and the last sharer frees
 *    the table under its own mmap lock, not ours, without an RCU grace
 *    period on 6.1 and 6.12 x86;
 *  - everything about the page is read while that lock is held: a present
 *    entry cannot be zapped, so the page cannot be freed or split under us.
 *
 * A range walk reads a whole PTE table under one lock, and a row of huge
 * PMD leaves (THPs) of one PMD table under that table's lock, and writes
 * each record straight into the caller's buffer under these locks and the mmap
 * lock (one view of the address space per call), with page faults
 * disabled: a write that would fault ends the pass, the buffer is faulted
 * in with every lock dropped, and the walk starts again from the range's
 * start; a third pass collects into a kernel buffer copied out after the
 * locks are dropped (vmlab_ioc_walk_range()). Each PTE of a table is decoded by
 * vmlab_leaf_decode_pte(), which reads no more of the page than the record
 * and the verdict need.
 */
#include <linux/capability.h>
#include <linux/fs.h>
#include <linux/hugetlb_inline.h>
#include <linux/mm.h>
#include <linux/mmap_lock.h>
#include <linux/pagemap.h>
#include <linux/pgtable.h>
#include <linux/pid.h>
#include <linux/rcupdate.h>
#include <linux/sched/mm.h>
#include <linux/sched/signal.h>
#include <linux/sched/task.h>
#include <linux/shmem_fs.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/vmlab.h>

#include "arch.h"
#include "compat.h"
#include "internal.h"
#include "leaf.h"

/* A range walk yields the CPU every this many steps (entries looked at). */
#define VMLAB_WALK_RESCHED	256
/* ... and returns, with walk_end, after this many: bounds one call's work. */
#define VMLAB_WALK_MAX_STEPS	(4 * VMLAB_WALK_RANGE_MAX)
/* a range walk's passes before the last one collects into a kernel buffer */
#define VMLAB_WALK_PASSES	3

/*
 * Where a range walk puts its records: room for @max in the user's @urecs,
 * @nr written; @fault when record @nr could not be written without a page
 * fault; a last pass writes into the kernel's @kbuf instead, when set.
 * @show_pfn and @tokens: what @pfn of a record holds, @file the key of the
 * tokens. @end bounds the walk inside the current VMA; @steps counts the
 * entries looked at, over the whole pass.
 */
struct vmlab_batch {
	struct vmlab_walk_record __user *urecs;
	struct vmlab_walk_record *kbuf;
	u32 max;
	u32 nr;
	bool fault;
	bool show_pfn;
	bool tokens;
	struct file *file;
	unsigned long end;
	unsigned long steps;
};

/* Bytes one entry of @level maps. */
static unsigned long vmlab_level_size(u32 level)
{
	return 1UL << vmlab_arch_level_shift(level);
}

/* @addr is a user address and @addr + @len does not pass the last one. */
static bool vmlab_user_range(u64 addr, u64 len)
{
	return addr < TASK_SIZE_MAX && len <= TASK_SIZE_MAX - addr;
}

static void vmlab_walk_index(struct mm_struct *mm, unsigned long addr, u32 *index)
{
	u32 level;

	for (level = VMLAB_LEVEL_PGD; level <= VMLAB_LEVEL_PTE; level++)
		index[level] = vmlab_arch_level_index(mm, level, addr);
}

/* The walk stopped at an empty (or bad) entry of @level. */
static void vmlab_walk_stop(unsigned long addr, u32 level, struct vmlab_leaf *lf)
{
	lf->level = level;
	lf->size = vmlab_level_size(level);
	lf->start = addr & ~(lf->size - 1);
}

/*
 * A non-empty leaf: @raw the entry of @level, @pfn its first PFN (used only
 * if it is present). Caller holds the leaf's page-table lock.
 */
static void vmlab_walk_leaf(struct vm_area_struct *vma, unsigned long addr,
			    u32 level, u64 raw, unsigned long pfn,
			    struct vmlab_leaf *lf)
{
	vmlab_walk_stop(addr, level, lf);
	lf->entries[level] = raw;
	if (vmlab_leaf_decode(vma, level, raw, pfn, lf))
		lf->present_levels |= BIT(level);
}

/*
 * A PUD entry that is a leaf (1 GiB) or not present but not empty (a
 * hugetlb migration entry). Returns false when it turned into a table
 * meanwhile. Caller holds the mmap lock.
 */
static bool vmlab_walk_pud_leaf(struct mm_struct *mm, struct vm_area_struct *vma,
				pud_t *pudp, unsigned long addr, struct vmlab_leaf *lf)
{
	/* mm->page_table_lock: huge PUD entries change under it */
	spinlock_t *ptl = pud_lock(mm, pudp);
	bool done = true;
	pud_t pud;

	pud = vmlab_pudp_get(pudp);
	lf->entries[VMLAB_LEVEL_PUD] = pud_val(pud);
	if (pud_none(pud))
		vmlab_walk_stop(addr, VMLAB_LEVEL_PUD, lf);
	else if (pud_leaf(pud) || !pud_present(pud))
		vmlab_walk_leaf(vma, addr, VMLAB_LEVEL_PUD, pud_val(pud),
				pud_pfn(pud), lf);
	else
		done = false;
	spin_unlock(ptl);
	return done;
}

/* As vmlab_walk_pud_leaf(), for a 2 MiB PMD leaf (THP or hugetlb). */
static bool vmlab_walk_pmd_leaf(struct mm_struct *mm, struct vm_area_struct *vma,
				pmd_t *pmdp, unsigned long addr, struct vmlab_leaf *lf)
{
	/* the PMD table's split lock: huge PMD entries change under it */
	spinlock_t *ptl = pmd_lock(mm, pmdp);
	bool done = true;
	pmd_t pmd;

	pmd = vmlab_pmdp_get(pmdp);
	lf->entries[VMLAB_LEVEL_PMD] = pmd_val(pmd);
	if (pmd_none(pmd))
		vmlab_walk_stop(addr, VMLAB_LEVEL_PMD, lf);
	else if (pmd_leaf(pmd) || !pmd_present(pmd))
		vmlab_walk_leaf(vma, addr, VMLAB_LEVEL_PMD, pmd_val(pmd),
				pmd_pfn(pmd), lf);
	else
		done = false;
	spin_unlock(ptl);
	return done;
}

/* Fill @rec, the next record of @b, with the leaf @lf. */
static __always_inline void vmlab_record(const struct vmlab_batch *b,
					 struct vmlab_walk_record *rec,
					 const struct vmlab_leaf *lf)
{
	bool present = lf->present_levels & BIT(lf->level);

	rec->addr = lf->start;
	rec->entry = b->show_pfn ? lf->entry : vmlab_arch_entry_hide_pa(lf->entry);
	if (b->show_pfn)
		rec->pfn = lf->pfn;
	else if (b->tokens && present)
		rec->pfn = vmlab_frame_token(b->file, lf->pfn);
	else
		rec->pfn = 0;
	rec->leaf_flags = lf->leaf_flags;
	rec->level = lf->level;
	rec->verdict = lf->verdict;
	rec->cache_mode = lf->cache_mode;
	rec->page_flags = lf->page_flags & 0xff;
}

/*
 * Write @rec to the user's @urec without a page fault: the caller may hold
 * page-table locks and the mmap lock of the mm @urec lives in, and has
 * called pagefault_disable(). Four plain stores, where a copy_to_user() of
 * a kernel buffer would first have to fill (and clear) that buffer. Returns
 * false when the write would have faulted (the page is not there, or not
 * writable yet).
 */
static __always_inline bool vmlab_put_record(struct vmlab_walk_record __user *urec,
					     const struct vmlab_walk_record *rec)
{
	const u64 *w = (const u64 *)rec;
	u64 __user *u = (u64 __user *)urec;
	bool ok = false;

	BUILD_BUG_ON(sizeof(*rec) != 4 * sizeof(u64));
	if (!user_access_begin(u, sizeof(*rec)))
		return false;
	unsafe_put_user(w[0], &u[0], out);
	unsafe_put_user(w[1], &u[1], out);
	unsafe_put_user(w[2], &u[2], out);
	unsafe_put_user(w[3], &u[3], out);
	ok = true;
out:
	user_access_end();
	return ok;
}

/* Record the leaf @lf in @b, which has room; or mark the pass faulted. */
static void vmlab_emit(struct vmlab_batch *b, const struct vmlab_leaf *lf)
{
	struct vmlab_walk_record rec;
	bool ok;

	if (b->kbuf) {
		vmlab_record(b, &b->kbuf[b->nr++], lf);
		return;
	}
	vmlab_record(b, &rec, lf);
	pagefault_disable();
	ok = vmlab_put_record(b->urecs + b->nr, &rec);
	pagefault_enable();
	if (ok)
		b->nr++;
	else
		b->fault = true;
}

/* Bytes one PTE table maps, and one PMD table. */
#define VMLAB_PTE_TABLE_SPAN	(PTRS_PER_PTE * PAGE_SIZE)
#define VMLAB_PMD_TABLE_SPAN	(PTRS_PER_PMD * PMD_SIZE)

/*
 * The end of @addr's table that maps @span bytes, or @end if sooner (0, the
 * top of the address space, is never sooner). Not pmd_addr_end() or
 * pud_addr_end(), which are @end where the level is folded.
 */
static unsigned long vmlab_table_end(unsigned long addr, unsigned long span,
				     unsigned long end)
{
	unsigned long boundary = (addr + span) & ~(span - 1);

	return boundary - 1 < end - 1 ? boundary : end;
}

/*
 * A range walk's PTE table, from @addr (mapped by *@ptep) to the end of the
 * table or of @b: each non-empty entry becomes a record, until @b is full
 * or a record's write would fault. Returns the address after the last entry
 * looked at. Caller holds the PTE table's lock. The loop runs once per
 * page: what it needs of @b is kept in locals.
 */
static unsigned long vmlab_walk_pte_batch(struct vm_area_struct *vma,
					  pte_t *ptep, unsigned long addr,
					  bool vma_region, struct vmlab_batch *b)
{
	unsigned long start = addr, end = vmlab_table_end(addr, VMLAB_PTE_TABLE_SPAN, b->end);
	struct vmlab_walk_record *kbuf = b->kbuf;
	bool show_pfn = b->show_pfn, tokens = b->tokens;
	u32 nr = b->nr, max = b->max;
	struct vmlab_leaf_memo memo = { };
	struct vmlab_walk_record rec;
	struct vmlab_leaf lf;
	unsigned long pfn;
	u64 raw;
	pte_t pte;

	/*
	 * What every record of the table shares; vmlab_leaf_decode_pte()
	 * fills the rest for each entry, and a record needs no more.
	 */
	lf.vma_region = vma_region;
	lf.full = false;
	lf.level = VMLAB_LEVEL_PTE;
	lf.size = PAGE_SIZE;
	pagefault_disable();
	for (; addr < end && nr < max; addr += PAGE_SIZE, ptep++) {
		pte = ptep_get(ptep);
		if (pte_none(pte))
			continue;
		if (vmlab_leaf_pte_quick(pte, &memo, &pfn)) {
			/* like the last one: only these differ */
			rec = memo.rec;
			rec.addr = addr;
			raw = vmlab_arch_pte_raw(ptep, pte_val(pte));
			if (show_pfn) {
				rec.entry = raw;
				rec.pfn = pfn;
			} else {
				rec.entry = vmlab_arch_entry_hide_pa(raw);
				rec.pfn = tokens ? vmlab_frame_token(b->file, pfn) : 0;
			}
		} else {
			lf.start = addr;
			lf.present_levels = vmlab_leaf_decode_pte(vma, pte, &memo, &lf) ?
					    BIT(VMLAB_LEVEL_PTE) : 0;
			/* the flags are ptep_get()'s, the entry the member's own */
			lf.entry = vmlab_arch_pte_raw(ptep, lf.entry);
			vmlab_record(b, &rec, &lf);
			vmlab_leaf_memo_record(vma, &lf, &rec, &memo);
		}
		if (unlikely(kbuf)) {
			kbuf[nr] = rec;
		} else if (!vmlab_put_record(b->urecs + nr, &rec)) {
			b->fault = true;
			break;
		}
		nr++;
	}
	pagefault_enable();
	b->nr = nr;
	b->steps += (addr - start) >> PAGE_SHIFT;
	return addr;
}

/*
 * A range walk's run of present huge PMD leaves (THPs, hugetlb's 2 MiB
 * pages) from the one *@pmdp maps @addr into, to the end of the PMD table
 * or of @b: each becomes a record, until an entry that is not a present
 * huge leaf, @b is full, or a record's write would fault. The table's lock,
 * which every entry of a PMD table shares (the split PMD lock of its page,
 * or the mm's page_table_lock), is taken once for the run, and each record
 * is written under it as a PTE table's are. Returns the address after the
 * last entry recorded. Caller holds the mmap lock, which keeps the table,
 * and for a shared hugetlb VMA its file's i_mmap lock (vmlab_walk_addr()).
 */
static unsigned long vmlab_walk_pmd_batch(struct mm_struct *mm, struct vm_area_struct *vma,
					  pmd_t *pmdp, unsigned long addr,
					  bool vma_region, struct vmlab_batch *b)
{
	unsigned long end = vmlab_table_end(addr, VMLAB_PMD_TABLE_SPAN, b->end);
	struct vmlab_leaf_memo memo = { };
	struct vmlab_leaf lf;
	/* the PMD table's lock: its huge entries change under it */
	spinlock_t *ptl;
	pmd_t pmd;

	/* what every record of the run shares, as vmlab_walk_pte_batch() */
	lf.vma_region = vma_region;
	lf.full = false;
	lf.level = VMLAB_LEVEL_PMD;
	lf.size = PMD_SIZE;
	addr &= ~(PMD_SIZE - 1);
	ptl = pmd_lock(mm, pmdp);
	for (; addr < end && b->nr < b->max; addr += PMD_SIZE, pmdp++) {
		pmd = vmlab_pmdp_get(pmdp);
		if (!pmd_present(pmd) || !pmd_leaf(pmd))
			break;
		lf.start = addr;
		lf.present_levels = vmlab_leaf_decode_pmd(vma, pmd, &memo, &lf) ?
				    BIT(VMLAB_LEVEL_PMD) : 0;
		vmlab_emit(b, &lf);
		if (b->fault)
			break;
		b->steps++;
	}
	spin_unlock(ptl);
	return addr;
}

/*
 * The PTE for @addr in the table @pmd (a snapshot of *@pmdp) points to; for
 * a range walk (@b), every entry of the table from @addr on, recorded in
 * @b, and @lf covers what was looked at. Returns false when *@pmdp changed
 * before the PTE lock was taken. Caller holds the mmap lock and
 * rcu_read_lock(), which keeps the table (and its lock) from being freed
 * while we look.
 */
static bool vmlab_walk_pte(struct mm_struct *mm, struct vm_area_struct *vma,
			   pmd_t *pmdp, pmd_t pmd, unsigned long addr,
			   struct vmlab_leaf *lf, struct vmlab_batch *b)
{
	/* the PTE table's split lock: its entries change under it */
	spinlock_t *ptl;
	unsigned long next;
	bool done = false;
	pte_t *ptep;
	pte_t pte;

	ptl = pte_lockptr(mm, &pmd);
	/* (mapped: it may be in highmem) */
	ptep = vmlab_arch_pte_map(pmd, addr);
	spin_lock(ptl);
	if (!pmd_same(pmd, vmlab_pmdp_get_lockless(pmdp)))
		goto out_unlock;
	done = true;
	if (b) {
		next = vmlab_walk_pte_batch(vma, ptep, addr, lf->vma_region, b);
		vmlab_walk_stop(addr, VMLAB_LEVEL_PTE, lf);
		lf->size = next - lf->start;
		goto out_unlock;
	}
	pte = ptep_get(ptep);
	if (pte_none(pte))
		vmlab_walk_stop(addr, VMLAB_LEVEL_PTE, lf);
	else
		vmlab_walk_leaf(vma, addr, VMLAB_LEVEL_PTE, pte_val(pte),
				pte_pfn(pte), lf);
	/* the flags are ptep_get()'s, the entry the member's own (arch.h) */
	lf->entries[VMLAB_LEVEL_PTE] = vmlab_arch_pte_raw(ptep, pte_val(pte));
out_unlock:
	spin_unlock(ptl);
	vmlab_arch_pte_unmap(ptep);
	return done;
}

/*
 * A range walk stopped at the empty entry *@entry of @level for @addr: the
 * empty entries after it in the same table, up to @b->end, join the hole
 * (@lf->size), so that a sparse range costs a step per run of empty
 * entries, not per entry, each a walk from the top. Where the level is
 * folded (one entry per table) there is nothing to join. The entries are
 * read without their lock, as the walk down read them: a table that fills
 * in meanwhile is one more the next call sees. Caller holds the mmap lock,
 * which keeps the table.
 */
static void vmlab_walk_hole(u32 level, void *entry, unsigned long addr,
			    struct vmlab_leaf *lf, struct vmlab_batch *b)
{
	unsigned long size = vmlab_level_size(level), next = (addr & ~(size - 1)) + size;
	unsigned long span = size, table_end;
	pud_t *pudp = entry;
	pmd_t *pmdp = entry;

	if (level == VMLAB_LEVEL_PMD && PTRS_PER_PMD > 1)
		span *= PTRS_PER_PMD;
	else if (level == VMLAB_LEVEL_PUD && PTRS_PER_PUD > 1)
		span *= PTRS_PER_PUD;
	else
		return;
	/* the table's end; 0 when it is the top of the address space */
	table_end = (addr & ~(span - 1)) + span;
	while (next < b->end && next - 1 < table_end - 1) {
		b->steps++;
		if (level == VMLAB_LEVEL_PMD ? !pmd_none(vmlab_pmdp_get_lockless(++pmdp)) :
		    !pud_none(vmlab_pudp_get(++pudp)))
			break;
		next += size;
	}
	lf->size = next - lf->start;
}

/*
 * The file whose i_mmap lock keeps @vma's PMD tables from being unshared,
 * when it is a hugetlb mapping that may share them (huge_pmd_share() shares
 * only in VM_MAYSHARE VMAs); NULL for every other VMA. The lock is taken
 * whether or not this kernel shares tables (x86's 6.1, 6.12 and 7.2 do):
 * it is the one hugetlb_walk() asks for (hugetlb_vma_lock_read() is not
 * exported), and cheap next to the walk.
 */
static struct address_space *vmlab_walk_shared_hugetlb(struct vm_area_struct *vma)
{
	if (!is_vm_hugetlb_page(vma) || !(vma->vm_flags & VM_MAYSHARE) || !vma->vm_file)
		return NULL;
	return vma->vm_file->f_mapping;
}

/*
 * The PUD and PMD levels an architecture folds (32-bit x86) have no tables:
 * the walk read the entry of the level above there again, and the last
 * reading is what it found at the level above (its entry, whether present,
 * the leaf or the hole). The walk folds P4D itself.
 */
static void vmlab_walk_fold(struct mm_struct *mm, struct vmlab_leaf *lf)
{
	u32 levels = vmlab_arch_levels(mm), level, above = VMLAB_LEVEL_PGD;

	for (level = VMLAB_LEVEL_P4D; level < VMLAB_LEVEL_PTE; level++) {
		if (levels & BIT(level)) {
			above = level;
			continue;
		}
		if (level == VMLAB_LEVEL_P4D || level > lf->level)
			continue;
		lf->entries[above] = lf->entries[level];
		lf->entries[level] = 0;
		lf->present_levels &= ~BIT(above);
		if (lf->present_levels & BIT(level))
			lf->present_levels |= BIT(above);
		lf->present_levels &= ~BIT(level);
		if (lf->level == level)
			lf->level = above;
	}
}

/*
 * Walk @mm's tables for @addr, inside @vma, into @lf. For a range walk (@b
 * not NULL) a PTE table is read from @addr to its end into @b instead, and
 * @lf covers those entries with no leaf of its own. Caller holds @mm's mmap
 * lock (read is enough); this takes and drops the page-table locks, inside
 * one RCU read-side section, and for a shared hugetlb VMA first its file's
 * i_mmap lock for read (it may sleep for that).
 */
static void vmlab_walk_addr(struct mm_struct *mm, struct vm_area_struct *vma,
			    unsigned long addr, struct vmlab_leaf *lf,
			    struct vmlab_batch *b)
{
	struct address_space *shared;
	u32 level = VMLAB_LEVEL_PGD;
	void *hole = NULL;	/* an empty PUD or PMD entry the walk stopped at */
	pgd_t *pgdp, pgd;
	p4d_t *p4dp, p4d;
	pud_t *pudp, pud;
	pmd_t *pmdp, pmd;
	unsigned long next;
	u32 id, kind;

	memset(lf, 0, sizeof(*lf));
	lf->vma_region = vmlab_vma_region(vma, &id, &kind);
	/* a range walk's records need less of the page than a single walk */
	lf->full = !b;
	/* a hugetlb PMD table shared with others: no one unshares it from us */
	shared = vmlab_walk_shared_hugetlb(vma);
	if (shared)
		i_mmap_lock_read(shared);
	/*
	 * A PTE table freed under locks we do not hold (khugepaged retracting
	 * it) is freed after an RCU grace period: a table our snapshot points
	 * to stays readable until we leave.
	 */
	rcu_read_lock();
	pgdp = pgd_offset(mm, addr);
	pgd = vmlab_pgdp_get(pgdp);
	lf->entries[VMLAB_LEVEL_PGD] = pgd_val(pgd);
	/* with P4D folded, the PGD entry is read and checked as a P4D one */
	if (!mm_p4d_folded(mm)) {
		if (pgd_none(pgd) || pgd_bad(pgd))
			goto stop;
		lf->present_levels |= BIT(level);
		level = VMLAB_LEVEL_P4D;
	}
	p4dp = p4d_offset(&pgd, addr);
	p4d = vmlab_p4dp_get(p4dp);
	lf->entries[level] = p4d_val(p4d);
	if (p4d_none(p4d) || p4d_bad(p4d))
		goto stop;
	lf->present_levels |= BIT(level);

	level = VMLAB_LEVEL_PUD;
	pudp = pud_offset(&p4d, addr);
	/* a huge PUD changes between table, leaf and none under its lock */
	for (;;) {
		pud = vmlab_pudp_get(pudp);
		lf->entries[level] = pud_val(pud);
		if (pud_none(pud)) {
			hole = pudp;
			goto stop;
		}
		if (pud_present(pud) && !pud_leaf(pud))
			break;
		if (vmlab_walk_pud_leaf(mm, vma, pudp, addr, lf))
			goto out;
	}
	if (pud_bad(pud))
		goto stop;
	lf->present_levels |= BIT(level);

	level = VMLAB_LEVEL_PMD;
	pmdp = pmd_offset(&pud, addr);
	/* a PMD changes between table, huge leaf and none with only its lock */
	for (;;) {
		pmd = vmlab_pmdp_get_lockless(pmdp);
		lf->entries[level] = pmd_val(pmd);
		if (pmd_none(pmd))
			hole = pmdp;
		if (pmd_none(pmd) || (!pmd_leaf(pmd) && pmd_present(pmd) && pmd_bad(pmd)))
			goto stop;
		/*
		 * a range walk records a row of huge leaves (THPs) at once,
		 * where the PMD level has tables of its own; the entry
		 * changed when none was recorded and no write faulted
		 */
		if (b && pmd_leaf(pmd) && pmd_present(pmd) && PTRS_PER_PMD > 1) {
			next = vmlab_walk_pmd_batch(mm, vma, pmdp, addr, lf->vma_region, b);
			vmlab_walk_stop(addr, level, lf);
			if (next == lf->start && !b->fault)
				continue;
			lf->size = next - lf->start;
			goto out;
		}
		if (pmd_leaf(pmd) || !pmd_present(pmd)) {
			if (vmlab_walk_pmd_leaf(mm, vma, pmdp, addr, lf))
				goto out;
			continue;
		}
		if (vmlab_walk_pte(mm, vma, pmdp, pmd, addr, lf, b)) {
			lf->present_levels |= BIT(level);
			goto out;
		}
		cpu_relax();
	}
stop:
	vmlab_walk_stop(addr, level, lf);
	if (b && hole)
		vmlab_walk_hole(level, hole, addr, lf, b);
out:
	rcu_read_unlock();
	if (shared)
		i_mmap_unlock_read(shared);
	vmlab_walk_fold(mm, lf);
	lf->verdict = vmlab_leaf_verdict(vma, lf);
}

static void vmlab_fill_vma(struct vm_area_struct *vma, struct vmlab_walk *w)
{
	static const struct {
		unsigned long vm;
		u32 flag;
	} map[] = {
		{ VM_READ, VMLAB_VMA_READ },
		{ VM_WRITE, VMLAB_VMA_WRITE },
		{ VM_EXEC, VMLAB_VMA_EXEC },
		{ VM_SHARED, VMLAB_VMA_SHARED },
		{ VM_MAYREAD, VMLAB_VMA_MAYREAD },
		{ VM_MAYWRITE, VMLAB_VMA_MAYWRITE },
		{ VM_MAYEXEC, VMLAB_VMA_MAYEXEC },
		{ VM_MAYSHARE, VMLAB_VMA_MAYSHARE },
		{ VM_PFNMAP, VMLAB_VMA_PFNMAP },
		{ VM_IO, VMLAB_VMA_IO },
		{ VM_MIXEDMAP, VMLAB_VMA_MIXEDMAP },
		{ VM_HUGETLB, VMLAB_VMA_HUGETLB },
		{ VM_DONTCOPY, VMLAB_VMA_DONTCOPY },
		{ VM_DONTEXPAND, VMLAB_VMA_DONTEXPAND },
		{ VM_DONTDUMP, VMLAB_VMA_DONTDUMP },
		{ VM_HUGEPAGE, VMLAB_VMA_HUGEPAGE },
		{ VM_NOHUGEPAGE, VMLAB_VMA_NOHUGEPAGE },
		{ VM_LOCKED, VMLAB_VMA_LOCKED },
		{ VM_GROWSDOWN, VMLAB_VMA_GROWSDOWN },
	};
	unsigned long vm_flags = vma->vm_flags;
	int i;

	w->vma_start = vma->vm_start;
	w->vma_end = vma->vm_end;
	w->vm_flags = vm_flags;
	for (i = 0; i < ARRAY_SIZE(map); i++)
		if (vm_flags & map[i].vm)
			w->vma_flags |= map[i].flag;

	if (is_vm_hugetlb_page(vma))
		w->backing = VMLAB_BACKING_HUGETLB;
	else if (vmlab_vma_region(vma, &w->region_id, &w->region_kind))
		w->backing = VMLAB_BACKING_VMLAB;
	else if (vm_flags & VM_PFNMAP)
		w->backing = VMLAB_BACKING_PFNMAP;
	else if (vma_is_anonymous(vma))
		w->backing = VMLAB_BACKING_ANON;
	else if (vma->vm_file && shmem_mapping(vma->vm_file->f_mapping))
		w->backing = VMLAB_BACKING_SHMEM;
	else if (vma->vm_file)
		w->backing = VMLAB_BACKING_FILE;
	else
		w->backing = VMLAB_BACKING_OTHER;
}

long vmlab_ioc_walk(struct file *file, void *arg)
{
	struct vmlab_walk *w = arg;
	u64 addr = w->addr;
	u32 pid = w->pid;
	u32 flags = w->flags;
	struct vm_area_struct *vma;
	struct mm_struct *mm;
	struct vmlab_leaf lf;
	bool show_pfn;
	int ret, i;

	if ((flags & ~VMLAB_WALK_MEM_FD) || w->__pad || w->__pad2 ||
	    memchr_inv(w->__reserved, 0, sizeof(w->__reserved)))
		return -EINVAL;
	if (!vmlab_user_range(addr, 0))
		return -EINVAL;

	mm = vmlab_target_mm(file, pid, flags);
	if (IS_ERR(mm))
		return PTR_ERR(mm);
	show_pfn = vmlab_show_pfn(file);

	memset(w, 0, sizeof(*w));
	w->size = sizeof(*w);
	w->pid = pid;
	w->addr = addr;
	w->flags = flags;
	w->valid_levels = vmlab_arch_levels(mm);
	vmlab_walk_index(mm, addr, w->index);

	ret = mmap_read_lock_killable(mm);
	if (ret)
		goto out_mmput;
	vma = find_vma(mm, addr);
	if (!vma || vma->vm_start > addr) {
		mmap_read_unlock(mm);
		w->leaf_level = VMLAB_LEVEL_NONE;
		w->walk_flags |= VMLAB_WALK_NO_VMA;
		goto out_mmput;
	}
	vmlab_fill_vma(vma, w);
	vmlab_walk_addr(mm, vma, addr, &lf, NULL);
	mmap_read_unlock(mm);

	memcpy(w->entries, lf.entries, sizeof(w->entries));
	w->present_levels = lf.present_levels;
	w->leaf_level = lf.level;
	w->leaf_size = lf.found ? lf.size : 0;
	w->pfn = lf.pfn;
	w->leaf_flags = lf.leaf_flags;
	w->cache_mode = lf.cache_mode;
	w->verdict = lf.verdict;
	w->swap_type = lf.swap_type;
	w->swap_offset = lf.swap_offset;
	w->page_flags = lf.page_flags;
	w->refcount = lf.refcount;
	w->mapcount = lf.mapcount;
	w->order = lf.order;
	/* the token of @addr's own frame, in a huge leaf too */
	if (lf.found && (lf.present_levels & BIT(lf.level))) {
		w->frame_token = vmlab_frame_token(file, lf.pfn +
						   ((addr - lf.start) >> PAGE_SHIFT));
		w->walk_flags |= VMLAB_WALK_FRAME_TOKEN;
	}
	if (!show_pfn) {
		w->walk_flags |= VMLAB_WALK_PFN_HIDDEN;
		w->pfn = 0;
		w->swap_offset = 0;
		for (i = 0; i < VMLAB_NR_LEVELS; i++)
			w->entries[i] = vmlab_arch_entry_hide_pa(w->entries[i]);
	}
out_mmput:
	mmput(mm);
	return ret;
}

/*
 * Collect the leaves of [@start, @end) into @b until it is full, a record's
 * write would fault, or the pass's steps run out. Returns where the walk
 * stopped. Caller holds @mm's mmap lock for read.
 */
static unsigned long vmlab_walk_collect(struct mm_struct *mm, unsigned long start,
					unsigned long end, struct vmlab_batch *b)
{
	unsigned long addr = start, next, resched = b->steps + VMLAB_WALK_RESCHED;
	struct vm_area_struct *vma = NULL;
	struct vmlab_leaf lf;

	while (addr < end && b->nr < b->max && !b->fault &&
	       b->steps < VMLAB_WALK_MAX_STEPS) {
		if (!vma || addr >= vma->vm_end) {
			vma = find_vma(mm, addr);
			if (!vma || vma->vm_start >= end) {
				addr = end;
				break;
			}
			addr = max(addr, vma->vm_start);
			b->end = min(end, vma->vm_end);
		}
		b->steps++;
		vmlab_walk_addr(mm, vma, addr, &lf, b);
		if (lf.found) {
			vmlab_emit(b, &lf);
			if (b->fault)
				break;
		}
		next = lf.start + lf.size;
		addr = next > addr ? next : end;
		if (b->steps >= resched) {
			resched = b->steps + VMLAB_WALK_RESCHED;
			cond_resched();
			if (fatal_signal_pending(current))
				break;
		}
	}
	return min(addr, end);
}

/*
 * The pass of @b faulted at record @b->nr: fault that record in (writing
 * it, as the walk would have) and, without writing, the rest of the room,
 * so that the next pass seldom faults again. Called with no lock held.
 */
static int vmlab_fault_in_records(const struct vmlab_batch *b)
{
	struct vmlab_walk_record __user *urec = b->urecs + b->nr;

	if (fault_in_writeable((char __user *)urec, sizeof(*urec)))
		return -EFAULT;
	/* a page GUP cannot fault in (a PFN map) is faulted when reached */
	fault_in_safe_writeable((const char __user *)(urec + 1),
				size_mul(b->max - b->nr - 1, sizeof(*urec)));
	return 0;
}

long vmlab_ioc_walk_range(struct file *file, void *arg)
{
	struct vmlab_walk_range *r = arg;
	struct vmlab_walk_record __user *urecs = u64_to_user_ptr(r->records);
	struct vmlab_batch b = { };
	unsigned long walk_end;
	struct mm_struct *mm;
	unsigned int pass;
	int ret;

	if ((r->flags & ~(VMLAB_WALK_MEM_FD | VMLAB_WALK_RANGE_TOKENS)) ||
	    memchr_inv(r->__reserved, 0, sizeof(r->__reserved)))
		return -EINVAL;
	if (!PAGE_ALIGNED(r->start) || !PAGE_ALIGNED(r->end) ||
	    r->end <= r->start || !vmlab_user_range(r->start, r->end - r->start))
		return -EINVAL;
	if (!r->max_records || r->max_records > VMLAB_WALK_RANGE_MAX)
		return -EINVAL;
	if (!access_ok(urecs, size_mul(r->max_records, sizeof(*urecs))))
		return -EFAULT;

	mm = vmlab_target_mm(file, r->pid, r->flags);
	if (IS_ERR(mm))
		return PTR_ERR(mm);
	b.show_pfn = vmlab_show_pfn(file);
	b.tokens = !b.show_pfn && (r->flags & VMLAB_WALK_RANGE_TOKENS);
	b.file = file;
	b.urecs = urecs;
	b.max = r->max_records;
	/* fail early, and always, on a buffer that cannot be written */
	ret = -EFAULT;
	if (clear_user(urecs, sizeof(*urecs)))
		goto out_mmput;

	/*
	 * Every record of a pass under one hold of the mmap lock, so that one
	 * call's records are one view of the address space, in address order
	 * (were the lock dropped between chunks, a THP collapsed meanwhile
	 * would come back as a PMD leaf starting before records already
	 * made). A record whose write would fault ends the pass: its page is
	 * faulted in with the lock dropped, and the next pass starts over, a
	 * new view. The caller's own threads can take the buffer's pages away
	 * again each time (a fork write-protects them all), so after
	 * VMLAB_WALK_PASSES passes the last one collects into a kernel buffer
	 * that is copied out once every lock is dropped.
	 */
	for (pass = 1;; pass++) {
		b.nr = 0;
		b.steps = 0;
		b.fault = false;
		if (pass == VMLAB_WALK_PASSES) {
			ret = -ENOMEM;
			b.kbuf = kvmalloc_array(b.max, sizeof(*b.kbuf), GFP_KERNEL_ACCOUNT);
			if (!b.kbuf)
				goto out_mmput;
		}
		ret = mmap_read_lock_killable(mm);
		if (ret)
			goto out_free;
		walk_end = vmlab_walk_collect(mm, r->start, r->end, &b);
		mmap_read_unlock(mm);
		if (!b.fault)
			break;
		ret = vmlab_fault_in_records(&b);
		if (ret)
			goto out_free;
	}
	ret = -EFAULT;
	if (b.kbuf && copy_to_user(urecs, b.kbuf, size_mul(b.nr, sizeof(*b.kbuf))))
		goto out_free;
	ret = 0;
	r->nr_records = b.nr;
	r->walk_flags = b.show_pfn ? 0 : VMLAB_WALK_PFN_HIDDEN;
	if (b.tokens)
		r->walk_flags |= VMLAB_WALK_FRAME_TOKEN;
	r->walk_end = walk_end;
out_free:
	kvfree(b.kbuf);
out_mmput:
	mmput(mm);
	return ret;
}
