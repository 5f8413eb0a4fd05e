// SPDX-License-Identifier: GPL-2.0
/*
 * pci.c - selftests of PCI regions: the BARs of the ivshmem-plain device
 * the VM runner gives the guest (scripts/run-vm.sh). BAR2 is a 2 MiB file
 * on the host that the host filled with its pattern before boot: the guest
 * sees it through the mapping and through "vmlab hexdump", writes its own
 * pattern over the second MiB (the host checks that after power-off), and
 * the walk shows the leaf's size and caching bits. BAR0, ivshmem's
 * registers, is offered read-only and uncached. Every documented errno of
 * PCI region creation has a test; the last test unbinds the driver through
 * sysfs while the BAR is mapped (SIGBUS, region gone) and binds it again.
 *
 * Runs as root in the vmlab VM; skips only where no ivshmem device is
 * bound to vmlab (VMLAB_IVSHMEM=0).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ivshmem.h"
#include "kselftest_harness.h"
#include "libvmlab.h"
#include "vmlab_test.h"

#define MIB		(1UL << 20)
#define BAR_REGS	0	/* ivshmem's registers, 256 bytes */
#define BAR_SHM		2	/* ivshmem's shared memory */
#define VMLAB_BIN	"/bin/vmlab"
#define HEXDUMP_BIN	"/bin/hexdump"

FIXTURE(pci) {
	int fd;
	__u32 addr;
	struct vmlab_info info;
};

FIXTURE_SETUP(pci)
{
	self->fd = vmlab_open();
	ASSERT_LE(0, self->fd);
	ASSERT_EQ(0, vmlab_info(self->fd, &self->info));
	ASSERT_TRUE(self->info.features & VMLAB_FEAT_PCI);
	if (vmlab_pci_devices(&self->addr, 1) != 1)
		SKIP(return, "no ivshmem device is bound to vmlab (the VM runs without one)");
}

FIXTURE_TEARDOWN(pci)
{
	close(self->fd);
}

/* a region on BAR @bar of the device, all of it; its id, 0 on failure */
static __u32 bar_region(int fd, __u32 addr, __u32 bar, __u32 flags, __u32 cache,
			struct vmlab_region_create *rc)
{
	if (vmlab_region_pci(fd, addr, bar, 0, 0, flags, cache, rc))
		return 0;
	return rc->id;
}

/* REGION_CREATE of a PCI region: 0 or the errno */
static int pci_errno(int fd, __u32 addr, __u32 bar, __u64 bar_offset, __u64 length,
		     __u32 flags, __u32 cache)
{
	struct vmlab_region_create rc = raw_create(VMLAB_REGION_PCI, length);

	rc.pci_addr = addr;
	rc.bar = bar;
	rc.bar_offset = bar_offset;
	rc.flags = flags;
	rc.cache = cache;
	if (ioctl(fd, VMLAB_IOC_REGION_CREATE, &rc))
		return errno;
	vmlab_region_destroy(fd, rc.id);
	return 0;
}

