// SPDX-License-Identifier: GPL-2.0
/*
 * cmd_run.c - "vmlab run [--walk] [--json] -- PROG [ARGS]": runs PROG
 * under ptrace, following its forks, clones and execs, and after each
 * memory system call of any of its processes prints what changed in that
 * process's address space: the VMAs (maps_diff.c) and, with --walk, the
 * page-table leaves (a range walk of every VMA, compared with the last).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/ptrace.h>
#include <linux/seccomp.h>

#include "cli.h"
#include "json.h"
#include "maps_diff.h"
#include "memcall_args.h"
#include "pagefaults.h"
#include "run_svg.h"

#define USER_TOP	(1ULL << 56)
#define TEXT_LEAVES	64	/* leaf changes one event prints as text */
#define TEXT_FAULTS	8	/* faults per VMA one event prints as text */
#define FAULT_BUFFER_KB	8192	/* the fault events' ring buffer per CPU */

/* the memory system calls, and how many arguments each shows */
static const struct {
	long nr;
	const char *name;
	unsigned int nargs;
} memcalls[] = {
	{ SYS_mmap, "mmap", 6 }, { SYS_munmap, "munmap", 2 },
	{ SYS_mprotect, "mprotect", 3 }, { SYS_pkey_mprotect, "pkey_mprotect", 4 },
	{ SYS_mremap, "mremap", 5 }, { SYS_madvise, "madvise", 3 },
	{ SYS_msync, "msync", 3 }, { SYS_brk, "brk", 1 },
#ifdef SYS_fork	/* arm64 has only clone and clone3 */
	{ SYS_fork, "fork", 0 }, { SYS_vfork, "vfork", 0 },
#endif
	{ SYS_clone, "clone", 2 }, { SYS_clone3, "clone3", 2 },
	{ SYS_execve, "execve", 1 }, { SYS_execveat, "execveat", 3 },
	{ SYS_shmat, "shmat", 3 }, { SYS_shmdt, "shmdt", 1 },
#ifdef SYS_mmap2
	/*
	 * 32-bit ABIs (i386): the C library's mmap() is mmap2(), its offset
	 * in 4096-byte units; shown as the mmap it is, the offset in bytes
	 */
	{ SYS_mmap2, "mmap", 6 },
#endif
};

/* one address space: a thread group's, as last read */
struct mm {
	pid_t tgid;
	bool read;			/* @vmas and @leaves hold a reading */
	struct snap_vma *vmas;
	size_t nr_vmas, max_vmas;
	struct vmlab_walk_record *leaves;
	size_t nr_leaves, max_leaves;
	struct target t;
	bool t_ok;
	bool hidden;			/* PFNs hidden: the leaves' frames are tokens */
};

/* the walks' flags where PFNs are hidden: the range walk gives tokens */
#define HIDDEN_WITH_TOKENS (VMLAB_WALK_PFN_HIDDEN | VMLAB_WALK_FRAME_TOKEN)

/* one traced task (a thread or a process) */
struct task {
	pid_t tid, tgid;
	int call;			/* index in memcalls of the call it is in, or -1 */
	uint64_t args[6];
	char path[256];			/* execve's program, read at the entry */
	pid_t child;			/* fork, vfork, clone: the new task */
	pid_t parent;			/* the task whose fork, vfork or clone made it */
	bool exec_done;			/* PTRACE_EVENT_EXEC seen in this call */
	bool started;			/* its first stop (a SIGSTOP) seen */
	/*
	 * A new task waits in its first stop (@held) until its parent's call
	 * has returned and been shown (@go): the parent's reading after a
	 * fork is then the state the fork left, before the child ran. A
	 * vfork's child goes at once (its parent waits for it).
	 */
	bool held, go;
};

static struct run {
	int fd;
	bool walk, json, no_faults;
	FILE *out;
	bool colour;
	bool started;			/* PROG's first exec done */
	bool seccomp;			/* only the memory calls stop (seccomp_memcalls) */
	struct task *tasks;
	size_t nr_tasks, max_tasks;
	struct mm *mms;
	size_t nr_mms, max_mms;
	uint32_t page_size;
	struct vmlab_info info;
	const char *svg_dir;		/* --svg: the trees of each change into it */
	unsigned int nr_svg;		/* the changes drawn */
	/* the event being printed */
	struct json j;
	size_t leaves_shown, leaves_more;
	/* the page faults (pagefaults.c), those read and not yet shown */
	struct pf_reader *pf;
	struct pf_event *faults;
	size_t nr_faults, max_faults;
	uint64_t lost_shown;
} run;

static void print_usage(FILE *f)
{
	fprintf(f,
		"usage: vmlab run [--walk] [--json] [--no-faults] [--svg DIR] [-o FILE] [--] PROG\n"
		"                 [ARGS...]\n"
		"Run PROG under ptrace, following its forks, clones and execs, and after every\n"
		"memory system call (mmap, munmap, mprotect, mremap, madvise, msync, brk, fork,\n"
		"vfork, clone, execve, shmat, shmdt; flags by name) and at each exit print what\n"
		"changed in that process's address space: VMAs added, removed, changed, split\n"
		"or merged, as /proc/PID/maps lines with their mapping type (private/shared x\n"
		"file/anon/device). Before each, the page faults since the last one, from the\n"
		"kernel's tracepoints (root: tracefs): per VMA, each fault's address, access\n"
		"(read/write/exec), cause (not-present/protection) and the leaf it left.\n"
		"  -w, --walk         also the page-table leaves that changed since the last event\n"
		"                     (before -> after: flags, frame, COW verdict)\n"
		"  -j, --json         one JSON object per event, one a line (see vmlab(1))\n"
		"  -F, --no-faults    without the page faults\n"
		"  -s, --svg DIR      the page-table tree of each range whose VMAs a call\n"
		"                     changed, before and after, as\n"
		"                     DIR/run-N-CALL-before.svg and -after.svg (vmlab tree's)\n"
		"  -o, --output FILE  the events into FILE, not stdout (where PROG writes too)\n"
		"PROG without a slash is looked for in PATH. Exit status: PROG's, 128 + the signal\n"
		"when a signal killed it (as shells say it); 126 when PROG is not executable, 127\n"
		"when it is not found, 1 when it cannot be traced (ptrace refused: Yama's\n"
		"kernel.yama.ptrace_scope), 2 for bad usage or the module not loaded.\n");
}

static const char *col(enum colour c)
{
	return run.colour ? colour(c) : "";
}

static struct task *task_find(pid_t tid)
{
	size_t i;

	for (i = 0; i < run.nr_tasks; i++)
		if (run.tasks[i].tid == tid)
			return &run.tasks[i];
	return NULL;
}

/* the thread group of @tid, from /proc/TID/status; @tid itself if unknown */
static pid_t tgid_of(pid_t tid)
{
	char path[64], line[256];
	pid_t tgid = tid;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", tid);
	f = fopen(path, "re");
	if (!f)
		return tid;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "Tgid: %d", &tgid) == 1)
			break;
	fclose(f);
	return tgid;
}

