-- scan_spec.lua: pf.scan, lazy queries run in one bounded pass. The expectation is always the same
-- verbs on the table pf.read makes of the same captures with the same options: every cell must equal.
local pf = require "pktframe"

local CAPTURES = (os.getenv("PKTFRAME_SHARED") or "/work/shared") .. "/captures"
local function cap(name) return CAPTURES .. "/" .. name end
local HTTP = cap("http-browsing-2013.pcap")
local have = io.open(HTTP) ~= nil

-- t1 and t2 hold the same columns (names, types) and the same cells: Lua values compared with ==
-- (floats bit for bit), and every occurrence's text through to_csv.
local function same(t1, t2)
  assert.are.same(t2:columns(), t1:columns())
  assert.are.same(t2:types(), t1:types())
  assert.are.equal(#t2, #t1)
  for _, name in ipairs(t1:columns()) do
    local a, b = t1:col(name), t2:col(name)
    for i = 1, #t1 do
      if a[i] ~= b[i] and not (a[i] ~= a[i] and b[i] ~= b[i]) then
        error(string.format("column %s row %d: scan %s, read %s", name, i, tostring(a[i]), tostring(b[i])), 2)
      end
    end
  end
  assert.are.equal(t2:to_csv(), t1:to_csv())
end

local AGGS = {
  { "n", "frame.len", "count" }, { "rows", "frame.len", "size" }, { "bytes", "frame.len", "sum" },
  { "avg", "frame.len", "mean" }, { "small", "frame.len", "min" }, { "big", "frame.len", "max" },
  { "sd", "frame.len", "std" }, { "var", "frame.len", "var" }, { "med", "frame.len", "median" },
  { "dsts", "ip.dst", "nunique" }, { "dst1", "ip.dst", "first" }, { "dstn", "ip.dst", "last" },
  { "dmin", "ip.dst", "min" }, { "dmax", "ip.dst", "max" },
  { "t0", "frame.time_epoch", "min" }, { "t1", "frame.time_epoch", "max" }, { "tmean", "frame.time_epoch", "mean" },
  { "tmed", "frame.time_epoch", "median" }, { "tfirst", "frame.time_epoch", "first" },
  { "rtt", "tcp.analysis.ack_rtt", "sum" }, { "rttm", "tcp.analysis.ack_rtt", "mean" },
  { "rttsd", "tcp.analysis.ack_rtt", "std" }, { "rttmax", "tcp.analysis.ack_rtt", "max" },
  { "strm", "tcp.stream", "nunique" }, { "seg", "tcp.len", "sum" }, { "eth", "eth.src", "first" },
}
local FIELDS = { "frame.number", "frame.time_epoch", "frame.len", "eth.src", "ip.src", "ip.dst", "ip.proto",
                 "tcp.stream", "tcp.len", "tcp.srcport", "udp.srcport", "tcp.analysis.ack_rtt", "dns.qry.name" }

local CAPS = { "http-browsing-2013.pcap", "dns-mixed.pcap", "mixed-many-protocols.pcap", "tcp-anomalies-tls.pcap",
               "sll-mixed.pcap", "pcapng-multi-iface.pcapng", "ipv4-fragments.pcap" }

describe("pf.scan", function()
  if not have then
    it("skipped: no shared captures at " .. CAPTURES, function() end)
    return
  end

  describe("groupby():agg", function()
    for _, name in ipairs(CAPS) do
      it("equals pf.read + groupby + agg on " .. name .. " for every aggregation", function()
        local opts = { fields = FIELDS }
        local t <close> = assert(pf.read(cap(name), opts))
        local q = pf.scan(cap(name), opts)
        same(q:groupby("ip.src"):agg(AGGS), t:groupby("ip.src"):agg(AGGS))
        same(q:groupby({ "ip.src", "ip.proto" }, { sort = true }):agg(AGGS),
             t:groupby({ "ip.src", "ip.proto" }, { sort = true }):agg(AGGS))
        same(q:groupby("udp.srcport", { dropna = false, sort = true }):agg(AGGS),
             t:groupby("udp.srcport", { dropna = false, sort = true }):agg(AGGS))
        same(q:groupby("dns.qry.name"):agg{ n = { "dns.qry.name", "count" }, f = { "frame.number", "first" },
                                          l = { "dns.qry.name", "last" }, mn = { "dns.qry.name", "min" } },
             t:groupby("dns.qry.name"):agg{ n = { "dns.qry.name", "count" }, f = { "frame.number", "first" },
                                          l = { "dns.qry.name", "last" }, mn = { "dns.qry.name", "min" } })
        same(q:groupby("tcp.stream"):size(), t:groupby("tcp.stream"):size())
      end)
    end

    it("keys and aggregates every kind of column: MAC, IPv6, bool, string, bytes, presence, reltime", function()
      local fields = { "eth.src", "ipv6.src", "ipv6.dst", "ip.flags.df", "tls.handshake.extensions_server_name",
                       "tcp.analysis.retransmission", "frame.len", "tcp.payload", "frame.time_epoch", "tcp.time_delta" }
      local aggs = { { "a", "frame.len", "sum" }, { "b", "tcp.payload", "first" }, { "c", "tcp.payload", "max" },
                     { "d", "tcp.analysis.retransmission", "count" }, { "e", "ipv6.dst", "nunique" },
                     { "f", "tcp.time_delta", "sum" }, { "g", "tcp.time_delta", "median" }, { "h", "tcp.payload", "nunique" },
                     { "i", "eth.src", "min" }, { "j", "frame.time_epoch", "median" }, { "k", "tcp.time_delta", "var" },
                     { "l", "tls.handshake.extensions_server_name", "last" } }
      for _, name in ipairs{ "tls-sni-v4v6.pcap", "tcp-anomalies-tls.pcap" } do
        local t <close> = assert(pf.read(cap(name), { fields = fields }))
        local q = pf.scan(cap(name), { fields = fields })
        for _, key in ipairs{ "eth.src", "ipv6.src", "ip.flags.df", "tls.handshake.extensions_server_name",
                              "tcp.analysis.retransmission", "tcp.payload" } do
          same(q:groupby(key):agg(aggs), t:groupby(key):agg(aggs))
          same(q:groupby(key, { sort = true, dropna = false }):agg(aggs), t:groupby(key, { sort = true, dropna = false }):agg(aggs))
        end
      end
    end)

    it("equals the read of several files as one capture", function()
      local paths = { HTTP, cap("tcp-anomalies-tls.pcap"), cap("dns-mixed.pcap") }
      local t <close> = assert(pf.read(paths, { fields = FIELDS }))
      same(pf.scan(paths, { fields = FIELDS }):groupby("tcp.stream", { sort = true }):agg(AGGS),
           t:groupby("tcp.stream", { sort = true }):agg(AGGS))
    end)

    it("merges groups across chunks of 65536 rows exactly (the same file 20 times)", function()
      local paths = {}
      for i = 1, 20 do paths[i] = HTTP end   -- 92620 packets: two chunks
      local opts = { fields = { "frame.time_epoch", "frame.len", "ip.src", "ip.dst", "tcp.stream" } }
      local t <close> = assert(pf.read(paths, opts))
      assert.is_true(#t > 65536)
      local aggs = { { "n", "frame.len", "count" }, { "s", "frame.len", "sum" }, { "m", "frame.len", "mean" },
                     { "sd", "frame.len", "std" }, { "md", "frame.len", "median" }, { "tm", "frame.time_epoch", "mean" },
                     { "u", "ip.dst", "nunique" }, { "l", "frame.time_epoch", "last" }, { "mx", "ip.dst", "max" } }
      same(pf.scan(paths, opts):groupby("ip.src"):agg(aggs), t:groupby("ip.src"):agg(aggs))
      same(pf.scan(paths, opts):groupby("tcp.stream"):agg(aggs), t:groupby("tcp.stream"):agg(aggs))
    end)

    it("merges groups across many small chunks when a budget makes the chunks small", function()
      local opts = { fields = FIELDS }
      local t <close> = assert(pf.read(HTTP, opts))
      local q = pf.scan(HTTP, { fields = FIELDS, max_memory = "1M" })
      same(q:groupby("ip.dst"):agg(AGGS), t:groupby("ip.dst"):agg(AGGS))
    end)

    it("takes the strict, filter and bpf options as pf.read does", function()
      local opts = { fields = FIELDS, strict = false, filter = "tcp.len > 0", bpf = "tcp" }
      local t <close> = assert(pf.read(HTTP, opts))
      same(pf.scan(HTTP, opts):groupby("ip.dst"):agg(AGGS), t:groupby("ip.dst"):agg(AGGS))
      -- decoding in a second thread changes nothing, chained filters (read in the sink) included
      local tf <close> = assert(pf.read(HTTP, { fields = FIELDS, filter = "tcp" }))
      same(pf.scan(HTTP, { fields = FIELDS, threads = 2 }):filter("tcp"):filter("tcp.len > 0"):groupby("ip.dst"):agg(AGGS),
           tf:filter("tcp.len > 0"):groupby("ip.dst"):agg(AGGS))
      local sopts = { fields = { "ip.src", "tcp.srcport", "frame.len" }, strict = true }
      local s <close> = assert(pf.read(HTTP, sopts))
      same(pf.scan(HTTP, sopts):groupby("tcp.srcport"):agg{ b = { "frame.len", "sum" } },
           s:groupby("tcp.srcport"):agg{ b = { "frame.len", "sum" } })
    end)

    it("decodes any field when no fields are given", function()
      local t <close> = assert(pf.read(HTTP, { fields = { "ip.src", "ip.ttl" } }))
      same(pf.scan(HTTP):groupby("ip.src"):agg{ ttl = { "ip.ttl", "max" } },
           t:groupby("ip.src"):agg{ ttl = { "ip.ttl", "max" } })
    end)
  end)

  describe("filter", function()
    it("chains display filters as t:filter does", function()
      local t <close> = assert(pf.read(HTTP, { fields = { "ip.src", "ip.len", "tcp.port", "frame.len" } }))
      local want = t:filter("tcp.port == 80"):filter("ip.len > 100")
      local q = pf.scan(HTTP, { fields = { "ip.src", "ip.len", "tcp.port", "frame.len" } })
      local q2 = q:filter("tcp.port == 80"):filter("ip.len > 100")
      assert.are.equal(#want, q2:count())
      same(q2:groupby("ip.src"):agg{ b = { "frame.len", "sum" } }, want:groupby("ip.src"):agg{ b = { "frame.len", "sum" } })
      assert.are.equal(#t, q:count())   -- the query filtered is a new one
      same(q2:collect(), want)
    end)
  end)

  describe("resample", function()
    -- not tcp-anomalies-tls.pcap: its times span a week, millions of 130 ms buckets
    for _, name in ipairs{ "http-browsing-2013.pcap", "dns-mixed.pcap", "mixed-many-protocols.pcap", "sll-mixed.pcap",
                           "pcapng-multi-iface.pcapng", "ipv4-fragments.pcap" } do   -- multi-iface: times go back, a second pass
      it("equals t:resample on " .. name .. " for each origin", function()
        local opts = { fields = FIELDS }
        local t <close> = assert(pf.read(cap(name), opts))
        local q = pf.scan(cap(name), opts)
        local aggs = { bytes = { "frame.len", "sum" }, n = { "frame.len", "size" }, m = { "frame.len", "mean" },
                       d = { "ip.dst", "nunique" }, f = { "ip.src", "first" }, md = { "frame.len", "median" } }
        for _, o in ipairs{ "start_day", "epoch", "start" } do
          for _, iv in ipairs{ "1s", "130ms" } do
            -- captures whose times span years make too many buckets: then both raise the same error
            local ok1, r1 = pcall(t.resample, t, iv, aggs, { origin = o })
            local ok2, r2 = pcall(q.resample, q, iv, aggs, { origin = o })
            assert.are.equal(ok1, ok2)
            if ok1 then same(r2, r1) else assert.are.equal(r1, r2) end
          end
        end
      end)
    end
  end)

  describe("value_counts", function()
    it("equals t:value_counts, counts and proportions", function()
      local t <close> = assert(pf.read(HTTP))
      local q = pf.scan(HTTP)
      same(q:value_counts("ip.dst"), t:value_counts("ip.dst"))
      same(q:value_counts("tcp.dstport", { normalize = true }), t:value_counts("tcp.dstport", { normalize = true }))
    end)
  end)

  describe("count, collect and each", function()
    it("counts, collects and visits the packets pf.read keeps", function()
      local opts = { filter = "dns.qry.name", fields = { "frame.number", "dns.qry.name" } }
      local t <close> = assert(pf.read(cap("dns-mixed.pcap"), opts))
      local q = pf.scan(cap("dns-mixed.pcap"), opts)
      assert.are.equal(#t, q:count())
      same(q:collect(), t)
      local i = 0
      assert.are.equal(#t, q:each(function(row)
        i = i + 1
        assert.are.same(t:row(i), row)
      end))
    end)
  end)

  describe("plan and run", function()
    it("computes several verbs in one pass, each equal to the table verb", function()
      for _, name in ipairs{ "http-browsing-2013.pcap", "pcapng-multi-iface.pcapng" } do
        local ti <close> = assert(pf.read(cap(name), { fields = FIELDS, filter = "ip" }))
        local q = pf.scan(cap(name), { fields = FIELDS }):filter("ip")
        local p = q:plan()
        local aggs = { n = { "frame.len", "size" }, m = { "frame.len", "median" }, u = { "ip.dst", "nunique" } }
        local r = assert(q:run{
          by_src = p:groupby("ip.src"):agg(AGGS), streams = p:groupby("tcp.stream", { sort = true }):size(),
          -- origin start on multi-iface: this one needs a second pass, the others must not count twice
          buckets = p:resample("130ms", aggs, { origin = "start" }), per_s = p:resample("1s", aggs),
          dsts = p:value_counts("ip.dst", { normalize = true }), n = p:count() })
        same(r.by_src, ti:groupby("ip.src"):agg(AGGS))
        same(r.streams, ti:groupby("tcp.stream", { sort = true }):size())
        same(r.buckets, ti:resample("130ms", aggs, { origin = "start" }))
        same(r.per_s, ti:resample("1s", aggs))
        same(r.dsts, ti:value_counts("ip.dst", { normalize = true }))
        assert.are.equal(#ti, r.n)
      end
    end)

    it("refuses what it cannot run in one pass", function()
      local q = pf.scan(HTTP)
      local p = q:plan()
      assert.has_error(function() q:run{ a = 1 } end, "bad argument #1 to 'run' ('a': a pending result of q:plan() expected, got number)")
      assert.has_error(function() q:run{ a = pf.scan(HTTP):plan():count() } end,
        "bad argument #1 to 'run' ('a': planned on another query (plan the verbs on this one's q:plan(), with no filter after it))")
      assert.has_error(function() q:run{ a = p:filter("tcp"):count() } end,
        "bad argument #1 to 'run' ('a': planned on another query (plan the verbs on this one's q:plan(), with no filter after it))")
      assert.has_error(function() q:run{} end, "bad argument #1 to 'run' (no pending results given)")
      assert.has_error(function() p:collect() end,
        "collect cannot be planned: q:run runs grouped verbs, resample, value_counts and count")
    end)
  end)

  describe("errors", function()
    it("names bad arguments as the table verbs do", function()
      local q = pf.scan(HTTP, { fields = { "ip.src", "frame.len" } })
      local cases = {
        { function() pf.scan({}) end, "bad argument #1 to 'scan' (empty list of paths)" },
        { function() pf.scan(HTTP, { fields = { "ip.scr" } }) end,
          "bad argument #2 to 'scan' (unknown field 'ip.scr'; did you mean 'ip.src'?)" },
        { function() pf.scan(HTTP, { flter = "x" }) end, "bad argument #2 to 'scan' (unknown option 'flter')" },
        { function() pf.scan(HTTP, { filter = "ip.src ==" }) end,
          "bad argument #2 to 'scan' (bad filter 'ip.src ==': column 10: expected a value at the end)" },
        { function() pf.scan(HTTP, { max_memory = "lots" }) end,
          "bad argument #2 to 'scan' (max_memory: bad size 'lots': expected bytes or a number and K, M, G or T (\"512M\", \"1.5G\"))" },
        { function() q:groupby("ip.dst") end, "bad argument #1 to 'groupby' (no column named 'ip.dst')" },
        { function() q:groupby("ip.src"):agg{ x = { "ip.dst", "count" } } end,
          "bad argument #1 to 'agg' (no column named 'ip.dst' for 'x')" },
        { function() q:groupby("ip.src"):agg{ x = { "frame.len", "avg" } } end,
          "bad argument #1 to 'agg' (unknown aggregation 'avg' for 'x'; expected one of count, size, sum, mean, min, max, first, last, nunique, std, var, median or a function)" },
        { function() q:groupby("ip.src"):agg{ x = { "ip.src", "sum" } } end,
          "bad argument #1 to 'agg' ('sum' is not defined for ipv4 column 'ip.src' (for 'x'))" },
        { function() q:groupby("ip.src"):agg{ x = { "frame.len", function() end } } end,
          "bad argument #1 to 'agg' (aggregation 'x': a Lua function needs every value of a group, which a scan does not keep (use a named aggregation, or pf.read))" },
        { function() q:resample("1x", { n = { "frame.len", "size" } }) end,
          "bad argument #1 to 'resample' (bad interval '1x': expected a number and a unit: ns us ms s min h)" },
        { function() q:resample("1s", { n = { "frame.len", "size" } }) end,
          "bad argument #3 to 'resample' (no column named 'frame.time_epoch' (the times: {on = name}))" },
        { function() q:filter(true) end, "bad argument #1 to 'filter' (display filter text expected, got boolean)" },
        { function() q:value_counts("tcp.len") end, "bad argument #1 to 'value_counts' (no column named 'tcp.len')" },
      }
      for _, c in ipairs(cases) do assert.has_error(c[1], c[2]) end
    end)

    it("returns nil and a message for a file it cannot read", function()
      local t, err = pf.scan("/nonexistent/x.pcap"):groupby("ip.src"):size()
      assert.is_nil(t)
      assert.are.equal("/nonexistent/x.pcap: No such file or directory", err)
    end)

    it("keeps the diagnostics of a damaged file", function()
      local p = cap("truncated-midpacket.pcap")
      local t <close> = assert(pf.read(p))
      local r = assert(pf.scan(p):groupby("ip.src"):size())
      assert.are.same(t:diagnostics(), r:diagnostics())
      same(r, t:groupby("ip.src"):size())
    end)
  end)

  describe("memory", function()
    it("aggregates with a budget too small for the table pf.read would need", function()
      local opts = { fields = { "ip.src", "frame.len", "frame.time_epoch" }, max_memory = "96K" }
      local t, err = pf.read(HTTP, opts)
      assert.is_nil(t)
      assert.is_truthy(err:find("memory budget 96K reached", 1, true))
      local full <close> = assert(pf.read(HTTP, { fields = opts.fields }))
      same(assert(pf.scan(HTTP, opts):groupby("ip.src"):agg{ b = { "frame.len", "sum" }, t = { "frame.time_epoch", "max" } }),
           full:groupby("ip.src"):agg{ b = { "frame.len", "sum" }, t = { "frame.time_epoch", "max" } })
    end)

    it("stops with a message naming the packet when the groups pass the budget", function()
      local r, err = pf.scan(HTTP, { max_memory = "64K" }):groupby("frame.number"):size()
      assert.is_nil(r)
      local file, pkt, groups, bytes = err:match("^(.-): packet (%d+): memory budget 64K reached %(the scan holds (%d+) groups, (%d+) bytes%)$")
      assert.are.equal(HTTP, file)
      -- every packet is a group of its own: the packet that found no room is the one after the groups held
      assert.are.equal(tonumber(groups) + 1, tonumber(pkt))
      assert.is_true(tonumber(bytes) <= 64 * 1024)
    end)
  end)
end)
