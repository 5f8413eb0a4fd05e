// SPDX-License-Identifier: GPL-2.0
/*
 * security.c - what an unprivileged user (uid and gid 65534, no
 * capabilities) can do with vmlab: nothing with the default 0600 node; with
 * the node widened to a group (devmode=0660, the group set as udev would)
 * it may open it and use it on its own memory, but sees no PFN, cannot walk
 * another process, stays within the region caps, and cannot make or map a
 * PCI region. What a file allows follows its opener, as for pagemap and a
 * BAR's sysfs resource file: a file root opened keeps root's view in a
 * child that dropped its privileges, a file nobody opened never has it.
 *
 * Runs as root in the vmlab VM; needs VMLAB_KO to reload the module.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "libvmlab.h"
#include "vmlab_test.h"

/* each check of a child's: its own exit code, so a failure says which */
static int open_refused(void)
{
	int fd = open(VMLAB_DEVICE, O_RDWR);

	if (fd >= 0)
		return 1;
	return errno == EACCES ? 0 : 2;
}

static int own_memory_without_pfns(void)
{
	struct vmlab_walk_record rec[4];
	struct vmlab_walk w;
	struct vmlab_info info;
	uint64_t end;
	char *p;
	int fd = vmlab_open();

	if (fd < 0)
		return 1;
	if (vmlab_info(fd, &info))
		return 2;
	p = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return 3;
	p[0] = 1;
	if (vmlab_walk(fd, 0, (uintptr_t)p, &w))
		return 4;
	if (!(w.walk_flags & VMLAB_WALK_PFN_HIDDEN) || w.pfn)
		return 5;
	if (!(w.leaf_flags & VMLAB_PTE_PRESENT) || w.verdict != VMLAB_COW_WRITABLE)
		return 6;
	if (vmlab_walk_range_all(fd, 0, (uintptr_t)p, (uintptr_t)p + PAGE, rec, 4, &end) != 1)
		return 7;
	if (rec[0].pfn)
		return 8;
	return 0;
}

static int other_process_refused(void)
{
	struct vmlab_walk w;
	int fd = vmlab_open();

	if (fd < 0)
		return 1;
	/* pid 1, the VM's init, is root's */
	if (!vmlab_walk(fd, 1, 0x400000, &w) || errno != EPERM)
		return 2;
	return 0;
}

static int regions_within_caps(void)
{
	struct vmlab_region_create rc;
	int fd = vmlab_open();

	if (fd < 0)
		return 1;
	if (vmlab_region_new(fd, VMLAB_REGION_ANON, 4 * PAGE, 0, &rc))
		return 2;
	if (vmlab_region_destroy(fd, rc.id))
		return 3;
	/* max_region_mb is 64 by default */
	if (!vmlab_region_new(fd, VMLAB_REGION_ANON, 65ULL << 20, 0, &rc) || errno != E2BIG)
		return 4;
	return 0;
}

/* 50: no PCI device is bound to vmlab, nothing to refuse */
#define NO_PCI_DEVICE	50

/* opened by root before a child drops its privileges, which inherits it */
static int root_fd = -1;
/* a region root made, for the children to look at */
static __u32 root_region;

/*
 * Neither makes a PCI region nor reaches one root made: the ids are listed
 * (REGION_LIST is everyone's), but mmap is EPERM, read or write too, and
 * REGION_INFO shows no physical address.
 */
static int pci_region_refused(void)
{
	struct vmlab_region_create rc;
	struct vmlab_region_info ri;
	__u32 addr, ids[64];
	int fd = vmlab_open(), n, i, found = 0;
	void *p;
	char c;

	if (fd < 0)
		return 1;
	if (vmlab_pci_devices(&addr, 1) != 1)
		return NO_PCI_DEVICE;
	if (!vmlab_region_pci(fd, addr, 2, 0, 0, VMLAB_REGION_READONLY, 0, &rc) ||
	    errno != EPERM)
		return 2;
	n = vmlab_region_list(fd, ids, 64, NULL);
	if (n < 0)
		return 3;
	for (i = 0; i < n; i++) {
		if (vmlab_region_info(fd, ids[i], &ri) || ri.kind != VMLAB_REGION_PCI)
			continue;
		found++;
		if (ri.phys_addr)
			return 4;
		p = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, ri.offset);
		if (p != MAP_FAILED || errno != EPERM)
			return 5;
		p = mmap(NULL, PAGE, PROT_READ, MAP_SHARED, fd, ri.offset);
		if (p != MAP_FAILED || errno != EPERM)
			return 6;
		if (pread(fd, &c, 1, ri.offset) != -1 || errno != EINVAL)
			return 7;
		if (pwrite(fd, &c, 1, ri.offset) != -1 || errno != EINVAL)
			return 8;
	}
	return found ? 0 : 9;
}

/* The file root opened, inherited: its mappings are root's to make. */
static int pci_region_opener_rule(void)
{
	struct vmlab_region_info ri;
	volatile char *p;

	if (vmlab_region_info(root_fd, root_region, &ri))
		return 1;
	p = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, root_fd, ri.offset);
	if (p == MAP_FAILED)
		return 2;
	(void)p[0];
	munmap((void *)p, PAGE);
	return 0;
}

