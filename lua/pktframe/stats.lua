-- pktframe.stats: tshark's -z statistics (conv, endpoints, io,stat, io,phs, follow) as Tables, and
-- `pktframe stats`, which prints them as `tshark -q -n -z NAME` does.
--
--   local pf = require "pktframe"
--   local c = pf.conv("a.pcap", "tcp")              -- one row per TCP conversation, tshark's order
--   local e = pf.endpoints("a.pcap", "ip")
--   local io = pf.iostat("a.pcap", 1, { "tcp", "COUNT(tcp.analysis.retransmission)tcp" })
--   local h = pf.phs("a.pcap")
--   local f = pf.follow("a.pcap", "tcp", 0)
--
-- Every table is computed by the C verbs (pf.read with a filter, groupby/agg, join, concat,
-- resample); Lua only loops over the groups (conversations, endpoints, intervals), never over
-- packets. The numbers are tshark 4.0's: conversations and endpoints are keyed, ordered and
-- counted as epan/conversation_table.c does, io,stat intervals start at the first packet.
local pf = require "pktframe"

local M = {}

local SEP = ("="):rep(80)

-- ---------------------------------------------------------------- helpers

-- tshark's format_size(n, FORMAT_SIZE_UNIT_BYTES, 0): "4660 bytes", "26 kB", "12 MB"
function M.format_size(n)
  local units = { { 1e12, " TB" }, { 1e9, " GB" }, { 1e6, " MB" }, { 1e3, " kB" } }
  for _, u in ipairs(units) do
    local q = n // math.tointeger(u[1])
    if q >= 10 then return string.format("%d%s", q, u[2]) end
  end
  return string.format("%d bytes", n)
end

local function is_table(x) return type(x) == "userdata" or (type(x) == "table" and getmetatable(x) ~= nil) end

-- The packets of src (paths or a Table) with the given fields; filter (a display filter) keeps some.
local function load(src, fields, filter, fname)
  if is_table(src) then
    local t = src
    if filter then t = t:filter(filter) end
    return t
  end
  if type(src) ~= "string" and type(src) ~= "table" then
    error(string.format("bad argument #1 to '%s' (path, list of paths or Table expected, got %s)", fname, type(src)), 3)
  end
  local t, err = pf.read(src, { fields = fields, filter = filter })
  if not t then error(err, 0) end
  return t
end

-- seconds of a reltime cell as tshark's nstime_to_sec gives them: secs + nsecs / 1e9
local function nsec_to_sec(ns)
  local s = ns // 1000000000
  return s + (ns - s * 1000000000) / 1e9
end

-- ---------------------------------------------------------------- conversations and endpoints

local KINDS = {
  eth = { title = "Ethernet", fams = { { "eth.src", "eth.dst" } } },
  ip = { title = "IPv4", fams = { { "ip.src", "ip.dst" } } },
  ipv6 = { title = "IPv6", fams = { { "ipv6.src", "ipv6.dst" } } },
  tcp = { title = "TCP", ports = { "tcp.srcport", "tcp.dstport" }, stream = "tcp.stream",
    fams = { { "ip.src", "ip.dst" }, { "ipv6.src", "ipv6.dst" } } },
  udp = { title = "UDP", ports = { "udp.srcport", "udp.dstport" }, stream = "udp.stream",
    fams = { { "ip.src", "ip.dst" }, { "ipv6.src", "ipv6.dst" } } },
}
M.conv_types = { "eth", "ip", "ipv6", "tcp", "udp" }

local function kind_of(kind, fname)
  local k = KINDS[kind]
  if not k then
    error(string.format("bad argument #2 to '%s' (unknown type '%s': expected eth, ip, ipv6, tcp or udp)",
      fname, tostring(kind)), 3)
  end
  return k
end