/* a @len-aligned range of @len bytes of address space in *@area (2 * @len) */
static char *aligned_area(size_t len, char **area)
{
	*area = mmap(NULL, 2 * len, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (*area == MAP_FAILED)
		return NULL;
	return (char *)(((uintptr_t)*area + len - 1) & ~(len - 1));
}

/* the caching mode a one-page DEVICE region of @cache shows in its leaf here */
static int device_leaf_cache(int fd, __u32 cache)
{
	struct vmlab_region_create rc;
	struct vmlab_walk w;
	volatile char *p;
	int mode = -1;

	memset(&rc, 0, sizeof(rc));
	rc.kind = VMLAB_REGION_DEVICE;
	rc.length = PAGE;
	rc.cache = cache;
	if (vmlab_region_create(fd, &rc))
		return -1;
	p = vmlab_region_map(fd, rc.offset, PAGE, PROT_READ, MAP_SHARED);
	if (p != MAP_FAILED) {
		(void)p[0];
		if (!vmlab_walk(fd, 0, (uintptr_t)p, &w))
			mode = w.cache_mode;
		munmap((void *)p, PAGE);
	}
	vmlab_region_destroy(fd, rc.id);
	return mode;
}

/* the words of the first MiB that differ from the host's pattern */
static size_t host_pattern_mismatches(const volatile uint64_t *w, size_t *first)
{
	size_t i, bad = 0;

	for (i = 0; i < MIB / 8; i++) {
		if (w[i] != vmlab_ivshmem_word(VMLAB_IVSHMEM_HOST_TAG, i * 8)) {
			if (!bad)
				*first = i * 8;
			bad++;
		}
	}
	return bad;
}

/* BAR2: the region takes the whole prefetchable BAR, WC, and INFO describes it. */
TEST_F(pci, bar2_region_info)
{
	struct vmlab_region_create rc;
	struct vmlab_region_info ri;

	ASSERT_NE(0, bar_region(self->fd, self->addr, BAR_SHM, 0, 0, &rc));
	EXPECT_EQ(VMLAB_IVSHMEM_SIZE, rc.length);
	EXPECT_EQ(VMLAB_CACHE_WC, rc.cache);
	ASSERT_EQ(0, vmlab_region_info(self->fd, rc.id, &ri));
	EXPECT_EQ(VMLAB_REGION_PCI, ri.kind);
	EXPECT_EQ(self->addr, ri.pci_addr);
	EXPECT_EQ(BAR_SHM, ri.bar);
	EXPECT_EQ(0, ri.bar_offset);
	EXPECT_EQ(VMLAB_IVSHMEM_SIZE, ri.bar_size);
	EXPECT_EQ(VMLAB_IVSHMEM_SIZE, ri.length);
	EXPECT_EQ(VMLAB_CACHE_WC, ri.cache);
	EXPECT_TRUE(ri.pci_flags & VMLAB_PCI_PREFETCH);
	EXPECT_FALSE(ri.pci_flags & VMLAB_PCI_GONE);
	/* BARs are aligned to their size: 2 MiB here */
	EXPECT_NE(0, ri.phys_addr);
	EXPECT_EQ(0, ri.phys_addr % VMLAB_IVSHMEM_SIZE);
	TH_LOG("BAR2 at %#llx, %llu bytes, flags %#x", (unsigned long long)ri.phys_addr,
	       (unsigned long long)ri.bar_size, ri.pci_flags);
	EXPECT_EQ(0, ri.counters.pages_allocated);
	EXPECT_EQ(0, vmlab_region_destroy(self->fd, rc.id));
}

/* BAR2 mapped shared: the first MiB holds exactly what the host wrote before boot. */
TEST_F(pci, bar2_sees_host_pattern)
{
	struct vmlab_region_create rc;
	size_t first = 0, bad;
	uint64_t *p;

	ASSERT_NE(0, bar_region(self->fd, self->addr, BAR_SHM, 0, 0, &rc));
	p = vmlab_region_map(self->fd, rc.offset, rc.length, PROT_READ, MAP_SHARED);
	ASSERT_NE(MAP_FAILED, p);
	bad = host_pattern_mismatches(p, &first);
	EXPECT_EQ(0, bad) TH_LOG("%zu words differ, the first at %#zx: %#llx", bad, first,
				 (unsigned long long)p[first / 8]);
	EXPECT_EQ(0, munmap(p, rc.length));
	EXPECT_EQ(0, vmlab_region_destroy(self->fd, rc.id));
}

/* The guest writes its pattern over the second MiB; a new mapping reads it back. */
TEST_F(pci, bar2_guest_writes_pattern)
{
	const size_t start = VMLAB_IVSHMEM_GUEST_OFF, len = MIB;
	struct vmlab_region_create rc;
	volatile uint64_t *p;
	size_t i, bad = 0;

	ASSERT_EQ(0, vmlab_region_pci(self->fd, self->addr, BAR_SHM, start, len, 0, 0, &rc));
	p = vmlab_region_map(self->fd, rc.offset, len, PROT_READ | PROT_WRITE, MAP_SHARED);
	ASSERT_NE(MAP_FAILED, p);
	for (i = 0; i < len / 8; i++)
		p[i] = vmlab_ivshmem_word(VMLAB_IVSHMEM_GUEST_TAG, start + i * 8);
	ASSERT_EQ(0, munmap((void *)p, len));
	p = vmlab_region_map(self->fd, rc.offset, len, PROT_READ, MAP_SHARED);
	ASSERT_NE(MAP_FAILED, p);
	for (i = 0; i < len / 8; i++)
		bad += p[i] != vmlab_ivshmem_word(VMLAB_IVSHMEM_GUEST_TAG, start + i * 8);
	EXPECT_EQ(0, bad);
	EXPECT_EQ(0, munmap((void *)p, len));
	EXPECT_EQ(0, vmlab_region_destroy(self->fd, rc.id));
}

/*
 * BAR2 mapped 2 MiB-aligned: one PMD leaf where the kernel offers PMD faults
 * to PFN maps (6.12+) and a PMD is 2 MiB, else PTEs; special, VM_PFNMAP | VM_IO, the
 * BAR's PFN, and the caching bits of a write-combining mapping.
 */
TEST_F(pci, bar2_walk_leaf_and_caching)
{
	const size_t len = VMLAB_IVSHMEM_SIZE;
	/* (a PMD of 16 KiB pages, 32 MiB, is larger than the BAR) */
	bool pmd = (self->info.features & VMLAB_FEAT_DEVICE_PMD) && thp_enabled(NULL, 0) &&
		   thp_size() <= len;
	struct vmlab_region_counters c;
	struct vmlab_region_create rc;
	struct vmlab_region_info ri;
	struct vmlab_walk w;
	int wc_mode;
	char *area, *p;

	wc_mode = device_leaf_cache(self->fd, VMLAB_CACHE_WC);
	ASSERT_LE(0, wc_mode);
	ASSERT_NE(0, bar_region(self->fd, self->addr, BAR_SHM, 0, 0, &rc));
	ASSERT_EQ(0, vmlab_region_info(self->fd, rc.id, &ri));
	p = aligned_area(len, &area);
	ASSERT_NE(NULL, p);
	ASSERT_EQ(p, mmap(p, len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED, self->fd,
			  rc.offset));
	madvise(p, len, MADV_HUGEPAGE);
	(void)*(volatile char *)(p + 5 * PAGE + 8);

	ASSERT_EQ(0, vmlab_walk(self->fd, 0, (uintptr_t)p + 5 * PAGE + 8, &w));
	EXPECT_EQ(VMLAB_BACKING_VMLAB, w.backing);
	EXPECT_EQ(VMLAB_REGION_PCI, w.region_kind);
	EXPECT_EQ(rc.id, w.region_id);
	EXPECT_EQ(VMLAB_VMA_PFNMAP | VMLAB_VMA_IO,
		  w.vma_flags & (VMLAB_VMA_PFNMAP | VMLAB_VMA_IO));
	EXPECT_TRUE(w.leaf_flags & VMLAB_PTE_PRESENT);
	EXPECT_FALSE(w.page_flags & VMLAB_PAGE_PRESENT);	/* no struct page */
	EXPECT_EQ(VMLAB_COW_PFNMAP, w.verdict);
	/* WC where this kernel's PAT has it (a DEVICE WC region says), else UC- */
	EXPECT_EQ(wc_mode, w.cache_mode);
	ASSERT_EQ(0, vmlab_region_counters(self->fd, rc.id, &c));
	if (pmd) {
		EXPECT_EQ(VMLAB_LEVEL_PMD, w.leaf_level);
		EXPECT_EQ(2 * MIB, w.leaf_size);
		EXPECT_TRUE(w.leaf_flags & VMLAB_PTE_HUGE);
		EXPECT_EQ(ri.phys_addr / PAGE, w.pfn);
		EXPECT_EQ(1, c.huge_faults);
	} else {
		EXPECT_EQ(VMLAB_LEVEL_PTE, w.leaf_level);
		EXPECT_EQ(PAGE, w.leaf_size);
		EXPECT_TRUE(w.leaf_flags & VMLAB_PTE_SPECIAL);
		EXPECT_EQ(ri.phys_addr / PAGE + 5, w.pfn);
		EXPECT_EQ(0, c.huge_faults);
	}
	TH_LOG("leaf %s, %llu bytes, caching %s, entry %#llx", vmlab_level_name(w.leaf_level),
	       (unsigned long long)w.leaf_size, vmlab_cache_name(w.cache_mode),
	       (unsigned long long)w.entries[w.leaf_level]);
	munmap(area, 2 * len);
	EXPECT_EQ(0, vmlab_region_destroy(self->fd, rc.id));
}

/* UC asked of the prefetchable BAR: honoured, and the leaf is uncached. */
TEST_F(pci, bar2_uncached_on_request)
{
	struct vmlab_region_create rc;
	struct vmlab_walk w;
	volatile char *p;
	int uc_mode;

	uc_mode = device_leaf_cache(self->fd, VMLAB_CACHE_UC);
	ASSERT_LE(0, uc_mode);
	ASSERT_EQ(0, vmlab_region_pci(self->fd, self->addr, BAR_SHM, 0, PAGE, 0,
				      VMLAB_CACHE_UC, &rc));
	EXPECT_EQ(VMLAB_CACHE_UC, rc.cache);
	p = vmlab_region_map(self->fd, rc.offset, PAGE, PROT_READ, MAP_SHARED);
	ASSERT_NE(MAP_FAILED, p);
	EXPECT_EQ(vmlab_ivshmem_word(VMLAB_IVSHMEM_HOST_TAG, 8), ((volatile uint64_t *)p)[1]);
	ASSERT_EQ(0, vmlab_walk(self->fd, 0, (uintptr_t)p, &w));
	EXPECT_EQ(uc_mode, w.cache_mode);
	EXPECT_EQ(VMLAB_LEVEL_PTE, w.leaf_level);
	munmap((void *)p, PAGE);
	EXPECT_EQ(0, vmlab_region_destroy(self->fd, rc.id));
}

/* One memory type per BAR: WC and UC regions of BAR2 at once get EBUSY. */
TEST_F(pci, bar2_mixed_caching_ebusy)
{
	struct vmlab_region_create rc;

	ASSERT_NE(0, bar_region(self->fd, self->addr, BAR_SHM, 0, VMLAB_CACHE_WC, &rc));
	EXPECT_EQ(EBUSY, pci_errno(self->fd, self->addr, BAR_SHM, 0, PAGE, 0, VMLAB_CACHE_UC));
	/* the same mode again is fine */
	EXPECT_EQ(0, pci_errno(self->fd, self->addr, BAR_SHM, MIB, PAGE, 0, VMLAB_CACHE_WC));
	EXPECT_EQ(0, vmlab_region_destroy(self->fd, rc.id));
	EXPECT_EQ(0, pci_errno(self->fd, self->addr, BAR_SHM, 0, PAGE, 0, VMLAB_CACHE_UC));
}

/* A PCI region mapped MAP_PRIVATE: no page to copy, EINVAL. */
TEST_F(pci, private_mapping_einval)
{
	struct vmlab_region_create rc;

	ASSERT_NE(0, bar_region(self->fd, self->addr, BAR_SHM, 0, 0, &rc));
	errno = 0;
	EXPECT_EQ(MAP_FAILED, mmap(NULL, PAGE, PROT_READ, MAP_PRIVATE, self->fd, rc.offset));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(0, vmlab_region_destroy(self->fd, rc.id));
}

/* BAR0, the registers: one page, read-only, uncached, not prefetchable. */
TEST_F(pci, bar0_registers_readonly_uncached)
{
	struct vmlab_region_create rc;
	struct vmlab_region_info ri;
	struct vmlab_walk w;
	volatile uint32_t *p;
	int uc_mode;

	uc_mode = device_leaf_cache(self->fd, VMLAB_CACHE_UC);
	ASSERT_LE(0, uc_mode);
	ASSERT_NE(0, bar_region(self->fd, self->addr, BAR_REGS, VMLAB_REGION_READONLY, 0, &rc));
	EXPECT_EQ(PAGE, rc.length);
	EXPECT_EQ(VMLAB_CACHE_UC, rc.cache);
	ASSERT_EQ(0, vmlab_region_info(self->fd, rc.id, &ri));
	/* with 16 KiB pages the runner has the kernel give it a page, its size then */
	EXPECT_EQ(PAGE == 4096 ? 256 : PAGE, ri.bar_size);
	EXPECT_FALSE(ri.pci_flags & VMLAB_PCI_PREFETCH);
	EXPECT_EQ(0, ri.phys_addr % PAGE);
	TH_LOG("BAR0 at %#llx, %llu bytes", (unsigned long long)ri.phys_addr,
	       (unsigned long long)ri.bar_size);
	/* a writable shared mapping is refused, and mprotect cannot make one */
	errno = 0;
	EXPECT_EQ(MAP_FAILED, mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, self->fd,
				   rc.offset));
	EXPECT_EQ(EACCES, errno);
	p = vmlab_region_map(self->fd, rc.offset, PAGE, PROT_READ, MAP_SHARED);
	ASSERT_NE(MAP_FAILED, p);
	EXPECT_NE(0, mprotect((void *)p, PAGE, PROT_READ | PROT_WRITE));
	/* IntrMask: nothing enabled interrupts */
	EXPECT_EQ(0, p[0]);
	ASSERT_EQ(0, vmlab_walk(self->fd, 0, (uintptr_t)p, &w));
	EXPECT_EQ(uc_mode, w.cache_mode);
	EXPECT_FALSE(w.leaf_flags & VMLAB_PTE_WRITE);
	EXPECT_EQ(VMLAB_REGION_PCI, w.region_kind);
	munmap((void *)p, PAGE);
	EXPECT_EQ(0, vmlab_region_destroy(self->fd, rc.id));
}

