// SPDX-License-Identifier: GPL-2.0
/*
 * maps_svg.c - a process's address space as a self-contained SVG (see
 * maps_svg.h)
 */
#include <inttypes.h>
#include <string.h>

#include "maps_svg.h"
#include "svg.h"

#define MARGIN	16
#define ADDR_X	MARGIN
#define BAR_X	(MARGIN + 120)
#define BAR_W	140
#define FRAC_X	(BAR_X + BAR_W + 16)
#define FRAC_W	72
#define FRAC_GAP 8
#define TEXT_X	(FRAC_X + 4 * (FRAC_W + FRAC_GAP) + 10)
#define WIDTH	(TEXT_X + 360)	/* under 1000 px: a page's width */
#define BAR_MIN	18	/* the least height of a VMA's bar */
#define BAR_MAX	240	/* the height of the largest VMA */

/* @key: the TYPE column's word (maps_type_key); @name: the legend's */
static const struct {
	const char *key, *name, *colour;
} types[NR_MAP_TYPES] = {
	[MT_PRIVATE_FILE]	= { "private-file", "private file", "#fdd49e" },
	[MT_PRIVATE_ANON]	= { "private-anon", "private anon", "#b8e186" },
	[MT_PRIVATE_DEVICE]	= { "private-device", "private device", "#d7b5d8" },
	[MT_SHARED_FILE]	= { "shared-file", "shared file", "#f46d43" },
	[MT_SHARED_ANON]	= { "shared-anon", "shared anon", "#1a9850" },
	[MT_SHARED_DEVICE]	= { "shared-device", "shared device", "#7b3294" },
	[MT_OTHER]		= { "special", "special", "#d9d9d9" },
};

const char *maps_type_key(enum map_type t)
{
	return types[t].key;
}

/* the fractions beside each bar */
static const struct {
	const char *name, *colour;
} fracs[] = {
	{ "resident", "#2b8cbe" },
	{ "zero-page", "#9ecae1" },
	{ "cow-shared", "#e6550d" },
	{ "dirty", "#636363" },
};

/* a path the kernel gives anonymous shared memory, not a file */
static bool anon_path(const char *path)
{
	return !path[0] || path[0] == '[' || !strncmp(path, "/dev/zero", 9) ||
	       !strncmp(path, "/SYSV", 5);
}

enum map_type maps_type(const struct map_line *m, const struct vmlab_walk *w)
{
	bool shared = m->perms[3] == 's';
	enum map_type file = shared ? MT_SHARED_FILE : MT_PRIVATE_FILE;
	enum map_type anon = shared ? MT_SHARED_ANON : MT_PRIVATE_ANON;
	enum map_type dev = shared ? MT_SHARED_DEVICE : MT_PRIVATE_DEVICE;

	/* the kernel's own mappings: [vdso], [vvar], [vsyscall] */
	if (m->path[0] == '[' && strcmp(m->path, "[heap]") && strncmp(m->path, "[stack", 6) &&
	    strncmp(m->path, "[anon", 5))
		return MT_OTHER;
	if (!w || (w->walk_flags & VMLAB_WALK_NO_VMA))
		return MT_OTHER;
	switch (w->backing) {
	case VMLAB_BACKING_ANON:
		return anon;
	case VMLAB_BACKING_FILE:
		return file;
	case VMLAB_BACKING_SHMEM:
	case VMLAB_BACKING_HUGETLB:
		return anon_path(m->path) ? anon : file;
	case VMLAB_BACKING_VMLAB:
		if (w->region_kind == VMLAB_REGION_FILE)
			return file;
		return w->region_kind == VMLAB_REGION_ANON ? anon : dev;
	case VMLAB_BACKING_PFNMAP:
		return dev;
	default:
		return MT_OTHER;
	}
}

