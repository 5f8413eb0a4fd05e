// SPDX-License-Identifier: GPL-2.0
/*
 * mmap-byte - map a file MAP_SHARED and print the byte at an offset.
 *
 *	mmap-byte FILE OFFSET
 *
 * What to watch for: only the page holding OFFSET is touched, and the
 * address is the mapping's start plus OFFSET: the page is the file's page
 * OFFSET / PAGE in the page cache, the byte at OFFSET % PAGE in it (PAGE
 * the page size: 4096, 16384 on arm64's 16 KiB kernels). An
 * offset past the end of the file is refused here; touching a mapped page
 * wholly past the end of the file would be a SIGBUS, while the rest of the
 * last page reads as zeros.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	long off, page = sysconf(_SC_PAGESIZE);
	unsigned char *p, c;
	struct stat st;
	char *end;
	int fd;

	if (argc != 3) {
		fprintf(stderr, "usage: mmap-byte FILE OFFSET\n");
		return 2;
	}
	off = strtol(argv[2], &end, 0);
	if (*end || off < 0) {
		fprintf(stderr, "mmap-byte: bad offset '%s'\n", argv[2]);
		return 2;
	}
	fd = open(argv[1], O_RDONLY);
	if (fd < 0 || fstat(fd, &st)) {
		perror(argv[1]);
		return 1;
	}
	if (off >= st.st_size) {
		fprintf(stderr, "mmap-byte: offset %ld is past the end of %s (%lld bytes)\n", off,
			argv[1], (long long)st.st_size);
		return 1;
	}
	p = mmap(NULL, st.st_size, PROT_READ, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED) {
		perror("mmap-byte: mmap");
		return 1;
	}
	c = p[off];
	printf("%s[%ld] = 0x%02x '%c' (page %ld of the file, byte %ld in it, at %p)\n", argv[1],
	       off, c, c >= 0x20 && c < 0x7f ? c : '.', off / page, off % page,
	       (void *)(p + off));
	munmap(p, st.st_size);
	close(fd);
	return 0;
}
