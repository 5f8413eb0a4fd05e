// SPDX-License-Identifier: GPL-2.0
/*
 * vmlab diff - two range walks saved by "vmlab scan --json", compared page
 * by page: only what changed (new and gone leaves, level, verdict, flag,
 * caching and frame changes), runs of alike changes collapsed into rows
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "json.h"
#include "jsonread.h"
#include "cli.h"
#include "shapes.h"

static void print_usage(FILE *f)
{
	fprintf(f, "usage: %s diff [--json] OLD.json NEW.json\n"
		"Compare two range walks saved by '%s scan --json' (one process each:\n"
		"the same process at two moments, or two processes) page by page and\n"
		"print only what changed: pages with a leaf only in NEW (new) or only\n"
		"in OLD (gone), and pages whose level, verdict, leaf flags, page flags,\n"
		"caching or frame changed, one row per run of pages with the same\n"
		"change. Frames are compared where both files hold them (\"pfns\": not\n"
		"when the PFNs were hidden). A leaf's size is that of its level in the\n"
		"page-table shape the scan names (\"shape\", as '%s shapes' lists them;\n"
		"x86-64's when it names none); scans of two shapes are not compared.\n"
		"Exit status 0 whether or not anything\n"
		"changed; count the rows with --json and jq '.changes | length'.\n"
		"  -j, --json  one JSON document: {\"old\", \"new\", \"changes\": [...], \"pages\"}\n",
		prog, prog, prog);
}

/* the fields a page's state is made of; a change names those that differ */
enum field { F_LEVEL, F_VERDICT, F_LEAF_FLAGS, F_PAGE_FLAGS, F_CACHE, F_FRAME, NR_FIELDS };
static const char *const field_name[NR_FIELDS] = {
	"level", "verdict", "leaf_flags", "page_flags", "cache", "frame",
};

/* one run of a scan document, read */
struct run_info {
	const char *text[F_CACHE + 1];	/* the fields as text, flags joined by '|' */
	char flags[2][512];
	const struct jv *obj;
};

/* one page a leaf maps */
struct page {
	uint64_t addr;
	size_t run;
	uint64_t frame;
	bool has_frame;
};

/* one document, read */
struct doc {
	const char *file;
	struct jv root;
	uint64_t pid, start, end;
	/* the kernel's shape the scan names (NULL: an older scan), its page size */
	const struct shape *shape;
	uint64_t page;
	struct run_info *runs;
	size_t nr_runs;
	struct page *pages;
	size_t nr_pages, max_pages;
	bool has_frames;
};

/* a flag array's names joined by '|' into @buf ("-" for none) */
static int join_flags(const struct jv *a, char *buf, size_t size)
{
	size_t i, len = 0;
	int n;

	buf[0] = '\0';
	if (!a || a->type != JV_ARRAY)
		return -1;
	for (i = 0; i < a->n; i++) {
		if (a->items[i].type != JV_STRING)
			return -1;
		n = snprintf(buf + len, size - len, "%s%s", i ? "|" : "", a->items[i].string);
		if (n < 0 || (size_t)n >= size - len)
			return -1;
		len += n;
	}
	if (!len)
		snprintf(buf, size, "-");
	return 0;
}

/* bytes one leaf at @level maps in @d's scan, 0 for a level of no name */
static uint64_t leaf_size(const struct doc *d, const char *level)
{
	unsigned int l;

	for (l = 0; l < VMLAB_NR_LEVELS; l++) {
		if (!vmlab_level_name(l) || strcmp(vmlab_level_name(l), level))
			continue;
		if (d->shape)
			return 1ULL << shape_leaf_shift(d->shape, l);
		return level_bytes(l, d->page);
	}
	return 0;
}

/* run @r's pages within [d->start, d->end) into d->pages */
static int add_pages(struct doc *d, size_t r, uint64_t start, uint64_t leaves, uint64_t size,
		     const struct jv *pfns)
{
	uint64_t page = d->page, i, addr, pfn = 0;
	struct page *p;

	for (i = 0; i < leaves; i++) {
		if (pfns && jv_u64(&pfns->items[i], &pfn))
			return -1;
		for (addr = start + i * size; addr < start + (i + 1) * size; addr += page) {
			if (addr < d->start || addr >= d->end)
				continue;
			if (grow((void **)&d->pages, &d->max_pages, d->nr_pages, sizeof(*p)))
				return -1;
			p = &d->pages[d->nr_pages++];
			p->addr = addr;
			p->run = r;
			p->has_frame = pfns;
			p->frame = pfn + (addr - start - i * size) / page;
		}
	}
	return 0;
}

