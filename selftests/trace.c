// SPDX-License-Identifier: GPL-2.0
/*
 * trace.c - selftests of "vmlab trace": a running process's page faults
 * seen live (JSON checked by jq, and text), --count, Ctrl-C and the
 * process's end ending it with the totals, every region's handler calls
 * (--regions), and every error's one line.
 *
 * Runs as root in the vmlab VM (the refusal test lowers itself to nobody).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "vmlab_test.h"
#include "tool_run.h"
#include "libvmlab.h"

#define TOUCH_PAGES	64
/*
 * Pages the keeping toucher writes once each, 10 ms apart (41 s), and
 * never drops: a fault's leaf is walked when the tracer reads the event,
 * so a page dropped meanwhile would show a leaf that is no longer there.
 */
#define KEEP_PAGES	4096
/* x86's tracepoint of the user's page faults: the -p tests need it */
#define PF_EVENT	"/sys/kernel/tracing/events/exceptions/page_fault_user"
/* seconds a test may take under TCG on a loaded host */
#define TRACE_TIMEOUT	180

FIXTURE(trace) {
};

FIXTURE_SETUP(trace)
{
	ASSERT_EQ(0, access(VMLAB_BIN, X_OK)) TH_LOG("%s is not in the VM", VMLAB_BIN);
	ASSERT_EQ(0, access(JQ_BIN, X_OK)) TH_LOG("%s is not in the VM", JQ_BIN);
}

FIXTURE_TEARDOWN(trace)
{
}

/*
 * A child that writes each page of @p (@pages, or a fresh anonymous
 * mapping when NULL) in turn every 10 ms, dropping them all after each
 * round, until killed.  With @keep it writes each of KEEP_PAGES fresh
 * pages once instead, keeps them, and then waits to be killed.
 */
