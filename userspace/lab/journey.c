// SPDX-License-Identifier: GPL-2.0
/*
 * journey.c - lesson "journey": one address walked level by level on the
 * shape the kernel runs (2 to 5 levels): the bits that index each level,
 * each table's physical address (root only), the entry the index selects,
 * its flags and the table it points to, down to the frame and the byte,
 * which is read back through the mapping, through the region and through a
 * second mapping of the same frame.
 */
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "lab.h"
#include "shapes.h"

#define JOURNEY_PAGE	2	/* the page of the region the lesson writes */
#define JOURNEY_OFFSET	0x123	/* where in it */
#define JOURNEY_BYTE	'J'

/* the register that holds the root table's physical address */
static const char *root_register(const struct shape *s)
{
	return strcmp(s->arch, "arm64") ? "CR3" : "TTBR0_EL1";
}

/*
 * The PFN /proc/self/pagemap gives for @addr (root only: 0 for others, as
 * since Linux 4.2), an oracle independent of vmlab; -1 when unreadable.
 */
static int64_t pagemap_pfn(uintptr_t addr)
{
	uint64_t e;
	int fd = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = pread(fd, &e, sizeof(e), (off_t)(addr / PG * sizeof(e)));
	close(fd);
	if (n != sizeof(e) || !(e & (1ULL << 63)))
		return -1;
	return e & ((1ULL << 55) - 1);
}

/* @entry as the shape's width prints it: 8 or 16 hex digits */
static void print_entry(const struct shape *s, uint64_t entry)
{
	printf("0x%0*" PRIx64, (int)s->entry_bytes * 2, entry);
}

/*
 * One level of @w: its table (at @table, the physical address its parent
 * entry gave, 0 when not known), the entry the index selects, its flags and
 * where it points (@leaf: the frame). Returns the next table's physical address (0 when
 * hidden or not decoded).
 */
static uint64_t journey_level(struct lab *lab, const struct shape *s,
			      const struct vmlab_walk *w, const struct shape_level *l,
			      uint64_t table, bool hidden, bool leaf)
{
	uint32_t idx = w->index[l->level];
	uint64_t entry = w->entries[l->level], next = shape_entry_phys(s, entry);
	char flags[128], sz[16];

	printf("  %-4s ", vmlab_level_name(l->level));
	if (l == &s->levels[0])
		printf("table: the root, its physical address in %s (the walk does not give it)\n",
		       root_register(s));
	else if (hidden)
		printf("table at (hidden: physical addresses need CAP_SYS_ADMIN)\n");
	else if (table)
		printf("table at 0x%" PRIx64 "\n", table);
	else
		printf("table at (not decoded on this shape)\n");
	printf("       entry 0x%0*" PRIx32, (l->bits + 3) / 4, idx);
	if (table && !hidden)
		printf(" at 0x%" PRIx64, table + (uint64_t)idx * s->entry_bytes);
	else
		printf(" at table + 0x%" PRIx64, (uint64_t)idx * s->entry_bytes);
	printf(": ");
	print_entry(s, entry);
	printf("\n");
	vmlab_format_flags(flags, sizeof(flags), leaf ? w->leaf_flags :
			   vmlab_entry_flags(entry, l->level), vmlab_pte_flag_name);
	printf("       flags %s%s\n", flags[0] ? flags : "-",
	       hidden ? " (address bits hidden)" : "");
	if (!(w->present_levels & (1u << l->level))) {
		mismatch(lab, "expected a present %s entry, kernel shows 0x%" PRIx64,
			 vmlab_level_name(l->level), entry);
		return 0;
	}
	if (leaf) {
		printf("       -> the %s frame: %s\n", size_str(sz, sizeof(sz), w->leaf_size),
		       frame_str(flags, sizeof(flags), w));
		return 0;
	}
	if (hidden)
		printf("       -> the next table (its address hidden)\n");
	else if (next)
		printf("       -> the next table at 0x%" PRIx64 "\n", next);
	else if (s->phys_mask)
		mismatch(lab, "expected the %s entry to hold a table's address, it holds none",
			 vmlab_level_name(l->level));
	else
		printf("       -> the next table (its address not decoded on this shape)\n");
	return hidden ? 0 : next;
}

/* the leaf at the end: its frame, the byte's physical address, pagemap's PFN */
static void journey_frame(struct lab *lab, const struct shape *s, const struct vmlab_walk *w,
			  uintptr_t addr)
{
	uint64_t leaf_phys = shape_entry_phys(s, w->entries[w->leaf_level]);
	uint64_t off = shape_offset(addr, shape_leaf_shift(s, w->leaf_level));
	int64_t pm;

	if (w->walk_flags & VMLAB_WALK_PFN_HIDDEN) {
		printf("  byte at offset 0x%" PRIx64 " of that frame (its address hidden)\n", off);
		return;
	}
	printf("  byte at physical 0x%" PRIx64 " = frame 0x%" PRIx64 " + offset 0x%" PRIx64 "\n",
	       ((uint64_t)w->pfn << s->page_shift) + off, (uint64_t)w->pfn << s->page_shift, off);
	/* a 4K leaf's entry holds the frame's address itself (huge ones hold PAT at bit 12) */
	if (s->phys_mask && w->leaf_level == VMLAB_LEVEL_PTE &&
	    leaf_phys != (uint64_t)w->pfn << s->page_shift)
		mismatch(lab, "expected the PTE to hold the frame's address 0x%" PRIx64
			 ", it holds 0x%" PRIx64, (uint64_t)w->pfn << s->page_shift, leaf_phys);
	pm = pagemap_pfn(addr);
	if (pm < 0)
		mismatch(lab, "expected /proc/self/pagemap to show the page present");
	else if ((uint64_t)pm != w->pfn + (off >> s->page_shift))
		mismatch(lab, "expected pagemap's PFN 0x%" PRIx64 ", it shows 0x%" PRIx64,
			 (uint64_t)w->pfn + (off >> s->page_shift), (uint64_t)pm);
	else
		printf("  /proc/self/pagemap agrees: PFN 0x%" PRIx64 "\n", (uint64_t)pm);
}

