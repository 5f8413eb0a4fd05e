#!/usr/bin/env bash
# lint.sh - "make lint", area by area, then one summary line per area:
#   kernel     checkpatch.pl --no-tree --strict (from Debian's
#              linux-source-6.12) on module/, module/arch/ and uapi/
#   sparse     sparse (C=2) on the module built for 6.1 and for 6.12
#   userspace, bench, selftests, guest, examples
#              checkpatch --no-tree --strict on the user-space C (userspace/
#              with its subfolders, bench/, selftests/, scripts/guest/*.c,
#              examples/), without the checks that only make sense in the kernel
#   shell      shellcheck on scripts/*.sh, the guest's shell scripts
#              (scripts/guest/) and .ci/run
# Every area runs even when an earlier one has findings. Exits 1 on any
# finding.
set -uo pipefail
. "$(dirname "$0")/lib.sh"

"$VMLAB_TOP/scripts/deps.sh" || exit 1
"$VMLAB_TOP/scripts/linux-source.sh" || exit 1
cd "$VMLAB_TOP" || exit 1

summary=()
status=0
# report AREA WHAT N NBAD [UNIT]: one summary line for an area, where NBAD
# of N files (or UNITs) had findings
report() {
	local unit=${5:-files}
	[ "$3" = 1 ] && [ "$unit" = files ] && unit="file"
	if [ "$4" -eq 0 ]; then
		summary+=("$1: clean ($3 $unit, $2)")
	else
		summary+=("$1: $4 of $3 $unit with findings ($2)")
		status=1
	fi
}

checkpatch() { # checkpatch [OPTIONS] -f FILE
	perl "$CACHE/linux-source/scripts/checkpatch.pl" --no-tree --strict --quiet \
		--show-types "$@"
}

# checkpatch_area AREA WHAT [OPTIONS --] FILE...: checkpatch each FILE,
# count the files with findings
checkpatch_area() {
	local area=$1 what=$2 opts=() f bad=0 n=0
	shift 2
	if [[ " $* " == *" -- "* ]]; then
		while [ "$1" != -- ]; do opts+=("$1"); shift; done
		shift
	fi
	log "checkpatch --strict ($area): $*"
	for f in "$@"; do
		n=$((n + 1))
		checkpatch "${opts[@]}" -f "$f" || bad=$((bad + 1))
	done
	report "$area" "$what" "$n" "$bad"
}

shopt -s nullglob globstar

# The kernel's code. compat.h is where the kernel version is read, and the
# only such place: LINUX_VERSION_CODE is allowed there alone.
kernel=()
for f in module/*.[ch] module/arch/*.[ch] uapi/linux/*.h; do
	[ "$f" = module/compat.h ] || kernel+=("$f")
done
checkpatch_area kernel "checkpatch --strict" "${kernel[@]}"
checkpatch_area compat.h "checkpatch --strict, LINUX_VERSION_CODE allowed" \
	--ignore LINUX_VERSION_CODE -- module/compat.h

# User space is C by the kernel's rules but not kernel code, so a few checks
# do not apply:
#   PREFER_KERNEL_TYPES  u32 and friends do not exist there: <stdint.h> types
#   VOLATILE             the tests force memory accesses (touch a page, read
#                        it back) through volatile pointers on purpose
#   BIT_MACRO            there is no BIT() outside the kernel
#   PREFER_DEFINED_ATTRIBUTE_MACRO  no __packed, __aligned, __printf there
#   PREFER_FALLTHROUGH   no fallthrough pseudo-keyword there
#   CAMELCASE            <inttypes.h>'s PRIx64, SCNx64 and the like
user_ignore=--ignore=PREFER_KERNEL_TYPES,VOLATILE,BIT_MACRO,PREFER_DEFINED_ATTRIBUTE_MACRO,PREFER_FALLTHROUGH,CAMELCASE
user="checkpatch --strict, user-space ignores"
checkpatch_area userspace "$user" "$user_ignore" -- userspace/**/*.[ch]
checkpatch_area bench "$user" "$user_ignore" -- bench/**/*.[ch]
checkpatch_area selftests "$user" "$user_ignore" -- selftests/**/*.[ch]
checkpatch_area guest "$user" "$user_ignore" -- scripts/guest/*.c
checkpatch_area examples "$user" "$user_ignore" -- examples/*.c

# sparse: 7.x kbuild lacks scripts/checker-valid.sh and skips it silently
bad=0
for k in 6.1 6.12; do
	if ! "$VMLAB_TOP/scripts/fetch-kernel.sh" "$k"; then
		bad=$((bad + 1))
		continue
	fi
	log "sparse (C=2) against $k"
	out=$("$VMLAB_TOP/scripts/build-module.sh" "$k" C=2 2>&1)
	rc=$?
	findings=$(printf '%s\n' "$out" | grep -E 'warning:|error:' || true)
	if [ $rc -ne 0 ] || [ -n "$findings" ]; then
		printf '%s\n' "$out" >&2
		bad=$((bad + 1))
	fi
done
report sparse "C=2 on the module built for them" 2 "$bad" "kernels (6.1, 6.12)"

# shell: every script, the guest's (#!/bin/sh, checked as POSIX sh) too;
# -x follows the scripts' ". lib.sh"
shell=(scripts/*.sh .ci/run)
for f in scripts/guest/*; do
	[ "$(head -c 2 "$f")" = "#!" ] && shell+=("$f")
done
log "shellcheck: ${shell[*]}"
bad=0
for f in "${shell[@]}"; do
	shellcheck -x -P SCRIPTDIR "$f" || bad=$((bad + 1))
done
report shell shellcheck "${#shell[@]}" "$bad"

log "==== lint summary"
printf '%s\n' "${summary[@]}"
if [ $status -eq 0 ]; then
	echo "lint: clean"
else
	echo "lint: findings (above)"
fi
exit $status
