// SPDX-License-Identifier: GPL-2.0
/*
 * shapes.c - the page-table shapes vmlab knows and the arithmetic of an
 * address's split on each (see shapes.h): which bits index which level, the
 * offset in a leaf, and which addresses a shape translates at all.
 *
 * The numbers are the kernels' own: PGDIR_SHIFT, P4D_SHIFT, PUD_SHIFT,
 * PMD_SHIFT and PTRS_PER_* of arch/x86/include/asm/pgtable{_32,_64}_types.h,
 * pgtable-{2,3}level_types.h and arch/arm64/include/asm/pgtable-hwdef.h for
 * the configurations Debian builds (FACTS.md: "Other page-table shapes").
 */
#include <stdio.h>
#include <string.h>
#include <sys/utsname.h>

#include "cli.h"
#include "shapes.h"

#define L(lvl, sh, nbits, hg)	{ .level = VMLAB_LEVEL_##lvl, .shift = (sh), .bits = (nbits), \
				  .huge = (hg) }
/* physical-address bits of an x86 entry: 51-12 (NX and software bits above) */
#define X86_PHYS_MASK		0x000ffffffffff000ULL
/*
 * arm64 with LPA2 (4 and 16 KiB granules, 52-bit addresses): entry bits
 * 49-12 (49-14) hold the address's, entry bits 9-8 its bits 51-50 (where
 * the shareability field is without LPA2)
 */
#define LPA2_PHYS_HIGH		0x300ULL
#define LPA2_PHYS_HIGH_SHIFT	42

const struct shape shapes[] = {
	{
		/* i386 without PAE (Debian's 686): PMD and PUD folded, 4 MiB PSE leaves */
		.name = "x86-32", .arch = "x86",
		.title = "x86 32-bit, 2 levels (non-PAE, 4-byte entries)",
		.va_bits = 32, .page_shift = 12, .entry_bytes = 4, .canon = SHAPE_ZERO,
		.user_end = 0xc0000000ULL, .phys_mask = 0xfffff000ULL,
		.nr_levels = 2,
		.levels = { L(PGD, 22, 10, true), L(PTE, 12, 10, false) },
	}, {
		/* i386 with PAE (Debian's 686-pae): P4D and PUD folded, 4 PGD entries */
		.name = "x86-pae", .arch = "x86",
		.title = "x86 32-bit PAE, 3 levels (8-byte entries)",
		.va_bits = 32, .page_shift = 12, .entry_bytes = 8, .canon = SHAPE_ZERO,
		.user_end = 0xc0000000ULL, .phys_mask = X86_PHYS_MASK,
		.nr_levels = 3,
		.levels = { L(PGD, 30, 2, false), L(PMD, 21, 9, true), L(PTE, 12, 9, false) },
	}, {
		.name = "x86-64", .arch = "x86",
		.title = "x86-64, 4 levels (48-bit addresses)",
		.va_bits = 48, .page_shift = 12, .entry_bytes = 8, .canon = SHAPE_SIGN,
		.user_end = 1ULL << 47, .phys_mask = X86_PHYS_MASK,
		.nr_levels = 4,
		.levels = { L(PGD, 39, 9, false), L(PUD, 30, 9, true), L(PMD, 21, 9, true),
			    L(PTE, 12, 9, false) },
	}, {
		.name = "x86-64-la57", .arch = "x86",
		.title = "x86-64 with LA57, 5 levels (57-bit addresses)",
		.va_bits = 57, .page_shift = 12, .entry_bytes = 8, .canon = SHAPE_SIGN,
		.user_end = 1ULL << 56, .phys_mask = X86_PHYS_MASK,
		.nr_levels = 5,
		.levels = { L(PGD, 48, 9, false), L(P4D, 39, 9, false), L(PUD, 30, 9, true),
			    L(PMD, 21, 9, true), L(PTE, 12, 9, false) },
	}, {
		/* bookworm's arm64 6.1; trixie's 6.12 with lpa2=off */
		.name = "arm64-4k", .arch = "arm64",
		.title = "arm64 4 KiB granule, 4 levels (48-bit addresses)",
		.va_bits = 48, .page_shift = 12, .entry_bytes = 8, .canon = SHAPE_HALVES,
		.user_end = 1ULL << 48, .phys_mask = 0x0000fffffffff000ULL,
		.nr_levels = 4,
		.levels = { L(PGD, 39, 9, false), L(PUD, 30, 9, true), L(PMD, 21, 9, true),
			    L(PTE, 12, 9, false) },
	}, {
		/* trixie's arm64 6.12 on a CPU with FEAT_LPA2: a 16-entry PGD */
		.name = "arm64-4k-lpa2", .arch = "arm64",
		.title = "arm64 4 KiB granule with LPA2, 5 levels (52-bit addresses)",
		.va_bits = 52, .page_shift = 12, .entry_bytes = 8, .canon = SHAPE_HALVES,
		.user_end = 1ULL << 52, .phys_mask = 0x0003fffffffff000ULL,
		.phys_high = LPA2_PHYS_HIGH, .phys_high_shift = LPA2_PHYS_HIGH_SHIFT,
		.nr_levels = 5,
		.levels = { L(PGD, 48, 4, false), L(P4D, 39, 9, false), L(PUD, 30, 9, true),
			    L(PMD, 21, 9, true), L(PTE, 12, 9, false) },
	}, {
		/* trixie's arm64-16k 6.12 with lpa2=off: 32 MiB PMD leaves */
		.name = "arm64-16k", .arch = "arm64",
		.title = "arm64 16 KiB granule, 3 levels (47-bit addresses)",
		.va_bits = 47, .page_shift = 14, .entry_bytes = 8, .canon = SHAPE_HALVES,
		.user_end = 1ULL << 47, .phys_mask = 0x0000ffffffffc000ULL,
		.nr_levels = 3,
		.levels = { L(PGD, 36, 11, false), L(PMD, 25, 11, true), L(PTE, 14, 11, false) },
	}, {
		/* trixie's arm64-16k 6.12 with FEAT_LPA2: a 32-entry PGD */
		.name = "arm64-16k-lpa2", .arch = "arm64",
		.title = "arm64 16 KiB granule with LPA2, 4 levels (52-bit addresses)",
		.va_bits = 52, .page_shift = 14, .entry_bytes = 8, .canon = SHAPE_HALVES,
		.user_end = 1ULL << 52, .phys_mask = 0x0003ffffffffc000ULL,
		.phys_high = LPA2_PHYS_HIGH, .phys_high_shift = LPA2_PHYS_HIGH_SHIFT,
		.nr_levels = 4,
		.levels = { L(PGD, 47, 5, false), L(PUD, 36, 11, false), L(PMD, 25, 11, true),
			    L(PTE, 14, 11, false) },
	},
};

