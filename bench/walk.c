// SPDX-License-Identifier: GPL-2.0
/*
 * walk.c - the range-walk benchmarks: VMLAB_IOC_WALK_RANGE over populated
 * and mostly-empty anonymous memory against reading /proc/self/pagemap and
 * against PAGEMAP_SCAN (6.7+), and against one VMLAB_IOC_WALK per page.
 * Throughput is pages of the range per second, holes included.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>
#include <linux/fs.h>

#include "bench.h"
#include "libvmlab.h"

/* the build host's uapi may predate PAGEMAP_SCAN (6.7): the ABI as 6.7 has it */
#ifndef PAGEMAP_SCAN
#define PAGEMAP_SCAN		_IOWR('f', 16, struct pm_scan_arg)
#define PAGE_IS_FILE		(1 << 2)
#define PAGE_IS_PRESENT		(1 << 3)
#define PAGE_IS_SWAPPED		(1 << 4)
#define PAGE_IS_PFNZERO		(1 << 5)
#define PAGE_IS_HUGE		(1 << 6)
#define PAGE_IS_SOFT_DIRTY	(1 << 7)

struct page_region {
	__u64 start;
	__u64 end;
	__u64 categories;
};

struct pm_scan_arg {
	__u64 size;
	__u64 flags;
	__u64 start;
	__u64 end;
	__u64 walk_end;
	__u64 vec;
	__u64 vec_len;
	__u64 max_pages;
	__u64 category_inverted;
	__u64 category_mask;
	__u64 category_anyof_mask;
	__u64 return_mask;
};
#endif

/* records (and PAGEMAP_SCAN regions) one call may return: 2 MiB of them */
#define WALK_BATCH	VMLAB_WALK_RANGE_MAX
#define SCAN_BATCH	(2 * MIB / sizeof(struct page_region))

/*
 * a range to walk, the leaves a range walk must find and the pages present,
 * and whose: @pid's (another process's), or ours with 0
 */
struct range {
	char *start;
	size_t len;
	size_t leaves;		/* 0: not known (THP) */
	size_t pages;
	pid_t pid;
};

/* anonymous memory to range-walk, and the rows it gives */
struct walk_kind {
	const char *name, *scan_name;	/* the rows against pagemap, PAGEMAP_SCAN */
	const char *vmlab;		/* what vmlab walks */
	size_t stride;			/* one page written every @stride bytes */
	bool thp;			/* in transparent huge pages, else 4 KiB */
};

static struct vmlab_walk_record *recs;
static uint64_t *pagemap_buf;
static struct page_region *scan_buf;
static int pagemap_fd = -1;

/* pages of @r per second since @t0, or -1 when @what found @n, not @want */
static double range_rate(const struct range *r, const char *what, size_t n,
			 size_t want, uint64_t t0)
{
	double rate = r->len / PAGE / since_s(t0);

	if (want && n != want) {
		fprintf(stderr, "vmlab-bench: %s: found %zu, expected %zu\n", what, n, want);
		return -1;
	}
	return rate;
}

/* pages per second of @r in VMLAB_IOC_WALK_RANGE calls of WALK_BATCH records */
static double walk_range(void *arg)
{
	const struct range *r = arg;
	uint64_t addr = (uintptr_t)r->start, end = addr + r->len, t0 = now_ns();
	struct vmlab_walk_range w;
	size_t leaves = 0;

	while (addr < end) {
		if (vmlab_walk_range(vmlab_fd, r->pid, addr, end, recs, WALK_BATCH, &w) ||
		    w.walk_end <= addr)
			return -1;
		leaves += w.nr_records;
		addr = w.walk_end;
	}
	return range_rate(r, "range walk", leaves, r->leaves, t0);
}

/* pages per second of @r in one VMLAB_IOC_WALK per page */
static double walk_single(void *arg)
{
	const struct range *r = arg;
	uint64_t t0 = now_ns();
	struct vmlab_walk w;
	size_t off;

	for (off = 0; off < r->len; off += PAGE)
		if (vmlab_walk(vmlab_fd, 0, (uintptr_t)r->start + off, &w) ||
		    w.leaf_level != VMLAB_LEVEL_PTE)
			return -1;
	return r->len / PAGE / since_s(t0);
}

int pagemap_read_range(int fd, uint64_t *buf, uintptr_t start, size_t len)
{
	size_t pages = len / PAGE, done = 0, n;
	off_t pos = start / PAGE * sizeof(uint64_t);
	ssize_t got;

	while (done < pages) {
		n = pages - done < PAGEMAP_BATCH ? pages - done : PAGEMAP_BATCH;
		got = pread(fd, buf, n * sizeof(uint64_t), pos);
		if (got <= 0)
			return -1;
		done += got / sizeof(uint64_t);
		pos += got;
	}
	return 0;
}

