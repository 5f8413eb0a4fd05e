// SPDX-License-Identifier: GPL-2.0
/*
 * vmlab maps - a process's VMAs as /proc/PID/maps shows them, with what a
 * range walk of each finds: resident, zero-page, COW-shared, dirty and
 * huge leaves (in the spirit of pmap -X), and the mapping's type
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "json.h"
#include "cli.h"
#include "maps_svg.h"
#include "outfile.h"

/* the top of x86-64 user space: VMAs above it ([vsyscall]) are not walked */
#define USER_TOP (1ULL << 56)

static void print_usage(FILE *f)
{
	fprintf(f, "usage: %s maps -p PID [--json] [--svg FILE]\n"
		"The VMAs of process PID as /proc/PID/maps shows them (addresses in\n"
		"hex without 0x, as the other commands read them), with, from a range\n"
		"walk of each, in pages: RSS (resident), ZERO (the zero page), COW\n"
		"(anonymous pages a write would copy), DIRTY (dirty leaves), HUGE (the\n"
		"PMD and PUD leaves), and TYPE, the mapping's type: private or shared,\n"
		"of a file, anonymous memory (heap, stack, MAP_ANONYMOUS, SysV shm) or\n"
		"a device (a vmlab DEVICE or PCI region, another driver's PFN map); a\n"
		"vmlab FILE or ANON region is the file or anonymous memory it imitates;\n"
		"special for the kernel's own ([vdso], [vvar], [vsyscall]).\n"
		"PERMS, as in /proc/PID/maps: r, w, x (readable, writable, executable)\n"
		"or -, then p or s. p, private: writes stay in this process (a page\n"
		"still shared with the file or another process is copied first:\n"
		"copy-on-write); s, shared: writes go to the one page that the file\n"
		"(or the shared memory) and every process mapping it see. r-xp: program\n"
		"or library text; r--p: read-only data; rw-p: data, heap, stack, a\n"
		"private file mapping; rw-s: a shared file or shared memory mapping;\n"
		"r--s: one mapped read-only; ---p: a guard page or a reserved range.\n"
		"  -p, --pid PID  the process: a pid ($$: the shell's) or self (vmlab\n"
		"                 itself); another process by pid with CAP_SYS_PTRACE,\n"
		"                 else through /proc/PID/mem when you may ptrace it\n"
		"  -j, --json     one JSON document: {\"pid\", \"page_size\", \"vmas\": [...]}\n"
		"  -s, --svg FILE the address space as a self-contained SVG in FILE (and\n"
		"                 no table): VMAs to scale, coloured by mapping type, with\n"
		"                 these fractions; written whole or not at all\n",
		prog);
}

struct vma_stats {
	uint64_t start, end;
	uint32_t page_size;
	uint64_t resident, zero, cow, dirty, huge;
};

static void count_record(const struct vmlab_walk_record *rec, void *arg)
{
	struct vma_stats *st = arg;
	uint64_t size = level_bytes(rec->level, st->page_size);
	uint64_t lo = rec->addr > st->start ? rec->addr : st->start;
	uint64_t hi = rec->addr + size < st->end ? rec->addr + size : st->end;
	uint64_t pages = (hi - lo) / st->page_size;

	if (!(rec->leaf_flags & VMLAB_PTE_PRESENT))
		return;
	st->resident += pages;
	if (rec->page_flags & (VMLAB_PAGE_ZERO | VMLAB_PAGE_HUGE_ZERO | VMLAB_PAGE_VMLAB_ZERO))
		st->zero += pages;
	if (rec->verdict == VMLAB_COW_SHARED)
		st->cow += pages;
	if (rec->leaf_flags & VMLAB_PTE_DIRTY)
		st->dirty += pages;
	if (rec->level != VMLAB_LEVEL_PTE)
		st->huge++;
}

/* a VMA and what its walk found */
struct vma_row {
	struct map_line m;
	struct vma_stats st;
	bool walked;
	enum map_type type;
};

