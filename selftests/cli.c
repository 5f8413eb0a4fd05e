// SPDX-License-Identifier: GPL-2.0
/*
 * cli.c - selftests of the vmlab tool (/bin/vmlab in the VM), run as a
 * separate program with its output captured: help, info, walk, scan and
 * maps on memory this test prepared, regions made from the shell, hexdump
 * byte for byte against busybox's "hexdump -C" of the same bytes, --json
 * of every subcommand parsed and checked by jq, and every error with its
 * one line on stderr and exit code.
 *
 * Runs as root in the vmlab VM; the module-missing test unloads and
 * reloads vmlab.ko from VMLAB_KO, which the VM's test runner sets.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <inttypes.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "libvmlab.h"
#include "vmlab_test.h"
#include "tool_run.h"

FIXTURE(cli) {
	int fd;
	pid_t pid;
};

FIXTURE_SETUP(cli)
{
	ASSERT_EQ(0, access(VMLAB_BIN, X_OK)) TH_LOG("%s is not in the VM", VMLAB_BIN);
	ASSERT_EQ(0, access(JQ_BIN, X_OK)) TH_LOG("%s is not in the VM", JQ_BIN);
	self->fd = vmlab_open();
	ASSERT_LE(0, self->fd) TH_LOG("open %s: %s", VMLAB_DEVICE, strerror(errno));
	self->pid = getpid();
}

FIXTURE_TEARDOWN(cli)
{
	close(self->fd);
}

/* a new file from the mkstemp() template @path, @size bytes of 'x': its fd, or -1 */
static int temp_file(char *path, size_t size)
{
	char buf[PAGE];
	size_t done, n;
	int fd = mkstemp(path);

	if (fd < 0)
		return -1;
	memset(buf, 'x', sizeof(buf));
	for (done = 0; done < size; done += n) {
		n = size - done < sizeof(buf) ? size - done : sizeof(buf);
		if (write(fd, buf, n) != (ssize_t)n) {
			close(fd);
			return -1;
		}
	}
	return fd;
}

/* copy @len bytes of @p into a new file at @path */
static int save(const char *path, const void *p, size_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	int ret;

	if (fd < 0)
		return -1;
	ret = write(fd, p, len) == (ssize_t)len ? 0 : -1;
	close(fd);
	return ret;
}

/* the region id of "region N created: ..." */
static uint32_t created_id(const struct result *r)
{
	unsigned int id = 0;

	if (r->status || sscanf(r->out, "region %u created", &id) != 1)
		return 0;
	return id;
}

/* "vmlab --help" lists every command; each command's --help says its usage. */
TEST(help_lists_every_command)
{
	static const char *const cmds[] = { "info", "walk", "scan", "maps", "tree", "diff",
					    "run", "region", "hexdump", "shapes" };
	struct result r;
	char want[64];
	size_t i;

	ASSERT_EQ(0, RUN(&r, VMLAB_BIN, "--help"));
	EXPECT_EQ(0, r.status);
	for (i = 0; i < ARRAY_SIZE(cmds); i++) {
		snprintf(want, sizeof(want), "\n  %s ", cmds[i]);
		EXPECT_NE(NULL, strstr(r.out, want)) TH_LOG("no %s in: %s", cmds[i], r.out);
	}
	result_free(&r);
	for (i = 0; i < ARRAY_SIZE(cmds); i++) {
		ASSERT_EQ(0, vmlab(&r, "%s --help", cmds[i]));
		EXPECT_EQ(0, r.status);
		snprintf(want, sizeof(want), "usage: vmlab %s", cmds[i]);
		EXPECT_EQ(0, strncmp(r.out, want, strlen(want))) TH_LOG("%s", r.out);
		EXPECT_STREQ("", r.err);
		result_free(&r);
	}
}

/* info names the features; its JSON has the ABI version, page size and names. */
TEST_F(cli, info_text_and_json)
{
	JQ_BATCH();
	struct vmlab_info info;
	struct result r;
	char want[128];

	ASSERT_EQ(0, vmlab_info(self->fd, &info));
	ASSERT_EQ(0, vmlab(&r, "info"));
	EXPECT_EQ(0, r.status);
	EXPECT_NE(NULL, strstr(r.out, "regions|walk|walk-range")) TH_LOG("%s", r.out);
	snprintf(want, sizeof(want), "kernel          %s\n", info.release);
	EXPECT_NE(NULL, strstr(r.out, want)) TH_LOG("%s", r.out);
	result_free(&r);

	ASSERT_EQ(0, vmlab(&r, "info --json"));
	EXPECT_EQ(0, r.status);
	EXPECT_JQ(r.out, ".abi_version", "1");
	EXPECT_JQ_NUM(r.out, ".page_size", PAGE);
	EXPECT_JQ(r.out, ".kernel", info.release);
	snprintf(want, sizeof(want), "0x%llx", (unsigned long long)info.features);
	EXPECT_JQ(r.out, ".features_hex", want);
	EXPECT_JQ(r.out, ".feature_names | index(\"walk-range\") != null", "true");
	result_free(&r);
}

/* walk of a written, an untouched and a read anonymous page of ours: the verdicts. */
TEST_F(cli, walk_anon_pages)
{
	JQ_BATCH();
	char *p = own_vma(3), want[64];
	struct vmlab_info info;
	unsigned long a;
	struct result r;

	ASSERT_NE(NULL, p);
	ASSERT_EQ(0, vmlab_info(self->fd, &info));
	a = (unsigned long)p;
	p[10] = 1;				/* page 0: written */
	EXPECT_EQ(0, *(volatile char *)(p + 2 * PAGE));	/* page 2: read */

	ASSERT_EQ(0, vmlab(&r, "walk -p %d %#lx %lx %#lx", self->pid, a + 10, a + PAGE,
			   a + 2 * PAGE));
	EXPECT_EQ(0, r.status) TH_LOG("%s", r.err);
	EXPECT_NE(NULL, strstr(r.out, "verdict  writable: private page with a writable entry"))
		TH_LOG("%s", r.out);
	EXPECT_NE(NULL, strstr(r.out, "verdict  none: ")) TH_LOG("%s", r.out);
	EXPECT_NE(NULL, strstr(r.out, "verdict  zero-page: ")) TH_LOG("%s", r.out);
	snprintf(want, sizeof(want), "leaf     PTE, %luK, pfn 0x", PAGE >> 10);
	EXPECT_NE(NULL, strstr(r.out, want)) TH_LOG("%s", r.out);
	EXPECT_NE(NULL, strstr(r.out, "anon|anon-exclusive")) TH_LOG("%s", r.out);
	EXPECT_NE(NULL, strstr(r.out, "  <- leaf")) TH_LOG("%s", r.out);
	result_free(&r);

	ASSERT_EQ(0, vmlab(&r, "walk --json -p %d %#lx %lx %#lx", self->pid, a + 10, a + PAGE,
			   a + 2 * PAGE));
	EXPECT_EQ(0, r.status) TH_LOG("%s", r.err);
	EXPECT_JQ(r.out, ".walks | length", "3");
	snprintf(want, sizeof(want), "%d", self->pid);
	EXPECT_JQ(r.out, ".pid", want);
	EXPECT_JQ(r.out, ".walks[0].verdict", "writable");
	EXPECT_JQ(r.out, ".walks[1].verdict", "none");
	EXPECT_JQ(r.out, ".walks[2].verdict", "zero-page");
	snprintf(want, sizeof(want), "%lu", a + 10);
	EXPECT_JQ(r.out, ".walks[0].addr", want);
	snprintf(want, sizeof(want), "%lu %lu", a, a + 3 * PAGE);
	EXPECT_JQ(r.out, ".walks[0].vma | \"\\(.start) \\(.end)\"", want);
	EXPECT_JQ(r.out, ".walks[0].vma.backing", "anon");
	snprintf(want, sizeof(want), "PTE %lu true", PAGE);
	EXPECT_JQ(r.out, ".walks[0].leaf | \"\\(.level) \\(.size) \\(.present)\"", want);
	EXPECT_JQ(r.out,
		  ".walks[0].page | \"\\(.mapcount) \\(.flags | index(\"anon-exclusive\") != null)\"",
		  "1 true");
	/*
	 * The PTE: never executable. arm64: UXN. x86: NX (bit 63, so only the
	 * hex string is exact), which the kernel sets on 4 and 5 levels only.
	 */
#ifdef __aarch64__
	EXPECT_JQ(r.out, ".walks[0].levels[4] | (.flags | index(\"noexec\") != null) and .leaf",
		  "true");
#else
	if (user_ptes_have_nx(&info))
		EXPECT_JQ(r.out,
			  ".walks[0].levels[4] | (.entry_hex | startswith(\"0x8\")) and .leaf",
			  "true");
	else
		EXPECT_JQ(r.out,
			  ".walks[0].levels[4] | .leaf and (.flags | index(\"noexec\") == null)",
			  "true");
#endif
	EXPECT_JQ(r.out, ".walks[0].levels[4].flags | index(\"dirty\") != null", "true");
	/* the levels the shape folds: P4D below 5 levels, PUD below 4, PMD on 2 */
	snprintf(want, sizeof(want), "%u", 5 - info.pgtable_levels);
	EXPECT_JQ(r.out, "[.walks[0].levels[] | select(.folded)] | length", want);
	EXPECT_JQ(r.out, ".walks[1].leaf.present", "false");
	result_free(&r);
	munmap(p, 3 * PAGE);
}

/* walk names the vmlab region behind a shared mapping and its kind. */
TEST_F(cli, walk_vmlab_region)
{
	JQ_BATCH();
	struct vmlab_region_create rc;
	struct result r;
	char want[64], *p;

	ASSERT_EQ(0, vmlab_region_new(self->fd, VMLAB_REGION_FILE, PAGE, 0, &rc));
	p = vmlab_region_map(self->fd, rc.offset, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED);
	ASSERT_NE(MAP_FAILED, p);
	p[0] = 1;
	ASSERT_EQ(0, vmlab(&r, "walk -p %d %p", self->pid, p));
	EXPECT_EQ(0, r.status) TH_LOG("%s", r.err);
	snprintf(want, sizeof(want), "region   %u (file)\n", rc.id);
	EXPECT_NE(NULL, strstr(r.out, want)) TH_LOG("%s", r.out);
	EXPECT_NE(NULL, strstr(r.out, "verdict  shared-writable: ")) TH_LOG("%s", r.out);
	result_free(&r);
	ASSERT_EQ(0, vmlab(&r, "walk --json -p %d %p", self->pid, p));
	snprintf(want, sizeof(want), "vmlab %u file", rc.id);
	EXPECT_JQ(r.out, ".walks[0].vma | \"\\(.backing) \\(.region_id) \\(.region_kind)\"", want);
	EXPECT_JQ(r.out, ".walks[0].vma.flags | index(\"shared\") != null", "true");
	result_free(&r);
	munmap(p, PAGE);
	EXPECT_EQ(0, vmlab_region_destroy(self->fd, rc.id));
}

