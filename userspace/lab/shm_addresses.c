// SPDX-License-Identifier: GPL-2.0
/*
 * shm_addresses.c - lesson "shm-addresses": one shared page at two
 * addresses in two processes; a pointer stored in it means nothing in the
 * other process, an offset from the start means the same in both.
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "lab.h"

/* what the parent stores at the start of the shared page */
struct shm_head {
	char *ptr;		/* a pointer to the text: the parent's address */
	size_t off;		/* the text's offset from the page's start */
	char text[16];
};

/* the shared object and where the parent mapped it */
struct shm_arg {
	int fd;
	volatile struct shm_head *at;
};

/*
 * shm-addresses' child: maps the object anew, as an unrelated process
 * would (shm_open), and drops the mapping fork gave it: the page at
 * another address. Follows the stored offset to the text and answers
 * after it, then reports its page and where the stored pointer leads.
 */
static int shm_child(struct lab *lab, void *arg, int tell, int hear)
{
	struct shm_arg *a = arg;
	volatile char *b = mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_SHARED, a->fd, 0);
	volatile struct shm_head *h = (volatile struct shm_head *)b;

	if (b == MAP_FAILED || munmap((void *)a->at, PG))
		return 1;
	if (!strcmp((const char *)b + h->off, "shared"))
		b[h->off + 6] = '!';
	if (send_walk(lab, b, tell) || send_walk(lab, h->ptr, tell))
		return 1;
	wait_go(hear);		/* exits when the parent says so */
	return 0;
}

static void shm_addresses_run(struct lab *lab)
{
	static const struct want shared = { VMLAB_COW_SHARED_WRITABLE,
		.pte_set = VMLAB_PTE_PRESENT | VMLAB_PTE_WRITE,
		.page_clear = VMLAB_PAGE_ANON };
	static const struct want nothing = { VMLAB_COW_NONE, .pte_clear = VMLAB_PTE_PRESENT };
	struct vmlab_walk pw, cw, cptr;
	volatile struct shm_head *h;
	struct shm_arg arg;
	int to_child, from_child;
	pid_t pid;

	arg.fd = memfd_create("vmlab-shm", MFD_CLOEXEC);
	if (arg.fd < 0 || ftruncate(arg.fd, PG)) {
		lab_error(lab, "memfd");
		goto out;
	}
	h = lab_mmap(lab, PG, PROT_READ | PROT_WRITE, MAP_SHARED, arg.fd, 0);
	if (!h)
		goto out;
	arg.at = h;
	say("map a shared memory object and store in it a pointer to its text");
	h->off = offsetof(struct shm_head, text);
	memcpy((char *)h->text, "shared", sizeof("shared"));
	h->ptr = (char *)h->text;
	printf("  %-26s %p, ptr %p, off %zu\n", "parent: page at", (void *)h,
	       (void *)h->ptr, h->off);
	print_header();
	step(lab, "parent: the page", h, &shared, &pw);
	if (pw.backing != VMLAB_BACKING_SHMEM)
		mismatch(lab, "expected backing shmem, kernel shows %s",
			 vmlab_backing_name(pw.backing));

	say("another process maps the object: at another address; it adds the");
	say("offset to its own address, finds the text and writes after it");
	pid = lab_fork(lab, shm_child, &arg, &to_child, &from_child);
	if (pid < 0)
		goto out;
	if (child_walk(lab, from_child, &cw) || child_walk(lab, from_child, &cptr))
		goto reap;
	show(lab, "child: the page", &cw);
	check_want(lab, &cw, &shared);
	check_pfn(lab, "both processes to map one frame", &pw, &cw, true);
	if (cw.addr == pw.addr)
		mismatch(lab, "expected the page at another address in the child");
	check_char(lab, "the child's answer after the text", '!', h->text[6]);
	printf("  %-26s \"%s\"\n", "parent reads", (const char *)h->text);
	printf("  the '!' at the child's %p is at the parent's %p\n",
	       (void *)(uintptr_t)(cw.addr + h->off + 6), (void *)&h->text[6]);

	say("the pointer stored in the page, in the child: nothing is mapped there");
	show(lab, "child: at ptr", &cptr);
	check_want(lab, &cptr, &nothing);
	if (!(cptr.walk_flags & VMLAB_WALK_NO_VMA))
		mismatch(lab, "expected no VMA at the parent's pointer in the child");
	if (write(to_child, "x", 1) != 1)
		lab_error(lab, "write to the child");
reap:
	lab_reap(lab, pid, to_child, from_child);
out:
	if (arg.fd >= 0)
		close(arg.fd);
}

const struct lesson lesson_shm_addresses = {
	.name = "shm-addresses",
	.title = "Shared memory at two addresses: pointers do not travel",
	.run = shm_addresses_run,
	.moral =
	"Each process maps shared memory wherever its mmap puts it: the same\n"
	"frame at different addresses. A pointer stored inside is only valid in\n"
	"the process that stored it; store offsets from the start instead.",
};
