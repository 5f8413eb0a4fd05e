// SPDX-License-Identifier: GPL-2.0
/*
 * tree_svg.c - the page-table tree as a self-contained SVG: the tables as
 * boxes in a staircase, each below its parent and a step to the right of
 * it (so that five levels fit a page's width), with a row per entry (or
 * run of leaves), arrows from an entry to the table or leaves it points
 * to, the leaves in a column of their own to the right, coloured by
 * verdict, their state in a <title> shown on hover, and a legend. Laid out
 * by hand: a table goes below the last table drawn, a leaf box as high in
 * its column as the last one and its entry allow.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "svg.h"
#include "tree_out.h"

#define MARGIN	16
#define BOX_W	300
#define INDENT	36	/* a table's box is this far right of its parent's */
#define LEAF_GAP	56	/* from the lowest level's boxes to the leaves */
#define MIN_W	720	/* the title's room */
#define HEAD	(2 * SVG_LINE + 6)
#define ROW	SVG_LINE
#define LEAF_W	230
#define LEAF_H	(2 * SVG_LINE + 4)
#define GAP	12

struct layout {
	FILE *f;		/* the body, written before the frame is known */
	const struct tree *t;
	const struct tree_draw *d;
	bool *item_drawn, *table_drawn;
	int col[VMLAB_NR_LEVELS];	/* the column of each level used */
	int leaf_col;
	int cursor[VMLAB_NR_LEVELS + 1];	/* the next free y: tables [0], leaves */
	int top;			/* where the tree begins */
};

/* the x of the tables of column @col (0: the root's) */
static int col_x(int col)
{
	return MARGIN + col * INDENT;
}

/* the x of the leaves' column, right of the lowest level's boxes */
static int leaf_x(const struct layout *lo)
{
	return col_x(lo->leaf_col - 1) + BOX_W + LEAF_GAP;
}

/* an arrow from a table's entry at (@x, @y) down its left side to a lower table at (@x2, @y2) */
static void draw_drop(FILE *f, int x, int y, int x2, int y2)
{
	fprintf(f, "<path class=\"edge\" d=\"M%d,%d V%d H%d\"\n"
		" marker-end=\"url(#arrow)\"/>\n", x, y, y2, x2 - 1);
}

/* an arrow from the right side of an entry at (@x, @y) to a box at (@x2, @y2) */
static void draw_edge(FILE *f, int x, int y, int x2, int y2)
{
	int mid = (x + x2) / 2;

	fprintf(f, "<path class=\"edge\" d=\"M%d,%d C%d,%d %d,%d %d,%d\"\n"
		" marker-end=\"url(#arrow)\"/>\n", x, y, mid, y, mid, y2, x2 - 1, y2);
}

/* the <title> of a run of leaves: what hovering shows */
static void run_title(FILE *f, const struct tree *t, const struct tree_item *it, bool hidden)
{
	char lf[256], pf[256], st[256], sz[32], span[32];

	vmlab_format_flags(lf, sizeof(lf), it->leaf_flags, vmlab_pte_flag_name);
	vmlab_format_flags(pf, sizeof(pf), it->page_flags, vmlab_page_flag_name);
	fputs("<title>", f);
	svg_escapef(f, "%s %s: %u leaves of %s at 0x%" PRIx64 "-0x%" PRIx64 "\n%s\n",
		    vmlab_level_name(it->level) ?: "?",
		    tree_span_str(span, sizeof(span), it->first, it->last),
		    it->last - it->first + 1, size_str(sz, sizeof(sz), tree_leaf_bytes(t, it)),
		    it->addr, it->end, tree_state_str(st, sizeof(st), it));
	if (hidden)
		svg_escapef(f, "frame: pfn hidden (needs CAP_SYS_ADMIN)\n");
	else
		svg_escapef(f, "frame: pfn 0x%" PRIx64 " (first leaf)\n", it->pfn);
	svg_escapef(f, "entry 0x%016" PRIx64 ", cache %s\nleaf flags %s\npage flags %s\n%s",
		    it->entry, vmlab_cache_name(it->cache_mode) ?: "?", lf[0] ? lf : "-",
		    pf[0] ? pf : "-", vmlab_verdict_reason(it->verdict) ?: "");
	fputs("</title>", f);
}

