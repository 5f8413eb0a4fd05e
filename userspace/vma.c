// SPDX-License-Identifier: GPL-2.0
/*
 * vma.c - the VMAs of a process that a command's range names: those of one
 * mapping by its /proc/PID/maps name (scan and tree --vma), or the VMAs a
 * range meets (see cli.h)
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

/* the final component of @path */
static const char *base_name(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash ? slash + 1 : path;
}

/* how well @m's path matches @name: 3 the same, 2 its file's name, 1 part, 0 not */
static int name_match(const struct map_line *m, const char *name)
{
	if (!strcmp(m->path, name))
		return 3;
	if (m->path[0] == '/' && !strcmp(base_name(m->path), name))
		return 2;
	return *m->path && strstr(m->path, name) ? 1 : 0;
}

/* the best name_match() of any VMA of process @pid for @name into @best: 0 or -1 */
static int best_match(uint32_t pid, const char *name, int *best)
{
	struct map_line m;
	FILE *f = maps_open(pid);
	int ret, match;

	if (!f)
		return -1;
	*best = 0;
	while ((ret = maps_next(f, &m)) > 0) {
		match = name_match(&m, name);
		*best = match > *best ? match : *best;
	}
	fclose(f);
	if (ret < 0)
		errmsg("cannot parse the maps of pid %u", pid);
	return ret;
}

/*
 * The VMAs of process @pid that match @name as well as @best into @s (all,
 * or only the @nth when not 0); their count into @n, and into @other a path
 * of another mapping that matches as well. 0 or -1.
 */
static int collect_vmas(uint32_t pid, const char *name, int best, unsigned long nth,
			struct vma_set *s, unsigned long *n, char *other, size_t size)
{
	struct map_line m;
	FILE *f = maps_open(pid);
	size_t max = s->nr_vmas;
	bool oom = false;
	int ret;

	if (!f)
		return -1;
	while ((ret = maps_next(f, &m)) > 0) {
		if (name_match(&m, name) != best)
			continue;
		if (!*n) {
			snprintf(s->path, sizeof(s->path), "%s", m.path);
		} else if (strcmp(s->path, m.path)) {
			snprintf(other, size, "%s", m.path);
			continue;
		}
		if (nth && ++*n != nth)
			continue;
		if (!nth)
			++*n;
		if (grow((void **)&s->vmas, &max, s->nr_vmas, sizeof(*s->vmas))) {
			errmsg("%s", strerror(ENOMEM));
			oom = true;
			ret = -1;
			break;
		}
		s->vmas[s->nr_vmas++] = (struct range){ m.start, m.end };
	}
	fclose(f);
	if (ret < 0 && !oom)
		errmsg("cannot parse the maps of pid %u", pid);
	return ret;
}

/*
 * The VMAs of process @pid that @arg (NAME or NAME:N) names into @s->vmas
 * and @s->path: those that match NAME best (see name_match), all of one
 * mapping, or only the Nth (from 1) of them. 0, or -1 after saying why not.
 */
int vmas_by_name(uint32_t pid, const char *arg, struct vma_set *s)
{
	char name[4096], other[4096] = "";
	const char *colon = strrchr(arg, ':');
	unsigned long nth = 0, n = 0;
	int best;

	snprintf(name, sizeof(name), "%s", arg);
	if (best_match(pid, name, &best))
		return -1;
	/* NAME:N, unless NAME:N is itself a name that matches */
	if (!best && colon && colon > arg && colon[1] &&
	    strspn(colon + 1, "0123456789") == strlen(colon + 1)) {
		nth = strtoul(colon + 1, NULL, 10);
		if (!nth || nth > UINT32_MAX) {
			errmsg("'%s': N counts the VMAs from 1", arg);
			return -1;
		}
		name[colon - arg] = '\0';
		if (best_match(pid, name, &best))
			return -1;
	}
	if (!best) {
		errmsg("no VMA matches '%s'", name);
		return -1;
	}
	if (collect_vmas(pid, name, best, nth, s, &n, other, sizeof(other)))
		return -1;
	if (other[0]) {
		errmsg("'%s' matches VMAs of several mappings: %s, %s (give more of the path)",
		       name, s->path, other);
		return -1;
	}
	if (!s->nr_vmas) {
		errmsg("'%s': %s has %lu VMA%s", arg, s->path, n, n == 1 ? "" : "s");
		return -1;
	}
	s->start = s->vmas[0].start;
	s->end = s->vmas[s->nr_vmas - 1].end;
	return 0;
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
