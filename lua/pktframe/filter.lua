-- pktframe.filter: Wireshark display-filter syntax parsed with LPeg into a small AST,
-- which the C core compiles to a predicate (pf_filter). Only the parser lives here.
--
-- AST nodes (plain tables):
--   {op = "or" | "and" | "xor", a, b}        {op = "not", a}
--   {op = "exists", field = "tcp"}            a field or protocol is present
--   {op = "cmp", cmp = "==", field = f, value = v}   cmp: == != === !== ~= < <= > >=
--   {op = "in", field = f, set = {v | {lo = v, hi = v}, ...}}
--   {op = "contains", field = f, value = v}   {op = "matches", field = f, value = v}
-- Values: {kind = "string", text = "..."} from a quoted string, or
--         {kind = "literal", text = "10.0.0.0/8"} for everything unquoted (numbers,
--         addresses, CIDR, MAC, booleans); the compiler reads a literal by the
--         field's type, as Wireshark does. Every node carries pos, its column.
local lpeg = require "lpeg"

local P, R, S, V, C, Cp, Ct, Cmt = lpeg.P, lpeg.R, lpeg.S, lpeg.V, lpeg.C, lpeg.Cp, lpeg.Ct, lpeg.Cmt

local M = {}

-- Where the parse got furthest, and what it was looking for there: the error
-- message points at that column.
local furthest, expected

