// SPDX-License-Identifier: GPL-2.0
/*
 * mmapcopy - copy a file to stdout through mmap() and write(): no read(),
 * no buffer of our own.
 *
 *	mmapcopy FILE > COPY
 *
 * What to watch for: write() copies straight out of the mapping, i.e. out
 * of the page cache's pages, which the kernel faults in as write() touches
 * them (several at a time: fault-around). One copy (page cache to the
 * output) where read() + write() make two (page cache to our buffer, our
 * buffer to the output). An empty file cannot be mapped (mmap of length 0
 * is EINVAL): it is copied as nothing.
 */
#include <fcntl.h>
#include <stdio.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	struct stat st;
	size_t done = 0;
	ssize_t n;
	char *p;
	int fd;

	if (argc != 2) {
		fprintf(stderr, "usage: mmapcopy FILE > COPY\n");
		return 2;
	}
	fd = open(argv[1], O_RDONLY);
	if (fd < 0 || fstat(fd, &st)) {
		perror(argv[1]);
		return 1;
	}
	if (st.st_size == 0)
		return 0;
	p = mmap(NULL, st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	if (p == MAP_FAILED) {
		perror("mmapcopy: mmap");
		return 1;
	}
	while (done < (size_t)st.st_size) {
		n = write(STDOUT_FILENO, p + done, st.st_size - done);
		if (n <= 0) {
			perror("mmapcopy: write");
			return 1;
		}
		done += n;
	}
	munmap(p, st.st_size);
	close(fd);
	return 0;
}