static struct task *task_add(pid_t tid)
{
	struct task *t;

	if (grow((void **)&run.tasks, &run.max_tasks, run.nr_tasks, sizeof(*t)))
		return NULL;
	t = &run.tasks[run.nr_tasks++];
	*t = (struct task){ .tid = tid, .tgid = tgid_of(tid), .call = -1 };
	return t;
}

static void task_del(struct task *t)
{
	*t = run.tasks[--run.nr_tasks];
}

static struct mm *mm_find(pid_t tgid)
{
	struct mm *mm;
	size_t i;

	for (i = 0; i < run.nr_mms; i++)
		if (run.mms[i].tgid == tgid)
			return &run.mms[i];
	if (grow((void **)&run.mms, &run.max_mms, run.nr_mms, sizeof(*mm)))
		return NULL;
	mm = &run.mms[run.nr_mms++];
	*mm = (struct mm){ .tgid = tgid, .t = { .mem_fd = -1 } };
	return mm;
}

static void mm_forget(struct mm *mm)
{
	target_close(&mm->t);
	mm->t_ok = false;
	mm->read = false;
	mm->nr_vmas = 0;
	mm->nr_leaves = 0;
}

static void mm_del(pid_t tgid)
{
	struct mm *mm = mm_find(tgid);

	if (!mm)
		return;
	mm_forget(mm);
	free(mm->vmas);
	free(mm->leaves);
	*mm = run.mms[--run.nr_mms];
}

/* whom the walks of @mm read: the pid as root, else /proc/PID/mem (our tracee) */
static bool mm_target(struct mm *mm)
{
	int e = errno;

	if (!mm->t_ok) {
		/* quiet: a task gone or refused is shown without types or leaves */
		int saved = dup(STDERR_FILENO), null = open("/dev/null", O_WRONLY | O_CLOEXEC);

		if (saved >= 0 && null >= 0)
			dup2(null, STDERR_FILENO);
		mm->t_ok = !target_open(run.fd, mm->tgid, &mm->t, "run");
		if (saved >= 0) {
			dup2(saved, STDERR_FILENO);
			close(saved);
		}
		if (null >= 0)
			close(null);
	}
	errno = e;
	return mm->t_ok;
}

static void add_leaf(const struct vmlab_walk_record *rec, void *arg)
{
	struct mm *mm = arg;

	/* a huge leaf met again from the next VMA's walk */
	if (mm->nr_leaves && mm->leaves[mm->nr_leaves - 1].addr >= rec->addr)
		return;
	if (grow((void **)&mm->leaves, &mm->max_leaves, mm->nr_leaves, sizeof(*rec)))
		return;
	mm->leaves[mm->nr_leaves++] = *rec;
}

/*
 * Reads @mm's VMAs (and with --walk its leaves) into @mm, the VMAs with
 * their mapping type: known ones keep theirs from @old (@nr_old VMAs),
 * new ones get a walk of their first page. 0, or -1 when the process is
 * gone.
 */
static int mm_read(struct mm *mm, const struct snap_vma *old, size_t nr_old)
{
	struct snap_vma *v;
	struct vmlab_walk w;
	struct map_line m;
	size_t i, k = 0;
	FILE *f;
	int ret;
	char path[64];

	snprintf(path, sizeof(path), "/proc/%d/maps", mm->tgid);
	f = fopen(path, "re");
	if (!f)
		return -1;
	mm_target(mm);
	mm->nr_vmas = 0;
	mm->nr_leaves = 0;
	while ((ret = maps_next(f, &m)) > 0) {
		if (grow((void **)&mm->vmas, &mm->max_vmas, mm->nr_vmas, sizeof(*v)))
			break;
		v = &mm->vmas[mm->nr_vmas++];
		v->m = m;
		while (k < nr_old && old[k].m.start < m.start)
			k++;
		if (k < nr_old && old[k].m.start == m.start && old[k].m.end == m.end &&
		    old[k].m.inode == m.inode && !strcmp(old[k].m.path, m.path) &&
		    !strcmp(old[k].m.perms, m.perms)) {
			v->type = old[k].type;
		} else if (m.end <= USER_TOP && mm->t_ok &&
			   !vmlab_walk_flags(run.fd, mm->t.arg, mm->t.flags, m.start, &w)) {
			v->type = maps_type(&m, &w);
			mm->hidden = w.walk_flags & VMLAB_WALK_PFN_HIDDEN;
		} else {
			v->type = maps_type(&m, NULL);
		}
	}
	fclose(f);
	if ((run.walk || run.svg_dir) && mm->t_ok) {
		/* where PFNs are hidden, each leaf's frame token instead */
		struct target t = mm->t;

		t.flags |= VMLAB_WALK_RANGE_TOKENS;
		for (i = 0; i < mm->nr_vmas; i++) {
			v = &mm->vmas[i];
			if (v->m.end > USER_TOP || v->type == MT_OTHER)
				continue;
			/* a VMA the walk refuses is left out */
			walk_records(run.fd, &t, v->m.start, v->m.end, add_leaf, mm);
		}
	}
	mm->read = true;
	return 0;
}

/* ---- printing ---- */

static void json_vma(const char *key, const struct snap_vma *v)
{
	struct json *j = &run.j;

	json_object_begin(j, key);
	json_hex(j, "start", v->m.start);
	json_hex(j, "end", v->m.end);
	json_string(j, "perms", v->m.perms);
	json_hex(j, "offset", v->m.offset);
	json_string(j, "dev", v->m.dev);
	json_u64(j, "inode", v->m.inode);
	json_string(j, "path", v->m.path);
	json_string(j, "type", maps_type_key(v->type));
	json_object_end(j);
}

/*
 * One VMA as its /proc/PID/maps line, its type before the path; the range
 * padded to two 12-digit addresses, so that the columns after it line up
 * whether the addresses have 8 digits (a static program's) or 12.
 */
static void text_vma(const char *kind, char sign, const struct snap_vma *v)
{
	char range[48];

	snprintf(range, sizeof(range), "%08" PRIx64 "-%08" PRIx64, v->m.start, v->m.end);
	fprintf(run.out, "  %s%-8s%s %s%c%s %-25s %s %08" PRIx64 " %-5s %-8" PRIu64
		" %-14s %s\n", col(C_BOLD), kind, col(C_RESET),
		col(sign == '+' ? C_GOOD : C_BAD), sign, col(C_RESET), range, v->m.perms,
		v->m.offset, v->m.dev, v->m.inode, maps_type_key(v->type), v->m.path);
}

/* what --svg draws a change from: the call, its process, the leaves before it */
struct svg_change {
	const char *call;
	const struct mm *mm;
	struct leaves before;
};

