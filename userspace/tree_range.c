// SPDX-License-Identifier: GPL-2.0
/*
 * tree_range.c - the tree of a range walked in a process, and its SVG into
 * a file: what "vmlab tree" and the lab's pictures (vmlab lab --svg DIR)
 * share, so that both draw the same tree the same way.
 */
#include <errno.h>
#include <inttypes.h>
#include <string.h>

#include "outfile.h"
#include "tree_out.h"

int tree_walk_range(int fd, const struct target *tg, const struct vmlab_info *info,
		    uint64_t start, uint64_t end, bool draw, struct tree *t)
{
	char what[64];

	snprintf(what, sizeof(what), "0x%" PRIx64 "-0x%" PRIx64, start, end);
	tree_init(t, start, end, info->page_size, info->pgtable_levels);
	if (walk_records(fd, tg, start, end, tree_add_cb, t))
		return walk_error(tg->pid, what);
	if (t->oom) {
		errmsg("tree: %s", strerror(ENOMEM));
		return EXIT_FAILED;
	}
	if (draw && t->nr_tables + t->nr_runs > TREE_MAX_DRAW) {
		errmsg("%s: range too large to draw: %u tables and runs (at most %u)", what,
		       t->nr_tables + t->nr_runs, TREE_MAX_DRAW);
		return EXIT_FAILED;
	}
	return 0;
}

int tree_svg_range(int fd, const struct target *tg, uint64_t start, uint64_t end,
		   const struct tree_draw *d, const char *path)
{
	struct outfile svg = { 0 };
	struct vmlab_info info;
	struct tree t = { 0 };
	int status = EXIT_FAILED;

	if (vmlab_info(fd, &info)) {
		errmsg("tree: info: %s", strerror(errno));
		return EXIT_FAILED;
	}
	/* the file first: an unwritable path fails before the walk */
	if (!outfile_open(&svg, path))
		return EXIT_FAILED;
	status = tree_walk_range(fd, tg, &info, start, end, true, &t);
	if (status)
		goto out;
	status = EXIT_FAILED;
	if (tree_svg(svg.f, &t, d)) {
		errmsg("tree: %s", strerror(errno));
		goto out;
	}
	if (!outfile_commit(&svg))
		status = EXIT_OK;
out:
	outfile_abort(&svg);
	tree_free(&t);
	return status;
}
