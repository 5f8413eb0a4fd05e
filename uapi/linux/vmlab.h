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
 *  - An (in) @flags field that "must be 0" grows by new bits, each asking
 *    for something new: a module that does not know a bit answers EINVAL,
 *    so the caller can tell (and VMLAB_FEAT_* says so beforehand). A bit
 *    never changes what an older caller, who leaves it clear, is given.
 *  - Errors: ENOTTY for an unknown command, EFAULT for a bad user pointer,
 *    EINVAL for a wrong @size or non-zero padding. Each command documents
 *    its own errors beyond these. A call that fails changes nothing: a
 *    command whose answer cannot be copied back (EFAULT for a struct that
 *    is readable but not writable) takes back what it did.
 */
#ifndef _UAPI_LINUX_VMLAB_H
#define _UAPI_LINUX_VMLAB_H

#include <linux/const.h>
#include <linux/ioctl.h>
#include <linux/types.h>

#define VMLAB_DEVICE		"/dev/vmlab"
#define VMLAB_IOC_MAGIC		'J'

/* Bumped on any incompatible change; compatible growth leaves it alone. */
#define VMLAB_ABI_VERSION	1

/* Length of struct vmlab_info::release: a utsname release and its NUL. */
#define VMLAB_RELEASE_LEN	80

/* struct vmlab_info::features */
#define VMLAB_FEAT_REGIONS	_BITULL(0)	/* REGION_* commands, mmap */
#define VMLAB_FEAT_WALK		_BITULL(1)	/* WALK */
#define VMLAB_FEAT_WALK_RANGE	_BITULL(2)	/* WALK_RANGE */
#define VMLAB_FEAT_DEVICE_PMD	_BITULL(3)	/* DEVICE faults map 2 MiB at once */
#define VMLAB_FEAT_PCI		_BITULL(4)	/* PCI regions (see VMLAB_REGION_PCI) */
#define VMLAB_FEAT_FRAME_TOKENS	_BITULL(5)	/* frame tokens ("Frame tokens" below) */
#define VMLAB_FEAT_WALK_MEM_FD	_BITULL(6)	/* VMLAB_WALK_MEM_FD: walks by /proc/PID/mem */

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
 * @pages_in_use: (out) backing pages of all regions, module-wide: pages
 *	allocated minus pages of regions released since (0 once every region
 *	is destroyed and unmapped)
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
	__u64 pages_in_use;
	__u64 __reserved[3];
};

#define VMLAB_IOC_INFO		_IOWR(VMLAB_IOC_MAGIC, 0x00, struct vmlab_info)

/*
 * Regions
 *
 * A region is module-wide memory that any process mapping /dev/vmlab at the
 * region's @offset maps, MAP_SHARED or MAP_PRIVATE, served by vmlab's own
 * fault handlers. Kinds:
 *
 * VMLAB_REGION_FILE: backing pages the module owns, like a file in the page
 *	cache. MAP_SHARED writes reach them (the first write to a clean page
 *	calls page_mkwrite); MAP_PRIVATE reads share them and the first write
 *	copies. pread/pwrite at the region's offset reach the same bytes;
 *	fsync, or msync(MS_SYNC) on a mapping, "writes back": dirty pages
 *	become clean and write-protected again.
 * VMLAB_REGION_ANON: demand-zero memory. MAP_SHARED pages are zero-filled
 *	on first touch and shared with every mapper. A page is charged to the
 *	memory cgroup of the task whose touch adds it: over the cgroup's limit
 *	its OOM killer runs, as for shmem. A MAP_PRIVATE mapping reads the
 *	region's page until it writes, as a private mapping of shmem does:
 *	where the region has a page it reads that page (and sees later
 *	MAP_SHARED writes), where it has none it reads one shared read-only
 *	zero page, until a MAP_SHARED touch adds the page (from then on it
 *	reads the page). Its first write copies what it reads (the shared
 *	data, or zeroes); after that it has its own copy, which MAP_SHARED
 *	writes no longer reach. MAP_PRIVATE alone never adds a page.
 * VMLAB_REGION_DEVICE: physically contiguous memory standing for device
 *	memory, mapped VM_PFNMAP | VM_IO (no struct page in the mapping) with
 *	the chosen caching mode. MAP_SHARED only.
 * VMLAB_REGION_PCI: a memory BAR (or a page-aligned part of one) of a PCI
 *	device bound to vmlab.ko's PCI driver, which binds QEMU's ivshmem
 *	(vendor 0x1af4, device 0x1110): real device memory, mapped as
 *	io_remap_pfn_range() would, PFN by PFN at fault time (a PMD at once
 *	where the kernel allows it and 2 MiB alignment fits), VM_PFNMAP |
 *	VM_IO, MAP_SHARED only. Its caching mode is the BAR's: WC for a
 *	prefetchable BAR, UC for a register BAR, unless @cache asks UC of a
 *	prefetchable one. A register (non-prefetchable) BAR is offered
 *	read-only: reads of registers are harmless on the devices vmlab binds,
 *	writes may not be. A BAR smaller than a page (ivshmem's BAR0 is 256
 *	bytes) is offered only when it starts a page and vmlab can claim the
 *	rest of that page from the resource tree, so that no other device's
 *	registers are in the mapped page. When the device goes away (unbind
 *	through sysfs, hot-unplug, module unload) every mapping of its
 *	regions is zapped and later accesses get SIGBUS; the regions stay,
 *	marked VMLAB_PCI_GONE, until destroyed. A bound device and its BARs
 *	are listed in sysfs: /sys/bus/pci/drivers/vmlab/DDDD:BB:DD.F/.
 *
 * A region lives until it is destroyed and its last mapping is gone:
 * REGION_DESTROY removes the id at once (no new mmap, REGION_INFO answers
 * ENOENT) and the memory is freed with the last mapping, as unlink does to
 * a file. Unloading the module frees every region; while a mapping exists
 * the module cannot be unloaded.
 *
 * mmap of /dev/vmlab at a region's offset (plus a page-aligned offset in
 * it): ENXIO if the offset selects no region; EINVAL if the mapping would
 * pass the region's end, or for MAP_PRIVATE of a DEVICE or PCI region;
 * EPERM for a PCI region when the opener of /dev/vmlab lacks CAP_SYS_RAWIO
 * (the rule of its creation holds for every mapping: device memory is
 * root's, whoever made the region); ENODEV for a PCI region whose device
 * went away; EACCES for
 * a writable MAP_SHARED mapping of a VMLAB_REGION_READONLY region (whose
 * read-only shared mappings cannot be made writable by mprotect either).
 * A mapping grown by mremap past the region's end raises SIGBUS there.
 * pread/pwrite (and read/write at the file position) reach FILE regions:
 * ENXIO for no region, EINVAL for another kind, EACCES for pwrite of a
 * READONLY region, ENOSPC for pwrite at or past the end (pread there
 * returns 0), EIO for a page whose data a memory error took (hwpoison: a
 * mapping of it raises SIGBUS; a call that moved bytes before it returns
 * their count). lseek: SEEK_END is relative to the end of the region the
 * current position selects, ENXIO if none. fsync of /dev/vmlab writes
 * back every FILE region; fsync of a mapping (msync MS_SYNC) its range of
 * its own region, nothing for the other kinds.
 */
