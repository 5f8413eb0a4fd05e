// SPDX-License-Identifier: GPL-2.0
/*
 * tree.c - the page-table tree of a range walk, built from its leaf
 * records (see tree.h)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tree.h"

void tree_init(struct tree *t, uint64_t start, uint64_t end, uint32_t page_size,
	       unsigned int levels)
{
	unsigned int l;

	memset(t, 0, sizeof(*t));
	t->start = start;
	t->end = end;
	t->page_size = page_size;
	t->levels = levels;
	t->shape = shape_running(levels, page_size);
	for (l = 0; l < VMLAB_NR_LEVELS; l++)
		t->open[l] = TREE_NONE;
}

void tree_free(struct tree *t)
{
	free(t->tables);
	free(t->items);
	t->tables = NULL;
	t->items = NULL;
}

bool tree_level_used(const struct tree *t, unsigned int level)
{
	if (t->shape)
		return shape_level(t->shape, level);
	return level != VMLAB_LEVEL_P4D || t->levels >= 5;
}

static unsigned int page_shift(const struct tree *t)
{
	return __builtin_ctz(t->page_size);
}

/*
 * the lowest address bit level @level's index decodes; a level the shape
 * folds: that of the entry standing for it (a leaf's level as the walk
 * reports it)
 */
static unsigned int level_shift(const struct tree *t, unsigned int level)
{
	unsigned int below = VMLAB_LEVEL_PTE - level;

	if (t->shape)
		return shape_leaf_shift(t->shape, level);
	/* no known shape: x86-64's; on 4-level paging the PGD decodes what P4D would */
	if (level == VMLAB_LEVEL_PGD && !tree_level_used(t, VMLAB_LEVEL_P4D))
		below--;
	return page_shift(t) + 9 * below;
}

/* the index bits of level @level: 9 without a known shape */
static unsigned int level_bits(const struct tree *t, unsigned int level)
{
	const struct shape_level *l = t->shape ? shape_level(t->shape, level) : NULL;

	return l ? l->bits : 9;
}

unsigned int tree_fan(const struct tree *t, unsigned int level)
{
	return 1u << level_bits(t, level);
}

void tree_level_bits(const struct tree *t, unsigned int level, unsigned int *hi,
		     unsigned int *lo)
{
	*lo = level_shift(t, level);
	*hi = *lo + level_bits(t, level) - 1;
}

unsigned int tree_index(const struct tree *t, unsigned int level, uint64_t addr)
{
	return (addr >> level_shift(t, level)) & (tree_fan(t, level) - 1);
}

uint64_t tree_leaf_bytes(const struct tree *t, const struct tree_item *item)
{
	return 1ULL << level_shift(t, item->level);
}

/* room for one more element of an array of @size-byte elements */
static bool grow(void **array, uint32_t nr, uint32_t *max, size_t size)
{
	uint32_t n;
	void *p;

	if (nr < *max)
		return true;
	n = *max ? 2 * *max : 64;
	p = realloc(*array, (size_t)n * size);
	if (!p)
		return false;
	*array = p;
	*max = n;
	return true;
}

/* a new item at @index of table @tab; TREE_NONE without memory */
static uint32_t new_item(struct tree *t, uint32_t tab, unsigned int index, uint64_t addr)
{
	struct tree_table *tt = &t->tables[tab];
	struct tree_item *it;
	uint32_t i;

	if (!grow((void **)&t->items, t->nr_items, &t->max_items, sizeof(*t->items))) {
		t->oom = true;
		return TREE_NONE;
	}
	i = t->nr_items++;
	it = &t->items[i];
	memset(it, 0, sizeof(*it));
	it->next = TREE_NONE;
	it->table = TREE_NONE;
	it->owner = tab;
	it->first = index;
	it->last = index;
	it->addr = addr;
	if (tt->last == TREE_NONE)
		tt->first = i;
	else
		t->items[tt->last].next = i;
	tt->last = i;
	if (!tt->present || index < tt->lo)
		tt->lo = index;
	if (!tt->present || index > tt->hi)
		tt->hi = index;
	tt->present++;
	return i;
}

/* the table of level @level that @addr selects below table @parent, made if new */
static uint32_t table_for(struct tree *t, uint32_t parent, unsigned int level, uint64_t addr)
{
	unsigned int top = level_shift(t, level) + level_bits(t, level);
	uint64_t base = top >= 64 ? 0 : addr & ~((1ULL << top) - 1);
	uint32_t tab = t->open[level], i;
	struct tree_table *tt;

	if (tab != TREE_NONE && t->tables[tab].base == base && t->tables[tab].parent == parent)
		return tab;
	if (!grow((void **)&t->tables, t->nr_tables, &t->max_tables, sizeof(*t->tables))) {
		t->oom = true;
		return TREE_NONE;
	}
	tab = t->nr_tables++;
	tt = &t->tables[tab];
	memset(tt, 0, sizeof(*tt));
	tt->level = level;
	tt->base = base;
	tt->parent = parent;
	tt->first = TREE_NONE;
	tt->last = TREE_NONE;
	t->open[level] = tab;
	if (parent != TREE_NONE) {
		unsigned int pl = t->tables[parent].level;

		i = new_item(t, parent, tree_index(t, pl, addr), base);
		if (i == TREE_NONE)
			return TREE_NONE;
		t->items[i].table = tab;
	}
	return tab;
}

