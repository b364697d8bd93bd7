-- streams.lua: one row per TCP stream: endpoints, times, packets, payload bytes each way.
-- usage: pktframe run examples/streams.lua CAPTURE... [--ip ADDR] [--top N] [--ipv4|--ipv6] [--out DIR]
local pf = require "pktframe"
local streams = require "pktframe.streams"
local family = require "pktframe.family"
local plot = require "pktframe.plot"
local report = require "pktframe.report"

local o = pf.args{
  description = "Stream summary (the notebook's recipe): frames with every field, grouped by\n"
    .. "tcp.stream; addresses and ports from each stream's first frame; start, end, duration,\n"
    .. "packets, stream_len (sum of tcp.len) and the payload bytes each way (bytes_ab, bytes_ba).\n"
    .. "IPv4 and IPv6 streams both, unless --ipv4 or --ipv6.",
  positional = { { "capture", many = true, help = "capture files, read as one" } },
  options = family.options{
    { "ip", type = "address", help = "also list the streams with ADDR at either end" },
    { "top", type = "integer", min = 1, default = 20, min = 1, help = "streams to print and draw, biggest first" },
    { "out", metavar = "DIR", help = "write streams.csv, src_counts.csv (by_ip.csv) and streams.svg into DIR" },
  },
}
local fam = report.family(o)
local out = report.outdir(o.out)
local t <close> = report.read(o.capture, { fields = streams.fields_for(fam), filter = streams.filter(fam) })
local s = streams.summary(t, { family = fam })
local show = { "stream_id", "src_ip", "src_port", "dst_ip", "dst_port", "duration", "packets", "stream_len",
  "bytes_ab", "bytes_ba" }

report.section(("%d %s TCP streams (%d frames); the %d biggest by stream_len"):format(#s, family.name(fam),
  s:col("packets"):sum() or 0, math.min(o.top, #s)))
local big = s:sort("stream_len", { desc = true }):head(o.top)
print(big:select(show))
report.section("Streams per source IP (value counts of src_ip)")
local counts = streams.src_counts(s)
print(counts:head(o.top))
local found
if o.ip then
  found = streams.by_ip(s, o.ip)
  report.section(("Streams with %s at either end: %d"):format(o.ip, #found))
  print(found:select(show):head(o.top))
  if #found == 0 then report.nothing("no TCP streams with " .. o.ip, o.capture) end
end
if #s == 0 then report.nothing("no " .. family.name(fam) .. " TCP streams", o.capture) end

if out then
  report.csv(out, "streams", s)
  report.csv(out, "src_counts", counts)
  if found then report.csv(out, "by_ip", found) end
  local labels = {}
  for i = 1, #big do
    local r = big:row(i)
    local function ep(a, p) return (tostring(a):find(":", 1, true) and "[%s]:%d" or "%s:%d"):format(a, p) end
    labels[i] = ("%d  %s > %s"):format(r.stream_id, ep(r.src_ip or "?", r.src_port or 0), ep(r.dst_ip or "?", r.dst_port or 0))
  end
  report.svg(out, "streams", plot.bar{ title = ("The %d biggest TCP streams"):format(#big), labels = labels,
    values = big:col("stream_len"), xlabel = "payload bytes (sum of tcp.len)" })
end
report.done(out)
