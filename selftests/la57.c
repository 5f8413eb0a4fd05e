// SPDX-License-Identifier: GPL-2.0
/*
 * la57.c - selftests of 5-level paging (x86-64 LA57): that the VM runs
 * with the levels its entry asks for (VMLAB_EXPECT_LEVELS, set by
 * run-vm.sh: 5 for a la57 entry, else 4), that INFO agrees with the CPU
 * flag the kernel keeps, and walks that really use the fifth level:
 * mappings above 2^47 (the kernel gives them only to an mmap hint above
 * it) reached through a present P4D table of their own, a range walk
 * across the 128 TiB boundary, and pagemap agreeing with the walk up there.
 *
 * Runs as root in the vmlab VM. On 4-level paging the fifth-level tests
 * SKIP: there is no such level to walk; on 32-bit x86 (2 or 3 levels) too,
 * and a 32-bit process reaches no address above 4 GiB anyway.
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "libvmlab.h"
#include "vmlab_test.h"

/* the end of 4-level user space: 128 TiB */
#define VA_4LEVEL	(1ULL << 47)
/* the x86 entry's present bit and physical-address bits (51-12) */
#define X86_PRESENT	1ULL
#define X86_ADDR_MASK	0x000ffffffffff000ULL
#define ALL_LEVELS	((1u << VMLAB_NR_LEVELS) - 1)

FIXTURE(la57) {
	int fd;
	struct vmlab_info info;
};

FIXTURE_SETUP(la57)
{
	self->fd = vmlab_open();
	ASSERT_LE(0, self->fd) TH_LOG("open %s: %s", VMLAB_DEVICE, strerror(errno));
	ASSERT_EQ(0, vmlab_info(self->fd, &self->info));
}

FIXTURE_TEARDOWN(la57)
{
	close(self->fd);
}

/*
 * Why a fifth-level test SKIPs: 4-level paging (or 32-bit x86's 2 or 3),
 * or a 32-bit process, which maps nothing above 4 GiB (with the level
 * count and the process's width)
 */
#define NO_FIFTH_LEVEL	"%u-level paging, a %u-bit process: no fifth level to walk"

/* 5-level paging is on and this process can reach 2^47 */
static int fifth_level_usable(const struct vmlab_info *info)
{
	return info->pgtable_levels == 5 && sizeof(void *) == 8;
}

/* whether /proc/cpuinfo's flags hold @flag; -1 when it cannot be read */
static int cpuinfo_has_flag(const char *flag)
{
	char line[4096], word[64];
	FILE *f = fopen("/proc/cpuinfo", "re");
	int found = -1;

	if (!f)
		return -1;
	snprintf(word, sizeof(word), " %s ", flag);
	while (fgets(line, sizeof(line), f)) {
		if (strncmp(line, "flags", 5))
			continue;
		line[strcspn(line, "\n")] = ' ';
		found = !!strstr(line, word);
		break;
	}
	fclose(f);
	return found;
}

/*
 * A la57 entry of the matrix boots with 5 levels, the others with 4: the
 * runner says how many it expects (VMLAB_EXPECT_LEVELS) and INFO must
 * report that many. Outside the runner no number is expected.
 */
TEST_F(la57, levels_as_the_runner_expects)
{
	const char *want = getenv("VMLAB_EXPECT_LEVELS");

	if (!want || !*want)
		SKIP(return, "VMLAB_EXPECT_LEVELS not set: not started by run-vm.sh");
	ASSERT_EQ(strtoul(want, NULL, 10), self->info.pgtable_levels)
		TH_LOG("booted with %u levels, the runner expects %s",
		       self->info.pgtable_levels, want);
}

/*
 * INFO's levels agree with the kernel's own view: x86-64 keeps the "la57"
 * CPU flag only when it turned 5-level paging on; a 32-bit kernel has 3
 * levels with PAE (the "pae" flag; always there under QEMU), else 2.
 */
TEST_F(la57, levels_match_cpuinfo)
{
	int la57 = cpuinfo_has_flag("la57");
	int lm = cpuinfo_has_flag("lm");

#ifdef __aarch64__
	SKIP(return, "arm64: /proc/cpuinfo has no flag for the levels (none for LPA2)");
#endif
	ASSERT_NE(-1, la57) TH_LOG("no flags line in /proc/cpuinfo");
	if (self->info.pgtable_levels <= 3) {
		/* a 32-bit kernel: 4 and 5 levels exist only in long mode */
		EXPECT_FALSE(la57);
		EXPECT_TRUE(self->info.pgtable_levels == 2 || cpuinfo_has_flag("pae") == 1);
		return;
	}
	EXPECT_TRUE(lm);
	EXPECT_EQ(la57 ? 5u : 4u, self->info.pgtable_levels);
}

