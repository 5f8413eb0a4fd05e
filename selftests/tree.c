// SPDX-License-Identifier: GPL-2.0
/*
 * tree.c - selftests of "vmlab tree" and "vmlab maps --svg" (/bin/vmlab in
 * the VM): the counts in the text, JSON, dot, SVG and HTML equal those of
 * the range walk of the same memory; the SVG and HTML carry no script, no
 * external link or font; huge leaves sit at their level; the cap on drawn
 * leaves counts the rest; every bad input has its one line and exit code
 * and leaves no file behind; "vmlab lab --svg DIR" draws fork-cow's tree
 * before fork, after it and after the child's write with the same code.
 *
 * With VMLAB_PICTURES set to a directory, the "pictures" test leaves there
 * the figures the host checks in a browser (scripts/check-pictures.sh):
 * the tree of a heap after fork, its HTML page, and an address space.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <inttypes.h>
#include <signal.h>
#include <sys/stat.h>

#include "kselftest_harness.h"
#include "libvmlab.h"
#include "vmlab_test.h"
#include "tool_run.h"

/* the mapping types in maps --svg's legend: private and shared x 3, special */
#define NR_LEGEND_TYPES	7
/* a verdict's line of the legend: its name, leaves and pages */
#define LEGEND_COUNTS	"data-verdict=\"%s\" data-leaves=\"%lu\" data-pages=\"%lu\""

/*
 * The top bit of the PTE index with @levels paging levels (its lowest is
 * PAGE_SHIFT): 21 on two levels (32-bit x86 without PAE: 1024-entry
 * tables), 24 with arm64's 16 KiB pages (2048 entries), else 20 (512)
 */
static unsigned int pte_bits_hi(unsigned int levels)
{
	struct shape_bits b = shape_level_of(levels, VMLAB_LEVEL_PTE);

	return b.shift + b.bits - 1;
}

/* the levels with tables, as tree --json lists them, for @levels levels */
static const char *level_names(unsigned int levels)
{
	static const char * const names[] = {
		"", "", "PGD,PTE", "PGD,PMD,PTE", "PGD,PUD,PMD,PTE", "PGD,P4D,PUD,PMD,PTE",
	};

	return levels < 6 ? names[levels] : "";
}

FIXTURE(tree) {
	int fd;
	unsigned int levels;	/* the kernel's paging levels: one table each, down a path */
	pid_t pid;
	char dir[64];		/* a directory of this test's own for output files */
};

FIXTURE_SETUP(tree)
{
	struct vmlab_info info;

	ASSERT_EQ(0, access(VMLAB_BIN, X_OK)) TH_LOG("%s is not in the VM", VMLAB_BIN);
	ASSERT_EQ(0, access(JQ_BIN, X_OK)) TH_LOG("%s is not in the VM", JQ_BIN);
	self->fd = vmlab_open();
	ASSERT_LE(0, self->fd) TH_LOG("open %s: %s", VMLAB_DEVICE, strerror(errno));
	ASSERT_EQ(0, vmlab_info(self->fd, &info));
	self->levels = info.pgtable_levels;
	self->pid = getpid();
	snprintf(self->dir, sizeof(self->dir), "/tmp/tree-test-XXXXXX");
	ASSERT_NE(NULL, mkdtemp(self->dir));
}

FIXTURE_TEARDOWN(tree)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", self->dir);
	if (system(cmd))
		TH_LOG("could not remove %s", self->dir);
	close(self->fd);
}

/* the whole file at @path, NUL-terminated; NULL if unreadable */
static char *read_whole(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	char *s;

	if (fd < 0)
		return NULL;
	s = slurp(fd, NULL);
	close(fd);
	return s;
}

/* how often @needle occurs in @s */
static int occurrences(const char *s, const char *needle)
{
	int n = 0;

	for (; (s = strstr(s, needle)); s += strlen(needle))
		n++;
	return n;
}

/* the files in @dir (".", ".." aside) */
static int files_in(const char *dir)
{
	struct dirent *e;
	DIR *d = opendir(dir);
	int n = 0;

	if (!d)
		return -1;
	while ((e = readdir(d)))
		n += strcmp(e->d_name, ".") && strcmp(e->d_name, "..");
	closedir(d);
	return n;
}

/* what the range walk itself finds in [@start, @end): leaves and pages per verdict */
struct walk_counts {
	unsigned long leaves[16], pages[16], total_leaves, total_pages;
};

