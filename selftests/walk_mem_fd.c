// SPDX-License-Identifier: GPL-2.0
/*
 * walk_mem_fd.c - selftests of walks that name their process by an open
 * /proc/PID/mem file (VMLAB_WALK_MEM_FD), whose open the kernel checked as
 * it checks ptrace (Yama, the LSMs): an unprivileged user walks its own
 * child that way while the pid path still wants CAP_SYS_PTRACE; Yama's
 * ptrace_scope 2 stops it at the open; every other file is refused with
 * its documented errno (a pipe, /dev/null, /proc/PID/maps, environ, a
 * pidfd: EINVAL; a closed or O_PATH descriptor: EBADF; a process gone or
 * exec'd since: ESRCH).
 *
 * Runs as root in the vmlab VM; the unprivileged cases in a child that
 * dropped to nobody, with the node made 0666 for the test's duration.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "libvmlab.h"
#include "vmlab_test.h"

#define YAMA_SCOPE	"/proc/sys/kernel/yama/ptrace_scope"

/*
 * A child that maps a page, writes it, tells its address up the pipe and
 * waits for a byte (or its parent's death) before it exits.
 */
struct kid {
	pid_t pid;
	char *addr;
	int go;		/* write a byte here to let it exit */
};

static int kid_start(struct kid *k)
{
	int up[2], down[2];
	char c;

	if (pipe(up) || pipe(down))
		return -1;
	k->pid = fork();
	if (k->pid < 0)
		return -1;
	if (k->pid == 0) {
		char *p = mmap(NULL, PAGE, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

		if (p == MAP_FAILED)
			_exit(1);
		p[0] = 'x';
		if (write(up[1], &p, sizeof(p)) != sizeof(p))
			_exit(1);
		_exit(read(down[0], &c, 1) == 1 ? 0 : 1);
	}
	close(up[1]);
	close(down[0]);
	k->go = down[1];
	if (read(up[0], &k->addr, sizeof(k->addr)) != sizeof(k->addr))
		return -1;
	close(up[0]);
	return 0;
}

/* lets the child exit and reaps it; 0 when it exited 0 */
static int kid_stop(struct kid *k)
{
	int status;

	if (write(k->go, "g", 1) != 1)
		kill(k->pid, SIGKILL);
	close(k->go);
	if (waitpid(k->pid, &status, 0) != k->pid)
		return -1;
	return WIFEXITED(status) && !WEXITSTATUS(status) ? 0 : -1;
}

/* the errno of a walk of @addr through @memfd (0 when it worked) */
static int mem_walk_errno(int fd, int memfd, const void *addr)
{
	struct vmlab_walk w;

	return vmlab_walk_flags(fd, memfd, VMLAB_WALK_MEM_FD, (uintptr_t)addr, &w) ? errno : 0;
}

FIXTURE(memfd) {
	int fd;
	mode_t mode;
};

FIXTURE_SETUP(memfd)
{
	struct vmlab_info info;

	ASSERT_EQ(0, node_open_to_all(&self->mode)) TH_LOG("vmlab is not loaded");
	self->fd = vmlab_open();
	ASSERT_LE(0, self->fd) TH_LOG("open %s: %s", VMLAB_DEVICE, strerror(errno));
	ASSERT_EQ(0, vmlab_info(self->fd, &info));
	/* the VM mounts /proc before loading the module: it must have found it */
	ASSERT_TRUE(info.features & VMLAB_FEAT_WALK_MEM_FD);
}

FIXTURE_TEARDOWN(memfd)
{
	close(self->fd);
	chmod(VMLAB_DEVICE, self->mode);
}

/*
 * As nobody: its own child, by pid, is EPERM as before (no
 * CAP_SYS_PTRACE); through /proc/PID/mem it walks, by WALK and WALK_RANGE,
 * and the tokens agree with the child's own walk of the page.
 */
static int nobody_walks_own_child(void)
{
	struct vmlab_walk_record rec;
	struct vmlab_walk_range r;
	struct vmlab_walk w, mine;
	int fd = vmlab_open(), memfd, ret = 0;
	struct kid k;

	if (fd < 0)
		return 1;
	if (kid_start(&k))
		return 2;
	if (!vmlab_walk(fd, k.pid, (uintptr_t)k.addr, &w) || errno != EPERM)
		ret = 3;
	memfd = vmlab_open_mem(k.pid);
	if (!ret && memfd < 0)
		ret = 4;
	if (!ret && vmlab_walk_flags(fd, memfd, VMLAB_WALK_MEM_FD, (uintptr_t)k.addr, &w))
		ret = 5;
	if (!ret && (w.verdict != VMLAB_COW_WRITABLE || !(w.walk_flags & VMLAB_WALK_PFN_HIDDEN) ||
		     w.backing != VMLAB_BACKING_ANON || w.pid != (uint32_t)memfd ||
		     w.flags != VMLAB_WALK_MEM_FD))
		ret = 6;
	if (!ret && (vmlab_walk_range_flags(fd, memfd, VMLAB_WALK_MEM_FD | VMLAB_WALK_RANGE_TOKENS,
					    (uintptr_t)k.addr, (uintptr_t)k.addr + PAGE,
					    &rec, 1, &r) || r.nr_records != 1))
		ret = 7;
	if (!ret && (rec.pfn != w.frame_token || !w.frame_token ||
		     rec.verdict != VMLAB_COW_WRITABLE))
		ret = 8;
	/* our own address space is another: not what the child maps there */
	if (!ret && !vmlab_walk(fd, 0, (uintptr_t)k.addr, &mine) &&
	    mine.frame_token == w.frame_token)
		ret = 9;
	if (kid_stop(&k) && !ret)
		ret = 10;
	close(memfd);
	return ret;
}

TEST_F(memfd, nobody_walks_own_child)
{
	EXPECT_EQ(0, as_nobody(nobody_walks_own_child));
}

/* The same, as root: /proc/PID/task/TID/mem too; /proc/self/mem is our own. */
TEST_F(memfd, task_mem_and_self)
{
	char *p = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	struct vmlab_walk a, b;
	char path[64];
	int memfd;
	struct kid k;

	ASSERT_NE(MAP_FAILED, p);
	p[0] = 1;
	memfd = open("/proc/self/mem", O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, memfd);
	ASSERT_EQ(0, vmlab_walk_flags(self->fd, memfd, VMLAB_WALK_MEM_FD, (uintptr_t)p, &a));
	ASSERT_EQ(0, vmlab_walk(self->fd, 0, (uintptr_t)p, &b));
	EXPECT_EQ(b.pfn, a.pfn);
	EXPECT_NE(0, a.pfn);
	close(memfd);

	ASSERT_EQ(0, kid_start(&k));
	snprintf(path, sizeof(path), "/proc/%d/task/%d/mem", k.pid, k.pid);
	memfd = open(path, O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, memfd);
	ASSERT_EQ(0, vmlab_walk_flags(self->fd, memfd, VMLAB_WALK_MEM_FD, (uintptr_t)k.addr, &a));
	ASSERT_EQ(0, vmlab_walk(self->fd, k.pid, (uintptr_t)k.addr, &b));
	EXPECT_EQ(b.pfn, a.pfn);
	EXPECT_EQ(b.frame_token, a.frame_token);
	EXPECT_EQ(VMLAB_COW_WRITABLE, a.verdict);
	close(memfd);
	EXPECT_EQ(0, kid_stop(&k));
	munmap(p, PAGE);
}

/* Files that are not /proc/PID/mem: EINVAL, for WALK and WALK_RANGE alike. */
TEST_F(memfd, other_files_einval)
{
	static const char *const paths[] = {
		"/dev/null", "/proc/self/maps", "/proc/self/environ", "/proc/self/auxv",
		"/proc/self/pagemap", "/proc/self/status", VMLAB_DEVICE,
	};
	struct vmlab_walk_record rec;
	struct vmlab_walk_range r;
	int pipefd[2], fd, pidfd;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(paths); i++) {
		fd = open(paths[i], O_RDONLY | O_CLOEXEC);
		ASSERT_LE(0, fd) TH_LOG("%s", paths[i]);
		EXPECT_EQ(EINVAL, mem_walk_errno(self->fd, fd, &rec)) TH_LOG("%s", paths[i]);
		EXPECT_EQ(-1, vmlab_walk_range_flags(self->fd, fd, VMLAB_WALK_MEM_FD,
						     (uintptr_t)&rec & ~(PAGE - 1),
						     ((uintptr_t)&rec & ~(PAGE - 1)) + PAGE,
						     &rec, 1, &r));
		EXPECT_EQ(EINVAL, errno) TH_LOG("%s", paths[i]);
		close(fd);
	}
	ASSERT_EQ(0, pipe(pipefd));
	EXPECT_EQ(EINVAL, mem_walk_errno(self->fd, pipefd[0], &rec));
	close(pipefd[0]);
	close(pipefd[1]);
	/* a pidfd is no access check (pidfd_open needs no privilege) */
	pidfd = syscall(SYS_pidfd_open, getpid(), 0);
	ASSERT_LE(0, pidfd);
	EXPECT_EQ(EINVAL, mem_walk_errno(self->fd, pidfd, &rec));
	close(pidfd);
}