#define VMLAB_REGION_FILE	1
#define VMLAB_REGION_ANON	2
#define VMLAB_REGION_DEVICE	3
#define VMLAB_REGION_PCI	4

/*
 * A PCI function's address as one __u32: domain (segment) in bits 31-16,
 * bus in 15-8, devfn (device << 3 | function) in 7-0; "DDDD:BB:DD.F".
 * That holds domains up to 0xffff. Linux numbers domains up to 0x7fffffff
 * (those behind an Intel VMD start at 0x10000): the same layout widened to
 * 64 bits, VMLAB_PCI_ADDR64(), holds them all, and the structs carry its
 * upper half (the domain's bits 31-16) in @pci_addr_hi beside @pci_addr,
 * its lower half (0 for domains up to 0xffff, as in the first ABI).
 */
#define VMLAB_PCI_ADDR(domain, bus, dev, fn) \
	((__u32)(domain) << 16 | (__u32)(bus) << 8 | (__u32)(dev) << 3 | (fn))
#define VMLAB_PCI_DOMAIN(addr)	((addr) >> 16)
#define VMLAB_PCI_ADDR64(domain, bus, dev, fn) \
	((__u64)(domain) << 16 | (__u64)(bus) << 8 | (__u64)(dev) << 3 | (fn))
#define VMLAB_PCI_DOMAIN64(addr64)	((addr64) >> 16)
#define VMLAB_PCI_ADDR_LO(addr64)	((__u32)(addr64))
#define VMLAB_PCI_ADDR_HI(addr64)	((__u32)((__u64)(addr64) >> 32))
#define VMLAB_PCI_BUS(addr)	(((addr) >> 8) & 0xff)
#define VMLAB_PCI_DEV(addr)	(((addr) >> 3) & 0x1f)
#define VMLAB_PCI_FN(addr)	((addr) & 0x7)

/* PCI BARs are numbered 0 to VMLAB_PCI_NR_BARS - 1 */
#define VMLAB_PCI_NR_BARS	6

/* struct vmlab_region_info::pci_flags */
#define VMLAB_PCI_PREFETCH	_BITUL(0)	/* the BAR is prefetchable */
#define VMLAB_PCI_MEM64		_BITUL(1)	/* a 64-bit BAR */
#define VMLAB_PCI_GONE		_BITUL(2)	/* the device went away: SIGBUS */

/* struct vmlab_region_create::flags */
#define VMLAB_REGION_READONLY	_BITUL(0)	/* no writable mapping, ever */
#define VMLAB_REGION_FLAGS	VMLAB_REGION_READONLY

/* struct vmlab_region_create::fill, for FILE regions */
#define VMLAB_FILL_ZERO		0	/* all zero */
#define VMLAB_FILL_BYTE		1	/* every byte is @fill_byte */
#define VMLAB_FILL_PATTERN	2	/* each 8-byte word holds its own offset */

