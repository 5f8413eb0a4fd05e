// SPDX-License-Identifier: GPL-2.0
/*
 * pagefaults.c - page faults from the kernel's tracepoints (see
 * pagefaults.h): a tracefs instance of our own ("vmlab-PID", removed at
 * the end) records x86's exceptions:page_fault_user and
 * exceptions:page_fault_kernel and vmlab's vmlab_fault and
 * vmlab_page_mkwrite, only for the tasks given (set_event_pid, and the
 * event-fork option for their children); libtracefs reads its per-CPU
 * ring buffers (trace_pipe_raw, partial pages too, through files kept open
 * from one read to the next) and libtraceevent's kbuffer and event parser
 * decode each event by its format, oldest first across the CPUs, as
 * tracefs_iterate_raw_events() does (which opens the files at each call).
 */
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <kbuffer.h>
#include <tracefs.h>

#include "cli.h"
#include "pagefaults.h"

/* the user half of the address space: a kernel fault above it is not the program's */
#define USER_TOP	(1ULL << 57)

static const struct {
	const char *system, *name;
	unsigned int want;
} events[PF_NR_SOURCES] = {
	[PF_USER] = { "exceptions", "page_fault_user", PF_WANT_TASKS },
	[PF_KERNEL] = { "exceptions", "page_fault_kernel", PF_WANT_TASKS },
	[PF_VMLAB_FAULT] = { "vmlab", "vmlab_fault", PF_WANT_TASKS | PF_WANT_REGIONS },
	[PF_VMLAB_MKWRITE] = { "vmlab", "vmlab_page_mkwrite", PF_WANT_TASKS | PF_WANT_REGIONS },
};

/* one CPU's ring buffer, and its oldest event not yet given */
struct pf_cpu {
	struct tracefs_cpu *tcpu;
	struct kbuffer *kbuf;
	void *page;
	struct tep_record rec;
	bool has;			/* @rec holds an event */
};

struct pf_reader {
	struct tracefs_instance *inst;
	struct pf_cpu *cpus;
	int nr_cpus;
	struct tep_handle *tep;
	int id[PF_NR_SOURCES];		/* the event's id, -1 when not recorded */
	/* address, ip, error_code; or region, pgoff, write, result */
	struct tep_format_field *field[PF_NR_SOURCES][4];
	uint64_t lost;
	long count;
	void (*fn)(const struct pf_event *e, void *arg);
	void *arg;
};

/* the tracing directory, or NULL after one line saying why there is none */
static const char *tracing_dir(const char *cmd)
{
	const char *dir = getenv("VMLAB_TRACEFS");
	char path[4096];
	struct stat st;

	if (dir && *dir) {
		if (tracefs_set_tracing_dir((char *)dir))
			return NULL;
	} else if (tracefs_tracing_dir_is_mounted(false, &dir) != 1) {
		errmsg("%s: tracefs is not mounted (mount -t tracefs %s /sys/kernel/tracing)",
		       cmd, "nodev");
		return NULL;
	}
	snprintf(path, sizeof(path), "%s/instances", dir);
	if (stat(path, &st) && errno != EACCES) {
		errmsg("%s: no tracefs at %s", cmd, dir);
		return NULL;
	}
	if (access(path, W_OK)) {
		errmsg("%s: tracefs at %s: %s (its events need root)", cmd, dir,
		       strerror(EACCES));
		return NULL;
	}
	return dir;
}

static int event_find(struct pf_reader *r, enum pf_source s)
{
	static const char *const names[2][4] = {
		{ "address", "ip", "error_code", NULL },
		{ "region", "pgoff", "write", "result" },
	};
	const char *const *n = names[s >= PF_VMLAB_FAULT];
	struct tep_event *ev = tep_find_event_by_name(r->tep, events[s].system, events[s].name);
	int i;

	if (!ev)
		return -1;
	for (i = 0; i < 4 && n[i]; i++) {
		r->field[s][i] = tep_find_field(ev, n[i]);
		if (!r->field[s][i])
			return -1;
	}
	r->id[s] = ev->id;
	return 0;
}

/*
 * The formats of the ring buffer's pages and of the events @want needs,
 * parsed by libtraceevent: a tep, or NULL when the page format cannot be
 * read (a missing event is found missing later). Not
 * tracefs_local_events_system(): it also parses /proc/kallsyms and the
 * printk formats, which takes seconds under emulation and serves nothing
 * here.
 */
static struct tep_handle *formats(unsigned int want)
{
	struct tep_handle *tep = tep_alloc();
	char *buf;
	int len, s;

