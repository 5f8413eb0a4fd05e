#!/usr/bin/env bash
# sid-chroot.sh - make (once) the sid chroot in $CACHE/sid-chroot that builds
# the module for kernels whose headers expect a newer gcc and glibc than
# bookworm's (trixie's arm64 ones with its aarch64 cross gcc 14); then
# "sid-chroot.sh run CMD..." runs CMD inside it. SID_CHROOT_NEED names
# packages (comma-separated) beyond the list below that CMD needs (sid's
# 7.2-arm64: aarch64 cross gcc 16): a chroot without them is made again
# with them, once, so a run that boots none of those kernels (CI's) never
# downloads them.
#
# CMD runs in a private mount namespace where /dev, /proc and the project's
# tree (and cache and build folders) are bind-mounted at their own paths, so
# every path means the same inside and out and nothing stays mounted after.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

root=$CACHE/sid-chroot
# what every user of the chroot needs; its stamp lists what it holds, and a
# chroot whose stamp lacks one of these or of SID_CHROOT_NEED is rebuilt
packages="gcc-14,gcc-16,gcc-14-aarch64-linux-gnu,make,pahole,libc6-dev,bc,kmod,sparse"

# has_all LIST: the chroot's stamp holds every package of comma-separated LIST
has_all() {
	local p have
	have=",$(cat "$root.stamp" 2>/dev/null),"
	for p in ${1//,/ }; do
		case $have in *",$p,"*) ;; *) return 1 ;; esac
	done
}

make_chroot() {
	local want=$packages${SID_CHROOT_NEED:+,$SID_CHROOT_NEED}
	has_all "$want" && [ -x "$root/usr/bin/make" ] && return 0
	# what an older chroot had beyond the list stays (an extra package asked
	# for once is not downloaded anew by the next run that lacks it)
	[ -x "$root/usr/bin/make" ] && has_all "$packages" &&
		want=$(printf '%s\n' "$want" "$(cat "$root.stamp")" | tr ',' '\n' | sort -u | paste -sd,)
	packages=$want
	local mirror
	mirror=$(debian_mirror bookworm) || die "sid chroot: cannot find the Debian archive in /etc/apt"
	log "sid chroot: creating $root ($packages)"
	rm -rf "$root" "$root.stamp"
	mmdebstrap --quiet --variant=essential --include="$packages" \
		--aptopt='Acquire::Check-Valid-Until "false"' \
		sid "$root" "deb [signed-by=$KEYRING] $mirror sid main" >"$CACHE/sid-chroot.log" 2>&1 ||
		{ tail -n 20 "$CACHE/sid-chroot.log" >&2; die "sid chroot: mmdebstrap failed"; }
	printf '%s\n' "$packages" >"$root.stamp"
}

run_in_chroot() {
	local d binds=()
	for d in "$VMLAB_TOP" "$CACHE" "$BUILD"; do
		binds+=("$d")
	done
	# shellcheck disable=SC2016 # expanded by the inner bash
	unshare --mount --propagation private -- bash -euc '
		root=$1; shift
		mount --rbind /dev "$root/dev"
		mount -t proc proc "$root/proc"
		n=$1; shift
		for ((i = 0; i < n; i++)); do
			mkdir -p "$root$1" "$1"
			mount --bind "$1" "$root$1"
			shift
		done
		exec chroot "$root" env PATH=/usr/sbin:/usr/bin:/sbin:/bin "$@"
	' bash "$root" "${#binds[@]}" "${binds[@]}" "$@"
}

mkdir -p "$CACHE"
exec 9>"$CACHE/sid-chroot.lock"
flock 9
make_chroot
if [ "${1:-}" = run ]; then
	shift
	flock -u 9
	run_in_chroot "$@"
fi