const size_t nr_shapes = ARRAY_SIZE(shapes);

const struct shape *shape_by_name(const char *name)
{
	size_t i;

	for (i = 0; i < nr_shapes; i++)
		if (!strcmp(shapes[i].name, name))
			return &shapes[i];
	return NULL;
}

/* the arch of uname -m @machine; NULL for one without shapes here */
static const char *arch_of(const char *machine)
{
	/* i386 to i686: a 32-bit kernel, or a 32-bit tool under linux32 */
	bool i86 = machine[0] == 'i' && machine[1] && strchr("3456", machine[1]) &&
		   !strcmp(machine + 2, "86");

	if (i86 || !strcmp(machine, "x86_64"))
		return "x86";
	if (!strcmp(machine, "aarch64") || !strcmp(machine, "arm64"))
		return "arm64";
	return NULL;
}

const struct shape *shape_of_kernel(const char *machine, unsigned int levels,
				    unsigned int page_size)
{
	const char *arch = arch_of(machine);
	size_t i;

	if (!arch)
		return NULL;
	for (i = 0; i < nr_shapes; i++)
		if (!strcmp(shapes[i].arch, arch) && shapes[i].nr_levels == levels &&
		    1u << shapes[i].page_shift == page_size)
			return &shapes[i];
	return NULL;
}

const struct shape *shape_running(unsigned int levels, unsigned int page_size)
{
	struct utsname u;

	if (uname(&u))
		return NULL;
	return shape_of_kernel(u.machine, levels, page_size);
}

uint32_t shape_level_mask(const struct shape *s)
{
	uint32_t mask = 0;
	unsigned int i;

	for (i = 0; i < s->nr_levels; i++)
		mask |= 1u << s->levels[i].level;
	return mask;
}

const struct shape_level *shape_level(const struct shape *s, unsigned int level)
{
	unsigned int i;

	for (i = 0; i < s->nr_levels; i++)
		if (s->levels[i].level == level)
			return &s->levels[i];
	return NULL;
}

/* the bits of @addr from bit @from up, shifted down */
static uint64_t bits_from(uint64_t addr, unsigned int from)
{
	return from >= 64 ? 0 : addr >> from;
}

const char *shape_addr_problem(const struct shape *s, uint64_t addr, char *buf,
			       size_t size)
{
	unsigned int top = s->canon == SHAPE_SIGN ? s->va_bits - 1 : s->va_bits;
	uint64_t high = bits_from(addr, top), ones = bits_from(~0ULL, top);

	if (high == 0 || (s->canon != SHAPE_ZERO && high == ones))
		return NULL;
	if (s->canon == SHAPE_ZERO)
		snprintf(buf, size, "wider than %u bits: no such address on this shape",
			 s->va_bits);
	else if (s->canon == SHAPE_SIGN)
		snprintf(buf, size, "not canonical: bits 63-%u must all equal bit %u", top, top);
	else
		snprintf(buf, size,
			 "in neither half: bits 63-%u must be all 0 (user) or all 1 (kernel)",
			 top);
	return buf;
}

bool shape_kernel_half(const struct shape *s, uint64_t addr)
{
	return addr >= s->user_end;
}

const char *shape_folded(const struct shape *s, char *buf, size_t size)
{
	unsigned int l;
	size_t n = 0;

	buf[0] = '\0';
	for (l = 0; l < VMLAB_NR_LEVELS && n < size; l++) {
		if (shape_level(s, l))
			continue;
		n += snprintf(buf + n, size - n, "%s%s", n ? ", " : "", vmlab_level_name(l));
	}
	return buf;
}

uint64_t shape_entry_phys(const struct shape *s, uint64_t entry)
{
	return (entry & s->phys_mask) | (entry & s->phys_high) << s->phys_high_shift;
}

uint32_t shape_index(const struct shape_level *l, uint64_t addr)
{
	return (addr >> l->shift) & ((1u << l->bits) - 1);
}

unsigned int shape_leaf_shift(const struct shape *s, unsigned int level)
{
	unsigned int i, shift = 0;

	if (level == VMLAB_LEVEL_PTE)
		return s->page_shift;
	/* a folded level's entry is the one above it: PMD_SHIFT is PGDIR_SHIFT on 2 levels */
	for (i = 0; i < s->nr_levels && s->levels[i].level <= level; i++)
		shift = s->levels[i].shift;
	return shift;
}
