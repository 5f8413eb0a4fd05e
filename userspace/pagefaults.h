/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pagefaults.h - page faults as the kernel's own tracepoints record them,
 * read from a tracefs instance of our own through libtracefs and
 * libtraceevent: what "vmlab run" shows between system calls and "vmlab
 * trace" shows live.
 */
#ifndef VMLAB_PAGEFAULTS_H
#define VMLAB_PAGEFAULTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* which tracepoint saw the fault */
enum pf_source {
	PF_USER,		/* exceptions:page_fault_user (x86) */
	PF_KERNEL,		/* exceptions:page_fault_kernel at a user address */
	PF_VMLAB_FAULT,		/* vmlab:vmlab_fault, a region's fault handler */
	PF_VMLAB_MKWRITE,	/* vmlab:vmlab_page_mkwrite */
	PF_NR_SOURCES
};

/* x86's page-fault error code bits (arch/x86/include/asm/trap_pf.h) */
#define PF_ERR_PROT	0x1	/* a present page's protection, not a missing one */
#define PF_ERR_WRITE	0x2
#define PF_ERR_INSTR	0x10

struct pf_event {
	enum pf_source src;
	uint64_t ts;		/* the trace clock's nanoseconds */
	pid_t tid;
	int cpu;
	/* PF_USER, PF_KERNEL */
	uint64_t addr, ip;
	uint32_t error;		/* the error code */
	/* PF_VMLAB_* */
	uint32_t region, result;
	uint64_t pgoff;
	bool write;
};

/* what a reader records */
#define PF_WANT_TASKS	0x1	/* every fault of the tasks given (and their children) */
#define PF_WANT_REGIONS	0x2	/* the calls of vmlab's fault handlers */

struct pf_reader;

/*
 * A reader of the faults @want says, of the tasks @pids (@nr_pids; none:
 * of every task) and the tasks they fork from now on, with @buffer_kb of
 * ring buffer per CPU. NULL after one line naming what is missing, with
 * @cmd first ("tracefs is not mounted", "permission denied", ...).
 * VMLAB_TRACEFS in the environment names the tracing directory.
 */
struct pf_reader *pf_open(const char *cmd, unsigned int want, const pid_t *pids,
			  size_t nr_pids, size_t buffer_kb);
/* the faults recorded since the last call, oldest first: how many, or -1 */
long pf_drain(struct pf_reader *r, void (*fn)(const struct pf_event *e, void *arg), void *arg);
/* the events the ring buffer dropped so far (it was full) */
uint64_t pf_lost(const struct pf_reader *r);
/* stops recording and removes the instance */
void pf_close(struct pf_reader *r);

/* "read", "write" or "exec" */
const char *pf_access(const struct pf_event *e);
/* "not-present", "protection", or vmlab's handler: "vmlab_fault", "page_mkwrite" */
const char *pf_cause(const struct pf_event *e);
/* "user" or "kernel": who touched the page (the program, or a system call for it) */
const char *pf_by(const struct pf_event *e);

#endif /* VMLAB_PAGEFAULTS_H */