static int count_walk(int fd, uint64_t start, uint64_t end, struct walk_counts *c)
{
	struct vmlab_walk_record *recs = calloc(65536, sizeof(*recs));
	long n, i;

	memset(c, 0, sizeof(*c));
	if (!recs)
		return -1;
	n = vmlab_walk_range_all(fd, 0, start, end, recs, 65536, NULL);
	for (i = 0; i < n; i++) {
		uint64_t size = recs[i].level == VMLAB_LEVEL_PTE ? PAGE :
				recs[i].level == VMLAB_LEVEL_PMD ? thp_size() : SZ_1G;
		uint64_t lo = recs[i].addr > start ? recs[i].addr : start;
		uint64_t hi = recs[i].addr + size < end ? recs[i].addr + size : end;

		c->leaves[recs[i].verdict & 15]++;
		c->pages[recs[i].verdict & 15] += (hi - lo) / PAGE;
		c->total_leaves++;
		c->total_pages += (hi - lo) / PAGE;
	}
	free(recs);
	return n < 0 ? -1 : 0;
}

/*
 * jq filters: as many tables as levels (one path down); present and empty
 * entries of the last table (the PTE table); the PTE tables; the leaves' level and size
 */
static const char tables_per_level[] =
	". as $d | [.. | objects | select(.kind == \"table\")] | length == ($d.levels | length)";
static const char pte_table_entries[] =
	"[.. | objects | select(.kind == \"table\")][-1] | \"\\(.level) \\(.present) \\(.empty)\"";
static const char pte_tables[] =
	"[.. | objects | select(.kind == \"table\" and .level == \"PTE\")] | length";
static const char leaf_level_size[] =
	".. | objects | select(.kind == \"leaves\") | \"\\(.level) \\(.leaf_size)\"";

/*
 * A VMA of @pages (fewer than 511) of our own, guarded like own_vma()'s,
 * inside one 2 MiB block: its pages share one PTE table, so the tree has
 * one path down wherever ASLR put the mapping.
 */