/* pages per second of @r read from /proc/self/pagemap, 2 MiB per read */
static double pagemap_read(void *arg)
{
	const struct range *r = arg;
	uint64_t t0 = now_ns();

	if (pagemap_read_range(pagemap_fd, pagemap_buf, (uintptr_t)r->start, r->len))
		return -1;
	return r->len / PAGE / since_s(t0);
}

/* one PAGEMAP_SCAN call from @start to @end into scan_buf: regions, or -1 */
static long pagemap_scan(uint64_t start, uint64_t end, struct pm_scan_arg *a)
{
	*a = (struct pm_scan_arg){
		.size = sizeof(*a),
		.start = start,
		.end = end,
		.vec = (uintptr_t)scan_buf,
		.vec_len = SCAN_BATCH,
		/* the pages vmlab's walk reports: those with an entry */
		.category_anyof_mask = PAGE_IS_PRESENT | PAGE_IS_SWAPPED,
		.return_mask = PAGE_IS_PRESENT | PAGE_IS_SWAPPED | PAGE_IS_FILE |
			       PAGE_IS_PFNZERO | PAGE_IS_HUGE | PAGE_IS_SOFT_DIRTY,
	};
	return ioctl(pagemap_fd, PAGEMAP_SCAN, a);
}

/* pages per second of @r in PAGEMAP_SCAN calls */
static double scan_range(void *arg)
{
	const struct range *r = arg;
	uint64_t addr = (uintptr_t)r->start, end = addr + r->len, t0 = now_ns();
	struct pm_scan_arg a;
	size_t pages = 0;
	long i, n;

	while (addr < end) {
		n = pagemap_scan(addr, end, &a);
		if (n < 0 || a.walk_end <= addr)
			return -1;
		for (i = 0; i < n; i++)
			pages += (scan_buf[i].end - scan_buf[i].start) / PAGE;
		addr = a.walk_end;
	}
	return range_rate(r, "PAGEMAP_SCAN", pages, r->pages, t0);
}

/* whether this kernel has PAGEMAP_SCAN: asked of a range of @r */
static bool have_pagemap_scan(const struct range *r)
{
	struct pm_scan_arg a;

	return pagemap_scan((uintptr_t)r->start, (uintptr_t)r->start + PAGE, &a) >= 0;
}

static int walk_setup(const struct bench *b)
{
	if (!recs)
		recs = calloc(WALK_BATCH, sizeof(*recs));
	if (!pagemap_buf)
		pagemap_buf = calloc(PAGEMAP_BATCH, sizeof(*pagemap_buf));
	if (!scan_buf)
		scan_buf = calloc(SCAN_BATCH, sizeof(*scan_buf));
	if (!recs || !pagemap_buf || !scan_buf)
		return bench_fail(b, "buffers");
	if (pagemap_fd < 0)
		pagemap_fd = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);
	return pagemap_fd < 0 ? bench_fail(b, "/proc/self/pagemap") : 0;
}

/*
 * --size (1 GiB) of anonymous memory as @k says, 2 MiB-aligned, walked as
 * @k->name against pagemap (the target in 4 KiB pages) and as
 * @k->scan_name against PAGEMAP_SCAN (a target on every kind)
 */
static int walk_anon(const struct bench *b, const struct walk_kind *k)
{
	struct range r = {
		.len = opts.size,
		.leaves = k->thp ? 0 : opts.size / k->stride,
		.pages = opts.size / k->stride,
	};
	struct bench_row row = {
		.name = k->name,
		.unit = "pages/s",
		.vmlab = k->vmlab,
		.other = "pread of /proc/self/pagemap, 2 MiB per call",
		.vmlab_fn = walk_range,
		.vmlab_arg = &r,
		.other_fn = pagemap_read,
		.other_arg = &r,
		.target = k->thp ? TARGET_NONE : TARGET_AT_LEAST,
		.target_ratio = 1.0,
	};
	size_t off;
	int ret;

	if (walk_setup(b))
		return -1;
	r.start = bench_reserve(r.len, PMD_BYTES, 0);
	if (r.start != MAP_FAILED)
		r.start = mmap(r.start, r.len, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_FIXED, -1, 0);
	if (r.start == MAP_FAILED)
		return bench_fail(b, "mmap");
	if (madvise(r.start, r.len, k->thp ? MADV_HUGEPAGE : MADV_NOHUGEPAGE)) {
		munmap(r.start, r.len);
		return bench_fail(b, "madvise");
	}
	for (off = 0; off < r.len; off += k->stride)
		r.start[off] = 1;

	if (k->thp && !bench_have_thp()) {
		row.other_fn = NULL;
		row.other_na = "transparent huge pages disabled";
	}
	ret = bench_measure(b, &row);
	row.name = k->scan_name;
	row.other = "PAGEMAP_SCAN ioctl, present or swapped pages, 2 MiB of page_region per call";
	/* populated, holes or THPs: at least PAGEMAP_SCAN's speed */
	row.target = TARGET_AT_LEAST;
	row.target_ratio = 1.0;
	/* other_fn is NULL here only without THP, and other_na says so */
	if (row.other_fn && !have_pagemap_scan(&r)) {
		row.other_fn = NULL;
		row.other_na = "kernel has no PAGEMAP_SCAN";
	} else if (row.other_fn) {
		row.other_fn = scan_range;
	}
	ret = ret ?: bench_measure(b, &row);
	munmap(r.start, r.len);
	return ret;
}

