/* SPDX-License-Identifier: GPL-2.0 */
/*
 * lab.h - the guided lab's framework, what every lesson (one file each in
 * this folder, registered in lessons.c) builds on: the state of a lesson
 * being run, its steps (a walk, its line in the table and its checks),
 * MISMATCH, what a lesson makes and undoes, and a child process.
 *
 * A lesson's run() makes real mappings through lab_*() (undone when it
 * returns), says what it does next with say(), walks and checks with
 * step(); any difference from what it teaches is a mismatch() and fails
 * it. "vmlab lab" (cmd_lab.c) runs the lessons and prints their morals.
 */
#ifndef VMLAB_LAB_H
#define VMLAB_LAB_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include <unistd.h>

#include "cli.h"

/* the running kernel's page size (4 KiB; 16 KiB on arm64-16k) */
#define PG		((unsigned long)sysconf(_SC_PAGESIZE))
#define MAX_MAPS	8
#define MAX_REGIONS	6

/* one answer of the quiz: a verdict, and the frame same (0), new (1) or not said (-1) */
struct quiz_answer {
	int verdict, frame;
	unsigned int line;		/* of the answers file */
};

/*
 * Predict, then observe (quiz.c): the answers, the score, and the frames
 * of the pages shown so far in the lesson (to ask whether one changes).
 */
struct quiz {
	const char *path;		/* --answers FILE, or NULL: the terminal */
	struct quiz_answer *answers;	/* the file's, in order */
	unsigned int nr_answers, next;
	bool bad;			/* an answer missing or not fitting: exit 2 */
	bool asking, frame_asked;	/* between quiz_ask() and quiz_mark() */
	struct quiz_answer now;		/* the answer to the question asked */
	unsigned int asked, right;	/* in all */
	unsigned int lesson_asked, lesson_right;	/* before this lesson */
	struct quiz_seen {
		__u64 addr, frame;	/* a page, and the frame shown for it */
		char label[32];		/* the line that showed it */
	} seen[32];
	unsigned int nr_seen;
};

/* the state of one lesson being run */
struct lab {
	int fd;				/* /dev/vmlab */
	bool pfn_hidden;		/* a walk said VMLAB_WALK_PFN_HIDDEN */
	bool frames_skipped;		/* neither PFNs nor tokens to compare */
	unsigned int failed;		/* mismatches and errors so far */
	struct { void *p; size_t len; } maps[MAX_MAPS];
	unsigned int nr_maps;
	__u32 regions[MAX_REGIONS];
	unsigned int nr_regions;
	const char *name;		/* the lesson's, for its pictures' names */
	const char *svg_dir;		/* --svg DIR, or NULL: no pictures */
	unsigned int nr_pictures;	/* written so far: their numbers */
	struct quiz *quiz;		/* --quiz, or NULL */
	char skip[160];			/* lab_skip()'s reason: cannot run here */
};

/* what a walk must show: the verdict, and leaf and page bits set or clear */
struct want {
	unsigned int verdict;
	__u32 pte_set, pte_clear;	/* VMLAB_PTE_* */
	__u32 page_set, page_clear;	/* VMLAB_PAGE_* */
};

/* one lesson: each lesson's file defines one, lessons.c lists them */
struct lesson {
	const char *name;	/* "fork-cow" */
	const char *title;	/* one line */
	void (*run)(struct lab *lab);
	const char *moral;	/* the lesson, in one or two sentences */
};

extern const struct lesson lesson_private_file, lesson_shared_file, lesson_private_anon,
	lesson_shared_anon, lesson_fork_cow, lesson_zero_page, lesson_msync, lesson_device;
extern const struct lesson lesson_journey;
/* the lessons of the lectures (issue 15) */
extern const struct lesson lesson_fork_exec, lesson_munmap, lesson_mmap_hint,
	lesson_rlimit_as, lesson_shm_addresses, lesson_msync_flags, lesson_fault_around,
	lesson_read_mmap, lesson_types, lesson_disk_file, lesson_swap, lesson_malloc,
	lesson_shared_lib;

