-- pktframe.capinfo: what capinfos says of capture files, and a protocol hierarchy (tshark -qz io,phs).
--
--   local capinfo = require "pktframe.capinfo"
--   local infos = assert(capinfo.info({"a.pcap"}))   -- pf.info of each file: numbers and report text
--   local tree = capinfo.hierarchy({"a.pcap"})       -- Table: protocol, layer, depth, frames, bytes
--
-- The numbers come from pf.info (the C pass under `pktframe info`), so they are capinfos' own.
-- The hierarchy counts frames and bytes (frame.len) per layer path, built from the fields
-- pktframe decodes: link eth or sll; vlan; ip, ipv6 or arp; icmp, icmpv6, tcp or udp; and the
-- application layers dns (mdns on port 5353), http (frames with a request or response line;
-- ssdp over UDP), dhcp
-- and tls.handshake (frames with a TLS handshake message; other TLS records count under tcp only). Layers tshark
-- knows and pktframe does not decode are not shown, so a node's children may add up to less
-- than the node, as they do in tshark's own output.
local pf = require "pktframe"

local M = {}

-- pf.info of each path, in order: {report =, packets =, bytes =, first =, last =, ...}.
-- Returns nil, message for the first file that cannot be read.
function M.info(paths)
  if type(paths) == "string" then paths = { paths } end
  if type(paths) ~= "table" then
    error("bad argument #1 to 'info' (string or list of strings expected, got " .. type(paths) .. ")", 2)
  end
  local out = {}
  for i, p in ipairs(paths) do
    local inf, err = pf.info(p)
    if not inf then return nil, err end
    out[i] = inf
  end
  return out
end

