#!/usr/bin/env bash
# prepare-kernel.sh K - everything kernel K's VM needs before it boots:
# fetch the kernel (fetch-kernel.sh, or debug-kernel.sh for a debug one), build
# vmlab.ko for it (build-module.sh) and pack its initramfs (initramfs.sh)
# from the static binaries prepare-host.sh built (for a 32-bit or arm64
# kernel, their i386 or arm64 builds, made here). Prints each phase's
# seconds. Exits 0 when K is ready to boot (run-vm.sh K MODE), else 3 when
# the fetch failed, 4 the build, 5 the initramfs (1: a bad argument).
# Called by check.sh, bench.sh and "make demo" / "make vm-shell".
set -uo pipefail
. "$(dirname "$0")/lib.sh"

[ $# -eq 1 ] || die "usage: prepare-kernel.sh KERNEL (one of: $ALL_KERNELS)"
K=$1
check_kernel "$K"

phase "$K fetch" "$VMLAB_TOP/scripts/fetch-kernel.sh" "$K" || exit 3
phase "$K build" "$VMLAB_TOP/scripts/build-module.sh" "$K" || exit 4
# a 32-bit or arm64 kernel's user space: i386 or arm64 builds of what
# prepare-host.sh built
arch=$(kernel_arch "$K")
if [ "$arch" != amd64 ]; then
	phase "$K $arch tools" make -s -C "$VMLAB_TOP" "static-$arch" || exit 5
fi
phase "$K initramfs" "$VMLAB_TOP/scripts/initramfs.sh" "$K" || exit 5
