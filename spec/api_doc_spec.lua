-- api_doc_spec.lua: docs/api.md has an entry for every public function and method of the module.
--
-- What is checked: every function in the table `require "pktframe"` returns (and in tables
-- nested in it, such as pf.args.parse), and every method (the functions of __index) of every
-- metatable registered under a "pktframe.*" name, found in the registry once live objects of
-- each kind exist (Table, Column, GroupBy, Filter and whatever else the module registers).
--
-- What counts as an entry: a line of docs/api.md that is a heading (starts with "#") or a
-- table row (starts with "|") and holds
--   * for a module function: `pf.NAME(` or `pf.NAME{` (nested: `pf.args.parse(`);
--   * for a method of pktframe.Table, .Column, .GroupBy, .Filter: `t:NAME(`, `c:NAME(` (or
--     `m:NAME(`, a mask column), `gb:NAME(`, `f:NAME(` (or `{` in place of `(`);
--   * for a method of any other pktframe.* type: `X:NAME(` or `X:NAME{`, X any identifier.
-- Names beginning with "_" (metamethods, private helpers) are not public.
-- pktframe.synth, a public module of its own, is checked too: `synth.NAME(`, `w:NAME(` for its
-- writer, `seg:NAME(` for its segments.
local pf = require "pktframe"

local DOC = "docs/api.md"

