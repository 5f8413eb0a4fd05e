#!/usr/bin/env bash
# kvm-probe.sh QEMU-COMMAND... - print the -accel value for a VM booted by
# QEMU-COMMAND (a qemu-system-x86_64 command line with kernel, initramfs
# and -append, without -accel): "kvm" or "tcg,thread=single" (TCG,
# software emulation, single-threaded: the multi-threaded one crashed 7.2).
# VMLAB_ACCEL=tcg or kvm forces one; auto (the default) uses KVM where
# /dev/kvm boots the kernel to the guest's /init, probed once per host
# kernel and QEMU version (at most 10 s) and remembered in $CACHE/kvm-works.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

[ $# -ge 1 ] || die "usage: kvm-probe.sh QEMU-COMMAND..."
tcg="tcg,thread=single"
case ${VMLAB_ACCEL:-auto} in
tcg) echo "$tcg" ;;
kvm) echo kvm ;;
auto)
	if [ ! -w /dev/kvm ]; then
		echo "$tcg"
		exit 0
	fi
	# one verdict per host kernel and QEMU: does KVM boot this kernel to
	# the guest's /init? (without a mode /init ends the VM: rc 3)
	probe=$CACHE/kvm-works
	key="$(uname -r) $("$1" --version | head -n 1)"
	if [ "$(sed -n 1p "$probe" 2>/dev/null)" != "$key" ]; then
		log "probing KVM (once per machine)"
		mkdir -p "$CACHE"
		# only the guest's own verdict counts: QEMU also exits 0 when the
		# guest triple-faults (-no-reboot)
		rc=0
		timeout 10 "$@" -accel kvm -display none >/dev/null 2>&1 || rc=$?
		if [ $rc -eq 3 ]; then
			printf '%s\nyes\n' "$key" >"$probe"
		else
			printf '%s\nno\n' "$key" >"$probe"
		fi
	fi
	if [ "$(sed -n 2p "$probe")" = yes ]; then
		echo kvm
	else
		echo "$tcg"
	fi
	;;
*) die "VMLAB_ACCEL must be tcg, kvm or auto" ;;
esac
