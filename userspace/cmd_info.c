// SPDX-License-Identifier: GPL-2.0
/*
 * vmlab info - what the module and the running kernel report
 */
#include <errno.h>
#include <inttypes.h>
#include <string.h>
#include <unistd.h>

#include "json.h"
#include "cli.h"

static void print_usage(FILE *f)
{
	fprintf(f, "usage: %s info [--json]\n"
		"Print the module's ABI version, the kernel release, the page size,\n"
		"the paging levels and the features the module offers, by name.\n"
		"  -j, --json   one JSON document instead\n", prog);
}

/* the PCI devices the module's driver is bound to, "none" without */
static const char *pci_devices(char *buf, size_t size)
{
	__u32 addrs[8];
	char one[16];
	size_t len = 0;
	int i, n = vmlab_pci_devices(addrs, 8);

	buf[0] = '\0';
	for (i = 0; i < n && len < size; i++)
		len += snprintf(buf + len, size - len, "%s%s", i ? " " : "",
				vmlab_pci_format(one, sizeof(one), addrs[i]));
	return n > 0 ? buf : "none";
}

static void print_json(const struct vmlab_info *info)
{
	__u32 addrs[8];
	char one[16];
	struct json j;
	int i, n;

	json_init(&j, stdout);
	json_object_begin(&j, NULL);
	json_u64(&j, "abi_version", info->abi_version);
	json_string(&j, "kernel", info->release);
	json_u64(&j, "page_size", info->page_size);
	json_u64(&j, "pgtable_levels", info->pgtable_levels);
	json_u64(&j, "features", info->features);
	json_hex(&j, "features_hex", info->features);
	json_flags(&j, "feature_names", (uint32_t)info->features, vmlab_feature_name);
	json_array_begin(&j, "pci_devices");
	n = vmlab_pci_devices(addrs, 8);
	for (i = 0; i < n; i++)
		json_string(&j, NULL, vmlab_pci_format(one, sizeof(one), addrs[i]));
	json_array_end(&j);
	json_object_end(&j);
	json_end(&j);
}

int cmd_info(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "json", no_argument, NULL, 'j' },
		{ }
	};
	struct vmlab_info info;
	bool json = false;
	char names[256], pci[160];
	int fd, c, status;

	while ((c = getopt_long(argc, argv, "hj", opts, NULL)) != -1) {
		if (c == 'j')
			json = true;
		else
			return help_or_usage(c, "info", argv, print_usage);
	}
	if (optind != argc)
		return usage_error("info", "unexpected argument '%s'", argv[optind]);
	fd = open_device_info(&info, &status);
	if (fd < 0)
		return status;
	close(fd);
	if (json) {
		print_json(&info);
		return EXIT_OK;
	}
	vmlab_format_flags(names, sizeof(names), (uint32_t)info.features,
			   vmlab_feature_name);
	printf("abi version     %u\n", info.abi_version);
	printf("kernel          %s\n", info.release);
	printf("page size       %u\n", info.page_size);
	printf("paging levels   %u\n", info.pgtable_levels);
	printf("features        0x%" PRIx64 " (%s)\n", (uint64_t)info.features,
	       names[0] ? names : "none");
	printf("pci devices     %s\n", pci_devices(pci, sizeof(pci)));
	return EXIT_OK;
}
