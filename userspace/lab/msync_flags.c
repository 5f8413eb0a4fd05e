// SPDX-License-Identifier: GPL-2.0
/*
 * msync_flags.c - lesson "msync-flags": msync's three flags on Linux.
 * MS_ASYNC starts nothing (dirty pages are tracked anyway, the flusher
 * writes them), MS_INVALIDATE has nothing to invalidate (mappings and the
 * page cache are one) but refuses a locked range, MS_SYNC writes back.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

#include "lab.h"

/* msync(@p, one page, @flags): 0, or its errno; the line says which. */
static int try_msync(volatile char *p, int flags, const char *what)
{
	int err = msync((void *)p, PG, flags) ? errno : 0;

	printf("  %-26s %s\n", what, err ? strerror(err) : "returned 0");
	return err;
}

/* MS_INVALIDATE on a locked page: EBUSY, where mlock is allowed. */
static void invalidate_locked(struct lab *lab, volatile char *p)
{
	if (mlock((void *)p, PG)) {
		printf("  (mlock: %s: MS_INVALIDATE's EBUSY not shown)\n", strerror(errno));
		return;
	}
	check_u64(lab, "MS_INVALIDATE's errno on a locked page (EBUSY)", EBUSY,
		  try_msync(p, MS_INVALIDATE, "mlock, MS_INVALIDATE"));
	munlock((void *)p, PG);
}

static void msync_flags_run(struct lab *lab)
{
	struct vmlab_region_counters c;
	struct vmlab_walk w, after;
	volatile char *p;
	__u64 off;
	__u32 id;

	id = lab_region(lab, VMLAB_REGION_FILE, 1, 0, VMLAB_CACHE_WB, &off);
	if (!id)
		return;
	p = lab_mmap(lab, PG, PROT_READ | PROT_WRITE, MAP_SHARED, lab->fd, off);
	if (!p)
		return;
	say("map a FILE region MAP_SHARED and write to it: a dirty page");
	print_header();
	p[0] = 'a';
	step(lab, "after the write", p, &lab_shared_dirty, &w);
	lab_picture(lab, "dirty", 0, p, PG);

	say("MS_ASYNC: on Linux it starts nothing; the page stays dirty");
	check_u64(lab, "MS_ASYNC's errno", 0, try_msync(p, MS_ASYNC, "msync(MS_ASYNC)"));
	step(lab, "after MS_ASYNC", p, &lab_shared_dirty, &after);
	c = show_counters(lab, id);
	check_u64(lab, "writebacks after MS_ASYNC", 0, c.writebacks);
	check_u64(lab, "dirty pages after MS_ASYNC", 1, c.pages_dirty);

	say("MS_INVALIDATE: the mapping is the page cache, nothing to drop");
	check_u64(lab, "MS_INVALIDATE's errno", 0,
		  try_msync(p, MS_INVALIDATE, "msync(MS_INVALIDATE)"));
	step(lab, "after MS_INVALIDATE", p, &lab_shared_dirty, &after);
	check_pfn(lab, "MS_INVALIDATE to keep the page", &w, &after, true);
	check_char(lab, "the byte after MS_INVALIDATE", 'a', p[0]);
	invalidate_locked(lab, p);
	check_u64(lab, "MS_ASYNC | MS_SYNC's errno (EINVAL)", EINVAL,
		  try_msync(p, MS_ASYNC | MS_SYNC, "msync(MS_ASYNC | MS_SYNC)"));

	say("MS_SYNC: written back before it returns, clean and write-protected");
	check_u64(lab, "MS_SYNC's errno", 0, try_msync(p, MS_SYNC, "msync(MS_SYNC)"));
	step(lab, "after MS_SYNC", p, &lab_shared_written_back, &after);
	lab_picture(lab, "after-ms-sync", 0, p, PG);
	c = show_counters(lab, id);
	check_u64(lab, "writebacks after MS_SYNC", 1, c.writebacks);
	check_u64(lab, "dirty pages after MS_SYNC", 0, c.pages_dirty);
}

const struct lesson lesson_msync_flags = {
	.name = "msync-flags",
	.title = "msync's flags: MS_ASYNC, MS_INVALIDATE, MS_SYNC",
	.run = msync_flags_run,
	.moral =
	"On Linux MS_ASYNC starts nothing (the kernel tracks dirty pages and\n"
	"writes them back anyway) and MS_INVALIDATE has nothing to drop (a\n"
	"mapping is the page cache; a locked range is EBUSY); only MS_SYNC\n"
	"writes back before returning.",
};
