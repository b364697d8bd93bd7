-- each_spec.lua: pf.each and q:each: a Lua function per packet, in bounded memory.
-- Expected rows are pf.read's t:row(i) for the same captures and options.
local pf = require "pktframe"

local CAPTURES = (os.getenv("PKTFRAME_SHARED") or "/work/shared") .. "/captures"
local HTTP = CAPTURES .. "/http-browsing-2013.pcap"
local DNS = CAPTURES .. "/dns-mixed.pcap"
local have = io.open(HTTP) ~= nil

describe("pf.each", function()
  if not have then
    it("skipped: no shared captures at " .. CAPTURES, function() end)
    return
  end

  it("calls the function with each packet's row, as t:row gives it, and returns the count", function()
    local opts = { fields = { "frame.number", "frame.time_epoch", "ip.src", "eth.src", "tcp.analysis.ack_rtt",
                              "dns.qry.name", "tcp.analysis.retransmission" } }
    local t <close> = assert(pf.read(HTTP, opts))
    local rows = {}
    assert.are.equal(#t, pf.each(HTTP, opts, function(row) rows[#rows + 1] = row end))
    assert.are.equal(#t, #rows)
    for i = 1, #t do assert.are.same(t:row(i), rows[i]) end   -- kept rows stay valid
  end)

  it("reads several files as one, with the filter, bpf and strict options", function()
    local opts = { fields = { "frame.number", "ip.src", "udp.srcport" }, filter = "udp", bpf = "ip", strict = true }
    local t <close> = assert(pf.read({ DNS, HTTP }, opts))
    local i = 0
    pf.each({ DNS, HTTP }, opts, function(row)
      i = i + 1
      assert.are.same(t:row(i), row)
    end)
    assert.are.equal(#t, i)
  end)

  it("uses pf.default_fields without options", function()
    local t <close> = assert(pf.read(DNS))
    local i = 0
    assert.are.equal(#t, pf.each(DNS, function(row)
      i = i + 1
      assert.are.same(t:row(i), row)
    end))
  end)

  it("stops when the function returns false", function()
    local seen = {}
    local n = pf.each(HTTP, { fields = { "frame.number" } }, function(row)
      seen[#seen + 1] = row["frame.number"]
      if #seen == 3 then return false end
      return nil   -- nil and true go on
    end)
    assert.are.equal(3, n)
    assert.are.same({ 1, 2, 3 }, seen)
  end)

  it("stops at an error with the file and packet in front", function()
    local calls = 0
    assert.has_error(function()
      pf.each({ DNS, HTTP }, { fields = { "frame.number" }, filter = "tcp" }, function()
        calls = calls + 1
        if calls == 2 then error("no good", 0) end
      end)
    end, HTTP .. ": packet " .. (function()
      -- the second TCP packet of the two files read as one is in HTTP: its number within that file,
      -- as every "FILE: packet N" message counts (its frame number less the packets of DNS)
      local t <close> = assert(pf.read({ DNS, HTTP }, { fields = { "frame.number" }, filter = "tcp" }))
      local d <close> = assert(pf.read(DNS, { fields = { "frame.number" } }))
      assert(t:col("frame.number")[2] > #d, "the second TCP packet is expected in the second file")
      return t:col("frame.number")[2] - #d
    end)() .. ": no good")
    assert.are.equal(2, calls)
    assert.has_error(function() pf.each(DNS, function() error({}) end) end,
                     DNS .. ": packet 1: (error object is a table value)")
  end)

  it("returns nil and a message for a file it cannot read", function()
    local n, err = pf.each("/nonexistent/x.pcap", function() end)
    assert.is_nil(n)
    assert.are.equal("/nonexistent/x.pcap: No such file or directory", err)
  end)

  it("names bad arguments", function()
    assert.has_error(function() pf.each(HTTP, {}) end, "bad argument #3 to 'each' (function expected, got no value)")
    assert.has_error(function() pf.each(HTTP, { fields = { "ip.scr" } }, print) end,
                     "bad argument #2 to 'each' (unknown field 'ip.scr'; did you mean 'ip.src'?)")
    assert.has_error(function() pf.each(42, print) end, "bad argument #1 to 'each' (string or table expected, got number)")
  end)

  it("q:each visits the packets of a query, its filters included", function()
    local t <close> = assert(pf.read(HTTP, { fields = { "frame.number", "ip.len" }, filter = "ip.len > 1000" }))
    local q = pf.scan(HTTP, { fields = { "frame.number", "ip.len" } }):filter("ip.len > 1000")
    local i = 0
    assert.are.equal(#t, q:each(function(row)
      i = i + 1
      assert.are.same(t:row(i), row)
    end))
    assert.has_error(function() q:each(function(row) error("x" .. row["frame.number"], 0) end) end,
                     HTTP .. ": packet " .. t:col("frame.number")[1] .. ": x" .. t:col("frame.number")[1])
  end)
end)
