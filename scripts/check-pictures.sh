#!/usr/bin/env bash
# check-pictures.sh [DIR] - the host's checks of the pictures the VM made
# (vmlab tree --svg/--html, vmlab maps --svg, vmlab lab --svg into DIR/lab;
# scripts/pictures.sh has the VM write them into DIR, its host folder,
# default $BUILD/pictures): every *.svg, *.html and lab/*.svg parses as XML
# (xmllint), and a real browser draws them: headless Chromium screenshots
# one SVG, one HTML page and, where there are lessons' pictures, fork-cow's
# after fork, and each PNG must not be blank and must hold
# every colour of its picture's legend (the fills of its <g class="legend">
# swatches). Prints TAP; exits 1 when a check failed.
# The browser and xmllint come from "scripts/deps.sh pictures" (chromium is
# large: only this check installs it).
set -uo pipefail
. "$(dirname "$0")/lib.sh"

dir=${1:-$BUILD/pictures}
[ -d "$dir" ] || die "no directory $dir (scripts/pictures.sh makes it)"
"$VMLAB_TOP/scripts/deps.sh" pictures || exit 1

n=0
failed=0
results=""
# result NAME OK [DETAIL]: one TAP line (and its detail as a comment)
result() {
	n=$((n + 1))
	if [ "$2" = 0 ]; then
		results+="ok $n $1"$'\n'
	else
		failed=1
		results+="not ok $n $1"$'\n'
		[ -n "${3:-}" ] && results+="$(printf '%s\n' "$3" | sed 's/^/# /')"$'\n'
	fi
}

shopt -s nullglob
files=("$dir"/*.svg "$dir"/*.html "$dir"/lab/*.svg)
[ ${#files[@]} -gt 0 ] || die "no .svg or .html in $dir"
for f in "${files[@]}"; do
	out=$(xmllint --noout "$f" 2>&1)
	result "xmllint: ${f#"$dir"/} is well-formed XML" $? "$out"
done

# png_check PNG PICTURE: the PNG is not blank and holds the legend's colours
png_check() {
	python3 - "$1" "$2" <<'EOF'
import re, struct, sys, zlib

def pixels(path):
    """The RGB triples of an 8-bit RGB or RGBA, non-interlaced PNG."""
    data = open(path, 'rb').read()
    assert data[:8] == b'\x89PNG\r\n\x1a\n', 'not a PNG'
    pos, idat = 8, b''
    while pos < len(data):
        size, kind = struct.unpack('>I4s', data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + size]
        if kind == b'IHDR':
            w, h, depth, ctype, _, _, interlace = struct.unpack('>IIBBBBB', body)
        elif kind == b'IDAT':
            idat += body
        pos += 12 + size
    assert depth == 8 and ctype in (2, 6) and not interlace, 'unexpected PNG format'
    bpp = 3 if ctype == 2 else 4
    raw, stride = zlib.decompress(idat), w * bpp
    prev, out, i = bytearray(stride), set(), 0
    for _ in range(h):
        ftype, line = raw[i], bytearray(raw[i + 1:i + 1 + stride])
        i += 1 + stride
        for x in range(stride):
            a = line[x - bpp] if x >= bpp else 0
            b, c = prev[x], prev[x - bpp] if x >= bpp else 0
            if ftype == 1:
                line[x] = (line[x] + a) & 255
            elif ftype == 2:
                line[x] = (line[x] + b) & 255
            elif ftype == 3:
                line[x] = (line[x] + (a + b) // 2) & 255
            elif ftype == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[x] = (line[x] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        for x in range(0, stride, bpp):
            out.add(bytes(line[x:x + 3]))
        prev = line
    return out

png, picture = sys.argv[1], sys.argv[2]
seen = pixels(png)
legend = re.findall(r'<g class="legend"[^>]*>(?:(?!</g>).)*?fill="#([0-9a-f]{6})"',
                    open(picture).read(), re.S)
if len(seen) < 8:
    sys.exit('%s is blank: %d colours' % (png, len(seen)))
missing = [c for c in legend if bytes.fromhex(c) not in seen]
if not legend or missing:
    sys.exit('%s: legend colours %s, missing from the screenshot: %s' % (png, legend, missing))
print('%d colours on screen, all %d of the legend among them' % (len(seen), len(legend)))
EOF
}

# shot NAME FILE: screenshot FILE in headless Chromium, then check the PNG
shot() {
	local png=$dir/$1.png out
	rm -f "$png"
	out=$(timeout 120 chromium --headless=new --no-sandbox --disable-gpu --hide-scrollbars \
		--force-device-scale-factor=1 --window-size=1700,1200 --screenshot="$png" \
		"file://$(realpath "$2")" 2>&1)
	if [ ! -s "$png" ]; then
		result "chromium: screenshot of ${2##*/}" 1 "$out"
		return
	fi
	result "chromium: screenshot of ${2##*/}" 0
	out=$(png_check "$png" "$2" 2>&1)
	result "chromium: ${png##*/} is not blank and shows every legend colour" $? "$out"
}

svg=$(find "$dir" -maxdepth 1 -name 'tree*.svg' | sort | head -n 1)
html=$(find "$dir" -maxdepth 1 -name '*.html' | sort | head -n 1)
[ -n "$svg" ] || svg=$(find "$dir" -maxdepth 1 -name '*.svg' | sort | head -n 1)
if [ -n "$svg" ]; then shot "${svg##*/}" "$svg"; else result "an SVG to screenshot" 1; fi
if [ -n "$html" ]; then shot "${html##*/}" "$html"; else result "an HTML page to screenshot" 1; fi
# a lesson's picture (vmlab lab --svg), when the VM drew them: fork's effect
lab=$dir/lab/fork-cow-2-after-fork.svg
if [ -f "$lab" ]; then
	shot lab-fork-cow-2-after-fork.svg "$lab"
elif [ -d "$dir/lab" ]; then
	result "a lesson's picture to screenshot (lab/${lab##*/})" 1
fi

echo "TAP version 13"
echo "1..$n"
printf '%s' "$results"
exit $failed
