-- interarrival.lua: inter-departure and inter-arrival times per address.
-- usage: pktframe run examples/interarrival.lua CAPTURE... [--top N] [--ip6] [--out DIR]
local pf = require "pktframe"
local ia = require "pktframe.interarrival"
local report = require "pktframe.report"

local o = pf.args{
  description = "Per address: packets sent and received, and the mean, median, min and max time between "
    .. "two packets it sent (inter-departure) and two packets it received (inter-arrival), in seconds.",
  positional = { { "capture", many = true, help = "capture files, read as one" } },
  options = {
    { "top", type = "integer", default = 10, help = "addresses to print (most packets sent first)" },
    { "ip6", type = "boolean", help = "IPv6 addresses instead of IPv4" },
    { "out", metavar = "DIR", help = "write interarrival_addresses.csv, interarrival_packets.csv and SVGs into DIR" },
  },
}

local out = report.outdir(o.out)
local t <close> = report.read(o.capture, { fields = ia.fields(o.ip6) })
local r = ia.analyse(t, { ip6 = o.ip6 })
local a = r.addresses
report.section("Inter-departure times (s), busiest senders first")
print(a:filter(a:col("sent"):notnull()):sort("sent", { desc = true })
   :select("address", "sent", "departure_mean", "departure_median", "departure_min", "departure_max"):head(o.top))
report.section("Inter-arrival times (s), busiest receivers first")
print(a:filter(a:col("received"):notnull()):sort("received", { desc = true })
   :select("address", "received", "arrival_mean", "arrival_median", "arrival_min", "arrival_max"):head(o.top))
report.csv(out, "interarrival_addresses", a)
report.csv(out, "interarrival_packets", r.packets)
if out then for name, svg in pairs(ia.plots(r)) do report.svg(out, name, svg) end end
report.done(out)
