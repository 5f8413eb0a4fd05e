// SPDX-License-Identifier: GPL-2.0
/*
 * tokens.c - selftests of frame tokens, the keyed hash of a PFN that every
 * walk gives (see "Frame tokens" in the uapi header): equal for the same
 * frame and different for different frames within one open of /dev/vmlab,
 * different across opens, shared by a parent and its child through the
 * file they share, never the PFN; an opener with CAP_SYS_ADMIN still sees
 * the PFN, and a user without it sees copy-on-write happen through tokens.
 * Also the first ABI's shorter WALK, still served without a token.
 *
 * Runs as root in the vmlab VM; the unprivileged cases run in a child that
 * dropped to nobody, with the node made 0666 for the test's duration (the
 * rights are the opener's, so the child opens it after dropping).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "libvmlab.h"
#include "vmlab_test.h"

#define NR_PAGES	64

/* a private anonymous mapping of @pages base pages, each written once */
static char *touched_pages(size_t pages)
{
	char *p = mmap(NULL, pages * PAGE, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	size_t i;

	if (p == MAP_FAILED)
		return NULL;
	madvise(p, pages * PAGE, MADV_NOHUGEPAGE);
	for (i = 0; i < pages; i++)
		p[i * PAGE] = 1;
	return p;
}

/* the token of @addr through @fd, 0 when the walk failed or gave none */
static uint64_t token_of(int fd, const void *addr)
{
	struct vmlab_walk w;

	if (vmlab_walk(fd, 0, (uintptr_t)addr, &w) || !(w.walk_flags & VMLAB_WALK_FRAME_TOKEN))
		return 0;
	return w.frame_token;
}

FIXTURE(tokens) {
	int fd;
	mode_t mode;
};

FIXTURE_SETUP(tokens)
{
	ASSERT_EQ(0, node_open_to_all(&self->mode)) TH_LOG("vmlab is not loaded");
	self->fd = vmlab_open();
	ASSERT_LE(0, self->fd) TH_LOG("open %s: %s", VMLAB_DEVICE, strerror(errno));
}

FIXTURE_TEARDOWN(tokens)
{
	close(self->fd);
	chmod(VMLAB_DEVICE, self->mode);
}

/* The module says it gives tokens. */
TEST_F(tokens, feature_bit)
{
	struct vmlab_info info;

	ASSERT_EQ(0, vmlab_info(self->fd, &info));
	EXPECT_TRUE(info.features & VMLAB_FEAT_FRAME_TOKENS);
}

/* Within one open: the same frame, the same token, every time; none without a leaf. */
TEST_F(tokens, same_frame_same_token)
{
	char *p = touched_pages(1);
	struct vmlab_walk a, b;

	ASSERT_NE(NULL, p);
	ASSERT_EQ(0, vmlab_walk(self->fd, 0, (uintptr_t)p, &a));
	ASSERT_EQ(0, vmlab_walk(self->fd, 0, (uintptr_t)p + 123, &b));
	EXPECT_TRUE(a.walk_flags & VMLAB_WALK_FRAME_TOKEN);
	EXPECT_NE(0, a.frame_token);
	EXPECT_EQ(a.frame_token, b.frame_token);
	/* unmapped: no leaf, no token */
	ASSERT_EQ(0, madvise(p, PAGE, MADV_DONTNEED));
	ASSERT_EQ(0, vmlab_walk(self->fd, 0, (uintptr_t)p, &b));
	EXPECT_FALSE(b.walk_flags & VMLAB_WALK_FRAME_TOKEN);
	EXPECT_EQ(0, b.frame_token);
	munmap(p, PAGE);
}

/*
 * Different frames, different tokens (64 pages, all pairs); two addresses
 * reading the one zero page, the same token.
 */
TEST_F(tokens, different_frames_differ)
{
	char *p = touched_pages(NR_PAGES);
	char *z = mmap(NULL, 2 * PAGE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	uint64_t t[NR_PAGES];
	volatile char c;
	int i, j;

	ASSERT_NE(NULL, p);
	ASSERT_NE(MAP_FAILED, z);
	for (i = 0; i < NR_PAGES; i++) {
		t[i] = token_of(self->fd, p + i * PAGE);
		ASSERT_NE(0, t[i]) TH_LOG("page %d", i);
		for (j = 0; j < i; j++)
			EXPECT_NE(t[j], t[i]) TH_LOG("pages %d and %d", j, i);
	}
	c = z[0];
	c = z[PAGE];
	(void)c;
	EXPECT_EQ(token_of(self->fd, z), token_of(self->fd, z + PAGE));
	EXPECT_NE(0, token_of(self->fd, z));
	munmap(p, NR_PAGES * PAGE);
	munmap(z, 2 * PAGE);
}

/* A new open draws a new key: the same frame gets another token; a dup shares it. */
TEST_F(tokens, opens_differ)
{
	char *p = touched_pages(1);
	int fd2 = vmlab_open(), fd3 = dup(self->fd);

	ASSERT_NE(NULL, p);
	ASSERT_LE(0, fd2);
	ASSERT_LE(0, fd3);
	EXPECT_NE(0, token_of(fd2, p));
	EXPECT_NE(token_of(self->fd, p), token_of(fd2, p));
	EXPECT_EQ(token_of(self->fd, p), token_of(fd3, p));
	close(fd2);
	close(fd3);
	munmap(p, PAGE);
}

/*
 * Root sees both: the PFN (pagemap's), and a token that is not the PFN, of
 * this page or any of 64; a range walk asking for tokens still gets PFNs.
 */
TEST_F(tokens, root_sees_pfn_and_token_is_not_it)
{
	char *p = touched_pages(NR_PAGES);
	struct vmlab_walk_record rec[NR_PAGES];
	struct vmlab_walk w;
	uint32_t wf;
	uint64_t end;
	int i;

	ASSERT_NE(NULL, p);
	for (i = 0; i < NR_PAGES; i++) {
		ASSERT_EQ(0, vmlab_walk(self->fd, 0, (uintptr_t)p + i * PAGE, &w));
		ASSERT_FALSE(w.walk_flags & VMLAB_WALK_PFN_HIDDEN);
		EXPECT_EQ(pfn_of(p + i * PAGE), w.pfn);
		EXPECT_NE(0, w.pfn);
		EXPECT_NE(w.pfn, w.frame_token) TH_LOG("page %d", i);
	}
	ASSERT_EQ(NR_PAGES, vmlab_walk_range_all_flags(self->fd, 0, VMLAB_WALK_RANGE_TOKENS,
						       (uintptr_t)p, (uintptr_t)p + NR_PAGES * PAGE,
						       rec, NR_PAGES, &end, &wf));
	EXPECT_EQ(0, wf & (VMLAB_WALK_PFN_HIDDEN | VMLAB_WALK_FRAME_TOKEN));
	for (i = 0; i < NR_PAGES; i++)
		EXPECT_EQ(pfn_of(p + i * PAGE), rec[i].pfn) TH_LOG("page %d", i);
	munmap(p, NR_PAGES * PAGE);
}

/*
 * As nobody: the PFN hidden, the token given; a range walk's records
 * carry the same token when asked (VMLAB_WALK_RANGE_TOKENS), 0 as before
 * when not.
 */
static int hidden_pfn_token_given(void)
{
	struct vmlab_walk_record rec[NR_PAGES];
	struct vmlab_walk_range r;
	struct vmlab_walk w;
	char *p = touched_pages(NR_PAGES);
	int fd = vmlab_open(), i;

	if (fd < 0 || !p)
		return 1;
	if (vmlab_walk_range_flags(fd, 0, VMLAB_WALK_RANGE_TOKENS, (uintptr_t)p,
				   (uintptr_t)p + NR_PAGES * PAGE, rec, NR_PAGES, &r) ||
	    r.nr_records != NR_PAGES)
		return 5;
	if (r.walk_flags != (VMLAB_WALK_PFN_HIDDEN | VMLAB_WALK_FRAME_TOKEN))
		return 6;
	/* each page's own token and entry, not the first page's */
	for (i = 0; i < NR_PAGES; i++) {
		if (vmlab_walk(fd, 0, (uintptr_t)p + i * PAGE, &w))
			return 2;
		if (!(w.walk_flags & VMLAB_WALK_PFN_HIDDEN) || w.pfn)
			return 3;
		if (!(w.walk_flags & VMLAB_WALK_FRAME_TOKEN) || !w.frame_token)
			return 4;
		if (rec[i].pfn != w.frame_token || rec[i].entry != w.entries[w.leaf_level])
			return 7;
	}
	if (vmlab_walk_range(fd, 0, (uintptr_t)p, (uintptr_t)p + NR_PAGES * PAGE, rec,
			     NR_PAGES, &r) || r.nr_records != NR_PAGES)
		return 8;
	for (i = 0; i < NR_PAGES; i++)
		if (r.walk_flags != VMLAB_WALK_PFN_HIDDEN || rec[i].pfn)
			return 9;
	return 0;
}

TEST_F(tokens, hidden_pfn_token_given)
{
	EXPECT_EQ(0, as_nobody(hidden_pfn_token_given));
}

/*
 * As nobody, copy-on-write seen through tokens: after fork the child's page
 * has the parent's token (through the file they share), after the child's
 * write another one, and the parent's page keeps its own.
 */
static int fork_cow_through_tokens(void)
{
	int fd = vmlab_open(), pipefd[2], status;
	char *p = touched_pages(1);
	uint64_t before, shared, copied, parent;
	pid_t pid;

	if (fd < 0 || !p || pipe(pipefd))
		return 1;
	before = token_of(fd, p);
	if (!before)
		return 2;
	pid = fork();
	if (pid < 0)
		return 3;
	if (pid == 0) {
		uint64_t t[2];

		t[0] = token_of(fd, p);
		p[0] = 2;	/* the copy */
		t[1] = token_of(fd, p);
		_exit(write(pipefd[1], t, sizeof(t)) == sizeof(t) ? 0 : 1);
	}
	{
		uint64_t t[2];

		if (read(pipefd[0], t, sizeof(t)) != sizeof(t))
			return 4;
		shared = t[0];
		copied = t[1];
	}
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status))
		return 5;
	parent = token_of(fd, p);
	if (shared != before)
		return 6;	/* the child maps the parent's frame */
	if (!copied || copied == before)
		return 7;	/* its write copied it */
	if (parent != before)
		return 8;	/* the parent kept its own */
	return 0;
}

