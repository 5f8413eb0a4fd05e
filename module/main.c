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

#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/pgtable.h>
#include <linux/uaccess.h>
#include <linux/utsname.h>
#include <linux/vmlab.h>

#include "compat.h"
#include "vmlab.h"

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

static long vmlab_ioc_info(struct file *file, void __user *uarg)
{
	struct vmlab_info info;

	if (copy_from_user(&info, uarg, sizeof(info)))
		return -EFAULT;
	if (info.size != sizeof(info) ||
	    memchr_inv(info.__reserved, 0, sizeof(info.__reserved)))
		return -EINVAL;

	memset(&info, 0, sizeof(info));
	info.size = sizeof(info);
	info.abi_version = VMLAB_ABI_VERSION;
	info.features = 0;
	info.page_size = PAGE_SIZE;
	info.pgtable_levels = vmlab_pgtable_levels();
	strscpy(info.release, utsname()->release, sizeof(info.release));

	if (copy_to_user(uarg, &info, sizeof(info)))
		return -EFAULT;
	return 0;
}

static long vmlab_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	void __user *uarg = (void __user *)arg;

	switch (cmd) {
	case VMLAB_IOC_INFO:
		return vmlab_ioc_info(file, uarg);
	default:
		return -ENOTTY;
	}
}

static const struct file_operations vmlab_fops = {
	.owner		= THIS_MODULE,
	.unlocked_ioctl	= vmlab_ioctl,
	.compat_ioctl	= compat_ptr_ioctl,
	.llseek		= noop_llseek,
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

	ret = misc_register(&vmlab_misc);
	if (ret) {
		pr_err("cannot register /dev/vmlab: %d\n", ret);
		return ret;
	}
	pr_info("version %s loaded, ABI %d\n", VMLAB_MODULE_VERSION,
		VMLAB_ABI_VERSION);
	return 0;
}

static void __exit vmlab_exit(void)
{
	misc_deregister(&vmlab_misc);
	pr_info("unloaded\n");
}

module_init(vmlab_init);
module_exit(vmlab_exit);

MODULE_LICENSE("GPL");
MODULE_AUTHOR("The vmlab authors");
MODULE_DESCRIPTION("A lab for memory mappings and page tables: regions, faults, walks");
MODULE_VERSION(VMLAB_MODULE_VERSION);
