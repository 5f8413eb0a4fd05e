// SPDX-License-Identifier: GPL-2.0
/*
 * cached.c - what the lessons on file paging use: a file whose pages are
 * all in the page cache, the count of faults this process has taken, and
 * how many pages a read fault maps around it (fault-around).
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <unistd.h>

#include "lab.h"

/* The faults (minor and major) this process has taken so far. */
long lab_faults(void)
{
	struct rusage ru;

	if (getrusage(RUSAGE_SELF, &ru))
		return -1;
	return ru.ru_minflt + ru.ru_majflt;
}

/*
 * A memfd of @pages pages, each filled with its number, written through
 * write(2): every page in the page cache; its descriptor, or -1.
 */
int lab_cached_file(struct lab *lab, size_t pages)
{
	char *buf = malloc(PG);
	int fd = memfd_create("vmlab-file", MFD_CLOEXEC);
	size_t i;

	if (!buf || fd < 0)
		goto fail;
	for (i = 0; i < pages; i++) {
		memset(buf, (int)i, PG);
		if (write(fd, buf, PG) != (ssize_t)PG)
			goto fail;
	}
	free(buf);
	return fd;
fail:
	lab_error(lab, "memfd");
	free(buf);
	if (fd >= 0)
		close(fd);
	return -1;
}

/* fault_around_bytes in pages, from debugfs (root), else the default 16. */
long fault_around_pages(bool *known)
{
	FILE *f = fopen("/sys/kernel/debug/fault_around_bytes", "re");
	unsigned long bytes;

	*known = f && fscanf(f, "%lu", &bytes) == 1;
	if (f)
		fclose(f);
	return (long)((*known ? bytes : 65536) / PG);
}

/*
 * How many aligned windows of @window pages the @pages pages at @p touch:
 * the read faults it takes to map them all.
 */
long fault_windows(const volatile char *p, size_t pages, long window)
{
	uintptr_t w = window * PG, start = (uintptr_t)p, end = start + pages * PG;

	return (long)(((end + w - 1) / w) - start / w);
}
