-- pktframe.volume: bytes per destination (and source) address, and per host name, the names taken
-- from the DNS answers in the capture itself (passive DNS), optionally from reverse lookups.
--
--   local volume = require "pktframe.volume"
--   local p = volume.pairs(pf.scan(paths))         -- one pass; or volume.pairs(t) on a Table
--   local dst = volume.by_address(p, "dst")        -- address, bytes, packets, most bytes first
--   local dns <close> = assert(pf.read(paths, {fields = volume.dns_fields, filter = volume.dns_filter}))
--   local names = volume.passive_dns(dns)          -- {[address] = name}, Table of the answers
--   local by_name = volume.by_name(volume.with_names(dst, names))   -- name, addresses, bytes, packets
--
-- The notebook's volume_stats_by_ip: groupby(ip_dst)["length"].sum() sorted by bytes, with
-- frame.len as the length; IPv4 and IPv6 addresses side by side (as text). Frames without an
-- IP address (ARP, ...) are left out. Names: an address of an A or AAAA record gets, from the
-- first response that gave it, the owner name of its own record; in the answer section, a record
-- reached from the question through the answers' CNAME chain gets the question's name (the name
-- the client asked for; the chain is in the answers table). Glue records (the name servers'
-- addresses in the authority and additional sections) keep their own owners, as tshark's
-- dns.resp.name shows them. With resolve, addresses the capture never named are
-- asked for their PTR record through pf.resolve (a timeout, a cache); the name's source says
-- which ("dns", "ptr" or "" for none).
local pf = require "pktframe"

local M = {}
local IP4, IP6 = pf.ipfields(false), pf.ipfields(true)

M.fields = { "frame.number", "frame.len", IP4.src, IP4.dst, IP6.src, IP6.dst,
  "dns.flags.response", "dns.qry.name", "dns.a", "dns.aaaa", "dns.cname" }
M.dns_fields = { "frame.number", "dns.flags.response", "dns.qry.name", "dns.a", "dns.aaaa", "dns.cname",
  "udp.payload", "tcp.payload" }
-- the DNS responses that name addresses (passive_dns reads these rows only)
M.dns_filter = "dns.flags.response == 1 and (dns.a or dns.aaaa)"

local SIDES = { dst = { IP4.dst, IP6.dst }, src = { IP4.src, IP6.src } }

-- pairs(src) -> Table ip.src, ip.dst, ipv6.src, ipv6.dst, bytes, packets: one row per combination
-- of addresses (nulls kept), from a Table or a pf.scan Query (one pass, memory by the pairs).
function M.pairs(src)
  local r, err = src:groupby({ IP4.src, IP4.dst, IP6.src, IP6.dst }, { dropna = false }):agg{
    { "bytes", "frame.len", "sum" }, { "packets", "frame.len", "size" } }
  if not r then return nil, err end
  return r
end

