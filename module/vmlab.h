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
 * that untouched pages of private ANON mappings map. walk.c calls it with a
 * page-table spinlock held and under rcu_read_lock(): it must not sleep.
 */
bool vmlab_vma_region(const struct vm_area_struct *vma, u32 *id, u32 *kind);
bool vmlab_is_zero_page(const struct page *page);

/*
 * walk.c: the VMLAB_IOC_WALK and VMLAB_IOC_WALK_RANGE handlers; @arg is the
 * command struct, copied in (and back) by main.c.
 */
struct file;
long vmlab_ioc_walk(struct file *file, void *arg);
long vmlab_ioc_walk_range(struct file *file, void *arg);

#endif /* _VMLAB_INTERNAL_H */
