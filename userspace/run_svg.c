// SPDX-License-Identifier: GPL-2.0
/*
 * run_svg.c - the trees of a changed range before and after a memory call
 * (see run_svg.h): the leaves run read at its two events, those in the
 * range fed to tree.c as a range walk would, the SVG by tree_svg.c.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "outfile.h"
#include "run_svg.h"
#include "tree_out.h"

/* the tree of [@start, @end) from @l into the file @path */
static int draw(const char *path, uint32_t pid, const struct vmlab_info *info,
		uint64_t start, uint64_t end, const struct leaves *l)
{
	struct tree_draw d = { .pid = pid, .max_runs = TREE_MAX_RUNS, .standalone = true };
	struct outfile svg = { 0 };
	struct tree t = { 0 };
	int ret = -1;
	size_t i;

	tree_init(&t, start, end, info->page_size, info->pgtable_levels);
	for (i = 0; i < l->nr; i++)
		if (l->r[i].addr >= start && l->r[i].addr < end)
			tree_add(&t, &l->r[i]);
	if (t.oom) {
		errmsg("run: --svg: %s", strerror(ENOMEM));
		goto out;
	}
	if (t.nr_tables + t.nr_runs > TREE_MAX_DRAW) {
		errmsg("run: --svg: %s: range too large for a picture: %u tables and runs", path,
		       t.nr_tables + t.nr_runs);
		goto out;
	}
	if (!outfile_open(&svg, path))
		goto out;
	if (tree_svg(svg.f, &t, &d))
		errmsg("run: --svg: %s: %s", path, strerror(errno));
	else if (!outfile_commit(&svg))
		ret = 0;
	outfile_abort(&svg);
out:
	tree_free(&t);
	return ret;
}

int run_svg(const char *dir, unsigned int n, const char *call, uint32_t pid,
	    const struct vmlab_info *info, uint64_t start, uint64_t end,
	    const struct leaves *before, const struct leaves *after, char paths[][4096])
{
	if (snprintf(paths[0], sizeof(paths[0]), "%s/run-%u-%s-before.svg", dir, n, call) >=
	    (int)sizeof(paths[0]) ||
	    snprintf(paths[1], sizeof(paths[1]), "%s/run-%u-%s-after.svg", dir, n, call) >=
	    (int)sizeof(paths[1])) {
		errmsg("run: --svg %s: %s", dir, strerror(ENAMETOOLONG));
		return -1;
	}
	if (draw(paths[0], pid, info, start, end, before) ||
	    draw(paths[1], pid, info, start, end, after))
		return -1;
	return 0;
}