/* --svg: the trees of the range a change covers, before and after */
static bool draw_change(const struct svg_change *sc, const struct snap_vma *gone,
			size_t nr_gone, const struct snap_vma *came, size_t nr_came,
			char paths[][4096])
{
	uint64_t start = UINT64_MAX, end = 0;
	struct leaves after;
	size_t i;

	if (!sc || !run.svg_dir)
		return false;
	for (i = 0; i < nr_gone; i++) {
		start = gone[i].m.start < start ? gone[i].m.start : start;
		end = gone[i].m.end > end ? gone[i].m.end : end;
	}
	for (i = 0; i < nr_came; i++) {
		start = came[i].m.start < start ? came[i].m.start : start;
		end = came[i].m.end > end ? came[i].m.end : end;
	}
	if (start >= end || end > USER_TOP)
		return false;
	after = (struct leaves){ sc->mm->leaves, sc->mm->nr_leaves };
	return !run_svg(run.svg_dir, ++run.nr_svg, sc->call, sc->mm->tgid, &run.info, start, end,
			&sc->before, &after, paths);
}

static void print_change(enum vma_change kind, const struct snap_vma *gone, size_t nr_gone,
			 const struct snap_vma *came, size_t nr_came, void *arg)
{
	const char *name = vma_change_name(kind);
	char paths[2][4096];
	bool drawn = draw_change(arg, gone, nr_gone, came, nr_came, paths);
	size_t i;

	if (run.json) {
		json_object_begin(&run.j, NULL);
		json_string(&run.j, "change", name);
		json_array_begin(&run.j, "before");
		for (i = 0; i < nr_gone; i++)
			json_vma(NULL, &gone[i]);
		json_array_end(&run.j);
		json_array_begin(&run.j, "after");
		for (i = 0; i < nr_came; i++)
			json_vma(NULL, &came[i]);
		json_array_end(&run.j);
		if (drawn) {
			json_string(&run.j, "svg_before", paths[0]);
			json_string(&run.j, "svg_after", paths[1]);
		}
		json_object_end(&run.j);
		return;
	}
	for (i = 0; i < nr_gone; i++)
		text_vma(i ? "" : name, '-', &gone[i]);
	for (i = 0; i < nr_came; i++)
		text_vma(i || nr_gone ? "" : name, '+', &came[i]);
	if (drawn)
		fprintf(run.out, "  %-8s   (pictures: %s, %s)\n", "", paths[0], paths[1]);
}

static const char *frame_of(char *buf, size_t size, const struct vmlab_walk_record *r,
			    uint32_t walk_flags)
{
	struct vmlab_walk w = { .pfn = r->pfn, .walk_flags = walk_flags, .frame_token = r->pfn };

	if (!(r->leaf_flags & VMLAB_PTE_PRESENT))
		snprintf(buf, size, "not present");
	else
		frame_str(buf, size, &w);
	return buf;
}

static void json_leaf(const char *key, const struct vmlab_walk_record *r, uint32_t walk_flags)
{
	struct json *j = &run.j;

	if (!r) {
		json_string(j, key, NULL);
		return;
	}
	json_object_begin(j, key);
	json_hex(j, "entry", r->entry);
	json_flags(j, "flags", r->leaf_flags, vmlab_pte_flag_name);
	if (!(walk_flags & VMLAB_WALK_PFN_HIDDEN) && (r->leaf_flags & VMLAB_PTE_PRESENT))
		json_hex(j, "pfn", r->pfn);
	else if ((walk_flags & VMLAB_WALK_FRAME_TOKEN) && (r->leaf_flags & VMLAB_PTE_PRESENT))
		json_hex(j, "frame_token", r->pfn);
	json_string(j, "verdict", vmlab_verdict_name(r->verdict));
	json_object_end(j);
}

static void text_leaf(const struct vmlab_walk_record *r, uint32_t walk_flags)
{
	char flags[128], frame[48];

	if (!r) {
		fprintf(run.out, "%s%-40s%s", col(C_DIM), "none", col(C_RESET));
		return;
	}
	vmlab_format_flags(flags, sizeof(flags), r->leaf_flags, vmlab_pte_flag_name);
	frame_of(frame, sizeof(frame), r, walk_flags);
	fprintf(run.out, "%-24s %-18s %s%s%s", flags, frame, col(verdict_colour(r->verdict)),
		vmlab_verdict_name(r->verdict) ? vmlab_verdict_name(r->verdict) : "?",
		col(C_RESET));
}

static void print_leaf(const struct vmlab_walk_record *a, const struct vmlab_walk_record *b,
		       uint32_t walk_flags)
{
	const struct vmlab_walk_record *r = b ? b : a;

	if (run.json) {
		json_object_begin(&run.j, NULL);
		json_hex(&run.j, "addr", r->addr);
		json_string(&run.j, "level", vmlab_level_name(r->level));
		json_leaf("before", a, walk_flags);
		json_leaf("after", b, walk_flags);
		json_object_end(&run.j);
		return;
	}
	if (run.leaves_shown == TEXT_LEAVES) {
		run.leaves_more++;
		return;
	}
	run.leaves_shown++;
	fprintf(run.out, "  %-8s   %012" PRIx64 " %-3s ", run.leaves_shown == 1 ? "leaves" : "",
		(uint64_t)r->addr, vmlab_level_name(r->level));
	text_leaf(a, walk_flags);
	fprintf(run.out, "  ->  ");
	text_leaf(b, walk_flags);
	fputc('\n', run.out);
}

static bool same_leaf(const struct vmlab_walk_record *a, const struct vmlab_walk_record *b)
{
	return a->entry == b->entry && a->pfn == b->pfn && a->level == b->level &&
	       a->verdict == b->verdict && a->leaf_flags == b->leaf_flags;
}

/* the leaves of @old (@nr_old) and @new (@nr_new) that differ, in address order */
static void diff_leaves(const struct vmlab_walk_record *old, size_t nr_old,
			const struct vmlab_walk_record *new, size_t nr_new, uint32_t walk_flags)
{
	size_t i = 0, k = 0;

	run.leaves_shown = 0;
	run.leaves_more = 0;
	if (run.json)
		json_array_begin(&run.j, "leaves");
	while (i < nr_old || k < nr_new) {
		if (k >= nr_new || (i < nr_old && old[i].addr < new[k].addr)) {
			print_leaf(&old[i++], NULL, walk_flags);
		} else if (i >= nr_old || new[k].addr < old[i].addr) {
			print_leaf(NULL, &new[k++], walk_flags);
		} else {
			if (!same_leaf(&old[i], &new[k]))
				print_leaf(&old[i], &new[k], walk_flags);
			i++;
			k++;
		}
	}
	if (run.json)
		json_array_end(&run.j);
	else if (run.leaves_more)
		fprintf(run.out, "  %-8s   ... and %zu more leaves (--json has them all)\n", "",
			run.leaves_more);
}

/*
 * A call's return value: a 32-bit kernel sign-extends the long it returns,
 * so a 32-bit tool sees an address above 2 GiB as negative; only -4095 to
 * -1 are errors (as the kernel's IS_ERR_VALUE), the rest is unsigned.
 */
