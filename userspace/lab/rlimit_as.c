// SPDX-License-Identifier: GPL-2.0
/*
 * rlimit_as.c - lesson "rlimit-as": the address space is a resource of its
 * own. Under RLIMIT_AS, mmap fails with ENOMEM although memory is free,
 * and a mapping that never gets a page (PROT_NONE) counts all the same.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>

#include "lab.h"

#define MIB	(1UL << 20)

/* A "Key: N kB" line of @file, in bytes; 0 when there is none. */
static unsigned long long kb_line(const char *file, const char *key)
{
	unsigned long long kb = 0;
	size_t len = strlen(key);
	char line[256];
	FILE *f = fopen(file, "re");

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, key, len) && sscanf(line + len, " %llu", &kb) == 1)
			break;
	fclose(f);
	return kb << 10;
}

/* mmap of @len bytes with @prot under the limit: 0, or its errno. */
static int try_mmap(size_t len, int prot)
{
	void *p = mmap(NULL, len, prot, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		return errno;
	munmap(p, len);
	return 0;
}

static void rlimit_as_run(struct lab *lab)
{
	unsigned long long size, avail;
	struct rlimit was, lim;
	int big, none, small;

	if (getrlimit(RLIMIT_AS, &was)) {
		lab_error(lab, "getrlimit");
		return;
	}
	size = kb_line("/proc/self/status", "VmSize:");
	avail = kb_line("/proc/meminfo", "MemAvailable:");
	if (!size || !avail) {
		lab_error(lab, "/proc/self/status or /proc/meminfo");
		return;
	}
	printf("  %-26s %llu KiB mapped, %llu MiB of memory free\n", "now", size >> 10,
	       avail >> 20);
	if (was.rlim_max != RLIM_INFINITY && was.rlim_max < size + MIB) {
		lab_skip(lab, "RLIMIT_AS's hard limit leaves no room to show it");
		return;
	}
	say("set RLIMIT_AS (the soft limit) to what is mapped now plus 1 MiB");
	lim.rlim_cur = size + MIB;
	lim.rlim_max = was.rlim_max;
	if (setrlimit(RLIMIT_AS, &lim)) {
		lab_error(lab, "setrlimit");
		return;
	}
	/* nothing in between may map: no output until the limit is back */
	big = try_mmap(4 * MIB, PROT_READ | PROT_WRITE);
	none = try_mmap(4 * MIB, PROT_NONE);
	small = try_mmap(MIB / 4, PROT_READ | PROT_WRITE);
	if (setrlimit(RLIMIT_AS, &was))
		lab_error(lab, "setrlimit (back)");
	printf("  %-26s %s\n", "mmap 4 MiB", big ? strerror(big) : "mapped");
	printf("  %-26s %s\n", "mmap 4 MiB PROT_NONE", none ? strerror(none) : "mapped");
	printf("  %-26s %s\n", "mmap 256 KiB", small ? strerror(small) : "mapped");
	if (avail < 8 * MIB)
		mismatch(lab, "expected at least 8 MiB free to make the point, %llu KiB are",
			 avail >> 10);
	check_u64(lab, "mmap of 4 MiB to fail with ENOMEM", ENOMEM, big);
	check_u64(lab, "PROT_NONE's 4 MiB to fail with ENOMEM", ENOMEM, none);
	check_u64(lab, "mmap of 256 KiB to succeed (errno 0)", 0, small);

	say("the limit back (%s): the same 4 MiB maps",
	    was.rlim_cur == RLIM_INFINITY ? "unlimited" : "as it was");
	big = try_mmap(4 * MIB, PROT_READ | PROT_WRITE);
	printf("  %-26s %s\n", "mmap 4 MiB", big ? strerror(big) : "mapped");
	check_u64(lab, "mmap of 4 MiB without the limit (errno 0)", 0, big);
}

const struct lesson lesson_rlimit_as = {
	.name = "rlimit-as",
	.title = "The address space is finite: RLIMIT_AS",
	.run = rlimit_as_run,
	.moral =
	"mmap allocates addresses, not memory, and addresses are limited on\n"
	"their own: past RLIMIT_AS mmap fails with ENOMEM while memory is\n"
	"free, and a PROT_NONE reservation counts as much as any mapping.",
};
