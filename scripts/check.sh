#!/usr/bin/env bash
# check.sh [KERNEL...] - the test command behind "make check": install what
# the host lacks, build the tools and selftests, then for each kernel (default
# the matrix, or $KERNELS) fetch it, build vmlab.ko, pack the initramfs, boot
# it and count the TAP. One kernel failing to fetch or build is reported and
# the others still run. Ends with one line "N passed, N failed, N skipped"
# and exits 1 when anything failed.
set -uo pipefail
. "$(dirname "$0")/lib.sh"

kernels=${*:-${KERNELS:-$DEFAULT_KERNELS}}
for k in $kernels; do check_kernel "$k"; done

t_all=$(now_s)
phase() { # phase NAME CMD...: run CMD, print its seconds
	local t rc
	t=$(now_s)
	"${@:2}"
	rc=$?
	log "phase $1: $(elapsed "$t") s${rc:+$([ $rc -ne 0 ] && echo ", failed ($rc)")}"
	return $rc
}

phase "host packages" "$VMLAB_TOP/scripts/deps.sh" || exit 1
phase "kselftest headers" "$VMLAB_TOP/scripts/linux-source.sh" || exit 1
phase "tools and selftests" make -s -C "$VMLAB_TOP" static || exit 1

total_p=0 total_f=0 total_s=0
summary=()
for k in $kernels; do
	log "==== kernel $k"
	step=
	if ! phase "$k fetch" "$VMLAB_TOP/scripts/fetch-kernel.sh" "$k"; then
		step=fetch
	elif ! phase "$k build" "$VMLAB_TOP/scripts/build-module.sh" "$k"; then
		step=build
	elif ! phase "$k initramfs" "$VMLAB_TOP/scripts/initramfs.sh" "$k"; then
		step=initramfs
	fi
	if [ -n "$step" ]; then
		total_f=$((total_f + 1))
		summary+=("kernel $k: $step failed, not booted: 0 passed, 1 failed")
		continue
	fi
	. "$CACHE/kernels/$k/kernel.env"
	t=$(now_s)
	"$VMLAB_TOP/scripts/run-vm.sh" "$k" check
	rc=$?
	boot=$(elapsed "$t")
	read -r p f s < <(awk -f "$VMLAB_TOP/scripts/tap-count.awk" "$BUILD/$k/tap.log")
	note=
	if ! grep -q '^# vmlab: done' "$BUILD/$k/tap.log"; then
		f=$((f + 1))
		note=" (the guest did not finish)"
	elif [ $rc -ne 0 ] && [ "$f" -eq 0 ]; then
		f=1
		note=" (the guest reported a failure no test showed)"
	fi
	total_p=$((total_p + p)) total_f=$((total_f + f)) total_s=$((total_s + s))
	summary+=("kernel $k: $KREL ($KVERSION), VM ${boot} s: $p passed, $f failed, $s skipped$note")
done

log "==== summary (${t_all:+$(elapsed "$t_all") s in all})"
printf '%s\n' "${summary[@]}"
echo "$total_p passed, $total_f failed, $total_s skipped"
[ "$total_f" -eq 0 ]