static int64_t ret_value(int64_t rval)
{
	if (sizeof(long) == 4 && rval < -4095)
		return (uint32_t)rval;
	return rval;
}

static bool addr_call(long nr)
{
#ifdef SYS_mmap2
	if (nr == SYS_mmap2)
		return true;
#endif
	return nr == SYS_mmap || nr == SYS_mremap || nr == SYS_brk || nr == SYS_shmat;
}

/* the call's line: "[PID] name(args) = ret" */
static void print_call(const struct task *t, long nr, const char *name, unsigned int nargs,
		       int64_t ret)
{
	const char *key;
	char arg[160];
	unsigned int i;

	if (run.json) {
		json_string(&run.j, "syscall", name);
		json_array_begin(&run.j, "args");
		for (i = 0; i < nargs; i++)
			json_hex(&run.j, NULL, t->args[i]);
		json_array_end(&run.j);
		/* the flags and advice by name */
		json_object_begin(&run.j, "decoded");
		for (i = 0; i < nargs; i++) {
			key = memcall_arg(arg, sizeof(arg), name, i, t->args[i]);
			if (key && !strcmp(key, "fd"))
				json_i64(&run.j, key, (int)t->args[i]);
			else if (key)
				json_string(&run.j, key, arg);
		}
		json_object_end(&run.j);
		if (t->path[0])
			json_string(&run.j, "path", t->path);
		json_i64(&run.j, "ret", ret);
		if (ret < 0 && ret >= -4095)
			json_string(&run.j, "error", strerrorname_np(-ret));
		if (t->child)
			json_i64(&run.j, "child", t->child);
		return;
	}
	fprintf(run.out, "%s[%d]%s %s%s%s(", col(C_DIM), t->tid, col(C_RESET), col(C_INFO), name,
		col(C_RESET));
	for (i = 0; i < nargs; i++) {
		if (i == 0 && t->path[0])
			fprintf(run.out, "\"%s\"", t->path);
		else if (memcall_arg(arg, sizeof(arg), name, i, t->args[i]))
			fprintf(run.out, "%s%s", i ? ", " : "", arg);
		else
			fprintf(run.out, "%s0x%" PRIx64, i ? ", " : "", t->args[i]);
	}
	if (ret < 0 && ret >= -4095)
		fprintf(run.out, ") = -1 %s (%s)", strerrorname_np(-ret), strerror(-ret));
	else if (addr_call(nr))
		fprintf(run.out, ") = 0x%" PRIx64, (uint64_t)ret);
	else
		fprintf(run.out, ") = %" PRId64, ret);
	if (t->child)
		fprintf(run.out, "  (new task %d)", t->child);
	fputc('\n', run.out);
}

static void event_begin_pid(pid_t pid, pid_t tid, const char *event)
{
	if (!run.json)
		return;
	json_init(&run.j, run.out);
	run.j.compact = true;
	json_object_begin(&run.j, NULL);
	json_string(&run.j, "event", event);
	json_i64(&run.j, "pid", pid);
	if (tid)
		json_i64(&run.j, "tid", tid);
}

static void event_begin(const struct task *t, const char *event)
{
	event_begin_pid(t->tgid, t->tid, event);
}

static void event_end(void)
{
	if (run.json) {
		json_object_end(&run.j);
		json_end(&run.j);
	}
	fflush(run.out);
}

/* ---- page faults between the events ---- */

static void collect_fault(const struct pf_event *e, void *arg)
{
	if (grow((void **)&run.faults, &run.max_faults, run.nr_faults, sizeof(*e)))
		return;
	run.faults[run.nr_faults++] = *e;
}

/* the process of the task that faulted (a task gone: its own id) */
static pid_t fault_pid(const struct pf_event *e)
{
	const struct task *t = task_find(e->tid);

	return t ? t->tgid : e->tid;
}

static struct mm *mm_lookup(pid_t tgid)
{
	size_t i;

	for (i = 0; i < run.nr_mms; i++)
		if (run.mms[i].tgid == tgid && run.mms[i].read)
			return &run.mms[i];
	return NULL;
}

