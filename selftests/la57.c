// SPDX-License-Identifier: GPL-2.0
/*
 * la57.c - selftests of a fifth paging level: x86-64's LA57 (57-bit VAs)
 * and arm64's LPA2 with 4 KiB pages (52-bit VAs: a PGD of 16 entries above
 * the 48-bit shape's four levels). That the VM runs with the levels its
 * entry asks for (VMLAB_EXPECT_LEVELS, set by run-vm.sh: 5 for a la57 entry
 * and 6.12-arm64, else 4), that INFO agrees with the CPU flag the x86 kernel
 * keeps, and walks that really use the fifth level: mappings above the
 * 4-level window (2^47 on x86-64, 2^48 on arm64: the kernel gives them only
 * to an mmap hint above it) reached through a present, non-folded top-level
 * entry and a P4D table of their own, a range walk across the window's end,
 * and pagemap agreeing with the walk up there.
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
#include <sys/klog.h>
#include <sys/mman.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "libvmlab.h"
#include "vmlab_test.h"

/* x86's present bit, arm64's valid bit: bit 0 of a table entry on both */
#define ENTRY_PRESENT	1ULL
#define ALL_LEVELS	((1u << VMLAB_NR_LEVELS) - 1)
/* syslog(2)'s actions (include/linux/syslog.h: no user-space header has them) */
#define SYSLOG_ACTION_READ_ALL		3
#define SYSLOG_ACTION_SIZE_BUFFER	10

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

/* 5-level paging is on and this process can reach above the 4-level window */
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

#ifdef __aarch64__
/*
 * Whether the kernel's log since boot holds @text: 1 or 0, or -1 when it
 * cannot tell (no access, or the boot's first line, @first, already
 * overwritten).
 */
static int boot_log_has(const char *first, const char *text)
{
	int size = klogctl(SYSLOG_ACTION_SIZE_BUFFER, NULL, 0), len, found = -1;
	char *buf;

	if (size <= 0)
		return -1;
	buf = malloc(size + 1);
	if (!buf)
		return -1;
	len = klogctl(SYSLOG_ACTION_READ_ALL, buf, size);
	if (len >= 0) {
		buf[len] = '\0';
		if (strstr(buf, text))
			found = 1;
		else if (strstr(buf, first))
			found = 0;
	}
	free(buf);
	return found;
}
#endif

/*
 * INFO's levels agree with the kernel's own view: x86-64 keeps the "la57"
 * CPU flag only when it turned 5-level paging on; a 32-bit kernel has 3
 * levels with PAE (the "pae" flag; always there under QEMU), else 2.
 * arm64 has no flag for it in /proc/cpuinfo: its boot log names the
 * capability when the kernel turned LPA2 on ("CPU features: detected:
 * 52-bit Virtual Addressing (LPA2)", without "(LPA2)" in later kernels), and
 * 52-bit VAs take the extra level.
 */
