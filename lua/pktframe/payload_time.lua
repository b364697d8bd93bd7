-- pktframe.payload_time: payload sizes over time for the top source (notebook 004): the payload
-- of each packet it sent, over time, one series per destination, as a scatter plot.
--
--   local pt = require "pktframe.payload_time"
--   local t <close> = assert(pf.read("x.pcap", {fields = pt.fields()}))
--   local r = pt.analyse(t)     -- r.source, r.packets (frame.number, time, dst, payload), r.destinations
--
-- The top source is the address that sent the most payload bytes (pktframe.payload's definition:
-- tcp.len, or udp.length - 8); its packets without TCP or UDP have no payload and are left out.
local pf = require "pktframe"
local payload = require "pktframe.payload"
local family = require "pktframe.family"

local M = {}

function M.fields(fam)
  return family.fields(family.arg(fam), { "frame.number", "frame.time_epoch", "tcp.len", "udp.length" })
end

-- {source = address | nil, packets = Table frame.number, frame.time_epoch, dst, payload,
--  destinations = Table dst, bytes, packets (most bytes first)}; opts.source picks the address.
function M.analyse(t, opts)
  opts = opts or {}
  local fam = family.check(opts)
  local p = family.with_addresses(payload.with_payload(t), fam)
  local ip = { src = "src", dst = "dst" }
  local src = opts.source and (require("pktframe.args").address(opts.source) or opts.source)
  local ty = p:col("src"):type()
  local other = src and ((ty == "ipv4" and src:find(":", 1, true)) or (ty == "ipv6" and not src:find(":", 1, true)))
  if other then   -- an address of the other family sent none of these packets
    local none = p:head(0):select("frame.number", "frame.time_epoch", "dst", "payload")
    return { source = src, packets = none, destinations = payload.by(none, "dst") }
  end
  if not src then
    local by = payload.by(p, ip.src)
    if #by == 0 or (by:col("bytes")[1] or 0) == 0 then return { source = nil } end
    src = by:col(ip.src)[1]
  end
  local mine = p:filter(p:col(ip.src):eq(src) & p:col("payload"):notnull())
                :select("frame.number", "frame.time_epoch", "dst", "payload")
  return { source = src, packets = mine, destinations = payload.by(mine, "dst") }
end

-- {payload_time = svg}: a scatter series for each of the top n destinations (by bytes), the
-- others in one grey series.
function M.plots(res, n)
  local plot = require "pktframe.plot"
  if not res.source then return {} end
  n = n or 8
  local p, dests = res.packets, res.destinations
  local series, rest = {}, nil
  local dl = dests:col("dst"):totable()
  for i = 1, math.min(n, #dests) do   -- a series per destination: n filters, not a loop over packets
    local m = p:col("dst"):eq(dl[i])
    local g = p:filter(m)
    series[#series + 1] = { name = tostring(dl[i]), x = g:col("frame.time_epoch"), y = g:col("payload") }
    rest = rest and (rest & ~m) or ~m
  end
  if #dests > n then
    local g = p:filter(rest)
    series[#series + 1] = { name = string.format("%d others", #dests - n), x = g:col("frame.time_epoch"),
      y = g:col("payload"), color = "#999999" }
  end
  return { payload_time = plot.scatter{ title = "Payload sizes sent by " .. tostring(res.source) .. " over time",
    xlabel = "time (UTC)", ylabel = "payload (bytes)", time = true, ymin = 0, alpha = 0.5, series = series } }
end

return M
