// SPDX-License-Identifier: GPL-2.0
/*
 * vmlab walk - the page tables, the page and the COW verdict behind
 * addresses of a process
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "json.h"
#include "cli.h"
#include "shapes.h"

static void print_usage(FILE *f)
{
	fprintf(f, "usage: %s walk -p PID [--json] ADDR...\n"
		"       %s walk -p PID -p PID2 [--json] ADDR...\n"
		"Walk the page tables of each address in process PID: per level the\n"
		"index, the raw entry and its decoded flags; then the leaf, the page's\n"
		"state, the VMA, and the copy-on-write verdict: what a write would do\n"
		"now, and why. Addresses are hex, as /proc/PID/maps prints them, with\n"
		"or without 0x (7ffd5e3a1000 or 0x7ffd5e3a1000). With two -p, each\n"
		"address in both processes side by side (VMA, leaf, frame, page,\n"
		"verdict), \"same frame\" marked where both map one page frame.\n"
		"With one -p, each walk starts with the address split on this kernel's\n"
		"page-table shape: per level the bits of the address that index it and\n"
		"the index, then the offset in the leaf (vmlab shapes ADDR: on every shape).\n"
		"Without CAP_SYS_ADMIN the PFN is hidden and a frame token shown instead,\n"
		"\"frame ~3fa9c1d2\": equal tokens, the same frame (within one run).\n"
		"  -p, --pid PID  the process: a pid ($$: the shell's) or self (vmlab\n"
		"                 itself); another process by pid with CAP_SYS_PTRACE,\n"
		"                 else through /proc/PID/mem when you may ptrace it\n"
		"  -j, --json     one JSON document: {\"pid\", \"walks\": [...]}, each walk's\n"
		"                 \"split\" as vmlab shapes gives it (null: unknown shape);\n"
		"                 with two -p {\"pids\", \"walks\": [{\"addr\",\n"
		"                 \"same_frame\", \"frame\", \"processes\": [walk, walk]}]}\n",
		prog, prog);
}

static const char *flags_str(char *buf, size_t size, uint32_t flags,
			     const char *(*name)(unsigned int bit))
{
	vmlab_format_flags(buf, size, flags, name);
	return buf[0] ? buf : "-";
}

static bool level_valid(const struct vmlab_walk *w, unsigned int l)
{
	return w->valid_levels & (1u << l);
}

static bool level_reached(const struct vmlab_walk *w, unsigned int l)
{
	return w->leaf_level != VMLAB_LEVEL_NONE && l <= w->leaf_level && level_valid(w, l);
}

/* the flags of level @l's entry: the walk's own for the leaf, decoded else */
static uint32_t level_flags(const struct vmlab_walk *w, unsigned int l)
{
	if (l == w->leaf_level)
		return w->leaf_flags;
	return vmlab_entry_flags(w->entries[l], l);
}

/*
 * The leaf entry's own flags, decoded from its raw bits: where the kernel
 * folds state over a contiguous run (arm64's contpte), the walk's leaf
 * flags are the run's accessed and dirty, the raw entry the member's own.
 */
static uint32_t own_flags(const struct vmlab_walk *w)
{
	return vmlab_entry_flags(w->entries[w->leaf_level], w->leaf_level);
}

/*
 * @shape if it is the one @w was walked on (its levels are the walk's), else
 * NULL: the split is not shown rather than shown wrong.
 */
static const struct shape *walk_shape(const struct shape *shape, const struct vmlab_walk *w)
{
	return shape && shape_level_mask(shape) == w->valid_levels ? shape : NULL;
}

/* the level whose leaf holds @w's address: the leaf's if present, else a PTE's */
static unsigned int split_leaf(const struct vmlab_walk *w)
{
	bool leaf = w->leaf_level < VMLAB_NR_LEVELS &&
		    (w->present_levels & (1u << w->leaf_level)) && w->leaf_size;

	return leaf ? w->leaf_level : VMLAB_LEVEL_PTE;
}

/* the address split of @w on @shape: the bits per level, the offset */
static void print_split(const struct vmlab_walk *w, const struct shape *shape)
{
	char folded[64];

	shape = walk_shape(shape, w);
	if (!shape) {
		printf("  address split: this kernel's page-table shape is not one vmlab knows\n");
		return;
	}
	printf("  address split on %s", shape->title);
	if (shape_folded(shape, folded, sizeof(folded))[0])
		printf("; folded: %s", folded);
	printf("\n");
	split_print(shape, w->addr, split_leaf(w), w->index, "    ");
}

