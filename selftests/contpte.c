// SPDX-License-Identifier: GPL-2.0
/*
 * contpte.c - selftests of multi-size THP (mTHP) as a walk shows it: a
 * 64 KiB anonymous folio (order 4 with 4 KiB pages) that one write faults
 * in, mapped by 16 PTEs; on arm64 (CONFIG_ARM64_CONTPTE) those carry the
 * contiguous bit (contpte), on x86 they are 16 ordinary PTEs. The single
 * and the range walk, pagemap and `vmlab tree` agree on it; what unfolds
 * the contiguous run again (mprotect or munmap of a part, a COW break after
 * fork); and the raw descriptor of one member against the access and dirty
 * state the kernel folds over the run.
 *
 * Runs as root in the vmlab VM. Each test sets
 * /sys/kernel/mm/transparent_hugepage/hugepages-64kB/enabled to "always"
 * and puts the old value back; a kernel without mTHP (before 6.8: 6.1)
 * SKIPs.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "libvmlab.h"
#include "vmlab_test.h"
#include "tool_run.h"

#define MTHP_64K	"/sys/kernel/mm/transparent_hugepage/hugepages-64kB/enabled"
#define BLOCK		(16 * PAGE)	/* one 64 KiB folio: 16 pages, order 4 */
#define BLOCK_ORDER	4

/* descriptor bits (Arm ARM, VMSAv8-64 stage 1) and the kernel's software dirty */

#define NOT_ARM64	"not arm64: no contiguous bit in this CPU's PTEs"

FIXTURE(contpte) {
	int fd;
	pid_t pid;
	char old[16];	/* the 64 KiB size's "enabled" before the test; "" if untouched */
	char *p;	/* the 64 KiB-aligned block, or NULL */
};

FIXTURE_SETUP(contpte)
{
	self->fd = vmlab_open();
	ASSERT_LE(0, self->fd) TH_LOG("open %s: %s", VMLAB_DEVICE, strerror(errno));
	self->pid = getpid();
	self->old[0] = '\0';
	self->p = NULL;
}

FIXTURE_TEARDOWN(contpte)
{
	if (self->p)
		munmap(self->p, BLOCK);
	if (self->old[0] && write_str(MTHP_64K, self->old))
		TH_LOG("could not put %s back to %s", MTHP_64K, self->old);
	close(self->fd);
}

#define NO_MTHP "no 64 KiB mTHP (hugepages-64kB in sysfs: 4 KiB pages, 6.8 and later)"

/*
 * Each page of the block after one write: a PTE leaf of the one order-4
 * THP folio (compound, its PFNs consecutive as pagemap reads them), with
 * VMLAB_PTE_CONT exactly on arm64 (every member's raw entry has bit 52).
 * Returns the folio's first PFN.
 */
static uint64_t check_block(struct __test_metadata *_metadata, int fd, const char *p)
{
	struct vmlab_walk w;
	uint64_t pfn0 = 0;
	unsigned int i;

	for (i = 0; i < 16; i++) {
		EXPECT_EQ(0, vmlab_walk(fd, 0, (uintptr_t)p + i * PAGE, &w));
		EXPECT_EQ(VMLAB_LEVEL_PTE, w.leaf_level);
		EXPECT_MATCHES_PAGEMAP(w);
		EXPECT_EQ(VMLAB_PAGE_COMPOUND | VMLAB_PAGE_THP | VMLAB_PAGE_ANON,
			  w.page_flags & (VMLAB_PAGE_COMPOUND | VMLAB_PAGE_THP | VMLAB_PAGE_ANON))
			TH_LOG("page %u: page flags %#x", i, w.page_flags);
		EXPECT_EQ(BLOCK_ORDER, w.order) TH_LOG("page %u", i);
		if (!i)
			pfn0 = w.pfn;
		EXPECT_EQ(pfn0 + i, w.pfn) TH_LOG("page %u", i);
		EXPECT_EQ(is_arm64(), !!(w.leaf_flags & VMLAB_PTE_CONT)) TH_LOG("page %u", i);
		if (is_arm64())
			EXPECT_TRUE(w.entries[VMLAB_LEVEL_PTE] & D_CONT)
				TH_LOG("page %u: %#llx", i,
				       (unsigned long long)w.entries[VMLAB_LEVEL_PTE]);
	}
	/* a 64 KiB folio is naturally aligned in physical memory */
	EXPECT_EQ(0, pfn0 & 15);
	return pfn0;
}

/*
 * Turns 64 KiB mTHP on (the old setting into @old, put back by the
 * teardown), maps a 64 KiB-aligned private anonymous block into *@p and
 * writes its first byte: the fault maps the whole folio, checked by
 * check_block(), its first PFN into *@pfn0. 0; 1 when the kernel has no
 * 64 KiB mTHP, 2 off arm64 with @arm64_only (the caller SKIPs); -1 when the
 * block could not be mapped.
 */
