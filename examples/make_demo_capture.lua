-- make_demo_capture.lua: write a deterministic ~30 s capture of a small office LAN, for demos.
--
--   pktframe run examples/make_demo_capture.lua OUT.pcap [--seed N]
--   LUA_PATH='lua/?.lua;lua/?/init.lua' lua5.4 examples/make_demo_capture.lua OUT.pcap [--seed N]
--
-- What is in it (seen from a mirror port next to the office router 192.168.10.1):
--   alice, bob, carol (IPv4) and dave (IPv4 + IPv6); a printer; the router is DNS and NTP server.
--   DNS lookups (A with CNAME chains, AAAA) before every web session; HTTP keep-alive page loads;
--   bob's HTTP login POST; HTTPS-like sessions (TLS 1.3 record framing around random bytes);
--   carol's 2.5 MB download (the bulk flow, and bursts of >= 300-byte packets within 0.3 s);
--   NTP polls; ARP request/reply; ICMP echo pairs; minimum-size frames padded with zeros;
--   and bob's NIC leaking the previous frame's bytes ("password=hunter2") into the padding of
--   short frames, which tshark shows as eth.trailer instead of eth.padding.
-- The same --seed gives the same bytes on every Lua 5.4 build: the random numbers come from
-- xorshift64* on Lua integers, never from math.random.
local found, synth = pcall(require, "pktframe.synth")
if not found then             -- run from a checkout without LUA_PATH: use the lua/ next to examples/
  local dir = (arg and arg[0] or ""):match("^(.*)/[^/]*$") or "."
  package.path = dir .. "/../lua/?.lua;" .. dir .. "/../lua/?/init.lua;" .. package.path
  synth = require "pktframe.synth"
end

local USAGE = "usage: make_demo_capture.lua OUT.pcap [--seed N] [--help]"

-- xorshift64* (Vigna): 64-bit integer arithmetic wraps in Lua 5.4, so this is exact everywhere
local function prng(seed)
  local x = (seed * 0x9E3779B97F4A7C15) ~ 0x2545F4914F6CDD1D
  if x == 0 then x = 1 end
  local r = {}
  function r.u64()
    x = x ~ (x >> 12); x = x ~ (x << 25); x = x ~ (x >> 27)
    return x * 0x2545F4914F6CDD1D
  end
  function r.int(lo, hi) return lo + (r.u64() >> 11) % (hi - lo + 1) end
  function r.float(lo, hi) return lo + (hi - lo) * ((r.u64() >> 11) / 9007199254740992.0) end
  function r.bytes(n)
    local t = {}
    for i = 1, (n + 7) // 8 do t[i] = string.pack("<i8", r.u64()) end
    return table.concat(t):sub(1, n)
  end
  return r
end

local function parse_args(argv)
  local out, seed = nil, 1
  local i = 1
  while i <= #argv do
    local a = argv[i]
    if a == "--help" or a == "-h" then print(USAGE); os.exit(0)
    elseif a == "--seed" then
      seed = math.tointeger(tonumber(argv[i + 1] or ""))
      if not seed then io.stderr:write(USAGE, "\n--seed needs an integer\n"); os.exit(2) end
      i = i + 1
    elseif a:sub(1, 1) == "-" or out then io.stderr:write(USAGE, "\n"); os.exit(2)
    else out = a end
    i = i + 1
  end
  if not out then io.stderr:write(USAGE, "\n"); os.exit(2) end
  return out, seed
end

