// SPDX-License-Identifier: GPL-2.0
/*
 * lab.c - "vmlab lab": guided lessons on memory mappings, each also a test.
 *
 * A lesson makes real mappings (vmlab regions, plain anonymous memory, a
 * real fork where it needs one), walks its addresses with VMLAB_IOC_WALK
 * before and after each step, prints one aligned line per walk, and checks
 * what the kernel shows against what the lesson teaches: any difference is
 * printed as "MISMATCH: expected ..., kernel shows ..." and fails the
 * lesson. "vmlab lab all" exits 1 when any lesson failed.
 *
 * PFNs are shown to root only (VMLAB_WALK_PFN_HIDDEN otherwise): without
 * them the lessons skip the PFN comparisons and say so.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <sched.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/klog.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli.h"
#include "hexdump.h"

#define PG		4096UL
#define MAX_MAPS	8
#define MAX_REGIONS	6

/* the state of one lesson being run */
struct lab {
	int fd;				/* /dev/vmlab */
	bool pfn_hidden;		/* a walk said VMLAB_WALK_PFN_HIDDEN */
	unsigned int failed;		/* mismatches and errors so far */
	struct { void *p; size_t len; } maps[MAX_MAPS];
	unsigned int nr_maps;
	__u32 regions[MAX_REGIONS];
	unsigned int nr_regions;
};

/* what a walk must show: the verdict, and leaf and page bits set or clear */
struct want {
	unsigned int verdict;
	__u32 pte_set, pte_clear;	/* VMLAB_PTE_* */
	__u32 page_set, page_clear;	/* VMLAB_PAGE_* */
};

/* An error that stops the step (not a mismatch): the lesson fails. */
static void lab_error(struct lab *lab, const char *what)
{
	errmsg("lab: %s: %s", what, strerror(errno));
	lab->failed++;
}

/* Records a difference between the lesson and the kernel. */
static void __attribute__((format(printf, 2, 3)))
mismatch(struct lab *lab, const char *fmt, ...)
{
	va_list ap;

	printf("  %sMISMATCH:%s ", colour(C_BAD), colour(C_RESET));
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	lab->failed++;
}

static void check_u64(struct lab *lab, const char *what, unsigned long long want,
		      unsigned long long got)
{
	if (want != got)
		mismatch(lab, "expected %s %llu, kernel shows %llu", what, want, got);
}

/* @c as 'x' when printable, else as a number */
static const char *char_str(char *buf, size_t size, int c)
{
	if (c >= 0x20 && c < 0x7f)
		snprintf(buf, size, "'%c'", c);
	else
		snprintf(buf, size, "%d", c);
	return buf;
}

static void check_char(struct lab *lab, const char *what, int want, int got)
{
	char w[16], g[16];

	if (want != got)
		mismatch(lab, "expected %s %s, kernel shows %s", what,
			 char_str(w, sizeof(w), want), char_str(g, sizeof(g), got));
}

/* Checks that two walks show the same (or, @same false, different) PFNs. */
static void check_pfn(struct lab *lab, const char *what, const struct vmlab_walk *a,
		      const struct vmlab_walk *b, bool same)
{
	if (lab->pfn_hidden)
		return;
	if ((a->pfn == b->pfn) != same)
		mismatch(lab, "expected %s (%s PFNs), kernel shows %llx and %llx", what,
			 same ? "equal" : "different",
			 (unsigned long long)a->pfn, (unsigned long long)b->pfn);
}

