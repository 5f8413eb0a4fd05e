// SPDX-License-Identifier: GPL-2.0
/*
 * examples.c - selftests of the lectures' example programs (examples/, on
 * PATH in the VM): each runs under "vmlab run --json" and both what it
 * printed and what the events say are checked: the ELF magic, the values
 * a second process reads back from shared memory, the file unchanged after
 * a private write (hexdump -C before and after, the frame changed in the
 * walk), a RAM disk's bytes read back with dd after a shared and a private
 * mapping wrote them, a copy through mmap, one byte, the perms letters of
 * /proc/self/maps, the mappings gone after exec; their bad input; and the
 * runner vmlab-example, every example through it, an unknown name listing
 * the valid ones; vmlab-disk, which sets up the RAM disk (ext2 on it) and
 * zram swap from the kernel's modules, and its bad usage.
 *
 * Runs as root in the vmlab VM, vmlab.ko loaded (vmlab run walks with it).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "vmlab_test.h"
#include "tool_run.h"

#define BUSYBOX		"/bin/busybox"
#define RUNNER		"/bin/vmlab-example"
#define DISK		"/bin/vmlab-disk"
#define RAM0		"/dev/ram0"
#define SHM_NAME	"/vmlab-selftest-shm"

/* the examples vmlab-example knows, as its --list names them */
static const char *const names[] = {
	"elf-magic", "shm", "private-write", "blockdev", "mmapcopy", "mmap-byte",
	"self-maps", "fork-exec",
};

/* dd if=DEV bs=16 count=1 | hexdump -C: the first line, of zeros and of our text */
#define DD_ZEROS "00000000  00 00 00 00 00 00 00 00  00 00 00 00 00 00 00 00  |................|"
#define DD_TEXT "00000000  76 6d 6c 61 62 20 77 61  73 20 68 65 72 65 00 00  |vmlab was here..|"

/* a jq filter's end: the array before it as one line of words */
#define JOIN		" | map(tostring) | join(\" \")"

/* ARGS... under vmlab run --json (EXAMPLE_WALK: and --walk), the events in @ev */
#define EXAMPLE(r, ev, ...)							\
	RUN(r, VMLAB_BIN, "run", "--json", "-o", ev, "--", __VA_ARGS__)
#define EXAMPLE_WALK(r, ev, ...)						\
	RUN(r, VMLAB_BIN, "run", "--walk", "--json", "-o", ev, "--", __VA_ARGS__)

/* a jq filter into @f: the VMA of @path an mmap added, its @fields joined by spaces */
static void mmap_filter(char *f, size_t size, const char *path, const char *fields)
{
	snprintf(f, size, "%s | .after[0] | select(.path == \"%s\") | [%s]%s",
		 "select(.syscall == \"mmap\") | .vmas[] | select(.change == \"added\")", path,
		 fields, JOIN);
}

/* a jq filter into @f: over all events, the leaves at @addr msync showed, then @rest */
static void msync_leaves(char *f, size_t size, const char *addr, const char *rest)
{
	snprintf(f, size, "[., inputs] | map(%s | .leaves[] | select(.addr == \"%s\")) | %s",
		 "select(.syscall == \"msync\")", addr, rest);
}

FIXTURE(examples) {
	char events[64];	/* vmlab run -o: the events */
	char file[64];		/* a test file, if made */
	int events_fd;
	char *json;
};

FIXTURE_SETUP(examples)
{
	ASSERT_EQ(0, access(VMLAB_BIN, X_OK)) TH_LOG("%s is not in the VM", VMLAB_BIN);
	ASSERT_EQ(0, access(JQ_BIN, X_OK)) TH_LOG("%s is not in the VM", JQ_BIN);
	ASSERT_EQ(0, access(RUNNER, X_OK)) TH_LOG("%s is not in the VM", RUNNER);
	snprintf(self->events, sizeof(self->events), "/tmp/vmlab-examples-events-XXXXXX");
	self->events_fd = mkstemp(self->events);
	ASSERT_LE(0, self->events_fd);
	self->file[0] = '\0';
	self->json = NULL;
}