/* every page written */
static int bench_walk_populated(const struct bench *b)
{
	const struct walk_kind k = {
		"walk-populated", "walk-populated-scan",
		"VMLAB_IOC_WALK_RANGE, 65536 records (2 MiB) per call, over populated anonymous 4 KiB pages",
		PAGE, false,
	};

	return walk_anon(b, &k);
}

/* one page written per 2 MiB: 511 of 512 pages holes */
static int bench_walk_holes(const struct bench *b)
{
	const struct walk_kind k = {
		"walk-holes", "walk-holes-scan",
		"VMLAB_IOC_WALK_RANGE as above, over anonymous memory with one page in 512 populated",
		PMD_BYTES, false,
	};

	return walk_anon(b, &k);
}

/* every page written, in transparent huge pages where the kernel gives them */
static int bench_walk_thp(const struct bench *b)
{
	const struct walk_kind k = {
		"walk-thp", "walk-thp-scan",
		"VMLAB_IOC_WALK_RANGE as above, over populated anonymous memory in THPs (MADV_HUGEPAGE): a record per 2 MiB",
		PAGE, true,
	};

	return walk_anon(b, &k);
}

/* what batching buys: one range walk against a WALK per page, 16 MiB at most */
static int bench_walk_single(const struct bench *b)
{
	size_t len = opts.mem_size < 16 * MIB ? opts.mem_size : 16 * MIB;
	struct range r = { .len = len, .leaves = len / PAGE, .pages = len / PAGE };
	struct bench_row row = {
		.name = "walk-single",
		.unit = "pages/s",
		.vmlab = "VMLAB_IOC_WALK_RANGE over populated anonymous 4 KiB pages",
		.other = "one VMLAB_IOC_WALK per page of the same range",
		.vmlab_fn = walk_range,
		.vmlab_arg = &r,
		.other_fn = walk_single,
		.other_arg = &r,
		.target = TARGET_AT_LEAST,
		.target_ratio = 30,
	};
	int ret;

	if (walk_setup(b))
		return -1;
	r.start = bench_anon(r.len, MAP_PRIVATE);
	if (r.start == MAP_FAILED)
		return bench_fail(b, "mmap");
	touch_pages(r.start, r.len);
	ret = bench_measure(b, &row);
	munmap(r.start, r.len);
	return ret;
}

/*
 * a walk of another process against a walk of ourselves: the same pages,
 * ours shared with a fork child that waits, walked through its pid and
 * through our own (16 MiB at most, as walk-single)
 */
static int bench_walk_other(const struct bench *b)
{
	size_t len = opts.mem_size < 16 * MIB ? opts.mem_size : 16 * MIB;
	struct range child = { .len = len, .leaves = len / PAGE, .pages = len / PAGE };
	struct range self = child;
	struct bench_row row = {
		.name = "walk-other",
		.unit = "pages/s",
		.vmlab = "VMLAB_IOC_WALK_RANGE of a fork child's populated anon memory, by pid",
		.other = "the same range walk of our own pages (the pages the child shares)",
		.vmlab_fn = walk_range,
		.vmlab_arg = &child,
		.other_fn = walk_range,
		.other_arg = &self,
	};
	int ret, status;
	pid_t pid;

	if (walk_setup(b))
		return -1;
	self.start = bench_anon(len, MAP_PRIVATE);
	if (self.start == MAP_FAILED)
		return bench_fail(b, "mmap");
	child.start = self.start;
	touch_pages(self.start, len);
	pid = fork();
	if (pid < 0) {
		munmap(self.start, len);
		return bench_fail(b, "fork");
	}
	if (!pid) {
		pause();
		_exit(0);
	}
	child.pid = pid;
	ret = bench_measure(b, &row);
	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
	munmap(self.start, len);
	return ret;
}

const struct bench walk_benches[] = {
	{ "walk-populated", "range walk of populated anonymous memory vs pagemap, PAGEMAP_SCAN",
	  bench_walk_populated },
	{ "walk-holes", "range walk of mostly-holes anonymous memory vs pagemap, PAGEMAP_SCAN",
	  bench_walk_holes },
	{ "walk-thp", "range walk of populated anonymous memory in THPs vs pagemap, PAGEMAP_SCAN",
	  bench_walk_thp },
	{ "walk-single", "range walk vs one single-address walk per page", bench_walk_single },
	{ "walk-other", "range walk of another process (a fork child) vs of ourselves",
	  bench_walk_other },
};

const size_t nr_walk_benches = ARRAY_SIZE(walk_benches);