/* BAR0 writable, or write-combining: EACCES and EINVAL. */
TEST_F(pci, bar0_writable_or_wc_refused)
{
	EXPECT_EQ(EACCES, pci_errno(self->fd, self->addr, BAR_REGS, 0, 0, 0, 0));
	EXPECT_EQ(EACCES, pci_errno(self->fd, self->addr, BAR_REGS, 0, 0, 0, VMLAB_CACHE_UC));
	EXPECT_EQ(EINVAL, pci_errno(self->fd, self->addr, BAR_REGS, 0, 0,
				    VMLAB_REGION_READONLY, VMLAB_CACHE_WC));
}

/* Bad device, BAR, offset, length or caching mode: each its documented errno. */
TEST_F(pci, bad_input_errnos)
{
	__u32 other = self->addr ^ VMLAB_PCI_ADDR(0, 0, 1, 0);

	EXPECT_EQ(ENODEV, pci_errno(self->fd, other, BAR_SHM, 0, 0, 0, 0));
	EXPECT_EQ(ENODEV, pci_errno(self->fd, UINT32_MAX, BAR_SHM, 0, 0, 0, 0));
	EXPECT_EQ(EINVAL, pci_errno(self->fd, self->addr, VMLAB_PCI_NR_BARS, 0, 0, 0, 0));
	EXPECT_EQ(EINVAL, pci_errno(self->fd, self->addr, UINT32_MAX, 0, 0, 0, 0));
	/* ivshmem-plain has no BAR1 (MSI-X is ivshmem-doorbell's) */
	EXPECT_EQ(ENXIO, pci_errno(self->fd, self->addr, 1, 0, 0, 0, 0));
	EXPECT_EQ(ENXIO, pci_errno(self->fd, self->addr, 5, 0, 0, 0, 0));
	EXPECT_EQ(EINVAL, pci_errno(self->fd, self->addr, BAR_SHM, 100, 0, 0, 0));
	EXPECT_EQ(EINVAL, pci_errno(self->fd, self->addr, BAR_SHM, 2 * MIB, 0, 0, 0));
	EXPECT_EQ(EINVAL, pci_errno(self->fd, self->addr, BAR_SHM, UINT64_MAX & ~(PAGE - 1),
				    PAGE, 0, 0));
	EXPECT_EQ(EINVAL, pci_errno(self->fd, self->addr, BAR_SHM, 0, 4 * MIB, 0, 0));
	EXPECT_EQ(EINVAL, pci_errno(self->fd, self->addr, BAR_SHM, MIB, 2 * MIB, 0, 0));
	EXPECT_EQ(EINVAL, pci_errno(self->fd, self->addr, BAR_SHM, 0, PAGE + 1, 0, 0));
	EXPECT_EQ(EINVAL, pci_errno(self->fd, self->addr, BAR_SHM, 0, 0, 0, VMLAB_CACHE_WT));
	EXPECT_EQ(EINVAL, pci_errno(self->fd, self->addr, BAR_SHM, 0, 0, 1u << 7, 0));
	/* a part of the BAR is fine */
	EXPECT_EQ(0, pci_errno(self->fd, self->addr, BAR_SHM, MIB, MIB, 0, 0));
}