/* One address, level by level, down to the byte. */
static void journey_run(struct lab *lab)
{
	static const struct want written = { VMLAB_COW_SHARED_WRITABLE,
		.pte_set = VMLAB_PTE_PRESENT | VMLAB_PTE_WRITE | VMLAB_PTE_DIRTY,
		.page_set = VMLAB_PAGE_VMLAB, .page_clear = VMLAB_PAGE_ANON };
	static const struct want reader = { VMLAB_COW_READONLY,
		.pte_set = VMLAB_PTE_PRESENT, .page_set = VMLAB_PAGE_VMLAB };
	const struct shape *s;
	struct vmlab_walk w, other;
	struct vmlab_info info;
	volatile char *a, *b;
	char folded[64], line[256];
	uint64_t table = 0;
	uintptr_t addr;
	unsigned int i;
	bool hidden;
	__u64 off;

	if (vmlab_info(lab->fd, &info)) {
		lab_error(lab, "VMLAB_IOC_INFO");
		return;
	}
	s = shape_running(info.pgtable_levels, info.page_size);
	if (!lab_region(lab, VMLAB_REGION_FILE, 4, 0, VMLAB_CACHE_WB, &off))
		return;
	a = lab_mmap(lab, 4 * PG, PROT_READ | PROT_WRITE, MAP_SHARED, lab->fd, off);
	b = lab_mmap(lab, PG, PROT_READ, MAP_SHARED, lab->fd, off + JOURNEY_PAGE * PG);
	if (!a || !b)
		return;
	say("map a 4-page FILE region MAP_SHARED, write '%c' at offset 0x%x of page %d",
	    JOURNEY_BYTE, JOURNEY_OFFSET, JOURNEY_PAGE);
	a[JOURNEY_PAGE * PG + JOURNEY_OFFSET] = JOURNEY_BYTE;
	addr = (uintptr_t)(a + JOURNEY_PAGE * PG + JOURNEY_OFFSET);
	lab_picture(lab, "written", 0, a, 4 * PG);
	print_header();
	if (step(lab, "the byte's page, written", (void *)addr, &written, &w))
		return;
	hidden = w.walk_flags & VMLAB_WALK_PFN_HIDDEN;
	if (!s || shape_level_mask(s) != w.valid_levels) {
		mismatch(lab, "expected a page-table shape vmlab knows (%u levels, levels 0x%x)",
			 info.pgtable_levels, w.valid_levels);
		return;
	}

	say("split the address: its top bits index the root table, the next bits the table below");
	snprintf(line, sizeof(line), "%s", s->title);
	if (shape_folded(s, folded, sizeof(folded))[0])
		snprintf(line, sizeof(line),
			 "%s; folded: %s (no table of their own: the entry above stands for them)",
			 s->title, folded);
	printf(" ");
	print_wrapped(line, 1, 4);
	lab->failed += split_print(s, addr, w.leaf_level, w.index, "    ");

	say("follow the entries from the root: each holds the physical address of the next table");
	/* down to the leaf's level, or where a folded leaf level's entry is: the one above */
	for (i = 0; i < s->nr_levels && s->levels[i].level <= w.leaf_level; i++)
		table = journey_level(lab, s, &w, &s->levels[i], table, hidden,
				      i + 1 == s->nr_levels ||
				      s->levels[i + 1].level > w.leaf_level);
	journey_frame(lab, s, &w, addr);

	say("read the byte back: through the mapping, the region (pread) and a second mapping");
	check_char(lab, "the byte through the mapping", JOURNEY_BYTE, a[JOURNEY_PAGE * PG +
		   JOURNEY_OFFSET]);
	check_char(lab, "the byte through pread", JOURNEY_BYTE,
		   pread_byte(lab, off + JOURNEY_PAGE * PG + JOURNEY_OFFSET));
	check_char(lab, "the byte through the second mapping", JOURNEY_BYTE, b[JOURNEY_OFFSET]);
	print_header();
	if (step(lab, "second mapping, read", b + JOURNEY_OFFSET, &reader, &other))
		return;
	check_pfn(lab, "both mappings to end at one frame", &w, &other, true);
	printf("  '%c' at every end: the mapping, the region, the second mapping: one byte\n",
	       JOURNEY_BYTE);
}

const struct lesson lesson_journey = {
	.name = "journey",
	.title = "One address's journey through the page tables",
	.run = journey_run,
	.moral =
	"An address is a path: its top bits index the root table (whose physical address the CPU holds),\n"
	"each entry holds the physical address of the next table, the last one the frame, and the low\n"
	"bits are the byte's offset in it. Levels a shape does not use are folded into the one above.",
};
