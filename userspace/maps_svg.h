/* SPDX-License-Identifier: GPL-2.0 */
/*
 * maps_svg.h - a process's address space as a self-contained SVG ("vmlab
 * maps --svg"): its VMAs from the lowest address down, each a bar to
 * scale coloured by mapping type, the gaps between them on a log scale,
 * and beside each bar its resident, zero-page, COW-shared and dirty
 * fractions.
 */
#ifndef VMLAB_MAPS_SVG_H
#define VMLAB_MAPS_SVG_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "cli.h"

/* mapping types: private or shared, times file, anon or device */
enum map_type {
	MT_PRIVATE_FILE, MT_PRIVATE_ANON, MT_PRIVATE_DEVICE,
	MT_SHARED_FILE, MT_SHARED_ANON, MT_SHARED_DEVICE,
	MT_OTHER,	/* special mappings: [vdso], [vvar], [vsyscall] */
	NR_MAP_TYPES
};

/* one VMA and the pages its walk counted */
struct maps_vma {
	const struct map_line *m;
	enum map_type type;
	bool walked;
	uint64_t resident, zero, cow, dirty;	/* in pages */
};

/* the type of VMA @m, from the walk @w of its first address (NULL: none) */
enum map_type maps_type(const struct map_line *m, const struct vmlab_walk *w);
/* @t as one word, "private-file" ... "special": maps' TYPE column */
const char *maps_type_key(enum map_type t);

/* the picture of @nr VMAs of process @pid, in address order */
void maps_svg(FILE *f, const struct maps_vma *v, size_t nr, uint32_t pid,
	      uint32_t page_size);

#endif /* VMLAB_MAPS_SVG_H */
