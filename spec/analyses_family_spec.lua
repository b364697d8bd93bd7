-- analyses_family_spec.lua: the analyses cover IPv4 and IPv6 in one run (issue 15): one address
-- column of both families (Column:where of an ipv4 and an ipv6 column), --ipv4/--ipv6 to keep one,
-- and the option checks of pf.args that run before any reading.
local pf = require "pktframe"
local synth = require "pktframe.synth"
local family = require "pktframe.family"
local args = require "pktframe.args"
local streams = require "pktframe.streams"
local rtt = require "pktframe.rtt"
local graph = require "pktframe.graph"
local payload = require "pktframe.payload"
local payload_time = require "pktframe.payload_time"
local interarrival = require "pktframe.interarrival"
local bursts = require "pktframe.bursts"

local MAC1, MAC2 = "02:00:00:00:00:01", "02:00:00:00:00:02"
local A4, B4 = "10.0.0.1", "10.0.0.2"
local A6, B6 = "2001:db8::1", "2001:db8::2"

local function ip(src, dst, seg)
  if src:find(":", 1, true) then
    return synth.eth{ src = MAC1, dst = MAC2, type = 0x86dd, payload = synth.ipv6{ src = src, dst = dst, payload = seg } }
  end
  return synth.eth{ src = MAC1, dst = MAC2, payload = synth.ipv4{ src = src, dst = dst, payload = seg } }
end

local function tcp(src, dst, sport, dport, flags, n)
  return ip(src, dst, synth.tcp{ sport = sport, dport = dport, flags = flags, payload = string.rep("t", n or 0) })
end

-- Two TCP streams, one per family, each a handshake and a 400-byte answer, and a UDP datagram of each.
local function capture()
  local path = os.tmpname()
  local w <close> = assert(synth.writer(path))
  local frames = {
    tcp(A4, B4, 40000, 80, "S"), tcp(B4, A4, 80, 40000, "SA"), tcp(A4, B4, 40000, 80, "A"),
    tcp(B4, A4, 80, 40000, "PA", 400),
    tcp(A6, B6, 40001, 443, "S"), tcp(B6, A6, 443, 40001, "SA"), tcp(A6, B6, 40001, 443, "A"),
    tcp(B6, A6, 443, 40001, "PA", 400), tcp(B6, A6, 443, 40001, "PA", 350),
    ip(A4, B4, synth.udp{ sport = 5000, dport = 53, payload = "q" }),
    ip(A6, B6, synth.udp{ sport = 5000, dport = 53, payload = "qq" }),
  }
  for i, f in ipairs(frames) do w:packet(i * 0.01, f) end
  return path
end

