-- payload.lua: payload bytes by source/destination address and TCP/UDP source/destination port.
-- usage: pktframe run examples/payload.lua CAPTURE... [--top N] [--ipv4|--ipv6] [--out DIR]
local pf = require "pktframe"
local payload = require "pktframe.payload"
local report = require "pktframe.report"
local family = require "pktframe.family"

local o = pf.args{
  description = "Payload bytes (tcp.len for TCP, udp.length - 8 for UDP) summed by source and destination "
    .. "address and by TCP and UDP source and destination port, most first.",
  positional = { { "capture", many = true, help = "capture files, read as one" } },
  options = family.options{
    { "top", type = "integer", min = 1, default = 10, help = "rows to print and bars to draw (the rest summed)" },
    { "out", metavar = "DIR",
      help = "write payload_ip_src.csv ... payload_udp_dstport.csv and a bar chart of each into DIR" },
  },
}
local fam = report.family(o)

local out = report.outdir(o.out)
local t <close> = report.read(o.capture, { fields = payload.fields(fam) })
local res, titles = payload.analyse(t, { family = fam })
local total = payload.column(t):sum() or 0
print(string.format("%d packets, %d payload bytes", #t, total))
for _, k in ipairs(payload.KEYS) do
  report.section(("%s (%d)"):format(titles[k[1]], #res[k[1]]))
  print(res[k[1]]:head(o.top))
  report.csv(out, "payload_" .. k[1], res[k[1]])
end
if out then for name, svg in pairs(payload.plots(res, titles, o.top)) do report.svg(out, name, svg) end end
report.done(out)
