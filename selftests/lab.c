// SPDX-License-Identifier: GPL-2.0
/*
 * lab.c - selftests of "vmlab lab": every lesson of the guided lab passes
 * on this kernel (exit 0, its title shown, no MISMATCH), "all" runs them
 * all, --list names each one, an unknown lesson or a bad option is a usage
 * error, the device comes from $VMLAB_DEVICE, colour only on a terminal
 * without NO_COLOR.
 *
 * Runs the vmlab tool (/bin/vmlab, or $VMLAB_TOOL) as a child with its
 * output in a pipe, and in a pseudo-terminal to check that colour goes to
 * terminals only, and not with NO_COLOR set.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <grp.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kselftest_harness.h"

/* the lessons as the tool names and titles them (vmlab lab --list) */
static const struct {
	const char *name, *title;
} lessons[] = {
	{ "private-file", "Private file mapping: copy on first write" },
	{ "shared-file", "Shared file mapping: writes reach the file" },
	{ "private-anon", "Private anonymous memory: the zero page, then a copy" },
	{ "shared-anon", "Shared anonymous memory: one page for all mappers" },
	{ "fork-cow", "Fork and copy-on-write" },
	{ "zero-page", "The zero page and demand paging" },
	{ "msync", "msync and dirty tracking through page_mkwrite" },
	{ "device", "Device memory: PFN maps without struct page" },
	{ "fork-exec", "Fork then exec: nothing copied, every mapping replaced" },
	{ "munmap", "munmap: a split VMA, a hole, and close(fd)" },
	{ "mmap-hint", "mmap's address hint, page rounding and MAP_FIXED" },
	{ "rlimit-as", "The address space is finite: RLIMIT_AS" },
	{ "shm-addresses", "Shared memory at two addresses: pointers do not travel" },
	{ "msync-flags", "msync's flags: MS_ASYNC, MS_INVALIDATE, MS_SYNC" },
	{ "fault-around", "Demand paging of a file: fault-around" },
	{ "read-mmap", "read against mmap: the copies counted" },
	{ "types", "The four kinds of mapping in one table" },
	{ "disk-file", "A file on a disk: one page-cache frame for all" },
	{ "swap", "Swap: a dirty anonymous page goes out and comes back" },
	{ "malloc", "malloc: the heap, and mmap for large blocks" },
	{ "shared-lib", "A shared library: one text, private data" },
};

#define NR_LESSONS	ARRAY_SIZE(lessons)
#define OUT_SIZE	(256 << 10)

/* the uid and gid of nobody, as the VM's as-nobody uses */
#define NOBODY		65534

/*
 * Runs "vmlab lab @a1 @a2" (either NULL for none), as nobody if @nobody,
 * with NO_COLOR set to @no_color (NULL: unset), its stdout and stderr into @out (NUL-terminated)
 * through a pipe or, @tty true, a pseudo-terminal; returns the exit
 * status, -1 when it did not exit normally or could not run.
 */