/* A lesson's sentence, with the program's "what happens now" marker. */
static void say(const char *fmt, ...)
{
	va_list ap;

	printf("  -> ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
}

/* The leaf's entry bits in six letters: P W A D S H, '-' where clear. */
static void pte_letters(char *s, __u32 f)
{
	static const struct { __u32 bit; char c; } l[] = {
		{ VMLAB_PTE_PRESENT, 'P' }, { VMLAB_PTE_WRITE, 'W' },
		{ VMLAB_PTE_ACCESSED, 'A' }, { VMLAB_PTE_DIRTY, 'D' },
		{ VMLAB_PTE_SPECIAL, 'S' }, { VMLAB_PTE_HUGE, 'H' },
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(l); i++)
		s[i] = f & l[i].bit ? l[i].c : '-';
	s[i] = '\0';
}

/* What the leaf maps, in a word. */
static const char *page_kind(const struct vmlab_walk *w)
{
	__u32 f = w->page_flags;

	if (!(w->leaf_flags & VMLAB_PTE_PRESENT))
		return "-";
	if (f & VMLAB_PAGE_VMLAB_ZERO)
		return "vmlab-zero";
	if (f & (VMLAB_PAGE_ZERO | VMLAB_PAGE_HUGE_ZERO))
		return "zero-page";
	if (!(f & VMLAB_PAGE_PRESENT))
		return "no-page";
	if (f & VMLAB_PAGE_ANON)
		return f & VMLAB_PAGE_ANON_EXCLUSIVE ? "anon-excl" : "anon";
	return f & VMLAB_PAGE_VMLAB ? "region" : "file";
}

static void print_header(const struct lab *lab)
{
	printf("  %s%-26s %-12s %-4s %-6s %-3s %8s %3s %-10s %s%s\n", colour(C_BOLD),
	       "step", "address", "lvl", "flags", "$", "pfn", "map", "page",
	       "verdict: what a write would do", colour(C_RESET));
}

/* Prints one walk as an aligned line. */
static void show(struct lab *lab, const char *label, const struct vmlab_walk *w)
{
	bool present = w->leaf_flags & VMLAB_PTE_PRESENT;
	char flags[8], pfn[20], map[8];

	if (w->walk_flags & VMLAB_WALK_PFN_HIDDEN)
		lab->pfn_hidden = true;
	pte_letters(flags, w->leaf_flags);
	if (!present)
		snprintf(pfn, sizeof(pfn), "-");
	else if (w->walk_flags & VMLAB_WALK_PFN_HIDDEN)
		snprintf(pfn, sizeof(pfn), "hidden");
	else
		snprintf(pfn, sizeof(pfn), "%llx", (unsigned long long)w->pfn);
	if (w->page_flags & VMLAB_PAGE_PRESENT)
		snprintf(map, sizeof(map), "%u", w->mapcount);
	else
		snprintf(map, sizeof(map), "-");
	printf("  %-26s %12llx %-4s %-6s %-3s %8s %3s %-10s %s%s%s: %s\n", label,
	       (unsigned long long)w->addr, vmlab_level_name(w->leaf_level), flags,
	       present ? vmlab_cache_name(w->cache_mode) : "-", pfn, map, page_kind(w),
	       colour(C_INFO), vmlab_verdict_name(w->verdict), colour(C_RESET),
	       vmlab_verdict_reason(w->verdict));
}

/* Checks a walk against what the lesson expects of it. */
static void check_want(struct lab *lab, const struct vmlab_walk *w, const struct want *want)
{
	__u32 bad;
	unsigned int bit;

	if (w->verdict != want->verdict)
		mismatch(lab, "expected verdict %s, kernel shows %s",
			 vmlab_verdict_name(want->verdict), vmlab_verdict_name(w->verdict));
	bad = (want->pte_set & ~w->leaf_flags) | (want->pte_clear & w->leaf_flags);
	for (bit = 0; bit < 32; bit++)
		if (bad & (1u << bit))
			mismatch(lab, "expected entry bit %s %s, kernel shows it %s",
				 vmlab_pte_flag_name(bit),
				 want->pte_set & (1u << bit) ? "set" : "clear",
				 w->leaf_flags & (1u << bit) ? "set" : "clear");
	bad = (want->page_set & ~w->page_flags) | (want->page_clear & w->page_flags);
	for (bit = 0; bit < 32; bit++)
		if (bad & (1u << bit))
			mismatch(lab, "expected page flag %s %s, kernel shows it %s",
				 vmlab_page_flag_name(bit),
				 want->page_set & (1u << bit) ? "set" : "clear",
				 w->page_flags & (1u << bit) ? "set" : "clear");
}

/*
 * Walks @addr in process @pid (0: us), prints the line and checks it
 * against @want; the walk goes to @w. Returns -1 when the walk failed.
 */
static int step_pid(struct lab *lab, const char *label, pid_t pid, const volatile void *addr,
		    const struct want *want, struct vmlab_walk *w)
{
	if (vmlab_walk(lab->fd, pid, (uintptr_t)addr, w)) {
		lab_error(lab, "VMLAB_IOC_WALK");
		return -1;
	}
	show(lab, label, w);
	check_want(lab, w, want);
	return 0;
}

static int step(struct lab *lab, const char *label, const volatile void *addr,
		const struct want *want, struct vmlab_walk *w)
{
	return step_pid(lab, label, 0, addr, want, w);
}

/* mmap(2) that the lesson's end unmaps; NULL (and an error) on failure. */
static void *lab_mmap(struct lab *lab, size_t len, int prot, int flags, int fd, __u64 off)
{
	void *p;

	if (lab->nr_maps == MAX_MAPS) {
		errno = ENOSPC;
		lab_error(lab, "mmap");
		return NULL;
	}
	p = mmap(NULL, len, prot, flags, fd, (off_t)off);
	if (p == MAP_FAILED) {
		lab_error(lab, "mmap");
		return NULL;
	}
	lab->maps[lab->nr_maps].p = p;
	lab->maps[lab->nr_maps++].len = len;
	return p;
}

/* Plain anonymous memory of @pages pages, base pages only (no THP). */
static char *lab_anon(struct lab *lab, size_t pages, int flags)
{
	char *p = lab_mmap(lab, pages * PG, PROT_READ | PROT_WRITE, flags | MAP_ANONYMOUS, -1, 0);

	if (p && !(flags & MAP_SHARED))
		madvise(p, pages * PG, MADV_NOHUGEPAGE);
	return p;
}

/*
 * A region of @kind and @pages pages (a FILE one filled with @fill_byte, a
 * DEVICE one with caching mode @cache) that the lesson's end destroys; its
 * id, and its mmap offset in @off; 0 on failure.
 */
static __u32 lab_region(struct lab *lab, __u32 kind, size_t pages, int fill_byte,
			__u32 cache, __u64 *off)
{
	struct vmlab_region_create rc = {
		.kind = kind,
		.length = pages * PG,
		.fill = fill_byte ? VMLAB_FILL_BYTE : VMLAB_FILL_ZERO,
		.fill_byte = fill_byte,
		.cache = cache,
	};

	if (lab->nr_regions == MAX_REGIONS) {
		errno = ENOSPC;
		lab_error(lab, "region create");
		return 0;
	}
	if (vmlab_region_create(lab->fd, &rc)) {
		lab_error(lab, "VMLAB_IOC_REGION_CREATE");
		return 0;
	}
	lab->regions[lab->nr_regions++] = rc.id;
	*off = rc.offset;
	return rc.id;
}

/* A region's counters (all ones when they cannot be read). */
static struct vmlab_region_counters counters(struct lab *lab, __u32 id)
{
	struct vmlab_region_counters c;

	if (vmlab_region_counters(lab->fd, id, &c)) {
		lab_error(lab, "VMLAB_IOC_REGION_INFO");
		memset(&c, 0xff, sizeof(c));
	}
	return c;
}

/* Prints the counters a lesson talks about. */
static struct vmlab_region_counters show_counters(struct lab *lab, __u32 id)
{
	struct vmlab_region_counters c = counters(lab, id);

	printf("  %-26s page_mkwrite %llu, pages_dirty %llu, writebacks %llu, pages_allocated %llu\n",
	       "region counters", c.page_mkwrite, c.pages_dirty, c.writebacks,
	       c.pages_allocated);
	return c;
}

/* One byte of a region through pread(2) at @off; -1 on failure. */
static int pread_byte(struct lab *lab, __u64 off)
{
	unsigned char c;

	if (pread(lab->fd, &c, 1, (off_t)off) != 1) {
		lab_error(lab, "pread");
		return -1;
	}
	return c;
}

/* Undoes what the lesson made: mappings, then regions. */
static void lab_cleanup(struct lab *lab)
{
	while (lab->nr_maps) {
		lab->nr_maps--;
		munmap(lab->maps[lab->nr_maps].p, lab->maps[lab->nr_maps].len);
	}
	while (lab->nr_regions)
		vmlab_region_destroy(lab->fd, lab->regions[--lab->nr_regions]);
}

/*
 * A fork whose child runs @fn(@arg, @tell, @hear): the child writes walks
 * to @tell and waits for bytes on @hear. Returns the child's pid (-1 on
 * error) with the parent's ends in @to_child and @from_child.
 */
static pid_t lab_fork(struct lab *lab, int (*fn)(struct lab *, void *, int, int), void *arg,
		      int *to_child, int *from_child)
{
	int down[2] = { -1, -1 }, up[2] = { -1, -1 };
	pid_t pid = -1;

	if (pipe(down) || pipe(up)) {
		lab_error(lab, "pipe");
		goto close_pipes;
	}
	fflush(stdout);		/* or the child would print it again */
	pid = fork();
	if (pid < 0) {
		lab_error(lab, "fork");
		goto close_pipes;
	}
	if (pid == 0) {
		close(down[1]);
		close(up[0]);
		_exit(fn(lab, arg, up[1], down[0]));
	}
	close(down[0]);
	close(up[1]);
	*to_child = down[1];
	*from_child = up[0];
	return pid;

close_pipes:
	close(down[0]);
	close(down[1]);
	close(up[0]);
	close(up[1]);
	return -1;
}

/* The next walk the child sent; -1 (and an error) when it sent none. */
static int child_walk(struct lab *lab, int from_child, struct vmlab_walk *w)
{
	if (read(from_child, w, sizeof(*w)) != sizeof(*w)) {
		errno = EPIPE;
		lab_error(lab, "the child's walk");
		return -1;
	}
	return 0;
}

/* Child side: walks @addr and sends it up; 0 or -1. */
static int send_walk(struct lab *lab, const volatile void *addr, int tell)
{
	struct vmlab_walk w;

	if (vmlab_walk(lab->fd, 0, (uintptr_t)addr, &w))
		return -1;
	return write(tell, &w, sizeof(w)) == sizeof(w) ? 0 : -1;
}

/* Child side: waits for the parent's go; 0, or -1 when the parent is gone. */
static int wait_go(int hear)
{
	char c;

	return read(hear, &c, 1) == 1 ? 0 : -1;
}

/* Ends a lab_fork child: closes our ends, reaps it, checks it exited 0. */
static void lab_reap(struct lab *lab, pid_t pid, int to_child, int from_child)
{
	int status;

	close(to_child);
	close(from_child);
	if (waitpid(pid, &status, 0) != pid) {
		lab_error(lab, "waitpid");
		return;
	}
	if (!WIFEXITED(status) || WEXITSTATUS(status))
		mismatch(lab, "expected the child to exit 0, kernel shows status %#x", status);
}

/* ---- the lessons ---- */

/* FILE region MAP_PRIVATE: reads share the backing page, the first write copies. */
static void lesson_private_file(struct lab *lab)
{
	struct vmlab_walk none, priv, shared, copied, after;
	volatile char *s, *v;
	__u64 off;

	if (!lab_region(lab, VMLAB_REGION_FILE, 1, 'v', VMLAB_CACHE_WB, &off))
		return;
	s = lab_mmap(lab, PG, PROT_READ | PROT_WRITE, MAP_SHARED, lab->fd, off);
	v = lab_mmap(lab, PG, PROT_READ | PROT_WRITE, MAP_PRIVATE, lab->fd, off);
	if (!s || !v)
		return;
	say("map a FILE region filled with 'v' twice: MAP_SHARED (s) and MAP_PRIVATE (p)");
	print_header(lab);
	step(lab, "p: untouched", v, &(struct want){ VMLAB_COW_NONE }, &none);

	say("read a byte through each mapping");
	check_char(lab, "the private mapping to read", 'v', v[0]);
	check_char(lab, "the shared mapping to read", 'v', s[0]);
	step(lab, "p: after the read", v, &(struct want){ VMLAB_COW_PRIVATE_FILE,
		.pte_set = VMLAB_PTE_PRESENT, .pte_clear = VMLAB_PTE_WRITE,
		.page_set = VMLAB_PAGE_VMLAB, .page_clear = VMLAB_PAGE_ANON }, &priv);
	step(lab, "s: after the read", s, &(struct want){ VMLAB_COW_SHARED_CLEAN,
		.pte_set = VMLAB_PTE_PRESENT, .pte_clear = VMLAB_PTE_WRITE,
		.page_set = VMLAB_PAGE_VMLAB }, &shared);
	check_pfn(lab, "both mappings to show the backing page", &priv, &shared, true);

	say("write 'x' through the private mapping");
	v[0] = 'x';
	step(lab, "p: after the write", v, &(struct want){ VMLAB_COW_WRITABLE,
		.pte_set = VMLAB_PTE_PRESENT | VMLAB_PTE_WRITE | VMLAB_PTE_DIRTY,
		.page_set = VMLAB_PAGE_ANON | VMLAB_PAGE_ANON_EXCLUSIVE,
		.page_clear = VMLAB_PAGE_VMLAB }, &copied);
	step(lab, "s: after the write", s, &(struct want){ VMLAB_COW_SHARED_CLEAN,
		.page_set = VMLAB_PAGE_VMLAB }, &after);
	check_pfn(lab, "the private copy to be a new page", &copied, &shared, false);
	check_pfn(lab, "the shared mapping to keep the backing page", &after, &shared, true);
	check_char(lab, "the backing byte (pread) still", 'v', pread_byte(lab, off));
	check_char(lab, "the shared mapping's byte still", 'v', s[0]);
}

/* FILE region MAP_SHARED: writes reach the backing page; page_mkwrite once per clean page. */
static void lesson_shared_file(struct lab *lab)
{
	struct vmlab_region_counters c0, c;
	struct vmlab_walk w, written, other;
	volatile char *a, *b;
	__u64 off;
	__u32 id;

	id = lab_region(lab, VMLAB_REGION_FILE, 1, 0, VMLAB_CACHE_WB, &off);
	if (!id)
		return;
	a = lab_mmap(lab, PG, PROT_READ | PROT_WRITE, MAP_SHARED, lab->fd, off);
	b = lab_mmap(lab, PG, PROT_READ, MAP_SHARED, lab->fd, off);
	if (!a || !b)
		return;
	say("map a zero-filled FILE region MAP_SHARED twice: read-write (a), read-only (b)");
	print_header(lab);
	step(lab, "a: untouched", a, &(struct want){ VMLAB_COW_NONE }, &w);

	say("read a byte through a: the page is mapped write-protected, clean");
	check_char(lab, "a to read", 0, a[0]);
	step(lab, "a: after the read", a, &(struct want){ VMLAB_COW_SHARED_CLEAN,
		.pte_set = VMLAB_PTE_PRESENT, .pte_clear = VMLAB_PTE_WRITE,
		.page_set = VMLAB_PAGE_VMLAB, .page_clear = VMLAB_PAGE_ANON }, &w);
	c0 = show_counters(lab, id);

	say("write 's' through a: the write fault calls vmlab's page_mkwrite");
	a[0] = 's';
	step(lab, "a: after the write", a, &(struct want){ VMLAB_COW_SHARED_WRITABLE,
		.pte_set = VMLAB_PTE_PRESENT | VMLAB_PTE_WRITE | VMLAB_PTE_DIRTY,
		.page_set = VMLAB_PAGE_VMLAB, .page_clear = VMLAB_PAGE_ANON }, &written);
	c = show_counters(lab, id);
	check_u64(lab, "page_mkwrite calls", c0.page_mkwrite + 1, c.page_mkwrite);
	check_u64(lab, "dirty pages", 1, c.pages_dirty);
	check_pfn(lab, "the write to keep the page", &w, &written, true);

	say("read it back through pread(2) and through b");
	check_char(lab, "pread to read", 's', pread_byte(lab, off));
	check_char(lab, "b to read", 's', b[0]);
	step(lab, "b: after the read", b, &(struct want){ VMLAB_COW_READONLY,
		.pte_set = VMLAB_PTE_PRESENT, .page_set = VMLAB_PAGE_VMLAB }, &other);
	check_pfn(lab, "both mappings to show one page", &written, &other, true);
	check_u64(lab, "mapcount of the page mapped by a and b", 2, other.mapcount);

	say("write again through a: the entry is writable already, no page_mkwrite");
	a[1] = 't';
	check_u64(lab, "page_mkwrite calls", c0.page_mkwrite + 1,
		  counters(lab, id).page_mkwrite);
}

/* ANON region MAP_PRIVATE: vmlab's zero page, then a private copy; MAP_ANONYMOUS's zero page. */
static void lesson_private_anon(struct lab *lab)
{
	struct vmlab_walk w, zero, copied, kzero;
	volatile char *p, *q;
	__u64 off;
	__u32 id;

	id = lab_region(lab, VMLAB_REGION_ANON, 2, 0, VMLAB_CACHE_WB, &off);
	if (!id)
		return;
	p = lab_mmap(lab, 2 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE, lab->fd, off);
	q = lab_anon(lab, 1, MAP_PRIVATE);
	if (!p || !q)
		return;
	say("map an ANON region MAP_PRIVATE (p) and plain MAP_ANONYMOUS memory (q)");
	print_header(lab);
	step(lab, "p: untouched", p, &(struct want){ VMLAB_COW_NONE }, &w);

	say("read p: vmlab maps its own zero page, read-only");
	check_char(lab, "p to read", 0, p[0]);
	step(lab, "p: after the read", p, &(struct want){ VMLAB_COW_ZERO_PAGE,
		.pte_set = VMLAB_PTE_PRESENT, .pte_clear = VMLAB_PTE_WRITE,
		.page_set = VMLAB_PAGE_VMLAB_ZERO, .page_clear = VMLAB_PAGE_ANON }, &zero);

	say("write p: the kernel copies the zero page into a private anonymous page");
	p[0] = 'w';
	step(lab, "p: after the write", p, &(struct want){ VMLAB_COW_WRITABLE,
		.pte_set = VMLAB_PTE_PRESENT | VMLAB_PTE_WRITE | VMLAB_PTE_DIRTY,
		.page_set = VMLAB_PAGE_ANON | VMLAB_PAGE_ANON_EXCLUSIVE,
		.page_clear = VMLAB_PAGE_VMLAB_ZERO }, &copied);
	check_pfn(lab, "the copy to be a new page", &zero, &copied, false);
	(void)p[PG];
	step(lab, "p+4k: read, still zero", p + PG, &(struct want){ VMLAB_COW_ZERO_PAGE,
		.page_set = VMLAB_PAGE_VMLAB_ZERO }, &w);
	check_pfn(lab, "every unwritten page to show the one zero page", &zero, &w, true);
	check_u64(lab, "region pages allocated (a private copy is not the region's)", 0,
		  counters(lab, id).pages_allocated);

	say("read q, plain MAP_ANONYMOUS: the kernel's own zero page");
	check_char(lab, "q to read", 0, q[0]);
	step(lab, "q: after the read", q, &(struct want){ VMLAB_COW_ZERO_PAGE,
		.pte_set = VMLAB_PTE_PRESENT, .pte_clear = VMLAB_PTE_WRITE,
		.page_set = VMLAB_PAGE_ZERO, .page_clear = VMLAB_PAGE_VMLAB_ZERO }, &kzero);
	check_pfn(lab, "vmlab's zero page and the kernel's to differ", &zero, &kzero, false);
}

/* shared-anon's child: writes 'k' to the page at @arg and reports its walk */
static int shared_anon_child(struct lab *lab, void *arg, int tell, int hear)
{
	volatile char *p = arg;

	p[5] = 'k';
	return send_walk(lab, p, tell) ? 1 : 0;
}

/* ANON region MAP_SHARED: zero-filled on first touch, shared with a fork child. */
static void lesson_shared_anon(struct lab *lab)
{
	struct vmlab_walk w, child, mine;
	int to_child, from_child;
	volatile char *p;
	__u64 off;
	pid_t pid;
	__u32 id;

	id = lab_region(lab, VMLAB_REGION_ANON, 16, 0, VMLAB_CACHE_WB, &off);
	if (!id)
		return;
	p = lab_mmap(lab, 16 * PG, PROT_READ | PROT_WRITE, MAP_SHARED, lab->fd, off);
	if (!p)
		return;
	say("map a 16-page ANON region MAP_SHARED: nothing is allocated yet");
	print_header(lab);
	step(lab, "page 3: untouched", p + 3 * PG, &(struct want){ VMLAB_COW_NONE }, &w);
	check_u64(lab, "pages allocated", 0, show_counters(lab, id).pages_allocated);

	say("read page 3: vmlab allocates a zero-filled page, shared by every mapper");
	check_char(lab, "page 3 to read", 0, p[3 * PG]);
	step(lab, "page 3: after the read", p + 3 * PG, &(struct want){
		VMLAB_COW_SHARED_WRITABLE, .pte_set = VMLAB_PTE_PRESENT,
		.page_set = VMLAB_PAGE_VMLAB,
		.page_clear = VMLAB_PAGE_ANON | VMLAB_PAGE_VMLAB_ZERO }, &w);
	check_u64(lab, "pages allocated", 1, show_counters(lab, id).pages_allocated);

	say("fork; the child writes 'k' to page 9 and walks it");
	pid = lab_fork(lab, shared_anon_child, (char *)p + 9 * PG, &to_child, &from_child);
	if (pid < 0)
		return;
	if (child_walk(lab, from_child, &child)) {
		lab_reap(lab, pid, to_child, from_child);
		return;
	}
	show(lab, "page 9: child, its write", &child);
	lab_reap(lab, pid, to_child, from_child);
	check_want(lab, &child, &(struct want){ VMLAB_COW_SHARED_WRITABLE,
		.pte_set = VMLAB_PTE_PRESENT | VMLAB_PTE_WRITE | VMLAB_PTE_DIRTY,
		.page_set = VMLAB_PAGE_VMLAB });
	check_char(lab, "the parent to read the child's write", 'k', p[9 * PG + 5]);
	step(lab, "page 9: parent, then", p + 9 * PG, &(struct want){
		VMLAB_COW_SHARED_WRITABLE, .page_set = VMLAB_PAGE_VMLAB }, &mine);
	check_pfn(lab, "parent and child to map one page", &child, &mine, true);
	step(lab, "page 5: never touched", p + 5 * PG, &(struct want){ VMLAB_COW_NONE }, &w);
	check_u64(lab, "pages allocated (pages 3 and 9)", 2,
		  show_counters(lab, id).pages_allocated);
}

/* fork-cow's child: reports the shared page, writes it, reports the copy */
static int fork_cow_child(struct lab *lab, void *arg, int tell, int hear)
{
	volatile char *p = arg;

	if (send_walk(lab, p, tell) || wait_go(hear))
		return 1;
	p[0] = 'c';
	if (send_walk(lab, p, tell))
		return 1;
	wait_go(hear);		/* exits when the parent says so */
	return 0;
}

/* MAP_ANONYMOUS and fork: COW-shared, copied by the child's write, reused by the parent. */
static void lesson_fork_cow(struct lab *lab)
{
	struct vmlab_walk before, shared, child, copied, alone, reused;
	int to_child, from_child;
	cpu_set_t was, cpu0;
	volatile char *p;
	pid_t pid;

	/*
	 * One CPU for both processes: a fresh page waits in its CPU's LRU
	 * batch (a reference) until drained, and a write fault drains only
	 * its own CPU's batch before choosing between reusing and copying.
	 */
	CPU_ZERO(&cpu0);
	CPU_SET(0, &cpu0);
	if (sched_getaffinity(0, sizeof(was), &was) || sched_setaffinity(0, sizeof(cpu0), &cpu0)) {
		lab_error(lab, "sched_setaffinity");
		return;
	}
	p = lab_anon(lab, 1, MAP_PRIVATE);
	if (!p)
		goto out;
	say("write a page of MAP_ANONYMOUS memory, then fork");
	print_header(lab);
	p[0] = 'p';
	step(lab, "parent: before fork", p, &(struct want){ VMLAB_COW_WRITABLE,
		.pte_set = VMLAB_PTE_WRITE, .page_set = VMLAB_PAGE_ANON_EXCLUSIVE }, &before);
	pid = lab_fork(lab, fork_cow_child, (void *)p, &to_child, &from_child);
	if (pid < 0)
		goto out;
	if (child_walk(lab, from_child, &child))
		goto reap;
	show(lab, "child: after fork", &child);
	step(lab, "parent: after fork", p, &(struct want){ VMLAB_COW_SHARED,
		.pte_clear = VMLAB_PTE_WRITE, .page_set = VMLAB_PAGE_ANON,
		.page_clear = VMLAB_PAGE_ANON_EXCLUSIVE }, &shared);
	check_want(lab, &child, &(struct want){ VMLAB_COW_SHARED,
		.pte_clear = VMLAB_PTE_WRITE, .page_clear = VMLAB_PAGE_ANON_EXCLUSIVE });
	check_u64(lab, "mapcount of the shared page (parent)", 2, shared.mapcount);
	check_u64(lab, "mapcount of the shared page (child)", 2, child.mapcount);
	check_pfn(lab, "fork to keep the page", &before, &shared, true);
	check_pfn(lab, "parent and child to map one page", &shared, &child, true);

	say("the child writes: it gets a copy of its own");
	if (write(to_child, "w", 1) != 1 || child_walk(lab, from_child, &copied))
		goto reap;
	show(lab, "child: after its write", &copied);
	check_want(lab, &copied, &(struct want){ VMLAB_COW_WRITABLE,
		.pte_set = VMLAB_PTE_WRITE, .page_set = VMLAB_PAGE_ANON_EXCLUSIVE });
	check_pfn(lab, "the child's copy to be a new page", &copied, &shared, false);
	check_u64(lab, "mapcount of the child's copy", 1, copied.mapcount);

	say("the child exits: the page is the parent's alone, still write-protected");
	if (write(to_child, "x", 1) != 1)
		lab_error(lab, "write to the child");
reap:
	lab_reap(lab, pid, to_child, from_child);
	step(lab, "parent: child gone", p, &(struct want){ VMLAB_COW_EXCLUSIVE_WP,
		.pte_clear = VMLAB_PTE_WRITE, .page_set = VMLAB_PAGE_ANON }, &alone);
	check_u64(lab, "mapcount once the child is gone", 1, alone.mapcount);
	check_char(lab, "the parent's byte still", 'p', p[0]);

	say("the parent writes: the kernel reuses the page, no copy");
	p[0] = 'q';
	step(lab, "parent: after its write", p, &(struct want){ VMLAB_COW_WRITABLE,
		.pte_set = VMLAB_PTE_WRITE, .page_set = VMLAB_PAGE_ANON_EXCLUSIVE }, &reused);
	check_pfn(lab, "the write to reuse the page", &alone, &reused, true);
out:
	sched_setaffinity(0, sizeof(was), &was);
}

/* Counts the leaves of [@p, @p + @pages pages) by verdict; -1 on error. */
static long count_leaves(struct lab *lab, const volatile char *p, size_t pages,
			 unsigned int verdict, long *with_verdict)
{
	struct vmlab_walk_record recs[64];
	long n, i;

	n = vmlab_walk_range_all(lab->fd, 0, (uintptr_t)p, (uintptr_t)p + pages * PG, recs,
				 ARRAY_SIZE(recs), NULL);
	if (n < 0) {
		lab_error(lab, "VMLAB_IOC_WALK_RANGE");
		return -1;
	}
	*with_verdict = 0;
	for (i = 0; i < n; i++)
		*with_verdict += recs[i].verdict == verdict;
	return n;
}

/* Demand paging: untouched pages have no entry, reads map the zero page, writes allocate. */
static void lesson_zero_page(struct lab *lab)
{
	static const struct {
		const char *what;
		size_t first, nr;	/* pages touched */
		bool write;
		long leaves, zero, writable;	/* a range walk afterwards */
	} steps[] = {
		{ "nothing touched yet", 0, 0, false, 0, 0, 0 },
		{ "read pages 0-7", 0, 8, false, 8, 8, 0 },
		{ "write pages 6-9", 6, 4, true, 10, 6, 4 },
	};
	struct vmlab_walk w, zero;
	volatile char *p;
	long n, z, wr;
	size_t s, i;

	p = lab_anon(lab, 16, MAP_PRIVATE);
	if (!p)
		return;
	say("map 16 pages of MAP_ANONYMOUS memory and count the leaves after each step");
	for (s = 0; s < ARRAY_SIZE(steps); s++) {
		for (i = steps[s].first; i < steps[s].first + steps[s].nr; i++) {
			if (steps[s].write)
				p[i * PG] = 1;
			else
				(void)p[i * PG];
		}
		n = count_leaves(lab, p, 16, VMLAB_COW_ZERO_PAGE, &z);
		if (n < 0 || count_leaves(lab, p, 16, VMLAB_COW_WRITABLE, &wr) < 0)
			return;
		printf("  %-26s %ld of 16 pages mapped: %ld zero-page, %ld writable\n",
		       steps[s].what, n, z, wr);
		check_u64(lab, "pages mapped", steps[s].leaves, n);
		check_u64(lab, "zero-page leaves", steps[s].zero, z);
		check_u64(lab, "writable leaves", steps[s].writable, wr);
	}
	print_header(lab);
	step(lab, "page 12: never touched", p + 12 * PG, &(struct want){ VMLAB_COW_NONE,
		.pte_clear = VMLAB_PTE_PRESENT }, &w);
	step(lab, "page 0: read", p, &(struct want){ VMLAB_COW_ZERO_PAGE,
		.pte_set = VMLAB_PTE_PRESENT, .pte_clear = VMLAB_PTE_WRITE,
		.page_set = VMLAB_PAGE_ZERO }, &zero);
	step(lab, "page 5: read", p + 5 * PG, &(struct want){ VMLAB_COW_ZERO_PAGE,
		.page_set = VMLAB_PAGE_ZERO }, &w);
	check_pfn(lab, "every read page to map the one zero page", &zero, &w, true);
	step(lab, "page 7: read, then written", p + 7 * PG, &(struct want){ VMLAB_COW_WRITABLE,
		.pte_set = VMLAB_PTE_WRITE | VMLAB_PTE_DIRTY,
		.page_set = VMLAB_PAGE_ANON | VMLAB_PAGE_ANON_EXCLUSIVE }, &w);
	step(lab, "page 9: written", p + 9 * PG, &(struct want){ VMLAB_COW_WRITABLE,
		.page_set = VMLAB_PAGE_ANON | VMLAB_PAGE_ANON_EXCLUSIVE }, &w);
}

/* FILE MAP_SHARED: dirty tracking by page_mkwrite, cleaned and write-protected by msync. */
static void lesson_msync(struct lab *lab)
{
	static const struct want dirty = { VMLAB_COW_SHARED_WRITABLE,
		.pte_set = VMLAB_PTE_PRESENT | VMLAB_PTE_WRITE | VMLAB_PTE_DIRTY,
		.page_set = VMLAB_PAGE_VMLAB | VMLAB_PAGE_DIRTY };
	struct vmlab_region_counters c;
	struct vmlab_walk w, clean;
	volatile char *p;
	__u64 off;
	__u32 id;

	id = lab_region(lab, VMLAB_REGION_FILE, 1, 0, VMLAB_CACHE_WB, &off);
	if (!id)
		return;
	p = lab_mmap(lab, PG, PROT_READ | PROT_WRITE, MAP_SHARED, lab->fd, off);
	if (!p)
		return;
	say("map a FILE region MAP_SHARED and write to it");
	print_header(lab);
	p[0] = 'd';
	step(lab, "after the first write", p, &dirty, &w);
	c = show_counters(lab, id);
	check_u64(lab, "page_mkwrite calls", 1, c.page_mkwrite);
	check_u64(lab, "dirty pages", 1, c.pages_dirty);

	say("msync(MS_SYNC): vmlab writes the page back, clean and write-protected again");
	if (msync((void *)p, PG, MS_SYNC)) {
		lab_error(lab, "msync");
		return;
	}
	step(lab, "after msync", p, &(struct want){ VMLAB_COW_SHARED_CLEAN,
		.pte_set = VMLAB_PTE_PRESENT, .pte_clear = VMLAB_PTE_WRITE | VMLAB_PTE_DIRTY,
		.page_clear = VMLAB_PAGE_DIRTY }, &clean);
	c = show_counters(lab, id);
	check_u64(lab, "dirty pages", 0, c.pages_dirty);
	check_u64(lab, "writebacks", 1, c.writebacks);
	check_pfn(lab, "writeback to keep the page", &w, &clean, true);

	say("read it, then write again: only the write calls page_mkwrite");
	check_char(lab, "the page to read", 'd', p[0]);
	check_u64(lab, "page_mkwrite calls after a read", 1, counters(lab, id).page_mkwrite);
	p[0] = 'e';
	step(lab, "after the second write", p, &dirty, &w);
	c = show_counters(lab, id);
	check_u64(lab, "page_mkwrite calls", 2, c.page_mkwrite);
	check_u64(lab, "dirty pages", 1, c.pages_dirty);
	check_char(lab, "pread to read", 'e', pread_byte(lab, off));
}

/*
 * Whether the PAT layout the kernel programmed (its boot log's line
 * "x86/PAT: Configuration [0-7]: ...") has a write-combining slot: 1 yes,
 * 0 no, -1 unknown (no such line, or no right to read the log). Without
 * one, e.g. 6.1 booted by firmware that left the MTRRs disabled,
 * pgprot_writecombine() falls back to UC-.
 */
static int pat_has_wc(void)
{
	static const char key[] = "x86/PAT: Configuration [0-7]:";
	int len = klogctl(10 /* SYSLOG_ACTION_SIZE_BUFFER */, NULL, 0);
	char *buf, *line, *eol;
	int ret = -1;

	if (len <= 0)
		return -1;
	buf = malloc(len + 1);
	if (!buf)
		return -1;
	len = klogctl(3 /* SYSLOG_ACTION_READ_ALL */, buf, len);
	if (len > 0) {
		buf[len] = '\0';
		line = strstr(buf, key);
		if (line) {
			eol = strchrnul(line, '\n');
			*eol = '\0';
			ret = strstr(line, " WC ") != NULL;
		}
	}
	free(buf);
	return ret;
}

/*
 * A PCI region of the whole BAR @bar of @addr that the lesson's end
 * destroys, mapped MAP_SHARED with @prot; NULL on failure.
 */
static volatile char *lab_bar(struct lab *lab, __u32 addr, __u32 bar, __u32 flags, int prot,
			      struct vmlab_region_create *rc)
{
	if (lab->nr_regions == MAX_REGIONS) {
		errno = ENOSPC;
		lab_error(lab, "region create");
		return NULL;
	}
	if (vmlab_region_pci(lab->fd, addr, bar, 0, 0, flags, 0, rc)) {
		lab_error(lab, "VMLAB_IOC_REGION_CREATE (pci)");
		return NULL;
	}
	lab->regions[lab->nr_regions++] = rc->id;
	return lab_mmap(lab, rc->length, prot, MAP_SHARED, lab->fd, rc->offset);
}

/*
 * The real thing: BAR2 of QEMU's ivshmem, memory the host shares (filled
 * with its pattern before boot, see libvmlab.h), and BAR0, its registers.
 * @wc_leaf: what a WC DEVICE region's leaf showed, the mode WC gives here.
 */
static void lesson_device_pci(struct lab *lab, __u32 addr, unsigned int wc_leaf)
{
	const struct want pfnmap = { VMLAB_COW_PFNMAP,
		.pte_set = VMLAB_PTE_PRESENT | VMLAB_PTE_SPECIAL, .page_clear = VMLAB_PAGE_PRESENT };
	const struct want regs = { VMLAB_COW_READONLY,
		.pte_set = VMLAB_PTE_PRESENT | VMLAB_PTE_SPECIAL,
		.pte_clear = VMLAB_PTE_WRITE, .page_clear = VMLAB_PAGE_PRESENT };
	struct vmlab_region_create rc;
	volatile uint64_t *words;
	struct vmlab_walk w;
	volatile char *p;
	char name[16];
	size_t i;

	vmlab_pci_format(name, sizeof(name), addr);
	say("now real device memory: BAR2 of PCI device %s, QEMU's ivshmem, shared with the host",
	    name);
	p = lab_bar(lab, addr, 2, 0, PROT_READ | PROT_WRITE, &rc);
	if (!p)
		return;
	printf("  region %u: %s BAR2, %llu KiB, caching %s (the BAR is prefetchable: write-combining)\n",
	       rc.id, name, (unsigned long long)rc.length >> 10, vmlab_cache_name(rc.cache));
	printf("  the first bytes, as the host wrote them before boot (offset, then \"host\"):\n");
	hexdump_c(stdout, p, 32, 0);
	words = (volatile uint64_t *)p;
	if (rc.length >= VMLAB_IVSHMEM_SIZE) {
		for (i = 0; i < 4; i++)
			if (words[i] != vmlab_ivshmem_word(VMLAB_IVSHMEM_HOST_TAG, i * 8))
				mismatch(lab, "expected the host's pattern at offset %zu, the BAR holds %#llx",
					 i * 8, (unsigned long long)words[i]);
		/* the guest's pattern, which the host checks after power-off */
		words = (volatile uint64_t *)(p + VMLAB_IVSHMEM_GUEST_OFF);
		for (i = 0; i < (VMLAB_IVSHMEM_SIZE - VMLAB_IVSHMEM_GUEST_OFF) / 8; i++)
			words[i] = vmlab_ivshmem_word(VMLAB_IVSHMEM_GUEST_TAG,
						      VMLAB_IVSHMEM_GUEST_OFF + i * 8);
		printf("  wrote the guest's pattern over the second MiB (\"gwrt\"): the host reads it\n"
		       "  back from its file after this VM powers off\n");
	}
	print_header(lab);
	if (step(lab, "BAR2: after a read", p, &pfnmap, &w))
		return;
	if (w.cache_mode != wc_leaf)
		mismatch(lab, "expected caching mode %s in the leaf, kernel shows %s",
			 vmlab_cache_name(wc_leaf), vmlab_cache_name(w.cache_mode));
	if ((w.vma_flags & (VMLAB_VMA_PFNMAP | VMLAB_VMA_IO)) != (VMLAB_VMA_PFNMAP | VMLAB_VMA_IO))
		mismatch(lab, "expected a VM_PFNMAP | VM_IO mapping, kernel shows vma flags %#x",
			 w.vma_flags);

	say("BAR0: ivshmem's registers, read-only and uncached (a write could ring a doorbell)");
	p = lab_bar(lab, addr, 0, VMLAB_REGION_READONLY, PROT_READ, &rc);
	if (!p)
		return;
	printf("  IntrMask, IntrStatus, IVPosition, Doorbell:\n");
	hexdump_c(stdout, p, 16, 0);
	print_header(lab);
	if (step(lab, "BAR0: after a read", p, &regs, &w))
		return;
	if (w.cache_mode != VMLAB_CACHE_UC_MINUS && w.cache_mode != VMLAB_CACHE_UC)
		mismatch(lab, "expected an uncached leaf, kernel shows %s",
			 vmlab_cache_name(w.cache_mode));
	printf("  unlike page-cache memory: no struct page (the walk says no-page: nothing to\n"
	       "  count, lock or reclaim), VM_PFNMAP | VM_IO (no get_user_pages, no core\n"
	       "  dump), no copy-on-write (MAP_PRIVATE is refused), and the caching mode comes from\n"
	       "  the device: WC for prefetchable memory, UC for registers\n");
}

/* DEVICE regions: PFN maps without struct page, a caching mode each, shared only. */
static void lesson_device(struct lab *lab)
{
	/*
	 * x86's pgprot_noncached() asks for UC- ("uncached unless an MTRR
	 * says write-combining"), and that is what a UC region's leaf holds;
	 * without a WC slot in PAT, pgprot_writecombine() gives UC- too.
	 */
	static const struct {
		__u32 cache, leaf, leaf_nowc;
		const char *label;
	} modes[] = {
		{ VMLAB_CACHE_WB, VMLAB_CACHE_WB, VMLAB_CACHE_WB, "WB region: after a write" },
		{ VMLAB_CACHE_WC, VMLAB_CACHE_WC, VMLAB_CACHE_UC_MINUS, "WC region: after a write" },
		{ VMLAB_CACHE_UC, VMLAB_CACHE_UC_MINUS, VMLAB_CACHE_UC_MINUS,
		  "UC region: after a write" },
	};
	int wc = pat_has_wc();
	unsigned int wc_leaf = VMLAB_CACHE_WC;
	struct vmlab_walk w;
	volatile char *p;
	__u32 pci;
	size_t i;
	__u64 off;

	say("map a DEVICE region of each caching mode MAP_SHARED and write to it");
	print_header(lab);
	for (i = 0; i < ARRAY_SIZE(modes); i++) {
		if (!lab_region(lab, VMLAB_REGION_DEVICE, 1, 0, modes[i].cache, &off))
			return;
		p = lab_mmap(lab, PG, PROT_READ | PROT_WRITE, MAP_SHARED, lab->fd, off);
		if (!p)
			return;
		p[0] = 'D';
		if (step(lab, modes[i].label, p, &(struct want){ VMLAB_COW_PFNMAP,
			.pte_set = VMLAB_PTE_PRESENT | VMLAB_PTE_WRITE | VMLAB_PTE_SPECIAL,
			.page_clear = VMLAB_PAGE_PRESENT }, &w))
			return;
		if ((wc == 1 && w.cache_mode != modes[i].leaf) ||
		    (wc == 0 && w.cache_mode != modes[i].leaf_nowc) ||
		    (w.cache_mode != modes[i].leaf && w.cache_mode != modes[i].leaf_nowc))
			mismatch(lab, "expected caching mode %s in the leaf, kernel shows %s",
				 vmlab_cache_name(wc ? modes[i].leaf : modes[i].leaf_nowc),
				 vmlab_cache_name(w.cache_mode));
		if ((w.vma_flags & (VMLAB_VMA_PFNMAP | VMLAB_VMA_IO)) !=
		    (VMLAB_VMA_PFNMAP | VMLAB_VMA_IO))
			mismatch(lab, "expected a VM_PFNMAP | VM_IO mapping, kernel shows vma flags %#x",
				 w.vma_flags);
		if (w.backing != VMLAB_BACKING_VMLAB)
			mismatch(lab, "expected backing vmlab, kernel shows %s",
				 vmlab_backing_name(w.backing));
		if (modes[i].cache == VMLAB_CACHE_WC)
			wc_leaf = w.cache_mode;
	}
	printf("  (UC shows as UC-: what x86's pgprot_noncached() asks for; %s)\n",
	       wc == 1 ? "this kernel's PAT layout has WC" :
	       wc == 0 ? "this kernel's PAT layout has no WC, so WC falls back to UC-" :
	       "the boot log does not say whether PAT offers WC: WC may show as UC-");

	say("map a DEVICE region MAP_PRIVATE: there is no page to copy, so mmap refuses");
	errno = 0;
	p = mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_PRIVATE, lab->fd, off);
	if (p != MAP_FAILED) {
		munmap((void *)p, PG);
		mismatch(lab, "expected MAP_PRIVATE to fail with EINVAL, kernel shows it mapped");
	} else if (errno != EINVAL) {
		mismatch(lab, "expected MAP_PRIVATE to fail with EINVAL, kernel shows %s",
			 strerror(errno));
	} else {
		printf("  %-26s %s\n", "mmap MAP_PRIVATE", strerror(errno));
	}

	if (vmlab_pci_devices(&pci, 1) == 1 && geteuid() == 0)
		lesson_device_pci(lab, pci, wc_leaf);
	else if (vmlab_pci_devices(&pci, 1) == 1)
		printf("  (a PCI device is bound to vmlab, but its BARs are root's: run as root to\n"
		       "  map them)\n");
	else
		printf("  (no PCI device is bound to vmlab: the VM runner adds QEMU's ivshmem, whose\n"
		       "  BARs this lesson then maps as real device memory)\n");
}

