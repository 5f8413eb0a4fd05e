// SPDX-License-Identifier: GPL-2.0
/*
 * libvmlab: page-table walks, VMLAB_IOC_WALK and VMLAB_IOC_WALK_RANGE (see
 * libvmlab.h, "Page-table walks"); the names of what they report are in
 * names.c.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>

#include "libvmlab.h"

int vmlab_walk_flags(int fd, uint32_t pid, uint32_t flags, uint64_t addr,
		     struct vmlab_walk *w)
{
	int ret;

	memset(w, 0, sizeof(*w));
	w->size = sizeof(*w);
	w->pid = pid;
	w->addr = addr;
	w->flags = flags;
	ret = ioctl(fd, VMLAB_IOC_WALK, w);
	/* a module of the first ABI: its shorter struct, without a token */
	if (ret && errno == ENOTTY) {
		w->size = VMLAB_WALK_SIZE_V1;
		ret = ioctl(fd, VMLAB_IOC_WALK_V1, w);
		w->size = sizeof(*w);
	}
	return ret;
}

int vmlab_walk(int fd, uint32_t pid, uint64_t addr, struct vmlab_walk *w)
{
	return vmlab_walk_flags(fd, pid, 0, addr, w);
}

int vmlab_open_mem(uint32_t pid)
{
	char path[32];

	snprintf(path, sizeof(path), "/proc/%u/mem", pid);
	return open(path, O_RDONLY | O_CLOEXEC);
}

int vmlab_walk_range_flags(int fd, uint32_t pid, uint32_t flags, uint64_t start,
			   uint64_t end, struct vmlab_walk_record *recs,
			   uint32_t max_records, struct vmlab_walk_range *r)
{
	memset(r, 0, sizeof(*r));
	r->size = sizeof(*r);
	r->pid = pid;
	r->flags = flags;
	r->start = start;
	r->end = end;
	r->records = (uintptr_t)recs;
	r->max_records = max_records;
	return ioctl(fd, VMLAB_IOC_WALK_RANGE, r);
}

int vmlab_walk_range(int fd, uint32_t pid, uint64_t start, uint64_t end,
		     struct vmlab_walk_record *recs, uint32_t max_records,
		     struct vmlab_walk_range *r)
{
	return vmlab_walk_range_flags(fd, pid, 0, start, end, recs, max_records, r);
}

long vmlab_walk_range_all_flags(int fd, uint32_t pid, uint32_t flags, uint64_t start,
				uint64_t end, struct vmlab_walk_record *recs,
				size_t max_records, uint64_t *walk_end,
				uint32_t *walk_flags)
{
	struct vmlab_walk_range r;
	uint32_t seen = 0;
	size_t nr = 0;
	uint32_t room;

	while (start < end && nr < max_records) {
		room = max_records - nr > VMLAB_WALK_RANGE_MAX ?
			VMLAB_WALK_RANGE_MAX : max_records - nr;
		if (vmlab_walk_range_flags(fd, pid, flags, start, end, recs + nr, room, &r))
			return -1;
		if (r.walk_end <= start || r.walk_end > end || r.nr_records > room) {
			errno = EPROTO;	/* the walk must move forward */
			return -1;
		}
		nr += r.nr_records;
		start = r.walk_end;
		seen |= r.walk_flags;
	}
	if (walk_end)
		*walk_end = start;
	if (walk_flags)
		*walk_flags = seen;
	return nr;
}

long vmlab_walk_range_all(int fd, uint32_t pid, uint64_t start, uint64_t end,
			  struct vmlab_walk_record *recs, size_t max_records,
			  uint64_t *walk_end)
{
	return vmlab_walk_range_all_flags(fd, pid, 0, start, end, recs, max_records,
					  walk_end, NULL);
}