/* caching modes: struct vmlab_region_create::cache and the walk's decoding */
#define VMLAB_CACHE_WB		0	/* write-back */
#define VMLAB_CACHE_WC		1	/* write-combining */
#define VMLAB_CACHE_UC		2	/* uncached (x86 maps it as UC-) */
#define VMLAB_CACHE_WT		3	/* write-through (decoded only) */
#define VMLAB_CACHE_UC_MINUS	4	/* uncached, overridable (decoded only) */
#define VMLAB_CACHE_WP		5	/* write-protect (decoded only) */

/*
 * The mmap offset of a region is its id shifted by VMLAB_REGION_SHIFT: a
 * region is at most 1 << VMLAB_REGION_SHIFT bytes (further capped by the
 * max_region_mb and max_total_mb module parameters).
 *
 * A 32-bit caller (any task of a 32-bit kernel, or a 32-bit task on a
 * 64-bit kernel) passes mmap2() a 32-bit page offset, which reaches 2^44
 * bytes: ids below 16 only, with VMLAB_REGION_SHIFT. Its offsets are the
 * id shifted by VMLAB_REGION_SHIFT_32 instead (every id up to 65535 fits),
 * and a region it creates is at most 1 << VMLAB_REGION_SHIFT_32 bytes; it
 * reaches the first 1 << VMLAB_REGION_SHIFT_32 bytes of a larger one. The
 * offset depends on who asks: @offset of REGION_CREATE and REGION_INFO is
 * the caller's, and mmap, pread, pwrite and lseek read an offset as their
 * caller's. Use @offset rather than computing it. (A 32-bit caller of the
 * first modules got ids shifted by VMLAB_REGION_SHIFT; a 64-bit caller's
 * offsets are unchanged, and VMLAB_ABI_VERSION stays 1.)
 */
#define VMLAB_REGION_SHIFT	40
#define VMLAB_REGION_SHIFT_32	28

/**
 * struct vmlab_region_create - make a region
 * @size: (in) sizeof(struct vmlab_region_create)
 * @kind: (in) VMLAB_REGION_FILE, _ANON, _DEVICE or _PCI
 * @length: (in) bytes, a non-zero multiple of the page size; (in/out) for
 *	PCI: 0 asks for the rest of the BAR from @bar_offset (a BAR smaller
 *	than a page counts as one page), and the length used is written back
 * @flags: (in) VMLAB_REGION_* flags
 * @fill: (in) VMLAB_FILL_*: the initial contents of a FILE region; must be
 *	VMLAB_FILL_ZERO for the other kinds
 * @fill_byte: (in) the byte for VMLAB_FILL_BYTE (0-255), else 0
 * @cache: (in) VMLAB_CACHE_WB, _WC or _UC for a DEVICE region; for a PCI
 *	region VMLAB_CACHE_WB (0) takes the BAR's default (WC if
 *	prefetchable, else UC), _UC is always allowed and _WC only on a
 *	prefetchable BAR; must be VMLAB_CACHE_WB for the other kinds.
 *	(out) for PCI: the mode used
 * @id: (out) the region's id, never 0
 * @offset: (out) the mmap (and pread/pwrite) offset that selects it
 * @pci_addr: (in) PCI: the device, VMLAB_PCI_ADDR() (or the lower half of
 *	VMLAB_PCI_ADDR64()); else 0
 * @bar: (in) PCI: the BAR, 0 to VMLAB_PCI_NR_BARS - 1; else 0
 * @bar_offset: (in) PCI: where the region starts in the BAR, page-aligned;
 *	else 0
 * @__reserved: must be zero
 * @pci_addr_hi: (in) PCI: the upper half of VMLAB_PCI_ADDR64() of the
 *	device, 0 for a domain up to 0xffff; else 0. Absent from the struct of
 *	VMLAB_IOC_REGION_CREATE_V1 (read as 0)
 * @__pad2: must be zero
 *
 * EFAULT when @rc cannot be written back: the region is destroyed again,
 * so the failed call leaves neither an id nor memory counted in the caps.
 * Errors: EINVAL for an unknown kind, flag, fill or caching mode, a fill or
 * caching mode the kind does not take, @length 0 or not page-aligned or
 * over 1 << VMLAB_REGION_SHIFT (_SHIFT_32 for a 32-bit caller); E2BIG for
 * @length over max_region_mb, or a
 * DEVICE region over 4 MiB (one physically contiguous allocation); ENOSPC
 * when all regions together would pass max_total_mb (a destroyed region
 * counts until its last mapping is gone) or all 65535 ids are in use;
 * ENOMEM. PCI regions use no memory of the caps; their errors: EINVAL for
 * @bar over 5, @bar_offset not page-aligned or at or past the BAR's end,
 * @length past the BAR's end, VMLAB_CACHE_WC on a BAR that is not
 * prefetchable, non-zero @pci_addr, @pci_addr_hi, @bar or @bar_offset for
 * another kind;
 * EPERM when the opener of /dev/vmlab lacks CAP_SYS_RAWIO (device memory
 * is root's, as a BAR's resource files in sysfs are); ENODEV when no
 * device vmlab is bound to has @pci_addr; ENXIO for a BAR
 * the device lacks or vmlab does not offer (I/O ports, or a BAR smaller
 * than a page that shares its page); EACCES for a register BAR without
 * VMLAB_REGION_READONLY; EBUSY when another region of the same BAR uses
 * another caching mode (x86's PAT wants one memory type per range).
 */
