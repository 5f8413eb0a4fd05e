#!/usr/bin/env bash
# linux-source.sh - take from Debian's linux-source-6.12 package the files of
# the kernel tree the project uses but never copies: the kselftest harness
# headers and checkpatch.pl (with its data files). They land in
# $CACHE/linux-source/{selftests,scripts}; prints nothing when cached.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

pkg=linux-source-6.12
out=$CACHE/linux-source
mkdir -p "$CACHE"
exec 9>"$CACHE/linux-source.lock"
flock 9
if [ -f "$out/stamp" ] && [ -f "$out/selftests/kselftest_harness.h" ]; then
	exit 0
fi
apt_private_update trixie || die "linux-source: cannot read the trixie package lists"
dl=$CACHE/apt/trixie/debs
mkdir -p "$dl"
(cd "$dl" && apt-get "${APT_OPTS[@]}" -qq download "$pkg") ||
	die "linux-source: download of $pkg failed"
deb=$(newest "$dl/${pkg}_"*.deb)
log "linux-source: extracting kselftest headers and checkpatch from $(basename "$deb")"
rm -rf "$out.new"
mkdir -p "$out.new"
dpkg-deb --fsys-tarfile "$deb" | tar -xO --wildcards './usr/src/linux-source-*.tar.xz' |
	tar -xJ -C "$out.new" --strip-components=1 --wildcards \
		'*/tools/testing/selftests/kselftest.h' \
		'*/tools/testing/selftests/kselftest_harness.h' \
		'*/scripts/checkpatch.pl' '*/scripts/spelling.txt' \
		'*/scripts/const_structs.checkpatch' ||
	die "linux-source: cannot extract from $deb"
mkdir -p "$out.new/selftests"
mv "$out.new/tools/testing/selftests/"kselftest*.h "$out.new/selftests/"
rm -rf "$out.new/tools"
basename "$deb" >"$out.new/stamp"
rm -rf "$out"
mv "$out.new" "$out"
