-- pktframe.repl: the Lua half of the REPL (src/cli/repl.c): loading captures and showing values
-- here; help() and fields() from pktframe.repl.help, Tab completion from pktframe.repl.complete.
-- These modules serve the REPL only: scripts have no use for them.
local pf = require "pktframe"
local help = require "pktframe.repl.help"
local complete = require "pktframe.repl.complete"

local M = {}

M.help = help.help
M.fields = help.fields
-- complete(line, word, [env]): see pktframe.repl.complete
M.complete = complete.complete

local is_ident = complete.is_ident

-- ---- loading ----

local function split(list)
  local out = {}
  for name in list:gmatch("[^,]+") do out[#out + 1] = name end
  return out
end

-- "2013-05-02 20:20:33.491822" (UTC) of integer nanoseconds.
local function utc(ns)
  local s, frac = ns // 1000000000, ns % 1000000000
  return os.date("!%Y-%m-%d %H:%M:%S", s) .. string.format(".%06d", frac // 1000)
end

-- What a table holds, in one or two lines: packets, time span, columns.
function M.summary(t, paths)
  local cols = t:columns()
  local what = #paths == 1 and paths[1] or (#paths .. " files")
  local line = string.format("cap: %d packets from %s", #t, what)
  local has_time = false
  for _, c in ipairs(cols) do has_time = has_time or c == "frame.time_epoch" end
  if has_time and #t > 0 then
    local c = t:col("frame.time_epoch")
    local a, b = c:ns(1), c:ns(#t)
    if a and b then
      -- the end's date too when the captures span days
      local ua, ub = utc(a), utc(b)
      if ub:sub(1, 10) == ua:sub(1, 10) then ub = ub:sub(12) end
      line = line .. string.format(", %s to %s UTC (%.3f s)", ua, ub, (b - a) / 1e9)
    end
  end
  line = line .. string.format("\n     %d columns: %s", #cols, table.concat(cols, " "))
  for _, msg in ipairs(t:diagnostics()) do line = line .. "\nwarning: " .. msg end
  return line
end

-- pf.read of the command line's captures: opts.fields is "a,b,c". Returns the table and its summary.
function M.load(paths, opts)
  local ro = { filter = opts.filter, bpf = opts.bpf }
  if opts.fields then ro.fields = split(opts.fields) end
  local ok, t, err = pcall(pf.read, #paths == 1 and paths[1] or paths, ro)
  if not ok then error((tostring(t):gsub("^bad argument #%d+ to 'read' %((.*)%)$", "%1")), 0) end
  if not t then error(err, 0) end
  return t, M.summary(t, paths)
end

-- ---- hints after errors ----

-- More to say after an error message, or nil: a field a table was not read with (a column or a
-- display filter naming it) says how to read it; cap is the REPL's table, when there is one.
function M.hint(msg, cap)
  if type(msg) ~= "string" or msg:find("reread", 1, true) then return nil end
  local names = {}
  local name = msg:match("no column named '([^']+)'")
  if name then names[#names + 1] = name end
  local a, b = msg:match("nor both '([^']+)' and '([^']+)'")
  if a then names = { a, b } end
  local fields = {}
  for _, n in ipairs(names) do
    for _, f in ipairs(pf.fields()) do
      if f.name == n then fields[#fields + 1] = string.format("%q", n) break end
    end
  end
  if #fields == 0 then return nil end
  local list = table.concat(fields, ", ")
  local ok, paths = pcall(function() return cap:paths() end)
  paths = ok and paths
  if paths then
    return string.format("hint: cap was read without %s: cap = cap:reread{fields = {%s}} reads %s again with %s",
                         list, list, #paths == 1 and paths[1] or (#paths .. " files"), #fields == 1 and "it" or "them")
  end
  return string.format("hint: the table was read without %s: give it in pf.read's fields = {...}, " ..
                       "or t:reread{fields = {%s}} on a table pf.read made", list, list)
end

-- ---- showing values ----

local function quote(s)
  return (string.format("%q", s):gsub("\\\n", "\\n"))
end

-- A number as the REPL prints it: integers as Lua does, floats with every digit they need to
-- read back the same (the shortest of %.14g .. %.17g), not Lua's 14 (1770126425.73256, not
-- 1770126425.7326); integral floats keep Lua's ".0".
local function number_text(v)
  if math.type(v) ~= "float" or v ~= v or v == math.huge or v == -math.huge then return tostring(v) end
  for p = 14, 17 do
    local s = string.format("%." .. p .. "g", v)
    if tonumber(s) == v then
      if not s:find("[.eEn]") then s = s .. ".0" end
      return s
    end
  end
  return string.format("%.17g", v)
end
M.number_text = number_text

local function repr(v, depth, seen)
  local tv = type(v)
  if tv == "string" then return quote(v) end
  if tv == "number" then return number_text(v) end
  if tv ~= "table" then return tostring(v) end
  local mt = debug.getmetatable(v)
  if mt and (rawget(mt, "__tostring") or rawget(mt, "__name")) then return tostring(v) end
  if seen[v] or depth > 2 then return "{…}" end
  seen[v] = true
  local parts, n, shown, limit = {}, 0, 0, 30
  local len = rawlen(v)
  for i = 1, len do
    n = n + 1
    if shown < limit then
      shown = shown + 1
      parts[#parts + 1] = repr(rawget(v, i), depth + 1, seen)
    end
  end
  local keys = {}
  for k in next, v do
    if not (math.type(k) == "integer" and k >= 1 and k <= len) then keys[#keys + 1] = k end
  end
  table.sort(keys, function(a, b)
    if type(a) == type(b) and (type(a) == "string" or type(a) == "number") then return a < b end
    return type(a) < type(b)
  end)
  for _, k in ipairs(keys) do
    n = n + 1
    if shown < limit then
      shown = shown + 1
      local key = is_ident(k) and k or ("[" .. repr(k, depth + 1, seen) .. "]")
      parts[#parts + 1] = key .. " = " .. repr(rawget(v, k), depth + 1, seen)
    end
  end
  seen[v] = nil
  if n > shown then parts[#parts + 1] = string.format("…(%d more)", n - shown) end
  return "{" .. table.concat(parts, ", ") .. "}"
end

-- The text the REPL prints for an expression's values: strings as they are,
-- plain tables inline (three levels, 30 items), the rest through tostring.
function M.show(...)
  local out = {}
  for i = 1, select("#", ...) do
    local v = select(i, ...)
    out[i] = type(v) == "string" and v or repr(v, 0, {})
  end
  return table.concat(out, "\t")
end

return M