static int run_lab_on(char *out, bool tty, const char *no_color, bool nobody,
		      const char *a1, const char *a2)
{
	const char *tool = getenv("VMLAB_TOOL") ?: "/bin/vmlab";
	int rd = -1, wr = -1, fds[2], status;
	size_t got = 0;
	ssize_t n;
	pid_t pid;

	out[0] = '\0';
	if (tty) {
		rd = posix_openpt(O_RDWR | O_NOCTTY);
		if (rd < 0 || grantpt(rd) || unlockpt(rd))
			return -1;
		wr = open(ptsname(rd), O_RDWR | O_NOCTTY);
	} else {
		if (pipe(fds))
			return -1;
		rd = fds[0];
		wr = fds[1];
	}
	if (wr < 0)
		pid = -1;
	else
		pid = fork();
	if (pid < 0) {
		close(rd);
		close(wr);
		return -1;
	}
	if (pid == 0) {
		dup2(wr, STDOUT_FILENO);
		dup2(wr, STDERR_FILENO);
		close(rd);
		close(wr);
		if (nobody && (setgroups(0, NULL) || setgid(NOBODY) || setuid(NOBODY)))
			_exit(126);
		if (no_color)
			setenv("NO_COLOR", no_color, 1);
		else
			unsetenv("NO_COLOR");
		execl(tool, "vmlab", "lab", a1, a2, (char *)NULL);
		_exit(127);
	}
	close(wr);
	/* a pseudo-terminal's reads fail (EIO) once the child has closed it */
	while (got < OUT_SIZE - 1 && (n = read(rd, out + got, OUT_SIZE - 1 - got)) > 0)
		got += n;
	out[got] = '\0';
	close(rd);
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

/* "vmlab lab @a1 @a2" into a pipe, as a script would run it */
static int run_lab(char *out, const char *a1, const char *a2)
{
	return run_lab_on(out, false, NULL, false, a1, a2);
}

/*
 * Whether @out ends "all" well: its summary line counts every lesson, none
 * failed, and any skipped lesson said why ("SKIP: name: reason").
 */
static bool none_failed(const char *out)
{
	size_t nr, passed, failed, skipped = 0, skip_lines = 0;
	const char *sum = strstr(out, " lessons: "), *at;

	while (sum && sum > out && sum[-1] >= '0' && sum[-1] <= '9')
		sum--;
	if (!sum || sscanf(sum, "%zu lessons: %zu passed, %zu failed, %zu skipped", &nr,
			   &passed, &failed, &skipped) < 3)
		return false;
	for (at = strstr(out, "SKIP: "); at; at = strstr(at + 1, "SKIP: "))
		skip_lines++;
	return nr == NR_LESSONS && !failed && passed + skipped == nr && skip_lines == skipped;
}

FIXTURE(lab) {
	char *out;
};

FIXTURE_VARIANT(lab) {
	unsigned int i;		/* in lessons[] */
};

FIXTURE_VARIANT_ADD(lab, private_file) { .i = 0 };
FIXTURE_VARIANT_ADD(lab, shared_file) { .i = 1 };
FIXTURE_VARIANT_ADD(lab, private_anon) { .i = 2 };
FIXTURE_VARIANT_ADD(lab, shared_anon) { .i = 3 };
FIXTURE_VARIANT_ADD(lab, fork_cow) { .i = 4 };
FIXTURE_VARIANT_ADD(lab, zero_page) { .i = 5 };
FIXTURE_VARIANT_ADD(lab, msync) { .i = 6 };
FIXTURE_VARIANT_ADD(lab, device) { .i = 7 };
FIXTURE_VARIANT_ADD(lab, fork_exec) { .i = 8 };
FIXTURE_VARIANT_ADD(lab, munmap) { .i = 9 };
FIXTURE_VARIANT_ADD(lab, mmap_hint) { .i = 10 };
FIXTURE_VARIANT_ADD(lab, rlimit_as) { .i = 11 };
FIXTURE_VARIANT_ADD(lab, shm_addresses) { .i = 12 };
FIXTURE_VARIANT_ADD(lab, msync_flags) { .i = 13 };
FIXTURE_VARIANT_ADD(lab, fault_around) { .i = 14 };
FIXTURE_VARIANT_ADD(lab, read_mmap) { .i = 15 };
FIXTURE_VARIANT_ADD(lab, types) { .i = 16 };
FIXTURE_VARIANT_ADD(lab, disk_file) { .i = 17 };
FIXTURE_VARIANT_ADD(lab, swap) { .i = 18 };
FIXTURE_VARIANT_ADD(lab, malloc) { .i = 19 };
FIXTURE_VARIANT_ADD(lab, shared_lib) { .i = 20 };

FIXTURE_SETUP(lab)
{
	self->out = malloc(OUT_SIZE);
	ASSERT_NE(NULL, self->out);
}

FIXTURE_TEARDOWN(lab)
{
	free(self->out);
}

/* One lesson: exit 0, its title and PASS shown, no MISMATCH, no colour in a pipe. */
TEST_F(lab, lesson_passes)
{
	const char *name = lessons[variant->i].name;
	char want[128];
	int rc = run_lab(self->out, name, NULL);

	const char *skip;

	EXPECT_EQ(0, rc) TH_LOG("vmlab lab %s:\n%s", name, self->out);
	snprintf(want, sizeof(want), "== %s: %s\n", name, lessons[variant->i].title);
	EXPECT_NE(NULL, strstr(self->out, want)) TH_LOG("no title \"%s\"", want);
	EXPECT_EQ(NULL, strstr(self->out, "MISMATCH"));
	snprintf(want, sizeof(want), "SKIP: %s: ", name);
	skip = strstr(self->out, want);
	if (skip)
		SKIP(return, "%s", skip);
	snprintf(want, sizeof(want), "PASS: %s\n", name);
	EXPECT_NE(NULL, strstr(self->out, want)) TH_LOG("no \"%s\"", want);
	EXPECT_EQ(NULL, strstr(self->out, "MISMATCH"));
	EXPECT_EQ(NULL, strchr(self->out, '\033')) TH_LOG("colour written to a pipe");
}

/* "vmlab lab all": every lesson, in order, and a summary line; exit 0. */
TEST(all_runs_every_lesson)
{
	char *out = malloc(OUT_SIZE), want[128];
	const char *at;
	unsigned int i;

	ASSERT_NE(NULL, out);
	EXPECT_EQ(0, run_lab(out, "all", NULL)) TH_LOG("%s", out);
	at = out;
	for (i = 0; i < NR_LESSONS; i++) {
		snprintf(want, sizeof(want), "== %s: ", lessons[i].name);
		at = strstr(at, want);
		ASSERT_NE(NULL, at) TH_LOG("no \"%s\" (or out of order)", want);
	}
	EXPECT_TRUE(none_failed(out)) TH_LOG("%s", out);
	free(out);
}

/* --list: one line per lesson, name then title, and nothing else. */
TEST(list_names_every_lesson)
{
	char *out = malloc(OUT_SIZE), *line, *save = NULL;
	unsigned int i = 0;

	ASSERT_NE(NULL, out);
	ASSERT_EQ(0, run_lab(out, "--list", NULL));
	for (line = strtok_r(out, "\n", &save); line; line = strtok_r(NULL, "\n", &save), i++) {
		ASSERT_GT(NR_LESSONS, i) TH_LOG("extra line \"%s\"", line);
		EXPECT_EQ(0, strncmp(line, lessons[i].name, strlen(lessons[i].name)))
			TH_LOG("line %u: \"%s\"", i, line);
		EXPECT_NE(NULL, strstr(line, lessons[i].title)) TH_LOG("line %u: \"%s\"", i, line);
	}
	EXPECT_EQ(NR_LESSONS, i);
	free(out);
}

/*
 * An unknown lesson: exit 2, a line naming it, then every lesson's name
 * in lines that fit 80 columns, and no lesson run.
 */
TEST(unknown_lesson_is_usage_error)
{
	static const char head[] =
		"vmlab: lab: no lesson 'nosuch'; the lessons (vmlab lab --list):\n";
	char *out = malloc(OUT_SIZE), want[64], *line, *eol;
	unsigned int i;

	ASSERT_NE(NULL, out);
	EXPECT_EQ(2, run_lab(out, "private-file", "nosuch"));
	ASSERT_EQ(0, strncmp(out, head, strlen(head))) TH_LOG("%s", out);
	for (i = 0; i < NR_LESSONS; i++) {
		snprintf(want, sizeof(want), " %s", lessons[i].name);
		EXPECT_NE(NULL, strstr(out, want)) TH_LOG("no %s in:\n%s", want, out);
	}
	EXPECT_EQ(NULL, strstr(out, "== ")) TH_LOG("a lesson ran:\n%s", out);
	for (line = out; *line; line = *eol ? eol + 1 : eol) {
		eol = strchrnul(line, '\n');
		EXPECT_GE(80, eol - line) TH_LOG("\"%.*s\"", (int)(eol - line), line);
	}
	free(out);
}

/* --help: usage on stdout, exit 0. */
TEST(help)
{
	char *out = malloc(OUT_SIZE);

	ASSERT_NE(NULL, out);
	EXPECT_EQ(0, run_lab(out, "--help", NULL));
	EXPECT_EQ(out, strstr(out, "usage: vmlab lab "));
	free(out);
}

/* A bad option: one line naming it and the --help hint, as every subcommand; exit 2. */
TEST(bad_option_is_one_line)
{
	char *out = malloc(OUT_SIZE);

	ASSERT_NE(NULL, out);
	EXPECT_EQ(2, run_lab(out, "--bogus", NULL));
	EXPECT_STREQ("vmlab: bad option or missing argument '--bogus' (try 'vmlab lab --help')\n",
		     out);
	free(out);
}

/* $VMLAB_DEVICE names the device, as for every subcommand: a path that fails is named. */
TEST(device_from_vmlab_device)
{
	char *out = malloc(OUT_SIZE);
	int rc;

	ASSERT_NE(NULL, out);
	ASSERT_EQ(0, setenv("VMLAB_DEVICE", "/", 1));
	rc = run_lab(out, "zero-page", NULL);
	EXPECT_EQ(1, rc) TH_LOG("%s", out);
	EXPECT_STREQ("vmlab: /: Is a directory\n", out);
	ASSERT_EQ(0, setenv("VMLAB_DEVICE", "/dev/no-vmlab", 1));
	rc = run_lab(out, "zero-page", NULL);
	EXPECT_EQ(2, rc) TH_LOG("%s", out);
	EXPECT_STREQ("vmlab: vmlab module not loaded: insmod vmlab.ko\n", out);
	unsetenv("VMLAB_DEVICE");
	free(out);
}

/* Colour on a terminal only, and not with NO_COLOR set (empty NO_COLOR: colour). */
TEST(colour_only_on_a_tty_without_no_color)
{
	char *out = malloc(OUT_SIZE);

	ASSERT_NE(NULL, out);
	ASSERT_EQ(0, run_lab_on(out, true, NULL, false, "zero-page", NULL)) TH_LOG("%s", out);
	EXPECT_NE(NULL, strstr(out, "\033[")) TH_LOG("no colour on a terminal");
	EXPECT_NE(NULL, strstr(out, "PASS")) TH_LOG("%s", out);
	ASSERT_EQ(0, run_lab_on(out, true, "", false, "zero-page", NULL));
	EXPECT_NE(NULL, strstr(out, "\033[")) TH_LOG("an empty NO_COLOR turned colour off");
	ASSERT_EQ(0, run_lab_on(out, true, "1", false, "zero-page", NULL));
	EXPECT_EQ(NULL, strchr(out, '\033')) TH_LOG("colour despite NO_COLOR=1");
	EXPECT_NE(NULL, strstr(out, "PASS: zero-page"));
	free(out);
}

/*
 * As a student: nobody in the node's group (devmode=0660, the group set
 * as udev would), without root. Every lesson passes, its copy-on-write
 * seen through frame tokens: the note says the frames were compared by
 * token, and no comparison was skipped.
 */
TEST(all_pass_unprivileged_with_tokens)
{
	char *out = malloc(OUT_SIZE);
	struct stat st;
	int rc;

	ASSERT_NE(NULL, out);
	ASSERT_EQ(0, stat("/dev/vmlab", &st));
	ASSERT_EQ(0, chown("/dev/vmlab", 0, NOBODY));
	ASSERT_EQ(0, chmod("/dev/vmlab", 0660));
	rc = run_lab_on(out, false, NULL, true, "all", NULL);
	chmod("/dev/vmlab", st.st_mode & 07777);
	chown("/dev/vmlab", st.st_uid, st.st_gid);
	EXPECT_EQ(0, rc) TH_LOG("%s", out);
	EXPECT_TRUE(none_failed(out)) TH_LOG("%s", out);
	EXPECT_EQ(NULL, strstr(out, "MISMATCH"));
	EXPECT_NE(NULL, strstr(out, "compared\n   by token")) TH_LOG("%s", out);
	EXPECT_EQ(NULL, strstr(out, "comparisons skipped")) TH_LOG("%s", out);
	free(out);
}

TEST_HARNESS_MAIN
