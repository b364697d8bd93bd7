#!/bin/sh
# plot_test.sh: pktframe.plot draws pictures a renderer can show: one chart of each kind (line,
# step, scatter, bar) is written with hostile labels, checked to be well-formed XML, rendered to
# PNG with rsvg-convert, and the PNG decoded to count the pixels of each series' colour: a blank,
# axes-only or unreadable picture fails.
# usage: tests/plot_test.sh PKTFRAME
PF=$1
pass=0
fail=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

ok() { pass=$((pass + 1)); echo "ok   $1"; }
no() { fail=$((fail + 1)); echo "FAIL $1"; [ -n "$2" ] && printf '%s\n' "$2" | sed 's/^/     /'; }

if ! command -v rsvg-convert >/dev/null 2>&1; then
  echo "skipped: rsvg-convert is not installed (Debian package librsvg2-bin)"
  echo "plot: 0 passed, 0 failed"
  exit 0
fi
PY=/usr/bin/python3
[ -x "$PY" ] || PY=python3

cat >"$tmp/draw.lua" <<'LUA'
local plot = require "pktframe.plot"
local dir = arg[1]
local function save(name, svg) assert(plot.save(svg, dir .. "/" .. name .. ".svg")) end
-- a day's worth of minutes: time axis; a gap (nil) in the middle of the first series
local xs, a, b = {}, {}, {}
for i = 1, 1440 do
  xs[i] = 1704187800 + 60 * i
  a[i] = 1000 + 800 * math.sin(i / 90)
  b[i] = 500 + (i % 97) * 3
end
a[700] = nil; a.n = 1440
save("line", plot.line{ title = "bytes <per> minute & \"more\"", x = xs, y = a, name = "a & b",
  series = { { name = "<second>", x = xs, y = b } }, xlabel = "time", ylabel = "bytes", time = true })
save("step", plot.step{ title = "step", x = { 1, 2, 3, 4, 5, 6 }, y = { 1, 4, 2, 6, 3, 5 },
  color = "#d62728", line_width = 3, xlabel = "x", ylabel = "y" })
local sx, sy = {}, {}
for i = 1, 3000 do sx[i] = i; sy[i] = (i % 3 == 0) and 1514 or (i % 3 == 1) and 66 or (i * 7919) % 1500 end
save("scatter", plot.scatter{ title = "frame length", x = sx, y = sy, alpha = 0.2, color = "#2ca02c" })
save("bar", plot.bar{ title = "top talkers", labels = { "10.0.0.1", "<script>alert(1)</script>", "bad \1 byte \255" },
  values = { 300000, 2000000, 12345 }, color = "#9467bd", xlabel = "bytes" })
-- categories as vertical bars (bytes per stream), and a chart with nothing to draw
save("bars", plot.bars{ title = "bytes per stream", x = { 0, 1, 2, 5 }, y = { 1200, 250000, 4000, 90000 },
  color = "#8c564b", xlabel = "tcp.stream" })
save("empty", plot.scatter{ title = "padding", series = { { name = "frames", x = {}, y = {} } }, empty = "no leaks" })
LUA

if ! "$PF" run "$tmp/draw.lua" "$tmp" >"$tmp/out" 2>&1; then
  no "the charts are drawn" "$(head -c 600 "$tmp/out")"
  echo "plot: $pass passed, $fail failed"
  exit 1
fi
ok "the charts are drawn"

# check.py SVG PNG COLOUR MIN: well-formed XML, then at least MIN pixels near COLOUR in the PNG
cat >"$tmp/check.py" <<'PYEOF'
import struct, sys, zlib
import xml.etree.ElementTree as ET

svg, png, colour, need = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
ET.parse(svg)                                 # raises on text that is not well-formed XML
data = open(png, "rb").read()
assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
pos, idat, hdr = 8, b"", None
while pos < len(data):
    n, kind = struct.unpack(">I4s", data[pos:pos + 8])
    body = data[pos + 8:pos + 8 + n]
    if kind == b"IHDR": hdr = struct.unpack(">IIBBBBB", body)
    elif kind == b"IDAT": idat += body
    pos += 12 + n
