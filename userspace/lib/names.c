// SPDX-License-Identifier: GPL-2.0
/*
 * libvmlab: every name of a value of the ABI, for printing and parsing -
 * verdicts and their reasons, levels, caching modes, backings, the bits
 * of VMLAB_PTE_*, VMLAB_PAGE_*, VMLAB_VMA_*, feature bits, region kinds,
 * fills and region flags (see libvmlab.h, "Names").
 */
#include <stdio.h>
#include <string.h>

#include "libvmlab.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

static const char *name_of(const char *const *names, size_t n, unsigned int i)
{
	return i < n && names[i] ? names[i] : NULL;
}

static const char *const feature_names[] = {
	"regions", "walk", "walk-range", "device-pmd", "pci", "frame-tokens",
	"walk-mem-fd",
};

static const char *const kind_names[] = {
	[VMLAB_REGION_FILE] = "file",
	[VMLAB_REGION_ANON] = "anon",
	[VMLAB_REGION_DEVICE] = "device",
	[VMLAB_REGION_PCI] = "pci",
};

static const char *const fill_names[] = {
	[VMLAB_FILL_ZERO] = "zero",
	[VMLAB_FILL_BYTE] = "byte",
	[VMLAB_FILL_PATTERN] = "pattern",
};

static const char *const region_flag_names[] = {
	"readonly",
};

static int value_of(const char *const *names, size_t n, const char *s)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (names[i] && !strcmp(names[i], s))
			return i;
	}
	return -1;
}

const char *vmlab_feature_name(unsigned int bit)
{
	return name_of(feature_names, ARRAY_SIZE(feature_names), bit);
}

const char *vmlab_region_kind_name(unsigned int kind)
{
	return name_of(kind_names, ARRAY_SIZE(kind_names), kind);
}

int vmlab_region_kind_value(const char *name)
{
	return value_of(kind_names, ARRAY_SIZE(kind_names), name);
}

const char *vmlab_fill_name(unsigned int fill)
{
	return name_of(fill_names, ARRAY_SIZE(fill_names), fill);
}

const char *vmlab_region_flag_name(unsigned int bit)
{
	return name_of(region_flag_names, ARRAY_SIZE(region_flag_names), bit);
}

int vmlab_cache_value(const char *name)
{
	unsigned int mode;

	for (mode = 0; vmlab_cache_name(mode); mode++) {
		if (!strcasecmp(vmlab_cache_name(mode), name))
			return mode;
	}
	return -1;
}

static const char *const verdict_names[] = {
	[VMLAB_COW_NONE]		= "none",
	[VMLAB_COW_ZERO_PAGE]		= "zero-page",
	[VMLAB_COW_SHARED]		= "cow-shared",
	[VMLAB_COW_EXCLUSIVE_WP]	= "exclusive-wp",
	[VMLAB_COW_PRIVATE_FILE]	= "private-file",
	[VMLAB_COW_WRITABLE]		= "writable",
	[VMLAB_COW_SHARED_WRITABLE]	= "shared-writable",
	[VMLAB_COW_SHARED_CLEAN]	= "shared-clean",
	[VMLAB_COW_READONLY]		= "read-only",
	[VMLAB_COW_PFNMAP]		= "pfnmap",
	[VMLAB_COW_SWAPPED]		= "swapped",
};

static const char *const verdict_reasons[] = {
	[VMLAB_COW_NONE] =
		"nothing is mapped: a write faults a new page in",
	[VMLAB_COW_ZERO_PAGE] =
		"the shared zero page is mapped read-only: a write allocates a page",
	[VMLAB_COW_SHARED] =
		"anonymous page mapped (or referenced) elsewhere too, or part of a large folio this kernel will not reuse, write-protected: a write copies it",
	[VMLAB_COW_EXCLUSIVE_WP] =
		"anonymous page mapped only here, write-protected: a write reuses it",
	[VMLAB_COW_PRIVATE_FILE] =
		"file page or PFN map entry in a private mapping, not copied yet: a write copies it",
	[VMLAB_COW_WRITABLE] =
		"private page with a writable entry: a write just writes",
	[VMLAB_COW_SHARED_WRITABLE] =
		"shared mapping with a writable entry: a write reaches the shared page",
	[VMLAB_COW_SHARED_CLEAN] =
		"shared mapping, write-protected: a write faults and calls page_mkwrite",
	[VMLAB_COW_READONLY] =
		"the mapping does not allow writing: a write gets SIGSEGV",
	[VMLAB_COW_PFNMAP] =
		"PFN map without a struct page: a write goes straight to the memory",
	[VMLAB_COW_SWAPPED] =
		"swapped out or under migration: a write faults it back in first",
};

