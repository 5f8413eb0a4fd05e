#!/usr/bin/env bash
# ivshmem.sh fill|check FILE - the host's side of the ivshmem test: the
# 2 MiB file behind the VM's ivshmem-plain device (its BAR2).
#
# fill: writes the host's pattern over the whole file before boot: each
#   little-endian 8-byte word holds its own offset in the low 4 bytes and
#   "host" in the high 4 (what the guest's tests and "vmlab hexdump" see).
# check: after the VM powered off, prints a TAP document: the guest wrote
#   its pattern (offset in the low 4 bytes, "gwrt" in the high 4) over the
#   second MiB through its mapping of BAR2, and the first MiB still holds
#   the host's. Exits 1 when a check failed.
# The patterns are those of scripts/guest/ivshmem.h (the guest's side:
# selftests/pci.c and the lab's device lesson, userspace/lab/device.c).
set -euo pipefail

[ $# -eq 2 ] || { echo "usage: ivshmem.sh fill|check FILE" >&2; exit 2; }
mode=$1 file=$2
SIZE=$((2 << 20)) HALF=$((1 << 20))

# pattern TAG START END: the words of TAG's pattern from START to END
pattern() {
	perl -e 'my ($tag, $s, $e) = @ARGV; my $hi = unpack("V", $tag);
		binmode STDOUT;
		for (my $o = $s; $o < $e; $o += 8) { print pack("VV", $o, $hi) }' "$@"
}

case $mode in
fill)
	pattern host 0 $SIZE >"$file"
	;;
check)
	n=0 failed=0 out=""
	result() { # result OK NAME
		n=$((n + 1))
		if [ "$1" = 1 ]; then
			out+="ok $n $2"$'\n'
		else
			out+="not ok $n $2"$'\n'
			failed=1
		fi
	}
	ok=0
	[ "$(stat -c %s "$file")" -eq $SIZE ] && ok=1
	result $ok "host: the ivshmem file is still 2 MiB"
	ok=0
	cmp -s <(tail -c +$((HALF + 1)) "$file") <(pattern gwrt $HALF $SIZE) && ok=1
	result $ok "host: the guest's pattern, written through its BAR2 mapping, is in the file's second MiB"
	ok=0
	cmp -s <(head -c $HALF "$file") <(pattern host 0 $HALF) && ok=1
	result $ok "host: the file's first MiB still holds the host's pattern"
	printf 'TAP version 13\n1..%d\n%s' "$n" "$out"
	exit $failed
	;;
*)
	echo "ivshmem.sh: unknown mode '$mode' (fill or check)" >&2
	exit 2
	;;
esac