/* scan collapses 4 written and 4 read pages into two runs and counts them. */
TEST_F(cli, scan_collapses_runs)
{
	JQ_BATCH();
	char *p = own_vma(16), want[128];
	struct result r;
	unsigned long a;
	int i;

	ASSERT_NE(NULL, p);
	a = (unsigned long)p;
	for (i = 0; i < 4; i++)
		p[i * PAGE] = 1;
	for (i = 4; i < 8; i++)
		EXPECT_EQ(0, *(volatile char *)(p + i * PAGE));

	ASSERT_EQ(0, vmlab(&r, "scan -p %d %#lx-%#lx", self->pid, a, a + 16 * PAGE));
	EXPECT_EQ(0, r.status) TH_LOG("%s", r.err);
	snprintf(want, sizeof(want), "%#-14lx  %#-14lx  %6d  PTE    writable ", a, a + 4 * PAGE, 4);
	EXPECT_NE(NULL, strstr(r.out, want)) TH_LOG("want '%s' in: %s", want, r.out);
	snprintf(want, sizeof(want), "%#-14lx  %#-14lx  %6d  PTE    zero-page ", a + 4 * PAGE,
		 a + 8 * PAGE, 4);
	EXPECT_NE(NULL, strstr(r.out, want)) TH_LOG("want '%s' in: %s", want, r.out);
	EXPECT_NE(NULL, strstr(r.out, "\ntotal                 8         8\n")) TH_LOG("%s", r.out);
	result_free(&r);

	ASSERT_EQ(0, vmlab(&r, "scan --json -p %d %lx-%lx", self->pid, a, a + 16 * PAGE));
	EXPECT_EQ(0, r.status) TH_LOG("%s", r.err);
	EXPECT_JQ(r.out, ".runs | length", "2");
	EXPECT_JQ(r.out, ".runs[0] | \"\\(.leaves) \\(.level) \\(.verdict)\"", "4 PTE writable");
	EXPECT_JQ(r.out, ".runs[1] | \"\\(.leaves) \\(.verdict)\"", "4 zero-page");
	snprintf(want, sizeof(want), "%lu", a + 4 * PAGE);
	EXPECT_JQ(r.out, ".runs[0].end", want);
	EXPECT_JQ(r.out, ".verdicts.writable.pages", "4");
	EXPECT_JQ(r.out, ".verdicts[\"zero-page\"].leaves", "4");
	EXPECT_JQ(r.out, ".verdicts | keys | length", "2");
	result_free(&r);
	munmap(p, 16 * PAGE);
}

/* scan --vma finds a file mapping by name, by file name or by part of its path; none is absent. */
TEST_F(cli, scan_vma_by_name)
{
	JQ_BATCH();
	char path[] = "/tmp/cli-scan-vma-XXXXXX", want[64], *p;
	size_t size = 4 * PAGE;
	struct result r;
	int fd, i;

	fd = temp_file(path, size);
	ASSERT_LE(0, fd);
	p = mmap(NULL, size, PROT_READ, MAP_PRIVATE, fd, 0);
	ASSERT_NE(MAP_FAILED, p);
	for (i = 0; i < 4; i++)
		EXPECT_EQ('x', *(volatile char *)(p + i * PAGE));

	/* the file's name without its folder */
	ASSERT_EQ(0, vmlab(&r, "scan --json -p %d --vma %s", self->pid, path + 5));
	EXPECT_EQ(0, r.status) TH_LOG("%s", r.err);
	snprintf(want, sizeof(want), "%lu %lu", (unsigned long)p, (unsigned long)p + size);
	EXPECT_JQ(r.out, "\"\\(.start) \\(.end)\"", want);
	EXPECT_JQ(r.out, ".path", path);
	EXPECT_JQ(r.out, "[.verdicts[].pages] | add", "4");
	EXPECT_JQ(r.out, ".verdicts[\"read-only\"].pages", "4");
	result_free(&r);
	/* the whole path; a part of it */
	ASSERT_EQ(0, vmlab(&r, "scan -p %d --vma %s", self->pid, path));
	EXPECT_EQ(0, r.status) TH_LOG("%s", r.err);
	EXPECT_NE(NULL, strstr(r.out, "read-only")) TH_LOG("%s", r.out);
	result_free(&r);
	ASSERT_EQ(0, vmlab(&r, "scan --json -p %d --vma %s", self->pid, path + 9));
	EXPECT_EQ(0, r.status) TH_LOG("%s", r.err);
	EXPECT_JQ(r.out, ".path", path);
	result_free(&r);
	ASSERT_EQ(0, vmlab(&r, "scan -p %d --vma /no/such/file", self->pid));
	EXPECT_ONE_LINE_ERROR(&r, 1);
	EXPECT_NE(NULL, strstr(r.err, "no VMA matches")) TH_LOG("%s", r.err);
	result_free(&r);
	munmap(p, size);
	close(fd);
	unlink(path);
}

/*
 * --vma NAME takes every VMA of the mapping (the file mapped twice, the
 * middle of one mapping made writable: 4 VMAs), NAME:N the Nth; two files
 * that NAME matches as well are an error, as is an N past the last.
 */
TEST_F(cli, scan_vma_every_vma_of_a_name)
{
	JQ_BATCH();
	char path[] = "/tmp/cli-every-vma-XXXXXX", other[] = "/tmp/cli-every-vma-XXXXXX";
	char want[128], *p, *q, *o;
	size_t size = 4 * PAGE;
	struct result r;
	int fd, ofd;

	fd = temp_file(path, size);
	ASSERT_LE(0, fd);
	p = mmap(NULL, size, PROT_READ, MAP_PRIVATE, fd, 0);
	ASSERT_NE(MAP_FAILED, p);
	ASSERT_EQ(0, mprotect(p + PAGE, PAGE, PROT_READ | PROT_WRITE));
	q = mmap(NULL, PAGE, PROT_READ, MAP_SHARED, fd, 0);
	ASSERT_NE(MAP_FAILED, q);
	EXPECT_EQ('x', *(volatile char *)q);

	ASSERT_EQ(0, vmlab(&r, "scan --json -p %d --vma %s", self->pid, path));
	EXPECT_EQ(0, r.status) TH_LOG("%s", r.err);
	EXPECT_JQ(r.out, ".vmas | length", "4");
	EXPECT_JQ_NUM(r.out, "[.vmas[] | .end - .start] | add", 5 * PAGE);
	EXPECT_JQ(r.out, ".start == .vmas[0].start and .end == .vmas[3].end", "true");
	result_free(&r);
	ASSERT_EQ(0, vmlab(&r, "scan -p %d --vma %s", self->pid, path + 5));
	EXPECT_EQ(0, r.status) TH_LOG("%s", r.err);
	snprintf(want, sizeof(want), "%s: 4 VMAs, 0x", path);
	EXPECT_NE(NULL, strstr(r.out, want)) TH_LOG("want '%s' in: %s", want, r.out);
	result_free(&r);

	/* the second of them in address order: p + PAGE, or q when it lies below p */
	ASSERT_EQ(0, vmlab(&r, "scan --json -p %d --vma %s:2", self->pid, path));
	EXPECT_EQ(0, r.status) TH_LOG("%s", r.err);
	EXPECT_JQ(r.out, ".vmas | length", "1");
	snprintf(want, sizeof(want), "%lu", (unsigned long)(q < p ? p : p + PAGE));
	EXPECT_JQ(r.out, ".start", want);
	result_free(&r);
	ASSERT_EQ(0, vmlab(&r, "scan -p %d --vma %s:5", self->pid, path));
	EXPECT_ONE_LINE_ERROR(&r, 1);
	EXPECT_NE(NULL, strstr(r.err, "has 4 VMAs")) TH_LOG("%s", r.err);
	result_free(&r);
	ASSERT_EQ(0, vmlab(&r, "scan -p %d --vma %s:0", self->pid, path));
	EXPECT_ONE_LINE_ERROR(&r, 1);
	EXPECT_NE(NULL, strstr(r.err, "N counts the VMAs from 1")) TH_LOG("%s", r.err);
	result_free(&r);

	/* a second file "cli-every-vma" matches as well as the first */
	ofd = temp_file(other, PAGE);
	ASSERT_LE(0, ofd);
	o = mmap(NULL, PAGE, PROT_READ, MAP_PRIVATE, ofd, 0);
	ASSERT_NE(MAP_FAILED, o);
	ASSERT_EQ(0, vmlab(&r, "scan -p %d --vma cli-every-vma", self->pid));
	EXPECT_ONE_LINE_ERROR(&r, 1);
	EXPECT_NE(NULL, strstr(r.err, "matches VMAs of several mappings")) TH_LOG("%s", r.err);
	result_free(&r);
	/* the whole path still names one */
	ASSERT_EQ(0, vmlab(&r, "scan --json -p %d --vma %s", self->pid, other));
	EXPECT_EQ(0, r.status) TH_LOG("%s", r.err);
	EXPECT_JQ(r.out, ".vmas | length", "1");
	result_free(&r);

	/* a program's own binary: vmlab's, in several VMAs, by its name */
	ASSERT_EQ(0, vmlab(&r, "scan --json -p self --vma vmlab"));
	EXPECT_EQ(0, r.status) TH_LOG("%s", r.err);
	EXPECT_JQ(r.out, ".path", VMLAB_BIN);
	EXPECT_JQ(r.out, ".vmas | length > 1", "true");
	result_free(&r);

	munmap(o, PAGE);
	munmap(q, PAGE);
	munmap(p, size);
	close(ofd);
	close(fd);
	unlink(other);
	unlink(path);
}