static int fault_block(struct __test_metadata *_metadata, int fd, char old[16], char **p,
		       bool arm64_only, uint64_t *pfn0)
{
	char line[128], *a, *b;

	if (sysconf(_SC_PAGESIZE) != 4096 || read_line(MTHP_64K, line, sizeof(line)))
		return 1;
	if (arm64_only && !is_arm64())
		return 2;
	a = strchr(line, '[');
	b = a ? strchr(a, ']') : NULL;
	if (!b || b - a > 15)
		return 1;
	memcpy(old, a + 1, b - a - 1);
	old[b - a - 1] = '\0';
	if (write_str(MTHP_64K, "always"))
		return 1;
	*p = map_aligned(BLOCK, BLOCK, PROT_READ | PROT_WRITE, MAP_PRIVATE);
	if (*p == MAP_FAILED) {
		*p = NULL;
		return -1;
	}
	(*p)[0] = 1;
	*pfn0 = check_block(_metadata, fd, *p);
	return 0;
}

/* the reason for fault_block()'s SKIP answer @rc */
#define SKIP_WHY(rc)	((rc) == 1 ? NO_MTHP : NOT_ARM64)

/* how many of the block's 16 PTEs have the contiguous bit, by single walks */
static unsigned int cont_members(int fd, const char *p, uint64_t *mask)
{
	struct vmlab_walk w;
	unsigned int i, n = 0;

	*mask = 0;
	for (i = 0; i < 16; i++) {
		if (vmlab_walk(fd, 0, (uintptr_t)p + i * PAGE, &w))
			continue;
		if (w.leaf_flags & VMLAB_PTE_CONT) {
			n++;
			*mask |= 1ULL << i;
		}
	}
	return n;
}

/*
 * One write faults in the whole 64 KiB folio: 16 PTEs of one order-4 folio,
 * contiguous on arm64; the range walk reports the same 16 leaves, and
 * `vmlab tree` shows them as one run of 16.
 */
TEST_F(contpte, mthp_64k_is_one_folio_and_one_run)
{
	struct vmlab_walk_record recs[32];
	struct result r;
	uint64_t pfn0;
	unsigned long a;
	unsigned int i;
	char want[64];
	long n;
	int rc;

	rc = fault_block(_metadata, self->fd, self->old, &self->p, false, &pfn0);
	if (rc > 0)
		SKIP(return, "%s", SKIP_WHY(rc));
	ASSERT_EQ(0, rc);
	a = (unsigned long)self->p;
	n = vmlab_walk_range_all(self->fd, 0, a, a + BLOCK, recs, 32, NULL);
	ASSERT_EQ(16, n);
	for (i = 0; i < 16; i++) {
		EXPECT_EQ(a + i * PAGE, recs[i].addr);
		EXPECT_EQ(VMLAB_LEVEL_PTE, recs[i].level);
		EXPECT_EQ(pfn0 + i, recs[i].pfn);
		EXPECT_EQ(is_arm64(), !!(recs[i].leaf_flags & VMLAB_PTE_CONT)) TH_LOG("page %u", i);
		EXPECT_TRUE(recs[i].page_flags & VMLAB_PAGE_COMPOUND);
	}
	ASSERT_EQ(0, vmlab(&r, "tree --json -p %d %#lx-%#lx", self->pid, a, a + BLOCK));
	EXPECT_EQ(0, r.status) TH_LOG("%s", r.err);
	EXPECT_JQ(r.out, ".runs", "1");
	EXPECT_JQ(r.out, "[.. | objects | select(.kind == \"leaves\") | .leaves] | add", "16");
	result_free(&r);
	/* the text output names the contiguous run as such */
	ASSERT_EQ(0, vmlab(&r, "tree -p %d %#lx-%#lx", self->pid, a, a + BLOCK));
	EXPECT_EQ(0, r.status) TH_LOG("%s", r.err);
	snprintf(want, sizeof(want), "PTE %lu-%lu: 16 present", (a >> 12) & 511,
		 ((a >> 12) & 511) + 15);
	EXPECT_NE(NULL, strstr(r.out, want)) TH_LOG("no '%s' in:\n%s", want, r.out);
	EXPECT_EQ(is_arm64(), !!strstr(r.out, "cont")) TH_LOG("%s", r.out);
	result_free(&r);
}

/*
 * mprotect() of one page of the block splits the VMA: arm64 unfolds the
 * run (contpte_try_unfold() clears the contiguous bit of all 16 entries
 * before it changes one; they may not differ in permissions), and the
 * changed entry no longer matches its neighbours, so nothing folds back.
 * The folio stays one order-4 folio mapped by 16 PTEs.
 */
