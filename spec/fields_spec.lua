-- fields_spec.lua: fields the shared captures do not exercise, on packets built here and compared
-- with tshark 4.0 when it is installed (the differential test covers the shared captures):
-- TCP's URG/ECE/CWR/AE bits, urgent pointer and timestamps; HTTP requests through a proxy
-- (absolute URI), CONNECT, Authorization, a Host with blanks; TLS 1.3 hellos with
-- supported_versions and application data after them (tshark's opaque type); DNS flags and counts;
-- frame.time under several time zones and frame.time_delta_displayed under a display filter.
local synth = require "pktframe.synth"

local PKTFRAME = "build/pktframe"
local C, S = "192.168.7.10", "192.168.7.1"

-- a TCP conversation: handshake, then each payload in turn from the client (odd) or server (even)
local function conversation(frames, sport, dport, payloads, isn)
  local cseq, sseq = isn or 1000, 5000
  local function seg(from_client, flags, payload, opts)
    local t = { sport = from_client and sport or dport, dport = from_client and dport or sport,
      seq = from_client and cseq or sseq, ack = from_client and sseq or cseq, flags = flags,
      payload = payload or "", options = opts }
    frames[#frames + 1] = synth.eth{ src = "02:00:00:00:00:01", dst = "02:00:00:00:00:02",
      payload = synth.ipv4{ src = from_client and C or S, dst = from_client and S or C, payload = synth.tcp(t) } }
  end
  seg(true, "S", nil, { mss = 1460, ts = { 100, 0 } })
  cseq = cseq + 1
  seg(false, "SA", nil, { mss = 1460, ts = { 200, 100 } })
  sseq = sseq + 1
  seg(true, "A", nil, { ts = { 101, 200 } })
  for i, p in ipairs(payloads) do
    local client = i % 2 == 1
    seg(client, "PA", p, { ts = { 101 + i, 200 + i } })
    if client then cseq = cseq + #p else sseq = sseq + #p end
  end
end

local function u16(n) return string.pack(">I2", n) end
local function u24(n) return string.pack(">I3", n) end
local function vec16(s) return u16(#s) .. s end

local function client_hello()
  local sni = "example.com"
  local ext = u16(0) .. vec16(vec16("\0" .. vec16(sni)))
    .. u16(43) .. vec16(string.char(6) .. u16(0x0304) .. u16(0x0303) .. u16(0x7f1c))
  local body = u16(0x0303) .. string.rep("\x11", 32) .. "\0" .. vec16(u16(0x1301) .. u16(0x1302) .. u16(0xc02f))
    .. "\1\0" .. vec16(ext)
  local hs = "\1" .. u24(#body) .. body
  return "\22" .. u16(0x0301) .. vec16(hs)
end

local function server_hello()
  local body = u16(0x0303) .. string.rep("\x22", 32) .. "\0" .. u16(0x1301) .. "\0" .. vec16(u16(43) .. vec16(u16(0x0304)))
  local hs = "\2" .. u24(#body) .. body
  return "\22" .. u16(0x0303) .. vec16(hs) .. "\20" .. u16(0x0303) .. vec16("\1")
end

local function frames_all()
  local f = {}
  -- TCP: the rarer flag bits and an urgent pointer
  f[#f + 1] = synth.eth{ src = "02:00:00:00:00:01", dst = "02:00:00:00:00:02", payload = synth.ipv4{ src = C, dst = S,
    payload = synth.tcp{ sport = 40000, dport = 9, seq = 1, flags = 0x1c2, urg = 7 } } }
  f[#f + 1] = synth.eth{ src = "02:00:00:00:00:01", dst = "02:00:00:00:00:02", payload = synth.ipv4{ src = C, dst = S,
    payload = synth.tcp{ sport = 40000, dport = 9, seq = 2, flags = 0x030, urg = 1, payload = "x" } } }
  -- HTTP through a proxy: an absolute URI, credentials, cookies; a CONNECT; a Host with blanks
  conversation(f, 40001, 3128, {
    "GET http://example.com/a?b=1 HTTP/1.1\r\nHost: example.com\r\nProxy-Connection: keep-alive\r\n"
      .. "Authorization: Basic dXNlcjpwYXNz\r\nCookie: a=1; b=2\r\nReferer: http://example.com/\r\n"
      .. "Accept: text/html, */*\r\nConnection: keep-alive\r\n\r\n",
    "HTTP/1.1 302 Found It\r\nServer: synth/1.0\r\nLocation: https://example.com/a\r\nContent-Length: 3\r\n\r\nabc",
    "CONNECT example.org:443 HTTP/1.1\r\nHost: example.org:443\r\n\r\n",
    "HTTP/1.0 200 Connection established\r\n\r\n" })
  conversation(f, 40002, 80, {
    "GET /index.html HTTP/1.0\r\nHost:   www.example.net  \r\nAuthorization: Bearer abc\r\n\r\n",
    "HTTP/1.1 404 Not Found\r\nServer: x\r\nConnection: close\r\nContent-Length: 0x10\r\n\r\n" })
  -- TLS 1.3: ClientHello with supported_versions, ServerHello selecting 1.3, then application data
  conversation(f, 40003, 443, { client_hello(), server_hello(), "\23" .. u16(0x0303) .. vec16("abcdef") })
  -- DNS: a query asking for recursion and an authoritative, truncated response
  f[#f + 1] = synth.eth{ src = "02:00:00:00:00:01", dst = "02:00:00:00:00:02", payload = synth.ipv4{ src = C, dst = S,
    payload = synth.udp{ sport = 5300, dport = 53, payload = synth.dns_query{ id = 7, name = "example.com" } } } }
  f[#f + 1] = synth.eth{ src = "02:00:00:00:00:02", dst = "02:00:00:00:00:01", payload = synth.ipv4{ src = S, dst = C,
    payload = synth.udp{ sport = 53, dport = 5300, payload = synth.dns_response{ id = 7, name = "example.com",
      answers = { { type = "A", addr = "192.0.2.1" } },
      authority = { { type = "NS", owner = "example.com", name = "ns.example.com" } },
      additional = { { type = "A", owner = "ns.example.com", addr = "192.0.2.53" } } } } } }
  return f
