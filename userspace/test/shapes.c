// SPDX-License-Identifier: GPL-2.0
/*
 * test/shapes.c - host-side unit test of shapes.c, the arithmetic of the
 * page-table shapes ("make unit", run first by "make check"): each shape's
 * table of levels is whole (the levels tile the address bits, each table
 * fills at most a page), known addresses split as the kernels split them
 * (the "bits 31-22 PGD index 0x3ff" among them), every translated
 * address is rebuilt from its split, addresses a shape cannot translate say
 * why, and a kernel's uname and levels name its shape. Needs no device: the
 * shapes vmlab cannot boot yet are checked here too.
 *
 * Prints one line per failed check and a last line "shapes: N checks, N
 * failed"; exits 1 when one failed.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "shapes.h"

static unsigned int checks, failed;

#define CHECK(cond, ...) do {						\
	checks++;							\
	if (!(cond)) {							\
		failed++;						\
		printf("FAIL %s:%d: %s: ", __FILE__, __LINE__, #cond);	\
		printf(__VA_ARGS__);					\
		printf("\n");						\
	}								\
} while (0)

static const struct shape *get(const char *name)
{
	const struct shape *s = shape_by_name(name);

	if (!s) {
		printf("FAIL: no shape %s\n", name);
		exit(1);
	}
	return s;
}

/* every level of every shape: the bits from the page offset up to va_bits, no gap */
static void test_tables_are_whole(void)
{
	size_t i;
	unsigned int k, below;

	for (i = 0; i < nr_shapes; i++) {
		const struct shape *s = &shapes[i];
		const struct shape_level *l = s->levels;

		CHECK(s->nr_levels >= 2 && s->nr_levels <= VMLAB_NR_LEVELS, "%s", s->name);
		CHECK(l[0].level == VMLAB_LEVEL_PGD, "%s: the top is PGD", s->name);
		CHECK(l[s->nr_levels - 1].level == VMLAB_LEVEL_PTE, "%s: the bottom is PTE",
		      s->name);
		CHECK(l[0].shift + l[0].bits == s->va_bits, "%s: PGD's bits end at %u", s->name,
		      s->va_bits);
		below = s->page_shift;
		for (k = s->nr_levels; k-- > 0;) {
			CHECK(l[k].shift == below, "%s: level %u starts at bit %u, not %u", s->name,
			      k, l[k].shift, below);
			/* a table fits a page; below the top it fills one */
			CHECK((s->entry_bytes << l[k].bits) <= 1u << s->page_shift, "%s level %u",
			      s->name, k);
			if (k)
				CHECK((s->entry_bytes << l[k].bits) == 1u << s->page_shift,
				      "%s: a level-%u table fills a page", s->name, k);
			if (k)
				CHECK(l[k].level > l[k - 1].level, "%s: levels in order", s->name);
			below += l[k].bits;
		}
		CHECK(shape_leaf_shift(s, VMLAB_LEVEL_PTE) == s->page_shift, "%s", s->name);
		CHECK(shape_by_name(s->name) == s, "%s found by name", s->name);
	}
}

/* @addr on @name: the indices from the top, then the page offset */
static void split_is(const char *name, uint64_t addr, const uint32_t *want, uint64_t offset)
{
	const struct shape *s = get(name);
	char why[96];
	unsigned int k;

	CHECK(!shape_addr_problem(s, addr, why, sizeof(why)), "%s 0x%" PRIx64 ": %s", name,
	      addr, why);
	for (k = 0; k < s->nr_levels; k++)
		CHECK(shape_index(&s->levels[k], addr) == want[k],
		      "%s 0x%" PRIx64 " level %u: 0x%x, not 0x%x", name, addr, k,
		      shape_index(&s->levels[k], addr), want[k]);
	CHECK(shape_offset(addr, s->page_shift) == offset, "%s 0x%" PRIx64 " offset", name, addr);
}

