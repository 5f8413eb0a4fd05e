// SPDX-License-Identifier: GPL-2.0
/*
 * bench.c - keeps the benchmarks (/bin/vmlab-bench in the VM) from rotting:
 * a quick run (--quick: 8 MiB, one run of each mechanism) must run every
 * benchmark --list names and print a table row and a well-formed JSON result
 * (checked by jq) for each measurement. Never checks a speed: the numbers
 * only have to be there and be positive. Also the usage errors.
 */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "kselftest_harness.h"

#define BENCH_BIN	"/bin/vmlab-bench"
#define JQ_BIN		"/usr/bin/jq"
#define OUT		"/tmp/bench-smoke"
/* what marks a row of OUT.txt: its unit between spaces */
#define TABLE_ROW	" (ns/page|pages/s|MiB/s|ms/range|KiB/range|ms/run) "

/* every measurement's fields present, values positive, ratio where compared */
#define JQ_WELL_FORMED							\
	"(.kernel | type) == \"string\" and (.date | type) == \"string\" and "	\
	"(.results | length) > 0 and all(.results[]; "			\
	"(.bench | type) == \"string\" and (.name | type) == \"string\" and "	\
	"(.unit | type) == \"string\" and (.vmlab.what | type) == \"string\" and " \
	".vmlab.min > 0 and .vmlab.median >= .vmlab.min and "		\
	".vmlab.max >= .vmlab.median and "					\
	"((.other == null and (.other_na | type) == \"string\" and .ratio == null) or " \
	"(.other.min > 0 and .other.median >= .other.min and "		\
	".other.max >= .other.median and .ratio > 0)) and "			\
	"(.target == null or ((.target.ratio // .target.value) > 0 and "	\
	"(.meets == null or (.meets | type) == \"boolean\"))))"

/* the exit status of "sh -c" of the printf-formatted command; -1 if not run */
static int sh(const char *fmt, ...)
{
	char *cmd;
	va_list ap;
	int ret;

	va_start(ap, fmt);
	ret = vasprintf(&cmd, fmt, ap);
	va_end(ap);
	if (ret < 0)
		return -1;
	ret = system(cmd);
	free(cmd);
	return ret < 0 || !WIFEXITED(ret) ? -1 : WEXITSTATUS(ret);
}

/* @fn on each line (its first word) of the command's output in turn; the count, or -1 */
static int on_each_line(const char *cmd, void (*fn)(const char *line, void *arg), void *arg)
{
	FILE *f = popen(cmd, "r");
	char line[256];
	int n = 0;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n ")] = '\0';
		fn(line, arg);
		n++;
	}
	return pclose(f) ? -1 : n;
}

/* failures of the checks on_each_line ran */
struct checks {
	int failed;
};

/* the JSON has results of benchmark @name */
static void check_bench_ran(const char *name, void *arg)
{
	struct checks *c = arg;

	if (sh("%s -e 'any(.results[]; .bench == \"%s\")' %s.json >/dev/null",
	       JQ_BIN, name, OUT)) {
		fprintf(stderr, "# benchmark %s has no result\n", name);
		c->failed++;
	}
}

/* the table has a row for measurement @name */
static void check_table_row(const char *name, void *arg)
{
	struct checks *c = arg;

	if (sh("grep -q '^%s ' %s.txt", name, OUT)) {
		fprintf(stderr, "# measurement %s has no row in the table\n", name);
		c->failed++;
	}
}

FIXTURE(bench) {
};

FIXTURE_SETUP(bench)
{
}

FIXTURE_TEARDOWN(bench)
{
}

/*
 * A quick run: every benchmark measured, the table and the JSON complete.
 * About 5 s on Debian's kernels, near the harness's default 30 s on the
 * debug kernel: up to 300 s.
 */
TEST_F_TIMEOUT(bench, quick_run_is_complete, 300)
{
	struct checks c = { 0 };
	int rc, n;

	rc = sh("%s --quick --json=%s.json >%s.txt 2>%s.err", BENCH_BIN, OUT, OUT, OUT);
	if (rc)
		sh("cat %s.err >&2", OUT);
	ASSERT_EQ(0, rc);
	ASSERT_EQ(0, sh("%s -e '%s' %s.json >/dev/null", JQ_BIN, JQ_WELL_FORMED, OUT))
		TH_LOG("%s.json is not as documented", OUT);

	n = on_each_line(BENCH_BIN " --list", check_bench_ran, &c);
	EXPECT_LT(0, n);
	EXPECT_EQ(0, c.failed);

	c.failed = 0;
	n = on_each_line(JQ_BIN " -r '.results[].name' " OUT ".json", check_table_row, &c);
	EXPECT_LT(0, n);
	EXPECT_EQ(0, c.failed);
	/* one row per measurement, no more */
	EXPECT_EQ(0, sh("test $(%s '.results | length' %s.json) -eq $(grep -cE '%s' %s.txt)",
			JQ_BIN, OUT, TABLE_ROW, OUT));
}

/* bad options: exit status 2, nothing measured */
TEST_F(bench, usage_errors)
{
	EXPECT_EQ(2, sh("%s --reps 0 2>/dev/null", BENCH_BIN));
	EXPECT_EQ(2, sh("%s --size 123 2>/dev/null", BENCH_BIN));
	EXPECT_EQ(2, sh("%s --only no-such-bench 2>/dev/null", BENCH_BIN));
	EXPECT_EQ(2, sh("%s extra-argument 2>/dev/null", BENCH_BIN));
	EXPECT_EQ(0, sh("%s --help >/dev/null", BENCH_BIN));
}

TEST_HARNESS_MAIN
