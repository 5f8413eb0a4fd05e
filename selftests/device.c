// SPDX-License-Identifier: GPL-2.0
/*
 * device.c - selftests of /dev/vmlab itself: the node, VMLAB_IOC_INFO and
 * each of its error paths, and unloading and reloading the module.
 *
 * Runs as root in the vmlab VM; the module tests need VMLAB_KO, the path of
 * vmlab.ko, which the VM's test runner sets.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "libvmlab.h"
#include "vmlab_test.h"

FIXTURE(dev) {
	int fd;
};

FIXTURE_SETUP(dev)
{
	self->fd = vmlab_open();
	ASSERT_LE(0, self->fd) TH_LOG("open %s: %s", VMLAB_DEVICE, strerror(errno));
}

FIXTURE_TEARDOWN(dev)
{
	close(self->fd);
}

static int info_ioctl(int fd, struct vmlab_info *info)
{
	return ioctl(fd, VMLAB_IOC_INFO, info) ? errno : 0;
}

/* The node is root's character device with mode 0600. */
TEST(node_is_root_only)
{
	struct stat st;

	ASSERT_EQ(0, stat(VMLAB_DEVICE, &st));
	EXPECT_TRUE(S_ISCHR(st.st_mode));
	EXPECT_EQ(0600, st.st_mode & 07777);
	EXPECT_EQ(0, st.st_uid);
	EXPECT_EQ(0, st.st_gid);
}

/* INFO reports the ABI version, page size and release of this kernel. */
TEST_F(dev, info_reports_this_kernel)
{
	struct vmlab_info info;
	struct utsname uts;

	ASSERT_EQ(0, vmlab_info(self->fd, &info));
	ASSERT_EQ(0, uname(&uts));
	EXPECT_EQ(sizeof(info), info.size);
	EXPECT_EQ(VMLAB_ABI_VERSION, info.abi_version);
	EXPECT_EQ(sysconf(_SC_PAGESIZE), info.page_size);
	EXPECT_STREQ(uts.release, info.release);
	EXPECT_EQ(0, info.__reserved[0] | info.__reserved[1] | info.__reserved[2]);
}

/*
 * INFO's paging levels match what the address space allows: a user mapping
 * at 2^50 exists only where the levels' shape reaches there (5-level paging
 * on x86-64 and arm64 with 4 KiB pages, 4 levels with arm64's 16 KiB pages
 * and LPA2). 32-bit x86 has 2 levels, or 3 with PAE, and a 32-bit process
 * no address above 4 GiB to try.
 */
TEST_F(dev, info_paging_levels_match_address_space)
{
	void *hint = (void *)(uintptr_t)(1ULL << 50);
	struct vmlab_info info;
	void *p;

	ASSERT_EQ(0, vmlab_info(self->fd, &info));
	ASSERT_TRUE(info.pgtable_levels >= 2 && info.pgtable_levels <= 5)
		TH_LOG("pgtable_levels %u", info.pgtable_levels);
	if (sizeof(void *) < 8)
		SKIP(return, "a 32-bit process: no address above 4 GiB to map");
	p = mmap(hint, PAGE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE,
		 -1, 0);
	if (shape_user_end(info.pgtable_levels) > (uintptr_t)hint) {
		ASSERT_EQ(hint, p);
		munmap(p, PAGE);
	} else {
		ASSERT_EQ(MAP_FAILED, p);
	}
}

/* Two descriptors may be open at once and both answer. */
TEST_F(dev, two_opens)
{
	struct vmlab_info info;
	int fd2 = vmlab_open();

	ASSERT_LE(0, fd2);
	EXPECT_EQ(0, vmlab_info(fd2, &info));
	EXPECT_EQ(0, vmlab_info(self->fd, &info));
	close(fd2);
}

/* A NULL argument pointer: EFAULT. */
TEST_F(dev, info_null_pointer_efault)
{
	EXPECT_EQ(EFAULT, info_ioctl(self->fd, NULL));
}

/* A pointer into unmapped memory: EFAULT. */
TEST_F(dev, info_unmapped_pointer_efault)
{
	void *p = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	ASSERT_NE(MAP_FAILED, p);
	ASSERT_EQ(0, munmap(p, PAGE));
	EXPECT_EQ(EFAULT, info_ioctl(self->fd, p));
}

/* A struct that ends past the end of a mapping: EFAULT. */
TEST_F(dev, info_straddling_pointer_efault)
{
	char *p = mmap(NULL, 2 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
		       -1, 0);
	struct vmlab_info *info;

	ASSERT_NE(MAP_FAILED, p);
	ASSERT_EQ(0, munmap(p + PAGE, PAGE));
	info = (struct vmlab_info *)(p + PAGE - 16);
	memset(info, 0, 16);
	info->size = sizeof(*info);
	EXPECT_EQ(EFAULT, info_ioctl(self->fd, info));
	munmap(p, PAGE);
}

