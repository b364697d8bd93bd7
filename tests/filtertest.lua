-- filtertest.lua: pktframe fields -Y against tshark -Y, frame by frame, for every
-- filter of a list, on all the captures of a folder that tshark reads without
-- error, concatenated by mergecap into one pcapng (one tshark start per filter
-- instead of one per filter and capture keeps the test to a minute or two).
-- usage: lua5.4 tests/filtertest.lua PKTFRAME CAPTURE_DIR FILTERS_FILE
-- One test per filter; prints "filtertest: N passed, M failed".
local pktframe, capdir, listfile = arg[1], arg[2], arg[3]

local function quote(s) return "'" .. s:gsub("'", "'\\''") .. "'" end

local function skip(why)
  print("filtertest: skipped: " .. why)
  print("filtertest: 0 passed, 0 failed")
  os.exit(0)
end

local f = io.open(capdir .. "/MANIFEST.tsv")
if not f then skip(capdir .. " is absent") end
local captures = {}
for line in f:lines() do
  local name = line:match("^([^\t]+)\t")
  if name and name ~= "file" then captures[#captures + 1] = name end
end
f:close()
if not os.execute("command -v tshark >/dev/null 2>&1") then skip("tshark is not installed") end
if not os.execute("command -v mergecap >/dev/null 2>&1") then skip("mergecap is not installed") end

local filters = {}
for line in io.lines(listfile) do
  if line ~= "" and not line:match("^#") then filters[#filters + 1] = line end
end

local tmp = os.tmpname()
local cfgdir = os.tmpname()
os.remove(cfgdir)
os.execute("mkdir -p " .. quote(cfgdir))
local tshark = "WIRESHARK_CONFIG_DIR=" .. quote(cfgdir) .. " tshark -n"

local good = {}
for _, name in ipairs(captures) do
  local path = quote(capdir .. "/" .. name)
  if os.execute(tshark .. " -r " .. path .. " -T fields -e frame.number > /dev/null 2>&1") then
    good[#good + 1] = path
  end
end
local merged = tmp .. ".pcapng"
if not os.execute("mergecap -a -F pcapng -w " .. quote(merged) .. " " .. table.concat(good, " ") .. " 2>/dev/null") then
  skip("mergecap could not concatenate the captures")
end
print(string.format("filtertest: %d captures concatenated", #good))

local function frames(cmd)
  os.execute(cmd .. " > " .. quote(tmp) .. " 2>/dev/null")
  local out = {}
  for l in io.lines(tmp) do out[#out + 1] = l end
  return table.concat(out, " "), #out
end

local passed, failed = 0, 0
for _, flt in ipairs(filters) do
  local want = frames(tshark .. " -r " .. quote(merged) .. " -T fields -e frame.number -Y " .. quote(flt))
  local got, n = frames(quote(pktframe) .. " fields -q -E header=n " .. quote(merged) ..
    " -e frame.number -Y " .. quote(flt))
  if want == got and (n > 0 or want == "") then
    passed = passed + 1
    print(string.format("ok   %-50s %6d frames", flt, n))
  else
    failed = failed + 1
    print(string.format("FAIL %s\n     tshark:   %s\n     pktframe: %s", flt, want:sub(1, 100), got:sub(1, 100)))
  end
end
os.remove(tmp)
os.remove(merged)
os.execute("rm -rf " .. quote(cfgdir))
print(string.format("filtertest: %d passed, %d failed", passed, failed))
os.exit(failed == 0 and 0 or 1)
