// SPDX-License-Identifier: GPL-2.0
/*
 * walk_abi.c - selftests of the ABI of VMLAB_IOC_WALK and
 * VMLAB_IOC_WALK_RANGE: every bad input with its errno, each on its own
 * (size, flags, padding and reserved words, pids, kernel and non-canonical
 * addresses, empty, unaligned or reversed ranges, record counts, pointers).
 *
 * Runs as root in the vmlab VM. What the walk reports is in walk.c.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "libvmlab.h"
#include "vmlab_test.h"
#include "walk_fixture.h"

/* the raw commands, without the library's checks: 0 or the errno */
static int walk_ioctl(int fd, struct vmlab_walk *w)
{
	return ioctl_errno(fd, VMLAB_IOC_WALK, w);
}

static int range_ioctl(int fd, struct vmlab_walk_range *r)
{
	return ioctl_errno(fd, VMLAB_IOC_WALK_RANGE, r);
}

/* A valid WALK_RANGE of one written page in @r, for the error tests to spoil. */
FIXTURE(range) {
	int fd;
	struct vmlab_info info;
	char *p;
	struct vmlab_walk_record rec;
	struct vmlab_walk_range r;
	struct vmlab_walk w;
};

FIXTURE_SETUP(range)
{
	self->fd = vmlab_open();
	ASSERT_LE(0, self->fd);
	ASSERT_EQ(0, vmlab_info(self->fd, &self->info));
	self->p = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, self->p);
	self->p[0] = 1;
	self->r.size = sizeof(self->r);
	self->r.start = (uintptr_t)self->p;
	self->r.end = (uintptr_t)self->p + PAGE;
	self->r.records = (uintptr_t)&self->rec;
	self->r.max_records = 1;
	self->w.size = sizeof(self->w);
	self->w.addr = (uintptr_t)self->p;
	ASSERT_EQ(0, range_ioctl(self->fd, &self->r));
	ASSERT_EQ(1, self->r.nr_records);
}

FIXTURE_TEARDOWN(range)
{
	munmap(self->p, PAGE);
	close(self->fd);
}

/* WALK of each of @addrs fails with EINVAL. */
static void expect_walk_einval(struct __test_metadata *_metadata, int fd,
			       const uint64_t *addrs, unsigned int n)
{
	struct vmlab_walk w;
	unsigned int i;

	for (i = 0; i < n; i++) {
		memset(&w, 0, sizeof(w));
		w.size = sizeof(w);
		w.addr = addrs[i];
		EXPECT_EQ(EINVAL, walk_ioctl(fd, &w)) TH_LOG("addr %#llx",
							     (unsigned long long)addrs[i]);
	}
}

/* Kernel addresses: EINVAL. */
TEST_F(walk, kernel_address_einval)
{
	const uint64_t addrs[] = { 0xffffffff81000000ULL, 0xffff888000000000ULL,
				   0xfffffffffffff000ULL, 0xffffffffff600000ULL };

	expect_walk_einval(_metadata, self->fd, addrs, ARRAY_SIZE(addrs));
}

/*
 * Non-canonical addresses and the last user page's end: EINVAL. x86-64
 * keeps the page below 2^47 (2^56) out of user space; 32-bit x86's ends at
 * 3 GiB (Debian's split), and 2^32 and over is no address there.
 */
TEST_F(walk, noncanonical_address_einval)
{
	uint64_t end = shape_user_end(self->info.pgtable_levels), top = end + 0x1000;
	const uint64_t addrs[] = { top, end, top - 1,
				   self->info.pgtable_levels <= 3 ? 1ULL << 32 : top + 0x1000,
				   1ULL << 62, 0x8000000000000000ULL };
	struct vmlab_walk w;

	expect_walk_einval(_metadata, self->fd, addrs, ARRAY_SIZE(addrs));
	/* the last user page is valid */
	memset(&w, 0, sizeof(w));
	w.size = sizeof(w);
	w.addr = end - 0x1001;
	EXPECT_EQ(0, walk_ioctl(self->fd, &w));
}

/* Unknown flags, non-zero padding or reserved words: EINVAL, each on its own. */
TEST_F(walk, walk_nonzero_flags_padding_einval)
{
	struct vmlab_walk w;
	int i;

	for (i = 0; i < 8; i++) {
		memset(&w, 0, sizeof(w));
		w.size = sizeof(w);
		w.addr = (uintptr_t)&w;
		switch (i) {
		case 0:
			w.flags = 1u << 2;	/* no such bit (bit 0 is MEM_FD) */
			break;
		case 1:
			w.flags = 0x80000000;
			break;
		case 2:
			w.__pad = 1;
			break;
		case 3:
			w.__pad2 = 1;
			break;
		default:
			w.__reserved[i - 4] = 1;
			break;
		}
		EXPECT_EQ(EINVAL, walk_ioctl(self->fd, &w)) TH_LOG("case %d", i);
	}
	/* and with all of them zero, the same struct walks */
	memset(&w, 0, sizeof(w));
	w.size = sizeof(w);
	w.addr = (uintptr_t)&w;
	EXPECT_EQ(0, walk_ioctl(self->fd, &w));
}

