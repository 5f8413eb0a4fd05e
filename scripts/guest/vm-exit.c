// SPDX-License-Identifier: GPL-2.0
/*
 * vm-exit - end the test VM with a verdict QEMU turns into its exit code.
 *
 * Writes N to the isa-debug-exit port (0xf4); QEMU then exits with
 * (N << 1) | 1: "vm-exit 0" gives 1 (pass), "vm-exit 1" gives 3 (fail).
 * Without that device the write does nothing and this returns 1, so the
 * caller can fall back to "poweroff -f".
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/io.h>

#define DEBUG_EXIT_PORT 0xf4

int main(int argc, char **argv)
{
	unsigned int code = argc > 1 ? strtoul(argv[1], NULL, 0) : 0;

	if (ioperm(DEBUG_EXIT_PORT, 4, 1)) {
		perror("vm-exit: ioperm");
		return 1;
	}
	outl(code, DEBUG_EXIT_PORT);
	fprintf(stderr, "vm-exit: no isa-debug-exit device\n");
	return 1;
}