/* ---- the table of lessons and the command ---- */

static const struct lesson {
	const char *name;
	const char *title;
	void (*run)(struct lab *lab);
	const char *moral;	/* the lesson, in one or two sentences */
} lessons[] = {
	{ "private-file", "Private file mapping: copy on first write", lesson_private_file,
	  "A MAP_PRIVATE file mapping maps the file's own page until the first write;\n"
	  "that write copies it into an anonymous page of this process, and the file never sees it." },
	{ "shared-file", "Shared file mapping: writes reach the file", lesson_shared_file,
	  "A MAP_SHARED file mapping maps the file's page itself: every mapping and pread see each write.\n"
	  "The first write to a clean page faults once so the file system (page_mkwrite) can mark it dirty." },
	{ "private-anon", "Private anonymous memory: the zero page, then a copy", lesson_private_anon,
	  "Private anonymous memory reads as a shared zero page that costs nothing;\n"
	  "the first write to a page allocates the process's own copy." },
	{ "shared-anon", "Shared anonymous memory: one page for all mappers", lesson_shared_anon,
	  "Shared anonymous memory gets a zero-filled page on the first touch, and only touched pages cost memory;\n"
	  "fork shares the page itself, so a child's write is the parent's too." },
	{ "fork-cow", "Fork and copy-on-write", lesson_fork_cow,
	  "fork write-protects private pages in both processes, sharing them (mapcount 2);\n"
	  "the first writer gets a copy, and a page left with one mapper is reused by its write without a copy." },
	{ "zero-page", "The zero page and demand paging", lesson_zero_page,
	  "mmap only reserves addresses: a page is mapped on first touch, a read maps the one zero page\n"
	  "and a write allocates, so untouched memory costs neither memory nor page-table entries." },
	{ "msync", "msync and dirty tracking through page_mkwrite", lesson_msync,
	  "A shared file page is writable only while dirty: writeback (msync, fsync) cleans it and write-protects it,\n"
	  "so the next write faults into page_mkwrite and the file system learns of it again." },
	{ "device", "Device memory: PFN maps without struct page", lesson_device,
	  "Device memory (a PCI BAR, or memory standing for one) is mapped by PFN (VM_PFNMAP | VM_IO) with no\n"
	  "struct page, in the caching mode the device calls for (WC for prefetchable memory, UC for registers);\n"
	  "with no page to copy there is no copy-on-write, so a private mapping is refused." },
};

