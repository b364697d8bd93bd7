-- pktframe.graph: the connection graph (notebook 004): IP to IP edges weighted by packet count,
-- as Graphviz DOT, as a standalone HTML page that lays the graph out and draws it in the browser
-- (inline script, no network access), and as SVG laid out here.
--
--   local graph = require "pktframe.graph"
--   local e = graph.edges(t)                    -- src, dst, packets; heaviest first
--   print(graph.dot(e)); local html = graph.html(e); local svg = graph.svg(e)
--
-- The edges come from one groupby; only the (small) edge list is walked in Lua, for the layout.
local pf = require "pktframe"
local plot = require "pktframe.plot"

local M = {}
local fmt, concat = string.format, table.concat

local family = require "pktframe.family"

-- The fields of family fam (nil: IPv4 and IPv6; true, as before, is "ipv6").
function M.fields(fam)
  return family.fields(fam == true and "ipv6" or fam or nil)
end

local function fam_of(opts)
  local fam, err = family.of(opts)
  if err then error("bad argument #2 (" .. err .. ")", 3) end
  return fam
end

-- The groupby's result (keys and size) as edges: renamed, pruned, heaviest first.
local function finish(e, fam, opts)
  -- one src and one dst column of both families, then one row per pair (a 6in4 pair may come
  -- from several outer IPv4 pairs)
  e = family.with_addresses(e, fam, true)
  e = e:filter(e:col("dst"):notnull()):groupby({ "src", "dst" }, { sort = true }):agg{ { "packets", "size", "sum" } }
  if not opts.keep_all then
    local src, dst = e:col("src"), e:col("dst")
    local drop
    local skip = fam == "ipv6" and { "::" } or fam == "ipv4" and { "0.0.0.0", "255.255.255.255" }
      or { "0.0.0.0", "255.255.255.255", "::" }
    if src:type() == "ipv4" then skip = { "0.0.0.0", "255.255.255.255" } end
    if src:type() == "ipv6" then skip = { "::" } end
    for _, a in ipairs(skip) do
      local m = src:eq(a) | dst:eq(a)
      drop = drop and (drop | m) or m
    end
    e = e:filter(~drop)
  end
  return e:sort("packets", { desc = true })
end

