/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ivshmem.h - the patterns of the project's VM runner in the BAR2 of
 * QEMU's ivshmem device, 2 MiB, a file on the host (scripts/ivshmem.sh
 * fills and checks it): the host fills it before boot, each 8-byte
 * little-endian word holding its offset in the BAR in the low 4 bytes and
 * "host" in the high 4; the guest writes the second MiB with "gwrt" in
 * place of "host", and the host checks it after the VM powered off.
 *
 * A convention of the runner, not of vmlab's ABI: used by the guest's
 * tests (selftests/pci.c) and the lab's device lesson.
 */
#ifndef VMLAB_IVSHMEM_H
#define VMLAB_IVSHMEM_H

#include <stdint.h>

#define VMLAB_IVSHMEM_SIZE	(2ULL << 20)
#define VMLAB_IVSHMEM_HOST_TAG	0x74736f68U	/* "host" */
#define VMLAB_IVSHMEM_GUEST_TAG	0x74727767U	/* "gwrt" */
#define VMLAB_IVSHMEM_GUEST_OFF	(1ULL << 20)	/* where the guest's begins */

/* the word at offset @off of the pattern tagged @tag */
static inline uint64_t vmlab_ivshmem_word(uint32_t tag, uint64_t off)
{
	return (uint64_t)tag << 32 | (uint32_t)off;
}

#endif /* VMLAB_IVSHMEM_H */
