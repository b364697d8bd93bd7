-- pktframe.family: the IP address columns of the analyses, over both families by default.
--
--   local family = require "pktframe.family"
--   local fam = family.of(o)                  -- nil (both), "ipv4" or "ipv6", from --ipv4/--ipv6/--ip6
--   local t <close> = assert(pf.read(p, {fields = family.fields(fam, {"frame.number"})}))
--   local src, dst = family.col(t, "src", fam), family.col(t, "dst", fam)
--
-- An analysis covers all a capture's traffic: IPv4 and IPv6 in one run. A packet's address is
-- ipv6.src (ipv6.dst) when it has one, else ip.src (ip.dst): the innermost network layer of a
-- 6in4 tunnel is the IPv6 one, which carries the TCP or UDP. Over both families the column is a
-- string column of tshark's text of each address (Column:where of an ipv4 and an ipv6 column);
-- when the table holds addresses of one family only it is that family's own column (typed, as
-- before). fam "ipv4" or "ipv6" restricts to one family: the other's packets have no address.
local M = {}

M.FAMILIES = { ipv4 = { src = "ip.src", dst = "ip.dst", len = "ip.len", proto = "ip.proto" },
  ipv6 = { src = "ipv6.src", dst = "ipv6.dst", len = "ipv6.plen", proto = "ipv6.nxt" } }

-- The options every analysis example takes (append to pf.args' options).
M.OPTIONS = {
  { "ipv4", type = "boolean", help = "IPv4 packets only (default: IPv4 and IPv6)" },
  { "ipv6", type = "boolean", help = "IPv6 packets only (default: IPv4 and IPv6)" },
  { "ip6", type = "boolean", help = "the same as --ipv6" },
}

-- The options list of an example with the family options after its own.
function M.options(list)
  local out = {}
  for _, o in ipairs(list) do out[#out + 1] = o end
  for _, o in ipairs(M.OPTIONS) do out[#out + 1] = o end
  return out
end

-- of(o) -> nil | "ipv4" | "ipv6" from parsed options (o.ipv4, o.ipv6, o.ip6), or from a module's
-- opts (opts.family, or the older opts.ip6 / opts.ipv6 = true); nil, message for both flags.
function M.of(o)
  if not o then return nil end
  if o.family ~= nil then
    if o.family == "both" then return nil end
    if not M.FAMILIES[o.family] then return nil, "family must be 'ipv4', 'ipv6' or 'both'" end
    return o.family
  end
  local v6 = o.ipv6 or o.ip6
  if o.ipv4 and v6 then return nil, "--ipv4 and --ipv6 exclude each other (neither: both families)" end
  return o.ipv4 and "ipv4" or v6 and "ipv6" or nil
end

-- The family a module's fields(x) means: true (the older ip6 flag) "ipv6", nil or false both.
function M.arg(x)
  if x == true then return "ipv6" end
  if x == false or x == "both" then return nil end
  return x
end

-- The family of a module's opts, or an error naming fname.
function M.check(opts, fname)
  local fam, err = M.of(opts)
  if err then error(("bad argument #2 to '%s' (%s)"):format(fname or "analyse", err), 3) end
  return fam
end

-- The field names the addresses of fam need (both families: four), after the given ones;
-- with_len adds the IP lengths (ip.len, ipv6.plen), with_proto the protocol numbers.
function M.fields(fam, list, with_len, with_proto)
  local out = {}
  for _, f in ipairs(list or {}) do out[#out + 1] = f end
  for _, name in ipairs({ "ipv4", "ipv6" }) do
    if fam == nil or fam == name then
      local n = M.FAMILIES[name]
      out[#out + 1] = n.src
      out[#out + 1] = n.dst
      if with_len then out[#out + 1] = n.len end
      if with_proto then out[#out + 1] = n.proto end
    end
  end
  return out
end

local function has(t, name)
  for _, c in ipairs(t:columns()) do if c == name then return true end end
  return false
end

-- The Column of side ("src" or "dst") of every row of t, of family fam (nil: both).
function M.col(t, side, fam)
  local v4 = (fam == nil or fam == "ipv4") and has(t, M.FAMILIES.ipv4[side]) and t:col(M.FAMILIES.ipv4[side])
  local v6 = (fam == nil or fam == "ipv6") and has(t, M.FAMILIES.ipv6[side]) and t:col(M.FAMILIES.ipv6[side])
  if fam == "ipv4" or not v6 then return v4 end
  if fam == "ipv6" or not v4 then return v6 end
  if v6:count() == 0 then return v4 end
  -- an IPv6 address, else the IPv4 one; only the IPv6 ones when the table has no IPv4 packet that
  -- lacks IPv6 (a capture of IPv6 only, or of 6in4 only)
  local only4 = v4:notnull() & v6:isnull()
  if only4:sum() == 0 then return v6 end
  return v6:notnull():where(v6, v4)
end

-- The IP length of each row: ip.len (the whole IPv4 packet) or ipv6.plen + 40 (the IPv6 header
-- counted, so that the two families' lengths mean the same).
function M.len(t, fam)
  local v4 = (fam == nil or fam == "ipv4") and has(t, "ip.len") and t:col("ip.len")
  local v6 = (fam == nil or fam == "ipv6") and has(t, "ipv6.plen") and (t:col("ipv6.plen") + 40)
  if not v6 then return v4 end
  if not v4 then return v6 end
  return t:col("ipv6.src"):notnull():where(v6, v4)
end

-- t with columns named src and dst (and len with with_len): the addresses of fam; rows without
-- an address of fam are dropped when drop is true.
function M.with_addresses(t, fam, drop, with_len)
  local src, dst = M.col(t, "src", fam), M.col(t, "dst", fam)
  t = t:with("src", src):with("dst", dst)
  if with_len then t = t:with("len", M.len(t, fam)) end
  if drop then t = t:filter(t:col("src"):notnull()) end
  return t
end

-- "IPv4 and IPv6", "IPv4" or "IPv6": what a title says of fam.
function M.name(fam)
  return fam == "ipv4" and "IPv4" or fam == "ipv6" and "IPv6" or "IPv4 and IPv6"
end

return M