static void link_begin(struct layout *lo, uint32_t i)
{
	if (lo->d->links)
		fprintf(lo->f, "<a href=\"#walk-%u\">", i);
}

static void link_end(struct layout *lo)
{
	if (lo->d->links)
		fputs("</a>", lo->f);
}

/* a run of leaves: its row in the table at (@x, @y), its box in the leaf column */
static void draw_run(struct layout *lo, uint32_t i, int x, int y)
{
	const struct tree *t = lo->t;
	const struct tree_item *it = &t->items[i];
	const char *fill = svg_verdict_colour(it->verdict);
	bool hidden = !it->pfn && (it->leaf_flags & VMLAB_PTE_PRESENT);
	unsigned int n = it->last - it->first + 1;
	int lx = leaf_x(lo), ly;
	char sz[32];
	FILE *f = lo->f;

	ly = lo->cursor[lo->leaf_col] > y - 8 ? lo->cursor[lo->leaf_col] : y - 8;
	lo->cursor[lo->leaf_col] = ly + LEAF_H + GAP / 2;
	link_begin(lo, i);
	fprintf(f, "<g class=\"hover run\" data-leaves=\"%u\" data-verdict=\"%s\">", n,
		vmlab_verdict_name(it->verdict) ?: "?");
	run_title(f, t, it, hidden);
	fprintf(f, "<rect class=\"leaf\" x=\"%d\" y=\"%d\" width=\"12\" height=\"%d\"\n"
		" fill=\"%s\"/>", x + 4, y + 2, ROW - 4, fill);
	fprintf(f, "<text x=\"%d\" y=\"%d\">", x + 20, y + SVG_FONT);
	if (n == 1)
		svg_escapef(f, "[%u] %s leaf: %s", it->first,
			    size_str(sz, sizeof(sz), tree_leaf_bytes(t, it)),
			    vmlab_verdict_name(it->verdict) ?: "?");
	else
		svg_escapef(f, "[%u-%u] %u leaves: %s", it->first, it->last, n,
			    vmlab_verdict_name(it->verdict) ?: "?");
	fputs("</text>", f);
	fprintf(f, "<rect class=\"leaf\" x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\"\n"
		" fill=\"%s\"/>", lx, ly, LEAF_W, LEAF_H, fill);
	fprintf(f, "<text x=\"%d\" y=\"%d\">", lx + 6, ly + SVG_FONT + 2);
	svg_escapef(f, "%u x %s at 0x%" PRIx64, n,
		    size_str(sz, sizeof(sz), tree_leaf_bytes(t, it)), it->addr);
	fprintf(f, "</text><text x=\"%d\" y=\"%d\">", lx + 6, ly + SVG_FONT + 2 + SVG_LINE);
	if (it->leaf_flags & VMLAB_PTE_PRESENT && !hidden)
		svg_escapef(f, "frame pfn 0x%" PRIx64 "%s", it->pfn, n > 1 ? "..." : "");
	else if (it->leaf_flags & VMLAB_PTE_PRESENT)
		svg_escape(f, "frame: pfn hidden");
	else
		svg_escape(f, "no frame (not present)");
	fputs("</text></g>", f);
	link_end(lo);
	fputc('\n', f);
	draw_edge(f, x + BOX_W, y + ROW / 2, lx, ly + LEAF_H / 2);
}

