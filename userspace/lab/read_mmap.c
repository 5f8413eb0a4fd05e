// SPDX-License-Identifier: GPL-2.0
/*
 * read_mmap.c - lesson "read-mmap": read(2) against mmap(2), counted.
 * read copies every byte out of the page cache into pages of the
 * reader's own (a fault for each), mmap maps the page cache's frames
 * themselves (a fault per fault-around window, nothing copied).
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <sys/mman.h>
#include <unistd.h>

#include "lab.h"

#define FILE_PAGES	64

static void read_mmap_run(struct lab *lab)
{
	static const struct want copy = { VMLAB_COW_WRITABLE,
		.pte_set = VMLAB_PTE_PRESENT | VMLAB_PTE_WRITE,
		.page_set = VMLAB_PAGE_ANON };
	static const struct want cache = { VMLAB_COW_READONLY,
		.pte_set = VMLAB_PTE_PRESENT, .page_clear = VMLAB_PAGE_ANON };
	struct vmlab_walk wb, wm;
	long faults_read, faults_mmap, sum = 0;
	volatile char *buf, *p;
	ssize_t copied;
	bool known;
	size_t i;
	int fd;

	fd = lab_cached_file(lab, FILE_PAGES);
	if (fd < 0)
		return;
	buf = lab_anon(lab, FILE_PAGES, MAP_PRIVATE);
	p = lab_mmap(lab, FILE_PAGES * PG, PROT_READ, MAP_SHARED, fd, 0);
	if (!buf || !p)
		goto out;
	say("a file of %d pages in the page cache: read(2) it into a buffer",
	    FILE_PAGES);
	faults_read = lab_faults();
	copied = pread(fd, (void *)buf, FILE_PAGES * PG, 0);
	faults_read = lab_faults() - faults_read;
	printf("  %-26s %zd bytes copied, %ld faults (the buffer's pages)\n", "read(2)",
	       copied, faults_read);
	check_u64(lab, "bytes read() copied", FILE_PAGES * PG, copied);
	check_u64(lab, "faults of read() into a fresh buffer", FILE_PAGES, faults_read);
	check_u64(lab, "buffer pages now in memory", FILE_PAGES,
		  count_mapped(lab, 0, buf, FILE_PAGES));

	say("mmap(2) it and read every page");
	faults_mmap = lab_faults();
	for (i = 0; i < FILE_PAGES; i++)
		sum += p[i * PG];
	faults_mmap = lab_faults() - faults_mmap;
	printf("  %-26s 0 bytes copied, %ld faults (fault-around), sum %ld\n", "mmap(2)",
	       faults_mmap, sum);
	check_u64(lab, "faults through mmap (one per fault-around window)",
		  fault_windows(p, FILE_PAGES, fault_around_pages(&known)), faults_mmap);

	say("the same page through both: the buffer holds a copy, mmap the cache");
	print_header();
	step(lab, "read buffer, page 7", buf + 7 * PG, &copy, &wb);
	step(lab, "mapping, page 7", p + 7 * PG, &cache, &wm);
	check_pfn(lab, "the buffer to hold a copy", &wb, &wm, false);
	check_char(lab, "the copy's byte", 7, buf[7 * PG]);
	if (wm.backing != VMLAB_BACKING_SHMEM)
		mismatch(lab, "expected the page cache of a memfd (shmem), kernel shows %s",
			 vmlab_backing_name(wm.backing));
	printf("  read: %d faults, %d pages copied, %d pages more in memory;\n"
	       "  mmap: %ld faults, nothing copied, no page more\n",
	       FILE_PAGES, FILE_PAGES, FILE_PAGES, faults_mmap);
out:
	close(fd);
}

const struct lesson lesson_read_mmap = {
	.name = "read-mmap",
	.title = "read against mmap: the copies counted",
	.run = read_mmap_run,
	.moral =
	"read(2) copies the file out of the page cache into the reader's own\n"
	"pages, a second copy in memory and a fault for each; mmap maps the\n"
	"page cache's frames themselves: no copy, a fault per fault-around\n"
	"window.",
};
