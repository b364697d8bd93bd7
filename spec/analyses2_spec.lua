-- analyses2_spec.lua: the analysis modules 8-13 (rtt, graph, payload, interarrival, bursts) on small
-- captures built here, against answers worked out by hand from the packets below (the thresholds'
-- edges included). tests/analyses2_test.py compares the same modules with pandas on real captures.
local pf = require "pktframe"
local synth = require "pktframe.synth"
local rtt = require "pktframe.rtt"
local graph = require "pktframe.graph"
local payload = require "pktframe.payload"
local interarrival = require "pktframe.interarrival"
local bursts = require "pktframe.bursts"

local MAC1, MAC2 = "02:00:00:00:00:01", "02:00:00:00:00:02"

-- Writes frames {sec, nsec, bytes} to a temporary pcap with nanosecond times; returns its path.
local function capture(frames)
  local path = os.tmpname()
  local w <close> = assert(synth.writer(path, { nsec = true }))
  for _, f in ipairs(frames) do w:packet({ f[1], f[2] }, f[3]) end
  return path
end

local function udp(src, dst, n)
  return synth.eth{ src = MAC1, dst = MAC2, payload = synth.ipv4{ src = src, dst = dst,
    payload = synth.udp{ sport = 5000, dport = 6000, payload = string.rep("u", n) } } }
end

local function tcp(src, dst, sport, dport, flags, n)
  return synth.eth{ src = MAC1, dst = MAC2, payload = synth.ipv4{ src = src, dst = dst,
    payload = synth.tcp{ sport = sport, dport = dport, flags = flags, payload = string.rep("t", n or 0) } } }
end

local A, B = "10.0.0.1", "10.0.0.2"

-- Payload sizes and times chosen around BURST_SIZE 300 and BURST_TIME 0.3 s.
local BURSTY = {
  { 1, 0, udp(A, B, 300) },                     -- counts: exactly 300 bytes
  { 1, 100000000, udp(B, A, 350) },             -- B -> A, a pair of its own
  { 1, 200000000, udp(B, A, 350) },
  { 1, 250000000, tcp(A, B, 40000, 80, "PA", 400) },   -- TCP payload counts too (same address pair)
  { 1, 300000000, udp(A, B, 300) },             -- 0.05 s after the previous: same burst
  { 1, 600000001, udp(A, B, 500) },             -- 0.300000001 s after: a new burst
  { 1, 700000000, udp(A, B, 299) },             -- 299 bytes: does not count, does not break
  { 1, 800000000, udp(A, B, 300) },             -- 0.199999999 s after 1.600000001: same burst
  { 5, 0, udp(A, B, 1000) },                    -- alone: not a burst
  { 6, 0, synth.eth{ src = MAC1, dst = "ff:ff:ff:ff:ff:ff", payload = synth.ipv4{ src = "0.0.0.0",
    dst = "255.255.255.255", payload = synth.udp{ sport = 68, dport = 67, payload = string.rep("d", 300) } } } },
}

