#!/usr/bin/env bash
# extract-vmlinux.sh VMLINUZ OUT - write the uncompressed ELF kernel found
# inside a bzImage: try every compressed-stream signature in the image and
# keep the first one that decompresses to an ELF file.
set -euo pipefail
[ $# -eq 2 ] || { echo "usage: extract-vmlinux.sh VMLINUZ OUT" >&2; exit 2; }
in=$1 out=$2
tmp=$(mktemp)
trap 'rm -f "$tmp"' EXIT

is_elf() { [ "$(head -c 4 "$1" | od -An -tx1 | tr -d ' \n')" = 7f454c46 ]; }

# signature (as grep -P bytes) and the decompressor for it
try() {
	local sig=$1 off
	shift
	while read -r off; do
		tail -c +$((off + 1)) "$in" | "$@" >"$tmp" 2>/dev/null || true
		if [ -s "$tmp" ] && is_elf "$tmp"; then
			mv "$tmp" "$out"
			trap - EXIT
			return 0
		fi
	done < <(LC_ALL=C grep -aboP "$sig" "$in" | cut -d: -f1)
	return 1
}

try '\x28\xb5\x2f\xfd' zstd -dc ||
	try '\xfd\x37\x7a\x58\x5a\x00' xz -dc ||
	try '\x1f\x8b\x08' gzip -dc ||
	try '\x5d\x00\x00\x00' xz -dc --format=lzma ||
	try '\x02\x21\x4c\x18' lz4 -dc ||
	try '\x42\x5a\x68' bzip2 -dc ||
	{ echo "extract-vmlinux.sh: no compressed ELF kernel in $in" >&2; exit 1; }
