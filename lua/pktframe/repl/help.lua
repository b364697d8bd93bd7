-- pktframe.repl.help: help(x) for the REPL: signatures and one-line docs read from docs/api.md at
-- run time (so the help never disagrees with the manual), field docs from pf.fields().
local pf = require "pktframe"

local M = {}

-- ---- reading docs/api.md ----

-- Markdown to terminal text: links keep their text, code and bold lose their marks.
local function clean(s)
  s = s:gsub("%[([^%]]*)%]%([^)]*%)", "%1")
  s = s:gsub("`([^`]*)`", function(code) return code:match("^%p+$") and "'" .. code .. "'" or code end)
  s = s:gsub("%*%*", "")
  return (s:gsub("^%s+", ""):gsub("%s+$", ""))
end

-- The first sentence of a paragraph ("e.g." and "1.5" do not end one).
local function first_sentence(p)
  local pos = 1
  while true do
    local i = p:find("%.%s", pos)
    if not i then return p end
    if not p:sub(1, i):match("e%.g%.$") and not p:sub(1, i):match("i%.e%.$") then return p:sub(1, i) end
    pos = i + 1
  end
end

-- Cells of a table row; a '|' inside `code` does not split.
local function cells(line)
  local out, cur, code = {}, {}, false
  for i = 2, #line do
    local c = line:sub(i, i)
    if c == "`" then code = not code end
    if c == "|" and not code then
      out[#out + 1] = table.concat(cur)
      cur = {}
    else
      cur[#cur + 1] = c
    end
  end
  return out
end

-- The name help finds an entry by: read for pf.read(...), col for t:col(name),
-- args for pf.args{...}, default_fields for pf.default_fields; nil for #t or c[i].
local function name_of(sig)
  local head = sig:match("^([^%({]*)[%({]")
  if head then return head:match("([%a_][%w_]*)$") end
  if sig:match("^[%a_][%w_%.:]*$") then return sig:match("([%a_][%w_]*)$") end
  return nil
end

-- Entries {section, class, sig, ret, doc, name, options = {{name, doc}}} in file order.
function M.parse(text)
  local entries = {}
  local section, class, fn, para = nil, nil, nil, nil
  local incode = false
  local function add(e)
    e.section, e.class = section, class
    e.name = name_of(e.sig)
    e.options = e.options or {}
    entries[#entries + 1] = e
    return e
  end
  for line in (text .. "\n"):gmatch("([^\n]*)\n") do
    if line:match("^```") then
      incode = not incode
    elseif incode then
      -- code examples are not docs
    elseif line:match("^## ") then
      section = clean(line:sub(4))
      class = line:match("^## ([%w_]+) %(`pktframe%.[%w_]+`%)")
      fn, para = nil, nil
    elseif line:match("^### ") then
      local title = line:sub(5)
      local sig = title:match("^`([^`]*)`")
      fn, para = nil, nil
      if sig then
        fn = add({ sig = sig, ret = title:match("→%s*(.-)%s*$"), doc = "" })
        para = {}
      end
    elseif line:match("^|") then
      if para and #para > 0 then para = nil end
      local c = cells(line)
      local first = c[1] or ""
      if first:find("`") and not line:match("^|[%s%-:|]+$") then
        if fn then
          fn.options[#fn.options + 1] = { name = clean(first), doc = clean(c[2] or "") }
        else
          for sig in first:gmatch("`([^`]*)`") do add({ sig = sig, doc = clean(c[2] or "") }) end
        end
      end
    elseif line:match("^%s*$") then
      if para and #para > 0 then
        fn.doc = clean(first_sentence(table.concat(para, " ")))
        para = nil
      end
    elseif para then
      para[#para + 1] = line
    end
  end
  if fn and para and #para > 0 then fn.doc = clean(first_sentence(table.concat(para, " "))) end
  return entries
end

-- docs/api.md in the source tree (lua/pktframe/repl/ -> docs/), else where make install puts it
-- (PREFIX/share/lua/5.4/pktframe/repl/ -> PREFIX/share/doc/pktframe/).
function M.locate()
  local src = debug.getinfo(1, "S").source
  local dir = src:sub(1, 1) == "@" and src:sub(2):match("^(.*/)") or "./"
  for _, p in ipairs({ dir .. "../../../docs/api.md", dir .. "../../../../doc/pktframe/api.md" }) do
    local f = io.open(p)
    if f then
      f:close()
      return p
    end
  end
  return nil
end

local cache
local function load()
  if cache then return cache end
  local entries, where = {}, M.locate()
  if where then
    local f = io.open(where)
    entries = M.parse(f:read("a"))
    f:close()
  end
  local byname = {}
  for _, e in ipairs(entries) do
    if e.name then
      byname[e.name] = byname[e.name] or {}
      table.insert(byname[e.name], e)
    end
  end
  cache = { entries = entries, byname = byname, path = where }
  return cache
end

-- The names help knows, sorted: API names then nothing else (fields come from pf.fields).
function M.topics()
  local seen, out = {}, {}
  for name in pairs(load().byname) do
    if not seen[name] then
      seen[name] = true
      out[#out + 1] = name
    end
  end
  table.sort(out)
  return out
end

-- ---- finding what a value is ----

local function field_info(name)
  for _, f in ipairs(pf.fields()) do
    if f.name == name then return f end
  end
  return nil
end

-- The method table behind a metatable's __index: a table, or the first
-- upvalue of a C __index that serves both cells and methods (pktframe.Column).
function M.methods_of(mt)
  local idx = type(mt) == "table" and rawget(mt, "__index")
  if type(idx) == "table" then return idx end
  if type(idx) == "function" then
    local _, up = debug.getupvalue(idx, 1)
    if type(up) == "table" then return up end
  end
  return nil
end

-- Classes ("Table", ...) with their metatables, from the registry's pktframe.* names.
local function classes()
  local out = {}
  for k, mt in pairs(debug.getregistry()) do
    if type(k) == "string" and type(mt) == "table" and k:match("^pktframe%.%u") then
      out[k:match("^pktframe%.(.*)$")] = mt
    end
  end
  return out
end

-- "pf", name or class, name for a function value; nil if it is not pktframe's.
local function whose(fn)
  for k, v in pairs(pf) do
    if v == fn then return "pf", k end
  end
  for class, mt in pairs(classes()) do
    local methods = M.methods_of(mt)
    for k, v in pairs(methods or {}) do
      if v == fn then return class, k end
    end
  end
  return nil
end

-- ---- text ----

local function entry_text(e)
  local sig = e.sig
  if e.class and not sig:match("^pf%.") then sig = e.class .. "  " .. sig end
  local out = { sig .. (e.ret and e.ret ~= "" and ("  → " .. clean(e.ret)) or "") }
  if e.doc and e.doc ~= "" then out[#out + 1] = "    " .. e.doc end
  if #e.options > 0 then
    local names = {}
    for _, o in ipairs(e.options) do names[#names + 1] = o.name end
    out[#out + 1] = "    options: " .. table.concat(names, ", ")
  end
  return table.concat(out, "\n")
end

local function class_text(class, mt)
  local d = load()
  local out = { class == "Module" and "pf: the module (require \"pktframe\")" or ("pktframe." .. class) }
  local prev
  for _, e in ipairs(d.entries) do
    if e.class == class or (class == "Module" and e.sig:match("^pf%.")) then
      if prev and prev.doc == e.doc and prev.section == e.section and prev.doc ~= "" then
        -- `#c`, `c:name()`, `c:type()` share one row of the manual: one line here too
        out[#out] = out[#out]:gsub("^(  .-)(  " .. e.doc:gsub("%p", "%%%0") .. ")$", "%1, " .. e.sig:gsub("%%", "%%%%") .. "%2")
      else
        out[#out + 1] = "  " .. e.sig .. (e.doc ~= "" and ("  " .. e.doc) or "")
      end
      prev = e
    end
  end
  if #out == 1 then
    local names = {}
    for k in pairs(M.methods_of(mt) or {}) do names[#names + 1] = k end
    table.sort(names)
    out[#out + 1] = "  methods: " .. table.concat(names, " ")
  end
  return table.concat(out, "\n")
end

-- A module's entries, found by its short name ("plot" for pktframe.plot): those of the manual's
-- section about it ("## pktframe.plot: ...", "## Analyses 8-14: `pktframe.rtt`, ...") and the
-- rows that name it ("pktframe.capinfo", "rtt.analyse(...)"). nil when there are none.
local function module_text(short)
  local d = load()
  local pat = short:gsub("%p", "%%%0")
  local out, section = {}, nil
  for _, e in ipairs(d.entries) do
    local sec = e.section or ""
    local sig = e.sig or ""
    if sec:match("^pktframe%." .. pat .. "%f[^%w_]") or sig:match("^" .. pat .. "[.:]")
        or sig:match("^pktframe%." .. pat .. "$") then
      section = section or sec
      out[#out + 1] = "  " .. sig .. (e.doc ~= "" and ("  " .. e.doc) or "")
    end
  end
  if #out == 0 then return nil end
  return string.format("pktframe.%s: local %s = require \"pktframe.%s\"  (docs/api.md: %s)\n%s", short,
                       short:match("[%w_]+$"), short, section, table.concat(out, "\n"))
end

local function field_text(f)
  return string.format("%s (%s): %s", f.name, f.type, f.doc)
end

local function overview()
  local d = load()
  local out = {
    "pktframe REPL: Lua 5.4 with the globals pf (the module) and cap (the capture given on the command line).",
    "  help(x)        signature and doc of a function, method, object or field:",
    "                 help(pf.read)  help \"col\"  help(cap)  help \"tcp.stream\"",
    "  fields(\"rtt\")  the fields whose name or description matches a Lua pattern",
    "  _              the last value printed",
    "  cap:print{all = true}              every row and column; pf.options.display sets the limits",
    "  cap = cap:reread{fields = {...}}   cap's files again, with more fields",
    "Tab completes names, methods (cap:<Tab>) and field names in strings (\"tcp.st<Tab>\").",
    "A chunk continues on the next line while it is incomplete. Ctrl-C stops what runs; Ctrl-D leaves.",
  }
  local groups, order = {}, {}
  for _, e in ipairs(d.entries) do
    if e.name then
      local g = e.class or e.section or "Module"
      if not groups[g] then
        groups[g] = {}
        order[#order + 1] = g
      end
      local seen = false
      for _, n in ipairs(groups[g]) do seen = seen or n == e.name end
      if not seen then table.insert(groups[g], e.name) end
    end
  end
  for _, g in ipairs(order) do out[#out + 1] = string.format("%-8s %s", g .. ":", table.concat(groups[g], " ")) end
  if not d.path then out[#out + 1] = "(docs/api.md was not found: help covers fields only)" end
  return table.concat(out, "\n")
end

-- The help text for x (see help in the REPL).
function M.text(x, ...)
  if select("#", ...) > 0 then error("help takes one value", 2) end
  local d = load()
  local tx = type(x)
  if x == nil then return overview() end
  if x == pf then return class_text("Module") end
  if tx == "function" then
    local class, name = whose(x)
    if not name then return "no help: not a pktframe function" end
    local out = {}
    for _, e in ipairs(d.byname[name] or {}) do
      if (class == "pf" and e.sig:match("^pf%.")) or e.class == class then out[#out + 1] = entry_text(e) end
    end
    if #out == 0 then return (class == "pf" and "pf." or class .. ":") .. name .. ": not in docs/api.md" end
    return table.concat(out, "\n")
  end
  if tx == "table" then   -- a module: help(require "pktframe.plot")
    for k, v in pairs(package.loaded) do
      local short = type(k) == "string" and v == x and k:match("^pktframe%.(.+)$")
      if short and module_text(short) then return module_text(short) end
    end
  end
  local mt = (tx == "userdata" or tx == "table") and debug.getmetatable(x)
  local mtname = mt and rawget(mt, "__name")
  if type(mtname) == "string" and mtname:match("^pktframe%.") then
    local class = mtname:match("^pktframe%.(.*)$")
    local text = class_text(class, mt)
    if class == "Column" then
      local ok, name = pcall(function() return x:name() end)
      local f = ok and field_info(name)
      if f then text = field_text(f) .. "\n" .. text end
    end
    return text
  end
  if tx ~= "string" then return "no help for a " .. tx .. " value" end
  local f = field_info(x)
  if f then return field_text(f) end
  local cls = classes()
  if cls[x] then return class_text(x, cls[x]) end
  local name = x:match("([%a_][%w_]*)%(?%)?$")
  local list = name and d.byname[name]
  if list then
    local out = {}
    for _, e in ipairs(list) do out[#out + 1] = entry_text(e) end
    return table.concat(out, "\n")
  end
  local mod = module_text((x:gsub("^pktframe%.", "")))
  if mod then return mod end
  -- near misses: fields by prefix, topics by substring
  local near = {}
  for _, g in ipairs(pf.fields()) do
    if g.name:sub(1, #x) == x then near[#near + 1] = g.name end
  end
  for _, t in ipairs(M.topics()) do
    if t:find(x, 1, true) then near[#near + 1] = t end
  end
  if #near > 0 then
    if #near > 12 then near = { table.unpack(near, 1, 12) }; near[13] = "…" end
    return "no help for '" .. x .. "'; did you mean: " .. table.concat(near, " ")
  end
  return "no help for '" .. x .. "'; try fields(\"" .. x .. "\") or help()"
end

function M.help(...)
  io.write(M.text(...), "\n")
end

-- fields(pattern): pf.fields(pattern) as a list that prints as aligned lines.
local field_list_mt = {
  __name = "pktframe.repl.FieldList",
  __tostring = function(list)
    if #list == 0 then return "(no field matches)" end
    local w = 0
    for _, f in ipairs(list) do w = math.max(w, #f.name) end
    local out = {}
    for _, f in ipairs(list) do out[#out + 1] = string.format("%-" .. w .. "s  %-8s  %s", f.name, f.type, f.doc) end
    return table.concat(out, "\n")
  end,
}

function M.fields(pattern)
  local ok, list = pcall(pf.fields, pattern)
  if not ok then error(list, 2) end
  return setmetatable(list, field_list_mt)
end

return M