local function entry_lines()
  local lines = {}
  for line in io.lines(DOC) do
    if line:match("^#") or line:match("^|") then lines[#lines + 1] = line end
  end
  return lines
end

-- pattern: a Lua pattern, or a list of them (any one will do)
local function has_entry(lines, pattern)
  local pats = type(pattern) == "table" and pattern or { pattern }
  for _, line in ipairs(lines) do
    for _, p in ipairs(pats) do
      if line:find(p) then return true end
    end
  end
  return false
end

local function esc(s) return (s:gsub("[%^%$%(%)%%%.%[%]%*%+%-%?]", "%%%0")) end

-- the variable names api.md uses for each type (m: a mask Column in m:where)
local PREFIX = {
  ["pktframe.Table"] = { "t" },
  ["pktframe.Column"] = { "c", "m" },
  ["pktframe.GroupBy"] = { "gb" },
  ["pktframe.Filter"] = { "f" },
}

-- The public functions of the module: {name = "pf.x", pattern = ...}, sorted.
local function module_functions()
  local out = {}
  local function walk(tbl, path, depth, seen)
    if seen[tbl] or depth > 2 then return end
    seen[tbl] = true
    for k, v in pairs(tbl) do
      if type(k) == "string" and not k:match("^_") then
        local name = path .. "." .. k
        if type(v) == "function" then
          out[#out + 1] = { name = name, pattern = esc(name) .. "[%({]" }
        elseif type(v) == "table" then
          walk(v, name, depth + 1, seen)
        end
      end
    end
    -- a callable table (pf.args{...}) is a function too
    local mt = getmetatable(tbl)
    if depth > 0 and type(mt) == "table" and mt.__call then
      out[#out + 1] = { name = path, pattern = esc(path) .. "[%({]" }
    end
  end
  walk(pf, "pf", 0, {})
  table.sort(out, function(a, b) return a.name < b.name end)
  return out
end

-- The method table of a metatable: its __index, or the table a C __index
-- function keeps as an upvalue (the Column's, which also serves c[i]).
local function method_table(mt)
  if type(mt.__index) == "table" then return mt.__index end
  if type(mt.__index) == "function" then
    for i = 1, 255 do
      local name, v = debug.getupvalue(mt.__index, i)
      if name == nil then break end
      if type(v) == "table" then return v end
    end
  end
  return nil
end

-- The methods of every pktframe.* metatable: {name = "pktframe.Table:x", pattern = ...}.
local function methods()
  local out, types = {}, {}
  for key, mt in pairs(debug.getregistry()) do
    local mtab = type(key) == "string" and key:match("^pktframe%.") and type(mt) == "table" and method_table(mt)
    if mtab then
      types[#types + 1] = key
      for name, fn in pairs(mtab) do
        if type(name) == "string" and type(fn) == "function" and not name:match("^_") then
          local pats = {}
          for _, v in ipairs(PREFIX[key] or { "[%a_][%w_]*" }) do
            pats[#pats + 1] = "%f[%w_]" .. (PREFIX[key] and esc(v) or v) .. ":" .. esc(name) .. "[%({]"
          end
          out[#out + 1] = { name = key .. ":" .. name, patterns = pats }
        end
      end
    end
  end
  table.sort(out, function(a, b) return a.name < b.name end)
  table.sort(types)
  return out, types
end

describe("docs/api.md", function()
  -- live objects of each kind, so that every metatable exists however it is made
  local path = os.tmpname()
  local f = assert(io.open(path, "w"))
  f:write("host,bytes\na,1\nb,2\na,3\n")
  f:close()
  local t = assert(pf.read_csv(path))
  os.remove(path)
  local keep = { t, t:col("bytes"), t:groupby("host"), pf.compile_filter("ip.src == 10.0.0.1") }

  it("finds the objects it looks at", function()
    local _, types = methods()
    for _, name in ipairs({ "pktframe.Table", "pktframe.Column", "pktframe.GroupBy", "pktframe.Filter" }) do
      local found = false
      for _, ty in ipairs(types) do found = found or ty == name end
      assert.is_true(found, name .. " has no method table in the registry")
    end
    assert.is_true(#module_functions() >= 5)
    assert.are.equal(4, #keep)
  end)

  it("has an entry for every function of the module", function()
    local lines, missing = entry_lines(), {}
    for _, fn in ipairs(module_functions()) do
      if not has_entry(lines, fn.pattern) then missing[#missing + 1] = fn.name end
    end
    assert.are.same({}, missing)
  end)

  it("has an entry for every method of every pktframe type", function()
    local lines, missing = entry_lines(), {}
    for _, m in ipairs(methods()) do
      if not has_entry(lines, m.patterns) then missing[#missing + 1] = m.name end
    end
    assert.are.same({}, missing)
  end)

  -- pktframe.synth is a public module documented function by function (synth.NAME(...) or
  -- synth.NAME{...}), with its writer's methods (w:NAME) and its segments' (seg:NAME).
  it("has an entry for every function of pktframe.synth and of its writer and segments", function()
    local synth = require "pktframe.synth"
    local lines, missing = entry_lines(), {}
    local function check(tbl, prefix, sep)
      for name, fn in pairs(tbl) do
        if type(name) == "string" and type(fn) == "function" and not name:match("^_") then
          local pat = "%f[%w_]" .. esc(prefix .. sep .. name) .. "[%({]"
          if not has_entry(lines, pat) then missing[#missing + 1] = prefix .. sep .. name end
        end
      end
    end
    check(synth, "synth", ".")
    local path = os.tmpname()
    local w = assert(synth.writer(path))
    check(getmetatable(w).__index, "w", ":")
    w:close()
    os.remove(path)
    check(getmetatable(synth.udp{ sport = 1, dport = 2 }).__index, "seg", ":")
    table.sort(missing)
    assert.are.same({}, missing)
  end)

  it("would notice a function without an entry", function()
    local lines = entry_lines()
    assert.is_false(has_entry(lines, esc("pf.no_such_function_documented") .. "[%({]"))
    assert.is_true(has_entry(lines, esc("pf.read") .. "[%({]"))
    assert.is_true(has_entry(lines, "%f[%w_]t:" .. esc("to_csv") .. "[%({]"))
    assert.is_false(has_entry(lines, "%f[%w_]t:" .. esc("sum") .. "[%({]"))   -- c:sum is not t:sum
    -- prose mentions do not count: only headings and table rows
    assert.is_false(has_entry({ "Use `pf.read(p)` to read." }, "^[#|].*pf%.read"))
  end)
end)
