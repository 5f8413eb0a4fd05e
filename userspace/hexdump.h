/* SPDX-License-Identifier: GPL-2.0 */
/* hexdump.h - "hexdump -C" output, byte for byte, for mapped memory */
#ifndef VMLAB_HEXDUMP_H
#define VMLAB_HEXDUMP_H

#include <stdint.h>
#include <stdio.h>

/*
 * Print @len bytes at @mem as "hexdump -C" does, offsets starting at @base:
 * 8-digit offsets, two groups of eight bytes, |ascii|, "*" for a run of
 * lines equal to the one before, the final offset. @mem may be device
 * memory: it is read with aligned 32-bit loads where it can be.
 */
void hexdump_c(FILE *out, const volatile void *mem, size_t len, uint64_t base);

#endif /* VMLAB_HEXDUMP_H */
