// SPDX-License-Identifier: GPL-2.0
/*
 * cow_large.c - selftests of the copy-on-write verdict against what the
 * write fault then does, for every kind of page: each test makes a state,
 * takes the walk's verdict, writes, and passes when the verdict predicted
 * whether the frame stayed (reuse) or changed (copy). The kinds: small
 * pages, THPs mapped by a PMD, THPs mapped by PTEs (whole, and with one page
 * left), hugetlb pages, KSM pages, a page a pipe holds (vmsplice) and a page
 * pinned by io_uring. Each kernel has its own rules for large folios
 * (module/compat.h); these tests hold on all of them, and log the verdict.
 *
 * Runs as root in the vmlab VM (PFNs are shown to root only).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/io_uring.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "libvmlab.h"
#include "vmlab_test.h"

#define KSM_DIR		"/sys/kernel/mm/ksm/"
#define KSM_TIMEOUT_S	30

/* Whether a write to a leaf with verdict @v keeps its frame: 1, 0, or -1 (no page). */
static int verdict_keeps_frame(uint32_t v)
{
	switch (v) {
	case VMLAB_COW_WRITABLE:
	case VMLAB_COW_EXCLUSIVE_WP:
	case VMLAB_COW_SHARED_WRITABLE:
	case VMLAB_COW_SHARED_CLEAN:
		return 1;
	case VMLAB_COW_SHARED:
	case VMLAB_COW_ZERO_PAGE:
	case VMLAB_COW_PRIVATE_FILE:
		return 0;
	}
	return -1;
}

/*
 * The honest check: the verdict for @p, a write to @p, and whether its frame
 * changed (pagemap), which must be what the verdict said. Returns the
 * verdict for the caller's own expectations.
 */
static uint32_t verdict_then_write(struct __test_metadata *_metadata, int fd, char *p)
{
	struct vmlab_walk w;
	uint64_t before, after;
	int keeps;

	EXPECT_EQ(0, vmlab_walk(fd, 0, (uintptr_t)p, &w))
		return VMLAB_COW_NONE;
	EXPECT_MATCHES_PAGEMAP(w);
	before = walk_addr_pfn(&w);
	keeps = verdict_keeps_frame(w.verdict);
	TH_LOG("verdict %s: %s leaf, order %u, refcount %u, mapcount %u%s",
	       vmlab_verdict_name(w.verdict), vmlab_level_name(w.leaf_level), w.order,
	       w.refcount, w.mapcount,
	       w.page_flags & VMLAB_PAGE_ANON_EXCLUSIVE ? ", exclusive" : "");
	EXPECT_NE(-1, keeps);
	EXPECT_NE(0, before);
	*(volatile char *)p += 1;
	after = pfn_of(p);
	EXPECT_NE(0, after);
	EXPECT_EQ(keeps, before == after)
		TH_LOG("the write %s the frame (%#llx -> %#llx), the verdict said %s",
		       before == after ? "kept" : "changed", (unsigned long long)before,
		       (unsigned long long)after, keeps ? "reuse" : "copy");
	return w.verdict;
}

#define VERDICT_THEN_WRITE(p) verdict_then_write(_metadata, self->fd, (p))

/* A child that holds the parent's mappings until @hold[1] closes; returns its pid. */
static pid_t fork_holder(int hold[2])
{
	pid_t pid;

	if (pipe(hold))
		return -1;
	pid = fork();
	if (pid == 0) {
		close(hold[1]);
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		wait_byte(hold[0]);
		_exit(0);
	}
	close(hold[0]);
	return pid;
}

/* fork, and the child exits at once: our pages are no longer known exclusive. */
static int fork_and_reap(void)
{
	pid_t pid = fork();

	if (pid == 0)
		_exit(0);
	if (pid < 0 || waitpid(pid, NULL, 0) != pid)
		return -1;
	return 0;
}

/* Ends a fork_holder() child and reaps it. */
static int release_holder(pid_t pid, int hold[2])
{
	close(hold[1]);
	return waitpid(pid, NULL, 0) == pid ? 0 : -1;
}

FIXTURE(cowl) {
	int fd;
};

