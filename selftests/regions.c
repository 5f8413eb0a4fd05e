// SPDX-License-Identifier: GPL-2.0
/*
 * regions.c - selftests of the region ABI: REGION_CREATE, _DESTROY, _INFO,
 * _LIST and mmap of /dev/vmlab, each error path with its documented errno,
 * the size caps (max_region_mb, max_total_mb), region lifetime (destroy
 * while mapped, splits, module unload). What the mappings do is in
 * regions_map.c.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "libvmlab.h"
#include "vmlab_test.h"

FIXTURE(rgn) {
	int fd;
};

FIXTURE_SETUP(rgn)
{
	self->fd = vmlab_open();
	ASSERT_LE(0, self->fd) TH_LOG("open %s: %s", VMLAB_DEVICE, strerror(errno));
}

FIXTURE_TEARDOWN(rgn)
{
	close(self->fd);
}

/*
 * The shift of this process's region offsets (<linux/vmlab.h>): a 32-bit
 * process, on a 32-bit kernel or a 64-bit one, has its own.
 */
static unsigned int region_shift(void)
{
	return sizeof(long) == 4 ? VMLAB_REGION_SHIFT_32 : VMLAB_REGION_SHIFT;
}

static int create_errno(int fd, struct vmlab_region_create *rc)
{
	int ret = ioctl_errno(fd, VMLAB_IOC_REGION_CREATE, rc);

	if (!ret)	/* a test that expected failure must not leak */
		vmlab_region_destroy(fd, rc->id);
	return ret;
}

/* INFO advertises regions. */
TEST_F(rgn, info_has_regions_feature)
{
	struct vmlab_info info;

	ASSERT_EQ(0, vmlab_info(self->fd, &info));
	EXPECT_TRUE(info.features & VMLAB_FEAT_REGIONS);
}

/*
 * Each kind is created; INFO echoes the settings; the offset is id << SHIFT
 * (SHIFT_32 in a 32-bit process).
 */
TEST_F(rgn, create_info_destroy_each_kind)
{
	const __u32 kinds[] = { VMLAB_REGION_FILE, VMLAB_REGION_ANON, VMLAB_REGION_DEVICE };
	struct vmlab_region_create rc;
	struct vmlab_region_info ri;
	size_t i;

	for (i = 0; i < 3; i++) {
		ASSERT_EQ(0, vmlab_region_new(self->fd, kinds[i], 4 * PAGE, 0, &rc));
		EXPECT_NE(0, rc.id);
		EXPECT_EQ((__u64)rc.id << region_shift(), rc.offset);
		ASSERT_EQ(0, vmlab_region_info(self->fd, rc.id, &ri));
		EXPECT_EQ(sizeof(ri), ri.size);
		EXPECT_EQ(rc.id, ri.id);
		EXPECT_EQ(kinds[i], ri.kind);
		EXPECT_EQ(4 * PAGE, ri.length);
		EXPECT_EQ(rc.offset, ri.offset);
		EXPECT_EQ(0, ri.counters.mappings);
		/* we are root: DEVICE shows its address */
		EXPECT_EQ(kinds[i] == VMLAB_REGION_DEVICE, ri.phys_addr != 0);
		EXPECT_EQ(kinds[i] == VMLAB_REGION_ANON ? 0 : 4,
			  ri.counters.pages_allocated);
		ASSERT_EQ(0, vmlab_region_destroy(self->fd, rc.id));
		EXPECT_EQ(-1, vmlab_region_info(self->fd, rc.id, &ri));
		EXPECT_EQ(ENOENT, errno);
	}
}

/* A region made through one descriptor is seen and mapped through another. */
TEST_F(rgn, regions_are_module_wide)
{
	struct vmlab_region_create rc;
	struct vmlab_region_info ri;
	int fd2 = vmlab_open();
	char *p;

	ASSERT_LE(0, fd2);
	ASSERT_EQ(0, vmlab_region_new(self->fd, VMLAB_REGION_FILE, PAGE, 0, &rc));
	close(self->fd);
	self->fd = vmlab_open();	/* the creator's descriptor is gone */
	ASSERT_EQ(0, vmlab_region_info(fd2, rc.id, &ri));
	p = vmlab_region_map(fd2, rc.offset, PAGE, PROT_READ, MAP_SHARED);
	ASSERT_NE(MAP_FAILED, p);
	EXPECT_EQ(0, p[0]);
	munmap(p, PAGE);
	EXPECT_EQ(0, vmlab_region_destroy(fd2, rc.id));
	close(fd2);
}

/*
 * Every region is reachable through its @offset, ids of 16 and more too: a
 * 32-bit process passes mmap2() a 32-bit page offset (2^44 bytes), which
 * id << VMLAB_REGION_SHIFT passes from id 16 on (the first modules gave
 * it that: its mmap failed with EINVAL, glibc's check).
 */