static void print_text(const struct vmlab_walk *w, const struct target *t,
		       const struct shape *shape)
{
	char buf[256], sz[32];
	unsigned int l;
	enum colour vc = verdict_colour(w->verdict);

	printf("%saddress 0x%" PRIx64 "%s", colour(C_BOLD), (uint64_t)w->addr, colour(C_RESET));
	if (t->pid)
		printf(" in pid %u%s", t->pid, t->mem_fd >= 0 ? " (through /proc/PID/mem)" : "");
	printf("\n");
	print_split(w, shape);
	if (w->walk_flags & VMLAB_WALK_NO_VMA) {
		printf("  no VMA: nothing is mapped at this address\n");
		printf("verdict  %s%s%s: %s\n", colour(vc), vmlab_verdict_name(w->verdict) ?: "?",
		       colour(C_RESET), vmlab_verdict_reason(w->verdict) ?: "?");
		return;
	}
	printf("  %-5s %5s  %-18s  %s\n", "LEVEL", "INDEX", "ENTRY", "FLAGS");
	for (l = 0; l < VMLAB_NR_LEVELS; l++) {
		const char *name = vmlab_level_name(l);

		if (!level_valid(w, l)) {
			printf("  %-5s %5s  %-18s  %s(folded)%s\n", name, "-", "-",
			       colour(C_DIM), colour(C_RESET));
		} else if (!level_reached(w, l)) {
			printf("  %-5s %5s  %-18s  %s(not reached)%s\n", name, "-", "-",
			       colour(C_DIM), colour(C_RESET));
		} else {
			printf("  %-5s %5u  0x%016" PRIx64 "  %s%s\n", name, w->index[l],
			       (uint64_t)w->entries[l],
			       w->entries[l] ? flags_str(buf, sizeof(buf), level_flags(w, l),
							 vmlab_pte_flag_name) : "(empty)",
			       l == w->leaf_level ? "  <- leaf" : "");
		}
	}
	if (!(w->present_levels & (1u << w->leaf_level)) || !w->leaf_size) {
		printf("leaf     none: the walk stopped at an empty %s entry%s\n",
		       vmlab_level_name(w->leaf_level) ?: "?",
		       w->leaf_flags & (VMLAB_PTE_SWAP | VMLAB_PTE_MIGRATION) ?
		       " (a swap or migration entry)" : "");
	} else {
		printf("leaf     %s, %s, ", vmlab_level_name(w->leaf_level) ?: "?",
		       size_str(sz, sizeof(sz), w->leaf_size));
		printf("%s", frame_str(sz, sizeof(sz), w));
		if (w->walk_flags & VMLAB_WALK_PFN_HIDDEN)
			printf(" (%s: PFNs need CAP_SYS_ADMIN)",
			       w->walk_flags & VMLAB_WALK_FRAME_TOKEN ? "a token, not a PFN" :
			       "hidden");
		printf(", cache %s\n", vmlab_cache_name(w->cache_mode) ?: "?");
		if (w->leaf_flags & VMLAB_PTE_CONT)
			printf("         contiguous run: flags are the run's; %s%s\n",
			       "the entry's own: ",
			       flags_str(buf, sizeof(buf), own_flags(w), vmlab_pte_flag_name));
	}
	if (w->page_flags & VMLAB_PAGE_PRESENT)
		printf("page     refcount %u, mapcount %u, order %u, %s\n", w->refcount,
		       w->mapcount, w->order,
		       flags_str(buf, sizeof(buf), w->page_flags, vmlab_page_flag_name));
	else
		printf("page     none (no struct page behind the leaf, or no leaf)\n");
	printf("vma      0x%" PRIx64 "-0x%" PRIx64 " %s, vm_flags 0x%" PRIx64 "\n",
	       (uint64_t)w->vma_start, (uint64_t)w->vma_end,
	       vmlab_backing_name(w->backing) ?: "?", (uint64_t)w->vm_flags);
	printf("         %s\n", flags_str(buf, sizeof(buf), w->vma_flags, vmlab_vma_flag_name));
	if (w->backing == VMLAB_BACKING_VMLAB)
		printf("region   %u (%s)\n", w->region_id,
		       vmlab_region_kind_name(w->region_kind) ?: "?");
	printf("verdict  %s%s%s: %s\n", colour(vc), vmlab_verdict_name(w->verdict) ?: "?",
	       colour(C_RESET), vmlab_verdict_reason(w->verdict) ?: "?");
}

