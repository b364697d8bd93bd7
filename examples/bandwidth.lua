-- bandwidth.lua: bytes and packets per interval (a table and a line plot), frame lengths (a dot plot).
-- usage: pktframe run examples/bandwidth.lua CAPTURE... [--interval 1s] [--out DIR]
local pf = require "pktframe"
local bandwidth = require "pktframe.bandwidth"
local plot = require "pktframe.plot"
local report = require "pktframe.report"
local family = require "pktframe.family"

local o = pf.args{
  description = "Bandwidth: bytes (sum of frame.len) and packets per interval, empty intervals\n"
    .. "included, as pandas' resample(...).sum() gives them; and frame.len over frame number with\n"
    .. "its describe().",
  positional = { { "capture", many = true, help = "capture files, read as one" } },
  options = family.options{
    { "interval", type = "duration", above = 0, default = "1s", help = "bucket width: 100ms, 1s, 5min, ..." },
    { "origin", choices = { "start_day", "start", "epoch" }, default = "start_day",
      help = "bucket alignment: midnight UTC (pandas), first frame (tshark io,stat), or the epoch" },
    { "out", metavar = "DIR", help = "write bandwidth.csv, frame_len.csv, bandwidth.svg, frame_len.svg into DIR" },
  },
}
local fam = report.family(o)
if o.interval <= 0 then report.usage_error("--interval: must be more than 0") end
local out = report.outdir(o.out)
local t <close> = report.read(o.capture, { fields = bandwidth.fields, filter = (fam == "ipv4" and "ip" or fam == "ipv6" and "ipv6" or nil) })
local ok, bw = pcall(bandwidth.per_interval, t, o.interval, { origin = o.origin })
if not ok then      -- frames years apart at a small interval: too many buckets
  local times = t:col("frame.time_epoch")
  report.usage_error(("--interval %g s: %s (the frames span %.0f s; choose a larger --interval)"):format(
    o.interval, report.reason(bw), (times:max() or 0) - (times:min() or 0)))
end

report.section(("Bytes and packets per %g s interval (%d intervals, %d frames)"):format(o.interval, #bw, #t))
print(bw)
local busiest = bw:sort("bytes", { desc = true }):head(1)
if #busiest > 0 then
  local r = busiest:row(1)
  print(("busiest interval: %s, %d bytes in %d packets (%.0f bit/s)"):format(report.time(r.time), r.bytes,
    r.packets, r.bits_per_second))
end
report.section("frame.len: describe()")
local d = bandwidth.describe(t)
print(d)

if out then
  report.csv(out, "bandwidth", bw)
  report.csv(out, "frame_len", d)
  report.svg(out, "bandwidth", plot.line{ title = ("Bytes per %g s"):format(o.interval),
    x = bw:col("time"), y = bw:col("bytes"), ylabel = "bytes", ymin = 0 })
  report.svg(out, "frame_len", plot.scatter{ title = "Frame length", x = t:col("frame.number"),
    y = t:col("frame.len"), alpha = 0.2, xlabel = "frame number", ylabel = "bytes", ymin = 0 })
end
report.done(out)
