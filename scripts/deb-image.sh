#!/usr/bin/env bash
# deb-image.sh SUITE - a bootable Debian system (bookworm or trixie) for the
# packaged tests: mmdebstrap with systemd, apt, udev, Debian's kernel and its
# headers, dkms, gcc and make, then an ext4 root made with mkfs.ext4 -d (no
# loop mount). Prints the directory that holds root.ext4, vmlinuz and
# initrd.img (what QEMU boots with -kernel/-initrd, root=/dev/vda).
#
# Cached under $CACHE/deb-image/SUITE-KEY, KEY a hash of the package list,
# the sources, the guest units, the dpkg options and the customize hooks: a
# second call with the same inputs only prints the path. VMLAB_REFRESH=1 builds it again (a newer kernel, say).
# The image holds no vmlab package: the test installs them.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/deb-lib.sh"

[ $# -eq 1 ] || die "usage: deb-image.sh bookworm|trixie"
suite=$1
case $suite in bookworm | trixie) ;; *) die "unknown suite '$suite' (bookworm or trixie)" ;; esac

# what the tests need and nothing more: no network, no ssh; the packages
# vmlab-dkms and vmlab depend on are here so that apt installs them offline
packages=$DEB_SYSTEM_PACKAGES
# trixie-backports' kernel headers (7.x, deb-test.sh's second kernel) want
# the compiler by its -for-host name
[ "$suite" = trixie ] && packages="$packages gcc-14-for-host"
unit=$VMLAB_TOP/scripts/guest/vmlab-deb-test.service

sources=$(deb_sources "$suite")

# a smaller tree is a faster unpack, initramfs and mkfs: the kernel's
# modules for hardware a QEMU guest does not have (graphics, media, sound,
# wireless, network and SCSI cards) and translations are not unpacked
# (these dpkg options stay in the image).
# dpkg's fsyncs are off (force-unsafe-io): the guest writes to an overlay
# that is thrown away
dpkgopts=(--dpkgopt=force-unsafe-io --dpkgopt='path-exclude=/usr/share/locale/*')
for d in drivers/gpu drivers/media drivers/net drivers/infiniband drivers/scsi drivers/staging \
	drivers/bluetooth drivers/iio drivers/isdn sound net/wireless net/mac80211 net/bluetooth; do
	dpkgopts+=("--dpkgopt=path-exclude=/lib/modules/*/kernel/$d/*"
		"--dpkgopt=path-exclude=/usr/lib/modules/*/kernel/$d/*")
done

# the unit runs the test when the kernel command line asks for it, after
# the host folder is mounted (deb-lib.sh's DEB_SHARE_HOOKS); root
# has no password so that a console login works in the image (a test VM
# has no network)
# mmdebstrap expands $1 (the root) in each hook itself
# shellcheck disable=SC2016
hooks=(--customize-hook="install -m 0644 '$unit' \"\$1/etc/systemd/system/vmlab-deb-test.service\""
	--customize-hook='mkdir -p "$1/etc/systemd/system/multi-user.target.wants" && ln -s ../vmlab-deb-test.service "$1/etc/systemd/system/multi-user.target.wants/"'
	"${DEB_SHARE_HOOKS[@]}"
	--customize-hook='echo vmlab-deb >"$1/etc/hostname"'
	--customize-hook='printf "/dev/vda / ext4 rw,errors=remount-ro 0 1\n" >"$1/etc/fstab"'
	--customize-hook='chroot "$1" passwd -d root >/dev/null')
# the key: what goes into the image, not where this checkout is (a fresh
# clone elsewhere reuses the image)
key=$( { echo "$packages"; echo "$sources"; cat "$unit" "$DEB_SHARE_UNIT"
	printf '%s\n' "${dpkgopts[@]}" "${hooks[@]}" | sed "s|$VMLAB_TOP/|TOP/|g"; } | sha256sum | cut -c1-12)
out=$CACHE/deb-image/$suite-$key

mkdir -p "$CACHE/deb-image"
exec 9>"$CACHE/deb-image/$suite.lock"
flock 9
if [ -f "$out/stamp" ] && [ "${VMLAB_REFRESH:-0}" != 1 ]; then
	echo "$out"
	exit 0
fi

command -v mmdebstrap >/dev/null || die "no mmdebstrap (scripts/deps.sh installs it)"
[ "$(id -u)" = 0 ] || die "deb-image.sh runs mmdebstrap as root"
start=$(now_s)
rm -rf "$out"
mkdir -p "$out"
root=$out/root
log "image $suite: mmdebstrap into $root"
mmdebstrap --variant=apt --include="$(printf %s "$packages" | tr -s ' \t\n' ,)" \
	--aptopt='Acquire::Check-Valid-Until "false"' "${dpkgopts[@]}" "${hooks[@]}" \
	"$suite" "$root" "$sources" >"$out/mmdebstrap.log" 2>&1 ||
	{ tail -n 30 "$out/mmdebstrap.log" >&2; die "image $suite: mmdebstrap failed"; }
log "image $suite: mmdebstrap $(elapsed "$start") s"

vmlinuz=$(printf '%s\n' "$root"/boot/vmlinuz-* | sort -V | tail -n 1)
initrd=$root/boot/initrd.img-${vmlinuz##*/vmlinuz-}
if [ ! -f "$vmlinuz" ] || [ ! -f "$initrd" ]; then
	die "image $suite: no kernel or initrd in $root/boot"
fi
cp "$vmlinuz" "$out/vmlinuz"
cp "$initrd" "$out/initrd.img"
echo "${vmlinuz##*/vmlinuz-}" >"$out/release"

# an ext4 root of the tree, with room for the module builds; sparse
size_mb=$(( $(du -sm "$root" | cut -f1) * 3 / 2 + 1024 ))
mkfs.ext4 -q -F -L vmlab-root -d "$root" "$out/root.ext4" "${size_mb}M" >&2 ||
	die "image $suite: mkfs.ext4 failed"
rm -rf "$root"
touch "$out/stamp"
# older images of the suite (another package list or unit) are not used again
for old in "$CACHE/deb-image/$suite"-*; do
	[ "$old" = "$out" ] || rm -rf "$old"
done
log "image $suite: $(cat "$out/release"), ${size_mb} MiB, $(elapsed "$start") s"
echo "$out"
