#!/usr/bin/env bash
# debug-kernel.sh - build (once) the vmlab debug kernel into
# $CACHE/kernels/debug: Debian's linux-source-6.12, "make tinyconfig" plus
# scripts/debug.config (KASAN, lockdep, DEBUG_VM, PAGE_TABLE_CHECK, kmemleak,
# UBSAN, KFENCE, fault injection, ...), compiled with the host's gcc. Writes
# kernel.env like fetch-kernel.sh does, so the debug kernel is one more name
# in the matrix (KERNELS=debug). Cached by source version, fragment and gcc.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

kd=$(kernel_dir debug)
fragment=$VMLAB_TOP/scripts/debug.config
"$VMLAB_TOP/scripts/linux-source.sh" || die "kernel debug: fetch: no linux-source"
deb=$CACHE/apt/trixie/debs/$(cat "$CACHE/linux-source/stamp")
[ -f "$deb" ] || die "kernel debug: fetch: $deb is gone (rm -r $CACHE/linux-source and retry)"
stamp="$(basename "$deb") $(sha256sum "$fragment" | cut -c1-16) $(gcc -dumpfullversion)"

mkdir -p "$CACHE/kernels"
exec 9>"$CACHE/kernels/debug.lock"
flock 9
if [ -f "$kd/kernel.env" ] && [ "$(cat "$kd/stamp" 2>/dev/null)" = "$stamp" ] &&
	load_kernel_env debug; then
	exit 0
fi
[ -d "$kd" ] && log "kernel debug: cache is stale or incomplete, rebuilding"
log "kernel debug: building from $(basename "$deb") with scripts/debug.config (about 5 minutes on 2 cores)"

new=$kd.new
rm -rf "$new"
mkdir -p "$new/src" "$new/obj"
dpkg-deb --fsys-tarfile "$deb" | tar -xO --wildcards './usr/src/linux-source-*.tar.xz' |
	tar -xJ -C "$new/src" --strip-components=1 ||
	die "kernel debug: cannot unpack $deb"

kmake() { make -s -C "$new/src" O="$new/obj" "$@"; }
kmake tinyconfig >/dev/null
"$new/src/scripts/kconfig/merge_config.sh" -m -O "$new/obj" "$new/obj/.config" "$fragment" >/dev/null
kmake olddefconfig
# every option of the fragment must have survived the dependency resolution
missing=$(grep -E '^(# )?CONFIG_[A-Z0-9_]+( is not set|=)' "$fragment" | while read -r line; do
	opt=$(printf '%s\n' "$line" | grep -oE 'CONFIG_[A-Z0-9_]+' | head -n 1)
	case $line in
	"#"*) grep -q "^$opt=" "$new/obj/.config" && echo "$opt=n" ;;
	*) grep -qx "$line" "$new/obj/.config" || echo "$line" ;;
	esac
done)
[ -z "$missing" ] || die "kernel debug: config: not set as asked: $(printf '%s\n' "$missing" | paste -sd ' ')"

kmake -j"$(nproc)" bzImage modules >"$new/build.log" 2>&1 ||
	{ tail -n 30 "$new/build.log" >&2; die "kernel debug: build failed (log: $kd.new/build.log)"; }
krel=$(kmake kernelrelease)

cat >"$new/kernel.env" <<ENV
# kernel debug, written by debug-kernel.sh
KNAME=debug
KSUITE=linux-source
KREL=$krel
KVERSION=$(basename "$deb" .deb | cut -d_ -f2)+debug.config
KCC=gcc
# paths relative to this file's folder (load_kernel_env makes them whole):
# modules build with -C src O=obj, which holds no path of its own that
# kbuild reads for them, so the tree may move
KDIR_COMMON=src
KDIR_ARCH=obj
# what QEMU boots, and the ELF image with symbols
BOOT_IMAGE=obj/arch/x86/boot/bzImage
VMLINUX=obj/vmlinux
ENV
printf '%s\n' "$stamp" >"$new/stamp"
rm -rf "$kd"
mv "$new" "$kd"
log "kernel debug: $krel ready"
