// SPDX-License-Identifier: GPL-2.0
/*
 * shm-read - map the POSIX shared memory object shm-write filled and check
 * that p[i] == i; with --unlink, remove the object afterwards.
 *
 *	shm-read [--unlink] [NAME [COUNT]]	(default: /vmlab-shm, 1024 ints)
 *
 * What to watch for: this process never saw shm-write (it may have exited
 * long ago); the values come from the object's pages, which stay in tmpfs's
 * page cache until the name is unlinked and the last mapping is gone. The
 * mapping is read-only here (PROT_READ, O_RDONLY: "r--s"), and its address
 * is in general not shm-write's: a pointer stored inside shared memory
 * means nothing to the other process.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	int unlink_it = argc > 1 && !strcmp(argv[1], "--unlink");
	const char *name = "/vmlab-shm";
	long i, bad = 0, count = 1024;
	struct stat st;
	size_t len;
	int *p, fd;

	argv += unlink_it;
	argc -= unlink_it;
	if (argc > 1)
		name = argv[1];
	if (argc > 2)
		count = atol(argv[2]);
	if (argc > 3 || count <= 0 || count > (1L << 24)) {
		fprintf(stderr, "usage: shm-read [--unlink] [NAME [COUNT]] (COUNT 1..16777216)\n");
		return 2;
	}
	len = count * sizeof(*p);
	fd = shm_open(name, O_RDONLY, 0);
	if (fd < 0) {
		perror("shm-read: shm_open (run shm-write first)");
		return 1;
	}
	if (fstat(fd, &st) || (size_t)st.st_size < len) {
		fprintf(stderr, "shm-read: %s holds fewer than %ld ints\n", name, count);
		return 1;
	}
	p = mmap(NULL, len, PROT_READ, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED) {
		perror("shm-read: mmap");
		return 1;
	}
	close(fd);
	for (i = 0; i < count; i++)
		if (p[i] != i && bad++ < 5)
			printf("shm-read: p[%ld] = %d, not %ld\n", i, p[i], i);
	printf("shm-read: %s: p[0] = %d, p[%ld] = %d at %p: %s\n", name, p[0], count - 1,
	       p[count - 1], (void *)p, bad ? "MISMATCH" : "p[i] == i for every i");
	munmap(p, len);
	if (unlink_it && shm_unlink(name)) {
		perror("shm-read: shm_unlink");
		return 1;
	}
	return bad ? 1 : 0;
}
