// SPDX-License-Identifier: GPL-2.0
/*
 * elf-magic - map a file read-only and print its first 4 bytes: for an
 * executable, the ELF magic 7f 45 4c 46 ("\177ELF").
 *
 *	elf-magic [FILE]	(default: /bin/busybox, the VM's one program)
 *
 * What to watch for: no read() anywhere. mmap() only sets up a VMA (see
 * it with "vmlab run elf-magic": an "r--p" line naming the file); the
 * bytes arrive when the first access faults the file's page from the page
 * cache into this process's page table. PROT_READ + MAP_PRIVATE of a file
 * opened O_RDONLY: a write through p would be a SIGSEGV, not a copy.
 */
#include <fcntl.h>
#include <stdio.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	const char *path = argc > 1 ? argv[1] : "/bin/busybox";
	unsigned char *p;
	struct stat st;
	int fd;

	if (argc > 2) {
		fprintf(stderr, "usage: elf-magic [FILE]\n");
		return 2;
	}
	fd = open(path, O_RDONLY);
	if (fd < 0 || fstat(fd, &st)) {
		perror(path);
		return 1;
	}
	if (st.st_size < 4) {
		fprintf(stderr, "elf-magic: %s: shorter than 4 bytes\n", path);
		return 1;
	}
	p = mmap(NULL, 4, PROT_READ, MAP_PRIVATE, fd, 0);
	if (p == MAP_FAILED) {
		perror("elf-magic: mmap");
		return 1;
	}
	close(fd);		/* the mapping keeps the file open */
	printf("%s: %02x %02x %02x %02x  %c%c%c\n", path, p[0], p[1], p[2], p[3],
	       p[1], p[2], p[3]);
	if (p[0] == 0x7f && p[1] == 'E' && p[2] == 'L' && p[3] == 'F')
		printf("an ELF file\n");
	else
		printf("not an ELF file\n");
	munmap(p, 4);
	return 0;
}
