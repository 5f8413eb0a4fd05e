/* SPDX-License-Identifier: GPL-2.0 */
/*
 * region_util.h - helpers the region selftests share: raw ioctls that return
 * errno, /proc/self/pagemap, the module's parameters in sysfs.
 */
#ifndef REGION_UTIL_H
#define REGION_UTIL_H

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "libvmlab.h"

#define PG		4096UL
#define PM_PRESENT	(1ULL << 63)
#define PM_PFN_MASK	((1ULL << 55) - 1)
#define PARAM_DIR	"/sys/module/vmlab/parameters/"

/* ioctl(@fd, @cmd, @arg): 0 or the errno */
static inline int ioctl_errno(int fd, unsigned long cmd, void *arg)
{
	return ioctl(fd, cmd, arg) ? errno : 0;
}

/* a raw REGION_CREATE request of @kind and @length, all else zero */
static inline struct vmlab_region_create raw_create(__u32 kind, __u64 length)
{
	struct vmlab_region_create rc;

	memset(&rc, 0, sizeof(rc));
	rc.size = sizeof(rc);
	rc.kind = kind;
	rc.length = length;
	return rc;
}

/* the /proc/self/pagemap entry of @addr (0 when it cannot be read) */
static inline uint64_t pagemap_entry(const void *addr)
{
	uint64_t e = 0;
	int fd = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return 0;
	if (pread(fd, &e, sizeof(e), ((uintptr_t)addr / PG) * sizeof(e)) != sizeof(e))
		e = 0;
	close(fd);
	return e;
}

/* the PFN mapped at @addr, 0 if nothing is present */
static inline uint64_t pfn_of(const void *addr)
{
	uint64_t e = pagemap_entry(addr);

	return (e & PM_PRESENT) ? (e & PM_PFN_MASK) : 0;
}

/* reads module parameter @name; -1 on error */
static inline long param_read(const char *name)
{
	char path[128], buf[32];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), PARAM_DIR "%s", name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = 0;
	return strtol(buf, NULL, 10);
}

/* writes module parameter @name; 0 or -1 */
static inline int param_write(const char *name, long val)
{
	char path[128], buf[32];
	int fd, n, ret;

	snprintf(path, sizeof(path), PARAM_DIR "%s", name);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	n = snprintf(buf, sizeof(buf), "%ld\n", val);
	ret = write(fd, buf, n) == n ? 0 : -1;
	close(fd);
	return ret;
}

/* whether THP allows PMD faults in a VMA with MADV_HUGEPAGE */
static inline int thp_enabled(void)
{
	char buf[128] = { 0 };
	int fd = open("/sys/kernel/mm/transparent_hugepage/enabled", O_RDONLY);

	if (fd < 0)
		return 0;
	if (read(fd, buf, sizeof(buf) - 1) < 0)
		buf[0] = 0;
	close(fd);
	return buf[0] && !strstr(buf, "[never]");
}

#endif /* REGION_UTIL_H */
