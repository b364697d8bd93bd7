-- pktframe.bursts: burst detection (notebook 004's thresholds, BURST_SIZE 300 bytes, BURST_TIME 0.3 s).
--
--   local bursts = require "pktframe.bursts"
--   local t <close> = assert(pf.read("x.pcap", {fields = bursts.fields()}))
--   local r = bursts.analyse(t, {size = 300, time = 0.3})   -- r.bursts, r.packets
--
-- Per (source, destination) address pair, only packets with a payload (tcp.len, or
-- udp.length - 8) of at least `size` bytes count. Taken in time order, such a packet sent at
-- most `time` seconds after the previous counting packet of its pair continues that packet's
-- burst; otherwise it starts a new one. A burst is a run of at least `min_packets` (default 2)
-- counting packets: a lone packet is not a burst. Bursts are numbered 1, 2, ... by start time.
--
-- Verbs only: a stable sort by (src, dst, time) makes each pair's packets contiguous, a grouped
-- diff gives the gap to the previous counting packet of the pair, "gap null or > time" flags
-- the first packet of each burst, and the running sum of the flags numbers the bursts.
local pf = require "pktframe"
local payload = require "pktframe.payload"
local family = require "pktframe.family"

local M = {}

function M.fields(fam)
  return family.fields(family.arg(fam), { "frame.number", "frame.time_epoch", "tcp.len", "udp.length" })
end

M.SIZE, M.TIME, M.MIN_PACKETS = 300, 0.3, 2

-- {bursts = Table id, src, dst, start, end, packets, bytes, duration (by start time),
--  packets = Table frame.number, frame.time_epoch, src, dst, payload, gap, burst (the counting
--  packets, in pair and time order; burst nil for those in no burst of min_packets)}.
function M.analyse(t, opts)
  opts = opts or {}
  local size, gap_max = opts.size or M.SIZE, opts.time or M.TIME
  local min_packets = opts.min_packets or M.MIN_PACKETS
  if type(size) ~= "number" or size < 0 then
    error("bad argument #2 to 'analyse' (size: a number >= 0 expected, got " .. tostring(size) .. ")", 2)
  end
  if type(gap_max) ~= "number" or gap_max < 0 or gap_max ~= gap_max then
    error("bad argument #2 to 'analyse' (time: seconds >= 0 expected, got " .. tostring(gap_max) .. ")", 2)
  end
  if math.type(min_packets) ~= "integer" or min_packets < 1 then
    error("bad argument #2 to 'analyse' (min_packets: an integer >= 1 expected, got " .. tostring(min_packets)
      .. ")", 2)
  end
  local fam = family.check(opts)
  local time = "frame.time_epoch"
  local p = family.with_addresses(payload.with_payload(t), fam, true)
  p = p:filter(p:col("payload"):ge(size))
       :select("frame.number", time, "src", "dst", "payload")
       :sort({ "src", "dst", time })
  local gap = p:groupby({ "src", "dst" }):diff(time)
  local new = gap:isnull() | gap:gt(gap_max)
  p = p:with("gap", gap):with("run", new:cumsum())
  local runs = p:groupby("run", { sort = true }):agg{
    { "src", "src", "first" }, { "dst", "dst", "first" },
    { "start", time, "min" }, { "end", time, "max" },
    { "packets", time, "size" }, { "bytes", "payload", "sum" },
  }
  local b = runs:filter(runs:col("packets"):ge(min_packets)):sort({ "start", "run" })
  b = b:with("id", (b:col("packets") * 0 + 1):cumsum()):with("duration", b:col("end") - b:col("start"))
  local ids = b:select("run", "id")
  p = p:join(ids, "run", { how = "left" }):rename{ id = "burst" }
  return {
    bursts = b:select("id", "src", "dst", "start", "end", "packets", "bytes", "duration"),
    packets = p:select("frame.number", time, "src", "dst", "payload", "gap", "burst"),
    size = size, time = gap_max, min_packets = min_packets,
  }
end

-- {bursts = svg}: a burst's span as a horizontal segment at the height of its bytes, a series
-- per address pair (the n pairs with the most burst bytes; the others in grey).
function M.plots(res, n)
  local plot = require "pktframe.plot"
  n = n or 8
  local b = res.bursts
  local pairs_ = b:groupby({ "src", "dst" }):agg{ { "bytes", "bytes", "sum" } }:sort("bytes", { desc = true })
  local series = {}
  local srcs, dsts = pairs_:col("src"):totable(), pairs_:col("dst"):totable()
  -- a segment (start, bytes) - (end, bytes) per burst, a gap between bursts: lists as long as the
  -- burst table (bursts, not packets)
  local function segments(sel, name, color)
    local st, en, by = sel:col("start"):totable(), sel:col("end"):totable(), sel:col("bytes"):totable()
    local x, y = { n = 0 }, { n = 0 }
    for i = 1, #sel do
      local k = x.n
      x[k + 1], y[k + 1] = st[i], by[i]
      x[k + 2], y[k + 2] = en[i], by[i]
      x.n, y.n = k + 3, k + 3            -- k + 3 stays nil: a gap
    end
    return { name = name, x = x, y = y, kind = "line", marker = true, line_width = 3, color = color }
  end
  local rest
  for i = 1, math.min(n, #pairs_) do
    local m = b:col("src"):eq(srcs[i]) & b:col("dst"):eq(dsts[i])
    series[#series + 1] = segments(b:filter(m), tostring(srcs[i]) .. " > " .. tostring(dsts[i]))
    rest = rest and (rest & ~m) or ~m
  end
  if #pairs_ > n then
    series[#series + 1] = segments(b:filter(rest), string.format("%d other pairs", #pairs_ - n), "#999999")
  end
  return { bursts = plot.line{
    title = string.format("Bursts: packets of >= %d payload bytes at most %g s apart, per address pair",
      res.size, res.time),
    xlabel = "time (UTC)", ylabel = "bytes in the burst", time = true, ymin = 0, series = series } }
end

return M
