// SPDX-License-Identifier: GPL-2.0
/*
 * device.c - lesson "device": DEVICE regions in each caching mode (PFN maps
 * without struct page, shared only) and, where a PCI device is bound to
 * vmlab, the BARs of QEMU's ivshmem: real device memory.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/klog.h>
#include <sys/mman.h>
#include <unistd.h>

#include "hexdump.h"
#include "ivshmem.h"
#include "lab.h"

/*
 * Whether the PAT layout the kernel programmed (its boot log's line
 * "x86/PAT: Configuration [0-7]: ...") has a write-combining slot: 1 yes,
 * 0 no, -1 unknown (no such line, or no right to read the log). Without
 * one, e.g. 6.1 booted by firmware that left the MTRRs disabled,
 * pgprot_writecombine() falls back to UC-.
 */
/*
 * arm64 has no PAT: pgprot_noncached() is Device-nGnRnE memory (UC), and
 * pgprot_writecombine() Normal non-cacheable (WC), always.
 */
#ifdef __aarch64__
#define UC_LEAF		VMLAB_CACHE_UC
#define NO_PAT		1
#else
#define UC_LEAF		VMLAB_CACHE_UC_MINUS
#define NO_PAT		0
#endif

static int pat_has_wc(void)
{
	static const char key[] = "x86/PAT: Configuration [0-7]:";
	int len = klogctl(10 /* SYSLOG_ACTION_SIZE_BUFFER */, NULL, 0);
	char *buf, *line, *eol;
	int ret = -1;

	if (NO_PAT)
		return 1;
	if (len <= 0)
		return -1;
	buf = malloc(len + 1);
	if (!buf)
		return -1;
	len = klogctl(3 /* SYSLOG_ACTION_READ_ALL */, buf, len);
	if (len > 0) {
		buf[len] = '\0';
		line = strstr(buf, key);
		if (line) {
			eol = strchrnul(line, '\n');
			*eol = '\0';
			ret = !!strstr(line, " WC ");
		}
	}
	free(buf);
	return ret;
}

/*
 * BAR2 of QEMU's ivshmem at @p, @length bytes: checks the host's pattern
 * at its start and writes the guest's over the second MiB, which the host
 * checks after this VM powers off (see ivshmem.h).
 */
static void ivshmem_patterns(struct lab *lab, volatile char *p, __u64 length)
{
	volatile uint64_t *words = (volatile uint64_t *)p;
	size_t i;

	if (length < VMLAB_IVSHMEM_SIZE)
		return;
	for (i = 0; i < 4; i++)
		if (words[i] != vmlab_ivshmem_word(VMLAB_IVSHMEM_HOST_TAG, i * 8))
			mismatch(lab,
				 "expected the host's pattern at offset %zu, the BAR holds %#llx",
				 i * 8, (unsigned long long)words[i]);
	words = (volatile uint64_t *)(p + VMLAB_IVSHMEM_GUEST_OFF);
	for (i = 0; i < (VMLAB_IVSHMEM_SIZE - VMLAB_IVSHMEM_GUEST_OFF) / 8; i++)
		words[i] = vmlab_ivshmem_word(VMLAB_IVSHMEM_GUEST_TAG,
					      VMLAB_IVSHMEM_GUEST_OFF + i * 8);
	printf("  wrote the guest's pattern over the second MiB (\"gwrt\"): the host\n"
	       "  reads it back from its file after this VM powers off\n");
}

/*
 * The real thing: BAR2 of QEMU's ivshmem, memory the host shares (filled
 * with its pattern before boot, see ivshmem.h), and BAR0, its registers.
 * @wc_leaf: what a WC DEVICE region's leaf showed, the mode WC gives here.
 */