/* "lesson: " and the moral, its lines aligned under the first. */
static void print_moral(const struct lab *lab, const char *moral)
{
	const char *nl;

	printf("  %slesson:%s ", colour(C_BOLD), colour(C_RESET));
	while ((nl = strchr(moral, '\n'))) {
		printf("%.*s\n          ", (int)(nl - moral), moral);
		moral = nl + 1;
	}
	printf("%s\n", moral);
}

/* Runs one lesson; true if the kernel showed what it teaches. */
static bool run_lesson(int fd, const struct lesson *l)
{
	struct lab lab = { .fd = fd };

	printf("%s== %s: %s%s\n", colour(C_BOLD), l->name, l->title, colour(C_RESET));
	l->run(&lab);
	lab_cleanup(&lab);
	if (lab.pfn_hidden)
		printf("  (PFNs are hidden from non-root users: PFN comparisons skipped)\n");
	print_moral(&lab, l->moral);
	if (lab.failed)
		printf("  %sFAIL%s: %s (%u mismatches or errors)\n\n", colour(C_BAD), colour(C_RESET),
		       l->name, lab.failed);
	else
		printf("  %sPASS%s: %s\n\n", colour(C_GOOD), colour(C_RESET), l->name);
	fflush(stdout);
	return !lab.failed;
}

