// SPDX-License-Identifier: GPL-2.0
/*
 * cow.c - selftests of the walk's copy-on-write verdicts, each state made
 * for real: an anonymous page shared by fork, copied by the child's write,
 * left to the parent alone when the child exits; a tmpfs file page mapped
 * privately before and after a write; a tmpfs file page mapped shared,
 * write-protected by the kernel (soft-dirty clear) and written again.
 * Every present leaf is cross-checked against /proc/self/pagemap.
 *
 * Runs as root in the vmlab VM (PFNs are shown to root only).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "libvmlab.h"
#include "vmlab_test.h"

FIXTURE(cow) {
	int fd;
};

/* on CPU 0 only, children too: see pin_to_cpu0() */
FIXTURE_SETUP(cow)
{
	ASSERT_EQ(0, pin_to_cpu0());
	self->fd = vmlab_open();
	ASSERT_LE(0, self->fd) TH_LOG("open %s: %s", VMLAB_DEVICE, strerror(errno));
}

FIXTURE_TEARDOWN(cow)
{
	close(self->fd);
}

/*
 * fork: both processes map the page write-protected, mapcount 2 (COW
 * shared); the child's write gives it a copy; after the child exits the
 * parent's page is its alone but still write-protected (a write reuses it).
 */
TEST_F(cow, fork_shares_then_copies_then_reuses)
{
	char *p = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	struct vmlab_walk before, parent, child_shared, child_copied, alone, reused;
	int to_child[2], to_parent[2];
	pid_t pid;

	ASSERT_NE(MAP_FAILED, p);
	ASSERT_EQ(0, madvise(p, PAGE, MADV_NOHUGEPAGE));
	p[0] = 1;
	ASSERT_EQ(0, vmlab_walk(self->fd, 0, (uintptr_t)p, &before));
	ASSERT_EQ(VMLAB_COW_WRITABLE, before.verdict);
	ASSERT_EQ(0, pipe(to_child));
	ASSERT_EQ(0, pipe(to_parent));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		struct vmlab_walk w;

		/* 1: the shared page as the child sees it */
		if (vmlab_walk(self->fd, 0, (uintptr_t)p, &w) ||
		    write(to_parent[1], &w, sizeof(w)) != sizeof(w))
			_exit(1);
		/* 2: after our write */
		if (wait_byte(to_child[0]))
			_exit(1);
		p[0] = 2;
		if (vmlab_walk(self->fd, 0, (uintptr_t)p, &w) ||
		    write(to_parent[1], &w, sizeof(w)) != sizeof(w))
			_exit(1);
		wait_byte(to_child[0]);
		_exit(0);
	}
	ASSERT_EQ(sizeof(child_shared), read(to_parent[0], &child_shared, sizeof(child_shared)));
	ASSERT_EQ(0, vmlab_walk(self->fd, 0, (uintptr_t)p, &parent));
	EXPECT_EQ(VMLAB_COW_SHARED, parent.verdict)
		TH_LOG("%s", vmlab_verdict_name(parent.verdict));
	EXPECT_EQ(VMLAB_COW_SHARED, child_shared.verdict);
	EXPECT_EQ(2, parent.mapcount);
	EXPECT_EQ(2, child_shared.mapcount);
	EXPECT_EQ(before.pfn, parent.pfn);
	EXPECT_EQ(parent.pfn, child_shared.pfn);
	EXPECT_FALSE(parent.leaf_flags & VMLAB_PTE_WRITE);
	EXPECT_FALSE(child_shared.leaf_flags & VMLAB_PTE_WRITE);
	EXPECT_FALSE(parent.page_flags & VMLAB_PAGE_ANON_EXCLUSIVE);
	EXPECT_TRUE(parent.page_flags & VMLAB_PAGE_ANON);
	EXPECT_MATCHES_PAGEMAP(parent);

	ASSERT_EQ(1, write(to_child[1], "w", 1));
	ASSERT_EQ(sizeof(child_copied), read(to_parent[0], &child_copied, sizeof(child_copied)));
	EXPECT_EQ(VMLAB_COW_WRITABLE, child_copied.verdict);
	EXPECT_NE(parent.pfn, child_copied.pfn);
	EXPECT_EQ(1, child_copied.mapcount);
	EXPECT_TRUE(child_copied.page_flags & VMLAB_PAGE_ANON_EXCLUSIVE);
	ASSERT_EQ(0, vmlab_walk(self->fd, 0, (uintptr_t)p, &alone));
	EXPECT_EQ(1, alone.mapcount);
	EXPECT_EQ(parent.pfn, alone.pfn);

	ASSERT_EQ(1, write(to_child[1], "x", 1));
	ASSERT_EQ(pid, waitpid(pid, NULL, 0));
	ASSERT_EQ(0, vmlab_walk(self->fd, 0, (uintptr_t)p, &alone));
	EXPECT_EQ(VMLAB_COW_EXCLUSIVE_WP, alone.verdict)
		TH_LOG("%s", vmlab_verdict_name(alone.verdict));
	EXPECT_FALSE(alone.leaf_flags & VMLAB_PTE_WRITE);
	EXPECT_EQ(1, alone.mapcount);
	EXPECT_EQ(parent.pfn, alone.pfn);
	EXPECT_EQ(1, p[0]);

	/* the write reuses the page: same PFN, now writable */
	p[0] = 3;
	ASSERT_EQ(0, vmlab_walk(self->fd, 0, (uintptr_t)p, &reused));
	EXPECT_EQ(VMLAB_COW_WRITABLE, reused.verdict);
	EXPECT_EQ(alone.pfn, reused.pfn);
	EXPECT_TRUE(reused.page_flags & VMLAB_PAGE_ANON_EXCLUSIVE);
	EXPECT_MATCHES_PAGEMAP(reused);
	munmap(p, PAGE);
}

