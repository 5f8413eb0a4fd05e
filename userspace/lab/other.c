// SPDX-License-Identifier: GPL-2.0
/*
 * other.c - a lesson's look into another process (a child after exec, a
 * second program): walks through its /proc/PID/mem, which needs only the
 * right to ptrace it, not CAP_SYS_PTRACE; and counts of present leaves.
 */
#include <errno.h>
#include <unistd.h>

#include "lab.h"

int walk_other(struct lab *lab, pid_t pid, const volatile void *addr, struct vmlab_walk *w)
{
	int mem = vmlab_open_mem(pid);
	int ret;

	if (mem < 0) {
		lab_error(lab, "open /proc/PID/mem");
		return -1;
	}
	ret = vmlab_walk_flags(lab->fd, mem, VMLAB_WALK_MEM_FD, (uintptr_t)addr, w);
	if (ret)
		lab_error(lab, "VMLAB_IOC_WALK (mem fd)");
	close(mem);
	return ret;
}

int step_other(struct lab *lab, const char *label, pid_t pid, const volatile void *addr,
	       const struct want *want, struct vmlab_walk *w)
{
	if (walk_other(lab, pid, addr, w))
		return -1;
	show(lab, label, w);
	check_want(lab, w, want);
	return 0;
}

long count_mapped(struct lab *lab, pid_t pid, const volatile void *p, size_t pages)
{
	struct vmlab_walk_record recs[64];
	uint64_t start = (uintptr_t)p, end = start + pages * PG;
	long n, i, total = 0;
	int mem = -1;

	if (pid) {
		mem = vmlab_open_mem(pid);
		if (mem < 0) {
			lab_error(lab, "open /proc/PID/mem");
			return -1;
		}
	}
	/* a record per leaf (a swap entry too): again from where a full batch stopped */
	do {
		n = vmlab_walk_range_all_flags(lab->fd, pid ? mem : 0,
					       pid ? VMLAB_WALK_MEM_FD : 0, start, end,
					       recs, ARRAY_SIZE(recs), &start, NULL);
		if (n < 0) {
			lab_error(lab, "VMLAB_IOC_WALK_RANGE");
			total = -1;
			break;
		}
		for (i = 0; i < n; i++)
			total += !!(recs[i].leaf_flags & VMLAB_PTE_PRESENT);
	} while (n == ARRAY_SIZE(recs) && start < end);
	if (mem >= 0)
		close(mem);
	return total;
}