static void print_text(const struct vma_row *rows, size_t nr)
{
	struct vma_stats total = { 0 };
	size_t i;

	printf("%s%-25s %-4s %-8s %-5s %8s %7s %6s %6s %6s %5s  %-14s  %s%s\n", colour(C_BOLD),
	       "ADDRESS", "PERM", "OFFSET", "DEV", "INODE", "RSS", "ZERO", "COW",
	       "DIRTY", "HUGE", "TYPE", "PATH", colour(C_RESET));
	for (i = 0; i < nr; i++) {
		const struct map_line *m = &rows[i].m;
		const struct vma_stats *st = &rows[i].st;

		printf("%012" PRIx64 "-%012" PRIx64 " %s %08" PRIx64 " %-5s %8" PRIu64,
		       m->start, m->end, m->perms, m->offset, m->dev, m->inode);
		if (rows[i].walked)
			printf(" %7" PRIu64 " %6" PRIu64 " %6" PRIu64 " %6" PRIu64 " %5" PRIu64,
			       st->resident, st->zero, st->cow, st->dirty, st->huge);
		else
			printf(" %7s %6s %6s %6s %5s", "-", "-", "-", "-", "-");
		printf("  %-14s  %s\n", maps_type_key(rows[i].type), m->path);
		total.resident += st->resident;
		total.zero += st->zero;
		total.cow += st->cow;
		total.dirty += st->dirty;
		total.huge += st->huge;
	}
	printf("%-25s %-4s %-8s %-5s %8s %7" PRIu64 " %6" PRIu64 " %6" PRIu64 " %6" PRIu64
	       " %5" PRIu64 "\n", "total", "", "", "", "", total.resident, total.zero,
	       total.cow, total.dirty, total.huge);
}

static void print_json(const struct vma_row *rows, size_t nr, uint32_t pid,
		       uint32_t page_size)
{
	struct json j;
	size_t i;

	json_init(&j, stdout);
	json_object_begin(&j, NULL);
	json_u64(&j, "pid", pid ? pid : (uint32_t)getpid());
	json_u64(&j, "page_size", page_size);
	json_array_begin(&j, "vmas");
	for (i = 0; i < nr; i++) {
		const struct map_line *m = &rows[i].m;
		const struct vma_stats *st = &rows[i].st;

		json_object_begin(&j, NULL);
		json_u64(&j, "start", m->start);
		json_u64(&j, "end", m->end);
		json_hex(&j, "start_hex", m->start);
		json_hex(&j, "end_hex", m->end);
		json_string(&j, "perms", m->perms);
		json_u64(&j, "offset", m->offset);
		json_string(&j, "dev", m->dev);
		json_u64(&j, "inode", m->inode);
		json_string(&j, "path", m->path);
		json_string(&j, "type", maps_type_key(rows[i].type));
		json_bool(&j, "walked", rows[i].walked);
		if (rows[i].walked) {
			json_u64(&j, "resident", st->resident);
			json_u64(&j, "zero", st->zero);
			json_u64(&j, "cow_shared", st->cow);
			json_u64(&j, "dirty", st->dirty);
			json_u64(&j, "huge", st->huge);
		}
		json_object_end(&j);
	}
	json_array_end(&j);
	json_object_end(&j);
	json_end(&j);
}

/* the picture of the VMAs into @o, whole or not at all */
static int write_svg(struct outfile *o, const struct vma_row *rows, size_t nr,
		     uint32_t pid, uint32_t page_size)
{
	struct maps_vma *v = calloc(nr ? nr : 1, sizeof(*v));
	size_t i;

	if (!v) {
		errmsg("maps: %s", strerror(errno));
		return -1;
	}
	for (i = 0; i < nr; i++) {
		v[i] = (struct maps_vma){
			.m = &rows[i].m, .type = rows[i].type, .walked = rows[i].walked,
			.resident = rows[i].st.resident, .zero = rows[i].st.zero,
			.cow = rows[i].st.cow, .dirty = rows[i].st.dirty,
		};
	}
	maps_svg(o->f, v, nr, pid ? pid : (uint32_t)getpid(), page_size);
	free(v);
	return outfile_commit(o);
}

