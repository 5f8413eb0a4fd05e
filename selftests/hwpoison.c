// SPDX-License-Identifier: GPL-2.0
/*
 * hwpoison.c - selftests of a FILE region page lost to a memory error.
 * MADV_HWPOISON (root, CONFIG_MEMORY_FAILURE) poisons a page as an
 * uncorrected hardware error would: memory_failure() drops a clean page
 * from the region's page cache and leaves a dirty one there, poisoned.
 * Either way its data is gone: pread and pwrite of it fail with EIO, a
 * fault on it raises SIGBUS, the rest of the region reads as before, the
 * region's memory is accounted back when it goes, and the kernel log shows
 * no warning. Each test poisons a page of a region of its own; the page
 * stays lost until the VM reboots.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "libvmlab.h"
#include "vmlab_test.h"

#ifndef MADV_HWPOISON
#define MADV_HWPOISON	100
#endif

#define NR_PAGES	4
#define LOST		1	/* the page the tests poison */

FIXTURE(hwp) {
	int fd;
	int kmsg;
	struct vmlab_region_create rc;
	__u64 pages_in_use;
};

FIXTURE_VARIANT(hwp) {
	int dirty;	/* the page is written (dirty) before it is poisoned */
};

FIXTURE_VARIANT_ADD(hwp, clean) { .dirty = 0 };
FIXTURE_VARIANT_ADD(hwp, dirty) { .dirty = 1 };

/* the word at byte @off of a FILL_PATTERN region */
static uint64_t pattern(uint64_t off)
{
	return off & ~7ULL;
}

/*
 * Poisons page @LOST of region @rc in a child of its own: the kernel may
 * kill a process that maps a dirty page it loses (SIGBUS), and the test's
 * process must outlive that. Returns 0 when the page is poisoned, else
 * MADV_HWPOISON's errno (EINVAL: no CONFIG_MEMORY_FAILURE). EBUSY counts
 * as poisoned: memory_failure() marks the page first and then fails to
 * recover it (6.1 for a dirty page: it stays in the cache, poisoned).
 */
static int poison(int fd, const struct vmlab_region_create *rc)
{
	int status, err;
	pid_t pid = fork();

	if (pid < 0)
		return errno;
	if (pid == 0) {
		char *p = mmap(NULL, NR_PAGES * PAGE, PROT_READ, MAP_SHARED, fd, rc->offset);

		if (p == MAP_FAILED)
			_exit(errno);
		_exit(madvise(p + LOST * PAGE, PAGE, MADV_HWPOISON) ? errno : 0);
	}
	if (waitpid(pid, &status, 0) != pid)
		return errno;
	if (WIFSIGNALED(status) && WTERMSIG(status) == SIGBUS)
		return 0;	/* killed for the dirty page it mapped */
	err = WIFEXITED(status) ? WEXITSTATUS(status) : ECHILD;
	return err == EBUSY ? 0 : err;
}

/* whether the kernel log written since @kmsg was opened holds a warning */
static int kmsg_warned(int kmsg, char *what, size_t len)
{
	char rec[2048];
	ssize_t n;

	for (;;) {
		n = read(kmsg, rec, sizeof(rec) - 1);
		if (n < 0 && errno == EPIPE)
			continue;	/* records overwritten: go on */
		if (n <= 0)
			return 0;
		rec[n] = '\0';
		if (strstr(rec, "WARNING:") || strstr(rec, "BUG:") || strstr(rec, "Call Trace")) {
			snprintf(what, len, "%s", rec);
			return 1;
		}
	}
}

FIXTURE_SETUP(hwp)
{
	struct vmlab_info info;
	char buf[PAGE];
	int ret;

	self->kmsg = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	ASSERT_LE(0, self->kmsg) TH_LOG("open /dev/kmsg: %s", strerror(errno));
	ASSERT_LE(0, lseek(self->kmsg, 0, SEEK_END));
	self->fd = vmlab_open();
	ASSERT_LE(0, self->fd) TH_LOG("open %s: %s", VMLAB_DEVICE, strerror(errno));
	ASSERT_EQ(0, vmlab_info(self->fd, &info));
	self->pages_in_use = info.pages_in_use;
	self->rc = raw_create(VMLAB_REGION_FILE, NR_PAGES * PAGE);
	self->rc.fill = VMLAB_FILL_PATTERN;
	ASSERT_EQ(0, vmlab_region_create(self->fd, &self->rc)) TH_LOG("%s", strerror(errno));
	if (variant->dirty) {
		memset(buf, 0x5a, sizeof(buf));
		ASSERT_EQ(PAGE, pwrite(self->fd, buf, PAGE, self->rc.offset + LOST * PAGE));
	}
	ret = poison(self->fd, &self->rc);
	if (ret == EINVAL)
		SKIP(return, "MADV_HWPOISON: EINVAL (a kernel without CONFIG_MEMORY_FAILURE)");
	if (ret == EPERM)
		SKIP(return, "MADV_HWPOISON needs CAP_SYS_ADMIN");
	ASSERT_EQ(0, ret) TH_LOG("MADV_HWPOISON: %s", strerror(ret));
}

