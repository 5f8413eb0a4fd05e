// SPDX-License-Identifier: GPL-2.0
/*
 * munmap.c - lesson "munmap": unmapping the middle page of a mapping splits
 * its VMA in two, a touch of the hole is SIGSEGV, and close(fd) leaves a
 * file's mapping alone.
 */
#define _GNU_SOURCE
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lab.h"

/* Prints the VMA a walk found: [start, end) and its size in pages. */
static void show_vma(const char *what, const struct vmlab_walk *w)
{
	unsigned long long pages = (w->vma_end - w->vma_start) / PG;

	if (w->walk_flags & VMLAB_WALK_NO_VMA)
		printf("  %-26s no VMA\n", what);
	else
		printf("  %-26s VMA %llx-%llx, %llu page%s\n", what,
		       (unsigned long long)w->vma_start, (unsigned long long)w->vma_end,
		       pages, pages == 1 ? "" : "s");
}

/* Touches @p in a child: the signal that killed it, 0 if none did. */
static int touch_in_child(struct lab *lab, volatile char *p)
{
	int status;
	pid_t pid;

	fflush(stdout);
	pid = fork();
	if (pid < 0) {
		lab_error(lab, "fork");
		return -1;
	}
	if (pid == 0) {
		signal(SIGSEGV, SIG_DFL);
		p[0] = 1;
		_exit(0);
	}
	if (waitpid(pid, &status, 0) != pid) {
		lab_error(lab, "waitpid");
		return -1;
	}
	return WIFSIGNALED(status) ? WTERMSIG(status) : 0;
}

/* A memfd of one page holding 'f', mapped shared, its descriptor closed. */
static void close_keeps_mapping(struct lab *lab)
{
	static const struct want shared = { VMLAB_COW_SHARED_WRITABLE,
		.pte_set = VMLAB_PTE_PRESENT | VMLAB_PTE_WRITE,
		.page_clear = VMLAB_PAGE_ANON };
	struct vmlab_walk w;
	volatile char *p;
	int fd, sig;

	say("map a file (a memfd) MAP_SHARED, then close its descriptor");
	fd = memfd_create("vmlab-munmap", MFD_CLOEXEC);
	if (fd < 0 || ftruncate(fd, PG) || pwrite(fd, "f", 1, 0) != 1) {
		lab_error(lab, "memfd");
		if (fd >= 0)
			close(fd);
		return;
	}
	p = lab_mmap(lab, PG, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	close(fd);
	if (!p)
		return;
	p[1] = 'g';
	print_header();
	step(lab, "after close(fd), a write", p, &shared, &w);
	show_vma("the mapping", &w);
	if (w.walk_flags & VMLAB_WALK_NO_VMA)
		mismatch(lab, "expected the mapping to outlive close(fd)");
	if (w.backing != VMLAB_BACKING_SHMEM)
		mismatch(lab, "expected backing shmem (a memfd), kernel shows %s",
			 vmlab_backing_name(w.backing));
	check_char(lab, "the file's byte through the mapping", 'f', p[0]);
	sig = touch_in_child(lab, p);
	check_u64(lab, "signal of a child touching it", 0, sig);
	printf("  the mapping holds its own reference to the file: munmap, not\n"
	       "  close, ends it\n");
}

/* Three pages; munmap of the middle one: two VMAs and a hole. */
static void munmap_run(struct lab *lab)
{
	static const struct want written = { VMLAB_COW_WRITABLE,
		.pte_set = VMLAB_PTE_PRESENT | VMLAB_PTE_WRITE };
	static const struct want hole = { VMLAB_COW_NONE, .pte_clear = VMLAB_PTE_PRESENT };
	struct vmlab_walk w0, w1, w2, a0, a2;
	volatile char *p;
	int sig;

	p = lab_anon(lab, 3, MAP_PRIVATE);
	if (!p)
		return;
	say("map 3 pages of private memory and write each: one VMA");
	memset((char *)p, 'm', 3 * PG);
	print_header();
	step(lab, "page 0", p, &written, &w0);
	step(lab, "page 1", p + PG, &written, &w1);
	step(lab, "page 2", p + 2 * PG, &written, &w2);
	show_vma("page 1's", &w1);
	if (w1.vma_start > (uintptr_t)p || w1.vma_end < (uintptr_t)p + 3 * PG)
		mismatch(lab, "expected one VMA over the 3 pages, kernel shows %llx-%llx",
			 (unsigned long long)w1.vma_start, (unsigned long long)w1.vma_end);

	lab_picture(lab, "before-munmap", 0, p, 3 * PG);
	say("munmap the middle page: the VMA splits in two around a hole");
	if (munmap((char *)p + PG, PG)) {
		lab_error(lab, "munmap");
		return;
	}
	step(lab, "page 0", p, &written, &a0);
	step(lab, "page 1: unmapped", p + PG, &hole, &w1);
	step(lab, "page 2", p + 2 * PG, &written, &a2);
	lab_picture(lab, "after-munmap", 0, p, 3 * PG);
	show_vma("page 0's", &a0);
	show_vma("page 1's", &w1);
	show_vma("page 2's", &a2);
	check_u64(lab, "the end of page 0's VMA", (uintptr_t)p + PG, a0.vma_end);
	check_u64(lab, "the start of page 2's VMA", (uintptr_t)p + 2 * PG, a2.vma_start);
	if (!(w1.walk_flags & VMLAB_WALK_NO_VMA))
		mismatch(lab, "expected no VMA at page 1 after munmap");
	check_pfn(lab, "page 0 to keep its frame", &w0, &a0, true);
	check_pfn(lab, "page 2 to keep its frame", &w2, &a2, true);
	check_char(lab, "page 2's byte", 'm', p[2 * PG]);

	say("touch the hole in a child: SIGSEGV, no page is faulted in");
	sig = touch_in_child(lab, p + PG);
	printf("  %-26s %s\n", "the child", sig > 0 ? strsignal(sig) : "was not killed");
	check_u64(lab, "signal of a child touching the hole", SIGSEGV, sig);

	close_keeps_mapping(lab);
}

const struct lesson lesson_munmap = {
	.name = "munmap",
	.title = "munmap: a split VMA, a hole, and close(fd)",
	.run = munmap_run,
	.moral =
	"munmap works on pages, not on whole mappings: unmapping the middle\n"
	"splits the VMA in two, and a touch of the hole is SIGSEGV. close(fd)\n"
	"unmaps nothing: the mapping holds the file until munmap or exit.",
};
