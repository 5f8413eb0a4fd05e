/* SPDX-License-Identifier: GPL-2.0 */
/*
 * compat.h - every kernel-version difference vmlab.ko builds across (Debian's
 * 6.1, 6.12 and 7.x), and nothing else. The rest of the module includes this
 * and never tests LINUX_VERSION_CODE itself.
 */
#ifndef _VMLAB_COMPAT_H
#define _VMLAB_COMPAT_H

#include <linux/version.h>

#endif /* _VMLAB_COMPAT_H */
