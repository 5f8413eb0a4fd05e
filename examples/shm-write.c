// SPDX-License-Identifier: GPL-2.0
/*
 * shm-write - create a POSIX shared memory object, size it, map it shared
 * and write p[i] = i into it; shm-read, another program started later,
 * reads the values back.
 *
 *	shm-write [NAME [COUNT]]	(default: /vmlab-shm, 1024 ints)
 *	shm-read [NAME [COUNT]]
 *
 * What to watch for: the two processes are unrelated (no fork between
 * them) and meet only through the name: shm_open() opens a file in
 * /dev/shm (tmpfs), ftruncate() gives it a size (a new object has none:
 * touching the mapping past the end would be a SIGBUS), and
 * mmap(MAP_SHARED) maps the same page-cache pages into each: "rw-s" in
 * /proc/PID/maps. The object outlives shm-write until shm_unlink()
 * (shm-read --unlink, or rm /dev/shm/NAME).
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	const char *name = argc > 1 ? argv[1] : "/vmlab-shm";
	long i, count = argc > 2 ? atol(argv[2]) : 1024;
	size_t len;
	int *p, fd;

	if (argc > 3 || count <= 0 || count > (1L << 24)) {
		fprintf(stderr, "usage: shm-write [NAME [COUNT]] (COUNT 1..16777216)\n");
		return 2;
	}
	len = count * sizeof(*p);
	fd = shm_open(name, O_CREAT | O_RDWR, 0600);
	if (fd < 0) {
		perror("shm-write: shm_open");
		return 1;
	}
	if (ftruncate(fd, len)) {
		perror("shm-write: ftruncate");
		return 1;
	}
	p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED) {
		perror("shm-write: mmap");
		return 1;
	}
	close(fd);
	for (i = 0; i < count; i++)
		p[i] = i;
	printf("shm-write: %s: wrote p[i] = i for i < %ld at %p\n", name, count, (void *)p);
	munmap(p, len);
	return 0;
}
