-- live.lua: capture from an interface, then analyse the fresh file (packets and bytes per second, busiest pairs).
-- usage: pktframe run examples/live.lua [--iface lo] [--bpf FILTER] [--duration 10s] [--count N] [--out DIR]
local pf = require "pktframe"
local live = require "pktframe.live"
local report = require "pktframe.report"

local o = pf.args{
  description = "Captures from a network interface through libpcap (root or CAP_NET_RAW needed) until "
    .. "--duration has passed, --count packets were caught or Ctrl-C, then analyses what it caught.",
  options = {
    { "iface", default = "lo", help = "the interface to capture on" },
    { "bpf", metavar = "FILTER", help = "a capture filter, as tcpdump's (\"udp port 53\")" },
    { "duration", type = "duration", above = 0, default = "10s", help = "how long to capture" },
    { "count", type = "integer", min = 1, help = "stop after this many packets" },
    { "interval", default = "1s", help = "bucket width of the rate table" },
    { "pcap", metavar = "FILE",
      help = "the capture file (default DIR/capture.pcap with --out, else a temporary file)" },
    { "out", metavar = "DIR", help = "write capture.pcap, live_rate.csv and live_pairs.csv into DIR" },
  },
}

local path = o.pcap or (o.out and o.out .. "/capture.pcap") or os.tmpname()
local out = report.outdir(o.out)
io.stderr:write(string.format("capturing on %s for %g s%s (Ctrl-C stops)...\n", o.iface, o.duration,
  o.count and (" or " .. o.count .. " packets") or ""))
local t, s = live.capture_and_read({ iface = o.iface, bpf = o.bpf, duration = o.duration, count = o.count, out = path })
if not t then
  report.fail(s)
end
print(string.format("captured %d packets in %.1f s into %s (%d dropped%s)", s.packets, s.seconds, s.path, s.dropped,
  s.interrupted and ", stopped by Ctrl-C" or ""))
local r = live.summarise(t, o.interval)
if r.rate then
  report.section("Packets and bytes per " .. o.interval)
  print(r.rate:head(20))
  report.csv(out, "live_rate", r.rate)
end
report.section("Address pairs (IPv4 and IPv6), most bytes first")
print(r.pairs:head(10))
report.csv(out, "live_pairs", r.pairs)
report.done(out)
if not o.pcap and not o.out then os.remove(path) end
t:close()
