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
-- Both IP families by default: src_ip and dst_ip are ipv6.src/ipv6.dst where the frame has them,
-- else ip.src/ip.dst (pktframe.family); {family = "ipv4"} or "ipv6" (or the older ipv6 = true)
-- keeps one (the notebook's fields are IPv4 only).
local pf = require "pktframe"
local family = require "pktframe.family"

local M = {}

local BASE = { "frame.time_epoch", "tcp.stream", "tcp.srcport", "tcp.dstport", "tcp.len" }
local function fields(fam)
  local ip = family.FAMILIES[fam]
  return { "frame.time_epoch", "tcp.stream", ip.src, "tcp.srcport", ip.dst, "tcp.dstport", "tcp.len" }
end
-- One family's fields, to read with strict = true (the notebook's read).
M.fields, M.fields6 = fields("ipv4"), fields("ipv6")

-- The fields summary needs for family fam (nil: both): read them with M.filter(fam), not strict.
function M.fields_for(fam)
  return family.fields(fam, BASE)
end
-- The display filter of the frames summary counts (strict over the non-address fields).
function M.filter(fam)
  local ip = fam == "ipv4" and "ip" or fam == "ipv6" and "ipv6" or "(ip or ipv6)"
  return "tcp and " .. ip
end

-- summary(t, [{family = nil | "ipv4" | "ipv6"}]) -> Table (see above), by stream number
function M.summary(t, opts)
  local fam, err = family.of(opts)
  if err then error("bad argument #2 to 'summary' (" .. err .. ")", 2) end
  t = family.with_addresses(t, fam, true)
  local keep = t:col("tcp.stream"):notnull() & t:col("tcp.srcport"):notnull() & t:col("tcp.dstport"):notnull()
    & t:col("tcp.len"):notnull() & t:col("frame.time_epoch"):notnull() & t:col("dst"):notnull()
  t = t:filter(keep)
  local src, dst = "src", "dst"
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
  ip = require("pktframe.args").address(ip) or ip   -- tshark's text: 2001:DB8::1 is 2001:db8::1
  local ty = s:col("src_ip"):type()
  if (ty == "ipv4" and ip:find(":", 1, true)) or (ty == "ipv6" and not ip:find(":", 1, true)) then
    return s:head(0)   -- an address of the other family: in no stream of this one
  end
  return s:filter(s:col("src_ip"):eq(ip) | s:col("dst_ip"):eq(ip))
end

-- src_counts(s) -> Table src_ip, count: streams per first sender, most first
function M.src_counts(s)
  return s:value_counts("src_ip")
end

return M
