// SPDX-License-Identifier: GPL-2.0
/*
 * tree.c - the picture benchmark: "vmlab tree --svg" of --size (1 GiB) of
 * populated anonymous 4 KiB pages, the vmlab tool run as a process of its
 * own on this one, against reading /proc/self/pagemap for the same range
 * (the kernel's own way to see it). Issue 16's target: the SVG made in
 * under a second and smaller than 1 MiB (two rows: time and size).
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <inttypes.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench.h"

/* the vmlab tool (the VM's /bin/vmlab) and the SVG it writes */
#define VMLAB_TOOL	"/bin/vmlab"
#define TREE_SVG	"/tmp/vmlab-bench-tree.svg"

struct tree_range {
	char *start;
	size_t len;
	int pagemap_fd;
	uint64_t *buf;		/* PAGEMAP_BATCH entries */
};

/* milliseconds of one "vmlab tree -p PID --svg TREE_SVG START END" */
static double tree_svg_ms(void *arg)
{
	const struct tree_range *r = arg;
	char pid[16], start[24], end[24];
	char *const argv[] = { "vmlab", "tree", "-p", pid, "--svg", TREE_SVG, start, end, NULL };
	uint64_t t0;
	pid_t child;
	int status;

	snprintf(pid, sizeof(pid), "%d", (int)getpid());
	snprintf(start, sizeof(start), "%#" PRIxPTR, (uintptr_t)r->start);
	snprintf(end, sizeof(end), "%#" PRIxPTR, (uintptr_t)r->start + r->len);
	t0 = now_ns();
	if (posix_spawn(&child, VMLAB_TOOL, NULL, NULL, argv, environ) ||
	    waitpid(child, &status, 0) != child || !WIFEXITED(status) || WEXITSTATUS(status))
		return -1;
	return since_s(t0) * 1e3;
}

/* milliseconds of reading the range's /proc/self/pagemap entries, 2 MiB per read */
static double pagemap_ms(void *arg)
{
	const struct tree_range *r = arg;
	uint64_t t0 = now_ns();

	if (pagemap_read_range(r->pagemap_fd, r->buf, (uintptr_t)r->start, r->len))
		return -1;
	return since_s(t0) * 1e3;
}

/* KiB of the last SVG made */
static double tree_svg_kib(void *arg)
{
	struct stat st;

	return stat(TREE_SVG, &st) ? -1 : st.st_size / 1024.0;
}

/* KiB of the range's pagemap entries (8 bytes a page) */
static double pagemap_kib(void *arg)
{
	const struct tree_range *r = arg;

	return r->len / PAGE * sizeof(uint64_t) / 1024.0;
}

static int bench_tree_svg(const struct bench *b)
{
	struct tree_range r = { .len = opts.size, .pagemap_fd = -1 };
	struct bench_row row = {
		.name = "tree-svg",
		.unit = "ms/range",
		.vmlab = "vmlab tree -p PID --svg FILE, populated anonymous 4 KiB pages: all of it",
		.other = "pread of /proc/self/pagemap for the same range, 2 MiB per call",
		.vmlab_fn = tree_svg_ms,
		.vmlab_arg = &r,
		.other_fn = pagemap_ms,
		.other_arg = &r,
		.target = TARGET_VMLAB_AT_MOST,
		.target_ratio = 1000,
	};
	int ret = -1;

	if (access(VMLAB_TOOL, X_OK))
		return bench_fail(b, VMLAB_TOOL);
	r.buf = calloc(PAGEMAP_BATCH, sizeof(*r.buf));
	r.pagemap_fd = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);
	if (!r.buf || r.pagemap_fd < 0) {
		bench_fail(b, "/proc/self/pagemap");
		goto out;
	}
	r.start = bench_anon(r.len, MAP_PRIVATE);
	if (r.start == MAP_FAILED) {
		bench_fail(b, "mmap");
		goto out;
	}
	touch_pages(r.start, r.len);
	ret = bench_measure(b, &row);
	/* the size of the last SVG made, against the pagemap entries read */
	row.name = "tree-svg-size";
	row.unit = "KiB/range";
	row.vmlab = "the size of that SVG";
	row.other = "the size of the range's pagemap entries, 8 bytes a page";
	row.vmlab_fn = tree_svg_kib;
	row.other_fn = pagemap_kib;
	row.target_ratio = 1024;
	ret = ret ?: bench_measure(b, &row);
	munmap(r.start, r.len);
out:
	unlink(TREE_SVG);
	if (r.pagemap_fd >= 0)
		close(r.pagemap_fd);
	free(r.buf);
	return ret;
}

const struct bench tree_benches[] = {
	{ "tree-svg", "vmlab tree --svg of a populated range vs reading its pagemap: time, size",
	  bench_tree_svg },
};

const size_t nr_tree_benches = ARRAY_SIZE(tree_benches);
