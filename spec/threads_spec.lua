-- threads_spec.lua: pf.read{threads = 2} (decoding in a second thread, rows appended in the
-- caller's) gives exactly what one thread gives: every cell of every field, the diagnostics,
-- the errors, on every shared capture. The single-threaded read is the reference; it is itself
-- checked against tshark by tests/difftest.lua.
local pf = require "pktframe"

local SHARED = os.getenv("PKTFRAME_SHARED") or "/work/shared"
local CAPTURES = SHARED .. "/captures"

local function exists(path)
  local f = io.open(path, "rb")
  if f then f:close() end
  return f ~= nil
end

-- The shared captures (from MANIFEST.tsv, so no directory listing is needed), or nil.
local function captures()
  local f = io.open(CAPTURES .. "/MANIFEST.tsv", "r")
  if not f then return nil end
  local list = {}
  for line in f:lines() do
    local name = line:match("^([^\t]+)\t")
    if name and name ~= "file" then list[#list + 1] = CAPTURES .. "/" .. name end
  end
  f:close()
  -- the non-capture and the damaged files are in the list too: their errors and diagnostics must agree
  list[#list + 1] = CAPTURES .. "/garbage-not-a-capture.pcap"
  return list
end

-- Every built-in field: strings, bytes, addresses, times, stream numbers and TCP analysis among them
-- (not the user fields other specs define: their Lua decoders may keep state between reads).
local function all_fields()
  local names = {}
  for _, f in ipairs(pf.fields()) do
    if not f.user then names[#names + 1] = f.name end
  end
  return names
end

-- The whole table as text: every cell with every occurrence (to_tsv), the row count and the diagnostics.
local function dump(path, opts)
  local t, err = pf.read(path, opts)
  if not t then return "error: " .. tostring(err) end
  local out = os.tmpname()
  assert(t:to_tsv(out))
  local f = assert(io.open(out, "rb"))
  local text = f:read("a")
  f:close()
  os.remove(out)
  local d = table.concat(t:diagnostics(), "\n")
  local n = #t
  t:close()
  return string.format("%d rows\n%s\n--\n%s", n, text, d)
end

local function with(opts, threads)
  local o = {}
  for k, v in pairs(opts) do o[k] = v end
  o.threads = threads
  return o
end

describe("pf.read with threads = 2", function()
  local list = captures()
  if not list then
    it("skipped: " .. CAPTURES .. " is absent (set PKTFRAME_SHARED)", function() pending("no captures") end)
    return
  end
  local fields = all_fields()

  it("gives every cell of every field exactly as one thread on every shared capture", function()
    assert.is_true(#fields > 100)
    local compared = 0
    for _, path in ipairs(list) do
      if exists(path) then
        local one = dump(path, {fields = fields, threads = 1})
        local two = dump(path, {fields = fields, threads = 2})
        assert.are.equal(one, two, path)
        compared = compared + 1
      end
    end
    assert.is_true(compared >= 30)
  end)

  it("agrees with a display filter, a BPF filter, strict and several files", function()
    local a, b = CAPTURES .. "/http-browsing-2013.pcap", CAPTURES .. "/mixed-many-protocols.pcap"
    if not (exists(a) and exists(b)) then return pending("captures absent") end
    local cases = {
      {a, {fields = {"frame.number", "ip.src", "tcp.stream", "tcp.analysis.ack_rtt"}, filter = "tcp.len > 0"}},
      {a, {fields = {"frame.number", "tcp.seq", "tcp.stream"}, bpf = "tcp port 80"}},
      {b, {fields = {"frame.time_epoch", "tcp.stream", "ip.src", "tcp.srcport", "tcp.len"}, strict = true}},
      {{a, b, a}, {fields = {"frame.number", "tcp.stream", "udp.stream", "dns.qry.name", "http.host"}}},
    }
    for i, c in ipairs(cases) do
      local one, two = dump(c[1], with(c[2], 1)), dump(c[1], with(c[2], 2))
      assert.are.equal(one, two, "case " .. i)
      assert.is_true(#one > 200, "case " .. i .. " read rows")
    end
  end)

  it("keeps the rows before damage and the same diagnostic", function()
    local path = CAPTURES .. "/truncated-midpacket.pcap"
    if not exists(path) then return pending("capture absent") end
    local t1 <close> = assert(pf.read(path, {fields = {"frame.number", "ip.src"}, threads = 1}))
    local t2 <close> = assert(pf.read(path, {fields = {"frame.number", "ip.src"}, threads = 2}))
    assert.are.equal(#t1, #t2)
    assert.is_true(#t2:diagnostics() > 0)
    assert.are.same(t1:diagnostics(), t2:diagnostics())
  end)

  it("fails the same way for a file it cannot read", function()
    local ok1, e1 = pf.read(CAPTURES .. "/no-such-file.pcap", {threads = 1})
    local ok2, e2 = pf.read(CAPTURES .. "/no-such-file.pcap", {threads = 2})
    assert.is_nil(ok1)
    assert.is_nil(ok2)
    assert.are.equal(e1, e2)
  end)

  it("takes threads above 2 as 2", function()
    local path = CAPTURES .. "/dns-mixed.pcap"
    if not exists(path) then return pending("capture absent") end
    assert.are.equal(dump(path, {fields = {"frame.number", "dns.qry.name"}, threads = 1}),
                     dump(path, {fields = {"frame.number", "dns.qry.name"}, threads = 8}))
  end)

  it("names a bad threads value", function()
    local cases = {
      {0, "bad argument #2 to 'read' (threads: integer from 1 to 64 expected, got 0)"},
      {65, "bad argument #2 to 'read' (threads: integer from 1 to 64 expected, got 65)"},
      {1.5, "bad argument #2 to 'read' (threads: integer from 1 to 64 expected, got 1.5)"},
      {"2", "bad argument #2 to 'read' (threads: integer from 1 to 64 expected, got string)"},
    }
    for _, c in ipairs(cases) do
      assert.has_error(function() pf.read("x.pcap", {threads = c[1]}) end, c[2])
    end
  end)
end)