/* map @pages pages at hint @hint (no MAP_FIXED), written; MAP_FAILED on failure */
static char *map_high(uint64_t hint, unsigned int pages)
{
	char *p = mmap((void *)(uintptr_t)hint, pages * PAGE, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	unsigned int i;

	if (p != MAP_FAILED)
		for (i = 0; i < pages; i++)
			p[i * PAGE] = i + 1;
	return p;
}

/*
 * Above 2^47: the hinted mapping lies in a PGD entry other than 0 (all of
 * 4-level user space is in entry 0), every level is present, and the P4D
 * entry is one of its own (not the PGD entry seen twice, as when folded).
 */
TEST_F(la57, high_mapping_walks_through_p4d)
{
	const uint64_t hints[] = { 1ULL << 48, 1ULL << 52, 1ULL << 55 };
	unsigned int i;

	if (!fifth_level_usable(&self->info))
		SKIP(return, NO_FIFTH_LEVEL, self->info.pgtable_levels,
		     (unsigned int)sizeof(void *) * 8);
	for (i = 0; i < ARRAY_SIZE(hints); i++) {
		char *p = map_high(hints[i], 4);
		uint64_t a = (uintptr_t)p + PAGE + 0x123;
		struct vmlab_walk w;

		ASSERT_NE(MAP_FAILED, p) TH_LOG("hint %#llx", (unsigned long long)hints[i]);
		ASSERT_LE(VA_4LEVEL, (uintptr_t)p)
			TH_LOG("hint %#llx gave %p", (unsigned long long)hints[i], p);
		ASSERT_EQ(0, vmlab_walk(self->fd, 0, a, &w));
		EXPECT_EQ(ALL_LEVELS, w.valid_levels);
		EXPECT_EQ(ALL_LEVELS, w.present_levels);
		EXPECT_EQ(VMLAB_LEVEL_PTE, w.leaf_level);
		EXPECT_EQ((a >> 48) & 511, w.index[VMLAB_LEVEL_PGD]);
		EXPECT_NE(0, w.index[VMLAB_LEVEL_PGD]);
		EXPECT_EQ((a >> 39) & 511, w.index[VMLAB_LEVEL_P4D]);
		EXPECT_EQ((a >> 30) & 511, w.index[VMLAB_LEVEL_PUD]);
		EXPECT_TRUE(w.entries[VMLAB_LEVEL_P4D] & X86_PRESENT);
		if (!(w.walk_flags & VMLAB_WALK_PFN_HIDDEN))
			EXPECT_NE(w.entries[VMLAB_LEVEL_PGD] & X86_ADDR_MASK,
				  w.entries[VMLAB_LEVEL_P4D] & X86_ADDR_MASK);
		EXPECT_TRUE(w.leaf_flags & VMLAB_PTE_WRITE);
		EXPECT_EQ(VMLAB_BACKING_ANON, w.backing);
		EXPECT_EQ((uintptr_t)p, w.vma_start);
		EXPECT_MATCHES_PAGEMAP(w);
		munmap(p, 4 * PAGE);
	}
}

/* Below 2^47 with 5 levels: PGD entry 0, its P4D table present. */
TEST_F(la57, low_mapping_is_in_pgd_entry_0)
{
	struct vmlab_walk w;
	char *p;

	if (!fifth_level_usable(&self->info))
		SKIP(return, NO_FIFTH_LEVEL, self->info.pgtable_levels,
		     (unsigned int)sizeof(void *) * 8);
	p = map_high(0, 1);
	ASSERT_NE(MAP_FAILED, p);
	ASSERT_GT(VA_4LEVEL, (uintptr_t)p);
	ASSERT_EQ(0, vmlab_walk(self->fd, 0, (uintptr_t)p, &w));
	EXPECT_EQ(0, w.index[VMLAB_LEVEL_PGD]);
	EXPECT_EQ(ALL_LEVELS, w.present_levels);
	EXPECT_MATCHES_PAGEMAP(w);
	munmap(p, PAGE);
}

/*
 * One mapping across 128 TiB: a range walk returns every page in order,
 * through P4D entries 255 and 256 of PGD entry 0, and pagemap agrees on
 * each PFN.
 */
TEST_F(la57, range_walk_across_128tib)
{
	const unsigned int n = 8;
	const uint64_t start = VA_4LEVEL - n / 2 * PAGE, end = start + n * PAGE;
	struct vmlab_walk_record recs[8 + 1];
	struct vmlab_walk below, above;
	uint64_t walk_end;
	unsigned int i;
	char *p;

	if (!fifth_level_usable(&self->info))
		SKIP(return, NO_FIFTH_LEVEL, self->info.pgtable_levels,
		     (unsigned int)sizeof(void *) * 8);
	p = mmap((void *)(uintptr_t)start, n * PAGE, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
	ASSERT_EQ((void *)(uintptr_t)start, p)
		TH_LOG("mmap at %#llx: %s", (unsigned long long)start, strerror(errno));
	for (i = 0; i < n; i++)
		p[i * PAGE] = i + 1;
	ASSERT_EQ(n, vmlab_walk_range_all(self->fd, 0, start, end, recs, ARRAY_SIZE(recs),
					  &walk_end));
	EXPECT_EQ(end, walk_end);
	for (i = 0; i < n; i++) {
		uint64_t pfn = pfn_of(p + i * PAGE);

		EXPECT_EQ(start + i * PAGE, recs[i].addr);
		EXPECT_EQ(VMLAB_LEVEL_PTE, recs[i].level);
		EXPECT_TRUE(recs[i].leaf_flags & VMLAB_PTE_PRESENT);
		EXPECT_NE(0, pfn);
		EXPECT_EQ(pfn, recs[i].pfn) TH_LOG("page %u at %#llx", i,
						   (unsigned long long)recs[i].addr);
	}
	ASSERT_EQ(0, vmlab_walk(self->fd, 0, VA_4LEVEL - PAGE, &below));
	ASSERT_EQ(0, vmlab_walk(self->fd, 0, VA_4LEVEL, &above));
	EXPECT_EQ(0, below.index[VMLAB_LEVEL_PGD]);
	EXPECT_EQ(0, above.index[VMLAB_LEVEL_PGD]);
	EXPECT_EQ(255, below.index[VMLAB_LEVEL_P4D]);
	EXPECT_EQ(256, above.index[VMLAB_LEVEL_P4D]);
	EXPECT_EQ(ALL_LEVELS, below.present_levels);
	EXPECT_EQ(ALL_LEVELS, above.present_levels);
	/* the same P4D table, two different PUD tables */
	EXPECT_EQ(below.entries[VMLAB_LEVEL_PGD], above.entries[VMLAB_LEVEL_PGD]);
	EXPECT_NE(below.entries[VMLAB_LEVEL_P4D] & X86_ADDR_MASK,
		  above.entries[VMLAB_LEVEL_P4D] & X86_ADDR_MASK);
	EXPECT_MATCHES_PAGEMAP(below);
	EXPECT_MATCHES_PAGEMAP(above);
	munmap(p, n * PAGE);
}

/*
 * Up there pagemap and the walk agree page by page, PFN included (as
 * root), for written pages and for holes left untouched.
 */
TEST_F(la57, high_pagemap_agrees_with_walk)
{
	const unsigned int n = 16;
	struct vmlab_walk w;
	unsigned int i;
	char *p;

	if (!fifth_level_usable(&self->info))
		SKIP(return, NO_FIFTH_LEVEL, self->info.pgtable_levels,
		     (unsigned int)sizeof(void *) * 8);
	if (geteuid())
		SKIP(return, "not root: PFNs are hidden");
	p = mmap((void *)(uintptr_t)(1ULL << 50), n * PAGE, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, p);
	ASSERT_LE(VA_4LEVEL, (uintptr_t)p);
	for (i = 0; i < n; i += 2)
		p[i * PAGE] = i + 1;
	for (i = 0; i < n; i++) {
		uint64_t pm = pagemap_entry(0, p + i * PAGE);

		ASSERT_EQ(0, vmlab_walk(self->fd, 0, (uintptr_t)p + i * PAGE, &w));
		EXPECT_FALSE(w.walk_flags & VMLAB_WALK_PFN_HIDDEN);
		EXPECT_EQ(!(i % 2), !!(pm & PAGEMAP_PRESENT)) TH_LOG("page %u", i);
		EXPECT_EQ(!(i % 2), !!(w.leaf_flags & VMLAB_PTE_PRESENT)) TH_LOG("page %u", i);
		if (pm & PAGEMAP_PRESENT)
			EXPECT_EQ(pm & PAGEMAP_PFN_MASK, walk_addr_pfn(&w)) TH_LOG("page %u", i);
	}
	munmap(p, n * PAGE);
}

TEST_HARNESS_MAIN
