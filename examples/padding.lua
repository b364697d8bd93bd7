-- padding.lua: Ethernet padding leaks: frames whose padding or trailer is not all zeros, the
-- text in it, and the vendors of the network cards that leak (IEEE OUI registry).
-- usage: pktframe run examples/padding.lua CAPTURE... [--threshold 0.5] [--out DIR]
local pf = require "pktframe"
local padding = require "pktframe.padding"
local plot = require "pktframe.plot"
local report = require "pktframe.report"

local o = pf.args{
  description = "Padding leaks (the notebook's recipe): frames whose eth.trailer, vlan.trailer or\n"
    .. "eth.padding holds a byte that is not zero; the bytes as hex and as text (letters and\n"
    .. "digits kept, others '.'), the share of letters and digits; frames over the threshold\n"
    .. "leak, and their source MACs are listed with the vendor from the IEEE OUI registry.",
  positional = { { "capture", many = true, help = "capture files, read as one" } },
  options = {
    { "threshold", type = "number", min = 0, max = 1, default = 0.5, help = "share of letters and digits above which a frame leaks" },
    { "rows", type = "integer", min = 1, default = 20, help = "frames to print" },
    { "out", metavar = "DIR", help = "write padding.csv, leaks.csv, leak_sources.csv and padding.svg into DIR" },
  },
}
local out = report.outdir(o.out)
local t <close> = report.read(o.capture, { fields = padding.fields, filter = padding.filter })
local p = padding.frames(t)
local leaks = padding.leaks(p, o.threshold)
local sources, registry = padding.sources(leaks)
local show = { "frame.number", "eth.src", "field", "len", "printable", "ratio" }

report.section(("%d frames with padding or a trailer, %d of them not all zeros"):format(#t, #p))
print(p:select(show):head(o.rows))
report.section("The most frequent texts (value counts of printable)")
print(p:value_counts("printable"):head(10))
report.section(("%d frames over the threshold %g: text of the leaks"):format(#leaks, o.threshold))
print(leaks:select("frame.number", "eth.src", "text", "ratio"):head(o.rows))
report.section("Source MACs that leak")
print(sources)
print(registry and ("vendors from " .. registry) or "no OUI registry installed (Debian packages ieee-data or wireshark-common)")

if out then
  report.csv(out, "padding", p)
  report.csv(out, "leaks", leaks)
  report.csv(out, "leak_sources", sources)
  local title = "Non-zero Ethernet padding: share of letters and digits"
  if #p == 0 then   -- nothing to draw: say so, not empty axes
    report.svg(out, "padding", plot.empty{ title = title, empty = "no leaks: no frame pads with a non-zero byte" })
  else report.svg(out, "padding", plot.scatter{ title = "Non-zero Ethernet padding: share of letters and digits",
    x = p:col("frame.number"), y = p:col("ratio"), alpha = 0.7, name = "frames",
    series = { { name = ("threshold %g"):format(o.threshold), x = { p:col("frame.number"):min() or 0,
      p:col("frame.number"):max() or 1 }, y = { o.threshold, o.threshold }, kind = "line", color = "#d62728" } },
    xlabel = "frame number", ylabel = "letters and digits / bytes", ymin = 0, ymax = 1.05 }) end
end
if #leaks == 0 then print("no leaks") end
report.done(out)
