// SPDX-License-Identifier: GPL-2.0
/*
 * picture.c - a lesson's pictures (vmlab lab --svg DIR): the page-table
 * tree of its range before and after its key step, drawn by vmlab tree's
 * own code (tree_range.c) into one SVG file per step.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <unistd.h>

#include "lab.h"
#include "tree_out.h"

void lab_picture(struct lab *lab, const char *step, pid_t pid, const volatile void *addr,
		 size_t len)
{
	struct tree_draw d = {
		.pid = pid ? (uint32_t)pid : (uint32_t)getpid(),
		.max_runs = TREE_MAX_RUNS, .standalone = true,
	};
	uint64_t start = (uintptr_t)addr;
	struct target tg;
	char path[4096];

	if (!lab->svg_dir)
		return;
	lab->nr_pictures++;
	if (snprintf(path, sizeof(path), "%s/%s-%u-%s.svg", lab->svg_dir, lab->name,
		     lab->nr_pictures, step) >= (int)sizeof(path)) {
		errno = ENAMETOOLONG;
		lab_error(lab, "picture");
		return;
	}
	if (target_open(lab->fd, pid, &tg, "lab")) {
		lab->failed++;
		return;
	}
	if (tree_svg_range(lab->fd, &tg, start, start + len, &d, path))
		lab->failed++;
	else
		printf("  (picture: %s)\n", path);
	target_close(&tg);
}
