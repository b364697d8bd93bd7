-- where_spec.lua: Column:where, the row-wise choice (numpy.where / pandas' Series.where with other).
-- Expected values are written by hand from the rule (mask true: a; false or null: b) or computed
-- here in plain Lua from the inputs' cells, never from the kernel's own output.
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

-- flag: an integer mask with a null in row 3; x and y: ints with nulls; r: doubles; h: text
local DATA = "flag,x,y,r,h\n" ..
             "1,10,20,0.5,a\n" ..
             "0,11,21,1.5,b\n" ..
             ",12,22,2.5,c\n" ..
             "5,,23,3.5,d\n" ..
             "0,14,,4.5,\n" ..
             "1,15,25,5.5,f\n"

-- the cells of a column as a Lua list with nil holes, length n
local function cells(c)
  local out = {}
  for i = 1, #c do out[i] = c[i] end
  return out
end

local function same(expected, c, n)
  assert.are.equal(n, #c)
  for i = 1, n do assert.are.equal(expected[i], c[i], "row " .. i) end
end

describe("Column:where", function()
  it("takes a where the mask is true and b where it is false or null", function()
    local t <close> = csv(DATA)
    local m = t:col("flag")
    local w = m:where(t:col("x"), t:col("y"))
    same({10, 21, 22, nil, nil, 15}, w, 6)   -- row 4: x is null; row 5: y is null
    assert.are.equal("int", w:type())
    assert.are.equal("x", w:name())
  end)

  it("takes a scalar for either side", function()
    local t <close> = csv(DATA)
    local m = t:col("flag")
    same({10, -1, -1, nil, -1, 15}, m:where(t:col("x"), -1), 6)
    same({0, 21, 22, 0, nil, 0}, m:where(0, t:col("y")), 6)
    same({"yes", "no", "no", "yes", "no", "yes"}, m:where("yes", "no"), 6)
    same({1.5, 2, 2, 1.5, 2, 1.5}, m:where(1.5, 2), 6)
  end)

  it("gives nulls for a nil side, as pandas' where without other", function()
    local t <close> = csv(DATA)
    local m = t:col("flag")
    same({10, nil, nil, nil, nil, 15}, m:where(t:col("x")), 6)
    same({10, nil, nil, nil, nil, 15}, m:where(t:col("x"), nil), 6)
    same({nil, "b", "c", nil, nil, nil}, m:where(nil, t:col("h")), 6)
  end)

  it("widens integers beside doubles to doubles", function()
    local t <close> = csv(DATA)
    local w = t:col("flag"):where(t:col("x"), t:col("r"))
    assert.are.equal("double", w:type())
    same({10.0, 1.5, 2.5, nil, 4.5, 15.0}, w, 6)
    assert.are.equal(math.type(w[1]), "float")
  end)

  it("works with a comparison's result as the mask", function()
    local t <close> = csv(DATA)
    local w = t:col("x"):ge(12):where(t:col("h"), "-")
    same({"-", "-", "c", "-", nil, "f"}, w, 6)   -- row 4: x null compares false; row 5: h is null
  end)

  it("assigns client and server by port on a capture, as the notebook's np.where", function()
    local path = CAPTURES .. "/http-browsing-2013.pcap"
    local f = io.open(path, "rb")
    if not f then
      pending("skipped: " .. path .. " is absent (set PKTFRAME_SHARED)")
      return
    end
    f:close()
    local t <close> = assert(pf.read(path, {filter = "tcp", fields = {"ip.src", "ip.dst", "tcp.srcport", "tcp.dstport"}}))
    local sp, dp = t:col("tcp.srcport"), t:col("tcp.dstport")
    local src, dst, spv, dpv = cells(t:col("ip.src")), cells(t:col("ip.dst")), cells(sp), cells(dp)
    local fromcli = sp:ge(dp)
    local client = fromcli:where(t:col("ip.src"), t:col("ip.dst"))
    local server = fromcli:where(t:col("ip.dst"), t:col("ip.src"))
    local cliport = fromcli:where(sp, dp)
    assert.is_true(#t > 100)
    local nswap = 0
    for i = 1, #t do
      local c = spv[i] ~= nil and dpv[i] ~= nil and spv[i] >= dpv[i]
      if not c then nswap = nswap + 1 end
      assert.are.equal(c and src[i] or dst[i], client[i], "client, row " .. i)
      assert.are.equal(c and dst[i] or src[i], server[i], "server, row " .. i)
      assert.are.equal(c and spv[i] or dpv[i], cliport[i], "cliport, row " .. i)
    end
    assert.is_true(nswap > 0 and nswap < #t)   -- both directions occur
    assert.are.equal("ipv4", client:type())
    assert.are.equal("uint", cliport:type())   -- ports keep their field's type and text
    assert.are.equal("ip.src", client:name())
  end)

  it("reads a string as a value of the other side's column type", function()
    local path = CAPTURES .. "/http-browsing-2013.pcap"
    local f = io.open(path, "rb")
    if not f then
      pending("skipped: " .. path .. " is absent (set PKTFRAME_SHARED)")
      return
    end
    f:close()
    local t <close> = assert(pf.read(path, {fields = {"ip.src", "tcp.srcport"}}))
    local src = cells(t:col("ip.src"))
    local w = t:col("tcp.srcport"):eq(80):where("192.0.2.1", t:col("ip.src"))
    local ports = cells(t:col("tcp.srcport"))
    for i = 1, #t do assert.are.equal(ports[i] == 80 and "192.0.2.1" or src[i], w[i]) end
    assert.are.equal("ipv4", w:type())
  end)

  it("gives an int column when a scalar does not fit an unsigned column", function()
    local path = CAPTURES .. "/http-browsing-2013.pcap"
    local f = io.open(path, "rb")
    if not f then
      pending("skipped: " .. path .. " is absent (set PKTFRAME_SHARED)")
      return
    end
    f:close()
    local t <close> = assert(pf.read(path, {fields = {"tcp.srcport"}}))
    local m = t:col("tcp.srcport"):notnull()
    assert.are.equal("uint", m:where(t:col("tcp.srcport"), 0):type())
    assert.are.equal("int", m:where(t:col("tcp.srcport"), -1):type())
    local ports, w = cells(t:col("tcp.srcport")), m:where(t:col("tcp.srcport"), -1)
    local nnull = 0
    for i = 1, #t do
      if ports[i] == nil then nnull = nnull + 1 end
      assert.are.equal(ports[i] or -1, w[i])
    end
    assert.is_true(nnull > 0)   -- ARP, UDP and other frames have no TCP port
  end)

  it("names the bad argument", function()
    local t <close> = csv(DATA)
    local m, x, h = t:col("flag"), t:col("x"), t:col("h")
    local short <close> = csv("a\n1\n2\n")
    local cases = {
      { function() m:where() end, "bad argument #1 to 'where' (value expected)" },
      { function() m:where(nil, nil) end, "bad argument #1 to 'where' (a value or a column expected, got nil)" },
      { function() m:where(x, h) end, "bad argument #2 to 'where' (cannot choose between int and string values)" },
      { function() m:where(x, "z") end, "bad argument #2 to 'where' (number expected (the column is int), got string)" },
      { function() m:where(x, {}) end,
        "bad argument #2 to 'where' (pktframe.Column, number, string or nil expected, got table)" },
      { function() m:where(x, short:col("a")) end, "bad argument #2 to 'where' (column of 2 rows, expected 6)" },
      { function() h:where(x, 1) end, "calling 'where' on bad self (the mask must be a bool or integer column, not string)" },
      { function() t:col("r"):where(1, 2) end,
        "calling 'where' on bad self (the mask must be a bool or integer column, not double)" },
    }
    for _, c in ipairs(cases) do assert.has_error(c[1], c[2]) end
  end)
end)