local function want(p, label)
  return Cmt(P(true), function(_, i)
    if i > furthest then
      furthest, expected = i, { label }
    elseif i == furthest then
      local seen = false
      for _, e in ipairs(expected) do if e == label then seen = true end end
      if not seen then expected[#expected + 1] = label end
    end
    return true
  end) * p
end

local space = S(" \t\r\n") ^ 0
local wordchar = R("az", "AZ", "09") + S("_-")
local function word(w) return P(w) * -wordchar end
local function tok(p, label) return want(p, label) * space end

local field_name = C(R("az", "AZ", "__") * wordchar ^ 0 * (P(".") * wordchar ^ 1) ^ 0)

local escape = P("\\") * C(1) / function(ch)
  local map = { n = "\n", t = "\t", r = "\r", a = "\a", b = "\b", f = "\f", v = "\v", ["\\"] = "\\", ['"'] = '"' }
  return map[ch] or ch
end
local hexescape = P("\\x") * C(R("09", "af", "AF") * R("09", "af", "AF") ^ -1) / function(h)
  return string.char(tonumber(h, 16))
end
local octescape = P("\\") * C(R("07") * R("07") ^ -2) / function(o)
  return string.char(tonumber(o, 8) % 256)
end
local string_lit = P('"') * lpeg.Cs(((hexescape + octescape + escape) + (1 - S('"\\'))) ^ 0) * P('"')
  + P('r"') * C((1 - P('"')) ^ 0) * P('"')   -- a raw string (4.0): no escapes

-- An unquoted value: an address, CIDR, MAC, number or word. ".." ends it (ranges in sets).
local literal_char = 1 - S(" \t\r\n(){}\",!=<>&|[]")
local literal = C((literal_char - P("..")) ^ 1)

local function node(op) return function(pos, ...) return { op = op, pos = pos, ... } end end

local function value_node(kind)
  return function(pos, text) return { kind = kind, text = text, pos = pos } end
end

local value = Cp() * string_lit / value_node("string") + Cp() * literal / value_node("literal")

local relop = C(P("===") + P("!==") + P("==") + P("!=") + P("~=") + P("<=") + P(">=") + P("<") + P(">"))
  + word("eq") / "==" + word("ne") / "!=" + word("all_eq") / "===" + word("any_ne") / "~="
  + word("le") / "<=" + word("ge") / ">=" + word("lt") / "<" + word("gt") / ">"
  + word("any_eq") / "==" + word("all_ne") / "!="

local set_item = Ct(Cp() * tok(value, "a value") * tok(P(".."), "'..'") * tok(value, "a value")) / function(t)
  return { lo = t[2], hi = t[3], pos = t[1] }
end + tok(value, "a value")

local set = tok(P("{"), "'{'") * Ct((set_item * tok(P(","), "','") ^ -1) ^ 0) * tok(P("}"), "'}'")

-- Slices: [i:j] j bytes from i, [i-j] i to j inclusive, [i] one byte, [i:] to the end, [:j] the first j;
-- several ranges are joined: [0:2,4].
local int = C(P("-") ^ -1 * R("09") ^ 1) / tonumber
local range = Ct(Cp() * (
    int * P(":") * int / function(i, j) return i, "len", j end
    + int * P(":") / function(i) return i, "end", 0 end
    + P(":") * int / function(j) return 0, "len", j end
    + int * P("-") * int / function(i, j) return i, "to", j end
    + int / function(i) return i, "len", 1 end)) / function(t)
  return { pos = t[1], start = t[2], kind = t[3], val = t[4] }
end
local slice = tok(P("["), "'['") * Ct(tok(range, "a range") * (tok(P(","), "','") * tok(range, "a range")) ^ 0)
  * tok(P("]"), "']'")

local function test_node(pos, quant, lhs, kind, a)
  quant = quant and quant:match("%a+")
  if lhs.kind == "field" and quant == nil then
    if kind == nil then return { op = "exists", field = lhs.field, lhs = lhs, pos = pos } end
  end
  if kind == nil then return { op = "truth", lhs = lhs, field = lhs.field, pos = pos, quant = quant } end
  if kind == "in" then return { op = "in", field = lhs.field, lhs = lhs, set = a, pos = pos, quant = quant } end
  if kind == "contains" or kind == "matches" then
    return { op = kind, field = lhs.field, lhs = lhs, value = a, pos = pos, quant = quant }
  end
  return { op = "cmp", cmp = kind, field = lhs.field, lhs = lhs, value = a, pos = pos, quant = quant }
end

local function operand_node(pos, base, ...)
  local r = base
  for _, x in ipairs({ ... }) do
    if x.bitand then r = { kind = "bitand", of = r, value = x.bitand, pos = x.pos }
    else r = { kind = "slice", of = r, ranges = x, pos = pos } end
  end
  return r
end

local grammar = P {
  "filter",
  filter = space * V("expr") * want(-P(1), "end of filter"),
  expr = Cp() * V("andexpr") * (tok(word("or") + P("||"), "'or'") * V("andexpr")) ^ 0 / function(pos, a, ...)
    local r = a
    for _, b in ipairs({ ... }) do r = { op = "or", pos = pos, r, b } end
    return r
  end,
  andexpr = Cp() * V("xorexpr") * (tok(word("and") + P("&&"), "'and'") * V("xorexpr")) ^ 0 / function(pos, a, ...)
    local r = a
    for _, b in ipairs({ ... }) do r = { op = "and", pos = pos, r, b } end
    return r
  end,
  xorexpr = Cp() * V("notexpr") * (tok(word("xor") + P("^^"), "'xor'") * V("notexpr")) ^ 0 / function(pos, a, ...)
    local r = a
    for _, b in ipairs({ ... }) do r = { op = "xor", pos = pos, r, b } end
    return r
  end,
  notexpr = Cp() * tok(word("not") + P("!") * -P("="), "'not'") * V("notexpr") / node("not") + V("primary"),
  primary = tok(P("("), "'('") * V("expr") * tok(P(")"), "')'") + V("test"),
  base = Cp() * C(R("az") ^ 1) * space * tok(P("("), "'('") * V("operand") * tok(P(")"), "')'") / function(pos, name, arg)
      return { kind = "func", name = name, arg = arg, pos = pos }
    end
    + Cp() * field_name / function(pos, name) return { kind = "field", field = name, pos = pos } end
    + Cp() * P("{") * (1 - S("{}")) ^ 0 * P("}") / function(pos) return { kind = "arith", pos = pos } end,
  operand = Cp() * tok(V("base"), "a field name") * (slice + Ct(Cp() * tok(P("&") * -P("&"), "'&'")
      * tok(value, "a value")) / function(t) return { pos = t[1], bitand = t[2] } end) ^ 0 / operand_node,
  rhs = V("funcop") + tok(value, "a value"),
  funcop = Cp() * C(R("az") ^ 1) * space * tok(P("("), "'('") * V("operand") * tok(P(")"), "')'") / function(pos, name, arg)
    return { kind = "func", name = name, arg = arg, pos = pos }
  end,
  test = Cp() * (tok(word("all") + word("any"), "'all'") ^ -1 / function(...) return (...) end) * V("operand") * (
      tok(relop, "a comparison") * V("rhs")
      + tok(word("in"), "'in'") * lpeg.Cc("in") * set
      + tok(word("contains"), "'contains'") * lpeg.Cc("contains") * V("rhs")
      + tok(word("matches") + P("~") * -P("="), "'matches'") * lpeg.Cc("matches") * tok(value, "a string")
    ) ^ -1 / test_node,
}

-- Parses text; returns the AST, or nil and a message with the column and what
-- was expected there: "column 9: expected a value".
function M.parse(text)
  if type(text) ~= "string" then error("filter must be a string, got " .. type(text), 2) end
  furthest, expected = 0, {}
  local ast = lpeg.match(grammar, text)
  if ast then return ast end
  local col = furthest > 0 and furthest or 1
  local near = text:sub(col, col + 11)
  local what = #expected > 0 and table.concat(expected, " or ", 1, math.min(#expected, 6)) or "a filter"
  return nil, string.format("column %d: expected %s%s", col, what,
    near ~= "" and string.format(" near '%s'", near) or " at the end")
end

-- Every field name the AST refers to, in order of first use (no repeats).
function M.fields(ast)
  local out, seen = {}, {}
  local function walk(n)
    if type(n) ~= "table" then return end
    if n.field and not seen[n.field] then seen[n.field] = true; out[#out + 1] = n.field end
    for _, child in ipairs(n) do walk(child) end
    walk(n.lhs); walk(n.of); walk(n.arg)
    if n.value and n.value.kind ~= "string" and n.value.kind ~= "literal" then walk(n.value) end
  end
  walk(ast)
  return out
end

return M
