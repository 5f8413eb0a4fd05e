// SPDX-License-Identifier: GPL-2.0
/*
 * maps_diff.c - the VMAs that changed between two readings of
 * /proc/PID/maps (see maps_diff.h)
 */
#include <stdbool.h>
#include <string.h>

#include "maps_diff.h"

const char *vma_change_name(enum vma_change kind)
{
	static const char *const names[] = {
		[VC_ADDED] = "added", [VC_REMOVED] = "removed", [VC_CHANGED] = "changed",
		[VC_SPLIT] = "split", [VC_MERGED] = "merged", [VC_REPLACED] = "replaced",
	};

	return names[kind];
}

static bool same_vma(const struct map_line *a, const struct map_line *b)
{
	return a->start == b->start && a->end == b->end && a->offset == b->offset &&
	       a->inode == b->inode && !strcmp(a->perms, b->perms) && !strcmp(a->dev, b->dev) &&
	       !strcmp(a->path, b->path);
}

/* whether @v is in @other (@nr VMAs in address order), by binary search */
static bool in_reading(const struct snap_vma *v, const struct snap_vma *other, size_t nr)
{
	size_t lo = 0, hi = nr, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (other[mid].m.start < v->m.start)
			lo = mid + 1;
		else
			hi = mid;
	}
	/* VMAs do not overlap: an equal one can only start where @v does */
	return lo < nr && same_vma(&v->m, &other[lo].m);
}

/* the first VMA of @v from @i on that @other does not have, or @nr */
static size_t next_diff(const struct snap_vma *v, size_t nr, size_t i,
			const struct snap_vma *other, size_t nr_other)
{
	while (i < nr && in_reading(&v[i], other, nr_other))
		i++;
	return i;
}

size_t maps_diff(const struct snap_vma *old, size_t nr_old,
		 const struct snap_vma *new, size_t nr_new,
		 void (*fn)(enum vma_change kind,
			    const struct snap_vma *gone, size_t nr_gone,
			    const struct snap_vma *came, size_t nr_came, void *arg),
		 void *arg)
{
	size_t g, c, g0, c0, nr_g, nr_c, changes = 0;
	enum vma_change kind;
	uint64_t end;

	g = next_diff(old, nr_old, 0, new, nr_new);
	c = next_diff(new, nr_new, 0, old, nr_old);
	while (g < nr_old || c < nr_new) {
		/*
		 * One change: the lowest VMA gone or new, and every VMA gone
		 * or new that starts below the end of what the change covers
		 * so far. Those of one reading are consecutive in it: a VMA
		 * in both readings overlaps none of them, so none can span it.
		 */
		g0 = g;
		c0 = c;
		nr_g = 0;
		nr_c = 0;
		end = 0;
		for (;;) {
			bool take_old = g < nr_old &&
					(c >= nr_new || old[g].m.start <= new[c].m.start);

			if (take_old && (!end || old[g].m.start < end)) {
				if (old[g].m.end > end)
					end = old[g].m.end;
				nr_g++;
				g = next_diff(old, nr_old, g + 1, new, nr_new);
			} else if (!take_old && c < nr_new && (!end || new[c].m.start < end)) {
				if (new[c].m.end > end)
					end = new[c].m.end;
				nr_c++;
				c = next_diff(new, nr_new, c + 1, old, nr_old);
			} else {
				break;
			}
		}
		if (!nr_g)
			kind = VC_ADDED;
		else if (!nr_c)
			kind = VC_REMOVED;
		else if (nr_g == 1 && nr_c > 1)
			kind = VC_SPLIT;
		else if (nr_g > 1 && nr_c == 1)
			kind = VC_MERGED;
		else
			kind = VC_CHANGED;
		fn(kind, &old[g0], nr_g, &new[c0], nr_c, arg);
		changes++;
	}
	return changes;
}
