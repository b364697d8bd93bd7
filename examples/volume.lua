-- volume.lua: bytes per address and per host name (passive DNS; --resolve: PTR lookups).
-- usage: pktframe run examples/volume.lua CAPTURE... [--top N] [--resolve] [--out DIR]
local pf = require "pktframe"
local volume = require "pktframe.volume"
local plot = require "pktframe.plot"
local report = require "pktframe.report"
local family = require "pktframe.family"

local o = pf.args{
  description = "Volume by address and by name: bytes (sum of frame.len) and packets per destination\n"
    .. "and per source IP (IPv4 and IPv6), most first; host names from the DNS answers seen in\n"
    .. "the capture (passive DNS, no network), and with --resolve PTR lookups for the addresses\n"
    .. "the capture never named (pf.resolve: UDP to the resolv.conf server, cached).",
  positional = { { "capture", many = true, help = "capture files, read as one" } },
  options = family.options{
    { "top", type = "integer", min = 1, default = 15, help = "rows to print and bars to draw" },
    { "resolve", type = "boolean", help = "reverse lookups (PTR) for addresses the capture did not name" },
    { "timeout", type = "duration", above = 0, default = "1s", help = "how long a reverse lookup may take" },
    { "server", metavar = "ADDR", help = "DNS server for --resolve (default: from /etc/resolv.conf)",
      check = function(v)   -- ADDR, ADDR:PORT or [ADDR]:PORT, checked before the capture is read
        local a, port = v:match("^%[(.+)%]:(%d+)$")
        if not a then a, port = v:match("^([^:]+):(%d+)$") end
        a = a or v
        if pf.args.address(a) and (not port or tonumber(port) <= 65535) then return v end
        return nil, "expected an address, address:port or [address]:port"
      end },
    { "out", metavar = "DIR", help = "write volume_dst.csv, volume_src.csv, volume_name.csv, dns_names.csv and SVGs into DIR" },
  },
}
local fam = report.family(o)
local out = report.outdir(o.out)
local pairs_, err = volume.pairs(pf.scan(o.capture, { filter = (fam == "ipv4" and "ip" or fam == "ipv6" and "ipv6" or nil) }))    -- one pass, a row per address pair
if not pairs_ then report.fail(err) end
local t <close> = report.read(o.capture, { fields = volume.dns_fields, filter = volume.dns_filter })
local names, answers = volume.passive_dns(t)
local dst, src = volume.by_address(pairs_, "dst", fam), volume.by_address(pairs_, "src", fam)
local frames = pairs_:col("packets"):sum() or 0
local ptr
if o.resolve then
  local ok, r, err = pcall(volume.resolve, { dst, src }, names, { timeout = o.timeout, server = o.server })
  if not ok then report.usage_error(report.reason(r)) end
  if not r then io.stderr:write("warning: reverse lookups failed: ", tostring(err), "\n") end
  ptr = r
end
dst, src = volume.with_names(dst, names, ptr), volume.with_names(src, names, ptr)
local by_name = volume.by_name(dst)

report.section(("Bytes per destination address (%d addresses, %d frames)"):format(#dst, frames))
print(dst:head(o.top))
report.section(("Bytes per source address (%d addresses)"):format(#src))
print(src:head(o.top))
report.section(("Names from the capture's DNS answers: %d addresses"):format(#answers))
print(answers:head(o.top))
report.section("Bytes per destination name" .. (o.resolve and " (dns: capture, ptr: reverse lookup)" or ""))
print(by_name:head(o.top))

if out then
  report.csv(out, "volume_dst", dst)
  report.csv(out, "volume_src", src)
  report.csv(out, "volume_name", by_name)
  report.csv(out, "dns_names", answers)
  local top = dst:head(o.top)
  report.svg(out, "volume_dst", plot.bar{ title = "Bytes per destination address", labels = top:col("address"),
    values = top:col("bytes"), xlabel = "bytes (sum of frame.len)" })
  local tn = by_name:head(o.top)
  report.svg(out, "volume_name", plot.bar{ title = "Bytes per destination name", labels = tn:col("name"),
    values = tn:col("bytes"), xlabel = "bytes (sum of frame.len)", color = "#2ca02c" })
end
report.done(out)
