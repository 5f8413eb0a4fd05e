/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vmlab_test.h - the helpers every vmlab selftest may share: raw ioctls
 * that return errno, /proc/PID/pagemap and the checks of a walk against it,
 * small files in /proc and /sys, THP's switch, hugetlb reservations,
 * aligned anonymous memory, a child parked until released, and loading,
 * unloading and configuring vmlab.ko itself.
 */
#ifndef VMLAB_TEST_H
#define VMLAB_TEST_H

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "libvmlab.h"

/*
 * The running kernel's page size (4 KiB, 16 KiB on arm64-16k), read once:
 * a value, not a constant (an array sized by it is a VLA, a static one
 * takes a size of its own)
 */
static inline unsigned long vmlab_page_size(void)
{
	static unsigned long size;

	if (!size)
		size = sysconf(_SC_PAGESIZE);
	return size;
}

#define PAGE		vmlab_page_size()
#define PAGE_SHIFT	((unsigned int)__builtin_ctzl(PAGE))
/* the smallest page size of the kernels the tests run on, for a constant bound */
#define PAGE_MIN	4096UL
#define SZ_2M		(2UL << 20)
#define SZ_1G		(1UL << 30)

/* the uid and gid of nobody, for the tests that drop privileges */
#define NOBODY		65534

#define PAGEMAP_PRESENT		(1ULL << 63)
#define PAGEMAP_SWAP		(1ULL << 62)
#define PAGEMAP_PFN_MASK	((1ULL << 55) - 1)
#define PAGEMAP_SOFT_DIRTY	(1ULL << 55)

#define PARAM_DIR	"/sys/module/vmlab/parameters/"

/*
 * Whether the kernel's user data PTEs carry NX (VMLAB_PTE_NOEXEC), by its
 * paging levels: x86-64 (4, 5) yes; 2-level 32-bit x86 has no NX bit; the
 * PAE kernels (3) lose it: vm_get_page_prot() (arch/x86/mm/pgprot.c, 6.1
 * to 6.12 at least) computes a protection in an unsigned long, 32 bits
 * there, and _PAGE_NX is bit 63 (measured on Debian's 6.1 686-pae with "NX
 * (Execute Disable) protection: active": no user PTE had it).
 */
static inline bool user_ptes_have_nx(const struct vmlab_info *info)
{
	return info->pgtable_levels >= 4;
}

/* ioctl(@fd, @cmd, @arg): 0 or the errno */
static inline int ioctl_errno(int fd, unsigned long cmd, void *arg)
{
	return ioctl(fd, cmd, arg) ? errno : 0;
}

/* a raw REGION_CREATE request of @kind and @length, all else zero */
static inline struct vmlab_region_create raw_create(__u32 kind, __u64 length)
{
	struct vmlab_region_create rc;

	memset(&rc, 0, sizeof(rc));
	rc.size = sizeof(rc);
	rc.kind = kind;
	rc.length = length;
	return rc;
}

/* the /proc/PID/pagemap entry of @addr (PID 0: self); 0 on failure */
static inline uint64_t pagemap_entry(int pid, const void *addr)
{
	char path[64];
	uint64_t ent = 0;
	int fd;

	if (pid)
		snprintf(path, sizeof(path), "/proc/%d/pagemap", pid);
	else
		snprintf(path, sizeof(path), "/proc/self/pagemap");
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	if (pread(fd, &ent, sizeof(ent), (uintptr_t)addr / PAGE * sizeof(ent)) !=
	    sizeof(ent))
		ent = 0;
	close(fd);
	return ent;
}

/* the PFN mapped at @addr in this process, 0 if nothing is present */
static inline uint64_t pfn_of(const void *addr)
{
	uint64_t e = pagemap_entry(0, addr);

	return (e & PAGEMAP_PRESENT) ? (e & PAGEMAP_PFN_MASK) : 0;
}

/* the PFN pagemap should show for @w's address, from the walk of it */
static inline uint64_t walk_addr_pfn(const struct vmlab_walk *w)
{
	return w->pfn + ((w->addr & (w->leaf_size - 1)) >> PAGE_SHIFT);
}

/*
 * Checks every walk of ours must pass: pagemap agrees on presence and,
 * unless hidden, on the PFN; the leaf's level exists in this kernel's
 * paging.
 */