FIXTURE_TEARDOWN(examples)
{
	close(self->events_fd);
	unlink(self->events);
	if (self->file[0])
		unlink(self->file);
	free(self->json);
}

/* the events of the last run, in self->json */
static char *events(int fd, char **json)
{
	free(*json);
	*json = slurp(fd, NULL);
	return *json;
}

/* a new file in /tmp holding @text, its path in @path */
static int make_file(char *path, size_t size, const char *text)
{
	int fd;

	snprintf(path, size, "/tmp/vmlab-examples-file-XXXXXX");
	fd = mkstemp(path);
	if (fd < 0)
		return -1;
	if (write(fd, text, strlen(text)) != (ssize_t)strlen(text)) {
		close(fd);
		return -1;
	}
	return close(fd);
}

/* hexdump -C of @path: its output, to be freed; NULL on failure */
static char *hexdump_c(const char *path)
{
	struct result r;

	if (RUN(&r, HEXDUMP_BIN, "-C", (char *)path) || r.status) {
		result_free(&r);
		return NULL;
	}
	free(r.err);
	return r.out;
}

/* dd the first 16 bytes of @dev through hexdump -C: its first line in @line */
static int dd_line(const char *dev, char *line, size_t size)
{
	char cmd[128];
	struct result r;
	int ret = -1;

	snprintf(cmd, sizeof(cmd), "dd if=%s bs=16 count=1 2>/dev/null | hexdump -C", dev);
	if (!RUN(&r, BUSYBOX, "sh", "-c", cmd) && !r.status) {
		snprintf(line, size, "%.*s", (int)strcspn(r.out, "\n"), r.out);
		ret = 0;
	}
	result_free(&r);
	return ret;
}

/* the ELF magic of busybox through a read-only private mapping of it */
TEST_F(examples, elf_magic)
{
	char filter[512];
	struct result r;

	ASSERT_EQ(0, EXAMPLE(&r, self->events, "/bin/elf-magic", BUSYBOX));
	ASSERT_EQ(0, r.status) TH_LOG("stderr: %s", r.err);
	EXPECT_STREQ(BUSYBOX ": 7f 45 4c 46  ELF\nan ELF file\n", r.out);
	ASSERT_NE(NULL, events(self->events_fd, &self->json));
	mmap_filter(filter, sizeof(filter), BUSYBOX, ".perms, .type, .path");
	EXPECT_JQ(self->json, filter, "r--p private-file " BUSYBOX);
	result_free(&r);
}

/* elf-magic on a file that is no ELF file, one too short, one missing, two arguments */
TEST_F(examples, elf_magic_bad_input)
{
	struct result r;

	ASSERT_EQ(0, make_file(self->file, sizeof(self->file), "#!/bin/sh\n"));
	ASSERT_EQ(0, RUN(&r, "/bin/elf-magic", self->file));
	EXPECT_EQ(0, r.status);
	EXPECT_NE(NULL, strstr(r.out, ": 23 21 2f 62  !/b\nnot an ELF file\n")) TH_LOG("%s", r.out);
	result_free(&r);
	ASSERT_EQ(0, truncate(self->file, 3));
	ASSERT_EQ(0, RUN(&r, "/bin/elf-magic", self->file));
	EXPECT_EQ(1, r.status);
	EXPECT_NE(NULL, strstr(r.err, "shorter than 4 bytes")) TH_LOG("%s", r.err);
	result_free(&r);
	ASSERT_EQ(0, RUN(&r, "/bin/elf-magic", "/nonexistent"));
	EXPECT_EQ(1, r.status);
	result_free(&r);
	ASSERT_EQ(0, RUN(&r, "/bin/elf-magic", BUSYBOX, BUSYBOX));
	EXPECT_EQ(2, r.status);
	EXPECT_NE(NULL, strstr(r.err, "usage: ")) TH_LOG("%s", r.err);
	result_free(&r);
}

