// SPDX-License-Identifier: GPL-2.0
/*
 * la57.c - selftests of the address space above the default mmap window:
 * x86-64's LA57 (57-bit VAs in 5 levels), arm64's LPA2 with 4 KiB pages
 * (52-bit VAs: a PGD of 16 entries above the 48-bit shape's four levels)
 * and with 16 KiB pages (52-bit VAs in 4 levels: a PGD of 32 entries, bits
 * 51-47, above the 47-bit shape's three; the P4D folded). That the VM runs
 * with the levels its entry asks for (VMLAB_EXPECT_LEVELS, set by
 * run-vm.sh: 5 for a la57 entry and 6.12-arm64, else 4), that INFO agrees
 * with the CPU flag the x86 kernel keeps or arm64's boot log, and walks up
 * there: mappings above the window (2^47 on x86-64 and arm64 with 16 KiB
 * pages, 2^48 on arm64 with 4 KiB: the kernel gives them only to an mmap
 * hint above it) reached through a top-level entry other than 0, a range
 * walk across the window's end, and pagemap agreeing with the walk up
 * there; with 5 levels also the P4D table of their own.
 *
 * Runs as root in the vmlab VM. On paging without addresses above the
 * window (x86-64 and arm64 with 4 levels and 4 KiB pages, 16 KiB pages
 * with 3) those tests SKIP: there is nothing up there to map; on 32-bit x86
 * (2 or 3 levels) too, and a 32-bit process reaches no address above 4 GiB
 * anyway. The P4D test also SKIPs on 4 levels: the level is folded.
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
 * Why a test of the high addresses SKIPs, into @buf: the shape's user space
 * ends at the default mmap window (4-level x86-64, 48-bit arm64, 47-bit
 * arm64 with 16 KiB pages, 32-bit x86's 2 or 3 levels), or a 32-bit
 * process, which maps nothing above 4 GiB
 */
static const char *no_high_va(const struct vmlab_info *info, char *buf, size_t len)
{
	snprintf(buf, len, "%u-level paging, a %u-bit process: no user space above %#llx",
		 info->pgtable_levels, (unsigned int)sizeof(void *) * 8,
		 (unsigned long long)shape_map_window());
	return buf;
}

/* Why the P4D test SKIPs: its level is folded (the levels, the process's width) */
#define NO_FIFTH_LEVEL	"%u-level paging, a %u-bit process: no fifth level (P4D) to walk"

/*
 * User space reaches above the default mmap window and this process can
 * map there: 5 levels (LA57, arm64's LPA2 with 4 KiB pages) or arm64's
 * LPA2 with 16 KiB pages (52 bits in 4 levels)
 */
static int high_va_usable(const struct vmlab_info *info)
{
	return sizeof(void *) == 8 && shape_user_end(info->pgtable_levels) > shape_map_window();
}

/* 5-level paging is on (the P4D a level of its own) and high addresses usable */
static int fifth_level_usable(const struct vmlab_info *info)
{
	return info->pgtable_levels == 5 && high_va_usable(info);
}

/*
 * The first level with tables below the top: the P4D with 5 levels, the PUD
 * on arm64 with 16 KiB pages and 4 (its P4D folded)
 */
