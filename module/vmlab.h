/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vmlab.h - declarations shared by the files of vmlab.ko (not an ABI: that
 * is <linux/vmlab.h>)
 */
#ifndef _VMLAB_INTERNAL_H
#define _VMLAB_INTERNAL_H

#define VMLAB_MODULE_VERSION	"0.1.0"

#endif /* _VMLAB_INTERNAL_H */