/* shm-write fills a shared memory object; shm-read, run after it, reads p[i] == i */
TEST_F(examples, shm_write_then_read)
{
	char filter[512], path[64];
	struct result r;
	int *p, fd, i;

	snprintf(path, sizeof(path), "/dev/shm%s", SHM_NAME);
	unlink(path);
	ASSERT_EQ(0, EXAMPLE(&r, self->events, "/bin/shm-write", SHM_NAME, "4096"));
	ASSERT_EQ(0, r.status) TH_LOG("stderr: %s", r.err);
	EXPECT_NE(NULL, strstr(r.out, "wrote p[i] = i for i < 4096")) TH_LOG("%s", r.out);
	ASSERT_NE(NULL, events(self->events_fd, &self->json));
	mmap_filter(filter, sizeof(filter), path, ".perms, .type, .path");
	EXPECT_JQ(self->json, filter, "rw-s shared-file /dev/shm" SHM_NAME);
	result_free(&r);

	/* the object outlived its writer: 16 KiB of p[i] = i, seen here too */
	fd = open(path, O_RDONLY);
	ASSERT_LE(0, fd);
	p = mmap(NULL, 4096 * sizeof(int), PROT_READ, MAP_SHARED, fd, 0);
	ASSERT_NE(MAP_FAILED, p);
	close(fd);
	for (i = 0; i < 4096; i++)
		if (p[i] != i)
			break;
	EXPECT_EQ(4096, i) TH_LOG("p[%d] = %d", i, p[i]);
	munmap(p, 4096 * sizeof(int));

	/* the reader, another process, read-only and shared; then unlinks it */
	ASSERT_EQ(0, EXAMPLE(&r, self->events, "/bin/shm-read", "--unlink", SHM_NAME, "4096"));
	EXPECT_EQ(0, r.status) TH_LOG("stdout: %s stderr: %s", r.out, r.err);
	EXPECT_NE(NULL, strstr(r.out, "p[0] = 0, p[4095] = 4095 at 0x")) TH_LOG("%s", r.out);
	EXPECT_NE(NULL, strstr(r.out, ": p[i] == i for every i\n")) TH_LOG("%s", r.out);
	ASSERT_NE(NULL, events(self->events_fd, &self->json));
	EXPECT_JQ(self->json, filter, "r--s shared-file /dev/shm" SHM_NAME);
	result_free(&r);
	EXPECT_EQ(-1, access(path, F_OK));
	EXPECT_EQ(ENOENT, errno);
}

/* shm-read of a missing object, of one too small, with a bad count; shm-write's too */
TEST_F(examples, shm_bad_input)
{
	struct result r;

	shm_unlink(SHM_NAME);
	ASSERT_EQ(0, RUN(&r, "/bin/shm-read", SHM_NAME));
	EXPECT_EQ(1, r.status);
	EXPECT_NE(NULL, strstr(r.err, "run shm-write first")) TH_LOG("%s", r.err);
	result_free(&r);
	ASSERT_EQ(0, RUN(&r, "/bin/shm-write", SHM_NAME, "8"));
	ASSERT_EQ(0, r.status);
	result_free(&r);
	ASSERT_EQ(0, RUN(&r, "/bin/shm-read", SHM_NAME, "16"));
	EXPECT_EQ(1, r.status);
	EXPECT_NE(NULL, strstr(r.err, "fewer than 16 ints")) TH_LOG("%s", r.err);
	result_free(&r);
	ASSERT_EQ(0, RUN(&r, "/bin/shm-read", SHM_NAME, "0"));
	EXPECT_EQ(2, r.status);
	result_free(&r);
	ASSERT_EQ(0, RUN(&r, "/bin/shm-write", SHM_NAME, "-1"));
	EXPECT_EQ(2, r.status);
	result_free(&r);
	EXPECT_EQ(0, shm_unlink(SHM_NAME));
}

