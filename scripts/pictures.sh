#!/usr/bin/env bash
# pictures.sh [KERNEL] - the pictures of "make pictures": boot KERNEL
# (default lib.sh's DEMO_KERNEL) in the VM's run mode with $BUILD/pictures
# as its host folder (VMLAB_SHARE, at /host in the guest), have the
# selftests' "pictures" tests draw them straight into /host (tree.c: the
# tree of a heap after fork as SVG and HTML, an address space as SVG;
# lab.c: every lesson's before and after pictures, in /host/lab), then
# check them on the host (check-pictures.sh: xmllint and a headless
# Chromium). Any VMLAB_SHARE of the caller is set aside for this run: the
# pictures need a folder of their own. The guest's and the host's TAP are
# counted together: the last line is "N passed, N failed, N skipped" (CI
# adds it to make check's), and the phase's seconds are logged. Exits 1
# when anything failed.
set -uo pipefail
. "$(dirname "$0")/lib.sh"

K=${1:-$DEMO_KERNEL}
out=$BUILD/pictures
tap=$BUILD/pictures.tap
t0=$(now_s)
"$VMLAB_TOP/scripts/prepare-host.sh" || exit 1
"$VMLAB_TOP/scripts/prepare-kernel.sh" "$K" || exit 1
mkdir -p "$out"
rm -rf "$out"/*.svg "$out"/*.html "$out"/*.png "$out/lab"

# the guest's command: without /host (a kernel without 9p) nothing could
# come back, so that is a failure of its own; both tests run in any case
# shellcheck disable=SC2016 # for the guest's shell to expand
guest_cmd='[ -d /host ] || { echo "no host folder at /host"; exit 3; }
rc=0
VMLAB_PICTURES=/host /lib/vmlab/selftests/tree -t pictures || rc=1
VMLAB_PICTURES=/host /lib/vmlab/selftests/lab -t pictures || rc=1
exit $rc'
VMLAB_SHARE=$out "$VMLAB_TOP/scripts/run-vm.sh" "$K" run "$guest_cmd" | tee "$tap"
rc=${PIPESTATUS[0]}
[ "$rc" -eq 0 ] || log "kernel $K: the pictures tests failed or did not run (rc $rc)"
log "pictures of kernel $K in $out: $(cd "$out" && echo *.svg *.html lab/*.svg | wc -w) files"
"$VMLAB_TOP/scripts/check-pictures.sh" "$out" | tee -a "$tap"
host_rc=${PIPESTATUS[0]}
read -r p f s < <(awk -f "$VMLAB_TOP/scripts/tap-count.awk" "$tap")
# a failure no TAP line shows (the VM, or the host's check before its TAP)
if [ "$rc" -ne 0 ] || [ "$host_rc" -ne 0 ]; then
	[ "$f" -gt 0 ] || f=1
fi
log "phase pictures ($K): $(elapsed "$t0") s"
echo "$p passed, $f failed, $s skipped"
[ "$f" -eq 0 ]
