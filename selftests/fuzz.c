// SPDX-License-Identifier: GPL-2.0
/*
 * fuzz.c - a seeded random sequence of every vmlab ioctl, with random sizes,
 * flags, padding, ids, pids, addresses and pointers, interleaved with mmap,
 * touches, munmap, mprotect, mremap, madvise, pread/pwrite and fork on
 * vmlab regions. The kernel must stay healthy (the VM runner fails the run
 * on any kernel report) and the module must still answer afterwards, with
 * every region the fuzzer made gone and its pages accounted back.
 *
 * VMLAB_FUZZ_SEED (default: the time) and VMLAB_FUZZ_SECONDS (default 5)
 * set the run; the seed is printed first so that a failure reproduces.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "libvmlab.h"
#include "vmlab_test.h"

#define MAX_REGIONS	16
#define LIST_MAX	65536	/* REGION_LIST takes @max_ids up to this */
#define MAX_MAPS	32

struct fuzz {
	uint64_t rng;
	int fd;
	unsigned int nr_ids;
	__u32 ids[MAX_REGIONS];		/* regions this run created */
	__u64 offsets[MAX_REGIONS];
	__u64 lengths[MAX_REGIONS];
	unsigned int nr_maps;
	char *maps[MAX_MAPS];
	size_t map_len[MAX_MAPS];
	char *ro_page;			/* a PROT_READ page: a read-only pointer */
	char *gone_page;		/* an unmapped page: a bad pointer */
	__u32 pci_addr;			/* a device vmlab is bound to, or 0 */
	unsigned long ops, errors;
};

static sigjmp_buf touch_env;

static void on_fault(int sig)
{
	siglongjmp(touch_env, sig);
}

/* xorshift64*: the run is the seed's */
static uint64_t rnd(struct fuzz *f)
{
	f->rng ^= f->rng >> 12;
	f->rng ^= f->rng << 25;
	f->rng ^= f->rng >> 27;
	return f->rng * 2685821657736338717ULL;
}

static uint64_t below(struct fuzz *f, uint64_t n)
{
	return n ? rnd(f) % n : 0;
}

/* a value of the kind that finds bugs: edges, small, huge, random */
static uint64_t any_u64(struct fuzz *f)
{
	const uint64_t edges[] = { 0, 1, PAGE - 1, PAGE, PAGE + 1, 2 << 20, 1ULL << 40,
				   (1ULL << 40) + PAGE, UINT32_MAX, (uint64_t)INT64_MAX,
				   UINT64_MAX, UINT64_MAX - PAGE + 1 };

	switch (below(f, 4)) {
	case 0:
		return edges[below(f, ARRAY_SIZE(edges))];
	case 1:
		return below(f, 64);
	case 2:
		return below(f, 64) * PAGE;
	default:
		return rnd(f);
	}
}

/* an address of the kind that finds bugs, user or not */
static uint64_t any_addr(struct fuzz *f)
{
	switch (below(f, 6)) {
	case 0:
		if (!f->nr_maps)
			return 0;
		return (uint64_t)(unsigned long)f->maps[below(f, f->nr_maps)] + below(f, 64 * PAGE);
	case 1:
		return 0xffff888000000000ULL + below(f, 1 << 30);	/* kernel */
	case 2:
		return 0x0000800000000000ULL + below(f, 1 << 30);	/* non-canonical */
	case 3:
		return (uint64_t)(unsigned long)&f->rng + below(f, 16);		/* our stack */
	case 4:
		return (uint64_t)(unsigned long)f->gone_page;
	default:
		return any_u64(f);
	}
}

/* a pointer for an ioctl's argument: mostly good, sometimes not */
static void *arg_ptr(struct fuzz *f, void *good)
{
	switch (below(f, 12)) {
	case 0:
		return NULL;
	case 1:
		return (void *)1;
	case 2:
		return f->ro_page;
	case 3:
		return f->gone_page;
	case 4:
		return (void *)0xffff888000000000ULL;
	default:
		return good;
	}
}

/* the struct-size word: mostly right */
static __u32 any_size(struct fuzz *f, __u32 right)
{
	return below(f, 8) ? right : (__u32)any_u64(f);
}