TEST_F(contpte, mprotect_of_one_page_unfolds_the_run)
{
	struct vmlab_walk w;
	uint64_t pfn0, mask;
	int rc;

	rc = fault_block(_metadata, self->fd, self->old, &self->p, true, &pfn0);
	if (rc > 0)
		SKIP(return, "%s", SKIP_WHY(rc));
	ASSERT_EQ(0, rc);
	ASSERT_EQ(16, cont_members(self->fd, self->p, &mask));
	ASSERT_EQ(0, mprotect(self->p + 15 * PAGE, PAGE, PROT_READ));
	EXPECT_EQ(0, cont_members(self->fd, self->p, &mask))
		TH_LOG("cont on %#llx", (unsigned long long)mask);
	ASSERT_EQ(0, vmlab_walk(self->fd, 0, (uintptr_t)self->p + 15 * PAGE, &w));
	EXPECT_FALSE(w.leaf_flags & VMLAB_PTE_WRITE);
	EXPECT_EQ(pfn0 + 15, w.pfn);
	EXPECT_EQ(BLOCK_ORDER, w.order);
}

/*
 * munmap() of one page: the run unfolds (no entry of a contiguous run may
 * be empty), the other 15 stay mapped to the same folio without the bit.
 */
TEST_F(contpte, munmap_of_one_page_unfolds_the_run)
{
	struct vmlab_walk w;
	uint64_t pfn0, mask;
	unsigned int i;
	int rc;

	rc = fault_block(_metadata, self->fd, self->old, &self->p, true, &pfn0);
	if (rc > 0)
		SKIP(return, "%s", SKIP_WHY(rc));
	ASSERT_EQ(0, rc);
	ASSERT_EQ(0, munmap(self->p + 8 * PAGE, PAGE));
	EXPECT_EQ(0, cont_members(self->fd, self->p, &mask))
		TH_LOG("cont on %#llx", (unsigned long long)mask);
	for (i = 0; i < 16; i++) {
		if (i == 8)
			continue;
		ASSERT_EQ(0, vmlab_walk(self->fd, 0, (uintptr_t)self->p + i * PAGE, &w));
		EXPECT_EQ(pfn0 + i, w.pfn) TH_LOG("page %u", i);
		EXPECT_TRUE(w.leaf_flags & VMLAB_PTE_PRESENT);
	}
}

/*
 * fork(): the parent's run is write-protected as a whole, which keeps it
 * contiguous (contpte_wrprotect_ptes() need not unfold a whole block), and
 * the child maps the same folio with a run of its own. A write in the
 * parent then copies that one page (the folio is shared: no reuse), and
 * the new PTE differs from its neighbours: the run unfolds.
 */
TEST_F(contpte, cow_after_fork_unfolds_the_run)
{
	struct vmlab_walk w;
	uint64_t pfn0, mask;
	int go[2], status;
	unsigned int i;
	pid_t child;
	char c;
	int rc;

	rc = fault_block(_metadata, self->fd, self->old, &self->p, true, &pfn0);
	if (rc > 0)
		SKIP(return, "%s", SKIP_WHY(rc));
	ASSERT_EQ(0, rc);
	ASSERT_EQ(0, pipe(go));
	child = fork();
	ASSERT_LE(0, child);
	if (!child) {
		close(go[1]);
		(void)!read(go[0], &c, 1);
		_exit(0);
	}
	close(go[0]);
	/* parent and child: 16 read-only contiguous PTEs of the one folio */
	EXPECT_EQ(16, cont_members(self->fd, self->p, &mask));
	for (i = 0; i < 16; i++) {
		EXPECT_EQ(0, vmlab_walk(self->fd, child, (uintptr_t)self->p + i * PAGE, &w));
		EXPECT_EQ(pfn0 + i, w.pfn) TH_LOG("child page %u", i);
		EXPECT_TRUE(w.leaf_flags & VMLAB_PTE_CONT) TH_LOG("child page %u", i);
		EXPECT_FALSE(w.leaf_flags & VMLAB_PTE_WRITE) TH_LOG("child page %u", i);
		EXPECT_EQ(0, vmlab_walk(self->fd, 0, (uintptr_t)self->p + i * PAGE, &w));
		EXPECT_FALSE(w.leaf_flags & VMLAB_PTE_WRITE) TH_LOG("page %u", i);
	}
	self->p[5 * PAGE] = 2;
	EXPECT_EQ(0, cont_members(self->fd, self->p, &mask))
		TH_LOG("cont on %#llx", (unsigned long long)mask);
	ASSERT_EQ(0, vmlab_walk(self->fd, 0, (uintptr_t)self->p + 5 * PAGE, &w));
	EXPECT_NE(pfn0 + 5, w.pfn);
	EXPECT_EQ(0, w.order);
	EXPECT_TRUE(w.leaf_flags & VMLAB_PTE_WRITE);
	ASSERT_EQ(0, vmlab_walk(self->fd, 0, (uintptr_t)self->p + 6 * PAGE, &w));
	EXPECT_EQ(pfn0 + 6, w.pfn);
	EXPECT_EQ(BLOCK_ORDER, w.order);
	/* the child's run is untouched */
	EXPECT_EQ(0, vmlab_walk(self->fd, child, (uintptr_t)self->p + 5 * PAGE, &w));
	EXPECT_EQ(pfn0 + 5, w.pfn);
	EXPECT_TRUE(w.leaf_flags & VMLAB_PTE_CONT);
	close(go[1]);
	ASSERT_EQ(child, waitpid(child, &status, 0));
	EXPECT_TRUE(WIFEXITED(status));
}

