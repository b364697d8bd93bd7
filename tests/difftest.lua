-- difftest.lua: pktframe fields against tshark, cell by cell, on every capture of a folder.
-- usage: lua5.4 tests/difftest.lua PKTFRAME CAPTURE_DIR FIELDS_FILE [CAPTURE...]
-- Compares every field of pktframe's registry; FIELDS_FILE lists fields that must be in it.
-- Prints each mismatch (capture, frame, field, both values), then
-- "difftest: N passed, M failed" with one test per capture file.
local pktframe, capdir, fieldsfile = arg[1], arg[2], arg[3]
if not (pktframe and capdir and fieldsfile) then
  io.stderr:write("usage: lua5.4 tests/difftest.lua PKTFRAME CAPTURE_DIR FIELDS_FILE [CAPTURE...]\n")
  os.exit(2)
end

local function quote(s) return "'" .. s:gsub("'", "'\\''") .. "'" end

local function exists(path)
  local f = io.open(path, "rb")
  if f then f:close() return true end
  return false
end

local function skip(why)
  print("difftest: skipped: " .. why)
  print("difftest: 0 passed, 0 failed")
  os.exit(0)
end

if not exists(capdir .. "/MANIFEST.tsv") then skip(capdir .. " is absent") end
if not os.execute("command -v tshark >/dev/null 2>&1") then skip("tshark is not installed") end

