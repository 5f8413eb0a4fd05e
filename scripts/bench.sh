#!/usr/bin/env bash
# bench.sh [KERNEL...] - the command behind "make bench": build the tools,
# then for each kernel (default 6.12, or $KERNELS) fetch it, build vmlab.ko,
# pack the initramfs and boot it in bench mode (run-vm.sh K bench), which
# leaves the table in $BUILD/K/bench.txt and the JSON in $BUILD/K/bench.json.
# Prints every kernel's table at the end. Numbers are never judged here:
# exits 1 only when a kernel could not be built or booted or a benchmark
# failed to run. VMLAB_BENCH_REPS, VMLAB_BENCH_SIZE and VMLAB_BENCH_ONLY
# (comma-separated names, see vmlab-bench --list) reach the guest;
# VMLAB_PERF=1 adds perf (scripts/fetch-perf.sh) and the profiles of the
# benchmarks that missed a target ($BUILD/K/perf.txt).
set -uo pipefail
. "$(dirname "$0")/lib.sh"

kernels=${*:-${KERNELS:-6.12}}
for k in $kernels; do check_kernel "$k"; done

"$VMLAB_TOP/scripts/deps.sh" || exit 1
"$VMLAB_TOP/scripts/linux-source.sh" || exit 1
make -s -C "$VMLAB_TOP" static || exit 1

failed=0
for k in $kernels; do
	log "==== kernel $k: benchmarks"
	if ! "$VMLAB_TOP/scripts/fetch-kernel.sh" "$k" ||
		! "$VMLAB_TOP/scripts/build-module.sh" "$k" ||
		! "$VMLAB_TOP/scripts/initramfs.sh" "$k" ||
		! "$VMLAB_TOP/scripts/run-vm.sh" "$k" bench; then
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
