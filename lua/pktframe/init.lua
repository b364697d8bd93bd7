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

-- Re-exported as they are, so that argument errors name 'fields'.
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

-- ---- display options: what tostring(t), t:print and t:to_string show (read by the C core) ----
-- pandas' display.* options: 0 or false is no limit; width nil is the terminal's width.
M.options = {
  display = { width = nil, max_rows = 60, min_rows = 10, max_cols = 0, max_colwidth = 50, dates = true },
}

-- ---- the Table's methods that live in Lua: paths and reread ----
local Table = debug.getregistry()["pktframe.Table"]
local methods = Table.__index
-- t["ip.src"] gives the column (methods first): the C __index, installed now that every binding
-- file has added its methods to the method table.
if type(Table.__pf_index) == "function" then Table.__index = Table.__pf_index end

-- What pf.read was given, by the table it made (weak keys: the record goes with the table):
-- pf.read is the core's read wrapped in C (table_lua.c), which records {paths =, opts =} there.
local origin = debug.getregistry()["pktframe.origins"]
M.read = Table.__pf_wrap_read(core.read)

local function copy(t)
  local out = {}
  for k, v in pairs(t) do out[k] = v end
  return out
end

-- t:paths() -> {paths} | nil: the files pf.read read t from, in order (nil for a derived table).
function methods.paths(t)
  local o = origin[t]
  return o and copy(o.paths) or nil
end

-- t:reread([opts]) -> Table | nil, message: pf.read of t's files again, with t's read options
-- overridden by opts; opts.fields are added to the fields t was read with (its columns).
function methods.reread(t, opts)
  local o = origin[t]
  if not o then error("calling 'reread' on bad self (a table pf.read made from files expected; this one was derived)", 2) end
  if opts ~= nil and type(opts) ~= "table" then
    error("bad argument #1 to 'reread' (table expected, got " .. type(opts) .. ")", 2)
  end
  local ro = copy(o.opts)
  local fields = copy(o.opts.fields or M.default_fields)
  local have = {}
  for _, f in ipairs(fields) do have[f] = true end
  for k, v in pairs(opts or {}) do
    if k == "fields" then
      if type(v) == "string" then v = { v } end
      for _, f in ipairs(v) do
        if not have[f] then fields[#fields + 1] = f; have[f] = true end
      end
    else
      ro[k] = v
    end
  end
  ro.fields = fields
  local paths = copy(o.paths)
  -- pf.read's errors (an unknown field) at the line that called reread
  local ok, r, err = pcall(M.read, #paths == 1 and paths[1] or paths, ro)
  if not ok then error(r, 2) end
  return r, err
end

return M