/* three bytes written through a private mapping: the mapping changed, the file not */
TEST_F(examples, private_write_leaves_the_file)
{
	char filter[512], want[256], *before, *after, *start;
	struct result r;

	ASSERT_EQ(0, make_file(self->file, sizeof(self->file), "hello, world\n"));
	before = hexdump_c(self->file);
	ASSERT_NE(NULL, before);
	ASSERT_EQ(0, EXAMPLE_WALK(&r, self->events, "/bin/private-write", self->file, "7"));
	ASSERT_EQ(0, r.status) TH_LOG("stdout: %s stderr: %s", r.out, r.err);
	EXPECT_STREQ("mapping   77 6f 72  |wor|\n"
		     "written   58 59 5a  |XYZ|\n"
		     "file      77 6f 72  |wor|\n"
		     "the file is unchanged: the write went to a private copy\n", r.out);
	after = hexdump_c(self->file);
	ASSERT_NE(NULL, after);
	EXPECT_STREQ(before, after);
	EXPECT_NE(NULL, strstr(after, "|hello, world.|")) TH_LOG("%s", after);
	free(before);
	free(after);

	/*
	 * the mapping is writable but private; its leaf at each msync: the
	 * page cache's frame, read-only, then a frame of its own, writable
	 */
	ASSERT_NE(NULL, events(self->events_fd, &self->json));
	mmap_filter(filter, sizeof(filter), self->file, ".perms, .type");
	EXPECT_JQ(self->json, filter, "rw-p private-file");
	mmap_filter(filter, sizeof(filter), self->file, ".start");
	start = jq(self->json, filter);
	ASSERT_NE(NULL, start);
	msync_leaves(filter, sizeof(filter), start, "length");
	EXPECT_JQ(self->json, filter, "2");
	snprintf(want, sizeof(want), "[.[0].after.verdict, %s, .[1].after.verdict, %s]%s",
		 ".[1].before.pfn == .[0].after.pfn", ".[1].after.pfn != .[0].after.pfn", JOIN);
	msync_leaves(filter, sizeof(filter), start, want);
	/* the first leaf's frame, still there at the second; a new one after */
	EXPECT_JQ(self->json, filter, "private-file true writable true");
	free(start);
	result_free(&r);
}

/* private-write past the end of its file, of a missing file, with a bad offset */
TEST_F(examples, private_write_bad_input)
{
	struct result r;

	ASSERT_EQ(0, make_file(self->file, sizeof(self->file), "abcd"));
	ASSERT_EQ(0, RUN(&r, "/bin/private-write", self->file, "2"));
	EXPECT_EQ(1, r.status);
	EXPECT_NE(NULL, strstr(r.err, "shorter than 5 bytes")) TH_LOG("%s", r.err);
	result_free(&r);
	ASSERT_EQ(0, RUN(&r, "/bin/private-write", "/nonexistent"));
	EXPECT_EQ(1, r.status);
	result_free(&r);
	ASSERT_EQ(0, RUN(&r, "/bin/private-write", self->file, "-1"));
	EXPECT_EQ(2, r.status);
	result_free(&r);
	ASSERT_EQ(0, RUN(&r, "/bin/private-write"));
	EXPECT_EQ(2, r.status);
	result_free(&r);
}

/*
 * A RAM disk's device file mapped shared: the text written through it is
 * what dd reads from the device; mapped private: written, dd sees no change
 */
