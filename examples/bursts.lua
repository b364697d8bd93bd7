-- bursts.lua: bursts of large packets per address pair: id, src, dst, start, end, packets, bytes.
-- usage: pktframe run examples/bursts.lua CAPTURE... [--size 300] [--time 0.3] [--min-packets 2] [--out DIR]
local pf = require "pktframe"
local bursts = require "pktframe.bursts"
local report = require "pktframe.report"
local family = require "pktframe.family"

local o = pf.args{
  description = "Burst detection: per (source, destination) address pair, packets with at least --size "
    .. "payload bytes (tcp.len or udp.length - 8), each sent at most --time after the previous such "
    .. "packet of the pair, form a burst (of at least --min-packets packets).",
  positional = { { "capture", many = true, help = "capture files, read as one" } },
  options = family.options{
    { "size", type = "integer", min = 0, default = 300, help = "BURST_SIZE: least payload bytes of a packet in a burst" },
    { "time", type = "duration", default = "0.3", help = "BURST_TIME: most time between two packets of a burst" },
    { "min-packets", type = "integer", min = 1, default = 2, help = "fewest packets that make a burst" },
    { "top", type = "integer", min = 1, default = 10, help = "bursts to print (most bytes first)" },
    { "out", metavar = "DIR", help = "write bursts.csv, burst_packets.csv and bursts.svg into DIR" },
  },
}
local fam = report.family(o)

local out = report.outdir(o.out)
local t <close> = report.read(o.capture, { fields = bursts.fields(fam) })
local ok, r = pcall(bursts.analyse, t, { size = o.size, time = o.time, min_packets = o.min_packets, family = fam })
if not ok then report.usage_error(report.reason(r)) end   -- --size, --time or --min-packets out of range
local b = r.bursts
print(string.format("%d bursts (>= %d packets of >= %d payload bytes, <= %g s apart) holding %d packets, %d bytes",
  #b, o.min_packets, o.size, o.time, b:col("packets"):sum() or 0, b:col("bytes"):sum() or 0))
report.section("Bursts, most bytes first")
print(b:sort("bytes", { desc = true }):head(o.top))
report.section("Bursts per address pair")
print(
  b:groupby({ "src", "dst" }, { sort = true }):agg{ { "bursts", "id", "count" }, { "packets", "packets", "sum" },
    { "bytes", "bytes", "sum" }, { "longest", "duration", "max" } }:sort("bytes", { desc = true }):head(o.top))
report.csv(out, "bursts", b)
report.csv(out, "burst_packets", r.packets)
report.svg(out, "bursts", out and bursts.plots(r).bursts)
report.done(out)
