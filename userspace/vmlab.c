// SPDX-License-Identifier: GPL-2.0
/*
 * vmlab - the command-line tool of the vmlab lab: main() and the table of
 * subcommands, one file each (cmd_*.c; shared helpers in util.c).
 *
 * Exit status: 0 ok, 1 failed, 2 usage error or module not loaded.
 */
#include <stdio.h>
#include <string.h>

#include "cli.h"

static const struct command {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *summary;
} commands[] = {
	{ "info", cmd_info, "what the module and the kernel report" },
	{ "walk", cmd_walk, "the page tables, page and COW verdict behind addresses" },
	{ "shapes", cmd_shapes, "one address split as every page-table shape would split it" },
	{ "scan", cmd_scan, "the leaves of an address range or a VMA, runs collapsed" },
	{ "tree", cmd_tree, "the page-table tree of a range: text, JSON, dot, SVG, HTML" },
	{ "maps", cmd_maps, "a process's VMAs with resident, zero, COW, dirty, huge pages" },
	{ "run", cmd_run, "run a program, showing what each memory call changed" },
	{ "trace", cmd_trace, "a process's page faults (or the regions'), live" },
	{ "diff", cmd_diff, "two saved scans (scan --json) compared page by page" },
	{ "region", cmd_region, "create, list, inspect and destroy regions" },
	{ "hexdump", cmd_hexdump, "a region's bytes as \"hexdump -C\" prints them" },
	{ "lab", cmd_lab, "guided lessons on mappings, each checked against the kernel" },
};

static void print_usage(FILE *f)
{
	size_t i;

	fprintf(f, "usage: %s COMMAND [ARGS...]\n\ncommands:\n", prog);
	for (i = 0; i < ARRAY_SIZE(commands); i++)
		fprintf(f, "  %-10s %s\n", commands[i].name, commands[i].summary);
	fprintf(f, "\n'%s COMMAND --help' describes one command.\n"
		"Exit status: 0 ok, 1 failed, 2 usage error or module not loaded.\n"
		"Environment: VMLAB_DEVICE (default %s), NO_COLOR.\n",
		prog, VMLAB_DEVICE);
}

int main(int argc, char **argv)
{
	size_t i;

	opterr = 0;	/* the subcommands say what is wrong, in one line */
	if (argc < 2) {
		print_usage(stderr);
		return EXIT_USAGE;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		print_usage(stdout);
		return EXIT_OK;
	}
	for (i = 0; i < ARRAY_SIZE(commands); i++) {
		if (!strcmp(argv[1], commands[i].name))
			return commands[i].run(argc - 1, argv + 1);
	}
	errmsg("unknown command '%s' (try '%s --help')", argv[1], prog);
	return EXIT_USAGE;
}