-- Every field pktframe supports is compared (its registry, from --list); the
-- field list files name the fields that must be among them.
local fields, known = {}, {}
local reg = io.popen(quote(pktframe) .. " fields --list")
for line in reg:lines() do
  local name = line:match("^(%S+)")
  if name then fields[#fields + 1] = name; known[name] = true end
end
reg:close()
local missing = {}
for line in io.lines(fieldsfile) do
  if line ~= "" and not line:match("^#") and not known[line] then missing[#missing + 1] = line end
end
local eargs = {}
for _, f in ipairs(fields) do eargs[#eargs + 1] = "-e " .. quote(f) end
eargs = table.concat(eargs, " ")

-- known, documented differences: capture/frame/field -> reason
local known_diff, known_used = {}, {}
local kd = io.open((arg[0]:match("^(.*)/[^/]*$") or ".") .. "/difftest-known.tsv")
if kd then
  for line in kd:lines() do
    local cap, frame, field, why = line:match("^([^#\t][^\t]*)\t(%d+)\t([^\t]+)\t(.*)$")
    if cap then known_diff[cap .. "|" .. frame .. "|" .. field] = why end
  end
  kd:close()
end

local captures = {}
if #arg > 3 then
  for i = 4, #arg do captures[#captures + 1] = arg[i] end
else
  for line in io.lines(capdir .. "/MANIFEST.tsv") do
    local name = line:match("^([^\t]+)\t")
    if name and name ~= "file" then captures[#captures + 1] = name end
  end
end

local tmp = os.tmpname()
local cfgdir = os.tmpname()
os.remove(cfgdir)
os.execute("mkdir -p " .. quote(cfgdir))

local function lines_of(cmd)
  -- runs cmd (our own quoted strings only), returns its stdout lines and exit status
  local ok = os.execute(cmd .. " > " .. quote(tmp) .. " 2>/dev/null")
  local out = {}
  for l in io.lines(tmp) do out[#out + 1] = l end
  return out, ok
end

local function split(line)
  local cells = {}
  for c in (line .. "\t"):gmatch("([^\t]*)\t") do cells[#cells + 1] = c end
  return cells
end

local passed, failed, cells_total, cells_bad, cells_known = 0, 0, 0, 0, 0
local per_field_bad = {}
local MAX_SHOWN = 5
for _, name in ipairs(captures) do
  local path = capdir .. "/" .. name
  local opts = " -T fields -E header=y -E separator=/t -E occurrence=a -E aggregator=, "
  local want = lines_of("WIRESHARK_CONFIG_DIR=" .. quote(cfgdir) .. " tshark -n -r " .. quote(path) .. opts .. eargs)
  if #want == 0 then
    -- tshark does not read it: pktframe must refuse it too, printing no rows
    local got, ok = lines_of(quote(pktframe) .. " fields -q " .. quote(path) .. " " .. eargs)
    if not ok and #got <= 1 then
      passed = passed + 1
      print(string.format("ok   %-34s tshark and pktframe both reject it", name))
    else
      failed = failed + 1
      print(string.format("FAIL %-34s tshark rejects it, pktframe printed %d lines", name, #got))
    end
  else
    local got = lines_of(quote(pktframe) .. " fields -q " .. quote(path) .. " " .. eargs)
    local bad, shown = 0, 0
    if #got ~= #want then
      bad = bad + 1
      print(string.format("FAIL %s: %d rows from tshark, %d from pktframe", name, #want - 1, #got - 1))
    end
    for i = 2, math.min(#got, #want) do
      local w, g = split(want[i]), split(got[i])
      for j, f in ipairs(fields) do
        cells_total = cells_total + 1
        local key = name .. "|" .. (w[1] or "") .. "|" .. f
        if (w[j] or "") ~= (g[j] or "") and known_diff[key] then
          known_used[key] = true
          cells_known = (cells_known or 0) + 1
          print(string.format("  known %s frame %s %s: tshark '%s' pktframe '%s' (%s)", name, w[1] or "?", f,
            w[j] or "", g[j] or "", known_diff[key]))
        elseif (w[j] or "") ~= (g[j] or "") then
          bad = bad + 1
          cells_bad = cells_bad + 1
          per_field_bad[f] = (per_field_bad[f] or 0) + 1
          if shown < MAX_SHOWN then
            shown = shown + 1
            print(string.format("  %s frame %s %s: tshark '%s' pktframe '%s'", name, w[1] or "?", f,
              w[j] or "", g[j] or ""))
          end
        end
      end
    end
    -- each field alone as well: a read decodes only the layers its fields
    -- need, and a field must not depend on which others were asked for
    for j, f in ipairs(fields) do
      local alone = lines_of(quote(pktframe) .. " fields -q -E header=n " .. quote(path) .. " -e " .. quote(f))
      for i = 2, math.min(#want, #alone + 1) do
        local w = split(want[i])[j] or ""
        if alone[i - 1] ~= w and not known_diff[name .. "|" .. (split(want[i])[1] or "") .. "|" .. f] then
          bad = bad + 1
          if shown < MAX_SHOWN then
            shown = shown + 1
            print(string.format("  %s frame %s %s requested alone: tshark '%s' pktframe '%s'", name,
              split(want[i])[1] or "?", f, w, alone[i - 1] or ""))
          end
          break
        end
      end
    end
    if bad == 0 then
      passed = passed + 1
      print(string.format("ok   %-34s %5d rows x %d fields equal", name, #want - 1, #fields))
    else
      failed = failed + 1
      print(string.format("FAIL %-34s %d differences", name, bad))
    end
  end
end
os.remove(tmp)
os.execute("rm -rf " .. quote(cfgdir))
local names = {}
for f in pairs(per_field_bad) do names[#names + 1] = f end
table.sort(names, function(a, b) return per_field_bad[a] > per_field_bad[b] end)
for _, f in ipairs(names) do print(string.format("  field %-32s %d cells differ", f, per_field_bad[f])) end
local nknown = cells_known or 0
print(string.format("difftest: cells equal %d of %d (%.4f%%); %d known difference%s (difftest-known.tsv)",
  cells_total - cells_bad - nknown, cells_total,
  cells_total > 0 and 100 * (cells_total - cells_bad - nknown) / cells_total or 100, nknown, nknown == 1 and "" or "s"))
for key, why in pairs(known_diff) do
  local cap = key:match("^([^|]*)")
  local ran = false
  for _, c in ipairs(captures) do if c == cap then ran = true end end
  if ran and not known_used[key] then
    failed = failed + 1
    print("FAIL known difference no longer seen, remove it from difftest-known.tsv: " .. key .. " (" .. why .. ")")
  end
end
if #missing > 0 then
  failed = failed + 1
  print("FAIL fields listed in " .. fieldsfile .. " but not supported: " .. table.concat(missing, " "))
end
print(string.format("difftest: %d passed, %d failed", passed, failed))
os.exit(failed == 0 and 0 or 1)