static pid_t toucher_run(char *p, int keep)
{
	size_t pages = keep ? KEEP_PAGES : TOUCH_PAGES;
	int fds[2];
	pid_t pid;

	if (pipe(fds))
		return -1;
	pid = fork();
	if (pid == 0) {
		size_t i;

		if (!p)
			p = mmap(NULL, pages * PAGE, PROT_READ | PROT_WRITE,
				 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (p != MAP_FAILED && keep)
			madvise(p, pages * PAGE, MADV_NOHUGEPAGE);
		if (p == MAP_FAILED || write(fds[1], &p, sizeof(p)) != sizeof(p))
			_exit(1);
		for (;;) {
			for (i = 0; i < pages; i++) {
				p[i * PAGE] = 1;
				usleep(10000);
			}
			if (keep)
				for (;;)
					pause();
			madvise(p, pages * PAGE, MADV_DONTNEED);
		}
		_exit(0);
	}
	close(fds[1]);
	if (pid > 0 && read(fds[0], &p, sizeof(p)) != sizeof(p)) {
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		pid = -1;
	}
	close(fds[0]);
	return pid;
}

static pid_t toucher(char *p)
{
	return toucher_run(p, 0);
}

/* vmlab trace -p @kid started, its stdout into the memfd @out */
static pid_t trace_async(pid_t kid, int out)
{
	char pid[16];
	pid_t tracer;

	snprintf(pid, sizeof(pid), "%d", kid);
	tracer = fork();
	if (tracer == 0) {
		dup2(out, STDOUT_FILENO);
		execl(VMLAB_BIN, VMLAB_BIN, "trace", "-p", pid, NULL);
		_exit(127);
	}
	return tracer;
}

/* waits up to @seconds for a fault line in @out: 0, or -1 when none came */
static int wait_output(int out, int seconds)
{
	int i;

	for (i = 0; i < seconds * 10; i++) {
		if (lseek(out, 0, SEEK_END) > 0)
			return 0;
		usleep(100000);
	}
	return -1;
}

/* waits up to @seconds for @pid's end: its status, or -1 */
static int wait_end(pid_t pid, int seconds)
{
	int i, st;

	for (i = 0; i < seconds * 10; i++) {
		if (waitpid(pid, &st, WNOHANG) == pid)
			return st;
		usleep(100000);
	}
	return -1;
}

static void reap(pid_t pid)
{
	if (pid > 0) {
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
	}
}

/* --json --count 5: five faults of the process, each with its VMA, then the totals */
TEST_F_TIMEOUT(trace, json_count, TRACE_TIMEOUT)
{
	char filter[512];
	struct result r;
	pid_t kid;

	if (access(PF_EVENT, F_OK))
		SKIP(return, "no %s in this kernel", PF_EVENT);
	kid = toucher_run(NULL, 1);
	ASSERT_LT(0, kid);
	ASSERT_EQ(0, vmlab(&r, "trace -p %d --json --count 5", kid));
	reap(kid);
	ASSERT_EQ(0, r.status) TH_LOG("stderr: %s", r.err);
	EXPECT_STREQ("", r.err);
	EXPECT_EQ(6, count_lines(r.out)) TH_LOG("%s", r.out);
	snprintf(filter, sizeof(filter), "%d as $k | [., inputs] | map(%s | %s) | %s", kid,
		 "select(.event == \"fault\")",
		 "[.tid, .access, .cause, .by, .vma.perms, .leaf.verdict] == [$k, \"write\", \"not-present\", \"user\", \"rw-p\", \"writable\"]",
		 "[length, all] | map(tostring) | join(\" \")");
	EXPECT_JQ(r.out, filter, "5 true");
	snprintf(filter, sizeof(filter), "select(.event == \"totals\") | %s | %s",
		 "[.count, .lost, (.vmas | length), .vmas[0].counts[\"write not-present\"]]",
		 "map(tostring) | join(\" \")");
	EXPECT_JQ(r.out, filter, "5 0 1 5");
	result_free(&r);
}

/* text: one line per fault, the totals per VMA and kind */
TEST_F_TIMEOUT(trace, text_totals, TRACE_TIMEOUT)
{
	struct result r;
	pid_t kid;
	char want[64];

	if (access(PF_EVENT, F_OK))
		SKIP(return, "no %s in this kernel", PF_EVENT);
	kid = toucher_run(NULL, 1);
	ASSERT_LT(0, kid);
	ASSERT_EQ(0, vmlab(&r, "trace -p %d -n 3", kid));
	reap(kid);
	ASSERT_EQ(0, r.status) TH_LOG("stderr: %s", r.err);
	EXPECT_EQ(5, count_lines(r.out)) TH_LOG("%s", r.out);
	snprintf(want, sizeof(want), "[%d] ", kid);
	EXPECT_EQ(0, strncmp(r.out, want, strlen(want))) TH_LOG("%s", r.out);
	EXPECT_NE(NULL, strstr(r.out, " write not-present ")) TH_LOG("%s", r.out);
	/* each with the leaf it left: present, written, the page its own */
	EXPECT_NE(NULL, strstr(r.out, "  -> present|write|")) TH_LOG("%s", r.out);
	EXPECT_NE(NULL, strstr(r.out, " writable\n")) TH_LOG("%s", r.out);
	EXPECT_NE(NULL, strstr(r.out, "\ntotals: 3 faults\n")) TH_LOG("%s", r.out);
	EXPECT_NE(NULL, strstr(r.out, "  3 write not-present\n")) TH_LOG("%s", r.out);
	result_free(&r);
}

/* a toucher and a "vmlab trace -p" of it started asynchronously */
struct live {
	int out;		/* the tracer's stdout, a memfd */
	pid_t kid, tracer;
};

/* starts them and waits for the first fault line: 0, or -1 */
static int live_start(struct live *l)
{
	l->out = memfd_create("out", MFD_CLOEXEC);
	l->kid = toucher(NULL);
	l->tracer = l->kid > 0 && l->out >= 0 ? trace_async(l->kid, l->out) : -1;
	return l->tracer > 0 ? wait_output(l->out, 120) : -1;
}

/* the tracer's status within 30 s (-1: none, killed), its output into @text */
static int live_end(struct live *l, char **text)
{
	int st = l->tracer > 0 ? wait_end(l->tracer, 30) : -1;

	reap(l->kid);
	if (st < 0)
		reap(l->tracer);
	*text = l->out >= 0 ? slurp(l->out, NULL) : NULL;
	if (l->out >= 0)
		close(l->out);
	return st;
}

/* Ctrl-C ends it: status 0, the totals printed */
TEST_F_TIMEOUT(trace, sigint_prints_totals, TRACE_TIMEOUT)
{
	struct live l;
	char *text;
	int st;

	if (access(PF_EVENT, F_OK))
		SKIP(return, "no %s in this kernel", PF_EVENT);
	EXPECT_EQ(0, live_start(&l));
	kill(l.tracer, SIGINT);
	st = live_end(&l, &text);
	EXPECT_TRUE(st >= 0 && WIFEXITED(st) && WEXITSTATUS(st) == 0) TH_LOG("status %#x", st);
	ASSERT_NE(NULL, text);
	EXPECT_NE(NULL, strstr(text, "\ntotals: ")) TH_LOG("%s", text);
	EXPECT_NE(NULL, strstr(text, " write not-present")) TH_LOG("%s", text);
	free(text);
}

/* the process's end ends it, with the totals */
TEST_F_TIMEOUT(trace, process_end_ends_it, TRACE_TIMEOUT)
{
	struct live l;
	char *text;
	int st;

	if (access(PF_EVENT, F_OK))
		SKIP(return, "no %s in this kernel", PF_EVENT);
	EXPECT_EQ(0, live_start(&l));
	reap(l.kid);
	l.kid = -1;
	st = live_end(&l, &text);
	EXPECT_TRUE(st >= 0 && WIFEXITED(st) && WEXITSTATUS(st) == 0) TH_LOG("status %#x", st);
	ASSERT_NE(NULL, text);
	EXPECT_NE(NULL, strstr(text, "\ntotals: ")) TH_LOG("%s", text);
	free(text);
}

/* a tracer killed leaves its tracefs instance: the next one removes it */
TEST_F_TIMEOUT(trace, killed_tracers_instance_removed, TRACE_TIMEOUT)
{
	char inst[128];
	struct result r;
	struct live l;
	char *text;

	if (access(PF_EVENT, F_OK))
		SKIP(return, "no %s in this kernel", PF_EVENT);
	EXPECT_EQ(0, live_start(&l));
	snprintf(inst, sizeof(inst), "/sys/kernel/tracing/instances/vmlab-%d", l.tracer);
	EXPECT_EQ(0, access(inst, F_OK)) TH_LOG("no %s", inst);
	kill(l.tracer, SIGKILL);
	live_end(&l, &text);
	free(text);
	EXPECT_EQ(0, access(inst, F_OK)) TH_LOG("%s gone with its tracer", inst);
	l.kid = toucher(NULL);
	ASSERT_LT(0, l.kid);
	ASSERT_EQ(0, vmlab(&r, "trace -p %d --count 1", l.kid));
	reap(l.kid);
	EXPECT_EQ(0, r.status) TH_LOG("%s", r.err);
	EXPECT_NE(0, access(inst, F_OK)) TH_LOG("%s still there", inst);
	result_free(&r);
}

/* --regions: the calls of vmlab's fault handler, with the region's id */
TEST_F_TIMEOUT(trace, regions, TRACE_TIMEOUT)
{
	struct vmlab_region_create rc;
	char filter[256], want[320];
	struct result r;
	int fd = vmlab_open();
	pid_t kid;
	char *p;

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, vmlab_region_new(fd, VMLAB_REGION_ANON, TOUCH_PAGES * PAGE, 0, &rc));
	p = mmap(NULL, TOUCH_PAGES * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, rc.offset);
	ASSERT_NE(MAP_FAILED, p);
	kid = toucher(p);
	ASSERT_LT(0, kid);
	ASSERT_EQ(0, vmlab(&r, "trace --regions --json --count 3"));
	reap(kid);
	munmap(p, TOUCH_PAGES * PAGE);
	vmlab_region_destroy(fd, rc.id);
	close(fd);
	ASSERT_EQ(0, r.status) TH_LOG("stderr: %s", r.err);
	snprintf(filter, sizeof(filter), "[., inputs] | map(%s | %s) | %s",
		 "select(.event == \"fault\")",
		 "[.region, .cause, .tid] == [$r, \"vmlab_fault\", $k]",
		 "[length, all] | map(tostring) | join(\" \")");
	snprintf(want, sizeof(want), "%u as $r | %d as $k | %s", rc.id, kid, filter);
	EXPECT_JQ(r.out, want, "3 true");
	snprintf(want, sizeof(want), "%u", rc.id);
	EXPECT_JQ(r.out, "select(.event == \"totals\") | .regions[0].region", want);
}

