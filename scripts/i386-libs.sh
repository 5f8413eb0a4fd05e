#!/usr/bin/env bash
# i386-libs.sh - the i386 static libraries that the tool links and the
# host's gcc -m32 lacks (libtracefs, libtraceevent: the page-fault reader):
# Debian bookworm's i386 -dev packages, unpacked into $CACHE/i386-dev by
# lib.sh's debian_unpack. Prints the folder holding their .a files.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

d=$CACHE/i386-dev
debian_unpack i386 "$d" libtracefs-dev libtraceevent-dev
lib=$d/root/usr/lib/i386-linux-gnu
if [ ! -f "$lib/libtracefs.a" ] || [ ! -f "$lib/libtraceevent.a" ]; then
	die "i386-libs: no libtracefs.a or libtraceevent.a in $lib"
fi
echo "$lib"