static void print_json(struct json *j, const struct vmlab_walk *w, const struct shape *shape)
{
	bool leaf = (w->present_levels & (1u << w->leaf_level)) && w->leaf_size;
	bool hidden = w->walk_flags & VMLAB_WALK_PFN_HIDDEN;
	unsigned int l;

	json_object_begin(j, NULL);
	json_u64(j, "addr", w->addr);
	json_hex(j, "addr_hex", w->addr);
	json_bool(j, "vma_found", !(w->walk_flags & VMLAB_WALK_NO_VMA));
	if (walk_shape(shape, w))
		split_json(j, "split", shape, w->addr, split_leaf(w), w->index);
	else
		json_string(j, "split", NULL);
	json_array_begin(j, "levels");
	for (l = 0; l < VMLAB_NR_LEVELS; l++) {
		json_object_begin(j, NULL);
		json_string(j, "level", vmlab_level_name(l));
		json_bool(j, "folded", !level_valid(w, l));
		json_bool(j, "reached", level_reached(w, l));
		json_bool(j, "present", w->present_levels & (1u << l));
		json_bool(j, "leaf", l == w->leaf_level);
		if (level_reached(w, l)) {
			json_u64(j, "index", w->index[l]);
			json_u64(j, "entry", w->entries[l]);
			json_hex(j, "entry_hex", w->entries[l]);
			json_flags(j, "flags", level_flags(w, l), vmlab_pte_flag_name);
		}
		json_object_end(j);
	}
	json_array_end(j);
	json_object_begin(j, "leaf");
	json_string(j, "level", vmlab_level_name(w->leaf_level));
	json_bool(j, "present", leaf);
	json_u64(j, "size", w->leaf_size);
	if (hidden)
		json_string(j, "pfn", NULL);
	else
		json_u64(j, "pfn", w->pfn);
	json_bool(j, "pfn_hidden", hidden);
	if (w->walk_flags & VMLAB_WALK_FRAME_TOKEN)
		json_hex(j, "frame_token", w->frame_token);
	else
		json_string(j, "frame_token", NULL);
	json_flags(j, "flags", w->leaf_flags, vmlab_pte_flag_name);
	if (leaf)
		json_flags(j, "entry_flags", own_flags(w), vmlab_pte_flag_name);
	json_string(j, "cache", vmlab_cache_name(w->cache_mode));
	if (w->leaf_flags & (VMLAB_PTE_SWAP | VMLAB_PTE_MIGRATION)) {
		json_u64(j, "swap_type", w->swap_type);
		json_u64(j, "swap_offset", w->swap_offset);
	}
	json_object_end(j);
	json_object_begin(j, "page");
	json_bool(j, "present", w->page_flags & VMLAB_PAGE_PRESENT);
	json_u64(j, "refcount", w->refcount);
	json_u64(j, "mapcount", w->mapcount);
	json_u64(j, "order", w->order);
	json_flags(j, "flags", w->page_flags, vmlab_page_flag_name);
	json_object_end(j);
	if (!(w->walk_flags & VMLAB_WALK_NO_VMA)) {
		json_object_begin(j, "vma");
		json_u64(j, "start", w->vma_start);
		json_u64(j, "end", w->vma_end);
		json_hex(j, "start_hex", w->vma_start);
		json_hex(j, "end_hex", w->vma_end);
		json_u64(j, "vm_flags", w->vm_flags);
		json_hex(j, "vm_flags_hex", w->vm_flags);
		json_flags(j, "flags", w->vma_flags, vmlab_vma_flag_name);
		json_string(j, "backing", vmlab_backing_name(w->backing));
		if (w->backing == VMLAB_BACKING_VMLAB) {
			json_u64(j, "region_id", w->region_id);
			json_string(j, "region_kind", vmlab_region_kind_name(w->region_kind));
		}
		json_object_end(j);
	}
	json_string(j, "verdict", vmlab_verdict_name(w->verdict));
	json_string(j, "reason", vmlab_verdict_reason(w->verdict));
	json_object_end(j);
}

