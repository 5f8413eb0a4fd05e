// SPDX-License-Identifier: GPL-2.0
/*
 * cmd_trace.c - "vmlab trace (-p PID | --regions) [--json] [--count N]":
 * the page faults of a running process (and of what it forks from now on),
 * or the calls of vmlab's fault handlers for every region, live from the
 * kernel's tracepoints (pagefaults.c), until Ctrl-C, --count N faults or
 * the process's end; then the totals per VMA (or region) and kind.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "json.h"
#include "pagefaults.h"

#define POLL_MS		100	/* how often the ring buffers are read */
#define BUFFER_KB	4096	/* ring buffer per CPU */

/* the faults of one kind in one VMA (or region) */
struct total {
	struct map_line *vma;	/* NULL: a region's, or in no VMA */
	uint32_t region;
	char kind[48];
	uint64_t n;
};

static struct trace {
	pid_t pid;		/* 0: --regions */
	bool json;
	uint64_t count, seen;
	FILE *out;
	struct map_line *vmas;	/* the process's, as last read */
	size_t nr_vmas, max_vmas;
	bool vmas_stale;	/* a fault was in none of them: read again */
	/* every VMA seen so far: the totals point to them */
	struct map_line **known;
	size_t nr_known, max_known;
	struct total *totals;
	size_t nr_totals, max_totals;
	/* the leaf a fault left, walked when /dev/vmlab can walk the process */
	int fd;			/* -1: leaves not shown */
	struct target t;
	uint64_t page_size;
} tr = { .fd = -1 };

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	stop = 1;
}

static void print_usage(FILE *f)
{
	fprintf(f,
		"usage: vmlab trace (-p PID | --regions) [--json] [--count N] [-o FILE]\n"
		"The page faults, live, from the kernel's tracepoints (x86's\n"
		"exceptions:page_fault_user and page_fault_kernel, vmlab's vmlab_fault and\n"
		"vmlab_page_mkwrite), until Ctrl-C, N faults, or the process's end; then the\n"
		"totals per VMA (or region) and kind. Needs root (tracefs).\n"
		"  -p, --pid PID      the faults of process PID, its threads and the children\n"
		"                     it forks from now on, each with its VMA\n"
		"  -r, --regions      the calls of vmlab's fault handlers, every region, any\n"
		"                     process\n"
		"  -n, --count N      stop after N faults\n"
		"  -j, --json         one JSON object per fault, one a line, the totals last\n"
		"  -o, --output FILE  into FILE, not stdout\n"
		"Each fault: the address, read/write/exec, not-present/protection (or the\n"
		"vmlab handler called), user or kernel (a system call touching the memory);\n"
		"with -p and the module loaded, the leaf it left (\"-> FLAGS VERDICT\", walked\n"
		"when the event is read; \"-> none\": nothing mapped there any more).\n"
		"VMLAB_TRACEFS names the tracing directory (default: tracefs's mount point).\n"
		"Exit status: 0 (also when the process ends), 1 when PID is no process or\n"
		"tracefs cannot be used, 2 for bad usage.\n");
}

/* the VMAs of the process now */
static void read_vmas(void)
{
	struct map_line m;
	char path[64];
	FILE *f;

	tr.nr_vmas = 0;
	tr.vmas_stale = false;
	snprintf(path, sizeof(path), "/proc/%d/maps", tr.pid);
	f = fopen(path, "re");
	if (!f)
		return;
	while (maps_next(f, &m) > 0) {
		if (grow((void **)&tr.vmas, &tr.max_vmas, tr.nr_vmas, sizeof(m)))
			break;
		tr.vmas[tr.nr_vmas++] = m;
	}
	fclose(f);
}

/* the VMA holding @addr, kept for the totals; NULL when none does */
static struct map_line *vma_of(uint64_t addr)
{
	struct map_line *m = NULL, *k;
	size_t i;

