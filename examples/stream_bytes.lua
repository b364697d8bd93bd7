-- stream_bytes.lua: TCP payload bytes per stream, the biggest stream, a plot.
-- usage: pktframe run examples/stream_bytes.lua CAPTURE... [--top N] [--out DIR]
local pf = require "pktframe"
local sb = require "pktframe.stream_bytes"
local plot = require "pktframe.plot"
local report = require "pktframe.report"
local family = require "pktframe.family"

local o = pf.args{
  description = "Bytes per stream: the sum of tcp.len of each tcp.stream, the biggest stream\n"
    .. "(idxmax) and its total; a line over all streams and bars for the biggest.",
  positional = { { "capture", many = true, help = "capture files, read as one" } },
  options = family.options{
    { "top", type = "integer", min = 1, default = 15, help = "streams to list and draw as bars" },
    { "out", metavar = "DIR", help = "write stream_bytes.csv, stream_bytes.svg, stream_bytes_top.svg into DIR" },
  },
}
local fam = report.family(o)
local out = report.outdir(o.out)
local t <close> = report.read(o.capture, { fields = sb.fields, strict = true, filter = (fam == "ipv4" and "ip" or fam == "ipv6" and "ipv6" or nil) })
local per = sb.per_stream(t)
local id, bytes = sb.biggest(per)

report.section(("Bytes per stream: %d TCP streams, %d payload bytes"):format(#per, per:col("bytes"):sum() or 0))
print(per)
if id then
  print(("biggest stream: %d with %d bytes (%.1f%% of all)"):format(id, bytes, 100 * bytes / per:col("bytes"):sum()))
end
local top = sb.top(per, o.top)
report.section(("The %d biggest streams"):format(#top))
print(top)

if out then
  report.csv(out, "stream_bytes", per)
  report.svg(out, "stream_bytes", plot.bars{ title = "Bytes per TCP stream", x = per:col("tcp.stream"),
    y = per:col("bytes"), xlabel = "tcp.stream", ylabel = "bytes (sum of tcp.len)", empty = "no TCP streams" })
  local labels = {}
  for i = 1, #top do labels[i] = "stream " .. top:col("tcp.stream")[i] end
  report.svg(out, "stream_bytes_top", plot.bar{ title = ("The %d biggest TCP streams"):format(#top),
    labels = labels, values = top:col("bytes"), xlabel = "bytes (sum of tcp.len)", empty = "no TCP streams" })
end
report.done(out)
