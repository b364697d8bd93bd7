-- custom_field.lua: a field of your own. Decodes DNS question names from the UDP payload
-- (RFC 1035), checks them against pktframe's dns.qry.name, then filters and groups on it.
-- usage: pktframe run examples/custom_field.lua CAPTURE [--top N] [--port P] [--match TEXT]
local pf = require "pktframe"

local o = pf.args{
  description = "The most asked DNS names, from a field decoded in Lua (mydns.qname), checked\n"
    .. "against pktframe's own dns.qry.name.",
  positional = { { "capture", help = "a pcap or pcapng file with DNS over UDP" } },
  options = { { "top", type = "integer", min = 1, default = 10, help = "how many names to list" },
              { "port", type = "integer", default = 53, help = "the UDP port DNS runs on" },
              { "match", default = "google", help = "count the questions whose name contains this" } },
}

-- Header (12 bytes, QDCOUNT at offset 4), then each question: labels up to a zero byte,
-- then QTYPE and QCLASS. A question name is never compressed in practice: refuse it.
local function qnames(payload)
  if #payload < 12 then return nil end
  local pos, names = 13, {}
  for _ = 1, string.unpack(">I2", payload, 5) do
    local labels = {}
    while true do
      local n = payload:byte(pos) or error("question runs past the end", 0)
      if n == 0 then break end
      if n >= 0xc0 then error("compressed question name", 0) end
      labels[#labels + 1] = payload:sub(pos + 1, pos + n)
      pos = pos + n + 1
    end
    names[#names + 1] = #labels > 0 and table.concat(labels, ".") or "<Root>"
    pos = pos + 5
  end
  return names
end

pf.define_field{name = "mydns.qname", type = "string", where = "udp.port == " .. o.port,
  doc = "DNS question name, decoded in Lua", decode = qnames}

local t <close> = assert(pf.read(o.capture, {fields = {"frame.number", "dns.qry.name", "mydns.qname"},
                                             filter = "mydns.qname"}))
for _, msg in ipairs(t:diagnostics()) do io.stderr:write("warning: ", msg, "\n") end

local mine, theirs, differ = t:col("mydns.qname"), t:col("dns.qry.name"), 0
for i = 1, #t do
  if table.concat(mine:all(i), ",") ~= table.concat(theirs:all(i), ",") then differ = differ + 1 end
end
print(("%d packets with a question on UDP port %d; %d differ from dns.qry.name"):format(#t, o.port, differ))

local top = t:value_counts("mydns.qname"):head(o.top)
print(("\nThe %d most asked names:"):format(#top))
print(top)

local hits <close> = t:filter(("mydns.qname contains %q"):format(o.match))
print(("\n%d packets ask for a name containing '%s'"):format(#hits, o.match))
