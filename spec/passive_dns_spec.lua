-- passive_dns_spec.lua: the volume analysis names an address by the owner of its own A/AAAA record;
-- the question's name applies only through the answer section's CNAME chain. The responses below
-- carry glue records (name servers' addresses in the authority and additional sections) and an
-- answer outside the chain; the names expected are worked out by hand from the records. With
-- tshark installed, its dns.resp.name of each record is checked too (the owners the rule reads).
local pf = require "pktframe"
local synth = require "pktframe.synth"
local volume = require "pktframe.volume"

local C, S = "192.168.1.10", "192.168.1.1"

local function response(id, t)
  t.id = id
  return synth.eth{ src = "02:00:00:00:00:01", dst = "02:00:00:00:00:02", payload = synth.ipv4{ src = S, dst = C,
    payload = synth.udp{ sport = 53, dport = 40000 + id, payload = synth.dns_response(t) } } }
end

local function capture(frames)
  local path = os.tmpname()
  local w <close> = assert(synth.writer(path))
  for i, f in ipairs(frames) do w:packet(i, f) end
  return path
end

local FRAMES = {
  -- www.example.com is an alias of cdn.example.net, whose address answers; the authority section
  -- names ns1.example.net, whose address is glue in the additional section
  response(1, { name = "www.example.com", answers = {
      { type = "CNAME", name = "cdn.example.net" },
      { type = "A", addr = "203.0.113.10" } },
    authority = { { type = "NS", owner = "example.net", name = "ns1.example.net" } },
    additional = { { type = "A", owner = "ns1.example.net", addr = "198.51.100.53" },
                   { type = "AAAA", owner = "ns1.example.net", addr = "2001:db8::53" } } }),
  -- an answer whose owner is not on the question's chain keeps its owner
  response(2, { name = "api.example.org", answers = {
      { type = "A", addr = "203.0.113.20" },
      { type = "A", owner = "other.example.org", addr = "203.0.113.21" } } }),
  -- the glue address again, now as an answer: the first response to name it wins
  response(3, { name = "ns1.example.net", answers = { { type = "A", addr = "198.51.100.53" } } }),
}

describe("volume.passive_dns", function()
  local path
  setup(function() path = capture(FRAMES) end)
  teardown(function() os.remove(path) end)

  it("names glue records by their owners and answers through the CNAME chain by the question", function()
    local t <close> = assert(pf.read(path, { fields = volume.dns_fields }))
    local names, answers = volume.passive_dns(t)
    assert.are.same({
      ["203.0.113.10"] = "www.example.com",     -- the answer, reached through the CNAME
      ["198.51.100.53"] = "ns1.example.net",    -- glue: its own owner, not www.example.com
      ["2001:db8::53"] = "ns1.example.net",
      ["203.0.113.20"] = "api.example.org",
      ["203.0.113.21"] = "other.example.org",   -- an answer off the chain
    }, names)
    assert.are.equal(5, #answers)
    assert.are.equal("cdn.example.net", answers:col("cname")[1])   -- the chain of the question's answer
    assert.is_nil(answers:col("cname")[2])                          -- glue has none
  end)

  it("reads the owners tshark shows as dns.resp.name", function()
    if not os.execute("command -v tshark >/dev/null 2>&1") then
      pending("tshark is not installed")
      return
    end
    local t <close> = assert(pf.read(path, { fields = { "dns.resp.name", "dns.resp.type", "dns.a", "dns.aaaa" } }))
    local p = io.popen("tshark -n -r '" .. path .. "' -T fields -E occurrence=a -E aggregator=, "
      .. "-e dns.resp.name -e dns.resp.type -e dns.a -e dns.aaaa 2>/dev/null")
    local i = 0
    for line in p:lines() do
      i = i + 1
      local want = {}
      for cell in (line .. "\t"):gmatch("([^\t]*)\t") do want[#want + 1] = cell end
      local got = {}
      for k, f in ipairs({ "dns.resp.name", "dns.resp.type", "dns.a", "dns.aaaa" }) do
        local all = t:col(f):all(i)
        for j, v in ipairs(all) do all[j] = tostring(v) end
        got[k] = table.concat(all, ",")
      end
      assert.are.same(want, got)
    end
    p:close()
    assert.are.equal(#FRAMES, i)
  end)
end)