FIXTURE_TEARDOWN(hwp)
{
	vmlab_region_destroy(self->fd, self->rc.id);
	close(self->fd);
	close(self->kmsg);
}

/* pread and pwrite of the lost page fail with EIO; no warning in the log. */
TEST_F(hwp, rw_lost_page_eio)
{
	char buf[2 * PAGE], what[2048];

	errno = 0;
	EXPECT_EQ(-1, pread(self->fd, buf, PAGE, self->rc.offset + LOST * PAGE));
	EXPECT_EQ(EIO, errno);
	errno = 0;
	EXPECT_EQ(-1, pread(self->fd, buf, 8, self->rc.offset + LOST * PAGE + 64));
	EXPECT_EQ(EIO, errno);
	errno = 0;
	EXPECT_EQ(-1, pwrite(self->fd, buf, PAGE, self->rc.offset + LOST * PAGE));
	EXPECT_EQ(EIO, errno);
	EXPECT_FALSE(kmsg_warned(self->kmsg, what, sizeof(what))) TH_LOG("kernel log: %s", what);
}

/* A read across the lost page stops short before it; the others read as before. */
TEST_F(hwp, rw_around_lost_page)
{
	char buf[2 * PAGE], what[2048];
	uint64_t word;

	/* pages LOST - 1 and LOST: the bytes before the lost page */
	EXPECT_EQ(PAGE, pread(self->fd, buf, sizeof(buf), self->rc.offset + (LOST - 1) * PAGE));
	memcpy(&word, buf + 8, sizeof(word));
	EXPECT_EQ(pattern((LOST - 1) * PAGE + 8), word);
	ASSERT_EQ(8, pread(self->fd, &word, 8, self->rc.offset + (LOST + 1) * PAGE + 16));
	EXPECT_EQ(pattern((LOST + 1) * PAGE + 16), word);
	word = 42;
	EXPECT_EQ(8, pwrite(self->fd, &word, 8, self->rc.offset + (LOST + 1) * PAGE));
	/* a write across the lost page ends before it */
	EXPECT_EQ(PAGE, pwrite(self->fd, buf, sizeof(buf), self->rc.offset + (LOST - 1) * PAGE));
	EXPECT_FALSE(kmsg_warned(self->kmsg, what, sizeof(what))) TH_LOG("kernel log: %s", what);
}

/* A new mapping of the region: the lost page raises SIGBUS, the others read. */
TEST_F(hwp, fault_on_lost_page_sigbus)
{
	char *p, what[2048];
	int status;
	pid_t pid;

	p = mmap(NULL, NR_PAGES * PAGE, PROT_READ, MAP_SHARED, self->fd, self->rc.offset);
	ASSERT_NE(MAP_FAILED, p);
	EXPECT_EQ(pattern((LOST + 1) * PAGE + 8),
		  *(volatile uint64_t *)(p + (LOST + 1) * PAGE + 8));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		(void)*(volatile char *)(p + LOST * PAGE);
		_exit(0);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGBUS)
		TH_LOG("status %#x", status);
	munmap(p, NR_PAGES * PAGE);
	EXPECT_FALSE(kmsg_warned(self->kmsg, what, sizeof(what))) TH_LOG("kernel log: %s", what);
}

/* Destroying the region accounts all of its memory back. */
TEST_F(hwp, destroy_accounts_back)
{
	struct vmlab_info info;
	char what[2048];

	ASSERT_EQ(0, vmlab_region_destroy(self->fd, self->rc.id));
	ASSERT_EQ(0, vmlab_info(self->fd, &info));
	EXPECT_EQ(self->pages_in_use, info.pages_in_use);
	EXPECT_FALSE(kmsg_warned(self->kmsg, what, sizeof(what))) TH_LOG("kernel log: %s", what);
}

TEST_HARNESS_MAIN