/* runs @argv, its stdout into @out (@size bytes, NUL-terminated); the exit status */
static int run(char *out, size_t size, char *const argv[])
{
	int pipefd[2], status;
	size_t got = 0;
	ssize_t n;
	pid_t pid;

	if (pipe(pipefd))
		return -1;
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		dup2(pipefd[1], 1);
		close(pipefd[0]);
		close(pipefd[1]);
		execv(argv[0], argv);
		_exit(127);
	}
	close(pipefd[1]);
	while (got < size - 1 && (n = read(pipefd[0], out + got, size - 1 - got)) > 0)
		got += n;
	out[got] = 0;
	close(pipefd[0]);
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

/* vmlab hexdump of BAR2 prints exactly what hexdump -C prints of the host's bytes. */
TEST_F(pci, hexdump_cli_shows_host_bytes)
{
	const char *path = "/tmp/vmlab-pci-host-pattern";
	/* a page's hexdump -C: 78 bytes per 16 (a 16 KiB page: 78 KiB) */
	static char got[1 << 18], want[1 << 18];
	struct vmlab_region_create rc;
	uint64_t words[PAGE / 8];
	char id[16], len[16];
	char *const hexdump[] = { VMLAB_BIN, "hexdump", "-n", len, id, NULL };
	size_t i;
	FILE *f;

	snprintf(len, sizeof(len), "%lu", PAGE);
	for (i = 0; i < PAGE / 8; i++)
		words[i] = vmlab_ivshmem_word(VMLAB_IVSHMEM_HOST_TAG, PAGE + i * 8);
	f = fopen(path, "w");
	ASSERT_NE(NULL, f);
	ASSERT_EQ(1, fwrite(words, sizeof(words), 1, f));
	ASSERT_EQ(0, fclose(f));
	ASSERT_EQ(0, run(want, sizeof(want), (char *[]){ HEXDUMP_BIN, "-C", (char *)path, NULL }));

	ASSERT_EQ(0, vmlab_region_pci(self->fd, self->addr, BAR_SHM, PAGE, 2 * PAGE, 0, 0, &rc));
	snprintf(id, sizeof(id), "%u", rc.id);
	ASSERT_EQ(0, run(got, sizeof(got), hexdump));
	EXPECT_STREQ(want, got);
	EXPECT_NE(NULL, strstr(got, "|....host....host|"));
	unlink(path);
	EXPECT_EQ(0, vmlab_region_destroy(self->fd, rc.id));
}

