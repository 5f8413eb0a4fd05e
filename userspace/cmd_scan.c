// SPDX-License-Identifier: GPL-2.0
/*
 * vmlab scan - the leaves of an address range or of the VMAs of one
 * mapping, runs of identical state collapsed into one row, and counts per
 * verdict
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "json.h"
#include "cli.h"

#define NR_VERDICTS 16

static void print_usage(FILE *f)
{
	fprintf(f, "usage: %s scan -p PID [--json] START-END\n"
		"       %s scan -p PID [--json] --vma NAME[:N]\n"
		"Walk every leaf of the range [START, END) (hex as /proc/PID/maps\n"
		"prints it, 0x optional, rounded out to pages) or of the VMAs of one\n"
		"mapping: one row per run of leaves with the same level, verdict and\n"
		"flags at contiguous addresses, then the leaves and pages per verdict.\n"
		"Unmapped pages have no leaf.\n"
		"  -p, --pid PID   the process: a pid ($$: the shell's) or self (vmlab\n"
		"                  itself); another process needs CAP_SYS_PTRACE\n"
		"  -V, --vma NAME  every VMA whose /proc/PID/maps path or name is NAME,\n"
		"                  else whose file's name is NAME, else whose path\n"
		"                  contains NAME ([heap], [stack], busybox, libc): an\n"
		"                  error when none match or they are of several files\n"
		"      --vma NAME:N  only the Nth of them (1: the lowest)\n"
		"  -j, --json      one JSON document: {\"start\", \"end\", \"runs\", \"verdicts\"}\n",
		prog, prog);
}

/* leaves with the same state at contiguous addresses */
struct run {
	uint64_t start, end;
	uint64_t leaves;
	uint32_t leaf_flags;
	uint8_t level, verdict, cache_mode, page_flags;
};

/* a range of addresses, END exclusive */
struct range {
	uint64_t start, end;
};

struct scan {
	uint64_t start, end;		/* the whole: the first start, the last end */
	struct range *vmas;		/* with --vma: the VMAs scanned */
	size_t nr_vmas;
	char path[4096];		/* with --vma: their path */
	uint64_t cur_start, cur_end;	/* the range being walked */
	uint32_t page_size;
	struct run *runs;
	size_t nr_runs, max_runs;
	uint64_t leaves[NR_VERDICTS], pages[NR_VERDICTS];
	bool oom;
};

