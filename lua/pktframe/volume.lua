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
-- IP address (ARP, ...) are left out. Names: an address in a dns.a or dns.aaaa answer gets the
-- dns.qry.name of the first response that gave it (the name the client asked for; dns.cname
-- shows the chain in the answers table). With resolve, addresses the capture never named are
-- asked for their PTR record through pf.resolve (a timeout, a cache); the name's source says
-- which ("dns", "ptr" or "" for none).
local pf = require "pktframe"

local M = {}
local IP4, IP6 = pf.ipfields(false), pf.ipfields(true)

M.fields = { "frame.number", "frame.len", IP4.src, IP4.dst, IP6.src, IP6.dst,
  "dns.flags.response", "dns.qry.name", "dns.a", "dns.aaaa", "dns.cname" }
M.dns_fields = { "frame.number", "dns.flags.response", "dns.qry.name", "dns.a", "dns.aaaa", "dns.cname" }
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

-- passive_dns(t) -> {[address] = name}, Table address, name, cname, frame.number (the answer
-- that named it first). t holds the dns fields of M.fields.
function M.passive_dns(t)
  local resp = t:filter(M.dns_filter)
  local names, order = {}, {}
  local qn, a4, a6, cn, fn = resp:col("dns.qry.name"), resp:col("dns.a"), resp:col("dns.aaaa"),
    resp:col("dns.cname"), resp:col("frame.number")
  for i = 1, #resp do                     -- DNS responses only: every occurrence of the answers
    local q = qn[i]
    if q then
      local chain = cn:all(i)
      for _, col in ipairs({ a4, a6 }) do
        for _, addr in ipairs(col:all(i)) do
          if names[addr] == nil then
            names[addr] = q
            order[#order + 1] = { addr, q, table.concat(chain, ","), fn[i] }
          end
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
