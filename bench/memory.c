// SPDX-License-Identifier: GPL-2.0
/*
 * memory.c - the benchmarks of vmlab's regions against the kernel's own
 * memory: first-touch faults (ANON vs MAP_ANONYMOUS, private and shared),
 * fault-around reads (FILE vs a tmpfs file), copy-on-write after fork (FILE
 * and ANON private vs MAP_ANONYMOUS), and DEVICE memory's bandwidth in each
 * caching mode (vs anonymous memory) and with 2 MiB vs 4 KiB leaves.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench.h"
#include "libvmlab.h"

/* DEVICE regions are at most 4 MiB: two PMDs */
#define DEVICE_BYTES	(4 * MIB)
/* passes over device memory per bandwidth run */
#define BW_PASSES	4

/* keeps the compiler from dropping reads whose sum nobody uses */
static volatile uint64_t sink;

/* the memory one run works on: a region, or kernel memory when !kind */
struct mem {
	unsigned int kind;	/* VMLAB_REGION_*, 0 for MAP_ANONYMOUS or tmpfs */
	int flags;		/* MAP_SHARED or MAP_PRIVATE */
	__u64 offset;		/* the region's mmap offset, when made once */
	int fd;			/* the tmpfs file, or -1 */
	char *p;		/* a mapping kept across runs */
	size_t len;
	size_t skew;		/* DEVICE: mapped this far past a 2 MiB boundary */
};

#define MEM(k, f, l) { .kind = (k), .flags = (f), .fd = -1, .len = (l) }

/* map @m's memory afresh: a new region unless @m made one already */
static char *mem_map(struct mem *m, __u32 *id)
{
	struct vmlab_region_create rc;
	char *p;

	*id = 0;
	if (!m->kind && m->fd < 0)
		return bench_anon(m->len, m->flags);
	if (!m->kind)
		return mmap(NULL, m->len, PROT_READ, MAP_SHARED, m->fd, 0);
	if (!m->offset) {
		if (vmlab_region_new(vmlab_fd, m->kind, m->len, 0, &rc))
			return MAP_FAILED;
		*id = rc.id;
	}
	if (m->kind == VMLAB_REGION_DEVICE) {
		p = bench_reserve(m->len, PMD_BYTES, m->skew);
		if (p != MAP_FAILED)
			p = mmap(p, m->len, PROT_READ | PROT_WRITE, m->flags | MAP_FIXED,
				 vmlab_fd, m->offset);
		/* PMD faults follow THP's setting: "madvise" needs asking */
		if (p != MAP_FAILED)
			madvise(p, m->len, MADV_HUGEPAGE);
	} else {
		p = vmlab_region_map(vmlab_fd, m->offset ?: rc.offset, m->len,
				     PROT_READ | PROT_WRITE, m->flags);
	}
	if (p == MAP_FAILED && *id)
		vmlab_region_destroy(vmlab_fd, *id);
	return p;
}

static void mem_unmap(struct mem *m, char *p, __u32 id)
{
	munmap(p, m->len);
	if (id)
		vmlab_region_destroy(vmlab_fd, id);
}

/* ns per page of the first write to each page of a fresh mapping of @arg */
static double first_touch(void *arg)
{
	struct mem *m = arg;
	uint64_t t0;
	double v;
	__u32 id;
	char *p = mem_map(m, &id);

	if (p == MAP_FAILED)
		return -1;
	t0 = now_ns();
	touch_pages(p, m->len);
	v = ns_per(t0, m->len / PAGE);
	mem_unmap(m, p, id);
	return v;
}

/* one thread's part of a first read: a byte of each page of [@p, @p + @len) */
struct read_part {
	const char *p;
	size_t len;
	unsigned long sum;
};

static void *read_part(void *arg)
{
	struct read_part *r = arg;

	r->sum = read_pages(r->p, r->len);
	return NULL;
}

/*
 * ns per page of the first read of each page of a fresh mapping of @arg by
 * two threads at once, each reading one half: read faults in parallel
 */
