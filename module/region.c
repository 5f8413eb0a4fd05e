// SPDX-License-Identifier: GPL-2.0
/*
 * region.c: vmlab regions. No region kind is served yet, so no VMA maps a
 * region and no page is vmlab's.
 */
#include <linux/mm_types.h>

#include "vmlab.h"

bool vmlab_vma_region(const struct vm_area_struct *vma, u32 *id, u32 *kind)
{
	return false;
}

bool vmlab_is_zero_page(const struct page *page)
{
	return false;
}
