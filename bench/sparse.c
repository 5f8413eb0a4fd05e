// SPDX-License-Identifier: GPL-2.0
/*
 * sparse.c - what holes cost the tool: "vmlab maps" and "vmlab scan" of a
 * process with a 64 GiB anonymous mapping of which one page per GiB is
 * written, against the same commands on a process whose mapping is only
 * those 64 pages, side by side (a 256 KiB mapping). Both processes are
 * fork children of this one, alike but for that mapping, so the ratio is
 * what 64 GiB of holes add (issue 20: nearly nothing).
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench.h"

#define VMLAB_TOOL	"/bin/vmlab"
#define GIB		(1UL << 30)
#define SPARSE_PAGES	64
/* 64 GiB, one page per GiB; 1 GiB in a 32-bit process's 3 GiB */
#define SPARSE_BYTES	((sizeof(void *) == 8 ? 64 : 1) * GIB)
#define SPARSE_STRIDE	(SPARSE_BYTES / SPARSE_PAGES)

/* a child holding one of the two mappings, and that mapping */
struct holder {
	pid_t pid;
	char *start;
	size_t len;
	const char *cmd;	/* "maps" or "scan" */
};

/* milliseconds of one "vmlab maps -p PID" or "vmlab scan -p PID START-END" */
static double tool_ms(void *arg)
{
	const struct holder *h = arg;
	char pid[16], range[48];
	char *const maps[] = { "vmlab", "maps", "-p", pid, NULL };
	char *const scan[] = { "vmlab", "scan", "-p", pid, range, NULL };
	posix_spawn_file_actions_t fa;
	uint64_t t0;
	pid_t child;
	int status, err;

	snprintf(pid, sizeof(pid), "%d", (int)h->pid);
	snprintf(range, sizeof(range), "%" PRIxPTR "-%" PRIxPTR, (uintptr_t)h->start,
		 (uintptr_t)h->start + h->len);
	if (posix_spawn_file_actions_init(&fa))
		return -1;
	/* the rows are not the point, only what they cost */
	posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
	t0 = now_ns();
	err = posix_spawn(&child, VMLAB_TOOL, &fa, NULL, h->cmd[0] == 'm' ? maps : scan,
			  environ);
	posix_spawn_file_actions_destroy(&fa);
	if (err || waitpid(child, &status, 0) != child || !WIFEXITED(status) ||
	    WEXITSTATUS(status))
		return -1;
	return since_s(t0) * 1e3;
}

/*
 * A child that unmaps @drop (the other child's mapping), says so on a pipe
 * and waits to be killed: its pid, or -1.
 */
static pid_t holder_fork(char *drop, size_t drop_len)
{
	int fds[2];
	pid_t pid;
	char c = 0;

	if (pipe(fds))
		return -1;
	pid = fork();
	if (!pid) {
		close(fds[0]);
		if (munmap(drop, drop_len) || write(fds[1], &c, 1) != 1)
			_exit(1);
		for (;;)
			pause();
	}
	close(fds[1]);
	if (pid > 0 && read(fds[0], &c, 1) != 1) {
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		pid = -1;
	}
	close(fds[0]);
	return pid;
}

static void holder_end(pid_t pid)
{
	if (pid > 0) {
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
	}
}

static int bench_sparse(const struct bench *b)
{
	/* the row keeps the pointer: printed again after the run */
	static char sparse_what[96];
	struct holder sparse = { .len = SPARSE_BYTES, .cmd = "maps" };
	struct holder dense = { .len = SPARSE_PAGES * PAGE, .cmd = "maps" };
	struct bench_row row = {
		.name = "maps-sparse",
		.unit = "ms/run",
		.vmlab = sparse_what,
		.other = "the same of a process whose mapping is only those 64 pages",
		.vmlab_fn = tool_ms,
		.vmlab_arg = &sparse,
		.other_fn = tool_ms,
		.other_arg = &dense,
		.target = TARGET_AT_MOST,
		.target_ratio = 1.5,
	};
	size_t i;
	int ret = -1;

	snprintf(sparse_what, sizeof(sparse_what),
		 "vmlab maps -p PID, a %lu GiB anonymous mapping with %d pages in it",
		 (unsigned long)(SPARSE_BYTES / GIB), SPARSE_PAGES);
	if (access(VMLAB_TOOL, X_OK))
		return bench_fail(b, VMLAB_TOOL);
	sparse.start = mmap(NULL, sparse.len, PROT_READ | PROT_WRITE,
			    MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	dense.start = bench_anon(dense.len, MAP_PRIVATE);
	if (sparse.start == MAP_FAILED || dense.start == MAP_FAILED) {
		bench_fail(b, "mmap");
		goto out;
	}
	if (madvise(sparse.start, sparse.len, MADV_NOHUGEPAGE)) {
		bench_fail(b, "madvise");
		goto out;
	}
	for (i = 0; i < SPARSE_PAGES; i++)
		sparse.start[i * SPARSE_STRIDE] = 1;
	touch_pages(dense.start, dense.len);
	sparse.pid = holder_fork(dense.start, dense.len);
	dense.pid = holder_fork(sparse.start, sparse.len);
	if (sparse.pid < 0 || dense.pid < 0) {
		bench_fail(b, "fork");
		goto out_children;
	}
	ret = bench_measure(b, &row);
	row.name = "scan-sparse";
	row.vmlab = "vmlab scan -p PID START-END of that mapping";
	row.other = "the same of the 64-page mapping";
	sparse.cmd = "scan";
	dense.cmd = "scan";
	ret = ret ?: bench_measure(b, &row);
out_children:
	holder_end(sparse.pid);
	holder_end(dense.pid);
out:
	if (sparse.start != MAP_FAILED)
		munmap(sparse.start, sparse.len);
	if (dense.start != MAP_FAILED)
		munmap(dense.start, dense.len);
	return ret;
}

const struct bench sparse_benches[] = {
	{ "sparse", "vmlab maps and scan of a 64 GiB sparse mapping vs of its pages alone",
	  bench_sparse },
};

const size_t nr_sparse_benches = ARRAY_SIZE(sparse_benches);