/* A fork's child writes first: the parent then holds the only mapping. */
TEST_F(cow, fork_parent_sees_mapcount_drop_on_child_exit)
{
	char *p = mmap(NULL, 4 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	struct vmlab_walk_record recs[4];
	struct vmlab_walk_range r;
	unsigned int i;
	pid_t pid;

	ASSERT_NE(MAP_FAILED, p);
	ASSERT_EQ(0, madvise(p, 4 * PAGE, MADV_NOHUGEPAGE));
	touch(p, 4 * PAGE, 1);
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		pause();
		_exit(0);
	}
	ASSERT_EQ(0, vmlab_walk_range(self->fd, 0, (uintptr_t)p, (uintptr_t)p + 4 * PAGE,
				      recs, 4, &r));
	ASSERT_EQ(4, r.nr_records);
	for (i = 0; i < 4; i++)
		EXPECT_EQ(VMLAB_COW_SHARED, recs[i].verdict) TH_LOG("page %u", i);
	/* the child sees the same through pid */
	ASSERT_EQ(0, vmlab_walk_range(self->fd, pid, (uintptr_t)p, (uintptr_t)p + 4 * PAGE,
				      recs, 4, &r));
	ASSERT_EQ(4, r.nr_records);
	for (i = 0; i < 4; i++)
		EXPECT_EQ(VMLAB_COW_SHARED, recs[i].verdict) TH_LOG("page %u", i);
	kill(pid, SIGKILL);
	ASSERT_EQ(pid, waitpid(pid, NULL, 0));
	ASSERT_EQ(0, vmlab_walk_range(self->fd, 0, (uintptr_t)p, (uintptr_t)p + 4 * PAGE,
				      recs, 4, &r));
	ASSERT_EQ(4, r.nr_records);
	for (i = 0; i < 4; i++)
		EXPECT_EQ(VMLAB_COW_EXCLUSIVE_WP, recs[i].verdict) TH_LOG("page %u", i);
	munmap(p, 4 * PAGE);
}

/*
 * Mapped once, not exclusive, and referenced elsewhere: after fork and the
 * child's exit, vmsplice() puts the page in a pipe (a reference, not a
 * mapping). The verdict is COW_SHARED, and indeed the write copies.
 */
