-- groupby_spec.lua: pktframe.GroupBy (agg, size, each, apply, diff, shift) and resample, plain and per group.
-- Expected numbers were computed with pandas 1.5.3 on the same data (Debian 12's python3-pandas).
local pf = require "pktframe"

local CAPTURES = (os.getenv("PKTFRAME_SHARED") or "/work/shared") .. "/captures"

local function csv(text)
  local path = os.tmpname()
  local f = assert(io.open(path, "wb"))
  f:write(text)
  f:close()
  local t, err = pf.read_csv(path)
  os.remove(path)
  return assert(t, err)
end

local HOSTS = "host,port,bytes,rtt\n" ..
              "a,80,100,0.5\n" ..
              "b,443,,0.25\n" ..
              "a,80,300,\n" ..
              "c,,50,1.0\n" ..
              "b,443,200,0.75\n" ..
              "a,22,100,0.125\n" ..
              ",80,70,2.0\n"

local function hosts() return csv(HOSTS) end

local TIMES = "frame.time_epoch,ip.src,frame.len,tcp.analysis.ack_rtt\n" ..
              "1000.100000000,10.0.0.1,100,\n" ..
              "1000.900000000,10.0.0.2,200,0.010000000\n" ..
              "1001.200000000,10.0.0.1,300,0.030000000\n" ..
              "1003.700000000,10.0.0.1,50,\n" ..
              "1003.999999999,10.0.0.2,25,0.020000000\n"

local function times() return csv(TIMES) end

local function vals(c) return c:totable() end

local function close(a, b) return math.abs(a - b) <= 1e-12 * math.max(1, math.abs(a), math.abs(b)) end

describe("pktframe.GroupBy:agg", function()
  it("computes every built-in aggregation as pandas does, nulls skipped", function()
    local t <close> = hosts()
    local g = t:groupby("host")
    assert.are.equal(3, #g)
    assert.are.equal("pktframe.GroupBy (3 groups by host)", tostring(g))
    local a = g:agg{
      n = { "bytes", "count" }, s = { "bytes", "size" }, sum = { "bytes", "sum" }, mean = { "rtt", "mean" },
      mn = { "bytes", "min" }, mx = { "bytes", "max" }, f = { "rtt", "first" }, l = { "rtt", "last" },
      u = { "port", "nunique" }, sd = { "rtt", "std" }, v = { "bytes", "var" }, med = { "bytes", "median" },
    }
    assert.are.same({ "host", "f", "l", "mean", "med", "mn", "mx", "n", "s", "sd", "sum", "u", "v" }, a:columns())
    assert.are.same({ "a", "b", "c", n = 3 }, vals(a:col("host")))
    assert.are.same({ 3, 1, 1, n = 3 }, vals(a:col("n")))
    assert.are.same({ 3, 2, 1, n = 3 }, vals(a:col("s")))
    assert.are.same({ 500, 200, 50, n = 3 }, vals(a:col("sum")))
    assert.are.same({ 0.3125, 0.5, 1.0, n = 3 }, vals(a:col("mean")))
    assert.are.same({ 100, 200, 50, n = 3 }, vals(a:col("mn")))
    assert.are.same({ 300, 200, 50, n = 3 }, vals(a:col("mx")))
    assert.are.same({ 0.5, 0.25, 1.0, n = 3 }, vals(a:col("f")))
    assert.are.same({ 0.125, 0.75, 1.0, n = 3 }, vals(a:col("l")))
    assert.are.same({ 2, 1, 0, n = 3 }, vals(a:col("u")))
    local sd = vals(a:col("sd"))
    assert.is_true(close(0.2651650429449553, sd[1]) and close(0.3535533905932738, sd[2]) and sd[3] == nil)
    local v = vals(a:col("v"))
    assert.is_true(close(13333.333333333332, v[1]) and v[2] == nil and v[3] == nil)
    assert.are.same({ 100.0, 200.0, 50.0, n = 3 }, vals(a:col("med")))
    local types = a:types()
    assert.are.same({ "int", "int", "int", "double", "int", "double", "double" },
                    { types.n, types.sum, types.u, types.mean, types.mn, types.sd, types.med })
  end)

  it("keeps aggregations in the order listed when given as a list", function()
    local t <close> = hosts()
    local a = t:groupby("host"):agg{ { "z", "bytes", "sum" }, { "a", "bytes", "count" } }
    assert.are.same({ "host", "z", "a" }, a:columns())
  end)

  it("groups by several keys, in order of first appearance or sorted", function()
    local t <close> = hosts()
    local a = t:groupby({ "host", "port" }):agg{ b = { "bytes", "sum" } }
    assert.are.same({ "a", "b", "a", n = 3 }, vals(a:col("host")))
    assert.are.same({ 80, 443, 22, n = 3 }, vals(a:col("port")))
    assert.are.same({ 400, 200, 100, n = 3 }, vals(a:col("b")))
    local s = t:groupby({ "host", "port" }, { sort = true }):agg{ b = { "bytes", "sum" } }
    assert.are.same({ 22, 80, 443, n = 3 }, vals(s:col("port")))
    assert.are.same({ 100, 400, 200, n = 3 }, vals(s:col("b")))
  end)

  it("makes a group of the null keys only with dropna = false, last when sorted", function()
    local t <close> = hosts()
    local s = t:groupby("host", { sort = true, dropna = false }):size()
    assert.are.same({ "host", "size" }, s:columns())
    assert.are.same({ "a", "b", "c", nil, n = 4 }, vals(s:col("host")))
    assert.are.same({ 3, 2, 1, 1, n = 4 }, vals(s:col("size")))
    local u = t:groupby("port", { dropna = false }):size()
    assert.are.same({ 80, 443, nil, 22, n = 4 }, vals(u:col("port")))
    assert.are.same({ 3, 2, 1, 1, n = 4 }, vals(u:col("size")))
  end)

  it("calls a Lua function with each group's values as a fallback", function()
    local t <close> = hosts()
    local a = t:groupby("host"):agg{
      firstraw = { "bytes", function(v) return v[1] end },
      n = { "bytes", function(v) return v.n end },
      joined = { "port", function(v)
        local s = {}
        for i = 1, v.n do s[i] = tostring(v[i]) end
        return table.concat(s, "/")
      end },
    }
    assert.are.same({ 100, nil, 50, n = 3 }, vals(a:col("firstraw")))
    assert.are.same({ 3, 2, 1, n = 3 }, vals(a:col("n")))
    assert.are.same({ "80/80/22", "443/443", "nil", n = 3 }, vals(a:col("joined")))
  end)

  it("takes first, last, min and max of any type, keeping its text", function()
    local t <close> = times()
    local a = t:groupby("ip.src"):agg{ start = { "frame.time_epoch", "min" }, stop = { "frame.time_epoch", "max" },
                                       rtt = { "tcp.analysis.ack_rtt", "mean" }, who = { "ip.src", "first" } }
    assert.are.equal("abstime", a:col("start"):type())
    assert.are.equal("ipv4", a:col("who"):type())
    assert.are.equal("ip.src,rtt,start,stop,who\n" ..
                     "10.0.0.1,0.03,1000.100000000,1003.700000000,10.0.0.1\n" ..
                     "10.0.0.2,0.015,1000.900000000,1003.999999999,10.0.0.2\n", a:to_csv())
  end)

  it("groups on a field's first occurrence and shows only that in keys and picks", function()
    local t <close> = csv('vlan.id,frame.len\n"1,2",10\n1,20\n"2,1",30\n')
    local a = t:groupby("vlan.id"):agg{ f = { "vlan.id", "first" }, s = { "frame.len", "sum" } }
    assert.are.equal("vlan.id,f,s\n1,1,30\n2,2,30\n", a:to_csv())
    assert.are.equal("vlan.id\n1\n2\n", t:unique("vlan.id"):to_csv())
    assert.are.same({ 1, 2 }, t:filter("frame.len < 15"):col("vlan.id"):all(1))
  end)

  it("gives empty results for an empty table and one group for a single row", function()
    local t <close> = hosts()
    local e = t:head(0):groupby("host"):agg{ s = { "bytes", "sum" }, m = { "rtt", "mean" }, v = { "rtt", "var" },
                                             d = { "rtt", "median" }, u = { "rtt", "nunique" } }
    assert.are.equal(0, #e)
    assert.are.same({ "host", "d", "m", "s", "u", "v" }, e:columns())
    local one = t:head(1):groupby("host"):agg{ s = { "bytes", "sum" }, sd = { "bytes", "std" } }
    assert.are.same({ 100, n = 1 }, vals(one:col("s")))
    assert.are.same({ n = 1 }, vals(one:col("sd")))
  end)

  it("agrees with the stream summary of a real capture", function()
    local path = CAPTURES .. "/http-browsing-2013.pcap"
    if not io.open(path, "rb") then pending(path .. " is absent") return end
    local t <close> = assert(pf.read(path, { fields = { "tcp.stream", "tcp.len", "frame.len" }, strict = true }))
    local a = t:groupby("tcp.stream", { sort = true }):agg{ bytes = { "tcp.len", "sum" }, n = { "tcp.len", "size" } }
    assert.are.equal(t:col("tcp.len"):sum(), a:col("bytes"):sum())
    assert.are.equal(#t, a:col("n"):sum())
    assert.are.equal(#a, t:col("tcp.stream"):nunique())
    assert.are.equal(0, a:col("tcp.stream")[1])
  end)

  it("names the bad argument", function()
    local t <close> = hosts()
    local g = t:groupby("host")
    local cases = {
      { function() t:groupby("hots") end, "bad argument #1 to 'groupby' (no column named 'hots'; did you mean 'host'? Columns: host, port, bytes, rtt)" },
      { function() t:groupby({}) end, "bad argument #1 to 'groupby' (no key columns given)" },
      { function() t:groupby({ "host", "host" }) end, "bad argument #1 to 'groupby' (key 'host' given twice)" },
      { function() t:groupby("host", { sorted = true }) end, "bad argument #2 to 'groupby' (unknown option 'sorted')" },
      { function() t:groupby("host", { dropna = "no" }) end,
        "bad argument #2 to 'groupby' (dropna: boolean expected, got string)" },
      { function() g:agg{ b = { "bytes", "avg" } } end,
        "bad argument #1 to 'agg' (unknown aggregation 'avg' for 'b'; expected one of count, size, sum, mean, " ..
        "min, max, first, last, nunique, std, var, median or a function)" },
      { function() g:agg{ b = { "bites", "sum" } } end, "bad argument #1 to 'agg' (no column named 'bites' for 'b')" },
      { function() g:agg{ b = { "host", "sum" } } end,
        "bad argument #1 to 'agg' ('sum' is not defined for string column 'host' (for 'b'))" },
      { function() g:agg{ b = "bytes" } end,
        "bad argument #1 to 'agg' (aggregation 'b': {column, function} expected, got string)" },
      { function() g:agg{ b = { "bytes", 5 } } end,
        "bad argument #1 to 'agg' (aggregation for 'b': name or function expected, got number)" },
      { function() g:agg{ host = { "bytes", "sum" } } end, "bad argument #1 to 'agg' ('host' names a key column)" },
      { function() g:agg{ { "x", "bytes", "sum" }, x = { "bytes", "max" } } end,
        "bad argument #1 to 'agg' (two aggregations named 'x')" },
      { function() g:agg{ { 1, "bytes" } } end,
        "bad argument #1 to 'agg' (aggregations[1]: {name, column, function} expected)" },
      { function() g:agg{} end, "bad argument #1 to 'agg' (no aggregations given)" },
      { function() g:agg() end, "bad argument #1 to 'agg' (table expected, got no value)" },
      { function() g.agg(t, {}) end, "bad argument #1 to 'agg' (pktframe.GroupBy expected, got pktframe.Table)" },
    }
    for _, case in ipairs(cases) do assert.has_error(case[1], case[2]) end
    local ok, err = pcall(function() g:agg{ x = { "bytes", function() error("boom") end } } end)
    assert.is_false(ok)
    assert.truthy(err:find("agg: group 1: ", 1, true) and err:find("boom", 1, true))
    local closed = hosts()
    local cg = closed:groupby("host")
    closed:close()
    assert.has_error(function() cg:size() end, "calling 'size' on bad self (table is closed)")
  end)
end)

describe("pktframe.GroupBy:each, apply, diff, shift", function()
  it("hands each group over as a table with its key", function()
    local t <close> = hosts()
    local seen = {}
    t:groupby({ "host", "port" }):each(function(g, host, port) seen[#seen + 1] = { host, port, #g } end)
    assert.are.same({ { "a", 80, 2 }, { "b", 443, 2 }, { "a", 22, 1 } }, seen)
  end)

  it("applies a function returning records or tables", function()
    local t <close> = hosts()
    local r = t:groupby("host"):apply(function(g)
      return { rows = #g, top = g:sort("bytes", { desc = true }):col("bytes")[1] }
    end)
    assert.are.same({ "host", "rows", "top" }, r:columns())
    assert.are.same({ 3, 2, 1, n = 3 }, vals(r:col("rows")))
    assert.are.same({ 300, 200, 50, n = 3 }, vals(r:col("top")))
    local h = t:groupby("host"):apply(function(g, host) if host ~= "b" then return g:head(1) end end)
    assert.are.same({ "a", "c", n = 2 }, vals(h:col("host")))
    assert.are.same(t:columns(), h:columns())
  end)

  it("takes differences and lags within each group (inter-arrival times per address)", function()
    local t <close> = times()
    local d = t:groupby("ip.src"):diff("frame.time_epoch")
    assert.are.equal("reltime", d:type())
    assert.are.equal(5, #d)
    assert.are.same({ [3] = 1100000000, [4] = 2500000000, [5] = 3099999999 },
                    { [3] = d:ns(3), [4] = d:ns(4), [5] = d:ns(5) })
    assert.is_nil(d[1])
    assert.is_nil(d[2])
    local s = t:groupby("ip.src"):shift("frame.len")
    assert.are.same({ [3] = 100, [4] = 300, [5] = 200, n = 5 }, vals(s))
    local h <close> = hosts()
    assert.are.same({ [3] = 200, [5] = nil, [6] = -200, n = 7 }, vals(h:groupby("host"):diff("bytes")))
  end)

  it("names the bad argument", function()
    local t <close> = hosts()
    local g = t:groupby("host")
    assert.has_error(function() g:each(5) end, "bad argument #1 to 'each' (function expected, got number)")
    assert.has_error(function() g:diff("nope") end, "bad argument #1 to 'diff' (no column named 'nope'; columns: host, port, bytes, rtt)")
    assert.has_error(function() g:diff("host") end, "bad argument #1 to 'diff' (cannot diff string column 'host')")
    assert.has_error(function() g:apply(function() return 5 end) end,
      "apply: group 1: a pktframe.Table, a table of values or nil expected, got number")
  end)
end)

describe("pktframe.Table:resample", function()
  it("sums into pandas-aligned buckets, empty buckets included", function()
    local t <close> = times()
    local r = t:resample("1s", { bytes = { "frame.len", "sum" }, n = { "frame.len", "size" },
                                 c = { "tcp.analysis.ack_rtt", "count" }, m = { "tcp.analysis.ack_rtt", "mean" },
                                 mx = { "frame.len", "max" }, u = { "ip.src", "nunique" } })
    assert.are.same({ "frame.time_epoch", "bytes", "c", "m", "mx", "n", "u" }, r:columns())
    assert.are.equal("abstime", r:col("frame.time_epoch"):type())
    assert.are.same({ 1000, 1001, 1002, 1003, n = 4 }, vals(r:col("frame.time_epoch")))
    assert.are.same({ 300, 300, 0, 75, n = 4 }, vals(r:col("bytes")))
    assert.are.same({ 2, 1, 0, 2, n = 4 }, vals(r:col("n")))
    assert.are.same({ 1, 1, 0, 1, n = 4 }, vals(r:col("c")))
    assert.are.same({ 0.01, 0.03, nil, 0.02, n = 4 }, vals(r:col("m")))
    assert.are.same({ 200, 300, nil, 50, n = 4 }, vals(r:col("mx")))
    assert.are.same({ 2, 1, 0, 2, n = 4 }, vals(r:col("u")))
  end)

  it("takes intervals from nanoseconds to hours", function()
    local t <close> = times()
    local r = t:resample("500ms", { bytes = { "frame.len", "sum" } })
    assert.are.same({ 100, 200, 300, 0, 0, 0, 0, 75, n = 8 }, vals(r:col("bytes")))
    assert.are.equal(1000500000000, r:col("frame.time_epoch"):ns(2))
    assert.are.same({ 675, n = 1 }, vals(t:resample("1h", { b = { "frame.len", "sum" } }):col("b")))
    assert.are.same({ 675, n = 1 }, vals(t:resample("5min", { b = { "frame.len", "sum" } }):col("b")))
    assert.are.equal(3900000, #t:resample("1us", { b = { "frame.len", "sum" } }))
    assert.are.equal(39, #t:resample("0.1s", { b = { "frame.len", "sum" } }))
  end)

  it("starts at the first packet with origin = start, as tshark's io,stat", function()
    local t <close> = times()
    local r = t:resample("1s", { bytes = { "frame.len", "sum" } }, { origin = "start" })
    assert.are.same({ 1000.1, 1001.1, 1002.1, 1003.1, n = 4 }, vals(r:col("frame.time_epoch")))
    assert.are.equal(1001100000000, r:col("frame.time_epoch"):ns(2))
    assert.are.same({ 300, 300, 0, 75, n = 4 }, vals(r:col("bytes")))
    local e = t:resample("7s", { bytes = { "frame.len", "sum" } }, { origin = "epoch" })
    assert.are.same({ 994, 1001, n = 2 }, vals(e:col("frame.time_epoch")))
    assert.are.same({ 300, 375, n = 2 }, vals(e:col("bytes")))
    local d = t:resample("7s", { bytes = { "frame.len", "sum" } })
    -- start_day: midnight of the first day, here the epoch's
    assert.are.same({ 994, 1001, n = 2 }, vals(d:col("frame.time_epoch")))
  end)

  it("resamples on another time column, with Lua functions, on empty tables", function()
    local t <close> = times():rename{ ["frame.time_epoch"] = "when" }
    local r = t:resample("2s", { n = { "frame.len", function(v) return v.n end } }, { on = "when" })
    assert.are.same({ "when", "n" }, r:columns())
    assert.are.same({ 3, 2, n = 2 }, vals(r:col("n")))
    local e = t:head(0):resample("1s", { b = { "frame.len", "sum" } }, { on = "when" })
    assert.are.equal(0, #e)
    assert.are.same({ "when", "b" }, e:columns())
  end)

  it("makes a series per group", function()
    local t <close> = times()
    local r = t:groupby("ip.src"):resample("1s", { bytes = { "frame.len", "sum" }, n = { "frame.len", "count" } })
    assert.are.same({ "ip.src", "frame.time_epoch", "bytes", "n" }, r:columns())
    local a, b = "10.0.0.1", "10.0.0.2"
    assert.are.same({ a, a, a, a, b, b, b, b, n = 8 }, vals(r:col("ip.src")))
    assert.are.same({ 1000, 1001, 1002, 1003, 1000, 1001, 1002, 1003, n = 8 }, vals(r:col("frame.time_epoch")))
    assert.are.same({ 100, 300, 0, 50, 200, 0, 0, 25, n = 8 }, vals(r:col("bytes")))
    assert.are.same({ 1, 1, 0, 1, 1, 0, 0, 1, n = 8 }, vals(r:col("n")))
  end)

  it("agrees with the byte count of a real capture", function()
    local path = CAPTURES .. "/http-browsing-2013.pcap"
    if not io.open(path, "rb") then pending(path .. " is absent") return end
    local t <close> = assert(pf.read(path, { fields = { "frame.time_epoch", "frame.len" } }))
    local r = t:resample("1s", { bytes = { "frame.len", "sum" }, n = { "frame.len", "size" } })
    assert.are.equal(t:col("frame.len"):sum(), r:col("bytes"):sum())
    assert.are.equal(#t, r:col("n"):sum())
    assert.are.equal(17, #r)   -- 1367526033 .. 1367526049
  end)

  it("names the bad argument", function()
    local t <close> = times()
    local h <close> = hosts()
    local sum = { b = { "frame.len", "sum" } }
    local cases = {
      { function() t:resample("1x", sum) end,
        "bad argument #1 to 'resample' (bad interval '1x': expected a number and a unit: ns us ms s min h)" },
      { function() t:resample("s", sum) end,
        "bad argument #1 to 'resample' (bad interval 's': expected a number and a unit: ns us ms s min h)" },
      { function() t:resample("0s", sum) end,
        "bad argument #1 to 'resample' (bad interval '0s': expected a number and a unit: ns us ms s min h)" },
      { function() t:resample("0.5ns", sum) end,
        "bad argument #1 to 'resample' (bad interval '0.5ns': expected a number and a unit: ns us ms s min h)" },
      { function() t:resample(1, sum) end,
        "bad argument #1 to 'resample' (bad interval '1': expected a number and a unit: ns us ms s min h)" },
      { function() t:resample("1ns", sum) end,
        "bad argument #1 to 'resample' (interval '1ns' over these times makes more than 100000000 buckets, or the " ..
        "times are too far apart)" },
      { function() t:resample("1s", { b = { "frame.len", "avg" } }) end,
        "bad argument #2 to 'resample' (unknown aggregation 'avg' for 'b'; expected one of count, size, sum, mean, " ..
        "min, max, first, last, nunique, std, var, median or a function)" },
      { function() t:resample("1s", { ["frame.time_epoch"] = { "frame.len", "sum" } }) end,
        "bad argument #2 to 'resample' ('frame.time_epoch' names a key column)" },
      { function() t:resample("1s", sum, { origin = "end" }) end,
        "bad argument #3 to 'resample' (origin: 'start_day', 'epoch' or 'start' expected, got 'end')" },
      { function() t:resample("1s", sum, { on = "ip.src" }) end,
        "bad argument #3 to 'resample' (on: column 'ip.src' is ipv4, not a time)" },
      { function() h:resample("1s", { b = { "bytes", "sum" } }) end,
        "bad argument #3 to 'resample' (no column named 'frame.time_epoch' (the times: {on = name}))" },
      { function() t:resample("1s", sum, { every = 1 }) end, "bad argument #3 to 'resample' (unknown option 'every')" },
    }
    for _, case in ipairs(cases) do assert.has_error(case[1], case[2]) end
  end)
end)
