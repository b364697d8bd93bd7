-- resolve_spec.lua: the argument checks of pf.resolve and pf.capture, and pf.mkdir (no network traffic:
-- every call here fails before a socket or an interface is opened, or has nothing to ask). The lookups
-- themselves are tested against a fake DNS server by tests/resolve_test.py, live capture by tests/live_test.sh.
local pf = require "pktframe"

describe("pf.resolve", function()
  it("returns an empty table for an empty list", function()
    assert.are.same({}, pf.resolve({}))
  end)

  it("skips the holes of a list with n, as totable gives them", function()
    assert.are.same({}, pf.resolve({ n = 3 }))
  end)

  local bad = {
    { function() pf.resolve("10.0.0.1") end,
      "bad argument #1 to 'resolve' (table or pktframe.Column expected, got string)" },
    { function() pf.resolve({ "10.0.0.1", "10.0.0.x" }) end,
      "bad argument #1 to 'resolve' (addrs[2]: '10.0.0.x' is not an IPv4 or IPv6 address)" },
    { function() pf.resolve({ 10 }) end,
      "bad argument #1 to 'resolve' (addrs[1]: string expected, got number)" },
    { function() pf.resolve({ "10.0.0.1" }, { timeout = 0 }) end,
      "bad argument #2 to 'resolve' (timeout: expected seconds in (0, 3600])" },
    { function() pf.resolve({ "10.0.0.1" }, { timeout = "1" }) end,
      "bad argument #2 to 'resolve' (timeout: number expected, got string)" },
    { function() pf.resolve({ "10.0.0.1" }, { server = "dns.example" }) end,
      "bad argument #2 to 'resolve' (server: 'dns.example' is not an address, [address] or address:port)" },
    { function() pf.resolve({ "10.0.0.1" }, { server = "127.0.0.1:70000" }) end,
      "bad argument #2 to 'resolve' (server: '127.0.0.1:70000' is not an address, [address] or address:port)" },
    { function() pf.resolve({ "10.0.0.1" }, { cache = 1 }) end,
      "bad argument #2 to 'resolve' (cache: boolean expected, got number)" },
    { function() pf.resolve({ "10.0.0.1" }, { tiemout = 1 }) end,
      "bad argument #2 to 'resolve' (unknown option 'tiemout')" },
  }
  for i, case in ipairs(bad) do
    it("names the bad argument (case " .. i .. ")", function()
      assert.has_error(case[1], case[2])
    end)
  end
end)

describe("pf.capture", function()
  local bad = {
    { function() pf.capture("lo") end, "bad argument #1 to 'capture' (table expected, got string)" },
    { function() pf.capture({ out = "/tmp/x.pcap" }) end,
      "bad argument #1 to 'capture' (iface: string expected, got nil)" },
    { function() pf.capture({ iface = "lo" }) end,
      "bad argument #1 to 'capture' (out: string expected, got nil)" },
    { function() pf.capture({ iface = "", out = "/tmp/x.pcap" }) end,
      "bad argument #1 to 'capture' (iface: empty interface name)" },
    { function() pf.capture({ iface = "lo", out = "/tmp/x.pcap", count = 1.5 }) end,
      "bad argument #1 to 'capture' (count: integer expected, got float)" },
    { function() pf.capture({ iface = "lo", out = "/tmp/x.pcap", count = 0 }) end,
      "bad argument #1 to 'capture' (count: 0 is out of range 1..9223372036854775807)" },
    { function() pf.capture({ iface = "lo", out = "/tmp/x.pcap", duration = -1 }) end,
      "bad argument #1 to 'capture' (duration: expected seconds > 0)" },
    { function() pf.capture({ iface = "lo", out = "/tmp/x.pcap", duration = "5" }) end,
      "bad argument #1 to 'capture' (duration: number expected, got string)" },
    { function() pf.capture({ iface = "lo", out = "/tmp/x.pcap", snaplen = 64.5 }) end,
      "bad argument #1 to 'capture' (snaplen: integer expected, got float)" },
    { function() pf.capture({ iface = "lo", out = "/tmp/x.pcap", snaplen = 300000 }) end,
      "bad argument #1 to 'capture' (snaplen: 300000 is out of range 1..262144)" },
    { function() pf.capture({ iface = "lo", out = "/tmp/x.pcap", promisc = "yes" }) end,
      "bad argument #1 to 'capture' (promisc: boolean expected, got string)" },
    { function() pf.capture({ iface = "lo", out = "/tmp/x.pcap", filter = "udp" }) end,
      "bad argument #1 to 'capture' (unknown option 'filter')" },
  }
  for i, case in ipairs(bad) do
    it("names the bad argument (case " .. i .. ")", function()
      assert.has_error(case[1], case[2])
    end)
  end

  it("returns nil and a message for an interface that does not exist", function()
    local path = os.tmpname()
    local r, err = pf.capture({ iface = "nosuchif0", out = path, count = 1 })
    os.remove(path)
    assert.is_nil(r)
    -- without root, libpcap fails on the capture socket before it looks for the interface
    if not err:find("^nosuchif0: permission denied") then
      assert.are.equal("nosuchif0: no such interface", err)
    end
  end)
end)

describe("pf.mkdir", function()
  it("creates a directory and its missing parents, and accepts one that exists", function()
    local base = os.tmpname()
    os.remove(base)
    assert.is_true(pf.mkdir(base .. "/a/b"))
    assert.is_true(pf.mkdir(base .. "/a/b"))
    local f = assert(io.open(base .. "/a/b/x", "w"))
    f:close()
    local ok, err = pf.mkdir(base .. "/a/b/x/y")
    assert.is_nil(ok)
    assert.are.equal(base .. "/a/b/x: Not a directory", err)
    os.remove(base .. "/a/b/x")
    os.remove(base .. "/a/b")
    os.remove(base .. "/a")
    os.remove(base)
  end)

  it("names the bad argument", function()
    assert.has_error(function() pf.mkdir("") end, "bad argument #1 to 'mkdir' (empty path)")
    assert.has_error(function() pf.mkdir({}) end, "bad argument #1 to 'mkdir' (string expected, got table)")
  end)
end)
