-- oracle.lua: the seed analyses computed with pktframe, written as CSV for tests/oracle_test.py to compare with pandas.
-- usage: pktframe run tests/oracle.lua CAPTURE OUTDIR RESAMPLE(0|1)
local pf = require "pktframe"

local cap, out, resample = arg[1], arg[2], arg[3] == "1"

local function write(t, name) assert(t:to_csv(out .. "/" .. name)) end

local t <close> = assert(pf.read(cap, { fields = {
  "frame.number", "frame.time_epoch", "frame.len", "ip.src", "ip.dst", "tcp.srcport", "tcp.dstport",
  "tcp.stream", "tcp.len", "tcp.analysis.ack_rtt" } }))

-- 000: stream summary by tcp.stream over the packets that have every field (read_traffic's strict)
local s <close> = assert(pf.read(cap, { strict = true, fields = {
  "frame.time_epoch", "tcp.stream", "ip.src", "tcp.srcport", "ip.dst", "tcp.dstport", "tcp.len" } }))
write(s:groupby("tcp.stream"):agg{
  { "start", "frame.time_epoch", "min" }, { "end", "frame.time_epoch", "max" }, { "bytes", "tcp.len", "sum" },
  { "src", "ip.src", "first" }, { "sport", "tcp.srcport", "first" },
  { "dst", "ip.dst", "first" }, { "dport", "tcp.dstport", "first" } }, "streams.csv")

-- 001: bytes per 1 s bucket, aligned as pandas aligns them
if resample then write(t:resample("1s", { bytes = { "frame.len", "sum" } }), "bytes_1s.csv") end

-- 002: volume by destination, largest first
write(t:groupby("ip.dst"):agg{ bytes = { "frame.len", "sum" } }:sort("bytes", { desc = true }), "volume.csv")

-- 003: RTT per (ip.src, ip.dst, tcp.srcport)
write(t:groupby({ "ip.src", "ip.dst", "tcp.srcport" }):agg{
  { "min", "tcp.analysis.ack_rtt", "min" }, { "mean", "tcp.analysis.ack_rtt", "mean" },
  { "max", "tcp.analysis.ack_rtt", "max" }, { "count", "tcp.analysis.ack_rtt", "count" } }, "rtt.csv")

-- 004: inter-arrival times per source address
write(t:select("frame.number"):with("iat", t:groupby("ip.src"):diff("frame.time_epoch")), "iat.csv")
