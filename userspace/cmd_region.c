// SPDX-License-Identifier: GPL-2.0
/*
 * vmlab region - create, list, inspect and destroy regions from the shell
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "json.h"
#include "cli.h"

static void print_usage(FILE *f)
{
	fprintf(f, "usage: %s region create --kind file|anon|device --size N[K|M|G]\n"
		"                      [--fill zero|byte:N|pattern] [--cache wb|wc|uc] [--readonly]\n"
		"       %s region create --kind pci --pci DDDD:BB:DD.F --bar N [--bar-offset N]\n"
		"                      [--size N] [--cache wc|uc] [--readonly]\n"
		"       %s region list [--json]\n"
		"       %s region info [--json] ID\n"
		"       %s region destroy ID\n"
		"Regions are module-wide memory that any process maps through %s at\n"
		"the region's offset; they live until destroyed (and unmapped).\n"
		"  --kind      file: pages the module owns, like a file's page cache;\n"
		"              anon: demand-zero memory; device: contiguous memory mapped\n"
		"              as PFNs, with --cache wb (default), wc or uc; pci: a BAR of a\n"
		"              PCI device vmlab is bound to (QEMU's ivshmem), mapped as PFNs\n"
		"              with the BAR's caching (wc if prefetchable, else uc)\n"
		"  --pci       pci: the device, as lspci -D names it (the domain may go)\n"
		"  --bar       pci: the BAR number, 0-5; --bar-offset: where to start in it\n"
		"  --size      bytes, a multiple of the page size; K, M, G suffixes\n"
		"              (pci: optional, to the BAR's end by default)\n"
		"  --fill      the first contents of a file region: zero (default),\n"
		"              byte:N (every byte N, 0-255), pattern (each 8-byte word\n"
		"              holds its own offset)\n"
		"  --readonly  no writable mapping, ever\n"
		"  -j, --json  list and info: one JSON document\n",
		prog, prog, prog, prog, prog, VMLAB_DEVICE);
}

static const char *region_flags(char *buf, size_t size, uint32_t flags)
{
	vmlab_format_flags(buf, size, flags, vmlab_region_flag_name);
	return buf[0] ? buf : "-";
}

static const char *kind_str(uint32_t kind)
{
	const char *s = vmlab_region_kind_name(kind);

	return s ? s : "?";
}

static int parse_fill(const char *s, struct vmlab_region_create *rc)
{
	uint64_t byte;

	if (!strcmp(s, "zero")) {
		rc->fill = VMLAB_FILL_ZERO;
	} else if (!strcmp(s, "pattern")) {
		rc->fill = VMLAB_FILL_PATTERN;
	} else if (!strncmp(s, "byte:", 5) && !parse_u64(s + 5, &byte, false) && byte <= 255) {
		rc->fill = VMLAB_FILL_BYTE;
		rc->fill_byte = byte;
	} else {
		return -1;
	}
	return 0;
}

static void pci_create_error(const struct vmlab_region_create *rc);

static int region_create(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "kind", required_argument, NULL, 'k' },
		{ "size", required_argument, NULL, 's' },
		{ "fill", required_argument, NULL, 'f' },
		{ "cache", required_argument, NULL, 'c' },
		{ "readonly", no_argument, NULL, 'r' },
		{ "pci", required_argument, NULL, 'p' },
		{ "bar", required_argument, NULL, 'b' },
		{ "bar-offset", required_argument, NULL, 'o' },
		{ }
	};
	struct vmlab_region_create rc = { 0 };
	uint64_t size;
	char sz[32], pci[16];
	bool has_pci = false;
	int fd, c, v, status;

	while ((c = getopt_long(argc, argv, "hk:s:f:c:rp:b:o:", opts, NULL)) != -1) {
		switch (c) {
		case 'k':
			v = vmlab_region_kind_value(optarg);
			if (v < 0)
				return usage_error("region", "unknown kind '%s'", optarg);
			rc.kind = v;
			break;
		case 's':
			if (parse_u64(optarg, &size, true) || !size)
				return usage_error("region", "bad size '%s'", optarg);
			rc.length = size;
			break;
		case 'f':
			if (parse_fill(optarg, &rc))
				return usage_error("region", "bad fill '%s'", optarg);
			break;
		case 'c':
			v = vmlab_cache_value(optarg);
			if (v < 0 || v > VMLAB_CACHE_UC)
				return usage_error("region", "bad caching mode '%s'", optarg);
			rc.cache = v;
			break;
		case 'r':
			rc.flags |= VMLAB_REGION_READONLY;
			break;
		case 'p':
			if (vmlab_pci_parse(optarg, &rc.pci_addr))
				return usage_error("region", "bad PCI address '%s'", optarg);
			has_pci = true;
			break;
		case 'b':
			if (parse_u64(optarg, &size, false) || size >= VMLAB_PCI_NR_BARS)
				return usage_error("region", "bad BAR '%s' (0-5)", optarg);
			rc.bar = size;
			break;
		case 'o':
			if (parse_u64(optarg, &size, true))
				return usage_error("region", "bad BAR offset '%s'", optarg);
			rc.bar_offset = size;
			break;
		default:
			return help_or_usage(c, "region", argv, print_usage);
		}
	}
	if (optind != argc)
		return usage_error("region", "unexpected argument '%s'", argv[optind]);
	if (rc.kind == VMLAB_REGION_PCI && !has_pci)
		return usage_error("region", "a pci region needs --pci (and --bar)");
	if (rc.kind != VMLAB_REGION_PCI && (has_pci || rc.bar || rc.bar_offset))
		return usage_error("region", "--pci, --bar and --bar-offset are for pci regions");
	if (!rc.kind || (!rc.length && rc.kind != VMLAB_REGION_PCI))
		return usage_error("region", "create needs --kind and --size");
	fd = open_device(&status);
	if (fd < 0)
		return status;
	if (vmlab_region_create(fd, &rc)) {
		if (rc.kind == VMLAB_REGION_PCI)
			pci_create_error(&rc);
		else if (errno == EINVAL)
			errmsg("region create: invalid settings (%s)",
			       "the size must be a multiple of the page size; fill is for file regions, cache for device regions");
		else
			errmsg("region create: %s", strerror(errno));
		close(fd);
		return EXIT_FAILED;
	}
	close(fd);
	printf("region %u created: %s, %s, offset 0x%" PRIx64, rc.id,
	       kind_str(rc.kind), size_str(sz, sizeof(sz), rc.length), (uint64_t)rc.offset);
	if (rc.kind == VMLAB_REGION_PCI)
		printf(", %s BAR%u + 0x%" PRIx64 ", %s",
		       vmlab_pci_format(pci, sizeof(pci), rc.pci_addr), rc.bar,
		       (uint64_t)rc.bar_offset, vmlab_cache_name(rc.cache) ?: "?");
	printf("\n");
	return EXIT_OK;
}

/* PCI region errors in words: the errnos VMLAB_REGION_PCI documents */
static void pci_create_error(const struct vmlab_region_create *rc)
{
	char pci[16];
	const char *why;

	vmlab_pci_format(pci, sizeof(pci), rc->pci_addr);
	switch (errno) {
	case EPERM:
		why = "device memory is root's (CAP_SYS_RAWIO)";
		break;
	case ENODEV:
		why = "vmlab is bound to no such device (see /sys/bus/pci/drivers/vmlab)";
		break;
	case ENXIO:
		why = "the device has no such memory BAR, or vmlab does not offer it";
		break;
	case EACCES:
		why = "a register BAR is offered read-only: add --readonly";
		break;
	case EBUSY:
		why = "other regions of this BAR use another caching mode";
		break;
	case EINVAL:
		why = "the offset and size must be page-aligned and inside the BAR;"
		      " wc needs a prefetchable BAR";
		break;
	default:
		why = strerror(errno);
	}
	errmsg("region create: %s BAR%u: %s", pci, rc->bar, why);
}