TEST_F(cow, referenced_elsewhere_copies)
{
	char *p = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	struct iovec iov = { .iov_len = PAGE };
	struct vmlab_walk held, written;
	int pipefd[2];
	pid_t pid;

	ASSERT_NE(MAP_FAILED, p);
	ASSERT_EQ(0, madvise(p, PAGE, MADV_NOHUGEPAGE));
	p[0] = 1;
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0)
		_exit(0);
	ASSERT_EQ(pid, waitpid(pid, NULL, 0));
	ASSERT_EQ(0, pipe(pipefd));
	iov.iov_base = p;
	ASSERT_EQ(PAGE, vmsplice(pipefd[1], &iov, 1, 0));
	ASSERT_EQ(0, vmlab_walk(self->fd, 0, (uintptr_t)p, &held));
	EXPECT_EQ(1, held.mapcount);
	EXPECT_LT(1, held.refcount);
	EXPECT_FALSE(held.page_flags & VMLAB_PAGE_ANON_EXCLUSIVE);
	EXPECT_EQ(VMLAB_COW_SHARED, held.verdict) TH_LOG("%s", vmlab_verdict_name(held.verdict));
	p[0] = 2;
	ASSERT_EQ(0, vmlab_walk(self->fd, 0, (uintptr_t)p, &written));
	EXPECT_EQ(VMLAB_COW_WRITABLE, written.verdict);
	EXPECT_NE(held.pfn, written.pfn);
	close(pipefd[0]);
	close(pipefd[1]);
	munmap(p, PAGE);
}

/* A tmpfs file of @pages pages filled with 'f', unlinked; its fd. */
static int tmpfs_file(const char *dir, unsigned int pages)
{
	char path[64], buf[PAGE];
	unsigned int i;
	int fd;

	snprintf(path, sizeof(path), "%s/vmlab-cow-XXXXXX", dir);
	fd = mkostemp(path, O_CLOEXEC);
	if (fd < 0)
		return -1;
	unlink(path);
	memset(buf, 'f', sizeof(buf));
	for (i = 0; i < pages; i++)
		if (write(fd, buf, sizeof(buf)) != sizeof(buf)) {
			close(fd);
			return -1;
		}
	return fd;
}

/*
 * A private mapping of a tmpfs file: a read maps the page-cache page
 * (PRIVATE_FILE, not anon); the write copies it into an anon page.
 */
TEST_F(cow, private_file_copied_on_write)
{
	int file = tmpfs_file("/tmp", 1);
	struct vmlab_walk w, w2;
	char *p;

	ASSERT_LE(0, file);
	p = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE, file, 0);
	ASSERT_NE(MAP_FAILED, p);
	ASSERT_EQ('f', *(volatile char *)p);
	ASSERT_EQ(0, vmlab_walk(self->fd, 0, (uintptr_t)p, &w));
	EXPECT_EQ(VMLAB_COW_PRIVATE_FILE, w.verdict) TH_LOG("%s", vmlab_verdict_name(w.verdict));
	EXPECT_EQ(VMLAB_BACKING_SHMEM, w.backing);
	EXPECT_FALSE(w.leaf_flags & VMLAB_PTE_WRITE);
	EXPECT_FALSE(w.page_flags & VMLAB_PAGE_ANON);
	EXPECT_TRUE(w.page_flags & VMLAB_PAGE_PRESENT);
	EXPECT_FALSE(w.vma_flags & VMLAB_VMA_SHARED);
	EXPECT_MATCHES_PAGEMAP(w);

	p[0] = 'p';
	ASSERT_EQ(0, vmlab_walk(self->fd, 0, (uintptr_t)p, &w2));
	EXPECT_EQ(VMLAB_COW_WRITABLE, w2.verdict);
	EXPECT_TRUE(w2.page_flags & VMLAB_PAGE_ANON);
	EXPECT_TRUE(w2.page_flags & VMLAB_PAGE_ANON_EXCLUSIVE);
	EXPECT_NE(w.pfn, w2.pfn);
	EXPECT_MATCHES_PAGEMAP(w2);
	/* the file still holds 'f' */
	ASSERT_EQ(1, pread(file, &w2, 1, 0));
	EXPECT_EQ('f', *(char *)&w2);
	munmap(p, PAGE);
	close(file);
}

/*
 * A shared mapping of a tmpfs file. tmpfs has no page_mkwrite and no dirty
 * accounting, so even a read maps the page writable (checked, on every
 * kernel). Clearing soft-dirty (/proc/self/clear_refs 4) makes the kernel
 * write-protect it: SHARED_CLEAN; the next write faults and makes it
 * writable and soft-dirty again: SHARED_WRITABLE, same page.
 */
