-- bench/scale.lua - a capture set larger than the memory budget, summarised in one pass (bench/scale.sh).
--
-- Usage: pktframe --max-memory SIZE run bench/scale.lua scan|read CAPTURE xN
--   scan  T1's stream summary (bench/README.md) through pf.scan: memory bounded by the streams
--   read  the same through pf.read, which must hold every packet's row: past SIZE it stops
-- The capture is read N times in a row as one capture set (frame numbers go on across the copies).
local pf = require "pktframe"

local mode, path, times = arg[1], arg[2], tonumber(((arg[3] or "x1"):match("^x(%d+)$")))
if not (mode == "scan" or mode == "read") or not path or not times then
  io.stderr:write("usage: pktframe --max-memory SIZE run bench/scale.lua scan|read CAPTURE xN\n")
  os.exit(2)
end
local paths = {}
for i = 1, times do paths[i] = path end

local opts = { strict = true, fields = {
  "frame.time_epoch", "tcp.stream", "ip.src", "tcp.srcport", "ip.dst", "tcp.dstport", "tcp.len" } }
local aggs = {
  { "start", "frame.time_epoch", "min" }, { "end", "frame.time_epoch", "max" }, { "bytes", "tcp.len", "sum" },
  { "src", "ip.src", "first" }, { "srcport", "tcp.srcport", "first" },
  { "dst", "ip.dst", "first" }, { "dstport", "tcp.dstport", "first" } }

local r, err
if mode == "scan" then
  r, err = pf.scan(paths, opts):groupby("tcp.stream", { sort = true }):agg(aggs)
else
  local t
  t, err = pf.read(paths, opts)
  if t then r = t:groupby("tcp.stream", { sort = true }):agg(aggs) end
end
if not r then
  print(mode .. ": stopped: " .. err)
  os.exit(1)
end
local bytes = 0
for i = 1, #r do bytes = bytes + r:col("bytes")[i] end
print(string.format("%s: %d streams, %d TCP payload bytes", mode, #r, bytes))