/* Addresses are hex with or without 0x, as maps prints them: "1000" is 0x1000. */
TEST_F(cli, addresses_are_hex)
{
	JQ_BATCH();
	char *p = own_vma(2), want[96], maps_line[64];
	struct result r;
	unsigned long a;

	ASSERT_NE(NULL, p);
	a = (unsigned long)p;
	p[0] = 1;
	/* without 0x, with 0x, with 0X and upper-case digits: one address */
	ASSERT_EQ(0, vmlab(&r, "walk --json -p %d %lx %#lx 0X%lX 1000", self->pid, a, a, a));
	EXPECT_EQ(0, r.status) TH_LOG("%s", r.err);
	snprintf(want, sizeof(want), "%lu %lu %lu 4096", a, a, a);
	EXPECT_JQ(r.out, "[.walks[].addr] | map(tostring) | join(\" \")", want);
	EXPECT_JQ(r.out, ".walks[0].verdict", "writable");
	result_free(&r);

	/* a range copied from maps' own output */
	snprintf(maps_line, sizeof(maps_line), "%012lx-%012lx", a, a + 2 * PAGE);
	ASSERT_EQ(0, vmlab(&r, "maps -p %d", self->pid));
	EXPECT_NE(NULL, strstr(r.out, maps_line)) TH_LOG("want '%s' in: %s", maps_line, r.out);
	result_free(&r);
	ASSERT_EQ(0, vmlab(&r, "scan --json -p %d %s", self->pid, maps_line));
	EXPECT_EQ(0, r.status) TH_LOG("%s", r.err);
	snprintf(want, sizeof(want), "%lu %lu", a, a + 2 * PAGE);
	EXPECT_JQ(r.out, "\"\\(.start) \\(.end)\"", want);
	EXPECT_JQ(r.out, ".verdicts.writable.pages", "1");
	result_free(&r);

	/* --help says so */
	ASSERT_EQ(0, vmlab(&r, "walk --help"));
	EXPECT_NE(NULL, strstr(r.out, "hex")) TH_LOG("%s", r.out);
	EXPECT_NE(NULL, strstr(r.out, "without 0x")) TH_LOG("%s", r.out);
	result_free(&r);
	ASSERT_EQ(0, vmlab(&r, "scan --help"));
	EXPECT_NE(NULL, strstr(r.out, "0x optional")) TH_LOG("%s", r.out);
	result_free(&r);
	munmap(p, 2 * PAGE);
}

/* walk, scan and maps name no process by default: without -p, a usage error; -p self is vmlab. */
TEST_F(cli, pid_is_asked_for)
{
	JQ_BATCH();
	static const char *const cmds[] = { "walk 0x1000", "scan 0x1000-0x2000", "maps" };
	struct result r;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(cmds); i++) {
		ASSERT_EQ(0, vmlab(&r, "%s", cmds[i]));
		EXPECT_ONE_LINE_ERROR(&r, 2);
		EXPECT_NE(NULL, strstr(r.err, "which process? -p PID")) TH_LOG("%s", r.err);
		result_free(&r);
	}
	ASSERT_EQ(0, vmlab(&r, "walk --json -p self 0x1000"));
	EXPECT_EQ(0, r.status) TH_LOG("%s", r.err);
	EXPECT_JQ(r.out, ".walks[0].vma_found", "false");
	result_free(&r);
}

/*
 * A child forked after pages 0 to 2 were written, which then writes page 2
 * (its own copy); the parent then writes page 3, untouched before. Returns
 * the child's pid with the child waiting for @release to close, or -1.
 */
static pid_t forked_writer(char *p, int release[2])
{
	int ready[2];
	pid_t pid;
	char c;

	p[0] = 1;
	p[PAGE] = 1;
	p[2 * PAGE] = 1;
	if (pipe(ready) || pipe(release))
		return -1;
	pid = fork();
	if (pid == 0) {
		close(release[1]);
		p[2 * PAGE] = 2;
		if (write(ready[1], "r", 1) != 1)
			_exit(1);
		read(release[0], &c, 1);	/* until the parent is done */
		_exit(0);
	}
	close(ready[1]);
	close(release[0]);
	if (pid < 0 || read(ready[0], &c, 1) != 1)
		pid = -1;
	close(ready[0]);
	p[3 * PAGE] = 3;
	return pid;
}

/*
 * walk and scan -p A -p B after fork: a page both still share is "same
 * frame", one the child wrote is not, one only the parent touched is its own.
 */
TEST_F(cli, side_by_side_after_fork)
{
	JQ_BATCH();
	char *p = own_vma(4), filter[128], want[128];
	int release[2], st;
	struct result r;
	unsigned long a;
	pid_t child;

	ASSERT_NE(NULL, p);
	a = (unsigned long)p;
	child = forked_writer(p, release);
	ASSERT_LT(0, child);

	ASSERT_EQ(0, vmlab(&r, "walk -p %d -p %d %lx %lx", self->pid, child, a, a + 2 * PAGE));
	EXPECT_EQ(0, r.status) TH_LOG("%s", r.err);
	EXPECT_NE(NULL, strstr(r.out, "=> same frame: both map page frame 0x")) TH_LOG("%s", r.out);
	EXPECT_NE(NULL, strstr(r.out, "=> different frames")) TH_LOG("%s", r.out);
	snprintf(filter, sizeof(filter), "pid %d", child);
	EXPECT_NE(NULL, strstr(r.out, filter)) TH_LOG("%s", r.out);
	result_free(&r);

	ASSERT_EQ(0, vmlab(&r, "walk --json -p %d -p %d %lx %lx %lx", self->pid, child, a,
			   a + 2 * PAGE, a + 4 * PAGE));
	EXPECT_EQ(0, r.status) TH_LOG("%s", r.err);
	snprintf(filter, sizeof(filter), "%d %d", self->pid, child);
	EXPECT_JQ(r.out, ".pids | map(tostring) | join(\" \")", filter);
	EXPECT_JQ(r.out, "[.walks[].same_frame] | map(tostring) | join(\" \")",
		  "true false false");
	EXPECT_JQ(r.out, ".walks[0].frame == .walks[0].processes[1].leaf.pfn", "true");
	EXPECT_JQ(r.out, "[.walks[0].processes[].verdict] | join(\" \")", "cow-shared cow-shared");
	EXPECT_JQ(r.out, ".walks[1].processes[1].verdict", "writable");
	EXPECT_JQ(r.out, ".walks[2].frame", "null");
	result_free(&r);

	ASSERT_EQ(0, vmlab(&r, "walk -p self -p self -p self 1000"));
	EXPECT_ONE_LINE_ERROR(&r, 2);
	EXPECT_NE(NULL, strstr(r.err, "at most two -p")) TH_LOG("%s", r.err);
	result_free(&r);

	/* scan: runs of shared, copied and one-sided pages, counted */
	ASSERT_EQ(0, vmlab(&r, "scan --json -p %d -p %d %lx-%lx", self->pid, child, a,
			   a + 4 * PAGE));
	EXPECT_EQ(0, r.status) TH_LOG("%s", r.err);
	EXPECT_JQ(r.out, "[.runs[] | \"\\(.pages) \\(.frames)\"] | join(\", \")",
		  "2 same, 1 different, 1 null");
	EXPECT_JQ(r.out, ".runs[2].processes[1]", "null");
	EXPECT_JQ(r.out, ".runs[0].processes | map(.verdict) | join(\" \")",
		  "cow-shared cow-shared");
	EXPECT_JQ(r.out,
		  ".pages | [.same_frame, .different_frames, .only_first, .only_second] | @csv",
		  "2,1,1,0");
	result_free(&r);

	ASSERT_EQ(0, vmlab(&r, "scan -p %d -p %d %lx-%lx", self->pid, child, a, a + 4 * PAGE));
	EXPECT_EQ(0, r.status) TH_LOG("%s", r.err);
	snprintf(want, sizeof(want), "%#-14lx  %#-14lx  %6d  PTE   cow-shared", a, a + 2 * PAGE, 2);
	EXPECT_NE(NULL, strstr(r.out, want)) TH_LOG("want '%s' in: %s", want, r.out);
	EXPECT_NE(NULL, strstr(r.out, "same frame\n")) TH_LOG("%s", r.out);
	snprintf(want, sizeof(want), "pages: 2 same frame, 1 different frames, 1 only in pid %d",
		 self->pid);
	EXPECT_NE(NULL, strstr(r.out, want)) TH_LOG("want '%s' in: %s", want, r.out);
	result_free(&r);

	close(release[1]);
	ASSERT_EQ(child, waitpid(child, &st, 0));
	munmap(p, 4 * PAGE);
}

/*
 * diff of two scans of one VMA: a page zapped (gone), the zero page
 * written (verdict, flags and frame changed), a page touched (new); the
 * page left alone is not listed; a file against itself: no change.
 */
