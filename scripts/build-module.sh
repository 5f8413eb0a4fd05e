#!/usr/bin/env bash
# build-module.sh K [MAKE-ARGS...] - build vmlab.ko for Debian kernel K (its
# headers fetched by fetch-kernel.sh) into $BUILD/K/module/vmlab.ko.
#
# The sources are copied to $BUILD/K/module so that builds for several
# kernels never share objects; 6.1 (its 32-bit kernels too) builds with the
# host's gcc (6.1-arm64 with its aarch64 cross gcc), the others in the sid
# chroot. Extra arguments go to kbuild (e.g. C=2 for sparse).
set -euo pipefail
. "$(dirname "$0")/lib.sh"

[ $# -ge 1 ] || die "usage: build-module.sh KERNEL [MAKE-ARGS...] (KERNEL: $ALL_KERNELS)"
K=$1
shift
check_kernel "$K"
load_kernel_env "$K" || die "kernel $K: build: run scripts/fetch-kernel.sh $K"

out=$BUILD/$K/module
mkdir -p "$out"
# refresh the copy (module/arch/ included); unchanged files keep their
# timestamps, so kbuild rebuilds only what changed
for d in module uapi; do
	mkdir -p "$out/$d"
	cp -rpu "$VMLAB_TOP/$d/." "$out/$d/"
done
cp -pu "$VMLAB_TOP/Kbuild" "$out/Kbuild"

# a 32-bit kernel's headers: ARCH=x86 lets their .config choose the width
# (the host's gcc adds -m32 itself); the default would be the host's x86_64.
# arm64's: the cross compiler of the same gcc (aarch64-linux-gnu-gcc-12 for
# bookworm's gcc-12; trixie's headers name aarch64-linux-gnu-gcc-14 already,
# sid's aarch64-linux-gnu-gcc-16)
cc=$KCC arch_args=()
case $(kernel_arch "$K") in
i386) arch_args=(ARCH=x86) ;;
arm64)
	cc=aarch64-linux-gnu-${KCC#aarch64-linux-gnu-}
	arch_args=(ARCH=arm64 CROSS_COMPILE=aarch64-linux-gnu-)
	;;
esac
args=(-C "$KDIR_COMMON" O="$KDIR_ARCH" M="$out" CC="$cc" KCFLAGS=-Werror "${arch_args[@]}" "$@")
if kernel_builds_on_host "$K"; then
	command -v "$cc" >/dev/null || die "kernel $K: build: $cc not found (scripts/deps.sh)"
	make -s "${args[@]}" modules
else
	# arm64's cross gcc of that version: trixie's 14 is in the chroot, sid's
	# 16 is added the first time a kernel asks for it
	need=
	[ "$(kernel_arch "$K")" = arm64 ] && need=${cc#aarch64-linux-gnu-}-aarch64-linux-gnu
	SID_CHROOT_NEED=$need "$VMLAB_TOP/scripts/sid-chroot.sh" run make -s "${args[@]}" modules
fi
[ -f "$out/vmlab.ko" ] || die "kernel $K: build: no vmlab.ko"
