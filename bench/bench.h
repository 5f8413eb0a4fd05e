/* SPDX-License-Identifier: GPL-2.0 */
/*
 * bench.h - what the benchmark files share: the options, the timer, the
 * repetition loop and the result rows (bench.c), and each file's table of
 * benchmarks (walk.c, memory.c, tree.c, run.c, sparse.c).
 *
 * A benchmark sets up its memory once, then measures a vmlab mechanism and
 * the one a user would otherwise use, alternating: warm-up runs first, then
 * @reps runs of each, of which the row keeps the median, min and max. The
 * ratio is the median of each run's vmlab / other (each vmlab run paired
 * with the other's right after it), in the row's unit; a target, where the
 * row has one, bounds that ratio, or (TARGET_VMLAB_AT_MOST) vmlab's median
 * itself, in the row's unit.
 */
#ifndef VMLAB_BENCH_H
#define VMLAB_BENCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <unistd.h>

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

/* the running kernel's page size (4 KiB; 16 KiB on arm64-16k) */
#define PAGE		((unsigned long)sysconf(_SC_PAGESIZE))
#define MIB		(1UL << 20)
/* a PMD's span, a table of PAGE / 8 entries: 2 MiB, 32 MiB with 16 KiB pages */
#define PMD_BYTES	(PAGE * (PAGE / 8))
/* pagemap entries one read returns: 2 MiB of them */
#define PAGEMAP_BATCH	(2 * MIB / sizeof(uint64_t))

/* what the command line asked for */
struct bench_opts {
	unsigned int reps;	/* measured runs of each mechanism */
	unsigned int warmup;	/* unmeasured runs before them */
	size_t size;		/* bytes of the range walks (1 GiB) */
	size_t mem_size;	/* bytes of the fault and COW benchmarks (64 MiB) */
};

extern struct bench_opts opts;
extern int vmlab_fd;

/* one run of a mechanism: its value in the row's unit, or < 0 on failure */
typedef double (*bench_fn)(void *arg);

/* where a row's ratio must be for the row to meet its target */
enum bench_target { TARGET_NONE, TARGET_AT_LEAST, TARGET_AT_MOST, TARGET_VMLAB_AT_MOST };

/* one row of the table: what was measured, against what, and the goal */
struct bench_row {
	const char *name;	/* "walk-populated" */
	const char *unit;	/* "pages/s", "ns/page", "MiB/s" */
	const char *vmlab;	/* the vmlab mechanism, for the legend */
	const char *other;	/* the mechanism compared against */
	bench_fn vmlab_fn, other_fn;	/* other_fn NULL: see @other_na */
	void *vmlab_arg, *other_arg;
	const char *other_na;	/* why there is nothing to compare with */
	enum bench_target target;
	double target_ratio;	/* the bound: on the ratio, or on vmlab's median */
};

/* one benchmark: a setup and the rows it measures */
struct bench {
	const char *name;
	const char *what;	/* one line for --list */
	int (*run)(const struct bench *b);	/* 0, or -1 after saying why */
};

extern const struct bench walk_benches[];
extern const size_t nr_walk_benches;
extern const struct bench memory_benches[];
extern const size_t nr_memory_benches;
extern const struct bench tree_benches[];
extern const size_t nr_tree_benches;
extern const struct bench run_benches[];
extern const size_t nr_run_benches;
extern const struct bench sparse_benches[];
extern const size_t nr_sparse_benches;

/* CLOCK_MONOTONIC in nanoseconds */
uint64_t now_ns(void);

/* seconds from @t0 to now */
double since_s(uint64_t t0);

/* nanoseconds from @t0 to now per one of @n */
double ns_per(uint64_t t0, size_t n);

/*
 * Measure @row (warm-up, then opts.reps runs of each mechanism, alternating)
 * and add it to the results of benchmark @b. 0, or -1 when a run failed.
 */
int bench_measure(const struct bench *b, const struct bench_row *row);

/* print "vmlab-bench: @b: <message>: <errno text>" on stderr; returns -1 */
int bench_fail(const struct bench *b, const char *what);

/*
 * @len bytes of fresh address space aligned to @align plus @skew (a PAGE
 * multiple below @align), PROT_NONE, for a MAP_FIXED mapping over it; its
 * surplus is unmapped. MAP_FAILED on failure.
 */
void *bench_reserve(size_t len, size_t align, size_t skew);

/* whether the kernel gives transparent huge pages to MADV_HUGEPAGE */
bool bench_have_thp(void);

/* private anonymous memory in 4 KiB pages (MADV_NOHUGEPAGE); MAP_FAILED on error */
void *bench_anon(size_t len, int flags);

/*
 * Read the /proc/PID/pagemap entries (@fd) of [@start, @start + @len) into
 * @buf, PAGEMAP_BATCH of them per read (walk.c): 0, or -1 with errno.
 */
int pagemap_read_range(int fd, uint64_t *buf, uintptr_t start, size_t len);

/* write a byte to each page of [@p, @p + @len) */
void touch_pages(char *p, size_t len);

/* read a byte of each page of [@p, @p + @len); returns their sum */
unsigned long read_pages(const char *p, size_t len);

#endif /* VMLAB_BENCH_H */
