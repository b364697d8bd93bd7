-- pktframe: packet captures as columnar tables; the Lua face of the C core pktframe.core.
--
-- This is the only module that requires pktframe.core: every other one requires "pktframe",
-- so that it sees the module as scripts do (pf.default_fields set, pf.args, pf.ipfields)
-- and works whichever module a script requires first. A module this file requires itself
-- (pktframe.args) must not require "pktframe" when it loads: package.loaded has no entry for
-- "pktframe" until this file returns, so Lua 5.4 would run this file again, and again, until
-- "C stack overflow". Such a module takes what it needs as arguments, or requires "pktframe"
-- inside a function, at call time.
-- pktframe.filter, which the core requires when it compiles a display filter, needs only lpeg.
local core = require "pktframe.core"

local M = {}

-- The columns pf.read gives when its options name no fields: the core list, kept in this
-- one place. pf.read reads it at each call (core.default_fields is this same table).
M.default_fields = {
  "frame.number", "frame.time_epoch", "frame.len",
  "eth.src", "eth.dst",
  "ip.src", "ip.dst", "ip.proto",
  "tcp.srcport", "tcp.dstport", "udp.srcport", "udp.dstport",
  "tcp.stream", "tcp.len",
}
core.default_fields = M.default_fields

-- Re-exported as they are, so that argument errors name 'read' and 'fields'.
M.read = core.read
M.fields = core.fields
M.compile_filter = core.compile_filter
M.concat = core.concat
M.read_csv = core.read_csv
M.version = core.version
M.args = require "pktframe.args"   -- pf.args{...}: options, --help and type checks for scripts

-- pf.ipfields(ip6) -> {src =, dst =, len =, proto =}: the field names of one IP family, for the
-- analyses that read either family with the same code: IPv4's by default, IPv6's when ip6 is
-- true. len is ip.len (the whole IPv4 packet) or ipv6.plen (the payload: the 40-byte fixed
-- header is not counted). A new table at each call: the caller may change it.
function M.ipfields(ip6)
  if ip6 then return { src = "ipv6.src", dst = "ipv6.dst", len = "ipv6.plen", proto = "ipv6.nxt" } end
  return { src = "ip.src", dst = "ip.dst", len = "ip.len", proto = "ip.proto" }
end
-- tshark's -z statistics as Tables (pktframe.stats): loaded at the first call, since that module
-- requires "pktframe" itself.
for _, name in ipairs{ "conv", "endpoints", "iostat", "phs", "follow" } do
  M[name] = function(...) return require("pktframe.stats")[name](...) end
end
-- Every other function of the C core is public under its own name (pf.hex, pf.scan, ...).
for k, v in pairs(core) do
  if M[k] == nil and type(v) == "function" then M[k] = v end
end

return M