static void fill_random(struct fuzz *f, void *p, size_t len)
{
	unsigned char *c = p;

	while (len--)
		*c++ = rnd(f);
}

static void note(struct fuzz *f, int ret)
{
	f->ops++;
	if (ret)
		f->errors++;
}

static void remember_region(struct fuzz *f, const struct vmlab_region_create *rc)
{
	if (f->nr_ids == MAX_REGIONS) {
		vmlab_region_destroy(f->fd, rc->id);
		return;
	}
	f->ids[f->nr_ids] = rc->id;
	f->offsets[f->nr_ids] = rc->offset;
	f->lengths[f->nr_ids] = rc->length;
	f->nr_ids++;
}

static void op_info(struct fuzz *f)
{
	struct vmlab_info info;

	memset(&info, 0, sizeof(info));
	info.size = any_size(f, sizeof(info));
	if (!below(f, 4))
		info.__reserved[below(f, 4)] = rnd(f);
	note(f, ioctl(f->fd, VMLAB_IOC_INFO, arg_ptr(f, &info)));
}

static void op_create(struct fuzz *f)
{
	struct vmlab_region_create rc;

	memset(&rc, 0, sizeof(rc));
	rc.size = any_size(f, sizeof(rc));
	rc.kind = below(f, 8) ? 1 + below(f, 4) : (__u32)rnd(f);
	/* mostly sizes that fit the caps, to get regions to map */
	rc.length = below(f, 4) ? (1 + below(f, 512)) * PAGE : any_u64(f);
	rc.flags = below(f, 6) ? 0 : (below(f, 2) ? VMLAB_REGION_READONLY : (__u32)rnd(f));
	if (rc.kind == VMLAB_REGION_FILE || !below(f, 8)) {
		rc.fill = below(f, 8) ? below(f, 3) : (__u32)rnd(f);
		rc.fill_byte = rc.fill == VMLAB_FILL_BYTE ? below(f, 256) : 0;
	}
	if (rc.kind == VMLAB_REGION_DEVICE || !below(f, 8))
		rc.cache = below(f, 8) ? below(f, 3) : (__u32)rnd(f);
	if (rc.kind == VMLAB_REGION_PCI || !below(f, 16)) {
		rc.pci_addr = below(f, 4) ? f->pci_addr : (__u32)rnd(f);
		rc.bar = below(f, 4) ? below(f, 3) : (__u32)rnd(f);
		rc.bar_offset = below(f, 2) ? 0 : below(f, 4) ? below(f, 600) * PAGE : any_u64(f);
		if (below(f, 2))
			rc.length = 0;
		/* read-only: the host's pattern in the BAR must survive */
		rc.flags |= VMLAB_REGION_READONLY;
	}
	if (!below(f, 8))
		rc.__reserved[below(f, 2)] = rnd(f);
	if (!below(f, 16))
		rc.__pad = rnd(f);
	if (ioctl(f->fd, VMLAB_IOC_REGION_CREATE, arg_ptr(f, &rc)) == 0 && rc.id)
		remember_region(f, &rc);
	else
		f->errors++;
	f->ops++;
}

static __u32 any_id(struct fuzz *f)
{
	return f->nr_ids && below(f, 4) ? f->ids[below(f, f->nr_ids)] : (__u32)any_u64(f);
}

static void op_destroy(struct fuzz *f)
{
	struct vmlab_region_destroy rd = { .size = any_size(f, sizeof(rd)) };
	unsigned int i;
	int ret;

	rd.id = any_id(f);
	if (!below(f, 8))
		rd.__reserved[below(f, 2)] = rnd(f);
	ret = ioctl(f->fd, VMLAB_IOC_REGION_DESTROY, arg_ptr(f, &rd));
	note(f, ret);
	if (ret)
		return;
	for (i = 0; i < f->nr_ids; i++) {
		if (f->ids[i] == rd.id) {
			f->nr_ids--;
			f->ids[i] = f->ids[f->nr_ids];
			f->offsets[i] = f->offsets[f->nr_ids];
			f->lengths[i] = f->lengths[f->nr_ids];
			break;
		}
	}
}

