// SPDX-License-Identifier: GPL-2.0
/*
 * zero_page.c - lesson "zero-page": demand paging, counted by range walks:
 * untouched pages have no entry, reads map the zero page, writes allocate.
 */
#include <stdio.h>
#include <sys/mman.h>

#include "lab.h"

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
static void zero_page_run(struct lab *lab)
{
	static const struct {
		const char *what, *picture;
		size_t first, nr;	/* pages touched */
		bool write;
		long leaves, zero, writable;	/* a range walk afterwards */
	} steps[] = {
		{ "nothing touched yet", "untouched", 0, 0, false, 0, 0, 0 },
		{ "read pages 0-7", "after-reads", 0, 8, false, 8, 8, 0 },
		{ "write pages 6-9", "after-writes", 6, 4, true, 10, 6, 4 },
	};
	static const struct want untouched = { VMLAB_COW_NONE,
		.pte_clear = VMLAB_PTE_PRESENT };
	static const struct want zero_read = { VMLAB_COW_ZERO_PAGE,
		.pte_set = VMLAB_PTE_PRESENT, .pte_clear = VMLAB_PTE_WRITE,
		.page_set = VMLAB_PAGE_ZERO };
	static const struct want zero_again = { VMLAB_COW_ZERO_PAGE,
		.page_set = VMLAB_PAGE_ZERO };
	static const struct want copied = { VMLAB_COW_WRITABLE,
		.pte_set = VMLAB_PTE_WRITE | VMLAB_PTE_DIRTY,
		.page_set = VMLAB_PAGE_ANON | VMLAB_PAGE_ANON_EXCLUSIVE };
	static const struct want allocated = { VMLAB_COW_WRITABLE,
		.page_set = VMLAB_PAGE_ANON | VMLAB_PAGE_ANON_EXCLUSIVE };
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
		lab_picture(lab, steps[s].picture, 0, p, 16 * PG);
	}
	print_header();
	step(lab, "page 12: never touched", p + 12 * PG, &untouched, &w);
	step(lab, "page 0: read", p, &zero_read, &zero);
	step(lab, "page 5: read", p + 5 * PG, &zero_again, &w);
	check_pfn(lab, "every read page to map the one zero page", &zero, &w, true);
	step(lab, "page 7: read, then written", p + 7 * PG, &copied, &w);
	step(lab, "page 9: written", p + 9 * PG, &allocated, &w);
}

const struct lesson lesson_zero_page = {
	.name = "zero-page",
	.title = "The zero page and demand paging",
	.run = zero_page_run,
	.moral =
	"mmap only reserves addresses: a page is mapped on first touch, a read maps the one zero page\n"
	"and a write allocates, so untouched memory costs neither memory nor page-table entries.",
};
