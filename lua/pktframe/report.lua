-- pktframe.report: what the example analyses share: headings, aligned tables, --out DIR files.
--
--   local report = require "pktframe.report"
--   local out = report.outdir(o.out)           -- nil without --out; else makes DIR (mkdir -p)
--   report.section("Streams")                  -- a heading on stdout
--   print(t:head(20))
--   report.csv(out, "streams", t)              -- DIR/streams.csv (says where)
--   report.svg(out, "bandwidth", plot.line{...})
--   report.done(out)                           -- lists the files written
local pf = require "pktframe"
local plot = require "pktframe.plot"

local M = {}

local written = {}

-- outdir(dir) -> dir | nil: makes it when given; exits with status 1 when it cannot.
function M.outdir(dir)
  if dir == nil then return nil end
  local ok, err = pf.mkdir(dir)
  if not ok then M.fail(err) end
  return dir
end

-- An environment problem (file, directory): the message on stderr, exit status 1.
function M.fail(msg)
  io.stderr:write((arg and arg[0] and arg[0]:match("[^/]*$") or "pktframe"), ": ", tostring(msg), "\n")
  os.exit(1)
end

-- A mistake in the command line found after pf.args (a bad address): status 2, as pf.args does.
function M.usage_error(msg)
  io.stderr:write((arg and arg[0] and arg[0]:match("[^/]*$") or "pktframe"), ": ", tostring(msg), "\n")
  os.exit(2)
end

-- A filter of the command line (an address, a stream) that matched nothing: a line on stderr,
-- "no packets from 1.2.3.4 in office.pcap"; the analysis goes on (exit status 0).
function M.nothing(what, paths)
  if type(paths) == "table" then paths = table.concat(paths, ", ") end
  io.stderr:write((arg and arg[0] and arg[0]:match("[^/]*$") or "pktframe"), ": ", what,
    paths and (" in " .. paths) or "", "\n")
end

-- The family an example's --ipv4/--ipv6/--ip6 ask for (nil: both), or a usage error (status 2).
function M.family(o)
  local fam, err = require("pktframe.family").of(o)
  if err then M.usage_error(err) end
  return fam
end

-- The message inside "bad argument #N to 'f' (MESSAGE)", or all of it.
function M.reason(err)
  err = tostring(err)
  return err:match("%((.*)%)$") or err
end

function M.section(title)
  io.write("\n", title, "\n", ("-"):rep(#title), "\n")
end

-- Writes t as DIR/NAME.csv when dir is set.
function M.csv(dir, name, t)
  if dir == nil then return nil end
  local path = dir .. "/" .. name .. ".csv"
  local ok, err = t:to_csv(path)
  if not ok then M.fail(err) end
  written[#written + 1] = path
  return path
end

-- Writes svg text as DIR/NAME.svg when dir is set.
function M.svg(dir, name, svg)
  if dir == nil then return nil end
  local path = dir .. "/" .. name .. ".svg"
  local ok, err = plot.save(svg, path)
  if not ok then M.fail(err) end
  written[#written + 1] = path
  return path
end

-- Prints the files written (one per line) under a heading.
function M.done(dir)
  if dir == nil or #written == 0 then return end
  M.section("Files written")
  for _, p in ipairs(written) do print(p) end
end

-- The warnings of damaged input, on stderr.
function M.diagnostics(t)
  for _, msg in ipairs(t:diagnostics()) do io.stderr:write("warning: ", msg, "\n") end
end

-- Reads the captures, or exits with status 1 and the reader's message.
function M.read(paths, opts)
  local t, err = pf.read(paths, opts)
  if not t then M.fail(err) end
  M.diagnostics(t)
  return t
end

-- "2024-01-02 09:30:00.123456 UTC" for epoch seconds (microseconds shown).
function M.time(ts)
  if ts == nil then return "-" end
  local us = math.floor(ts * 1e6 + 0.5)
  return os.date("!%Y-%m-%d %H:%M:%S", us // 1000000) .. string.format(".%06d", us % 1000000) .. " UTC"
end

-- An interval in seconds as the resample verb reads it ("1000000000ns" for 1 s: exact).
function M.interval(seconds)
  local ns = math.floor(seconds * 1e9 + 0.5)
  if ns < 1 then ns = 1 end
  return string.format("%dns", ns)
end

return M
