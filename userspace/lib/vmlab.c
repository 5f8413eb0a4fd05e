// SPDX-License-Identifier: GPL-2.0
/*
 * libvmlab: thin wrappers over the /dev/vmlab ioctls (see libvmlab.h).
 */
#include <fcntl.h>
#include <string.h>
#include <sys/ioctl.h>

#include "libvmlab.h"

int vmlab_open(void)
{
	return open(VMLAB_DEVICE, O_RDWR | O_CLOEXEC);
}

int vmlab_info(int fd, struct vmlab_info *info)
{
	memset(info, 0, sizeof(*info));
	info->size = sizeof(*info);
	return ioctl(fd, VMLAB_IOC_INFO, info);
}
