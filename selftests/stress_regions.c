// SPDX-License-Identifier: GPL-2.0
/*
 * stress_regions.c - every region kind under load on the VM's two vCPUs:
 * two threads fault FILE, ANON and DEVICE mappings, shared and private, for
 * reading and writing, while a mutator replaces them (mmap MAP_FIXED),
 * moves them away and back (mremap), drops their pages (MADV_DONTNEED),
 * write-protects them (mprotect) and forks children that touch them; a
 * walker range-walks this process and a child through its pid; a churner
 * creates, maps, touches and destroys regions of its own. Afterwards every
 * mapping is gone and every region destroyed, and the module's page
 * accounting (INFO's pages_in_use) must be back where it started; the VM's
 * runner fails the run on any kernel report.
 *
 * VMLAB_STRESS_SECONDS bounds it (default 20 s, at most 240).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "libvmlab.h"
#include "vmlab_test.h"

#define PAGES		64
#define LEN		(PAGES * PAGE)
#define NR_SLOTS	5
#define MAX_RECS	(NR_SLOTS * PAGES)

/* one mapping of a region the faulters touch and the mutator changes */
struct slot {
	__u32 kind;
	int flags;		/* MAP_SHARED or MAP_PRIVATE */
	__u32 id;
	__u64 offset;
	char *addr;		/* fixed for the run: replaced in place */
};

struct stress {
	int fd;
	struct slot slots[NR_SLOTS];
	char *scratch;		/* reserved (PROT_NONE): where mremap moves a slot */
	/*
	 * Reserved (PROT_NONE) for the churner's mappings: while the mutator
	 * moves slots, their old places are holes for a moment, and a mapping
	 * the kernel placed there would be clobbered on the way back. So no
	 * thread lets the kernel choose an address during the run.
	 */
	char *churn_area;
	pid_t child;		/* a child with the same mappings, to walk */
	atomic_int stop;
	atomic_long touches, faults_caught, mutations, walks, churns;
	atomic_int failed;	/* the first unexpected errno */
};

static __thread sigjmp_buf touch_env;
static __thread volatile int touching;

static void on_fault(int sig)
{
	if (!touching) {
		signal(sig, SIG_DFL);
		raise(sig);
	}
	siglongjmp(touch_env, 1);
}

/* read or write one byte; 0, or 1 when the mapping was away (SIGSEGV/SIGBUS) */
static int touch_caught(char *p, int write)
{
	if (sigsetjmp(touch_env, 1)) {
		touching = 0;
		return 1;
	}
	touching = 1;
	if (write)
		*(volatile char *)p = 1;
	else
		(void)*(volatile char *)p;
	touching = 0;
	return 0;
}

static void fail(struct stress *s, int err)
{
	int zero = 0;

	atomic_compare_exchange_strong(&s->failed, &zero, err ? err : -1);
}

static void *faulter(void *arg)
{
	struct stress *s = arg;
	unsigned int seed = (unsigned int)(uintptr_t)&seed;

	while (!atomic_load(&s->stop)) {
		struct slot *sl = &s->slots[rand_r(&seed) % NR_SLOTS];
		char *p = sl->addr + (rand_r(&seed) % PAGES) * PAGE;

		atomic_fetch_add(&s->faults_caught, touch_caught(p, rand_r(&seed) & 1));
		atomic_fetch_add(&s->touches, 1);
	}
	return NULL;
}

static char *map_slot(struct stress *s, struct slot *sl, int fixed)
{
	return mmap(fixed ? sl->addr : NULL, LEN, PROT_READ | PROT_WRITE,
		    sl->flags | (fixed ? MAP_FIXED : 0), s->fd, sl->offset);
}

