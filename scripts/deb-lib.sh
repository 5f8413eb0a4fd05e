# shellcheck shell=bash
# deb-lib.sh - what the Debian-system scripts (deb-image.sh, deb-qcow2.sh,
# deb-test.sh, deb-qcow2-run.sh) share: the packages of a system vmlab's
# .debs install into offline, the archive it comes from, and the host
# folder at /host. Sourced after lib.sh, never run.

# systemd, udev, Debian's kernel and its headers, what DKMS builds with
# (6.12's kbuild wants pahole, BTF, even for external modules: trixie's
# kernel, and the backports kernel whose headers deb-test.sh adds), and the
# tool's libraries (libtracefs, libtraceevent)
# shellcheck disable=SC2034 # used by the scripts that source this file
DEB_SYSTEM_PACKAGES="systemd-sysv udev kmod apt adduser initramfs-tools
	linux-image-amd64 linux-headers-amd64 dkms gcc make libc6-dev dwarves
	e2fsprogs procps libtracefs1 libtraceevent1"

# the host folder at /host (virtio-9p) in the Debian VMs as in the
# initramfs ones: the image's mount unit (DEB_SHARE_HOOKS, for mmdebstrap),
# and QEMU's side, deb_share_qemu
DEB_SHARE_UNIT=$VMLAB_TOP/scripts/guest/vmlab-deb-host.mount
# mmdebstrap expands $1 (the root) in each hook itself
# shellcheck disable=SC2016,SC2034
DEB_SHARE_HOOKS=(--customize-hook="install -m 0644 '$DEB_SHARE_UNIT' \"\$1/etc/systemd/system/host.mount\""
	--customize-hook='mkdir -p "$1/host" "$1/etc/systemd/system/multi-user.target.wants" && ln -s ../host.mount "$1/etc/systemd/system/multi-user.target.wants/"')

# deb_share_qemu: QEMU's options and the kernel command line's word that
# share VMLAB_SHARE (default lab/ in the checkout, made when missing) at
# /host, as run-vm.sh does: SHARE_QEMU (an array) and SHARE_CMDLINE, both
# empty when VMLAB_SHARE is set empty
deb_share_qemu() {
	local share=${VMLAB_SHARE-$VMLAB_TOP/lab}
	SHARE_QEMU=() SHARE_CMDLINE=
	[ -n "$share" ] || return 0
	mkdir -p "$share" || die "VMLAB_SHARE: cannot create $share"
	share=$(cd "$share" && pwd)
	# QEMU's option syntax: a comma in a value is written twice
	# shellcheck disable=SC2054 # QEMU's option values hold commas
	SHARE_QEMU=(-virtfs "local,path=${share//,/,,},mount_tag=host,security_model=none,id=host")
	SHARE_CMDLINE=" vmlab_share=1"
	log "host folder $share at /host in the guest"
}

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