/* @d->file read and its runs expanded to pages: 0, or -1 after saying why not */
static int read_doc(struct doc *d)
{
	const struct jv *runs, *pfns, *shape;
	char err[128], *text = NULL;
	uint64_t start, leaves, size;
	size_t len = 0, i;
	ssize_t got;
	FILE *f;

	f = fopen(d->file, "re");
	if (!f) {
		errmsg("%s: %s", d->file, strerror(errno));
		return -1;
	}
	/* the whole file: a NUL in it ends the read, and the JSON */
	got = getdelim(&text, &len, '\0', f);
	if (got < 0 && ferror(f)) {
		errmsg("%s: %s", d->file, strerror(errno));
		fclose(f);
		free(text);
		return -1;
	}
	fclose(f);
	if (jv_parse(text ?: "", got > 0 ? got : 0, &d->root, err, sizeof(err))) {
		errmsg("%s: not JSON: %s", d->file, err);
		free(text);
		return -1;
	}
	free(text);
	if (jv_get(&d->root, "pids")) {
		errmsg("%s: a side-by-side scan (two -p): diff compares scans of one process",
		       d->file);
		return -1;
	}
	/*
	 * the shape sizes the leaves; a scan that names none (an older vmlab's,
	 * which ran on 4 KiB pages only) gets x86-64's sizes and 4 KiB pages
	 */
	shape = jv_get(&d->root, "shape");
	if (shape && shape->type != JV_NULL) {
		d->shape = jv_str(shape) ? shape_by_name(jv_str(shape)) : NULL;
		if (!d->shape) {
			errmsg("%s: a page-table shape this vmlab does not know (%s shapes)",
			       d->file, prog);
			return -1;
		}
		d->page = 1ULL << d->shape->page_shift;
	} else {
		d->page = 4096;
	}
	runs = jv_get(&d->root, "runs");
	if (!runs || runs->type != JV_ARRAY || jv_u64(jv_get(&d->root, "pid"), &d->pid) ||
	    jv_u64(jv_get(&d->root, "start"), &d->start) ||
	    jv_u64(jv_get(&d->root, "end"), &d->end))
		goto not_scan;
	d->runs = calloc(runs->n + 1, sizeof(*d->runs));
	if (!d->runs) {
		errmsg("diff: %s", strerror(ENOMEM));
		return -1;
	}
	d->nr_runs = runs->n;
	d->has_frames = true;
	for (i = 0; i < runs->n; i++) {
		const struct jv *r = &runs->items[i];
		struct run_info *ri = &d->runs[i];

		ri->obj = r;
		ri->text[F_LEVEL] = jv_str(jv_get(r, "level"));
		ri->text[F_VERDICT] = jv_str(jv_get(r, "verdict"));
		ri->text[F_CACHE] = jv_str(jv_get(r, "cache")) ?: "-";
		ri->text[F_LEAF_FLAGS] = ri->flags[0];
		ri->text[F_PAGE_FLAGS] = ri->flags[1];
		if (!ri->text[F_LEVEL] || !ri->text[F_VERDICT] ||
		    join_flags(jv_get(r, "leaf_flags"), ri->flags[0], sizeof(ri->flags[0])) ||
		    join_flags(jv_get(r, "page_flags"), ri->flags[1], sizeof(ri->flags[1])) ||
		    jv_u64(jv_get(r, "start"), &start) || jv_u64(jv_get(r, "leaves"), &leaves))
			goto not_scan;
		size = leaf_size(d, ri->text[F_LEVEL]);
		pfns = jv_get(r, "pfns");
		if (pfns && pfns->type != JV_ARRAY)
			pfns = NULL;
		if (!size || leaves > (d->end - d->start) / size + 2 ||
		    (pfns && pfns->n != leaves))
			goto not_scan;
		if (!pfns)
			d->has_frames = false;
		errno = 0;
		if (add_pages(d, i, start, leaves, size, pfns)) {
			if (errno == ENOMEM) {
				errmsg("diff: %s", strerror(ENOMEM));
				return -1;
			}
			goto not_scan;
		}
	}
	return 0;
not_scan:
	errmsg("%s: not a document of '%s scan --json' (its runs are missing or malformed)",
	       d->file, prog);
	return -1;
}

/* a run of pages with the same change */
struct change {
	uint64_t start, end;
	const struct page *old, *new;	/* the first page's, NULL where none */
	unsigned int fields;		/* what changed (1 << enum field) */
};

static unsigned int page_diff(const struct doc *o, const struct page *op, const struct doc *n,
			      const struct page *np)
{
	const struct run_info *a = &o->runs[op->run], *b = &n->runs[np->run];
	unsigned int f, fields = 0;

	for (f = 0; f <= F_CACHE; f++)
		if (strcmp(a->text[f], b->text[f]))
			fields |= 1u << f;
	if (op->has_frame && np->has_frame && op->frame != np->frame)
		fields |= 1u << F_FRAME;
	return fields;
}