-- The numbers of pf.info results as a Table, one row per file (times in epoch seconds).
function M.table(infos)
  local cols = { "file", "format", "linktypes", "file_size", "packets", "bytes", "captured", "first", "last",
    "duration", "byte_rate", "bit_rate", "packet_rate", "avg_packet_size", "ip_packets", "tcp_packets",
    "udp_packets", "other_ip_packets", "non_ip_packets" }
  local v = {}
  for _, c in ipairs(cols) do v[c] = { n = #infos } end
  for i, inf in ipairs(infos) do
    local lts = {}
    for _, lt in ipairs(inf.linktypes) do lts[#lts + 1] = lt.name or tostring(lt.linktype) end
    local d = inf.duration
    local pr = inf.protocols
    local row = { file = inf.path, format = inf.format, linktypes = table.concat(lts, ","),
      file_size = inf.file_size, packets = inf.packets, bytes = inf.bytes, captured = inf.captured,
      first = inf.first, last = inf.last, duration = d,
      byte_rate = d and d > 0 and inf.bytes / d or nil, bit_rate = d and d > 0 and 8 * inf.bytes / d or nil,
      packet_rate = d and d > 0 and inf.packets / d or nil,
      avg_packet_size = inf.packets > 0 and inf.bytes / inf.packets or nil,
      ip_packets = pr.ip.packets, tcp_packets = pr.tcp.packets, udp_packets = pr.udp.packets,
      other_ip_packets = pr.other_ip.packets, non_ip_packets = pr.non_ip.packets }
    for _, c in ipairs(cols) do v[c][i] = row[c] end
  end
  local spec = {}
  for i, c in ipairs(cols) do spec[i] = { c, v[c] } end
  return pf.table(spec)
end

-- The layers, outermost first: each a list of {name, field} of which the first present wins.
local LAYERS = {
  { { "eth", "eth.src" }, { "sll", "sll.pkttype" } },
  { { "vlan", "vlan.id" } },
  { { "ip", "ip.src" }, { "ipv6", "ipv6.src" }, { "arp", "arp.opcode" } },
  { { "ipv6", "ipv6.src" } },                 -- IPv6 carried in IPv4 (6in4)
  -- ICMP first: the IP and UDP/TCP headers an ICMP error quotes are inside it
  { { "icmp", "icmp.type" }, { "icmpv6", "icmpv6.type" }, { "tcp", "tcp.srcport" }, { "udp", "udp.srcport" } },
  { { "dns", "dns.id" }, { "dhcp", "dhcp.option.dhcp" }, { "http", "http.request.method" },
    { "http", "http.response.code" }, { "tls.handshake", "tls.handshake.type" } },
}

-- Layers told apart by a display filter rather than a field of their own: DNS on port 5353
-- is mDNS, as tshark names it.
local RENAMES = { { from = "dns", to = "mdns", filter = "udp.port == 5353" } }

M.hierarchy_fields = { "frame.len", "udp.srcport", "udp.dstport" }
do
  local seen = { ["frame.len"] = true, ["udp.srcport"] = true, ["udp.dstport"] = true }
  for _, layer in ipairs(LAYERS) do
    for _, alt in ipairs(layer) do
      if not seen[alt[2]] then seen[alt[2]] = true; M.hierarchy_fields[#M.hierarchy_fields + 1] = alt[2] end
    end
  end
end

local function key(f) return "has:" .. f end

-- hierarchy(paths | Table, [{order = "frames"}]) -> Table {protocol, layer, depth, frames, bytes}: one
-- row per node of the tree in depth-first order (children by frames, most first; with order =
-- "appearance" in order of first appearance, as tshark -z io,phs lists them), "frame" at the root. A Table
-- must hold frame.len and the fields in M.hierarchy_fields (pf.read(p, {fields = ...})).
function M.hierarchy(src, opts)
  local by_appearance = opts and opts.order == "appearance"
  local t = src
  if type(src) == "string" or (type(src) == "table" and getmetatable(src) == nil) then
    local err
    t, err = pf.read(src, { fields = M.hierarchy_fields })
    if not t then return nil, err end
  end
  -- one bool column per field ("has it"), then one group per combination: a handful of groups
  local keys = {}
  local w = t:select(M.hierarchy_fields)
  for i = 2, #M.hierarchy_fields do
    local f = M.hierarchy_fields[i]
    w = w:with(key(f), t:col(f):notnull())
    keys[#keys + 1] = key(f)
  end
  for _, r in ipairs(RENAMES) do
    w = w:with("is:" .. r.to, r.filter)
    keys[#keys + 1] = "is:" .. r.to
  end
  local groups = w:groupby(keys):agg{ { "frames", "frame.len", "size" }, { "bytes", "frame.len", "sum" } }
  -- each combination's layer path; every prefix of it is a node of the tree
  local nodes, order = {}, {}
  local function add(path, name, depth, frames, bytes)
    local n = nodes[path]
    if not n then
      n = { path = path, name = name, depth = depth, frames = 0, bytes = 0, children = {} }
      nodes[path] = n
      order[#order + 1] = n
    end
    n.frames, n.bytes = n.frames + frames, n.bytes + bytes
    return n
  end
  local root = add("frame", "frame", 0, 0, 0)
  for g = 1, #groups do
    local row = groups:row(g)
    local frames, bytes = row.frames, row.bytes
    root.frames, root.bytes = root.frames + frames, root.bytes + bytes
    local path, parent, depth, used = "frame", root, 0, {}
    for _, layer in ipairs(LAYERS) do
      for _, alt in ipairs(layer) do
        if row[key(alt[2])] == 1 and not used[alt[1]] then
          used[alt[1]] = true
          -- HTTP over UDP is SSDP (port 1900), as tshark names it
          local name = (alt[1] == "http" and used.udp) and "ssdp" or alt[1]
          for _, r in ipairs(RENAMES) do
            if name == r.from and row["is:" .. r.to] == 1 then name = r.to end
          end
          path = path .. ":" .. name
          depth = depth + 1
          local n = add(path, name, depth, frames, bytes)
          if not parent.children[path] then parent.children[path] = n; parent.children[#parent.children + 1] = n end
          parent = n
          break
        end
      end
    end
  end
  local rows = { protocol = {}, layer = {}, depth = {}, frames = {}, bytes = {} }
  local function walk(n)
    local k = #rows.protocol + 1
    rows.protocol[k], rows.layer[k], rows.depth[k] = n.path, n.name, n.depth
    rows.frames[k], rows.bytes[k] = n.frames, n.bytes
    local kids = {}
    for _, c in ipairs(n.children) do kids[#kids + 1] = c end
    if not by_appearance then table.sort(kids, function(a, b)
      if a.frames ~= b.frames then return a.frames > b.frames end
      return a.path < b.path
    end) end
    for _, c in ipairs(kids) do walk(c) end
  end
  if root.frames > 0 then walk(root) end
  return pf.table{ { "protocol", rows.protocol }, { "layer", rows.layer }, { "depth", rows.depth },
    { "frames", rows.frames }, { "bytes", rows.bytes } }
end

-- The hierarchy as tshark prints it: indented names, frames and bytes.
function M.format_hierarchy(h)
  local out = { string.format("%-32s %10s %14s", "Protocol hierarchy", "frames", "bytes") }
  local layer, depth, frames, bytes = h:col("layer"), h:col("depth"), h:col("frames"), h:col("bytes")
  for i = 1, #h do
    out[#out + 1] = string.format("%-32s %10d %14d", ("  "):rep(depth[i]) .. layer[i], frames[i], bytes[i])
  end
  return table.concat(out, "\n")
end

return M