/* the index of the VMA of @mm holding @addr, or its number of VMAs */
static size_t vma_index(const struct mm *mm, uint64_t addr)
{
	size_t lo = 0, hi = mm->nr_vmas, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (mm->vmas[mid].m.end <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < mm->nr_vmas && mm->vmas[lo].m.start <= addr ? lo : mm->nr_vmas;
}

/*
 * A vmlab handler's call has no address: it is the x86 fault just before
 * it in the same task, when that address's page in its VMA is the page
 * the handler was asked for. 0 when none is.
 */
static uint64_t region_fault_addr(size_t i, const struct mm *mm)
{
	const struct pf_event *e = &run.faults[i], *p;
	uint64_t page_mask = ~(uint64_t)(run.page_size - 1);
	size_t k, v;

	for (k = i; k-- > 0 && i - k <= 16;) {
		p = &run.faults[k];
		if (p->tid != e->tid || p->src > PF_KERNEL)
			continue;
		v = mm ? vma_index(mm, p->addr) : 0;
		if (!mm || v == mm->nr_vmas)
			return 0;
		if (mm->vmas[v].m.offset + (p->addr & page_mask) - mm->vmas[v].m.start ==
		    e->pgoff * run.page_size)
			return p->addr;
		return 0;
	}
	return 0;
}

/* a fault's kind, "write not-present" or "read vmlab_fault (kernel)" */
static const char *fault_kind(char *buf, size_t size, const struct pf_event *e)
{
	snprintf(buf, size, "%s %s%s", pf_access(e), pf_cause(e),
		 e->src == PF_KERNEL ? " (kernel)" : "");
	return buf;
}

/* the error code's bits that make a fault's kind (pf_access, pf_cause) */
#define KIND_BITS	(PF_ERR_PROT | PF_ERR_WRITE | PF_ERR_INSTR)

struct shown {
	size_t i;		/* in run.faults */
	size_t vma;		/* in the mm's VMAs, nr_vmas: none */
};

static int shown_cmp(const void *a, const void *b)
{
	const struct shown *x = a, *y = b;

	if (x->vma != y->vma)
		return x->vma < y->vma ? -1 : 1;
	return x->i < y->i ? -1 : x->i > y->i;
}

static int rec_cmp(const void *key, const void *elem)
{
	const uint64_t *addr = key;
	const struct vmlab_walk_record *r = elem;
	uint64_t end = r->addr + level_bytes(r->level, run.page_size);

	return *addr < r->addr ? -1 : *addr >= end;
}

struct recs {
	struct vmlab_walk_record *r;
	size_t nr, max;
};

static void add_rec(const struct vmlab_walk_record *rec, void *arg)
{
	struct recs *rs = arg;

	if (grow((void **)&rs->r, &rs->max, rs->nr, sizeof(*rec)))
		return;
	rs->r[rs->nr++] = *rec;
}

/* what makes two faults of one kind: their source and the error bits named */
static unsigned int kind_key(const struct pf_event *e)
{
	return e->src << 8 | (e->src <= PF_KERNEL ? e->error & KIND_BITS : e->write);
}

/* the faults @s (@n) counted by kind, in the order each kind first came */
static void fault_counts(const struct shown *s, size_t n)
{
	unsigned int keys[24];
	size_t count[24] = { 0 }, first[24], nr = 0, i, k;
	char kind[48];

	for (i = 0; i < n; i++) {
		unsigned int key = kind_key(&run.faults[s[i].i]);

		for (k = 0; k < nr && keys[k] != key; k++)
			;
		if (k == nr && nr < ARRAY_SIZE(keys)) {
			keys[nr] = key;
			first[nr++] = s[i].i;
		}
		if (k < nr)
			count[k]++;
	}
	if (run.json)
		json_object_begin(&run.j, "counts");
	for (k = 0; k < nr; k++) {
		fault_kind(kind, sizeof(kind), &run.faults[first[k]]);
		if (run.json)
			json_u64(&run.j, kind, count[k]);
		else
			fprintf(run.out, "%s%zu %s", k ? ", " : "  ", count[k], kind);
	}
	if (run.json)
		json_object_end(&run.j);
	else
		fputc('\n', run.out);
}

static void fault_line(const struct pf_event *e, const struct vmlab_walk_record *leaf,
		       uint32_t walk_flags)
{
	char kind[48];

	if (run.json) {
		json_object_begin(&run.j, NULL);
		if (e->addr)
			json_hex(&run.j, "addr", e->addr);
		else
			json_string(&run.j, "addr", NULL);
		json_i64(&run.j, "tid", e->tid);
		json_string(&run.j, "access", pf_access(e));
		json_string(&run.j, "cause", pf_cause(e));
		json_string(&run.j, "by", pf_by(e));
		if (e->src <= PF_KERNEL) {
			json_hex(&run.j, "ip", e->ip);
			json_u64(&run.j, "error_code", e->error);
		} else {
			json_u64(&run.j, "region", e->region);
			json_u64(&run.j, "pgoff", e->pgoff);
			json_hex(&run.j, "result", e->result);
		}
		json_leaf("leaf", leaf, walk_flags);
		json_object_end(&run.j);
		return;
	}
	if (e->addr)
		fprintf(run.out, "    %012" PRIx64, e->addr);
	else
		fprintf(run.out, "    region %-5u", e->region);
	fprintf(run.out, " %-32s ", fault_kind(kind, sizeof(kind), e));
	text_leaf(leaf, walk_flags);
	fputc('\n', run.out);
}

/* the faults @s (@n, of one VMA @vma of @mm, or of none) and the leaves they left */
static void fault_group(struct mm *mm, const struct snap_vma *vma, const struct shown *s,
			size_t n)
{
	size_t shown = run.json ? n : (n < TEXT_FAULTS ? n : TEXT_FAULTS), i;
	uint32_t walk_flags = mm && mm->hidden ? HIDDEN_WITH_TOKENS : 0;
	uint64_t lo = UINT64_MAX, hi = 0, a;
	struct recs rs = { 0 };
	struct target t;

	if (run.json)
		json_object_begin(&run.j, NULL);
	if (run.json && vma)
		json_vma("vma", vma);
	else if (run.json)
		json_string(&run.j, "vma", NULL);
	else if (vma)
		text_vma("", ' ', vma);
	else
		fprintf(run.out, "  %-8s   (in no VMA)\n", "");
	fault_counts(s, n);
	/* the leaves the shown faults left, from one walk over them */
	for (i = 0; vma && i < shown; i++) {
		a = run.faults[s[i].i].addr;
		if (a && a < lo)
			lo = a;
		if (a > hi)
			hi = a;
	}
	if (vma && lo <= hi && vma->type != MT_OTHER && vma->m.end <= USER_TOP &&
	    mm_target(mm)) {
		t = mm->t;
		t.flags |= VMLAB_WALK_RANGE_TOKENS;
		walk_records(run.fd, &t, lo & ~(uint64_t)(run.page_size - 1),
			     (hi | (run.page_size - 1)) + 1, add_rec, &rs);
	}
	if (run.json)
		json_array_begin(&run.j, "faults");
	for (i = 0; i < shown; i++) {
		a = run.faults[s[i].i].addr;
		fault_line(&run.faults[s[i].i],
			   rs.nr && a ? bsearch(&a, rs.r, rs.nr, sizeof(*rs.r), rec_cmp) : NULL,
			   walk_flags);
	}
	if (run.json)
		json_array_end(&run.j);
	else if (n > shown)
		fprintf(run.out, "    ... and %zu more (--json has them all)\n", n - shown);
	if (run.json)
		json_object_end(&run.j);
	free(rs.r);
}

/* the faults of process @pid among @s (@n of them, in order) */
static void faults_of(pid_t pid, struct shown *s, size_t n, uint64_t lost)
{
	struct mm *mm = mm_lookup(pid);
	size_t i, k, none = mm ? mm->nr_vmas : 0;

	for (i = 0; i < n; i++) {
		const struct pf_event *e = &run.faults[s[i].i];

		if (e->src > PF_KERNEL)
			run.faults[s[i].i].addr = region_fault_addr(s[i].i, mm);
		s[i].vma = mm && e->addr ? vma_index(mm, e->addr) : none;
	}
	qsort(s, n, sizeof(*s), shown_cmp);
	event_begin_pid(pid, 0, "faults");
	if (run.json) {
		json_u64(&run.j, "count", n);
		if (lost)
			json_u64(&run.j, "lost", lost);
		json_array_begin(&run.j, "vmas");
	} else {
		fprintf(run.out, "%s[%d]%s %sfaults%s %zu", col(C_DIM), pid, col(C_RESET),
			col(C_INFO), col(C_RESET), n);
		if (lost)
			fprintf(run.out, " %s(%" PRIu64 " more lost: the ring buffer was full)%s",
				col(C_WARN), lost, col(C_RESET));
		fputc('\n', run.out);
	}
	for (i = 0; i < n; i = k) {
		for (k = i + 1; k < n && s[k].vma == s[i].vma; k++)
			;
		fault_group(mm, s[i].vma < none ? &mm->vmas[s[i].vma] : NULL, s + i, k - i);
	}
	if (run.json)
		json_array_end(&run.j);
	event_end();
}

/*
 * The faults since the last event, one "faults" event per process, before
 * the event they came before. @show false: read and dropped (vmlab's own
 * child before PROG runs).
 */
static void faults_show(bool show)
{
	uint64_t lost;
	struct shown *s;
	size_t i, k, n;
	pid_t pid;

	if (!run.pf)
		return;
	run.nr_faults = 0;
	if (pf_drain(run.pf, collect_fault, NULL) <= 0 || !show)
		return;
	lost = pf_lost(run.pf) - run.lost_shown;
	run.lost_shown = pf_lost(run.pf);
	s = calloc(run.nr_faults, sizeof(*s));
	if (!s)
		return;
	/* process by process, each in the order of its first fault */
	for (i = 0; i < run.nr_faults; i++) {
		if (!run.faults[i].tid)
			continue;
		pid = fault_pid(&run.faults[i]);
		for (k = i, n = 0; k < run.nr_faults; k++)
			if (run.faults[k].tid && fault_pid(&run.faults[k]) == pid)
				s[n++].i = k;
		faults_of(pid, s, n, lost);
		lost = 0;
		for (k = 0; k < n; k++)
			run.faults[s[k].i].tid = 0;
	}
	free(s);
}

/*
 * A memory call of @t returned @ret: the call and what changed in the
 * address space since its last reading.
 */
static void call_done(struct task *t, int64_t ret)
{
	long nr = memcalls[t->call].nr;
	struct mm *mm = mm_find(t->tgid);
	struct snap_vma *old_vmas;
	struct vmlab_walk_record *old_leaves;
	size_t nr_old, nr_old_leaves;
	bool exec = t->exec_done, had;
	struct svg_change sc;

	/* vmlab's own child before PROG runs is not shown */
	if (!mm || !run.started)
		return;
	faults_show(true);
	event_begin(t, "syscall");
	print_call(t, nr, memcalls[t->call].name, memcalls[t->call].nargs, ret);
	/* the old reading moves aside, a new one is taken */
	old_vmas = mm->vmas;
	nr_old = mm->nr_vmas;
	old_leaves = mm->leaves;
	nr_old_leaves = mm->nr_leaves;
	had = mm->read;
	mm->vmas = NULL;
	mm->max_vmas = 0;
	mm->leaves = NULL;
	mm->max_leaves = 0;
	if (exec) {
		/* a new mm: a new target for it (a /proc/PID/mem holds the old one) */
		target_close(&mm->t);
		mm->t_ok = false;
	}
	sc = (struct svg_change){ memcalls[t->call].name, mm, { old_leaves, nr_old_leaves } };
	if (mm_read(mm, exec ? NULL : old_vmas, exec ? 0 : nr_old) == 0 && had) {
		if (run.json)
			json_array_begin(&run.j, "vmas");
		if (exec)
			print_change(VC_REPLACED, old_vmas, nr_old, mm->vmas, mm->nr_vmas, NULL);
		else
			maps_diff(old_vmas, nr_old, mm->vmas, mm->nr_vmas, print_change, &sc);
		if (run.json)
			json_array_end(&run.j);
		if (run.walk && !exec)
			diff_leaves(old_leaves, nr_old_leaves, mm->leaves, mm->nr_leaves,
				    mm->hidden ? HIDDEN_WITH_TOKENS : 0);
	} else if (exec) {
		/* the first exec: vmlab's own copy before it is not shown */
		if (run.json)
			json_array_begin(&run.j, "vmas");
		print_change(VC_REPLACED, NULL, 0, mm->vmas, mm->nr_vmas, NULL);
		if (run.json)
			json_array_end(&run.j);
	}
	event_end();
	free(old_vmas);
	free(old_leaves);
}

static void print_exit(const struct task *t, int status)
{
	faults_show(true);
	event_begin(t, "exit");
	if (run.json) {
		if (WIFEXITED(status))
			json_i64(&run.j, "status", WEXITSTATUS(status));
		else
			json_string(&run.j, "signal", sigabbrev_np(WTERMSIG(status)));
	} else if (WIFEXITED(status)) {
		fprintf(run.out, "%s[%d]%s %sexit%s %d\n", col(C_DIM), t->tid, col(C_RESET),
			col(C_INFO), col(C_RESET), WEXITSTATUS(status));
	} else {
		fprintf(run.out, "%s[%d]%s %skilled%s by SIG%s\n", col(C_DIM), t->tid,
			col(C_RESET), col(C_BAD), col(C_RESET), sigabbrev_np(WTERMSIG(status)));
	}
	event_end();
}

/* ---- tracing ---- */

static int call_index(long nr)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(memcalls); i++)
		if (memcalls[i].nr == nr)
			return i;
	return -1;
}

