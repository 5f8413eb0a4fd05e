// SPDX-License-Identifier: GPL-2.0
/*
 * target.c: whose address space a walk reads, and who may read it: the
 * caller's own; another process's by pid, with CAP_SYS_PTRACE in the opener
 * of /dev/vmlab; or the one an open /proc/PID/mem file holds
 * (VMLAB_WALK_MEM_FD), whose open the kernel checked.
 *
 * ptrace_may_access() and mm_access() are not exported: a module cannot
 * ask the kernel's ptrace rule (Yama's ptrace_scope, the LSMs' ptrace
 * hooks) for a pid. The open of /proc/PID/mem asks it (mm_access() with
 * PTRACE_MODE_ATTACH, the check of PTRACE_ATTACH itself) and keeps the mm
 * in file->private_data under mmgrab(): the mm_struct stays as long as the
 * file, its tables only while mm_users is not zero. Whoever holds such a
 * file may read and write that memory; walking its tables is less. A pidfd
 * is no such proof: pidfd_open() checks nothing, so it is not accepted.
 *
 * /proc's mem files have file_operations of their own, static in
 * fs/proc/base.c. We learn their address at load time, by opening
 * /proc/self/mem in the loader's mount namespace (the loader is root: no
 * user can have put another file there), and recognise a file by it. A
 * name would not do: /proc/PID/environ and auxv keep an mm the same way
 * after a weaker check (PTRACE_MODE_READ), and any module may name a proc
 * file "mem".
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/capability.h>
#include <linux/err.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/magic.h>
#include <linux/pid.h>
#include <linux/sched/mm.h>
#include <linux/sched/signal.h>
#include <linux/sched/task.h>
#include <linux/string.h>
#include <linux/threads.h>
#include <linux/vmlab.h>

#include "internal.h"

/* the f_op of /proc/PID/mem, set once at load time; NULL if not found */
static const struct file_operations *vmlab_proc_mem_fops;

void vmlab_target_init(void)
{
	struct file *f = filp_open("/proc/self/mem", O_RDONLY, 0);

	if (IS_ERR(f)) {
		pr_info("cannot open /proc/self/mem (%ld): no walks of /proc/PID/mem files\n",
			PTR_ERR(f));
		return;
	}
	if (file_inode(f)->i_sb->s_magic == PROC_SUPER_MAGIC &&
	    !strcmp(f->f_path.dentry->d_name.name, "mem"))
		vmlab_proc_mem_fops = f->f_op;
	else
		pr_info("/proc/self/mem is not procfs' own: no walks of /proc/PID/mem files\n");
	filp_close(f, NULL);
}

u64 vmlab_target_features(void)
{
	return vmlab_proc_mem_fops ? VMLAB_FEAT_WALK_MEM_FD : 0;
}

/* The mm an open /proc/PID/mem file @fd of the caller's holds, with mmget(). */
static struct mm_struct *vmlab_mem_fd_mm(u32 fd)
{
	struct mm_struct *mm;
	struct file *f;

	if (!vmlab_proc_mem_fops)
		return ERR_PTR(-EOPNOTSUPP);
	f = fget(fd);
	if (!f)
		return ERR_PTR(-EBADF);
	mm = f->private_data;
	/* 6.1 keeps a NULL mm for a process without one (a kernel thread) */
	if (f->f_op != vmlab_proc_mem_fops || !mm)
		mm = ERR_PTR(-EINVAL);
	/* the file's mmgrab() keeps the mm_struct; its tables, mm_users */
	else if (!mmget_not_zero(mm))
		mm = ERR_PTR(-ESRCH);
	fput(f);
	return mm;
}

/* The mm of process @pid (0: the caller), if the opener of @file may walk it. */
static struct mm_struct *vmlab_pid_mm(struct file *file, u32 pid)
{
	struct task_struct *task;
	struct mm_struct *mm;
	struct pid *p;

	/*
	 * The caller's own, the common case: a task in a system call keeps
	 * its mm, so no task reference and no task_lock() (get_task_mm());
	 * only mm_users, as for any other target. A kernel thread has none of
	 * its own (kthread_use_mm() lends one): EINVAL, as get_task_mm() says.
	 */
	if (!pid) {
		mm = current->mm;
		if (!mm || (current->flags & PF_KTHREAD))
			return ERR_PTR(-EINVAL);
		mmget(mm);
		return mm;
	}
	if (pid > PID_MAX_LIMIT)
		return ERR_PTR(-ESRCH);
	p = find_get_pid(pid);
	task = get_pid_task(p, PIDTYPE_PID);
	put_pid(p);
	if (!task)
		return ERR_PTR(-ESRCH);
	if (!same_thread_group(task, current) &&
	    !file_ns_capable(file, &init_user_ns, CAP_SYS_PTRACE)) {
		put_task_struct(task);
		return ERR_PTR(-EPERM);
	}
	/* NULL for a kernel thread or a process that is exiting */
	mm = get_task_mm(task);
	put_task_struct(task);
	return mm ?: ERR_PTR(-EINVAL);
}

struct mm_struct *vmlab_target_mm(struct file *file, u32 pid, u32 flags)
{
	if (flags & VMLAB_WALK_MEM_FD)
		return vmlab_mem_fd_mm(pid);
	return vmlab_pid_mm(file, pid);
}
