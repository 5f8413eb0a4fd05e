#!/usr/bin/env bash
# pictures.sh [KERNEL] - the pictures of "make pictures": boot KERNEL
# (default lib.sh's DEMO_KERNEL) in the VM's shell mode, have the selftest
# tree's "pictures" test draw them there (the tree of a heap after fork as
# SVG and HTML, an address space as SVG), bring them back over the serial
# console (base64 between marker lines) into $BUILD/pictures, then check
# them on the host (check-pictures.sh: xmllint and a headless Chromium).
# Until the VM shares a host folder, the serial console is the way out; with
# a share, the guest can write them there (VMLAB_PICTURES=/host/...) and
# check-pictures.sh takes that folder.
set -uo pipefail
. "$(dirname "$0")/lib.sh"

K=${1:-$DEMO_KERNEL}
out=$BUILD/pictures
"$VMLAB_TOP/scripts/prepare-host.sh" || exit 1
"$VMLAB_TOP/scripts/prepare-kernel.sh" "$K" || exit 1
mkdir -p "$out"
log_file=$out/console.log
rm -f "$out"/*.svg "$out"/*.html "$out"/*.png

# the guest's commands, sent once its shell is up: no echo and no prompt,
# so that only the marker lines printed hold "@@"
# shellcheck disable=SC2016 # for the guest's shell to expand
guest_cmds='stty -echo; PS1=
mkdir -p /tmp/pictures
VMLAB_PICTURES=/tmp/pictures /lib/vmlab/selftests/tree -t pictures >/tmp/pictures.log 2>&1
echo "@@rc $?"
for f in /tmp/pictures/*; do echo "@@file ${f##*/}"; base64 "$f"; done
echo "@@end"
exit'

coproc VM { NO_COLOR=1 timeout 600 "$VMLAB_TOP/scripts/run-vm.sh" "$K" shell 2>&1; }
: >"$log_file"
sent=0
while IFS= read -r line <&"${VM[0]}"; do
	line=${line%$'\r'}
	printf '%s\n' "$line" >>"$log_file"
	if [ $sent = 0 ] && [[ $line == "vmlab loaded:"* ]]; then
		sleep 2 # the shell's prompt
		printf '%s\n' "$guest_cmds" >&"${VM[1]}"
		sent=1
	fi
done
wait "$VM_PID" 2>/dev/null

# cut the files out of the console's log
awk -v dir="$out" '
	{ sub(/^.*@@/, "@@") }
	/^@@rc / { rc = $2 }
	/^@@file / { file = dir "/" $2; next }
	/^@@end/ { file = "" }
	file != "" && /^[A-Za-z0-9+\/=]+$/ { print > (file ".b64") }
	END { exit rc == "" ? 2 : rc }
' "$log_file"
rc=$?
for f in "$out"/*.b64; do
	[ -e "$f" ] || continue
	base64 -d "$f" >"${f%.b64}" && rm -f "$f"
done
[ $rc -eq 0 ] || die "kernel $K: the pictures test failed or did not run (rc $rc; see $log_file)"
log "pictures of kernel $K in $out: $(cd "$out" && echo *.svg *.html)"
"$VMLAB_TOP/scripts/check-pictures.sh" "$out"
