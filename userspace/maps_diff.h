/* SPDX-License-Identifier: GPL-2.0 */
/*
 * maps_diff.h - what changed between two readings of a process's
 * /proc/PID/maps: the VMAs gone and the VMAs new, grouped where they
 * overlap into one change (added, removed, changed, split, merged), as
 * "vmlab run" prints them after each memory system call.
 */
#ifndef VMLAB_MAPS_DIFF_H
#define VMLAB_MAPS_DIFF_H

#include <stddef.h>

#include "cli.h"
#include "maps_svg.h"

/* one VMA of a reading, with its mapping type */
struct snap_vma {
	struct map_line m;
	enum map_type type;
};

enum vma_change {
	VC_ADDED,	/* a new VMA where there was none */
	VC_REMOVED,	/* a VMA gone, nothing new in its place */
	VC_CHANGED,	/* VMAs replaced by others over the same addresses */
	VC_SPLIT,	/* one VMA now two or more (munmap or mprotect of a part) */
	VC_MERGED,	/* two or more VMAs now one */
	VC_REPLACED,	/* execve: the whole address space (not from maps_diff) */
};

/* "added", "removed", ... */
const char *vma_change_name(enum vma_change kind);

/*
 * Compares the readings @old (@nr_old VMAs) and @new (@nr_new), both in
 * address order: @fn is called once per change, in address order, with
 * the VMAs it took away (@gone, @nr_gone of them, consecutive in @old)
 * and those it put in (@came, @nr_came, consecutive in @new). VMAs equal
 * in both (range, permissions, offset, device, inode and path) are left
 * out. Returns the number of changes.
 */
size_t maps_diff(const struct snap_vma *old, size_t nr_old,
		 const struct snap_vma *new, size_t nr_new,
		 void (*fn)(enum vma_change kind,
			    const struct snap_vma *gone, size_t nr_gone,
			    const struct snap_vma *came, size_t nr_came, void *arg),
		 void *arg);

#endif /* VMLAB_MAPS_DIFF_H */
