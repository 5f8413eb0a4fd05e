#!/usr/bin/env bash
# check.sh [KERNEL...] - the test command behind "make check": prepare the
# host (prepare-host.sh: packages, tools and selftests), then for each kernel
# (default the matrix, or $KERNELS; the names "default", "ci" and "all"
# stand for lib.sh's lists) prepare it (prepare-kernel.sh: fetch, vmlab.ko,
# initramfs), boot it (run-vm.sh K check) and count the TAP. One kernel
# failing to fetch or build is reported and the others still run. Prints
# each phase's seconds; ends with one line "N passed, N failed, N skipped"
# and exits 1 when anything failed. A "deb-SUITE" entry builds the packages
# (deb-build.sh, once) and runs deb-test.sh SUITE, counted like a kernel.
set -uo pipefail
. "$(dirname "$0")/lib.sh"

read -ra names <<<"${*:-${KERNELS:-default}}"
kernels=$(kernel_list "${names[@]}") || exit 1

t_all=$(now_s)
"$VMLAB_TOP/scripts/prepare-host.sh" || exit 1

# The VMs check.sh started in the background (VMLAB_JOBS) are stopped
# when it ends, interrupted or not: each job and its children (QEMU).
vm_pids=()
kill_tree() {
	local c
	for c in $(pgrep -P "$1"); do kill_tree "$c"; done
	kill "$1" 2>/dev/null
}
stop_background() {
	local p
	for p in "${vm_pids[@]}"; do kill_tree "$p"; done
}
trap stop_background EXIT

# Each entry's result is one file, $BUILD/ENTRY/check.result: "P F S LINE"
# (its counts, then its summary line), read in the list's order at the end.
# VMLAB_JOBS=N (default 1; CI sets 2) boots up to N VMs at once: a VM uses
# about one core of two (many tests are single-threaded). Preparing a
# kernel (downloads, builds, the initramfs) stays one at a time; with more
# than one job, each VM's output is kept in $BUILD/ENTRY/check.out and
# printed whole when it ends.
jobs=${VMLAB_JOBS:-1}
case $jobs in '' | *[!0-9]* | 0) die "VMLAB_JOBS: '$jobs' is not a number of VMs (1 or more)" ;; esac
result() { # result ENTRY P F S LINE
	mkdir -p "$BUILD/$1"
	printf '%s %s %s %s\n' "$2" "$3" "$4" "$5" >"$BUILD/$1/check.result"
}

# vm_check K: boot K (prepared) for its tests and write its result
vm_check() {
	local k=$1 t rc boot slow p f s note
	t=$(now_s)
	"$VMLAB_TOP/scripts/run-vm.sh" "$k" check
	rc=$?
	boot=$(elapsed "$t")
	log "phase $k VM: $boot s"
	# where the VM's time went: its five slowest selftests (run-tests times each)
	slow=$(tr -d '\r' <"$BUILD/$k/tap.log" |
		sed -n 's/^# vmlab: selftest \(.*\) took \(.*\) s$/\2 \1/p' | sort -rn | head -n 5 | awk '{ printf "%s%s %s s", (NR > 1 ? ", " : ""), $2, $1 }')
	[ -z "$slow" ] || log "phase $k slowest selftests: $slow"
	read -r p f s < <(awk -f "$VMLAB_TOP/scripts/tap-count.awk" "$BUILD/$k/tap.log")
	note=
	if ! grep -q '^# vmlab: done' "$BUILD/$k/tap.log"; then
		f=$((f + 1))
		note=" (the guest did not finish)"
	elif [ $rc -ne 0 ] && [ "$f" -eq 0 ]; then
		f=1
		note=" (the guest reported a failure no test showed)"
	fi
	result "$k" "$p" "$f" "$s" \
		"kernel $k: $KREL ($KVERSION), VM ${boot} s: $p passed, $f failed, $s skipped$note"
}

# deb_check SUITE: the packaged test of Debian SUITE (the packages built)
deb_check() {
	local r=$BUILD/deb-$1/result p f s line
	rm -f "$r"
	phase "deb-$1" "$VMLAB_TOP/scripts/deb-test.sh" "$1"
	if ! read -r p f s line <"$r"; then
		p=0 f=1 s=0 line="kernel deb-$1: the packaged test gave no result: 0 passed, 1 failed"
	fi
	result "deb-$1" "$p" "$f" "$s" "$line"
}

# spawn ENTRY CMD...: run CMD now (one job) or as one of the VMLAB_JOBS VMs
spawn() {
	local entry=$1 n p
	shift
	if [ "$jobs" -eq 1 ]; then
		"$@"
		return
	fi
	while :; do
		n=0
		for p in "${vm_pids[@]}"; do kill -0 "$p" 2>/dev/null && n=$((n + 1)); done
		[ "$n" -lt "$jobs" ] && break
		wait -n 2>/dev/null || sleep 1
	done
	log "$entry: VM started (its output follows when it ends)"
	(
		"$@" >"$BUILD/$entry/check.out" 2>&1
		# one VM's output at a time
		exec 8>"$BUILD/check-print.lock"
		flock 8
		log "==== $entry (its VM's output)"
		cat "$BUILD/$entry/check.out"
	) &
	vm_pids+=($!)
}

debs_built=
for k in $kernels; do
	log "==== kernel $k"
	mkdir -p "$BUILD/$k"
	rm -f "$BUILD/$k/check.result"
	case $k in
	deb-*)
		if [ -z "$debs_built" ]; then
			if ! phase "packages" "$VMLAB_TOP/scripts/deb-build.sh"; then
				result "$k" 0 1 0 "kernel $k: make deb failed, not booted: 0 passed, 1 failed"
				continue
			fi
			debs_built=1
		fi
		spawn "$k" deb_check "${k#deb-}"
		continue
		;;
	esac
	"$VMLAB_TOP/scripts/prepare-kernel.sh" "$k"
	rc=$?
	if [ $rc -ne 0 ]; then
		case $rc in 3) step=fetch ;; 4) step=build ;; 5) step=initramfs ;; *) step=preparation ;; esac
		result "$k" 0 1 0 "kernel $k: $step failed, not booted: 0 passed, 1 failed"
		continue
	fi
	load_kernel_env "$k" || exit 1
	spawn "$k" vm_check "$k"
done
for p in "${vm_pids[@]}"; do wait "$p"; done

total_p=0 total_f=0 total_s=0
summary=()
for k in $kernels; do
	if ! read -r p f s line <"$BUILD/$k/check.result"; then
		p=0 f=1 s=0 line="kernel $k: no result: 0 passed, 1 failed"
	fi
	total_p=$((total_p + p)) total_f=$((total_f + f)) total_s=$((total_s + s))
	summary+=("$line")
done

log "==== summary (${t_all:+$(elapsed "$t_all") s in all})"
printf '%s\n' "${summary[@]}"
echo "$total_p passed, $total_f failed, $total_s skipped"
[ "$total_f" -eq 0 ]
