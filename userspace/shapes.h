/* SPDX-License-Identifier: GPL-2.0 */
/*
 * shapes.h - the page-table shapes vmlab knows (x86 two-level 32-bit, PAE,
 * 4-level and 5-level x86-64, the arm64 granules Debian ships): per shape
 * its levels and the address bits that index each, the page offset, the
 * entry width, and which addresses it translates. shapes.c is arithmetic
 * only (no device, no system call but uname), so that it runs on the host
 * and its unit test (userspace/test/shapes.c) needs nothing else; the
 * printing of an address's split, shared by walk, shapes and the lab, is in
 * cmd_shapes.c.
 */
#ifndef VMLAB_SHAPES_H
#define VMLAB_SHAPES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <linux/vmlab.h>

/* one level of a shape that has tables of its own (a folded one has none) */
struct shape_level {
	unsigned int level;	/* VMLAB_LEVEL_* */
	unsigned int shift;	/* the lowest address bit indexing it */
	unsigned int bits;	/* how many: its tables have 1 << bits entries */
	bool huge;		/* its entries may be leaves of 1 << shift bytes */
};

/* what the address bits above a shape's va_bits must hold */
enum shape_canon {
	SHAPE_ZERO,		/* zero: a 32-bit address space */
	SHAPE_SIGN,		/* copies of the top bit translated (x86-64's canonical form) */
	SHAPE_HALVES,		/* all zero (user, TTBR0) or all one (kernel, TTBR1): arm64 */
};

struct shape {
	const char *name;	/* "x86-64", as "vmlab shapes" names it */
	const char *arch;	/* "x86" (uname -m x86_64, i386 to i686), "arm64" (aarch64) */
	const char *title;	/* one line: "x86-64, 4 levels (48-bit addresses)" */
	unsigned int va_bits;	/* address bits translated: page offset and indices */
	unsigned int page_shift;
	unsigned int entry_bytes;	/* of one page-table entry */
	enum shape_canon canon;
	uint64_t user_end;	/* the first address above user space */
	/* where a table entry holds the next table's physical address; 0: not decoded here */
	uint64_t phys_mask;
	/*
	 * the address's top bits held elsewhere in the entry, moved up by
	 * phys_high_shift: arm64's LPA2 keeps bits 51-50 in entry bits 9-8
	 */
	uint64_t phys_high;
	unsigned int phys_high_shift;
	unsigned int nr_levels;
	struct shape_level levels[VMLAB_NR_LEVELS];	/* from the top */
};

/* every shape, in the order "vmlab shapes" shows them */
extern const struct shape shapes[];
extern const size_t nr_shapes;

/* the shape named @name, or NULL */
const struct shape *shape_by_name(const char *name);

/*
 * The shape of a kernel whose uname -m is @machine (x86_64, i386 to i686,
 * aarch64), with @levels paging levels and pages of @page_size bytes (as
 * VMLAB_IOC_INFO reports them); NULL for one vmlab does not know.
 */
const struct shape *shape_of_kernel(const char *machine, unsigned int levels,
				    unsigned int page_size);

/* the running kernel's shape: uname(2) and those two numbers; NULL if unknown */
const struct shape *shape_running(unsigned int levels, unsigned int page_size);

/* bit (1 << VMLAB_LEVEL_*) per level with tables: a walk's valid_levels */
uint32_t shape_level_mask(const struct shape *s);

/* level @level of @s, or NULL where @s folds it */
const struct shape_level *shape_level(const struct shape *s, unsigned int level);

/*
 * Why @s cannot translate @addr ("wider than 32 bits", "not canonical: bits
 * 63-47 must all equal bit 47"), in @buf; NULL when it can.
 */
const char *shape_addr_problem(const struct shape *s, uint64_t addr, char *buf,
			       size_t size);

/* whether @addr (one @s translates) is in the kernel's part of the space */
bool shape_kernel_half(const struct shape *s, uint64_t addr);

/* the names of the levels @s folds, "P4D, PUD" (empty: none), in @buf */
const char *shape_folded(const struct shape *s, char *buf, size_t size);

/*
 * The physical address entry @entry of @s holds (a table's, or a page's in
 * a PTE): its bits in phys_mask and phys_high; 0 where @s decodes none
 */
uint64_t shape_entry_phys(const struct shape *s, uint64_t entry);

/* the index of @addr in a table of @l */
uint32_t shape_index(const struct shape_level *l, uint64_t addr);

/*
 * The shift of a leaf at @level (page_shift for VMLAB_LEVEL_PTE, that of a
 * huge leaf above it); for a level @s folds, that of the level above it,
 * whose entry stands for it (as the kernels define PMD_SHIFT as
 * PGDIR_SHIFT on two levels).
 */
unsigned int shape_leaf_shift(const struct shape *s, unsigned int level);

/* @addr's offset in a leaf of 1 << @shift bytes */
static inline uint64_t shape_offset(uint64_t addr, unsigned int shift)
{
	return shift >= 64 ? addr : addr & ((1ULL << shift) - 1);
}

/*
 * Printing (cmd_shapes.c): the split of @addr on @s down to a leaf at
 * @leaf_level (VMLAB_LEVEL_PTE: the base page), one line per level with
 * @indent before it; @kernel_index (or NULL) the walk's own indices, which
 * must agree ("MISMATCH" where not). Returns the number that do not.
 */
struct json;
unsigned int split_print(const struct shape *s, uint64_t addr, unsigned int leaf_level,
			 const uint32_t *kernel_index, const char *indent);
/* the same as a JSON object named @key: {"shape", "levels", "offset", ...} */
void split_json(struct json *j, const char *key, const struct shape *s, uint64_t addr,
		unsigned int leaf_level, const uint32_t *kernel_index);

#endif /* VMLAB_SHAPES_H */
