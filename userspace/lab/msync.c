// SPDX-License-Identifier: GPL-2.0
/*
 * msync.c - lesson "msync": dirty tracking through page_mkwrite; msync
 * writes a shared page back, clean and write-protected again.
 */
#include <sys/mman.h>

#include "lab.h"

/* FILE MAP_SHARED: dirty tracking by page_mkwrite, cleaned and write-protected by msync. */
/* a FILE MAP_SHARED page written, and written back: msync and msync-flags */
const struct want lab_shared_dirty = { VMLAB_COW_SHARED_WRITABLE,
	.pte_set = VMLAB_PTE_PRESENT | VMLAB_PTE_WRITE | VMLAB_PTE_DIRTY,
	.page_set = VMLAB_PAGE_VMLAB | VMLAB_PAGE_DIRTY };
const struct want lab_shared_written_back = { VMLAB_COW_SHARED_CLEAN,
	.pte_set = VMLAB_PTE_PRESENT, .pte_clear = VMLAB_PTE_WRITE | VMLAB_PTE_DIRTY,
	.page_clear = VMLAB_PAGE_DIRTY };

static void msync_run(struct lab *lab)
{
	struct vmlab_region_counters c;
	struct vmlab_walk w, clean;
	volatile char *p;
	__u64 off;
	__u32 id;

	id = lab_region(lab, VMLAB_REGION_FILE, 1, 0, VMLAB_CACHE_WB, &off);
	if (!id)
		return;
	p = lab_mmap(lab, PG, PROT_READ | PROT_WRITE, MAP_SHARED, lab->fd, off);
	if (!p)
		return;
	say("map a FILE region MAP_SHARED and write to it");
	print_header();
	p[0] = 'd';
	step(lab, "after the first write", p, &lab_shared_dirty, &w);
	c = show_counters(lab, id);
	check_u64(lab, "page_mkwrite calls", 1, c.page_mkwrite);
	check_u64(lab, "dirty pages", 1, c.pages_dirty);
	lab_picture(lab, "before-msync", 0, p, PG);

	say("msync(MS_SYNC): vmlab writes the page back, clean and write-protected again");
	if (msync((void *)p, PG, MS_SYNC)) {
		lab_error(lab, "msync");
		return;
	}
	step(lab, "after msync", p, &lab_shared_written_back, &clean);
	lab_picture(lab, "after-msync", 0, p, PG);
	c = show_counters(lab, id);
	check_u64(lab, "dirty pages", 0, c.pages_dirty);
	check_u64(lab, "writebacks", 1, c.writebacks);
	check_pfn(lab, "writeback to keep the page", &w, &clean, true);

	say("read it, then write again: only the write calls page_mkwrite");
	check_char(lab, "the page to read", 'd', p[0]);
	check_u64(lab, "page_mkwrite calls after a read", 1, counters(lab, id).page_mkwrite);
	p[0] = 'e';
	step(lab, "after the second write", p, &lab_shared_dirty, &w);
	c = show_counters(lab, id);
	check_u64(lab, "page_mkwrite calls", 2, c.page_mkwrite);
	check_u64(lab, "dirty pages", 1, c.pages_dirty);
	check_char(lab, "pread to read", 'e', pread_byte(lab, off));
}

const struct lesson lesson_msync = {
	.name = "msync",
	.title = "msync and dirty tracking through page_mkwrite",
	.run = msync_run,
	.moral =
	"A shared file page is writable only while dirty: writeback (msync, fsync) cleans it and write-protects it,\n"
	"so the next write faults into page_mkwrite and the file system learns of it again.",
};
