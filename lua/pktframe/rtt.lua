-- pktframe.rtt: TCP round-trip times per conversation (notebook 003), from tcp.analysis.ack_rtt.
--
--   local rtt = require "pktframe.rtt"
--   local t <close> = assert(pf.read("x.pcap", {fields = rtt.fields(), filter = "tcp"}))
--   local r = rtt.analyse(t)            -- r.conversations, r.busiest, r.series, r.resampled
--
-- Client and server: in a TCP stream where a SYN without ACK was seen, the sender of the first
-- such SYN is the client; in a stream caught after its handshake, the side with the higher port
-- is the client (the lower, well-known port is the server's), and with equal ports the higher
-- address. A conversation is (client, server, client_port), as the notebook groups it; its
-- bytes are the sum of ip.len (IPv4 total length; with ip6, ipv6.plen + 40) of all its packets.
-- Everything is table verbs: a join for the SYN sender, Column:where for the choice per row.
local pf = require "pktframe"

local M = {}

-- The fields analyse needs (read them with filter = "tcp").
local family = require "pktframe.family"

-- The fields analyse needs (read them with filter = "tcp"); fam nil: IPv4 and IPv6, "ipv4",
-- "ipv6" (true: "ipv6").
function M.fields(fam)
  return family.fields(family.arg(fam), { "frame.number", "frame.time_epoch", "tcp.srcport", "tcp.dstport",
    "tcp.stream", "tcp.flags.syn", "tcp.flags.ack", "tcp.analysis.ack_rtt" }, true)
end

-- t with columns client, server, client_port, server_port and bytes (the packet's IP length:
-- ip.len, or ipv6.plen + 40). fam: as fields (true: "ipv6").
function M.assign(t, fam)
  fam = family.arg(fam)
  t = family.with_addresses(t, fam, true, true)
  local syn = t:col("tcp.flags.syn"):eq(1) & t:col("tcp.flags.ack"):eq(0)
  local first_syn = t:filter(syn):groupby("tcp.stream"):agg{
    { "syn_ip", "src", "first" }, { "syn_port", "tcp.srcport", "first" } }
  local j = t:join(first_syn, "tcp.stream", { how = "left" })
  local src, dst = j:col("src"), j:col("dst")
  local sp, dp = j:col("tcp.srcport"), j:col("tcp.dstport")
  local by_syn = src:eq(j:col("syn_ip")) & sp:eq(j:col("syn_port"))
  -- equal ports: the higher address, compared within its family (an address column of both
  -- families is text, whose order is not the addresses')
  local higher
  if src:type() == "string" then
    local v6 = j:col("ipv6.src"):notnull()
    higher = v6:where(j:col("ipv6.src"):gt(j:col("ipv6.dst")), j:col("ip.src"):gt(j:col("ip.dst")))
  else
    higher = src:gt(dst)
  end
  local by_port = sp:gt(dp) | (sp:eq(dp) & higher)
  local src_is_client = j:col("syn_port"):notnull():where(by_syn, by_port)
  return j:with("client", src_is_client:where(src, dst))
          :with("server", src_is_client:where(dst, src))
          :with("client_port", src_is_client:where(sp, dp))
          :with("server_port", src_is_client:where(dp, sp))
          :with("bytes", j:col("len"))
end

-- One row per conversation, sorted by client, server, client port.
function M.conversations(a)
  local r = "tcp.analysis.ack_rtt"
  return a:groupby({ "client", "server", "client_port" }, { sort = true }):agg{
    { "server_port", "server_port", "first" },
    { "packets", "frame.number", "size" },
    { "bytes", "bytes", "sum" },
    { "rtt_min", r, "min" }, { "rtt_mean", r, "mean" }, { "rtt_max", r, "max" }, { "rtt_count", r, "count" },
  }
end

M.MAX_BUCKETS = 1000000

local UNITS = { ns = 1e-9, us = 1e-6, ms = 1e-3, s = 1, min = 60, h = 3600 }
-- "100ms" in seconds, or nil for text resample will refuse (it says why)
function M.interval_seconds(text)
  local x, unit = tostring(text):match("^%s*([%d.]+)%s*(%a+)%s*$")
  return x and tonumber(x) and UNITS[unit] and tonumber(x) * UNITS[unit]
end

-- The analysis: {assigned =, conversations =, busiest = {client, server, client_port} | nil,
-- series = (time, rtt) of the busiest conversation's RTT samples,
-- resampled = interval buckets of those with min, mean and max (nil, and resample_skipped saying
-- why, when that would be more than MAX_BUCKETS rows)}.
function M.analyse(t, opts)
  opts = opts or {}
  local a = M.assign(t, family.check(opts))
  local conv = M.conversations(a)
  local res = { assigned = a, conversations = conv }
  -- the busiest: most RTT samples; ties go to the first in key order (the sort is stable)
  local ranked = conv:sort("rtt_count", { desc = true })
  res.ranked = ranked
  if #ranked == 0 or ranked:col("rtt_count")[1] == 0 then return res end
  local b = ranked:row(1)
  res.busiest = { client = b.client, server = b.server, client_port = b.client_port, server_port = b.server_port }
  local mine = a:filter(a:col("client"):eq(b.client) & a:col("server"):eq(b.server)
                        & a:col("client_port"):eq(b.client_port))
  res.series = mine:filter(mine:col("tcp.analysis.ack_rtt"):notnull())
                   :select("frame.number", "frame.time_epoch", "tcp.analysis.ack_rtt")
                   :rename{ ["tcp.analysis.ack_rtt"] = "rtt" }
  res.interval = opts.interval or "100ms"
  -- a conversation over days in 100 ms buckets would be millions of mostly empty rows: skipped
  local times = mine:col("frame.time_epoch")
  local width = M.interval_seconds(res.interval)
  local nb = width and (times:max() - times:min()) / width or 0
  if nb > M.MAX_BUCKETS then
    res.resample_skipped = string.format("%s buckets over %.0f s would be %.0f rows (more than %d)", res.interval,
      times:max() - times:min(), nb, M.MAX_BUCKETS)
    return res
  end
  res.resampled = mine:resample(res.interval, {
    { "rtt_min", "tcp.analysis.ack_rtt", "min" }, { "rtt_mean", "tcp.analysis.ack_rtt", "mean" },
    { "rtt_max", "tcp.analysis.ack_rtt", "max" } })
  return res
end

local function label(b)
  return string.format("%s:%d -> %s:%d", b.client, b.client_port, b.server, b.server_port)
end
M.label = label

-- The pictures: {name = svg}.
function M.plots(res, top)
  local plot = require "pktframe.plot"
  local out = {}
  if res.busiest then
    out.rtt_busiest = plot.scatter{ title = "RTT samples of " .. label(res.busiest),
      x = res.series:col("frame.time_epoch"), y = res.series:col("rtt") * 1000,
      xlabel = "time (UTC)", ylabel = "ack RTT (ms)", ymin = 0, alpha = 0.7, name = "ack_rtt" }
    local r = res.resampled
    out.rtt_resampled = r and plot.line{ title = "RTT of " .. label(res.busiest) .. ", per " .. res.interval,
      xlabel = "time (UTC)", ylabel = "ack RTT (ms)", ymin = 0, time = true,
      series = {
        { name = "max", x = r:col("frame.time_epoch"), y = r:col("rtt_max") * 1000, marker = true },
        { name = "mean", x = r:col("frame.time_epoch"), y = r:col("rtt_mean") * 1000, marker = true },
        { name = "min", x = r:col("frame.time_epoch"), y = r:col("rtt_min") * 1000, marker = true } } }
  end
  local ranked = res.ranked:filter(res.ranked:col("rtt_count"):gt(0)):head(top or 15)
  local labels = {}
  for i = 1, #ranked do labels[i] = label(ranked:row(i)) end   -- one per bar, not per packet
  out.rtt_conversations = plot.bar{ title = "Mean ack RTT per conversation (most samples first)",
    labels = labels, values = ranked:col("rtt_mean") * 1000, xlabel = "mean ack RTT (ms)" }
  return out
end

return M
