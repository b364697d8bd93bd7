-- analyses_spec.lua: the pieces under analyses 1-7: pf.table, pf.info, the OUI lookup, the
-- protocol hierarchy, and the modules' argument errors. Numbers on real captures were checked
-- against TShark 4.0.17 (tshark -qz io,phs) and capinfos of Wireshark 4.0.17 (Debian 12); the
-- pandas comparisons of the analyses' results are in tests/analyses_test.py.
local pf = require "pktframe"
local capinfo = require "pktframe.capinfo"
local oui = require "pktframe.oui"
local streams = require "pktframe.streams"
local volume = require "pktframe.volume"
local stevens = require "pktframe.stevens"

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

local function write(path, text)
  local f = assert(io.open(path, "wb"))
  f:write(text)
  f:close()
end

describe("pf.table", function()
  it("makes a Table from lists, inferring each column's type", function()
    local t = pf.table{ { "a", { 1, 2, 3 } }, { "b", { "x", nil, "z", n = 3 } }, { "c", { 1.5, 2, 3 } },
      { "d", { true, false, true } } }
    assert.are.equal(3, #t)
    assert.are.same({ "a", "b", "c", "d" }, t:columns())
    assert.are.same({ a = "int", b = "string", c = "double", d = "bool" }, t:types())
    assert.is_nil(t:col("b")[2])
    assert.are.equal(2.0, t:col("c")[2])
    assert.are.equal("a,b,c,d\n1,x,1.5,1\n2,,2.0,0\n3,z,3.0,1\n", t:to_csv())       -- bools as tshark writes them
  end)

  it("takes a list's length from n, so trailing nils are rows", function()
    local t = pf.table{ { "a", { 1, nil, nil, n = 3 } } }
    assert.are.equal(3, #t)
  end)

  it("names each mistake", function()
    local cases = {
      { {}, "bad argument #1 to 'table' (no columns given)" },
      { { 3 }, "bad argument #1 to 'table' (column 1: {name, values} expected, got number)" },
      { { { 1, { 1 } } }, "bad argument #1 to 'table' (column 1: name expected, got number)" },
      { { { "a", 5 } }, "bad argument #1 to 'table' (column 'a': list of values expected, got number)" },
      { { { "a", { 1, 2 } }, { "b", { 1 } } }, "bad argument #1 to 'table' (column 'b' has 1 values, the first column 2)" },
      { { { "a", { 1 } }, { "a", { 2 } } }, "bad argument #1 to 'table' (column 'a' given twice)" },
      { { { "a", { 1, "x" } } }, "bad argument #1 to 'table' (column 'a': values mix numbers, strings and booleans)" },
      { { { "a", { {} } } }, "bad argument #1 to 'table' (column 'a': values must be numbers, strings, booleans or nil)" },
    }
    for _, c in ipairs(cases) do
      assert.has_error(function() pf.table(c[1]) end, c[2])
    end
  end)
end)

describe("pf.info", function()
  it("gives capinfos' numbers of a capture", function()
    local path = capture("http-browsing-2013.pcap")
    if not path then return end
    local i = assert(pf.info(path))
    assert.are.equal("pcap-le-usec", i.format)
    assert.are.equal(3812643, i.file_size)
    assert.are.equal(4631, i.packets)
    assert.are.equal(3738523, i.bytes)
    assert.are.equal(1367526033.491822, i.first)
    assert.are.equal(1367526049.137582, i.last)
    assert.is_true(math.abs(i.duration - 15.64576) < 1e-9)
    assert.is_true(i.time_ordered)
    assert.are.same({ { linktype = 1, name = "EN10MB", description = "Ethernet", packets = 4631 } }, i.linktypes)
    assert.are.same({ packets = 4492, bytes = 3723469 }, i.protocols.tcp)
    assert.are.same({ packets = 139, bytes = 15054 }, i.protocols.udp)
    assert.are.equal(1, i.report:find("File name:           " .. path .. "\n", 1, true))
    assert.are.same({}, i.diagnostics)
  end)

  it("does not count IPv6 packets as IPv4", function()
    local path = capture("sll-mixed.pcap")
    if not path then return end
    local i = assert(pf.info(path))
    assert.are.same({ packets = 510, bytes = 451057 }, i.protocols.ipv4)    -- tshark: ip 510
    assert.are.same({ packets = 1, bytes = 103 }, i.protocols.ipv6)
  end)

  it("keeps the packets before damage and says where it is", function()
    local path = capture("truncated-midpacket.pcap")
    if not path then return end
    local i = assert(pf.info(path))
    assert.are.equal(1, i.packets)
    assert.are.equal(1, #i.diagnostics)
  end)

  it("returns nil and a message for a file it cannot read", function()
    local ok, err = pf.info("/nonexistent/x.pcap")
    assert.is_nil(ok)
    assert.are.equal("/nonexistent/x.pcap: No such file or directory", err)
    assert.has_error(function() pf.info() end, "bad argument #1 to 'info' (string expected, got no value)")
  end)
end)

describe("pktframe.capinfo.hierarchy", function()
  local function nodes(h)
    local out = {}
    for i = 1, #h do out[h:col("protocol")[i]] = { h:col("frames")[i], h:col("bytes")[i] } end
    return out
  end

  it("counts frames and bytes per layer as tshark -qz io,phs does", function()
    local path = capture("sll-mixed.pcap")
    if not path then return end
    local n = nodes(capinfo.hierarchy(path))
    -- tshark -r sll-mixed.pcap -qz io,phs (TShark 4.0.17), the layers pktframe decodes
    assert.are.same({ 518, 451558 }, n["frame:sll"])
    assert.are.same({ 510, 451057 }, n["frame:sll:ip"])
    assert.are.same({ 27, 3083 }, n["frame:sll:ip:udp"])
    assert.are.same({ 20, 2158 }, n["frame:sll:ip:udp:dns"])
    assert.are.same({ 1, 83 }, n["frame:sll:ip:udp:mdns"])
    assert.are.same({ 1, 344 }, n["frame:sll:ip:udp:dhcp"])
    assert.are.same({ 483, 447974 }, n["frame:sll:ip:tcp"])
    assert.are.same({ 4, 1762 }, n["frame:sll:ip:tcp:http"])
    assert.are.same({ 7, 398 }, n["frame:sll:arp"])
    assert.are.same({ 1, 103 }, n["frame:sll:ipv6:udp:mdns"])
  end)

  it("puts IPv6 directly under Ethernet and HTTP over UDP as ssdp", function()
    local path = capture("mixed-many-protocols.pcap")
    if not path then return end
    local n = nodes(capinfo.hierarchy(path))
    -- tshark: eth 4709 / ip 4663 / tcp 4321 / udp 253 / dns 252 / icmp 89 / ipv6 16 / ssdp 14 / arp 4
    assert.are.same({ 4663, 2847909 }, n["frame:eth:ip"])
    assert.are.same({ 4321, 2810105 }, n["frame:eth:ip:tcp"])
    assert.are.same({ 252, 31132 }, n["frame:eth:ip:udp:dns"])
    assert.are.same({ 89, 6586 }, n["frame:eth:ip:icmp"])
    assert.are.same({ 16, 3210 }, n["frame:eth:ipv6"])
    assert.are.same({ 14, 2912 }, n["frame:eth:ipv6:udp:ssdp"])
    assert.are.same({ 4, 204 }, n["frame:eth:arp"])
  end)

  it("orders the tree depth first, most frames first", function()
    local path = capture("http-browsing-2013.pcap")
    if not path then return end
    local h = capinfo.hierarchy(path)
    assert.are.same({ "frame", "frame:eth", "frame:eth:ip", "frame:eth:ip:tcp", "frame:eth:ip:tcp:http",
      "frame:eth:ip:tcp:tls.handshake", "frame:eth:ip:udp", "frame:eth:ip:udp:dns", n = 8 }, h:col("protocol"):totable())
  end)
end)

describe("pktframe.oui", function()
  local dir = os.tmpname()
  os.remove(dir)
  assert(pf.mkdir(dir))
  local ieee, manuf = dir .. "/oui.txt", dir .. "/manuf"
  write(ieee, "OUI/MA-L\r\n\r\n00-1D-D9   (hex)\t\tHon Hai Precision Ind. Co.,Ltd.\r\n001DD9     (base 16)\t\tHon Hai\r\n"
    .. "\r\n00-0D-B9   (hex)\t\tPC Engines GmbH\r\n")
  write(manuf, "# manuf\n00:1D:D9\tHonHaiPr\tHon Hai Precision Ind. Co.,Ltd.\n00:0D:B9\tPCEngine\n")

  it("finds the vendor in the IEEE file and in Wireshark's manuf", function()
    local macs = { "00:1d:d9:2e:4f:61", "00:0d:b9:4a:10:01", "00:00:5e:00:00:01", "3e:22:fb:00:00:01",
      "ff:ff:ff:ff:ff:ff", "bogus" }
    local names, src = oui.lookup(macs, { source = ieee })
    assert.are.equal(ieee, src)
    assert.are.same({ ["00:1d:d9:2e:4f:61"] = "Hon Hai Precision Ind. Co.,Ltd.", ["00:0d:b9:4a:10:01"] = "PC Engines GmbH",
      ["00:00:5e:00:00:01"] = false, ["3e:22:fb:00:00:01"] = "(locally administered)",
      ["ff:ff:ff:ff:ff:ff"] = "(group address)", bogus = false }, names)
    names, src = oui.lookup(macs, { source = manuf })
    assert.are.equal(manuf, src)
    assert.are.equal("Hon Hai Precision Ind. Co.,Ltd.", names["00:1d:d9:2e:4f:61"])
    assert.are.equal("PCEngine", names["00:0d:b9:4a:10:01"])      -- no long name: the short one
  end)

  it("says when there is no registry", function()
    local names, err = oui.lookup({ "00:1d:d9:2e:4f:61" }, { source = dir .. "/none" })
    assert.is_nil(names)
    assert.truthy(err:find("no OUI registry found", 1, true))
  end)
end)

describe("the analysis modules", function()
  it("name bad arguments", function()
    local t = pf.table{ { "tcp.stream", { 1 } } }
    assert.has_error(function() streams.by_ip(t, 5) end, "bad argument #2 to 'by_ip' (string expected, got number)")
    assert.has_error(function() volume.by_address(t, "up") end,
      "bad argument #2 to 'by_address' ('dst' or 'src' expected, got 'up')")
    assert.has_error(function() stevens.graph(t, 1.5) end, "bad argument #2 to 'graph' (integer expected, got float)")
    assert.has_error(function() stevens.graph(t, 1, { side = "left" }) end,
      "bad argument #3 to 'graph' (side: 'client', 'server' or 'auto' expected, got 'left')")
  end)
end)
