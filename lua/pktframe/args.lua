-- pktframe.args: command-line options for scripts: --help, defaults and type checks from one spec.
--
--   local o = pf.args{
--     description = "One row per TCP stream.",
--     positional = { { "capture", many = true, help = "capture files, read as one" } },
--     options = {
--       { "out", type = "string", metavar = "DIR", help = "write CSV and SVG files into DIR" },
--       { "interval", type = "duration", default = "1s", help = "bucket width" },
--       { "top", type = "integer", default = 10, help = "rows to print" },
--       { "resolve", type = "boolean", help = "reverse lookups" },
--       { "ip", type = "address", help = "a host" },          -- checked, tshark's text: 2001:db8::1
--       { "net", type = "network" },                          -- ADDR or ADDR/BITS
--     },
--   -- numbers, integers, durations and sizes take min =, max = (inclusive) and above = (exclusive);
--   -- any option takes check = function(v) return v or nil, why end (run before any work)
--   }
--   -- o.capture = {"a.pcap", ...}, o.out = nil, o.interval = 1.0, o.top = 10, o.resolve = false
--
-- pf.args(spec) parses the global arg (or spec.argv) and, on a mistake, prints the message and
-- the usage line to stderr and exits with status 2; --help prints the help and exits 0.
-- M.parse(spec, argv) does the same work without printing or exiting (for tests and callers
-- that handle errors themselves): it returns the values, or nil, message, status.
local M = {}

-- The value types: each turns the text of an argument into a value or returns nil, why.
-- sub-second units divide, so that "250ns" is the double nearest 250e-9, as the literal is
local UNITS = { ns = -1e9, us = -1e6, ms = -1e3, s = 1, min = 60, h = 3600 }
local SIZES = { [""] = 1, k = 1024, m = 1024 ^ 2, g = 1024 ^ 3, t = 1024 ^ 4 }

local function finite(x) return x ~= nil and x == x and x ~= math.huge and x ~= -math.huge end

local TYPES = {
  string = { metavar = "TEXT", what = "a text", conv = function(s) return s end },
  number = { metavar = "X", what = "a number", conv = function(s)
      local x = tonumber(s)
      if finite(x) then return x + 0.0 end
    end },
  integer = { metavar = "N", what = "an integer", conv = function(s)
      return math.tointeger(tonumber(s))
    end },
  -- a number and a unit (ns us ms s min h), or a number of seconds: the value is in seconds
  duration = { metavar = "DURATION", what = "a duration such as 100ms, 1s, 5min or 0.5",
    conv = function(s)
      local num, unit = s:match("^%s*([%d%.eE+]+)%s*(%a*)%s*$")
      local x = num and tonumber(num)
      if not finite(x) or x < 0 then return nil end
      if unit == "" then return x + 0.0 end
      local u = UNITS[unit]
      if u then return u < 0 and x / -u or x * u end
    end },
  -- a byte count with an optional binary suffix: 512, 64k, 512M, 1.5G (k = 1024), B or iB after it
  size = { metavar = "SIZE", what = "a size such as 4096, 64k, 512M or 2G",
    conv = function(s)
      local num, suf = s:match("^%s*([%d%.]+)%s*(%a*)%s*$")
      local x = num and tonumber(num)
      if not finite(x) then return nil end
      suf = suf:lower():gsub("i?b$", "")
      local m = SIZES[suf]
      if not m then return nil end
      return math.tointeger(math.floor(x * m + 0.5))
    end },
  boolean = { what = "a flag" },
  -- an IPv4 or IPv6 address; the value is tshark's text of it (IPv6 lower case, zeros compressed)
  address = { metavar = "ADDR", what = "an IPv4 or IPv6 address such as 10.0.0.1 or 2001:db8::1",
    conv = function(s) return M.address(s) end },
  -- an address or a network ADDR/BITS: the value is the text, the network part normalised
  network = { metavar = "ADDR[/BITS]", what = "an address or a network such as 10.0.0.0/8 or 2001:db8::/32",
    conv = function(s)
      local a, bits = s:match("^(.-)/(%d+)$")
      if not a then return M.address(s) end
      local norm = M.address(a)
      local b = tonumber(bits)
      if not norm or b > (norm:find(":", 1, true) and 128 or 32) then return nil end
      return norm .. "/" .. b
    end },
}

