// SPDX-License-Identifier: GPL-2.0
/*
 * vmlab lab - the guided lessons on memory mappings, each also a test: runs
 * the lessons asked for (lab/lessons.c lists them) and says which passed.
 *
 * A lesson makes real mappings (vmlab regions, plain anonymous memory, a
 * real fork where it needs one), walks its addresses with VMLAB_IOC_WALK
 * before and after each step, prints one aligned line per walk, and checks
 * what the kernel shows against what the lesson teaches: any difference is
 * printed as "MISMATCH: expected ..., kernel shows ..." and fails the
 * lesson. "vmlab lab all" exits 1 when any lesson failed.
 *
 * PFNs are shown to root only (VMLAB_WALK_PFN_HIDDEN otherwise): without
 * them the table shows frame tokens ("~3fa9c1d2", a keyed hash of the PFN,
 * the same for the same frame) and the lessons compare those, so that
 * copy-on-write is seen without root too; the lessons say so.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "lab/lab.h"

/* "lesson: " and the moral, its lines aligned under the first, wrapped at the width. */
static void print_moral(const char *moral)
{
	printf("  %slesson:%s", colour(C_BOLD), colour(C_RESET));
	print_wrapped(moral, 9, 10);
}

/* what became of a lesson */
enum outcome { LESSON_FAILED, LESSON_PASSED, LESSON_SKIPPED };

/* Runs one lesson (@quiz: asking first): passed if the kernel showed what it teaches. */
static enum outcome run_lesson(int fd, const struct lesson *l, const char *svg_dir,
			       struct quiz *quiz)
{
	struct lab lab = { .fd = fd, .name = l->name, .svg_dir = svg_dir, .quiz = quiz };

	printf("%s== %s: %s%s\n", colour(C_BOLD), l->name, l->title, colour(C_RESET));
	if (quiz)
		quiz_lesson(quiz);
	l->run(&lab);
	lab_cleanup(&lab);
	if (quiz && quiz->bad) {
		printf("  (the quiz stopped: no fitting answer)\n");
		fflush(stdout);
		return LESSON_FAILED;
	}
	if (lab.skip[0] && !lab.failed) {
		printf("  %sSKIP%s: %s: %s\n\n", colour(C_INFO), colour(C_RESET), l->name,
		       lab.skip);
		fflush(stdout);
		return LESSON_SKIPPED;
	}
	if (quiz)
		quiz_score(quiz);
	if (lab.frames_skipped)
		printf("  (PFNs are hidden from non-root users: frame comparisons skipped)\n");
	else if (lab.pfn_hidden)
		printf("  (PFNs are hidden from non-root users: frames are shown and compared\n"
		       "   by token, ~xxxxxxxx, a keyed hash: equal tokens, the same frame)\n");
	print_moral(l->moral);
	if (lab.failed)
		printf("  %sFAIL%s: %s (%u mismatches or errors)\n\n",
		       colour(C_BAD), colour(C_RESET), l->name, lab.failed);
	else
		printf("  %sPASS%s: %s\n\n", colour(C_GOOD), colour(C_RESET), l->name);
	fflush(stdout);
	return lab.failed ? LESSON_FAILED : LESSON_PASSED;
}

static const struct lesson *find_lesson(const char *name)
{
	size_t i;

	for (i = 0; i < lab_nr_lessons; i++)
		if (!strcmp(name, lab_lessons[i]->name))
			return lab_lessons[i];
	return NULL;
}

/* The lessons' names, as many to a line as fit 80 columns. */
static void print_names(FILE *f)
{
	size_t i, col = 0, len;

	for (i = 0; i < lab_nr_lessons; i++) {
		len = strlen(lab_lessons[i]->name);
		if (col && col + 1 + len > 78) {
			fputc('\n', f);
			col = 0;
		}
		fprintf(f, "%s%s", col ? " " : "  ", lab_lessons[i]->name);
		col += (col ? 1 : 2) + len;
	}
	fputc('\n', f);
}

static void print_usage(FILE *f)
{
	fprintf(f, "usage: vmlab lab [--list] [--svg DIR] [--quiz [--answers FILE]] [NAME...|all]\n"
		"Run guided lessons on memory mappings: each makes real mappings, shows the\n"
		"page tables before and after with the walk, and checks what the kernel shows\n"
		"against what it teaches (\"MISMATCH: ...\" fails the lesson). Without NAME, all.\n"
		"\n"
		"  -l, --list      the lessons, one per line\n"
		"  -s, --svg DIR   the page-table tree of each lesson's range before and\n"
		"                  after its key step, as DIR/LESSON-N-STEP.svg (vmlab\n"
		"                  tree's SVG), e.g. fork-cow-2-after-fork.svg\n"
		"  -q, --quiz      predict, then observe: before each walk line, say what it\n"
		"                  will show (the verdict; and where its page was shown\n"
		"                  mapped before, whether the frame is the same or new);\n"
		"                  each lesson ends with the score. Asks on the terminal\n"
		"  -a, --answers FILE  the answers from FILE instead, one line per question:\n"
		"                  \"VERDICT\" or \"VERDICT same|new\" (# comments, blank\n"
		"                  lines skipped): a line that is wrong is named, exit 2\n"
		"  -h, --help      this text\n"
		"\n"
		"Columns: lvl leaf level; flags P present, W writable, A accessed, D dirty,\n"
		"S special (no struct page), H huge; $ caching mode; map mapcount. Lines fit\n"
		"the terminal's width ($COLUMNS in a pipe, else 80): below 100 columns lvl\n"
		"is left out and the verdict and its reason go on the next line.\n"
		"A lesson this system cannot run (a module, a feature or a right missing)\n"
		"says SKIP and why. Exit status: 0 every lesson passed or was skipped, 1 one\n"
		"failed, 2 usage or no module.\n");
}

