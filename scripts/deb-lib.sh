# shellcheck shell=bash
# deb-lib.sh - what the Debian-system scripts (deb-image.sh, deb-qcow2.sh)
# share: the packages of a system vmlab's .debs install into offline, and
# the archive it comes from. Sourced after lib.sh, never run.

# systemd, udev, Debian's kernel and its headers, what DKMS builds with, and
# the tool's libraries (libtracefs, libtraceevent)
# shellcheck disable=SC2034 # used by the scripts that source this file
DEB_SYSTEM_PACKAGES="systemd-sysv udev kmod apt adduser initramfs-tools
	linux-image-amd64 linux-headers-amd64 dkms gcc make libc6-dev
	e2fsprogs procps libtracefs1 libtraceevent1"

# deb_sources SUITE: mmdebstrap's sources for SUITE, from the mirrors this
# machine's apt uses (bookworm with its security suite, as apt_private).
deb_sources() {
	local main sec
	main=$(debian_mirror bookworm) ||
		die "cannot find the Debian archive in /etc/apt (set DEBIAN_MIRROR)"
	echo "deb [signed-by=$KEYRING] $main $1 main"
	if [ "$1" = bookworm ]; then
		sec=$(debian_mirror bookworm-security) ||
			die "cannot find bookworm-security in /etc/apt (set DEBIAN_SECURITY_MIRROR)"
		echo "deb [signed-by=$KEYRING] $sec bookworm-security main"
	fi
}