/*
 * @len bytes at @addr of tracee @tid into @buf: the bytes read, or -1.
 * process_vm_readv(), or where it fails (a kernel without it:
 * CROSS_MEMORY_ATTACH unset, as in the debug kernels) the tracee's
 * /proc/TID/mem, which its tracer may read.
 */
static ssize_t read_tracee(pid_t tid, void *buf, size_t len, uint64_t addr)
{
	struct iovec local = { buf, len };
	struct iovec remote = { (void *)(uintptr_t)addr, len };
	char path[32];
	ssize_t n;
	int fd;

	n = process_vm_readv(tid, &local, 1, &remote, 1, 0);
	if (n >= 0)
		return n;
	snprintf(path, sizeof(path), "/proc/%d/mem", tid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	n = pread(fd, buf, len, (off_t)addr);
	close(fd);
	return n;
}

/* the program's path argument of an execve, read from the tracee */
static void read_path(struct task *t, uint64_t addr)
{
	ssize_t n;

	t->path[0] = '\0';
	/* a short read at a page end still gives the string's start */
	n = read_tracee(t->tid, t->path, sizeof(t->path) - 1, addr);
	if (n <= 0 && 4096 - (addr & 4095) < sizeof(t->path) - 1)
		n = read_tracee(t->tid, t->path, 4096 - (addr & 4095), addr);
	t->path[n > 0 ? n : 0] = '\0';
}

/*
 * Let task @t go on, with signal @sig. Where the seccomp filter stops the
 * memory calls at their entry, a task runs free (PTRACE_CONT) but for the
 * return of a memory call it is in (PTRACE_SYSCALL: its exit stop); else
 * every call stops at entry and exit.
 */
static void resume(const struct task *t, int sig)
{
	ptrace(run.seccomp && t->call < 0 ? PTRACE_CONT : PTRACE_SYSCALL, t->tid, NULL,
	       (void *)(long)sig);
}

/* let task @c run: now if it waits in its first stop, else when it gets there */
static void task_release(struct task *c)
{
	c->go = true;
	if (!c->held)
		return;
	c->held = false;
	c->started = true;
	resume(c, 0);
}

/* the tasks that task @tid made and that still wait for it: let them run */
static void release_children(pid_t tid)
{
	size_t i;

	for (i = 0; i < run.nr_tasks; i++) {
		if (run.tasks[i].parent == tid)
			task_release(&run.tasks[i]);
	}
}

static void syscall_stop(struct task *t)
{
	struct ptrace_syscall_info info;
	int call;

	if (ptrace(PTRACE_GET_SYSCALL_INFO, t->tid, sizeof(info), &info) <= 0)
		return;
	/* a seccomp stop is an entry: the filter's (seccomp_memcalls) */
	if (info.op == PTRACE_SYSCALL_INFO_ENTRY || info.op == PTRACE_SYSCALL_INFO_SECCOMP) {
		call = call_index(info.entry.nr);
		t->call = call;
		t->child = 0;
		t->exec_done = false;
		t->path[0] = '\0';
		if (call < 0)
			return;
		memcpy(t->args, info.entry.args, sizeof(t->args));
#ifdef SYS_mmap2
		if (info.entry.nr == SYS_mmap2)
			t->args[5] *= 4096;
#endif
		if (info.entry.nr == SYS_execve)
			read_path(t, info.entry.args[0]);
		else if (info.entry.nr == SYS_execveat)
			read_path(t, info.entry.args[1]);
	} else if (info.op == PTRACE_SYSCALL_INFO_EXIT) {
		if (t->call >= 0)
			call_done(t, ret_value(info.exit.rval));
		t->call = -1;
		/* the fork is shown: its child may run */
		release_children(t->tid);
	}
}

/* a new task, met first in its own stop or in its parent's event */
static struct task *task_new(pid_t tid)
{
	struct task *t = task_find(tid);
	struct mm *mm;

	if (t)
		return t;
	t = task_add(tid);
	if (!t)
		return NULL;
	/* a new address space: its first reading, not shown */
	mm = mm_find(t->tgid);
	if (mm && !mm->read)
		mm_read(mm, NULL, 0);
	return t;
}

static void event_stop(struct task *t, int event)
{
	unsigned long msg = 0;
	pid_t old = t->tid;
	struct task *c;

	ptrace(PTRACE_GETEVENTMSG, t->tid, NULL, &msg);
	switch (event) {
	case PTRACE_EVENT_FORK:
	case PTRACE_EVENT_VFORK:
	case PTRACE_EVENT_CLONE:
		t->child = msg;
		/* @t may move in the array as it grows */
		c = task_new(msg);
		t = task_find(old);
		if (c) {
			c = task_find(msg);
			c->parent = old;
			if (event == PTRACE_EVENT_VFORK)
				task_release(c);
		}
		break;
	case PTRACE_EVENT_SECCOMP:
		/* the filter works: from now on only the memory calls stop */
		run.seccomp = true;
		syscall_stop(t);
		break;
	case PTRACE_EVENT_EXEC:
		/* a thread's exec: the other threads are gone, it is the leader now */
		if ((pid_t)msg != t->tid) {
			struct task *leader = task_find(msg);

			if (leader)
				task_del(leader);
			t = task_find(old);
			if (t)
				t->tid = msg;
		}
		if (t)
			t->exec_done = true;
		/* vmlab's own child's faults before PROG's exec are not shown */
		if (!run.started)
			faults_show(false);
		run.started = true;
		break;
	}
}

/* tell the tracer why the child gives up: @what and errno */
static void say(int report, char what)
{
	char buf[1 + sizeof(int)];
	int e = errno;

	buf[0] = what;
	memcpy(buf + 1, &e, sizeof(e));
	if (write(report, buf, sizeof(buf)) != sizeof(buf))
		_exit(127);
}

#if defined(__x86_64__)
#define NATIVE_ARCH	AUDIT_ARCH_X86_64
#elif defined(__aarch64__)
#define NATIVE_ARCH	AUDIT_ARCH_AARCH64
#elif defined(__i386__)
#define NATIVE_ARCH	AUDIT_ARCH_I386
#endif

/*
 * A seccomp filter that sends the memory calls to the tracer
 * (SECCOMP_RET_TRACE: a PTRACE_EVENT_SECCOMP stop) and lets every other
 * call run without a stop; PTRACE_SYSCALL would stop each call twice.
 * Calls of another ABI (x32, 32-bit) run too: their numbers are not ours.
 * Without it (no seccomp, or refused) every call stops, as before.
 */
static void seccomp_memcalls(void)
{
#ifdef NATIVE_ARCH
	struct sock_filter f[6 + ARRAY_SIZE(memcalls)];
	struct sock_fprog prog = { .len = ARRAY_SIZE(f), .filter = f };
	unsigned int i, n = ARRAY_SIZE(memcalls);

	f[0] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
					    offsetof(struct seccomp_data, arch));
	f[1] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, NATIVE_ARCH, 1, 0);
	f[2] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
	f[3] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
					    offsetof(struct seccomp_data, nr));
	/* a memory call jumps to the last instruction, the others fall to ALLOW */
	for (i = 0; i < n; i++)
		f[4 + i] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K,
							memcalls[i].nr, n - i, 0);
	f[4 + n] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
	f[5 + n] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_TRACE);
	/* root keeps set-user-ID programs as they are; others need no_new_privs */
	if (prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog) &&
	    !prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0))
		prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog);
