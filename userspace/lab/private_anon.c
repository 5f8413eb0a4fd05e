// SPDX-License-Identifier: GPL-2.0
/*
 * private_anon.c - lesson "private-anon": vmlab's zero page, then a private
 * copy; MAP_ANONYMOUS memory's zero page, the kernel's own.
 */
#include <sys/mman.h>

#include "lab.h"

/* ANON region MAP_PRIVATE: vmlab's zero page, then a private copy; MAP_ANONYMOUS's zero page. */
static void private_anon_run(struct lab *lab)
{
	static const struct want vmlab_zero = { VMLAB_COW_ZERO_PAGE,
		.pte_set = VMLAB_PTE_PRESENT, .pte_clear = VMLAB_PTE_WRITE,
		.page_set = VMLAB_PAGE_VMLAB_ZERO, .page_clear = VMLAB_PAGE_ANON };
	static const struct want copy = { VMLAB_COW_WRITABLE,
		.pte_set = VMLAB_PTE_PRESENT | VMLAB_PTE_WRITE | VMLAB_PTE_DIRTY,
		.page_set = VMLAB_PAGE_ANON | VMLAB_PAGE_ANON_EXCLUSIVE,
		.page_clear = VMLAB_PAGE_VMLAB_ZERO };
	static const struct want still_zero = { VMLAB_COW_ZERO_PAGE,
		.page_set = VMLAB_PAGE_VMLAB_ZERO };
	static const struct want kernel_zero = { VMLAB_COW_ZERO_PAGE,
		.pte_set = VMLAB_PTE_PRESENT, .pte_clear = VMLAB_PTE_WRITE,
		.page_set = VMLAB_PAGE_ZERO, .page_clear = VMLAB_PAGE_VMLAB_ZERO };
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
	print_header();
	step(lab, "p: untouched", p, &(struct want){ VMLAB_COW_NONE }, &w);

	say("read p: vmlab maps its own zero page, read-only");
	check_char(lab, "p to read", 0, p[0]);
	step(lab, "p: after the read", p, &vmlab_zero, &zero);
	lab_picture(lab, "before-write", 0, p, 2 * PG);

	say("write p: the kernel copies the zero page into a private anonymous page");
	p[0] = 'w';
	step(lab, "p: after the write", p, &copy, &copied);
	check_pfn(lab, "the copy to be a new page", &zero, &copied, false);
	(void)p[PG];
	step(lab, "p+4k: read, still zero", p + PG, &still_zero, &w);
	lab_picture(lab, "after-write", 0, p, 2 * PG);
	check_pfn(lab, "every unwritten page to show the one zero page", &zero, &w, true);
	check_u64(lab, "region pages allocated (a private copy is not the region's)", 0,
		  counters(lab, id).pages_allocated);

	say("read q, plain MAP_ANONYMOUS: the kernel's own zero page");
	check_char(lab, "q to read", 0, q[0]);
	step(lab, "q: after the read", q, &kernel_zero, &kzero);
	check_pfn(lab, "vmlab's zero page and the kernel's to differ", &zero, &kzero, false);
}

const struct lesson lesson_private_anon = {
	.name = "private-anon",
	.title = "Private anonymous memory: the zero page, then a copy",
	.run = private_anon_run,
	.moral =
	"Private anonymous memory reads as a shared zero page that costs nothing;\n"
	"the first write to a page allocates the process's own copy.",
};
