-- first_look.lua: a first look at a capture: size, time span, protocols, the first packets.
-- usage: pktframe run examples/first_look.lua CAPTURE... [--help]
local pf = require "pktframe"

if #arg == 0 or arg[1] == "--help" or arg[1] == "-h" then
  print("usage: pktframe run examples/first_look.lua CAPTURE...")
  print("Prints packets, bytes, time span and protocol counts, then the first packets.")
  os.exit(#arg == 0 and 2 or 0)
end

local paths = {}
for i = 1, #arg do paths[i] = arg[i] end
local t <close> = assert(pf.read(paths, {fields = {
  "frame.number", "frame.time_epoch", "frame.len", "ip.src", "ip.dst", "ipv6.src",
  "tcp.srcport", "tcp.dstport", "udp.srcport", "udp.dstport", "tcp.stream", "tcp.len",
}}))

local n = #t
local times, lens = t:col("frame.time_epoch"), t:col("frame.len")
local tcp, udp, ip4, ip6 = t:col("tcp.srcport"), t:col("udp.srcport"), t:col("ip.src"), t:col("ipv6.src")
local bytes, ntcp, nudp, nip4, nip6, streams = 0, 0, 0, 0, 0, -1
local first, last
-- TODO(#3): replace this loop with the C verbs (sum, count, min/max) once they exist
local stream = t:col("tcp.stream")
for i = 1, n do
  bytes = bytes + (lens[i] or 0)
  local ts = times[i]
  if ts then
    if not first or ts < first then first = ts end
    if not last or ts > last then last = ts end
  end
  if tcp[i] then ntcp = ntcp + 1 end
  if udp[i] then nudp = nudp + 1 end
  if ip4[i] then nip4 = nip4 + 1 end
  if ip6[i] then nip6 = nip6 + 1 end
  if stream[i] and stream[i] > streams then streams = stream[i] end
end
local span = (first and last) and (last - first) or 0
print(string.format("capture:      %s", table.concat(paths, ", ")))
print(string.format("packets:      %d", n))
print(string.format("bytes:        %d", bytes))
print(string.format("first, last:  %s, %s", first and os.date("!%Y-%m-%d %H:%M:%S", math.floor(first)) or "-",
  last and os.date("!%Y-%m-%d %H:%M:%S", math.floor(last)) or "-"))
print(string.format("duration:     %.3f s", span))
if span > 0 then
  print(string.format("average rate: %.1f packets/s, %.0f bytes/s", n / span, bytes / span))
end
print(string.format("IPv4 %d, IPv6 %d, TCP %d (%d streams), UDP %d, other %d", nip4, nip6, ntcp,
  streams + 1, nudp, n - ntcp - nudp))
print()
print(t:head(10))
for _, msg in ipairs(t:diagnostics()) do io.stderr:write("warning: ", msg, "\n") end