local function set(col)
  local out = {}
  for _, v in ipairs(col:totable()) do out[#out + 1] = tostring(v) end
  table.sort(out)
  return out
end

describe("Column:where of an IPv4 and an IPv6 column", function()
  it("gives one string column of both families' addresses", function()
    local path = capture()
    local t <close> = assert(pf.read(path, { fields = { "ip.src", "ipv6.src" } }))
    os.remove(path)
    local c = t:col("ipv6.src"):notnull():where(t:col("ipv6.src"), t:col("ip.src"))
    assert.are.equal("string", c:type())
    assert.are.equal(#t, c:count())
    assert.are.equal(A4, c[1])
    assert.are.equal(A6, c[5])
    assert.are.equal(B6, c[6])
  end)
end)

describe("pktframe.family", function()
  it("reads both families by default and one with ipv4 or ipv6", function()
    assert.are.same({ "x", "ip.src", "ip.dst", "ipv6.src", "ipv6.dst" }, family.fields(nil, { "x" }))
    assert.are.same({ "ip.src", "ip.dst", "ip.len" }, family.fields("ipv4", nil, true))
    assert.are.same({ "ipv6.src", "ipv6.dst" }, family.fields("ipv6"))
    assert.is_nil(family.of({}))
    assert.are.equal("ipv6", family.of({ ip6 = true }))
    assert.are.equal("ipv4", family.of({ ipv4 = true }))
    local f, err = family.of({ ipv4 = true, ipv6 = true })
    assert.is_nil(f)
    assert.matches("exclude each other", err)
  end)
end)

describe("the analyses over a dual-stack capture", function()
  local path
  before_each(function() path = capture() end)
  after_each(function() os.remove(path) end)

  it("streams: both streams by default, one with a family", function()
    local t <close> = assert(pf.read(path, { fields = streams.fields_for(nil), filter = streams.filter(nil) }))
    local s = streams.summary(t)
    assert.are.equal(2, #s)
    assert.are.same({ A4, A6 }, set(s:col("src_ip")))
    assert.are.same({ 400, 750 }, { s:col("bytes_ba")[1], s:col("bytes_ba")[2] })
    assert.are.equal(1, #streams.by_ip(s, "2001:DB8::1"))   -- any text form of the address
    assert.are.equal(1, #streams.summary(t, { family = "ipv4" }))
    local s6 = streams.summary(t, { family = "ipv6" })
    assert.are.equal(1, #s6)
    assert.are.equal(A6, s6:col("src_ip")[1])
    assert.are.equal(0, #streams.by_ip(s6, A4))   -- the other family: no stream, no error
  end)

  it("rtt: a conversation per family, IPv6 bytes with their 40-byte header", function()
    local t <close> = assert(pf.read(path, { fields = rtt.fields(), filter = "tcp" }))
    local c = rtt.analyse(t).conversations
    assert.are.equal(2, #c)
    assert.are.same({ A4, A6 }, set(c:col("client")))
    -- IPv4: 3 x 40 + 440; IPv6: 3 x 60 + 460 + 410
    local by = {}
    for i = 1, #c do by[c:col("client")[i]] = c:col("bytes")[i] end
    assert.are.equal(560, by[A4])
    assert.are.equal(1050, by[A6])
    assert.are.equal(1, #rtt.analyse(t, { family = "ipv6" }).conversations)
    assert.are.equal(1, #rtt.analyse(t, { ip6 = true }).conversations)   -- the older option
  end)

  it("graph, payload, payload_time, inter-arrival and bursts see both families", function()
    local t <close> = assert(pf.read(path, { fields = payload.fields() }))
    assert.are.equal(4, #graph.edges(t))
    assert.are.equal(2, #graph.edges(t, { family = "ipv4" }))
    local e = assert(graph.edges_scan(path, {}))
    assert.are.equal(4, #e)
    local r = payload.analyse(t)
    assert.are.same({ A4, B4, A6, B6 }, set(r.ip_src:col("src")))
    assert.are.equal("ipv6.src", payload.analyse(t, { family = "ipv6" }).ip_src:columns()[1])
    local pt = payload_time.analyse(t)
    assert.are.equal(B6, pt.source)                 -- 750 bytes, more than B4's 400
    assert.are.equal(0, #payload_time.analyse(t, { source = "1.2.3.4" }).packets)
    assert.are.equal(0, #payload_time.analyse(t, { source = "2001:db8::99", family = "ipv4" }).packets)
    local ia = interarrival.analyse(t)
    assert.are.same({ A4, B4, A6, B6 }, set(ia.addresses:col("address")))
    local b = bursts.analyse(t, { size = 300, time = 1 })
    assert.are.equal(1, #b.bursts)                   -- B6's two answers
    assert.are.equal(B6, b.bursts:col("src")[1])
  end)
end)

describe("pf.args checks values before any work", function()
  local function parse(opts, argv) return args.parse({ options = opts }, argv) end

  it("reads addresses and networks, in tshark's text", function()
    assert.are.equal("2001:db8::1", parse({ { "ip", type = "address" } }, { "--ip", "2001:DB8:0:0::1" }).ip)
    assert.are.equal("10.0.0.1", parse({ { "ip", type = "address" } }, { "--ip", "10.0.0.1" }).ip)
    assert.are.equal("2001:db8::/32", parse({ { "n", type = "network" } }, { "--n", "2001:DB8::/32" }).n)
    local v, msg, status = parse({ { "ip", type = "address" } }, { "--ip", "1.2.3" })
    assert.is_nil(v)
    assert.are.equal(2, status)
    assert.are.equal("option '--ip': expected an IPv4 or IPv6 address such as 10.0.0.1 or 2001:db8::1, got '1.2.3'", msg)
    assert.is_nil((parse({ { "n", type = "network" } }, { "--n", "10.0.0.0/33" })))
    assert.is_nil(args.address("300.1.1.1"))
    assert.is_nil(args.address("1::2::3"))
    assert.are.equal("2001:0:0:1::1", args.address("2001:0:0:1:0:0:0:1"))
    assert.are.equal("::", args.address("0:0:0:0:0:0:0:0"))
  end)

  it("checks ranges and an option's own test", function()
    local _, msg = parse({ { "top", type = "integer", min = 1 } }, { "--top", "0" })
    assert.are.equal("option '--top': expected an integer of at least 1, got '0'", msg)
    _, msg = parse({ { "t", type = "duration", above = 0 } }, { "--t", "0s" })
    assert.matches("above 0, got '0s'", msg, 1, true)
    _, msg = parse({ { "x", type = "number", max = 1 } }, { "--x", "1.5" })
    assert.are.equal("option '--x': expected a number of at most 1, got '1.5'", msg)
    _, msg = parse({ { "k", check = function(v) return v == "ok" and v or nil, "expected ok" end } }, { "--k", "no" })
    assert.are.equal("option '--k': expected ok, got 'no'", msg)
  end)

  it("says that pktframe run's own options go before the script", function()
    local _, msg = parse({}, { "x.pcap", "-q" })
    assert.are.equal("unknown option '-q' (pktframe's own -q goes before the script: pktframe run -q SCRIPT ...)", msg)
  end)
end)