#endif
}

/* the child: traced, stopped until the tracer is ready, then PROG */
static void child(const char *path, char **argv, int report)
{
	if (ptrace(PTRACE_TRACEME, 0, NULL, NULL)) {
		say(report, 'T');
		_exit(127);
	}
	raise(SIGSTOP);
	/* the tracer has set PTRACE_O_TRACESECCOMP: the filter's stops are its */
	seccomp_memcalls();
	execv(path, argv);
	say(report, 'E');
	_exit(127);
}

/* the child's word, if it failed before PROG ran: 0 if none */
static int child_report(int report, const char *prog_name)
{
	char what;
	int e = 0, scope = -1;
	FILE *f;

	if (read(report, &what, 1) != 1 || read(report, &e, sizeof(e)) != sizeof(e))
		return 0;
	if (what == 'T') {
		f = fopen("/proc/sys/kernel/yama/ptrace_scope", "re");
		if (f) {
			if (fscanf(f, "%d", &scope) != 1)
				scope = -1;
			fclose(f);
		}
		if (scope >= 0)
			errmsg("ptrace refused: %s (kernel.yama.ptrace_scope is %d; %s)",
			       strerror(e), scope, "0 or 1 lets a program trace its child");
		else
			errmsg("ptrace refused: %s", strerror(e));
		return EXIT_FAILED;
	}
	errmsg("%s: cannot execute: %s", prog_name, strerror(e));
	return e == ENOENT ? 127 : 126;
}

/*
 * PROG as execvp would find it, into @path: 0, or the exit status after
 * one line (127: not found, 126: not executable).
 */
static int find_prog(const char *name, char *path, size_t size)
{
	const char *dirs = getenv("PATH"), *p, *colon;
	struct stat st;
	int e = ENOENT;

	if (strchr(name, '/')) {
		snprintf(path, size, "%s", name);
	} else {
		if (!dirs || !*dirs)
			dirs = "/usr/local/bin:/usr/bin:/bin";
		path[0] = '\0';
		for (p = dirs; *p; p = *colon ? colon + 1 : colon) {
			colon = strchrnul(p, ':');
			snprintf(path, size, "%.*s%s%s", (int)(colon - p), p,
				 colon == p ? "" : "/", name);
			if (!access(path, X_OK) && !stat(path, &st) && S_ISREG(st.st_mode))
				return 0;
			if (!access(path, F_OK))
				e = EACCES;
		}
		if (e == ENOENT) {
			errmsg("%s: no such program (not in PATH)", name);
			return 127;
		}
		snprintf(path, size, "%s", name);
		errmsg("%s: not executable: %s", name, strerror(e));
		return 126;
	}
	if (stat(path, &st)) {
		errmsg("%s: %s", name, strerror(errno));
		return errno == ENOENT ? 127 : 126;
	}
	if (!S_ISREG(st.st_mode)) {
		errmsg("%s: not executable: not a regular file", name);
		return 126;
	}
	if (access(path, X_OK)) {
		errmsg("%s: not executable: %s", name, strerror(errno));
		return 126;
	}
	return 0;
}