-- The 4 or 16 bytes of an IPv4 or IPv6 address text, or nil.
local function ipv4_bytes(s)
  local p = { s:match("^(%d%d?%d?)%.(%d%d?%d?)%.(%d%d?%d?)%.(%d%d?%d?)$") }
  if #p ~= 4 then return nil end
  for i = 1, 4 do
    p[i] = tonumber(p[i])
    if p[i] > 255 then return nil end
  end
  return p
end

local function ipv6_groups(s)
  if not s:find(":", 1, true) or s:find("[^%x:%.]") then return nil end
  local head, tail = s, nil
  local dc = s:find("::", 1, true)
  if dc then
    head, tail = s:sub(1, dc - 1), s:sub(dc + 2)
    if tail:find("::", 1, true) then return nil end
  end
  local function groups(part, last)
    local g = {}
    if part == "" then return g end
    local items = {}
    for item in (part .. ":"):gmatch("([^:]*):") do items[#items + 1] = item end
    for i, item in ipairs(items) do
      if i == #items and last and item:find(".", 1, true) then
        local b = ipv4_bytes(item)
        if not b then return nil end
        g[#g + 1] = b[1] * 256 + b[2]
        g[#g + 1] = b[3] * 256 + b[4]
      elseif item:match("^%x%x?%x?%x?$") then
        g[#g + 1] = tonumber(item, 16)
      else
        return nil
      end
    end
    return g
  end
  local h = groups(head, tail == nil)
  local t = tail and groups(tail, true) or {}
  if not h or not t then return nil end
  local n = #h + #t
  if (dc and n > 7) or (not dc and n ~= 8) then return nil end
  local out = {}
  for _, v in ipairs(h) do out[#out + 1] = v end
  for _ = 1, 8 - n do out[#out + 1] = 0 end
  for _, v in ipairs(t) do out[#out + 1] = v end
  return out
end

-- address(text) -> tshark's text of an IPv4 or IPv6 address (RFC 5952: lower case, the longest
-- run of two or more zero groups as ::), or nil when text is not one.
function M.address(s)
  if type(s) ~= "string" then return nil end
  local b = ipv4_bytes(s)
  if b then return table.concat(b, ".") end
  local g = ipv6_groups(s)
  if not g then return nil end
  local best, blen, i = nil, 1, 1
  while i <= 8 do
    if g[i] == 0 then
      local j = i
      while j + 1 <= 8 and g[j + 1] == 0 do j = j + 1 end
      if j - i + 1 > blen then best, blen = i, j - i + 1 end
      i = j + 1
    else
      i = i + 1
    end
  end
  local function hex(from, to)
    local parts = {}
    for k = from, to do parts[#parts + 1] = ("%x"):format(g[k]) end
    return table.concat(parts, ":")
  end
  if not best then return hex(1, 8) end
  return hex(1, best - 1) .. "::" .. hex(best + blen, 8)
end

local function key_of(name) return (name:gsub("%-", "_")) end

-- Checks the spec (a programmer's mistake raises at the pf.args call) and indexes it.
local function compile(spec, level)
  if type(spec) ~= "table" then
    error("bad argument #1 to 'args' (table expected, got " .. type(spec) .. ")", level)
  end
  local c = { byname = {}, byshort = {}, options = {}, positional = {} }
  for i, o in ipairs(spec.options or {}) do
    local name = o[1] or o.name
    if type(name) ~= "string" or not name:match("^[%w][%w%-_]*$") then
      error(("bad argument #1 to 'args' (option #%d: name expected)"):format(i), level)
    end
    local ty = o.type or (o.choices and "string") or "string"
    if not TYPES[ty] then
      error(("bad argument #1 to 'args' (option '%s': unknown type '%s'; expected one of "
        .. "string, number, integer, boolean, duration, size, address, network)"):format(name, tostring(ty)), level)
    end
    if name == "help" or c.byname[name] then
      error(("bad argument #1 to 'args' (option '%s' declared twice)"):format(name), level)
    end
    local opt = { name = name, key = key_of(name), type = ty, help = o.help or "", default = o.default,
      choices = o.choices, metavar = o.metavar, required = o.required, short = o.short, check = o.check,
      min = o.min, max = o.max, above = o.above }
    if opt.default ~= nil and type(opt.default) == "string" and ty ~= "string" and ty ~= "boolean" then
      local v = TYPES[ty].conv(opt.default)
      if v == nil then
        error(("bad argument #1 to 'args' (option '%s': default '%s' is not %s)")
          :format(name, opt.default, TYPES[ty].what), level)
      end
      opt.value_default = v
    else
      opt.value_default = opt.default
    end
    if ty == "boolean" and opt.value_default == nil then opt.value_default = false end
    c.byname[name] = opt
    if opt.short then c.byshort[opt.short] = opt end
    c.options[#c.options + 1] = opt
  end
  for i, p in ipairs(spec.positional or {}) do
    local name = p[1] or p.name
    if type(name) ~= "string" then
      error(("bad argument #1 to 'args' (positional #%d: name expected)"):format(i), level)
    end
    if p.many and i ~= #spec.positional then
      error(("bad argument #1 to 'args' (positional '%s': only the last one may take many values)")
        :format(name), level)
    end
    c.positional[i] = { name = name, key = key_of(name), many = p.many, optional = p.optional,
      help = p.help or "" }
  end
  c.prog = spec.prog
  c.description = spec.description
  c.epilog = spec.epilog
  return c
end

local function prog_name(c, argv)
  if c.prog then return c.prog end
  local script = argv and argv[0]
  return script and ("pktframe run " .. script) or "pktframe run SCRIPT"
end

local function usage_line(c, prog)
  local parts = { "usage: " .. prog }
  for _, p in ipairs(c.positional) do
    local s = p.name:upper() .. (p.many and "..." or "")
    parts[#parts + 1] = p.optional and "[" .. s .. "]" or s
  end
  parts[#parts + 1] = "[options]"
  return table.concat(parts, " ")
end

local function metavar(o)
  if o.type == "boolean" then return nil end
  if o.metavar then return o.metavar end
  if o.choices then return table.concat(o.choices, "|") end
  return TYPES[o.type].metavar
end

local function help_text(c, prog)
  local rows = {}
  local function row(left, right) rows[#rows + 1] = { left, right } end
  for _, p in ipairs(c.positional) do row(p.name:upper() .. (p.many and "..." or ""), p.help) end
  local npos = #rows
  for _, o in ipairs(c.options) do
    local left = (o.short and ("-" .. o.short .. ", ") or "") .. "--" .. o.name
    local mv = metavar(o)
    if mv then left = left .. " " .. mv end
    local right = o.help
    if o.required then right = right .. " (required)"
    elseif o.default ~= nil and o.type ~= "boolean" then
      right = right .. " (default " .. tostring(o.default) .. ")"
    end
    row(left, right)
  end
  row("-h, --help", "show this help and exit")
  local w = 0
  for _, r in ipairs(rows) do w = math.max(w, #r[1]) end
  w = math.min(w, 28)
  local out = { usage_line(c, prog) }
  if c.description then out[#out + 1] = ""; out[#out + 1] = c.description end
  local function put(r)
    if #r[1] > w then out[#out + 1] = "  " .. r[1]; out[#out + 1] = (" "):rep(w + 4) .. r[2]
    else out[#out + 1] = "  " .. r[1] .. (" "):rep(w - #r[1] + 2) .. r[2] end
  end
  if npos > 0 then
    out[#out + 1] = ""; out[#out + 1] = "arguments:"
    for i = 1, npos do put(rows[i]) end
  end
  out[#out + 1] = ""; out[#out + 1] = "options:"
  for i = npos + 1, #rows do put(rows[i]) end
  if c.epilog then out[#out + 1] = ""; out[#out + 1] = c.epilog end
  return table.concat(out, "\n") .. "\n"
end

local function convert(o, text)
  local v = TYPES[o.type].conv(text)
  if v == nil then
    return nil, ("option '--%s': expected %s, got '%s'"):format(o.name, TYPES[o.type].what, text)
  end
  if o.min ~= nil and v < o.min then
    return nil, ("option '--%s': expected %s of at least %s, got '%s'"):format(o.name, TYPES[o.type].what, o.min, text)
  end
  if o.above ~= nil and v <= o.above then
    return nil, ("option '--%s': expected %s above %s, got '%s'"):format(o.name, TYPES[o.type].what, o.above, text)
  end
  if o.max ~= nil and v > o.max then
    return nil, ("option '--%s': expected %s of at most %s, got '%s'"):format(o.name, TYPES[o.type].what, o.max, text)
  end
  if o.check then   -- the spec's own check: returns the value (possibly changed), or nil, why
    local w, why = o.check(v)
    if w == nil then
      return nil, ("option '--%s': %s, got '%s'"):format(o.name, why or ("expected " .. TYPES[o.type].what), text)
    end
    v = w
  end
  if o.choices then
    local ok = false
    for _, ch in ipairs(o.choices) do if ch == v then ok = true end end
    if not ok then
      return nil, ("option '--%s': expected one of %s, got '%s'")
        :format(o.name, table.concat(o.choices, ", "), text)
    end
  end
  return v
end

local function run(c, argv)
  local prog = prog_name(c, argv)
  local vals, rest = {}, {}
  for _, o in ipairs(c.options) do vals[o.key] = o.value_default end
  local i, nargs, dashdash = 1, #argv, false
  local function fail(msg) return nil, msg, 2, prog end
  while i <= nargs do
    local a = argv[i]
    if dashdash or a == "-" or a:sub(1, 1) ~= "-" then
      rest[#rest + 1] = a
    elseif a == "--" then
      dashdash = true
    elseif a == "-h" or a == "--help" then
      return nil, help_text(c, prog), 0, prog
    else
      local name, value
      local o
      if a:sub(1, 2) == "--" then
        name, value = a:match("^%-%-([^=]+)=(.*)$")
        if not name then name = a:sub(3) end
        o = c.byname[name]
        if not o and name:sub(1, 3) == "no-" and c.byname[name:sub(4)]
          and c.byname[name:sub(4)].type == "boolean" and value == nil then
          vals[c.byname[name:sub(4)].key] = false
          goto continue
        end
      elseif #a == 2 then
        o = c.byshort[a:sub(2)]
      end
      if not o then
        local opt = name and "--" .. name or a
        local where = (opt == "-q" or opt == "--quiet" or opt == "--threads") and "pktframe run " .. opt
          .. (opt == "--threads" and " N" or "") .. " SCRIPT ..."
          or opt == "--max-memory" and "pktframe --max-memory SIZE run SCRIPT ..."
        if where then   -- pktframe's own options given after the script reach the script
          return fail(("unknown option '%s' (pktframe's own %s goes before the script: %s)"):format(opt, opt, where))
        end
        return fail(("unknown option '%s'"):format(opt))
      end
      if o.type == "boolean" then
        if value ~= nil then return fail(("option '--%s' takes no value"):format(o.name)) end
        vals[o.key] = true
      else
        if value == nil then
          if i == nargs then return fail(("option '--%s' needs a value"):format(o.name)) end
          i = i + 1
          value = argv[i]
        end
        local v, err = convert(o, value)
        if v == nil then return fail(err) end
        vals[o.key] = v
      end
    end
    ::continue::
    i = i + 1
  end
  local k = 1
  for _, p in ipairs(c.positional) do
    if p.many then
      local list = {}
      while k <= #rest do list[#list + 1] = rest[k]; k = k + 1 end
      if #list == 0 and not p.optional then return fail(("missing %s"):format(p.name:upper())) end
      vals[p.key] = list
    elseif rest[k] then
      vals[p.key] = rest[k]; k = k + 1
    elseif not p.optional then
      return fail(("missing %s"):format(p.name:upper()))
    end
  end
  if rest[k] then return fail(("unexpected argument '%s'"):format(rest[k])) end
  for _, o in ipairs(c.options) do
    if o.required and vals[o.key] == nil then
      return fail(("missing option '--%s'"):format(o.name))
    end
  end
  return vals
end

-- parse(spec, [argv]) -> values | nil, message, status (0 for --help: message is the help text)
function M.parse(spec, argv)
  local c = compile(spec, 3)
  argv = argv or spec.argv or _G.arg or {}
  return run(c, argv)
end

-- usage(spec, [argv]) -> the help text
function M.usage(spec, argv)
  local c = compile(spec, 3)
  return help_text(c, prog_name(c, argv or spec.argv or _G.arg))
end

setmetatable(M, { __call = function(_, spec)
  local c = compile(spec, 3)
  local argv = spec.argv or _G.arg or {}
  local vals, msg, status, prog = run(c, argv)
  if vals then return vals end
  if status == 0 then
    io.stdout:write(msg)
    io.stdout:flush()
    os.exit(0)
  end
  local script = c.prog or (argv[0] and argv[0]:match("[^/]*$")) or "pktframe"
  io.stderr:write(script, ": ", msg, "\n", usage_line(c, prog), "\n",
    "Try '", prog, " --help' for more.\n")
  io.stderr:flush()
  os.exit(2)
end })

return M