-- Table src, dst, packets: one row per ordered address pair, heaviest first (ties by address).
-- IPv4 and IPv6 (a packet's IPv6 addresses when it has them), or opts.family "ipv4" or "ipv6"
-- (opts.ip6 = true: "ipv6"). Unless opts.keep_all, edges from or to 0.0.0.0 and
-- 255.255.255.255 (:: for IPv6) are left out.
function M.edges(t, opts)
  opts = opts or {}
  local fam = fam_of(opts)
  local keys = family.fields(fam)
  return finish(t:groupby(keys, { sort = true, dropna = false }):size(), fam, opts)
end

-- The same from capture files through pf.scan, which keeps one count per pair and never the
-- packets: for captures of any size. Also returns the list of diagnostics (damaged files);
-- nil, message when a file cannot be read.
function M.edges_scan(paths, opts)
  opts = opts or {}
  local fam = fam_of(opts)
  local keys = family.fields(fam)
  local e, err = pf.scan(paths, { fields = keys, max_memory = opts.max_memory })
                     :groupby(keys, { sort = true, dropna = false }):size()
  if not e then return nil, err end
  return finish(e, fam, opts), e:diagnostics()
end

-- The edge list as Lua values: nodes (in order of first appearance), edges {from, to, weight}.
local function lists(e)
  local src, dst, w = e:col("src"):totable(), e:col("dst"):totable(), e:col("packets"):totable()
  local nodes, index, edges = {}, {}, {}
  local function node(a)
    if not index[a] then
      nodes[#nodes + 1] = a
      index[a] = #nodes
    end
    return index[a]
  end
  for i = 1, #e do edges[i] = { node(src[i]), node(dst[i]), w[i] } end
  return nodes, edges
end

local function maxw(edges)
  local m = 1
  for _, x in ipairs(edges) do if x[3] > m then m = x[3] end end
  return m
end

-- Edge width as the notebook draws it: weight / max weight * 5 (at least 0.5 to stay visible).
local function width(w, m) return math.max(0.5, w / m * 5) end

local function dot_id(s) return '"' .. tostring(s):gsub('[\\"]', "\\%0") .. '"' end

-- Graphviz text: `dot -Tsvg` or any Graphviz viewer draws it.
function M.dot(e)
  local nodes, edges = lists(e)
  local m = maxw(edges)
  local out = { "digraph pktframe {",
    "  graph [overlap=false, splines=true, fontname=\"Helvetica\"];",
    "  node [shape=box, style=\"rounded,filled\", fillcolor=\"#ff7d68\", fontname=\"Helvetica\"];",
    "  edge [fontname=\"Helvetica\", fontsize=9];" }
  for _, n in ipairs(nodes) do out[#out + 1] = "  " .. dot_id(n) .. ";" end
  for _, x in ipairs(edges) do
    out[#out + 1] = fmt("  %s -> %s [label=\"%d\", weight=%d, penwidth=%.2f];", dot_id(nodes[x[1]]),
      dot_id(nodes[x[2]]), x[3], x[3], width(x[3], m))
  end
  out[#out + 1] = "}\n"
  return concat(out, "\n")
end

-- ------------------------------------------------------------------ layout (for the SVG)

-- Positions in [0, 1]^2: Fruchterman-Reingold from a circle, deterministic (no randomness),
-- O(iterations * nodes^2): fine for the few hundred hosts of a capture; beyond 400 nodes the
-- circle itself is the layout.
function M.layout(nnodes, edges, iterations)
  local x, y = {}, {}
  for i = 1, nnodes do
    local a = 2 * math.pi * (i - 1) / nnodes
    x[i], y[i] = 0.5 + 0.4 * math.cos(a), 0.5 + 0.4 * math.sin(a)
  end
  if nnodes < 3 or nnodes > 400 then return x, y end
  local k = 1.3 * math.sqrt(1 / nnodes)   -- the ideal distance, a little wide for the labels
  local temp = 0.1
  iterations = iterations or 300
  for _ = 1, iterations do
    local dx, dy = {}, {}
    for i = 1, nnodes do dx[i], dy[i] = 0, 0 end
    for i = 1, nnodes do
      for j = i + 1, nnodes do
        local ddx, ddy = x[i] - x[j], y[i] - y[j]
        local d2 = ddx * ddx + ddy * ddy
        if d2 < 1e-9 then ddx, ddy, d2 = 1e-3 * (i - j), 1e-3, 1e-6 end
        local f = k * k / d2                      -- repulsion k^2 / d, along the unit vector
        dx[i], dy[i] = dx[i] + ddx * f, dy[i] + ddy * f
        dx[j], dy[j] = dx[j] - ddx * f, dy[j] - ddy * f
      end
    end
    for _, ed in ipairs(edges) do
      local i, j = ed[1], ed[2]
      if i ~= j then
        local ddx, ddy = x[i] - x[j], y[i] - y[j]
        local d = math.sqrt(ddx * ddx + ddy * ddy) + 1e-9
        local f = d / k                           -- attraction d^2 / k
        dx[i], dy[i] = dx[i] - ddx * f, dy[i] - ddy * f
        dx[j], dy[j] = dx[j] + ddx * f, dy[j] + ddy * f
      end
    end
    for i = 1, nnodes do
      local d = math.sqrt(dx[i] * dx[i] + dy[i] * dy[i])
      if d > 0 then
        local s = math.min(d, temp) / d
        x[i], y[i] = x[i] + dx[i] * s, y[i] + dy[i] * s
      end
    end
    temp = temp * 0.985
  end
  -- fit into the unit square
  local x0, x1, y0, y1 = math.huge, -math.huge, math.huge, -math.huge
  for i = 1, nnodes do
    x0, x1 = math.min(x0, x[i]), math.max(x1, x[i])
    y0, y1 = math.min(y0, y[i]), math.max(y1, y[i])
  end
  local sx, sy = x1 > x0 and 1 / (x1 - x0) or 1, y1 > y0 and 1 / (y1 - y0) or 1
  for i = 1, nnodes do x[i], y[i] = (x[i] - x0) * sx, (y[i] - y0) * sy end
  return x, y
end

-- A standalone SVG picture of the graph: nodes as labelled boxes, edges as arrows whose width
-- follows the weight, each labelled with its packet count.
function M.svg(e, opts)
  opts = opts or {}
  local nodes, edges = lists(e)
  local W, H = opts.width or 1000, opts.height or 800
  local pad = 90
  local x, y = M.layout(#nodes, edges)
  local function X(i) return pad + x[i] * (W - 2 * pad) end
  local function Y(i) return 50 + pad / 2 + y[i] * (H - 50 - pad) end
  local m = maxw(edges)
  local out = { fmt('<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" '
    .. 'font-family="DejaVu Sans, Helvetica, Arial, sans-serif" font-size="11">', W, H, W, H),
    '<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="9" markerHeight="9" '
    .. 'markerUnits="userSpaceOnUse" '
    .. 'orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#555555"/></marker></defs>',
    fmt('<rect width="%d" height="%d" fill="white"/>', W, H),
    fmt('<text x="%d" y="28" text-anchor="middle" font-size="16">%s</text>', W // 2,
      plot.escape(opts.title or fmt("Connections: %d hosts, %d edges (width by packets)", #nodes, #edges))) }
  if #edges == 0 then
    out[#out + 1] = fmt('<text x="%d" y="%d" text-anchor="middle" fill="#888888" font-size="16">no data</text>',
      W // 2, H // 2)
  end
  local bw, bh = 110, 20   -- node box, for where an arrow stops
  out[#out + 1] = '<g class="edges" stroke="#555555" stroke-opacity="0.75" fill="none">'
  local labels = {}
  for _, ed in ipairs(edges) do
    local i, j = ed[1], ed[2]
    local x1, y1, x2, y2 = X(i), Y(i), X(j), Y(j)
    local dx, dy = x2 - x1, y2 - y1
    local d = math.sqrt(dx * dx + dy * dy)
    if d > 1 then
      -- bend a little to the right so that A->B and B->A do not overlap; stop at the box edge
      local nx, ny = -dy / d, dx / d
      local cx, cy = (x1 + x2) / 2 + nx * d * 0.08, (y1 + y2) / 2 + ny * d * 0.08
      local tx, ty = x2 - cx, y2 - cy
      local s = math.min(bw / 2 / math.max(math.abs(tx), 1e-9), bh / 2 / math.max(math.abs(ty), 1e-9), 1)
      local ex, ey = x2 - tx * s, y2 - ty * s
      out[#out + 1] = fmt('<path d="M%.1f,%.1f Q%.1f,%.1f %.1f,%.1f" stroke-width="%.2f" marker-end="url(#arrow)"/>',
        x1, y1, cx, cy, ex, ey, width(ed[3], m))
      labels[#labels + 1] = fmt('<text x="%.1f" y="%.1f" text-anchor="middle">%d</text>',
        (x1 + x2) / 4 + cx / 2, (y1 + y2) / 4 + cy / 2 + 4, ed[3])
    end
  end
  out[#out + 1] = "</g>"
  out[#out + 1] = '<g class="labels" fill="#333333" stroke="white" stroke-width="3" paint-order="stroke">'
  out[#out + 1] = concat(labels, "\n")
  out[#out + 1] = "</g>"
  out[#out + 1] = '<g class="nodes">'
  for i, n in ipairs(nodes) do
    out[#out + 1] = fmt('<rect x="%.1f" y="%.1f" width="%d" height="%d" rx="5" fill="#ff7d68" fill-opacity="0.85" '
      .. 'stroke="#b04a3a"/><text x="%.1f" y="%.1f" text-anchor="middle">%s</text>', X(i) - bw / 2, Y(i) - bh / 2,
      bw, bh, X(i), Y(i) + 4, plot.escape(n))
  end
  out[#out + 1] = "</g>\n</svg>\n"
  return concat(out, "\n")
end

-- ------------------------------------------------------------------ HTML

-- A JSON string: every character outside printable ASCII escaped, and < > & too, so that no
-- text from a capture can end the script element.
local function json_string(s)
  s = tostring(s)
  return '"' .. s:gsub('[%c"\\<>&\127-\255]', function(c) return fmt("\\u%04x", c:byte()) end) .. '"'
end

local PAGE = [[<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>%s</title>
<style>
body { margin: 0; font: 13px Helvetica, Arial, sans-serif; background: #fafafa; }
#info { position: absolute; left: 10px; top: 8px; color: #333; }
svg { width: 100vw; height: 100vh; display: block; }
.node rect { fill: #ff7d68; fill-opacity: .85; stroke: #b04a3a; rx: 5px; cursor: move; }
.edge { stroke: #555; stroke-opacity: .7; fill: none; }
.elabel { font-size: 10px; fill: #333; stroke: #fafafa; stroke-width: 3px; paint-order: stroke; }
</style></head>
<body><div id="info"></div>
<svg id="g"><defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="9" markerUnits="userSpaceOnUse"
markerHeight="9" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#555"/></marker></defs></svg>
<script>
"use strict";
// pktframe connection graph: nodes are addresses, an edge per direction weighted by packets.
// A force layout runs here (repulsion between all nodes, springs along edges); drag a node to move it.
const data = %s;
const NS = "http://www.w3.org/2000/svg";
const svg = document.getElementById("g");
document.getElementById("info").textContent = data.title;
const W = () => svg.clientWidth || 1000, H = () => svg.clientHeight || 800;
const n = data.nodes.length, maxw = Math.max(1, ...data.edges.map(e => e[2]));
const P = data.nodes.map((name, i) => {
  const a = 2 * Math.PI * i / Math.max(n, 1);
  return { name, x: W() / 2 + W() / 3 * Math.cos(a), y: H() / 2 + H() / 3 * Math.sin(a), vx: 0, vy: 0, fixed: false };
});
function el(tag, attrs, parent) {
  const e = document.createElementNS(NS, tag);
  for (const k in attrs) e.setAttribute(k, attrs[k]);
  (parent || svg).appendChild(e);
  return e;
}
const gEdges = el("g", {}), gLabels = el("g", {}), gNodes = el("g", {});
const E = data.edges.map(([s, t, w]) => ({ s, t, w,
  path: el("path", { class: "edge", "stroke-width": Math.max(0.5, w / maxw * 5), "marker-end": "url(#arrow)" }, gEdges),
  label: Object.assign(el("text", { class: "elabel", "text-anchor": "middle" }, gLabels),
                       { textContent: String(w) }) }));
const BW = 110, BH = 20;
const N = P.map((p, i) => {
  const g = el("g", { class: "node" }, gNodes);
  el("rect", { width: BW, height: BH, x: -BW / 2, y: -BH / 2 }, g);
  const t = el("text", { "text-anchor": "middle", y: 4 }, g);
  t.textContent = p.name;
  g.addEventListener("mousedown", ev => { drag = i; p.fixed = true; ev.preventDefault(); });
  return g;
});
let drag = -1;
svg.addEventListener("mousemove", ev => {
  if (drag < 0) return;
  const r = svg.getBoundingClientRect();
  P[drag].x = ev.clientX - r.left; P[drag].y = ev.clientY - r.top; heat = Math.max(heat, 0.3); draw();
});
window.addEventListener("mouseup", () => { drag = -1; });
let heat = 1;
function step() {
  const k = Math.sqrt(W() * H() / Math.max(n, 1)) * 0.6;
  for (let i = 0; i < n; i++) { P[i].vx = 0; P[i].vy = 0; }
  for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) {
    let dx = P[i].x - P[j].x, dy = P[i].y - P[j].y, d2 = dx * dx + dy * dy;
    if (d2 < 0.01) { dx = Math.random() - 0.5; dy = Math.random() - 0.5; d2 = 0.5; }
    const f = k * k / d2;
    P[i].vx += dx * f; P[i].vy += dy * f; P[j].vx -= dx * f; P[j].vy -= dy * f;
  }
  for (const e of E) {
    if (e.s === e.t) continue;
    const a = P[e.s], b = P[e.t], dx = a.x - b.x, dy = a.y - b.y, d = Math.sqrt(dx * dx + dy * dy) + 1e-9, f = d / k;
    a.vx -= dx * f; a.vy -= dy * f; b.vx += dx * f; b.vy += dy * f;
  }
  const lim = 30 * heat;
  for (let i = 0; i < n; i++) {
    const p = P[i];
    if (p.fixed) continue;
    const v = Math.sqrt(p.vx * p.vx + p.vy * p.vy);
    if (v > 0) { const s = Math.min(v, lim) / v; p.x += p.vx * s; p.y += p.vy * s; }
    p.x = Math.min(W() - BW / 2, Math.max(BW / 2, p.x)); p.y = Math.min(H() - BH, Math.max(BH + 20, p.y));
  }
  heat *= 0.985;
}
function draw() {
  for (const e of E) {
    const a = P[e.s], b = P[e.t];
    const dx = b.x - a.x, dy = b.y - a.y, d = Math.sqrt(dx * dx + dy * dy);
    if (d < 1) { e.path.setAttribute("d", ""); continue; }
    const cx = (a.x + b.x) / 2 - dy * 0.08, cy = (a.y + b.y) / 2 + dx * 0.08;
    const tx = b.x - cx, ty = b.y - cy;
    const s = Math.min(BW / 2 / Math.max(Math.abs(tx), 1e-9), BH / 2 / Math.max(Math.abs(ty), 1e-9), 1);
    e.path.setAttribute("d", `M${a.x},${a.y} Q${cx},${cy} ${b.x - tx * s},${b.y - ty * s}`);
    e.label.setAttribute("x", (a.x + b.x) / 4 + cx / 2); e.label.setAttribute("y", (a.y + b.y) / 4 + cy / 2 + 4);
  }
  P.forEach((p, i) => N[i].setAttribute("transform", `translate(${p.x},${p.y})`));
}
function tick() { if (heat > 0.01) { step(); draw(); } requestAnimationFrame(tick); }
draw(); tick();
</script></body></html>
]]

-- A page that needs nothing but a browser: the edge list as JSON, the layout and drawing inline.
function M.html(e, opts)
  opts = opts or {}
  local nodes, edges = lists(e)
  local title = opts.title or fmt("pktframe connection graph: %d hosts, %d edges (width and label: packets)",
    #nodes, #edges)
  local jn, je = {}, {}
  for i, n in ipairs(nodes) do jn[i] = json_string(n) end
  for i, x in ipairs(edges) do je[i] = fmt("[%d,%d,%d]", x[1] - 1, x[2] - 1, x[3]) end
  local json = fmt('{"title":%s,"nodes":[%s],"edges":[%s]}', json_string(title), concat(jn, ","), concat(je, ","))
  return fmt(PAGE, plot.escape(title), json)
end

return M
