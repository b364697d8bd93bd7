-- resolve_seeds.lua: writes valid DNS replies to the PTR queries of 192.0.2.1 and 2001:db8::1
-- into the folder arg[1]: the seeds of fuzz_resolve (make fuzz).
local dir = assert(arg[1], "usage: lua5.4 resolve_seeds.lua DIR")

local function name(dotted)
  local out = {}
  for label in dotted:gmatch("[^.]+") do out[#out + 1] = string.char(#label) .. label end
  return table.concat(out) .. "\0"
end

local Q4 = "1.2.0.192.in-addr.arpa"
local Q6 = "1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa"

-- id 0x1234, a response with RD RA, rcode, one question, an answers
local function head(rcode, an, qname)
  return string.pack(">I2BBI2I2I2I2", 0x1234, 0x81, 0x80 | rcode, 1, an, 0, 0) .. name(qname) .. string.pack(">I2I2", 12, 1)
end

-- a record: owner bytes, type, class IN, TTL 300, rdata
local function rr(owner, rtype, rdata)
  return owner .. string.pack(">I2I2I4s2", rtype, 1, 300, rdata)
end

local PTR, CNAME = 12, 5
local seeds = {
  ["v4-ptr"] = head(0, 1, Q4) .. rr("\xc0\x0c", PTR, name("host.example.com")),
  -- "www" + a pointer to "192.in-addr.arpa" in the question
  ["v4-compressed"] = head(0, 1, Q4) .. rr("\xc0\x0c", PTR, "\3www\xc0\x12"),
  ["v4-cname"] = head(0, 2, Q4) .. rr("\xc0\x0c", CNAME, name("1.0/25.2.0.192.in-addr.arpa"))
                 .. rr(name("1.0/25.2.0.192.in-addr.arpa"), PTR, name("delegated.example")),
  ["v4-nxdomain"] = head(3, 0, Q4),
  ["v4-a-only"] = head(0, 1, Q4) .. rr("\xc0\x0c", 1, "\192\0\2\1"),
  ["v6-ptr"] = head(0, 1, Q6) .. rr("\xc0\x0c", PTR, name("v6.example.net")),
}
for file, bytes in pairs(seeds) do
  local f = assert(io.open(dir .. "/" .. file, "wb"))
  f:write(bytes)
  f:close()
end
