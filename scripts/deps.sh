#!/usr/bin/env bash
# deps.sh - install, from Debian's archive with apt-get, the host packages the
# project needs (QEMU, busybox-static, cpio, pahole, mmdebstrap, sparse, the
# linter shellcheck, ...); with "pictures", those of check-pictures.sh.
# Does nothing when they are all there; needs root otherwise.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

# libtracefs-dev, libtraceevent-dev: the tool's page-fault reader (static
# libraries included, for the VM's static tool); the line before last: the
# i386 user space of the 32-bit kernels' VMs (make static-i386: gcc -m32
# -static; not gcc-multilib, which conflicts with the cross compilers); the
# last line: what the debug kernels' builds need (qemu-utils: qemu-img, for
# the packaged test's Debian system)
packages="qemu-system-x86 qemu-utils busybox-static cpio pahole mmdebstrap sparse shellcheck zstd
	xz-utils jq bc kmod gcc make libc6-dev perl util-linux libtracefs-dev libtraceevent-dev
	libc6-dev-i386 lib32gcc-12-dev
	qemu-system-arm gcc-aarch64-linux-gnu libc6-dev-arm64-cross
	flex bison libelf-dev libssl-dev"
# "deps.sh pictures": only what scripts/check-pictures.sh needs, a browser
# (large, so not for every run) and xmllint
if [ "${1:-}" = pictures ]; then
	install_missing chromium libxml2-utils
	exit
fi
# shellcheck disable=SC2086 # a list of names
install_missing $packages
