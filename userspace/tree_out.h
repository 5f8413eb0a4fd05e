/* SPDX-License-Identifier: GPL-2.0 */
/*
 * tree_out.h - the forms of the page-table tree (tree.h) that "vmlab tree"
 * writes: text (tree_print.c), JSON and Graphviz dot (tree_print.c), a
 * self-contained SVG (tree_svg.c) and an HTML page holding it (tree_html.c);
 * and the walk that builds it, with its SVG into a file (tree_range.c).
 */
#ifndef VMLAB_TREE_OUT_H
#define VMLAB_TREE_OUT_H

#include <stdbool.h>
#include <stdio.h>

#include "cli.h"
#include "tree.h"

/* the default cap on the runs of leaves a picture draws */
#define TREE_MAX_RUNS	128
/* the most tables and runs a picture is made of: past it, "too large" */
#define TREE_MAX_DRAW	65536

/* what the pictures (dot, SVG, HTML) show besides the tree */
struct tree_draw {
	uint32_t pid;		/* the process (its own pid, never 0) */
	uint32_t max_runs;	/* the cap on runs drawn: the rest are counted */
	bool links;		/* leaves link to "#walk-N" (the HTML page) */
	bool standalone;	/* an SVG file of its own: the XML declaration */
};

/* the tree as text, xv6's vmprint with vmlab's state (@tty: colour) */
void tree_print_text(FILE *f, const struct tree *t, uint32_t pid);
/* the tree as one JSON document */
void tree_print_json(FILE *f, const struct tree *t, uint32_t pid);
/* the tree as a Graphviz digraph: "dot -Tsvg" lays it out */
int tree_print_dot(FILE *f, const struct tree *t, const struct tree_draw *d);

/* the tree as an SVG: 0, or -1 with errno (ENOMEM) */
int tree_svg(FILE *f, const struct tree *t, const struct tree_draw *d);

/*
 * The HTML page: the SVG, then a table of the drawn runs of leaves, each
 * with the walk of its first address (@walks[i] for the i-th drawn run,
 * NULL or @nr_walks short: none shown), shown when the leaf is clicked.
 */
int tree_html(FILE *f, const struct tree *t, const struct tree_draw *d,
	      const struct vmlab_walk *walks, uint32_t nr_walks);

/*
 * The tree of [@start, @end) (page-aligned) in @tg's process into @t (empty;
 * tree_free() it in any case), with @info's page size and levels; @draw: a
 * tree too large to draw (TREE_MAX_DRAW) is an error. 0, or an exit status
 * after one line saying why.
 */
int tree_walk_range(int fd, const struct target *tg, const struct vmlab_info *info,
		    uint64_t start, uint64_t end, bool draw, struct tree *t);

/*
 * The SVG of the tree of [@start, @end) in @tg's process into the file
 * @path, whole or not at all (outfile.h; the path is tried before the
 * walk): 0, or an exit status after one line saying why.
 */
int tree_svg_range(int fd, const struct target *tg, uint64_t start, uint64_t end,
		   const struct tree_draw *d, const char *path);

#endif /* VMLAB_TREE_OUT_H */
