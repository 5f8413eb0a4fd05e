// SPDX-License-Identifier: GPL-2.0
/*
 * shared_file.c - lesson "shared-file": MAP_SHARED writes reach the backing
 * page; the first write to a clean page calls page_mkwrite.
 */
#include <sys/mman.h>

#include "lab.h"

/* FILE region MAP_SHARED: writes reach the backing page; page_mkwrite once per clean page. */
static void shared_file_run(struct lab *lab)
{
	static const struct want clean = { VMLAB_COW_SHARED_CLEAN,
		.pte_set = VMLAB_PTE_PRESENT, .pte_clear = VMLAB_PTE_WRITE,
		.page_set = VMLAB_PAGE_VMLAB, .page_clear = VMLAB_PAGE_ANON };
	static const struct want dirty = { VMLAB_COW_SHARED_WRITABLE,
		.pte_set = VMLAB_PTE_PRESENT | VMLAB_PTE_WRITE | VMLAB_PTE_DIRTY,
		.page_set = VMLAB_PAGE_VMLAB, .page_clear = VMLAB_PAGE_ANON };
	static const struct want readonly = { VMLAB_COW_READONLY,
		.pte_set = VMLAB_PTE_PRESENT, .page_set = VMLAB_PAGE_VMLAB };
	struct vmlab_region_counters c0, c;
	struct vmlab_walk w, written, other;
	volatile char *a, *b;
	__u64 off;
	__u32 id;

	id = lab_region(lab, VMLAB_REGION_FILE, 1, 0, VMLAB_CACHE_WB, &off);
	if (!id)
		return;
	a = lab_mmap(lab, PG, PROT_READ | PROT_WRITE, MAP_SHARED, lab->fd, off);
	b = lab_mmap(lab, PG, PROT_READ, MAP_SHARED, lab->fd, off);
	if (!a || !b)
		return;
	say("map a zero-filled FILE region MAP_SHARED twice: read-write (a), read-only (b)");
	print_header();
	step(lab, "a: untouched", a, &(struct want){ VMLAB_COW_NONE }, &w);

	say("read a byte through a: the page is mapped write-protected, clean");
	check_char(lab, "a to read", 0, a[0]);
	step(lab, "a: after the read", a, &clean, &w);
	lab_picture(lab, "before-write", 0, a, PG);
	c0 = show_counters(lab, id);

	say("write 's' through a: the write fault calls vmlab's page_mkwrite");
	a[0] = 's';
	step(lab, "a: after the write", a, &dirty, &written);
	lab_picture(lab, "after-write", 0, a, PG);
	c = show_counters(lab, id);
	check_u64(lab, "page_mkwrite calls", c0.page_mkwrite + 1, c.page_mkwrite);
	check_u64(lab, "dirty pages", 1, c.pages_dirty);
	check_pfn(lab, "the write to keep the page", &w, &written, true);

	say("read it back through pread(2) and through b");
	check_char(lab, "pread to read", 's', pread_byte(lab, off));
	check_char(lab, "b to read", 's', b[0]);
	step(lab, "b: after the read", b, &readonly, &other);
	check_pfn(lab, "both mappings to show one page", &written, &other, true);
	check_u64(lab, "mapcount of the page mapped by a and b", 2, other.mapcount);

	say("write again through a: the entry is writable already, no page_mkwrite");
	a[1] = 't';
	check_u64(lab, "page_mkwrite calls", c0.page_mkwrite + 1,
		  counters(lab, id).page_mkwrite);
}

const struct lesson lesson_shared_file = {
	.name = "shared-file",
	.title = "Shared file mapping: writes reach the file",
	.run = shared_file_run,
	.moral =
	"A MAP_SHARED file mapping maps the file's page itself: every mapping and pread see each write.\n"
	"The first write to a clean page faults once so the file system (page_mkwrite) can mark it dirty.",
};