static void test_known_splits(void)
{
	const struct shape *s = get("x86-32");

	/* the example: the last PGD entry of two-level paging */
	split_is("x86-32", 0xffc00abc, (uint32_t[]){ 0x3ff, 0 }, 0xabc);
	CHECK(s->levels[0].shift + s->levels[0].bits - 1 == 31 && s->levels[0].shift == 22,
	      "x86-32's PGD is bits 31-22");
	split_is("x86-32", 0x08048123, (uint32_t[]){ 0x20, 0x48 }, 0x123);
	split_is("x86-pae", 0xc0001234, (uint32_t[]){ 3, 0, 1 }, 0x234);
	split_is("x86-pae", 0xbfffe000, (uint32_t[]){ 2, 0x1ff, 0x1fe }, 0);
	split_is("x86-64", 0x7fffffffe123, (uint32_t[]){ 0xff, 0x1ff, 0x1ff, 0x1fe }, 0x123);
	split_is("x86-64", 0x7ffd5e3a1abc, (uint32_t[]){ 0xff, 0x1f5, 0xf1, 0x1a1 }, 0xabc);
	split_is("x86-64", 0xffff888000001234, (uint32_t[]){ 0x111, 0, 0, 1 }, 0x234);
	/* LA57: the PGD indexes bits 56-48, 2^47 is P4D entry 256 */
	split_is("x86-64-la57", 1ULL << 47, (uint32_t[]){ 0, 0x100, 0, 0, 0 }, 0);
	split_is("x86-64-la57", 0x00ff800000000000, (uint32_t[]){ 0xff, 0x100, 0, 0, 0 }, 0);
	split_is("x86-64-la57", 0x7ffd5e3a1abc, (uint32_t[]){ 0, 0xff, 0x1f5, 0xf1, 0x1a1 },
		 0xabc);
	split_is("arm64-16k", 0x7ffd5e3a1abc, (uint32_t[]){ 0x7ff, 0x6af, 0xe8 }, 0x1abc);
	split_is("arm64-4k-lpa2", 0xf000000000000, (uint32_t[]){ 0xf, 0, 0, 0, 0 }, 0);
	split_is("arm64-16k-lpa2", 0xf800000000000, (uint32_t[]){ 0x1f, 0, 0, 0 }, 0);
	/* huge leaves: the offset in a 2 MiB and a 4 MiB leaf */
	CHECK(shape_leaf_shift(get("x86-64"), VMLAB_LEVEL_PMD) == 21, "2M");
	CHECK(shape_leaf_shift(get("x86-64"), VMLAB_LEVEL_PUD) == 30, "1G");
	CHECK(shape_leaf_shift(get("x86-32"), VMLAB_LEVEL_PGD) == 22, "4M");
	/* a folded level's entry is the one above: PMD_SHIFT = PGDIR_SHIFT on two levels */
	CHECK(shape_leaf_shift(get("x86-32"), VMLAB_LEVEL_PMD) == 22, "PMD folded into PGD");
	CHECK(shape_leaf_shift(get("x86-pae"), VMLAB_LEVEL_PUD) == 30, "PUD folded into PGD");
	CHECK(shape_leaf_shift(get("x86-64"), VMLAB_LEVEL_P4D) == 39, "P4D folded into PGD");
	CHECK(shape_offset(0x7ffd5e3a1abc, 21) == 0x1a1abc, "offset in 2M");
}

/* what each shape cannot translate, and the kernel's part of each space */
/* where entries hold physical addresses, LPA2's split one included */
static void test_entry_phys(void)
{
	const struct shape *lpa2 = get("arm64-4k-lpa2");

	CHECK(shape_entry_phys(get("x86-64"), 0x8000000123456067ULL) == 0x123456000ULL, "x86");
	CHECK(shape_entry_phys(get("arm64-4k"), 0x00e8000123456f43ULL) == 0x123456000ULL,
	      "arm64: SH (bits 9-8) is no address");
	/* a PTE for 0x8_0001_2345_6000 (bits 51-50 in 9-8, DBM at 51 no address), a table */
	CHECK(shape_entry_phys(lpa2, 0x00e8000123456e43ULL) == 0x0008000123456000ULL,
	      "LPA2: bits 51-50 from 9-8: 0x%" PRIx64,
	      shape_entry_phys(lpa2, 0x00e8000123456e43ULL));
	CHECK(shape_entry_phys(lpa2, 0x0800000145aed003ULL) == 0x145aed000ULL, "LPA2 table");
	CHECK(shape_entry_phys(get("arm64-16k-lpa2"), 0x0003ffffffffc303ULL) ==
	      0x000fffffffffc000ULL, "16K LPA2: the top address");
}

static void test_problems(void)
{
	char why[96];

	CHECK(shape_addr_problem(get("x86-32"), 1ULL << 32, why, sizeof(why)) &&
	      strstr(why, "wider than 32 bits"), "x86-32 2^32");
	CHECK(shape_addr_problem(get("x86-pae"), 0x7ffd5e3a1abc, why, sizeof(why)) &&
	      strstr(why, "wider than 32 bits"), "pae");
	CHECK(!shape_addr_problem(get("x86-32"), 0xffffffff, why, sizeof(why)), "x86-32 top");
	CHECK(shape_kernel_half(get("x86-32"), 0xc0000000), "3G/1G: the kernel's");
	CHECK(!shape_kernel_half(get("x86-32"), 0xbfffffff), "3G/1G: the user's");
	CHECK(shape_addr_problem(get("x86-64"), 1ULL << 47, why, sizeof(why)) &&
	      strstr(why, "not canonical: bits 63-47 must all equal bit 47"), "%s", why);
	CHECK(!shape_addr_problem(get("x86-64"), 0xffff800000000000, why, sizeof(why)), "kernel");
	CHECK(shape_kernel_half(get("x86-64"), 0xffff800000000000), "kernel half");
	CHECK(!shape_kernel_half(get("x86-64"), 0x7fffffffffff), "user half");
	CHECK(shape_addr_problem(get("x86-64"), 0xffff000000000000, why, sizeof(why)), "4 lv");
	CHECK(!shape_addr_problem(get("x86-64-la57"), 0xffff000000000000, why, sizeof(why)),
	      "la57 takes it");
	CHECK(shape_addr_problem(get("x86-64-la57"), 1ULL << 56, why, sizeof(why)) &&
	      strstr(why, "bits 63-56"), "%s", why);
	/* arm64: 2^47 is a user address (TTBR0 spans 2^48), not a sign extension */
	CHECK(!shape_addr_problem(get("arm64-4k"), 1ULL << 47, why, sizeof(why)), "arm64 2^47");
	CHECK(shape_addr_problem(get("arm64-4k"), 1ULL << 48, why, sizeof(why)) &&
	      strstr(why, "in neither half"), "arm64 2^48");
	CHECK(!shape_addr_problem(get("arm64-4k"), ~0ULL, why, sizeof(why)) &&
	      shape_kernel_half(get("arm64-4k"), ~0ULL), "arm64 kernel");
}

