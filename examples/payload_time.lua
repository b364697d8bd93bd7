-- payload_time.lua: the payload of each packet the top source sent, over time, per destination.
-- usage: pktframe run examples/payload_time.lua CAPTURE... [--source ADDR] [--series N] [--ipv4|--ipv6] [--out DIR]
local pf = require "pktframe"
local pt = require "pktframe.payload_time"
local report = require "pktframe.report"
local family = require "pktframe.family"

local o = pf.args{
  description = "Payload sizes over time: for the source that sent the most payload bytes (or --source), "
    .. "the payload (tcp.len or udp.length - 8) of each of its packets over time, one scatter series "
    .. "per destination.",
  positional = { { "capture", many = true, help = "capture files, read as one" } },
  options = family.options{
    { "source", type = "address", help = "the source address (default: the top source by payload bytes)" },
    { "series", type = "integer", min = 1, default = 8, help = "destinations drawn as their own series (the rest in grey)" },
    { "top", type = "integer", min = 1, default = 10, help = "rows to print" },
    { "out", metavar = "DIR", help = "write payload_time.csv and payload_time.svg into DIR" },
  },
}
local fam = report.family(o)

local out = report.outdir(o.out)
local t <close> = report.read(o.capture, { fields = pt.fields(fam) })
local ok, r = pcall(pt.analyse, t, { source = o.source, family = fam })
if not ok then report.usage_error("--source: " .. report.reason(r)) end   -- not an address
if not r.source then
  print("No packet with a TCP or UDP payload.")
  os.exit(0)
end
if #r.packets == 0 then   -- --source names an address that sent no payload here
  report.nothing(("no packets with a TCP or UDP payload from %s"):format(r.source), o.capture)
  os.exit(0)
end
local sizes = r.packets:col("payload")
print(string.format((o.source and "Source" or "Top source")
  .. " %s: %d packets, %d payload bytes (min %d, mean %.1f, max %d) to %d destinations",
  r.source, #sizes, sizes:sum(), sizes:min() or 0, sizes:mean() or 0, sizes:max() or 0, #r.destinations))
report.section("Destinations, most payload first")
print(r.destinations:head(o.top))
report.section("Packets")
print(r.packets:head(o.top))
report.csv(out, "payload_time", r.packets)
report.svg(out, "payload_time", out and pt.plots(r, o.series).payload_time)
report.done(out)
