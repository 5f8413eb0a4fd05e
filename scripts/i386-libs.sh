#!/usr/bin/env bash
# i386-libs.sh [ARCH] - the static libraries of ARCH (default i386; arm64)
# that the tool links and the host's gcc -m32 or cross libc lacks
# (libtracefs, libtraceevent: the page-fault reader): Debian bookworm's
# ARCH -dev packages, unpacked into $CACHE/ARCH-dev by lib.sh's
# debian_unpack. Prints the folder holding their .a files.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

arch=${1:-i386}
case $arch in
i386) triplet=i386-linux-gnu ;;
arm64) triplet=aarch64-linux-gnu ;;
*) die "usage: i386-libs.sh [i386|arm64]" ;;
esac
d=$CACHE/$arch-dev
debian_unpack "$arch" "$d" libtracefs-dev libtraceevent-dev
lib=$d/root/usr/lib/$triplet
if [ ! -f "$lib/libtracefs.a" ] || [ ! -f "$lib/libtraceevent.a" ]; then
	die "i386-libs: no libtracefs.a or libtraceevent.a in $lib"
fi
echo "$lib"
