/* SPDX-License-Identifier: GPL-2.0 */
/*
 * cli.h - what the vmlab tool's subcommands share: the program name and
 * exit codes, opening the device, messages, number, address and range
 * parsing, colour, and the summary of a range walk.
 */
#ifndef VMLAB_CLI_H
#define VMLAB_CLI_H

#include <getopt.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "libvmlab.h"

struct shape;

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

/* exit codes */
#define EXIT_OK		0
#define EXIT_FAILED	1
#define EXIT_USAGE	2	/* bad usage, or the module is not loaded */

extern const char *prog;

/* the subcommands, one file each (cmd_*.c) */
int cmd_info(int argc, char **argv);
int cmd_walk(int argc, char **argv);
int cmd_shapes(int argc, char **argv);
int cmd_scan(int argc, char **argv);
int cmd_maps(int argc, char **argv);
int cmd_diff(int argc, char **argv);
int cmd_region(int argc, char **argv);
int cmd_hexdump(int argc, char **argv);
int cmd_lab(int argc, char **argv);
int cmd_tree(int argc, char **argv);
int cmd_run(int argc, char **argv);
int cmd_trace(int argc, char **argv);

/* "vmlab: " + the message + a newline, on stderr */
void errmsg(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/*
 * Open the device (VMLAB_DEVICE, or the path in $VMLAB_DEVICE). On failure
 * says why and returns -1 with *@status set to the exit code: EXIT_USAGE
 * when the module is not loaded, EXIT_FAILED otherwise.
 */
int open_device(int *status);
/* the same, and VMLAB_IOC_INFO into @info */
int open_device_info(struct vmlab_info *info, int *status);

/*
 * The end of subcommand @cmd's option loop: the option getopt_long returned
 * was 'h' (print @usage to stdout, exit 0) or a bad one (one line, exit 2).
 */
int help_or_usage(int c, const char *cmd, char **argv, void (*usage)(FILE *f));

/* a usage error: "vmlab: " + the message, then "try 'vmlab CMD --help'" */
int usage_error(const char *cmd, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/*
 * Numbers: decimal or 0x hex; with @suffixes, K, M or G (powers of 1024)
 * may follow. 0 on success, -1 for bad syntax or overflow.
 */
int parse_u64(const char *s, uint64_t *val, bool suffixes);
/*
 * A user address: hex, as /proc/PID/maps and every memory tool print it,
 * with or without 0x ("7ffd1000" and "0x7ffd1000" are one address): 0 or -1.
 */
int parse_addr(const char *s, uint64_t *addr);
/* "START-END", both hex as for parse_addr (END exclusive, above START): 0 or -1 */
int parse_range(const char *s, uint64_t *start, uint64_t *end);
/* a pid, > 0: 0 or -1 */
int parse_pid(const char *s, uint32_t *pid);
/* the argument of -p: a pid, or "self" (vmlab itself) as 0: 0 or -1 */
int parse_target(const char *s, uint32_t *pid);
/* walk, scan and maps without -p: a usage error saying what to give */
int missing_pid(const char *cmd);
/* a region id, 1-65535: 0 or -1 */
int parse_region_id(const char *s, uint32_t *id);

/* a failed walk: one line naming the pid, exit 1 */
int walk_error(uint32_t pid, const char *what);

/*
 * Whom the walks of a command read, as -p PID named it: ourselves (@pid
 * 0), process @pid by its pid when the opener of /dev/vmlab has
 * CAP_SYS_PTRACE, else through /proc/PID/mem (VMLAB_WALK_MEM_FD), whose
 * open the kernel allows when we may ptrace the process (same user, Yama's
 * ptrace_scope, the LSMs). @arg and @flags are what the ioctls get.
 */
struct target {
	uint32_t pid;
	uint32_t arg;
	uint32_t flags;
	int mem_fd;	/* -1 when not through /proc/PID/mem */
};

/*
 * Sets @t up for @pid on the open device @fd, trying the pid first: 0, or
 * an exit status after one line saying why not (@what names the command).
 */
int target_open(int fd, uint32_t pid, struct target *t, const char *what);
void target_close(struct target *t);

/*
 * A frame as the walks give it: "pfn 0x1234" when shown, else the frame
 * token "frame ~3fa9c1d2" (its low 32 bits, marked by "~" and the word
 * frame: not a PFN), "pfn hidden" without either. Returns @buf.
 */
const char *frame_str(char *buf, size_t size, const struct vmlab_walk *w);

/* a failed request about region @id: one line ("no such region"), exit 1 */
int region_error(uint32_t id);

/* bytes as "4K", "2M", "1G" or plain bytes when not a round unit */
const char *size_str(char *buf, size_t size, uint64_t bytes);

/*
 * Colour on stdout: only to a terminal and when NO_COLOR is unset or
 * empty. colour() returns the escape for @what ("" without colour).
 */
enum colour { C_RESET, C_BOLD, C_GOOD, C_WARN, C_BAD, C_DIM, C_INFO };
const char *colour(enum colour what);
/* the colour of a verdict: what a write would cost */
enum colour verdict_colour(unsigned int verdict);

/* "s" after a count @n that is not 1: "1 run", "2 runs" */
static inline const char *plural(uint64_t n)
{
	return n == 1 ? "" : "s";
}

/*
 * bytes one leaf maps at @level (PTE, PMD, PUD; PGD on two levels): on the
 * running kernel's shape once open_device_info() has run, else x86-64's
 * with pages of @page_size
 */
uint64_t level_bytes(unsigned int level, uint32_t page_size);

/* the running kernel's shape once open_device_info() has run, else NULL */
const struct shape *kernel_shape(void);

/*
 * Room for element @nr in *@array of @size-byte elements, *@max of them
 * allocated: doubled (from 256) when full. 0, or -1 with the array as it was.
 */
int grow(void **array, size_t *max, size_t nr, size_t size);

/*
 * The page frame @w's leaf maps at its address (a huge leaf's first frame
 * plus the address's page in it) into @frame: false when there is none to
 * compare (no present leaf, or the PFN hidden).
 */
bool walk_frame(const struct vmlab_walk *w, uint64_t *frame);

/*
 * Whether @w, its PFN hidden, gives the frame token of a present leaf:
 * tokens of walks through one open of the device are equal exactly when
 * the frames are (a side-by-side walk compares frames by them).
 */
bool walk_has_token(const struct vmlab_walk *w);

/*
 * A range walk of [@start, @end) in @t's process, chunk by chunk: @fn is
 * called for each record in address order. Returns 0, or -1 with errno.
 */
int walk_records(int fd, const struct target *t, uint64_t start, uint64_t end,
		 void (*fn)(const struct vmlab_walk_record *rec, void *arg),
		 void *arg);

/* one line of /proc/PID/maps */
struct map_line {
	uint64_t start, end, offset, inode;
	char perms[5];
	char dev[16];
	char path[4096];
};

/*
 * Open /proc/PID/maps (@pid 0: the caller's), or say why not and return
 * NULL; then read it line by line: 1 per line, 0 at the end, -1 on a
 * malformed line.
 */
FILE *maps_open(uint32_t pid);
int maps_next(FILE *f, struct map_line *m);

/* an address range [start, end) */
struct range {
	uint64_t start, end;
};

/* the VMAs of one mapping that a --vma NAME[:N] names (vma.c) */
struct vma_set {
	uint64_t start, end;	/* the first VMA's start, the last one's end */
	struct range *vmas;	/* in address order; the caller frees it */
	size_t nr_vmas;
	char path[4096];	/* their /proc/PID/maps path */
};

/*
 * VMAs (vma.c): every VMA of process @pid whose path is NAME, else whose
 * file's name is NAME, else whose path contains NAME, all of one mapping;
 * with @arg "NAME:N" only the Nth of them (from 1). 0, or -1 after one
 * line (none, VMAs of several mappings, no such process).
 */
int vmas_by_name(uint32_t pid, const char *arg, struct vma_set *v);
/* how many VMAs of @pid meet [@start, @end); -1 after one line */
int vma_count(uint32_t pid, uint64_t start, uint64_t end);

#endif /* VMLAB_CLI_H */
