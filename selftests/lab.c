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
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <grp.h>
#include <limits.h>
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
	{ "journey", "One address's journey through the page tables" },
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

/*
 * Each lesson's pictures (vmlab lab --svg DIR): LESSON-N-STEP.svg in order,
 * and the leaves each shows, counted by verdict as its walk lines show them.
 */
#define ANY_LEAVES	UINT_MAX	/* a picture whose leaves are not counted */

struct picture {
	const char *step;
	unsigned int leaves;			/* in all */
	struct { const char *verdict; unsigned int leaves; } v[2];
};

static const struct picture pictures[NR_LESSONS][4] = {
	/* private-file: the private page before and after its write */
	{ { "before-write", 1, { { "private-file", 1 } } },
	  { "after-write", 1, { { "writable", 1 } } } },
	/* shared-file: mapping a, read then written */
	{ { "before-write", 1, { { "shared-clean", 1 } } },
	  { "after-write", 1, { { "shared-writable", 1 } } } },
	/* private-anon: vmlab's zero page, then a copy beside it */
	{ { "before-write", 1, { { "zero-page", 1 } } },
	  { "after-write", 2, { { "writable", 1 }, { "zero-page", 1 } } } },
	/* shared-anon: page 3, then 3 and 9 once the child wrote 9 */
	{ { "before-fork", 1, { { "shared-writable", 1 } } },
	  { "after-child-write", 2, { { "shared-writable", 2 } } } },
	/* fork-cow: the parent's page, shared, the child's copy */
	{ { "before-fork", 1, { { "writable", 1 } } },
	  { "after-fork", 1, { { "cow-shared", 1 } } },
	  { "child-after-write", 1, { { "writable", 1 } } } },
	/* zero-page: 16 pages untouched, 8 read, 4 of them written */
	{ { "untouched", 0 },
	  { "after-reads", 8, { { "zero-page", 8 } } },
	  { "after-writes", 10, { { "zero-page", 6 }, { "writable", 4 } } } },
	/* msync: dirty, then written back */
	{ { "before-msync", 1, { { "shared-writable", 1 } } },
	  { "after-msync", 1, { { "shared-clean", 1 } } } },
	/* device: the WB region before and after its write */
	{ { "before-write", 0 },
	  { "after-write", 1, { { "pfnmap", 1 } } } },
	/* journey: the region's 4 pages, the written one present */
	[8] = { { "written", 1, { { "shared-writable", 1 } } } },
	/* the lectures' lessons that draw: their leaves are not counted here */
	[9] = { { "before-fork", ANY_LEAVES }, { "after-exec", ANY_LEAVES } },
	[10] = { { "before-munmap", ANY_LEAVES }, { "after-munmap", ANY_LEAVES } },
	[11] = { { "before-map-fixed", ANY_LEAVES }, { "after-map-fixed", ANY_LEAVES } },
	/* msync-flags: dirty, then written back by MS_SYNC */
	[14] = { { "dirty", 1, { { "shared-writable", 1 } } },
		 { "after-ms-sync", 1, { { "shared-clean", 1 } } } },
	[15] = { { "before-fault", ANY_LEAVES }, { "after-fault", ANY_LEAVES } },
	[18] = { { "file-page", ANY_LEAVES } },
	[19] = { { "before-pageout", ANY_LEAVES }, { "after-pageout", ANY_LEAVES } },
	/* the other lessons draw nothing: no row, no file */
};

#define OUT_SIZE	(256 << 10)

/* the uid and gid of nobody, as the VM's as-nobody uses */
#define NOBODY		65534

/*
 * Runs "vmlab lab" with the NULL-terminated @args, as nobody if @nobody,
 * with NO_COLOR set to @no_color (NULL: unset), @input (NULL: none) on its
 * stdin, its stdout and stderr into @out (NUL-terminated) through a pipe
 * or, @tty true, a pseudo-terminal (its stdin too: @input is typed
 * there); returns the exit status, -1 when it did not exit normally or
 * could not run.
 */