static void *mutator(void *arg)
{
	struct stress *s = arg;
	unsigned int seed = 7;

	while (!atomic_load(&s->stop)) {
		struct slot *sl = &s->slots[rand_r(&seed) % NR_SLOTS];
		char *q;
		pid_t pid;
		int i;

		switch (rand_r(&seed) % 5) {
		case 0:	/* replace the mapping in place */
			if (map_slot(s, sl, 1) == MAP_FAILED)
				fail(s, errno);
			break;
		case 1:	/* move it away and back */
			q = mremap(sl->addr, LEN, LEN, MREMAP_MAYMOVE | MREMAP_FIXED, s->scratch);
			if (q == MAP_FAILED) {
				fail(s, errno);
				break;
			}
			if (mremap(q, LEN, LEN, MREMAP_MAYMOVE | MREMAP_FIXED, sl->addr) ==
			    MAP_FAILED)
				fail(s, errno);
			/* keep the scratch reserved, or a new mapping could land there */
			if (mmap(s->scratch, LEN, PROT_NONE,
				 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) == MAP_FAILED)
				fail(s, errno);
			break;
		case 2:	/* the kernel refuses this on a PFN map (DEVICE) */
			if (madvise(sl->addr, LEN, MADV_DONTNEED) &&
			    sl->kind != VMLAB_REGION_DEVICE)
				fail(s, errno);
			break;
		case 3:
			if (mprotect(sl->addr, LEN, PROT_READ) ||
			    mprotect(sl->addr, LEN, PROT_READ | PROT_WRITE))
				fail(s, errno);
			break;
		default:	/* a child touches every mapping, then exits */
			pid = fork();
			if (pid == 0) {
				for (i = 0; i < NR_SLOTS * 4; i++)
					touch_caught(s->slots[i % NR_SLOTS].addr +
						     (i % PAGES) * PAGE, i & 1);
				_exit(0);
			}
			if (pid < 0 || waitpid(pid, NULL, 0) != pid)
				fail(s, errno);
			break;
		}
		atomic_fetch_add(&s->mutations, 1);
	}
	return NULL;
}

static void *walker(void *arg)
{
	static struct vmlab_walk_record recs[MAX_RECS];
	struct stress *s = arg;
	uint64_t end;
	long n;
	int i;

	while (!atomic_load(&s->stop)) {
		for (i = 0; i < NR_SLOTS; i++) {
			uint64_t a = (uintptr_t)s->slots[i].addr;

			n = vmlab_walk_range_all(s->fd, 0, a, a + LEN, recs, PAGES, &end);
			if (n < 0)
				fail(s, errno);
			n = vmlab_walk_range_all(s->fd, s->child, a, a + LEN, recs, PAGES, &end);
			if (n < 0)
				fail(s, errno);
			atomic_fetch_add(&s->walks, 2);
		}
	}
	return NULL;
}

static void *churner(void *arg)
{
	struct stress *s = arg;
	unsigned int seed = 11;
	struct vmlab_region_create rc;
	char *p;
	int i, n;

	while (!atomic_load(&s->stop)) {
		n = 1 + rand_r(&seed) % 16;
		if (vmlab_region_new(s->fd, 1 + rand_r(&seed) % 3, n * PAGE, 0, &rc)) {
			fail(s, errno);
			continue;
		}
		p = mmap(s->churn_area, n * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED,
			 s->fd, rc.offset);
		if (p == MAP_FAILED) {
			fail(s, errno);
		} else {
			for (i = 0; i < n; i++)
				p[i * PAGE] = i;
			/* destroy while mapped half the time: freed at munmap */
			if (rand_r(&seed) & 1 && vmlab_region_destroy(s->fd, rc.id))
				fail(s, errno);
			/* back to a reservation: unmaps the region, keeps the place */
			if (mmap(s->churn_area, LEN, PROT_NONE,
				 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) == MAP_FAILED)
				fail(s, errno);
		}
		vmlab_region_destroy(s->fd, rc.id);	/* ENOENT when done above */
		atomic_fetch_add(&s->churns, 1);
	}
	return NULL;
}

static double seconds(void)
{
	const char *v = getenv("VMLAB_STRESS_SECONDS");

	double secs = v ? atof(v) : 20;

	return secs > 240 ? 240 : secs;
}

FIXTURE(stress) {
};

FIXTURE_SETUP(stress)
{
}

FIXTURE_TEARDOWN(stress)
{
}

