#!/usr/bin/env bash
# initramfs.sh K - pack the initramfs that boots kernel K's test VM:
# busybox-static, vmlab.ko built for K, the static vmlab tool, vmlab-bench,
# selftests and helpers, jq (and with VMLAB_PERF=1 perf) with their
# libraries, the 9p modules of the host folder (when fetch-kernel.sh found
# them for K), the disk modules (brd, zram, ext4: loaded on demand by
# modprobe, see below), the example programs (examples/) and the guest
# scripts. Writes $BUILD/K/initramfs.cpio.
#
# A 32-bit or arm64 kernel (kernel_arch i386, arm64) gets user space of its
# architecture: the binaries of "make static-ARCH", and busybox-static and jq
# (with its libraries) of Debian's ARCH packages, unpacked with dpkg-deb into
# $CACHE/guest-ARCH (fetched with the private apt configuration, once per
# version); an arm64 one also its console modules (fetch-kernel.sh).
set -euo pipefail
. "$(dirname "$0")/lib.sh"

[ $# -eq 1 ] || die "usage: initramfs.sh KERNEL"
K=$1
check_kernel "$K"
load_kernel_env "$K" || die "kernel $K: initramfs: run scripts/fetch-kernel.sh $K"
arch=$(kernel_arch "$K")
ko=$BUILD/$K/module/vmlab.ko
static=$(static_dir "$K")
[ -f "$ko" ] || die "kernel $K: initramfs: no $ko (run scripts/build-module.sh $K)"
make_static="make static"
[ "$arch" = amd64 ] || make_static="make static-$arch"
[ -x "$static/vmlab" ] || die "kernel $K: initramfs: no $static/vmlab (run $make_static)"

# guest_root ARCH: a folder holding Debian's ARCH packages of the guest's
# user space that the host's cannot serve (busybox-static, jq and the
# libraries it loads), unpacked (lib.sh's debian_unpack)
guest_root() {
	debian_unpack "$1" "$CACHE/guest-$1" busybox-static jq libjq1 libonig5 libc6 libgcc-s1
	echo "$CACHE/guest-$1/root"
}

if [ "$arch" = amd64 ]; then
	busybox=/bin/busybox
	if [ ! -x "$busybox" ] || readelf -d "$busybox" 2>/dev/null | grep NEEDED >/dev/null; then
		die "kernel $K: initramfs: $busybox is not busybox-static (apt-get install busybox-static)"
	fi
else
	[ "${VMLAB_PERF:-0}" = 1 ] && die "kernel $K: initramfs: no perf for $arch guests"
	groot=$(guest_root "$arch")
	busybox=$groot/bin/busybox
fi

root=$BUILD/$K/initramfs
rm -rf "$root"
mkdir -p "$root"/{bin,sbin,dev,proc,sys,tmp,root,etc,lib/modules,lib/vmlab/selftests,sys/kernel/debug}
cp "$busybox" "$root/bin/busybox"
for applet in $("$busybox" --list 2>/dev/null || /bin/busybox --list); do
	[ -e "$root/bin/$applet" ] || ln -s busybox "$root/bin/$applet"
done
mknod -m 600 "$root/dev/console" c 5 1
cp "$ko" "$root/lib/modules/vmlab.ko"
# the host folder's modules and their order (/init loads them), or an empty
# order: that kernel boots without the share
mkdir -p "$root/lib/modules/share"
share=$(kernel_dir "$K")/share
if [ -s "$share/order" ]; then
	cp "$share/order" "$share/"*.ko "$root/lib/modules/share/"
else
	: >"$root/lib/modules/share/order"
fi
# an arm64 kernel's console modules (the TAP's virtio console, see init):
# none when the kernel has them built in (trixie's), an empty order then
console=$(kernel_dir "$K")/console
if [ "$arch" = arm64 ]; then
	{ [ -f "$console/order" ] && [ ! -s "$console/absent" ]; } ||
		die "kernel $K: initramfs: no console modules (run scripts/fetch-kernel.sh $K)"
	mkdir -p "$root/lib/modules/console"
	cp "$console/order" "$root/lib/modules/console/"
	while read -r m; do
		cp "$console/$m.ko" "$root/lib/modules/console/"
	done <"$console/order"
fi
# the disk modules in /lib/modules/KREL with their modules.dep (depmod), so
# "modprobe brd rd_size=..." works as on an installed Debian system, and the
# kernel's own requests (crypto-crc32c) reach /sbin/modprobe; a kernel
# without them has an empty modules.dep and "absent" names what it lacks
krel_dir=$root/lib/modules/$KREL
mkdir -p "$krel_dir/kernel/disk"
ln -s ../bin/busybox "$root/sbin/modprobe"
disk=$(kernel_dir "$K")/disk
if [ -s "$disk/order" ]; then
	while read -r m; do
		cp "$disk/$m.ko" "$krel_dir/kernel/disk/"
		echo "kernel/disk/$m.ko" >>"$krel_dir/modules.order"
	done <"$disk/order"
	for f in modules.builtin modules.builtin.modinfo; do
		if [ -f "$disk/$f" ]; then cp "$disk/$f" "$krel_dir/"; else : >"$krel_dir/$f"; fi
	done
	depmod -b "$root" "$KREL" || die "kernel $K: initramfs: depmod failed"
else
	: >"$krel_dir/modules.dep"
fi
if [ -f "$disk/absent" ]; then
	cp "$disk/absent" "$krel_dir/absent"
else
	printf '%s\n' brd zram ext4 >"$krel_dir/absent"
fi
cp "$static/vmlab" "$static/vmlab-bench" "$static/vm-exit" "$static/as-nobody" "$root/bin/"
for t in "$static/selftests/"*; do
	[ -x "$t" ] && cp "$t" "$root/lib/vmlab/selftests/"
done
# with_libs BIN NAME: the dynamically linked BIN as /usr/bin/NAME, its
# libraries and the dynamic loader along
with_libs() {
	local lib
	mkdir -p "$root/usr/bin"
	cp "$1" "$root/usr/bin/$2"
	for lib in $(ldd "$1" | awk '/=> \//{print $3} /^\t\//{print $1}'); do
		mkdir -p "$root$(dirname "$lib")"
		cp -L "$lib" "$root$lib"
	done
}
# jq, the JSON parser the CLI's tests check --json output with: the host's,
# or for i386 guests Debian's i386 one with the whole of its unpacked
# libraries (ldd cannot read them on the host)
if [ "$arch" = amd64 ]; then
	jq=/usr/bin/jq
	[ -x "$jq" ] || die "kernel $K: initramfs: no $jq (apt-get install jq)"
	with_libs "$jq" jq
else
	mkdir -p "$root/usr/bin"
	cp "$groot/usr/bin/jq" "$root/usr/bin/jq"
	(cd "$groot" && find lib usr/lib -name '*.so*' ! -path '*/gconv/*' -print0 2>/dev/null |
		cpio --quiet -0 -pdm "$root") || die "kernel $K: initramfs: cannot copy jq's libraries"
fi
# perf, to profile the benchmarks, only when asked for (VMLAB_PERF=1)
if [ "${VMLAB_PERF:-0}" = 1 ]; then
	with_libs "$("$VMLAB_TOP/scripts/fetch-perf.sh")" perf
fi
cp "$VMLAB_TOP/scripts/guest/init" "$root/init"
cp "$VMLAB_TOP/scripts/guest/vmlab-disk" "$VMLAB_TOP/scripts/guest/vmlab-example" "$root/bin/"
# the lectures' example programs on PATH, their sources beside the scripts
mkdir -p "$root/lib/vmlab/examples"
for e in "$static/examples/"*; do
	[ -x "$e" ] && cp "$e" "$root/bin/"
done
cp "$VMLAB_TOP/examples/"*.c "$root/lib/vmlab/examples/"
cp "$VMLAB_TOP/scripts/guest/run-tests" "$VMLAB_TOP/scripts/guest/run-bench" \
	"$VMLAB_TOP/scripts/guest/demo" "$root/lib/vmlab/"
printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n' >"$root/etc/passwd"
printf 'root:x:0:\nnogroup:x:65534:\n' >"$root/etc/group"
printf 'export PATH=/bin:/sbin\nPS1="vmlab:\\w# "\n' >"$root/etc/profile"
(cd "$root" && find . | LC_ALL=C sort | cpio --quiet -o -H newc) >"$BUILD/$K/initramfs.cpio"
