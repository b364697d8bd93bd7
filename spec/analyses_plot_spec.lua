-- analyses_plot_spec.lua: pictures that do not mislead (issue 15): empty data says so, integer
-- axes have integer ticks, categories are bars, legends draw what the data look like, and dots
-- at the x edges are not cut by the plot area.
local plot = require "pktframe.plot"

local function ticks(svg, class)
  local g = svg:match('<g class="' .. class .. '"[^>]*>(.-)</g>')
  local out = {}
  for t in (g or ""):gmatch("<text[^>]*>([^<]*)</text>") do out[#out + 1] = t end
  return out
end

local function plot_left(svg)
  return tonumber(svg:match('<clipPath id="plotarea"><rect x="(%d+)"'))
end

describe("pktframe.plot for the analyses", function()
  it("says there is nothing to draw instead of empty axes and a legend", function()
    local svg = plot.scatter{ title = "Padding", series = { { name = "frames", x = {}, y = {} },
      { name = "other", x = {}, y = {} } }, empty = "no leaks" }
    assert.truthy(svg:find('<text class="empty"[^>]*>no leaks</text>'))
    assert.falsy(svg:find('class="legend"', 1, true))
    assert.falsy(svg:find('class="xticks"', 1, true))
    local bar = plot.bar{ title = "t", labels = {}, values = {} }
    assert.truthy(bar:find('<text class="empty"[^>]*>no data</text>'))
    assert.truthy(plot.empty{ empty = "a & b" }:find("a &amp; b", 1, true))
  end)

  it("gives an axis of integers integer ticks only", function()
    local svg = plot.line{ x = { 0, 1 }, y = { 3, 4 } }
    for _, class in ipairs({ "xticks", "yticks" }) do
      local labels = ticks(svg, class)
      assert.is_true(#labels >= 2)
      for _, l in ipairs(labels) do assert.is_nil(l:find(".", 1, true), class .. " label " .. l) end
    end
    local b = plot.bar{ labels = { "a", "b" }, values = { 1, 2 } }
    for _, l in ipairs(ticks(b, "xticks")) do assert.is_nil(l:find(".", 1, true), "bar tick " .. l) end
    -- doubles keep their decimals
    local d = plot.line{ x = { 0, 1 }, y = { 0.1, 0.4 } }
    local any = false
    for _, l in ipairs(ticks(d, "yticks")) do if l:find(".", 1, true) then any = true end end
    assert.is_true(any)
  end)

  it("draws categories as bars, one rect each, not a line joining them", function()
    local svg = plot.bars{ x = { 0, 1, 5 }, y = { 10, 2500, 7 } }
    local g = svg:match('<g class="bars"[^>]*>(.-)</g>')
    assert.truthy(g)
    local n = 0
    for _ in g:gmatch("<rect ") do n = n + 1 end
    assert.are.equal(3, n)
    assert.falsy(svg:find("<path", 1, true))
  end)

  it("draws a dot in the legend of points no line joins, and a marker beside a line", function()
    local svg = plot.line{ series = {
      { name = "lone", x = { 1, 3, 5 }, y = { 1, 0 / 0, 2 }, marker = true },
      { name = "joined", x = { 1, 2, 3 }, y = { 2, 3, 4 }, marker = true } } }
    local legend = svg:match('<g class="legend">(.-)</g>')
    assert.truthy(legend)
    local first = legend:match("^(.-)<text")
    assert.truthy(first:find("<circle", 1, true))
    assert.falsy(first:find("<line", 1, true))
    local second = legend:match("lone</text>\n(.-)<text")
    assert.truthy(second:find("<line", 1, true) and second:find("<circle", 1, true))
  end)

  it("keeps dots at the x edges inside the plot area", function()
    local svg = plot.scatter{ x = { 0, 10 }, y = { 1, 2 }, radius = 3 }
    local left = plot_left(svg)
    for cx in svg:gmatch('<circle cx="([%d.]+)"') do
      assert.is_true(tonumber(cx) - 3 >= left, "dot at " .. cx .. " cut by the plot area at " .. left)
    end
  end)
end)
