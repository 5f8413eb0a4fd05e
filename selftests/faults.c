// SPDX-License-Identifier: GPL-2.0
/*
 * faults.c - allocation failures inside vmlab, injected with the kernel's
 * fault injection (failslab, fail_page_alloc and the per-task fail-nth):
 * every allocation site of an ioctl fails in turn and must give ENOMEM and
 * leave no partial state; an allocation failing inside a page fault must be
 * survived. Needs CONFIG_FAULT_INJECTION_DEBUG_FS with FAILSLAB and
 * FAIL_PAGE_ALLOC (the debug kernel has them; Debian's kernels do not).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "libvmlab.h"
#include "vmlab_test.h"

#define FAILSLAB	"/sys/kernel/debug/failslab/"
#define FAILPAGE	"/sys/kernel/debug/fail_page_alloc/"
#define FAIL_NTH	"/proc/thread-self/fail-nth"
/* more sites than any vmlab ioctl has: the sweep ends well before */
#define MAX_SITES	400

static int put(const char *path, const char *val)
{
	int fd = open(path, O_WRONLY), ret;

	if (fd < 0)
		return -1;
	ret = write(fd, val, strlen(val)) == (ssize_t)strlen(val) ? 0 : -1;
	close(fd);
	return ret;
}

static long get(const char *path)
{
	char buf[32] = "";
	int fd = open(path, O_RDONLY);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	return n > 0 ? strtol(buf, NULL, 10) : -1;
}

/* the Nth injection site this thread passes next fails (0: none armed) */
static int arm(int nth)
{
	char buf[16];

	snprintf(buf, sizeof(buf), "%d", nth);
	return put(FAIL_NTH, buf);
}

/* whether the armed failure was used: fail-nth reads 0 once consumed */
static int disarm(void)
{
	long left = get(FAIL_NTH);

	put(FAIL_NTH, "0");
	return left == 0;
}

FIXTURE(fi) {
	int fd;
	__u32 pci_addr;		/* PCI: the ivshmem device vmlab is bound to */
};

FIXTURE_VARIANT(fi) {
	__u32 kind;
	__u32 cache;
};

FIXTURE_VARIANT_ADD(fi, file) { .kind = VMLAB_REGION_FILE };
FIXTURE_VARIANT_ADD(fi, anon) { .kind = VMLAB_REGION_ANON };
FIXTURE_VARIANT_ADD(fi, device) { .kind = VMLAB_REGION_DEVICE };
FIXTURE_VARIANT_ADD(fi, pci) { .kind = VMLAB_REGION_PCI };

/* its memory type changed (set_memory_uc), and restored on the error path */
FIXTURE_VARIANT_ADD(fi, device_uc) {
	.kind = VMLAB_REGION_DEVICE,
	.cache = VMLAB_CACHE_UC,
};

/*
 * a raw REGION_CREATE of @kind and @length; a PCI one on BAR2 of @pci_addr;
 * a DEVICE one in @cache
 */
static struct vmlab_region_create fi_create(__u32 kind, __u64 length, __u32 pci_addr,
					    __u32 cache)
{
	struct vmlab_region_create rc = raw_create(kind, length);

	if (kind == VMLAB_REGION_DEVICE)
		rc.cache = cache;
	if (kind == VMLAB_REGION_PCI) {
		rc.pci_addr = pci_addr;
		rc.bar = 2;
	}
	return rc;
}

/*
 * Both injectors fail any allocation (sleeping, highmem, order 0) but only
 * for tasks that ask (fail-nth), quietly: a stack trace per injected
 * failure would read as a kernel report.
 */
static const char *const fi_settings[][2] = {
	{ FAILSLAB "ignore-gfp-wait", "N" },
	{ FAILSLAB "verbose", "0" },
	{ FAILSLAB "probability", "0" },
	{ FAILPAGE "ignore-gfp-wait", "N" },
	{ FAILPAGE "ignore-gfp-highmem", "N" },
	{ FAILPAGE "min-order", "0" },
	{ FAILPAGE "verbose", "0" },
	{ FAILPAGE "probability", "0" },
};

#define FI_ABSENT "no fault injection in this kernel (FAULT_INJECTION_DEBUG_FS, FAILSLAB, FAIL_PAGE_ALLOC)"

/* Sets the injectors up for fail-nth: 1, 0 where the kernel has none, -1 on error. */
static int fi_start(void)
{
	size_t i;

	if (access(FAIL_NTH, W_OK) || access(FAILSLAB, F_OK) || access(FAILPAGE, F_OK))
		return 0;
	for (i = 0; i < ARRAY_SIZE(fi_settings); i++)
		if (put(fi_settings[i][0], fi_settings[i][1]))
			return -1;
	return 1;
}

/* Disarms fail-nth and puts the injectors back as booted. */
static void fi_stop(void)
{
	put(FAIL_NTH, "0");
	put(FAILSLAB "ignore-gfp-wait", "Y");
	put(FAILPAGE "ignore-gfp-wait", "Y");
	put(FAILPAGE "ignore-gfp-highmem", "Y");
	put(FAILPAGE "min-order", "1");
}

