-- pktframe.plot: line, step, scatter, vertical bars and horizontal bar charts as standalone SVG text.
--
--   local plot = require "pktframe.plot"
--   local svg = plot.line{ title = "Bytes per second", x = bw:col("frame.time_epoch"),
--                          y = bw:col("bytes"), xlabel = "time", ylabel = "bytes/s" }
--   assert(plot.save(svg, "out/bandwidth.svg"))
--
-- x and y are Columns or Lua lists (nil or NaN values leave a gap in lines and are not drawn);
-- an abstime Column on x (or time = true) gives a time axis with UTC tick labels. Several series:
-- series = { {name =, x =, y =, kind = "line"|"step"|"scatter"|"bars", color =, alpha =, marker =}, ... }.
-- An axis whose values are all integers has integer ticks only; dots and bars at the x edges
-- get a margin; a chart with no data is a centred message (o.empty, default "no data"), no axes.
-- Every text that reaches the SVG (titles, labels, names from packet data) is XML-escaped.
-- Long sorted line and step series are reduced to the first, lowest, highest and last point of
-- each pixel column (what the eye can see), so 10^6 points give a file of a few hundred kB.
local M = {}

local floor, ceil, log10, abs, huge = math.floor, math.ceil, math.log10 or function(x) return math.log(x, 10) end,
  math.abs, math.huge
local fmt, concat = string.format, table.concat

-- matplotlib's tab10, so pictures look as the notebooks' did
M.colors = { "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2",
  "#7f7f7f", "#bcbd22", "#17becf" }

local ESC = { ["&"] = "&amp;", ["<"] = "&lt;", [">"] = "&gt;", ['"'] = "&quot;", ["'"] = "&#39;" }
-- XML text: markup characters escaped, control bytes and invalid UTF-8 replaced (labels come
-- from packet data and a single stray byte would make the whole file unreadable)
local function esc(s)
  s = tostring(s)
  if not utf8.len(s) then s = s:gsub("[\128-\255]", "?") end
  s = s:gsub("[%z\1-\8\11\12\14-\31\127]", "?")
  return (s:gsub("[&<>\"']", ESC))
end
M.escape = esc

-- ---------------------------------------------------------------- data

local function is_column(v)
  local mt = getmetatable(v)
  return type(v) == "userdata" and type(mt) == "table" and mt.__name == "pktframe.Column"
end

-- A list {n =} of the values (nil for a null or NaN) and the column type, if any.
local function values(v, what, fname, level)
  if v == nil then return { n = 0 } end
  if is_column(v) then
    local t = v:totable()
    return t, v:type()
  end
  if type(v) ~= "table" then
    error(fmt("bad argument #1 to '%s' (%s: Column or list expected, got %s)", fname, what, type(v)), level or 4)
  end
  local n = v.n or #v
  local out = { n = n }
  for i = 1, n do out[i] = v[i] end
  return out
end

local function num(v)
  if type(v) ~= "number" or v ~= v or v == huge or v == -huge then return nil end
  return v
end

-- ---------------------------------------------------------------- ticks

-- "Nice" steps: 1, 2, 2.5, 5 times a power of ten, about `want` of them over [lo, hi].
local function nice_step(lo, hi, want)
  local span = hi - lo
  if span <= 0 then return 1 end
  local raw = span / want
  local p = 10 ^ floor(log10(raw))
  for _, m in ipairs({ 1, 2, 2.5, 5, 10 }) do
    if m * p >= raw then return m * p end
  end
  return 10 * p
end

-- Decimals needed to write multiples of `step` exactly (0.25 needs 2).
local function decimals(step)
  for d = 0, 9 do
    local v = step * 10 ^ d
    if abs(v - floor(v + 0.5)) < 1e-6 * v then return d end
  end
  return 9
end

-- Tick label of a number: SI suffixes from thousands up (2.5M), enough decimals for the step.
local function num_label(v, step, scale, suffix)
  if abs(v) < step * 1e-6 then return "0" end
  local s = fmt("%." .. decimals(step / scale) .. "f", v / scale)
  return s .. suffix
end

-- Integers with thousands separators (1,234,567), other numbers with 4 significant digits.
local function value_label(v)
  if math.type(v) == "integer" or (v == floor(v) and abs(v) < 2^53) then
    local s = fmt("%d", floor(v))
    local sign, digits = s:match("^(%-?)(%d+)$")
    digits = digits:reverse():gsub("(%d%d%d)", "%1,"):reverse():gsub("^,", "")
    return sign .. digits
  end
  return fmt("%.4g", v)