/* a PCI region's device and BAR as the object "pci" */
static void pci_json(struct json *j, const struct vmlab_region_info *ri)
{
	char pci[16];

	json_object_begin(j, "pci");
	json_string(j, "address", vmlab_pci_format(pci, sizeof(pci), ri->pci_addr));
	json_u64(j, "bar", ri->bar);
	json_u64(j, "bar_offset", ri->bar_offset);
	json_u64(j, "bar_size", ri->bar_size);
	json_bool(j, "prefetchable", ri->pci_flags & VMLAB_PCI_PREFETCH);
	json_bool(j, "mem64", ri->pci_flags & VMLAB_PCI_MEM64);
	json_bool(j, "gone", ri->pci_flags & VMLAB_PCI_GONE);
	json_object_end(j);
}

/* "0000:00:03.0 BAR2 2M prefetch", "... gone", or "-" for other kinds */
static const char *pci_str(char *buf, size_t size, const struct vmlab_region_info *ri)
{
	char pci[16], sz[32];

	if (ri->kind != VMLAB_REGION_PCI)
		return "-";
	snprintf(buf, size, "%s BAR%u %s %s%s", vmlab_pci_format(pci, sizeof(pci), ri->pci_addr),
		 ri->bar, size_str(sz, sizeof(sz), ri->bar_size),
		 ri->pci_flags & VMLAB_PCI_PREFETCH ? "prefetch" : "non-prefetch",
		 ri->pci_flags & VMLAB_PCI_GONE ? " gone" : "");
	return buf;
}

