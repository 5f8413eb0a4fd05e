// SPDX-License-Identifier: GPL-2.0
/*
 * svg.c - what the vmlab tool's pictures share (see svg.h)
 */
#define _GNU_SOURCE
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>

#include "libvmlab.h"
#include "svg.h"

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

void svg_escape(FILE *f, const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '&':
			fputs("&amp;", f);
			break;
		case '<':
			fputs("&lt;", f);
			break;
		case '>':
			fputs("&gt;", f);
			break;
		case '"':
			fputs("&quot;", f);
			break;
		case '\'':
			fputs("&apos;", f);
			break;
		default:
			/* control characters are not allowed in XML 1.0 */
			fputc((unsigned char)*s < 0x20 && *s != '\n' ? '?' : *s, f);
		}
	}
}

void svg_escapef(FILE *f, const char *fmt, ...)
{
	va_list ap;
	char *s;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	svg_escape(f, s);
	free(s);
}

/* one colour per verdict, told apart in print and by most colour-blind eyes */
static const char *const verdict_colours[] = {
	[VMLAB_COW_NONE]		= "#bdbdbd",
	[VMLAB_COW_ZERO_PAGE]		= "#9ecae1",
	[VMLAB_COW_SHARED]		= "#e6550d",
	[VMLAB_COW_EXCLUSIVE_WP]	= "#fdae6b",
	[VMLAB_COW_PRIVATE_FILE]	= "#9e9ac8",
	[VMLAB_COW_WRITABLE]		= "#31a354",
	[VMLAB_COW_SHARED_WRITABLE]	= "#a1d99b",
	[VMLAB_COW_SHARED_CLEAN]	= "#c994c7",
	[VMLAB_COW_READONLY]		= "#de2d26",
	[VMLAB_COW_PFNMAP]		= "#3182bd",
	[VMLAB_COW_SWAPPED]		= "#636363",
};

const char *svg_verdict_colour(unsigned int verdict)
{
	if (verdict < ARRAY_SIZE(verdict_colours) &&
	    verdict_colours[verdict])
		return verdict_colours[verdict];
	return "#ffffff";
}

void svg_begin(FILE *f, int width, int height, const char *title, int standalone)
{
	if (standalone)
		fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n", f);
	fprintf(f, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\"\n"
		" viewBox=\"0 0 %d %d\" font-family=\"monospace\" font-size=\"%d\">\n",
		width, height, width, height, SVG_FONT);
	fputs("<title>", f);
	svg_escape(f, title);
	fputs("</title>\n", f);
	fputs("<style>\n"
	      "  .bg { fill: #ffffff; }\n"
	      "  .box { fill: #f7f7f7; stroke: #404040; stroke-width: 1; }\n"
	      "  .head { fill: #e0e0e0; stroke: #404040; stroke-width: 1; }\n"
	      "  .leaf { stroke: #404040; stroke-width: 1; }\n"
	      "  .edge { fill: none; stroke: #404040; stroke-width: 1.2; }\n"
	      "  .dim { fill: #707070; }\n"
	      "  .title { font-size: 15px; font-weight: bold; }\n"
	      "  g.hover:hover rect { stroke-width: 2.5; }\n"
	      "</style>\n", f);
	fputs("<defs><marker id=\"arrow\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\"\n"
	      " markerWidth=\"7\" markerHeight=\"7\" orient=\"auto\">\n"
	      "<path d=\"M0,0 L10,5 L0,10 z\" fill=\"#404040\"/></marker></defs>\n", f);
	fprintf(f, "<rect class=\"bg\" x=\"0\" y=\"0\" width=\"%d\" height=\"%d\"/>\n",
		width, height);
}

void svg_end(FILE *f)
{
	fputs("</svg>\n", f);
}

int svg_verdict_legend(FILE *f, int x, int y, const uint64_t *leaves,
		       const uint64_t *pages, unsigned int nr)
{
	unsigned int v;
	int h = 0;

	for (v = 0; v < nr; v++) {
		const char *name = vmlab_verdict_name(v);

		if (!leaves[v] || !name)
			continue;
		fprintf(f, "<g class=\"legend\" data-verdict=\"%s\" data-leaves=\"%" PRIu64
			"\" data-pages=\"%" PRIu64 "\"><title>", name, leaves[v], pages[v]);
		svg_escape(f, vmlab_verdict_reason(v) ?: "");
		fprintf(f, "</title><rect class=\"leaf\" x=\"%d\" y=\"%d\" width=\"28\"\n"
			" height=\"%d\" fill=\"%s\"/>", x, y + h + 1, SVG_LINE - 2,
			svg_verdict_colour(v));
		fprintf(f, "<text x=\"%d\" y=\"%d\">%s: %" PRIu64 " leaves, %" PRIu64
			" pages</text></g>\n", x + 36, y + h + SVG_FONT, name, leaves[v], pages[v]);
		h += SVG_LINE + 2;
	}
	return h;
}
