// SPDX-License-Identifier: GPL-2.0
/*
 * shared_anon.c - lesson "shared-anon": an ANON region mapped MAP_SHARED is
 * zero-filled on first touch and shared with a fork child.
 */
#include <sys/mman.h>

#include "lab.h"

/* shared-anon's child: writes 'k' to the page at @arg and reports its walk */
static int shared_anon_child(struct lab *lab, void *arg, int tell, int hear)
{
	volatile char *p = arg;

	p[5] = 'k';
	return send_walk(lab, p, tell) ? 1 : 0;
}

/* ANON region MAP_SHARED: zero-filled on first touch, shared with a fork child. */
static void shared_anon_run(struct lab *lab)
{
	static const struct want allocated = { VMLAB_COW_SHARED_WRITABLE,
		.pte_set = VMLAB_PTE_PRESENT, .page_set = VMLAB_PAGE_VMLAB,
		.page_clear = VMLAB_PAGE_ANON | VMLAB_PAGE_VMLAB_ZERO };
	static const struct want child_wrote = { VMLAB_COW_SHARED_WRITABLE,
		.pte_set = VMLAB_PTE_PRESENT | VMLAB_PTE_WRITE | VMLAB_PTE_DIRTY,
		.page_set = VMLAB_PAGE_VMLAB };
	static const struct want parent_sees = { VMLAB_COW_SHARED_WRITABLE,
		.page_set = VMLAB_PAGE_VMLAB };
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
	print_header();
	step(lab, "page 3: untouched", p + 3 * PG, &(struct want){ VMLAB_COW_NONE }, &w);
	check_u64(lab, "pages allocated", 0, show_counters(lab, id).pages_allocated);

	say("read page 3: vmlab allocates a zero-filled page, shared by every mapper");
	check_char(lab, "page 3 to read", 0, p[3 * PG]);
	step(lab, "page 3: after the read", p + 3 * PG, &allocated, &w);
	check_u64(lab, "pages allocated", 1, show_counters(lab, id).pages_allocated);
	lab_picture(lab, "before-fork", 0, p, 16 * PG);

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
	check_want(lab, &child, &child_wrote);
	check_char(lab, "the parent to read the child's write", 'k', p[9 * PG + 5]);
	step(lab, "page 9: parent, then", p + 9 * PG, &parent_sees, &mine);
	lab_picture(lab, "after-child-write", 0, p, 16 * PG);
	check_pfn(lab, "parent and child to map one page", &child, &mine, true);
	step(lab, "page 5: never touched", p + 5 * PG, &(struct want){ VMLAB_COW_NONE }, &w);
	check_u64(lab, "pages allocated (pages 3 and 9)", 2,
		  show_counters(lab, id).pages_allocated);
}

const struct lesson lesson_shared_anon = {
	.name = "shared-anon",
	.title = "Shared anonymous memory: one page for all mappers",
	.run = shared_anon_run,
	.moral =
	"Shared anonymous memory gets a zero-filled page on the first touch, and only touched pages cost memory;\n"
	"fork shares the page itself, so a child's write is the parent's too.",
};
