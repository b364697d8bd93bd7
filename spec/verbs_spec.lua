-- verbs_spec.lua: the table verbs (filter, select, rename, sort, head/tail/slice, unique, concat, join,
-- value_counts, describe, diff/shift/cumsum, with), Column arithmetic and comparisons, read_csv, to_tsv, to_json.
-- Expected numbers were computed with pandas 1.5.3 on the same data (Debian 12's python3-pandas).
local pf = require "pktframe"
local synth = require "pktframe.synth"

local CAPTURES = (os.getenv("PKTFRAME_SHARED") or "/work/shared") .. "/captures"

-- A table from CSV text (through a temporary file, as pf.read_csv reads files).
local function csv(text, opts)
  local path = os.tmpname()
  local f = assert(io.open(path, "wb"))
  f:write(text)
  f:close()
  local t, err = pf.read_csv(path, opts)
  os.remove(path)
  return assert(t, err)
end

-- Seven rows with a null in each column.
local HOSTS = "host,port,bytes,rtt\n" ..
              "a,80,100,0.5\n" ..
              "b,443,,0.25\n" ..
              "a,80,300,\n" ..
              "c,,50,1.0\n" ..
              "b,443,200,0.75\n" ..
              "a,22,100,0.125\n" ..
              ",80,70,2.0\n"

local function hosts() return csv(HOSTS) end

-- Columns named after fields take the field's type.
local PACKETS = "frame.number,frame.time_epoch,ip.src,ip.dst,tcp.srcport,tcp.dstport,frame.len\n" ..
                "1,1000.000000000,10.0.0.1,10.0.0.2,40000,80,60\n" ..
                "2,1000.250000000,10.0.0.2,10.0.0.1,80,40000,1514\n" ..
                "3,1001.500000000,10.0.0.9,10.0.0.1,,,98\n" ..
                "4,1003.000000000,10.0.0.1,192.168.1.1,40001,443,60\n" ..
                "5,1003.125000000,192.168.1.1,10.0.0.1,443,40001,590\n"

local function packets() return csv(PACKETS) end

local function vals(c) return c:totable() end

local function close(a, b) return math.abs(a - b) <= 1e-12 * math.max(1, math.abs(a), math.abs(b)) end

describe("pf.read_csv", function()
  it("infers int, double, string and bool columns and reads empty cells as nulls", function()
    local t <close> = csv("i,d,s,b\n1,1.5,x,True\n-2,,y,False\n,3,,True\n")
    assert.are.same({ i = "int", d = "double", s = "string", b = "bool" }, t:types())
    assert.are.same({ 1, -2, n = 3 }, vals(t:col("i")))
    assert.are.same({ 1.5, [3] = 3.0, n = 3 }, vals(t:col("d")))
    assert.are.same({ "x", "y", n = 3 }, vals(t:col("s")))
    assert.are.same({ 1, 0, 1, n = 3 }, vals(t:col("b")))
  end)

  it("gives a column named after a field that field's type and text form", function()
    local t <close> = packets()
    local ty = t:types()
    assert.are.equal("ipv4", ty["ip.src"])
    assert.are.equal("abstime", ty["frame.time_epoch"])
    assert.are.equal("uint", ty["tcp.srcport"])
    assert.are.equal("10.0.0.9", t:col("ip.src")[3])
    assert.are.equal(1000.25, t:col("frame.time_epoch")[2])
    assert.are.equal(1000250000000, t:col("frame.time_epoch"):ns(2))
    assert.is_nil(t:col("tcp.srcport")[3])
  end)

  it("reads quoted cells, several occurrences of a field, tabs and CRLF line ends", function()
    local t <close> = csv('name,vlan.id\r\n"a, ""b""",100\r\n"two\nlines","100,200"\r\n')
    assert.are.same({ 'a, "b"', "two\nlines", n = 2 }, vals(t:col("name")))
    assert.are.same({ 100, 200 }, t:col("vlan.id"):all(2))
    local u <close> = csv("frame.len\tip.src\n60\t10.0.0.1\n", { sep = "\t" })
    assert.are.same({ "10.0.0.1", n = 1 }, vals(u:col("ip.src")))
  end)

  it("reads back what to_csv wrote, values and types", function()
    local t <close> = packets()
    local u <close> = csv(t:to_csv())
    assert.are.equal(t:to_csv(), u:to_csv())
    assert.are.same(t:types(), u:types())
  end)

  it("reads a header alone as an empty table", function()
    local t <close> = csv("a,b\n")
    assert.are.equal(0, #t)
    assert.are.same({ "a", "b" }, t:columns())
  end)

  it("returns nil and a message for a file it cannot read or make sense of", function()
    local path = CAPTURES .. "/no/such.csv"
    local t, err = pf.read_csv(path)
    assert.is_nil(t)
    assert.are.equal(path .. ": No such file or directory", err)
    local p = os.tmpname()
    local cases = {
      { "a,b\n1,2\n3\n", ": line 3: 1 fields, expected 2" },
      { "", ": line 1: no header line" },
      { "a,a\n", ": line 1: column 'a' appears twice" },
      { 'a\n"open\n', ': line 2: unterminated quote' },
      { "ip.src\n10.0.0.300\n", ": line 2: column 'ip.src': bad ipv4 value '10.0.0.300'" },
    }
    for _, case in ipairs(cases) do
      local f = assert(io.open(p, "wb"))
      f:write(case[1])
      f:close()
      local r, msg = pf.read_csv(p)
      assert.is_nil(r)
      assert.are.equal(p .. case[2], msg)
    end
    os.remove(p)
  end)

  it("names the bad argument", function()
    assert.has_error(function() pf.read_csv() end, "bad argument #1 to 'read_csv' (string expected, got no value)")
    assert.has_error(function() pf.read_csv("x", { sep = ";;" }) end,
      "bad argument #2 to 'read_csv' (sep: one character expected (not a quote or line break))")
    assert.has_error(function() pf.read_csv("x", { seperator = ";" }) end,
      "bad argument #2 to 'read_csv' (unknown option 'seperator')")
  end)
end)

describe("pktframe.Table output", function()
  it("writes TSV as tshark -T fields does", function()
    local t <close> = packets():head(3)
    assert.are.equal(
      "frame.number\tframe.time_epoch\tip.src\tip.dst\ttcp.srcport\ttcp.dstport\tframe.len\n" ..
      "1\t1000.000000000\t10.0.0.1\t10.0.0.2\t40000\t80\t60\n" ..
      "2\t1000.250000000\t10.0.0.2\t10.0.0.1\t80\t40000\t1514\n" ..
      "3\t1001.500000000\t10.0.0.9\t10.0.0.1\t\t\t98\n", t:to_tsv())
  end)

  it("writes JSON lines with numbers, strings and nulls", function()
    local t <close> = hosts():slice(3, 4)
    assert.are.equal(
      '{"host": "a", "port": 80, "bytes": 300, "rtt": null}\n' ..
      '{"host": "c", "port": null, "bytes": 50, "rtt": 1.0}\n', t:to_json())
    local path = os.tmpname()
    assert.is_true(t:to_json(path))
    local f = assert(io.open(path, "rb"))
    assert.are.equal(t:to_json(), f:read("a"))
    f:close()
    os.remove(path)
  end)

  it("escapes JSON strings and writes several occurrences as an array", function()
    local t <close> = csv('name,vlan.id\n"q""\\\t",\n"",1\n"x","1,2"\n')
    assert.are.equal('{"name": "q\\"\\\\\\u0009", "vlan.id": null}\n' ..
                     '{"name": null, "vlan.id": 1}\n' ..
                     '{"name": "x", "vlan.id": [1, 2]}\n', t:to_json())
  end)
end)

describe("pktframe.Table:select, rename, head, tail, slice", function()
  it("selects columns by name, in the order given", function()
    local t <close> = hosts()
    assert.are.same({ "rtt", "host" }, t:select("rtt", "host"):columns())
    assert.are.same({ "bytes" }, t:select({ "bytes" }):columns())
    assert.are.equal(7, #t:select("port"))
  end)

  it("renames columns without touching the data", function()
    local t <close> = hosts()
    local r = t:rename{ host = "h", rtt = "delay" }
    assert.are.same({ "h", "port", "bytes", "delay" }, r:columns())
    assert.are.same(vals(t:col("rtt")), vals(r:col("delay")))
    assert.are.equal("delay", r:col("delay"):name())
    assert.are.same({ "host", "port", "bytes", "rtt" }, t:columns())
    assert.truthy(r:to_csv():find("^h,port,bytes,delay\n"))
    assert.are.same({ "host", "port", "bytes", "rtt" }, r:rename{ h = "host", delay = "rtt" }:columns())
  end)

  it("takes the first, the last and a range of rows", function()
    local t <close> = hosts()
    assert.are.same({ 100, nil, 300, n = 3 }, vals(t:head(3):col("bytes")))
    assert.are.same({ 100, 70, n = 2 }, vals(t:tail(2):col("bytes")))
    assert.are.same({ 300, 50, 200, n = 3 }, vals(t:slice(3, 5):col("bytes")))
    assert.are.same({ 100, 70, n = 2 }, vals(t:slice(6):col("bytes")))
    assert.are.same({ 70, n = 1 }, vals(t:slice(-1):col("bytes")))
    assert.are.equal(0, #t:slice(5, 4))
    assert.are.equal(7, #t:slice(1, 100))
    assert.are.equal(0, #t:tail(0))
    assert.are.same({ 50, n = 1 }, vals(t:slice(2, 6):slice(3, 3):col("bytes")))
    assert.are.same({ 200, 100, n = 2 }, vals(t:tail(3):head(2):col("bytes")))
  end)

  it("names the bad argument", function()
    local t <close> = hosts()
    local cases = {
      { function() t:select("nope") end, "bad argument #1 to 'select' (no column named 'nope'; columns: host, port, bytes, rtt)" },
      { function() t:select("host", "host") end, "bad argument #2 to 'select' (column 'host' selected twice)" },
      { function() t:select() end, "bad argument #1 to 'select' (string expected, got no value)" },
      { function() t:select({ 1 }) end, "bad argument #1 to 'select' (names[1]: string expected, got number)" },
      { function() t:rename{ nope = "x" } end, "bad argument #1 to 'rename' (no column named 'nope'; columns: host, port, bytes, rtt)" },
      { function() t:rename{ host = "port" } end, "bad argument #1 to 'rename' (two columns would be named 'port')" },
      { function() t:rename("host") end, "bad argument #1 to 'rename' (table expected, got string)" },
      { function() t:tail(-1) end, "bad argument #1 to 'tail' (non-negative count expected, got -1)" },
      { function() t:slice() end, "bad argument #1 to 'slice' (number expected, got no value)" },
    }
    for _, case in ipairs(cases) do assert.has_error(case[1], case[2]) end
  end)
end)

describe("pktframe.Table:filter", function()
  it("keeps the rows a display filter accepts", function()
    local t <close> = packets()
    assert.are.same({ 2, 5, n = 2 }, vals(t:filter("frame.len > 500"):col("frame.number")))
    assert.are.same({ 1, 4, n = 2 }, vals(t:filter("ip.src == 10.0.0.1 && tcp"):col("frame.number")))
    local f = t:filter("ip.dst == 192.168.0.0/16 or ip.src == 192.168.1.1")
    assert.are.same({ 4, 5, n = 2 }, vals(f:col("frame.number")))
    assert.are.same({ 3, n = 1 }, vals(t:filter("!tcp.srcport"):col("frame.number")))
    assert.are.equal(0, #t:filter("frame.len > 5000"))
  end)

  it("reads either-side fields from both sides when the table lacks them", function()
    local t <close> = packets()
    assert.are.same({ 1, 2, n = 2 }, vals(t:filter("tcp.port == 80"):col("frame.number")))
    assert.are.same({ 3, n = 1 }, vals(t:filter("ip.addr == 10.0.0.9"):col("frame.number")))
  end)

  it("keeps the rows where a boolean column is true", function()
    local t <close> = hosts()
    assert.are.same({ 300, 200, n = 2 }, vals(t:filter(t:col("bytes"):gt(100)):col("bytes")))
    assert.are.same({ "b", n = 1 }, vals(t:filter(t:col("bytes"):isnull()):col("host")))
  end)

  it("calls a function with each row as a fallback", function()
    local t <close> = hosts()
    local f = t:filter(function(row, i) return row.host == "a" and i > 1 end)
    assert.are.same({ 300, 100, n = 2 }, vals(f:col("bytes")))
  end)

  it("keeps every occurrence of a field", function()
    local t <close> = csv('frame.number,vlan.id\n1,"100,200"\n2,300\n')
    local f = t:filter("vlan.id == 200")
    assert.are.same({ 100, 200 }, f:col("vlan.id"):all(1))
    assert.are.equal(1, #f)
  end)

  it("matches pf.read's filter on a real capture", function()
    local path = CAPTURES .. "/http-browsing-2013.pcap"
    if not io.open(path, "rb") then pending(path .. " is absent") return end
    local fields = { "frame.number", "ip.src", "ip.dst", "tcp.srcport", "tcp.dstport", "tcp.len", "frame.len" }
    local all <close> = assert(pf.read(path, { fields = fields }))
    for _, expr in ipairs{ "tcp.len > 1000", "ip.addr == 10.0.0.6 and not tcp.port == 80", "frame.len in {60..70}" } do
      local want <close> = assert(pf.read(path, { fields = fields, filter = expr }))
      assert.are.same(vals(want:col("frame.number")), vals(all:filter(expr):col("frame.number")))
    end
  end)

  it("works on empty tables and single rows", function()
    local t <close> = packets()
    assert.are.equal(0, #t:head(0):filter("frame.len > 0"))
    assert.are.equal(1, #t:head(1):filter("frame.len > 0"))
    assert.are.equal(0, #t:head(0):filter(function() return true end))
  end)

  it("names the bad argument", function()
    local t <close> = packets()
    local h <close> = hosts()
    local cases = {
      { function() t:filter("udp.port == 53") end,
        "bad argument #1 to 'filter' (no column named 'udp.port' (the filter reads it), nor both 'udp.srcport' " ..
        "and 'udp.dstport')" },
      { function() t:filter("tcp.len > 0") end,
        "bad argument #1 to 'filter' (no column named 'tcp.len' (the filter reads it))" },
      { function() t:filter("frame.len >") end,
        "bad argument #1 to 'filter' (bad filter 'frame.len >': column 12: expected a value at the end)" },
      { function() t:filter(h:col("bytes"):gt(1)) end,
        "bad argument #1 to 'filter' (column of 7 rows for a table of 5)" },
      { function() t:filter(t:col("ip.src")) end,
        "bad argument #1 to 'filter' (bool column expected, got ipv4 column)" },
      { function() t:filter(t:col("frame.len")) end,
        "bad argument #1 to 'filter' (bool column expected, got uint column)" },
      { function() t:filter(5) end,
        "bad argument #1 to 'filter' (string, pktframe.Column or function expected, got number)" },
      { function() h:filter(function(r) return r.x.y end) end,
        "filter: row 1: spec/verbs_spec.lua:" },
    }
    for i, case in ipairs(cases) do
      if i < #cases then assert.has_error(case[1], case[2])
      else
        local ok, err = pcall(case[1])
        assert.is_false(ok)
        assert.truthy(err:find(case[2], 1, true))
      end
    end
    assert.has_error(function() csv("x\n1\n"):rename{ x = "frame.len" }:filter("frame.len > 1") end,
      "bad argument #1 to 'filter' (column 'frame.len' is int; the filter reads it as uint)")
  end)
end)

describe("pktframe.Table:sort", function()
  it("sorts stably with nulls last, ascending or descending", function()
    local t <close> = hosts()
    assert.are.same({ 50, 70, 100, 100, 200, 300, n = 7 }, vals(t:sort("bytes"):col("bytes")))
    assert.are.same({ "c", nil, "a", "a", "b", "a", "b", n = 7 }, vals(t:sort("bytes"):col("host")))
    assert.are.same({ 22, 80, 80, 80, 443, 443, n = 7 }, vals(t:sort("port"):col("port")))
    local d = t:sort("bytes", { desc = true })
    assert.are.same({ 300, 200, 100, 100, 70, 50, n = 7 }, vals(d:col("bytes")))
    assert.are.same({ 0.5, 0.125 }, { d:col("rtt")[3], d:col("rtt")[4] })   -- ties keep their order
    assert.is_nil(d:col("bytes")[7])
  end)

  it("sorts by several keys, each in its own direction", function()
    local t <close> = hosts()
    local s = t:sort({ "host", "bytes" }, { desc = { false, true } })
    assert.are.same({ "a", "a", "a", "b", "b", "c", n = 7 }, vals(s:col("host")))
    assert.are.same({ 300, 100, 100, 200, nil, 50, 70, n = 7 }, vals(s:col("bytes")))
  end)

  it("orders strings bytewise, addresses by number and times exactly", function()
    local t <close> = packets()
    assert.are.same({ "10.0.0.1", "10.0.0.1", "10.0.0.2", "10.0.0.9", "192.168.1.1", n = 5 },
                    vals(t:sort("ip.src"):col("ip.src")))
    assert.are.same({ 5, 4, 3, 2, 1, n = 5 }, vals(t:sort("frame.time_epoch", { desc = true }):col("frame.number")))
    local s <close> = csv("s\nb\nB\nab\na\n\n")
    assert.are.same({ "B", "a", "ab", "b", n = 4 }, vals(s:sort("s"):col("s")))
  end)

  it("sorts large tables as small ones (radix and merge paths agree)", function()
    local lines = { "k,d,i" }
    local seed = 7
    for i = 1, 70000 do
      seed = (seed * 1103515245 + 12345) % 2147483648
      lines[#lines + 1] = string.format("%d,%.3f,%d", seed % 1000 - 500, (seed % 977) / 7, i)
    end
    local t <close> = csv(table.concat(lines, "\n") .. "\n")
    local s = t:sort({ "k", "d" })
    local k, d, i = s:col("k"), s:col("d"), s:col("i")
    local ok = true
    for r = 2, #s do
      if k[r - 1] > k[r] or (k[r - 1] == k[r] and (d[r - 1] > d[r] or (d[r - 1] == d[r] and i[r - 1] > i[r]))) then
        ok = false
      end
    end
    assert.is_true(ok)
    local small = s:head(100):sort({ "k", "d" })
    assert.are.same(vals(s:head(100):col("i")), vals(small:col("i")))
  end)

  it("names the bad argument", function()
    local t <close> = hosts()
    local cases = {
      { function() t:sort("nope") end, "bad argument #1 to 'sort' (no column named 'nope'; columns: host, port, bytes, rtt)" },
      { function() t:sort({}) end, "bad argument #1 to 'sort' (no columns given)" },
      { function() t:sort(1) end, "bad argument #1 to 'sort' (string or table expected, got number)" },
      { function() t:sort("host", { desc = "yes" }) end,
        "bad argument #2 to 'sort' (desc: boolean or table expected, got string)" },
      { function() t:sort({ "host", "port" }, { desc = { true } }) end,
        "bad argument #2 to 'sort' (desc: 1 flags for 2 columns)" },
      { function() t:sort("host", { ascending = false }) end,
        "bad argument #2 to 'sort' (unknown option 'ascending')" },
    }
    for _, case in ipairs(cases) do assert.has_error(case[1], case[2]) end
  end)
end)

describe("pktframe.Table:unique and value_counts", function()
  it("lists distinct values in order of first appearance, nil included, as a one-column table", function()
    local t <close> = hosts()
    local u = t:unique("host")
    assert.are.same({ "host" }, u:columns())
    assert.are.same({ "a", "b", "c", nil, n = 4 }, vals(u:col("host")))
    assert.are.same({ 80, 443, nil, 22, n = 4 }, vals(t:unique("port"):col("port")))
    assert.are.equal(0, #t:head(0):unique("host"))
  end)

  it("counts values, most frequent first, ties in order of first appearance", function()
    local t <close> = hosts()
    local v = t:value_counts("host")
    assert.are.same({ "host", "count" }, v:columns())
    assert.are.same({ "a", "b", "c", n = 3 }, vals(v:col("host")))
    assert.are.same({ 3, 2, 1, n = 3 }, vals(v:col("count")))
    local p = t:value_counts("port", { normalize = true })
    assert.are.same({ 80, 443, 22, n = 3 }, vals(p:col("port")))
    assert.are.same({ 0.5, 1 / 3, 1 / 6, n = 3 }, vals(p:col("proportion")))
    local ties <close> = csv("x\n3\n1\n2\n1\n3\n2\n")
    assert.are.same({ 3, 1, 2, n = 3 }, vals(ties:value_counts("x"):col("x")))
  end)

  it("names the bad argument", function()
    local t <close> = hosts()
    assert.has_error(function() t:unique("nope") end, "bad argument #1 to 'unique' (no column named 'nope'; columns: host, port, bytes, rtt)")
    assert.has_error(function() t:value_counts("host", { normalise = true }) end,
      "bad argument #2 to 'value_counts' (unknown option 'normalise')")
    assert.has_error(function() t:value_counts("host", { normalize = 1 }) end,
      "bad argument #2 to 'value_counts' (normalize: boolean expected, got number)")
  end)
end)

describe("pktframe.Table:describe", function()
  it("gives pandas' summary with linear quantiles", function()
    local t <close> = hosts()
    local d = t:describe("rtt")
    assert.are.equal(6, d.count)
    assert.is_true(close(0.7708333333333334, d.mean))
    assert.is_true(close(0.6819854592780308, d.std))
    assert.are.same({ 0.125, 0.3125, 0.625, 0.9375, 2.0 }, { d.min, d["25%"], d["50%"], d["75%"], d.max })
    local b = t:describe("bytes")
    assert.are.same({ 6, 50, 77.5, 100, 175, 300 }, { b.count, b.min, b["25%"], b["50%"], b["75%"], b.max })
  end)

  it("leaves out what too few values cannot give", function()
    local t <close> = hosts()
    assert.are.same({ count = 0 }, t:head(0):describe("rtt"))
    local one = t:head(1):describe("rtt")
    assert.are.equal(1, one.count)
    assert.is_nil(one.std)
    assert.are.equal(0.5, one["75%"])
  end)

  it("names the bad argument", function()
    local t <close> = hosts()
    assert.has_error(function() t:describe("host") end,
      "bad argument #1 to 'describe' (cannot describe string column 'host')")
  end)
end)

describe("pktframe.Table:diff, shift and cumsum", function()
  it("computes differences, lags and running sums with nulls as pandas", function()
    local t <close> = hosts()
    assert.are.same({ [4] = -250, [5] = 150, [6] = -100, [7] = -30, n = 7 }, vals(t:diff("bytes")))
    assert.are.same({ [3] = 200, [5] = -100, [6] = 50, [7] = -130, n = 7 }, vals(t:diff("bytes", 2)))
    assert.are.same({ [2] = 100, [4] = 300, [5] = 50, [6] = 200, [7] = 100, n = 7 }, vals(t:shift("bytes")))
    assert.are.same({ [2] = 300, [3] = 50, [4] = 200, [5] = 100, [6] = 70, n = 7 }, vals(t:shift("bytes", -1)))
    assert.are.same({ 100, nil, 400, 450, 650, 750, 820, n = 7 }, vals(t:cumsum("bytes")))
    assert.are.equal("int", t:cumsum("bytes"):type())
  end)

  it("takes differences of times exactly, as reltimes", function()
    local t <close> = packets()
    local d = t:diff("frame.time_epoch")
    assert.are.equal("reltime", d:type())
    assert.are.same({ [2] = 0.25, [3] = 1.25, [4] = 1.5, [5] = 0.125, n = 5 }, vals(d))
    assert.are.equal(125000000, d:ns(5))
  end)

  it("names the bad argument", function()
    local t <close> = hosts()
    assert.has_error(function() t:diff("host") end, "bad argument #1 to 'diff' (cannot diff string column 'host')")
    assert.has_error(function() t:cumsum("host") end, "bad argument #1 to 'cumsum' (cannot sum string column 'host')")
    assert.has_error(function() t:shift("nope") end, "bad argument #1 to 'shift' (no column named 'nope'; columns: host, port, bytes, rtt)")
  end)
end)

describe("pktframe.Column operations", function()
  it("does arithmetic with numbers and columns, nulls propagating", function()
    local t <close> = hosts()
    local b = t:col("bytes")
    assert.are.same({ 800, nil, 2400, 400, 1600, 800, 560, n = 7 }, vals(b * 8))
    assert.are.equal("int", (b * 8):type())
    assert.are.equal("bytes", (b * 8):name())
    assert.are.same({ 101, nil, 301, n = 3 }, vals((1 + t:head(3):col("bytes"))))
    assert.are.same({ 50, nil, 150, 25, 100, 50, 35, n = 7 }, vals(b / 2))
    assert.are.equal("double", (b / 2):type())
    assert.are.same({ 200, nil, 600, 100, 400, 200, 140, n = 7 }, vals(b + b))
    assert.are.same({ 3, nil, 9, 1, 6, 3, 2, n = 7 }, vals(b // 32))
    assert.are.same({ 4, nil, 12, 18, 8, 4, 6, n = 7 }, vals(b % 32))
    assert.are.same({ -100, nil, -300, n = 3 }, vals(-t:head(3):col("bytes")))
    assert.are.same({ 100, nil, 300, n = 3 }, vals((-t:head(3):col("bytes")):abs()))
    assert.are.same({ 8.0, n = 1 }, vals(t:head(1):col("port") // 10.0))
  end)

  it("floors integer division and modulo as Python and gives null for division by zero", function()
    local t <close> = csv("a,b\n7,2\n-7,2\n7,-2\n7,0\n0,0\n")
    local a, b = t:col("a"), t:col("b")
    assert.are.same({ 3, -4, -4, n = 5 }, vals(a // b))
    assert.are.same({ 1, 1, -1, n = 5 }, vals(a % b))
    assert.are.same({ 3.5, -3.5, -3.5, math.huge, n = 5 }, vals(a / b))
  end)

  it("compares with numbers, strings and columns as pandas (null is false, but not for ~=)", function()
    local t <close> = hosts()
    local b = t:col("bytes")
    assert.are.same({ 0, 0, 1, 0, 1, 0, 0, n = 7 }, vals(b:gt(100)))
    assert.are.same({ 1, 0, 1, 0, 1, 1, 0, n = 7 }, vals(b:ge(100)))
    assert.are.same({ 0, 0, 0, 1, 0, 0, 1, n = 7 }, vals(b:lt(100)))
    assert.are.same({ 1, 0, 0, 1, 0, 1, 1, n = 7 }, vals(b:le(100)))
    assert.are.same({ 1, 0, 0, 0, 0, 1, 0, n = 7 }, vals(b:eq(100)))
    assert.are.same({ 0, 1, 1, 1, 1, 0, 1, n = 7 }, vals(b:ne(100)))
    assert.are.same({ 1, 0, 1, 0, 0, 1, 0, n = 7 }, vals(t:col("host"):eq("a")))
    assert.are.same({ 0, 1, 0, 0, 1, 0, 0, n = 7 }, vals(t:col("port"):eq(t:col("port") * 0 + 443)))
    local p <close> = packets()
    assert.are.same({ 0, 0, 0, 0, 1, n = 5 }, vals(p:col("ip.src"):gt("10.0.0.9")))
    assert.are.same({ 0, 1, 1, 1, 1, n = 5 }, vals(p:col("frame.time_epoch"):gt(1000.1)))
    assert.are.equal("bool", b:gt(1):type())
  end)

  it("combines truth columns with &, | and ~", function()
    local t <close> = hosts()
    local a, big = t:col("host"):eq("a"), t:col("bytes"):gt(100)
    assert.are.same({ 0, 0, 1, 0, 0, 0, 0, n = 7 }, vals(a & big))
    assert.are.same({ 1, 0, 1, 0, 1, 1, 0, n = 7 }, vals(a | big))
    assert.are.same({ 0, 1, 0, 1, 1, 0, 1, n = 7 }, vals(~a))
    assert.are.same({ 0, 1, 0, 0, 0, 0, 0, n = 7 }, vals(t:col("bytes"):isnull()))
    assert.are.same({ 1, 1, 1, 0, 1, 1, 1, n = 7 }, vals(t:col("port"):notnull()))
  end)

  it("subtracts times exactly and adds reltimes to abstimes", function()
    local t <close> = packets()
    local e = t:col("frame.time_epoch")
    local d = e - e:shift()
    assert.are.equal("reltime", d:type())
    assert.are.same(vals(t:diff("frame.time_epoch")), vals(d))
    local back = e:shift() + d
    assert.are.equal("abstime", back:type())
    assert.are.equal(1003125000000, back:ns(5))
    assert.are.equal("double", (e * 1):type())
  end)

  it("reduces to a single value", function()
    local t <close> = hosts()
    local b = t:col("bytes")
    assert.are.same({ 820, 6, 50, 300, 5 }, { b:sum(), b:count(), b:min(), b:max(), b:nunique() })
    assert.is_true(close(820 / 6, b:mean()))
    assert.are.equal(100, b:median())
    assert.is_true(close(0.6819854592780308, t:col("rtt"):std()))
    assert.are.equal("a", t:col("host"):min())
    assert.are.same({ 0, 0 }, { t:head(0):col("bytes"):sum(), t:head(0):col("bytes"):count() })
    assert.is_nil(t:head(0):col("bytes"):mean())
  end)

  it("raises with what to write instead", function()
    local t <close> = hosts()
    local b, h = t:col("bytes"), t:col("host")
    local cases = {
      { function() return b < 3 end,
        "attempt to compare a pktframe.Column with '<': Lua makes that a boolean; " ..
        "use c:lt(x), c:le(x), c:gt(x), c:ge(x)" },
      { function() return h * 2 end, "attempt to perform arithmetic (*) on a string column" },
      { function() return b + "x" end, "attempt to perform arithmetic (+) on a pktframe.Column and a string value" },
      { function() return b + t:head(2):col("bytes") end,
        "attempt to perform arithmetic (+) on columns of 7 and 2 rows" },
      { function() return b & h end, "attempt to combine (&) a string column: bool or integer columns expected" },
      { function() return h:abs() end, "attempt to perform arithmetic (abs) on a string column" },
      { function() return b:gt("x") end, "bad argument #1 to 'gt' (number expected (the column is int), got string)" },
      { function() return h:gt(1) end, "bad argument #1 to 'gt' (cannot compare a string column with number)" },
      { function() return b:eq(t:head(1):col("bytes")) end, "bad argument #1 to 'eq' (column of 1 rows, expected 7)" },
      { function() return b:eq({}) end,
        "bad argument #1 to 'eq' (pktframe.Column, number or string expected, got table)" },
      { function() return h:sum() end, "calling 'sum' on bad self ('sum' is not defined for a string column)" },
    }
    for _, case in ipairs(cases) do assert.has_error(case[1], case[2]) end
    local p <close> = packets()
    assert.has_error(function() return p:col("ip.src"):eq("10.0.0") end,
      "bad argument #1 to 'eq' (bad ipv4 value '10.0.0')")
  end)
end)

describe("pktframe.Table:with", function()
  it("adds a computed column, or replaces one of the same name", function()
    local t <close> = hosts()
    local w = t:with("bits", t:col("bytes") * 8)
    assert.are.same({ "host", "port", "bytes", "rtt", "bits" }, w:columns())
    assert.are.same({ 800, nil, 2400, 400, 1600, 800, 560, n = 7 }, vals(w:col("bits")))
    local r = t:with("bytes", t:col("bytes") * 8)
    assert.are.same({ "host", "port", "bytes", "rtt" }, r:columns())
    assert.are.equal(800, r:col("bytes")[1])
    assert.are.equal(100, t:col("bytes")[1])
  end)

  it("adds a display filter's verdicts as a bool column", function()
    local t <close> = packets()
    assert.are.same({ 1, 1, 0, 0, 0, n = 5 }, vals(t:with("web", "tcp.port == 80"):col("web")))
  end)

  it("calls a function per row as a fallback, inferring the column's type", function()
    local t <close> = hosts()
    local w = t:with("tag", function(row) return row.host and row.host .. ":" .. (row.port or "?") end)
    assert.are.same({ "a:80", "b:443", "a:80", "c:?", "b:443", "a:22", nil, n = 7 }, vals(w:col("tag")))
    assert.are.equal("string", w:col("tag"):type())
    assert.are.equal("double", t:with("x", function(_, i) return i / 2 end):col("x"):type())
    assert.are.equal("int", t:with("x", function(_, i) return i end):col("x"):type())
  end)

  it("works on a slice, sharing its columns", function()
    local t <close> = hosts()
    local s = t:slice(3, 5)
    assert.are.same({ 2400, 400, 1600, n = 3 }, vals(s:with("bits", s:col("bytes") * 8):col("bits")))
    assert.are.same({ 200, 100, 70, n = 3 }, vals(s:with("b2", t:tail(3):col("bytes")):col("b2")))
  end)

  it("names the bad argument", function()
    local t <close> = hosts()
    local cases = {
      { function() t:with("x", t:head(2):col("bytes")) end,
        "bad argument #2 to 'with' (column of 2 rows for a table of 7)" },
      { function() t:with("x", 5) end,
        "bad argument #2 to 'with' (pktframe.Column, string or function expected, got number)" },
      { function() t:with("x", function(r) return r.host or 1 end) end,
        "bad argument #2 to 'with' (values mix numbers, strings and booleans)" },
      { function() t:with(nil, t:col("bytes")) end, "bad argument #1 to 'with' (string expected, got nil)" },
    }
    for _, case in ipairs(cases) do assert.has_error(case[1], case[2]) end
  end)
end)

describe("pf.concat", function()
  it("puts tables one after the other, matching columns by name", function()
    local t <close> = hosts()
    local c = pf.concat(t:head(2), t:tail(1))
    assert.are.equal(3, #c)
    assert.are.same({ "a", "b", nil, n = 3 }, vals(c:col("host")))
    local u = pf.concat({ t:select("host", "bytes"), t:select("rtt", "host") })
    assert.are.same({ "host", "bytes", "rtt" }, u:columns())
    assert.are.equal(14, #u)
    assert.is_nil(u:col("rtt")[7])
    assert.are.equal(0.5, u:col("rtt")[8])
    assert.is_nil(u:col("bytes")[8])
    assert.are.equal(7, #pf.concat(t))
  end)

  it("keeps the types and text of fields", function()
    local p <close> = packets()
    local c = pf.concat(p, p)
    assert.are.equal(10, #c)
    assert.are.same(p:types(), c:types())
    assert.are.equal(p:to_csv() .. p:to_csv():gsub("^[^\n]*\n", ""), c:to_csv())
  end)

  it("names the bad argument", function()
    local t <close> = hosts()
    local x <close> = csv("host\n1\n")
    local cases = {
      { function() pf.concat() end, "bad argument #1 to 'concat' (no tables given)" },
      { function() pf.concat(t, 5) end, "bad argument #2 to 'concat' (pktframe.Table expected, got number)" },
      { function() pf.concat(t, x) end,
        "bad argument #2 to 'concat' (column 'host' is int, but string in argument #1)" },
      { function() pf.concat({ t, x }) end,
        "bad argument #1 to 'concat' (tables[2]: column 'host' is int, but string in tables[1])" },
      { function() pf.concat({ t, {} }) end,
        "bad argument #1 to 'concat' (tables[2]: pktframe.Table expected, got table)" },
    }
    for _, case in ipairs(cases) do assert.has_error(case[1], case[2]) end
  end)
end)

describe("pktframe.Table:join", function()
  local names = "host,name,bytes\na,alpha,1\nb,beta,2\nb,bravo,3\nd,delta,4\n,none,5\n"

  it("pairs rows with equal keys, in the left table's order (inner)", function()
    local t <close> = hosts()
    local n <close> = csv(names)
    local j = t:join(n, "host")
    assert.are.same({ "host", "port", "bytes_x", "rtt", "name", "bytes_y" }, j:columns())
    assert.are.same({ "a", "b", "b", "a", "b", "b", "a", nil, n = 8 }, vals(j:col("host")))
    assert.are.same({ "alpha", "beta", "bravo", "alpha", "beta", "bravo", "alpha", "none", n = 8 }, vals(j:col("name")))
    assert.are.same({ 1, 2, 3, 1, 2, 3, 1, 5, n = 8 }, vals(j:col("bytes_y")))
  end)

  it("keeps unmatched left rows with nulls (left)", function()
    local t <close> = hosts()
    local n <close> = csv(names)
    local j = t:join(n, { "host" }, { how = "left" })
    assert.are.equal(9, #j)
    assert.are.equal("c", j:col("host")[5])
    assert.is_nil(j:col("name")[5])
    assert.are.equal(0, #t:head(0):join(n, "host", { how = "left" }))
  end)

  it("joins on several keys of matching types", function()
    local t <close> = hosts()
    local s <close> = csv("host,port,svc\na,80,http\nb,443,https\n")
    local j = t:join(s, { "host", "port" })
    assert.are.same({ "http", "https", "http", "https", n = 4 }, vals(j:col("svc")))
  end)

  it("names the bad argument", function()
    local t <close> = hosts()
    local n <close> = csv(names)
    local p <close> = packets()
    local cases = {
      { function() t:join(n, "port") end, "bad argument #2 to 'join' (no column named 'port' in the other table)" },
      { function() t:join(n, "nope") end, "bad argument #2 to 'join' (no column named 'nope'; columns: host, port, bytes, rtt)" },
      { function() t:join(5, "host") end, "bad argument #1 to 'join' (pktframe.Table expected, got number)" },
      { function() t:join(n, "host", { how = "outer" }) end,
        "bad argument #3 to 'join' (how: 'inner' or 'left' expected, got 'outer')" },
      { function() t:rename{ host = "ip.src" }:join(p, "ip.src") end,
        "bad argument #2 to 'join' (key 'ip.src' is string here and ipv4 in the other table)" },
    }
    for _, case in ipairs(cases) do assert.has_error(case[1], case[2]) end
  end)
end)

describe("tables from synthesized captures", function()
  it("filters, sorts and sums what pf.read decoded", function()
    local path = os.tmpname()
    local w = assert(synth.writer(path))
    local client = { "02:00:00:00:00:01", "10.1.0.1", 40000 }
    local server = { "02:00:00:00:00:02", "10.1.0.2", 80 }
    local session = synth.tcp_session{ client = client, server = server, t0 = 100,
                                       request = "GET / HTTP/1.1\r\n\r\n", response = string.rep("x", 5000) }
    for _, p in ipairs(session) do
      w:packet(p[1], p[2])
    end
    w:close()
    local t <close> = assert(pf.read(path))
    os.remove(path)
    local data = t:filter("tcp.len > 0")
    assert.are.equal(5000 + 18, data:col("tcp.len"):sum())
    assert.are.equal(#t, t:col("frame.len"):count())
    local by = t:groupby("ip.src"):agg{ n = { "frame.number", "size" } }
    assert.are.same({ "10.1.0.1", "10.1.0.2", n = 2 }, vals(by:col("ip.src")))
    assert.are.equal(#t, by:col("n"):sum())
  end)
end)
