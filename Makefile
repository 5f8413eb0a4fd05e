# SPDX-License-Identifier: GPL-2.0
#
# vmlab - top-level Makefile. The kernel module itself is described in Kbuild.
#
#   make              vmlab.ko for KDIR (default: the running kernel's headers
#                     if present, else Debian 6.1's) and the vmlab tool
#   make check        the host's unit tests (make unit), then the test suite
#                     in QEMU on KERNELS (default: lib.sh's DEFAULT_KERNELS;
#                     KERNELS=ci is what CI runs)
#   make unit         the host-side unit tests of the tool (userspace/test/)
#   make check-all    the same on every kernel and shape (KERNELS=all)
#   make bench        the benchmarks (bench/) in QEMU on KERNELS (or KERNEL;
#                     default: lib.sh's BENCH_KERNELS); tables in build/K/bench.txt
#                     and bench.json, kept with the commit in
#                     build/bench-history/; PERF=1 also profiles missed targets
#                     (build/K/perf.txt)
#   make bench-compare  each ratio of the newest stored bench run of each
#                     kernel (or KERNELS) against the run before
#   make demo         a VM with the module loaded running the guided lab
#   make pictures     the README's figures (a page-table tree after fork, an
#                     address space) drawn in a VM (KERNEL) into
#                     build/pictures, its host folder (VMLAB_SHARE) for the
#                     run, checked by xmllint and headless Chromium
#   make vm-shell     a shell in such a VM (KERNEL: lib.sh's DEMO_KERNEL by
#                     default)
#   make vm-run CMD=  boot such a VM, run CMD there (sh -c, in /host), print
#                     its output, power off; fails when CMD fails (run-vm.sh
#                     K run CMD exits with CMD's status)
#                     Every VM but the benchmarks' shares VMLAB_SHARE
#                     (default: lab/) at /host in the guest
#   make examples     the lectures' example programs (examples/, static; on
#                     PATH in every VM) with their sources and vmlab-example
#                     copied into the host folder's examples/
#   make static       the static binaries of the VMs' initramfs (build/static)
#   make static-i386  the same for the 32-bit kernels' VMs, as i386 binaries
#                     (gcc -m32, libc6-dev-i386) in build/static-i386
#   make static-arm64 the same for the arm64 kernels' VMs, cross-built
#                     (aarch64-linux-gnu-gcc) in build/static-arm64
#   make lint         checkpatch --strict, sparse and shellcheck
#   make install      the vmlab tool and vmlab.1 under $(DESTDIR)$(PREFIX)
#                     (PREFIX=/usr/local by default)
#   make clean        remove build outputs (the download cache stays)
#   make distclean    also remove the download cache (VMLAB_CACHE: kernels,
#                     chroot, headers), shared by every checkout of this user
#
# The kernel matrix and the cache's place are named in scripts/lib.sh only:
# KERNELS is passed on as given (a list, or "default", "ci", "all").

# lib_var NAME: the value of NAME in scripts/lib.sh
lib_var = $(shell bash -c '. "$(CURDIR)/scripts/lib.sh" && printf %s "$$$(1)"')

PREFIX ?= /usr/local
MANDIR ?= $(PREFIX)/share/man
KERNEL ?= $(call lib_var,DEMO_KERNEL)
ifeq ($(origin VMLAB_CACHE),undefined)
VMLAB_CACHE := $(call lib_var,CACHE)
endif
export VMLAB_CACHE
export VMLAB_BUILD ?= $(CURDIR)/build
CACHE := $(VMLAB_CACHE)
BUILD := $(VMLAB_BUILD)
KSFT := $(CACHE)/linux-source/selftests
CHECKPATCH := $(CACHE)/linux-source/scripts/checkpatch.pl

