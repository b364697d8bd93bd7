-- capinfo.lua: what capinfos says of each capture, a protocol summary and a protocol hierarchy.
-- usage: pktframe run examples/capinfo.lua CAPTURE... [--out DIR]
local pf = require "pktframe"
local capinfo = require "pktframe.capinfo"
local plot = require "pktframe.plot"
local report = require "pktframe.report"

local o = pf.args{
  description = "Capture info (capinfos' numbers: times, duration, packets, bytes, rates, link types,\n"
    .. "file format), a protocol summary (all, IP, TCP, UDP, other IP, non-IP) and a protocol\n"
    .. "hierarchy (frames and bytes per layer path, as tshark -qz io,phs counts them).",
  positional = { { "capture", many = true, help = "capture files (the hierarchy reads them as one)" } },
  options = { { "out", metavar = "DIR", help = "write capinfo.csv, hierarchy.csv and hierarchy.svg into DIR" } },
}
local out = report.outdir(o.out)

local infos, err = capinfo.info(o.capture)
if not infos then report.fail(err) end
for i, inf in ipairs(infos) do
  if i > 1 then print() end
  io.write(inf.report)
  for _, msg in ipairs(inf.diagnostics) do io.stderr:write("warning: ", msg, "\n") end
end

local h, herr = capinfo.hierarchy(o.capture)
if not h then report.fail(herr) end
report.section("Protocol hierarchy (frames and bytes that contain each layer)")
print(capinfo.format_hierarchy(h))

if out then
  report.csv(out, "capinfo", capinfo.table(infos))
  report.csv(out, "hierarchy", h)
  local labels = {}
  -- the layer path as the label (SVG text would collapse indentation)
  for i = 1, #h do labels[i] = h:col("protocol")[i]:gsub("^frame:", "") end
  report.svg(out, "hierarchy", plot.bar{ title = "Protocol hierarchy: frames per layer",
    labels = labels, values = h:col("frames"), xlabel = "frames" })
end
report.done(out)
