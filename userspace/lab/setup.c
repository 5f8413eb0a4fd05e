// SPDX-License-Identifier: GPL-2.0
/*
 * setup.c - what a lesson makes, and undoes at its end: mappings, regions
 * (PCI ones too), and what it reads of them (counters, pread).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "lab.h"

/* mmap(2) that the lesson's end unmaps; NULL (and an error) on failure. */
void *lab_mmap(struct lab *lab, size_t len, int prot, int flags, int fd, __u64 off)
{
	return lab_mmap_at(lab, NULL, len, prot, flags, fd, off);
}

/* The same at @addr, a hint (or with MAP_FIXED the address). */
void *lab_mmap_at(struct lab *lab, void *addr, size_t len, int prot, int flags, int fd,
		  __u64 off)
{
	void *p;

	if (lab->nr_maps == MAX_MAPS) {
		errno = ENOSPC;
		lab_error(lab, "mmap");
		return NULL;
	}
	p = mmap(addr, len, prot, flags, fd, (off_t)off);
	if (p == MAP_FAILED) {
		lab_error(lab, "mmap");
		return NULL;
	}
	lab->maps[lab->nr_maps].p = p;
	lab->maps[lab->nr_maps++].len = len;
	return p;
}

/* Plain anonymous memory of @pages pages, base pages only (no THP). */
char *lab_anon(struct lab *lab, size_t pages, int flags)
{
	char *p = lab_mmap(lab, pages * PG, PROT_READ | PROT_WRITE, flags | MAP_ANONYMOUS, -1, 0);

	if (p && !(flags & MAP_SHARED))
		madvise(p, pages * PG, MADV_NOHUGEPAGE);
	return p;
}

/*
 * A region of @kind and @pages pages (a FILE one filled with @fill_byte, a
 * DEVICE one with caching mode @cache) that the lesson's end destroys; its
 * id, and its mmap offset in @off; 0 on failure.
 */
__u32 lab_region(struct lab *lab, __u32 kind, size_t pages, int fill_byte,
		 __u32 cache, __u64 *off)
{
	struct vmlab_region_create rc = {
		.kind = kind,
		.length = pages * PG,
		.fill = fill_byte ? VMLAB_FILL_BYTE : VMLAB_FILL_ZERO,
		.fill_byte = fill_byte,
		.cache = cache,
	};

	if (lab->nr_regions == MAX_REGIONS) {
		errno = ENOSPC;
		lab_error(lab, "region create");
		return 0;
	}
	if (vmlab_region_create(lab->fd, &rc)) {
		lab_error(lab, "VMLAB_IOC_REGION_CREATE");
		return 0;
	}
	lab->regions[lab->nr_regions++] = rc.id;
	*off = rc.offset;
	return rc.id;
}

/* A region's counters (all ones when they cannot be read). */
struct vmlab_region_counters counters(struct lab *lab, __u32 id)
{
	struct vmlab_region_counters c;

	if (vmlab_region_counters(lab->fd, id, &c)) {
		lab_error(lab, "VMLAB_IOC_REGION_INFO");
		memset(&c, 0xff, sizeof(c));
	}
	return c;
}

/*
 * Prints the counters a lesson talks about, "name value" each, going on
 * under the first where the next would pass the width.
 */
struct vmlab_region_counters show_counters(struct lab *lab, __u32 id)
{
	struct vmlab_region_counters c = counters(lab, id);
	const struct { const char *name; unsigned long long v; } item[] = {
		{ "page_mkwrite", c.page_mkwrite }, { "pages_dirty", c.pages_dirty },
		{ "writebacks", c.writebacks }, { "pages_allocated", c.pages_allocated },
	};
	unsigned int width = lab_width(), col = 28;
	char text[48];
	size_t i;
	int len;

	printf("  %-26s", "region counters");
	for (i = 0; i < ARRAY_SIZE(item); i++) {
		len = snprintf(text, sizeof(text), "%s %llu%s", item[i].name, item[i].v,
			       i + 1 < ARRAY_SIZE(item) ? "," : "");
		if (i && col + 1 + len > width) {
			printf("\n%28s", "");
			col = 28;
		}
		col += printf(" %s", text);
	}
	putchar('\n');
	return c;
}

/* One byte of a region through pread(2) at @off; -1 on failure. */
int pread_byte(struct lab *lab, __u64 off)
{
	unsigned char c;

	if (pread(lab->fd, &c, 1, (off_t)off) != 1) {
		lab_error(lab, "pread");
		return -1;
	}
	return c;
}

/* Undoes what the lesson made: mappings, then regions. */
void lab_cleanup(struct lab *lab)
{
	while (lab->nr_maps) {
		lab->nr_maps--;
		munmap(lab->maps[lab->nr_maps].p, lab->maps[lab->nr_maps].len);
	}
	while (lab->nr_regions)
		vmlab_region_destroy(lab->fd, lab->regions[--lab->nr_regions]);
}

/*
 * A PCI region of the whole BAR @bar of @addr that the lesson's end
 * destroys, mapped MAP_SHARED with @prot; NULL on failure.
 */
volatile char *lab_bar(struct lab *lab, __u32 addr, __u32 bar, __u32 flags, int prot,
		       struct vmlab_region_create *rc)
{
	if (lab->nr_regions == MAX_REGIONS) {
		errno = ENOSPC;
		lab_error(lab, "region create");
		return NULL;
	}
	if (vmlab_region_pci(lab->fd, addr, bar, 0, 0, flags, 0, rc)) {
		lab_error(lab, "VMLAB_IOC_REGION_CREATE (pci)");
		return NULL;
	}
	lab->regions[lab->nr_regions++] = rc->id;
	return lab_mmap(lab, rc->length, prot, MAP_SHARED, lab->fd, rc->offset);
}