/* one region as a JSON object; @full adds every setting and counter */
static void region_json(struct json *j, const struct vmlab_region_info *ri, bool full)
{
	const struct vmlab_region_counters *c = &ri->counters;

	json_object_begin(j, NULL);
	json_u64(j, "id", ri->id);
	json_string(j, "kind", vmlab_region_kind_name(ri->kind));
	json_u64(j, "size", ri->length);
	json_u64(j, "offset", ri->offset);
	json_hex(j, "offset_hex", ri->offset);
	json_flags(j, "flags", ri->flags, vmlab_region_flag_name);
	json_u64(j, "mappings", c->mappings);
	json_u64(j, "resident", c->pages_resident);
	if (ri->kind == VMLAB_REGION_PCI)
		pci_json(j, ri);
	if (full) {
		json_string(j, "fill", vmlab_fill_name(ri->fill));
		json_u64(j, "fill_byte", ri->fill_byte);
		json_string(j, "cache", vmlab_cache_name(ri->cache));
		json_u64(j, "phys_addr", ri->phys_addr);
		json_hex(j, "phys_addr_hex", ri->phys_addr);
		json_object_begin(j, "counters");
		json_u64(j, "read_faults", c->read_faults);
		json_u64(j, "write_faults", c->write_faults);
		json_u64(j, "cow_faults", c->cow_faults);
		json_u64(j, "page_mkwrite", c->page_mkwrite);
		json_u64(j, "map_pages", c->map_pages);
		json_u64(j, "pages_allocated", c->pages_allocated);
		json_u64(j, "pages_resident", c->pages_resident);
		json_u64(j, "pages_dirty", c->pages_dirty);
		json_u64(j, "writebacks", c->writebacks);
		json_u64(j, "mappings", c->mappings);
		json_u64(j, "huge_faults", c->huge_faults);
		json_object_end(j);
	}
	json_object_end(j);
}

/* --json alone, for list and info */
static int parse_json_opt(int argc, char **argv, bool *json)
{
	static const struct option opts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "json", no_argument, NULL, 'j' },
		{ }
	};
	int c;

	while ((c = getopt_long(argc, argv, "hj", opts, NULL)) != -1) {
		if (c != 'j')
			return help_or_usage(c, "region", argv, print_usage);
		*json = true;
	}
	return -1;
}