const char *vmlab_verdict_name(unsigned int verdict)
{
	return name_of(verdict_names, ARRAY_SIZE(verdict_names), verdict);
}

const char *vmlab_verdict_reason(unsigned int verdict)
{
	return name_of(verdict_reasons, ARRAY_SIZE(verdict_reasons), verdict);
}

const char *vmlab_level_name(unsigned int level)
{
	static const char *const names[] = {
		[VMLAB_LEVEL_PGD] = "PGD",
		[VMLAB_LEVEL_P4D] = "P4D",
		[VMLAB_LEVEL_PUD] = "PUD",
		[VMLAB_LEVEL_PMD] = "PMD",
		[VMLAB_LEVEL_PTE] = "PTE",
	};

	if (level == VMLAB_LEVEL_NONE)
		return "none";
	return name_of(names, ARRAY_SIZE(names), level);
}

const char *vmlab_cache_name(unsigned int mode)
{
	static const char *const names[] = {
		[VMLAB_CACHE_WB] = "WB",
		[VMLAB_CACHE_WC] = "WC",
		[VMLAB_CACHE_UC] = "UC",
		[VMLAB_CACHE_WT] = "WT",
		[VMLAB_CACHE_UC_MINUS] = "UC-",
		[VMLAB_CACHE_WP] = "WP",
	};

	return name_of(names, ARRAY_SIZE(names), mode);
}

const char *vmlab_backing_name(unsigned int backing)
{
	static const char *const names[] = {
		[VMLAB_BACKING_ANON] = "anon",
		[VMLAB_BACKING_FILE] = "file",
		[VMLAB_BACKING_SHMEM] = "shmem",
		[VMLAB_BACKING_HUGETLB] = "hugetlb",
		[VMLAB_BACKING_VMLAB] = "vmlab",
		[VMLAB_BACKING_PFNMAP] = "pfnmap",
		[VMLAB_BACKING_OTHER] = "other",
	};

	return name_of(names, ARRAY_SIZE(names), backing);
}

/* names of the bits of VMLAB_PTE_*, VMLAB_PAGE_*, VMLAB_VMA_*, by bit number */
static const char *const pte_flag_names[] = {
	"present", "write", "user", "accessed", "dirty", "soft-dirty",
	"noexec", "global", "huge", "special", "uffd-wp", "protnone", "swap",
	"migration", "devmap", "cont",
};

static const char *const page_flag_names[] = {
	"present", "anon", "anon-exclusive", "ksm", "zero", "huge-zero",
	"vmlab-zero", "compound", "thp", "lru", "dirty", "swapcache", "vmlab",
};

static const char *const vma_flag_names[] = {
	"read", "write", "exec", "shared", "mayread", "maywrite", "mayexec",
	"mayshare", "pfnmap", "io", "mixedmap", "hugetlb", "dontcopy",
	"dontexpand", "dontdump", "hugepage", "nohugepage", "locked",
	"growsdown",
};

const char *vmlab_pte_flag_name(unsigned int bit)
{
	return name_of(pte_flag_names, ARRAY_SIZE(pte_flag_names), bit);
}

const char *vmlab_page_flag_name(unsigned int bit)
{
	return name_of(page_flag_names, ARRAY_SIZE(page_flag_names), bit);
}

const char *vmlab_vma_flag_name(unsigned int bit)
{
	return name_of(vma_flag_names, ARRAY_SIZE(vma_flag_names), bit);
}

int vmlab_format_flags(char *buf, size_t size, uint32_t flags,
		       const char *(*name)(unsigned int bit))
{
	size_t len = 0;
	unsigned int bit;
	int n;

	if (size)
		buf[0] = '\0';
	for (bit = 0; bit < 32; bit++) {
		const char *s;
		char unknown[16];

		if (!(flags & (1u << bit)))
			continue;
		s = name(bit);
		if (!s) {
			snprintf(unknown, sizeof(unknown), "bit%u", bit);
			s = unknown;
		}
		n = snprintf(buf + len, len < size ? size - len : 0, "%s%s",
			     len ? "|" : "", s);
		if (n < 0)
			return -1;
		len += n;
	}
	return len;
}