struct vmlab_region_create {
	__u32 size;
	__u32 kind;
	__u64 length;
	__u32 flags;
	__u32 fill;
	__u32 fill_byte;
	__u32 cache;
	__u32 id;
	__u32 __pad;
	__u64 offset;
	__u32 pci_addr;
	__u32 bar;
	__u64 bar_offset;
	__u64 __reserved[2];
	__u32 pci_addr_hi;
	__u32 __pad2;
};

/**
 * struct vmlab_region_destroy - remove a region's id (see "Regions" above)
 * @size: (in) sizeof(struct vmlab_region_destroy)
 * @id: (in) the region
 * @__reserved: must be zero
 *
 * Errors: ENOENT for an id that names no region.
 */
struct vmlab_region_destroy {
	__u32 size;
	__u32 id;
	__u64 __reserved[2];
};

/**
 * struct vmlab_region_counters - what happened to a region so far
 * @read_faults: faults for reading, in any mapping
 * @write_faults: faults for writing, in any mapping
 * @cow_faults: write faults in a MAP_PRIVATE mapping, where the kernel
 *	copies the page the fault handler returned (FILE) or the zero page
 * @page_mkwrite: page_mkwrite calls (first write to a clean shared page)
 * @map_pages: map_pages (fault-around) calls
 * @pages_allocated: backing pages allocated since creation
 * @pages_resident: backing pages the region holds now
 * @pages_dirty: backing pages written since their last writeback
 * @writebacks: pages written back (made clean and write-protected again)
 * @mappings: VMAs that map the region now
 * @huge_faults: DEVICE and PCI: PMD-sized PFN maps inserted
 *	(VMLAB_FEAT_DEVICE_PMD); a PMD-sized fault that found the PMD already
 *	mapped (another thread's fault was first) inserts nothing and is not
 *	counted here
 * @__reserved: zero; room for more counters
 *
 * The fault counters count calls of vmlab's handlers: a fault the kernel
 * serves alone (fault-around's map_pages mapping the page, or the copy of
 * a page already mapped read-only in a MAP_PRIVATE mapping) is not one.
 * @pages_dirty and @writebacks concern FILE regions only.
 */
struct vmlab_region_counters {
	__u64 read_faults;
	__u64 write_faults;
	__u64 cow_faults;
	__u64 page_mkwrite;
	__u64 map_pages;
	__u64 pages_allocated;
	__u64 pages_resident;
	__u64 pages_dirty;
	__u64 writebacks;
	__u64 mappings;
	__u64 huge_faults;
	__u64 __reserved[5];
};

/**
 * struct vmlab_region_info - one region's settings and counters
 * @size: (in) sizeof(struct vmlab_region_info)
 * @id: (in) the region
 * @kind: (out) VMLAB_REGION_*
 * @flags: (out) VMLAB_REGION_* flags
 * @fill: (out) VMLAB_FILL_*
 * @fill_byte: (out) as created
 * @cache: (out) VMLAB_CACHE_*
 * @__pad: must be zero
 * @length: (out) bytes
 * @offset: (out) the mmap offset
 * @phys_addr: (out) DEVICE and PCI: physical address of the memory, when
 *	the opener of /dev/vmlab has CAP_SYS_ADMIN, the rule of the walks'
 *	PFNs (0 otherwise, as for the other kinds)
 * @counters: (out) see struct vmlab_region_counters
 * @pci_addr: (out) PCI: the device, VMLAB_PCI_ADDR()
 * @bar: (out) PCI: the BAR number
 * @bar_offset: (out) PCI: where the region starts in the BAR
 * @bar_size: (out) PCI: the BAR's size in bytes, as the device decodes it
 * @pci_flags: (out) PCI: VMLAB_PCI_*
 * @__pad2: must be zero
 * @pci_addr_hi: (out) PCI: the upper half of VMLAB_PCI_ADDR64() of the
 *	device (not in the struct of VMLAB_IOC_REGION_INFO_V1)
 * @__pad3: must be zero
 *
 * Errors: ENOENT for an id that names no region.
 */
struct vmlab_region_info {
	__u32 size;
	__u32 id;
	__u32 kind;
	__u32 flags;
	__u32 fill;
	__u32 fill_byte;
	__u32 cache;
	__u32 __pad;
	__u64 length;
	__u64 offset;
	__u64 phys_addr;
	struct vmlab_region_counters counters;
	__u32 pci_addr;
	__u32 bar;
	__u64 bar_offset;
	__u64 bar_size;
	__u32 pci_flags;
	__u32 __pad2;
	__u32 pci_addr_hi;
	__u32 __pad3;
};

/**
 * struct vmlab_region_list - the ids of the regions that exist
 * @size: (in) sizeof(struct vmlab_region_list)
 * @max_ids: (in) room in @ids, in entries (may be 0 to ask for @nr_regions)
 * @ids: (in) user pointer to a __u32 array of @max_ids entries
 * @nr_ids: (out) ids written, in increasing order
 * @nr_regions: (out) regions that exist (may exceed @max_ids)
 * @__reserved: must be zero
 *
 * Errors: EINVAL for @max_ids over 65536.
 */