TEST_F(rgn, high_ids_reachable)
{
	enum { N = 40 };
	struct vmlab_region_create rc[N];
	char buf[8] = { 0 };
	int i, n = 0;
	char *p;

	/* FILE: pread reads what the mapping wrote */
	for (i = 0; i < N; i++, n++)
		ASSERT_EQ(0, vmlab_region_new(self->fd, VMLAB_REGION_FILE, PAGE, 0, &rc[i]));
	ASSERT_LE(16, rc[N - 1].id) TH_LOG("ids from %u to %u", rc[0].id, rc[N - 1].id);
	p = vmlab_region_map(self->fd, rc[N - 1].offset, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED);
	ASSERT_NE(MAP_FAILED, p) TH_LOG("id %u at %#llx: %s", rc[N - 1].id,
					(unsigned long long)rc[N - 1].offset, strerror(errno));
	memcpy(p + 8, "high id", 8);
	EXPECT_EQ(8, pread(self->fd, buf, 8, rc[N - 1].offset + 8));
	EXPECT_STREQ("high id", buf);
	munmap(p, PAGE);
	for (i = 0; i < n; i++)
		EXPECT_EQ(0, vmlab_region_destroy(self->fd, rc[i].id));
}

/* LIST returns the ids in increasing order and counts them all. */
TEST_F(rgn, list_ids)
{
	struct vmlab_region_create rc[3];
	__u32 ids[64], nr = 0, found = 0;
	int i, j, n;

	for (i = 0; i < 3; i++)
		ASSERT_EQ(0, vmlab_region_new(self->fd, VMLAB_REGION_ANON, PAGE, 0, &rc[i]));
	n = vmlab_region_list(self->fd, ids, 64, &nr);
	ASSERT_LE(3, n);
	EXPECT_EQ(n, nr);
	for (j = 1; j < n; j++)
		EXPECT_LT(ids[j - 1], ids[j]);
	for (i = 0; i < 3; i++)
		for (j = 0; j < n; j++)
			found += ids[j] == rc[i].id;
	EXPECT_EQ(3, found);
	/* room for one: one written, all counted */
	EXPECT_EQ(1, vmlab_region_list(self->fd, ids, 1, &nr));
	EXPECT_EQ(n, nr);
	/* no room: just the count */
	EXPECT_EQ(0, vmlab_region_list(self->fd, NULL, 0, &nr));
	EXPECT_EQ(n, nr);
	for (i = 0; i < 3; i++)
		EXPECT_EQ(0, vmlab_region_destroy(self->fd, rc[i].id));
	EXPECT_EQ(0, vmlab_region_list(self->fd, NULL, 0, &nr));
	EXPECT_EQ(n - 3, nr);
}

/* LIST: max_ids over 65536 is EINVAL, an unwritable array EFAULT. */
TEST_F(rgn, list_bad_input)
{
	struct vmlab_region_list rl = { .size = sizeof(rl), .max_ids = 65537 };
	struct vmlab_region_create rc;

	EXPECT_EQ(EINVAL, ioctl_errno(self->fd, VMLAB_IOC_REGION_LIST, &rl));
	ASSERT_EQ(0, vmlab_region_new(self->fd, VMLAB_REGION_ANON, PAGE, 0, &rc));
	rl.max_ids = 4;
	rl.ids = 8;	/* unmapped */
	EXPECT_EQ(EFAULT, ioctl_errno(self->fd, VMLAB_IOC_REGION_LIST, &rl));
	rl.ids = 0;
	rl.__reserved[1] = 1;
	EXPECT_EQ(EINVAL, ioctl_errno(self->fd, VMLAB_IOC_REGION_LIST, &rl));
	EXPECT_EQ(0, vmlab_region_destroy(self->fd, rc.id));
}

/* Length 0: EINVAL. */
TEST_F(rgn, create_zero_length_einval)
{
	struct vmlab_region_create rc = raw_create(VMLAB_REGION_FILE, 0);

	EXPECT_EQ(EINVAL, create_errno(self->fd, &rc));
}

/* A length that is not a page multiple: EINVAL. */
TEST_F(rgn, create_unaligned_einval)
{
	const __u64 lengths[] = { 1, PAGE - 1, PAGE + 1, 3 * PAGE + 512 };
	struct vmlab_region_create rc;
	size_t i;

	for (i = 0; i < 4; i++) {
		rc = raw_create(VMLAB_REGION_ANON, lengths[i]);
		EXPECT_EQ(EINVAL, create_errno(self->fd, &rc))
			TH_LOG("%llu", (unsigned long long)lengths[i]);
	}
}

/*
 * A length over 1 << VMLAB_REGION_SHIFT (or one that would wrap): EINVAL;
 * in a 32-bit process already over 1 << VMLAB_REGION_SHIFT_32.
 */
