-- Specs for pktframe.synth: exact bytes of each builder, the pcap writer, and tshark's reading of both.
local synth = require "pktframe.synth"

local function hex(s)
  return (s:gsub(".", function(c) return string.format("%02x", c:byte()) end))
end

local HAVE_TSHARK = os.execute("command -v tshark >/dev/null 2>&1") == true

-- tshark's fields for every frame of path, one table per frame
local function tshark_fields(path, fields, extra)
  local cmd = { "tshark -n -r", path, extra or "", "-T fields -E separator=/t -E occurrence=a -E aggregator=," }
  for _, f in ipairs(fields) do cmd[#cmd + 1] = "-e " .. f end
  local p = assert(io.popen(table.concat(cmd, " ") .. " 2>/dev/null"))
  local rows = {}
  for line in p:lines() do
    local row, i = {}, 1
    for v in (line .. "\t"):gmatch("([^\t]*)\t") do row[fields[i]] = v; i = i + 1 end
    rows[#rows + 1] = row
  end
  p:close()
  return rows
end

local function write_capture(frames, opts)
  local path = os.tmpname()
  local w = assert(synth.writer(path, opts))
  for i, f in ipairs(frames) do assert(w:packet(f[1] or i, f[2] or f)) end
  assert(w:close())
  return path
end

-- string.unpack's values without the trailing position
local function fields(fmt, s, pos)
  local t = table.pack(string.unpack(fmt, s, pos))
  t[t.n], t.n = nil, nil
  return t
end

local function read_file(path)
  local f = assert(io.open(path, "rb"))
  local s = f:read("a")
  f:close()
  return s
end

local A = { mac = "02:00:00:00:00:01", ip = "192.0.2.1", ip6 = "2001:db8::1" }
local B = { mac = "02:00:00:00:00:02", ip = "198.51.100.2", ip6 = "2001:db8:1::2" }

describe("pktframe.synth.writer", function()
  it("writes a little-endian microsecond pcap header", function()
    local path = write_capture({})
    local magic, major, minor, zone, sigfigs, snaplen, linktype = string.unpack("<I4I2I2i4I4I4I4", read_file(path))
    os.remove(path)
    assert.are.same({ 0xa1b2c3d4, 2, 4, 0, 0, 262144, 1 }, { magic, major, minor, zone, sigfigs, snaplen, linktype })
  end)

  it("writes the nanosecond magic in big-endian order when asked", function()
    local path = write_capture({}, { nsec = true, big_endian = true, snaplen = 65535, linktype = 101 })
    local s = read_file(path)
    os.remove(path)
    assert.are.equal("a1b23c4d00020004", hex(s:sub(1, 8)))
    assert.are.same({ 65535, 101 }, fields(">I4I4", s, 17))
  end)

  it("splits number timestamps into seconds and rounded microseconds", function()
    local path = write_capture({ { 1704067200.25, "abc" }, { 1704067200.9999996, "d" } })
    local s = read_file(path)
    os.remove(path)
    assert.are.same({ 1704067200, 250000, 3, 3 }, fields("<I4I4I4I4", s, 25))
    assert.are.same({ 1704067201, 0, 1, 1 }, fields("<I4I4I4I4", s, 25 + 16 + 3))
  end)

  it("keeps {sec, nsec} timestamps exact in nanosecond files", function()
    local path = write_capture({ { { 1704067200, 123456789 }, "x" } }, { nsec = true })
    local s = read_file(path)
    os.remove(path)
    assert.are.same({ 1704067200, 123456789 }, fields("<I4I4", s, 25))
  end)

  it("cuts packets to the snaplen and records orig_len", function()
    local path = os.tmpname()
    local w = assert(synth.writer(path, { snaplen = 4 }))
    assert(w:packet(1, "abcdefgh", 100))
    assert.are.equal(1, w.count)
    assert.are.equal(24 + 16 + 4, w.size)
    w:close()
    local s = read_file(path)
    os.remove(path)
    assert.are.same({ 4, 100 }, fields("<I4I4", s, 33))
    assert.are.equal("abcd", s:sub(41))
  end)

  it("returns nil and a message when the file cannot be opened", function()
    local w, err = synth.writer("/nonexistent-dir/x.pcap")
    assert.is_nil(w)
    assert.are.equal("/nonexistent-dir/x.pcap: No such file or directory", err)
  end)

  it("closes idempotently and through <close>", function()
    local path = os.tmpname()
    do
      local w <close> = assert(synth.writer(path))
      assert(w:packet(0, "x"))
      assert.is_true(w:close())
      assert.is_true(w:close())
    end
    os.remove(path)
  end)

  it("rejects bad calls with exact messages", function()
    local path = os.tmpname()
    local w = assert(synth.writer(path))
    local cases = {
      { function() w:packet("now", "x") end, "synth.writer: bad timestamp now (seconds or {sec, nsec} expected)" },
      { function() w:packet(-1, "x") end, "synth.writer: bad timestamp -1 (seconds or {sec, nsec} expected)" },
      { function() w:packet(1, 42) end, "synth.writer: bad packet (string expected, got number)" },
      { function() w:packet(1, "abc", 2) end, "synth.writer: bad orig_len 2 (at least the packet length)" },
      { function() synth.writer(1) end, "synth.writer: bad path (string expected, got number)" },
      { function() synth.writer(path, { snaplen = 0 }) end,
        "synth.writer: bad 'snaplen' 0 (integer 1..2147483647 expected)" },
      { function() synth.writer(path, { nsec = 1 }) end, "synth.writer: bad 'nsec' (boolean expected, got number)" },
    }
    for _, c in ipairs(cases) do assert.has_error(c[1], c[2]) end
    local ok, err = pcall(w.packet, w, { 1, 1e9 }, "x")   -- a table's text form varies: a pattern
    assert.is_false(ok)
    assert.matches("^synth.writer: bad timestamp table: .* %(seconds or {sec, nsec} expected%)$", err)
    w:close()
    assert.has_error(function() w:packet(1, "x") end, "synth.writer: packet on a closed writer")
    os.remove(path)
  end)
end)

describe("pktframe.synth builders", function()
  it("computes the textbook IPv4 header checksum (0xb861)", function()
    -- the worked example of Wikipedia's "Internet checksum" article
    local p = synth.ipv4{ src = "192.168.0.1", dst = "192.168.0.199", proto = 17, payload = string.rep("\0", 0x73 - 20) }
    assert.are.equal("45000073000040004011b861c0a80001c0a800c7", hex(p:sub(1, 20)))
    assert.are.equal(0, synth.checksum(p:sub(1, 20)))
  end)

  it("sets flags, fragment offset, id, ttl and tos", function()
    local p = synth.ipv4{ src = A.ip, dst = B.ip, proto = 1, id = 0xabcd, ttl = 7, tos = 0x10,
      df = false, mf = true, frag_offset = 185, payload = "12345678" }
    assert.are.equal("4510001cabcd20b90701", hex(p:sub(1, 10)))
    assert.are.equal(0, synth.checksum(p:sub(1, 20)))
  end)

  it("fills the UDP checksum from the IPv4 pseudo-header", function()
    local p = synth.ipv4{ src = A.ip, dst = B.ip, payload = synth.udp{ sport = 1234, dport = 53, payload = "hello" } }
    assert.are.equal(17, p:byte(10))
    local udp = p:sub(21)
    assert.are.equal("04d20035000d", hex(udp:sub(1, 6)))
    local pseudo = p:sub(13, 20) .. string.pack(">BBI2", 0, 17, #udp)
    assert.are.equal(0, synth.checksum(pseudo, udp))
  end)

  it("fills the TCP checksum from the IPv6 pseudo-header", function()
    local seg = synth.tcp{ sport = 443, dport = 50000, seq = 1, ack = 2, flags = "PA", payload = "data" }
    local p = synth.ipv6{ src = A.ip6, dst = B.ip6, hlim = 3, payload = seg }
    assert.are.equal("60000000" .. "0018" .. "06" .. "03", hex(p:sub(1, 8)))
    local tcp = p:sub(41)
    local pseudo = p:sub(9, 40) .. string.pack(">I4I3B", #tcp, 0, 6)
    assert.are.equal(0, synth.checksum(pseudo, tcp))
    assert.are.equal(tcp, seg:bytes(A.ip6, B.ip6))
    assert.are.equal("0000", hex(seg:bytes():sub(17, 18)))
  end)

  it("encodes TCP flags and SYN options as Linux does", function()
    local seg = synth.tcp{ sport = 1, dport = 2, seq = 0x01020304, flags = "S", win = 64240,
      options = { mss = 1460, sack_perm = true, wscale = 7 } }
    assert.are.equal("0001000201020304" .. "00000000" .. "8002" .. "faf0" .. "00000000"
      .. "020405b4" .. "01010402" .. "01030307", hex(tostring(seg)))
    assert.are.equal(0x12, synth.tcp{ sport = 1, dport = 2, flags = "SA" }.header:byte(14))
    assert.are.equal(0x11, synth.tcp{ sport = 1, dport = 2, flags = "FA" }.header:byte(14))
    assert.are.equal(0x04, synth.tcp{ sport = 1, dport = 2, flags = "R" }.header:byte(14))
    assert.are.equal(0xc2, synth.tcp{ sport = 1, dport = 2, flags = 0xc2 }.header:byte(14))
    assert.are.equal(24, #synth.tcp{ sport = 1, dport = 2, options = "\1\1\1" })  -- padded with EOL
  end)

  it("builds an ICMP echo with its checksum", function()
    local seg = synth.icmp{ type = 8, id = 1, seq = 2, payload = "ab" }
    assert.are.equal("0800" .. "969a" .. "00010002" .. "6162", hex(seg:bytes()))
    assert.are.equal(0, synth.checksum(seg:bytes()))
  end)

  it("pads Ethernet frames only when asked, with zeros, and appends trailers", function()
    local arp = synth.arp{ sha = A.mac, spa = A.ip, tpa = B.ip }
    local bare = synth.eth{ src = A.mac, dst = "ff:ff:ff:ff:ff:ff", type = 0x0806, payload = arp }
    assert.are.equal(42, #bare)
    local padded = synth.eth{ src = A.mac, dst = "ff:ff:ff:ff:ff:ff", type = 0x0806, payload = arp, pad = true }
    assert.are.equal(bare .. string.rep("\0", 18), padded)
    local leak = synth.eth{ src = A.mac, dst = B.mac, type = 0x0806, payload = arp, trailer = "password=hunter2" }
    assert.are.equal("password=hunter2", leak:sub(43))
    assert.are.equal("ffffffffffff" .. "020000000001" .. "0806" .. "0001080006040001" .. "020000000001" .. "c0000201"
      .. "000000000000" .. "c6336402", hex(bare))
  end)

  it("builds an 802.1Q tag", function()
    assert.are.equal("e007" .. "86dd", hex(synth.vlan{ id = 7, pcp = 7, type = 0x86dd }))
  end)

  it("encodes a DNS query", function()
    assert.are.equal("1234" .. "0100" .. "0001" .. "0000" .. "0000" .. "0000"
      .. "076578616d706c6503636f6d00" .. "001c" .. "0001",
      hex(synth.dns_query{ id = 0x1234, name = "example.com", qtype = "AAAA" }))
  end)

  it("compresses answer names against the question and the CNAME target", function()
    local r = synth.dns_response{ id = 1, name = "www.example.com", answers = {
      { type = "CNAME", name = "cdn.example.com", ttl = 300 },
      { type = "A", addr = "192.0.2.7", ttl = 60 },
    } }
    assert.are.equal("0001" .. "8180" .. "0001" .. "0002" .. "0000" .. "0000"
      .. "03777777076578616d706c6503636f6d00" .. "00010001"          -- question at offset 12
      .. "c00c" .. "0005" .. "0001" .. "0000012c" .. "0006" .. "03636" .. "46e" .. "c010"  -- cdn + ->example.com
      .. "c02d" .. "0001" .. "0001" .. "0000003c" .. "0004" .. "c0000207", hex(r))  -- owner cdn.example.com
  end)

  it("writes HTTP/1.1 requests and responses", function()
    assert.are.equal("GET /a?b=1 HTTP/1.1\r\nHost: example.com\r\nUser-Agent: curl/8.5.0\r\nAccept: */*\r\n\r\n",
      synth.http_request{ host = "example.com", uri = "/a?b=1", user_agent = "curl/8.5.0" })
    assert.are.equal("HTTP/1.1 404 Not Found\r\nServer: synth\r\nContent-Type: text/plain\r\n"
      .. "Content-Length: 4\r\n\r\nnope", synth.http_response{ code = 404, content_type = "text/plain", body = "nope" })
  end)

  it("parses IPv6 text forms", function()
    assert.are.equal(string.rep("\0", 16), synth.parse_ipv6("::"))
    assert.are.equal("20010db8000000000000000000000001", hex(synth.parse_ipv6("2001:db8::1")))
    assert.are.equal("00000000000000000000ffffc0000201", hex(synth.parse_ipv6("::ffff:192.0.2.1")))
    assert.are.equal("fe800000000000000000000000000001", hex(synth.parse_ipv6("fe80:0:0:0:0:0:0:1")))
    for _, bad in ipairs({ "1::2::3", "12345::", "1:2:3:4:5:6:7", "1:2:3:4:5:6:7:8:9", "::g", ":1::", "" }) do
      assert.is_nil(synth.parse_ipv6(bad), bad)
    end
  end)

  it("rejects bad arguments with exact messages", function()
    local cases = {
      { synth.ipv4, { src = "10.0.0.300", dst = B.ip, proto = 6 }, "synth.ipv4: bad address '10.0.0.300'" },
      { synth.ipv4, { src = A.ip, proto = 6 }, "synth.ipv4: missing 'dst'" },
      { synth.ipv4, { src = A.ip, dst = B.ip, payload = "x" }, "synth.ipv4: missing 'proto' (payload is not a synth segment)" },
      { synth.ipv4, { src = A.ip, dst = B.ip, proto = 6, payload = synth.udp{ sport = 1, dport = 2 } },
        "synth.ipv4: 'proto' 6 does not match the payload's protocol 17" },
      { synth.ipv4, { src = A.ip, dst = B.ip, mf = true, payload = synth.udp{ sport = 1, dport = 2 } },
        "synth.ipv4: a synth segment cannot be a fragment; pass seg:bytes(src, dst) pieces" },
      { synth.ipv4, { src = A.ip, dst = B.ip, proto = 6, ttl = 256 }, "synth.ipv4: bad 'ttl' 256 (integer 0..255 expected)" },
      { synth.ipv4, { src = A.ip, dst = B.ip, proto = 6, df = 1 }, "synth.ipv4: bad 'df' (boolean expected, got number)" },
      { synth.ipv4, "10.0.0.1", "synth.ipv4: expected a table of options, got string" },
      { synth.ipv6, { src = "2001:db8::1::2", dst = B.ip6, nxt = 59 }, "synth.ipv6: bad address '2001:db8::1::2'" },
      { synth.eth, { src = "00:11:22:33:44", dst = B.mac }, "synth.eth: bad address '00:11:22:33:44'" },
      { synth.eth, { src = A.mac, dst = B.mac, payload = synth.udp{ sport = 1, dport = 2 } },
        "synth.eth: 'payload' is a synth segment; wrap it in synth.ipv4 or synth.ipv6" },
      { synth.vlan, { id = 4096 }, "synth.vlan: bad 'id' 4096 (integer 0..4095 expected)" },
      { synth.tcp, { sport = 1, dport = 70000 }, "synth.tcp: bad 'dport' 70000 (integer 0..65535 expected)" },
      { synth.tcp, { sport = 1, dport = 2, flags = "SX" }, "synth.tcp: bad 'flags' 'SX' (letters of FSRPAUEC expected)" },
      { synth.tcp, { sport = 1, dport = 2, options = { wscale = 15 } }, "synth.tcp: bad 'wscale' 15 (integer 0..14 expected)" },
      { synth.tcp, { sport = 1, dport = 2, options = string.rep("\1", 41) }, "synth.tcp: options too long (44 bytes, at most 40)" },
      { synth.udp, { sport = 1, dport = 2, payload = 5 }, "synth.udp: bad 'payload' (string expected, got number)" },
      { synth.arp, { sha = A.mac, spa = A.ip }, "synth.arp: missing 'tpa'" },
      { synth.dns_query, { id = 1, name = "a..b" }, "synth.dns_query: bad name 'a..b' (labels must be 1..63 bytes)" },
      { synth.dns_query, { id = 1, name = "x", qtype = "SPF" },
        "synth.dns_query: bad 'qtype' 'SPF' (A, NS, CNAME, PTR, MX, TXT, AAAA or a number)" },
      { synth.dns_response, { id = 1, name = "x", answers = { { type = "A", addr = "1.2.3" } } },
        "synth.dns_response: bad address '1.2.3'" },
      { synth.http_request, { uri = "/" }, "synth.http_request: missing 'host'" },
      { synth.tcp_session, { client = { A.mac, A.ip, 1 }, server = { B.mac, B.ip6, 2 }, t0 = 0 },
        "synth.tcp_session: client and server must both be IPv4 or both IPv6" },
      { synth.tcp_session, { client = { A.mac, A.ip, 0 }, server = { B.mac, B.ip, 2 }, t0 = 0 },
        "synth.tcp_session: bad client port 0" },
      { synth.tcp_session, { client = { A.mac, A.ip, 1 }, server = { B.mac, B.ip, 2 } },
        "synth.tcp_session: missing 't0'" },
    }
    for _, c in ipairs(cases) do
      assert.has_error(function() c[1](c[2]) end, c[3])
    end
  end)
end)

describe("pktframe.synth.tcp_session", function()
  local client = { mac = A.mac, ip = A.ip, port = 40001 }
  local server = { mac = B.mac, ip = B.ip, port = 80 }

  local function tcp_of(frame)   -- seq, ack, flags, payload length of an IPv4/TCP frame
    local ihl = (frame:byte(15) & 15) * 4
    local iplen = string.unpack(">I2", frame, 17)
    local t = 15 + ihl
    local seq, ack, off_flags = string.unpack(">I4I4I2", frame, t + 4)
    return seq, ack, off_flags & 0xfff, iplen - ihl - (off_flags >> 12) * 4
  end

  it("gives a handshake, the data in MSS segments and a FIN/ACK teardown", function()
    local s = synth.tcp_session{ client = client, server = server, t0 = 100, rtt = 0.01, mss = 100,
      request = string.rep("q", 150), response = string.rep("r", 450), isn_client = 1000, isn_server = 5000 }
    local flags, lens = {}, {}
    for i, p in ipairs(s) do
      local _, _, f, n = tcp_of(p[2])
      flags[i], lens[i] = f, n
      if i > 1 then assert.is_true(p[1] >= s[i - 1][1]) end
      assert.is_true(#p[2] >= 60)
    end
    assert.are.same({ 0x02, 0x12, 0x10 }, { flags[1], flags[2], flags[3] })
    assert.are.same({ 0x11, 0x11, 0x10 }, { flags[#s - 2], flags[#s - 1], flags[#s] })
    local data = 0
    for _, n in ipairs(lens) do data = data + n end
    assert.are.equal(600, data)
    local seq, ack = tcp_of(s[#s][2])
    assert.are.same({ 1000 + 1 + 150 + 1, 5000 + 1 + 450 + 1 }, { seq, ack })
    assert.are.equal(100, s[1][1])
  end)

  it("reads back in tshark with valid checksums and no analysis flags", function()
    if not HAVE_TSHARK then pending("tshark not installed") return end
    local frames = synth.tcp_session{ client = client, server = server, t0 = 1704067200,
      exchanges = { { request = synth.http_request{ host = "example.com" },
                      response = synth.http_response{ body = string.rep("x", 5000) } },
                    { request = synth.http_request{ host = "example.com", uri = "/2" },
                      response = synth.http_response{ code = 404, body = "" }, delay = 0.5 } } }
    local v6 = synth.tcp_session{ client = { A.mac, A.ip6, 40002 }, server = { B.mac, B.ip6, 443 },
      t0 = 1704067201, request = string.rep("c", 3000), response = string.rep("s", 3000) }
    for _, p in ipairs(v6) do frames[#frames + 1] = p end
    local path = write_capture(frames)
    local rows = tshark_fields(path, { "frame.number", "tcp.stream", "tcp.seq", "tcp.ack", "tcp.analysis.flags",
      "tcp.checksum.status", "ip.checksum.status", "http.response.code" },
      "-o tcp.check_checksum:TRUE -o ip.check_checksum:TRUE")
    os.remove(path)
    assert.are.equal(#frames, #rows)
    local codes = {}
    for _, r in ipairs(rows) do
      assert.are.equal("", r["tcp.analysis.flags"])
      assert.are.equal("1", r["tcp.checksum.status"])
      assert.is_true(r["ip.checksum.status"] == "1" or r["ip.checksum.status"] == "")
      if r["http.response.code"] ~= "" then codes[#codes + 1] = r["http.response.code"] end
    end
    assert.are.same({ "200", "404" }, codes)
    assert.are.same({ "0", "0", "1", "1" }, { rows[1]["tcp.seq"], rows[2]["tcp.seq"], rows[3]["tcp.seq"], rows[3]["tcp.ack"] })
    assert.are.equal("1", rows[#rows]["tcp.stream"])
  end)
end)

describe("pktframe.synth captures in tshark", function()
  it("decode to the values that were built", function()
    if not HAVE_TSHARK then pending("tshark not installed") return end
    local frames = {
      synth.eth{ src = A.mac, dst = B.mac, payload = synth.ipv4{ src = A.ip, dst = B.ip, id = 0x1ea0,
        payload = synth.udp{ sport = 5353, dport = 53, payload = synth.dns_query{ id = 7, name = "a.example" } } } },
      synth.eth{ src = B.mac, dst = A.mac, payload = synth.ipv4{ src = B.ip, dst = A.ip,
        payload = synth.udp{ sport = 53, dport = 5353, payload = synth.dns_response{ id = 7, name = "a.example",
          answers = { { type = "CNAME", name = "b.example", ttl = 30 }, { type = "A", addr = "192.0.2.9" } } } } } },
      synth.eth{ src = A.mac, dst = "ff:ff:ff:ff:ff:ff", type = 0x0806, pad = true,
        payload = synth.arp{ sha = A.mac, spa = A.ip, tpa = B.ip } },
      synth.eth{ src = B.mac, dst = A.mac, type = 0x0806,
        payload = synth.arp{ op = 2, sha = B.mac, spa = B.ip, tha = A.mac, tpa = A.ip }, trailer = "secret-bytes-here!" },
      synth.eth{ src = A.mac, dst = B.mac, type = 0x8100, payload = synth.vlan{ id = 42, type = 0x86dd,
        payload = synth.ipv6{ src = A.ip6, dst = B.ip6, payload = synth.icmpv6{ type = 128, id = 1, seq = 1 } } } },
      synth.eth{ src = A.mac, dst = B.mac, payload = synth.ipv4{ src = A.ip, dst = B.ip, df = false,
        payload = synth.icmp{ type = 8, id = 9, seq = 1, payload = "0123456789" } } },
    }
    local path = write_capture(frames)
    local rows = tshark_fields(path, { "eth.type", "ip.id", "ip.flags", "udp.checksum.status", "dns.qry.name",
      "dns.cname", "dns.a", "arp.opcode", "eth.padding", "eth.trailer", "vlan.id", "ipv6.src",
      "icmpv6.checksum.status", "icmp.checksum.status" }, "-o udp.check_checksum:TRUE")
    os.remove(path)
    assert.are.equal(6, #rows)
    assert.are.same({ "0x0800", "0x1ea0", "0x02", "1", "a.example" },
      { rows[1]["eth.type"], rows[1]["ip.id"], rows[1]["ip.flags"], rows[1]["udp.checksum.status"], rows[1]["dns.qry.name"] })
    assert.are.same({ "b.example", "192.0.2.9" }, { rows[2]["dns.cname"], rows[2]["dns.a"] })
    assert.are.same({ "1", "000000000000000000000000000000000000", "" },
      { rows[3]["arp.opcode"], rows[3]["eth.padding"], rows[3]["eth.trailer"] })
    assert.are.same({ "2", "", hex("secret-bytes-here!") },
      { rows[4]["arp.opcode"], rows[4]["eth.padding"], rows[4]["eth.trailer"] })
    assert.are.same({ "0x8100", "42", "2001:db8::1", "1" },
      { rows[5]["eth.type"], rows[5]["vlan.id"], rows[5]["ipv6.src"], rows[5]["icmpv6.checksum.status"] })
    assert.are.same({ "0x00", "1" }, { rows[6]["ip.flags"], rows[6]["icmp.checksum.status"] })
  end)

  it("reads a nanosecond big-endian file at the written times", function()
    if not HAVE_TSHARK then pending("tshark not installed") return end
    local path = write_capture({ { { 1704067200, 123456789 }, string.rep("\0", 60) },
      { 1704067201.5, string.rep("\0", 60) } }, { nsec = true, big_endian = true })
    local rows = tshark_fields(path, { "frame.time_epoch", "frame.len" })
    os.remove(path)
    assert.are.same({ "1704067200.123456789", "1704067201.500000000" },
      { rows[1]["frame.time_epoch"], rows[2]["frame.time_epoch"] })
  end)
end)
