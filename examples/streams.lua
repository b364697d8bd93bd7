-- streams.lua: one row per TCP stream: endpoints, times, packets, payload bytes each way.
-- usage: pktframe run examples/streams.lua CAPTURE... [--ip ADDR] [--top N] [--ipv6] [--out DIR]
local pf = require "pktframe"
local streams = require "pktframe.streams"
local plot = require "pktframe.plot"
local report = require "pktframe.report"

local o = pf.args{
  description = "Stream summary (the notebook's recipe): frames with every field, grouped by\n"
    .. "tcp.stream; addresses and ports from each stream's first frame; start, end, duration,\n"
    .. "packets, stream_len (sum of tcp.len) and the payload bytes each way (bytes_ab, bytes_ba).",
  positional = { { "capture", many = true, help = "capture files, read as one" } },
  options = {
    { "ip", metavar = "ADDR", help = "also list the streams with ADDR at either end" },
    { "top", type = "integer", default = 20, help = "streams to print and draw, biggest first" },
    { "ipv6", type = "boolean", help = "IPv6 streams (ipv6.src/ipv6.dst) instead of IPv4" },
    { "out", metavar = "DIR", help = "write streams.csv, src_counts.csv (by_ip.csv) and streams.svg into DIR" },
  },
}
local out = report.outdir(o.out)
local t <close> = report.read(o.capture, { fields = o.ipv6 and streams.fields6 or streams.fields, strict = true })
local s = streams.summary(t, { ipv6 = o.ipv6 })
local show = { "stream_id", "src_ip", "src_port", "dst_ip", "dst_port", "duration", "packets", "stream_len",
  "bytes_ab", "bytes_ba" }

report.section(("%d TCP streams (%d frames); the %d biggest by stream_len"):format(#s, #t, math.min(o.top, #s)))
local big = s:sort("stream_len", { desc = true }):head(o.top)
print(big:select(show))
report.section("Streams per source IP (value counts of src_ip)")
local counts = streams.src_counts(s)
print(counts:head(o.top))
local found
if o.ip then
  local ok, r = pcall(streams.by_ip, s, o.ip)
  if not ok then report.usage_error("--ip: " .. report.reason(r)) end
  found = r
  report.section(("Streams with %s at either end: %d"):format(o.ip, #found))
  print(found:select(show):head(o.top))
end

if out then
  report.csv(out, "streams", s)
  report.csv(out, "src_counts", counts)
  if found then report.csv(out, "by_ip", found) end
  local labels = {}
  for i = 1, #big do
    local r = big:row(i)
    labels[i] = ("%d  %s:%d > %s:%d"):format(r.stream_id, r.src_ip or "?", r.src_port or 0, r.dst_ip or "?", r.dst_port or 0)
  end
  report.svg(out, "streams", plot.bar{ title = ("The %d biggest TCP streams"):format(#big), labels = labels,
    values = big:col("stream_len"), xlabel = "payload bytes (sum of tcp.len)" })
end
report.done(out)
