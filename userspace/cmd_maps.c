// SPDX-License-Identifier: GPL-2.0
/*
 * vmlab maps - a process's VMAs as /proc/PID/maps shows them, with what a
 * range walk of each finds: resident, zero-page, COW-shared, dirty and
 * huge leaves (in the spirit of pmap -X)
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "json.h"
#include "cli.h"

/* the top of x86-64 user space: VMAs above it ([vsyscall]) are not walked */
#define USER_TOP (1ULL << 56)

static void print_usage(FILE *f)
{
	fprintf(f, "usage: %s maps [-p PID] [--json]\n"
		"The VMAs of process PID (default: this one) as /proc/PID/maps shows\n"
		"them, with, from a range walk of each, in pages: RSS (resident),\n"
		"ZERO (the zero page), COW (anonymous pages a write would copy), DIRTY\n"
		"(dirty leaves), and HUGE: the PMD and PUD leaves.\n"
		"  -p, --pid PID  another process: by pid with CAP_SYS_PTRACE, else\n"
		"                 through /proc/PID/mem when you may ptrace it\n"
		"  -j, --json     one JSON document: {\"pid\", \"page_size\", \"vmas\": [...]}\n",
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
};

static void print_text(const struct vma_row *rows, size_t nr)
{
	struct vma_stats total = { 0 };
	size_t i;

	printf("%s%-25s %-4s %-8s %-5s %8s %7s %6s %6s %6s %5s  %s%s\n", colour(C_BOLD),
	       "ADDRESS", "PERM", "OFFSET", "DEV", "INODE", "RSS", "ZERO", "COW",
	       "DIRTY", "HUGE", "PATH", colour(C_RESET));
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
		printf("  %s\n", m->path);
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

int cmd_maps(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "pid", required_argument, NULL, 'p' },
		{ "json", no_argument, NULL, 'j' },
		{ }
	};
	struct vmlab_info info;
	struct target t = { .mem_fd = -1 };
	struct vma_row *rows = NULL, *row;
	size_t nr = 0, max = 0;
	struct map_line m;
	uint32_t pid = 0;
	bool json = false;
	FILE *f = NULL;
	char what[64];
	int fd, c, ret, status = EXIT_OK;

	while ((c = getopt_long(argc, argv, "hp:j", opts, NULL)) != -1) {
		if (c == 'p') {
			if (parse_pid(optarg, &pid))
				return usage_error("maps", "bad pid '%s'", optarg);
		} else if (c == 'j') {
			json = true;
		} else {
			return help_or_usage(c, "maps", argv, print_usage);
		}
	}
	if (optind != argc)
		return usage_error("maps", "unexpected argument '%s'", argv[optind]);
	fd = open_device_info(&info, &status);
	if (fd < 0)
		return status;
	/* the walk's own check first, for its errors: no such pid, no right */
	status = target_open(fd, pid, &t, "maps");
	if (status)
		goto out;
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
		if (row->walked && walk_records(fd, &t, m.start, m.end, count_record, &row->st)) {
			/* a VMA the walk refuses (none so far) is shown unwalked */
			if (errno != EINVAL) {
				status = walk_error(pid, what);
				goto out;
			}
			row->walked = false;
		}
	}
	if (ret < 0) {
		errmsg("cannot parse the maps of pid %u", pid);
		status = EXIT_FAILED;
		goto out;
	}
	if (json)
		print_json(rows, nr, pid, info.page_size);
	else
		print_text(rows, nr);
out:
	target_close(&t);
	free(rows);
	if (f)
		fclose(f);
	close(fd);
	return status;
}