TEST_F(la57, levels_match_cpuinfo)
{
	int la57 = cpuinfo_has_flag("la57");
	int lm = cpuinfo_has_flag("lm");

#ifdef __aarch64__
	/* (not "52-bit Virtual Addressing for KVM (LPA2)", which is KVM's guests') */
	int lpa2 = boot_log_has("Booting Linux", "detected: 52-bit Virtual Addressing (LPA2)\n");

	if (lpa2 == 0)
		lpa2 = boot_log_has("Booting Linux", "detected: 52-bit Virtual Addressing\n");
	if (lpa2 == -1)
		SKIP(return, "arm64: the kernel log no longer holds the boot's CPU features");
	EXPECT_EQ(lpa2, shape_lpa2(self->info.pgtable_levels))
		TH_LOG("%u levels, LPA2 %s in the boot log", self->info.pgtable_levels,
		       lpa2 ? "named" : "not named");
	return;
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

/* a table entry's physical address (what it points to) on 5-level paging */
static uint64_t entry_pa(uint64_t e)
{
	return e & shape_pa_mask(5);
}

/* every level's index in @w is the address's bits at that level */
static void expect_indices(struct __test_metadata *_metadata, const struct vmlab_walk *w)
{
	unsigned int l;

	for (l = VMLAB_LEVEL_PGD; l <= VMLAB_LEVEL_PTE; l++)
		EXPECT_EQ(shape_index(5, l, w->addr), w->index[l])
			TH_LOG("addr %#llx level %u", (unsigned long long)w->addr, l);
}

/*
 * Above the 4-level window: the hinted mapping lies in a PGD entry other
 * than 0 (all of 4-level user space is in entry 0), every level is present,
 * and the P4D entry is one of its own (not the PGD entry seen twice, as when
 * folded). The hints: 2^48, and a quarter and half of the top (2^54 and
 * 2^55 on x86-64, 2^50 and 2^51 on arm64).
 */
TEST_F(la57, high_mapping_walks_through_p4d)
{
	/* 2^56 (x86-64, whose last page is no user space) or 2^52 (arm64) */
	const uint64_t top = 1ULL << (64 - __builtin_clzll(shape_user_end(5) - 1));
	const uint64_t hints[] = { shape_map_window() << 1, top >> 2, top >> 1 };
	unsigned int i;

	if (!fifth_level_usable(&self->info))
		SKIP(return, NO_FIFTH_LEVEL, self->info.pgtable_levels,
		     (unsigned int)sizeof(void *) * 8);
	for (i = 0; i < ARRAY_SIZE(hints); i++) {
		char *p = map_high(hints[i], 4);
		uint64_t a = (uintptr_t)p + PAGE + 0x123;
		struct vmlab_walk w;

		ASSERT_NE(MAP_FAILED, p) TH_LOG("hint %#llx", (unsigned long long)hints[i]);
		ASSERT_LE(shape_map_window(), (uintptr_t)p)
			TH_LOG("hint %#llx gave %p", (unsigned long long)hints[i], p);
		ASSERT_EQ(0, vmlab_walk(self->fd, 0, a, &w));
		EXPECT_EQ(ALL_LEVELS, w.valid_levels);
		EXPECT_EQ(ALL_LEVELS, w.present_levels);
		EXPECT_EQ(VMLAB_LEVEL_PTE, w.leaf_level);
		expect_indices(_metadata, &w);
		EXPECT_NE(0, w.index[VMLAB_LEVEL_PGD]);
		EXPECT_TRUE(w.entries[VMLAB_LEVEL_PGD] & ENTRY_PRESENT);
		EXPECT_TRUE(w.entries[VMLAB_LEVEL_P4D] & ENTRY_PRESENT);
		if (!(w.walk_flags & VMLAB_WALK_PFN_HIDDEN))
			EXPECT_NE(entry_pa(w.entries[VMLAB_LEVEL_PGD]),
				  entry_pa(w.entries[VMLAB_LEVEL_P4D]));
		EXPECT_TRUE(w.leaf_flags & VMLAB_PTE_WRITE);
		EXPECT_EQ(VMLAB_BACKING_ANON, w.backing);
		EXPECT_EQ((uintptr_t)p, w.vma_start);
		EXPECT_MATCHES_PAGEMAP(w);
		munmap(p, 4 * PAGE);
	}
}

/* Below the 4-level window's end with 5 levels: PGD entry 0, its P4D table present. */
TEST_F(la57, low_mapping_is_in_pgd_entry_0)
{
	struct vmlab_walk w;
	char *p;

	if (!fifth_level_usable(&self->info))
		SKIP(return, NO_FIFTH_LEVEL, self->info.pgtable_levels,
		     (unsigned int)sizeof(void *) * 8);
	p = map_high(0, 1);
	ASSERT_NE(MAP_FAILED, p);
	ASSERT_GT(shape_map_window(), (uintptr_t)p);
	ASSERT_EQ(0, vmlab_walk(self->fd, 0, (uintptr_t)p, &w));
	EXPECT_EQ(0, w.index[VMLAB_LEVEL_PGD]);
	EXPECT_EQ(ALL_LEVELS, w.present_levels);
	EXPECT_MATCHES_PAGEMAP(w);
	munmap(p, PAGE);
}

/*
 * One mapping across the 4-level window's end (128 TiB on x86-64, 256 TiB
 * on arm64): a range walk returns every page in order and pagemap agrees on
 * each PFN. The pages below and above lie in different PUD tables: on
 * x86-64 through P4D entries 255 and 256 of one P4D table (PGD entry 0), on
 * arm64 through P4D entries 511 and 0 of two P4D tables (PGD entries 0 and
 * 1).
 */
TEST_F(la57, range_walk_across_4level_end)
{
	const unsigned int n = 8;
	const uint64_t start = shape_map_window() - n / 2 * PAGE, end = start + n * PAGE;
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
	ASSERT_EQ(0, vmlab_walk(self->fd, 0, shape_map_window() - PAGE, &below));
	ASSERT_EQ(0, vmlab_walk(self->fd, 0, shape_map_window(), &above));
	expect_indices(_metadata, &below);
	expect_indices(_metadata, &above);
	EXPECT_NE(below.index[VMLAB_LEVEL_P4D], above.index[VMLAB_LEVEL_P4D]);
	EXPECT_EQ(0, below.index[VMLAB_LEVEL_PGD]);
	EXPECT_EQ(ALL_LEVELS, below.present_levels);
	EXPECT_EQ(ALL_LEVELS, above.present_levels);
	if (below.index[VMLAB_LEVEL_PGD] == above.index[VMLAB_LEVEL_PGD]) {
		/* x86-64: the same P4D table */
		EXPECT_EQ(below.entries[VMLAB_LEVEL_PGD], above.entries[VMLAB_LEVEL_PGD]);
	} else {
		/* arm64: two P4D tables */
		EXPECT_NE(entry_pa(below.entries[VMLAB_LEVEL_PGD]),
			  entry_pa(above.entries[VMLAB_LEVEL_PGD]));
	}
	/* two different PUD tables */
	EXPECT_NE(entry_pa(below.entries[VMLAB_LEVEL_P4D]),
		  entry_pa(above.entries[VMLAB_LEVEL_P4D]));
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
	ASSERT_LE(shape_map_window(), (uintptr_t)p);
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
