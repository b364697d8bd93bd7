-- budget_spec.lua: max_memory (pf.read, pf.scan) and its errors. The budget counts the bytes a
-- table's columns allocate; past it a read stops, frees what it built and returns nil and a message.
local pf = require "pktframe"

local CAPTURES = (os.getenv("PKTFRAME_SHARED") or "/work/shared") .. "/captures"
local HTTP = CAPTURES .. "/http-browsing-2013.pcap"
local have = io.open(HTTP) ~= nil

describe("max_memory", function()
  describe("sizes", function()
    it("names a bad size", function()
      local cases = {
        { "12X", "bad size '12X': expected bytes or a number and K, M, G or T (\"512M\", \"1.5G\")" },
        { "", "bad size '': expected bytes or a number and K, M, G or T (\"512M\", \"1.5G\")" },
        { "-1M", "bad size '-1M': expected bytes or a number and K, M, G or T (\"512M\", \"1.5G\")" },
        { "0", "bad size '0': expected bytes or a number and K, M, G or T (\"512M\", \"1.5G\")" },
        { "1.5", "bad size '1.5': expected bytes or a number and K, M, G or T (\"512M\", \"1.5G\")" },
        { " 1M", "bad size ' 1M': expected bytes or a number and K, M, G or T (\"512M\", \"1.5G\")" },
        { "1MB", "bad size '1MB': expected bytes or a number and K, M, G or T (\"512M\", \"1.5G\")" },
        { 0, "a positive whole number of bytes or a size such as \"512M\" expected, got 0" },
        { 2.5, "a positive whole number of bytes or a size such as \"512M\" expected, got 2.5" },
        { true, "size expected, got boolean" },
      }
      for _, c in ipairs(cases) do
        assert.has_error(function() pf.read(HTTP, { max_memory = c[1] }) end,
                         "bad argument #2 to 'read' (max_memory: " .. c[2] .. ")")
        assert.has_error(function() pf.scan(HTTP, { max_memory = c[1] }) end,
                         "bad argument #2 to 'scan' (max_memory: " .. c[2] .. ")")
      end
    end)
  end)

  if not have then
    it("skipped: no shared captures at " .. CAPTURES, function() end)
    return
  end

  describe("pf.read", function()
    it("reads as without a budget when the table fits", function()
      local fields = { "frame.number", "ip.src", "dns.qry.name" }
      local a <close> = assert(pf.read(HTTP, { fields = fields }))
      for _, size in ipairs{ "1G", "1.5G", "800K", "16M", 64 * 1024 * 1024 } do
        local b <close> = assert(pf.read(HTTP, { fields = fields, max_memory = size }))
        assert.are.equal(a:to_csv(), b:to_csv())
      end
    end)

    it("stops at the budget naming the file, the packet, the rows held and the bytes", function()
      for _, size in ipairs{ { "64K", 65536 }, { "100K", 102400 }, { 50000, 50000, "50000 bytes" } } do
        local t, err = pf.read(HTTP, { fields = { "frame.number", "frame.time_epoch", "ip.src" }, max_memory = size[1] })
        assert.is_nil(t)
        local label = size[3] or size[1]
        local file, pkt, _, rows, bytes = err:match("^(.-): packet (%d+): memory budget (.-) reached %(the table holds (%d+) rows?, (%d+) bytes%)$")
        assert.are.equal(HTTP, file, err)
        -- no filter: every packet before the one that found no room is a row
        assert.are.equal(tonumber(rows) + 1, tonumber(pkt))
        assert.is_true(tonumber(bytes) <= size[2])
        assert.is_truthy(err:find("memory budget " .. label .. " reached", 1, true))
      end
    end)

    it("counts the rows a filter keeps, not the packets read", function()
      local t, err = pf.read(HTTP, { fields = { "frame.number", "ip.src" }, filter = "tcp.srcport == 80", max_memory = "24K" })
      assert.is_nil(t)
      local pkt, rows = err:match(": packet (%d+): memory budget 24K reached %(the table holds (%d+) rows")
      assert.is_truthy(pkt, err)
      -- the rows held are the port-80 packets before that packet
      local all <close> = assert(pf.read(HTTP, { fields = { "frame.number" }, filter = "tcp.srcport == 80" }))
      local before = 0
      for i = 1, #all do
        if all:col("frame.number")[i] < tonumber(pkt) then before = before + 1 end
      end
      assert.are.equal(before, tonumber(rows))
    end)

    it("counts string values", function()
      -- the same rows hold more bytes with a string column: a budget the numbers fit in, the names do not
      local _fits <close> = assert(pf.read(HTTP, { fields = { "frame.number" }, max_memory = "128K" }))
      local t, err = pf.read(HTTP, { fields = { "frame.number", "http.request.uri" }, max_memory = "128K" })
      assert.is_nil(t)
      assert.is_truthy(err:find("memory budget 128K reached", 1, true))
    end)

    it("leaves a table that later verbs use freely", function()
      local t <close> = assert(pf.read(HTTP, { fields = { "ip.src", "frame.len" }, max_memory = "1M" }))
      local g = t:groupby("ip.src"):agg{ b = { "frame.len", "sum" } }
      local s = t:sort("frame.len")
      assert.are.equal(#t, #s)
      assert.is_true(#g > 0)
    end)
  end)

  describe("pf.scan", function()
    it("budgets the group state too", function()
      local r, err = pf.scan(HTTP, { max_memory = "48K" }):groupby("frame.time_epoch"):agg{ n = { "frame.len", "median" } }
      assert.is_nil(r)
      assert.is_truthy(err:match("^.-: packet %d+: memory budget 48K reached %(the scan holds %d+ groups, %d+ bytes%)$"), err)
    end)

    it("budgets q:collect as pf.read", function()
      local t, err = pf.scan(HTTP, { fields = { "frame.number" }, max_memory = "16K" }):collect()
      assert.is_nil(t)
      local pkt, rows = err:match(": packet (%d+): memory budget 16K reached %(the table holds (%d+) rows")
      assert.are.equal(tonumber(rows) + 1, tonumber(pkt))
    end)
  end)
end)
