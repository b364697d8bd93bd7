-- stats_spec.lua: the Lua face of pktframe.stats (pf.conv, pf.endpoints, pf.iostat, pf.phs).
-- tests/stats_test.py compares the printed tables with tshark; this checks the Tables and errors.
local pf = require "pktframe"
local stats = require "pktframe.stats"

local CAPTURES = (os.getenv("PKTFRAME_SHARED") or "/work/shared") .. "/captures"
local DHCP = CAPTURES .. "/dhcp-dora.pcap"
local have = io.open(DHCP) ~= nil

describe("pktframe.stats", function()
  it("formats sizes as tshark's format_size", function()
    assert.equal("4660 bytes", stats.format_size(4660))
    assert.equal("26 kB", stats.format_size(26999))
    assert.equal("9999 kB", stats.format_size(9999999))
    assert.equal("12 MB", stats.format_size(12345678))
  end)

  it("rejects an unknown type with the argument's position", function()
    assert.has_error(function() pf.conv(DHCP, "sctp") end)
    local ok, err = pcall(pf.endpoints, DHCP, "frob")
    assert.is_false(ok)
    assert.truthy(tostring(err):find("unknown type 'frob'", 1, true))
  end)

  it("parses -z names and says which tshark ones it lacks", function()
    assert.equal("conv", stats.parse_z("conv,tcp").name)
    assert.equal("tcp.port == 80", stats.parse_z("conv,tcp,tcp.port == 80").filter)
    local s, err = stats.parse_z("rtp,streams")
    assert.is_nil(s)
    assert.truthy(err:find("not supported", 1, true))
    s, err = stats.parse_z("io,stat,x")
    assert.is_nil(s)
    assert.truthy(err:find("bad interval", 1, true))
  end)

  local cap_it = have and it or pending
  cap_it("gives conversations A to B and back, most frames first", function()
    local c = pf.conv(DHCP, "ip")
    assert.same({ "address_a", "address_b", "frames_b_to_a", "bytes_b_to_a", "frames_a_to_b", "bytes_a_to_b",
      "frames", "bytes", "rel_start", "duration" }, c:columns())
    assert.equal(2, #c)
    assert.equal("0.0.0.0", c:col("address_a")[1])
    assert.equal(2, c:col("frames_a_to_b")[1])
    assert.equal(688, c:col("bytes")[1])
  end)

  cap_it("gives endpoints with ports, tx and rx", function()
    local e = pf.endpoints(DHCP, "udp")
    assert.equal(4, #e)
    assert.equal(68, e:col("port")[1])
    assert.equal(2, e:col("tx_packets")[1])
    assert.equal(0, e:col("rx_packets")[1])
  end)

  cap_it("gives io,stat intervals from the first packet", function()
    local t = pf.iostat(DHCP, 0.05, { "udp", "SUM(udp.length)udp.length" })
    assert.same({ "interval_start", "interval_end", "c1_frames", "c1_bytes", "c2_sum" }, t:columns())
    assert.equal(3, #t)
    assert.equal(3, t:col("c1_frames")[1])
    assert.equal(1, t:col("c1_frames")[3])
  end)

  cap_it("gives the protocol hierarchy in order of appearance", function()
    local h = pf.phs(DHCP)
    assert.same({ "eth", "ip", "udp", "dhcp", n = 4 }, h:col("layer"):totable())
    assert.equal(4, h:col("frames")[4])
  end)

  cap_it("follows a UDP stream, node 0 the first sender", function()
    local f, nodes = pf.follow(DHCP, "udp", 0)
    assert.same({ "frame", "node", "payload" }, f:columns())
    assert.equal("0.0.0.0", nodes.a)
    assert.equal(67, nodes.pb)
    assert.equal(0, f:col("node")[1])
    assert.equal(342 - 42, #f:col("payload")[1])
    assert.has_error(function() pf.follow(DHCP, "sctp", 0) end)
  end)
end)