TEST_F(cli, diff_two_scans)
{
	JQ_BATCH();
	char old[64], new[64], *p = own_vma(6), want[64];
	struct result r;
	unsigned long a;

	ASSERT_NE(NULL, p);
	snprintf(old, sizeof(old), "/tmp/cli-diff-old-%d", self->pid);
	snprintf(new, sizeof(new), "/tmp/cli-diff-new-%d", self->pid);
	a = (unsigned long)p;
	p[0] = 1;
	p[PAGE] = 1;
	EXPECT_EQ(0, *(volatile char *)(p + 2 * PAGE));
	ASSERT_EQ(0, vmlab(&r, "scan --json -p %d %lx-%lx", self->pid, a, a + 6 * PAGE));
	ASSERT_EQ(0, r.status) TH_LOG("%s", r.err);
	EXPECT_JQ(r.out, "[.runs[] | (.pfns | length) == .leaves] | all", "true");
	ASSERT_EQ(0, save(old, r.out, r.out_len));
	result_free(&r);

	ASSERT_EQ(0, madvise(p, PAGE, MADV_DONTNEED));
	p[2 * PAGE] = 1;
	p[4 * PAGE] = 1;
	ASSERT_EQ(0, vmlab(&r, "scan --json -p %d %lx-%lx", self->pid, a, a + 6 * PAGE));
	ASSERT_EQ(0, r.status) TH_LOG("%s", r.err);
	ASSERT_EQ(0, save(new, r.out, r.out_len));
	result_free(&r);

	ASSERT_EQ(0, vmlab(&r, "diff --json %s %s", old, new));
	EXPECT_EQ(0, r.status) TH_LOG("%s", r.err);
	EXPECT_JQ(r.out, "[.changes[] | \"\\(.change) \\(.pages)\"] | join(\", \")",
		  "gone 1, changed 1, new 1");
	snprintf(want, sizeof(want), "%lu %lu %lu", a, a + 2 * PAGE, a + 4 * PAGE);
	EXPECT_JQ(r.out, "[.changes[].start] | map(tostring) | join(\" \")", want);
	EXPECT_JQ(r.out, ".changes[1].fields | join(\" \")", "verdict leaf_flags page_flags frame");
	EXPECT_JQ(r.out, ".changes[1] | \"\\(.old.verdict) \\(.new.verdict)\"",
		  "zero-page writable");
	EXPECT_JQ(r.out, ".changes[0].new", "null");
	EXPECT_JQ(r.out, ".pages | \"\\(.new) \\(.gone) \\(.changed)\"", "1 1 1");
	EXPECT_JQ(r.out, ".old.frames and .new.frames", "true");
	result_free(&r);

	ASSERT_EQ(0, vmlab(&r, "diff %s %s", old, new));
	EXPECT_EQ(0, r.status) TH_LOG("%s", r.err);
	EXPECT_NE(NULL, strstr(r.out, "verdict zero-page -> writable")) TH_LOG("%s", r.out);
	EXPECT_NE(NULL, strstr(r.out, "gone: was PTE")) TH_LOG("%s", r.out);
	EXPECT_NE(NULL, strstr(r.out, "new: PTE")) TH_LOG("%s", r.out);
	EXPECT_NE(NULL, strstr(r.out, "pages: 1 new, 1 gone, 1 changed\n")) TH_LOG("%s", r.out);
	result_free(&r);
	ASSERT_EQ(0, vmlab(&r, "diff %s %s", old, old));
	EXPECT_EQ(0, r.status) TH_LOG("%s", r.err);
	EXPECT_NE(NULL, strstr(r.out, "\nno change\n")) TH_LOG("%s", r.out);
	result_free(&r);

	/* a file that is not JSON, JSON that is not a scan, a side-by-side scan */
	ASSERT_EQ(0, vmlab(&r, "diff %s /bin/vmlab", old));
	EXPECT_ONE_LINE_ERROR(&r, 1);
	EXPECT_NE(NULL, strstr(r.err, "/bin/vmlab: not JSON: at byte 0")) TH_LOG("%s", r.err);
	result_free(&r);
	ASSERT_EQ(0, vmlab(&r, "walk --json -p self 1000"));
	ASSERT_EQ(0, save(new, r.out, r.out_len));
	result_free(&r);
	ASSERT_EQ(0, vmlab(&r, "diff %s %s", new, old));
	EXPECT_ONE_LINE_ERROR(&r, 1);
	EXPECT_NE(NULL, strstr(r.err, "not a document of 'vmlab scan --json'")) TH_LOG("%s", r.err);
	result_free(&r);
	ASSERT_EQ(0, vmlab(&r, "scan --json -p self -p self %lx-%lx", a, a + PAGE));
	ASSERT_EQ(0, save(new, r.out, r.out_len));
	result_free(&r);
	ASSERT_EQ(0, vmlab(&r, "diff %s %s", old, new));
	EXPECT_ONE_LINE_ERROR(&r, 1);
	EXPECT_NE(NULL, strstr(r.err, "a side-by-side scan")) TH_LOG("%s", r.err);
	result_free(&r);

	unlink(new);
	unlink(old);
	munmap(p, 6 * PAGE);
}

/* maps names each mapping's type: private or shared, file, anonymous or device. */
TEST_F(cli, maps_type_column)
{
	JQ_BATCH();
	char path[] = "/tmp/cli-maps-type-XXXXXX", filter[256], *line;
	struct vmlab_region_create rc;
	struct {
		char *p;
		const char *type;
	} m[5];
	struct result r;
	char want[64];
	size_t i;
	int fd;

	fd = temp_file(path, PAGE);
	ASSERT_LE(0, fd);
	m[0].p = own_vma(1);
	m[0].type = "private-anon";
	m[1].p = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	m[1].type = "shared-anon";
	m[2].p = mmap(NULL, PAGE, PROT_READ, MAP_PRIVATE, fd, 0);
	m[2].type = "private-file";
	m[3].p = mmap(NULL, PAGE, PROT_READ, MAP_SHARED, fd, 0);
	m[3].type = "shared-file";
	ASSERT_EQ(0, vmlab_region_new(self->fd, VMLAB_REGION_FILE, PAGE, 0, &rc));
	m[4].p = vmlab_region_map(self->fd, rc.offset, PAGE, PROT_READ, MAP_SHARED);
	m[4].type = "shared-file";	/* a FILE region imitates a file */
	for (i = 0; i < ARRAY_SIZE(m); i++)
		ASSERT_NE(MAP_FAILED, m[i].p) TH_LOG("mapping %zu", i);

	ASSERT_EQ(0, vmlab(&r, "maps --json -p %d", self->pid));
	EXPECT_EQ(0, r.status) TH_LOG("%s", r.err);
	for (i = 0; i < ARRAY_SIZE(m); i++) {
		snprintf(filter, sizeof(filter), ".vmas[] | select(.start == %lu) | .type",
			 (unsigned long)m[i].p);
		EXPECT_JQ(r.out, filter, m[i].type);
	}
	EXPECT_JQ(r.out, ".vmas[] | select(.path == \"[stack]\") | .type", "private-anon");
	EXPECT_JQ(r.out, ".vmas[] | select(.path == \"[vdso]\") | .type", "special");
	result_free(&r);

	ASSERT_EQ(0, vmlab(&r, "maps -p %d", self->pid));
	EXPECT_EQ(0, r.status) TH_LOG("%s", r.err);
	EXPECT_NE(NULL, strstr(r.out, "  TYPE            PATH")) TH_LOG("%s", r.out);
	for (i = 0; i < ARRAY_SIZE(m); i++) {
		snprintf(want, sizeof(want), "\n%012lx-", (unsigned long)m[i].p);
		line = strstr(r.out, want);
		ASSERT_NE(NULL, line) TH_LOG("want '%s' in: %s", want + 1, r.out);
		snprintf(want, sizeof(want), "  %-14s  ", m[i].type);
		line = strndup(line + 1, strcspn(line + 1, "\n"));
		EXPECT_NE(NULL, strstr(line, want)) TH_LOG("want '%s' in '%s'", want, line);
		free(line);
	}
	result_free(&r);

	munmap(m[4].p, PAGE);
	EXPECT_EQ(0, vmlab_region_destroy(self->fd, rc.id));
	munmap(m[3].p, PAGE);
	munmap(m[2].p, PAGE);
	munmap(m[1].p, PAGE);
	munmap(m[0].p, PAGE);
	close(fd);
	unlink(path);
}

/* maps counts resident, zero-page and dirty pages of a VMA of ours. */
TEST_F(cli, maps_counts_pages)
{
	JQ_BATCH();
	char *p = own_vma(8), want[128], filter[256], *line;
	unsigned long rss, zero, cow, dirty, huge;
	struct result r;
	int n;
	unsigned long a;
	int i;

	ASSERT_NE(NULL, p);
	a = (unsigned long)p;
	for (i = 0; i < 3; i++)
		p[i * PAGE] = 1;
	for (i = 3; i < 5; i++)
		EXPECT_EQ(0, *(volatile char *)(p + i * PAGE));

	ASSERT_EQ(0, vmlab(&r, "maps -p %d", self->pid));
	EXPECT_EQ(0, r.status) TH_LOG("%s", r.err);
	snprintf(want, sizeof(want), "\n%012lx-%012lx rw-p ", a, a + 8 * PAGE);
	line = strstr(r.out, want);
	ASSERT_NE(NULL, line) TH_LOG("want '%s' in: %s", want + 1, r.out);
	n = sscanf(line, "%*s %*s %*s %*s %*s %lu %lu %lu %lu %lu", &rss, &zero, &cow, &dirty,
		   &huge);
	ASSERT_EQ(5, n) TH_LOG("%.120s", line);
	EXPECT_EQ(5, rss);
	EXPECT_EQ(2, zero);
	EXPECT_EQ(0, cow);
	EXPECT_EQ(3, dirty);
	EXPECT_EQ(0, huge);
	EXPECT_NE(NULL, strstr(r.out, "\ntotal ")) TH_LOG("%s", r.out);
	result_free(&r);

	ASSERT_EQ(0, vmlab(&r, "maps --json -p %d", self->pid));
	EXPECT_EQ(0, r.status) TH_LOG("%s", r.err);
	snprintf(filter, sizeof(filter),
		 ".vmas[] | select(.start == %lu) | [.end, .resident, .zero, .cow_shared, .dirty, .huge, .perms] | map(tostring) | join(\" \")",
		 a);
	snprintf(want, sizeof(want), "%lu 5 2 0 3 0 rw-p", a + 8 * PAGE);
	EXPECT_JQ(r.out, filter, want);
	EXPECT_JQ_NUM(r.out, ".page_size", PAGE);
	EXPECT_JQ(r.out, "[.vmas[] | select(.path == \"[stack]\")] | length", "1");
	result_free(&r);

	/* the tool's own maps, walked by itself */
	ASSERT_EQ(0, vmlab(&r, "maps --json -p self"));
	EXPECT_EQ(0, r.status) TH_LOG("%s", r.err);
	EXPECT_JQ(r.out, "[.vmas[] | select(.path == \"/bin/vmlab\")] | length > 0", "true");
	EXPECT_JQ(r.out, ".vmas | map(select(.walked) | .resident) | add > 0", "true");
	result_free(&r);
	munmap(p, 8 * PAGE);
}

/*
 * A transparent huge page: walk shows a PMD leaf (2 MiB; on two levels a
 * 4 MiB one in the PGD), scan one run, maps one huge leaf.
 */