static char *own_vma_one_table(size_t pages)
{
	char *p = mmap(NULL, 2 * SZ_2M, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	char *block;

	if (p == MAP_FAILED)
		return NULL;
	block = (char *)(((unsigned long)p + SZ_2M - 1) & ~(SZ_2M - 1));
	if (mprotect(block + PAGE, pages * PAGE, PROT_READ | PROT_WRITE))
		return NULL;
	return block + PAGE;
}

/* 4 written, then 4 read pages in a VMA of 16 of our own, in one PTE table */
static char *written_and_read(void)
{
	char *p = own_vma_one_table(16);
	int i;

	if (!p)
		return NULL;
	for (i = 0; i < 4; i++)
		p[i * PAGE] = 1;
	for (i = 4; i < 8; i++)
		(void)*(volatile char *)(p + i * PAGE);
	return p;
}

/* The text shows the tables from the PGD down, the bits, and the two runs folded. */
TEST_F(tree, text_folds_runs)
{
	char *p = written_and_read(), want[128];
	struct walk_counts c;
	struct result r;
	unsigned long a;

	ASSERT_NE(NULL, p);
	a = (unsigned long)p;
	ASSERT_EQ(0, count_walk(self->fd, a, a + 16 * PAGE, &c));
	ASSERT_EQ(0, vmlab(&r, "tree -p %d %#lx %#lx", self->pid, a, a + 16 * PAGE));
	EXPECT_EQ(0, r.status) TH_LOG("%s", r.err);
	EXPECT_EQ(0, strncmp(r.out, "page tables of pid ", 19)) TH_LOG("%s", r.out);
	EXPECT_NE(NULL, strstr(r.out, "\nPGD table @ 0x0  bits ")) TH_LOG("%s", r.out);
	EXPECT_NE(NULL, strstr(r.out, "PTE table @ ")) TH_LOG("%s", r.out);
	snprintf(want, sizeof(want), "  bits %u-%u  ", pte_bits_hi(self->levels), PAGE_SHIFT);
	EXPECT_NE(NULL, strstr(r.out, want)) TH_LOG("want '%s' in: %s", want, r.out);
	/* the counts in words as one says them: "1 run", "2 runs" */
	snprintf(want, sizeof(want), " leaves (%lu pages) in 2 runs\n", c.total_pages);
	EXPECT_NE(NULL, strstr(r.out, want)) TH_LOG("want '%s' in: %s", want, r.out);
	snprintf(want, sizeof(want), "PTE %u-%u: 4 present, %s  %#lx-",
		 shape_index(self->levels, VMLAB_LEVEL_PTE, a),
		 shape_index(self->levels, VMLAB_LEVEL_PTE, a) + 3,
		 "writable, anon, anon-exclusive", a);
	EXPECT_NE(NULL, strstr(r.out, want)) TH_LOG("want '%s' in: %s", want, r.out);
	snprintf(want, sizeof(want), ": 4 present, zero-page, zero  %#lx-", a + 4 * PAGE);
	EXPECT_NE(NULL, strstr(r.out, want)) TH_LOG("want '%s' in: %s", want, r.out);
	snprintf(want, sizeof(want), "\n%-15s  %6lu  %8lu\n", "total", c.total_leaves,
		 c.total_pages);
	EXPECT_NE(NULL, strstr(r.out, want)) TH_LOG("want '%s' in: %s", want, r.out);
	result_free(&r);
	/* one page: one of each */
	ASSERT_EQ(0, vmlab(&r, "tree -p %d %#lx %#lx", self->pid, a, a + PAGE));
	EXPECT_EQ(0, r.status) TH_LOG("%s", r.err);
	EXPECT_NE(NULL, strstr(r.out, " 1 leaf (1 page) in 1 run\n")) TH_LOG("%s", r.out);
	result_free(&r);
	munmap(p, 16 * PAGE);
}

/* The JSON's counts, per verdict and in total, equal the range walk's. */
TEST_F(tree, json_counts_equal_the_walk)
{
	JQ_BATCH();
	char *p = written_and_read(), want[64], filter[128];
	struct walk_counts c;
	struct result r;
	unsigned int v;
	unsigned long a;

	ASSERT_NE(NULL, p);
	a = (unsigned long)p;
	ASSERT_EQ(0, count_walk(self->fd, a, a + 16 * PAGE, &c));
	EXPECT_EQ(8, c.total_leaves);
	ASSERT_EQ(0, vmlab(&r, "tree --json -p %d %#lx-%#lx", self->pid, a, a + 16 * PAGE));
	EXPECT_EQ(0, r.status) TH_LOG("%s", r.err);
	snprintf(want, sizeof(want), "%lu %lu", c.total_leaves, c.total_pages);
	EXPECT_JQ(r.out, "\"\\(.leaves) \\(.pages)\"", want);
	for (v = 0; v < 16; v++) {
		if (!c.leaves[v])
			continue;
		snprintf(filter, sizeof(filter), ".verdicts[\"%s\"] | \"\\(.leaves) \\(.pages)\"",
			 vmlab_verdict_name(v));
		snprintf(want, sizeof(want), "%lu %lu", c.leaves[v], c.pages[v]);
		EXPECT_JQ(r.out, filter, want);
	}
	EXPECT_JQ(r.out, ".runs", "2");
	EXPECT_JQ(r.out, ".root.level", "PGD");
	EXPECT_JQ(r.out, "[.levels[].level] | join(\",\")", level_names(self->levels));
	snprintf(want, sizeof(want), "%u %u", pte_bits_hi(self->levels), PAGE_SHIFT);
	EXPECT_JQ(r.out, ".levels[-1] | \"\\(.bits_hi) \\(.bits_lo)\"", want);
	/* the leaves found by walking the nested tables: the same 8 */
	EXPECT_JQ(r.out, "[.. | objects | select(.kind == \"leaves\") | .leaves] | add", "8");
	/* one table per level: the PGD, (the P4D,) the PUD, the PMD, the PTE table */
	EXPECT_JQ(r.out, tables_per_level, "true");
	/* 8 of the PTE table's 512 entries (1024 on two levels, 2048 of 16 KiB pages) present */
	snprintf(want, sizeof(want), "PTE 8 %u",
		 (1u << shape_level_of(self->levels, VMLAB_LEVEL_PTE).bits) - 8);
	EXPECT_JQ(r.out, pte_table_entries, want);
	result_free(&r);
	munmap(p, 16 * PAGE);
}

/* The SVG: self-contained, its legend's and tree's counts the walk's, a run per <g>. */
TEST_F(tree, svg_counts_equal_the_walk)
{
	char *p = written_and_read(), path[128], want[128], *svg;
	struct walk_counts c;
	struct result r;
	unsigned long a;

	ASSERT_NE(NULL, p);
	a = (unsigned long)p;
	ASSERT_EQ(0, count_walk(self->fd, a, a + 16 * PAGE, &c));
	snprintf(path, sizeof(path), "%s/t.svg", self->dir);
	ASSERT_EQ(0, vmlab(&r, "tree -p %d --svg %s %#lx %#lx", self->pid, path, a,
			   a + 16 * PAGE));
	EXPECT_EQ(0, r.status) TH_LOG("%s", r.err);
	EXPECT_STREQ("", r.out);
	result_free(&r);
	svg = read_whole(path);
	ASSERT_NE(NULL, svg);
	EXPECT_EQ(0, strncmp(svg, "<?xml version=\"1.0\"", 19));
	EXPECT_NE(NULL, strstr(svg, "</svg>\n"));
	/* self-contained: the namespace is the only URL, no script, no font file */
	EXPECT_EQ(1, occurrences(svg, "http"));
	EXPECT_EQ(0, occurrences(svg, "<script"));
	EXPECT_EQ(0, occurrences(svg, "href"));
	EXPECT_EQ(0, occurrences(svg, "@font-face"));
	snprintf(want, sizeof(want), "data-leaves=\"%lu\" data-pages=\"%lu\"", c.total_leaves,
		 c.total_pages);
	EXPECT_NE(NULL, strstr(svg, want)) TH_LOG("no '%s'", want);
	snprintf(want, sizeof(want), LEGEND_COUNTS, "writable", c.leaves[VMLAB_COW_WRITABLE],
		 c.pages[VMLAB_COW_WRITABLE]);
	EXPECT_NE(NULL, strstr(svg, want)) TH_LOG("no '%s'", want);
	snprintf(want, sizeof(want), LEGEND_COUNTS, "zero-page", c.leaves[VMLAB_COW_ZERO_PAGE],
		 c.pages[VMLAB_COW_ZERO_PAGE]);
	EXPECT_NE(NULL, strstr(svg, want)) TH_LOG("no '%s'", want);
	EXPECT_EQ(2, occurrences(svg, "<g class=\"legend\""));
	EXPECT_EQ(2, occurrences(svg, "<g class=\"hover run\""));
	EXPECT_EQ(self->levels, occurrences(svg, "<g class=\"table\""));
	snprintf(want, sizeof(want), "bits %u-%u: PTE index", pte_bits_hi(self->levels),
		 PAGE_SHIFT);
	EXPECT_NE(NULL, strstr(svg, want)) TH_LOG("no '%s'", want);
	/* the frame of each leaf on hover */
	EXPECT_EQ(2, occurrences(svg, "frame: pfn 0x"));
	EXPECT_EQ(1, files_in(self->dir));	/* no temporary file left */
	free(svg);
	munmap(p, 16 * PAGE);
}

/* The HTML page: the SVG, a row and a walk per run, leaves linked to their walk. */
TEST_F(tree, html_leaves_and_walks)
{
	char *p = written_and_read(), path[128], want[64], *html;
	struct result r;
	unsigned long a;

	ASSERT_NE(NULL, p);
	a = (unsigned long)p;
	snprintf(path, sizeof(path), "%s/t.html", self->dir);
	ASSERT_EQ(0, vmlab(&r, "tree -p %d --html %s %#lx %#lx", self->pid, path, a,
			   a + 16 * PAGE));
	EXPECT_EQ(0, r.status) TH_LOG("%s", r.err);
	result_free(&r);
	html = read_whole(path);
	ASSERT_NE(NULL, html);
	EXPECT_EQ(0, strncmp(html, "<!DOCTYPE html>", 15));
	EXPECT_EQ(1, occurrences(html, "<svg "));
	EXPECT_EQ(0, occurrences(html, "<script"));
	EXPECT_EQ(2, occurrences(html, "<div class=\"walk\""));
	EXPECT_EQ(2, occurrences(html, "<tr id=\"leaf-"));
	/* a link to each walk from the SVG's leaf and from the table's row */
	EXPECT_EQ(4, occurrences(html, "<a href=\"#walk-"));
	snprintf(want, sizeof(want), "walk of %#lx\n", a);
	EXPECT_NE(NULL, strstr(html, want)) TH_LOG("no '%s'", want);
	EXPECT_NE(NULL, strstr(html, "verdict  writable: ")) TH_LOG("%s", html);
	free(html);
	munmap(p, 16 * PAGE);
}

/* The cap: with -n 1 one run is drawn and the other counted; dot draws the same. */
TEST_F(tree, cap_counts_the_rest)
{
	char *p = written_and_read(), path[128], *svg;
	struct result r;
	unsigned long a;

	ASSERT_NE(NULL, p);
	a = (unsigned long)p;
	snprintf(path, sizeof(path), "%s/t.svg", self->dir);
	ASSERT_EQ(0, vmlab(&r, "tree -n 1 --svg %s -p %d %#lx %#lx", path, self->pid, a,
			   a + 16 * PAGE));
	EXPECT_EQ(0, r.status) TH_LOG("%s", r.err);
	result_free(&r);
	svg = read_whole(path);
	ASSERT_NE(NULL, svg);
	EXPECT_NE(NULL, strstr(svg, "data-runs=\"2\" data-leaves=\"8\""));
	EXPECT_NE(NULL, strstr(svg, "data-runs-drawn=\"1\""));
	EXPECT_EQ(1, occurrences(svg, "<g class=\"hover run\""));
	EXPECT_NE(NULL, strstr(svg, "... 4 more not drawn"));
	free(svg);

	ASSERT_EQ(0, vmlab(&r, "tree --dot -p %d %#lx %#lx", self->pid, a, a + 16 * PAGE));
	EXPECT_EQ(0, r.status) TH_LOG("%s", r.err);
	EXPECT_NE(NULL, strstr(r.out, "digraph vmlab_tree {"));
	EXPECT_EQ(2, occurrences(r.out, "[shape=box, style=filled"));
	/* the tables below the root, and 2 runs */
	EXPECT_EQ(self->levels - 1 + 2, occurrences(r.out, " -> "));
	result_free(&r);
	munmap(p, 16 * PAGE);
}

/* A transparent huge page is one leaf at the PMD level, no PTE table under it. */
TEST_F(tree, huge_leaf_at_its_level)
{
	JQ_BATCH();
	char line[256], want[64], *p;
	unsigned long a, size = thp_size();
	struct vmlab_info info;
	struct vmlab_walk w;
	struct result r;

	if (read_line("/sys/kernel/mm/transparent_hugepage/enabled", line, sizeof(line)))
		SKIP(return, "no /sys/kernel/mm/transparent_hugepage: THP not built in");
	if (strstr(line, "[never]"))
		SKIP(return, "THP is disabled: enabled is '%s'", line);
	ASSERT_EQ(0, vmlab_info(self->fd, &info));
	p = map_aligned(size, size, PROT_READ | PROT_WRITE, MAP_PRIVATE);
	ASSERT_NE(MAP_FAILED, p);
	ASSERT_EQ(0, madvise(p, size, MADV_HUGEPAGE));
	a = (unsigned long)p;
	p[0] = 1;
	ASSERT_EQ(0, vmlab_walk(self->fd, 0, a, &w));
	ASSERT_EQ(pmd_leaf_level(&info), w.leaf_level)
		TH_LOG("no THP: leaf at %s", vmlab_level_name(w.leaf_level));
	ASSERT_EQ(0, vmlab(&r, "tree --json -p %d %#lx %#lx", self->pid, a, a + size));
	EXPECT_EQ(0, r.status) TH_LOG("%s", r.err);
	EXPECT_JQ(r.out, "[.. | objects | select(.kind == \"leaves\")] | length", "1");
	snprintf(want, sizeof(want), "%s %lu", vmlab_level_name(w.leaf_level), size);
	EXPECT_JQ(r.out, leaf_level_size, want);
	EXPECT_JQ(r.out, pte_tables, "0");
	snprintf(want, sizeof(want), "%lu", size / PAGE);
	EXPECT_JQ(r.out, ".pages", want);
	result_free(&r);
	munmap(p, size);
}

/* maps --svg: a bar per VMA with the counts of maps; ours is private anon. */
TEST_F(tree, maps_svg_counts)
{
	char *p = written_and_read(), path[128], want[256], *svg;
	struct result r;
	unsigned long a;

	ASSERT_NE(NULL, p);
	a = (unsigned long)p;
	snprintf(path, sizeof(path), "%s/maps.svg", self->dir);
	ASSERT_EQ(0, vmlab(&r, "maps -p %d --svg %s", self->pid, path));
	EXPECT_EQ(0, r.status) TH_LOG("%s", r.err);
	EXPECT_STREQ("", r.out);
	result_free(&r);
	svg = read_whole(path);
	ASSERT_NE(NULL, svg);
	snprintf(want, sizeof(want), "data-start=\"%lu\" data-end=\"%lu\" data-type=\"%s\" %s", a,
		 a + 16 * PAGE, "private anon",
		 "data-resident=\"8\" data-zero=\"4\" data-cow=\"0\" data-dirty=\"4\"");
	EXPECT_NE(NULL, strstr(svg, want)) TH_LOG("no '%s'", want);
	EXPECT_NE(NULL, strstr(svg, "data-type=\"private file\""));
	EXPECT_EQ(NR_LEGEND_TYPES, occurrences(svg, "<g class=\"legend\" data-type="));
	EXPECT_EQ(4, occurrences(svg, "<g class=\"legend\" data-fraction="));
	EXPECT_EQ(1, occurrences(svg, "http"));
	EXPECT_EQ(0, occurrences(svg, "<script"));
	EXPECT_NE(NULL, strstr(svg, "[stack]"));
	free(svg);
	munmap(p, 16 * PAGE);
}

/*
 * --vma NAME takes every VMA of a mapping, as scan does: the test's own
 * binary (several VMAs: text, data, ...) by its file's name is one range,
 * from its first VMA's start to its last one's end; NAME:N one of them.
 */
TEST_F(tree, vma_takes_every_vma_of_a_mapping)
{
	JQ_BATCH();
	char exe[256], want[64], *name;
	unsigned long lo = ~0UL, hi = 0, s, e, first_end = 0;
	struct result r;
	char line[512];
	int n = 0;
	ssize_t len;
	FILE *f;

	len = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	ASSERT_LT(0, len);
	exe[len] = '\0';
	name = strrchr(exe, '/') + 1;
	f = fopen("/proc/self/maps", "r");
	ASSERT_NE(NULL, f);
	while (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = '\0';
		if (!strstr(line, exe) || sscanf(line, "%lx-%lx", &s, &e) != 2)
			continue;
		if (!n++)
			first_end = e;
		lo = s < lo ? s : lo;
		hi = e > hi ? e : hi;
	}
	fclose(f);
	ASSERT_LT(1, n) TH_LOG("%s has %d VMA", exe, n);
	ASSERT_EQ(0, vmlab(&r, "tree --json -p %d --vma %s", self->pid, name));
	EXPECT_EQ(0, r.status) TH_LOG("%s", r.err);
	snprintf(want, sizeof(want), "%lu %lu", lo, hi);
	EXPECT_JQ(r.out, "\"\\(.start) \\(.end)\"", want);
	result_free(&r);
	ASSERT_EQ(0, vmlab(&r, "tree --json -p %d --vma %s:1", self->pid, name));
	EXPECT_EQ(0, r.status) TH_LOG("%s", r.err);
	snprintf(want, sizeof(want), "%lu %lu", lo, first_end);
	EXPECT_JQ(r.out, "\"\\(.start) \\(.end)\"", want);
	result_free(&r);
}

/* Every bad input: one line, its exit code, no file (nor temporary file) left. */
TEST_F(tree, errors_are_one_line)
{
	static const struct {
		const char *args;
		int status;
		const char *says;
	} cases[] = {
		{ "tree 0x1000 0x2000", 2, "which process? -p PID" },
		{ "tree -p self", 2, "missing START END" },
		{ "tree -p self 0x2000 0x1000", 2, "bad range" },
		{ "tree -p self 0x1000 0x2000 0x3000", 2, "unexpected argument" },
		{ "tree -p self --json --dot 0x1000 0x2000", 2, "not both" },
		{ "tree -p self --vma [stack] 0x1000 0x2000", 2, "not both" },
		{ "tree -p self -n 0 0x1000 0x2000", 2, "bad number of leaves" },
		{ "tree -p 4000000 0x1000 0x2000", 1, "pid 4000000: no such process" },
		{ "tree -p 2 0x1000 0x2000", 1, "pid 2 has no address space" },
		{ "tree -p self 0x1000 0x2000", 1, "no VMA in this range" },
		{ "tree -p self --vma /no/such/file", 1, "no VMA matches" },
		{ "tree -p self --svg /no/such/dir/t.svg --vma [stack]", 1,
		  "cannot write '/no/such/dir/t.svg'" },
		{ "tree -p self --html /tmp --vma [stack]", 1, "cannot write '/tmp'" },
		{ "tree -p self --svg /proc/t.svg --vma [stack]", 1, "cannot write '/proc/t.svg'" },
		{ "maps -p self --svg /no/such/dir/m.svg", 1, "cannot write '/no/such/dir/m.svg'" },
	};
	struct result r;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		ASSERT_EQ(0, vmlab(&r, "%s", cases[i].args));
		EXPECT_ONE_LINE_ERROR(&r, cases[i].status);
		EXPECT_NE(NULL, strstr(r.err, cases[i].says))
			TH_LOG("vmlab %s: '%s' not in: %s", cases[i].args, cases[i].says, r.err);
		result_free(&r);
	}
	EXPECT_NE(0, access("/no/such/dir", F_OK));
	EXPECT_NE(0, access("/proc/t.svg", F_OK));
}