describe("pktframe.bursts", function()
  it("finds the bursts worked out by hand, at the thresholds' edges", function()
    local path = capture(BURSTY)
    local t <close> = assert(pf.read(path, { fields = bursts.fields() }))
    os.remove(path)
    local b = bursts.analyse(t).bursts
    assert.are.equal(3, #b)
    assert.are.same({ 1, 2, 3 }, { b:col("id")[1], b:col("id")[2], b:col("id")[3] })
    assert.are.same({ A, B, A }, { b:col("src")[1], b:col("src")[2], b:col("src")[3] })
    assert.are.same({ 3, 2, 2 }, { b:col("packets")[1], b:col("packets")[2], b:col("packets")[3] })
    assert.are.same({ 1000, 700, 800 }, { b:col("bytes")[1], b:col("bytes")[2], b:col("bytes")[3] })
    local ns = function(col, i) return b:col(col):ns(i) end
    assert.are.same({ 1000000000, 1100000000, 1600000001 }, { ns("start", 1), ns("start", 2), ns("start", 3) })
    assert.are.same({ 1300000000, 1200000000, 1800000000 }, { ns("end", 1), ns("end", 2), ns("end", 3) })
  end)

  it("takes other thresholds and a minimum of packets", function()
    local path = capture(BURSTY)
    local t <close> = assert(pf.read(path, { fields = bursts.fields() }))
    os.remove(path)
    -- time = 0.2: A -> B splits into 1.0 (alone) | 1.25, 1.3 | 1.600000001, 1.8 (0.199999999 apart)
    local b = bursts.analyse(t, { time = 0.2 }).bursts
    assert.are.equal(3, #b)
    assert.are.same({ B, A, A }, { b:col("src")[1], b:col("src")[2], b:col("src")[3] })
    assert.are.same({ 2, 2, 2 }, { b:col("packets")[1], b:col("packets")[2], b:col("packets")[3] })
    assert.are.same({ 1100000000, 1250000000, 1600000001 },
      { b:col("start"):ns(1), b:col("start"):ns(2), b:col("start"):ns(3) })
    -- min_packets = 1: the lone packets count too: A -> B 1.0-1.3, 1.600000001-1.8 and 5.0; B -> A;
    -- and the 300 bytes 0.0.0.0 broadcasts
    assert.are.equal(5, #bursts.analyse(t, { min_packets = 1 }).bursts)
    assert.has_error(function() bursts.analyse(t, { min_packets = 0 }) end,
      "bad argument #2 to 'analyse' (min_packets: an integer >= 1 expected, got 0)")
  end)
end)

describe("pktframe.payload", function()
  it("sums tcp.len and udp.length - 8 by address and port", function()
    local path = capture(BURSTY)
    local t <close> = assert(pf.read(path, { fields = payload.fields() }))
    os.remove(path)
    local r = payload.analyse(t)
    -- A sends 300 + 400 + 300 + 500 + 299 + 300 + 1000; B 350 + 350; 0.0.0.0 300
    local src, by = r.ip_src:col("src"), r.ip_src:col("bytes")
    assert.are.same({ A, B, "0.0.0.0" }, { src[1], src[2], src[3] })
    assert.are.same({ 3099, 700, 300 }, { by[1], by[2], by[3] })
    assert.are.equal(1, #r.tcp_srcport)
    assert.are.same({ 40000, 400, 1 }, { r.tcp_srcport:col("tcp.srcport")[1], r.tcp_srcport:col("bytes")[1],
      r.tcp_srcport:col("packets")[1] })
    assert.are.same({ 5000, 3399 }, { r.udp_srcport:col("udp.srcport")[1], r.udp_srcport:col("bytes")[1] })
    local labels, values = payload.top(r.ip_src, 1)
    assert.are.same({ A, "other (2)" }, labels)
    assert.are.same({ 3099, 1000, n = 2 }, values)
  end)
end)

describe("pktframe.graph", function()
  it("counts packets per address pair and leaves out 0.0.0.0 and broadcast unless asked", function()
    local path = capture(BURSTY)
    local t <close> = assert(pf.read(path, { fields = graph.fields() }))
    local e = graph.edges(t)
    assert.are.equal(2, #e)
    assert.are.same({ A, B, 7 }, { e:col("src")[1], e:col("dst")[1], e:col("packets")[1] })
    assert.are.equal(3, #graph.edges(t, { keep_all = true }))
    local s = assert(graph.edges_scan(path))
    os.remove(path)
    assert.are.same(e:col("packets"):totable(), s:col("packets"):totable())
    assert.truthy(graph.dot(e):find('"10.0.0.1" -> "10.0.0.2" [label="7"', 1, true))
    local html = graph.html(e)
    assert.falsy(html:find("https?://[^w]"))          -- no resource from the network
    assert.truthy(html:find('"nodes":["10.0.0.1","10.0.0.2"]', 1, true))
    assert.truthy(graph.svg(e):find("<svg", 1, true))
  end)
end)

describe("pktframe.interarrival", function()
  it("gives each packet the time since the previous one from its source and to its destination", function()
    local path = capture(BURSTY)
    local t <close> = assert(pf.read(path, { fields = interarrival.fields() }))
    os.remove(path)
    local r = interarrival.analyse(t)
    local p = r.packets
    local dep, arr = p:col("inter_departure"), p:col("inter_arrival")
    -- A sends frames 1, 4, 5, 6, 7, 8, 9 at 1.0, 1.25, 1.3, 1.600000001, 1.7, 1.8, 5.0
    local want = { nil, 250000000, 50000000, 300000001, 99999999, 100000000, 3200000000 }
    local got = {}
    local k = 0
    for i = 1, #p do
      if p:col("src")[i] == A then
        k = k + 1
        got[k] = dep[i] and dep:ns(i) or nil
      end
    end
    assert.are.equal(7, k)
    for i = 1, 7 do assert.are.equal(want[i], got[i]) end
    assert.are.equal(100000000, arr:ns(3))   -- frame 3, B -> A, 0.1 s after frame 2 reached A
    local a = r.addresses:filter(r.addresses:col("address"):eq(A))
    assert.are.same({ 7, 2 }, { a:col("sent")[1], a:col("received")[1] })
    assert.are.equal(50000000, a:col("departure_min"):ns(1))
    assert.are.equal(3200000000, a:col("departure_max"):ns(1))
  end)
end)

describe("pktframe.rtt", function()
  it("makes the SYN sender the client, else the side with the higher port", function()
    local C, D, E, F = "10.0.0.3", "10.0.0.4", "10.0.0.5", "10.0.0.6"
    local path = capture({
      { 1, 0, tcp(A, B, 40000, 80, "S") }, { 1, 1000, tcp(B, A, 80, 40000, "SA") },
      { 1, 2000, tcp(A, B, 40000, 80, "A") },
      -- caught mid-stream: the server's port 443 is lower, its packet comes first
      { 2, 0, tcp(C, D, 443, 50000, "PA", 100) }, { 2, 1000, tcp(D, C, 50000, 443, "A") },
      -- a SYN from port 22 to port 60000: the SYN decides, not the ports
      { 3, 0, tcp(E, F, 22, 60000, "S") }, { 3, 1000, tcp(F, E, 60000, 22, "SA") },
    })
    local t <close> = assert(pf.read(path, { fields = rtt.fields(), filter = "tcp" }))
    os.remove(path)
    local c = rtt.analyse(t).conversations
    assert.are.equal(3, #c)
    local rows = {}
    for i = 1, #c do
      local r = c:row(i)
      rows[i] = { r.client, r.server, r.client_port, r.server_port, r.packets }
    end
    assert.are.same({ { A, B, 40000, 80, 3 }, { D, C, 50000, 443, 2 }, { E, F, 22, 60000, 2 } }, rows)
  end)
end)