static void lesson_device_pci(struct lab *lab, __u32 addr, unsigned int wc_leaf)
{
	static const struct want pfnmap = { VMLAB_COW_PFNMAP,
		.pte_set = VMLAB_PTE_PRESENT | VMLAB_PTE_SPECIAL,
		.page_clear = VMLAB_PAGE_PRESENT };
	static const struct want regs = { VMLAB_COW_READONLY,
		.pte_set = VMLAB_PTE_PRESENT | VMLAB_PTE_SPECIAL,
		.pte_clear = VMLAB_PTE_WRITE, .page_clear = VMLAB_PAGE_PRESENT };
	struct vmlab_region_create rc;
	struct vmlab_walk w;
	volatile char *p;
	char name[16];

	vmlab_pci_format(name, sizeof(name), addr);
	say("now real device memory: BAR2 of PCI device %s, QEMU's ivshmem, shared with the host",
	    name);
	p = lab_bar(lab, addr, 2, 0, PROT_READ | PROT_WRITE, &rc);
	if (!p)
		return;
	printf("  region %u: %s BAR2, %llu KiB, caching %s\n", rc.id, name,
	       (unsigned long long)rc.length >> 10, vmlab_cache_name(rc.cache));
	printf("  (the BAR is prefetchable: write-combining)\n");
	printf("  the first bytes, as the host wrote them before boot (offset, then \"host\"):\n");
	hexdump_c(stdout, p, 32, 0);
	ivshmem_patterns(lab, p, rc.length);
	print_header();
	if (step(lab, "BAR2: after a read", p, &pfnmap, &w))
		return;
	if (w.cache_mode != wc_leaf)
		mismatch(lab, "expected caching mode %s in the leaf, kernel shows %s",
			 vmlab_cache_name(wc_leaf), vmlab_cache_name(w.cache_mode));
	if ((w.vma_flags & (VMLAB_VMA_PFNMAP | VMLAB_VMA_IO)) != (VMLAB_VMA_PFNMAP | VMLAB_VMA_IO))
		mismatch(lab, "expected a VM_PFNMAP | VM_IO mapping, kernel shows vma flags %#x",
			 w.vma_flags);

	say("BAR0: ivshmem's registers, read-only and uncached (a write could ring a doorbell)");
	p = lab_bar(lab, addr, 0, VMLAB_REGION_READONLY, PROT_READ, &rc);
	if (!p)
		return;
	printf("  IntrMask, IntrStatus, IVPosition, Doorbell:\n");
	hexdump_c(stdout, p, 16, 0);
	print_header();
	if (step(lab, "BAR0: after a read", p, &regs, &w))
		return;
	if (w.cache_mode != VMLAB_CACHE_UC_MINUS && w.cache_mode != VMLAB_CACHE_UC)
		mismatch(lab, "expected an uncached leaf, kernel shows %s",
			 vmlab_cache_name(w.cache_mode));
	printf("  unlike page-cache memory: no struct page (the walk says no-page: nothing to\n"
	       "  count, lock or reclaim), VM_PFNMAP | VM_IO (no get_user_pages, no core\n"
	       "  dump), no copy-on-write (MAP_PRIVATE is refused), and the caching mode\n"
	       "  comes from the device: WC for prefetchable memory, UC for registers\n");
}

