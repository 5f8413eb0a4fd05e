// SPDX-License-Identifier: GPL-2.0
/*
 * fork_exec.c - lesson "fork-exec": fork shares every private page, exec
 * throws the child's whole address space away before a single page was
 * copied, and the parent finds its pages its own again.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "lab.h"

/*
 * fork-exec's child: reports the page it shares, then on the parent's go
 * becomes cat(1) reading the parent's pipe. @tell is closed by the exec
 * (close-on-exec): the parent reads its end of file as "exec done", and a
 * byte as "exec failed".
 */
static int fork_exec_child(struct lab *lab, void *arg, int tell, int hear)
{
	int null = open("/dev/null", O_WRONLY);

	if (send_walk(lab, arg, tell) || wait_go(hear) || null < 0)
		return 1;
	if (fcntl(tell, F_SETFD, FD_CLOEXEC) || dup2(hear, STDIN_FILENO) < 0 ||
	    dup2(null, STDOUT_FILENO) < 0)
		return 1;
	execlp("cat", "cat", (char *)NULL);
	execl("/bin/cat", "cat", (char *)NULL);
	return write(tell, "!", 1) == 1 ? 127 : 126;
}

/* How many lines /proc/@pid/maps has: the mappings of process @pid. */
static int nr_mappings(pid_t pid)
{
	char path[32], buf[4096];
	ssize_t n, i;
	int fd, lines = 0;

	snprintf(path, sizeof(path), "/proc/%d/maps", pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		for (i = 0; i < n; i++)
			lines += buf[i] == '\n';
	close(fd);
	return lines;
}

/* The mapping of process @pid that holds @addr into @m; false if none. */
static bool mapping_at(pid_t pid, const volatile void *addr, struct map_line *m)
{
	uint64_t a = (uintptr_t)addr;
	FILE *f = maps_open(pid);
	bool found = false;

	while (f && !found && maps_next(f, m) > 0)
		found = a >= m->start && a < m->end;
	if (f)
		fclose(f);
	return found;
}

/* The program process @pid runs now, into @buf. */
static const char *exe_of(pid_t pid, char *buf, size_t size)
{
	char path[32];
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/%d/exe", pid);
	n = readlink(path, buf, size - 1);
	if (n < 0)
		snprintf(buf, size, "?");
	else
		buf[n] = '\0';
	return buf;
}

/* Lets the child exec; true once its pipe end closed: the exec is done. */
static bool exec_done(struct lab *lab, pid_t pid, int to_child, int from_child)
{
	char c, exe[PATH_MAX];

	if (write(to_child, "e", 1) != 1) {
		lab_error(lab, "write to the child");
		return false;
	}
	if (read(from_child, &c, 1) != 0) {
		errno = ENOEXEC;
		lab_error(lab, "the child's exec of cat");
		return false;
	}
	printf("  %-26s now %s, %d mappings of its own\n", "child: after exec",
	       exe_of(pid, exe, sizeof(exe)), nr_mappings(pid));
	return true;
}

/* fork, then exec in the child: nothing copied, every old mapping gone. */
static void fork_exec_run(struct lab *lab)
{
	static const struct want exclusive = { VMLAB_COW_WRITABLE,
		.pte_set = VMLAB_PTE_WRITE, .page_set = VMLAB_PAGE_ANON_EXCLUSIVE };
	static const struct want shared = { VMLAB_COW_SHARED,
		.pte_clear = VMLAB_PTE_WRITE, .page_set = VMLAB_PAGE_ANON,
		.page_clear = VMLAB_PAGE_ANON_EXCLUSIVE };
	static const struct want alone_wp = { VMLAB_COW_EXCLUSIVE_WP,
		.pte_clear = VMLAB_PTE_WRITE, .page_set = VMLAB_PAGE_ANON };
	static const struct want gone = { VMLAB_COW_NONE, .pte_clear = VMLAB_PTE_PRESENT };
	struct vmlab_walk before, after, child, alone, there, reused;
	struct map_line m;
	int to_child, from_child;
	volatile char *p;
	pid_t pid;

	/* one CPU for both, as in fork-cow: the write reuses, it does not copy */
	if (lab_one_cpu(lab))
		return;
	p = lab_anon(lab, 1, MAP_PRIVATE);
	if (!p)
		goto out;
	say("write a page of private memory, then fork: the child shares it");
	print_header();
	p[0] = 'p';
	step(lab, "parent: before fork", p, &exclusive, &before);
	lab_picture(lab, "before-fork", 0, p, PG);
	pid = lab_fork(lab, fork_exec_child, (void *)p, &to_child, &from_child);
	if (pid < 0)
		goto out;
	if (child_walk(lab, from_child, &child))
		goto reap;
	show(lab, "child: after fork", &child);
	check_want(lab, &child, &shared);
	step(lab, "parent: after fork", p, &shared, &after);
	check_pfn(lab, "parent and child to map one page", &after, &child, true);
	check_u64(lab, "mapcount after the fork", 2, after.mapcount);

	say("the child execs cat: a new address space, the old one torn down");
	if (!exec_done(lab, pid, to_child, from_child))
		goto reap;
	/*
	 * Our mapping is gone with the old address space. The new program may
	 * have one of its own at the same address (on 32-bit, where the
	 * randomized areas overlap more, it sometimes has): then that must
	 * not map our page.
	 */
	if (walk_other(lab, pid, p, &there))
		goto reap;
	show(lab, "child: our page's address", &there);
	if (there.walk_flags & VMLAB_WALK_NO_VMA) {
		check_want(lab, &there, &gone);
	} else {
		if (mapping_at(pid, p, &m))
			printf("    the new program's own mapping covers it: %llx-%llx %s %s\n",
			       (unsigned long long)m.start, (unsigned long long)m.end,
			       m.perms, m.path);
		if (there.leaf_flags & VMLAB_PTE_PRESENT)
			check_pfn(lab, "the new program's page not to be ours", &before,
				  &there, false);
	}
	step(lab, "parent: after the exec", p, &alone_wp, &alone);
	lab_picture(lab, "after-exec", 0, p, PG);
	check_u64(lab, "mapcount after the exec", 1, alone.mapcount);
	check_pfn(lab, "no copy: the parent's page is the one before fork", &before, &alone,
		  true);

	say("the parent writes: its page is its own again, reused without a copy");
	p[0] = 'q';
	step(lab, "parent: after its write", p, &exclusive, &reused);
	check_pfn(lab, "the write to reuse the page", &before, &reused, true);
reap:
	lab_reap(lab, pid, to_child, from_child);
out:
	lab_all_cpus();
}

const struct lesson lesson_fork_exec = {
	.name = "fork-exec",
	.title = "Fork then exec: nothing copied, every mapping replaced",
	.run = fork_exec_run,
	.moral =
	"fork only shares the pages and write-protects them; exec then drops\n"
	"every mapping of the child, so no page was copied: the parent's pages\n"
	"are its own again, and its next write reuses the page.",
};
