// SPDX-License-Identifier: GPL-2.0
/*
 * libvmlab: page-table walks, VMLAB_IOC_WALK and VMLAB_IOC_WALK_RANGE (see
 * libvmlab.h, "Page-table walks"); the names of what they report are in
 * names.c.
 */
#include <errno.h>
#include <string.h>
#include <sys/ioctl.h>

#include "libvmlab.h"

int vmlab_walk(int fd, uint32_t pid, uint64_t addr, struct vmlab_walk *w)
{
	memset(w, 0, sizeof(*w));
	w->size = sizeof(*w);
	w->pid = pid;
	w->addr = addr;
	return ioctl(fd, VMLAB_IOC_WALK, w);
}

int vmlab_walk_range(int fd, uint32_t pid, uint64_t start, uint64_t end,
		     struct vmlab_walk_record *recs, uint32_t max_records,
		     struct vmlab_walk_range *r)
{
	memset(r, 0, sizeof(*r));
	r->size = sizeof(*r);
	r->pid = pid;
	r->start = start;
	r->end = end;
	r->records = (uintptr_t)recs;
	r->max_records = max_records;
	return ioctl(fd, VMLAB_IOC_WALK_RANGE, r);
}

long vmlab_walk_range_all(int fd, uint32_t pid, uint64_t start, uint64_t end,
			  struct vmlab_walk_record *recs, size_t max_records,
			  uint64_t *walk_end)
{
	struct vmlab_walk_range r;
	size_t nr = 0;
	uint32_t room;

	while (start < end && nr < max_records) {
		room = max_records - nr > VMLAB_WALK_RANGE_MAX ?
			VMLAB_WALK_RANGE_MAX : max_records - nr;
		if (vmlab_walk_range(fd, pid, start, end, recs + nr, room, &r))
			return -1;
		if (r.walk_end <= start || r.walk_end > end || r.nr_records > room) {
			errno = EPROTO;	/* the walk must move forward */
			return -1;
		}
		nr += r.nr_records;
		start = r.walk_end;
	}
	if (walk_end)
		*walk_end = start;
	return nr;
}
