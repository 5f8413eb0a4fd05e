#!/usr/bin/env bash
# pictures.sh [KERNEL] - the pictures of "make pictures": boot KERNEL
# (default lib.sh's DEMO_KERNEL) in the VM's run mode with $BUILD/pictures
# as its host folder (VMLAB_SHARE, at /host in the guest), have the
# selftest tree's "pictures" test draw them straight into /host (the tree
# of a heap after fork as SVG and HTML, an address space as SVG), then
# check them on the host (check-pictures.sh: xmllint and a headless
# Chromium). Any VMLAB_SHARE of the caller is set aside for this run: the
# pictures need a folder of their own.
set -uo pipefail
. "$(dirname "$0")/lib.sh"

K=${1:-$DEMO_KERNEL}
out=$BUILD/pictures
"$VMLAB_TOP/scripts/prepare-host.sh" || exit 1
"$VMLAB_TOP/scripts/prepare-kernel.sh" "$K" || exit 1
mkdir -p "$out"
rm -f "$out"/*.svg "$out"/*.html "$out"/*.png

# the guest's command: without /host (a kernel without 9p) nothing could
# come back, so that is a failure of its own
# shellcheck disable=SC2016 # for the guest's shell to expand
guest_cmd='[ -d /host ] || { echo "no host folder at /host"; exit 3; }
VMLAB_PICTURES=/host /lib/vmlab/selftests/tree -t pictures'
VMLAB_SHARE=$out "$VMLAB_TOP/scripts/run-vm.sh" "$K" run "$guest_cmd"
rc=$?
[ $rc -eq 0 ] || die "kernel $K: the pictures test failed or did not run (rc $rc)"
log "pictures of kernel $K in $out: $(cd "$out" && echo *.svg *.html)"
"$VMLAB_TOP/scripts/check-pictures.sh" "$out"