/* A descriptor that is not open, or open with O_PATH (no open was checked): EBADF. */
TEST_F(memfd, closed_or_path_fd_ebadf)
{
	int fd = open("/proc/self/mem", O_RDONLY | O_CLOEXEC), pathfd;
	char c = 0;

	ASSERT_LE(0, fd);
	close(fd);
	EXPECT_EQ(EBADF, mem_walk_errno(self->fd, fd, &c));
	EXPECT_EQ(EBADF, mem_walk_errno(self->fd, 1u << 30, &c));
	EXPECT_EQ(EBADF, mem_walk_errno(self->fd, UINT32_MAX, &c));
	pathfd = open("/proc/self/mem", O_PATH | O_CLOEXEC);
	ASSERT_LE(0, pathfd);
	EXPECT_EQ(EBADF, mem_walk_errno(self->fd, pathfd, &c));
	close(pathfd);
}

/* The process is gone (exited and reaped) but its mem file is open: ESRCH. */
TEST_F(memfd, dead_process_esrch)
{
	struct kid k;
	int memfd;

	ASSERT_EQ(0, kid_start(&k));
	memfd = vmlab_open_mem(k.pid);
	ASSERT_LE(0, memfd);
	EXPECT_EQ(0, mem_walk_errno(self->fd, memfd, k.addr));
	ASSERT_EQ(0, kid_stop(&k));
	EXPECT_EQ(ESRCH, mem_walk_errno(self->fd, memfd, k.addr));
	close(memfd);
}