static double first_read_2t(void *arg)
{
	struct mem *m = arg;
	struct read_part r[2];
	pthread_t t;
	uint64_t t0;
	double v = -1;
	__u32 id;
	char *p = mem_map(m, &id);

	if (p == MAP_FAILED)
		return -1;
	r[0] = (struct read_part){ .p = p, .len = m->len / 2 };
	r[1] = (struct read_part){ .p = p + m->len / 2, .len = m->len - m->len / 2 };
	t0 = now_ns();
	if (!pthread_create(&t, NULL, read_part, &r[1])) {
		read_part(&r[0]);
		pthread_join(t, NULL);
		v = ns_per(t0, m->len / PAGE);
		sink = r[0].sum + r[1].sum;
	}
	mem_unmap(m, p, id);
	return v;
}

/* ns per page reading every 64-byte line of a fresh mapping of @arg */
static double fresh_read(void *arg)
{
	struct mem *m = arg;
	const uint64_t *q;
	uint64_t t0, sum = 0;
	size_t i;
	double v;
	__u32 id;
	char *p = mem_map(m, &id);

	if (p == MAP_FAILED)
		return -1;
	q = (const uint64_t *)p;
	t0 = now_ns();
	for (i = 0; i < m->len / sizeof(*q); i += 64 / sizeof(*q))
		sum += q[i];
	v = ns_per(t0, m->len / PAGE);
	sink = sum;
	mem_unmap(m, p, id);
	return v;
}

/*
 * ns per page of a write to each page after fork(), the child alive and
 * holding the same pages: each write copies. FILE pages are only read
 * before the fork (the write copies the region's page), the others written.
 */
static double cow_after_fork(void *arg)
{
	struct mem *m = arg;
	int pipefd[2], st;
	double v = -1;
	uint64_t t0;
	pid_t pid;
	__u32 id;
	char c, *p = mem_map(m, &id);

	if (p == MAP_FAILED)
		return -1;
	if (m->kind == VMLAB_REGION_FILE)
		sink = read_pages(p, m->len);
	else
		touch_pages(p, m->len);
	if (pipe(pipefd))
		goto out;
	pid = fork();
	if (pid == 0) {
		close(pipefd[1]);
		_exit(read(pipefd[0], &c, 1) < 0);
	}
	close(pipefd[0]);
	if (pid > 0) {
		t0 = now_ns();
		touch_pages(p, m->len);
		v = ns_per(t0, m->len / PAGE);
	}
	close(pipefd[1]);
	if (pid > 0 && (waitpid(pid, &st, 0) != pid || st))
		v = -1;
out:
	mem_unmap(m, p, id);
	return v;
}

/* MiB/s reading (@arg's mapping kept) BW_PASSES times */
static double read_bw(void *arg)
{
	const struct mem *m = arg;
	const uint64_t *q = (const uint64_t *)m->p;
	uint64_t t0 = now_ns(), sum = 0;
	size_t i, pass;

	for (pass = 0; pass < BW_PASSES; pass++)
		for (i = 0; i < m->len / sizeof(*q); i++)
			sum += q[i];
	sink = sum;
	return (double)BW_PASSES * m->len / MIB / since_s(t0);
}

/* MiB/s writing (@arg's mapping kept) BW_PASSES times */
static double write_bw(void *arg)
{
	const struct mem *m = arg;
	uint64_t *q = (uint64_t *)m->p, t0 = now_ns();
	size_t i, pass;

	for (pass = 0; pass < BW_PASSES; pass++)
		for (i = 0; i < m->len / sizeof(*q); i++)
			q[i] = i + pass;
	return (double)BW_PASSES * m->len / MIB / since_s(t0);
}

