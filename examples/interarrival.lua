-- interarrival.lua: inter-departure and inter-arrival times per address.
-- usage: pktframe run examples/interarrival.lua CAPTURE... [--top N] [--ipv4|--ipv6] [--out DIR]
local pf = require "pktframe"
local ia = require "pktframe.interarrival"
local report = require "pktframe.report"
local family = require "pktframe.family"

local o = pf.args{
  description = "Per address: packets sent and received, and the mean, median, min and max time between "
    .. "two packets it sent (inter-departure) and two packets it received (inter-arrival), in seconds.",
  positional = { { "capture", many = true, help = "capture files, read as one" } },
  options = family.options{
    { "top", type = "integer", min = 1, default = 10, help = "addresses to print (most packets sent first)" },
    { "out", metavar = "DIR", help = "write interarrival_addresses.csv, interarrival_packets.csv and SVGs into DIR" },
  },
}
local fam = report.family(o)

local out = report.outdir(o.out)
local t <close> = report.read(o.capture, { fields = ia.fields(fam) })
local r = ia.analyse(t, { family = fam })
local a = r.addresses
-- the busiest n by count, gaps in milliseconds rounded to the microsecond, for reading (the CSV
-- files keep the exact seconds)
local function in_ms(count, prefix)
  local v = a:filter(a:col(count):notnull()):sort(count, { desc = true }):head(o.top)
  local d = v:select("address", count)
  for _, s in ipairs({ "mean", "median", "min", "max" }) do
    d = d:with(s .. "_ms", (v:col(prefix .. "_" .. s) * 1e6 + 0.5) // 1 / 1000)
  end
  return d
end
report.section("Inter-departure times (ms), busiest senders first")
print(in_ms("sent", "departure"))
report.section("Inter-arrival times (ms), busiest receivers first")
print(in_ms("received", "arrival"))
report.csv(out, "interarrival_addresses", a)
report.csv(out, "interarrival_packets", r.packets)
if out then for name, svg in pairs(ia.plots(r)) do report.svg(out, name, svg) end end
report.done(out)