/* trace until every task is gone: the status of @main's end */
static int trace(pid_t main_pid, int report, const char *prog_name)
{
	int st, sig, status = EXIT_FAILED, rc;
	bool main_seen = false;
	struct task *t;
	pid_t pid;

	while (run.nr_tasks) {
		pid = waitpid(-1, &st, __WALL);
		if (pid < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		t = task_find(pid);
		if (WIFEXITED(st) || WIFSIGNALED(st)) {
			if (pid == main_pid) {
				/* it ended before PROG ran: the child says why */
				rc = child_report(report, prog_name);
				if (rc)
					return rc;
			}
			if (t) {
				if (t->tid == t->tgid)
					print_exit(t, st);
				if (t->tid == t->tgid)
					mm_del(t->tgid);
				task_del(t);
			}
			/* a child its fork's return would have let go */
			release_children(pid);
			if (pid == main_pid) {
				status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
				if (WIFSIGNALED(st))
					errmsg("%s (pid %d) killed by SIG%s", prog_name, pid,
					       sigabbrev_np(WTERMSIG(st)));
			}
			continue;
		}
		if (!WIFSTOPPED(st))
			continue;
		if (!t)
			t = task_new(pid);
		if (!t) {
			ptrace(run.seccomp ? PTRACE_CONT : PTRACE_SYSCALL, pid, NULL, NULL);
			continue;
		}
		sig = WSTOPSIG(st);
		if (pid == main_pid && !main_seen) {
			/* the child's own SIGSTOP: now the options, then its exec */
			main_seen = true;
			/*
			 * Traced: the faults of PROG and of what it forks
			 * (without tracefs, none, after one line)
			 */
			if (!run.no_faults)
				run.pf = pf_open("run: page faults not shown", PF_WANT_TASKS,
						 &pid, 1, FAULT_BUFFER_KB);
			ptrace(PTRACE_SETOPTIONS, pid, NULL,
			       PTRACE_O_TRACESYSGOOD | PTRACE_O_TRACEFORK | PTRACE_O_TRACEVFORK |
			       PTRACE_O_TRACECLONE | PTRACE_O_TRACEEXEC | PTRACE_O_EXITKILL |
			       PTRACE_O_TRACESECCOMP);
			sig = 0;
		} else if (sig == (SIGTRAP | 0x80)) {
			syscall_stop(t);
			sig = 0;
		} else if (sig == SIGTRAP && st >> 16) {
			event_stop(t, st >> 16);
			sig = 0;
		} else if (sig == SIGSTOP && !t->started) {
			/* a new task's first stop: ours, not a signal to pass on */
			if (!t->go) {
				t->held = true;	/* until its parent's call is shown */
				continue;
			}
			sig = 0;
		}
		/* @t may have moved in the array (a new task added), or be gone */
		t = task_find(pid);
		if (t) {
			t->started = true;
			resume(t, sig);
		} else {
			ptrace(run.seccomp ? PTRACE_CONT : PTRACE_SYSCALL, pid, NULL,
			       (void *)(long)sig);
		}
	}
	return status;
}

int cmd_run(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "walk", no_argument, NULL, 'w' },
		{ "json", no_argument, NULL, 'j' },
		{ "output", required_argument, NULL, 'o' },
		{ "no-faults", no_argument, NULL, 'F' },
		{ "svg", required_argument, NULL, 's' },
		{ }
	};
	const char *out_path = NULL;
	char path[4096];
	int c, fd, status = EXIT_OK, pipefd[2], e = 0;
	struct vmlab_info info;
	struct stat st;
	pid_t pid;
	size_t i;

	run.out = stdout;
	while ((c = getopt_long(argc, argv, "+hwjo:Fs:", opts, NULL)) != -1) {
		if (c == 'F')
			run.no_faults = true;
		else if (c == 's')
			run.svg_dir = optarg;
		else if (c == 'w')
			run.walk = true;
		else if (c == 'j')
			run.json = true;
		else if (c == 'o')
			out_path = optarg;
		else
			return help_or_usage(c, "run", argv, print_usage);
	}
	if (optind >= argc)
		return usage_error("run", "no program given: %s",
				   "vmlab run [--walk] [--json] -- PROG [ARGS]");
	/* the pictures' directory: there and writable before PROG runs */
	if (run.svg_dir) {
		if (stat(run.svg_dir, &st))
			e = errno;
		else if (!S_ISDIR(st.st_mode))
			e = ENOTDIR;
		else if (access(run.svg_dir, W_OK))
			e = errno;
		if (e) {
			errmsg("run: --svg %s: %s", run.svg_dir, strerror(e));
			return EXIT_FAILED;
		}
	}
	status = find_prog(argv[optind], path, sizeof(path));
	if (status)
		return status;
	fd = open_device_info(&info, &status);
	if (fd < 0)
		return status;
	run.fd = fd;
	run.page_size = info.page_size;
	run.info = info;
	if (out_path) {
		run.out = fopen(out_path, "we");
		if (!run.out) {
			errmsg("%s: %s", out_path, strerror(errno));
			close(fd);
			return EXIT_FAILED;
		}
	}
	run.colour = run.out == stdout && !run.json && colour(C_RESET)[0];
	if (pipe2(pipefd, O_CLOEXEC)) {
		errmsg("run: %s", strerror(errno));
		status = EXIT_FAILED;
		goto out;
	}
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		errmsg("run: fork: %s", strerror(errno));
		status = EXIT_FAILED;
		close(pipefd[0]);
		close(pipefd[1]);
		goto out;
	}
	if (pid == 0) {
		close(pipefd[0]);
		close(fd);
		child(path, argv + optind, pipefd[1]);
	}
	close(pipefd[1]);
	if (!task_add(pid)) {
		kill(pid, SIGKILL);
		status = EXIT_FAILED;
	} else {
		status = trace(pid, pipefd[0], argv[optind]);
	}
	close(pipefd[0]);
out:
	for (i = 0; i < run.nr_mms; i++) {
		target_close(&run.mms[i].t);
		free(run.mms[i].vmas);
		free(run.mms[i].leaves);
	}
	free(run.mms);
	free(run.tasks);
	pf_close(run.pf);
	free(run.faults);
	if (run.out != stdout)
		fclose(run.out);
	close(fd);
	return status;
}
