// SPDX-License-Identifier: GPL-2.0
/*
 * stress.c - the walker against an address space that changes under it:
 * threads fault pages in, and munmap/mmap, mremap, MADV_DONTNEED,
 * MADV_COLLAPSE and fork the same memory in a loop, while other threads walk
 * it (single addresses and range walks) in this process and, from a child,
 * through its pid. Bounded to a few seconds; every walk must succeed and
 * return ordered records inside the range, and the VM's test runner fails
 * the run on any BUG, WARNING or lockdep splat in dmesg.
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
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "libvmlab.h"
#include "vmlab_test.h"

#define CHUNKS		8		/* THP-sized chunks to split and collapse */
#define AREA		(CHUNKS * SZ_2M)
#define SECONDS		4
#define MAX_RECS	(AREA / PAGE_MIN + SZ_2M / PAGE_MIN)

#ifndef MADV_COLLAPSE
#define MADV_COLLAPSE	25
#endif

/* what a walker saw */
struct walk_counts {
	atomic_long walks;
	atomic_int failed_errno;	/* the first failure */
	atomic_int bad_records;
};

/*
 * Shared with the remote walker (MAP_SHARED). The faulters touch chunks
 * 0 to CHUNKS - 2; the mutator moves the last chunk to the scratch chunk
 * after it and back, so a faulter never meets a hole; walkers walk all.
 */
struct stress {
	char *area;		/* AREA + SZ_2M bytes, 2 MiB aligned */
	char *scratch;		/* the last 2 MiB: where mremap moves a chunk */
	atomic_int stop;
	int fd;
	unsigned int huge_level;	/* a THP's leaf level: pmd_leaf_level() */
	struct walk_counts local, remote;
};

static unsigned int rnd(unsigned int *seed, unsigned int n)
{
	return rand_r(seed) % n;
}

/* Writes and reads random pages of the area. */
static void *faulter(void *arg)
{
	struct stress *st = arg;
	unsigned int seed = 1;

	while (!atomic_load(&st->stop)) {
		size_t off = (size_t)rnd(&seed, AREA / PAGE - SZ_2M / PAGE) * PAGE;

		if (rnd(&seed, 4))
			((volatile char *)st->area)[off] = 1;
		else
			(void)((volatile char *)st->area)[off];
	}
	return NULL;
}