/* one column of the side-by-side view: @fmt's text padded to its width */
static void cell(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void cell(const char *fmt, ...)
{
	char buf[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	printf("  %-40s", buf);
}

/* an address's walks in two processes, side by side, the frames compared */
static void print_pair_text(const struct vmlab_walk w[2], const uint32_t pids[2])
{
	char buf[256], sz[32];
	uint64_t frame[2];
	bool has[2], tok[2];
	int k;

	printf("%saddress 0x%" PRIx64 "%s\n%-8s", colour(C_BOLD), (uint64_t)w[0].addr,
	       colour(C_RESET), "");
	for (k = 0; k < 2; k++) {
		has[k] = walk_frame(&w[k], &frame[k]);
		tok[k] = walk_has_token(&w[k]);
		if (pids[k])
			cell("pid %u", pids[k]);
		else
			cell("pid %u (vmlab)", (uint32_t)getpid());
	}
	printf("\n%-8s", "vma");
	for (k = 0; k < 2; k++) {
		if (w[k].walk_flags & VMLAB_WALK_NO_VMA)
			cell("none");
		else
			cell("%" PRIx64 "-%" PRIx64 " %s", (uint64_t)w[k].vma_start,
			     (uint64_t)w[k].vma_end, vmlab_backing_name(w[k].backing) ?: "?");
	}
	printf("\n%-8s", "leaf");
	for (k = 0; k < 2; k++) {
		if (!(w[k].leaf_flags & VMLAB_PTE_PRESENT) || !w[k].leaf_size)
			cell("none");
		else
			cell("%s %s %s", vmlab_level_name(w[k].leaf_level) ?: "?",
			     size_str(sz, sizeof(sz), w[k].leaf_size),
			     vmlab_cache_name(w[k].cache_mode) ?: "?");
	}
	printf("\n%-8s", "flags");
	for (k = 0; k < 2; k++)
		cell("%s", flags_str(buf, sizeof(buf), w[k].leaf_flags, vmlab_pte_flag_name));
	printf("\n%-8s", "frame");
	for (k = 0; k < 2; k++) {
		if (has[k])
			cell("0x%" PRIx64, frame[k]);
		else if (tok[k])
			cell("~%08" PRIx32 " (token)", (uint32_t)w[k].frame_token);
		else
			cell("%s", w[k].walk_flags & VMLAB_WALK_PFN_HIDDEN &&
			     (w[k].leaf_flags & VMLAB_PTE_PRESENT) ? "hidden" : "-");
	}
	printf("\n%-8s", "page");
	for (k = 0; k < 2; k++) {
		if (w[k].page_flags & VMLAB_PAGE_PRESENT)
			cell("mapcount %u, %s", w[k].mapcount,
			     flags_str(buf, sizeof(buf), w[k].page_flags, vmlab_page_flag_name));
		else
			cell("none");
	}
	printf("\n%-8s", "verdict");
	for (k = 0; k < 2; k++)
		printf("  %s%-40s%s", colour(verdict_colour(w[k].verdict)),
		       vmlab_verdict_name(w[k].verdict) ?: "?", colour(C_RESET));
	printf("\n");
	if (has[0] && has[1] && frame[0] == frame[1])
		printf("%s=> same frame%s: both map page frame 0x%" PRIx64 "\n", colour(C_INFO),
		       colour(C_RESET), frame[0]);
	else if (has[0] && has[1])
		printf("=> different frames\n");
	else if (tok[0] && tok[1] && w[0].frame_token == w[1].frame_token)
		printf("%s=> same frame%s: both map the frame of token ~%08" PRIx32 "\n",
		       colour(C_INFO), colour(C_RESET), (uint32_t)w[0].frame_token);
	else if (tok[0] && tok[1])
		printf("=> different frames (by their tokens)\n");
	else if ((w[0].walk_flags | w[1].walk_flags) & VMLAB_WALK_PFN_HIDDEN)
		printf("=> frames hidden (needs CAP_SYS_ADMIN): not compared\n");
	else if (has[0] || has[1])
		printf("=> only pid %u maps a page frame here\n",
		       pids[has[0] ? 0 : 1] ?: (uint32_t)getpid());
	else
		printf("=> neither maps a page frame here\n");
}

static void print_pair_json(struct json *j, const struct vmlab_walk w[2],
			    const struct shape *shape)
{
	uint64_t frame[2];
	bool has0 = walk_frame(&w[0], &frame[0]), has1 = walk_frame(&w[1], &frame[1]);
	bool hidden = (w[0].walk_flags | w[1].walk_flags) & VMLAB_WALK_PFN_HIDDEN;
	bool tok = walk_has_token(&w[0]) && walk_has_token(&w[1]);

	json_object_begin(j, NULL);
	json_u64(j, "addr", w[0].addr);
	json_hex(j, "addr_hex", w[0].addr);
	if (hidden && tok)	/* one open's tokens: equal for the same frame */
		json_bool(j, "same_frame", w[0].frame_token == w[1].frame_token);
	else if (hidden)
		json_string(j, "same_frame", NULL);
	else
		json_bool(j, "same_frame", has0 && has1 && frame[0] == frame[1]);
	if (has0 && has1 && frame[0] == frame[1])
		json_u64(j, "frame", frame[0]);
	else
		json_string(j, "frame", NULL);
	json_array_begin(j, "processes");
	print_json(j, &w[0], shape);
	print_json(j, &w[1], shape);
	json_array_end(j);
	json_object_end(j);
}

int cmd_walk(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "pid", required_argument, NULL, 'p' },
		{ "json", no_argument, NULL, 'j' },
		{ }
	};
	const struct shape *shape;
	struct vmlab_info info;
	struct vmlab_walk *walks;
	struct target ts[2] = { { .mem_fd = -1 }, { .mem_fd = -1 } };
	uint32_t pids[2] = { 0 }, pid = 0;
	uint64_t addr;
	bool json = false;
	struct json j;
	int fd, c, i, k, nr_pids = 0, status = EXIT_OK;

	while ((c = getopt_long(argc, argv, "hp:j", opts, NULL)) != -1) {
		if (c == 'p') {
			if (nr_pids == 2)
				return usage_error("walk", "at most two -p (side by side)");
			if (parse_target(optarg, &pids[nr_pids]))
				return usage_error("walk", "bad pid '%s'", optarg);
			pid = pids[nr_pids++];
		} else if (c == 'j') {
			json = true;
		} else {
			return help_or_usage(c, "walk", argv, print_usage);
		}
	}
	if (!nr_pids)
		return missing_pid("walk");
	if (optind == argc)
		return usage_error("walk", "missing ADDR");
	for (i = optind; i < argc; i++) {
		if (parse_addr(argv[i], &addr))
			return usage_error("walk", "bad address '%s' (hex, 0x optional)", argv[i]);
	}
	/* with two -p, the walks of each address in pids[0] and pids[1] side by side */
	walks = calloc((argc - optind) * nr_pids, sizeof(*walks));
	if (!walks) {
		errmsg("walk: %s", strerror(errno));
		return EXIT_FAILED;
	}
	fd = open_device_info(&info, &status);
	if (fd < 0) {
		free(walks);
		return status;
	}
	shape = shape_running(info.pgtable_levels, info.page_size);
	for (k = 0; k < nr_pids; k++) {
		status = target_open(fd, pids[k], &ts[k], "walk");
		if (status)
			goto out;
	}
	/* walk everything first: an error prints one line and no half document */
	for (i = optind; i < argc; i++) {
		parse_addr(argv[i], &addr);
		for (k = 0; k < nr_pids; k++) {
			if (vmlab_walk_flags(fd, ts[k].arg, ts[k].flags, addr,
					     &walks[(i - optind) * nr_pids + k])) {
				status = walk_error(pids[k], argv[i]);
				goto out;
			}
		}
	}
	if (json) {
		json_init(&j, stdout);
		json_object_begin(&j, NULL);
		if (nr_pids == 2) {
			json_array_begin(&j, "pids");
			for (k = 0; k < 2; k++)
				json_u64(&j, NULL, pids[k] ?: (uint32_t)getpid());
			json_array_end(&j);
		} else {
			json_u64(&j, "pid", pid ? pid : (uint32_t)getpid());
		}
		json_array_begin(&j, "walks");
	}
	for (i = 0; i < argc - optind; i++) {
		if (json && nr_pids == 2)
			print_pair_json(&j, &walks[2 * i], shape);
		else if (json)
			print_json(&j, &walks[i], shape);
		if (json)
			continue;
		if (i)
			printf("\n");
		if (nr_pids == 2)
			print_pair_text(&walks[2 * i], pids);
		else
			print_text(&walks[i], &ts[0], shape);
	}
	if (json) {
		json_array_end(&j);
		json_object_end(&j);
		json_end(&j);
	}
out:
	for (k = 0; k < 2; k++)
		target_close(&ts[k]);
	free(walks);
	close(fd);
	return status;
}
