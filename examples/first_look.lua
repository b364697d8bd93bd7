-- first_look.lua: a first look at a capture: size, time span, protocol counts, the first packets.
-- usage: pktframe run examples/first_look.lua CAPTURE... [--rows N]
-- (examples/capinfo.lua says more: capinfos' numbers per file and a protocol hierarchy)
local pf = require "pktframe"

local o = pf.args{
  description = "Packets, bytes, time span and protocol counts of the captures (read as one),\n"
    .. "then their first packets.",
  positional = { { "capture", many = true, help = "capture files, read as one" } },
  options = { { "rows", type = "integer", min = 1, default = 10, help = "packets to show" } },
}
local t <close> = assert(pf.read(o.capture, { fields = {
  "frame.number", "frame.time_epoch", "frame.len", "ip.src", "ip.dst", "ipv6.src",
  "tcp.srcport", "tcp.dstport", "udp.srcport", "udp.dstport", "tcp.stream", "tcp.len",
} }))

local times = t:col("frame.time_epoch")
local first, last = times:min(), times:max()
local span = (first and last) and (last - first) or 0
local n, bytes = #t, t:col("frame.len"):sum() or 0
local ntcp, nudp = t:col("tcp.srcport"):count(), t:col("udp.srcport"):count()
local function utc(ts) return ts and os.date("!%Y-%m-%d %H:%M:%S", math.floor(ts)) or "-" end
print(("capture:      %s"):format(table.concat(o.capture, ", ")))
print(("packets:      %d"):format(n))
print(("bytes:        %d"):format(bytes))
print(("first, last:  %s, %s UTC"):format(utc(first), utc(last)))
print(("duration:     %.3f s"):format(span))
if span > 0 then print(("average rate: %.1f packets/s, %.0f bytes/s"):format(n / span, bytes / span)) end
print(("IPv4 %d, IPv6 %d, TCP %d (%d streams), UDP %d, other %d"):format(t:col("ip.src"):count(),
  t:col("ipv6.src"):count(), ntcp, t:col("tcp.stream"):nunique(), nudp, n - ntcp - nudp))
print()
print(t:head(o.rows))
for _, msg in ipairs(t:diagnostics()) do io.stderr:write("warning: ", msg, "\n") end