/* vmlab info names the device; region list and info show its BAR; hexdump reads BAR0. */
TEST_F(pci, region_list_cli_shows_bar)
{
	static char out[1 << 16];
	struct vmlab_region_create rc;
	char want[96], pci[16], id[16];
	char *const create_ro[] = { VMLAB_BIN, "region", "create", "--kind", "pci", "--pci", pci,
				    "--bar", "0", "--readonly", NULL };
	char *const create[] = { VMLAB_BIN, "region", "create", "--kind", "pci", "--pci", pci,
				 "--bar", "0", NULL };
	char *const hexdump[] = { VMLAB_BIN, "hexdump", "-n", "16", id, NULL };
	int n;

	vmlab_pci_format(pci, sizeof(pci), self->addr);
	ASSERT_EQ(0, run(out, sizeof(out), (char *[]){ VMLAB_BIN, "info", NULL }));
	snprintf(want, sizeof(want), "pci devices     %s\n", pci);
	EXPECT_NE(NULL, strstr(out, want)) TH_LOG("no \"%s\" in:\n%s", want, out);
	ASSERT_NE(0, bar_region(self->fd, self->addr, BAR_SHM, 0, 0, &rc));
	ASSERT_EQ(0, run(out, sizeof(out), (char *[]){ VMLAB_BIN, "region", "list", NULL }));
	snprintf(want, sizeof(want), "%s BAR2 2M prefetch\n", pci);
	EXPECT_NE(NULL, strstr(out, want)) TH_LOG("no \"%s\" in:\n%s", want, out);
	snprintf(id, sizeof(id), "%u", rc.id);
	ASSERT_EQ(0, run(out, sizeof(out), (char *[]){ VMLAB_BIN, "region", "info", id, NULL }));
	EXPECT_NE(NULL, strstr(out, "BAR2 + 0x0 of 2M (2097152 bytes), prefetchable"))
		TH_LOG("%s", out);
	EXPECT_EQ(0, vmlab_region_destroy(self->fd, rc.id));

	/* the CLI creates one too, and says why it cannot */
	ASSERT_EQ(0, run(out, sizeof(out), create_ro));
	EXPECT_NE(NULL, strstr(out, "BAR0 + 0x0, UC")) TH_LOG("%s", out);
	n = sscanf(out, "region %u created", &rc.id);
	ASSERT_EQ(1, n);
	/* the registers through the tool: one line of 16 bytes, then the end */
	snprintf(id, sizeof(id), "%u", rc.id);
	ASSERT_EQ(0, run(out, sizeof(out), hexdump));
	EXPECT_EQ(0, strncmp(out, "00000000  ", 10)) TH_LOG("%s", out);
	EXPECT_NE(NULL, strstr(out, "|\n00000010\n")) TH_LOG("%s", out);
	EXPECT_EQ(0, vmlab_region_destroy(self->fd, rc.id));
	EXPECT_EQ(1, run(out, sizeof(out), create));
}

