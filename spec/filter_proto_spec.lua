-- filter_proto_spec.lua: display filters' protocol semantics on tables (t:filter) and their
-- error messages. The frame-by-frame agreement with tshark is tests/filtertest.lua's.
local pf = require "pktframe"

local function csv(text)
  local path = os.tmpname()
  local f = assert(io.open(path, "wb"))
  f:write(text)
  f:close()
  local t, err = pf.read_csv(path)
  os.remove(path)
  return assert(t, err)
end

-- frame 1 TCP over IPv4, 2 UDP/DNS over IPv4, 3 ARP (no ip.* value), 4 TCP with an HTTP request
local PACKETS = "frame.number,ip.src,tcp.srcport,udp.srcport,dns.qry.name,http.host,eth.src\n" ..
                "1,10.0.0.1,80,,,,00:11:22:33:44:55\n" ..
                "2,10.0.0.2,,53,example.com,,00:11:22:33:44:66\n" ..
                "3,,,,,,00:aa:bb:cc:dd:ee\n" ..
                "4,10.0.0.1,8080,,,www.example.org,00:11:22:33:44:55\n"

local function frames(t, expr) return t:filter(expr):col("frame.number"):totable() end

describe("t:filter with protocol names", function()
  it("is true where any of the table's columns of that protocol has a value", function()
    local t <close> = csv(PACKETS)
    assert.are.same({ 1, 2, 4, n = 3 }, frames(t, "ip"))
    assert.are.same({ 1, 4, n = 2 }, frames(t, "tcp"))
    assert.are.same({ 2, n = 1 }, frames(t, "udp and dns"))
    assert.are.same({ 4, n = 1 }, frames(t, "http"))
    assert.are.same({ 3, n = 1 }, frames(t, "not ip"))
    assert.are.same({ 1, 2, 3, 4, n = 4 }, frames(t, "eth"))
  end)

  it("is false for a protocol the table has no column of, and frame is every row", function()
    local t <close> = csv(PACKETS)
    assert.are.equal(0, #t:filter("ipv6"))
    assert.are.equal(0, #t:filter("tls"))
    assert.are.equal(4, #t:filter("frame"))
  end)

  it("reads slices, functions, & and quantifiers from the columns", function()
    local t <close> = csv(PACKETS)
    assert.are.same({ 1, 2, 4, n = 3 }, frames(t, "eth.src[0:3] == 00:11:22"))
    assert.are.same({ 2, 3, n = 2 }, frames(t, "eth.src[-1] & 0x22"))
    assert.are.same({ 4, n = 1 }, frames(t, "len(http.host) > 10"))
    assert.are.same({ 4, n = 1 }, frames(t, "upper(http.host) contains \"EXAMPLE\""))
    assert.are.same({ 4, n = 1 }, frames(t, "tcp.srcport & 0x1000"))
    assert.are.same({ 1, 4, n = 2 }, frames(t, "string(ip.src) == \"10.0.0.1\""))
    assert.are.same({ 2, n = 1 }, frames(t, "dns.qry.name matches \"^ex\""))
  end)

  it("refuses the bytes of a protocol, which a table does not hold", function()
    local t <close> = csv(PACKETS)
    assert.has_error(function() t:filter("frame contains \"GET\"") end)
    assert.has_error(function() t:filter("tcp[0:2] == 00:50") end)
  end)
end)

describe("display filter errors", function()
  local function err(text)
    local ok, e = pcall(pf.compile_filter, text)
    assert.is_false(ok)
    return tostring(e)
  end

  it("says where a typo is and suggests a field", function()
    assert.matches("column 1: unknown field 'ip.scr'; did you mean 'ip.src'?", err("ip.scr == 1.2.3.4"), 1, true)
    assert.matches("column 10: expected", err("ip.dst =="), 1, true)
  end)

  it("names a protocol pktframe does not decode instead of matching nothing", function()
    assert.matches("'quic' is a protocol pktframe does not decode", err("quic"), 1, true)
    assert.matches("'smb2' is a protocol pktframe does not decode", err("tcp and smb2"), 1, true)
  end)

  it("explains values, slices and functions that do not fit", function()
    assert.matches("not a valid", err("tcp.port == 80.0"), 1, true)
    assert.matches("cannot be converted from a string", err("ip.src == \"10.0.0.1\""), 1, true)
    assert.matches("cannot be sliced", err("tcp.port[0] == 1"), 1, true)
    assert.matches("the function 'max' does not exist", err("max(tcp.port) == 1"), 1, true)
    assert.matches("needs a text field", err("upper(tcp.port) == \"A\""), 1, true)
    assert.matches("arithmetic", err("{tcp.port + 1} == 81"), 1, true)
  end)

  it("compiles Wireshark 4.0's forms", function()
    for _, text in ipairs{ "tcp", "dns or http", "tcp.flags & 0x02", "eth.dst[0] & 1", "eth.src[0:3] == 00:11:22",
                           "frame[1-2] == 00:11", "frame[-1] == 00", "eth.src[2:] == 22:33:44:55",
                           "frame contains \"GET\"", "tcp contains \"Host:\"", "frame matches \"(?i)user-agent\"",
                           "len(http.host) > 10", "count(ip.addr) == 2", "lower(http.host) == \"x\"",
                           "string(tcp.port) == \"80\"", "all tcp.port > 1024", "any tcp.port == 80",
                           "http.request", "http.response", "tcp.analysis.flags", "tcp.port == 0b1010000",
                           "tcp.port == 0120", "http.host == r\"a\\b\"", "http.host == \"\\x41\\101\"",
                           "tcp.port in {80, 443, 8000..8080}", "not tcp && !udp || ip" } do
      assert.is_truthy(pf.compile_filter(text), text)
    end
  end)
end)