static bool same_state(const struct tree_item *it, const struct vmlab_walk_record *rec)
{
	return it->table == TREE_NONE && it->level == rec->level &&
	       it->verdict == rec->verdict && it->leaf_flags == rec->leaf_flags &&
	       it->page_flags == rec->page_flags && it->cache_mode == rec->cache_mode;
}

void tree_add(struct tree *t, const struct vmlab_walk_record *rec)
{
	uint32_t tab = TREE_NONE, i;
	unsigned int l, idx, v;
	struct tree_item *it;
	uint64_t size, lo, hi;

	if (t->oom || rec->level > VMLAB_LEVEL_PTE)
		return;
	for (l = VMLAB_LEVEL_PGD; l <= rec->level; l++) {
		if (!tree_level_used(t, l))
			continue;
		tab = table_for(t, tab, l, rec->addr);
		if (tab == TREE_NONE)
			return;
	}
	idx = tree_index(t, rec->level, rec->addr);
	i = t->tables[tab].last;
	it = i == TREE_NONE ? NULL : &t->items[i];
	if (it && same_state(it, rec) && it->last + 1u == idx && it->end == rec->addr) {
		it->last = idx;
		t->tables[tab].hi = idx;
		t->tables[tab].present++;
	} else {
		i = new_item(t, tab, idx, rec->addr);
		if (i == TREE_NONE)
			return;
		it = &t->items[i];
		it->pfn = rec->pfn;
		it->entry = rec->entry;
		it->leaf_flags = rec->leaf_flags;
		it->level = rec->level;
		it->verdict = rec->verdict;
		it->cache_mode = rec->cache_mode;
		it->page_flags = rec->page_flags;
		t->nr_runs++;
	}
	size = tree_leaf_bytes(t, it);
	it->end = rec->addr + size;
	/* the pages of the range: a huge leaf may begin before it or pass its end */
	lo = rec->addr > t->start ? rec->addr : t->start;
	hi = rec->addr + size < t->end ? rec->addr + size : t->end;
	v = rec->verdict < NR_VERDICTS ? rec->verdict : NR_VERDICTS - 1;
	t->leaves[v]++;
	t->pages[v] += (hi - lo) / t->page_size;
}

void tree_add_cb(const struct vmlab_walk_record *rec, void *arg)
{
	tree_add(arg, rec);
}

uint32_t tree_mark_drawn(const struct tree *t, uint32_t max_runs, bool *item_drawn,
			 bool *table_drawn)
{
	uint32_t i, tab, runs = 0;

	memset(item_drawn, 0, t->nr_items * sizeof(*item_drawn));
	memset(table_drawn, 0, t->nr_tables * sizeof(*table_drawn));
	if (t->nr_tables)
		table_drawn[0] = true;	/* the root */
	/* items were made in address order: the first runs are the lowest */
	for (i = 0; i < t->nr_items && runs < max_runs; i++) {
		if (t->items[i].table != TREE_NONE)
			continue;
		runs++;
		item_drawn[i] = true;
		for (tab = t->items[i].owner; tab != TREE_NONE && !table_drawn[tab];
		     tab = t->tables[tab].parent)
			table_drawn[tab] = true;
	}
	/* the entries that lead to a drawn table */
	for (i = 0; i < t->nr_items; i++) {
		if (t->items[i].table != TREE_NONE && table_drawn[t->items[i].table])
			item_drawn[i] = true;
	}
	return runs;
}

const char *tree_span_str(char *buf, size_t size, unsigned int lo, unsigned int hi)
{
	if (lo == hi)
		snprintf(buf, size, "%u", lo);
	else
		snprintf(buf, size, "%u-%u", lo, hi);
	return buf;
}

uint64_t tree_total_leaves(const struct tree *t)
{
	uint64_t n = 0;
	unsigned int v;

	for (v = 0; v < NR_VERDICTS; v++)
		n += t->leaves[v];
	return n;
}

uint64_t tree_total_pages(const struct tree *t)
{
	uint64_t n = 0;
	unsigned int v;

	for (v = 0; v < NR_VERDICTS; v++)
		n += t->pages[v];
	return n;
}

const char *tree_state_str(char *buf, size_t size, const struct tree_item *it)
{
	const char *state = "present";
	unsigned int bit;
	size_t len;

	if (it->leaf_flags & VMLAB_PTE_SWAP)
		state = "swap";
	else if (it->leaf_flags & VMLAB_PTE_MIGRATION)
		state = "migration";
	else if (!(it->leaf_flags & VMLAB_PTE_PRESENT))
		state = "not present";
	snprintf(buf, size, "%s, %s", state, vmlab_verdict_name(it->verdict) ?: "?");
	/* the page's state after the verdict: "anon, anon-exclusive" */
	for (bit = 1; bit < 8; bit++) {
		len = strlen(buf);
		if ((it->page_flags & (1u << bit)) && len < size)
			snprintf(buf + len, size - len, ", %s", vmlab_page_flag_name(bit) ?: "?");
	}
	return buf;
}