static int region_list(int argc, char **argv)
{
	struct vmlab_region_info ri;
	uint32_t *ids, nr = 0;
	bool json = false;
	struct json j;
	char sz[32], fl[64], pb[64];
	int fd, n, i, ret = EXIT_OK, status;

	status = parse_json_opt(argc, argv, &json);
	if (status >= 0)
		return status;
	if (optind != argc)
		return usage_error("region", "unexpected argument '%s'", argv[optind]);
	fd = open_device(&status);
	if (fd < 0)
		return status;
	ids = calloc(65536, sizeof(*ids));
	n = ids ? vmlab_region_list(fd, ids, 65536, &nr) : -1;
	if (n < 0) {
		errmsg("region list: %s", strerror(errno));
		free(ids);
		close(fd);
		return EXIT_FAILED;
	}
	if (json) {
		json_init(&j, stdout);
		json_object_begin(&j, NULL);
		json_array_begin(&j, "regions");
	} else {
		printf("%s%5s  %-6s  %8s  %-14s  %-8s  %8s  %8s  %s%s\n", colour(C_BOLD),
		       "ID", "KIND", "SIZE", "OFFSET", "FLAGS", "MAPPINGS", "RESIDENT",
		       "PCI BAR", colour(C_RESET));
	}
	for (i = 0; i < n; i++) {
		if (vmlab_region_info(fd, ids[i], &ri)) {
			if (errno == ENOENT)	/* destroyed since the list */
				continue;
			ret = region_error(ids[i]);
			break;
		}
		if (json) {
			region_json(&j, &ri, false);
			continue;
		}
		printf("%5u  %-6s  %8s  %#-14" PRIx64 "  %-8s  %8" PRIu64 "  %8" PRIu64 "  %s\n",
		       ri.id, kind_str(ri.kind), size_str(sz, sizeof(sz), ri.length),
		       (uint64_t)ri.offset, region_flags(fl, sizeof(fl), ri.flags),
		       (uint64_t)ri.counters.mappings, (uint64_t)ri.counters.pages_resident,
		       pci_str(pb, sizeof(pb), &ri));
	}
	if (json) {
		json_array_end(&j);
		json_object_end(&j);
		json_end(&j);
	}
	free(ids);
	close(fd);
	return ret;
}

/*
 * The ID argument, after the options, and the device: the open fd, or -1
 * with the exit code in *@status.
 */
static int region_id_open(int argc, char **argv, uint32_t *id, int *status)
{
	*status = EXIT_USAGE;
	if (optind >= argc)
		usage_error("region", "%s needs a region ID", argv[0]);
	else if (optind + 1 != argc)
		usage_error("region", "unexpected argument '%s'", argv[optind + 1]);
	else if (parse_region_id(argv[optind], id))
		usage_error("region", "bad region ID '%s'", argv[optind]);
	else
		return open_device(status);
	return -1;
}

