// SPDX-License-Identifier: GPL-2.0
/*
 * tree_html.c - the page-table tree as one self-contained HTML page: the
 * SVG of tree_svg.c, a table of the runs of leaves it draws, and the walk
 * of each run's first address, shown (CSS :target, no script) when its
 * leaf in the picture or its row in the table is clicked (see tree_out.h).
 * The page is well-formed XML as well as HTML, so that xmllint checks it.
 */
#include <inttypes.h>
#include <stdlib.h>

#include "cli.h"
#include "svg.h"
#include "tree_out.h"

static const char style[] =
	"body { font-family: monospace; margin: 16px; color: #202020; }\n"
	"table.leaves { border-collapse: collapse; margin-top: 8px; }\n"
	"table.leaves td, table.leaves th { border: 1px solid #a0a0a0; padding: 2px 6px;\n"
	" text-align: left; }\n"
	"tr:target { background: #ffff99; }\n"
	".sw { display: inline-block; width: 12px; height: 12px; border: 1px solid #404040; }\n"
	".walk { display: none; position: fixed; right: 16px; top: 16px; max-width: 60em;\n"
	" background: #fffff0; border: 2px solid #404040; padding: 8px; }\n"
	".walk:target { display: block; }\n"
	".walk pre { margin: 4px 0; }\n";

/* the walk of one address as a few lines of text, escaped */
static void walk_text(FILE *f, const struct vmlab_walk *w)
{
	char buf[256];
	unsigned int l;

	svg_escapef(f, "walk of 0x%" PRIx64 "\n", (uint64_t)w->addr);
	for (l = 0; l < VMLAB_NR_LEVELS; l++) {
		if (!(w->valid_levels & (1u << l)))
			continue;
		if (w->leaf_level == VMLAB_LEVEL_NONE || l > w->leaf_level) {
			svg_escapef(f, "  %-4s (not reached)\n", vmlab_level_name(l));
			continue;
		}
		vmlab_format_flags(buf, sizeof(buf), l == w->leaf_level ? w->leaf_flags :
				   vmlab_entry_flags(w->entries[l], l), vmlab_pte_flag_name);
		svg_escapef(f, "  %-4s [%3u] 0x%016" PRIx64 "  %s%s\n", vmlab_level_name(l),
			    w->index[l], (uint64_t)w->entries[l], buf[0] ? buf : "-",
			    l == w->leaf_level ? "  <- leaf" : "");
	}
	if (w->walk_flags & VMLAB_WALK_PFN_HIDDEN)
		svg_escapef(f, "frame    pfn hidden (needs CAP_SYS_ADMIN)\n");
	else
		svg_escapef(f, "frame    pfn 0x%" PRIx64 "\n", (uint64_t)w->pfn);
	vmlab_format_flags(buf, sizeof(buf), w->page_flags, vmlab_page_flag_name);
	if (w->page_flags & VMLAB_PAGE_PRESENT)
		svg_escapef(f, "page     refcount %u, mapcount %u, %s\n", w->refcount,
			    w->mapcount, buf);
	svg_escapef(f, "vma      0x%" PRIx64 "-0x%" PRIx64 " %s\n", (uint64_t)w->vma_start,
		    (uint64_t)w->vma_end, vmlab_backing_name(w->backing) ?: "?");
	svg_escapef(f, "verdict  %s: %s", vmlab_verdict_name(w->verdict) ?: "?",
		    vmlab_verdict_reason(w->verdict) ?: "?");
}

static void leaf_row(FILE *f, const struct tree *t, uint32_t i, uint32_t n)
{
	const struct tree_item *it = &t->items[i];
	char st[256], sz[32];

	fprintf(f, "<tr id=\"leaf-%u\"><td><a href=\"#walk-%u\">%u</a></td>", i, i, n);
	fprintf(f, "<td>%s</td><td>%u-%u</td><td>%u x %s</td>", vmlab_level_name(it->level),
		it->first, it->last, it->last - it->first + 1,
		size_str(sz, sizeof(sz), tree_leaf_bytes(t, it)));
	fprintf(f, "<td>0x%" PRIx64 "-0x%" PRIx64 "</td>", it->addr, it->end);
	fprintf(f, "<td><span class=\"sw\" style=\"background: %s\"></span> %s</td><td>",
		svg_verdict_colour(it->verdict), vmlab_verdict_name(it->verdict) ?: "?");
	svg_escape(f, tree_state_str(st, sizeof(st), it));
	if (!it->pfn && (it->leaf_flags & VMLAB_PTE_PRESENT))
		fputs("</td><td>hidden</td></tr>\n", f);
	else
		fprintf(f, "</td><td>0x%" PRIx64 "</td></tr>\n", it->pfn);
}

int tree_html(FILE *f, const struct tree *t, const struct tree_draw *d,
	      const struct vmlab_walk *walks, uint32_t nr_walks)
{
	struct tree_draw sd = *d;
	uint32_t i, n = 0;

	sd.links = true;
	sd.standalone = false;
	fputs("<!DOCTYPE html>\n<html xmlns=\"http://www.w3.org/1999/xhtml\" lang=\"en\">\n"
	      "<head>\n<meta charset=\"utf-8\"/>\n", f);
	fprintf(f, "<title>vmlab tree: page tables of pid %u</title>\n", d->pid);
	fprintf(f, "<style>\n%s</style>\n</head>\n<body>\n", style);
	fprintf(f, "<p>Page tables of pid %u, 0x%" PRIx64 "-0x%" PRIx64 ". Click a leaf or a\n"
		" row of the table to see the walk of its first address.</p>\n", d->pid,
		t->start, t->end);
	if (tree_svg(f, t, &sd))
		return -1;
	/* the walks, each shown while it is the page's target */
	for (i = 0; i < t->nr_items; i++) {
		if (t->items[i].table != TREE_NONE || n >= d->max_runs)
			continue;
		fprintf(f, "<div class=\"walk\" id=\"walk-%u\"><a href=\"#leaf-%u\">leaf %u</a>\n"
			" <a href=\"#\">close</a><pre>", i, i, n);
		if (walks && n < nr_walks)
			walk_text(f, &walks[n]);
		else
			fputs("(no walk)", f);
		fputs("</pre></div>\n", f);
		n++;
	}
	fputs("<table class=\"leaves\">\n<tr><th>#</th><th>level</th><th>indexes</th>\n"
	      "<th>leaves</th><th>addresses</th><th>verdict</th><th>state</th>\n"
	      "<th>pfn</th></tr>\n", f);
	for (i = 0, n = 0; i < t->nr_items; i++) {
		if (t->items[i].table != TREE_NONE || n >= d->max_runs)
			continue;
		leaf_row(f, t, i, n++);
	}
	fputs("</table>\n", f);
	if (n < t->nr_runs)
		fprintf(f, "<p>%u more runs of leaves not shown.</p>\n", t->nr_runs - n);
	fputs("</body>\n</html>\n", f);
	return 0;
}