/* vmlab ANON against MAP_ANONYMOUS, first write to each page */
static int bench_fault_anon(const struct bench *b)
{
	struct mem priv = MEM(VMLAB_REGION_ANON, MAP_PRIVATE, opts.mem_size);
	struct mem shared = MEM(VMLAB_REGION_ANON, MAP_SHARED, opts.mem_size);
	struct mem kpriv = MEM(0, MAP_PRIVATE, opts.mem_size);
	struct mem kshared = MEM(0, MAP_SHARED, opts.mem_size);
	struct bench_row row = {
		.name = "fault-anon-private",
		.unit = "ns/page",
		.vmlab = "first write to each page of a new ANON region mapped MAP_PRIVATE",
		.other = "the same on MAP_PRIVATE | MAP_ANONYMOUS, MADV_NOHUGEPAGE",
		.vmlab_fn = first_touch,
		.vmlab_arg = &priv,
		.other_fn = first_touch,
		.other_arg = &kpriv,
		.target = TARGET_AT_MOST,
		.target_ratio = 1.3,
	};

	if (bench_measure(b, &row))
		return -1;
	row.name = "fault-anon-shared";
	row.vmlab = "first write to each page of a new ANON region mapped MAP_SHARED";
	row.other = "the same on MAP_SHARED | MAP_ANONYMOUS (shmem), MADV_NOHUGEPAGE";
	row.vmlab_arg = &shared;
	row.other_arg = &kshared;
	if (bench_measure(b, &row))
		return -1;
	row.name = "fault-anon-read-2t";
	row.vmlab = "first read of each page of a new private ANON region, two threads a half each";
	row.other = "the same on MAP_PRIVATE | MAP_ANONYMOUS (the kernel's zero page)";
	row.vmlab_fn = first_read_2t;
	row.other_fn = first_read_2t;
	row.vmlab_arg = &priv;
	row.other_arg = &kpriv;
	row.target = TARGET_NONE;
	return bench_measure(b, &row);
}

/* a FILE region and a tmpfs file of the same bytes, every page in memory */
static int bench_fault_around(const struct bench *b)
{
	char path[] = "/tmp/vmlab-bench-XXXXXX";
	struct vmlab_region_create rc = { .kind = VMLAB_REGION_FILE,
					  .length = opts.mem_size,
					  .fill = VMLAB_FILL_PATTERN };
	struct mem file = MEM(VMLAB_REGION_FILE, MAP_SHARED, opts.mem_size);
	struct mem tmpfs = MEM(0, MAP_SHARED, opts.mem_size);
	struct bench_row row = {
		.name = "fault-around",
		.unit = "ns/page",
		.vmlab =
		"read of every 64-byte line of a fresh MAP_SHARED map of a FILE region (fault-around)",
		.other = "the same on a tmpfs file of the same size, its pages in the page cache",
		.vmlab_fn = fresh_read,
		.vmlab_arg = &file,
		.other_fn = fresh_read,
		.other_arg = &tmpfs,
		.target = TARGET_AT_MOST,
		.target_ratio = 1.0,
	};
	char *buf = NULL, *p;
	int ret = -1;

	if (vmlab_region_create(vmlab_fd, &rc))
		return bench_fail(b, "FILE region");
	file.offset = rc.offset;
	tmpfs.fd = mkstemp(path);
	if (tmpfs.fd < 0) {
		bench_fail(b, path);
		goto out;
	}
	unlink(path);
	/* the region's pages and the file's, allocated before any run */
	p = vmlab_region_map(vmlab_fd, rc.offset, rc.length, PROT_READ, MAP_SHARED);
	if (p == MAP_FAILED) {
		bench_fail(b, "mmap");
		goto out;
	}
	buf = malloc(rc.length);
	if (buf)
		memcpy(buf, p, rc.length);
	munmap(p, rc.length);
	if (!buf || write(tmpfs.fd, buf, rc.length) != (ssize_t)rc.length) {
		bench_fail(b, "tmpfs file");
		goto out;
	}
	ret = bench_measure(b, &row);
out:
	free(buf);
	if (tmpfs.fd >= 0)
		close(tmpfs.fd);
	vmlab_region_destroy(vmlab_fd, rc.id);
	return ret;
}