TEST_F(tokens, fork_cow_seen_unprivileged)
{
	EXPECT_EQ(0, as_nobody(fork_cow_through_tokens));
}

/* The same, as root: parent and child through the inherited file. */
TEST_F(tokens, fork_cow_seen_by_root)
{
	EXPECT_EQ(0, fork_cow_through_tokens());
}

/*
 * WALK with the first ABI's struct (VMLAB_WALK_SIZE_V1): served, and
 * nothing written past its end.
 */
TEST_F(tokens, walk_v1_served_without_token)
{
	char *p = touched_pages(1);
	union {
		struct vmlab_walk w;
		unsigned char bytes[sizeof(struct vmlab_walk)];
	} u;
	size_t i;

	ASSERT_NE(NULL, p);
	memset(&u, 0xa5, sizeof(u));
	memset(&u, 0, VMLAB_WALK_SIZE_V1);
	u.w.size = VMLAB_WALK_SIZE_V1;
	u.w.addr = (uintptr_t)p;
	ASSERT_EQ(0, ioctl_errno(self->fd, VMLAB_IOC_WALK_V1, &u.w));
	EXPECT_EQ(VMLAB_WALK_SIZE_V1, u.w.size);
	EXPECT_EQ(VMLAB_COW_WRITABLE, u.w.verdict);
	EXPECT_EQ(pfn_of(p), u.w.pfn);
	for (i = VMLAB_WALK_SIZE_V1; i < sizeof(u); i++)
		EXPECT_EQ(0xa5, u.bytes[i]) TH_LOG("byte %zu", i);
	/* the new number with the old size, and the other way round: EINVAL */
	u.w.size = VMLAB_WALK_SIZE_V1;
	EXPECT_EQ(EINVAL, ioctl_errno(self->fd, VMLAB_IOC_WALK, &u.w));
	u.w.size = sizeof(u.w);
	EXPECT_EQ(EINVAL, ioctl_errno(self->fd, VMLAB_IOC_WALK_V1, &u.w));
	munmap(p, PAGE);
}

/* A range walk with an unknown flag bit: EINVAL; WALK takes no RANGE_TOKENS. */
TEST_F(tokens, unknown_flags_einval)
{
	char *p = touched_pages(1);
	struct vmlab_walk_record rec;
	struct vmlab_walk_range r;
	struct vmlab_walk w;

	ASSERT_NE(NULL, p);
	EXPECT_EQ(-1, vmlab_walk_range_flags(self->fd, 0, 1u << 2, (uintptr_t)p,
					     (uintptr_t)p + PAGE, &rec, 1, &r));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, vmlab_walk_flags(self->fd, 0, VMLAB_WALK_RANGE_TOKENS, (uintptr_t)p, &w));
	EXPECT_EQ(EINVAL, errno);
	munmap(p, PAGE);
}

TEST_HARNESS_MAIN