/* table @tab as high as its column allows, but not above @min_y; returns its y */
static int draw_table(struct layout *lo, uint32_t tab, int min_y)
{
	const struct tree *t = lo->t;
	const struct tree_table *tt = &t->tables[tab];
	int col = lo->col[tt->level], x = col_x(col), y, h, rows = 0, r = 0;
	uint32_t i, undrawn = tt->present;
	unsigned int hi, lob;
	FILE *f = lo->f;
	char idx[32];

	for (i = tt->first; i != TREE_NONE; i = t->items[i].next) {
		if (!lo->item_drawn[i])
			continue;
		rows++;
		undrawn -= t->items[i].last - t->items[i].first + 1;
	}
	if (undrawn)
		rows++;		/* "N more entries not drawn" */
	h = HEAD + rows * ROW + 4;
	y = lo->cursor[0] > min_y ? lo->cursor[0] : min_y;
	lo->cursor[0] = y + h + GAP;
	tree_level_bits(t, tt->level, &hi, &lob);
	fprintf(f, "<g class=\"table\" data-level=\"%s\" data-present=\"%u\">",
		vmlab_level_name(tt->level), tt->present);
	fprintf(f, "<title>%s table for 0x%" PRIx64 ": bits %u-%u index it</title>",
		vmlab_level_name(tt->level), tt->base, hi, lob);
	fprintf(f, "<rect class=\"box\" x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\"/>",
		x, y, BOX_W, h);
	fprintf(f, "<rect class=\"head\" x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\"/>",
		x, y, BOX_W, HEAD);
	fprintf(f, "<text x=\"%d\" y=\"%d\" font-weight=\"bold\">%s table @ 0x%" PRIx64
		"</text>", x + 6, y + SVG_FONT + 2, vmlab_level_name(tt->level), tt->base);
	fprintf(f, "<text x=\"%d\" y=\"%d\">[%s]: %u present, %u empty</text></g>\n",
		x + 6, y + SVG_FONT + 2 + SVG_LINE,
		tree_span_str(idx, sizeof(idx), tt->lo, tt->hi), tt->present,
		tree_fan(t, tt->level) - tt->present);
	for (i = tt->first; i != TREE_NONE; i = t->items[i].next) {
		const struct tree_item *it = &t->items[i];
		int ry = y + HEAD + r * ROW, cy;

		if (!lo->item_drawn[i])
			continue;
		r++;
		if (it->table == TREE_NONE) {
			draw_run(lo, i, x, ry);
			continue;
		}
		fprintf(f, "<text x=\"%d\" y=\"%d\">[%u] -&gt; %s table</text>\n", x + 20,
			ry + SVG_FONT, it->first, vmlab_level_name(t->tables[it->table].level));
		cy = draw_table(lo, it->table, ry - SVG_LINE);
		draw_drop(f, x + 10, ry + ROW / 2 + 4, col_x(lo->col[t->tables[it->table].level]),
			  cy + HEAD / 2);
	}
	if (undrawn)
		fprintf(f, "<text class=\"dim\" x=\"%d\" y=\"%d\">... %u more not drawn</text>\n",
			x + 20, y + HEAD + r * ROW + SVG_FONT, undrawn);
	return y;
}

/* the title, the legend, the counts and the column heads; returns the height */
static int draw_head(FILE *f, const struct tree *t, const struct tree_draw *d, int leaf,
		     uint32_t drawn)
{
	int y = MARGIN + SVG_FONT + 4;
	unsigned int l, hi, lo;

	fprintf(f, "<text class=\"title\" x=\"%d\" y=\"%d\">", MARGIN, y);
	svg_escapef(f, "page tables of pid %u: 0x%" PRIx64 "-0x%" PRIx64 " (%u-level paging)",
		    d->pid, t->start, t->end, t->levels);
	fputs("</text>\n", f);
	y += SVG_LINE;
	fprintf(f, "<text x=\"%d\" y=\"%d\">", MARGIN, y + SVG_FONT - 2);
	svg_escapef(f, "%u table%s, %" PRIu64 " lea%s (%" PRIu64 " page%s) in %u run%s;\n"
		    " drawn: the first %u run%s%s", t->nr_tables, plural(t->nr_tables),
		    tree_total_leaves(t), tree_total_leaves(t) == 1 ? "f" : "ves",
		    tree_total_pages(t), plural(tree_total_pages(t)), t->nr_runs,
		    plural(t->nr_runs), drawn, plural(drawn),
		    drawn < t->nr_runs ? ", the rest counted" : "");
	fputs("</text>\n", f);
	y += SVG_LINE + 6;
	y += svg_verdict_legend(f, MARGIN, y, t->leaves, t->pages, NR_VERDICTS) + 8;
	/* what each level's index decodes, one line each, then the page offset */
	for (l = 0; l < VMLAB_NR_LEVELS; l++) {
		if (!tree_level_used(t, l))
			continue;
		tree_level_bits(t, l, &hi, &lo);
		fprintf(f, "<text x=\"%d\" y=\"%d\" font-weight=\"bold\">%s</text>", MARGIN,
			y + SVG_FONT, vmlab_level_name(l));
		fprintf(f, "<text class=\"dim\" x=\"%d\" y=\"%d\">bits %u-%u: %s index</text>\n",
			MARGIN + 48, y + SVG_FONT, hi, lo, vmlab_level_name(l));
		y += SVG_LINE;
	}
	fprintf(f, "<text x=\"%d\" y=\"%d\" font-weight=\"bold\">page</text>", MARGIN,
		y + SVG_FONT);
	fprintf(f, "<text class=\"dim\" x=\"%d\" y=\"%d\">bits %u-0: offset in the page</text>\n",
		MARGIN + 48, y + SVG_FONT, __builtin_ctz(t->page_size) - 1);
	y += SVG_LINE + 8;
	fprintf(f, "<text x=\"%d\" y=\"%d\" font-weight=\"bold\">tables</text>\n"
		"<text x=\"%d\" y=\"%d\" font-weight=\"bold\">leaves</text>\n",
		MARGIN, y + SVG_FONT, leaf, y + SVG_FONT);
	return y + SVG_LINE + 4;
}