/* on CPU 0 only, children too: see pin_to_cpu0() */
FIXTURE_SETUP(cowl)
{
	ASSERT_EQ(0, pin_to_cpu0());
	self->fd = vmlab_open();
	ASSERT_LE(0, self->fd) TH_LOG("open %s: %s", VMLAB_DEVICE, strerror(errno));
}

FIXTURE_TEARDOWN(cowl)
{
	close(self->fd);
}

/* A small page after fork: shared while the child lives, ours once it is gone. */
TEST_F(cowl, small_page)
{
	char *p = mmap(NULL, 2 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	int hold[2];
	pid_t pid;

	ASSERT_NE(MAP_FAILED, p);
	ASSERT_EQ(0, madvise(p, 2 * PAGE, MADV_NOHUGEPAGE));
	touch(p, 2 * PAGE, 1);
	pid = fork_holder(hold);
	ASSERT_LE(0, pid);
	EXPECT_EQ(VMLAB_COW_SHARED, VERDICT_THEN_WRITE(p));
	ASSERT_EQ(0, release_holder(pid, hold));
	EXPECT_EQ(VMLAB_COW_EXCLUSIVE_WP, VERDICT_THEN_WRITE(p + PAGE));
	munmap(p, 2 * PAGE);
}

/*
 * One THP's size (thp_size(): 2 MiB, 4 MiB on 2-level 32-bit x86) of
 * MADV_HUGEPAGE memory with a THP mapped by a PMD (the PGD entry standing
 * for it on two levels); NULL (and why) if none.
 */
static char *thp_map(int fd, char *why, size_t len)
{
	struct vmlab_info info;
	struct vmlab_walk w;
	char *p;

	if (!thp_enabled(why, len))
		return NULL;
	if (vmlab_info(fd, &info)) {
		snprintf(why, len, "info: %s", strerror(errno));
		return NULL;
	}
	p = map_aligned(thp_size(), thp_size(), PROT_READ | PROT_WRITE, MAP_PRIVATE);
	if (p == MAP_FAILED || madvise(p, thp_size(), MADV_HUGEPAGE)) {
		snprintf(why, len, "mmap/madvise: %s", strerror(errno));
		return NULL;
	}
	p[0] = 1;
	if (vmlab_walk(fd, 0, (uintptr_t)p, &w) || w.leaf_level != pmd_leaf_level(&info)) {
		snprintf(why, len, "no THP formed (a PMD leaf) for MADV_HUGEPAGE memory");
		munmap(p, thp_size());
		return NULL;
	}
	return p;
}

/* A THP mapped by a PMD after fork: shared while the child lives, then ours. */
TEST_F(cowl, thp_pmd)
{
	char why[512], *p;
	int hold[2];
	pid_t pid;

	p = thp_map(self->fd, why, sizeof(why));
	if (!p)
		SKIP(return, "%s", why);
	pid = fork_holder(hold);
	ASSERT_LE(0, pid);
	/* the fault splits the PMD and copies the page written */
	EXPECT_EQ(VMLAB_COW_SHARED, VERDICT_THEN_WRITE(p));
	ASSERT_EQ(0, release_holder(pid, hold));
	munmap(p, thp_size());

	p = thp_map(self->fd, why, sizeof(why));
	if (!p)
		SKIP(return, "%s", why);
	ASSERT_EQ(0, fork_and_reap());
	EXPECT_EQ(VMLAB_COW_EXCLUSIVE_WP, VERDICT_THEN_WRITE(p));
	munmap(p, thp_size());
}

/*
 * A THP whose PMD mprotect split (its last page made read-only): PTEs for
 * all but one page of one large folio in a writable VMA. NULL (and why) if
 * no THP formed.
 */
static char *thp_pte_map(int fd, char *why, size_t len)
{
	struct vmlab_walk w;
	char *p = thp_map(fd, why, len);

	if (!p)
		return NULL;
	touch(p, thp_size(), 1);
	if (mprotect(p + thp_size() - PAGE, PAGE, PROT_READ) ||
	    vmlab_walk(fd, 0, (uintptr_t)p, &w) || w.leaf_level != VMLAB_LEVEL_PTE ||
	    (1UL << w.order) != thp_size() / PAGE) {
		snprintf(why, len, "mprotect did not leave the THP mapped by PTEs");
		munmap(p, thp_size());
		return NULL;
	}
	return p;
}

/*
 * A THP mapped by PTEs, forked and the child gone, all its pages still
 * mapped: 6.1 and 6.12 copy, 7.2 reuses (every reference is one of our
 * mappings).
 */
TEST_F(cowl, thp_pte_whole)
{
	char why[512], *p;

	p = thp_pte_map(self->fd, why, sizeof(why));
	if (!p)
		SKIP(return, "%s", why);
	ASSERT_EQ(0, fork_and_reap());
	VERDICT_THEN_WRITE(p);
	munmap(p, thp_size());
}

/* The same while the child lives: every kernel copies. */
TEST_F(cowl, thp_pte_shared)
{
	char why[512], *p;
	int hold[2];
	pid_t pid;

	p = thp_pte_map(self->fd, why, sizeof(why));
	if (!p)
		SKIP(return, "%s", why);
	pid = fork_holder(hold);
	ASSERT_LE(0, pid);
	EXPECT_EQ(VMLAB_COW_SHARED, VERDICT_THEN_WRITE(p + PAGE));
	ASSERT_EQ(0, release_holder(pid, hold));
	munmap(p, thp_size());
}

/*
 * A THP mapped by PTEs, forked and the child gone, all but its first page
 * dropped (MADV_DONTNEED): 6.1 reuses that page (its only reference), 6.12
 * never reuses a large folio, 7.2 frees up one mapped once.
 */
TEST_F(cowl, thp_pte_one_left)
{
	char why[512], *p;

	p = thp_pte_map(self->fd, why, sizeof(why));
	if (!p)
		SKIP(return, "%s", why);
	ASSERT_EQ(0, fork_and_reap());
	ASSERT_EQ(0, madvise(p + PAGE, thp_size() - 2 * PAGE, MADV_DONTNEED));
	ASSERT_EQ(0, madvise(p + thp_size() - PAGE, PAGE, MADV_DONTNEED));
	VERDICT_THEN_WRITE(p);
	munmap(p, thp_size());
}

/* A 2 MiB MAP_PRIVATE hugetlb page after fork: shared while the child lives, then ours. */
TEST_F(cowl, hugetlb)
{
	long old = hugetlb_reserve(2048, 3);
	int hold[2];
	pid_t pid;
	char *p;

	if (old < 0)
		SKIP(return, "cannot reserve three 2 MiB hugetlb pages");
	p = mmap(NULL, SZ_2M, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_HUGETLB | (21 << MAP_HUGE_SHIFT), -1, 0);
	ASSERT_NE(MAP_FAILED, p) TH_LOG("mmap MAP_HUGETLB: %s", strerror(errno));
	p[0] = 1;
	pid = fork_holder(hold);
	ASSERT_LE(0, pid);
	EXPECT_EQ(VMLAB_COW_SHARED, VERDICT_THEN_WRITE(p));
	ASSERT_EQ(0, release_holder(pid, hold));
	munmap(p, SZ_2M);

	p = mmap(NULL, SZ_2M, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_HUGETLB | (21 << MAP_HUGE_SHIFT), -1, 0);
	ASSERT_NE(MAP_FAILED, p);
	p[0] = 1;
	ASSERT_EQ(0, fork_and_reap());
	EXPECT_EQ(VMLAB_COW_EXCLUSIVE_WP, VERDICT_THEN_WRITE(p));
	munmap(p, SZ_2M);
	hugetlb_restore(2048, old);
}

/* ksmd's knobs, saved to be put back */
struct ksm_knobs {
	char run[16], sleep[16], scan[16];
};

static int ksm_knob(const char *name, char *save, size_t len, const char *val)
{
	char path[128];

	snprintf(path, sizeof(path), KSM_DIR "%s", name);
	if (save && read_line(path, save, len))
		return -1;
	return write_str(path, val);
}

/* Two identical pages merged by KSM: a write copies the one written. */
TEST_F(cowl, ksm)
{
	char *p = mmap(NULL, 2 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	struct ksm_knobs k;
	struct vmlab_walk w;
	time_t end;
	int merged = 0;

	ASSERT_NE(MAP_FAILED, p);
	if (access(KSM_DIR "run", W_OK))
		SKIP(return, "no " KSM_DIR ": the kernel has no KSM");
	ASSERT_EQ(0, madvise(p, 2 * PAGE, MADV_NOHUGEPAGE));
	memset(p, 0x5a, 2 * PAGE);
	if (madvise(p, 2 * PAGE, MADV_MERGEABLE))
		SKIP(return, "MADV_MERGEABLE: %s", strerror(errno));
	ASSERT_EQ(0, ksm_knob("sleep_millisecs", k.sleep, sizeof(k.sleep), "10"));
	ASSERT_EQ(0, ksm_knob("pages_to_scan", k.scan, sizeof(k.scan), "10000"));
	ASSERT_EQ(0, ksm_knob("run", k.run, sizeof(k.run), "1"));
	for (end = time(NULL) + KSM_TIMEOUT_S; !merged && time(NULL) < end; usleep(100000))
		merged = !vmlab_walk(self->fd, 0, (uintptr_t)p, &w) &&
			 (w.page_flags & VMLAB_PAGE_KSM);
	if (merged)
		EXPECT_EQ(VMLAB_COW_SHARED, VERDICT_THEN_WRITE(p));
	ksm_knob("run", NULL, 0, k.run);
	ksm_knob("pages_to_scan", NULL, 0, k.scan);
	ksm_knob("sleep_millisecs", NULL, 0, k.sleep);
	munmap(p, 2 * PAGE);
	if (!merged)
		SKIP(return, "ksmd did not merge two identical pages in %d s", KSM_TIMEOUT_S);
}

/*
 * A page a pipe holds (vmsplice takes a reference), forked and the child
 * gone: mapped once but not ours alone, a write copies it (else the pipe's
 * reader would see our write).
 */
TEST_F(cowl, vmsplice_reference)
{
	char *p = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	struct iovec iov = { .iov_len = PAGE };
	int fds[2];

	ASSERT_NE(MAP_FAILED, p);
	ASSERT_EQ(0, madvise(p, PAGE, MADV_NOHUGEPAGE));
	p[0] = 1;
	iov.iov_base = p;
	ASSERT_EQ(0, pipe(fds));
	ASSERT_EQ(PAGE, vmsplice(fds[1], &iov, 1, 0));
	ASSERT_EQ(0, fork_and_reap());
	EXPECT_EQ(VMLAB_COW_SHARED, VERDICT_THEN_WRITE(p));
	close(fds[0]);
	close(fds[1]);
	munmap(p, PAGE);
}

/*
 * A page pinned by io_uring (a registered buffer: FOLL_PIN | FOLL_LONGTERM):
 * fork gives the child a copy at once and leaves ours writable, ours alone.
 */
TEST_F(cowl, io_uring_pin)
{
	char *p = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	struct iovec iov = { .iov_len = PAGE };
	struct io_uring_params params;
	int ring;

	ASSERT_NE(MAP_FAILED, p);
	ASSERT_EQ(0, madvise(p, PAGE, MADV_NOHUGEPAGE));
	p[0] = 1;
	iov.iov_base = p;
	memset(&params, 0, sizeof(params));
	ring = syscall(__NR_io_uring_setup, 1, &params);
	if (ring < 0)
		SKIP(return, "io_uring_setup: %s (no other pin from user space here)",
		     strerror(errno));
	ASSERT_EQ(0, syscall(__NR_io_uring_register, ring, IORING_REGISTER_BUFFERS, &iov, 1))
		TH_LOG("IORING_REGISTER_BUFFERS: %s", strerror(errno));
	ASSERT_EQ(0, fork_and_reap());
	EXPECT_EQ(VMLAB_COW_WRITABLE, VERDICT_THEN_WRITE(p));
	close(ring);
	munmap(p, PAGE);
}

TEST_HARNESS_MAIN
