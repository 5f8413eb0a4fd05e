// SPDX-License-Identifier: GPL-2.0
/*
 * tree_print.c - the page-table tree as text (in the manner of xv6's
 * vmprint), as JSON and as a Graphviz digraph (see tree_out.h)
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>

#include "cli.h"
#include "json.h"
#include "svg.h"
#include "tree_out.h"

static bool pfn_hidden(const struct tree_item *it)
{
	return !it->pfn && (it->leaf_flags & VMLAB_PTE_PRESENT);
}

static void text_table(FILE *f, const struct tree *t, uint32_t tab, int depth)
{
	const struct tree_table *tt = &t->tables[tab];
	char st[256], lf[256], span[32];
	unsigned int hi, lo;
	uint32_t i;
	int d;

	tree_level_bits(t, tt->level, &hi, &lo);
	fprintf(f, "%s%s table%s @ 0x%" PRIx64 "  bits %u-%u  [%s]: %u present, %u empty\n",
		colour(C_BOLD), vmlab_level_name(tt->level), colour(C_RESET), tt->base, hi, lo,
		tree_span_str(span, sizeof(span), tt->lo, tt->hi), tt->present,
		tree_fan(t, tt->level) - tt->present);
	for (i = tt->first; i != TREE_NONE; i = t->items[i].next) {
		const struct tree_item *it = &t->items[i];

		for (d = 0; d <= depth; d++)
			fputs(" ..", f);
		if (it->table != TREE_NONE) {
			fprintf(f, "[%u] ", it->first);
			text_table(f, t, it->table, depth + 1);
			continue;
		}
		vmlab_format_flags(lf, sizeof(lf), it->leaf_flags, vmlab_pte_flag_name);
		fprintf(f, "%s %s: %u %s%s%s  0x%" PRIx64 "-0x%" PRIx64 "  %s\n",
			vmlab_level_name(it->level) ?: "?",
			tree_span_str(span, sizeof(span), it->first, it->last),
			it->last - it->first + 1, colour(verdict_colour(it->verdict)),
			tree_state_str(st, sizeof(st), it), colour(C_RESET), it->addr, it->end,
			lf[0] ? lf : "-");
	}
}

void tree_print_text(FILE *f, const struct tree *t, uint32_t pid)
{
	unsigned int v;

	fprintf(f, "page tables of pid %u: 0x%" PRIx64 "-0x%" PRIx64 " (%u-level paging)\n",
		pid, t->start, t->end, t->levels);
	fprintf(f, "%u table%s, %" PRIu64 " lea%s (%" PRIu64 " page%s) in %u run%s\n",
		t->nr_tables, plural(t->nr_tables), tree_total_leaves(t),
		tree_total_leaves(t) == 1 ? "f" : "ves", tree_total_pages(t),
		plural(tree_total_pages(t)), t->nr_runs, plural(t->nr_runs));
	if (t->nr_tables)
		text_table(f, t, 0, 0);
	else
		fprintf(f, "(no leaf: nothing is mapped in this range)\n");
	fprintf(f, "\n%-15s  %6s  %8s\n", "VERDICT", "LEAVES", "PAGES");
	for (v = 0; v < NR_VERDICTS; v++) {
		if (t->leaves[v])
			fprintf(f, "%-15s  %6" PRIu64 "  %8" PRIu64 "\n",
				vmlab_verdict_name(v) ?: "?", t->leaves[v], t->pages[v]);
	}
	fprintf(f, "%-15s  %6" PRIu64 "  %8" PRIu64 "\n", "total", tree_total_leaves(t),
		tree_total_pages(t));
}

static void json_run(struct json *j, const struct tree *t, const struct tree_item *it)
{
	char st[256];

	json_string(j, "kind", "leaves");
	json_string(j, "level", vmlab_level_name(it->level));
	json_u64(j, "first", it->first);
	json_u64(j, "last", it->last);
	json_u64(j, "leaves", it->last - it->first + 1);
	json_u64(j, "leaf_size", tree_leaf_bytes(t, it));
	json_u64(j, "addr", it->addr);
	json_u64(j, "end", it->end);
	json_hex(j, "addr_hex", it->addr);
	json_string(j, "verdict", vmlab_verdict_name(it->verdict));
	json_string(j, "state", tree_state_str(st, sizeof(st), it));
	if (pfn_hidden(it))
		json_string(j, "pfn", NULL);
	else
		json_u64(j, "pfn", it->pfn);
	json_hex(j, "entry_hex", it->entry);
	json_string(j, "cache", vmlab_cache_name(it->cache_mode));
	json_flags(j, "leaf_flags", it->leaf_flags, vmlab_pte_flag_name);
	json_flags(j, "page_flags", it->page_flags, vmlab_page_flag_name);
}

static void json_table(struct json *j, const struct tree *t, uint32_t tab)
{
	const struct tree_table *tt = &t->tables[tab];
	unsigned int hi, lo;
	uint32_t i;

	tree_level_bits(t, tt->level, &hi, &lo);
	json_string(j, "kind", "table");
	json_string(j, "level", vmlab_level_name(tt->level));
	json_u64(j, "base", tt->base);
	json_hex(j, "base_hex", tt->base);
	json_u64(j, "bits_hi", hi);
	json_u64(j, "bits_lo", lo);
	json_u64(j, "index_lo", tt->lo);
	json_u64(j, "index_hi", tt->hi);
	json_u64(j, "present", tt->present);
	json_u64(j, "empty", tree_fan(t, tt->level) - tt->present);
	json_array_begin(j, "entries");
	for (i = tt->first; i != TREE_NONE; i = t->items[i].next) {
		json_object_begin(j, NULL);
		if (t->items[i].table != TREE_NONE) {
			json_u64(j, "index", t->items[i].first);
			json_table(j, t, t->items[i].table);
		} else {
			json_run(j, t, &t->items[i]);
		}
		json_object_end(j);
	}
	json_array_end(j);
}

void tree_print_json(FILE *f, const struct tree *t, uint32_t pid)
{
	unsigned int l, v, hi, lo;
	struct json j;

	json_init(&j, f);
	json_object_begin(&j, NULL);
	json_u64(&j, "pid", pid);
	json_u64(&j, "start", t->start);
	json_u64(&j, "end", t->end);
	json_hex(&j, "start_hex", t->start);
	json_hex(&j, "end_hex", t->end);
	json_u64(&j, "page_size", t->page_size);
	json_u64(&j, "paging_levels", t->levels);
	json_array_begin(&j, "levels");
	for (l = 0; l < VMLAB_NR_LEVELS; l++) {
		if (!tree_level_used(t, l))
			continue;
		tree_level_bits(t, l, &hi, &lo);
		json_object_begin(&j, NULL);
		json_string(&j, "level", vmlab_level_name(l));
		json_u64(&j, "bits_hi", hi);
		json_u64(&j, "bits_lo", lo);
		json_object_end(&j);
	}
	json_array_end(&j);
	json_u64(&j, "tables", t->nr_tables);
	json_u64(&j, "runs", t->nr_runs);
	json_u64(&j, "leaves", tree_total_leaves(t));
	json_u64(&j, "pages", tree_total_pages(t));
	json_object_begin(&j, "verdicts");
	for (v = 0; v < NR_VERDICTS; v++) {
		if (!t->leaves[v] || !vmlab_verdict_name(v))
			continue;
		json_object_begin(&j, vmlab_verdict_name(v));
		json_u64(&j, "leaves", t->leaves[v]);
		json_u64(&j, "pages", t->pages[v]);
		json_object_end(&j);
	}
	json_object_end(&j);
	if (t->nr_tables) {
		json_object_begin(&j, "root");
		json_table(&j, t, 0);
		json_object_end(&j);
	} else {
		json_string(&j, "root", NULL);
	}
	json_object_end(&j);
	json_end(&j);
}

/* one table as a node with a row (a port) per drawn entry */
static void dot_table(FILE *f, const struct tree *t, uint32_t tab, const bool *item_drawn)
{
	const struct tree_table *tt = &t->tables[tab];
	uint32_t i, undrawn = 0;
	char sz[32], span[32];
	unsigned int hi, lo;

	tree_level_bits(t, tt->level, &hi, &lo);
	fprintf(f, "  t%u [label=<<table border=\"1\" cellborder=\"0\" cellspacing=\"0\">\n"
		"<tr><td bgcolor=\"#e0e0e0\"><b>%s table @ 0x%" PRIx64 "</b></td></tr>\n"
		"<tr><td>bits %u-%u [%s]: %u present, %u empty</td></tr>", tab,
		vmlab_level_name(tt->level), tt->base, hi, lo,
		tree_span_str(span, sizeof(span), tt->lo, tt->hi), tt->present,
		tree_fan(t, tt->level) - tt->present);
	for (i = tt->first; i != TREE_NONE; i = t->items[i].next) {
		const struct tree_item *it = &t->items[i];

		if (!item_drawn[i]) {
			undrawn += it->last - it->first + 1;
		} else if (it->table != TREE_NONE) {
			fprintf(f, "<tr><td port=\"i%u\" align=\"left\">[%u] -&gt; %s</td></tr>", i,
				it->first, vmlab_level_name(t->tables[it->table].level));
		} else {
			fprintf(f, "<tr><td port=\"i%u\" align=\"left\" bgcolor=\"%s\">[%s]\n"
				" %u x %s: %s</td></tr>", i, svg_verdict_colour(it->verdict),
				tree_span_str(span, sizeof(span), it->first, it->last),
				it->last - it->first + 1,
				size_str(sz, sizeof(sz), tree_leaf_bytes(t, it)),
				vmlab_verdict_name(it->verdict) ?: "?");
		}
	}
	if (undrawn)
		fprintf(f, "<tr><td align=\"left\">... %u more not drawn</td></tr>", undrawn);
	fputs("</table>>];\n", f);
}

