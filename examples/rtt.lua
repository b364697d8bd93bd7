-- rtt.lua: TCP round-trip time (tcp.analysis.ack_rtt) per conversation, and over time for the busiest.
-- usage: pktframe run examples/rtt.lua CAPTURE... [--top N] [--interval 100ms] [--ipv4|--ipv6] [--out DIR]
local pf = require "pktframe"
local rtt = require "pktframe.rtt"
local report = require "pktframe.report"
local family = require "pktframe.family"

local o = pf.args{
  description = "TCP round-trip times per conversation (client, server, client port): bytes and "
    .. "tcp.analysis.ack_rtt min/mean/max/count; the RTT samples of the conversation with the most "
    .. "of them, and their min/mean/max per interval. The SYN sender is the client; without a SYN, "
    .. "the lower port is the server's.",
  positional = { { "capture", many = true, help = "capture files, read as one" } },
  options = family.options{
    { "top", type = "integer", min = 1, default = 10, help = "conversations to print" },
    { "interval", type = "string", default = "100ms", help = "bucket width of the resampled RTT: 100ms, 1s, 5min",
      check = function(v)
        local x = rtt.interval_seconds(v)
        if x and x > 0 then return v end
        return nil, "expected a duration such as 100ms, 1s or 5min"
      end },
    { "out", metavar = "DIR", help = "write conversations.csv, rtt_series.csv, rtt_resampled.csv and SVGs into DIR" },
  },
}
local fam = report.family(o)

local out = report.outdir(o.out)
local t <close> = report.read(o.capture, { fields = rtt.fields(fam), filter = "tcp" })
local ok, r = pcall(rtt.analyse, t, { family = fam, interval = o.interval })
if not ok then report.usage_error(report.reason(r)) end   -- a bad --interval
-- seconds as milliseconds rounded to the microsecond, for reading (the CSV files keep the exact values)
local function ms(c) return (c * 1e6 + 0.5) // 1 / 1000 end
local k = r.ranked
report.section(("Conversations, most RTT samples first (%d)"):format(#r.ranked))
print(k:select("client", "server", "client_port", "server_port", "packets", "bytes", "rtt_count")
  :with("min_ms", ms(k:col("rtt_min"))):with("mean_ms", ms(k:col("rtt_mean"))):with("max_ms", ms(k:col("rtt_max")))
  :head(o.top))
report.csv(out, "conversations", r.conversations)
if r.busiest then
  report.section("Busiest conversation: " .. rtt.label(r.busiest))
  local s = r.series:col("rtt")
  print(string.format("%d RTT samples: min %.3f ms, mean %.3f ms, max %.3f ms", #s, s:min() * 1e3, s:mean() * 1e3,
    s:max() * 1e3))
  report.csv(out, "rtt_series", r.series)
  report.section("RTT per " .. o.interval .. ", buckets with samples")
  if r.resampled then
    local rs = r.resampled:filter(r.resampled:col("rtt_mean"):notnull())
    print(rs:select("frame.time_epoch"):with("min_ms", ms(rs:col("rtt_min"))):with("mean_ms", ms(rs:col("rtt_mean")))
      :with("max_ms", ms(rs:col("rtt_max"))):head(o.top))
    report.csv(out, "rtt_resampled", r.resampled)
  else
    print("skipped: " .. r.resample_skipped .. "; try a wider --interval")
  end
else
  print("No RTT samples (tcp.analysis.ack_rtt) in the capture.")
end
if out then for name, svg in pairs(rtt.plots(r)) do report.svg(out, name, svg) end end
report.done(out)
