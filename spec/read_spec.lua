-- read_spec.lua: pf.read (captures into tables, column types, errors), pf.fields, pf.version.
local pf = require "pktframe"

-- Real captures, used in place (the Makefile sets PKTFRAME_SHARED); values checked
-- against TShark 4.0.17 (Debian 12).
local CAPTURES = (os.getenv("PKTFRAME_SHARED") or "/work/shared") .. "/captures"

-- The path of capture name, or nil (and the running test marked pending) when it is absent.
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

local function nonnil(c)
  local n = 0
  for i = 1, #c do
    if c[i] ~= nil then n = n + 1 end
  end
  return n
end

describe("pktframe.read", function()
  it("reads every packet of a capture into the default columns", function()
    local path = capture("dns-mixed.pcap")
    if not path then return end
    local t <close> = assert(pf.read(path))
    assert.are.equal(464, #t)
    assert.are.same(pf.default_fields, t:columns())
    assert.are.same({}, t:diagnostics())
  end)

  it("keeps the core field list as the default", function()
    assert.are.same({
      "frame.number", "frame.time_epoch", "frame.len", "eth.src", "eth.dst", "ip.src", "ip.dst",
      "ip.proto", "tcp.srcport", "tcp.dstport", "udp.srcport", "udp.dstport", "tcp.stream", "tcp.len",
    }, pf.default_fields)
  end)

  it("gives each column the type of its field", function()
    local path = capture("dns-mixed.pcap")
    if not path then return end
    local t <close> = assert(pf.read(path))
    local types = {}
    for _, name in ipairs(t:columns()) do types[#types + 1] = t:col(name):type() end
    assert.are.same({ "uint", "abstime", "uint", "ether", "ether", "ipv4", "ipv4", "uint",
                      "uint", "uint", "uint", "uint", "uint", "uint" }, types)
  end)

  it("gives the values tshark prints, typed for Lua", function()
    local path = capture("dns-mixed.pcap")
    if not path then return end
    local t <close> = assert(pf.read(path))
    local r = t:row(1)
    assert.are.equal(1, r["frame.number"])
    assert.are.equal("integer", math.type(r["frame.number"]))
    assert.are.equal(74, r["frame.len"])
    assert.are.equal("6c:f0:49:b2:de:6e", r["eth.src"])
    assert.are.equal("30:46:9a:23:fb:fa", r["eth.dst"])
    assert.are.equal("10.0.0.1", r["ip.src"])
    assert.are.equal("10.0.0.138", r["ip.dst"])
    assert.are.equal(17, r["ip.proto"])
    assert.are.equal(56520, r["udp.srcport"])
    assert.are.equal(53, r["udp.dstport"])
    assert.is_nil(r["tcp.srcport"])
    assert.are.equal("float", math.type(r["frame.time_epoch"]))
    assert.is_true(math.abs(r["frame.time_epoch"] - 1413054930.198203) < 1e-6)
  end)

  it("leaves fields a packet lacks null", function()
    local path = capture("dns-mixed.pcap")
    if not path then return end
    local t <close> = assert(pf.read(path, { fields = { "frame.number", "ip.src", "ipv6.src", "tcp.srcport" } }))
    local ip, ip6 = t:col("ip.src"), t:col("ipv6.src")
    assert.are.equal(449, nonnil(ip))
    assert.are.equal(15, nonnil(ip6))
    assert.are.equal(0, nonnil(t:col("tcp.srcport")))
    assert.is_nil(ip[21])
    assert.are.equal("fe80::4dc7:f593:1f7b:dc11", ip6[21])
    assert.are.equal("ipv6", ip6:type())
  end)

  it("reads several files as one stream of frames", function()
    local a, b = capture("sll-tcp-handshake-nsec.pcap"), capture("http-nsec-bigendian.pcap")
    if not (a and b) then return end
    local t <close> = assert(pf.read({ a, b }, { fields = { "frame.number", "ip.src" } }))
    local ta <close> = assert(pf.read(a, { fields = { "frame.number" } }))
    local tb <close> = assert(pf.read(b, { fields = { "frame.number" } }))
    assert.are.equal(#ta + #tb, #t)
    assert.are.same({ 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, n = 13 }, t:col("frame.number"):totable())
    assert.are.equal("131.155.215.69", t:col("ip.src")[1])
    assert.are.equal("127.0.0.1", t:col("ip.src")[4])
  end)

  it("keeps only packets with every field when strict", function()
    local path = capture("dns-mixed.pcap")
    if not path then return end
    local all <close> = assert(pf.read(path, { fields = { "frame.number", "ipv6.src" } }))
    local some <close> = assert(pf.read(path, { fields = { "frame.number", "ipv6.src" }, strict = true }))
    assert.are.equal(464, #all)
    assert.are.equal(15, #some)
    assert.are.equal(21, some:col("frame.number")[1])
    local loose <close> = assert(pf.read(path, { fields = { "frame.number", "ipv6.src" }, strict = false }))
    assert.are.equal(464, #loose)
  end)

  it("keeps only packets the capture filter passes, with their frame numbers", function()
    local path = capture("dns-mixed.pcap")
    if not path then return end
    local t <close> = assert(pf.read(path, { fields = { "frame.number", "udp.dstport", "udp.srcport" }, bpf = "udp port 5353" }))
    assert.are.equal(24, #t)
    local num = t:col("frame.number")
    assert.is_true(num[1] > 1)
    for i = 1, #t do
      local r = t:row(i)
      assert.is_true(r["udp.srcport"] == 5353 or r["udp.dstport"] == 5353)
    end
  end)

  it("gives times as float seconds and as integer nanoseconds", function()
    local path = capture("http-nsec-bigendian.pcap")
    if not path then return end
    local t <close> = assert(pf.read(path, { fields = { "frame.time_epoch", "frame.time_delta", "tcp.analysis.ack_rtt" } }))
    local epoch, delta, rtt = t:col("frame.time_epoch"), t:col("frame.time_delta"), t:col("tcp.analysis.ack_rtt")
    assert.are.equal("abstime", epoch:type())
    assert.are.equal("reltime", delta:type())
    assert.are.equal(1766361926167647291, epoch:ns(1))
    assert.are.equal("integer", math.type(epoch:ns(1)))
    assert.is_true(math.abs(epoch[1] - 1766361926.167647291) < 1e-6)
    assert.are.equal(10800, delta:ns(2))
    assert.is_true(math.abs(delta[2] - 0.0000108) < 1e-12)
    assert.are.equal(10800, rtt:ns(2))
    assert.is_nil(rtt[1])
    assert.is_nil(rtt:ns(1))
    assert.is_nil(epoch:ns(11))
  end)

  it("says when a time does not fit in integer nanoseconds", function()
    local path = capture("pcapng-comments-snaplen.pcapng")
    if not path then return end
    local t <close> = assert(pf.read(path, { fields = { "frame.time_epoch" } }))
    local c = t:col("frame.time_epoch")
    local ns, msg = c:ns(60)
    assert.is_nil(ns)
    assert.are.equal("time does not fit in integer nanoseconds", msg)
    assert.is_true(math.abs(c[60] - 18446744073204.126329) < 0.01)
  end)

  it("gives booleans as 0 and 1, signed and frame-number fields as integers", function()
    local nsec, sll2, pptp = capture("http-nsec-bigendian.pcap"), capture("sll2-tls.pcap"), capture("pptp-gre-bigendian.pcap")
    if not (nsec and sll2 and pptp) then return end
    local t <close> = assert(pf.read(nsec, { fields = { "ip.flags.df", "ip.flags.mf", "tcp.analysis.acks_frame" } }))
    assert.are.equal("bool", t:col("ip.flags.df"):type())
    assert.are.equal(1, t:col("ip.flags.df")[1])
    assert.are.equal(0, t:col("ip.flags.mf")[1])
    assert.are.equal("integer", math.type(t:col("ip.flags.mf")[1]))
    assert.are.equal("framenum", t:col("tcp.analysis.acks_frame"):type())
    assert.are.equal(1, t:col("tcp.analysis.acks_frame")[2])
    local s <close> = assert(pf.read(sll2, { fields = { "tcp.window_size_scalefactor" } }))
    assert.are.equal("int", s:col("tcp.window_size_scalefactor"):type())
    assert.are.equal(-1, s:col("tcp.window_size_scalefactor")[1])
    local p <close> = assert(pf.read(pptp, { fields = { "tcp.window_size_scalefactor" } }))
    assert.are.equal(-2, p:col("tcp.window_size_scalefactor")[4])
  end)

  it("gives bytes as Lua strings of the bytes, and as hex text in CSV", function()
    local path = capture("qinq-arp-padding.pcap")
    if not path then return end
    local t <close> = assert(pf.read(path, { fields = { "eth.padding", "vlan.trailer", "vlan.id", "arp.src.proto_ipv4" } }))
    assert.are.equal("bytes", t:col("eth.padding"):type())
    -- tshark 4.0.17: eth.padding 00000000000000000000, vlan.trailer 00000000 on both frames
    local zeros10 = string.rep("\0", 10)
    assert.are.same({ zeros10, zeros10, n = 2 }, t:col("eth.padding"):totable())
    assert.are.equal("\0\0\0\0", t:col("vlan.trailer")[2])
    assert.are.equal("00000000", t:select("vlan.trailer"):to_csv():match("\n(%x+)\r?\n"))
    assert.are.same({ 2001, 2001, n = 2 }, t:col("vlan.id"):totable())
    assert.are.equal("172.21.79.100", t:col("arp.src.proto_ipv4")[2])
  end)

  it("keeps the first occurrence as the value and all of them on the side", function()
    local path = capture("mixed-alexa-app.pcapng")
    if not path then return end
    local t <close> = assert(pf.read(path, { fields = { "frame.number", "ip.src", "ip.dst", "icmp.type" } }))
    local src = t:col("ip.src")
    assert.are.equal(56, t:col("frame.number")[56])
    assert.are.equal("172.16.42.1", src[56])
    assert.are.same({ "172.16.42.1", "172.16.42.216" }, src:all(56))
    assert.are.same({ "172.16.42.216", "173.194.223.188" }, t:col("ip.dst"):all(56))
    assert.are.same({ src[1] }, src:all(1))
    local csv = t:to_csv()
    assert.truthy(csv:find('\n56,"172.16.42.1,172.16.42.216","172.16.42.216,173.194.223.188",5\n', 1, true))
    assert.truthy(csv:find('\n115,"172.16.42.1,172.16.42.216","172.16.42.216,52.85.209.197",5\n', 1, true))
  end)

  it("keeps the rows before damage and says where it is", function()
    local path = capture("truncated-midheader-dns.pcap")
    if not path then return end
    local t <close> = assert(pf.read(path))
    assert.are.equal(1, #t)
    local d = t:diagnostics()
    assert.are.equal(1, #d)
    assert.are.equal(path .. ": packet 2 ", d[1]:sub(1, #path + 11))
  end)

  it("returns nil and a message for a missing file", function()
    local path = CAPTURES .. "/no-such-capture.pcap"
    local t, err = pf.read(path)
    assert.is_nil(t)
    assert.are.equal(path .. ": No such file or directory", err)
  end)

  it("returns nil and a message naming a file that is not a capture", function()
    local path = capture("garbage-not-a-capture.pcap")
    if not path then return end
    local t, err = pf.read(path)
    assert.is_nil(t)
    assert.are.equal(path .. ": not a pcap or pcapng capture file", err)
  end)

  it("returns nil and a message naming the missing file of several", function()
    local good = capture("dns-mixed.pcap")
    if not good then return end
    local missing = CAPTURES .. "/no-such-capture.pcap"
    local t, err = pf.read({ good, missing })
    assert.is_nil(t)
    assert.are.equal(missing .. ": No such file or directory", err)
  end)

  it("names the bad argument", function()
    local p = "x.pcap"
    local cases = {
      { function() pf.read() end, "bad argument #1 to 'read' (string or table expected, got no value)" },
      { function() pf.read(42) end, "bad argument #1 to 'read' (string or table expected, got number)" },
      { function() pf.read({}) end, "bad argument #1 to 'read' (empty list of paths)" },
      { function() pf.read({ p, 3 }) end, "bad argument #1 to 'read' (paths[2]: string expected, got number)" },
      { function() pf.read(p, "ip.src") end, "bad argument #2 to 'read' (table expected, got string)" },
      { function() pf.read(p, { fields = { "ip.scr" } }) end,
        "bad argument #2 to 'read' (unknown field 'ip.scr'; did you mean 'ip.src'?)" },
      { function() pf.read(p, { fields = { "tcp.flags.sin" } }) end,
        "bad argument #2 to 'read' (unknown field 'tcp.flags.sin'; did you mean 'tcp.flags.syn' or 'tcp.flags.fin'?)" },
      { function() pf.read(p, { fields = { "frame.number", "no.such.thing.at.all" } }) end,
        "bad argument #2 to 'read' (unknown field 'no.such.thing.at.all')" },
      { function() pf.read(p, { fields = "ip.src" }) end, "bad argument #2 to 'read' (fields: table expected, got string)" },
      { function() pf.read(p, { fields = {} }) end, "bad argument #2 to 'read' (no fields requested)" },
      { function() pf.read(p, { fields = { "ip.src", 4 } }) end,
        "bad argument #2 to 'read' (fields[2]: string expected, got number)" },
      { function() pf.read(p, { fields = { "ip.src", "ip.src" } }) end,
        "bad argument #2 to 'read' (field 'ip.src' requested twice)" },
      { function() pf.read(p, { "ip.src" }) end, "bad argument #2 to 'read' (fields go in {fields = {...}})" },
      { function() pf.read(p, { field = { "ip.src" } }) end, "bad argument #2 to 'read' (unknown option 'field')" },
      { function() pf.read(p, { strict = 1 }) end, "bad argument #2 to 'read' (strict: boolean expected, got number)" },
      { function() pf.read(p, { bpf = 5 }) end, "bad argument #2 to 'read' (bpf: string expected, got number)" },
      { function() pf.read(p, { bpf = "tcp prt 80" }) end,
        "bad argument #2 to 'read' (bad capture filter \"tcp prt 80\": can't parse filter expression: syntax error)" },
    }
    for _, case in ipairs(cases) do
      assert.has_error(case[1], case[2])
    end
  end)
end)

describe("pktframe.fields", function()
  it("lists every field with its type and meaning", function()
    local all = pf.fields()
    assert.is_true(#all > 60)
    assert.are.same({ name = "frame.number", type = "uint",
                      doc = "Frame number, 1-based, as tshark counts records" }, all[1])
    local seen = {}
    for _, f in ipairs(all) do seen[f.name] = f.type end
    assert.are.equal("ipv4", seen["ip.src"])
    assert.are.equal("ether", seen["eth.src"])
  end)

  it("keeps the fields whose name or doc matches a Lua pattern", function()
    -- containment, not equality: the registry grows
    local flags = {}
    for _, f in ipairs(pf.fields("^tcp%.flags%.")) do
      assert.truthy(f.name:find("^tcp%.flags%."))
      flags[f.name] = f.type
    end
    for _, name in ipairs({ "tcp.flags.syn", "tcp.flags.ack", "tcp.flags.fin", "tcp.flags.reset", "tcp.flags.push" }) do
      assert.are.equal("bool", flags[name])
    end
    assert.is_nil(flags["tcp.flags"])
    local mac = {}
    for _, f in ipairs(pf.fields("MAC address")) do
      assert.truthy(f.name:find("MAC address", 1, true) or f.doc:find("MAC address", 1, true))
      mac[f.name] = true
    end
    assert.is_true(mac["arp.src.hw_mac"] and mac["arp.dst.hw_mac"])
    assert.are.same({}, pf.fields("no field is called this"))
  end)

  it("names the bad argument", function()
    local cases = {
      { function() pf.fields({}) end, "bad argument #1 to 'fields' (string expected, got table)" },
      { function() pf.fields("%") end, "bad argument #1 to 'fields' (malformed pattern (ends with '%'))" },
      { function() pf.fields("[a") end, "bad argument #1 to 'fields' (malformed pattern (missing ']'))" },
    }
    for _, case in ipairs(cases) do
      assert.has_error(case[1], case[2])
    end
  end)
end)

describe("pktframe.version", function()
  it("is a dotted version string", function()
    assert.are.equal("string", type(pf.version))
    assert.truthy(pf.version:match("^%d+%.%d+%.%d+$"))
  end)
end)
