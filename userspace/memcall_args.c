// SPDX-License-Identifier: GPL-2.0
/*
 * memcall_args.c - the memory system calls' flag and advice arguments by
 * name (see memcall_args.h), with the values of the kernel's uapi
 * (asm-generic/mman-common.h, linux/mman.h, linux/shm.h), as strace names
 * them. Bits without a name are shown in hex after the names.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "memcall_args.h"

struct name {
	uint64_t val;
	const char *name;
};

static const struct name prot[] = {
	{ 0x1, "PROT_READ" }, { 0x2, "PROT_WRITE" }, { 0x4, "PROT_EXEC" },
	{ 0x8, "PROT_SEM" }, { 0x1000000, "PROT_GROWSDOWN" }, { 0x2000000, "PROT_GROWSUP" },
	{ }
};

/* after the mapping type (the low four bits) */
static const struct name map[] = {
	{ 0x10, "MAP_FIXED" }, { 0x20, "MAP_ANONYMOUS" }, { 0x40, "MAP_32BIT" },
	{ 0x100, "MAP_GROWSDOWN" }, { 0x800, "MAP_DENYWRITE" }, { 0x1000, "MAP_EXECUTABLE" },
	{ 0x2000, "MAP_LOCKED" }, { 0x4000, "MAP_NORESERVE" }, { 0x8000, "MAP_POPULATE" },
	{ 0x10000, "MAP_NONBLOCK" }, { 0x20000, "MAP_STACK" }, { 0x40000, "MAP_HUGETLB" },
	{ 0x80000, "MAP_SYNC" }, { 0x100000, "MAP_FIXED_NOREPLACE" },
	{ }
};

static const struct name map_type[] = {
	{ 0x1, "MAP_SHARED" }, { 0x2, "MAP_PRIVATE" }, { 0x3, "MAP_SHARED_VALIDATE" },
	{ }
};

static const struct name mremap[] = {
	{ 0x1, "MREMAP_MAYMOVE" }, { 0x2, "MREMAP_FIXED" }, { 0x4, "MREMAP_DONTUNMAP" },
	{ }
};

static const struct name msync[] = {
	{ 0x1, "MS_ASYNC" }, { 0x2, "MS_INVALIDATE" }, { 0x4, "MS_SYNC" },
	{ }
};

static const struct name shmat[] = {
	{ 0x1000, "SHM_RDONLY" }, { 0x2000, "SHM_RND" }, { 0x4000, "SHM_REMAP" },
	{ 0x8000, "SHM_EXEC" },
	{ }
};

static const struct name madvise[] = {
	{ 0, "MADV_NORMAL" }, { 1, "MADV_RANDOM" }, { 2, "MADV_SEQUENTIAL" },
	{ 3, "MADV_WILLNEED" }, { 4, "MADV_DONTNEED" }, { 8, "MADV_FREE" },
	{ 9, "MADV_REMOVE" }, { 10, "MADV_DONTFORK" }, { 11, "MADV_DOFORK" },
	{ 12, "MADV_MERGEABLE" }, { 13, "MADV_UNMERGEABLE" }, { 14, "MADV_HUGEPAGE" },
	{ 15, "MADV_NOHUGEPAGE" }, { 16, "MADV_DONTDUMP" }, { 17, "MADV_DODUMP" },
	{ 18, "MADV_WIPEONFORK" }, { 19, "MADV_KEEPONFORK" }, { 20, "MADV_COLD" },
	{ 21, "MADV_PAGEOUT" }, { 22, "MADV_POPULATE_READ" }, { 23, "MADV_POPULATE_WRITE" },
	{ 24, "MADV_DONTNEED_LOCKED" }, { 25, "MADV_COLLAPSE" }, { 100, "MADV_HWPOISON" },
	{ 101, "MADV_SOFT_OFFLINE" },
	{ }
};

#define MAP_HUGETLB_BIT	0x40000
#define HUGE_SHIFT	26

/* a huge page size by its log2, as MAP_HUGE_2MB names it */
static const char *huge_name(unsigned int shift)
{
	static char buf[16];

	if (shift >= 30)
		snprintf(buf, sizeof(buf), "%uGB", 1U << (shift - 30));
	else if (shift >= 20)
		snprintf(buf, sizeof(buf), "%uMB", 1U << (shift - 20));
	else
		snprintf(buf, sizeof(buf), "%uKB", 1U << (shift - 10));
	return buf;
}

enum how { BITS, VALUE, MMAP_FLAGS, FD };

static const struct {
	const char *call;
	unsigned int i;
	const char *key;
	enum how how;
	const struct name *names;
} args[] = {
	{ "mmap", 2, "prot", BITS, prot }, { "mmap", 3, "flags", MMAP_FLAGS, map },
	{ "mmap", 4, "fd", FD, NULL }, { "mprotect", 2, "prot", BITS, prot },
	{ "pkey_mprotect", 2, "prot", BITS, prot }, { "mremap", 3, "flags", BITS, mremap },
	{ "msync", 2, "flags", BITS, msync }, { "shmat", 2, "flags", BITS, shmat },
	{ "madvise", 2, "advice", VALUE, madvise },
};

/* "A|B|0x40" into @buf at @len: the names of @names set in @v, then the rest */
static size_t bits(char *buf, size_t size, size_t len, const struct name *names, uint64_t v)
{
	for (; names->name; names++) {
		if (!(v & names->val) || len >= size)
			continue;
		len += snprintf(buf + len, size - len, "%s%s", len ? "|" : "", names->name);
		v &= ~names->val;
	}
	if (v && len < size)
		len += snprintf(buf + len, size - len, "%s0x%" PRIx64, len ? "|" : "", v);
	return len;
}

static const char *value(const struct name *names, uint64_t v)
{
	for (; names->name; names++)
		if (names->val == v)
			return names->name;
	return NULL;
}

const char *memcall_arg(char *buf, size_t size, const char *call, unsigned int i, uint64_t v)
{
	const char *name;
	size_t k, len = 0;

	for (k = 0; k < ARRAY_SIZE(args); k++)
		if (args[k].i == i && !strcmp(args[k].call, call))
			break;
	if (k == ARRAY_SIZE(args))
		return NULL;
	buf[0] = '\0';
	switch (args[k].how) {
	case FD:
		snprintf(buf, size, "%d", (int)v);
		break;
	case VALUE:
		name = value(args[k].names, v);
		if (name)
			snprintf(buf, size, "%s", name);
		else
			snprintf(buf, size, "0x%" PRIx64, v);
		break;
	case MMAP_FLAGS:
		/* the mapping type, a value, then the flag bits */
		name = value(map_type, v & 0xf);
		if (name)
			len = snprintf(buf, size, "%s", name);
		if (name)
			v &= ~0xfULL;
		/* MAP_HUGETLB's page size: its log2 in bits 26-31 */
		if ((v & MAP_HUGETLB_BIT) && (v >> HUGE_SHIFT) & 0x3f) {
			len = bits(buf, size, len, args[k].names, v & ((1ULL << HUGE_SHIFT) - 1));
			if (len < size)
				snprintf(buf + len, size - len, "|MAP_HUGE_%s",
					 huge_name((v >> HUGE_SHIFT) & 0x3f));
			break;
		}
		bits(buf, size, len, args[k].names, v);
		break;
	case BITS:
		if (!bits(buf, size, 0, args[k].names, v))
			snprintf(buf, size, "%s", args[k].names == prot ? "PROT_NONE" : "0");
		break;
	}
	return args[k].key;
}
