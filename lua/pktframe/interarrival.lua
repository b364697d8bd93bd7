-- pktframe.interarrival: inter-departure and inter-arrival times per address (notebook 004).
--
--   local ia = require "pktframe.interarrival"
--   local t <close> = assert(pf.read("x.pcap", {fields = ia.fields()}))
--   local r = ia.analyse(t)     -- r.packets, r.addresses
--
-- In time order (a stable sort, so packets of one time keep their capture order), a packet's
-- inter-departure time is the time since the previous packet from the same source address, its
-- inter-arrival time the time since the previous packet to the same destination address (null
-- for the first). Per address: packets sent and received, and the mean, median, min and max
-- of both gaps. Two grouped diffs, two groupby-aggs and a join: no Lua per packet.
local pf = require "pktframe"
local family = require "pktframe.family"

local M = {}

function M.fields(fam)
  return family.fields(family.arg(fam), { "frame.number", "frame.time_epoch" })
end

-- {packets = Table frame.number, frame.time_epoch, src, dst, inter_departure, inter_arrival
--  (time order; gaps in seconds), addresses = Table address, sent, departure_{mean,median,min,max},
--  received, arrival_{mean,median,min,max} (address order)}.
function M.analyse(t, opts)
  opts = opts or {}
  local fam = family.check(opts)
  local time = "frame.time_epoch"
  local p = family.with_addresses(t, fam, true):select("frame.number", time, "src", "dst")
  p = p:sort(time)
  p = p:with("inter_departure", p:groupby("src"):diff(time)):with("inter_arrival", p:groupby("dst"):diff(time))
  local function stats(key, gap, count, prefix)
    return p:groupby(key, { sort = true }):agg{
      { count, time, "size" },
      { prefix .. "_mean", gap, "mean" }, { prefix .. "_median", gap, "median" },
      { prefix .. "_min", gap, "min" }, { prefix .. "_max", gap, "max" },
    }:rename{ [key] = "address" }
  end
  local dep = stats("src", "inter_departure", "sent", "departure")
  local arr = stats("dst", "inter_arrival", "received", "arrival")
  local all = pf.concat(dep:select("address"), arr:select("address")):unique("address"):sort("address")
  local addresses = all:join(dep, "address", { how = "left" }):join(arr, "address", { how = "left" })
  return { packets = p, addresses = addresses }
end

-- {interarrival_gaps = svg, interdeparture_mean = svg}: gaps over time for the n addresses that
-- received the most, and the mean inter-departure time of the n busiest senders.
function M.plots(res, n)
  local plot = require "pktframe.plot"
  n = n or 6
  local p, a = res.packets, res.addresses
  local out = {}
  local recv = a:filter(a:col("received"):notnull()):sort("received", { desc = true }):head(n)
  local series = {}
  local rl = recv:col("address"):totable()
  for i = 1, #recv do   -- a series per address: n filters
    local g = p:filter(p:col("dst"):eq(rl[i]) & p:col("inter_arrival"):notnull())
    series[i] = { name = tostring(rl[i]), x = g:col("frame.time_epoch"), y = g:col("inter_arrival") * 1000 }
  end
  out.interarrival_gaps = plot.scatter{ title = "Inter-arrival times of the " .. #recv .. " busiest receivers",
    xlabel = "time (UTC)", ylabel = "time since the previous packet to the address (ms)", time = true, ymin = 0,
    alpha = 0.5, series = series }
  local sent = a:filter(a:col("departure_mean"):notnull()):sort("sent", { desc = true }):head(15)
  local labels = {}
  for i, v in ipairs(sent:col("address"):totable()) do labels[i] = tostring(v) end
  out.interdeparture_mean = plot.bar{ title = "Mean inter-departure time of the busiest senders (most packets first)",
    labels = labels, values = sent:col("departure_mean") * 1000, xlabel = "mean time between packets sent (ms)" }
  return out
end

return M