int tree_print_dot(FILE *f, const struct tree *t, const struct tree_draw *d)
{
	bool *item_drawn = calloc(t->nr_items + 1, sizeof(bool));
	bool *table_drawn = calloc(t->nr_tables + 1, sizeof(bool));
	char st[256];
	uint32_t i;

	if (!item_drawn || !table_drawn) {
		free(item_drawn);
		free(table_drawn);
		errno = ENOMEM;
		return -1;
	}
	tree_mark_drawn(t, d->max_runs, item_drawn, table_drawn);
	fprintf(f, "// vmlab tree: page tables of pid %u, 0x%" PRIx64 "-0x%" PRIx64
		" (dot -Tsvg lays it out)\n", d->pid, t->start, t->end);
	fputs("digraph vmlab_tree {\n  rankdir=LR;\n"
	      "  node [shape=plaintext, fontname=\"monospace\", fontsize=10];\n", f);
	for (i = 0; i < t->nr_tables; i++) {
		if (table_drawn[i])
			dot_table(f, t, i, item_drawn);
	}
	for (i = 0; i < t->nr_items; i++) {
		const struct tree_item *it = &t->items[i];

		if (!item_drawn[i])
			continue;
		if (it->table != TREE_NONE) {
			fprintf(f, "  t%u:i%u -> t%u;\n", it->owner, i, it->table);
			continue;
		}
		fprintf(f, "  r%u [shape=box, style=filled, fillcolor=\"%s\",\n", i,
			svg_verdict_colour(it->verdict));
		fprintf(f, "    label=\"%u x 0x%" PRIx64 "\", tooltip=\"%s\"];\n",
			it->last - it->first + 1, it->addr, tree_state_str(st, sizeof(st), it));
		fprintf(f, "  t%u:i%u -> r%u;\n", it->owner, i, i);
	}
	fputs("}\n", f);
	free(item_drawn);
	free(table_drawn);
	return 0;
}
