-- live.lua: capture from an interface, then analyse the fresh file (packets and bytes per second, busiest pairs).
-- usage: pktframe run examples/live.lua [--iface lo] [--bpf FILTER] [--duration 10s] [--count N] [--out DIR]
local pf = require "pktframe"
local live = require "pktframe.live"
local outputs = require "pktframe.outputs"

local o = pf.args{
  description = "Captures from a network interface through libpcap (root or CAP_NET_RAW needed) until "
    .. "--duration has passed, --count packets were caught or Ctrl-C, then analyses what it caught.",
  options = {
    { "iface", default = "lo", help = "the interface to capture on" },
    { "bpf", metavar = "FILTER", help = "a capture filter, as tcpdump's (\"udp port 53\")" },
    { "duration", type = "duration", default = "10s", help = "how long to capture" },
    { "count", type = "integer", help = "stop after this many packets" },
    { "interval", default = "1s", help = "bucket width of the rate table" },
    { "pcap", metavar = "FILE", help = "the capture file (default DIR/capture.pcap with --out, else a temporary file)" },
    { "out", metavar = "DIR", help = "write capture.pcap, live_rate.csv and live_pairs.csv into DIR" },
  },
}

local path = o.pcap or (o.out and o.out .. "/capture.pcap") or os.tmpname()
if o.out then assert(pf.mkdir(o.out)) end
io.stderr:write(string.format("capturing on %s for %g s%s (Ctrl-C stops)...\n", o.iface, o.duration,
  o.count and (" or " .. o.count .. " packets") or ""))
local t, s = live.capture_and_read({ iface = o.iface, bpf = o.bpf, duration = o.duration, count = o.count, out = path })
if not t then
  io.stderr:write(s, "\n")
  os.exit(1)
end
print(string.format("captured %d packets in %.1f s into %s (%d dropped%s)", s.packets, s.seconds, s.path, s.dropped,
  s.interrupted and ", stopped by Ctrl-C" or ""))
local r = live.summarise(t, o.interval)
if r.rate then outputs.show("Packets and bytes per " .. o.interval, r.rate, 20) end
outputs.show("IPv4 address pairs, most bytes first", r.pairs, 10)
if #r.pairs6 > 0 then outputs.show("IPv6 address pairs, most bytes first", r.pairs6, 10) end
if o.out then outputs.write_or_die(o.out, { live_rate = r.rate, live_pairs = r.pairs }, {}) end
if not o.pcap and not o.out then os.remove(path) end
t:close()