/* copy-on-write after fork: FILE and ANON private against MAP_ANONYMOUS */
static int bench_cow_fork(const struct bench *b)
{
	struct mem file = MEM(VMLAB_REGION_FILE, MAP_PRIVATE, opts.mem_size);
	struct mem anon = MEM(VMLAB_REGION_ANON, MAP_PRIVATE, opts.mem_size);
	struct mem kanon = MEM(0, MAP_PRIVATE, opts.mem_size);
	struct bench_row row = {
		.name = "cow-file-private",
		.unit = "ns/page",
		.vmlab =
		"write after fork to each page of a FILE region mapped MAP_PRIVATE, read before the fork: copies the region's page",
		.other =
		"write after fork to each written page of MAP_PRIVATE | MAP_ANONYMOUS: copies the anonymous page",
		.vmlab_fn = cow_after_fork,
		.vmlab_arg = &file,
		.other_fn = cow_after_fork,
		.other_arg = &kanon,
	};

	if (bench_measure(b, &row))
		return -1;
	row.name = "cow-anon-private";
	row.vmlab = "write after fork to each written page of an ANON region mapped MAP_PRIVATE";
	row.vmlab_arg = &anon;
	return bench_measure(b, &row);
}

/*
 * A DEVICE region's memory for the bandwidth runs: region @rc mapped at a
 * 2 MiB boundary plus @skew (4 KiB of it keeps any PMD from fitting), kept
 * in @m->p with every page faulted in.
 */
static int map_device(const struct vmlab_region_create *rc, size_t skew, struct mem *m)
{
	__u32 id;

	*m = (struct mem)MEM(VMLAB_REGION_DEVICE, MAP_SHARED, rc->length);
	m->offset = rc->offset;
	m->skew = skew;
	m->p = mem_map(m, &id);
	if (m->p == MAP_FAILED)
		return -1;
	sink = read_pages(m->p, m->len);
	return 0;
}

/* the level of the leaf that maps @p */
static int leaf_level(const char *p)
{
	struct vmlab_walk w;

	return vmlab_walk(vmlab_fd, 0, (uintptr_t)p, &w) ? -1 : (int)w.leaf_level;
}

/* read and write bandwidth of DEVICE memory in each mode against anonymous memory */
static int bench_device_modes(const struct bench *b, struct mem *anon)
{
	static const struct {
		__u32 cache;
		const char *read, *write, *read_what, *write_what;
	} modes[] = {
		{ VMLAB_CACHE_WB, "device-wb-read", "device-wb-write",
		  "sequential 8-byte reads of a 4 MiB write-back DEVICE region",
		  "sequential 8-byte writes of a 4 MiB write-back DEVICE region" },
		{ VMLAB_CACHE_WC, "device-wc-read", "device-wc-write",
		  "sequential 8-byte reads of a 4 MiB write-combining DEVICE region",
		  "sequential 8-byte writes of a 4 MiB write-combining DEVICE region" },
		{ VMLAB_CACHE_UC, "device-uc-read", "device-uc-write",
		  "sequential 8-byte reads of a 4 MiB uncached DEVICE region",
		  "sequential 8-byte writes of a 4 MiB uncached DEVICE region" },
	};
	struct mem dev = { .fd = -1 };
	struct vmlab_region_create rc;
	struct bench_row row = {
		.unit = "MiB/s",
		.other = "the same on 4 MiB of MAP_ANONYMOUS, 4 KiB pages",
		.vmlab_arg = &dev,
		.other_arg = anon,
	};
	unsigned int i;
	int ret = 0;

	for (i = 0; i < ARRAY_SIZE(modes) && !ret; i++) {
		memset(&rc, 0, sizeof(rc));
		rc.kind = VMLAB_REGION_DEVICE;
		rc.length = DEVICE_BYTES;
		rc.cache = modes[i].cache;
		if (vmlab_region_create(vmlab_fd, &rc))
			return bench_fail(b, "DEVICE region");
		if (map_device(&rc, 0, &dev)) {
			ret = bench_fail(b, "mmap");
		} else {
			row.name = modes[i].read;
			row.vmlab = modes[i].read_what;
			row.vmlab_fn = read_bw;
			row.other_fn = read_bw;
			ret = bench_measure(b, &row);
			row.name = modes[i].write;
			row.vmlab = modes[i].write_what;
			row.vmlab_fn = write_bw;
			row.other_fn = write_bw;
			ret = ret ?: bench_measure(b, &row);
			munmap(dev.p, dev.len);
		}
		vmlab_region_destroy(vmlab_fd, rc.id);
	}
	return ret;
}