/* bad usage, no such process, no tracefs, not root: one line each */
TEST_F_TIMEOUT(trace, errors_are_one_line, TRACE_TIMEOUT)
{
	struct result r;

	ASSERT_EQ(0, vmlab(&r, "trace"));
	EXPECT_ONE_LINE_ERROR(&r, 2);
	EXPECT_NE(NULL, strstr(r.err, "-p PID, or --regions")) TH_LOG("%s", r.err);
	result_free(&r);
	ASSERT_EQ(0, vmlab(&r, "trace -p 1 --regions"));
	EXPECT_ONE_LINE_ERROR(&r, 2);
	result_free(&r);
	ASSERT_EQ(0, vmlab(&r, "trace -p 1 --count 0"));
	EXPECT_ONE_LINE_ERROR(&r, 2);
	result_free(&r);
	ASSERT_EQ(0, vmlab(&r, "trace -p 1 extra"));
	EXPECT_ONE_LINE_ERROR(&r, 2);
	result_free(&r);
	ASSERT_EQ(0, vmlab(&r, "trace -p 4194304"));
	EXPECT_ONE_LINE_ERROR(&r, 1);
	EXPECT_NE(NULL, strstr(r.err, "no such process")) TH_LOG("%s", r.err);
	result_free(&r);
	ASSERT_EQ(0, run_full(&r, 0, "VMLAB_TRACEFS=/nonexistent", NULL,
			      (char *const[]){ VMLAB_BIN, "trace", "-p", "1", NULL }));
	EXPECT_ONE_LINE_ERROR(&r, 1);
	EXPECT_NE(NULL, strstr(r.err, "no tracefs at /nonexistent")) TH_LOG("%s", r.err);
	result_free(&r);
	ASSERT_EQ(0, run_full(&r, NOBODY, NULL, NULL,
			      (char *const[]){ VMLAB_BIN, "trace", "-p", "1", NULL }));
	EXPECT_ONE_LINE_ERROR(&r, 1);
	EXPECT_NE(NULL, strstr(r.err, "need root")) TH_LOG("%s", r.err);
	result_free(&r);
}

/* "vmlab --help" lists trace; "vmlab trace --help" says its usage */
TEST_F_TIMEOUT(trace, help, TRACE_TIMEOUT)
{
	struct result r;

	ASSERT_EQ(0, vmlab(&r, "--help"));
	EXPECT_NE(NULL, strstr(r.out, "\n  trace ")) TH_LOG("%s", r.out);
	result_free(&r);
	ASSERT_EQ(0, vmlab(&r, "trace --help"));
	EXPECT_EQ(0, r.status);
	EXPECT_EQ(0, strncmp(r.out, "usage: vmlab trace", 18)) TH_LOG("%s", r.out);
	result_free(&r);
}

TEST_HARNESS_MAIN