/* a kernel names its shape by uname -m, its levels and page size */
static void test_kernel_shape(void)
{
	static const struct {
		const char *machine;
		unsigned int levels, page_size;
		const char *want;	/* NULL: unknown */
	} k[] = {
		{ "x86_64", 4, 4096, "x86-64" },
		{ "x86_64", 5, 4096, "x86-64-la57" },
		{ "i686", 2, 4096, "x86-32" },
		{ "i686", 3, 4096, "x86-pae" },
		{ "i386", 2, 4096, "x86-32" },
		{ "i686", 4, 4096, "x86-64" },	/* a 32-bit tool under linux32 */
		{ "aarch64", 4, 4096, "arm64-4k" },
		{ "aarch64", 5, 4096, "arm64-4k-lpa2" },
		{ "aarch64", 3, 16384, "arm64-16k" },
		{ "aarch64", 4, 16384, "arm64-16k-lpa2" },
		{ "x86_64", 4, 16384, NULL },
		{ "x86_64", 6, 4096, NULL },
		{ "riscv64", 4, 4096, NULL },
		{ "i786", 2, 4096, NULL },
		{ "i", 2, 4096, NULL },
	};
	const struct shape *s;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(k); i++) {
		s = shape_of_kernel(k[i].machine, k[i].levels, k[i].page_size);
		CHECK(k[i].want ? s && !strcmp(s->name, k[i].want) : !s, "%s %u levels %u: %s",
		      k[i].machine, k[i].levels, k[i].page_size, s ? s->name : "none");
	}
}

static void test_masks(void)
{
	char buf[64];

	CHECK(shape_level_mask(get("x86-32")) == 0x11, "PGD|PTE");
	CHECK(shape_level_mask(get("x86-pae")) == 0x19, "PGD|PMD|PTE");
	CHECK(shape_level_mask(get("x86-64")) == 0x1d, "P4D folded");
	CHECK(shape_level_mask(get("x86-64-la57")) == 0x1f, "none folded");
	CHECK(!strcmp(shape_folded(get("x86-32"), buf, sizeof(buf)), "P4D, PUD, PMD"), "%s", buf);
	CHECK(!strcmp(shape_folded(get("x86-pae"), buf, sizeof(buf)), "P4D, PUD"), "%s", buf);
	CHECK(!strcmp(shape_folded(get("x86-64-la57"), buf, sizeof(buf)), ""), "%s", buf);
	CHECK(!shape_level(get("x86-32"), VMLAB_LEVEL_PMD), "folded PMD");
}

/* a translated address is its indices and offset put back together */
static void test_round_trip(void)
{
	uint64_t x = 0x9e3779b97f4a7c15ULL, addr, back, mask;
	char why[96];
	size_t i;
	unsigned int n, k;

	for (i = 0; i < nr_shapes; i++) {
		const struct shape *s = &shapes[i];

		mask = (1ULL << s->va_bits) - 1;
		for (n = 0; n < 1000; n++) {
			/* xorshift64: addresses of every width */
			x ^= x << 13;
			x ^= x >> 7;
			x ^= x << 17;
			/* odd: the kernel's half, where a shape has one */
			if (s->canon == SHAPE_SIGN)
				addr = n & 1 ? x | ~(mask >> 1) : x & (mask >> 1);
			else if (s->canon == SHAPE_HALVES && n & 1)
				addr = x | ~mask;
			else
				addr = x & mask;
			CHECK(!shape_addr_problem(s, addr, why, sizeof(why)),
			      "%s 0x%" PRIx64 ": %s", s->name, addr, why);
			back = shape_offset(addr, s->page_shift);
			for (k = 0; k < s->nr_levels; k++)
				back |= (uint64_t)shape_index(&s->levels[k], addr) <<
					s->levels[k].shift;
			CHECK(back == (addr & mask), "%s 0x%" PRIx64 " came back 0x%" PRIx64,
			      s->name, addr, back);
		}
	}
}

int main(void)
{
	test_tables_are_whole();
	test_known_splits();
	test_problems();
	test_entry_phys();
	test_kernel_shape();
	test_masks();
	test_round_trip();
	printf("shapes: %u checks, %u failed\n", checks, failed);
	return failed ? 1 : 0;
}
