/* SPDX-License-Identifier: GPL-2.0 */
/*
 * tree.h - the page-table tree a range walk found, as the vmlab tool's
 * "tree" command prints and draws it: the tables that were reached, each
 * with its level, the indexes used and the entries present, and their
 * leaves folded into runs of the same state at consecutive indexes.
 * Built from the walk's leaf records alone (the tables above a leaf are
 * those its address selects), one record at a time, in address order.
 */
#ifndef VMLAB_TREE_H
#define VMLAB_TREE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "libvmlab.h"
#include "shapes.h"

#define TREE_NONE	UINT32_MAX	/* no item, no table */
#define NR_VERDICTS	16		/* room for every VMLAB_COW_* */

/*
 * One entry or run of entries of a table: a lower table (@table), or leaves
 * at @first..@last with one state (all fields but @table).
 */
struct tree_item {
	uint32_t next;		/* the table's next item, TREE_NONE at the end */
	uint32_t table;		/* the lower table, or TREE_NONE for leaves */
	uint32_t owner;		/* the table the item is in */
	uint16_t first, last;	/* indexes in the table */
	uint64_t addr;		/* first address the item maps */
	uint64_t end;		/* end of the last leaf (leaves only) */
	uint64_t pfn, entry;	/* of the first leaf (leaves only) */
	uint32_t leaf_flags;
	uint8_t level, verdict, cache_mode, page_flags;
};

struct tree_table {
	uint8_t level;		/* VMLAB_LEVEL_* */
	uint64_t base;		/* the first address the table covers */
	uint32_t parent;	/* TREE_NONE for the root */
	uint32_t first, last;	/* its items, in index order */
	uint16_t lo, hi;	/* the lowest and highest index present */
	uint32_t present;	/* entries present (tables and leaves) */
};

struct tree {
	uint64_t start, end;	/* the range walked */
	uint32_t page_size;
	unsigned int levels;	/* paging levels: 2 to 5 */
	const struct shape *shape;	/* the running kernel's; NULL: x86-64's arithmetic */
	struct tree_table *tables;
	uint32_t nr_tables, max_tables;
	struct tree_item *items;
	uint32_t nr_items, max_items;
	uint32_t nr_runs;	/* items that are leaves */
	uint32_t open[VMLAB_NR_LEVELS];	/* the last table made at each level */
	uint64_t leaves[NR_VERDICTS], pages[NR_VERDICTS];
	bool oom;
};

/* An empty tree of [@start, @end) for paging with @levels levels. */
void tree_init(struct tree *t, uint64_t start, uint64_t end, uint32_t page_size,
	       unsigned int levels);
void tree_free(struct tree *t);

/* Add one record of the range walk (in address order); sets @t->oom. */
void tree_add(struct tree *t, const struct vmlab_walk_record *rec);
/* tree_add() for walk_records() */
void tree_add_cb(const struct vmlab_walk_record *rec, void *arg);

/* whether @t's shape has tables at level @level (not folded) */
bool tree_level_used(const struct tree *t, unsigned int level);
/* entries per table of level @level: 512 on x86-64, 1024 or 4 on 32-bit x86 */
unsigned int tree_fan(const struct tree *t, unsigned int level);
/* the address bits level @level's index decodes: @hi down to @lo */
void tree_level_bits(const struct tree *t, unsigned int level, unsigned int *hi,
		     unsigned int *lo);
/* the index of @addr in a table of level @level */
unsigned int tree_index(const struct tree *t, unsigned int level, uint64_t addr);
/* bytes one leaf of @item maps */
uint64_t tree_leaf_bytes(const struct tree *t, const struct tree_item *item);

/*
 * What a picture draws when it may show at most @max_runs runs: the first
 * @max_runs runs in address order (@item_drawn) and the tables above them
 * (@table_drawn), arrays of @t->nr_items and @t->nr_tables. Returns the
 * number of runs drawn.
 */
uint32_t tree_mark_drawn(const struct tree *t, uint32_t max_runs, bool *item_drawn,
			 bool *table_drawn);

/* "@lo" or "@lo-@hi" into @buf; returns @buf */
const char *tree_span_str(char *buf, size_t size, unsigned int lo, unsigned int hi);

/* totals over every verdict */
uint64_t tree_total_leaves(const struct tree *t);
uint64_t tree_total_pages(const struct tree *t);

/*
 * The state of a run of leaves in words, "present, writable, anon,
 * anon-exclusive", truncated to @size; returns @buf.
 */
const char *tree_state_str(char *buf, size_t size, const struct tree_item *it);

#endif /* VMLAB_TREE_H */
