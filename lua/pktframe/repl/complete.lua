-- pktframe.repl.complete: Tab completion for the REPL (src/cli/repl.c asks pktframe.repl's
-- complete, which is this one): names and keywords, fields and methods, fields in strings, and
-- the topics help knows after help(.
local pf = require "pktframe"
local help = require "pktframe.repl.help"

local M = {}

local keywords = {
  "and", "break", "do", "else", "elseif", "end", "false", "for", "function", "goto", "if", "in",
  "local", "nil", "not", "or", "repeat", "return", "then", "true", "until", "while",
}
local is_keyword = {}
for _, k in ipairs(keywords) do is_keyword[k] = true end

local function is_ident(k)
  return type(k) == "string" and k:match("^[%a_][%w_]*$") ~= nil and not is_keyword[k]
end

-- A key that can be written as a name (t.k), not only in brackets: pktframe.repl's show uses it.
M.is_ident = is_ident

-- Where the cursor is at the end of line: in a string (returns the quote and
-- the position of its first character), in a comment ("comment"), or in code (nil).
local function context(line)
  local i, n = 1, #line
  while i <= n do
    local c = line:sub(i, i)
    if c == '"' or c == "'" then
      local j = i + 1
      while j <= n and line:sub(j, j) ~= c do
        j = j + (line:sub(j, j) == "\\" and 2 or 1)
      end
      if j > n then return c, i + 1 end
      i = j + 1
    elseif c == "-" and line:sub(i + 1, i + 1) == "-" then
      local eq = line:match("^%-%-%[(=*)%[", i)
      if not eq then return "comment" end
      local close = line:find("]" .. eq .. "]", i, true)
      if not close then return "comment" end
      i = close + #eq + 2
    elseif c == "[" and line:match("^%[=*%[", i) then
      local eq = line:match("^%[(=*)%[", i)
      local close = line:find("]" .. eq .. "]", i, true)
      if not close then return "[", i + #eq + 2 end
      i = close + #eq + 2
    else
      i = i + 1
    end
  end
  return nil
end

-- Asked afresh at each Tab: pf.define_field may have added fields since the last.
local function fields_starting(prefix)
  local out = {}
  for _, f in ipairs(pf.fields()) do
    if f.name:sub(1, #prefix) == prefix then out[#out + 1] = f.name end
  end
  return out
end

local receiver_columns   -- defined below, used by complete

local function safe_index(obj, k)
  local tv = type(obj)
  if tv ~= "table" and tv ~= "userdata" and tv ~= "string" then return nil end
  local ok, v = pcall(function() return obj[k] end)
  return ok and v or nil
end

-- Keys of obj and of the method tables its metatables' __index lead to.
local function members(obj, methods_only, into)
  local function add(t)
    for k, v in next, t do
      if is_ident(k) and (not methods_only or type(v) == "function") then into[k] = true end
    end
  end
  if type(obj) == "table" then add(obj) end
  local mt, depth = debug.getmetatable(obj), 0
  while type(mt) == "table" and depth < 8 do
    local methods = help.methods_of(mt)
    if methods then add(methods) end
    local idx = rawget(mt, "__index")
    if type(idx) ~= "table" then break end
    mt, depth = debug.getmetatable(idx), depth + 1
  end
  return into
end

-- Methods of every pktframe object, for a receiver the completer cannot
-- evaluate without running code: cap:col("ip.src"):<Tab>.
local function all_methods(into)
  for k, mt in pairs(debug.getregistry()) do
    if type(k) == "string" and k:match("^pktframe%.%u") and type(mt) == "table" then
      local methods = help.methods_of(mt)
      for name, v in pairs(methods or {}) do
        if is_ident(name) and type(v) == "function" then into[name] = true end
      end
    end
  end
  return into
end

-- Candidates for token (the text the completion is about) made into
-- replacements of word (the text readline replaces); both end at the cursor.
local function replacements(cands, token, word, suffix)
  local out = {}
  if not (word:sub(-#token) == token or token:sub(-#word) == word) then return out end
  for _, c in ipairs(cands) do out[#out + 1] = word .. c:sub(#token + 1) .. (suffix or "") end
  return out
end

local function sorted_keys(set, prefix)
  local out = {}
  for k in pairs(set) do
    if k:sub(1, #prefix) == prefix and (prefix:sub(1, 1) == "_" or k:sub(1, 1) ~= "_") then out[#out + 1] = k end
  end
  table.sort(out)
  return out
end

-- The column names of the table a string argument is about, when the text before the string's
-- quote calls a column-taking method on a plain name or path (cap:col(, t:groupby({, cap[),
-- looked up without running code; nil otherwise.
local column_methods = {
  col = true, groupby = true, select = true, sort = true, unique = true, value_counts = true,
  describe = true, diff = true, shift = true, cumsum = true, rename = true, resample = true,
}
receiver_columns = function(before, env)
  local path, method = before:match("([%a_][%w_.]*)%s*:%s*([%a_][%w_]*)%s*%(%s*{?[^()]*$")
  if not (path and column_methods[method]) then
    path = before:match("([%a_][%w_.]*)%s*%[%s*$")
  end
  if not path then return nil end
  local obj = env
  for seg in path:gmatch("[^.]+") do
    obj = safe_index(obj, seg)
    if obj == nil then return nil end
  end
  local mt = debug.getmetatable(obj)
  if type(mt) ~= "table" or rawget(mt, "__name") ~= "pktframe.Table" then return nil end
  local ok, cols = pcall(function() return obj:columns() end)
  return ok and cols or nil
end

-- complete(line, word [, env]): line is the text before the cursor, word the
-- part of it readline replaces. Returns the replacements for word, or "files"
-- to have readline complete a file name (a string that is not a field name).
function M.complete(line, word, env)
  env = env or _G
  word = word or ""
  local q, start = context(line)
  if q == "comment" then return {} end
  if q then
    local content = line:sub(start)
    local cands = {}
    if content:match("^[%w_.]*$") then
      cands = fields_starting(content)
      -- cap:col("<Tab>, cap["<Tab>, t:groupby("...: the receiver's own columns, when some
      -- match (derived ones included); the field names only when none does
      local cols = receiver_columns(line:sub(1, start - 2), env)
      if cols then
        local mine = {}
        for _, c in ipairs(cols) do
          if c:sub(1, #content) == content then mine[#mine + 1] = c end
        end
        if #mine > 0 then cands = mine end
      end
      if line:sub(1, start - 2):match("help%s*%(?%s*$") then
        for _, t in ipairs(help.topics()) do
          if t:sub(1, #content) == content then cands[#cands + 1] = t end
        end
      end
    end
    if #cands == 0 then return content ~= "" and "files" or {} end
    return replacements(cands, content, word)
  end
  local token = line:match("[%w_.:]*$")
  local before = line:sub(1, #line - #token)
  if token:match("^%d") then return {} end   -- 3.<Tab>
  local path, sep, last = token:match("^(.-)([.:])([%w_]*)$")
  if not path then
    -- a name: globals and keywords, unless it follows a method call's ':'
    if before:match(":%s*$") or before:match("%.%s*$") then return {} end
    local set = members(env, false, {})
    for _, k in ipairs(keywords) do set[k] = true end
    return replacements(sorted_keys(set, token), token, word)
  end
  local set = {}
  if path == "" then
    -- cap:col("ip.src"):<Tab> or ("x"):<Tab>: the receiver is an expression
    if not before:match("[%)%]]%s*$") then return {} end
    if sep == ":" then all_methods(set) end
  else
    local obj = env
    for seg, s in (path .. "."):gmatch("([^.:]*)([.:])") do
      if s == ":" or not is_ident(seg) then return {} end   -- only the last separator may be ':'
      obj = safe_index(obj, seg)
      if obj == nil then return {} end
    end
    members(obj, sep == ":", set)
  end
  local keys = sorted_keys(set, last)
  local cands = {}
  for i, k in ipairs(keys) do cands[i] = path .. sep .. k end
  return replacements(cands, token, word, sep == ":" and "(" or nil)
end

return M
