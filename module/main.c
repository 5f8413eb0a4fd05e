// SPDX-License-Identifier: GPL-2.0
/*
 * vmlab - a teaching lab for memory mappings and page tables
 *
 * main.c: module init/exit, the misc device /dev/vmlab and ioctl dispatch.
 * Each command is copied in once, validated, served and copied back whole.
 *
 * From user space:
 *
 *	int fd = open("/dev/vmlab", O_RDWR | O_CLOEXEC);
 *	struct vmlab_info info = { .size = sizeof(info) };
 *
 *	if (ioctl(fd, VMLAB_IOC_INFO, &info) == 0)
 *		printf("ABI %u, %u-level paging\n", info.abi_version,
 *		       info.pgtable_levels);
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/capability.h>
#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/pgtable.h>
#include <linux/random.h>
#include <linux/siphash.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/utsname.h>
#include <linux/vmlab.h>

#include "arch.h"
#include "compat.h"
#include "internal.h"

static ushort devmode = 0600;
module_param(devmode, ushort, 0444);
MODULE_PARM_DESC(devmode,
		 "permission bits of /dev/vmlab (default 0600; 0660 lets a group in, which udev or the admin sets)");

/* Paging levels in use now: a 5-level build folds P4D when LA57 is off. */
static u32 vmlab_pgtable_levels(void)
{
	if (CONFIG_PGTABLE_LEVELS >= 5 && PTRS_PER_P4D == 1)
		return CONFIG_PGTABLE_LEVELS - 1;
	return CONFIG_PGTABLE_LEVELS;
}

static long vmlab_ioc_info(struct file *file, void *arg)
{
	struct vmlab_info *info = arg;

	if (memchr_inv(info->__reserved, 0, sizeof(info->__reserved)))
		return -EINVAL;

	memset(info, 0, sizeof(*info));
	info->size = sizeof(*info);
	info->abi_version = VMLAB_ABI_VERSION;
	info->features = vmlab_regions_features() | VMLAB_FEAT_WALK |
			 VMLAB_FEAT_WALK_RANGE | VMLAB_FEAT_FRAME_TOKENS |
			 vmlab_target_features();
	info->page_size = PAGE_SIZE;
	info->pgtable_levels = vmlab_pgtable_levels();
	strscpy(info->release, utsname()->release, sizeof(info->release));
	info->pages_in_use = vmlab_regions_pages_in_use();
	return 0;
}

/*
 * What the opener of /dev/vmlab may do: decided by the credentials of the
 * open file, never by those of the task calling, as for /proc/PID/pagemap
 * and a BAR's sysfs resource file. A file root opened keeps its rights in
 * a child that dropped privileges; a file a user opened never gains any.
 */
bool vmlab_show_pfn(struct file *file)
{
	return file_ns_capable(file, &init_user_ns, CAP_SYS_ADMIN);
}

bool vmlab_may_use_device(struct file *file)
{
	return file_ns_capable(file, &init_user_ns, CAP_SYS_RAWIO);
}

/*
 * struct vmlab_open_file - what one open file description of /dev/vmlab
 * holds (file->private_data): @token_key, the SipHash key of its frame
 * tokens, drawn at open. Every descriptor of the file (dup, fork,
 * SCM_RIGHTS) shares it; another open gets another. It never leaves the
 * kernel and is wiped when the file is released.
 */
struct vmlab_open_file {
	siphash_key_t token_key;
};

static int vmlab_open(struct inode *inode, struct file *file)
{
	struct vmlab_open_file *of = kmalloc(sizeof(*of), GFP_KERNEL);

	if (!of)
		return -ENOMEM;
	get_random_bytes(&of->token_key, sizeof(of->token_key));
	/* misc_open() left the miscdevice here: we do not need it */
	file->private_data = of;
	/*
	 * A 32-bit kernel lets a character device map only below 4 GiB
	 * (file_mmap_ok(): ULONG_MAX) unless its offsets are unsigned, as
	 * /dev/mem's are: region offsets go up to 2^44 there.
	 */
	if (!IS_ENABLED(CONFIG_64BIT))
		vmlab_file_unsigned_offset(file);
	return 0;
}

static int vmlab_release(struct inode *inode, struct file *file)
{
	kfree_sensitive(file->private_data);
	return 0;
}

/*
 * The frame token of @pfn for the opener of @file (see "Frame tokens" in
 * the uapi header): a keyed hash, equal for equal frames within this open
 * file description, unrelated across opens, not reversible without the key.
 */
u64 vmlab_frame_token(struct file *file, unsigned long pfn)
{
	const struct vmlab_open_file *of = file->private_data;

	return siphash_1u64(pfn, &of->token_key);
}

/*
 * The commands. Each handler gets the command struct already copied in, with
 * its size field checked; it validates the rest, and on success the struct
 * is copied back whole for commands that return data (_IOR/_IOWR). A
 * command that changes state has @undo: run when that copy back fails, it
 * takes the change back, so that a failed call leaves nothing behind.
 */
struct vmlab_ioctl_desc {
	unsigned int cmd;
	long (*fn)(struct file *file, void *arg);
	void (*undo)(struct file *file, void *arg);
};

