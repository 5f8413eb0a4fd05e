#!/usr/bin/env bash
# fetch-kernel.sh K - download Debian's kernel K (image, headers, kbuild) into
# $CACHE/kernels/K with a private apt configuration, unpack it with dpkg-deb,
# and extract the uncompressed vmlinux that QEMU boots through PVH (quicker
# than the bzImage under TCG).
#
# The newest package of the suite is resolved on every call; a cache holding
# another version (or a half-finished unpack) is replaced. Writes
# $CACHE/kernels/K/kernel.env, read by the build and VM scripts through
# load_kernel_env (lib.sh): its paths are relative to its folder, so the
# cache may move. An old kernel.env (absolute paths) is repaired, or the
# kernel fetched again when its files are not found.
#
# Also gathers the modules of the VM's host folder (virtio-9p, see run-vm.sh)
# into $CACHE/kernels/K/share: 9p, 9pnet_virtio and virtio_pci with what they
# depend on, uncompressed, and "order", the order insmod loads them in; and
# the examples' and lessons' disk modules (brd, zram, ext4) into .../disk. They
# come from the image package (6.1, 6.12) or, where the image holds only the
# kernel (sid's linux-binary-*), from the linux-modules-* package of the same
# source. A kernel without them gets a share/ with an empty order: its VM
# boots without the share. An arm64 kernel also gets console/: virtio_console
# (a module in bookworm's arm64 kernel; built into trixie's, whose set is
# empty), the guest's channel for the TAP (the virt machine has one serial
# port, the kernel's console). A shape of K (K-la57) fetches K. The 32-bit
# kernels (6.1-686, 6.1-686-pae) are i386 packages, the ARM ones (6.1-arm64,
# 6.12-arm64, 6.12-arm64-16k, 7.2-arm64) arm64 packages, fetched with the
# amd64 linux-kbuild of the same version
# (its tools run on the host). An arm64 vmlinuz is an Image (gzipped), not an
# ELF file: QEMU boots it uncompressed, as "Image", and there is no vmlinux.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