TEST_F(cli, thp_pmd_leaf)
{
	JQ_BATCH();
	char line[256], want[128], filter[256], *p;
	unsigned long a, size = thp_size(), pages = size / PAGE;
	struct vmlab_info info;
	struct vmlab_walk w;
	struct result r;
	const char *lvl;

	if (read_line("/sys/kernel/mm/transparent_hugepage/enabled", line, sizeof(line)))
		SKIP(return, "no /sys/kernel/mm/transparent_hugepage: THP not built in");
	if (strstr(line, "[never]"))
		SKIP(return, "THP is disabled: enabled is '%s'", line);
	ASSERT_EQ(0, vmlab_info(self->fd, &info));
	lvl = vmlab_level_name(pmd_leaf_level(&info));
	p = map_aligned(size, size, PROT_READ | PROT_WRITE, MAP_PRIVATE);
	ASSERT_NE(MAP_FAILED, p);
	ASSERT_EQ(0, madvise(p, size, MADV_HUGEPAGE));
	a = (unsigned long)p;
	p[0] = 1;
	ASSERT_EQ(0, vmlab_walk(self->fd, 0, a, &w));
	ASSERT_EQ(pmd_leaf_level(&info), w.leaf_level)
		TH_LOG("no THP: leaf at %s", vmlab_level_name(w.leaf_level));

	ASSERT_EQ(0, vmlab(&r, "walk -p %d %#lx", self->pid, a + 5 * PAGE));
	EXPECT_EQ(0, r.status) TH_LOG("%s", r.err);
	snprintf(want, sizeof(want), "leaf     %s, %luM, pfn 0x", lvl, size >> 20);
	EXPECT_NE(NULL, strstr(r.out, want)) TH_LOG("want '%s' in: %s", want, r.out);
	EXPECT_NE(NULL, strstr(r.out, "|huge")) TH_LOG("%s", r.out);
	EXPECT_NE(NULL, strstr(r.out, "  PTE       -  -                   (not reached)\n"))
		TH_LOG("%s", r.out);
	result_free(&r);
	ASSERT_EQ(0, vmlab(&r, "walk --json -p %d %#lx", self->pid, a + 5 * PAGE));
	snprintf(want, sizeof(want), "%s %lu", lvl, size);
	EXPECT_JQ(r.out, ".walks[0].leaf | \"\\(.level) \\(.size)\"", want);
	snprintf(filter, sizeof(filter),
		 ".walks[0].levels[%u] | \"\\(.leaf) \\(.flags | index(\"huge\") != null)\"",
		 pmd_leaf_level(&info));
	EXPECT_JQ(r.out, filter, "true true");
	EXPECT_JQ(r.out, ".walks[0].levels[4].reached", "false");
	result_free(&r);

	ASSERT_EQ(0, vmlab(&r, "scan --json -p %d %#lx-%#lx", self->pid, a, a + size));
	EXPECT_EQ(0, r.status) TH_LOG("%s", r.err);
	EXPECT_JQ(r.out, ".runs | length", "1");
	snprintf(want, sizeof(want), "1 %s writable", lvl);
	EXPECT_JQ(r.out, ".runs[0] | \"\\(.leaves) \\(.level) \\(.verdict)\"", want);
	snprintf(want, sizeof(want), "%lu", pages);
	EXPECT_JQ(r.out, ".verdicts.writable.pages", want);
	result_free(&r);

	ASSERT_EQ(0, vmlab(&r, "maps --json -p %d", self->pid));
	EXPECT_EQ(0, r.status) TH_LOG("%s", r.err);
	snprintf(filter, sizeof(filter),
		 ".vmas[] | select(.start <= %lu and .end >= %lu) | [.resident, .dirty, .huge] | map(tostring) | join(\" \")",
		 a, a + size);
	snprintf(want, sizeof(want), "%lu %lu 1", pages, pages);
	EXPECT_JQ(r.out, filter, want);
	result_free(&r);
	munmap(p, size);
}

/* region create, list, info and destroy from the shell, in text and JSON. */
TEST_F(cli, region_commands)
{
	JQ_BATCH();
	struct vmlab_region_info ri;
	struct result r;
	char want[128];
	uint32_t id, id2;

	ASSERT_EQ(0, vmlab(&r, "region create --kind anon --size 64K"));
	id = created_id(&r);
	ASSERT_NE(0, id) TH_LOG("%s%s", r.out, r.err);
	result_free(&r);
	ASSERT_EQ(0, vmlab_region_info(self->fd, id, &ri));
	EXPECT_EQ(VMLAB_REGION_ANON, ri.kind);
	EXPECT_EQ(65536, ri.length);

	/* two pages: 8K, or 32K of 16 KiB pages */
	ASSERT_EQ(0, vmlab(&r, "region create --kind file --size %#lx --fill byte:65 --readonly",
			   2 * PAGE));
	id2 = created_id(&r);
	ASSERT_NE(0, id2) TH_LOG("%s%s", r.out, r.err);
	result_free(&r);

	ASSERT_EQ(0, vmlab(&r, "region list"));
	EXPECT_EQ(0, r.status);
	snprintf(want, sizeof(want), "\n%5u  anon         64K  %#-14llx  -  ", id,
		 (unsigned long long)ri.offset);
	EXPECT_NE(NULL, strstr(r.out, want)) TH_LOG("want '%s' in: %s", want + 1, r.out);
	snprintf(want, sizeof(want), "\n%5u  file  %10s  ", id2, PAGE == 4096 ? "8K" : "32K");
	EXPECT_NE(NULL, strstr(r.out, want)) TH_LOG("want '%s' in: %s", want + 1, r.out);
	result_free(&r);

	ASSERT_EQ(0, vmlab(&r, "region list --json"));
	EXPECT_EQ(0, r.status);
	snprintf(want, sizeof(want),
		 ".regions[] | select(.id == %u) | \"\\(.kind) \\(.size) \\(.mappings) \\(.offset == %llu)\"",
		 id, (unsigned long long)ri.offset);
	EXPECT_JQ(r.out, want, "anon 65536 0 true");
	snprintf(want, sizeof(want), ".regions[] | select(.id == %u) | .flags | join(\",\")", id2);
	EXPECT_JQ(r.out, want, "readonly");
	result_free(&r);

	ASSERT_EQ(0, vmlab(&r, "region info --json %u", id2));
	EXPECT_EQ(0, r.status);
	snprintf(want, sizeof(want), "file byte 65 WB %lu", 2 * PAGE);
	EXPECT_JQ(r.out, "\"\\(.kind) \\(.fill) \\(.fill_byte) \\(.cache) \\(.size)\"",
		  want);
	EXPECT_JQ(r.out, ".counters | \"\\(.pages_resident) \\(.mappings) \\(.writebacks)\"",
		  "2 0 0");
	EXPECT_JQ(r.out, ".counters | keys | length", "11");
	result_free(&r);
	ASSERT_EQ(0, vmlab(&r, "region info %u", id2));
	EXPECT_EQ(0, r.status);
	EXPECT_NE(NULL, strstr(r.out, "  fill             byte:65\n")) TH_LOG("%s", r.out);
	EXPECT_NE(NULL, strstr(r.out, "  flags            readonly\n")) TH_LOG("%s", r.out);
	EXPECT_NE(NULL, strstr(r.out, "  pages resident   2\n")) TH_LOG("%s", r.out);
	result_free(&r);
	EXPECT_EQ(0, vmlab_region_destroy(self->fd, id2));

	ASSERT_EQ(0, vmlab(&r, "region create --kind device --size %#lx --cache wc", 2 * PAGE));
	id2 = created_id(&r);
	ASSERT_NE(0, id2) TH_LOG("%s%s", r.out, r.err);
	result_free(&r);
	ASSERT_EQ(0, vmlab(&r, "region info --json %u", id2));
	EXPECT_JQ(r.out, "\"\\(.kind) \\(.cache)\"", "device WC");
	result_free(&r);

	ASSERT_EQ(0, vmlab(&r, "region destroy %u", id));
	EXPECT_EQ(0, r.status);
	result_free(&r);
	ASSERT_EQ(0, vmlab(&r, "region info %u", id));
	EXPECT_ONE_LINE_ERROR(&r, 1);
	snprintf(want, sizeof(want), "vmlab: region %u: no such region\n", id);
	EXPECT_STREQ(want, r.err);
	result_free(&r);
	ASSERT_EQ(0, vmlab(&r, "region destroy %u", id));
	EXPECT_ONE_LINE_ERROR(&r, 1);
	result_free(&r);
	/* none left for the tests after (regions' counts them) */
	EXPECT_EQ(0, vmlab_region_destroy(self->fd, id2));
}

/* hexdump of @id, optionally -s @skip -n @len, equals busybox hexdump -C of @file, twice */
static void check_hexdump(struct __test_metadata *_metadata, uint32_t id, const char *file,
			  long skip, long len)
{
	char s[32], n[32], sx[32], idstr[16];
	struct result mine, again, bb;
	char *argv_bb[8] = { HEXDUMP_BIN, "-C" }, *argv_me[8] = { VMLAB_BIN, "hexdump" };
	int a = 2, b = 2;

	snprintf(s, sizeof(s), "%ld", skip);
	snprintf(sx, sizeof(sx), "%#lx", skip);	/* hex for vmlab, decimal for busybox */
	snprintf(n, sizeof(n), "%ld", len);
	snprintf(idstr, sizeof(idstr), "%u", id);
	if (skip >= 0) {
		argv_bb[a++] = "-s";
		argv_bb[a++] = s;
		argv_me[b++] = "-s";
		argv_me[b++] = skip & 1 ? s : sx;
	}
	if (len >= 0) {
		argv_bb[a++] = "-n";
		argv_bb[a++] = n;
		argv_me[b++] = "-n";
		argv_me[b++] = n;
	}
	argv_bb[a++] = (char *)file;
	argv_me[b++] = idstr;
	argv_bb[a] = NULL;
	argv_me[b] = NULL;
	ASSERT_EQ(0, run_full(&bb, 0, NULL, NULL, argv_bb));
	ASSERT_EQ(0, run_full(&mine, 0, NULL, NULL, argv_me));
	ASSERT_EQ(0, run_full(&again, 0, NULL, NULL, argv_me));
	EXPECT_EQ(0, bb.status) TH_LOG("busybox: %s", bb.err);
	EXPECT_EQ(0, mine.status) TH_LOG("vmlab: %s", mine.err);
	EXPECT_NE(0, bb.out_len);
	EXPECT_EQ(bb.out_len, mine.out_len) TH_LOG("region %u -s %ld -n %ld", id, skip, len);
	EXPECT_EQ(0, strcmp(bb.out, mine.out))
		TH_LOG("region %u -s %ld -n %ld:\nbusybox:\n%s\nvmlab:\n%s", id, skip, len,
		       bb.out, mine.out);
	EXPECT_STREQ(mine.out, again.out);
	result_free(&bb);
	result_free(&mine);
	result_free(&again);
}

static const long hexdump_cases[][2] = {
	{ -1, -1 }, { 0, 16 }, { 0, 15 }, { 0, 17 }, { 5, 20 }, { 16, 1 }, { 4095, 3 },
	{ 100, 4096 }, { 4096, 8193 }, { 12345, 999999 }, { 16383, -1 }, { 7, 0x1000 },
};

