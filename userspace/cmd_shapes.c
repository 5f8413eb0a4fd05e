// SPDX-License-Identifier: GPL-2.0
/*
 * vmlab shapes - one address split as every page-table shape vmlab knows
 * would split it (pure arithmetic: no device needed, so the host runs it
 * too), and the printing of a split that walk and the lab share.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "json.h"
#include "shapes.h"

/* "47-39" in @buf */
static const char *bit_range(char *buf, size_t size, unsigned int high, unsigned int low)
{
	snprintf(buf, size, "%u-%u", high, low);
	return buf;
}

/* hex digits of the largest index of @bits bits */
static int index_width(unsigned int bits)
{
	return (bits + 3) / 4;
}

unsigned int split_print(const struct shape *s, uint64_t addr, unsigned int leaf_level,
			 const uint32_t *kernel_index, const char *indent)
{
	const struct shape_level *l;
	unsigned int i, shift, bad = 0;
	char bits[16], sz[16];

	for (i = 0; i < s->nr_levels && s->levels[i].level <= leaf_level; i++) {
		l = &s->levels[i];
		printf("%sbits %-6s %s index 0x%0*" PRIx32, indent,
		       bit_range(bits, sizeof(bits), l->shift + l->bits - 1, l->shift),
		       vmlab_level_name(l->level), index_width(l->bits), shape_index(l, addr));
		if (kernel_index && kernel_index[l->level] != shape_index(l, addr)) {
			printf("  %sMISMATCH:%s the kernel's walk says 0x%" PRIx32, colour(C_BAD),
			       colour(C_RESET), kernel_index[l->level]);
			bad++;
		}
		printf("\n");
	}
	shift = shape_leaf_shift(s, leaf_level);
	printf("%sbits %-6s ", indent, bit_range(bits, sizeof(bits), shift - 1, 0));
	if (leaf_level == VMLAB_LEVEL_PTE)
		printf("page offset");
	else
		printf("offset in the %s leaf", size_str(sz, sizeof(sz), 1ULL << shift));
	printf(" 0x%0*" PRIx64 "\n", index_width(shift), shape_offset(addr, shift));
	return bad;
}

void split_json(struct json *j, const char *key, const struct shape *s, uint64_t addr,
		unsigned int leaf_level, const uint32_t *kernel_index)
{
	const struct shape_level *l;
	unsigned int i, shift;
	bool agrees = true;

	json_object_begin(j, key);
	json_string(j, "shape", s->name);
	json_array_begin(j, "levels");
	for (i = 0; i < s->nr_levels && s->levels[i].level <= leaf_level; i++) {
		l = &s->levels[i];
		json_object_begin(j, NULL);
		json_string(j, "level", vmlab_level_name(l->level));
		json_u64(j, "bits_high", l->shift + l->bits - 1);
		json_u64(j, "bits_low", l->shift);
		json_u64(j, "index", shape_index(l, addr));
		json_hex(j, "index_hex", shape_index(l, addr));
		if (kernel_index) {
			json_u64(j, "kernel_index", kernel_index[l->level]);
			agrees &= kernel_index[l->level] == shape_index(l, addr);
		}
		json_object_end(j);
	}
	json_array_end(j);
	json_array_begin(j, "folded");
	for (i = 0; i < VMLAB_NR_LEVELS; i++)
		if (!shape_level(s, i))
			json_string(j, NULL, vmlab_level_name(i));
	json_array_end(j);
	shift = shape_leaf_shift(s, leaf_level);
	json_object_begin(j, "offset");
	json_u64(j, "bits_high", shift - 1);
	json_u64(j, "bits_low", 0);
	json_u64(j, "leaf_size", 1ULL << shift);
	json_u64(j, "value", shape_offset(addr, shift));
	json_hex(j, "value_hex", shape_offset(addr, shift));
	json_object_end(j);
	if (kernel_index)
		json_bool(j, "agrees", agrees);
	json_object_end(j);
}

static void print_usage(FILE *f)
{
	fprintf(f, "usage: %s shapes [--json] [-s SHAPE] ADDR\n"
		"       %s shapes --list\n"
		"Split one address as every page-table shape vmlab knows would: per level\n"
		"the bits that index it and the index, then the offset in the page and in\n"
		"each huge leaf the shape has. Arithmetic only: no module needed, it runs on\n"
		"any machine. ADDR is hex, 0x optional, up to 64 bits; a shape that cannot\n"
		"translate it (wider than 32 bits, not canonical) says so in one line.\n"
		"  -s, --shape SHAPE  only that shape\n"
		"  -l, --list         the shapes, one per line: name and what it is\n"
		"  -j, --json         {\"addr\", \"addr_hex\", \"shapes\": [{\"name\", \"title\",\n"
		"                     \"translates\", \"problem\", \"kernel_half\", \"split\",\n"
		"                     \"huge\"}]}\n"
		"Exit status: 0 when a shape translates ADDR, 1 when none does, 2 usage.\n",
		prog, prog);
}

