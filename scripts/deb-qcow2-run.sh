#!/usr/bin/env bash
# deb-qcow2-run.sh [--print] - boot the instructors' image of deb-qcow2.sh
# (make image-run): print the one QEMU command, then run it with the serial
# console on this terminal (log in as student/student; "sudo poweroff" is
# not set up for student: as root, "poweroff"). --print only prints it.
#
# KVM when /dev/kvm is usable (and, on this machine, the probe of run-vm.sh
# did not find that it fails), else TCG; VMLAB_ACCEL=kvm|tcg forces one.
# The guest writes into the image: copy it first to keep a pristine one.
# The host folder VMLAB_SHARE (default lab/; empty: none) is at /host in
# the guest, read-write (virtio-9p), as in run-vm.sh's VMs.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/deb-lib.sh"

d=$BUILD/image
img=$d/vmlab-bookworm.qcow2
[ -f "$img" ] || die "no $img (run make image)"
accel=${VMLAB_ACCEL:-auto}
if [ "$accel" = auto ]; then
	accel=tcg
	[ -w /dev/kvm ] && [ "$(sed -n 2p "$CACHE/kvm-works" 2>/dev/null)" != no ] && accel=kvm
fi
case $accel in
kvm) accel_opt=(-accel kvm -cpu host) ;;
tcg) accel_opt=(-accel "tcg,thread=single" -cpu qemu64) ;;
*) die "VMLAB_ACCEL must be kvm, tcg or auto" ;;
esac
deb_share_qemu
cmd=(qemu-system-x86_64 -machine q35 "${accel_opt[@]}" -smp 2 -m 2G -nographic
	-kernel "$d/vmlinuz" -initrd "$d/initrd.img" -append "root=/dev/vda rw console=ttyS0$SHARE_CMDLINE"
	-drive "file=$img,if=virtio,format=qcow2" -nic "user,model=virtio-net-pci" "${SHARE_QEMU[@]}")
printf '%q ' "${cmd[@]}"
echo
[ "${1:-}" = --print ] && exit 0
exec "${cmd[@]}"
