#!/usr/bin/env bash
# prepare-host.sh - what every VM run needs on the host, once, whatever the
# kernel: the host packages (deps.sh), the kselftest headers and checkpatch
# (linux-source.sh), then the static tools, benchmarks and selftests
# ("make static"). Prints each phase's seconds; exits 1 when one failed.
# Called by check.sh, bench.sh and "make demo" / "make vm-shell".
set -uo pipefail
. "$(dirname "$0")/lib.sh"

phase "host packages" "$VMLAB_TOP/scripts/deps.sh" || exit 1
phase "kselftest headers" "$VMLAB_TOP/scripts/linux-source.sh" || exit 1
phase "tools and selftests" make -s -C "$VMLAB_TOP" static || exit 1
