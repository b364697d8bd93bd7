-- pktframe.streams: one row per TCP stream (tcp.stream), as the stream-summary notebook builds it.
--
--   local streams = require "pktframe.streams"
--   local s = streams.summary(assert(pf.read(paths, {fields = streams.fields, strict = true})))
--   print(streams.by_ip(s, "192.168.1.64"))
--   print(s:value_counts("src_ip"))
--
-- The recipe: frames that have every field (tshark's -Y on the fields, pf.read's strict), grouped
-- by tcp.stream; the addresses and ports are those of the stream's first frame ("it may not be
-- 100% accurate in real-world", the notebook says: a capture that starts mid-stream names the
-- server as the source). Columns:
--   stream_id, src_ip, src_port, dst_ip, dst_port   the first frame's
--   start_time, end_time (abstime), duration (reltime, end - start)
--   packets      frames of the stream
--   stream_len   sum of tcp.len (TCP payload bytes, both directions)
--   bytes_ab     sum of tcp.len sent by src_ip:src_port (from the first frame's sender)
--   bytes_ba     sum of tcp.len sent the other way (bytes_ab + bytes_ba = stream_len)
-- With ipv6 = true the same over ipv6.src and ipv6.dst (the notebook's fields are IPv4 only).
local pf = require "pktframe"

local M = {}

local function fields(ip6)
  local ip = pf.ipfields(ip6)
  return { "frame.time_epoch", "tcp.stream", ip.src, "tcp.srcport", ip.dst, "tcp.dstport", "tcp.len" }
end
M.fields, M.fields6 = fields(false), fields(true)

-- summary(t, [{ipv6 = false}]) -> Table (see above), by stream number
function M.summary(t, opts)
  local ip = pf.ipfields(opts and opts.ipv6)
  local src, dst = ip.src, ip.dst
  local gb = t:groupby("tcp.stream", { sort = true })
  local s = gb:agg{
    { "src_ip", src, "first" }, { "src_port", "tcp.srcport", "first" },
    { "dst_ip", dst, "first" }, { "dst_port", "tcp.dstport", "first" },
    { "start_time", "frame.time_epoch", "min" }, { "end_time", "frame.time_epoch", "max" },
    { "packets", "tcp.len", "size" }, { "stream_len", "tcp.len", "sum" },
  }
  -- each frame's direction: is it from the stream's first sender? (address and port, so that a
  -- host talking to itself still has two sides)
  local firsts = s:select("tcp.stream", "src_ip", "src_port")
  local j = t:select("tcp.stream", src, "tcp.srcport", "tcp.len"):join(firsts, "tcp.stream", { how = "left" })
  local fwd = j:col(src):eq(j:col("src_ip")) & j:col("tcp.srcport"):eq(j:col("src_port"))
  -- x // 1 is x and x // 0 is null: the payload of one direction, nulls for the other
  local len = j:col("tcp.len")
  j = j:with("len_ab", len // (fwd * 1)):with("len_ba", len // ((~fwd) * 1))
  local dir = j:groupby("tcp.stream", { sort = true }):agg{ { "bytes_ab", "len_ab", "sum" },
    { "bytes_ba", "len_ba", "sum" } }
  s = s:join(dir, "tcp.stream", { how = "left" })
  s = s:with("duration", s:col("end_time") - s:col("start_time"))
  s = s:rename{ ["tcp.stream"] = "stream_id" }
  return s:select("stream_id", "src_ip", "src_port", "dst_ip", "dst_port", "start_time", "end_time",
    "duration", "packets", "stream_len", "bytes_ab", "bytes_ba")
end

-- by_ip(s, ip) -> the streams with ip as either end (the notebook's findStreamsByIP)
function M.by_ip(s, ip)
  if type(ip) ~= "string" then
    error("bad argument #2 to 'by_ip' (string expected, got " .. type(ip) .. ")", 2)
  end
  return s:filter(s:col("src_ip"):eq(ip) | s:col("dst_ip"):eq(ip))
end

-- src_counts(s) -> Table src_ip, count: streams per first sender, most first
function M.src_counts(s)
  return s:value_counts("src_ip")
end

return M
