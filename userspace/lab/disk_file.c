// SPDX-License-Identifier: GPL-2.0
/*
 * disk_file.c - lesson "disk-file": a file on a disk file system (ext2 on
 * a RAM disk in the VM, not tmpfs): the walk says file, not shmem, and two
 * processes that each open and map it share its page-cache frame.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/statfs.h>
#include <unistd.h>

#include "lab.h"

#define TMPFS_MAGIC	0x01021994
#define RAMFS_MAGIC	0x858458f6
#define EXT2_MAGIC	0xef53		/* ext2, ext3, ext4 */
#define MOUNT_DIR	"/tmp/vmlab-disk"
#define PATH_SIZE	64

/*
 * A directory on a disk file system this process may write: one already
 * there, else (root, in the VM) a RAM disk with ext2 mounted at MOUNT_DIR;
 * NULL when neither (the lesson is skipped). *@mounted: we set it up.
 */
static const char *disk_dir(struct lab *lab, bool *mounted)
{
	static const char *const dirs[] = { "/var/tmp", "/tmp", "/root" };
	struct statfs sf;
	size_t i;

	*mounted = false;
	for (i = 0; i < ARRAY_SIZE(dirs); i++)
		if (!statfs(dirs[i], &sf) && (unsigned long)sf.f_type != TMPFS_MAGIC &&
		    (unsigned long)sf.f_type != RAMFS_MAGIC && !access(dirs[i], W_OK))
			return dirs[i];
	if (lab_disk(lab, "ext2 " MOUNT_DIR))
		return NULL;
	*mounted = true;
	return MOUNT_DIR;
}

/*
 * the child: waits for the file's path (PATH_SIZE bytes; anything else:
 * the parent gave up), opens and maps it itself, writes 'B', reports its
 * page
 */
static int disk_child(struct lab *lab, void *arg, int tell, int hear)
{
	char path[PATH_SIZE];
	volatile char *m;
	int fd;

	if (read(hear, path, sizeof(path)) != sizeof(path))
		return 0;
	path[sizeof(path) - 1] = '\0';
	fd = open(path, O_RDWR);
	if (fd < 0)
		return 1;
	m = mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	close(fd);
	if (m == MAP_FAILED)
		return 1;
	m[1] = 'B';
	if (send_walk(lab, m, tell))
		return 1;
	wait_go(hear);
	return 0;
}

/* The file's page, mapped by us and by the child: one frame. */
static void share_page(struct lab *lab, const char *path, int fd, int to_child,
		       int from_child)
{
	static const struct want file_page = { VMLAB_COW_SHARED_WRITABLE,
		.pte_set = VMLAB_PTE_PRESENT | VMLAB_PTE_WRITE,
		.page_clear = VMLAB_PAGE_ANON };
	struct vmlab_walk a, b;
	volatile char *m;
	char c = 0;

	m = mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (m == MAP_FAILED) {
		lab_error(lab, "mmap");
		return;
	}
	m[0] = 'A';
	say("process A maps it MAP_SHARED and writes 'A'; process B (forked");
	say("before the file existed) opens and maps it, and writes 'B'");
	if (write(to_child, path, PATH_SIZE) != PATH_SIZE || child_walk(lab, from_child, &b))
		goto unmap;
	print_header();
	step(lab, "A: the file's page", m, &file_page, &a);
	lab_picture(lab, "file-page", 0, m, PG);
	show(lab, "B: the file's page", &b);
	check_want(lab, &b, &file_page);
	check_pfn(lab, "A and B to map one page-cache frame", &a, &b, true);
	check_u64(lab, "mapcount of the page", 2, a.mapcount);
	printf("  %-26s %s in both, not shmem: a disk's file\n", "the walk says",
	       vmlab_backing_name(a.backing));
	if (a.backing != VMLAB_BACKING_FILE || b.backing != VMLAB_BACKING_FILE)
		mismatch(lab, "expected backing file, kernel shows %s and %s",
			 vmlab_backing_name(a.backing), vmlab_backing_name(b.backing));
	check_char(lab, "B's byte, read by A", 'B', m[1]);
	if (pread(fd, &c, 1, 1) != 1)
		lab_error(lab, "pread");
	check_char(lab, "the file's byte 1 (pread)", 'B', c);
unmap:
	munmap((void *)m, PG);
}

static void disk_file_run(struct lab *lab)
{
	char path[PATH_SIZE] = "";
	struct statfs sf;
	int to_child, from_child, fd = -1;
	bool mounted;
	const char *dir;
	pid_t pid;

	pid = lab_fork(lab, disk_child, NULL, &to_child, &from_child);
	if (pid < 0)
		return;
	dir = disk_dir(lab, &mounted);
	if (!dir)
		goto reap;
	snprintf(path, sizeof(path), "%s/vmlab-lecture", dir);
	if (statfs(dir, &sf))
		sf.f_type = 0;
	say("a file of one page on %s (file system magic %#lx%s)", dir,
	    (unsigned long)sf.f_type, sf.f_type == EXT2_MAGIC ? ": ext2/3/4" : "");
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0 || ftruncate(fd, PG)) {
		lab_error(lab, "open");
		goto reap;
	}
	share_page(lab, path, fd, to_child, from_child);
reap:
	if (write(to_child, "x", 1) != 1)
		lab_error(lab, "write to the child");
	lab_reap(lab, pid, to_child, from_child);
	if (fd >= 0) {
		close(fd);
		unlink(path);
	}
	if (mounted)
		lab_disk_off();
}

const struct lesson lesson_disk_file = {
	.name = "disk-file",
	.title = "A file on a disk: one page-cache frame for all",
	.run = disk_file_run,
	.moral =
	"A file on a disk file system lives in the page cache (the walk says\n"
	"file, not shmem); every process that maps it MAP_SHARED maps that one\n"
	"frame, so their writes meet there before they reach the disk.",
};
