/* SPDX-License-Identifier: GPL-2.0 */
/*
 * walk_util.h - helpers the walk, cow and stress selftests share: a walk of
 * one of our own addresses, /proc/self/pagemap, and checks of a walk
 * against pagemap.
 */
#ifndef VMLAB_WALK_UTIL_H
#define VMLAB_WALK_UTIL_H

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "libvmlab.h"

#define PAGEMAP_PRESENT		(1ULL << 63)
#define PAGEMAP_SWAP		(1ULL << 62)
#define PAGEMAP_PFN_MASK	((1ULL << 55) - 1)

#define SZ_2M	(2UL << 20)
#define SZ_1G	(1UL << 30)

/* The /proc/PID/pagemap entry of @addr (PID 0: self); 0 with errno on failure. */
static inline uint64_t pagemap_entry(int pid, const void *addr)
{
	char path[64];
	uint64_t ent = 0;
	int fd;

	if (pid)
		snprintf(path, sizeof(path), "/proc/%d/pagemap", pid);
	else
		snprintf(path, sizeof(path), "/proc/self/pagemap");
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	if (pread(fd, &ent, sizeof(ent), (uintptr_t)addr / 4096 * sizeof(ent)) != sizeof(ent))
		ent = 0;
	close(fd);
	return ent;
}

/* The first line of @path into @buf; -1 when it cannot be read. */
static inline int read_line(const char *path, char *buf, size_t size)
{
	FILE *f = fopen(path, "re");
	int ret = -1;

	if (!f)
		return -1;
	if (fgets(buf, size, f)) {
		buf[strcspn(buf, "\n")] = '\0';
		ret = 0;
	}
	fclose(f);
	return ret;
}

/* Write @val to the file @path; 0 or -1. */
static inline int write_str(const char *path, const char *val)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = write(fd, val, strlen(val));
	close(fd);
	return n == (ssize_t)strlen(val) ? 0 : -1;
}

/* The PFN pagemap should show for @addr, from a walk of it. */
static inline uint64_t walk_addr_pfn(const struct vmlab_walk *w)
{
	return w->pfn + ((w->addr & (w->leaf_size - 1)) >> 12);
}

/* Touch @len bytes at @p: write when @write, else read. */
static inline void touch(void *p, size_t len, int write)
{
	volatile char *c = p;
	size_t i;

	for (i = 0; i < len; i += 4096) {
		if (write)
			c[i] = 1;
		else
			(void)c[i];
	}
}

/* @len bytes of anonymous memory aligned to @align (a power of two). */
static inline void *map_aligned(size_t len, size_t align, int prot, int flags)
{
	char *p = mmap(NULL, len + align, prot, flags | MAP_ANONYMOUS, -1, 0);
	uintptr_t a;

	if (p == MAP_FAILED)
		return p;
	a = ((uintptr_t)p + align - 1) & ~(align - 1);
	if (a > (uintptr_t)p)
		munmap(p, a - (uintptr_t)p);
	munmap((char *)a + len, (uintptr_t)p + align - a);
	return (void *)a;
}

/*
 * Checks every walk of ours must pass (include after kselftest_harness.h):
 * pagemap agrees on presence and, unless hidden, on the PFN; the leaf's
 * level exists in this kernel's paging.
 */
#define EXPECT_MATCHES_PAGEMAP(w) do {						\
	uint64_t pm = pagemap_entry(0, (void *)(uintptr_t)(w).addr);		\
	int present = !!((w).leaf_flags & VMLAB_PTE_PRESENT);			\
	EXPECT_EQ(!!(pm & PAGEMAP_PRESENT), present);				\
	if (present && !((w).walk_flags & VMLAB_WALK_PFN_HIDDEN))		\
		EXPECT_EQ(pm & PAGEMAP_PFN_MASK, walk_addr_pfn(&(w)));		\
	EXPECT_TRUE((w).valid_levels & (1u << (w).leaf_level));			\
} while (0)

/* Wait for one byte on @fd (a pipe from another process); 0 or -1. */
static inline int wait_byte(int fd)
{
	char c;

	return read(fd, &c, 1) == 1 ? 0 : -1;
}

#endif /* VMLAB_WALK_UTIL_H */
