// SPDX-License-Identifier: GPL-2.0
/*
 * vmlab scan - the leaves of an address range or of one VMA, runs of
 * identical state collapsed into one row, and counts per verdict
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
	fprintf(f, "usage: %s scan [-p PID] [--json] START-END\n"
		"       %s scan [-p PID] [--json] --vma NAME\n"
		"Walk every leaf of the range [START, END) (decimal or 0x hex, rounded\n"
		"out to pages) or of the VMA whose /proc/PID/maps path or name is or\n"
		"contains NAME ([heap], [stack], a file...): one row per run of leaves\n"
		"with the same level, verdict and flags at contiguous addresses, then\n"
		"the leaves and pages per verdict. Unmapped pages have no leaf.\n"
		"  -p, --pid PID   scan another process: by pid with CAP_SYS_PTRACE, else\n"
		"                  through /proc/PID/mem when you may ptrace it\n"
		"  -V, --vma NAME  the VMA to scan; an error if none or several match\n"
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

struct scan {
	uint64_t start, end;
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
	uint64_t lo = rec->addr > s->start ? rec->addr : s->start;
	uint64_t hi = rec->addr + size < s->end ? rec->addr + size : s->end;
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

/* the one VMA of process @pid that NAME names: exactly, else as a substring */
static int find_vma(uint32_t pid, const char *name, uint64_t *start, uint64_t *end)
{
	struct map_line m;
	unsigned int exact = 0, partial = 0;
	uint64_t es = 0, ee = 0, ps = 0, pe = 0;
	FILE *f = maps_open(pid);
	int ret;

	if (!f)
		return -1;
	while ((ret = maps_next(f, &m)) > 0) {
		if (!strcmp(m.path, name)) {
			exact++;
			es = m.start;
			ee = m.end;
		} else if (*m.path && strstr(m.path, name)) {
			partial++;
			ps = m.start;
			pe = m.end;
		}
	}
	fclose(f);
	if (ret < 0) {
		errmsg("cannot parse the maps of pid %u", pid);
		return -1;
	}
	if (exact == 1 || (!exact && partial == 1)) {
		*start = exact ? es : ps;
		*end = exact ? ee : pe;
		return 0;
	}
	if (!exact && !partial)
		errmsg("no VMA matches '%s'", name);
	else
		errmsg("'%s' is ambiguous: %u VMAs match (scan START-END instead)", name,
		       exact ? exact : partial);
	return -1;
}

static void print_text(const struct scan *s, uint32_t pid)
{
	char lf[256], pf[256];
	uint64_t leaves = 0, pages = 0;
	size_t i;
	unsigned int v;

	printf("%srange 0x%" PRIx64 "-0x%" PRIx64 "%s", colour(C_BOLD), s->start, s->end,
	       colour(C_RESET));
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
	struct target t = { .mem_fd = -1 };
	struct vmlab_info info;
	const char *vma = NULL;
	uint32_t pid = 0;
	bool json = false;
	char what[64];
	int fd, c, status = EXIT_OK;

	while ((c = getopt_long(argc, argv, "hp:V:j", opts, NULL)) != -1) {
		if (c == 'p') {
			if (parse_pid(optarg, &pid))
				return usage_error("scan", "bad pid '%s'", optarg);
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
		return usage_error("scan", "bad range '%s' (START-END, END above START)",
				   argv[optind]);
	fd = open_device_info(&info, &status);
	if (fd < 0)
		return status;
	s.page_size = info.page_size;
	status = target_open(fd, pid, &t, "scan");
	if (status)
		goto out;
	if (vma && find_vma(pid, vma, &s.start, &s.end)) {
		status = EXIT_FAILED;
		goto out;
	}
	s.start &= ~((uint64_t)s.page_size - 1);
	if (s.end & (s.page_size - 1))
		s.end = (s.end | (s.page_size - 1)) + 1;
	if (s.end <= s.start) {	/* rounding up wrapped */
		status = usage_error("scan", "bad range '%s'", argv[optind]);
		goto out;
	}
	snprintf(what, sizeof(what), "0x%" PRIx64 "-0x%" PRIx64, s.start, s.end);
	if (walk_records(fd, &t, s.start, s.end, add_record, &s)) {
		status = walk_error(pid, what);
		goto out;
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
	target_close(&t);
	free(s.runs);
	close(fd);
	return status;
}
