// SPDX-License-Identifier: GPL-2.0
/*
 * contpte.c - selftests of multi-size THP (mTHP) as a walk shows it: an
 * anonymous folio of one contiguous run (the block) that one write faults
 * in. On arm64 (CONFIG_ARM64_CONTPTE) a run is CONT_PTES PTEs with the
 * contiguous bit (contpte): 16 of 4 KiB (64 KiB, order 4), 128 of 16 KiB
 * (2 MiB, order 7), 32 of 64 KiB (2 MiB, order 5); on x86 the block is 16
 * ordinary PTEs of 4 KiB (64 KiB, order 4). The single and the range walk,
 * pagemap and `vmlab tree` agree on it; what unfolds the contiguous run
 * again (mprotect or munmap of a part, a COW break after fork); and the raw
 * descriptor of one member against the access and dirty state the kernel
 * folds over the run.
 *
 * Runs as root in the vmlab VM. Each test sets the block's mTHP size,
 * /sys/kernel/mm/transparent_hugepage/hugepages-<N>kB/enabled, to "always"
 * and puts the old value back; a kernel without that size (no mTHP before
 * 6.8: 6.1) SKIPs.
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

#define THP_DIR		"/sys/kernel/mm/transparent_hugepage"
/* the most members a block has (128 PTEs of 16 KiB), for arrays and bitmaps */
#define MAX_MEMBERS	128

/*
 * How many PTEs the block is: arm64's CONT_PTES of the running granule
 * (arch/arm64/include/asm/pgtable-hwdef.h: CONFIG_ARM64_CONT_PTE_SHIFT 4, 7
 * and 5 with 4, 16 and 64 KiB pages), x86's 16 (no contiguous bit: a
 * 64 KiB folio of ordinary PTEs)
 */
static unsigned int members(void)
{
	if (is_arm64() && PAGE == 16384)
		return 128;
	if (is_arm64() && PAGE == 65536)
		return 32;
	return 16;
}

#define NR		members()
#define BLOCK		(NR * PAGE)	/* one folio of one contiguous run */
#define BLOCK_ORDER	((unsigned int)__builtin_ctz(NR))

#define NOT_ARM64	"not arm64: no contiguous bit in this CPU's PTEs"

/* a set of the block's members, by index */
struct members {
	uint64_t w[MAX_MEMBERS / 64];
};

static void members_add(struct members *m, unsigned int i)
{
	m->w[i / 64] |= 1ULL << (i % 64);
}

static bool members_has(const struct members *m, unsigned int i)
{
	return m->w[i / 64] & (1ULL << (i % 64));
}

/* @m as ranges of indexes ("0-14,16"; "none"), for the logs */
static const char *members_str(const struct members *m, char *buf, size_t len)
{
	unsigned int i = 0, j;
	size_t n = 0;

	buf[0] = '\0';
	while (i < NR) {
		if (!members_has(m, i)) {
			i++;
			continue;
		}
		for (j = i; j + 1 < NR && members_has(m, j + 1); j++)
			;
		if (n < len)
			n += snprintf(buf + n, len - n, j > i ? "%s%u-%u" : "%s%u",
				      n ? "," : "", i, j);
		i = j + 1;
	}
	if (!buf[0])
		snprintf(buf, len, "none");
	return buf;
}

FIXTURE(contpte) {
	int fd;
	pid_t pid;
	char path[96];	/* the block's mTHP size's "enabled" */
	char old[16];	/* its value before the test; "" if untouched */
	char *p;	/* the block-aligned block, or NULL */
};

FIXTURE_SETUP(contpte)
{
	self->fd = vmlab_open();
	ASSERT_LE(0, self->fd) TH_LOG("open %s: %s", VMLAB_DEVICE, strerror(errno));
	self->pid = getpid();
	snprintf(self->path, sizeof(self->path), THP_DIR "/hugepages-%lukB/enabled",
		 (unsigned long)BLOCK >> 10);
	self->old[0] = '\0';
	self->p = NULL;
}

FIXTURE_TEARDOWN(contpte)
{
	if (self->p)
		munmap(self->p, BLOCK);
	if (self->old[0] && write_str(self->path, self->old))
		TH_LOG("could not put %s back to %s", self->path, self->old);
	close(self->fd);
}

/*
 * Each page of the block after one write: a PTE leaf of the one THP folio
 * of the block's order (compound, its PFNs consecutive as pagemap reads
 * them), with VMLAB_PTE_CONT exactly on arm64 (every member's raw entry has
 * bit 52). Returns the folio's first PFN.
 */