end

local FIELDS = {
  "frame.time", "frame.time_delta_displayed",
  "tcp.flags.res", "tcp.flags.ae", "tcp.flags.cwr", "tcp.flags.ece", "tcp.flags.urg", "tcp.urgent_pointer",
  "tcp.options.timestamp.tsval", "tcp.options.timestamp.tsecr",
  "http.request.version", "http.response.version", "http.response.phrase", "http.request.full_uri",
  "http.content_length", "http.content_length_header", "http.authorization", "http.server", "http.referer",
  "http.cookie", "http.location", "http.accept", "http.connection", "http.host", "http.request.uri",
  "tls.record.content_type", "tls.record.version", "tls.handshake.type", "tls.handshake.version",
  "tls.handshake.ciphersuite", "tls.handshake.extensions.supported_version",
  "tls.handshake.extensions_server_name",
  "dns.flags.opcode", "dns.flags.authoritative", "dns.flags.truncated", "dns.flags.recdesired",
  "dns.flags.recavail", "dns.count.queries", "dns.count.answers", "dns.count.auth_rr", "dns.count.add_rr",
  "dns.resp.class",
}

local function run(cmd)
  local p = assert(io.popen(cmd))
  local out = p:read("a")
  p:close()
  return out
end

describe("fields against tshark on built packets", function()
  local path
  setup(function()
    path = os.tmpname()
    local w <close> = assert(synth.writer(path))
    for i, fr in ipairs(frames_all()) do w:packet({ 1700000000 + i * 3600 * 24 * 40, i * 1000 }, fr) end
  end)
  teardown(function() os.remove(path) end)

  local function have_tools()
    if not os.execute("command -v tshark >/dev/null 2>&1") then return false, "tshark is not installed" end
    local f = io.open(PKTFRAME, "rb")
    if not f then return false, PKTFRAME .. " is not built" end
    f:close()
    return true
  end

  local function compare(tz, filter)
    local e = {}
    for _, f in ipairs(FIELDS) do e[#e + 1] = "-e " .. f end
    e = table.concat(e, " ")
    local y = filter and (" -Y '" .. filter .. "'") or ""
    local want = run("TZ=" .. tz .. " tshark -n -r '" .. path .. "'" .. y
      .. " -T fields -E header=y -E occurrence=a -E aggregator=, " .. e .. " 2>/dev/null")
    local got = run("TZ=" .. tz .. " " .. PKTFRAME .. " fields -q '" .. path .. "'" .. y .. " " .. e .. " 2>/dev/null")
    assert.is_true(#want > 0)
    assert.are.equal(want, got)
  end

  it("prints every field as tshark does", function()
    local ok, why = have_tools()
    if not ok then pending(why) return end
    compare("UTC")
  end)

  it("prints frame.time in the TZ time zone, and the deltas between displayed frames", function()
    local ok, why = have_tools()
    if not ok then pending(why) return end
    compare("America/New_York")
    compare("Europe/Berlin", "http.request.method || http.response.code || dns.id")
    compare("Asia/Kolkata", "tcp.len > 0")
  end)
end)
