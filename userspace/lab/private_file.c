// SPDX-License-Identifier: GPL-2.0
/*
 * private_file.c - lesson "private-file": a MAP_PRIVATE mapping of a FILE
 * region maps the backing page until the first write copies it.
 */
#include <sys/mman.h>

#include "lab.h"

/* FILE region MAP_PRIVATE: reads share the backing page, the first write copies. */
static void private_file_run(struct lab *lab)
{
	static const struct want private_read = { VMLAB_COW_PRIVATE_FILE,
		.pte_set = VMLAB_PTE_PRESENT, .pte_clear = VMLAB_PTE_WRITE,
		.page_set = VMLAB_PAGE_VMLAB, .page_clear = VMLAB_PAGE_ANON };
	static const struct want shared_read = { VMLAB_COW_SHARED_CLEAN,
		.pte_set = VMLAB_PTE_PRESENT, .pte_clear = VMLAB_PTE_WRITE,
		.page_set = VMLAB_PAGE_VMLAB };
	static const struct want copy = { VMLAB_COW_WRITABLE,
		.pte_set = VMLAB_PTE_PRESENT | VMLAB_PTE_WRITE | VMLAB_PTE_DIRTY,
		.page_set = VMLAB_PAGE_ANON | VMLAB_PAGE_ANON_EXCLUSIVE,
		.page_clear = VMLAB_PAGE_VMLAB };
	static const struct want backing = { VMLAB_COW_SHARED_CLEAN,
		.page_set = VMLAB_PAGE_VMLAB };
	struct vmlab_walk none, priv, shared, copied, after;
	volatile char *s, *v;
	__u64 off;

	if (!lab_region(lab, VMLAB_REGION_FILE, 1, 'v', VMLAB_CACHE_WB, &off))
		return;
	s = lab_mmap(lab, PG, PROT_READ | PROT_WRITE, MAP_SHARED, lab->fd, off);
	v = lab_mmap(lab, PG, PROT_READ | PROT_WRITE, MAP_PRIVATE, lab->fd, off);
	if (!s || !v)
		return;
	say("map a FILE region filled with 'v' twice: MAP_SHARED (s) and MAP_PRIVATE (p)");
	print_header();
	step(lab, "p: untouched", v, &(struct want){ VMLAB_COW_NONE }, &none);

	say("read a byte through each mapping");
	check_char(lab, "the private mapping to read", 'v', v[0]);
	check_char(lab, "the shared mapping to read", 'v', s[0]);
	step(lab, "p: after the read", v, &private_read, &priv);
	step(lab, "s: after the read", s, &shared_read, &shared);
	lab_picture(lab, "before-write", 0, v, PG);
	check_pfn(lab, "both mappings to show the backing page", &priv, &shared, true);

	say("write 'x' through the private mapping");
	v[0] = 'x';
	step(lab, "p: after the write", v, &copy, &copied);
	step(lab, "s: after the write", s, &backing, &after);
	lab_picture(lab, "after-write", 0, v, PG);
	check_pfn(lab, "the private copy to be a new page", &copied, &shared, false);
	check_pfn(lab, "the shared mapping to keep the backing page", &after, &shared, true);
	check_char(lab, "the backing byte (pread) still", 'v', pread_byte(lab, off));
	check_char(lab, "the shared mapping's byte still", 'v', s[0]);
}

const struct lesson lesson_private_file = {
	.name = "private-file",
	.title = "Private file mapping: copy on first write",
	.run = private_file_run,
	.moral =
	"A MAP_PRIVATE file mapping maps the file's own page until the first write;\n"
	"that write copies it into an anonymous page of this process, and the file never sees it.",
};