#define EXPECT_MATCHES_PAGEMAP(w) do {						\
	const struct vmlab_walk *_w = &(w);					\
	uint64_t pm = pagemap_entry(0, (void *)(uintptr_t)_w->addr);		\
	int present = !!(_w->leaf_flags & VMLAB_PTE_PRESENT);			\
	EXPECT_EQ(!!(pm & PAGEMAP_PRESENT), present);				\
	if (present && !(_w->walk_flags & VMLAB_WALK_PFN_HIDDEN))		\
		EXPECT_EQ(pm & PAGEMAP_PFN_MASK, walk_addr_pfn(_w));		\
	EXPECT_TRUE(_w->valid_levels & (1u << _w->leaf_level));			\
} while (0)

/* the first line of @path into @buf; -1 when it cannot be read */
static inline int read_line(const char *path, char *buf, size_t size)
{
	FILE *f = fopen(path, "re");
	int ret = -1;

	if (!f)
		return -1;
	if (fgets(buf, size, f)) {
		buf[strcspn(buf, "\n")] = '\0';
		ret = 0;
	}
	fclose(f);
	return ret;
}

/* writes @val to the file @path; 0 or -1 */
static inline int write_str(const char *path, const char *val)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = write(fd, val, strlen(val));
	close(fd);
	return n == (ssize_t)strlen(val) ? 0 : -1;
}

/*
 * Whether THP allows PMD faults in a VMA with MADV_HUGEPAGE; when not, and
 * @why is not NULL, the reason in @why.
 */
static inline bool thp_enabled(char *why, size_t len)
{
	char line[256];

	if (read_line("/sys/kernel/mm/transparent_hugepage/enabled", line, sizeof(line))) {
		if (why)
			snprintf(why, len,
				 "no /sys/kernel/mm/transparent_hugepage: THP not built in");
		return false;
	}
	if (strstr(line, "[never]")) {
		if (why)
			snprintf(why, len, "THP is disabled: enabled is '%s'", line);
		return false;
	}
	return true;
}

/*
 * The size of a PMD-level THP: transparent_hugepage/hpage_pmd_size (2 MiB;
 * 4 MiB on 2-level 32-bit x86), 2 MiB where the file is missing.
 */
static inline unsigned long thp_size(void)
{
	char line[64];

	if (read_line("/sys/kernel/mm/transparent_hugepage/hpage_pmd_size", line, sizeof(line)))
		return SZ_2M;
	return strtoul(line, NULL, 10);
}

/*
 * The level a walk reports a PMD-sized huge leaf at: the PMD, or on two
 * levels (32-bit x86 without PAE, the PMD folded) the PGD entry standing
 * for it.
 */
static inline unsigned int pmd_leaf_level(const struct vmlab_info *info)
{
	return info->pgtable_levels == 2 ? VMLAB_LEVEL_PGD : VMLAB_LEVEL_PMD;
}

/* touches @len bytes at @p a page at a time: writes when @write, else reads */
static inline void touch(void *p, size_t len, int write)
{
	volatile char *c = p;
	size_t i;

	for (i = 0; i < len; i += PAGE) {
		if (write)
			c[i] = 1;
		else
			(void)c[i];
	}
}

/* @len bytes of anonymous memory aligned to @align (a power of two) */
static inline void *map_aligned(size_t len, size_t align, int prot, int flags)
{
	char *p = mmap(NULL, len + align, prot, flags | MAP_ANONYMOUS, -1, 0);
	uintptr_t a;

	if (p == MAP_FAILED)
		return p;
	a = ((uintptr_t)p + align - 1) & ~(align - 1);
	if (a > (uintptr_t)p)
		munmap(p, a - (uintptr_t)p);
	munmap((char *)a + len, (uintptr_t)p + align - a);
	return (void *)a;
}

/* Reserves @nr hugetlb pages of @kb; returns the old count, or -1. */
static inline long hugetlb_reserve(unsigned long kb, long nr)
{
	char path[128], line[64], val[32];
	long old;

	snprintf(path, sizeof(path), "/sys/kernel/mm/hugepages/hugepages-%lukB/nr_hugepages", kb);
	if (read_line(path, line, sizeof(line)))
		return -1;
	old = atol(line);
	snprintf(val, sizeof(val), "%ld", nr);
	if (write_str(path, val) || read_line(path, line, sizeof(line)) || atol(line) < nr) {
		snprintf(val, sizeof(val), "%ld", old);
		write_str(path, val);
		return -1;
	}
	return old;
}

