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

#endif /* LIBVMLAB_H */
