/* SPDX-License-Identifier: GPL-2.0 */
/*
 * libvmlab - the user-space side of /dev/vmlab: the only code that issues
 * vmlab ioctls and names their flags, shared by the vmlab tool, the
 * selftests and the benchmarks.
 *
 * Functions return 0 (or a count) on success and -1 with errno set on
 * failure, like the system calls beneath them.
 */
#ifndef LIBVMLAB_H
#define LIBVMLAB_H

#include <linux/vmlab.h>

/* Open /dev/vmlab read-write, close-on-exec; -1 with errno on failure. */
int vmlab_open(void);

/* VMLAB_IOC_INFO into @info (size filled in here). */
int vmlab_info(int fd, struct vmlab_info *info);

/*
 * Regions (VMLAB_IOC_REGION_*): module-wide memory any process maps through
 * /dev/vmlab at the region's offset.
 */

#include <stddef.h>

/*
 * VMLAB_IOC_REGION_CREATE with the caller's kind, length, flags, fill,
 * fill_byte and cache; sets size, clears the rest; on success @rc->id and
 * @rc->offset are the new region's.
 */
int vmlab_region_create(int fd, struct vmlab_region_create *rc);

/* A region of @kind and @length with @flags and default fill and cache. */
int vmlab_region_new(int fd, __u32 kind, __u64 length, __u32 flags,
		     struct vmlab_region_create *rc);

/* VMLAB_IOC_REGION_DESTROY: the id goes now, the memory with its last mapping. */
int vmlab_region_destroy(int fd, __u32 id);

/* VMLAB_IOC_REGION_INFO of region @id into @info. */
int vmlab_region_info(int fd, __u32 id, struct vmlab_region_info *info);

/* Only the counters of region @id. */
int vmlab_region_counters(int fd, __u32 id, struct vmlab_region_counters *c);

/*
 * VMLAB_IOC_REGION_LIST: up to @max_ids ids, increasing, into @ids; returns
 * how many were written, and the number of regions in @nr_regions (if not
 * NULL).
 */
int vmlab_region_list(int fd, __u32 *ids, __u32 max_ids, __u32 *nr_regions);

/* mmap(2) of @length bytes of /dev/vmlab at @offset; MAP_FAILED on error. */
void *vmlab_region_map(int fd, __u64 offset, size_t length, int prot, int flags);

#endif /* LIBVMLAB_H */