static int run_labv(char *out, bool tty, const char *no_color, bool nobody, const char *input,
		    const char *const *args)
{
	const char *tool = getenv("VMLAB_TOOL") ?: "/bin/vmlab";
	int rd = -1, wr = -1, fds[2], in[2] = { -1, -1 }, status;
	const char *argv[16] = { "vmlab", "lab" };
	size_t got = 0, i;
	ssize_t n;
	pid_t pid;

	for (i = 0; args[i] && i + 3 < ARRAY_SIZE(argv); i++)
		argv[i + 2] = args[i];
	out[0] = '\0';
	if (tty) {
		rd = posix_openpt(O_RDWR | O_NOCTTY);
		if (rd < 0 || grantpt(rd) || unlockpt(rd))
			return -1;
		wr = open(ptsname(rd), O_RDWR | O_NOCTTY);
	} else {
		if (pipe(fds) || (input && pipe(in)))
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
		if (tty)
			dup2(wr, STDIN_FILENO);
		else if (input)
			dup2(in[0], STDIN_FILENO);
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
		execv(tool, (char *const *)argv);
		_exit(127);
	}
	close(wr);
	/* the answers: typed on the terminal, or all of them down the pipe */
	if (input && write(tty ? rd : in[1], input, strlen(input)) != (ssize_t)strlen(input))
		input = NULL;
	if (in[1] >= 0) {
		close(in[0]);
		close(in[1]);
	}
	/* a pseudo-terminal's reads fail (EIO) once the child has closed it */
	while (got < OUT_SIZE - 1 && (n = read(rd, out + got, OUT_SIZE - 1 - got)) > 0)
		got += n;
	out[got] = '\0';
	close(rd);
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

/* "vmlab lab @a1 @a2" (either NULL for none), on a terminal if @tty */
static int run_lab_on(char *out, bool tty, const char *no_color, bool nobody,
		      const char *a1, const char *a2)
{
	const char *const args[] = { a1, a1 ? a2 : NULL, NULL };

	return run_labv(out, tty, no_color, nobody, NULL, args);
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
FIXTURE_VARIANT_ADD(lab, journey) { .i = 8 };
FIXTURE_VARIANT_ADD(lab, fork_exec) { .i = 9 };
FIXTURE_VARIANT_ADD(lab, munmap) { .i = 10 };
FIXTURE_VARIANT_ADD(lab, mmap_hint) { .i = 11 };
FIXTURE_VARIANT_ADD(lab, rlimit_as) { .i = 12 };
FIXTURE_VARIANT_ADD(lab, shm_addresses) { .i = 13 };
FIXTURE_VARIANT_ADD(lab, msync_flags) { .i = 14 };
FIXTURE_VARIANT_ADD(lab, fault_around) { .i = 15 };
FIXTURE_VARIANT_ADD(lab, read_mmap) { .i = 16 };
FIXTURE_VARIANT_ADD(lab, types) { .i = 17 };
FIXTURE_VARIANT_ADD(lab, disk_file) { .i = 18 };
FIXTURE_VARIANT_ADD(lab, swap) { .i = 19 };
FIXTURE_VARIANT_ADD(lab, malloc) { .i = 20 };
FIXTURE_VARIANT_ADD(lab, shared_lib) { .i = 21 };

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

/*
 * Whether @s is well-formed XML as far as its tags go: every element closed
 * in order, comments, declarations and attribute values skipped whole, one
 * root element (<svg>). 0, or the offset of the first fault plus one.
 */
static size_t xml_fault(const char *s)
{
	const char *stack[64], *p = s, *end;
	size_t depth = 0, roots = 0, len;

	while ((p = strchr(p, '<'))) {
		if (!strncmp(p, "<?", 2) || !strncmp(p, "<!--", 4)) {
			end = strstr(p, p[1] == '?' ? "?>" : "-->");
			if (!end)
				return p - s + 1;
			p = end + 2;
			continue;
		}
		/* the end of the tag: the first '>' outside quotes */
		for (end = p + 1; *end && *end != '>'; end++) {
			if (*end == '"')
				end = strchr(end + 1, '"');
			if (!end)
				return p - s + 1;
		}
		if (!*end)
			return p - s + 1;
		if (p[1] == '/') {
			len = strcspn(p + 2, " \t\n>");
			if (!depth || strncmp(stack[depth - 1], p + 2, len) ||
			    !strchr(" \t\n>/", stack[depth - 1][len]))
				return p - s + 1;
			depth--;
		} else if (end[-1] != '/') {
			if (depth == ARRAY_SIZE(stack) || (!depth && roots++))
				return p - s + 1;
			stack[depth++] = p + 1;
		} else if (!depth && roots++) {
			return p - s + 1;
		}
		p = end + 1;
	}
	return depth || roots != 1 ? strlen(s) + 1 : 0;
}

/* the whole file at @path, NUL-terminated; NULL if unreadable */
static char *read_file(const char *path)
{
	FILE *f = fopen(path, "r");
	char *s = NULL;
	size_t len = 0;

	if (!f)
		return NULL;
	s = malloc(OUT_SIZE * 4);
	if (s) {
		len = fread(s, 1, OUT_SIZE * 4 - 1, f);
		s[len] = '\0';
	}
	fclose(f);
	return s;
}

/* how many files in @dir start with @prefix */
static int files_with(const char *dir, const char *prefix)
{
	struct dirent *e;
	DIR *d = opendir(dir);
	int n = 0;

	if (!d)
		return -1;
	while ((e = readdir(d)))
		n += !strncmp(e->d_name, prefix, strlen(prefix));
	closedir(d);
	return n;
}

/*
 * --svg DIR: the lesson passes and draws its pictures, DIR/LESSON-N-STEP.svg,
 * and no others; each is well-formed XML (xmllint too where the VM has it),
 * one <svg> with its legend, and holds as many leaves of each verdict as
 * the lesson's walk lines show. Into $VMLAB_PICTURES/lab when that is set
 * (make pictures: the host checks them in a browser), else a temporary
 * directory.
 */
TEST_F(lab, pictures)
{
	const struct picture *pics = pictures[variant->i];
	const char *name = lessons[variant->i].name, *shared = getenv("VMLAB_PICTURES");
	char dir[256], path[512], cmd[600], prefix[64], want[128], *svg, *skip;
	unsigned int n, v;
	size_t fault;

	if (shared && *shared) {
		snprintf(dir, sizeof(dir), "%s/lab", shared);
		ASSERT_TRUE(!mkdir(dir, 0755) || errno == EEXIST) TH_LOG("%s", dir);
	} else {
		snprintf(dir, sizeof(dir), "/tmp/lab-pictures-XXXXXX");
		ASSERT_NE(NULL, mkdtemp(dir));
	}
	{
		const char *const args[] = { "--svg", dir, name, NULL };

		EXPECT_EQ(0, run_labv(self->out, false, NULL, false, NULL, args))
			TH_LOG("%s", self->out);
	}
	EXPECT_EQ(NULL, strstr(self->out, "MISMATCH")) TH_LOG("%s", self->out);
	skip = strstr(self->out, "SKIP: ");
	if (skip) {
		if (!shared || !*shared)
			rmdir(dir);
		SKIP(return, "%.*s", (int)strcspn(skip, "\n"), skip);
	}
	for (n = 0; n < 4 && pics[n].step; n++) {
		snprintf(path, sizeof(path), "%s/%s-%u-%s.svg", dir, name, n + 1, pics[n].step);
		EXPECT_NE(NULL, strstr(self->out, path)) TH_LOG("%s not named", path);
		svg = read_file(path);
		ASSERT_NE(NULL, svg) TH_LOG("no %s", path);
		fault = xml_fault(svg);
		EXPECT_EQ(0, fault) TH_LOG("%s: not well-formed at byte %zu", path, fault - 1);
		EXPECT_NE(NULL, strstr(svg, "<svg ")) TH_LOG("%s", path);
		EXPECT_NE(NULL, strstr(svg, "</svg>\n")) TH_LOG("%s", path);
		snprintf(want, sizeof(want), "<g id=\"tree\" data-tables=");
		EXPECT_NE(NULL, strstr(svg, want)) TH_LOG("%s: no tree", path);
		snprintf(want, sizeof(want), "data-leaves=\"%u\" data-pages=", pics[n].leaves);
		if (pics[n].leaves != ANY_LEAVES)
			EXPECT_NE(NULL, strstr(strstr(svg, "<g id=\"tree\"") ?: "", want))
				TH_LOG("%s: not %u leaves in all", path, pics[n].leaves);
		for (v = 0; v < 2 && pics[n].v[v].verdict; v++) {
			snprintf(want, sizeof(want), "data-verdict=\"%s\" data-leaves=\"%u\"",
				 pics[n].v[v].verdict, pics[n].v[v].leaves);
			EXPECT_NE(NULL, strstr(svg, want)) TH_LOG("%s: no %s", path, want);
		}
		free(svg);
		if (!access("/usr/bin/xmllint", X_OK)) {
			snprintf(cmd, sizeof(cmd), "xmllint --noout %s", path);
			EXPECT_EQ(0, system(cmd)) TH_LOG("%s", path);
		}
	}
	snprintf(prefix, sizeof(prefix), "%s-", name);
	EXPECT_EQ((int)n, files_with(dir, prefix)) TH_LOG("%s: not %u pictures", dir, n);
	if (!shared || !*shared) {
		snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
		EXPECT_EQ(0, system(cmd));
	}
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

/*
 * The quiz's answers to fork-cow, right (as root: PFNs compared), one line
 * per walk line: its verdict, and whether its page's frame is the one the
 * last line of that page showed. 6 verdicts and 5 frames: 11 points.
 */
static const char fork_cow_right[] =
	"# fork-cow, predicted\n"
	"writable\n"			/* parent: before fork */
	"cow-shared same\n"		/* child: after fork */
	"cow-shared same\n"		/* parent: after fork */
	"\n"
	"writable new\n"		/* child: after its write */
	"exclusive-wp new   # the parent's page, not the child's copy\n"
	"writable same\n";		/* parent: after its write */

/* the answers file @text as a file of its own: its path in @path */
static int answers_file(char *path, size_t size, const char *text)
{
	int fd;

	snprintf(path, size, "/tmp/lab-answers-XXXXXX");
	fd = mkstemp(path);
	if (fd < 0)
		return -1;
	if (write(fd, text, strlen(text)) != (ssize_t)strlen(text)) {
		close(fd);
		return -1;
	}
	return close(fd);
}

/* "vmlab lab --quiz --answers FILE fork-cow" with @text as FILE; its exit status */
static int quiz_file(char *out, const char *text)
{
	char path[64];
	const char *const args[] = { "--quiz", "--answers", path, "fork-cow", NULL };
	int rc;

	if (answers_file(path, sizeof(path), text))
		return -1;
	rc = run_labv(out, false, NULL, false, NULL, args);
	unlink(path);
	return rc;
}

/* --quiz --answers: every answer right is 11 of 11; the lesson still checks itself. */
TEST(quiz_answers_all_right)
{
	char *out = malloc(OUT_SIZE);

	ASSERT_NE(NULL, out);
	EXPECT_EQ(0, quiz_file(out, fork_cow_right)) TH_LOG("%s", out);
	EXPECT_NE(NULL, strstr(out, "  ? child: after fork: cow-shared same (line 3)\n"))
		TH_LOG("%s", out);
	EXPECT_NE(NULL, strstr(out, "  quiz: 11 of 11 right\n")) TH_LOG("%s", out);
	EXPECT_EQ(NULL, strstr(out, "wrong")) TH_LOG("%s", out);
	EXPECT_NE(NULL, strstr(out, "PASS: fork-cow\n"));
	free(out);
}

/* Wrong predictions are marked and scored, not failures: exit 0. */
TEST(quiz_answers_wrong_are_scored)
{
	/* the child's write: the frame is new; the parent's: writable */
	static const char text[] = "writable\ncow-shared same\ncow-shared same\n"
		"writable same\nexclusive-wp new\ncow-shared same\n";
	char *out = malloc(OUT_SIZE);

	ASSERT_NE(NULL, out);
	EXPECT_EQ(0, quiz_file(out, text)) TH_LOG("%s", out);
	EXPECT_NE(NULL, strstr(out, "  quiz: 9 of 11 right\n")) TH_LOG("%s", out);
	EXPECT_NE(NULL, strstr(out, "verdict: wrong (you said cow-shared); frame same: right"))
		TH_LOG("%s", out);
	EXPECT_NE(NULL, strstr(out, "verdict: right; frame new: wrong")) TH_LOG("%s", out);
	free(out);
}

/* Bad answers files: one line naming the file's line, exit 2. */
TEST(quiz_bad_answers_name_the_line)
{
	static const struct {
		const char *text, *says;
		int ran;		/* the lesson: 0 not run, 1 stopped, 2 ran whole */
	} cases[] = {
		{ "writable\ncow-shared same\ncow-shard same\n",
		  "line 3: 'cow-shard' is not a verdict (none, zero-page, ", 0 },
		{ "writable\ncow-shared maybe\n", "line 2: 'maybe' is neither same nor new", 0 },
		{ "writable same\n",
		  "line 1: \"parent: before fork\" asks only for the verdict", 1 },
		{ "writable\ncow-shared\n", "line 2: \"child: after fork\" also asks whether", 1 },
		{ "writable\n",
		  "no answer for \"child: after fork\" (question 2: the file has 1)", 1 },
		{ "writable\ncow-shared same\ncow-shared same\nwritable new\nexclusive-wp new\n"
		  "writable same\nnone\n", "line 7: more answers than questions (6)", 2 },
	};
	char *out = malloc(OUT_SIZE), *err;
	unsigned int i;

	ASSERT_NE(NULL, out);
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		EXPECT_EQ(2, quiz_file(out, cases[i].text)) TH_LOG("case %u: %s", i, out);
		err = strstr(out, "vmlab: lab: answers /tmp/lab-answers-");
		ASSERT_NE(NULL, err) TH_LOG("case %u: %s", i, out);
		EXPECT_NE(NULL, strstr(err, cases[i].says)) TH_LOG("case %u: %s", i, err);
		/* one line: the only one of the tool's, its words all on it */
		EXPECT_EQ(NULL, strstr(err + 1, "vmlab: ")) TH_LOG("case %u: %s", i, out);
		EXPECT_EQ(err, strstr(out, "vmlab: ")) TH_LOG("case %u: %s", i, out);
		EXPECT_LT(strstr(err, cases[i].says), strchr(err, '\n')) TH_LOG("case %u", i);
		EXPECT_EQ(cases[i].ran > 0, !!strstr(out, "== fork-cow")) TH_LOG("case %u", i);
		EXPECT_EQ(cases[i].ran == 2, !!strstr(out, "PASS: fork-cow")) TH_LOG("case %u", i);
		EXPECT_EQ(cases[i].ran == 1, !!strstr(out, "(the quiz stopped"))
			TH_LOG("case %u", i);
	}
	free(out);
}

/* An unreadable answers file, --answers alone, --quiz without a terminal: exit 2. */
TEST(quiz_usage_errors)
{
	const char *const missing[] = { "--quiz", "--answers", "/nonexistent", "fork-cow", NULL };
	const char *const alone[] = { "--answers", "/dev/null", "fork-cow", NULL };
	const char *const no_tty[] = { "--quiz", "fork-cow", NULL };
	char *out = malloc(OUT_SIZE);

	ASSERT_NE(NULL, out);
	EXPECT_EQ(2, run_labv(out, false, NULL, false, NULL, missing));
	EXPECT_STREQ("vmlab: lab: --answers /nonexistent: No such file or directory\n", out);
	EXPECT_EQ(2, run_labv(out, false, NULL, false, NULL, alone));
	EXPECT_STREQ("vmlab: lab: --answers needs --quiz\n", out);
	EXPECT_EQ(2, run_labv(out, false, NULL, false, "writable\n", no_tty));
	EXPECT_STREQ("vmlab: lab: --quiz without a terminal on stdin needs --answers FILE\n", out);
	free(out);
}

/* On a terminal: asked there, a bad answer asked again, then scored. */
TEST(quiz_on_a_terminal)
{
	static const char typed[] = "bogus\nwritable\ncow-shared\nsame\ncow-shared\nsame\n"
		"writable\nnew\nexclusive-wp\nnew\n5\nsame\n";
	const char *const args[] = { "--quiz", "fork-cow", NULL };
	char *out = malloc(OUT_SIZE);

	ASSERT_NE(NULL, out);
	EXPECT_EQ(0, run_labv(out, true, "1", false, typed, args)) TH_LOG("%s", out);
	EXPECT_NE(NULL, strstr(out, "? \"parent: before fork\": the verdict?")) TH_LOG("%s", out);
	EXPECT_NE(NULL, strstr(out, "'bogus' is not one of them")) TH_LOG("%s", out);
	EXPECT_NE(NULL, strstr(out, "? the frame as in \"parent: before fork\"?"))
		TH_LOG("%s", out);
	EXPECT_NE(NULL, strstr(out, "quiz: 11 of 11 right")) TH_LOG("%s", out);
	free(out);
}

/* the first of @want[@n] that @out lacks (also in *@miss), or NULL */
static const char *missing(const char *out, const char *const *want, size_t n, const char **miss)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!strstr(out, want[i]))
			return *miss = want[i];
	return NULL;
}

