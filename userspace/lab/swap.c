// SPDX-License-Identifier: GPL-2.0
/*
 * swap.c - lesson "swap": a dirty anonymous page goes to swap (zram in
 * the VM) on MADV_PAGEOUT; its entry then holds where it went (a swap
 * entry, not a frame), and the next touch faults it back in.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

#include "lab.h"

#ifndef MADV_PAGEOUT
#define MADV_PAGEOUT	21	/* Linux 5.4 */
#endif

/* Whether /proc/swaps lists a swap area: its first line after the header. */
static bool swap_on(char *line, size_t size)
{
	FILE *f = fopen("/proc/swaps", "re");
	bool on;

	if (!f)
		return false;
	on = fgets(line, size, f) && fgets(line, size, f);
	fclose(f);
	return on;
}

/* MADV_PAGEOUT, a few times if need be, until the entry is a swap entry */
static int page_out(struct lab *lab, volatile char *p, struct vmlab_walk *w)
{
	int i;

	for (i = 0; i < 5; i++) {
		if (madvise((void *)p, PG, MADV_PAGEOUT)) {
			lab_error(lab, "madvise(MADV_PAGEOUT)");
			return -1;
		}
		if (vmlab_walk(lab->fd, 0, (uintptr_t)p, w)) {
			lab_error(lab, "VMLAB_IOC_WALK");
			return -1;
		}
		if (w->leaf_flags & VMLAB_PTE_SWAP)
			return 0;
	}
	return 0;
}

static void swapped(struct lab *lab, volatile char *p)
{
	static const struct want dirty = { VMLAB_COW_WRITABLE,
		.pte_set = VMLAB_PTE_PRESENT | VMLAB_PTE_WRITE | VMLAB_PTE_DIRTY,
		.page_set = VMLAB_PAGE_ANON };
	static const struct want out = { VMLAB_COW_SWAPPED,
		.pte_set = VMLAB_PTE_SWAP, .pte_clear = VMLAB_PTE_PRESENT };
	struct vmlab_walk w;
	long faults;
	char c;

	say("write a page of private memory: dirty, and only in memory");
	print_header();
	p[0] = 's';
	step(lab, "after the write", p, &dirty, &w);
	lab_picture(lab, "before-pageout", 0, p, PG);

	say("MADV_PAGEOUT: reclaim writes it to swap and frees the frame");
	if (page_out(lab, p, &w))
		return;
	show(lab, "after MADV_PAGEOUT", &w);
	check_want(lab, &w, &out);
	lab_picture(lab, "after-pageout", 0, p, PG);
	if (w.walk_flags & VMLAB_WALK_PFN_HIDDEN)
		printf("  %-26s swap type %u (offset hidden from non-root)\n", "the entry holds",
		       w.swap_type);
	else
		printf("  %-26s swap type %u, offset %llu: where the page went\n",
		       "the entry holds", w.swap_type, (unsigned long long)w.swap_offset);

	say("read it: the fault reads the page back from swap into a frame");
	faults = lab_faults();
	c = p[0];
	faults = lab_faults() - faults;
	if (vmlab_walk(lab->fd, 0, (uintptr_t)p, &w)) {
		lab_error(lab, "VMLAB_IOC_WALK");
		return;
	}
	show(lab, "after the read", &w);
	check_char(lab, "the byte back from swap", 's', c);
	check_u64(lab, "faults to bring it back", 1, faults);
	if (!(w.leaf_flags & VMLAB_PTE_PRESENT) || !(w.page_flags & VMLAB_PAGE_ANON))
		mismatch(lab, "expected a present anonymous page after the read");
	/* ours alone: the entry may come back writable, or write-protected */
	if (w.verdict != VMLAB_COW_WRITABLE && w.verdict != VMLAB_COW_EXCLUSIVE_WP)
		mismatch(lab, "expected verdict writable or exclusive-wp, kernel shows %s",
			 vmlab_verdict_name(w.verdict));
}

static void swap_run(struct lab *lab)
{
	bool ours = false;
	char line[256];
	volatile char *p;

	if (!swap_on(line, sizeof(line))) {
		if (lab_disk(lab, "swap"))
			return;
		ours = true;
		if (!swap_on(line, sizeof(line))) {
			errno = ENODEV;
			lab_error(lab, "swap after vmlab-disk swap");
			goto off;
		}
	}
	printf("  %-26s %.*s\n", "swap", (int)strcspn(line, " \t"), line);
	/* one CPU: MADV_PAGEOUT drains this CPU's batch of fresh pages only */
	if (lab_one_cpu(lab))
		goto off;
	p = lab_anon(lab, 1, MAP_PRIVATE);
	if (p)
		swapped(lab, p);
	lab_all_cpus();
off:
	if (ours)
		lab_disk_off();
}

const struct lesson lesson_swap = {
	.name = "swap",
	.title = "Swap: a dirty anonymous page goes out and comes back",
	.run = swap_run,
	.moral =
	"An anonymous page has no file to go back to: reclaim writes it to swap\n"
	"and leaves in its page-table entry a swap entry (where it went), not a\n"
	"frame; the next touch faults and reads it back into a frame.",
};