/* a DEVICE region mapped by 2 MiB leaves against the same by 4 KiB leaves */
static int bench_device_leaves(const struct bench *b, bool pmd)
{
	struct vmlab_region_create rc = { .kind = VMLAB_REGION_DEVICE, .length = DEVICE_BYTES };
	struct mem huge = { .fd = -1 }, small = { .fd = -1 };
	struct bench_row row = {
		.name = "device-leaf-read",
		.unit = "MiB/s",
		.vmlab = "sequential reads of a write-back DEVICE region mapped by 2 MiB leaves",
		.other =
		"the same region mapped by 4 KiB leaves (the mapping 4 KiB off a 2 MiB boundary)",
		.vmlab_fn = read_bw,
		.vmlab_arg = &huge,
		.other_fn = pmd ? read_bw : NULL,
		.other_arg = &small,
		.other_na =
		"no PMD faults for PFN maps here (before 6.12, or THP off): 4 KiB leaves only",
	};
	int ret = -1;

	if (vmlab_region_create(vmlab_fd, &rc))
		return bench_fail(b, "DEVICE region");
	if (map_device(&rc, 0, &huge)) {
		bench_fail(b, "mmap");
		goto out_destroy;
	}
	if (map_device(&rc, PAGE, &small)) {
		bench_fail(b, "mmap");
		goto out_huge;
	}
	if (leaf_level(huge.p) != (pmd ? VMLAB_LEVEL_PMD : VMLAB_LEVEL_PTE) ||
	    leaf_level(small.p + DEVICE_BYTES / 2) != VMLAB_LEVEL_PTE) {
		fprintf(stderr, "vmlab-bench: %s: unexpected leaf levels %d and %d\n",
			b->name, leaf_level(huge.p), leaf_level(small.p + DEVICE_BYTES / 2));
		goto out_small;
	}
	if (bench_measure(b, &row))
		goto out_small;
	row.name = "device-leaf-write";
	row.vmlab = "sequential writes of a write-back DEVICE region mapped by 2 MiB leaves";
	row.vmlab_fn = write_bw;
	row.other_fn = pmd ? write_bw : NULL;
	if (bench_measure(b, &row))
		goto out_small;
	row.name = "device-leaf-fault";
	row.unit = "ns/page";
	row.vmlab = "first touch of each 4 KiB page of a fresh map of the region with 2 MiB leaves";
	row.other = "the same with 4 KiB leaves";
	row.vmlab_fn = first_touch;
	row.other_fn = pmd ? first_touch : NULL;
	ret = bench_measure(b, &row);
out_small:
	munmap(small.p, small.len);
out_huge:
	munmap(huge.p, huge.len);
out_destroy:
	vmlab_region_destroy(vmlab_fd, rc.id);
	return ret;
}

static int bench_device(const struct bench *b)
{
	struct mem anon = MEM(0, MAP_PRIVATE, DEVICE_BYTES);
	struct vmlab_info info;
	int ret;

	if (vmlab_info(vmlab_fd, &info))
		return bench_fail(b, "VMLAB_IOC_INFO");
	anon.p = bench_anon(anon.len, MAP_PRIVATE);
	if (anon.p == MAP_FAILED)
		return bench_fail(b, "mmap");
	touch_pages(anon.p, anon.len);
	ret = bench_device_modes(b, &anon);
	munmap(anon.p, anon.len);
	/* (no PMD fits the region with 16 KiB pages: 32 MiB) */
	return ret ?: bench_device_leaves(b, (info.features & VMLAB_FEAT_DEVICE_PMD) &&
						 bench_have_thp() && PMD_BYTES <= DEVICE_BYTES);
}

const struct bench memory_benches[] = {
	{ "fault-anon", "first-touch faults: ANON private/shared (and 2 threads) vs MAP_ANONYMOUS",
	  bench_fault_anon },
	{ "fault-around", "reads of a fresh FILE mapping (fault-around) vs a tmpfs file",
	  bench_fault_around },
	{ "cow-fork", "write-after-fork COW: FILE and ANON private vs MAP_ANONYMOUS",
	  bench_cow_fork },
	{ "device", "DEVICE bandwidth (WB, WC, UC) vs anonymous memory; 2 MiB vs 4 KiB leaves",
	  bench_device },
};

const size_t nr_memory_benches = ARRAY_SIZE(memory_benches);
