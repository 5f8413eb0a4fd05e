// SPDX-License-Identifier: GPL-2.0
/*
 * run.c - the cost of watching a program: "vmlab run" (ptrace, the seccomp
 * filter that stops only the memory calls, the page faults read from
 * tracefs and grouped per VMA) of a program that faults 100k pages (fewer
 * when --size is under 400 MiB), against the same program run alone.
 * Issue 14's target: at most 2x. A kernel without x86's page-fault
 * tracepoint (arm64) has no faults to read: the row then measures the
 * memory calls' cost alone, says so, and has no target.
 *
 * The program is this binary again: VMLAB_BENCH_FAULT_PAGES=N in its
 * environment makes it, before main(), map N anonymous 4 KiB pages
 * (MADV_NOHUGEPAGE: one fault each), write each, and exit.
 */
#define _GNU_SOURCE
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench.h"

#define VMLAB_TOOL	"/bin/vmlab"
#define FAULT_ENV	"VMLAB_BENCH_FAULT_PAGES"
#define FAULT_PAGES	100000
/* where vmlab run reads the faults from (x86 only) */
#define FAULT_EVENT	"/sys/kernel/tracing/events/exceptions/page_fault_user"
/* the row's legend without it */
#define NO_FAULTS_WHAT	\
	"vmlab run -o /dev/null of a program writing 100k fresh pages (memory calls only: no page-fault tracepoint in this kernel)"

/* the fault program: before main(), when the environment asks for it */
__attribute__((constructor)) static void fault_program(void)
{
	const char *n = getenv(FAULT_ENV);
	size_t pages, i;
	char *p;

	if (!n)
		return;
	pages = strtoul(n, NULL, 10);
	p = mmap(NULL, pages * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	/* 4 KiB pages, one fault each, as the other benchmarks' memory */
	if (p == MAP_FAILED || madvise(p, pages * PAGE, MADV_NOHUGEPAGE))
		_exit(1);
	for (i = 0; i < pages; i++)
		p[i * PAGE] = 1;
	_exit(0);
}

struct run_prog {
	char self[4096];	/* this binary */
	char **envp;		/* environ with FAULT_ENV */
};

/* milliseconds of one run of @argv, which must exit 0 */
static double spawn_ms(char *const argv[], char **envp)
{
	uint64_t t0 = now_ns();
	pid_t child;
	int status;

	if (posix_spawn(&child, argv[0], NULL, NULL, argv, envp) ||
	    waitpid(child, &status, 0) != child || !WIFEXITED(status) || WEXITSTATUS(status))
		return -1;
	return since_s(t0) * 1e3;
}

static double alone_ms(void *arg)
{
	struct run_prog *r = arg;

	return spawn_ms((char *const[]){ r->self, NULL }, r->envp);
}

static double under_run_ms(void *arg)
{
	struct run_prog *r = arg;

	return spawn_ms((char *const[]){ VMLAB_TOOL, "run", "-o", "/dev/null", "--", r->self,
					 NULL }, r->envp);
}

static int bench_run_faults(const struct bench *b)
{
	static char env[64];
	struct run_prog r = { 0 };
	struct bench_row row = {
		.name = "run-faults",
		.unit = "ms/run",
		.vmlab = "vmlab run -o /dev/null of a program writing 100k fresh pages",
		.other = "the same program alone",
		.vmlab_fn = under_run_ms,
		.vmlab_arg = &r,
		.other_fn = alone_ms,
		.other_arg = &r,
		.target = TARGET_AT_MOST,
		.target_ratio = 2,
	};
	size_t n = 0;
	ssize_t len;
	int ret;

	if (access(VMLAB_TOOL, X_OK))
		return bench_fail(b, VMLAB_TOOL);
	len = readlink("/proc/self/exe", r.self, sizeof(r.self) - 1);
	if (len <= 0)
		return bench_fail(b, "/proc/self/exe");
	r.self[len] = '\0';
	while (environ[n])
		n++;
	r.envp = calloc(n + 2, sizeof(*r.envp));
	if (!r.envp)
		return bench_fail(b, "calloc");
	for (n = 0; environ[n]; n++)
		r.envp[n] = environ[n];
	/* 100k pages, fewer where --size (--quick) says less */
	snprintf(env, sizeof(env), "%s=%zu", FAULT_ENV,
		 (size_t)(opts.size / PAGE < FAULT_PAGES ? opts.size / PAGE : FAULT_PAGES));
	r.envp[n] = env;
	if (access(FAULT_EVENT, F_OK)) {
		row.vmlab = NO_FAULTS_WHAT;
		row.target = TARGET_NONE;
	}
	ret = bench_measure(b, &row);
	free(r.envp);
	return ret;
}

const struct bench run_benches[] = {
	{ "run-faults", "vmlab run of a program faulting 100k pages vs the program alone",
	  bench_run_faults },
};

const size_t nr_run_benches = ARRAY_SIZE(run_benches);
