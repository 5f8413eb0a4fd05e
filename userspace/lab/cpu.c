// SPDX-License-Identifier: GPL-2.0
/*
 * cpu.c - a lesson's steps on one CPU: a fresh page waits in its CPU's
 * LRU batch (holding a reference) until that CPU drains it, and a write
 * fault (reuse or copy) or MADV_PAGEOUT drains only its own CPU's batch.
 */
#define _GNU_SOURCE
#include <sched.h>

#include "lab.h"

/* the affinity before lab_one_cpu(), for lab_all_cpus() */
static cpu_set_t saved;

int lab_one_cpu(struct lab *lab)
{
	cpu_set_t cpu0;

	CPU_ZERO(&cpu0);
	CPU_SET(0, &cpu0);
	if (sched_getaffinity(0, sizeof(saved), &saved) ||
	    sched_setaffinity(0, sizeof(cpu0), &cpu0)) {
		lab_error(lab, "sched_setaffinity");
		return -1;
	}
	return 0;
}

void lab_all_cpus(void)
{
	sched_setaffinity(0, sizeof(saved), &saved);
}
