// SPDX-License-Identifier: GPL-2.0
/*
 * pfnmap.c - a private PFN map (issue 13, item 8): /dev/mem mapped
 * MAP_PRIVATE, whose entries remap_pfn_range() made, has no struct page
 * behind them; a write copies the memory into an anonymous page, which the
 * kernel's vm_normal_page() finds like any other. The walk reports the
 * copy with its page state and verdict, and the untouched entries
 * pageless, with the verdict that a write copies them.
 *
 * /dev/mem lets a process map only what is neither RAM nor claimed by a
 * driver (STRICT_DEVMEM, IO_STRICT_DEVMEM), except the first megabyte: its
 * BIOS area is what this maps, read and copied, never written.
 *
 * pagemap cannot check these walks: its walk skips a VM_PFNMAP VMA, which it
 * reports as a hole (walk_page_test()). The frames are the walk's own.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "libvmlab.h"
#include "vmlab_test.h"

/* the BIOS area below 1 MiB: not RAM, and /dev/mem maps it */
#define BIOS_PHYS	0xf0000UL
#define NR_PAGES	4

FIXTURE(pfnmap) {
	int fd;		/* /dev/vmlab */
	int mem;	/* /dev/mem */
	char *p;	/* NR_PAGES of it, MAP_PRIVATE */
};

FIXTURE_SETUP(pfnmap)
{
	self->p = MAP_FAILED;
	self->fd = vmlab_open();
	ASSERT_LE(0, self->fd);
	self->mem = open("/dev/mem", O_RDWR | O_CLOEXEC);
	if (self->mem < 0 && errno == ENOENT)
		SKIP(return, "no /dev/mem: this kernel has CONFIG_DEVMEM off");
	ASSERT_LE(0, self->mem) TH_LOG("open /dev/mem: %s", strerror(errno));
	self->p = mmap(NULL, NR_PAGES * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE, self->mem,
		       BIOS_PHYS);
	ASSERT_NE(MAP_FAILED, self->p) TH_LOG("mmap /dev/mem MAP_PRIVATE: %s", strerror(errno));
}

FIXTURE_TEARDOWN(pfnmap)
{
	if (self->p != MAP_FAILED)
		munmap(self->p, NR_PAGES * PAGE);
	if (self->mem >= 0)
		close(self->mem);
	close(self->fd);
}

/* page @i of the map: remap_pfn_range()'s entry, not written yet */
static void expect_untouched(struct __test_metadata *_metadata, int fd, char *p, int i)
{
	struct vmlab_walk w;

	ASSERT_EQ(0, vmlab_walk(fd, 0, (uintptr_t)p + i * PAGE, &w));
	EXPECT_EQ(VMLAB_BACKING_PFNMAP, w.backing);
	EXPECT_TRUE(w.vma_flags & VMLAB_VMA_PFNMAP);
	EXPECT_EQ(VMLAB_LEVEL_PTE, w.leaf_level);
	EXPECT_TRUE(w.leaf_flags & VMLAB_PTE_PRESENT);
	EXPECT_FALSE(w.leaf_flags & VMLAB_PTE_WRITE);
	EXPECT_EQ(BIOS_PHYS / PAGE + i, w.pfn);
	EXPECT_EQ(0, w.page_flags);
	EXPECT_EQ(0, w.refcount);
	/* a write copies it: the private mapping's COW, as for a file page */
	EXPECT_EQ(VMLAB_COW_PRIVATE_FILE, w.verdict);
}

/* Before any write: every entry is the BIOS area's own, without a page. */
TEST_F(pfnmap, untouched_entries_pageless)
{
	int i;

	for (i = 0; i < NR_PAGES; i++)
		expect_untouched(_metadata, self->fd, self->p, i);
}

/*
 * A write copies one page: the copy is an anonymous page of ours, writable,
 * shown with its state; the entries around it stay pageless.
 */