static int region_info(int argc, char **argv)
{
	struct vmlab_region_info ri;
	struct vmlab_region_counters *c = &ri.counters;
	bool json = false;
	struct json j;
	char sz[32], fl[64], pb[16];
	uint32_t id;
	int fd, status;

	status = parse_json_opt(argc, argv, &json);
	if (status >= 0)
		return status;
	fd = region_id_open(argc, argv, &id, &status);
	if (fd < 0)
		return status;
	if (vmlab_region_info(fd, id, &ri)) {
		status = region_error(id);
		close(fd);
		return status;
	}
	close(fd);
	if (json) {
		json_init(&j, stdout);
		region_json(&j, &ri, true);
		json_end(&j);
		return EXIT_OK;
	}
	printf("region %u\n", ri.id);
	printf("  kind             %s\n", kind_str(ri.kind));
	printf("  size             %s (%" PRIu64 " bytes)\n", size_str(sz, sizeof(sz), ri.length),
	       (uint64_t)ri.length);
	printf("  offset           0x%" PRIx64 "\n", (uint64_t)ri.offset);
	printf("  flags            %s\n", region_flags(fl, sizeof(fl), ri.flags));
	if (ri.fill == VMLAB_FILL_BYTE)
		printf("  fill             byte:%u\n", ri.fill_byte);
	else
		printf("  fill             %s\n", vmlab_fill_name(ri.fill) ?: "?");
	printf("  cache            %s\n", vmlab_cache_name(ri.cache) ?: "?");
	if (ri.kind == VMLAB_REGION_DEVICE || ri.kind == VMLAB_REGION_PCI)
		printf("  phys addr        0x%" PRIx64 "%s\n", (uint64_t)ri.phys_addr,
		       ri.phys_addr ? "" : " (hidden: root only)");
	if (ri.kind == VMLAB_REGION_PCI) {
		printf("  pci device       %s%s\n", vmlab_pci_format(pb, sizeof(pb), ri.pci_addr),
		       ri.pci_flags & VMLAB_PCI_GONE ? " (gone: accesses get SIGBUS)" : "");
		printf("  bar              BAR%u + 0x%" PRIx64 " of %s (%" PRIu64 " bytes), %s%s\n",
		       ri.bar, (uint64_t)ri.bar_offset, size_str(sz, sizeof(sz), ri.bar_size),
		       (uint64_t)ri.bar_size,
		       ri.pci_flags & VMLAB_PCI_PREFETCH ? "prefetchable" : "non-prefetchable",
		       ri.pci_flags & VMLAB_PCI_MEM64 ? ", 64-bit" : "");
	}
	printf("counters\n");
	printf("  read faults      %" PRIu64 "\n", (uint64_t)c->read_faults);
	printf("  write faults     %" PRIu64 "\n", (uint64_t)c->write_faults);
	printf("  cow faults       %" PRIu64 "\n", (uint64_t)c->cow_faults);
	printf("  page_mkwrite     %" PRIu64 "\n", (uint64_t)c->page_mkwrite);
	printf("  map_pages        %" PRIu64 "\n", (uint64_t)c->map_pages);
	printf("  pages allocated  %" PRIu64 "\n", (uint64_t)c->pages_allocated);
	printf("  pages resident   %" PRIu64 "\n", (uint64_t)c->pages_resident);
	printf("  pages dirty      %" PRIu64 "\n", (uint64_t)c->pages_dirty);
	printf("  writebacks       %" PRIu64 "\n", (uint64_t)c->writebacks);
	printf("  mappings         %" PRIu64 "\n", (uint64_t)c->mappings);
	printf("  huge faults      %" PRIu64 "\n", (uint64_t)c->huge_faults);
	return EXIT_OK;
}

static int region_destroy(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ }
	};
	uint32_t id;
	int fd, c, status;

	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1)
		return help_or_usage(c, "region", argv, print_usage);
	fd = region_id_open(argc, argv, &id, &status);
	if (fd < 0)
		return status;
	status = EXIT_OK;
	if (vmlab_region_destroy(fd, id))
		status = region_error(id);
	else
		printf("region %u destroyed\n", id);
	close(fd);
	return status;
}

int cmd_region(int argc, char **argv)
{
	static const struct {
		const char *name;
		int (*run)(int argc, char **argv);
	} subs[] = {
		{ "create", region_create },
		{ "list", region_list },
		{ "info", region_info },
		{ "destroy", region_destroy },
	};
	size_t i;

	if (argc < 2)
		return usage_error("region", "missing create, list, info or destroy");
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		print_usage(stdout);
		return EXIT_OK;
	}
	for (i = 0; i < ARRAY_SIZE(subs); i++) {
		if (!strcmp(argv[1], subs[i].name))
			return subs[i].run(argc - 1, argv + 1);
	}
	return usage_error("region", "unknown region command '%s'", argv[1]);
}