static inline void hugetlb_restore(unsigned long kb, long old)
{
	char path[128], val[32];

	snprintf(path, sizeof(path), "/sys/kernel/mm/hugepages/hugepages-%lukB/nr_hugepages", kb);
	snprintf(val, sizeof(val), "%ld", old);
	write_str(path, val);
}

/*
 * Pins this process, and the children it forks, to CPU 0 (the COW tests):
 * a page just faulted in sits in its CPU's LRU batch (a reference) until
 * drained, and a write fault drains only its own CPU's batch before it
 * decides to reuse or copy. On one CPU, that is the batch holding our
 * pages, and the reuse the verdict predicts happens. 0 or -1.
 */
static inline int pin_to_cpu0(void)
{
	cpu_set_t cpu0;

	CPU_ZERO(&cpu0);
	CPU_SET(0, &cpu0);
	return sched_setaffinity(0, sizeof(cpu0), &cpu0);
}

/* waits for one byte on @fd (a pipe from another process); 0 or -1 */
static inline int wait_byte(int fd)
{
	char c;

	return read(fd, &c, 1) == 1 ? 0 : -1;
}

/*
 * Forks a child that reads the byte at @touch (unless NULL: its own fault,
 * if it is not mapped yet), then stays until the test closes *@release (or
 * dies: it gets SIGKILL then) and exits 0. Returns its pid once it has
 * touched, -1 on failure; the caller closes *@release and reaps it.
 */
static inline pid_t fork_parked(const volatile char *touch, int *release)
{
	int ready[2], done[2];
	pid_t pid;

	if (pipe(ready))
		return -1;
	if (pipe(done)) {
		close(ready[0]);
		close(ready[1]);
		return -1;
	}
	pid = fork();
	if (pid == 0) {
		close(ready[0]);
		close(done[1]);
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (touch)
			(void)*touch;
		if (write(ready[1], "r", 1) != 1)
			_exit(1);
		wait_byte(done[0]);
		_exit(0);
	}
	close(ready[1]);
	close(done[0]);
	if (pid > 0 && wait_byte(ready[0])) {
		waitpid(pid, NULL, 0);
		pid = -1;
	}
	close(ready[0]);
	if (pid < 0)
		close(done[1]);
	else
		*release = done[1];
	return pid;
}

/*
 * The tests that reload vmlab.ko (a parameter, unload while open, unload
 * with regions): the VM's runner names the module file in VMLAB_KO.
 */

/* finit_module(2) of @ko with @params: 0 or the errno */
static inline int load_module(const char *ko, const char *params)
{
	int fd = open(ko, O_RDONLY | O_CLOEXEC), ret;

	if (fd < 0)
		return errno;
	ret = syscall(SYS_finit_module, fd, params, 0) ? errno : 0;
	close(fd);
	return ret;
}

/* delete_module(2) of vmlab, not waiting: 0 or the errno (EWOULDBLOCK in use) */
static inline int unload_module(void)
{
	return syscall(SYS_delete_module, "vmlab", O_NONBLOCK) ? errno : 0;
}

/* reads module parameter @name; -1 on error */
static inline long param_read(const char *name)
{
	char path[128], line[32];

	snprintf(path, sizeof(path), PARAM_DIR "%s", name);
	if (read_line(path, line, sizeof(line)))
		return -1;
	return strtol(line, NULL, 10);
}

/* writes module parameter @name; 0 or -1 */
static inline int param_write(const char *name, long val)
{
	char path[128], buf[32];

	snprintf(path, sizeof(path), PARAM_DIR "%s", name);
	snprintf(buf, sizeof(buf), "%ld\n", val);
	return write_str(path, buf);
}

/*
 * Makes /dev/vmlab 0666 for a test whose children drop to nobody before
 * they open it (the rights are the opener's), its mode saved in @old for
 * the teardown's chmod(); 0 or -1.
 */