/* A WALK size other than sizeof(struct vmlab_walk): EINVAL. */
TEST_F(walk, walk_wrong_size_einval)
{
	const uint32_t sizes[] = { 0, 4, sizeof(struct vmlab_walk) - 1,
				   sizeof(struct vmlab_walk) + 1, UINT32_MAX };
	struct vmlab_walk w;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		memset(&w, 0, sizeof(w));
		w.size = sizes[i];
		w.addr = (uintptr_t)&w;
		EXPECT_EQ(EINVAL, walk_ioctl(self->fd, &w)) TH_LOG("size %u", sizes[i]);
	}
}

/* A WALK struct at an unmapped or read-only address: EFAULT. */
TEST_F(walk, walk_bad_pointer_efault)
{
	struct vmlab_walk *w = mmap(NULL, PAGE, PROT_READ | PROT_WRITE,
				    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	ASSERT_NE(MAP_FAILED, w);
	EXPECT_EQ(EFAULT, walk_ioctl(self->fd, NULL));
	w->size = sizeof(*w);
	w->addr = (uintptr_t)w;
	ASSERT_EQ(0, mprotect(w, PAGE, PROT_READ));
	EXPECT_EQ(EFAULT, walk_ioctl(self->fd, w));
	ASSERT_EQ(0, munmap(w, PAGE));
	EXPECT_EQ(EFAULT, walk_ioctl(self->fd, w));
}

/* A pid that names no process: ESRCH, for both commands. */
TEST_F(range, unknown_pid_esrch)
{
	const uint32_t pids[] = { 0, 0x7fffffff, 0x80000000, UINT32_MAX };
	struct vmlab_walk w;
	unsigned int i;
	pid_t pid;

	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0)
		_exit(0);
	ASSERT_EQ(pid, waitpid(pid, NULL, 0));
	for (i = 0; i < ARRAY_SIZE(pids); i++) {
		uint32_t target = pids[i] ? pids[i] : (uint32_t)pid;

		memset(&w, 0, sizeof(w));
		w.size = sizeof(w);
		w.pid = target;
		w.addr = (uintptr_t)self->p;
		EXPECT_EQ(ESRCH, walk_ioctl(self->fd, &w)) TH_LOG("pid %u", target);
		self->r.pid = target;
		EXPECT_EQ(ESRCH, range_ioctl(self->fd, &self->r)) TH_LOG("pid %u", target);
	}
}

/* A kernel thread (kthreadd, pid 2) has no address space: EINVAL. */
TEST_F(range, kernel_thread_einval)
{
	struct vmlab_walk w;
	char comm[32];

	ASSERT_EQ(0, read_line("/proc/2/comm", comm, sizeof(comm)));
	ASSERT_STREQ("kthreadd", comm);
	memset(&w, 0, sizeof(w));
	w.size = sizeof(w);
	w.pid = 2;
	w.addr = (uintptr_t)self->p;
	EXPECT_EQ(EINVAL, walk_ioctl(self->fd, &w));
	self->r.pid = 2;
	EXPECT_EQ(EINVAL, range_ioctl(self->fd, &self->r));
}

/* end < start and end == start: EINVAL. */
TEST_F(range, range_empty_or_reversed_einval)
{
	ASSERT_EQ(0, range_ioctl(self->fd, &self->r));
	self->r.end = self->r.start;
	EXPECT_EQ(EINVAL, range_ioctl(self->fd, &self->r));
	self->r.end = self->r.start - PAGE;
	EXPECT_EQ(EINVAL, range_ioctl(self->fd, &self->r));
}

/* An unaligned start or end: EINVAL. */
TEST_F(range, range_unaligned_einval)
{
	self->r.start += 1;
	EXPECT_EQ(EINVAL, range_ioctl(self->fd, &self->r));
	self->r.start -= 1;
	self->r.end -= 8;
	EXPECT_EQ(EINVAL, range_ioctl(self->fd, &self->r));
	self->r.end += 8;
	ASSERT_EQ(0, range_ioctl(self->fd, &self->r));
}

