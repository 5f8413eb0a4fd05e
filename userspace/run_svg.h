/* SPDX-License-Identifier: GPL-2.0 */
/*
 * run_svg.h - "vmlab run --svg DIR": the page-table tree of a range that a
 * memory call changed, before and after it, drawn by vmlab tree's own code
 * from run's two readings of the leaves, as DIR/run-N-CALL-before.svg and
 * DIR/run-N-CALL-after.svg.
 */
#ifndef VMLAB_RUN_SVG_H
#define VMLAB_RUN_SVG_H

#include <stddef.h>
#include <stdint.h>

#include "libvmlab.h"

/* one reading of a process's leaves, in address order */
struct leaves {
	const struct vmlab_walk_record *r;
	size_t nr;
};

/*
 * The trees of [@start, @end) in process @pid, from the leaves @before and
 * @after, into @dir as run-@n-@call-before.svg and -after.svg, their paths
 * into @paths (2 x @size bytes). 0, or -1 after one line saying why (a file
 * not written, a range too large to draw).
 */
int run_svg(const char *dir, unsigned int n, const char *call, uint32_t pid,
	    const struct vmlab_info *info, uint64_t start, uint64_t end,
	    const struct leaves *before, const struct leaves *after, char paths[][4096]);

#endif /* VMLAB_RUN_SVG_H */