TEST_F(cow, shared_file_clean_then_written)
{
	int file = tmpfs_file("/dev/shm", 1);
	struct vmlab_walk w, clean, dirty;
	char *p;

	ASSERT_LE(0, file);
	p = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, file, 0);
	ASSERT_NE(MAP_FAILED, p);
	ASSERT_EQ('f', *(volatile char *)p);
	ASSERT_EQ(0, vmlab_walk(self->fd, 0, (uintptr_t)p, &w));
	EXPECT_EQ(VMLAB_COW_SHARED_WRITABLE, w.verdict) TH_LOG("%s", vmlab_verdict_name(w.verdict));
	EXPECT_EQ(VMLAB_BACKING_SHMEM, w.backing);
	EXPECT_TRUE(w.vma_flags & VMLAB_VMA_SHARED);
	EXPECT_FALSE(w.page_flags & VMLAB_PAGE_ANON);
	EXPECT_MATCHES_PAGEMAP(w);
	/* a new VMA is soft-dirty where the kernel tracks it (x86-64 only) */
	if (!(pagemap_entry(0, p) & PAGEMAP_SOFT_DIRTY))
		SKIP(goto out, "no soft-dirty tracking (x86-64's): clear_refs 4 changes nothing");

	ASSERT_EQ(0, write_str("/proc/self/clear_refs", "4"));
	ASSERT_EQ(0, vmlab_walk(self->fd, 0, (uintptr_t)p, &clean));
	EXPECT_EQ(VMLAB_COW_SHARED_CLEAN, clean.verdict)
		TH_LOG("%s", vmlab_verdict_name(clean.verdict));
	EXPECT_FALSE(clean.leaf_flags & VMLAB_PTE_WRITE);
	EXPECT_FALSE(clean.leaf_flags & VMLAB_PTE_SOFT_DIRTY);
	EXPECT_EQ(w.pfn, clean.pfn);

	p[0] = 's';
	ASSERT_EQ(0, vmlab_walk(self->fd, 0, (uintptr_t)p, &dirty));
	EXPECT_EQ(VMLAB_COW_SHARED_WRITABLE, dirty.verdict);
	EXPECT_TRUE(dirty.leaf_flags & VMLAB_PTE_WRITE);
	EXPECT_TRUE(dirty.leaf_flags & VMLAB_PTE_DIRTY);
	EXPECT_TRUE(dirty.leaf_flags & VMLAB_PTE_SOFT_DIRTY);
	EXPECT_EQ(w.pfn, dirty.pfn);
	EXPECT_MATCHES_PAGEMAP(dirty);
out:
	munmap(p, PAGE);
	close(file);
}

/* MAP_SHARED|MAP_ANONYMOUS is shmem too, and fork shares the page itself. */
TEST_F(cow, shared_anon_not_copied_by_fork)
{
	char *p = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	struct vmlab_walk w, theirs;
	int ready[2];
	pid_t pid;

	ASSERT_NE(MAP_FAILED, p);
	p[0] = 1;
	ASSERT_EQ(0, pipe(ready));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		p[0] = 2;
		if (write(ready[1], "r", 1) != 1)
			_exit(1);
		pause();
		_exit(0);
	}
	ASSERT_EQ(0, wait_byte(ready[0]));
	ASSERT_EQ(0, vmlab_walk(self->fd, 0, (uintptr_t)p, &w));
	ASSERT_EQ(0, vmlab_walk(self->fd, pid, (uintptr_t)p, &theirs));
	EXPECT_EQ(VMLAB_BACKING_SHMEM, w.backing);
	EXPECT_EQ(VMLAB_COW_SHARED_WRITABLE, w.verdict);
	EXPECT_EQ(VMLAB_COW_SHARED_WRITABLE, theirs.verdict);
	EXPECT_EQ(w.pfn, theirs.pfn);
	EXPECT_EQ(2, w.mapcount);
	EXPECT_EQ(2, p[0]);
	kill(pid, SIGKILL);
	ASSERT_EQ(pid, waitpid(pid, NULL, 0));
	munmap(p, PAGE);
}

TEST_HARNESS_MAIN
