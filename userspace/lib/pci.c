// SPDX-License-Identifier: GPL-2.0
/*
 * libvmlab: PCI regions (see libvmlab.h, "PCI regions"): BARs of the
 * devices vmlab.ko's PCI driver is bound to, found through sysfs.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "libvmlab.h"

#define VMLAB_PCI_DRIVER_DIR	"/sys/bus/pci/drivers/vmlab"

int vmlab_pci_parse(const char *s, __u32 *addr)
{
	unsigned int domain = 0, bus, dev, fn;
	int end = 0;

	if (sscanf(s, "%x:%x:%x.%x%n", &domain, &bus, &dev, &fn, &end) != 4 ||
	    s[end]) {
		domain = 0;
		end = 0;
		if (sscanf(s, "%x:%x.%x%n", &bus, &dev, &fn, &end) != 3 || s[end])
			goto bad;
	}
	if (domain > 0xffff || bus > 0xff || dev > 0x1f || fn > 7)
		goto bad;
	*addr = VMLAB_PCI_ADDR(domain, bus, dev, fn);
	return 0;
bad:
	errno = EINVAL;
	return -1;
}

const char *vmlab_pci_format(char *buf, size_t size, __u32 addr)
{
	snprintf(buf, size, "%04x:%02x:%02x.%x", VMLAB_PCI_DOMAIN(addr),
		 VMLAB_PCI_BUS(addr), VMLAB_PCI_DEV(addr), VMLAB_PCI_FN(addr));
	return buf;
}

int vmlab_pci_devices(__u32 *addrs, int max)
{
	struct dirent *de;
	__u32 addr;
	DIR *dir;
	int n = 0;

	dir = opendir(VMLAB_PCI_DRIVER_DIR);
	if (!dir)
		return errno == ENOENT ? 0 : -1;	/* no module: no device */
	while ((de = readdir(dir))) {
		if (vmlab_pci_parse(de->d_name, &addr))
			continue;
		if (n < max)
			addrs[n] = addr;
		n++;
	}
	closedir(dir);
	return n < max ? n : max;
}

/* Writes "DDDD:BB:DD.F" to the driver's sysfs file @what (bind, unbind). */
static int vmlab_pci_driver_write(const char *what, __u32 addr)
{
	char path[128], name[16];
	ssize_t len, n;
	int fd, saved;

	snprintf(path, sizeof(path), VMLAB_PCI_DRIVER_DIR "/%s", what);
	vmlab_pci_format(name, sizeof(name), addr);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	len = strlen(name);
	n = write(fd, name, len);
	saved = errno;
	close(fd);
	if (n == len)
		return 0;
	errno = n < 0 ? saved : EIO;
	return -1;
}

int vmlab_pci_unbind(__u32 addr)
{
	return vmlab_pci_driver_write("unbind", addr);
}

int vmlab_pci_bind(__u32 addr)
{
	return vmlab_pci_driver_write("bind", addr);
}

int vmlab_region_pci(int fd, __u32 pci_addr, __u32 bar, __u64 bar_offset,
		     __u64 length, __u32 flags, __u32 cache,
		     struct vmlab_region_create *rc)
{
	memset(rc, 0, sizeof(*rc));
	rc->kind = VMLAB_REGION_PCI;
	rc->pci_addr = pci_addr;
	rc->bar = bar;
	rc->bar_offset = bar_offset;
	rc->length = length;
	rc->flags = flags;
	rc->cache = cache;
	return vmlab_region_create(fd, rc);
}
