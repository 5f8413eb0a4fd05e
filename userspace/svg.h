/* SPDX-License-Identifier: GPL-2.0 */
/*
 * svg.h - what the vmlab tool's pictures share: text escaped for XML, the
 * colour of each COW verdict and of each mapping type, the frame of a
 * self-contained SVG document (no script, no external font, image or
 * link: a style sheet of its own and the generic "monospace" font), and
 * a legend of the verdicts.
 */
#ifndef VMLAB_SVG_H
#define VMLAB_SVG_H

#include <stdint.h>
#include <stdio.h>

/* the text of every picture: one font size, its line height and char width */
#define SVG_FONT	12
#define SVG_LINE	16
#define SVG_CHAR	7.3

/* @s with &, <, >, " and ' escaped */
void svg_escape(FILE *f, const char *s);
/* printf, then the result escaped */
void svg_escapef(FILE *f, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* the fill colour of VMLAB_COW_* @verdict ("#rrggbb") */
const char *svg_verdict_colour(unsigned int verdict);

/*
 * The opening of an SVG of @width x @height pixels with @title, its style
 * sheet and the arrowhead marker "arrow"; @standalone adds the XML
 * declaration (not wanted inside HTML).
 */
void svg_begin(FILE *f, int width, int height, const char *title, int standalone);
void svg_end(FILE *f);

/*
 * The legend of the verdicts that have leaves: a swatch and
 * "name: N leaves, M pages" each, from (@x, @y) down, one per line, each
 * a <g class="legend" data-verdict= data-leaves= data-pages=>. Returns
 * the height used.
 */
int svg_verdict_legend(FILE *f, int x, int y, const uint64_t *leaves,
		       const uint64_t *pages, unsigned int nr);

#endif /* VMLAB_SVG_H */
