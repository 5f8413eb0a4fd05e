// SPDX-License-Identifier: GPL-2.0
/*
 * fork-exec - fork, and in the child exec a program; the parent waits.
 *
 *	fork-exec [PROGRAM [ARGS...]]	(default: cat /proc/self/maps)
 *
 * What to watch for: fork() copies no page: the child gets the parent's
 * VMAs and page tables with the private pages write-protected in both
 * (copy-on-write), and a page is copied only when one of them writes it.
 * exec() then throws the child's whole address space away and maps the
 * new program's: the default program prints the child's maps after exec,
 * and none of the parent's mappings are in it (the marker page written
 * before the fork, whose address the parent prints, is gone). Under
 * "vmlab run --walk fork-exec" the fork's write-protection and the exec's
 * removal of every VMA show as events.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

/*
 * Where to ask for the marker page (a hint, not MAP_FIXED): away from where
 * the kernel puts a new program's mappings (its heap just above the
 * program, the rest top-down below the stack), so that the exec'd program
 * cannot happen to map something at the same address, which would look
 * like the parent's page surviving exec.
 */
#define MARKER_HINT	((void *)(sizeof(long) == 4 ? 0x40000000UL : 0x100000000UL))

int main(int argc, char **argv)
{
	static char *const def[] = { "cat", "/proc/self/maps", NULL };
	char *const *prog = argc > 1 ? argv + 1 : def;
	char *marker;
	int status;
	pid_t pid;

	marker = mmap(MARKER_HINT, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
		      -1, 0);
	if (marker == MAP_FAILED) {
		perror("fork-exec: mmap");
		return 1;
	}
	snprintf(marker, 4096, "written before the fork");
	printf("fork-exec: parent %d: marker page at %p\n", getpid(), (void *)marker);
	fflush(stdout);		/* else the child's copy of stdio's buffer prints it again */
	pid = fork();
	if (pid < 0) {
		perror("fork-exec: fork");
		return 1;
	}
	if (pid == 0) {
		printf("fork-exec: child %d: marker at %p says \"%s\"; exec %s\n", getpid(),
		       (void *)marker, marker, prog[0]);
		fflush(stdout);
		execvp(prog[0], prog);
		perror("fork-exec: exec");
		_exit(127);
	}
	if (waitpid(pid, &status, 0) < 0) {
		perror("fork-exec: waitpid");
		return 1;
	}
	printf("fork-exec: child %d exited with %d\n", pid,
	       WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
	return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}