-- by_address(p, [side = "dst"], [fam]) -> Table address (string), bytes (sum of frame.len), packets;
-- most bytes first, ties by address text. p is pairs' result (or a Table of packets, grouped
-- here). A frame with two addresses on one side (IPv6 in IPv4) counts for each, as grouping
-- by each column in turn does. fam "ipv4" or "ipv6" counts that family's addresses only.
function M.by_address(p, side, fam)
  side = side or "dst"
  local cols = SIDES[side]
  if cols and fam == "ipv4" then cols = { cols[1] } elseif cols and fam == "ipv6" then cols = { cols[2] } end
  if not cols then error("bad argument #2 to 'by_address' ('dst' or 'src' expected, got '" .. tostring(side) .. "')", 2) end
  local names = {}
  for _, c in ipairs(p:columns()) do names[c] = true end
  if not names.packets then p = M.pairs(p) end
  local sum, cnt, order = {}, {}, {}
  local b, k = p:col("bytes"), p:col("packets")
  for _, c in ipairs(cols) do
    local a = p:col(c)
    for i = 1, #p do                     -- one row per address pair: a small table
      local addr = a[i]
      if addr ~= nil then
        if not sum[addr] then sum[addr], cnt[addr] = 0, 0; order[#order + 1] = addr end
        sum[addr], cnt[addr] = sum[addr] + b[i], cnt[addr] + k[i]
      end
    end
  end
  local addr, bytes, packets = { n = #order }, { n = #order }, { n = #order }
  for i, x in ipairs(order) do addr[i], bytes[i], packets[i] = x, sum[x], cnt[x] end
  local v = pf.table{ { "address", addr }, { "bytes", bytes }, { "packets", packets } }
  if #v == 0 then return v end
  return v:sort({ "bytes", "address" }, { desc = { true, false } })
end

-- The records of a DNS message (the bytes of udp.payload, or of tcp.payload after its 2-byte
-- length): {section = 1 answer, 2 authority, 3 additional; owner, type, addr (A/AAAA as text),
-- target (CNAME)}, and the first question's name; nil for a message cut short or malformed.
-- Names are lower-case-preserving dot-joined labels, "<Root>" for the root, as tshark prints them.
local function dns_name(m, o, depth)
  local labels, jumped, after = {}, false, nil
  local hops = 0
  while true do
    local n = m:byte(o)
    if n == nil then return nil end
    if n >= 0xc0 then
      local lo = m:byte(o + 1)
      if lo == nil then return nil end
      if not jumped then after = o + 2 end
      jumped = true
      o = ((n & 0x3f) << 8 | lo) + 1
      hops = hops + 1
      if hops > 64 then return nil end
    elseif n == 0 then
      if not jumped then after = o + 1 end
      break
    elseif n >= 0x40 then
      return nil
    else
      local l = m:sub(o + 1, o + n)
      if #l < n then return nil end
      labels[#labels + 1] = l
      o = o + 1 + n
    end
  end
  if #labels == 0 then return "<Root>", after end
  return table.concat(labels, "."), after
end

local function ip6text(b)
  local w = {}
  for i = 1, 16, 2 do w[#w + 1] = string.format("%x", (b:byte(i) << 8) | b:byte(i + 1)) end
  -- the longest run of two or more zero words becomes "::" (RFC 5952, as tshark writes it)
  local best, blen, i = nil, 1, 1
  while i <= 8 do
    if w[i] == "0" then
      local j = i
      while j + 1 <= 8 and w[j + 1] == "0" do j = j + 1 end
      if j - i + 1 > blen then best, blen = i, j - i + 1 end
      i = j + 1
    else
      i = i + 1
    end
  end
  if not best then return table.concat(w, ":") end
  return table.concat(w, ":", 1, best - 1) .. "::" .. table.concat(w, ":", best + blen, 8)
end

function M.dns_records(m)
  if m == nil or #m < 12 then return nil end
  local qd, an, ns, ar = string.unpack(">I2I2I2I2", m, 5)
  local o, qname = 13, nil
  for q = 1, qd do
    local name, after = dns_name(m, o)
    if not name or after + 3 > #m then return nil end
    if q == 1 then qname = name end
    o = after + 4
  end
  local recs = {}
  for k = 1, an + ns + ar do
    local owner, after = dns_name(m, o)
    if not owner or after + 9 > #m then return recs, qname end   -- cut short: the records before
    local ty, _, _, dlen = string.unpack(">I2I2I4I2", m, after)
    local data = after + 10
    if data + dlen - 1 > #m then return recs, qname end
    local r = { section = k <= an and 1 or k <= an + ns and 2 or 3, owner = owner, type = ty }
    if ty == 1 and dlen >= 4 then
      r.addr = string.format("%d.%d.%d.%d", m:byte(data, data + 3))
    elseif ty == 28 and dlen >= 16 then
      r.addr = ip6text(m:sub(data, data + 15))
    elseif ty == 5 then
      r.target = dns_name(m, data)
    end
    recs[#recs + 1] = r
    o = data + dlen
  end
  return recs, qname
end

-- The message of a row: UDP's payload, or a TCP segment holding one whole message after its length.
local function message(udp, tcp)
  if udp then return udp end
  if tcp and #tcp >= 2 then
    local n = string.unpack(">I2", tcp)
    if #tcp >= n + 2 then return tcp:sub(3, n + 2) end
  end
  return nil
end

-- passive_dns(t) -> {[address] = name}, Table address, name, cname, frame.number (the answer
-- that named it first). t holds M.dns_fields (rows of other packets are passed over).
function M.passive_dns(t)
  local resp = t:filter(M.dns_filter)
  local names, order = {}, {}
  local up, tp, fn = resp:col("udp.payload"), resp:col("tcp.payload"), resp:col("frame.number")
  for i = 1, #resp do                     -- DNS responses only: their records, in order
    local recs, q = M.dns_records(message(up[i], tp[i]))
    if recs and q then
      -- the answer section's chain from the question: q, then each CNAME target reached from it
      local chain, alias, inchain = {}, {}, { [q:lower()] = true }
      for _, r in ipairs(recs) do
        if r.section == 1 and r.type == 5 and r.target then alias[r.owner:lower()] = r.target end
      end
      local at = q:lower()
      while alias[at] and not inchain[alias[at]:lower()] do
        chain[#chain + 1] = alias[at]
        at = alias[at]:lower()
        inchain[at] = true
      end
      for _, r in ipairs(recs) do
        if r.addr and names[r.addr] == nil then
          local name = (r.section == 1 and inchain[r.owner:lower()]) and q or r.owner
          names[r.addr] = name
          order[#order + 1] = { r.addr, name, name == q and table.concat(chain, ",") or "", fn[i] }
        end
      end
    end
  end
  local A, N, C, F = { n = #order }, { n = #order }, { n = #order }, { n = #order }
  for k, r in ipairs(order) do A[k], N[k], C[k], F[k] = r[1], r[2], r[3] ~= "" and r[3] or nil, r[4] end
  return names, pf.table{ { "address", A }, { "name", N }, { "cname", C }, { "frame.number", F } }
end

-- with_names(vol, names, [ptr]) -> vol with name and source columns: the capture's name ("dns"),
-- else the reverse lookup's ("ptr", from the map ptr as pf.resolve returns it), else "(no name)"
function M.with_names(vol, names, ptr)
  local a = vol:col("address")
  local nm, src = { n = #vol }, { n = #vol }
  for i = 1, #vol do
    local addr = a[i]
    if names[addr] then nm[i], src[i] = names[addr], "dns"
    elseif ptr and ptr[addr] then nm[i], src[i] = ptr[addr], "ptr"
    else nm[i], src[i] = "(no name)", "" end
  end
  local x = pf.table{ { "name", nm }, { "source", src } }
  return vol:with("name", x:col("name")):with("source", x:col("source"))
end

-- by_name(named) -> Table name, addresses, bytes, packets, most bytes first (ties by name);
-- named is with_names' result
function M.by_name(named)
  local g = named:groupby("name"):agg{ { "addresses", "address", "size" }, { "bytes", "bytes", "sum" },
    { "packets", "packets", "sum" } }
  if #g == 0 then return g end
  return g:sort({ "bytes", "name" }, { desc = { true, false } })
end

-- resolve(vols, names, [{timeout =, server =}]) -> {[address] = name | false} from pf.resolve for
-- the addresses of the Tables vols (by_address results) that names lacks; nil, message when no
-- socket could be opened. Raises for a bad server, as pf.resolve does.
function M.resolve(vols, names, opts)
  local addrs, seen = {}, {}
  for _, v in ipairs(vols) do
    local a = v:col("address")
    for i = 1, #v do
      local x = a[i]
      if not names[x] and not seen[x] then seen[x] = true; addrs[#addrs + 1] = x end
    end
  end
  if #addrs == 0 then return {} end
  return pf.resolve(addrs, { timeout = opts and opts.timeout, server = opts and opts.server })
end

-- unnamed(named) -> list of the addresses without a name, for pf.resolve
function M.unnamed(named)
  local out = {}
  local a, s = named:col("address"), named:col("source")
  for i = 1, #named do if s[i] == "" then out[#out + 1] = a[i] end end
  return out
end

return M
