// SPDX-License-Identifier: GPL-2.0
/*
 * libvmlab: names the vmlab tool prints and parses - feature bits, region
 * kinds, fills and caching modes - and the decoding of a raw x86-64
 * page-table entry (see libvmlab.h, "Names for the tool").
 */
#include <string.h>

#include "libvmlab.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

static const char *const feature_names[] = {
	"regions", "walk", "walk-range", "device-pmd", "pci",
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

static const char *name_of(const char *const *names, size_t n, unsigned int i)
{
	return i < n && names[i] ? names[i] : NULL;
}

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

/* x86-64 page-table entry bits */
#define X86_PRESENT	(1ULL << 0)
#define X86_RW		(1ULL << 1)
#define X86_USER	(1ULL << 2)
#define X86_ACCESSED	(1ULL << 5)
#define X86_DIRTY	(1ULL << 6)
#define X86_PSE		(1ULL << 7)	/* a PMD or PUD leaf (PAT in a PTE) */
#define X86_GLOBAL	(1ULL << 8)
#define X86_NX		(1ULL << 63)

uint32_t vmlab_entry_flags(uint64_t entry, unsigned int level)
{
	uint32_t f = 0;

	if (!(entry & X86_PRESENT))
		return 0;
	f |= VMLAB_PTE_PRESENT;
	if (entry & X86_RW)
		f |= VMLAB_PTE_WRITE;
	if (entry & X86_USER)
		f |= VMLAB_PTE_USER;
	if (entry & X86_ACCESSED)
		f |= VMLAB_PTE_ACCESSED;
	if (entry & X86_NX)
		f |= VMLAB_PTE_NOEXEC;
	if ((level == VMLAB_LEVEL_PMD || level == VMLAB_LEVEL_PUD) && (entry & X86_PSE))
		f |= VMLAB_PTE_HUGE;
	if (level == VMLAB_LEVEL_PTE || (f & VMLAB_PTE_HUGE)) {
		if (entry & X86_DIRTY)
			f |= VMLAB_PTE_DIRTY;
		if (entry & X86_GLOBAL)
			f |= VMLAB_PTE_GLOBAL;
	}
	return f;
}