/* hexdump of FILE regions (pattern; zeros with a few bytes) equals busybox's, several cuts. */
TEST_F_TIMEOUT(cli, hexdump_matches_busybox, 120)
{
	static const char *const fills[] = { "--fill pattern", "--fill zero" };
	char path[64], *buf;
	struct result r;
	uint64_t off;
	uint32_t id;
	size_t i, f;

	buf = malloc(16384);
	ASSERT_NE(NULL, buf);
	for (f = 0; f < 2; f++) {
		ASSERT_EQ(0, vmlab(&r, "region create --kind file --size 16K %s", fills[f]));
		id = created_id(&r);
		ASSERT_NE(0, id) TH_LOG("%s%s", r.out, r.err);
		result_free(&r);
		/* a 32-bit process has offsets of its own (<linux/vmlab.h>) */
		off = (uint64_t)id <<
		      (sizeof(long) == 4 ? VMLAB_REGION_SHIFT_32 : VMLAB_REGION_SHIFT);
		if (f == 1) {	/* a few bytes, text and not, among zeros */
			ASSERT_EQ(5, pwrite(self->fd, "hello", 5, off + 100));
			ASSERT_EQ(4, pwrite(self->fd, "\x01\x7f\x80\xff", 4, off + 4100));
			ASSERT_EQ(4, pwrite(self->fd, "end!", 4, off + 16380));
		}
		ASSERT_EQ(16384, pread(self->fd, buf, 16384, off));
		snprintf(path, sizeof(path), "/tmp/cli-hexdump-%u", id);
		ASSERT_EQ(0, save(path, buf, 16384));
		for (i = 0; i < ARRAY_SIZE(hexdump_cases); i++)
			check_hexdump(_metadata, id, path, hexdump_cases[i][0],
				      hexdump_cases[i][1]);
		unlink(path);
		EXPECT_EQ(0, vmlab_region_destroy(self->fd, id));
	}
	free(buf);
}

/* hexdump of an ANON region and of device memory written through a mapping equals busybox's. */
TEST_F_TIMEOUT(cli, hexdump_anon_and_device, 60)
{
	static const char *const kinds[] = { "anon", "device" };
	struct vmlab_region_info ri;
	struct result r;
	char path[64], *p;
	uint32_t id;
	size_t k;

	for (k = 0; k < 2; k++) {
		ASSERT_EQ(0, vmlab(&r, "region create --kind %s --size 16K", kinds[k]));
		id = created_id(&r);
		ASSERT_NE(0, id) TH_LOG("%s%s", r.out, r.err);
		result_free(&r);
		ASSERT_EQ(0, vmlab_region_info(self->fd, id, &ri));
		p = vmlab_region_map(self->fd, ri.offset, 16384, PROT_READ | PROT_WRITE,
				     MAP_SHARED);
		ASSERT_NE(MAP_FAILED, p);
		memcpy(p + 33, "device memory", 13);
		memset(p + 8192, 0xa5, 100);
		snprintf(path, sizeof(path), "/tmp/cli-hexdump-%u", id);
		ASSERT_EQ(0, save(path, p, 16384));
		check_hexdump(_metadata, id, path, -1, -1);
		check_hexdump(_metadata, id, path, 8190, 200);
		munmap(p, 16384);
		unlink(path);
		EXPECT_EQ(0, vmlab_region_destroy(self->fd, id));
	}
}

/* hexdump: an offset at or past the end fails; a bad number is a usage error. */
TEST_F(cli, hexdump_bad_offsets)
{
	struct vmlab_region_create rc;
	struct result r;
	char want[128];

	ASSERT_EQ(0, vmlab_region_new(self->fd, VMLAB_REGION_FILE, 2 * PAGE, 0, &rc));
	ASSERT_EQ(0, vmlab(&r, "hexdump -s %luK %u", 2 * PAGE >> 10, rc.id));
	EXPECT_ONE_LINE_ERROR(&r, 1);
	EXPECT_NE(NULL, strstr(r.err, "past the end")) TH_LOG("%s", r.err);
	result_free(&r);
	ASSERT_EQ(0, vmlab(&r, "hexdump -s %#lx %u", 16 * PAGE, rc.id));
	EXPECT_ONE_LINE_ERROR(&r, 1);
	result_free(&r);
	ASSERT_EQ(0, vmlab(&r, "hexdump -s 12q %u", rc.id));
	EXPECT_ONE_LINE_ERROR(&r, 2);
	result_free(&r);
	ASSERT_EQ(0, vmlab(&r, "hexdump -n -1 %u", rc.id));
	EXPECT_ONE_LINE_ERROR(&r, 2);
	result_free(&r);
	/* a leading 0 is decimal, not octal */
	ASSERT_EQ(0, vmlab(&r, "hexdump -s 010 -n 1 %u", rc.id));
	EXPECT_EQ(0, r.status);
	EXPECT_STREQ("0000000a  00                                                |.|\n0000000b\n",
		     r.out);
	result_free(&r);
	/* the last byte, and a length clamped to it */
	ASSERT_EQ(0, vmlab(&r, "hexdump -s %lu -n 1M %u", 2 * PAGE - 1, rc.id));
	EXPECT_EQ(0, r.status);
	snprintf(want, sizeof(want),
		 "%08lx  00                                                |.|\n%08lx\n",
		 2 * PAGE - 1, 2 * PAGE);
	EXPECT_STREQ(want, r.out);
	result_free(&r);
	EXPECT_EQ(0, vmlab_region_destroy(self->fd, rc.id));
}

/* Every error: one line on stderr starting "vmlab: ", nothing on stdout, the right exit code. */
TEST_F(cli, errors_are_one_line)
{
	static const struct {
		const char *args;
		int status;
		const char *says;
	} cases[] = {
		{ "frobnicate", 2, "unknown command 'frobnicate'" },
		{ "walk -p self", 2, "missing ADDR" },
		{ "walk -p self 0x12zz", 2, "bad address '0x12zz' (hex, 0x optional)" },
		{ "walk -p self 12g4", 2, "bad address '12g4'" },
		{ "walk -p self 0x", 2, "bad address '0x'" },
		{ "walk -p self -1000", 2, "bad option" },
		{ "walk -p self 10000000000000000", 2, "bad address" },
		{ "walk -p me 1000", 2, "bad pid 'me'" },
		{ "walk 1000", 2, "which process?" },
		{ "walk -p 0 0x1000", 2, "bad pid '0'" },
		{ "walk -p 4000000 0x1000", 1, "pid 4000000: no such process" },
		{ "walk -p self 0xffffffffff600000", 1, "not a user address" },
		{ "walk -p 2 0x1000", 1, "pid 2 has no address space" },
		{ "maps -p 2", 1, "pid 2 has no address space" },
		{ "walk --frob 1", 2, "bad option" },
		{ "scan -p self 0x2000-0x1000", 2, "bad range '0x2000-0x1000'" },
		{ "scan -p self 4096", 2, "bad range '4096'" },
		{ "scan -p self 1-2-3", 2, "bad range" },
		{ "scan -p self 1000-2g00", 2, "bad range '1000-2g00'" },
		{ "scan 1000-2000", 2, "which process?" },
		{ "scan -p self --vma [heap]:0", 1, "N counts the VMAs from 1" },
		{ "scan -p self --vma /no/such:3", 1, "no VMA matches '/no/such'" },
		{ "scan -p 4000000 0x1000-0x2000", 1, "pid 4000000: no such process" },
		{ "scan --vma [heap] 0x1000-0x2000", 2, "not both" },
		{ "maps -p 4000000", 1, "pid 4000000: no such process" },
		{ "maps extra", 2, "unexpected argument" },
		{ "maps", 2, "which process?" },
		{ "diff", 2, "missing OLD.json or NEW.json" },
		{ "diff /no/such/old.json /no/such/new.json", 1, "/no/such/old.json: No such" },
		{ "diff a b c", 2, "unexpected argument 'c'" },
		{ "region", 2, "missing create" },
		{ "region frob", 2, "unknown region command 'frob'" },
		{ "region info 65000", 1, "region 65000: no such region" },
		{ "region info x", 2, "bad region ID 'x'" },
		{ "region destroy 65000", 1, "region 65000: no such region" },
		{ "region create --kind frob --size 4K", 2, "unknown kind 'frob'" },
		{ "region create --kind file --size 100", 1, "invalid settings" },
		{ "region create --kind file --size 4K --fill byte:256", 2, "bad fill" },
		{ "region create --kind anon --size 4K --cache wt", 2, "bad caching mode" },
		{ "hexdump 65000", 1, "region 65000: no such region" },
		{ "hexdump", 2, "missing REGION" },
		{ "info extra", 2, "unexpected argument 'extra'" },
		{ "shapes", 2, "missing ADDR" },
		{ "shapes 12zz", 2, "bad address '12zz' (hex, 0x optional, at most 64 bits)" },
		{ "shapes 10000000000000000", 2, "bad address" },
		{ "shapes 1000 2000", 2, "unexpected argument '2000' (one ADDR)" },
		{ "shapes -s x86-128 1000", 2, "unknown shape 'x86-128'" },
		{ "shapes --list 1000", 2, "unexpected argument '1000'" },
	};
	struct result r;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		ASSERT_EQ(0, vmlab(&r, "%s", cases[i].args));
		EXPECT_EQ(cases[i].status, r.status) TH_LOG("vmlab %s", cases[i].args);
		EXPECT_ONE_LINE_ERROR(&r, cases[i].status);
		EXPECT_NE(NULL, strstr(r.err, cases[i].says))
			TH_LOG("vmlab %s: '%s' not in: %s", cases[i].args, cases[i].says, r.err);
		result_free(&r);
	}
}

/*
 * In a child: become nobody, a process that nobody may trace (dumpable,
 * and Yama's scope 1 told that any tracer may: no Yama, no need). 0 or -1.
 */
static int traceable_nobody(void)
{
	if (setgroups(0, NULL) || setgid(NOBODY) || setuid(NOBODY) ||
	    prctl(PR_SET_DUMPABLE, 1))
		return -1;
	prctl(PR_SET_PTRACER, PR_SET_PTRACER_ANY);
	return 0;
}

/* Without the right to open the device: "permission denied", exit 1. */
TEST_F(cli, permission_denied)
{
	struct result r;

	ASSERT_EQ(0, run_full(&r, NOBODY, NULL, NULL,
			      (char *const[]){ VMLAB_BIN, "info", NULL }));
	EXPECT_ONE_LINE_ERROR(&r, 1);
	EXPECT_STREQ("vmlab: /dev/vmlab: Permission denied\n", r.err);
	result_free(&r);
}

/*
 * As nobody, walk -p of a process of nobody's that lets any tracer in
 * (Yama's PR_SET_PTRACER): no CAP_SYS_PTRACE, so through /proc/PID/mem;
 * the PFN hidden, its frame token shown and marked as one. Of pid 1 (root's):
 * one line, permission denied, exit 1.
 */
