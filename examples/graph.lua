-- graph.lua: who talks to whom: IP to IP edges weighted by packets, as a table, DOT, HTML and SVG.
-- usage: pktframe run examples/graph.lua CAPTURE... [--top N] [--all] [--ip6] [--out DIR]
local pf = require "pktframe"
local graph = require "pktframe.graph"
local outputs = require "pktframe.outputs"

local o = pf.args{
  description = "The connection graph: one edge per (source, destination) address pair, weighted by "
    .. "its packets. 0.0.0.0 and 255.255.255.255 are left out unless --all. With --out, writes "
    .. "edges.csv, graph.dot (Graphviz), graph.html (a page that draws the graph offline) and graph.svg.",
  positional = { { "capture", many = true, help = "capture files, read as one" } },
  options = {
    { "top", type = "integer", default = 15, help = "edges to print" },
    { "all", type = "boolean", help = "keep 0.0.0.0 and broadcast (:: for IPv6)" },
    { "ip6", type = "boolean", help = "IPv6 addresses instead of IPv4" },
    { "out", metavar = "DIR", help = "write edges.csv, graph.dot, graph.html and graph.svg into DIR" },
  },
}

local t <close> = assert(pf.read(o.capture, { fields = graph.fields(o.ip6) }))
local e = graph.edges(t, { keep_all = o.all, ip6 = o.ip6 })
local hosts = pf.concat(e:select("src"):rename{ src = "host" }, e:select("dst"):rename{ dst = "host" }):unique("host")
print(string.format("%d hosts, %d edges, %d packets on them", #hosts, #e, e:col("packets"):sum() or 0))
outputs.show("Edges, most packets first", e, o.top)
if o.out then
  outputs.write_or_die(o.out, { edges = e }, { graph = graph.svg(e) })
  for name, text in pairs({ ["graph.dot"] = graph.dot(e), ["graph.html"] = graph.html(e) }) do
    local path = o.out .. "/" .. name
    local f = assert(io.open(path, "wb"))
    assert(f:write(text))
    f:close()
    print("wrote " .. path)
  end
end
for _, msg in ipairs(t:diagnostics()) do io.stderr:write("warning: ", msg, "\n") end