TEST_F(rgn, create_over_offset_space_einval)
{
	struct vmlab_region_create rc;

	rc = raw_create(VMLAB_REGION_ANON, (1ULL << VMLAB_REGION_SHIFT) + PAGE);
	EXPECT_EQ(EINVAL, create_errno(self->fd, &rc));
	rc = raw_create(VMLAB_REGION_ANON, (1ULL << region_shift()) + PAGE);
	EXPECT_EQ(EINVAL, create_errno(self->fd, &rc));
	rc = raw_create(VMLAB_REGION_ANON, -PAGE);
	EXPECT_EQ(EINVAL, create_errno(self->fd, &rc));
}

/* Over max_region_mb: E2BIG; the parameter is writable by root. */
TEST_F(rgn, create_over_max_region_e2big)
{
	long old = param_read("max_region_mb");
	struct vmlab_region_create rc;

	ASSERT_LT(0, old);
	rc = raw_create(VMLAB_REGION_ANON, ((__u64)old << 20) + PAGE);
	EXPECT_EQ(E2BIG, create_errno(self->fd, &rc));
	ASSERT_EQ(0, param_write("max_region_mb", 1));
	rc = raw_create(VMLAB_REGION_FILE, 2 << 20);
	EXPECT_EQ(E2BIG, create_errno(self->fd, &rc));
	rc = raw_create(VMLAB_REGION_FILE, 1 << 20);
	EXPECT_EQ(0, create_errno(self->fd, &rc));
	ASSERT_EQ(0, param_write("max_region_mb", old));
}

/* A DEVICE region over 4 MiB (one contiguous allocation): E2BIG. */
TEST_F(rgn, create_device_over_4m_e2big)
{
	struct vmlab_region_create rc = raw_create(VMLAB_REGION_DEVICE, (4 << 20) + PAGE);

	EXPECT_EQ(E2BIG, create_errno(self->fd, &rc));
}

/*
 * All regions together over max_total_mb: ENOSPC; a destroyed region's
 * memory counts until its last mapping goes.
 */
TEST_F(rgn, create_over_total_enospc)
{
	long old = param_read("max_total_mb");
	struct vmlab_region_create a, b;
	__u32 nr;
	char *p;

	ASSERT_LT(0, old);
	ASSERT_EQ(0, vmlab_region_list(self->fd, NULL, 0, &nr));
	ASSERT_EQ(0, nr) TH_LOG("regions left over by another test");
	ASSERT_EQ(0, param_write("max_total_mb", 2));
	ASSERT_EQ(0, vmlab_region_new(self->fd, VMLAB_REGION_ANON, 1 << 20, 0, &a));
	b = raw_create(VMLAB_REGION_ANON, (1 << 20) + PAGE);
	EXPECT_EQ(ENOSPC, create_errno(self->fd, &b));
	ASSERT_EQ(0, vmlab_region_new(self->fd, VMLAB_REGION_FILE, 1 << 20, 0, &b));
	p = vmlab_region_map(self->fd, b.offset, 1 << 20, PROT_READ, MAP_SHARED);
	ASSERT_NE(MAP_FAILED, p);
	EXPECT_EQ(0, vmlab_region_destroy(self->fd, b.id));
	b = raw_create(VMLAB_REGION_ANON, PAGE);
	EXPECT_EQ(ENOSPC, create_errno(self->fd, &b));	/* still mapped */
	munmap(p, 1 << 20);
	b = raw_create(VMLAB_REGION_ANON, 1 << 20);
	EXPECT_EQ(0, create_errno(self->fd, &b));	/* freed with the mapping */
	EXPECT_EQ(0, vmlab_region_destroy(self->fd, a.id));
	ASSERT_EQ(0, param_write("max_total_mb", old));
}

/*
 * REGION_CREATE whose argument is readable but not writable: EFAULT, and
 * nothing is left behind: no new id, no page in use, no byte of
 * max_total_mb (a region of the whole cap can be made after).
 */
TEST_F(rgn, create_readonly_arg_leaves_nothing)
{
	static const __u32 kinds[] = {
		VMLAB_REGION_FILE, VMLAB_REGION_ANON, VMLAB_REGION_DEVICE,
	};
	long old = param_read("max_total_mb");
	struct vmlab_region_create *arg, rc;
	struct vmlab_info info;
	__u32 nr, ids[8];
	size_t i;
	int n;

	ASSERT_LT(0, old);
	ASSERT_EQ(0, vmlab_region_list(self->fd, NULL, 0, &nr));
	ASSERT_EQ(0, nr) TH_LOG("regions left over by another test");
	ASSERT_EQ(0, param_write("max_total_mb", 1));
	arg = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, arg);
	for (i = 0; i < ARRAY_SIZE(kinds); i++) {
		*arg = raw_create(kinds[i], 1 << 20);
		ASSERT_EQ(0, mprotect(arg, PAGE, PROT_READ));
		EXPECT_EQ(EFAULT, ioctl_errno(self->fd, VMLAB_IOC_REGION_CREATE, arg))
			TH_LOG("kind %u", kinds[i]);
		ASSERT_EQ(0, mprotect(arg, PAGE, PROT_READ | PROT_WRITE));
		EXPECT_EQ(0, vmlab_region_list(self->fd, NULL, 0, &nr));
		EXPECT_EQ(0, nr) TH_LOG("kind %u: a region was left", kinds[i]);
		ASSERT_EQ(0, vmlab_info(self->fd, &info));
		EXPECT_EQ(0, info.pages_in_use) TH_LOG("kind %u", kinds[i]);
		/* the whole cap is still free */
		rc = raw_create(VMLAB_REGION_ANON, 1 << 20);
		EXPECT_EQ(0, create_errno(self->fd, &rc)) TH_LOG("kind %u", kinds[i]);
		/* a leftover of the EFAULT call, if any, goes before the next kind */
		n = vmlab_region_list(self->fd, ids, 8, NULL);
		while (n-- > 0)
			vmlab_region_destroy(self->fd, ids[n]);
	}
	munmap(arg, PAGE);
	ASSERT_EQ(0, param_write("max_total_mb", old));
}