struct vmlab_region_list {
	__u32 size;
	__u32 max_ids;
	__u64 ids;
	__u32 nr_ids;
	__u32 nr_regions;
	__u64 __reserved[2];
};

#define VMLAB_IOC_REGION_CREATE	_IOWR(VMLAB_IOC_MAGIC, 0x08, struct vmlab_region_create)
#define VMLAB_IOC_REGION_DESTROY _IOW(VMLAB_IOC_MAGIC, 0x09, struct vmlab_region_destroy)
#define VMLAB_IOC_REGION_INFO	_IOWR(VMLAB_IOC_MAGIC, 0x0a, struct vmlab_region_info)
#define VMLAB_IOC_REGION_LIST	_IOWR(VMLAB_IOC_MAGIC, 0x0b, struct vmlab_region_list)

/*
 * The same commands with the structs of the first ABI, which end before
 * @pci_addr_hi: still served, for programs built against it. Fields the
 * old struct lacks read as zero and are not written back.
 */
#define VMLAB_REGION_CREATE_SIZE_V1	80
#define VMLAB_REGION_INFO_SIZE_V1	216
#define VMLAB_IOC_REGION_CREATE_V1	_IOC(_IOC_READ | _IOC_WRITE, VMLAB_IOC_MAGIC, \
					     0x08, VMLAB_REGION_CREATE_SIZE_V1)
#define VMLAB_IOC_REGION_INFO_V1	_IOC(_IOC_READ | _IOC_WRITE, VMLAB_IOC_MAGIC, \
					     0x0a, VMLAB_REGION_INFO_SIZE_V1)

/*
 * Page-table walks
 *
 * Levels are numbered from the top; on 4-level paging P4D is folded into
 * PGD and its bit is clear in struct vmlab_walk::valid_levels.
 */
#define VMLAB_LEVEL_PGD		0
#define VMLAB_LEVEL_P4D		1
#define VMLAB_LEVEL_PUD		2
#define VMLAB_LEVEL_PMD		3
#define VMLAB_LEVEL_PTE		4
#define VMLAB_NR_LEVELS		5
#define VMLAB_LEVEL_NONE	0xff	/* no VMA at the address: no walk */

/* leaf entry flags, arch-neutral (struct vmlab_walk::leaf_flags) */
#define VMLAB_PTE_PRESENT	_BITUL(0)
#define VMLAB_PTE_WRITE		_BITUL(1)
#define VMLAB_PTE_USER		_BITUL(2)
#define VMLAB_PTE_ACCESSED	_BITUL(3)
#define VMLAB_PTE_DIRTY		_BITUL(4)
#define VMLAB_PTE_SOFT_DIRTY	_BITUL(5)
#define VMLAB_PTE_NOEXEC	_BITUL(6)
#define VMLAB_PTE_GLOBAL	_BITUL(7)
#define VMLAB_PTE_HUGE		_BITUL(8)	/* a PMD or PUD leaf */
#define VMLAB_PTE_SPECIAL	_BITUL(9)	/* no struct page behind it */
#define VMLAB_PTE_UFFD_WP	_BITUL(10)
#define VMLAB_PTE_PROTNONE	_BITUL(11)	/* PROT_NONE or NUMA hinting */
#define VMLAB_PTE_SWAP		_BITUL(12)	/* not present: a swap entry */
#define VMLAB_PTE_MIGRATION	_BITUL(13)	/* not present: under migration */
#define VMLAB_PTE_DEVMAP	_BITUL(14)
#define VMLAB_PTE_CONT		_BITUL(15)	/* one of a contiguous run (arm64) */

/* page state where a struct page backs the leaf (struct vmlab_walk::page_flags) */
#define VMLAB_PAGE_PRESENT	_BITUL(0)	/* the fields below are valid */
#define VMLAB_PAGE_ANON		_BITUL(1)
#define VMLAB_PAGE_ANON_EXCLUSIVE _BITUL(2)
#define VMLAB_PAGE_KSM		_BITUL(3)
#define VMLAB_PAGE_ZERO		_BITUL(4)	/* the kernel's zero page */
#define VMLAB_PAGE_HUGE_ZERO	_BITUL(5)	/* the kernel's huge zero page */
#define VMLAB_PAGE_VMLAB_ZERO	_BITUL(6)	/* vmlab's own zero page */
#define VMLAB_PAGE_COMPOUND	_BITUL(7)	/* part of a compound page (@order) */
#define VMLAB_PAGE_THP		_BITUL(8)	/* a transparent huge page */
#define VMLAB_PAGE_LRU		_BITUL(9)
#define VMLAB_PAGE_DIRTY	_BITUL(10)
#define VMLAB_PAGE_SWAPCACHE	_BITUL(11)
#define VMLAB_PAGE_VMLAB	_BITUL(12)	/* a page of a vmlab region */