int tree_svg(FILE *out, const struct tree *t, const struct tree_draw *d)
{
	struct layout lo = { .t = t, .d = d };
	char *body = NULL, *head = NULL, title[128];
	size_t body_len = 0, head_len = 0;
	int l, ncols = 0, width, height, ret = -1;
	uint32_t drawn;

	lo.item_drawn = calloc(t->nr_items + 1, sizeof(bool));
	lo.table_drawn = calloc(t->nr_tables + 1, sizeof(bool));
	if (!lo.item_drawn || !lo.table_drawn)
		goto out;
	drawn = tree_mark_drawn(t, d->max_runs, lo.item_drawn, lo.table_drawn);
	for (l = 0; l < VMLAB_NR_LEVELS; l++) {
		if (tree_level_used(t, l))
			lo.col[l] = ncols++;
	}
	lo.leaf_col = ncols++;
	width = leaf_x(&lo) + LEAF_W + MARGIN;
	width = width < MIN_W ? MIN_W : width;

	lo.f = open_memstream(&head, &head_len);
	if (!lo.f)
		goto out;
	lo.top = draw_head(lo.f, t, d, leaf_x(&lo), drawn);
	fclose(lo.f);
	lo.f = open_memstream(&body, &body_len);
	if (!lo.f)
		goto out;
	for (l = 0; l <= lo.leaf_col; l++)
		lo.cursor[l] = lo.top;
	fprintf(lo.f, "<g id=\"tree\" data-tables=\"%u\" data-runs=\"%u\" data-leaves=\"%" PRIu64
		"\" data-pages=\"%" PRIu64 "\" data-runs-drawn=\"%u\">\n", t->nr_tables,
		t->nr_runs, tree_total_leaves(t), tree_total_pages(t), drawn);
	if (t->nr_tables)
		draw_table(&lo, 0, lo.top);
	else
		fprintf(lo.f, "<text x=\"%d\" y=\"%d\">no leaf: nothing is mapped here</text>\n",
			MARGIN, lo.top + SVG_FONT);
	fputs("</g>\n", lo.f);
	fclose(lo.f);
	lo.f = NULL;
	height = lo.top + SVG_LINE;
	for (l = 0; l <= lo.leaf_col; l++)
		height = lo.cursor[l] > height ? lo.cursor[l] : height;
	height += MARGIN;
	snprintf(title, sizeof(title), "vmlab tree: page tables of pid %u", d->pid);
	svg_begin(out, width, height, title, d->standalone);
	fwrite(head, 1, head_len, out);
	fwrite(body, 1, body_len, out);
	svg_end(out);
	ret = 0;
out:
	if (ret)
		errno = ENOMEM;
	free(head);
	free(body);
	free(lo.item_drawn);
	free(lo.table_drawn);
	return ret;
}