/* REGION_INFO's phys_addr follows the opener, not the caller. */
static int phys_addr_follows_opener(void)
{
	struct vmlab_region_info ri;
	int fd = vmlab_open();

	if (fd < 0)
		return 1;
	if (vmlab_region_info(root_fd, root_region, &ri))
		return 2;
	if (!ri.phys_addr)
		return 3;	/* root's file, inherited: shown */
	if (vmlab_region_info(fd, root_region, &ri))
		return 4;
	if (ri.phys_addr)
		return 5;	/* nobody's own file: hidden */
	return 0;
}

FIXTURE(sec) {
	const char *ko;
};

FIXTURE_SETUP(sec)
{
	self->ko = getenv("VMLAB_KO");
	if (!self->ko)
		SKIP(return, "VMLAB_KO (path of vmlab.ko) is not set: not in the vmlab VM");
	ASSERT_EQ(0, access(VMLAB_DEVICE, F_OK)) TH_LOG("vmlab is not loaded");
}

FIXTURE_TEARDOWN(sec)
{
	struct stat st;

	if (!self->ko)
		return;
	/* back to the default node, as the other tests expect */
	if (stat(VMLAB_DEVICE, &st) || (st.st_mode & 07777) != 0600) {
		unload_module();
		load_module(self->ko, "");
	}
}

/* With the default 0600 node, nobody cannot open /dev/vmlab (EACCES). */
TEST_F(sec, default_node_refuses_nobody)
{
	EXPECT_EQ(0, as_nobody(open_refused));
}

/* Widened to a group, the group may open it, and sees no PFN of its own memory. */
TEST_F(sec, group_member_walks_own_memory_without_pfns)
{
	ASSERT_EQ(0, unload_module());
	ASSERT_EQ(0, load_module(self->ko, "devmode=0660"));
	ASSERT_EQ(0, chown(VMLAB_DEVICE, 0, NOBODY));	/* what udev would do */
	EXPECT_EQ(0, as_nobody(own_memory_without_pfns));
}

/* A group member without CAP_SYS_PTRACE cannot walk another process (EPERM). */
TEST_F(sec, group_member_cannot_walk_others)
{
	ASSERT_EQ(0, unload_module());
	ASSERT_EQ(0, load_module(self->ko, "devmode=0660"));
	ASSERT_EQ(0, chown(VMLAB_DEVICE, 0, NOBODY));
	EXPECT_EQ(0, as_nobody(other_process_refused));
}

/* A group member makes regions within max_region_mb, and gets E2BIG past it. */
TEST_F(sec, group_member_stays_within_caps)
{
	ASSERT_EQ(0, unload_module());
	ASSERT_EQ(0, load_module(self->ko, "devmode=0660"));
	ASSERT_EQ(0, chown(VMLAB_DEVICE, 0, NOBODY));
	EXPECT_EQ(0, as_nobody(regions_within_caps));
}

/*
 * A group member without CAP_SYS_RAWIO can neither make a PCI region nor
 * map, read or write one root made (EPERM, EINVAL); a file root opened
 * keeps root's right after the privileges are dropped.
 */
TEST_F(sec, group_member_cannot_map_pci_bar)
{
	struct vmlab_region_create rc;
	__u32 addr;

	ASSERT_EQ(0, unload_module());
	ASSERT_EQ(0, load_module(self->ko, "devmode=0660"));
	ASSERT_EQ(0, chown(VMLAB_DEVICE, 0, NOBODY));
	if (vmlab_pci_devices(&addr, 1) != 1)
		SKIP(return, "no ivshmem device is bound to vmlab (the VM runs without one)");
	root_fd = vmlab_open();
	ASSERT_LE(0, root_fd);
	ASSERT_EQ(0, vmlab_region_pci(root_fd, addr, 2, 0, 0, 0, 0, &rc));
	root_region = rc.id;
	EXPECT_EQ(0, as_nobody(pci_region_refused));
	EXPECT_EQ(0, as_nobody(pci_region_opener_rule));
	EXPECT_EQ(0, vmlab_region_destroy(root_fd, rc.id));
	close(root_fd);
}

/*
 * REGION_INFO shows a DEVICE region's physical address through a file
 * root opened, also to a child that dropped its privileges, and never
 * through a file nobody opened.
 */
TEST_F(sec, phys_addr_follows_the_opener)
{
	struct vmlab_region_create rc;

	ASSERT_EQ(0, unload_module());
	ASSERT_EQ(0, load_module(self->ko, "devmode=0660"));
	ASSERT_EQ(0, chown(VMLAB_DEVICE, 0, NOBODY));
	root_fd = vmlab_open();
	ASSERT_LE(0, root_fd);
	ASSERT_EQ(0, vmlab_region_new(root_fd, VMLAB_REGION_DEVICE, PAGE, 0, &rc));
	root_region = rc.id;
	EXPECT_EQ(0, as_nobody(phys_addr_follows_opener));
	EXPECT_EQ(0, vmlab_region_destroy(root_fd, rc.id));
	close(root_fd);
}

TEST_HARNESS_MAIN