TEST_F(examples, blockdev_shared_then_private)
{
	char filter[512], line[128];
	struct result r;

	ASSERT_EQ(0, RUN(&r, DISK, "ram", "4096"));
	if (r.status == 4)
		SKIP(result_free(&r); return, "%s", r.err);
	ASSERT_EQ(0, r.status) TH_LOG("%s", r.err);
	EXPECT_STREQ(RAM0 "\n", r.out);
	result_free(&r);
	ASSERT_EQ(0, dd_line(RAM0, line, sizeof(line)));
	EXPECT_STREQ(DD_ZEROS, line);

	ASSERT_EQ(0, EXAMPLE(&r, self->events, "/bin/blockdev-map", RAM0, "vmlab was here"));
	EXPECT_EQ(0, r.status) TH_LOG("stderr: %s", r.err);
	EXPECT_NE(NULL, strstr(r.out, "MAP_SHARED at 0x")) TH_LOG("%s", r.out);
	ASSERT_NE(NULL, events(self->events_fd, &self->json));
	mmap_filter(filter, sizeof(filter), RAM0, ".perms, .type, .path");
	EXPECT_JQ(self->json, filter, "rw-s shared-file " RAM0);
	result_free(&r);
	ASSERT_EQ(0, dd_line(RAM0, line, sizeof(line)));
	EXPECT_STREQ(DD_TEXT, line);

	/* the device file mapped private works (page cache, not device memory) */
	ASSERT_EQ(0, EXAMPLE(&r, self->events, "/bin/blockdev-map", "--private", RAM0,
			     "private copy..", "0"));
	EXPECT_EQ(0, r.status) TH_LOG("stderr: %s", r.err);
	EXPECT_NE(NULL, strstr(r.out, "MAP_PRIVATE at 0x")) TH_LOG("%s", r.out);
	ASSERT_NE(NULL, events(self->events_fd, &self->json));
	EXPECT_JQ(self->json, filter, "rw-p private-file " RAM0);
	result_free(&r);
	ASSERT_EQ(0, dd_line(RAM0, line, sizeof(line)));
	EXPECT_STREQ(DD_TEXT, line);

	/* a text that does not fit the mapped page, a missing device */
	ASSERT_EQ(0, RUN(&r, "/bin/blockdev-map", RAM0, "x", "4096"));
	EXPECT_EQ(2, r.status);
	result_free(&r);
	ASSERT_EQ(0, RUN(&r, "/bin/blockdev-map", "/dev/nonexistent"));
	EXPECT_EQ(1, r.status);
	result_free(&r);
	ASSERT_EQ(0, RUN(&r, DISK, "off"));
	EXPECT_EQ(0, r.status) TH_LOG("%s", r.err);
	result_free(&r);
}

/* the contents of /proc or /sys file @path, to be freed; NULL when unreadable */
static char *proc_text(const char *path)
{
	int fd = open(path, O_RDONLY);
	char buf[4096];
	ssize_t n;

	if (fd < 0)
		return NULL;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n < 0)
		return NULL;
	buf[n] = '\0';
	return strdup(buf);
}

/* vmlab-disk: ext2 on the RAM disk, zram swap, off; its bad usage exits 2 */
TEST_F(examples, vmlab_disk)
{
	const char *dir = "/tmp/vmlab-examples-ext2";
	char path[128], *text;
	struct result r;
	int fd;

	ASSERT_EQ(0, RUN(&r, DISK, "ext2", (char *)dir, "2048"));
	if (r.status == 4)
		SKIP(result_free(&r); return, "%s", r.err);
	ASSERT_EQ(0, r.status) TH_LOG("%s", r.err);
	result_free(&r);
	text = proc_text("/proc/mounts");
	ASSERT_NE(NULL, text);
	EXPECT_NE(NULL, strstr(text, RAM0 " /tmp/vmlab-examples-ext2 ext2 rw")) TH_LOG("%s", text);
	free(text);
	/* a file on a disk file system, mapped */
	snprintf(path, sizeof(path), "%s/file", dir);
	fd = open(path, O_CREAT | O_WRONLY | O_TRUNC, 0644);
	EXPECT_LE(0, fd);
	EXPECT_EQ(9, write(fd, "on a disk", 9));
	close(fd);
	ASSERT_EQ(0, RUN(&r, "/bin/mmap-byte", path, "3"));
	EXPECT_EQ(0, r.status);
	EXPECT_NE(NULL, strstr(r.out, "[3] = 0x61 'a'")) TH_LOG("%s", r.out);
	result_free(&r);

	ASSERT_EQ(0, RUN(&r, DISK, "swap", "8192"));
	if (r.status == 4) {
		TH_LOG("no swap: %s", r.err);
	} else {
		EXPECT_EQ(0, r.status) TH_LOG("%s", r.err);
		EXPECT_STREQ("/dev/zram0\n", r.out);
		text = proc_text("/proc/swaps");
		ASSERT_NE(NULL, text);
		EXPECT_NE(NULL, strstr(text, "/dev/zram0 ")) TH_LOG("%s", text);
		free(text);
	}
	result_free(&r);

	ASSERT_EQ(0, RUN(&r, DISK, "off"));
	EXPECT_EQ(0, r.status) TH_LOG("%s", r.err);
	result_free(&r);
	text = proc_text("/proc/mounts");
	ASSERT_NE(NULL, text);
	EXPECT_EQ(NULL, strstr(text, RAM0)) TH_LOG("%s", text);
	free(text);
	text = proc_text("/proc/swaps");
	ASSERT_NE(NULL, text);
	EXPECT_EQ(NULL, strstr(text, "/dev/zram0")) TH_LOG("%s", text);
	free(text);
	rmdir(dir);

	/* a size of 0, not a number, an unknown command, ext2 without DIR */
	ASSERT_EQ(0, RUN(&r, DISK, "ram", "0"));
	EXPECT_EQ(2, r.status);
	EXPECT_NE(NULL, strstr(r.err, "usage: vmlab-disk ")) TH_LOG("%s", r.err);
	result_free(&r);
	ASSERT_EQ(0, RUN(&r, DISK, "swap", "12k"));
	EXPECT_EQ(2, r.status);
	result_free(&r);
	ASSERT_EQ(0, RUN(&r, DISK, "format"));
	EXPECT_EQ(2, r.status);
	result_free(&r);
	ASSERT_EQ(0, RUN(&r, DISK, "ext2"));
	EXPECT_EQ(2, r.status);
	result_free(&r);
}