static void op_region_info(struct fuzz *f)
{
	struct vmlab_region_info ri;

	memset(&ri, 0, sizeof(ri));
	ri.size = any_size(f, sizeof(ri));
	ri.id = any_id(f);
	if (!below(f, 8))
		ri.__pad2 = rnd(f);
	note(f, ioctl(f->fd, VMLAB_IOC_REGION_INFO, arg_ptr(f, &ri)));
}

static void op_list(struct fuzz *f)
{
	/* room for every id @max_ids may ask for: the kernel fills what it says */
	static __u32 ids[LIST_MAX];
	struct vmlab_region_list rl;

	memset(&rl, 0, sizeof(rl));
	rl.size = any_size(f, sizeof(rl));
	rl.max_ids = below(f, 4) ? below(f, 65) : (__u32)any_u64(f);
	if (rl.max_ids > 64 && below(f, 2))
		rl.max_ids = 64;
	rl.ids = (__u64)(uintptr_t)arg_ptr(f, ids);
	note(f, ioctl(f->fd, VMLAB_IOC_REGION_LIST, arg_ptr(f, &rl)));
}

static pid_t any_pid(struct fuzz *f)
{
	static const pid_t pids[] = { 0, 0, 0, 1, 2, -1, 999999 };

	return below(f, 4) ? pids[below(f, ARRAY_SIZE(pids))]
			   : (below(f, 2) ? getpid() : (pid_t)rnd(f));
}

static void op_walk(struct fuzz *f)
{
	struct vmlab_walk w;

	memset(&w, 0, sizeof(w));
	w.size = any_size(f, sizeof(w));
	w.pid = any_pid(f);
	w.addr = any_addr(f);
	w.flags = below(f, 8) ? 0 : (__u32)rnd(f);
	if (!below(f, 8))
		w.__reserved[below(f, 4)] = rnd(f);
	note(f, ioctl(f->fd, VMLAB_IOC_WALK, arg_ptr(f, &w)));
}

static void op_walk_range(struct fuzz *f)
{
	/* room for the most records a call writes: the kernel fills what it says */
	static struct vmlab_walk_record recs[VMLAB_WALK_RANGE_MAX];
	struct vmlab_walk_range r;

	memset(&r, 0, sizeof(r));
	r.size = any_size(f, sizeof(r));
	r.pid = any_pid(f);
	r.start = any_addr(f);
	if (below(f, 4))
		r.start &= ~(PAGE - 1);
	r.end = below(f, 4) ? r.start + below(f, 1024) * PAGE : any_addr(f);
	r.max_records = below(f, 4) ? 1 + below(f, 256) : (__u32)any_u64(f);
	if (r.max_records > 256 && below(f, 2))
		r.max_records = 256;
	r.records = (__u64)(uintptr_t)arg_ptr(f, recs);
	r.flags = below(f, 8) ? 0 : (__u32)rnd(f);
	note(f, ioctl(f->fd, VMLAB_IOC_WALK_RANGE, arg_ptr(f, &r)));
}

static void op_unknown_ioctl(struct fuzz *f)
{
	char buf[512];

	fill_random(f, buf, sizeof(buf));
	note(f, ioctl(f->fd, _IOC(below(f, 4), VMLAB_IOC_MAGIC, below(f, 0x40), below(f, 512)),
		      arg_ptr(f, buf)));
}

static void op_mmap(struct fuzz *f)
{
	unsigned int i = below(f, f->nr_ids + 1);
	__u64 off, len;
	int prot, flags;
	char *p;

	if (f->nr_maps == MAX_MAPS)
		return;
	if (i < f->nr_ids) {
		off = f->offsets[i] + (below(f, 4) ? 0 : below(f, f->lengths[i] / PAGE + 2) * PAGE);
		len = below(f, 4) ? f->lengths[i] : (1 + below(f, f->lengths[i] / PAGE + 2)) * PAGE;
	} else {
		off = any_u64(f) & ~(PAGE - 1);
		len = (1 + below(f, 64)) * PAGE;
	}
	prot = below(f, 4) ? PROT_READ | PROT_WRITE : (int)below(f, 8);
	flags = below(f, 2) ? MAP_SHARED : MAP_PRIVATE;
	p = mmap(NULL, len, prot, flags, f->fd, off);
	note(f, p == MAP_FAILED);
	if (p == MAP_FAILED)
		return;
	f->maps[f->nr_maps] = p;
	f->map_len[f->nr_maps] = len;
	f->nr_maps++;
}