/* A process that called execve: the file holds the old address space, gone: ESRCH. */
TEST_F(memfd, execed_process_esrch)
{
	int go[2], memfd, status;
	pid_t pid;
	char c = 0;

	ASSERT_EQ(0, pipe(go));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		close(go[1]);
		if (read(go[0], &c, 1) != 1)
			_exit(1);
		/* a new address space, waiting for its stdin to close */
		dup2(go[0], STDIN_FILENO);
		execl("/bin/sh", "sh", "-c", "read x; exit 0", (char *)NULL);
		_exit(127);
	}
	close(go[0]);
	memfd = vmlab_open_mem(pid);
	ASSERT_LE(0, memfd);
	EXPECT_EQ(0, mem_walk_errno(self->fd, memfd, &c));
	ASSERT_EQ(1, write(go[1], "g", 1));
	/* wait until the exec is done: the new image's mm replaces the old */
	while (mem_walk_errno(self->fd, memfd, &c) == 0)
		usleep(10000);
	EXPECT_EQ(ESRCH, mem_walk_errno(self->fd, memfd, &c));
	close(go[1]);
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	close(memfd);
}

/*
 * A kernel thread: 6.12 on refuse to open its mem file (ESRCH from the
 * open); 6.1 opens it without an address space, and the walk is EINVAL.
 */
TEST_F(memfd, kernel_thread)
{
	char comm[64];
	int memfd;

	ASSERT_EQ(0, read_line("/proc/2/comm", comm, sizeof(comm)));
	ASSERT_STREQ("kthreadd", comm);
	memfd = vmlab_open_mem(2);
	if (memfd < 0) {
		EXPECT_EQ(ESRCH, errno);
		return;
	}
	EXPECT_EQ(EINVAL, mem_walk_errno(self->fd, memfd, (void *)0x400000));
	close(memfd);
}

/*
 * Yama's ptrace_scope 2 (admin-only attach): the same user's child's mem
 * cannot be opened without CAP_SYS_PTRACE, so there is nothing to walk.
 */
static int nobody_stopped_by_yama(void)
{
	struct kid k;
	int memfd, err;

	if (kid_start(&k))
		return 1;
	memfd = vmlab_open_mem(k.pid);
	err = errno;
	if (kid_stop(&k))
		return 2;
	if (memfd >= 0)
		return 3;
	return err == EPERM || err == EACCES ? 0 : 4;
}

TEST_F(memfd, yama_scope_is_the_kernels)
{
	char old[16];
	int fd;

	if (read_line(YAMA_SCOPE, old, sizeof(old)))
		SKIP(return, "no Yama in this kernel (%s)", YAMA_SCOPE);
	if (strcmp(old, "0") && strcmp(old, "1"))
		SKIP(return, "ptrace_scope is %s: no user may attach, cannot be undone", old);
	fd = open(YAMA_SCOPE, O_WRONLY);
	ASSERT_LE(0, fd);
	ASSERT_EQ(1, write(fd, "2", 1));
	EXPECT_EQ(0, as_nobody(nobody_stopped_by_yama));
	ASSERT_EQ((ssize_t)strlen(old), pwrite(fd, old, strlen(old), 0));
	close(fd);
	/* and back: nobody walks its own child again */
	EXPECT_EQ(0, as_nobody(nobody_walks_own_child));
}

TEST_HARNESS_MAIN
