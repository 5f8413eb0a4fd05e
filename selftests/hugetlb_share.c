// SPDX-License-Identifier: GPL-2.0
/*
 * hugetlb_share.c - the walker and hugetlb's shared PMD tables (issue 13,
 * item 2). Two processes mapping the same aligned span of a hugetlbfs file
 * MAP_SHARED (the span one PUD entry maps: 1 GiB with 4 KiB pages, 64 GiB
 * with arm64's 16 KiB pages; of PMD-sized hugetlb pages, 2 or 32 MiB) share
 * one PMD table (CONFIG_HUGETLB_PMD_PAGE_TABLE_SHARING, x86-64 and arm64):
 * both PUD entries point to it.
 * When one of them unshares it (MADV_DONTNEED, munmap, exit) only its PUD
 * entry is cleared; the table is freed by the last sharer to let go, under
 * that one's mmap lock, not ours, and on 6.1/6.12 x86 without waiting for
 * an RCU grace period. The walker holds the mapping's i_mmap lock for read
 * across such a walk, as the kernel's hugetlb walkers do (hugetlb_walk()).
 *
 * First the proof that the tables are shared (the PUD entries of both
 * processes hold the same table's address; a private mapping, which never
 * shares, is the control), then walks racing with unsharing and with the
 * other sharer freeing the table, for VMLAB_STRESS_SECONDS (default 20 s,
 * at most 240); the VM's runner fails the run on any KASAN report.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "libvmlab.h"
#include "vmlab_test.h"

#ifndef MFD_HUGETLB
#define MFD_HUGETLB	0x0004U
#endif

/* the physical address a table entry points to (x86-64: bits 12 to 51) */
#define ENTRY_PA(e)	((e) & 0x000ffffffffff000ULL)

/* room for every record of a walk of the span: a PMD table's entries */
#define MAX_RECS	2048

#ifndef MFD_HUGE_SHIFT
#define MFD_HUGE_SHIFT	26
#endif

/*
 * The PMD-sized hugetlb page (thp_size(): 2 MiB, 32 MiB with 16 KiB pages)
 * and the span a PMD table maps, one PUD entry's (a table of PAGE / 8
 * entries): set by the fixture's setup, in the process that runs the test
 */
static unsigned long huge, span;

FIXTURE(share) {
	int fd;		/* /dev/vmlab */
	int memfd;	/* a hugetlbfs file of the span, of which we touch one page */
	long old;
	char *area;	/* span-aligned, where the file is mapped */
};

FIXTURE_SETUP(share)
{
	struct vmlab_info info;
	char path[96], *hole;
	uintptr_t a;

	self->old = -1;
	self->area = MAP_FAILED;
	self->fd = vmlab_open();
	ASSERT_LE(0, self->fd);
	ASSERT_EQ(0, vmlab_info(self->fd, &info));
	if (info.pgtable_levels == 2)
		SKIP(return, "2-level paging: no PMD tables to share");
	huge = thp_size();
	span = huge * (PAGE / 8);
	snprintf(path, sizeof(path), "/sys/kernel/mm/hugepages/hugepages-%lukB", huge >> 10);
	if (access(path, F_OK))
		SKIP(return, "this kernel has no %lu MiB hugetlb pages", huge >> 20);
	self->old = hugetlb_reserve(huge >> 10, 4);
	if (self->old < 0)
		SKIP(return, "cannot reserve four %lu MiB hugetlb pages", huge >> 20);
	self->memfd = memfd_create("vmlab-share", MFD_HUGETLB | MFD_CLOEXEC |
				   __builtin_ctzl(huge) << MFD_HUGE_SHIFT);
	ASSERT_LE(0, self->memfd) TH_LOG("memfd_create(MFD_HUGETLB): %s", strerror(errno));
	ASSERT_EQ(0, ftruncate(self->memfd, span));
	/* a span aligned to one: only such a range shares a PMD table */
	hole = mmap(NULL, 2 * span, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
		    -1, 0);
	ASSERT_NE(MAP_FAILED, hole);
	a = ((uintptr_t)hole + span - 1) & ~(span - 1);
	munmap(hole, a - (uintptr_t)hole);
	munmap((char *)a + span, (uintptr_t)hole + span - a);
	self->area = (char *)a;
}