/* read or write a few pages of a mapping, surviving SIGSEGV and SIGBUS */
static void op_touch(struct fuzz *f)
{
	volatile unsigned int n;	/* lives across siglongjmp */
	volatile char *p;
	unsigned int i;
	size_t len;

	if (!f->nr_maps)
		return;
	i = below(f, f->nr_maps);
	p = f->maps[i];
	len = f->map_len[i];
	for (n = 1 + below(f, 8); n; n--) {
		size_t at;
		bool write;

		if (sigsetjmp(touch_env, 1)) {
			f->errors++;
			continue;
		}
		at = below(f, len + PAGE);	/* sometimes past the end */
		write = below(f, 2);
		if (write)
			p[at] = (char)rnd(f);
		else
			(void)p[at];
		f->ops++;
	}
}

static void drop_map(struct fuzz *f, unsigned int i)
{
	f->nr_maps--;
	f->maps[i] = f->maps[f->nr_maps];
	f->map_len[i] = f->map_len[f->nr_maps];
}

static void op_vma(struct fuzz *f)
{
	unsigned int i;
	size_t len, part;
	char *p, *q;

	if (!f->nr_maps)
		return;
	i = below(f, f->nr_maps);
	p = f->maps[i];
	len = f->map_len[i];
	part = (1 + below(f, len / PAGE)) * PAGE;
	switch (below(f, 5)) {
	case 0:	/* all of it: forget the mapping */
		note(f, munmap(p, len));
		drop_map(f, i);
		break;
	case 1:	/* a part: the rest stays mapped, unmapped wholesale later */
		note(f, munmap(p + below(f, len / PAGE) * PAGE, PAGE));
		break;
	case 2:
		note(f, mprotect(p, part, below(f, 8)));
		break;
	case 3:
		part = (1 + below(f, 2 * len / PAGE)) * PAGE;
		q = mremap(p, len, part, below(f, 2) ? MREMAP_MAYMOVE : 0);
		note(f, q == MAP_FAILED);
		if (q != MAP_FAILED) {
			f->maps[i] = q;
			f->map_len[i] = part;
		}
		break;
	default:
		note(f, madvise(p, part, below(f, 2) ? MADV_DONTNEED : MADV_WILLNEED));
		break;
	}
}

static void op_rw(struct fuzz *f)
{
	char buf[3 * PAGE];
	__u64 off = f->nr_ids && below(f, 4) ? f->offsets[below(f, f->nr_ids)] + below(f, 64 * PAGE)
					     : any_u64(f);
	size_t len = below(f, sizeof(buf));

	if (below(f, 2))
		note(f, pread(f->fd, arg_ptr(f, buf), len, off) < 0);
	else
		note(f, pwrite(f->fd, arg_ptr(f, buf), len, off) < 0);
	if (!below(f, 16))
		note(f, fsync(f->fd));
}

static void op_fork(struct fuzz *f);

typedef void (*fuzz_op)(struct fuzz *f);
static const fuzz_op ops[] = {
	op_info, op_create, op_create, op_destroy, op_region_info, op_list,
	op_walk, op_walk, op_walk_range, op_walk_range, op_unknown_ioctl,
	op_mmap, op_mmap, op_touch, op_touch, op_touch, op_vma, op_vma, op_rw,
	op_fork,
};