static uint64_t check_block(struct __test_metadata *_metadata, int fd, const char *p)
{
	struct vmlab_walk w;
	uint64_t pfn0 = 0;
	unsigned int i;

	for (i = 0; i < NR; i++) {
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
	/* a folio is naturally aligned in physical memory, as a run must be */
	EXPECT_EQ(0, pfn0 & (NR - 1)) TH_LOG("first PFN %#llx", (unsigned long long)pfn0);
	return pfn0;
}

/*
 * Turns the block's mTHP size on (@path; the old setting into @old, put
 * back by the teardown), maps a block-aligned private anonymous block into
 * *@p and writes its first byte: the fault maps the whole folio, checked
 * by check_block(), its first PFN into *@pfn0. 0; 1 with the reason in
 * @why when the kernel has no mTHP of that size, or off arm64 with
 * @arm64_only (the caller SKIPs); -1 when the block could not be mapped.
 */
static int fault_block(struct __test_metadata *_metadata, int fd, const char *path,
		       char old[16], char **p, bool arm64_only, uint64_t *pfn0, char *why,
		       size_t len)
{
	char line[128], *a, *b;

	if (arm64_only && !is_arm64()) {
		snprintf(why, len, NOT_ARM64);
		return 1;
	}
	if (read_line(path, line, sizeof(line))) {
		snprintf(why, len, "no %lu KiB mTHP (%lu pages of %lu KiB): %s: %s%s",
			 (unsigned long)BLOCK >> 10, (unsigned long)NR, PAGE >> 10,
			 path, strerror(errno),
			 access(THP_DIR, F_OK) ? " (no THP)" : " (multi-size THP came in 6.8)");
		return 1;
	}
	a = strchr(line, '[');
	b = a ? strchr(a, ']') : NULL;
	if (!b || b - a > 15) {
		snprintf(why, len, "%s reads '%s': no [setting] in it", path, line);
		return 1;
	}
	memcpy(old, a + 1, b - a - 1);
	old[b - a - 1] = '\0';
	if (write_str(path, "always")) {
		snprintf(why, len, "%s: cannot write 'always': %s", path, strerror(errno));
		return 1;
	}
	*p = map_aligned(BLOCK, BLOCK, PROT_READ | PROT_WRITE, MAP_PRIVATE);
	if (*p == MAP_FAILED) {
		*p = NULL;
		return -1;
	}
	(*p)[0] = 1;
	*pfn0 = check_block(_metadata, fd, *p);
	return 0;
}

/*
 * How many of the block's PTEs have the contiguous bit in process @pid, by
 * single walks; which ones into @set
 */
static unsigned int cont_members(int fd, pid_t pid, const char *p, struct members *set)
{
	struct vmlab_walk w;
	unsigned int i, n = 0;

	memset(set, 0, sizeof(*set));
	for (i = 0; i < NR; i++) {
		if (vmlab_walk(fd, pid, (uintptr_t)p + i * PAGE, &w))
			continue;
		if (w.leaf_flags & VMLAB_PTE_CONT) {
			n++;
			members_add(set, i);
		}
	}
	return n;
}

/*
 * One write faults in the whole block: its PTEs map one folio of the
 * block's order, contiguous on arm64; the range walk reports the same
 * leaves, and `vmlab tree` shows them as one run.
 */
TEST_F(contpte, mthp_block_is_one_folio_and_one_run)
{
	struct vmlab_walk_record recs[MAX_MEMBERS + 1];
	struct vmlab_walk w;
	struct result r;
	uint64_t pfn0;
	unsigned long a;
	unsigned int i;
	char want[64], why[256];
	long n;
	int rc;

	rc = fault_block(_metadata, self->fd, self->path, self->old, &self->p, false, &pfn0,
			 why, sizeof(why));
	if (rc > 0)
		SKIP(return, "%s", why);
	ASSERT_EQ(0, rc);
	TH_LOG("block: %u PTEs of %lu KiB, order %u", NR, PAGE >> 10, BLOCK_ORDER);
	a = (unsigned long)self->p;
	n = vmlab_walk_range_all(self->fd, 0, a, a + BLOCK, recs, ARRAY_SIZE(recs), NULL);
	ASSERT_EQ(NR, n);
	for (i = 0; i < NR; i++) {
		EXPECT_EQ(a + i * PAGE, recs[i].addr);
		EXPECT_EQ(VMLAB_LEVEL_PTE, recs[i].level);
		EXPECT_EQ(pfn0 + i, recs[i].pfn);
		EXPECT_EQ(is_arm64(), !!(recs[i].leaf_flags & VMLAB_PTE_CONT)) TH_LOG("page %u", i);
		EXPECT_TRUE(recs[i].page_flags & VMLAB_PAGE_COMPOUND);
	}
	ASSERT_EQ(0, vmlab(&r, "tree --json -p %d %#lx-%#lx", self->pid, a, a + BLOCK));
	EXPECT_EQ(0, r.status) TH_LOG("%s", r.err);
	EXPECT_JQ(r.out, ".runs", "1");
	snprintf(want, sizeof(want), "%u", NR);
	EXPECT_JQ(r.out, "[.. | objects | select(.kind == \"leaves\") | .leaves] | add", want);
	result_free(&r);
	/* the text output names the contiguous run as such, at its PTE indexes */
	ASSERT_EQ(0, vmlab_walk(self->fd, 0, a, &w));
	ASSERT_EQ(0, vmlab(&r, "tree -p %d %#lx-%#lx", self->pid, a, a + BLOCK));
	EXPECT_EQ(0, r.status) TH_LOG("%s", r.err);
	snprintf(want, sizeof(want), "PTE %u-%u: %u present", w.index[VMLAB_LEVEL_PTE],
		 w.index[VMLAB_LEVEL_PTE] + NR - 1, NR);
	EXPECT_NE(NULL, strstr(r.out, want)) TH_LOG("no '%s' in:\n%s", want, r.out);
	EXPECT_EQ(is_arm64(), !!strstr(r.out, "cont")) TH_LOG("%s", r.out);
	result_free(&r);
}

/*
 * mprotect() of the block's last page splits the VMA: arm64 unfolds the
 * run (contpte_try_unfold() clears the contiguous bit of all its entries
 * before it changes one; they may not differ in permissions), and the
 * changed entry no longer matches its neighbours, so nothing folds back.
 * The folio stays one folio of the block's order, mapped by its PTEs.
 */
TEST_F(contpte, mprotect_of_one_page_unfolds_the_run)
{
	const unsigned int last = NR - 1;
	struct vmlab_walk w;
	struct members set;
	uint64_t pfn0;
	char why[256];
	int rc;

	rc = fault_block(_metadata, self->fd, self->path, self->old, &self->p, true, &pfn0,
			 why, sizeof(why));
	if (rc > 0)
		SKIP(return, "%s", why);
	ASSERT_EQ(0, rc);
	ASSERT_EQ(NR, cont_members(self->fd, 0, self->p, &set));
	ASSERT_EQ(0, mprotect(self->p + last * PAGE, PAGE, PROT_READ));
	EXPECT_EQ(0, cont_members(self->fd, 0, self->p, &set))
		TH_LOG("cont on %s", members_str(&set, why, sizeof(why)));
	ASSERT_EQ(0, vmlab_walk(self->fd, 0, (uintptr_t)self->p + last * PAGE, &w));
	EXPECT_FALSE(w.leaf_flags & VMLAB_PTE_WRITE);
	EXPECT_EQ(pfn0 + last, w.pfn);
	EXPECT_EQ(BLOCK_ORDER, w.order);
}

/*
 * munmap() of the block's middle page: the run unfolds (no entry of a
 * contiguous run may be empty), the others stay mapped to the same folio
 * without the bit.
 */
TEST_F(contpte, munmap_of_one_page_unfolds_the_run)
{
	const unsigned int hole = NR / 2;
	struct vmlab_walk w;
	struct members set;
	uint64_t pfn0;
	char why[256];
	unsigned int i;
	int rc;

	rc = fault_block(_metadata, self->fd, self->path, self->old, &self->p, true, &pfn0,
			 why, sizeof(why));
	if (rc > 0)
		SKIP(return, "%s", why);
	ASSERT_EQ(0, rc);
	ASSERT_EQ(0, munmap(self->p + hole * PAGE, PAGE));
	EXPECT_EQ(0, cont_members(self->fd, 0, self->p, &set))
		TH_LOG("cont on %s", members_str(&set, why, sizeof(why)));
	for (i = 0; i < NR; i++) {
		if (i == hole)
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
	struct members set;
	int go[2], status;
	uint64_t pfn0;
	char why[256];
	unsigned int i;
	pid_t child;
	char c;
	int rc;

	rc = fault_block(_metadata, self->fd, self->path, self->old, &self->p, true, &pfn0,
			 why, sizeof(why));
	if (rc > 0)
		SKIP(return, "%s", why);
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
	/* parent and child: the block's read-only contiguous PTEs of the one folio */
	EXPECT_EQ(NR, cont_members(self->fd, 0, self->p, &set));
	for (i = 0; i < NR; i++) {
		EXPECT_EQ(0, vmlab_walk(self->fd, child, (uintptr_t)self->p + i * PAGE, &w));
		EXPECT_EQ(pfn0 + i, w.pfn) TH_LOG("child page %u", i);
		EXPECT_TRUE(w.leaf_flags & VMLAB_PTE_CONT) TH_LOG("child page %u", i);
		EXPECT_FALSE(w.leaf_flags & VMLAB_PTE_WRITE) TH_LOG("child page %u", i);
		EXPECT_EQ(0, vmlab_walk(self->fd, 0, (uintptr_t)self->p + i * PAGE, &w));
		EXPECT_FALSE(w.leaf_flags & VMLAB_PTE_WRITE) TH_LOG("page %u", i);
	}
	self->p[5 * PAGE] = 2;
	EXPECT_EQ(0, cont_members(self->fd, 0, self->p, &set))
		TH_LOG("cont on %s", members_str(&set, why, sizeof(why)));
	ASSERT_EQ(0, vmlab_walk(self->fd, 0, (uintptr_t)self->p + 5 * PAGE, &w));
	EXPECT_NE(pfn0 + 5, w.pfn);
	EXPECT_EQ(0, w.order);
	EXPECT_TRUE(w.leaf_flags & VMLAB_PTE_WRITE);
	ASSERT_EQ(0, vmlab_walk(self->fd, 0, (uintptr_t)self->p + 6 * PAGE, &w));
	EXPECT_EQ(pfn0 + 6, w.pfn);
	EXPECT_EQ(BLOCK_ORDER, w.order);
	/* the child's run is untouched */
	EXPECT_EQ(NR, cont_members(self->fd, child, self->p, &set))
		TH_LOG("child: cont on %s", members_str(&set, why, sizeof(why)));
	EXPECT_EQ(0, vmlab_walk(self->fd, child, (uintptr_t)self->p + 5 * PAGE, &w));
	EXPECT_EQ(pfn0 + 5, w.pfn);
	close(go[1]);
	ASSERT_EQ(child, waitpid(child, &status, 0));
	EXPECT_TRUE(WIFEXITED(status));
}

/*
 * The raw entry is the member's own descriptor. MADV_FREE cleans the whole
 * run (access and dirty cleared on every member, the run kept); a write to
 * one page then sets that descriptor's dirty state only (the CPU's hardware
 * dirty management, FEAT_HAFDBS, clears its AP[2]), while the kernel's
 * ptep_get() folds access and dirty over the run: the walk's flags say
 * dirty for every member, as the kernel sees them, and each raw entry only
 * what its own descriptor holds.
 */
TEST_F(contpte, raw_entry_is_the_members_own_descriptor)
{
	struct members raw_dirty = { 0 }, raw_young = { 0 }, want = { 0 }, set;
	char why[256], buf[256];
	struct vmlab_walk w;
	uint64_t d, pfn0;
	struct result r;
	unsigned int i;
	int rc;

	rc = fault_block(_metadata, self->fd, self->path, self->old, &self->p, true, &pfn0,
			 why, sizeof(why));
	if (rc > 0)
		SKIP(return, "%s", why);
	ASSERT_EQ(0, rc);
	ASSERT_EQ(0, madvise(self->p, BLOCK, MADV_FREE));
	ASSERT_EQ(NR, cont_members(self->fd, 0, self->p, &set));
	for (i = 0; i < NR; i++) {
		ASSERT_EQ(0, vmlab_walk(self->fd, 0, (uintptr_t)self->p + i * PAGE, &w));
		d = w.entries[VMLAB_LEVEL_PTE];
		EXPECT_FALSE(desc_dirty(d)) TH_LOG("page %u: %#llx", i, (unsigned long long)d);
		EXPECT_FALSE(w.leaf_flags & VMLAB_PTE_DIRTY) TH_LOG("page %u", i);
	}
	self->p[3 * PAGE] = 1;
	ASSERT_EQ(NR, cont_members(self->fd, 0, self->p, &set));
	for (i = 0; i < NR; i++) {
		ASSERT_EQ(0, vmlab_walk(self->fd, 0, (uintptr_t)self->p + i * PAGE, &w));
		d = w.entries[VMLAB_LEVEL_PTE];
		if (desc_dirty(d))
			members_add(&raw_dirty, i);
		if (d & D_AF)
			members_add(&raw_young, i);
		/* the kernel's view: one dirty member makes the run dirty */
		EXPECT_TRUE(w.leaf_flags & VMLAB_PTE_DIRTY) TH_LOG("page %u", i);
		EXPECT_TRUE(w.leaf_flags & VMLAB_PTE_ACCESSED) TH_LOG("page %u", i);
		EXPECT_TRUE(d & D_CONT) TH_LOG("page %u", i);
		/* MADV_FREE left the folio in place: no page was dropped */
		EXPECT_EQ(pfn0 + i, w.pfn) TH_LOG("page %u", i);
	}
	TH_LOG("raw dirty %s, raw accessed %s", members_str(&raw_dirty, why, sizeof(why)),
	       members_str(&raw_young, buf, sizeof(buf)));
	members_add(&want, 3);
	EXPECT_EQ(0, memcmp(&want, &raw_dirty, sizeof(want)));
	EXPECT_EQ(0, memcmp(&want, &raw_young, sizeof(want)));
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
