// SPDX-License-Identifier: GPL-2.0
/*
 * run.c - selftests of "vmlab run": programs run under it and what it
 * printed, the JSON events checked by jq. The programs are this test
 * itself, run again with a helper's name as its first argument: one maps
 * a file privately, reads and writes it (the mmap's private-file VMA, the
 * read's page-cache leaf, the write's new frame), one forks and execs (the
 * fork write-protecting the parent's page, the child's copy, the exec
 * replacing every mapping), one unmaps the middle of a mapping (the
 * split); exit status and signals passed through; every error's one line.
 *
 * Runs as root in the vmlab VM (the ptrace test lowers itself to nobody).
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "vmlab_test.h"
#include "tool_run.h"

#define YAMA_SCOPE	"/proc/sys/kernel/yama/ptrace_scope"
/* x86's tracepoint of the user's page faults */
#define PF_EVENT	"/sys/kernel/tracing/events/exceptions/page_fault_user"
/* what vmlab run says once where that tracepoint does not exist (arm64) */
#define PF_ABSENT_LINE	"vmlab: run: page faults not shown: no exceptions:page_fault_user " \
			"event in this kernel (x86 only)\n"
/* seconds a test of several runs may take under TCG on a loaded host */
#define RUN_TIMEOUT	180

/*
 * @r's stderr without the line saying the kernel has no fault tracepoint,
 * where it has none: the rest of stderr is what a test checks
 */
static void drop_pf_absent(struct result *r)
{
	size_t n = strlen(PF_ABSENT_LINE);
	char *line;

	if (!access(PF_EVENT, F_OK) || !r->err)
		return;
	line = strstr(r->err, PF_ABSENT_LINE);
	if (line)
		memmove(line, line + n, strlen(line + n) + 1);
}

/* ---- the helpers vmlab run runs: this program with an argument ---- */

static char self_path[4096];

