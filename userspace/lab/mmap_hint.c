// SPDX-License-Identifier: GPL-2.0
/*
 * mmap_hint.c - lesson "mmap-hint": mmap's address is a hint, taken where
 * the range is free and passed over where it is not; lengths round up to
 * whole pages; MAP_FIXED replaces what was there, MAP_FIXED_NOREPLACE
 * refuses to.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

#include "lab.h"

#ifndef MAP_FIXED_NOREPLACE
#define MAP_FIXED_NOREPLACE	0x100000	/* Linux 4.17 */
#endif

#define RW	(PROT_READ | PROT_WRITE)
#define ANON	(MAP_PRIVATE | MAP_ANONYMOUS)

/* A free range of 4 pages: reserved, then given back; its start, or NULL. */
static char *free_range(struct lab *lab)
{
	void *q = mmap(NULL, 4 * PG, PROT_NONE, ANON, -1, 0);

	if (q == MAP_FAILED) {
		lab_error(lab, "mmap");
		return NULL;
	}
	munmap(q, 4 * PG);
	return q;
}

/* MAP_FIXED over @p: the old page goes, a new one takes its place. */
static void map_fixed(struct lab *lab, volatile char *p)
{
	static const struct want nothing = { VMLAB_COW_NONE, .pte_clear = VMLAB_PTE_PRESENT };
	struct vmlab_walk w;
	void *r;

	say("MAP_FIXED at the same address: no hint, an order; the old page goes");
	lab_picture(lab, "before-map-fixed", 0, p, PG);
	r = lab_mmap_at(lab, (void *)p, PG, RW, ANON | MAP_FIXED, -1, 0);
	if (!r)
		return;
	check_u64(lab, "MAP_FIXED's address", (uintptr_t)p, (uintptr_t)r);
	step(lab, "after MAP_FIXED", p, &nothing, &w);
	lab_picture(lab, "after-map-fixed", 0, p, PG);
	if (w.walk_flags & VMLAB_WALK_NO_VMA)
		mismatch(lab, "expected the new mapping at %p", (void *)p);
	check_char(lab, "the byte at the address, a new page's", 0, p[0]);
	printf("  the old page was unmapped and freed (its frame may come back\n"
	       "  as the new page: what is new is the content)\n");
	p[0] = 'f';

	say("MAP_FIXED_NOREPLACE there: refused, nothing is replaced");
	errno = 0;
	r = mmap((void *)p, PG, RW, ANON | MAP_FIXED_NOREPLACE, -1, 0);
	if (r != MAP_FAILED) {
		if (r != p)
			munmap(r, PG);	/* a kernel before 4.17: a mere hint */
		mismatch(lab, "expected MAP_FIXED_NOREPLACE to fail, kernel mapped %p", r);
		return;
	}
	printf("  %-26s %s\n", "MAP_FIXED_NOREPLACE", strerror(errno));
	check_u64(lab, "MAP_FIXED_NOREPLACE's errno (EEXIST)", EEXIST, errno);
	check_char(lab, "the byte, untouched", 'f', p[0]);
}

/* The hint: taken when free, passed over when not; lengths in pages. */
static void mmap_hint_run(struct lab *lab)
{
	static const struct want written = { VMLAB_COW_WRITABLE,
		.pte_set = VMLAB_PTE_PRESENT | VMLAB_PTE_WRITE };
	static const struct want nothing = { VMLAB_COW_NONE, .pte_clear = VMLAB_PTE_PRESENT };
	struct vmlab_walk w, past;
	volatile char *p, *q;
	char *hint;

	hint = free_range(lab);
	if (!hint)
		return;
	hint += PG;
	say("mmap 100 bytes with a hint at a free address %p", (void *)hint);
	p = lab_mmap_at(lab, hint, 100, RW, ANON, -1, 0);
	if (!p)
		return;
	printf("  %-26s %p\n", "mmap returned", (void *)p);
	check_u64(lab, "the address (the free hint taken)", (uintptr_t)hint, (uintptr_t)p);
	say("write the page's last byte: 100 bytes were rounded up to a page");
	p[PG - 1] = 'h';
	p[0] = 'h';
	print_header();
	step(lab, "byte 4095", p + PG - 1, &written, &w);
	step(lab, "byte 4096: past the end", p + PG, &nothing, &past);
	printf("  %-26s %llx-%llx, %llu bytes\n", "the VMA", (unsigned long long)w.vma_start,
	       (unsigned long long)w.vma_end, (unsigned long long)(w.vma_end - w.vma_start));
	check_u64(lab, "the VMA's size (100 bytes, rounded up)", PG, w.vma_end - w.vma_start);
	if (!(past.walk_flags & VMLAB_WALK_NO_VMA))
		mismatch(lab, "expected no VMA past the page");

	say("mmap again with the same hint: the range is taken, the hint ignored");
	q = lab_mmap_at(lab, (void *)p, PG, RW, ANON, -1, 0);
	if (!q)
		return;
	printf("  %-26s %p\n", "mmap returned", (void *)q);
	if (q == p)
		mismatch(lab, "expected another address than the taken hint %p", (void *)p);
	check_char(lab, "the first mapping's byte, untouched", 'h', p[0]);
	map_fixed(lab, p);
}

const struct lesson lesson_mmap_hint = {
	.name = "mmap-hint",
	.title = "mmap's address hint, page rounding and MAP_FIXED",
	.run = mmap_hint_run,
	.moral =
	"mmap's address is a hint: taken when the range is free, else the\n"
	"kernel picks another; lengths round up to whole pages. MAP_FIXED\n"
	"replaces whatever was mapped there (MAP_FIXED_NOREPLACE refuses).",
};