/* decoded VMA flags (struct vmlab_walk::vma_flags) */
#define VMLAB_VMA_READ		_BITUL(0)
#define VMLAB_VMA_WRITE		_BITUL(1)
#define VMLAB_VMA_EXEC		_BITUL(2)
#define VMLAB_VMA_SHARED	_BITUL(3)
#define VMLAB_VMA_MAYREAD	_BITUL(4)
#define VMLAB_VMA_MAYWRITE	_BITUL(5)
#define VMLAB_VMA_MAYEXEC	_BITUL(6)
#define VMLAB_VMA_MAYSHARE	_BITUL(7)
#define VMLAB_VMA_PFNMAP	_BITUL(8)
#define VMLAB_VMA_IO		_BITUL(9)
#define VMLAB_VMA_MIXEDMAP	_BITUL(10)
#define VMLAB_VMA_HUGETLB	_BITUL(11)
#define VMLAB_VMA_DONTCOPY	_BITUL(12)
#define VMLAB_VMA_DONTEXPAND	_BITUL(13)
#define VMLAB_VMA_DONTDUMP	_BITUL(14)
#define VMLAB_VMA_HUGEPAGE	_BITUL(15)
#define VMLAB_VMA_NOHUGEPAGE	_BITUL(16)
#define VMLAB_VMA_LOCKED	_BITUL(17)
#define VMLAB_VMA_GROWSDOWN	_BITUL(18)

/* what backs a VMA (struct vmlab_walk::backing) */
#define VMLAB_BACKING_ANON	1	/* anonymous memory */
#define VMLAB_BACKING_FILE	2	/* a regular file's page cache */
#define VMLAB_BACKING_SHMEM	3	/* shmem/tmpfs, incl. MAP_SHARED|MAP_ANONYMOUS */
#define VMLAB_BACKING_HUGETLB	4
#define VMLAB_BACKING_VMLAB	5	/* a vmlab region: see @region_id */
#define VMLAB_BACKING_PFNMAP	6	/* another driver's PFN map */
#define VMLAB_BACKING_OTHER	7	/* special mappings: vdso, vvar, ... */

/*
 * The COW verdict: what a write to the page would do now.
 * libvmlab's vmlab_verdict_reason() gives the one-line reason of each.
 * An anonymous page that is not known exclusive is "ours alone" when it is
 * mapped once and nothing else (a pin, a pipe) holds a reference to it.
 */
#define VMLAB_COW_NONE		0	/* nothing mapped: a write faults a page in */
#define VMLAB_COW_ZERO_PAGE	1	/* a zero page: a write allocates */
#define VMLAB_COW_SHARED	2	/* anon, write-protected, not ours alone: copies */
#define VMLAB_COW_EXCLUSIVE_WP	3	/* anon, write-protected, ours alone: reused */
#define VMLAB_COW_PRIVATE_FILE	4	/* file page or PFN map entry, private: a write copies */
#define VMLAB_COW_WRITABLE	5	/* private and writable: a write just writes */
#define VMLAB_COW_SHARED_WRITABLE 6	/* shared mapping, writable entry */
#define VMLAB_COW_SHARED_CLEAN	7	/* shared, write-protected: page_mkwrite */
#define VMLAB_COW_READONLY	8	/* the VMA forbids writing: SIGSEGV */
#define VMLAB_COW_PFNMAP	9	/* shared PFN map, no struct page: goes to the device */
#define VMLAB_COW_SWAPPED	10	/* swapped or migrating: faulted back first */

/*
 * Frame tokens
 *
 * PFNs are shown only when the opener of /dev/vmlab has CAP_SYS_ADMIN, the
 * rule /proc/PID/pagemap follows since Linux 4.2 (CVE-2016-0823): knowing
 * which physical frames back one's memory is the first step of rowhammer
 * attacks, which flip bits in a frame by hammering its physical
 * neighbours. Without PFNs a student cannot see copy-on-write happen (is
 * it still the same frame?), so a walk also gives a frame token: a keyed
 * hash of the PFN (SipHash-2-4, <linux/siphash.h>), whose 128-bit key is
 * drawn at random when /dev/vmlab is opened and never leaves the kernel.
 *
 * Two tokens from the same open file description are equal exactly when
 * the frames are (barring a 64-bit collision); the key is shared by every
 * descriptor of it (dup, fork, SCM_RIGHTS), so a parent and its child
 * compare frames through the file they share, while a new open gets a new
 * key: tokens of two opens cannot be compared. A token says nothing about
 * a frame's physical address or neighbours and cannot be turned back into
 * a PFN without the key. What it does tell is equality, within one open:
 * whether two pages share a frame, and whether a frame seen before came
 * back (an unprivileged process can also time a write to learn the
 * former). Tokens are given to every opener, with or without PFNs.
 */