/* All of it for VMLAB_STRESS_SECONDS (at most 240); then nothing may be left behind. */
TEST_F_TIMEOUT(stress, every_region_kind_under_load, 300)
{
	static const struct { __u32 kind; int flags; } kinds[NR_SLOTS] = {
		{ VMLAB_REGION_FILE, MAP_SHARED }, { VMLAB_REGION_FILE, MAP_PRIVATE },
		{ VMLAB_REGION_ANON, MAP_SHARED }, { VMLAB_REGION_ANON, MAP_PRIVATE },
		{ VMLAB_REGION_DEVICE, MAP_SHARED },
	};
	struct sigaction sa = { .sa_handler = on_fault, .sa_flags = SA_NODEFER };
	pthread_t threads[5];
	struct vmlab_region_create rc;
	struct vmlab_info info;
	struct stress *s;
	__u64 pages_before;
	double secs = seconds();
	int i;

	/* shared with nobody, but big: off the stack */
	s = calloc(1, sizeof(*s));
	ASSERT_NE(NULL, s);
	ASSERT_EQ(0, sigaction(SIGSEGV, &sa, NULL));
	ASSERT_EQ(0, sigaction(SIGBUS, &sa, NULL));
	s->fd = vmlab_open();
	ASSERT_LE(0, s->fd);
	ASSERT_EQ(0, vmlab_info(s->fd, &info));
	pages_before = info.pages_in_use;

	for (i = 0; i < NR_SLOTS; i++) {
		struct slot *sl = &s->slots[i];

		sl->kind = kinds[i].kind;
		sl->flags = kinds[i].flags;
		ASSERT_EQ(0, vmlab_region_new(s->fd, sl->kind, LEN, 0, &rc));
		sl->id = rc.id;
		sl->offset = rc.offset;
		sl->addr = map_slot(s, sl, 0);
		ASSERT_NE(MAP_FAILED, sl->addr);
	}
	s->scratch = mmap(NULL, LEN, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, s->scratch);
	s->churn_area = mmap(NULL, LEN, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, s->churn_area);

	s->child = fork();
	ASSERT_LE(0, s->child);
	if (s->child == 0) {
		/* it holds the mappings too: it must not outlive the test */
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		pause();
		_exit(0);
	}

	TH_LOG("%.0f s", secs);
	ASSERT_EQ(0, pthread_create(&threads[0], NULL, faulter, s));
	ASSERT_EQ(0, pthread_create(&threads[1], NULL, faulter, s));
	ASSERT_EQ(0, pthread_create(&threads[2], NULL, mutator, s));
	ASSERT_EQ(0, pthread_create(&threads[3], NULL, walker, s));
	ASSERT_EQ(0, pthread_create(&threads[4], NULL, churner, s));
	usleep(secs * 1e6);
	atomic_store(&s->stop, 1);
	for (i = 0; i < 5; i++)
		pthread_join(threads[i], NULL);
	kill(s->child, SIGKILL);
	waitpid(s->child, NULL, 0);

	TH_LOG("%ld touches (%ld while a mapping was away), %ld mutations",
	       atomic_load(&s->touches), atomic_load(&s->faults_caught),
	       atomic_load(&s->mutations));
	TH_LOG("%ld walks, %ld regions churned", atomic_load(&s->walks), atomic_load(&s->churns));
	EXPECT_EQ(0, atomic_load(&s->failed))
		TH_LOG("first failure: %s", strerror(atomic_load(&s->failed)));
	EXPECT_LT(0, atomic_load(&s->touches));
	EXPECT_LT(0, atomic_load(&s->walks));
	EXPECT_LT(0, atomic_load(&s->churns));

	munmap(s->scratch, LEN);
	munmap(s->churn_area, LEN);
	for (i = 0; i < NR_SLOTS; i++) {
		EXPECT_EQ(0, munmap(s->slots[i].addr, LEN));
		EXPECT_EQ(0, vmlab_region_destroy(s->fd, s->slots[i].id));
	}
	ASSERT_EQ(0, vmlab_info(s->fd, &info));
	EXPECT_EQ(pages_before, info.pages_in_use);
	close(s->fd);
	free(s);
}

TEST_HARNESS_MAIN
