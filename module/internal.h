/* SPDX-License-Identifier: GPL-2.0 */
/*
 * internal.h - declarations shared by the files of vmlab.ko (not an ABI: that
 * is <linux/vmlab.h>)
 */
#ifndef _VMLAB_INTERNAL_H
#define _VMLAB_INTERNAL_H

#include <linux/atomic.h>
#include <linux/kref.h>
#include <linux/list.h>
#include <linux/mm_types.h>
#include <linux/mutex.h>
#include <linux/types.h>

struct file;
struct inode;
struct vfsmount;
struct vmlab_pci_dev;
struct vmlab_region_create;
struct vmlab_region_info;

#define VMLAB_MODULE_VERSION	"0.1.0"

/*
 * What walk.c and leaf.c ask of regions.
 *
 * vmlab_vma_region() (vm_ops.c) - whether @vma maps a vmlab region; if so,
 * stores the region's id and kind (VMLAB_REGION_*). Caller holds the mmap
 * lock of the VMA's mm (read is enough).
 *
 * vmlab_is_zero_page() (region.c) - whether @page is vmlab's own zero page,
 * the one that untouched pages of private ANON mappings map. leaf.c calls it
 * with a page-table spinlock held and under rcu_read_lock(): it must not
 * sleep.
 */
bool vmlab_vma_region(const struct vm_area_struct *vma, u32 *id, u32 *kind);
bool vmlab_is_zero_page(const struct page *page);

/* a DEVICE region is one physically contiguous allocation of at most this */
#define VMLAB_DEVICE_MAX	(4UL << 20)

/* what happened to a region: struct vmlab_region_counters, kept atomically */
struct vmlab_counters {
	atomic64_t read_faults;
	atomic64_t write_faults;
	atomic64_t cow_faults;
	atomic64_t page_mkwrite;
	atomic64_t map_pages;
	atomic64_t huge_faults;
	atomic64_t pages_allocated;
	atomic64_t pages_resident;
	atomic64_t pages_dirty;
	atomic64_t writebacks;
	atomic64_t mappings;
};

/*
 * struct vmlab_region - a region. Its settings do not change after creation;
 * the counters are atomic. @ref: one for the id (dropped by REGION_DESTROY
 * or module exit), one per VMA mapping it, one per lookup in progress.
 *
 * FILE and ANON regions keep their pages in the page cache of @inode, an
 * inode of their own sized to the region, so that the kernel's fault-around
 * and rmap-based write-protect work on them. A DEVICE region has @dev_mem,
 * physically contiguous from @pfn. A PCI region maps BAR @bar of @pci from
 * @bar_offset, at @pfn. Both have an @inode too, without pages: each
 * mapping gets a file of its own on it (whose fsync, which msync calls,
 * concerns that region only), and a PCI device's removal finds and zaps
 * the mappings through it (unmap_mapping_range).
 * @charged: bytes counted in max_total_mb (none for PCI). @huge_lock
 * serialises the PMD inserts of DEVICE and PCI faults (see vm_ops.c).
 */
struct vmlab_region {
	struct kref ref;
	u32 id;
	u32 kind;
	u32 flags;
	u32 fill;
	u32 fill_byte;
	u32 cache;
	u64 length;
	pgoff_t nr_pages;
	struct inode *inode;
	void *dev_mem;
	unsigned long pfn;
	u64 charged;
	struct vmlab_pci_dev *pci;
	u32 bar;
	u64 bar_offset;
	struct list_head pci_node;	/* in the device's list, under its lock */
	struct mutex huge_lock;
	struct vmlab_counters cnt;
};

/*
 * main.c: what the opener of /dev/vmlab may do (the open file's
 * credentials decide, not the caller's). vmlab_show_pfn() - physical
 * addresses and PFNs, with CAP_SYS_ADMIN. vmlab_may_use_device() - PCI
 * regions, real device memory, with CAP_SYS_RAWIO.
 */
bool vmlab_show_pfn(struct file *file);
bool vmlab_may_use_device(struct file *file);

/* main.c: the frame token of @pfn, keyed by the open file @file */
u64 vmlab_frame_token(struct file *file, unsigned long pfn);

/*
 * target.c, for walk.c and main.c: whose address space a walk reads.
 * vmlab_target_mm() - the mm of process @pid (0: the caller), or with
 * VMLAB_WALK_MEM_FD in @flags of the /proc/PID/mem file descriptor @pid,
 * if the opener of @file may walk it; with mmget(), dropped by mmput().
 * ERR_PTR with the errno the uapi header documents otherwise.
 * vmlab_target_init() - learns /proc's mem files at load time;
 * vmlab_target_features() - VMLAB_FEAT_WALK_MEM_FD if it did.
 */