/* mmapcopy copies busybox byte for byte through mmap and write; an empty file as nothing */
TEST_F(examples, mmapcopy)
{
	char filter[512];
	struct result r;
	struct stat st;
	char *orig;
	int fd;

	ASSERT_EQ(0, EXAMPLE(&r, self->events, "/bin/mmapcopy", BUSYBOX));
	ASSERT_EQ(0, r.status) TH_LOG("stderr: %s", r.err);
	fd = open(BUSYBOX, O_RDONLY);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, fstat(fd, &st));
	orig = slurp(fd, NULL);
	close(fd);
	ASSERT_NE(NULL, orig);
	ASSERT_EQ((size_t)st.st_size, r.out_len);
	EXPECT_EQ(0, memcmp(orig, r.out, r.out_len));
	free(orig);
	ASSERT_NE(NULL, events(self->events_fd, &self->json));
	mmap_filter(filter, sizeof(filter), BUSYBOX, ".perms, .type");
	EXPECT_JQ(self->json, filter, "r--p private-file");
	result_free(&r);

	ASSERT_EQ(0, make_file(self->file, sizeof(self->file), ""));
	ASSERT_EQ(0, RUN(&r, "/bin/mmapcopy", self->file));
	EXPECT_EQ(0, r.status);
	EXPECT_EQ(0, r.out_len);
	result_free(&r);
	ASSERT_EQ(0, RUN(&r, "/bin/mmapcopy"));
	EXPECT_EQ(2, r.status);
	result_free(&r);
}

