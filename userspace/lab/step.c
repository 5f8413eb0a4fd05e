// SPDX-License-Identifier: GPL-2.0
/*
 * step.c - a lesson's steps: the walk table (its header and one aligned
 * line per walk), the checks of what the kernel shows against what the
 * lesson expects, and MISMATCH, which fails the lesson.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

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

/* A lesson's sentence, with the program's "what happens now" marker. */
void say(const char *fmt, ...)
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

void print_header(void)
{
	printf("  %s%-26s %-12s %-4s %-6s %-3s %9s %3s %-10s %s%s\n", colour(C_BOLD),
	       "step", "address", "lvl", "flags", "$", "pfn/frame", "map", "page",
	       "verdict: what a write would do", colour(C_RESET));
}

/* Prints one walk as an aligned line; with --quiz, asks first and marks after. */
void show(struct lab *lab, const char *label, const struct vmlab_walk *w)
{
	bool present = w->leaf_flags & VMLAB_PTE_PRESENT;
	char flags[8], pfn[20], map[8];

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
	printf("  %-26s %12llx %-4s %-6s %-3s %9s %3s %-10s %s%s%s: %s\n", label,
	       (unsigned long long)w->addr, vmlab_level_name(w->leaf_level), flags,
	       present ? vmlab_cache_name(w->cache_mode) : "-", pfn, map, page_kind(w),
	       colour(C_INFO), vmlab_verdict_name(w->verdict), colour(C_RESET),
	       vmlab_verdict_reason(w->verdict));
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
