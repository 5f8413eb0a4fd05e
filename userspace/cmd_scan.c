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
#include "shapes.h"

#define NR_VERDICTS 16

static void print_usage(FILE *f)
{
	fprintf(f, "usage: %s scan -p PID [-p PID2] [--json] START-END\n"
		"       %s scan -p PID [-p PID2] [--json] --vma NAME[:N]\n"
		"Walk every leaf of the range [START, END) (hex as /proc/PID/maps\n"
		"prints it, 0x optional, rounded out to pages) or of the VMAs of one\n"
		"mapping: one row per run of leaves with the same level, verdict and\n"
		"flags at contiguous addresses, then the leaves and pages per verdict.\n"
		"Unmapped pages have no leaf. With two -p, the range in both\n"
		"processes side by side (the VMAs NAME names in the first): one row\n"
		"per run of pages with the same level and verdict in each and the\n"
		"frames compared (same, different, or one side without a leaf).\n"
		"  -p, --pid PID   the process: a pid ($$: the shell's) or self (vmlab\n"
		"                  itself); another process by pid with CAP_SYS_PTRACE,\n"
		"                  else through /proc/PID/mem when you may ptrace it\n"
		"  -V, --vma NAME  every VMA whose /proc/PID/maps path or name is NAME,\n"
		"                  else whose file's name is NAME, else whose path\n"
		"                  contains NAME ([heap], [stack], busybox, libc): an\n"
		"                  error when none match or they are of several files\n"
		"      --vma NAME:N  only the Nth of them (1: the lowest)\n"
		"  -j, --json      one JSON document: {\"start\", \"end\", \"runs\", \"verdicts\"};\n"
		"                  each run's \"pfns\", one per leaf (null when hidden);\n"
		"                  with two -p {\"pids\", \"start\", \"end\", \"runs\", \"pages\"}\n",
		prog, prog);
}

/* leaves with the same state at contiguous addresses */
struct run {
	uint64_t start, end;
	uint64_t leaves;
	size_t first_pfn;		/* its leaves' PFNs: scan.pfns[first_pfn...] */
	uint32_t leaf_flags;
	uint8_t level, verdict, cache_mode, page_flags;
};

/* a range of addresses, END exclusive */
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
	uint64_t *pfns;			/* every leaf's first PFN, in address order */
	size_t nr_pfns, max_pfns;
	bool pfn_hidden;
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
	if (grow((void **)&s->pfns, &s->max_pfns, s->nr_pfns, sizeof(*s->pfns))) {
		s->oom = true;
		return;
	}
	s->pfns[s->nr_pfns++] = rec->pfn;
	if (r && r->end == rec->addr && r->level == rec->level && r->verdict == rec->verdict &&
	    r->leaf_flags == rec->leaf_flags && r->page_flags == rec->page_flags &&
	    r->cache_mode == rec->cache_mode) {
		r->end += size;
		r->leaves++;
		return;
	}
	if (grow((void **)&s->runs, &s->max_runs, s->nr_runs, sizeof(*r))) {
		s->oom = true;
		return;
	}
	r = &s->runs[s->nr_runs++];
	*r = (struct run){
		.start = rec->addr, .end = rec->addr + size, .leaves = 1,
		.first_pfn = s->nr_pfns - 1,
		.leaf_flags = rec->leaf_flags, .level = rec->level,
		.verdict = rec->verdict, .cache_mode = rec->cache_mode,
		.page_flags = rec->page_flags,
	};
}

/* the first words of the text: the range, or the VMAs of a mapping */
static void print_what(const struct scan *s)
{
	if (s->nr_vmas)
		printf("%s%s: %zu VMA%s, 0x%" PRIx64 "-0x%" PRIx64 "%s", colour(C_BOLD),
		       s->path, s->nr_vmas, s->nr_vmas == 1 ? "" : "s", s->start, s->end,
		       colour(C_RESET));
	else
		printf("%srange 0x%" PRIx64 "-0x%" PRIx64 "%s", colour(C_BOLD), s->start,
		       s->end, colour(C_RESET));
}