CC ?= gcc
CFLAGS ?= -O2 -g
WARN := -Wall -Wextra -Wno-unused-parameter
WERROR ?= -Werror
# every user-space object records the headers it read (-MMD -MP: a .d file
# beside it, included below), so an edited header rebuilds what uses it
DEPFLAGS = -MMD -MP -MF $(@:%.o=%.d) -MT $@
USER_CPPFLAGS := -Iuapi -Iuserspace/lib
# (static-i386 sets both to its own folders for its i386 build)
OBJ := $(BUILD)/obj
STATIC := $(BUILD)/static
LIBVMLAB := $(OBJ)/libvmlab.a
LIB_OBJS := $(patsubst %.c,$(OBJ)/%.o,$(wildcard userspace/lib/*.c))
TOOL_OBJS := $(patsubst %.c,$(OBJ)/%.o,$(wildcard userspace/*.c userspace/lab/*.c))
# bench shares the tool's JSON writer
JSON_OBJ := $(OBJ)/userspace/json.o
BENCH_OBJS := $(patsubst %.c,$(OBJ)/%.o,$(wildcard bench/*.c)) $(JSON_OBJ)
# the page-fault reader (userspace/pagefaults.c) reads tracefs through
# libtracefs and libtraceevent: Debian's libtracefs-dev and
# libtraceevent-dev, whose static libraries the VM's static tool links
TRACE_CFLAGS := -I/usr/include/tracefs -I/usr/include/traceevent
TRACE_LIBS := -ltracefs -ltraceevent
SELFTESTS := $(patsubst selftests/%.c,%,$(wildcard selftests/*.c))
SELFTEST_BINS := $(addprefix $(STATIC)/selftests/,$(SELFTESTS))
EXAMPLES := $(patsubst examples/%.c,%,$(wildcard examples/*.c))
EXAMPLE_BINS := $(addprefix $(STATIC)/examples/,$(EXAMPLES))
# the host folder the VMs share (run-vm.sh's default; empty: none)
SHARE := $(if $(filter undefined,$(origin VMLAB_SHARE)),$(CURDIR)/lab,$(VMLAB_SHARE))

RUNNING_KDIR := /lib/modules/$(shell uname -r)/build
KDIR ?= $(if $(wildcard $(RUNNING_KDIR)/Makefile),$(RUNNING_KDIR))

.PHONY: all module tools static static-i386 static-arm64 FORCE unit examples check check-all bench bench-compare \
	demo vm-shell vm-run pictures lint clean distclean install

all: module tools

ifneq ($(KDIR),)
module:
	$(MAKE) -C $(KDIR) M=$(CURDIR) modules
else
module:
	scripts/fetch-kernel.sh 6.1
	scripts/build-module.sh 6.1
	@echo "vmlab.ko for Debian 6.1: $(BUILD)/6.1/module/vmlab.ko"
endif

tools: $(BUILD)/host/vmlab

# libvmlab, the CLI and the benchmarks: objects compiled once, for the
# host's tool and the VM's static binaries alike; the CLI's own headers
# under userspace/, the runner's ivshmem.h beside the guest scripts
$(TOOL_OBJS) $(BENCH_OBJS): USER_CPPFLAGS += -Iuserspace -Iscripts/guest
$(OBJ)/userspace/pagefaults.o: USER_CPPFLAGS += $(TRACE_CFLAGS)
$(OBJ)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(WARN) $(WERROR) $(DEPFLAGS) $(USER_CPPFLAGS) -c -o $@ $<

$(LIBVMLAB): $(LIB_OBJS)
	rm -f $@
	$(AR) rcs $@ $^

$(BUILD)/host/vmlab: $(TOOL_OBJS) $(LIBVMLAB)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -o $@ $^ $(TRACE_LIBS)

# The compat-task test of the x86-64 VMs (the host's own build only, with
# a compiler for x86-64): the regions selftest built as an i386 binary by
# its rule below, in build/static-i386, run as a 32-bit task on the
# 64-bit kernel (IA32_EMULATION): it must reach every region, ids of 16
# and more too.
COMPAT32_BINS := $(if $(and $(filter $(BUILD)/static,$(STATIC)),\
	$(filter x86_64-%,$(shell $(CC) -dumpmachine 2>/dev/null))),\
	$(STATIC)/selftests/regions_compat32)

# Static binaries for the VM's initramfs: the tool, the benchmarks, the
# selftests, the lectures' example programs, vm-exit.
static: $(STATIC)/vmlab $(STATIC)/vmlab-bench $(STATIC)/vm-exit \
	$(STATIC)/as-nobody $(SELFTEST_BINS) $(EXAMPLE_BINS) $(COMPAT32_BINS)

# ... and for the 32-bit kernels' VMs (6.1-686, 6.1-686-pae): the same
# sources built as i386 binaries, their objects apart. libc6-dev-i386 has
# glibc's i386 headers; the kernel's <asm/*.h> (one set for both widths)
# are found, last, where linux-libc-dev put them for amd64. off_t is 64-bit
# (mmap2). The harness's ASSERT_NE(MAP_FAILED, p) casts a 32-bit pointer
# to intmax_t: that warning is the harness's, not ours.
I386_CC ?= $(CC) -m32 -idirafter /usr/include/x86_64-linux-gnu -D_FILE_OFFSET_BITS=64
# The tool's libtracefs and libtraceevent: Debian's i386 static libraries,
# unpacked into the cache by scripts/i386-libs.sh.
static-i386:
	libs=$$(scripts/i386-libs.sh) && \
	$(MAKE) static CC="$(I386_CC)" OBJ=$(BUILD)/obj-i386 STATIC=$(BUILD)/static-i386 \
		SELFTEST_WFLAGS=-Wno-pointer-to-int-cast TRACE_LIBS="-L$$libs $(TRACE_LIBS)"

# ... and for the arm64 kernels' VMs (6.1-arm64, 6.12-arm64, 6.12-arm64-16k,
# 7.2-arm64): aarch64 binaries from bookworm's cross gcc 12 and cross libc (gcc-aarch64-linux-gnu,
# libc6-dev-arm64-cross, whose <asm/*.h> are arm64's), libtracefs and
# libtraceevent from Debian's arm64 -dev packages (i386-libs.sh arm64).
ARM64_CC ?= aarch64-linux-gnu-gcc
static-arm64:
	libs=$$(scripts/i386-libs.sh arm64) && \
	$(MAKE) static CC="$(ARM64_CC)" AR=aarch64-linux-gnu-ar OBJ=$(BUILD)/obj-arm64 \
		STATIC=$(BUILD)/static-arm64 TRACE_LIBS="-L$$libs $(TRACE_LIBS)"

$(STATIC)/selftests/regions_compat32: FORCE
	$(MAKE) CC="$(I386_CC)" OBJ=$(BUILD)/obj-i386 STATIC=$(BUILD)/static-i386 \
		SELFTEST_WFLAGS=-Wno-pointer-to-int-cast $(BUILD)/static-i386/selftests/regions
	@mkdir -p $(dir $@)
	cp -p $(BUILD)/static-i386/selftests/regions $@

FORCE:

$(STATIC)/vmlab: $(TOOL_OBJS) $(LIBVMLAB)
	@mkdir -p $(dir $@)
	$(CC) -static $(CFLAGS) -o $@ $^ $(TRACE_LIBS)

$(STATIC)/vmlab-bench: $(BENCH_OBJS) $(LIBVMLAB)
	@mkdir -p $(dir $@)
	$(CC) -static $(CFLAGS) -o $@ $^

$(STATIC)/vm-exit $(STATIC)/as-nobody: $(STATIC)/%: scripts/guest/%.c
	@mkdir -p $(dir $@)
	$(CC) -static $(CFLAGS) $(WARN) -Werror -o $@ $<

# host-side unit tests of the tool's arithmetic (userspace/test/NAME.c, one
# program each, linked with the objects it tests): built and run on the host
# by "make unit", which "make check" runs first
UNIT_TESTS := $(patsubst userspace/test/%.c,$(BUILD)/host/test/%,$(wildcard userspace/test/*.c))
$(BUILD)/host/test/shapes: $(OBJ)/userspace/shapes.o $(LIBVMLAB)

$(BUILD)/host/test/%: userspace/test/%.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(WARN) $(WERROR) -MMD -MP -MF $@.d -MT $@ $(USER_CPPFLAGS) -Iuserspace \
		-o $@ $^

unit: $(UNIT_TESTS)
	@for t in $^; do $$t || exit 1; done

# the example programs (examples/, one program a file): static, for the VM,
# where initramfs.sh puts them on PATH; "make examples" also copies them
# with their sources and the runner into the host folder's examples/
$(EXAMPLE_BINS): $(STATIC)/examples/%: examples/%.c
	@mkdir -p $(dir $@)
	$(CC) -static $(CFLAGS) $(WARN) -Werror -o $@ $<

examples: $(EXAMPLE_BINS)
	$(if $(SHARE),mkdir -p $(SHARE)/examples && \
		cp $(EXAMPLE_BINS) examples/*.c scripts/guest/vmlab-example $(SHARE)/examples/ && \
		echo "examples: in $(SHARE)/examples (/host/examples in the VM)")

$(KSFT)/kselftest_harness.h:
	scripts/linux-source.sh

# the kselftest harness is built with -Wall only, as in the kernel tree;
# compiled and linked in one step, its headers recorded in $@.d
$(STATIC)/selftests/%: selftests/%.c $(LIBVMLAB) $(KSFT)/kselftest_harness.h
	@mkdir -p $(dir $@)
	$(CC) -static $(CFLAGS) -Wall -Werror $(SELFTEST_WFLAGS) -MMD -MP -MF $@.d -MT $@ $(USER_CPPFLAGS) \
		-Iscripts/guest -I$(KSFT) -o $@ $< $(LIBVMLAB)

-include $(LIB_OBJS:.o=.d) $(TOOL_OBJS:.o=.d) $(BENCH_OBJS:.o=.d) $(SELFTEST_BINS:=.d) \
	$(UNIT_TESTS:=.d)

# without KERNELS the scripts take lib.sh's default lists; the host's unit
# tests first
check: unit
	scripts/check.sh $(KERNELS)

check-all: unit
	scripts/check.sh all

# (PERF=1: profile the missed targets with perf in the guest; KERNEL=K,
# given as for make demo, is KERNELS=K)
bench:
	$(if $(filter 1,$(PERF)),VMLAB_PERF=1) scripts/bench.sh \
		$(or $(KERNELS),$(if $(filter-out file,$(origin KERNEL)),$(KERNEL)))

# each ratio of the newest stored bench run against the one before
bench-compare:
	scripts/bench-compare.sh $(KERNELS)

demo vm-shell: MODE = $(if $(filter demo,$@),demo,shell)
demo vm-shell:
	scripts/prepare-host.sh
	scripts/prepare-kernel.sh $(KERNEL)
	scripts/run-vm.sh $(KERNEL) $(MODE)

pictures:
	scripts/pictures.sh $(KERNEL)

# CMD reaches the script through the environment, untouched by make's
# expansion ($(value): "$HOME" stays "$HOME") or the shell's quoting; only
# CMD's output on stdout (the preparation's on stderr)
vm-run: export VMLAB_RUN_CMD = $(value CMD)
vm-run:
	@[ -n "$$VMLAB_RUN_CMD" ] || { echo 'usage: make vm-run [KERNEL=K] CMD="command line"' >&2; exit 2; }
	@scripts/prepare-host.sh >&2
	@scripts/prepare-kernel.sh $(KERNEL) >&2
	@scripts/run-vm.sh $(KERNEL) run "$$VMLAB_RUN_CMD"

lint:
	scripts/lint.sh

# the host's vmlab tool and its manual page (the module goes in with insmod)
install: tools
	install -D -m 0755 $(BUILD)/host/vmlab $(DESTDIR)$(PREFIX)/bin/vmlab
	install -D -m 0644 userspace/vmlab.1 $(DESTDIR)$(MANDIR)/man1/vmlab.1

clean:
	rm -rf $(BUILD)
	rm -f *.o *.ko *.mod *.mod.c .*.cmd Module.symvers modules.order module/*.o module/.*.cmd \
		module/arch/*.o module/arch/.*.cmd .checkpatch-camelcase.*

# the download cache, and .cache/, where it was kept before it moved out of
# the checkout
distclean: clean
	rm -rf $(CACHE) .cache

# Debian packages (debian/, dkms.conf) and a Debian system to test them in:
#   make deb          vmlab-dkms and vmlab .debs, .dsc, lintian in build/deb
#   make check-deb    install, use and purge them in Debian VMs booted with
#                     systemd (DEB_SUITES, default bookworm); TAP and counts in
#                     build/deb-SUITE
#   make image        a qcow2 for instructors (bookworm, vmlab installed, a
#                     student in group vmlab) in build/image
#   make image-run    print and run the QEMU command that boots it
DEB_SUITES ?= bookworm

.PHONY: deb check-deb image image-run

deb:
	scripts/deb-build.sh

check-deb: deb
	scripts/deb-test.sh $(DEB_SUITES)

image: deb
	scripts/deb-qcow2.sh

image-run:
	scripts/deb-qcow2-run.sh
