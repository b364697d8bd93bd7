-- tables.lua: benchmark of the table verbs on a table of 10 million rows, against pandas on the same data.
-- Not a test. usage: pktframe run bench/tables.lua [CAPTURE] [ROWS]
-- CAPTURE defaults to bench/data/big-200.pcap (made by bench/fields.sh); ROWS to 10,000,000.
-- The table is the capture's rows repeated (pf.concat) until it has ROWS rows or more, with a row
-- number's remainders as keys of 10 and of 100,000 groups. Each operation runs once in pktframe and in
-- pandas (bench/tables_pandas.py, fed the same rows); both print a check (a count or a value) that must agree.
local pf = require "pktframe"

local here = arg[0]:match("^(.*)/[^/]*$") or "."
local capture = arg[1] or (here .. "/data/big-200.pcap")
local want = tonumber(arg[2] or "10000000")

local function clock(fn)
  local t0 = os.clock()
  local r = fn()
  return os.clock() - t0, r
end

local fields = { "frame.time_epoch", "frame.len", "ip.src", "ip.dst", "tcp.srcport", "tcp.dstport", "tcp.len",
                 "tcp.stream" }
local base <close> = assert(pf.read(capture, { fields = fields }))
local copies = math.ceil(want / #base)
local parts = {}
for i = 1, copies do parts[i] = base end
local secs, t = clock(function() return pf.concat(parts) end)
local n = #t
io.write(string.format("table: %d rows (%d copies of %s), built by pf.concat in %.2f s\n", n, copies,
                       capture:match("[^/]*$"), secs))
local idx = t:col("frame.len"):ge(0):cumsum()   -- 1 .. n
t = t:with("k10", idx % 10):with("k100k", idx % 100000)

local ops = {
  { "filter_expr", function() return t:filter("tcp.len > 1000 && tcp.dstport == 443") end, function(r) return #r end },
  { "filter_column", function() return t:filter(t:col("frame.len"):gt(1000)) end, function(r) return #r end },
  { "groupby_10", function()
      return t:groupby("k10"):agg{ bytes = { "frame.len", "sum" }, mean = { "frame.len", "mean" },
                                   n = { "frame.len", "count" } }
    end, function(r) return #r end },
  { "groupby_100k", function()
      return t:groupby("k100k"):agg{ bytes = { "frame.len", "sum" }, mean = { "frame.len", "mean" },
                                     n = { "frame.len", "count" } }
    end, function(r) return #r end },
  { "groupby_ip_src", function() return t:groupby("ip.src"):agg{ bytes = { "frame.len", "sum" } } end,
    function(r) return #r end },
  { "resample_1s", function() return t:resample("1s", { bytes = { "frame.len", "sum" } }) end,
    function(r) return #r end },
  { "sort_len", function() return t:sort("frame.len") end, function(r) return r:col("frame.len")[#r] end },
  { "sort_time", function() return t:sort("frame.time_epoch") end, function(r) return #r end },
  { "diff_by_src", function() return t:groupby("ip.src"):diff("frame.time_epoch") end,
    function(r) return r:count() end },
  { "value_counts", function() return t:value_counts("ip.dst") end, function(r) return #r end },
}

-- pandas first, on the same rows (its process is gone before ours grows)
local csv = os.tmpname()
assert(base:to_csv(csv))
-- Debian's interpreter holds python3-pandas; python3 on PATH may be another
local python = io.open("/usr/bin/python3", "rb") and "/usr/bin/python3" or "python3"
local py = io.popen(string.format("%s %s/tables_pandas.py %s %d", python, here, csv, copies))
local pandas = {}
for line in py:lines() do
  local name, s, check = line:match("^(%S+) (%S+) (%S+)$")
  if name then pandas[name] = { tonumber(s), check } end
end
py:close()
os.remove(csv)

io.write(string.format("%-16s %12s %14s %12s %9s  %s\n", "operation", "pktframe s", "rows/s", "pandas s", "speedup",
                       "check"))
for _, op in ipairs(ops) do
  local name, run, check = op[1], op[2], op[3]
  collectgarbage()
  local s, r = clock(run)
  local c = tostring(math.tointeger(check(r)) or check(r))
  local p = pandas[name]
  local agree = p == nil and "pandas: no result" or (p[2] == c and "agrees" or ("DIFFERS: pandas " .. p[2]))
  local ps, ratio = p and string.format("%.3f", p[1]) or "-", p and string.format("%.1fx", p[1] / s) or "-"
  io.write(string.format("%-16s %12.3f %14.0f %12s %9s  %s %s\n", name, s, n / s, ps, ratio, c, agree))
end
