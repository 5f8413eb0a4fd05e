/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * vmlab - a teaching lab for memory mappings and page tables
 *
 * This header is the whole ABI of /dev/vmlab, shared by the module, libvmlab,
 * the vmlab tool and the selftests.
 *
 * Conventions, for every command:
 *  - The ioctl type letter is 'J', numbers 0x00-0x3F, a range that
 *    Documentation/userspace-api/ioctl/ioctl-number.rst lists as free.
 *  - Every command struct begins with __u32 @size, which user space sets to
 *    sizeof(the struct) of the ABI it was built against. A struct grows only
 *    at its end and then gets a new ioctl number (the size is part of it);
 *    the kernel keeps serving the old number.
 *  - Fields are fixed-width; padding is explicit, named __pad or __reserved,
 *    and must be zero on input.
 *  - Errors: ENOTTY for an unknown command, EFAULT for a bad user pointer,
 *    EINVAL for a wrong @size or non-zero padding. Each command documents
 *    its own errors beyond these.
 */
#ifndef _UAPI_LINUX_VMLAB_H
#define _UAPI_LINUX_VMLAB_H

#include <linux/ioctl.h>
#include <linux/types.h>

#define VMLAB_DEVICE		"/dev/vmlab"
#define VMLAB_IOC_MAGIC		'J'

/* Bumped on any incompatible change; compatible growth leaves it alone. */
#define VMLAB_ABI_VERSION	1

/* Length of struct vmlab_info::release: a utsname release and its NUL. */
#define VMLAB_RELEASE_LEN	80

/**
 * struct vmlab_info - what the running module and kernel offer
 * @size: (in) sizeof(struct vmlab_info)
 * @abi_version: (out) VMLAB_ABI_VERSION of the module
 * @features: (out) VMLAB_FEAT_* bits: the commands and region kinds this
 *	module serves; bits the caller does not know are to be ignored
 * @page_size: (out) the base page size in bytes
 * @pgtable_levels: (out) paging levels the running kernel uses: 4, or 5 with
 *	LA57 (a P4D level that is not folded)
 * @release: (out) the kernel release (uname -r), NUL-terminated
 * @__reserved: must be zero
 *
 * Used by VMLAB_IOC_INFO. Errors: the common ones only.
 */
struct vmlab_info {
	__u32 size;
	__u32 abi_version;
	__u64 features;
	__u32 page_size;
	__u32 pgtable_levels;
	char release[VMLAB_RELEASE_LEN];
	__u64 __reserved[4];
};

#define VMLAB_IOC_INFO		_IOWR(VMLAB_IOC_MAGIC, 0x00, struct vmlab_info)

#endif /* _UAPI_LINUX_VMLAB_H */