/* the huge leaves of @s: the offset of @addr in a leaf at each level that has them */
static void print_huge(const struct shape *s, uint64_t addr)
{
	const char *sep = "  huge leaves:";
	char sz[16];
	unsigned int i;

	for (i = 0; i < s->nr_levels; i++) {
		if (!s->levels[i].huge)
			continue;
		printf("%s %s %s offset 0x%" PRIx64, sep, vmlab_level_name(s->levels[i].level),
		       size_str(sz, sizeof(sz), 1ULL << s->levels[i].shift),
		       shape_offset(addr, s->levels[i].shift));
		sep = ",";
	}
	if (sep[0] == ',')
		printf("\n");
}

static void shape_text(const struct shape *s, uint64_t addr)
{
	char why[96], folded[64];

	if (shape_addr_problem(s, addr, why, sizeof(why))) {
		printf("%s%-14s%s %s\n", colour(C_BOLD), s->name, colour(C_RESET), why);
		return;
	}
	printf("%s%-14s%s %s", colour(C_BOLD), s->name, colour(C_RESET), s->title);
	if (shape_folded(s, folded, sizeof(folded))[0])
		printf("; folded: %s", folded);
	printf("%s\n", shape_kernel_half(s, addr) ? "; a kernel address" : "");
	split_print(s, addr, VMLAB_LEVEL_PTE, NULL, "  ");
	print_huge(s, addr);
}

static void shape_json(struct json *j, const struct shape *s, uint64_t addr)
{
	const char *problem;
	char why[96];
	unsigned int i;

	problem = shape_addr_problem(s, addr, why, sizeof(why));
	json_object_begin(j, NULL);
	json_string(j, "name", s->name);
	json_string(j, "arch", s->arch);
	json_string(j, "title", s->title);
	json_u64(j, "levels", s->nr_levels);
	json_u64(j, "va_bits", s->va_bits);
	json_u64(j, "page_size", 1ULL << s->page_shift);
	json_u64(j, "entry_bytes", s->entry_bytes);
	json_bool(j, "translates", !problem);
	json_string(j, "problem", problem);
	if (problem) {
		json_string(j, "split", NULL);
		json_object_end(j);
		return;
	}
	json_bool(j, "kernel_half", shape_kernel_half(s, addr));
	split_json(j, "split", s, addr, VMLAB_LEVEL_PTE, NULL);
	json_array_begin(j, "huge");
	for (i = 0; i < s->nr_levels; i++) {
		if (!s->levels[i].huge)
			continue;
		json_object_begin(j, NULL);
		json_string(j, "level", vmlab_level_name(s->levels[i].level));
		json_u64(j, "size", 1ULL << s->levels[i].shift);
		json_u64(j, "offset", shape_offset(addr, s->levels[i].shift));
		json_hex(j, "offset_hex", shape_offset(addr, s->levels[i].shift));
		json_object_end(j);
	}
	json_array_end(j);
	json_object_end(j);
}

int cmd_shapes(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "json", no_argument, NULL, 'j' },
		{ "list", no_argument, NULL, 'l' },
		{ "shape", required_argument, NULL, 's' },
		{ }
	};
	const struct shape *only = NULL;
	bool json = false, list = false;
	char why[96];
	uint64_t addr;
	struct json j;
	size_t i, translated = 0;
	int c;

	while ((c = getopt_long(argc, argv, "hjls:", opts, NULL)) != -1) {
		if (c == 'j') {
			json = true;
		} else if (c == 'l') {
			list = true;
		} else if (c == 's') {
			only = shape_by_name(optarg);
			if (!only)
				return usage_error("shapes", "unknown shape '%s' (see --list)",
						   optarg);
		} else {
			return help_or_usage(c, "shapes", argv, print_usage);
		}
	}
	if (list) {
		if (optind < argc)
			return usage_error("shapes", "unexpected argument '%s'", argv[optind]);
		for (i = 0; i < nr_shapes; i++)
			printf("%-14s %s\n", shapes[i].name, shapes[i].title);
		return EXIT_OK;
	}
	if (optind == argc)
		return usage_error("shapes", "missing ADDR");
	if (optind + 1 < argc)
		return usage_error("shapes", "unexpected argument '%s' (one ADDR)",
				   argv[optind + 1]);
	if (parse_addr(argv[optind], &addr))
		return usage_error("shapes", "bad address '%s' (hex, 0x optional, at most 64 bits)",
				   argv[optind]);

	if (json) {
		json_init(&j, stdout);
		json_object_begin(&j, NULL);
		json_u64(&j, "addr", addr);
		json_hex(&j, "addr_hex", addr);
		json_array_begin(&j, "shapes");
	} else {
		printf("%saddress 0x%" PRIx64 "%s\n", colour(C_BOLD), addr, colour(C_RESET));
	}
	for (i = 0; i < nr_shapes; i++) {
		if (only && only != &shapes[i])
			continue;
		translated += !shape_addr_problem(&shapes[i], addr, why, sizeof(why));
		if (json)
			shape_json(&j, &shapes[i], addr);
		else
			shape_text(&shapes[i], addr);
	}
	if (json) {
		json_array_end(&j);
		json_object_end(&j);
		json_end(&j);
	}
	return translated ? EXIT_OK : EXIT_FAILED;
}
