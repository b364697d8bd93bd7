-- pktframe.oui: the vendor of a MAC address from the IEEE OUI registry, read from a local file.
--
--   local oui = require "pktframe.oui"
--   local names, source = oui.lookup({"00:1d:d9:2e:4f:61"})
--   -- names["00:1d:d9:2e:4f:61"] == "Hon Hai Precision Ind. Co.,Ltd."; source == "/usr/share/ieee-data/oui.txt"
--
-- Sources, the first present wins: Debian's ieee-data (/usr/share/ieee-data/oui.txt, the IEEE's
-- own MA-L list) or Wireshark's manuf (/usr/share/wireshark/manuf). Only 24-bit prefixes (MA-L)
-- are looked up; a block assigned in smaller pieces (MA-M, MA-S) gives the MA-L holder, if any.
-- A locally administered address (second bit of the first byte set: random MACs of phones and
-- VMs) has no vendor and says so. No network is used.
local M = {}

M.sources = { "/usr/share/ieee-data/oui.txt", "/usr/share/wireshark/manuf" }

local cache = {}     -- path -> file text, read once per process

local function slurp(path)
  if cache[path] == nil then
    local f = io.open(path, "rb")
    if not f then cache[path] = false
    else cache[path] = f:read("a"); f:close() end
  end
  return cache[path] or nil
end

-- The source to use: the first of M.sources that can be read (or opts.source); nil when none.
function M.source(path)
  for _, p in ipairs(path and { path } or M.sources) do
    if slurp(p) then return p end
  end
  return nil
end

-- "00:1d:d9:2e:4f:61" -> "00", "1D", "D9" (upper case), or nil for text that is not a MAC
local function octets(mac)
  if type(mac) ~= "string" then return nil end
  local a, b, c = mac:match("^(%x%x)[:%-%.]?(%x%x)[:%-%.]?(%x%x)")
  if not a then return nil end
  return a:upper(), b:upper(), c:upper()
end

-- lookup(macs, [{source = path}]) -> {[mac] = vendor | "(locally administered)" | "(group address)"
-- | false}, source
-- | nil, message when no registry file is present. macs: a list (holes allowed with n) or a Column.
function M.lookup(macs, opts)
  local src = M.source(opts and opts.source)
  if not src then
    return nil, "no OUI registry found (install Debian's ieee-data or wireshark-common: "
      .. table.concat(M.sources, " or ") .. ")"
  end
  local text = slurp(src)
  local manuf = not src:match("oui%.txt$")
  if type(macs) == "userdata" then macs = macs:totable() end
  local out = {}
  for i = 1, macs.n or #macs do
    local mac = macs[i]
    if mac ~= nil and out[mac] == nil then
      local a, b, c = octets(mac)
      if not a then
        out[mac] = false
      elseif tonumber(a, 16) & 1 ~= 0 then
        out[mac] = "(group address)"
      elseif tonumber(a, 16) & 2 ~= 0 then
        out[mac] = "(locally administered)"
      else
        local name
        if manuf then
          -- "00:1D:D9\tHonHaiPr\tHon Hai Precision Ind. Co.,Ltd." (the long name is optional)
          local s = text:find("\n" .. a .. ":" .. b .. ":" .. c .. "\t", 1, true)
          if s then
            local line = text:match("^\n[^\n]*", s)
            local short, long = line:match("^\n%S+\t([^\t\r\n]*)\t?([^\r\n]*)")
            name = (long and long ~= "") and long or short
          end
        else
          -- "00-1D-D9   (hex)\t\tHon Hai Precision Ind. Co.,Ltd.\r"
          local s = text:find("\n" .. a .. "-" .. b .. "-" .. c .. "   (hex)", 1, true)
          if s then name = text:match("^\n[^\t\r\n]*\t+([^\r\n]*)", s) end
        end
        out[mac] = name and name:gsub("%s+$", "") or false
      end
    end
  end
  return out, src
end

return M
