-- modules_spec.lua: how the Lua modules fit together: pf.ipfields, the one helper the analyses
-- share for IPv4/IPv6 field names; only init.lua requires the C core; every module under
-- lua/pktframe loads on its own (a require cycle would not).
local pf = require "pktframe"

-- the .lua files under the folders, sorted
local function lua_files(...)
  local p = assert(io.popen("find " .. table.concat({ ... }, " ") .. " -name '*.lua' -type f | sort"))
  local out = {}
  for line in p:lines() do out[#out + 1] = line end
  p:close()
  return out
end

describe("pf.ipfields", function()
  it("names IPv4's fields by default and IPv6's with ip6 true", function()
    local v4 = { src = "ip.src", dst = "ip.dst", len = "ip.len", proto = "ip.proto" }
    assert.are.same(v4, pf.ipfields())
    assert.are.same(v4, pf.ipfields(false))
    assert.are.same({ src = "ipv6.src", dst = "ipv6.dst", len = "ipv6.plen", proto = "ipv6.nxt" },
      pf.ipfields(true))
  end)

  it("names fields pktframe decodes", function()
    local known = {}
    for _, f in ipairs(pf.fields()) do known[f.name] = true end
    for _, ip6 in ipairs({ false, true }) do
      for k, name in pairs(pf.ipfields(ip6)) do assert.is_true(known[name], k .. " = " .. name) end
    end
  end)

  it("gives a new table at each call", function()
    local a = pf.ipfields(true)
    a.src = "changed"
    assert.are.equal("ipv6.src", pf.ipfields(true).src)
  end)
end)

describe("the Lua modules", function()
  it("require \"pktframe\", never pktframe.core, but for init.lua", function()
    local bad = {}
    for _, path in ipairs(lua_files("lua", "examples", "bench")) do
      if path ~= "lua/pktframe/init.lua" then
        local n = 0
        for line in io.lines(path) do
          n = n + 1
          if line:match("require%s*%(?%s*[\"']pktframe%.core[\"']") then bad[#bad + 1] = path .. ":" .. n end
        end
      end
    end
    assert.are.same({}, bad)
  end)

  it("each load on their own, in a fresh Lua", function()
    local files = lua_files("lua/pktframe")
    assert.is_true(#files > 20)
    local failed = {}
    for _, path in ipairs(files) do
      local name = path:gsub("^lua/", ""):gsub("%.lua$", ""):gsub("/init$", ""):gsub("/", ".")
      local code = ("package.path = %q .. package.path; package.cpath = %q; require %q")
        :format("lua/?.lua;lua/?/init.lua;", package.cpath, name)
      local p = assert(io.popen("lua5.4 -e '" .. code:gsub("'", "'\\''") .. "' 2>&1"))
      local out = p:read("a")
      local ok = p:close()
      if not ok then failed[#failed + 1] = name .. ": " .. out end
    end
    assert.are.same({}, failed)
  end)
end)
