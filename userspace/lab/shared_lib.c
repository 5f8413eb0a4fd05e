// SPDX-License-Identifier: GPL-2.0
/*
 * shared_lib.c - lesson "shared-lib": two processes running a dynamically
 * linked program map libc from the same file: its text is the same
 * page-cache frames in both, its writable data private pages each (the
 * loader's writes copied them). Needs such a program and its libc here.
 */
#define _GNU_SOURCE
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "lab.h"

#define MAX_RECS	2048

/* a program that waits on its standard input, and its argument */
static const struct { const char *path, *arg; } programs[] = {
	{ "/usr/bin/jq", "." }, { "/usr/bin/cat", NULL }, { "/bin/cat", NULL },
};

/* one process running the program, and its libc mappings */
struct proc {
	pid_t pid;
	int in;				/* its standard input's write end */
	unsigned long text[2], data[2];	/* libc's r-xp and rw-p: start, end */
};

/* Whether @path is an ELF program with an interpreter (dynamically linked). */
static bool dynamic(const char *path)
{
	Elf64_Ehdr eh;
	Elf64_Phdr ph;
	bool interp = false;
	int fd = open(path, O_RDONLY | O_CLOEXEC), i;

	if (fd < 0)
		return false;
	if (pread(fd, &eh, sizeof(eh), 0) == sizeof(eh) && !memcmp(eh.e_ident, ELFMAG, SELFMAG) &&
	    eh.e_ident[EI_CLASS] == ELFCLASS64)
		for (i = 0; i < eh.e_phnum && !interp; i++)
			interp = pread(fd, &ph, sizeof(ph), eh.e_phoff + i * sizeof(ph)) ==
				 sizeof(ph) && ph.p_type == PT_INTERP;
	close(fd);
	return interp;
}

/* Reads libc's mappings from /proc/PID/maps; true when both were found. */
static bool libc_maps(struct proc *p)
{
	char path[32], line[512], perms[8];
	unsigned long start, end;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/maps", p->pid);
	f = fopen(path, "re");
	if (!f)
		return false;
	p->text[0] = 0;
	p->data[0] = 0;
	while (fgets(line, sizeof(line), f)) {
		if (!strstr(line, "/libc.so") && !strstr(line, "/libc-"))
			continue;
		if (sscanf(line, "%lx-%lx %7s", &start, &end, perms) != 3)
			continue;
		if (!strcmp(perms, "r-xp")) {
			p->text[0] = start;
			p->text[1] = end;
		} else if (!strcmp(perms, "rw-p")) {
			p->data[0] = start;
			p->data[1] = end;
		}
	}
	fclose(f);
	return p->text[0] && p->data[0];
}

/* Whether process @pid sleeps (blocked reading its input). */
static bool sleeping(pid_t pid)
{
	char path[32], buf[256], *rp;
	int fd;
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return false;
	buf[n] = '\0';
	rp = strrchr(buf, ')');
	return rp && rp[1] == ' ' && rp[2] == 'S';
}

/* Starts @prog reading a pipe; waits until libc is mapped and it sleeps. */
static int start_prog(struct lab *lab, int prog, struct proc *p)
{
	struct timespec tick = { 0, 10 * 1000 * 1000 };
	int fds[2], null, i;

	if (pipe2(fds, O_CLOEXEC)) {
		lab_error(lab, "pipe");
		return -1;
	}
	fflush(stdout);
	p->pid = fork();
	if (p->pid == 0) {
		null = open("/dev/null", O_WRONLY);
		if (null < 0 || dup2(fds[0], STDIN_FILENO) < 0 || dup2(null, STDOUT_FILENO) < 0)
			_exit(126);
		execl(programs[prog].path, programs[prog].path, programs[prog].arg, (char *)NULL);
		_exit(127);
	}
	close(fds[0]);
	p->in = fds[1];
	if (p->pid < 0) {
		lab_error(lab, "fork");
		close(p->in);
		return -1;
	}
	for (i = 0; i < 500; i++) {
		if (libc_maps(p) && sleeping(p->pid))
			return 0;
		nanosleep(&tick, NULL);
	}
	errno = ETIMEDOUT;
	lab_error(lab, "waiting for the program");
	return -1;
}

static void stop_prog(struct proc *p)
{
	if (p->pid <= 0)
		return;
	close(p->in);
	waitpid(p->pid, NULL, 0);
}

