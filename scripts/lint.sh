#!/usr/bin/env bash
# lint.sh - "make lint": checkpatch.pl --no-tree --strict (from Debian's
# linux-source-6.12) on the kernel code and the uapi header, then sparse
# (C=2) on the module built for 6.1 and 6.12. Exits 1 on any finding.
set -uo pipefail
. "$(dirname "$0")/lib.sh"

"$VMLAB_TOP/scripts/deps.sh" || exit 1
"$VMLAB_TOP/scripts/linux-source.sh" || exit 1
status=0

checkpatch() { # checkpatch [OPTIONS] FILE...
	perl "$CACHE/linux-source/scripts/checkpatch.pl" --no-tree --strict --quiet \
		--show-types "$@"
}
compat=$VMLAB_TOP/module/compat.h
files=()
for f in "$VMLAB_TOP"/module/*.[ch] "$VMLAB_TOP"/module/arch/*.[ch] \
	 "$VMLAB_TOP"/uapi/linux/*.h; do
	[ "$f" = "$compat" ] || files+=("$f")
done
log "checkpatch --strict: ${files[*]#"$VMLAB_TOP"/} module/compat.h"
checkpatch -f "${files[@]}" || status=1
# compat.h is where the kernel version is read, and the only such place
checkpatch --ignore LINUX_VERSION_CODE -f "$compat" || status=1

# sparse: 7.x kbuild lacks scripts/checker-valid.sh and skips it silently
for k in 6.1 6.12; do
	"$VMLAB_TOP/scripts/fetch-kernel.sh" "$k" || { status=1; continue; }
	log "sparse (C=2) against $k"
	out=$("$VMLAB_TOP/scripts/build-module.sh" "$k" C=2 2>&1)
	rc=$?
	findings=$(printf '%s\n' "$out" | grep -E 'warning:|error:' || true)
	if [ $rc -ne 0 ] || [ -n "$findings" ]; then
		printf '%s\n' "$out" >&2
		status=1
	fi
done
[ $status -eq 0 ] && log "lint: clean"
exit $status