local function kind_fields(k)
  local f = { "frame.number", "frame.len", "frame.time_relative" }
  if k.ports then f[#f + 1] = "icmp.type"; f[#f + 1] = "icmpv6.type" end
  if k.title == "IPv6" then
    for _, x in ipairs{ "ipv6.nxt", "udp.srcport", "tcp.srcport", "icmpv6.type" } do f[#f + 1] = x end
  end
  for _, fam in ipairs(k.fams) do f[#f + 1] = fam[1]; f[#f + 1] = fam[2] end
  if k.ports then f[#f + 1] = k.ports[1]; f[#f + 1] = k.ports[2]; f[#f + 1] = k.stream end
  return f
end

-- The rows of one address family: for TCP and UDP the innermost IP header names the
-- addresses (IPv6 carried in IPv4 is IPv6), as tshark's taps take pinfo's addresses.
local function family_rows(t, k, fi)
  local fam = k.fams[fi]
  local m = t:col(fam[1]):notnull()
  if k.ports then
    m = m & t:col(k.stream):notnull()
    if fi == 1 and k.fams[2] then m = m & t:col(k.fams[2][1]):isnull() end
    -- the TCP or UDP header an ICMP error quotes reaches no conversation tap
    m = m & t:col("icmp.type"):isnull() & t:col("icmpv6.type"):isnull()
  end
  if k.title == "IPv6" then
    -- an IPv6 fragment reaches the tap only when it completes its datagram, which pktframe
    -- then decodes: a fragment header (next header 44) with no transport layer decoded is left out
    m = m & ~(t:col("ipv6.nxt"):eq(44) & t:col("udp.srcport"):isnull() & t:col("tcp.srcport"):isnull()
      & t:col("icmpv6.type"):isnull())
  end
  return t:filter(m)
end

local function conv_family(r, k, fam, out)
  if #r == 0 then return end
  local src, dst = fam[1], fam[2]
  local key
  if k.stream then
    key = { k.stream }
  else
    local lt = r:col(src):lt(r:col(dst))
    r = r:with("_lo", lt:where(r:col(src), r:col(dst))):with("_hi", lt:where(r:col(dst), r:col(src)))
    key = { "_lo", "_hi" }
  end
  local aggs = { { "_a", src, "first" }, { "_b", dst, "first" } }
  if k.ports then
    aggs[#aggs + 1] = { "_pa", k.ports[1], "first" }
    aggs[#aggs + 1] = { "_pb", k.ports[2], "first" }
  end
  for _, a in ipairs{ { "_first", "frame.number", "min" }, { "_start", "frame.time_relative", "min" },
    { "_stop", "frame.time_relative", "max" }, { "_timed", "frame.time_relative", "count" },
    { "_frames", "frame.len", "size" }, { "_bytes", "frame.len", "sum" } } do
    aggs[#aggs + 1] = a
  end
  local g = r:groupby(key):agg(aggs)
  -- direction: a frame goes A -> B when its addresses (and ports) are the conversation's first ones
  local sidecols = { "_a", "_b" }
  if k.ports then sidecols[3], sidecols[4] = "_pa", "_pb" end
  local keep = {}
  for _, c in ipairs(key) do keep[#keep + 1] = c end
  for _, c in ipairs(sidecols) do keep[#keep + 1] = c end
  local j = r:join(g:select(keep), key)
  local ab = j:col(src):eq(j:col("_a")) & j:col(dst):eq(j:col("_b"))
  if k.ports then ab = ab & j:col(k.ports[1]):eq(j:col("_pa")) & j:col(k.ports[2]):eq(j:col("_pb")) end
  j = j:with("_abf", ab:where(1, 0)):with("_abb", ab:where(j:col("frame.len"), 0))
  local d = j:groupby(key):agg{ { "_abf", "_abf", "sum" }, { "_abb", "_abb", "sum" } }
  local A, B, PA, PB = g:col("_a"), g:col("_b"), k.ports and g:col("_pa"), k.ports and g:col("_pb")
  local first, start, stop = g:col("_first"), g:col("_start"), g:col("_stop")
  local frames, bytes, abf, abb = g:col("_frames"), g:col("_bytes"), d:col("_abf"), d:col("_abb")
  local timed = g:col("_timed")
  for i = 1, #g do
    -- a record without a time (pcapng simple packet block) is at relative time 0 for tshark
    local n0, n1 = start:ns(i) or 0, stop:ns(i) or 0
    if timed[i] < frames[i] then n0, n1 = math.min(n0, 0), math.max(n1, 0) end
    local s0, s1 = nsec_to_sec(n0), nsec_to_sec(n1)
    out[#out + 1] = { a = A[i], b = B[i], pa = PA and PA[i], pb = PB and PB[i], first = first[i],
      frames = frames[i], bytes = bytes[i], abf = abf[i], abb = abb[i],
      start = s0, duration = s1 - s0 }
  end
end

local function by_frames(rows)
  table.sort(rows, function(x, y)
    if x.frames ~= y.frames then return x.frames > y.frames end
    return x.first < y.first
  end)
end

-- pf.conv(paths | Table, kind, [filter]) -> Table: tshark's -z conv,KIND[,FILTER], one row per
-- conversation, most frames first (ties in order of first appearance).
function M.conv(src, kind, filter)
  local k = kind_of(kind, "conv")
  local t = load(src, kind_fields(k), filter, "conv")
  local rows = {}
  for fi, fam in ipairs(k.fams) do conv_family(family_rows(t, k, fi), k, fam, rows) end
  by_frames(rows)
  local cols = { address_a = {}, address_b = {}, port_a = {}, port_b = {}, frames_b_to_a = {}, bytes_b_to_a = {},
    frames_a_to_b = {}, bytes_a_to_b = {}, frames = {}, bytes = {}, rel_start = {}, duration = {} }
  for i, r in ipairs(rows) do
    cols.address_a[i], cols.address_b[i], cols.port_a[i], cols.port_b[i] = r.a, r.b, r.pa, r.pb
    cols.frames_a_to_b[i], cols.bytes_a_to_b[i] = r.abf, r.abb
    cols.frames_b_to_a[i], cols.bytes_b_to_a[i] = r.frames - r.abf, r.bytes - r.abb
    cols.frames[i], cols.bytes[i] = r.frames, r.bytes
    cols.rel_start[i], cols.duration[i] = r.start, r.duration
  end
  local names = k.ports and { "address_a", "port_a", "address_b", "port_b" } or { "address_a", "address_b" }
  for _, c in ipairs{ "frames_b_to_a", "bytes_b_to_a", "frames_a_to_b", "bytes_a_to_b", "frames", "bytes",
    "rel_start", "duration" } do
    names[#names + 1] = c
  end
  local spec = {}
  for i, c in ipairs(names) do spec[i] = { c, cols[c] } end
  local out = pf.table(spec)
  return out
end

local function endpoints_family(r, k, fam, out)
  if #r == 0 then return end
  local function side(addr, port, tx, o)
    local names = { addr, "frame.len" }
    if port then names[3] = port end
    local s = r:select(names):rename(port and { [addr] = "_addr", [port] = "_port" } or { [addr] = "_addr" })
    local n = r:col("frame.number")
    return s:with("_ord", n * 2 + o):with("_tx", n * 0 + tx):with("_txb", r:col("frame.len") * tx)
  end
  local p = k.ports or {}
  local u = pf.concat(side(fam[1], p[1], 1, 0), side(fam[2], p[2], 0, 1))
  local key = k.ports and { "_addr", "_port" } or { "_addr" }
  local g = u:groupby(key):agg{ { "_first", "_ord", "min" }, { "_frames", "frame.len", "size" },
    { "_bytes", "frame.len", "sum" }, { "_txf", "_tx", "sum" }, { "_txb", "_txb", "sum" } }
  local A, P = g:col("_addr"), k.ports and g:col("_port")
  local first, frames, bytes, txf, txb = g:col("_first"), g:col("_frames"), g:col("_bytes"), g:col("_txf"), g:col("_txb")
  for i = 1, #g do
    out[#out + 1] = { a = A[i], port = P and P[i], first = first[i], frames = frames[i], bytes = bytes[i],
      txf = txf[i], txb = txb[i] }
  end
end

-- pf.endpoints(paths | Table, kind, [filter]) -> Table: tshark's -z endpoints,KIND[,FILTER].
function M.endpoints(src, kind, filter)
  local k = kind_of(kind, "endpoints")
  local t = load(src, kind_fields(k), filter, "endpoints")
  local rows = {}
  for fi, fam in ipairs(k.fams) do endpoints_family(family_rows(t, k, fi), k, fam, rows) end
  by_frames(rows)
  local cols = { address = {}, port = {}, packets = {}, bytes = {}, tx_packets = {}, tx_bytes = {},
    rx_packets = {}, rx_bytes = {} }
  for i, r in ipairs(rows) do
    cols.address[i], cols.port[i], cols.packets[i], cols.bytes[i] = r.a, r.port, r.frames, r.bytes
    cols.tx_packets[i], cols.tx_bytes[i] = r.txf, r.txb
    cols.rx_packets[i], cols.rx_bytes[i] = r.frames - r.txf, r.bytes - r.txb
  end
  local names = k.ports and { "address", "port" } or { "address" }
  for _, c in ipairs{ "packets", "bytes", "tx_packets", "tx_bytes", "rx_packets", "rx_bytes" } do names[#names + 1] = c end
  local spec = {}
  for i, c in ipairs(names) do spec[i] = { c, cols[c] } end
  return pf.table(spec)
end

-- ---------------------------------------------------------------- text as tshark prints it

local function conv_text(t, kind, filter)
  local k = KINDS[kind]
  local o = {}
  local pad = k.ports and "            " or ""
  o[#o + 1] = SEP
  o[#o + 1] = k.title .. " Conversations"
  o[#o + 1] = "Filter:" .. (filter or "<No Filter>")
  o[#o + 1] = pad .. "                                               |       <-      | |       ->      | |     Total     |    Relative    |   Duration   |"
  o[#o + 1] = pad .. "                                               | Frames  Bytes | | Frames  Bytes | | Frames  Bytes |      Start     |              |"
  local c = {}
  for _, n in ipairs(t:columns()) do c[n] = t:col(n) end
  for i = 1, #t do
    local a, b, w = tostring(c.address_a[i]), tostring(c.address_b[i]), 20
    if k.ports then
      a, b, w = a .. ":" .. c.port_a[i], b .. ":" .. c.port_b[i], 26
    end
    o[#o + 1] = string.format("%-" .. w .. "s <-> %-" .. w .. "s  %6d %-9s  %6d %-9s  %6d %-9s  %14.9f   %12.4f",
      a, b, c.frames_b_to_a[i], M.format_size(c.bytes_b_to_a[i]), c.frames_a_to_b[i], M.format_size(c.bytes_a_to_b[i]),
      c.frames[i], M.format_size(c.bytes[i]), c.rel_start[i], c.duration[i])
  end
  o[#o + 1] = SEP
  return table.concat(o, "\n") .. "\n"
end

local function endpoints_text(t, kind, filter)
  local k = KINDS[kind]
  local o = {}
  o[#o + 1] = SEP
  o[#o + 1] = k.title .. " Endpoints"
  o[#o + 1] = "Filter:" .. (filter or "<No Filter>")
  o[#o + 1] = "                       " .. (k.ports and "|  Port  |" or "") ..
    "|  Packets  | |  Bytes  | | Tx Packets | | Tx Bytes | | Rx Packets | | Rx Bytes |"
  local c = {}
  for _, n in ipairs(t:columns()) do c[n] = t:col(n) end
  for i = 1, #t do
    local nums = string.format("%6d     %9d     %6d       %9d      %6d       %9d   ", c.packets[i], c.bytes[i],
      c.tx_packets[i], c.tx_bytes[i], c.rx_packets[i], c.rx_bytes[i])
    if k.ports then
      o[#o + 1] = string.format("%-20s      %5s     %s", tostring(c.address[i]), tostring(c.port[i]), nums)
    else
      o[#o + 1] = string.format("%-20s      %s", tostring(c.address[i]), nums)
    end
  end
  o[#o + 1] = SEP
  return table.concat(o, "\n") .. "\n"
end

-- ---------------------------------------------------------------- the -z names

-- One -z argument: {name =, kind =, args = {...}, text = function(paths, yfilter) -> text, Table}
local function parse_z(z)
  local parts = {}
  -- tshark splits at commas; a filter (the last argument) may itself hold commas
  local function rest_after(n)   -- the text after the n-th comma
    local pos = 0
    for _ = 1, n do
      pos = z:find(",", pos + 1, true)
      if not pos then return nil end
    end
    return z:sub(pos + 1)
  end
  for p in (z .. ","):gmatch("([^,]*),") do parts[#parts + 1] = p end
  local name = parts[1]
  if name == "conv" or name == "endpoints" then
    local kind = parts[2]
    if not kind or not KINDS[kind] then
      return nil, string.format("-z %s: unknown type '%s' (pktframe supports %s,eth|ip|ipv6|tcp|udp)", z,
        tostring(kind), name)
    end
    local filter = rest_after(2)
    if filter == "" then filter = nil end
    return { name = name, kind = kind, filter = filter, id = name .. "_" .. kind }
  end
  local known = { "afp,srt", "ancp,tree", "ansi_a,", "bacapp_", "bootp,stat", "camel,", "collectd,tree", "dcerpc,srt",
    "diameter,", "dests,tree", "dhcp,stat", "dns,tree", "expert", "f1ap,tree", "fc,srt", "flow,", "gsm_a", "gtp,srt",
    "h225,", "hart_ip,tree", "hosts", "hpfeeds,tree", "http,", "http2,tree", "http_", "icmp,srt", "icmpv6,srt",
    "io,", "ip_hosts,tree", "ip_srcdst,tree", "ipv6_", "isup_msg,tree", "dhcpv6,stat", "follow,", "credentials",
    "ldap,srt", "mac-lte,stat", "megaco,", "mgcp,", "mtp3,", "ncp,srt", "ngap,tree", "npm,", "osmux,tree",
    "pingpong", "plen,tree", "proto,colinfo", "ptype,tree", "radius,", "rlc-lte,stat", "rpc,", "rtp,streams",
    "rtsp,", "rtps,tree", "sametime,tree", "scsi,srt", "sctp,stat", "sip,stat", "smb,", "smb2,srt", "smpp_commands",
    "snmp,srt", "sv", "ucp_messages,tree", "wsp,stat", "conv,", "endpoints," }
  for _, kn in ipairs(known) do
    if z:sub(1, #kn) == kn then
      return nil, string.format("-z %s: tshark's statistic is not supported by pktframe stats", z)
    end
  end
  return nil, string.format("-z %s: unknown statistic (tshark -z help lists them)", z)
end
M.parse_z = parse_z

-- The Table of one parsed -z over src (paths or Table), -Y filter yf applied first.
local function both(a, b)
  if a and b then return "(" .. a .. ") && (" .. b .. ")" end
  return a or b
end

function M.compute(spec, src, yf)
  if spec.name == "conv" then
    return M.conv(src, spec.kind, both(yf, spec.filter))
  elseif spec.name == "endpoints" then
    return M.endpoints(src, spec.kind, both(yf, spec.filter))
  end
  error("unknown statistic " .. tostring(spec.name))
end

function M.text(spec, t)
  if spec.name == "conv" then return conv_text(t, spec.kind, spec.filter) end
  if spec.name == "endpoints" then return endpoints_text(t, spec.kind, spec.filter) end
end

-- ---------------------------------------------------------------- the command

M.usage = [[
usage: pktframe stats -z NAME[,ARGS] [-z ...] [-Y FILTER] [--csv | --out DIR] CAPTURE...

Prints tshark's statistics for the captures (read as one), as
`tshark -q -n -r CAPTURE -z NAME[,ARGS]` prints them: the same numbers, rows and order.
Several -z are printed as tshark prints them: the last one given first.

statistics (-z):
  conv,TYPE[,FILTER]         conversations; TYPE eth, ip, ipv6, tcp or udp
  endpoints,TYPE[,FILTER]    endpoints; TYPE as for conv

options:
  -Y FILTER     count only the packets a display filter accepts (as tshark -2 -R FILTER;
                tshark's own -Y leaves -z statistics unchanged)
  --csv         print each table as CSV (a line "# NAME" before each)
  --out DIR     write each table to DIR/NAME.csv (NAME: the -z text, commas as _)
  -r FILE       a capture (as tshark); -q and -n are accepted and ignored
]]

local function fail(msg, code)
  io.stderr:write("pktframe stats: ", msg, "\n")
  os.exit(code or 2)
end

function M.main(argv)
  local zs, caps, yf, csv, outdir = {}, {}, nil, false, nil
  local i = 1
  while i <= #argv do
    local a = argv[i]
    local function val()
      i = i + 1
      if argv[i] == nil then fail("option " .. a .. " needs an argument") end
      return argv[i]
    end
    if a == "-z" then
      zs[#zs + 1] = val()
    elseif a:sub(1, 2) == "-z" and #a > 2 then
      zs[#zs + 1] = a:sub(3)
    elseif a == "-Y" then
      yf = val()
    elseif a == "-r" then
      caps[#caps + 1] = val()
    elseif a == "-q" or a == "-n" or a == "--quiet" then
      -- tshark's; nothing to do
    elseif a == "--csv" then
      csv = true
    elseif a == "--out" then
      outdir = val()
    elseif a == "-h" or a == "--help" then
      io.write(M.usage)
      return 0
    elseif a == "--" then
      for k = i + 1, #argv do caps[#caps + 1] = argv[k] end
      break
    elseif a:sub(1, 1) == "-" and #a > 1 then
      fail("unknown option '" .. a .. "'")
    else
      caps[#caps + 1] = a
    end
    i = i + 1
  end
  if #zs == 0 then fail("no statistic given (-z NAME[,ARGS]; pktframe help stats)") end
  if #caps == 0 then fail("no capture given") end
  if csv and outdir then fail("--csv and --out exclude each other") end
  local specs = {}
  for k, z in ipairs(zs) do
    local s, err = parse_z(z)
    if not s then fail(err) end
    s.z = z
    specs[k] = s
  end
  if yf then
    local ok, err = pcall(pf.compile_filter, yf)
    if not ok then fail("bad filter '" .. yf .. "': " .. tostring(err)) end
  end
  for k, s in ipairs(specs) do
    if s.filter then
      local ok, err = pcall(pf.compile_filter, s.filter)
      if not ok then fail("-z " .. s.z .. ": bad filter '" .. s.filter .. "': " .. tostring(err)) end
    end
  end
  if outdir then
    local ok, err = pf.mkdir(outdir)
    if not ok then fail(err, 1) end
  end
  -- tshark draws the taps in the reverse of the order they were given
  for k = #specs, 1, -1 do
    local s = specs[k]
    local ok, t = pcall(M.compute, s, caps, yf)
    if not ok then fail(tostring(t), 1) end
    if csv then
      io.write("# ", s.z, "\n", t:to_csv())
    elseif outdir then
      local name = outdir .. "/" .. s.z:gsub("[^%w%.%-]", "_") .. ".csv"
      local wok, werr = t:to_csv(name)
      if not wok then fail(werr, 1) end
    else
      io.write(M.text(s, t))
    end
  end
  io.stdout:flush()
  return 0
end

return M