	for (i = 0; i < tr.nr_vmas; i++)
		if (tr.vmas[i].start <= addr && addr < tr.vmas[i].end)
			m = &tr.vmas[i];
	if (!m) {
		tr.vmas_stale = true;
		return NULL;
	}
	for (i = 0; i < tr.nr_known; i++) {
		k = tr.known[i];
		if (k->start == m->start && k->end == m->end && !strcmp(k->perms, m->perms) &&
		    !strcmp(k->path, m->path))
			return k;
	}
	if (grow((void **)&tr.known, &tr.max_known, tr.nr_known, sizeof(*tr.known)))
		return NULL;
	k = malloc(sizeof(*k));
	if (!k)
		return NULL;
	*k = *m;
	tr.known[tr.nr_known++] = k;
	return k;
}

static void count(struct map_line *vma, uint32_t region, const char *kind)
{
	struct total *t;
	size_t i;

	for (i = 0; i < tr.nr_totals; i++) {
		t = &tr.totals[i];
		if (t->vma == vma && t->region == region && !strcmp(t->kind, kind)) {
			t->n++;
			return;
		}
	}
	if (grow((void **)&tr.totals, &tr.max_totals, tr.nr_totals, sizeof(*t)))
		return;
	t = &tr.totals[tr.nr_totals++];
	*t = (struct total){ .vma = vma, .region = region, .n = 1 };
	snprintf(t->kind, sizeof(t->kind), "%s", kind);
}

static void json_map(struct json *j, const char *key, const struct map_line *m)
{
	if (!m) {
		json_string(j, key, NULL);
		return;
	}
	json_object_begin(j, key);
	json_hex(j, "start", m->start);
	json_hex(j, "end", m->end);
	json_string(j, "perms", m->perms);
	json_string(j, "path", m->path);
	json_object_end(j);
}

/* the first record of a walk: the leaf of the one page walked */
struct first {
	struct vmlab_walk_record *rec;
	bool found;
};

static void first_rec(const struct vmlab_walk_record *rec, void *arg)
{
	struct first *f = arg;

	if (!f->found)
		*f->rec = *rec;
	f->found = true;
}

/*
 * The leaf the fault at @addr left, walked now (the process may have moved
 * on since the event): false where nothing is mapped there, or no walk.
 */
static bool fault_leaf(uint64_t addr, struct vmlab_walk_record *rec)
{
	uint64_t page = addr & ~(tr.page_size - 1);
	struct first f = { .rec = rec };

	if (tr.fd < 0 || walk_records(tr.fd, &tr.t, page, page + tr.page_size, first_rec, &f))
		return false;
	return f.found;
}

static void one_fault(const struct pf_event *e, void *arg)
{
	struct vmlab_walk_record leaf;
	char flags[128];
	bool has_leaf;
	bool region = e->src >= PF_VMLAB_FAULT;
	struct map_line *vma = NULL;
	char kind[48];
	struct json j;

	if (tr.count && tr.seen >= tr.count)
		return;
	tr.seen++;
	snprintf(kind, sizeof(kind), "%s %s%s", pf_access(e), pf_cause(e),
		 e->src == PF_KERNEL ? " (kernel)" : "");
	if (tr.pid && !region) {
		vma = vma_of(e->addr);
		if (!vma && tr.vmas_stale) {
			read_vmas();
			vma = vma_of(e->addr);
		}
	}
	count(vma, region ? e->region : 0, kind);
	has_leaf = !region && vma && fault_leaf(e->addr, &leaf);
	if (has_leaf)
		vmlab_format_flags(flags, sizeof(flags), leaf.leaf_flags, vmlab_pte_flag_name);
	if (!tr.json) {
		if (region)
			fprintf(tr.out, "[%d] region %u page %" PRIu64 " %-32s result %#x\n",
				e->tid, e->region, e->pgoff, kind, e->result);
		else
			fprintf(tr.out, "[%d] %012" PRIx64 " %-32s %s", e->tid, e->addr, kind,
				!vma ? "(in no VMA)" : vma->path[0] ? vma->path : "(anonymous)");
		if (!region && has_leaf)
			fprintf(tr.out, "  -> %s %s", flags[0] ? flags : "-",
				vmlab_verdict_name(leaf.verdict) ?: "?");
		else if (!region && vma && tr.fd >= 0)
			fprintf(tr.out, "  -> none");
		if (!region)
			fputc('\n', tr.out);
		return;
	}
	json_init(&j, tr.out);
	j.compact = true;
	json_object_begin(&j, NULL);
	json_string(&j, "event", "fault");
	json_i64(&j, "tid", e->tid);
	json_string(&j, "access", pf_access(e));
	json_string(&j, "cause", pf_cause(e));
	json_string(&j, "by", pf_by(e));
	if (region) {
		json_u64(&j, "region", e->region);
		json_u64(&j, "pgoff", e->pgoff);
		json_hex(&j, "result", e->result);
	} else {
		json_hex(&j, "addr", e->addr);
		json_hex(&j, "ip", e->ip);
		json_u64(&j, "error_code", e->error);
		json_map(&j, "vma", vma);
		if (has_leaf) {
			json_object_begin(&j, "leaf");
			json_hex(&j, "entry", leaf.entry);
			json_flags(&j, "flags", leaf.leaf_flags, vmlab_pte_flag_name);
			json_string(&j, "verdict", vmlab_verdict_name(leaf.verdict));
			json_object_end(&j);
		} else if (tr.fd >= 0) {
			json_string(&j, "leaf", NULL);
		}
	}
	json_object_end(&j);
	json_end(&j);
}