FIXTURE_SETUP(fi)
{
	int on = fi_start();

	if (!on)
		SKIP(return, FI_ABSENT);
	ASSERT_EQ(1, on);
	self->fd = vmlab_open();
	ASSERT_LE(0, self->fd);
	if (variant->kind == VMLAB_REGION_PCI && vmlab_pci_devices(&self->pci_addr, 1) != 1)
		SKIP(return, "no ivshmem device is bound to vmlab (the VM runs without one)");
}

FIXTURE_TEARDOWN(fi)
{
	fi_stop();
	close(self->fd);
}

/* ANON regions: the only kind that allocates in its fault handler */
FIXTURE(fi_anon) {
	int fd;
};

FIXTURE_SETUP(fi_anon)
{
	int on = fi_start();

	if (!on)
		SKIP(return, FI_ABSENT);
	ASSERT_EQ(1, on);
	self->fd = vmlab_open();
	ASSERT_LE(0, self->fd);
}

FIXTURE_TEARDOWN(fi_anon)
{
	fi_stop();
	close(self->fd);
}

static __u64 pages_in_use(int fd)
{
	struct vmlab_info info;

	return vmlab_info(fd, &info) ? (__u64)-1 : info.pages_in_use;
}

static int nr_regions(int fd)
{
	__u32 nr = 0;

	return vmlab_region_list(fd, NULL, 0, &nr) < 0 ? -1 : (int)nr;
}

/*
 * REGION_CREATE with each of its allocations failing in turn: ENOMEM, no
 * new region, no page accounted; then it succeeds once past the last site.
 */
TEST_F(fi, region_create_fails_cleanly_at_every_site)
{
	int regions = nr_regions(self->fd), nth, sites = 0;
	__u64 pages = pages_in_use(self->fd);
	struct vmlab_region_create rc;
	int ret, err, used;

	ASSERT_LE(0, regions);
	for (nth = 1; nth <= MAX_SITES; nth++) {
		rc = fi_create(variant->kind, 16 * PAGE, self->pci_addr, variant->cache);
		ASSERT_EQ(0, arm(nth));
		ret = ioctl(self->fd, VMLAB_IOC_REGION_CREATE, &rc);
		err = errno;
		used = disarm();
		if (!used) {
			/* past the last allocation: the create went through */
			ASSERT_EQ(0, ret);
			EXPECT_EQ(0, vmlab_region_destroy(self->fd, rc.id));
			break;
		}
		sites++;
		if (ret == 0) {
			/* an allocation that may fail (a retry, a fallback) */
			EXPECT_EQ(0, vmlab_region_destroy(self->fd, rc.id));
		} else {
			EXPECT_EQ(ENOMEM, err) TH_LOG("site %d", nth);
		}
		EXPECT_EQ(regions, nr_regions(self->fd)) TH_LOG("site %d", nth);
		EXPECT_EQ(pages, pages_in_use(self->fd)) TH_LOG("site %d", nth);
	}
	EXPECT_LT(nth, MAX_SITES);
	EXPECT_LT(0, sites);
	TH_LOG("%d allocation sites failed in turn", sites);
}

/* The read-side ioctls with each allocation failing: ENOMEM or success. */
TEST_F(fi, queries_fail_cleanly_at_every_site)
{
	struct vmlab_region_create rc;
	struct vmlab_region_info ri;
	__u32 ids[8];
	int nth, ret, used;

	rc = fi_create(variant->kind, 4 * PAGE, self->pci_addr, variant->cache);
	ASSERT_EQ(0, vmlab_region_create(self->fd, &rc));
	for (nth = 1; nth <= MAX_SITES; nth++) {
		ASSERT_EQ(0, arm(nth));
		ret = vmlab_region_info(self->fd, rc.id, &ri);
		ret |= vmlab_region_list(self->fd, ids, 8, NULL) < 0;
		used = disarm();
		if (!used)
			break;
		if (ret)
			EXPECT_EQ(ENOMEM, errno);
	}
	EXPECT_LT(nth, MAX_SITES);
	EXPECT_EQ(0, vmlab_region_destroy(self->fd, rc.id));
}

/*
 * A page fault whose allocation fails: the fault handler answers
 * VM_FAULT_OOM, the kernel retries the fault, the task goes on and the
 * counters count the one page that was added.
 */
TEST_F(fi_anon, fault_allocation_failure_is_survived)
{
	struct vmlab_region_counters c;
	struct vmlab_region_create rc;
	volatile char *p;
	int used;

	ASSERT_EQ(0, vmlab_region_new(self->fd, VMLAB_REGION_ANON, 4 * PAGE, 0, &rc));
	p = vmlab_region_map(self->fd, rc.offset, 4 * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED);
	ASSERT_NE(MAP_FAILED, p);
	p[0] = 1;	/* the page tables exist: the next fault allocates only the page */
	ASSERT_EQ(0, arm(1));
	p[PAGE] = 2;
	used = disarm();
	EXPECT_EQ(2, p[PAGE]);
	EXPECT_TRUE(used);
	ASSERT_EQ(0, vmlab_region_counters(self->fd, rc.id, &c));
	EXPECT_EQ(2, c.pages_allocated);
	EXPECT_EQ(2, c.pages_resident);
	munmap((void *)p, 4 * PAGE);
	EXPECT_EQ(0, vmlab_region_destroy(self->fd, rc.id));
}

TEST_HARNESS_MAIN