/*
 * A range with more tables and runs than a picture takes: one line, and the
 * file that was there before is untouched, with no temporary file beside it.
 */
TEST_F_TIMEOUT(tree, too_large_to_draw, 120)
{
	const size_t pages = 70000;
	char path[128], *p, *before;
	struct result r;
	unsigned long a;
	size_t i;
	int fd;

	p = mmap(NULL, pages * PAGE, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	ASSERT_NE(MAP_FAILED, p);
	ASSERT_EQ(0, madvise(p, pages * PAGE, MADV_NOHUGEPAGE));
	a = (unsigned long)p;
	/* written and read pages by turns: a run of one leaf each */
	for (i = 0; i < pages; i++) {
		if (i & 1)
			(void)*(volatile char *)(p + i * PAGE);
		else
			p[i * PAGE] = 1;
	}
	snprintf(path, sizeof(path), "%s/old.svg", self->dir);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	ASSERT_LE(0, fd);
	ASSERT_EQ(4, write(fd, "old\n", 4));
	close(fd);

	ASSERT_EQ(0, vmlab(&r, "tree -p %d --svg %s %#lx %#lx", self->pid, path, a,
			   a + pages * PAGE));
	EXPECT_ONE_LINE_ERROR(&r, 1);
	EXPECT_NE(NULL, strstr(r.err, "too large to draw")) TH_LOG("%s", r.err);
	result_free(&r);
	before = read_whole(path);
	ASSERT_NE(NULL, before);
	EXPECT_STREQ("old\n", before);
	free(before);
	EXPECT_EQ(1, files_in(self->dir));
	munmap(p, pages * PAGE);
}

/*
 * The figures for the host's browser check and the README: the tree of a
 * heap-like VMA while a forked child shares it (COW), its HTML page, and
 * this process's address space. Into $VMLAB_PICTURES, else a temporary
 * directory, and checked here as the other tests check theirs.
 */
TEST_F(tree, pictures)
{
	const char *dir = getenv("VMLAB_PICTURES");
	char *p = own_vma(64), path[256], *svg;
	struct result r;
	int status, i;
	pid_t child;
	unsigned long a;

	ASSERT_NE(NULL, p);
	if (!dir || !*dir)
		dir = self->dir;
	a = (unsigned long)p;
	for (i = 0; i < 48; i++)
		p[i * PAGE] = 1;
	for (i = 48; i < 56; i++)
		(void)*(volatile char *)(p + i * PAGE);
	child = fork();
	ASSERT_LE(0, child);
	if (child == 0) {
		pause();
		_exit(0);
	}
	/* the parent writes 16 pages again: those are its own, the rest shared */
	for (i = 0; i < 16; i++)
		p[i * PAGE] = 2;
	snprintf(path, sizeof(path), "%s/tree-after-fork.svg", dir);
	ASSERT_EQ(0, vmlab(&r, "tree -p %d --svg %s %#lx %#lx", self->pid, path, a,
			   a + 64 * PAGE));
	EXPECT_EQ(0, r.status) TH_LOG("%s", r.err);
	result_free(&r);
	snprintf(path, sizeof(path), "%s/tree-after-fork.html", dir);
	ASSERT_EQ(0, vmlab(&r, "tree -p %d --html %s %#lx %#lx", self->pid, path, a,
			   a + 64 * PAGE));
	EXPECT_EQ(0, r.status) TH_LOG("%s", r.err);
	result_free(&r);
	snprintf(path, sizeof(path), "%s/maps.svg", dir);
	ASSERT_EQ(0, vmlab(&r, "maps -p %d --svg %s", self->pid, path));
	EXPECT_EQ(0, r.status) TH_LOG("%s", r.err);
	result_free(&r);
	kill(child, SIGKILL);
	waitpid(child, &status, 0);

	snprintf(path, sizeof(path), "%s/tree-after-fork.svg", dir);
	svg = read_whole(path);
	ASSERT_NE(NULL, svg);
	EXPECT_NE(NULL, strstr(svg, "data-verdict=\"cow-shared\" data-leaves=\"32\""));
	EXPECT_NE(NULL, strstr(svg, "data-verdict=\"writable\" data-leaves=\"16\""));
	EXPECT_NE(NULL, strstr(svg, "data-verdict=\"zero-page\" data-leaves=\"8\""));
	free(svg);
	munmap(p, 64 * PAGE);
}

/*
 * vmlab lab --svg DIR fork-cow: three SVGs named by lesson and step, each
 * a standalone SVG with its legend; the page writable before the fork is
 * COW-shared after it, and the child's copy writable after its write.
 */
TEST_F(tree, lab_pictures)
{
	static const struct {
		const char *step, *verdict, *not;
	} pics[] = {
		{ "1-before-fork", "writable", "cow-shared" },
		{ "2-after-fork", "cow-shared", "writable" },
		{ "3-child-after-write", "writable", "cow-shared" },
	};
	char path[256], want[128], *svg;
	struct result r;
	unsigned int i;

	ASSERT_EQ(0, vmlab(&r, "lab --svg %s fork-cow", self->dir));
	EXPECT_EQ(0, r.status) TH_LOG("%s%s", r.out, r.err);
	result_free(&r);
	EXPECT_EQ((int)ARRAY_SIZE(pics), files_in(self->dir));
	for (i = 0; i < ARRAY_SIZE(pics); i++) {
		snprintf(path, sizeof(path), "%s/fork-cow-%s.svg", self->dir, pics[i].step);
		svg = read_whole(path);
		ASSERT_NE(NULL, svg) TH_LOG("no %s", path);
		EXPECT_EQ(0, strncmp(svg, "<?xml version=\"1.0\"", 19)) TH_LOG("%s", path);
		EXPECT_NE(NULL, strstr(svg, "<svg ")) TH_LOG("%s", path);
		EXPECT_NE(NULL, strstr(svg, "</svg>\n")) TH_LOG("%s", path);
		EXPECT_NE(NULL, strstr(svg, "<g class=\"legend\"")) TH_LOG("%s", path);
		snprintf(want, sizeof(want), "data-verdict=\"%s\" data-leaves=\"1\"",
			 pics[i].verdict);
		EXPECT_NE(NULL, strstr(svg, want)) TH_LOG("%s: no %s", path, want);
		snprintf(want, sizeof(want), "data-verdict=\"%s\"", pics[i].not);
		EXPECT_EQ(NULL, strstr(svg, want)) TH_LOG("%s: %s", path, want);
		free(svg);
	}
}

/* vmlab lab --svg: a missing directory, or a file, is one line and exit 1; no lesson runs. */
TEST_F(tree, lab_pictures_bad_dir)
{
	char path[256];
	struct result r;
	int fd;

	snprintf(path, sizeof(path), "%s/none", self->dir);
	ASSERT_EQ(0, vmlab(&r, "lab --svg %s fork-cow", path));
	EXPECT_ONE_LINE_ERROR(&r, 1);
	EXPECT_NE(NULL, strstr(r.err, "No such file or directory")) TH_LOG("%s", r.err);
	EXPECT_EQ(NULL, strstr(r.out, "fork-cow")) TH_LOG("%s", r.out);
	result_free(&r);
	snprintf(path, sizeof(path), "%s/file", self->dir);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	ASSERT_LE(0, fd);
	close(fd);
	ASSERT_EQ(0, vmlab(&r, "lab --svg %s fork-cow", path));
	EXPECT_ONE_LINE_ERROR(&r, 1);
	EXPECT_NE(NULL, strstr(r.err, "Not a directory")) TH_LOG("%s", r.err);
	result_free(&r);
	EXPECT_EQ(1, files_in(self->dir));
}

TEST_HARNESS_MAIN
