-- display_spec.lua: what an analyst sees first: printed tables (width, limits, dates), Columns as
-- pandas Series and their verbs, column-name errors, t:paths() and t:reread{}.
-- Captures are written with pktframe.synth, so nothing depends on ../shared, the terminal, the time
-- zone or the current directory.
local pf = require "pktframe"
local synth = require "pktframe.synth"

local A = { mac = "02:00:00:00:00:01", ip = "10.0.0.1" }
local B = { mac = "02:00:00:00:00:02", ip = "10.0.0.2" }

-- A capture of n UDP packets from A to B: the first at 2013-05-02 20:20:33.491822 UTC, then
-- 1 ms apart (nsec: 7 ns more each, written with nanosecond timestamps). Its path.
local function write_capture(n, nsec, payload)
  local path = os.tmpname()
  local w <close> = assert(synth.writer(path, { nsec = nsec }))
  for i = 1, n do
    local frame = synth.eth{ src = A.mac, dst = B.mac, payload = synth.ipv4{ src = A.ip, dst = B.ip,
      payload = synth.udp{ sport = 40000 + i, dport = 53, payload = payload or "x" } } }
    local ns = 491822000 + (i - 1) * 1000000 + (nsec and 7 * (i - 1) or 0)
    assert(w:packet({ 1367526033, ns }, frame))
  end
  return path
end

-- runs fn with pf.options.display changed as opts says, then restores it
local function with_display(opts, fn)
  local saved = {}
  for k, v in pairs(pf.options.display) do saved[k] = v end
  for k, v in pairs(opts) do pf.options.display[k] = v end
  local ok, err = pcall(fn)
  for k in pairs(pf.options.display) do pf.options.display[k] = nil end
  for k, v in pairs(saved) do pf.options.display[k] = v end
  assert(ok, err)
end

