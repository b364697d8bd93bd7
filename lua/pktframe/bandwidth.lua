-- pktframe.bandwidth: bytes and packets per time interval, and the spread of frame lengths.
--
--   local bandwidth = require "pktframe.bandwidth"
--   local t <close> = assert(pf.read(paths, {fields = bandwidth.fields}))
--   local bw = bandwidth.per_interval(t, 1.0)      -- time, packets, bytes, bits_per_second
--   local d = bandwidth.describe(t)                 -- pandas' describe() of frame.len
--
-- The notebook's framelen.resample("S").sum(): fixed buckets from the first frame's bucket to the
-- last's, empty ones included with 0, aligned as pandas aligns them (origin "start_day": on
-- midnight UTC of the first day, so 1 s buckets start on whole seconds); "start" aligns on the
-- first frame as tshark's -z io,stat does.
local pf = require "pktframe"

local M = {}

M.fields = { "frame.number", "frame.time_epoch", "frame.len" }

local function interval_text(iv)
  if type(iv) == "string" then return iv end
  if type(iv) ~= "number" or not (iv > 0) or iv ~= iv or iv == math.huge then
    error("bad argument #2 to 'per_interval' (interval: positive number of seconds or text such as '100ms' expected)", 3)
  end
  local ns = math.floor(iv * 1e9 + 0.5)
  if ns < 1 then
    error("bad argument #2 to 'per_interval' (interval: less than 1 ns)", 3)
  end
  return string.format("%dns", ns), ns / 1e9
end

-- per_interval(t, interval, [{origin = "start_day"}]) -> Table time (abstime: the bucket's start),
-- packets, bytes (sum of frame.len), bits_per_second (8 * bytes / interval)
function M.per_interval(t, interval, opts)
  local text, secs = interval_text(interval)
  local bw = t:resample(text, { { "packets", "frame.len", "size" }, { "bytes", "frame.len", "sum" } },
    { origin = opts and opts.origin or "start_day" })
  bw = bw:rename{ ["frame.time_epoch"] = "time" }
  if secs then bw = bw:with("bits_per_second", bw:col("bytes") * (8 / secs)) end
  return bw
end

-- describe(t) -> Table statistic, frame.len: count, mean, std, min, 25%, 50%, 75%, max
function M.describe(t)
  local d = t:describe("frame.len")
  local names = { "count", "mean", "std", "min", "25%", "50%", "75%", "max" }
  local vals = { n = #names }
  for i, k in ipairs(names) do vals[i] = d[k] and d[k] + 0.0 end
  return pf.table{ { "statistic", names }, { "frame.len", vals } }
end

return M
