#!/usr/bin/env bash
# bench-compare.sh [KERNEL...] - the command behind "make bench-compare":
# for each kernel (default: every kernel with runs in $BUILD/bench-history/,
# which "make bench" fills: one JSON per run and kernel, the commit in it),
# each ratio of the newest stored run against the newest earlier run that
# measured it (a run may hold only some benchmarks), and how much it moved. bench-compare.sh --table FILE prints FILE's results (a
# stored JSON) as the README's benchmark table, with its date, kernel and
# commit. Numbers are never judged here: a ratio's change is printed, not
# asserted. Exits 1 when a kernel has fewer than two stored runs.
set -uo pipefail
. "$(dirname "$0")/lib.sh"

hist=$BUILD/bench-history

# table FILE: the results of one stored run, as bench's table prints them
# (medians with three significant digits)
table() {
	jq -r '"Measured \(.date) on \(.kernel) (\(.accel // "accelerator not known")), commit \(.commit // "not known"):"' "$1"
	echo
	jq -r 'def sig: if . >= 100 then round elif . >= 10 then (. * 10 | round / 10)
			else (. * 100 | round / 100) end | tostring;
		def eng: if . >= 1e9 then "\(. / 1e9 | sig)G" elif . >= 1e6 then "\(. / 1e6 | sig)M"
			elif . >= 1e3 then "\(. / 1e3 | sig)k" else sig end;
		(["measurement", "unit", "vmlab", "other", "ratio", "target", "result"] | @tsv),
		(.results[] | [.name, .unit, (.vmlab.median | eng),
			(if .other then (.other.median | eng) else "n/a" end),
			(if .ratio then "\(.ratio * 100 | round / 100)x" else "-" end),
			(if .target == null then "-"
			 elif .target.of == "vmlab" then "vmlab \(.target.op) \(.target.value)"
			 else "\(.target.op) \(.target.ratio)x" end),
			(if .meets == null then "-" elif .meets then "meets" else "MISSES" end)] | @tsv)' \
		"$1" | column -t -s $'\t'
}

if [ "${1:-}" = --table ]; then
	[ $# -eq 2 ] || die "usage: bench-compare.sh --table FILE"
	table "$2"
	exit
fi

[ -d "$hist" ] || die "no stored runs in $hist: run make bench first"
if [ $# -gt 0 ]; then
	kernels=("$@")
else
	mapfile -t kernels < <(find "$hist" -name '*.json' -printf '%f\n' | cut -d_ -f2 | sort -u)
fi

rc=0
for k in "${kernels[@]}"; do
	# names sort by time: DATE_KERNEL_COMMIT.json
	mapfile -t runs < <(find "$hist" -name "*_${k}_*.json" | sort)
	if [ ${#runs[@]} -lt 2 ]; then
		echo "kernel $k: fewer than two stored runs"
		rc=1
		continue
	fi
	echo "kernel $k: $(basename "${runs[-1]}" .json), each ratio against the last run before it that has it"
	# each row of the newest run against the newest earlier run with that row
	jq -rn '[inputs] as $runs | $runs[-1] as $new | $runs[:-1] as $old |
		(["measurement", "ratio was", "ratio now", "change", "was in"] | @tsv),
		($new.results[] | select(.ratio != null) | . as $r |
			([$old[] | select(any(.results[]; .name == $r.name and .ratio != null))] | last) as $prev |
			($prev.results // [] | map(select(.name == $r.name)) | first | .ratio) as $w |
			[$r.name, (if $w then "\($w * 100 | round / 100)x" else "-" end),
			 "\($r.ratio * 100 | round / 100)x",
			 (if $w then "\(($r.ratio / $w - 1) * 100 | round)%" else "new" end),
			 (if $prev then "\($prev.date) \($prev.commit // "")" else "-" end)] | @tsv)' \
		"${runs[@]}" | column -t -s $'\t'
	echo
done
exit $rc
