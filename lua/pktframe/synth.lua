-- pktframe.synth: build packets and write classic pcap files in pure Lua (test fixtures, demos).
-- A public module: docs/api.md documents each function; keep it in step with this summary.
--
-- Writer
--   local w <close> = assert(synth.writer(path, {linktype = 1, nsec = false,
--                                                 snaplen = 262144, big_endian = false}))
--   w:packet(ts, bytes [, orig_len])   ts: seconds as a number, or {sec, nsec} for exact times
--   w:close()                          idempotent; also runs on <close>
--   w.count, w.size                    packets and bytes written so far (size includes the header)
--   synth.writer returns nil, err when the file cannot be opened (like io.open).
--
-- Builders (each returns the bytes of one layer plus everything it wraps)
--   synth.eth{src, dst, type = 0x0800, payload, pad = false, trailer = nil}
--       pad = true zero-pads the frame to 60 bytes; trailer bytes are appended after that.
--   synth.vlan{id, pcp = 0, dei = 0, type = 0x0800, payload}   the 4-byte tag + payload;
--       wrap it in synth.eth{type = 0x8100, ...}.
--   synth.ipv4{src, dst, proto, id = 0, ttl = 64, tos = 0, df = true, mf = false,
--              frag_offset = 0 (8-byte units), payload}
--   synth.ipv6{src, dst, nxt, hlim = 64, tc = 0, flow = 0, payload}
--   synth.tcp{sport, dport, seq = 0, ack = 0, flags = "A", win = 65535, urg = 0,
--             options = {mss =, sack_perm =, ts = {val, ecr}, wscale =} or raw bytes, payload = ""}
--       flags: letters of "FSRPAUEC" in any order ("SA", "PA", "FA", ...) or a number.
--   synth.udp{sport, dport, payload = ""}
--   synth.icmp{type, code = 0, id =, seq =, rest = 0, payload = ""}      ICMPv4
--   synth.icmpv6{type, code = 0, rest = 0, payload = ""}
--   synth.arp{op = 1, sha, spa, tha = "00:00:00:00:00:00", tpa}
--   synth.dns_query{id, name, qtype = 1}
--   synth.dns_response{id, name, qtype = 1, rcode = 0, answers = {
--       {type = "A", addr = "1.2.3.4", ttl = 60}, {type = "CNAME", name = "x.example", ttl = 60}, ...}}
--       Each answer's owner is `owner` if given, else the question name, or the target of the
--       latest CNAME before it (a resolver's chain). Names are compressed.
--   synth.http_request{method = "GET", host, uri = "/", user_agent = ..., headers = {...}, body = ""}
--   synth.http_response{code = 200, content_type = "text/html", body = "", headers = {...}}
--
-- Transport checksums. synth.tcp, synth.udp, synth.icmp and synth.icmpv6 return a *segment*,
-- a small table, instead of a string, because the TCP/UDP/ICMPv6 checksums cover a pseudo-header
-- holding the IP addresses, which only the enclosing layer knows. synth.ipv4 and synth.ipv6 take a
-- segment as payload, fill in its checksum, and infer proto/nxt from it (6, 17, 1 or 58). Other
-- payloads are plain strings and need proto/nxt given. seg:bytes(src, dst) gives the finished
-- bytes for those addresses (to fragment them yourself); seg:bytes() leaves the checksum zero
-- (ICMPv4's is always filled in: it has no pseudo-header). tostring(seg) equals seg:bytes().
--
-- Sessions
--   synth.tcp_session{client = {mac, ip, port}, server = {mac, ip, port}, t0, rtt = 0.02,
--       mss = 1460, wscale = 7 (false: no window scaling), request = "", response = "",
--       exchanges = {{request =, response =, delay = 0}, ...} (instead of request/response: a
--       keep-alive connection), isn_client, isn_server, ip_id_client, ip_id_server,
--       rate = 12.5e6 (bytes/s each side sends at), think = 0.002 (server time per request)}
--   returns a list of {ts, frame_bytes} in time order: the handshake with MSS/SACK/WS options,
--   each request and response in MSS-sized segments, the receiver ACKing every second segment
--   and the last, and a FIN/ACK teardown started by the client. Sequence numbers, ACKs and
--   windows are consistent, so tshark sets no tcp.analysis flags. The capture point is at the
--   client (the SYN/ACK comes one rtt after the SYN); frames are zero-padded to 60 bytes;
--   IPv6 is used when the addresses are IPv6. {mac, ip, port} may also be given positionally.
--
-- Helpers: synth.parse_mac/parse_ipv4/parse_ipv6(text) -> packed bytes or nil;
-- synth.checksum(s, ...) -> the Internet checksum of the concatenation; synth.is_segment(v).
--
-- Errors: bad arguments raise "synth.<builder>: <what>" at the caller (e.g.
-- "synth.ipv4: bad address '10.0.0.300'"); only synth.writer's open failure returns nil, err.
local M = {}

local spack, sunpack, srep, sbyte, schar, sformat = string.pack, string.unpack, string.rep,
  string.byte, string.char, string.format
local concat, sort = table.concat, table.sort
local getinfo = debug.getinfo
local floor, max, tointeger = math.floor, math.max, math.tointeger

---------------------------------------------------------------------------
-- argument checks

local SOURCE = getinfo(1, "S").source

-- raise "fname: msg" at the first caller outside this file, however deep the check sits
-- (the same as error(msg, 2) in the public function itself)
local function fail(fname, msg)
  local level = 2
  while true do
    local info = getinfo(level, "S")
    if info == nil or info.source ~= SOURCE then break end
    level = level + 1
  end
  error(fname .. ": " .. msg, level)
end

local function check_table(fname, t)
  if type(t) ~= "table" then
    fail(fname, "expected a table of options, got " .. type(t))
  end
end

-- an integer in [lo, hi]; a missing value takes def (nil def = required)
local function int_opt(fname, t, key, lo, hi, def)
  local v = t[key]
  if v == nil then
    if def == nil then fail(fname, "missing '" .. key .. "'") end
    return def
  end
  local i = tointeger(v)
  if i == nil or i < lo or i > hi then
    fail(fname, sformat("bad '%s' %s (integer %d..%d expected)", key, tostring(v), lo, hi))
  end
  return i
end

local function str_opt(fname, t, key, def)
  local v = t[key]
  if v == nil then
    if def == nil then fail(fname, "missing '" .. key .. "'") end
    return def
  end
  if type(v) ~= "string" then
    fail(fname, sformat("bad '%s' (string expected, got %s)", key, type(v)))
  end
  return v
end

local function bool_opt(fname, t, key, def)
  local v = t[key]
  if v == nil then return def end
  if type(v) ~= "boolean" then
    fail(fname, sformat("bad '%s' (boolean expected, got %s)", key, type(v)))
  end
  return v
end

---------------------------------------------------------------------------
-- addresses

local function parse_mac(s)
  if type(s) ~= "string" then return nil end
  local b = {}
  for h in s:gmatch("[^:%-]+") do
    if not h:match("^%x%x?$") then return nil end
    b[#b + 1] = tonumber(h, 16)
  end
  if #b ~= 6 or select(2, s:gsub("[:%-]", "")) ~= 5 then return nil end
  return schar(b[1], b[2], b[3], b[4], b[5], b[6])
end

local function parse_ipv4(s)
  if type(s) ~= "string" then return nil end
  local a, b, c, d = s:match("^(%d+)%.(%d+)%.(%d+)%.(%d+)$")
  if not a then return nil end
  a, b, c, d = tonumber(a), tonumber(b), tonumber(c), tonumber(d)
  if a > 255 or b > 255 or c > 255 or d > 255 then return nil end
  return schar(a, b, c, d)
end

local function parse_groups(s, out)
  if s == "" then return true end
  for g in (s .. ":"):gmatch("([^:]*):") do
    if not g:match("^%x%x?%x?%x?$") then return false end
    out[#out + 1] = tonumber(g, 16)
  end
  return true
end

local function parse_ipv6(s)
  if type(s) ~= "string" or s:find("[^%x:%.]") then return nil end
  local v4 = s:match(":(%d+%.%d+%.%d+%.%d+)$")
  if v4 then                              -- ::ffff:192.0.2.1 style: the tail is the last two groups
    local b = parse_ipv4(v4)
    if not b then return nil end
    local w1, w2 = sunpack(">I2I2", b)
    s = s:sub(1, #s - #v4) .. sformat("%x:%x", w1, w2)
  end
  local head, rest = s:match("^(.-)::(.*)$")
  local hi, lo = {}, {}
  if head then
    if rest:find("::", 1, true) then return nil end
    if not parse_groups(head, hi) or not parse_groups(rest, lo) then return nil end
    if #hi + #lo > 7 then return nil end
  else
    if not parse_groups(s, hi) or #hi ~= 8 then return nil end
  end
  local g = {}
  for i = 1, #hi do g[#g + 1] = hi[i] end
  for _ = 1, 8 - #hi - #lo do g[#g + 1] = 0 end
  for i = 1, #lo do g[#g + 1] = lo[i] end
  return spack(">I2I2I2I2I2I2I2I2", g[1], g[2], g[3], g[4], g[5], g[6], g[7], g[8])
end

local function addr_opt(fname, t, key, parser, def)
  local v = t[key]
  if v == nil then
    if def == nil then fail(fname, "missing '" .. key .. "'") end
    v = def
  end
  local b = parser(v)
  if not b then fail(fname, sformat("bad address '%s'", tostring(v))) end
  return b
end

M.parse_mac, M.parse_ipv4, M.parse_ipv6 = parse_mac, parse_ipv4, parse_ipv6

---------------------------------------------------------------------------
-- checksums

-- Internet checksum (RFC 1071) of the concatenation of the given strings, as a 16-bit integer.
-- Parts after the first must start at even offsets, which holds for all callers here.
local function cksum(...)
  local sum = 0
  for k = 1, select("#", ...) do
    local s = select(k, ...)
    local n = #s
    local i = 1
    while i + 15 <= n do
      local a, b, c, d, e, f, g, h = sunpack(">I2I2I2I2I2I2I2I2", s, i)
      sum = sum + a + b + c + d + e + f + g + h
      i = i + 16
    end
    while i + 1 <= n do
      sum = sum + sunpack(">I2", s, i)
      i = i + 2
    end
    if i == n then sum = sum + (sbyte(s, n) << 8) end
  end
  while sum > 0xffff do sum = (sum & 0xffff) + (sum >> 16) end
  return (~sum) & 0xffff
end
M.checksum = cksum

---------------------------------------------------------------------------
-- segments: transport layers waiting for their pseudo-header

local Segment = {}
Segment.__index = Segment

-- the finished bytes of a segment; src and dst are packed addresses (4 or 16 bytes) or nil
local function seg_bytes(seg, src, dst)
  local data = seg.header .. seg.payload
  local sum
  if seg.proto == 1 then
    sum = cksum(data)
  elseif src == nil then
    return data
  else
    local pseudo
    if #src == 4 then
      pseudo = src .. dst .. spack(">BBI2", 0, seg.proto, #data)
    else
      pseudo = src .. dst .. spack(">I4I3B", #data, 0, seg.proto)
    end
    sum = cksum(pseudo, data)
    -- UDP sends a computed 0 as 0xffff: 0 means "no checksum" (RFC 768)
    if sum == 0 and seg.proto == 17 then sum = 0xffff end
  end
  local o = seg.cksum_at
  return data:sub(1, o - 1) .. spack(">I2", sum) .. data:sub(o + 2)
end

-- seg:bytes([src, dst]) with text addresses, both IPv4 or both IPv6
function Segment:bytes(src, dst)
  if src == nil and dst == nil then return seg_bytes(self) end
  local s, d = parse_ipv4(src), parse_ipv4(dst)
  if not (s and d) then s, d = parse_ipv6(src), parse_ipv6(dst) end
  if not (s and d) then
    error(sformat("synth.segment: bad addresses '%s', '%s' (two IPv4 or two IPv6 expected)",
      tostring(src), tostring(dst)), 2)
  end
  return seg_bytes(self, s, d)
end

Segment.__tostring = function(self) return self:bytes() end
Segment.__len = function(self) return #self.header + #self.payload end

local function is_segment(v) return getmetatable(v) == Segment end
M.is_segment = is_segment

local function new_segment(proto, header, payload, cksum_at)
  return setmetatable({proto = proto, header = header, payload = payload, cksum_at = cksum_at}, Segment)
end

-- a payload option: strings only (segments belong inside ipv4/ipv6)
local function bytes_opt(fname, t, key, def)
  local v = t[key]
  if v == nil then
    if def == nil then fail(fname, "missing '" .. key .. "'") end
    return def
  end
  if is_segment(v) then
    fail(fname, sformat("'%s' is a synth segment; wrap it in synth.ipv4 or synth.ipv6", key))
  end
  if type(v) ~= "string" then
    fail(fname, sformat("bad '%s' (string expected, got %s)", key, type(v)))
  end
  return v
end

---------------------------------------------------------------------------
-- link layer

function M.eth(t)
  local fname = "synth.eth"
  check_table(fname, t)
  local dst = addr_opt(fname, t, "dst", parse_mac)
  local src = addr_opt(fname, t, "src", parse_mac)
  local etype = int_opt(fname, t, "type", 0, 0xffff, 0x0800)
  local payload = bytes_opt(fname, t, "payload", "")
  local pad = bool_opt(fname, t, "pad", false)
  local trailer = bytes_opt(fname, t, "trailer", "")
  local frame = dst .. src .. spack(">I2", etype) .. payload
  if pad and #frame < 60 then frame = frame .. srep("\0", 60 - #frame) end
  return frame .. trailer
end

function M.vlan(t)
  local fname = "synth.vlan"
  check_table(fname, t)
  local id = int_opt(fname, t, "id", 0, 4095)
  local pcp = int_opt(fname, t, "pcp", 0, 7, 0)
  local dei = int_opt(fname, t, "dei", 0, 1, 0)
  local etype = int_opt(fname, t, "type", 0, 0xffff, 0x0800)
  local payload = bytes_opt(fname, t, "payload", "")
  return spack(">I2I2", (pcp << 13) | (dei << 12) | id, etype) .. payload
end

function M.arp(t)
  local fname = "synth.arp"
  check_table(fname, t)
  local op = int_opt(fname, t, "op", 0, 0xffff, 1)
  local sha = addr_opt(fname, t, "sha", parse_mac)
  local spa = addr_opt(fname, t, "spa", parse_ipv4)
  local tha = addr_opt(fname, t, "tha", parse_mac, "00:00:00:00:00:00")
  local tpa = addr_opt(fname, t, "tpa", parse_ipv4)
  return spack(">I2I2BBI2", 1, 0x0800, 6, 4, op) .. sha .. spa .. tha .. tpa
end

---------------------------------------------------------------------------
-- network layer

-- the payload of ipv4/ipv6: a segment or a string, and the protocol number to use
local function l3_payload(fname, t, key)
  local p = t.payload
  local proto
  if t[key] ~= nil then proto = int_opt(fname, t, key, 0, 255) end
  if p == nil then p = "" end
  if is_segment(p) then
    if proto ~= nil and proto ~= p.proto then
      fail(fname, sformat("'%s' %d does not match the payload's protocol %d", key, proto, p.proto))
    end
    return p, p.proto
  end
  if type(p) ~= "string" then
    fail(fname, "bad 'payload' (string or synth segment expected, got " .. type(p) .. ")")
  end
  if proto == nil then fail(fname, "missing '" .. key .. "' (payload is not a synth segment)") end
  return p, proto
end

function M.ipv4(t)
  local fname = "synth.ipv4"
  check_table(fname, t)
  local src = addr_opt(fname, t, "src", parse_ipv4)
  local dst = addr_opt(fname, t, "dst", parse_ipv4)
  local payload, proto = l3_payload(fname, t, "proto")
  local id = int_opt(fname, t, "id", 0, 0xffff, 0)
  local ttl = int_opt(fname, t, "ttl", 0, 255, 64)
  local tos = int_opt(fname, t, "tos", 0, 255, 0)
  local df = bool_opt(fname, t, "df", true)
  local mf = bool_opt(fname, t, "mf", false)
  local off = int_opt(fname, t, "frag_offset", 0, 0x1fff, 0)
  if is_segment(payload) then
    if mf or off ~= 0 then
      fail(fname, "a synth segment cannot be a fragment; pass seg:bytes(src, dst) pieces")
    end
    payload = seg_bytes(payload, src, dst)
  end
  local total = 20 + #payload
  if total > 0xffff then fail(fname, "payload too long (" .. #payload .. " bytes)") end
  local flags = (df and 0x4000 or 0) | (mf and 0x2000 or 0) | off
  local h = spack(">BBI2I2I2BBI2", 0x45, tos, total, id, flags, ttl, proto, 0) .. src .. dst
  h = h:sub(1, 10) .. spack(">I2", cksum(h)) .. h:sub(13)
  return h .. payload
end

function M.ipv6(t)
  local fname = "synth.ipv6"
  check_table(fname, t)
  local src = addr_opt(fname, t, "src", parse_ipv6)
  local dst = addr_opt(fname, t, "dst", parse_ipv6)
  local payload, nxt = l3_payload(fname, t, "nxt")
  local hlim = int_opt(fname, t, "hlim", 0, 255, 64)
  local tc = int_opt(fname, t, "tc", 0, 255, 0)
  local flow = int_opt(fname, t, "flow", 0, 0xfffff, 0)
  if is_segment(payload) then payload = seg_bytes(payload, src, dst) end
  if #payload > 0xffff then fail(fname, "payload too long (" .. #payload .. " bytes)") end
  return spack(">I4I2BB", (6 << 28) | (tc << 20) | flow, #payload, nxt, hlim) .. src .. dst .. payload
end

---------------------------------------------------------------------------
-- transport layer

local TCP_FLAG = {F = 0x01, S = 0x02, R = 0x04, P = 0x08, A = 0x10, U = 0x20, E = 0x40, C = 0x80}

local function tcp_flags(fname, v)
  if v == nil then return 0x10 end
  if type(v) == "string" then
    local n = 0
    for ch in v:gmatch(".") do
      local f = TCP_FLAG[ch]
      if not f then fail(fname, sformat("bad 'flags' '%s' (letters of FSRPAUEC expected)", v)) end
      n = n | f
    end
    return n
  end
  local n = tointeger(v)
  if n == nil or n < 0 or n > 0xfff then
    fail(fname, sformat("bad 'flags' %s (string or integer 0..4095 expected)", tostring(v)))
  end
  return n
end

-- TCP options from a table, in the order and alignment Linux uses in a SYN:
-- MSS, SACK-permitted + timestamps, NOP + window scale.
local function tcp_options(fname, o)
  if o == nil then return "" end
  local s
  if type(o) == "string" then
    s = o
  elseif type(o) == "table" then
    local parts = {}
    if o.mss ~= nil then parts[#parts + 1] = spack(">BBI2", 2, 4, int_opt(fname, o, "mss", 0, 0xffff)) end
    local sack = bool_opt(fname, o, "sack_perm", false)
    local ts = o.ts
    if ts ~= nil then
      if type(ts) ~= "table" then fail(fname, "bad 'ts' (table {val, ecr} expected)") end
      local val = int_opt(fname, ts, 1, 0, 0xffffffff)
      local ecr = int_opt(fname, ts, 2, 0, 0xffffffff, 0)
      parts[#parts + 1] = (sack and "\4\2" or "\1\1") .. spack(">BBI4I4", 8, 10, val, ecr)
    elseif sack then
      parts[#parts + 1] = "\1\1\4\2"
    end
    if o.wscale ~= nil then parts[#parts + 1] = spack(">BBBB", 1, 3, 3, int_opt(fname, o, "wscale", 0, 14)) end
    s = concat(parts)
  else
    fail(fname, "bad 'options' (table or string expected, got " .. type(o) .. ")")
  end
  if #s % 4 ~= 0 then s = s .. srep("\0", 4 - #s % 4) end  -- end-of-list padding
  if #s > 40 then fail(fname, "options too long (" .. #s .. " bytes, at most 40)") end
  return s
end

function M.tcp(t)
  local fname = "synth.tcp"
  check_table(fname, t)
  local sport = int_opt(fname, t, "sport", 0, 0xffff)
  local dport = int_opt(fname, t, "dport", 0, 0xffff)
  local seq = int_opt(fname, t, "seq", 0, 0xffffffff, 0)
  local ack = int_opt(fname, t, "ack", 0, 0xffffffff, 0)
  local flags = tcp_flags(fname, t.flags)
  local win = int_opt(fname, t, "win", 0, 0xffff, 65535)
  local urg = int_opt(fname, t, "urg", 0, 0xffff, 0)
  local opts = tcp_options(fname, t.options)
  local payload = bytes_opt(fname, t, "payload", "")
  local doff = (20 + #opts) // 4
  local h = spack(">I2I2I4I4I2I2I2I2", sport, dport, seq, ack, (doff << 12) | flags, win, 0, urg) .. opts
  return new_segment(6, h, payload, 17)
end

function M.udp(t)
  local fname = "synth.udp"
  check_table(fname, t)
  local sport = int_opt(fname, t, "sport", 0, 0xffff)
  local dport = int_opt(fname, t, "dport", 0, 0xffff)
  local payload = bytes_opt(fname, t, "payload", "")
  if #payload + 8 > 0xffff then fail(fname, "payload too long (" .. #payload .. " bytes)") end
  return new_segment(17, spack(">I2I2I2I2", sport, dport, 8 + #payload, 0), payload, 7)
end

-- ICMP "rest of header": id/seq for echo-style messages, else `rest` (a 32-bit integer or 4 bytes)
local function icmp_rest(fname, t)
  if t.id ~= nil or t.seq ~= nil then
    return spack(">I2I2", int_opt(fname, t, "id", 0, 0xffff, 0), int_opt(fname, t, "seq", 0, 0xffff, 0))
  end
  if type(t.rest) == "string" then
    if #t.rest ~= 4 then fail(fname, "bad 'rest' (4 bytes expected)") end
    return t.rest
  end
  return spack(">I4", int_opt(fname, t, "rest", 0, 0xffffffff, 0))
end

function M.icmp(t)
  local fname = "synth.icmp"
  check_table(fname, t)
  local ty = int_opt(fname, t, "type", 0, 255)
  local code = int_opt(fname, t, "code", 0, 255, 0)
  local rest = icmp_rest(fname, t)
  local payload = bytes_opt(fname, t, "payload", "")
  return new_segment(1, spack(">BBI2", ty, code, 0) .. rest, payload, 3)
end

function M.icmpv6(t)
  local fname = "synth.icmpv6"
  check_table(fname, t)
  local ty = int_opt(fname, t, "type", 0, 255)
  local code = int_opt(fname, t, "code", 0, 255, 0)
  local rest = icmp_rest(fname, t)
  local payload = bytes_opt(fname, t, "payload", "")
  return new_segment(58, spack(">BBI2", ty, code, 0) .. rest, payload, 3)
end

---------------------------------------------------------------------------
-- DNS

local DNS_TYPE = {A = 1, NS = 2, CNAME = 5, PTR = 12, MX = 15, TXT = 16, AAAA = 28}

local function dns_type(fname, v, key)
  if type(v) == "string" then
    local n = DNS_TYPE[v:upper()]
    if not n then fail(fname, sformat("bad '%s' '%s' (A, NS, CNAME, PTR, MX, TXT, AAAA or a number)", key, v)) end
    return n
  end
  local n = tointeger(v)
  if n == nil or n < 0 or n > 0xffff then
    fail(fname, sformat("bad '%s' %s", key, tostring(v)))
  end
  return n
end

local function check_name(fname, name)
  if type(name) ~= "string" then fail(fname, "bad name (string expected, got " .. type(name) .. ")") end
  local n = name:gsub("%.$", "")
  if n ~= "" then
    if #n > 253 then fail(fname, "bad name '" .. name .. "' (longer than 253 bytes)") end
    for label in (n .. "."):gmatch("([^.]*)%.") do
      if #label == 0 or #label > 63 then
        fail(fname, "bad name '" .. name .. "' (labels must be 1..63 bytes)")
      end
    end
  end
  return n
end

-- a DNS message under construction: parts plus a suffix -> offset table for compression
local function dns_msg(header)
  return {parts = {header}, len = #header, names = {}}
end

local function dns_put(m, s)
  m.parts[#m.parts + 1] = s
  m.len = m.len + #s
end

local function dns_put_name(m, name)
  local n = name
  while n ~= "" do
    local at = m.names[n:lower()]
    if at then dns_put(m, spack(">I2", 0xc000 | at)); return end
    if m.len < 0x4000 then m.names[n:lower()] = m.len end
    local label, rest = n:match("^([^.]*)%.?(.*)$")
    dns_put(m, spack("s1", label))
    n = rest
  end
  dns_put(m, "\0")
end

local function dns_header(fname, t, flags, an, ns, ar)
  local id = int_opt(fname, t, "id", 0, 0xffff)
  return spack(">I2I2I2I2I2I2", id, flags, 1, an, ns or 0, ar or 0)
end

function M.dns_query(t)
  local fname = "synth.dns_query"
  check_table(fname, t)
  local name = check_name(fname, t.name)
  local qtype = dns_type(fname, t.qtype or 1, "qtype")
  local m = dns_msg(dns_header(fname, t, 0x0100, 0))
  dns_put_name(m, name)
  dns_put(m, spack(">I2I2", qtype, 1))
  return concat(m.parts)
end

-- One resource record of a response: a = {type, ttl, owner, addr | name | pref | text | rdata};
-- owner defaults to *owner (the question, then the last CNAME target of the answers).
local function dns_record(fname, m, a, what, owner)
  if type(a) ~= "table" then fail(fname, "bad " .. what .. " (table expected)") end
  local ty = dns_type(fname, a.type or 1, "type")
  local ttl = int_opt(fname, a, "ttl", 0, 0x7fffffff, 60)
  local own = a.owner ~= nil and check_name(fname, a.owner) or owner
  dns_put_name(m, own)
  local fixed = #m.parts + 1          -- the part holding TYPE..RDLENGTH, patched below
  dns_put(m, spack(">I2I2I4I2", ty, 1, ttl, 0))
  local rdstart = m.len
  local target
  if ty == 1 then
    dns_put(m, addr_opt(fname, a, "addr", parse_ipv4))
  elseif ty == 28 then
    dns_put(m, addr_opt(fname, a, "addr", parse_ipv6))
  elseif ty == 5 or ty == 2 or ty == 12 then
    target = check_name(fname, a.name)
    dns_put_name(m, target)
  elseif ty == 15 then
    dns_put(m, spack(">I2", int_opt(fname, a, "pref", 0, 0xffff, 10)))
    dns_put_name(m, check_name(fname, a.name))
  elseif ty == 16 then
    local txt = str_opt(fname, a, "text")
    for k = 1, #txt, 255 do dns_put(m, spack("s1", txt:sub(k, k + 254))) end
  else
    dns_put(m, bytes_opt(fname, a, "rdata"))
  end
  m.parts[fixed] = m.parts[fixed]:sub(1, 8) .. spack(">I2", m.len - rdstart)
  return ty == 5 and target or nil
end

local function record_list(fname, t, key)
  local l = t[key] or {}
  if type(l) ~= "table" then fail(fname, "bad '" .. key .. "' (table expected, got " .. type(l) .. ")") end
  return l
end

function M.dns_response(t)
  local fname = "synth.dns_response"
  check_table(fname, t)
  local name = check_name(fname, t.name)
  local qtype = dns_type(fname, t.qtype or 1, "qtype")
  local rcode = int_opt(fname, t, "rcode", 0, 15, 0)
  local answers = record_list(fname, t, "answers")
  local authority, additional = record_list(fname, t, "authority"), record_list(fname, t, "additional")
  local m = dns_msg(dns_header(fname, t, 0x8180 | rcode, #answers, #authority, #additional))
  dns_put_name(m, name)
  dns_put(m, spack(">I2I2", qtype, 1))
  local owner = name
  for i, a in ipairs(answers) do owner = dns_record(fname, m, a, "answer #" .. i, owner) or owner end
  for i, a in ipairs(authority) do dns_record(fname, m, a, "authority record #" .. i, name) end
  for i, a in ipairs(additional) do dns_record(fname, m, a, "additional record #" .. i, name) end
  return concat(m.parts)
end

---------------------------------------------------------------------------
-- HTTP/1.1 text

local REASON = {[200] = "OK", [201] = "Created", [204] = "No Content", [301] = "Moved Permanently",
  [302] = "Found", [304] = "Not Modified", [400] = "Bad Request", [403] = "Forbidden",
  [404] = "Not Found", [500] = "Internal Server Error", [503] = "Service Unavailable"}

local function header_lines(fname, headers, out)
  if headers == nil then return end
  if type(headers) ~= "table" then fail(fname, "bad 'headers' (table expected, got " .. type(headers) .. ")") end
  for _, h in ipairs(headers) do
    if type(h) ~= "table" or type(h[1]) ~= "string" or type(h[2]) ~= "string" then
      fail(fname, "bad 'headers' (list of {name, value} expected)")
    end
    out[#out + 1] = h[1] .. ": " .. h[2] .. "\r\n"
  end
end

function M.http_request(t)
  local fname = "synth.http_request"
  check_table(fname, t)
  local method = str_opt(fname, t, "method", "GET")
  local host = str_opt(fname, t, "host")
  local uri = str_opt(fname, t, "uri", "/")
  local ua = str_opt(fname, t, "user_agent", "pktframe-synth/1.0")
  local body = str_opt(fname, t, "body", "")
  local out = {method, " ", uri, " HTTP/1.1\r\nHost: ", host, "\r\nUser-Agent: ", ua,
    "\r\nAccept: */*\r\n"}
  header_lines(fname, t.headers, out)
  if body ~= "" or method == "POST" or method == "PUT" then
    out[#out + 1] = "Content-Length: " .. #body .. "\r\n"
  end
  out[#out + 1] = "\r\n"
  out[#out + 1] = body
  return concat(out)
end

function M.http_response(t)
  local fname = "synth.http_response"
  check_table(fname, t)
  local code = int_opt(fname, t, "code", 100, 999, 200)
  local ctype = str_opt(fname, t, "content_type", "text/html")
  local body = str_opt(fname, t, "body", "")
  local out = {"HTTP/1.1 ", tostring(code), " ", REASON[code] or "Unknown", "\r\nServer: synth\r\n",
    "Content-Type: ", ctype, "\r\nContent-Length: ", tostring(#body), "\r\n"}
  header_lines(fname, t.headers, out)
  out[#out + 1] = "\r\n"
  out[#out + 1] = body
  return concat(out)
end

---------------------------------------------------------------------------
-- pcap writer

local Writer = {}
Writer.__index = Writer

-- ts -> seconds, sub-second units (µs or ns)
local function split_ts(ts, nsec)
  local sec, frac
  if type(ts) == "table" then
    sec, frac = tointeger(ts[1]), tointeger(ts[2] or 0)
    if sec == nil or frac == nil or frac < 0 or frac > 999999999 then return nil end
    if not nsec then frac = frac // 1000 end
  elseif type(ts) == "number" then
    if ts ~= ts or ts < 0 or ts >= 4294967296 then return nil end
    local scale = nsec and 1000000000 or 1000000
    sec = floor(ts)
    frac = floor((ts - sec) * scale + 0.5)
    if frac >= scale then sec, frac = sec + 1, frac - scale end
    sec = tointeger(sec)
  else
    return nil
  end
  if sec < 0 or sec > 0xffffffff then return nil end
  return sec, frac
end

function Writer:packet(ts, bytes, orig_len)
  if not self.file then error("synth.writer: packet on a closed writer", 2) end
  local sec, frac = split_ts(ts, self.nsec)
  if not sec then
    error("synth.writer: bad timestamp " .. tostring(ts) .. " (seconds or {sec, nsec} expected)", 2)
  end
  if type(bytes) ~= "string" then
    error("synth.writer: bad packet (string expected, got " .. type(bytes) .. ")", 2)
  end
  orig_len = orig_len == nil and #bytes or tointeger(orig_len)
  if orig_len == nil or orig_len < #bytes or orig_len > 0xffffffff then
    error("synth.writer: bad orig_len " .. tostring(orig_len) .. " (at least the packet length)", 2)
  end
  local data = bytes
  if #data > self.snaplen then data = data:sub(1, self.snaplen) end
  local ok, err = self.file:write(spack(self.endian .. "I4I4I4I4", sec, frac, #data, orig_len), data)
  if not ok then return nil, err end
  self.count = self.count + 1
  self.size = self.size + 16 + #data
  return true
end

function Writer:close()
  if self.file then
    local f = self.file
    self.file = nil
    return f:close()
  end
  return true
end

Writer.__close = Writer.close
Writer.__gc = Writer.close
Writer.__tostring = function(self)
  return sformat("synth.writer (%s, %d packets%s)", self.path, self.count, self.file and "" or ", closed")
end

function M.writer(path, opts)
  if type(path) ~= "string" then
    error("synth.writer: bad path (string expected, got " .. type(path) .. ")", 2)
  end
  opts = opts or {}
  if type(opts) ~= "table" then
    error("synth.writer: expected a table of options, got " .. type(opts), 2)
  end
  local function opt_int(key, lo, hi, def)
    local v = opts[key]
    if v == nil then return def end
    local i = tointeger(v)
    if i == nil or i < lo or i > hi then
      error(sformat("synth.writer: bad '%s' %s (integer %d..%d expected)", key, tostring(v), lo, hi), 3)
    end
    return i
  end
  local linktype = opt_int("linktype", 0, 0xffff, 1)
  local snaplen = opt_int("snaplen", 1, 0x7fffffff, 262144)
  for _, k in ipairs({"nsec", "big_endian"}) do
    if opts[k] ~= nil and type(opts[k]) ~= "boolean" then
      error(sformat("synth.writer: bad '%s' (boolean expected, got %s)", k, type(opts[k])), 2)
    end
  end
  local endian = opts.big_endian and ">" or "<"
  local f, err = io.open(path, "wb")
  if not f then return nil, err end
  local magic = opts.nsec and 0xa1b23c4d or 0xa1b2c3d4
  local ok, werr = f:write(spack(endian .. "I4I2I2i4I4I4I4", magic, 2, 4, 0, 0, snaplen, linktype))
  if not ok then f:close(); return nil, werr end
  return setmetatable({file = f, path = path, nsec = opts.nsec == true, endian = endian,
    snaplen = snaplen, count = 0, size = 24}, Writer)
end

---------------------------------------------------------------------------
-- a whole TCP exchange

local function endpoint(fname, t, key)
  local e = t[key]
  if type(e) ~= "table" then fail(fname, "missing '" .. key .. "' ({mac, ip, port} expected)") end
  local mac = e.mac or e[1]
  local ip = e.ip or e[2]
  local port = e.port or e[3]
  if not parse_mac(mac) then fail(fname, sformat("bad %s mac '%s'", key, tostring(mac))) end
  local v6 = type(ip) == "string" and ip:find(":", 1, true) ~= nil
  if not (v6 and parse_ipv6(ip) or parse_ipv4(ip)) then
    fail(fname, sformat("bad %s address '%s'", key, tostring(ip)))
  end
  local p = tointeger(port)
  if p == nil or p < 1 or p > 0xffff then fail(fname, sformat("bad %s port %s", key, tostring(port))) end
  return {mac = mac, ip = ip, port = p, v6 = v6}
end

local function num_opt(fname, t, key, def, lo)
  local v = t[key]
  if v == nil then return def end
  if type(v) ~= "number" or v ~= v or v < lo then
    fail(fname, sformat("bad '%s' %s (number >= %s expected)", key, tostring(v), tostring(lo)))
  end
  return v
end

local function exchanges_opt(fname, t)
  if t.exchanges == nil then
    return {{request = str_opt(fname, t, "request", ""), response = str_opt(fname, t, "response", ""),
      delay = 0}}
  end
  if t.request ~= nil or t.response ~= nil then
    fail(fname, "give either 'request'/'response' or 'exchanges', not both")
  end
  if type(t.exchanges) ~= "table" then
    fail(fname, "bad 'exchanges' (list of {request, response, delay} expected)")
  end
  local list = {}
  for i, e in ipairs(t.exchanges) do
    if type(e) ~= "table" then fail(fname, "bad exchange #" .. i .. " (table expected)") end
    local req, resp = e.request or e[1] or "", e.response or e[2] or ""
    if type(req) ~= "string" or type(resp) ~= "string" then
      fail(fname, "bad exchange #" .. i .. " (request and response must be strings)")
    end
    list[i] = {request = req, response = resp, delay = num_opt(fname, e, "delay", 0, 0)}
  end
  return list
end

function M.tcp_session(t)
  local fname = "synth.tcp_session"
  check_table(fname, t)
  local c = endpoint(fname, t, "client")
  local s = endpoint(fname, t, "server")
  if c.v6 ~= s.v6 then fail(fname, "client and server must both be IPv4 or both IPv6") end
  local t0 = num_opt(fname, t, "t0", nil, 0)
  if t0 == nil then fail(fname, "missing 't0'") end
  local rtt = num_opt(fname, t, "rtt", 0.02, 0)
  local rate = num_opt(fname, t, "rate", 12.5e6, 1)
  local think = num_opt(fname, t, "think", 0.002, 0)
  local mss = int_opt(fname, t, "mss", 1, 65495, 1460)
  local wscale = t.wscale ~= false and int_opt(fname, t, "wscale", 0, 14, 7) or nil
  local exchanges = exchanges_opt(fname, t)
  local cisn = int_opt(fname, t, "isn_client", 0, 0xffffffff, 0x1a2b3c4d)
  local sisn = int_opt(fname, t, "isn_server", 0, 0xffffffff, 0x5e6f7081)
  local cid = int_opt(fname, t, "ip_id_client", 0, 0xffff, 0x4000)
  local sid = int_opt(fname, t, "ip_id_server", 0, 0xffff, 0)
  local out = {}
  local eps = 0.00005                 -- host turnaround at the capture point
  local cseq, sseq = cisn, sisn       -- next sequence number to send, per side
  -- windows after the handshake: about 64 KB, far above what is ever unacknowledged here,
  -- so tshark sees no window-full or zero-window events
  local shift = wscale or 0
  local cwin, swin = max(64256 >> shift, 1), max(65152 >> shift, 1)

  local function frame(ts, from_client, flags, payload, opts, win)
    local a, b = from_client and c or s, from_client and s or c
    local seg = M.tcp{sport = a.port, dport = b.port, seq = from_client and cseq or sseq,
      ack = (flags & 0x10 ~= 0) and (from_client and sseq or cseq) or 0,
      flags = flags, win = win, options = opts, payload = payload}
    local ip
    if c.v6 then
      ip = M.ipv6{src = a.ip, dst = b.ip, payload = seg, hlim = from_client and 64 or 57}
    else
      local id
      if from_client then id, cid = cid, (cid + 1) & 0xffff else id, sid = sid, (sid + 1) & 0xffff end
      ip = M.ipv4{src = a.ip, dst = b.ip, payload = seg, id = id, ttl = from_client and 64 or 57}
    end
    out[#out + 1] = {ts, M.eth{src = a.mac, dst = b.mac, type = c.v6 and 0x86dd or 0x0800,
      payload = ip, pad = true}}
    local adv = #payload + (((flags & 0x03) ~= 0) and 1 or 0)   -- SYN and FIN take one number
    if from_client then cseq = (cseq + adv) & 0xffffffff else sseq = (sseq + adv) & 0xffffffff end
  end

  -- `data` from one side in MSS-sized segments sent at `rate` from time ts; the other side
  -- ACKs every second segment and the last one at once. Returns the time after the last segment.
  local function send(ts, from_client, data, owin, rwin)
    local unacked = 0
    for i = 1, #data, mss do
      local piece = data:sub(i, i + mss - 1)
      local last = i + mss > #data
      frame(ts, from_client, last and 0x18 or 0x10, piece, nil, owin)
      unacked = unacked + 1
      if unacked == 2 or last then
        -- the receiver's ACK is seen at the capture point (the client) one RTT later when
        -- the server sends it, at once when the client does
        frame(ts + (from_client and rtt or eps), not from_client, 0x10, "", nil, rwin)
        unacked = 0
      end
      ts = ts + (#piece + 66) / rate
    end
    return ts
  end

  local syn_opts = {mss = mss, sack_perm = true, wscale = wscale}
  local ts = t0
  frame(ts, true, 0x02, "", syn_opts, 64240)                      -- SYN
  ts = ts + rtt
  frame(ts, false, 0x12, "", syn_opts, 65160)                     -- SYN/ACK
  ts = ts + eps
  frame(ts, true, 0x10, "", nil, cwin)                            -- ACK
  for _, e in ipairs(exchanges) do
    ts = send(ts + eps + e.delay, true, e.request, cwin, swin)
    ts = send(ts + rtt + think, false, e.response, swin, cwin)
  end
  ts = ts + eps * 2                                               -- the client closes
  frame(ts, true, 0x11, "", nil, cwin)                            -- FIN/ACK
  ts = ts + rtt
  frame(ts, false, 0x11, "", nil, swin)                           -- FIN/ACK
  frame(ts + eps, true, 0x10, "", nil, cwin)                      -- ACK
  -- ACKs and small segments can overtake each other: order by time, keeping the order of
  -- creation for equal times (sequence numbers were assigned in creation order)
  for i, p in ipairs(out) do p[3] = i end
  sort(out, function(x, y) if x[1] ~= y[1] then return x[1] < y[1] end return x[3] < y[3] end)
  for _, p in ipairs(out) do p[3] = nil end
  return out
end

return M