TEST_F(cli, walk_unprivileged_through_mem_with_token)
{
	JQ_BATCH();
	int up[2], down[2];
	char *p, addr[32], pid[16];
	struct result r;
	mode_t mode;
	pid_t kid;

	ASSERT_EQ(0, pipe(up));
	ASSERT_EQ(0, pipe(down));
	kid = fork();
	ASSERT_LE(0, kid);
	if (kid == 0) {
		if (traceable_nobody())
			_exit(1);
		p = own_vma(1);
		if (!p)
			_exit(1);
		p[0] = 1;
		if (write(up[1], &p, sizeof(p)) != sizeof(p))
			_exit(1);
		_exit(read(down[0], addr, 1) == 1 ? 0 : 1);
	}
	close(up[1]);
	close(down[0]);
	ASSERT_EQ(sizeof(p), read(up[0], &p, sizeof(p)));
	snprintf(addr, sizeof(addr), "%p", p);
	snprintf(pid, sizeof(pid), "%d", kid);
	ASSERT_EQ(0, node_open_to_all(&mode));
	ASSERT_EQ(0, run_full(&r, NOBODY, NULL, NULL,
			      (char *const[]){ VMLAB_BIN, "walk", "-p", pid, addr, NULL }));
	EXPECT_EQ(0, r.status) TH_LOG("%s", r.err);
	EXPECT_NE(NULL, strstr(r.out, "(through /proc/PID/mem)")) TH_LOG("%s", r.out);
	EXPECT_NE(NULL, strstr(r.out, ", frame ~")) TH_LOG("%s", r.out);
	EXPECT_NE(NULL, strstr(r.out, "(a token, not a PFN: PFNs need CAP_SYS_ADMIN)"))
		TH_LOG("%s", r.out);
	EXPECT_EQ(NULL, strstr(r.out, "pfn 0x")) TH_LOG("%s", r.out);
	EXPECT_NE(NULL, strstr(r.out, "verdict  writable: ")) TH_LOG("%s", r.out);
	result_free(&r);
	ASSERT_EQ(0, run_full(&r, NOBODY, NULL, NULL,
			      (char *const[]){ VMLAB_BIN, "walk", "--json", "-p", pid, addr,
					       NULL }));
	EXPECT_EQ(0, r.status) TH_LOG("%s", r.err);
	EXPECT_JQ(r.out, ".walks[0].leaf | \"\\(.pfn) \\(.pfn_hidden)\"", "null true");
	EXPECT_JQ(r.out, ".walks[0].leaf.frame_token | startswith(\"0x\")", "true");
	result_free(&r);
	ASSERT_EQ(0, run_full(&r, NOBODY, NULL, NULL,
			      (char *const[]){ VMLAB_BIN, "walk", "-p", "1", "0x400000", NULL }));
	chmod(VMLAB_DEVICE, mode);
	EXPECT_ONE_LINE_ERROR(&r, 1);
	EXPECT_NE(NULL, strstr(r.err, "pid 1: permission denied (CAP_SYS_PTRACE, or ptrace"))
		TH_LOG("%s", r.err);
	result_free(&r);
	ASSERT_EQ(1, write(down[1], "g", 1));
	ASSERT_EQ(kid, waitpid(kid, NULL, 0));
}

/*
 * As nobody, walk -p P -p C of a process of nobody's and its child: no
 * CAP_SYS_ADMIN, so the frames are compared by their tokens (one run of
 * the tool, one open, one key): the same frame after fork, different ones
 * after the child's write copied the page.
 */
TEST_F(cli, side_by_side_unprivileged_by_token)
{
	JQ_BATCH();
	struct { char *p; pid_t kid; } got;
	char addr[32], pid[2][16], c;
	int up[2], down[2];
	struct result r;
	mode_t mode;
	pid_t kid;

	ASSERT_EQ(0, pipe(up));
	ASSERT_EQ(0, pipe(down));
	kid = fork();
	ASSERT_LE(0, kid);
	if (kid == 0) {
		if (traceable_nobody())
			_exit(1);
		got.p = own_vma(1);
		if (!got.p)
			_exit(1);
		got.p[0] = 1;
		got.kid = fork();
		if (got.kid == 0) {
			/* the child: write when told, then wait to be let go */
			prctl(PR_SET_PTRACER, PR_SET_PTRACER_ANY);
			if (read(down[0], &c, 1) != 1)
				_exit(1);
			got.p[0] = 2;
			if (write(up[1], "k", 1) != 1 || read(down[0], &c, 1) != 1)
				_exit(1);
			_exit(0);
		}
		if (got.kid < 0 || write(up[1], &got, sizeof(got)) != sizeof(got))
			_exit(1);
		_exit(waitpid(got.kid, NULL, 0) == got.kid ? 0 : 1);
	}
	close(up[1]);
	close(down[0]);
	ASSERT_EQ(sizeof(got), read(up[0], &got, sizeof(got)));
	snprintf(addr, sizeof(addr), "%p", got.p);
	snprintf(pid[0], sizeof(pid[0]), "%d", kid);
	snprintf(pid[1], sizeof(pid[1]), "%d", got.kid);
	ASSERT_EQ(0, node_open_to_all(&mode));
	ASSERT_EQ(0, run_full(&r, NOBODY, NULL, NULL,
			      (char *const[]){ VMLAB_BIN, "walk", "-p", pid[0], "-p", pid[1],
					       addr, NULL }));
	EXPECT_EQ(0, r.status) TH_LOG("%s", r.err);
	EXPECT_NE(NULL, strstr(r.out, "=> same frame: both map the frame of token ~"))
		TH_LOG("%s", r.out);
	EXPECT_NE(NULL, strstr(r.out, " (token)")) TH_LOG("%s", r.out);
	result_free(&r);
	/* the child writes: its copy is a new frame */
	ASSERT_EQ(1, write(down[1], "w", 1));
	ASSERT_EQ(1, read(up[0], &c, 1));
	ASSERT_EQ(0, run_full(&r, NOBODY, NULL, NULL,
			      (char *const[]){ VMLAB_BIN, "walk", "-p", pid[0], "-p", pid[1],
					       addr, NULL }));
	EXPECT_EQ(0, r.status) TH_LOG("%s", r.err);
	EXPECT_NE(NULL, strstr(r.out, "=> different frames (by their tokens)")) TH_LOG("%s", r.out);
	result_free(&r);
	ASSERT_EQ(0, run_full(&r, NOBODY, NULL, NULL,
			      (char *const[]){ VMLAB_BIN, "walk", "--json", "-p", pid[0], "-p",
					       pid[1], addr, NULL }));
	chmod(VMLAB_DEVICE, mode);
	EXPECT_EQ(0, r.status) TH_LOG("%s", r.err);
	EXPECT_JQ(r.out, ".walks[0].same_frame", "false");
	result_free(&r);
	ASSERT_EQ(1, write(down[1], "x", 1));
	ASSERT_EQ(kid, waitpid(kid, NULL, 0));
}

/* A missing device node (VMLAB_DEVICE elsewhere): "module not loaded", exit 2. */
TEST_F(cli, missing_device_node)
{
	struct result r;

	ASSERT_EQ(0, run_full(&r, 0, "VMLAB_DEVICE=/dev/no-vmlab", NULL,
			      (char *const[]){ VMLAB_BIN, "region", "list", NULL }));
	EXPECT_ONE_LINE_ERROR(&r, 2);
	EXPECT_STREQ("vmlab: vmlab module not loaded: insmod vmlab.ko\n", r.err);
	result_free(&r);
}

/* With the module really unloaded: "module not loaded", exit 2; it works again once reloaded. */
TEST(module_not_loaded)
{
	const char *ko = getenv("VMLAB_KO");
	struct result r;

	if (!ko)
		SKIP(return, "VMLAB_KO (path of vmlab.ko) is not set: not in the vmlab VM");
	ASSERT_EQ(0, unload_module()) TH_LOG("%s", strerror(errno));
	EXPECT_EQ(0, RUN(&r, VMLAB_BIN, "walk", "-p", "self", "0x1000"));
	EXPECT_ONE_LINE_ERROR(&r, 2);
	EXPECT_STREQ("vmlab: vmlab module not loaded: insmod vmlab.ko\n", r.err);
	result_free(&r);
	ASSERT_EQ(0, load_module(ko, ""));
	ASSERT_EQ(0, RUN(&r, VMLAB_BIN, "info"));
	EXPECT_EQ(0, r.status) TH_LOG("%s", r.err);
	result_free(&r);
}

/*
 * shapes: one address on every shape, pure arithmetic (no device needed):
 * the issue's "bits 31-22  PGD index 0x3ff" on two-level paging, "bits
 * 56-48" for LA57's PGD, a 32-bit shape saying in one line that a 64-bit
 * address is too wide for it; an address no shape takes exits 1.
 */