static inline int node_open_to_all(mode_t *old)
{
	struct stat st;

	if (stat(VMLAB_DEVICE, &st))
		return -1;
	*old = st.st_mode & 07777;
	return chmod(VMLAB_DEVICE, 0666);
}

/*
 * Runs @fn in a child that dropped to nobody (no groups, no capabilities);
 * returns its exit status (0 when every check in it held, else its own
 * code, to say which), or -1. A process that changed its uid is not
 * dumpable, and no one without CAP_SYS_PTRACE may attach to it or to its
 * children: an exec would undo that (as-nobody's does), here prctl does.
 */
static inline int as_nobody(int (*fn)(void))
{
	int status;
	pid_t pid = fork();

	if (pid == 0) {
		if (setgroups(0, NULL) || setgid(NOBODY) || setuid(NOBODY) ||
		    prctl(PR_SET_DUMPABLE, 1))
			_exit(100);
		_exit(fn());
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

/*
 * The paging shape of INFO's @levels on the architecture the tests are
 * built for (the tests' own numbers, from the kernels' PGDIR_SHIFT and
 * PTRS_PER_*; userspace/shapes.c holds the tool's):
 *  - x86: 2 levels (32-bit), 3 (PAE), 4 or 5 (x86-64, LA57: a PGD of 512
 *    entries indexed by bits 56-48);
 *  - arm64 with 4 KiB pages: 4 levels (48-bit VAs) or 5 (52-bit VAs with
 *    LPA2: a PGD of 16 entries indexed by bits 51-48); with 16 KiB pages 3
 *    (47-bit) or 4 (52-bit with LPA2: a PGD of 32 entries, bits 51-47).
 * shape_level_of(): where @level's index lies in an address (bits 0: the
 * level is folded); shape_valid(): the levels that have tables (the walk's
 * valid_levels); shape_index(): the index of address @a at @level (0 at a
 * folded level); shape_lpa2(): arm64's 52-bit shape, which stores output
 * address bits 51-50 in descriptor bits 9-8.
 */
struct shape_bits {
	unsigned char shift;	/* the lowest address bit of the index */
	unsigned char bits;	/* its width; 0 at a folded level */
};

static inline struct shape_bits shape_level_of(unsigned int levels, unsigned int level)
{
#ifdef __aarch64__
	static const struct shape_bits k4[2][VMLAB_NR_LEVELS] = {
		{ { 39, 9 }, { 0, 0 }, { 30, 9 }, { 21, 9 }, { 12, 9 } },	/* 4 levels */
		{ { 48, 4 }, { 39, 9 }, { 30, 9 }, { 21, 9 }, { 12, 9 } },	/* 5: LPA2 */
	};
	static const struct shape_bits k16[2][VMLAB_NR_LEVELS] = {
		{ { 36, 11 }, { 0, 0 }, { 0, 0 }, { 25, 11 }, { 14, 11 } },	/* 3 levels */
		{ { 47, 5 }, { 0, 0 }, { 36, 11 }, { 25, 11 }, { 14, 11 } },	/* 4: LPA2 */
	};

	if (sysconf(_SC_PAGESIZE) == 16384)
		return k16[levels == 4][level];
	return k4[levels == 5][level];
#else
	static const struct shape_bits x86[4][VMLAB_NR_LEVELS] = {
		{ { 22, 10 }, { 0, 0 }, { 0, 0 }, { 0, 0 }, { 12, 10 } },	/* 2 levels */
		{ { 30, 2 }, { 0, 0 }, { 0, 0 }, { 21, 9 }, { 12, 9 } },	/* 3: PAE */
		{ { 39, 9 }, { 0, 0 }, { 30, 9 }, { 21, 9 }, { 12, 9 } },	/* 4 */
		{ { 48, 9 }, { 39, 9 }, { 30, 9 }, { 21, 9 }, { 12, 9 } },	/* 5: LA57 */
	};

	return x86[levels < 2 ? 0 : levels > 5 ? 3 : levels - 2][level];
#endif
}

static inline uint32_t shape_valid(unsigned int levels)
{
	uint32_t valid = 0;
	unsigned int l;

	for (l = VMLAB_LEVEL_PGD; l <= VMLAB_LEVEL_PTE; l++)
		if (shape_level_of(levels, l).bits)
			valid |= 1u << l;
	return valid;
}

static inline uint32_t shape_index(unsigned int levels, unsigned int level, uint64_t a)
{
	struct shape_bits b = shape_level_of(levels, level);

	return (a >> b.shift) & ((1u << b.bits) - 1);
}

static inline bool shape_lpa2(unsigned int levels)
{
#ifdef __aarch64__
	return levels == (sysconf(_SC_PAGESIZE) == 16384 ? 4 : 5);
#else
	return false;
#endif
}

/*
 * Whether the shape has PUD leaves (1 GiB): x86-64 (4 and 5 levels) and
 * arm64 with 4 KiB pages; not 32-bit x86, and not arm64 with 16 KiB pages,
 * whose 1 GiB hugetlb pages are 32 contiguous PMD blocks of 32 MiB.
 */
static inline bool shape_has_pud_leaf(unsigned int levels)
{
#ifdef __aarch64__
	return PAGE == 4096;
#else
	return levels >= 4;
#endif
}

/*
 * The end of user space, the first address a walk refuses (3 GiB: Debian's
 * 32-bit kernels split at PAGE_OFFSET 0xc0000000; x86-64 keeps its last page
 * out; arm64's is TASK_SIZE, 2^VA_BITS, all of it user space: 48 bits with 4
 * KiB pages and 4 levels, 47 with 16 KiB and 3, 52 with LPA2).
 */
static inline uint64_t shape_user_end(unsigned int levels)
{
#ifdef __aarch64__
	if (shape_lpa2(levels))
		return 1ULL << 52;
	return levels == 3 ? 1ULL << 47 : 1ULL << 48;
#else
	if (levels <= 3)
		return 0xc0000000ULL;
	return (levels == 5 ? 1ULL << 56 : 1ULL << 47) - 4096;
#endif
}

/*
 * Where an mmap without a hint above it ends (the kernel's
 * DEFAULT_MAP_WINDOW): the end of the shape without its fifth level (x86-64:
 * 2^47; arm64 with 4 KiB pages: 2^48, with 16 KiB pages 2^47). With a fifth
 * level only a hint reaches beyond, through a top-level entry other than 0
 * on arm64, a P4D entry above 255 on x86-64.
 */
static inline uint64_t shape_map_window(void)
{
#ifdef __aarch64__
	return sysconf(_SC_PAGESIZE) == 16384 ? 1ULL << 47 : 1ULL << 48;
#else
	return 1ULL << 47;
#endif
}

/* arm64's stage-1 descriptor bits the tests read (arm64.c, contpte.c) */
#define D_VALID		(1ULL << 0)
#define D_PAGE		(1ULL << 1)	/* at the last level: a page, not reserved */
#define D_USER		(1ULL << 6)	/* AP[1] */
#define D_RDONLY	(1ULL << 7)	/* AP[2] */
#define D_AF		(1ULL << 10)
#define D_NG		(1ULL << 11)
#define D_DBM		(1ULL << 51)
#define D_CONT		(1ULL << 52)
#define D_UXN		(1ULL << 54)
#define D_SW_DIRTY	(1ULL << 55)

static inline bool is_arm64(void)
{
#ifdef __aarch64__
	return true;
#else
	return false;
#endif
}

/* a descriptor's hardware or software dirty state: DBM with AP[2] clear, or bit 55 */
static inline bool desc_dirty(uint64_t d)
{
	return (d & D_SW_DIRTY) || ((d & D_DBM) && !(d & D_RDONLY));
}

/*
 * The bits of an entry that hold a physical address: 12 to 51 on x86 (PAE,
 * x86-64); 12 to 49 on arm64, where bit 51 is DBM (the kernel's writable)
 * and 50 to 63 hold more attributes, and with LPA2 also 8 and 9 (address
 * bits 51 and 50; the shareability field without LPA2).
 */
static inline uint64_t shape_pa_mask(unsigned int levels)
{
#ifdef __aarch64__
	return 0x0003fffffffff000ULL | (shape_lpa2(levels) ? 0x300ULL : 0);
#else
	return 0x000ffffffffff000ULL;
#endif
}

#endif /* VMLAB_TEST_H */