/* the totals: per VMA (or region), each kind with its count */
static void print_totals(uint64_t lost)
{
	size_t i, k;
	bool *done = calloc(tr.nr_totals + 1, sizeof(*done));
	struct total *t;
	struct json j;

	if (tr.json) {
		json_init(&j, tr.out);
		j.compact = true;
		json_object_begin(&j, NULL);
		json_string(&j, "event", "totals");
		json_u64(&j, "count", tr.seen);
		json_u64(&j, "lost", lost);
		json_array_begin(&j, tr.pid ? "vmas" : "regions");
	} else {
		fprintf(tr.out, "totals: %" PRIu64 " fault%s", tr.seen, plural(tr.seen));
		if (lost)
			fprintf(tr.out, " (%" PRIu64 " more lost: the ring buffer was full)", lost);
		fputc('\n', tr.out);
	}
	for (i = 0; done && i < tr.nr_totals; i++) {
		if (done[i])
			continue;
		t = &tr.totals[i];
		if (tr.json) {
			json_object_begin(&j, NULL);
			if (tr.pid)
				json_map(&j, "vma", t->vma);
			else
				json_u64(&j, "region", t->region);
			json_object_begin(&j, "counts");
		} else if (!tr.pid) {
			fprintf(tr.out, "  region %-5u", t->region);
		} else if (t->vma) {
			fprintf(tr.out, "  %012" PRIx64 "-%012" PRIx64 " %s %-20s", t->vma->start,
				t->vma->end, t->vma->perms,
				t->vma->path[0] ? t->vma->path : "(anonymous)");
		} else {
			fprintf(tr.out, "  %-51s", "(in no VMA)");
		}
		for (k = i; k < tr.nr_totals; k++) {
			if (done[k] || tr.totals[k].vma != t->vma ||
			    tr.totals[k].region != t->region)
				continue;
			done[k] = true;
			if (tr.json)
				json_u64(&j, tr.totals[k].kind, tr.totals[k].n);
			else
				fprintf(tr.out, "%s%" PRIu64 " %s", k == i ? "  " : ", ",
					tr.totals[k].n, tr.totals[k].kind);
		}
		if (tr.json) {
			json_object_end(&j);
			json_object_end(&j);
		} else {
			fputc('\n', tr.out);
		}
	}
	if (tr.json) {
		json_array_end(&j);
		json_object_end(&j);
		json_end(&j);
	}
	free(done);
}

/* the threads of @pid, for set_event_pid; NULL after one line when it is gone */
static pid_t *threads(pid_t pid, size_t *nr)
{
	size_t max = 0;
	pid_t *tids = NULL;
	struct dirent *d;
	char path[64];
	DIR *dir;

	*nr = 0;
	snprintf(path, sizeof(path), "/proc/%d/task", pid);
	dir = opendir(path);
	if (!dir) {
		errmsg("trace: pid %d: %s", pid,
		       errno == ENOENT ? "no such process" : strerror(errno));
		return NULL;
	}
	while ((d = readdir(dir))) {
		if (d->d_name[0] == '.')
			continue;
		if (grow((void **)&tids, &max, *nr, sizeof(*tids)))
			break;
		tids[(*nr)++] = atoi(d->d_name);
	}
	closedir(dir);
	return tids;
}

