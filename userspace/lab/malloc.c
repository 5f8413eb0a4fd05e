// SPDX-License-Identifier: GPL-2.0
/*
 * malloc.c - lesson "malloc": glibc's malloc serves small blocks from the
 * heap (the brk area) and large ones, from M_MMAP_THRESHOLD (128 KiB) up,
 * from a mapping of their own, which free() hands back to the kernel.
 */
#define _GNU_SOURCE
#include <malloc.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lab.h"

#define THRESHOLD	(128 << 10)	/* glibc's default M_MMAP_THRESHOLD */
#define BIG		(1 << 20)

/* Prints the VMA a walk found. */
static void show_area(const char *what, const struct vmlab_walk *w)
{
	if (w->walk_flags & VMLAB_WALK_NO_VMA)
		printf("  %-26s no VMA: given back to the kernel\n", what);
	else
		printf("  %-26s in VMA %llx-%llx (%llu KiB)\n", what,
		       (unsigned long long)w->vma_start, (unsigned long long)w->vma_end,
		       (unsigned long long)(w->vma_end - w->vma_start) >> 10);
}

/* walks @addr into @w without a table line; -1 on error */
static int walk(struct lab *lab, const void *addr, struct vmlab_walk *w)
{
	if (vmlab_walk(lab->fd, 0, (uintptr_t)addr, w)) {
		lab_error(lab, "VMLAB_IOC_WALK");
		return -1;
	}
	return 0;
}

static void blocks(struct lab *lab, char *small, char *big)
{
	uintptr_t brk_end = ((uintptr_t)sbrk(0) + PG - 1) & ~(PG - 1);
	uintptr_t start = (uintptr_t)big & ~(PG - 1);
	uintptr_t own_end = start + BIG + PG;	/* the block, its header's page */
	struct vmlab_walk ws, wb;
	long mapped;

	if (walk(lab, small, &ws) || walk(lab, big, &wb))
		return;
	printf("  %-26s %p\n", "malloc(1000)", (void *)small);
	show_area("", &ws);
	printf("  %-26s %llx: the heap's end, sbrk(0)\n", "program break",
	       (unsigned long long)brk_end);
	check_u64(lab, "the small block's VMA to end at the break", brk_end, ws.vma_end);
	printf("  %-26s %p (%zu bytes past a page start: the\n"
	       "  %-26s chunk's header)\n", "malloc(1 MiB)", (void *)big,
	       (size_t)((uintptr_t)big - start), "");
	show_area("", &wb);
	check_u64(lab, "the big block's VMA to start at its page", start, wb.vma_start);
	/*
	 * Its own mapping: 1 MiB and the header's page. The kernel may merge
	 * it with an anonymous mapping just above (a dynamically linked
	 * program has some): the VMA is then larger, the block's range not.
	 */
	if (wb.vma_end < own_end)
		mismatch(lab, "expected a VMA of at least 1 MiB and a page, kernel shows %llu KiB",
			 (unsigned long long)(wb.vma_end - wb.vma_start) >> 10);
	else if (wb.vma_end > own_end)
		printf("  %-26s merged with the anonymous mapping above it (%llu KiB)\n", "",
		       (unsigned long long)(wb.vma_end - own_end) >> 10);
	if (wb.vma_end == ws.vma_end)
		mismatch(lab, "expected the big block outside the heap");
	mapped = count_mapped(lab, 0, (void *)start, (own_end - start) / PG);
	printf("  %-26s %ld of %llu pages: malloc touched the header only\n",
	       "in memory", mapped, (unsigned long long)(own_end - start) / PG);
	check_u64(lab, "pages of the big block in memory", 1, mapped);
}

static void malloc_run(struct lab *lab)
{
	struct vmlab_walk w;
	char *small, *big;

#ifndef __GLIBC__
	lab_skip(lab, "this vmlab is not built with glibc: another malloc");
	return;
#endif
	/* the default, set: no longer adapted to what was freed before */
	if (!mallopt(M_MMAP_THRESHOLD, THRESHOLD)) {
		lab_error(lab, "mallopt");
		return;
	}
	say("glibc's malloc: 1000 bytes, then 1 MiB (threshold %d KiB)", THRESHOLD >> 10);
	small = malloc(1000);
	big = malloc(BIG);
	if (!small || !big) {
		lab_error(lab, "malloc");
		goto out;
	}
	memset(small, 's', 1000);
	blocks(lab, small, big);

	say("free both: the big block's mapping goes back to the kernel");
	free(big);
	if (!walk(lab, big, &w)) {
		show_area("the big block's address", &w);
		if (!(w.walk_flags & VMLAB_WALK_NO_VMA))
			mismatch(lab, "expected no VMA where the big block was");
	}
	big = NULL;
	free(small);
	if (!walk(lab, small, &w)) {
		show_area("the small block's address", &w);
		if (w.walk_flags & VMLAB_WALK_NO_VMA)
			mismatch(lab, "expected the heap to stay after free");
	}
	small = NULL;
out:
	free(big);
	free(small);
}

const struct lesson lesson_malloc = {
	.name = "malloc",
	.title = "malloc: the heap, and mmap for large blocks",
	.run = malloc_run,
	.moral =
	"malloc carves small blocks out of the heap, which grows with brk; a\n"
	"block of M_MMAP_THRESHOLD (128 KiB) or more gets a mapping of its own,\n"
	"only touched pages in memory, which free() unmaps at once.",
};
