// SPDX-License-Identifier: GPL-2.0
/*
 * self-maps - print this process's own /proc/self/maps, after making one
 * mapping of each kind so that every kind has a line.
 *
 *	self-maps
 *
 * What to watch for: the columns (start-end, perms, offset, device, inode,
 * name) and the perms letters: r, w, x (or -) and p (private: writes are
 * copied) or s (shared: writes reach the file or the other processes). A
 * static program has no libraries: its text (r-xp), data and bss (rw-p),
 * [heap], [stack], [vvar] and [vdso] ([vsyscall] on x86-64). The four
 * mappings made here are marked by the addresses printed first.
 */
#include <fcntl.h>
#include <stdio.h>
#include <sys/mman.h>
#include <unistd.h>

static void *map(const char *what, int prot, int flags, int fd)
{
	void *p = mmap(NULL, 4096, prot, flags, fd, 0);

	if (p == MAP_FAILED)
		perror(what);
	else
		printf("%-22s at %p\n", what, p);
	return p;
}

int main(int argc, char **argv)
{
	char line[512];
	FILE *f;
	int fd;

	if (argc != 1) {
		fprintf(stderr, "usage: self-maps\n");
		return 2;
	}
	fd = open("/proc/self/exe", O_RDONLY);
	if (fd < 0) {
		perror("self-maps: /proc/self/exe");
		return 1;
	}
	map("private anonymous", PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1);
	map("shared anonymous", PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1);
	map("private file (r--p)", PROT_READ, MAP_PRIVATE, fd);
	map("shared file (r--s)", PROT_READ, MAP_SHARED, fd);
	f = fopen("/proc/self/maps", "r");
	if (!f) {
		perror("self-maps: /proc/self/maps");
		return 1;
	}
	while (fgets(line, sizeof(line), f))
		fputs(line, stdout);
	fclose(f);
	return 0;
}