/* A range walk of [@r[0], @r[1]) in @p into @recs; their number or -1. */
static long walk_libc(struct lab *lab, struct proc *p, const unsigned long *r,
		      struct vmlab_walk_record *recs)
{
	int mem = vmlab_open_mem(p->pid);
	long n;

	if (mem < 0) {
		lab_error(lab, "open /proc/PID/mem");
		return -1;
	}
	n = vmlab_walk_range_all_flags(lab->fd, mem, VMLAB_WALK_MEM_FD | VMLAB_WALK_RANGE_TOKENS,
				       r[0], r[1], recs, MAX_RECS, NULL, NULL);
	close(mem);
	if (n < 0)
		lab_error(lab, "VMLAB_IOC_WALK_RANGE");
	return n;
}

/*
 * The pages at the same offset of libc's mapping @which (0 text, 1 data)
 * present in both processes (anonymous ones only if @anon): how many, and
 * in @same how many of them are one frame.
 */
static long compare(struct lab *lab, struct proc *a, struct proc *b, int which, bool anon,
		    long *same)
{
	struct vmlab_walk_record *ra = calloc(MAX_RECS, sizeof(*ra));
	struct vmlab_walk_record *rb = calloc(MAX_RECS, sizeof(*rb));
	const unsigned long *xa = which ? a->data : a->text, *xb = which ? b->data : b->text;
	long na, nb, i, j, both = -1;

	*same = 0;
	if (!ra || !rb)
		goto out;
	na = walk_libc(lab, a, xa, ra);
	nb = walk_libc(lab, b, xb, rb);
	if (na < 0 || nb < 0)
		goto out;
	both = 0;
	for (i = 0; i < na; i++) {
		if (!(ra[i].leaf_flags & VMLAB_PTE_PRESENT) ||
		    (anon && !(ra[i].page_flags & VMLAB_PAGE_ANON)))
			continue;
		for (j = 0; j < nb; j++)
			if (rb[j].addr - xb[0] == ra[i].addr - xa[0] &&
			    rb[j].leaf_flags & VMLAB_PTE_PRESENT &&
			    (!anon || rb[j].page_flags & VMLAB_PAGE_ANON)) {
				both++;
				*same += ra[i].pfn == rb[j].pfn;
			}
	}
out:
	free(ra);
	free(rb);
	return both;
}

static void shared_lib_run(struct lab *lab)
{
	struct proc a = { 0 }, b = { 0 };
	long both, same;
	size_t prog;

	for (prog = 0; prog < ARRAY_SIZE(programs) && !dynamic(programs[prog].path); prog++)
		;
	if (prog == ARRAY_SIZE(programs)) {
		lab_skip(lab, "no dynamically linked program here (jq or cat with libc)");
		return;
	}
	say("run %s twice: in each, the loader maps libc", programs[prog].path);
	if (start_prog(lab, prog, &a) || start_prog(lab, prog, &b))
		goto out;
	printf("  %-26s text %lx, data %lx\n", "process A: libc's", a.text[0], a.data[0]);
	printf("  %-26s text %lx, data %lx\n", "process B: libc's", b.text[0], b.data[0]);

	say("libc's text (r-xp): the same page-cache frames in both");
	both = compare(lab, &a, &b, 0, false, &same);
	if (both < 0)
		goto out;
	printf("  %-26s %ld pages mapped in both, %ld of them one frame\n", "text", both, same);
	if (!both)
		mismatch(lab, "expected pages of libc's text mapped in both processes");
	check_u64(lab, "text pages that are one frame in both", both, same);

	say("libc's data (rw-p): written by the loader, so copied: private pages");
	both = compare(lab, &a, &b, 1, true, &same);
	if (both < 0)
		goto out;
	printf("  %-26s %ld anonymous pages in both, %ld of them one frame\n", "data", both,
	       same);
	if (!both)
		mismatch(lab, "expected anonymous (copied) pages in libc's data in both");
	check_u64(lab, "data pages shared by the two", 0, same);
out:
	stop_prog(&a);
	stop_prog(&b);
}

const struct lesson lesson_shared_lib = {
	.name = "shared-lib",
	.title = "A shared library: one text, private data",
	.run = shared_lib_run,
	.moral =
	"A shared library is a file mapped into each process: its text is the\n"
	"page cache's frames, one copy for all; its data is mapped private, so\n"
	"the pages the loader and the program write are copies of their own.",
};