/* the byte at an offset of a shared mapping: in the first page and in the second */
TEST_F(examples, mmap_byte)
{
	const char *byte1 = BUSYBOX "[1] = 0x45 'E' (page 0 of the file, byte 1 in it, at 0x";
	char text[PAGE + 8], filter[512], off[32], past[32], want[96];
	struct result r;

	ASSERT_EQ(0, EXAMPLE(&r, self->events, "/bin/mmap-byte", BUSYBOX, "1"));
	ASSERT_EQ(0, r.status) TH_LOG("stderr: %s", r.err);
	EXPECT_EQ(0, strncmp(r.out, byte1, strlen(byte1))) TH_LOG("%s", r.out);
	ASSERT_NE(NULL, events(self->events_fd, &self->json));
	mmap_filter(filter, sizeof(filter), BUSYBOX, ".perms, .type, .path");
	EXPECT_JQ(self->json, filter, "r--s shared-file " BUSYBOX);
	result_free(&r);

	memset(text, '.', sizeof(text));
	text[PAGE + 2] = 'Q';
	text[sizeof(text) - 1] = '\0';
	ASSERT_EQ(0, make_file(self->file, sizeof(self->file), text));
	snprintf(off, sizeof(off), "%#lx", PAGE + 2);
	ASSERT_EQ(0, RUN(&r, "/bin/mmap-byte", self->file, off));
	EXPECT_EQ(0, r.status);
	snprintf(want, sizeof(want), "[%lu] = 0x51 'Q' (page 1 of the file, byte 2 in it, at ",
		 PAGE + 2);
	EXPECT_NE(NULL, strstr(r.out, want)) TH_LOG("%s", r.out);
	result_free(&r);

	/* past the end, not a number, no offset */
	snprintf(past, sizeof(past), "%lu", PAGE + 7);
	ASSERT_EQ(0, RUN(&r, "/bin/mmap-byte", self->file, past));
	EXPECT_EQ(1, r.status);
	EXPECT_NE(NULL, strstr(r.err, "past the end")) TH_LOG("%s", r.err);
	result_free(&r);
	ASSERT_EQ(0, RUN(&r, "/bin/mmap-byte", self->file, "12x"));
	EXPECT_EQ(2, r.status);
	result_free(&r);
	ASSERT_EQ(0, RUN(&r, "/bin/mmap-byte", self->file));
	EXPECT_EQ(2, r.status);
	result_free(&r);
}

/* /proc/self/maps as self-maps prints it: each mapping it made with its perms letters */
TEST_F(examples, self_maps)
{
	static const struct {
		const char *what, *perms, *path;
	} kinds[] = {
		{ "private anonymous", " rw-p ", "" },
		{ "shared anonymous", " rw-s ", "/dev/zero (deleted)" },
		{ "private file (r--p)", " r--p ", "/bin/self-maps" },
		{ "shared file (r--s)", " r--s ", "/bin/self-maps" },
	};
	char want[64], *at, *line;
	unsigned long addr;
	struct result r;
	size_t i;

	ASSERT_EQ(0, EXAMPLE(&r, self->events, "/bin/self-maps"));
	ASSERT_EQ(0, r.status) TH_LOG("stderr: %s", r.err);
	for (i = 0; i < ARRAY_SIZE(kinds); i++) {
		at = strstr(r.out, kinds[i].what);
		ASSERT_NE(NULL, at) TH_LOG("no %s in %s", kinds[i].what, r.out);
		at = strstr(at, " at 0x");
		ASSERT_NE(NULL, at);
		addr = strtoul(at + 6, NULL, 16);
		snprintf(want, sizeof(want), "\n%08lx-", addr);
		line = strstr(r.out, want);
		ASSERT_NE(NULL, line) TH_LOG("%s: no maps line at %lx", kinds[i].what, addr);
		line++;
		line[strcspn(line, "\n")] = '\0';
		EXPECT_NE(NULL, strstr(line, kinds[i].perms)) TH_LOG("%s", line);
		EXPECT_NE(NULL, strstr(line, kinds[i].path)) TH_LOG("%s", line);
		line[strlen(line)] = '\n';
	}
	EXPECT_NE(NULL, strstr(r.out, " r-xp ")) TH_LOG("no text in %s", r.out);
	EXPECT_NE(NULL, strstr(r.out, "[stack]\n")) TH_LOG("no stack in %s", r.out);
	result_free(&r);
}