/* Changes the area's mappings: each step is one of five operations. */
static void *mutator(void *arg)
{
	struct stress *st = arg;
	unsigned int seed = 2;

	while (!atomic_load(&st->stop)) {
		size_t chunk = (size_t)rnd(&seed, AREA / SZ_2M) * SZ_2M;
		size_t off = chunk + (size_t)rnd(&seed, SZ_2M / PAGE) * PAGE;
		char *p = st->area;
		pid_t pid;

		switch (rnd(&seed, 5)) {
		case 0:
			madvise(p + off, 16 * PAGE < AREA - off ? 16 * PAGE : AREA - off,
				MADV_DONTNEED);
			break;
		case 1:
			mmap(p + chunk, SZ_2M, PROT_READ | PROT_WRITE,
			     MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
			madvise(p + chunk, SZ_2M, MADV_HUGEPAGE);
			break;
		case 2:
			/* move the last chunk out and back: pages stay, tables move */
			chunk = AREA - SZ_2M;
			touch(p + chunk, SZ_2M, 1);
			if (mremap(p + chunk, SZ_2M, SZ_2M, MREMAP_MAYMOVE | MREMAP_FIXED,
				   st->scratch) != MAP_FAILED)
				mremap(st->scratch, SZ_2M, SZ_2M, MREMAP_MAYMOVE | MREMAP_FIXED,
				       p + chunk);
			break;
		case 3:
			madvise(p + chunk, SZ_2M, MADV_COLLAPSE);
			break;
		default:
			pid = fork();
			if (pid == 0) {
				p[off] = 2;	/* a COW copy in the child */
				_exit(0);
			}
			if (pid > 0)
				waitpid(pid, NULL, 0);
			break;
		}
	}
	return NULL;
}

/*
 * Checks one range walk's records: inside the range (a huge leaf may start
 * before it), in increasing order, each a PTE or a THP's leaf at
 * @huge_level (the PGD on two levels: a 4 MiB THP over two chunks).
 */
static int records_ok(const struct vmlab_walk_record *recs, long nr, uint64_t start,
		      uint64_t end, unsigned int huge_level)
{
	long i;

	for (i = 0; i < nr; i++) {
		if (recs[i].addr >= end || recs[i].addr + SZ_1G <= start)
			return 0;
		if (i && recs[i].addr <= recs[i - 1].addr)
			return 0;
		if (recs[i].level != VMLAB_LEVEL_PTE && recs[i].level != huge_level)
			return 0;
	}
	return 1;
}

static void note_failure(struct walk_counts *c, int err)
{
	int zero = 0;

	atomic_compare_exchange_strong(&c->failed_errno, &zero, err);
}

/* Walks the area of process @pid (0: ours) into @c until told to stop. */
static void walk_loop(struct stress *st, struct walk_counts *c, int fd, uint32_t pid,
		      unsigned int seed)
{
	static __thread struct vmlab_walk_record recs[MAX_RECS];
	uint64_t start = (uintptr_t)st->area, end = start + AREA + SZ_2M, walk_end;
	struct vmlab_walk w;
	long nr;

	while (!atomic_load(&st->stop)) {
		uint64_t a = start + (uint64_t)rnd(&seed, AREA / PAGE) * PAGE;

		if (vmlab_walk(fd, pid, a, &w))
			note_failure(c, errno);
		nr = vmlab_walk_range_all(fd, pid, start, end, recs, MAX_RECS, &walk_end);
		if (nr < 0)
			note_failure(c, errno);
		else if (!records_ok(recs, nr, start, end, st->huge_level) || walk_end != end)
			atomic_fetch_add(&c->bad_records, 1);
		/* small calls resume often: stress walk_end too */
		if (vmlab_walk_range_all(fd, pid, a, end, recs, 5, NULL) < 0)
			note_failure(c, errno);
		atomic_fetch_add(&c->walks, 1);
	}
}

static void *walker(void *arg)
{
	struct stress *st = arg;

	walk_loop(st, &st->local, st->fd, 0, 3);
	return NULL;
}

/*
 * Faulting, unmapping, moving, collapsing and forking, against walkers in
 * this process and in a child walking us by pid; no walk may fail.
 */
TEST(walk_while_mm_changes)
{
	struct vmlab_info info;
	pthread_t threads[4];
	struct stress *st;
	unsigned int i;
	int status;
	pid_t remote;

	st = mmap(NULL, sizeof(*st), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, st);
	st->fd = vmlab_open();
	ASSERT_LE(0, st->fd);
	ASSERT_EQ(0, vmlab_info(st->fd, &info));
	st->huge_level = pmd_leaf_level(&info);
	st->area = map_aligned(AREA + SZ_2M, SZ_2M, PROT_READ | PROT_WRITE, MAP_PRIVATE);
	ASSERT_NE(MAP_FAILED, st->area);
	st->scratch = st->area + AREA;
	madvise(st->area, AREA, MADV_HUGEPAGE);
	touch(st->area, AREA, 1);

	/* the remote walker: a child of ours walking our pid */
	remote = fork();
	ASSERT_LE(0, remote);
	if (remote == 0) {
		int fd = vmlab_open();

		if (fd < 0)
			_exit(1);
		walk_loop(st, &st->remote, fd, getppid(), 4);
		_exit(0);
	}

	ASSERT_EQ(0, pthread_create(&threads[0], NULL, faulter, st));
	ASSERT_EQ(0, pthread_create(&threads[1], NULL, mutator, st));
	ASSERT_EQ(0, pthread_create(&threads[2], NULL, walker, st));
	ASSERT_EQ(0, pthread_create(&threads[3], NULL, faulter, st));
	sleep(SECONDS);
	atomic_store(&st->stop, 1);
	for (i = 0; i < 4; i++)
		ASSERT_EQ(0, pthread_join(threads[i], NULL));
	ASSERT_EQ(remote, waitpid(remote, &status, 0));
	EXPECT_EQ(0, status);

	TH_LOG("walks: %ld here, %ld from pid %d", (long)st->local.walks,
	       (long)st->remote.walks, remote);
	EXPECT_EQ(0, st->local.failed_errno) TH_LOG("%s", strerror(st->local.failed_errno));
	EXPECT_EQ(0, st->remote.failed_errno) TH_LOG("%s", strerror(st->remote.failed_errno));
	EXPECT_EQ(0, st->local.bad_records);
	EXPECT_EQ(0, st->remote.bad_records);
	EXPECT_LT(10, st->local.walks);
	EXPECT_LT(10, st->remote.walks);
	close(st->fd);
	munmap(st->area, AREA + SZ_2M);
	munmap(st, sizeof(*st));
}

/* the forking thread of range_walk_while_forking */
static void *forker(void *arg)
{
	atomic_int *stop = arg;

	while (!atomic_load(stop)) {
		pid_t pid = fork();

		if (pid == 0)
			_exit(0);
		if (pid > 0)
			waitpid(pid, NULL, 0);
	}
	return NULL;
}

#define FORK_PAGES	8192
#define FORK_WALKS	5

FIXTURE(fork) {
};

FIXTURE_SETUP(fork)
{
}

FIXTURE_TEARDOWN(fork)
{
}

/*
 * A range walk of our own memory while another thread forks without a
 * pause: each fork write-protects the record array (a private mapping)
 * again, so a walk that restarts whenever a record's store would fault
 * could restart for ever. Every walk must end, with every page.
 */
TEST_F_TIMEOUT(fork, range_walk_while_forking, 300)
{
	size_t len = (size_t)FORK_PAGES * PAGE;
	struct vmlab_walk_record *recs;
	atomic_int stop = 0;
	pthread_t thread;
	uint64_t start;
	char *area;
	long nr = 0;
	int fd, i;

	fd = vmlab_open();
	ASSERT_LE(0, fd);
	area = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, area);
	madvise(area, len, MADV_NOHUGEPAGE);
	touch(area, len, 1);
	recs = mmap(NULL, FORK_PAGES * sizeof(*recs), PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, recs);
	memset(recs, 0, FORK_PAGES * sizeof(*recs));
	start = (uintptr_t)area;

	ASSERT_EQ(0, pthread_create(&thread, NULL, forker, &stop));
	for (i = 0; i < FORK_WALKS; i++) {
		nr = vmlab_walk_range_all(fd, 0, start, start + len, recs, FORK_PAGES, NULL);
		if (nr != FORK_PAGES)
			break;
	}
	atomic_store(&stop, 1);
	ASSERT_EQ(0, pthread_join(thread, NULL));
	EXPECT_EQ(FORK_WALKS, i);
	EXPECT_EQ(FORK_PAGES, nr) TH_LOG("%s", nr < 0 ? strerror(errno) : "short");
	EXPECT_EQ(start, recs[0].addr);
	EXPECT_EQ(start + len - PAGE, recs[FORK_PAGES - 1].addr);
	close(fd);
	munmap(recs, FORK_PAGES * sizeof(*recs));
	munmap(area, len);
}

TEST_HARNESS_MAIN
