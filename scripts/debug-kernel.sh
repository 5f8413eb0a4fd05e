#!/usr/bin/env bash
# debug-kernel.sh [K] - build (once) the vmlab debug kernel K: "debug" (the
# default) from Debian trixie's linux-source-6.12, "debug-7.2" from sid's
# linux-source-7.2 (lib.sh: debug_source). "make tinyconfig" plus
# scripts/debug.config (KASAN, lockdep, DEBUG_VM, PAGE_TABLE_CHECK, kmemleak,
# UBSAN, KFENCE, fault injection, memory failure, ...) and the fragment of
# that version when there is one (debug-7.2.config), compiled with the
# host's gcc. Writes kernel.env like fetch-kernel.sh does, so a debug kernel
# is one more name in the matrix (KERNELS=debug-7.2).
#
# The source package is downloaded once (the newest of its suite then);
# the build lands in $CACHE/kernels/K.d/KEY, KEY a hash of the package, the
# fragments and gcc's version (lib.sh: debug_key), so that checkouts with
# other fragments sharing the cache keep their own builds; a key no
# checkout used for a week is removed after a build. An interrupted build
# resumes where make stopped. Logs the build's seconds.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

[ $# -le 1 ] || die "usage: debug-kernel.sh [debug|debug-7.2]"
K=${1:-debug}
is_debug_kernel "$K" || die "debug-kernel.sh: '$K' is not a debug kernel (debug or debug-7.2)"
pkg=$(debug_source "$K")
suite=$(kernel_suite "$K")

# configure: unpack the source into $new/src and configure it in $new/obj;
# every option of the fragments must survive the dependency resolution (an
# option renamed in a newer kernel shows up here); the last fragment that
# sets an option decides
configure() {
	local missing
	rm -rf "$new"
	mkdir -p "$new/src" "$new/obj"
	dpkg-deb --fsys-tarfile "$deb" | tar -xO --wildcards './usr/src/linux-source-*.tar.xz' |
		tar -xJ -C "$new/src" --strip-components=1 ||
		die "kernel $K: cannot unpack $deb"
	kmake tinyconfig >/dev/null
	"$new/src/scripts/kconfig/merge_config.sh" -m -O "$new/obj" "$new/obj/.config" \
		"${fragments[@]}" >/dev/null
	kmake olddefconfig
	missing=$(cat "${fragments[@]}" | grep -E '^(# )?CONFIG_[A-Z0-9_]+( is not set|=)' |
		awk '{ o = $0; sub(/^# /, "", o); sub(/[ =].*/, "", o); last[o] = $0 }
			END { for (o in last) print last[o] }' |
		while read -r line; do
			opt=$(printf '%s\n' "$line" | grep -oE 'CONFIG_[A-Z0-9_]+' | head -n 1)
			case $line in
			"#"*) grep -q "^$opt=" "$new/obj/.config" && echo "$opt=n" ;;
			*) grep -qx "$line" "$new/obj/.config" || echo "$line" ;;
			esac
		done)
	[ -z "$missing" ] ||
		die "kernel $K: config: not set as asked: $(printf '%s\n' "$missing" | sort | paste -sd ' ')"
}

mkdir -p "$CACHE/kernels/$K.d"
# one download at a time (checkouts may share the cache)
exec 9>"$CACHE/kernels/$K.d/download.lock"
flock 9
if ! debug_source_deb "$K" >/dev/null; then
	log "kernel $K: downloading $pkg from $suite"
	# in a subshell: apt_private's lock on the suite ends with it
	(
		apt_private_update "$suite" || die "kernel $K: fetch: cannot read the $suite package lists"
		mkdir -p "$CACHE/apt/$suite/debs"
		cd "$CACHE/apt/$suite/debs" && apt-get "${APT_OPTS[@]}" -qq download "$pkg"
	) || die "kernel $K: fetch: download of $pkg failed"
fi
exec 9>&-
deb=$(debug_source_deb "$K") || die "kernel $K: fetch: no $pkg"
kd=$(kernel_dir "$K")
# one build of a key at a time; builds of other keys, and older checkouts
# (they lock kernels/K.lock), are not held up
exec 9>"$kd.lock"
flock 9
if [ -f "$kd/kernel.env" ] && load_kernel_env "$K"; then
	touch "$kd/used"
	exit 0
fi

mapfile -t fragments < <(debug_fragments "$K")
new=$kd.new
kmake() { make -s -C "$new/src" O="$new/obj" "$@"; }
start=$(now_s)
if [ -f "$new/configured" ]; then
	log "kernel $K: resuming the interrupted build in $new"
else
	log "kernel $K: building from $(basename "$deb") with" \
		"${fragments[*]#"$VMLAB_TOP"/} (5 to 60 minutes on 2 cores)"
	configure
	touch "$new/configured"
fi
kmake -j"$(nproc)" bzImage modules >>"$new/build.log" 2>&1 ||
	{ tail -n 30 "$new/build.log" >&2; die "kernel $K: build failed (log: $new/build.log)"; }
krel=$(kmake kernelrelease)

cat >"$new/kernel.env" <<ENV
# kernel $K, written by debug-kernel.sh
KNAME=$K
KSUITE=linux-source
KREL=$krel
KVERSION=$(basename "$deb" .deb | cut -d_ -f2)+$(basename -a "${fragments[@]}" | paste -sd +)
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
secs=$(elapsed "$start")
printf '%s\n' "$secs" >"$new/build-seconds"
rm -rf "$kd"
mv "$new" "$kd"
touch "$kd/used"
# the builds of K's other keys (other fragments or sources) that no
# checkout used for a week go, unless one is being built now
for old in "$CACHE/kernels/$K.d/"*/; do
	old=${old%/}
	key=${old##*/}
	key=${key%.new}
	[ "$key" != "${kd##*/}" ] || continue
	[ -z "$(find "$old/used" -mtime -7 2>/dev/null)" ] || continue
	flock -n "$CACHE/kernels/$K.d/$key.lock" rm -rf "$old" || true
done
log "kernel $K: $krel ready, built in $secs s"