static sigjmp_buf bus_env;

static void on_sigbus(int sig)
{
	siglongjmp(bus_env, sig);
}

/* reads *@p; the signal that stopped it (SIGBUS), or 0 */
static int read_signal(const volatile uint64_t *p, uint64_t *val)
{
	struct sigaction sa = { .sa_handler = on_sigbus }, old;
	int sig;

	sigemptyset(&sa.sa_mask);
	sigaction(SIGBUS, &sa, &old);
	sig = sigsetjmp(bus_env, 1);
	if (!sig)
		*val = *p;
	sigaction(SIGBUS, &old, NULL);
	return sig;
}

/*
 * Unbind the driver while BAR2 is mapped: the mapping is zapped, the next
 * access gets SIGBUS, the region says gone, mmap and new regions get ENODEV;
 * bind again: a new region maps the same bytes.
 */
TEST_F(pci, unbind_while_mapped_then_rebind)
{
	struct vmlab_region_create rc, rc2;
	struct vmlab_region_info ri;
	volatile uint64_t *p, *q;
	struct vmlab_walk w;
	uint64_t val = 0;
	size_t first = 0;

	ASSERT_NE(0, bar_region(self->fd, self->addr, BAR_SHM, 0, 0, &rc));
	p = vmlab_region_map(self->fd, rc.offset, rc.length, PROT_READ | PROT_WRITE, MAP_SHARED);
	ASSERT_NE(MAP_FAILED, p);
	ASSERT_EQ(0, read_signal(p + 3, &val));
	EXPECT_EQ(vmlab_ivshmem_word(VMLAB_IVSHMEM_HOST_TAG, 24), val);

	ASSERT_EQ(0, vmlab_pci_unbind(self->addr)) TH_LOG("unbind: %s", strerror(errno));
	EXPECT_EQ(0, vmlab_pci_devices(&rc2.pci_addr, 1));
	/* zapped: nothing mapped any more */
	ASSERT_EQ(0, vmlab_walk(self->fd, 0, (uintptr_t)(p + 3), &w));
	EXPECT_FALSE(w.leaf_flags & VMLAB_PTE_PRESENT);
	EXPECT_EQ(SIGBUS, read_signal(p + 3, &val));
	EXPECT_EQ(SIGBUS, read_signal(p + MIB / 8, &val));
	ASSERT_EQ(0, vmlab_region_info(self->fd, rc.id, &ri));
	EXPECT_TRUE(ri.pci_flags & VMLAB_PCI_GONE);
	errno = 0;
	EXPECT_EQ(MAP_FAILED, mmap(NULL, PAGE, PROT_READ, MAP_SHARED, self->fd, rc.offset));
	EXPECT_EQ(ENODEV, errno);
	EXPECT_EQ(ENODEV, pci_errno(self->fd, self->addr, BAR_SHM, 0, 0, 0, 0));

	ASSERT_EQ(0, vmlab_pci_bind(self->addr)) TH_LOG("bind: %s", strerror(errno));
	ASSERT_NE(0, bar_region(self->fd, self->addr, BAR_SHM, 0, 0, &rc2));
	q = vmlab_region_map(self->fd, rc2.offset, rc2.length, PROT_READ, MAP_SHARED);
	ASSERT_NE(MAP_FAILED, q);
	EXPECT_EQ(0, host_pattern_mismatches(q, &first));
	/* the old region stays gone: it named the device that went away */
	EXPECT_EQ(SIGBUS, read_signal(p + 3, &val));
	ASSERT_EQ(0, vmlab_region_info(self->fd, rc.id, &ri));
	EXPECT_TRUE(ri.pci_flags & VMLAB_PCI_GONE);
	munmap((void *)q, rc2.length);
	munmap((void *)p, rc.length);
	EXPECT_EQ(0, vmlab_region_destroy(self->fd, rc.id));
	EXPECT_EQ(0, vmlab_region_destroy(self->fd, rc2.id));
}

