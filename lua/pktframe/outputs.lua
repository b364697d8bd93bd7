-- pktframe.outputs: what the analysis examples share: a titled table on stdout, and --out DIR
-- (CSV tables and SVG pictures written into one folder, created if missing).
--
--   local outputs = require "pktframe.outputs"
--   outputs.show("Conversations", t, 10)
--   local paths = assert(outputs.write("out", { rtt = t }, { rtt = svg }))
local core = require "pktframe.core"

local M = {}

-- Prints "title (N rows)" and the first n rows (all when n is nil) as aligned text.
function M.show(title, t, n)
  print(string.format("%s (%d row%s)", title, #t, #t == 1 and "" or "s"))
  if #t > 0 then print(n and #t > n and t:head(n) or t) end
  print()
end

local function sorted_keys(m)
  local k = {}
  for name in pairs(m or {}) do k[#k + 1] = name end
  table.sort(k)
  return k
end

-- Writes tables[name] as DIR/name.csv and svgs[name] (SVG text) as DIR/name.svg, in name order.
-- Returns the list of paths, or nil and "path: message".
function M.write(dir, tables, svgs)
  local ok, err = core.mkdir(dir)
  if not ok then return nil, err end
  local paths = {}
  for _, name in ipairs(sorted_keys(tables)) do
    local p = dir .. "/" .. name .. ".csv"
    local w, werr = tables[name]:to_csv(p)
    if not w then return nil, werr end
    paths[#paths + 1] = p
  end
  for _, name in ipairs(sorted_keys(svgs)) do
    local p = dir .. "/" .. name .. ".svg"
    local f, ferr = io.open(p, "wb")
    if not f then return nil, ferr end
    local w, werr = f:write(svgs[name])
    f:close()
    if not w then return nil, p .. ": " .. tostring(werr) end
    paths[#paths + 1] = p
  end
  return paths
end

-- write, then "wrote PATH" per file on stdout; on failure the message on stderr and exit 1.
function M.write_or_die(dir, tables, svgs)
  local paths, err = M.write(dir, tables, svgs)
  if not paths then
    io.stderr:write(err, "\n")
    os.exit(1)
  end
  for _, p in ipairs(paths) do print("wrote " .. p) end
  return paths
end

return M
