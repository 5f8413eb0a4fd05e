// SPDX-License-Identifier: GPL-2.0
/*
 * fork.c - a lesson's child process: a real fork(2), walks sent up a pipe,
 * the parent's go down another, and the child's reaping.
 */
#include <errno.h>
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lab.h"

/*
 * A fork whose child runs @fn(@arg, @tell, @hear): the child writes walks
 * to @tell and waits for bytes on @hear. Returns the child's pid (-1 on
 * error) with the parent's ends in @to_child and @from_child.
 */
pid_t lab_fork(struct lab *lab, int (*fn)(struct lab *, void *, int, int), void *arg,
	       int *to_child, int *from_child)
{
	int down[2] = { -1, -1 }, up[2] = { -1, -1 };
	pid_t pid = -1;

	if (pipe(down) || pipe(up)) {
		lab_error(lab, "pipe");
		goto close_pipes;
	}
	fflush(stdout);		/* or the child would print it again */
	pid = fork();
	if (pid < 0) {
		lab_error(lab, "fork");
		goto close_pipes;
	}
	if (pid == 0) {
		close(down[1]);
		close(up[0]);
		_exit(fn(lab, arg, up[1], down[0]));
	}
	close(down[0]);
	close(up[1]);
	*to_child = down[1];
	*from_child = up[0];
	return pid;

close_pipes:
	close(down[0]);
	close(down[1]);
	close(up[0]);
	close(up[1]);
	return -1;
}

/* The next walk the child sent; -1 (and an error) when it sent none. */
int child_walk(struct lab *lab, int from_child, struct vmlab_walk *w)
{
	if (read(from_child, w, sizeof(*w)) != sizeof(*w)) {
		errno = EPIPE;
		lab_error(lab, "the child's walk");
		return -1;
	}
	return 0;
}

/* Child side: walks @addr and sends it up; 0 or -1. */
int send_walk(struct lab *lab, const volatile void *addr, int tell)
{
	struct vmlab_walk w;

	if (vmlab_walk(lab->fd, 0, (uintptr_t)addr, &w))
		return -1;
	return write(tell, &w, sizeof(w)) == sizeof(w) ? 0 : -1;
}

/* Child side: waits for the parent's go; 0, or -1 when the parent is gone. */
int wait_go(int hear)
{
	char c;

	return read(hear, &c, 1) == 1 ? 0 : -1;
}

/* Ends a lab_fork child: closes our ends, reaps it, checks it exited 0. */
void lab_reap(struct lab *lab, pid_t pid, int to_child, int from_child)
{
	int status;

	close(to_child);
	close(from_child);
	if (waitpid(pid, &status, 0) != pid) {
		lab_error(lab, "waitpid");
		return;
	}
	if (!WIFEXITED(status) || WEXITSTATUS(status))
		mismatch(lab, "expected the child to exit 0, kernel shows status %#x", status);
}
