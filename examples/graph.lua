-- graph.lua: who talks to whom: IP to IP edges weighted by packets, as a table, DOT, HTML and SVG.
-- usage: pktframe run examples/graph.lua CAPTURE... [--top N] [--all] [--ipv4|--ipv6] [--out DIR]
local pf = require "pktframe"
local graph = require "pktframe.graph"
local plot = require "pktframe.plot"
local report = require "pktframe.report"
local family = require "pktframe.family"

local o = pf.args{
  description = "The connection graph: one edge per (source, destination) address pair, weighted by "
    .. "its packets, IPv4 and IPv6. 0.0.0.0, 255.255.255.255 and :: are left out unless --all. With --out, writes "
    .. "edges.csv, graph.dot (Graphviz), graph.html (a page that draws the graph offline) and graph.svg.",
  positional = { { "capture", many = true, help = "capture files, read as one" } },
  options = family.options{
    { "top", type = "integer", min = 1, default = 15, help = "edges to print" },
    { "all", type = "boolean", help = "keep 0.0.0.0 and broadcast (:: for IPv6)" },
    { "out", metavar = "DIR", help = "write edges.csv, graph.dot, graph.html and graph.svg into DIR" },
  },
}
local fam = report.family(o)

local out = report.outdir(o.out)
-- pf.scan: the edges are counted as the files are read; the packets are never held
local e, diags = graph.edges_scan(o.capture, { keep_all = o.all, family = fam })
if not e then report.fail(diags) end
for _, msg in ipairs(diags) do io.stderr:write("warning: ", msg, "\n") end
local hosts = pf.concat(e:select("src"):rename{ src = "host" }, e:select("dst"):rename{ dst = "host" }):unique("host")
print(string.format("%d hosts, %d edges, %d packets on them", #hosts, #e, e:col("packets"):sum() or 0))
report.section("Edges, most packets first")
print(e:head(o.top))
report.csv(out, "edges", e)
report.svg(out, "graph", out and graph.svg(e))
report.done(out)
if out then   -- the DOT and HTML texts: plot.save writes any text
  for _, f in ipairs({ { "graph.dot", graph.dot }, { "graph.html", graph.html } }) do
    local path = out .. "/" .. f[1]
    local ok, err = plot.save(f[2](e), path)
    if not ok then report.fail(err) end
    print(path)
  end
end
