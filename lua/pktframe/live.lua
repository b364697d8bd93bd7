-- pktframe.live: capture then analyse: pf.capture into a file, then the first questions about the
-- fresh traffic (packets and bytes per interval, the busiest address pairs) with table verbs.
--
--   local live = require "pktframe.live"
--   local t, summary = live.capture_and_read{iface = "lo", duration = 5, out = "/tmp/lo.pcap"}
--   local r = live.summarise(t)      -- r.rate, r.pairs
local pf = require "pktframe"

local M = {}

local IP4, IP6 = pf.ipfields(false), pf.ipfields(true)

M.FIELDS = { "frame.number", "frame.time_epoch", "frame.len", IP4.src, IP4.dst, IP6.src, IP6.dst,
  IP4.proto, "tcp.srcport", "tcp.dstport", "udp.srcport", "udp.dstport" }

-- pf.capture(opts), then pf.read of the file: the Table and the capture's summary, or nil and
-- the message of whichever failed.
function M.capture_and_read(opts, fields)
  local summary, err = pf.capture(opts)
  if not summary then return nil, err end
  local t, rerr = pf.read(summary.path, { fields = fields or M.FIELDS })
  if not t then return nil, rerr end
  return t, summary
end

-- {rate = Table time bucket, packets, bytes (every interval, empty ones included),
--  pairs = Table src, dst, packets, bytes (IPv4 and IPv6 pairs in one table, most bytes first),
--  pairs6 = the IPv6 pairs alone}.
function M.summarise(t, interval)
  local rate = #t > 0 and t:resample(interval or "1s", { { "packets", "frame.len", "size" },
    { "bytes", "frame.len", "sum" } }) or nil
  local function pairs_by(ip)
    return t:groupby({ ip.src, ip.dst }, { sort = true })
            :agg{ { "packets", "frame.len", "size" }, { "bytes", "frame.len", "sum" } }
            :rename{ [ip.src] = "src", [ip.dst] = "dst" }
  end
  -- pairs: both families in one src and one dst column (pktframe.family); pairs6 the IPv6 ones
  -- alone, as before
  local both = require("pktframe.family").with_addresses(t, nil, true)
  local all = both:groupby({ "src", "dst" }, { sort = true })
                  :agg{ { "packets", "frame.len", "size" }, { "bytes", "frame.len", "sum" } }
  local v6 = pairs_by(IP6)
  return { rate = rate, pairs = all:sort("bytes", { desc = true }), pairs6 = v6:sort("bytes", { desc = true }) }
end

return M