TEST(shapes_split_one_address_everywhere)
{
	JQ_BATCH();
	static const char x86_32[] =
		"\nx86-32         x86 32-bit, 2 levels (non-PAE, 4-byte entries)";
	static const char split_32[] =
		"; folded: P4D, PUD, PMD; a kernel address\n"
		"  bits 31-22  PGD index 0x3ff\n"
		"  bits 21-12  PTE index 0x000\n"
		"  bits 11-0   page offset 0xabc\n";
	static const char too_wide[] =
		"\nx86-32         wider than 32 bits: no such address on this shape\n";
	static const char not_canonical[] =
		"\nx86-64         not canonical: bits 63-47 must all equal bit 47\n";
	static const char split_64_want[] =
		"PGD 47-39 0xff, PUD 38-30 0x1f5, PMD 29-21 0xf1, PTE 20-12 0x1a1";
	static const char pae[] = "\"\\(.translates) \\(.problem) \\(.split)\"";
	static const char split_64[] =
		".split | [.levels[] | \"\\(.level) \\(.bits_high)-\\(.bits_low) \\(.index_hex)\"]";
	static const char offset_64[] =
		".split | \"\\(.folded) \\(.offset.value_hex) \\(.offset.leaf_size)\"";
	char filter[256];
	struct result r;

	ASSERT_EQ(0, run_full(&r, 0, "VMLAB_DEVICE=/dev/no-vmlab", NULL,
			      (char *const[]){ VMLAB_BIN, "shapes", "0xffc00abc", NULL }));
	EXPECT_EQ(0, r.status) TH_LOG("%s", r.err);
	EXPECT_NE(NULL, strstr(r.out, x86_32)) TH_LOG("%s", r.out);
	EXPECT_NE(NULL, strstr(r.out, split_32)) TH_LOG("%s", r.out);
	EXPECT_NE(NULL, strstr(r.out, "  bits 31-30  PGD index 0x3\n"
				      "  bits 29-21  PMD index 0x1fe\n")) TH_LOG("%s", r.out);
	result_free(&r);

	ASSERT_EQ(0, vmlab(&r, "shapes 7ffd5e3a1abc"));
	EXPECT_EQ(0, r.status) TH_LOG("%s", r.err);
	EXPECT_NE(NULL, strstr(r.out, too_wide)) TH_LOG("%s", r.out);
	EXPECT_NE(NULL, strstr(r.out, "  bits 56-48  PGD index 0x000\n"
				      "  bits 47-39  P4D index 0x0ff\n")) TH_LOG("%s", r.out);
	EXPECT_NE(NULL, strstr(r.out, "leaves: PUD 1G offset 0x1e3a1abc, PMD 2M offset 0x1a1abc\n"))
		TH_LOG("%s", r.out);
	result_free(&r);

	/* the shapes in their order: x86-32, x86-pae, x86-64, x86-64-la57, then arm64's */
	ASSERT_EQ(0, vmlab(&r, "shapes --json 0x7ffd5e3a1abc"));
	EXPECT_EQ(0, r.status) TH_LOG("%s", r.err);
	EXPECT_JQ(r.out, ".addr_hex", "0x7ffd5e3a1abc");
	EXPECT_JQ(r.out, "[.shapes[:4][] | .name] | join(\" \")",
		  "x86-32 x86-pae x86-64 x86-64-la57");
	snprintf(filter, sizeof(filter), ".shapes[1] | %s", pae);
	EXPECT_JQ(r.out, filter, "false wider than 32 bits: no such address on this shape null");
	snprintf(filter, sizeof(filter), ".shapes[2] | %s | join(\", \")", split_64);
	EXPECT_JQ(r.out, filter, split_64_want);
	snprintf(filter, sizeof(filter), ".shapes[2] | %s", offset_64);
	EXPECT_JQ(r.out, filter, "[\"P4D\"] 0xabc 4096");
	EXPECT_JQ(r.out, ".shapes[3].split.levels[0] | \"\\(.bits_high)-\\(.bits_low)\"", "56-48");
	EXPECT_JQ(r.out, "[.shapes[] | select(.translates) | .name] | length", "6");
	result_free(&r);

	/* an address no shape translates: each shape's line, exit 1 */
	ASSERT_EQ(0, vmlab(&r, "shapes 0x0100000000000000"));
	EXPECT_EQ(1, r.status);
	EXPECT_NE(NULL, strstr(r.out, not_canonical)) TH_LOG("%s", r.out);
	result_free(&r);

	ASSERT_EQ(0, vmlab(&r, "shapes -s x86-pae c0001234"));
	EXPECT_EQ(0, r.status) TH_LOG("%s", r.err);
	EXPECT_EQ(7, count_lines(r.out)) TH_LOG("%s", r.out);
	result_free(&r);
}

/* a scan document of @shape (NULL: none named) with one leaf at @level, or none */
static int save_scan(const char *path, const char *shape, const char *level)
{
	static const char doc_fmt[] =
		"{\"pid\": 1, \"start\": 0, \"end\": 134217728, \"shape\": %s, \"runs\": [%s]}";
	static const char run_fmt[] =
		"{\"start\": 33554432, \"leaves\": 1, \"level\": \"%s\", %s%s}";
	static const char state[] = "\"verdict\": \"writable\", \"leaf_flags\": [\"present\"], ";
	static const char rest[] = "\"page_flags\": [], \"cache\": \"WB\", \"pfns\": [4096]";
	char doc[512], run[256] = "", name[64] = "null";
	int n;

	if (shape)
		snprintf(name, sizeof(name), "\"%s\"", shape);
	if (level)
		snprintf(run, sizeof(run), run_fmt, level, state, rest);
	n = snprintf(doc, sizeof(doc), doc_fmt, name, run);
	return n < 0 || (size_t)n >= sizeof(doc) ? -1 : save(path, doc, n);
}

/*
 * diff sizes a leaf by the shape its scans name, whichever kernel runs it:
 * a PGD leaf of x86-32 is 4 MiB, a PMD leaf of PAE 2 MiB, one of arm64's
 * 16 KiB granule 32 MiB of 16 KiB pages (x86-64's sizes where none is
 * named: older scans); scans of two shapes, or of one
 * it does not know, are refused; a scan names the running kernel's shape
 * (the one walk splits addresses on) and its page size.
 */
TEST_F(cli, diff_sizes_leaves_by_shape)
{
	JQ_BATCH();
	static const struct {
		const char *shape, *level, *want;
	} cases[] = {
		{ "x86-32", "PGD", "gone 1024 33554432 37748736" },
		{ "x86-pae", "PMD", "gone 512 33554432 35651584" },
		/* a leaf past the scan's end: only its pages within */
		{ "x86-64", "PUD", "gone 24576 33554432 134217728" },
		{ "arm64-16k", "PMD", "gone 2048 33554432 67108864" },
		{ NULL, "PMD", "gone 512 33554432 35651584" },
	};
	char old[64], new[64], want[64], *p = own_vma(1), *shape;
	struct result r;
	size_t i;

	snprintf(old, sizeof(old), "/tmp/cli-shape-old-%d", self->pid);
	snprintf(new, sizeof(new), "/tmp/cli-shape-new-%d", self->pid);
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		ASSERT_EQ(0, save_scan(old, cases[i].shape, cases[i].level));
		ASSERT_EQ(0, save_scan(new, cases[i].shape, NULL));
		ASSERT_EQ(0, vmlab(&r, "diff --json %s %s", old, new));
		EXPECT_EQ(0, r.status) TH_LOG("%s: %s", cases[i].shape, r.err);
		EXPECT_JQ(r.out, ".changes[] | \"\\(.change) \\(.pages) \\(.start) \\(.end)\"",
			  cases[i].want);
		result_free(&r);
	}

	ASSERT_EQ(0, save_scan(old, "x86-pae", "PMD"));
	ASSERT_EQ(0, save_scan(new, "x86-64", NULL));
	ASSERT_EQ(0, vmlab(&r, "diff %s %s", old, new));
	EXPECT_ONE_LINE_ERROR(&r, 1);
	EXPECT_NE(NULL, strstr(r.err, "is a scan of x86-pae,")) TH_LOG("%s", r.err);
	EXPECT_NE(NULL, strstr(r.err, "diff compares scans of one kernel")) TH_LOG("%s", r.err);
	result_free(&r);
	ASSERT_EQ(0, save_scan(new, "sparc-8k", NULL));
	ASSERT_EQ(0, vmlab(&r, "diff %s %s", old, new));
	EXPECT_ONE_LINE_ERROR(&r, 1);
	EXPECT_NE(NULL, strstr(r.err, "a page-table shape this vmlab does not know"))
		TH_LOG("%s", r.err);
	result_free(&r);
	unlink(old);
	unlink(new);

	ASSERT_NE(NULL, p);
	ASSERT_EQ(0, vmlab(&r, "walk --json -p %d %p", self->pid, p));
	ASSERT_EQ(0, r.status) TH_LOG("%s", r.err);
	shape = jq(r.out, ".walks[0].split.shape");
	result_free(&r);
	ASSERT_NE(NULL, shape);
	ASSERT_EQ(0, vmlab(&r, "scan --json -p %d %lx-%lx", self->pid, (unsigned long)p,
			   (unsigned long)p + PAGE));
	ASSERT_EQ(0, r.status) TH_LOG("%s", r.err);
	EXPECT_JQ(r.out, ".shape", shape);
	free(shape);
	snprintf(want, sizeof(want), "%ld", sysconf(_SC_PAGESIZE));
	EXPECT_JQ(r.out, ".page_size", want);
	result_free(&r);
	munmap(p - PAGE, 3 * PAGE);
}

/*
 * walk splits the address on the running kernel's shape: per level the
 * bits that index it, the same index as the kernel's walk (no MISMATCH),
 * then the page offset; its JSON says the kernel's indices agree.
 */
TEST_F(cli, walk_shows_the_address_split)
{
	JQ_BATCH();
	char *p = own_vma(1), want[128], bits[16];
	struct shape_bits pgd;
	struct vmlab_info info;
	struct result r;
	uintptr_t a;

	ASSERT_NE(NULL, p);
	ASSERT_EQ(0, vmlab_info(self->fd, &info));
	a = (uintptr_t)p + 0x123;
	p[0x123] = 1;
	ASSERT_EQ(0, vmlab(&r, "walk -p %d %#lx", self->pid, a));
	EXPECT_EQ(0, r.status) TH_LOG("%s", r.err);
	EXPECT_NE(NULL, strstr(r.out, "  address split on ")) TH_LOG("%s", r.out);
	EXPECT_EQ(NULL, strstr(r.out, "MISMATCH")) TH_LOG("%s", r.out);
	/*
	 * the PGD's line: "bits 56-48  PGD index 0x0ff" with LA57, "bits
	 * 51-48  PGD index 0x0" with arm64's LPA2, "bits 31-30  PGD index
	 * 0x1" with PAE (the test's own shape, vmlab_test.h)
	 */
	pgd = shape_level_of(info.pgtable_levels, VMLAB_LEVEL_PGD);
	snprintf(bits, sizeof(bits), "%u-%u", pgd.shift + pgd.bits - 1, pgd.shift);
	snprintf(want, sizeof(want), "    bits %-6s PGD index 0x%0*x\n", bits, (pgd.bits + 3) / 4,
		 shape_index(info.pgtable_levels, VMLAB_LEVEL_PGD, a));
	EXPECT_NE(NULL, strstr(r.out, want)) TH_LOG("no '%s' in %s", want, r.out);
	snprintf(bits, sizeof(bits), "%u-0", PAGE_SHIFT - 1);
	snprintf(want, sizeof(want), "    bits %-6s page offset 0x%0*x\n", bits,
		 (PAGE_SHIFT + 3) / 4, 0x123);
	EXPECT_NE(NULL, strstr(r.out, want)) TH_LOG("no '%s' in %s", want, r.out);
	result_free(&r);

	ASSERT_EQ(0, vmlab(&r, "walk --json -p %d %#lx", self->pid, a));
	EXPECT_EQ(0, r.status) TH_LOG("%s", r.err);
	EXPECT_JQ(r.out, ".walks[0].split.agrees", "true");
	snprintf(want, sizeof(want), "%u", info.pgtable_levels);
	EXPECT_JQ(r.out, ".walks[0].split.levels | length", want);
	EXPECT_JQ(r.out, "[.walks[0].split.levels[] | .index == .kernel_index] | all", "true");
	snprintf(want, sizeof(want), "0x123 %lu", PAGE);
	EXPECT_JQ(r.out, ".walks[0].split.offset | \"\\(.value_hex) \\(.leaf_size)\"", want);
	result_free(&r);
	munmap(p - PAGE, 3 * PAGE);
}

TEST_HARNESS_MAIN