struct mm_struct *vmlab_target_mm(struct file *file, u32 pid, u32 flags);
void vmlab_target_init(void);
u64 vmlab_target_features(void);

/*
 * region.c, for main.c: the region ioctls and file operations.
 * vmlab_ioc_region_create_undo() destroys the region a REGION_CREATE made
 * when its answer cannot be copied back.
 */
long vmlab_ioc_region_create(struct file *file, void *arg);
void vmlab_ioc_region_create_undo(struct file *file, void *arg);
long vmlab_ioc_region_destroy(struct file *file, void *arg);
long vmlab_ioc_region_info(struct file *file, void *arg);
long vmlab_ioc_region_list(struct file *file, void *arg);
ssize_t vmlab_region_read(struct file *file, char __user *buf, size_t count,
			  loff_t *ppos);
ssize_t vmlab_region_write(struct file *file, const char __user *buf,
			   size_t count, loff_t *ppos);
loff_t vmlab_region_llseek(struct file *file, loff_t offset, int whence);
int vmlab_region_fsync_all(struct file *file, loff_t start, loff_t end,
			   int datasync);
int vmlab_regions_init(void);
void vmlab_regions_exit(void);
u64 vmlab_regions_features(void);
u64 vmlab_regions_pages_in_use(void);

/*
 * region.c, for vm_ops.c. vmlab_region_at() - the region a /dev/vmlab file
 * offset @pos selects, with a reference, and the offset in it; NULL if none.
 * vmlab_region_writeback() - writes back a FILE region's dirty pages in
 * [@start, @end] (see region.c). vmlab_region_mnt() - the mount region
 * inodes live on, for the files of their mappings. vmlab_zero_page_map() -
 * a private ANON read fault: the region's page, or vmlab's zero page mapped.
 * vmlab_zero_copy_source() - zeroes for a private ANON write fault to copy.
 * vmlab_region_add_page() - a new zeroed page, locked, charged with @gfp.
 */
struct vmlab_region *vmlab_region_at(loff_t pos, u64 *in_region);
void vmlab_region_put(struct vmlab_region *region);
int vmlab_region_writeback(struct vmlab_region *region, u64 start, u64 end);
struct vfsmount *vmlab_region_mnt(void);
struct folio *vmlab_zero_page_map(struct vm_fault *vmf, vm_fault_t *ret);
struct page *vmlab_zero_copy_source(void);
struct folio *vmlab_region_add_page(struct vmlab_region *region, pgoff_t index,
				    gfp_t gfp);

/*
 * pci.c: the PCI driver and PCI regions.
 *
 * vmlab_pci_region_init() - checks the BAR @rc asks for and fills @region's
 * device, length, pages, pfn and caching mode (and @rc's length and cache);
 * a negative errno as documented for VMLAB_REGION_PCI.
 * vmlab_pci_region_attach() - puts @region, its inode made, on its device's
 * list, where removal finds it: -ENODEV if the device is gone, -EBUSY if
 * the BAR's regions use another caching mode.
 * vmlab_pci_region_release() - undoes both, from the region's release.
 * vmlab_pci_fault_begin() - false when the device is gone (SIGBUS); true
 * with the device held until vmlab_pci_fault_end(), which the fault calls
 * after its PFN insert.
 * vmlab_pci_gone() - whether the device went away.
 * vmlab_pci_region_info() - the PCI fields of REGION_INFO.
 */
int vmlab_pci_region_init(struct vmlab_region *region,
			  struct vmlab_region_create *rc);
int vmlab_pci_region_attach(struct vmlab_region *region);
void vmlab_pci_region_release(struct vmlab_region *region);
bool vmlab_pci_fault_begin(struct vmlab_region *region);
void vmlab_pci_fault_end(struct vmlab_region *region);
bool vmlab_pci_gone(struct vmlab_region *region);
void vmlab_pci_region_info(struct vmlab_region *region,
			   struct vmlab_region_info *ri);
int vmlab_pci_init(void);
void vmlab_pci_exit(void);

/* vm_ops.c, for main.c: mmap of /dev/vmlab */
int vmlab_region_mmap(struct file *file, struct vm_area_struct *vma);

/*
 * walk.c: the VMLAB_IOC_WALK and VMLAB_IOC_WALK_RANGE handlers; @arg is the
 * command struct, copied in (and back) by main.c.
 */
long vmlab_ioc_walk(struct file *file, void *arg);
long vmlab_ioc_walk_range(struct file *file, void *arg);

#endif /* _VMLAB_INTERNAL_H */