FIXTURE_TEARDOWN(share)
{
	if (self->area != MAP_FAILED)
		munmap(self->area, span);
	if (self->old >= 0) {
		close(self->memfd);
		hugetlb_restore(huge >> 10, self->old);
	}
	close(self->fd);
}

/* Maps the file at @area with @flags (MAP_SHARED or MAP_PRIVATE); 0 or -1. */
static int map_file(char *area, int memfd, int flags)
{
	/* MAP_NORESERVE: a reservation would take a table's worth of the pool */
	return mmap(area, span, PROT_READ | PROT_WRITE, flags | MAP_FIXED | MAP_NORESERVE,
		    memfd, 0) == area ? 0 : -1;
}

/*
 * The raw PUD entry of @addr in process @pid, from a walk of it that must
 * reach the PMD table; 0 if it did not. With PAE the PUD is folded: the
 * entry that points to the PMD table is the PGD's.
 */
static uint64_t pud_of(int fd, pid_t pid, char *addr)
{
	struct vmlab_walk w;

	if (vmlab_walk(fd, pid, (uintptr_t)addr, &w) || w.leaf_level != VMLAB_LEVEL_PMD ||
	    (w.walk_flags & VMLAB_WALK_PFN_HIDDEN))
		return 0;
	if (!(w.valid_levels & 1u << VMLAB_LEVEL_PUD))
		return w.entries[VMLAB_LEVEL_PGD];
	return w.entries[VMLAB_LEVEL_PUD];
}

/*
 * The PUD entries of this process and a child that both touched the first
 * page of the file mapped at @area through @flags, into @pud[0] and
 * @pud[1]: the same table's address when they share it.
 */
static void pud_pair(struct __test_metadata *_metadata, int fd, int memfd, char *area,
		     int flags, uint64_t *pud)
{
	int release;
	pid_t pid;

	ASSERT_EQ(0, map_file(area, memfd, flags));
	area[0] = 1;
	/* the child's own fault: a private mapping's table was copied at fork */
	pid = fork_parked(area, &release);
	ASSERT_LE(0, pid);
	pud[0] = pud_of(fd, 0, area);
	pud[1] = pud_of(fd, pid, area);
	close(release);
	ASSERT_EQ(pid, waitpid(pid, NULL, 0));
	ASSERT_NE(0, pud[0]);
	ASSERT_NE(0, pud[1]);
}

/* MAP_SHARED: the child's fault finds our PMD table and shares it. */
TEST_F(share, pmd_table_shared)
{
	struct vmlab_info info;
	uint64_t pud[2];

	/* x86 selects ARCH_WANT_HUGE_PMD_SHARE for x86-64 only (arm64 always) */
	ASSERT_EQ(0, vmlab_info(self->fd, &info));
#ifndef __aarch64__
	if (info.pgtable_levels <= 3)
		SKIP(return, "32-bit x86 shares no hugetlb PMD tables (x86-64 only)");
#endif
	pud_pair(_metadata, self->fd, self->memfd, self->area, MAP_SHARED, pud);
	TH_LOG("PUD entries: %#llx here, %#llx in the child", (unsigned long long)pud[0],
	       (unsigned long long)pud[1]);
	EXPECT_EQ(ENTRY_PA(pud[0]), ENTRY_PA(pud[1]));
}

/* The control: MAP_PRIVATE never shares, and the walk tells them apart. */
TEST_F(share, private_not_shared)
{
	uint64_t pud[2];

	pud_pair(_metadata, self->fd, self->memfd, self->area, MAP_PRIVATE, pud);
	EXPECT_NE(ENTRY_PA(pud[0]), ENTRY_PA(pud[1]));
}

/* shared with the child (MAP_SHARED anonymous memory) */
struct race {
	char *area;
	int memfd;
	int fd;
	atomic_int stop;
	atomic_long walks, met, unshares, frees;
	atomic_int failed_errno;	/* the first failing walk's */
};

