-- args_spec.lua: pktframe.args (pf.args): options, positionals, types, defaults, --help and mistakes.
local pf = require "pktframe"
local args = require "pktframe.args"

local SPEC = {
  description = "Counts things.",
  positional = { { "capture", many = true, help = "capture files" } },
  options = {
    { "out", metavar = "DIR", help = "write files into DIR" },
    { "interval", type = "duration", default = "1s", help = "bucket width" },
    { "top", type = "integer", default = 10, help = "rows to print" },
    { "ratio", type = "number", default = 0.5, help = "threshold" },
    { "by", choices = { "dst", "src" }, default = "dst", help = "direction" },
    { "resolve", type = "boolean", help = "reverse lookups" },
    { "max-mem", type = "size", default = "512M", help = "memory cap" },
    { "stream", type = "integer", short = "s", help = "stream number" },
  },
}

local function argv(...) return { [0] = "examples/x.lua", ... } end

describe("pktframe.args", function()
  it("is pf.args", function()
    assert.are.equal(args, pf.args)
  end)

  it("gives the defaults when no options are given", function()
    local o = assert(args.parse(SPEC, argv("a.pcap")))
    assert.are.same({ "a.pcap" }, o.capture)
    assert.is_nil(o.out)
    assert.are.equal(1.0, o.interval)
    assert.are.equal(10, o.top)
    assert.are.equal(math.type(o.top), "integer")
    assert.are.equal(0.5, o.ratio)
    assert.are.equal("dst", o.by)
    assert.are.equal(false, o.resolve)
    assert.are.equal(512 * 1024 * 1024, o.max_mem)
    assert.is_nil(o.stream)
  end)

  it("reads --opt value, --opt=value, short options, flags and several positionals", function()
    local o = assert(args.parse(SPEC, argv("a.pcap", "--top", "3", "b.pcap", "--interval=100ms",
      "--resolve", "-s", "7", "--out", "/tmp/o", "--by=src", "--max-mem", "1.5G", "--ratio", "-0.25")))
    assert.are.same({ "a.pcap", "b.pcap" }, o.capture)
    assert.are.equal(3, o.top)
    assert.are.equal(0.1, o.interval)
    assert.are.equal(true, o.resolve)
    assert.are.equal(7, o.stream)
    assert.are.equal("/tmp/o", o.out)
    assert.are.equal("src", o.by)
    assert.are.equal(1610612736, o.max_mem)
    assert.are.equal(-0.25, o.ratio)
  end)

  it("reads durations in every unit and as bare seconds", function()
    local cases = { ["250ns"] = 250e-9, ["10us"] = 10e-6, ["5ms"] = 0.005, ["2s"] = 2.0,
      ["5min"] = 300.0, ["1.5h"] = 5400.0, ["0.5"] = 0.5 }
    for text, want in pairs(cases) do
      local o = assert(args.parse(SPEC, argv("a", "--interval", text)))
      assert.are.equal(want, o.interval)
    end
  end)

  it("takes arguments after -- as positionals, even with a dash", function()
    local o = assert(args.parse(SPEC, argv("--", "-odd.pcap", "--top")))
    assert.are.same({ "-odd.pcap", "--top" }, o.capture)
  end)

  it("turns a flag off with --no-NAME", function()
    local o = assert(args.parse(SPEC, argv("a", "--resolve", "--no-resolve")))
    assert.are.equal(false, o.resolve)
  end)

  it("returns the help text and status 0 for --help and -h", function()
    for _, flag in ipairs({ "--help", "-h" }) do
      local o, text, status = args.parse(SPEC, argv("a.pcap", flag))
      assert.is_nil(o)
      assert.are.equal(0, status)
      assert.are.equal(table.concat({
        "usage: pktframe run examples/x.lua CAPTURE... [options]",
        "",
        "Counts things.",
        "",
        "arguments:",
        "  CAPTURE...           capture files",
        "",
        "options:",
        "  --out DIR            write files into DIR",
        "  --interval DURATION  bucket width (default 1s)",
        "  --top N              rows to print (default 10)",
        "  --ratio X            threshold (default 0.5)",
        "  --by dst|src         direction (default dst)",
        "  --resolve            reverse lookups",
        "  --max-mem SIZE       memory cap (default 512M)",
        "  -s, --stream N       stream number",
        "  -h, --help           show this help and exit",
        "" }, "\n"), text)
    end
  end)

  it("names each mistake in the command line, with status 2", function()
    local cases = {
      { argv("a", "--bogus"), "unknown option '--bogus'" },
      { argv("a", "--bogus=1"), "unknown option '--bogus'" },
      { argv("a", "-x"), "unknown option '-x'" },
      { argv(), "missing CAPTURE" },
      { argv("a", "--top"), "option '--top' needs a value" },
      { argv("a", "--top", "many"), "option '--top': expected an integer, got 'many'" },
      { argv("a", "--top", "1.5"), "option '--top': expected an integer, got '1.5'" },
      { argv("a", "--ratio", "nan"), "option '--ratio': expected a number, got 'nan'" },
      { argv("a", "--interval", "1x"),
        "option '--interval': expected a duration such as 100ms, 1s, 5min or 0.5, got '1x'" },
      { argv("a", "--interval", "-1s"),
        "option '--interval': expected a duration such as 100ms, 1s, 5min or 0.5, got '-1s'" },
      { argv("a", "--max-mem", "12Q"),
        "option '--max-mem': expected a size such as 4096, 64k, 512M or 2G, got '12Q'" },
      { argv("a", "--by", "both"), "option '--by': expected one of dst, src, got 'both'" },
      { argv("a", "--resolve=yes"), "option '--resolve' takes no value" },
    }
    for _, c in ipairs(cases) do
      local o, msg, status = args.parse(SPEC, c[1])
      assert.is_nil(o)
      assert.are.equal(c[2], msg)
      assert.are.equal(2, status)
    end
  end)

  it("rejects a second positional when only one is declared", function()
    local spec = { positional = { { "capture" } } }
    local o, msg, status = args.parse(spec, argv("a", "b"))
    assert.is_nil(o)
    assert.are.equal("unexpected argument 'b'", msg)
    assert.are.equal(2, status)
  end)

  it("checks required options and optional positionals", function()
    local spec = { positional = { { "capture" }, { "stream", optional = true } },
      options = { { "out", required = true } } }
    assert.are.same({ capture = "a", out = "d" }, assert(args.parse(spec, argv("a", "--out", "d"))))
    assert.are.same({ capture = "a", stream = "3", out = "d" }, assert(args.parse(spec, argv("a", "3", "--out=d"))))
    local _, msg = args.parse(spec, argv("a"))
    assert.are.equal("missing option '--out'", msg)
  end)

  it("raises for mistakes in the spec itself", function()
    local cases = {
      { { options = { { "x", type = "float" } } },
        "bad argument #1 to 'args' (option 'x': unknown type 'float'; expected one of string, number, integer, boolean, duration, size, address, network)" },
      { { options = { { "x" }, { "x" } } }, "bad argument #1 to 'args' (option 'x' declared twice)" },
      { { options = { { "help" } } }, "bad argument #1 to 'args' (option 'help' declared twice)" },
      { { options = { { "t", type = "duration", default = "soon" } } },
        "bad argument #1 to 'args' (option 't': default 'soon' is not a duration such as 100ms, 1s, 5min or 0.5)" },
      { { positional = { { "a", many = true }, { "b" } } },
        "bad argument #1 to 'args' (positional 'a': only the last one may take many values)" },
      { { options = { {} } }, "bad argument #1 to 'args' (option #1: name expected)" },
    }
    for _, c in ipairs(cases) do
      assert.has_error(function() args.parse(c[1], argv()) end, c[2])
    end
    assert.has_error(function() args.parse(42) end, "bad argument #1 to 'args' (table expected, got number)")
  end)
end)
