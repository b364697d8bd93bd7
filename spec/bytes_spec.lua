-- bytes_spec.lua: payload bytes as Lua strings (tcp.payload, udp.payload, data.data), pf.hex,
-- pf.unhex, pf.printable, pf.printable_ratio and t:rows().
local pf = require "pktframe"

-- Real captures, used in place (the Makefile sets PKTFRAME_SHARED); expected values
-- come from TShark 4.0.17 (Debian 12), run here when it is installed.
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

local function have_tshark()
  local ok = os.execute("command -v tshark >/dev/null 2>&1")
  if not ok then pending("tshark is not installed: the comparison with it is skipped") end
  return ok
end

-- tshark's -T fields rows for one capture and fields: { [frame] = {cells...} }.
-- Only our own fixed names reach the shell (the capture names below are literals).
local function tshark_rows(name, fields)
  local cmd = "tshark -n -r '" .. CAPTURES .. "/" .. name
    .. "' -T fields -E separator=/t -E occurrence=f -e frame.number"
  for _, f in ipairs(fields) do cmd = cmd .. " -e " .. f end
  local p = assert(io.popen(cmd .. " 2>/dev/null"))
  local rows = {}
  for line in p:lines() do
    local cells = {}
    for c in (line .. "\t"):gmatch("([^\t]*)\t") do cells[#cells + 1] = c end
    rows[tonumber(cells[1])] = cells
  end
  p:close()
  return rows
end

-- every byte value once, and the hex text of it computed with string.format
local ALL = {}
for b = 0, 255 do ALL[#ALL + 1] = string.char(b) end
ALL = table.concat(ALL)
local function fmt_hex(s, sep)
  local out = {}
  for i = 1, #s do out[i] = string.format("%02x", s:byte(i)) end
  return table.concat(out, sep or "")
end

describe("pf.hex", function()
  it("writes every byte as two lowercase hex digits", function()
    assert.are.equal(fmt_hex(ALL), pf.hex(ALL))
    assert.are.equal(512, #pf.hex(ALL))
    assert.are.equal("", pf.hex(""))
    assert.are.equal("00017f80ff", pf.hex("\0\1\127\128\255"))
  end)
  it("puts the separator between bytes only", function()
    assert.are.equal("de:ad:be:ef", pf.hex("\xde\xad\xbe\xef", ":"))
    assert.are.equal(fmt_hex(ALL, " - "), pf.hex(ALL, " - "))
    assert.are.equal("41", pf.hex("A", ":"))
    assert.are.equal("", pf.hex("", ":"))
  end)
  it("names a bad argument", function()
    assert.has_error(function() pf.hex(nil) end, "bad argument #1 to 'hex' (string expected, got nil)")
    assert.has_error(function() pf.hex("a", {}) end, "bad argument #2 to 'hex' (string expected, got table)")
  end)
end)

describe("pf.unhex", function()
  it("reads what pf.hex writes, with or without separators, in either case", function()
    assert.are.equal(ALL, pf.unhex(fmt_hex(ALL)))
    assert.are.equal(ALL, pf.unhex(fmt_hex(ALL):upper()))
    assert.are.equal(ALL, pf.unhex(fmt_hex(ALL, ":")))
    assert.are.equal("\xde\xad\xbe\xef", pf.unhex("DE:ad-be ef"))
    assert.are.equal("", pf.unhex(""))
  end)
  it("names the position of what it cannot read", function()
    local cases = {
      { "abc", "odd number of hex digits (a lone digit at position 3)" },
      { "a:bc", "odd number of hex digits (a lone digit at position 1)" },
      { "deadbeeg", "invalid hex digit 'g' at position 8" },
      { "0x01", "invalid hex digit 'x' at position 2" },
      { "de\1ad", "invalid hex digit '\\x01' at position 3" },
      { ":de", "unexpected separator ':' at position 1" },
      { "de::ad", "unexpected separator ':' at position 4" },
      { "de:", "unexpected separator ':' at position 3" },
      { "de ad  be", "unexpected separator ' ' at position 7" },
      { "de_ad", "invalid hex digit '_' at position 3" },
    }
    for _, c in ipairs(cases) do
      assert.has_error(function() pf.unhex(c[1]) end, "bad argument #1 to 'unhex' (" .. c[2] .. ")")
    end
    assert.has_error(function() pf.unhex() end, "bad argument #1 to 'unhex' (string expected, got no value)")
  end)
end)

describe("pf.printable", function()
  it("keeps 0x20 to 0x7e and makes every other byte a dot", function()
    local want = ALL:gsub(".", function(ch)
      local b = ch:byte()
      return (b >= 32 and b <= 126) and ch or "."
    end)
    assert.are.equal(want, pf.printable(ALL))
    assert.are.equal("a.b.c. ~.", pf.printable("a\tb\rc\n ~\127"))
    assert.are.equal("", pf.printable(""))
  end)
end)

describe("pf.printable_ratio", function()
  it("is the fraction of printable bytes, 0 for the empty string", function()
    assert.are.equal(95 / 256, pf.printable_ratio(ALL))
    assert.are.equal(0.5, pf.printable_ratio("ab\0\r"))
    assert.are.equal(1.0, pf.printable_ratio("GET / HTTP/1.1"))
    assert.are.equal(0, pf.printable_ratio(""))
    assert.are.equal("float", math.type(pf.printable_ratio("")))
  end)
end)

describe("payload fields", function()
  it("are Lua strings equal to the bytes tshark prints as hex", function()
    local path = capture("http-nsec-bigendian.pcap")
    if not path or not have_tshark() then return end
    local want = tshark_rows("http-nsec-bigendian.pcap", { "tcp.payload" })
    local t <close> = assert(pf.read(path, { fields = { "frame.number", "tcp.payload" } }))
    assert.are.equal("bytes", t:col("tcp.payload"):type())
    local n = 0
    for row in t:rows() do
      local p = row["tcp.payload"]
      if p then
        n = n + 1
        assert.are.equal("string", type(p))
        assert.are.equal(want[row["frame.number"]][2], pf.hex(p))
      else
        assert.are.equal("", want[row["frame.number"]][2])
      end
    end
    assert.is_true(n >= 3)
  end)

  it("unpack as tshark decodes them (DNS ids from udp.payload)", function()
    local path = capture("dns-mixed.pcap")
    if not path or not have_tshark() then return end
    local want = tshark_rows("dns-mixed.pcap", { "dns.id", "udp.payload" })
    local t <close> = assert(pf.read(path, { fields = { "frame.number", "udp.payload" } }))
    local n = 0
    for row in t:rows() do
      local w = want[row["frame.number"]]
      if w[2] ~= "" then
        n = n + 1
        assert.are.equal(tonumber(w[2]), (string.unpack(">I2", row["udp.payload"])))
        assert.are.equal(w[3], pf.hex(row["udp.payload"]))
      end
    end
    assert.is_true(n > 400)
  end)

  it("stay hex text in CSV, compare as bytes and group as bytes", function()
    local path = capture("qinq-arp-padding.pcap")
    if not path then return end
    local t <close> = assert(pf.read(path, { fields = { "frame.number", "eth.padding", "vlan.trailer" } }))
    -- tshark 4.0.17: eth.padding 00000000000000000000 and vlan.trailer 00000000 on both frames
    assert.are.equal("frame.number,eth.padding,vlan.trailer\n1,00000000000000000000,00000000\n"
      .. "2,00000000000000000000,00000000\n", (t:to_csv():gsub("\r\n", "\n")))
    assert.are.same({ 1, 1, n = 2 }, t:col("vlan.trailer"):eq("\0\0\0\0"):totable())
    assert.are.same({ 0, 0, n = 2 }, t:col("vlan.trailer"):eq("00000000"):totable())
    assert.are.equal(2, #t:filter("vlan.trailer == 00:00:00:00"))
    local g = t:groupby("eth.padding"):size()
    assert.are.equal(1, #g)
    assert.are.equal(string.rep("\0", 10), g:col("eth.padding")[1])
    local vc = t:value_counts("vlan.trailer")
    assert.are.same({ ["vlan.trailer"] = "\0\0\0\0", count = 2 }, vc:row(1))
  end)
end)

describe("payload fields on hand-built packets", function()
  it("agree with tshark on echo time stamps, RST data, unknown ports and empty datagrams", function()
    if not have_tshark() then return end
    local synth = require "pktframe.synth"
    local A = { mac = "02:00:00:00:00:01", ip = "192.0.2.1", ip6 = "2001:db8::1" }
    local B = { mac = "02:00:00:00:00:02", ip = "192.0.2.2", ip6 = "2001:db8::2" }
    local T = 1700000000
    local function v4(seg)
      return synth.eth{ src = A.mac, dst = B.mac, payload = synth.ipv4{ src = A.ip, dst = B.ip, payload = seg } }
    end
    local function echo(payload) return v4(synth.icmp{ type = 8, id = 1, seq = 1, payload = payload }) end
    local frames = {
      echo(string.pack(">I4I4", T, 123456) .. "abcdefgh"),          -- a big-endian timeval: data after it
      echo(string.pack("<I4I4", T + 5, 999999) .. "little"),        -- little-endian, within the day
      echo("hello world, not a time"),                               -- no time stamp: all of it
      echo(string.pack(">I4I4", T, 7)),                              -- only the time stamp: no data
      echo(string.pack(">I4I4", T, 0x80000000) .. "neg"),           -- usec negative as an int: still a time
      echo(string.pack(">I4I4", T - 10, 5) .. "before"),            -- 10 s before the frame: a time too
      v4(synth.tcp{ sport = 40123, dport = 50321, flags = "RA", payload = "reset cause" }),
      v4(synth.tcp{ sport = 40125, dport = 50321, flags = "PA", seq = 1, payload = "\1\2\3binary" }),
      v4(synth.udp{ sport = 40123, dport = 50321, payload = "\0\1\2payload" }),
      v4(synth.udp{ sport = 40123, dport = 50321, payload = "" }),
      v4(synth.udp{ sport = 40124, dport = 53, payload = synth.dns_query{ id = 0x1234, name = "a.example" } }),
      synth.eth{ src = A.mac, dst = B.mac, type = 0x86dd,
                 payload = synth.ipv6{ src = A.ip6, dst = B.ip6,
                                       payload = synth.icmpv6{ type = 128, rest = 0x00010001, payload = "v6 echo" } } },
    }
    local path = os.tmpname()
    local w = assert(synth.writer(path))
    for i, f in ipairs(frames) do w:packet(T + i / 1000, f) end
    w:close()
    local FIELDS = { "tcp.payload", "udp.payload", "data.data", "data.len" }
    local p = assert(io.popen("tshark -n -r '" .. path .. "' -T fields -E separator=/t -E occurrence=f"
      .. " -e frame.number -e "
      .. table.concat(FIELDS, " -e ") .. " 2>/dev/null"))
    local want = {}
    for line in p:lines() do
      local cells = {}
      for c in (line .. "\t"):gmatch("([^\t]*)\t") do cells[#cells + 1] = c end
      want[#want + 1] = cells
    end
    p:close()
    local t <close> = assert(pf.read(path, { fields = { "frame.number", table.unpack(FIELDS) } }))
    os.remove(path)
    assert.are.equal(#frames, #want)
    assert.are.equal(#frames, #t)
    local got = {}
    for row in t:rows() do
      local cells = { tostring(row["frame.number"]) }
      for _, f in ipairs(FIELDS) do
        local v = row[f]
        cells[#cells + 1] = v == nil and "" or (type(v) == "string" and pf.hex(v) or tostring(v))
      end
      got[#got + 1] = cells
    end
    assert.are.same(want, got)
    -- and what the cases are meant to show, so that tshark changing would be noticed
    assert.are.equal(pf.hex("abcdefgh"), want[1][4])
    assert.are.equal(pf.hex("hello world, not a time"), want[3][4])
    assert.are.equal("", want[4][4])
    assert.are.equal(pf.hex("neg"), want[5][4])
    assert.are.equal(pf.hex("before"), want[6][4])
    assert.are.equal("", want[7][2])
    assert.are.equal(pf.hex("\1\2\3binary"), want[8][4])
    assert.are.equal("", want[10][3])
    assert.are.equal(pf.hex("v6 echo"), want[12][4])
  end)
end)

describe("data.data in HTTP bodies", function()
  it("agrees with tshark on content types, codings and chunks", function()
    if not have_tshark() then return end
    local synth = require "pktframe.synth"
    local hex = pf.unhex
    local gz = hex("1f8b0800000000000203cb48cdc9c9d75148afca2c5048ca4fa9040085ac9f5710000000")   -- "hello, gzip body"
    local raw = hex("2b4a2c5748494dcb492c495548ca4fa90400")                                       -- "raw deflate body"
    local big = string.rep("0123456789abcdef", 250)   -- 4000 bytes: reassembled over segments
    local function resp(headers, body)
      return "HTTP/1.1 200 OK\r\n" .. headers .. "Content-Length: " .. #body .. "\r\n\r\n" .. body
    end
    local responses = {
      resp("", "plain bytes"),
      synth.http_response{ content_type = "application/octet-stream", body = "\0\1\2octets" },
      synth.http_response{ content_type = "text/html", body = "<p>hi</p>" },
      resp("Content-Type: application/octet-stream\r\nContent-Encoding: gzip\r\n", gz),
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n",
      resp("Content-Type: text/html\r\nContent-Encoding: x-unknown\r\n", "abc"),
      resp("Content-Type: text/html\r\nContent-Encoding: gzip\r\n", gz),
      resp("Content-Encoding: deflate\r\n", raw),
      resp("", big),
    }
    local exchanges = {}
    for i, r in ipairs(responses) do
      exchanges[i] = { request = synth.http_request{ host = "example.com", uri = "/" .. i }, response = r }
    end
    local frames = synth.tcp_session{ client = { "02:00:00:00:00:01", "192.0.2.1", 40200 },
      server = { "02:00:00:00:00:02", "192.0.2.2", 80 }, t0 = 1700000000, exchanges = exchanges }
    local path = os.tmpname()
    local w = assert(synth.writer(path))
    for _, f in ipairs(frames) do w:packet(f[1], f[2]) end
    w:close()
    local p = assert(io.popen("tshark -n -r '" .. path .. "' -T fields -E separator=/t -E occurrence=f"
      .. " -e frame.number -e data.data -e data.len 2>/dev/null"))
    local want, bodies = {}, {}
    for line in p:lines() do
      local n, d, l = line:match("^(%d*)\t([^\t]*)\t([^\t]*)$")
      want[#want + 1] = { n, d, l }
      if d ~= "" then bodies[#bodies + 1] = pf.unhex(d) end
    end
    p:close()
    local t <close> = assert(pf.read(path, { fields = { "frame.number", "data.data", "data.len" } }))
    os.remove(path)
    local got = {}
    for row in t:rows() do
      got[#got + 1] = { tostring(row["frame.number"]), row["data.data"] and pf.hex(row["data.data"]) or "",
                        row["data.len"] and tostring(row["data.len"]) or "" }
    end
    assert.are.same(want, got)
    -- what tshark shows: the bodies without a media type, decoded, and the one it cannot decode
    assert.are.same({ "plain bytes", "\0\1\2octets", "hello, gzip body", "hello world", "abc", "raw deflate body",
                      big },
      bodies)
  end)
end)

describe("t:rows", function()
  local function table3()
    local path = os.tmpname()
    local f = assert(io.open(path, "w"))
    f:write("host,bytes\na,1\n,2\nc,\n")
    f:close()
    local t = assert(pf.read_csv(path))
    os.remove(path)
    return t
  end

  it("yields each row as t:row gives it, and its index", function()
    local t <close> = table3()
    local seen = {}
    for row, i in t:rows() do seen[#seen + 1] = { row, i } end
    assert.are.same({ { { host = "a", bytes = 1 }, 1 }, { { bytes = 2 }, 2 }, { { host = "c" }, 3 } }, seen)
    for i = 1, #t do assert.are.same(t:row(i), seen[i][1]) end
  end)

  it("gives a fresh table each time, whose values outlive the table", function()
    local t = table3()
    local rows = {}
    for row in t:rows() do
      row.extra = true
      rows[#rows + 1] = row
    end
    t:close()
    collectgarbage()
    assert.are.same({ host = "a", bytes = 1, extra = true }, rows[1])
    assert.are_not.equal(rows[1], rows[2])
  end)

  it("yields nothing for an empty table", function()
    local t <close> = table3()
    local e <close> = t:head(0)
    local n = 0
    for _ in e:rows() do n = n + 1 end
    assert.are.equal(0, n)
  end)

  it("raises on a closed table, before and during the loop", function()
    local t = table3()
    assert.has_error(function()
      for _ in t:rows() do t:close() end
    end, "rows: the table was closed during the loop")
    assert.has_error(function() t:rows() end, "calling 'rows' on bad self (table is closed)")
  end)
end)
