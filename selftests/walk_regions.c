// SPDX-License-Identifier: GPL-2.0
/*
 * walk_regions.c - selftests of the walk on vmlab's own regions: a FILE
 * region mapped privately (PRIVATE_FILE, then an anon copy) and shared
 * (clean until page_mkwrite, dirty after, clean again after msync), an ANON
 * region's private zero page (vmlab's own), and a DEVICE region's PFN map
 * with each caching mode. Every present leaf is cross-checked against
 * /proc/self/pagemap.
 *
 * Runs as root in the vmlab VM.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <sys/klog.h>
#include <sys/mman.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "libvmlab.h"
#include "vmlab_test.h"

FIXTURE(wreg) {
	int fd;
	struct vmlab_region_create rc;
	char *p;
	size_t len;
};

FIXTURE_SETUP(wreg)
{
	self->fd = vmlab_open();
	ASSERT_LE(0, self->fd);
	self->p = MAP_FAILED;
	self->len = 4 * PAGE;
}

FIXTURE_TEARDOWN(wreg)
{
	if (self->p != MAP_FAILED)
		munmap(self->p, self->len);
	if (self->rc.id)
		vmlab_region_destroy(self->fd, self->rc.id);
	close(self->fd);
}

/* Create a region of @kind (fill/cache as given) and map it with @flags. */
static char *wreg_map(struct __test_metadata *_metadata, struct _test_data_wreg *self,
		      __u32 kind, __u32 fill, __u32 cache, int flags)
{
	memset(&self->rc, 0, sizeof(self->rc));
	self->rc.kind = kind;
	self->rc.length = self->len;
	self->rc.fill = fill;
	self->rc.fill_byte = fill == VMLAB_FILL_BYTE ? 'v' : 0;
	self->rc.cache = cache;
	if (vmlab_region_create(self->fd, &self->rc))
		return MAP_FAILED;
	self->p = vmlab_region_map(self->fd, self->rc.offset, self->len,
				   PROT_READ | PROT_WRITE, flags);
	return self->p;
}

/* The VMA fields every walk of a region shows. */
#define EXPECT_REGION_VMA(w, kind) do {						\
	const struct vmlab_walk *_w = &(w);					\
	EXPECT_EQ(VMLAB_BACKING_VMLAB, _w->backing);				\
	EXPECT_EQ(self->rc.id, _w->region_id);					\
	EXPECT_EQ((kind), _w->region_kind);					\
} while (0)

/* A private FILE mapping: the region's page until the write copies it. */
TEST_F(wreg, file_private_copied_on_write)
{
	struct vmlab_walk w, w2;
	char *p = wreg_map(_metadata, self, VMLAB_REGION_FILE, VMLAB_FILL_BYTE,
			   VMLAB_CACHE_WB, MAP_PRIVATE);

	ASSERT_NE(MAP_FAILED, p) TH_LOG("%s", strerror(errno));
	ASSERT_EQ('v', *(volatile char *)p);
	ASSERT_EQ(0, vmlab_walk(self->fd, 0, (uintptr_t)p, &w));
	EXPECT_REGION_VMA(w, VMLAB_REGION_FILE);
	EXPECT_EQ(VMLAB_COW_PRIVATE_FILE, w.verdict) TH_LOG("%s", vmlab_verdict_name(w.verdict));
	EXPECT_TRUE(w.page_flags & VMLAB_PAGE_VMLAB);
	EXPECT_FALSE(w.page_flags & VMLAB_PAGE_ANON);
	EXPECT_FALSE(w.leaf_flags & VMLAB_PTE_WRITE);
	EXPECT_MATCHES_PAGEMAP(w);

	p[0] = 'w';
	ASSERT_EQ(0, vmlab_walk(self->fd, 0, (uintptr_t)p, &w2));
	EXPECT_EQ(VMLAB_COW_WRITABLE, w2.verdict);
	EXPECT_TRUE(w2.page_flags & VMLAB_PAGE_ANON);
	EXPECT_FALSE(w2.page_flags & VMLAB_PAGE_VMLAB);
	EXPECT_NE(w.pfn, w2.pfn);
	EXPECT_MATCHES_PAGEMAP(w2);
}