static void add_record(const struct vmlab_walk_record *rec, void *arg)
{
	struct scan *s = arg;
	uint64_t size = level_bytes(rec->level, s->page_size);
	uint64_t lo = rec->addr > s->cur_start ? rec->addr : s->cur_start;
	uint64_t hi = rec->addr + size < s->cur_end ? rec->addr + size : s->cur_end;
	unsigned int v = rec->verdict < NR_VERDICTS ? rec->verdict : NR_VERDICTS - 1;
	struct run *r = s->nr_runs ? &s->runs[s->nr_runs - 1] : NULL;

	s->leaves[v]++;
	s->pages[v] += (hi - lo) / s->page_size;
	if (r && r->end == rec->addr && r->level == rec->level && r->verdict == rec->verdict &&
	    r->leaf_flags == rec->leaf_flags && r->page_flags == rec->page_flags &&
	    r->cache_mode == rec->cache_mode) {
		r->end += size;
		r->leaves++;
		return;
	}
	if (s->nr_runs == s->max_runs) {
		size_t n = s->max_runs ? 2 * s->max_runs : 256;
		struct run *p = realloc(s->runs, n * sizeof(*p));

		if (!p) {
			s->oom = true;
			return;
		}
		s->runs = p;
		s->max_runs = n;
	}
	r = &s->runs[s->nr_runs++];
	*r = (struct run){
		.start = rec->addr, .end = rec->addr + size, .leaves = 1,
		.leaf_flags = rec->leaf_flags, .level = rec->level,
		.verdict = rec->verdict, .cache_mode = rec->cache_mode,
		.page_flags = rec->page_flags,
	};
}

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
			struct scan *s, unsigned long *n, char *other, size_t size)
{
	struct range *more;
	struct map_line m;
	FILE *f = maps_open(pid);
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
		more = realloc(s->vmas, (s->nr_vmas + 1) * sizeof(*more));
		if (!more) {
			errmsg("scan: %s", strerror(ENOMEM));
			oom = true;
			ret = -1;
			break;
		}
		s->vmas = more;
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
static int find_vmas(uint32_t pid, const char *arg, struct scan *s)
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

static void print_text(const struct scan *s, uint32_t pid)
{
	char lf[256], pf[256];
	uint64_t leaves = 0, pages = 0;
	size_t i;
	unsigned int v;

	if (s->nr_vmas)
		printf("%s%s: %zu VMA%s, 0x%" PRIx64 "-0x%" PRIx64 "%s", colour(C_BOLD),
		       s->path, s->nr_vmas, s->nr_vmas == 1 ? "" : "s", s->start, s->end,
		       colour(C_RESET));
	else
		printf("%srange 0x%" PRIx64 "-0x%" PRIx64 "%s", colour(C_BOLD), s->start,
		       s->end, colour(C_RESET));
	if (pid)
		printf(" in pid %u", pid);
	printf("\n%-14s  %-14s  %6s  %-5s  %-15s  %-52s  %s\n", "START", "END", "LEAVES",
	       "LEVEL", "VERDICT", "LEAF FLAGS", "PAGE FLAGS");
	for (i = 0; i < s->nr_runs; i++) {
		const struct run *r = &s->runs[i];

		vmlab_format_flags(lf, sizeof(lf), r->leaf_flags, vmlab_pte_flag_name);
		vmlab_format_flags(pf, sizeof(pf), r->page_flags, vmlab_page_flag_name);
		printf("%#-14" PRIx64 "  %#-14" PRIx64 "  %6" PRIu64
		       "  %-5s  %s%-15s%s  %-52s  %s\n",
		       r->start, r->end, r->leaves, vmlab_level_name(r->level) ?: "?",
		       colour(verdict_colour(r->verdict)),
		       vmlab_verdict_name(r->verdict) ?: "?", colour(C_RESET),
		       lf[0] ? lf : "-", pf[0] ? pf : "-");
	}
	if (!s->nr_runs)
		printf("(no leaf: nothing is mapped in this range)\n");
	printf("\n%-15s  %6s  %8s\n", "VERDICT", "LEAVES", "PAGES");
	for (v = 0; v < NR_VERDICTS; v++) {
		if (!s->leaves[v])
			continue;
		printf("%-15s  %6" PRIu64 "  %8" PRIu64 "\n", vmlab_verdict_name(v) ?: "?",
		       s->leaves[v], s->pages[v]);
		leaves += s->leaves[v];
		pages += s->pages[v];
	}
	printf("%-15s  %6" PRIu64 "  %8" PRIu64 "\n", "total", leaves, pages);
}

static void print_json(const struct scan *s, uint32_t pid)
{
	struct json j;
	size_t i;
	unsigned int v;

	json_init(&j, stdout);
	json_object_begin(&j, NULL);
	json_u64(&j, "pid", pid ? pid : (uint32_t)getpid());
	json_u64(&j, "start", s->start);
	json_u64(&j, "end", s->end);
	json_hex(&j, "start_hex", s->start);
	json_hex(&j, "end_hex", s->end);
	if (s->nr_vmas) {
		json_string(&j, "path", s->path);
		json_array_begin(&j, "vmas");
		for (i = 0; i < s->nr_vmas; i++) {
			json_object_begin(&j, NULL);
			json_u64(&j, "start", s->vmas[i].start);
			json_u64(&j, "end", s->vmas[i].end);
			json_hex(&j, "start_hex", s->vmas[i].start);
			json_hex(&j, "end_hex", s->vmas[i].end);
			json_object_end(&j);
		}
		json_array_end(&j);
	}
	json_array_begin(&j, "runs");
	for (i = 0; i < s->nr_runs; i++) {
		const struct run *r = &s->runs[i];

		json_object_begin(&j, NULL);
		json_u64(&j, "start", r->start);
		json_u64(&j, "end", r->end);
		json_hex(&j, "start_hex", r->start);
		json_u64(&j, "leaves", r->leaves);
		json_string(&j, "level", vmlab_level_name(r->level));
		json_string(&j, "verdict", vmlab_verdict_name(r->verdict));
		json_flags(&j, "leaf_flags", r->leaf_flags, vmlab_pte_flag_name);
		json_flags(&j, "page_flags", r->page_flags, vmlab_page_flag_name);
		json_string(&j, "cache", vmlab_cache_name(r->cache_mode));
		json_object_end(&j);
	}
	json_array_end(&j);
	json_object_begin(&j, "verdicts");
	for (v = 0; v < NR_VERDICTS; v++) {
		if (!s->leaves[v] || !vmlab_verdict_name(v))
			continue;
		json_object_begin(&j, vmlab_verdict_name(v));
		json_u64(&j, "leaves", s->leaves[v]);
		json_u64(&j, "pages", s->pages[v]);
		json_object_end(&j);
	}
	json_object_end(&j);
	json_object_end(&j);
	json_end(&j);
}

int cmd_scan(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "pid", required_argument, NULL, 'p' },
		{ "vma", required_argument, NULL, 'V' },
		{ "json", no_argument, NULL, 'j' },
		{ }
	};
	struct scan s = { 0 };
	struct vmlab_info info;
	const char *vma = NULL;
	struct range whole, *ranges = &whole;
	size_t nr_ranges = 1, i;
	uint32_t pid = 0;
	bool json = false, have_pid = false;
	char what[64];
	int fd, c, status = EXIT_OK;

	while ((c = getopt_long(argc, argv, "hp:V:j", opts, NULL)) != -1) {
		if (c == 'p') {
			if (parse_target(optarg, &pid))
				return usage_error("scan", "bad pid '%s'", optarg);
			have_pid = true;
		} else if (c == 'V') {
			vma = optarg;
		} else if (c == 'j') {
			json = true;
		} else {
			return help_or_usage(c, "scan", argv, print_usage);
		}
	}
	if (vma && optind != argc)
		return usage_error("scan", "give START-END or --vma, not both");
	if (!vma && optind + 1 != argc)
		return usage_error("scan", optind == argc ? "missing START-END" :
				   "unexpected argument '%s'", argv[argc - 1]);
	if (!vma && parse_range(argv[optind], &s.start, &s.end))
		return usage_error("scan", "bad range '%s' (START-END in hex, END above START)",
				   argv[optind]);
	if (!have_pid)
		return missing_pid("scan");
	fd = open_device_info(&info, &status);
	if (fd < 0)
		return status;
	s.page_size = info.page_size;
	if (vma) {
		if (find_vmas(pid, vma, &s)) {
			status = EXIT_FAILED;
			goto out;
		}
		ranges = s.vmas;
		nr_ranges = s.nr_vmas;
	}
	s.start &= ~((uint64_t)s.page_size - 1);
	if (s.end & (s.page_size - 1))
		s.end = (s.end | (s.page_size - 1)) + 1;
	if (s.end <= s.start) {	/* rounding up wrapped */
		status = usage_error("scan", "bad range '%s'", argv[optind]);
		goto out;
	}
	whole = (struct range){ s.start, s.end };
	/* VMAs one by one: the gaps between them are not walked */
	for (i = 0; i < nr_ranges; i++) {
		s.cur_start = ranges[i].start;
		s.cur_end = ranges[i].end;
		snprintf(what, sizeof(what), "0x%" PRIx64 "-0x%" PRIx64, s.cur_start, s.cur_end);
		if (walk_records(fd, pid, s.cur_start, s.cur_end, add_record, &s)) {
			status = walk_error(pid, what);
			goto out;
		}
	}
	if (s.oom) {
		errmsg("scan: %s", strerror(ENOMEM));
		status = EXIT_FAILED;
		goto out;
	}
	if (json)
		print_json(&s, pid);
	else
		print_text(&s, pid);
out:
	free(s.runs);
	free(s.vmas);
	close(fd);
	return status;
}
