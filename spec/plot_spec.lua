-- plot_spec.lua: pktframe.plot: SVG text, axes and ticks, gaps, escaping, size on long series, errors.
local pf = require "pktframe"
local plot = require "pktframe.plot"

local function count(s, pat) return select(2, s:gsub(pat, "")) end

describe("pktframe.plot", function()
  it("escapes every text that reaches the SVG", function()
    assert.are.equal("a &lt;b&gt; &amp; &quot;c&quot; &#39;d&#39;", plot.escape([[a <b> & "c" 'd']]))
    assert.are.equal("bad ? byte", plot.escape("bad \1 byte"))
    assert.are.equal("x?y", plot.escape("x\255y"))        -- not UTF-8: the byte is replaced
    local svg = plot.bar{ title = "<t>", labels = { "<script>" }, values = { 1 } }
    assert.is_nil(svg:find("<script>", 1, true))
    assert.truthy(svg:find("&lt;script&gt;", 1, true))
    assert.truthy(svg:find("&lt;t&gt;", 1, true))
  end)

  it("puts nice ticks on a numeric axis", function()
    local a, b, ticks = plot._linear_axis(3, 97, 5)
    assert.are.equal(0, a)
    assert.are.equal(100, b)
    local labels = {}
    for i, t in ipairs(ticks) do labels[i] = t[2] end
    assert.are.same({ "0", "20", "40", "60", "80", "100" }, labels)
    local _, _, big = plot._linear_axis(0, 1.4e6, 6)
    labels = {}
    for i, t in ipairs(big) do labels[i] = t[2] end
    assert.are.same({ "0", "0.25M", "0.50M", "0.75M", "1.00M", "1.25M", "1.50M" }, labels)
  end)

  it("labels a time axis in UTC on whole steps", function()
    -- 2024-01-02 09:30:00 UTC + 0..30 s: ticks every 5 s
    local _, _, ticks, note = plot._time_axis(1704187800.2, 1704187830.1, 6)
    assert.are.equal("2024-01-02 UTC", note)
    assert.are.equal("09:30:05", ticks[1][2])
    assert.are.equal(1704187805, ticks[1][1])
    assert.are.equal("09:30:30", ticks[#ticks][2])
    local _, _, hours = plot._time_axis(1704187800, 1704187800 + 6 * 3600, 6)
    assert.are.equal("10:00", hours[1][2])
    local _, _, sub = plot._time_axis(1704187800, 1704187801, 5)
    assert.are.equal("09:30:00.0", sub[1][2])
    assert.are.equal("09:30:00.2", sub[2][2])
    assert.are.equal("09:30:01.0", sub[#sub][2])
  end)

  it("leaves a gap where a value is missing or NaN", function()
    local svg = plot.line{ x = { 1, 2, 3, 4, 5, 6 }, y = { 1, 2, nil, 4, 0 / 0, 6 } }
    local d = svg:match('<path fill="none"[^>]* d="([^"]*)"')
    assert.are.equal(1, count(d, "M"))                   -- the run 1-2; 4 and 6 alone get a dot
    assert.are.equal(2, count(svg, "<circle"))           -- the lone points 4 and 6
  end)

  it("says there is no data for an empty series", function()
    assert.truthy(plot.line{ x = {}, y = {} }:find(">no data<", 1, true))
    assert.truthy(plot.bar{ labels = {}, values = {} }:find(">no data<", 1, true))
  end)

  it("draws a legend when there are several series", function()
    local svg = plot.line{ x = { 1, 2 }, y = { 1, 2 }, name = "first",
      series = { { name = "second", x = { 1, 2 }, y = { 2, 1 }, kind = "step" } } }
    assert.truthy(svg:find(">first<", 1, true))
    assert.truthy(svg:find(">second<", 1, true))
  end)

  it("keeps long sorted lines small and quick", function()
    local xs, ys = {}, {}
    for i = 1, 1000000 do xs[i] = i; ys[i] = (i * 7919) % 1000 end
    local t0 = os.clock()
    local svg = plot.line{ x = xs, y = ys }
    assert.is_true(os.clock() - t0 < 5)
    assert.is_true(#svg < 300000)
    xs, ys = {}, {}
    for i = 1, 100000 do xs[i] = i; ys[i] = (i * 7919) % 1000 end
    t0 = os.clock()
    local s2 = plot.scatter{ x = xs, y = ys, alpha = 0.1 }  -- at most one circle per half-pixel cell
    assert.is_true(os.clock() - t0 < 5)
    assert.is_true(#s2 < 100000 * 60)
  end)

  it("takes Columns, and an abstime Column gives a time axis", function()
    local path = (os.getenv("PKTFRAME_SHARED") or "/work/shared") .. "/captures/sll-tcp-handshake-nsec.pcap"
    local f = io.open(path, "rb")
    if not f then pending(path .. " is absent") return end
    f:close()
    local t <close> = assert(pf.read(path, { fields = { "frame.time_epoch", "frame.len" } }))
    local svg = plot.scatter{ x = t:col("frame.time_epoch"), y = t:col("frame.len") }
    assert.truthy(svg:find(" UTC<", 1, true))
    assert.are.equal(3, count(svg, "<circle"))
  end)

  it("names bad arguments", function()
    assert.has_error(function() plot.line(3) end, "bad argument #1 to 'line' (table expected, got number)")
    assert.has_error(function() plot.line{ y = "x" } end,
      "bad argument #1 to 'line' (y: Column or list expected, got string)")
    assert.has_error(function() plot.bar{ labels = 1, values = {} } end,
      "bad argument #1 to 'bar' (labels: Column or list expected, got number)")
    assert.has_error(function() plot.line{ y = { 1 }, kind = "pie" } end,
      "bad argument #1 to 'line' (series 1: kind 'pie'; expected line, step, scatter or bars)")
    assert.has_error(function() plot.save(1, "x") end, "bad argument #1 to 'save' (string expected, got number)")
  end)

  it("returns nil and a message when the file cannot be written", function()
    local ok, err = plot.save("<svg/>", "/nonexistent/dir/x.svg")
    assert.is_nil(ok)
    assert.are.equal("/nonexistent/dir/x.svg: No such file or directory", err)
  end)
end)
