// SPDX-License-Identifier: GPL-2.0
/*
 * vm-exit - end the test VM with a verdict QEMU turns into its exit code.
 *
 * x86: writes N to the isa-debug-exit port (0xf4); QEMU then exits with
 * (N << 1) | 1: "vm-exit 0" gives 1 (pass), "vm-exit 1" gives 3 (fail).
 * arm64 (no such port): the semihosting call SYS_EXIT_EXTENDED with that
 * same status, which QEMU run with -semihosting-config
 * enable=on,target=native,userspace=on exits with.
 * Without the device (or semihosting) this returns 1, so the caller can
 * fall back to "poweroff -f" (without semihosting an arm64 HLT #0xf000 is
 * an undefined instruction: SIGILL, which the shell sees as a failure).
 */
#include <stdio.h>
#include <stdlib.h>
#if defined(__aarch64__)
#include <stdint.h>
#else
#include <sys/io.h>
#endif

#if defined(__aarch64__)
#define SYS_EXIT_EXTENDED		0x20
#define ADP_STOPPED_APPLICATION_EXIT	0x20026

/* a semihosting call: operation in x0, its parameter block's address in x1 */
static void semihost(uint64_t op, void *arg)
{
	register uint64_t x0 asm("x0") = op;
	register void *x1 asm("x1") = arg;

	asm volatile("hlt #0xf000" : "+r"(x0) : "r"(x1) : "memory");
}

static int vm_exit(unsigned int code)
{
	uint64_t block[2] = { ADP_STOPPED_APPLICATION_EXIT, (code << 1) | 1 };

	semihost(SYS_EXIT_EXTENDED, block);
	fprintf(stderr, "vm-exit: semihosting did not exit\n");
	return 1;
}
#else
#define DEBUG_EXIT_PORT 0xf4

static int vm_exit(unsigned int code)
{
	if (ioperm(DEBUG_EXIT_PORT, 4, 1)) {
		perror("vm-exit: ioperm");
		return 1;
	}
	outl(code, DEBUG_EXIT_PORT);
	fprintf(stderr, "vm-exit: no isa-debug-exit device\n");
	return 1;
}
#endif

int main(int argc, char **argv)
{
	return vm_exit(argc > 1 ? strtoul(argv[1], NULL, 0) : 0);
}