static void print_text(const struct scan *s, uint32_t pid)
{
	char lf[256], pf[256];
	uint64_t leaves = 0, pages = 0;
	size_t i;
	unsigned int v;

	print_what(s);
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
	/* what sizes a level's leaves: "vmlab diff" reads it back */
	json_string(&j, "shape", kernel_shape() ? kernel_shape()->name : NULL);
	json_u64(&j, "page_size", s->page_size);
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
		if (s->pfn_hidden) {
			json_string(&j, "pfns", NULL);
		} else {
			uint64_t k;

			json_array_begin(&j, "pfns");
			for (k = 0; k < r->leaves; k++)
				json_u64(&j, NULL, s->pfns[r->first_pfn + k]);
			json_array_end(&j);
		}
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

/* the records of one process's range walk, kept */
struct side {
	struct vmlab_walk_record *recs;
	size_t nr, max;
	bool oom;
};

static void keep_record(const struct vmlab_walk_record *rec, void *arg)
{
	struct side *sd = arg;

	if (grow((void **)&sd->recs, &sd->max, sd->nr, sizeof(*rec))) {
		sd->oom = true;
		return;
	}
	sd->recs[sd->nr++] = *rec;
}

/* what the frames of a page in two processes show */
enum frames { F_ONE_SIDE, F_SAME, F_DIFFERENT, F_HIDDEN };
static const char *const frames_name[] = {
	[F_ONE_SIDE] = NULL, [F_SAME] = "same", [F_DIFFERENT] = "different",
	[F_HIDDEN] = "hidden",
};

/* pages in the same state in both processes, at contiguous addresses */
struct pair_run {
	uint64_t start, end;
	bool has[2];
	uint8_t level[2], verdict[2];
	enum frames frames;
};

struct pair_scan {
	struct pair_run *runs;
	size_t nr_runs, max_runs;
	uint64_t pages[F_HIDDEN + 1], only[2];
	bool oom;
};

/* one page at @addr: @rec[k] the leaf that maps it in process k, or NULL */
static void add_page(struct pair_scan *ps, uint64_t addr, uint32_t page_size,
		     const struct vmlab_walk_record *rec[2], bool hidden)
{
	struct pair_run cur = { .start = addr, .end = addr + page_size };
	struct pair_run *r = ps->nr_runs ? &ps->runs[ps->nr_runs - 1] : NULL;
	uint64_t frame[2] = { 0 };
	int k;

	for (k = 0; k < 2; k++) {
		if (!rec[k])
			continue;
		cur.has[k] = true;
		cur.level[k] = rec[k]->level;
		cur.verdict[k] = rec[k]->verdict;
		frame[k] = rec[k]->pfn + (addr - rec[k]->addr) / page_size;
	}
	if (cur.has[0] && cur.has[1]) {
		cur.frames = hidden ? F_HIDDEN : frame[0] == frame[1] ? F_SAME : F_DIFFERENT;
		ps->pages[cur.frames]++;
	} else {
		cur.frames = F_ONE_SIDE;
		ps->only[cur.has[0] ? 0 : 1]++;
	}
	if (r && r->end == addr && !memcmp(r->has, cur.has, sizeof(cur.has)) &&
	    !memcmp(r->level, cur.level, sizeof(cur.level)) &&
	    !memcmp(r->verdict, cur.verdict, sizeof(cur.verdict)) && r->frames == cur.frames) {
		r->end = cur.end;
		return;
	}
	if (grow((void **)&ps->runs, &ps->max_runs, ps->nr_runs, sizeof(cur))) {
		ps->oom = true;
		return;
	}
	ps->runs[ps->nr_runs++] = cur;
}

/*
 * The pages of [@start, @end) that a leaf maps in either process, in
 * address order: the two walks' records merged page by page.
 */
static void merge_sides(struct pair_scan *ps, const struct side sd[2], uint64_t start,
			uint64_t end, uint32_t page_size, bool hidden)
{
	const struct vmlab_walk_record *rec[2];
	size_t i[2] = { 0, 0 };
	uint64_t pos = start, next, lo;
	int k;

	for (;;) {
		next = end;
		for (k = 0; k < 2; k++) {
			/* skip the leaves that end at or before pos */
			while (i[k] < sd[k].nr && sd[k].recs[i[k]].addr +
			       level_bytes(sd[k].recs[i[k]].level, page_size) <= pos)
				i[k]++;
			if (i[k] < sd[k].nr) {
				lo = sd[k].recs[i[k]].addr > pos ? sd[k].recs[i[k]].addr : pos;
				next = lo < next ? lo : next;
			}
		}
		if (next >= end)
			return;
		for (k = 0; k < 2; k++)
			rec[k] = i[k] < sd[k].nr && sd[k].recs[i[k]].addr <= next ?
				 &sd[k].recs[i[k]] : NULL;
		add_page(ps, next, page_size, rec, hidden);
		pos = next + page_size;
	}
}

static void print_pair_text(const struct scan *s, const struct pair_scan *ps,
			    const uint32_t pids[2])
{
	size_t i;
	int k;

	print_what(s);
	printf(" in pid %u and pid %u\n", pids[0] ?: (uint32_t)getpid(),
	       pids[1] ?: (uint32_t)getpid());
	printf("%-14s  %-14s  %6s  %-5s %-15s  %-5s %-15s  %s\n", "START", "END", "PAGES",
	       "LEVEL", "VERDICT", "LEVEL", "VERDICT", "FRAMES");
	for (i = 0; i < ps->nr_runs; i++) {
		const struct pair_run *r = &ps->runs[i];

		printf("%#-14" PRIx64 "  %#-14" PRIx64 "  %6" PRIu64, r->start, r->end,
		       (r->end - r->start) / s->page_size);
		for (k = 0; k < 2; k++) {
			if (r->has[k])
				printf("  %-5s %s%-15s%s", vmlab_level_name(r->level[k]) ?: "?",
				       colour(verdict_colour(r->verdict[k])),
				       vmlab_verdict_name(r->verdict[k]) ?: "?", colour(C_RESET));
			else
				printf("  %-5s %-15s", "-", "-");
		}
		if (r->frames == F_SAME)
			printf("  %ssame frame%s\n", colour(C_INFO), colour(C_RESET));
		else
			printf("  %s\n", frames_name[r->frames] ?: "-");
	}
	if (!ps->nr_runs)
		printf("(no leaf in either: nothing is mapped in this range)\n");
	printf("\npages: %" PRIu64 " same frame, %" PRIu64 " different frames, %" PRIu64
	       " only in pid %u, %" PRIu64 " only in pid %u", ps->pages[F_SAME],
	       ps->pages[F_DIFFERENT], ps->only[0], pids[0] ?: (uint32_t)getpid(), ps->only[1],
	       pids[1] ?: (uint32_t)getpid());
	if (ps->pages[F_HIDDEN])
		printf(", %" PRIu64 " with frames hidden (needs CAP_SYS_ADMIN)",
		       ps->pages[F_HIDDEN]);
	printf("\n");
}

static void print_pair_json(const struct scan *s, const struct pair_scan *ps,
			    const uint32_t pids[2])
{
	struct json j;
	size_t i;
	int k;

	json_init(&j, stdout);
	json_object_begin(&j, NULL);
	json_array_begin(&j, "pids");
	for (k = 0; k < 2; k++)
		json_u64(&j, NULL, pids[k] ?: (uint32_t)getpid());
	json_array_end(&j);
	json_u64(&j, "start", s->start);
	json_u64(&j, "end", s->end);
	json_hex(&j, "start_hex", s->start);
	json_hex(&j, "end_hex", s->end);
	if (s->nr_vmas)
		json_string(&j, "path", s->path);
	json_array_begin(&j, "runs");
	for (i = 0; i < ps->nr_runs; i++) {
		const struct pair_run *r = &ps->runs[i];

		json_object_begin(&j, NULL);
		json_u64(&j, "start", r->start);
		json_u64(&j, "end", r->end);
		json_hex(&j, "start_hex", r->start);
		json_u64(&j, "pages", (r->end - r->start) / s->page_size);
		json_array_begin(&j, "processes");
		for (k = 0; k < 2; k++) {
			if (!r->has[k]) {
				json_string(&j, NULL, NULL);
				continue;
			}
			json_object_begin(&j, NULL);
			json_string(&j, "level", vmlab_level_name(r->level[k]));
			json_string(&j, "verdict", vmlab_verdict_name(r->verdict[k]));
			json_object_end(&j);
		}
		json_array_end(&j);
		json_string(&j, "frames", frames_name[r->frames]);
		json_object_end(&j);
	}
	json_array_end(&j);
	json_object_begin(&j, "pages");
	json_u64(&j, "same_frame", ps->pages[F_SAME]);
	json_u64(&j, "different_frames", ps->pages[F_DIFFERENT]);
	json_u64(&j, "frames_hidden", ps->pages[F_HIDDEN]);
	json_u64(&j, "only_first", ps->only[0]);
	json_u64(&j, "only_second", ps->only[1]);
	json_object_end(&j);
	json_object_end(&j);
	json_end(&j);
}

/* scan -p A -p B: @ranges walked in both, merged page by page, then printed */
static int scan_pair(int fd, struct scan *s, const struct range *ranges, size_t nr_ranges,
		     const struct target ts[2], const uint32_t pids[2], bool json)
{
	struct side sd[2] = { { 0 } };
	struct pair_scan ps = { 0 };
	bool hidden = s->pfn_hidden;
	char what[64];
	size_t i;
	int k, status = EXIT_OK;

	for (i = 0; i < nr_ranges; i++) {
		snprintf(what, sizeof(what), "0x%" PRIx64 "-0x%" PRIx64, ranges[i].start,
			 ranges[i].end);
		for (k = 0; k < 2; k++) {
			sd[k].nr = 0;
			if (walk_records(fd, &ts[k], ranges[i].start, ranges[i].end, keep_record,
					 &sd[k])) {
				status = walk_error(pids[k], what);
				goto out;
			}
			if (sd[k].oom)
				ps.oom = true;
		}
		merge_sides(&ps, sd, ranges[i].start, ranges[i].end, s->page_size, hidden);
	}
	if (ps.oom) {
		errmsg("scan: %s", strerror(ENOMEM));
		status = EXIT_FAILED;
		goto out;
	}
	if (json)
		print_pair_json(s, &ps, pids);
	else
		print_pair_text(s, &ps, pids);
out:
	free(sd[0].recs);
	free(sd[1].recs);
	free(ps.runs);
	return status;
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
	struct vma_set vs = { 0 };
	struct target ts[2] = { { .mem_fd = -1 }, { .mem_fd = -1 } };
	struct vmlab_info info;
	struct vmlab_walk w;
	const char *vma = NULL;
	struct range whole, *ranges = &whole;
	size_t nr_ranges = 1, i;
	uint32_t pids[2] = { 0 }, pid = 0;
	bool json = false;
	char what[64];
	int fd, c, k, nr_pids = 0, status = EXIT_OK;

	while ((c = getopt_long(argc, argv, "hp:V:j", opts, NULL)) != -1) {
		if (c == 'p') {
			if (nr_pids == 2)
				return usage_error("scan", "at most two -p (side by side)");
			if (parse_target(optarg, &pids[nr_pids]))
				return usage_error("scan", "bad pid '%s'", optarg);
			pid = pids[0];
			nr_pids++;
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
	if (!nr_pids)
		return missing_pid("scan");
	fd = open_device_info(&info, &status);
	if (fd < 0)
		return status;
	s.page_size = info.page_size;
	for (k = 0; k < nr_pids; k++) {
		status = target_open(fd, pids[k], &ts[k], "scan");
		if (status)
			goto out;
	}
	if (vma) {
		if (vmas_by_name(pid, vma, &vs)) {
			status = EXIT_FAILED;
			goto out;
		}
		s.vmas = vs.vmas;
		s.nr_vmas = vs.nr_vmas;
		s.start = vs.start;
		s.end = vs.end;
		snprintf(s.path, sizeof(s.path), "%s", vs.path);
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
	/* whether PFNs are shown is the opener's right, the same for every walk */
	s.pfn_hidden = !vmlab_walk_flags(fd, ts[0].arg, ts[0].flags, s.start, &w) &&
		       (w.walk_flags & VMLAB_WALK_PFN_HIDDEN);
	if (nr_pids == 2) {
		status = scan_pair(fd, &s, ranges, nr_ranges, ts, pids, json);
		goto out;
	}
	/* VMAs one by one: the gaps between them are not walked */
	for (i = 0; i < nr_ranges; i++) {
		s.cur_start = ranges[i].start;
		s.cur_end = ranges[i].end;
		snprintf(what, sizeof(what), "0x%" PRIx64 "-0x%" PRIx64, s.cur_start, s.cur_end);
		if (walk_records(fd, &ts[0], s.cur_start, s.cur_end, add_record, &s)) {
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
	for (k = 0; k < 2; k++)
		target_close(&ts[k]);
	free(s.runs);
	free(s.vmas);
	free(s.pfns);
	close(fd);
	return status;
}