/*
 * The raw entry is the member's own descriptor. MADV_FREE cleans the whole
 * run (access and dirty cleared on all 16, the run kept); a write to one
 * page then sets that descriptor's dirty state only (the CPU's hardware
 * dirty management, FEAT_HAFDBS, clears its AP[2]), while the kernel's
 * ptep_get() folds access and dirty over the run: the walk's flags say
 * dirty for every member, as the kernel sees them, and each raw entry only
 * what its own descriptor holds.
 */
TEST_F(contpte, raw_entry_is_the_members_own_descriptor)
{
	uint64_t raw_dirty = 0, raw_young = 0, d, mask, pfn0;
	struct vmlab_walk w;
	struct result r;
	unsigned int i;
	int rc;

	rc = fault_block(_metadata, self->fd, self->old, &self->p, true, &pfn0);
	if (rc > 0)
		SKIP(return, "%s", SKIP_WHY(rc));
	ASSERT_EQ(0, rc);
	ASSERT_EQ(0, madvise(self->p, BLOCK, MADV_FREE));
	ASSERT_EQ(16, cont_members(self->fd, self->p, &mask));
	for (i = 0; i < 16; i++) {
		ASSERT_EQ(0, vmlab_walk(self->fd, 0, (uintptr_t)self->p + i * PAGE, &w));
		d = w.entries[VMLAB_LEVEL_PTE];
		EXPECT_FALSE(desc_dirty(d)) TH_LOG("page %u: %#llx", i, (unsigned long long)d);
		EXPECT_FALSE(w.leaf_flags & VMLAB_PTE_DIRTY) TH_LOG("page %u", i);
	}
	self->p[3 * PAGE] = 1;
	ASSERT_EQ(16, cont_members(self->fd, self->p, &mask));
	for (i = 0; i < 16; i++) {
		ASSERT_EQ(0, vmlab_walk(self->fd, 0, (uintptr_t)self->p + i * PAGE, &w));
		d = w.entries[VMLAB_LEVEL_PTE];
		if (desc_dirty(d))
			raw_dirty |= 1ULL << i;
		if (d & D_AF)
			raw_young |= 1ULL << i;
		/* the kernel's view: one dirty member makes the run dirty */
		EXPECT_TRUE(w.leaf_flags & VMLAB_PTE_DIRTY) TH_LOG("page %u", i);
		EXPECT_TRUE(w.leaf_flags & VMLAB_PTE_ACCESSED) TH_LOG("page %u", i);
		EXPECT_TRUE(d & D_CONT) TH_LOG("page %u", i);
		/* MADV_FREE left the folio in place: no page was dropped */
		EXPECT_EQ(pfn0 + i, w.pfn) TH_LOG("page %u", i);
	}
	TH_LOG("raw dirty %#llx, raw accessed %#llx", (unsigned long long)raw_dirty,
	       (unsigned long long)raw_young);
	EXPECT_EQ(1ULL << 3, raw_dirty);
	EXPECT_EQ(1ULL << 3, raw_young);
	/* `vmlab walk` shows both: the run's flags and the entry's own */
	ASSERT_EQ(0, vmlab(&r, "walk --json -p %d %p", self->pid, self->p));
	EXPECT_EQ(0, r.status) TH_LOG("%s", r.err);
	EXPECT_JQ(r.out, ".walks[0].leaf.flags | index(\"cont\") != null", "true");
	EXPECT_JQ(r.out, ".walks[0].leaf.flags | index(\"dirty\") != null", "true");
	EXPECT_JQ(r.out, ".walks[0].leaf.entry_flags | index(\"dirty\") != null", "false");
	result_free(&r);
	ASSERT_EQ(0, vmlab(&r, "walk -p %d %p", self->pid, self->p + 3 * PAGE));
	EXPECT_EQ(0, r.status) TH_LOG("%s", r.err);
	EXPECT_NE(NULL, strstr(r.out, "contiguous run: flags are the run's; the entry's own: "))
		TH_LOG("%s", r.out);
	result_free(&r);
}

TEST_HARNESS_MAIN
