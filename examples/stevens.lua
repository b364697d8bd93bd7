-- stevens.lua: TCP time-sequence graph (Stevens) of one stream: the client's sequence numbers
-- over time and the server's ack line, as Wireshark draws it.
-- usage: pktframe run examples/stevens.lua CAPTURE... [--stream N] [--out DIR]
local pf = require "pktframe"
local stevens = require "pktframe.stevens"
local plot = require "pktframe.plot"
local report = require "pktframe.report"
local family = require "pktframe.family"

local o = pf.args{
  description = "TCP time-sequence graph (Stevens): for one stream, the relative tcp.seq of each\n"
    .. "segment one side sends over time (by default the side that sent the most payload: the server\n"
    .. "of a download; the client is the first frame's sender), and the other side's tcp.ack.",
  positional = { { "capture", many = true, help = "capture files, read as one" } },
  options = family.options{
    { "stream", type = "integer", min = 0, help = "tcp.stream number (default: the stream with the most payload)" },
    { "side", choices = { "auto", "client", "server" }, default = "auto",
      help = "whose sequence numbers: the side that sent the most bytes (auto), the client's (the "
        .. "notebook's) or the server's" },
    { "rows", type = "integer", min = 1, default = 10, help = "segments to print from each end of the list" },
    { "out", metavar = "DIR", help = "write stevens_segments.csv, stevens_acks.csv and stevens.svg into DIR" },
  },
}
local fam = report.family(o)
local out = report.outdir(o.out)
local t <close> = report.read(o.capture, { fields = stevens.fields, filter = (fam == "ipv4" and "ip" or fam == "ipv6" and "ipv6" or nil) })
local g, err = stevens.graph(t, o.stream, { side = o.side })
if not g then report.fail(err) end

local segs, acks = g.segments, g.acks
local other = g.side == "client" and "server" or "client"
report.section(("TCP stream %d: client %s, server %s"):format(g.stream, g.client, g.server))
print(("%d segments from the %s (%d with payload, %d bytes), %d frames from the %s"):format(
  #segs, g.side, #segs:filter(segs:col("tcp.len"):gt(0)), segs:col("tcp.len"):sum() or 0, #acks, other))
if #segs > 0 then
  local t0, t1 = segs:col("frame.time_epoch"):min(), segs:col("frame.time_epoch"):max()
  print(("from %s to %s (%.6f s); last sequence number %d"):format(report.time(t0), report.time(t1), t1 - t0,
    segs:col("tcp.nxtseq"):max() or segs:col("tcp.seq"):max()))
end
print(segs:head(o.rows))
if #segs > 2 * o.rows then print("...") print(segs:tail(o.rows)) end

if out then
  report.csv(out, "stevens_segments", segs)
  report.csv(out, "stevens_acks", acks)
  report.svg(out, "stevens", plot.scatter{
    title = ("TCP stream %d: %s to %s (Stevens)"):format(g.stream, g.side == "client" and g.client or g.server,
      g.side == "client" and g.server or g.client),
    x = segs:col("frame.time_epoch"), y = segs:col("tcp.seq"), name = g.side .. " tcp.seq", color = "#d62728",
    alpha = 0.8, radius = 2,
    series = { { name = other .. " tcp.ack", x = acks:col("frame.time_epoch"), y = acks:col("tcp.ack"),
      kind = "step", color = "#1f77b4" } },
    ylabel = "relative sequence number", legend = true })
end
report.done(out)
