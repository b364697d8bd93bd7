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
local function read_input(src, fields, filter, fname)
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
  local t = read_input(src, kind_fields(k), filter, "conv")
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
  local t = read_input(src, kind_fields(k), filter, "endpoints")
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

-- ---------------------------------------------------------------- io,stat

local CALCS = { "FRAMES", "BYTES", "COUNT", "SUM", "MIN", "MAX", "AVG", "LOAD" }

-- One io,stat column from its text: {text =, calc =, field =, filter =}
local function parse_iocol(text)
  if text == nil or text == "" then return { calc = "FB" } end
  for _, fn in ipairs(CALCS) do
    if text:sub(1, #fn) == fn then
      local rest = text:sub(#fn + 1)
      if rest:sub(1, 1) == "(" then
        local close = rest:find(")", 1, true)
        if not close then return nil, "closing parenthesis missing in '" .. text .. "'" end
        local field = rest:sub(2, close - 1)
        local flt = rest:sub(close + 1)
        if fn == "FRAMES" or fn == "BYTES" or fn == "LOAD" then
          return nil, fn .. "() is not supported by pktframe stats"
        end
        if field == "" then return nil, "no field named in " .. fn .. "()" end
        return { text = text, calc = fn, field = field, filter = flt ~= "" and flt or nil }
      end
    end
  end
  return { text = text, calc = "FB", filter = text }
end
M.parse_iocol = parse_iocol

local INT_TYPES = { uint = true, int = true, framenum = true, bool = true }

-- interval text -> microseconds (nil: the whole capture), decimal places given
local function parse_interval(iv)
  local n = tonumber(iv)
  if not n or n < 0 then return nil, nil, "bad interval '" .. tostring(iv) .. "'" end
  local frac = tostring(iv):match("%.(%d*)$") or ""
  local us = math.floor(n * 1000000 + 0.5)
  if us == 0 then return nil, #frac end
  return us, math.min(#frac, 6)
end

-- pf.iostat(paths | Table, interval, [{columns...}]) -> Table: tshark's -z io,stat,INTERVAL,COLUMNS:
-- one row per interval from the first packet (interval seconds, 0 for the whole capture); per
-- column: frames and bytes of the packets its filter accepts, or COUNT/SUM/MIN/MAX/AVG(field)filter.
-- Column names: c1_frames, c1_bytes (or c1_count, c1_sum ...), in order. Also returns the layout
-- facts the text needs (duration_us, interval_us, precision).
function M.iostat(src, interval, columns)
  columns = columns or {}
  if type(columns) == "string" then columns = { columns } end
  if #columns == 0 then columns = { "" } end
  local ivtext = tostring(interval)
  local ius, prec, perr = parse_interval(ivtext)
  if perr then error("bad argument #2 to 'iostat' (" .. perr .. ")", 2) end
  local cols = {}
  local fields = { "frame.time_relative", "frame.len" }
  local seenf = { ["frame.time_relative"] = true, ["frame.len"] = true }
  for k, c in ipairs(columns) do
    local pc, err = parse_iocol(c)
    if not pc then error("bad argument #3 to 'iostat' (column " .. k .. ": " .. err .. ")", 2) end
    if pc.field then
      if not pf.fields("^" .. pc.field:gsub("%p", "%%%0") .. "$")[1] then
        error("bad argument #3 to 'iostat' (column " .. k .. ": pktframe does not decode field '" .. pc.field .. "')", 2)
      end
      if not seenf[pc.field] then seenf[pc.field] = true; fields[#fields + 1] = pc.field end
    end
    if pc.filter then
      local f = pf.compile_filter(pc.filter)
      for _, name in ipairs(f:fields()) do
        if not seenf[name] then seenf[name] = true; fields[#fields + 1] = name end
      end
    end
    cols[k] = pc
  end
  -- tshark fills a field's values only when a filter names it (the tree is not built otherwise)
  local alltext = {}
  for _, pc in ipairs(cols) do alltext[#alltext + 1] = pc.filter or "" end
  alltext = table.concat(alltext, " ")
  local all = read_input(src, fields, nil, "iostat")
  -- the capture's duration (tshark's elapsed time): the largest relative time, in us as tshark rounds
  local rel = all:col("frame.time_relative")
  local maxns = 0
  if #all > 0 then
    local m = all:select("frame.time_relative"):sort("frame.time_relative", { desc = true })
    maxns = m:col("frame.time_relative"):ns(1) or 0
  end
  local dur = maxns // 1000 + ((maxns % 1000) + 500) // 1000
  local spec = {}
  local per = {}
  for k, pc in ipairs(cols) do
    local t = all
    if pc.filter then t = t:filter(pc.filter) end
    local r = t:col("frame.time_relative")
    -- (rel_ts.nsecs + 500) / 1000 added to secs * 1e6: round half up to microseconds
    local nsc = (r * 1000000000 + 0.5) // 1
    local bin = ius and ((nsc // 1000000000) * 1000000 + (nsc % 1000000000 + 500) // 1000) // ius or nsc * 0
    -- a packet before the first (negative relative time) goes where the previous packet went in
    -- tshark; pktframe puts it in the first interval, which is where such packets sit in practice
    if ius then bin = bin:lt(0):where(0, bin) end
    t = t:with("_bin", bin)
    local aggs = { { "frames", "frame.len", "size" }, { "bytes", "frame.len", "sum" } }
    local primed = pc.field and alltext:find(pc.field, 1, true)
    if pc.field then
      local fc = t:col(pc.field)
      if not INT_TYPES[fc:type()] and pc.calc ~= "COUNT" then
        error("bad argument #3 to 'iostat' (column " .. k .. ": " .. pc.calc .. "(" .. pc.field ..
          ") of a " .. fc:type() .. " field is not supported by pktframe stats)", 2)
      end
      local v = primed and fc or nil
      if pc.calc == "COUNT" then
        t = t:with("_v", primed and fc:notnull():where(1, 0) or t:col("frame.len") * 0)
        aggs[#aggs + 1] = { "v", "_v", "sum" }
      else
        t = t:with("_v", primed and fc:notnull():where(fc, nil) or fc:isnull():where(t:col("frame.len") * 0, nil))
        t = t:with("_has", primed and fc:notnull():where(1, 0) or t:col("frame.len") * 0)
        local fn = ({ SUM = "sum", MIN = "min", MAX = "max", AVG = "sum" })[pc.calc]
        aggs[#aggs + 1] = { "v", "_v", fn }
        aggs[#aggs + 1] = { "n", "_v", "count" }
        aggs[#aggs + 1] = { "firsthas", "_has", "first" }
      end
    end
    if pc.calc == "MIN" or pc.calc == "AVG" then aggs[#aggs + 1] = { "firstv", "_v", "first" } end
    local g = t:groupby("_bin"):agg(aggs)
    -- tshark sizes MIN and AVG columns by the largest value the cell held while it filled:
    -- MIN's first value, AVG's running means
    local widest = {}
    if pc.calc == "AVG" and primed and #t > 0 then
      local v0 = t:col("_has"):eq(1):where(t:col("_v"), 0)
      local w2 = t:with("_cs", v0:cumsum()):with("_cn", t:col("_has"):cumsum())
      w2 = w2:with("_b0", w2:col("_cs") - v0):with("_n0", w2:col("_cn") - w2:col("_has"))
      local base = w2:groupby("_bin"):agg{ { "_bs", "_b0", "min" }, { "_bn", "_n0", "min" } }
      local j = w2:join(base, "_bin")
      local n = j:col("_cn") - j:col("_bn")
      j = j:with("_run", n:gt(0):where((j:col("_cs") - j:col("_bs")) // n, 0))
      local wm = j:groupby("_bin"):agg{ { "_w", "_run", "max" } }
      local WB, WW = wm:col("_bin"), wm:col("_w")
      for i = 1, #wm do widest[WB[i]] = WW[i] end
    end
    local m = {}
    local B, F, Y = g:col("_bin"), g:col("frames"), g:col("bytes")
    local V, N, FH = pc.field and g:col("v"), pc.field and pc.calc ~= "COUNT" and g:col("n"), pc.field and pc.calc ~= "COUNT" and g:col("firsthas")
    for i = 1, #g do
      local val
      if pc.calc == "FB" then
        val = Y[i]
      elseif pc.calc == "COUNT" then
        val = V[i]
      elseif pc.calc == "SUM" then
        val = V[i] or 0
      elseif pc.calc == "MAX" then
        val = math.max(V[i] or 0, 0)
      elseif pc.calc == "MIN" then
        val = (FH[i] == 1) and V[i] or 0
      elseif pc.calc == "AVG" then
        val = N[i] > 0 and (V[i] // N[i]) or 0
      end
      local wv = val
      if pc.calc == "MIN" then wv = (FH[i] == 1) and g:col("firstv")[i] or 0 end
      if pc.calc == "AVG" then wv = math.max(val, widest[B[i]] or 0) end
      m[B[i]] = { frames = F[i], val = val, wv = wv }
    end
    per[k] = m
  end
  -- the rows tshark prints: from 0 while below the (rounded) duration
  local invl_prec = prec or 0
  local interval_us = ius
  local whole = (ius == nil) or ius > dur
  local dur_mag = 0
  do local d = dur // 1000000; repeat dur_mag = dur_mag + 1; d = d // 10 until d == 0 or dur_mag >= 5 end
  if whole then
    if dur_mag >= 2 then invl_prec = 1 elseif dur_mag == 1 then invl_prec = 3 else invl_prec = 6 end
  end
  local dv = 1000000 // (10 ^ invl_prec)
  dv = math.tointeger(dv) or dv
  local rdur = dur
  if rdur % dv > 5 * (dv // 10) then rdur = ((rdur + 5 * (dv // 10)) // dv) * dv end
  if whole then interval_us = rdur end
  local out = { start_us = {}, end_us = {} }
  for k in ipairs(cols) do out[k] = { frames = {}, val = {} } end
  local t0, row = 0, 0
  if interval_us and interval_us > 0 then
    while t0 < rdur do
      row = row + 1
      local e = t0 + interval_us
      if e >= rdur then e = rdur end
      out.start_us[row], out.end_us[row] = t0, e
      for k in ipairs(cols) do
        local b = per[k][whole and 0 or row - 1]
        out[k].frames[row], out[k].val[row] = b and b.frames or 0, b and b.val or 0
      end
      t0 = t0 + interval_us
    end
  end
  local tspec = { { "interval_start", {} }, { "interval_end", {} } }
  for i = 1, row do tspec[1][2][i] = out.start_us[i] / 1e6; tspec[2][2][i] = out.end_us[i] / 1e6 end
  for k, pc in ipairs(cols) do
    local fr, vals = {}, {}
    for i = 1, row do fr[i], vals[i] = out[k].frames[i], out[k].val[i] end
    if pc.calc == "FB" then
      tspec[#tspec + 1] = { "c" .. k .. "_frames", fr }
      tspec[#tspec + 1] = { "c" .. k .. "_bytes", vals }
    else
      tspec[#tspec + 1] = { "c" .. k .. "_" .. pc.calc:lower(), vals }
    end
  end
  local result = pf.table(tspec)
  -- the widths tshark sizes its columns with: the largest value of any interval (shown or not)
  local maxes = {}
  for k in ipairs(cols) do
    local mf, mv = 0, 0
    for _, b in pairs(per[k]) do mf = math.max(mf, b.frames); mv = math.max(mv, b.wv) end
    maxes[k] = { frames = mf, val = mv }
  end
  return result, { cols = cols, duration_us = dur, rduration_us = rdur, interval_us = interval_us,
    prec = invl_prec, dur_mag = dur_mag, maxes = maxes, rows = row, elapsed_ns = maxns, is_whole = whole,
    starts = out.start_us, ends = out.end_us }
end

local function magnitude(v, maxw)
  local m = 0
  for _ = 1, maxw do
    m = m + 1
    v = v // 10
    if v == 0 then break end
  end
  return m
end

local function printcenter(label, lenval, numpad)
  local lenlab = #label
  local len = 6 - ((lenval - lenlab) // 2 + numpad)
  if len > 0 and len < 6 then
    local sp = (" "):rep(6 - len)
    if (lenval - lenlab) % 2 == 0 then return sp .. label .. sp .. "|" end
    return sp .. " " .. label .. sp .. "|"
  elseif len > 0 and len <= 15 then
    return label .. "|"
  end
  return ""
end

local function rjust(s, w) return string.rep(" ", w - #s) .. s end

local function iostat_text(t, L)
  local o = {}
  local cols, prec, dur_mag = L.cols, L.prec, L.dur_mag
  local rdur, interval = L.rduration_us, L.interval_us
  local borderlen
  local invl_mag = magnitude((interval or 0) // 1000000, 5)
  -- tshark decides on the unrounded duration whether the interval covers it
  if L.is_whole then
    borderlen = 30 + dur_mag + (prec == 0 and 0 or prec + 1)
  else
    borderlen = 25 + math.max(invl_mag, dur_mag) + (prec == 0 and 0 or prec + 1)
  end
  local dm = magnitude(rdur // 1000000, 5)
  local invl_col_w = prec == 0 and (2 * dm + 8) or (2 * dm + 2 * prec + 10)
  invl_col_w = math.max(invl_col_w, 12)
  local tabrow_w = invl_col_w
  local w = {}
  for k, pc in ipairs(cols) do
    local mx = L.maxes[k]
    if pc.calc == "FB" then
      local fr = math.max(6, magnitude(mx.frames, 15))
      local val = math.max(5, magnitude(mx.val, 15))
      w[k] = { fr = fr, val = val }
      tabrow_w = tabrow_w + fr + 3 + val + 3
    else
      local val
      if pc.calc == "COUNT" then val = math.max(5, magnitude(mx.val, 15))
      else val = math.max(#pc.calc, magnitude(mx.val, 15)) end
      w[k] = { val = val }
      tabrow_w = tabrow_w + val + 3
    end
  end
  borderlen = math.max(borderlen, tabrow_w)
  local maxfltr_w = 0
  for _, pc in ipairs(cols) do
    maxfltr_w = math.max(maxfltr_w, pc.text and (#pc.text + 11) or 26)
  end
  if maxfltr_w > borderlen and borderlen < 102 then borderlen = math.min(maxfltr_w, 102) end
  if borderlen - tabrow_w == 1 then borderlen = borderlen + 1 end
  local function line(s) o[#o + 1] = s end
  local function padbar(s) return s .. rjust("|", borderlen - #s) end
  line("")
  line(("="):rep(borderlen))
  line("|" .. string.format("%-" .. (borderlen - 2) .. "s", " IO Statistics") .. "|")
  line("|" .. (" "):rep(borderlen - 2) .. "|")
  -- Duration: the elapsed time rounded to the interval's precision (microseconds for whole seconds)
  local dur_prec = prec == 0 and 6 or prec
  local ens = L.elapsed_ns
  local unit = 10 ^ (9 - dur_prec)
  unit = math.tointeger(unit)
  local rounded = ((ens + unit // 2) // unit)
  local emag = magnitude(ens // 1000000000, 5)
  local dur_w = emag + (prec == 0 and 0 or prec + 1)
  local function fixed(units, p, padc)
    local d = math.tointeger(10 ^ p)
    if p == 0 then return tostring(units) end
    return string.format("%d.%" .. padc .. p .. "d", units // d, units % d)
  end
  -- tshark 4.0 pads the microseconds of a whole-second interval's duration with spaces ("51. 17912")
  line(padbar("| Duration: " .. rjust(fixed(rounded, dur_prec, prec == 0 and "" or "0"), dur_w) .. " secs"))
  local iv = interval or 0
  local ivunit = math.tointeger(10 ^ (6 - prec))
  line(padbar("| Interval: " .. rjust(fixed(iv // ivunit, prec, "0"), dur_w) .. " secs"))
  line("|" .. (" "):rep(borderlen - 2) .. "|")
  for k, pc in ipairs(cols) do
    local s = (k == 1 and "| Col " or "|     ") .. string.format("%d: ", k)
    if not pc.text then
      s = s .. "Frames and bytes"
    else
      local f = pc.text
      local max_w = borderlen - 11
      while #f > max_w do
        local cut = f:sub(1, max_w)
        local sp = cut:match(".*() ")
        local len, nxt
        if sp then len, nxt = sp - 1, sp + 1 else len, nxt = max_w, max_w + 1 end
        s = s .. f:sub(1, len)
        line(padbar(s))
        s = "|         "
        f = f:sub(nxt)
      end
      s = s .. f
    end
    line(padbar(s))
  end
  line("|-" .. ("-"):rep(borderlen - 3) .. "|")
  local filler = tabrow_w < borderlen and rjust("|", borderlen - tabrow_w) or ""
  local h = "|" .. rjust("|", invl_col_w - 1)
  for k, pc in ipairs(cols) do
    local padding = pc.calc == "FB" and (w[k].fr + w[k].val + 3) or w[k].val
    h = h .. string.format("%-2d", k) .. (" "):rep(padding) .. "|"
  end
  line(h .. filler)
  h = "| Interval" .. rjust("|", invl_col_w - 10)
  for k, pc in ipairs(cols) do
    if pc.calc == "FB" then
      h = h .. printcenter("Frames", w[k].fr, 1) .. printcenter("Bytes", w[k].val, 1)
    else
      h = h .. printcenter(pc.calc, w[k].val, 1)
    end
  end
  line(h .. filler)
  line("|-" .. ("-"):rep(tabrow_w - 3) .. "|" .. filler)
  local dvv = math.tointeger(1000000 // math.tointeger(10 ^ prec))
  for i = 1, #t do
    local ts, te = L.starts[i], L.ends[i]
    local last = te >= rdur
    local s
    if prec == 0 then
      if last then
        local maxw = dm >= 3 and dm + 1 or 3
        s = "| " .. (dm == 1 and " " or "") .. string.format("%" .. dm .. "d", ts // 1000000) .. " <> " ..
          string.format("%-" .. maxw .. "s", "Dur") .. "|"
      else
        local f = "%" .. dm .. "d"
        local pre, post = "| ", " |"
        if dm == 1 then pre, post = "|  ", "  |" end
        s = pre .. string.format(f, ts // 1000000) .. " <> " .. string.format(f, te // 1000000) .. post
      end
    else
      local f = "%" .. dm .. "d.%0" .. prec .. "d"
      s = "| " .. string.format(f, ts // 1000000, (ts % 1000000) // dvv) .. " <> " ..
        string.format(f, te // 1000000, (te % 1000000) // dvv) .. " |"
    end
    for k, pc in ipairs(cols) do
      if pc.calc == "FB" then
        s = s .. string.format(" %" .. w[k].fr .. "d | %" .. w[k].val .. "d |", t:col("c" .. k .. "_frames")[i],
          t:col("c" .. k .. "_bytes")[i])
      else
        s = s .. string.format(" %" .. w[k].val .. "d |", t:col("c" .. k .. "_" .. pc.calc:lower())[i])
      end
    end
    line(s .. filler)
  end
  line(("="):rep(borderlen))
  return table.concat(o, "\n") .. "\n"
end

-- ---------------------------------------------------------------- io,phs

-- pf.phs(paths | Table) -> Table {protocol, layer, depth, frames, bytes}: tshark's -z io,phs as far
-- as pktframe decodes layers (pktframe.capinfo's hierarchy, children in order of first
-- appearance, the "frame" root left out, TLS handshakes named tls). tshark lists more layers
-- (data, tls records, protocols pktframe does not decode): there the two differ.
function M.phs(src, filter)
  local capinfo = require "pktframe.capinfo"
  if filter then src = read_input(src, nil, filter, "phs") end
  local h, err = capinfo.hierarchy(src, { order = "appearance" })
  if not h then error(err, 0) end
  local keep = h:col("depth"):gt(0)
  h = h:filter(keep)
  local layer = h:col("layer")
  local names, depth = {}, {}
  local D = h:col("depth")
  for i = 1, #h do
    names[i] = layer[i] == "tls.handshake" and "tls" or layer[i]
    depth[i] = D[i] - 1
  end
  return pf.table{ { "protocol", h:col("protocol"):totable() }, { "layer", names }, { "depth", depth },
    { "frames", h:col("frames"):totable() }, { "bytes", h:col("bytes"):totable() } }
end

local function phs_text(t, filter)
  local o = { "", ("="):rep(67), "Protocol Hierarchy Statistics", "Filter: " .. (filter or ""), "" }
  local L, D, F, B = t:col("layer"), t:col("depth"), t:col("frames"), t:col("bytes")
  for i = 1, #t do
    o[#o + 1] = string.format("%-40s frames:%d bytes:%d", ("  "):rep(D[i]) .. L[i], F[i], B[i])
  end
  o[#o + 1] = ("="):rep(67)
  return table.concat(o, "\n") .. "\n"
end

-- ---------------------------------------------------------------- follow,udp

-- pf.follow(src, "udp", N) -> Table {frame, node, payload}: the datagrams of udp.stream N in file
-- order, node 0 for the side that sent the first one, 1 for the other (tshark's -z follow,udp).
-- The second result: {a =, pa =, b =, pb =} the two nodes. TCP is not done yet.
function M.follow(src, proto, stream)
  if proto ~= "udp" then
    error("bad argument #2 to 'follow' (only udp is supported by pktframe stats, got " .. tostring(proto) .. ")", 2)
  end
  stream = math.tointeger(tonumber(stream))
  if not stream or stream < 0 then error("bad argument #3 to 'follow' (a stream number expected)", 2) end
  local fields = { "frame.number", "ip.src", "ip.dst", "ipv6.src", "ipv6.dst", "udp.srcport", "udp.dstport",
    "udp.stream", "udp.payload" }
  local t = read_input(src, fields, "udp.stream == " .. stream, "follow")
  local nodes = {}
  local out
  if #t == 0 then
    out = pf.table{ { "frame", {} }, { "node", {} }, { "payload", {} } }
    return out, nodes
  end
  local v6 = t:col("ipv6.src")[1] ~= nil
  local src_f, dst_f = v6 and "ipv6.src" or "ip.src", v6 and "ipv6.dst" or "ip.dst"
  nodes.a, nodes.b = t:col(src_f)[1], t:col(dst_f)[1]
  nodes.pa, nodes.pb = t:col("udp.srcport")[1], t:col("udp.dstport")[1]
  local from_a = t:col(src_f):eq(nodes.a) & t:col("udp.srcport"):eq(nodes.pa)
  local r = t:with("node", from_a:where(0, 1)):select("frame.number", "node", "udp.payload")
    :rename{ ["frame.number"] = "frame", ["udp.payload"] = "payload" }
  return r, nodes
end

local function printable(b)
  return (b >= 0x20 and b < 0x7f) and string.char(b) or "."
end

local function follow_text(t, nodes, spec)
  local o = { "", ("="):rep(67), "Follow: udp," .. spec.mode, "Filter: udp.stream eq " .. spec.stream }
  if nodes.a then
    local function ep(a, p) return (tostring(a):find(":", 1, true) and "[" .. a .. "]" or tostring(a)) .. ":" .. p end
    o[#o + 1] = "Node 0: " .. ep(nodes.a, nodes.pa)
    o[#o + 1] = "Node 1: " .. ep(nodes.b, nodes.pb)
  else   -- no such stream: tshark prints empty nodes
    o[#o + 1] = "Node 0: :0"
    o[#o + 1] = "Node 1: :0"
  end
  local N, P = t:col("node"), t:col("payload")
  local offset = { [0] = 0, [1] = 0 }
  for i = 1, #t do
    local node, data = N[i], P[i] or ""
    local ind = node == 1 and "\t" or ""
    if spec.mode == "raw" then
      o[#o + 1] = ind .. pf.hex(data)
    elseif spec.mode == "ascii" then
      o[#o + 1] = ind .. #data
      o[#o + 1] = (data:gsub("[^\r\n]", function(c) return printable(c:byte()) end))
    else
      for k = 1, #data, 16 do
        local chunk = data:sub(k, k + 15)
        local hx, asc = {}, {}
        for j = 1, #chunk do
          local b = chunk:byte(j)
          hx[#hx + 1] = string.format("%02x ", b) .. (j == 8 and " " or "")
          asc[#asc + 1] = printable(b) .. (j == 8 and #chunk > 8 and " " or "")
        end
        local h = table.concat(hx)
        -- tshark leaves out trailing blanks (a last byte 0x20 too)
        o[#o + 1] = (string.format("%s%08X  %s%s %s", ind, offset[node] + k - 1, h, (" "):rep(49 - #h),
          table.concat(asc)):gsub(" +$", ""))
      end
      offset[node] = offset[node] + #data
    end
  end
  o[#o + 1] = ("="):rep(67)
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
  if name == "follow" then
    if parts[2] ~= "udp" then
      return nil, "-z " .. z .. ": pktframe stats follows udp streams only (follow,udp,ascii|hex|raw,N)"
    end
    if not ({ ascii = true, hex = true, raw = true })[parts[3] or ""] then
      return nil, "-z " .. z .. ": unknown mode '" .. tostring(parts[3]) .. "' (ascii, hex or raw)"
    end
    local n = math.tointeger(tonumber(parts[4] or ""))
    if not n or n < 0 or parts[5] then return nil, "-z " .. z .. ": a stream number expected (follow,udp,MODE,N)" end
    return { name = "follow", mode = parts[3], stream = n }
  end
  if name == "io" and parts[2] == "phs" then
    local filter = rest_after(2)
    if filter == "" then filter = nil end
    return { name = "phs", filter = filter }
  end
  if name == "io" and parts[2] == "stat" then
    if not parts[3] or parts[3] == "" then return nil, "-z " .. z .. ": io,stat needs an interval (io,stat,INTERVAL[,FILTER...])" end
    local us, _, err = parse_interval(parts[3])
    if err then return nil, "-z " .. z .. ": " .. err end
    local cols = {}
    for k = 4, #parts do cols[#cols + 1] = parts[k] end
    for _, c in ipairs(cols) do
      local pc, perr = parse_iocol(c)
      if not pc then return nil, "-z " .. z .. ": " .. perr end
      if pc.field and not pf.fields("^" .. pc.field:gsub("%p", "%%%0") .. "$")[1] then
        return nil, "-z " .. z .. ": pktframe does not decode field '" .. pc.field .. "'"
      end
    end
    return { name = "iostat", interval = parts[3], cols = cols }
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
  if spec.name == "phs" then return M.phs(src, both(yf, spec.filter)) end
  if spec.name == "follow" then
    local src2 = src
    if yf then src2 = read_input(src, nil, yf, "follow") end
    return M.follow(src2, "udp", spec.stream)
  end
  if spec.name == "iostat" then
    local src2 = src
    if yf then src2 = read_input(src, nil, yf, "iostat") end
    return M.iostat(src2, spec.interval, spec.cols)
  elseif spec.name == "conv" then
    return M.conv(src, spec.kind, both(yf, spec.filter))
  elseif spec.name == "endpoints" then
    return M.endpoints(src, spec.kind, both(yf, spec.filter))
  end
  error("unknown statistic " .. tostring(spec.name))
end

function M.text(spec, t, layout)
  if spec.name == "iostat" then return iostat_text(t, layout) end
  if spec.name == "phs" then return phs_text(t, spec.filter) end
  if spec.name == "follow" then return follow_text(t, layout, spec) end
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
  io,stat,INTERVAL[,COL...]  packets per interval (seconds; 0: the whole capture) from the first
                             packet; a COL is a display filter (frames and bytes it accepts) or
                             COUNT|SUM|MIN|MAX|AVG(FIELD)[FILTER] of an integer field
  io,phs[,FILTER]            protocol hierarchy, as far as pktframe decodes layers (eth, sll,
                             vlan, ip, ipv6, arp, icmp, icmpv6, tcp, udp, dns, mdns, dhcp, http,
                             ssdp, tls handshakes): tshark lists more where there are more
  follow,udp,ascii|hex|raw,N the datagrams of udp.stream N (TCP is not done yet)

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
    local ok, t, layout = pcall(M.compute, s, caps, yf)
    if not ok then fail(tostring(t), 1) end
    if csv then
      io.write("# ", s.z, "\n", t:to_csv())
    elseif outdir then
      local name = outdir .. "/" .. s.z:gsub("[^%w%.%-]", "_") .. ".csv"
      local wok, werr = t:to_csv(name)
      if not wok then fail(werr, 1) end
    else
      io.write(M.text(s, t, layout))
    end
  end
  io.stdout:flush()
  return 0
end

return M