/*
 * The child maps, reads every page and unmaps BAR2's region in a loop, so
 * that faults race with the unbind: it ends by SIGBUS (a fault after the
 * device went) or exits 0 when mmap says ENODEV; 1 on anything else.
 */
static int fault_loop(int fd, const struct vmlab_region_create *rc)
{
	volatile uint64_t *p;
	uint64_t sum = 0;
	size_t i;

	for (;;) {
		p = vmlab_region_map(fd, rc->offset, rc->length, PROT_READ, MAP_SHARED);
		if (p == MAP_FAILED)
			return errno == ENODEV ? 0 : 1;
		for (i = 0; i < rc->length / 8; i += PAGE / 8)
			sum += p[i];
		munmap((void *)p, rc->length);
	}
	return sum == 1;	/* not reached */
}

/* Unbind while another process faults BAR2 in and out: SIGBUS or ENODEV, no crash. */
TEST_F(pci, unbind_races_faults)
{
	struct vmlab_region_create rc;
	int status, ret;
	pid_t pid;

	ASSERT_NE(0, bar_region(self->fd, self->addr, BAR_SHM, 0, 0, &rc));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0)
		_exit(fault_loop(self->fd, &rc));
	usleep(200 * 1000);
	ret = vmlab_pci_unbind(self->addr);
	if (ret)
		kill(pid, SIGKILL);
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_EQ(0, ret) TH_LOG("unbind: %s", strerror(errno));
	EXPECT_TRUE((WIFSIGNALED(status) && WTERMSIG(status) == SIGBUS) ||
		    (WIFEXITED(status) && WEXITSTATUS(status) == 0))
		TH_LOG("child status %#x", status);
	ASSERT_EQ(0, vmlab_pci_bind(self->addr));
	EXPECT_EQ(0, vmlab_region_destroy(self->fd, rc.id));
}