/* A shared FILE mapping: clean (page_mkwrite pending), dirty, clean after msync. */
TEST_F(wreg, file_shared_clean_dirty_clean)
{
	struct vmlab_region_counters c0, c1;
	struct vmlab_walk w;
	char *p = wreg_map(_metadata, self, VMLAB_REGION_FILE, VMLAB_FILL_ZERO,
			   VMLAB_CACHE_WB, MAP_SHARED);

	ASSERT_NE(MAP_FAILED, p) TH_LOG("%s", strerror(errno));
	ASSERT_EQ(0, *(volatile char *)p);
	ASSERT_EQ(0, vmlab_walk(self->fd, 0, (uintptr_t)p, &w));
	EXPECT_REGION_VMA(w, VMLAB_REGION_FILE);
	EXPECT_EQ(VMLAB_COW_SHARED_CLEAN, w.verdict) TH_LOG("%s", vmlab_verdict_name(w.verdict));
	EXPECT_TRUE(w.page_flags & VMLAB_PAGE_VMLAB);
	EXPECT_MATCHES_PAGEMAP(w);

	ASSERT_EQ(0, vmlab_region_counters(self->fd, self->rc.id, &c0));
	p[0] = 1;
	ASSERT_EQ(0, vmlab_region_counters(self->fd, self->rc.id, &c1));
	EXPECT_EQ(c0.page_mkwrite + 1, c1.page_mkwrite);
	ASSERT_EQ(0, vmlab_walk(self->fd, 0, (uintptr_t)p, &w));
	EXPECT_EQ(VMLAB_COW_SHARED_WRITABLE, w.verdict);
	EXPECT_TRUE(w.leaf_flags & VMLAB_PTE_DIRTY);

	ASSERT_EQ(0, msync(p, self->len, MS_SYNC));
	ASSERT_EQ(0, vmlab_walk(self->fd, 0, (uintptr_t)p, &w));
	EXPECT_EQ(VMLAB_COW_SHARED_CLEAN, w.verdict) TH_LOG("%s", vmlab_verdict_name(w.verdict));
	EXPECT_FALSE(w.leaf_flags & VMLAB_PTE_WRITE);
}

/* A private ANON mapping's read maps vmlab's own zero page; the write allocates. */
TEST_F(wreg, anon_private_vmlab_zero_page)
{
	struct vmlab_walk w, w2;
	char *p = wreg_map(_metadata, self, VMLAB_REGION_ANON, VMLAB_FILL_ZERO,
			   VMLAB_CACHE_WB, MAP_PRIVATE);

	ASSERT_NE(MAP_FAILED, p) TH_LOG("%s", strerror(errno));
	ASSERT_EQ(0, *(volatile char *)p);
	ASSERT_EQ(0, vmlab_walk(self->fd, 0, (uintptr_t)p, &w));
	EXPECT_REGION_VMA(w, VMLAB_REGION_ANON);
	EXPECT_EQ(VMLAB_COW_ZERO_PAGE, w.verdict) TH_LOG("%s", vmlab_verdict_name(w.verdict));
	EXPECT_TRUE(w.page_flags & VMLAB_PAGE_VMLAB_ZERO);
	EXPECT_FALSE(w.page_flags & VMLAB_PAGE_ZERO);
	EXPECT_MATCHES_PAGEMAP(w);

	p[0] = 1;
	ASSERT_EQ(0, vmlab_walk(self->fd, 0, (uintptr_t)p, &w2));
	EXPECT_EQ(VMLAB_COW_WRITABLE, w2.verdict);
	EXPECT_FALSE(w2.page_flags & VMLAB_PAGE_VMLAB_ZERO);
	EXPECT_NE(w.pfn, w2.pfn);
}

/* A DEVICE region: a PFN map without pages, with the region's caching mode. */
FIXTURE_VARIANT(wdev) {
	__u32 cache;	/* asked of the region */
	__u32 seen;	/* what the PTE holds */
};

FIXTURE(wdev) {
	int fd;
	struct vmlab_region_create rc;
	char *p;
};

