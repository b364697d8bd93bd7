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
      line = line .. string.format(", %s to %s UTC (%.3f s)", utc(a), utc(b):sub(12), (b - a) / 1e9)
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

-- ---- showing values ----

local function quote(s)
  return (string.format("%q", s):gsub("\\\n", "\\n"))
end

local function repr(v, depth, seen)
  local tv = type(v)
  if tv == "string" then return quote(v) end
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
