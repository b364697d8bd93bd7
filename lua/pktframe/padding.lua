-- pktframe.padding: Ethernet padding leaks: frames whose bytes after the IP payload are not zeros.
--
--   local padding = require "pktframe.padding"
--   local t <close> = assert(pf.read(paths, {fields = padding.fields, filter = padding.filter}))
--   local p = padding.frames(t)               -- one row per frame with non-zero padding or trailer
--   local leaks = padding.leaks(p, 0.5)        -- those over the threshold
--   local macs = padding.sources(leaks)        -- eth.src, frames, vendor (IEEE OUI registry)
--
-- What tshark 4.0 shows (TSHARK-NOTES 2.1): a frame padded to 60 bytes with zeros has
-- eth.padding; as soon as one of those bytes is not zero the whole tail is eth.trailer (or
-- vlan.trailer behind an 802.1Q tag). So a leak is a frame whose eth.trailer, vlan.trailer or
-- eth.padding has a byte that is not zero; the notebook looked at eth.trailer alone.
-- The notebook's measures, per frame: printable (each byte that is a letter or a digit as
-- itself, any other as "."), and ratio = letters and digits / length; a frame leaks when ratio
-- > threshold (default 0.5). text is the wider view of pf.printable (0x20 to 0x7e kept).
local pf = require "pktframe"
local oui = require "pktframe.oui"

local M = {}

M.fields = { "frame.number", "frame.time_epoch", "frame.len", "eth.src", "eth.dst", "eth.padding",
  "eth.trailer", "vlan.trailer" }
-- the display filter that keeps only frames with a tail (C, before any Lua sees a row)
M.filter = "eth.padding or eth.trailer or vlan.trailer"

local function alnum_ratio(s)
  if #s == 0 then return 0.0 end
  local n = select(2, s:gsub("%w", ""))
  return n / #s
end

local function alnum_text(s) return (s:gsub("%W", ".")) end

-- frames(t) -> Table frame.number, frame.time_epoch, eth.src, eth.dst, field (where the bytes
-- were), len, hex, printable, text, ratio: one row per frame with a non-zero tail. t holds
-- M.fields (read with M.filter, so the per-row work below is over tails only).
function M.frames(t)
  local tails = t:filter(M.filter)
  -- the tail of each frame and where tshark shows it: a small table (frames with a tail)
  local pick = {}
  local where = {}
  local et, vt, ep = tails:col("eth.trailer"), tails:col("vlan.trailer"), tails:col("eth.padding")
  for i = 1, #tails do
    local s, f = et[i], "eth.trailer"
    if s == nil then s, f = vt[i], "vlan.trailer" end
    if s == nil then s, f = ep[i], "eth.padding" end
    if s ~= nil and s:find("[^%z]") then pick[#pick + 1] = i; where[#where + 1] = f end
  end
  local keep, mask = {}, { n = #tails }
  for _, i in ipairs(pick) do keep[i] = true end
  for i = 1, #tails do mask[i] = keep[i] == true end
  local nz = #tails > 0 and tails:filter(pf.table{ { "keep", mask } }:col("keep")) or tails
  local bytes = {}
  for k, i in ipairs(pick) do
    local s = et[i] or vt[i] or ep[i]
    bytes[k] = s
  end
  local n = #pick
  local len, hex, printable, text, ratio = { n = n }, { n = n }, { n = n }, { n = n }, { n = n }
  for k = 1, n do
    local s = bytes[k]
    len[k], hex[k], printable[k], text[k], ratio[k] = #s, pf.hex(s), alnum_text(s), pf.printable(s), alnum_ratio(s)
  end
  where.n = n
  local extra = pf.table{ { "field", where }, { "len", len }, { "hex", hex }, { "printable", printable },
    { "text", text }, { "ratio", ratio } }
  local out = nz:select("frame.number", "frame.time_epoch", "eth.src", "eth.dst")
  for _, c in ipairs(extra:columns()) do out = out:with(c, extra:col(c)) end
  return out
end

-- leaks(p, [threshold = 0.5]) -> the rows of frames(t) whose ratio is over the threshold
function M.leaks(p, threshold)
  return p:filter(p:col("ratio"):gt(threshold or 0.5))
end

-- sources(leaks, [{source = path}]) -> Table eth.src, frames, bytes, vendor; and the registry
-- file used (nil when none is installed: vendor is then null)
function M.sources(leaks, opts)
  local per = leaks:groupby("eth.src"):agg{ { "frames", "len", "size" }, { "bytes", "len", "sum" } }
  local names, src = oui.lookup(per:col("eth.src"), opts)
  local vendors = { n = #per }
  local macs = per:col("eth.src")
  for i = 1, #per do vendors[i] = names and names[macs[i]] or nil end
  if names == nil then vendors = { n = #per } end
  for i = 1, #per do if vendors[i] == false then vendors[i] = "(not in the registry)" end end
  return per:with("vendor", pf.table{ { "vendor", vendors } }:col("vendor")), src
end

return M