/* Kinds other than FILE, ANON, DEVICE: EINVAL. */
TEST_F(rgn, create_unknown_kind_einval)
{
	const __u32 kinds[] = { 0, VMLAB_REGION_PCI + 1, 0x100, UINT32_MAX };
	struct vmlab_region_create rc;
	size_t i;

	for (i = 0; i < 4; i++) {
		rc = raw_create(kinds[i], PAGE);
		EXPECT_EQ(EINVAL, create_errno(self->fd, &rc)) TH_LOG("kind %u", kinds[i]);
	}
}

/* Flags other than READONLY: EINVAL. */
TEST_F(rgn, create_unknown_flag_einval)
{
	struct vmlab_region_create rc;
	int bit;

	for (bit = 1; bit < 32; bit++) {
		rc = raw_create(VMLAB_REGION_FILE, PAGE);
		rc.flags = 1U << bit;
		EXPECT_EQ(EINVAL, create_errno(self->fd, &rc)) TH_LOG("bit %d", bit);
	}
}

/* Unknown fills, fills for kinds without one, stray fill bytes: EINVAL. */
TEST_F(rgn, create_bad_fill_einval)
{
	struct vmlab_region_create rc;

	rc = raw_create(VMLAB_REGION_FILE, PAGE);
	rc.fill = VMLAB_FILL_PATTERN + 1;
	EXPECT_EQ(EINVAL, create_errno(self->fd, &rc));
	rc = raw_create(VMLAB_REGION_ANON, PAGE);
	rc.fill = VMLAB_FILL_BYTE;
	rc.fill_byte = 1;
	EXPECT_EQ(EINVAL, create_errno(self->fd, &rc));
	rc = raw_create(VMLAB_REGION_DEVICE, PAGE);
	rc.fill = VMLAB_FILL_PATTERN;
	EXPECT_EQ(EINVAL, create_errno(self->fd, &rc));
	rc = raw_create(VMLAB_REGION_FILE, PAGE);
	rc.fill = VMLAB_FILL_BYTE;
	rc.fill_byte = 256;
	EXPECT_EQ(EINVAL, create_errno(self->fd, &rc));
	rc = raw_create(VMLAB_REGION_FILE, PAGE);
	rc.fill_byte = 7;	/* with FILL_ZERO */
	EXPECT_EQ(EINVAL, create_errno(self->fd, &rc));
}

/* Unknown caching modes, decode-only ones, a mode for non-DEVICE: EINVAL. */
TEST_F(rgn, create_bad_cache_einval)
{
	const __u32 modes[] = { VMLAB_CACHE_WT, VMLAB_CACHE_UC_MINUS, 5, UINT32_MAX };
	struct vmlab_region_create rc;
	size_t i;

	for (i = 0; i < 4; i++) {
		rc = raw_create(VMLAB_REGION_DEVICE, PAGE);
		rc.cache = modes[i];
		EXPECT_EQ(EINVAL, create_errno(self->fd, &rc)) TH_LOG("cache %u", modes[i]);
	}
	rc = raw_create(VMLAB_REGION_FILE, PAGE);
	rc.cache = VMLAB_CACHE_WC;
	EXPECT_EQ(EINVAL, create_errno(self->fd, &rc));
	rc = raw_create(VMLAB_REGION_ANON, PAGE);
	rc.cache = VMLAB_CACHE_UC;
	EXPECT_EQ(EINVAL, create_errno(self->fd, &rc));
}