int cmd_lab(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "list", no_argument, NULL, 'l' },
		{ "svg", required_argument, NULL, 's' },
		{ "quiz", no_argument, NULL, 'q' },
		{ "answers", required_argument, NULL, 'a' },
		{ "help", no_argument, NULL, 'h' },
		{ }
	};
	const struct lesson **todo;
	const char *svg_dir = NULL, *answers = NULL;
	struct quiz quiz = { }, *q = NULL;
	bool svg_ok = false, ran = false;
	struct stat st;
	size_t nr = 0, i, passed = 0, skipped = 0;
	int c, fd, status;

	while ((c = getopt_long(argc, argv, "ls:qa:h", opts, NULL)) != -1) {
		switch (c) {
		case 'l':
			for (i = 0; i < lab_nr_lessons; i++)
				printf("%-14s %s\n", lab_lessons[i]->name, lab_lessons[i]->title);
			return EXIT_OK;
		case 's':
			svg_dir = optarg;
			break;
		case 'q':
			q = &quiz;
			break;
		case 'a':
			answers = optarg;
			break;
		default:
			return help_or_usage(c, "lab", argv, print_usage);
		}
	}
	/* the quiz's answers: the whole file read, or a terminal to ask on */
	if (answers && !q) {
		errmsg("lab: --answers needs --quiz");
		return EXIT_USAGE;
	}
	if (q && answers && quiz_load(q, answers)) {
		quiz_finish(q, false);
		return EXIT_USAGE;
	}
	if (q && !answers && !isatty(STDIN_FILENO)) {
		errmsg("lab: --quiz without a terminal on stdin needs --answers FILE");
		return EXIT_USAGE;
	}
	/* the pictures' directory: there and writable before any lesson runs */
	if (svg_dir && !stat(svg_dir, &st) && !S_ISDIR(st.st_mode))
		errno = ENOTDIR;
	else if (svg_dir && !stat(svg_dir, &st) && !access(svg_dir, W_OK))
		svg_ok = true;
	if (svg_dir && !svg_ok) {
		errmsg("lab: --svg %s: %s", svg_dir, strerror(errno));
		status = EXIT_FAILED;
		goto out_quiz;
	}
	/* at most one run of each lesson slot: "all", or the names given */
	todo = calloc(lab_nr_lessons, sizeof(*todo));
	status = EXIT_FAILED;
	if (!todo) {
		errmsg("lab: out of memory");
		goto out_quiz;
	}
	for (i = optind; i < (size_t)argc; i++) {
		const struct lesson *l = find_lesson(argv[i]);

		if (!strcmp(argv[i], "all")) {
			nr = 0;
			break;
		}
		if (!l) {
			errmsg("lab: no lesson '%s'; the lessons (%s lab --list):", argv[i],
			       prog);
			print_names(stderr);
			status = EXIT_USAGE;
			goto out_todo;
		}
		if (nr < lab_nr_lessons)
			todo[nr++] = l;
	}
	if (!nr)
		for (i = 0; i < lab_nr_lessons; i++)
			todo[nr++] = lab_lessons[i];

	fd = open_device(&status);
	if (fd < 0)
		goto out_todo;
	for (i = 0; i < nr && !(q && q->bad); i++) {
		enum outcome o = run_lesson(fd, todo[i], svg_dir, q);

		passed += o == LESSON_PASSED;
		skipped += o == LESSON_SKIPPED;
	}
	close(fd);
	ran = true;
	status = passed + skipped == nr ? EXIT_OK : EXIT_FAILED;
	if (q && q->bad)
		status = EXIT_USAGE;
	else if (nr > 1 && skipped)
		printf("%zu lessons: %zu passed, %zu failed, %zu skipped\n", nr, passed,
		       nr - passed - skipped, skipped);
	else if (nr > 1)
		printf("%zu lessons: %zu passed, %zu failed\n", nr, passed, nr - passed);
	if (q && !q->bad && nr > 1)
		printf("quiz: %u of %u right\n", q->right, q->asked);
out_todo:
	free(todo);
out_quiz:
	if (q && quiz_finish(q, ran))
		status = EXIT_USAGE;
	return status;
}