/*
 * journey: as root, the address split, the root table, each next table's
 * physical address, the leaf's frame by PFN (and pagemap agreeing), the
 * byte's physical address; as nobody in the node's group, the addresses
 * hidden and the frame shown as a token, and still no MISMATCH.
 */
TEST(journey_down_to_the_byte)
{
	long page = sysconf(_SC_PAGESIZE);
	int shift = __builtin_ctzl(page);
	char split[64], frame[48], token[48], bits[16];
	const char *const as_root[] = {
		split,
		"  PGD  table: the root, its physical address in ",
		"       -> the next table at 0x",
		frame,
		"  byte at physical 0x",
		"  /proc/self/pagemap agrees: PFN 0x",
		"  'J' at every end",
		"PASS: journey\n",
	};
	const char *const as_nobody[] = {
		split,
		"table at (hidden: physical addresses need CAP_SYS_ADMIN)\n",
		"       -> the next table (its address hidden)\n",
		token,
		"  byte at offset 0x123 of that frame (its address hidden)\n",
		"PASS: journey\n",
	};
	char *out = malloc(OUT_SIZE);
	const char *miss = "";
	struct stat st;
	int rc;

	ASSERT_NE(NULL, out);
	/* the page offset's bits and digits, and the frame's size, by the page size */
	snprintf(bits, sizeof(bits), "%d-0", shift - 1);
	snprintf(split, sizeof(split), "    bits %-6s page offset 0x%0*x\n", bits,
		 (shift + 3) / 4, 0x123);
	snprintf(frame, sizeof(frame), "       -> the %ldK frame: pfn 0x", page >> 10);
	snprintf(token, sizeof(token), "       -> the %ldK frame: frame ~", page >> 10);
	EXPECT_EQ(0, run_lab(out, "journey", NULL)) TH_LOG("%s", out);
	EXPECT_EQ(NULL, missing(out, as_root, ARRAY_SIZE(as_root), &miss))
		TH_LOG("no '%s' in %s", miss, out);
	EXPECT_EQ(NULL, strstr(out, "MISMATCH")) TH_LOG("%s", out);

	ASSERT_EQ(0, stat("/dev/vmlab", &st));
	ASSERT_EQ(0, chown("/dev/vmlab", 0, NOBODY));
	ASSERT_EQ(0, chmod("/dev/vmlab", 0660));
	rc = run_lab_on(out, false, NULL, true, "journey", NULL);
	chmod("/dev/vmlab", st.st_mode & 07777);
	chown("/dev/vmlab", st.st_uid, st.st_gid);
	EXPECT_EQ(0, rc) TH_LOG("%s", out);
	EXPECT_EQ(NULL, missing(out, as_nobody, ARRAY_SIZE(as_nobody), &miss))
		TH_LOG("no '%s' in %s", miss, out);
	EXPECT_EQ(NULL, strstr(out, "pfn 0x")) TH_LOG("a PFN shown to nobody: %s", out);
	EXPECT_EQ(NULL, strstr(out, "MISMATCH")) TH_LOG("%s", out);
	free(out);
}

TEST_HARNESS_MAIN