/*
 * struct vmlab_walk::flags and struct vmlab_walk_range::flags (in)
 *
 * VMLAB_WALK_MEM_FD: @pid is not a pid but a file descriptor of the
 * caller's, open on /proc/PID/mem (or /proc/PID/task/TID/mem): the walk
 * reads the address space that file was opened on. The kernel checked the
 * access when the file was opened (ptrace_may_access() with
 * PTRACE_MODE_ATTACH, which consults Yama's ptrace_scope and the LSMs), so
 * no capability is needed, as none is needed to read(2) the file. Its
 * errors: EBADF for @pid not an open file descriptor, EINVAL for a file
 * that is not /proc/PID/mem (another /proc file, a pidfd, anything else)
 * or one of a process without an address space, ESRCH when the address
 * space the file was opened on is gone (the process exited or called
 * execve), EOPNOTSUPP when the module could not find /proc's mem files at
 * load time (VMLAB_FEAT_WALK_MEM_FD clear: /proc was not mounted).
 *
 * VMLAB_WALK_RANGE_TOKENS (WALK_RANGE only): where PFNs are hidden, each
 * record's @pfn holds the frame token of its leaf's first frame instead
 * of 0, and @walk_flags has VMLAB_WALK_FRAME_TOKEN.
 */
#define VMLAB_WALK_MEM_FD	_BITUL(0)
#define VMLAB_WALK_RANGE_TOKENS	_BITUL(1)

/* struct vmlab_walk::walk_flags */
#define VMLAB_WALK_PFN_HIDDEN	_BITUL(0)	/* PFNs zeroed: the opener lacks CAP_SYS_ADMIN */
#define VMLAB_WALK_NO_VMA	_BITUL(1)	/* no VMA covers the address */
#define VMLAB_WALK_FRAME_TOKEN	_BITUL(2)	/* a frame token is given (see above) */

/**
 * struct vmlab_walk - the page tables and page behind one address
 * @size: (in) sizeof(struct vmlab_walk)
 * @pid: (in) the process to walk, in the caller's pid namespace; 0 for the
 *	caller. Another process needs CAP_SYS_PTRACE in the opener. With
 *	VMLAB_WALK_MEM_FD: a file descriptor of /proc/PID/mem instead
 * @addr: (in) a user virtual address (any alignment)
 * @flags: (in) 0 or VMLAB_WALK_MEM_FD
 * @valid_levels: (out) bit (1 << VMLAB_LEVEL_*) per level this kernel's
 *	paging has (P4D's clear on 4-level paging)
 * @present_levels: (out) bit per level whose entry was present
 * @leaf_level: (out) the level of the leaf, or where the walk stopped at an
 *	empty entry; VMLAB_LEVEL_NONE without a VMA
 * @walk_flags: (out) VMLAB_WALK_*
 * @entries: (out) the raw entry read at each level (0 where not reached);
 *	with VMLAB_WALK_PFN_HIDDEN their physical-address bits (and a swap
 *	entry's offset) are cleared
 * @index: (out) the index into the table at each level
 * @leaf_size: (out) bytes the leaf maps (4 KiB, 2 MiB, 1 GiB); 0 for none
 * @pfn: (out) the leaf's first page frame number (that of @addr is this
 *	plus @addr's page offset in the leaf); 0 with VMLAB_WALK_PFN_HIDDEN
 * @leaf_flags: (out) VMLAB_PTE_*
 * @cache_mode: (out) VMLAB_CACHE_* of a present leaf, as the CPU applies
 *	it: decoded through the kernel's PAT layout (without PAT, as on 6.1
 *	booted without MTRRs, a write-combining request shows as UC-)
 * @verdict: (out) VMLAB_COW_*
 * @swap_type: (out) with VMLAB_PTE_SWAP or _MIGRATION: the swap type
 * @__pad: zero
 * @swap_offset: (out) with VMLAB_PTE_SWAP or _MIGRATION: the offset (a
 *	PFN for a migration entry); 0 with VMLAB_WALK_PFN_HIDDEN
 * @page_flags: (out) VMLAB_PAGE_*
 * @refcount: (out) the page's (folio's) reference count
 * @mapcount: (out) how many page-table entries map the page (on kernels
 *	without per-page mapcounts, 6.12 on: the folio's mapcount)
 * @order: (out) the folio's order (0 for a base page)
 * @region_id: (out) with VMLAB_BACKING_VMLAB: the region
 * @vma_start: (out) the VMA's first address
 * @vma_end: (out) the VMA's end (exclusive)
 * @vm_flags: (out) the VMA's raw vm_flags (kernel-internal bits)
 * @vma_flags: (out) VMLAB_VMA_*
 * @backing: (out) VMLAB_BACKING_*
 * @region_kind: (out) with VMLAB_BACKING_VMLAB: VMLAB_REGION_*
 * @__pad2: must be zero
 * @__reserved: must be zero
 * @frame_token: (out) with VMLAB_WALK_FRAME_TOKEN (set for every present
 *	leaf): the frame token of the frame that holds @addr, shown with or
 *	without the PFN (see "Frame tokens"); else 0. Not in the struct of
 *	VMLAB_IOC_WALK_V1
 *
 * Used by VMLAB_IOC_WALK. An address without a VMA, or whose tables are
 * not populated, is not an error: see @leaf_level and @walk_flags.
 * Errors: EINVAL for a kernel or non-canonical @addr, unknown @flags,
 * non-zero padding, or the @pid of a process without an address space (a
 * kernel thread, or one exiting); ESRCH for a @pid that names no process;
 * EPERM for another process without CAP_SYS_PTRACE; EINTR when a fatal
 * signal came while waiting for the process's mmap lock; with
 * VMLAB_WALK_MEM_FD the errors listed with it.
 */
