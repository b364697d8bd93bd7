-- rtt.lua: TCP round-trip time (tcp.analysis.ack_rtt) per conversation, and over time for the busiest.
-- usage: pktframe run examples/rtt.lua CAPTURE... [--top N] [--interval 100ms] [--ip6] [--out DIR]
local pf = require "pktframe"
local rtt = require "pktframe.rtt"
local report = require "pktframe.report"

local o = pf.args{
  description = "TCP round-trip times per conversation (client, server, client port): bytes and "
    .. "tcp.analysis.ack_rtt min/mean/max/count; the RTT samples of the conversation with the most "
    .. "of them, and their min/mean/max per interval. The SYN sender is the client; without a SYN, "
    .. "the lower port is the server's.",
  positional = { { "capture", many = true, help = "capture files, read as one" } },
  options = {
    { "top", type = "integer", default = 10, help = "conversations to print" },
    { "interval", type = "string", default = "100ms", help = "bucket width of the resampled RTT" },
    { "ip6", type = "boolean", help = "IPv6 conversations instead of IPv4" },
    { "out", metavar = "DIR", help = "write conversations.csv, rtt_series.csv, rtt_resampled.csv and SVGs into DIR" },
  },
}

local out = report.outdir(o.out)
local t <close> = report.read(o.capture, { fields = rtt.fields(o.ip6), filter = "tcp" })
local r = rtt.analyse(t, { ip6 = o.ip6, interval = o.interval })
report.section(("Conversations, most RTT samples first (%d)"):format(#r.ranked))
print(r.ranked:head(o.top))
report.csv(out, "conversations", r.conversations)
if r.busiest then
  report.section("Busiest conversation: " .. rtt.label(r.busiest))
  local s = r.series:col("rtt")
  print(string.format("  %d RTT samples: min %.6f s, mean %.6f s, max %.6f s", #s, s:min(), s:mean(), s:max()))
  report.section("RTT per " .. o.interval .. " (buckets with samples)")
  print(r.resampled:filter(r.resampled:col("rtt_mean"):notnull()):head(o.top))
  report.csv(out, "rtt_series", r.series)
  report.csv(out, "rtt_resampled", r.resampled)
else
  print("No RTT samples (tcp.analysis.ack_rtt) in the capture.")
end
if out then for name, svg in pairs(rtt.plots(r)) do report.svg(out, name, svg) end end
report.done(out)
