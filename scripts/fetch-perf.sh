#!/usr/bin/env bash
# fetch-perf.sh - Debian bookworm's linux-perf, downloaded with the private
# apt configuration and unpacked with dpkg-deb into $CACHE/perf/root, for
# profiling the benchmarks inside the VM (VMLAB_PERF=1). Bookworm's because
# its libraries are this host's, which initramfs.sh copies along as it does
# jq's; perf's user space drives newer kernels' perf_event_open too, so the
# one binary serves 6.1, 6.12 and 7.2. Prints the binary's path.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

out=$CACHE/perf
mkdir -p "$CACHE"
exec 9>"$CACHE/perf.lock"
flock 9
perf_bin() { ls "$out"/root/usr/bin/perf 2>/dev/null; }
if [ -z "$(perf_bin)" ]; then
	apt_private_update bookworm || die "perf: cannot read the bookworm package lists"
	dl=$CACHE/apt/bookworm/debs
	mkdir -p "$dl"
	(cd "$dl" && apt-get "${APT_OPTS[@]}" -qq download linux-perf) ||
		die "perf: download of linux-perf failed"
	deb=$(newest "$dl"/linux-perf_*.deb)
	log "perf: unpacking $(basename "$deb")"
	rm -rf "$out.new"
	mkdir -p "$out.new"
	dpkg-deb -x "$deb" "$out.new/root" || die "perf: cannot unpack $deb"
	rm -rf "$out"
	mv "$out.new" "$out"
fi
[ -n "$(perf_bin)" ] || die "perf: no usr/bin/perf in linux-perf"
perf_bin