/* fork then exec: the child sees the parent's page, exec replaces every VMA */
TEST_F(examples, fork_exec)
{
	char filter[512], before[128], after[128], a[32], *at;
	unsigned long marker;
	struct result r;

	ASSERT_EQ(0, EXAMPLE(&r, self->events, "/bin/fork-exec"));
	ASSERT_EQ(0, r.status) TH_LOG("stderr: %s", r.err);
	at = strstr(r.out, "marker page at 0x");
	ASSERT_NE(NULL, at) TH_LOG("%s", r.out);
	marker = strtoul(at + 17, NULL, 16);
	snprintf(a, sizeof(a), "0x%lx", marker);
	EXPECT_NE(NULL, strstr(r.out, "\"written before the fork\"; exec cat\n"))
		TH_LOG("%s", r.out);
	EXPECT_NE(NULL, strstr(r.out, " r-xp ")) TH_LOG("%s", r.out);
	EXPECT_NE(NULL, strstr(r.out, "exited with 0\n")) TH_LOG("%s", r.out);
	/* the child's maps after exec: busybox's, not the marker's page */
	snprintf(filter, sizeof(filter), "\n%08lx-", marker);
	EXPECT_EQ(NULL, strstr(r.out, filter)) TH_LOG("%s", r.out);

	/* the events: the child's exec replaced the marker's VMA among all */
	ASSERT_NE(NULL, events(self->events_fd, &self->json));
	snprintf(before, sizeof(before), "(.before | map(select(.start == \"%s\")) | length)", a);
	snprintf(after, sizeof(after), "(.after | map(select(.start == \"%s\")) | length)", a);
	snprintf(filter, sizeof(filter), "%s | .vmas[0] | [.change, %s, %s]%s",
		 "select(.syscall == \"execve\" and .path == \"/bin/cat\")", before, after, JOIN);
	EXPECT_JQ(self->json, filter, "replaced 1 0");
	result_free(&r);

	/* the child's exit status passed on; a program that is not there */
	ASSERT_EQ(0, RUN(&r, "/bin/fork-exec", "false"));
	EXPECT_EQ(1, r.status);
	result_free(&r);
	ASSERT_EQ(0, RUN(&r, "/bin/fork-exec", "/nonexistent"));
	EXPECT_EQ(127, r.status);
	EXPECT_NE(NULL, strstr(r.out, "exited with 127")) TH_LOG("%s", r.out);
	result_free(&r);
}

/* vmlab-example --list names every example; each runs through it, checked by it */
/* every example under vmlab run: minutes on the debug kernels */
TEST_F_TIMEOUT(examples, runner_runs_each, 600)
{
	char want[512] = "";
	struct result r;
	size_t i;

	ASSERT_EQ(0, RUN(&r, RUNNER, "--list"));
	ASSERT_EQ(0, r.status);
	for (i = 0; i < ARRAY_SIZE(names); i++) {
		snprintf(want, sizeof(want), "%s ", names[i]);
		EXPECT_NE(NULL, strstr(r.out, want)) TH_LOG("%s not in %s", names[i], r.out);
	}
	EXPECT_EQ(ARRAY_SIZE(names), count_lines(r.out));
	result_free(&r);
	for (i = 0; i < ARRAY_SIZE(names); i++) {
		ASSERT_EQ(0, RUN(&r, RUNNER, "--run", (char *)names[i]));
		if (r.status == 4) {
			TH_LOG("%s: skipped: %s", names[i], r.err);
		} else {
			EXPECT_EQ(0, r.status) TH_LOG("%s: %s%s", names[i], r.out, r.err);
			snprintf(want, sizeof(want), "vmlab-example: %s: ok\n", names[i]);
			EXPECT_NE(NULL, strstr(r.out, want)) TH_LOG("%s", r.out);
		}
		result_free(&r);
	}
}

/* an unknown example name: exit 2, the list of valid ones on stderr; no name, two names */
TEST_F(examples, runner_unknown_name)
{
	char want[1024];
	struct result r;

	ASSERT_EQ(0, RUN(&r, RUNNER, "--list"));
	ASSERT_EQ(0, r.status);
	snprintf(want, sizeof(want), "%s: unknown example 'nosuch'; the examples are:\n%s",
		 "vmlab-example", r.out);
	result_free(&r);
	ASSERT_EQ(0, RUN(&r, RUNNER, "nosuch"));
	EXPECT_EQ(2, r.status);
	EXPECT_STREQ("", r.out);
	EXPECT_STREQ(want, r.err);
	result_free(&r);
	ASSERT_EQ(0, RUN(&r, RUNNER));
	EXPECT_EQ(2, r.status);
	result_free(&r);
	ASSERT_EQ(0, RUN(&r, RUNNER, "shm", "mmapcopy"));
	EXPECT_EQ(2, r.status);
	result_free(&r);
}

TEST_HARNESS_MAIN