/* a FILE MAP_SHARED page dirty, and written back (msync.c) */
extern const struct want lab_shared_dirty, lab_shared_written_back;

/* the lessons in the order "all" runs them (lessons.c) */
extern const struct lesson *const lab_lessons[];
extern const size_t lab_nr_lessons;

/*
 * Steps and checks (step.c)
 */

/* An error that stops the step (not a mismatch): the lesson fails. */
void lab_error(struct lab *lab, const char *what);

/*
 * The lesson cannot run on this system (a module, a feature, a right is
 * missing): it stops, and "SKIP: " with @fmt's reason replaces its verdict
 * (skip.c).
 */
void lab_skip(struct lab *lab, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* "MISMATCH: " and the message: a difference that fails the lesson */
void mismatch(struct lab *lab, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* mismatches unless the kernel shows @want; @what names the value */
void check_u64(struct lab *lab, const char *what, unsigned long long want,
	       unsigned long long got);
void check_char(struct lab *lab, const char *what, int want, int got);
/*
 * the same (or, @same false, different) frames: PFNs, or where they are
 * hidden frame tokens; skipped when there are neither
 */
void check_pfn(struct lab *lab, const char *what, const struct vmlab_walk *a,
	       const struct vmlab_walk *b, bool same);

/* A lesson's sentence, with the program's "what happens now" marker. */
void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/*
 * The width lines are laid out for: the terminal's (stdout's), else
 * $COLUMNS, else 80. print_wrapped() prints @text's words (newlines in it
 * are spaces) from column @col on, a space before each, going on at column
 * @indent where the next word would pass the width, and ends the line.
 */
unsigned int lab_width(void);
void print_wrapped(const char *text, unsigned int col, unsigned int indent);

/* the walk table: its header, one line per walk, a walk's checks */
void print_header(void);
void show(struct lab *lab, const char *label, const struct vmlab_walk *w);
void check_want(struct lab *lab, const struct vmlab_walk *w, const struct want *want);

/*
 * A step: walks @addr in this process into @w, prints its line and checks
 * it against @want. Returns -1 when the walk failed.
 */
int step(struct lab *lab, const char *label, const volatile void *addr,
	 const struct want *want, struct vmlab_walk *w);

/*
 * Another process, its walks through /proc/PID/mem (other.c): no
 * capability needed, only the right to ptrace it (our child, our uid).
 * step_other() is step() in process @pid; walk_other() walks without a
 * line. count_mapped() counts the present leaves of @pages pages at @p in
 * process @pid (0: this one). Each returns -1 (and an error) on failure.
 */
int walk_other(struct lab *lab, pid_t pid, const volatile void *addr, struct vmlab_walk *w);
int step_other(struct lab *lab, const char *label, pid_t pid, const volatile void *addr,
	       const struct want *want, struct vmlab_walk *w);
long count_mapped(struct lab *lab, pid_t pid, const volatile void *p, size_t pages);

/*
 * File paging (cached.c): a memfd of @pages pages, page i filled with
 * byte i, written with write(2) so that all are in the page cache (its
 * descriptor, or -1 and an error); the faults this process took so far.
 */
int lab_cached_file(struct lab *lab, size_t pages);
long lab_faults(void);
/*
 * Fault-around: the pages a read fault maps (fault_around_bytes; @known
 * false: debugfs unreadable, the default 16), and the read faults that map
 * all @pages pages at @p: the aligned windows of @window pages they touch.
 */
long fault_around_pages(bool *known);
long fault_windows(const volatile char *p, size_t pages, long window);

/*
 * One CPU (cpu.c): lab_one_cpu() runs this process (and the children it
 * forks from now on) on CPU 0, so that the LRU batch a fresh page waits in
 * is the one its faults and madvise drain; 0, or -1 and an error.
 * lab_all_cpus() gives back the CPUs it had.
 */
int lab_one_cpu(struct lab *lab);
void lab_all_cpus(void);

/*
 * Disks in the VM (disk.c): "vmlab-disk @args" (ext2 DIR, swap) run as
 * root: 0 when set up, else the lesson is skipped with the reason and -1
 * returned; lab_disk_off() undoes it.
 */
int lab_disk(struct lab *lab, const char *args);
void lab_disk_off(void);

/*
 * What a lesson makes and reads (setup.c); lab_cleanup() undoes it all
 * after run(). Each says what failed (the lesson fails) and returns NULL,
 * 0 or -1.
 */
void *lab_mmap(struct lab *lab, size_t len, int prot, int flags, int fd, __u64 off);
/*
 * lab_mmap() at @addr, a hint (or with MAP_FIXED the address): returns
 * where the kernel put it, which the lesson's end unmaps
 */
void *lab_mmap_at(struct lab *lab, void *addr, size_t len, int prot, int flags, int fd,
		  __u64 off);
/* plain anonymous memory of @pages pages, base pages only (no THP) */
char *lab_anon(struct lab *lab, size_t pages, int flags);
/*
 * A region of @kind and @pages pages (a FILE one filled with @fill_byte, a
 * DEVICE one with caching mode @cache): its id, its mmap offset in @off.
 */
__u32 lab_region(struct lab *lab, __u32 kind, size_t pages, int fill_byte,
		 __u32 cache, __u64 *off);
/* a PCI region of the whole BAR @bar of @addr, mapped MAP_SHARED with @prot */
volatile char *lab_bar(struct lab *lab, __u32 addr, __u32 bar, __u32 flags, int prot,
		       struct vmlab_region_create *rc);
/* a region's counters (all ones when they cannot be read); show_ prints them */
struct vmlab_region_counters counters(struct lab *lab, __u32 id);
struct vmlab_region_counters show_counters(struct lab *lab, __u32 id);
/* one byte of a region through pread(2) at @off; -1 on failure */
int pread_byte(struct lab *lab, __u64 off);
void lab_cleanup(struct lab *lab);

/*
 * A picture (picture.c): with --svg DIR, the page-table tree of [@addr,
 * @addr + @len) in process @pid (0: this one) as DIR/LESSON-N-STEP.svg, N
 * counting the lesson's pictures from 1 (vmlab tree's SVG); an error that
 * fails the lesson when it cannot be written. Nothing without --svg.
 * Every lesson calls it just before and just after its key step, over the
 * range that step changes (selftests/lab.c lists what each one shows).
 */
void lab_picture(struct lab *lab, const char *step, pid_t pid, const volatile void *addr,
		 size_t len);

/*
 * The quiz (quiz.c). quiz_load() reads a whole answers file (0, or -1
 * after naming the line that is wrong); quiz_lesson() starts a lesson's
 * score, quiz_score() prints it; show() asks before each walk line
 * (quiz_ask) and marks the answer after it (quiz_mark), so a new lesson
 * is quizzed without a line of its own. quiz_finish() frees the answers:
 * -1 when, the lessons @ran, the file held more than the questions asked.
 */
int quiz_load(struct quiz *q, const char *path);
void quiz_lesson(struct quiz *q);
void quiz_ask(struct quiz *q, const char *label, const struct vmlab_walk *w);
void quiz_mark(struct quiz *q, const char *label, const struct vmlab_walk *w);
void quiz_score(const struct quiz *q);
int quiz_finish(struct quiz *q, bool ran);

/*
 * A child process (fork.c): lab_fork() runs @fn(@lab, @arg, @tell, @hear)
 * in a real fork; the child sends walks up @tell (send_walk) and waits for
 * a byte on @hear (wait_go); the parent reads them with child_walk() and
 * ends it with lab_reap(), which checks that it exited 0.
 */
pid_t lab_fork(struct lab *lab, int (*fn)(struct lab *, void *, int, int), void *arg,
	       int *to_child, int *from_child);
int child_walk(struct lab *lab, int from_child, struct vmlab_walk *w);
int send_walk(struct lab *lab, const volatile void *addr, int tell);
int wait_go(int hear);
void lab_reap(struct lab *lab, pid_t pid, int to_child, int from_child);

#endif /* VMLAB_LAB_H */
