/* SPDX-License-Identifier: GPL-2.0 */
/*
 * memcall_args.h - the arguments of the memory system calls that "vmlab
 * run" shows by name rather than number: mmap's and mprotect's prot
 * (PROT_READ|PROT_WRITE), mmap's flags (MAP_PRIVATE|MAP_ANONYMOUS) and fd,
 * mremap's, msync's and shmat's flags, madvise's advice (MADV_DONTNEED).
 */
#ifndef VMLAB_MEMCALL_ARGS_H
#define VMLAB_MEMCALL_ARGS_H

#include <stddef.h>
#include <stdint.h>

/*
 * Argument @i (from 0) of the call @call with the value @v, by name, into
 * @buf: the argument's JSON key ("prot", "flags", "advice", "fd"), or NULL
 * when the argument has no names (an address, a length: shown in hex).
 */
const char *memcall_arg(char *buf, size_t size, const char *call, unsigned int i, uint64_t v);

#endif /* VMLAB_MEMCALL_ARGS_H */