int cmd_maps(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "pid", required_argument, NULL, 'p' },
		{ "json", no_argument, NULL, 'j' },
		{ "svg", required_argument, NULL, 's' },
		{ }
	};
	struct outfile svg = { 0 };
	const char *svg_path = NULL;
	struct vmlab_info info;
	struct target t = { .mem_fd = -1 };
	struct vmlab_walk w;
	struct vma_row *rows = NULL, *row;
	size_t nr = 0, max = 0;
	struct map_line m;
	uint32_t pid = 0;
	bool json = false, have_pid = false;
	FILE *f = NULL;
	char what[64];
	int fd, c, ret, status = EXIT_OK;

	while ((c = getopt_long(argc, argv, "hp:js:", opts, NULL)) != -1) {
		if (c == 'p') {
			if (parse_target(optarg, &pid))
				return usage_error("maps", "bad pid '%s'", optarg);
			have_pid = true;
		} else if (c == 'j') {
			json = true;
		} else if (c == 's') {
			svg_path = optarg;
		} else {
			return help_or_usage(c, "maps", argv, print_usage);
		}
	}
	if (optind != argc)
		return usage_error("maps", "unexpected argument '%s'", argv[optind]);
	if (!have_pid)
		return missing_pid("maps");
	fd = open_device_info(&info, &status);
	if (fd < 0)
		return status;
	/* the walk's own check first, for its errors: no such pid, no right */
	status = target_open(fd, pid, &t, "maps");
	if (status)
		goto out;
	/* the file first: an unwritable path fails before the walks */
	if (svg_path && !outfile_open(&svg, svg_path)) {
		status = EXIT_FAILED;
		goto out;
	}
	f = maps_open(pid);
	if (!f) {
		status = EXIT_FAILED;
		goto out;
	}
	/* every VMA first: an error prints one line and no half table */
	while ((ret = maps_next(f, &m)) > 0) {
		if (nr == max) {
			struct vma_row *more;

			max = max ? 2 * max : 64;
			more = realloc(rows, max * sizeof(*rows));
			if (!more) {
				errmsg("maps: %s", strerror(errno));
				status = EXIT_FAILED;
				goto out;
			}
			rows = more;
		}
		row = &rows[nr++];
		row->m = m;
		row->st = (struct vma_stats){
			.start = m.start, .end = m.end, .page_size = info.page_size,
		};
		row->walked = m.end <= USER_TOP;
		snprintf(what, sizeof(what), "0x%" PRIx64 "-0x%" PRIx64, m.start, m.end);
		/* the first page's walk names the backing: the mapping's type */
		if (row->walked &&
		    (vmlab_walk_flags(fd, t.arg, t.flags, m.start, &w) ||
		     walk_records(fd, &t, m.start, m.end, count_record, &row->st))) {
			/* a VMA the walk refuses (none so far) is shown unwalked */
			if (errno != EINVAL) {
				status = walk_error(pid, what);
				goto out;
			}
			row->walked = false;
		}
		/* the mapping type, from what backs the VMA */
		row->type = maps_type(&m, row->walked ? &w : NULL);
	}
	if (ret < 0) {
		errmsg("cannot parse the maps of pid %u", pid);
		status = EXIT_FAILED;
		goto out;
	}
	if (svg_path) {
		if (write_svg(&svg, rows, nr, pid, info.page_size))
			status = EXIT_FAILED;
	} else if (json) {
		print_json(rows, nr, pid, info.page_size);
	} else {
		print_text(rows, nr);
	}
out:
	outfile_abort(&svg);
	target_close(&t);
	free(rows);
	if (f)
		fclose(f);
	close(fd);
	return status;
}
