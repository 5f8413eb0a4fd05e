// SPDX-License-Identifier: GPL-2.0
/*
 * arm64.c - selftests of what the walk reads from arm64's descriptors
 * (module/arch/arm64.c): a written anonymous page's AP, AF, nG, UXN and
 * dirty state, its memory type through MAIR_EL1; a clean writable shared
 * page (read-only with DBM) that its first write makes dirty; and the
 * contiguous bit of a 64 KiB hugetlb page (16 PTEs with 4 KiB pages).
 *
 * Runs as root in the vmlab VM; on another architecture every test SKIPs
 * (x86's bits are walk.c's).
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "libvmlab.h"
#include "vmlab_test.h"
#include "walk_fixture.h"

/* descriptor bits (Arm ARM, VMSAv8-64 stage 1) and the kernel's software dirty */

#define MAP_HUGE_SHIFT_	26

#define NOT_ARM64	"not arm64: its descriptors are not this CPU's"

/*
 * A written private page: a valid page descriptor, user, accessed, not
 * global (nG: user pages are tagged with the ASID), never executable by
 * user space (UXN), writable and dirty; Normal write-back memory, which the
 * flags and the caching mode report alike.
 */
TEST_F(walk, arm64_written_anon_page)
{
	char *p = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	struct vmlab_walk w;
	uint64_t d;

	if (!is_arm64())
		SKIP(return, NOT_ARM64);
	ASSERT_NE(MAP_FAILED, p);
	p[0] = 1;
	ASSERT_EQ(0, vmlab_walk(self->fd, 0, (uintptr_t)p, &w));
	ASSERT_EQ(VMLAB_LEVEL_PTE, w.leaf_level);
	d = w.entries[VMLAB_LEVEL_PTE];
	EXPECT_EQ(D_VALID | D_PAGE, d & (D_VALID | D_PAGE))
		TH_LOG("entry %#llx", (unsigned long long)d);
	EXPECT_TRUE(d & D_USER);
	EXPECT_TRUE(d & D_AF);
	EXPECT_TRUE(d & D_NG);
	EXPECT_TRUE(d & D_UXN);
	EXPECT_TRUE(desc_dirty(d)) TH_LOG("entry %#llx", (unsigned long long)d);
	EXPECT_EQ(VMLAB_PTE_PRESENT | VMLAB_PTE_USER | VMLAB_PTE_ACCESSED | VMLAB_PTE_WRITE |
		  VMLAB_PTE_DIRTY | VMLAB_PTE_NOEXEC,
		  w.leaf_flags & (VMLAB_PTE_PRESENT | VMLAB_PTE_USER | VMLAB_PTE_ACCESSED |
				  VMLAB_PTE_WRITE | VMLAB_PTE_DIRTY | VMLAB_PTE_NOEXEC |
				  VMLAB_PTE_GLOBAL | VMLAB_PTE_CONT));
	EXPECT_EQ(VMLAB_CACHE_WB, w.cache_mode);
	/* libvmlab reads the same descriptor the same way */
	EXPECT_EQ(w.leaf_flags & (VMLAB_PTE_WRITE | VMLAB_PTE_DIRTY | VMLAB_PTE_NOEXEC),
		  vmlab_entry_flags(d, VMLAB_LEVEL_PTE) &
		  (VMLAB_PTE_WRITE | VMLAB_PTE_DIRTY | VMLAB_PTE_NOEXEC));
	munmap(p, PAGE);
}

/*
 * A shared writable page only read: writable but clean, which arm64 writes
 * as read-only (AP[2]) with DBM set; its first write clears AP[2] (the CPU
 * with FEAT_HAFDBS, or the fault handler), and the page is dirty.
 */
TEST_F(walk, arm64_clean_writable_is_readonly_with_dbm)
{
	int mfd = memfd_create("vmlab-dbm", 0);
	struct vmlab_walk w;
	volatile char *p;
	uint64_t d;

	if (!is_arm64())
		SKIP(return, NOT_ARM64);
	ASSERT_LE(0, mfd);
	ASSERT_EQ(0, ftruncate(mfd, PAGE));
	p = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, mfd, 0);
	ASSERT_NE(MAP_FAILED, p);
	(void)p[0];
	ASSERT_EQ(0, vmlab_walk(self->fd, 0, (uintptr_t)p, &w));
	ASSERT_EQ(VMLAB_LEVEL_PTE, w.leaf_level);
	d = w.entries[VMLAB_LEVEL_PTE];
	EXPECT_EQ(D_RDONLY | D_DBM, d & (D_RDONLY | D_DBM))
		TH_LOG("entry %#llx", (unsigned long long)d);
	EXPECT_FALSE(desc_dirty(d));
	EXPECT_TRUE(w.leaf_flags & VMLAB_PTE_WRITE);
	EXPECT_FALSE(w.leaf_flags & VMLAB_PTE_DIRTY);
	p[0] = 1;
	ASSERT_EQ(0, vmlab_walk(self->fd, 0, (uintptr_t)p, &w));
	d = w.entries[VMLAB_LEVEL_PTE];
	EXPECT_TRUE(desc_dirty(d)) TH_LOG("entry %#llx", (unsigned long long)d);
	EXPECT_TRUE(w.leaf_flags & VMLAB_PTE_DIRTY);
	munmap((void *)p, PAGE);
	close(mfd);
}

/* write @val to @path; -1 when it cannot be written */
static int write_number(const char *path, long val)
{
	FILE *f = fopen(path, "we");
	int ret;

	if (!f)
		return -1;
	ret = fprintf(f, "%ld\n", val) < 0 ? -1 : 0;
	if (fclose(f))
		ret = -1;
	return ret;
}

/*
 * A hugetlb page of contiguous PTEs: 16 with the contiguous bit (64 KiB of
 * 4 KiB pages), or 128 (2 MiB of 16 KiB pages), one TLB entry for all; each
 * walks to a PTE leaf with VMLAB_PTE_CONT.
 */
TEST_F(walk, arm64_hugetlb_cont_pte_is_contiguous)
{
	unsigned int i, nr = PAGE == 4096 ? 16 : 128;
	unsigned long size = nr * PAGE;
	struct vmlab_walk w;
	char path[96];
	uint64_t d;
	char *p;

	if (!is_arm64())
		SKIP(return, NOT_ARM64);
	snprintf(path, sizeof(path), "/sys/kernel/mm/hugepages/hugepages-%lukB/nr_hugepages",
		 size >> 10);
	if (access(path, W_OK))
		SKIP(return, "no %lu KiB hugetlb pages (contiguous PTEs) here", size >> 10);
	ASSERT_EQ(0, write_number(path, 1));
	p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_HUGETLB |
		 (unsigned int)__builtin_ctzl(size) << MAP_HUGE_SHIFT_, -1, 0);
	if (p == MAP_FAILED) {
		write_number(path, 0);
		SKIP(return, "no %lu KiB hugetlb page free", size >> 10);
	}
	p[0] = 1;
	for (i = 0; i < nr; i++) {
		ASSERT_EQ(0, vmlab_walk(self->fd, 0, (uintptr_t)p + i * PAGE, &w));
		EXPECT_EQ(VMLAB_LEVEL_PTE, w.leaf_level);
		d = w.entries[VMLAB_LEVEL_PTE];
		EXPECT_TRUE(d & D_CONT) TH_LOG("page %u: %#llx", i, (unsigned long long)d);
		EXPECT_TRUE(w.leaf_flags & VMLAB_PTE_CONT) TH_LOG("page %u", i);
	}
	munmap(p, size);
	EXPECT_EQ(0, write_number(path, 0));
}

TEST_HARNESS_MAIN
