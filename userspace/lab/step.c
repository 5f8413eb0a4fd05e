// SPDX-License-Identifier: GPL-2.0
/*
 * step.c - a lesson's steps: the walk table (its header and one aligned
 * line per walk, laid out for the terminal's width), the checks of what
 * the kernel shows against what the lesson expects, and MISMATCH, which
 * fails the lesson.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "lab.h"

/* An error that stops the step (not a mismatch): the lesson fails. */
void lab_error(struct lab *lab, const char *what)
{
	errmsg("lab: %s: %s", what, strerror(errno));
	lab->failed++;
}

/* Records a difference between the lesson and the kernel. */
void mismatch(struct lab *lab, const char *fmt, ...)
{
	va_list ap;

	printf("  %sMISMATCH:%s ", colour(C_BAD), colour(C_RESET));
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	lab->failed++;
}

void check_u64(struct lab *lab, const char *what, unsigned long long want,
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

void check_char(struct lab *lab, const char *what, int want, int got)
{
	char w[16], g[16];

	if (want != got)
		mismatch(lab, "expected %s %s, kernel shows %s", what,
			 char_str(w, sizeof(w), want), char_str(g, sizeof(g), got));
}

/*
 * Checks that two walks show the same (or, @same false, different) frames:
 * by PFN when they are shown, else by frame token (both walks come through
 * lab->fd, one open of /dev/vmlab, so their tokens compare); skipped only
 * when neither is given (a module without tokens).
 */
void check_pfn(struct lab *lab, const char *what, const struct vmlab_walk *a,
	       const struct vmlab_walk *b, bool same)
{
	bool hidden = (a->walk_flags | b->walk_flags) & VMLAB_WALK_PFN_HIDDEN;
	bool tokens = a->walk_flags & b->walk_flags & VMLAB_WALK_FRAME_TOKEN;
	unsigned long long x = hidden ? a->frame_token : a->pfn;
	unsigned long long y = hidden ? b->frame_token : b->pfn;
	bool equal = x == y;

	if (hidden && !tokens) {
		lab->frames_skipped = true;
		return;
	}
	if (equal != same)
		mismatch(lab, "expected %s (%s %s), kernel shows %s%llx and %s%llx", what,
			 same ? "equal" : "different", hidden ? "frame tokens" : "PFNs",
			 hidden ? "~" : "", hidden ? x & 0xffffffffULL : x,
			 hidden ? "~" : "", hidden ? y & 0xffffffffULL : y);
}

/* A lesson's sentence, with the program's "what happens now" marker, wrapped. */
void say(const char *fmt, ...)
{
	char text[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	printf("  ->");
	print_wrapped(text, 4, 5);
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

/*
 * The walk table's widths: below WIDE_COLUMNS a line drops the lvl column
 * (the lab's leaves are 4K PTEs; a huge one has H in its flags) and puts
 * the verdict on a line of its own, so that a line fits 80 columns.
 */
#define WIDE_COLUMNS	100
#define WIDE_VERDICT_AT	83	/* the column a wide line's verdict starts at */
#define VERDICT_INDENT	4	/* the verdict's own line */
#define WRAP_INDENT	6	/* where a wrapped verdict reason goes on */

unsigned int lab_width(void)
{
	static unsigned int width;
	struct winsize ws;
	const char *env;
	char *end;
	long n;

	if (width)
		return width;
	width = 80;
	if (!ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) && ws.ws_col) {
		width = ws.ws_col;
	} else {
		env = getenv("COLUMNS");
		n = env ? strtol(env, &end, 10) : 0;
		if (env && *env && !*end && n >= 40 && n <= 1000)
			width = n;
	}
	return width;
}

void print_wrapped(const char *text, unsigned int col, unsigned int indent)
{
	unsigned int width = lab_width();
	bool line_start = false;
	size_t len;

	text += strspn(text, "\n ");
	while (*text) {
		len = strcspn(text, "\n ");
		if (!line_start && col + 1 + len > width) {
			printf("\n%*s", (int)indent, "");
			col = indent;
			line_start = true;
		}
		if (!line_start) {
			putchar(' ');
			col++;
		}
		printf("%.*s", (int)len, text);
		col += len;
		line_start = false;
		text += len;
		text += strspn(text, "\n ");
	}
	putchar('\n');
}

void print_header(void)
{
	unsigned int width = lab_width();

	if (width >= WIDE_COLUMNS) {
		printf("  %s%-26s %-12s %-4s %-6s %-3s %9s %3s %-10s %s%s\n", colour(C_BOLD),
		       "step", "address", "lvl", "flags", "$", "pfn/frame", "map", "page",
		       width >= WIDE_VERDICT_AT + 30 ? "verdict: what a write would do" :
		       "verdict",
		       colour(C_RESET));
		return;
	}
	printf("  %s%-26s %-12s %-6s %-3s %9s %3s %s\n%*s%s%s\n", colour(C_BOLD), "step",
	       "address", "flags", "$", "pfn/frame", "map", "page", VERDICT_INDENT, "",
	       "verdict: what a write would do", colour(C_RESET));
}

/*
 * The verdict and its reason, from column @col on, wrapped at the width;
 * after a line's columns (@own_line false) the reason goes on the next
 * line whole unless it fits.
 */
static void print_verdict(const struct vmlab_walk *w, unsigned int col, bool own_line)
{
	const char *name = vmlab_verdict_name(w->verdict);
	const char *reason = vmlab_verdict_reason(w->verdict);

	printf("%s%s%s:", colour(C_INFO), name, colour(C_RESET));
	col += strlen(name) + 1;
	if (!own_line && col + 1 + strlen(reason) > lab_width()) {
		printf("\n%*s", WRAP_INDENT - 1, "");
		col = WRAP_INDENT - 1;
	}
	print_wrapped(reason, col, WRAP_INDENT);
}

/* Prints one walk as an aligned line; with --quiz, asks first and marks after. */
void show(struct lab *lab, const char *label, const struct vmlab_walk *w)
{
	bool present = w->leaf_flags & VMLAB_PTE_PRESENT;
	char flags[8], pfn[20], map[8];
	bool wide;
	int col;

	if (lab->quiz)
		quiz_ask(lab->quiz, label, w);
	if (w->walk_flags & VMLAB_WALK_PFN_HIDDEN)
		lab->pfn_hidden = true;
	pte_letters(flags, w->leaf_flags);
	if (!present)
		snprintf(pfn, sizeof(pfn), "-");
	else if (w->walk_flags & VMLAB_WALK_FRAME_TOKEN &&
		 w->walk_flags & VMLAB_WALK_PFN_HIDDEN)
		snprintf(pfn, sizeof(pfn), "~%08llx",
			 (unsigned long long)(w->frame_token & 0xffffffffULL));
	else if (w->walk_flags & VMLAB_WALK_PFN_HIDDEN)
		snprintf(pfn, sizeof(pfn), "hidden");
	else
		snprintf(pfn, sizeof(pfn), "%llx", (unsigned long long)w->pfn);
	if (w->page_flags & VMLAB_PAGE_PRESENT)
		snprintf(map, sizeof(map), "%u", w->mapcount);
	else
		snprintf(map, sizeof(map), "-");
	wide = lab_width() >= WIDE_COLUMNS;
	if (wide) {
		col = printf("  %-26s %12llx %-4s %-6s %-3s %9s %3s %-10s ", label,
			     (unsigned long long)w->addr, vmlab_level_name(w->leaf_level),
			     flags, present ? vmlab_cache_name(w->cache_mode) : "-", pfn, map,
			     page_kind(w));
	} else {
		printf("  %-26s %12llx %-6s %-3s %9s %3s %s\n", label,
		       (unsigned long long)w->addr, flags,
		       present ? vmlab_cache_name(w->cache_mode) : "-", pfn, map, page_kind(w));
		col = printf("%*s", VERDICT_INDENT, "");
	}
	print_verdict(w, col < 0 ? 0 : col, !wide);
	if (lab->quiz)
		quiz_mark(lab->quiz, label, w);
}

/* Checks a walk against what the lesson expects of it. */
void check_want(struct lab *lab, const struct vmlab_walk *w, const struct want *want)
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

int step(struct lab *lab, const char *label, const volatile void *addr,
	 const struct want *want, struct vmlab_walk *w)
{
	return step_pid(lab, label, 0, addr, want, w);
}