local function lines_of(s)
  local out = {}
  for line in (s .. "\n"):gmatch("(.-)\n") do out[#out + 1] = line end
  return out
end

describe("printed tables", function()
  local path, t
  setup(function()
    path = write_capture(100, false, string.rep("p", 60))
    t = assert(pf.read(path, { fields = { "frame.number", "frame.time_epoch", "ip.src", "udp.srcport", "udp.payload" } }))
  end)
  teardown(function() t:close(); os.remove(path) end)

  it("show abstime columns as UTC dates with the capture's microseconds, and CSV keeps the epoch", function()
    with_display({ width = 200 }, function()
      local l = lines_of(tostring(t:head(2)))
      assert.truthy(l[2]:find("  2013%-05%-02 20:20:33%.491822  ", 1))
      assert.truthy(l[3]:find("  2013%-05%-02 20:20:33%.492822  ", 1))
    end)
    assert.truthy(t:head(1):to_csv():find("1367526033.491822000", 1, true))
    with_display({ width = 200, dates = false }, function()
      assert.truthy(tostring(t:head(1)):find("1367526033.491822000", 1, true))
    end)
  end)

  it("show nanosecond captures with nine digits", function()
    local p = write_capture(2, true)
    local n <close> = assert(pf.read(p, { fields = { "frame.time_epoch" } }))
    os.remove(p)
    assert.are.equal("                frame.time_epoch\n1  2013-05-02 20:20:33.491822000\n2  2013-05-02 20:20:33.492822007\n\n" ..
                     "[2 rows x 1 columns]", tostring(n))
  end)

  it("fit the width pf.options.display gives, and all = true prints everything", function()
    -- 120 bytes of payload in hex: cut at max_colwidth (50) by default
    with_display({ width = 80 }, function()
      local l = lines_of(tostring(t))
      assert.are.equal(14, #l)
      for i = 1, 12 do assert.is_true(#l[i] <= 80, l[i]) end
      assert.truthy(l[1]:find("  ...  ", 1, true))
    end)
    with_display({ width = 300 }, function()
      local l = lines_of(tostring(t))
      assert.is_nil(l[1]:find("  ...  ", 1, true))   -- every column fits in 300
      assert.truthy(l[2]:find("70707...", 1, true))
    end)
    local all = lines_of(t:to_string{ all = true })
    assert.are.equal(100 + 3, #all)   -- header, 100 rows, blank, footer
    assert.truthy(all[2]:find(string.rep("70", 60), 1, true))
    assert.are.equal("[100 rows x 5 columns]", all[#all])
    local few = lines_of(t:to_string{ all = true, max_rows = 4, min_rows = 4 })
    assert.are.equal(1 + 5 + 2, #few)
  end)

  it("obey max_cols and max_colwidth", function()
    local l = lines_of(t:to_string{ width = 0, max_cols = 2 })
    assert.truthy(l[1]:find("^%s+frame%.number  %.%.%.  udp%.payload$"))
    l = lines_of(t:to_string{ width = 0, max_colwidth = 10 })
    assert.truthy(l[2]:find("7070707...", 1, true))
  end)

  it("reject bad display options", function()
    assert.has_error(function() t:to_string{ max_rows = -1 } end,
                     "bad argument #1 to 'to_string' (max_rows: non-negative integer or false expected, got -1)")
    assert.has_error(function() t:to_string{ rows = 3 } end, "bad argument #1 to 'to_string' (unknown option 'rows')")
    with_display({ max_rows = "x" }, function()
      assert.has_error(function() return tostring(t) end,
                       "pf.options.display.max_rows: non-negative integer or false expected, got string")
    end)
  end)
end)

describe("a Column", function()
  local path, t
  setup(function()
    path = write_capture(12)
    t = assert(pf.read(path, { fields = { "frame.number", "frame.time_epoch", "ip.src", "udp.srcport" } }))
  end)
  teardown(function() t:close(); os.remove(path) end)

  it("prints as a pandas Series", function()
    with_display({ max_rows = 10 }, function()
      assert.are.equal("1    40001\n2    40002\n3    40003\n4    40004\n5    40005\n...    ...\n" ..
                       "8    40008\n9    40009\n10   40010\n11   40011\n12   40012\n" ..
                       "Name: udp.srcport, Length: 12, dtype: uint", tostring(t:col("udp.srcport")))
    end)
    assert.are.equal(12 + 1, #lines_of(tostring(t:col("udp.srcport"))))   -- 12 rows are not cut by default
    assert.are.equal("1  2013-05-02 20:20:33.491822\nName: frame.time_epoch, Length: 1, dtype: abstime",
                     tostring(t:col("frame.time_epoch"):head(1)))
  end)

  it("has head, tail, unique, value_counts, isin, describe and to_table", function()
    local c = t:col("udp.srcport")
    assert.are.same({ 40001, 40002, 40003, n = 3 }, c:head(3):totable())
    assert.are.same({ 40011, 40012, n = 2 }, c:tail(2):totable())
    assert.are.equal(5, #c:head())
    assert.are.equal(10, #c:head(-2))
    local ip = t:col("ip.src")
    assert.are.same({ "10.0.0.1", n = 1 }, ip:unique():totable())
    assert.are.equal("ip.src", ip:unique():name())
    local vc = ip:value_counts()
    assert.are.same({ "ip.src", "count" }, vc:columns())
    assert.are.equal(12, vc:col("count")[1])
    assert.are.equal(1.0, ip:value_counts{ normalize = true }:col("proportion")[1])
    assert.are.same({ true, false }, { c:isin{ 40001, 40012 }[1] == 1, c:isin{ 40001, 40012 }[2] == 1 })
    assert.are.equal(2, c:isin{ 40001, 40012, 7 }:sum())
    assert.are.equal(12, ip:isin{ "10.0.0.1" }:sum())
    assert.are.equal(0, ip:isin{}:sum())
    assert.has_error(function() ip:isin{ "10.0.0.x" } end, "bad argument #1 to 'isin' (bad ipv4 value '10.0.0.x')")
    local d = c:describe()
    assert.are.same(t:describe("udp.srcport"), d)
    assert.are.equal(12, d.count)
    local one = c:to_table()
    assert.are.same({ "udp.srcport" }, one:columns())
    assert.are.equal(12, #one)
  end)

  it("describe keeps a time's full precision", function()
    local d = t:col("frame.time_epoch"):describe()
    assert.are.equal(1367526033.491822, d.min)
    assert.are.equal(1367526033.502822, d.max)
  end)

  it("is what t[name] gives; a missing name raises with the closest column", function()
    assert.are.equal(12, #t["udp.srcport"])
    assert.are.equal("udp.srcport", t["udp.srcport"]:name())
    assert.is_function(t.head)
    assert.is_nil(t.nosuchmethod)
    assert.has_error(function() return t["ip.scr"] end,
      "no column named 'ip.scr'; did you mean 'ip.src'? Columns: frame.number, frame.time_epoch, ip.src, udp.srcport")
  end)
end)

describe("column-name errors", function()
  local path, t
  setup(function()
    path = write_capture(3)
    t = assert(pf.read(path, { fields = { "frame.number", "ip.src", "udp.srcport" } }))
  end)
  teardown(function() t:close(); os.remove(path) end)

  it("suggest the closest column and list the table's columns", function()
    assert.has_error(function() t:col("ip.scr") end,
      "bad argument #1 to 'col' (no column named 'ip.scr'; did you mean 'ip.src'? Columns: frame.number, ip.src, udp.srcport)")
    assert.has_error(function() t:groupby("ip.srcc") end,
      "bad argument #1 to 'groupby' (no column named 'ip.srcc'; did you mean 'ip.src'? Columns: frame.number, ip.src, udp.srcport)")
  end)

  it("say how to read a field the table lacks", function()
    assert.has_error(function() t:col("tcp.analysis.zero_window") end,
      "bad argument #1 to 'col' (no column named 'tcp.analysis.zero_window'; 'tcp.analysis.zero_window' is a " ..
      "field the table was not read with: add it to pf.read's fields, or t:reread{fields = {\"tcp.analysis.zero_window\"}}; " ..
      "columns: frame.number, ip.src, udp.srcport)")
  end)
end)

describe("t:paths() and t:reread{}", function()
  it("keep the files and read them again with more fields", function()
    local p1, p2 = write_capture(2), write_capture(3)
    local t <close> = assert(pf.read({ p1, p2 }, { fields = { "frame.number", "ip.src" }, filter = "udp.srcport >= 40002" }))
    assert.are.same({ p1, p2 }, t:paths())
    assert.is_nil(t:head(1):paths())
    local r <close> = assert(t:reread{ fields = { "udp.srcport", "ip.src" } })
    assert.are.same({ "frame.number", "ip.src", "udp.srcport" }, r:columns())
    assert.are.same({ 40002, 40002, 40003, n = 3 }, r:col("udp.srcport"):totable())   -- the filter kept
    assert.are.same({ p1, p2 }, r:paths())
    local s <close> = assert(pf.read(p1))
    assert.are.same({ p1 }, s:paths())
    local s2 <close> = assert(s:reread{ fields = "udp.length" })
    assert.are.equal(#pf.default_fields + 1, #s2:columns())
    assert.has_error(function() t:head(1):reread{} end,
      "calling 'reread' on bad self (a table pf.read made from files expected; this one was derived)")
    assert.has_error(function() t:reread(3) end, "bad argument #1 to 'reread' (table expected, got number)")
    assert.has_error(function() t:reread{ fields = { "ip.scr" } } end,
      "bad argument #2 to 'read' (unknown field 'ip.scr'; did you mean 'ip.src'?)")
    os.remove(p1)
    os.remove(p2)
  end)
end)