/* the same kind of change as @c, and the page right after it */
static bool extends(const struct change *c, uint64_t addr, const struct page *op,
		    const struct page *np, unsigned int fields)
{
	return c->end == addr && c->fields == fields && !c->old == !op && !c->new == !np &&
	       (!op || c->old->run == op->run) && (!np || c->new->run == np->run);
}

struct changes {
	struct change *c;
	size_t nr, max;
	uint64_t pages_new, pages_gone, pages_changed;
};

static int add_change(struct changes *cs, uint64_t addr, uint64_t page, const struct page *op,
		      const struct page *np, unsigned int fields)
{
	struct change *last = cs->nr ? &cs->c[cs->nr - 1] : NULL;

	if (!op)
		cs->pages_new++;
	else if (!np)
		cs->pages_gone++;
	else
		cs->pages_changed++;
	if (last && extends(last, addr, op, np, fields)) {
		last->end += page;
		return 0;
	}
	if (grow((void **)&cs->c, &cs->max, cs->nr, sizeof(*cs->c)))
		return -1;
	cs->c[cs->nr++] = (struct change){ addr, addr + page, op, np, fields };
	return 0;
}

/* the two documents' pages merged in address order, the changes kept */
static int compare(const struct doc *o, const struct doc *n, struct changes *cs)
{
	uint64_t page = o->page;
	size_t i = 0, k = 0;
	const struct page *op, *np;
	unsigned int fields;
	uint64_t addr;

	while (i < o->nr_pages || k < n->nr_pages) {
		op = i < o->nr_pages ? &o->pages[i] : NULL;
		np = k < n->nr_pages ? &n->pages[k] : NULL;
		if (op && np && op->addr != np->addr) {
			if (op->addr < np->addr)
				np = NULL;
			else
				op = NULL;
		}
		addr = op ? op->addr : np->addr;
		i += !!op;
		k += !!np;
		fields = op && np ? page_diff(o, op, n, np) : 0;
		if (op && np && !fields)
			continue;
		if (add_change(cs, addr, page, op, np, fields))
			return -1;
	}
	return 0;
}

static void print_state(const struct doc *d, const struct page *p)
{
	const struct run_info *r = &d->runs[p->run];

	printf("%s %s%s%s [%s] [%s] %s", r->text[F_LEVEL], colour(C_INFO),
	       r->text[F_VERDICT], colour(C_RESET), r->text[F_LEAF_FLAGS],
	       r->text[F_PAGE_FLAGS], r->text[F_CACHE]);
	if (p->has_frame)
		printf(" frame 0x%" PRIx64, p->frame);
}

static void print_text(const struct doc *o, const struct doc *n, const struct changes *cs)
{
	uint64_t page = o->page;
	const struct change *c;
	unsigned int f;
	bool first;
	size_t i;

	printf("%s%s%s (pid %" PRIu64 ", 0x%" PRIx64 "-0x%" PRIx64 ") -> %s%s%s (pid %" PRIu64
	       ", 0x%" PRIx64 "-0x%" PRIx64 ")\n", colour(C_BOLD), o->file, colour(C_RESET),
	       o->pid, o->start, o->end, colour(C_BOLD), n->file, colour(C_RESET), n->pid,
	       n->start, n->end);
	if (!o->has_frames || !n->has_frames)
		printf("(frames not compared: %s holds no PFNs)\n",
		       !o->has_frames ? o->file : n->file);
	if (!cs->nr) {
		printf("no change\n");
		return;
	}
	printf("%-14s  %-14s  %6s  %s\n", "START", "END", "PAGES", "CHANGE");
	for (i = 0; i < cs->nr; i++) {
		c = &cs->c[i];
		printf("%#-14" PRIx64 "  %#-14" PRIx64 "  %6" PRIu64 "  ", c->start, c->end,
		       (c->end - c->start) / page);
		if (!c->old) {
			printf("%snew%s: ", colour(C_GOOD), colour(C_RESET));
			print_state(n, c->new);
		} else if (!c->new) {
			printf("%sgone%s: was ", colour(C_BAD), colour(C_RESET));
			print_state(o, c->old);
		} else {
			first = true;
			for (f = 0; f < NR_FIELDS; f++) {
				if (!(c->fields & (1u << f)))
					continue;
				printf("%s%s ", first ? "" : "; ", field_name[f]);
				first = false;
				if (f == F_FRAME)
					printf("0x%" PRIx64 " -> 0x%" PRIx64 "%s", c->old->frame,
					       c->new->frame,
					       c->end - c->start > page ? "..." : "");
				else
					printf("%s -> %s", o->runs[c->old->run].text[f],
					       n->runs[c->new->run].text[f]);
			}
		}
		printf("\n");
	}
	printf("\npages: %" PRIu64 " new, %" PRIu64 " gone, %" PRIu64 " changed\n",
	       cs->pages_new, cs->pages_gone, cs->pages_changed);
}

