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

# A debug kernel not built yet (an empty cache) takes 15 to 30 minutes of
# compiling; the other kernels' VMs leave a core idle much of the time
# (many tests are single-threaded), so the builds start now, one after the
# other, at the lowest priority: the VMs keep their CPU and the builds get
# what is left. A debug kernel's own turn (debug-kernel.sh takes the
# build's lock) waits for what is left of its build. Listing the debug
# kernels last (CI_KERNELS does) gives the builds the most time.
prebuild=()
for k in $kernels; do
	is_debug_kernel "$k" && [ ! -f "$(kernel_dir "$k")/kernel.env" ] && prebuild+=("$k")
done
if [ ${#prebuild[@]} -gt 0 ]; then
	mkdir -p "$BUILD"
	log "building ${prebuild[*]} in the background (log: $BUILD/debug-prebuild.log)"
	(
		for k in "${prebuild[@]}"; do
			nice -n 19 "$VMLAB_TOP/scripts/debug-kernel.sh" "$k" || true
		done
	) >"$BUILD/debug-prebuild.log" 2>&1 &
	prebuild_pid=$!
	# what is still building when check.sh ends (interrupted, or a debug
	# kernel not in its turn yet) is stopped, make's compilers too
	kill_tree() {
		local c
		for c in $(pgrep -P "$1"); do kill_tree "$c"; done
		kill "$1" 2>/dev/null
	}
	trap 'kill_tree "$prebuild_pid"' EXIT
fi

total_p=0 total_f=0 total_s=0
summary=()
debs_built=
# deb SUITE: the packaged test of Debian SUITE, its counts added to the totals
deb() {
	local r=$BUILD/deb-$1/result p f s line
	if [ -z "$debs_built" ]; then
		phase "packages" "$VMLAB_TOP/scripts/deb-build.sh" || {
			total_f=$((total_f + 1))
			summary+=("kernel deb-$1: make deb failed, not booted: 0 passed, 1 failed")
			return
		}
		debs_built=1
	fi
	rm -f "$r"
	phase "deb-$1" "$VMLAB_TOP/scripts/deb-test.sh" "$1"
	if ! read -r p f s line <"$r"; then
		p=0 f=1 s=0 line="kernel deb-$1: the packaged test gave no result: 0 passed, 1 failed"
	fi
	total_p=$((total_p + p)) total_f=$((total_f + f)) total_s=$((total_s + s))
	summary+=("$line")
}

for k in $kernels; do
	log "==== kernel $k"
	case $k in deb-*) deb "${k#deb-}"; continue ;; esac
	"$VMLAB_TOP/scripts/prepare-kernel.sh" "$k"
	rc=$?
	if [ $rc -ne 0 ]; then
		case $rc in 3) step=fetch ;; 4) step=build ;; 5) step=initramfs ;; *) step=preparation ;; esac
		total_f=$((total_f + 1))
		summary+=("kernel $k: $step failed, not booted: 0 passed, 1 failed")
		continue
	fi
	load_kernel_env "$k" || exit 1
	t=$(now_s)
	"$VMLAB_TOP/scripts/run-vm.sh" "$k" check
	rc=$?
	boot=$(elapsed "$t")
	log "phase $k VM: $boot s"
	# where the VM's time went: its five slowest selftests (run-tests times each)
	slow=$(sed -n 's/^# vmlab: selftest \(.*\) took \(.*\) s$/\2 \1/p' "$BUILD/$k/tap.log" |
		sort -rn | head -n 5 | awk '{ printf "%s%s %s s", (NR > 1 ? ", " : ""), $2, $1 }')
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
	total_p=$((total_p + p)) total_f=$((total_f + f)) total_s=$((total_s + s))
	summary+=("kernel $k: $KREL ($KVERSION), VM ${boot} s: $p passed, $f failed, $s skipped$note")
done

log "==== summary (${t_all:+$(elapsed "$t_all") s in all})"
printf '%s\n' "${summary[@]}"
echo "$total_p passed, $total_f failed, $total_s skipped"
[ "$total_f" -eq 0 ]
