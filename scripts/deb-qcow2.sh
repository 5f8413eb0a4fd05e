#!/usr/bin/env bash
# deb-qcow2.sh - a ready VM image for instructors (make image): Debian
# bookworm made with mmdebstrap, Debian's kernel and its headers, the
# packages of $BUILD/deb (make deb) installed so that DKMS built the module,
# the opt-in of /etc/modprobe.d/vmlab-dkms.conf on (/dev/vmlab 0660 for the
# group vmlab), the module loaded at boot, a user "student" (password
# "student", in group vmlab), and the host folder at /host when QEMU shares
# it (deb-lib.sh's DEB_SHARE_HOOKS). Root has no password: set one before handing
# the image out.
#
# Outputs in $BUILD/image: vmlab-bookworm.qcow2 (ext4 root, no partition
# table, no boot loader), vmlinuz and initrd.img next to it, which QEMU
# boots with -kernel/-initrd (deb-qcow2-run.sh prints that command).
set -euo pipefail
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/deb-lib.sh"

suite=bookworm
debs=$BUILD/deb
dkms_deb=$(printf '%s\n' "$debs"/vmlab-dkms_*_all.deb | head -n 1)
tool_deb=$(printf '%s\n' "$debs"/vmlab_*_amd64.deb | head -n 1)
if [ ! -f "$dkms_deb" ] || [ ! -f "$tool_deb" ]; then
	die "no packages in $debs (run make deb)"
fi
command -v qemu-img >/dev/null || die "no qemu-img (apt-get install qemu-utils)"
[ "$(id -u)" = 0 ] || die "deb-qcow2.sh runs mmdebstrap as root"

# the test image's packages and what a student's shell wants
packages="$DEB_SYSTEM_PACKAGES less man-db nano sudo"
sources=$(deb_sources "$suite")

out=$BUILD/image
start=$(now_s)
rm -rf "$out"
mkdir -p "$out"
root=$out/root
log "image: mmdebstrap $suite with $(basename "$dkms_deb") and $(basename "$tool_deb")"
# the local .debs are installed by a hook, with apt inside the chroot: DKMS
# builds the module there for the image's kernel (the host's is not in it);
# mmdebstrap expands $1 (the root) in each hook itself
# shellcheck disable=SC2016
mmdebstrap --variant=apt --include="$(printf %s "$packages" | tr -s ' \t\n' ,)" \
	--customize-hook="copy-in $dkms_deb $tool_deb /tmp" \
	--customize-hook='chroot "$1" sh -c "apt-get install -y --no-install-recommends /tmp/vmlab*.deb && rm /tmp/vmlab*.deb"' \
	--customize-hook='echo vmlab >"$1/etc/hostname"' \
	"${DEB_SHARE_HOOKS[@]}" \
	--customize-hook='printf "/dev/vda / ext4 rw,errors=remount-ro 0 1\n" >"$1/etc/fstab"' \
	--customize-hook='sed -i "s/^#options vmlab devmode=0660/options vmlab devmode=0660/" "$1/etc/modprobe.d/vmlab-dkms.conf"' \
	--customize-hook='echo vmlab >"$1/etc/modules-load.d/vmlab.conf"' \
	--customize-hook='chroot "$1" useradd -m -s /bin/bash -G vmlab student' \
	--customize-hook='echo student:student | chroot "$1" chpasswd' \
	--customize-hook='chroot "$1" passwd -d root >/dev/null' \
	--customize-hook='chroot "$1" dkms status vmlab >"$1/../dkms-status.txt"' \
	"$suite" "$root" "$sources" >"$out/mmdebstrap.log" 2>&1 ||
	{ tail -n 30 "$out/mmdebstrap.log" >&2; die "image: mmdebstrap failed"; }
grep -q ': installed' "$out/dkms-status.txt" ||
	die "image: DKMS did not build vmlab ($out/mmdebstrap.log)"

vmlinuz=$(printf '%s\n' "$root"/boot/vmlinuz-* | sort -V | tail -n 1)
cp "$vmlinuz" "$out/vmlinuz"
cp "$root/boot/initrd.img-${vmlinuz##*/vmlinuz-}" "$out/initrd.img"
size_mb=$(( $(du -sm "$root" | cut -f1) + 2048 ))
mkfs.ext4 -q -F -L vmlab-root -d "$root" "$out/root.ext4" "${size_mb}M" >/dev/null ||
	die "image: mkfs.ext4 failed"
rm -rf "$root"
qemu-img convert -c -f raw -O qcow2 "$out/root.ext4" "$out/vmlab-$suite.qcow2"
rm -f "$out/root.ext4"
log "image: $out/vmlab-$suite.qcow2 ($(du -h "$out/vmlab-$suite.qcow2" | cut -f1)), $(cat "$out/dkms-status.txt"), $(elapsed "$start") s"