/* a child does a few operations of its own on the inherited mappings */
static void op_fork(struct fuzz *f)
{
	pid_t pid;
	int i, status;

	if (below(f, 4))
		return;
	pid = fork();
	if (pid == 0) {
		f->rng ^= getpid();
		for (i = 0; i < 20; i++) {
			fuzz_op op = ops[below(f, ARRAY_SIZE(ops))];

			/* the parent keeps the list of regions */
			if (op != op_fork && op != op_create && op != op_destroy)
				op(f);
		}
		_exit(0);
	}
	note(f, pid < 0);
	if (pid > 0)
		waitpid(pid, &status, 0);
}

/* longest run allowed: the harness's timeout below, less room to clean up */
#define FUZZ_TIMEOUT	600
#define FUZZ_MAX_SECS	540

FIXTURE(fuzz) {
};

FIXTURE_SETUP(fuzz)
{
}

FIXTURE_TEARDOWN(fuzz)
{
}

/* The sequence runs for VMLAB_FUZZ_SECONDS; afterwards all is cleaned up and checked. */
TEST_F_TIMEOUT(fuzz, ioctls_and_mappings, FUZZ_TIMEOUT)
{
	const char *s_seed = getenv("VMLAB_FUZZ_SEED"), *s_secs = getenv("VMLAB_FUZZ_SECONDS");
	uint64_t seed = s_seed ? strtoull(s_seed, NULL, 0) : (uint64_t)time(NULL);
	double secs = s_secs ? atof(s_secs) : 5;
	struct sigaction sa = { .sa_handler = on_fault };
	struct vmlab_info info;
	struct timespec t0, t;
	struct fuzz f = { .rng = seed | 1 };
	__u64 pages_before;
	__u32 ids[MAX_REGIONS + 64];
	unsigned int i;
	int n, fd2;

	if (secs > FUZZ_MAX_SECS)
		secs = FUZZ_MAX_SECS;
	TH_LOG("seed %llu (VMLAB_FUZZ_SEED=%llu reproduces), %.0f s",
	       (unsigned long long)seed, (unsigned long long)seed, secs);
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = SA_NODEFER;
	ASSERT_EQ(0, sigaction(SIGSEGV, &sa, NULL));
	ASSERT_EQ(0, sigaction(SIGBUS, &sa, NULL));
	f.fd = vmlab_open();
	ASSERT_LE(0, f.fd);
	vmlab_pci_devices(&f.pci_addr, 1);
	ASSERT_EQ(0, vmlab_info(f.fd, &info));
	pages_before = info.pages_in_use;
	f.ro_page = mmap(NULL, PAGE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	f.gone_page = mmap(NULL, PAGE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, f.ro_page);
	ASSERT_NE(MAP_FAILED, f.gone_page);
	munmap(f.gone_page, PAGE);

	clock_gettime(CLOCK_MONOTONIC, &t0);
	do {
		for (i = 0; i < 64; i++)
			ops[below(&f, ARRAY_SIZE(ops))](&f);
		clock_gettime(CLOCK_MONOTONIC, &t);
	} while (t.tv_sec - t0.tv_sec + (t.tv_nsec - t0.tv_nsec) / 1e9 < secs);
	TH_LOG("%lu operations, %lu refused or faulted", f.ops, f.errors);

	/* clean up: every mapping, every region of ours */
	for (i = 0; i < f.nr_maps; i++)
		munmap(f.maps[i], f.map_len[i]);
	for (i = 0; i < f.nr_ids; i++)
		EXPECT_EQ(0, vmlab_region_destroy(f.fd, f.ids[i])) TH_LOG("id %u", f.ids[i]);

	/* the module still answers, and no region of this run is left */
	fd2 = vmlab_open();
	ASSERT_LE(0, fd2);
	EXPECT_EQ(0, vmlab_info(fd2, &info));
	/* every page of every region the run made is accounted back */
	EXPECT_EQ(pages_before, info.pages_in_use);
	n = vmlab_region_list(fd2, ids, ARRAY_SIZE(ids), NULL);
	ASSERT_LE(0, n);
	for (i = 0; i < (unsigned int)n; i++) {
		TH_LOG("region %u left: destroying it", ids[i]);
		vmlab_region_destroy(fd2, ids[i]);
	}
	EXPECT_EQ(0, n);
	close(fd2);
	close(f.fd);
}

TEST_HARNESS_MAIN