static const struct vmlab_ioctl_desc vmlab_ioctls[] = {
	{ VMLAB_IOC_INFO,		vmlab_ioc_info },
	{ VMLAB_IOC_REGION_CREATE,	vmlab_ioc_region_create,
					vmlab_ioc_region_create_undo },
	{ VMLAB_IOC_REGION_DESTROY,	vmlab_ioc_region_destroy },
	{ VMLAB_IOC_REGION_INFO,	vmlab_ioc_region_info },
	/* the first ABI's structs, shorter: see the uapi header */
	{ VMLAB_IOC_REGION_CREATE_V1,	vmlab_ioc_region_create,
					vmlab_ioc_region_create_undo },
	{ VMLAB_IOC_REGION_INFO_V1,	vmlab_ioc_region_info },
	{ VMLAB_IOC_REGION_LIST,	vmlab_ioc_region_list },
	{ VMLAB_IOC_WALK,		vmlab_ioc_walk },
	{ VMLAB_IOC_WALK_V1,		vmlab_ioc_walk },
	{ VMLAB_IOC_WALK_RANGE,		vmlab_ioc_walk_range },
};

/* Big enough for the largest command struct. */
union vmlab_ioctl_arg {
	struct vmlab_info info;
	struct vmlab_region_create region_create;
	struct vmlab_region_destroy region_destroy;
	struct vmlab_region_info region_info;
	struct vmlab_region_list region_list;
	struct vmlab_walk walk;
	struct vmlab_walk_range walk_range;
};

static long vmlab_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	void __user *uarg = (void __user *)arg;
	const struct vmlab_ioctl_desc *desc = NULL;
	union vmlab_ioctl_arg buf;
	unsigned int size = _IOC_SIZE(cmd);
	long ret;
	int i;

	for (i = 0; i < ARRAY_SIZE(vmlab_ioctls); i++) {
		if (vmlab_ioctls[i].cmd == cmd) {
			desc = &vmlab_ioctls[i];
			break;
		}
	}
	if (!desc)
		return -ENOTTY;
	BUILD_BUG_ON(VMLAB_REGION_CREATE_SIZE_V1 !=
		     offsetof(struct vmlab_region_create, pci_addr_hi));
	BUILD_BUG_ON(VMLAB_REGION_INFO_SIZE_V1 !=
		     offsetof(struct vmlab_region_info, pci_addr_hi));
	BUILD_BUG_ON(offsetof(struct vmlab_walk, frame_token) != VMLAB_WALK_SIZE_V1);
	if (WARN_ON_ONCE(size > sizeof(buf) || size < sizeof(u32)))
		return -ENOTTY;

	/* a struct of an older ABI is shorter: what it lacks reads as zero */
	memset((u8 *)&buf + size, 0, sizeof(buf) - size);
	if (copy_from_user(&buf, uarg, size))
		return -EFAULT;
	/* every command struct starts with its own size */
	if (*(u32 *)&buf != size)
		return -EINVAL;

	ret = desc->fn(file, &buf);
	if (ret)
		return ret;
	*(u32 *)&buf = size;	/* the caller's struct, whatever the handler set */
	if ((_IOC_DIR(cmd) & _IOC_READ) && copy_to_user(uarg, &buf, size)) {
		if (desc->undo)
			desc->undo(file, &buf);
		return -EFAULT;
	}
	return 0;
}

static const struct file_operations vmlab_fops = {
	.owner		= THIS_MODULE,
	.open		= vmlab_open,
	.release	= vmlab_release,
	.unlocked_ioctl	= vmlab_ioctl,
	.compat_ioctl	= compat_ptr_ioctl,
	.mmap		= vmlab_region_mmap,
	.read		= vmlab_region_read,
	.write		= vmlab_region_write,
	.llseek		= vmlab_region_llseek,
	.fsync		= vmlab_region_fsync_all,
};

static struct miscdevice vmlab_misc = {
	.minor	= MISC_DYNAMIC_MINOR,
	.name	= "vmlab",
	.fops	= &vmlab_fops,
};

static int __init vmlab_init(void)
{
	int ret;

	if (devmode & ~0666) {
		pr_err("devmode %#o has bits outside 0666\n", devmode);
		return -EINVAL;
	}
	vmlab_misc.mode = devmode;
	vmlab_arch_init();
	vmlab_target_init();

	ret = vmlab_regions_init();
	if (ret) {
		pr_err("cannot set up regions: %d\n", ret);
		return ret;
	}
	ret = vmlab_pci_init();
	if (ret) {
		pr_err("cannot register the PCI driver: %d\n", ret);
		goto exit_regions;
	}
	ret = misc_register(&vmlab_misc);
	if (ret) {
		pr_err("cannot register /dev/vmlab: %d\n", ret);
		goto exit_pci;
	}
	pr_info("version %s loaded, ABI %d\n", VMLAB_MODULE_VERSION,
		VMLAB_ABI_VERSION);
	return 0;

exit_pci:
	vmlab_pci_exit();
exit_regions:
	vmlab_regions_exit();
	return ret;
}

static void __exit vmlab_exit(void)
{
	misc_deregister(&vmlab_misc);
	/* removes every device: regions left on them are marked gone */
	vmlab_pci_exit();
	vmlab_regions_exit();
	pr_info("unloaded\n");
}

module_init(vmlab_init);
module_exit(vmlab_exit);

MODULE_LICENSE("GPL");
MODULE_AUTHOR("The vmlab authors");
MODULE_DESCRIPTION("A lab for memory mappings and page tables: regions, faults, walks");
MODULE_VERSION(VMLAB_MODULE_VERSION);