w, h, depth, ctype, _, _, interlace = hdr
assert depth == 8 and ctype in (2, 6) and interlace == 0, "unexpected PNG layout %r" % (hdr,)
bpp = 4 if ctype == 6 else 3
raw = zlib.decompress(idat)
stride = w * bpp
rows, prev, i = [], bytearray(stride), 0
for y in range(h):
    f = raw[i]; line = bytearray(raw[i + 1:i + 1 + stride]); i += 1 + stride
    for x in range(stride):
        a = line[x - bpp] if x >= bpp else 0
        b = prev[x]
        c = prev[x - bpp] if x >= bpp else 0
        if f == 1: line[x] = (line[x] + a) & 255
        elif f == 2: line[x] = (line[x] + b) & 255
        elif f == 3: line[x] = (line[x] + (a + b) // 2) & 255
        elif f == 4:
            p = a + b - c; pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
            line[x] = (line[x] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
    rows.append(line); prev = line
want = tuple(int(colour[k:k + 2], 16) for k in (1, 3, 5))
colours, hits = set(), 0
for line in rows:
    for x in range(0, stride, bpp):
        px = tuple(line[x:x + 3])
        if bpp == 4 and line[x + 3] == 0: px = (255, 255, 255)
        colours.add(px)
        # a translucent or anti-aliased pixel is the colour blended with white: p = a*c + (1-a)*255
        k = max(range(3), key=lambda j: 255 - want[j])
        alpha = (255 - px[k]) / (255 - want[k])
        # (greys of the grid and text are not: the pixel must keep part of the colour's hue)
        if 0.1 <= alpha <= 1.05 and max(px) - min(px) >= 0.5 * alpha * (max(want) - min(want)) and all(
                abs(px[j] - (alpha * want[j] + (1 - alpha) * 255)) <= 12 for j in range(3)):
            hits += 1
print("%s: %dx%d, %d colours, %d pixels of %s" % (png.rsplit("/", 1)[-1], w, h, len(colours), hits, colour))
assert len(colours) >= 3, "blank picture"
assert hits >= need, "too few pixels of the series colour %s: %d < %d" % (colour, hits, need)
PYEOF

for spec in "line #1f77b4 1500" "line #ff7f0e 1500" "step #d62728 800" "scatter #2ca02c 3000" "bar #9467bd 5000" \
    "bars #8c564b 5000" "empty #666666 20"; do
  set -- $spec
  name=$1 colour=$2 need=$3
  if ! rsvg-convert -o "$tmp/$name.png" "$tmp/$name.svg" >"$tmp/err" 2>&1; then
    no "$name: rsvg-convert renders it" "$(head -c 400 "$tmp/err")"
    continue
  fi
  if "$PY" "$tmp/check.py" "$tmp/$name.svg" "$tmp/$name.png" "$colour" "$need" >"$tmp/err" 2>&1; then
    ok "$name: $(tail -n 1 "$tmp/err")"
  else
    no "$name: rendered and not blank" "$(tail -n 3 "$tmp/err")"
  fi
done

# the labels reach the picture escaped, never as markup
if grep -q '&lt;script&gt;alert(1)&lt;/script&gt;' "$tmp/bar.svg" && ! grep -q '<script' "$tmp/bar.svg"; then
  ok "labels from packet data are escaped"
else
  no "labels from packet data are escaped"
fi
# the empty chart says so, without axes or legend; the bars are rects with integer ticks
if grep -q '<text class="empty"[^>]*>no leaks</text>' "$tmp/empty.svg" && ! grep -q 'class="legend"' "$tmp/empty.svg"; then
  ok "a chart without data says so"
else
  no "a chart without data says so" "$(head -c 400 "$tmp/empty.svg")"
fi
if [ "$(grep -c '<rect x=' "$tmp/bars.svg")" -ge 5 ] && ! sed -n '/class="xticks"/,/<\/g>/p' "$tmp/bars.svg" | grep -q '>[0-9]*\.[0-9]*<'; then
  ok "bars are rects and their integer axis has integer ticks"
else
  no "bars and integer ticks" "$(sed -n '/class="xticks"/,/<\/g>/p' "$tmp/bars.svg" | head -20)"
fi
if [ -n "$PLOT_KEEP" ]; then mkdir -p "$PLOT_KEEP" && cp "$tmp"/*.png "$tmp"/*.svg "$PLOT_KEEP"/; fi
echo "plot: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
