// SPDX-License-Identifier: GPL-2.0
/*
 * vmlab-bench - vmlab's mechanisms against the kernel's own, in one run:
 * range walks against /proc/self/pagemap and PAGEMAP_SCAN, faults, fault-
 * around and copy-on-write against anonymous memory and tmpfs, device
 * memory against anonymous memory, vmlab tree --svg against reading pagemap
 * (walk.c, memory.c, tree.c hold the benchmarks).
 *
 * Prints an aligned table (measurement, unit, vmlab's median and range,
 * the other mechanism's, their ratio, the target and whether it is met),
 * or with --json one JSON document. Numbers are whatever the machine gives:
 * under QEMU's TCG, emulation numbers; the ratios are what compare. Exit
 * status 0 when every benchmark ran (met targets or not), 1 when one
 * failed, 2 for a usage error.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "bench.h"
#include "json.h"
#include "libvmlab.h"

#define MAX_RESULTS	64
#define MAX_ONLY	16

struct bench_opts opts = {
	.reps = 9,
	.warmup = 2,
	.size = 1UL << 30,
	.mem_size = 64 * MIB,
};

int vmlab_fd = -1;

/* the median, min and max of one mechanism's runs */
struct stat3 {
	double median, min, max;
};

struct result {
	const struct bench *bench;
	struct bench_row row;
	struct stat3 vmlab, other;
	double ratio;	/* the median of each run's vmlab / other */
};

static struct result results[MAX_RESULTS];
static size_t nr_results;

uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

double since_s(uint64_t t0)
{
	return (now_ns() - t0) / 1e9;
}

double ns_per(uint64_t t0, size_t n)
{
	return (double)(now_ns() - t0) / n;
}

int bench_fail(const struct bench *b, const char *what)
{
	fprintf(stderr, "vmlab-bench: %s: %s: %s\n", b->name, what, strerror(errno));
	return -1;
}

void *bench_reserve(size_t len, size_t align, size_t skew)
{
	size_t span = len + align + skew;
	char *p = mmap(NULL, span, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
		       -1, 0);
	char *start;

	if (p == MAP_FAILED)
		return p;
	start = (char *)(((uintptr_t)p + align - 1) & ~(uintptr_t)(align - 1)) + skew;
	if (start > p)
		munmap(p, start - p);
	if (p + span > start + len)
		munmap(start + len, p + span - (start + len));
	return start;
}

bool bench_have_thp(void)
{
	FILE *f = fopen("/sys/kernel/mm/transparent_hugepage/enabled", "r");
	char buf[64] = "";
	bool ret;

	if (!f)
		return false;
	ret = fgets(buf, sizeof(buf), f) && !strstr(buf, "[never]");
	fclose(f);
	return ret;
}

void *bench_anon(size_t len, int flags)
{
	void *p = mmap(NULL, len, PROT_READ | PROT_WRITE, flags | MAP_ANONYMOUS, -1, 0);

	if (p != MAP_FAILED && madvise(p, len, MADV_NOHUGEPAGE)) {
		munmap(p, len);
		return MAP_FAILED;
	}
	return p;
}

void touch_pages(char *p, size_t len)
{
	size_t off;

	for (off = 0; off < len; off += PAGE)
		((volatile char *)p)[off] = 1;
}

unsigned long read_pages(const char *p, size_t len)
{
	unsigned long sum = 0;
	size_t off;

	for (off = 0; off < len; off += PAGE)
		sum += ((const volatile char *)p)[off];
	return sum;
}

/*
 * "enable" or "disable" to the perf record that runs us, when it listens on
 * the FIFO $VMLAB_PERF_CTL (perf record -D -1 --control=fifo:CTL,ACK): the
 * profile then holds only measured runs, not setups and warm-ups. Waits for
 * perf's answer on $VMLAB_PERF_ACK.
 */