TEST_F(pfnmap, cow_copy_has_page)
{
	struct vmlab_walk_record recs[NR_PAGES];
	char *p = self->p + PAGE;
	struct vmlab_walk w;
	char before = p[0];
	uint64_t walk_end;
	long nr;

	p[0] = before + 1;
	ASSERT_EQ(0, vmlab_walk(self->fd, 0, (uintptr_t)p, &w));
	EXPECT_EQ(VMLAB_BACKING_PFNMAP, w.backing);
	EXPECT_EQ(VMLAB_LEVEL_PTE, w.leaf_level);
	EXPECT_NE(BIOS_PHYS / PAGE + 1, w.pfn);
	EXPECT_TRUE(w.leaf_flags & VMLAB_PTE_WRITE);
	EXPECT_TRUE(w.page_flags & VMLAB_PAGE_PRESENT);
	EXPECT_TRUE(w.page_flags & VMLAB_PAGE_ANON);
	EXPECT_TRUE(w.page_flags & VMLAB_PAGE_ANON_EXCLUSIVE);
	EXPECT_EQ(1, w.mapcount);
	EXPECT_LE(1, w.refcount);
	EXPECT_EQ(0, w.order);
	EXPECT_EQ(VMLAB_COW_WRITABLE, w.verdict);

	expect_untouched(_metadata, self->fd, self->p, 0);
	expect_untouched(_metadata, self->fd, self->p, 2);

	/* a range walk agrees: one page among pageless entries */
	nr = vmlab_walk_range_all(self->fd, 0, (uintptr_t)self->p,
				  (uintptr_t)self->p + NR_PAGES * PAGE, recs, NR_PAGES, &walk_end);
	ASSERT_EQ(NR_PAGES, nr);
	EXPECT_EQ(0, recs[0].page_flags);
	EXPECT_EQ(VMLAB_PAGE_PRESENT | VMLAB_PAGE_ANON | VMLAB_PAGE_ANON_EXCLUSIVE,
		  recs[1].page_flags);
	EXPECT_EQ(VMLAB_COW_WRITABLE, recs[1].verdict);
	EXPECT_EQ(0, recs[2].page_flags);
	EXPECT_EQ(VMLAB_COW_PRIVATE_FILE, recs[2].verdict);
}

/* the frame mapped at @p, from a walk; 0 if none */
static uint64_t frame_of(int fd, char *p)
{
	struct vmlab_walk w;

	if (vmlab_walk(fd, 0, (uintptr_t)p, &w) || !(w.leaf_flags & VMLAB_PTE_PRESENT))
		return 0;
	return w.pfn;
}

/*
 * fork() copies a PFN map's entries, and the anonymous copy becomes
 * COW-shared: the verdict says a write copies it, and the write does.
 */
TEST_F(pfnmap, cow_copy_shared_after_fork)
{
	char *p = self->p + 2 * PAGE;
	struct vmlab_walk w;
	uint64_t frame;
	int release;
	pid_t pid;

	p[0] ^= 1;
	frame = frame_of(self->fd, p);
	ASSERT_NE(0, frame);
	ASSERT_NE(BIOS_PHYS / PAGE + 2, frame);
	pid = fork_parked(NULL, &release);
	ASSERT_LE(0, pid);
	ASSERT_EQ(0, vmlab_walk(self->fd, 0, (uintptr_t)p, &w));
	EXPECT_EQ(frame, w.pfn);
	EXPECT_TRUE(w.page_flags & VMLAB_PAGE_ANON);
	EXPECT_FALSE(w.page_flags & VMLAB_PAGE_ANON_EXCLUSIVE);
	EXPECT_FALSE(w.leaf_flags & VMLAB_PTE_WRITE);
	EXPECT_EQ(2, w.mapcount);
	EXPECT_EQ(VMLAB_COW_SHARED, w.verdict);
	p[0] ^= 1;
	ASSERT_EQ(0, vmlab_walk(self->fd, 0, (uintptr_t)p, &w));
	EXPECT_NE(frame, w.pfn);
	EXPECT_TRUE(w.page_flags & VMLAB_PAGE_ANON_EXCLUSIVE);
	EXPECT_EQ(VMLAB_COW_WRITABLE, w.verdict);
	close(release);
	ASSERT_EQ(pid, waitpid(pid, NULL, 0));
	expect_untouched(_metadata, self->fd, self->p, 3);
}

TEST_HARNESS_MAIN