local OUT, SEED = parse_args(arg or {})
local R = prng(SEED)
local T0 = 1704187800          -- 2024-01-02 09:30:00 UTC, a Tuesday morning
local events = {}              -- {ts, frame}
local function emit(ts, frame) events[#events + 1] = {ts, frame, #events} end
local function emit_all(list) for _, p in ipairs(list) do emit(p[1], p[2]) end end

local router = {mac = "00:0d:b9:4a:10:01", ip = "192.168.10.1"}
local hosts = {
  alice   = {mac = "3c:22:fb:5e:21:07", ip = "192.168.10.21"},
  bob     = {mac = "00:1d:d9:2e:4f:61", ip = "192.168.10.22"},   -- the leaky NIC
  carol   = {mac = "f4:8e:38:9a:0c:33", ip = "192.168.10.23"},
  dave    = {mac = "a4:83:e7:02:b1:5d", ip = "192.168.10.24", ip6 = "2001:db8:10::24"},
  printer = {mac = "00:1b:a9:c4:77:e2", ip = "192.168.10.40"},
}
local router6 = "2001:db8:10::1"
local ip_id = {}
local function next_id(h) ip_id[h] = ((ip_id[h] or R.int(0, 0xffff)) + 1) & 0xffff; return ip_id[h] end

-- one UDP datagram between a host and the router (or beyond it, through the router's MAC)
local function udp_frame(h, to_router, ip, port, hport, payload, v6)
  local src, dst = h.ip, ip
  local smac, dmac = h.mac, router.mac
  local sp, dp = hport, port
  if not to_router then src, dst, smac, dmac, sp, dp = ip, h.ip, router.mac, h.mac, port, hport end
  local seg = synth.udp{sport = sp, dport = dp, payload = payload}
  local l3 = v6 and synth.ipv6{src = src, dst = dst, payload = seg}
    or synth.ipv4{src = src, dst = dst, payload = seg, id = next_id(src)}
  return synth.eth{src = smac, dst = dmac, type = v6 and 0x86dd or 0x0800, payload = l3, pad = true}
end

-- a DNS lookup at the router; returns when the answer arrives
local function dns(h, t, name, answers, qtype, v6)
  local id, port = R.int(1, 0xffff), R.int(32768, 60999)
  local server = v6 and router6 or router.ip
  local src = v6 and h.ip6 or h.ip
  local hh = {mac = h.mac, ip = src}
  emit(t, udp_frame(hh, true, server, 53, port, synth.dns_query{id = id, name = name, qtype = qtype}, v6))
  local t1 = t + R.float(0.004, 0.035)
  emit(t1, udp_frame(hh, false, server, 53, port,
    synth.dns_response{id = id, name = name, qtype = qtype, answers = answers}, v6))
  return t1
end

-- NTPv4 client request and server reply (RFC 5905), timestamps in NTP era 0
local function ntp_ts(t) local s = math.floor(t); return s + 2208988800, math.floor((t - s) * 2^32) end
local function ntp(h, t, server)
  local port = h == hosts.printer and 123 or R.int(32768, 60999)
  local req = string.pack(">BBbbI4I4I4I4I4I4I4I4I4I4I4", 0x23, 0, 6, -20, 0, 0, 0, 0, 0, 0, 0, 0, 0, ntp_ts(t))
  local t1 = t + R.float(0.010, 0.030)
  local rx_s, rx_f = ntp_ts(t + 0.005)
  local tx_s, tx_f = ntp_ts(t + 0.0051)
  local ref_s, ref_f = ntp_ts(t - 37.5)
  local o_s, o_f = ntp_ts(t)
  local resp = string.pack(">BBbbI4I4c4I4I4I4I4I4I4I4I4", 0x24, 2, 6, -23, 0x00000210, 0x000003c1,
    "\192\0\2\1", ref_s, ref_f, o_s, o_f, rx_s, rx_f, tx_s, tx_f)
  emit(t, udp_frame(h, true, server, 123, port, req))
  emit(t1, udp_frame(h, false, server, 123, port, resp))
end

-- TLS 1.3-shaped records: real framing, random contents (there is nothing to decrypt)
local function record(ctype, body) return string.pack(">BI2s2", ctype, 0x0303, body) end
local function handshake(htype, body) return string.pack(">B", htype) .. string.pack(">s3", body) end
local function ext(etype, body) return string.pack(">I2s2", etype, body) end
local function client_hello(sni)
  local exts = ext(0, string.pack(">s2", string.pack(">Bs2", 0, sni)))       -- server_name
    .. ext(10, string.pack(">s2", string.pack(">I2I2I2", 0x1d, 0x17, 0x18)))  -- supported_groups
    .. ext(13, string.pack(">s2", string.pack(">I2I2I2I2", 0x0403, 0x0804, 0x0401, 0x0503)))
    .. ext(43, string.pack(">s1", string.pack(">I2I2", 0x0304, 0x0303)))      -- supported_versions
    .. ext(51, string.pack(">s2", string.pack(">I2s2", 0x1d, R.bytes(32))))   -- key_share
  local body = string.pack(">I2", 0x0303) .. R.bytes(32) .. string.pack(">s1", R.bytes(32))
    .. string.pack(">s2", string.pack(">I2I2I2", 0x1301, 0x1302, 0x1303)) .. "\1\0"
    .. string.pack(">s2", exts)
  return string.pack(">BI2s2", 22, 0x0301, handshake(1, body))
end
local function server_hello(session_id)
  local exts = ext(43, string.pack(">I2", 0x0304)) .. ext(51, string.pack(">I2s2", 0x1d, R.bytes(32)))
  local body = string.pack(">I2", 0x0303) .. R.bytes(32) .. string.pack(">s1", session_id)
    .. string.pack(">I2B", 0x1301, 0) .. string.pack(">s2", exts)
  return record(22, handshake(2, body)) .. record(20, "\1")
end
local function app_data(n)            -- n bytes of application data in records of <= 16 KiB
  local out = {}
  while n > 0 do
    local k = math.min(n, 16384)
    out[#out + 1] = record(23, R.bytes(k + 17))
    n = n - k
  end
  return table.concat(out)
end

-- an HTTPS-like session: handshake flight, then GET-sized requests and their responses
local function tls_session(h, server, t, sni, sizes, v6)
  local ch = client_hello(sni)
  local sid = ch:sub(45, 76)            -- echo the client's legacy session id, as TLS 1.3 does
  local ex = {{request = ch, response = server_hello(sid) .. app_data(R.int(2800, 4200))}}
  for i, n in ipairs(sizes) do
    ex[#ex + 1] = {request = (i == 1 and record(20, "\1") .. app_data(36) or "") .. app_data(R.int(380, 620)),
      response = app_data(n), delay = i == 1 and 0.001 or R.float(0.05, 0.9)}
  end
  return synth.tcp_session{client = {mac = h.mac, ip = v6 and h.ip6 or h.ip, port = R.int(40000, 60999)},
    server = {mac = router.mac, ip = server, port = 443}, t0 = t, rtt = R.float(0.012, 0.045),
    exchanges = ex, isn_client = R.int(0, 0xffffffff), isn_server = R.int(0, 0xffffffff),
    ip_id_client = R.int(0, 0xffff), ip_id_server = R.int(0, 0xffff)}
end

local LOREM = "Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor. "
local function html(title, n)
  local body = "<!DOCTYPE html>\n<html><head><title>" .. title .. "</title></head><body>\n"
  local p, len = {}, #body
  while len < n do
    p[#p + 1] = "<p>" .. LOREM:rep(R.int(2, 6)) .. "</p>\n"
    len = len + #p[#p]
  end
  return body .. table.concat(p) .. "</body></html>\n"
end

-- HTTP keep-alive page load: a page and its resources on one connection
local function http_session(h, server, t, host, items, opts)
  opts = opts or {}
  local ua = opts.ua or "Mozilla/5.0 (X11; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0"
  local ex = {}
  for i, it in ipairs(items) do
    ex[i] = {request = synth.http_request{method = it.method, host = host, uri = it.uri,
        user_agent = ua, body = it.body,
        headers = it.body and {{"Content-Type", "application/x-www-form-urlencoded"}} or nil},
      response = synth.http_response{code = it.code or 200, content_type = it.ctype or "text/html",
        body = it.resp or html(host, it.size or 2000), headers = it.rheaders},
      delay = i == 1 and 0 or R.float(0.002, 0.05)}
  end
  return synth.tcp_session{client = {mac = h.mac, ip = h.ip, port = R.int(40000, 60999)},
    server = {mac = router.mac, ip = server, port = 80}, t0 = t, rtt = opts.rtt or R.float(0.015, 0.06),
    rate = opts.rate, exchanges = ex, isn_client = R.int(0, 0xffffffff),
    isn_server = R.int(0, 0xffffffff), ip_id_client = R.int(0, 0xffff), ip_id_server = R.int(0, 0xffff)}
end

-- the leak: bob's NIC pads short frames with stale buffer bytes instead of zeros
local SECRET = "POST /login user=bob&password=hunter2&remember=1 "
local leak_at = 0
local function leak(frame)
  local l3 = 14 + string.unpack(">I2", frame, 17)           -- end of the IPv4 datagram
  if #frame ~= 60 or l3 >= 60 then return frame end
  local n = 60 - l3
  local piece = (SECRET .. SECRET):sub(leak_at + 1, leak_at + n)
  leak_at = (leak_at + n) % #SECRET
  return frame:sub(1, l3) .. piece
end

-- ---------------------------------------------------------------- the office's 30 seconds
local t
-- the router refreshes the printer's ARP entry
local arp_req = synth.eth{src = router.mac, dst = "ff:ff:ff:ff:ff:ff", type = 0x0806, pad = true,
  payload = synth.arp{op = 1, sha = router.mac, spa = router.ip, tpa = hosts.printer.ip}}
emit(0.12, arp_req)
emit(0.1204, synth.eth{src = hosts.printer.mac, dst = router.mac, type = 0x0806, pad = true,
  payload = synth.arp{op = 2, sha = hosts.printer.mac, spa = hosts.printer.ip,
    tha = router.mac, tpa = router.ip}})

-- NTP chatter: every host polls a pool server or the router
local pool = {"192.0.2.123", "198.51.100.123", router.ip}
for _, name in ipairs({"alice", "bob", "carol", "dave", "printer"}) do
  t = R.float(0.5, 6)
  while t < 29.5 do
    ntp(hosts[name], t, pool[R.int(1, #pool)])
    t = t + R.float(6, 14)
  end
end
ntp(hosts.printer, 29.6 + R.float(0, 0.2), router.ip)

-- alice: ping the router, then read the news over HTTP and check mail over HTTPS
t = 1.0
local PING_FILL = ("x"):rep(40):gsub("()x", function(i) return string.char(0x0f + i) end)
for seq = 1, 3 do                     -- Linux ping: 16-byte timestamp, then 0x10, 0x11, ... 0x37
  local id = 0x1c2b
  local payload = string.pack("<I8I8", T0 + math.floor(t), math.floor(t % 1 * 1e6)) .. PING_FILL
  emit(t, synth.eth{src = hosts.alice.mac, dst = router.mac, payload = synth.ipv4{src = hosts.alice.ip,
    dst = router.ip, id = next_id(hosts.alice.ip), payload = synth.icmp{type = 8, id = id, seq = seq, payload = payload}}})
  emit(t + R.float(0.0002, 0.0006), synth.eth{src = router.mac, dst = hosts.alice.mac, payload = synth.ipv4{
    src = router.ip, dst = hosts.alice.ip, id = next_id(router.ip), df = false,
    payload = synth.icmp{type = 0, id = id, seq = seq, payload = payload}}})
  t = t + 1.0 + R.float(-0.002, 0.002)
end

t = dns(hosts.alice, 4.2, "news.example.net", {{type = "CNAME", name = "news.example.net.edge.cdn.example", ttl = 300},
  {type = "A", addr = "203.0.113.50", ttl = 20}, {type = "A", addr = "203.0.113.51", ttl = 20}})
emit_all(http_session(hosts.alice, "203.0.113.50", t + 0.003, "news.example.net", {
  {uri = "/", size = R.int(18000, 26000)},
  {uri = "/static/site.css", ctype = "text/css", size = R.int(4000, 7000)},
  {uri = "/static/logo.svg", ctype = "image/svg+xml", resp = '<svg xmlns="http://www.w3.org/2000/svg" '
    .. 'width="120" height="40"><rect width="120" height="40" fill="#036"/><text x="8" y="27" '
    .. 'fill="#fff">news</text></svg>\n'},
}))
t = dns(hosts.alice, 17.9, "img.news.example.net", {{type = "CNAME", name = "news.example.net.edge.cdn.example", ttl = 300},
  {type = "A", addr = "203.0.113.51", ttl = 20}, {type = "A", addr = "203.0.113.50", ttl = 20}})
emit_all(http_session(hosts.alice, "203.0.113.51", t + 0.003, "img.news.example.net", {
  {uri = "/2024/01/markets.html", size = R.int(30000, 45000)},
  {uri = "/2024/01/chart.json", ctype = "application/json",
    resp = '{"series":[' .. ("[1704187800,101.5],"):rep(R.int(300, 500)) .. '[0,0]]}'},
}))
t = dns(hosts.alice, 11.7, "mail.example.org", {{type = "A", addr = "198.51.100.25", ttl = 3600}})
emit_all(tls_session(hosts.alice, "198.51.100.25", t + 0.002, "mail.example.org",
  {R.int(20000, 40000), R.int(3000, 9000)}))

-- bob: logs in to the intranet over plain HTTP, then does webmail over HTTPS
t = dns(hosts.bob, 2.9, "intranet.example.org", {{type = "A", addr = "198.51.100.20", ttl = 600}})
local login = http_session(hosts.bob, "198.51.100.20", t + 0.002, "intranet.example.org", {
  {uri = "/login", ctype = "text/html", size = 1500},
  {method = "POST", uri = "/login", body = "user=bob&password=hunter2&remember=1", code = 302, resp = "",
    rheaders = {{"Location", "/dashboard"}}},
  {uri = "/dashboard", size = R.int(9000, 14000)},
}, {ua = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/120.0 Safari/537.36"})
local after_post = false
for _, p in ipairs(login) do
  if p[2]:find("password=hunter2", 1, true) then after_post = true
  elseif after_post and p[2]:sub(7, 12) == synth.parse_mac(hosts.bob.mac) then p[2] = leak(p[2]) end
  emit(p[1], p[2])
end
-- the router asks for bob; bob's short ARP reply leaks too
emit(9.3, synth.eth{src = router.mac, dst = "ff:ff:ff:ff:ff:ff", type = 0x0806, pad = true,
  payload = synth.arp{op = 1, sha = router.mac, spa = router.ip, tpa = hosts.bob.ip}})
emit(9.3003, synth.eth{src = hosts.bob.mac, dst = router.mac, type = 0x0806,
  payload = synth.arp{op = 2, sha = hosts.bob.mac, spa = hosts.bob.ip, tha = router.mac, tpa = router.ip},
  trailer = "password=hunter2\r\n"})
t = dns(hosts.bob, 14.4, "webmail.example.com", {{type = "CNAME", name = "mail.example.org", ttl = 3600},
  {type = "A", addr = "198.51.100.25", ttl = 3600}})
emit_all(tls_session(hosts.bob, "198.51.100.25", t + 0.002, "webmail.example.com",
  {R.int(30000, 60000), R.int(2000, 6000), R.int(8000, 16000)}))

t = dns(hosts.bob, 27.2, "chat.example.com", {{type = "A", addr = "192.0.2.44", ttl = 300}})
emit_all(tls_session(hosts.bob, "192.0.2.44", t + 0.002, "chat.example.com",
  {R.int(500, 1500), R.int(300, 900), R.int(300, 900), R.int(3000, 5000)}))

-- carol: fetches a 2.5 MB software update (the bulk flow), after a CNAME to the CDN
t = dns(hosts.carol, 7.5, "updates.example.com", {{type = "CNAME", name = "dl.updates.example.com.cdn.example", ttl = 120},
  {type = "A", addr = "203.0.113.80", ttl = 30}})
emit_all(http_session(hosts.carol, "203.0.113.80", t + 0.002, "updates.example.com", {
  {uri = "/pkg/office-suite-24.1.bin", ctype = "application/octet-stream", resp = R.bytes(2500000 + R.int(0, 99999))},
}, {ua = "Wget/1.21.3", rate = 4.5e6, rtt = 0.018}))
t = dns(hosts.carol, 20.8, "www.example.com", {{type = "CNAME", name = "www.example.com.edgesuite.example", ttl = 60},
  {type = "A", addr = "203.0.113.10", ttl = 20}})
emit_all(http_session(hosts.carol, "203.0.113.10", t + 0.002, "www.example.com", {
  {uri = "/", size = R.int(6000, 12000)}, {uri = "/favicon.ico", ctype = "image/x-icon", resp = R.bytes(1150)},
}))

-- dave: dual-stack; an AAAA lookup and an HTTPS session over IPv6, and one over IPv4
t = dns(hosts.dave, 5.6, "api.example.com", {{type = "CNAME", name = "api.example.com.cloud.example", ttl = 300},
  {type = "AAAA", addr = "2001:db8:cafe::443", ttl = 300}}, "AAAA", true)
emit_all(tls_session(hosts.dave, "2001:db8:cafe::443", t + 0.002, "api.example.com",
  {R.int(1500, 4000), R.int(1500, 4000), R.int(1500, 4000), R.int(60000, 90000)}, true))
t = dns(hosts.dave, 23.1, "status.example.net", {{type = "A", addr = "192.0.2.80", ttl = 60}})
emit_all(tls_session(hosts.dave, "192.0.2.80", t + 0.002, "status.example.net", {R.int(800, 2000)}))

-- ---------------------------------------------------------------- write, in time order
table.sort(events, function(a, b) if a[1] ~= b[1] then return a[1] < b[1] end return a[3] < b[3] end)
local w <close>, err = synth.writer(OUT)
if not w then io.stderr:write("make_demo_capture: ", err, "\n"); os.exit(1) end
local bytes = 0
for _, e in ipairs(events) do
  assert(w:packet(T0 + e[1], e[2]))
  bytes = bytes + #e[2]
end
w:close()
print(string.format("%s: %d packets, %d bytes of frames, %.1f s (seed %d)", OUT, #events, bytes,
  events[#events][1] - events[1][1], SEED))