static void perf_ctl(const char *cmd)
{
	static int ctl = -1, ack = -1;
	const char *ctl_path = getenv("VMLAB_PERF_CTL"), *ack_path = getenv("VMLAB_PERF_ACK");
	char buf[16];

	if (!ctl_path || !ack_path)
		return;
	if (ctl < 0)
		ctl = open(ctl_path, O_WRONLY | O_CLOEXEC);
	if (ack < 0)
		ack = open(ack_path, O_RDONLY | O_CLOEXEC);
	if (ctl < 0 || ack < 0 || write(ctl, cmd, strlen(cmd)) < 0 ||
	    read(ack, buf, sizeof(buf)) < 0)
		fprintf(stderr, "vmlab-bench: perf control: %s\n", strerror(errno));
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static struct stat3 stat3_of(double *v, unsigned int n)
{
	qsort(v, n, sizeof(*v), cmp_double);
	return (struct stat3){
		.median = n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2,
		.min = v[0],
		.max = v[n - 1],
	};
}

int bench_measure(const struct bench *b, const struct bench_row *row)
{
	double *a = calloc(opts.reps, sizeof(*a)), *o = calloc(opts.reps, sizeof(*o));
	double *q = calloc(opts.reps, sizeof(*q));
	struct result *r;
	unsigned int i;
	double va, vo;
	int ret = -1;

	if (!a || !o || !q || nr_results == MAX_RESULTS) {
		fprintf(stderr, "vmlab-bench: %s: out of room for results\n", b->name);
		goto out;
	}
	for (i = 0; i < opts.warmup + opts.reps; i++) {
		if (i == opts.warmup)
			perf_ctl("enable\n");
		va = row->vmlab_fn(row->vmlab_arg);
		vo = row->other_fn ? row->other_fn(row->other_arg) : 1;
		if (va <= 0 || vo <= 0) {
			fprintf(stderr, "vmlab-bench: %s: a run of %s failed\n", b->name,
				va <= 0 ? row->vmlab : row->other);
			goto out;
		}
		if (i >= opts.warmup) {
			a[i - opts.warmup] = va;
			o[i - opts.warmup] = vo;
			q[i - opts.warmup] = va / vo;
		}
	}
	r = &results[nr_results++];
	r->bench = b;
	r->row = *row;
	r->vmlab = stat3_of(a, opts.reps);
	r->other = stat3_of(o, opts.reps);
	r->ratio = stat3_of(q, opts.reps).median;
	ret = 0;
out:
	perf_ctl("disable\n");
	free(a);
	free(o);
	free(q);
	return ret;
}

/* Output */

static bool has_other(const struct result *r)
{
	return r->row.other_fn;
}

/*
 * Each run of vmlab's mechanism is paired with the other's right after it:
 * the median of the pairs' ratios, less moved by the host's load drifting
 * than the ratio of the medians
 */
static double ratio(const struct result *r)
{
	return r->ratio;
}

/* "meets", "MISSES", or "-" without a target or a comparison */
static const char *verdict(const struct result *r)
{
	if (r->row.target == TARGET_VMLAB_AT_MOST)
		return r->vmlab.median <= r->row.target_ratio ? "meets" : "MISSES";
	switch (has_other(r) ? r->row.target : TARGET_NONE) {
	case TARGET_AT_LEAST:
		return ratio(r) >= r->row.target_ratio ? "meets" : "MISSES";
	case TARGET_AT_MOST:
		return ratio(r) <= r->row.target_ratio ? "meets" : "MISSES";
	default:
		return "-";
	}
}

static void target_text(char *buf, size_t size, const struct bench_row *row)
{
	if (row->target == TARGET_NONE)
		snprintf(buf, size, "-");
	else if (row->target == TARGET_VMLAB_AT_MOST)
		snprintf(buf, size, "vmlab <= %g %s", row->target_ratio, row->unit);
	else
		snprintf(buf, size, "%s %.1fx",
			 row->target == TARGET_AT_LEAST ? ">=" : "<=", row->target_ratio);
}

/* @v with three significant digits and a k/M/G suffix */
static void eng(char *buf, size_t size, double v)
{
	static const char *const sfx[] = { "", "k", "M", "G", "T" };
	unsigned int i = 0;

	while (v >= 1000 && i < 4) {
		v /= 1000;
		i++;
	}
	snprintf(buf, size, v >= 100 ? "%.0f%s" : v >= 10 ? "%.1f%s" : "%.2f%s", v, sfx[i]);
}

static void stat_text(char *med, char *range, size_t size, const struct stat3 *s)
{
	char lo[16], hi[16];

	eng(med, size, s->median);
	eng(lo, sizeof(lo), s->min);
	eng(hi, sizeof(hi), s->max);
	snprintf(range, size, "[%s-%s]", lo, hi);
}

#define NR_COLS 9
#define CELL 96

static void print_table(const char *kernel, const char *date)
{
	static const char *const head[NR_COLS] = {
		"measurement", "unit", "vmlab", "[min-max]", "other", "[min-max]",
		"ratio", "target", "result",
	};
	char (*cells)[NR_COLS][CELL] = calloc(nr_results + 1, sizeof(*cells));
	int width[NR_COLS] = { 0 };
	const char *accel = getenv("VMLAB_ACCEL_USED");
	size_t i;
	int c;

	if (!cells)
		return;
	for (c = 0; c < NR_COLS; c++)
		snprintf(cells[0][c], CELL, "%s", head[c]);
	for (i = 0; i < nr_results; i++) {
		const struct result *r = &results[i];
		char (*row)[CELL] = cells[i + 1];

		snprintf(row[0], CELL, "%s", r->row.name);
		snprintf(row[1], CELL, "%s", r->row.unit);
		stat_text(row[2], row[3], CELL, &r->vmlab);
		if (has_other(r)) {
			stat_text(row[4], row[5], CELL, &r->other);
			snprintf(row[6], CELL, "%.2fx", ratio(r));
			target_text(row[7], CELL, &r->row);
			snprintf(row[8], CELL, "%s", verdict(r));
		} else {
			/* the rest of the line, past the columns */
			snprintf(row[4], CELL, "n/a (%s)", r->row.other_na);
		}
	}
	for (i = 0; i <= nr_results; i++)
		for (c = 0; c < NR_COLS; c++)
			if ((!i || has_other(&results[i - 1]) || c < 4) &&
			    (int)strlen(cells[i][c]) > width[c])
				width[c] = strlen(cells[i][c]);

	printf("vmlab-bench: kernel %s, %s, %s\n", kernel, date,
	       accel ? accel : "accelerator not known");
	printf("median of %u runs [min-max] after %u warm-up runs,", opts.reps, opts.warmup);
	printf(" vmlab's and the other's alternating;\n"
	       "ratio: the median of each pair's vmlab / other. Walks over %zu MiB, faults over %zu MiB;\n"
	       "anonymous memory in 4 KiB pages (MADV_NOHUGEPAGE) but for walk-thp. Absolute numbers\n"
	       "are the machine's (under QEMU's TCG: software emulation); compare the ratios.\n\n",
	       (size_t)(opts.size / MIB), (size_t)(opts.mem_size / MIB));
	for (i = 0; i <= nr_results; i++) {
		for (c = 0; c < NR_COLS - 1; c++) {
			/* numbers right-aligned, words left-aligned */
			bool right = i && (c == 2 || c == 6);

			if (i && c == 4 && !has_other(&results[i - 1]))
				break;
			printf("%*s  ", right ? width[c] : -width[c], cells[i][c]);
		}
		printf("%s\n", cells[i][c]);
	}
	printf("\n");
	for (i = 0; i < nr_results; i++)
		printf("%s: vmlab: %s; other: %s\n", results[i].row.name, results[i].row.vmlab,
		       results[i].row.other);
	free(cells);
}

/* one mechanism's runs: what it is, their median, min and max */
static void json_stat(struct json *j, const char *key, const char *what, const struct stat3 *s)
{
	json_object_begin(j, key);
	json_string(j, "what", what);
	json_double(j, "median", s->median);
	json_double(j, "min", s->min);
	json_double(j, "max", s->max);
	json_object_end(j);
}

static void json_result(struct json *j, const struct result *r)
{
	json_object_begin(j, NULL);
	json_string(j, "bench", r->bench->name);
	json_string(j, "name", r->row.name);
	json_string(j, "unit", r->row.unit);
	json_stat(j, "vmlab", r->row.vmlab, &r->vmlab);
	if (has_other(r)) {
		json_stat(j, "other", r->row.other, &r->other);
		json_double(j, "ratio", ratio(r));
	} else {
		json_string(j, "other", NULL);
		json_string(j, "other_na", r->row.other_na);
		json_string(j, "ratio", NULL);
	}
	if (r->row.target == TARGET_NONE) {
		json_string(j, "target", NULL);
		json_string(j, "meets", NULL);
	} else if (r->row.target == TARGET_VMLAB_AT_MOST) {
		/* a bound on vmlab's median, not on the ratio */
		json_object_begin(j, "target");
		json_string(j, "op", "<=");
		json_string(j, "of", "vmlab");
		json_double(j, "value", r->row.target_ratio);
		json_object_end(j);
		json_bool(j, "meets", !strcmp(verdict(r), "meets"));
	} else {
		json_object_begin(j, "target");
		json_string(j, "op", r->row.target == TARGET_AT_LEAST ? ">=" : "<=");
		json_double(j, "ratio", r->row.target_ratio);
		json_object_end(j);
		if (has_other(r))
			json_bool(j, "meets", !strcmp(verdict(r), "meets"));
		else
			json_string(j, "meets", NULL);
	}
	json_object_end(j);
}

static void print_json(FILE *f, const char *kernel, const char *date)
{
	struct json j;
	size_t i;

	json_init(&j, f);
	json_object_begin(&j, NULL);
	json_string(&j, "kernel", kernel);
	json_string(&j, "date", date);
	json_string(&j, "accel", getenv("VMLAB_ACCEL_USED"));
	json_u64(&j, "reps", opts.reps);
	json_u64(&j, "warmup", opts.warmup);
	json_u64(&j, "walk_bytes", opts.size);
	json_u64(&j, "mem_bytes", opts.mem_size);
	json_array_begin(&j, "results");
	for (i = 0; i < nr_results; i++)
		json_result(&j, &results[i]);
	json_array_end(&j);
	json_object_end(&j);
	json_end(&j);
}

/* Command line */

static const struct {
	const struct bench *benches;
	const size_t *nr;
} tables[] = {
	{ walk_benches, &nr_walk_benches },
	{ memory_benches, &nr_memory_benches },
	{ tree_benches, &nr_tree_benches },
	{ run_benches, &nr_run_benches },
	{ sparse_benches, &nr_sparse_benches },
};

/* the @n-th benchmark of all the tables, NULL past the last */
static const struct bench *bench_at(size_t n)
{
	size_t t;

	for (t = 0; t < ARRAY_SIZE(tables); t++) {
		if (n < *tables[t].nr)
			return &tables[t].benches[n];
		n -= *tables[t].nr;
	}
	return NULL;
}

static void print_usage(FILE *f)
{
	fprintf(f,
		"usage: vmlab-bench [--reps N] [--warmup N] [--size N[K|M|G]] [--only NAME]...\n"
		"                   [--quick] [--json[=FILE]] | --list | --help\n"
		"  --reps N       measured runs of each mechanism (default 9)\n"
		"  --warmup N     unmeasured runs first (default 2)\n"
		"  --size N       bytes of the range walks (default 1G); the fault, fault-around\n"
		"                 and COW benchmarks use the same, at most 64M\n"
		"  --only NAME    run this benchmark (repeatable; see --list)\n"
		"  --quick        --size 8M --reps 1 --warmup 0: checks that everything runs\n"
		"  --json[=FILE]  JSON on stdout; with FILE, the JSON there and the table here\n"
		"  --list         the benchmarks, one a line: name and what it measures\n"
		"Needs /dev/vmlab (vmlab.ko loaded) and root for a clean comparison.\n");
}

/* N with an optional K, M or G; 0 when not a positive page multiple */
static size_t parse_size(const char *s)
{
	char *end;
	unsigned long long v = strtoull(s, &end, 0);

	switch (*end) {
	case 'G':
		v <<= 10;
		/* fallthrough */
	case 'M':
		v <<= 10;
		/* fallthrough */
	case 'K':
		v <<= 10;
		end++;
	}
	return *end || !v || v % PAGE ? 0 : v;
}

static unsigned int parse_count(const char *s, unsigned int min)
{
	char *end;
	unsigned long v = strtoul(s, &end, 10);

	return *end || !*s || v < min || v > 100000 ? 0 : v;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "reps", required_argument, NULL, 'r' },
		{ "warmup", required_argument, NULL, 'w' },
		{ "size", required_argument, NULL, 's' },
		{ "only", required_argument, NULL, 'o' },
		{ "quick", no_argument, NULL, 'q' },
		{ "json", optional_argument, NULL, 'j' },
		{ "list", no_argument, NULL, 'l' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *only[MAX_ONLY], *json_file = NULL;
	bool json = false, list = false, found;
	unsigned int nr_only = 0, j;
	const struct bench *b;
	char kernel[128], date[32];
	struct utsname uts;
	size_t n;
	int c, failed = 0;
	time_t now;
	FILE *f;

	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (c) {
		case 'r':
			opts.reps = parse_count(optarg, 1);
			if (!opts.reps)
				goto bad;
			break;
		case 'w':
			opts.warmup = parse_count(optarg, 0);
			if (!opts.warmup && strcmp(optarg, "0"))
				goto bad;
			break;
		case 's':
			opts.size = parse_size(optarg);
			if (!opts.size)
				goto bad;
			break;
		case 'o':
			if (nr_only == MAX_ONLY)
				goto bad;
			only[nr_only++] = optarg;
			break;
		case 'q':
			opts.size = 8 * MIB;
			opts.reps = 1;
			opts.warmup = 0;
			break;
		case 'j':
			json = true;
			json_file = optarg;
			break;
		case 'l':
			list = true;
			break;
		case 'h':
			print_usage(stdout);
			return 0;
		default:
			goto bad;
		}
	}
	if (optind != argc)
		goto bad;
	opts.mem_size = opts.size < 64 * MIB ? opts.size : 64 * MIB;
	for (j = 0; j < nr_only; j++) {
		found = false;
		for (n = 0; (b = bench_at(n)); n++)
			found |= !strcmp(b->name, only[j]);
		if (!found) {
			fprintf(stderr, "vmlab-bench: no benchmark '%s' (see --list)\n", only[j]);
			return 2;
		}
	}
	if (list) {
		for (n = 0; (b = bench_at(n)); n++)
			printf("%-14s %s\n", b->name, b->what);
		return 0;
	}

	vmlab_fd = vmlab_open();
	if (vmlab_fd < 0) {
		fprintf(stderr, "vmlab-bench: %s: %s\n", VMLAB_DEVICE, strerror(errno));
		return 1;
	}
	uname(&uts);
	snprintf(kernel, sizeof(kernel), "%s", uts.release);
	now = time(NULL);
	strftime(date, sizeof(date), "%Y-%m-%d %H:%M UTC", gmtime(&now));

	for (n = 0; (b = bench_at(n)); n++) {
		found = !nr_only;
		for (j = 0; j < nr_only; j++)
			found |= !strcmp(b->name, only[j]);
		if (!found)
			continue;
		fprintf(stderr, "vmlab-bench: %s...\n", b->name);
		if (b->run(b))
			failed = 1;
	}

	if (json && json_file) {
		f = fopen(json_file, "w");
		if (!f) {
			fprintf(stderr, "vmlab-bench: %s: %s\n", json_file, strerror(errno));
			return 1;
		}
		print_json(f, kernel, date);
		fclose(f);
	}
	if (json && !json_file)
		print_json(stdout, kernel, date);
	else
		print_table(kernel, date);
	return failed;
bad:
	print_usage(stderr);
	return 2;
}
