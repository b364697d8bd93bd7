-- misuse_spec.lua: every public function and method called wrongly from Lua (issue #7): wrong
-- types, closed objects, unknown fields and columns, bad intervals and aggregations, huge and
-- NaN counts, tables where strings belong, methods on the wrong kind of object. Each is an
-- error naming the argument (luaL_argerror style), asserted exactly; none may crash.
local pf = require "pktframe"
local dir = debug.getinfo(1, "S").source:match("^@(.*/)") or "spec/"
package.path = dir .. "?.lua;" .. package.path
local H = require "hostile_files"

-- four good packets (DNS queries from 10.0.0.1 port 40000, one a second), our own file
local P = os.tmpname() .. "-misuse.pcap"
do
  local f = assert(io.open(P, "wb"))
  f:write(H.pcap(H.good_records(1, 4)))
  f:close()
end
local FIELDS = { "frame.number", "frame.time_epoch", "ip.src", "udp.srcport", "frame.len" }
local AGGS = { n = { "frame.len", "count" } }
local NAN, INF = 0 / 0, math.huge
local AGGNAMES = "count, size, sum, mean, min, max, first, last, nunique, std, var, median or a function"

local t, c, g, closed, ccol, gclosed, fclosed
setup(function()
  t = assert(pf.read(P, { fields = FIELDS }))
  c = t:col("frame.len")
  g = t:groupby("ip.src")
  closed = assert(pf.read(P, { fields = FIELDS }))
  ccol = closed:col("frame.len")
  closed:close()
  gclosed = t:groupby("ip.src")
  gclosed:close()
  fclosed = pf.compile_filter("ip")
  fclosed:close()
end)
teardown(function()
  t:close()
  os.remove(P)
end)

-- {what is done, function, the exact message}
local cases = {
  -- pf.read
  { "pf.read(nil)", function() return pf.read(nil) end, "bad argument #1 to 'read' (string or table expected, got nil)" },
  { "pf.read(42)", function() return pf.read(42) end, "bad argument #1 to 'read' (string or table expected, got number)" },
  { "pf.read({})", function() return pf.read({}) end, "bad argument #1 to 'read' (empty list of paths)" },
  { "pf.read({{}})", function() return pf.read({ {} }) end,
    "bad argument #1 to 'read' (paths[1]: string expected, got table)" },
  { "pf.read(p, 5)", function() return pf.read(P, 5) end, "bad argument #2 to 'read' (table expected, got number)" },
  { "fields as a string", function() return pf.read(P, { fields = "ip.src" }) end,
    "bad argument #2 to 'read' (fields: table expected, got string)" },
  { "a table in the fields", function() return pf.read(P, { fields = { {} } }) end,
    "bad argument #2 to 'read' (fields[1]: string expected, got table)" },
  { "an unknown field", function() return pf.read(P, { fields = { "ip.scr" } }) end,
    "bad argument #2 to 'read' (unknown field 'ip.scr'; did you mean 'ip.src'?)" },
  { "no fields", function() return pf.read(P, { fields = {} }) end, "bad argument #2 to 'read' (no fields requested)" },
  { "a field twice", function() return pf.read(P, { fields = { "frame.len", "frame.len" } }) end,
    "bad argument #2 to 'read' (field 'frame.len' requested twice)" },
  { "the fields list as the options", function() return pf.read(P, { "ip.src" }) end,
    "bad argument #2 to 'read' (fields go in {fields = {...}})" },
  { "a table as the filter", function() return pf.read(P, { filter = {} }) end,
    "bad argument #2 to 'read' (filter: string expected, got table)" },
  { "a bad filter", function() return pf.read(P, { filter = "ip.src ==" }) end,
    "bad argument #2 to 'read' (bad filter 'ip.src ==': column 10: expected a value at the end)" },
  { "a number as the BPF", function() return pf.read(P, { bpf = 1 }) end,
    "bad argument #2 to 'read' (bpf: string expected, got number)" },
  { "a bad BPF", function() return pf.read(P, { bpf = "tcp port" }) end,
    "bad argument #2 to 'read' (bad capture filter \"tcp port\": can't parse filter expression: syntax error)" },
  { "a string as strict", function() return pf.read(P, { strict = "yes" }) end,
    "bad argument #2 to 'read' (strict: boolean expected, got string)" },
  { "an unknown option", function() return pf.read(P, { frob = 1 }) end, "bad argument #2 to 'read' (unknown option 'frob')" },
  { "a table as max_memory", function() return pf.read(P, { max_memory = {} }) end,
    "bad argument #2 to 'read' (max_memory: size expected, got table)" },
  { "NaN as max_memory", function() return pf.read(P, { max_memory = NAN }) end,
    "bad argument #2 to 'read' (max_memory: a positive whole number of bytes or a size such as \"512M\" expected, got "
    .. tostring(NAN) .. ")" },
  { "infinity as max_memory", function() return pf.read(P, { max_memory = INF }) end,
    "bad argument #2 to 'read' (max_memory: a positive whole number of bytes or a size such as \"512M\" expected, got "
    .. tostring(INF) .. ")" },
  -- the other module functions
  { "pf.fields({})", function() return pf.fields({}) end, "bad argument #1 to 'fields' (string expected, got table)" },
  { "pf.fields('[')", function() return pf.fields("[") end, "bad argument #1 to 'fields' (malformed pattern (missing ']'))" },
  { "pf.compile_filter({})", function() return pf.compile_filter({}) end,
    "bad argument #1 to 'compile_filter' (string expected, got table)" },
  { "pf.compile_filter of a bad filter", function() return pf.compile_filter("ip.src ==") end,
    "bad argument #1 to 'compile_filter' (bad filter 'ip.src ==': column 10: expected a value at the end)" },
  { "a closed filter's fields", function() return fclosed:fields() end, "calling 'fields' on bad self (filter is closed)" },
  { "a filter method on a table", function() return pf.compile_filter("ip").fields(t) end,
    "bad argument #1 to 'fields' (pktframe.Filter expected, got pktframe.Table)" },
  { "pf.concat()", function() return pf.concat() end, "bad argument #1 to 'concat' (no tables given)" },
  { "pf.concat(1)", function() return pf.concat(1) end, "bad argument #1 to 'concat' (pktframe.Table expected, got number)" },
  { "pf.concat{t, 5}", function() return pf.concat({ t, 5 }) end,
    "bad argument #1 to 'concat' (tables[2]: pktframe.Table expected, got number)" },
  { "pf.concat with a closed table", function() return pf.concat(t, closed) end,
    "bad argument #2 to 'concat' (table is closed)" },
  { "pf.read_csv({})", function() return pf.read_csv({}) end, "bad argument #1 to 'read_csv' (string expected, got table)" },
  { "pf.read_csv with a bad separator", function() return pf.read_csv(P, { sep = 1 }) end,
    "bad argument #2 to 'read_csv' (sep: one character expected (not a quote or line break))" },
  { "pf.scan(5)", function() return pf.scan(5) end, "bad argument #1 to 'scan' (string or table expected, got number)" },
  { "pf.scan(p, 5)", function() return pf.scan(P, 5) end, "bad argument #2 to 'scan' (table expected, got number)" },
  { "pf.each(5, fn)", function() return pf.each(5, function() end) end,
    "bad argument #1 to 'each' (string or table expected, got number)" },
  { "pf.each(p, {}, 5)", function() return pf.each(P, {}, 5) end, "bad argument #3 to 'each' (function expected, got number)" },
  { "pf.table(5)", function() return pf.table(5) end, "bad argument #1 to 'table' (table expected, got number)" },
  { "pf.table with a column of no values", function() return pf.table({ { "a" } }) end,
    "bad argument #1 to 'table' (column 'a': list of values expected, got nil)" },
  { "pf.table with a table as a name", function() return pf.table({ { {}, { 1 } } }) end,
    "bad argument #1 to 'table' (column 1: name expected, got table)" },
  { "pf.info({})", function() return pf.info({}) end, "bad argument #1 to 'info' (string expected, got table)" },
  { "pf.define_field{}", function() return pf.define_field({}) end,
    "bad argument #1 to 'define_field' (name: string expected, got nil)" },
  { "pf.hex({})", function() return pf.hex({}) end, "bad argument #1 to 'hex' (string expected, got table)" },
  { "pf.unhex('zz')", function() return pf.unhex("zz") end, "bad argument #1 to 'unhex' (invalid hex digit 'z' at position 1)" },
  { "pf.printable({})", function() return pf.printable({}) end, "bad argument #1 to 'printable' (string expected, got table)" },
  -- Table: columns and rows
  { "t:col()", function() return t:col() end, "bad argument #1 to 'col' (string expected, got no value)" },
  { "t:col({})", function() return t:col({}) end, "bad argument #1 to 'col' (string expected, got table)" },
  { "an unknown column", function() return t:col("nope") end, "bad argument #1 to 'col' (no column named 'nope'; columns: frame.number, frame.time_epoch, ip.src, udp.srcport, frame.len)" },
  { "a Table method on a Column", function() return t.col(c, "x") end,
    "bad argument #1 to 'col' (pktframe.Table expected, got pktframe.Column)" },
  { "a Table method on a number", function() return t.head(42) end,
    "bad argument #1 to 'head' (pktframe.Table expected, got number)" },
  { "a closed table's column", function() return closed:col("frame.len") end,
    "calling 'col' on bad self (table is closed)" },
  { "the length of a closed table", function() return #closed end, "bad argument #1 to 'len' (table is closed)" },
  { "t:row('x')", function() return t:row("x") end, "bad argument #1 to 'row' (number expected, got string)" },
  { "t:row(NaN)", function() return t:row(NAN) end, "bad argument #1 to 'row' (number has no integer representation)" },
  { "t:head(-1)", function() return t:head(-1) end, "bad argument #1 to 'head' (non-negative count expected, got -1)" },
  { "t:head(math.huge)", function() return t:head(INF) end, "bad argument #1 to 'head' (number has no integer representation)" },
  { "t:head(NaN)", function() return t:head(NAN) end, "bad argument #1 to 'head' (number has no integer representation)" },
  { "t:head(1.5)", function() return t:head(1.5) end, "bad argument #1 to 'head' (number has no integer representation)" },
  { "t:head({})", function() return t:head({}) end, "bad argument #1 to 'head' (number expected, got table)" },
  { "t:tail(-1)", function() return t:tail(-1) end, "bad argument #1 to 'tail' (non-negative count expected, got -1)" },
  { "t:tail(math.huge)", function() return t:tail(INF) end, "bad argument #1 to 'tail' (number has no integer representation)" },
  { "t:slice('a')", function() return t:slice("a") end, "bad argument #1 to 'slice' (number expected, got string)" },
  { "t:slice(1, NaN)", function() return t:slice(1, NAN) end, "bad argument #2 to 'slice' (number has no integer representation)" },
  { "t:select('nope')", function() return t:select("nope") end, "bad argument #1 to 'select' (no column named 'nope'; columns: frame.number, frame.time_epoch, ip.src, udp.srcport, frame.len)" },
  { "t:select{{}}", function() return t:select({ {} }) end, "bad argument #1 to 'select' (names[1]: string expected, got table)" },
  { "t:select(1)", function() return t:select(1) end, "bad argument #1 to 'select' (string expected, got number)" },
  { "t:rename('x')", function() return t:rename("x") end, "bad argument #1 to 'rename' (table expected, got string)" },
  { "t:rename of an unknown column", function() return t:rename({ nope = "x" }) end,
    "bad argument #1 to 'rename' (no column named 'nope'; columns: frame.number, frame.time_epoch, ip.src, udp.srcport, frame.len)" },
  { "t:rename to a table", function() return t:rename({ ["frame.len"] = {} }) end,
    "bad argument #1 to 'rename' ({old = new} names expected, got string = table)" },
  { "t:with()", function() return t:with() end, "bad argument #1 to 'with' (string expected, got no value)" },
  { "t:with(name, 5)", function() return t:with("x", 5) end,
    "bad argument #2 to 'with' (pktframe.Column, string or function expected, got number)" },
  { "t:with({}, c)", function() return t:with({}, c) end, "bad argument #1 to 'with' (string expected, got table)" },
  { "t:with a column of other length", function() return t:with("x", t:head(1):col("frame.len")) end,
    "bad argument #2 to 'with' (column of 1 rows for a table of 4)" },
  { "t:filter(5)", function() return t:filter(5) end,
    "bad argument #1 to 'filter' (string, pktframe.Column or function expected, got number)" },
  { "t:filter{}", function() return t:filter({}) end,
    "bad argument #1 to 'filter' (string, pktframe.Column or function expected, got table)" },
  { "t:filter of a bad filter", function() return t:filter("ip.src ==") end,
    "bad argument #1 to 'filter' (bad filter 'ip.src ==': column 10: expected a value at the end)" },
  { "t:sort('nope')", function() return t:sort("nope") end, "bad argument #1 to 'sort' (no column named 'nope'; columns: frame.number, frame.time_epoch, ip.src, udp.srcport, frame.len)" },
  { "t:sort{}", function() return t:sort({}) end, "bad argument #1 to 'sort' (no columns given)" },
  { "t:sort{{}}", function() return t:sort({ {} }) end, "bad argument #1 to 'sort' (names[1]: string expected, got table)" },
  { "t:sort with desc a string", function() return t:sort("frame.len", { desc = "x" }) end,
    "bad argument #2 to 'sort' (desc: boolean or table expected, got string)" },
  { "t:sort with desc a list of strings", function() return t:sort("frame.len", { desc = { "x" } }) end,
    "bad argument #2 to 'sort' (desc[1]: boolean expected, got string)" },
  { "t:sort with an unknown option", function() return t:sort("frame.len", { frob = 1 }) end,
    "bad argument #2 to 'sort' (unknown option 'frob')" },
  { "t:unique('nope')", function() return t:unique("nope") end, "bad argument #1 to 'unique' (no column named 'nope'; columns: frame.number, frame.time_epoch, ip.src, udp.srcport, frame.len)" },
  { "t:unique{}", function() return t:unique({}) end, "bad argument #1 to 'unique' (string expected, got table)" },
  { "t:value_counts{}", function() return t:value_counts({}) end, "bad argument #1 to 'value_counts' (string expected, got table)" },
  { "t:value_counts with normalize a string", function() return t:value_counts("ip.src", { normalize = "x" }) end,
    "bad argument #2 to 'value_counts' (normalize: boolean expected, got string)" },
  { "t:describe of addresses", function() return t:describe("ip.src") end,
    "bad argument #1 to 'describe' (cannot describe ipv4 column 'ip.src')" },
  { "t:diff by 'x'", function() return t:diff("frame.len", "x") end, "bad argument #2 to 'diff' (number expected, got string)" },
  { "t:diff by NaN", function() return t:diff("frame.len", NAN) end,
    "bad argument #2 to 'diff' (number has no integer representation)" },
  { "t:shift by math.huge", function() return t:shift("frame.len", INF) end,
    "bad argument #2 to 'shift' (number has no integer representation)" },
  { "t:cumsum of addresses", function() return t:cumsum("ip.src") end,
    "bad argument #1 to 'cumsum' (cannot sum ipv4 column 'ip.src')" },
  { "t:groupby('nope')", function() return t:groupby("nope") end, "bad argument #1 to 'groupby' (no column named 'nope'; columns: frame.number, frame.time_epoch, ip.src, udp.srcport, frame.len)" },
  { "t:groupby{}", function() return t:groupby({}) end, "bad argument #1 to 'groupby' (no key columns given)" },
  { "t:groupby(5)", function() return t:groupby(5) end, "bad argument #1 to 'groupby' (string or table expected, got number)" },
  { "t:groupby{{}}", function() return t:groupby({ {} }) end, "bad argument #1 to 'groupby' (keys[1]: string expected, got table)" },
  { "t:groupby with sort a string", function() return t:groupby("ip.src", { sort = "x" }) end,
    "bad argument #2 to 'groupby' (sort: boolean expected, got string)" },
  -- resample: intervals, aggregations, options
  { "t:resample('abc')", function() return t:resample("abc", AGGS) end,
    "bad argument #1 to 'resample' (bad interval 'abc': expected a number and a unit: ns us ms s min h)" },
  { "t:resample(0)", function() return t:resample(0, AGGS) end,
    "bad argument #1 to 'resample' (bad interval '0': expected a number and a unit: ns us ms s min h)" },
  { "t:resample(-1)", function() return t:resample(-1, AGGS) end,
    "bad argument #1 to 'resample' (bad interval '-1': expected a number and a unit: ns us ms s min h)" },
  { "t:resample('0s')", function() return t:resample("0s", AGGS) end,
    "bad argument #1 to 'resample' (bad interval '0s': expected a number and a unit: ns us ms s min h)" },
  { "t:resample('-1s')", function() return t:resample("-1s", AGGS) end,
    "bad argument #1 to 'resample' (bad interval '-1s': expected a number and a unit: ns us ms s min h)" },
  { "t:resample('1e400s')", function() return t:resample("1e400s", AGGS) end,
    "bad argument #1 to 'resample' (bad interval '1e400s': expected a number and a unit: ns us ms s min h)" },
  { "t:resample(NaN)", function() return t:resample(NAN, AGGS) end,
    "bad argument #1 to 'resample' (bad interval '" .. tostring(NAN) .. "': expected a number and a unit: ns us ms s min h)" },
  { "t:resample(math.huge)", function() return t:resample(INF, AGGS) end,
    "bad argument #1 to 'resample' (bad interval '" .. tostring(INF) .. "': expected a number and a unit: ns us ms s min h)" },
  { "t:resample('1ns') over seconds", function() return t:resample("1ns", AGGS) end,
    "bad argument #1 to 'resample' (interval '1ns' over these times makes more than 100000000 buckets, or the times are too far apart)" },
  { "t:resample({})", function() return t:resample({}, AGGS) end, "bad argument #1 to 'resample' (string expected, got table)" },
  { "t:resample with 'avg'", function() return t:resample("1s", { n = { "frame.len", "avg" } }) end,
    "bad argument #2 to 'resample' (unknown aggregation 'avg' for 'n'; expected one of " .. AGGNAMES .. ")" },
  { "t:resample with no aggregations", function() return t:resample("1s", {}) end,
    "bad argument #2 to 'resample' (no aggregations given)" },
  { "t:resample with aggregations a string", function() return t:resample("1s", "x") end,
    "bad argument #2 to 'resample' (table expected, got string)" },
  { "t:resample with on an address", function() return t:resample("1s", AGGS, { on = "ip.src" }) end,
    "bad argument #3 to 'resample' (on: column 'ip.src' is ipv4, not a time)" },
  { "t:resample with a bad origin", function() return t:resample("1s", AGGS, { origin = "x" }) end,
    "bad argument #3 to 'resample' (origin: 'start_day', 'epoch' or 'start' expected, got 'x')" },
  -- join and output
  { "t:join(5, key)", function() return t:join(5, "ip.src") end, "bad argument #1 to 'join' (pktframe.Table expected, got number)" },
  { "t:join on an unknown column", function() return t:join(t, "nope") end, "bad argument #2 to 'join' (no column named 'nope'; columns: frame.number, frame.time_epoch, ip.src, udp.srcport, frame.len)" },
  { "t:join how outer", function() return t:join(t, "ip.src", { how = "outer" }) end,
    "bad argument #3 to 'join' (how: 'inner' or 'left' expected, got 'outer')" },
  { "t:join a closed table", function() return t:join(closed, "ip.src") end, "bad argument #1 to 'join' (table is closed)" },
  { "t:to_csv({})", function() return t:to_csv({}) end, "bad argument #1 to 'to_csv' (string expected, got table)" },
  { "t:to_tsv({})", function() return t:to_tsv({}) end, "bad argument #1 to 'to_tsv' (string expected, got table)" },
  { "t:to_json(true)", function() return t:to_json(true) end, "bad argument #1 to 'to_json' (string expected, got boolean)" },
  -- GroupBy
  { "gb:agg with 'avg'", function() return g:agg({ n = { "frame.len", "avg" } }) end,
    "bad argument #1 to 'agg' (unknown aggregation 'avg' for 'n'; expected one of " .. AGGNAMES .. ")" },
  { "gb:agg of an unknown column", function() return g:agg({ n = { "nope", "sum" } }) end,
    "bad argument #1 to 'agg' (no column named 'nope' for 'n')" },
  { "gb:agg('x')", function() return g:agg("x") end, "bad argument #1 to 'agg' (table expected, got string)" },
  { "gb:agg{n = 'x'}", function() return g:agg({ n = "x" }) end,
    "bad argument #1 to 'agg' (aggregation 'n': {column, function} expected, got string)" },
  { "gb:agg with a table as the column", function() return g:agg({ n = { {}, "sum" } }) end,
    "bad argument #1 to 'agg' (aggregation 'n': column name expected, got table)" },
  { "gb:agg with a table as the function", function() return g:agg({ n = { "frame.len", {} } }) end,
    "bad argument #1 to 'agg' (aggregation for 'n': name or function expected, got table)" },
  { "gb:agg sum of addresses", function() return g:agg({ n = { "ip.src", "sum" } }) end,
    "bad argument #1 to 'agg' ('sum' is not defined for ipv4 column 'ip.src' (for 'n'))" },
  { "gb:agg{}", function() return g:agg({}) end, "bad argument #1 to 'agg' (no aggregations given)" },
  { "a closed GroupBy", function() return gclosed:size() end, "calling 'size' on bad self (table is closed)" },
  { "a GroupBy method on a Table", function() return g.size(t) end,
    "bad argument #1 to 'size' (pktframe.GroupBy expected, got pktframe.Table)" },
  { "gb:each(5)", function() return g:each(5) end, "bad argument #1 to 'each' (function expected, got number)" },
  { "gb:apply(5)", function() return g:apply(5) end, "bad argument #1 to 'apply' (function expected, got number)" },
  { "gb:diff('nope')", function() return g:diff("nope") end, "bad argument #1 to 'diff' (no column named 'nope'; columns: frame.number, frame.time_epoch, ip.src, udp.srcport, frame.len)" },
  { "gb:diff by NaN", function() return g:diff("frame.len", NAN) end,
    "bad argument #2 to 'diff' (number has no integer representation)" },
  { "gb:resample('abc')", function() return g:resample("abc", AGGS) end,
    "bad argument #1 to 'resample' (bad interval 'abc': expected a number and a unit: ns us ms s min h)" },
  { "gb:resample with 'avg'", function() return g:resample("1s", { n = { "frame.len", "avg" } }) end,
    "bad argument #2 to 'resample' (unknown aggregation 'avg' for 'n'; expected one of " .. AGGNAMES .. ")" },
  -- Column
  { "c:all('x')", function() return c:all("x") end, "bad argument #1 to 'all' (number expected, got string)" },
  { "c:all(NaN)", function() return c:all(NAN) end, "bad argument #1 to 'all' (number has no integer representation)" },
  { "c:ns of a uint column", function() return c:ns(1) end,
    "calling 'ns' on bad self (abstime or reltime column expected, got uint)" },
  { "c + 'x'", function() return c + "x" end,
    "attempt to perform arithmetic (+) on a pktframe.Column and a string value" },
  { "c + {}", function() return c + {} end, "attempt to perform arithmetic (+) on a pktframe.Column and a table value" },
  { "arithmetic on addresses", function() return t:col("ip.src") * 2 end,
    "attempt to perform arithmetic (*) on an ipv4 column" },
  { "c:eq({})", function() return c:eq({}) end,
    "bad argument #1 to 'eq' (pktframe.Column, number or string expected, got table)" },
  { "an address column compared with a bad address", function() return t:col("ip.src"):eq("not an ip") end,
    "bad argument #1 to 'eq' (bad ipv4 value 'not an ip')" },
  { "c < 5", function() return c < 5 end,
    "attempt to compare a pktframe.Column with '<': Lua makes that a boolean; use c:lt(x), c:le(x), c:gt(x), c:ge(x)" },
  { "the sum of addresses", function() return t:col("ip.src"):sum() end,
    "calling 'sum' on bad self ('sum' is not defined for an ipv4 column)" },
  { "a row of a closed table's column", function() return ccol[1] end, "bad argument #1 to 'index' (table is closed)" },
  { "the length of a closed table's column", function() return #ccol end, "bad argument #1 to 'len' (table is closed)" },
  { "the sum of a closed table's column", function() return ccol:sum() end, "calling 'sum' on bad self (table is closed)" },
  { "a Column method on a Table", function() return c.sum(t) end,
    "bad argument #1 to 'sum' (pktframe.Column expected, got pktframe.Table)" },
}

describe("misuse from Lua", function()
  for _, case in ipairs(cases) do
    it("raises for " .. case[1], function()
      assert.has_error(case[2], case[3])
    end)
  end
end)

describe("large and odd counts that are not errors", function()
  it("gives every row for t:head(2^62) and t:tail(2^62)", function()
    assert.are.equal(4, #t:head(2 ^ 62 // 1))
    assert.are.equal(4, #t:tail(math.maxinteger))
  end)

  it("gives no rows for a slice past the end, every row for one from math.mininteger", function()
    assert.are.equal(0, #t:slice(2 ^ 62 // 1))
    assert.are.equal(4, #t:slice(math.mininteger))
  end)

  it("gives nil for rows out of range and keys that are not rows", function()
    assert.is_nil(t:row(2 ^ 62 // 1))
    assert.is_nil(t:row(-1))
    assert.is_nil(c[NAN])
    assert.is_nil(c[2 ^ 62 // 1])
    assert.is_nil(c[0])
  end)

  it("gives all-null differences for a lag past the end", function()
    local d = t:diff("frame.len", 2 ^ 62 // 1)
    assert.are.equal(4, #d)
    for i = 1, 4 do assert.is_nil(d[i]) end
    assert.are.equal(4, #t:shift("frame.len", math.mininteger))
  end)

  it("returns nil and a message for paths that cannot be read, without raising", function()
    local x, err = pf.read("/nonexistent/x.pcap")
    assert.is_nil(x)
    assert.are.equal("/nonexistent/x.pcap: No such file or directory", err)
    local y, err2 = t:to_csv("/nonexistent/dir/x.csv")
    assert.is_nil(y)
    assert.are.equal("/nonexistent/dir/x.csv: No such file or directory", err2)
  end)

  it("reports a user function's error with the row it failed on", function()
    assert.has_error(function() t:filter(function() error("boom", 0) end) end, "filter: row 1: boom")
  end)

  it("closes a closed table again without complaint and names it closed", function()
    assert.has_no.errors(function() closed:close() end)
    assert.are.equal("pktframe.Table (closed)", tostring(closed))
  end)
end)
