#!/usr/bin/env bash
# i386-libs.sh - the i386 static libraries that the tool links and the
# host's gcc -m32 lacks (libtracefs, libtraceevent: the page-fault reader):
# Debian bookworm's i386 -dev packages, fetched with the private apt
# configuration and unpacked with dpkg-deb into $CACHE/i386-dev, again only
# when a version changes. Prints the folder holding their .a files.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

d=$CACHE/i386-dev
pkgs=(libtracefs-dev libtraceevent-dev)
apt_private_update "bookworm:i386" >&2 || die "i386-libs: no bookworm:i386 package lists"
stamp=$(apt-cache "${APT_OPTS[@]}" policy "${pkgs[@]/%/:i386}" | grep Candidate | tr -d ' \n')
if [ "$(cat "$d/stamp" 2>/dev/null)" != "$stamp" ]; then
	log "i386-libs: unpacking Debian's i386 ${pkgs[*]}"
	mkdir -p "$APT_DIR/debs"
	(cd "$APT_DIR/debs" && apt-get "${APT_OPTS[@]}" -qq download "${pkgs[@]/%/:i386}") >&2 ||
		die "i386-libs: download of the i386 ${pkgs[*]} failed"
	rm -rf "$d"
	mkdir -p "$d/root"
	for p in "${pkgs[@]}"; do
		deb=$(newest "$APT_DIR/debs/${p}_"*"_i386.deb")
		dpkg-deb -x "$deb" "$d/root" || die "i386-libs: cannot unpack $deb"
	done
	printf '%s\n' "$stamp" >"$d/stamp"
fi
lib=$d/root/usr/lib/i386-linux-gnu
if [ ! -f "$lib/libtracefs.a" ] || [ ! -f "$lib/libtraceevent.a" ]; then
	die "i386-libs: no libtracefs.a or libtraceevent.a in $lib"
fi
echo "$lib"
