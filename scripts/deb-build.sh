#!/usr/bin/env bash
# deb-build.sh - the Debian packages vmlab-dkms (module sources, dkms.conf)
# and vmlab (the tool), with dpkg-buildpackage and debhelper, checked by
# lintian. Outputs in $BUILD/deb: the .debs, .dsc, .tar.xz, .changes,
# lintian.txt. Installs debhelper, dh-dkms and lintian first when missing
# (root).
#
# The version is the module's VMLAB_MODULE_VERSION, the one place it is
# kept: debian/changelog is written from it into a copy of the tree under
# $BUILD/deb/src (a native package: the tree is its own upstream).
#
# The outputs are kept in $CACHE/deb-packages/KEY, KEY a hash of what goes
# into them: the tree's files (their contents and modes, not their times),
# the changelog's date and the versions of the build tools. A build of the
# same inputs (a fresh clone of the same commit, say) copies them from
# there; VMLAB_REFRESH=1 builds them again.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

packages="debhelper dh-dkms lintian dpkg-dev fakeroot"
# shellcheck disable=SC2086 # a list of names
install_missing $packages

version=$(sed -n 's/^#define[ \t]*VMLAB_MODULE_VERSION[ \t]*"\([^"]*\)".*/\1/p' \
	"$VMLAB_TOP"/module/*.h "$VMLAB_TOP"/module/*.c | head -n 1)
[ -n "$version" ] || die "no VMLAB_MODULE_VERSION in module/"
out=$BUILD/deb
src=$out/src/vmlab-$version
start=$(now_s)
rm -rf "$out"
mkdir -p "$src"
# the tree without build outputs, caches, git and the VMs' host folder
tar -C "$VMLAB_TOP" --exclude=./build --exclude=./.cache --exclude=./.git --exclude=./lab \
	--exclude='./.checkpatch-camelcase.*' \
	--exclude='*.o' --exclude='*.ko' --exclude='.*.cmd' -cf - . | tar -C "$src" -xf -

# the changelog's date: the last commit's, so that a rebuild is the same
date=$(git -C "$VMLAB_TOP" log -1 --format=%aD 2>/dev/null || date -R)
maint=$(sed -n 's/^Maintainer: //p' "$src/debian/control")

# the cache's key: the tree as a stream without times or owners, the date,
# and the tools that build and check the packages
# shellcheck disable=SC2086 # a list of names
key=$( { tar -C "$src" --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner -cf - .
	echo "$date"
	dpkg-query -W $packages gcc libtracefs-dev libtraceevent-dev 2>/dev/null; } |
	sha256sum | cut -c1-16)
cached=$CACHE/deb-packages/$key
if [ -f "$cached/stamp" ] && [ "${VMLAB_REFRESH:-0}" != 1 ]; then
	rm -rf "$out/src"
	cp -a "$cached"/. "$out/"
	rm -f "$out/stamp"
	debs=("$out"/*.deb)
	log "deb: ${debs[*]##*/} of $CACHE/deb-packages/$key (the same tree and tools)"
	exit 0
fi
cat >"$src/debian/changelog" <<EOT
vmlab ($version) unstable; urgency=medium

  * vmlab $version, packaged from the vmlab tree (make deb).

 -- $maint  $date
EOT

log "deb: building vmlab $version"
(cd "$src" && dpkg-buildpackage -us -uc -ui >"$out/build.log" 2>&1) ||
	{ tail -n 40 "$out/build.log" >&2; die "deb: dpkg-buildpackage failed (log: $out/build.log)"; }
mv "$out"/src/vmlab*_* "$out/"

log "deb: lintian"
changes=$(ls "$out"/vmlab_*.changes)
lintian --fail-on error,warning --display-info "$changes" >"$out/lintian.txt" 2>&1 ||
	{ cat "$out/lintian.txt" >&2; die "deb: lintian found errors or warnings ($out/lintian.txt)"; }
[ -s "$out/lintian.txt" ] && sed 's/^/[lintian] /' "$out/lintian.txt" >&2
debs=("$out"/*.deb)
log "deb: ${debs[*]##*/} in $(elapsed "$start") s"

# into the cache, for the next build of the same tree: the outputs without
# the source tree; older keys are not used again
mkdir -p "$CACHE/deb-packages"
rm -rf "$cached.new"
mkdir "$cached.new"
find "$out" -maxdepth 1 -type f -exec cp -a {} "$cached.new/" \;
touch "$cached.new/stamp"
for old in "$CACHE/deb-packages"/*; do
	[ "$old" = "$cached.new" ] || rm -rf "$old"
done
mv "$cached.new" "$cached"
