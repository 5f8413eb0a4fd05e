# SPDX-License-Identifier: GPL-2.0
#
# vmlab - top-level Makefile. The kernel module itself is described in Kbuild.
#
#   make              vmlab.ko for KDIR (default: the running kernel's headers
#                     if present, else Debian 6.1's) and the vmlab tool
#   make check        the test suite in QEMU on KERNELS (default: 6.1 6.12 7.2)
#   make bench        the benchmarks (bench/) in QEMU on KERNELS (default here:
#                     6.12); tables in build/K/bench.txt and bench.json;
#                     PERF=1 also profiles missed targets (build/K/perf.txt)
#   make demo         a VM with the module loaded running the guided lab
#   make vm-shell     a shell in such a VM (KERNEL=6.12 by default)
#   make lint         checkpatch --strict and sparse on the kernel code
#   make install      the vmlab tool and vmlab.1 under $(DESTDIR)$(PREFIX)
#                     (PREFIX=/usr/local by default)
#   make clean        remove build outputs (the download cache stays)
#   make distclean    also remove downloaded kernels, chroot and headers

KERNELS ?= 6.1 6.12 7.2
PREFIX ?= /usr/local
MANDIR ?= $(PREFIX)/share/man
KERNEL ?= 6.12
export VMLAB_CACHE ?= $(CURDIR)/.cache
export VMLAB_BUILD ?= $(CURDIR)/build
CACHE := $(VMLAB_CACHE)
BUILD := $(VMLAB_BUILD)
KSFT := $(CACHE)/linux-source/selftests
CHECKPATCH := $(CACHE)/linux-source/scripts/checkpatch.pl

CC ?= gcc
CFLAGS ?= -O2 -g
WARN := -Wall -Wextra -Wno-unused-parameter
USER_CPPFLAGS := -I$(CURDIR)/uapi -I$(CURDIR)/userspace/lib
LIB_SRCS := $(wildcard userspace/lib/*.c)
LIB_HDRS := $(wildcard userspace/lib/*.h) uapi/linux/vmlab.h
TOOL_SRCS := $(wildcard userspace/*.c)
SELFTESTS := $(patsubst selftests/%.c,%,$(wildcard selftests/*.c))
SELFTEST_HDRS := $(wildcard selftests/*.h)
BENCH_SRCS := $(wildcard bench/*.c)
BENCH_HDRS := $(wildcard bench/*.h)

RUNNING_KDIR := /lib/modules/$(shell uname -r)/build
KDIR ?= $(if $(wildcard $(RUNNING_KDIR)/Makefile),$(RUNNING_KDIR))

.PHONY: all module tools static check bench demo vm-shell lint clean distclean install

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

$(BUILD)/host/vmlab: $(TOOL_SRCS) $(LIB_SRCS) $(LIB_HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(WARN) $(USER_CPPFLAGS) -o $@ $(TOOL_SRCS) $(LIB_SRCS)

# Static binaries for the VM's initramfs: the tool, the benchmarks, the
# selftests, vm-exit.
static: $(BUILD)/static/vmlab $(BUILD)/static/vmlab-bench $(BUILD)/static/vm-exit \
	$(BUILD)/static/as-nobody $(addprefix $(BUILD)/static/selftests/,$(SELFTESTS))

$(BUILD)/static/vmlab: $(TOOL_SRCS) $(LIB_SRCS) $(LIB_HDRS)
	@mkdir -p $(dir $@)
	$(CC) -static $(CFLAGS) $(WARN) -Werror $(USER_CPPFLAGS) -o $@ $(TOOL_SRCS) $(LIB_SRCS)

$(BUILD)/static/vmlab-bench: $(BENCH_SRCS) $(BENCH_HDRS) $(LIB_SRCS) $(LIB_HDRS)
	@mkdir -p $(dir $@)
	$(CC) -static $(CFLAGS) $(WARN) -Werror $(USER_CPPFLAGS) -o $@ $(BENCH_SRCS) $(LIB_SRCS)

$(BUILD)/static/vm-exit $(BUILD)/static/as-nobody: $(BUILD)/static/%: scripts/guest/%.c
	@mkdir -p $(dir $@)
	$(CC) -static $(CFLAGS) $(WARN) -Werror -o $@ $<

$(KSFT)/kselftest_harness.h:
	scripts/linux-source.sh

# the kselftest harness is built with -Wall only, as in the kernel tree
$(BUILD)/static/selftests/%: selftests/%.c $(LIB_SRCS) $(LIB_HDRS) $(SELFTEST_HDRS) \
		$(KSFT)/kselftest_harness.h
	@mkdir -p $(dir $@)
	$(CC) -static $(CFLAGS) -Wall -Werror $(USER_CPPFLAGS) -I$(KSFT) -o $@ $< $(LIB_SRCS)

check:
	scripts/check.sh $(KERNELS)

# one kernel unless KERNELS is given on the command line or in the environment
# (PERF=1: profile the missed targets with perf in the guest)
bench:
	$(if $(filter 1,$(PERF)),VMLAB_PERF=1) \
		scripts/bench.sh $(if $(filter command line environment,$(origin KERNELS)),$(KERNELS),6.12)

demo vm-shell: MODE = $(if $(filter demo,$@),demo,shell)
demo vm-shell:
	scripts/deps.sh
	$(MAKE) -s static
	scripts/fetch-kernel.sh $(KERNEL)
	scripts/build-module.sh $(KERNEL)
	scripts/initramfs.sh $(KERNEL)
	scripts/run-vm.sh $(KERNEL) $(MODE)

lint:
	scripts/lint.sh

# the host's vmlab tool and its manual page (the module goes in with insmod)
install: tools
	install -D -m 0755 $(BUILD)/host/vmlab $(DESTDIR)$(PREFIX)/bin/vmlab
	install -D -m 0644 userspace/vmlab.1 $(DESTDIR)$(MANDIR)/man1/vmlab.1

clean:
	rm -rf $(BUILD)
	rm -f *.o *.ko *.mod *.mod.c .*.cmd Module.symvers modules.order module/*.o module/.*.cmd

distclean: clean
	rm -rf $(CACHE)

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