/* whether @pid has ended (a zombie too: its parent may not reap it yet) */
static bool gone(pid_t pid)
{
	char path[64], buf[512], *paren;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return true;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return true;
	buf[n] = '\0';
	paren = strrchr(buf, ')');
	return !paren || paren[1] != ' ' || paren[2] == 'Z' || paren[2] == 'X';
}

int cmd_trace(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "pid", required_argument, NULL, 'p' },
		{ "regions", no_argument, NULL, 'r' },
		{ "count", required_argument, NULL, 'n' },
		{ "json", no_argument, NULL, 'j' },
		{ "output", required_argument, NULL, 'o' },
		{ }
	};
	const struct timespec poll = { 0, POLL_MS * 1000000L };
	struct sigaction sa = { .sa_handler = on_signal };
	const char *out_path = NULL;
	bool regions = false, ended = false;
	int c, status = EXIT_OK;
	struct pf_reader *r;
	pid_t *tids = NULL;
	uint32_t pid = 0;
	size_t nr = 0, i;

	tr.out = stdout;
	/* Ctrl-C while tracefs is being set up still ends with the totals */
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	while ((c = getopt_long(argc, argv, "hp:rn:jo:", opts, NULL)) != -1) {
		if (c == 'p' && parse_pid(optarg, &pid))
			return usage_error("trace", "bad pid '%s'", optarg);
		else if (c == 'r')
			regions = true;
		else if (c == 'n' && (parse_u64(optarg, &tr.count, false) || !tr.count))
			return usage_error("trace", "bad count '%s' (1 or more)", optarg);
		else if (c == 'j')
			tr.json = true;
		else if (c == 'o')
			out_path = optarg;
		else if (c != 'p' && c != 'n')
			return help_or_usage(c, "trace", argv, print_usage);
	}
	if (optind < argc)
		return usage_error("trace", "unexpected argument '%s'", argv[optind]);
	if (!pid == !regions)
		return usage_error("trace", "%s", pid ? "-p PID or --regions, not both" :
				   "whose faults? -p PID, or --regions");
	tr.pid = pid;
	if (pid) {
		tids = threads(pid, &nr);
		if (!tids)
			return EXIT_FAILED;
		read_vmas();
	}
	r = pf_open("trace", pid ? PF_WANT_TASKS : PF_WANT_REGIONS, tids, nr, BUFFER_KB);
	free(tids);
	if (!r)
		return EXIT_FAILED;
	if (pid) {
		/* the leaves: best effort, as trace needs only tracefs */
		const char *dev = getenv("VMLAB_DEVICE");

		tr.page_size = (uint64_t)sysconf(_SC_PAGESIZE);
		tr.fd = open(dev && *dev ? dev : VMLAB_DEVICE, O_RDWR | O_CLOEXEC);
		if (tr.fd >= 0 && target_open(tr.fd, pid, &tr.t, "trace")) {
			close(tr.fd);
			tr.fd = -1;
		}
		if (tr.fd < 0)
			fprintf(stderr, "%s: trace: the leaves are not shown (no walk of pid %u)\n",
				prog, pid);
	}
	if (out_path) {
		tr.out = fopen(out_path, "we");
		if (!tr.out) {
			errmsg("%s: %s", out_path, strerror(errno));
			pf_close(r);
			return EXIT_FAILED;
		}
	}
	while (!stop) {
		/* the process's end: what it did before it is still read */
		ended = pid && gone(pid);
		if (pf_drain(r, one_fault, NULL) < 0) {
			errmsg("trace: reading tracefs: %s", strerror(errno));
			status = EXIT_FAILED;
			break;
		}
		fflush(tr.out);
		if (ended || (tr.count && tr.seen >= tr.count))
			break;
		nanosleep(&poll, NULL);
	}
	print_totals(pf_lost(r));
	pf_close(r);
	if (tr.fd >= 0) {
		target_close(&tr.t);
		close(tr.fd);
	}
	if (tr.out != stdout)
		fclose(tr.out);
	for (i = 0; i < tr.nr_known; i++)
		free(tr.known[i]);
	free(tr.known);
	free(tr.vmas);
	free(tr.totals);
	return status;
}
