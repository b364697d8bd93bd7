-- bench/tasks.lua - pktframe's side of the benchmark tasks (bench/run.sh times it).
--
-- Usage: pktframe run bench/tasks.lua TASK CAPTURE OUT.tsv [--scan]
--   --scan  T1-T3 through pf.scan (one pass at the verb, memory bounded by the groups) instead of
--           pf.read and the same verbs on the table; the result is the same (bench/scale.sh)
--   TASK  T1 stream summary   T2 bandwidth per 1 s   T3 volume by ip.dst   T4 RTT per conversation
--         (the definitions: bench/README.md; the peers: bench/peers.py)
--   OUT   the result in the canonical TSV that bench/check.py compares with the peers' results
-- On stderr, one line per phase: "phase NAME SECONDS" (process CPU seconds from os.clock: the
-- read, the verbs, the writing of the result), which run.sh collects to show where the time goes.
local pf = require "pktframe"

local task, path, out = arg[1], arg[2], arg[3]
if not (task and path and out) or not task:match("^T[1-4]$") then
  io.stderr:write("usage: pktframe run bench/tasks.lua T1|T2|T3|T4 CAPTURE OUT.tsv\n")
  os.exit(2)
end

-- ---- timing -----------------------------------------------------------------------------
-- Lua has no wall clock finer than a second: BENCH_WALL=1 also reads `date +%s%N` at each phase
-- boundary (a fork each time, so the timed runs leave it off).
local wall = os.getenv("BENCH_WALL") == "1"
local function now()
  if not wall then return 0 end
  local p = assert(io.popen("date +%s%N"))
  local v = tonumber(p:read("l"))
  p:close()
  return v / 1e9
end
local t0, w0 = os.clock(), now()
local function phase(name)
  local t, w = os.clock(), now()
  io.stderr:write(string.format("phase %s %.6f%s\n", name, t - t0, wall and string.format(" wall %.6f", w - w0) or ""))
  t0, w0 = t, w
end

-- The results are written with Table:to_tsv: a header of column names, values in tshark's text
-- (times with 9 decimals, doubles with 17 significant digits), the canonical form of bench/check.py.

-- ---- the tasks ------------------------------------------------------------------------------

-- The table of a task's fields (pf.read; closed by the caller), and what its verbs run on: that
-- table, or with --scan a query that reads at the verb (the "read" phase is then empty).
local scan = arg[4] == "--scan"
local function source(opts)
  if scan then return nil, pf.scan(path, opts) end
  local t = assert(pf.read(path, opts))
  return t, t
end

local tasks = {}

-- T1, notebook 000: per tcp.stream the first and last time, the sum of tcp.len and the first
-- packet's addresses and ports; strict = only packets that have all these fields (IPv4 TCP).
function tasks.T1()
  local _t <close>, src = source({strict = true, fields = {
    "frame.time_epoch", "tcp.stream", "ip.src", "tcp.srcport", "ip.dst", "tcp.dstport", "tcp.len"}})
  phase("read")
  local r <close> = assert(src:groupby("tcp.stream", {sort = true}):agg{
    {"start", "frame.time_epoch", "min"}, {"end", "frame.time_epoch", "max"}, {"bytes", "tcp.len", "sum"},
    {"src", "ip.src", "first"}, {"srcport", "tcp.srcport", "first"},
    {"dst", "ip.dst", "first"}, {"dstport", "tcp.dstport", "first"}})
  phase("groupby")
  assert(r:rename{["tcp.stream"] = "stream"}:to_tsv(out))
  phase("write")
end

-- T2, notebook 001: frame.len summed per 1 s (pandas' default origin, start_day: for 1 s the
-- bins are whole epoch seconds); the result has the empty buckets too (bench/check.py leaves them out)
function tasks.T2()
  local _t <close>, src = source({fields = {"frame.time_epoch", "frame.len"}})
  phase("read")
  local r <close> = assert(src:resample("1s", {{"bytes", "frame.len", "sum"}}))
  phase("resample")
  assert(r:rename{["frame.time_epoch"] = "second"}:to_tsv(out))
  phase("write")
end

-- T3, notebook 002: frame.len summed by ip.dst (packets without IPv4 drop out)
function tasks.T3()
  local _t <close>, src = source({fields = {"ip.dst", "frame.len"}})
  phase("read")
  local r <close> = assert(src:groupby("ip.dst"):agg{{"bytes", "frame.len", "sum"}})
  phase("groupby")
  assert(r:to_tsv(out))
  phase("write")
end

-- T4, notebook 003: the side with the higher port is the client, the lower port the server
-- (equal ports: the source is the client); per (client, server, client port) the sum of ip.len
-- and ack_rtt's min, mean, max and count, over the packets that match the filter "tcp" and
-- have IPv4 addresses. The notebook's assign_col (np.where) as Column:where, row by row in C;
-- rows without ports or IPv4 addresses get null keys, which the groupby leaves out.
function tasks.T4()
  local t = assert(pf.read(path, {filter = "tcp", fields = {
    "ip.src", "ip.dst", "tcp.srcport", "tcp.dstport", "ip.len", "tcp.analysis.ack_rtt"}}))
  phase("read")
  -- each column goes as soon as nothing needs it, as `del df[...]` would: the peak memory is the
  -- read's columns plus the mask and one result. A table shares its columns with the tables made
  -- from it; closing one drops its references (the last frees the column)
  local function replace(t2)
    t:close()
    t = t2
  end
  local fromcli = t:col("tcp.srcport"):ge(t:col("tcp.dstport"))   -- the source is the client
  replace(t:with("cliport", fromcli:where(t:col("tcp.srcport"), t:col("tcp.dstport"))))
  replace(t:select{"ip.src", "ip.dst", "cliport", "ip.len", "tcp.analysis.ack_rtt"})
  replace(t:with("client", fromcli:where(t:col("ip.src"), t:col("ip.dst"))))
  replace(t:with("server", fromcli:where(t:col("ip.dst"), t:col("ip.src"))))
  replace(t:select{"client", "server", "cliport", "ip.len", "tcp.analysis.ack_rtt"})
  fromcli = nil
  collectgarbage()
  phase("where")
  local r <close> = t:groupby({"client", "server", "cliport"}):agg{
    {"ip.len", "ip.len", "sum"}, {"rtt_min", "tcp.analysis.ack_rtt", "min"},
    {"rtt_mean", "tcp.analysis.ack_rtt", "mean"}, {"rtt_max", "tcp.analysis.ack_rtt", "max"},
    {"rtt_count", "tcp.analysis.ack_rtt", "count"}}
  t:close()
  phase("groupby")
  assert(r:to_tsv(out))
  phase("write")
end

tasks[task]()