/* DEVICE regions: PFN maps without struct page, a caching mode each, shared only. */
static void device_run(struct lab *lab)
{
	/*
	 * x86's pgprot_noncached() asks for UC- ("uncached unless an MTRR
	 * says write-combining"), and that is what a UC region's leaf holds;
	 * without a WC slot in PAT, pgprot_writecombine() gives UC- too.
	 */
	static const struct {
		__u32 cache, leaf, leaf_nowc;
		const char *label;
	} modes[] = {
		{ VMLAB_CACHE_WB, VMLAB_CACHE_WB, VMLAB_CACHE_WB, "WB region: after a write" },
		{ VMLAB_CACHE_WC, VMLAB_CACHE_WC, VMLAB_CACHE_UC_MINUS,
		  "WC region: after a write" },
		{ VMLAB_CACHE_UC, UC_LEAF, UC_LEAF, "UC region: after a write" },
	};
	static const struct want pfnmap = { VMLAB_COW_PFNMAP,
		.pte_set = VMLAB_PTE_PRESENT | VMLAB_PTE_WRITE | VMLAB_PTE_SPECIAL,
		.page_clear = VMLAB_PAGE_PRESENT };
	static const char root_only[] =
		"  (a PCI device is bound to vmlab, but its BARs are root's: run as root to\n"
		"  map them)\n";
	static const char no_device[] =
		"  (no PCI device is bound to vmlab: the VM runner adds QEMU's ivshmem, whose\n"
		"  BARs this lesson then maps as real device memory)\n";
	int wc = pat_has_wc();
	unsigned int wc_leaf = VMLAB_CACHE_WC;
	struct vmlab_walk w;
	volatile char *p;
	__u32 pci;
	size_t i;
	__u64 off;

	say("map a DEVICE region of each caching mode MAP_SHARED and write to it");
	print_header();
	for (i = 0; i < ARRAY_SIZE(modes); i++) {
		if (!lab_region(lab, VMLAB_REGION_DEVICE, 1, 0, modes[i].cache, &off))
			return;
		p = lab_mmap(lab, PG, PROT_READ | PROT_WRITE, MAP_SHARED, lab->fd, off);
		if (!p)
			return;
		if (modes[i].cache == VMLAB_CACHE_WB)
			lab_picture(lab, "before-write", 0, p, PG);
		p[0] = 'D';
		if (step(lab, modes[i].label, p, &pfnmap, &w))
			return;
		if (modes[i].cache == VMLAB_CACHE_WB)
			lab_picture(lab, "after-write", 0, p, PG);
		if ((wc == 1 && w.cache_mode != modes[i].leaf) ||
		    (wc == 0 && w.cache_mode != modes[i].leaf_nowc) ||
		    (w.cache_mode != modes[i].leaf && w.cache_mode != modes[i].leaf_nowc))
			mismatch(lab, "expected caching mode %s in the leaf, kernel shows %s",
				 vmlab_cache_name(wc ? modes[i].leaf : modes[i].leaf_nowc),
				 vmlab_cache_name(w.cache_mode));
		if ((w.vma_flags & (VMLAB_VMA_PFNMAP | VMLAB_VMA_IO)) !=
		    (VMLAB_VMA_PFNMAP | VMLAB_VMA_IO))
			mismatch(lab,
				 "expected a VM_PFNMAP | VM_IO mapping, kernel shows vma flags %#x",
				 w.vma_flags);
		if (w.backing != VMLAB_BACKING_VMLAB)
			mismatch(lab, "expected backing vmlab, kernel shows %s",
				 vmlab_backing_name(w.backing));
		if (modes[i].cache == VMLAB_CACHE_WC)
			wc_leaf = w.cache_mode;
	}
	if (NO_PAT)
		printf("  (arm64: UC is Device-nGnRnE memory, WC Normal non-cacheable, the\n"
		       "   attributes the kernel put in MAIR_EL1)\n");
	else
		printf("  (UC shows as UC-: what x86's pgprot_noncached() asks for;\n   %s)\n",
		       wc == 1 ? "this kernel's PAT layout has WC" :
		       wc == 0 ? "this kernel's PAT layout has no WC, so WC falls back to UC-" :
		       "the boot log does not say whether PAT offers WC: WC may show as UC-");

	say("map a DEVICE region MAP_PRIVATE: there is no page to copy, so mmap refuses");
	errno = 0;
	p = mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_PRIVATE, lab->fd, off);
	if (p != MAP_FAILED) {
		munmap((void *)p, PG);
		mismatch(lab, "expected MAP_PRIVATE to fail with EINVAL, kernel shows it mapped");
	} else if (errno != EINVAL) {
		mismatch(lab, "expected MAP_PRIVATE to fail with EINVAL, kernel shows %s",
			 strerror(errno));
	} else {
		printf("  %-26s %s\n", "mmap MAP_PRIVATE", strerror(errno));
	}

	if (vmlab_pci_devices(&pci, 1) == 1 && geteuid() == 0)
		lesson_device_pci(lab, pci, wc_leaf);
	else if (vmlab_pci_devices(&pci, 1) == 1)
		fputs(root_only, stdout);
	else
		fputs(no_device, stdout);
}

const struct lesson lesson_device = {
	.name = "device",
	.title = "Device memory: PFN maps without struct page",
	.run = device_run,
	.moral =
	"Device memory (a PCI BAR, or memory standing for one) is mapped by PFN (VM_PFNMAP | VM_IO) with no\n"
	"struct page, in the caching mode the device calls for (WC for prefetchable memory, UC for registers);\n"
	"with no page to copy there is no copy-on-write, so a private mapping is refused.",
};