FIXTURE_VARIANT_ADD(wdev, wb) { VMLAB_CACHE_WB, VMLAB_CACHE_WB };
FIXTURE_VARIANT_ADD(wdev, wc) { VMLAB_CACHE_WC, VMLAB_CACHE_WC };
/*
 * x86's pgprot_noncached() asks for UC-, which PAT may not weaken for RAM;
 * arm64's is Device-nGnRnE memory, uncached
 */
#ifdef __aarch64__
FIXTURE_VARIANT_ADD(wdev, uc) { VMLAB_CACHE_UC, VMLAB_CACHE_UC };
#else
FIXTURE_VARIANT_ADD(wdev, uc) { VMLAB_CACHE_UC, VMLAB_CACHE_UC_MINUS };
#endif

FIXTURE_SETUP(wdev)
{
	self->fd = vmlab_open();
	ASSERT_LE(0, self->fd);
	memset(&self->rc, 0, sizeof(self->rc));
	self->rc.kind = VMLAB_REGION_DEVICE;
	self->rc.length = 4 * PAGE;
	self->rc.cache = variant->cache;
	ASSERT_EQ(0, vmlab_region_create(self->fd, &self->rc)) TH_LOG("%s", strerror(errno));
	self->p = vmlab_region_map(self->fd, self->rc.offset, 4 * PAGE,
				   PROT_READ | PROT_WRITE, MAP_SHARED);
	ASSERT_NE(MAP_FAILED, self->p);
}

FIXTURE_TEARDOWN(wdev)
{
	munmap(self->p, 4 * PAGE);
	vmlab_region_destroy(self->fd, self->rc.id);
	close(self->fd);
}

/*
 * Whether the kernel runs without PAT: then only PCD and PWT choose (WB, WT,
 * UC-, UC) and a write-combining request becomes UC-. Debian's 6.1 skips PAT
 * when MTRRs are off, as under QEMU's default machine.
 */
static int pat_disabled(void)
{
	static char log[1 << 20];
	int n = klogctl(3, log, sizeof(log) - 1);	/* SYSLOG_ACTION_READ_ALL */

	if (n <= 0)
		return 0;
	log[n] = '\0';
	return strstr(log, "skipping PAT initialization") || strstr(log, "PAT support disabled");
}

/* The leaf of a DEVICE mapping: a PFN map, no page, the region's caching mode. */
TEST_F(wdev, pfnmap_with_cache_mode)
{
	struct vmlab_region_info info;
	struct vmlab_walk w;

	self->p[PAGE] = 1;
	ASSERT_EQ(0, vmlab_region_info(self->fd, self->rc.id, &info));
	ASSERT_EQ(0, vmlab_walk(self->fd, 0, (uintptr_t)self->p + PAGE, &w));
	EXPECT_EQ(VMLAB_BACKING_VMLAB, w.backing);
	EXPECT_EQ(VMLAB_REGION_DEVICE, w.region_kind);
	EXPECT_TRUE(w.vma_flags & VMLAB_VMA_PFNMAP);
	EXPECT_TRUE(w.vma_flags & VMLAB_VMA_IO);
	EXPECT_TRUE(w.leaf_flags & VMLAB_PTE_PRESENT);
	EXPECT_EQ(VMLAB_COW_PFNMAP, w.verdict) TH_LOG("%s", vmlab_verdict_name(w.verdict));
	EXPECT_FALSE(w.page_flags & VMLAB_PAGE_PRESENT);
	EXPECT_EQ(variant->cache == VMLAB_CACHE_WC && pat_disabled() ?
		  VMLAB_CACHE_UC_MINUS : variant->seen, w.cache_mode)
		TH_LOG("%s, PTE %#llx", vmlab_cache_name(w.cache_mode),
		       (unsigned long long)w.entries[VMLAB_LEVEL_PTE]);
	EXPECT_EQ(VMLAB_LEVEL_PTE, w.leaf_level);
	/* pagemap shows a VM_PFNMAP VMA as a hole: REGION_INFO has the truth */
	EXPECT_EQ(info.phys_addr / PAGE + 1, w.pfn);
	EXPECT_FALSE(pagemap_entry(0, self->p + PAGE) & PAGEMAP_PRESENT);
}

TEST_HARNESS_MAIN
