-- table_spec.lua: the pktframe.Table and pktframe.Column userdata: access, head, text, CSV, closing.
local pf = require "pktframe"

-- Real captures, used in place (the Makefile sets PKTFRAME_SHARED); values checked
-- against TShark 4.0.17 (Debian 12).
local CAPTURES = (os.getenv("PKTFRAME_SHARED") or "/work/shared") .. "/captures"

local function capture(name)
  local path = CAPTURES .. "/" .. name
  local f = io.open(path, "rb")
  if f == nil then
    pending(path .. " is absent: specs on real captures are skipped")
    return nil
  end
  f:close()
  return path
end

-- The 3-packet handshake with a few columns, one of them null throughout (SLL has no Ethernet).
local HANDSHAKE_FIELDS = { "frame.number", "ip.src", "tcp.srcport", "frame.time_delta", "eth.src" }
local function handshake()
  local path = capture("sll-tcp-handshake-nsec.pcap")
  return path and assert(pf.read(path, { fields = HANDSHAKE_FIELDS }))
end

local function slurp(path)
  local f = assert(io.open(path, "rb"))
  local s = f:read("a")
  f:close()
  return s
end

describe("pktframe.Table", function()
  it("has a row count, column names in order and columns by name", function()
    local t <close> = handshake()
    if not t then return end
    assert.are.equal(3, #t)
    assert.are.same(HANDSHAKE_FIELDS, t:columns())
    local c = t:col("ip.src")
    assert.are.equal("ip.src", c:name())
    assert.are.equal("ipv4", c:type())
    assert.are.equal(3, #c)
  end)

  it("gives a row as a table keyed by field name, without its nulls", function()
    local t <close> = handshake()
    if not t then return end
    local r = t:row(2)
    assert.are.equal(2, r["frame.number"])
    assert.are.equal("137.116.81.94", r["ip.src"])
    assert.are.equal(80, r["tcp.srcport"])
    assert.is_true(math.abs(r["frame.time_delta"] - 0.127521774) < 1e-12)
    assert.is_nil(r["eth.src"])
    assert.is_nil(t:row(0))
    assert.is_nil(t:row(4))
  end)

  it("lists no diagnostics for a clean file", function()
    local t <close> = handshake()
    if not t then return end
    assert.are.same({}, t:diagnostics())
  end)

  it("takes the first rows as a new table", function()
    local path = capture("dns-mixed.pcap")
    if not path then return end
    local t <close> = assert(pf.read(path))
    local h <close> = t:head()
    assert.are.equal(5, #h)
    assert.are.same(t:columns(), h:columns())
    assert.are.same({ 1, 2, 3, 4, 5, n = 5 }, h:col("frame.number"):totable())
    assert.are.equal(2, #t:head(2))
    assert.are.equal(0, #t:head(0))
    assert.are.equal(464, #t:head(1000))
    assert.are.equal(1, #t:head(3):head(1))
    assert.is_nil(h:col("ip.src")[6])
  end)

  it("keeps the diagnostics in its head", function()
    local path = capture("truncated-midheader-dns.pcap")
    if not path then return end
    local t <close> = assert(pf.read(path))
    assert.are.same(t:diagnostics(), t:head(1):diagnostics())
  end)

  it("prints as aligned text", function()
    local t <close> = handshake()
    if not t then return end
    assert.are.equal(
      "   frame.number  ip.src          tcp.srcport  frame.time_delta  eth.src\n" ..
      "1             1  131.155.215.69        46656       0.000000000  nil\n" ..
      "2             2  137.116.81.94            80       0.127521774  nil\n" ..
      "3             3  131.155.215.69        46656       0.000087895  nil\n" ..
      "\n" ..
      "[3 rows x 5 columns]", tostring(t))
  end)

  it("prints a long, wide table cut to the first and last rows and the outer columns", function()
    local path = capture("dns-mixed.pcap")
    if not path then return end
    local t <close> = assert(pf.read(path))
    local lines = {}
    local saved = pf.options.display.width
    pf.options.display.width = 120   -- not the terminal's: the spec must not depend on it
    local text = tostring(t)
    pf.options.display.width = saved
    for line in (text .. "\n"):gmatch("(.-)\n") do lines[#lines + 1] = line end
    assert.are.equal(14, #lines)   -- header, 5 rows, "...", 5 rows, blank, footer
    assert.truthy(lines[1]:find("^%s+frame%.number%s+frame%.time_epoch"))
    assert.truthy(lines[1]:find("  ...  ", 1, true))
    assert.truthy(lines[1]:find("tcp%.len$"))
    assert.truthy(lines[2]:find("^1 +1  2014%-10%-11 19:15:30%.198203  "))   -- abstime as a UTC date
    assert.truthy(lines[7]:find("^%.%.%.%s+%.%.%.%s"))
    assert.truthy(lines[12]:find("^464 +464  "))
    assert.are.equal("", lines[13])
    assert.are.equal("[464 rows x 14 columns]", lines[14])
    for i = 1, 12 do assert.is_true(#lines[i] <= 120) end
  end)

  it("writes CSV in tshark's text, as a string or to a file", function()
    local t <close> = handshake()
    if not t then return end
    local want = "frame.number,ip.src,tcp.srcport,frame.time_delta,eth.src\n" ..
                 "1,131.155.215.69,46656,0.000000000,\n" ..
                 "2,137.116.81.94,80,0.127521774,\n" ..
                 "3,131.155.215.69,46656,0.000087895,\n"
    assert.are.equal(want, t:to_csv())
    local path = os.tmpname()
    assert.is_true(t:to_csv(path))
    assert.are.equal(want, slurp(path))
    os.remove(path)
  end)

  it("returns nil and a message when the CSV file cannot be written", function()
    local t <close> = handshake()
    if not t then return end
    local path = CAPTURES .. "/no/such/dir/out.csv"
    local ok, err = t:to_csv(path)
    assert.is_nil(ok)
    assert.are.equal(path .. ": No such file or directory", err)
  end)

  it("closes once and for all, by <close>, :close() or collection", function()
    local t = handshake()
    if not t then return end
    local c = t:col("ip.src")
    do
      local _ <close> = t
    end
    assert.are.equal("pktframe.Table (closed)", tostring(t))
    assert.are.equal("pktframe.Column (closed)", tostring(c))
    t:close()
    t:close()
    local u = handshake()
    u:close()
    collectgarbage()
  end)

  it("names the bad argument", function()
    local t <close> = handshake()
    if not t then return end
    local c = t:col("frame.number")
    local closed = handshake()
    local closedcol = closed:col("ip.src")
    closed:close()
    local cases = {
      { function() t.head(5) end, "bad argument #1 to 'head' (pktframe.Table expected, got number)" },
      { function() t.col(c, "ip.src") end, "bad argument #1 to 'col' (pktframe.Table expected, got pktframe.Column)" },
      { function() t:col("ip.srcc") end, "bad argument #1 to 'col' (no column named 'ip.srcc'; did you mean 'ip.src'? Columns: frame.number, ip.src, tcp.srcport, frame.time_delta, eth.src)" },
      { function() t:col() end, "bad argument #1 to 'col' (string expected, got no value)" },
      { function() t:head(-1) end, "bad argument #1 to 'head' (non-negative count expected, got -1)" },
      { function() t:head("x") end, "bad argument #1 to 'head' (number expected, got string)" },
      { function() t:row("x") end, "bad argument #1 to 'row' (number expected, got string)" },
      { function() t:to_csv(5) end, "bad argument #1 to 'to_csv' (string expected, got number)" },
      { function() closed:col("ip.src") end, "calling 'col' on bad self (table is closed)" },
      { function() closed:head() end, "calling 'head' on bad self (table is closed)" },
      { function() closed:row(1) end, "calling 'row' on bad self (table is closed)" },
      { function() closed:to_csv() end, "calling 'to_csv' on bad self (table is closed)" },
      { function() closedcol:type() end, "calling 'type' on bad self (table is closed)" },
      { function() closedcol:totable() end, "calling 'totable' on bad self (table is closed)" },
      { function() c:ns(1) end, "calling 'ns' on bad self (abstime or reltime column expected, got uint)" },
      { function() c:all() end, "bad argument #1 to 'all' (number expected, got no value)" },
    }
    for _, case in ipairs(cases) do
      assert.has_error(case[1], case[2])
    end
  end)
end)

describe("pktframe.Column", function()
  it("indexes from 1 and gives nil for nulls and outside the column", function()
    local t <close> = handshake()
    if not t then return end
    local c = t:col("tcp.srcport")
    assert.are.equal(46656, c[1])
    assert.are.equal(80, c[2])
    assert.is_nil(c[0])
    assert.is_nil(c[4])
    assert.is_nil(c[-1])
    assert.is_nil(c[1.5])
    assert.are.equal(80, c[2.0])
    assert.is_nil(c.nosuchmethod)
    assert.is_nil(t:col("eth.src")[1])
  end)

  it("converts to a Lua table with nil holes and n", function()
    local t <close> = handshake()
    if not t then return end
    assert.are.same({ "131.155.215.69", "137.116.81.94", "131.155.215.69", n = 3 }, t:col("ip.src"):totable())
    local nulls = t:col("eth.src"):totable()
    assert.are.equal(3, nulls.n)
    assert.is_nil(next(nulls, next(nulls)))   -- only n
  end)

  it("lists every occurrence of a cell", function()
    local t <close> = handshake()
    if not t then return end
    local c = t:col("ip.src")
    assert.are.same({ "137.116.81.94" }, c:all(2))
    assert.are.same({}, t:col("eth.src"):all(1))
    assert.is_nil(c:all(4))
  end)

  it("prints its name, type and length", function()
    local t <close> = handshake()
    if not t then return end
    assert.are.equal("1  131.155.215.69\n2  137.116.81.94\n3  131.155.215.69\nName: ip.src, Length: 3, dtype: ipv4",
                     tostring(t:col("ip.src")))
  end)

  it("keeps its table open while it is reachable", function()
    local c
    do
      local t = handshake()
      if not t then return end
      c = t:col("tcp.srcport")
    end
    collectgarbage()
    collectgarbage()
    assert.are.equal(80, c[2])
  end)
end)
