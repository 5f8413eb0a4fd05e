/* SPDX-License-Identifier: GPL-2.0 */
/*
 * libvmlab - the user-space side of /dev/vmlab: the only code that issues
 * vmlab ioctls and names their flags, shared by the vmlab tool, the
 * selftests and the benchmarks.
 *
 * Functions return 0 (or a count) on success and -1 with errno set on
 * failure, like the system calls beneath them.
 */
#ifndef LIBVMLAB_H
#define LIBVMLAB_H

#include <stddef.h>
#include <stdint.h>
#include <linux/vmlab.h>

/* Open /dev/vmlab read-write, close-on-exec; -1 with errno on failure. */
int vmlab_open(void);

/* VMLAB_IOC_INFO into @info (size filled in here). */
int vmlab_info(int fd, struct vmlab_info *info);

/*
 * Regions (VMLAB_IOC_REGION_*): module-wide memory any process maps through
 * /dev/vmlab at the region's offset.
 */

/*
 * VMLAB_IOC_REGION_CREATE with the caller's kind, length, flags, fill,
 * fill_byte and cache; sets size, clears the rest; on success @rc->id and
 * @rc->offset are the new region's.
 */
int vmlab_region_create(int fd, struct vmlab_region_create *rc);

/* A region of @kind and @length with @flags and default fill and cache. */
int vmlab_region_new(int fd, __u32 kind, __u64 length, __u32 flags,
		     struct vmlab_region_create *rc);

/* VMLAB_IOC_REGION_DESTROY: the id goes now, the memory with its last mapping. */
int vmlab_region_destroy(int fd, __u32 id);

/* VMLAB_IOC_REGION_INFO of region @id into @info. */
int vmlab_region_info(int fd, __u32 id, struct vmlab_region_info *info);

/* Only the counters of region @id. */
int vmlab_region_counters(int fd, __u32 id, struct vmlab_region_counters *c);

/*
 * VMLAB_IOC_REGION_LIST: up to @max_ids ids, increasing, into @ids; returns
 * how many were written, and the number of regions in @nr_regions (if not
 * NULL).
 */
int vmlab_region_list(int fd, __u32 *ids, __u32 max_ids, __u32 *nr_regions);

/* mmap(2) of @length bytes of /dev/vmlab at @offset; MAP_FAILED on error. */
void *vmlab_region_map(int fd, __u64 offset, size_t length, int prot, int flags);

/*
 * PCI regions (pci.c): BARs of the devices vmlab.ko's PCI driver is bound
 * to (QEMU's ivshmem), which sysfs lists under /sys/bus/pci/drivers/vmlab.
 */

/* "DDDD:BB:DD.F" or "BB:DD.F" (hex) into VMLAB_PCI_ADDR() form. */
int vmlab_pci_parse(const char *s, __u32 *addr);

/* @addr as "DDDD:BB:DD.F" in @buf (16 bytes are enough); returns @buf. */
const char *vmlab_pci_format(char *buf, size_t size, __u32 addr);

/*
 * The devices the driver is bound to now: up to @max addresses into
 * @addrs; returns how many were written (0 without the module loaded).
 */
int vmlab_pci_devices(__u32 *addrs, int max);

/* Unbind or bind the driver and device @addr through sysfs (root only). */
int vmlab_pci_unbind(__u32 addr);
int vmlab_pci_bind(__u32 addr);

/*
 * VMLAB_IOC_REGION_CREATE of a PCI region: BAR @bar of device @pci_addr
 * from @bar_offset, @length bytes (0: to the BAR's end), @flags, @cache
 * (VMLAB_CACHE_WB: the BAR's default). On success @rc holds the id, the
 * offset, the length and the caching mode used.
 */
int vmlab_region_pci(int fd, __u32 pci_addr, __u32 bar, __u64 bar_offset,
		     __u64 length, __u32 flags, __u32 cache,
		     struct vmlab_region_create *rc);

/*
 * Page-table walks (walk.c)
 */

/*
 * Whom a walk reads: process @pid (0: the caller; another process needs
 * CAP_SYS_PTRACE in the opener of /dev/vmlab), or, with VMLAB_WALK_MEM_FD
 * in @flags, the process of the open /proc/PID/mem file descriptor @pid
 * (vmlab_open_mem() opens one), which needs no capability: the kernel
 * checked its open as it checks ptrace. The functions without @flags walk
 * a pid.
 *
 * Frames: a walk gives the PFN to an opener with CAP_SYS_ADMIN, and to
 * everyone a frame token (VMLAB_WALK_FRAME_TOKEN), a keyed hash of it that
 * compares equal for the same frame within one open of /dev/vmlab (see
 * "Frame tokens" in <linux/vmlab.h>).
 */