	if (!tep)
		return NULL;
	tep_set_loglevel(TEP_LOG_NONE);
	buf = tracefs_instance_file_read(NULL, "events/header_page", &len);
	if (!buf || tep_parse_header_page(tep, buf, len, sizeof(long))) {
		free(buf);
		tep_free(tep);
		return NULL;
	}
	free(buf);
	tep_set_long_size(tep, tep_get_header_page_size(tep));
	for (s = 0; s < PF_NR_SOURCES; s++) {
		if (!(events[s].want & want))
			continue;
		buf = tracefs_event_file_read(NULL, events[s].system, events[s].name, "format",
					      &len);
		if (buf)
			tep_parse_event(tep, buf, len, events[s].system);
		free(buf);
	}
	return tep;
}

/*
 * The instances of vmlab processes that died without removing theirs (a
 * SIGKILL), each holding its ring buffers: removed (rmdir is how tracefs
 * deletes an instance). Best effort.
 */
static void remove_stale(const char *dir)
{
	char path[4096];
	struct dirent *d;
	DIR *dp;
	int pid;

	snprintf(path, sizeof(path), "%s/instances", dir);
	dp = opendir(path);
	while (dp && (d = readdir(dp))) {
		if (sscanf(d->d_name, "vmlab-%d", &pid) != 1 || pid <= 0 ||
		    !kill(pid, 0) || errno != ESRCH)
			continue;
		snprintf(path, sizeof(path), "%s/instances/%s", dir, d->d_name);
		rmdir(path);
	}
	if (dp)
		closedir(dp);
}

/* the tasks' ids into set_event_pid, their children added by the kernel */
static int filter_pids(struct pf_reader *r, const pid_t *pids, size_t nr)
{
	char buf[32];
	size_t i;

	if (tracefs_option_enable(r->inst, TRACEFS_OPTION_EVENT_FORK))
		return -1;
	for (i = 0; i < nr; i++) {
		snprintf(buf, sizeof(buf), "%d\n", pids[i]);
		if (tracefs_instance_file_append(r->inst, "set_event_pid", buf) < 0)
			return -1;
	}
	return 0;
}

/* the instance's per-CPU buffers, opened once (a CPU that cannot be: none) */
static int open_cpus(struct pf_reader *r)
{
	enum kbuffer_long_size ls = tep_get_header_page_size(r->tep) == 8 ? KBUFFER_LSIZE_8 :
									     KBUFFER_LSIZE_4;
	enum kbuffer_endian en = tep_is_file_bigendian(r->tep) ? KBUFFER_ENDIAN_BIG :
								  KBUFFER_ENDIAN_LITTLE;
	int n = sysconf(_SC_NPROCESSORS_CONF), i;
	struct pf_cpu *c;

	r->cpus = calloc(n > 0 ? n : 1, sizeof(*r->cpus));
	if (!r->cpus)
		return -1;
	for (i = 0; i < n; i++) {
		c = &r->cpus[r->nr_cpus];
		c->tcpu = tracefs_cpu_open(r->inst, i, true);
		if (!c->tcpu)
			continue;
		r->nr_cpus++;
		c->page = malloc(tracefs_cpu_read_size(c->tcpu));
		c->kbuf = kbuffer_alloc(ls, en);
		if (!c->page || !c->kbuf)
			return -1;
	}
	return r->nr_cpus ? 0 : -1;
}

struct pf_reader *pf_open(const char *cmd, unsigned int want, const pid_t *pids,
			  size_t nr_pids, size_t buffer_kb)
{
	struct pf_reader *r;
	const char *dir;
	char name[64];
	int s;

	tracefs_set_loglevel(TEP_LOG_NONE);
	dir = tracing_dir(cmd);
	if (!dir)
		return NULL;
	remove_stale(dir);
	r = calloc(1, sizeof(*r));
	if (!r) {
		errmsg("%s: %s", cmd, strerror(errno));
		return NULL;
	}
	r->tep = formats(want);
	if (!r->tep) {
		errmsg("%s: cannot read the events' formats in tracefs", cmd);
		goto fail;
	}
	for (s = 0; s < PF_NR_SOURCES; s++) {
		r->id[s] = -1;
		if ((events[s].want & want) && event_find(r, s) && s == PF_USER) {
			errmsg("%s: no exceptions:page_fault_user event in this kernel (x86 only)",
			       cmd);
			goto fail;
		}
	}
	if ((want & PF_WANT_REGIONS) && r->id[PF_VMLAB_FAULT] < 0) {
		errmsg("%s: no vmlab events in tracefs: is vmlab.ko loaded?", cmd);
		goto fail;
	}
	snprintf(name, sizeof(name), "vmlab-%d", getpid());
	r->inst = tracefs_instance_create(name);
	if (!r->inst) {
		errmsg("%s: tracefs instance %s: %s", cmd, name, strerror(errno));
		goto fail;
	}
	if ((buffer_kb && tracefs_instance_set_buffer_size(r->inst, buffer_kb, -1)) ||
	    (nr_pids && filter_pids(r, pids, nr_pids)))
		goto fail_errno;
	for (s = 0; s < PF_NR_SOURCES; s++)
		if (r->id[s] >= 0 && tracefs_event_enable(r->inst, events[s].system,
							  events[s].name))
			goto fail_errno;
	if (tracefs_trace_on(r->inst) || open_cpus(r))
		goto fail_errno;
	return r;
fail_errno:
	errmsg("%s: tracefs instance %s: %s", cmd, name, strerror(errno));
fail:
	pf_close(r);
	return NULL;
}