static void json_doc(struct json *j, const char *key, const struct doc *d)
{
	json_object_begin(j, key);
	json_string(j, "file", d->file);
	json_u64(j, "pid", d->pid);
	json_u64(j, "start", d->start);
	json_u64(j, "end", d->end);
	json_bool(j, "frames", d->has_frames);
	json_object_end(j);
}

static void json_state(struct json *j, const char *key, const struct doc *d,
		       const struct page *p)
{
	const struct run_info *r;

	if (!p) {
		json_string(j, key, NULL);
		return;
	}
	r = &d->runs[p->run];
	json_object_begin(j, key);
	json_string(j, "level", r->text[F_LEVEL]);
	json_string(j, "verdict", r->text[F_VERDICT]);
	json_string(j, "leaf_flags", r->text[F_LEAF_FLAGS]);
	json_string(j, "page_flags", r->text[F_PAGE_FLAGS]);
	json_string(j, "cache", r->text[F_CACHE]);
	if (p->has_frame)
		json_u64(j, "pfn", p->frame);
	else
		json_string(j, "pfn", NULL);
	json_object_end(j);
}

static void print_json(const struct doc *o, const struct doc *n, const struct changes *cs)
{
	uint64_t page = o->page;
	const struct change *c;
	struct json j;
	unsigned int f;
	size_t i;

	json_init(&j, stdout);
	json_object_begin(&j, NULL);
	json_doc(&j, "old", o);
	json_doc(&j, "new", n);
	json_array_begin(&j, "changes");
	for (i = 0; i < cs->nr; i++) {
		c = &cs->c[i];
		json_object_begin(&j, NULL);
		json_u64(&j, "start", c->start);
		json_u64(&j, "end", c->end);
		json_hex(&j, "start_hex", c->start);
		json_u64(&j, "pages", (c->end - c->start) / page);
		json_string(&j, "change", !c->old ? "new" : !c->new ? "gone" : "changed");
		json_array_begin(&j, "fields");
		for (f = 0; f < NR_FIELDS; f++)
			if (c->fields & (1u << f))
				json_string(&j, NULL, field_name[f]);
		json_array_end(&j);
		json_state(&j, "old", o, c->old);
		json_state(&j, "new", n, c->new);
		json_object_end(&j);
	}
	json_array_end(&j);
	json_object_begin(&j, "pages");
	json_u64(&j, "new", cs->pages_new);
	json_u64(&j, "gone", cs->pages_gone);
	json_u64(&j, "changed", cs->pages_changed);
	json_object_end(&j);
	json_object_end(&j);
	json_end(&j);
}

int cmd_diff(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "json", no_argument, NULL, 'j' },
		{ }
	};
	struct doc d[2] = { { 0 } };
	struct changes cs = { 0 };
	bool json = false;
	int c, k, status = EXIT_FAILED;

	while ((c = getopt_long(argc, argv, "hj", opts, NULL)) != -1) {
		if (c == 'j')
			json = true;
		else
			return help_or_usage(c, "diff", argv, print_usage);
	}
	if (argc - optind != 2)
		return usage_error("diff", argc - optind < 2 ? "missing OLD.json or NEW.json" :
				   "unexpected argument '%s'", argv[argc - 1]);
	for (k = 0; k < 2; k++) {
		d[k].file = argv[optind + k];
		if (read_doc(&d[k]))
			goto out;
	}
	if ((d[0].shape && d[1].shape && d[0].shape != d[1].shape) || d[0].page != d[1].page) {
		errmsg("diff: %s is a scan of %s, %s of %s: diff compares scans of one kernel",
		       d[0].file, d[0].shape ? d[0].shape->name : "an unnamed shape",
		       d[1].file, d[1].shape ? d[1].shape->name : "an unnamed shape");
		goto out;
	}
	if (compare(&d[0], &d[1], &cs)) {
		errmsg("diff: %s", strerror(ENOMEM));
		goto out;
	}
	if (json)
		print_json(&d[0], &d[1], &cs);
	else
		print_text(&d[0], &d[1], &cs);
	status = EXIT_OK;
out:
	for (k = 0; k < 2; k++) {
		jv_free(&d[k].root);
		free(d[k].runs);
		free(d[k].pages);
	}
	free(cs.c);
	return status;
}