static double seconds(void)
{
	const char *v = getenv("VMLAB_STRESS_SECONDS");
	double secs = v ? atof(v) : 20;

	return secs > 240 ? 240 : secs;
}

/* Walks the whole span: a descent through the PUD entry per PMD entry. */
static void *walker(void *arg)
{
	static struct vmlab_walk_record recs[MAX_RECS];
	struct race *r = arg;
	uint64_t start = (uintptr_t)r->area;
	struct vmlab_walk w;
	int zero = 0;
	long nr;

	while (!atomic_load(&r->stop)) {
		nr = vmlab_walk_range_all(r->fd, 0, start, start + span, recs, MAX_RECS, NULL);
		if (nr < 0 || vmlab_walk(r->fd, 0, start, &w))
			atomic_compare_exchange_strong(&r->failed_errno, &zero, errno);
		atomic_fetch_add(&r->walks, 1);
		/* the page was mapped: this walk went through the PMD table */
		if (nr > 0)
			atomic_fetch_add(&r->met, 1);
	}
	return NULL;
}

/* Shares the child's table (a fault), then unshares it (MADV_DONTNEED). */
static void *unsharer(void *arg)
{
	struct race *r = arg;

	while (!atomic_load(&r->stop)) {
		(void)((volatile char *)r->area)[0];
		madvise(r->area, huge, MADV_DONTNEED);
		atomic_fetch_add(&r->unshares, 1);
	}
	return NULL;
}

/*
 * The other sharer: maps the file, faults (sharing our table, or making
 * one we then share) and lets go of it, by munmap or, every eighth time,
 * by a grandchild's exit: when we unshared first, that frees the table.
 */
static void other_sharer(struct race *r)
{
	unsigned long n;
	pid_t pid;

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	for (n = 0; !atomic_load(&r->stop); n++) {
		if (map_file(r->area, r->memfd, MAP_SHARED))
			_exit(1);
		(void)((volatile char *)r->area)[0];
		if (n % 8 == 0) {
			pid = fork();
			if (pid == 0) {
				(void)((volatile char *)r->area)[0];
				_exit(0);
			}
			if (pid > 0)
				waitpid(pid, NULL, 0);
		}
		munmap(r->area, span);
		atomic_fetch_add(&r->frees, 1);
	}
	_exit(0);
}

/*
 * Walks of a shared PMD table while this process unshares it and the other
 * sharer frees it: every walk succeeds, and no KASAN report follows.
 */
TEST_F_TIMEOUT(share, walk_while_unsharing, 300)
{
	pthread_t threads[2];
	double secs = seconds();
	struct race *r;
	int status, i;
	pid_t pid;

	r = mmap(NULL, sizeof(*r), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, r);
	r->area = self->area;
	r->memfd = self->memfd;
	r->fd = self->fd;
	ASSERT_EQ(0, map_file(self->area, self->memfd, MAP_SHARED));
	self->area[0] = 1;

	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0)
		other_sharer(r);
	ASSERT_EQ(0, pthread_create(&threads[0], NULL, walker, r));
	ASSERT_EQ(0, pthread_create(&threads[1], NULL, unsharer, r));
	TH_LOG("%.0f s", secs);
	usleep(secs * 1e6);
	atomic_store(&r->stop, 1);
	for (i = 0; i < 2; i++)
		ASSERT_EQ(0, pthread_join(threads[i], NULL));
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_EQ(0, status);

	TH_LOG("%ld walks of the span (%ld met the page), %ld unshares here, %ld let-gos there",
	       atomic_load(&r->walks), atomic_load(&r->met), atomic_load(&r->unshares),
	       atomic_load(&r->frees));
	EXPECT_EQ(0, atomic_load(&r->failed_errno))
		TH_LOG("a walk failed: %s", strerror(atomic_load(&r->failed_errno)));
	EXPECT_LT(0, atomic_load(&r->met));
	EXPECT_LT(0, atomic_load(&r->unshares));
	EXPECT_LT(0, atomic_load(&r->frees));
	munmap(r, sizeof(*r));
}

TEST_HARNESS_MAIN