static void draw_legend(FILE *f, int y)
{
	unsigned int i;
	int x = MARGIN;

	for (i = 0; i < NR_MAP_TYPES; i++) {
		fprintf(f, "<g class=\"legend\" data-type=\"%s\"><rect x=\"%d\" y=\"%d\"\n"
			" width=\"28\" height=\"14\" fill=\"%s\" stroke=\"#404040\"/>\n"
			"<text x=\"%d\" y=\"%d\">%s</text></g>\n", types[i].name, x, y,
			types[i].colour, x + 34, y + SVG_FONT, types[i].name);
		x += 34 + (int)(SVG_CHAR * strlen(types[i].name)) + 20;
	}
	x = MARGIN;
	y += SVG_LINE + 6;
	for (i = 0; i < ARRAY_SIZE(fracs); i++) {
		fprintf(f, "<g class=\"legend\" data-fraction=\"%s\"><rect x=\"%d\" y=\"%d\"\n"
			" width=\"28\" height=\"14\" fill=\"%s\" stroke=\"#404040\"/>\n"
			"<text x=\"%d\" y=\"%d\">%s pages</text></g>\n", fracs[i].name, x, y,
			fracs[i].colour, x + 34, y + SVG_FONT, fracs[i].name);
		x += 34 + (int)(SVG_CHAR * (strlen(fracs[i].name) + 6)) + 20;
	}
}

/* @bytes to three digits or so: "4K", "1.5M", "127T" */
static const char *approx_size(char *buf, size_t size, uint64_t bytes)
{
	static const char units[] = "KMGTPE";
	double v = bytes / 1024.0;
	unsigned int u = 0;

	while (v >= 1024 && u + 1 < sizeof(units) - 1) {
		v /= 1024;
		u++;
	}
	snprintf(buf, size, v < 10 && v != (int)v ? "%.1f%c" : "%.0f%c", v, units[u]);
	return buf;
}

/* 3 px per doubling: log2 of the pages, in whole steps */
static int gap_height(uint64_t bytes, uint32_t page_size)
{
	return 6 + 3 * (64 - __builtin_clzll(bytes / page_size + 1));
}

/* a gap of @bytes between VMAs at @y, on a log scale */
static void draw_gap(FILE *f, int y, uint64_t bytes, uint32_t page_size)
{
	int h = gap_height(bytes, page_size);
	char sz[32];

	fprintf(f, "<g class=\"gap\"><path class=\"edge\" stroke-dasharray=\"3,3\"\n"
		" d=\"M%d,%d L%d,%d\"/><text class=\"dim\" x=\"%d\" y=\"%d\">gap %s</text></g>\n",
		BAR_X + BAR_W / 2, y + 1, BAR_X + BAR_W / 2, y + h - 1, BAR_X + BAR_W / 2 + 8,
		y + h / 2 + 4, approx_size(sz, sizeof(sz), bytes));
}

