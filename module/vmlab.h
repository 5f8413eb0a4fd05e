/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vmlab.h - declarations shared by the files of vmlab.ko (not an ABI: that
 * is <linux/vmlab.h>)
 */
#ifndef _VMLAB_INTERNAL_H
#define _VMLAB_INTERNAL_H

#include <linux/types.h>

struct page;
struct vm_area_struct;

#define VMLAB_MODULE_VERSION	"0.1.0"

/*
 * region.c: what walk.c asks of regions.
 *
 * vmlab_vma_region() - whether @vma maps a vmlab region; if so, stores the
 * region's id and kind (VMLAB_REGION_*). Caller holds the mmap lock of the
 * VMA's mm (read is enough).
 *
 * vmlab_is_zero_page() - whether @page is vmlab's own zero page, the one
 * that untouched pages of private ANON mappings map.
 */
bool vmlab_vma_region(const struct vm_area_struct *vma, u32 *id, u32 *kind);
bool vmlab_is_zero_page(const struct page *page);

#endif /* _VMLAB_INTERNAL_H */