/* A valid struct in read-only memory: read works, the copy back fails: EFAULT. */
TEST_F(dev, info_readonly_pointer_efault)
{
	struct vmlab_info *info = mmap(NULL, PAGE, PROT_READ | PROT_WRITE,
				       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	ASSERT_NE(MAP_FAILED, info);
	info->size = sizeof(*info);
	ASSERT_EQ(0, mprotect(info, PAGE, PROT_READ));
	EXPECT_EQ(EFAULT, info_ioctl(self->fd, info));
	munmap(info, PAGE);
}

/* A size other than sizeof(struct vmlab_info): EINVAL. */
TEST_F(dev, info_wrong_size_einval)
{
	const __u32 sizes[] = { 0, 4, sizeof(struct vmlab_info) - 1,
				sizeof(struct vmlab_info) + 1,
				sizeof(struct vmlab_info) + 8, UINT32_MAX };
	struct vmlab_info info;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		memset(&info, 0, sizeof(info));
		info.size = sizes[i];
		EXPECT_EQ(EINVAL, info_ioctl(self->fd, &info)) TH_LOG("size %u", sizes[i]);
	}
}

/* Any non-zero reserved word: EINVAL, and nothing is written back. */
TEST_F(dev, info_nonzero_reserved_einval)
{
	struct vmlab_info info;
	size_t i;

	for (i = 0; i < 3; i++) {
		memset(&info, 0, sizeof(info));
		info.size = sizeof(info);
		info.__reserved[i] = 1ULL << (i * 16);
		EXPECT_EQ(EINVAL, info_ioctl(self->fd, &info)) TH_LOG("reserved[%zu]", i);
		EXPECT_EQ(0, info.abi_version);
	}
}

/* Unknown commands, including INFO's number with another size or direction: ENOTTY. */
TEST_F(dev, unknown_ioctl_enotty)
{
	const unsigned long cmds[] = {
		_IO(VMLAB_IOC_MAGIC, 0x3f),
		_IOWR(VMLAB_IOC_MAGIC, 0x00, __u64),
		_IOR(VMLAB_IOC_MAGIC, 0x00, struct vmlab_info),
		_IOW(VMLAB_IOC_MAGIC, 0x00, struct vmlab_info),
		_IOWR('K', 0x00, struct vmlab_info),
		0,
	};
	struct vmlab_info info = { .size = sizeof(info) };
	size_t i;

	for (i = 0; i < ARRAY_SIZE(cmds); i++) {
		errno = 0;
		EXPECT_EQ(-1, ioctl(self->fd, cmds[i], &info)) TH_LOG("cmd %#lx", cmds[i]);
		EXPECT_EQ(ENOTTY, errno) TH_LOG("cmd %#lx", cmds[i]);
	}
}

/* Module load and unload, leaving the module loaded with defaults. */
FIXTURE(module) {
	const char *ko;
};

FIXTURE_SETUP(module)
{
	self->ko = getenv("VMLAB_KO");
	if (!self->ko)
		SKIP(return, "VMLAB_KO (path of vmlab.ko) is not set: not in the vmlab VM");
	ASSERT_EQ(0, access(VMLAB_DEVICE, F_OK)) TH_LOG("vmlab is not loaded");
}

FIXTURE_TEARDOWN(module)
{
	if (self->ko && access(VMLAB_DEVICE, F_OK))
		load_module(self->ko, "");
}

/* rmmod fails with EWOULDBLOCK while a descriptor is open, works after close. */
TEST_F(module, unload_refused_while_open)
{
	int fd = vmlab_open();

	ASSERT_LE(0, fd);
	EXPECT_EQ(EWOULDBLOCK, unload_module());
	EXPECT_EQ(0, access(VMLAB_DEVICE, F_OK));
	close(fd);
	ASSERT_EQ(0, unload_module());
	EXPECT_EQ(-1, access(VMLAB_DEVICE, F_OK));
	ASSERT_EQ(0, load_module(self->ko, ""));
}

/* Unload and load twice in a row; the device answers after each load. */
TEST_F(module, reload_twice)
{
	struct vmlab_info info;
	int i, fd;

	for (i = 0; i < 2; i++) {
		ASSERT_EQ(0, unload_module()) TH_LOG("round %d", i);
		EXPECT_EQ(-1, access(VMLAB_DEVICE, F_OK));
		ASSERT_EQ(0, load_module(self->ko, "")) TH_LOG("round %d", i);
		fd = vmlab_open();
		ASSERT_LE(0, fd);
		EXPECT_EQ(0, vmlab_info(fd, &info));
		close(fd);
	}
}

/* devmode=0660 widens the node; bits outside 0666 refuse the load with EINVAL. */
TEST_F(module, devmode_parameter)
{
	struct stat st;

	ASSERT_EQ(0, unload_module());
	ASSERT_EQ(0, load_module(self->ko, "devmode=0660"));
	ASSERT_EQ(0, stat(VMLAB_DEVICE, &st));
	EXPECT_EQ(0660, st.st_mode & 07777);
	ASSERT_EQ(0, unload_module());
	EXPECT_EQ(EINVAL, load_module(self->ko, "devmode=0777"));
	EXPECT_EQ(EINVAL, load_module(self->ko, "devmode=04600"));
	EXPECT_EQ(-1, access(VMLAB_DEVICE, F_OK));
	ASSERT_EQ(0, load_module(self->ko, ""));
	ASSERT_EQ(0, stat(VMLAB_DEVICE, &st));
	EXPECT_EQ(0600, st.st_mode & 07777);
}

TEST_HARNESS_MAIN