struct vmlab_walk {
	__u32 size;
	__u32 pid;
	__u64 addr;
	__u32 flags;
	__u32 valid_levels;
	__u32 present_levels;
	__u32 leaf_level;
	__u32 walk_flags;
	__u32 __pad;
	__u64 entries[VMLAB_NR_LEVELS];
	__u32 index[VMLAB_NR_LEVELS];
	__u32 cache_mode;
	__u64 leaf_size;
	__u64 pfn;
	__u32 leaf_flags;
	__u32 verdict;
	__u32 swap_type;
	__u32 page_flags;
	__u64 swap_offset;
	__u32 refcount;
	__u32 mapcount;
	__u32 order;
	__u32 region_id;
	__u64 vma_start;
	__u64 vma_end;
	__u64 vm_flags;
	__u32 vma_flags;
	__u32 backing;
	__u32 region_kind;
	__u32 __pad2;
	__u64 __reserved[4];
	__u64 frame_token;
};

/**
 * struct vmlab_walk_record - one leaf of a range walk (32 bytes)
 * @addr: the first address the leaf maps (below the range's start for a
 *	huge leaf that begins before it)
 * @entry: the raw leaf entry (hidden bits cleared as in struct vmlab_walk)
 * @pfn: its first page frame number; 0 with VMLAB_WALK_PFN_HIDDEN, or with
 *	VMLAB_WALK_FRAME_TOKEN that frame's token (VMLAB_WALK_RANGE_TOKENS)
 * @leaf_flags: VMLAB_PTE_*
 * @level: VMLAB_LEVEL_PTE, _PMD or _PUD (_PGD: a 4 MiB leaf of 2-level paging)
 * @verdict: VMLAB_COW_*
 * @cache_mode: VMLAB_CACHE_*
 * @page_flags: the low 8 bits of VMLAB_PAGE_*: _PRESENT, _ANON,
 *	_ANON_EXCLUSIVE, _KSM, _ZERO, _HUGE_ZERO, _VMLAB_ZERO, _COMPOUND
 */
struct vmlab_walk_record {
	__u64 addr;
	__u64 entry;
	__u64 pfn;
	__u32 leaf_flags;
	__u8 level;
	__u8 verdict;
	__u8 cache_mode;
	__u8 page_flags;
};

/* the most records one VMLAB_IOC_WALK_RANGE call returns */
#define VMLAB_WALK_RANGE_MAX	65536

/**
 * struct vmlab_walk_range - the leaves of an address range
 * @size: (in) sizeof(struct vmlab_walk_range)
 * @pid: (in) as for struct vmlab_walk (a file descriptor with
 *	VMLAB_WALK_MEM_FD)
 * @start: (in) first address, page-aligned
 * @end: (in) end (exclusive), page-aligned, above @start
 * @records: (in) user pointer to an array of struct vmlab_walk_record
 * @max_records: (in) room in @records, 1 to VMLAB_WALK_RANGE_MAX
 * @nr_records: (out) records written
 * @flags: (in) VMLAB_WALK_MEM_FD, VMLAB_WALK_RANGE_TOKENS, or 0
 * @walk_flags: (out) VMLAB_WALK_PFN_HIDDEN, VMLAB_WALK_FRAME_TOKEN
 * @walk_end: (out) where the walk stopped: @end when the range is done,
 *	else the address to pass as @start to go on
 * @__reserved: must be zero
 *
 * One record per non-empty leaf entry (present, swap, migration or another
 * marker), in address order; holes are skipped at the highest empty level
 * and addresses without a VMA are skipped. A call stops when @records is
 * full, or after a bounded amount of work (then possibly with no record and
 * @walk_end below @end): call again from @walk_end until it reaches @end.
 * The first record is written (zeroed) even when none is found.
 * Errors: EINVAL for unaligned, kernel or non-canonical addresses,
 * @end <= @start, @max_records 0 or over the cap, unknown @flags, non-zero
 * padding; EFAULT for @records not writable; ENOMEM; ESRCH, EPERM, EINTR
 * and EINVAL for @pid as for WALK, and with VMLAB_WALK_MEM_FD its errors.
 */
struct vmlab_walk_range {
	__u32 size;
	__u32 pid;
	__u64 start;
	__u64 end;
	__u64 records;
	__u32 max_records;
	__u32 nr_records;
	__u32 flags;
	__u32 walk_flags;
	__u64 walk_end;
	__u64 __reserved[2];
};

#define VMLAB_IOC_WALK		_IOWR(VMLAB_IOC_MAGIC, 0x10, struct vmlab_walk)
#define VMLAB_IOC_WALK_RANGE	_IOWR(VMLAB_IOC_MAGIC, 0x11, struct vmlab_walk_range)

/*
 * WALK with the struct of the first ABI, which ends before @frame_token:
 * still served, for programs built against it; it gets no token.
 */
#define VMLAB_WALK_SIZE_V1	232
#define VMLAB_IOC_WALK_V1	_IOC(_IOC_READ | _IOC_WRITE, VMLAB_IOC_MAGIC, \
				     0x10, VMLAB_WALK_SIZE_V1)

#endif /* _UAPI_LINUX_VMLAB_H */
