// SPDX-License-Identifier: GPL-2.0
/*
 * blockdev-map - map a block device file (a RAM disk: vmlab-disk ram
 * makes /dev/ram0) and write a text at an offset through the mapping.
 *
 *	blockdev-map [--private] DEVICE [TEXT [OFFSET]]
 *			(default text "vmlab was here", offset 0; the text
 *			 within the device's first 4096 bytes)
 *
 * Shared (the default): the bytes go into the block device's page cache,
 * msync(MS_SYNC) writes them to the device, and "dd if=DEVICE bs=16
 * count=1 | hexdump -C" (read(), no mapping) shows them. --private: the
 * same device file mapped MAP_PRIVATE works too, and the write stays in
 * this process's copy: dd shows the device unchanged.
 *
 * What to watch for: a device *file* of a block device is mapped like any
 * other file, through the page cache of the device's inode ("rw-s" and a
 * file type in vmlab maps, not a device: its pages are ordinary RAM). That
 * is why MAP_PRIVATE works here, unlike device *memory* (a PCI BAR, vmlab's
 * DEVICE regions, /dev/mem), which has no page cache and no struct pages
 * to copy from: such drivers refuse or cannot honour a private writable
 * mapping.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define MAP_LEN	4096

int main(int argc, char **argv)
{
	int private = argc > 1 && !strcmp(argv[1], "--private");
	const char *dev, *text = "vmlab was here";
	long off = 0;
	char *p;
	int fd;

	argv += private;
	argc -= private;
	if (argc > 2)
		text = argv[2];
	if (argc > 3)
		off = atol(argv[3]);
	if (argc < 2 || argc > 4 || off < 0 || off + strlen(text) > MAP_LEN) {
		fprintf(stderr, "usage: blockdev-map [--private] DEVICE [TEXT [OFFSET]]\n");
		return 2;
	}
	dev = argv[1];
	fd = open(dev, private ? O_RDONLY : O_RDWR);
	if (fd < 0) {
		perror(dev);
		return 1;
	}
	p = mmap(NULL, MAP_LEN, PROT_READ | PROT_WRITE, private ? MAP_PRIVATE : MAP_SHARED, fd, 0);
	if (p == MAP_FAILED) {
		perror("blockdev-map: mmap");
		return 1;
	}
	memcpy(p + off, text, strlen(text));
	if (!private && msync(p, MAP_LEN, MS_SYNC)) {
		perror("blockdev-map: msync");
		return 1;
	}
	printf("blockdev-map: %s mapped %s at %p: wrote \"%s\" at offset %ld%s\n", dev,
	       private ? "MAP_PRIVATE" : "MAP_SHARED", (void *)p, text, off,
	       private ? " (into a private copy)" : ", msync'ed to the device");
	munmap(p, MAP_LEN);
	close(fd);
	return 0;
}