/* Non-zero __pad or __reserved in CREATE, DESTROY, INFO: EINVAL. */
TEST_F(rgn, nonzero_padding_einval)
{
	struct vmlab_region_destroy rd = { .size = sizeof(rd) };
	struct vmlab_region_create rc;
	struct vmlab_region_info ri;
	int i;

	rc = raw_create(VMLAB_REGION_FILE, PAGE);
	rc.__pad = 1;
	EXPECT_EQ(EINVAL, create_errno(self->fd, &rc));
	for (i = 0; i < 2; i++) {
		rc = raw_create(VMLAB_REGION_FILE, PAGE);
		rc.__reserved[i] = 1;
		EXPECT_EQ(EINVAL, create_errno(self->fd, &rc)) TH_LOG("reserved[%d]", i);
	}
	/* the PCI fields are padding for the other kinds */
	rc = raw_create(VMLAB_REGION_FILE, PAGE);
	rc.pci_addr = 1;
	EXPECT_EQ(EINVAL, create_errno(self->fd, &rc));
	rc = raw_create(VMLAB_REGION_ANON, PAGE);
	rc.bar = 2;
	EXPECT_EQ(EINVAL, create_errno(self->fd, &rc));
	rc = raw_create(VMLAB_REGION_DEVICE, PAGE);
	rc.bar_offset = PAGE;
	EXPECT_EQ(EINVAL, create_errno(self->fd, &rc));
	rc = raw_create(VMLAB_REGION_FILE, PAGE);
	rc.pci_addr_hi = 1;
	EXPECT_EQ(EINVAL, create_errno(self->fd, &rc));
	rc = raw_create(VMLAB_REGION_FILE, PAGE);
	rc.__pad2 = 1;
	EXPECT_EQ(EINVAL, create_errno(self->fd, &rc));
	ASSERT_EQ(0, vmlab_region_new(self->fd, VMLAB_REGION_FILE, PAGE, 0, &rc));
	rd.id = rc.id;
	rd.__reserved[1] = 1;
	EXPECT_EQ(EINVAL, ioctl_errno(self->fd, VMLAB_IOC_REGION_DESTROY, &rd));
	memset(&ri, 0, sizeof(ri));
	ri.size = sizeof(ri);
	ri.id = rc.id;
	ri.__pad = 1;
	EXPECT_EQ(EINVAL, ioctl_errno(self->fd, VMLAB_IOC_REGION_INFO, &ri));
	ri.__pad = 0;
	ri.__pad2 = 1;
	EXPECT_EQ(EINVAL, ioctl_errno(self->fd, VMLAB_IOC_REGION_INFO, &ri));
	ri.__pad2 = 0;
	ri.__pad3 = 1;
	EXPECT_EQ(EINVAL, ioctl_errno(self->fd, VMLAB_IOC_REGION_INFO, &ri));
	EXPECT_EQ(0, vmlab_region_destroy(self->fd, rc.id));
}

/* A @size other than the struct's, for each region command: EINVAL. */
TEST_F(rgn, wrong_struct_size_einval)
{
	const unsigned long cmds[] = { VMLAB_IOC_REGION_CREATE, VMLAB_IOC_REGION_DESTROY,
				       VMLAB_IOC_REGION_INFO, VMLAB_IOC_REGION_LIST };
	union {
		struct vmlab_region_create c;
		struct vmlab_region_destroy d;
		struct vmlab_region_info i;
		struct vmlab_region_list l;
	} u;
	size_t i;

	for (i = 0; i < 4; i++) {
		memset(&u, 0, sizeof(u));
		u.c.size = _IOC_SIZE(cmds[i]) - 8;
		u.c.kind = 1;	/* a valid CREATE otherwise */
		u.c.length = PAGE;
		EXPECT_EQ(EINVAL, ioctl_errno(self->fd, cmds[i], &u)) TH_LOG("cmd %zu", i);
		u.c.size = _IOC_SIZE(cmds[i]) + 8;
		EXPECT_EQ(EINVAL, ioctl_errno(self->fd, cmds[i], &u)) TH_LOG("cmd %zu", i);
	}
}

/* DESTROY of an id that names no region (0, never made, destroyed): ENOENT. */
TEST_F(rgn, destroy_unknown_enoent)
{
	struct vmlab_region_create rc;

	EXPECT_EQ(-1, vmlab_region_destroy(self->fd, 0));
	EXPECT_EQ(ENOENT, errno);
	EXPECT_EQ(-1, vmlab_region_destroy(self->fd, 65535));
	EXPECT_EQ(ENOENT, errno);
	ASSERT_EQ(0, vmlab_region_new(self->fd, VMLAB_REGION_ANON, PAGE, 0, &rc));
	EXPECT_EQ(0, vmlab_region_destroy(self->fd, rc.id));
	EXPECT_EQ(-1, vmlab_region_destroy(self->fd, rc.id));
	EXPECT_EQ(ENOENT, errno);
}

/* INFO of an id that names no region: ENOENT. */
TEST_F(rgn, info_unknown_enoent)
{
	struct vmlab_region_info ri;

	EXPECT_EQ(-1, vmlab_region_info(self->fd, 0, &ri));
	EXPECT_EQ(ENOENT, errno);
	EXPECT_EQ(-1, vmlab_region_info(self->fd, 4242, &ri));
	EXPECT_EQ(ENOENT, errno);
}

