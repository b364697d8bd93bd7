-- hostile_spec.lua: pf.read on damaged, truncated and malformed captures (issue #7). Every file is
-- built here byte by byte (spec/hostile_files.lua): the offsets the diagnostics must name follow
-- from the layout (24-byte pcap header, 16-byte record headers, pcapng blocks of known length).
-- For malformed packets tshark is the oracle of which fields exist: its -T fields output on the
-- same file is compared with t:to_tsv() (skipped, saying so, when tshark is absent).
local pf = require "pktframe"
local dir = debug.getinfo(1, "S").source:match("^@(.*/)") or "spec/"
package.path = dir .. "?.lua;" .. package.path
local H = require "hostile_files"

local G = H.GOOD_LEN          -- bytes of a good frame
local REC = 16 + G            -- a pcap record of one
local function pcap_off(k) return 24 + REC * (k - 1) end          -- offset of record k
local SHB, IDB = #H.shb(), #H.idb(1)
local EPB = #H.epb(0, 0, H.good(1))
local function ng_off(k) return SHB + IDB + EPB * (k - 1) end     -- offset of EPB k

local files = {}
local function write(name, bytes)
  local path = os.tmpname() .. "-" .. name
  local f = assert(io.open(path, "wb"))
  f:write(bytes)
  f:close()
  files[#files + 1] = path
  return path
end

-- peak virtual memory of this process (kB), from /proc: an allocation of what a damaged
-- length claims shows there even when its pages are never touched
local function peak_kb()
  local f = io.open("/proc/self/status")
  if not f then return nil end
  local s = f:read("a")
  f:close()
  return tonumber(s:match("VmPeak:%s*(%d+)"))
end

-- pf.read with a time limit: the read of any of these files must take well under a second
local function read(path, fields)
  local t0 = os.clock()
  local t, err = pf.read(path, fields and {fields = fields} or nil)
  local dt = os.clock() - t0
  assert.is_true(dt < 1, "reading took " .. dt .. " s")
  return t, err
end

local DEFAULT = {"frame.number", "frame.len", "frame.cap_len", "ip.src", "udp.srcport", "dns.id"}

-- the dns.id column of t as a list (the good frames carry their number as DNS id)
local function ids(t)
  local out = {}
  local c = t:col("dns.id")
  for i = 1, #t do out[i] = c[i] or false end
  return out
end

-- the values of a column as a plain list (nulls as false)
local function list(c)
  local out = {}
  for i = 1, #c do
    local v = c[i]
    if v == nil then v = false end
    out[i] = v
  end
  return out
end

local have_tshark = os.execute("command -v tshark >/dev/null 2>&1")

-- tshark's -T fields text for path (nil when tshark is absent). Paths here are our own
-- temporary names, single-quoted: no user text reaches the shell.
local function tshark(path, fields)
  if not have_tshark then return nil end
  -- without the sanitizer runtime the sanitized suite preloads into lua5.4
  local cmd = { "env -u LD_PRELOAD -u ASAN_OPTIONS tshark -n -r '" .. path .. "' -T fields -E header=y -E occurrence=a" }
  for _, f in ipairs(fields) do cmd[#cmd + 1] = "-e " .. f end
  local p = assert(io.popen(table.concat(cmd, " ") .. " 2>/dev/null"))
  local out = p:read("a")
  p:close()
  return out
end

-- pktframe's rows of path must be tshark's, field for field
local function same_as_tshark(path, fields)
  local want = tshark(path, fields)
  if want == nil then
    pending("tshark is absent: the comparison with tshark is skipped")
    return
  end
  local t <close> = assert(read(path, fields))
  assert.are.equal(want, t:to_tsv())
end

teardown(function()
  for _, p in ipairs(files) do os.remove(p) end
end)

describe("pf.read on a damaged pcap file", function()
  it("refuses an empty file", function()
    local p = write("empty.pcap", "")
    local t, err = read(p)
    assert.is_nil(t)
    assert.are.equal(p .. ": empty file: not a pcap or pcapng capture file", err)
  end)

  it("refuses a file cut inside the file header", function()
    local p = write("cut-header.pcap", H.pcap_header():sub(1, 10))
    local t, err = read(p)
    assert.is_nil(t)
    assert.are.equal(p .. ": truncated pcap file header (10 of 24 bytes)", err)
  end)

  it("reads a file of just a header as no packets, without complaint", function()
    local t <close> = assert(read(write("header-only.pcap", H.pcap_header())))
    assert.are.equal(0, #t)
    assert.are.same({}, t:diagnostics())
  end)

  it("keeps the packets before a record header cut short", function()
    local bytes = H.pcap(H.good_records(1, 2)) .. H.pcap_record{data = H.good(3)}:sub(1, 7)
    local p = write("cut-midheader.pcap", bytes)
    local t <close> = assert(read(p, DEFAULT))
    assert.are.same({ 1, 2 }, ids(t))
    assert.are.same({ p .. ": packet 3 at offset " .. pcap_off(3) .. ": truncated record header (7 of 16 bytes); "
                      .. "the file was cut short; the 2 packets before it were kept" }, t:diagnostics())
  end)

  it("keeps the packets before a record cut inside its data", function()
    local bytes = H.pcap(H.good_records(1, 1)) .. H.pcap_record{data = H.good(2)}:sub(1, 16 + 30)
    local p = write("cut-midpacket.pcap", bytes)
    local t <close> = assert(read(p, DEFAULT))
    assert.are.same({ 1 }, ids(t))
    assert.are.same({ p .. ": packet 2 at offset " .. pcap_off(2) .. ": truncated record (30 of " .. G
                      .. " bytes of packet data); the file was cut short; the 1 packet before it was kept" },
                    t:diagnostics())
  end)

  it("reads every packet of a file whose header claims a huge snapshot length", function()
    local t <close> = assert(read(write("huge-snaplen.pcap", H.pcap(H.good_records(1, 3), 0xffffffff)), DEFAULT))
    assert.are.same({ 1, 2, 3 }, ids(t))
    assert.are.same({}, t:diagnostics())
  end)

  it("keeps records longer than the snapshot length, noting it once", function()
    local p = write("over-snaplen.pcap", H.pcap(H.good_records(1, 3), 64))
    local t <close> = assert(read(p, DEFAULT))
    assert.are.same({ 1, 2, 3 }, ids(t))
    assert.are.same({ G, G, G }, { t:col("frame.cap_len")[1], t:col("frame.cap_len")[2], t:col("frame.cap_len")[3] })
    assert.are.same({ p .. ": packet 1 at offset 24: " .. G .. " captured bytes, more than the snapshot length of 64; "
                      .. "kept as captured (noted once per file)" }, t:diagnostics())
  end)

  it("keeps a record with more captured bytes than wire bytes as tshark shows it", function()
    local recs = H.good_records(1, 3)
    recs[2].len = 40
    local p = write("caplen-over-len.pcap", H.pcap(recs))
    local t <close> = assert(read(p, DEFAULT))
    assert.are.same({ 1, 2, 3 }, ids(t))
    assert.are.equal(40, t:col("frame.len")[2])
    assert.are.equal(G, t:col("frame.cap_len")[2])
    assert.are.same({ p .. ": packet 2 at offset " .. pcap_off(2) .. ": " .. G .. " captured bytes, more than the 40 "
                      .. "bytes on the wire; kept as captured (noted once per file)" }, t:diagnostics())
    same_as_tshark(p, DEFAULT)
  end)

  it("keeps records of zero captured bytes as frames with no fields past the frame's", function()
    local p = write("caplen-zero.pcap", H.pcap({ { data = H.good(1) }, { data = "", len = 74 }, { data = "", len = 0 },
                                                { data = H.good(4) } }))
    local t <close> = assert(read(p, DEFAULT))
    assert.are.same({ 1, false, false, 4 }, ids(t))
    assert.are.same({ 74, 0 }, { t:col("frame.len")[2], t:col("frame.len")[3] })
    assert.are.same({ 0, 0 }, { t:col("frame.cap_len")[2], t:col("frame.cap_len")[3] })
    assert.are.same({}, t:diagnostics())
    same_as_tshark(p, DEFAULT)
  end)

  it("stops at a record claiming gigabytes, in bounded memory, keeping the packets before", function()
    local bytes = H.pcap(H.good_records(1, 2)) .. string.pack("<I4I4I4I4", 1, 0, 0xfffffff0, 0xfffffff0) .. H.good(3)
    local p = write("caplen-4g.pcap", bytes)
    local before = peak_kb()
    local t <close> = assert(read(p, DEFAULT))
    local after = peak_kb()
    assert.are.same({ 1, 2 }, ids(t))
    assert.are.same({ p .. ": packet 3 at offset " .. pcap_off(3) .. ": record claims 4294967280 captured bytes, more "
                      .. "than the maximum of 262144; the file is damaged; the 2 packets before it were kept" },
                    t:diagnostics())
    if before and after then assert.is_true(after - before < 64 * 1024, "peak memory grew " .. (after - before) .. " kB") end
  end)

  it("does not allocate what a damaged length on a 128 MB link type claims", function()
    -- USB (189) allows records of up to 128 MiB, so the claim passes the limit and
    -- only the end of the file shows the damage
    local bytes = H.pcap({}, 262144, 189) .. string.pack("<I4I4I4I4", 1, 0, 100 << 20, 100 << 20) .. "short"
    local p = write("usb-100m.pcap", bytes)
    local before = peak_kb()
    local t <close> = assert(read(p, { "frame.number" }))
    local after = peak_kb()
    assert.are.equal(0, #t)
    assert.are.same({ p .. ": packet 1 at offset 24: truncated record (5 of 104857600 bytes of packet data); the file "
                      .. "was cut short; the 0 packets before it were kept" }, t:diagnostics())
    if before and after then assert.is_true(after - before < 64 * 1024, "peak memory grew " .. (after - before) .. " kB") end
  end)

  it("gives timestamps going backwards tshark's negative deltas", function()
    local p = write("backwards.pcap", H.pcap({ { data = H.good(1), sec = 2000 }, { data = H.good(2), sec = 1000, usec = 5 },
                                              { data = H.good(3), sec = 1500 } }))
    local t <close> = assert(read(p, { "frame.number", "frame.time_epoch", "frame.time_delta", "frame.time_relative" }))
    local d, r = t:col("frame.time_delta"), t:col("frame.time_relative")
    assert.are.same({ 0, -999999995000, 499999995000 }, { d:ns(1), d:ns(2), d:ns(3) })
    assert.are.same({ 0, -999999995000, -500000000000 }, { r:ns(1), r:ns(2), r:ns(3) })
    assert.are.same({}, t:diagnostics())
    same_as_tshark(p, { "frame.number", "frame.time_epoch", "frame.time_delta", "frame.time_relative" })
  end)

  it("keeps the frames of an unknown link type with their frame fields", function()
    local t <close> = assert(read(write("linktype-999.pcap", H.pcap(H.good_records(1, 2), 262144, 999)), DEFAULT))
    assert.are.equal(2, #t)
    assert.are.same({ 1, 2 }, { t:col("frame.number")[1], t:col("frame.number")[2] })
    assert.are.same({ G, G }, { t:col("frame.len")[1], t:col("frame.len")[2] })
    assert.is_nil(t:col("ip.src")[1])
  end)
end)

describe("pf.read on a damaged pcapng file", function()
  local function ng(...) return H.shb() .. H.idb(1) .. table.concat({ ... }) end

  it("reads a section header alone as no packets", function()
    local t <close> = assert(read(write("shb-only.pcapng", H.shb())))
    assert.are.equal(0, #t)
    assert.are.same({}, t:diagnostics())
  end)

  it("refuses a file whose section header block is missing", function()
    local p = write("no-shb.pcapng", H.idb(1) .. H.good_epbs(1, 2))
    local t, err = read(p)
    assert.is_nil(t)
    assert.are.equal(p .. ": not a pcap or pcapng capture file: it starts with a pcapng block of type 1, not a "
                     .. "section header block", err)
  end)

  it("skips blocks of unknown types and reads on", function()
    local t <close> = assert(read(write("unknown-block.pcapng",
      ng(H.good_epbs(1, 2), H.block(0x12345, "zzzz"), H.block(0x80000001, ""), H.good_epbs(4, 5))), DEFAULT))
    assert.are.same({ 1, 2, 4, 5 }, ids(t))
    assert.are.same({ 1, 2, 3, 4 }, list(t:col("frame.number")))
    assert.are.same({}, t:diagnostics())
  end)

  it("skips a packet for an interface that does not exist, and reads on", function()
    local p = write("bad-interface.pcapng", ng(H.good_epbs(1, 2), H.epb(7, 0, H.good(3)), H.good_epbs(4, 5)))
    local t <close> = assert(read(p, DEFAULT))
    assert.are.same({ 1, 2, 4, 5 }, ids(t))
    assert.are.same({ p .. ": packet 3 at offset " .. ng_off(3) .. ": packet for interface 7, but only 1 interface is "
                      .. "described; block skipped" }, t:diagnostics())
  end)

  it("skips a packet claiming more bytes than its block holds, and reads on", function()
    local p = write("epb-caplen.pcapng", ng(H.good_epbs(1, 2), H.epb(0, 0, H.good(3), 400), H.good_epbs(4, 5)))
    local t <close> = assert(read(p, DEFAULT))
    assert.are.same({ 1, 2, 4, 5 }, ids(t))
    assert.are.same({ p .. ": packet 3 at offset " .. ng_off(3) .. ": packet claims 400 captured bytes in a block of "
                      .. EPB .. "; block skipped" }, t:diagnostics())
  end)

  it("skips a packet claiming gigabytes inside a sound block", function()
    local p = write("epb-4g.pcapng", ng(H.good_epbs(1, 1), H.epb(0, 0, H.good(2), 0xffffffff), H.good_epbs(3, 3)))
    local t <close> = assert(read(p, DEFAULT))
    assert.are.same({ 1, 3 }, ids(t))
    assert.are.same({ p .. ": packet 2 at offset " .. ng_off(2) .. ": packet claims 4294967295 captured bytes in a "
                      .. "block of " .. EPB .. "; block skipped" }, t:diagnostics())
  end)

  -- a block length that is itself wrong leaves no way to find the next block
  local framing = {
    { "below 12", 8, "block of type 0x00000006 with invalid length 8" },
    { "not a multiple of 4", EPB + 2, "block of type 0x00000006 with invalid length " .. (EPB + 2) },
    { "past the end of the file", 1 << 20, "truncated block (" .. (EPB * 2) .. " of 1048576 bytes); the file was cut short" },
    { "of gigabytes", 0xfffffff0, "block of type 0x00000006 claims 4294967280 bytes, more than any packet; the file is damaged" },
  }
  for _, case in ipairs(framing) do
    it("stops at a block length " .. case[1] .. ", keeping the packets before", function()
      local bad = H.block(6, string.pack("<I4I4I4I4I4", 0, 0, 0, G, G) .. H.good(3), case[2])
      local p = write("blocklen.pcapng", ng(H.good_epbs(1, 2), bad, H.good_epbs(4, 4)))
      local before = peak_kb()
      local t <close> = assert(read(p, DEFAULT))
      local after = peak_kb()
      assert.are.same({ 1, 2 }, ids(t))
      assert.are.same({ p .. ": packet 3 at offset " .. ng_off(3) .. ": " .. case[3]
                        .. "; the 2 packets before it were kept" }, t:diagnostics())
      if before and after then assert.is_true(after - before < 64 * 1024) end
    end)
  end

  it("stops at a block whose trailing length disagrees, keeping the packets before", function()
    local bad = H.block(6, string.pack("<I4I4I4I4I4", 0, 0, 0, G, G) .. H.good(3), nil, 200)
    local p = write("trailer.pcapng", ng(H.good_epbs(1, 2), bad, H.good_epbs(4, 5)))
    local t <close> = assert(read(p, DEFAULT))
    assert.are.same({ 1, 2 }, ids(t))
    assert.are.same({ p .. ": packet 3 at offset " .. ng_off(3) .. ": block of type 0x00000006: trailing length does "
                      .. "not match " .. EPB .. "; the 2 packets before it were kept" }, t:diagnostics())
  end)

  it("keeps a file cut inside a block header", function()
    local p = write("cut-block.pcapng", ng(H.good_epbs(1, 2)) .. H.epb(0, 0, H.good(3)):sub(1, 6))
    local t <close> = assert(read(p, DEFAULT))
    assert.are.same({ 1, 2 }, ids(t))
    assert.are.same({ p .. ": packet 3 at offset " .. ng_off(3) .. ": truncated block header (6 of 12 bytes); the file "
                      .. "was cut short; the 2 packets before it were kept" }, t:diagnostics())
  end)

  it("keeps the frames of an interface of unknown link type", function()
    local t <close> = assert(read(write("ng-linktype.pcapng", H.shb() .. H.idb(999) .. H.good_epbs(1, 2)), DEFAULT))
    assert.are.same({ 1, 2 }, list(t:col("frame.number")))
    assert.is_nil(t:col("ip.src")[1])
    assert.are.same({}, t:diagnostics())
  end)

  it("lists at most 20 damaged blocks of a file, then how many more", function()
    local bad = {}
    for i = 1, 25 do bad[i] = H.epb(9, 0, H.good(i)) end
    local p = write("many-bad.pcapng", ng(table.concat(bad), H.good_epbs(26, 26)))
    local t <close> = assert(read(p, DEFAULT))
    assert.are.same({ 26 }, ids(t))
    local d = t:diagnostics()
    assert.are.equal(21, #d)
    assert.are.equal(p .. ": packet 1 at offset " .. ng_off(1) .. ": packet for interface 9, but only 1 interface is "
                     .. "described; block skipped", d[1])
    assert.are.equal(p .. ": 5 more damaged or odd records not listed", d[21])
  end)
end)

describe("pf.read on malformed packets", function()
  local IP = {"frame.number", "ip.version", "ip.hdr_len", "ip.len", "ip.src", "ip.dst", "udp.srcport", "udp.length"}

  it("reports an IPv4 header length below 20 and decodes no further, as tshark", function()
    local p = write("ihl4.pcap", H.pcap({ { data = H.good(1) }, { data = H.ipv4_ihl(4) }, { data = H.good(3) } }))
    local t <close> = assert(read(p, DEFAULT))
    assert.are.same({ 1, false, 3 }, ids(t))
    assert.are.same({ p .. ": packet 2 at offset " .. pcap_off(2) .. ": IPv4: bogus header length 16 (at least 20) at "
                      .. "frame byte 14" }, t:diagnostics())
    same_as_tshark(p, IP)
  end)

  it("reports an IPv4 header length past the total length", function()
    local p = write("ihl15.pcap", H.pcap({ { data = H.ipv4_ihl(15) } }))
    local t <close> = assert(read(p, IP))
    assert.are.same({ p .. ": packet 1 at offset 24: IPv4: bogus total length 32 (less than the header length 60) at "
                      .. "frame byte 16" }, t:diagnostics())
    same_as_tshark(p, IP)
  end)

  it("reports an IPv4 header running past the end of the packet", function()
    -- total length 80 claims room for the 60-byte header, but the frame ends 32 bytes in
    local ip = H.ipv4_ihl(15)
    ip = ip:sub(1, 16) .. string.pack(">I2", 80) .. ip:sub(19)
    local p = write("ihl-past-end.pcap", H.pcap({ { data = ip } }))
    local t <close> = assert(read(p, IP))
    assert.are.same({ p .. ": packet 1 at offset 24: IPv4: header length 60 runs past the end of the packet (32 "
                      .. "bytes) at frame byte 14" }, t:diagnostics())
    same_as_tshark(p, IP)
  end)

  it("reports nothing for an IPv4 header cut by the snapshot length", function()
    local p = write("ip-snaplen.pcap", H.pcap({ { data = H.good(1):sub(1, 20), len = G } }))
    local t <close> = assert(read(p, IP))
    assert.are.same({}, t:diagnostics())
    same_as_tshark(p, IP)
  end)

  local V6 = {"frame.number", "ipv6.nxt", "ipv6.plen", "udp.srcport", "udp.length"}
  it("follows a chain of 100 IPv6 extension headers to UDP, as tshark", function()
    local p = write("v6-chain100.pcap", H.pcap({ { data = H.ipv6_chain(100) }, { data = H.ipv6_chain(300, 0) } }))
    local t <close> = assert(read(p, V6))
    assert.are.same({ 40000, 40000 }, { t:col("udp.srcport")[1], t:col("udp.srcport")[2] })
    assert.are.same({}, t:diagnostics())
    same_as_tshark(p, V6)
  end)

  it("stops a chain of IPv6 extension headers where tshark does, and says so", function()
    local p = write("v6-chain.pcap", H.pcap({ { data = H.ipv6_chain(495) }, { data = H.ipv6_chain(496) },
                                             { data = H.ipv6_chain(4000) } }))
    local t <close> = assert(read(p, V6))
    assert.are.same({ 40000, false, false }, { t:col("udp.srcport")[1], t:col("udp.srcport")[2] or false,
                                               t:col("udp.srcport")[3] or false })
    local d = t:diagnostics()
    assert.are.equal(2, #d)
    assert.are.equal(p .. ": packet 2 at offset " .. (24 + 16 + #H.ipv6_chain(495)) .. ": IPv6: more than 495 extension "
                     .. "headers at frame byte " .. (14 + 40 + 495 * 8), d[1])
    same_as_tshark(p, V6)
  end)

  it("reports an IPv6 extension header running past the end", function()
    local pkt = H.ipv6_chain(3)
    pkt = pkt:sub(1, 14 + 40 + 8) .. "\17\9"   -- the second header cut after two bytes
    local p = write("v6-cut.pcap", H.pcap({ { data = pkt } }))
    local t <close> = assert(read(p, V6))
    assert.are.same({ p .. ": packet 1 at offset 24: IPv6: extension header 2 runs past the end of the packet at frame "
                      .. "byte 62" }, t:diagnostics())
  end)

  local TCP = {"frame.number", "tcp.srcport", "tcp.dstport", "tcp.stream", "tcp.len", "tcp.seq", "tcp.seq_raw",
               "tcp.hdr_len", "tcp.flags", "tcp.ack"}
  it("reports a TCP data offset below 5 and gives tshark's fields", function()
    local p = write("tcp-doff.pcap", H.pcap({ { data = H.tcp_doff(2) }, { data = H.tcp_doff(0) }, { data = H.tcp_doff(4) },
                                              { data = H.tcp_doff(5) } }))
    local t <close> = assert(read(p, TCP))
    assert.are.same({ 8, 0, 16, 20 }, list(t:col("tcp.hdr_len")))
    local d = t:diagnostics()
    assert.are.equal(3, #d)
    assert.are.equal(p .. ": packet 1 at offset 24: TCP: bogus header length 8 (at least 20) at frame byte 46", d[1])
    same_as_tshark(p, TCP)
  end)

  local DNS = {"frame.number", "dns.id", "dns.qry.name", "dns.qry.type", "dns.cname", "dns.a", "dns.resp.ttl"}
  local q = string.pack(">I2I2", 1, 1)
  it("names a DNS compression loop as tshark does and reports it", function()
    local p = write("dns-loop.pcap", H.pcap({
      { data = H.dns_udp(H.dns_header(1, 1) .. "\xc0\x0c" .. q) },                          -- points at itself
      { data = H.dns_udp(H.dns_header(3, 1) .. "\x01a\xc0\x0e" .. q) },                     -- label, then itself
      { data = H.dns_udp(H.dns_header(4, 2) .. "\x01a\xc0\x12" .. q .. "\x01b\xc0\x0c" .. q) },   -- two in a ring
    }))
    local t <close> = assert(read(p, DNS))
    assert.are.equal("<Name contains a pointer that loops>", t:col("dns.qry.name")[1])
    local d = t:diagnostics()
    assert.are.equal(3, #d)
    -- the pointer of the first message is its 12th byte: frame byte 14 + 20 + 8 + 12
    assert.are.equal(p .. ": packet 1 at offset 24: DNS: name with a compression pointer loop at frame byte 54", d[1])
    same_as_tshark(p, DNS)
  end)

  it("reports DNS pointers past the end of the message and keeps what came before", function()
    local rr = string.pack(">I2I2I4I2", 5, 1, 60, 2) .. "\xc0\x2d"
    local p = write("dns-pointer.pcap", H.pcap({
      { data = H.dns_udp(H.dns_header(2, 1) .. "\xc0\xff" .. q) },
      { data = H.dns_udp(H.dns_header(5, 1, 1) .. "\x07example\x03com\x00" .. q .. "\xc0\x0c" .. rr) },
      { data = H.dns_udp(H.dns_header(6, 1, 1) .. "\x07example\x03com\x00" .. q .. "\xc0\x0c" ..
                         string.pack(">I2I2I4I2", 1, 1, 60, 4) .. "\1\2") },   -- an A record cut short
    }))
    local t <close> = assert(read(p, DNS))
    assert.is_nil(t:col("dns.qry.name")[1])
    assert.are.equal("example.com", t:col("dns.qry.name")[2])
    assert.are.same({
      p .. ": packet 1 at offset 24: DNS: compression pointer to byte 255, past the end of the message at frame byte 54",
      p .. ": packet 2 at offset " .. (24 + 16 + 60) .. ": DNS: compression pointer to byte 45, past the end of the "
        .. "message at frame byte 83",
      p .. ": packet 3 at offset " .. (24 + 16 + 60 + 16 + 85) .. ": DNS: resource record runs past the end of the "
        .. "message at frame byte 71",
    }, t:diagnostics())
    same_as_tshark(p, DNS)
  end)

  it("decodes zero-length everything as tshark does", function()
    local eth0 = H.eth4("")                                        -- Ethernet, IPv4 type, nothing after
    local ip0 = H.eth4(string.char(0x45, 0, 0, 0) .. ("\0"):rep(16))   -- IPv4 total length 0 (TSO)
    local udp0 = H.eth4(require("pktframe.synth").ipv4{src = H.CLIENT, dst = H.SERVER, proto = 17,
                                                      payload = string.pack(">I2I2I2I2", 53, 53, 0, 0)})
    local dns0 = H.dns_udp("")
    local dnsroot = H.dns_udp(H.dns_header(7, 1) .. "\0" .. q)
    local p = write("zero.pcap", H.pcap({ { data = eth0 }, { data = ip0 }, { data = udp0 }, { data = dns0 },
                                          { data = dnsroot }, { data = "" } }))
    local fields = {"frame.number", "frame.len", "eth.type", "ip.len", "ip.src", "udp.length", "dns.id", "dns.qry.name"}
    local t <close> = assert(read(p, fields))
    assert.are.equal(6, #t)
    assert.are.equal("<Root>", t:col("dns.qry.name")[5])
    same_as_tshark(p, fields)
  end)

  it("numbers packets within the file each message names when several are read", function()
    local a = write("multi-a.pcap", H.pcap({ { data = H.good(1) }, { data = H.ipv4_ihl(4) } }))
    local b = write("multi-b.pcap", H.pcap({ { data = H.good(3) }, { data = H.ipv4_ihl(4) } }))
    local t <close> = assert(pf.read({ a, b }, { fields = IP }))
    assert.are.same({ 1, 2, 3, 4 }, list(t:col("frame.number")))
    local msg = ": packet 2 at offset " .. pcap_off(2) .. ": IPv4: bogus header length 16 (at least 20) at frame byte 14"
    assert.are.same({ a .. msg, b .. msg }, t:diagnostics())
  end)

  it("lists at most 20 malformed packets of a read", function()
    local recs = {}
    for i = 1, 30 do recs[i] = { data = H.ipv4_ihl(3) } end
    local t <close> = assert(read(write("many-ihl.pcap", H.pcap(recs)), IP))
    local d = t:diagnostics()
    assert.are.equal(20, #d)
    assert.is_truthy(d[20]:find("; later malformed packets are not listed", 1, true))
  end)
end)