static const struct lesson *find_lesson(const char *name)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(lessons); i++)
		if (!strcmp(name, lessons[i].name))
			return &lessons[i];
	return NULL;
}

static void lab_usage(FILE *f)
{
	fprintf(f, "usage: vmlab lab [--list] [NAME...|all]\n"
		"Run guided lessons on memory mappings: each makes real mappings, shows the\n"
		"page tables before and after with the walk, and checks what the kernel shows\n"
		"against what it teaches (\"MISMATCH: ...\" fails the lesson). Without NAME, all.\n"
		"\n"
		"  -l, --list   the lessons, one per line\n"
		"  -h, --help   this text\n"
		"\n"
		"Columns: lvl leaf level; flags P present, W writable, A accessed, D dirty,\n"
		"S special (no struct page), H huge; $ caching mode; map mapcount.\n"
		"Exit status: 0 every lesson passed, 1 one failed, 2 usage or no module.\n");
}

int cmd_lab(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "list", no_argument, NULL, 'l' },
		{ "help", no_argument, NULL, 'h' },
		{ }
	};
	const struct lesson *todo[ARRAY_SIZE(lessons)];
	size_t nr = 0, i, passed = 0;
	int c, fd, status;

	while ((c = getopt_long(argc, argv, "lh", opts, NULL)) != -1) {
		switch (c) {
		case 'l':
			for (i = 0; i < ARRAY_SIZE(lessons); i++)
				printf("%-14s %s\n", lessons[i].name, lessons[i].title);
			return 0;
		default:
			return help_or_usage(c, "lab", argv, lab_usage);
		}
	}
	for (i = optind; i < (size_t)argc; i++) {
		const struct lesson *l = find_lesson(argv[i]);

		if (!strcmp(argv[i], "all")) {
			nr = 0;
			break;
		}
		if (!l) {
			errmsg("lab: no lesson '%s' (%s lab --list shows them)", argv[i], prog);
			return EXIT_USAGE;
		}
		if (nr < ARRAY_SIZE(todo))
			todo[nr++] = l;
	}
	if (!nr)
		for (i = 0; i < ARRAY_SIZE(lessons); i++)
			todo[nr++] = &lessons[i];

	fd = open_device(&status);
	if (fd < 0)
		return status;
	for (i = 0; i < nr; i++)
		passed += run_lesson(fd, todo[i]);
	close(fd);
	if (nr > 1)
		printf("%zu lessons: %zu passed, %zu failed\n", nr, passed, nr - passed);
	return passed == nr ? 0 : 1;
}