/* mmap at an offset that selects no region: ENXIO. */
TEST_F(rgn, mmap_unknown_offset_enxio)
{
	void *p;

	p = mmap(NULL, PAGE, PROT_READ, MAP_SHARED, self->fd, 0);
	EXPECT_EQ(MAP_FAILED, p);
	EXPECT_EQ(ENXIO, errno);
	/* an id no region has, in this process's offsets */
	p = mmap(NULL, PAGE, PROT_READ, MAP_SHARED, self->fd, 4000ULL << region_shift());
	EXPECT_EQ(MAP_FAILED, p);
	EXPECT_EQ(ENXIO, errno);
}

/* mmap past a region's end (from its start or inside it): EINVAL. */
TEST_F(rgn, mmap_past_end_einval)
{
	struct vmlab_region_create rc;
	void *p;

	ASSERT_EQ(0, vmlab_region_new(self->fd, VMLAB_REGION_FILE, 4 * PAGE, 0, &rc));
	p = mmap(NULL, 5 * PAGE, PROT_READ, MAP_SHARED, self->fd, rc.offset);
	EXPECT_EQ(MAP_FAILED, p);
	EXPECT_EQ(EINVAL, errno);
	p = mmap(NULL, 2 * PAGE, PROT_READ, MAP_SHARED, self->fd, rc.offset + 3 * PAGE);
	EXPECT_EQ(MAP_FAILED, p);
	EXPECT_EQ(EINVAL, errno);
	p = mmap(NULL, PAGE, PROT_READ, MAP_SHARED, self->fd, rc.offset + 4 * PAGE);
	EXPECT_EQ(MAP_FAILED, p);
	EXPECT_EQ(EINVAL, errno);
	/* the last page alone is fine */
	p = mmap(NULL, PAGE, PROT_READ, MAP_SHARED, self->fd, rc.offset + 3 * PAGE);
	ASSERT_NE(MAP_FAILED, p);
	munmap(p, PAGE);
	EXPECT_EQ(0, vmlab_region_destroy(self->fd, rc.id));
}

/* A READONLY region: writable MAP_SHARED is EACCES, and so is mprotect(PROT_WRITE). */
TEST_F(rgn, readonly_refuses_shared_write)
{
	struct vmlab_region_create rc;
	char *p;

	ASSERT_EQ(0, vmlab_region_new(self->fd, VMLAB_REGION_FILE, PAGE,
				      VMLAB_REGION_READONLY, &rc));
	p = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, self->fd, rc.offset);
	EXPECT_EQ(MAP_FAILED, p);
	EXPECT_EQ(EACCES, errno);
	p = mmap(NULL, PAGE, PROT_READ, MAP_SHARED, self->fd, rc.offset);
	ASSERT_NE(MAP_FAILED, p);
	EXPECT_EQ(-1, mprotect(p, PAGE, PROT_READ | PROT_WRITE));
	EXPECT_EQ(EACCES, errno);
	EXPECT_EQ(0, p[0]);
	munmap(p, PAGE);
	/* a private writable mapping never writes the region: allowed */
	p = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE, self->fd, rc.offset);
	ASSERT_NE(MAP_FAILED, p);
	p[0] = 1;
	munmap(p, PAGE);
	EXPECT_EQ(-1, pwrite(self->fd, "x", 1, rc.offset));
	EXPECT_EQ(EACCES, errno);
	EXPECT_EQ(0, vmlab_region_destroy(self->fd, rc.id));
}

/* pread/pwrite: no region ENXIO, non-FILE EINVAL, past the end EOF/ENOSPC, bad buffer EFAULT. */
TEST_F(rgn, rw_bad_input)
{
	struct vmlab_region_create rc;
	char buf[16];
	void *hole;

	EXPECT_EQ(-1, pread(self->fd, buf, sizeof(buf), 0));
	EXPECT_EQ(ENXIO, errno);
	EXPECT_EQ(-1, pwrite(self->fd, buf, sizeof(buf), 999ULL << VMLAB_REGION_SHIFT));
	EXPECT_EQ(ENXIO, errno);
	ASSERT_EQ(0, vmlab_region_new(self->fd, VMLAB_REGION_ANON, PAGE, 0, &rc));
	EXPECT_EQ(-1, pread(self->fd, buf, sizeof(buf), rc.offset));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(0, vmlab_region_destroy(self->fd, rc.id));
	ASSERT_EQ(0, vmlab_region_new(self->fd, VMLAB_REGION_FILE, PAGE, 0, &rc));
	EXPECT_EQ(0, pread(self->fd, buf, sizeof(buf), rc.offset + PAGE));	/* EOF */
	EXPECT_EQ(8, pread(self->fd, buf, sizeof(buf), rc.offset + PAGE - 8));	/* short */
	EXPECT_EQ(-1, pwrite(self->fd, buf, sizeof(buf), rc.offset + PAGE));
	EXPECT_EQ(ENOSPC, errno);
	EXPECT_EQ(8, pwrite(self->fd, buf, sizeof(buf), rc.offset + PAGE - 8));
	hole = mmap(NULL, PAGE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, hole);
	ASSERT_EQ(0, munmap(hole, PAGE));
	EXPECT_EQ(-1, pread(self->fd, hole, sizeof(buf), rc.offset));
	EXPECT_EQ(EFAULT, errno);
	EXPECT_EQ(-1, pwrite(self->fd, hole, sizeof(buf), rc.offset));
	EXPECT_EQ(EFAULT, errno);
	EXPECT_EQ(0, vmlab_region_destroy(self->fd, rc.id));
}

