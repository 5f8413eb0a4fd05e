// SPDX-License-Identifier: GPL-2.0
/*
 * types.c - lesson "types": the four kinds of mapping (private or shared,
 * file or anonymous) in one table, each cell what a read, a write and a
 * child's write after fork did, found live by walks and checked against
 * what the lectures say.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "lab.h"

enum { READ, WRITE, FORK, NR_COLS };

/* one kind of mapping: how to map it, and its row as the lectures give it */
struct kind {
	const char *name;
	int flags;		/* MAP_PRIVATE or MAP_SHARED */
	bool file;		/* the memfd, else MAP_ANONYMOUS */
	const char *want[NR_COLS];
};

static const struct kind kinds[] = {
	{ "private file", MAP_PRIVATE, true,
	  { "file's page", "new anon page", "child copies" } },
	{ "shared file", MAP_SHARED, true,
	  { "file's page", "file's page", "both see it" } },
	{ "private anon", MAP_PRIVATE, false,
	  { "zero page", "new anon page", "child copies" } },
	{ "shared anon", MAP_SHARED, false,
	  { "shmem page", "same page", "both see it" } },
};

/* Whether two walks show one frame: by PFN, or where hidden by token. */
static bool same_frame(const struct vmlab_walk *a, const struct vmlab_walk *b)
{
	if ((a->walk_flags | b->walk_flags) & VMLAB_WALK_PFN_HIDDEN)
		return a->frame_token == b->frame_token;
	return a->pfn == b->pfn;
}

/* What a read mapped: the zero page, the file's page, or another. */
static const char *read_cell(const struct vmlab_walk *w, const struct vmlab_walk *file)
{
	if (!(w->leaf_flags & VMLAB_PTE_PRESENT))
		return "nothing";
	if (w->page_flags & VMLAB_PAGE_ZERO)
		return "zero page";
	if (same_frame(w, file))
		return "file's page";
	if (w->backing == VMLAB_BACKING_SHMEM)
		return "shmem page";
	return w->page_flags & VMLAB_PAGE_ANON ? "anon page" : "other page";
}

/* What a write did to the page the read mapped. */
static const char *write_cell(const struct vmlab_walk *w, const struct vmlab_walk *read,
			      const struct vmlab_walk *file)
{
	if (same_frame(w, file))
		return "file's page";
	if (same_frame(w, read))
		return "same page";
	return w->page_flags & VMLAB_PAGE_ANON ? "new anon page" : "new page";
}

/* the child: writes 'c', reports its page, waits to be let go */
static int types_child(struct lab *lab, void *arg, int tell, int hear)
{
	volatile char *m = arg;

	m[0] = 'c';
	if (send_walk(lab, m, tell))
		return 1;
	wait_go(hear);
	return 0;
}

/* The fork cell: whether the child's write reached the parent's page. */
static const char *fork_cell(struct lab *lab, volatile char *m, char *cell, size_t size)
{
	struct vmlab_walk child, parent;
	int to_child, from_child;
	pid_t pid;

	snprintf(cell, size, "?");
	pid = lab_fork(lab, types_child, (void *)m, &to_child, &from_child);
	if (pid < 0)
		return cell;
	if (!child_walk(lab, from_child, &child) &&
	    !vmlab_walk(lab->fd, 0, (uintptr_t)m, &parent)) {
		bool same = same_frame(&child, &parent);

		if (same && m[0] == 'c')
			snprintf(cell, size, "both see it");
		else if (!same && m[0] == 'w')
			snprintf(cell, size, "child copies");
		else
			snprintf(cell, size, "%s, '%c'", same ? "one page" : "two", m[0]);
	}
	if (write(to_child, "x", 1) != 1)
		lab_error(lab, "write to the child");
	lab_reap(lab, pid, to_child, from_child);
	return cell;
}

/* One row: map, read, write, fork; each cell checked. */
static void row(struct lab *lab, const struct kind *k, int fd, const struct vmlab_walk *file)
{
	char cells[NR_COLS][24];
	struct vmlab_walk r, w;
	volatile char *m;
	int i;

	m = lab_mmap(lab, PG, PROT_READ | PROT_WRITE, k->flags | (k->file ? 0 : MAP_ANONYMOUS),
		     k->file ? fd : -1, 0);
	if (!m)
		return;
	if (!k->file && k->flags == MAP_PRIVATE)
		madvise((void *)m, PG, MADV_NOHUGEPAGE);
	(void)m[0];
	if (vmlab_walk(lab->fd, 0, (uintptr_t)m, &r))
		goto walk_failed;
	snprintf(cells[READ], sizeof(cells[READ]), "%s", read_cell(&r, file));
	m[0] = 'w';
	if (vmlab_walk(lab->fd, 0, (uintptr_t)m, &w))
		goto walk_failed;
	snprintf(cells[WRITE], sizeof(cells[WRITE]), "%s", write_cell(&w, &r, file));
	fork_cell(lab, m, cells[FORK], sizeof(cells[FORK]));
	printf("  %-14s %-17s %-17s %s\n", k->name, cells[READ], cells[WRITE], cells[FORK]);
	for (i = 0; i < NR_COLS; i++)
		if (strcmp(cells[i], k->want[i]))
			mismatch(lab, "expected %s: %s, kernel shows %s", k->name, k->want[i],
				 cells[i]);
	return;
walk_failed:
	lab_error(lab, "VMLAB_IOC_WALK");
}

static void types_run(struct lab *lab)
{
	struct vmlab_walk file;
	volatile char *ref;
	char c = 0;
	size_t i;
	int fd;

	fd = memfd_create("vmlab-types", MFD_CLOEXEC);
	if (fd < 0 || ftruncate(fd, PG) || pwrite(fd, "f", 1, 0) != 1) {
		lab_error(lab, "memfd");
		goto out;
	}
	ref = lab_mmap(lab, PG, PROT_READ, MAP_SHARED, fd, 0);
	if (!ref)
		goto out;
	(void)ref[0];
	if (vmlab_walk(lab->fd, 0, (uintptr_t)ref, &file)) {
		lab_error(lab, "VMLAB_IOC_WALK");
		goto out;
	}
	if (file.walk_flags & VMLAB_WALK_PFN_HIDDEN)
		lab->pfn_hidden = true;
	say("each kind of mapping of one page (the file: a memfd holding 'f'):");
	say("read it, write 'w', fork and let the child write 'c'; walk each time");
	printf("  %s%-14s %-17s %-17s %s%s\n", colour(C_BOLD), "mapping", "read",
	       "write", "fork, child writes", colour(C_RESET));
	for (i = 0; i < ARRAY_SIZE(kinds); i++)
		row(lab, &kinds[i], fd, &file);
	if (pread(fd, &c, 1, 0) != 1)
		lab_error(lab, "pread");
	check_char(lab, "the file's byte (pread)", 'c', c);
	printf("  the file holds 'c': only the shared file mapping wrote to it\n");
out:
	if (fd >= 0)
		close(fd);
}

const struct lesson lesson_types = {
	.name = "types",
	.title = "The four kinds of mapping in one table",
	.run = types_run,
	.moral =
	"Private mappings copy on write (a file's page, the zero page) and a\n"
	"child's writes after fork stay its own; shared mappings write to the\n"
	"one page (the file's, or shmem for anonymous) that every mapper and\n"
	"every child sees.",
};
