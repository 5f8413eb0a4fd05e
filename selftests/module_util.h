/* SPDX-License-Identifier: GPL-2.0 */
/*
 * module_util.h - loading and unloading vmlab.ko from a selftest, for the
 * tests that reload it (a parameter, unload while open, unload with
 * regions). The VM's runner names the module file in VMLAB_KO.
 */
#ifndef MODULE_UTIL_H
#define MODULE_UTIL_H

#include <errno.h>
#include <fcntl.h>
#include <sys/syscall.h>
#include <unistd.h>

/* finit_module(2) of @ko with @params: 0 or the errno */
static inline int load_module(const char *ko, const char *params)
{
	int fd = open(ko, O_RDONLY | O_CLOEXEC), ret;

	if (fd < 0)
		return errno;
	ret = syscall(SYS_finit_module, fd, params, 0) ? errno : 0;
	close(fd);
	return ret;
}

/* delete_module(2) of vmlab, not waiting: 0 or the errno (EWOULDBLOCK in use) */
static inline int unload_module(void)
{
	return syscall(SYS_delete_module, "vmlab", O_NONBLOCK) ? errno : 0;
}

#endif /* MODULE_UTIL_H */