/* Lifetime rules that hold for every kind. */
FIXTURE(life) {
	int fd;
	struct vmlab_region_create rc;
};

FIXTURE_VARIANT(life) {
	__u32 kind;
};

FIXTURE_VARIANT_ADD(life, file) { .kind = VMLAB_REGION_FILE };
FIXTURE_VARIANT_ADD(life, anon) { .kind = VMLAB_REGION_ANON };
FIXTURE_VARIANT_ADD(life, device) { .kind = VMLAB_REGION_DEVICE };

FIXTURE_SETUP(life)
{
	self->fd = vmlab_open();
	ASSERT_LE(0, self->fd);
	ASSERT_EQ(0, vmlab_region_new(self->fd, variant->kind, 8 * PAGE, 0, &self->rc));
}

FIXTURE_TEARDOWN(life)
{
	vmlab_region_destroy(self->fd, self->rc.id);
	close(self->fd);
}

static __u64 mappings_of(int fd, __u32 id)
{
	struct vmlab_region_counters c;

	if (vmlab_region_counters(fd, id, &c))
		return (__u64)-1;
	return c.mappings;
}

/* Destroy while mapped: the id goes at once, the memory stays until munmap. */
TEST_F(life, destroy_while_mapped_is_deferred)
{
	struct vmlab_region_info ri;
	char *p;

	p = vmlab_region_map(self->fd, self->rc.offset, 8 * PAGE, PROT_READ | PROT_WRITE,
			     MAP_SHARED);
	ASSERT_NE(MAP_FAILED, p);
	p[5 * PAGE] = 42;
	ASSERT_EQ(0, vmlab_region_destroy(self->fd, self->rc.id));
	EXPECT_EQ(-1, vmlab_region_info(self->fd, self->rc.id, &ri));
	EXPECT_EQ(ENOENT, errno);
	EXPECT_EQ(MAP_FAILED, vmlab_region_map(self->fd, self->rc.offset, PAGE, PROT_READ,
					       MAP_SHARED));
	EXPECT_EQ(ENXIO, errno);
	EXPECT_EQ(42, p[5 * PAGE]);
	p[6 * PAGE] = 43;
	EXPECT_EQ(43, p[6 * PAGE]);
	EXPECT_EQ(0, munmap(p, 8 * PAGE));
}

static __u64 pages_in_use(int fd)
{
	struct vmlab_info info;

	return vmlab_info(fd, &info) ? (__u64)-1 : info.pages_in_use;
}

/*
 * INFO's module-wide pages_in_use rises by the pages a region allocates
 * (all of FILE and DEVICE at creation, ANON pages as touched) and comes
 * back to where it was once the region is destroyed and unmapped.
 */
TEST_F(life, pages_in_use_follows_the_region)
{
	struct vmlab_region_counters c;
	__u64 base, expect;
	char *p;
	int i;

	ASSERT_EQ(0, vmlab_region_counters(self->fd, self->rc.id, &c));
	EXPECT_EQ(variant->kind == VMLAB_REGION_ANON ? 0 : 8, c.pages_resident);
	base = pages_in_use(self->fd) - c.pages_resident;

	p = vmlab_region_map(self->fd, self->rc.offset, 8 * PAGE, PROT_READ | PROT_WRITE,
			     MAP_SHARED);
	ASSERT_NE(MAP_FAILED, p);
	for (i = 0; i < 3; i++)
		p[(2 * i + 1) * PAGE] = 1;
	expect = variant->kind == VMLAB_REGION_ANON ? 3 : 8;
	EXPECT_EQ(base + expect, pages_in_use(self->fd));

	ASSERT_EQ(0, vmlab_region_destroy(self->fd, self->rc.id));
	EXPECT_EQ(base + expect, pages_in_use(self->fd));	/* still mapped */
	ASSERT_EQ(0, munmap(p, 8 * PAGE));
	EXPECT_EQ(base, pages_in_use(self->fd));
}