/* A range reaching kernel or non-canonical addresses: EINVAL. */
TEST_F(range, range_kernel_address_einval)
{
	uint64_t top = shape_user_end(self->info.pgtable_levels) + PAGE;

	self->r.end = top;
	EXPECT_EQ(EINVAL, range_ioctl(self->fd, &self->r));
	self->r.end = 0xfffffffffffff000ULL;
	EXPECT_EQ(EINVAL, range_ioctl(self->fd, &self->r));
	self->r.start = 0xffffffff81000000ULL;
	self->r.end = 0xffffffff81200000ULL;
	EXPECT_EQ(EINVAL, range_ioctl(self->fd, &self->r));
	/* the whole user address space is fine */
	self->r.start = 0;
	self->r.end = top - PAGE;
	EXPECT_EQ(0, range_ioctl(self->fd, &self->r));
}

/* max_records 0 or over VMLAB_WALK_RANGE_MAX: EINVAL. */
TEST_F(range, range_max_records_einval)
{
	self->r.max_records = 0;
	EXPECT_EQ(EINVAL, range_ioctl(self->fd, &self->r));
	self->r.max_records = VMLAB_WALK_RANGE_MAX + 1;
	EXPECT_EQ(EINVAL, range_ioctl(self->fd, &self->r));
	self->r.max_records = UINT32_MAX;
	EXPECT_EQ(EINVAL, range_ioctl(self->fd, &self->r));
}

/* Records at NULL, at unmapped or read-only memory, or in the kernel: EFAULT. */
TEST_F(range, range_bad_records_efault)
{
	const int prot = PROT_READ | PROT_WRITE, flags = MAP_PRIVATE | MAP_ANONYMOUS;
	char *buf = mmap(NULL, 2 * PAGE, prot, flags, -1, 0);
	char *q = mmap(NULL, 2 * PAGE, prot, flags, -1, 0);

	ASSERT_NE(MAP_FAILED, buf);
	ASSERT_NE(MAP_FAILED, q);
	ASSERT_EQ(0, mprotect(buf + PAGE, PAGE, PROT_READ));
	self->r.records = 0;
	EXPECT_EQ(EFAULT, range_ioctl(self->fd, &self->r));
	self->r.records = (uintptr_t)buf + PAGE;
	EXPECT_EQ(EFAULT, range_ioctl(self->fd, &self->r)) TH_LOG("read-only records");
	self->r.records = 0xffff888000000000ULL;
	EXPECT_EQ(EFAULT, range_ioctl(self->fd, &self->r));
	/* room for 2 records, the second one read-only: EFAULT when it is used */
	q[0] = 1;
	q[PAGE] = 1;
	self->r.start = (uintptr_t)q;
	self->r.end = self->r.start + 2 * PAGE;
	self->r.records = (uintptr_t)buf + PAGE - sizeof(self->rec);
	self->r.max_records = 2;
	EXPECT_EQ(EFAULT, range_ioctl(self->fd, &self->r));
	self->r.max_records = 1;
	self->r.end = self->r.start + PAGE;
	EXPECT_EQ(0, range_ioctl(self->fd, &self->r));
	EXPECT_EQ(1, self->r.nr_records);
	munmap(buf, 2 * PAGE);
	munmap(q, 2 * PAGE);
}

/* Unknown flags or non-zero reserved words in WALK_RANGE: EINVAL. */
TEST_F(range, range_nonzero_flags_reserved_einval)
{
	self->r.flags = 1u << 2;	/* bits 0 and 1 are MEM_FD and RANGE_TOKENS */
	EXPECT_EQ(EINVAL, range_ioctl(self->fd, &self->r));
	self->r.flags = 0;
	self->r.__reserved[0] = 1;
	EXPECT_EQ(EINVAL, range_ioctl(self->fd, &self->r));
	self->r.__reserved[0] = 0;
	self->r.__reserved[1] = 1ULL << 63;
	EXPECT_EQ(EINVAL, range_ioctl(self->fd, &self->r));
	self->r.__reserved[1] = 0;
	EXPECT_EQ(0, range_ioctl(self->fd, &self->r));
}

/* A WALK_RANGE size other than its struct's: EINVAL. */
TEST_F(range, range_wrong_size_einval)
{
	self->r.size = sizeof(self->r) - 8;
	EXPECT_EQ(EINVAL, range_ioctl(self->fd, &self->r));
	self->r.size = sizeof(struct vmlab_walk);
	EXPECT_EQ(EINVAL, range_ioctl(self->fd, &self->r));
	self->r.size = 0;
	EXPECT_EQ(EINVAL, range_ioctl(self->fd, &self->r));
}

TEST_HARNESS_MAIN