static void draw_vma(FILE *f, const struct maps_vma *v, int y, int h, uint32_t page_size)
{
	const struct map_line *m = v->m;
	uint64_t pages = (m->end - m->start) / page_size;
	uint64_t n[4] = { v->resident, v->zero, v->cow, v->dirty };
	char sz[32];
	unsigned int i;

	fprintf(f, "<g class=\"hover vma\" data-start=\"%" PRIu64 "\" data-end=\"%" PRIu64
		"\" data-type=\"%s\" data-resident=\"%" PRIu64 "\" data-zero=\"%" PRIu64
		"\" data-cow=\"%" PRIu64 "\" data-dirty=\"%" PRIu64 "\"><title>", m->start, m->end,
		types[v->type].name, v->resident, v->zero, v->cow, v->dirty);
	svg_escapef(f, "0x%" PRIx64 "-0x%" PRIx64 " %s %s (%s, %s)\n", m->start, m->end,
		    m->perms, m->path, types[v->type].name, size_str(sz, sizeof(sz),
								      m->end - m->start));
	if (v->walked)
		svg_escapef(f, "of %" PRIu64 " pages: %" PRIu64 " resident, %" PRIu64
			    " zero-page, %" PRIu64 " COW-shared, %" PRIu64 " dirty", pages,
			    v->resident, v->zero, v->cow, v->dirty);
	else
		svg_escape(f, "not walked");
	fprintf(f, "</title><text x=\"%d\" y=\"%d\">0x%" PRIx64 "</text>", ADDR_X,
		y + SVG_FONT, m->start);
	fprintf(f, "<rect class=\"leaf\" x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\"\n"
		" fill=\"%s\"/>", BAR_X, y, BAR_W, h, types[v->type].colour);
	for (i = 0; v->walked && i < 4; i++) {
		int x = FRAC_X + i * (FRAC_W + FRAC_GAP);
		int w = pages ? (int)((double)n[i] / pages * FRAC_W + 0.5) : 0;

		fprintf(f, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"12\" fill=\"#ffffff\"\n"
			" stroke=\"#a0a0a0\"/>", x, y + 2, FRAC_W);
		if (w)
			fprintf(f, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"12\"\n"
				" fill=\"%s\"/>", x, y + 2, w, fracs[i].colour);
	}
	fprintf(f, "<text x=\"%d\" y=\"%d\">", TEXT_X, y + SVG_FONT);
	svg_escapef(f, "%s %6s %s", m->perms, size_str(sz, sizeof(sz), m->end - m->start),
		    m->path);
	fputs("</text></g>\n", f);
}

/* the gaps and bars from @top down, drawn into @f (NULL: measured); the end */
static int layout(FILE *f, const struct maps_vma *v, size_t nr, int top,
		  uint32_t page_size)
{
	uint64_t largest = 1;
	int y = top;
	size_t k;

	for (k = 0; k < nr; k++) {
		if (v[k].m->end - v[k].m->start > largest)
			largest = v[k].m->end - v[k].m->start;
	}
	for (k = 0; k < nr; k++) {
		const struct map_line *m = v[k].m;
		double scaled = (double)(m->end - m->start) / largest * BAR_MAX;
		int h = scaled < BAR_MIN ? BAR_MIN : (int)scaled;

		if (k && m->start > v[k - 1].m->end) {
			if (f)
				draw_gap(f, y, m->start - v[k - 1].m->end, page_size);
			y += gap_height(m->start - v[k - 1].m->end, page_size);
		}
		if (f)
			draw_vma(f, &v[k], y, h, page_size);
		y += h + 2;
	}
	return y;
}

void maps_svg(FILE *f, const struct maps_vma *v, size_t nr, uint32_t pid,
	      uint32_t page_size)
{
	int top = MARGIN + 5 * SVG_LINE + 20, k;
	char title[64];

	snprintf(title, sizeof(title), "the address space of pid %u", pid);
	svg_begin(f, WIDTH, layout(NULL, v, nr, top, page_size) + MARGIN, title, 1);
	fprintf(f, "<text class=\"title\" x=\"%d\" y=\"%d\">%s</text>\n", MARGIN,
		MARGIN + SVG_FONT + 4, title);
	fprintf(f, "<text x=\"%d\" y=\"%d\">%zu VMAs from the lowest address down; bars to\n"
		" scale (at least %d px), gaps on a log scale; beside each, the fractions of\n"
		" its pages</text>\n", MARGIN, MARGIN + SVG_FONT + 4 + SVG_LINE + 4, nr, BAR_MIN);
	draw_legend(f, MARGIN + 2 * SVG_LINE + 12);
	for (k = 0; k < 4; k++)
		fprintf(f, "<text class=\"dim\" x=\"%d\" y=\"%d\">%s</text>\n",
			FRAC_X + k * (FRAC_W + FRAC_GAP), top - 6, fracs[k].name);
	fprintf(f, "<g id=\"vmas\" data-vmas=\"%zu\">\n", nr);
	layout(f, v, nr, top, page_size);
	fputs("</g>\n", f);
	svg_end(f);
}
