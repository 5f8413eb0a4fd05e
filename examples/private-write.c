// SPDX-License-Identifier: GPL-2.0
/*
 * private-write - map a file MAP_PRIVATE, writable, overwrite three bytes
 * through the mapping, and show that the mapping changed but the file did
 * not: copy-on-write.
 *
 *	private-write FILE [OFFSET]	(default offset 0; the file must hold
 *					 OFFSET + 3 bytes)
 *
 * What to watch for: the file may be opened O_RDONLY: a private mapping
 * never writes back, so PROT_WRITE needs no write permission on the file
 * ("rw-p" in /proc/PID/maps). Before the write the page is the page
 * cache's own (read faults map it, read-only); the first write faults and
 * the kernel gives this process a copy of its own, an anonymous page
 * ("vmlab run --walk private-write FILE" shows the frame change at the
 * second msync). "hexdump -C FILE" before and after prints the same
 * bytes: msync() does not write a private copy back.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

/* print @len bytes of @buf as hexdump -C's middle columns would */
static void show(const char *what, const unsigned char *buf, size_t len)
{
	size_t i;

	printf("%-9s", what);
	for (i = 0; i < len; i++)
		printf(" %02x", buf[i]);
	printf("  |");
	for (i = 0; i < len; i++)
		putchar(buf[i] >= 0x20 && buf[i] < 0x7f ? buf[i] : '.');
	printf("|\n");
}

int main(int argc, char **argv)
{
	unsigned char before[3], infile[3], *p;
	long off = argc > 2 ? atol(argv[2]) : 0;
	struct stat st;
	int fd;

	if (argc < 2 || argc > 3 || off < 0) {
		fprintf(stderr, "usage: private-write FILE [OFFSET]\n");
		return 2;
	}
	fd = open(argv[1], O_RDONLY);
	if (fd < 0 || fstat(fd, &st)) {
		perror(argv[1]);
		return 1;
	}
	if (st.st_size < off + 3) {
		fprintf(stderr, "private-write: %s: shorter than %ld bytes\n", argv[1], off + 3);
		return 1;
	}
	p = mmap(NULL, off + 3, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	if (p == MAP_FAILED) {
		perror("private-write: mmap");
		return 1;
	}
	memcpy(before, p + off, 3);		/* a read fault: the file's page */
	show("mapping", p + off, 3);
	/*
	 * msync() of a private mapping writes nothing back, here or below;
	 * under vmlab run --walk each call shows the leaf: the page cache's
	 * frame, read-only, then after the write a frame of our own
	 */
	msync(p, off + 3, MS_SYNC);
	memcpy(p + off, "XYZ", 3);		/* a write fault: a private copy */
	show("written", p + off, 3);
	msync(p, off + 3, MS_SYNC);
	if (pread(fd, infile, 3, off) != 3) {
		perror("private-write: pread");
		return 1;
	}
	show("file", infile, 3);
	if (memcmp(infile, before, 3)) {
		printf("the file changed: MISMATCH\n");
		return 1;
	}
	printf("the file is unchanged: the write went to a private copy\n");
	munmap(p, off + 3);
	close(fd);
	return 0;
}