/* VMLAB_IOC_WALK of @addr in process @pid (0: the caller) into @w. */
int vmlab_walk(int fd, uint32_t pid, uint64_t addr, struct vmlab_walk *w);
/* the same with @flags (VMLAB_WALK_MEM_FD: @pid is a /proc/PID/mem fd) */
int vmlab_walk_flags(int fd, uint32_t pid, uint32_t flags, uint64_t addr,
		     struct vmlab_walk *w);

/*
 * Open /proc/@pid/mem read-only, close-on-exec, for VMLAB_WALK_MEM_FD: the
 * kernel checks there whether the caller may ptrace @pid (Yama, the LSMs);
 * -1 with errno (EACCES or EPERM when not, ENOENT without such a process).
 */
int vmlab_open_mem(uint32_t pid);

/*
 * One VMLAB_IOC_WALK_RANGE call over [@start, @end) into @recs (room for
 * @max_records); @r receives the command struct: nr_records, walk_end and
 * walk_flags.
 */
int vmlab_walk_range(int fd, uint32_t pid, uint64_t start, uint64_t end,
		     struct vmlab_walk_record *recs, uint32_t max_records,
		     struct vmlab_walk_range *r);
/*
 * The same with @flags: VMLAB_WALK_MEM_FD, and VMLAB_WALK_RANGE_TOKENS for
 * frame tokens in the records' @pfn where PFNs are hidden.
 */
int vmlab_walk_range_flags(int fd, uint32_t pid, uint32_t flags, uint64_t start,
			   uint64_t end, struct vmlab_walk_record *recs,
			   uint32_t max_records, struct vmlab_walk_range *r);

/*
 * The whole range, in as many VMLAB_IOC_WALK_RANGE calls as it takes, each
 * resuming at the last one's walk_end, until @end or until @recs (room for
 * @max_records) is full. Returns the number of records, and in @walk_end
 * (if not NULL) where the walk stopped; -1 with errno on failure.
 */
long vmlab_walk_range_all(int fd, uint32_t pid, uint64_t start, uint64_t end,
			  struct vmlab_walk_record *recs, size_t max_records,
			  uint64_t *walk_end);
/*
 * The same with @flags as for vmlab_walk_range_flags(); the calls'
 * walk_flags, or-ed, into @walk_flags (if not NULL).
 */
long vmlab_walk_range_all_flags(int fd, uint32_t pid, uint32_t flags, uint64_t start,
				uint64_t end, struct vmlab_walk_record *recs,
				size_t max_records, uint64_t *walk_end,
				uint32_t *walk_flags);

/*
 * Names (names.c): what the vmlab tool prints and parses. The *_name
 * functions return NULL for a value they do not know, the *_value
 * functions -1 for a name. The verdict's name is short ("cow-shared"),
 * its reason one line saying what a write would do and why.
 */
const char *vmlab_verdict_name(unsigned int verdict);
const char *vmlab_verdict_reason(unsigned int verdict);
const char *vmlab_level_name(unsigned int level);	/* also VMLAB_LEVEL_NONE */
const char *vmlab_cache_name(unsigned int mode);
const char *vmlab_backing_name(unsigned int backing);
/* the name of bit number @bit of VMLAB_PTE_*, VMLAB_PAGE_*, VMLAB_VMA_* */
const char *vmlab_pte_flag_name(unsigned int bit);
const char *vmlab_page_flag_name(unsigned int bit);
const char *vmlab_vma_flag_name(unsigned int bit);

/*
 * @flags as "name|name|...", with @name one of the three above (unknown
 * bits as "bitN"), truncated to @size like snprintf; returns the length
 * the whole string needs.
 */
int vmlab_format_flags(char *buf, size_t size, uint32_t flags,
		       const char *(*name)(unsigned int bit));

const char *vmlab_feature_name(unsigned int bit);	/* of VMLAB_FEAT_* */
const char *vmlab_region_kind_name(unsigned int kind);	/* "file", "anon", "device" */
int vmlab_region_kind_value(const char *name);
const char *vmlab_fill_name(unsigned int fill);		/* "zero", "byte", "pattern" */
const char *vmlab_region_flag_name(unsigned int bit);	/* of VMLAB_REGION_READONLY... */
int vmlab_cache_value(const char *name);		/* "wb", "WC", ... (any case) */

/*
 * Entries (entry.c): the VMLAB_PTE_* bits of a raw x86-64 page-table entry read at @level
 * (non-leaf entries too): present, write, user, accessed, noexec, and for
 * a leaf dirty, global and huge. 0 for an entry that is not present.
 * Built for arm64, of an arm64 descriptor: present for a table; for a page
 * or block also write, user, accessed, dirty, noexec, global, huge, cont.
 */
uint32_t vmlab_entry_flags(uint64_t entry, unsigned int level);

#endif /* LIBVMLAB_H */
