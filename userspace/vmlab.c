// SPDX-License-Identifier: GPL-2.0
/*
 * vmlab - the command-line tool of the vmlab lab
 *
 *	vmlab info		what the module and the kernel report
 *
 * Exit status: 0 ok, 1 failed, 2 usage error or module not loaded.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lab.h"
#include "libvmlab.h"

#define EXIT_USAGE 2

static const char *prog = "vmlab";

static int open_device(void)
{
	int fd = vmlab_open();

	if (fd < 0) {
		if (errno == ENOENT || errno == ENXIO || errno == ENODEV)
			fprintf(stderr, "%s: vmlab module not loaded: insmod vmlab.ko\n", prog);
		else
			fprintf(stderr, "%s: %s: %s\n", prog, VMLAB_DEVICE, strerror(errno));
	}
	return fd;
}

static void info_usage(FILE *f)
{
	fprintf(f, "usage: %s info\n"
		"Print the module's ABI version, the page size, the paging levels\n"
		"and the kernel release.\n", prog);
}

static int cmd_info(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ }
	};
	struct vmlab_info info;
	int fd, c;

	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		if (c == 'h') {
			info_usage(stdout);
			return 0;
		}
		info_usage(stderr);
		return EXIT_USAGE;
	}
	if (optind != argc) {
		info_usage(stderr);
		return EXIT_USAGE;
	}
	fd = open_device();
	if (fd < 0)
		return EXIT_USAGE;
	if (vmlab_info(fd, &info)) {
		fprintf(stderr, "%s: info: %s\n", prog, strerror(errno));
		return 1;
	}
	printf("abi version     %u\n", info.abi_version);
	printf("kernel          %s\n", info.release);
	printf("page size       %u\n", info.page_size);
	printf("paging levels   %u\n", info.pgtable_levels);
	printf("features        %#llx\n", (unsigned long long)info.features);
	return 0;
}

static const struct command {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *summary;
} commands[] = {
	{ "info", cmd_info, "what the module and the kernel report" },
	{ "lab", cmd_lab, "guided lessons on mappings, each checked against the kernel" },
};

static void usage(FILE *f)
{
	size_t i;

	fprintf(f, "usage: %s COMMAND [ARGS...]\n\ncommands:\n", prog);
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(f, "  %-10s %s\n", commands[i].name, commands[i].summary);
	fprintf(f, "\n'%s COMMAND --help' describes one command.\n", prog);
}

int main(int argc, char **argv)
{
	size_t i;

	if (argc < 2) {
		usage(stderr);
		return EXIT_USAGE;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		usage(stdout);
		return 0;
	}
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		if (!strcmp(argv[1], commands[i].name))
			return commands[i].run(argc - 1, argv + 1);
	}
	fprintf(stderr, "%s: unknown command '%s'\n", prog, argv[1]);
	usage(stderr);
	return EXIT_USAGE;
}
