#!/usr/bin/env bash
# bench.sh [KERNEL...] - the command behind "make bench": prepare the host
# (prepare-host.sh), then for each kernel (default lib.sh's BENCH_KERNELS,
# or $KERNELS; "default", "ci" and "all" name lib.sh's lists) prepare it
# (prepare-kernel.sh: fetch, vmlab.ko, initramfs) and boot it in bench mode
# (run-vm.sh K bench), whose guest output lands in $BUILD/K/bench.log; cut
# from it the table ($BUILD/K/bench.txt), the JSON ($BUILD/K/bench.json) and
# with VMLAB_PERF=1 the profiles of the benchmarks that missed a target
# ($BUILD/K/perf.txt, perf from scripts/fetch-perf.sh), and keep the JSON
# with its commit in $BUILD/bench-history/ (bench-compare.sh reads it). Prints each phase's
# seconds and every kernel's table at the end. Numbers are never judged
# here: exits 1 only when a kernel could not be built or booted or a
# benchmark failed to run. VMLAB_BENCH_REPS, VMLAB_BENCH_SIZE and
# VMLAB_BENCH_ONLY (comma-separated names, see vmlab-bench --list) reach the
# guest.
set -uo pipefail
. "$(dirname "$0")/lib.sh"

read -ra names <<<"${*:-${KERNELS:-$BENCH_KERNELS}}"
kernels=$(kernel_list "${names[@]}") || exit 1

# bench_report K: split the guest's bench.log at its marker lines
# ("# vmlab: perf", "# vmlab: bench table", "# vmlab: bench.json",
# "# vmlab: done") into perf.txt (only when not empty), bench.txt and
# bench.json.
bench_report() {
	local dir=$BUILD/$1
	section() { # the lines between two marker lines of the guest's output
		tr -d '\r' <"$dir/bench.log" | sed -n "/^# vmlab: $1\$/,/^# vmlab: $2\$/p" | sed '1d;$d'
	}
	section perf "bench table" >"$dir/perf.txt"
	section "bench table" bench.json >"$dir/bench.txt"
	section bench.json "done" >"$dir/bench.json"
	[ -s "$dir/perf.txt" ] || rm -f "$dir/perf.txt"
}

# bench_store K: keep K's bench.json in $BUILD/bench-history/ as
# DATE_K_COMMIT.json (COMMIT with -dirty when the tree has changes), the
# commit added to it, for bench-compare.sh
bench_store() {
	local hist=$BUILD/bench-history commit
	commit=$(git -C "$VMLAB_TOP" rev-parse --short HEAD 2>/dev/null || echo unknown)
	git -C "$VMLAB_TOP" diff --quiet HEAD 2>/dev/null || commit+=-dirty
	mkdir -p "$hist"
	jq --arg commit "$commit" '. + {commit: $commit}' "$BUILD/$1/bench.json" \
		>"$hist/$(date -u +%Y%m%dT%H%M%SZ)_$1_$commit.json"
}

"$VMLAB_TOP/scripts/prepare-host.sh" || exit 1

failed=0
for k in $kernels; do
	log "==== kernel $k: benchmarks"
	if ! "$VMLAB_TOP/scripts/prepare-kernel.sh" "$k"; then
		log "kernel $k: the benchmarks did not run through"
		failed=1
		continue
	fi
	phase "$k VM" "$VMLAB_TOP/scripts/run-vm.sh" "$k" bench
	rc=$?
	[ -f "$BUILD/$k/bench.log" ] && bench_report "$k"
	[ -s "$BUILD/$k/bench.json" ] && bench_store "$k"
	if [ $rc -ne 0 ]; then
		log "kernel $k: the benchmarks did not run through"
		failed=1
	fi
done

for k in $kernels; do
	echo
	if [ -s "$BUILD/$k/bench.txt" ]; then
		cat "$BUILD/$k/bench.txt"
		[ -f "$BUILD/$k/perf.txt" ] && { echo; cat "$BUILD/$k/perf.txt"; }
	else
		echo "kernel $k: no table (see $BUILD/$k/bench.log)"
	fi
done
exit $failed
