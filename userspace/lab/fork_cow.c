// SPDX-License-Identifier: GPL-2.0
/*
 * fork_cow.c - lesson "fork-cow": fork write-protects and shares private
 * pages; the child's write copies, the parent, alone again, reuses.
 */
#define _GNU_SOURCE
#include <sys/mman.h>
#include <unistd.h>

#include "lab.h"

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
static void fork_cow_run(struct lab *lab)
{
	/* a page of one process's own: before the fork, the child's copy, the reused page */
	static const struct want exclusive = { VMLAB_COW_WRITABLE,
		.pte_set = VMLAB_PTE_WRITE, .page_set = VMLAB_PAGE_ANON_EXCLUSIVE };
	static const struct want parent_shared = { VMLAB_COW_SHARED,
		.pte_clear = VMLAB_PTE_WRITE, .page_set = VMLAB_PAGE_ANON,
		.page_clear = VMLAB_PAGE_ANON_EXCLUSIVE };
	static const struct want child_shared = { VMLAB_COW_SHARED,
		.pte_clear = VMLAB_PTE_WRITE, .page_clear = VMLAB_PAGE_ANON_EXCLUSIVE };
	static const struct want alone_wp = { VMLAB_COW_EXCLUSIVE_WP,
		.pte_clear = VMLAB_PTE_WRITE, .page_set = VMLAB_PAGE_ANON };
	struct vmlab_walk before, shared, child, copied, alone, reused;
	int to_child, from_child;
	volatile char *p;
	pid_t pid;

	/*
	 * One CPU for both processes: a fresh page waits in its CPU's LRU
	 * batch (a reference) until drained, and a write fault drains only
	 * its own CPU's batch before choosing between reusing and copying.
	 */
	if (lab_one_cpu(lab))
		return;
	p = lab_anon(lab, 1, MAP_PRIVATE);
	if (!p)
		goto out;
	say("write a page of MAP_ANONYMOUS memory, then fork");
	print_header();
	p[0] = 'p';
	step(lab, "parent: before fork", p, &exclusive, &before);
	lab_picture(lab, "before-fork", 0, p, PG);
	pid = lab_fork(lab, fork_cow_child, (void *)p, &to_child, &from_child);
	if (pid < 0)
		goto out;
	if (child_walk(lab, from_child, &child))
		goto reap;
	show(lab, "child: after fork", &child);
	step(lab, "parent: after fork", p, &parent_shared, &shared);
	check_want(lab, &child, &child_shared);
	check_u64(lab, "mapcount of the shared page (parent)", 2, shared.mapcount);
	check_u64(lab, "mapcount of the shared page (child)", 2, child.mapcount);
	check_pfn(lab, "fork to keep the page", &before, &shared, true);
	check_pfn(lab, "parent and child to map one page", &shared, &child, true);
	lab_picture(lab, "after-fork", 0, p, PG);

	say("the child writes: it gets a copy of its own");
	if (write(to_child, "w", 1) != 1 || child_walk(lab, from_child, &copied))
		goto reap;
	show(lab, "child: after its write", &copied);
	check_want(lab, &copied, &exclusive);
	check_pfn(lab, "the child's copy to be a new page", &copied, &shared, false);
	check_u64(lab, "mapcount of the child's copy", 1, copied.mapcount);
	lab_picture(lab, "child-after-write", pid, p, PG);

	say("the child exits: the page is the parent's alone, still write-protected");
	if (write(to_child, "x", 1) != 1)
		lab_error(lab, "write to the child");
reap:
	lab_reap(lab, pid, to_child, from_child);
	step(lab, "parent: child gone", p, &alone_wp, &alone);
	check_u64(lab, "mapcount once the child is gone", 1, alone.mapcount);
	check_char(lab, "the parent's byte still", 'p', p[0]);

	say("the parent writes: the kernel reuses the page, no copy");
	p[0] = 'q';
	step(lab, "parent: after its write", p, &exclusive, &reused);
	check_pfn(lab, "the write to reuse the page", &alone, &reused, true);
out:
	lab_all_cpus();
}

const struct lesson lesson_fork_cow = {
	.name = "fork-cow",
	.title = "Fork and copy-on-write",
	.run = fork_cow_run,
	.moral =
	"fork write-protects private pages in both processes, sharing them (mapcount 2);\n"
	"the first writer gets a copy, and a page left with one mapper is reused by its write without a copy.",
};