/* Unbind with a region left unmapped, bind, and destroy it: no leak, no crash. */
TEST_F(pci, unbind_with_idle_region)
{
	struct vmlab_region_create rc;
	struct vmlab_region_info ri;

	ASSERT_NE(0, bar_region(self->fd, self->addr, BAR_REGS, VMLAB_REGION_READONLY, 0, &rc));
	ASSERT_EQ(0, vmlab_pci_unbind(self->addr));
	ASSERT_EQ(0, vmlab_region_info(self->fd, rc.id, &ri));
	EXPECT_TRUE(ri.pci_flags & VMLAB_PCI_GONE);
	ASSERT_EQ(0, vmlab_pci_bind(self->addr));
	EXPECT_EQ(0, vmlab_region_destroy(self->fd, rc.id));
	EXPECT_EQ(0, pci_errno(self->fd, self->addr, BAR_REGS, 0, 0, VMLAB_REGION_READONLY, 0));
}

/*
 * PCI domains above 0xffff: VMLAB_PCI_ADDR64() keeps them, its upper half
 * goes in @pci_addr_hi, and a device named with a domain 0x10000 above
 * its own is another (ENODEV). The first ABI's 80- and 216-byte structs
 * (VMLAB_IOC_REGION_CREATE_V1, _INFO_V1) are still served, and nothing
 * past their end is written.
 */
TEST_F(pci, wide_domains_and_first_abi_structs)
{
	const __u64 wide = VMLAB_PCI_ADDR64(0x12345, 0xab, 0x1f, 7);
	struct vmlab_region_create rc;
	struct vmlab_region_info ri;

	EXPECT_EQ(0x12345, VMLAB_PCI_DOMAIN64(wide));
	EXPECT_EQ(1, VMLAB_PCI_ADDR_HI(wide));
	EXPECT_EQ(0x2345, VMLAB_PCI_DOMAIN(VMLAB_PCI_ADDR_LO(wide)));
	EXPECT_EQ(0xab, VMLAB_PCI_BUS(VMLAB_PCI_ADDR_LO(wide)));
	EXPECT_EQ(0x1f, VMLAB_PCI_DEV(VMLAB_PCI_ADDR_LO(wide)));
	EXPECT_EQ(7, VMLAB_PCI_FN(VMLAB_PCI_ADDR_LO(wide)));

	rc = raw_create(VMLAB_REGION_PCI, 0);
	rc.pci_addr = self->addr;
	rc.bar = BAR_SHM;
	rc.pci_addr_hi = 1;
	EXPECT_EQ(ENODEV, ioctl_errno(self->fd, VMLAB_IOC_REGION_CREATE, &rc));

	/* the first ABI's struct: the same request, 80 bytes */
	rc.pci_addr_hi = 0xdead;	/* past the old struct's end: not read */
	rc.size = VMLAB_REGION_CREATE_SIZE_V1;
	ASSERT_EQ(0, ioctl_errno(self->fd, VMLAB_IOC_REGION_CREATE_V1, &rc));
	EXPECT_EQ(VMLAB_REGION_CREATE_SIZE_V1, rc.size);
	EXPECT_EQ(0xdead, rc.pci_addr_hi);
	EXPECT_NE(0, rc.id);

	memset(&ri, 0, sizeof(ri));
	ri.size = VMLAB_REGION_INFO_SIZE_V1;
	ri.id = rc.id;
	ri.pci_addr_hi = 0xdead;
	ASSERT_EQ(0, ioctl_errno(self->fd, VMLAB_IOC_REGION_INFO_V1, &ri));
	EXPECT_EQ(VMLAB_REGION_INFO_SIZE_V1, ri.size);
	EXPECT_EQ(self->addr, ri.pci_addr);
	EXPECT_EQ(BAR_SHM, ri.bar);
	EXPECT_EQ(0xdead, ri.pci_addr_hi);

	/* today's struct: the whole address, its upper half 0 in domain 0 */
	ASSERT_EQ(0, vmlab_region_info(self->fd, rc.id, &ri));
	EXPECT_EQ(sizeof(ri), ri.size);
	EXPECT_EQ(self->addr, ri.pci_addr);
	EXPECT_EQ(0, ri.pci_addr_hi);
	EXPECT_EQ(0, vmlab_region_destroy(self->fd, rc.id));
}

TEST_HARNESS_MAIN