static unsigned int below_top(unsigned int levels)
{
	unsigned int l = VMLAB_LEVEL_PGD + 1;

	while (l < VMLAB_LEVEL_PTE && !shape_level_of(levels, l).bits)
		l++;
	return l;
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

/* a table entry's physical address (what it points to) with @levels */
static uint64_t entry_pa(unsigned int levels, uint64_t e)
{
	return e & shape_pa_mask(levels);
}

/* every level's index in @w is the address's bits at that level with @levels */
static void expect_indices(struct __test_metadata *_metadata, unsigned int levels,
			   const struct vmlab_walk *w)
{
	unsigned int l;

	for (l = VMLAB_LEVEL_PGD; l <= VMLAB_LEVEL_PTE; l++)
		EXPECT_EQ(shape_index(levels, l, w->addr), w->index[l])
			TH_LOG("addr %#llx level %u", (unsigned long long)w->addr, l);
}

/*
 * The hints above the window: twice the window (2^48 on x86-64 and arm64
 * with 16 KiB pages, 2^49 with 4 KiB), and a quarter and half of the top
 * (2^54 and 2^55 on x86-64, 2^50 and 2^51 on arm64)
 */
static void high_hints(const struct vmlab_info *info, uint64_t hints[3])
{
	/* 2^56 (x86-64, whose last page is no user space) or 2^52 (arm64) */
	const uint64_t end = shape_user_end(info->pgtable_levels);
	const uint64_t top = 1ULL << (64 - __builtin_clzll(end - 1));

	hints[0] = shape_map_window() << 1;
	hints[1] = top >> 2;
	hints[2] = top >> 1;
}

/*
 * Above the window: the hinted mapping lies in a PGD entry other than 0
 * (all of user space below the window is in entry 0; the hints are at
 * least twice the window), its index the address's high bits (2^51: entry
 * 16 of 32 on arm64 with 16 KiB pages, 8 of 16 with 4 KiB, 128 of 512 at
 * 2^55 on x86-64), every level with tables is present, and the level below
 * the top (the P4D with 5 levels, the PUD on arm64 with 16 KiB pages) is a
 * table of its own, not the top-level entry seen twice.
 */
TEST_F(la57, high_mapping_walks_through_the_top_level)
{
	const unsigned int levels = self->info.pgtable_levels, next = below_top(levels);
	uint64_t hints[3];
	char why[128];
	unsigned int i;

	if (!high_va_usable(&self->info))
		SKIP(return, "%s", no_high_va(&self->info, why, sizeof(why)));
	high_hints(&self->info, hints);
	for (i = 0; i < ARRAY_SIZE(hints); i++) {
		char *p = map_high(hints[i], 4);
		uint64_t a = (uintptr_t)p + PAGE + 0x123;
		struct vmlab_walk w;

		ASSERT_NE(MAP_FAILED, p) TH_LOG("hint %#llx", (unsigned long long)hints[i]);
		ASSERT_LE(shape_map_window(), (uintptr_t)p)
			TH_LOG("hint %#llx gave %p", (unsigned long long)hints[i], p);
		ASSERT_EQ(0, vmlab_walk(self->fd, 0, a, &w));
		TH_LOG("hint %#llx: %p, PGD index %u", (unsigned long long)hints[i], p,
		       w.index[VMLAB_LEVEL_PGD]);
		EXPECT_EQ(shape_valid(levels), w.valid_levels);
		EXPECT_EQ(shape_valid(levels), w.present_levels);
		EXPECT_EQ(VMLAB_LEVEL_PTE, w.leaf_level);
		expect_indices(_metadata, levels, &w);
		EXPECT_NE(0, w.index[VMLAB_LEVEL_PGD]);
		EXPECT_TRUE(w.entries[VMLAB_LEVEL_PGD] & ENTRY_PRESENT);
		EXPECT_TRUE(w.entries[next] & ENTRY_PRESENT);
		if (!(w.walk_flags & VMLAB_WALK_PFN_HIDDEN))
			EXPECT_NE(entry_pa(levels, w.entries[VMLAB_LEVEL_PGD]),
				  entry_pa(levels, w.entries[next]));
		EXPECT_TRUE(w.leaf_flags & VMLAB_PTE_WRITE);
		EXPECT_EQ(VMLAB_BACKING_ANON, w.backing);
		EXPECT_EQ((uintptr_t)p, w.vma_start);
		EXPECT_MATCHES_PAGEMAP(w);
		munmap(p, 4 * PAGE);
	}
}

/*
 * What only a fifth level has: above the 4-level window the walk goes
 * through a P4D table of the mapping's own, a level with an index of its
 * own (bits 47-39 on both; the PGD's are 56-48 on x86-64, 51-48 on arm64),
 * valid and present, not the PGD entry seen twice as when folded. Arm64
 * with 16 KiB pages reaches 52 bits without it (its P4D is folded): SKIP
 * there.
 */
TEST_F(la57, high_mapping_walks_through_p4d)
{
	const unsigned int levels = self->info.pgtable_levels;
	uint64_t hints[3];
	unsigned int i;

	if (!fifth_level_usable(&self->info))
		SKIP(return, NO_FIFTH_LEVEL, levels, (unsigned int)sizeof(void *) * 8);
	high_hints(&self->info, hints);
	for (i = 0; i < ARRAY_SIZE(hints); i++) {
		char *p = map_high(hints[i], 1);
		struct vmlab_walk w;

		ASSERT_NE(MAP_FAILED, p) TH_LOG("hint %#llx", (unsigned long long)hints[i]);
		ASSERT_LE(shape_map_window(), (uintptr_t)p)
			TH_LOG("hint %#llx gave %p", (unsigned long long)hints[i], p);
		ASSERT_EQ(0, vmlab_walk(self->fd, 0, (uintptr_t)p, &w));
		EXPECT_EQ(ALL_LEVELS, w.valid_levels);
		EXPECT_EQ(ALL_LEVELS, w.present_levels);
		EXPECT_NE(0, shape_level_of(levels, VMLAB_LEVEL_P4D).bits);
		EXPECT_EQ(shape_index(levels, VMLAB_LEVEL_P4D, (uintptr_t)p),
			  w.index[VMLAB_LEVEL_P4D]);
		EXPECT_TRUE(w.entries[VMLAB_LEVEL_P4D] & ENTRY_PRESENT);
		if (!(w.walk_flags & VMLAB_WALK_PFN_HIDDEN))
			EXPECT_NE(entry_pa(levels, w.entries[VMLAB_LEVEL_PGD]),
				  entry_pa(levels, w.entries[VMLAB_LEVEL_P4D]));
		munmap(p, PAGE);
	}
}

/*
 * Below the window's end where user space reaches above it: PGD entry 0,
 * every level with tables present (the P4D with 5 levels).
 */
TEST_F(la57, low_mapping_is_in_pgd_entry_0)
{
	struct vmlab_walk w;
	char why[128];
	char *p;

	if (!high_va_usable(&self->info))
		SKIP(return, "%s", no_high_va(&self->info, why, sizeof(why)));
	p = map_high(0, 1);
	ASSERT_NE(MAP_FAILED, p);
	ASSERT_GT(shape_map_window(), (uintptr_t)p);
	ASSERT_EQ(0, vmlab_walk(self->fd, 0, (uintptr_t)p, &w));
	EXPECT_EQ(0, w.index[VMLAB_LEVEL_PGD]);
	EXPECT_EQ(shape_valid(self->info.pgtable_levels), w.present_levels);
	EXPECT_MATCHES_PAGEMAP(w);
	munmap(p, PAGE);
}

/*
 * One mapping across the window's end (128 TiB on x86-64 and on arm64 with
 * 16 KiB pages, 256 TiB on arm64 with 4 KiB): a range walk returns every
 * page in order and pagemap agrees on each PFN. The pages below and above
 * lie in different tables of the level after the one below the top: on
 * x86-64 through P4D entries 255 and 256 of one P4D table (PGD entry 0) to
 * two PUD tables; on arm64 with 4 KiB pages through P4D entries 511 and 0
 * of two P4D tables (PGD entries 0 and 1) to two PUD tables; with 16 KiB
 * pages through PUD entries 2047 and 0 of two PUD tables (PGD entries 0 and
 * 1) to two PMD tables.
 */
TEST_F(la57, range_walk_across_map_window)
{
	const unsigned int levels = self->info.pgtable_levels, next = below_top(levels);
	const unsigned int n = 8;
	const uint64_t start = shape_map_window() - n / 2 * PAGE, end = start + n * PAGE;
	struct vmlab_walk_record recs[8 + 1];
	struct vmlab_walk below, above;
	uint64_t walk_end;
	char why[128];
	unsigned int i;
	char *p;

	if (!high_va_usable(&self->info))
		SKIP(return, "%s", no_high_va(&self->info, why, sizeof(why)));
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
	expect_indices(_metadata, levels, &below);
	expect_indices(_metadata, levels, &above);
	TH_LOG("level %u: index %u below, %u above; PGD %u and %u", next, below.index[next],
	       above.index[next], below.index[VMLAB_LEVEL_PGD], above.index[VMLAB_LEVEL_PGD]);
	EXPECT_NE(below.index[next], above.index[next]);
	EXPECT_EQ(0, below.index[VMLAB_LEVEL_PGD]);
	EXPECT_EQ(shape_valid(levels), below.present_levels);
	EXPECT_EQ(shape_valid(levels), above.present_levels);
	if (below.index[VMLAB_LEVEL_PGD] == above.index[VMLAB_LEVEL_PGD]) {
		/* x86-64: the same P4D table */
		EXPECT_EQ(below.entries[VMLAB_LEVEL_PGD], above.entries[VMLAB_LEVEL_PGD]);
	} else {
		/* arm64: two tables below the top (P4D; PUD with 16 KiB pages) */
		EXPECT_NE(entry_pa(levels, below.entries[VMLAB_LEVEL_PGD]),
			  entry_pa(levels, above.entries[VMLAB_LEVEL_PGD]));
	}
	/* two different tables of the level after (PUD; PMD with 16 KiB pages) */
	EXPECT_NE(entry_pa(levels, below.entries[next]),
		  entry_pa(levels, above.entries[next]));
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
	char why[128];
	unsigned int i;
	char *p;

	if (!high_va_usable(&self->info))
		SKIP(return, "%s", no_high_va(&self->info, why, sizeof(why)));
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