end
M.value_label = value_label

local function scale_for(maxabs)
  if maxabs >= 1e12 then return 1e12, "T" elseif maxabs >= 1e9 then return 1e9, "G"
  elseif maxabs >= 1e6 then return 1e6, "M" elseif maxabs >= 1e4 then return 1e3, "k" end
  return 1, ""
end

-- Numeric axis over [lo, hi]: the rounded-out range and its ticks {value, label}.
-- integer: the values are all integers (counts, stream numbers, ports): ticks on whole numbers only.
local function linear_axis(lo, hi, want, fixed_lo, fixed_hi, integer)
  if lo == hi then
    local d = lo == 0 and 1 or abs(lo) * 0.1
    if integer then d = math.max(1, floor(d)) end
    lo, hi = lo - d, hi + d
  end
  local step = nice_step(lo, hi, want)
  if integer and step < 1 then step = 1 elseif integer and step ~= floor(step) then step = floor(step) end
  local a = fixed_lo or floor(lo / step + 1e-9) * step
  local b = fixed_hi or ceil(hi / step - 1e-9) * step
  local ticks = {}
  local scale, suffix = scale_for(math.max(abs(a), abs(b)))
  local k = ceil(a / step - 1e-9)
  while k * step <= b + step * 1e-9 do
    local v = k * step
    ticks[#ticks + 1] = { v, num_label(v, step, scale, suffix) }
    k = k + 1
    if #ticks > 100 then break end
  end
  return a, b, ticks
end

-- Time steps in seconds, and how to label a tick at that step (UTC).
local TIME_STEPS = {
  { 1, "%H:%M:%S" }, { 2, "%H:%M:%S" }, { 5, "%H:%M:%S" }, { 10, "%H:%M:%S" }, { 15, "%H:%M:%S" },
  { 30, "%H:%M:%S" }, { 60, "%H:%M" }, { 120, "%H:%M" }, { 300, "%H:%M" }, { 600, "%H:%M" },
  { 900, "%H:%M" }, { 1800, "%H:%M" }, { 3600, "%H:%M" }, { 7200, "%H:%M" }, { 10800, "%H:%M" },
  { 21600, "%m-%d %H:%M" }, { 43200, "%m-%d %H:%M" }, { 86400, "%Y-%m-%d" }, { 172800, "%Y-%m-%d" },
  { 604800, "%Y-%m-%d" }, { 1209600, "%Y-%m-%d" }, { 2592000, "%Y-%m-%d" }, { 5184000, "%Y-%m-%d" },
  { 7776000, "%Y-%m-%d" }, { 15552000, "%Y-%m-%d" }, { 31536000, "%Y-%m-%d" },
}

-- Time axis over epoch seconds [lo, hi]: ticks on whole steps of UTC; the axis note names the day.
local function time_axis(lo, hi, want)
  if lo == hi then lo, hi = lo - 1, hi + 1 end
  local raw = (hi - lo) / want
  local ticks = {}
  local step, pat
  if raw < 1 then                                  -- sub-second: seconds with decimals
    step = nice_step(lo, hi, want)
    local d = decimals(step)
    local k = ceil(lo / step - 1e-9)
    while k * step <= hi + step * 1e-9 do
      local v = k * step
      local s = floor(v + step * 1e-6)
      ticks[#ticks + 1] = { v, os.date("!%H:%M:%S", s) .. fmt("%." .. d .. "f", v - s):sub(2) }
      k = k + 1
      if #ticks > 100 then break end
    end
  else
    for _, st in ipairs(TIME_STEPS) do
      step, pat = st[1], st[2]
      if st[1] >= raw then break end
    end
    if step == 31536000 and raw > step then step = ceil(raw / step) * step end
    local k = ceil(lo / step - 1e-9)
    while k * step <= hi + 1e-9 do
      ticks[#ticks + 1] = { k * step, os.date("!" .. pat, floor(k * step)) }
      k = k + 1
      if #ticks > 100 then break end
    end
  end
  local d1, d2 = os.date("!%Y-%m-%d", floor(lo)), os.date("!%Y-%m-%d", floor(hi))
  local note = d1 == d2 and (d1 .. " UTC") or (d1 .. " to " .. d2 .. " UTC")
  return lo, hi, ticks, note
end

-- ---------------------------------------------------------------- drawing

-- Approximate text width in pixels (sans-serif at `size` px), for layout only.
local function text_width(s, size) return utf8.len(s) and utf8.len(s) * size * 0.6 or #s * size * 0.6 end

local function header(w, h)
  return fmt('<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" '
    .. 'font-family="DejaVu Sans, Helvetica, Arial, sans-serif" font-size="12">\n'
    .. '<rect x="0" y="0" width="%d" height="%d" fill="#ffffff"/>\n', w, h, w, h, w, h)
end

-- Reduces a sorted series to <= 4 points per pixel column (first, min, max, last): M4.
local function m4(xs, ys, n, x0, sx)
  local ox, oy, k = {}, {}, 0
  local i = 1
  while i <= n do
    local px = floor((xs[i] - x0) * sx)
    local fi, li, mini, maxi = i, i, i, i
    local j = i + 1
    while j <= n and floor((xs[j] - x0) * sx) == px do
      if ys[j] < ys[mini] then mini = j end
      if ys[j] > ys[maxi] then maxi = j end
      li = j
      j = j + 1
    end
    local pick = { fi, mini, maxi, li }
    table.sort(pick)
    local last = nil
    for _, q in ipairs(pick) do
      if q ~= last then k = k + 1; ox[k], oy[k] = xs[q], ys[q]; last = q end
    end
    i = j
  end
  return ox, oy, k
end

-- Splits a series into runs of points with both values present: gaps come from nulls.
local function runs(xv, yv, n)
  local out, cur = {}, nil
  for i = 1, n do
    local x, y = num(xv[i]), num(yv[i])
    if x and y then
      if not cur then cur = { xs = {}, ys = {}, n = 0 }; out[#out + 1] = cur end
      cur.n = cur.n + 1
      cur.xs[cur.n], cur.ys[cur.n] = x, y
    elseif y == nil then
      cur = nil
    end
  end
  return out
end

-- The legend box goes in the corner of the plot area with the fewest data points under it
-- (matplotlib's loc="best", on a coarse count); corners are tried top-right, top-left,
-- bottom-right, bottom-left.
local function legend(buf, items, area, series, X, Y)
  if #items == 0 then return end
  local wmax = 0
  for _, it in ipairs(items) do wmax = math.max(wmax, text_width(it.name, 12)) end
  local bw, bh = wmax + 40, #items * 18 + 8
  local corners = {
    { area.x + area.w - bw - 8, area.y + 8 }, { area.x + 8, area.y + 8 },
    { area.x + area.w - bw - 8, area.y + area.h - bh - 8 }, { area.x + 8, area.y + area.h - bh - 8 },
  }
  local hits = { 0, 0, 0, 0 }
  for _, s in ipairs(series) do
    for _, r in ipairs(s.runs) do
      local step = math.max(1, r.n // 5000)         -- a sample is enough to compare corners
      for k = 1, r.n, step do
        local px, py = X(r.xs[k]), Y(r.ys[k])
        for c = 1, 4 do
          local cx, cy = corners[c][1], corners[c][2]
          if px >= cx - 4 and px <= cx + bw + 4 and py >= cy - 4 and py <= cy + bh + 4 then hits[c] = hits[c] + 1 end
        end
      end
    end
  end
  local best = 1
  for c = 2, 4 do if hits[c] < hits[best] then best = c end end
  local x0, top = corners[best][1], corners[best][2] - 8
  buf[#buf + 1] = fmt('<g class="legend"><rect x="%.1f" y="%.1f" width="%.1f" height="%d" fill="#ffffff" '
    .. 'fill-opacity="0.85" stroke="#bbbbbb"/>\n', x0, top + 8, bw, bh)
  for i, it in ipairs(items) do
    local y = top + 8 + (i - 1) * 18 + 13
    if it.kind == "bars" then
      buf[#buf + 1] = fmt('<rect x="%.1f" y="%.1f" width="12" height="10" fill="%s"/>\n', x0 + 10, y - 9, it.color)
    elseif it.kind == "scatter" then
      buf[#buf + 1] = fmt('<circle cx="%.1f" cy="%.1f" r="4" fill="%s"/>\n', x0 + 16, y - 4, it.color)
    else
      buf[#buf + 1] = fmt('<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="%s" stroke-width="2"/>\n',
        x0 + 6, y - 4, x0 + 26, y - 4, it.color)
      if it.marker then
        buf[#buf + 1] = fmt('<circle cx="%.1f" cy="%.1f" r="3" fill="%s"/>\n', x0 + 16, y - 4, it.color)
      end
    end
    buf[#buf + 1] = fmt('<text x="%.1f" y="%.1f">%s</text>\n', x0 + 32, y, esc(it.name))
  end
  buf[#buf + 1] = "</g>\n"
end

-- The common frame: title, axes, grid, tick labels, axis labels. Returns the mapping functions.
local function frame(buf, o, layout)
  local W, H = layout.W, layout.H
  local L, R, T, B = layout.L, layout.R, layout.T, layout.B
  if o.title then
    buf[#buf + 1] = fmt('<text x="%.1f" y="22" text-anchor="middle" font-size="15" font-weight="bold">%s</text>\n',
      (L + W - R) / 2, esc(o.title))
  end
  buf[#buf + 1] = fmt('<rect x="%d" y="%d" width="%d" height="%d" fill="none" stroke="#444444"/>\n',
    L, T, W - L - R, H - T - B)
end

local function xy_chart(o, default_kind, fname)
  if type(o) ~= "table" then
    error(fmt("bad argument #1 to '%s' (table expected, got %s)", fname, type(o)), 3)
  end
  local W, H = o.width or 800, o.height or 450
  -- the series: o.x/o.y are the first one, o.series more
  local specs = {}
  if o.y ~= nil then specs[1] = { name = o.name, x = o.x, y = o.y, kind = o.kind, color = o.color,
      alpha = o.alpha, marker = o.marker, radius = o.radius } end
  for _, s in ipairs(o.series or {}) do specs[#specs + 1] = s end
  local series = {}
  local is_time = o.time
  local xlo, xhi, ylo, yhi = huge, -huge, huge, -huge
  local xint, yint = true, true   -- every value an integer: integer ticks
  local dots = false              -- dots (scatter, markers): the x range gets a margin
  for i, s in ipairs(specs) do
    local yv = values(s.y, "y", fname)
    local xv, xtype
    if s.x ~= nil then xv, xtype = values(s.x, "x", fname)
    else xv = { n = yv.n }; for k = 1, yv.n do xv[k] = k end end
    if xtype == "abstime" and is_time == nil then is_time = true end
    local n = math.min(xv.n, yv.n)
    local kind = s.kind or default_kind
    if kind ~= "line" and kind ~= "step" and kind ~= "scatter" and kind ~= "bars" then
      error(fmt("bad argument #1 to '%s' (series %d: kind '%s'; expected line, step, scatter or bars)",
        fname, i, tostring(kind)), 3)
    end
    local rs = runs(xv, yv, n)
    for _, r in ipairs(rs) do
      for k = 1, r.n do
        local x, y = r.xs[k], r.ys[k]
        if x < xlo then xlo = x end
        if x > xhi then xhi = x end
        if y < ylo then ylo = y end
        if y > yhi then yhi = y end
        if xint and x ~= floor(x) then xint = false end
        if yint and y ~= floor(y) then yint = false end
      end
    end
    if kind == "scatter" or s.marker or kind == "bars" then dots = true end
    if kind == "bars" then   -- bars stand on 0
      if ylo > 0 then ylo = 0 end
      if yhi < 0 then yhi = 0 end
    end
    series[#series + 1] = { name = s.name, kind = kind, runs = rs,
      color = s.color or M.colors[(i - 1) % #M.colors + 1],
      alpha = s.alpha or (kind == "scatter" and 0.6 or 1), marker = s.marker, radius = s.radius or 2.5,
      width = s.line_width or 1.5 }
  end
  local empty = xlo > xhi
  if empty then return M.empty(o) end
  -- dots and bars at the x edges: the axis runs past them, so that none is cut in half
  local xpad_lo, xpad_hi
  if dots and not is_time then
    local m = xint and math.max(0.5, (xhi - xlo) * 0.02) or (xhi > xlo and (xhi - xlo) * 0.02 or 0.5)
    xpad_lo, xpad_hi = xlo - m, xhi + m
  end
  if o.xmin then xlo = o.xmin end
  if o.xmax then xhi = o.xmax end
  if o.ymin then ylo = math.min(ylo, o.ymin) end
  if o.ymax then yhi = math.max(yhi, o.ymax) end
  -- axes
  local xa, xb, xticks, xnote
  if is_time then xa, xb, xticks, xnote = time_axis(xlo, xhi, math.max(3, floor(W / 130)))
  else xa, xb, xticks = linear_axis(xlo, xhi, math.max(3, floor(W / 100)), o.xmin or xpad_lo, o.xmax or xpad_hi, xint) end
  local ya, yb, yticks = linear_axis(ylo, yhi, math.max(3, floor(H / 70)), o.ymin, o.ymax, yint)
  if dots and is_time then
    local m = (xhi - xlo) * 0.02
    if not o.xmin and xlo - xa < m then xa = xa - m end
    if not o.xmax and xb - xhi < m then xb = xb + m end
  end
  local ylabw = 0
  for _, t in ipairs(yticks) do ylabw = math.max(ylabw, text_width(t[2], 12)) end
  local L = floor(ylabw + (o.ylabel and 34 or 16) + 0.5)
  local R, T, B = 20, o.title and 36 or 14, (o.xlabel or xnote) and 52 or 34
  local pw, ph = W - L - R, H - T - B
  local sx = pw / (xb - xa)
  local sy = ph / (yb - ya)
  local function X(v) return L + (v - xa) * sx end
  local function Y(v) return T + ph - (v - ya) * sy end
  local buf = { header(W, H) }
  -- grid and ticks
  buf[#buf + 1] = '<g class="grid" stroke="#e5e5e5" stroke-width="1">\n'
  for _, t in ipairs(xticks) do
    if t[1] >= xa - 1e-9 * abs(xa) and t[1] <= xb + 1e-9 * abs(xb) then
      buf[#buf + 1] = fmt('<line x1="%.1f" y1="%d" x2="%.1f" y2="%d"/>\n', X(t[1]), T, X(t[1]), T + ph)
    end
  end
  for _, t in ipairs(yticks) do
    buf[#buf + 1] = fmt('<line x1="%d" y1="%.1f" x2="%d" y2="%.1f"/>\n', L, Y(t[1]), L + pw, Y(t[1]))
  end
  buf[#buf + 1] = "</g>\n"
  frame(buf, o, { W = W, H = H, L = L, R = R, T = T, B = B })
  buf[#buf + 1] = '<g class="xticks" text-anchor="middle" fill="#222222">\n'
  local lastx = -huge
  for _, t in ipairs(xticks) do
    local x = X(t[1])
    if x >= L - 0.5 and x <= L + pw + 0.5 then
      buf[#buf + 1] = fmt('<line x1="%.1f" y1="%d" x2="%.1f" y2="%d" stroke="#444444"/>\n', x, T + ph, x, T + ph + 5)
      local tw = text_width(t[2], 12)
      if x - tw / 2 > lastx + 4 then
        buf[#buf + 1] = fmt('<text x="%.1f" y="%d">%s</text>\n', x, T + ph + 18, esc(t[2]))
        lastx = x + tw / 2
      end
    end
  end
  buf[#buf + 1] = "</g>\n"
  buf[#buf + 1] = '<g class="yticks" text-anchor="end" fill="#222222">\n'
  for _, t in ipairs(yticks) do
    local y = Y(t[1])
    buf[#buf + 1] = fmt('<line x1="%d" y1="%.1f" x2="%d" y2="%.1f" stroke="#444444"/>\n', L - 5, y, L, y)
    buf[#buf + 1] = fmt('<text x="%d" y="%.1f">%s</text>\n', L - 8, y + 4, esc(t[2]))
  end
  buf[#buf + 1] = "</g>\n"
  local xl = o.xlabel
  if xnote then xl = (xl and (xl .. ", ") or "") .. xnote end
  if xl then
    buf[#buf + 1] = fmt('<text x="%.1f" y="%d" text-anchor="middle">%s</text>\n', L + pw / 2, H - 10, esc(xl))
  end
  if o.ylabel then
    buf[#buf + 1] = fmt('<text transform="translate(16 %.1f) rotate(-90)" text-anchor="middle">%s</text>\n',
      T + ph / 2, esc(o.ylabel))
  end
  -- data, clipped to the plot area
  buf[#buf + 1] = fmt('<clipPath id="plotarea"><rect x="%d" y="%d" width="%d" height="%d"/></clipPath>\n'
    .. '<g clip-path="url(#plotarea)">\n', L, T, pw, ph)
  local items = {}
  for _, s in ipairs(series) do
    if s.name then
      -- the legend draws what the data look like: a dot for points that no line joins
      local lone = true
      for _, r in ipairs(s.runs) do if r.n > 1 then lone = false; break end end
      local kind = (s.kind == "scatter" or (lone and #s.runs > 0 and s.kind ~= "bars")) and "scatter" or s.kind
      items[#items + 1] = { name = s.name, color = s.color, kind = kind, marker = s.marker }
    end
  end
  -- lines first, then dots, so that markers stay visible on top of lines
  local drawing = {}
  for _, s in ipairs(series) do if s.kind ~= "scatter" then drawing[#drawing + 1] = s end end
  for _, s in ipairs(series) do if s.kind == "scatter" then drawing[#drawing + 1] = s end end
  for _, s in ipairs(drawing) do
    if s.kind == "bars" then
      -- one bar per x (a category: a stream, a port), as wide as 80% of the closest two x apart
      local xs = {}
      for _, r in ipairs(s.runs) do for k = 1, r.n do xs[#xs + 1] = r.xs[k] end end
      table.sort(xs)
      local gap = huge
      for k = 2, #xs do if xs[k] > xs[k - 1] then gap = math.min(gap, xs[k] - xs[k - 1]) end end
      if gap == huge then gap = 1 end
      local bw = math.max(1, math.min(gap * sx * 0.8, pw / 3))
      buf[#buf + 1] = fmt('<g class="bars" fill="%s"%s>\n', s.color, s.alpha < 1 and fmt(' fill-opacity="%.3f"', s.alpha) or "")
      for _, r in ipairs(s.runs) do
        for k = 1, r.n do
          local y0, y1 = Y(math.max(0, r.ys[k])), Y(math.min(0, r.ys[k]))
          buf[#buf + 1] = fmt('<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f"/>\n', X(r.xs[k]) - bw / 2, y0, bw,
            math.max(y1 - y0, 0.5))
        end
      end
      buf[#buf + 1] = "</g>\n"
      goto nextseries
    end
    if s.kind == "scatter" or s.marker then
      -- points in one half-pixel cell drawn once, with the opacity that k stacked copies would have
      local cells, order = {}, {}
      for _, r in ipairs(s.runs) do
        for k = 1, r.n do
          local key = fmt("%.1f %.1f", floor(X(r.xs[k]) * 2 + 0.5) / 2, floor(Y(r.ys[k]) * 2 + 0.5) / 2)
          local c = cells[key]
          if c then cells[key] = c + 1 else cells[key] = 1; order[#order + 1] = key end
        end
      end
      buf[#buf + 1] = fmt('<g fill="%s" stroke="none">\n', s.color)
      local a, r = s.kind == "scatter" and s.alpha or 1, s.radius
      -- one group per stacking depth carries the opacity, so each point costs ~40 bytes
      local bydepth, depths = {}, {}
      for _, key in ipairs(order) do
        local k = a >= 1 and 1 or cells[key]
        local list = bydepth[k]
        if not list then list = {}; bydepth[k] = list; depths[#depths + 1] = k end
        local cx, cy = key:match("^(%S+) (%S+)$")
        list[#list + 1] = fmt('<circle cx="%s" cy="%s" r="%g"/>', cx, cy, r)
      end
      table.sort(depths)
      for _, k in ipairs(depths) do
        if a < 1 then buf[#buf + 1] = fmt('<g fill-opacity="%.3f">\n', 1 - (1 - a) ^ k) end
        buf[#buf + 1] = concat(bydepth[k], "\n")
        if a < 1 then buf[#buf + 1] = "\n</g>" end
      end
      buf[#buf + 1] = "\n</g>\n"
    end
    if s.kind ~= "scatter" then
      local d, lone = {}, {}
      for _, r in ipairs(s.runs) do
        -- a point between two gaps has no segment to draw: a dot shows it
        if r.n == 1 and not s.marker then
          lone[#lone + 1] = fmt('<circle cx="%.1f" cy="%.1f" r="%g" fill="%s"/>\n', X(r.xs[1]), Y(r.ys[1]),
            s.width + 1, s.color)
        end
        local xs, ys, n = r.xs, r.ys, r.n
        if n < 2 then goto nextrun end
        local sorted = true
        for k = 2, n do if xs[k] < xs[k - 1] then sorted = false; break end end
        if sorted and n > 4 * pw and s.kind == "line" then xs, ys, n = m4(xs, ys, n, xa, sx) end
        d[#d + 1] = fmt("M%.1f %.1f", X(xs[1]), Y(ys[1]))
        if s.kind == "line" then
          for k = 2, n do d[#d + 1] = fmt("L%.1f %.1f", X(xs[k]), Y(ys[k])) end
        else                                        -- step: the value holds until the next point
          local lastpx = nil
          for k = 2, n do
            local px = fmt("%.1f", X(xs[k]))
            if px == lastpx then d[#d] = fmt("V%.1f", Y(ys[k]))
            else d[#d + 1] = fmt("H%sV%.1f", px, Y(ys[k])) end
            lastpx = px
          end
        end
        ::nextrun::
      end
      if #d > 0 then
        buf[#buf + 1] = fmt('<path fill="none" stroke="%s" stroke-width="%g" stroke-linejoin="round"%s d="',
          s.color, s.width, s.alpha < 1 and fmt(' stroke-opacity="%.3f"', s.alpha) or "")
        buf[#buf + 1] = concat(d, "")
        buf[#buf + 1] = '"/>\n'
      end
      buf[#buf + 1] = concat(lone)
    end
    ::nextseries::
  end
  buf[#buf + 1] = "</g>\n"
  if o.legend ~= false and (#items > 1 or (#items == 1 and o.legend)) then
    legend(buf, items, { x = L, y = T, w = pw, h = ph }, series, X, Y)
  end
  buf[#buf + 1] = "</svg>\n"
  return concat(buf)
end

-- plot.empty{title =, empty = "no data", width =, height =} -> SVG text: a chart with nothing to
-- draw says so in its middle (o.empty, "no data" by default), without axes or legend, which would
-- suggest a range and series that do not exist. Every chart of this module with no data is one.
function M.empty(o)
  local W, H = o.width or 800, o.height or 450
  local buf = { header(W, H) }
  local T, B = o.title and 36 or 14, 14
  frame(buf, o, { W = W, H = H, L = 14, R = 14, T = T, B = B })
  buf[#buf + 1] = fmt('<text class="empty" x="%.1f" y="%.1f" text-anchor="middle" fill="#666666" font-size="18">%s</text>\n',
    W / 2, T + (H - T - B) / 2, esc(o.empty or "no data"))
  buf[#buf + 1] = "</svg>\n"
  return concat(buf)
end

-- plot.line{...}, plot.step{...}, plot.scatter{...} -> SVG text (see the top of the file).
function M.line(o) return xy_chart(o, "line", "line") end
function M.step(o) return xy_chart(o, "step", "step") end
function M.scatter(o) return xy_chart(o, "scatter", "scatter") end
-- plot.bars{...}: vertical bars at each x (categories such as stream numbers), from 0 to y.
function M.bars(o) return xy_chart(o, "bars", "bars") end

-- plot.bar{labels =, values =, title =, xlabel =, ylabel =, color =, width =} -> SVG text:
-- horizontal bars, one per label, top to bottom in the order given, the value at the bar's end.
function M.bar(o)
  if type(o) ~= "table" then
    error(fmt("bad argument #1 to 'bar' (table expected, got %s)", type(o)), 2)
  end
  local lv = values(o.labels, "labels", "bar", 3)
  local vv = values(o.values, "values", "bar", 3)
  local n = math.min(lv.n, vv.n)
  if n == 0 then return M.empty(o) end
  local labels, vals = {}, {}
  local vmax, vmin = 0, 0
  local vint = true
  for i = 1, n do
    local s = lv[i] == nil and "(none)" or tostring(lv[i])
    if utf8.len(s) and utf8.len(s) > 40 then s = s:sub(1, utf8.offset(s, 40) - 1) .. "…" end
    labels[i] = s
    vals[i] = num(vv[i])
    if vals[i] then vmax = math.max(vmax, vals[i]); vmin = math.min(vmin, vals[i]) end
    if vals[i] and vals[i] ~= floor(vals[i]) then vint = false end
  end
  local W = o.width or 800
  local barh = 22
  local T, B = o.title and 36 or 14, o.xlabel and 52 or 34
  local H = o.height or math.max(160, T + B + math.max(n, 1) * barh + 8)
  local labw = 0
  for i = 1, n do labw = math.max(labw, text_width(labels[i], 12)) end
  local L = floor(math.min(labw, W * 0.45) + (o.ylabel and 34 or 16) + 0.5)
  local xa, xb, xticks = linear_axis(vmin, vmax > vmin and vmax or vmin + 1, math.max(3, floor(W / 110)), nil, nil, vint)
  local valw = 0
  local vlabel = value_label
  for i = 1, n do if vals[i] then valw = math.max(valw, text_width(vlabel(vals[i]), 11)) end end
  local R = floor(20 + valw)
  local pw, ph = W - L - R, H - T - B
  local sx = pw / (xb - xa)
  local function X(v) return L + (v - xa) * sx end
  local buf = { header(W, H) }
  buf[#buf + 1] = '<g class="grid" stroke="#e5e5e5" stroke-width="1">\n'
  for _, t in ipairs(xticks) do
    buf[#buf + 1] = fmt('<line x1="%.1f" y1="%d" x2="%.1f" y2="%d"/>\n', X(t[1]), T, X(t[1]), T + ph)
  end
  buf[#buf + 1] = "</g>\n"
  frame(buf, o, { W = W, H = H, L = L, R = R, T = T, B = B })
  buf[#buf + 1] = '<g class="xticks" text-anchor="middle" fill="#222222">\n'
  for _, t in ipairs(xticks) do
    buf[#buf + 1] = fmt('<line x1="%.1f" y1="%d" x2="%.1f" y2="%d" stroke="#444444"/>\n', X(t[1]), T + ph, X(t[1]), T + ph + 5)
    buf[#buf + 1] = fmt('<text x="%.1f" y="%d">%s</text>\n', X(t[1]), T + ph + 18, esc(t[2]))
  end
  buf[#buf + 1] = "</g>\n"
  local slot = n > 0 and ph / n or ph
  local bh = math.max(1, slot * 0.72)
  local color = o.color or M.colors[1]
  buf[#buf + 1] = fmt('<g class="bars" fill="%s">\n', color)
  for i = 1, n do
    local v = vals[i]
    if v then
      local y = T + (i - 1) * slot + (slot - bh) / 2
      local x0, x1 = X(math.min(0, v)), X(math.max(0, v))
      buf[#buf + 1] = fmt('<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f"/>\n', x0, y, math.max(x1 - x0, 0.5), bh)
    end
  end
  buf[#buf + 1] = "</g>\n"
  buf[#buf + 1] = '<g class="labels" fill="#222222">\n'
  for i = 1, n do
    local yc = T + (i - 1) * slot + slot / 2 + 4
    if slot >= 9 then
      buf[#buf + 1] = fmt('<text x="%d" y="%.1f" text-anchor="end">%s</text>\n', L - 6, yc, esc(labels[i]))
    end
    if vals[i] and slot >= 9 then
      buf[#buf + 1] = fmt('<text x="%.1f" y="%.1f" font-size="11">%s</text>\n', X(math.max(0, vals[i])) + 4, yc,
        esc(vlabel(vals[i])))
    end
  end
  buf[#buf + 1] = "</g>\n"
  if o.xlabel then
    buf[#buf + 1] = fmt('<text x="%.1f" y="%d" text-anchor="middle">%s</text>\n', L + pw / 2, H - 10, esc(o.xlabel))
  end
  if o.ylabel then
    buf[#buf + 1] = fmt('<text transform="translate(16 %.1f) rotate(-90)" text-anchor="middle">%s</text>\n',
      T + ph / 2, esc(o.ylabel))
  end
  buf[#buf + 1] = "</svg>\n"
  return concat(buf)
end

-- plot.save(svg, path) -> true | nil, "path: message"
function M.save(svg, path)
  if type(svg) ~= "string" then
    error(fmt("bad argument #1 to 'save' (string expected, got %s)", type(svg)), 2)
  end
  if type(path) ~= "string" then
    error(fmt("bad argument #2 to 'save' (string expected, got %s)", type(path)), 2)
  end
  local f, err = io.open(path, "wb")
  if not f then return nil, err end
  local ok, werr = f:write(svg)
  f:close()
  if not ok then return nil, path .. ": " .. tostring(werr) end
  return true
end

M._time_axis, M._linear_axis = time_axis, linear_axis     -- for the spec

return M
