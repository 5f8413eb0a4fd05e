// SPDX-License-Identifier: GPL-2.0
/*
 * util.c - the vmlab tool's shared helpers (see cli.h)
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "shapes.h"

const char *prog = "vmlab";

/* "vmlab: " + the message, on stderr after what stdout holds */
static void verrmsg(const char *fmt, va_list ap)
{
	fflush(stdout);
	fprintf(stderr, "%s: ", prog);
	vfprintf(stderr, fmt, ap);
}

void errmsg(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	verrmsg(fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

int open_device(int *status)
{
	const char *path = getenv("VMLAB_DEVICE");
	int fd;

	if (!path || !*path)
		path = VMLAB_DEVICE;
	fd = open(path, O_RDWR | O_CLOEXEC);
	if (fd >= 0)
		return fd;
	if (errno == ENOENT || errno == ENXIO || errno == ENODEV) {
		errmsg("vmlab module not loaded: insmod vmlab.ko");
		*status = EXIT_USAGE;
	} else {
		errmsg("%s: %s", path, strerror(errno));
		*status = EXIT_FAILED;
	}
	return -1;
}

/* the running kernel's shape, once open_device_info() has read its levels */
static const struct shape *running_shape;

int open_device_info(struct vmlab_info *info, int *status)
{
	int fd = open_device(status);

	if (fd < 0)
		return -1;
	if (vmlab_info(fd, info)) {
		errmsg("info: %s", strerror(errno));
		close(fd);
		*status = EXIT_FAILED;
		return -1;
	}
	running_shape = shape_running(info->pgtable_levels, info->page_size);
	return fd;
}

const struct shape *kernel_shape(void)
{
	return running_shape;
}

int help_or_usage(int c, const char *cmd, char **argv, void (*usage)(FILE *f))
{
	if (c == 'h') {
		usage(stdout);
		return EXIT_OK;
	}
	/* main() turned getopt's own messages off: one line of ours instead */
	return usage_error(cmd, "bad option or missing argument '%s'", argv[optind - 1]);
}

int usage_error(const char *cmd, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	verrmsg(fmt, ap);
	va_end(ap);
	fprintf(stderr, " (try '%s %s --help')\n", prog, cmd);
	return EXIT_USAGE;
}

int parse_u64(const char *s, uint64_t *val, bool suffixes)
{
	bool hex = s[0] == '0' && (s[1] == 'x' || s[1] == 'X');
	const char *digits = hex ? s + 2 : s;
	unsigned int shift = 0;
	unsigned long long v;
	char *end;

	/* base 10 or 16, never 0: "010" is ten, not octal eight; no sign */
	if (!(hex ? isxdigit((unsigned char)*digits) : isdigit((unsigned char)*digits)))
		return -1;
	errno = 0;
	v = strtoull(digits, &end, hex ? 16 : 10);
	if (errno)
		return -1;
	if (suffixes && *end) {
		switch (*end) {
		case 'k':
		case 'K':
			shift = 10;
			break;
		case 'm':
		case 'M':
			shift = 20;
			break;
		case 'g':
		case 'G':
			shift = 30;
			break;
		default:
			return -1;
		}
		end++;
	}
	if (*end)
		return -1;
	if (shift && v > (UINT64_MAX >> shift))
		return -1;
	*val = (uint64_t)v << shift;
	return 0;
}

int parse_addr(const char *s, uint64_t *addr)
{
	const char *digits = s[0] == '0' && (s[1] == 'x' || s[1] == 'X') ? s + 2 : s;
	unsigned long long v;
	char *end;

	/* hex as /proc/PID/maps prints it, a 0x prefix optional; no sign */
	if (!isxdigit((unsigned char)*digits))
		return -1;
	errno = 0;
	v = strtoull(digits, &end, 16);
	if (errno || *end)
		return -1;
	*addr = v;
	return 0;
}

int parse_range(const char *s, uint64_t *start, uint64_t *end)
{
	const char *dash = strchr(s, '-');
	char buf[64];
	size_t n = dash ? (size_t)(dash - s) : sizeof(buf);

	if (n >= sizeof(buf))
		return -1;
	memcpy(buf, s, n);
	buf[n] = '\0';
	if (parse_addr(buf, start) || parse_addr(dash + 1, end))
		return -1;
	return *end > *start ? 0 : -1;
}

int parse_pid(const char *s, uint32_t *pid)
{
	uint64_t v;

	if (parse_u64(s, &v, false) || v == 0 || v > INT32_MAX)
		return -1;
	*pid = v;
	return 0;
}

int parse_target(const char *s, uint32_t *pid)
{
	if (!strcmp(s, "self")) {
		*pid = 0;
		return 0;
	}
	return parse_pid(s, pid);
}

int missing_pid(const char *cmd)
{
	return usage_error(cmd, "which process? -p PID (-p $$: this shell, -p self: vmlab itself)");
}

int parse_region_id(const char *s, uint32_t *id)
{
	uint64_t v;

	if (parse_u64(s, &v, false) || v == 0 || v > 65535)
		return -1;
	*id = v;
	return 0;
}

int walk_error(uint32_t pid, const char *what)
{
	int e = errno;

	if (pid && e == ESRCH)
		errmsg("pid %u: no such process", pid);
	else if (pid && e == EPERM)
		errmsg("pid %u: permission denied (another process needs CAP_SYS_PTRACE)", pid);
	else if (pid && e == EOPNOTSUPP)
		errmsg("pid %u: this vmlab.ko walks others by pid only (CAP_SYS_PTRACE)", pid);
	else if (e == EINVAL && pid)
		errmsg("%s: not a user address, or pid %u has no address space (a kernel thread)",
		       what, pid);
	else if (e == EINVAL)
		errmsg("%s: not a user address", what);
	else
		errmsg("%s: %s", what, strerror(e));
	return EXIT_FAILED;
}

int target_open(int fd, uint32_t pid, struct target *t, const char *what)
{
	struct vmlab_walk w;
	int e;

	*t = (struct target){ .pid = pid, .arg = pid, .mem_fd = -1 };
	if (!pid)
		return 0;
	/* the pid first: with CAP_SYS_PTRACE it reaches any process */
	if (!vmlab_walk(fd, pid, 0, &w))
		return 0;
	if (errno != EPERM)
		return walk_error(pid, what);
	t->mem_fd = vmlab_open_mem(pid);
	if (t->mem_fd < 0) {
		e = errno;
		if (e == ENOENT)
			errmsg("pid %u: no such process", pid);
		else
			errmsg("pid %u: permission denied (CAP_SYS_PTRACE, or ptrace rights: %s)",
			       pid, strerror(e));
		return EXIT_FAILED;
	}
	t->arg = t->mem_fd;
	t->flags = VMLAB_WALK_MEM_FD;
	if (vmlab_walk_flags(fd, t->arg, t->flags, 0, &w)) {
		e = errno;
		target_close(t);
		errno = e;
		return walk_error(pid, what);
	}
	return 0;
}

void target_close(struct target *t)
{
	if (t->mem_fd >= 0)
		close(t->mem_fd);
	t->mem_fd = -1;
}

const char *frame_str(char *buf, size_t size, const struct vmlab_walk *w)
{
	if (!(w->walk_flags & VMLAB_WALK_PFN_HIDDEN))
		snprintf(buf, size, "pfn 0x%" PRIx64, (uint64_t)w->pfn);
	else if (w->walk_flags & VMLAB_WALK_FRAME_TOKEN)
		snprintf(buf, size, "frame ~%08" PRIx32, (uint32_t)w->frame_token);
	else
		snprintf(buf, size, "pfn hidden");
	return buf;
}

int region_error(uint32_t id)
{
	if (errno == ENOENT)
		errmsg("region %u: no such region", id);
	else
		errmsg("region %u: %s", id, strerror(errno));
	return EXIT_FAILED;
}

const char *size_str(char *buf, size_t size, uint64_t bytes)
{
	static const char units[] = "KMGT";
	unsigned int i;

	for (i = 4; i > 0; i--) {
		unsigned int shift = 10 * i;

		if (bytes && !(bytes & ((1ULL << shift) - 1))) {
			snprintf(buf, size, "%" PRIu64 "%c", bytes >> shift, units[i - 1]);
			return buf;
		}
	}
	snprintf(buf, size, "%" PRIu64, bytes);
	return buf;
}

const char *colour(enum colour what)
{
	static const char *const esc[] = {
		[C_RESET] = "\033[0m",
		[C_BOLD] = "\033[1m",
		[C_GOOD] = "\033[32m",
		[C_WARN] = "\033[33m",
		[C_BAD] = "\033[31m",
		[C_DIM] = "\033[2m",
		[C_INFO] = "\033[36m",
	};
	static int on = -1;

	if (on < 0) {
		const char *nc = getenv("NO_COLOR");

		on = isatty(STDOUT_FILENO) && !(nc && *nc);
	}
	return on ? esc[what] : "";
}

enum colour verdict_colour(unsigned int verdict)
{
	switch (verdict) {
	case VMLAB_COW_WRITABLE:
	case VMLAB_COW_SHARED_WRITABLE:
	case VMLAB_COW_PFNMAP:
		return C_GOOD;
	case VMLAB_COW_READONLY:
		return C_BAD;
	case VMLAB_COW_NONE:
		return C_DIM;
	default:
		return C_WARN;
	}
}

uint64_t level_bytes(unsigned int level, uint32_t page_size)
{
	/* the running kernel's shape: a PGD leaf of two levels is 4 MiB */
	if (running_shape)
		return 1ULL << shape_leaf_shift(running_shape, level);
	/* unknown (a saved scan, no device): x86-64, 512 entries per table */
	switch (level) {
	case VMLAB_LEVEL_PUD:
		return (uint64_t)page_size << 18;
	case VMLAB_LEVEL_PMD:
		return (uint64_t)page_size << 9;
	default:
		return page_size;
	}
}

bool walk_frame(const struct vmlab_walk *w, uint64_t *frame)
{
	uint64_t page = sysconf(_SC_PAGESIZE);

	if (!(w->leaf_flags & VMLAB_PTE_PRESENT) || !w->leaf_size ||
	    (w->walk_flags & VMLAB_WALK_PFN_HIDDEN) || (w->walk_flags & VMLAB_WALK_NO_VMA))
		return false;
	*frame = w->pfn + (w->addr & (w->leaf_size - 1)) / page;
	return true;
}

bool walk_has_token(const struct vmlab_walk *w)
{
	uint32_t want = VMLAB_WALK_PFN_HIDDEN | VMLAB_WALK_FRAME_TOKEN;

	return (w->walk_flags & want) == want && !(w->walk_flags & VMLAB_WALK_NO_VMA) &&
	       (w->leaf_flags & VMLAB_PTE_PRESENT) && w->leaf_size;
}

int grow(void **array, size_t *max, size_t nr, size_t size)
{
	size_t n = *max ? 2 * *max : 256;
	void *more;

	if (nr < *max)
		return 0;
	more = realloc(*array, n * size);
	if (!more)
		return -1;
	*array = more;
	*max = n;
	return 0;
}

#define CHUNK 4096

int walk_records(int fd, const struct target *t, uint64_t start, uint64_t end,
		 void (*fn)(const struct vmlab_walk_record *rec, void *arg),
		 void *arg)
{
	struct vmlab_walk_record *recs = calloc(CHUNK, sizeof(*recs));
	uint64_t next;
	long n, i;

	if (!recs)
		return -1;
	while (start < end) {
		n = vmlab_walk_range_all_flags(fd, t->arg, t->flags, start, end, recs, CHUNK,
					       &next, NULL);
		if (n < 0) {
			free(recs);
			return -1;
		}
		for (i = 0; i < n; i++)
			fn(&recs[i], arg);
		start = next;
	}
	free(recs);
	return 0;
}

FILE *maps_open(uint32_t pid)
{
	char path[64];
	FILE *f;

	if (pid)
		snprintf(path, sizeof(path), "/proc/%u/maps", pid);
	else
		snprintf(path, sizeof(path), "/proc/self/maps");
	f = fopen(path, "re");
	if (!f && errno == ENOENT)
		errmsg("pid %u: no such process", pid);
	else if (!f)
		errmsg("%s: %s", path, strerror(errno));
	return f;
}

int maps_next(FILE *f, struct map_line *m)
{
	char line[4096 + 256];
	int pos = 0;
	char *p;

	if (!fgets(line, sizeof(line), f))
		return 0;
	line[strcspn(line, "\n")] = '\0';
	if (sscanf(line, "%" SCNx64 "-%" SCNx64 " %4s %" SCNx64 " %15s %" SCNu64 "%n",
		   &m->start, &m->end, m->perms, &m->offset, m->dev, &m->inode, &pos) != 6)
		return -1;
	for (p = line + pos; *p == ' '; p++)
		;
	snprintf(m->path, sizeof(m->path), "%s", p);
	return 1;
}
