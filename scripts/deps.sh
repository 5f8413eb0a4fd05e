#!/usr/bin/env bash
# deps.sh - install, from Debian's archive with apt-get, the host packages the
# project needs (QEMU, busybox-static, cpio, pahole, mmdebstrap, sparse, the
# linter shellcheck, ...).
# Does nothing when they are all there; needs root otherwise.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

# the last line: what the debug kernel's build needs
packages="qemu-system-x86 busybox-static cpio pahole mmdebstrap sparse shellcheck zstd
	xz-utils jq bc kmod gcc make libc6-dev perl util-linux
	flex bison libelf-dev libssl-dev"
missing=()
for p in $packages; do
	dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep '^install ok installed$' >/dev/null ||
		missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" != 0 ]; then
	die "missing packages: ${missing[*]} (run: sudo apt-get install ${missing[*]})"
fi
log "installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get -qq update >/dev/null
apt-get -qq install -y --no-install-recommends "${missing[@]}" >/dev/null ||
	die "apt-get install ${missing[*]} failed"
