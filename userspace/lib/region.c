// SPDX-License-Identifier: GPL-2.0
/*
 * libvmlab: regions (see libvmlab.h, "Regions").
 */
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>

#include "libvmlab.h"

int vmlab_region_create(int fd, struct vmlab_region_create *rc)
{
	rc->size = sizeof(*rc);
	rc->id = 0;
	rc->__pad = 0;
	rc->offset = 0;
	memset(rc->__reserved, 0, sizeof(rc->__reserved));
	return ioctl(fd, VMLAB_IOC_REGION_CREATE, rc);
}

int vmlab_region_new(int fd, __u32 kind, __u64 length, __u32 flags,
		     struct vmlab_region_create *rc)
{
	memset(rc, 0, sizeof(*rc));
	rc->kind = kind;
	rc->length = length;
	rc->flags = flags;
	return vmlab_region_create(fd, rc);
}

int vmlab_region_destroy(int fd, __u32 id)
{
	struct vmlab_region_destroy rd = { .size = sizeof(rd), .id = id };

	return ioctl(fd, VMLAB_IOC_REGION_DESTROY, &rd);
}

int vmlab_region_info(int fd, __u32 id, struct vmlab_region_info *info)
{
	memset(info, 0, sizeof(*info));
	info->size = sizeof(*info);
	info->id = id;
	return ioctl(fd, VMLAB_IOC_REGION_INFO, info);
}

int vmlab_region_counters(int fd, __u32 id, struct vmlab_region_counters *c)
{
	struct vmlab_region_info info;

	if (vmlab_region_info(fd, id, &info))
		return -1;
	*c = info.counters;
	return 0;
}

int vmlab_region_list(int fd, __u32 *ids, __u32 max_ids, __u32 *nr_regions)
{
	struct vmlab_region_list rl = {
		.size = sizeof(rl),
		.max_ids = max_ids,
		.ids = (uintptr_t)ids,
	};

	if (ioctl(fd, VMLAB_IOC_REGION_LIST, &rl))
		return -1;
	if (nr_regions)
		*nr_regions = rl.nr_regions;
	return rl.nr_ids;
}

void *vmlab_region_map(int fd, __u64 offset, size_t length, int prot, int flags)
{
	return mmap(NULL, length, prot, flags, fd, (off_t)offset);
}