/* Partial munmap and mprotect split the VMA; each piece counts as a mapping. */
TEST_F(life, split_and_unmap_count_mappings)
{
	char *p;

	p = vmlab_region_map(self->fd, self->rc.offset, 8 * PAGE, PROT_READ | PROT_WRITE,
			     MAP_SHARED);
	ASSERT_NE(MAP_FAILED, p);
	EXPECT_EQ(1, mappings_of(self->fd, self->rc.id));
	ASSERT_EQ(0, munmap(p + 2 * PAGE, PAGE));		/* [0,2) [3,8) */
	EXPECT_EQ(2, mappings_of(self->fd, self->rc.id));
	ASSERT_EQ(0, mprotect(p + 4 * PAGE, PAGE, PROT_READ));	/* [3,4) [4,5) [5,8) */
	EXPECT_EQ(4, mappings_of(self->fd, self->rc.id));
	p[7 * PAGE] = 7;					/* still writable */
	EXPECT_EQ(7, p[7 * PAGE]);
	EXPECT_EQ(0, p[4 * PAGE]);
	ASSERT_EQ(0, munmap(p, 8 * PAGE));
	EXPECT_EQ(0, mappings_of(self->fd, self->rc.id));
}

/* A fork child's VMA counts, and goes with the child. */
TEST_F(life, fork_counts_mapping)
{
	int status;
	pid_t pid;
	char *p;

	p = vmlab_region_map(self->fd, self->rc.offset, 8 * PAGE, PROT_READ, MAP_SHARED);
	ASSERT_NE(MAP_FAILED, p);
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0)
		_exit(mappings_of(self->fd, self->rc.id) == 2 ? 0 : 1);
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_EQ(0, WEXITSTATUS(status));
	EXPECT_EQ(1, mappings_of(self->fd, self->rc.id));
	munmap(p, 8 * PAGE);
}

/*
 * READONLY, for each kind: no writable MAP_SHARED (EACCES), and a read-only
 * one cannot be made writable (VM_MAYWRITE is clear).
 */
TEST_F(life, readonly_refuses_shared_write)
{
	struct vmlab_region_create rc;
	struct vmlab_region_info ri;
	char *p;

	ASSERT_EQ(0, vmlab_region_new(self->fd, variant->kind, 2 * PAGE,
				      VMLAB_REGION_READONLY, &rc));
	ASSERT_EQ(0, vmlab_region_info(self->fd, rc.id, &ri));
	EXPECT_EQ(VMLAB_REGION_READONLY, ri.flags);
	p = vmlab_region_map(self->fd, rc.offset, 2 * PAGE, PROT_READ | PROT_WRITE,
			     MAP_SHARED);
	EXPECT_EQ(MAP_FAILED, p);
	EXPECT_EQ(EACCES, errno);
	p = vmlab_region_map(self->fd, rc.offset, 2 * PAGE, PROT_READ, MAP_SHARED);
	ASSERT_NE(MAP_FAILED, p);
	EXPECT_EQ(0, p[PAGE]);
	EXPECT_EQ(-1, mprotect(p, 2 * PAGE, PROT_READ | PROT_WRITE));
	EXPECT_EQ(EACCES, errno);
	munmap(p, 2 * PAGE);
	EXPECT_EQ(0, vmlab_region_destroy(self->fd, rc.id));
}

/* Module unload: refused while a region is mapped, allowed with regions alive. */
FIXTURE(unload) {
	const char *ko;
};

FIXTURE_SETUP(unload)
{
	self->ko = getenv("VMLAB_KO");
	if (!self->ko)
		SKIP(return, "VMLAB_KO (path of vmlab.ko) is not set: not in the vmlab VM");
}

FIXTURE_TEARDOWN(unload)
{
	if (self->ko && access(VMLAB_DEVICE, F_OK))
		load_module(self->ko, "");
}

/*
 * A mapping pins the module even after its descriptor is closed; unmapped
 * regions do not, and unload frees them (none is listed after reload).
 */
TEST_F(unload, mapping_pins_module_regions_do_not)
{
	struct vmlab_region_create rc, rc2;
	__u32 nr = 1;
	char *p;
	int fd;

	fd = vmlab_open();
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, vmlab_region_new(fd, VMLAB_REGION_FILE, 2 * PAGE, 0, &rc));
	ASSERT_EQ(0, vmlab_region_new(fd, VMLAB_REGION_ANON, 2 * PAGE, 0, &rc2));
	p = vmlab_region_map(fd, rc.offset, 2 * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED);
	ASSERT_NE(MAP_FAILED, p);
	close(fd);
	p[0] = 1;
	EXPECT_EQ(EWOULDBLOCK, unload_module());
	munmap(p, 2 * PAGE);
	ASSERT_EQ(0, unload_module());
	ASSERT_EQ(0, load_module(self->ko, ""));
	fd = vmlab_open();
	ASSERT_LE(0, fd);
	EXPECT_EQ(0, vmlab_region_list(fd, NULL, 0, &nr));
	EXPECT_EQ(0, nr);
	close(fd);
}

TEST_HARNESS_MAIN
