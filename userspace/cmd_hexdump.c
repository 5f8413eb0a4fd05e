// SPDX-License-Identifier: GPL-2.0
/*
 * vmlab hexdump - a region's bytes, read through a read-only shared
 * mapping (device memory too), printed exactly as "hexdump -C" prints them
 */
#include <errno.h>
#include <inttypes.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "hexdump.h"
#include "cli.h"

static void print_usage(FILE *f)
{
	fprintf(f, "usage: %s hexdump [-s OFFSET] [-n LENGTH] REGION\n"
		"Map region REGION (any kind: MAP_SHARED, read-only) and print its\n"
		"bytes as \"hexdump -C\" does, offsets counted from the region's start.\n"
		"OFFSET and LENGTH: decimal or 0x hex, with an optional K, M or G.\n"
		"  -s, --skip OFFSET   start there (before the region's end)\n"
		"  -n, --length LENGTH at most that many bytes (default: to the end)\n",
		prog);
}

int cmd_hexdump(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "skip", required_argument, NULL, 's' },
		{ "length", required_argument, NULL, 'n' },
		{ }
	};
	struct vmlab_region_info ri;
	uint64_t skip = 0, len = UINT64_MAX, map_start, map_len;
	struct vmlab_info info;
	uint32_t id;
	void *p;
	int fd, c, status = EXIT_OK;

	while ((c = getopt_long(argc, argv, "hs:n:", opts, NULL)) != -1) {
		if (c == 's') {
			if (parse_u64(optarg, &skip, true))
				return usage_error("hexdump", "bad offset '%s'", optarg);
		} else if (c == 'n') {
			if (parse_u64(optarg, &len, true))
				return usage_error("hexdump", "bad length '%s'", optarg);
		} else {
			return help_or_usage(c, "hexdump", argv, print_usage);
		}
	}
	if (optind == argc)
		return usage_error("hexdump", "missing REGION");
	if (optind + 1 != argc)
		return usage_error("hexdump", "unexpected argument '%s'", argv[optind + 1]);
	if (parse_region_id(argv[optind], &id))
		return usage_error("hexdump", "bad region ID '%s'", argv[optind]);
	fd = open_device_info(&info, &status);
	if (fd < 0)
		return status;
	if (vmlab_region_info(fd, id, &ri)) {
		status = region_error(id);
		goto out;
	}
	if (skip >= ri.length) {
		errmsg("offset 0x%" PRIx64 " is at or past the end of region %u (0x%" PRIx64
		       " bytes)", skip, id, (uint64_t)ri.length);
		status = EXIT_FAILED;
		goto out;
	}
	if (len > ri.length - skip)
		len = ri.length - skip;
	if (!len)
		goto out;
	/* map only the pages the bytes are in */
	map_start = skip & ~((uint64_t)info.page_size - 1);
	map_len = skip + len - map_start;
	p = vmlab_region_map(fd, ri.offset + map_start, map_len, PROT_READ, MAP_SHARED);
	if (p == MAP_FAILED) {
		errmsg("region %u: mmap: %s", id, strerror(errno));
		status = EXIT_FAILED;
		goto out;
	}
	hexdump_c(stdout, (const char *)p + (skip - map_start), len, skip);
	munmap(p, map_len);
	if (fflush(stdout)) {
		errmsg("stdout: %s", strerror(errno));
		status = EXIT_FAILED;
	}
out:
	close(fd);
	return status;
}