/* map @path privately, read a page, write it: the events at madvise and msync */
static int helper_mmap_write(const char *path)
{
	int fd = open(path, O_RDONLY);
	volatile char *p;
	char c;

	if (fd < 0)
		return 10;
	p = mmap(NULL, 2 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	if (p == MAP_FAILED)
		return 11;
	printf("%p\n", (void *)p);
	fflush(stdout);
	c = p[0];			/* a read fault: the page cache's page */
	madvise((void *)p, PAGE, MADV_NORMAL);
	p[0] = c + 1;			/* a write fault: a private copy */
	msync((void *)p, PAGE, MS_ASYNC);
	return 0;
}

/* a page written, a fork, the child's own write, then the child execs */
static int helper_fork_exec(void)
{
	volatile char *p = mmap(NULL, PAGE, PROT_READ | PROT_WRITE,
				MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	int status;
	pid_t kid;

	if (p == MAP_FAILED)
		return 10;
	p[0] = 1;
	printf("%p\n", (void *)p);
	fflush(stdout);
	/* a memory call: the written page in the reading before the fork */
	madvise((void *)p, PAGE, MADV_NORMAL);
	kid = fork();
	if (kid == 0) {
		p[0] = 2;		/* the COW fault: the child's own copy */
		madvise((void *)p, PAGE, MADV_NORMAL);
		execl(self_path, self_path, "exit", "7", NULL);
		_exit(99);
	}
	if (kid < 0 || waitpid(kid, &status, 0) != kid)
		return 11;
	return WIFEXITED(status) && WEXITSTATUS(status) == 7 ? 0 : 12;
}

/* three pages mapped, the middle one unmapped: one VMA becomes two */
static int helper_split(void)
{
	char *p = mmap(NULL, 3 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
		       -1, 0);

	if (p == MAP_FAILED)
		return 10;
	printf("%p\n", (void *)p);
	fflush(stdout);
	return munmap(p + PAGE, PAGE) ? 11 : 0;
}

static int helper(int argc, char **argv)
{
	if (!strcmp(argv[1], "mmap-write") && argc == 3)
		return helper_mmap_write(argv[2]);
	if (!strcmp(argv[1], "fork-exec"))
		return helper_fork_exec();
	if (!strcmp(argv[1], "split"))
		return helper_split();
	if (!strcmp(argv[1], "exit") && argc == 3)
		return atoi(argv[2]);
	if (!strcmp(argv[1], "signal"))
		raise(SIGUSR1);
	return 100;
}

/* ---- the tests ---- */

FIXTURE(run) {
	char events[64];	/* vmlab run -o: the events */
	char file[64];		/* the helpers' file, if made */
	int events_fd;
	char *json;
};

FIXTURE_SETUP(run)
{
	ASSERT_EQ(0, access(VMLAB_BIN, X_OK)) TH_LOG("%s is not in the VM", VMLAB_BIN);
	ASSERT_EQ(0, access(JQ_BIN, X_OK)) TH_LOG("%s is not in the VM", JQ_BIN);
	snprintf(self->events, sizeof(self->events), "/tmp/vmlab-run-events-XXXXXX");
	self->events_fd = mkstemp(self->events);
	ASSERT_LE(0, self->events_fd);
	self->file[0] = '\0';
	self->json = NULL;
}

FIXTURE_TEARDOWN(run)
{
	close(self->events_fd);
	unlink(self->events);
	if (self->file[0])
		unlink(self->file);
	free(self->json);
}

/* the events vmlab run wrote into self->events */
static char *events(int fd)
{
	return slurp(fd, NULL);
}

/* the helper's address on its stdout, as jq prints vmlab's hex: "0x7f..." */
/*
 * The first place in @text where @start is followed, after blanks (the
 * address columns are padded to 12 digits), by @then; NULL if none.
 */
static const char *line_then(const char *text, const char *start, const char *then)
{
	const char *p, *q;

	for (p = strstr(text, start); p; p = strstr(p + 1, start)) {
		for (q = p + strlen(start); *q == ' '; q++)
			;
		if (!strncmp(q, then, strlen(then)))
			return p;
	}
	return NULL;
}

/*
 * Where this program's first segment is mapped, the lowest line of its
 * maps (static, not PIE: 0x400000 on x86-64, 0x8048000 on i386); the run
 * helper is this program, mapped the same.
 */
static unsigned long exe_start(void)
{
	FILE *f = fopen("/proc/self/maps", "re");
	unsigned long a = 0;

	if (f) {
		if (fscanf(f, "%lx", &a) != 1)
			a = 0;
		fclose(f);
	}
	return a;
}

static int helper_addr(const struct result *r, char *buf, size_t size, uint64_t *addr)
{
	unsigned long long a;
	char *end;

	errno = 0;
	a = strtoull(r->out, &end, 16);
	if (errno || end == r->out)
		return -1;
	*addr = a;
	snprintf(buf, size, "0x%llx", a);
	return 0;
}

/*
 * A jq filter into @f: in the events @event selects, the leaf at @addr
 * (leaf_filter) or the VMA change whose first new VMA starts there
 * (vma_filter), its @fields joined by spaces.
 */
static void leaf_filter(char *f, size_t size, const char *event, const char *addr,
			const char *fields)
{
	snprintf(f, size, "select(%s) | .leaves[] | select(.addr == \"%s\") | [%s]%s", event,
		 addr, fields, " | map(tostring) | join(\" \")");
}

static void vma_filter(char *f, size_t size, const char *event, const char *addr,
		       const char *fields)
{
	snprintf(f, size, "select(%s) | .vmas[] | select(.after[0].start == \"%s\") | [%s]%s",
		 event, addr, fields, " | map(tostring) | join(\" \")");
}

/* the same for the first change, @addr as $a */
static void change_filter(char *f, size_t size, const char *event, const char *addr,
			  const char *fields)
{
	snprintf(f, size, "select(%s) | \"%s\" as $a | .vmas[0] | [%s]%s", event, addr, fields,
		 " | map(tostring) | join(\" \")");
}

/* a temporary file of two pages into @path, starting with @text: 0, or -1 */
static int two_page_file(char *path, size_t size, const char *text)
{
	size_t len = strlen(text);
	int fd, ret = 0;

	snprintf(path, size, "/tmp/vmlab-run-file-XXXXXX");
	fd = mkstemp(path);
	if (fd < 0)
		return -1;
	if (ftruncate(fd, 2 * PAGE) || pwrite(fd, text, len, 0) != (ssize_t)len)
		ret = -1;
	close(fd);
	return ret;
}

/* a private file mapping: its mmap, the read's page-cache leaf, the write's copy */
TEST_F_TIMEOUT(run, mmap_private_file_write, RUN_TIMEOUT)
{
	char a[32], filter[512], want[256];
	struct result r;
	uint64_t addr;

	ASSERT_EQ(0, two_page_file(self->file, sizeof(self->file), "x"));
	ASSERT_EQ(0, RUN(&r, VMLAB_BIN, "run", "--walk", "--json", "-o", self->events, "--",
			 self_path, "mmap-write", self->file));
	ASSERT_EQ(0, r.status) TH_LOG("stderr: %s", r.err);
	ASSERT_EQ(0, helper_addr(&r, a, sizeof(a), &addr)) TH_LOG("stdout: %s", r.out);
	self->json = events(self->events_fd);
	ASSERT_NE(NULL, self->json);

	/* the mmap: one VMA added, a private file mapping of our file */
	vma_filter(filter, sizeof(filter), ".syscall == \"mmap\"", a,
		   ".change, .after[0].type, .after[0].path");
	snprintf(want, sizeof(want), "added private-file %s", self->file);
	EXPECT_JQ(self->json, filter, want);
	/* after the read: the page cache's page, not copied yet */
	leaf_filter(filter, sizeof(filter), ".syscall == \"madvise\"", a,
		    ".before, .after.verdict");
	EXPECT_JQ(self->json, filter, "null private-file");
	/* after the write: a new frame, written, writable */
	leaf_filter(filter, sizeof(filter), ".syscall == \"msync\"", a,
		    ".before.verdict, .before.pfn != .after.pfn, .after.verdict");
	EXPECT_JQ(self->json, filter, "private-file true writable");
	leaf_filter(filter, sizeof(filter), ".syscall == \"msync\"", a,
		    ".after.flags | index(\"dirty\") != null");
	EXPECT_JQ(self->json, filter, "true");
	/* one event a line, the last the program's exit */
	snprintf(want, sizeof(want), "%d", count_lines(self->json));
	EXPECT_JQ(self->json, "[., inputs] | length", want);
	EXPECT_JQ(self->json, "select(.event == \"exit\") | .status", "0");
	result_free(&r);

	/* the same as text: the mmap line and its VMA with its type */
	ASSERT_EQ(0, RUN(&r, VMLAB_BIN, "run", "--", self_path, "mmap-write", self->file));
	drop_pf_absent(&r);
	EXPECT_EQ(0, r.status);
	snprintf(filter, sizeof(filter), "] mmap(0x0, %#lx, ", 2 * PAGE);
	EXPECT_NE(NULL, strstr(r.out, filter)) TH_LOG("%s", r.out);
	snprintf(filter, sizeof(filter), "private-file   %s\n", self->file);
	EXPECT_NE(NULL, strstr(r.out, filter)) TH_LOG("%s", r.out);
	EXPECT_STREQ("", r.err);
	result_free(&r);
}

/* a fork write-protects the parent's page, the child copies it, the exec replaces every VMA */
TEST_F_TIMEOUT(run, fork_and_exec, RUN_TIMEOUT)
{
	char a[32], filter[512], kid[32], event[128];
	struct result r;
	uint64_t addr;
	char *v;

	ASSERT_EQ(0, RUN(&r, VMLAB_BIN, "run", "--walk", "--json", "-o", self->events, "--",
			 self_path, "fork-exec"));
	ASSERT_EQ(0, r.status) TH_LOG("stderr: %s", r.err);
	ASSERT_EQ(0, helper_addr(&r, a, sizeof(a), &addr)) TH_LOG("stdout: %s", r.out);
	self->json = events(self->events_fd);
	ASSERT_NE(NULL, self->json);

	/* the fork (glibc's is a clone) names the child */
	v = jq(self->json, "select(.child) | .child");
	ASSERT_NE(NULL, v);
	snprintf(kid, sizeof(kid), "%s", v);
	free(v);
	ASSERT_LT(0, atoi(kid));
	/* the fork left the parent's written page write-protected, shared */
	leaf_filter(filter, sizeof(filter), ".child", a,
		    ".before.verdict, .after.verdict, .before.pfn == .after.pfn");
	EXPECT_JQ(self->json, filter, "writable cow-shared true");
	/* the child's write: its own copy, a new frame */
	snprintf(event, sizeof(event), ".pid == %s and .syscall == \"madvise\"", kid);
	leaf_filter(filter, sizeof(filter), event, a,
		    ".before.verdict, .after.verdict, .before.pfn != .after.pfn");
	EXPECT_JQ(self->json, filter, "cow-shared writable true");
	/* its exec: every VMA of the copy gone, the new program's in their place */
	snprintf(event, sizeof(event), ".pid == %s and .syscall == \"execve\"", kid);
	change_filter(filter, sizeof(filter), event, a,
		      ".change, ([.before, .after] | map(length) | min > 5)");
	EXPECT_JQ(self->json, filter, "replaced true");
	change_filter(filter, sizeof(filter), event, a,
		      "([.before[].start] | index($a) != null), ([.after[].start] | index($a))");
	EXPECT_JQ(self->json, filter, "true null");
	/* both exits, each with its own status */
	snprintf(filter, sizeof(filter), "select(.event == \"exit\" and .pid == %s).status", kid);
	EXPECT_JQ(self->json, filter, "7");
	snprintf(filter, sizeof(filter), "select(.event == \"exit\" and .pid != %s).status", kid);
	EXPECT_JQ(self->json, filter, "0");
	result_free(&r);
}

/* munmap of a mapping's middle page: one VMA split in two */
TEST_F_TIMEOUT(run, munmap_splits_a_vma, RUN_TIMEOUT)
{
	char a[32], filter[512], want[128];
	struct result r;
	uint64_t addr;

	ASSERT_EQ(0, RUN(&r, VMLAB_BIN, "run", "--json", "-o", self->events, "--", self_path,
			 "split"));
	ASSERT_EQ(0, r.status) TH_LOG("stderr: %s", r.err);
	ASSERT_EQ(0, helper_addr(&r, a, sizeof(a), &addr)) TH_LOG("stdout: %s", r.out);
	self->json = events(self->events_fd);
	ASSERT_NE(NULL, self->json);
	vma_filter(filter, sizeof(filter), ".syscall == \"munmap\"", a,
		   ".change, (.before|length), (.after|length), .after[0].end, .after[1].start");
	snprintf(want, sizeof(want), "split 1 2 0x%llx 0x%llx",
		 (unsigned long long)addr + PAGE, (unsigned long long)addr + 2 * PAGE);
	EXPECT_JQ(self->json, filter, want);
	vma_filter(filter, sizeof(filter), ".syscall == \"munmap\"", a, ".after[1].type");
	EXPECT_JQ(self->json, filter, "private-anon");
	result_free(&r);

	/* as text: the kind once, the VMA gone, the two that came */
	free(self->json);
	ASSERT_EQ(0, RUN(&r, VMLAB_BIN, "run", "-o", self->events, "--", self_path, "split"));
	EXPECT_EQ(0, r.status);
	ASSERT_EQ(0, helper_addr(&r, a, sizeof(a), &addr)) TH_LOG("stdout: %s", r.out);
	self->json = events(self->events_fd);
	ASSERT_NE(NULL, self->json);
	EXPECT_NE(NULL, strstr(self->json, "] munmap(")) TH_LOG("%s", self->json);
	snprintf(want, sizeof(want), "\n  split    - %llx-%llx",
		 (unsigned long long)addr, (unsigned long long)addr + 3 * PAGE);
	EXPECT_NE(NULL, line_then(self->json, want, "rw-p"))
		TH_LOG("no '%s' rw-p in: %s", want, self->json);
	snprintf(want, sizeof(want), "\n           + %llx-%llx",
		 (unsigned long long)addr + 2 * PAGE, (unsigned long long)addr + 3 * PAGE);
	EXPECT_NE(NULL, line_then(self->json, want, "rw-p"))
		TH_LOG("no '%s' rw-p in: %s", want, self->json);
	result_free(&r);
}

/*
 * A jq filter into @f: over every faults event, in the VMA starting at
 * @addr ($a), @what (an array) joined by spaces, all joined by commas.
 */
static void faults_filter(char *f, size_t size, const char *addr, const char *what)
{
	snprintf(f, size, "\"%s\" as $a | [., inputs] | map(%s | %s | %s) | join(\",\")", addr,
		 "select(.event == \"faults\") | .vmas[] | select(.vma.start == $a)", what,
		 "map(tostring) | join(\" \")");
}

/* removes @dir and the files in it */
static void rmdir_all(const char *dir)
{
	char path[512];
	struct dirent *d;
	DIR *dp = opendir(dir);

	while (dp && (d = readdir(dp))) {
		if (d->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, d->d_name);
		unlink(path);
	}
	if (dp)
		closedir(dp);
	rmdir(dir);
}

/* the column of the mapping type in the first line of @text holding @needle, or -1 */
static long type_column(const char *text, const char *needle)
{
	const char *at = strstr(text, needle), *line, *type;

	if (!at)
		return -1;
	for (line = at; line > text && line[-1] != '\n'; line--)
		;
	type = strstr(line, " private-");
	return type && !memchr(line, '\n', type - line) ? type - line : -1;
}

/* the faults between the calls, from the kernel's tracepoints, with the leaves they left */
TEST_F_TIMEOUT(run, faults_between_calls, RUN_TIMEOUT)
{
	char a[32], filter[768], want[256];
	struct result r;
	uint64_t addr;

	if (access(PF_EVENT, F_OK))
		SKIP(return, "no %s in this kernel", PF_EVENT);
	ASSERT_EQ(0, two_page_file(self->file, sizeof(self->file), ""));
	ASSERT_EQ(0, RUN(&r, VMLAB_BIN, "run", "--json", "-o", self->events, "--", self_path,
			 "mmap-write", self->file));
	ASSERT_EQ(0, r.status) TH_LOG("stderr: %s", r.err);
	EXPECT_STREQ("", r.err);
	ASSERT_EQ(0, helper_addr(&r, a, sizeof(a), &addr)) TH_LOG("stdout: %s", r.out);
	self->json = events(self->events_fd);
	ASSERT_NE(NULL, self->json);
	/* the read before madvise, the write (a COW of the read-only page) before msync */
	faults_filter(filter, sizeof(filter), a,
		      ".faults[] | select(.addr == $a) | [.access, .cause, .by, .leaf.verdict]");
	EXPECT_JQ(self->json, filter,
		  "read not-present user private-file,write protection user writable");
	/* counted by kind, the VMA's type named */
	faults_filter(filter, sizeof(filter), a, "[.vma.type, .counts[]]");
	EXPECT_JQ(self->json, filter, "private-file 1,private-file 1");
	/* the mmap's arguments by name */
	snprintf(filter, sizeof(filter), "%s | %s",
		 "select(.syscall == \"mmap\" and .decoded.fd >= 0)",
		 ".decoded | [.prot, .flags] | join(\" \")");
	EXPECT_JQ(self->json, filter, "PROT_READ|PROT_WRITE MAP_PRIVATE");
	result_free(&r);

	/* as text: the faults line and the fault with its leaf */
	free(self->json);
	ASSERT_EQ(0, RUN(&r, VMLAB_BIN, "run", "-o", self->events, "--", self_path, "mmap-write",
			 self->file));
	EXPECT_EQ(0, r.status);
	ASSERT_EQ(0, helper_addr(&r, a, sizeof(a), &addr)) TH_LOG("stdout: %s", r.out);
	self->json = events(self->events_fd);
	ASSERT_NE(NULL, self->json);
	EXPECT_NE(NULL, strstr(self->json, "] faults ")) TH_LOG("%s", self->json);
	snprintf(want, sizeof(want), "    %012llx write protection ", (unsigned long long)addr);
	EXPECT_NE(NULL, strstr(self->json, want)) TH_LOG("no '%s' in %s", want, self->json);
	/* the mmap's prot and flags by name */
	EXPECT_NE(NULL, strstr(self->json, ", PROT_READ|PROT_WRITE, MAP_PRIVATE, "))
		TH_LOG("%s", self->json);
	/* the TYPE column lines up for 8- and 12-digit addresses */
	snprintf(want, sizeof(want), "+ %08lx-", exe_start());
	EXPECT_LT(0, type_column(self->json, want)) TH_LOG("%s: %s", want, self->json);
	EXPECT_EQ(type_column(self->json, want), type_column(self->json, "[stack]"))
		TH_LOG("%s", self->json);
	result_free(&r);

	/* --no-faults: none */
	ASSERT_EQ(0, RUN(&r, VMLAB_BIN, "run", "--no-faults", "--", self_path, "mmap-write",
			 self->file));
	EXPECT_EQ(0, r.status);
	EXPECT_EQ(NULL, strstr(r.out, "] faults ")) TH_LOG("%s", r.out);
	result_free(&r);
}

/* no tracefs: one line says the faults are not shown, the program runs all the same */
TEST_F_TIMEOUT(run, no_tracefs_one_line, RUN_TIMEOUT)
{
	struct result r;

	ASSERT_EQ(0, run_full(&r, 0, "VMLAB_TRACEFS=/nonexistent", NULL,
			      (char *const[]){ VMLAB_BIN, "run", "-o", self->events, "--",
					       self_path, "exit", "3", NULL }));
	EXPECT_EQ(3, r.status);
	EXPECT_EQ(1, count_lines(r.err)) TH_LOG("%s", r.err);
	EXPECT_NE(NULL, strstr(r.err, "run: page faults not shown: no tracefs at /nonexistent"))
		TH_LOG("%s", r.err);
	result_free(&r);
}

/* --svg DIR: the trees of each changed range, before and after */
TEST_F_TIMEOUT(run, svg_before_and_after, RUN_TIMEOUT)
{
	static const char *const which[] = {
		"select(.syscall == \"mmap\") | .vmas[0].svg_before",
		"select(.syscall == \"mmap\") | .vmas[0].svg_after",
		"select(.syscall == \"munmap\") | .vmas[0].svg_before",
		"select(.syscall == \"munmap\") | .vmas[0].svg_after",
	};
	char dir[] = "/tmp/vmlab-run-svg-XXXXXX", want[128];
	struct result r;
	char *path, *svg;
	size_t i;
	int fd;

	ASSERT_NE(NULL, mkdtemp(dir));
	ASSERT_EQ(0, RUN(&r, VMLAB_BIN, "run", "--json", "--svg", dir, "-o", self->events, "--",
			 self_path, "split"));
	drop_pf_absent(&r);
	EXPECT_EQ(0, r.status) TH_LOG("stderr: %s", r.err);
	EXPECT_STREQ("", r.err);
	result_free(&r);
	self->json = events(self->events_fd);
	ASSERT_NE(NULL, self->json);
	/* the mmap's and the munmap's pictures, named after their calls, drawn */
	for (i = 0; i < ARRAY_SIZE(which); i++) {
		path = jq(self->json, which[i]);
		ASSERT_NE(NULL, path);
		snprintf(want, sizeof(want), "-%s-%s.svg", i < 2 ? "mmap" : "munmap",
			 i % 2 ? "after" : "before");
		EXPECT_NE(NULL, strstr(path, want)) TH_LOG("%s", path);
		EXPECT_EQ(0, strncmp(path, dir, strlen(dir))) TH_LOG("%s", path);
		fd = open(path, O_RDONLY);
		EXPECT_LE(0, fd) TH_LOG("no %s", path);
		svg = fd >= 0 ? slurp(fd, NULL) : NULL;
		if (fd >= 0)
			close(fd);
		unlink(path);
		free(path);
		if (!svg)
			continue;
		EXPECT_EQ(0, strncmp(svg, "<?xml", 5));
		EXPECT_NE(NULL, strstr(svg, "</svg>"));
		free(svg);
	}
	/* the other changes' pictures (the heap's), and the directory */
	rmdir_all(dir);

	/* a directory that is not: one line, nothing run */
	ASSERT_EQ(0, RUN(&r, VMLAB_BIN, "run", "--svg", "/nonexistent", "--", self_path, "exit",
			 "0"));
	EXPECT_ONE_LINE_ERROR(&r, 1);
	EXPECT_NE(NULL, strstr(r.err, "--svg /nonexistent")) TH_LOG("%s", r.err);
	result_free(&r);
	ASSERT_EQ(0, RUN(&r, VMLAB_BIN, "run", "--svg", self->events, "--", self_path, "exit",
			 "0"));
	EXPECT_ONE_LINE_ERROR(&r, 1);
	EXPECT_NE(NULL, strstr(r.err, "Not a directory")) TH_LOG("%s", r.err);
	result_free(&r);
}

/* vmlab run exits with the program's status, 128 + the signal that killed it */
TEST_F_TIMEOUT(run, exit_status_passes_through, RUN_TIMEOUT)
{
	struct result r;

	ASSERT_EQ(0, RUN(&r, VMLAB_BIN, "run", "-o", self->events, "--", self_path, "exit", "42"));
	drop_pf_absent(&r);
	EXPECT_EQ(42, r.status);
	EXPECT_STREQ("", r.err);
	result_free(&r);
	ASSERT_EQ(0, RUN(&r, VMLAB_BIN, "run", "--json", "-o", self->events, "--", self_path,
			 "signal"));
	drop_pf_absent(&r);
	EXPECT_EQ(128 + SIGUSR1, r.status);
	EXPECT_EQ(1, count_lines(r.err)) TH_LOG("%s", r.err);
	EXPECT_NE(NULL, strstr(r.err, "killed by SIGUSR1")) TH_LOG("%s", r.err);
	self->json = events(self->events_fd);
	ASSERT_NE(NULL, self->json);
	EXPECT_JQ(self->json, "select(.event == \"exit\") | .signal", "USR1");
	result_free(&r);
}

/* no program, a missing one, one not executable, a directory: one line each */
TEST_F(run, errors_are_one_line)
{
	struct result r;
	int fd;

	ASSERT_EQ(0, RUN(&r, VMLAB_BIN, "run"));
	EXPECT_ONE_LINE_ERROR(&r, 2);
	EXPECT_NE(NULL, strstr(r.err, "no program given")) TH_LOG("%s", r.err);
	result_free(&r);
	ASSERT_EQ(0, RUN(&r, VMLAB_BIN, "run", "--"));
	EXPECT_ONE_LINE_ERROR(&r, 2);
	result_free(&r);
	ASSERT_EQ(0, RUN(&r, VMLAB_BIN, "run", "--bogus", "--", self_path));
	EXPECT_ONE_LINE_ERROR(&r, 2);
	result_free(&r);
	ASSERT_EQ(0, RUN(&r, VMLAB_BIN, "run", "--", "/nonexistent/prog"));
	EXPECT_ONE_LINE_ERROR(&r, 127);
	result_free(&r);
	ASSERT_EQ(0, RUN(&r, VMLAB_BIN, "run", "--", "no-such-program-in-path"));
	EXPECT_ONE_LINE_ERROR(&r, 127);
	EXPECT_NE(NULL, strstr(r.err, "not in PATH")) TH_LOG("%s", r.err);
	result_free(&r);
	/* the events file is 0600, not executable */
	ASSERT_EQ(0, RUN(&r, VMLAB_BIN, "run", "--", self->events));
	EXPECT_ONE_LINE_ERROR(&r, 126);
	EXPECT_NE(NULL, strstr(r.err, "not executable")) TH_LOG("%s", r.err);
	result_free(&r);
	ASSERT_EQ(0, RUN(&r, VMLAB_BIN, "run", "--", "/tmp"));
	EXPECT_ONE_LINE_ERROR(&r, 126);
	result_free(&r);
	/* a file that is executable but no program: the exec's own error */
	snprintf(self->file, sizeof(self->file), "/tmp/vmlab-run-file-XXXXXX");
	fd = mkstemp(self->file);
	ASSERT_LE(0, fd);
	ASSERT_EQ(8, write(fd, "garbage\n", 8));
	ASSERT_EQ(0, fchmod(fd, 0700));
	close(fd);
	ASSERT_EQ(0, RUN(&r, VMLAB_BIN, "run", "--", self->file));
	drop_pf_absent(&r);
	EXPECT_ONE_LINE_ERROR(&r, 126);
	EXPECT_NE(NULL, strstr(r.err, "cannot execute")) TH_LOG("%s", r.err);
	result_free(&r);
}

/* Yama's scope 2: only CAP_SYS_PTRACE may trace, a child too; nobody is refused */
TEST_F(run, ptrace_refused_by_yama)
{
	char scope[16] = "";
	struct result r;
	mode_t mode;
	int fd, n;

	fd = open(YAMA_SCOPE, O_RDWR);
	if (fd < 0)
		SKIP(return, "no Yama in this kernel (%s)", YAMA_SCOPE);
	n = read(fd, scope, sizeof(scope) - 1);
	ASSERT_LT(0, n);
	ASSERT_EQ(0, node_open_to_all(&mode));
	ASSERT_EQ(1, pwrite(fd, "2", 1, 0));
	EXPECT_EQ(0, RUN(&r, "/bin/as-nobody", VMLAB_BIN, "run", "--", self_path, "exit", "0"));
	/* the old scope and mode back first, whatever happened */
	EXPECT_EQ(n, pwrite(fd, scope, n, 0));
	close(fd);
	EXPECT_EQ(0, chmod(VMLAB_DEVICE, mode));
	EXPECT_ONE_LINE_ERROR(&r, 1);
	EXPECT_NE(NULL, strstr(r.err, "ptrace refused")) TH_LOG("%s", r.err);
	EXPECT_NE(NULL, strstr(r.err, "ptrace_scope is 2")) TH_LOG("%s", r.err);
	result_free(&r);
}

/* as nobody (default scope): the walks go through /proc/PID/mem of the tracee */
TEST_F_TIMEOUT(run, unprivileged_through_mem, RUN_TIMEOUT)
{
	char a[32], filter[512];
	struct result r;
	uint64_t addr;
	mode_t mode;

	ASSERT_EQ(0, node_open_to_all(&mode));
	ASSERT_EQ(0, chmod(self->events, 0666));
	EXPECT_EQ(0, RUN(&r, "/bin/as-nobody", VMLAB_BIN, "run", "--walk", "--json", "-o",
			 self->events, "--", self_path, "split"));
	EXPECT_EQ(0, chmod(VMLAB_DEVICE, mode));
	ASSERT_EQ(0, r.status) TH_LOG("stderr: %s", r.err);
	ASSERT_EQ(0, helper_addr(&r, a, sizeof(a), &addr)) TH_LOG("stdout: %s", r.out);
	self->json = events(self->events_fd);
	ASSERT_NE(NULL, self->json);
	vma_filter(filter, sizeof(filter), ".syscall == \"munmap\"", a,
		   ".change, .after[0].type");
	EXPECT_JQ(self->json, filter, "split private-anon");
	/* PFNs hidden: the leaves carry frame tokens instead, never a pfn */
	EXPECT_NE(NULL, strstr(self->json, "\"frame_token\"")) TH_LOG("%s", self->json);
	EXPECT_EQ(NULL, strstr(self->json, "\"pfn\"")) TH_LOG("%s", self->json);
	result_free(&r);
}

/* "vmlab --help" lists run; "vmlab run --help" says its usage and exit status */
TEST(help)
{
	struct result r;

	ASSERT_EQ(0, RUN(&r, VMLAB_BIN, "--help"));
	EXPECT_NE(NULL, strstr(r.out, "\n  run ")) TH_LOG("%s", r.out);
	result_free(&r);
	ASSERT_EQ(0, RUN(&r, VMLAB_BIN, "run", "--help"));
	EXPECT_EQ(0, r.status);
	EXPECT_EQ(0, strncmp(r.out, "usage: vmlab run", 16)) TH_LOG("%s", r.out);
	EXPECT_NE(NULL, strstr(r.out, "128 + the signal")) TH_LOG("%s", r.out);
	result_free(&r);
}

int main(int argc, char **argv)
{
	ssize_t n = readlink("/proc/self/exe", self_path, sizeof(self_path) - 1);

	if (n <= 0)
		return 1;
	self_path[n] = '\0';
	if (argc > 1 && argv[1][0] != '-')
		return helper(argc, argv);
	return test_harness_run(argc, argv);
}
