// SPDX-License-Identifier: GPL-2.0
/*
 * fault_around.c - lesson "fault-around": demand paging of a file. One
 * read fault maps not one page but the cached pages around it (the
 * kernel's fault_around_bytes, 64 KiB by default); anonymous memory gets
 * one page per fault. Counted: leaves mapped, faults taken.
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <sys/mman.h>
#include <unistd.h>

#include "lab.h"

#define FILE_PAGES	64
#define TOUCHED		20	/* the page read first: 16 pages from each end */

/* One read fault in a file mapping, one in anonymous memory: counted. */
static void fault_around_run(struct lab *lab)
{
	static const struct want cached = { VMLAB_COW_READONLY,
		.pte_set = VMLAB_PTE_PRESENT, .page_clear = VMLAB_PAGE_ANON };
	static const struct want nothing = { VMLAB_COW_NONE, .pte_clear = VMLAB_PTE_PRESENT };
	const volatile char *win;
	struct vmlab_walk w;
	volatile char *p, *a;
	long window, mapped, faults, sum = 0;
	bool known;
	size_t i;
	int fd;

	window = fault_around_pages(&known);
	fd = lab_cached_file(lab, FILE_PAGES);
	if (fd < 0)
		return;
	p = lab_mmap(lab, FILE_PAGES * PG, PROT_READ, MAP_SHARED, fd, 0);
	close(fd);
	if (!p)
		return;
	say("map a file of %d pages, all in the page cache; read page %d", FILE_PAGES,
	    TOUCHED);
	lab_picture(lab, "before-fault", 0, p, FILE_PAGES * PG);
	check_char(lab, "page 20's byte", TOUCHED, p[TOUCHED * PG]);
	lab_picture(lab, "after-fault", 0, p, FILE_PAGES * PG);
	mapped = count_mapped(lab, 0, p, FILE_PAGES);
	printf("  %-26s %ld of %d pages mapped\n", "after one read fault", mapped,
	       FILE_PAGES);
	printf("  (fault_around_bytes: %ld KiB%s)\n", window * PG >> 10,
	       known ? ", from debugfs" : ", the default: debugfs is root's");
	check_u64(lab, "pages one fault mapped", window, mapped);
	print_header();
	step(lab, "page 20: read", p + TOUCHED * PG, &cached, &w);
	/* another page of the window (aligned in the address space), the next one's first */
	win = (const volatile char *)((uintptr_t)(p + TOUCHED * PG) / (window * PG) *
				      (window * PG));
	step(lab, "its window, untouched", win == p + TOUCHED * PG ? win + PG : win, &cached,
	     &w);
	step(lab, "the next window, untouched", win + window * PG, &nothing, &w);

	say("read every page: one fault per window of %ld pages", window);
	faults = lab_faults();
	for (i = 0; i < FILE_PAGES; i++)
		sum += p[i * PG];
	faults = lab_faults() - faults;
	printf("  %-26s %ld faults for %d pages (bytes summed: %ld)\n", "reading all",
	       faults, FILE_PAGES, sum);
	check_u64(lab, "faults to read the rest", fault_windows(p, FILE_PAGES, window) - 1, faults);
	check_u64(lab, "pages mapped", FILE_PAGES, count_mapped(lab, 0, p, FILE_PAGES));

	say("anonymous memory: no page cache to map around, one page a fault");
	a = lab_anon(lab, FILE_PAGES, MAP_PRIVATE);
	if (!a)
		return;
	faults = lab_faults();
	a[TOUCHED * PG] = 1;
	faults = lab_faults() - faults;
	mapped = count_mapped(lab, 0, a, FILE_PAGES);
	printf("  %-26s %ld of %d pages mapped, %ld fault\n", "after one write fault",
	       mapped, FILE_PAGES, faults);
	check_u64(lab, "anonymous pages one fault mapped", 1, mapped);
}

const struct lesson lesson_fault_around = {
	.name = "fault-around",
	.title = "Demand paging of a file: fault-around",
	.run = fault_around_run,
	.moral =
	"A read fault in a file mapping maps every cached page of an aligned\n"
	"window around it (fault_around_bytes, 64 KiB: 16 pages), so reading a\n"
	"cached file takes a fault per 16 pages; anonymous memory has no cache\n"
	"to map from and takes a fault per page.",
};
