-- define_field_spec.lua: pf.define_field: user fields in reads, filters, groupby, listings, and their errors.
local pf = require "pktframe"

local CAPTURES = (os.getenv("PKTFRAME_SHARED") or "/work/shared") .. "/captures"
local HAVE_TSHARK = os.execute("command -v tshark >/dev/null 2>&1") == true

-- The path of capture name, or nil (and the running test marked pending) when it is absent.
local function capture(name)
  local path = CAPTURES .. "/" .. name
  local f = io.open(path, "rb")
  if f == nil then
    pending(path .. " is absent: specs on real captures are skipped")
    return nil
  end
  f:close()
  return path
end

-- The question names of a DNS message, decoded by hand from the UDP payload
-- (RFC 1035 4.1.1 header, 4.1.2 question: labels up to a zero byte, then QTYPE and QCLASS).
local function dns_qnames(payload)
  if #payload < 12 then return nil end
  local qdcount = string.unpack(">I2", payload, 5)
  local pos, names = 13, {}
  for _ = 1, qdcount do
    local labels = {}
    while true do
      local n = payload:byte(pos)
      if n == nil then error("question runs past the end", 0) end
      if n == 0 then pos = pos + 1; break end
      if n >= 0xc0 then error("compressed name in a question", 0) end
      labels[#labels + 1] = payload:sub(pos + 1, pos + n)
      pos = pos + n + 1
    end
    names[#names + 1] = #labels > 0 and table.concat(labels, ".") or "<Root>"
    pos = pos + 4
  end
  return names
end

-- "GET /x HTTP/1.1" at the start of a TCP payload, or nil.
local function request_line(payload)
  return payload:match("^(%u+ %S+ HTTP/%d%.%d)\r\n")
end

-- tshark's HTTP request lines of path by frame, each segment dissected on its own
-- (no reassembly: the request line is where it starts, as a per-packet decoder sees it).
local function tshark_request_lines(path)
  local p = assert(io.popen("tshark -n -r '" .. path .. "' -o tcp.desegment_tcp_streams:FALSE -Y http.request"
    .. " -T fields -e frame.number -e http.request.method -e http.request.uri -e http.request.version 2>/dev/null"))
  local lines, n = {}, 0
  for line in p:lines() do
    local f, m, u, v = line:match("^(%d+)\t([^\t]*)\t([^\t]*)\t([^\t]*)$")
    lines[tonumber(f)] = m .. " " .. u .. " " .. v
    n = n + 1
  end
  p:close()
  return lines, n
end

local function all_of(c, i)
  local t = c:all(i)
  return #t > 0 and t or nil
end

describe("pktframe.define_field", function()
  -- the fields defined here would otherwise stay for the specs run after this one in the same process
  teardown(function()
    for _, f in ipairs(pf.fields("^spec%.")) do
      if f.user then pf.undefine_field(f.name) end
    end
  end)

  it("decodes DNS query names from udp.payload as pktframe's dns.qry.name has them", function()
    local path = capture("dns-mixed.pcap")
    if not path then return end
    pf.define_field{name = "spec.dns.qname", type = "string", where = "udp.port == 53",
      doc = "DNS question names, by hand", decode = dns_qnames}
    local t <close> = assert(pf.read(path, {fields = {"frame.number", "dns.qry.name", "spec.dns.qname"},
                                            filter = "udp.port == 53"}))
    assert.are.same({}, t:diagnostics())
    local mine, theirs, named = t:col("spec.dns.qname"), t:col("dns.qry.name"), 0
    assert.are.equal("string", mine:type())
    for i = 1, #t do
      assert.are.same(all_of(theirs, i), all_of(mine, i), "frame " .. t:col("frame.number")[i])
      if mine[i] then named = named + 1 end
    end
    assert.is_true(named > 300, "only " .. named .. " rows with names")
  end)

  it("decodes the HTTP request line from tcp.payload as tshark does", function()
    local path = capture("http-browsing-2013.pcap")
    if not path then return end
    if not HAVE_TSHARK then pending("tshark is absent: the comparison is skipped"); return end
    pf.define_field{name = "spec.http.request_line", type = "string", where = "tcp.port == 80", decode = request_line}
    local t <close> = assert(pf.read(path, {fields = {"frame.number", "spec.http.request_line"}}))
    local want, n = tshark_request_lines(path)
    assert.is_true(n > 300)
    local got, k = {}, 0
    local fn, rl = t:col("frame.number"), t:col("spec.http.request_line")
    for i = 1, #t do
      if rl[i] then got[fn[i]] = rl[i]; k = k + 1 end
    end
    assert.are.equal(n, k)
    assert.are.same(want, got)
  end)

  it("filters, groups and counts on a user field as on a built-in one", function()
    local path = capture("http-browsing-2013.pcap")
    if not path then return end
    if not HAVE_TSHARK then pending("tshark is absent: the comparison is skipped"); return end
    pf.define_field{name = "spec.http.method", type = "string", where = "tcp.port == 80",
      decode = function(payload) return payload:match("^(%u+) %S+ HTTP/%d%.%d\r\n") end}
    local lines = tshark_request_lines(path)
    local want_frames, want_counts = {}, {}
    for f, line in pairs(lines) do
      local m = line:match("^%u+")
      want_counts[m] = (want_counts[m] or 0) + 1
      if m == "POST" then want_frames[#want_frames + 1] = f end
    end
    table.sort(want_frames)
    assert.is_true(#want_frames > 0)
    -- a display filter in pf.read
    local posts <close> = assert(pf.read(path, {fields = {"frame.number"}, filter = 'spec.http.method == "POST"'}))
    assert.are.same(want_frames, { table.unpack(posts:col("frame.number"):totable(), 1, #posts) })
    -- a display filter on a table, groupby and value_counts
    local t <close> = assert(pf.read(path, {fields = {"frame.number", "spec.http.method"}}))
    local f <close> = t:filter('spec.http.method matches "^P"')
    assert.are.same(want_frames, { table.unpack(f:col("frame.number"):totable(), 1, #f) })
    local sizes = t:groupby("spec.http.method"):size()
    local got_counts = {}
    for i = 1, #sizes do got_counts[sizes:col("spec.http.method")[i]] = sizes:col("size")[i] end
    assert.are.same(want_counts, got_counts)
    local vc = t:value_counts("spec.http.method")
    assert.are.equal("GET", vc:col("spec.http.method")[1])
    assert.are.equal(want_counts.GET, vc:col("count")[1])
  end)

  it("groups in a streaming pf.scan as in pf.read", function()
    local path = capture("dns-mixed.pcap")
    if not path then return end
    if not pf.scan then pending("pf.scan is absent"); return end
    pf.define_field{name = "spec.scan.qname", type = "string", where = "udp.port == 53", decode = dns_qnames}
    local opts = { fields = { "frame.number", "spec.scan.qname" } }
    local t <close> = assert(pf.read(path, opts))
    local aggs = { n = { "frame.number", "count" }, f = { "frame.number", "first" } }
    local a = pf.scan(path, opts):groupby("spec.scan.qname", { sort = true }):agg(aggs)
    local b = t:groupby("spec.scan.qname", { sort = true }):agg(aggs)
    assert.are.equal(tostring(b), tostring(a))
    assert.is_true(#b > 50)
  end)

  it("calls the decoder only on packets its where matches, with the row it asked for", function()
    local path = capture("dns-mixed.pcap")
    if not path then return end
    local calls = 0
    pf.define_field{name = "spec.row.sport", type = "uint", where = "udp.port == 53",
      fields = {"udp.srcport", "ip.src"},
      decode = function(_, row)
        calls = calls + 1
        assert(math.type(row["frame.number"]) == "integer")
        return row["udp.srcport"]
      end}
    local t <close> = assert(pf.read(path, {fields = {"udp.srcport", "spec.row.sport"}}))
    local matching <close> = assert(pf.read(path, {fields = {"frame.number"}, filter = "udp.port == 53"}))
    assert.are.equal(#matching, calls)
    local a, b, n = t:col("udp.srcport"), t:col("spec.row.sport"), 0
    for i = 1, #t do
      if b[i] then n = n + 1; assert.are.equal(a[i], b[i]) end
    end
    assert.are.equal(#matching, n)
    assert.are.equal("uint", b:type())
  end)

  it("runs on every packet with a transport payload when there is no where", function()
    local path = capture("dns-mixed.pcap")
    if not path then return end
    local calls = 0
    pf.define_field{name = "spec.plen", type = "uint",
      decode = function(payload) calls = calls + 1; return #payload end}
    local t <close> = assert(pf.read(path, {fields = {"spec.plen", "udp.length", "udp.payload", "tcp.payload"}}))
    local with <close> = assert(pf.read(path, {fields = {"frame.number"}, filter = "tcp.payload or udp.payload"}))
    assert.are.equal(#with, calls)
    local plen, ulen, n = t:col("spec.plen"), t:col("udp.length"), 0
    for i = 1, #t do
      -- the same number udp.length - 8 gives, for UDP datagrams captured whole
      if plen[i] and ulen[i] and t:col("udp.payload")[i] then n = n + 1; assert.are.equal(ulen[i] - 8, plen[i]) end
    end
    assert.is_true(n > 0)
  end)

  it("gives an empty payload where `where` matches a packet that carries none", function()
    local path = capture("http-browsing-2013.pcap")
    if not path then return end
    pf.define_field{name = "spec.empty", type = "uint", where = "tcp.len == 0",
      decode = function(payload) return #payload end}
    local t <close> = assert(pf.read(path, {fields = {"spec.empty"}, filter = "spec.empty"}))
    local acks <close> = assert(pf.read(path, {fields = {"frame.number"}, filter = "tcp.len == 0"}))
    assert.are.equal(#acks, #t)
    assert.are.equal(0, t:col("spec.empty"):max())
  end)

  it("keeps long strings of several fields and occurrences intact", function()
    local path = capture("http-browsing-2013.pcap")
    if not path then return end
    -- four copies of a full segment overflow the first 4 KiB of the per-read buffer within one packet
    pf.define_field{name = "spec.copies", type = "bytes",
      decode = function(p) return { p, p:upper(), p, p:lower() } end}
    pf.define_field{name = "spec.copy", type = "bytes", decode = function(p) return p end}
    local t <close> = assert(pf.read(path, {fields = {"tcp.payload", "spec.copies", "spec.copy"},
                                            filter = "tcp.len > 1000"}))
    assert.is_true(#t > 1000)
    local pl, copies, copy = t:col("tcp.payload"), t:col("spec.copies"), t:col("spec.copy")
    for i = 1, #t do
      local p = pl[i]
      assert.are.same({ p, p:upper(), p, p:lower() }, copies:all(i))
      assert.are.equal(p, copy[i])
    end
  end)

  it("decodes in the calling thread when the read asks for two", function()
    local path = capture("dns-mixed.pcap")
    if not path then return end
    -- the OS thread that runs Lua: Linux names it in /proc/thread-self
    local function tid()
      local f = io.open("/proc/thread-self/stat")
      if not f then return nil end
      local id = f:read("l"):match("^%d+")
      f:close()
      return id
    end
    local me = tid()
    if not me then pending("/proc/thread-self is absent: the thread is not checked"); return end
    pf.define_field{name = "spec.thread", type = "bool", decode = function() return tid() == me end}
    local one <close> = assert(pf.read(path, {fields = {"frame.number", "spec.thread", "dns.qry.name"}}))
    local two <close> = assert(pf.read(path, {fields = {"frame.number", "spec.thread", "dns.qry.name"}, threads = 2}))
    assert.are.equal(one:to_csv(), two:to_csv())
    assert.are.equal(0, one:col("spec.thread"):ne(1):sum())
    assert.is_true(one:col("spec.thread"):count() > 400)
  end)

  it("costs no call when the read asks for no user field", function()
    local path = capture("dns-mixed.pcap")
    if not path then return end
    local calls = 0
    pf.define_field{name = "spec.unused", type = "uint", decode = function() calls = calls + 1; return 1 end}
    local t <close> = assert(pf.read(path, {fields = {"frame.number", "udp.payload"}}))
    assert.are.equal(464, #t)
    assert.are.equal(0, calls)
  end)

  it("takes a NaN key for a null, in t:groupby, t:value_counts and pf.scan alike (as pandas)", function()
    local path = capture("dns-mixed.pcap")
    if not path then return end
    -- by frame number: 1, NaN, -0.0, nil, 0.0, -NaN (0/0 has the sign bit set on x86, -(0/0) not)
    local cycle = { 1.0, 0 / 0, -0.0, nil, 0.0, -(0 / 0) }
    pf.define_field{name = "spec.nan.key", type = "double", where = "udp",
      decode = function(_, row) return cycle[row["frame.number"] % 6 + 1] end}
    local opts = { fields = { "frame.number", "spec.nan.key" } }
    local t <close> = assert(pf.read(path, opts))
    local aggs = { n = { "frame.number", "count" }, f = { "frame.number", "first" } }
    for _, dropna in ipairs({ true, false }) do
      local o = { dropna = dropna }
      local a = t:groupby("spec.nan.key", o):agg(aggs)
      local b = pf.scan(path, opts):groupby("spec.nan.key", o):agg(aggs)
      assert.are.equal(tostring(a), tostring(b))
      -- 1 and the zeros (-0.0 and 0.0 one key); without dropna one group of the nulls and NaNs
      assert.are.equal(dropna and 2 or 3, #a)
    end
    local vc = t:value_counts("spec.nan.key")
    assert.are.equal(tostring(vc), tostring(pf.scan(path, opts):value_counts("spec.nan.key")))
    assert.are.equal(2, #vc)
    assert.are.equal(2, #t:unique("spec.nan.key") - 1)   -- 1, 0 and one null
    pf.undefine_field("spec.nan.key")
  end)

  it("stores every type as the built-in fields of that type are stored", function()
    local path = capture("dhcp-dora.pcap")
    if not path then return end
    local cases = {
      { "none", true, true }, { "bool", true, 1 }, { "bool", 0, 0 }, { "uint", 7, 7 }, { "int", -5, -5 },
      { "framenum", 2, 2 }, { "double", 2.5, 2.5 }, { "string", "a\0b", "a\0b" }, { "bytes", "\1\2", "\1\2" },
      { "ipv4", "10.1.2.3", "10.1.2.3" }, { "ipv6", "2001:0db8:0::1", "2001:db8::1" },
      { "ether", "00:1D:d9:2e:4f:61", "00:1d:d9:2e:4f:61" }, { "abstime", 1.5, 1.5 }, { "reltime", -0.25, -0.25 },
    }
    local names = {}
    for k, c in ipairs(cases) do
      names[k] = "spec.types.f" .. k
      pf.define_field{name = names[k], type = c[1], decode = function() return c[2] end}
    end
    local t <close> = assert(pf.read(path, {fields = names}))
    assert.are.same({}, t:diagnostics())
    for k, c in ipairs(cases) do
      assert.are.equal(c[1], t:col(names[k]):type())
      assert.are.equal(c[3], t:col(names[k])[1], c[1])
    end
  end)

  it("prints a uint with a base in tshark's hex form and keeps several occurrences", function()
    local path = capture("dhcp-dora.pcap")
    if not path then return end
    pf.define_field{name = "spec.hex", type = "uint", base = 4, decode = function() return { 255, 4096 } end}
    local t <close> = assert(pf.read(path, {fields = {"frame.number", "spec.hex"}}))
    assert.are.same({ 255, 4096 }, t:col("spec.hex"):all(1))
    assert.are.equal("frame.number,spec.hex\n1,\"0x00ff,0x1000\"\n", t:head(1):to_csv())
  end)

  it("lists user fields in pf.fields and the REPL's completion", function()
    pf.define_field{name = "spec.listed.op", type = "uint", doc = "an op code", decode = function() end}
    assert.are.same({ { name = "spec.listed.op", type = "uint", doc = "an op code", user = true } },
                    pf.fields("^spec%.listed"))
    local repl = require "pktframe.repl"
    assert.are.same({ "spec.listed.op" }, repl.complete('cap:col("spec.lis', "spec.lis"))
  end)

  it("replaces a user field's decoder, and gives a retyped field a new column type", function()
    local path = capture("dhcp-dora.pcap")
    if not path then return end
    pf.define_field{name = "spec.redef", type = "uint", decode = function() return 1 end}
    local old <close> = assert(pf.read(path, {fields = {"spec.redef"}}))
    pf.define_field{name = "spec.redef", type = "uint", decode = function() return 2 end}
    local same <close> = assert(pf.read(path, {fields = {"spec.redef"}}))
    assert.are.equal(2, same:col("spec.redef")[1])
    pf.define_field{name = "spec.redef", type = "string", decode = function() return "x" end}
    local new <close> = assert(pf.read(path, {fields = {"spec.redef"}}))
    assert.are.equal("x", new:col("spec.redef")[1])
    assert.are.equal("uint", old:col("spec.redef"):type())
    assert.are.equal(1, old:col("spec.redef")[1])
    assert.are.equal(1, #pf.fields("^spec%.redef$"))
    assert.are.equal("string", pf.fields("^spec%.redef$")[1].type)
  end)

  it("reports a decoder's error and a wrong value with field and packet, leaving the value empty", function()
    local path = capture("dhcp-dora.pcap")
    if not path then return end
    pf.define_field{name = "spec.err.raise", type = "uint", fields = {"frame.number"},
      decode = function(_, row) if row["frame.number"] == 2 then error("boom", 0) end return 10 end}
    pf.define_field{name = "spec.err.type", type = "uint",
      decode = function(_, row) if row["frame.number"] == 3 then return "x" end return 20 end}
    pf.define_field{name = "spec.err.values", type = "uint", decode = function(_, row)
      local bad = {
        [1] = { 1, "two" }, [2] = -1, [3] = 1.5, [4] = {}, }
      return bad[row["frame.number"]]
    end}
    pf.define_field{name = "spec.err.addr", type = "ipv4", decode = function(_, row)
      return ({ "1.2.3", "1.2.3.4", true, "1.2.3.4\0" })[row["frame.number"]]
    end}
    local t <close> = assert(pf.read(path,
      {fields = {"spec.err.raise", "spec.err.type", "spec.err.values", "spec.err.addr"}}))
    assert.are.same({ 10, nil, 10, 10, n = 4 }, t:col("spec.err.raise"):totable())
    assert.are.same({ 20, 20, nil, 20, n = 4 }, t:col("spec.err.type"):totable())
    assert.are.same({ n = 4 }, t:col("spec.err.values"):totable())
    assert.are.same({ nil, "1.2.3.4", nil, nil, n = 4 }, t:col("spec.err.addr"):totable())
    local d = t:diagnostics()
    table.sort(d)
    assert.are.same({
      "spec.err.addr: packet 1: decode: '1.2.3' is not an ipv4 address",
      "spec.err.addr: packet 3: decode: ipv4 expected, got boolean",
      "spec.err.addr: packet 4: decode: '1.2.3.4' is not an ipv4 address",
      "spec.err.raise: packet 2: decode: boom",
      "spec.err.type: packet 3: decode: uint expected, got string",
      "spec.err.values: packet 1: decode: item 2: uint expected, got string",
      "spec.err.values: packet 2: decode: -1 is out of range for uint",
      "spec.err.values: packet 3: decode: uint expected, got non-integer number 1.5",
    }, d)
  end)

  it("lists the first five errors of a field and counts the rest", function()
    local path = capture("dns-mixed.pcap")
    if not path then return end
    pf.define_field{name = "spec.err.many", type = "string", where = "udp.port == 53",
      decode = function(_, row) error({ frame = row["frame.number"] }) end}
    local matching <close> = assert(pf.read(path, {fields = {"frame.number"}, filter = "udp.port == 53"}))
    local t <close> = assert(pf.read(path, {fields = {"frame.number", "spec.err.many"}}))
    local d = t:diagnostics()
    assert.are.equal(6, #d)
    local fn = matching:col("frame.number")
    for i = 1, 5 do
      assert.are.equal(("spec.err.many: packet %d: decode: (error object is a table value)"):format(fn[i]), d[i])
    end
    assert.are.equal(("spec.err.many: %d packets with decode errors (the first 5 are listed)"):format(#matching), d[6])
    assert.are.equal(0, t:col("spec.err.many"):count())
  end)

  it("raises for a bad definition, naming what is wrong", function()
    local decode = function() end
    pf.define_field{name = "spec.bad.user", type = "uint", decode = decode}
    local cases = {
      { "x", "table expected, got string" },
      { {type = "uint", decode = decode}, "name: string expected, got nil" },
      { {name = "spec.x", decode = decode}, "type: string expected, got nil" },
      { {name = "spec.x", type = "uint"}, "decode: function expected, got nil" },
      { {name = "spec.x", type = "float", decode = decode},
        "type: unknown type 'float' (none, bool, uint, int, framenum, double, string, bytes, ipv4, ipv6, ether, "
        .. "abstime or reltime)" },
      { {name = "Spec.x", type = "uint", decode = decode},
        "bad field name 'Spec.x': it must start with a lowercase letter" },
      { {name = "spec", type = "uint", decode = decode},
        "bad field name 'spec': it needs a protocol part, as in 'myproto.op'" },
      { {name = "spec..x", type = "uint", decode = decode}, "bad field name 'spec..x': an empty part between dots" },
      { {name = "spec.X", type = "uint", decode = decode},
        "bad field name 'spec.X': only lowercase letters, digits, '_', '-' and dots" },
      { {name = "dns.qry.name", type = "string", decode = decode}, "'dns.qry.name' is a built-in field" },
      { {name = "spec.x", type = "uint", decode = decode, decoder = decode}, "unknown key 'decoder'" },
      { {name = "spec.x", type = "uint", decode = decode, doc = 1}, "doc: string expected, got number" },
      { {name = "spec.x", type = "uint", decode = decode, where = "udp.port =="},
        "where: bad filter 'udp.port ==': column 12: expected a value at the end" },
      { {name = "spec.x", type = "uint", decode = decode, where = "spec.bad.user == 1"},
        "where: 'spec.bad.user' is a user field; where tests built-in fields only" },
      { {name = "spec.x", type = "uint", decode = decode, fields = {"ip.scr"}},
        "fields[1]: unknown field 'ip.scr'; did you mean 'ip.src'?" },
      { {name = "spec.x", type = "uint", decode = decode, fields = {"ip.src", 3}},
        "fields[2]: string expected, got number" },
      { {name = "spec.x", type = "uint", decode = decode, fields = {"spec.bad.user"}},
        "fields[1]: 'spec.bad.user' is a user field; a row holds built-in fields only" },
      { {name = "spec.x", type = "string", decode = decode, base = 4}, "base: only a uint field has a base" },
      { {name = "spec.x", type = "uint", decode = decode, base = 1.5},
        "base: an integer from 0 (decimal) to 16 (hex digits) expected" },
    }
    for _, c in ipairs(cases) do
      assert.has_error(function() pf.define_field(c[1]) end, "bad argument #1 to 'define_field' (" .. c[2] .. ")")
    end
    assert.are.equal(0, #pf.fields("^spec%.x$"))
  end)

  it("forgets a field on undefine_field, while tables read before keep its column", function()
    local path = capture("dhcp-dora.pcap")
    if not path then return end
    pf.define_field{name = "spec.vanishing.xyz", type = "uint", decode = function() return 5 end}
    local t <close> = assert(pf.read(path, {fields = {"spec.vanishing.xyz"}}))
    pf.undefine_field("spec.vanishing.xyz")
    assert.are.same({}, pf.fields("^spec%.gone$"))
    assert.has_error(function() pf.read(path, {fields = {"spec.vanishing.xyz"}}) end,
                     "bad argument #2 to 'read' (unknown field 'spec.vanishing.xyz')")
    assert.are.equal(5, t:col("spec.vanishing.xyz")[1])
    assert.are.equal("spec.vanishing.xyz\n5\n5\n5\n5\n", t:to_csv())
    assert.has_error(function() pf.undefine_field("spec.vanishing.xyz") end,
                     "bad argument #1 to 'undefine_field' (unknown field 'spec.vanishing.xyz')")
    assert.has_error(function() pf.undefine_field("ip.src") end,
                     "bad argument #1 to 'undefine_field' ('ip.src' is a built-in field)")
    assert.has_error(function() pf.undefine_field() end,
                     "bad argument #1 to 'undefine_field' (string expected, got no value)")
  end)

  it("refuses a user field in a read of a Lua state that did not define it", function()
    -- another state's definitions are not here: simulate by clearing this state's table
    local reg = debug.getregistry()
    local saved = reg["pktframe.userfields"]
    pf.define_field{name = "spec.elsewhere", type = "uint", decode = function() return 1 end}
    reg["pktframe.userfields"] = {}
    local ok, err = pcall(pf.read, CAPTURES .. "/dhcp-dora.pcap", {fields = {"spec.elsewhere"}})
    reg["pktframe.userfields"] = saved
    assert.is_false(ok)
    assert.are.equal("field 'spec.elsewhere' has no decoder in this Lua state (pf.define_field runs per state)", err)
  end)
end)