[ $# -eq 1 ] || die "usage: fetch-kernel.sh KERNEL (one of: $ALL_KERNELS)"
K=$1
check_kernel "$K"
# a shape (6.12-la57) boots its base kernel's files: fetch those
[ "$(kernel_base "$K")" = "$K" ] || exec "$0" "$(kernel_base "$K")"
is_debug_kernel "$K" && exec "$VMLAB_TOP/scripts/debug-kernel.sh" "$K"
suite=$(kernel_suite "$K")
kd=$(kernel_dir "$K")
# the packages of K's architecture (":i386", ":arm64") but the
# kbuild tools, which run on the host (amd64)
arch=$(kernel_arch "$K")
flavour=$(kernel_flavour "$K")
apt_suite=$suite
[ "$arch" = amd64 ] || apt_suite=$suite:$arch

# one fetch of a kernel at a time (several checkouts may share a cache)
mkdir -p "$CACHE/kernels"
exec 9>"$CACHE/kernels/$K.lock"
flock 9

apt_private_update "$apt_suite" || die "kernel $K: fetch: cannot read the $apt_suite package lists"
dl=$APT_DIR/debs

# The ABI headers package that linux-headers-FLAVOUR points at names the rest.
hdr=$(apt-cache "${APT_OPTS[@]}" depends "linux-headers-$flavour:$arch" 2>/dev/null |
	sed -n "s/^ *Depends: \(linux-headers-[^ :]*-$flavour\)\(:$arch\)\{0,1\}\$/\1/p" |
	head -n 1)
[ -n "$hdr" ] || die "kernel $K: fetch: no linux-headers-$flavour in $apt_suite"
krel=${hdr#linux-headers-}
deps=$(apt-cache "${APT_OPTS[@]}" depends "$hdr:$arch")
common=$(printf '%s\n' "$deps" | grep -o 'linux-headers-[^ ]*-common$' | head -n 1)
kbuild=$(printf '%s\n' "$deps" | grep -o 'linux-kbuild-[^ ]*$' | head -n 1)
kbuild=${kbuild%:*}
if [ -z "$common" ] || [ -z "$kbuild" ]; then
	die "kernel $K: fetch: cannot resolve the dependencies of $hdr"
fi
image=
for cand in "linux-image-$krel-unsigned" "linux-binary-$krel" "linux-image-$krel"; do
	if apt-cache "${APT_OPTS[@]}" show "$cand:$arch" 2>/dev/null | grep '^Filename:' >/dev/null; then
		image=$cand
		break
	fi
done
[ -n "$image" ] || die "kernel $K: fetch: no image package for $krel in $suite"
version=$(apt-cache "${APT_OPTS[@]}" show --no-all-versions "$hdr:$arch" |
	sed -n 's/^Version: //p' | head -n 1)
stamp="$image $hdr $common $kbuild $version"

# kernel_modules: kernel K's module sets from its own packages, once per
# package version (SET/stamp): share/ (the 9p modules of the host folder, see
# above) and disk/ (brd, zram and ext4, which also mounts ext2, for the
# examples and lessons: a RAM disk, compressed swap, a disk file system; with
# crc32c_generic, ext4's and jbd2's soft dependency). Each set holds its
# modules uncompressed, "order" (every module after those it depends on) and
# "absent" (names neither a module nor built in, one a line)
kernel_modules() {
	local pkgroot=$kd/root moddir mods p deb name d f tmp=$kd/modules.new disk console
	local -A file=()
	# stale SET: SET was gathered for another package version, or never,
	# or by an older fetch-kernel.sh: the sets' own revision follows the
	# packages (2: the first fetch of a kernel whose modules are in
	# linux-modules-* asked apt for that package of a wrong architecture,
	# and its sets stayed empty; 3: modules.builtin from linux-base-*)
	local setstamp="$stamp sets-3"
	stale() { [ "$(cat "$kd/$1/stamp" 2>/dev/null)" != "$setstamp" ]; }
	# the console set: arm64 only
	console=false
	[ "$(kernel_arch "$K")" = arm64 ] && console=true
	# a console set that missed a module (an earlier fetch's failure) is
	# gathered again: the arm64 initramfs needs every one
	stale share || stale disk ||
		{ $console && { stale console || [ -s "$kd/console/absent" ]; }; } || return 0
	rm -rf "$tmp"
	mkdir -p "$tmp"
	# sid's 7.x: the modules in linux-modules-*, the list of those built
	# in (modules.builtin, which tells a built-in module from an absent
	# one) in linux-base-*
	if [ "$image" = "linux-binary-$krel" ]; then
		mods=linux-modules-$krel
		apt-cache "${APT_OPTS[@]}" show "$mods:$arch" 2>/dev/null | grep '^Filename:' >/dev/null ||
			mods=
		if [ -n "$mods" ]; then
			pkgroot=$tmp/pkg
			apt-cache "${APT_OPTS[@]}" show "linux-base-$krel:$arch" 2>/dev/null |
				grep '^Filename:' >/dev/null && mods="$mods linux-base-$krel"
			log "kernel $K: fetching $mods for the 9p share and the disk modules"
			for p in $mods; do
				(cd "$dl" && apt-get "${APT_OPTS[@]}" -qq download "$p:$arch") ||
					die "kernel $K: fetch: download of $p failed"
				deb=$(newest "$dl/${p}_"*.deb)
				dpkg-deb -x "$deb" "$pkgroot" || die "kernel $K: fetch: cannot unpack $deb"
			done
		fi
	fi
	moddir=
	for d in "$pkgroot/lib/modules/$krel" "$pkgroot/usr/lib/modules/$krel"; do
		[ -d "$d/kernel" ] && moddir=$d && break
	done
	if [ -n "$moddir" ]; then
		while IFS= read -r f; do
			name=${f##*/}
			name=${name%%.ko*}
			file[${name//-/_}]=$f
		done < <(find "$moddir/kernel" -name '*.ko*')
	fi
	# is_builtin NAME: NAME is built into the kernel (its modules.builtin);
	# grep reads all of sed's output (no -q): a grep that quits at the
	# first match leaves sed a broken pipe, and pipefail then makes a
	# built-in module absent (seen: 6.12-arm64's virtio_pci, now and then)
	is_builtin() {
		[ -n "$moddir" ] && [ -f "$moddir/modules.builtin" ] &&
			sed 's|.*/||; s|\.ko$||; s|-|_|g' "$moddir/modules.builtin" |
			grep -x "$1" >/dev/null
	}
	# gather SET NAME...: the set's modules into $tmp/SET
	gather() {
		local sd=$tmp/$1
		local -A seen=()
		local order=() absent=()
		shift
		mkdir -p "$sd"
		# add NAME: NAME after every module it depends on (its .ko
		# uncompressed into the set), unless built in (no file)
		add() {
			local n=${1//-/_} f dep
			[ -n "${seen[$n]:-}" ] && return 0
			seen[$n]=1
			f=${file[$n]:-}
			if [ -z "$f" ]; then
				is_builtin "$n" || absent+=("$n")
				return 0
			fi
			case $f in
			*.xz) xz -dc "$f" >"$sd/$n.ko" ;;
			*.zst) zstd -qdc "$f" >"$sd/$n.ko" ;;
			*.gz) gzip -dc "$f" >"$sd/$n.ko" ;;
			*) cp "$f" "$sd/$n.ko" ;;
			esac || die "kernel $K: fetch: cannot unpack $f"
			for dep in $(modinfo -F depends "$sd/$n.ko" | tr ',' ' '); do
				add "$dep"
			done
			order+=("$n")
		}
		for name in "$@"; do
			add "$name"
		done
		printf '%s\n' "${order[@]}" | sed '/^$/d' >"$sd/order"
		printf '%s\n' "${absent[@]}" | sed '/^$/d' >"$sd/absent"
		printf '%s\n' "$setstamp" >"$sd/stamp"
	}
	if stale share; then
		gather share virtio_pci 9pnet_virtio 9p
		if [ -n "${file[9p]:-}" ]; then
			log "kernel $K: 9p share modules: $(tr '\n' ' ' <"$tmp/share/order")"
		else
			log "kernel $K: no 9p modules in its packages: its VM boots without the host folder"
			: >"$tmp/share/order"
		fi
	fi
	if stale disk; then
		# crc32c_generic is no module where crc32c is a library built in (7.x)
		disk=(brd zram)
		[ -n "${file[crc32c_generic]:-}" ] && disk+=(crc32c_generic)
		gather disk "${disk[@]}" ext4
		# for depmod in the initramfs (what is built in needs no file)
		for f in modules.builtin modules.builtin.modinfo; do
			[ -n "$moddir" ] && [ -f "$moddir/$f" ] && cp "$moddir/$f" "$tmp/disk/"
		done
		log "kernel $K: disk modules: $(tr '\n' ' ' <"$tmp/disk/order")"
		if [ -s "$tmp/disk/absent" ]; then
			log "kernel $K: not in its packages: $(tr '\n' ' ' <"$tmp/disk/absent")"
		fi
	fi
	if $console && { stale console || [ -s "$kd/console/absent" ]; }; then
		gather console virtio_pci virtio_console
		log "kernel $K: console modules: $(tr '\n' ' ' <"$tmp/console/order")"
	fi
	# a set replaced as a whole, only when it changed
	for d in share disk console; do
		[ -d "$tmp/$d" ] || continue
		rm -rf "${kd:?}/$d"
		mv "$tmp/$d" "$kd/$d"
	done
	rm -rf "$tmp"
}

boot=vmlinux
[ "$arch" = arm64 ] && boot=Image
if [ -f "$kd/kernel.env" ] && [ "$(cat "$kd/stamp" 2>/dev/null)" = "$stamp" ] &&
	[ -f "$kd/$boot" ] && load_kernel_env "$K"; then
	kernel_modules
	exit 0
fi
[ -d "$kd" ] && log "kernel $K: cache is stale or incomplete, refreshing"
log "kernel $K: fetching $krel ($version) from $suite"

mkdir -p "$dl"
(cd "$dl" && apt-get "${APT_OPTS[@]}" -qq download "$image:$arch" "$hdr:$arch" "$common" \
	"$kbuild:amd64") ||
	die "kernel $K: fetch: download of $image $hdr $common $kbuild failed"

new=$kd.new
rm -rf "$new"
mkdir -p "$new/root"
for p in "$image" "$hdr" "$common" "$kbuild"; do
	deb=$(newest "$dl/${p}_"*.deb)
	dpkg-deb -x "$deb" "$new/root" || die "kernel $K: fetch: cannot unpack $deb"
done

vmlinuz=
for f in "$new/root/boot/vmlinuz-$krel" "$new/root/usr/lib/modules/$krel/vmlinuz"; do
	[ -f "$f" ] && vmlinuz=$f && break
done
[ -n "$vmlinuz" ] || die "kernel $K: fetch: no vmlinuz in $image"
vmlinux=vmlinux
if [ "$arch" = arm64 ]; then
	vmlinux=
	{ gzip -dc "$vmlinuz" 2>/dev/null || cat "$vmlinuz"; } >"$new/Image" ||
		die "kernel $K: fetch: cannot unpack the Image of $vmlinuz"
else
	"$VMLAB_TOP/scripts/extract-vmlinux.sh" "$vmlinuz" "$new/vmlinux" ||
		die "kernel $K: fetch: cannot extract vmlinux from $vmlinuz"
fi

hdrdir=$new/root/usr/src/linux-headers-$krel
[ -f "$hdrdir/.config" ] || die "kernel $K: fetch: $hdr has no .config"
# The compiler the headers were configured with, e.g. "x86_64-linux-gnu-gcc-14".
cc=$(sed -n 's/^CONFIG_CC_VERSION_TEXT="\([^ ]*\) .*/\1/p' "$hdrdir/.config")
[ -n "$cc" ] || die "kernel $K: fetch: no CONFIG_CC_VERSION_TEXT in $hdr"

cat >"$new/kernel.env" <<ENV
# kernel $K, written by fetch-kernel.sh
KNAME=$K
KSUITE=$suite
KREL=$krel
KVERSION=$version
KCC=$cc
# paths relative to this file's folder (load_kernel_env makes them whole)
KDIR_COMMON=root/usr/src/$common
KDIR_ARCH=root/usr/src/linux-headers-$krel
# what QEMU boots, and the ELF image with symbols (the same file but on
# arm64, which boots its Image and has none)
BOOT_IMAGE=$boot
VMLINUX=$vmlinux
VMLINUZ=${vmlinuz#"$new"/}
ENV
printf '%s\n' "$stamp" >"$new/stamp"
rm -rf "$kd"
mv "$new" "$kd"
kernel_modules
log "kernel $K: $krel ready"
