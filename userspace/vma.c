// SPDX-License-Identifier: GPL-2.0
/*
 * vma.c - the VMAs of a process that a command's range names: one VMA by
 * its /proc/PID/maps name, or the VMAs a range meets (see cli.h)
 */
#include <inttypes.h>
#include <string.h>

#include "cli.h"

int vma_by_name(uint32_t pid, const char *name, uint64_t *start, uint64_t *end)
{
	unsigned int exact = 0, partial = 0;
	struct map_line m, e = { 0 }, p = { 0 };
	FILE *f = maps_open(pid);
	int ret;

	if (!f)
		return -1;
	while ((ret = maps_next(f, &m)) > 0) {
		if (!strcmp(m.path, name)) {
			exact++;
			e.start = m.start;
			e.end = m.end;
		} else if (*m.path && strstr(m.path, name)) {
			partial++;
			p.start = m.start;
			p.end = m.end;
		}
	}
	fclose(f);
	if (ret < 0) {
		errmsg("cannot parse the maps of pid %u", pid);
		return -1;
	}
	if (exact == 1 || (!exact && partial == 1)) {
		*start = exact ? e.start : p.start;
		*end = exact ? e.end : p.end;
		return 0;
	}
	if (!exact && !partial)
		errmsg("no VMA matches '%s'", name);
	else
		errmsg("'%s' is ambiguous: %u VMAs match (give START END instead)", name,
		       exact ? exact : partial);
	return -1;
}

int vma_count(uint32_t pid, uint64_t start, uint64_t end)
{
	struct map_line m;
	FILE *f = maps_open(pid);
	int n = 0, ret;

	if (!f)
		return -1;
	while ((ret = maps_next(f, &m)) > 0)
		n += m.start < end && m.end > start;
	fclose(f);
	if (ret < 0) {
		errmsg("cannot parse the maps of pid %u", pid);
		return -1;
	}
	return n;
}