static int one_event(struct tep_event *ev, struct tep_record *rec, int cpu, void *arg)
{
	struct pf_reader *r = arg;
	struct pf_event e = { .ts = rec->ts, .cpu = cpu };
	unsigned long long v[4] = { 0 };
	int s, i;

	if (rec->missed_events)
		r->lost += rec->missed_events > 0 ? rec->missed_events : 1;
	for (s = 0; s < PF_NR_SOURCES; s++)
		if (r->id[s] == ev->id)
			break;
	if (s == PF_NR_SOURCES)
		return 0;
	for (i = 0; i < 4 && r->field[s][i]; i++)
		tep_read_number_field(r->field[s][i], rec->data, &v[i]);
	e.src = s;
	e.tid = tep_data_pid(r->tep, rec);
	if (s <= PF_KERNEL) {
		e.addr = v[0];
		e.ip = v[1];
		e.error = v[2];
		/* the kernel's own faults (vmalloc, ...) are not the program's */
		if (s == PF_KERNEL && e.addr >= USER_TOP)
			return 0;
	} else {
		e.region = v[0];
		e.pgoff = v[1];
		e.write = v[2];
		e.result = v[3];
	}
	r->count++;
	r->fn(&e, r->arg);
	return 0;
}

/* the next event of CPU @c into @c->rec, reading its next page when needed */
static bool next_event(struct pf_cpu *c, int cpu)
{
	unsigned long long ts;
	void *data;

	for (;;) {
		data = kbuffer_read_event(c->kbuf, &ts);
		if (data) {
			c->rec = (struct tep_record){
				.ts = ts, .data = data, .cpu = cpu, .ref_count = 1,
				.size = kbuffer_event_size(c->kbuf),
				.missed_events = kbuffer_missed_events(c->kbuf),
			};
			kbuffer_next_event(c->kbuf, NULL);
			return true;
		}
		/* nonblocking: a partly filled page too, or nothing */
		if (tracefs_cpu_read(c->tcpu, c->page, true) <= 0)
			return false;
		kbuffer_load_subbuffer(c->kbuf, c->page);
	}
}

long pf_drain(struct pf_reader *r, void (*fn)(const struct pf_event *e, void *arg), void *arg)
{
	struct tep_event *ev;
	struct pf_cpu *c;
	int i, oldest;

	r->fn = fn;
	r->arg = arg;
	r->count = 0;
	for (i = 0; i < r->nr_cpus; i++)
		r->cpus[i].has = r->cpus[i].has || next_event(&r->cpus[i], i);
	/* the oldest event of all the CPUs, one at a time */
	for (;;) {
		oldest = -1;
		for (i = 0; i < r->nr_cpus; i++)
			if (r->cpus[i].has &&
			    (oldest < 0 || r->cpus[i].rec.ts < r->cpus[oldest].rec.ts))
				oldest = i;
		if (oldest < 0)
			break;
		c = &r->cpus[oldest];
		ev = tep_find_event(r->tep, tep_data_type(r->tep, &c->rec));
		if (ev)
			one_event(ev, &c->rec, oldest, r);
		c->has = next_event(c, oldest);
	}
	return r->count;
}

uint64_t pf_lost(const struct pf_reader *r)
{
	return r->lost;
}

void pf_close(struct pf_reader *r)
{
	int i;

	if (!r)
		return;
	for (i = 0; r->cpus && i < r->nr_cpus; i++) {
		tracefs_cpu_close(r->cpus[i].tcpu);
		kbuffer_free(r->cpus[i].kbuf);
		free(r->cpus[i].page);
	}
	free(r->cpus);
	if (r->inst) {
		tracefs_trace_off(r->inst);
		tracefs_instance_destroy(r->inst);
		tracefs_instance_free(r->inst);
	}
	tep_free(r->tep);
	free(r);
}

const char *pf_access(const struct pf_event *e)
{
	if (e->src >= PF_VMLAB_FAULT)
		return e->write ? "write" : "read";
	if (e->error & PF_ERR_INSTR)
		return "exec";
	return e->error & PF_ERR_WRITE ? "write" : "read";
}

const char *pf_cause(const struct pf_event *e)
{
	if (e->src == PF_VMLAB_FAULT)
		return "vmlab_fault";
	if (e->src == PF_VMLAB_MKWRITE)
		return "page_mkwrite";
	return e->error & PF_ERR_PROT ? "protection" : "not-present";
}

const char *pf_by(const struct pf_event *e)
{
	return e->src == PF_KERNEL ? "kernel" : "user";
}
