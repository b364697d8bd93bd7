-- pktframe.payload: payload bytes by source and destination address and by TCP and UDP port
-- (notebook 004), as tables and horizontal bar charts of the top N with the rest summed.
--
--   local payload = require "pktframe.payload"
--   local t <close> = assert(pf.read("x.pcap", {fields = payload.fields()}))
--   local r = payload.analyse(t)     -- r.ip_src, r.ip_dst, r.tcp_srcport, ... : key, bytes, packets
--
-- A packet's payload is what its transport carries: tcp.len for TCP, udp.length - 8 for UDP;
-- other packets carry none (null: they count in no sum, so an address seen only in ICMP or ARP
-- gets 0 bytes). The notebook's scapy "Raw" layer is the same bytes for TCP and UDP.
local pf = require "pktframe"
local family = require "pktframe.family"

local M = {}

-- The fields of family fam (nil: IPv4 and IPv6, "ipv4", "ipv6"; true: "ipv6").
function M.fields(fam)
  return family.fields(family.arg(fam), { "frame.number", "frame.time_epoch", "tcp.srcport", "tcp.dstport",
    "udp.srcport", "udp.dstport", "tcp.len", "udp.length" })
end

-- The payload Column of t: tcp.len, else udp.length - 8, else null.
function M.column(t)
  local tl = t:col("tcp.len")
  return tl:notnull():where(tl, t:col("udp.length") - 8)
end

-- t with a "payload" column.
function M.with_payload(t)
  return t:with("payload", M.column(t))
end

-- Payload bytes and packets per value of key (a column of p, the table with "payload"), most
-- bytes first; ties in key order. Rows where key is null are in no group.
function M.by(p, key)
  return p:groupby(key, { sort = true }):agg{ { "bytes", "payload", "sum" }, { "packets", "payload", "count" } }
          :sort("bytes", { desc = true })
end

-- The keys of analyse's result and what they group by.
M.KEYS = {
  { "ip_src", "src", "Source addresses" }, { "ip_dst", "dst", "Destination addresses" },
  { "tcp_srcport", "tcp.srcport", "TCP source ports" }, { "tcp_dstport", "tcp.dstport", "TCP destination ports" },
  { "udp_srcport", "udp.srcport", "UDP source ports" }, { "udp_dstport", "udp.dstport", "UDP destination ports" },
}

-- {ip_src =, ip_dst =, tcp_srcport =, tcp_dstport =, udp_srcport =, udp_dstport =}: Tables of the
-- key, bytes, packets; titles[name] says what each is.
function M.analyse(t, opts)
  opts = opts or {}
  local fam = family.check(opts)
  local p = family.with_addresses(M.with_payload(t), fam)
  local names = { src = fam == "ipv6" and "ipv6.src" or "ip.src", dst = fam == "ipv6" and "ipv6.dst" or "ip.dst" }
  if fam == nil then names = { src = "src", dst = "dst" } end
  local res, titles = {}, {}
  for _, k in ipairs(M.KEYS) do
    local r = M.by(p, k[2])
    if names[k[2]] then r = r:rename{ [k[2]] = names[k[2]] } end   -- ip.src, ipv6.src or src
    res[k[1]] = r
    titles[k[1]] = k[3]
  end
  return res, titles
end

-- The first n rows of a by() table, and a last "other (K)" row summing the rest: labels and values
-- as Lua lists (for a bar chart; n + 1 values at most).
function M.top(tbl, n)
  local key = tbl:columns()[1]
  local head = tbl:head(n)
  local labels, values = {}, head:col("bytes"):totable()
  local keys = head:col(key):totable()
  for i = 1, #head do labels[i] = tostring(keys[i]) end
  if #tbl > n then
    local rest = tbl:slice(n + 1)
    labels[#labels + 1] = string.format("other (%d)", #rest)
    values[#labels] = rest:col("bytes"):sum()
  end
  values.n = #labels
  return labels, values
end

-- {name = svg}: a bar chart per table of analyse.
function M.plots(res, titles, n)
  local plot = require "pktframe.plot"
  local out = {}
  for name, tbl in pairs(res) do
    local labels, values = M.top(tbl, n or 15)
    out["payload_" .. name] = plot.bar{
      title = titles[name] .. ": payload bytes (top " .. (n or 15) .. ", the rest summed)",
      labels = labels, values = values, xlabel = "payload bytes" }
  end
  return out
end

return M
